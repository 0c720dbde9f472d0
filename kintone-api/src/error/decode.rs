//! Why a record does not fit a typed struct: [`DecodeError`], kept apart from the derive's
//! support so that [`crate::Error`] can carry it without depending on typed records.

use std::fmt;

/// What a field was expected to be: its kintone type and the Rust type that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    /// kintone's name of the field type.
    pub field_type: &'static str,
    /// The Rust type, as written in the struct.
    pub rust_type: &'static str,
}

impl Expected {
    /// For the derive.
    #[doc(hidden)]
    pub const fn new(field_type: &'static str, rust_type: &'static str) -> Self {
        Self {
            field_type,
            rust_type,
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} as `{}`", self.field_type, self.rust_type)
    }
}

/// A record that does not fit a [`KintoneRecord`](crate::KintoneRecord) struct: which field,
/// what was expected, and what was wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("field `{code}`{}: {kind}", expected.map_or(String::new(), |e| format!(" ({e})")))]
pub struct DecodeError {
    code: String,
    expected: Option<Expected>,
    kind: DecodeErrorKind,
}

impl DecodeError {
    /// For the derive: the field `code`, expected as `expected`, could not be read.
    #[doc(hidden)]
    pub fn new(code: &str, expected: Expected, kind: DecodeErrorKind) -> Self {
        Self {
            code: code.to_string(),
            expected: Some(expected),
            kind,
        }
    }

    /// For the derive: a field the struct does not declare.
    #[doc(hidden)]
    pub fn unknown(code: &str) -> Self {
        Self {
            code: code.to_string(),
            expected: None,
            kind: DecodeErrorKind::Unknown,
        }
    }

    /// The field code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The field's expected type; `None` for a field the struct does not declare.
    pub fn expected(&self) -> Option<Expected> {
        self.expected
    }

    /// What was wrong.
    pub fn kind(&self) -> &DecodeErrorKind {
        &self.kind
    }
}

/// What was wrong with a field of a [`DecodeError`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The record has no such field (or the read did not ask for it).
    #[error("the record has no such field")]
    Missing,
    /// The field is of another type than the struct says.
    #[error("the field is of type {found}")]
    WrongType {
        /// kintone's type of the field.
        found: String,
    },
    /// The field is empty and the Rust type has no room for that (use an `Option`).
    #[error("the field is empty")]
    Empty,
    /// The number does not fit the Rust type.
    #[error("{value} does not fit the Rust type")]
    OutOfRange {
        /// The number as kintone sent it.
        value: String,
    },
    /// The value is not one the Rust type can hold.
    #[error("{value:?} is not a valid value: {reason}")]
    Invalid {
        /// The value as kintone sent it.
        value: String,
        /// Why not.
        reason: String,
    },
    /// A row of a table could not be read.
    #[error("row {row}: {error}")]
    Row {
        /// The row's position in the table, from 0.
        row: usize,
        /// The row's error.
        error: Box<DecodeError>,
    },
    /// The record has a field the struct does not declare, and the struct denies those.
    #[error("the struct declares no such field")]
    Unknown,
}

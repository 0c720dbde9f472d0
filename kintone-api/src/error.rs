//! Errors: what kintone answered, what never left the machine, and what broke in between.

use std::collections::BTreeMap;

use http::{HeaderMap, StatusCode};

/// Anything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// kintone answered with a status other than 200 and its JSON error body.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// A status other than 200 whose body is not kintone's error JSON, such as a maintenance
    /// page in HTML.
    #[error("HTTP {status} with a non-JSON body ({content_type}): {excerpt}")]
    UnexpectedBody {
        status: StatusCode,
        content_type: String,
        /// The start of the body, at most [`EXCERPT_BYTES`] bytes.
        excerpt: String,
        headers: Box<HeaderMap>,
    },
    /// A documented limit would be broken; nothing was sent.
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// The request cannot be built as given; nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A 200 response whose body does not have the documented shape.
    #[error("the response of {operation} does not decode: {source}")]
    Decode {
        operation: &'static str,
        #[source]
        source: serde_json::Error,
        excerpt: String,
    },
    /// The request did not complete: connection, TLS, timeout.
    #[error("transport error: {0}")]
    Transport(#[from] reqwest::Error),
}

/// How much of a non-JSON body an error keeps.
pub const EXCERPT_BYTES: usize = 512;

impl Error {
    /// kintone's error, when kintone answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::UnexpectedBody { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// kintone's error code (such as `GAIA_CO02`), when there is one.
    pub fn code(&self) -> Option<&str> {
        self.api().map(|e| e.code.as_str())
    }

    /// Whether nothing was sent because a check failed first.
    pub fn is_rejected_before_sending(&self) -> bool {
        matches!(self, Error::Limit(_) | Error::InvalidRequest(_))
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

/// kintone's error body, with the status and headers it came with.
#[derive(Debug, Clone, thiserror::Error)]
#[error("kintone error {code} (HTTP {status}, id {id}): {message}{}", bulk_suffix(*.bulk_index))]
#[non_exhaustive]
pub struct ApiError {
    pub status: StatusCode,
    /// Identifies the occurrence, for kintone support.
    pub id: String,
    /// The kind of error, such as `CB_VA01`.
    pub code: String,
    /// The message, in the user's language.
    pub message: String,
    /// Messages per offending value, keyed by its path (such as `record.Amount.value`).
    pub errors: BTreeMap<String, Vec<String>>,
    /// For a failed bulk request, the index of the request that failed.
    pub bulk_index: Option<usize>,
    pub headers: HeaderMap,
}

fn bulk_suffix(index: Option<usize>) -> String {
    index
        .map(|i| format!(" (bulk request #{i})"))
        .unwrap_or_default()
}

/// A documented kintone limit that a request would break. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitError {
    #[error("`{field}` has {actual} items; kintone accepts at most {max}")]
    TooManyItems {
        field: &'static str,
        max: usize,
        actual: usize,
    },
    #[error("`{field}` has {actual} items; kintone needs at least {min}")]
    TooFewItems {
        field: &'static str,
        min: usize,
        actual: usize,
    },
    #[error("`{field}` has {actual} characters; kintone accepts at most {max}")]
    TooLong {
        field: &'static str,
        max: usize,
        actual: usize,
    },
    #[error("`{field}` is {actual}; kintone accepts {}", range_text(*.min, *.max))]
    OutOfRange {
        field: &'static str,
        min: Option<i64>,
        max: Option<i64>,
        actual: i64,
    },
    #[error("`{field}` asks for `{clause} {actual}`; kintone accepts at most {max}")]
    QueryClause {
        field: &'static str,
        clause: &'static str,
        max: u64,
        actual: u64,
    },
    #[error("`{field}` may not contain a `{clause}` clause here")]
    QueryClauseNotAllowed {
        field: &'static str,
        clause: &'static str,
    },
    #[error("exactly one of {fields:?} must be set, found {found}")]
    ExactlyOneOf {
        fields: &'static [&'static str],
        found: usize,
    },
}

fn range_text(min: Option<i64>, max: Option<i64>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("{lo} to {hi}"),
        (Some(lo), None) => format!("{lo} or more"),
        (None, Some(hi)) => format!("at most {hi}"),
        (None, None) => "any value".into(),
    }
}

impl LimitError {
    /// Checks an integer against an inclusive range.
    pub fn check_range(
        field: &'static str,
        actual: i64,
        min: Option<i64>,
        max: Option<i64>,
    ) -> Result<(), LimitError> {
        let low = min.is_some_and(|m| actual < m);
        let high = max.is_some_and(|m| actual > m);
        if low || high {
            Err(LimitError::OutOfRange {
                field,
                min,
                max,
                actual,
            })
        } else {
            Ok(())
        }
    }
}

//! Records as plain Rust structs.
//!
//! `#[derive(KintoneRecord)]` turns a struct into a record of an app: it reads the struct from a
//! [`Record`] as kintone returns it, writes it as a [`RecordInput`] as kintone takes it, and
//! gives each field a typed query constant ([`Field`](crate::query::Field)), so that a
//! misspelt field code or an operator kintone refuses for the field's type does not compile.
//!
//! ```
//! use kintone_api::query::Query;
//! use kintone_api::typed::Row;
//! use kintone_api::{Date, Decimal, KintoneRecord};
//!
//! #[derive(Debug, Clone, PartialEq, KintoneRecord)]
//! struct Sale {
//!     #[kintone(code = "Title")]
//!     title: String,
//!     #[kintone(code = "Amount")]
//!     amount: Option<Decimal>,
//!     #[kintone(code = "Due")]
//!     due: Option<Date>,
//!     #[kintone(code = "Notes", type = "MULTI_LINE_TEXT")]
//!     notes: String,
//!     #[kintone(code = "Lines")]
//!     lines: Vec<Row<Line>>,
//! }
//!
//! #[derive(Debug, Clone, PartialEq, KintoneRecord)]
//! #[kintone(table)]
//! struct Line {
//!     #[kintone(code = "Item")]
//!     item: String,
//!     #[kintone(code = "Qty")]
//!     qty: u32,
//! }
//!
//! let query = Query::new()
//!     .filter(Sale::TITLE.like("pens").and(Sale::AMOUNT.ge(100)))
//!     .order_by(Sale::DUE, kintone_api::query::Order::Asc)
//!     .build()?;
//! assert_eq!(query, r#"Title like "pens" and Amount >= "100" order by Due asc"#);
//! assert_eq!(Sale::FIELD_CODES, ["Title", "Amount", "Due", "Notes", "Lines"]);
//! # Ok::<(), kintone_api::query::QueryError>(())
//! ```
//!
//! Each Rust field takes the field type its attribute names (`type = "…"`, kintone's own type
//! name: the form generator always names it), or the one its Rust type stands for when no type
//! is named ([`DefaultFieldType`]). A Rust type that stands for no single field type
//! (`Option<String>`, which holds text and choice fields alike) needs the attribute: the derive
//! refuses it without one, naming the choices.
//!
//! | field types | Rust types |
//! |---|---|
//! | SINGLE_LINE_TEXT (default for `String`), MULTI_LINE_TEXT, RICH_TEXT, LINK | `String`; `Option<String>` reads `""` as `None` (its type must be named: it holds choice fields too) |
//! | NUMBER (default for numbers) | [`Decimal`], an integer or a float, or an `Option` of one (empty is `None`); a value that does not fit is a [`DecodeErrorKind::OutOfRange`] |
//! | CALC (computed) | `String`, `Option<String>`, [`Decimal`], `Option<Decimal>` |
//! | RADIO_BUTTON, DROP_DOWN | `String`, `Option<String>` |
//! | CHECK_BOX (default for `Vec<String>`), MULTI_SELECT, CATEGORY (computed) | `Vec<String>` |
//! | DATE, TIME, DATETIME (defaults for [`Date`], [`Time`], [`DateTime`]) | the type, or an `Option` of it |
//! | USER_SELECT (default for `Vec<Entity>`), ORGANIZATION_SELECT, GROUP_SELECT, STATUS_ASSIGNEE (computed) | `Vec<`[`Entity`]`>` (written by code) |
//! | CREATOR, MODIFIER (computed) | [`Entity`], `Option<Entity>` |
//! | CREATED_TIME, UPDATED_TIME (computed) | [`DateTime`], `Option<DateTime>` |
//! | RECORD_NUMBER, STATUS (computed) | `String`, `Option<String>` |
//! | FILE (default for `Vec<FileInfo>`) | `Vec<`[`FileInfo`]`>` (written by file key) |
//! | SUBTABLE (default for `Vec<Row<T>>`) | `Vec<`[`Row<T>`](Row)`>`, `T` a derived struct; row ids are kept |
//! | `__ID__`, `__REVISION__` (computed; defaults for [`RecordId`], [`Revision`] and their `Option`s) | [`RecordId`], [`Revision`], or an `Option` of one |
//!
//! Computed fields read as an `Option` are always `Some` when read; the `Option` lets a record
//! built to be added leave them `None`.
//!
//! Computed fields are read and never written; `#[kintone(read_only)]` makes any field so.
//! Other types can hold a field by implementing [`FieldOf`] (an enum for a drop-down, say).

pub use crate::error::decode::{DecodeError, DecodeErrorKind, Expected};
use crate::{
    Date, DateTime, Decimal, Entity, EntityCode, FieldInput, FieldValue, FileInfo, FileRef, Record,
    RecordId, RecordInput, Revision, SubtableRow, SubtableRowInput, Time,
};

/// A struct that is a record of an app (or a row of a table); implemented by
/// `#[derive(KintoneRecord)]`.
pub trait KintoneRecord: Sized {
    /// The field codes of the struct's fields, in the order declared: what a read asks for.
    const FIELD_CODES: &'static [&'static str];

    /// Whether the struct refuses fields it does not declare (`#[kintone(deny_unknown_fields)]`):
    /// then a stream of it decodes every field a record has, not only the struct's.
    #[doc(hidden)]
    const DENIES_UNKNOWN_FIELDS: bool = false;

    /// Reads the struct from a record as kintone returns it. Fields the struct does not declare
    /// are ignored, unless the struct says `#[kintone(deny_unknown_fields)]`.
    fn from_record(record: Record) -> Result<Self, DecodeError>;

    /// The record to write: every field but the computed and read-only ones.
    fn to_record_input(&self) -> RecordInput;
}

/// The field types of kintone, as markers that choose how a field is read, written and queried,
/// and [`FIELD_TYPES`](field_types::FIELD_TYPES), the table of them all. Generated from the
/// spec, where each field type's rules are stated once (`x-kintone-field-type`).
pub mod field_types {
    pub use crate::generated::field_types::*;
}

/// The generated field types (`crate::generated::field_types`), one line each: the marker of
/// each type with its name, whether kintone computes it (`true`/`false`) and its query kind
/// (in [`crate::query::kind`]), and the table of them all with the operators each takes.
macro_rules! field_type_markers {
    ($($(#[$doc:meta])* $marker:ident = $name:literal, $computed:literal, $query:ident, $text:ident;)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum $marker {}
            impl $crate::records::typed::sealed::Sealed for $marker {}
            impl $crate::records::typed::FieldType for $marker {
                const NAME: &'static str = $name;
                const COMPUTED: bool = $computed;
                type Query = $crate::query::kind::$query;
            }
            $crate::typed::field_type_markers!(@text $text $marker);
        )*
        /// Every field type the spec describes: its name, whether kintone computes it, the
        /// query operators its fields take (in the spec's order), whether `order by` takes it
        /// and whether its value is text.
        pub const FIELD_TYPES: &[$crate::records::typed::FieldTypeInfo] = &[$(
            $crate::records::typed::FieldTypeInfo {
                name: $name,
                computed: $computed,
                operators: <$crate::query::kind::$query as $crate::query::KindOperators>::OPERATORS,
                sortable: <$crate::query::kind::$query as $crate::query::KindOperators>::SORTABLE,
                text_value: $text,
            }
        ),*];
    };
    // The spec says the value is text: `Option<String>` must hold it, or this does not compile.
    (@text true $marker:ident) => {
        const _: fn() = || {
            fn holds<T: $crate::typed::FieldOf<M>, M: $crate::typed::FieldType>() {}
            holds::<Option<String>, $marker>();
        };
    };
    (@text false $marker:ident) => {};
}
pub(crate) use field_type_markers;

/// One row of [`field_types::FIELD_TYPES`]: a field type as the spec states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldTypeInfo {
    /// kintone's name of the type (`SINGLE_LINE_TEXT`).
    pub name: &'static str,
    /// kintone computes the value: it is read and never written.
    pub computed: bool,
    /// The query operators kintone allows on fields of the type (`=`, `not in`, `is empty`);
    /// empty when a query cannot name them.
    pub operators: &'static [&'static str],
    /// kintone sorts records by fields of the type (`order by`): its query kind is
    /// [`Sortable`](crate::query::Sortable).
    pub sortable: bool,
    /// Its value is text, which `Option<String>` holds (as `None` when empty).
    pub text_value: bool,
}

impl FieldTypeInfo {
    /// The row of the field type kintone calls `name`.
    pub fn of(name: &str) -> Option<&'static FieldTypeInfo> {
        field_types::FIELD_TYPES.iter().find(|t| t.name == name)
    }
}

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// A kintone field type: its name, whether kintone computes it, and the query kind of its
/// fields. Implemented by the markers of [`field_types`] only.
pub trait FieldType: sealed::Sealed {
    /// kintone's name of the type (`SINGLE_LINE_TEXT`).
    const NAME: &'static str;
    /// kintone computes the value: it is read and never written.
    const COMPUTED: bool;
    /// The [`query::kind`](crate::query::kind) of fields of this type; [`NotQueryable`] when
    /// queries cannot name them.
    type Query;
}

pub use crate::query::kind::NotQueryable;

/// A Rust type that holds a field of type `M`: how it is read from the value kintone sends and
/// written as the value kintone takes.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a kintone field of type `{M}`",
    label = "not a Rust type for this field type",
    note = "the module documentation of `kintone_api::typed` lists the Rust types of each field type"
)]
pub trait FieldOf<M: FieldType>: Sized {
    /// Reads the value.
    fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind>;

    /// The value to write; `None` for a value that is never written (computed fields).
    fn encode(&self) -> Option<FieldInput>;
}

/// The field type a Rust type stands for when the attribute names none.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Rust type of any kintone field",
    label = "unsupported field type",
    note = "use one of the types listed in `kintone_api::typed`, or name the field type with `#[kintone(type = \"…\")]` for a type that implements `FieldOf` for it"
)]
pub trait DefaultFieldType: Sized {
    /// The field type.
    type Type: FieldType;
    /// How the type holds its field: `Codec::of::<Self::Type>()`. One item for the derive to
    /// use, so that a type that is no field's is one error.
    #[doc(hidden)]
    const CODEC: Codec<Self>;
}

/// A struct that is a table's row: `#[derive(KintoneRecord)]` with `#[kintone(table)]`. Only
/// such a struct goes in `Vec<Row<T>>`, so that its query constants are those of a table's
/// fields (no `=` or `!=`, which kintone refuses there).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a table's row: a SUBTABLE field holds rows of a struct derived with `#[kintone(table)]`",
    label = "the rows of a SUBTABLE field",
    note = "add `#[kintone(table)]` to `{Self}`: its query constants are then a table's fields, which kintone searches with `in_` and `not_in`, never `=` (GAIA_IQ07)"
)]
pub trait TableRow: KintoneRecord {}

/// A row of a table: its id (`None` for a row not yet written) and its fields.
///
/// Rows written back with their id are updated in place; rows left out of an update are
/// deleted by kintone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row<T> {
    /// The row's id, as kintone gave it.
    pub id: Option<u64>,
    /// The row's fields.
    pub value: T,
}

impl<T> Row<T> {
    /// A new row, without an id: kintone gives it one when it is written.
    pub fn new(value: T) -> Self {
        Self { id: None, value }
    }

    /// A row that already exists, by its id.
    pub fn with_id(id: u64, value: T) -> Self {
        Self {
            id: Some(id),
            value,
        }
    }
}

fn wrong(value: &FieldValue) -> DecodeErrorKind {
    DecodeErrorKind::WrongType {
        found: value.field_type().to_string(),
    }
}

/// For the derive: how one field of a struct is read and written, made once per field, so
/// that a Rust type that cannot hold the field's type is one error, where the field is
/// declared, not one per use.
#[doc(hidden)]
pub struct Codec<T> {
    field_type: &'static str,
    computed: bool,
    decode: fn(FieldValue) -> Result<T, DecodeErrorKind>,
    encode: fn(&T) -> Option<FieldInput>,
}

impl<T> Codec<T> {
    /// The codec of `T` holding a field of type `M`.
    pub const fn of<M: FieldType>() -> Self
    where
        T: FieldOf<M>,
    {
        Self {
            field_type: M::NAME,
            computed: M::COMPUTED,
            decode: <T as FieldOf<M>>::decode,
            encode: <T as FieldOf<M>>::encode,
        }
    }

    /// Reads the field out of the record's values.
    pub fn decode(
        &self,
        code: &str,
        rust_type: &'static str,
        value: Option<FieldValue>,
    ) -> Result<T, DecodeError> {
        let expected = Expected::new(self.field_type, rust_type);
        let value =
            value.ok_or_else(|| DecodeError::new(code, expected, DecodeErrorKind::Missing))?;
        (self.decode)(value).map_err(|kind| DecodeError::new(code, expected, kind))
    }

    /// Writes the field, unless kintone computes it.
    pub fn encode(&self, record: &mut RecordInput, code: &str, value: &T) {
        if self.computed {
            return;
        }
        if let Some(input) = (self.encode)(value) {
            record.insert(code.to_string(), input);
        }
    }
}

/// For the derive: the codec of a field of type `M` held by `T` (a free function, so that an
/// error points at `T` as the struct declares it).
#[doc(hidden)]
pub const fn codec<M: FieldType, T: FieldOf<M>>() -> Codec<T> {
    Codec::of::<M>()
}

/// For the derive: a struct used as a table's rows must be one (`#[kintone(table)]`).
#[doc(hidden)]
pub const fn assert_table_row<T: TableRow>() {}

// ---------------------------------------------------------------------------------------------
// Defaults

macro_rules! defaults {
    ($($t:ty => $m:ident),* $(,)?) => {$(
        impl DefaultFieldType for $t {
            type Type = field_types::$m;
            const CODEC: Codec<Self> = Codec::of::<field_types::$m>();
        }
    )*};
}

// `Option<String>` has no default: it holds text fields and choice fields alike (a
// SINGLE_LINE_TEXT read as a DROP_DOWN fails at run time), so its field type must be named.
defaults! {
    String => SingleLineText,
    Vec<String> => CheckBox,
    Decimal => Number,
    Option<Decimal> => Number,
    Date => Date,
    Option<Date> => Date,
    Time => Time,
    Option<Time> => Time,
    DateTime => Datetime,
    Option<DateTime> => Datetime,
    Vec<Entity> => UserSelect,
    Vec<FileInfo> => File,
    RecordId => Id,
    Revision => Revision,
}

impl<T: TableRow> DefaultFieldType for Vec<Row<T>> {
    type Type = field_types::Subtable;
    const CODEC: Codec<Self> = Codec::of::<field_types::Subtable>();
}

// ---------------------------------------------------------------------------------------------
// Text

macro_rules! text_types {
    ($($m:ident => $variant:ident, $ctor:ident);* $(;)?) => {$(
        impl FieldOf<field_types::$m> for String {
            fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
                match value {
                    FieldValue::$variant(f) => Ok(f.value.into()),
                    other => Err(wrong(&other)),
                }
            }

            fn encode(&self) -> Option<FieldInput> {
                Some(FieldInput::$ctor(self.clone()))
            }
        }

        impl FieldOf<field_types::$m> for Option<String> {
            fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
                let text = <String as FieldOf<field_types::$m>>::decode(value)?;
                Ok(Some(text).filter(|t| !t.is_empty()))
            }

            fn encode(&self) -> Option<FieldInput> {
                Some(FieldInput::$ctor(self.clone().unwrap_or_default()))
            }
        }
    )*};
}

text_types! {
    SingleLineText => SingleLineText, single_line_text;
    MultiLineText => MultiLineText, multi_line_text;
    RichText => RichText, rich_text;
    Link => Link, link;
    RadioButton => RadioButton, radio_button;
}

impl FieldOf<field_types::DropDown> for Option<String> {
    fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
        match value {
            FieldValue::DropDown(f) => Ok(f.value.filter(|t| !t.is_empty()).map(String::from)),
            other => Err(wrong(&other)),
        }
    }

    fn encode(&self) -> Option<FieldInput> {
        Some(FieldInput::drop_down(self.clone().unwrap_or_default()))
    }
}

impl FieldOf<field_types::DropDown> for String {
    fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
        <Option<String> as FieldOf<field_types::DropDown>>::decode(value)?
            .ok_or(DecodeErrorKind::Empty)
    }

    fn encode(&self) -> Option<FieldInput> {
        Some(FieldInput::drop_down(self.clone()))
    }
}

/// Fields kintone computes: read into their Rust type, never written.
macro_rules! computed {
    ($($m:ident => $variant:ident: $rust:ty),* $(,)?) => {$(
        impl FieldOf<field_types::$m> for $rust {
            fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
                match value {
                    FieldValue::$variant(f) => Ok(f.value.into()),
                    other => Err(wrong(&other)),
                }
            }

            fn encode(&self) -> Option<FieldInput> {
                None
            }
        }
    )*};
}

computed! {
    RecordNumber => RecordNumber: String,
    Status => Status: String,
    Calc => Calc: String,
    Creator => Creator: Entity,
    Modifier => Modifier: Entity,
    CreatedTime => CreatedTime: DateTime,
    UpdatedTime => UpdatedTime: DateTime,
    Id => Id: RecordId,
    Revision => Revision: Revision,
}

// ---------------------------------------------------------------------------------------------
// Lists

macro_rules! lists {
    ($($m:ident => $variant:ident, $ctor:expr);* $(;)?) => {$(
        impl FieldOf<field_types::$m> for Vec<String> {
            fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
                match value {
                    FieldValue::$variant(f) => Ok(f.value.into_iter().map(String::from).collect()),
                    other => Err(wrong(&other)),
                }
            }

            fn encode(&self) -> Option<FieldInput> {
                let ctor: Option<fn(Vec<String>) -> FieldInput> = $ctor;
                ctor.map(|ctor| ctor(self.clone()))
            }
        }
    )*};
}

lists! {
    CheckBox => CheckBox, Some(FieldInput::check_box);
    MultiSelect => MultiSelect, Some(FieldInput::multi_select);
    // kintone computes a record's categories: never written.
    Category => Category, None;
}

macro_rules! entity_lists {
    ($($m:ident => $variant:ident, $ctor:expr);* $(;)?) => {$(
        impl FieldOf<field_types::$m> for Vec<Entity> {
            fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
                match value {
                    FieldValue::$variant(f) => Ok(f.value),
                    other => Err(wrong(&other)),
                }
            }

            fn encode(&self) -> Option<FieldInput> {
                let ctor: Option<fn(Vec<EntityCode>) -> FieldInput> = $ctor;
                ctor.map(|ctor| ctor(self.iter().map(|e| EntityCode::new(e.code.clone())).collect()))
            }
        }
    )*};
}

entity_lists! {
    UserSelect => UserSelect, Some(FieldInput::user_select);
    OrganizationSelect => OrganizationSelect, Some(FieldInput::organization_select);
    GroupSelect => GroupSelect, Some(FieldInput::group_select);
    StatusAssignee => StatusAssignee, None;
}

impl FieldOf<field_types::File> for Vec<FileInfo> {
    fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
        match value {
            FieldValue::File(f) => Ok(f.value),
            other => Err(wrong(&other)),
        }
    }

    /// By file key: the key of a file read from a record keeps that file, an upload key
    /// attaches a new one.
    fn encode(&self) -> Option<FieldInput> {
        Some(FieldInput::file(
            self.iter().map(|f| FileRef::new(f.file_key.clone())),
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and times

macro_rules! optional_values {
    ($($m:ident => $variant:ident, $t:ty, $ctor:ident);* $(;)?) => {$(
        impl FieldOf<field_types::$m> for Option<$t> {
            fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
                match value {
                    FieldValue::$variant(f) => Ok(f.value.into()),
                    other => Err(wrong(&other)),
                }
            }

            fn encode(&self) -> Option<FieldInput> {
                Some(FieldInput::$ctor(self.clone()))
            }
        }

        impl FieldOf<field_types::$m> for $t {
            fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
                <Option<$t> as FieldOf<field_types::$m>>::decode(value)?.ok_or(DecodeErrorKind::Empty)
            }

            fn encode(&self) -> Option<FieldInput> {
                Some(FieldInput::$ctor(self.clone()))
            }
        }
    )*};
}

optional_values! {
    Date => Date, Date, date;
    Time => Time, Time, time;
    Datetime => Datetime, DateTime, datetime;
    Number => Number, Decimal, number;
}

// ---------------------------------------------------------------------------------------------
// Numbers

impl FieldOf<field_types::Calc> for Option<Decimal> {
    fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
        let text = <String as FieldOf<field_types::Calc>>::decode(value)?;
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<Decimal>() {
            Ok(number) => Ok(Some(number)),
            Err(_) => Err(DecodeErrorKind::Invalid {
                value: text,
                reason: "not a number (the calculated field has a format other than a number)"
                    .to_string(),
            }),
        }
    }

    fn encode(&self) -> Option<FieldInput> {
        None
    }
}

impl FieldOf<field_types::Calc> for Decimal {
    fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
        <Option<Decimal> as FieldOf<field_types::Calc>>::decode(value)?
            .ok_or(DecodeErrorKind::Empty)
    }

    fn encode(&self) -> Option<FieldInput> {
        None
    }
}

/// The whole number a decimal text stands for, when it is one: `12`, `-3.00`, `1.5e1`.
fn whole_number(text: &str) -> Result<i128, DecodeErrorKind> {
    let invalid = |reason: &str| DecodeErrorKind::Invalid {
        value: text.to_string(),
        reason: reason.to_string(),
    };
    let out_of_range = || DecodeErrorKind::OutOfRange {
        value: text.to_string(),
    };
    // Checked already by `Decimal`; the split below relies on its shape.
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => {
            let exponent: i64 = unsigned[i + 1..].parse().map_err(|_| out_of_range())?;
            (&unsigned[..i], exponent)
        }
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits = format!("{whole}{fraction}");
    let shift = exponent - fraction.len() as i64;
    if shift >= 0 {
        if digits.trim_start_matches('0').len() as i64 + shift > 39 {
            return Err(out_of_range());
        }
        digits.extend(std::iter::repeat_n('0', shift as usize));
    } else {
        let cut = (-shift) as usize;
        if cut > digits.len() {
            if digits.bytes().all(|b| b == b'0') {
                return Ok(0);
            }
            return Err(invalid("not a whole number"));
        }
        let (kept, dropped) = digits.split_at(digits.len() - cut);
        if dropped.bytes().any(|b| b != b'0') {
            return Err(invalid("not a whole number"));
        }
        digits = if kept.is_empty() {
            "0".into()
        } else {
            kept.into()
        };
    }
    let magnitude: i128 = digits.trim_start_matches('0').parse().or_else(|_| {
        if digits.bytes().all(|b| b == b'0') {
            Ok(0)
        } else {
            Err(out_of_range())
        }
    })?;
    Ok(if negative { -magnitude } else { magnitude })
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl DefaultFieldType for $t {
            type Type = field_types::Number;
            const CODEC: Codec<Self> = Codec::of::<field_types::Number>();
        }

        impl DefaultFieldType for Option<$t> {
            type Type = field_types::Number;
            const CODEC: Codec<Self> = Codec::of::<field_types::Number>();
        }

        impl FieldOf<field_types::Number> for Option<$t> {
            fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
                let Some(number) = <Option<Decimal> as FieldOf<field_types::Number>>::decode(value)? else {
                    return Ok(None);
                };
                let whole = whole_number(number.as_str())?;
                <$t>::try_from(whole)
                    .map(Some)
                    .map_err(|_| DecodeErrorKind::OutOfRange { value: number.as_str().to_string() })
            }

            fn encode(&self) -> Option<FieldInput> {
                Some(FieldInput::number(self.map(Decimal::from)))
            }
        }

        impl FieldOf<field_types::Number> for $t {
            fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
                <Option<$t> as FieldOf<field_types::Number>>::decode(value)?.ok_or(DecodeErrorKind::Empty)
            }

            fn encode(&self) -> Option<FieldInput> {
                Some(FieldInput::number(Decimal::from(*self)))
            }
        }
    )*};
}

integers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl DefaultFieldType for $t {
            type Type = field_types::Number;
            const CODEC: Codec<Self> = Codec::of::<field_types::Number>();
        }

        impl DefaultFieldType for Option<$t> {
            type Type = field_types::Number;
            const CODEC: Codec<Self> = Codec::of::<field_types::Number>();
        }

        impl FieldOf<field_types::Number> for Option<$t> {
            fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
                let Some(number) = <Option<Decimal> as FieldOf<field_types::Number>>::decode(value)? else {
                    return Ok(None);
                };
                match number.as_str().parse::<$t>() {
                    Ok(float) if float.is_finite() => Ok(Some(float)),
                    _ => Err(DecodeErrorKind::OutOfRange { value: number.as_str().to_string() }),
                }
            }

            /// A float that is not finite (NaN, an infinity) clears the field: kintone has no
            /// such number.
            fn encode(&self) -> Option<FieldInput> {
                let number = self
                    .filter(|f| f.is_finite())
                    .and_then(|f| Decimal::try_from(f.to_string()).ok());
                Some(FieldInput::number(number))
            }
        }

        impl FieldOf<field_types::Number> for $t {
            fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
                <Option<$t> as FieldOf<field_types::Number>>::decode(value)?.ok_or(DecodeErrorKind::Empty)
            }

            /// A float that is not finite (NaN, an infinity) clears the field.
            fn encode(&self) -> Option<FieldInput> {
                <Option<$t> as FieldOf<field_types::Number>>::encode(&Some(*self))
            }
        }
    )*};
}

floats!(f32, f64);

// ---------------------------------------------------------------------------------------------
// Tables

// Any record struct reads as rows; the derive requires `TableRow` where it sees `Row<T>`, so
// that a missing `#[kintone(table)]` is one error naming the attribute.
impl<T: KintoneRecord> FieldOf<field_types::Subtable> for Vec<Row<T>> {
    fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
        let FieldValue::Subtable(table) = value else {
            return Err(wrong(&value));
        };
        table
            .value
            .into_iter()
            .enumerate()
            .map(|(i, SubtableRow { id, value, .. })| {
                T::from_record(value)
                    .map(|value| Row::with_id(id, value))
                    .map_err(|error| DecodeErrorKind::Row {
                        row: i,
                        error: Box::new(error),
                    })
            })
            .collect()
    }

    fn encode(&self) -> Option<FieldInput> {
        Some(FieldInput::subtable(self.iter().map(|row| {
            let mut input = SubtableRowInput::new(row.value.to_record_input());
            input.id = row.id;
            input
        })))
    }
}

// ---------------------------------------------------------------------------------------------
// Computed values as `Option`s, so that a record built to be added can leave them out

macro_rules! optional_computed {
    ($($m:ident => $t:ty),* $(,)?) => {$(
        impl FieldOf<field_types::$m> for Option<$t> {
            fn decode(value: FieldValue) -> Result<Self, DecodeErrorKind> {
                <$t as FieldOf<field_types::$m>>::decode(value).map(Some)
            }

            fn encode(&self) -> Option<FieldInput> {
                None
            }
        }
    )*};
}

optional_computed! {
    Id => RecordId,
    Revision => Revision,
    RecordNumber => String,
    Status => String,
    Calc => String,
    Creator => Entity,
    Modifier => Entity,
    CreatedTime => DateTime,
    UpdatedTime => DateTime,
}

defaults! {
    Option<RecordId> => Id,
    Option<Revision> => Revision,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The query builder's sort keys and the text types are the spec's table
    /// (`x-kintone-field-type`): `sortable` here is whether the type's query kind implements
    /// [`Sortable`](crate::query::Sortable), and each text type's `Option<String>` impl is checked
    /// when the crate compiles (`field_type_markers!`).
    #[test]
    fn sort_keys_and_text_types_are_the_specs() {
        let spec = &kintone_spec::bundled().field_types;
        assert_eq!(spec.len(), field_types::FIELD_TYPES.len());
        for rule in spec {
            let row = FieldTypeInfo::of(&rule.name).expect("every type of the spec has a row");
            assert_eq!(row.sortable, rule.sortable, "{} sortable", rule.name);
            assert_eq!(row.text_value, rule.text_value, "{} text", rule.name);
        }
        let sortable = |name| FieldTypeInfo::of(name).unwrap().sortable;
        assert!(sortable("NUMBER") && sortable("STATUS") && sortable("__ID__"));
        assert!(!sortable("CHECK_BOX") && !sortable("SUBTABLE") && !sortable("CREATOR"));
    }

    #[test]
    fn whole_numbers_are_read_exactly() {
        for (text, expected) in [
            ("12", 12),
            ("-3.00", -3),
            ("+7", 7),
            ("1.5e1", 15),
            ("1500e-2", 15),
            ("0.000", 0),
            ("0e-5", 0),
            ("-0", 0),
            ("170141183460469231731687303715884105727", i128::MAX),
        ] {
            assert_eq!(whole_number(text), Ok(expected), "{text}");
        }
        for text in ["1.5", "1e-1", "15e-2"] {
            assert!(
                matches!(whole_number(text), Err(DecodeErrorKind::Invalid { .. })),
                "{text}"
            );
        }
        for text in [
            "170141183460469231731687303715884105728",
            "1e40",
            "1e99999999999",
        ] {
            assert_eq!(
                whole_number(text),
                Err(DecodeErrorKind::OutOfRange {
                    value: text.to_string()
                }),
                "{text}"
            );
        }
    }
}

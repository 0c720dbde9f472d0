//! Writing a record from values alone.
//!
//! kintone takes `{"value": …}` for every field and never the field's type, so several field
//! types share one written shape: any text field takes a string, any selection of users,
//! departments or groups takes a list of codes. These conversions pick the shape from the Rust
//! value, and [`record!`](crate::record) builds a whole [`RecordInput`](crate::RecordInput).

use crate::{Date, DateTime, Decimal, EntityCode, FieldInput, FileRef, SubtableRowInput, Time};

impl From<&str> for FieldInput {
    /// Any text-valued field: single- or multi-line text, rich text, link, radio button,
    /// drop-down.
    fn from(value: &str) -> Self {
        FieldInput::single_line_text(value)
    }
}

impl From<String> for FieldInput {
    fn from(value: String) -> Self {
        FieldInput::single_line_text(value)
    }
}

impl From<Decimal> for FieldInput {
    /// A NUMBER field.
    fn from(value: Decimal) -> Self {
        FieldInput::number(value)
    }
}

impl From<Option<Decimal>> for FieldInput {
    /// A NUMBER field; `None` clears it.
    fn from(value: Option<Decimal>) -> Self {
        FieldInput::number(value)
    }
}

macro_rules! number_from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for FieldInput {
            /// A NUMBER field.
            fn from(value: $t) -> Self {
                FieldInput::number(Decimal::from(value))
            }
        }
    )*};
}

number_from_integer!(i32, i64, u32, u64);

macro_rules! optional_value {
    ($($t:ty => $ctor:ident),*) => {$(
        impl From<$t> for FieldInput {
            fn from(value: $t) -> Self {
                FieldInput::$ctor(value)
            }
        }

        impl From<Option<$t>> for FieldInput {
            /// `None` clears the field.
            fn from(value: Option<$t>) -> Self {
                FieldInput::$ctor(value)
            }
        }
    )*};
}

optional_value!(Date => date, Time => time, DateTime => datetime);

impl From<Vec<String>> for FieldInput {
    /// The chosen options of a check box or multi-select.
    fn from(value: Vec<String>) -> Self {
        FieldInput::check_box(value)
    }
}

impl From<Vec<&str>> for FieldInput {
    /// The chosen options of a check box or multi-select.
    fn from(value: Vec<&str>) -> Self {
        FieldInput::check_box(value)
    }
}

impl<const N: usize> From<[&str; N]> for FieldInput {
    /// The chosen options of a check box or multi-select.
    fn from(value: [&str; N]) -> Self {
        FieldInput::check_box(value)
    }
}

impl From<Vec<EntityCode>> for FieldInput {
    /// Users, departments or groups of a selection field, by code.
    fn from(value: Vec<EntityCode>) -> Self {
        FieldInput::user_select(value)
    }
}

impl From<Vec<FileRef>> for FieldInput {
    /// The files of an attachment field, by upload key.
    fn from(value: Vec<FileRef>) -> Self {
        FieldInput::file(value)
    }
}

impl From<Vec<SubtableRowInput>> for FieldInput {
    /// The rows of a table; rows left out of an update are deleted.
    fn from(value: Vec<SubtableRowInput>) -> Self {
        FieldInput::subtable(value)
    }
}

/// Builds a [`RecordInput`](crate::RecordInput) from field codes and plain values; each value
/// becomes a [`FieldInput`](crate::FieldInput) through `From`, so no field type is restated.
///
/// ```
/// use kintone_api::{record, Date, Decimal};
///
/// let record = record! {
///     "Title" => "Quarterly report",
///     "Amount" => Decimal::try_from("1200.50").unwrap(),
///     "Count" => 3,
///     "Due" => Date::new(2024, 8, 1).unwrap(),
///     "Tags" => ["urgent", "finance"],
/// };
/// assert_eq!(
///     serde_json::to_value(&record).unwrap(),
///     serde_json::json!({
///         "Title": {"value": "Quarterly report"},
///         "Amount": {"value": "1200.50"},
///         "Count": {"value": "3"},
///         "Due": {"value": "2024-08-01"},
///         "Tags": {"value": ["urgent", "finance"]},
///     })
/// );
/// ```
///
/// # Panics
///
/// When one field code is given twice: the first value would otherwise be lost silently.
#[macro_export]
macro_rules! record {
    ($($code:expr => $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut record = $crate::RecordInput::new();
        $(
            let code = ::std::string::String::from($code);
            let previous = record.insert(code.clone(), $crate::FieldInput::from($value));
            assert!(previous.is_none(), "record!: the field code {code:?} is given twice");
        )*
        record
    }};
}

#[cfg(test)]
mod tests {
    use crate::{DateTime, FieldInput, FileRef, Time};

    #[test]
    fn values_choose_their_written_shape() {
        let time: Time = "09:30".parse().unwrap();
        let when: DateTime = "2024-08-01T09:30:00Z".parse().unwrap();
        let record = crate::record! {
            "Notes" => String::from("two\nlines"),
            "At" => time,
            "When" => when,
            "Cleared" => Option::<crate::Date>::None,
            "Files" => vec![FileRef::new("key-1")],
        };
        assert_eq!(
            serde_json::to_value(&record).unwrap(),
            serde_json::json!({
                "Notes": {"value": "two\nlines"},
                "At": {"value": "09:30"},
                "When": {"value": "2024-08-01T09:30:00Z"},
                "Cleared": {"value": ""},
                "Files": {"value": [{"fileKey": "key-1"}]},
            })
        );
        assert!(matches!(FieldInput::from(7u64), FieldInput::Number(_)));
    }

    #[test]
    #[should_panic(expected = "given twice")]
    fn a_field_code_given_twice_is_not_lost_silently() {
        let _ = crate::record! { "Title" => "a", "Title" => "b" };
    }
}

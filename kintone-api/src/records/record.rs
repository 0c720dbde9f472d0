//! Typed reads of record field values, so that callers need not match on every field type.

use crate::{Date, DateTime, Decimal, Entity, FieldValue, FileInfo, Text, Time};

impl FieldValue {
    /// The text of a field whose value is one string: single- and multi-line text, rich text,
    /// link, radio button, drop-down (when set), record number, calculated, status.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::SingleLineText(f) => Some(&f.value),
            FieldValue::MultiLineText(f) => Some(&f.value),
            FieldValue::RichText(f) => Some(&f.value),
            FieldValue::Link(f) => Some(&f.value),
            FieldValue::RadioButton(f) => Some(&f.value),
            FieldValue::DropDown(f) => f.value.as_deref(),
            FieldValue::RecordNumber(f) => Some(&f.value),
            FieldValue::Calc(f) => Some(&f.value),
            FieldValue::Status(f) => Some(&f.value),
            _ => None,
        }
    }

    /// A NUMBER field's exact value, when it has one.
    pub fn as_decimal(&self) -> Option<&Decimal> {
        match self {
            FieldValue::Number(f) => f.value.as_ref(),
            _ => None,
        }
    }

    /// The chosen options of a check box or multi-select, or a record's categories.
    pub fn as_list(&self) -> Option<&[Text]> {
        match self {
            FieldValue::CheckBox(f) => Some(&f.value),
            FieldValue::MultiSelect(f) => Some(&f.value),
            FieldValue::Category(f) => Some(&f.value),
            _ => None,
        }
    }

    /// The users, departments or groups of a selection field, or a status's assignees.
    pub fn as_entities(&self) -> Option<&[Entity]> {
        match self {
            FieldValue::UserSelect(f) => Some(&f.value),
            FieldValue::OrganizationSelect(f) => Some(&f.value),
            FieldValue::GroupSelect(f) => Some(&f.value),
            FieldValue::StatusAssignee(f) => Some(&f.value),
            _ => None,
        }
    }

    /// The creator or last modifier.
    pub fn as_entity(&self) -> Option<&Entity> {
        match self {
            FieldValue::Creator(f) => Some(&f.value),
            FieldValue::Modifier(f) => Some(&f.value),
            _ => None,
        }
    }

    /// A DATE field's value, when set.
    pub fn as_date(&self) -> Option<&Date> {
        match self {
            FieldValue::Date(f) => f.value.as_ref(),
            _ => None,
        }
    }

    /// A TIME field's value, when set.
    pub fn as_time(&self) -> Option<&Time> {
        match self {
            FieldValue::Time(f) => f.value.as_ref(),
            _ => None,
        }
    }

    /// A DATETIME field's value (when set), or a record's created or updated time.
    pub fn as_date_time(&self) -> Option<&DateTime> {
        match self {
            FieldValue::Datetime(f) => f.value.as_ref(),
            FieldValue::CreatedTime(f) => Some(&f.value),
            FieldValue::UpdatedTime(f) => Some(&f.value),
            _ => None,
        }
    }

    /// The attached files of a FILE field.
    pub fn as_files(&self) -> Option<&[FileInfo]> {
        match self {
            FieldValue::File(f) => Some(&f.value),
            _ => None,
        }
    }

    /// Whether kintone computes this value, so that it cannot be written back as it is.
    pub fn is_computed(&self) -> bool {
        matches!(
            self,
            FieldValue::Id(_)
                | FieldValue::Revision(_)
                | FieldValue::RecordNumber(_)
                | FieldValue::Calc(_)
                | FieldValue::Category(_)
                | FieldValue::Status(_)
                | FieldValue::StatusAssignee(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::{FieldValue, Record};

    #[test]
    fn typed_reads_follow_the_field_type() {
        let record: Record = serde_json::from_value(serde_json::json!({
            "Title": {"type": "SINGLE_LINE_TEXT", "value": "Report"},
            "Choice": {"type": "DROP_DOWN", "value": null},
            "Tags": {"type": "CHECK_BOX", "value": ["a", "b"]},
            "People": {"type": "USER_SELECT", "value": [{"code": "sato", "name": "Sato"}]},
            "Calc": {"type": "CALC", "value": "42"},
            "Files": {"type": "FILE", "value": [{"contentType": "text/plain", "fileKey": "k", "name": "a.txt", "size": "12"}]}
        }))
        .unwrap();
        assert_eq!(record["Title"].as_text(), Some("Report"));
        assert_eq!(record["Choice"].as_text(), None);
        assert_eq!(
            record["Tags"].as_list(),
            Some(&[crate::Text::from("a"), crate::Text::from("b")][..])
        );
        assert_eq!(record["People"].as_entities().unwrap()[0].code, "sato");
        assert_eq!(record["Title"].as_list(), None);
        assert!(record["Calc"].is_computed() && !record["Title"].is_computed());
        assert_eq!(record["Files"].as_files().unwrap()[0].size, Some(12));
        assert!(matches!(record["Title"], FieldValue::SingleLineText(_)));
    }
}

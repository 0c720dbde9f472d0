//! Values of the legacy Get Form (`form.json`) that no generated type can hold.

use serde::{Deserialize, Serialize};

/// A field's default value in the legacy form: a string, or a list of strings for the fields
/// that hold several values (check boxes, multi-choice). Get Form Fields types each field's
/// default value instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LegacyDefaultValue {
    /// One value.
    Text(String),
    /// The values of a field that holds several.
    List(Vec<String>),
}

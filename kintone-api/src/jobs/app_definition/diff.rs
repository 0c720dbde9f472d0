//! What differs between two definitions, as a list of changes a person can read: each names
//! the place (`views."All records".sort`) and the values on either side.

use std::fmt;

use serde_json::Value;

use super::AppDefinition;

/// The changes that turn one definition into another; empty when they are equal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DefinitionDiff {
    changes: Vec<Change>,
}

/// One difference between two definitions.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Change {
    /// Only the second definition has this.
    Added {
        /// Where, such as `fields.Amount`.
        path: String,
        /// The value added.
        value: Value,
    },
    /// Only the first definition has this.
    Removed {
        /// Where.
        path: String,
        /// The value removed.
        value: Value,
    },
    /// Both have it, with different values.
    Changed {
        /// Where.
        path: String,
        /// The first definition's value.
        from: Value,
        /// The second definition's value.
        to: Value,
    },
}

impl Change {
    /// Where the change is, such as `views."All records".sort`.
    pub fn path(&self) -> &str {
        match self {
            Self::Added { path, .. } | Self::Removed { path, .. } | Self::Changed { path, .. } => {
                path
            }
        }
    }
}

impl DefinitionDiff {
    /// Whether the two definitions are equal.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes, ordered by their path's keys.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }
}

impl fmt::Display for DefinitionDiff {
    /// One line per change: `+ path: value`, `- path: value`, `~ path: from -> to`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for change in &self.changes {
            match change {
                Change::Added { path, value } => writeln!(f, "+ {path}: {value}")?,
                Change::Removed { path, value } => writeln!(f, "- {path}: {value}")?,
                Change::Changed { path, from, to } => writeln!(f, "~ {path}: {from} -> {to}")?,
            }
        }
        Ok(())
    }
}

impl AppDefinition {
    /// What changes turn this definition into `other`; empty exactly when the two are equal.
    pub fn diff(&self, other: &AppDefinition) -> DefinitionDiff {
        let mut diff = DefinitionDiff::default();
        if self == other {
            return diff;
        }
        // A value this version cannot write (a kind kintone added since, see
        // `DefinitionError::Unrepresentable`) is shown by why it cannot be.
        let as_value = |definition: &AppDefinition| {
            serde_json::to_value(definition)
                .unwrap_or_else(|e| Value::String(format!("(a value that cannot be written: {e})")))
        };
        let (from, to) = (as_value(self), as_value(other));
        compare(&mut diff.changes, String::new(), &from, &to);
        if diff.changes.is_empty() {
            // They differ only in values that cannot be written, which read alike.
            diff.changes.push(Change::Changed {
                path: String::new(),
                from,
                to,
            });
        }
        diff
    }
}

fn compare(changes: &mut Vec<Change>, path: String, from: &Value, to: &Value) {
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let here = join(&path, key);
                match b.get(key) {
                    Some(other) => compare(changes, here, value, other),
                    None => changes.push(Change::Removed {
                        path: here,
                        value: value.clone(),
                    }),
                }
            }
            for (key, value) in b {
                if !a.contains_key(key) {
                    changes.push(Change::Added {
                        path: join(&path, key),
                        value: value.clone(),
                    });
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, value) in a.iter().enumerate() {
                let here = format!("{path}[{i}]");
                match b.get(i) {
                    Some(other) => compare(changes, here, value, other),
                    None => changes.push(Change::Removed {
                        path: here,
                        value: value.clone(),
                    }),
                }
            }
            for (i, value) in b.iter().enumerate().skip(a.len()) {
                changes.push(Change::Added {
                    path: format!("{path}[{i}]"),
                    value: value.clone(),
                });
            }
        }
        _ if from != to => changes.push(Change::Changed {
            path,
            from: from.clone(),
            to: to.clone(),
        }),
        _ => {}
    }
}

/// A path with one more key: bare when it is a plain identifier, quoted otherwise.
fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
    let key = if plain {
        key.to_string()
    } else {
        Value::String(key.to_string()).to_string()
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes(from: Value, to: Value) -> String {
        let mut out = Vec::new();
        compare(&mut out, String::new(), &from, &to);
        DefinitionDiff { changes: out }.to_string()
    }

    #[test]
    fn keys_that_are_not_identifiers_are_quoted_and_arrays_indexed() {
        let text = changes(
            json!({"views": {"All records": {"sort": "a"}}, "layout": [1, 2]}),
            json!({"views": {"All records": {"sort": "b"}}, "layout": [1], "x": true}),
        );
        assert_eq!(
            text,
            "- layout[1]: 2\n~ views.\"All records\".sort: \"a\" -> \"b\"\n+ x: true\n"
        );
    }

    #[test]
    fn equal_values_have_no_changes() {
        assert_eq!(
            changes(json!({"a": [1, {"b": 2}]}), json!({"a": [1, {"b": 2}]})),
            ""
        );
    }
}

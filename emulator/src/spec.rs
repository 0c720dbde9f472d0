//! The operations the emulator serves, read through the generator's model of the same bundled
//! spec the client is generated from, so both sides agree on every path, method and flag.

use std::sync::OnceLock;

use kintone_codegen::model::{Method, Operation};

/// The bundled spec (`cargo xtask regenerate` writes it from `spec/kintone.yaml` and its family
/// files) that the client is generated from.
const SPEC_YAML: &str = include_str!("../../spec/kintone.bundled.yaml");

/// One operation of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecOperation {
    pub method: String,
    /// The path after `/k/v1`, such as `/records.json`.
    pub path: String,
    pub operation_id: String,
    pub guest_space: bool,
    pub bulk: bool,
}

impl From<&Operation> for SpecOperation {
    fn from(op: &Operation) -> Self {
        let method = match op.method {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        };
        SpecOperation {
            method: method.to_string(),
            // The model's paths are relative to the server URL; requests carry them absolute.
            path: format!("/{}", op.path),
            operation_id: op.id.clone(),
            guest_space: op.guest_space,
            bulk: op.bulk,
        }
    }
}

/// Every operation of the spec, in the generator's order: paths as the spec lists them.
pub fn operations() -> Vec<SpecOperation> {
    static OPERATIONS: OnceLock<Vec<SpecOperation>> = OnceLock::new();
    OPERATIONS
        .get_or_init(|| {
            kintone_codegen::parse(SPEC_YAML)
                .expect("the bundled spec is what the client is generated from, so it parses")
                .operations
                .iter()
                .map(SpecOperation::from)
                .collect()
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::SpecOperation;

    #[test]
    fn every_spec_operation_is_read_and_implemented() {
        let ops = super::operations();
        assert!(ops.len() >= 19);
        let implemented: std::collections::BTreeSet<&str> =
            crate::handlers::IMPLEMENTED.iter().copied().collect();
        for op in &ops {
            assert!(
                implemented.contains(op.operation_id.as_str()),
                "{} has no handler",
                op.operation_id
            );
        }
    }

    #[test]
    fn operations_carry_absolute_paths_upper_case_methods_and_the_spec_flags() {
        let ops = super::operations();
        let find = |id: &str| ops.iter().find(|o| o.operation_id == id).unwrap().clone();
        assert_eq!(
            find("getRecordsByCursor"),
            SpecOperation {
                method: "GET".into(),
                path: "/records/cursor.json".into(),
                operation_id: "getRecordsByCursor".into(),
                guest_space: true,
                bulk: false,
            }
        );
        let add = find("addRecord");
        assert_eq!(
            (add.method.as_str(), add.path.as_str()),
            ("POST", "/record.json")
        );
        assert!(add.bulk);
        assert!(find("updateRecordAssignees").bulk);
        assert!(!find("bulkRequest").bulk);
        assert_eq!(find("deleteRecords").method, "DELETE");
        assert_eq!(find("updateRecordsStatus").method, "PUT");
    }
}

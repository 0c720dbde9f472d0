//! The operations the emulator serves, read from the same spec as the client.

/// The spec the client is generated from.
pub const SPEC_YAML: &str = include_str!("../../spec/kintone.yaml");

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

/// Every operation of the spec, in document order.
pub fn operations() -> Vec<SpecOperation> {
    let doc: serde_yaml::Value = serde_yaml::from_str(SPEC_YAML).expect("the spec is valid YAML");
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(|p| p.as_mapping()) else {
        return out;
    };
    for (path, item) in paths {
        let (Some(path), Some(item)) = (path.as_str(), item.as_mapping()) else {
            continue;
        };
        for (method, op) in item {
            let Some(method) = method.as_str() else {
                continue;
            };
            let Some(id) = op.get("operationId").and_then(|v| v.as_str()) else {
                continue;
            };
            let flag = |k: &str| op.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
            out.push(SpecOperation {
                method: method.to_ascii_uppercase(),
                path: path.to_string(),
                operation_id: id.to_string(),
                guest_space: flag("x-kintone-guest-space"),
                bulk: flag("x-kintone-bulk"),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
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
}

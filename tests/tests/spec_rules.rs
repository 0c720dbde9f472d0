//! Rules the spec itself must keep, beyond what the generator checks.

use std::collections::BTreeMap;

/// Types the hand-written runtime names. Each must be pinned with `x-rust-name`, so that renaming
/// its schema in the spec cannot rename (and so break) what the runtime relies on.
const RUNTIME_TYPES: &[&str] = &[
    "ErrorBody",
    "BulkErrorBody",
    "BulkRequestItem",
    "BulkRequestItemMethod",
    "CursorId",
    "Record",
    "RecordInput",
    "FieldValue",
    "FieldInput",
    "Entity",
    "FileInfo",
    "SubtableRow",
    "FieldErrors",
];

fn collect_pins(value: &serde_yaml::Value, pins: &mut BTreeMap<String, usize>) {
    match value {
        serde_yaml::Value::Mapping(map) => {
            for (key, child) in map {
                if key.as_str() == Some("x-rust-name") {
                    if let Some(name) = child.as_str() {
                        *pins.entry(name.to_string()).or_default() += 1;
                    }
                }
                collect_pins(child, pins);
            }
        }
        serde_yaml::Value::Sequence(items) => items.iter().for_each(|i| collect_pins(i, pins)),
        _ => {}
    }
}

#[test]
fn names_the_runtime_relies_on_are_pinned_in_the_spec() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/kintone.bundled.yaml");
    let doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(root).unwrap()).unwrap();
    let mut pins = BTreeMap::new();
    collect_pins(&doc, &mut pins);
    for name in RUNTIME_TYPES {
        assert_eq!(
            pins.get(*name),
            Some(&1),
            "{name} is used by hand-written code: pin it once with x-rust-name"
        );
    }
}

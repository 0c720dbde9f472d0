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
    "DeployTarget",
    "DeployStatus",
    "AppDeployStatus",
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

/// The emulator enforces the same limits the client checks: both come from the spec.
#[test]
fn the_emulator_enforces_the_limits_the_client_is_generated_with() {
    use kintone_api::limits::*;
    let emulator = kintone_emulator::limits();
    let pairs = [
        (
            "records per write",
            emulator.records_per_write,
            MAX_RECORDS_PER_WRITE,
        ),
        ("bulk requests", emulator.bulk_requests, MAX_BULK_REQUESTS),
        (
            "cursor page size",
            emulator.cursor_page_size,
            MAX_CURSOR_PAGE_SIZE,
        ),
        (
            "comments per read",
            emulator.comments_per_read,
            MAX_COMMENTS_PER_READ,
        ),
        (
            "records per page",
            emulator.records_per_page,
            MAX_RECORDS_PER_PAGE,
        ),
        ("query offset", emulator.query_offset, MAX_QUERY_OFFSET),
        ("assignees", emulator.assignees, MAX_ASSIGNEES),
        (
            "concurrent requests",
            emulator.concurrent_requests,
            MAX_CONCURRENT_REQUESTS,
        ),
        ("open cursors", emulator.open_cursors, MAX_OPEN_CURSORS),
    ];
    for (what, emulated, specified) in pairs {
        assert_eq!(
            emulated, specified,
            "{what}: the emulator and the spec differ"
        );
    }
    assert_eq!(
        emulator.cursor_lifetime.as_secs(),
        CURSOR_LIFETIME_SECONDS as u64
    );
    assert_eq!(
        emulator.upload_retention.as_secs(),
        UPLOAD_RETENTION_SECONDS as u64
    );
    let defaults = kintone_emulator::Config::default();
    assert_eq!(defaults.concurrency_limit, MAX_CONCURRENT_REQUESTS);
    assert_eq!(defaults.max_cursors, MAX_OPEN_CURSORS);
}

//! The whole documented API is described: every operation of kintone's own OpenAPI description
//! (tests/fixtures/official-operations.txt) is in the bundle with its method, path and kintone's
//! operationId; the client is generated with each and the emulator serves each.

use std::collections::{BTreeMap, BTreeSet};

const OFFICIAL: &str = include_str!("../../fixtures/official-operations.txt");

/// (method, path under /k/v1) → kintone's operationId, from the fixture.
fn official() -> BTreeMap<(String, String), String> {
    OFFICIAL
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [path, method, id] = parts[..] else {
                panic!("not `path method id`: {line}");
            };
            ((method.to_string(), path.to_string()), id.to_string())
        })
        .collect()
}

/// (method, path) → (our operationId, kintone's operationId), from the bundle.
fn described() -> BTreeMap<(String, String), (String, String)> {
    let doc = kintone_tests::bundled_spec();
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(id) = op.get("operationId").and_then(|v| v.as_str()) else {
                continue;
            };
            let official = op["x-kintone-official-operation-id"]
                .as_str()
                .unwrap_or_else(|| panic!("{id} has no x-kintone-official-operation-id"));
            out.insert(
                (method.to_uppercase(), path.clone()),
                (id.to_string(), official.to_string()),
            );
        }
    }
    out
}

#[test]
fn every_operation_kintone_documents_is_described_under_its_official_id() {
    let official = official();
    assert_eq!(
        official.len(),
        102,
        "kintone's description has 102 operations"
    );
    let described = described();
    let mut missing = Vec::new();
    let mut misnamed = Vec::new();
    for ((method, path), id) in &official {
        match described.get(&(method.clone(), path.clone())) {
            None => missing.push(format!("{method} {path} ({id})")),
            Some((_, ours)) if ours != id => {
                misnamed.push(format!("{method} {path}: {ours}, kintone says {id}"))
            }
            Some(_) => {}
        }
    }
    assert!(missing.is_empty(), "not described: {missing:#?}");
    assert!(
        misnamed.is_empty(),
        "official ids that differ: {misnamed:#?}"
    );
}

/// What the spec describes beyond kintone's description is only the API schema pair, which
/// kintone documents on its site but leaves out of its OpenAPI file.
#[test]
fn the_spec_adds_only_the_schema_apis() {
    let official = official();
    let extra: BTreeSet<String> = described()
        .into_iter()
        .filter(|(key, _)| !official.contains_key(key))
        .map(|((method, path), (id, official))| format!("{method} {path} {id} {official}"))
        .collect();
    assert_eq!(
        extra,
        BTreeSet::from([
            "GET /apis.json getApis none".to_string(),
            "GET /apis/{apiId}.json getApiSchema none".to_string(),
            // kintone's update notes and js-sdk documentation: an API Lab feature.
            "POST /search.json search none".to_string(),
        ])
    );
}

/// Every described operation is generated into the client (its request type names the same
/// operationId) and served by the emulator.
#[test]
fn every_described_operation_is_served_by_the_emulator() {
    let served: BTreeSet<&str> = kintone_emulator::IMPLEMENTED.iter().copied().collect();
    let unserved: Vec<String> = described()
        .into_values()
        .map(|(id, _)| id)
        .filter(|id| !served.contains(id.as_str()))
        .collect();
    assert!(
        unserved.is_empty(),
        "the emulator does not serve {unserved:?}"
    );
}

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
    let doc = bundle();
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

fn bundle() -> serde_yaml::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/kintone.bundled.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every operation of the bundle, as `(method, path, operation)`.
fn operations(doc: &serde_yaml::Value) -> Vec<(String, String, serde_yaml::Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_mapping().unwrap() {
        for (method, op) in item.as_mapping().unwrap() {
            out.push((
                method.as_str().unwrap().to_string(),
                path.as_str().unwrap().to_string(),
                op.clone(),
            ));
        }
    }
    out
}

/// Resolves a local `$ref` of the bundle, or gives the value itself.
fn resolved<'d>(doc: &'d serde_yaml::Value, value: &'d serde_yaml::Value) -> &'d serde_yaml::Value {
    match value.get("$ref").and_then(|r| r.as_str()) {
        Some(reference) => reference
            .trim_start_matches("#/")
            .split('/')
            .fold(doc, |node, key| &node[key]),
        None => value,
    }
}

/// Seed facts the spec states in words (O4, O5, O8, O10, O29): the words stay.
#[test]
fn request_header_rules_stay_stated() {
    let doc = bundle();
    // Compared with line breaks read as spaces: the description is wrapped.
    let info = doc["info"]["description"].as_str().unwrap();
    let info = info.split_whitespace().collect::<Vec<_>>().join(" ");
    for (fact, words) in [
        (
            "O4: Host on both server forms",
            "{subdomain}.cybozu.com:443",
        ),
        (
            "O4: Host on both server forms",
            "{subdomain}.kintone.com:443",
        ),
        (
            "O5: Content-Type only with a body",
            "sends no `Content-Type`",
        ),
        (
            "O8: X-Requested-With's value",
            "X-Requested-With: XMLHttpRequest",
        ),
        (
            "O10: Accept-Language for the whole response",
            "language of the whole response",
        ),
        (
            "O29: lookups written by key",
            "Lookup fields can be written through the API only",
        ),
        (
            "O3: guest users cannot call the REST API",
            "Guest users themselves cannot call the REST API",
        ),
        (
            "O26: requests per app per day",
            "10,000 requests per app per day (some operations are not counted)",
        ),
        (
            "O32: IP address restrictions",
            "Where IP address restrictions are set, only approved addresses succeed",
        ),
        (
            "O34: kintone.api() hands over the body alone",
            "`kintone.api()` hands its callback the response body alone",
        ),
    ] {
        assert!(
            info.contains(words),
            "{fact}: the spec's info no longer says {words:?}"
        );
    }
}

/// Every answer carries the concurrency headers (declared required), every operation declares
/// the non-JSON pages kintone may answer with (503, 520), and every POST operation declares the
/// method override header (O9).
#[test]
fn every_operation_declares_what_every_answer_carries() {
    let doc = bundle();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_default().to_string();
        for (status, response) in op["responses"].as_mapping().unwrap() {
            let response = resolved(&doc, response);
            for header in ["X-ConcurrencyLimit-Limit", "X-ConcurrencyLimit-Running"] {
                let declared = resolved(&doc, &response["headers"][header]);
                assert_eq!(
                    declared["required"].as_bool(),
                    Some(true),
                    "{id} {status:?}: {header} is not declared as always present"
                );
            }
        }
        for status in ["503", "520"] {
            let response = resolved(&doc, &op["responses"][status]);
            assert!(
                response["content"]["text/html"].is_mapping(),
                "{id} ({method} {path}): no text/html page declared for {status}"
            );
        }
        if method == "post" {
            let params = op["parameters"].as_sequence().cloned().unwrap_or_default();
            assert!(
                params
                    .iter()
                    .any(|p| resolved(&doc, p)["name"].as_str() == Some("X-HTTP-Method-Override")),
                "{id}: a POST operation without the declared X-HTTP-Method-Override"
            );
        }
    }
}

/// kintone names its preview operations apart from the live ones (`getPreviewAppFormFields`
/// beside `getAppFormFields`): every preview twin carries an official id of its own.
#[test]
fn preview_twins_carry_kintones_own_id_of_the_preview_operation() {
    let doc = bundle();
    let ops = operations(&doc);
    let official = |op: &serde_yaml::Value| {
        op["x-kintone-official-operation-id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let mut twins = 0;
    for (_, path, twin) in &ops {
        let Some(of) = twin["x-kintone-preview-of"].as_str() else {
            continue;
        };
        twins += 1;
        let (_, _, live) = ops
            .iter()
            .find(|(_, _, op)| op["operationId"].as_str() == Some(of))
            .unwrap_or_else(|| panic!("{path}: no live operation {of}"));
        assert!(!official(twin).is_empty(), "{path}: no official id");
        assert_ne!(
            official(twin),
            official(live),
            "{path}: the preview twin repeats the official id of {of}"
        );
        assert!(
            official(twin).contains("Preview"),
            "{path}: {} does not name a preview operation",
            official(twin)
        );
    }
    assert!(twins >= 20, "only {twins} preview twins found");
}

/// The keys an OpenAPI 3.0 Schema Object may hold, besides extensions.
const SCHEMA_KEYWORDS: &[&str] = &[
    "$ref",
    "title",
    "description",
    "type",
    "format",
    "enum",
    "default",
    "example",
    "nullable",
    "readOnly",
    "writeOnly",
    "deprecated",
    "externalDocs",
    "xml",
    "discriminator",
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
];

fn check_schema(schema: &serde_yaml::Value, at: &str, bad: &mut Vec<String>) {
    let Some(map) = schema.as_mapping() else {
        return;
    };
    for (key, child) in map {
        let key = key.as_str().unwrap_or_default();
        if !key.starts_with("x-") && !SCHEMA_KEYWORDS.contains(&key) {
            bad.push(format!("{at}: {key:?}"));
        }
        match key {
            "properties" => {
                for (name, property) in child.as_mapping().into_iter().flatten() {
                    let name = name.as_str().unwrap_or_default();
                    check_schema(property, &format!("{at}/properties/{name}"), bad);
                }
            }
            "items" | "additionalProperties" | "not" => {
                check_schema(child, &format!("{at}/{key}"), bad)
            }
            "allOf" | "oneOf" | "anyOf" => {
                for (i, part) in child.as_sequence().into_iter().flatten().enumerate() {
                    check_schema(part, &format!("{at}/{key}/{i}"), bad);
                }
            }
            _ => {}
        }
    }
}

fn find_schemas(value: &serde_yaml::Value, at: &str, bad: &mut Vec<String>) {
    match value {
        serde_yaml::Value::Mapping(map) => {
            for (key, child) in map {
                let key = key.as_str().unwrap_or_default();
                let here = format!("{at}/{key}");
                match key {
                    "schema" => check_schema(child, &here, bad),
                    // Example data is not described by the spec's keywords.
                    "example" | "examples" => {}
                    _ => find_schemas(child, &here, bad),
                }
            }
        }
        serde_yaml::Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                find_schemas(item, &format!("{at}[{i}]"), bad);
            }
        }
        _ => {}
    }
}

/// Every key of every schema is an OpenAPI keyword or an extension. A YAML flow mapping whose
/// unquoted description holds a comma turns the rest of the sentence into a key of its own,
/// which tools read as an unknown keyword; this finds it before the validators do.
#[test]
fn schemas_hold_only_openapi_keywords_and_extensions() {
    let doc = bundle();
    let mut bad = Vec::new();
    for (name, schema) in doc["components"]["schemas"]
        .as_mapping()
        .into_iter()
        .flatten()
    {
        let name = name.as_str().unwrap_or_default();
        check_schema(schema, &format!("#/components/schemas/{name}"), &mut bad);
    }
    find_schemas(&doc["paths"], "#/paths", &mut bad);
    for part in ["parameters", "responses", "headers", "requestBodies"] {
        find_schemas(
            &doc["components"][part],
            &format!("#/components/{part}"),
            &mut bad,
        );
    }
    assert!(
        bad.is_empty(),
        "keys that are not schema keywords: {bad:#?}"
    );
}

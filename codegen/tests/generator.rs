//! Snapshots of what the generator emits for small fixture specs, one per generator path, and
//! the rules it enforces on a spec.

use kintone_codegen::{generate, Error};

fn generated(fixture: &str) -> String {
    let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let spec = std::fs::read_to_string(path).unwrap();
    generate(&spec)
        .unwrap()
        .into_iter()
        .map(|f| format!("==> {} <==\n{}", f.path, f.contents))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Query parameters: indexed and repeated arrays, a header, numeric ids, enums, ranges, query
/// limits, the method-override constants.
#[test]
fn query_parameters() {
    insta::assert_snapshot!(generated("query_parameters.yaml"));
}

/// A JSON body: nested structs, one-of-required, item and length limits, bulk, error responses.
#[test]
fn json_body() {
    insta::assert_snapshot!(generated("json_body.yaml"));
}

/// A multipart upload and a binary download.
#[test]
fn files() {
    insta::assert_snapshot!(generated("files.yaml"));
}

/// Tagged unions read by their tag (unknown tags kept raw), and write-only unions without it.
#[test]
fn unions() {
    insta::assert_snapshot!(generated("unions.yaml"));
}

fn error_of(spec: &str) -> String {
    match generate(spec) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("the spec should be refused"),
    }
}

const OPERATION_WITHOUT: &str = r#"
openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /a.json:
    get:
      OPERATION_ID
      tags: [a]
      summary: A
      responses:
        '200': { description: ok, content: { application/json: { schema: { type: object } } } }
        ERRORS
"#;

#[test]
fn every_operation_needs_an_operation_id_and_error_responses() {
    let no_id = OPERATION_WITHOUT
        .replace("OPERATION_ID", "")
        .replace("ERRORS", "default: { description: e }");
    assert!(error_of(&no_id).contains("operationId"));
    let no_errors = OPERATION_WITHOUT
        .replace("OPERATION_ID", "operationId: a")
        .replace("ERRORS", "");
    assert!(error_of(&no_errors).contains("error responses"));
    let ok = OPERATION_WITHOUT
        .replace("OPERATION_ID", "operationId: a")
        .replace("ERRORS", "default: { description: e }");
    assert!(generate(&ok).is_ok());
}

#[test]
fn invalid_yaml_is_a_parse_error() {
    assert!(matches!(
        generate("openapi: [unclosed"),
        Err(Error::Parse(_))
    ));
}

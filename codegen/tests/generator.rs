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

const RUNTIME_TYPE: &str = r#"
openapi: 3.0.3
info: { title: t, version: "1" }
paths: {}
components:
  schemas:
    Cells:
      type: object
      additionalProperties: { type: string }
      x-kintone-runtime-type: RUNTIME
    Row:
      type: object
      required: [cells]
      properties:
        cells: { $ref: '#/components/schemas/Cells' }
        more: { type: array, items: { $ref: '#/components/schemas/Cells' } }
"#;

/// `x-kintone-runtime-type`: no type is emitted for the schema, only a re-export of the runtime's
/// own, which the types that use it name as usual.
#[test]
fn a_runtime_type_is_re_exported_not_emitted() {
    let types = |runtime: &str| {
        generate(&RUNTIME_TYPE.replace("RUNTIME", runtime))
            .unwrap()
            .into_iter()
            .find(|f| f.path == "types.rs")
            .unwrap()
            .contents
    };
    let same_name = types("Cells");
    assert!(same_name.contains("pub use crate::Cells;\n"), "{same_name}");
    assert!(!same_name.contains("pub type Cells") && !same_name.contains("struct Cells"));
    assert!(same_name.contains("pub cells: Cells,"), "{same_name}");
    assert!(
        same_name.contains("pub more: Option<Vec<Cells>>,"),
        "{same_name}"
    );
    assert!(types("RowCells").contains("pub use crate::RowCells as Cells;\n"));
    for bad in ["true", "crate::Cells", "''", "cells"] {
        let e = error_of(&RUNTIME_TYPE.replace("RUNTIME", bad));
        assert!(e.contains("x-kintone-runtime-type"), "{bad}: {e}");
    }
}

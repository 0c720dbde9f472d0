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

/// A JSON body: nested structs, one-of-required, item and length limits (checked inside maps
/// of structs too), bulk, error responses.
#[test]
fn json_body() {
    insta::assert_snapshot!(generated("json_body.yaml"));
}

/// A multipart upload and a binary download.
#[test]
fn files() {
    insta::assert_snapshot!(generated("files.yaml"));
}

/// A path parameter: left out of the body and the query, put into the path by `path()`, and
/// checked so that its value cannot name another path.
#[test]
fn path_parameters() {
    insta::assert_snapshot!(generated("path_parameters.yaml"));
}

#[test]
fn path_parameters_must_be_declared_required_and_used() {
    let spec = std::fs::read_to_string(format!(
        "{}/tests/fixtures/path_parameters.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let missing = spec.replace(
        "- { name: apiId, in: path, required: true, schema: { type: string } }\n",
        "",
    );
    let err = generate(&missing).unwrap_err().to_string();
    assert!(
        err.contains("names {apiId}, which no `in: path` parameter gives"),
        "{err}"
    );
    let optional = spec.replace("in: path, required: true", "in: path, required: false");
    let err = generate(&optional).unwrap_err().to_string();
    assert!(
        err.contains("the path parameter apiId must be required"),
        "{err}"
    );
    let elsewhere = spec.replace("/apis/{apiId}.json:", "/apis/{other}.json:");
    let err = generate(&elsewhere).unwrap_err().to_string();
    assert!(
        err.contains("the path parameter apiId is not in /apis/{other}.json"),
        "{err}"
    );
}

/// Tagged unions read by their tag (unknown tags kept raw), and write-only unions without it.
#[test]
fn unions() {
    insta::assert_snapshot!(generated("unions.yaml"));
}

/// `allOf` merged into one struct, `nullable` as `Option` (also through `allOf: [$ref]`),
/// `type: number`, unsigned integers, enum values that are digits or differ only in case, and
/// names pinned with `x-rust-name`.
#[test]
fn shapes() {
    insta::assert_snapshot!(generated("shapes.yaml"));
}

/// A tagged union whose options share keys through `allOf` (nested too) and state their tag on
/// an `allOf` part: the tag is found there, the shared keys are merged into each variant's
/// struct, one shape may serve two tags, and an option may hold the union again.
#[test]
fn tagged_options_sharing_keys_through_all_of() {
    insta::assert_snapshot!(generated("tagged_all_of.yaml"));
}

/// A live operation and its preview twin: one request type for both; the bundler's copy of
/// the twin is recognised and not generated twice.
#[test]
fn preview() {
    insta::assert_snapshot!(generated("preview.yaml"));
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
servers: [{ url: 'https://x.kintone.com/k/v1' }]
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

/// An answer with a reader of its own (`x-rust-response-reader`) is decoded by it; a reader
/// that is not a name, or on an answer that is not JSON, is refused.
#[test]
fn an_answer_with_its_own_reader_is_decoded_by_it() {
    let spec = |reader: &str| {
        OPERATION_WITHOUT
            .replace("OPERATION_ID", &format!("operationId: a\n      {reader}"))
            .replace("ERRORS", "default: { description: e }")
    };
    let code = |spec: &str| -> String {
        generate(spec)
            .unwrap()
            .into_iter()
            .map(|f| f.contents)
            .collect()
    };
    let read = code(&spec("x-rust-response-reader: from_json"));
    assert!(
        read.contains("crate::runtime::decode_json_with(response, AResponse::from_json)"),
        "{read}"
    );
    assert!(!code(&spec("")).contains("decode_json_with"));
    assert!(
        error_of(&spec("x-rust-response-reader: [from_json]")).contains("x-rust-response-reader")
    );
    let binary = spec("x-rust-response-reader: from_json").replace(
        "application/json: { schema: { type: object } }",
        "application/octet-stream: {}",
    );
    assert!(error_of(&binary).contains("for a JSON answer"));
}

#[test]
fn invalid_yaml_is_a_parse_error() {
    assert!(matches!(
        generate("openapi: [unclosed"),
        Err(Error::Spec(kintone_spec::Error::Parse(_)))
    ));
}

/// A spec with one schema section, for rule tests.
fn with_schemas(schemas: &str) -> String {
    format!(
        "openapi: 3.0.3\ninfo: {{ title: t, version: '1' }}\nservers: [{{ url: 'https://x.kintone.com/k/v1' }}]\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
    )
}

#[test]
fn enum_values_that_share_a_rust_name_are_refused_with_the_schema_named() {
    let found = error_of(&with_schemas(
        "    Order: { type: string, enum: [ASC, asc] }\n",
    ));
    assert!(
        found.contains("Order")
            && found.contains("\"ASC\" and \"asc\" both become the variant `Asc`"),
        "{found}"
    );
    let unnamed = error_of(&with_schemas("    Sign: { type: string, enum: ['+'] }\n"));
    assert!(
        unnamed.contains("Sign: value \"+\" gives no usable Rust name"),
        "{unnamed}"
    );
    let fallback = error_of(&with_schemas(
        "    State: { type: string, enum: [UNKNOWN] }\n",
    ));
    assert!(fallback.contains("State: value \"UNKNOWN\""), "{fallback}");
}

#[test]
fn a_generated_name_that_collides_with_another_schema_is_refused() {
    // `Owner.detail` would become `OwnerDetail`, which a component already is.
    let found = error_of(&with_schemas(
        "    Owner:\n      type: object\n      properties:\n        detail: { type: object, properties: { a: { type: string } } }\n    OwnerDetail: { type: object, properties: { b: { type: string } } }\n",
    ));
    assert!(
        found.contains("both become the Rust type `OwnerDetail`"),
        "{found}"
    );
    let pinned = error_of(&with_schemas(
        "    A: { type: object, x-rust-name: Same, properties: { a: { type: string } } }\n    B: { type: object, x-rust-name: Same, properties: { b: { type: string } } }\n",
    ));
    assert!(
        pinned.contains("both become the Rust type `Same`"),
        "{pinned}"
    );
}

#[test]
fn unknown_or_misplaced_extensions_are_refused_with_their_place() {
    let found = error_of(&with_schemas(
        "    A: { type: string, x-kintone-numerc: true }\n",
    ));
    assert!(
        found.contains("unknown extension x-kintone-numerc at /components/schemas/A"),
        "{found}"
    );
    let misplaced = error_of(&with_schemas(
        "    A: { type: string, x-kintone-guest-space: true }\n",
    ));
    assert!(
        misplaced.contains("x-kintone-guest-space does not belong on Schema"),
        "{misplaced}"
    );
}

#[test]
fn all_of_parts_that_disagree_on_a_property_are_refused() {
    let found = error_of(&with_schemas(
        "    A:\n      allOf:\n        - { type: object, properties: { a: { type: string } } }\n        - { type: object, properties: { a: { type: integer } } }\n",
    ));
    assert!(
        found.contains("A: property a is defined twice, differently"),
        "{found}"
    );
}

#[test]
fn a_named_limit_stated_twice_must_agree() {
    let found = error_of(&with_schemas(
        "    C:\n      type: object\n      properties:\n        a: { type: array, maxItems: 100, x-kintone-limit: MAX_WRITE, items: { type: string } }\n        b: { type: array, maxItems: 10, x-kintone-limit: MAX_WRITE, items: { type: string } }\n",
    ));
    assert!(found.contains("limit MAX_WRITE is 100"), "{found}");
}

#[test]
fn a_preview_copy_must_match_its_twin() {
    let spec = std::fs::read_to_string(format!(
        "{}/tests/fixtures/preview.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let wrong = spec.replace(
        "x-kintone-preview-of: getFormFields",
        "x-kintone-preview-of: getFormLayout",
    );
    assert!(error_of(&wrong).contains("getFormLayout, which does not exist"));
}

#[test]
fn a_spec_without_a_server_has_no_api_prefix() {
    let spec = with_schemas("    A: { type: string }\n")
        .replace("servers: [{ url: 'https://x.kintone.com/k/v1' }]\n", "");
    assert!(error_of(&spec).contains("no API prefix"));
}

const RUNTIME_TYPE: &str = r#"
openapi: 3.0.3
info: { title: t, version: "1" }
servers: [{ url: 'https://x.kintone.com/k/v1' }]
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
            .find(|f| f.path.ends_with("/types.rs"))
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

/// kintone's dates and times have their own format names; the standard ones, which other tools
/// read as RFC 3339 forms, are refused.
#[test]
fn standard_date_and_time_formats_are_refused() {
    for (format, hint) in [
        ("date", "kintone-date"),
        ("date-time", "kintone-datetime"),
        ("time", "kintone-time"),
    ] {
        let found = error_of(&with_schemas(&format!(
            "    A:\n      type: object\n      properties:\n        at: {{ type: string, format: {format} }}\n"
        )));
        assert!(
            found.contains("A.at") && found.contains(hint),
            "{format}: {found}"
        );
    }
}

/// `x-kintone-write-variants` must name shapes its `anyOf` lists, in its one form.
#[test]
fn write_variants_name_listed_shapes() {
    let spec = |variants: &str| {
        with_schemas(&format!(
            "    In:\n      anyOf:\n        - $ref: '#/components/schemas/T'\n      x-kintone-write-variants: {variants}\n    T: {{ type: object, required: [value], properties: {{ value: {{ type: string }} }} }}\n    U: {{ type: object, required: [value], properties: {{ value: {{ type: string }} }} }}\n"
        ))
    };
    assert!(generate(&spec("[{ TEXT: T }]")).is_ok());
    let unlisted = error_of(&spec("[{ TEXT: T }, { OTHER: U }]"));
    assert!(
        unlisted.contains("names U, which its anyOf does not list"),
        "{unlisted}"
    );
    let malformed = error_of(&spec("{ TEXT: T }"));
    assert!(malformed.contains("list of one-entry maps"), "{malformed}");
}

/// A discriminated `oneOf` has one inline option at most: the fallback for unknown tags.
#[test]
fn a_union_has_one_fallback_at_most() {
    let found = error_of(&with_schemas(
        "    V:\n      oneOf:\n        - $ref: '#/components/schemas/T'\n        - { type: object }\n        - { type: object }\n      discriminator: { propertyName: type, mapping: { A: '#/components/schemas/T' } }\n    T: { type: object, required: [type], properties: { type: { type: string, enum: [A] } } }\n",
    ));
    assert!(found.contains("one inline fallback at most"), "{found}");
}

/// A request-side alias (`anyOf: [$ref Id, integer]`) is the id type itself; an id with
/// `x-kintone-sentinel` is its own type with the sentinel as a constant, and 0 is still refused.
#[test]
fn aliases_and_sentinels_of_ids() {
    let spec = with_schemas(
        "    Rev: { type: string, pattern: '^[1-9][0-9]*$', x-kintone-numeric: true }\n    Expected:\n      type: string\n      x-kintone-numeric: true\n      x-kintone-sentinel: { value: -1, name: ANY, of: Rev, description: No check. }\n    ExpectedIn:\n      anyOf:\n        - $ref: '#/components/schemas/Expected'\n        - { type: integer, minimum: -1 }\n    Write:\n      type: object\n      properties:\n        revision: { $ref: '#/components/schemas/ExpectedIn' }\n",
    );
    let types = generate(&spec)
        .unwrap()
        .into_iter()
        .find(|f| f.path.ends_with("/types.rs"))
        .unwrap()
        .contents;
    assert!(types.contains("pub revision: Option<Expected>,"), "{types}");
    assert!(!types.contains("ExpectedIn"), "{types}");
    assert!(
        types.contains("pub const ANY: Self = Self(-1i64);"),
        "{types}"
    );
    assert!(types.contains("impl From<Rev> for Expected"), "{types}");
    assert!(
        types.contains("check_id(\"revision\", value.get().unsigned_abs())"),
        "{types}"
    );
    let bad = error_of(&spec.replace("value: -1", "value: 1"));
    assert!(
        bad.contains("x-kintone-sentinel needs a negative integer"),
        "{bad}"
    );
}

/// An operation's body as a schema (`x-kintone-body-of`) emits no type of its own, and must name
/// an operation; an `anyOf` of such bodies (a bulk payload) is any JSON object to Rust.
#[test]
fn bodies_of_operations_and_choices_between_them() {
    let spec = OPERATION_WITHOUT
        .replace("OPERATION_ID", "operationId: a")
        .replace("ERRORS", "default: { description: e }")
        + "components:\n  schemas:\n    ABody:\n      x-kintone-body-of: a\n      type: object\n      properties: { x: { type: string } }\n    Item:\n      type: object\n      properties:\n        payload:\n          anyOf:\n            - $ref: '#/components/schemas/ABody'\n";
    let types = generate(&spec)
        .unwrap()
        .into_iter()
        .find(|f| f.path.ends_with("/types.rs"))
        .unwrap()
        .contents;
    assert!(!types.contains("ABody"), "{types}");
    assert!(
        types.contains("pub payload: Option<::serde_json::Map<String, ::serde_json::Value>>"),
        "{types}"
    );
    let wrong = error_of(&spec.replace("x-kintone-body-of: a", "x-kintone-body-of: b"));
    assert!(
        wrong.contains("names b, which is not an operation"),
        "{wrong}"
    );
}

/// With `x-kintone-tagged-by`, one option at most states no tag: the fallback.
#[test]
fn a_tagged_union_has_one_fallback_at_most() {
    let found = error_of(&with_schemas(
        "    V:\n      oneOf:\n        - $ref: '#/components/schemas/T'\n        - $ref: '#/components/schemas/F'\n        - $ref: '#/components/schemas/G'\n      x-kintone-tagged-by: type\n    T: { type: object, required: [type], properties: { type: { type: string, enum: [A] } } }\n    F: { type: object, properties: { type: { type: string } } }\n    G: { type: object, properties: { type: { type: string } } }\n",
    ));
    assert!(
        found.contains("two options state no `type` enum"),
        "{found}"
    );
}

/// With the tag on an `allOf` part, two options that state no tag are still two fallbacks.
#[test]
fn a_tag_on_an_all_of_part_counts_and_two_untagged_options_do_not() {
    let spec = |second: &str| {
        with_schemas(&format!(
            "    V:\n      oneOf:\n        - $ref: '#/components/schemas/T'\n        - $ref: '#/components/schemas/{second}'\n        - $ref: '#/components/schemas/F'\n      x-kintone-tagged-by: type\n    B: {{ type: object, properties: {{ code: {{ type: string }} }} }}\n    T:\n      allOf:\n        - $ref: '#/components/schemas/B'\n        - {{ type: object, required: [type], properties: {{ type: {{ type: string, enum: [A] }} }} }}\n    U:\n      allOf:\n        - $ref: '#/components/schemas/B'\n        - {{ type: object, properties: {{ type: {{ type: string }} }} }}\n    F: {{ type: object, properties: {{ type: {{ type: string, not: {{ enum: [A] }} }} }} }}\n"
        ))
    };
    let found = error_of(&spec("U"));
    assert!(
        found.contains("two options state no `type` enum"),
        "{found}"
    );
}

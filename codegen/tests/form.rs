//! The form generator (`kintone-form`): a snapshot per fixture form, every field type among them,
//! and the same output whatever the order of the form's JSON.

use std::collections::BTreeMap;

use kintone_codegen::form::{generate_form, FormError, FormOptions};

fn options(name: &str, source: &str) -> FormOptions {
    FormOptions {
        struct_name: name.into(),
        source: source.into(),
        renames: BTreeMap::new(),
    }
}

const EVERY_FIELD: &str = include_str!("fixtures/forms/every_field.json");
const NAMES_AND_LOOKUPS: &str = include_str!("fixtures/forms/names_and_lookups.json");

#[test]
fn every_field_type() {
    let module = generate_form(EVERY_FIELD, &options("Order", "app 1 (Orders)")).unwrap();
    insta::assert_snapshot!("every_field", module);
}

#[test]
fn names_lookups_and_fields_not_in_records() {
    let mut options = options("Customer", "app 2");
    options
        .renames
        .insert("顧客名".into(), "customer_code".into());
    let module = generate_form(NAMES_AND_LOOKUPS, &options).unwrap();
    insta::assert_snapshot!("names_and_lookups", module);
}

#[test]
fn the_order_of_the_forms_json_does_not_matter() {
    // The same properties written in reverse order, and without the answer's wrapper.
    let form: serde_json::Value = serde_json::from_str(EVERY_FIELD).unwrap();
    let properties = form["properties"].as_object().unwrap();
    let reversed: Vec<String> = properties
        .iter()
        .rev()
        .map(|(code, property)| format!("{}:{}", serde_json::json!(code), property))
        .collect();
    let reversed = format!(
        "{{\"properties\":{{{}}},\"revision\":\"12\"}}",
        reversed.join(",")
    );
    let options = options("Order", "app 1 (Orders)");
    assert_eq!(
        generate_form(&reversed, &options).unwrap(),
        generate_form(EVERY_FIELD, &options).unwrap()
    );
}

#[test]
fn bad_input_is_refused_with_the_reason() {
    let unknown = r#"{"properties": {"X": {"type": "HOLOGRAM", "code": "X"}}}"#;
    assert!(matches!(
        generate_form(unknown, &options("App", "app 1")),
        Err(FormError::UnknownType { code, field_type }) if code == "X" && field_type == "HOLOGRAM"
    ));
    assert!(matches!(
        generate_form("{}", &options("not a name", "app 1")),
        Err(FormError::StructName(_))
    ));
    assert!(matches!(
        generate_form("[1]", &options("App", "app 1")),
        Err(FormError::Json(_))
    ));
    let mut bad_rename = options("App", "app 1");
    bad_rename.renames.insert("X".into(), "not a name".into());
    assert!(matches!(
        generate_form("{}", &bad_rename),
        Err(FormError::Rename { .. })
    ));
}

#[test]
fn the_command_writes_the_module_of_a_form_file() {
    let dir = std::env::temp_dir().join(format!("kintone-form-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("order.rs");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kintone-form"))
        .args(["--json", "tests/fixtures/forms/names_and_lookups.json"])
        .args(["--name", "Customer", "--rename", "顧客名=customer_code"])
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let mut expected = options("Customer", "the form `names_and_lookups.json`");
    expected
        .renames
        .insert("顧客名".into(), "customer_code".into());
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        generate_form(NAMES_AND_LOOKUPS, &expected).unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();

    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_kintone-form"))
        .args(["--app", "1"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("give either --json FILE"));
}

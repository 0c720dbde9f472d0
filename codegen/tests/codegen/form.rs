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

const EVERY_FIELD: &str = include_str!("../fixtures/forms/every_field.json");
const NAMES_AND_LOOKUPS: &str = include_str!("../fixtures/forms/names_and_lookups.json");

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

/// Every field type of the spec's table (`x-kintone-field-type`) that a form can hold has a Rust
/// type in the generator, and a computed type is documented as such: the generator is held to
/// the table, so a type added to the spec cannot be left out silently.
#[test]
fn every_field_type_of_the_specs_table_is_generated() {
    let api = kintone_spec::bundled();
    let mut properties = serde_json::Map::new();
    for t in &api.field_types {
        // The record id and revision are not form fields; a table needs fields of its own.
        if t.name.starts_with("__") || t.name == "SUBTABLE" {
            continue;
        }
        let code = format!("f_{}", t.name.to_lowercase());
        properties.insert(
            code.clone(),
            serde_json::json!({ "type": t.name, "code": code, "label": t.name }),
        );
    }
    let form = serde_json::json!({ "properties": properties }).to_string();
    let module = generate_form(&form, &options("Every", "the spec's table")).unwrap();
    for t in &api.field_types {
        if t.name.starts_with("__") || t.name == "SUBTABLE" {
            continue;
        }
        let code = format!("f_{}", t.name.to_lowercase());
        let lines: Vec<&str> = module.lines().collect();
        let at = lines
            .iter()
            .position(|line| line.contains(&format!("code = \"{code}\"")))
            .unwrap_or_else(|| panic!("{} has no field in\n{module}", t.name));
        // The field's documentation: the comment lines right above its attribute.
        let documented_computed = lines[..at]
            .iter()
            .rev()
            .take_while(|line| line.trim_start().starts_with("///"))
            .any(|line| line.contains("computed by kintone"));
        assert_eq!(documented_computed, t.computed, "{}", t.name);
        // The field's Rust type is the spec's (`rust-type`), as prettyplease writes it.
        let rust_type = t
            .rust_type
            .as_deref()
            .expect("a form field's type has a Rust type");
        let declared = lines[at + 1..]
            .iter()
            .find(|line| line.contains(&format!("pub f_{}:", t.name.to_lowercase())))
            .unwrap_or_else(|| panic!("{} has no declaration", t.name));
        assert!(
            declared.trim_end().ends_with(&format!(": {rust_type},")),
            "{}: {declared} is not {rust_type}",
            t.name
        );
    }
}

/// A field whose `format` setting changes its Rust type (a CALC formatted as a date computes
/// text) takes the spec's `rust-type-by-format`.
#[test]
fn a_calc_field_takes_the_rust_type_of_its_format() {
    let calc = kintone_spec::bundled().field_type("CALC").unwrap();
    assert!(!calc.rust_type_by_format.is_empty());
    for (format, rust_type) in calc
        .rust_type_by_format
        .iter()
        .map(|(f, t)| (Some(f.as_str()), t))
        .chain([(None, calc.rust_type.as_ref().unwrap())])
    {
        let mut property = serde_json::json!({ "type": "CALC", "code": "Total" });
        if let Some(format) = format {
            property["format"] = format.into();
        }
        let form = serde_json::json!({ "properties": { "Total": property } }).to_string();
        let module = generate_form(&form, &options("Calc", "a CALC field")).unwrap();
        assert!(
            module.contains(&format!("pub total: {rust_type},")),
            "{format:?}: {module}"
        );
    }
}

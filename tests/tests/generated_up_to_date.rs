//! The checked-in generated code is exactly what the spec gives.

use std::path::Path;

#[test]
fn checked_in_generated_code_matches_the_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let spec = std::fs::read_to_string(root.join("spec/kintone.yaml")).unwrap();
    let files = kintone_codegen::generate(&spec).expect("the spec generates");
    for file in files {
        let path = root.join("kintone-api/src/generated").join(file.path);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == file.contents,
            "{} is stale: run `{}` and commit the result",
            path.display(),
            kintone_codegen::REGENERATE_COMMAND
        );
    }
}

#[test]
fn generation_is_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let spec = std::fs::read_to_string(root.join("spec/kintone.yaml")).unwrap();
    assert_eq!(
        kintone_codegen::generate(&spec).unwrap(),
        kintone_codegen::generate(&spec).unwrap()
    );
}

//! The checked-in bundle is exactly what the split spec gives, and the checked-in generated code
//! exactly what the bundle gives.

use std::path::Path;

use kintone_spec::BUNDLE_FILE;

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn fresh_bundle() -> String {
    kintone_spec::bundle_dir(&workspace_root().join("spec")).expect("the split spec bundles")
}

#[test]
fn checked_in_bundle_matches_the_split_spec() {
    let path = workspace_root().join("spec").join(BUNDLE_FILE);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == fresh_bundle(),
        "{} is stale: run `{}` and commit the result",
        path.display(),
        kintone_codegen::REGENERATE_COMMAND
    );
}

#[test]
fn checked_in_generated_code_matches_the_spec() {
    let files = kintone_codegen::generate(&fresh_bundle()).expect("the spec generates");
    for file in files {
        let path = workspace_root().join(file.path);
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
fn bundling_and_generation_are_deterministic() {
    let bundle = fresh_bundle();
    assert_eq!(bundle, fresh_bundle());
    assert_eq!(
        kintone_codegen::generate(&bundle).unwrap(),
        kintone_codegen::generate(&bundle).unwrap()
    );
}

/// The budget of issue 19: what every operation shares lives in the hand-written runtime, so
/// the generated module stays at most this many lines per operation.
const MAX_GENERATED_LINES_PER_OPERATION: usize = 150;

#[test]
fn generated_code_stays_within_its_lines_per_operation() {
    let bundle = fresh_bundle();
    let operations = kintone_spec::parse(&bundle)
        .expect("the spec parses")
        .operations
        .len();
    let lines: usize = kintone_codegen::generate(&bundle)
        .expect("the spec generates")
        .iter()
        .filter(|file| file.path.starts_with("kintone-api/src/generated/"))
        .map(|file| file.contents.lines().count())
        .sum();
    assert!(operations > 0, "the spec has no operation");
    assert!(
        lines <= MAX_GENERATED_LINES_PER_OPERATION * operations,
        "{lines} generated lines for {operations} operations: {:.1} per operation, over the \
         budget of {MAX_GENERATED_LINES_PER_OPERATION}; move what operations share into the \
         runtime (kintone-api/src/runtime, kintone-api/src/wire.rs)",
        lines as f64 / operations as f64
    );
}

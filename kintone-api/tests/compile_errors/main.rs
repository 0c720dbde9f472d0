//! What users must not be able to write, and the compiler errors they see instead: the derive
//! (`#[derive(KintoneRecord)]`), the typed query builder and the deprecated legacy operations.
//! The cases are `kintone-api/tests/ui/*.rs`, each beside the `.stderr` it must produce.
//! Typed records that compile are tested in `tests/tests/records/typed.rs`.

#[test]
fn compile_errors_users_must_see() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}

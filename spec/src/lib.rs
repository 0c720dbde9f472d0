//! kintone-rs's OpenAPI description of the kintone REST API, as data.
//!
//! The description is split for review: `spec/kintone.yaml` is the root and each API family has
//! its own file in `spec/families/`. [`bundle()`] joins them into one document
//! (`spec/kintone.bundled.yaml`, shipped with this crate as [`BUNDLED_YAML`]); [`parse`] reads a
//! bundled document into a plain-data [`model`] that the code generator, the emulator, the tests
//! and the designers' tools share. kintone-specific behaviour comes from `x-kintone-*`
//! extensions, Rust naming from `x-rust-*` ones; [`extensions::KNOWN`] lists each with where it
//! may appear, and a document with an unknown or misplaced one is refused.
//!
//! This crate reads the spec only: it has no code generation dependencies, so a server or a tool
//! that needs the spec's operations, limits and rule tables does not build a code generator.

pub mod bundle;
pub mod extensions;
pub mod model;

mod lower;
mod rules;

use std::sync::OnceLock;

pub use bundle::{bundle, bundle_dir, BundleError, BUNDLE_FILE};

/// The bundled spec, as `cargo xtask regenerate` last wrote it: what `kintone-api` is generated
/// from and what the emulator serves.
pub const BUNDLED_YAML: &str = include_str!("../kintone.bundled.yaml");

/// The command that regenerates the bundle and the generated code, named in every banner.
pub const REGENERATE_COMMAND: &str = "cargo xtask regenerate";

/// The spec cannot be read: it does not bundle, is not OpenAPI 3.0, or breaks a project rule.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the split spec does not bundle")]
    Bundle(#[from] BundleError),
    #[error("the spec is not valid OpenAPI 3.0 YAML")]
    Parse(#[from] serde_yaml::Error),
    #[error("the spec breaks a rule of the project: {0}")]
    Invalid(String),
    #[error("the generator does not handle {0}")]
    Unsupported(String),
}

/// An error's message followed by each of its causes, `: `-separated, as a reporter that walks
/// [`source`](std::error::Error::source) prints it: for the command-line tools, whose errors keep
/// their cause in `source()` and out of their own message.
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        text.push_str(": ");
        text.push_str(&error.to_string());
        cause = error.source();
    }
    text
}

/// Parses a bundled spec into the model.
pub fn parse(spec_yaml: &str) -> Result<model::Api, Error> {
    let raw: serde_yaml::Value = serde_yaml::from_str(spec_yaml)?;
    extensions::check(&raw)?;
    // Parsed again from the text: openapiv3 reads some numbers wrongly through a YAML `Value`.
    let doc: openapiv3::OpenAPI = serde_yaml::from_str(spec_yaml)?;
    lower::lower(&doc)
}

/// The model of [`BUNDLED_YAML`], parsed once per process.
///
/// # Panics
///
/// If the shipped bundle does not parse, which `cargo xtask regenerate --check` and this
/// crate's tests rule out before a release.
pub fn bundled() -> &'static model::Api {
    static MODEL: OnceLock<model::Api> = OnceLock::new();
    MODEL.get_or_init(|| parse(BUNDLED_YAML).expect("the shipped bundle parses"))
}

#[cfg(test)]
mod tests {
    /// Fails when an error's message holds its source's message: a reporter that prints the
    /// chain would print the cause twice.
    pub(crate) fn assert_each_cause_printed_once(error: &(dyn std::error::Error + 'static)) {
        let mut level = Some(error);
        while let Some(error) = level {
            let source = error.source();
            if let Some(source) = source {
                let (outer, inner) = (error.to_string(), source.to_string());
                assert!(
                    !outer.contains(&inner),
                    "{outer:?} repeats its source {inner:?}"
                );
            }
            level = source;
        }
    }

    /// The facts of `x-kintone-field-type` are checked: the types of a query kind agree on
    /// `sortable` (the query builder sorts by a kind), every key is a known one, and the Rust
    /// types are Rust types.
    #[test]
    fn field_type_facts_are_checked() {
        let record_number = super::BUNDLED_YAML
            .find("    RecordNumberField:")
            .expect("the bundle states RECORD_NUMBER");
        let (before, after) = super::BUNDLED_YAML.split_at(record_number);
        let refused = |changed: String, expected: &str| {
            let error = super::parse(&format!("{before}{changed}")).unwrap_err();
            assert!(error.to_string().contains(expected), "{error}");
        };
        refused(
            after.replacen("sortable: true", "sortable: false", 1),
            "disagree on `sortable`",
        );
        refused(
            after.replacen("text-value: true", "text-values: true", 1),
            "text-values is not one of",
        );
        refused(
            after.replacen("        sortable: true\n", "", 1),
            "sortable is a boolean",
        );
        refused(
            after.replacen("rust-type: Option<String>", "rust-type: 'Option<String'", 1),
            "is a Rust type",
        );
        assert!(super::parse(super::BUNDLED_YAML).is_ok());
    }

    #[test]
    fn no_error_repeats_its_cause() {
        let bundle = super::bundle("root.yaml", |_| {
            Err(std::io::Error::other("the disk is gone"))
        })
        .unwrap_err();
        let parse = super::parse("openapi: [").unwrap_err();
        for error in [bundle, parse] {
            assert!(
                std::error::Error::source(&error).is_some(),
                "{error:?} keeps its cause"
            );
            assert_each_cause_printed_once(&error);
            let reported = super::with_causes(&error);
            let cause = std::error::Error::source(&error).unwrap().to_string();
            assert_eq!(reported.matches(&cause).count(), 1, "{reported}");
        }
    }

    #[test]
    fn the_shipped_bundle_parses_into_every_family() {
        let api = super::bundled();
        // Preview twins are folded into their live operation, so there are fewer operations than
        // kintone's 102 documented ones.
        assert!(api.operations.len() > 80, "{}", api.operations.len());
        for id in [
            "getRecords",
            "getRecordComments",
            "getFormFields",
            "getSpace",
            "getPlugins",
        ] {
            assert!(api.operations.iter().any(|op| op.id == id), "{id}");
        }
    }

    #[test]
    fn the_shipped_bundle_states_every_field_type_with_its_operators() {
        let api = super::bundled();
        assert_eq!(api.field_types.len(), 28);
        let status = api.field_type("STATUS").unwrap();
        assert!(status.computed);
        assert_eq!(status.operators, ["=", "!=", "in", "not in"]);
        assert_eq!(status.query_kind.as_deref(), Some("Status"));
        let rich = api.field_type("RICH_TEXT").unwrap();
        assert_eq!(rich.operators, ["like", "not like"]);
        assert_eq!(api.field_type("DATETIME").unwrap().rust_name, "Datetime");
        assert_eq!(api.field_type("__ID__").unwrap().rust_name, "Id");
        assert!(api.field_type("SUBTABLE").unwrap().operators.is_empty());
        let eq = api
            .query_operators
            .iter()
            .find(|o| o.operator == "=")
            .unwrap();
        assert!(!eq.in_table);
    }
}

//! The domain layer: kintone's state and rules, with no notion of JSON requests or HTTP.
//!
//! Records, app settings and their deploys, access and permissions, spaces, plug-ins,
//! notifications, the directory of users, departments and groups, formulas, decimals, the
//! query language and the store that holds it all. Nothing here imports the API layer
//! (`crate::api`) or the HTTP layer (`crate::http`); `cargo xtask imports` checks that (its test
//! `the_emulators_layers_import_downward_only`).

pub mod access;
pub mod app_settings;
pub mod clock;
pub mod config;
pub mod decimal;
pub mod deploy;
pub mod directory;
pub mod error;
/// The field types, written from the spec by `cargo xtask regenerate`.
#[rustfmt::skip]
mod field_type;
pub mod formula;
pub mod ids;
pub mod notifications;
pub mod plugins;
pub mod query;
pub mod records;
pub mod rights;
pub mod seed;
pub mod seeding;
pub mod spaces;
pub mod spec;
pub mod store;

//! The API layer: turns a request's JSON into calls of the domain layer, one file per family
//! of the spec (`spec/families/*.yaml`; the records family is a folder, its cursors and record
//! permission evaluation in files of their own), and answers kintone's JSON.
//! [`operations::OPERATIONS`] is the one table of what it serves, keyed by the spec's operation
//! ids; [`dispatch`] runs one operation. Nothing here imports the HTTP layer (`crate::http`): a bulk request runs its
//! requests through the dispatcher it is handed.
//!
//! Below the families: [`context`] (the caller and what every handler reads of a request) and
//! `settings_access` (who may read and write an app's settings).

pub(crate) mod apps;
mod bulk;
mod comments;
pub mod context;
mod files;
mod form;
mod notifications;
pub mod operations;
pub(crate) mod permissions;
mod plugins;
mod process;
pub(crate) mod records;
mod render;
pub(crate) mod schema;
mod search;
mod settings;
mod settings_access;
pub(crate) mod spaces;

pub use context::{Ctx, Output, Upload};
pub use operations::{dispatch, IMPLEMENTED};

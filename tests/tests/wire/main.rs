//! Every operation asserted on the wire against a recording server: method, path, query bytes,
//! headers and body, and the spec's example answers decoded by the generated types; and the
//! forms of request and answer where kintone's own descriptions differ.

mod answer_forms;
mod apps;
mod notifications;
mod permissions;
mod records;
mod request_forms;
mod settings;
mod spaces_plugins;

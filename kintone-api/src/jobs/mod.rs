//! Whole-app jobs built on a client: reading every record (streams and paging), writing many
//! (bulk writers), deploying settings, and apps as definitions.

pub mod app_definition;
pub(crate) mod deploy;
pub(crate) mod paging;
pub(crate) mod stream;
pub(crate) mod writer;

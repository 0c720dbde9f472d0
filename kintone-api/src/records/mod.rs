//! How records are decoded and encoded: the `Record` map, raw records and the JSON outline
//! that reads them, pages of records, typed records.

pub(crate) mod input;
pub(crate) mod map;
pub(crate) mod outline;
pub(crate) mod page;
pub(crate) mod raw;
pub(crate) mod record;
pub mod typed;

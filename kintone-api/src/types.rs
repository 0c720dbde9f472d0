//! Every type of the API, generated from the spec: each operation's request (`GetRecords`,
//! with its builder methods on [`Call`](crate::Call)), its response (`GetRecordsResponse`),
//! each group's handler (`RecordsHandler`, from `client.records()`), and the shapes they carry
//! (field values and properties, views, reports, permissions, process management, spaces…).
//!
//! The ones most programs name (field values and record inputs, ids, entities, files, error
//! bodies) are re-exported at the crate root as well.

pub use crate::generated::operations::*;
pub use crate::generated::types::*;

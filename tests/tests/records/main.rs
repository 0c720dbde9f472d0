//! All of an app's records: reading them through cursors, pages and record streams (and what
//! stops a reader when a server lies), the filter-abort warning, writing many at once, typed
//! records, and the queries that select them.

mod filter_aborted;
mod jobs;
mod paging;
mod paging_bounds;
mod query_builder;
mod stream;
mod support;
mod typed;

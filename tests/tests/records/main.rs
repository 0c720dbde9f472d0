//! All of an app's records: reading them through cursors, pages and record streams (and what
//! stops a reader when a server lies), the filter-abort warning, writing many at once, and typed
//! records.

mod filter_aborted;
mod jobs;
mod paging;
mod paging_bounds;
mod stream;
mod support;
mod typed;

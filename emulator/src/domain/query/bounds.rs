//! How the query reader reports what it cannot read, and how much it reads.

use crate::domain::error::KintoneError;

/// `CB_VA01` on `query`, the way kintone reports a query it cannot read.
pub fn syntax_error(message: impl Into<String>) -> KintoneError {
    KintoneError::invalid("query", message)
}

/// The longest query the emulator reads, in bytes. kintone documents no bound; this one is far
/// above any hand-written query (and long `in` lists), and keeps the work one request can ask
/// for in proportion.
pub const MAX_QUERY_BYTES: usize = 65_536;

/// The deepest nesting of parentheses the emulator reads. kintone documents no bound; parsing
/// and evaluation recurse once per level, so this keeps them far from the end of the stack
/// (chains of `and`/`or` are flat and add no depth).
pub const MAX_NESTING: usize = 32;

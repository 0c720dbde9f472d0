//! kintone's query language: `Amount > 100 and (Kind in ("A", "B") or Title like "x") order by
//! $id desc limit 100 offset 0`. Parsed into a [`Query`] and evaluated over stored records.

mod eval;
mod lexer;
mod parser;
#[cfg(test)]
mod props;

pub use eval::{Evaluator, Key, Plan, Subject};
pub use parser::{parse, Cmp, Expr, Operand, Query};

use crate::error::KintoneError;

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

/// A date-time in any form kintone accepts (`Z`, `±HH:MM`, `±HHMM`), in UTC `…Z`.
pub fn normalize_date_time_for_store(text: &str) -> Option<String> {
    eval::normalize_date_time(text).ok()
}

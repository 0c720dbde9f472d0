//! kintone's query language: `Amount > 100 and (Kind in ("A", "B") or Title like "x") order by
//! $id desc limit 100 offset 0`. Parsed into a [`Query`] and evaluated over stored records.

mod eval;
mod lexer;
mod parser;

pub use eval::{Evaluator, Key, Subject};
pub use parser::{parse, Cmp, Expr, Operand, Query};

use crate::error::KintoneError;

/// `CB_VA01` on `query`, the way kintone reports a query it cannot read.
pub fn syntax_error(message: impl Into<String>) -> KintoneError {
    KintoneError::invalid("query", message)
}

/// A date-time in any form kintone accepts (`Z`, `±HH:MM`, `±HHMM`), in UTC `…Z`.
pub fn normalize_date_time_for_store(text: &str) -> Option<String> {
    eval::normalize_date_time(text).ok()
}

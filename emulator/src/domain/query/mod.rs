//! kintone's query language: `Amount > 100 and (Kind in ("A", "B") or Title like "x") order by
//! $id desc limit 100 offset 0`. Parsed into a [`Query`] and evaluated over stored records.

mod bounds;
mod eval;
mod lexer;
mod parser;
#[cfg(test)]
mod props;

pub use bounds::{MAX_NESTING, MAX_QUERY_BYTES};
pub use eval::{Evaluator, Key, Plan};
pub use parser::{parse, Cmp, Expr, Operand, Query};

/// A date-time in any form kintone accepts (`Z`, `±HH:MM`, `±HHMM`), in UTC `…Z`.
pub fn normalize_date_time_for_store(text: &str) -> Option<String> {
    eval::normalize_date_time(text).ok()
}

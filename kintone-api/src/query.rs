//! Checks on kintone query strings that the client runs before sending.
//!
//! Get Records takes its paging in the query language itself (`… order by $id limit 500 offset
//! 100`), so the documented limits on `limit` and `offset` can only be checked by reading the
//! query's trailing clauses. Quoted strings are skipped, so a value such as `"limit 9999"` is
//! not mistaken for a clause.

use crate::LimitError;

/// The numbers of the query's `limit` and `offset` clauses, outside string literals.
fn clauses(query: &str) -> Vec<(&'static str, Option<u64>)> {
    let mut found = Vec::new();
    let mut words = tokens(query).into_iter().peekable();
    while let Some(word) = words.next() {
        let clause = if word.eq_ignore_ascii_case("limit") {
            "limit"
        } else if word.eq_ignore_ascii_case("offset") {
            "offset"
        } else {
            continue;
        };
        let number = words.peek().and_then(|n| n.parse::<u64>().ok());
        found.push((clause, number));
    }
    found
}

/// Splits a query into bare words, dropping string literals.
fn tokens(query: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = query.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b if b.is_ascii_whitespace() || b"(),".contains(&b) => i += 1,
            _ => {
                let start = i;
                while i < bytes.len()
                    && !bytes[i].is_ascii_whitespace()
                    && !b"(),\"".contains(&bytes[i])
                {
                    i += 1;
                }
                out.push(&query[start..i]);
            }
        }
    }
    out
}

/// Fails when the query's `limit` or `offset` is above the given maximum.
pub fn check_limits(
    field: &'static str,
    query: &str,
    limit: Option<u64>,
    offset: Option<u64>,
) -> Result<(), LimitError> {
    for (clause, number) in clauses(query) {
        let max = if clause == "limit" { limit } else { offset };
        if let (Some(max), Some(actual)) = (max, number) {
            if actual > max {
                return Err(LimitError::QueryClause {
                    field,
                    clause,
                    max,
                    actual,
                });
            }
        }
    }
    Ok(())
}

/// Fails when the query has a `limit` or `offset` clause (cursors refuse them).
pub fn forbid_limit_offset(field: &'static str, query: &str) -> Result<(), LimitError> {
    match clauses(query).first() {
        Some((clause, _)) => Err(LimitError::QueryClauseNotAllowed { field, clause }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_read_from_trailing_clauses() {
        assert!(check_limits(
            "query",
            "order by $id asc limit 500 offset 10000",
            Some(500),
            Some(10_000)
        )
        .is_ok());
        assert_eq!(
            check_limits("query", "Amount > 1 limit 501", Some(500), Some(10_000)),
            Err(LimitError::QueryClause {
                field: "query",
                clause: "limit",
                max: 500,
                actual: 501
            })
        );
        assert_eq!(
            check_limits("query", "LIMIT 10 OFFSET 10001", Some(500), Some(10_000)),
            Err(LimitError::QueryClause {
                field: "query",
                clause: "offset",
                max: 10_000,
                actual: 10_001
            })
        );
    }

    #[test]
    fn words_inside_strings_are_not_clauses() {
        assert!(check_limits(
            "query",
            r#"Title = "limit 9999" and Memo like "offset 20000""#,
            Some(500),
            Some(10_000)
        )
        .is_ok());
        assert!(forbid_limit_offset("query", r#"Title = "say \"limit 5\"""#).is_ok());
        assert!(forbid_limit_offset("query", "Amount > 1 limit 5").is_err());
    }
}

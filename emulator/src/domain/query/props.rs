//! Property tests: no input, however hostile, panics the lexer, the parser or the evaluator, or
//! overflows the stack; every query the reader refuses is a 400.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::eval::Subject;
use super::{lexer, parse, Evaluator, MAX_NESTING};
use crate::domain::seed::FieldType;
use crate::domain::store::{Cell, FieldRef};

const CODES: [(&str, FieldType); 7] = [
    ("Title", FieldType::SingleLineText),
    ("Amount", FieldType::Number),
    ("Kind", FieldType::DropDown),
    ("Tags", FieldType::CheckBox),
    ("Due", FieldType::Date),
    ("When", FieldType::Datetime),
    ("Owner", FieldType::UserSelect),
];

struct Row(u64, Vec<Cell>);

impl Subject for Row {
    fn id(&self) -> u64 {
        self.0
    }
    fn revision(&self) -> u64 {
        1
    }
    fn cell(&self, slot: usize) -> &Cell {
        &self.1[slot]
    }
}

fn resolve(code: &str) -> Option<(FieldType, FieldRef)> {
    CODES
        .iter()
        .position(|(c, _)| *c == code)
        .map(|i| (CODES[i].1, FieldRef::Top(i)))
}

fn rows() -> Vec<Row> {
    let row = |id, v: Value| {
        Row(
            id,
            CODES.iter().map(|(c, _)| Cell::from_json(&v[c])).collect(),
        )
    };
    vec![
        row(
            1,
            json!({"Title": "a", "Amount": "10", "Kind": "A", "Tags": ["x"], "Due": "2024-08-01", "When": "2024-08-01T00:30:00Z", "Owner": [{"code": "sato"}]}),
        ),
        row(
            2,
            json!({"Title": "", "Amount": "", "Kind": null, "Tags": [], "Due": null, "When": "", "Owner": []}),
        ),
    ]
}

/// Reads, checks and runs a query the way Get Records does; returns whether it was read.
fn read_and_run(query: &str) -> bool {
    let _ = lexer::tokens(query);
    match parse(query) {
        Ok(parsed) => {
            let evaluator = Evaluator::new(&resolve, "sato", time::OffsetDateTime::now_utc());
            match evaluator.compile(&parsed) {
                Ok(plan) => {
                    let rows = rows();
                    let keys: Vec<_> = rows.iter().map(|r| plan.sort_key(r)).collect();
                    for r in &rows {
                        plan.matches(r);
                    }
                    let _ = plan.id_scan();
                    plan.compare((&keys[0], 1), (&keys[1], 2));
                }
                Err(e) => assert_eq!(e.status.as_u16(), 400, "{query}: {e:?}"),
            }
            true
        }
        Err(e) => {
            assert_eq!(e.status.as_u16(), 400, "{query}: {e:?}");
            false
        }
    }
}

/// Pieces of kintone's query language, valid and not, to glue into query-shaped text.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "(",
        ")",
        "and",
        "or",
        "not",
        "in",
        "like",
        "is",
        "empty",
        ",",
        "=",
        "!=",
        ">",
        "<=",
        "Title",
        "Amount",
        "Kind",
        "Tags",
        "Due",
        "When",
        "Owner",
        "$id",
        "Missing",
        "\"a\"",
        "\"\\\"",
        "\"",
        "10",
        "-1.5",
        "TODAY()",
        "FROM_TODAY(-3, MONTHS)",
        "LOGINUSER()",
        "THIS_YEAR(",
        "order",
        "by",
        "asc",
        "desc",
        "limit",
        "offset",
        "500",
        "10001",
        "日本",
    ])
}

/// One condition that reads on its own.
fn condition() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Amount > 1",
        "Title = \"a\"",
        "Kind in (\"A\", \"B\")",
        "Tags not in (\"x\")",
        "Title like \"a\"",
        "Due is empty",
        "When >= \"2024-08-01T00:00:00+0900\"",
        "Due = TODAY()",
        "Owner in (LOGINUSER())",
        "$id != 2",
    ])
    .prop_map(str::to_string)
}

/// A well-formed filter of any shape: chains, nesting, mixed `and`/`or`.
fn filter() -> impl Strategy<Value = String> {
    condition().prop_recursive(8, 256, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..8).prop_map(|t| t.join(" and ")),
            prop::collection::vec(inner.clone(), 1..8).prop_map(|t| t.join(" or ")),
            inner.prop_map(|t| format!("({t})")),
        ]
    })
}

/// The nesting of parentheses of a query (strings do not count).
fn nesting(query: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for c in query.chars() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') => in_string = false,
            (false, _, '"') => in_string = true,
            (false, _, '(') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, _, ')') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn arbitrary_text_never_panics(query in any::<String>()) {
        read_and_run(&query);
    }

    #[test]
    fn query_shaped_text_never_panics(pieces in prop::collection::vec(piece(), 0..400)) {
        read_and_run(&pieces.join(" "));
    }

    #[test]
    fn well_formed_filters_read_within_the_nesting_bound(query in filter()) {
        let read = read_and_run(&query);
        prop_assert_eq!(read, nesting(&query) <= MAX_NESTING, "{}", query);
    }

    #[test]
    fn deep_nesting_and_long_chains_are_bounded(
        depth in 0usize..2_000,
        chain in 1usize..3_000,
        joiner in prop::sample::select(vec![" and ", " or "]),
        term in condition(),
    ) {
        let body = vec![term.as_str(); chain].join(joiner);
        let query = format!("{}{body}{}", "(".repeat(depth), ")".repeat(depth));
        let fits = query.len() <= super::MAX_QUERY_BYTES && depth <= MAX_NESTING;
        prop_assert_eq!(read_and_run(&query), fits);
    }
}

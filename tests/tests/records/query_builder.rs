//! The query builder against the emulator's query parser: whatever the values, what is built
//! parses back to exactly the conditions, order and paging that were built.

use kintone_api::query::{Condition, DateFunction, Field, Order, Query, Unit};
use kintone_emulator::query_syntax::{parse, Cmp, Expr, Operand, Query as Parsed};
use proptest::prelude::*;

/// A condition as the test draws it, turned both into the builder's condition and into the
/// tree the parser should read back.
#[derive(Debug, Clone)]
enum Tree {
    TextEq {
        field: String,
        value: String,
        negated: bool,
    },
    Like {
        field: String,
        words: String,
        negated: bool,
    },
    In {
        field: String,
        values: Vec<String>,
        negated: bool,
    },
    Empty {
        field: String,
        negated: bool,
    },
    Number {
        field: String,
        op: usize,
        value: i64,
    },
    FromToday {
        field: String,
        days: i64,
    },
    All(Vec<Tree>),
    Any(Vec<Tree>),
}

const NUMBER_OPS: [(&str, Cmp); 6] = [
    ("=", Cmp::Eq),
    ("!=", Cmp::Ne),
    ("<", Cmp::Lt),
    ("<=", Cmp::Le),
    (">", Cmp::Gt),
    (">=", Cmp::Ge),
];

impl Tree {
    fn condition(&self) -> Condition {
        match self {
            Tree::TextEq {
                field,
                value,
                negated,
            } => {
                let f = Field::text(field.as_str());
                if *negated {
                    f.ne(value.as_str())
                } else {
                    f.eq(value.as_str())
                }
            }
            Tree::Like {
                field,
                words,
                negated,
            } => {
                let f = Field::long_text(field.as_str());
                if *negated {
                    f.not_like(words.as_str())
                } else {
                    f.like(words.as_str())
                }
            }
            Tree::In {
                field,
                values,
                negated,
            } => {
                let f = Field::selection(field.as_str());
                if *negated {
                    f.not_in(values.iter().cloned())
                } else {
                    f.in_(values.iter().cloned())
                }
            }
            Tree::Empty { field, negated } => {
                let f = Field::long_text(field.as_str());
                if *negated {
                    f.is_not_empty()
                } else {
                    f.is_empty()
                }
            }
            Tree::Number { field, op, value } => {
                let f = Field::number(field.as_str());
                match NUMBER_OPS[*op].0 {
                    "=" => f.eq(*value),
                    "!=" => f.ne(*value),
                    "<" => f.lt(*value),
                    "<=" => f.le(*value),
                    ">" => f.gt(*value),
                    _ => f.ge(*value),
                }
            }
            Tree::FromToday { field, days } => {
                Field::date(field.as_str()).ge(DateFunction::from_today(*days, Unit::Days))
            }
            Tree::All(children) => Condition::all(children.iter().map(Tree::condition)),
            Tree::Any(children) => Condition::any(children.iter().map(Tree::condition)),
        }
    }

    fn expected(&self) -> Expr {
        match self {
            Tree::TextEq {
                field,
                value,
                negated,
            } => Expr::Compare {
                field: field.clone(),
                cmp: if *negated { Cmp::Ne } else { Cmp::Eq },
                value: Operand::Str(value.clone()),
            },
            Tree::Like {
                field,
                words,
                negated,
            } => Expr::Like {
                field: field.clone(),
                negated: *negated,
                value: words.clone(),
            },
            Tree::In {
                field,
                values,
                negated,
            } => Expr::In {
                field: field.clone(),
                negated: *negated,
                values: values.iter().cloned().map(Operand::Str).collect(),
            },
            Tree::Empty { field, negated } => Expr::Empty {
                field: field.clone(),
                negated: *negated,
            },
            Tree::Number { field, op, value } => Expr::Compare {
                field: field.clone(),
                cmp: NUMBER_OPS[*op].1,
                value: Operand::Str(value.to_string()),
            },
            Tree::FromToday { field, days } => Expr::Compare {
                field: field.clone(),
                cmp: Cmp::Ge,
                value: Operand::Func("FROM_TODAY".into(), vec![days.to_string(), "DAYS".into()]),
            },
            // A chain of `and` (or of `or`) reads as one flat list; a group inside another is in
            // parentheses, so it reads as a node of its own.
            Tree::All(children) => group(children, Expr::And),
            Tree::Any(children) => group(children, Expr::Or),
        }
    }
}

fn group(children: &[Tree], chain: impl Fn(Vec<Expr>) -> Expr) -> Expr {
    let mut exprs: Vec<Expr> = children.iter().map(Tree::expected).collect();
    match exprs.len() {
        0 => panic!("groups are drawn non-empty"),
        1 => exprs.remove(0),
        _ => chain(exprs),
    }
}

fn field_code() -> impl Strategy<Value = String> {
    "F[A-Za-z0-9_]{0,8}"
}

fn leaf() -> impl Strategy<Value = Tree> {
    prop_oneof![
        (field_code(), any::<String>(), any::<bool>()).prop_map(|(field, value, negated)| {
            Tree::TextEq {
                field,
                value,
                negated,
            }
        }),
        (field_code(), any::<String>(), any::<bool>()).prop_map(|(field, words, negated)| {
            Tree::Like {
                field,
                words,
                negated,
            }
        }),
        (
            field_code(),
            prop::collection::vec(any::<String>(), 1..4),
            any::<bool>()
        )
            .prop_map(|(field, values, negated)| Tree::In {
                field,
                values,
                negated
            }),
        (field_code(), any::<bool>()).prop_map(|(field, negated)| Tree::Empty { field, negated }),
        (field_code(), 0..NUMBER_OPS.len(), any::<i64>())
            .prop_map(|(field, op, value)| Tree::Number { field, op, value }),
        (field_code(), -400i64..400).prop_map(|(field, days)| Tree::FromToday { field, days }),
    ]
}

fn tree() -> impl Strategy<Value = Tree> {
    leaf().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Tree::All),
            prop::collection::vec(inner, 1..4).prop_map(Tree::Any),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn what_is_built_parses_back_to_what_was_built(
        tree in tree(),
        order in prop::collection::vec((field_code(), any::<bool>()), 0..3),
        limit in prop::option::of(0u64..=500),
        offset in prop::option::of(0u64..=10_000),
    ) {
        let mut query = Query::new().filter(tree.condition());
        for (field, desc) in &order {
            query = query.order_by(field.as_str(), if *desc { Order::Desc } else { Order::Asc });
        }
        if let Some(limit) = limit {
            query = query.limit(limit);
        }
        if let Some(offset) = offset {
            query = query.offset(offset);
        }
        let text = query.build().unwrap();
        let parsed = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e:?}")))?;
        let expected = Parsed {
            filter: Some(tree.expected()),
            order,
            limit,
            offset,
        };
        prop_assert_eq!(parsed, expected, "{}", text);
    }
}

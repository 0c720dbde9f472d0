//! Evaluates a parsed query over stored records, with kintone's rules per field type.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;
use time::{Duration, OffsetDateTime};

use super::parser::{Cmp, Expr, Operand, Query};
use super::syntax_error;
use crate::error::{KintoneError, Result};
use crate::store::FieldType;

/// A record as the evaluator sees it.
pub trait Subject {
    fn id(&self) -> u64;
    fn revision(&self) -> u64;
    fn value(&self, code: &str) -> Option<&Value>;
}

/// Evaluates queries for one app, as one user, at one moment.
pub struct Evaluator<'a> {
    kind_of: &'a dyn Fn(&str) -> Option<FieldType>,
    login: String,
    now: OffsetDateTime,
}

/// How values of a field compare.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Number,
    Text,
    LongText,
    Choice,
    MultiChoice,
    Entities,
    Date,
    Time,
    DateTime,
    File,
}

fn kind(t: FieldType) -> Kind {
    use FieldType::*;
    match t {
        SingleLineText | Link => Kind::Text,
        MultiLineText | RichText => Kind::LongText,
        Number | Calc | RecordNumber => Kind::Number,
        RadioButton | DropDown | Status => Kind::Choice,
        CheckBox | MultiSelect | Category => Kind::MultiChoice,
        UserSelect | OrganizationSelect | GroupSelect | Creator | Modifier | StatusAssignee => {
            Kind::Entities
        }
        Date => Kind::Date,
        Time => Kind::Time,
        Datetime | CreatedTime | UpdatedTime => Kind::DateTime,
        File | Subtable => Kind::File,
    }
}

enum Op<'e> {
    Compare(Cmp),
    In,
    Like,
    Empty,
    #[allow(dead_code)]
    Other(&'e str),
}

fn allowed(kind: Kind, op: &Op) -> bool {
    use Kind::*;
    match op {
        Op::Compare(Cmp::Eq | Cmp::Ne) => matches!(kind, Number | Text | Date | Time | DateTime),
        Op::Compare(_) => matches!(kind, Number | Date | Time | DateTime),
        Op::In => matches!(kind, Number | Text | Choice | MultiChoice | Entities),
        Op::Like => matches!(kind, Text | LongText | File),
        Op::Empty => matches!(
            kind,
            Text | LongText | Number | MultiChoice | Date | Time | DateTime | File | Entities
        ),
        Op::Other(_) => false,
    }
}

impl<'a> Evaluator<'a> {
    pub fn new(kind_of: &'a dyn Fn(&str) -> Option<FieldType>, login: impl Into<String>) -> Self {
        Self {
            kind_of,
            login: login.into(),
            now: OffsetDateTime::now_utc(),
        }
    }

    fn kind(&self, field: &str) -> Result<Kind> {
        if field == "$id" || field == "$revision" {
            return Ok(Kind::Number);
        }
        (self.kind_of)(field).map(kind).ok_or_else(|| {
            KintoneError::new(
                400,
                "GAIA_IQ11",
                format!("The specified field ({field}) in the query does not exist."),
                format!("クエリで指定したフィールド（{field}）が存在しません。"),
            )
        })
    }

    /// Checks every field and operator before any record is read.
    pub fn check(&self, query: &Query) -> Result<()> {
        if let Some(filter) = &query.filter {
            self.check_expr(filter)?;
        }
        for (field, _) in &query.order {
            self.kind(field)?;
        }
        Ok(())
    }

    fn check_expr(&self, e: &Expr) -> Result<()> {
        let (field, op) = match e {
            Expr::And(terms) | Expr::Or(terms) => {
                return terms.iter().try_for_each(|t| self.check_expr(t));
            }
            Expr::Compare { field, cmp, .. } => (field, Op::Compare(*cmp)),
            Expr::In { field, .. } => (field, Op::In),
            Expr::Like { field, .. } => (field, Op::Like),
            Expr::Empty { field, .. } => (field, Op::Empty),
        };
        let kind = self.kind(field)?;
        if !allowed(kind, &op) {
            return Err(KintoneError::new(
                400,
                "GAIA_IQ03",
                format!("The operator cannot be used with the field ({field}) in the query."),
                format!("クエリのフィールド（{field}）には指定した演算子を使用できません。"),
            ));
        }
        if let Expr::Compare { value, .. } = e {
            self.resolve(kind, value)?;
        }
        Ok(())
    }

    /// A value to compare with: text for most kinds; for dates a prefix (`2024-08`, `2024`)
    /// when a function names a month or a year.
    fn resolve(&self, kind: Kind, operand: &Operand) -> Result<String> {
        match operand {
            Operand::Str(s) | Operand::Bare(s) => Ok(match kind {
                Kind::DateTime if s.len() > 10 => normalize_date_time(s)?,
                _ => s.clone(),
            }),
            Operand::Func(name, args) => {
                let today = self.now.date();
                let shifted = |days: i64| (today + Duration::days(days)).to_string();
                match name.as_str() {
                    "LOGINUSER" => Ok(self.login.clone()),
                    "NOW" => Ok(format_date_time(self.now)),
                    "TODAY" => Ok(today.to_string()),
                    "YESTERDAY" => Ok(shifted(-1)),
                    "TOMORROW" => Ok(shifted(1)),
                    "FROM_TODAY" => {
                        let n: i64 = args
                            .first()
                            .and_then(|a| a.parse().ok())
                            .ok_or_else(|| function_error(name))?;
                        let unit = args
                            .get(1)
                            .map(|u| u.to_ascii_uppercase())
                            .unwrap_or_else(|| "DAYS".into());
                        match unit.as_str() {
                            "DAYS" => Ok(shifted(n)),
                            "WEEKS" => Ok(shifted(n * 7)),
                            "MONTHS" => Ok(month_prefix(today, n as i32)),
                            "YEARS" => Ok((today.year() + n as i32).to_string()),
                            _ => Err(KintoneError::new(
                                400,
                                "GAIA_IQ25",
                                "The unit of FROM_TODAY() is not valid.",
                                "FROM_TODAY()の単位が正しくありません。",
                            )),
                        }
                    }
                    "THIS_MONTH" => Ok(month_prefix(today, 0)),
                    "LAST_MONTH" => Ok(month_prefix(today, -1)),
                    "NEXT_MONTH" => Ok(month_prefix(today, 1)),
                    "THIS_YEAR" => Ok(today.year().to_string()),
                    "LAST_YEAR" => Ok((today.year() - 1).to_string()),
                    "NEXT_YEAR" => Ok((today.year() + 1).to_string()),
                    _ => Err(function_error(name)),
                }
            }
        }
    }

    /// Checks the query and resolves everything that does not depend on the record (field
    /// types, function values, numbers), once.
    pub fn compile(&self, query: &Query) -> Result<Plan> {
        self.check(query)?;
        let filter = query
            .filter
            .as_ref()
            .map(|e| self.compile_expr(e))
            .transpose()?;
        let order = query
            .order
            .iter()
            .map(|(field, desc)| Ok((field.clone(), *desc, self.kind(field)? == Kind::Number)))
            .collect::<Result<_>>()?;
        Ok(Plan { filter, order })
    }

    fn compile_expr(&self, e: &Expr) -> Result<Compiled> {
        Ok(match e {
            Expr::And(terms) => Compiled::And(
                terms
                    .iter()
                    .map(|t| self.compile_expr(t))
                    .collect::<Result<_>>()?,
            ),
            Expr::Or(terms) => Compiled::Or(
                terms
                    .iter()
                    .map(|t| self.compile_expr(t))
                    .collect::<Result<_>>()?,
            ),
            Expr::Compare { field, cmp, value } => {
                let kind = self.kind(field)?;
                let operand = self.resolve(kind, value)?;
                let number = operand.parse().ok();
                Compiled::Compare {
                    field: field.clone(),
                    kind,
                    cmp: *cmp,
                    operand,
                    number,
                }
            }
            Expr::In {
                field,
                negated,
                values,
            } => {
                let kind = self.kind(field)?;
                let wanted = values
                    .iter()
                    .map(|v| self.resolve(kind, v))
                    .collect::<Result<Vec<_>>>()?;
                let numbers = wanted.iter().filter_map(|w| w.parse().ok()).collect();
                Compiled::In {
                    field: field.clone(),
                    numeric: kind == Kind::Number,
                    negated: *negated,
                    wanted,
                    numbers,
                }
            }
            Expr::Like {
                field,
                negated,
                value,
            } => Compiled::Like {
                field: field.clone(),
                negated: *negated,
                needle: value.to_lowercase(),
            },
            Expr::Empty { field, negated } => Compiled::Empty {
                field: field.clone(),
                negated: *negated,
            },
        })
    }
}

/// A query ready to run: its filter with every operand resolved, and its sort order.
#[derive(Debug)]
pub struct Plan {
    filter: Option<Compiled>,
    /// `(field, descending, numeric)`.
    order: Vec<(String, bool, bool)>,
}

#[derive(Debug)]
enum Compiled {
    And(Vec<Compiled>),
    Or(Vec<Compiled>),
    Compare {
        field: String,
        kind: Kind,
        cmp: Cmp,
        operand: String,
        number: Option<f64>,
    },
    In {
        field: String,
        numeric: bool,
        negated: bool,
        wanted: Vec<String>,
        numbers: Vec<f64>,
    },
    Like {
        field: String,
        negated: bool,
        needle: String,
    },
    Empty {
        field: String,
        negated: bool,
    },
}

/// One sort key of a record.
#[derive(Debug, PartialEq, PartialOrd)]
pub enum Key<'r> {
    Number(f64),
    Text(Cow<'r, str>),
}

impl Plan {
    /// Whether a record matches the filter.
    pub fn matches(&self, r: &dyn Subject) -> bool {
        self.filter.as_ref().is_none_or(|f| f.matches(r))
    }

    /// The record's sort keys, to compute once per record before sorting.
    pub fn sort_key<'r>(&self, r: &'r dyn Subject) -> Vec<Key<'r>> {
        self.order
            .iter()
            .map(|(field, _, numeric)| {
                let text = scalar(field, r);
                if *numeric {
                    Key::Number(text.parse().unwrap_or(f64::MIN))
                } else {
                    Key::Text(text)
                }
            })
            .collect()
    }

    /// Compares two records by their keys and ids (`$id` descending when there is no order).
    pub fn compare(&self, a: (&[Key], u64), b: (&[Key], u64)) -> Ordering {
        if self.order.is_empty() {
            return b.1.cmp(&a.1);
        }
        for (i, (_, desc, _)) in self.order.iter().enumerate() {
            let o = a.0[i].partial_cmp(&b.0[i]).unwrap_or(Ordering::Equal);
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        a.1.cmp(&b.1)
    }
}

impl Compiled {
    fn matches(&self, r: &dyn Subject) -> bool {
        match self {
            Compiled::And(terms) => terms.iter().all(|t| t.matches(r)),
            Compiled::Or(terms) => terms.iter().any(|t| t.matches(r)),
            Compiled::Compare {
                field,
                kind,
                cmp,
                operand,
                number,
            } => {
                let text = scalar(field, r);
                let ord = match kind {
                    Kind::Number => match (text.parse::<f64>(), number) {
                        (Ok(a), Some(b)) => a.partial_cmp(b),
                        _ => None,
                    },
                    Kind::Date | Kind::Time | Kind::DateTime => {
                        if text.is_empty() {
                            None
                        } else {
                            let cut = text.get(..operand.len()).unwrap_or(&text);
                            Some(cut.cmp(operand.as_str()))
                        }
                    }
                    _ => Some(text.as_ref().cmp(operand.as_str())),
                };
                match (cmp, ord) {
                    (Cmp::Ne, None) => true,
                    (_, None) => false,
                    (Cmp::Eq, Some(o)) => o == Ordering::Equal,
                    (Cmp::Ne, Some(o)) => o != Ordering::Equal,
                    (Cmp::Gt, Some(o)) => o == Ordering::Greater,
                    (Cmp::Lt, Some(o)) => o == Ordering::Less,
                    (Cmp::Ge, Some(o)) => o != Ordering::Less,
                    (Cmp::Le, Some(o)) => o != Ordering::Greater,
                }
            }
            Compiled::In {
                field,
                numeric,
                negated,
                wanted,
                numbers,
            } => {
                let have = list(field, r);
                let hit = if *numeric {
                    have.iter()
                        .filter_map(|h| h.parse::<f64>().ok())
                        .any(|h| numbers.contains(&h))
                } else {
                    have.iter().any(|h| wanted.iter().any(|w| w == h))
                };
                hit != *negated
            }
            Compiled::Like {
                field,
                negated,
                needle,
            } => {
                let hit = list(field, r)
                    .iter()
                    .any(|h| h.to_lowercase().contains(needle.as_str()));
                hit != *negated
            }
            Compiled::Empty { field, negated } => {
                let empty = list(field, r).iter().all(|v| v.is_empty());
                empty != *negated
            }
        }
    }
}

fn function_error(name: &str) -> KintoneError {
    KintoneError::new(
        400,
        "GAIA_IL08",
        format!("The function {name}() cannot be used here or has wrong arguments."),
        format!("関数{name}()はここでは使用できないか、引数が正しくありません。"),
    )
}

fn month_prefix(today: time::Date, delta: i32) -> String {
    let months = today.year() * 12 + (today.month() as i32 - 1) + delta;
    format!(
        "{:04}-{:02}",
        months.div_euclid(12),
        months.rem_euclid(12) + 1
    )
}

fn format_date_time(t: OffsetDateTime) -> String {
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        t.date(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `2024-10-01T09:00:00+0900` or `…+09:00` or `…Z` into UTC `…Z`.
pub fn normalize_date_time(s: &str) -> Result<String> {
    let mut text = s.to_string();
    // `+0900` → `+09:00`, which RFC 3339 needs.
    if let Some(at) = text.rfind(['+', '-']).filter(|&i| i > 10) {
        let offset = &text[at + 1..];
        if offset.len() == 4 && offset.bytes().all(|b| b.is_ascii_digit()) {
            text = format!("{}:{}", &text[..at + 3], &text[at + 3..]);
        }
    }
    if text.len() == 16 || (text.len() == 17 && text.ends_with('Z')) {
        // No seconds: `YYYY-MM-DDTHH:MM` plus `Z`.
        text = format!("{}:00{}", &text[..16], &text[16..]);
    }
    OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
        .map(|t| format_date_time(t.to_offset(time::UtcOffset::UTC)))
        .map_err(|_| syntax_error(format!("{s:?} is not a date and time.")))
}

/// One text for a field: the number, text or date of a scalar field.
fn scalar<'r>(field: &str, r: &'r dyn Subject) -> Cow<'r, str> {
    match field {
        "$id" => Cow::Owned(r.id().to_string()),
        "$revision" => Cow::Owned(r.revision().to_string()),
        _ => match r.value(field) {
            Some(Value::String(s)) => Cow::Borrowed(s),
            Some(Value::Number(n)) => Cow::Owned(n.to_string()),
            _ => Cow::Borrowed(""),
        },
    }
}

/// Every text a field holds: one for scalars, each option or entity code for lists, file names.
fn list<'r>(field: &str, r: &'r dyn Subject) -> Vec<Cow<'r, str>> {
    match r.value(field) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Cow::Borrowed(s.as_str()),
                Value::Object(o) => Cow::Borrowed(
                    o.get("code")
                        .or_else(|| o.get("name"))
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                ),
                other => Cow::Owned(other.to_string()),
            })
            .collect(),
        Some(Value::Object(o)) => vec![Cow::Borrowed(
            o.get("code").and_then(Value::as_str).unwrap_or_default(),
        )],
        _ => vec![scalar(field, r)],
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;
    use std::collections::BTreeMap;

    struct R(u64, BTreeMap<String, Value>);

    impl Subject for R {
        fn id(&self) -> u64 {
            self.0
        }
        fn revision(&self) -> u64 {
            1
        }
        fn value(&self, code: &str) -> Option<&Value> {
            self.1.get(code)
        }
    }

    fn kinds(code: &str) -> Option<FieldType> {
        Some(match code {
            "Title" => FieldType::SingleLineText,
            "Body" => FieldType::MultiLineText,
            "Amount" => FieldType::Number,
            "Kind" => FieldType::DropDown,
            "Tags" => FieldType::CheckBox,
            "Due" => FieldType::Date,
            "When" => FieldType::Datetime,
            "Owner" => FieldType::UserSelect,
            _ => return None,
        })
    }

    fn record(id: u64, v: Value) -> R {
        R(id, serde_json::from_value(v).unwrap())
    }

    fn hits(q: &str) -> Vec<u64> {
        let rows = [
            record(
                1,
                serde_json::json!({"Title": "Alpha", "Body": "first line", "Amount": "10", "Kind": "A", "Tags": ["x"], "Due": "2024-08-01", "When": "2024-08-01T00:30:00Z", "Owner": [{"code": "sato", "name": "Sato"}]}),
            ),
            record(
                2,
                serde_json::json!({"Title": "Beta", "Body": "", "Amount": "2.5", "Kind": "B", "Tags": ["x", "y"], "Due": "2024-09-15", "When": "2024-09-15T12:00:00Z", "Owner": []}),
            ),
            record(
                3,
                serde_json::json!({"Title": "", "Body": "ALPHA again", "Amount": "", "Kind": null, "Tags": [], "Due": null, "When": "", "Owner": [{"code": "suzuki"}]}),
            ),
        ];
        let kinds_fn = kinds;
        let ev = Evaluator::new(&kinds_fn, "sato");
        let plan = ev.compile(&parse(q).unwrap()).unwrap();
        let mut out: Vec<(Vec<Key>, u64)> = rows
            .iter()
            .filter(|r| plan.matches(*r))
            .map(|r| (plan.sort_key(r), r.0))
            .collect();
        out.sort_by(|a, b| plan.compare((&a.0, a.1), (&b.0, b.1)));
        out.iter().map(|r| r.1).collect()
    }

    #[test]
    fn comparisons_follow_the_field_type() {
        assert_eq!(
            hits("Amount > 3"),
            vec![1],
            "numbers compare as numbers, not text"
        );
        assert_eq!(hits("Amount >= 2.5 order by Amount asc"), vec![2, 1]);
        assert_eq!(hits(r#"Title = "Beta""#), vec![2]);
        assert_eq!(hits(r#"Title != "Beta""#), vec![3, 1]);
        assert_eq!(hits(r#"Due < "2024-09-01""#), vec![1]);
        assert_eq!(
            hits(r#"When > "2024-08-01T09:00:00+0900""#),
            vec![2, 1],
            "offsets are converted to UTC"
        );
        assert_eq!(
            hits(r#"When = "2024-08-01""#),
            vec![1],
            "a date matches the whole day"
        );
    }

    #[test]
    fn lists_like_and_empty() {
        assert_eq!(hits(r#"Kind in ("A", "B") order by $id asc"#), vec![1, 2]);
        assert_eq!(hits(r#"Kind not in ("A")"#), vec![3, 2]);
        assert_eq!(hits(r#"Tags in ("y")"#), vec![2]);
        assert_eq!(
            hits(r#"Body like "alpha""#),
            vec![3],
            "like is a case-blind partial match"
        );
        assert_eq!(hits(r#"Title not like "a""#), vec![3]);
        assert_eq!(hits("Title is empty"), vec![3]);
        assert_eq!(hits("Due is not empty order by $id asc"), vec![1, 2]);
        assert_eq!(hits("Owner in (LOGINUSER())"), vec![1]);
        assert_eq!(
            hits(r#"(Kind in ("A") or Amount < 3) and Title != "Alpha""#),
            vec![2]
        );
    }

    #[test]
    fn unknown_fields_and_wrong_operators_are_kintones_errors() {
        let kinds_fn = kinds;
        let ev = Evaluator::new(&kinds_fn, "sato");
        assert_eq!(
            ev.check(&parse("Nope = 1").unwrap()).unwrap_err().code,
            "GAIA_IQ11"
        );
        assert_eq!(
            ev.check(&parse(r#"Amount like "1""#).unwrap())
                .unwrap_err()
                .code,
            "GAIA_IQ03"
        );
        assert_eq!(
            ev.check(&parse(r#"Kind = "A""#).unwrap()).unwrap_err().code,
            "GAIA_IQ03"
        );
        assert_eq!(
            ev.check(&parse("Due = FROM_TODAY(1, EONS)").unwrap())
                .unwrap_err()
                .code,
            "GAIA_IQ25"
        );
        assert_eq!(
            ev.check(&parse("Due = BOGUS()").unwrap()).unwrap_err().code,
            "GAIA_IL08"
        );
        assert!(ev
            .check(&parse("Due >= FROM_TODAY(-7, DAYS) and Due < THIS_MONTH()").unwrap())
            .is_ok());
    }
}

//! Evaluates a parsed query over stored records, with kintone's rules per field type.

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
        CheckBox | MultiSelect => Kind::MultiChoice,
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
            Expr::And(a, b) | Expr::Or(a, b) => {
                self.check_expr(a)?;
                return self.check_expr(b);
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

    /// Whether a record matches the filter (checked first with [`Evaluator::check`]).
    pub fn matches(&self, e: &Expr, r: &dyn Subject) -> bool {
        match e {
            Expr::And(a, b) => self.matches(a, r) && self.matches(b, r),
            Expr::Or(a, b) => self.matches(a, r) || self.matches(b, r),
            Expr::Compare { field, cmp, value } => {
                let Ok(kind) = self.kind(field) else {
                    return false;
                };
                let Ok(operand) = self.resolve(kind, value) else {
                    return false;
                };
                let text = scalar(field, r);
                let ord = match kind {
                    Kind::Number => match (text.parse::<f64>(), operand.parse::<f64>()) {
                        (Ok(a), Ok(b)) => a.partial_cmp(&b),
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
                    _ => Some(text.as_str().cmp(operand.as_str())),
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
            Expr::In {
                field,
                negated,
                values,
            } => {
                let Ok(kind) = self.kind(field) else {
                    return false;
                };
                let wanted: Vec<String> = values
                    .iter()
                    .filter_map(|v| self.resolve(kind, v).ok())
                    .collect();
                let have = list(field, r);
                let hit = match kind {
                    Kind::Number => have.iter().any(|h| {
                        wanted.iter().any(|w| matches!((h.parse::<f64>(), w.parse::<f64>()), (Ok(a), Ok(b)) if a == b))
                    }),
                    _ => have.iter().any(|h| wanted.contains(h)),
                };
                hit != *negated
            }
            Expr::Like {
                field,
                negated,
                value,
            } => {
                let needle = value.to_lowercase();
                let hit = list(field, r)
                    .iter()
                    .any(|h| h.to_lowercase().contains(&needle));
                hit != *negated
            }
            Expr::Empty { field, negated } => {
                let empty = list(field, r).iter().all(|v| v.is_empty());
                empty != *negated
            }
        }
    }

    /// Compares two records by the query's `order by` (by `$id` descending when there is none).
    pub fn compare(&self, order: &[(String, bool)], a: &dyn Subject, b: &dyn Subject) -> Ordering {
        if order.is_empty() {
            return b.id().cmp(&a.id());
        }
        for (field, desc) in order {
            let numeric = self.kind(field).map(|k| k == Kind::Number).unwrap_or(false);
            let (x, y) = (scalar(field, a), scalar(field, b));
            let o = if numeric {
                let (p, q) = (
                    x.parse::<f64>().unwrap_or(f64::MIN),
                    y.parse::<f64>().unwrap_or(f64::MIN),
                );
                p.partial_cmp(&q).unwrap_or(Ordering::Equal)
            } else {
                x.cmp(&y)
            };
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        a.id().cmp(&b.id())
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
fn scalar(field: &str, r: &dyn Subject) -> String {
    match field {
        "$id" => r.id().to_string(),
        "$revision" => r.revision().to_string(),
        _ => match r.value(field) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        },
    }
}

/// Every text a field holds: one for scalars, each option or entity code for lists, file names.
fn list(field: &str, r: &dyn Subject) -> Vec<String> {
    match r.value(field) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .get("code")
                    .or_else(|| o.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                other => other.to_string(),
            })
            .collect(),
        Some(Value::Object(o)) => vec![o
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()],
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
        let query = parse(q).unwrap();
        ev.check(&query).unwrap();
        let mut out: Vec<&R> = rows
            .iter()
            .filter(|r| query.filter.as_ref().is_none_or(|f| ev.matches(f, *r)))
            .collect();
        out.sort_by(|a, b| ev.compare(&query.order, *a, *b));
        out.iter().map(|r| r.0).collect()
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

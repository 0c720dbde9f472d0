//! Evaluates a parsed query over stored records, with kintone's rules per field type.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Bound;

use time::{Duration, OffsetDateTime, UtcOffset};

use super::bounds::syntax_error;
use super::parser::{Cmp, Expr, Operand, Query};
use crate::domain::decimal;
use crate::domain::error::{KintoneError, Result};
use crate::domain::seed::FieldType;
use crate::domain::store::{Cell, FieldRef};

/// A record as the evaluator sees it.
pub trait Subject {
    fn id(&self) -> u64;
    fn revision(&self) -> u64;
    /// The value of a top-level slot.
    fn cell(&self, slot: usize) -> &Cell;
}

/// What the evaluator needs to know of a field code: its type and where its value is.
pub type Resolve<'a> = dyn Fn(&str) -> Option<(FieldType, FieldRef)> + 'a;

/// Evaluates queries for one app, as one user, at one moment, in the user's time zone.
pub struct Evaluator<'a> {
    resolve: &'a Resolve<'a>,
    login: String,
    /// The user's primary department, for `PRIMARY_ORGANIZATION()`; `None` when the user has
    /// none, and kintone then ignores the condition.
    primary_organization: Option<String>,
    /// Now, in the user's time zone: `TODAY()` and the other date functions read its date.
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
    Table,
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
        File => Kind::File,
        Subtable => Kind::Table,
    }
}

/// Which value a condition reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Target {
    Id,
    Revision,
    Field(FieldRef),
}

/// The operator of a condition, as the spec's table of query operators writes it.
fn operator(e: &Expr) -> &'static str {
    match e {
        Expr::Compare { cmp, .. } => match cmp {
            Cmp::Eq => "=",
            Cmp::Ne => "!=",
            Cmp::Gt => ">",
            Cmp::Lt => "<",
            Cmp::Ge => ">=",
            Cmp::Le => "<=",
        },
        Expr::In { negated: false, .. } => "in",
        Expr::In { negated: true, .. } => "not in",
        Expr::Like { negated: false, .. } => "like",
        Expr::Like { negated: true, .. } => "not like",
        Expr::Empty { negated: false, .. } => "is empty",
        Expr::Empty { negated: true, .. } => "is not empty",
        Expr::And(_) | Expr::Or(_) => unreachable!("a chain has no operator of its own"),
    }
}

/// Whether kintone allows `op` on fields of the type it calls `field_type`: the spec's table
/// (`x-kintone-field-type`), the same one the client's query builder is generated from.
fn allowed(field_type: &str, op: &str) -> bool {
    crate::domain::spec::api()
        .field_type(field_type)
        .is_some_and(|t| t.operators.iter().any(|o| o == op))
}

/// Whether kintone allows `op` on a table's fields (`in-table` in the spec's operators).
fn allowed_in_table(op: &str) -> bool {
    crate::domain::spec::api()
        .query_operators
        .iter()
        .any(|o| o.operator == op && o.in_table)
}

fn operator_error(field: &str) -> KintoneError {
    KintoneError::new(
        400,
        "GAIA_IQ03",
        format!("The operator cannot be used with the field ({field}) in the query."),
        format!("クエリのフィールド（{field}）には指定した演算子を使用できません。"),
    )
}

impl<'a> Evaluator<'a> {
    /// An evaluator for `login`, whose clock reads `now` (in the user's time zone).
    pub fn new(resolve: &'a Resolve<'a>, login: impl Into<String>, now: OffsetDateTime) -> Self {
        Self {
            resolve,
            login: login.into(),
            primary_organization: None,
            now,
        }
    }

    /// The user's primary department, which `PRIMARY_ORGANIZATION()` names.
    pub fn with_primary_organization(mut self, code: Option<String>) -> Self {
        self.primary_organization = code;
        self
    }

    /// The field a condition names: how its values compare, where its value is, and kintone's
    /// name of its type.
    fn target(&self, field: &str) -> Result<(Kind, Target, &'static str)> {
        match field {
            "$id" => return Ok((Kind::Number, Target::Id, "__ID__")),
            "$revision" => return Ok((Kind::Number, Target::Revision, "__REVISION__")),
            _ => {}
        }
        (self.resolve)(field)
            .map(|(t, r)| (kind(t), Target::Field(r), t.name()))
            .ok_or_else(|| {
                KintoneError::new(
                    400,
                    "GAIA_IQ11",
                    format!("The specified field ({field}) in the query does not exist."),
                    format!("クエリで指定したフィールド（{field}）が存在しません。"),
                )
            })
    }

    /// Checks every field and operator.
    #[cfg(test)]
    pub fn check(&self, query: &Query) -> Result<()> {
        self.compile(query).map(|_| ())
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
                let no_args = || {
                    if args.is_empty() {
                        Ok(())
                    } else {
                        Err(function_error(name))
                    }
                };
                match name.as_str() {
                    "LOGINUSER" => no_args().map(|_| self.login.clone()),
                    // Without a primary department the value is left out of its list (see
                    // `compile_expr`), so that no operand stands for it here.
                    "PRIMARY_ORGANIZATION" => no_args().and_then(|_| {
                        self.primary_organization
                            .clone()
                            .ok_or_else(|| function_error(name))
                    }),
                    "NOW" => no_args().map(|_| format_date_time(self.now)),
                    "TODAY" => no_args().map(|_| today.to_string()),
                    "YESTERDAY" => no_args().map(|_| shifted(-1)),
                    "TOMORROW" => no_args().map(|_| shifted(1)),
                    "FROM_TODAY" => {
                        if args.len() > 2 {
                            return Err(function_error(name));
                        }
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
                    "THIS_MONTH" | "LAST_MONTH" | "NEXT_MONTH" => {
                        let delta = match name.as_str() {
                            "LAST_MONTH" => -1,
                            "NEXT_MONTH" => 1,
                            _ => 0,
                        };
                        let month = month_prefix(today, delta);
                        match args.as_slice() {
                            [] => Ok(month),
                            [day] => month_day(&month, day),
                            _ => Err(function_error(name)),
                        }
                    }
                    "THIS_YEAR" => no_args().map(|_| today.year().to_string()),
                    "LAST_YEAR" => no_args().map(|_| (today.year() - 1).to_string()),
                    "NEXT_YEAR" => no_args().map(|_| (today.year() + 1).to_string()),
                    _ => Err(function_error(name)),
                }
            }
        }
    }

    /// Checks the query and resolves everything that does not depend on the record (field
    /// types and places, function values), once.
    pub fn compile(&self, query: &Query) -> Result<Plan> {
        let filter = query
            .filter
            .as_ref()
            .map(|e| self.compile_expr(e))
            .transpose()?;
        let order = query
            .order
            .iter()
            .map(|(field, desc)| {
                let (kind, target, _) = self.target(field)?;
                if matches!(target, Target::Field(FieldRef::Inner(..))) || kind == Kind::Table {
                    return Err(operator_error(field));
                }
                Ok((target, *desc, kind == Kind::Number))
            })
            .collect::<Result<_>>()?;
        Ok(Plan {
            filter,
            order,
            offset: self.now.offset(),
        })
    }

    fn compile_expr(&self, e: &Expr) -> Result<Compiled> {
        let field = match e {
            Expr::And(terms) => {
                return Ok(Compiled::And(
                    terms
                        .iter()
                        .map(|t| self.compile_expr(t))
                        .collect::<Result<_>>()?,
                ))
            }
            Expr::Or(terms) => {
                return Ok(Compiled::Or(
                    terms
                        .iter()
                        .map(|t| self.compile_expr(t))
                        .collect::<Result<_>>()?,
                ))
            }
            Expr::Compare { field, .. }
            | Expr::In { field, .. }
            | Expr::Like { field, .. }
            | Expr::Empty { field, .. } => field,
        };
        let op = operator(e);
        let (kind, target, field_type) = self.target(field)?;
        let in_table = matches!(target, Target::Field(FieldRef::Inner(..)));
        if in_table && !allowed_in_table(op) {
            return Err(KintoneError::new(
                400,
                "GAIA_IQ07",
                format!("The operators = and != cannot be used with the field ({field}) in a table; use in or not in."),
                format!("テーブル内のフィールド（{field}）には演算子=と!=を使用できません。inまたはnot inを使用してください。"),
            ));
        }
        if !allowed(field_type, op) {
            return Err(operator_error(field));
        }
        Ok(match e {
            Expr::Compare { cmp, value, .. } => {
                let operand = self.resolve(kind, value)?;
                if kind == Kind::Number && decimal::parse(&operand).is_none() {
                    return Err(syntax_error(format!("{operand:?} is not a number.")));
                }
                Compiled::Compare {
                    target,
                    kind,
                    cmp: *cmp,
                    // A date, month or year against a date-time: the user's day, month or year.
                    local: kind == Kind::DateTime && operand.len() <= 10,
                    operand,
                }
            }
            Expr::In {
                negated, values, ..
            } => {
                // kintone ignores `PRIMARY_ORGANIZATION()` for a user without a primary
                // department: the value is left out, and a list left empty is no condition.
                let values: Vec<&Operand> = values
                    .iter()
                    .filter(|v| {
                        self.primary_organization.is_some()
                            || !matches!(v, Operand::Func(name, _) if name == "PRIMARY_ORGANIZATION")
                    })
                    .collect();
                if values.is_empty() {
                    return Ok(Compiled::And(Vec::new()));
                }
                Compiled::In {
                    target,
                    numeric: kind == Kind::Number,
                    negated: *negated,
                    wanted: values
                        .into_iter()
                        .map(|v| self.resolve(kind, v))
                        .collect::<Result<Vec<_>>>()?,
                }
            }
            Expr::Like { negated, value, .. } => Compiled::Like {
                target,
                negated: *negated,
                needle: value.to_lowercase(),
            },
            Expr::Empty { negated, .. } => Compiled::Empty {
                target,
                negated: *negated,
            },
            Expr::And(_) | Expr::Or(_) => unreachable!("handled above"),
        })
    }
}

/// A query ready to run: its filter with every operand resolved, and its sort order.
#[derive(Debug)]
pub struct Plan {
    filter: Option<Compiled>,
    /// `(target, descending, numeric)`.
    order: Vec<(Target, bool, bool)>,
    /// The user's time zone, for date conditions on date-times.
    offset: UtcOffset,
}

#[derive(Debug)]
enum Compiled {
    And(Vec<Compiled>),
    Or(Vec<Compiled>),
    Compare {
        target: Target,
        kind: Kind,
        cmp: Cmp,
        operand: String,
        local: bool,
    },
    In {
        target: Target,
        numeric: bool,
        negated: bool,
        wanted: Vec<String>,
    },
    Like {
        target: Target,
        negated: bool,
        needle: String,
    },
    Empty {
        target: Target,
        negated: bool,
    },
}

/// One sort key of a record.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key<'r> {
    /// Exact decimals; an empty or unreadable number sorts first.
    Number(Option<decimal::Decimal<'r>>),
    Id(u64),
    Text(Cow<'r, str>),
}

/// How the records of a plan are read from the id index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdScan {
    pub from: Bound<u64>,
    pub to: Bound<u64>,
    /// Whether the records come in `$id` descending order.
    pub descending: bool,
}

impl Plan {
    /// Whether a record matches the filter.
    pub fn matches(&self, r: &dyn Subject) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|f| f.matches(r, self.offset))
    }

    /// When the records can be read in `$id` order from the id index (no `order by`, or
    /// `order by $id` alone): the range of ids the filter allows and the direction.
    pub fn id_scan(&self) -> Option<IdScan> {
        let descending = match self.order.as_slice() {
            [] => true,
            [(Target::Id, desc, _)] => *desc,
            _ => return None,
        };
        let mut scan = IdScan {
            from: Bound::Unbounded,
            to: Bound::Unbounded,
            descending,
        };
        let mut narrow = |c: &Compiled| {
            if let Compiled::Compare {
                target: Target::Id,
                cmp,
                operand,
                ..
            } = c
            {
                // Only whole ids narrow the range; other numbers are left to the filter.
                let Ok(n) = operand.parse::<u64>() else {
                    return;
                };
                let (from, to) = match cmp {
                    Cmp::Gt => (Bound::Excluded(n), Bound::Unbounded),
                    Cmp::Ge => (Bound::Included(n), Bound::Unbounded),
                    Cmp::Lt => (Bound::Unbounded, Bound::Excluded(n)),
                    Cmp::Le => (Bound::Unbounded, Bound::Included(n)),
                    Cmp::Eq => (Bound::Included(n), Bound::Included(n)),
                    Cmp::Ne => return,
                };
                scan.from = tighter_from(scan.from, from);
                scan.to = tighter_to(scan.to, to);
            }
        };
        match &self.filter {
            Some(Compiled::And(terms)) => terms.iter().for_each(&mut narrow),
            Some(c) => narrow(c),
            None => {}
        }
        Some(scan)
    }

    /// The record's sort keys, to compute once per record before sorting.
    pub fn sort_key<'r>(&self, r: &'r dyn Subject) -> Vec<Key<'r>> {
        self.order
            .iter()
            .map(|(target, _, numeric)| match target {
                Target::Id => Key::Id(r.id()),
                Target::Revision => Key::Id(r.revision()),
                Target::Field(FieldRef::Top(slot)) => {
                    let text = r.cell(*slot).text();
                    if *numeric {
                        Key::Number(decimal::parse(text))
                    } else {
                        Key::Text(Cow::Borrowed(text))
                    }
                }
                Target::Field(FieldRef::Inner(..)) => Key::Text(Cow::Borrowed("")),
            })
            .collect()
    }

    /// Compares two records by their keys and ids (`$id` descending when there is no order).
    pub fn compare(&self, a: (&[Key], u64), b: (&[Key], u64)) -> Ordering {
        if self.order.is_empty() {
            return b.1.cmp(&a.1);
        }
        for (i, (_, desc, _)) in self.order.iter().enumerate() {
            let o = a.0[i].cmp(&b.0[i]);
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        a.1.cmp(&b.1)
    }
}

fn tighter_from(a: Bound<u64>, b: Bound<u64>) -> Bound<u64> {
    let key = |x: &Bound<u64>| match x {
        Bound::Unbounded => (0u128, 0u8),
        Bound::Included(n) => (*n as u128, 1),
        Bound::Excluded(n) => (*n as u128, 2),
    };
    if key(&a) >= key(&b) {
        a
    } else {
        b
    }
}

fn tighter_to(a: Bound<u64>, b: Bound<u64>) -> Bound<u64> {
    let key = |x: &Bound<u64>| match x {
        Bound::Unbounded => (u128::MAX, 0u8),
        Bound::Included(n) => (*n as u128, 1),
        Bound::Excluded(n) => (*n as u128, 0),
    };
    if key(&a) <= key(&b) {
        a
    } else {
        b
    }
}

/// The texts a target holds in a record, row by row: one group for a top-level field (one
/// text for scalars; each option, entity code or file name for lists), one group per row for a
/// field in a subtable.
fn groups<'r>(target: Target, r: &'r dyn Subject, mut f: impl FnMut(&[Cow<'r, str>]) -> bool) {
    match target {
        Target::Id => {
            f(&[Cow::Owned(r.id().to_string())]);
        }
        Target::Revision => {
            f(&[Cow::Owned(r.revision().to_string())]);
        }
        Target::Field(FieldRef::Top(slot)) => {
            f(&texts(r.cell(slot)));
        }
        Target::Field(FieldRef::Inner(slot, inner)) => {
            if let Cell::Rows(rows) = r.cell(slot) {
                for row in rows.iter() {
                    if let Some(cell) = row.cells.get(inner) {
                        if !f(&texts(cell)) {
                            return;
                        }
                    }
                }
            }
        }
    }
}

fn texts(cell: &Cell) -> Vec<Cow<'_, str>> {
    match cell {
        Cell::Null => vec![Cow::Borrowed("")],
        Cell::Text(s) => vec![Cow::Borrowed(&**s)],
        Cell::Texts(items) => items.iter().map(|s| Cow::Borrowed(&**s)).collect(),
        Cell::Entity(e) => vec![Cow::Borrowed(&*e.code)],
        Cell::Entities(items) => items.iter().map(|e| Cow::Borrowed(&*e.code)).collect(),
        Cell::Files(items) => items.iter().map(|f| Cow::Borrowed(&*f.name)).collect(),
        Cell::Rows(_) => Vec::new(),
    }
}

impl Compiled {
    fn matches(&self, r: &dyn Subject, offset: UtcOffset) -> bool {
        match self {
            Compiled::And(terms) => terms.iter().all(|t| t.matches(r, offset)),
            Compiled::Or(terms) => terms.iter().any(|t| t.matches(r, offset)),
            Compiled::Compare {
                target,
                kind,
                cmp,
                operand,
                local,
            } => {
                if let (Target::Id | Target::Revision, Ok(n)) = (target, operand.parse::<u64>()) {
                    let have = if *target == Target::Id {
                        r.id()
                    } else {
                        r.revision()
                    };
                    return holds(*cmp, Some(have.cmp(&n)));
                }
                let test = |group: &[Cow<str>]| {
                    let text = group.first().map(|t| t.as_ref()).unwrap_or("");
                    holds(*cmp, compare(*kind, text, operand, *local, offset))
                };
                self.positive(*target, r, test)
            }
            Compiled::In {
                target,
                numeric,
                negated,
                wanted,
            } => {
                let hit = |group: &[Cow<str>]| {
                    group.iter().any(|h| {
                        wanted.iter().any(|w| {
                            if *numeric {
                                decimal::equal(h, w)
                            } else {
                                h == w
                            }
                        })
                    })
                };
                self.test(*target, *negated, r, hit)
            }
            Compiled::Like {
                target,
                negated,
                needle,
            } => {
                let hit = |group: &[Cow<str>]| {
                    group
                        .iter()
                        .any(|h| h.to_lowercase().contains(needle.as_str()))
                };
                self.test(*target, *negated, r, hit)
            }
            Compiled::Empty { target, negated } => {
                let empty = |group: &[Cow<str>]| group.iter().all(|v| v.is_empty());
                self.test(*target, *negated, r, empty)
            }
        }
    }

    /// Some group (the field, or some row of its subtable) passes.
    fn positive<'r>(
        &self,
        target: Target,
        r: &'r dyn Subject,
        test: impl Fn(&[Cow<'r, str>]) -> bool,
    ) -> bool {
        let mut any = false;
        groups(target, r, |g| {
            any = test(g);
            !any
        });
        any
    }

    /// `hit`, or its negation. In a subtable a positive condition needs one row to hit; a
    /// negative one needs every row to miss, and a record without rows never matches it.
    fn test<'r>(
        &self,
        target: Target,
        negated: bool,
        r: &'r dyn Subject,
        hit: impl Fn(&[Cow<'r, str>]) -> bool,
    ) -> bool {
        if !negated {
            return self.positive(target, r, hit);
        }
        let mut rows = 0usize;
        let mut all_miss = true;
        groups(target, r, |g| {
            rows += 1;
            all_miss = !hit(g);
            all_miss
        });
        let in_table = matches!(target, Target::Field(FieldRef::Inner(..)));
        all_miss && (!in_table || rows > 0)
    }
}

fn holds(cmp: Cmp, ord: Option<Ordering>) -> bool {
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

/// How a stored text compares with an operand, by the field's kind; `None` when it cannot
/// (an empty or unreadable value).
fn compare(
    kind: Kind,
    text: &str,
    operand: &str,
    local: bool,
    offset: UtcOffset,
) -> Option<Ordering> {
    match kind {
        Kind::Number => decimal::compare(text, operand),
        Kind::Date | Kind::Time | Kind::DateTime => {
            if text.is_empty() {
                return None;
            }
            let shown: Cow<str> = if local {
                Cow::Owned(in_zone(text, offset)?)
            } else {
                Cow::Borrowed(text)
            };
            let cut = shown.get(..operand.len()).unwrap_or(&shown);
            Some(cut.cmp(operand))
        }
        _ => Some(text.cmp(operand)),
    }
}

/// A stored UTC date-time as the user reads it: `YYYY-MM-DDTHH:MM:SS` in their time zone.
fn in_zone(utc: &str, offset: UtcOffset) -> Option<String> {
    let t = OffsetDateTime::parse(utc, &time::format_description::well_known::Rfc3339).ok()?;
    let t = t.to_offset(offset);
    Some(format!(
        "{}T{:02}:{:02}:{:02}",
        t.date(),
        t.hour(),
        t.minute(),
        t.second()
    ))
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

/// `THIS_MONTH(15)`, `THIS_MONTH(LAST)`: a day of the month named by `month` (`YYYY-MM`).
fn month_day(month: &str, day: &str) -> Result<String> {
    let bad = || {
        KintoneError::new(
            400,
            "GAIA_IQ23",
            format!("The day ({day}) is not valid for the month."),
            format!("月の日付（{day}）が正しくありません。"),
        )
    };
    let (y, m) = month.split_once('-').ok_or_else(bad)?;
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u8 = m.parse().map_err(|_| bad())?;
    let month = time::Month::try_from(month).map_err(|_| bad())?;
    let last = month.length(year);
    let d: u8 = if day.eq_ignore_ascii_case("LAST") {
        last
    } else {
        day.parse()
            .ok()
            .filter(|d| (1..=31).contains(d))
            .ok_or_else(bad)?
    };
    // A day past the month's end (THIS_MONTH(31) in April) is its last day.
    Ok(format!("{year:04}-{:02}-{:02}", month as u8, d.min(last)))
}

fn format_date_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
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
        .map(format_date_time)
        .map_err(|_| syntax_error(format!("{s:?} is not a date and time.")))
}

/// A stored record is what queries are evaluated over.
impl Subject for crate::domain::store::StoredRecord {
    fn id(&self) -> u64 {
        self.id
    }
    fn revision(&self) -> u64 {
        self.revision
    }
    fn cell(&self, slot: usize) -> &Cell {
        &self.cells[slot]
    }
}

#[cfg(test)]
mod tests {
    use super::super::parser::parse;
    use super::*;
    use serde_json::Value;

    const CODES: [(&str, FieldType); 9] = [
        ("Title", FieldType::SingleLineText),
        ("Body", FieldType::MultiLineText),
        ("Amount", FieldType::Number),
        ("Kind", FieldType::DropDown),
        ("Tags", FieldType::CheckBox),
        ("Due", FieldType::Date),
        ("When", FieldType::Datetime),
        ("Owner", FieldType::UserSelect),
        ("Lines", FieldType::Subtable),
    ];

    struct R(u64, Vec<Cell>);

    impl Subject for R {
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
        match code {
            "Item" => return Some((FieldType::SingleLineText, FieldRef::Inner(8, 0))),
            "Qty" => return Some((FieldType::Number, FieldRef::Inner(8, 1))),
            _ => {}
        }
        CODES
            .iter()
            .position(|(c, _)| *c == code)
            .map(|i| (CODES[i].1, FieldRef::Top(i)))
    }

    fn record(id: u64, v: Value) -> R {
        R(
            id,
            CODES.iter().map(|(c, _)| Cell::from_json(&v[c])).collect(),
        )
    }

    fn rows() -> Vec<R> {
        vec![
            record(
                1,
                serde_json::json!({"Title": "Alpha", "Body": "first line", "Amount": "10", "Kind": "A", "Tags": ["x"], "Due": "2024-08-01", "When": "2024-08-01T00:30:00Z", "Owner": [{"code": "sato", "name": "Sato"}],
                    "Lines": [{"id": 1, "value": {"Item": "pen", "Qty": "2"}}, {"id": 2, "value": {"Item": "ink", "Qty": "5"}}]}),
            ),
            record(
                2,
                serde_json::json!({"Title": "Beta", "Body": "", "Amount": "2.5", "Kind": "B", "Tags": ["x", "y"], "Due": "2024-09-15", "When": "2024-09-15T12:00:00Z", "Owner": [],
                    "Lines": [{"id": 3, "value": {"Item": "pen", "Qty": "1"}}]}),
            ),
            record(
                3,
                serde_json::json!({"Title": "", "Body": "ALPHA again", "Amount": "", "Kind": null, "Tags": [], "Due": null, "When": "", "Owner": [{"code": "suzuki"}], "Lines": []}),
            ),
        ]
    }

    fn evaluator_at(now: OffsetDateTime) -> Evaluator<'static> {
        Evaluator::new(&resolve, "sato", now)
    }

    fn hits_at(q: &str, now: OffsetDateTime) -> Vec<u64> {
        let rows = rows();
        let plan = evaluator_at(now).compile(&parse(q).unwrap()).unwrap();
        let mut out: Vec<(Vec<Key>, u64)> = rows
            .iter()
            .filter(|r| plan.matches(*r))
            .map(|r| (plan.sort_key(r), r.0))
            .collect();
        out.sort_by(|a, b| plan.compare((&a.0, a.1), (&b.0, b.1)));
        out.iter().map(|r| r.1).collect()
    }

    fn hits(q: &str) -> Vec<u64> {
        hits_at(q, OffsetDateTime::now_utc())
    }

    #[test]
    fn primary_organization_names_the_users_department_or_is_ignored_without_one() {
        let rows = rows();
        let query = parse("Owner in (PRIMARY_ORGANIZATION()) order by $id asc").unwrap();
        let matching = |primary: Option<&str>| -> Vec<u64> {
            let plan = evaluator_at(OffsetDateTime::now_utc())
                .with_primary_organization(primary.map(str::to_string))
                .compile(&query)
                .unwrap();
            rows.iter()
                .filter(|r| plan.matches(*r))
                .map(|r| r.0)
                .collect()
        };
        assert_eq!(matching(Some("suzuki")), vec![3]);
        assert_eq!(
            matching(None),
            vec![1, 2, 3],
            "kintone ignores the condition"
        );
    }

    fn error(q: &str) -> &'static str {
        evaluator_at(OffsetDateTime::now_utc())
            .check(&parse(q).unwrap())
            .unwrap_err()
            .code
    }

    #[test]
    fn comparisons_follow_the_field_type() {
        assert_eq!(
            hits("Amount > 3"),
            vec![1],
            "numbers compare as numbers, not text"
        );
        assert_eq!(hits("Amount >= 2.5 order by Amount asc"), vec![2, 1]);
        assert_eq!(hits("Amount = 2.50"), vec![2], "decimals compare exactly");
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
        assert_eq!(hits("Body is empty"), vec![2]);
        assert_eq!(hits("Body is not empty order by $id asc"), vec![1, 3]);
        assert_eq!(hits("Owner in (LOGINUSER())"), vec![1]);
        assert_eq!(
            hits(r#"(Kind in ("A") or Amount < 3) and Title != "Alpha""#),
            vec![2]
        );
    }

    #[test]
    fn subtable_fields_take_in_like_and_comparisons_but_not_equality() {
        assert_eq!(hits(r#"Item in ("ink")"#), vec![1], "some row matches");
        assert_eq!(hits(r#"Item in ("pen") order by $id asc"#), vec![1, 2]);
        assert_eq!(
            hits(r#"Item not in ("ink")"#),
            vec![2],
            "every row must miss, and a record without rows never matches"
        );
        assert_eq!(hits(r#"Item like "in""#), vec![1]);
        assert_eq!(hits("Qty > 4"), vec![1]);
        assert_eq!(error(r#"Item = "pen""#), "GAIA_IQ07");
        assert_eq!(error(r#"Qty != 1"#), "GAIA_IQ07");
        assert_eq!(error("order by Item asc"), "GAIA_IQ03");
    }

    #[test]
    fn date_functions_follow_the_users_time_zone() {
        // 2024-08-31 23:30 UTC is already 1 September in Tokyo.
        let utc = time::macros::datetime!(2024-08-31 23:30 UTC);
        let tokyo = utc.to_offset(time::macros::offset!(+9));
        assert_eq!(hits_at("Due = TODAY()", utc), Vec::<u64>::new());
        assert_eq!(
            hits_at(r#"Due = THIS_MONTH()"#, utc),
            vec![1],
            "August in UTC"
        );
        assert_eq!(
            hits_at(r#"Due = THIS_MONTH()"#, tokyo),
            vec![2],
            "September in Tokyo"
        );
        assert_eq!(hits_at("Due < TODAY()", tokyo), vec![1]);
        // 2024-08-01T00:30Z is 1 August in UTC and in Tokyo, 31 July in New York.
        let new_york = utc.to_offset(time::macros::offset!(-4));
        assert_eq!(hits_at(r#"When = "2024-08-01""#, utc), vec![1]);
        assert_eq!(
            hits_at(r#"When = "2024-08-01""#, new_york),
            Vec::<u64>::new()
        );
        assert_eq!(hits_at(r#"When = "2024-07-31""#, new_york), vec![1]);
        assert_eq!(
            hits_at("Due = THIS_MONTH(LAST)", tokyo),
            Vec::<u64>::new(),
            "30 September"
        );
        assert_eq!(hits_at("Due = LAST_MONTH(1)", tokyo), vec![1]);
    }

    #[test]
    fn id_ranges_are_read_from_the_filter() {
        let ev = evaluator_at(OffsetDateTime::now_utc());
        let plan = |q: &str| ev.compile(&parse(q).unwrap()).unwrap();
        assert_eq!(
            plan("$id > 5 and $id <= 9 and Amount > 1 order by $id asc").id_scan(),
            Some(IdScan {
                from: Bound::Excluded(5),
                to: Bound::Included(9),
                descending: false
            })
        );
        assert_eq!(
            plan("$id > 5 or $id < 2").id_scan(),
            Some(IdScan {
                from: Bound::Unbounded,
                to: Bound::Unbounded,
                descending: true
            }),
            "or does not narrow"
        );
        assert_eq!(plan("order by Amount desc").id_scan(), None);
        assert_eq!(hits("$id >= 2 order by $id asc"), vec![2, 3]);
    }

    #[test]
    fn unknown_fields_and_wrong_operators_are_kintones_errors() {
        assert_eq!(error("Nope = 1"), "GAIA_IQ11");
        assert_eq!(error(r#"Amount like "1""#), "GAIA_IQ03");
        // The spec's table: `is empty` is for text areas and attachments only.
        assert_eq!(error("Title is empty"), "GAIA_IQ03");
        assert_eq!(error("Due is not empty"), "GAIA_IQ03");
        assert_eq!(error(r#"Kind = "A""#), "GAIA_IQ03");
        assert_eq!(error("Due = FROM_TODAY(1, EONS)"), "GAIA_IQ25");
        assert_eq!(error("Due = BOGUS()"), "GAIA_IL08");
        assert_eq!(error("Due = TODAY(1)"), "GAIA_IL08");
        assert_eq!(error("Due = THIS_MONTH(32)"), "GAIA_IQ23");
        assert!(evaluator_at(OffsetDateTime::now_utc())
            .check(&parse("Due >= FROM_TODAY(-7, DAYS) and Due < THIS_MONTH()").unwrap())
            .is_ok());
    }
}

//! kintone's query language: a typed builder ([`Query`], [`Field`], [`Condition`]), and the
//! checks the client runs on every query string before sending.
//!
//! ```
//! use kintone_api::query::{DateFunction, Field, Order, Query};
//!
//! let title = Field::text("Title");
//! let amount = Field::number("Amount");
//! let due = Field::date("Due");
//! let query = Query::new()
//!     .filter(
//!         title.like("report \"Q3\"")
//!             .and(amount.ge(1000))
//!             .and(due.lt(DateFunction::from_today(7, kintone_api::query::Unit::Days))),
//!     )
//!     .order_by("Amount", Order::Desc)
//!     .order_by("$id", Order::Asc)
//!     .limit(100)
//!     .build()?;
//! assert_eq!(
//!     query,
//!     r#"Title like "report \"Q3\"" and Amount >= "1000" and Due < FROM_TODAY(7, DAYS) order by Amount desc, $id asc limit 100"#
//! );
//! # Ok::<(), kintone_api::query::QueryError>(())
//! ```
//!
//! Every value is written as a quoted string with `"` and `\` escaped (and line breaks and
//! tabs, which kintone refuses raw inside a string, as `\n`, `\r`, `\t`), and every field
//! code is checked, so no value can change the structure of the query. Each kind of field takes
//! the operators kintone allows for it, checked by the compiler.
//!
//! Get Records takes its paging in the query language itself (`… order by $id limit 500 offset
//! 100`), so the documented limits on `limit` and `offset` can only be checked by reading the
//! query's trailing clauses. Quoted strings are skipped, so a value such as `"limit 9999"` is
//! not mistaken for a clause.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::marker::PhantomData;

use crate::limits::{MAX_QUERY_OFFSET, MAX_RECORDS_PER_PAGE};
use crate::{Date, DateTime, Decimal, LimitError, Time};

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

/// Whether the query has an `order by` clause, outside string literals.
pub(crate) fn has_order_by(query: &str) -> bool {
    tokens(query)
        .windows(2)
        .any(|w| w[0].eq_ignore_ascii_case("order") && w[1].eq_ignore_ascii_case("by"))
}

/// Fails when the query's `limit` or `offset` is above the given maximum.
pub(crate) fn check_limits(
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
pub(crate) fn forbid_limit_offset(field: &'static str, query: &str) -> Result<(), LimitError> {
    match clauses(query).first() {
        Some((clause, _)) => Err(LimitError::QueryClauseNotAllowed { field, clause }),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// The builder

/// Why a [`Query`] could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// `limit` or `offset` is past kintone's maximum.
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// A field code that kintone would not read as one (empty, a space, a quote, an operator
    /// character…); written as is, it could change the query's structure.
    #[error("{0:?} is not a field code")]
    FieldCode(String),
}

/// A whole query: a filter, `order by`, `limit` and `offset`. Written out by
/// [`build`](Query::build), ready for `get_records(…).query(…)`.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct Query {
    filter: Option<Condition>,
    order: Vec<(String, Order)>,
    limit: Option<u64>,
    offset: Option<u64>,
}

/// The direction of an `order by` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Ascending (`asc`).
    Asc,
    /// Descending (`desc`).
    Desc,
}

impl Query {
    /// A query with no condition: every record, in kintone's default order (`$id desc`).
    pub fn new() -> Self {
        Self::default()
    }

    /// The records to find; a second call replaces the first.
    pub fn filter(mut self, condition: Condition) -> Self {
        self.filter = Some(condition);
        self
    }

    /// Adds a sort key, a field constant (`Sale::DUE`, `Field::record_id()`) or a field code;
    /// the first added sorts first. A constant of a kind kintone does not sort by (a field in a
    /// table, a check box) does not compile.
    pub fn order_by(mut self, field: impl SortKey, order: Order) -> Self {
        self.order.push((field.sort_code(), order));
        self
    }

    /// At most this many records; kintone allows
    /// [`MAX_RECORDS_PER_PAGE`], checked by
    /// [`build`](Self::build).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Skips this many records; kintone allows
    /// [`MAX_QUERY_OFFSET`], checked by [`build`](Self::build).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Writes the query, after checking its field codes, `limit` and `offset`.
    pub fn build(&self) -> Result<String, QueryError> {
        let clause = |clause, max: usize, actual: Option<u64>| match actual {
            Some(actual) if actual > max as u64 => Err(LimitError::QueryClause {
                field: "query",
                clause,
                max: max as u64,
                actual,
            }),
            _ => Ok(()),
        };
        clause("limit", MAX_RECORDS_PER_PAGE, self.limit)?;
        clause("offset", MAX_QUERY_OFFSET, self.offset)?;
        let mut out = String::new();
        if let Some(filter) = &self.filter {
            filter.node.write(&mut out, false)?;
        }
        for (i, (field, order)) in self.order.iter().enumerate() {
            check_code(field)?;
            let order = match order {
                Order::Asc => "asc",
                Order::Desc => "desc",
            };
            let lead = if i == 0 { " order by " } else { ", " };
            let _ = write!(out, "{lead}{field} {order}");
        }
        if let Some(limit) = self.limit {
            let _ = write!(out, " limit {limit}");
        }
        if let Some(offset) = self.offset {
            let _ = write!(out, " offset {offset}");
        }
        Ok(out.trim_start().to_string())
    }
}

/// A condition on records: one comparison, or several joined with `and` or `or`. Made from a
/// [`Field`]; joined with [`and`](Self::and), [`or`](Self::or), [`all`](Self::all) and
/// [`any`](Self::any). A group inside another is written in parentheses.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    node: Node,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Compare {
        field: String,
        op: &'static str,
        value: Value,
    },
    List {
        field: String,
        op: &'static str,
        values: Vec<Value>,
    },
    Empty {
        field: String,
        negated: bool,
    },
    All(Vec<Node>),
    Any(Vec<Node>),
}

impl Condition {
    /// Every one of the conditions (`a and b and …`). With none, it matches every record.
    pub fn all(conditions: impl IntoIterator<Item = Condition>) -> Self {
        Self {
            node: Node::All(conditions.into_iter().map(|c| c.node).collect()),
        }
    }

    /// At least one of the conditions (`a or b or …`). With none, it matches every record.
    pub fn any(conditions: impl IntoIterator<Item = Condition>) -> Self {
        Self {
            node: Node::Any(conditions.into_iter().map(|c| c.node).collect()),
        }
    }

    /// This condition and another: `a.and(b).and(c)` is `a and b and c`.
    pub fn and(self, other: Condition) -> Self {
        match self.node {
            Node::All(mut nodes) => {
                nodes.push(other.node);
                Self {
                    node: Node::All(nodes),
                }
            }
            node => Self {
                node: Node::All(vec![node, other.node]),
            },
        }
    }

    /// This condition or another: `a.or(b).or(c)` is `a or b or c`.
    pub fn or(self, other: Condition) -> Self {
        match self.node {
            Node::Any(mut nodes) => {
                nodes.push(other.node);
                Self {
                    node: Node::Any(nodes),
                }
            }
            node => Self {
                node: Node::Any(vec![node, other.node]),
            },
        }
    }
}

impl Node {
    fn is_void(&self) -> bool {
        match self {
            Node::All(nodes) | Node::Any(nodes) => nodes.iter().all(Node::is_void),
            _ => false,
        }
    }

    /// Writes the node; `nested` puts a group of several in parentheses.
    fn write(&self, out: &mut String, nested: bool) -> Result<(), QueryError> {
        match self {
            Node::Compare { field, op, value } => {
                check_code(field)?;
                let _ = write!(out, "{field} {op} {value}");
            }
            Node::List { field, op, values } => {
                check_code(field)?;
                let _ = write!(out, "{field} {op} (");
                for (i, value) in values.iter().enumerate() {
                    let _ = write!(out, "{}{value}", if i == 0 { "" } else { ", " });
                }
                out.push(')');
            }
            Node::Empty { field, negated } => {
                check_code(field)?;
                let not = if *negated { "not " } else { "" };
                let _ = write!(out, "{field} is {not}empty");
            }
            Node::All(nodes) | Node::Any(nodes) => {
                let joiner = if matches!(self, Node::All(_)) {
                    " and "
                } else {
                    " or "
                };
                let nodes: Vec<&Node> = nodes.iter().filter(|n| !n.is_void()).collect();
                let parenthesised = nested && nodes.len() > 1;
                if parenthesised {
                    out.push('(');
                }
                for (i, node) in nodes.iter().enumerate() {
                    if i > 0 {
                        out.push_str(joiner);
                    }
                    node.write(out, true)?;
                }
                if parenthesised {
                    out.push(')');
                }
            }
        }
        Ok(())
    }
}

/// A field code as kintone reads one: letters, digits, `_`, `・`, `$`, `＄`, `￥`, and `.`
/// between a related-records field and its field, not starting with a digit, and not one of
/// the query language's keywords.
fn check_code(code: &str) -> Result<(), QueryError> {
    let allowed = |c: char| c.is_alphanumeric() || "_・$＄￥.".contains(c);
    let first_ok = code.chars().next().is_some_and(|c| !c.is_ascii_digit());
    // The query language's own words would be read as such where a field code is expected.
    const KEYWORDS: [&str; 13] = [
        "and", "or", "not", "in", "like", "is", "empty", "order", "by", "asc", "desc", "limit",
        "offset",
    ];
    let keyword = KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(code));
    if first_ok
        && !keyword
        && code.chars().all(allowed)
        && !code.starts_with('.')
        && !code.ends_with('.')
    {
        Ok(())
    } else {
        Err(QueryError::FieldCode(code.to_string()))
    }
}

/// One value on the right of an operator.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    /// Written quoted and escaped.
    Text(String),
    /// A function: its name and bare arguments, all from this module's own words.
    Function(&'static str, Vec<String>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(text) => {
                f.write_char('"')?;
                for c in text.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\r' => f.write_str("\\r")?,
                        '\t' => f.write_str("\\t")?,
                        c => f.write_char(c)?,
                    }
                }
                f.write_char('"')
            }
            Value::Function(name, args) => write!(f, "{name}({})", args.join(", ")),
        }
    }
}

/// A field of an app, by its code, typed by what kintone lets a query do with it.
///
/// Its kind `K` (one of [`kind`]) offers the operators kintone allows on the field's type, as the
/// spec states them: [`Equality`] (`=` `!=`), [`Ordered`] (`<` `<=` `>` `>=`), [`Membership`]
/// (`in` `not in`), [`Search`] (`like` `not like`) and [`Emptiness`] (`is empty`
/// `is not empty`). Each kind's page lists its field types and operators; the constructors
/// (`text`, `number`, `status`, …) name the kind of a field whose code is known only at run
/// time, and `#[derive(KintoneRecord)]` gives each field a constant of the right kind.
///
/// A `Field` has no `PartialEq`: `eq` and `ne` are always kintone's operators, so a kind that
/// does not take `=` is an error naming the operators it does take. Compare fields by
/// [`code`](Field::code).
#[derive(Debug, Clone)]
pub struct Field<K> {
    code: Cow<'static, str>,
    kind: PhantomData<fn() -> K>,
}

/// The generated query kinds (`crate::generated::query_kinds`), one line each: a marker per kind
/// with the operator traits it takes, and the traits a table's field of any kind keeps.
macro_rules! query_kinds {
    (in_table: [$($table_op:ident),*]; $($(#[$doc:meta])* $kind:ident: [$($op:ident),*] [$($written:literal),*];)*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum $kind {}
            impl $crate::query::sealed::Sealed for $kind {}
            impl $crate::query::KindOperators for $kind {
                const OPERATORS: &'static [&'static str] = &[$($written),*];
                const SORTABLE: bool = $crate::query::query_kinds!(@sortable $($op)*);
            }
            $(impl $crate::query::$op for $kind {})*
        )*
        $(impl<K: $crate::query::$table_op> $crate::query::$table_op for $crate::query::kind::InTable<K> {})*
    };
    // Whether `Sortable` is among a kind's traits: from the same list as its impl.
    (@sortable) => { false };
    (@sortable Sortable $($rest:ident)*) => { true };
    (@sortable $other:ident $($rest:ident)*) => { $crate::query::query_kinds!(@sortable $($rest)*) };
}
pub(crate) use query_kinds;

/// The kinds of [`Field`]: markers that choose the operators, generated from the spec's table of
/// field types and operators.
pub mod kind {
    pub use crate::generated::query_kinds::*;
    /// The query kind of fields that a query cannot compare (`$revision`, tables): their
    /// [`Field`](crate::query::Field) constant has a code and no operator.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum NotQueryable {}

    /// A field of kind `K` inside a table (SUBTABLE): it takes the operators of `K` that kintone
    /// allows on a table's fields, so not `=` and `!=` (`GAIA_IQ07`); use `in` and `not in`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct InTable<K>(core::convert::Infallible, core::marker::PhantomData<K>);
}

macro_rules! constructors {
    ($($(#[$doc:meta])* $fn:ident => $kind:ident),*) => {$(
        impl Field<kind::$kind> {
            $(#[$doc])*
            pub fn $fn(code: impl Into<String>) -> Self {
                Self { code: Cow::Owned(code.into()), kind: PhantomData }
            }
        }
    )*};
}

constructors!(
    /// A field of kind [`kind::Text`].
    text => Text,
    /// A field of kind [`kind::LongText`] (`like` on a file searches its name and content).
    long_text => LongText,
    /// A field of kind [`kind::RichText`].
    rich_text => RichText,
    /// A field of kind [`kind::Number`].
    number => Number,
    /// A field of kind [`kind::Date`].
    date => Date,
    /// A field of kind [`kind::DateTime`].
    date_time => DateTime,
    /// A field of kind [`kind::Time`].
    time => Time,
    /// A field of kind [`kind::Selection`].
    selection => Selection,
    /// The STATUS field of process management ([`kind::Status`]).
    status => Status,
    /// A field of kind [`kind::User`].
    user => User,
    /// A field of kind [`kind::Organization`].
    organization => Organization,
    /// A field of kind [`kind::Group`].
    group => Group
);

impl Field<kind::Number> {
    /// The record ID, `$id`.
    pub fn record_id() -> Self {
        Self::number("$id")
    }
}

impl<K> Field<K> {
    /// A field of the kind `K` by a code known at compile time, for constants: what
    /// `#[derive(KintoneRecord)]` gives each field of a struct (`Sale::AMOUNT`).
    pub const fn of(code: &'static str) -> Self {
        Self {
            code: Cow::Borrowed(code),
            kind: PhantomData,
        }
    }

    /// The field code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The same field, as one inside a table: `=` and `!=` are no longer offered (kintone
    /// refuses them on a table's fields).
    pub fn in_table(self) -> Field<kind::InTable<K>> {
        Field {
            code: self.code,
            kind: PhantomData,
        }
    }

    fn compare(&self, op: &'static str, value: Value) -> Condition {
        Condition {
            node: Node::Compare {
                field: self.code.to_string(),
                op,
                value,
            },
        }
    }

    fn list(&self, op: &'static str, values: Vec<Value>) -> Condition {
        Condition {
            node: Node::List {
                field: self.code.to_string(),
                op,
                values,
            },
        }
    }
}

/// What the conditions on a kind of field take as values. Which operators a kind takes is a
/// trait of its own ([`Equality`], [`Membership`], …), so that an operator a kind does not take
/// is one error in kintone's words.
pub trait Compared: sealed::Sealed {
    /// A value of this kind of field.
    type Operand: Into<Operand>;
}

// The operator traits, each with the compiler's message naming the field types that take its
// operators, are written from the spec (`rust-trait` of `x-kintone-query-operators`).
pub use crate::generated::query_operators::{Emptiness, Equality, Membership, Ordered, Search};

/// The kinds whose fields kintone sorts by, in `order by`.
#[diagnostic::on_unimplemented(
    message = "kintone does not sort records by a field of the kind `{Self}`",
    label = "not a sort key",
    note = "each kind's page in `kintone_api::query::kind` says whether kintone sorts by its field types, as the spec states it; a field in a table is never a sort key",
    note = "a field code as a string (`order_by(\"Priority\", …)`) is sent as it is, for the field types kintone sorts by beyond these"
)]
pub trait Sortable: sealed::Sealed {}

/// What [`Query::order_by`] sorts by: a field constant of a kind kintone sorts by
/// ([`Sortable`]), or a field code as text.
pub trait SortKey {
    /// The field code.
    fn sort_code(&self) -> String;
}

impl SortKey for &str {
    fn sort_code(&self) -> String {
        self.to_string()
    }
}

impl SortKey for String {
    fn sort_code(&self) -> String {
        self.clone()
    }
}

impl SortKey for &String {
    fn sort_code(&self) -> String {
        self.to_string()
    }
}

impl<K: Sortable> SortKey for Field<K> {
    fn sort_code(&self) -> String {
        self.code.to_string()
    }
}

impl<K: Sortable> SortKey for &Field<K> {
    fn sort_code(&self) -> String {
        self.code.to_string()
    }
}

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// The operators of a kind as a query writes them, for the table of field types.
pub(crate) trait KindOperators {
    const OPERATORS: &'static [&'static str];
    /// The kind is [`Sortable`].
    const SORTABLE: bool;
}

impl KindOperators for kind::NotQueryable {
    const OPERATORS: &'static [&'static str] = &[];
    const SORTABLE: bool = false;
}

/// A value written into a query: made from the operand types of each kind (text, a
/// [`Decimal`], a [`Date`], a [`DateFunction`], …), never from raw query text.
#[derive(Debug, Clone, PartialEq)]
pub struct Operand(Value);

impl From<String> for Operand {
    fn from(text: String) -> Self {
        Operand(Value::Text(text))
    }
}

impl From<&str> for Operand {
    fn from(text: &str) -> Self {
        Operand(Value::Text(text.to_string()))
    }
}

/// Values written in a query as they display.
macro_rules! displayed_operand {
    ($($t:ty),*) => {$(
        impl From<$t> for Operand {
            fn from(value: $t) -> Self {
                Operand(Value::Text(value.to_string()))
            }
        }
    )*};
}

displayed_operand!(Decimal, Date, DateTime, Time);
displayed_operand!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

/// A number for a query: any integer or a [`Decimal`].
#[derive(Debug, Clone, PartialEq)]
pub struct NumberOperand(Operand);

impl<T: Into<Decimal>> From<T> for NumberOperand {
    fn from(value: T) -> Self {
        NumberOperand(Operand::from(value.into()))
    }
}

impl From<NumberOperand> for Operand {
    fn from(value: NumberOperand) -> Self {
        value.0
    }
}

/// A date for a query: a [`Date`] or a [`DateFunction`].
#[derive(Debug, Clone, PartialEq)]
pub struct DateOperand(Operand);

impl From<Date> for DateOperand {
    fn from(date: Date) -> Self {
        DateOperand(date.into())
    }
}

impl From<DateFunction> for DateOperand {
    fn from(function: DateFunction) -> Self {
        DateOperand(Operand(function.value()))
    }
}

impl From<DateOperand> for Operand {
    fn from(value: DateOperand) -> Self {
        value.0
    }
}

/// A date and time for a query: a [`DateTime`], a [`DateFunction`] (the whole day it names)
/// or [`now`].
#[derive(Debug, Clone, PartialEq)]
pub struct DateTimeOperand(Operand);

impl From<DateTime> for DateTimeOperand {
    fn from(value: DateTime) -> Self {
        DateTimeOperand(value.into())
    }
}

impl From<DateFunction> for DateTimeOperand {
    fn from(function: DateFunction) -> Self {
        DateTimeOperand(Operand(function.value()))
    }
}

impl From<DateTimeOperand> for Operand {
    fn from(value: DateTimeOperand) -> Self {
        value.0
    }
}

/// `NOW()`: the moment the query runs, for date-time fields.
pub fn now() -> DateTimeOperand {
    DateTimeOperand(Operand(Value::Function("NOW", Vec::new())))
}

/// A user for a query: a login name, or [`login_user`].
#[derive(Debug, Clone, PartialEq)]
pub struct UserOperand(Operand);

impl<T: Into<String>> From<T> for UserOperand {
    fn from(login: T) -> Self {
        UserOperand(Operand::from(login.into()))
    }
}

impl From<UserOperand> for Operand {
    fn from(value: UserOperand) -> Self {
        value.0
    }
}

/// `LOGINUSER()`: the user the query runs as.
pub fn login_user() -> UserOperand {
    UserOperand(Operand(Value::Function("LOGINUSER", Vec::new())))
}

/// An organization for a query: an organization code, or [`primary_organization`].
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationOperand(Operand);

impl<T: Into<String>> From<T> for OrganizationOperand {
    fn from(code: T) -> Self {
        OrganizationOperand(Operand::from(code.into()))
    }
}

impl From<OrganizationOperand> for Operand {
    fn from(value: OrganizationOperand) -> Self {
        value.0
    }
}

/// `PRIMARY_ORGANIZATION()`: the primary organization of the user the query runs as (kintone
/// ignores the condition for a user without one).
pub fn primary_organization() -> OrganizationOperand {
    OrganizationOperand(Operand(Value::Function("PRIMARY_ORGANIZATION", Vec::new())))
}

/// The unit of [`DateFunction::from_today`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// `DAYS`.
    Days,
    /// `WEEKS`.
    Weeks,
    /// `MONTHS`.
    Months,
    /// `YEARS`.
    Years,
}

/// A day of the week, for [`DateFunction::this_week`] and its twins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weekday {
    /// `SUNDAY`.
    Sunday,
    /// `MONDAY`.
    Monday,
    /// `TUESDAY`.
    Tuesday,
    /// `WEDNESDAY`.
    Wednesday,
    /// `THURSDAY`.
    Thursday,
    /// `FRIDAY`.
    Friday,
    /// `SATURDAY`.
    Saturday,
}

/// A day of the month, for [`DateFunction::this_month`] and its twins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthDay {
    /// A day from 1 to 31 (kintone refuses others with `GAIA_IQ23`).
    Day(u8),
    /// The month's last day.
    Last,
}

/// kintone's date functions, evaluated in the time zone of the user the query runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFunction {
    name: &'static str,
    args: Vec<String>,
}

impl DateFunction {
    fn new(name: &'static str, args: Vec<String>) -> Self {
        Self { name, args }
    }

    fn value(self) -> Value {
        Value::Function(self.name, self.args)
    }

    /// `TODAY()`.
    pub fn today() -> Self {
        Self::new("TODAY", Vec::new())
    }

    /// `YESTERDAY()`.
    pub fn yesterday() -> Self {
        Self::new("YESTERDAY", Vec::new())
    }

    /// `TOMORROW()`.
    pub fn tomorrow() -> Self {
        Self::new("TOMORROW", Vec::new())
    }

    /// `FROM_TODAY(n, DAYS|WEEKS|MONTHS|YEARS)`: `n` units from today, back when negative.
    pub fn from_today(n: i64, unit: Unit) -> Self {
        let unit = match unit {
            Unit::Days => "DAYS",
            Unit::Weeks => "WEEKS",
            Unit::Months => "MONTHS",
            Unit::Years => "YEARS",
        };
        Self::new("FROM_TODAY", vec![n.to_string(), unit.to_string()])
    }

    fn week(name: &'static str, day: Option<Weekday>) -> Self {
        let day = day.map(|d| format!("{d:?}").to_ascii_uppercase());
        Self::new(name, day.into_iter().collect())
    }

    /// `THIS_WEEK()`, or with a day, that day of this week.
    pub fn this_week(day: Option<Weekday>) -> Self {
        Self::week("THIS_WEEK", day)
    }

    /// `LAST_WEEK()`, or with a day, that day of last week.
    pub fn last_week(day: Option<Weekday>) -> Self {
        Self::week("LAST_WEEK", day)
    }

    /// `NEXT_WEEK()`, or with a day, that day of next week.
    pub fn next_week(day: Option<Weekday>) -> Self {
        Self::week("NEXT_WEEK", day)
    }

    fn month(name: &'static str, day: Option<MonthDay>) -> Self {
        let day = day.map(|d| match d {
            MonthDay::Day(n) => n.to_string(),
            MonthDay::Last => "LAST".to_string(),
        });
        Self::new(name, day.into_iter().collect())
    }

    /// `THIS_MONTH()`, or with a day, that day of this month.
    pub fn this_month(day: Option<MonthDay>) -> Self {
        Self::month("THIS_MONTH", day)
    }

    /// `LAST_MONTH()`, or with a day, that day of last month.
    pub fn last_month(day: Option<MonthDay>) -> Self {
        Self::month("LAST_MONTH", day)
    }

    /// `NEXT_MONTH()`, or with a day, that day of next month.
    pub fn next_month(day: Option<MonthDay>) -> Self {
        Self::month("NEXT_MONTH", day)
    }

    /// `THIS_YEAR()`.
    pub fn this_year() -> Self {
        Self::new("THIS_YEAR", Vec::new())
    }

    /// `LAST_YEAR()`.
    pub fn last_year() -> Self {
        Self::new("LAST_YEAR", Vec::new())
    }

    /// `NEXT_YEAR()`.
    pub fn next_year() -> Self {
        Self::new("NEXT_YEAR", Vec::new())
    }
}

// The values each kind's conditions take. Which operators a kind takes is generated from the
// spec (`crate::generated::query_kinds`); a kind the spec adds fails to compile here until its
// operand is chosen.
macro_rules! operands {
    ($($k:ident => $op:ty),*) => {$(
        impl Compared for kind::$k {
            type Operand = $op;
        }
    )*};
}

operands!(
    Text => String,
    LongText => String,
    RichText => String,
    Number => NumberOperand,
    Date => DateOperand,
    DateTime => DateTimeOperand,
    Time => Time,
    Selection => String,
    Status => String,
    User => UserOperand,
    Organization => OrganizationOperand,
    Group => String
);

// Fields a query cannot name (`$revision`, a table itself) take no operator; their operand is
// only there so that calling one is a single error, on the operator's trait.
impl sealed::Sealed for kind::NotQueryable {}
impl Compared for kind::NotQueryable {
    type Operand = Operand;
}

impl<K: sealed::Sealed> sealed::Sealed for kind::InTable<K> {}
impl<K: Compared> Compared for kind::InTable<K> {
    type Operand = K::Operand;
}

// The kinds kintone sorts by are the spec's (`sortable` on each field type), written by
// `query_kinds!`; a field in a table is never a sort key, so `InTable` has none.

// The operators are in one block with a bound on each method, not one block per bound: a
// call to an operator a kind does not take then fails on the bound, with the trait's message
// in kintone's words, rather than on method lookup ("the method exists but its trait bounds
// were not satisfied").
impl<K> Field<K> {
    /// `field = value`.
    pub fn eq(&self, value: impl Into<<K as Compared>::Operand>) -> Condition
    where
        K: Equality,
    {
        self.compare("=", value.into().into().0)
    }

    /// `field != value`.
    pub fn ne(&self, value: impl Into<<K as Compared>::Operand>) -> Condition
    where
        K: Equality,
    {
        self.compare("!=", value.into().into().0)
    }

    /// `field < value`.
    pub fn lt(&self, value: impl Into<<K as Compared>::Operand>) -> Condition
    where
        K: Ordered,
    {
        self.compare("<", value.into().into().0)
    }

    /// `field <= value`.
    pub fn le(&self, value: impl Into<<K as Compared>::Operand>) -> Condition
    where
        K: Ordered,
    {
        self.compare("<=", value.into().into().0)
    }

    /// `field > value`.
    pub fn gt(&self, value: impl Into<<K as Compared>::Operand>) -> Condition
    where
        K: Ordered,
    {
        self.compare(">", value.into().into().0)
    }

    /// `field >= value`.
    pub fn ge(&self, value: impl Into<<K as Compared>::Operand>) -> Condition
    where
        K: Ordered,
    {
        self.compare(">=", value.into().into().0)
    }

    /// `field in (a, b, …)`: the value is one of these (`in ("")` matches an empty value).
    pub fn in_<V: Into<<K as Compared>::Operand>>(
        &self,
        values: impl IntoIterator<Item = V>,
    ) -> Condition
    where
        K: Membership,
    {
        let values = values.into_iter().map(|v| v.into().into().0).collect();
        self.list("in", values)
    }

    /// `field not in (a, b, …)`.
    pub fn not_in<V: Into<<K as Compared>::Operand>>(
        &self,
        values: impl IntoIterator<Item = V>,
    ) -> Condition
    where
        K: Membership,
    {
        let values = values.into_iter().map(|v| v.into().into().0).collect();
        self.list("not in", values)
    }

    /// `field like "words"`: kintone's word search on its full-text index, not a substring
    /// match.
    pub fn like(&self, words: impl Into<String>) -> Condition
    where
        K: Search,
    {
        self.compare("like", Value::Text(words.into()))
    }

    /// `field not like "words"`.
    pub fn not_like(&self, words: impl Into<String>) -> Condition
    where
        K: Search,
    {
        self.compare("not like", Value::Text(words.into()))
    }

    /// `field is empty`.
    pub fn is_empty(&self) -> Condition
    where
        K: Emptiness,
    {
        Condition {
            node: Node::Empty {
                field: self.code.to_string(),
                negated: false,
            },
        }
    }

    /// `field is not empty`.
    pub fn is_not_empty(&self) -> Condition
    where
        K: Emptiness,
    {
        Condition {
            node: Node::Empty {
                field: self.code.to_string(),
                negated: true,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(condition: Condition) -> String {
        Query::new().filter(condition).build().unwrap()
    }

    #[test]
    fn each_operator_has_kintones_text() {
        let title = Field::text("Title");
        assert_eq!(q(title.eq("a")), r#"Title = "a""#);
        assert_eq!(q(title.ne("a")), r#"Title != "a""#);
        assert_eq!(q(title.like("a b")), r#"Title like "a b""#);
        assert_eq!(q(title.not_like("a")), r#"Title not like "a""#);
        assert_eq!(q(title.in_(["a", "b"])), r#"Title in ("a", "b")"#);
        assert_eq!(q(title.not_in([""])), r#"Title not in ("")"#);
        let memo = Field::long_text("Memo");
        assert_eq!(q(memo.is_empty()), "Memo is empty");
        assert_eq!(q(memo.is_not_empty()), "Memo is not empty");
        let amount = Field::number("Amount");
        assert_eq!(q(amount.lt(5)), r#"Amount < "5""#);
        assert_eq!(q(amount.le(-5)), r#"Amount <= "-5""#);
        assert_eq!(
            q(amount.gt(Decimal::try_from("1.50").unwrap())),
            r#"Amount > "1.50""#
        );
        assert_eq!(q(amount.ge(0u64)), r#"Amount >= "0""#);
        assert_eq!(q(amount.in_([1, 2])), r#"Amount in ("1", "2")"#);
        assert_eq!(q(Field::record_id().gt(100)), r#"$id > "100""#);
        let due = Field::date("Due");
        let day = Date::new(2024, 2, 29).unwrap();
        assert_eq!(q(due.eq(day)), r#"Due = "2024-02-29""#);
        assert_eq!(q(due.ge(DateFunction::today())), "Due >= TODAY()");
        assert_eq!(q(due.lt(DateFunction::yesterday())), "Due < YESTERDAY()");
        assert_eq!(q(due.gt(DateFunction::tomorrow())), "Due > TOMORROW()");
        assert_eq!(
            q(due.le(DateFunction::from_today(-3, Unit::Weeks))),
            "Due <= FROM_TODAY(-3, WEEKS)"
        );
        assert_eq!(
            q(due.eq(DateFunction::this_month(Some(MonthDay::Last)))),
            "Due = THIS_MONTH(LAST)"
        );
        assert_eq!(
            q(due.eq(DateFunction::next_month(Some(MonthDay::Day(15))))),
            "Due = NEXT_MONTH(15)"
        );
        assert_eq!(
            q(due.eq(DateFunction::last_month(None))),
            "Due = LAST_MONTH()"
        );
        assert_eq!(
            q(due.eq(DateFunction::this_week(Some(Weekday::Monday)))),
            "Due = THIS_WEEK(MONDAY)"
        );
        assert_eq!(
            q(due.eq(DateFunction::last_week(None))),
            "Due = LAST_WEEK()"
        );
        assert_eq!(
            q(due.eq(DateFunction::next_week(Some(Weekday::Sunday)))),
            "Due = NEXT_WEEK(SUNDAY)"
        );
        assert_eq!(q(due.eq(DateFunction::this_year())), "Due = THIS_YEAR()");
        assert_eq!(q(due.ne(DateFunction::last_year())), "Due != LAST_YEAR()");
        assert_eq!(q(due.ne(DateFunction::next_year())), "Due != NEXT_YEAR()");
        let when = Field::date_time("Updated");
        assert_eq!(q(when.lt(now())), "Updated < NOW()");
        let instant: DateTime = "2024-10-01T09:00:00+09:00".parse().unwrap();
        assert_eq!(q(when.ge(instant)), r#"Updated >= "2024-10-01T00:00:00Z""#);
        let at = Field::time("At");
        assert_eq!(q(at.lt(Time::new(9, 30).unwrap())), r#"At < "09:30""#);
        assert_eq!(
            q(Field::selection("Kind").in_(["A", "B"])),
            r#"Kind in ("A", "B")"#
        );
        assert_eq!(q(Field::status("Status").eq("Done")), r#"Status = "Done""#);
        assert_eq!(
            q(Field::user("Owner").in_([login_user(), "sato".into()])),
            r#"Owner in (LOGINUSER(), "sato")"#
        );
        assert_eq!(
            q(Field::organization("Org").not_in([primary_organization()])),
            "Org not in (PRIMARY_ORGANIZATION())"
        );
        assert_eq!(
            q(Field::group("Team").in_(["everyone"])),
            r#"Team in ("everyone")"#
        );
    }

    #[test]
    fn values_are_escaped_so_they_stay_values() {
        let title = Field::text("Title");
        assert_eq!(
            q(title.eq("a\" or $id > \"0")),
            r#"Title = "a\" or $id > \"0""#
        );
        assert_eq!(q(title.eq("back\\slash")), r#"Title = "back\\slash""#);
        assert_eq!(q(title.eq("a\nb\tc\r")), r#"Title = "a\nb\tc\r""#);
    }

    #[test]
    fn groups_are_parenthesised_and_clauses_follow() {
        let a = Field::text("A").eq("1");
        let b = Field::text("B").eq("2");
        let c = Field::text("C").eq("3");
        assert_eq!(
            q(a.clone().and(b.clone().or(c.clone()))),
            r#"A = "1" and (B = "2" or C = "3")"#
        );
        assert_eq!(
            q(a.clone().or(b.clone()).or(c.clone())),
            r#"A = "1" or B = "2" or C = "3""#
        );
        assert_eq!(
            q(Condition::any([a.clone().and(b.clone()), c.clone()])),
            r#"(A = "1" and B = "2") or C = "3""#
        );
        assert_eq!(q(Condition::all([a.clone()])), r#"A = "1""#);
        let everything = Query::new()
            .filter(Condition::all([]))
            .order_by("$id", Order::Asc)
            .limit(500)
            .offset(10_000)
            .build()
            .unwrap();
        assert_eq!(everything, "order by $id asc limit 500 offset 10000");
        assert_eq!(Query::new().build().unwrap(), "");
    }

    #[test]
    fn limits_and_field_codes_are_checked() {
        assert_eq!(
            Query::new().limit(501).build(),
            Err(QueryError::Limit(LimitError::QueryClause {
                field: "query",
                clause: "limit",
                max: 500,
                actual: 501
            }))
        );
        assert!(matches!(
            Query::new().offset(10_001).build(),
            Err(QueryError::Limit(LimitError::QueryClause {
                clause: "offset",
                ..
            }))
        ));
        for bad in [
            "", "A B", "A=1", "A\"", "1st", "(A", "A,B", ".A", "or", "LIMIT",
        ] {
            assert_eq!(
                Query::new().filter(Field::text(bad).eq("x")).build(),
                Err(QueryError::FieldCode(bad.to_string())),
                "{bad:?}"
            );
        }
        assert!(Query::new().order_by("A B", Order::Asc).build().is_err());
        for good in ["Title", "$id", "Table.Item", "顧客名", "金額＄", "a_1・b"] {
            assert!(
                Query::new()
                    .filter(Field::text(good).eq("x"))
                    .build()
                    .is_ok(),
                "{good:?}"
            );
        }
    }

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

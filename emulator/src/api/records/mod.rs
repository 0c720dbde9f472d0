//! Records: get, add, update (by id or `updateKey`, with revisions) and delete, one or many, and
//! Get Records with the query language.

pub mod acl;
pub mod cursor;

use std::ops::Bound;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use super::context::{atomically, id_param, many, now, revision_param, Ctx, Output};
use crate::api::render::{RecordJson, Records, Selection};
use crate::domain::decimal;
use crate::domain::error::{KintoneError, Result};
use crate::domain::ids::as_id;
use crate::domain::query::{self, Evaluator, Plan};
use crate::domain::seed::Need;
use crate::domain::seed::{FieldSeed, FieldType, LinkProtocol};
use crate::domain::store::{App, Cell, Db, Row, StoredRecord};

/// The most digits a number may have before its point: kintone's default settings allow 16
/// digits in all, 4 of them after the point.
pub const NUMBER_WHOLE_DIGITS: usize = 12;

/// The most characters the emulator stores in a text, text area, rich text or link value.
/// kintone documents no maximum for these (only the one of fields that prohibit duplicate
/// values, which the spec names); this is the emulator's assumption, the maximum kintone
/// documents for a comment's text, so that a value far past anything kintone keeps (megabytes
/// of text) is refused as kintone refuses one rather than stored.
pub const TEXT_VALUE_MAX_CHARS: usize = 65_535;

/// The most characters a text value of this field may hold: the documented maximum of a field
/// that prohibits duplicate values, else the emulator's assumption.
fn max_text_chars(field: &FieldSeed) -> usize {
    let unique_limited = field.unique
        && (field.field_type == FieldType::SingleLineText
            || (field.field_type == FieldType::Link && field.protocol == LinkProtocol::Call));
    if unique_limited {
        crate::domain::spec::limits().unique_text_length
    } else {
        TEXT_VALUE_MAX_CHARS
    }
}

/// kintone's short dates (`2024`, `2024-8`, `2024-8-1`) filled with 01, years 1000 to 9999.
fn normalize_date(s: &str) -> Option<String> {
    let mut parts = s.split('-');
    let year: i32 = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
    let month: u8 = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let day: u8 = parts.next().map_or(Some(1), |d| d.parse().ok())?;
    if parts.next().is_some() || year < 1000 {
        return None;
    }
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    Some(date.to_string())
}

fn normalize_time(s: &str) -> Option<String> {
    let (h, rest) = s.split_once(':')?;
    let m = rest.get(..2)?;
    // `HH:MM`, or `HH:MM:SS` whose seconds are dropped.
    if !(rest.len() == 2 || (rest.len() == 5 && rest.as_bytes()[2] == b':')) {
        return None;
    }
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))
}

/// A date-time to store: UTC with the seconds dropped, as kintone stores it (O23).
fn normalize_date_time(s: &str) -> Option<String> {
    let utc = query::normalize_date_time_for_store(s)?;
    (utc.as_bytes()[0] != b'0').then(|| format!("{}:00Z", &utc[..16]))
}

fn valid_link(protocol: LinkProtocol, s: &str) -> bool {
    match protocol {
        LinkProtocol::Web => {
            let rest = s
                .strip_prefix("http://")
                .or_else(|| s.strip_prefix("https://"));
            rest.is_some_and(|r| !r.is_empty() && !r.chars().any(char::is_whitespace))
        }
        LinkProtocol::Mail => s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !s.chars().any(char::is_whitespace)
        }),
        LinkProtocol::Call => s
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()#*".contains(c)),
    }
}

/// A written value's text (numbers may be sent as JSON numbers; `null` is empty).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// Collects field errors of one write, as kintone reports them all at once.
struct Errors(KintoneError);

impl Errors {
    fn new() -> Self {
        Errors(KintoneError::new(
            400,
            "CB_VA01",
            "Missing or invalid input.",
            "入力内容が正しくありません。",
        ))
    }

    fn add(&mut self, key: &str, message: impl Into<String>) -> Option<Cell> {
        self.0
            .errors
            .entry(key.to_string())
            .or_default()
            .push(message.into());
        None
    }
}

/// Converts one written value into its stored form, checking it as kintone does. `current` is
/// the value the field holds (subtable rows keep their ids and unwritten cells).
fn convert(
    db: &mut Db,
    app_id: u64,
    field: &FieldSeed,
    value: &Value,
    key: &str,
    errors: &mut Errors,
    current: Option<&Cell>,
) -> Option<Cell> {
    use FieldType::*;
    match field.field_type {
        SingleLineText | MultiLineText | RichText | Link
            if text(value).is_some_and(|s| s.chars().count() > max_text_chars(field)) =>
        {
            errors.add(
                key,
                format!("Enter {} characters or less.", max_text_chars(field)),
            )
        }
        SingleLineText | MultiLineText | RichText => match text(value) {
            Some(s) => Some(Cell::text_of(s)),
            None => errors.add(key, "Enter text."),
        },
        Link => match text(value) {
            Some(s) if s.is_empty() || valid_link(field.protocol, &s) => Some(Cell::text_of(s)),
            Some(_) => errors.add(
                key,
                match field.protocol {
                    LinkProtocol::Web => "Enter a URL starting with http:// or https://.",
                    LinkProtocol::Mail => "Enter an e-mail address.",
                    LinkProtocol::Call => "Enter a telephone number.",
                },
            ),
            None => errors.add(key, "Enter text."),
        },
        Number => match text(value) {
            Some(s) if s.is_empty() => Some(Cell::text_of(s)),
            Some(s) => match decimal::parse(&s) {
                Some(d) if d.whole_digits() <= NUMBER_WHOLE_DIGITS => Some(Cell::text_of(s)),
                Some(_) => errors.add(
                    key,
                    format!("Enter a number with at most {NUMBER_WHOLE_DIGITS} digits before the decimal point."),
                ),
                None => errors.add(key, "Only numbers are allowed."),
            },
            None => errors.add(key, "Only numbers are allowed."),
        },
        RadioButton | DropDown => match text(value) {
            Some(s) if s.is_empty() => Some(if field.field_type == DropDown {
                Cell::Null
            } else {
                Cell::text_of(s)
            }),
            Some(s) if field.options.is_empty() || field.options.contains(&s) => {
                Some(Cell::text_of(s))
            }
            _ => errors.add(key, "The value must be one of the field's options."),
        },
        CheckBox | MultiSelect => {
            let Some(items) = value.as_array() else {
                return errors.add(key, "Enter an array of options.");
            };
            let values_key = key.strip_suffix(".value").unwrap_or(key);
            let mut out = Vec::with_capacity(items.len());
            let mut bad = false;
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) if field.options.is_empty() || field.options.iter().any(|o| o == s) => {
                        out.push(s.into())
                    }
                    _ => {
                        bad = true;
                        errors.add(
                            &format!("{values_key}.values[{i}].value"),
                            "The value must be one of the field's options.",
                        );
                    }
                }
            }
            (!bad).then(|| Cell::Texts(out.into()))
        }
        Date => match text(value) {
            Some(s) if s.is_empty() => Some(Cell::Null),
            Some(s) => normalize_date(&s)
                .map(Cell::text_of)
                .or_else(|| errors.add(key, "Enter a date (YYYY-MM-DD) from 1000 to 9999.")),
            None => errors.add(key, "Enter a date (YYYY-MM-DD)."),
        },
        Time => match text(value) {
            Some(s) if s.is_empty() => Some(Cell::Null),
            Some(s) => normalize_time(&s)
                .map(Cell::text_of)
                .or_else(|| errors.add(key, "Enter a time (HH:MM).")),
            None => errors.add(key, "Enter a time (HH:MM)."),
        },
        Datetime | CreatedTime | UpdatedTime => match text(value) {
            Some(s) if s.is_empty() => Some(Cell::text_of("")),
            Some(s) => normalize_date_time(&s)
                .map(Cell::text_of)
                .or_else(|| errors.add(key, "Enter a date and time (YYYY-MM-DDTHH:MM:SSZ).")),
            None => errors.add(key, "Enter a date and time."),
        },
        UserSelect | OrganizationSelect | GroupSelect => {
            let Some(items) = value.as_array() else {
                return errors.add(key, "Enter an array of entities.");
            };
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let Some(code) = item.get("code").and_then(Value::as_str) else {
                    return errors.add(key, "Each entity needs a code.");
                };
                match entity(db, field.field_type, code) {
                    Some(e) => out.push(e),
                    None => {
                        let what = match field.field_type {
                            UserSelect => "user",
                            OrganizationSelect => "organization",
                            _ => "group",
                        };
                        return errors.add(key, format!("The {what} (code: {code}) is not found."));
                    }
                }
            }
            Some(Cell::Entities(out.into()))
        }
        Creator | Modifier => match value.get("code").and_then(Value::as_str) {
            Some(code) if db.user_exists(code) => Some(Cell::Entity(db.user_entity(code))),
            Some(code) => errors.add(key, format!("The user (code: {code}) is not found.")),
            None => errors.add(key, "Enter a code."),
        },
        File => {
            let Some(items) = value.as_array() else {
                return errors.add(key, "Enter an array of file keys.");
            };
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item
                    .get("fileKey")
                    .and_then(Value::as_str)
                    .and_then(|k| db.attach(app_id, k))
                {
                    Some(info) => out.push(info),
                    None => return errors.add(key, "The file key is not valid or has expired."),
                }
            }
            Some(Cell::Files(out.into()))
        }
        Subtable => {
            let Some(rows) = value.as_array() else {
                return errors.add(key, "Enter an array of rows.");
            };
            let existing: &[Row] = match current {
                Some(Cell::Rows(rows)) => rows,
                _ => &[],
            };
            let mut out = Vec::with_capacity(rows.len());
            let mut bad = false;
            for (i, row) in rows.iter().enumerate() {
                // A row keeps its id and unwritten cells when it names one of the record's
                // rows; any other row is new and gets an id of its own.
                let old = row
                    .get("id")
                    .and_then(as_id)
                    .and_then(|id| existing.iter().find(|r| r.id == id));
                let mut cells: Vec<Cell> = match old {
                    Some(r) => r.cells.to_vec(),
                    None => field
                        .fields
                        .iter()
                        .map(|f| Cell::empty(f.field_type))
                        .collect(),
                };
                if let Some(values) = row.get("value").and_then(Value::as_object) {
                    for (code, cell) in values {
                        let Some(at) = field.fields.iter().position(|f| f.code == *code) else {
                            continue;
                        };
                        let inner = &field.fields[at];
                        if inner.field_type.is_system() {
                            continue;
                        }
                        let cell_key = format!("{key}[{i}].value.{code}.value");
                        match convert(
                            db,
                            app_id,
                            inner,
                            cell.get("value").unwrap_or(&Value::Null),
                            &cell_key,
                            errors,
                            Some(&cells[at]),
                        ) {
                            Some(v) => cells[at] = v,
                            None => bad = true,
                        }
                    }
                }
                let id = match old {
                    Some(r) => r.id,
                    None => db.next_row_id(),
                };
                out.push(Row {
                    id,
                    cells: cells.into(),
                });
            }
            (!bad).then(|| Cell::Rows(out.into()))
        }
        // kintone computes these; a written value is ignored.
        Calc | RecordNumber | Status | StatusAssignee | Category => None,
    }
}

/// The entity a user, organization or group selection names, if it exists.
fn entity(db: &mut Db, t: FieldType, code: &str) -> Option<Arc<crate::domain::store::Entity>> {
    let named = |names: &std::collections::HashMap<String, String>| {
        names.get(code).map(|name| {
            Arc::new(crate::domain::store::Entity {
                code: code.into(),
                name: if name.is_empty() { code } else { name }.into(),
            })
        })
    };
    match t {
        FieldType::UserSelect => db.user_exists(code).then(|| db.user_entity(code)),
        FieldType::OrganizationSelect => named(&db.organizations),
        _ => named(&db.groups),
    }
}

fn lookup_not_found(code: &str, value: &str) -> KintoneError {
    KintoneError::new(
        400,
        "GAIA_LO04",
        format!("The value ({value}) of the lookup field ({code}) matches no record of the source app."),
        format!("ルックアップフィールド（{code}）の値（{value}）に一致するレコードが参照先のアプリにありません。"),
    )
}

/// Runs the lookups whose key was written: copies the found record's fields (O29), or clears
/// them when the key is emptied.
fn run_lookups(db: &Db, app: &App, written: &[bool], cells: &mut [Cell]) -> Result<()> {
    for (slot, field) in app.layout.iter().enumerate() {
        let Some(lookup) = field.lookup.as_ref().filter(|_| written[slot]) else {
            continue;
        };
        let key = cells[slot].text().to_string();
        let targets: Vec<(usize, Option<usize>)> = lookup
            .field_mappings
            .iter()
            .filter_map(|(to, from)| app.slot(to).map(|t| (t, Some(from))))
            .map(|(t, from)| {
                (
                    t,
                    from.and_then(|f| db.apps.get(&lookup.related_app)?.slot(f)),
                )
            })
            .collect();
        if key.is_empty() {
            for (to, _) in targets {
                cells[to] = Cell::empty(app.layout[to].field_type);
            }
            continue;
        }
        let source = db
            .apps
            .get(&lookup.related_app)
            .ok_or_else(|| KintoneError::app_not_found(lookup.related_app))?;
        let found = if lookup.related_key_field == "Record_number" {
            key.parse::<u64>()
                .ok()
                .and_then(|id| source.records().get(&id))
        } else {
            let key_slot = source.slot(&lookup.related_key_field);
            let numeric = key_slot.map(|s| source.layout[s].field_type) == Some(FieldType::Number);
            key_slot.and_then(|s| {
                source.records().values().find(|r| {
                    let have = r.cells[s].text();
                    if numeric {
                        decimal::equal(have, &key)
                    } else {
                        have == key
                    }
                })
            })
        }
        .ok_or_else(|| lookup_not_found(&field.code, &key))?;
        for (to, from) in targets {
            cells[to] = from
                .map(|f| found.cells[f].clone())
                .unwrap_or_else(|| Cell::empty(app.layout[to].field_type));
        }
    }
    Ok(())
}

/// Recomputes the calculated fields from the record's values.
fn recompute(app: &App, cells: &mut [Cell]) {
    // Twice, so that a formula reading a calculated field placed after it sees its new value.
    for _ in 0..2 {
        for (slot, field) in app.layout.iter().enumerate() {
            if field.field_type != FieldType::Calc || field.expression.is_empty() {
                continue;
            }
            let Ok(formula) = crate::domain::formula::parse(&field.expression) else {
                continue;
            };
            let value = {
                let read = |code: &str| {
                    app.slot(code)
                        .map(|s| cells[s].text().to_string())
                        .unwrap_or_default()
                };
                let column = |code: &str| match app.field_ref(code) {
                    Some(crate::domain::store::FieldRef::Inner(table, inner)) => {
                        match &cells[table] {
                            Cell::Rows(rows) => rows
                                .iter()
                                .map(|r| r.cells[inner].text().to_string())
                                .collect(),
                            _ => Vec::new(),
                        }
                    }
                    _ => Vec::new(),
                };
                formula
                    .compute(&read, &column)
                    .and_then(|v| v.render(4))
                    .unwrap_or_default()
            };
            cells[slot] = Cell::text_of(value);
        }
    }
}

/// Writes `input` over `base` (a record, or nothing when adding), with every check kintone
/// makes, and returns the record's new cells. Nothing is stored here; uploads it attaches are
/// moved, which the caller's transaction undoes on failure.
fn apply(
    ctx: &mut Ctx,
    app_id: u64,
    base: Option<&StoredRecord>,
    input: Option<&Value>,
    prefix: &str,
) -> Result<Vec<Cell>> {
    let layout = ctx
        .db
        .apps
        .get(&app_id)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?
        .layout
        .clone();
    let adding = base.is_none();
    let mut cells: Vec<Cell> = match base {
        Some(r) => r.cells.to_vec(),
        None => layout.iter().map(|f| Cell::empty(f.field_type)).collect(),
    };
    let mut written = vec![false; layout.len()];
    let mut errors = Errors::new();
    if let Some(input) = input {
        let Some(input) = input.as_object() else {
            return Err(KintoneError::invalid(
                format!("{prefix}record"),
                "Enter an object.",
            ));
        };
        for (code, cell) in input {
            let Some(slot) = layout.iter().position(|f| f.code == *code) else {
                // Unknown codes are ignored, as kintone does.
                continue;
            };
            let field = &layout[slot];
            let writable = !field.field_type.is_system()
                || adding
                    && matches!(
                        field.field_type,
                        FieldType::Creator
                            | FieldType::Modifier
                            | FieldType::CreatedTime
                            | FieldType::UpdatedTime
                    );
            if !writable {
                continue;
            }
            let key = format!("{prefix}record.{code}.value");
            if let Some(v) = convert(
                ctx.db,
                app_id,
                field,
                cell.get("value").unwrap_or(&Value::Null),
                &key,
                &mut errors,
                Some(&cells[slot]),
            ) {
                cells[slot] = v;
                written[slot] = true;
            }
        }
    }
    if !errors.0.errors.is_empty() {
        return Err(errors.0);
    }
    let app = &ctx.db.apps[&app_id];
    run_lookups(ctx.db, app, &written, &mut cells)?;
    recompute(app, &mut cells);
    let record_id = base.map(|r| r.id);
    for (slot, f) in layout.iter().enumerate() {
        if f.field_type.is_system() {
            continue;
        }
        let v = &cells[slot];
        let key = format!("{prefix}record.{}.value", f.code);
        if f.required && v.is_empty() {
            errors.add(&key, "Required.");
        }
        if f.unique && !v.is_empty() {
            let numeric = f.field_type == FieldType::Number;
            let taken = app.records().values().any(|r| {
                Some(r.id) != record_id
                    && if numeric {
                        decimal::equal(r.cells[slot].text(), v.text())
                    } else {
                        r.cells[slot] == *v
                    }
            });
            if taken {
                errors.add(&key, "This value already exists in another record.");
            }
        }
    }
    if errors.0.errors.is_empty() {
        Ok(cells)
    } else {
        Err(errors.0)
    }
}

pub fn add_one(
    ctx: &mut Ctx,
    app_id: u64,
    input: Option<&Value>,
    prefix: &str,
) -> Result<(u64, u64)> {
    super::permissions::check_writable(ctx, app_id, input)?;
    let mut cells = apply(ctx, app_id, None, input, prefix)?;
    let me = ctx.user_entity();
    let now = now(ctx);
    let app = &ctx.db.apps[&app_id];
    let id = ctx
        .db
        .next_record_id(app_id)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    let slot = |code: &str| app.slot(code).expect("every app has the system fields");
    cells[slot("Record_number")] = Cell::text_of(id.to_string());
    let (created_by, created, updated_by, updated) = (
        slot("Created_by"),
        slot("Created_datetime"),
        slot("Updated_by"),
        slot("Updated_datetime"),
    );
    if cells[created_by].is_empty() {
        cells[created_by] = Cell::Entity(me);
    }
    if cells[created].is_empty() {
        cells[created] = Cell::text_of(now);
    }
    if cells[updated_by].is_empty() {
        cells[updated_by] = cells[created_by].clone();
    }
    if cells[updated].is_empty() {
        cells[updated] = cells[created].clone();
    }
    let first = app.process.as_ref().and_then(|p| {
        let first = p.statuses.first()?;
        Some((first, p.assignees.get(first)))
    });
    let mut entering = Vec::new();
    if let Some((first, assignees)) = first {
        cells[slot("Status")] = Cell::text_of(first.as_str());
        cells[slot("Assignee")] = Cell::empty(FieldType::StatusAssignee);
        entering = assignees.map(|a| a.entities.clone()).unwrap_or_default();
    }
    let mut record = StoredRecord {
        id,
        revision: 1,
        cells: cells.into(),
        comments: Vec::new(),
        next_comment_id: 0,
    };
    // A new record enters the first status: everyone its list names is assigned (there is no
    // action whose `assignee` could pick one).
    if !entering.is_empty() {
        let at = slot("Assignee");
        let logins = crate::domain::rights::named_users(ctx.db, app, &record, &entering);
        record.cells[at] = Cell::Entities(logins.iter().map(|l| ctx.db.user_entity(l)).collect());
    }
    let id = ctx
        .db
        .add_record(app_id, record)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    Ok((id, 1))
}

/// Finds the record an update names, by `id` or by `updateKey`.
pub fn target(ctx: &Ctx, app_id: u64, item: &Value, prefix: &str) -> Result<Option<u64>> {
    let app = ctx
        .db
        .apps
        .get(&app_id)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    match (item.get("id"), item.get("updateKey")) {
        (Some(id), None) => {
            let id = as_id(id).ok_or_else(|| {
                KintoneError::invalid(format!("{prefix}id"), "Enter an integer value.")
            })?;
            app.records()
                .get(&id)
                .map(|_| Some(id))
                .ok_or_else(|| KintoneError::record_not_found(id))
        }
        (None, Some(key)) => {
            let field = key.get("field").and_then(Value::as_str).unwrap_or_default();
            let value = key.get("value").and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| v.as_number().map(|n| n.to_string()))
            });
            let slot = app.slot(field).filter(|&s| {
                let d = &app.layout[s];
                d.unique && matches!(d.field_type, FieldType::SingleLineText | FieldType::Number)
            });
            let Some(slot) = slot else {
                return Err(KintoneError::invalid(
                    format!("{prefix}updateKey.field"),
                    "Specify a field that prohibits duplicate values.",
                ));
            };
            let Some(value) = value else {
                return Err(KintoneError::invalid(
                    format!("{prefix}updateKey.value"),
                    "Required field.",
                ));
            };
            let numeric = app.layout[slot].field_type == FieldType::Number;
            Ok(app
                .records()
                .values()
                .find(|r| {
                    let have = r.cells[slot].text();
                    if numeric {
                        decimal::equal(have, &value)
                    } else {
                        have == value
                    }
                })
                .map(|r| r.id))
        }
        _ => Err(KintoneError::invalid(
            format!("{prefix}id"),
            "Specify either id or updateKey.",
        )),
    }
}

pub fn update_one(
    ctx: &mut Ctx,
    app_id: u64,
    id: u64,
    input: Option<&Value>,
    revision: Option<u64>,
    prefix: &str,
) -> Result<u64> {
    super::permissions::check_writable(ctx, app_id, input)?;
    super::permissions::require_record(ctx, app_id, id, Need::Edit)?;
    let current = ctx.db.apps[&app_id]
        .records()
        .get(&id)
        .cloned()
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    if revision.is_some_and(|r| r != current.revision) {
        return Err(KintoneError::conflict());
    }
    let mut cells = apply(ctx, app_id, Some(&current), input, prefix)?;
    let me = ctx.user_entity();
    let now = now(ctx);
    let app = &ctx.db.apps[&app_id];
    if let (Some(by), Some(at)) = (app.slot("Updated_by"), app.slot("Updated_datetime")) {
        cells[by] = Cell::Entity(me);
        cells[at] = Cell::text_of(now);
    }
    let record = ctx
        .db
        .record_mut(app_id, id)
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    record.cells = cells.into();
    record.revision += 1;
    Ok(record.revision)
}

/// A JSON body written straight from records.
fn raw(body: &impl Serialize) -> Result<Output> {
    serde_json::to_vec(body)
        .map(Output::Raw)
        .map_err(|_| KintoneError::bad_json())
}

pub fn get_record(ctx: &mut Ctx, params: &Value) -> Result<Output> {
    let app_id = id_param(params, "app")?;
    let id = id_param(params, "id")?;
    ctx.require(app_id, Need::View)?;
    super::permissions::require_record(ctx, app_id, id, Need::View)?;
    let hidden = super::permissions::hidden_fields(ctx, app_id);
    let app = &ctx.db.apps[&app_id];
    let r = app
        .records()
        .get(&id)
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    let selection = Selection::new(app, None).without(app, &hidden);
    #[derive(Serialize)]
    struct Body<'a> {
        record: RecordJson<'a>,
    }
    raw(&Body {
        record: RecordJson {
            app,
            record: r,
            selection: &selection,
        },
    })
}

pub fn add_record(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Add)?;
    let (id, revision) = atomically(ctx, |ctx| add_one(ctx, app_id, params.get("record"), ""))?;
    Ok(json!({"id": id.to_string(), "revision": revision.to_string()}))
}

pub fn update_record(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Edit)?;
    let id = target(ctx, app_id, params, "")?
        .ok_or_else(|| KintoneError::invalid("updateKey.value", "No record has this value."))?;
    let revision = revision_param(params.get("revision"))?;
    let revision = atomically(ctx, |ctx| {
        update_one(ctx, app_id, id, params.get("record"), revision, "")
    })?;
    Ok(json!({"revision": revision.to_string()}))
}

pub fn add_records(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Add)?;
    let items = many(params, "records")?;
    let added = atomically(ctx, |ctx| {
        items
            .iter()
            .enumerate()
            .map(|(i, r)| add_one(ctx, app_id, Some(r), &format!("records[{i}].")))
            .collect::<Result<Vec<_>>>()
    })?;
    Ok(json!({
        "ids": added.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>(),
        "revisions": added.iter().map(|(_, rev)| rev.to_string()).collect::<Vec<_>>(),
    }))
}

pub fn update_records(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Edit)?;
    let upsert = params
        .get("upsert")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if upsert {
        ctx.require(app_id, Need::Add)?;
    }
    let items = many(params, "records")?;
    let results = atomically(ctx, |ctx| {
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let prefix = format!("records[{i}].");
            let revision = revision_param(item.get("revision"))?;
            // In upsert mode a record given by an id that does not exist is added, with an id
            // of its own (kintone's Update Records reference); cli-kintone sends such ids for
            // the rows it imports whose key is empty.
            let found = match target(ctx, app_id, item, &prefix) {
                Err(e) if upsert && item.get("id").is_some() && e.code == "GAIA_RE01" => None,
                other => other?,
            };
            match found {
                Some(id) => {
                    let rev = update_one(ctx, app_id, id, item.get("record"), revision, &prefix)?;
                    out.push(if upsert {
                        json!({"id": id.to_string(), "revision": rev.to_string(), "operation": "UPDATE"})
                    } else {
                        json!({"id": id.to_string(), "revision": rev.to_string()})
                    });
                }
                None if upsert => {
                    let mut record = item.get("record").cloned().unwrap_or_else(|| json!({}));
                    if let (Some(key), Some(obj)) = (item.get("updateKey"), record.as_object_mut())
                    {
                        let field = key
                            .get("field")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        obj.insert(
                            field,
                            json!({"value": key.get("value").cloned().unwrap_or(Value::Null)}),
                        );
                    }
                    let (id, rev) = add_one(ctx, app_id, Some(&record), &prefix)?;
                    out.push(json!({"id": id.to_string(), "revision": rev.to_string(), "operation": "INSERT"}));
                }
                None => {
                    return Err(KintoneError::invalid(
                        format!("{prefix}updateKey.value"),
                        "No record has this value.",
                    ))
                }
            }
        }
        Ok(out)
    })?;
    Ok(json!({"records": results}))
}

fn id_list(params: &Value, key: &str) -> Result<Vec<u64>> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                as_id(v).ok_or_else(|| {
                    KintoneError::invalid(format!("{key}[{i}]"), "Enter an integer value.")
                })
            })
            .collect(),
        Some(_) => Err(KintoneError::invalid(key, "Enter an array.")),
    }
}

pub fn delete_records(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Delete)?;
    let ids = id_list(params, "ids")?;
    if ids.is_empty() || ids.len() > crate::domain::spec::limits().records_per_write {
        return Err(KintoneError::invalid(
            "ids",
            format!(
                "Specify from 1 to {} items.",
                crate::domain::spec::limits().records_per_write
            ),
        ));
    }
    // Each expected revision may be -1: that record's revision is not checked.
    let revisions: Vec<Option<u64>> = match params.get("revisions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                revision_param(Some(v)).map_err(|_| {
                    KintoneError::invalid(format!("revisions[{i}]"), "Enter an integer value.")
                })
            })
            .collect::<Result<_>>()?,
        Some(_) => return Err(KintoneError::invalid("revisions", "Enter an array.")),
    };
    if !revisions.is_empty() && revisions.len() != ids.len() {
        return Err(KintoneError::invalid(
            "revisions",
            "Give one revision per id.",
        ));
    }
    // Every record is checked before any is deleted, so a refusal deletes nothing.
    let acl = super::permissions::record_acl(ctx, app_id);
    let app = &ctx.db.apps[&app_id];
    for (i, id) in ids.iter().enumerate() {
        let r = app
            .records()
            .get(id)
            .ok_or_else(|| KintoneError::record_not_found(*id))?;
        if acl.as_ref().is_some_and(|acl| !acl.rights(app, r).delete) {
            return Err(ctx.denied());
        }
        if revisions
            .get(i)
            .is_some_and(|rev| rev.is_some_and(|rev| rev != r.revision))
        {
            return Err(KintoneError::conflict());
        }
    }
    for id in &ids {
        ctx.db.remove_record(app_id, *id);
    }
    Ok(json!({}))
}

/// Compiles a query for an app, as the caller, at the caller's moment and time zone.
pub fn plan(ctx: &Ctx, app_id: u64, query_text: &str) -> Result<(Plan, query::Query)> {
    let app = ctx
        .db
        .apps
        .get(&app_id)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    let parsed = query::parse(query_text)?;
    let resolve = |code: &str| app.field_ref(code).map(|r| (app.field_at(r).field_type, r));
    let plan = Evaluator::new(&resolve, ctx.login(), ctx.now_local())
        .with_primary_organization(ctx.primary_organization())
        .compile(&parsed)?;
    Ok((plan, parsed))
}

/// Whether a range of ids holds any id (`BTreeMap::range` refuses empty ranges).
fn non_empty(from: Bound<u64>, to: Bound<u64>) -> bool {
    let low = match from {
        Bound::Unbounded => Some(0),
        Bound::Included(n) => Some(n),
        Bound::Excluded(n) => n.checked_add(1),
    };
    let high = match to {
        Bound::Unbounded => Some(u64::MAX),
        Bound::Included(n) => Some(n),
        Bound::Excluded(n) => n.checked_sub(1),
    };
    matches!((low, high), (Some(l), Some(h)) if l <= h)
}

/// The ids of the records a plan matches, in its order: `take` of them after skipping `skip`;
/// and, when `count` asks for it, how many match in all. A plan in `$id` order reads the id
/// index from its range and stops at the page's end, so a seek page costs O(log n + page).
///
/// `keep` leaves out records the caller may not view; callers without record permissions pass
/// `|_| true`, which costs nothing.
pub fn select(
    app: &App,
    plan: &Plan,
    skip: usize,
    take: usize,
    count: bool,
    keep: impl Fn(&StoredRecord) -> bool,
) -> (Vec<u64>, usize) {
    let mut page = Vec::with_capacity(take.min(app.records().len()));
    if let Some(scan) = plan.id_scan() {
        if !non_empty(scan.from, scan.to) {
            return (page, 0);
        }
        let range = app.records().range((scan.from, scan.to));
        let records: Box<dyn Iterator<Item = &Arc<StoredRecord>>> = if scan.descending {
            Box::new(range.rev().map(|(_, r)| r))
        } else {
            Box::new(range.map(|(_, r)| r))
        };
        let mut seen = 0;
        for r in records {
            if !plan.matches(&**r) || !keep(r) {
                continue;
            }
            if seen >= skip && page.len() < take {
                page.push(r.id);
            }
            seen += 1;
            if page.len() == take && !count {
                break;
            }
        }
        return (page, seen);
    }
    let mut hits: Vec<(Vec<query::Key>, u64)> = app
        .records()
        .values()
        .filter(|r| plan.matches(&***r) && keep(r))
        .map(|r| (plan.sort_key(&**r), r.id))
        .collect();
    hits.sort_by(|a, b| plan.compare((&a.0, a.1), (&b.0, b.1)));
    let total = hits.len();
    page.extend(hits.into_iter().skip(skip).take(take).map(|(_, id)| id));
    (page, total)
}

pub fn fields_param(params: &Value) -> Option<Vec<String>> {
    params.get("fields").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    })
}

pub fn get_records(ctx: &mut Ctx, params: &Value) -> Result<Output> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::View)?;
    let query_text = super::context::str_param(params, "query").unwrap_or_default();
    let (plan, parsed) = plan(ctx, app_id, query_text)?;
    let offset = parsed.offset.unwrap_or(0) as usize;
    let limit = parsed.limit.unwrap_or(100) as usize;
    let total = matches!(params.get("totalCount"), Some(Value::Bool(true)))
        || super::context::str_param(params, "totalCount") == Some("true");
    let hidden = super::permissions::hidden_fields(ctx, app_id);
    let acl = super::permissions::record_acl(ctx, app_id);
    let app = &ctx.db.apps[&app_id];
    let (ids, count) = match &acl {
        None => select(app, &plan, offset, limit, total, |_| true),
        Some(acl) => select(app, &plan, offset, limit, total, |r| {
            acl.rights(app, r).view
        }),
    };
    let selection = Selection::new(app, fields_param(params).as_deref()).without(app, &hidden);
    #[derive(Serialize)]
    struct Body<'a> {
        records: Records<'a>,
        #[serde(rename = "totalCount")]
        total_count: Option<String>,
    }
    raw(&Body {
        records: Records {
            app,
            records: ids
                .iter()
                .filter_map(|id| app.records().get(id))
                .map(|r| &**r)
                .collect(),
            selection: &selection,
        },
        total_count: total.then(|| count.to_string()),
    })
}

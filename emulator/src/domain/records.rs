//! Writing a record: each value read and checked as kintone does for its field's type, lookups
//! copied from their source app, calculated fields computed, and required and unique fields
//! checked over the whole record.

use std::sync::Arc;

use serde_json::Value;

use super::decimal;
use super::error::{KintoneError, Result};
use super::ids::as_id;
use super::query;
use super::seed::{FieldSeed, FieldType, LinkProtocol};
use super::store::{App, Cell, Db, Row, StoredRecord};

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
pub fn apply(
    db: &mut Db,
    app_id: u64,
    base: Option<&StoredRecord>,
    input: Option<&Value>,
    prefix: &str,
) -> Result<Vec<Cell>> {
    let layout = db
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
                db,
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
    let app = &db.apps[&app_id];
    run_lookups(db, app, &written, &mut cells)?;
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

//! Records: get, add, update (by id or `updateKey`, with revisions) and delete, one or many, and
//! Get Records with the query language.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use super::{as_id, id_param, revision_param, Ctx, Need};
use crate::error::{KintoneError, Result};
use crate::query::{self, Evaluator, Subject};
use crate::store::{
    random_key, App, AttachedFile, Db, FieldSeed, FieldType, StoredRecord, TempFile, SYSTEM_FIELDS,
};

/// The current time as kintone records it: UTC, to the minute.
pub fn now() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!("{}T{:02}:{:02}:00Z", t.date(), t.hour(), t.minute())
}

/// The type of a field code in an app, system fields included.
pub fn field_type(app: &App, code: &str) -> Option<FieldType> {
    if let Some(f) = app.fields.get(code) {
        return Some(f.field_type);
    }
    if let Some((_, t)) = SYSTEM_FIELDS.iter().find(|(c, _)| *c == code) {
        return Some(*t);
    }
    match (code, &app.process) {
        ("Status", Some(_)) => Some(FieldType::Status),
        ("Assignee", Some(_)) => Some(FieldType::StatusAssignee),
        _ => None,
    }
}

impl Subject for StoredRecord {
    fn id(&self) -> u64 {
        self.id
    }
    fn revision(&self) -> u64 {
        self.revision
    }
    fn value(&self, code: &str) -> Option<&Value> {
        self.values.get(code)
    }
}

/// A record in kintone's response form, limited to `fields` when given.
pub fn render(app: &App, r: &StoredRecord, fields: Option<&[String]>) -> Value {
    let wanted = |code: &str| fields.is_none_or(|f| f.iter().any(|c| c == code));
    let mut out = Map::new();
    out.insert(
        "$id".into(),
        json!({"type": "__ID__", "value": r.id.to_string()}),
    );
    out.insert(
        "$revision".into(),
        json!({"type": "__REVISION__", "value": r.revision.to_string()}),
    );
    for (code, value) in &r.values {
        if !wanted(code) {
            continue;
        }
        if let Some(t) = field_type(app, code) {
            out.insert(code.clone(), json!({"type": t.name(), "value": value}));
        }
    }
    Value::Object(out)
}

fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    !whole.is_empty()
        && !frac.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// kintone's short dates (`2024`, `2024-8`, `2024-8-1`) filled with 01.
fn normalize_date(s: &str) -> Option<String> {
    let mut parts = s.split('-');
    let year: i32 = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
    let month: u8 = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let day: u8 = parts.next().map_or(Some(1), |d| d.parse().ok())?;
    if parts.next().is_some() {
        return None;
    }
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    Some(date.to_string())
}

fn normalize_time(s: &str) -> Option<String> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u8, u8) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    (h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))
}

/// A date-time to store: UTC with the seconds dropped, as kintone stores it.
fn normalize_date_time(s: &str) -> Option<String> {
    let utc = query::normalize_date_time_for_store(s)?;
    Some(format!("{}:00Z", &utc[..16]))
}

/// Where uploaded files move when a record of `app` attaches them.
struct FileStore<'a> {
    app: u64,
    temp: &'a mut HashMap<String, TempFile>,
    attached: &'a mut HashMap<String, AttachedFile>,
    next_key: &'a mut u64,
}

impl FileStore<'_> {
    fn attach(&mut self, key: &str) -> Option<Value> {
        if let Some(f) = self.attached.get(key) {
            // Only a file of this app's records: another app's key would hand its file to
            // callers who may view this app only.
            return (f.app == self.app).then(|| {
                json!({"contentType": f.content_type, "fileKey": key, "name": f.name, "size": f.bytes.len().to_string()})
            });
        }
        let temp = self.temp.remove(key)?;
        let new_key = random_key();
        let info = json!({"contentType": temp.content_type, "fileKey": new_key, "name": temp.name, "size": temp.bytes.len().to_string()});
        self.attached.insert(
            new_key,
            AttachedFile {
                app: self.app,
                name: temp.name,
                content_type: temp.content_type,
                bytes: temp.bytes,
            },
        );
        Some(info)
    }
}

/// Converts one written value into its stored form, checking it against the field.
fn convert(
    field: &FieldSeed,
    value: &Value,
    key: &str,
    files: &mut FileStore,
    errors: &mut KintoneError,
    login_names: &dyn Fn(&str) -> String,
) -> Option<Value> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    };
    let mut fail = |message: &str| {
        errors
            .errors
            .entry(key.to_string())
            .or_default()
            .push(message.to_string());
        None
    };
    use FieldType::*;
    match field.field_type {
        SingleLineText | MultiLineText | RichText | Link => match text(value) {
            Some(s) => Some(Value::String(s)),
            None => fail("Enter text."),
        },
        Number => match text(value) {
            Some(s) if s.is_empty() || is_decimal(&s) => Some(Value::String(s)),
            _ => fail("Only numbers are allowed."),
        },
        RadioButton | DropDown => match text(value) {
            Some(s) if s.is_empty() || field.options.is_empty() || field.options.contains(&s) => {
                Some(if s.is_empty() && field.field_type == DropDown {
                    Value::Null
                } else {
                    Value::String(s)
                })
            }
            _ => fail("The value must be one of the field's options."),
        },
        CheckBox | MultiSelect => {
            let Some(items) = value.as_array() else {
                return fail("Enter an array of options.");
            };
            let mut out = Vec::new();
            for item in items {
                match item.as_str() {
                    Some(s) if field.options.is_empty() || field.options.iter().any(|o| o == s) => {
                        out.push(Value::String(s.into()))
                    }
                    _ => return fail("The value must be one of the field's options."),
                }
            }
            Some(Value::Array(out))
        }
        Date => match text(value) {
            Some(s) if s.is_empty() => Some(Value::Null),
            Some(s) => normalize_date(&s)
                .map(Value::String)
                .or_else(|| fail("Enter a date (YYYY-MM-DD).")),
            None => fail("Enter a date (YYYY-MM-DD)."),
        },
        Time => match text(value) {
            Some(s) if s.is_empty() => Some(Value::Null),
            Some(s) => normalize_time(&s)
                .map(Value::String)
                .or_else(|| fail("Enter a time (HH:MM).")),
            None => fail("Enter a time (HH:MM)."),
        },
        Datetime | CreatedTime | UpdatedTime => match text(value) {
            Some(s) if s.is_empty() => Some(Value::String(String::new())),
            Some(s) => normalize_date_time(&s)
                .map(Value::String)
                .or_else(|| fail("Enter a date and time.")),
            None => fail("Enter a date and time."),
        },
        UserSelect | OrganizationSelect | GroupSelect => {
            let Some(items) = value.as_array() else {
                return fail("Enter an array of codes.");
            };
            let mut out = Vec::new();
            for item in items {
                match item.get("code").and_then(Value::as_str) {
                    Some(code) => out.push(json!({"code": code, "name": login_names(code)})),
                    None => return fail("Each entity needs a code."),
                }
            }
            Some(Value::Array(out))
        }
        Creator | Modifier => match value.get("code").and_then(Value::as_str) {
            Some(code) => Some(json!({"code": code, "name": login_names(code)})),
            None => fail("Enter a code."),
        },
        File => {
            let Some(items) = value.as_array() else {
                return fail("Enter an array of file keys.");
            };
            let mut out = Vec::new();
            for item in items {
                match item
                    .get("fileKey")
                    .and_then(Value::as_str)
                    .and_then(|k| files.attach(k))
                {
                    Some(info) => out.push(info),
                    None => return fail("The file key is not valid or has expired."),
                }
            }
            Some(Value::Array(out))
        }
        Subtable => {
            let Some(rows) = value.as_array() else {
                return fail("Enter an array of rows.");
            };
            let inner: BTreeMap<&str, &FieldSeed> =
                field.fields.iter().map(|f| (f.code.as_str(), f)).collect();
            let mut out = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                let mut cells = Map::new();
                for f in &field.fields {
                    cells.insert(
                        f.code.clone(),
                        json!({"type": f.field_type.name(), "value": empty_value(f.field_type)}),
                    );
                }
                if let Some(values) = row.get("value").and_then(Value::as_object) {
                    for (code, cell) in values {
                        let Some(f) = inner.get(code.as_str()) else {
                            continue;
                        };
                        let cell_key = format!("{key}[{i}].value.{code}.value");
                        let v = convert(
                            f,
                            cell.get("value").unwrap_or(&Value::Null),
                            &cell_key,
                            files,
                            errors,
                            login_names,
                        )?;
                        cells.insert(
                            code.clone(),
                            json!({"type": f.field_type.name(), "value": v}),
                        );
                    }
                }
                *files.next_key += 1;
                let id = row.get("id").and_then(as_id).unwrap_or(*files.next_key);
                out.push(json!({"id": id.to_string(), "value": cells}));
            }
            Some(Value::Array(out))
        }
        // kintone computes these; a written value is ignored.
        Calc | RecordNumber | Status | StatusAssignee | Category => None,
    }
}

/// The value a field holds when nothing was written to it.
fn empty_value(t: FieldType) -> Value {
    use FieldType::*;
    match t {
        CheckBox | MultiSelect | File | UserSelect | OrganizationSelect | GroupSelect
        | Subtable | StatusAssignee | Category => json!([]),
        Date | Time | DropDown => Value::Null,
        _ => json!(""),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Writes `input` over `base` (a record's values, or an empty record), with every check kintone
/// makes; nothing is changed when a check fails.
fn apply(
    db: &mut Db,
    app_id: u64,
    base: &BTreeMap<String, Value>,
    input: Option<&Value>,
    record_id: Option<u64>,
    adding: bool,
    prefix: &str,
) -> Result<BTreeMap<String, Value>> {
    let Db {
        apps,
        temp_files,
        files,
        next_key,
        users,
        ..
    } = db;
    let app = apps
        .get(&app_id)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    let mut values = base.clone();
    if adding {
        for f in app.fields.values() {
            values
                .entry(f.code.clone())
                .or_insert_with(|| empty_value(f.field_type));
        }
    }
    let mut errors = KintoneError::new(
        400,
        "CB_VA01",
        "Missing or invalid input.",
        "入力内容が正しくありません。",
    );
    let mut store = FileStore {
        app: app_id,
        temp: temp_files,
        attached: files,
        next_key,
    };
    let names = |code: &str| {
        users
            .get(code)
            .map(|u| u.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| code.to_string())
    };
    if let Some(input) = input {
        let Some(input) = input.as_object() else {
            return Err(KintoneError::invalid(
                format!("{prefix}record"),
                "Enter an object.",
            ));
        };
        for (code, cell) in input {
            let field = match app.fields.get(code) {
                Some(f) => f.clone(),
                None => match field_type(app, code) {
                    Some(
                        t @ (FieldType::Creator
                        | FieldType::Modifier
                        | FieldType::CreatedTime
                        | FieldType::UpdatedTime),
                    ) if adding => FieldSeed::new(code.clone(), t),
                    // Unknown codes and computed fields are ignored, as kintone does.
                    _ => continue,
                },
            };
            let key = format!("{prefix}record.{code}.value");
            if let Some(v) = convert(
                &field,
                cell.get("value").unwrap_or(&Value::Null),
                &key,
                &mut store,
                &mut errors,
                &names,
            ) {
                values.insert(code.clone(), v);
            }
        }
    }
    for f in app.fields.values() {
        let v = values.get(&f.code).cloned().unwrap_or(Value::Null);
        let key = format!("{prefix}record.{}.value", f.code);
        if f.required && is_empty(&v) {
            errors
                .errors
                .entry(key.clone())
                .or_default()
                .push("Required.".into());
        }
        if f.unique && !is_empty(&v) {
            let taken = app
                .records
                .values()
                .any(|r| Some(r.id) != record_id && r.values.get(&f.code) == Some(&v));
            if taken {
                errors
                    .errors
                    .entry(key)
                    .or_default()
                    .push("This value already exists in another record.".into());
            }
        }
    }
    if errors.errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

pub fn add_one(
    ctx: &mut Ctx,
    app_id: u64,
    input: Option<&Value>,
    prefix: &str,
) -> Result<(u64, u64)> {
    let login = ctx.entity();
    let values = apply(ctx.db, app_id, &BTreeMap::new(), input, None, true, prefix)?;
    let app = ctx
        .db
        .apps
        .get_mut(&app_id)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    app.next_record_id += 1;
    let id = app.next_record_id;
    let now = now();
    let mut values = values;
    values.insert("Record_number".into(), json!(id.to_string()));
    let creator = values.get("Created_by").cloned().unwrap_or(login.clone());
    let created = values
        .get("Created_datetime")
        .cloned()
        .unwrap_or(json!(now));
    values.insert("Created_by".into(), creator.clone());
    values.insert("Created_datetime".into(), created.clone());
    values.entry("Updated_by".into()).or_insert(creator.clone());
    values
        .entry("Updated_datetime".into())
        .or_insert(created.clone());
    let status = app
        .process
        .as_ref()
        .and_then(|p| p.statuses.first().cloned());
    if let Some(s) = &status {
        values.insert("Status".into(), json!(s));
        values.insert("Assignee".into(), json!([]));
    }
    app.records.insert(
        id,
        std::sync::Arc::new(StoredRecord {
            id,
            revision: 1,
            values,
            status,
            assignees: Vec::new(),
            comments: Vec::new(),
            next_comment_id: 0,
        }),
    );
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
            app.records
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
            let def = app.fields.get(field);
            if !def.is_some_and(|d| {
                d.unique && matches!(d.field_type, FieldType::SingleLineText | FieldType::Number)
            }) {
                return Err(KintoneError::invalid(
                    format!("{prefix}updateKey.field"),
                    "Specify a field that prohibits duplicate values.",
                ));
            }
            let Some(value) = value else {
                return Err(KintoneError::invalid(
                    format!("{prefix}updateKey.value"),
                    "Required field.",
                ));
            };
            Ok(app
                .records
                .values()
                .find(|r| r.values.get(field).and_then(Value::as_str) == Some(value.as_str()))
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
    let modifier = ctx.entity();
    let current = ctx.db.apps[&app_id]
        .records
        .get(&id)
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    if revision.is_some_and(|r| r != current.revision) {
        return Err(KintoneError::conflict());
    }
    let base = current.values.clone();
    let values = apply(ctx.db, app_id, &base, input, Some(id), false, prefix)?;
    let record = ctx
        .db
        .apps
        .get_mut(&app_id)
        .and_then(|a| a.records.get_mut(&id))
        .map(std::sync::Arc::make_mut)
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    record.values = values;
    record.revision += 1;
    let now = now();
    record.values.insert("Updated_by".into(), modifier);
    record.values.insert("Updated_datetime".into(), json!(now));
    Ok(record.revision)
}

pub fn get_record(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    let id = id_param(params, "id")?;
    ctx.require(app_id, Need::View)?;
    let app = &ctx.db.apps[&app_id];
    let r = app
        .records
        .get(&id)
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    Ok(json!({"record": render(app, r, None)}))
}

pub fn add_record(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Add)?;
    let (id, revision) = add_one(ctx, app_id, params.get("record"), "")?;
    Ok(json!({"id": id.to_string(), "revision": revision.to_string()}))
}

pub fn update_record(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Edit)?;
    let id = target(ctx, app_id, params, "")?
        .ok_or_else(|| KintoneError::invalid("updateKey.value", "No record has this value."))?;
    let revision = update_one(
        ctx,
        app_id,
        id,
        params.get("record"),
        revision_param(params.get("revision"))?,
        "",
    )?;
    Ok(json!({"revision": revision.to_string()}))
}

fn many<'v>(params: &'v Value, key: &str) -> Result<&'v Vec<Value>> {
    let items = params
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| KintoneError::invalid(key, "Required field."))?;
    if items.is_empty() || items.len() > crate::spec::limits().records_per_write {
        return Err(KintoneError::invalid(
            key,
            format!(
                "Specify from 1 to {} items.",
                crate::spec::limits().records_per_write
            ),
        ));
    }
    Ok(items)
}

/// Runs `f` on a copy of the domain and keeps the result only if it succeeds: many-record
/// writes are all or nothing.
pub fn atomically<T>(ctx: &mut Ctx, f: impl FnOnce(&mut Ctx) -> Result<T>) -> Result<T> {
    let mut scratch = ctx.db.clone();
    let mut inner = ctx.over(&mut scratch);
    let out = f(&mut inner)?;
    *ctx.db = scratch;
    Ok(out)
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
            match target(ctx, app_id, item, &prefix)? {
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
    if ids.is_empty() || ids.len() > crate::spec::limits().records_per_write {
        return Err(KintoneError::invalid(
            "ids",
            format!(
                "Specify from 1 to {} items.",
                crate::spec::limits().records_per_write
            ),
        ));
    }
    let revisions = id_list(params, "revisions")?;
    if !revisions.is_empty() && revisions.len() != ids.len() {
        return Err(KintoneError::invalid(
            "revisions",
            "Give one revision per id.",
        ));
    }
    let app = ctx
        .db
        .apps
        .get_mut(&app_id)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    for (i, id) in ids.iter().enumerate() {
        let r = app
            .records
            .get(id)
            .ok_or_else(|| KintoneError::record_not_found(*id))?;
        if revisions.get(i).is_some_and(|rev| *rev != r.revision) {
            return Err(KintoneError::conflict());
        }
    }
    for id in &ids {
        app.records.remove(id);
    }
    Ok(json!({}))
}

/// The ids of the records a query matches, in its order (without `limit`/`offset`).
pub fn matching(ctx: &Ctx, app_id: u64, query_text: &str) -> Result<(Vec<u64>, query::Query)> {
    let app = ctx
        .db
        .apps
        .get(&app_id)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    let parsed = query::parse(query_text)?;
    let kinds = |code: &str| field_type(app, code);
    let plan = Evaluator::new(&kinds, ctx.login()).compile(&parsed)?;
    let mut hits: Vec<(Vec<query::Key>, u64)> = app
        .records
        .values()
        .filter(|r| plan.matches(&***r))
        .map(|r| (plan.sort_key(&**r), r.id))
        .collect();
    hits.sort_by(|a, b| plan.compare((&a.0, a.1), (&b.0, b.1)));
    Ok((hits.into_iter().map(|(_, id)| id).collect(), parsed))
}

pub fn fields_param(params: &Value) -> Option<Vec<String>> {
    params.get("fields").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    })
}

pub fn get_records(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::View)?;
    let query_text = super::str_param(params, "query").unwrap_or_default();
    let (ids, parsed) = matching(ctx, app_id, query_text)?;
    let offset = parsed.offset.unwrap_or(0) as usize;
    let limit = parsed.limit.unwrap_or(100) as usize;
    let fields = fields_param(params);
    let app = &ctx.db.apps[&app_id];
    let records: Vec<Value> = ids
        .iter()
        .skip(offset)
        .take(limit)
        .map(|id| render(app, &app.records[id], fields.as_deref()))
        .collect();
    let total = matches!(params.get("totalCount"), Some(Value::Bool(true)))
        || super::str_param(params, "totalCount") == Some("true");
    Ok(
        json!({"records": records, "totalCount": if total { json!(ids.len().to_string()) } else { Value::Null }}),
    )
}

//! App settings besides the form: views, general settings, process management, customization,
//! reports, actions, admin notes and an app's plug-ins. Each is read from the live or the
//! pre-live copy and written to the pre-live one (see `settings_access::writable`); a deploy copies it live.

use serde_json::{json, Map, Value};

use super::context::{id_param, Ctx};
use super::settings_access::{changed, readable_app, writable};
use crate::domain::app_settings::Settings;
use crate::domain::error::{KintoneError, Result};
use crate::domain::ids::as_id;
use crate::domain::seed::AssigneeKind;

/// A written group of `settings`, or `None` when it was never written.
fn group<'s>(settings: &'s Settings, name: &str) -> Option<&'s Value> {
    settings.groups.get(name)
}

/// A group's keys with the revision of the copy they were read from.
fn answer(mut body: Value, settings: &Settings) -> Value {
    body["revision"] = json!(settings.revision.to_string());
    body
}

fn object_param<'p>(params: &'p Value, key: &str) -> Result<&'p Map<String, Value>> {
    params
        .get(key)
        .and_then(Value::as_object)
        .ok_or_else(|| KintoneError::invalid(key, "Required field."))
}

/// The type of a pre-live form field, by code (`None` when the form has no such field).
fn field_type<'s>(settings: &'s Settings, code: &str) -> Option<&'s str> {
    settings
        .properties
        .get(code)
        .and_then(|p| p.get("type"))
        .and_then(Value::as_str)
}

fn known_field(settings: &Settings, code: &str, at: &str) -> Result<()> {
    match field_type(settings, code) {
        Some(_) => Ok(()),
        None => Err(KintoneError::invalid(
            at,
            format!("The field {code} does not exist."),
        )),
    }
}

/// A filter condition as kintone keeps it: checked against the query language (a condition
/// only: no `order by`, `limit` or `offset`) and the pre-live form (every field it names, table
/// fields included, or `$id`/`$revision`), and its date-and-time literals in UTC.
fn filter_cond(settings: &Settings, text: &str, at: &str) -> Result<String> {
    let invalid = |why: String| KintoneError::invalid(at, why);
    let parsed = crate::domain::query::parse(text).map_err(|e| invalid(e.message_en))?;
    if !parsed.order.is_empty() || parsed.limit.is_some() || parsed.offset.is_some() {
        return Err(invalid(
            "A filter condition takes no order by, limit or offset.".into(),
        ));
    }
    let mut named = Vec::new();
    if let Some(filter) = &parsed.filter {
        fields_named(filter, &mut named);
    }
    for code in named {
        let inner = settings.properties.values().any(|p| {
            p.get("fields")
                .and_then(Value::as_object)
                .is_some_and(|f| f.contains_key(code))
        });
        if !code.starts_with('$') && field_type(settings, code).is_none() && !inner {
            return Err(invalid(format!("The field {code} does not exist.")));
        }
    }
    Ok(utc_literals(text))
}

/// The field codes a condition names.
fn fields_named<'e>(expr: &'e crate::domain::query::Expr, out: &mut Vec<&'e str>) {
    use crate::domain::query::Expr;
    match expr {
        Expr::And(all) | Expr::Or(all) => all.iter().for_each(|e| fields_named(e, out)),
        Expr::Compare { field, .. }
        | Expr::In { field, .. }
        | Expr::Like { field, .. }
        | Expr::Empty { field, .. } => out.push(field),
    }
}

/// `text` with each quoted date and time (one with a `T`) rewritten in UTC, as kintone
/// answers filter conditions whatever the time zone they were written in.
fn utc_literals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '"' {
            continue;
        }
        let mut literal = String::new();
        let mut closed = false;
        while let Some(d) = chars.next() {
            if d == '\\' {
                literal.push(d);
                if let Some(e) = chars.next() {
                    literal.push(e);
                }
                continue;
            }
            if d == '"' {
                closed = true;
                break;
            }
            literal.push(d);
        }
        let converted = literal
            .contains('T')
            .then(|| crate::domain::query::normalize_date_time_for_store(&literal))
            .flatten();
        out.push_str(converted.as_deref().unwrap_or(&literal));
        if closed {
            out.push('"');
        }
    }
    out
}

/// A sort order as after `order by`, each field on the pre-live form.
fn sort(settings: &Settings, text: &str, at: &str) -> Result<String> {
    if text.trim().is_empty() {
        return Ok(String::new());
    }
    let parsed = crate::domain::query::parse(&format!("order by {text}"))
        .map_err(|e| KintoneError::invalid(at, e.message_en))?;
    for (field, _) in &parsed.order {
        known_field(settings, field, at)?;
    }
    Ok(text.to_string())
}

// ---- views ----

pub fn get_views(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let (_, settings) = readable_app(ctx, params, preview)?;
    let views = group(settings, "views").cloned().unwrap_or(json!({}));
    Ok(answer(json!({ "views": views }), settings))
}

/// The largest ID of a view or an action (`group`) on the domain, live or pre-live: their IDs
/// are unique on a domain.
fn last_id(ctx: &Ctx, group_name: &str, floor: u64) -> u64 {
    ctx.db
        .settings
        .values()
        .flat_map(|s| s.live.iter().chain(std::iter::once(&s.preview)))
        .filter_map(|s| group(s, group_name).and_then(Value::as_object))
        .flat_map(|items| items.values())
        .filter_map(|v| v.get("id").and_then(as_id))
        .max()
        .unwrap_or(floor)
}

/// The ID of a view, action or graph named `name`: the one it had under that name in `current`
/// (an item keeps its ID while its name stays), or the next after `last`, which it becomes.
fn id_by_name(current: &Value, name: &str, last: &mut u64) -> Value {
    match current.get(name).and_then(|item| item.get("id")) {
        Some(id) => id.clone(),
        None => {
            *last += 1;
            json!(last.to_string())
        }
    }
}

/// Replaces the pre-live `group_name` (views, actions or graphs) of a checked app with `items`,
/// by name, and answers the new revision with each item's ID by name, as kintone does.
fn store_named(ctx: &mut Ctx, app: u64, group_name: &str, items: Map<String, Value>) -> Value {
    let ids: Map<String, Value> = items
        .iter()
        .map(|(name, item)| (name.clone(), json!({"id": item["id"]})))
        .collect();
    if let Some(settings) = ctx.db.settings.get_mut(&app) {
        settings
            .preview
            .groups
            .insert(group_name.into(), Value::Object(items));
    }
    let mut out = changed(ctx, app);
    out[group_name] = Value::Object(ids);
    out
}

/// Update Views and Update Graphs: the items given under `group_name` in `params` replace the
/// pre-live ones, each read by `item_of` (from its key and what was given, against the
/// pre-live settings) and keeping its ID by name; new IDs follow the domain's largest, or
/// `floor`.
fn replace_named(
    ctx: &mut Ctx,
    params: &Value,
    group_name: &str,
    floor: u64,
    item_of: fn(&Settings, &str, &Value) -> Result<(String, Value)>,
) -> Result<Value> {
    let app = id_param(params, "app")?;
    let wanted = object_param(params, group_name)?.clone();
    let mut last = last_id(ctx, group_name, floor);
    let settings = writable(ctx, params, app)?;
    let current = group(settings, group_name).cloned().unwrap_or(json!({}));
    let mut items = Map::new();
    for (key, given) in &wanted {
        let (name, mut item) = item_of(settings, key, given)?;
        item["id"] = id_by_name(&current, &name, &mut last);
        items.insert(name, item);
    }
    Ok(store_named(ctx, app, group_name, items))
}

/// The keys each view type keeps besides those every view has.
fn view_keys(view_type: &str) -> &'static [&'static str] {
    match view_type {
        "LIST" => &["fields", "builtinType"],
        "CALENDAR" => &["date", "title"],
        _ => &["html", "pager", "device"],
    }
}

/// The `index` of a view, action or graph to write: a whole number, `0` included.
fn index_of(given: &Value, at: &str) -> Result<u64> {
    given
        .get("index")
        .and_then(|i| as_id(i).or((i.as_str() == Some("0")).then_some(0)))
        .ok_or_else(|| KintoneError::invalid(format!("{at}.index"), "Enter an integer value."))
}

/// The name of a view, action or graph to write: the one given, or its key.
fn name_of(given: &Value, key: &str) -> String {
    given
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(key)
        .to_string()
}

/// One view to write, checked against the pre-live form, as it will read back (without its
/// ID).
fn view_of(settings: &Settings, key: &str, given: &Value) -> Result<(String, Value)> {
    let at = format!("views.{key}");
    let view_type = given
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| matches!(*t, "LIST" | "CALENDAR" | "CUSTOM"))
        .ok_or_else(|| {
            KintoneError::invalid(format!("{at}.type"), "Enter LIST, CALENDAR or CUSTOM.")
        })?;
    let index = index_of(given, &at)?;
    let name = name_of(given, key);
    if name.is_empty() {
        return Err(KintoneError::invalid(
            format!("{at}.name"),
            "Required field.",
        ));
    }
    let mut view = json!({
        "type": view_type,
        "name": name,
        "index": index.to_string(),
        "filterCond": filter_cond(
            settings,
            given.get("filterCond").and_then(Value::as_str).unwrap_or_default(),
            &format!("{at}.filterCond"),
        )?,
        "sort": sort(
            settings,
            given.get("sort").and_then(Value::as_str).unwrap_or_default(),
            &format!("{at}.sort"),
        )?,
    });
    for k in view_keys(view_type) {
        if let Some(v) = given.get(*k).filter(|v| !v.is_null()) {
            view[*k] = v.clone();
        }
    }
    match view_type {
        "LIST" => {
            let fields = view.get("fields").and_then(Value::as_array).cloned();
            for (i, f) in fields.into_iter().flatten().enumerate() {
                let code = f.as_str().unwrap_or_default();
                known_field(settings, code, &format!("{at}.fields[{i}]"))?;
            }
            view.as_object_mut()
                .expect("an object")
                .entry("fields")
                .or_insert(json!([]));
        }
        "CALENDAR" => {
            let date = view.get("date").and_then(Value::as_str).unwrap_or_default();
            match field_type(settings, date) {
                Some("DATE" | "DATETIME" | "CREATED_TIME" | "UPDATED_TIME") => {}
                _ => {
                    return Err(KintoneError::invalid(
                        format!("{at}.date"),
                        "Enter the code of a date or date-and-time field.",
                    ))
                }
            }
            let title = view
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or_default();
            known_field(settings, title, &format!("{at}.title"))?;
        }
        _ => {
            let o = view.as_object_mut().expect("an object");
            o.entry("html").or_insert(json!(""));
            o.entry("pager").or_insert(json!(true));
            o.entry("device").or_insert(json!("DESKTOP"));
        }
    }
    Ok((name, view))
}

pub fn update_views(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    replace_named(ctx, params, "views", 5_520_000, view_of)
}

// ---- general settings ----

/// What a new app's general settings read, besides its name and description.
fn general_defaults() -> Value {
    json!({
        "icon": {"type": "PRESET", "key": "APP72"},
        "theme": "WHITE",
        "titleField": {"selectionMode": "AUTO", "code": ""},
        "enableThumbnails": true,
        "enableBulkDeletion": false,
        "enableComments": true,
        "enableDuplicateRecord": true,
        "enableInlineRecordEditing": true,
        "numberPrecision": {"digits": "16", "decimalPlaces": "4", "roundingMode": "HALF_EVEN"},
        "firstMonthOfFiscalYear": "4",
    })
}

pub fn get_general(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let (_, settings) = readable_app(ctx, params, preview)?;
    let mut body = group(settings, "settings")
        .cloned()
        .unwrap_or_else(general_defaults);
    body["name"] = json!(settings.name);
    body["description"] = json!(settings.description);
    Ok(answer(body, settings))
}

const THEMES: &[&str] = &["WHITE", "RED", "GREEN", "BLUE", "YELLOW", "BLACK"];
const FLAGS: &[&str] = &[
    "enableThumbnails",
    "enableBulkDeletion",
    "enableComments",
    "enableDuplicateRecord",
    "enableInlineRecordEditing",
];

/// A whole number in a string or a JSON number, within `range`.
fn number_in(v: &Value, range: std::ops::RangeInclusive<u64>, at: &str) -> Result<String> {
    match as_id(v).or((v.as_str() == Some("0") || v.as_u64() == Some(0)).then_some(0)) {
        Some(n) if range.contains(&n) => Ok(n.to_string()),
        _ => Err(KintoneError::invalid(
            at,
            format!(
                "Enter a value between {} and {}.",
                range.start(),
                range.end()
            ),
        )),
    }
}

fn flag(v: &Value, at: &str) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
        _ => Err(KintoneError::invalid(at, "Enter true or false.")),
    }
}

/// An icon as kintone keeps it: a preset's key, or a file (see [`settings_file`]).
fn icon(ctx: &Ctx, app: u64, given: &Value) -> Result<Value> {
    match given.get("type").and_then(Value::as_str) {
        Some("PRESET") => {
            let key = given.get("key").and_then(Value::as_str).unwrap_or_default();
            let known = key
                .strip_prefix("APP")
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| (1..=90).contains(&n));
            if !known {
                return Err(KintoneError::invalid("icon.key", "Enter APP1 to APP90."));
            }
            Ok(json!({"type": "PRESET", "key": key}))
        }
        Some("FILE") => {
            let key = given
                .pointer("/file/fileKey")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Ok(json!({"type": "FILE", "file": settings_file(ctx, app, key, "icon.file.fileKey")?}))
        }
        _ => Err(KintoneError::invalid("icon.type", "Enter PRESET or FILE.")),
    }
}

/// A file the settings name: an upload still in temporary storage, or a file the app's settings
/// already keep (a key read back from the settings may be written again).
fn settings_file(ctx: &Ctx, app: u64, key: &str, at: &str) -> Result<Value> {
    let (name, content_type, size) = match ctx.db.temp_files.get(key) {
        Some(upload) => (&upload.name, &upload.content_type, upload.bytes.len()),
        None => match ctx.db.attached_file(key).filter(|f| f.app == app) {
            Some(kept) => (&kept.name, &kept.content_type, kept.bytes.len()),
            None => return Err(KintoneError::invalid(at, "The file does not exist.")),
        },
    };
    Ok(json!({
        "fileKey": key,
        "name": name,
        "contentType": content_type,
        "size": size.to_string(),
    }))
}

/// Moves an upload the settings name out of temporary storage, under a key of its own that
/// Download File serves, as kintone does once settings keep a file.
fn keep_settings_file(ctx: &mut Ctx, app: u64, file: &mut Value) {
    let Some(key) = file.get("fileKey").and_then(Value::as_str) else {
        return;
    };
    if let Some(kept) = ctx.db.attach(app, key) {
        file["fileKey"] = json!(&*kept.file_key);
    }
}

pub fn update_general(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let limits = crate::domain::spec::limits();
    let name = match params.get("name").and_then(Value::as_str) {
        Some(n) if n.trim().is_empty() => {
            return Err(KintoneError::invalid("name", "Required field."))
        }
        Some(n) if n.chars().count() > limits.app_name_length => {
            return Err(KintoneError::invalid(
                "name",
                format!("Enter {} characters or less.", limits.app_name_length),
            ))
        }
        other => other.map(str::to_string),
    };
    let description = params.get("description").and_then(Value::as_str);
    if description.is_some_and(|d| d.chars().count() > limits.app_description_length) {
        return Err(KintoneError::invalid(
            "description",
            format!(
                "Enter {} characters or less.",
                limits.app_description_length
            ),
        ));
    }
    let new_icon = match params.get("icon").filter(|v| !v.is_null()) {
        Some(given) => Some(icon(ctx, app, given)?),
        None => None,
    };
    let mut change = Map::new();
    if let Some(theme) = params.get("theme").filter(|v| !v.is_null()) {
        if !theme.as_str().is_some_and(|t| THEMES.contains(&t)) {
            return Err(KintoneError::invalid(
                "theme",
                "Enter WHITE, RED, GREEN, BLUE, YELLOW or BLACK.",
            ));
        }
        change.insert("theme".into(), theme.clone());
    }
    for key in FLAGS {
        if let Some(v) = params.get(*key).filter(|v| !v.is_null()) {
            change.insert((*key).into(), json!(flag(v, key)?));
        }
    }
    if let Some(p) = params.get("numberPrecision").filter(|v| !v.is_null()) {
        let mut precision = Map::new();
        if let Some(d) = p.get("digits") {
            precision.insert(
                "digits".into(),
                json!(number_in(d, 1..=30, "numberPrecision.digits")?),
            );
        }
        if let Some(d) = p.get("decimalPlaces") {
            precision.insert(
                "decimalPlaces".into(),
                json!(number_in(d, 0..=10, "numberPrecision.decimalPlaces")?),
            );
        }
        if let Some(mode) = p.get("roundingMode") {
            if !matches!(mode.as_str(), Some("HALF_EVEN" | "UP" | "DOWN")) {
                return Err(KintoneError::invalid(
                    "numberPrecision.roundingMode",
                    "Enter HALF_EVEN, UP or DOWN.",
                ));
            }
            precision.insert("roundingMode".into(), mode.clone());
        }
        change.insert("numberPrecision".into(), Value::Object(precision));
    }
    if let Some(m) = params
        .get("firstMonthOfFiscalYear")
        .filter(|v| !v.is_null())
    {
        change.insert(
            "firstMonthOfFiscalYear".into(),
            json!(number_in(m, 1..=12, "firstMonthOfFiscalYear")?),
        );
    }
    let title = params.get("titleField").filter(|v| !v.is_null()).cloned();
    if let Some(t) = title {
        let settings = writable(ctx, params, app)?;
        let manual = match t.get("selectionMode").and_then(Value::as_str) {
            Some("AUTO") => false,
            Some("MANUAL") => true,
            _ => {
                return Err(KintoneError::invalid(
                    "titleField.selectionMode",
                    "Enter AUTO or MANUAL.",
                ))
            }
        };
        let code = t.get("code").and_then(Value::as_str).unwrap_or_default();
        if manual {
            known_field(settings, code, "titleField.code")?;
        }
        let code = if manual { code } else { "" };
        change.insert(
            "titleField".into(),
            json!({"selectionMode": t["selectionMode"], "code": code}),
        );
    }
    let mut new_icon = new_icon;
    if let Some(file) = new_icon.as_mut().and_then(|i| i.get_mut("file")) {
        writable(ctx, params, app)?;
        keep_settings_file(ctx, app, file);
    }
    let settings = writable(ctx, params, app)?;
    if let Some(i) = new_icon {
        change.insert("icon".into(), i);
    }
    let mut general = group(settings, "settings")
        .cloned()
        .unwrap_or_else(general_defaults);
    for (k, v) in change {
        match (general.get_mut(&k), v) {
            // Number precision keeps the parts left out.
            (Some(Value::Object(kept)), Value::Object(given)) if k == "numberPrecision" => {
                kept.extend(given)
            }
            (_, v) => general[k] = v,
        }
    }
    settings.groups.insert("settings".into(), general);
    if let Some(n) = name {
        settings.name = n;
    }
    if let Some(d) = description {
        settings.description = d.to_string();
    }
    Ok(changed(ctx, app))
}

// ---- process management ----

/// The process management of an app whose settings never changed it: the process it was
/// seeded with, or none.
fn process_default(ctx: &Ctx, app: u64) -> Value {
    let Some(process) = ctx.db.apps.get(&app).and_then(|a| a.process.as_ref()) else {
        return json!({"enable": false, "states": null, "actions": null});
    };
    let states: Map<String, Value> = process
        .statuses
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let assignee = process.assignees.get(name).cloned().unwrap_or_default();
            let kind = match assignee.kind {
                AssigneeKind::One => "ONE",
                AssigneeKind::All => "ALL",
                AssigneeKind::Any => "ANY",
            };
            (
                name.clone(),
                json!({"name": name, "index": i.to_string(),
                    "assignee": {"type": kind, "entities": assignee.entities}}),
            )
        })
        .collect();
    let actions: Vec<Value> = process
        .actions
        .iter()
        .map(|a| {
            json!({"name": a.name, "from": a.from, "to": a.to, "filterCond": a.filter_cond,
                "type": "PRIMARY", "executableUser": {"entities": a.executable_users}})
        })
        .collect();
    json!({"enable": true, "states": states, "actions": actions})
}

pub fn get_process(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let (app, settings) = readable_app(ctx, params, preview)?;
    let body = match group(settings, "status") {
        Some(written) => written.clone(),
        None => process_default(ctx, app),
    };
    Ok(answer(body, settings))
}

const ENTITY_TYPES: &[&str] = &[
    "USER",
    "GROUP",
    "ORGANIZATION",
    "FIELD_ENTITY",
    "CREATOR",
    "CUSTOM_FIELD",
];

/// Entities of a status or an action, each checked (a field entity names a field of the
/// pre-live form).
fn entities(settings: &Settings, given: Option<&Value>, at: &str) -> Result<Value> {
    let Some(given) = given.filter(|v| !v.is_null()) else {
        return Ok(json!([]));
    };
    let items = given
        .as_array()
        .ok_or_else(|| KintoneError::invalid(at, "Enter an array."))?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let here = format!("{at}[{i}].entity");
        let t = item
            .pointer("/entity/type")
            .and_then(Value::as_str)
            .filter(|t| ENTITY_TYPES.contains(t))
            .ok_or_else(|| {
                KintoneError::invalid(
                    format!("{here}.type"),
                    "Enter USER, GROUP, ORGANIZATION, FIELD_ENTITY, CREATOR or CUSTOM_FIELD.",
                )
            })?;
        let code = item.pointer("/entity/code").and_then(Value::as_str);
        let code = match (t, code) {
            ("CREATOR", _) => Value::Null,
            (_, Some(c)) if !c.is_empty() => {
                if t == "FIELD_ENTITY" {
                    known_field(settings, c, &format!("{here}.code"))?;
                }
                json!(c)
            }
            _ => {
                return Err(KintoneError::invalid(
                    format!("{here}.code"),
                    "Required field.",
                ))
            }
        };
        let include_subs = match item.get("includeSubs").filter(|v| !v.is_null()) {
            Some(v) => flag(v, &format!("{at}[{i}].includeSubs"))?,
            None => false,
        };
        out.push(json!({"entity": {"type": t, "code": code}, "includeSubs": include_subs}));
    }
    Ok(Value::Array(out))
}

pub fn update_process(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let enable = match params.get("enable").filter(|v| !v.is_null()) {
        Some(v) => Some(flag(v, "enable")?),
        None => None,
    };
    let fallback = process_default(ctx, app);
    let max_name = crate::domain::spec::limits().status_name_length;
    let settings = writable(ctx, params, app)?;
    let current = group(settings, "status").cloned().unwrap_or(fallback);
    let current_states = current.get("states").and_then(Value::as_object).cloned();

    let mut renames: Vec<(String, String)> = Vec::new();
    let states = match params.get("states").filter(|v| !v.is_null()) {
        None => current_states.clone(),
        Some(given) => {
            let given = given
                .as_object()
                .ok_or_else(|| KintoneError::invalid("states", "Enter an object."))?;
            let mut states = Map::new();
            let mut first: Option<(u64, String)> = None;
            for (key, s) in given {
                let at = format!("states.{key}");
                let name = s.get("name").and_then(Value::as_str).unwrap_or(key);
                if name.is_empty() || name.chars().count() > max_name {
                    return Err(KintoneError::invalid(
                        format!("{at}.name"),
                        format!("Enter between 1 and {max_name} characters."),
                    ));
                }
                let index = s
                    .get("index")
                    .and_then(|i| as_id(i).or((i.as_str() == Some("0")).then_some(0)))
                    .ok_or_else(|| {
                        KintoneError::invalid(format!("{at}.index"), "Enter an integer value.")
                    })?;
                let kept = current_states.as_ref().and_then(|c| c.get(key));
                let assignee = match s.get("assignee").filter(|v| !v.is_null()) {
                    Some(a) => {
                        let t = a
                            .get("type")
                            .and_then(Value::as_str)
                            .filter(|t| matches!(*t, "ONE" | "ALL" | "ANY"))
                            .ok_or_else(|| {
                                KintoneError::invalid(
                                    format!("{at}.assignee.type"),
                                    "Enter ONE, ALL or ANY.",
                                )
                            })?;
                        let list = entities(
                            settings,
                            a.get("entities"),
                            &format!("{at}.assignee.entities"),
                        )?;
                        json!({"type": t, "entities": list})
                    }
                    None => kept
                        .and_then(|k| k.get("assignee"))
                        .cloned()
                        .unwrap_or(json!({"type": "ONE", "entities": []})),
                };
                if states.contains_key(name) {
                    return Err(KintoneError::invalid(
                        format!("{at}.name"),
                        format!("The status {name} is given twice."),
                    ));
                }
                if first.as_ref().is_none_or(|(i, _)| index < *i) {
                    first = Some((index, key.clone()));
                }
                if name != key {
                    renames.push((key.clone(), name.to_string()));
                }
                states.insert(
                    name.to_string(),
                    json!({"name": name, "index": index.to_string(), "assignee": assignee}),
                );
            }
            // The first status can be renamed, not replaced by a new one.
            if let (Some(current), Some((_, key))) = (&current_states, &first) {
                if !current.is_empty() && !current.contains_key(key) {
                    return Err(KintoneError::invalid(
                        format!("states.{key}"),
                        "The first status cannot be added; rename the current first status.",
                    ));
                }
            }
            Some(states)
        }
    };

    let actions = match params.get("actions").filter(|v| !v.is_null()) {
        None => current
            .get("actions")
            .and_then(Value::as_array)
            .map(|kept| {
                kept.iter()
                    .map(|a| {
                        let mut a = a.clone();
                        for end in ["from", "to"] {
                            if let Some((_, to)) = renames.iter().find(|(from, _)| a[end] == **from)
                            {
                                a[end] = json!(to);
                            }
                        }
                        a
                    })
                    .collect::<Vec<_>>()
            }),
        Some(given) => {
            let given = given
                .as_array()
                .ok_or_else(|| KintoneError::invalid("actions", "Enter an array."))?;
            let mut out = Vec::new();
            for (i, a) in given.iter().enumerate() {
                let at = format!("actions[{i}]");
                let text = |key: &str| -> Result<String> {
                    a.get(key)
                        .and_then(Value::as_str)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                        .ok_or_else(|| {
                            KintoneError::invalid(format!("{at}.{key}"), "Required field.")
                        })
                };
                let action_type = match a.get("type").and_then(Value::as_str) {
                    None => "PRIMARY",
                    Some(t @ ("PRIMARY" | "SECONDARY")) => t,
                    Some(_) => {
                        return Err(KintoneError::invalid(
                            format!("{at}.type"),
                            "Enter PRIMARY or SECONDARY.",
                        ))
                    }
                };
                out.push(json!({
                    "name": text("name")?,
                    "from": text("from")?,
                    "to": text("to")?,
                    "filterCond": filter_cond(
                        settings,
                        a.get("filterCond").and_then(Value::as_str).unwrap_or_default(),
                        &format!("{at}.filterCond"),
                    )?,
                    "type": action_type,
                    "executableUser": {"entities": entities(
                        settings,
                        a.pointer("/executableUser/entities"),
                        &format!("{at}.executableUser.entities"),
                    )?},
                }));
            }
            Some(out)
        }
    };

    for (i, a) in actions.iter().flatten().enumerate() {
        for end in ["from", "to"] {
            let state = a[end].as_str().unwrap_or_default();
            if !states.as_ref().is_some_and(|s| s.contains_key(state)) {
                return Err(KintoneError::invalid(
                    format!("actions[{i}].{end}"),
                    format!("The status {state} does not exist."),
                ));
            }
        }
    }
    let enable = enable.unwrap_or(current["enable"] == Value::Bool(true));
    if enable && states.as_ref().is_none_or(|s| s.is_empty()) {
        return Err(KintoneError::invalid(
            "states",
            "Process management needs statuses.",
        ));
    }
    settings.groups.insert(
        "status".into(),
        json!({"enable": enable, "states": states, "actions": actions}),
    );
    if let Some(status) = settings.properties.get_mut("Status") {
        status["enabled"] = json!(enable);
    }
    Ok(changed(ctx, app))
}

// ---- customization ----

fn customization_default() -> Value {
    json!({"scope": "ALL", "desktop": {"js": [], "css": []}, "mobile": {"js": [], "css": []}})
}

pub fn get_customization(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let (_, settings) = readable_app(ctx, params, preview)?;
    let body = group(settings, "customize")
        .cloned()
        .unwrap_or_else(customization_default);
    Ok(answer(body, settings))
}

/// One script or style sheet as kintone keeps it: an HTTPS URL, or an upload (kept by its key
/// with what is known of it, not its bytes).
fn resource(ctx: &Ctx, app: u64, given: &Value, at: &str) -> Result<Value> {
    match given.get("type").and_then(Value::as_str) {
        Some("URL") => {
            let url = given.get("url").and_then(Value::as_str).unwrap_or_default();
            if !url.starts_with("https://") || url.len() <= "https://".len() {
                return Err(KintoneError::invalid(
                    format!("{at}.url"),
                    "Enter a URL that starts with https://.",
                ));
            }
            Ok(json!({"type": "URL", "url": url}))
        }
        Some("FILE") => {
            let key = given
                .pointer("/file/fileKey")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let file = settings_file(ctx, app, key, &format!("{at}.file.fileKey"))?;
            Ok(json!({"type": "FILE", "file": file}))
        }
        _ => Err(KintoneError::invalid(
            format!("{at}.type"),
            "Enter URL or FILE.",
        )),
    }
}

pub fn update_customization(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let mut change = Map::new();
    if let Some(scope) = params.get("scope").filter(|v| !v.is_null()) {
        if !matches!(scope.as_str(), Some("ALL" | "ADMIN" | "NONE")) {
            return Err(KintoneError::invalid("scope", "Enter ALL, ADMIN or NONE."));
        }
        change.insert("scope".into(), scope.clone());
    }
    for device in ["desktop", "mobile"] {
        let Some(given) = params.get(device).filter(|v| !v.is_null()) else {
            continue;
        };
        let mut lists = Map::new();
        for kind in ["js", "css"] {
            let Some(items) = given.get(kind).filter(|v| !v.is_null()) else {
                continue;
            };
            let items = items.as_array().ok_or_else(|| {
                KintoneError::invalid(format!("{device}.{kind}"), "Enter an array.")
            })?;
            let kept = items
                .iter()
                .enumerate()
                .map(|(i, r)| resource(ctx, app, r, &format!("{device}.{kind}[{i}]")))
                .collect::<Result<Vec<_>>>()?;
            lists.insert(kind.into(), Value::Array(kept));
        }
        change.insert(device.into(), Value::Object(lists));
    }
    writable(ctx, params, app)?;
    for device in ["desktop", "mobile"] {
        for kind in ["js", "css"] {
            let items = change
                .get_mut(device)
                .and_then(|d| d.get_mut(kind))
                .and_then(Value::as_array_mut);
            for item in items.into_iter().flatten() {
                if let Some(file) = item.get_mut("file") {
                    keep_settings_file(ctx, app, file);
                }
            }
        }
    }
    let settings = writable(ctx, params, app)?;
    let mut customization = group(settings, "customize")
        .cloned()
        .unwrap_or_else(customization_default);
    for (k, v) in change {
        match (customization.get_mut(&k), v) {
            // Each list given replaces its own; the other list of the device stays.
            (Some(Value::Object(kept)), Value::Object(given)) => kept.extend(given),
            (_, v) => customization[k] = v,
        }
    }
    settings.groups.insert("customize".into(), customization);
    Ok(changed(ctx, app))
}

// ---- admin notes ----

/// What the admin notes of an app whose settings never wrote them read.
fn admin_notes_default() -> Value {
    json!({"content": "", "includeInTemplateAndDuplicates": false})
}

pub fn get_admin_notes(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let (_, settings) = readable_app(ctx, params, preview)?;
    let body = group(settings, "adminNotes")
        .cloned()
        .unwrap_or_else(admin_notes_default);
    Ok(answer(body, settings))
}

pub fn update_admin_notes(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let content = match params.get("content").filter(|v| !v.is_null()) {
        Some(Value::String(c)) => Some(c.clone()),
        Some(_) => return Err(KintoneError::invalid("content", "Enter a string.")),
        None => None,
    };
    let include = match params
        .get("includeInTemplateAndDuplicates")
        .filter(|v| !v.is_null())
    {
        Some(v) => Some(flag(v, "includeInTemplateAndDuplicates")?),
        None => None,
    };
    let settings = writable(ctx, params, app)?;
    let mut notes = group(settings, "adminNotes")
        .cloned()
        .unwrap_or_else(admin_notes_default);
    if let Some(c) = content {
        notes["content"] = json!(c);
    }
    if let Some(i) = include {
        notes["includeInTemplateAndDuplicates"] = json!(i);
    }
    settings.groups.insert("adminNotes".into(), notes);
    Ok(changed(ctx, app))
}

// ---- an app's plug-ins ----

/// The plug-ins an app whose settings never added any uses: those the domain records it as
/// using (seeded).
fn plugins_default(ctx: &Ctx, app: u64) -> Value {
    let plugins = &ctx.db.plugins;
    let used: Vec<Value> = plugins
        .used_by
        .iter()
        .filter(|(_, apps)| apps.contains(&app))
        .map(|(id, _)| {
            let name = plugins.names.get(id).cloned().unwrap_or_default();
            json!({"id": id, "name": name, "enabled": true})
        })
        .collect();
    Value::Array(used)
}

pub fn get_app_plugins(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let (app, settings) = readable_app(ctx, params, preview)?;
    let plugins = match group(settings, "plugins") {
        Some(written) => written.clone(),
        None => plugins_default(ctx, app),
    };
    Ok(answer(json!({ "plugins": plugins }), settings))
}

pub fn add_app_plugins(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let ids: Vec<&str> = params
        .get("ids")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if ids.is_empty() {
        return Err(KintoneError::invalid("ids", "Required field."));
    }
    let mut added = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let plugin = ctx
            .db
            .plugins
            .installed
            .iter()
            .find(|p| p.id == *id)
            .ok_or_else(|| {
                KintoneError::invalid(
                    format!("ids[{i}]"),
                    format!("The plug-in {id} is not installed."),
                )
            })?;
        added.push(json!({"id": plugin.id, "name": plugin.name, "enabled": true}));
    }
    let fallback = plugins_default(ctx, app);
    let settings = writable(ctx, params, app)?;
    let mut plugins = group(settings, "plugins").cloned().unwrap_or(fallback);
    let list = plugins.as_array_mut().expect("plug-ins are a list");
    for p in added {
        if !list.iter().any(|q| q["id"] == p["id"]) {
            list.push(p);
        }
    }
    settings.groups.insert("plugins".into(), plugins);
    Ok(changed(ctx, app))
}

// ---- actions ----

pub fn get_actions(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let (_, settings) = readable_app(ctx, params, preview)?;
    let actions = group(settings, "actions").cloned().unwrap_or(json!({}));
    Ok(answer(json!({ "actions": actions }), settings))
}

/// The app an action copies into, by ID or code, with the field codes of its live form.
fn dest_app(ctx: &Ctx, given: &Value, at: &str) -> Result<(Value, Vec<String>)> {
    let by_id = given.get("app").and_then(crate::domain::ids::as_id);
    let by_code = given
        .get("code")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty());
    let found = ctx.db.settings.iter().find(|(id, s)| {
        by_id.map_or_else(|| by_code == Some(s.code.as_str()), |wanted| **id == wanted)
    });
    let Some((id, s)) = found.filter(|(_, s)| s.live.is_some()) else {
        return Err(KintoneError::invalid(
            format!("{at}.app"),
            "The app does not exist.",
        ));
    };
    let codes = s
        .live
        .as_ref()
        .map(|l| l.properties.keys().cloned().collect())
        .unwrap_or_default();
    Ok((json!({"app": id.to_string(), "code": s.code}), codes))
}

/// An action's list `key` (its mappings or entities): the list given, each item read by `item`
/// (with its index), or the one the action kept when none is given; required either way.
fn list_or_kept(
    given: &Value,
    kept: Option<&Value>,
    key: &str,
    at: &str,
    mut item: impl FnMut(usize, &Value) -> Result<Value>,
) -> Result<Value> {
    match given.get(key).filter(|v| !v.is_null()) {
        None => kept
            .and_then(|k| k.get(key))
            .cloned()
            .ok_or_else(|| KintoneError::invalid(format!("{at}.{key}"), "Required field.")),
        Some(list) => {
            let list = list
                .as_array()
                .ok_or_else(|| KintoneError::invalid(format!("{at}.{key}"), "Enter an array."))?;
            let items = list
                .iter()
                .enumerate()
                .map(|(i, v)| item(i, v))
                .collect::<Result<Vec<_>>>()?;
            Ok(Value::Array(items))
        }
    }
}

pub fn update_actions(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let wanted = object_param(params, "actions")?.clone();
    let mut last = last_id(ctx, "actions", 8_800);
    let current = ctx
        .db
        .settings
        .get(&app)
        .and_then(|s| group(&s.preview, "actions").cloned())
        .unwrap_or(json!({}));
    // Destination apps are looked up before the pre-live settings are borrowed to change.
    let mut dests = std::collections::HashMap::new();
    for (key, given) in &wanted {
        let at = format!("actions.{key}.destApp");
        let kept = current.get(key).and_then(|a| a.get("destApp"));
        let dest = match given.get("destApp").filter(|v| !v.is_null()).or(kept) {
            Some(d) => dest_app(ctx, d, &at)?,
            None => return Err(KintoneError::invalid(at, "Required field.")),
        };
        dests.insert(key.clone(), dest);
    }
    let settings = writable(ctx, params, app)?;
    let mut actions = Map::new();
    for (key, given) in &wanted {
        let at = format!("actions.{key}");
        let kept = current.get(key);
        let name = name_of(given, key);
        let index = index_of(given, &at)?;
        let (dest, dest_fields) = dests.remove(key).expect("looked up above");
        let mappings = list_or_kept(given, kept, "mappings", &at, |i, m| {
            let here = format!("{at}.mappings[{i}]");
            let dest_field = m
                .get("destField")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !dest_fields.iter().any(|c| c == dest_field) {
                return Err(KintoneError::invalid(
                    format!("{here}.destField"),
                    format!("The field {dest_field} does not exist in the target app."),
                ));
            }
            match m.get("srcType").and_then(Value::as_str) {
                Some("FIELD") => {
                    let src = m
                        .get("srcField")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    known_field(settings, src, &format!("{here}.srcField"))?;
                    Ok(json!({"srcType": "FIELD", "srcField": src, "destField": dest_field}))
                }
                Some("RECORD_URL") => Ok(json!({"srcType": "RECORD_URL", "destField": dest_field})),
                _ => Err(KintoneError::invalid(
                    format!("{here}.srcType"),
                    "Enter FIELD or RECORD_URL.",
                )),
            }
        })?;
        let entities = list_or_kept(given, kept, "entities", &at, |i, e| {
            let t = e
                .get("type")
                .and_then(Value::as_str)
                .filter(|t| matches!(*t, "USER" | "GROUP" | "ORGANIZATION"))
                .ok_or_else(|| {
                    KintoneError::invalid(
                        format!("{at}.entities[{i}].type"),
                        "Enter USER, GROUP or ORGANIZATION.",
                    )
                })?;
            let code = e
                .get("code")
                .and_then(Value::as_str)
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    KintoneError::invalid(format!("{at}.entities[{i}].code"), "Required field.")
                })?;
            Ok(json!({"type": t, "code": code}))
        })?;
        let filter = match given.get("filterCond").and_then(Value::as_str) {
            Some(f) => filter_cond(settings, f, &format!("{at}.filterCond"))?,
            None => kept
                .and_then(|k| k.get("filterCond"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        };
        let id = id_by_name(&current, &name, &mut last);
        actions.insert(
            name.clone(),
            json!({"name": name, "id": id, "index": index.to_string(), "destApp": dest,
                "mappings": mappings, "entities": entities, "filterCond": filter}),
        );
    }
    Ok(store_named(ctx, app, "actions", actions))
}

// ---- graphs ----

pub fn get_reports(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let (_, settings) = readable_app(ctx, params, preview)?;
    let mut reports = group(settings, "reports").cloned().unwrap_or(json!({}));
    // A graph without a periodic report says so with `null`, as kintone answers.
    if let Some(reports) = reports.as_object_mut() {
        for report in reports.values_mut().filter_map(Value::as_object_mut) {
            report.entry("periodicReport").or_insert(Value::Null);
        }
    }
    Ok(answer(json!({ "reports": reports }), settings))
}

/// `given[key]` when it is one of `allowed`.
fn one_of<'v>(given: &'v Value, key: &str, allowed: &[&str], at: &str) -> Result<&'v str> {
    given
        .get(key)
        .and_then(Value::as_str)
        .filter(|v| allowed.contains(v))
        .ok_or_else(|| {
            KintoneError::invalid(
                format!("{at}.{key}"),
                format!("Enter one of {}.", allowed.join(", ")),
            )
        })
}

fn list<'v>(given: &'v Value, key: &str, at: &str) -> Result<&'v [Value]> {
    match given.get(key).filter(|v| !v.is_null()) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(KintoneError::invalid(
            format!("{at}.{key}"),
            "Enter an array.",
        )),
    }
}

const PERIODS: &[&str] = &["YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE"];

/// The periods a field of `field_type` may be grouped by (none for other types).
fn periods_of(field_type: &str) -> &'static [&'static str] {
    match field_type {
        "DATE" => &PERIODS[..5],
        "TIME" => &PERIODS[5..],
        "DATETIME" | "CREATED_TIME" | "UPDATED_TIME" => PERIODS,
        _ => &[],
    }
}

/// A periodic report as kintone keeps it, with the keys its `every` takes.
fn periodic(given: &Value, at: &str) -> Result<Value> {
    let active = flag(
        given.get("active").unwrap_or(&Value::Bool(false)),
        &format!("{at}.active"),
    )?;
    let period = given.get("period").cloned().unwrap_or(json!({}));
    let at = format!("{at}.period");
    let every = one_of(
        &period,
        "every",
        &["YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR"],
        &at,
    )?;
    let mut out = json!({"every": every});
    let keys: &[&str] = match every {
        "YEAR" => &["month", "dayOfMonth", "time"],
        "QUARTER" => &["pattern", "dayOfMonth", "time"],
        "MONTH" => &["dayOfMonth", "time"],
        "WEEK" => &["dayOfWeek", "time"],
        "DAY" => &["time"],
        _ => &["minute"],
    };
    for key in keys {
        let v = period.get(*key).filter(|v| !v.is_null());
        let here = format!("{at}.{key}");
        let kept = match *key {
            "month" => v
                .map(|v| number_in(v, 1..=12, &here))
                .transpose()?
                .map(Value::from),
            "minute" => v
                .map(|v| number_in(v, 0..=59, &here))
                .transpose()?
                .map(Value::from),
            "dayOfMonth" => match v {
                Some(Value::String(s)) if s == "END_OF_MONTH" => Some(json!(s)),
                Some(v) => Some(json!(number_in(v, 1..=31, &here)?)),
                None => None,
            },
            "time" => match v.and_then(Value::as_str) {
                Some(t) if is_time(t) => Some(json!(t)),
                _ => return Err(KintoneError::invalid(here, "Enter a time as HH:MM.")),
            },
            "dayOfWeek" => Some(json!(one_of(
                &period,
                key,
                &[
                    "MONDAY",
                    "TUESDAY",
                    "WEDNESDAY",
                    "THURSDAY",
                    "FRIDAY",
                    "SATURDAY",
                    "SUNDAY"
                ],
                &at,
            )?)),
            _ => Some(json!(one_of(
                &period,
                key,
                &["JAN_APR_JUL_OCT", "FEB_MAY_AUG_NOV", "MAR_JUN_SEP_DEC"],
                &at,
            )?)),
        };
        match kept {
            Some(v) => out[*key] = v,
            None => return Err(KintoneError::invalid(here, "Required field.")),
        }
    }
    Ok(json!({"active": active, "period": out}))
}

fn is_time(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && t[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && t[3..].parse::<u8>().is_ok_and(|m| m < 60)
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit())
}

/// One graph to write, checked against the pre-live form, as it will read back (without its
/// ID).
fn report_of(settings: &Settings, key: &str, given: &Value) -> Result<(String, Value)> {
    let at = format!("reports.{key}");
    let chart = one_of(
        given,
        "chartType",
        &[
            "BAR",
            "COLUMN",
            "PIE",
            "LINE",
            "PIVOT_TABLE",
            "TABLE",
            "AREA",
            "SPLINE",
            "SPLINE_AREA",
        ],
        &at,
    )?;
    let index = index_of(given, &at)?;
    let name = name_of(given, key);
    let max_groups = crate::domain::spec::limits().report_groups;
    let groups_given = list(given, "groups", &at)?;
    if groups_given.len() > max_groups {
        return Err(KintoneError::invalid(
            format!("{at}.groups"),
            format!("Specify {max_groups} groups or fewer."),
        ));
    }
    let mut groups = Vec::new();
    for (i, g) in groups_given.iter().enumerate() {
        let here = format!("{at}.groups[{i}]");
        let code = g.get("code").and_then(Value::as_str).unwrap_or_default();
        let t = field_type(settings, code).ok_or_else(|| {
            KintoneError::invalid(
                format!("{here}.code"),
                format!("The field {code} does not exist."),
            )
        })?;
        let periods = periods_of(t);
        match g.get("per").and_then(Value::as_str) {
            Some(per) if periods.contains(&per) => groups.push(json!({"code": code, "per": per})),
            Some(_) => {
                return Err(KintoneError::invalid(
                    format!("{here}.per"),
                    "The field cannot be grouped by this period.",
                ))
            }
            // A date or time is grouped by its first period when none is given.
            None => match periods.first() {
                Some(per) => groups.push(json!({"code": code, "per": per})),
                None => groups.push(json!({"code": code})),
            },
        }
    }
    let mut aggregations = Vec::new();
    for (i, a) in list(given, "aggregations", &at)?.iter().enumerate() {
        let here = format!("{at}.aggregations[{i}]");
        let t = one_of(a, "type", &["COUNT", "SUM", "AVERAGE", "MAX", "MIN"], &here)?;
        if t == "COUNT" {
            aggregations.push(json!({"type": "COUNT"}));
            continue;
        }
        let code = a.get("code").and_then(Value::as_str).unwrap_or_default();
        match field_type(settings, code) {
            Some("NUMBER" | "CALC") => aggregations.push(json!({"type": t, "code": code})),
            _ => {
                return Err(KintoneError::invalid(
                    format!("{here}.code"),
                    "Enter the code of a number or calculated field.",
                ))
            }
        }
    }
    if aggregations.is_empty() {
        aggregations.push(json!({"type": "COUNT"}));
    }
    let mut sorts = Vec::new();
    for (i, s) in list(given, "sorts", &at)?.iter().enumerate() {
        let here = format!("{at}.sorts[{i}]");
        let by = one_of(s, "by", &["TOTAL", "GROUP1", "GROUP2", "GROUP3"], &here)?;
        let level = by
            .strip_prefix("GROUP")
            .and_then(|n| n.parse::<usize>().ok());
        if level.is_some_and(|n| n > groups.len()) {
            return Err(KintoneError::invalid(
                format!("{here}.by"),
                "The graph has no such grouping level.",
            ));
        }
        let order = one_of(s, "order", &["ASC", "DESC"], &here)?;
        sorts.push(json!({"by": by, "order": order}));
    }
    let mut report = json!({
        "name": name,
        "index": index.to_string(),
        "chartType": chart,
        "groups": groups,
        "aggregations": aggregations,
        "filterCond": filter_cond(
            settings,
            given.get("filterCond").and_then(Value::as_str).unwrap_or_default(),
            &format!("{at}.filterCond"),
        )?,
        "sorts": sorts,
    });
    if matches!(
        chart,
        "BAR" | "COLUMN" | "LINE" | "AREA" | "SPLINE" | "SPLINE_AREA"
    ) {
        let mode = match given.get("chartMode").filter(|v| !v.is_null()) {
            Some(_) => one_of(
                given,
                "chartMode",
                &["NORMAL", "STACKED", "PERCENTAGE"],
                &at,
            )?,
            None => "NORMAL",
        };
        report["chartMode"] = json!(mode);
    }
    if let Some(p) = given.get("periodicReport").filter(|v| !v.is_null()) {
        report["periodicReport"] = periodic(p, &format!("{at}.periodicReport"))?;
    }
    Ok((name, report))
}

pub fn update_reports(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    replace_named(ctx, params, "reports", 4_400, report_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_and_time_literals_read_back_in_utc_and_others_unchanged() {
        assert_eq!(
            utc_literals(
                r#"Created > "2024-03-01T09:00:00+09:00" and Title = "a\"T" and D = "2024-03-01""#
            ),
            r#"Created > "2024-03-01T00:00:00Z" and Title = "a\"T" and D = "2024-03-01""#
        );
    }
}

//! Forms: fields (read live or pre-live; added, changed and deleted on the pre-live form) and
//! the layout. Changes reach records when the app is deployed (see `apps::deploy`).

use serde_json::{json, Map, Value};

use super::context::{id_param, Ctx};
use super::settings_access::{changed, readable_app, writable};
use crate::domain::error::{KintoneError, Result};
use crate::domain::seed::FieldType;

/// The field types a form may gain through Add Form Fields (the fields every app has, status,
/// assignees and categories are kintone's own).
const ADDABLE: &[&str] = &[
    "SINGLE_LINE_TEXT",
    "NUMBER",
    "CALC",
    "MULTI_LINE_TEXT",
    "RICH_TEXT",
    "LINK",
    "CHECK_BOX",
    "RADIO_BUTTON",
    "DROP_DOWN",
    "MULTI_SELECT",
    "FILE",
    "DATE",
    "TIME",
    "DATETIME",
    "USER_SELECT",
    "ORGANIZATION_SELECT",
    "GROUP_SELECT",
    "REFERENCE_TABLE",
    "SUBTABLE",
    "GROUP",
];

/// Types whose fields may prohibit duplicate values.
const UNIQUE_TYPES: &[&str] = &["SINGLE_LINE_TEXT", "NUMBER", "LINK", "DATE", "DATETIME"];

pub fn get_fields(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let (_, settings) = readable_app(ctx, params, preview)?;
    let mut properties = settings.properties.clone();
    for field in properties.values_mut() {
        with_defaults(field);
    }
    Ok(json!({
        "properties": properties,
        "revision": settings.revision.to_string(),
    }))
}

/// Fills in every property of the field's type that it was not given, with kintone's default,
/// as Get Form Fields answers (kintone's documentation lists each type's properties); a
/// table's fields too.
fn with_defaults(field: &mut Value) {
    let Some(p) = field.as_object_mut() else {
        return;
    };
    let t = p.get("type").and_then(Value::as_str).unwrap_or_default();
    let text_bounds = json!({"minLength": "", "maxLength": ""});
    let input = json!({"required": false, "noLabel": false});
    let defaults = match t {
        "SINGLE_LINE_TEXT" => json!([input, text_bounds, {"unique": false, "defaultValue": "",
            "expression": "", "hideExpression": false}]),
        "NUMBER" => json!([input, {"unique": false, "defaultValue": "", "minValue": "",
            "maxValue": "", "digit": false, "displayScale": "", "unit": "", "unitPosition": "BEFORE"}]),
        "CALC" => json!([input, {"expression": "", "format": "NUMBER", "displayScale": "",
            "unit": "", "unitPosition": "BEFORE", "hideExpression": false}]),
        "MULTI_LINE_TEXT" | "RICH_TEXT" => json!([input, {"defaultValue": ""}]),
        "LINK" => json!([input, text_bounds, {"unique": false, "defaultValue": "",
            "protocol": "WEB"}]),
        "CHECK_BOX" => json!([input, {"defaultValue": [], "options": {}, "align": "HORIZONTAL"}]),
        "RADIO_BUTTON" => {
            json!([input, {"defaultValue": "", "options": {}, "align": "HORIZONTAL"}])
        }
        "DROP_DOWN" => json!([input, {"defaultValue": "", "options": {}}]),
        "MULTI_SELECT" => json!([input, {"defaultValue": [], "options": {}}]),
        "FILE" => json!([input, {"thumbnailSize": "150"}]),
        "DATE" | "DATETIME" => json!([input, {"unique": false, "defaultValue": "",
            "defaultNowValue": false}]),
        "TIME" => json!([input, {"defaultValue": "", "defaultNowValue": false}]),
        "USER_SELECT" | "ORGANIZATION_SELECT" | "GROUP_SELECT" => {
            json!([input, {"defaultValue": [], "entities": []}])
        }
        "GROUP" => json!([{"noLabel": false, "openGroup": false}]),
        "SUBTABLE" => json!([{"noLabel": false}]),
        _ => json!([{"noLabel": false}]),
    };
    for part in defaults.as_array().into_iter().flatten() {
        for (key, value) in part.as_object().into_iter().flatten() {
            p.entry(key.clone()).or_insert_with(|| value.clone());
        }
    }
    if let Some(inner) = p.get_mut("fields").and_then(Value::as_object_mut) {
        for field in inner.values_mut() {
            with_defaults(field);
        }
    }
}

pub fn get_layout(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let (_, settings) = readable_app(ctx, params, preview)?;
    Ok(json!({
        "layout": settings.layout,
        "revision": settings.revision.to_string(),
    }))
}

fn properties_param(params: &Value) -> Result<&Map<String, Value>> {
    params
        .get("properties")
        .and_then(Value::as_object)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| KintoneError::invalid("properties", "Required field."))
}

/// Every field code of a form, subtable fields included.
fn codes_of(properties: &Map<String, Value>) -> Vec<String> {
    let mut codes = Vec::new();
    for (code, p) in properties {
        codes.push(code.clone());
        if let Some(inner) = p.get("fields").and_then(Value::as_object) {
            codes.extend(inner.keys().cloned());
        }
    }
    codes
}

/// A field's properties as kintone keeps them: the code in the key, a name, and the flags
/// kintone fills in when they are left out.
fn complete(code: &str, mut p: Value, at: &str, inner: bool) -> Result<Value> {
    let t = p
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| KintoneError::invalid(format!("{at}.type"), "Required field."))?
        .to_string();
    if !ADDABLE.contains(&t.as_str())
        || (inner && matches!(t.as_str(), "SUBTABLE" | "GROUP" | "REFERENCE_TABLE"))
    {
        return Err(KintoneError::invalid(
            format!("{at}.type"),
            format!("A field of type {t} cannot be added here."),
        ));
    }
    let max = crate::domain::spec::limits().field_code_length;
    if code.is_empty() || code.chars().count() > max {
        return Err(KintoneError::invalid(
            format!("{at}.code"),
            format!("Enter between 1 and {max} characters."),
        ));
    }
    let Some(o) = p.as_object_mut() else {
        return Err(KintoneError::invalid(at, "Enter an object."));
    };
    o.insert("code".into(), json!(code));
    o.entry("label").or_insert_with(|| json!(code));
    o.entry("noLabel").or_insert(json!(false));
    if !matches!(t.as_str(), "SUBTABLE" | "GROUP" | "REFERENCE_TABLE") {
        o.entry("required").or_insert(json!(false));
    }
    if UNIQUE_TYPES.contains(&t.as_str()) {
        o.entry("unique").or_insert(json!(false));
    }
    if t == "CALC" {
        let expression = o
            .get("expression")
            .and_then(Value::as_str)
            .unwrap_or_default();
        crate::domain::formula::parse(expression).map_err(|e| {
            KintoneError::invalid(
                format!("{at}.expression"),
                format!("The formula is not valid: {e}"),
            )
        })?;
    }
    if let Some(options) = o.get("options").and_then(Value::as_object) {
        for (label, option) in options {
            if option
                .get("index")
                .and_then(crate::domain::ids::as_id)
                .is_none()
            {
                return Err(KintoneError::invalid(
                    format!("{at}.options.{label}.index"),
                    "Enter an integer value.",
                ));
            }
        }
    }
    if t == "SUBTABLE" {
        let inner_fields = o
            .get("fields")
            .and_then(Value::as_object)
            .filter(|f| !f.is_empty())
            .ok_or_else(|| KintoneError::invalid(format!("{at}.fields"), "Required field."))?
            .clone();
        let mut done = Map::new();
        for (inner_code, inner_p) in inner_fields {
            let inner_at = format!("{at}.fields.{inner_code}");
            done.insert(
                inner_code.clone(),
                complete(&inner_code, inner_p, &inner_at, true)?,
            );
        }
        o.insert("fields".into(), Value::Object(done));
    }
    Ok(p)
}

/// The layout block kintone gives a field added without a layout.
fn block_of(code: &str, p: &Value) -> Value {
    let t = p.get("type").and_then(Value::as_str).unwrap_or_default();
    match t {
        "SUBTABLE" => json!({"type": "SUBTABLE", "code": code, "fields": p["fields"]
            .as_object()
            .map(|f| f.iter().map(|(c, q)| json!({"type": q["type"], "code": c, "size": {}})).collect::<Vec<_>>())
            .unwrap_or_default()}),
        "GROUP" => json!({"type": "GROUP", "code": code, "layout": []}),
        _ => json!({"type": "ROW", "fields": [{"type": t, "code": code, "size": {}}]}),
    }
}

pub fn add_fields(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let wanted = properties_param(params)?.clone();
    let settings = writable(ctx, params, app)?;
    let mut taken = codes_of(&settings.properties);
    let mut added = Vec::new();
    for (code, p) in wanted {
        let at = format!("properties.{code}");
        let p = complete(&code, p, &at, false)?;
        for c in codes_of(&Map::from_iter([(code.clone(), p.clone())])) {
            if taken.contains(&c) {
                return Err(KintoneError::invalid(
                    format!("{at}.code"),
                    format!("The field code {c} is already used."),
                ));
            }
            taken.push(c);
        }
        added.push((code, p));
    }
    for (code, p) in added {
        settings.layout.push(block_of(&code, &p));
        settings.properties.insert(code, p);
    }
    Ok(changed(ctx, app))
}

/// Merges `change` into `current`: each key given replaces the one kept.
fn merged(current: &Value, change: &Value) -> Value {
    let mut out = current.clone();
    if let (Some(o), Some(c)) = (out.as_object_mut(), change.as_object()) {
        for (k, v) in c {
            o.insert(k.clone(), v.clone());
        }
    }
    out
}

fn rename_in_layout(blocks: &mut [Value], from: &str, to: &str) {
    for block in blocks {
        if block.get("code").and_then(Value::as_str) == Some(from) {
            block["code"] = json!(to);
        }
        for key in ["fields", "layout"] {
            if let Some(items) = block.get_mut(key).and_then(Value::as_array_mut) {
                rename_in_layout(items, from, to);
            }
        }
    }
}

pub fn update_fields(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let wanted = properties_param(params)?.clone();
    let settings = writable(ctx, params, app)?;
    let mut properties = settings.properties.clone();
    let mut renames = Vec::new();
    for (code, change) in wanted {
        let at = format!("properties.{code}");
        let current = properties.remove(&code).ok_or_else(|| {
            KintoneError::invalid(
                format!("{at}.code"),
                format!("The field {code} does not exist."),
            )
        })?;
        let t = current.get("type").cloned().unwrap_or_default();
        if change.get("type").is_some_and(|c| *c != t) {
            return Err(KintoneError::invalid(
                format!("{at}.type"),
                "The field type cannot be changed.",
            ));
        }
        let next = merged(&current, &change);
        let new_code = next
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or(&code)
            .to_string();
        let builtin = t
            .as_str()
            .and_then(|t| serde_json::from_value::<FieldType>(json!(t)).ok())
            .is_some_and(|t| t.is_system() && t != FieldType::Calc);
        let next = if builtin {
            next
        } else {
            complete(&new_code, next, &at, false)?
        };
        if new_code != code {
            if codes_of(&properties).contains(&new_code) {
                return Err(KintoneError::invalid(
                    format!("{at}.code"),
                    format!("The field code {new_code} is already used."),
                ));
            }
            renames.push((code.clone(), new_code.clone()));
        }
        properties.insert(new_code, next);
    }
    settings.properties = properties;
    for (from, to) in renames {
        rename_in_layout(&mut settings.layout, &from, &to);
    }
    Ok(changed(ctx, app))
}

fn remove_from_layout(blocks: &mut Vec<Value>, code: &str) {
    blocks.retain(|b| b.get("code").and_then(Value::as_str) != Some(code));
    for block in blocks.iter_mut() {
        for key in ["fields", "layout"] {
            if let Some(items) = block.get_mut(key).and_then(Value::as_array_mut) {
                remove_from_layout(items, code);
            }
        }
    }
    blocks.retain(|b| {
        b.get("type").and_then(Value::as_str) != Some("ROW")
            || b.get("fields")
                .and_then(Value::as_array)
                .is_some_and(|f| !f.is_empty())
    });
}

pub fn delete_fields(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let fields: Vec<String> = params
        .get("fields")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if fields.is_empty() {
        return Err(KintoneError::invalid("fields", "Required field."));
    }
    let max = crate::domain::spec::limits().fields_per_delete;
    if fields.len() > max {
        return Err(KintoneError::invalid(
            "fields",
            format!("Specify {max} fields or fewer."),
        ));
    }
    let settings = writable(ctx, params, app)?;
    for (i, code) in fields.iter().enumerate() {
        let builtin = settings
            .properties
            .get(code)
            .and_then(|p| p.get("type"))
            .and_then(|t| serde_json::from_value::<FieldType>(t.clone()).ok())
            .map(|t| t.is_system() && t != FieldType::Calc);
        match builtin {
            None => {
                return Err(KintoneError::invalid(
                    format!("fields[{i}]"),
                    format!("The field {code} does not exist."),
                ))
            }
            Some(true) => {
                return Err(KintoneError::invalid(
                    format!("fields[{i}]"),
                    format!("The field {code} cannot be deleted."),
                ))
            }
            Some(false) => {}
        }
    }
    for code in &fields {
        settings.properties.remove(code);
        remove_from_layout(&mut settings.layout, code);
    }
    Ok(changed(ctx, app))
}

pub fn update_layout(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let layout = params
        .get("layout")
        .and_then(Value::as_array)
        .ok_or_else(|| KintoneError::invalid("layout", "Required field."))?
        .clone();
    let settings = writable(ctx, params, app)?;
    let known = codes_of(&settings.properties);
    fn check(blocks: &[Value], known: &[String], at: &str) -> Result<()> {
        for (i, b) in blocks.iter().enumerate() {
            let here = format!("{at}[{i}]");
            if b.get("type").and_then(Value::as_str).is_none() {
                return Err(KintoneError::invalid(
                    format!("{here}.type"),
                    "Required field.",
                ));
            }
            if let Some(code) = b.get("code").and_then(Value::as_str) {
                if !known.iter().any(|k| k == code) {
                    return Err(KintoneError::invalid(
                        format!("{here}.code"),
                        format!("The field {code} does not exist."),
                    ));
                }
            }
            for key in ["fields", "layout"] {
                if let Some(items) = b.get(key).and_then(Value::as_array) {
                    check(items, known, &format!("{here}.{key}"))?;
                }
            }
        }
        Ok(())
    }
    check(&layout, &known, "layout")?;
    settings.layout = layout;
    Ok(changed(ctx, app))
}

/// The keys a legacy form element copies from a field's properties as they are.
const LEGACY_KEYS: &[&str] = &[
    "type",
    "code",
    "label",
    "noLabel",
    "required",
    "unique",
    "defaultValue",
    "minLength",
    "maxLength",
    "minValue",
    "maxValue",
    "digit",
    "displayScale",
    "unit",
    "unitPosition",
    "expression",
    "hideExpression",
    "format",
    "protocol",
];

/// The field types the legacy form lists (it has no status, category or group elements).
fn in_legacy_form(p: &Value) -> bool {
    !matches!(
        p.get("type").and_then(Value::as_str),
        Some("STATUS" | "STATUS_ASSIGNEE" | "CATEGORY" | "GROUP") | None
    )
}

/// A field's properties as the legacy form lists them: options as a list of their labels in
/// order, the related app of a lookup or related-records field as `relatedApp`, a table's
/// fields as a list in `order`.
fn legacy_field(p: &Value, order: &[&str]) -> Value {
    let mut out = Map::new();
    for key in LEGACY_KEYS {
        if let Some(v) = p.get(*key) {
            out.insert((*key).into(), v.clone());
        }
    }
    if p.get("defaultNowValue").and_then(Value::as_bool) == Some(true) {
        out.insert("defaultExpression".into(), json!("NOW"));
    }
    if let Some(options) = p.get("options").and_then(Value::as_object) {
        let mut labels: Vec<(u64, &String)> = options
            .iter()
            .map(|(label, o)| {
                let index = match &o["index"] {
                    Value::String(s) => s.parse().unwrap_or(u64::MAX),
                    v => v.as_u64().unwrap_or(u64::MAX),
                };
                (index, label)
            })
            .collect();
        labels.sort();
        out.insert(
            "options".into(),
            labels.into_iter().map(|(_, l)| json!(l)).collect(),
        );
    }
    let related = p["lookup"]["relatedApp"]["app"]
        .as_str()
        .or_else(|| p["referenceTable"]["relatedApp"]["app"].as_str());
    if let Some(app) = related {
        out.insert("relatedApp".into(), json!(app));
    }
    if let Some(inner) = p.get("fields").and_then(Value::as_object) {
        let mut codes: Vec<&str> = order
            .iter()
            .copied()
            .filter(|c| inner.contains_key(*c))
            .collect();
        codes.extend(
            inner
                .keys()
                .map(String::as_str)
                .filter(|c| !order.contains(c)),
        );
        let fields: Vec<Value> = codes
            .iter()
            .map(|c| legacy_field(&inner[*c], &[]))
            .collect();
        out.insert("fields".into(), Value::Array(fields));
    }
    Value::Object(out)
}

/// The elements of layout blocks in form order, into `out`, noting the fields listed.
fn legacy_elements<'s>(
    blocks: &'s [Value],
    properties: &Map<String, Value>,
    listed: &mut Vec<&'s str>,
    out: &mut Vec<Value>,
) {
    for block in blocks {
        if let Some(rows) = block.get("layout").and_then(Value::as_array) {
            legacy_elements(rows, properties, listed, out);
            continue;
        }
        let items = block["fields"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        if block["type"] == "SUBTABLE" {
            let Some(code) = block["code"].as_str() else {
                continue;
            };
            let order: Vec<&str> = items.iter().filter_map(|f| f["code"].as_str()).collect();
            if let Some(p) = properties.get(code) {
                out.push(legacy_field(p, &order));
                listed.push(code);
            }
            continue;
        }
        for item in items {
            match item["type"].as_str() {
                Some("LABEL") => out.push(json!({"type": "LABEL", "label": item["label"]})),
                Some("SPACER") => {
                    out.push(json!({"type": "SPACER", "elementId": item["elementId"]}))
                }
                Some("HR") => out.push(json!({"type": "HR"})),
                _ => {
                    let Some(code) = item["code"].as_str() else {
                        continue;
                    };
                    if let Some(p) = properties.get(code).filter(|p| in_legacy_form(p)) {
                        out.push(legacy_field(p, &[]));
                        listed.push(code);
                    }
                }
            }
        }
    }
}

/// Get Form (legacy): the live or pre-live form as one flat list, in layout order, then the
/// fields the layout does not place (the fields every app has) in field order.
pub fn get_legacy_form(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let (_, settings) = readable_app(ctx, params, preview)?;
    let mut listed = Vec::new();
    let mut out = Vec::new();
    legacy_elements(
        &settings.layout,
        &settings.properties,
        &mut listed,
        &mut out,
    );
    for (code, p) in &settings.properties {
        if !listed.contains(&code.as_str()) && in_legacy_form(p) {
            out.push(legacy_field(p, &[]));
        }
    }
    Ok(json!({ "properties": out }))
}

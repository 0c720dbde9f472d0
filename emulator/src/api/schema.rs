//! kintone describing its own API: the list of APIs and each API's schema, both read from the
//! spec the emulator serves (the generator's model of the bundle), so that the list is exactly
//! the operations the spec describes.

use std::collections::{BTreeMap, BTreeSet};

use kintone_spec::model::{Api, Location, Method, Operation, ResponseKind, TypeDef, TypeRef};
use serde_json::{json, Map, Value};

use super::context::{str_param, Ctx};
use crate::domain::error::{KintoneError, Result};

/// One API as the list names it: its id (`records/get`), path (`records.json`) and method.
struct Entry<'a> {
    id: String,
    path: String,
    method: &'static str,
    op: &'a Operation,
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
    }
}

/// Every API the spec describes, preview twins included, except the list itself and the schema
/// API (`apis.json`, `apis/{apiId}.json`), which kintone leaves out.
fn entries(api: &Api) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    for op in &api.operations {
        let method = method_name(op.method);
        let mut paths = vec![op.path.clone()];
        if let Some(twin) = &op.preview {
            paths.push(twin.path.clone());
        }
        for path in paths {
            if path == "apis.json" || path.starts_with("apis/") {
                continue;
            }
            let id = format!(
                "{}/{}",
                path.trim_end_matches(".json"),
                method.to_ascii_lowercase()
            );
            out.push(Entry {
                id,
                path,
                method,
                op,
            });
        }
    }
    out
}

/// The ids of every API [`list`] answers, for tests that compare them with the spec.
pub fn api_ids() -> Vec<String> {
    entries(crate::domain::spec::api())
        .into_iter()
        .map(|e| e.id)
        .collect()
}

pub fn list(ctx: &mut Ctx, _params: &Value) -> Result<Value> {
    let apis: Map<String, Value> = entries(crate::domain::spec::api())
        .into_iter()
        .map(|e| {
            let link = format!("apis/{}.json", e.id);
            (e.id, json!({ "link": link }))
        })
        .collect();
    Ok(json!({"baseUrl": ctx.base_url, "apis": apis}))
}

pub fn get(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let id = str_param(params, "apiId").unwrap_or_default();
    let api = crate::domain::spec::api();
    let entry = entries(api)
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| {
            KintoneError::new(
                404,
                "CB_NF01",
                format!("The API ({id}) is not found."),
                format!("API（{id}）が見つかりません。"),
            )
        })?;
    let mut named = BTreeSet::new();
    let mut properties = Map::new();
    let mut required = Vec::new();
    for f in &entry.op.fields {
        if matches!(f.location, Location::Header | Location::Path) {
            continue;
        }
        properties.insert(f.wire_name.clone(), schema_of(&f.ty, &mut named));
        if f.required {
            required.push(f.wire_name.clone());
        }
    }
    let response = match &entry.op.response {
        ResponseKind::Json(name) => schema_of(&TypeRef::Named(name.clone()), &mut named),
        ResponseKind::Binary => json!({"type": "string", "format": "binary"}),
    };
    let mut schemas = BTreeMap::new();
    let mut pending: Vec<String> = named.iter().cloned().collect();
    while let Some(name) = pending.pop() {
        if schemas.contains_key(&name) {
            continue;
        }
        let mut more = BTreeSet::new();
        let schema = api
            .types
            .iter()
            .find(|t| t.name() == name)
            .map_or_else(|| json!({"type": "object"}), |t| definition(t, &mut more));
        schemas.insert(name, schema);
        pending.extend(more.into_iter().filter(|n| !schemas.contains_key(n)));
    }
    Ok(json!({
        "id": entry.id,
        "baseUrl": ctx.base_url,
        "path": entry.path,
        "httpMethod": entry.method,
        "request": {"type": "object", "required": required, "properties": properties},
        "response": response,
        "schemas": schemas,
    }))
}

/// A JSON Schema (draft 4) for a value, in kintone's forms (numbers in strings are
/// `format: long`); named types become a `$ref` by name and are collected in `named`.
fn schema_of(ty: &TypeRef, named: &mut BTreeSet<String>) -> Value {
    match ty {
        TypeRef::String | TypeRef::Text => json!({"type": "string"}),
        TypeRef::Bool => json!({"type": "boolean"}),
        TypeRef::Integer | TypeRef::Unsigned => json!({"type": "integer"}),
        TypeRef::Number => json!({"type": "number"}),
        TypeRef::NumericString => json!({"type": "string", "format": "long"}),
        TypeRef::Decimal => json!({"type": "string", "format": "number"}),
        TypeRef::Date | TypeRef::Time | TypeRef::DateTime => {
            json!({"type": "string", "format": "date-time"})
        }
        TypeRef::FilePart => json!({"type": "string", "format": "binary"}),
        TypeRef::JsonObject => json!({"type": "object"}),
        TypeRef::Named(name) => {
            // Ids are written out where they are used, as kintone's schemas do (`app` is a
            // string of format `long`); other named types are shared definitions.
            let id = crate::domain::spec::api()
                .types
                .iter()
                .find(|t| t.name() == name)
                .filter(|t| {
                    matches!(
                        t,
                        TypeDef::NumericId { .. }
                            | TypeDef::SentinelId { .. }
                            | TypeDef::StringId { .. }
                    )
                });
            match id {
                Some(t) => definition(t, named),
                None => {
                    named.insert(name.clone());
                    json!({ "$ref": name })
                }
            }
        }
        TypeRef::Vec(inner) => json!({"type": "array", "items": schema_of(inner, named)}),
        TypeRef::Map(inner) => {
            json!({"type": "object", "additionalProperties": schema_of(inner, named)})
        }
    }
}

fn definition(t: &TypeDef, named: &mut BTreeSet<String>) -> Value {
    match t {
        TypeDef::Struct(s) => {
            let mut properties = Map::new();
            let mut required = Vec::new();
            for f in &s.fields {
                properties.insert(f.wire_name.clone(), schema_of(&f.ty, named));
                if f.required {
                    required.push(f.wire_name.clone());
                }
            }
            json!({"type": "object", "required": required, "properties": properties})
        }
        TypeDef::NumericId { .. } | TypeDef::SentinelId { .. } => {
            json!({"type": "string", "format": "long"})
        }
        TypeDef::StringId { .. } => json!({"type": "string"}),
        TypeDef::Map { value, .. } => {
            json!({"type": "object", "additionalProperties": schema_of(value, named)})
        }
        TypeDef::Enum(e) => {
            let values: Vec<&str> = e.variants.iter().map(|(wire, _)| wire.as_str()).collect();
            json!({"type": "string", "enum": values})
        }
        // Tagged unions and the runtime's own types (records, field values) are objects whose
        // shape depends on a tag; the emulator does not spell out each shape.
        TypeDef::Union(_) | TypeDef::Runtime { .. } => json!({"type": "object"}),
    }
}

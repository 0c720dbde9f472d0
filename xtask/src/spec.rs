//! The bundled spec as plain JSON, with the few walks the designer tools share: its operations in
//! document order, and local references resolved.

use std::path::Path;

use serde_json::Value;

pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A spec read for the tools: a bundle, or a root whose family files are bundled first.
pub fn load(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let raw: serde_yaml::Value =
        serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = if has_file_references(&raw) {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| format!("{}: not a file", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        kintone_spec::bundle(name, |rel: &str| std::fs::read_to_string(dir.join(rel)))
            .map_err(|e| format!("{}: {}", path.display(), kintone_spec::with_causes(&e)))?
    } else {
        text
    };
    parse(&text)
}

/// Parses YAML (or JSON) text into JSON.
pub fn parse(text: &str) -> Result<Value, String> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    serde_json::to_value(yaml).map_err(|e| e.to_string())
}

/// Whether a document references other files: a root to bundle, rather than a bundle. Example
/// values are data (the API schema's examples hold `$ref`s of kintone's own), so they are not read.
fn has_file_references(value: &serde_yaml::Value) -> bool {
    match value {
        serde_yaml::Value::Mapping(map) => map.iter().any(|(k, v)| match k.as_str() {
            Some("$ref") => v.as_str().is_some_and(|r| !r.starts_with('#')),
            Some("example" | "examples" | "default" | "enum") => false,
            _ => has_file_references(v),
        }),
        serde_yaml::Value::Sequence(items) => items.iter().any(has_file_references),
        _ => false,
    }
}

/// One operation of the document.
pub struct Op<'a> {
    pub path: &'a str,
    pub method: &'a str,
    pub op: &'a Value,
}

impl Op<'_> {
    pub fn id(&self) -> String {
        self.op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("{} {}", self.method.to_uppercase(), self.path))
    }

    pub fn pointer(&self) -> String {
        format!("/paths/{}/{}", escape(self.path), self.method)
    }
}

/// Every operation, in document order.
pub fn operations(doc: &Value) -> Vec<Op<'_>> {
    let mut ops = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                if METHODS.contains(&method.as_str()) {
                    ops.push(Op { path, method, op });
                }
            }
        }
    }
    ops
}

/// A JSON pointer segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Follows local `$ref`s (`#/…`) until a value without one.
pub fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with('#') => match doc.pointer(&r[1..]) {
                Some(target) => value = target,
                None => return value,
            },
            _ => return value,
        }
    }
    value
}

/// An operation's parameters, with their `$ref`s followed.
pub fn params<'a>(doc: &'a Value, op: &'a Value) -> Vec<&'a Value> {
    op.get("parameters")
        .and_then(Value::as_array)
        .map(|ps| ps.iter().map(|p| resolve(doc, p)).collect())
        .unwrap_or_default()
}

/// The name of a component schema a `$ref` points at.
pub fn ref_name(value: &Value) -> Option<&str> {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
}

/// The `(path, method)` of every operation in the order the file lists them (JSON objects here
/// are sorted by key, so the order is read from the YAML).
pub fn document_order(path: &Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let raw: serde_yaml::Value =
        serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut order = Vec::new();
    if let Some(paths) = raw.get("paths").and_then(serde_yaml::Value::as_mapping) {
        for (p, item) in paths {
            let (Some(p), Some(item)) = (p.as_str(), item.as_mapping()) else {
                continue;
            };
            for (m, _) in item {
                if let Some(m) = m.as_str().filter(|m| METHODS.contains(m)) {
                    order.push((p.to_string(), m.to_string()));
                }
            }
        }
    }
    Ok(order)
}

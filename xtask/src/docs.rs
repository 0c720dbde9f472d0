//! `cargo xtask docs [--out DIR]`: a static reference site from the bundle, readable offline.
//!
//! One page per tag (an API family) with every operation: its parameters, body, examples,
//! responses and errors, limits, and kintone's rules from the `x-kintone-*` extensions in plain
//! words; an index with the document's own description, limits and error codes; and a page of
//! the shared schemas. Plain HTML with one inline style sheet: no script, no external asset.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::spec::{self, operations, ref_name, resolve, Op};

/// `cargo xtask docs [--out DIR] [SPEC]`.
pub fn run(args: &[&str]) -> Result<(), String> {
    let root = crate::workspace_root();
    let (out, spec_path) = match args {
        [] => (root.join("target/api-docs"), None),
        ["--out", dir] => (PathBuf::from(dir), None),
        ["--out", dir, spec] => (PathBuf::from(dir), Some(PathBuf::from(spec))),
        _ => return Err("usage: cargo xtask docs [--out DIR] [SPEC]".into()),
    };
    let spec_path = spec_path.unwrap_or_else(|| root.join("spec").join(kintone_spec::BUNDLE_FILE));
    let doc = spec::load(&spec_path)?;
    let pages = site(&doc, &spec::document_order(&spec_path)?);
    write_site(&out, &pages)?;
    println!(
        "wrote {} pages to {} (open index.html)",
        pages.len(),
        out.display()
    );
    Ok(())
}

fn write_site(out: &Path, pages: &BTreeMap<String, String>) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    for (name, html) in pages {
        let path = out.join(name);
        std::fs::write(&path, html).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// Every page of the site, by file name.
pub fn site(doc: &Value, order: &[(String, String)]) -> BTreeMap<String, String> {
    let tags = tags(doc);
    let mut pages = BTreeMap::new();
    let ordered = |tag: &str| -> Vec<Op> {
        let mut ops: Vec<Op> = operations(doc)
            .into_iter()
            .filter(|o| first_tag(o.op) == Some(tag))
            .collect();
        ops.sort_by_key(|o| {
            order
                .iter()
                .position(|(p, m)| p == o.path && m == o.method)
                .unwrap_or(usize::MAX)
        });
        ops
    };
    let nav: Nav = tags
        .iter()
        .map(|(tag, _)| {
            let ops = ordered(tag)
                .iter()
                .map(|o| (o.id(), str_of(o.op, "summary").to_string()))
                .collect();
            (tag.clone(), ops)
        })
        .collect();
    pages.insert("index.html".to_string(), index_page(doc, &tags, &nav));
    for (tag, description) in &tags {
        let ops = ordered(tag);
        pages.insert(
            format!("{tag}.html"),
            tag_page(doc, &nav, tag, description, &ops),
        );
    }
    pages.insert("schemas.html".to_string(), schemas_page(doc, &nav));
    pages
}

fn tags(doc: &Value) -> Vec<(String, String)> {
    doc.get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|t| {
                    Some((
                        t.get("name")?.as_str()?.to_string(),
                        str_of(t, "description").to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn first_tag(op: &Value) -> Option<&str> {
    op.get("tags")?.as_array()?.first()?.as_str()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Inline markup of the spec's descriptions: `code`, [links](https://…), **bold**.
fn inline(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('`') {
            if let Some(end) = after.find('`') {
                let _ = write!(out, "<code>{}</code>", esc(&after[..end]));
                rest = &after[end + 1..];
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix('[') {
            if let Some(mid) = after.find("](") {
                if let Some(end) = after[mid + 2..].find(')') {
                    let label = &after[..mid];
                    let url = &after[mid + 2..mid + 2 + end];
                    let _ = write!(out, "<a href=\"{}\">{}</a>", esc(url), esc(label));
                    rest = &after[mid + 3 + end..];
                    continue;
                }
            }
        }
        let next = rest[1..].find(['`', '[']).map_or(rest.len(), |i| i + 1);
        out.push_str(&esc(&rest[..next]));
        rest = &rest[next..];
    }
    out
}

/// Block markup: paragraphs, `- ` lists and `## ` headings.
fn blocks(text: &str) -> String {
    let mut out = String::new();
    for block in text.split("\n\n") {
        let lines: Vec<&str> = block.lines().collect();
        if lines.is_empty() {
            continue;
        }
        if let Some(h) = lines[0].strip_prefix("## ") {
            let _ = write!(out, "<h3>{}</h3>", inline(h));
            let rest = lines[1..].join("\n");
            out.push_str(&blocks(&rest));
            continue;
        }
        // A paragraph may lead into a list without a blank line between them.
        let list_start = lines.iter().position(|l| l.starts_with("- "));
        if let Some(start) = list_start.filter(|i| *i > 0) {
            let joined: Vec<&str> = lines[..start].iter().map(|l| l.trim()).collect();
            let _ = write!(out, "<p>{}</p>", inline(&joined.join(" ")));
            out.push_str(&blocks(&lines[start..].join("\n")));
            continue;
        }
        if list_start == Some(0) {
            out.push_str("<ul>");
            let mut item = String::new();
            for line in &lines {
                if let Some(start) = line.strip_prefix("- ") {
                    if !item.is_empty() {
                        let _ = write!(out, "<li>{}</li>", inline(&item));
                    }
                    item = start.to_string();
                } else {
                    item.push(' ');
                    item.push_str(line.trim());
                }
            }
            let _ = write!(out, "<li>{}</li></ul>", inline(&item));
            continue;
        }
        let joined: Vec<&str> = lines.iter().map(|l| l.trim()).collect();
        let _ = write!(out, "<p>{}</p>", inline(&joined.join(" ")));
    }
    out
}

const STYLE: &str = "
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2330;display:flex}
nav{width:230px;min-height:100vh;background:#f3f5f8;border-right:1px solid #d8dde6;padding:16px;box-sizing:border-box;flex-shrink:0}
nav a{display:block;color:#1d2330;text-decoration:none;padding:2px 0}
nav a.op{font-size:13px;padding-left:10px;color:#46526a}
nav h2{font-size:14px;margin:14px 0 4px;text-transform:uppercase;color:#66708a}
main{padding:24px 36px;max-width:980px;min-width:0}
h1{font-size:26px;margin:0 0 12px}h2{font-size:21px;margin:34px 0 8px;border-top:1px solid #d8dde6;padding-top:18px}
h3{font-size:16px;margin:18px 0 6px}h4{font-size:14px;margin:14px 0 4px;color:#46526a}
code{font:13px ui-monospace,Menlo,Consolas,monospace;background:#eef1f5;padding:1px 4px;border-radius:3px}
pre{font:12.5px/1.45 ui-monospace,Menlo,Consolas,monospace;background:#f6f8fa;border:1px solid #d8dde6;padding:10px;overflow:auto;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:14px}
th,td{border:1px solid #d8dde6;padding:5px 8px;text-align:left;vertical-align:top}th{background:#f3f5f8}
.method{display:inline-block;font:bold 12px ui-monospace,monospace;color:#fff;border-radius:3px;padding:2px 7px;margin-right:8px}
.get{background:#2f7d32}.post{background:#1565c0}.put{background:#a05a00}.delete{background:#b3261e}
.path{font:600 16px ui-monospace,Menlo,Consolas,monospace}
.rules{background:#fff8e6;border:1px solid #f0d9a0;border-radius:4px;padding:6px 14px}
.rules ul{margin:4px 0;padding-left:18px}td p{margin:0 0 4px}td code{overflow-wrap:anywhere}td:first-child{white-space:nowrap}.muted{color:#66708a}.req{color:#b3261e;font-size:12px}
";

/// The site's navigation: each tag with its operations (id, summary), in document order.
type Nav = Vec<(String, Vec<(String, String)>)>;

fn page(title: &str, site_nav: &Nav, doc: &Value, body: &str) -> String {
    let mut nav = String::from("<a href=\"index.html\"><b>Overview</b></a>");
    for (tag, ops) in site_nav {
        let _ = write!(nav, "<h2><a href=\"{tag}.html\">{}</a></h2>", esc(tag));
        for (id, summary) in ops {
            let _ = write!(
                nav,
                "<a class=\"op\" href=\"{tag}.html#{id}\">{}</a>",
                esc(summary),
                id = esc(id)
            );
        }
    }
    nav.push_str("<h2><a href=\"schemas.html\">Schemas</a></h2>");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{} · {}</title><style>{STYLE}</style></head><body><nav>{nav}</nav><main>{body}</main></body></html>\n",
        esc(title),
        esc(doc.pointer("/info/title").and_then(Value::as_str).unwrap_or("API"))
    )
}

fn index_page(doc: &Value, tags: &[(String, String)], nav: &Nav) -> String {
    let info = doc.get("info").cloned().unwrap_or_default();
    let mut b = format!(
        "<h1>{} <span class=\"muted\">{}</span></h1>",
        esc(str_of(&info, "title")),
        esc(str_of(&info, "version"))
    );
    b.push_str("<h3>Families</h3><table><tr><th>Family</th><th>Operations</th></tr>");
    for (tag, description) in tags {
        let count = operations(doc)
            .iter()
            .filter(|o| first_tag(o.op) == Some(tag.as_str()))
            .count();
        let _ = write!(
            b,
            "<tr><td><a href=\"{tag}.html\">{}</a><br><span class=\"muted\">{count} operation{}</span></td><td>{}</td></tr>",
            esc(tag),
            if count == 1 { "" } else { "s" },
            inline(description)
        );
    }
    b.push_str("</table>");
    b.push_str(&blocks(str_of(&info, "description")));
    b.push_str("<h3>Servers</h3><ul>");
    for server in doc
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let _ = write!(
            b,
            "<li><code>{}</code> — {}</li>",
            esc(str_of(server, "url")),
            inline(str_of(server, "description").trim())
        );
    }
    b.push_str(
        "</ul><h3>Authentication</h3><table><tr><th>Scheme</th><th>How</th><th>What</th></tr>",
    );
    if let Some(schemes) = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    {
        for (name, s) in schemes {
            let how = match str_of(s, "type") {
                "apiKey" => format!("header <code>{}</code>", esc(str_of(s, "name"))),
                "http" => format!("HTTP {}", esc(str_of(s, "scheme"))),
                other => esc(other),
            };
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{how}</td><td>{}</td></tr>",
                esc(name),
                inline(str_of(s, "description").trim())
            );
        }
    }
    b.push_str("</table>");
    if let Some(mo) = doc.get("x-kintone-method-override") {
        let _ = write!(
            b,
            "<h3>Long URIs</h3><p>A request whose URI would pass {} bytes is sent as <code>POST</code> with the header <code>{}</code> naming the real method ({}).</p>",
            mo.get("maxUriBytes").and_then(Value::as_u64).unwrap_or_default(),
            esc(str_of(mo, "header")),
            mo.get("methods")
                .and_then(Value::as_array)
                .map(|m| m.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        );
    }
    b.push_str("<h3>Limits</h3><table><tr><th>Name</th><th>Value</th><th>Meaning</th></tr>");
    for (name, value, what) in all_limits(doc) {
        let _ = write!(
            b,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&name),
            value,
            inline(&what)
        );
    }
    b.push_str(
        "</table><h3>Error codes</h3><table><tr><th>Code</th><th>Status</th><th>Meaning</th></tr>",
    );
    if let Some(codes) = doc.get("x-kintone-error-codes").and_then(Value::as_object) {
        for (code, e) in codes {
            let status = e
                .get("status")
                .and_then(Value::as_u64)
                .map_or("—".to_string(), |s| s.to_string());
            let _ = write!(
                b,
                "<tr><td><code>{}</code></td><td>{status}</td><td>{}</td></tr>",
                esc(code),
                inline(str_of(e, "description"))
            );
        }
    }
    b.push_str("</table>");
    page("Overview", nav, doc, &b)
}

/// The named limits: the root's, and every `x-kintone-limit` on a constraint.
fn all_limits(doc: &Value) -> Vec<(String, u64, String)> {
    let mut found: BTreeMap<String, (u64, String)> = BTreeMap::new();
    if let Some(table) = doc.get("x-kintone-limits").and_then(Value::as_object) {
        for (name, l) in table {
            found.insert(
                name.clone(),
                (
                    l.get("value").and_then(Value::as_u64).unwrap_or_default(),
                    str_of(l, "description").to_string(),
                ),
            );
        }
    }
    fn walk(v: &Value, found: &mut BTreeMap<String, (u64, String)>) {
        match v {
            Value::Object(map) => {
                if let Some(name) = map.get("x-kintone-limit").and_then(Value::as_str) {
                    let value = ["maxItems", "maxLength", "maximum"]
                        .iter()
                        .find_map(|k| map.get(*k).and_then(Value::as_u64))
                        .unwrap_or_default();
                    found.entry(name.to_string()).or_insert((
                        value,
                        map.get("description")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    ));
                }
                for (k, child) in map {
                    if k != "example" && k != "examples" {
                        walk(child, found);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, found)),
            _ => {}
        }
    }
    walk(doc, &mut found);
    found.into_iter().map(|(n, (v, d))| (n, v, d)).collect()
}

/// kintone's rules an object's `x-kintone-*` extensions state, in plain words.
fn rules(doc: &Value, v: &Value, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(map) = v.as_object() else { return out };
    for (key, value) in map {
        let s = value.as_str().unwrap_or_default();
        let list = || {
            value
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|x| format!("<code>{}</code>", esc(x)))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
        };
        let text = match key.as_str() {
            "x-kintone-guest-space" if value == &Value::Bool(true) => {
                "Also served to apps in a guest space, under <code>/k/guest/{guestSpaceId}/v1</code>.".to_string()
            }
            "x-kintone-bulk" if value == &Value::Bool(true) => {
                "May be one of the requests of a bulk request (all or nothing).".to_string()
            }
            "x-kintone-one-of-required" => format!("Give exactly one of {}.", list()),
            "x-kintone-official-operation-id" => format!(
                "kintone's own OpenAPI description calls this operation <code>{}</code>.",
                esc(s)
            ),
            "x-kintone-preview" => format!(
                "The same request also exists for the app's pre-live settings (<code>{}</code>).",
                esc(str_of(value, "operationId"))
            ),
            "x-kintone-array-encoding" if s == "indexed" => format!(
                "Sent in the query string as <code>{name}[0]=…&amp;{name}[1]=…</code>."
            ),
            "x-kintone-query-limits" => {
                let mut parts = Vec::new();
                for clause in ["limit", "offset"] {
                    if let Some(limit) = value.get(clause).and_then(Value::as_str) {
                        let n = doc
                            .pointer(&format!("/x-kintone-limits/{limit}/value"))
                            .and_then(Value::as_u64)
                            .unwrap_or_default();
                        parts.push(format!(
                            "its <code>{clause}</code> clause is at most {n} (<code>{limit}</code>)"
                        ));
                    }
                }
                if value.get("forbidLimitOffset") == Some(&Value::Bool(true)) {
                    parts.push("it must not contain <code>limit</code> or <code>offset</code>".into());
                }
                format!("In the query, {}; the client checks this before sending.", parts.join(", "))
            }
            "x-kintone-limit" => format!(
                "The limit is named <code>{}</code> (<code>kintone_api::limits::{}</code>), checked before sending.",
                esc(s),
                esc(s)
            ),
            "x-kintone-numeric" if value == &Value::Bool(true) => {
                "A number that travels as a JSON string.".to_string()
            }
            "x-kintone-empty-is-null" if value == &Value::Bool(true) => {
                "An empty string <code>\"\"</code> means no value, like <code>null</code>.".to_string()
            }
            "x-kintone-sentinel" => format!(
                "<code>{}</code>: {}",
                value.get("value").and_then(Value::as_i64).unwrap_or_default(),
                inline(str_of(value, "description"))
            ),
            "x-kintone-tagged-by" => format!(
                "Each option says its <code>{}</code>; the option without one holds the types this description does not know yet.",
                esc(s)
            ),
            "x-kintone-write-variants" => {
                let pairs: Vec<String> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_object)
                    .flat_map(|m| m.iter())
                    .map(|(tag, schema)| {
                        let schema = schema.as_str().unwrap_or_default();
                        format!(
                            "<code>{}</code> → <a href=\"schemas.html#{schema}\">{schema}</a>",
                            esc(tag)
                        )
                    })
                    .collect();
                format!("The shape each field type is written in: {}.", pairs.join(", "))
            }
            "x-kintone-body-of" => format!("The request body of <code>{}</code>.", esc(s)),
            "x-kintone-runtime-type" => format!(
                "Written by hand in the Rust client as <code>{}</code>.",
                esc(s)
            ),
            _ => continue,
        };
        out.push(text);
    }
    out
}

fn rules_box(items: &[String]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut b = String::from("<div class=\"rules\"><b>kintone rules</b><ul>");
    for item in items {
        let _ = write!(b, "<li>{item}</li>");
    }
    b.push_str("</ul></div>");
    b
}

/// A one-line summary of a schema's type, with references as links.
fn type_text(doc: &Value, schema: &Value) -> String {
    if let Some(name) = ref_name(schema) {
        let target = resolve(doc, schema);
        let hint = match str_of(target, "type") {
            "" => String::new(),
            t => format!(" <span class=\"muted\">({t})</span>"),
        };
        return format!("<a href=\"schemas.html#{name}\">{name}</a>{hint}");
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let parts: Vec<String> = options.iter().map(|o| type_text(doc, o)).collect();
            return format!("{key}: {}", parts.join(" | "));
        }
    }
    let mut t = match str_of(schema, "type") {
        "array" => format!(
            "array of {}",
            schema
                .get("items")
                .map(|i| type_text(doc, i))
                .unwrap_or_default()
        ),
        "" => "any".to_string(),
        other => other.to_string(),
    };
    if let Some(f) = schema.get("format").and_then(Value::as_str) {
        let _ = write!(t, " ({})", esc(f));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let v: Vec<String> = values
            .iter()
            .map(|v| format!("<code>{}</code>", esc(&v.to_string().replace('"', ""))))
            .collect();
        let _ = write!(t, ": {}", v.join(", "));
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        t.push_str(", or null");
    }
    t
}

/// The constraints a schema states, in words.
fn constraints(schema: &Value) -> String {
    let mut parts = Vec::new();
    let n = |k: &str| schema.get(k).and_then(Value::as_i64);
    for (key, word) in [
        ("minItems", "at least {} items"),
        ("maxItems", "at most {} items"),
        ("minLength", "at least {} characters"),
        ("maxLength", "at most {} characters"),
        ("minimum", "at least {}"),
        ("maximum", "at most {}"),
    ] {
        if let Some(v) = n(key) {
            parts.push(word.replace("{}", &v.to_string()));
        }
    }
    if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
        parts.push(format!("matches <code>{}</code>", esc(p)));
    }
    if let Some(values) = schema.pointer("/not/enum").and_then(Value::as_array) {
        parts.push(format!("any value but the {} above", values.len()));
    }
    parts.join("; ")
}

/// A table of an object schema's properties (one level; nested objects are their own tables).
fn properties_table(doc: &Value, schema: &Value, depth: usize) -> String {
    let schema = resolve(doc, schema);
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return String::new();
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut b = String::from(
        "<table><tr><th>Property</th><th>Type</th><th>Limits</th><th>Description</th></tr>",
    );
    let mut nested = String::new();
    for (name, prop) in props {
        let shown = resolve(doc, prop);
        let mut description = inline(str_of(prop, "description").trim());
        if description.is_empty() && prop.get("$ref").is_none() {
            description = inline(str_of(shown, "description").trim());
        }
        let r = rules(doc, prop, name);
        if !r.is_empty() {
            let _ = write!(
                description,
                "<br><span class=\"muted\">{}</span>",
                r.join(" ")
            );
        }
        let _ = write!(
            b,
            "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{description}</td></tr>",
            esc(name),
            if required.contains(&name.as_str()) {
                " <span class=\"req\">required</span>"
            } else {
                ""
            },
            type_text(doc, prop),
            constraints(prop),
        );
        if prop.get("$ref").is_none() && depth < 3 {
            let inner = if str_of(prop, "type") == "array" {
                prop.get("items").filter(|i| i.get("$ref").is_none())
            } else {
                Some(prop)
            };
            if let Some(inner) = inner.filter(|i| i.get("properties").is_some()) {
                let _ = write!(
                    nested,
                    "<h4><code>{}</code></h4>{}",
                    esc(name),
                    properties_table(doc, inner, depth + 1)
                );
            }
        }
    }
    b.push_str("</table>");
    b.push_str(&nested);
    b
}

/// A schema in full: its type line, rules, constraints and properties.
fn schema_block(doc: &Value, schema: &Value) -> String {
    let mut b = format!("<p>{}</p>", type_text(doc, schema));
    let target = resolve(doc, schema);
    if schema.get("$ref").is_none() {
        let c = constraints(target);
        if !c.is_empty() {
            let _ = write!(b, "<p class=\"muted\">{c}</p>");
        }
    }
    b.push_str(&properties_table(doc, target, 0));
    b
}

fn example_block(title: &str, value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    };
    format!("<h4>{title}</h4><pre>{}</pre>", esc(&text))
}

fn tag_page(doc: &Value, nav: &Nav, tag: &str, description: &str, ops: &[Op]) -> String {
    let mut b = format!("<h1>{}</h1>{}", esc(tag), blocks(description));
    for op in ops {
        b.push_str(&operation_section(doc, op));
    }
    page(tag, nav, doc, &b)
}

fn operation_section(doc: &Value, op: &Op) -> String {
    let o = op.op;
    let mut b = format!(
        "<h2 id=\"{id}\">{}</h2><p><span class=\"method {m}\">{M}</span><span class=\"path\">{}</span> <span class=\"muted\">· <code>{id}</code></span></p>",
        esc(str_of(o, "summary")),
        esc(op.path),
        id = esc(&op.id()),
        m = op.method,
        M = op.method.to_uppercase()
    );
    b.push_str(&blocks(str_of(o, "description")));
    if let Some(url) = o.pointer("/externalDocs/url").and_then(Value::as_str) {
        let _ = write!(
            b,
            "<p>kintone's documentation: <a href=\"{u}\">{u}</a></p>",
            u = esc(url)
        );
    }
    b.push_str(&rules_box(&rules(doc, o, "")));
    let params = spec::params(doc, o);
    if !params.is_empty() {
        b.push_str("<h3>Parameters</h3><table><tr><th>Name</th><th>In</th><th>Type</th><th>Limits</th><th>Description</th><th>Example</th></tr>");
        for p in &params {
            let name = str_of(p, "name");
            let schema = p.get("schema").cloned().unwrap_or_default();
            let mut description = blocks(str_of(p, "description"));
            let mut r = rules(doc, p, name);
            r.extend(rules(doc, &schema, name));
            if !r.is_empty() {
                let _ = write!(description, "<span class=\"muted\">{}</span>", r.join(" "));
            }
            let _ = write!(
                b,
                "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{description}</td><td><code>{}</code></td></tr>",
                esc(name),
                if p.get("required") == Some(&Value::Bool(true)) {
                    " <span class=\"req\">required</span>"
                } else {
                    ""
                },
                esc(str_of(p, "in")),
                type_text(doc, &schema),
                // A named schema's own constraints are on the schemas page.
                if schema.get("$ref").is_some() { String::new() } else { constraints(&schema) },
                esc(&p.get("example").map(|e| e.to_string()).unwrap_or_default())
            );
        }
        b.push_str("</table>");
    }
    if let Some(body) = o.get("requestBody").map(|rb| resolve(doc, rb)) {
        b.push_str("<h3>Request body</h3>");
        for (media_type, media) in body
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let _ = write!(b, "<p class=\"muted\"><code>{}</code></p>", esc(media_type));
            if let Some(schema) = media.get("schema") {
                let target = resolve(doc, schema);
                b.push_str(&rules_box(&rules(doc, target, "")));
                b.push_str(&schema_block(doc, schema));
            }
            if let Some(ex) = media.get("example") {
                b.push_str(&example_block("Example", ex));
            }
        }
    }
    b.push_str("<h3>Responses</h3>");
    let responses = o.get("responses").and_then(Value::as_object);
    let mut errors = String::new();
    for (status, response) in responses.into_iter().flatten() {
        let r = resolve(doc, response);
        let types: Vec<String> = r
            .get("content")
            .and_then(Value::as_object)
            .map(|c| {
                c.keys()
                    .map(|k| format!("<code>{}</code>", esc(k)))
                    .collect()
            })
            .unwrap_or_default();
        if status == "200" {
            let _ = write!(b, "<h4>200 · {}</h4>", inline(str_of(r, "description")));
            let headers: Vec<String> = r
                .get("headers")
                .and_then(Value::as_object)
                .map(|h| {
                    h.keys()
                        .map(|k| format!("<code>{}</code>", esc(k)))
                        .collect()
                })
                .unwrap_or_default();
            if !headers.is_empty() {
                let _ = write!(b, "<p class=\"muted\">Headers: {}</p>", headers.join(", "));
            }
            for (media_type, media) in r
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let _ = write!(b, "<p class=\"muted\"><code>{}</code></p>", esc(media_type));
                if let Some(schema) = media.get("schema") {
                    b.push_str(&schema_block(doc, schema));
                }
                if let Some(ex) = media.get("example") {
                    b.push_str(&example_block("Example", ex));
                }
            }
        } else {
            let _ = write!(
                errors,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(status),
                inline(str_of(r, "description").trim()),
                types.join(", ")
            );
        }
    }
    if !errors.is_empty() {
        let _ = write!(
            b,
            "<h4>Errors</h4><table><tr><th>Status</th><th>When</th><th>Body</th></tr>{errors}</table>"
        );
    }
    b
}

fn schemas_page(doc: &Value, nav: &Nav) -> String {
    let mut b = String::from("<h1>Schemas</h1><p>The shapes the operations share, by name.</p>");
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            let _ = write!(b, "<h2 id=\"{n}\">{n}</h2>", n = esc(name));
            b.push_str(&blocks(str_of(schema, "description")));
            b.push_str(&rules_box(&rules(doc, schema, name)));
            b.push_str(&schema_block(doc, schema));
            if let Some(ex) = schema.get("example") {
                b.push_str(&example_block("Example", ex));
            }
        }
    }
    page("Schemas", nav, doc, &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_has_every_operation_on_its_family_page_and_no_external_asset() {
        let path = crate::workspace_root()
            .join("spec")
            .join(kintone_spec::BUNDLE_FILE);
        let doc = spec::load(&path).unwrap();
        let pages = site(&doc, &spec::document_order(&path).unwrap());
        for op in operations(&doc) {
            let tag = first_tag(op.op).unwrap();
            let page = &pages[&format!("{tag}.html")];
            assert!(page.contains(&format!("id=\"{}\"", op.id())), "{}", op.id());
            if let Some(url) = op.op.pointer("/externalDocs/url").and_then(Value::as_str) {
                assert!(page.contains(url), "{url}");
            }
        }
        for (name, html) in &pages {
            assert!(!html.contains("<script"), "{name}");
            assert!(!html.contains("<link"), "{name}");
            assert!(!html.contains("src=\"http"), "{name}");
        }
        let records = &pages["records.html"];
        assert!(records.contains("Sent in the query string as <code>fields[0]=…"));
        assert!(records.contains("kintone_api::limits::MAX_RECORDS_PER_WRITE"));
        assert!(pages["index.html"].contains("GAIA_CO02"));
        assert!(pages["schemas.html"].contains("id=\"ExpectedRevision\""));
    }

    #[test]
    fn markup_is_escaped_and_code_spans_kept() {
        assert_eq!(
            inline("`a<b>` & [k](https://x.y/z)"),
            "<code>a&lt;b&gt;</code> &amp; <a href=\"https://x.y/z\">k</a>"
        );
        assert_eq!(
            blocks("- one\n  more\n- two"),
            "<ul><li>one more</li><li>two</li></ul>"
        );
    }
}

//! `cargo xtask diff OLD NEW [--json] [--deny-breaking]`: what changed between two versions of
//! the spec, each change classified as breaking for clients or not.
//!
//! Operations are matched by path and method, parameters by place and name, and schemas are
//! compared where operations use them, in the direction the data travels: a client sends request
//! schemas, so narrowing them breaks it (a new required field, a smaller maximum, an enum value
//! removed); it reads response schemas, so taking from them breaks it (a field removed or made
//! optional, a type changed).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::spec::{self, operations, ref_name, resolve};

/// One difference between the two documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub breaking: bool,
    /// Where: the operation, then the place inside it.
    pub at: String,
    pub what: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Request,
    Response,
}

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    changes: Vec<Change>,
    /// Pairs of named schemas already compared in a direction, so that cycles end.
    seen: BTreeSet<(String, String, bool)>,
}

/// Every change from `old` to `new`.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut d = Differ {
        old,
        new,
        changes: Vec::new(),
        seen: BTreeSet::new(),
    };
    let key = |o: &spec::Op| (o.path.to_string(), o.method.to_string());
    let old_ops: BTreeMap<_, _> = operations(old).into_iter().map(|o| (key(&o), o)).collect();
    let new_ops: BTreeMap<_, _> = operations(new).into_iter().map(|o| (key(&o), o)).collect();
    for (k, o) in &old_ops {
        let at = format!("{} {}", k.1.to_uppercase(), k.0);
        match new_ops.get(k) {
            None => d.push(true, &at, format!("operation {} removed", o.id())),
            Some(n) => d.operation(&at, o.op, n.op),
        }
    }
    for (k, n) in &new_ops {
        if !old_ops.contains_key(k) {
            let at = format!("{} {}", k.1.to_uppercase(), k.0);
            d.push(false, &at, format!("operation {} added", n.id()));
        }
    }
    d.changes
}

fn params(doc: &Value, op: &Value) -> BTreeMap<(String, String), Value> {
    op.get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| resolve(doc, p))
        .filter_map(|p| {
            Some((
                (
                    p.get("in")?.as_str()?.to_string(),
                    p.get("name")?.as_str()?.to_string(),
                ),
                p.clone(),
            ))
        })
        .collect()
}

fn required(v: &Value) -> bool {
    v.get("required") == Some(&Value::Bool(true))
}

impl Differ<'_> {
    fn push(&mut self, breaking: bool, at: &str, what: String) {
        self.changes.push(Change {
            breaking,
            at: at.to_string(),
            what,
        });
    }

    fn operation(&mut self, at: &str, old: &Value, new: &Value) {
        let (oid, nid) = (old.get("operationId"), new.get("operationId"));
        if oid != nid {
            self.push(
                true,
                at,
                format!(
                    "operationId {} → {} (generated method names follow it)",
                    oid.unwrap_or(&Value::Null),
                    nid.unwrap_or(&Value::Null)
                ),
            );
        }
        let (op, np) = (params(self.old, old), params(self.new, new));
        for (k, p) in &op {
            let here = format!("{at}: {} parameter `{}`", k.0, k.1);
            match np.get(k) {
                None => self.push(true, &here, "removed".into()),
                Some(n) => {
                    if !required(p) && required(n) {
                        self.push(true, &here, "now required".into());
                    } else if required(p) && !required(n) {
                        self.push(false, &here, "now optional".into());
                    }
                    if let (Some(os), Some(ns)) = (p.get("schema"), n.get("schema")) {
                        self.schema(&here, os, ns, Dir::Request);
                    }
                }
            }
        }
        for (k, n) in &np {
            if !op.contains_key(k) {
                let here = format!("{at}: {} parameter `{}`", k.0, k.1);
                self.push(
                    required(n),
                    &here,
                    if required(n) {
                        "added, required".into()
                    } else {
                        "added, optional".into()
                    },
                );
            }
        }
        let body = |doc: &Value, op: &Value| op.get("requestBody").map(|b| resolve(doc, b).clone());
        match (body(self.old, old), body(self.new, new)) {
            (Some(ob), Some(nb)) => {
                if !required(&ob) && required(&nb) {
                    self.push(true, &format!("{at}: request body"), "now required".into());
                }
                self.content(&format!("{at}: request body"), &ob, &nb, Dir::Request);
            }
            (None, Some(nb)) => self.push(
                required(&nb),
                &format!("{at}: request body"),
                "added".into(),
            ),
            (Some(_), None) => self.push(true, &format!("{at}: request body"), "removed".into()),
            (None, None) => {}
        }
        let responses = |op: &Value| {
            op.get("responses")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let (or, nr) = (responses(old), responses(new));
        for (status, o) in &or {
            let here = format!("{at}: response {status}");
            match nr.get(status) {
                None if status.starts_with('2') => self.push(true, &here, "removed".into()),
                None => self.push(false, &here, "no longer listed".into()),
                Some(n) => {
                    let (o, n) = (resolve(self.old, o).clone(), resolve(self.new, n).clone());
                    self.content(&here, &o, &n, Dir::Response);
                }
            }
        }
        for status in nr.keys().filter(|s| !or.contains_key(*s)) {
            self.push(false, &format!("{at}: response {status}"), "added".into());
        }
    }

    /// Compares the media types of a body or a response.
    fn content(&mut self, at: &str, old: &Value, new: &Value, dir: Dir) {
        let media = |v: &Value| {
            v.get("content")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let (om, nm) = (media(old), media(new));
        for (ty, o) in &om {
            let here = format!("{at} ({ty})");
            match nm.get(ty) {
                // A client that sends a type the server no longer takes breaks; one that reads a
                // type no longer sent does not.
                None => self.push(dir == Dir::Request, &here, "media type removed".into()),
                Some(n) => {
                    if let (Some(os), Some(ns)) = (o.get("schema"), n.get("schema")) {
                        self.schema(&here, os, ns, dir);
                    }
                }
            }
        }
        for ty in nm.keys().filter(|t| !om.contains_key(*t)) {
            self.push(false, &format!("{at} ({ty})"), "media type added".into());
        }
    }

    fn schema(&mut self, at: &str, old: &Value, new: &Value, dir: Dir) {
        if let (Some(o), Some(n)) = (ref_name(old), ref_name(new)) {
            if !self
                .seen
                .insert((o.to_string(), n.to_string(), dir == Dir::Request))
            {
                return;
            }
        }
        let (o, n) = (resolve(self.old, old), resolve(self.new, new));
        let breaks_request = dir == Dir::Request;
        let ty = |v: &Value| v.get("type").and_then(Value::as_str).map(str::to_string);
        let choice = |v: &Value| {
            v.get("oneOf")
                .or_else(|| v.get("anyOf"))
                .and_then(Value::as_array)
                .map(Vec::len)
        };
        if ty(o) != ty(n) && (choice(o).is_some() != choice(n).is_some()) {
            // One shape became a choice of shapes, or the reverse: a request narrows when it
            // becomes a choice, a response when it stops being one.
            let narrowed = choice(n).is_some();
            self.push(
                if breaks_request { narrowed } else { !narrowed },
                at,
                match choice(n) {
                    Some(count) => format!("now one of {count} shapes"),
                    None => format!(
                        "now a single {} instead of a choice",
                        ty(n).unwrap_or_else(|| "value".into())
                    ),
                },
            );
            return;
        }
        if ty(o) != ty(n) {
            self.push(
                true,
                at,
                format!(
                    "type {} → {}",
                    ty(o).unwrap_or_else(|| "any".into()),
                    ty(n).unwrap_or_else(|| "any".into())
                ),
            );
            return;
        }
        if o.get("format") != n.get("format") {
            self.push(
                true,
                at,
                format!(
                    "format {} → {}",
                    o.get("format").unwrap_or(&Value::Null),
                    n.get("format").unwrap_or(&Value::Null)
                ),
            );
        }
        let nullable = |v: &Value| v.get("nullable") == Some(&Value::Bool(true));
        if nullable(o) != nullable(n) {
            // A request that may no longer be null, or a response that now may, breaks.
            let breaking = if breaks_request {
                nullable(o)
            } else {
                nullable(n)
            };
            self.push(
                breaking,
                at,
                format!("nullable {} → {}", nullable(o), nullable(n)),
            );
        }
        let values = |v: &Value| -> BTreeSet<String> {
            v.get("enum")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|x| x.to_string()).collect())
                .unwrap_or_default()
        };
        let (ov, nv) = (values(o), values(n));
        if !ov.is_empty() || !nv.is_empty() {
            for removed in ov.difference(&nv) {
                self.push(breaks_request, at, format!("enum value {removed} removed"));
            }
            for added in nv.difference(&ov) {
                // Readers keep values they do not know (O19); writers only gain a choice.
                self.push(false, at, format!("enum value {added} added"));
            }
        }
        self.bounds(at, o, n, dir);
        if o.get("pattern") != n.get("pattern") {
            self.push(
                breaks_request,
                at,
                format!(
                    "pattern {} → {}",
                    o.get("pattern").unwrap_or(&Value::Null),
                    n.get("pattern").unwrap_or(&Value::Null)
                ),
            );
        }
        self.properties(at, o, n, dir);
        if let (Some(oi), Some(ni)) = (o.get("items"), n.get("items")) {
            self.schema(&format!("{at}[]"), oi, ni, dir);
        }
        if let (Some(oa), Some(na)) = (o.get("additionalProperties"), n.get("additionalProperties"))
        {
            if oa.is_object() && na.is_object() {
                self.schema(&format!("{at}{{*}}"), oa, na, dir);
            }
        }
        for key in ["oneOf", "anyOf"] {
            let options = |v: &Value| -> Vec<Value> {
                v.get(key)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            };
            let (oo, no) = (options(o), options(n));
            let named = |list: &[Value]| -> BTreeMap<String, Value> {
                list.iter()
                    .enumerate()
                    .map(|(i, v)| (ref_name(v).map_or(i.to_string(), str::to_string), v.clone()))
                    .collect()
            };
            let (on, nn) = (named(&oo), named(&no));
            for (name, ov) in &on {
                match nn.get(name) {
                    None => self.push(breaks_request, at, format!("{key} option {name} removed")),
                    Some(nv) => self.schema(&format!("{at} ({name})"), ov, nv, dir),
                }
            }
            for name in nn.keys().filter(|k| !on.contains_key(*k)) {
                self.push(!breaks_request, at, format!("{key} option {name} added"));
            }
        }
    }

    /// Upper and lower bounds: narrowing a request's, or widening a response's, breaks.
    fn bounds(&mut self, at: &str, o: &Value, n: &Value, dir: Dir) {
        let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64);
        for (key, upper) in [
            ("maxItems", true),
            ("maxLength", true),
            ("maximum", true),
            ("minItems", false),
            ("minLength", false),
            ("minimum", false),
        ] {
            let (ov, nv) = (num(o, key), num(n, key));
            if ov == nv {
                continue;
            }
            // Narrower: a new bound, or an upper bound lowered / a lower bound raised.
            let narrower = match (ov, nv) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => (b < a) == upper,
                (None, None) => false,
            };
            let show = |v: Option<f64>| v.map_or("none".to_string(), |x| x.to_string());
            self.push(
                if dir == Dir::Request {
                    narrower
                } else {
                    !narrower
                },
                at,
                format!(
                    "{key} {} → {} ({})",
                    show(ov),
                    show(nv),
                    if narrower { "narrowed" } else { "widened" }
                ),
            );
        }
    }

    fn properties(&mut self, at: &str, o: &Value, n: &Value, dir: Dir) {
        let props = |v: &Value| {
            v.get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let req = |v: &Value| -> BTreeSet<String> {
            v.get("required")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (op, np, or, nr) = (props(o), props(n), req(o), req(n));
        for (name, os) in &op {
            let here = format!("{at}.{name}");
            match np.get(name) {
                None => self.push(true, &here, "property removed".into()),
                Some(ns) => {
                    match (or.contains(name), nr.contains(name)) {
                        (false, true) => {
                            self.push(dir == Dir::Request, &here, "now required".into())
                        }
                        (true, false) => {
                            self.push(dir == Dir::Response, &here, "no longer required".into())
                        }
                        _ => {}
                    }
                    self.schema(&here, os, ns, dir);
                }
            }
        }
        for (name, _) in np.iter().filter(|(k, _)| !op.contains_key(*k)) {
            let required = nr.contains(name);
            self.push(
                dir == Dir::Request && required,
                &format!("{at}.{name}"),
                format!("property added{}", if required { ", required" } else { "" }),
            );
        }
    }
}

/// The JSON report for CI: counts, and every change with its class.
pub fn report(changes: &[Change]) -> Value {
    let list: Vec<Value> = changes
        .iter()
        .map(|c| json!({ "breaking": c.breaking, "at": c.at, "change": c.what }))
        .collect();
    json!({
        "breaking": changes.iter().filter(|c| c.breaking).count(),
        "total": changes.len(),
        "changes": list,
    })
}

/// `cargo xtask diff OLD NEW [--json] [--deny-breaking]`.
pub fn run(args: &[&str]) -> Result<(), String> {
    let json_out = args.contains(&"--json");
    let deny = args.contains(&"--deny-breaking");
    let files: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with("--"))
        .collect();
    let [old, new] = files[..] else {
        return Err("usage: cargo xtask diff OLD NEW [--json] [--deny-breaking]".into());
    };
    let (old_doc, new_doc) = (spec::load(old.as_ref())?, spec::load(new.as_ref())?);
    let changes = diff(&old_doc, &new_doc);
    let breaking = changes.iter().filter(|c| c.breaking).count();
    if json_out {
        println!(
            "{}",
            serde_json::to_string_pretty(&report(&changes)).unwrap_or_default()
        );
    } else {
        for c in &changes {
            let tag = if c.breaking { "BREAKING" } else { "ok      " };
            println!("{tag} {}: {}", c.at, c.what);
        }
        println!("{} changes, {breaking} breaking for clients", changes.len());
    }
    if deny && breaking > 0 {
        Err(format!("{breaking} breaking changes"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /a.json:
    get:
      operationId: getA
      parameters:
        - { name: app, in: query, required: true, schema: { type: string } }
        - { name: fields, in: query, schema: { type: array, maxItems: 1000, items: { type: string } } }
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id, kind]
                properties:
                  id: { type: string }
                  kind: { $ref: '#/components/schemas/Kind' }
    put:
      operationId: putA
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                mode: { $ref: '#/components/schemas/Kind' }
                revision: { type: string, pattern: '^[1-9][0-9]*$' }
      responses:
        '200': { description: ok }
components:
  schemas:
    Kind: { type: string, enum: [A, B] }
"#;

    fn changes(new: &str) -> Vec<(bool, String)> {
        let old = spec::parse(BASE).unwrap();
        let new = spec::parse(new).unwrap();
        diff(&old, &new)
            .into_iter()
            .map(|c| (c.breaking, format!("{}: {}", c.at, c.what)))
            .collect()
    }

    fn one(new: &str) -> (bool, String) {
        let found = changes(new);
        assert_eq!(found.len(), 1, "{found:#?}");
        found.into_iter().next().unwrap()
    }

    #[test]
    fn the_same_document_has_no_changes() {
        assert!(changes(BASE).is_empty());
    }

    #[test]
    fn operations_removed_break_and_added_do_not() {
        let removed = BASE.replace(
            "    put:\n      operationId: putA",
            "    patch:\n      operationId: putA",
        );
        let found = changes(&removed);
        assert!(
            found.contains(&(true, "PUT /a.json: operation putA removed".into())),
            "{found:?}"
        );
        assert!(
            found.contains(&(false, "PATCH /a.json: operation putA added".into())),
            "{found:?}"
        );
    }

    #[test]
    fn a_new_required_parameter_breaks_and_an_optional_one_does_not() {
        let required = BASE.replace(
            "        - { name: fields",
            "        - { name: lang, in: query, required: true, schema: { type: string } }\n        - { name: fields",
        );
        assert_eq!(
            one(&required),
            (
                true,
                "GET /a.json: query parameter `lang`: added, required".into()
            )
        );
        let optional = required.replace("lang, in: query, required: true", "lang, in: query");
        assert!(!one(&optional).0);
    }

    #[test]
    fn narrowed_request_limits_break_and_widened_ones_do_not() {
        let (breaking, what) = one(&BASE.replace("maxItems: 1000", "maxItems: 100"));
        assert!(
            breaking && what.contains("maxItems 1000 → 100 (narrowed)"),
            "{what}"
        );
        assert!(!one(&BASE.replace("maxItems: 1000", "maxItems: 2000")).0);
    }

    #[test]
    fn types_changed_break() {
        let (breaking, what) = one(&BASE.replace("id: { type: string }", "id: { type: integer }"));
        assert!(breaking && what.contains("type string → integer"), "{what}");
    }

    #[test]
    fn removed_enum_values_break_requests_and_not_responses() {
        let found = changes(&BASE.replace("enum: [A, B]", "enum: [A]"));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found.iter().any(|(b, w)| *b
                && w.starts_with("PUT /a.json: request body")
                && w.contains("enum value \"B\" removed")),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|(b, w)| !*b && w.starts_with("GET /a.json: response 200")),
            "{found:#?}"
        );
        assert!(changes(&BASE.replace("enum: [A, B]", "enum: [A, B, C]"))
            .iter()
            .all(|(b, _)| !b));
    }

    #[test]
    fn removed_or_optional_response_fields_break() {
        let removed = BASE
            .replace("                  id: { type: string }\n", "")
            .replace("required: [id, kind]", "required: [kind]");
        assert!(changes(&removed)
            .iter()
            .any(|(b, w)| *b && w.ends_with(".id: property removed")));
        let optional = BASE.replace("required: [id, kind]", "required: [kind]");
        assert_eq!(
            one(&optional),
            (
                true,
                "GET /a.json: response 200 (application/json).id: no longer required".into()
            )
        );
        let added = BASE.replace(
            "                  id: { type: string }\n",
            "                  id: { type: string }\n                  extra: { type: string }\n",
        );
        assert!(!one(&added).0);
    }

    #[test]
    fn a_changed_request_pattern_is_flagged_for_review() {
        let (breaking, what) = one(&BASE.replace("'^[1-9][0-9]*$'", "'^(-1|[1-9][0-9]*)$'"));
        // The tool cannot compare regular expressions, so a changed pattern is flagged for review.
        assert!(breaking && what.contains("pattern"), "{what}");
    }

    #[test]
    fn the_json_report_counts_breaking_changes() {
        let old = spec::parse(BASE).unwrap();
        let new = spec::parse(&BASE.replace("maxItems: 1000", "maxItems: 100")).unwrap();
        let r = report(&diff(&old, &new));
        assert_eq!(
            (r["breaking"].as_u64(), r["total"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!(r["changes"][0]["breaking"], Value::Bool(true));
        assert!(r["changes"][0]["change"]
            .as_str()
            .unwrap()
            .contains("maxItems"));
    }
}

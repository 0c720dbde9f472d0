//! `cargo xtask lint`: the project's own rules for the spec, in one table.
//!
//! Generic OpenAPI checks are Redocly's and `openapi-spec-validator`'s (CI runs both); these are
//! the rules that make the spec this project's: complete operations, examples that are true,
//! unions that tools can tell apart, and limits stated where tools read them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::spec::{self, escape, operations, params, resolve};

/// One rule: its name, why it exists, and its check.
pub struct Rule {
    pub name: &'static str,
    pub why: &'static str,
    check: fn(&Value, &mut Vec<Finding>),
}

/// Every rule, in the order findings are reported.
pub const RULES: &[Rule] = &[
    Rule {
        name: "operation-complete",
        why: "Every operation has an operationId (the Rust method), a summary, a tag (its \
              handler), a link to kintone's documentation page (`externalDocs.url`) and kintone's \
              own operationId (`x-kintone-official-operation-id`), so that it can be generated, \
              read and compared with kintone's description.",
        check: operation_complete,
    },
    Rule {
        name: "operation-examples",
        why: "Every parameter, JSON request body and JSON success response has an example: \
              examples are what reviewers and the reference site show first.",
        check: operation_examples,
    },
    Rule {
        name: "operation-errors",
        why: "Every operation lists its client errors (4xx) and a `default`, since every \
              status but 200 is an error with kintone's error body.",
        check: operation_errors,
    },
    Rule {
        name: "examples-valid",
        why: "Every example validates against its schema (read as JSON Schema, with OpenAPI's \
              `nullable`): an example that its own schema refuses means one of the two is wrong.",
        check: examples_valid,
    },
    Rule {
        name: "one-of-disjoint",
        why: "The options of a `oneOf` must not overlap, or validators find values ambiguous: \
              each option states its tag (`enum`) on the tag property (the discriminator's, or \
              `x-kintone-tagged-by`), with distinct tags, and one fallback at most excludes every \
              tag with `not: {enum}`. Shapes that do overlap are an `anyOf`.",
        check: one_of_disjoint,
    },
    Rule {
        name: "extensions-known",
        why: "Every extension is one the project defines, in a place where it means something \
              (`spec/src/extensions.rs`); other tools' `x-` extensions are not used.",
        check: extensions_known,
    },
    Rule {
        name: "limits-as-constraints",
        why: "A limit a description states (`at most N`, `from A to B`, `A to B characters`) is \
              also a constraint (`maxItems`, `maxLength`, `maximum`, `minimum`, `minLength`) with \
              the same number, so that tools and the generated checks enforce it.",
        check: limits_as_constraints,
    },
];

/// A broken rule, at a JSON pointer into the bundle.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub rule: &'static str,
    pub at: String,
    pub message: String,
}

/// Runs every rule over a bundled spec.
pub fn lint(doc: &Value) -> Vec<Finding> {
    let mut all = Vec::new();
    for rule in RULES {
        let mut found = Vec::new();
        (rule.check)(doc, &mut found);
        for f in &mut found {
            f.rule = rule.name;
        }
        all.extend(found);
    }
    all
}

fn finding(at: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding {
        rule: "",
        at: at.into(),
        message: message.into(),
    }
}

fn operation_complete(doc: &Value, out: &mut Vec<Finding>) {
    for op in operations(doc) {
        let at = op.pointer();
        let has = |key: &str| {
            op.op
                .get(key)
                .is_some_and(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()))
        };
        for key in ["operationId", "summary", "x-kintone-official-operation-id"] {
            if !has(key) {
                out.push(finding(&at, format!("{} has no {key}", op.id())));
            }
        }
        if op
            .op
            .get("tags")
            .and_then(Value::as_array)
            .is_none_or(|t| t.is_empty())
        {
            out.push(finding(&at, format!("{} has no tag", op.id())));
        }
        let url = op.op.pointer("/externalDocs/url").and_then(Value::as_str);
        if !url.is_some_and(|u| u.starts_with("https://")) {
            out.push(finding(
                &at,
                format!(
                    "{} links to no documentation page (externalDocs.url)",
                    op.id()
                ),
            ));
        }
    }
}

fn operation_examples(doc: &Value, out: &mut Vec<Finding>) {
    for op in operations(doc) {
        let at = op.pointer();
        for (i, param) in params(doc, op.op).iter().enumerate() {
            if param.get("example").is_none() && param.get("examples").is_none() {
                let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
                out.push(finding(
                    format!("{at}/parameters/{i}"),
                    format!("{}: parameter {name} has no example", op.id()),
                ));
            }
        }
        if let Some(body) = op.op.get("requestBody") {
            let body = resolve(doc, body);
            if let Some(media) = body.pointer("/content/application~1json") {
                if !has_example(media) {
                    out.push(finding(
                        format!("{at}/requestBody"),
                        format!("{}: the JSON request body has no example", op.id()),
                    ));
                }
            }
        }
        if let Some(ok) = op.op.pointer("/responses/200") {
            let ok = resolve(doc, ok);
            if let Some(media) = ok.pointer("/content/application~1json") {
                if !has_example(media) {
                    out.push(finding(
                        format!("{at}/responses/200"),
                        format!("{}: the JSON success response has no example", op.id()),
                    ));
                }
            }
        }
    }
}

fn has_example(media: &Value) -> bool {
    media.get("example").is_some() || media.get("examples").is_some()
}

fn operation_errors(doc: &Value, out: &mut Vec<Finding>) {
    for op in operations(doc) {
        let Some(responses) = op.op.get("responses").and_then(Value::as_object) else {
            out.push(finding(
                op.pointer(),
                format!("{} has no responses", op.id()),
            ));
            continue;
        };
        if !responses.keys().any(|k| k.starts_with('4')) {
            out.push(finding(
                format!("{}/responses", op.pointer()),
                format!("{} lists no 4xx response", op.id()),
            ));
        }
        if !responses.contains_key("default") {
            out.push(finding(
                format!("{}/responses", op.pointer()),
                format!("{} has no default response", op.id()),
            ));
        }
    }
}

/// An OpenAPI 3.0 schema as JSON Schema (draft 4, which 3.0's schemas extend): `nullable` as a
/// `null` alternative, OpenAPI-only keywords dropped, component references kept.
pub fn to_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "nullable" | "discriminator" | "example" | "externalDocs" | "xml"
                    | "readOnly" | "writeOnly" | "deprecated" => {}
                    k if k.starts_with("x-") => {}
                    "$ref" => {
                        let r = value.as_str().unwrap_or_default();
                        let target = r.replace("#/components/schemas/", "#/definitions/");
                        out.insert(key.clone(), Value::String(target));
                    }
                    "properties" | "definitions" => {
                        let props = value
                            .as_object()
                            .map(|m| {
                                m.iter()
                                    .map(|(k, v)| (k.clone(), to_json_schema(v)))
                                    .collect::<Map<_, _>>()
                            })
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Object(props));
                    }
                    "enum" | "required" => {
                        out.insert(key.clone(), value.clone());
                    }
                    _ => {
                        out.insert(key.clone(), to_json_schema(value));
                    }
                }
            }
            let converted = Value::Object(out);
            if map.get("nullable") == Some(&Value::Bool(true)) {
                json!({ "anyOf": [converted, { "type": "null" }] })
            } else {
                converted
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

/// The component schemas of `doc` as JSON Schema `definitions`, which the schemas it
/// validates with refer to: converted once for all of a document's examples.
fn definitions(doc: &Value) -> Option<Value> {
    let components = doc.pointer("/components/schemas")?.as_object()?;
    let converted: Map<String, Value> = components
        .iter()
        .map(|(k, v)| (k.clone(), to_json_schema(v)))
        .collect();
    Some(Value::Object(converted))
}

/// Validates `instance` against an OpenAPI schema, with the document's `definitions`; the
/// messages of what fails.
fn validate(
    definitions: Option<&Value>,
    schema: &Value,
    instance: &Value,
) -> Result<Vec<String>, String> {
    let mut root = to_json_schema(schema);
    if let (Some(root), Some(definitions)) = (root.as_object_mut(), definitions) {
        root.insert("definitions".into(), definitions.clone());
    }
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .build(&root)
        .map_err(|e| format!("the schema does not compile: {e}"))?;
    Ok(validator
        .iter_errors(instance)
        .map(|e| {
            let path = e.instance_path().to_string();
            if path.is_empty() {
                e.to_string()
            } else {
                format!("{path}: {e}")
            }
        })
        .collect())
}

/// Every `(pointer, schema, example)` of the document: parameters, headers, media types (both
/// `example` and `examples`) and schemas with their own `example`.
fn examples(doc: &Value) -> Vec<(String, Value, Value)> {
    let mut found = Vec::new();
    walk_examples(doc, doc, &mut String::new(), &mut found);
    found
}

fn walk_examples(
    doc: &Value,
    value: &Value,
    pointer: &mut String,
    found: &mut Vec<(String, Value, Value)>,
) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                walk_examples(doc, item, pointer, found);
                pointer.truncate(len);
            }
        }
        return;
    };
    if let Some(schema) = map.get("schema") {
        if let Some(example) = map.get("example") {
            found.push((pointer.clone(), schema.clone(), example.clone()));
        }
        if let Some(examples) = map.get("examples").and_then(Value::as_object) {
            for (name, ex) in examples {
                if let Some(v) = resolve(doc, ex).get("value") {
                    found.push((
                        format!("{pointer}/examples/{name}"),
                        schema.clone(),
                        v.clone(),
                    ));
                }
            }
        }
    } else if map.contains_key("type") || map.contains_key("properties") {
        if let Some(example) = map.get("example") {
            let mut schema = value.clone();
            if let Some(s) = schema.as_object_mut() {
                s.remove("example");
            }
            found.push((pointer.clone(), schema, example.clone()));
        }
    }
    for (key, child) in map {
        if matches!(key.as_str(), "example" | "examples" | "enum" | "default")
            || key.starts_with("x-")
        {
            continue;
        }
        let len = pointer.len();
        pointer.push('/');
        pointer.push_str(&escape(key));
        walk_examples(doc, child, pointer, found);
        pointer.truncate(len);
    }
}

fn examples_valid(doc: &Value, out: &mut Vec<Finding>) {
    let definitions = definitions(doc);
    for (at, schema, example) in examples(doc) {
        match validate(definitions.as_ref(), &schema, &example) {
            Ok(errors) => {
                for e in errors {
                    out.push(finding(&at, format!("the example does not validate: {e}")));
                }
            }
            Err(e) => out.push(finding(&at, e)),
        }
    }
}

/// Every schema object of the document with its pointer (components, and inline ones below
/// operations and other schemas).
fn schemas(doc: &Value) -> Vec<(String, &Value)> {
    let mut found = Vec::new();
    fn walk<'a>(v: &'a Value, pointer: String, found: &mut Vec<(String, &'a Value)>) {
        match v {
            Value::Object(map) => {
                if map.contains_key("oneOf")
                    || map.contains_key("anyOf")
                    || map.contains_key("type")
                {
                    found.push((pointer.clone(), v));
                }
                for (k, child) in map {
                    if matches!(k.as_str(), "example" | "examples" | "enum" | "default")
                        || k.starts_with("x-")
                    {
                        continue;
                    }
                    walk(child, format!("{pointer}/{}", escape(k)), found);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, format!("{pointer}/{i}"), found);
                }
            }
            _ => {}
        }
    }
    walk(doc, String::new(), &mut found);
    found
}

/// The tag values an option allows on `property`: its `enum`, or, for the fallback, `None` with
/// the excluded values.
fn tags_of(
    doc: &Value,
    option: &Value,
    property: &str,
) -> (Option<BTreeSet<String>>, BTreeSet<String>) {
    let option = resolve(doc, option);
    // The tag may be stated on an `allOf` part (options that share their other keys that way).
    let prop = option
        .pointer(&format!("/properties/{}", escape(property)))
        .or_else(|| {
            option
                .get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find_map(|part| {
                    resolve(doc, part).pointer(&format!("/properties/{}", escape(property)))
                })
        })
        .map(|p| resolve(doc, p));
    let strings = |v: Option<&Value>| -> BTreeSet<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    match prop {
        Some(p) if p.get("enum").is_some() => (Some(strings(p.get("enum"))), BTreeSet::new()),
        Some(p) => (None, strings(p.pointer("/not/enum"))),
        None => (None, BTreeSet::new()),
    }
}

fn one_of_disjoint(doc: &Value, out: &mut Vec<Finding>) {
    for (at, schema) in schemas(doc) {
        let Some(options) = schema.get("oneOf").and_then(Value::as_array) else {
            continue;
        };
        let Some(property) = schema
            .pointer("/discriminator/propertyName")
            .or_else(|| schema.get("x-kintone-tagged-by"))
            .and_then(Value::as_str)
        else {
            out.push(finding(
                &at,
                "a oneOf without a discriminator or x-kintone-tagged-by: its options cannot be told apart by a tag (use anyOf if they overlap)",
            ));
            continue;
        };
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut fallbacks = Vec::new();
        for (i, option) in options.iter().enumerate() {
            match tags_of(doc, option, property) {
                (Some(tags), _) if tags.is_empty() => out.push(finding(
                    format!("{at}/oneOf/{i}"),
                    format!("option {i} allows no `{property}`"),
                )),
                (Some(tags), _) => {
                    for tag in tags {
                        if let Some(other) = seen.insert(tag.clone(), i) {
                            out.push(finding(
                                format!("{at}/oneOf/{i}"),
                                format!("options {other} and {i} both take `{property}: {tag}`"),
                            ));
                        }
                    }
                }
                (None, excluded) => fallbacks.push((i, excluded)),
            }
        }
        match fallbacks.as_slice() {
            [] => {}
            [(i, excluded)] => {
                let tags: BTreeSet<String> = seen.keys().cloned().collect();
                if *excluded != tags {
                    let missing: Vec<_> = tags.difference(excluded).cloned().collect();
                    out.push(finding(
                        format!("{at}/oneOf/{i}"),
                        format!(
                            "option {i} states no `{property}` enum and does not exclude every other option's tag (missing: {})",
                            missing.join(", ")
                        ),
                    ));
                }
            }
            more => out.push(finding(
                &at,
                format!(
                    "options {:?} state no `{property}` enum: they overlap",
                    more.iter().map(|(i, _)| *i).collect::<Vec<_>>()
                ),
            )),
        }
    }
}

fn extensions_known(doc: &Value, out: &mut Vec<Finding>) {
    let yaml: serde_yaml::Value = match serde_yaml::to_value(doc) {
        Ok(v) => v,
        Err(e) => return out.push(finding("/", e.to_string())),
    };
    if let Err(e) = kintone_spec::extensions::check(&yaml) {
        out.push(finding("/", kintone_spec::with_causes(&e)));
    }
    fn foreign(v: &Value, pointer: String, out: &mut Vec<Finding>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    if matches!(k.as_str(), "example" | "examples" | "enum" | "default") {
                        continue;
                    }
                    let here = format!("{pointer}/{}", escape(k));
                    if k.starts_with("x-")
                        && !k.starts_with("x-kintone-")
                        && !k.starts_with("x-rust-")
                    {
                        out.push(finding(
                            &here,
                            format!("{k} is not an extension of this project"),
                        ));
                        continue;
                    }
                    if k.starts_with("x-") {
                        continue;
                    }
                    foreign(child, here, out);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    foreign(item, format!("{pointer}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    foreign(doc, String::new(), out);
}

/// Numbers in a description, with thousands separators: `1,000` is 1000.
fn number_at(text: &str) -> Option<(u64, usize)> {
    let digits: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    let trimmed = digits.trim_end_matches(',');
    let n = trimmed.replace(',', "").parse().ok()?;
    Some((n, trimmed.len()))
}

/// The limits a description states: `(keyword, number)` pairs, such as `("max", 100)`.
fn stated_limits(description: &str) -> Vec<(&'static str, u64)> {
    let mut limits = Vec::new();
    let lower = description.to_lowercase();
    for (i, _) in lower.match_indices("at most ") {
        if let Some((n, _)) = number_at(&lower[i + 8..]) {
            limits.push(("max", n));
        }
    }
    for (i, _) in lower.match_indices("from ") {
        let rest = &lower[i + 5..];
        if let Some((a, len)) = number_at(rest) {
            if let Some(after) = rest[len..].strip_prefix(" to ") {
                if let Some((b, _)) = number_at(after) {
                    limits.push(("min", a));
                    limits.push(("max", b));
                }
            }
        }
    }
    for (i, _) in lower.match_indices(" to ") {
        let before = lower[..i].rsplit(' ').next().unwrap_or_default();
        let after = &lower[i + 4..];
        if let (Some((a, _)), Some((b, len))) = (number_at(before), number_at(after)) {
            if after[len..].starts_with(" characters") {
                limits.push(("min", a));
                limits.push(("max", b));
            }
        }
    }
    limits.sort_unstable();
    limits.dedup();
    limits
}

fn limits_as_constraints(doc: &Value, out: &mut Vec<Finding>) {
    let mut check = |at: String, description: &str, schema: &Value| {
        let schema = resolve(doc, schema);
        let num = |k: &str| schema.get(k).and_then(Value::as_u64);
        for (kind, n) in stated_limits(description) {
            let keys: &[&str] = if kind == "max" {
                &["maxItems", "maxLength", "maximum"]
            } else {
                &["minItems", "minLength", "minimum"]
            };
            if !keys.iter().any(|k| num(k) == Some(n)) {
                out.push(finding(
                    &at,
                    format!(
                        "the description states a {kind} of {n}, which no {} says",
                        keys.join(" / ")
                    ),
                ));
            }
        }
    };
    for (at, schema) in schemas(doc) {
        if let Some(d) = schema.get("description").and_then(Value::as_str) {
            check(at, d, schema);
        }
    }
    for op in operations(doc) {
        for (i, p) in params(doc, op.op).iter().enumerate() {
            if let (Some(d), Some(schema)) = (
                p.get("description").and_then(Value::as_str),
                p.get("schema"),
            ) {
                check(format!("{}/parameters/{i}", op.pointer()), d, schema);
            }
        }
    }
}

/// `cargo xtask lint [--rules] [SPEC]`.
pub fn run(args: &[&str]) -> Result<(), String> {
    if args == ["--rules"] {
        for rule in RULES {
            println!("{}\n    {}\n", rule.name, rule.why);
        }
        return Ok(());
    }
    let path = match args {
        [] => crate::workspace_root()
            .join("spec")
            .join(kintone_spec::BUNDLE_FILE),
        [path] => path.into(),
        _ => return Err("usage: cargo xtask lint [--rules] [SPEC]".into()),
    };
    let doc = spec::load(&path)?;
    let findings = lint(&doc);
    for f in &findings {
        println!("{} {}: {}", f.rule, f.at, f.message);
    }
    if findings.is_empty() {
        println!(
            "{}: no findings ({} rules; `cargo xtask lint --rules` explains them)",
            path.display(),
            RULES.len()
        );
        Ok(())
    } else {
        Err(format!("{} findings", findings.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spec that breaks no rule; each test breaks one.
    const GOOD: &str = r#"
openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /a.json:
    get:
      operationId: getA
      summary: Get an A
      tags: [a]
      externalDocs: { url: 'https://kintone.dev/a' }
      x-kintone-official-operation-id: getA
      parameters:
        - name: n
          in: query
          description: How many, at most 10.
          example: 3
          schema: { type: integer, maximum: 10 }
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/V' }
              example: { type: X, value: "2024-8" }
        '400': { description: bad }
        default: { description: error }
components:
  schemas:
    V:
      oneOf:
        - $ref: '#/components/schemas/X'
        - { type: object, required: [type], properties: { type: { type: string, not: { enum: [X] } } } }
      discriminator: { propertyName: type, mapping: { X: '#/components/schemas/X' } }
    X:
      type: object
      required: [type, value]
      properties:
        type: { type: string, enum: [X] }
        value: { type: string, pattern: '^[0-9]{4}(-[0-9]{1,2})?$', nullable: true }
"#;

    fn rules_broken(spec: &str) -> BTreeSet<&'static str> {
        let doc = spec::parse(spec).unwrap();
        lint(&doc).into_iter().map(|f| f.rule).collect()
    }

    fn only(rule: &str, spec: &str) {
        let broken = rules_broken(spec);
        assert_eq!(broken, BTreeSet::from([rule]) as BTreeSet<&str>, "{spec}");
    }

    #[test]
    fn the_good_spec_and_the_project_spec_break_no_rule() {
        assert!(
            rules_broken(GOOD).is_empty(),
            "{:?}",
            lint(&spec::parse(GOOD).unwrap())
        );
        let bundle = crate::workspace_root().join("spec/kintone.bundled.yaml");
        let findings = lint(&spec::load(&bundle).unwrap());
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn incomplete_operations() {
        only(
            "operation-complete",
            &GOOD.replace("      summary: Get an A\n", ""),
        );
        only(
            "operation-complete",
            &GOOD.replace("      externalDocs: { url: 'https://kintone.dev/a' }\n", ""),
        );
        only(
            "operation-complete",
            &GOOD.replace("      x-kintone-official-operation-id: getA\n", ""),
        );
        only("operation-complete", &GOOD.replace("tags: [a]", "tags: []"));
    }

    #[test]
    fn missing_examples() {
        only(
            "operation-examples",
            &GOOD.replace("          example: 3\n", ""),
        );
        only(
            "operation-examples",
            &GOOD.replace(
                "              example: { type: X, value: \"2024-8\" }\n",
                "",
            ),
        );
    }

    #[test]
    fn missing_error_responses() {
        only(
            "operation-errors",
            &GOOD.replace("        '400': { description: bad }\n", ""),
        );
        only(
            "operation-errors",
            &GOOD.replace("        default: { description: error }\n", ""),
        );
    }

    #[test]
    fn examples_their_schema_refuses() {
        only(
            "examples-valid",
            &GOOD.replace("value: \"2024-8\"", "value: \"08/2024\""),
        );
        only(
            "examples-valid",
            &GOOD.replace("example: 3", "example: \"three\""),
        );
        // `nullable` is read as OpenAPI means it; without it, null is refused.
        assert!(rules_broken(&GOOD.replace("value: \"2024-8\"", "value: null")).is_empty());
        only(
            "examples-valid",
            &GOOD
                .replace("value: \"2024-8\"", "value: null")
                .replace(", nullable: true", ""),
        );
        // Standard formats are checked: an empty DATETIME is not a `date-time`.
        only(
            "examples-valid",
            &GOOD
                .replace(
                    "pattern: '^[0-9]{4}(-[0-9]{1,2})?$', ",
                    "format: date-time, ",
                )
                .replace("value: \"2024-8\"", "value: \"\""),
        );
    }

    #[test]
    fn overlapping_one_of() {
        // Options without their tag overlap, and so does a fallback that excludes nothing.
        let untagged = GOOD.replace(
            "type: { type: string, enum: [X] }",
            "type: { type: string }",
        );
        assert!(rules_broken(&untagged).contains("one-of-disjoint"));
        // The example then matches two options, so it fails validation too.
        let loose = rules_broken(&GOOD.replace("not: { enum: [X] }", "not: { enum: [Y] }"));
        assert_eq!(loose, BTreeSet::from(["examples-valid", "one-of-disjoint"]));
        only(
            "one-of-disjoint",
            &GOOD.replace(
                "      discriminator: { propertyName: type, mapping: { X: '#/components/schemas/X' } }\n",
                "",
            ),
        );
    }

    /// An option that shares keys through `allOf` states its tag on a part: the tag counts, and
    /// the fallback must exclude it like any other.
    #[test]
    fn tags_stated_on_all_of_parts() {
        let shared = GOOD.replace(
            "    X:\n      type: object\n      required: [type, value]\n      properties:\n        type: { type: string, enum: [X] }\n",
            "    Base: { type: object, properties: { note: { type: string } } }\n    X:\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - type: object\n          required: [type, value]\n          properties:\n            type: { type: string, enum: [X] }\n",
        );
        assert_ne!(shared, GOOD);
        let shared = shared.replace(
            "        value: { type: string, pattern",
            "            value: { type: string, pattern",
        );
        assert!(
            rules_broken(&shared).is_empty(),
            "{:?}",
            lint(&spec::parse(&shared).unwrap())
        );
        let loose = shared.replace("not: { enum: [X] }", "not: { enum: [Y] }");
        assert!(rules_broken(&loose).contains("one-of-disjoint"));
    }

    #[test]
    fn unknown_extensions() {
        only(
            "extensions-known",
            &GOOD.replace(
                "x-kintone-official-operation-id: getA",
                "x-kintone-official-operation-id: getA\n      x-kintone-bulkk: true",
            ),
        );
        only(
            "extensions-known",
            &GOOD.replace(
                "  schemas:\n    V:\n",
                "  schemas:\n    V:\n      x-other-tool: 1\n",
            ),
        );
    }

    #[test]
    fn limits_only_in_prose() {
        only(
            "limits-as-constraints",
            &GOOD.replace("maximum: 10", "minimum: 0"),
        );
        only(
            "limits-as-constraints",
            &GOOD.replace("at most 10", "at most 1,000"),
        );
        assert_eq!(
            stated_limits("From 0 to 10; 10 when left out."),
            [("max", 10), ("min", 0)]
        );
        assert_eq!(
            stated_limits("The text, 1 to 65,535 characters."),
            [("max", 65535), ("min", 1)]
        );
    }
}

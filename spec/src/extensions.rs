//! The extensions the generator reads, where each may appear, and a check of the whole document
//! against that table before anything is lowered: a misspelt or misplaced extension is an error
//! naming the place, never silently ignored.

use serde_yaml::Value;

use crate::Error;

/// Where in an OpenAPI document an object sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Root,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Response,
    Header,
    MediaType,
    Schema,
    Components,
    /// Anything else the generator does not read extensions from (info, tags, servers, …).
    Other,
    /// Example values and enum members: user data, whose keys are not extensions.
    Data,
}

/// Every extension the generator reads: its name, where it may appear, and what it means.
pub const KNOWN: &[(&str, &[Place], &str)] = &[
    (
        "x-kintone-method-override",
        &[Place::Root],
        "constants for tunnelling long URIs through `POST`",
    ),
    (
        "x-kintone-limits",
        &[Place::Root],
        "named limits that no schema constraint carries (server-side limits)",
    ),
    (
        "x-kintone-query-operators",
        &[Place::Root],
        "the operators of kintone's query language: each `operator`, whether a table's fields take it (`in-table`), the query builder's trait that offers it (`rust-trait`) and a `description`",
    ),
    (
        "x-kintone-field-type",
        &[Place::Schema],
        "on an option of the tagged field-value union: whether kintone computes the field type (`computed`), the query operators its fields take (`operators`), whether records sort by it (`sortable`), whether its value is text that `Option<String>` holds (`text-value`), and the Rust type the form generator gives its fields (`rust-type`, and `rust-type-by-format` where the field's `format` setting changes it)",
    ),
    (
        "x-rust-query-kind",
        &[Place::Schema],
        "beside `x-kintone-field-type`: the query builder's kind of the field type, shared by types that take the same operators with the same operands",
    ),
    (
        "x-kintone-error-codes",
        &[Place::Root],
        "kintone's error codes, with their HTTP status",
    ),
    (
        "x-kintone-array-encoding",
        &[Place::Parameter],
        "`indexed`: arrays as `key[0]=a&key[1]=b`",
    ),
    (
        "x-kintone-numeric",
        &[Place::Schema],
        "an integer sent as a JSON string (`u64`, or an id type)",
    ),
    (
        "x-kintone-number-or-string",
        &[Place::Schema],
        "a number-like value that kintone writes as a JSON string where its own description says number (or the reverse): read from either, written as the schema's type says",
    ),
    (
        "x-kintone-cargo-feature",
        &[Place::Operation],
        "the cargo feature the client offers the operation behind (an API kintone may change without notice)",
    ),
    (
        "x-kintone-source",
        &[Place::Operation, Place::Schema, Place::Parameter, Place::Header, Place::Response],
        "where a fact comes from when it is not kintone's REST API reference pages: `update-notes` (kintone's update notes, with the month) or `js-sdk` (kintone's js-sdk documentation), with a note",
    ),
    (
        "x-kintone-sentinel",
        &[Place::Schema],
        "on a numeric id: one more value with a meaning of its own (`value`, Rust `name`, `of`: the id it otherwise takes, `description`)",
    ),
    (
        "x-kintone-empty-is-null",
        &[Place::Schema],
        "`\"\"` reads as `None`",
    ),
    (
        "x-kintone-guest-space",
        &[Place::Operation],
        "allowed under the guest-space prefix",
    ),
    (
        "x-kintone-official-operation-id",
        &[Place::Operation],
        "the operationId of the same operation in kintone's own OpenAPI description, for diffing the two",
    ),
    (
        "x-kintone-bulk",
        &[Place::Operation],
        "may be part of a bulk request",
    ),
    (
        "x-kintone-preview",
        &[Place::Operation],
        "the same request also exists under `preview/`: its `operationId`, and kintone's own id of it (`officialOperationId`, written into the twin's `x-kintone-official-operation-id`)",
    ),
    (
        "x-kintone-preview-of",
        &[Place::Operation],
        "this operation is the preview twin of the named one (written by the bundler)",
    ),
    (
        "x-kintone-oauth-scopes",
        &[Place::Operation],
        "the OAuth scopes the operation needs (`[]`: none of its own); the bundle writes them into the operation's `security`",
    ),
    (
        "x-kintone-one-of-required",
        &[Place::Operation, Place::Schema],
        "exactly one of the named fields",
    ),
    (
        "x-kintone-query-limits",
        &[Place::Schema, Place::Parameter],
        "`limit`/`offset` clauses capped by named limits, checked before sending",
    ),
    (
        "x-kintone-tagged-by",
        &[Place::Schema],
        "on a `oneOf` without a discriminator: the property whose `enum` in each option is its tag; the option without one is the fallback for unknown tags",
    ),
    (
        "x-kintone-write-variants",
        &[Place::Schema],
        "on an `anyOf` of value shapes: the shape each field type is written in, as a list of `TAG: Schema`; the type is written, never read",
    ),
    (
        "x-kintone-body-of",
        &[Place::Schema],
        "this schema is the named operation's request body (or its parameters as a body); the operation's request type is its Rust form",
    ),
    (
        "x-kintone-limit",
        &[Place::Schema],
        "names the schema's `maxItems`, `maxLength` or `maximum` as a limit constant",
    ),
    (
        "x-kintone-runtime-type",
        &[Place::Schema],
        "the runtime provides this type; nothing is emitted for it",
    ),
    (
        "x-rust-response-reader",
        &[Place::Operation],
        "the answer's type has a hand-written reader of this name (`Type::reader(&[u8])`), which gives what serde gives, faster; the operation decodes its answer with it",
    ),
    (
        "x-rust-name",
        &[Place::Schema],
        "the Rust name of the type, pinned so that renaming the schema cannot rename it",
    ),
    (
        "x-rust-variant-names",
        &[Place::Schema],
        "Rust names of an enum's values, in order",
    ),
];

const OWN_PREFIXES: &[&str] = &["x-kintone-", "x-rust-"];

/// Checks every extension of the project's prefixes in the document.
pub fn check(doc: &Value) -> Result<(), Error> {
    let mut errors = Vec::new();
    walk(doc, Place::Root, &mut String::new(), &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors.join("; ")))
    }
}

fn walk(value: &Value, place: Place, pointer: &mut String, errors: &mut Vec<String>) {
    if place == Place::Data {
        return;
    }
    match value {
        Value::Mapping(map) => {
            for (key, child) in map {
                let Some(key) = key.as_str() else { continue };
                if OWN_PREFIXES.iter().any(|p| key.starts_with(p)) {
                    check_one(key, place, pointer, errors);
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                walk_child(key, child, place, pointer, errors);
                pointer.truncate(len);
            }
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                walk(item, place, pointer, errors);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Walks a child whose key says what it holds: a map of named things, a list, or one thing.
fn walk_child(
    key: &str,
    child: &Value,
    parent: Place,
    pointer: &mut String,
    errors: &mut Vec<String>,
) {
    use Place::*;
    let each = |place: Place, pointer: &mut String, errors: &mut Vec<String>| {
        if let Value::Mapping(map) = child {
            for (name, item) in map {
                let len = pointer.len();
                let name = name.as_str().unwrap_or_default();
                pointer.push('/');
                pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
                walk(item, place, pointer, errors);
                pointer.truncate(len);
            }
        }
    };
    match (parent, key) {
        (_, "example" | "examples" | "default" | "enum") => {}
        (Root, "paths") => each(PathItem, pointer, errors),
        (Root, "components") => walk(child, Components, pointer, errors),
        (PathItem, "parameters") | (Operation, "parameters") => {
            walk(child, Parameter, pointer, errors)
        }
        (PathItem, _) => walk(child, Operation, pointer, errors),
        (Operation, "requestBody") => walk(child, RequestBody, pointer, errors),
        (Components, "requestBodies") => each(RequestBody, pointer, errors),
        (Operation, "responses") | (Components, "responses") => each(Response, pointer, errors),
        (Components, "schemas") => each(Schema, pointer, errors),
        (Components, "parameters") => each(Parameter, pointer, errors),
        (Components, "headers") | (Response, "headers") => each(Header, pointer, errors),
        (RequestBody | Response | Parameter | Header, "content") => {
            each(MediaType, pointer, errors)
        }
        (Parameter | Header | MediaType, "schema") => walk(child, Schema, pointer, errors),
        (Schema, "properties") => each(Schema, pointer, errors),
        (Schema, "items" | "additionalProperties" | "not" | "allOf" | "oneOf" | "anyOf") => {
            walk(child, Schema, pointer, errors)
        }
        _ => walk(child, Other, pointer, errors),
    }
}

fn check_one(key: &str, place: Place, pointer: &str, errors: &mut Vec<String>) {
    let at = if pointer.is_empty() { "/" } else { pointer };
    match KNOWN.iter().find(|(name, _, _)| *name == key) {
        None => errors.push(format!("unknown extension {key} at {at}")),
        Some((_, places, _)) if !places.contains(&place) => errors.push(format!(
            "{key} does not belong on {place:?} (at {at}); it goes on {places:?}"
        )),
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(yaml: &str) -> String {
        let doc: Value = serde_yaml::from_str(yaml).unwrap();
        match check(&doc) {
            Ok(()) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn misspelt_extensions_are_named_with_their_place() {
        let found = errors_of("paths:\n  /a.json:\n    get:\n      x-kintone-guest-spaces: true\n");
        assert!(
            found.contains("unknown extension x-kintone-guest-spaces at /paths/~1a.json/get"),
            "{found}"
        );
    }

    #[test]
    fn known_extensions_in_the_wrong_place_are_refused() {
        let found = errors_of(
            "components:\n  schemas:\n    A:\n      type: string\n      x-kintone-bulk: true\n",
        );
        assert!(
            found.contains("x-kintone-bulk does not belong on Schema"),
            "{found}"
        );
        let nested = errors_of(
            "components:\n  schemas:\n    A:\n      type: object\n      properties:\n        b: { type: string, x-kintone-numeric: true, x-rust-nmae: B }\n",
        );
        assert!(
            nested.contains("unknown extension x-rust-nmae at /components/schemas/A/properties/b"),
            "{nested}"
        );
        assert!(!nested.contains("x-kintone-numeric"), "{nested}");
    }

    #[test]
    fn example_data_and_foreign_extensions_are_not_checked() {
        let found = errors_of(
            "x-other-tool: 1\npaths:\n  /a.json:\n    get:\n      x-kintone-bulk: true\n      responses:\n        '200':\n          content:\n            application/json:\n              example: { x-kintone-anything: 1 }\n",
        );
        assert_eq!(found, "");
    }
}

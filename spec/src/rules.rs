//! kintone's rule tables, read from the spec: the operators of the query language
//! (`x-kintone-query-operators` at the root) and the field types with what kintone computes and
//! which operators each takes (`x-kintone-field-type` on the options of the field-value union).
//! The query builder, the derive, the form generator and the emulator all read these tables, so
//! a rule about field types is stated once.

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, Type};
use serde_json::Value;

use crate::model::{FieldTypeRule, QueryOperator};
use crate::Error;

const OPERATORS: &str = "x-kintone-query-operators";
const FIELD_TYPE: &str = "x-kintone-field-type";
const QUERY_KIND: &str = "x-rust-query-kind";
/// What `x-kintone-field-type` states.
const FIELD_TYPE_KEYS: &[&str] = &[
    "computed",
    "operators",
    "sortable",
    "text-value",
    "rust-type",
    "rust-type-by-format",
];

/// A Rust type as the spec writes it for the form generator: a path with generic arguments
/// (`Option<Decimal>`), nothing else.
fn rust_type_text(value: &Value, place: &str) -> Result<String, Error> {
    value
        .as_str()
        .filter(|ty| {
            ty.starts_with(|c: char| c.is_ascii_uppercase())
                && ty
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "<>, ".contains(c))
                && ty.matches('<').count() == ty.matches('>').count()
        })
        .map(str::to_string)
        .ok_or_else(|| Error::Invalid(format!("{place} is a Rust type such as `Option<Decimal>`")))
}

/// The query operators, in the order the spec lists them.
pub(crate) fn query_operators(doc: &OpenAPI) -> Result<Vec<QueryOperator>, Error> {
    let Some(list) = doc.extensions.get(OPERATORS) else {
        return Ok(Vec::new());
    };
    let entries = list
        .as_array()
        .ok_or_else(|| Error::Invalid(format!("{OPERATORS} is a list")))?;
    let mut operators: Vec<QueryOperator> = Vec::new();
    for entry in entries {
        let text = |key: &str| {
            entry
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
                .ok_or_else(|| Error::Invalid(format!("{OPERATORS}: every entry needs `{key}`")))
        };
        let operator = text("operator")?;
        let in_table = entry
            .get("in-table")
            .and_then(Value::as_bool)
            .ok_or_else(|| {
                Error::Invalid(format!("{OPERATORS}.{operator}: `in-table` is a boolean"))
            })?;
        if operators.iter().any(|o| o.operator == operator) {
            return Err(Error::Invalid(format!(
                "{OPERATORS}: {operator} is listed twice"
            )));
        }
        operators.push(QueryOperator {
            operator,
            in_table,
            rust_trait: text("rust-trait")?,
            doc: text("description")?,
        });
    }
    // A trait offers its operators together: they must agree on whether a table's field takes
    // them, or the builder could not offer the trait there.
    let mut by_trait: BTreeMap<&str, bool> = BTreeMap::new();
    for op in &operators {
        if *by_trait.entry(&op.rust_trait).or_insert(op.in_table) != op.in_table {
            return Err(Error::Invalid(format!(
                "{OPERATORS}: the operators of {} disagree on `in-table`",
                op.rust_trait
            )));
        }
    }
    Ok(operators)
}

/// The field types, in the order of the components that state them.
pub(crate) fn field_types(
    doc: &OpenAPI,
    operators: &[QueryOperator],
) -> Result<Vec<FieldTypeRule>, Error> {
    let Some(components) = &doc.components else {
        return Ok(Vec::new());
    };
    let mut rules: Vec<FieldTypeRule> = Vec::new();
    for (schema_name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let ext = &schema.schema_data.extensions;
        let Some(rule) = ext.get(FIELD_TYPE) else {
            if ext.contains_key(QUERY_KIND) {
                return Err(Error::Invalid(format!(
                    "schema {schema_name}: {QUERY_KIND} goes beside {FIELD_TYPE}"
                )));
            }
            continue;
        };
        let place = format!("schema {schema_name}: {FIELD_TYPE}");
        let name = tag_of(schema).ok_or_else(|| {
            Error::Invalid(format!(
                "{place} is on an option whose `type` property states one tag with `enum`"
            ))
        })?;
        if let Some(key) = rule
            .as_object()
            .into_iter()
            .flat_map(|map| map.keys())
            .find(|key| !FIELD_TYPE_KEYS.contains(&key.as_str()))
        {
            return Err(Error::Invalid(format!(
                "{place}: {key} is not one of {}",
                FIELD_TYPE_KEYS.join(", ")
            )));
        }
        let flag = |key: &str| {
            rule.get(key)
                .and_then(Value::as_bool)
                .ok_or_else(|| Error::Invalid(format!("{place}.{key} is a boolean")))
        };
        let computed = flag("computed")?;
        let sortable = flag("sortable")?;
        let text_value = flag("text-value")?;
        let rust_type = match rule.get("rust-type") {
            None => None,
            Some(ty) => Some(rust_type_text(ty, &format!("{place}.rust-type"))?),
        };
        let mut rust_type_by_format = Vec::new();
        if let Some(formats) = rule.get("rust-type-by-format") {
            let formats = formats.as_object().ok_or_else(|| {
                Error::Invalid(format!(
                    "{place}.rust-type-by-format maps formats to Rust types"
                ))
            })?;
            for (format, ty) in formats {
                let ty = rust_type_text(ty, &format!("{place}.rust-type-by-format.{format}"))?;
                rust_type_by_format.push((format.clone(), ty));
            }
            if rust_type.is_none() {
                return Err(Error::Invalid(format!(
                    "{place}: rust-type-by-format goes with a rust-type, for the other formats"
                )));
            }
        }
        let listed = rule
            .get("operators")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::Invalid(format!("{place}.operators is a list")))?;
        let mut type_operators = Vec::new();
        for op in listed {
            let op = op
                .as_str()
                .filter(|op| operators.iter().any(|known| known.operator == *op))
                .ok_or_else(|| {
                    Error::Invalid(format!(
                        "{place}: {op} is not one of the operators of {OPERATORS}"
                    ))
                })?;
            type_operators.push(op.to_string());
        }
        let query_kind = match ext.get(QUERY_KIND) {
            None => None,
            Some(Value::String(kind)) if is_upper_camel(kind) => Some(kind.clone()),
            Some(other) => {
                return Err(Error::Invalid(format!(
                    "schema {schema_name}: {QUERY_KIND} {other} is not a Rust type name"
                )))
            }
        };
        if query_kind.is_some() == type_operators.is_empty() {
            return Err(Error::Invalid(format!(
                "schema {schema_name}: a field type has a {QUERY_KIND} exactly when it takes operators"
            )));
        }
        if sortable && query_kind.is_none() {
            return Err(Error::Invalid(format!(
                "{place}: a field type a query cannot name is not sortable"
            )));
        }
        if rules.iter().any(|r| r.name == name) {
            return Err(Error::Invalid(format!("{place}: {name} is stated twice")));
        }
        rules.push(FieldTypeRule {
            rust_name: name.to_upper_camel_case(),
            name,
            schema: schema_name.clone(),
            computed,
            operators: type_operators,
            query_kind,
            sortable,
            text_value,
            rust_type,
            rust_type_by_format,
            doc: schema
                .schema_data
                .description
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_string(),
        });
    }
    check_kinds(&rules, operators)?;
    sort_as_the_union_lists_them(&mut rules, components);
    Ok(rules)
}

/// Orders the field types as the union of field values lists its options (`oneOf`), which is
/// the order kintone's documentation gives them; components are sorted by name in the bundle.
fn sort_as_the_union_lists_them(rules: &mut [FieldTypeRule], components: &openapiv3::Components) {
    let union = components.schemas.values().find_map(|schema| {
        let ReferenceOr::Item(schema) = schema else {
            return None;
        };
        let SchemaKind::OneOf { one_of } = &schema.schema_kind else {
            return None;
        };
        let names: Vec<&str> = one_of
            .iter()
            .filter_map(|option| match option {
                ReferenceOr::Reference { reference } => reference.rsplit('/').next(),
                ReferenceOr::Item(_) => None,
            })
            .collect();
        names
            .iter()
            .any(|n| rules.iter().any(|r| r.schema == *n))
            .then_some(names)
    });
    if let Some(order) = union {
        rules.sort_by_key(|r| {
            order
                .iter()
                .position(|n| *n == r.schema)
                .unwrap_or(usize::MAX)
        });
    }
}

/// Field types of one query kind share their operands, so they must take the same operators;
/// and a kind takes all of a trait's operators or none of them.
fn check_kinds(rules: &[FieldTypeRule], operators: &[QueryOperator]) -> Result<(), Error> {
    let mut kinds: BTreeMap<&str, &FieldTypeRule> = BTreeMap::new();
    for rule in rules {
        let Some(kind) = rule.query_kind.as_deref() else {
            continue;
        };
        let first = *kinds.entry(kind).or_insert(rule);
        let mut a = first.operators.clone();
        let mut b = rule.operators.clone();
        a.sort();
        b.sort();
        if a != b {
            return Err(Error::Invalid(format!(
                "{QUERY_KIND} {kind}: {} and {} take different operators",
                first.name, rule.name
            )));
        }
        if first.sortable != rule.sortable {
            return Err(Error::Invalid(format!(
                "{QUERY_KIND} {kind}: {} and {} disagree on `sortable`; the query builder sorts \
                 by a kind",
                first.name, rule.name
            )));
        }
        for op in operators {
            let whole = operators
                .iter()
                .filter(|o| o.rust_trait == op.rust_trait)
                .all(|o| rule.operators.contains(&o.operator));
            if rule.operators.contains(&op.operator) && !whole {
                return Err(Error::Invalid(format!(
                    "{}: takes {} but not every operator of {}",
                    rule.name, op.operator, op.rust_trait
                )));
            }
        }
    }
    Ok(())
}

/// The one tag an option states with `type: { enum: [TAG] }`.
fn tag_of(schema: &openapiv3::Schema) -> Option<String> {
    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
        return None;
    };
    let ReferenceOr::Item(tag) = object.properties.get("type")? else {
        return None;
    };
    let SchemaKind::Type(Type::String(string)) = &tag.schema_kind else {
        return None;
    };
    match string.enumeration.as_slice() {
        [Some(tag)] => Some(tag.clone()),
        _ => None,
    }
}

fn is_upper_camel(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

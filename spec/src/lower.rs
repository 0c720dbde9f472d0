//! Lowering: the parsed OpenAPI document into the [`crate::model`].

use std::collections::BTreeMap;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema,
    SchemaKind, StatusCode, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::model::*;
use crate::Error;

const SCHEMA_PREFIX: &str = "#/components/schemas/";
const WRITE_VARIANTS: &str = "x-kintone-write-variants";
const BODY_OF: &str = "x-kintone-body-of";
const TAGGED_BY: &str = "x-kintone-tagged-by";

/// `(tag, reference of the option that states it)`, in the options' order.
type TagMapping = Vec<(String, String)>;

/// Lowers a whole document.
pub fn lower(doc: &OpenAPI) -> Result<Api, Error> {
    let mut lowerer = Lowerer {
        doc,
        types: BTreeMap::new(),
        origins: BTreeMap::new(),
        limits: BTreeMap::new(),
    };
    lowerer.root_limits()?;
    let mut body_of = Vec::new();
    let fallbacks = lowerer.union_fallbacks()?;
    if let Some(components) = &doc.components {
        for (name, schema) in &components.schemas {
            if fallbacks.contains(name) {
                continue;
            }
            let schema = lowerer.resolve_schema(schema)?;
            if alias_target(schema).is_some() || lowerer.is_object_choice(schema)? {
                continue;
            }
            // An operation's body as a schema of its own (for bulk payloads): the request type
            // of that operation is its Rust form.
            if let Some(of) = schema.schema_data.extensions.get(BODY_OF) {
                body_of.push((name.clone(), of.as_str().unwrap_or_default().to_string()));
                continue;
            }
            let rust_name = lowerer.component_rust_name(name)?;
            lowerer.named_type(&rust_name, schema, &format!("{SCHEMA_PREFIX}{name}"))?;
        }
    }
    mark_union_tags(&mut lowerer.types);
    let mut operations = Vec::new();
    let mut preview_twins = Vec::new();
    for (path, item) in &doc.paths.paths {
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { reference } => {
                return Err(Error::Unsupported(format!("path reference {reference}")))
            }
        };
        for (method, op) in item.iter() {
            if let Some(of) = op.extensions.get("x-kintone-preview-of") {
                let of = of.as_str().ok_or_else(|| {
                    Error::Invalid(format!(
                        "{method} {path}: x-kintone-preview-of names an operationId"
                    ))
                })?;
                preview_twins.push((of.to_string(), op.operation_id.clone(), path.clone()));
                continue;
            }
            operations.push(lowerer.operation(path, method, op)?);
        }
    }
    check_preview_twins(&operations, &preview_twins)?;
    for (schema, of) in body_of {
        if !operations.iter().any(|o| o.id == of) {
            return Err(Error::Invalid(format!(
                "schema {schema}: {BODY_OF} names {of}, which is not an operation"
            )));
        }
    }
    let mut fn_names = BTreeMap::new();
    for op in &operations {
        lowerer.register(&op.request_name, &format!("the request of {}", op.id))?;
        if let Some(previous) = fn_names.insert(op.fn_name.clone(), op.id.clone()) {
            return Err(Error::Invalid(format!(
                "operations {previous} and {} both become the method `{}`",
                op.id, op.fn_name
            )));
        }
    }
    let groups = doc
        .tags
        .iter()
        .map(|t| Group {
            name: t.name.clone(),
            doc: t.description.clone().unwrap_or_default(),
        })
        .collect();
    let method_override = match doc.extensions.get("x-kintone-method-override") {
        None => None,
        Some(v) => Some(MethodOverride {
            header: str_field(v, "header")?,
            methods: v
                .get("methods")
                .and_then(Value::as_array)
                .and_then(|m| m.iter().map(|m| m.as_str().map(str::to_string)).collect())
                .ok_or_else(|| Error::Invalid("x-kintone-method-override.methods".into()))?,
            max_uri_bytes: v
                .get("maxUriBytes")
                .and_then(Value::as_u64)
                .ok_or_else(|| Error::Invalid("x-kintone-method-override.maxUriBytes".into()))?,
        }),
    };
    if let Some((name, _)) = lowerer
        .limits
        .iter()
        .find(|(_, (_, doc, _))| doc.is_empty())
    {
        return Err(Error::Invalid(format!(
            "limit {name} needs a description where it is stated"
        )));
    }
    let (api_prefix, guest_prefix) = prefixes(doc)?;
    let headers = headers(doc)?;
    let error_codes = error_codes(&doc.extensions)?;
    let query_operators = crate::rules::query_operators(doc)?;
    let field_types = crate::rules::field_types(doc, &query_operators)?;
    Ok(Api {
        method_override,
        types: lowerer.types.into_values().collect(),
        operations,
        groups,
        api_prefix,
        guest_prefix,
        limits: lowerer
            .limits
            .into_iter()
            .map(|(name, (value, doc, _))| NamedLimit { name, value, doc })
            .collect(),
        headers,
        error_codes,
        query_operators,
        field_types,
    })
}

/// Every `x-kintone-preview-of` copy must mirror an operation that names it as its twin.
fn check_preview_twins(
    operations: &[Operation],
    twins: &[(String, Option<String>, String)],
) -> Result<(), Error> {
    for (of, id, path) in twins {
        let live = operations.iter().find(|o| &o.id == of).ok_or_else(|| {
            Error::Invalid(format!(
                "{path}: x-kintone-preview-of names {of}, which does not exist"
            ))
        })?;
        let twin = live
            .preview
            .as_ref()
            .ok_or_else(|| Error::Invalid(format!("{path}: {of} has no x-kintone-preview")))?;
        if Some(&twin.id) != id.as_ref() || twin.path != path.trim_start_matches('/') {
            return Err(Error::Invalid(format!(
                "{path}: the preview copy of {of} must be {} at /{}",
                twin.id, twin.path
            )));
        }
    }
    Ok(())
}

/// The API prefix from the first server, and the guest-space form from the server whose URL
/// has a `guestSpaceId` variable.
fn prefixes(doc: &OpenAPI) -> Result<(String, Option<(String, String)>), Error> {
    let path_of = |url: &str| -> String {
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        after_scheme.find('/').map_or(String::new(), |i| {
            after_scheme[i..].trim_end_matches('/').to_string()
        })
    };
    let first = doc
        .servers
        .first()
        .ok_or_else(|| Error::Invalid("the spec names no server, so no API prefix".into()))?;
    let api_prefix = path_of(&first.url);
    let guest = doc
        .servers
        .iter()
        .find(|s| s.url.contains("{guestSpaceId}"))
        .map(|s| {
            let path = path_of(&s.url);
            let (before, after) = path.split_once("{guestSpaceId}").unwrap_or((&path, ""));
            (before.to_string(), after.to_string())
        });
    Ok((api_prefix, guest))
}

/// Header names from API-key security schemes and from response headers defined in components.
fn headers(doc: &OpenAPI) -> Result<Vec<NamedHeader>, Error> {
    let mut found: BTreeMap<String, NamedHeader> = BTreeMap::new();
    let mut add = |key: &str, value: &str, doc: String| -> Result<(), Error> {
        let name = format!("{}_HEADER", key.to_shouty_snake_case());
        match found.get(&name) {
            Some(h) if h.value != value => Err(Error::Invalid(format!(
                "header {key} is used as both {} and {value}",
                h.value
            ))),
            Some(_) => Ok(()),
            None => {
                found.insert(
                    name.clone(),
                    NamedHeader {
                        name,
                        value: value.to_string(),
                        doc,
                    },
                );
                Ok(())
            }
        }
    };
    let Some(components) = &doc.components else {
        return Ok(Vec::new());
    };
    for (key, scheme) in &components.security_schemes {
        if let ReferenceOr::Item(openapiv3::SecurityScheme::APIKey {
            location: openapiv3::APIKeyLocation::Header,
            name,
            description,
            ..
        }) = scheme
        {
            add(key, name, description.clone().unwrap_or_default())?;
        }
    }
    let header_doc = |reference: &str| -> Result<(String, String), Error> {
        let key = reference
            .strip_prefix("#/components/headers/")
            .ok_or_else(|| Error::Unsupported(format!("header reference {reference}")))?;
        let doc = components
            .headers
            .get(key)
            .and_then(|h| h.as_item())
            .and_then(|h| h.description.clone())
            .unwrap_or_default();
        Ok((key.to_string(), doc))
    };
    let mut responses: Vec<&openapiv3::Response> = components
        .responses
        .values()
        .filter_map(|r| r.as_item())
        .collect();
    for item in doc.paths.paths.values().filter_map(|p| p.as_item()) {
        for (_, op) in item.iter() {
            responses.extend(op.responses.responses.values().filter_map(|r| r.as_item()));
        }
    }
    for response in responses {
        for (header, value) in &response.headers {
            if let ReferenceOr::Reference { reference } = value {
                let (key, doc) = header_doc(reference)?;
                add(&key, header, doc)?;
            }
        }
    }
    Ok(found.into_values().collect())
}

/// The root `x-kintone-error-codes` table.
fn error_codes(ext: &indexmap::IndexMap<String, Value>) -> Result<Vec<ErrorCode>, Error> {
    let Some(table) = ext.get("x-kintone-error-codes") else {
        return Ok(Vec::new());
    };
    let table = table
        .as_object()
        .ok_or_else(|| Error::Invalid("x-kintone-error-codes is a map of codes".into()))?;
    let mut codes = Vec::new();
    for (code, entry) in table {
        if code.is_empty()
            || !code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(Error::Invalid(format!(
                "x-kintone-error-codes: {code:?} is not an error code"
            )));
        }
        let status =
            match entry.get("status") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v.as_u64().and_then(|s| u16::try_from(s).ok()).ok_or_else(
                    || {
                        Error::Invalid(format!(
                            "x-kintone-error-codes.{code}.status is an HTTP status"
                        ))
                    },
                )?),
            };
        let doc = entry
            .get("description")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Error::Invalid(format!("x-kintone-error-codes.{code} needs a description"))
            })?;
        codes.push(ErrorCode {
            code: code.clone(),
            status,
            doc: doc.trim().to_string(),
        });
    }
    codes.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(codes)
}

/// A union writes its tag itself, so the structs of its variants must not; the enum a variant
/// states its one tag with (`enum: [TAG]`) goes with the field.
fn mark_union_tags(types: &mut BTreeMap<String, TypeDef>) {
    let tagged: Vec<(String, String)> = types
        .values()
        .filter_map(|t| match t {
            TypeDef::Union(u) if u.tag_on_wire => Some(u),
            _ => None,
        })
        .flat_map(|u| {
            u.variants
                .iter()
                .map(|v| (v.schema.clone(), u.tag_property.clone()))
        })
        .collect();
    let mut tag_enums = Vec::new();
    for (schema, tag) in tagged {
        if let Some(TypeDef::Struct(s)) = types.get_mut(&schema) {
            for field in s.fields.iter().filter(|f| f.wire_name == tag) {
                if let TypeRef::Named(name) = &field.ty {
                    tag_enums.push(name.clone());
                }
            }
            s.fields.retain(|f| f.wire_name != tag);
            s.skipped_tag = Some(tag);
        }
    }
    for name in tag_enums {
        if matches!(types.get(&name), Some(TypeDef::Enum(_))) {
            types.remove(&name);
        }
    }
}

struct Lowerer<'a> {
    doc: &'a OpenAPI,
    types: BTreeMap<String, TypeDef>,
    /// Where each Rust type name came from, so that two sources never share a name.
    origins: BTreeMap<String, String>,
    /// Named limits: value, documentation, and where the value was first stated.
    limits: BTreeMap<String, (u64, String, String)>,
}

/// An object schema's properties, with `allOf` parts merged in.
struct ObjectView<'a> {
    properties: indexmap::IndexMap<String, &'a ReferenceOr<Box<Schema>>>,
    required: Vec<String>,
    additional: Option<&'a AdditionalProperties>,
    one_of_required: Vec<String>,
}

impl<'a> Lowerer<'a> {
    fn resolve_schema(&self, schema: &'a ReferenceOr<Schema>) -> Result<&'a Schema, Error> {
        match schema {
            ReferenceOr::Item(s) => Ok(s),
            ReferenceOr::Reference { reference } => self.component(reference),
        }
    }

    fn resolve_boxed(&self, schema: &'a ReferenceOr<Box<Schema>>) -> Result<&'a Schema, Error> {
        match schema {
            ReferenceOr::Item(s) => Ok(s),
            ReferenceOr::Reference { reference } => self.component(reference),
        }
    }

    fn component(&self, reference: &str) -> Result<&'a Schema, Error> {
        let name = schema_name(reference)?;
        let schema = self
            .doc
            .components
            .as_ref()
            .and_then(|c| c.schemas.get(name))
            .ok_or_else(|| Error::Invalid(format!("unknown schema {reference}")))?;
        self.resolve_schema(schema)
    }

    /// A component's Rust name: its `x-rust-name`, or its name in UpperCamelCase.
    fn component_rust_name(&self, name: &str) -> Result<String, Error> {
        let schema = self.component(&format!("{SCHEMA_PREFIX}{name}"))?;
        if let Some(target) = alias_target(schema) {
            return self.component_rust_name(schema_name(target)?);
        }
        rust_name_of(name, schema)
    }

    fn reference_type(&self, reference: &str) -> Result<TypeRef, Error> {
        if self.is_object_choice(self.component(reference)?)? {
            return Ok(TypeRef::JsonObject);
        }
        Ok(TypeRef::Named(
            self.component_rust_name(schema_name(reference)?)?,
        ))
    }

    /// Claims a Rust name for one origin; a second origin asking for it is an error.
    fn register(&mut self, rust_name: &str, origin: &str) -> Result<bool, Error> {
        match self.origins.get(rust_name) {
            Some(existing) if existing == origin => Ok(false),
            Some(existing) => Err(Error::Invalid(format!(
                "{origin} and {existing} both become the Rust type `{rust_name}`; rename one (x-rust-name)"
            ))),
            None => {
                self.origins.insert(rust_name.to_string(), origin.to_string());
                Ok(true)
            }
        }
    }

    /// The root's `x-kintone-limits`: limits no schema constraint carries.
    fn root_limits(&mut self) -> Result<(), Error> {
        let Some(table) = self.doc.extensions.get("x-kintone-limits") else {
            return Ok(());
        };
        let table = table
            .as_object()
            .ok_or_else(|| Error::Invalid("x-kintone-limits is a map of named limits".into()))?;
        for (name, entry) in table {
            let value = entry.get("value").and_then(Value::as_u64).ok_or_else(|| {
                Error::Invalid(format!(
                    "x-kintone-limits.{name}.value is a non-negative integer"
                ))
            })?;
            let doc = entry
                .get("description")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    Error::Invalid(format!("x-kintone-limits.{name} needs a description"))
                })?;
            self.add_limit(name, value, doc, "x-kintone-limits")?;
        }
        Ok(())
    }

    fn add_limit(&mut self, name: &str, value: u64, doc: &str, origin: &str) -> Result<(), Error> {
        if !is_constant_name(name) {
            return Err(Error::Invalid(format!(
                "{origin}: limit name {name:?} is not a SHOUTY_SNAKE_CASE constant name"
            )));
        }
        match self.limits.get_mut(name) {
            Some((existing, _, first)) if *existing != value => Err(Error::Invalid(format!(
                "limit {name} is {existing} at {first} but {value} at {origin}"
            ))),
            Some(_) => Ok(()),
            None => {
                self.limits.insert(
                    name.to_string(),
                    (value, doc.trim().to_string(), origin.to_string()),
                );
                Ok(())
            }
        }
    }

    /// The header named by the root's `x-kintone-method-override`.
    fn method_override_header(&self) -> Option<&'a str> {
        self.doc
            .extensions
            .get("x-kintone-method-override")
            .and_then(|v| v.get("header"))
            .and_then(Value::as_str)
    }

    fn limit_value(&self, name: &str, origin: &str) -> Result<u64, Error> {
        self.limits.get(name).map(|(v, _, _)| *v).ok_or_else(|| {
            Error::Invalid(format!(
                "{origin}: {name} is not a limit of x-kintone-limits"
            ))
        })
    }

    /// The properties of an object schema, `allOf` parts merged; `None` for other schemas.
    fn object_view(
        &self,
        owner: &str,
        schema: &'a Schema,
    ) -> Result<Option<ObjectView<'a>>, Error> {
        let mut view = ObjectView {
            properties: indexmap::IndexMap::new(),
            required: Vec::new(),
            additional: None,
            one_of_required: string_list(
                &schema.schema_data.extensions,
                "x-kintone-one-of-required",
            ),
        };
        let parts: &'a [ReferenceOr<Schema>] = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => {
                self.merge(
                    owner,
                    &mut view,
                    o.properties.iter(),
                    &o.required,
                    o.additional_properties.as_ref(),
                )?;
                &[]
            }
            SchemaKind::AllOf { all_of } => all_of,
            SchemaKind::Any(a)
                if a.typ.as_deref().is_none_or(|t| t == "object") && !a.all_of.is_empty() =>
            {
                if !a.one_of.is_empty()
                    || !a.any_of.is_empty()
                    || a.not.is_some()
                    || a.items.is_some()
                {
                    return Err(Error::Unsupported(format!(
                        "{owner}: allOf mixed with oneOf, anyOf, not or items"
                    )));
                }
                self.merge(
                    owner,
                    &mut view,
                    a.properties.iter(),
                    &a.required,
                    a.additional_properties.as_ref(),
                )?;
                &a.all_of
            }
            _ => return Ok(None),
        };
        for part in parts {
            let resolved = self.resolve_schema(part)?;
            let Some(inner) = self.object_view(owner, resolved)? else {
                return Err(Error::Unsupported(format!(
                    "{owner}: an allOf part that is not an object"
                )));
            };
            self.merge(
                owner,
                &mut view,
                inner.properties.iter().map(|(k, v)| (k, *v)),
                &inner.required,
                inner.additional,
            )?;
            view.one_of_required.extend(inner.one_of_required);
        }
        Ok(Some(view))
    }

    fn merge<'p>(
        &self,
        owner: &str,
        view: &mut ObjectView<'a>,
        properties: impl Iterator<Item = (&'p String, &'a ReferenceOr<Box<Schema>>)>,
        required: &[String],
        additional: Option<&'a AdditionalProperties>,
    ) -> Result<(), Error> {
        for (name, schema) in properties {
            match view.properties.get(name) {
                Some(existing) if *existing != schema => {
                    return Err(Error::Invalid(format!(
                        "{owner}: property {name} is defined twice, differently, by allOf"
                    )))
                }
                Some(_) => {}
                None => {
                    view.properties.insert(name.clone(), schema);
                }
            }
        }
        for name in required {
            if !view.required.contains(name) {
                view.required.push(name.clone());
            }
        }
        if additional.is_some() {
            view.additional = additional;
        }
        Ok(())
    }

    /// Registers a named type for a component or inline schema, and returns a reference to it.
    fn named_type(
        &mut self,
        rust_name: &str,
        schema: &'a Schema,
        origin: &str,
    ) -> Result<TypeRef, Error> {
        let rust_name = rust_name.to_string();
        if !self.register(&rust_name, origin)? {
            return Ok(TypeRef::Named(rust_name));
        }
        let doc = schema.schema_data.description.clone();
        if let Some(runtime) = schema.schema_data.extensions.get("x-kintone-runtime-type") {
            let runtime_name = runtime_type_name(&rust_name, runtime)?;
            self.types.insert(
                rust_name.clone(),
                TypeDef::Runtime {
                    name: rust_name.clone(),
                    runtime_name,
                },
            );
            return Ok(TypeRef::Named(rust_name));
        }
        let def = match &schema.schema_kind {
            SchemaKind::OneOf { one_of } => {
                TypeDef::Union(self.union(&rust_name, doc, schema, one_of)?)
            }
            SchemaKind::AnyOf { any_of }
                if schema.schema_data.extensions.contains_key(WRITE_VARIANTS) =>
            {
                TypeDef::Union(self.write_union(&rust_name, doc, schema, any_of)?)
            }
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
                let names = variant_names(&rust_name, &values, &schema.schema_data.extensions)?;
                TypeDef::Enum(EnumDef {
                    name: rust_name.clone(),
                    doc,
                    variants: values.into_iter().zip(names).collect(),
                })
            }
            SchemaKind::Type(Type::String(_))
                if flag(&schema.schema_data.extensions, "x-kintone-numeric")
                    && schema
                        .schema_data
                        .extensions
                        .contains_key("x-kintone-sentinel") =>
            {
                self.sentinel_id(&rust_name, doc, schema)?
            }
            SchemaKind::Type(Type::String(_))
                if flag(&schema.schema_data.extensions, "x-kintone-numeric") =>
            {
                TypeDef::NumericId {
                    name: rust_name.clone(),
                    doc,
                    nonzero: matches!(
                        &schema.schema_kind,
                        SchemaKind::Type(Type::String(s)) if s.pattern.as_deref().is_some_and(|p| p.starts_with("^[1-9]"))
                    ),
                }
            }
            SchemaKind::Type(Type::String(_)) => TypeDef::StringId {
                name: rust_name.clone(),
                doc,
            },
            _ => match self.object_view(&rust_name, schema)? {
                Some(view) if view.properties.is_empty() => match view.additional {
                    Some(AdditionalProperties::Schema(value)) => {
                        let value = self.type_of(&rust_name, "Value", value)?;
                        TypeDef::Map {
                            name: rust_name.clone(),
                            doc,
                            value,
                        }
                    }
                    _ => TypeDef::Struct(StructDef {
                        name: rust_name.clone(),
                        doc,
                        fields: Vec::new(),
                        one_of_required: view
                            .one_of_required
                            .iter()
                            .map(|n| n.to_snake_case())
                            .collect(),
                        skipped_tag: None,
                    }),
                },
                Some(view) => {
                    let one_of_required = view
                        .one_of_required
                        .iter()
                        .map(|n| n.to_snake_case())
                        .collect();
                    let fields = self.view_fields(&rust_name, &view, Location::Body)?;
                    TypeDef::Struct(StructDef {
                        name: rust_name.clone(),
                        doc,
                        fields,
                        one_of_required,
                        skipped_tag: None,
                    })
                }
                None => {
                    return Err(Error::Unsupported(format!(
                    "schema {origin}: only objects, allOf, strings, enums and oneOf may be named"
                )))
                }
            },
        };
        self.types.insert(rust_name.clone(), def);
        Ok(TypeRef::Named(rust_name))
    }

    /// An `anyOf` of object schemas that is neither an alias nor a write union, such as a bulk
    /// request's payload (one of several operations' bodies): any JSON object to Rust, since
    /// which one it is depends on something beside it (the request's `api`, its position).
    fn is_object_choice(&self, schema: &Schema) -> Result<bool, Error> {
        let SchemaKind::AnyOf { any_of } = &schema.schema_kind else {
            return Ok(false);
        };
        if alias_target(schema).is_some()
            || schema.schema_data.extensions.contains_key(WRITE_VARIANTS)
        {
            return Ok(false);
        }
        for option in any_of {
            let resolved = self.resolve_schema(option)?;
            let object = matches!(resolved.schema_kind, SchemaKind::Type(Type::Object(_)))
                || self.is_object_choice(resolved)?;
            if !object {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `x-kintone-sentinel` on a numeric id schema: `{value, name, of, description}`.
    fn sentinel_id(
        &self,
        rust_name: &str,
        doc: Option<String>,
        schema: &Schema,
    ) -> Result<TypeDef, Error> {
        let v = &schema.schema_data.extensions["x-kintone-sentinel"];
        let invalid =
            |what: &str| Error::Invalid(format!("{rust_name}: x-kintone-sentinel needs {what}"));
        let sentinel = v
            .get("value")
            .and_then(Value::as_i64)
            .filter(|n| *n < 0)
            .ok_or_else(|| invalid("a negative integer `value`"))?;
        let sentinel_name = v
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| is_constant_name(n))
            .ok_or_else(|| invalid("a SHOUTY_SNAKE_CASE `name`"))?
            .to_string();
        let sentinel_doc = v
            .get("description")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("a `description`"))?
            .trim()
            .to_string();
        let of = v
            .get("of")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("`of`, the id schema whose values it otherwise takes"))?;
        let of = self.component_rust_name(of)?;
        Ok(TypeDef::SentinelId {
            name: rust_name.to_string(),
            doc,
            sentinel,
            sentinel_name,
            sentinel_doc,
            of,
        })
    }

    /// The components that are the fallback option of a union tagged by `x-kintone-tagged-by`:
    /// they are the union's `Unknown` variant, not types of their own.
    fn union_fallbacks(&self) -> Result<std::collections::BTreeSet<String>, Error> {
        let mut found = std::collections::BTreeSet::new();
        let Some(components) = &self.doc.components else {
            return Ok(found);
        };
        for (name, schema) in &components.schemas {
            let schema = self.resolve_schema(schema)?;
            if let (SchemaKind::OneOf { one_of }, Some(property)) = (
                &schema.schema_kind,
                schema.schema_data.extensions.get(TAGGED_BY),
            ) {
                let property = property.as_str().unwrap_or_default();
                let (_, fallback) = self.tags_of_options(name, property, one_of)?;
                found.extend(fallback);
            }
        }
        Ok(found)
    }

    /// The tags each `$ref` option of a union states (`enum` on `property`), and the option that
    /// states none (its tag is `not` one of the others'): the fallback, one at most.
    fn tags_of_options(
        &self,
        name: &str,
        property: &str,
        one_of: &[ReferenceOr<Schema>],
    ) -> Result<(TagMapping, Option<String>), Error> {
        let mut mapping = Vec::new();
        let mut fallback = None;
        for option in one_of {
            let ReferenceOr::Reference { reference } = option else {
                return Err(Error::Unsupported(format!(
                    "oneOf {name}: with {TAGGED_BY}, options are $refs"
                )));
            };
            let resolved = self.component(reference)?;
            let tags = self.tags_stated(resolved, property)?;
            if tags.is_empty() {
                if fallback.is_some() {
                    return Err(Error::Invalid(format!(
                        "oneOf {name}: two options state no `{property}` enum; one fallback at most"
                    )));
                }
                fallback = Some(schema_name(reference)?.to_string());
            }
            mapping.extend(tags.into_iter().map(|t| (t, reference.clone())));
        }
        Ok((mapping, fallback))
    }

    /// The tags an option states with `enum` on `property`: on its own properties, or on those
    /// of its `allOf` parts (an option that shares its other keys through `allOf`).
    fn tags_stated(&self, schema: &Schema, property: &str) -> Result<Vec<String>, Error> {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => match o.properties.get(property) {
                Some(p) => match &self.resolve_boxed(p)?.schema_kind {
                    SchemaKind::Type(Type::String(s)) => {
                        Ok(s.enumeration.iter().flatten().cloned().collect())
                    }
                    _ => Ok(Vec::new()),
                },
                None => Ok(Vec::new()),
            },
            SchemaKind::AllOf { all_of } => {
                let mut tags = Vec::new();
                for part in all_of {
                    tags.extend(self.tags_stated(self.resolve_schema(part)?, property)?);
                }
                Ok(tags)
            }
            _ => Ok(Vec::new()),
        }
    }

    /// A `oneOf` read by its tag: the discriminator's mapping, or, with `x-kintone-tagged-by`,
    /// the `enum` each option states on that property (the option that states none is the
    /// fallback, kept as raw JSON). With a discriminator, options are `$ref`s the mapping names
    /// and one inline fallback at most.
    fn union(
        &mut self,
        name: &str,
        doc: Option<String>,
        schema: &Schema,
        one_of: &[ReferenceOr<Schema>],
    ) -> Result<UnionDef, Error> {
        if let Some(property) = schema.schema_data.extensions.get(TAGGED_BY) {
            let property = property
                .as_str()
                .ok_or_else(|| Error::Invalid(format!("{name}: {TAGGED_BY} names a property")))?;
            let (mapping, _) = self.tags_of_options(name, property, one_of)?;
            let variants = self.union_variants(name, &mapping)?;
            return Ok(UnionDef {
                name: name.to_string(),
                doc,
                tag_property: property.to_string(),
                tag_on_wire: true,
                variants,
            });
        }
        let discriminator = schema.schema_data.discriminator.as_ref().ok_or_else(|| {
            Error::Unsupported(format!(
                "oneOf {name} without a discriminator or {TAGGED_BY}"
            ))
        })?;
        let inline = one_of
            .iter()
            .filter(|o| matches!(o, ReferenceOr::Item(_)))
            .count();
        if inline > 1 {
            return Err(Error::Unsupported(format!(
                "oneOf {name}: options are $refs, and one inline fallback at most"
            )));
        }
        let mapping: Vec<(String, String)> = discriminator
            .mapping
            .iter()
            .map(|(tag, reference)| (tag.clone(), reference.clone()))
            .collect();
        let variants = self.union_variants(name, &mapping)?;
        Ok(UnionDef {
            name: name.to_string(),
            doc,
            tag_property: discriminator.property_name.clone(),
            tag_on_wire: true,
            variants,
        })
    }

    /// An `anyOf` of the shapes a value may be written in, with `x-kintone-write-variants`
    /// naming the shape of each field type: nothing on the wire tells the shapes apart, so the
    /// type is written, never read.
    fn write_union(
        &mut self,
        name: &str,
        doc: Option<String>,
        schema: &Schema,
        any_of: &[ReferenceOr<Schema>],
    ) -> Result<UnionDef, Error> {
        let invalid = || {
            Error::Invalid(format!(
                "{name}: {WRITE_VARIANTS} is a list of one-entry maps, field type to schema name"
            ))
        };
        let list = schema.schema_data.extensions[WRITE_VARIANTS]
            .as_array()
            .ok_or_else(invalid)?;
        let mut mapping = Vec::new();
        for entry in list {
            let entry = entry
                .as_object()
                .filter(|m| m.len() == 1)
                .ok_or_else(invalid)?;
            let (tag, target) = entry.iter().next().ok_or_else(invalid)?;
            let target = target.as_str().ok_or_else(invalid)?;
            let reference = format!("{SCHEMA_PREFIX}{target}");
            let listed = any_of
                .iter()
                .any(|o| matches!(o, ReferenceOr::Reference { reference: r } if *r == reference));
            if !listed {
                return Err(Error::Invalid(format!(
                    "{name}: {WRITE_VARIANTS} names {target}, which its anyOf does not list"
                )));
            }
            mapping.push((tag.clone(), reference));
        }
        let variants = self.union_variants(name, &mapping)?;
        Ok(UnionDef {
            name: name.to_string(),
            doc,
            tag_property: String::new(),
            tag_on_wire: false,
            variants,
        })
    }

    fn union_variants(
        &mut self,
        name: &str,
        mapping: &[(String, String)],
    ) -> Result<Vec<UnionVariant>, Error> {
        let tags: Vec<String> = mapping.iter().map(|(tag, _)| tag.clone()).collect();
        let names = variant_names(name, &tags, &indexmap::IndexMap::new())?;
        let mut variants = Vec::new();
        for ((tag, reference), rust_name) in mapping.iter().zip(names) {
            let schema_rust_name = self.component_rust_name(schema_name(reference)?)?;
            let variant_schema = self.component(reference)?;
            let value = match self.object_view(&schema_rust_name, variant_schema)? {
                Some(view) if view.required == ["value"] && view.properties.len() == 1 => self
                    .view_fields(&schema_rust_name, &view, Location::Body)?
                    .into_iter()
                    .next(),
                _ => None,
            };
            variants.push(UnionVariant {
                tag: tag.clone(),
                rust_name,
                schema: schema_rust_name,
                value,
            });
        }
        Ok(variants)
    }

    fn object_fields(
        &mut self,
        owner: &str,
        schema: &'a Schema,
        location: Location,
    ) -> Result<Vec<Field>, Error> {
        let view = self
            .object_view(owner, schema)?
            .ok_or_else(|| Error::Unsupported(format!("{owner}: expected an object schema")))?;
        self.view_fields(owner, &view, location)
    }

    fn view_fields(
        &mut self,
        owner: &str,
        view: &ObjectView<'a>,
        location: Location,
    ) -> Result<Vec<Field>, Error> {
        let mut fields = Vec::new();
        for (prop, prop_schema) in &view.properties {
            let resolved = self.resolve_boxed(prop_schema)?;
            let ty = self.boxed_type_of(owner, prop, prop_schema)?;
            fields.push(Field {
                wire_name: prop.clone(),
                rust_name: prop.to_snake_case(),
                ty,
                required: view.required.contains(prop),
                nullable: resolved.schema_data.nullable,
                empty_is_null: flag(&resolved.schema_data.extensions, "x-kintone-empty-is-null"),
                number_or_string: flag(
                    &resolved.schema_data.extensions,
                    "x-kintone-number-or-string",
                ),
                number_in_body: self.is_id_input(resolved)?,
                doc: resolved.schema_data.description.clone(),
                constraints: self.constraints(resolved, &format!("{owner}.{prop}"), None)?,
                location: location.clone(),
                default: resolved
                    .schema_data
                    .default
                    .as_ref()
                    .and_then(Value::as_i64),
            });
        }
        Ok(fields)
    }

    /// Whether a property holds an id as a request body takes it (an `*Input` alias: an id
    /// type or a JSON integer), or a list of them.
    fn is_id_input(&self, schema: &'a Schema) -> Result<bool, Error> {
        if alias_target(schema).is_some() {
            return Ok(true);
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::Array(a)) => match &a.items {
                Some(items) => Ok(alias_target(self.resolve_boxed(items)?).is_some()),
                None => Ok(false),
            },
            _ => Ok(false),
        }
    }

    /// Whether a parameter's schema names an id type (a numeric id schema), or a list of them.
    fn is_id_reference(&self, schema: &'a ReferenceOr<Schema>) -> Result<bool, Error> {
        let named_id = |reference: &str| -> Result<bool, Error> {
            let s = self.component(reference)?;
            Ok(matches!(s.schema_kind, SchemaKind::Type(Type::String(_)))
                && flag(&s.schema_data.extensions, "x-kintone-numeric"))
        };
        match schema {
            ReferenceOr::Reference { reference } => named_id(reference),
            ReferenceOr::Item(s) => match &s.schema_kind {
                SchemaKind::Type(Type::Array(a)) => match &a.items {
                    Some(ReferenceOr::Reference { reference }) => named_id(reference),
                    _ => Ok(false),
                },
                _ => Ok(false),
            },
        }
    }

    fn boxed_type_of(
        &mut self,
        owner: &str,
        prop: &str,
        schema: &'a ReferenceOr<Box<Schema>>,
    ) -> Result<TypeRef, Error> {
        match schema {
            ReferenceOr::Reference { reference } => self.reference_type(reference),
            ReferenceOr::Item(s) => self.inline_type(owner, prop, s),
        }
    }

    fn type_of(
        &mut self,
        owner: &str,
        prop: &str,
        schema: &'a ReferenceOr<Schema>,
    ) -> Result<TypeRef, Error> {
        match schema {
            ReferenceOr::Reference { reference } => self.reference_type(reference),
            ReferenceOr::Item(s) => self.inline_type(owner, prop, s),
        }
    }

    /// The type of an inline schema; objects and enums become named types `{Owner}{Prop}`
    /// (or their `x-rust-name`).
    fn inline_type(
        &mut self,
        owner: &str,
        prop: &str,
        schema: &'a Schema,
    ) -> Result<TypeRef, Error> {
        let ext = &schema.schema_data.extensions;
        let inline_name = || -> Result<String, Error> {
            rust_name_of(&format!("{owner}{}", prop.to_upper_camel_case()), schema)
        };
        let origin = format!("{owner}.{prop}");
        Ok(match &schema.schema_kind {
            SchemaKind::AnyOf { .. } if alias_target(schema).is_some() => {
                self.reference_type(alias_target(schema).unwrap_or_default())?
            }
            SchemaKind::AnyOf { .. } if self.is_object_choice(schema)? => TypeRef::JsonObject,
            // `allOf: [$ref]` alone: the referenced type, with this schema's `nullable`.
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => match &all_of[0] {
                ReferenceOr::Reference { reference } => self.reference_type(reference)?,
                ReferenceOr::Item(_) => self.named_type(&inline_name()?, schema, &origin)?,
            },
            // The same with `type: object` beside it, which tools ask for next to `nullable`.
            SchemaKind::Any(_) if typed_sole_reference(schema).is_some() => {
                self.reference_type(typed_sole_reference(schema).unwrap_or_default())?
            }
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                self.named_type(&inline_name()?, schema, &origin)?
            }
            SchemaKind::Type(Type::String(_)) if flag(ext, "x-kintone-numeric") => {
                TypeRef::NumericString
            }
            // kintone's dates and times have their own format names: the standard ones mean
            // something else to other tools (RFC 3339 with seconds, no empty value).
            SchemaKind::Type(Type::String(s)) => match &s.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => TypeRef::FilePart,
                VariantOrUnknownOrEmpty::Item(f @ (StringFormat::Date | StringFormat::DateTime)) => {
                    return Err(Error::Invalid(format!(
                        "{origin}: format {f:?} means the RFC 3339 form to other tools; use kintone-date or kintone-datetime with a pattern"
                    )))
                }
                VariantOrUnknownOrEmpty::Unknown(f) => match f.as_str() {
                    "kintone-date" => TypeRef::Date,
                    "kintone-time" => TypeRef::Time,
                    "kintone-datetime" => TypeRef::DateTime,
                    "decimal" => TypeRef::Decimal,
                    "kintone-text" => TypeRef::Text,
                    "time" => {
                        return Err(Error::Invalid(format!(
                            "{origin}: format time means HH:MM:SS with an offset to other tools; use kintone-time with a pattern"
                        )))
                    }
                    _ => TypeRef::String,
                },
                _ => TypeRef::String,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Integer(i)) if i.minimum.is_some_and(|m| m >= 0) => {
                TypeRef::Unsigned
            }
            SchemaKind::Type(Type::Integer(_)) => TypeRef::Integer,
            SchemaKind::Type(Type::Number(_)) => TypeRef::Number,
            SchemaKind::Type(Type::Array(a)) => {
                let items = a.items.as_ref().ok_or_else(|| {
                    Error::Unsupported(format!("{owner}.{prop}: array without items"))
                })?;
                TypeRef::Vec(Box::new(self.boxed_type_of(owner, prop, items)?))
            }
            _ => match self.object_view(owner, schema)? {
                Some(view) if view.properties.is_empty() && !ext.contains_key("x-rust-name") => {
                    match view.additional {
                        Some(AdditionalProperties::Schema(value)) => {
                            TypeRef::Map(Box::new(self.type_of(owner, prop, value)?))
                        }
                        _ => TypeRef::JsonObject,
                    }
                }
                Some(_) => self.named_type(&inline_name()?, schema, &origin)?,
                None => return Err(Error::Unsupported(format!("{owner}.{prop}: schema kind"))),
            },
        })
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        op: &'a openapiv3::Operation,
    ) -> Result<Operation, Error> {
        let id = op.operation_id.clone().ok_or_else(|| {
            Error::Invalid(format!(
                "{method} {path}: every operation needs an operationId"
            ))
        })?;
        let summary = op
            .summary
            .clone()
            .ok_or_else(|| Error::Invalid(format!("{id}: every operation needs a summary")))?;
        let group = op
            .tags
            .first()
            .cloned()
            .ok_or_else(|| Error::Invalid(format!("{id}: every operation needs a tag")))?;
        let method = match method {
            "get" => Method::Get,
            "post" => Method::Post,
            "put" => Method::Put,
            "delete" => Method::Delete,
            other => return Err(Error::Unsupported(format!("{id}: method {other}"))),
        };
        let owner = id.to_upper_camel_case();
        let request_name = format!("{owner}Request");
        let mut fields = Vec::new();
        for param in &op.parameters {
            let param = match param {
                ReferenceOr::Item(p) => p,
                ReferenceOr::Reference { reference } => {
                    let name = reference
                        .strip_prefix("#/components/parameters/")
                        .ok_or_else(|| {
                            Error::Invalid(format!("{id}: parameter ref {reference}"))
                        })?;
                    self.doc
                        .components
                        .as_ref()
                        .and_then(|c| c.parameters.get(name))
                        .and_then(|p| p.as_item())
                        .ok_or_else(|| {
                            Error::Invalid(format!("{id}: unknown parameter {reference}"))
                        })?
                }
            };
            // The method-override header is the client's to set when a URI is too long; the
            // spec declares it on `POST` operations for other tools, not as a request field.
            if let Parameter::Header { parameter_data, .. } = param {
                if Some(parameter_data.name.as_str()) == self.method_override_header() {
                    continue;
                }
            }
            let (data, location) = match param {
                Parameter::Query { parameter_data, .. } => {
                    let encoding = match parameter_data
                        .extensions
                        .get("x-kintone-array-encoding")
                        .and_then(Value::as_str)
                    {
                        Some("indexed") => ArrayEncoding::Indexed,
                        None | Some("repeated") => ArrayEncoding::Repeated,
                        Some(other) => {
                            return Err(Error::Invalid(format!("{id}: array encoding {other}")))
                        }
                    };
                    (parameter_data, Location::Query(encoding))
                }
                Parameter::Header { parameter_data, .. } => (parameter_data, Location::Header),
                Parameter::Path { parameter_data, .. } => {
                    if !parameter_data.required {
                        return Err(Error::Invalid(format!(
                            "{id}: the path parameter {} must be required",
                            parameter_data.name
                        )));
                    }
                    if !path.contains(&format!("{{{}}}", parameter_data.name)) {
                        return Err(Error::Invalid(format!(
                            "{id}: the path parameter {} is not in {path}",
                            parameter_data.name
                        )));
                    }
                    (parameter_data, Location::Path)
                }
                Parameter::Cookie { .. } => {
                    return Err(Error::Unsupported(format!("{id}: cookie parameters")))
                }
            };
            let ParameterSchemaOrContent::Schema(schema) = &data.format else {
                return Err(Error::Unsupported(format!("{id}: parameter content")));
            };
            let resolved = self.resolve_schema(schema)?;
            let origin = format!("{id}.{}", data.name);
            let mut constraints =
                self.constraints(resolved, &origin, data.description.as_deref())?;
            if let Some(limits) = self.query_limits(&data.extensions, &origin)? {
                constraints.query_limits = Some(limits);
            }
            fields.push(Field {
                wire_name: data.name.clone(),
                rust_name: data.name.to_snake_case(),
                ty: self.type_of(&owner, &data.name, schema)?,
                required: data.required,
                nullable: resolved.schema_data.nullable,
                empty_is_null: false,
                number_or_string: flag(
                    &resolved.schema_data.extensions,
                    "x-kintone-number-or-string",
                ),
                // A parameter travels in a JSON body only in a bulk request or through the
                // method override: ids go as numbers there, as in every body.
                number_in_body: self.is_id_reference(schema)?,
                doc: data.description.clone(),
                constraints,
                location,
                default: resolved
                    .schema_data
                    .default
                    .as_ref()
                    .and_then(Value::as_i64),
            });
        }
        let mut body_kind = BodyKind::Query;
        let mut request_example = None;
        let mut one_of_required = string_list(&op.extensions, "x-kintone-one-of-required");
        if let Some(body) = &op.request_body {
            let body = body
                .as_item()
                .ok_or_else(|| Error::Unsupported(format!("{id}: requestBody $ref")))?;
            let (media, location, kind) = if let Some(m) = body.content.get("application/json") {
                (m, Location::Body, BodyKind::Json)
            } else if let Some(m) = body.content.get("multipart/form-data") {
                (m, Location::Multipart, BodyKind::Multipart)
            } else {
                return Err(Error::Unsupported(format!("{id}: request content type")));
            };
            body_kind = kind;
            let schema = media
                .schema
                .as_ref()
                .ok_or_else(|| Error::Invalid(format!("{id}: body without schema")))?;
            let schema = self.resolve_schema(schema)?;
            fields.extend(self.object_fields(&owner, schema, location)?);
            one_of_required.extend(string_list(
                &schema.schema_data.extensions,
                "x-kintone-one-of-required",
            ));
            request_example = media.example.as_ref().map(pretty_json);
        }
        if body_kind == BodyKind::Query && matches!(method, Method::Post | Method::Put) {
            return Err(Error::Invalid(format!("{id}: POST and PUT take a body")));
        }
        let mut rest = path;
        while let Some((_, after)) = rest.split_once('{') {
            let (name, after) = after
                .split_once('}')
                .ok_or_else(|| Error::Invalid(format!("{id}: an unclosed `{{` in {path}")))?;
            if !fields
                .iter()
                .any(|f| f.location == Location::Path && f.wire_name == name)
            {
                return Err(Error::Invalid(format!(
                    "{id}: {path} names {{{name}}}, which no `in: path` parameter gives"
                )));
            }
            rest = after;
        }
        let has_path_params = fields.iter().any(|f| f.location == Location::Path);
        if has_path_params && op.extensions.contains_key("x-kintone-preview") {
            return Err(Error::Unsupported(format!(
                "{id}: path parameters on an operation with a preview twin"
            )));
        }
        let (response, response_example) = self.response(&id, &op.responses)?;
        let mut errors = Vec::new();
        for (status, resp) in &op.responses.responses {
            let code = match status {
                StatusCode::Code(c) => *c,
                StatusCode::Range(r) => r * 100,
            };
            if code == 200 {
                continue;
            }
            errors.push((status.to_string(), self.response_description(resp)?));
        }
        if let Some(default) = &op.responses.default {
            errors.push(("default".into(), self.response_description(default)?));
        }
        if errors.is_empty() {
            return Err(Error::Invalid(format!(
                "{id}: every operation lists its error responses"
            )));
        }
        let preview = match op.extensions.get("x-kintone-preview") {
            None => None,
            Some(v) => Some(PreviewTwin {
                id: v
                    .get("operationId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        Error::Invalid(format!("{id}: x-kintone-preview needs an operationId"))
                    })?
                    .to_string(),
                path: format!("preview/{}", path.trim_start_matches('/')),
            }),
        };
        let oauth_scopes = match op.extensions.get("x-kintone-oauth-scopes") {
            None => None,
            Some(Value::Array(scopes)) => Some(
                scopes
                    .iter()
                    .map(|s| s.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        Error::Invalid(format!("{id}: x-kintone-oauth-scopes lists scope names"))
                    })?,
            ),
            Some(_) => {
                return Err(Error::Invalid(format!(
                    "{id}: x-kintone-oauth-scopes is a list of scope names"
                )))
            }
        };
        let response_reader = match op.extensions.get("x-rust-response-reader") {
            None => None,
            Some(Value::String(reader)) if !reader.is_empty() => Some(reader.clone()),
            Some(_) => {
                return Err(Error::Invalid(format!(
                    "{id}: x-rust-response-reader names a function of the answer's type"
                )))
            }
        };
        if response_reader.is_some() && !matches!(response, ResponseKind::Json(_)) {
            return Err(Error::Invalid(format!(
                "{id}: x-rust-response-reader is for a JSON answer"
            )));
        }
        Ok(Operation {
            response_reader,
            oauth_scopes,
            preview,
            doc_url: op.external_docs.as_ref().map(|d| d.url.clone()),
            deprecated: op.deprecated,
            cargo_feature: op
                .extensions
                .get("x-kintone-cargo-feature")
                .and_then(Value::as_str)
                .map(str::to_string),
            fn_name: id.to_snake_case(),
            id,
            request_name,
            method,
            path: path.trim_start_matches('/').to_string(),
            group,
            summary,
            description: op.description.clone(),
            guest_space: flag(&op.extensions, "x-kintone-guest-space"),
            bulk: flag(&op.extensions, "x-kintone-bulk"),
            anonymous: op.security.as_ref().is_some_and(Vec::is_empty),
            body_kind,
            fields,
            one_of_required,
            response,
            errors,
            request_example,
            response_example,
        })
    }

    fn response(
        &mut self,
        id: &str,
        responses: &'a openapiv3::Responses,
    ) -> Result<(ResponseKind, Option<String>), Error> {
        let ok = responses
            .responses
            .get(&StatusCode::Code(200))
            .and_then(|r| r.as_item())
            .ok_or_else(|| Error::Invalid(format!("{id}: no inline 200 response")))?;
        if let Some(media) = ok.content.get("application/json") {
            let schema = media
                .schema
                .as_ref()
                .ok_or_else(|| Error::Invalid(format!("{id}: 200 without schema")))?;
            let name = format!("{}Response", id.to_upper_camel_case());
            let ty = match schema {
                ReferenceOr::Reference { reference } => {
                    self.component_rust_name(schema_name(reference)?)?
                }
                ReferenceOr::Item(s) => match self.named_type(
                    &rust_name_of(&name, s)?,
                    s,
                    &format!("the response of {id}"),
                )? {
                    TypeRef::Named(n) => n,
                    _ => unreachable!("named_type returns a name"),
                },
            };
            Ok((
                ResponseKind::Json(ty),
                media.example.as_ref().map(pretty_json),
            ))
        } else if ok.content.contains_key("application/octet-stream") {
            Ok((ResponseKind::Binary, None))
        } else {
            Err(Error::Unsupported(format!("{id}: 200 content type")))
        }
    }

    /// `x-kintone-query-limits`: the named limits on a query's `limit` and `offset` clauses.
    fn query_limits(
        &self,
        ext: &indexmap::IndexMap<String, Value>,
        origin: &str,
    ) -> Result<Option<QueryLimits>, Error> {
        let Some(v) = ext.get("x-kintone-query-limits") else {
            return Ok(None);
        };
        let named = |key: &str| -> Result<Option<NamedValue>, Error> {
            match v.get(key) {
                None => Ok(None),
                Some(Value::String(name)) => Ok(Some(NamedValue {
                    name: name.clone(),
                    value: self.limit_value(name, origin)?,
                })),
                Some(_) => Err(Error::Invalid(format!(
                    "{origin}: x-kintone-query-limits.{key} names a limit of x-kintone-limits"
                ))),
            }
        };
        Ok(Some(QueryLimits {
            limit: named("limit")?,
            offset: named("offset")?,
            forbid_limit_offset: v
                .get("forbidLimitOffset")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            default_limit: v.get("defaultLimit").and_then(Value::as_u64),
        }))
    }

    /// The checks a value's schema states; `fallback_doc` documents a named limit whose schema
    /// has no description (a parameter's own description, say).
    fn constraints(
        &mut self,
        schema: &Schema,
        origin: &str,
        fallback_doc: Option<&str>,
    ) -> Result<Constraints, Error> {
        let mut c = Constraints {
            query_limits: self.query_limits(&schema.schema_data.extensions, origin)?,
            ..Default::default()
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Array(a)) => {
                c.min_items = a.min_items.filter(|n| *n > 0);
                c.max_items = a.max_items;
            }
            SchemaKind::Type(Type::String(s)) => c.max_length = s.max_length,
            SchemaKind::Type(Type::Integer(i)) => {
                c.minimum = i.minimum;
                c.maximum = i.maximum;
            }
            _ => {}
        }
        if let Some(name) = schema.schema_data.extensions.get("x-kintone-limit") {
            let name = name.as_str().ok_or_else(|| {
                Error::Invalid(format!("{origin}: x-kintone-limit is a constant name"))
            })?;
            let stated: Vec<u64> = [
                c.max_items.map(|n| n as u64),
                c.max_length.map(|n| n as u64),
                c.maximum.and_then(|n| u64::try_from(n).ok()),
            ]
            .into_iter()
            .flatten()
            .collect();
            let [value] = stated[..] else {
                return Err(Error::Invalid(format!(
                    "{origin}: x-kintone-limit {name} needs exactly one of maxItems, maxLength or a non-negative maximum"
                )));
            };
            let doc = schema
                .schema_data
                .description
                .as_deref()
                .or(fallback_doc)
                .unwrap_or_default();
            self.add_limit(name, value, doc, origin)?;
            c.limit_name = Some(name.to_string());
        }
        Ok(c)
    }

    fn response_description(
        &self,
        resp: &ReferenceOr<openapiv3::Response>,
    ) -> Result<String, Error> {
        match resp {
            ReferenceOr::Item(r) => Ok(r.description.clone()),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/responses/")
                    .ok_or_else(|| Error::Invalid(format!("response ref {reference}")))?;
                self.doc
                    .components
                    .as_ref()
                    .and_then(|c| c.responses.get(name))
                    .and_then(|r| r.as_item())
                    .map(|r| r.description.clone())
                    .ok_or_else(|| Error::Invalid(format!("unknown response {reference}")))
            }
        }
    }
}

/// A schema's Rust name: its `x-rust-name`, or the given default.
fn rust_name_of(default: &str, schema: &Schema) -> Result<String, Error> {
    match schema.schema_data.extensions.get("x-rust-name") {
        None => Ok(default.to_upper_camel_case()),
        Some(Value::String(name)) if is_rust_identifier(name) => Ok(name.clone()),
        Some(other) => Err(Error::Invalid(format!(
            "{default}: x-rust-name {other} is not a Rust identifier"
        ))),
    }
}

fn is_constant_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Rust variant names for enum values or union tags: `x-rust-variant-names` when given, else
/// each value in UpperCamelCase (`DATETIME` → `Datetime`, `1` → `V1`). Two values with one name
/// are an error naming the schema, never a silent merge.
fn variant_names(
    schema: &str,
    values: &[String],
    ext: &indexmap::IndexMap<String, Value>,
) -> Result<Vec<String>, Error> {
    let names: Vec<String> = match ext.get("x-rust-variant-names") {
        Some(Value::Array(given)) => {
            let given: Vec<String> = given
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<_>>()
                .ok_or_else(|| {
                    Error::Invalid(format!("{schema}: x-rust-variant-names are strings"))
                })?;
            if given.len() != values.len() {
                return Err(Error::Invalid(format!(
                    "{schema}: x-rust-variant-names has {} names for {} values",
                    given.len(),
                    values.len()
                )));
            }
            given
        }
        Some(_) => {
            return Err(Error::Invalid(format!(
                "{schema}: x-rust-variant-names is a list"
            )))
        }
        None => values
            .iter()
            .map(|v| {
                let name = v.to_lowercase().to_upper_camel_case();
                if name.starts_with(|c: char| c.is_ascii_digit()) {
                    format!("V{name}")
                } else {
                    name
                }
            })
            .collect(),
    };
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, value) in names.iter().zip(values) {
        if !is_rust_identifier(name) || name == "Unknown" {
            return Err(Error::Invalid(format!(
                "{schema}: value {value:?} gives no usable Rust name ({name:?}); name it with x-rust-variant-names"
            )));
        }
        if let Some(other) = seen.insert(name, value) {
            return Err(Error::Invalid(format!(
                "{schema}: values {other:?} and {value:?} both become the variant `{name}`; name them with x-rust-variant-names"
            )));
        }
    }
    Ok(names)
}

/// `type: object` with `allOf: [$ref X]` and nothing else of its own: X.
fn typed_sole_reference(schema: &Schema) -> Option<&str> {
    let SchemaKind::Any(a) = &schema.schema_kind else {
        return None;
    };
    if a.typ.as_deref() != Some("object")
        || !a.properties.is_empty()
        || a.additional_properties.is_some()
    {
        return None;
    }
    match a.all_of.as_slice() {
        [ReferenceOr::Reference { reference }] => Some(reference),
        _ => None,
    }
}

/// `anyOf: [$ref X, {type: integer, …}]`: X, which kintone also takes as a JSON number in a
/// request body. The Rust type is X's (its values are sent as strings, which kintone takes too).
fn alias_target(schema: &Schema) -> Option<&str> {
    let SchemaKind::AnyOf { any_of } = &schema.schema_kind else {
        return None;
    };
    match any_of.as_slice() {
        [ReferenceOr::Reference { reference }, ReferenceOr::Item(number)]
            if matches!(&number.schema_kind, SchemaKind::Type(Type::Integer(_)))
                || matches!(&number.schema_kind, SchemaKind::Any(a) if a.typ.as_deref() == Some("integer")) =>
        {
            Some(reference)
        }
        _ => None,
    }
}

fn schema_name(reference: &str) -> Result<&str, Error> {
    reference
        .strip_prefix(SCHEMA_PREFIX)
        .ok_or_else(|| Error::Unsupported(format!("reference {reference}")))
}

/// The value of `x-kintone-runtime-type`: the name of a type at the root of `kintone-api`.
fn runtime_type_name(schema: &str, value: &Value) -> Result<String, Error> {
    match value.as_str() {
        Some(name)
            if name.starts_with(|c: char| c.is_ascii_uppercase())
                && name.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            Ok(name.to_string())
        }
        _ => Err(Error::Invalid(format!(
            "schema {schema}: x-kintone-runtime-type names a type, such as `Record`"
        ))),
    }
}

fn flag(ext: &indexmap::IndexMap<String, Value>, key: &str) -> bool {
    ext.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn string_list(ext: &indexmap::IndexMap<String, Value>, key: &str) -> Vec<String> {
    ext.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_snake_case))
                .collect()
        })
        .unwrap_or_default()
}

fn str_field(v: &Value, key: &str) -> Result<String, Error> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Error::Invalid(format!("missing {key}")))
}

fn pretty_json(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// Rust's keywords, strict and reserved (2021 edition), which cannot name a type or a variant.
const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen", "_",
];

/// Whether `name` can name a Rust type or variant as written: ASCII letters, digits and `_`, not
/// starting with a digit, and not a keyword. (The spec's names are ASCII; the model does not
/// accept what the emitter would have to escape.)
fn is_rust_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    starts_well
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RUST_KEYWORDS.contains(&name)
}

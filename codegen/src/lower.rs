//! Lowering: the parsed OpenAPI document into the [`crate::model`].

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};
use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema,
    SchemaKind, StatusCode, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::model::*;
use crate::Error;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Lowers a whole document.
pub fn lower(doc: &OpenAPI) -> Result<Api, Error> {
    let mut lowerer = Lowerer {
        doc,
        types: BTreeMap::new(),
    };
    if let Some(components) = &doc.components {
        for (name, schema) in &components.schemas {
            let schema = lowerer.resolve_schema(schema)?;
            lowerer.named_type(name, schema)?;
        }
    }
    mark_union_tags(&mut lowerer.types);
    let mut operations = Vec::new();
    for (path, item) in &doc.paths.paths {
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { reference } => {
                return Err(Error::Unsupported(format!("path reference {reference}")))
            }
        };
        for (method, op) in item.iter() {
            operations.push(lowerer.operation(path, method, op)?);
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
            max_uri_bytes: v
                .get("maxUriBytes")
                .and_then(Value::as_u64)
                .ok_or_else(|| Error::Invalid("x-kintone-method-override.maxUriBytes".into()))?,
        }),
    };
    Ok(Api {
        method_override,
        types: lowerer.types.into_values().collect(),
        operations,
        groups,
    })
}

/// A union writes its tag itself, so the structs of its variants must not.
fn mark_union_tags(types: &mut BTreeMap<String, TypeDef>) {
    let tagged: Vec<(String, String)> = types
        .values()
        .filter_map(|t| match t {
            TypeDef::Union(u) => Some(u),
            _ => None,
        })
        .flat_map(|u| {
            u.variants
                .iter()
                .map(|v| (v.schema.clone(), u.tag_property.clone()))
        })
        .collect();
    for (schema, tag) in tagged {
        if let Some(TypeDef::Struct(s)) = types.get_mut(&schema) {
            s.fields.retain(|f| f.wire_name != tag);
            s.skipped_tag = Some(tag);
        }
    }
}

struct Lowerer<'a> {
    doc: &'a OpenAPI,
    types: BTreeMap<String, TypeDef>,
}

impl<'a> Lowerer<'a> {
    fn resolve_schema(&self, schema: &'a ReferenceOr<Schema>) -> Result<&'a Schema, Error> {
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

    /// Registers a named type for a component or inline schema, and returns a reference to it.
    fn named_type(&mut self, name: &str, schema: &Schema) -> Result<TypeRef, Error> {
        let rust_name = name.to_upper_camel_case();
        if self.types.contains_key(&rust_name) {
            return Ok(TypeRef::Named(rust_name));
        }
        let doc = schema.schema_data.description.clone();
        if let Some(runtime) = schema.schema_data.extensions.get("x-kintone-runtime-type") {
            let runtime_name = runtime_type_name(name, runtime)?;
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
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                TypeDef::Enum(EnumDef {
                    name: rust_name.clone(),
                    doc,
                    variants: s
                        .enumeration
                        .iter()
                        .flatten()
                        .map(|v| (v.clone(), v.to_lowercase().to_upper_camel_case()))
                        .collect(),
                })
            }
            SchemaKind::Type(Type::String(_))
                if flag(&schema.schema_data.extensions, "x-kintone-numeric") =>
            {
                TypeDef::NumericId {
                    name: rust_name.clone(),
                    doc,
                }
            }
            SchemaKind::Type(Type::String(_)) => TypeDef::StringId {
                name: rust_name.clone(),
                doc,
            },
            SchemaKind::Type(Type::Object(o)) if o.properties.is_empty() => {
                match &o.additional_properties {
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
                        one_of_required: Vec::new(),
                        skipped_tag: None,
                    }),
                }
            }
            SchemaKind::Type(Type::Object(_)) => {
                let fields = self.object_fields(&rust_name, schema, Location::Body)?;
                TypeDef::Struct(StructDef {
                    name: rust_name.clone(),
                    doc,
                    fields,
                    one_of_required: string_list(
                        &schema.schema_data.extensions,
                        "x-kintone-one-of-required",
                    ),
                    skipped_tag: None,
                })
            }
            _ => {
                return Err(Error::Unsupported(format!(
                    "schema {name}: only objects, strings, enums and oneOf may be named"
                )))
            }
        };
        self.types.insert(rust_name.clone(), def);
        Ok(TypeRef::Named(rust_name))
    }

    fn union(
        &mut self,
        name: &str,
        doc: Option<String>,
        schema: &Schema,
        one_of: &[ReferenceOr<Schema>],
    ) -> Result<UnionDef, Error> {
        let discriminator =
            schema.schema_data.discriminator.as_ref().ok_or_else(|| {
                Error::Unsupported(format!("oneOf {name} without a discriminator"))
            })?;
        for option in one_of {
            if let ReferenceOr::Item(_) = option {
                return Err(Error::Unsupported(format!(
                    "oneOf {name}: options must be $refs"
                )));
            }
        }
        let mut variants = Vec::new();
        for (tag, reference) in &discriminator.mapping {
            let schema_name = schema_name(reference)?.to_string();
            let variant_schema = self.component(reference)?;
            let value = match &variant_schema.schema_kind {
                SchemaKind::Type(Type::Object(o))
                    if o.required == ["value"] && o.properties.len() == 1 =>
                {
                    self.object_fields(&schema_name, variant_schema, Location::Body)?
                        .into_iter()
                        .next()
                }
                _ => None,
            };
            variants.push(UnionVariant {
                tag: tag.clone(),
                rust_name: tag.to_lowercase().to_upper_camel_case(),
                schema: schema_name.to_upper_camel_case(),
                value,
            });
        }
        let tag_on_wire = schema
            .schema_data
            .extensions
            .get("x-kintone-discriminator-on-wire")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        Ok(UnionDef {
            name: name.to_string(),
            doc,
            tag_property: discriminator.property_name.clone(),
            tag_on_wire,
            variants,
        })
    }

    fn object_fields(
        &mut self,
        owner: &str,
        schema: &Schema,
        location: Location,
    ) -> Result<Vec<Field>, Error> {
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
            return Err(Error::Unsupported(format!(
                "{owner}: expected an object schema"
            )));
        };
        let mut fields = Vec::new();
        for (prop, prop_schema) in &object.properties {
            let resolved = match prop_schema {
                ReferenceOr::Item(s) => s.as_ref(),
                ReferenceOr::Reference { reference } => self.component(reference)?,
            };
            let ty = self.boxed_type_of(owner, prop, prop_schema)?;
            let location = match (&location, &ty) {
                (Location::Multipart, _) => Location::Multipart,
                (l, _) => l.clone(),
            };
            fields.push(Field {
                wire_name: prop.clone(),
                rust_name: prop.to_snake_case(),
                ty,
                required: object.required.contains(prop),
                empty_is_null: flag(&resolved.schema_data.extensions, "x-kintone-empty-is-null"),
                doc: resolved.schema_data.description.clone(),
                constraints: constraints(resolved),
                location,
            });
        }
        Ok(fields)
    }

    fn boxed_type_of(
        &mut self,
        owner: &str,
        prop: &str,
        schema: &ReferenceOr<Box<Schema>>,
    ) -> Result<TypeRef, Error> {
        match schema {
            ReferenceOr::Reference { reference } => Ok(TypeRef::Named(
                schema_name(reference)?.to_upper_camel_case(),
            )),
            ReferenceOr::Item(s) => self.inline_type(owner, prop, s),
        }
    }

    fn type_of(
        &mut self,
        owner: &str,
        prop: &str,
        schema: &ReferenceOr<Schema>,
    ) -> Result<TypeRef, Error> {
        match schema {
            ReferenceOr::Reference { reference } => Ok(TypeRef::Named(
                schema_name(reference)?.to_upper_camel_case(),
            )),
            ReferenceOr::Item(s) => self.inline_type(owner, prop, s),
        }
    }

    /// The type of an inline schema; objects and enums become named types `{Owner}{Prop}`.
    fn inline_type(&mut self, owner: &str, prop: &str, schema: &Schema) -> Result<TypeRef, Error> {
        let ext = &schema.schema_data.extensions;
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                self.named_type(&format!("{owner}{}", prop.to_upper_camel_case()), schema)?
            }
            SchemaKind::Type(Type::String(_)) if flag(ext, "x-kintone-numeric") => {
                TypeRef::NumericString
            }
            SchemaKind::Type(Type::String(s)) => match &s.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
                VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => TypeRef::FilePart,
                VariantOrUnknownOrEmpty::Unknown(f) if f == "time" => TypeRef::Time,
                VariantOrUnknownOrEmpty::Unknown(f) if f == "decimal" => TypeRef::Decimal,
                _ => TypeRef::String,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Integer(_)) => TypeRef::Integer,
            SchemaKind::Type(Type::Array(a)) => {
                let items = a.items.as_ref().ok_or_else(|| {
                    Error::Unsupported(format!("{owner}.{prop}: array without items"))
                })?;
                TypeRef::Vec(Box::new(self.boxed_type_of(owner, prop, items)?))
            }
            SchemaKind::Type(Type::Object(o)) if o.properties.is_empty() => {
                match &o.additional_properties {
                    Some(AdditionalProperties::Schema(value)) => {
                        TypeRef::Map(Box::new(self.type_of(owner, prop, value)?))
                    }
                    _ => TypeRef::JsonObject,
                }
            }
            SchemaKind::Type(Type::Object(_)) => {
                self.named_type(&format!("{owner}{}", prop.to_upper_camel_case()), schema)?
            }
            _ => return Err(Error::Unsupported(format!("{owner}.{prop}: schema kind"))),
        })
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        op: &openapiv3::Operation,
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
                _ => {
                    return Err(Error::Unsupported(format!(
                        "{id}: path and cookie parameters"
                    )))
                }
            };
            let ParameterSchemaOrContent::Schema(schema) = &data.format else {
                return Err(Error::Unsupported(format!("{id}: parameter content")));
            };
            let resolved = self.resolve_schema(schema)?;
            let mut constraints = constraints(resolved);
            if let Some(limits) = query_limits(&data.extensions) {
                constraints.query_limits = Some(limits);
            }
            fields.push(Field {
                wire_name: data.name.clone(),
                rust_name: data.name.to_snake_case(),
                ty: self.type_of(&owner, &data.name, schema)?,
                required: data.required,
                empty_is_null: false,
                doc: data.description.clone(),
                constraints,
                location,
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
        Ok(Operation {
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
        responses: &openapiv3::Responses,
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
                    schema_name(reference)?.to_upper_camel_case()
                }
                ReferenceOr::Item(s) => match self.named_type(&name, s)? {
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

fn query_limits(ext: &indexmap::IndexMap<String, Value>) -> Option<QueryLimits> {
    let v = ext.get("x-kintone-query-limits")?;
    Some(QueryLimits {
        limit: v.get("limit").and_then(Value::as_u64),
        offset: v.get("offset").and_then(Value::as_u64),
        forbid_limit_offset: v
            .get("forbidLimitOffset")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

fn constraints(schema: &Schema) -> Constraints {
    let mut c = Constraints {
        query_limits: query_limits(&schema.schema_data.extensions),
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
    c
}

fn pretty_json(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

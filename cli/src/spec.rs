//! The spec's operations, as the `api` command needs them. This is the one place that reads the
//! spec's model (`kintone_spec::model`); the rest of the command line sees only the plain types
//! below.

use kintone_api::dynamic::{DynamicOperation, DynamicParam, Method, ParamLocation};
use kintone_spec::model;

use crate::error::CliError;

/// What a parameter holds, as a flag reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Text,
    Integer,
    Number,
    Bool,
    /// A file to upload, named by its path.
    File,
    /// Any JSON (objects, and values of types of their own).
    Json,
}

#[derive(Debug, Clone)]
pub struct ParamInfo {
    pub name: String,
    pub location: ParamLocation,
    pub kind: ParamKind,
    /// An array of `kind`.
    pub list: bool,
    pub required: bool,
    pub doc: String,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    pub max_length: Option<usize>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct OperationInfo {
    pub id: String,
    pub summary: String,
    pub description: Option<String>,
    pub method: Method,
    pub path: String,
    pub guest_space: bool,
    /// The answer is a file.
    pub binary: bool,
    pub deprecated: bool,
    /// kintone answers it without authentication.
    pub anonymous: bool,
    pub params: Vec<ParamInfo>,
}

impl OperationInfo {
    /// The operation as the client sends it. Its names are leaked: a command line runs one
    /// operation and exits.
    pub fn dynamic(&self) -> DynamicOperation {
        let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
        let mut operation = DynamicOperation::new(leak(&self.id), self.method, leak(&self.path))
            .guest_space(self.guest_space);
        for param in &self.params {
            let mut dynamic = DynamicParam::new(leak(&param.name), param.location);
            dynamic.min_items = param.min_items;
            dynamic.max_items = param.max_items;
            dynamic.max_length = param.max_length;
            dynamic.minimum = param.minimum;
            dynamic.maximum = param.maximum;
            operation = operation.param(dynamic);
        }
        operation
    }
}

/// Every operation of the spec, in the spec's order.
pub fn operations() -> Result<Vec<OperationInfo>, CliError> {
    // The bundle `kintone-spec` ships, which the client linked into this binary was generated
    // from.
    let api = kintone_spec::parse(kintone_spec::BUNDLED_YAML)
        .map_err(|e| CliError::Other(format!("the built-in spec does not read: {e}")))?;
    let mut operations = Vec::new();
    for op in &api.operations {
        let live = operation(&api, op);
        // The preview twin: the same request on the pre-live settings, an operation of its own.
        let twin = op.preview.as_ref().map(|twin| OperationInfo {
            id: twin.id.clone(),
            path: twin.path.clone(),
            summary: format!("{} (pre-live settings)", live.summary),
            ..live.clone()
        });
        operations.push(live);
        operations.extend(twin);
    }
    Ok(operations)
}

fn operation(api: &model::Api, op: &model::Operation) -> OperationInfo {
    OperationInfo {
        id: op.id.clone(),
        summary: op.summary.clone(),
        description: op.description.clone(),
        method: match op.method {
            model::Method::Get => Method::Get,
            model::Method::Post => Method::Post,
            model::Method::Put => Method::Put,
            model::Method::Delete => Method::Delete,
        },
        path: op.path.clone(),
        guest_space: op.guest_space,
        binary: op.response == model::ResponseKind::Binary,
        deprecated: op.deprecated,
        anonymous: op.anonymous,
        params: op.fields.iter().map(|f| param(api, f)).collect(),
    }
}

fn param(api: &model::Api, field: &model::Field) -> ParamInfo {
    let (kind, list) = match &field.ty {
        model::TypeRef::Vec(item) => (kind(api, item), true),
        other => (kind(api, other), false),
    };
    let location = match &field.location {
        model::Location::Body => ParamLocation::Body,
        model::Location::Query(model::ArrayEncoding::Indexed) => ParamLocation::QueryIndexed,
        model::Location::Query(model::ArrayEncoding::Repeated) => ParamLocation::Query,
        model::Location::Header => ParamLocation::Header,
        model::Location::Multipart => ParamLocation::Multipart,
        model::Location::Path => ParamLocation::Path,
    };
    let c = &field.constraints;
    ParamInfo {
        name: field.wire_name.clone(),
        location,
        kind,
        list: list && kind != ParamKind::Json,
        required: field.required,
        doc: field.doc.clone().unwrap_or_default(),
        min_items: c.min_items,
        max_items: c.max_items,
        max_length: c.max_length,
        minimum: c.minimum,
        maximum: c.maximum,
    }
}

fn kind(api: &model::Api, ty: &model::TypeRef) -> ParamKind {
    use model::{TypeDef, TypeRef};
    match ty {
        TypeRef::String | TypeRef::Date | TypeRef::Time | TypeRef::DateTime => ParamKind::Text,
        TypeRef::Decimal => ParamKind::Text,
        TypeRef::Bool => ParamKind::Bool,
        TypeRef::Integer | TypeRef::Unsigned | TypeRef::NumericString => ParamKind::Integer,
        TypeRef::Number => ParamKind::Number,
        TypeRef::FilePart => ParamKind::File,
        // Ids and names with types of their own are written as plain values.
        TypeRef::Named(name) => match api.types.iter().find(|t| t.name() == name) {
            Some(TypeDef::NumericId { .. } | TypeDef::SentinelId { .. }) => ParamKind::Integer,
            Some(TypeDef::StringId { .. } | TypeDef::Enum(_)) => ParamKind::Text,
            _ => ParamKind::Json,
        },
        _ => ParamKind::Json,
    }
}

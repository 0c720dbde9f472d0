//! The command line's table of operations (`cli/src/generated/operations.rs`): what
//! `kintone api` needs of each operation, its preview twin as an operation of its own, so that
//! the command line builds its subcommands without reading the spec when it runs.
//!
//! The table names the types of `cli/src/spec.rs` (`OperationInfo`, `ParamInfo`, `ParamKind`)
//! and of `kintone_api::dynamic` (`Method`, `ParamLocation`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{self, Api, ArrayEncoding, BodyKind, Location, TypeDef, TypeRef};

pub fn cli_operations_file(api: &Api) -> TokenStream {
    let mut rows = Vec::new();
    for op in &api.operations {
        rows.push(operation_row(api, op, &op.id, &op.path, &op.summary));
        if let Some(twin) = &op.preview {
            let summary = format!("{} (pre-live settings)", op.summary);
            rows.push(operation_row(api, op, &twin.id, &twin.path, &summary));
        }
    }
    quote! {
        use kintone_api::dynamic::{Method, ParamLocation};

        use crate::spec::{OperationInfo, ParamInfo, ParamKind};

        /// Every operation of the spec in the spec's order, each preview twin after its
        /// operation.
        pub static OPERATIONS: &[OperationInfo] = &[#(#rows),*];
    }
}

fn operation_row(
    api: &Api,
    op: &model::Operation,
    id: &str,
    path: &str,
    summary: &str,
) -> TokenStream {
    let method = match op.method {
        model::Method::Get => quote! { Method::Get },
        model::Method::Post => quote! { Method::Post },
        model::Method::Put => quote! { Method::Put },
        model::Method::Delete => quote! { Method::Delete },
    };
    let description = optional_str(op.description.as_deref());
    let tag = &op.group;
    let guest_space = op.guest_space;
    let has_body = op.body_kind != BodyKind::Query;
    let download = op.response == model::ResponseKind::Binary;
    let deprecated = op.deprecated;
    let anonymous = op.anonymous;
    let params = op.fields.iter().map(|field| param_row(api, field));
    quote! {
        OperationInfo {
            id: #id,
            summary: #summary,
            description: #description,
            tag: #tag,
            method: #method,
            path: #path,
            guest_space: #guest_space,
            has_body: #has_body,
            download: #download,
            deprecated: #deprecated,
            anonymous: #anonymous,
            params: &[#(#params),*],
        }
    }
}

fn param_row(api: &Api, field: &model::Field) -> TokenStream {
    let (kind, list) = match &field.ty {
        TypeRef::Vec(item) => (kind(api, item), true),
        other => (kind(api, other), false),
    };
    // A list of values of a type of their own is given as one JSON array.
    let list = list && kind != Kind::Json;
    let location = match &field.location {
        Location::Body => quote! { ParamLocation::Body },
        Location::Query(ArrayEncoding::Indexed) => quote! { ParamLocation::QueryIndexed },
        Location::Query(ArrayEncoding::Repeated) => quote! { ParamLocation::Query },
        Location::Header => quote! { ParamLocation::Header },
        Location::Multipart => quote! { ParamLocation::Multipart },
        Location::Path => quote! { ParamLocation::Path },
    };
    let kind = match kind {
        Kind::Text => quote! { ParamKind::Text },
        Kind::Integer => quote! { ParamKind::Integer },
        Kind::Number => quote! { ParamKind::Number },
        Kind::Bool => quote! { ParamKind::Bool },
        Kind::File => quote! { ParamKind::File },
        Kind::Json => quote! { ParamKind::Json },
    };
    let name = &field.wire_name;
    let required = field.required;
    let doc = field.doc.as_deref().unwrap_or_default();
    let c = &field.constraints;
    let min_items = optional_number(c.min_items.map(|n| n as i128));
    let max_items = optional_number(c.max_items.map(|n| n as i128));
    let max_length = optional_number(c.max_length.map(|n| n as i128));
    let minimum = optional_number(c.minimum.map(i128::from));
    let maximum = optional_number(c.maximum.map(i128::from));
    quote! {
        ParamInfo {
            name: #name,
            location: #location,
            kind: #kind,
            list: #list,
            required: #required,
            doc: #doc,
            min_items: #min_items,
            max_items: #max_items,
            max_length: #max_length,
            minimum: #minimum,
            maximum: #maximum,
        }
    }
}

/// What a parameter's flag reads, by the parameter's type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Integer,
    Number,
    Bool,
    File,
    Json,
}

fn kind(api: &Api, ty: &TypeRef) -> Kind {
    match ty {
        TypeRef::String | TypeRef::Text | TypeRef::Date | TypeRef::Time | TypeRef::DateTime => {
            Kind::Text
        }
        TypeRef::Decimal => Kind::Text,
        TypeRef::Bool => Kind::Bool,
        TypeRef::Integer | TypeRef::Unsigned | TypeRef::NumericString => Kind::Integer,
        TypeRef::Number => Kind::Number,
        TypeRef::FilePart => Kind::File,
        // Ids and names with types of their own are written as plain values.
        TypeRef::Named(name) => match api.types.iter().find(|t| t.name() == name) {
            Some(TypeDef::NumericId { .. } | TypeDef::SentinelId { .. }) => Kind::Integer,
            Some(TypeDef::StringId { .. } | TypeDef::Enum(_)) => Kind::Text,
            _ => Kind::Json,
        },
        _ => Kind::Json,
    }
}

fn optional_str(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote! { Some(#text) },
        None => quote! { None },
    }
}

fn optional_number(n: Option<i128>) -> TokenStream {
    match n {
        Some(n) => {
            let magnitude = proc_macro2::Literal::u128_unsuffixed(n.unsigned_abs());
            if n < 0 {
                quote! { Some(-#magnitude) }
            } else {
                quote! { Some(#magnitude) }
            }
        }
        None => quote! { None },
    }
}

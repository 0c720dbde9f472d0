//! The `operations.rs` file: a request type per operation, its `Operation` impl, and the
//! handlers (`client.records()`, …) with fluent builders.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::structs::{param, struct_item, Role};
use super::types::{nonzero_ids, struct_names};
use super::{doc, ident};
use crate::model::{
    Api, ArrayEncoding, BodyKind, Location, Method, Operation, ResponseKind, TypeRef,
};

pub fn operations_file(api: &Api) -> TokenStream {
    let structs = struct_names(api);
    let ids = nonzero_ids(api);
    let prefix = api.api_prefix.as_str();
    let ops = api.operations.iter().map(|op| {
        let text = operation_doc(op, prefix);
        let request = struct_item(
            &op.request_name,
            &text,
            &op.fields,
            &op.one_of_required,
            Role::Request,
            &structs,
            &ids,
        );
        let operation_impl = operation_impl(op);
        let call_setters = call_setters(op);
        behind_feature(
            op.cargo_feature.as_deref(),
            &op.fn_name,
            quote! { #request #operation_impl #call_setters },
        )
    });
    let groups = api.groups.iter().map(|g| {
        let ops: Vec<&Operation> = api
            .operations
            .iter()
            .filter(|o| o.group == g.name)
            .collect();
        // A group whose operations all sit behind one feature sits behind it too.
        let feature = ops
            .first()
            .and_then(|o| o.cargo_feature.as_deref())
            .filter(|f| ops.iter().all(|o| o.cargo_feature.as_deref() == Some(*f)));
        behind_feature(
            feature,
            &format!("{}_group", g.name.to_snake_case()),
            group_item(&g.name, &g.doc, &ops, prefix),
        )
    });
    quote! {
        #![allow(clippy::doc_markdown)]
        use super::types::*;
        #(#ops)*
        #(#groups)*
    }
}

/// Items offered behind a cargo feature: in a module of their own that exists with the feature,
/// re-exported where they would be.
fn behind_feature(feature: Option<&str>, name: &str, items: TokenStream) -> TokenStream {
    let Some(feature) = feature else {
        return items;
    };
    let module = format_ident!("feature_{}", name);
    let doc = doc(&format!("Offered with the cargo feature `{feature}`."));
    quote! {
        #doc
        #[cfg(feature = #feature)]
        mod #module {
            use super::*;
            #items
        }
        #[cfg(feature = #feature)]
        pub use #module::*;
    }
}

fn method_str(m: Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
    }
}

fn operation_doc(op: &Operation, prefix: &str) -> String {
    let mut text = format!(
        "{}.\n\n`{} {prefix}/{}`",
        op.summary,
        method_str(op.method),
        op.path
    );
    if let Some(twin) = &op.preview {
        text.push_str(&format!(
            "\n\nIts preview twin, `{}` (`{} {prefix}/{}`), takes the same request: call \
             `.preview()` on the call, or send `Preview(request)`.",
            twin.id,
            method_str(op.method),
            twin.path
        ));
    }
    match op.oauth_scopes.as_deref() {
        Some([]) => text.push_str("\n\nWith OAuth, it needs no scope of its own."),
        Some(scopes) => text.push_str(&format!(
            "\n\nWith OAuth, it needs the scope{} {}.",
            if scopes.len() == 1 { "" } else { "s" },
            scopes
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => {}
    }
    if let Some(url) = &op.doc_url {
        text.push_str(&format!("\n\n[kintone's documentation]({url})"));
    }
    if let Some(d) = &op.description {
        text.push_str("\n\n");
        text.push_str(d.trim());
    }
    text.push_str(if op.guest_space {
        "\n\nAvailable in guest spaces."
    } else {
        "\n\nNot available in guest spaces."
    });
    if op.bulk {
        text.push_str(" Can be part of a bulk request.");
    }
    text.push_str("\n\n# Errors\n");
    for (status, desc) in &op.errors {
        text.push_str(&format!("\n- `{status}`: {desc}"));
    }
    if let Some(example) = &op.request_example {
        text.push_str(&format!("\n\n# Example body\n\n```json\n{example}\n```"));
    }
    if let Some(example) = &op.response_example {
        text.push_str(&format!(
            "\n\n# Example response\n\n```json\n{example}\n```"
        ));
    }
    text
}

fn operation_impl(op: &Operation) -> TokenStream {
    let name = ident(&op.request_name);
    let id = &op.id;
    let path = &op.path;
    let method = format_ident!("{}", method_str(op.method).to_upper_camel_case());
    let body = match op.body_kind {
        BodyKind::Query => quote! { Query },
        BodyKind::Json => quote! { Json },
        BodyKind::Multipart => quote! { Multipart },
    };
    let guest = op.guest_space;
    let (response_ty, decode) = match &op.response {
        ResponseKind::Json(t) => {
            let t = ident(t);
            (
                quote! { #t },
                quote! { crate::runtime::decode_json(response) },
            )
        }
        ResponseKind::Binary => (
            quote! { crate::Download },
            quote! { crate::runtime::decode_binary(response) },
        ),
    };
    let query = query_writer(op);
    let (path_fn, path_checks) = path_writer(op);
    let headers = location_writer(op, Location::Header, "write_headers", "HeaderWriter");
    let multipart = location_writer(
        op,
        Location::Multipart,
        "write_multipart",
        "MultipartWriter",
    );
    let bulk = op
        .bulk
        .then(|| quote! { impl crate::runtime::BulkOperation for #name {} });
    let preview = op.preview.as_ref().map(|twin| {
        let twin_id = &twin.id;
        let twin_path = &twin.path;
        quote! {
            impl crate::runtime::HasPreview for #name {
                const PREVIEW_ID: &'static str = #twin_id;
                const PREVIEW_PATH: &'static str = #twin_path;
            }
        }
    });
    quote! {
        impl crate::runtime::Operation for #name {
            type Response = #response_ty;
            const ID: &'static str = #id;
            const METHOD: crate::runtime::Method = crate::runtime::Method::#method;
            const PATH: &'static str = #path;
            const BODY: crate::runtime::BodyKind = crate::runtime::BodyKind::#body;
            const GUEST_SPACE: bool = #guest;

            fn validate(&self) -> Result<(), crate::LimitError> {
                #path_checks
                #name::validate(self)
            }

            #path_fn
            #query
            #headers
            #multipart

            fn decode(response: crate::runtime::RawResponse) -> Result<Self::Response, crate::Error> {
                #decode
            }
        }
        #bulk
        #preview
    }
}

fn query_writer(op: &Operation) -> TokenStream {
    let pushes: Vec<TokenStream> = op
        .fields
        .iter()
        .filter_map(|f| {
            let Location::Query(encoding) = f.location else {
                return None;
            };
            let fname = ident(&f.rust_name);
            let wire = &f.wire_name;
            let push = match (&f.ty, encoding) {
                (TypeRef::Vec(_), ArrayEncoding::Indexed) => {
                    quote! { query.push_indexed(#wire, value) }
                }
                (TypeRef::Vec(_), ArrayEncoding::Repeated) => {
                    quote! { query.push_repeated(#wire, value) }
                }
                _ => quote! { query.push(#wire, value) },
            };
            Some(if f.required {
                quote! { { let value = &self.#fname; #push; } }
            } else {
                quote! { if let Some(value) = &self.#fname { #push; } }
            })
        })
        .collect();
    if pushes.is_empty() {
        return quote! {};
    }
    quote! {
        fn write_query(&self, query: &mut crate::runtime::QueryWriter) {
            #(#pushes)*
        }
    }
}

/// For an operation with path parameters: the `path` method that puts their values into the
/// path, and the checks that each value is one the path can carry.
fn path_writer(op: &Operation) -> (TokenStream, TokenStream) {
    let params: Vec<_> = op
        .fields
        .iter()
        .filter(|f| f.location == Location::Path)
        .collect();
    if params.is_empty() {
        return (quote! {}, quote! {});
    }
    let values = params.iter().map(|f| {
        let fname = ident(&f.rust_name);
        let wire = &f.wire_name;
        quote! { (#wire, self.#fname.to_string()) }
    });
    let checks = params.iter().map(|f| {
        let fname = ident(&f.rust_name);
        let wire = &f.wire_name;
        quote! { crate::runtime::check_path_value(#wire, &self.#fname.to_string())?; }
    });
    (
        quote! {
            fn path(&self) -> ::std::borrow::Cow<'static, str> {
                crate::runtime::expand_path(Self::PATH, &[#(#values),*])
            }
        },
        quote! { #(#checks)* },
    )
}

/// A `write_*` method that pushes every field of one location into a writer.
fn location_writer(op: &Operation, location: Location, method: &str, writer: &str) -> TokenStream {
    let method = format_ident!("{method}");
    let writer = format_ident!("{writer}");
    let pushes: Vec<TokenStream> = op
        .fields
        .iter()
        .filter(|f| f.location == location)
        .map(|f| {
            let fname = ident(&f.rust_name);
            let wire = &f.wire_name;
            if f.required {
                quote! { out.push(#wire, &self.#fname); }
            } else {
                quote! { if let Some(value) = &self.#fname { out.push(#wire, value); } }
            }
        })
        .collect();
    if pushes.is_empty() {
        return quote! {};
    }
    quote! {
        fn #method(&self, out: &mut crate::runtime::#writer) {
            #(#pushes)*
        }
    }
}

/// The optional fields' setters, on the fluent builder too.
fn call_setters(op: &Operation) -> TokenStream {
    let name = ident(&op.request_name);
    let setters: Vec<TokenStream> = op
        .fields
        .iter()
        .filter(|f| !f.required)
        .map(|f| {
            let fname = ident(&f.rust_name);
            let (ty, _) = param(&f.ty, &quote! { value });
            let d = doc(&format!("Sets `{}`.", f.wire_name));
            quote! {
                #d
                pub fn #fname(self, value: #ty) -> Self {
                    self.map(|request| request.#fname(value))
                }
            }
        })
        .collect();
    if setters.is_empty() {
        return quote! {};
    }
    quote! {
        impl<C> crate::runtime::Call<'_, #name, C> {
            #(#setters)*
        }
    }
}

fn group_item(group: &str, group_doc: &str, ops: &[&Operation], prefix: &str) -> TokenStream {
    let handler = format_ident!("{}Api", group.to_upper_camel_case());
    let accessor = ident(&group.to_snake_case());
    let hd = doc(group_doc);
    let ad = doc(&format!("The `{group}` operations. {group_doc}"));
    let fns = ops.iter().map(|op| {
        let f = ident(&op.fn_name);
        let request = ident(&op.request_name);
        let required: Vec<_> = op.fields.iter().filter(|f| f.required).collect();
        let params = required.iter().map(|f| {
            let n = ident(&f.rust_name);
            let (ty, _) = param(&f.ty, &quote! { #n });
            quote! { #n: #ty }
        });
        let args = required.iter().map(|f| ident(&f.rust_name));
        let twin = op
            .preview
            .as_ref()
            .map(|t| format!(" `.preview()` sends it to `{prefix}/{}` instead.", t.path))
            .unwrap_or_default();
        let d = doc(&format!(
            "{}: `{} {prefix}/{}`. See [`{}`] for the details.{twin}",
            op.summary,
            method_str(op.method),
            op.path,
            op.request_name
        ));
        // Only the entry point warns: the request type stays usable without a warning inside
        // the crate (the runtime and the blocking client name it).
        let deprecated = op.deprecated.then(|| {
            quote! {
                #[deprecated(note = "kintone keeps this operation for compatibility only; its documentation names what replaces it")]
            }
        });
        quote! {
            #d
            #deprecated
            pub fn #f(&self, #(#params),*) -> crate::runtime::Call<'c, #request, C> {
                crate::runtime::Call::new(self.client, #request::new(#(#args),*))
            }
        }
    });
    quote! {
        #hd
        ///
        /// `C` is the client's flavour: [`Client`](crate::Client), or, with the `blocking`
        /// feature, `blocking::Client`.
        #[derive(Debug)]
        pub struct #handler<'c, C = crate::Client> {
            client: &'c C,
        }

        impl<C> Clone for #handler<'_, C> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<C> Copy for #handler<'_, C> {}

        impl crate::Client {
            #ad
            pub fn #accessor(&self) -> #handler<'_> {
                #handler { client: self }
            }
        }

        #[cfg(feature = "blocking")]
        impl crate::blocking::Client {
            #ad
            pub fn #accessor(&self) -> #handler<'_, crate::blocking::Client> {
                #handler { client: self }
            }
        }

        impl<'c, C> #handler<'c, C> {
            #(#fns)*
        }
    }
}

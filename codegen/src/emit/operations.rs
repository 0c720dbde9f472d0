//! The `operations.rs` file: a request type per operation, its `Operation` impl, and the
//! handlers (`client.records()`, …) with fluent builders.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::checks::{nonzero_ids, struct_names};
use super::structs::{param_kind, struct_item, Role};
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
            Role::Operation,
            &structs,
            &ids,
        );
        let operation_impl = operation_impl(op);
        let call = call_item(op);
        behind_feature(
            op.cargo_feature.as_deref(),
            &op.fn_name,
            quote! { #request #operation_impl #call },
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
    // What is said of every operation (its path, kintone's page, OAuth, guest spaces, bulk) is
    // one paragraph, so that the operation's own description stands out.
    let mut text = format!(
        "{}.\n\n`{} {prefix}/{}`",
        op.summary,
        method_str(op.method),
        op.path
    );
    if let Some(url) = &op.doc_url {
        text.push_str(&format!(" ([kintone's documentation]({url}))"));
    }
    text.push('.');
    match op.oauth_scopes.as_deref() {
        Some([]) => text.push_str(" With OAuth, it needs no scope of its own."),
        Some(scopes) => text.push_str(&format!(
            " With OAuth, it needs the scope{} {}.",
            if scopes.len() == 1 { "" } else { "s" },
            scopes
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => {}
    }
    text.push_str(if op.guest_space {
        " Available in guest spaces."
    } else {
        " Not available in guest spaces."
    });
    if op.bulk {
        text.push_str(" Can be part of a bulk request.");
    }
    if let Some(twin) = &op.preview {
        text.push_str(&format!(
            "\n\nIts preview twin, `{}` (`{} {prefix}/{}`), takes the same request: call \
             `.preview()` on the call, or send `Preview(request)`.",
            twin.id,
            method_str(op.method),
            twin.path
        ));
    }
    if let Some(d) = &op.description {
        text.push_str("\n\n");
        text.push_str(d.trim());
    }
    text.push_str(&format!("\n\n# Errors\n\n{}", errors_line(op)));
    // The examples are one line each, in a sentence: kintone's page, linked above, has them
    // laid out, and the request's fields are documented one by one below.
    match (&op.request_example, &op.response_example) {
        (Some(body), Some(response)) => text.push_str(&format!(
            "\n\nExample: the body `{}` is answered with `{}`.",
            one_line_json(body),
            one_line_json(response)
        )),
        (Some(body), None) => {
            text.push_str(&format!("\n\nExample body: `{}`.", one_line_json(body)))
        }
        (None, Some(response)) => text.push_str(&format!(
            "\n\nExample response: `{}`.",
            one_line_json(response)
        )),
        (None, None) => {}
    }
    text
}

/// The operation's `# Errors` section: the statuses it documents, each explained once on the
/// page of kintone's errors (the `error_codes` module), instead of the same texts on every
/// operation.
fn errors_line(op: &Operation) -> String {
    let statuses: Vec<String> = op
        .errors
        .iter()
        .filter(|(status, _)| status != "default")
        .map(|(status, _)| format!("`{status}`"))
        .collect();
    if statuses.is_empty() {
        return "Any status but 200 is an [`Error`](crate::Error): see \
                [kintone's errors](crate::error_codes)."
            .to_string();
    }
    format!(
        "Any status but 200 is an [`Error`](crate::Error); kintone documents {} for this \
         operation: see [kintone's errors](crate::error_codes) for what each means.",
        statuses.join(", ")
    )
}

/// An example on one line, with a space after each `,` and `:` so that the documentation can
/// wrap it; the spec's own text when it is not JSON.
fn one_line_json(example: &str) -> String {
    fn write(value: &serde_json::Value, out: &mut String) {
        match value {
            serde_json::Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write(item, out);
                }
                out.push(']');
            }
            serde_json::Value::Object(map) => {
                out.push('{');
                for (i, (key, item)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&serde_json::Value::String(key.clone()).to_string());
                    out.push_str(": ");
                    write(item, out);
                }
                out.push('}');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
    match serde_json::from_str::<serde_json::Value>(example) {
        Ok(value) => {
            let mut out = String::new();
            write(&value, &mut out);
            out
        }
        Err(_) => example.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

fn operation_impl(op: &Operation) -> TokenStream {
    let name = ident(&op.request_name);
    let id = &op.id;
    let op_path = &op.path;
    let method = format_ident!("{}", method_str(op.method).to_upper_camel_case());
    let body = match op.body_kind {
        BodyKind::Query => quote! { Query },
        BodyKind::Json => quote! { Json },
        BodyKind::Multipart => quote! { Multipart },
    };
    let guest = op.guest_space;
    // The answer is decoded by its type (`crate::runtime::FromResponse`): JSON, or a download.
    let response_ty = match &op.response {
        ResponseKind::Json(t) => {
            let t = ident(t);
            quote! { #t }
        }
        ResponseKind::Binary => quote! { crate::Download },
    };
    let query = query_writer(op);
    let path_params: Vec<TokenStream> = op
        .fields
        .iter()
        .filter(|f| f.location == Location::Path)
        .map(|f| {
            let wire = &f.wire_name;
            let fname = ident(&f.rust_name);
            quote! { #wire #fname }
        })
        .collect();
    let path = (!path_params.is_empty()).then(|| quote! { , path [#(#path_params),*] });
    let headers = location_writer(op, Location::Header, "write_headers", "HeaderWriter");
    let multipart = location_writer(
        op,
        Location::Multipart,
        "write_multipart",
        "MultipartWriter",
    );
    // An answer with a reader of its own (`x-rust-response-reader`) is decoded by it.
    let decode = op.response_reader.as_ref().map(|reader| {
        let reader = ident(reader);
        quote! {
            fn decode(response: crate::answer::RawResponse) -> Result<Self::Response, crate::Error> {
                crate::runtime::decode_json_with(response, #response_ty::#reader)
            }
        }
    });
    // What every operation's impl states (its constants, `validate`, the path) is written by
    // `crate::runtime::operation!`; only the writers of its parameters are spelled out.
    quote! {
        impl crate::runtime::Operation for #name {
            crate::runtime::operation!(#response_ty, #id, #method #op_path, #body, guest #guest #path);
            #query
            #headers
            #multipart
            #decode
        }
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
            // One line a parameter: an optional list is pushed through its items, if any.
            let value = if f.required {
                quote! { &self.#fname }
            } else {
                quote! { self.#fname.iter().flatten() }
            };
            Some(match (&f.ty, encoding) {
                (TypeRef::Vec(_), ArrayEncoding::Indexed) => {
                    quote! { query.push_indexed(#wire, #value); }
                }
                (TypeRef::Vec(_), ArrayEncoding::Repeated) => {
                    quote! { query.push_repeated(#wire, #value); }
                }
                _ if f.required => quote! { query.push(#wire, &self.#fname); },
                _ => quote! { query.push_optional(#wire, self.#fname.as_ref()); },
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
                quote! { out.push_optional(#wire, self.#fname.as_ref()); }
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

/// The name of an operation's call type: its request's, with `Call` for `Request`.
fn call_name(op: &Operation) -> proc_macro2::Ident {
    let base = op
        .request_name
        .strip_suffix("Request")
        .unwrap_or(&op.request_name);
    format_ident!("{base}Call")
}

/// The operation's call type, with the optional fields' setters on it and on the request
/// (`crate::client::handlers::call!`), and what else the operation is: part of bulk requests, a download,
/// an app setting with a preview twin.
fn call_item(op: &Operation) -> TokenStream {
    let name = ident(&op.request_name);
    let call = call_name(op);
    let bulk = op.bulk.then(|| quote! { , bulk });
    let download = matches!(op.response, ResponseKind::Binary).then(|| quote! { , download });
    let preview = op.preview.as_ref().map(|twin| {
        let (id, path) = (&twin.id, &twin.path);
        quote! { , preview #id #path }
    });
    let setters = op.fields.iter().filter(|f| !f.required).map(|f| {
        let fname = ident(&f.rust_name);
        let wire = &f.wire_name;
        let (kind, ty) = param_kind(&f.ty);
        quote! { #kind #wire #fname: #ty }
    });
    quote! {
        crate::client::handlers::call!(#call for #name #bulk #download #preview; #(#setters),*);
    }
}

fn group_item(group: &str, group_doc: &str, ops: &[&Operation], prefix: &str) -> TokenStream {
    let handler = format_ident!("{}Api", group.to_upper_camel_case());
    let accessor = ident(&group.to_snake_case());
    let hd = doc(group_doc);
    let ad = doc(&format!("The `{group}` operations. {group_doc}"));
    let fns = ops.iter().map(|op| {
        let f = ident(&op.fn_name);
        let call = call_name(op);
        let required: Vec<_> = op.fields.iter().filter(|f| f.required).collect();
        let params = required.iter().map(|f| {
            let n = ident(&f.rust_name);
            let (kind, ty) = param_kind(&f.ty);
            quote! { #kind #n: #ty }
        });
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
            crate::client::handlers::entry!(#d #deprecated #f(#(#params),*) -> #call);
        }
    });
    // The handler type, its `Clone` and `Copy`, and the accessors on both clients are the same
    // for every group: `crate::client::handlers::handler!` writes them.
    quote! {
        crate::client::handlers::handler!(#hd #handler, #accessor, #ad);

        impl<'c, C> #handler<'c, C> {
            #(#fns)*
        }
    }
}

//! Emitting: the [`crate::model`] into Rust tokens.
//!
//! Generated code leans on the hand-written runtime of `kintone-api` (`crate::runtime`,
//! `crate::wire`) instead of inlining helpers, so that what is generated stays declarative.

mod checks;
mod cli;
mod operations;
mod rules;
mod structs;
mod types;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::model::{Api, Operation, TypeRef};

pub use cli::cli_operations_file;
pub use operations::operations_file;
pub use rules::{
    derive_field_types_file, emulator_field_types_file, field_types_file, query_kinds_file,
    query_operators_file,
};
pub use types::types_file;

/// The `mod.rs` of the generated module: submodules and the constants of root extensions.
pub fn mod_file(api: &Api) -> TokenStream {
    let override_consts = api.method_override.as_ref().map(|m| {
        let header = &m.header;
        let max = proc_macro2::Literal::u64_unsuffixed(m.max_uri_bytes);
        let header_doc = doc("The header that names the real method of a request tunnelled through `POST`.");
        let max_doc = doc("The longest request URI (path and query) kintone accepts; longer requests are tunnelled.");
        quote! {
            #header_doc
            pub const METHOD_OVERRIDE_HEADER: &str = #header;
            #max_doc
            pub const MAX_URI_BYTES: usize = #max;
        }
    });
    let prefix = &api.api_prefix;
    let prefix_doc = doc(&format!(
        "The path every operation's path follows (`{prefix}/{{path}}`), from the spec's first server."
    ));
    let guest = api.guest_prefix.as_ref().map(|(before, after)| {
        let d = doc(&format!(
            "The guest-space form of the prefix: `{before}{{spaceId}}{after}`, from the spec's guest-space server."
        ));
        quote! {
            #d
            pub const GUEST_API_PREFIX: (&str, &str) = (#before, #after);
        }
    });
    let limits = api.limits.iter().map(|l| {
        let name = format_ident!("{}", l.name);
        let value = proc_macro2::Literal::usize_unsuffixed(l.value as usize);
        let d = doc(&l.doc);
        quote! { #d pub const #name: usize = #value; }
    });
    let headers = api.headers.iter().map(|h| {
        let name = format_ident!("{}", h.name);
        let value = &h.value;
        let d = doc(&h.doc);
        quote! { #d pub const #name: &str = #value; }
    });
    let codes = api.error_codes.iter().map(|c| {
        let name = format_ident!("{}", c.code);
        let value = &c.code;
        let status = c
            .status
            .map(|s| format!(" (HTTP {s})"))
            .unwrap_or_else(|| " (HTTP status not documented)".to_string());
        let d = doc(&format!("{}{status}", c.doc));
        quote! { #d pub const #name: &str = #value; }
    });
    let limits_doc = doc(
        "kintone's documented limits, named in the spec (`x-kintone-limit`, `x-kintone-limits`).",
    );
    let headers_doc = doc("Header names from the spec's security schemes and response headers.");
    let codes_doc = doc(&errors_page(api));
    let types_doc =
        doc("Types of the spec's `components/schemas` and of inline request and response bodies.");
    let operations_doc = doc("One request type per operation, and the handlers that send them.");
    let field_types_doc =
        doc("A marker per field type (`x-kintone-field-type`) and the table of them all.");
    let query_kinds_doc = doc("The query builder's kinds and the operator traits each takes (`x-kintone-query-operators`).");
    let query_operators_doc = doc("The query builder's operator traits (`rust-trait` of `x-kintone-query-operators`), with the compiler's message for a kind that does not take one.");
    quote! {
        #override_consts
        #prefix_doc
        pub const API_PREFIX: &str = #prefix;
        #guest
        #limits_doc
        pub mod limits {
            #(#limits)*
        }
        #headers_doc
        pub mod headers {
            #(#headers)*
        }
        #codes_doc
        pub mod error_codes {
            #(#codes)*
        }
        #types_doc
        pub mod types;
        #operations_doc
        pub mod operations;
        #field_types_doc
        pub mod field_types;
        #query_kinds_doc
        pub mod query_kinds;
        #query_operators_doc
        pub mod query_operators;
    }
}

/// The page of kintone's errors (the `error_codes` module's documentation): every error status
/// the spec documents, each text once, with the operations it applies to when not all do. Each
/// operation's `# Errors` section links here instead of repeating the texts.
fn errors_page(api: &Api) -> String {
    let mut texts: Vec<(&str, &str, Vec<&Operation>)> = Vec::new();
    for op in &api.operations {
        for (status, text) in &op.errors {
            match texts.iter_mut().find(|(s, t, _)| s == status && t == text) {
                Some((_, _, ops)) => ops.push(op),
                None => texts.push((status, text, vec![op])),
            }
        }
    }
    texts.sort_by(|a, b| a.0.cmp(b.0));
    let mut page = String::from(
        "kintone's errors: the error codes (`x-kintone-error-codes`), for matching \
         [`crate::ApiError::code`], and what each error status means.\n\n\
         Any status but 200 is an [`Error`](crate::Error): kintone's JSON error (its `id`, \
         `code`, `message` and field `errors`) as a [`crate::ApiError`], or, for a body that is \
         not kintone's JSON, the status and an excerpt. The statuses the spec documents:\n",
    );
    for (status, text, ops) in &texts {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        page.push_str(&format!("\n- `{status}`: {text}"));
        if ops.len() < api.operations.len() {
            // An operation behind a cargo feature is named, not linked: the page is also built
            // without the feature.
            let links: Vec<String> = ops
                .iter()
                .map(|o| match &o.cargo_feature {
                    None => format!("[`{0}`](crate::types::{0})", o.request_name),
                    Some(feature) => format!("`{}` (feature `{feature}`)", o.request_name),
                })
                .collect();
            page.push_str(&format!(" (for {})", links.join(", ")));
        }
    }
    page
}

/// An identifier, raw when it is a Rust keyword.
pub(crate) fn ident(name: &str) -> Ident {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "static", "struct", "super", "trait", "true", "type",
        "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
        "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
    ];
    if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        format_ident!("{}", name)
    }
}

/// `#[doc = ...]` lines for a block of text.
pub(crate) fn doc(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote! { #[doc = #l] }
    });
    quote! { #(#lines)* }
}

/// The Rust type of a value, without `Option`.
pub(crate) fn rust_type(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::String => quote! { String },
        TypeRef::Bool => quote! { bool },
        TypeRef::Integer => quote! { i64 },
        TypeRef::Unsigned => quote! { u64 },
        TypeRef::Number => quote! { f64 },
        TypeRef::NumericString => quote! { u64 },
        TypeRef::Decimal => quote! { crate::Decimal },
        TypeRef::Text => quote! { crate::Text },
        TypeRef::Date => quote! { crate::Date },
        TypeRef::Time => quote! { crate::Time },
        TypeRef::DateTime => quote! { crate::DateTime },
        TypeRef::FilePart => quote! { crate::FilePart },
        TypeRef::JsonObject => quote! { ::serde_json::Map<String, ::serde_json::Value> },
        TypeRef::Named(n) => {
            let n = ident(n);
            quote! { #n }
        }
        TypeRef::Vec(inner) => {
            let inner = rust_type(inner);
            quote! { Vec<#inner> }
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(inner);
            quote! { ::std::collections::BTreeMap<String, #inner> }
        }
    }
}

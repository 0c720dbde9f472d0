//! Structs with serde attributes, constructors, setters and `validate`, shared by component types
//! and operation requests.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::checks::IdChecks;
use super::{doc, ident, rust_type};
use crate::model::{Constraints, Field, Location, TypeRef};

/// What a struct is for, which decides its derives.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Read and written: a component schema or response body.
    Data,
    /// Only written: a request body's part.
    Request,
    /// An operation's request: written only, with its setters written by its call type's
    /// (`crate::runtime::call!`).
    Operation,
}

/// The field's type as stored in the struct.
pub fn field_type(f: &Field) -> TokenStream {
    let ty = rust_type(&f.ty);
    if f.required && !f.empty_is_null && !f.nullable {
        ty
    } else {
        quote! { Option<#ty> }
    }
}

fn serde_attrs(f: &Field) -> TokenStream {
    if matches!(
        f.location,
        Location::Header | Location::Multipart | Location::Path
    ) {
        return quote! { #[serde(skip)] };
    }
    let mut parts = Vec::new();
    if f.wire_name != f.rust_name {
        let w = &f.wire_name;
        parts.push(quote! { rename = #w });
    }
    let optional = !f.required;
    if f.empty_is_null {
        parts.push(quote! { default, with = "crate::wire::empty_as_none" });
    } else if f.ty == TypeRef::NumericString && f.nullable && !optional {
        parts.push(quote! { with = "crate::wire::numeric_string::option" });
    } else if f.ty == TypeRef::NumericString {
        if optional {
            parts.push(quote! { default, skip_serializing_if = "Option::is_none", with = "crate::wire::numeric_string::option" });
        } else {
            parts.push(quote! { with = "crate::wire::numeric_string" });
        }
    } else if f.number_or_string && (optional || f.nullable) {
        if optional {
            parts.push(quote! { default, skip_serializing_if = "Option::is_none" });
        }
        parts.push(quote! { deserialize_with = "crate::wire::number_or_string::option" });
    } else if f.number_or_string {
        parts.push(quote! { deserialize_with = "crate::wire::number_or_string::deserialize" });
    } else if optional {
        parts.push(quote! { default, skip_serializing_if = "Option::is_none" });
    }
    if f.number_in_body {
        if optional || f.nullable || f.empty_is_null {
            parts.push(quote! { serialize_with = "crate::wire::as_number::option::serialize" });
        } else {
            parts.push(quote! { serialize_with = "crate::wire::as_number::serialize" });
        }
    }
    if parts.is_empty() {
        quote! {}
    } else {
        quote! { #[serde(#(#parts),*)] }
    }
}

/// The parameter type a constructor or setter takes for a value of `ty`, and the expression
/// that turns the parameter `value` into the stored value (without `Some`).
pub fn param(ty: &TypeRef, value: &TokenStream) -> (TokenStream, TokenStream) {
    match ty {
        TypeRef::Vec(inner) => {
            let inner = rust_type(inner);
            (
                quote! { impl IntoIterator<Item = impl Into<#inner>> },
                quote! { #value.into_iter().map(Into::into).collect() },
            )
        }
        // Numbers are taken as they are, so that an integer literal needs no suffix.
        TypeRef::Integer
        | TypeRef::Unsigned
        | TypeRef::NumericString
        | TypeRef::Number
        | TypeRef::Bool => {
            let t = rust_type(ty);
            (quote! { #t }, quote! { #value })
        }
        other => {
            let t = rust_type(other);
            (quote! { impl Into<#t> }, quote! { #value.into() })
        }
    }
}

/// How a constructor or setter takes a value of `ty` (the kinds of `crate::wire::setter!`): a
/// list as any iterable (`each`), a number as it is (`plain`, so that a literal needs no
/// suffix), anything else as `impl Into` (`into`); and the type it is taken as.
pub fn param_kind(ty: &TypeRef) -> (TokenStream, TokenStream) {
    match ty {
        TypeRef::Vec(inner) => (quote! { each }, rust_type(inner)),
        TypeRef::Integer
        | TypeRef::Unsigned
        | TypeRef::NumericString
        | TypeRef::Number
        | TypeRef::Bool => (quote! { plain }, rust_type(ty)),
        other => (quote! { into }, rust_type(other)),
    }
}

/// The optional fields' setters, as one `crate::wire::setter!` line each (`call`: on the fluent
/// call instead of the struct).
pub fn setters(fields: &[Field]) -> TokenStream {
    let lines = fields.iter().filter(|f| !f.required).map(|f| {
        let fname = ident(&f.rust_name);
        let wire = &f.wire_name;
        let (kind, ty) = param_kind(&f.ty);
        quote! { crate::wire::setter!(#kind #wire #fname: #ty); }
    });
    quote! { #(#lines)* }
}

/// The parameter type of a required field in a constructor: a value that may be empty takes
/// `impl Into<Option<T>>`, so that both a value and `None` (clear the field) can be given.
pub fn ctor_param(f: &Field) -> TokenStream {
    if f.empty_is_null || f.nullable {
        let t = rust_type(&f.ty);
        quote! { impl Into<Option<#t>> }
    } else {
        param(&f.ty, &quote! { value }).0
    }
}

/// The struct definition and its `impl` block.
pub fn struct_item(
    name: &str,
    doc_text: &str,
    fields: &[Field],
    one_of_required: &[String],
    role: Role,
    structs: &BTreeSet<String>,
    nonzero_ids: &IdChecks,
) -> TokenStream {
    let name_ident = ident(name);
    let derives = match role {
        Role::Data => {
            quote! { #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)] }
        }
        Role::Request | Role::Operation => {
            quote! { #[derive(Debug, Clone, PartialEq, ::serde::Serialize)] }
        }
    };
    let docs = doc(doc_text);
    let defs = fields.iter().map(|f| {
        let fname = ident(&f.rust_name);
        let ty = field_type(f);
        let attrs = serde_attrs(f);
        let d = doc(&field_doc(f));
        quote! { #d #attrs pub #fname: #ty }
    });
    // `new` takes the required fields in order, each by its kind (see `setters`), and leaves
    // the optional ones unset: `crate::wire::constructor!` writes it.
    let required = fields.iter().filter(|f| f.required).map(|f| {
        let fname = ident(&f.rust_name);
        let (kind, ty) = if f.empty_is_null || f.nullable {
            let t = rust_type(&f.ty);
            (quote! { into }, quote! { Option<#t> })
        } else {
            param_kind(&f.ty)
        };
        quote! { #kind #fname: #ty }
    });
    let optional = fields
        .iter()
        .filter(|f| !f.required)
        .map(|f| ident(&f.rust_name));
    let setters = (role != Role::Operation).then(|| setters(fields));
    let checks: Vec<TokenStream> = fields
        .iter()
        .map(|f| checks(f, structs, nonzero_ids))
        .filter(|c| !c.is_empty())
        .collect();
    let one_of = if one_of_required.is_empty() {
        quote! {}
    } else {
        let names = one_of_required.iter().map(|n| {
            let f = fields.iter().find(|f| &f.rust_name == n);
            f.map(|f| f.wire_name.clone()).unwrap_or_else(|| n.clone())
        });
        let counts = one_of_required.iter().map(|n| {
            let i = ident(n);
            quote! { usize::from(self.#i.is_some()) }
        });
        quote! {
            let set = #(#counts)+*;
            if set != 1 {
                return Err(crate::LimitError::ExactlyOneOf { fields: &[#(#names),*], found: set });
            }
        }
    };
    let validate = if checks.is_empty() && one_of_required.is_empty() {
        quote! { crate::wire::no_limits!(); }
    } else {
        quote! {
            /// Checks the documented limits, so that a request that kintone would refuse is never sent.
            pub fn validate(&self) -> Result<(), crate::LimitError> {
                #(#checks)*
                #one_of
                Ok(())
            }
        }
    };
    quote! {
        #docs
        #derives
        #[non_exhaustive]
        pub struct #name_ident {
            #(#defs,)*
        }

        impl #name_ident {
            crate::wire::constructor!(#(#required),*; #(#optional),*);

            #setters

            #validate
        }
    }
}

fn field_doc(f: &Field) -> String {
    let mut text = f.doc.clone().unwrap_or_default();
    let mut limits = Vec::new();
    let c = &f.constraints;
    if let Some(n) = c.max_items {
        limits.push(format!("at most {n} items"));
    }
    if let Some(n) = c.max_length {
        limits.push(format!("at most {n} characters"));
    }
    if let (Some(lo), Some(hi)) = (c.minimum, c.maximum) {
        limits.push(format!("from {lo} to {hi}"));
    }
    if let Some(q) = &c.query_limits {
        if let Some(n) = &q.limit {
            limits.push(format!("`limit` at most {} (`{}`)", n.value, n.name));
        }
        if let Some(n) = &q.offset {
            limits.push(format!("`offset` at most {} (`{}`)", n.value, n.name));
        }
        if q.forbid_limit_offset {
            limits.push("no `limit` or `offset` clause".to_string());
        }
    }
    if !limits.is_empty() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&format!(
            "Limits, checked before sending: {}.",
            limits.join(", ")
        ));
    }
    text
}

/// The checks of one field, run on its value when it is set.
fn checks(f: &Field, structs: &BTreeSet<String>, nonzero_ids: &IdChecks) -> TokenStream {
    let fname = ident(&f.rust_name);
    let wire = &f.wire_name;
    // A required field is read in place (`self.field`); an optional one through `value`, bound
    // by `if let Some(value)` around its checks.
    let direct = f.required && !f.empty_is_null && !f.nullable;
    let (place, reference, copy) = if direct {
        (
            quote! { self.#fname },
            quote! { &self.#fname },
            quote! { self.#fname },
        )
    } else {
        (quote! { value }, quote! { value }, quote! { *value })
    };
    let Constraints {
        min_items,
        max_items,
        max_length,
        minimum,
        maximum,
        limit_name,
        query_limits,
    } = &f.constraints;
    // A named limit is written as its constant, so the check and the constant cannot drift.
    let lit = |n: usize| match limit_name {
        Some(name) => {
            let name = quote::format_ident!("{}", name);
            quote! { super::limits::#name }
        }
        None => {
            let n = proc_macro2::Literal::usize_unsuffixed(n);
            quote! { #n }
        }
    };
    let plain = |n: usize| {
        let n = proc_macro2::Literal::usize_unsuffixed(n);
        quote! { #n }
    };
    let (min_items, max_items, max_length) = (
        min_items.map(plain),
        max_items.map(lit),
        max_length.map(lit),
    );
    let mut body = Vec::new();
    if let Some(max) = max_items {
        body.push(quote! { crate::LimitError::check_max_items(#wire, #place.len(), #max)?; });
    }
    if let Some(min) = min_items {
        body.push(quote! { crate::LimitError::check_min_items(#wire, #place.len(), #min)?; });
    }
    if let Some(max) = max_length {
        // A named string type (a string id) is text behind `as_str`.
        let text = match &f.ty {
            TypeRef::Named(_) => quote! { #place.as_str() },
            _ => quote! { #reference },
        };
        body.push(quote! { crate::LimitError::check_length(#wire, #text, #max)?; });
    }
    // An unsigned value is never below 0, so a minimum of 0 checks nothing.
    let minimum = &minimum.filter(|m| !(f.ty == TypeRef::Unsigned && *m <= 0));
    if minimum.is_some() || maximum.is_some() {
        let lo = option_tokens(minimum.map(proc_macro2::Literal::i64_unsuffixed));
        let hi = match (maximum, limit_name) {
            (Some(_), Some(name)) => {
                let name = quote::format_ident!("{}", name);
                quote! { Some(super::limits::#name as i64) }
            }
            (m, _) => option_tokens(m.map(proc_macro2::Literal::i64_unsuffixed)),
        };
        let actual = if f.ty == TypeRef::Unsigned {
            quote! { i64::try_from(#copy).unwrap_or(i64::MAX) }
        } else {
            quote! { #copy }
        };
        body.push(quote! {
            crate::LimitError::check_range(#wire, #actual, #lo, #hi)?;
        });
    }
    if let Some(q) = query_limits {
        let named = |n: &Option<crate::model::NamedValue>| match n {
            Some(n) => {
                let name = quote::format_ident!("{}", n.name);
                quote! { Some(super::limits::#name as u64) }
            }
            None => quote! { None },
        };
        let (limit, offset) = (named(&q.limit), named(&q.offset));
        if q.forbid_limit_offset {
            body.push(quote! { crate::query::forbid_limit_offset(#wire, #reference)?; });
        }
        if q.limit.is_some() || q.offset.is_some() {
            body.push(quote! { crate::query::check_limits(#wire, #reference, #limit, #offset)?; });
        }
    }
    match &f.ty {
        TypeRef::Named(n) if structs.contains(n) => body.push(quote! { #place.validate()?; }),
        TypeRef::Named(n) if nonzero_ids.nonzero.contains(n) => {
            body.push(quote! { crate::LimitError::check_id(#wire, #place.get())?; })
        }
        // The sentinel (negative) passes; 0 is refused like any id's.
        TypeRef::Named(n) if nonzero_ids.sentinel.contains(n) => {
            body.push(quote! { crate::LimitError::check_id(#wire, #place.get().unsigned_abs())?; })
        }
        TypeRef::Vec(inner) => {
            if let TypeRef::Named(n) = inner.as_ref() {
                if nonzero_ids.nonzero.contains(n) {
                    body.push(quote! {
                        for item in #reference {
                            crate::LimitError::check_id(#wire, item.get())?;
                        }
                    });
                }
                if nonzero_ids.sentinel.contains(n) {
                    body.push(quote! {
                        for item in #reference {
                            crate::LimitError::check_id(#wire, item.get().unsigned_abs())?;
                        }
                    });
                }
                if structs.contains(n) {
                    body.push(quote! {
                        for item in #reference {
                            item.validate()?;
                        }
                    });
                }
            }
        }
        // Values by name (views, graphs, actions by their names): each is checked like a field.
        TypeRef::Map(inner) => {
            if let TypeRef::Named(n) = inner.as_ref() {
                if structs.contains(n) {
                    body.push(quote! {
                        for item in #place.values() {
                            item.validate()?;
                        }
                    });
                }
            }
        }
        _ => {}
    }
    if body.is_empty() {
        return quote! {};
    }
    if direct {
        quote! { #(#body)* }
    } else {
        quote! { if let Some(value) = &self.#fname { #(#body)* } }
    }
}

fn option_tokens<T: quote::ToTokens>(v: Option<T>) -> TokenStream {
    match v {
        Some(v) => quote! { Some(#v) },
        None => quote! { None },
    }
}

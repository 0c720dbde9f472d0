//! The `types.rs` file: every named type.

use std::collections::BTreeSet;

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::checks::{nonzero_ids, struct_names};
use super::structs::{ctor_param, struct_item, Role};
use super::{doc, ident, rust_type};
use crate::model::{Api, EnumDef, TypeDef, TypeRef, UnionDef};

/// Types that can only be written: unions whose tag is not on the wire (nothing tells their
/// variants apart when reading), and every type that holds one.
fn write_only(api: &Api) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = api
        .types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Union(u) if !u.tag_on_wire => Some(u.name.clone()),
            _ => None,
        })
        .collect();
    loop {
        let before = names.len();
        for t in &api.types {
            let holds = match t {
                TypeDef::Struct(s) => s.fields.iter().any(|f| mentions(&f.ty, &names)),
                TypeDef::Map { value, .. } => mentions(value, &names),
                _ => false,
            };
            if holds {
                names.insert(t.name().to_string());
            }
        }
        if names.len() == before {
            return names;
        }
    }
}

fn mentions(ty: &TypeRef, names: &BTreeSet<String>) -> bool {
    match ty {
        TypeRef::Named(n) => names.contains(n),
        TypeRef::Vec(inner) | TypeRef::Map(inner) => mentions(inner, names),
        _ => false,
    }
}

pub fn types_file(api: &Api) -> TokenStream {
    let structs = struct_names(api);
    let ids = nonzero_ids(api);
    let write_only = write_only(api);
    let items = api.types.iter().map(|t| match t {
        TypeDef::Struct(s) => struct_item(
            &s.name,
            s.doc.as_deref().unwrap_or(""),
            &s.fields,
            &s.one_of_required,
            if write_only.contains(&s.name) {
                Role::Request
            } else {
                Role::Data
            },
            &structs,
            &ids,
        ),
        TypeDef::NumericId { name, doc: d, .. } => {
            let n = ident(name);
            let d = doc(d.as_deref().unwrap_or(""));
            quote! { crate::wire::numeric_id! { #d pub struct #n; } }
        }
        TypeDef::SentinelId {
            name,
            doc: d,
            sentinel,
            sentinel_name,
            sentinel_doc,
            of,
        } => sentinel_item(
            name,
            d.as_deref().unwrap_or(""),
            *sentinel,
            sentinel_name,
            sentinel_doc,
            of,
        ),
        TypeDef::StringId { name, doc: d } => {
            let n = ident(name);
            let d = doc(d.as_deref().unwrap_or(""));
            quote! { crate::wire::string_id! { #d pub struct #n; } }
        }
        TypeDef::Map {
            name,
            doc: d,
            value,
        } => {
            let n = ident(name);
            let d = doc(d.as_deref().unwrap_or(""));
            let v = rust_type(value);
            quote! { #d pub type #n = ::std::collections::BTreeMap<String, #v>; }
        }
        TypeDef::Enum(e) => enum_item(e),
        TypeDef::Union(u) => union_item(u),
        TypeDef::Runtime { name, runtime_name } => {
            let n = ident(name);
            let r = ident(runtime_name);
            if n == r {
                quote! { pub use crate::#r; }
            } else {
                quote! { pub use crate::#r as #n; }
            }
        }
    });
    quote! {
        #(#items)*
    }
}

/// A numeric id that also takes a sentinel: an `i64` sent as a JSON string, built from the id
/// type (`From<u64>`, `From<Of>`) or the sentinel constant, read from a string or a number.
fn sentinel_item(
    name: &str,
    doc_text: &str,
    sentinel: i64,
    sentinel_name: &str,
    sentinel_doc: &str,
    of: &str,
) -> TokenStream {
    let n = ident(name);
    let d = doc(doc_text);
    let c = ident(sentinel_name);
    let cd = doc(&format!("`{sentinel}`: {sentinel_doc}"));
    let of = ident(of);
    let expecting = format!("a positive integer or {sentinel}, as a string or a number");
    quote! {
        #d
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct #n(i64);

        impl #n {
            #cd
            pub const #c: Self = Self(#sentinel);

            /// The number as kintone reads it.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl From<u64> for #n {
            fn from(value: u64) -> Self {
                // Ids stay far below `i64::MAX`; a larger one is refused by kintone, not here.
                Self(i64::try_from(value).unwrap_or(i64::MAX))
            }
        }

        impl From<#of> for #n {
            fn from(value: #of) -> Self {
                Self::from(value.get())
            }
        }

        impl ::std::fmt::Display for #n {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::serde::Serialize for #n {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(&self.0)
            }
        }

        impl crate::wire::AsJsonNumber for #n {
            fn serialize_number<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #n {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(::serde::Deserialize)]
                #[serde(untagged)]
                enum Wire<'a> {
                    Number(i64),
                    Text(::std::borrow::Cow<'a, str>),
                }
                let value = match Wire::deserialize(deserializer)? {
                    Wire::Number(n) => n,
                    Wire::Text(text) => text
                        .parse()
                        .map_err(|_| ::serde::de::Error::custom(#expecting))?,
                };
                if value == #sentinel || value >= 0 {
                    Ok(Self(value))
                } else {
                    Err(::serde::de::Error::custom(#expecting))
                }
            }
        }
    }
}

fn enum_item(e: &EnumDef) -> TokenStream {
    let name = ident(&e.name);
    let d = doc(e.doc.as_deref().unwrap_or(""));
    let variants = e.variants.iter().map(|(wire, rust)| {
        let v = ident(rust);
        quote! { #v = #wire }
    });
    // The derives, the `Unknown` variant, `as_str` and `Display` are the same for every enum:
    // they are written once, in `crate::wire::string_enum`.
    quote! {
        crate::wire::string_enum! {
            #d
            pub enum #name { #(#variants),* }
        }
    }
}

fn union_item(u: &UnionDef) -> TokenStream {
    let name = ident(&u.name);
    let d = doc(u.doc.as_deref().unwrap_or(""));
    let tag_prop = &u.tag_property;
    let variants = u.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let schema = ident(&v.schema);
        let vd = doc(&format!("`{}`", v.tag));
        quote! { #vd #vn(#schema) }
    });
    let tag_arms = u.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let tag = &v.tag;
        quote! { Self::#vn(_) => #tag }
    });
    if !u.tag_on_wire {
        let ser_arms = u.variants.iter().map(|v| {
            let vn = ident(&v.rust_name);
            quote! { Self::#vn(value) => ::serde::Serialize::serialize(value, serializer) }
        });
        let ctors = u.variants.iter().filter_map(|v| {
            let value_field = v.value.as_ref()?;
            let vn = ident(&v.rust_name);
            let schema = ident(&v.schema);
            let f = ident(&v.rust_name.to_snake_case());
            let ty = ctor_param(value_field);
            let cd = doc(&format!("A `{}` value.", v.tag));
            Some(quote! {
                #cd
                pub fn #f(value: #ty) -> Self {
                    Self::#vn(#schema::new(value))
                }
            })
        });
        return quote! {
            #d
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants,)*
            }

            impl #name {
                #(#ctors)*

                /// The field type this value is meant for.
                pub fn field_type(&self) -> &'static str {
                    match self {
                        #(#tag_arms,)*
                    }
                }
            }

            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#ser_arms,)*
                    }
                }
            }
        };
    }
    let ser_arms = u.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let tag = &v.tag;
        quote! { Self::#vn(value) => crate::wire::serialize_tagged(#tag_prop, #tag, value, serializer) }
    });
    // The tags are named once, in the tag enum's `of`: the serde path and the client's own
    // readers of a page both match on its variants.
    let tag_enum = format_ident!("{}Tag", name);
    let tag_enum_doc = doc(&format!(
        "The variants of [`{name}`] this version knows, by their `{tag_prop}` tag."
    ));
    let tag_names = u.variants.iter().map(|v| ident(&v.rust_name));
    let of_arms = u.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        let tag = &v.tag;
        quote! { #tag => Some(Self::#vn) }
    });
    let de_arms = u.variants.iter().map(|v| {
        let vn = ident(&v.rust_name);
        quote! { Some(#tag_enum::#vn) => body.read().map(Self::#vn) }
    });
    quote! {
        #d
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants,)*
            /// A type this version does not know yet, with its JSON kept as it came.
            Unknown(::serde_json::Value),
        }

        impl #name {
            /// The type tag, as kintone writes it.
            pub fn field_type(&self) -> &str {
                match self {
                    #(#tag_arms,)*
                    Self::Unknown(value) => value.get(#tag_prop).and_then(::serde_json::Value::as_str).unwrap_or_default(),
                }
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#ser_arms,)*
                    Self::Unknown(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl crate::wire::TaggedUnion for #name {
            const TAG_PROPERTY: &'static str = #tag_prop;

            fn read_variant<'de, B: crate::wire::VariantBody<'de>>(tag: Option<&str>, body: B) -> Result<Self, B::Error> {
                match tag.and_then(#tag_enum::of) {
                    #(#de_arms,)*
                    None => body.raw().map(Self::Unknown),
                }
            }
        }

        #tag_enum_doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum #tag_enum {
            #(#tag_names,)*
        }

        impl #tag_enum {
            /// The variant that `tag` names, or `None` for a tag this version does not know.
            pub(crate) fn of(tag: &str) -> Option<Self> {
                match tag {
                    #(#of_arms,)*
                    _ => None,
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::wire::deserialize_tagged(deserializer)
            }
        }
    }
}

//! `#[derive(KintoneRecord)]`, re-exported by `kintone-api` as `kintone_api::KintoneRecord`;
//! the crate `kintone_api::typed` documents what it does.

use heck::ToShoutySnakeCase;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, LitStr};

mod field_types;

use field_types::{FIELD_TYPES, TEXT_VALUE_TYPES};

/// Form elements that records never carry.
const NOT_IN_RECORDS: &[&str] = &["REFERENCE_TABLE", "GROUP", "LABEL", "SPACER", "HR"];

/// Implements `kintone_api::KintoneRecord` for a struct with named fields, and gives it a
/// typed query constant per field (`Self::FIELD_NAME`).
///
/// Field attributes, `#[kintone(…)]`: `code = "…"` (the field code; the Rust name unless
/// given), `type = "…"` (kintone's field type, such as `"MULTI_LINE_TEXT"`; the Rust type's
/// default unless given; required for `Option<String>`, which holds text and choice fields
/// alike), `read_only` (read, never written). Struct attributes:
/// `#[kintone(deny_unknown_fields)]` (a field the struct does not declare is an error) and
/// `#[kintone(table)]` (the struct is a table's row: it may go in `Vec<Row<T>>`, and its query
/// constants offer what kintone takes on a table's fields, `in` rather than `=`).
#[proc_macro_derive(KintoneRecord, attributes(kintone))]
pub fn derive_kintone_record(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = syn::parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

struct FieldSpec {
    ident: syn::Ident,
    ty: syn::Type,
    code: String,
    marker: TokenStream,
    read_only: bool,
    span: Span,
    /// The row struct of a table (`Vec<Row<T>>`), which must be `#[kintone(table)]`.
    table_row: Option<syn::Type>,
    /// No field type is named: the Rust type's default decides.
    by_default: bool,
}

/// The generic argument of a type written `Wrapper<Arg>` (any path ending in `Wrapper`).
fn single_argument<'t>(ty: &'t syn::Type, wrapper: &str) -> Option<&'t syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// Whether a type is written as the path `name` (or a path ending in it) without arguments.
fn is_plain(ty: &syn::Type, name: &str) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name && s.arguments.is_empty()))
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let name = &input.ident;
    let vis = &input.vis;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "KintoneRecord: a record struct cannot be generic",
        ));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            "KintoneRecord: only a struct with named fields can be a record",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new(
            data.fields.span(),
            "KintoneRecord: only a struct with named fields can be a record",
        ));
    };

    let mut deny_unknown = false;
    let mut table = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("kintone")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("deny_unknown_fields") {
                deny_unknown = true;
                Ok(())
            } else if meta.path.is_ident("table") {
                table = true;
                Ok(())
            } else {
                Err(meta.error(
                    "KintoneRecord: the struct takes `deny_unknown_fields` and `table` only",
                ))
            }
        })?;
    }

    let mut fields = Vec::new();
    for field in &named.named {
        fields.push(field_spec(field)?);
    }
    for (i, a) in fields.iter().enumerate() {
        if let Some(b) = fields[..i].iter().find(|b| b.code == a.code) {
            return Err(syn::Error::new(
                a.span,
                format!(
                    "KintoneRecord: the field code {:?} is also the code of `{}`",
                    a.code, b.ident
                ),
            ));
        }
    }

    let krate = quote!(::kintone_api);
    let codes = fields.iter().map(|f| &f.code);
    let slots: Vec<_> = (0..fields.len())
        .map(|i| format_ident!("__kintone_field_{}", i))
        .collect();
    let arms = fields.iter().zip(&slots).map(|(f, slot)| {
        let code = &f.code;
        quote!(#code => #slot = ::core::option::Option::Some(value),)
    });
    let fallback = if deny_unknown {
        quote!(_ => return ::core::result::Result::Err(#krate::typed::DecodeError::unknown(&code)),)
    } else {
        quote!(_ => {})
    };
    let codecs: Vec<_> = (0..fields.len())
        .map(|i| format_ident!("__KINTONE_CODEC_{}", i))
        .collect();
    // One codec per field, made where the field is declared: a Rust type that cannot hold the
    // field's type is one error there, not one per read and write.
    let codec_items = fields.iter().zip(&codecs).map(|(f, codec)| {
        let FieldSpec {
            ty,
            marker,
            by_default,
            ..
        } = f;
        // Every token spanned at the Rust type, the crate path too: an error is then reported
        // there, once.
        let krate = quote_spanned!(ty.span()=> ::kintone_api);
        let value = if *by_default {
            quote_spanned!(ty.span()=> <#ty as #krate::typed::DefaultFieldType>::CODEC)
        } else {
            quote_spanned!(ty.span()=> #krate::typed::codec::<#marker, #ty>())
        };
        quote_spanned! {ty.span()=>
            #[doc(hidden)]
            #[allow(dead_code)]
            const #codec: #krate::typed::Codec<#ty> = #value;
        }
    });
    let reads = fields
        .iter()
        .zip(&slots)
        .zip(&codecs)
        .map(|((f, slot), codec)| {
            let FieldSpec {
                ident, ty, code, ..
            } = f;
            let rust_type = quote!(#ty).to_string().replace(' ', "");
            quote! {
                #ident: Self::#codec.decode(#code, #rust_type, #slot)?,
            }
        });
    let writes = fields
        .iter()
        .zip(&codecs)
        .filter(|(f, _)| !f.read_only)
        .map(|(f, codec)| {
            let FieldSpec { ident, code, .. } = f;
            quote! {
                Self::#codec.encode(&mut record, #code, &self.#ident);
            }
        });
    let row_checks = fields
        .iter()
        .filter_map(|f| f.table_row.as_ref())
        .map(|row| {
            quote_spanned! {row.span()=>
                const _: () = #krate::typed::assert_table_row::<#row>();
            }
        });
    let constants = fields.iter().map(|f| {
        let FieldSpec {
            ident,
            code,
            marker,
            ..
        } = f;
        let constant = format_ident!(
            "{}",
            ident
                .to_string()
                .trim_start_matches("r#")
                .to_shouty_snake_case(),
            span = ident.span()
        );
        // Spanned at the Rust type, as everything the field type decides: an error is then
        // reported once, there.
        let doc = LitStr::new(&format!("The field `{code}`, for queries."), f.ty.span());
        let krate = quote_spanned!(f.ty.span()=> ::kintone_api);
        let kind = if table {
            quote_spanned! {f.ty.span()=> #krate::query::kind::InTable<<#marker as #krate::typed::FieldType>::Query> }
        } else {
            quote_spanned! {f.ty.span()=> <#marker as #krate::typed::FieldType>::Query }
        };
        quote_spanned! {f.ty.span()=>
            #[doc = #doc]
            #[allow(dead_code)]
            #vis const #constant: #krate::query::Field<#kind> = #krate::query::Field::of(#code);
        }
    });

    let table_row = table.then(|| {
        quote! { impl #krate::typed::TableRow for #name {} }
    });
    Ok(quote! {
        #table_row
        #(#row_checks)*
        impl #krate::typed::KintoneRecord for #name {
            const FIELD_CODES: &'static [&'static str] = &[#(#codes),*];
            const DENIES_UNKNOWN_FIELDS: bool = #deny_unknown;

            fn from_record(
                record: #krate::Record,
            ) -> ::core::result::Result<Self, #krate::typed::DecodeError> {
                #(
                    let mut #slots: ::core::option::Option<#krate::FieldValue> =
                        ::core::option::Option::None;
                )*
                for (code, value) in record {
                    match code.as_str() {
                        #(#arms)*
                        #fallback
                    }
                }
                ::core::result::Result::Ok(Self { #(#reads)* })
            }

            fn to_record_input(&self) -> #krate::RecordInput {
                #[allow(unused_mut)]
                let mut record = #krate::RecordInput::new();
                #(#writes)*
                record
            }
        }

        impl #name {
            #(#constants)*
            #(#codec_items)*
        }

        impl ::core::convert::From<#name> for #krate::RecordInput {
            fn from(record: #name) -> Self {
                #krate::typed::KintoneRecord::to_record_input(&record)
            }
        }

        impl ::core::convert::From<&#name> for #krate::RecordInput {
            fn from(record: &#name) -> Self {
                #krate::typed::KintoneRecord::to_record_input(record)
            }
        }
    })
}

fn field_spec(field: &syn::Field) -> syn::Result<FieldSpec> {
    let ident = field.ident.clone().expect("named fields have names");
    let ty = field.ty.clone();
    let mut code = None;
    let mut field_type: Option<LitStr> = None;
    let mut read_only = false;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("kintone")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("code") {
                let lit: LitStr = meta.value()?.parse()?;
                if lit.value().is_empty() {
                    return Err(syn::Error::new(
                        lit.span(),
                        "KintoneRecord: an empty field code",
                    ));
                }
                code = Some(lit.value());
                Ok(())
            } else if meta.path.is_ident("type") {
                field_type = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("read_only") {
                read_only = true;
                Ok(())
            } else {
                Err(meta.error(
                    "KintoneRecord: a field takes `code = \"…\"`, `type = \"…\"` and `read_only`",
                ))
            }
        })?;
    }
    let krate = quote_spanned!(ty.span()=> ::kintone_api);
    let table_row = single_argument(&ty, "Vec")
        .and_then(|row| single_argument(row, "Row"))
        .cloned();
    let marker = match &field_type {
        Some(lit) => {
            let name = lit.value();
            match FIELD_TYPES.iter().find(|(tag, _)| *tag == name) {
                Some((_, marker)) => {
                    // Spanned at the Rust type: a type that cannot hold it is reported there.
                    let marker = format_ident!("{}", marker, span = ty.span());
                    quote_spanned!(ty.span()=> #krate::typed::field_types::#marker)
                }
                None if NOT_IN_RECORDS.contains(&name.as_str()) => {
                    return Err(syn::Error::new(
                        lit.span(),
                        format!(
                            "KintoneRecord: {name} is a form element that records do not carry"
                        ),
                    ))
                }
                None => {
                    let known: Vec<&str> = FIELD_TYPES.iter().map(|(tag, _)| *tag).collect();
                    return Err(syn::Error::new(
                        lit.span(),
                        format!(
                            "KintoneRecord: unsupported field type {name:?}; kintone's record field types are {}",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        // A table's type is known from `Row`, so that the row struct alone is checked.
        None if table_row.is_some() => {
            quote_spanned!(ty.span()=> #krate::typed::field_types::Subtable)
        }
        None if single_argument(&ty, "Option").is_some_and(|inner| is_plain(inner, "String")) => {
            return Err(syn::Error::new(
                ty.span(),
                format!(
                    "KintoneRecord: `Option<String>` holds text fields and choice fields alike; name the field's type, such as #[kintone(code = \"{}\", type = \"SINGLE_LINE_TEXT\")]; kintone's types that `Option<String>` holds are {}",
                    code.clone().unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_string()),
                    TEXT_VALUE_TYPES.join(", ")
                ),
            ));
        }
        None => quote_spanned!(ty.span()=> <#ty as #krate::typed::DefaultFieldType>::Type),
    };
    let code = code.unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_string());
    Ok(FieldSpec {
        span: field.span(),
        ident,
        ty,
        code,
        marker,
        read_only,
        by_default: field_type.is_none() && table_row.is_none(),
        table_row,
    })
}

#[cfg(test)]
mod tests {
    use super::field_types::{FIELD_TYPES, TEXT_VALUE_TYPES};

    /// The derive's tables are the spec's: the types `#[kintone(type = …)]` takes, and the ones
    /// `Option<String>` must choose from (`text-value`).
    #[test]
    fn the_derives_field_types_are_the_specs() {
        let spec = &kintone_spec::bundled().field_types;
        let names: Vec<&str> = spec.iter().map(|t| t.name.as_str()).collect();
        let derive: Vec<&str> = FIELD_TYPES.iter().map(|(name, _)| *name).collect();
        assert_eq!(derive, names);
        let text: Vec<&str> = spec
            .iter()
            .filter(|t| t.text_value)
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(TEXT_VALUE_TYPES, text.as_slice());
        assert!(TEXT_VALUE_TYPES.contains(&"SINGLE_LINE_TEXT"));
        assert!(!TEXT_VALUE_TYPES.contains(&"NUMBER"));
    }
}

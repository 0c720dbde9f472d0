//! kintone's rule tables as Rust: a marker type per field type (its name, whether kintone
//! computes it, its query kind, whether `Option<String>` holds its value), the table of field
//! types, the query builder's operator traits, and the query kinds with the operator traits
//! each one takes (and `Sortable` for the kinds `order by` takes), all from the spec's
//! `x-kintone-field-type` and `x-kintone-query-operators`.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::doc;
use crate::model::{Api, FieldTypeRule, QueryOperator};

/// `field_types.rs`: the marker of each field type and the table of them all, one line each
/// through the runtime's `typed::field_type_markers!`.
pub fn field_types_file(api: &Api) -> TokenStream {
    let rows = api.field_types.iter().map(|t| {
        let marker = format_ident!("{}", t.rust_name);
        let name = &t.name;
        let computed = t.computed;
        let text_value = t.text_value;
        let query = format_ident!("{}", t.query_kind.as_deref().unwrap_or("NotQueryable"));
        let summary = if t.doc.is_empty() {
            format!("`{name}`.")
        } else {
            t.doc.clone()
        };
        let d = doc(&summary);
        quote! {
            #d
            #marker = #name, #computed, #query, #text_value;
        }
    });
    quote! {
        crate::typed::field_type_markers! {
            #(#rows)*
        }
    }
}

/// `query_kinds.rs`: a marker per query kind and the operator traits it implements; a table's
/// field of a kind takes the traits whose operators kintone allows in tables. One line each,
/// through the runtime's `query::query_kinds!`.
pub fn query_kinds_file(api: &Api) -> TokenStream {
    let kinds = query_kinds(api);
    let items = kinds.iter().map(|(kind, types)| {
        let marker = format_ident!("{kind}");
        let names: Vec<String> = types.iter().map(|t| t.name.clone()).collect();
        let operators = &types[0].operators;
        // The operators follow in the macro's row, and the kind's page lists them.
        let sorted = if types[0].sortable {
            "; `order by` takes them"
        } else {
            ""
        };
        let d = doc(&format!("Fields of type {}{sorted}.", names.join(", ")));
        let mut traits: Vec<&str> = api
            .query_operators
            .iter()
            .filter(|o| operators.contains(&o.operator))
            .map(|o| o.rust_trait.as_str())
            .collect();
        traits.dedup();
        // The spec's rules make the types of a kind agree on `sortable`.
        if types[0].sortable {
            traits.push("Sortable");
        }
        let traits = traits.iter().map(|t| format_ident!("{t}"));
        quote! {
            #d
            #marker: [#(#traits),*] [#(#operators),*];
        }
    });
    let mut table_traits: Vec<&str> = api
        .query_operators
        .iter()
        .filter(|o| o.in_table)
        .map(|o| o.rust_trait.as_str())
        .collect();
    table_traits.dedup();
    let table_traits = table_traits.iter().map(|t| format_ident!("{t}"));
    quote! {
        crate::query::query_kinds! {
            in_table: [#(#table_traits),*];
            #(#items)*
        }
    }
}

/// The derive's table: each field type's name and the name of its marker in
/// `kintone_api::typed::field_types`, so that `#[kintone(type = "…")]` is checked when the
/// derive runs, with the spec's list of types in its message.
pub fn derive_field_types_file(api: &Api) -> TokenStream {
    let rows = api.field_types.iter().map(|t| {
        let name = &t.name;
        let marker = &t.rust_name;
        quote! { (#name, #marker) }
    });
    let d = doc("kintone's field types that records carry, with the marker of each in `kintone_api::typed::field_types`.");
    let text: Vec<&str> = api
        .field_types
        .iter()
        .filter(|t| t.text_value)
        .map(|t| t.name.as_str())
        .collect();
    let text_doc = doc("The field types whose value is text (`text-value`), which `Option<String>` holds alike, so that a field of that Rust type must name its type.");
    quote! {
        #d
        pub(crate) const FIELD_TYPES: &[(&str, &str)] = &[#(#rows),*];
        #text_doc
        pub(crate) const TEXT_VALUE_TYPES: &[&str] = &[#(#text),*];
    }
}

/// The emulator's `FieldType`: one variant per type a form field can have, named by the spec's
/// `x-kintone-field-type` options, with kintone's name of each and whether kintone computes its
/// value. `__ID__` and `__REVISION__` are left out: kintone names a record's own id and
/// revision with double underscores, and no form field has those types.
pub fn emulator_field_types_file(api: &Api) -> TokenStream {
    let form_types: Vec<&FieldTypeRule> = api
        .field_types
        .iter()
        .filter(|t| !t.name.starts_with("__"))
        .collect();
    let variants = form_types.iter().map(|t| {
        let variant = format_ident!("{}", t.rust_name);
        let name = &t.name;
        let d = doc(&if t.doc.is_empty() {
            format!("`{name}`.")
        } else {
            t.doc.clone()
        });
        quote! {
            #d
            #[serde(rename = #name)]
            #variant
        }
    });
    let all = form_types.iter().map(|t| format_ident!("{}", t.rust_name));
    let count = proc_macro2::Literal::usize_unsuffixed(form_types.len());
    let computed = form_types.iter().map(|t| {
        let variant = format_ident!("{}", t.rust_name);
        let computed = t.computed;
        quote! { FieldType::#variant => #computed }
    });
    let names = form_types.iter().map(|t| {
        let variant = format_ident!("{}", t.rust_name);
        let name = &t.name;
        quote! { FieldType::#variant => #name }
    });
    quote! {
        use serde::Deserialize;

        /// A form field's type, as kintone names it: every field type of the spec
        /// (`x-kintone-field-type`) except the record's own `__ID__` and `__REVISION__`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
        pub enum FieldType {
            #(#variants),*
        }

        impl FieldType {
            /// Every field type, in the order the spec lists them.
            pub const ALL: [FieldType; #count] = [#(FieldType::#all),*];

            /// Whether kintone computes the value (the spec's `computed`): it cannot be
            /// written, or only when adding.
            pub fn is_system(self) -> bool {
                match self {
                    #(#computed),*
                }
            }

            /// kintone's name of the type (`SINGLE_LINE_TEXT`).
            pub fn name(self) -> &'static str {
                match self {
                    #(#names),*
                }
            }
        }
    }
}

/// `query_operators.rs`: the query builder's operator traits (`rust-trait` of
/// `x-kintone-query-operators`), each with the compiler's message for a kind that does not take
/// it, naming the field types that do, so that the message says what the spec says.
pub fn query_operators_file(api: &Api) -> TokenStream {
    let mut traits: Vec<(&str, Vec<&QueryOperator>)> = Vec::new();
    for op in &api.query_operators {
        match traits.iter_mut().find(|(t, _)| *t == op.rust_trait) {
            Some((_, ops)) => ops.push(op),
            None => traits.push((&op.rust_trait, vec![op])),
        }
    }
    let items = traits.iter().map(|(name, ops)| {
        let written: Vec<String> = ops.iter().map(|o| format!("`{}`", o.operator)).collect();
        let types: Vec<&str> = api
            .field_types
            .iter()
            .filter(|t| ops.iter().any(|o| t.operators.contains(&o.operator)))
            .map(|t| t.name.as_str())
            .collect();
        let mut taken_by = format!(
            "kintone allows {} on fields of type {}",
            listed(&written, "and"),
            types.join(", ")
        );
        if ops.iter().all(|o| !o.in_table) {
            taken_by.push_str(", and on no field in a table");
        }
        let instead = instead_note(api, ops);
        let message = format!(
            "kintone does not allow {} on a field of the kind `{{Self}}`",
            listed(&written, "or")
        );
        let label = format!("kintone refuses {} here", written[0]);
        let pages = "each kind's page in `kintone_api::query::kind` lists its field types and operators, as the spec states them";
        let operators: Vec<String> = ops
            .iter()
            .map(|o| format!("- `{}`: {}", o.operator, o.doc))
            .collect();
        let d = doc(&format!(
            "The kinds whose fields take {}.\n\n{}",
            listed(&written, "and"),
            operators.join("\n")
        ));
        let name = format_ident!("{name}");
        quote! {
            #d
            #[diagnostic::on_unimplemented(
                message = #message,
                label = #label,
                note = #taken_by,
                note = #instead,
                note = #pages
            )]
            pub trait #name: crate::query::Compared {}
        }
    });
    quote! { #(#items)* }
}

/// What the kinds that refuse a trait's operators take in their place, kind by kind, and what a
/// field in a table takes when the trait's operators are barred there: the compiler's message is
/// the same for every kind, so the user finds theirs in the list.
fn instead_note(api: &Api, ops: &[&QueryOperator]) -> String {
    // The spec's rules make the types of a kind agree on their operators.
    let kinds = query_kinds(api)
        .into_iter()
        .map(|(kind, types)| (kind, types[0].operators.as_slice()));
    let quoted = |operators: &mut dyn Iterator<Item = &String>| -> String {
        let written: Vec<String> = operators.map(|o| format!("`{o}`")).collect();
        listed(&written, "and")
    };
    // Kinds that take the same operators share one entry.
    let mut takers: Vec<(&[String], Vec<String>)> = Vec::new();
    for (kind, operators) in kinds {
        if ops.iter().any(|o| operators.contains(&o.operator)) {
            continue;
        }
        match takers.iter_mut().find(|(taken, _)| *taken == operators) {
            Some((_, names)) => names.push(format!("`{kind}`")),
            None => takers.push((operators, vec![format!("`{kind}`")])),
        }
    }
    let mut parts: Vec<String> = takers
        .iter()
        .map(|(operators, names)| {
            let verb = if names.len() == 1 { "takes" } else { "take" };
            format!(
                "{} {verb} {}",
                listed(names, "and"),
                quoted(&mut operators.iter())
            )
        })
        .collect();
    if ops.iter().all(|o| !o.in_table) {
        let in_table: Vec<String> = api
            .query_operators
            .iter()
            .filter(|o| o.in_table)
            .map(|o| o.operator.clone())
            .collect();
        parts.push(format!(
            "a field in a table takes {} (as its kind allows)",
            quoted(&mut in_table.iter())
        ));
    }
    format!("instead, {}", parts.join("; "))
}

/// The field types of each query kind, by the kind's name.
fn query_kinds(api: &Api) -> BTreeMap<&str, Vec<&FieldTypeRule>> {
    let mut kinds: BTreeMap<&str, Vec<&FieldTypeRule>> = BTreeMap::new();
    for t in &api.field_types {
        if let Some(kind) = &t.query_kind {
            kinds.entry(kind).or_default().push(t);
        }
    }
    kinds
}

/// `a`, `a and b`, `a, b and c` (with `or` in place of `and` when asked).
fn listed(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., end] => format!("{} {last} {end}", rest.join(", ")),
    }
}

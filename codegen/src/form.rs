//! An app's form (`GET /k/v1/app/form/fields.json`) in, a Rust module of
//! `#[derive(KintoneRecord)]` structs out: one for the app's records and one per table, field
//! codes mapped to snake-case names, each field documented with its label, type, flags and
//! options. A pure function: the same form gives byte-identical output, whatever the order of
//! the form's JSON.
//!
//! Fields that can be empty in a record (numbers, dates, times, drop-downs, radio buttons) are
//! `Option`s even when required: records saved before a field became required stay empty.
//! Fields kintone computes (record number, creator, times, status, calculated fields) are
//! `Option`s too, so that a record built to be added can leave them `None`; they are read and
//! never written.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde::Deserialize;
use serde_json::Value;

/// Why a form could not be turned into a module.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("the form is not JSON of app/form/fields.json's shape")]
    Json(#[from] serde_json::Error),
    #[error("the field {code:?} has the type {field_type:?}, which this generator does not know")]
    UnknownType { code: String, field_type: String },
    #[error("{0:?} is not a Rust type name")]
    StructName(String),
    #[error("--rename {code}={name}: {reason}")]
    Rename {
        code: String,
        name: String,
        reason: &'static str,
    },
    #[error("generated code does not parse: {0}")]
    Render(String),
}

/// How to name and describe the generated module.
#[derive(Debug, Clone, Default)]
pub struct FormOptions {
    /// The name of the app's record struct (`Order`).
    pub struct_name: String,
    /// Where the form came from, for the module's documentation (`app 12`, `form.json`).
    pub source: String,
    /// Rust names chosen by hand, by field code: for codes that do not map to a Rust name
    /// (`顧客名`), or to pick another.
    pub renames: BTreeMap<String, String>,
}

/// `app/form/fields.json`'s answer, or its `properties` alone.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FormJson {
    Answer {
        properties: BTreeMap<String, Property>,
        #[serde(default)]
        revision: Option<Value>,
    },
    Properties(BTreeMap<String, Property>),
}

/// One field property; only what the module needs is read.
#[derive(Debug, Deserialize)]
struct Property {
    #[serde(rename = "type")]
    field_type: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    unique: bool,
    #[serde(default)]
    options: BTreeMap<String, OptionProperty>,
    #[serde(default)]
    fields: BTreeMap<String, Property>,
    #[serde(default)]
    protocol: Option<String>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    expression: Option<String>,
    #[serde(default)]
    lookup: Option<Lookup>,
    /// `false` for process management or categories that are turned off.
    #[serde(default)]
    enabled: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct OptionProperty {
    label: String,
    /// A string of digits in kintone's answers; a number is taken too.
    #[serde(default)]
    index: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Lookup {
    #[serde(rename = "relatedApp", default)]
    related_app: Option<RelatedApp>,
    #[serde(rename = "relatedKeyField", default)]
    related_key_field: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RelatedApp {
    #[serde(default)]
    app: Option<Value>,
}

/// Form elements that records never carry.
const NOT_IN_RECORDS: &[&str] = &["REFERENCE_TABLE", "GROUP", "LABEL", "SPACER", "HR"];

/// The Rust type of a field, as the spec's table of field types gives it (`rust-type`, or the
/// one for the field's `format`), and the names it needs imported from `kintone_api`; `None`
/// for a type the spec does not know or gives no Rust type (a table, whose rows are a struct of
/// their own).
fn rust_type(property: &Property) -> Option<(TokenStream, Vec<String>)> {
    let rule = kintone_spec::bundled().field_type(&property.field_type)?;
    let written = property
        .format
        .as_deref()
        .and_then(|format| {
            rule.rust_type_by_format
                .iter()
                .find(|(by, _)| by == format)
                .map(|(_, ty)| ty)
        })
        .or(rule.rust_type.as_ref())?;
    let ty: syn::Type = syn::parse_str(written).ok()?;
    // The prelude's types need no import; every other name is one of `kintone_api`'s.
    let imports = written
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|name| !name.is_empty() && !matches!(*name, "Option" | "Vec" | "String"))
        .map(str::to_string)
        .collect();
    Some((quote!(#ty), imports))
}

/// A struct to write: the app's or a table's.
struct StructPlan {
    name: String,
    doc: Vec<String>,
    fields: Vec<FieldPlan>,
    /// A table's row (`#[kintone(table)]`).
    table: bool,
}

struct FieldPlan {
    ident: String,
    code: String,
    field_type: String,
    ty: TokenStream,
    doc: Vec<String>,
}

/// Generates the module for a form (`app/form/fields.json`'s answer, or its `properties`).
pub fn generate_form(json: &str, options: &FormOptions) -> Result<String, FormError> {
    let (properties, revision) = match serde_json::from_str::<FormJson>(json)? {
        FormJson::Answer {
            properties,
            revision,
        } => (properties, revision),
        FormJson::Properties(properties) => (properties, None),
    };
    if syn::parse_str::<syn::Ident>(&options.struct_name).is_err()
        || !options.struct_name.is_ascii()
    {
        return Err(FormError::StructName(options.struct_name.clone()));
    }
    for (code, name) in &options.renames {
        if !is_rust_name(name) {
            return Err(FormError::Rename {
                code: code.clone(),
                name: name.clone(),
                reason: "not a snake-case Rust name",
            });
        }
    }

    let mut imports = BTreeSet::from(["KintoneRecord".to_string()]);
    let mut structs = Vec::new();
    let mut skipped = Vec::new();
    let mut app = StructPlan {
        name: options.struct_name.clone(),
        doc: vec![format!("A record of {}.", options.source)],
        fields: Vec::new(),
        table: false,
    };
    // Every record has these two; the form does not list them.
    let id = Property::builtin("__ID__", "$id", "Record ID");
    let revision_field = Property::builtin("__REVISION__", "$revision", "Revision");
    let mut names = Names::new(&options.renames);
    for (code, property) in [("$id", &id), ("$revision", &revision_field)] {
        let (ty, uses) = rust_type(property).expect("built-in types are known");
        imports.extend(uses);
        app.fields
            .push(field_plan(code, property, ty, names.name(code)));
    }
    let mut used_struct_names = BTreeSet::from([options.struct_name.clone()]);
    for (key, property) in &properties {
        let code = property.code.as_deref().unwrap_or(key);
        if NOT_IN_RECORDS.contains(&property.field_type.as_str()) {
            skipped.push(format!(
                "`{code}` ({}): a form element records do not carry",
                property.field_type
            ));
            continue;
        }
        if property.enabled == Some(false) {
            skipped.push(format!(
                "`{code}` ({}): turned off in the app",
                property.field_type
            ));
            continue;
        }
        if property.field_type == "SUBTABLE" {
            let row_name = unique_type_name(
                &format!(
                    "{}Row",
                    rust_type_name(code).unwrap_or_else(|| "Table".into())
                ),
                &mut used_struct_names,
            );
            let mut row = StructPlan {
                name: row_name.clone(),
                doc: vec![format!(
                    "A row of the table `{code}`{} of {}.",
                    label_suffix(property),
                    options.source
                )],
                fields: Vec::new(),
                table: true,
            };
            let mut row_names = Names::new(&options.renames);
            for (inner_key, inner) in &property.fields {
                let inner_code = inner.code.as_deref().unwrap_or(inner_key);
                let (ty, uses) = rust_type(inner).ok_or_else(|| FormError::UnknownType {
                    code: inner_code.to_string(),
                    field_type: inner.field_type.clone(),
                })?;
                imports.extend(uses);
                row.fields.push(field_plan(
                    inner_code,
                    inner,
                    ty,
                    row_names.name(inner_code),
                ));
            }
            let row_ident = format_ident!("{}", row_name);
            imports.insert("Row".to_string());
            app.fields.push(field_plan(
                code,
                property,
                quote!(Vec<Row<#row_ident>>),
                names.name(code),
            ));
            structs.push(row);
            continue;
        }
        let (ty, uses) = rust_type(property).ok_or_else(|| FormError::UnknownType {
            code: code.to_string(),
            field_type: property.field_type.clone(),
        })?;
        imports.extend(uses);
        app.fields
            .push(field_plan(code, property, ty, names.name(code)));
    }
    if !skipped.is_empty() {
        app.doc.push(String::new());
        app.doc.push("Not in records:".into());
        app.doc.extend(skipped.iter().map(|s| format!("- {s}")));
    }
    structs.insert(0, app);

    let revision = revision
        .map(|r| match r {
            Value::String(s) => format!(" (form revision {s})"),
            other => format!(" (form revision {other})"),
        })
        .unwrap_or_default();
    let module_doc = [
        format!(
            " Records of {}{revision}, generated by `kintone-form` from the app's form.",
            options.source
        ),
        " Generate it again when the form changes rather than editing it.".to_string(),
    ];
    let import_idents: Vec<_> = imports
        .iter()
        .filter(|i| **i != "Row")
        .map(|i| format_ident!("{}", i))
        .collect();
    let row_import = imports.contains("Row").then(|| {
        quote!(
            use kintone_api::typed::Row;
        )
    });
    let items = structs.iter().map(render_struct);
    let tokens = quote! {
        #(#![doc = #module_doc])*
        #row_import
        use kintone_api::{#(#import_idents),*};
        #(#items)*
    };
    let file = syn::parse2::<syn::File>(tokens).map_err(|e| FormError::Render(e.to_string()))?;
    Ok(spaced(&prettyplease::unparse(&file)))
}

/// Why a form could not be read from a kintone.
#[cfg(feature = "live")]
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("the request for the form failed")]
    Http(#[from] reqwest::Error),
    #[error("kintone answered HTTP {status}: {body}")]
    Status { status: u16, body: String },
}

/// Reads an app's form from a kintone or the emulator: Get Form Fields
/// (`GET …/app/form/fields.json?app=…`) with an API token of the app. The answer is kept as
/// kintone's JSON, so that field types this version does not know reach the generator, which
/// names them in its error.
#[cfg(feature = "live")]
pub async fn fetch_form(
    base_url: &str,
    app: u64,
    api_token: &str,
    guest_space: Option<u64>,
) -> Result<String, FetchError> {
    // Paths and the header name come from the spec's model, as the client's are generated, so
    // this read cannot drift from the spec and needs no client to be built first.
    let api = kintone_spec::bundled();
    let prefix = match guest_space {
        Some(space) => {
            let (start, end) = api
                .guest_prefix
                .as_ref()
                .expect("the spec describes the guest-space path");
            format!("{start}{space}{end}")
        }
        None => api.api_prefix.clone(),
    };
    let operation = api
        .operations
        .iter()
        .find(|op| op.id == "getFormFields")
        .expect("the spec describes Get Form Fields");
    let token_header = api
        .headers
        .iter()
        .find(|h| h.name == "API_TOKEN_HEADER")
        .expect("the spec names the API token header");
    let url = format!(
        "{}{prefix}/{}",
        base_url.trim_end_matches('/'),
        operation.path
    );
    let response = reqwest::Client::new()
        .get(url)
        .query(&[("app", app)])
        .header(token_header.value.as_str(), api_token)
        .send()
        .await?;
    let status = response.status();
    let body = response.text().await?;
    if status != reqwest::StatusCode::OK {
        let body: String = body.chars().take(512).collect();
        return Err(FetchError::Status {
            status: status.as_u16(),
            body,
        });
    }
    Ok(body)
}

/// Puts a blank line between top-level items, which `prettyplease` writes back to back.
fn spaced(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 64);
    let mut previous = "";
    for line in source.lines() {
        let starts_item = !line.starts_with(' ') && !line.starts_with('}') && !line.is_empty();
        let continues = previous.starts_with("///")
            || previous.starts_with("#[")
            || (previous.starts_with("use ") && line.starts_with("use "))
            || (previous.starts_with("//!") && line.starts_with("//!"));
        if starts_item && !previous.is_empty() && !continues {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        previous = line;
    }
    out
}

impl Property {
    fn builtin(field_type: &str, code: &str, label: &str) -> Self {
        Property {
            field_type: field_type.into(),
            code: Some(code.into()),
            label: Some(label.into()),
            required: false,
            unique: false,
            options: BTreeMap::new(),
            fields: BTreeMap::new(),
            protocol: None,
            format: None,
            expression: None,
            lookup: None,
            enabled: None,
        }
    }
}

fn label_suffix(property: &Property) -> String {
    match property.label.as_deref() {
        Some(label) if !label.is_empty() => format!(" ({label})"),
        _ => String::new(),
    }
}

fn field_plan(code: &str, property: &Property, ty: TokenStream, ident: String) -> FieldPlan {
    let mut doc = Vec::new();
    match property.label.as_deref() {
        Some(label) if !label.is_empty() => doc.push(format!("{label}.")),
        _ => {}
    }
    let mut facts = vec![format!("`{code}`"), property.field_type.clone()];
    if property.required {
        facts.push("required".into());
    }
    if property.unique {
        facts.push("unique".into());
    }
    if let Some(protocol) = &property.protocol {
        facts.push(format!("protocol {protocol}"));
    }
    if let Some(format) = &property.format {
        facts.push(format!("format {format}"));
    }
    if is_computed(&property.field_type) {
        facts.push("computed by kintone: read, never written".into());
    }
    doc.push(facts.join(", ") + ".");
    if !property.options.is_empty() {
        let mut options: Vec<(u64, &str)> = property
            .options
            .values()
            .map(|o| {
                let index = match &o.index {
                    Some(Value::String(s)) => s.parse().unwrap_or(u64::MAX),
                    Some(Value::Number(n)) => n.as_u64().unwrap_or(u64::MAX),
                    _ => u64::MAX,
                };
                (index, o.label.as_str())
            })
            .collect();
        options.sort();
        let options: Vec<String> = options.iter().map(|(_, l)| format!("`{l}`")).collect();
        doc.push(format!("Options: {}.", options.join(", ")));
    }
    if let Some(expression) = property.expression.as_deref().filter(|e| !e.is_empty()) {
        doc.push(format!("Formula: `{expression}`."));
    }
    if let Some(lookup) = &property.lookup {
        let app = lookup
            .related_app
            .as_ref()
            .and_then(|r| r.app.as_ref())
            .map(|a| match a {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap_or_else(|| "?".into());
        let key = lookup.related_key_field.as_deref().unwrap_or("?");
        doc.push(format!("Looks up `{key}` of app {app}."));
    }
    FieldPlan {
        ident,
        code: code.to_string(),
        field_type: property.field_type.clone(),
        ty,
        doc,
    }
}

/// Whether kintone computes fields of this type (`computed` in the spec's table of field types).
fn is_computed(field_type: &str) -> bool {
    kintone_spec::bundled()
        .field_type(field_type)
        .is_some_and(|t| t.computed)
}

fn render_struct(plan: &StructPlan) -> TokenStream {
    let name = format_ident!("{}", plan.name);
    let doc = plan.doc.iter().map(|line| {
        let line = format!(" {line}");
        quote!(#[doc = #line])
    });
    let fields = plan.fields.iter().map(|f| {
        let ident: syn::Ident = syn::parse_str(&f.ident).expect("names are checked");
        let code = &f.code;
        let field_type = &f.field_type;
        let ty = &f.ty;
        let doc = f.doc.iter().enumerate().flat_map(|(i, line)| {
            // A blank line between the label and the facts, as rustdoc reads a summary.
            let blank = (i == 1).then(|| quote!(#[doc = ""]));
            let line = format!(" {line}");
            blank
                .into_iter()
                .chain(std::iter::once(quote!(#[doc = #line])))
        });
        quote! {
            #(#doc)*
            #[kintone(code = #code, type = #field_type)]
            pub #ident: #ty,
        }
    });
    let table = plan.table.then(|| quote!(#[kintone(table)]));
    quote! {
        #(#doc)*
        #[derive(Debug, Clone, PartialEq, KintoneRecord)]
        #table
        pub struct #name {
            #(#fields)*
        }
    }
}

/// Rust names for field codes: snake case, unique within a struct, a renamed code first.
struct Names<'a> {
    renames: &'a BTreeMap<String, String>,
    used: BTreeSet<String>,
    unnamed: usize,
}

impl<'a> Names<'a> {
    fn new(renames: &'a BTreeMap<String, String>) -> Self {
        Self {
            renames,
            used: BTreeSet::new(),
            unnamed: 0,
        }
    }

    fn name(&mut self, code: &str) -> String {
        let base = match self.renames.get(code) {
            Some(name) => name.clone(),
            None => {
                let snake = code.trim_start_matches('$').to_snake_case();
                if is_rust_name(&snake) {
                    snake
                } else if is_rust_name(&format!("r#{snake}")) && snake.is_ascii() {
                    format!("r#{snake}")
                } else {
                    // A code with no ASCII Rust name (`顧客名`): numbered; `--rename` picks a
                    // better one.
                    self.unnamed += 1;
                    format!("field_{}", self.unnamed)
                }
            }
        };
        let mut name = base.clone();
        let mut n = 2;
        while !self.used.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        name
    }
}

/// An ASCII identifier that is no keyword (`r#type` counts).
fn is_rust_name(name: &str) -> bool {
    let bare = name.strip_prefix("r#").unwrap_or(name);
    !bare.is_empty()
        && bare.is_ascii()
        && !bare.starts_with(|c: char| c.is_ascii_digit())
        && bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && bare != "_"
        && syn::parse_str::<syn::Ident>(name).is_ok()
}

fn rust_type_name(code: &str) -> Option<String> {
    let camel = code.to_upper_camel_case();
    (!camel.is_empty()
        && camel.is_ascii()
        && camel.chars().all(|c| c.is_ascii_alphanumeric())
        && !camel.starts_with(|c: char| c.is_ascii_digit()))
    .then_some(camel)
}

fn unique_type_name(base: &str, used: &mut BTreeSet<String>) -> String {
    let mut name = base.to_string();
    let mut n = 2;
    while !used.insert(name.clone()) {
        name = format!("{base}{n}");
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_become_rust_names() {
        let renames = BTreeMap::from([("顧客名".to_string(), "customer_name".to_string())]);
        let mut names = Names::new(&renames);
        assert_eq!(names.name("Title"), "title");
        assert_eq!(names.name("title"), "title_2");
        assert_eq!(names.name("Record_number"), "record_number");
        assert_eq!(names.name("type"), "r#type");
        assert_eq!(names.name("顧客名"), "customer_name");
        assert_eq!(names.name("金額"), "field_1");
        assert_eq!(names.name("$id"), "id");
        assert_eq!(rust_type_name("order_lines"), Some("OrderLines".into()));
        assert_eq!(rust_type_name("明細"), None);
    }

    /// Fails when an error's message holds its source's message: a reporter that prints the
    /// chain would print the cause twice.
    fn assert_each_cause_printed_once(error: &(dyn std::error::Error + 'static)) {
        let mut level = Some(error);
        while let Some(error) = level {
            let source = error.source();
            if let Some(source) = source {
                let (outer, inner) = (error.to_string(), source.to_string());
                assert!(
                    !outer.contains(&inner),
                    "{outer:?} repeats its source {inner:?}"
                );
            }
            level = source;
        }
    }

    #[test]
    fn no_error_repeats_its_cause() {
        let form = generate_form("[1]", &FormOptions::default()).unwrap_err();
        let generator = crate::generate("openapi: [").unwrap_err();
        let errors: [&(dyn std::error::Error + 'static); 2] = [&form, &generator];
        for error in errors {
            assert!(error.source().is_some(), "{error:?} keeps its cause");
            assert_each_cause_printed_once(error);
        }
        #[cfg(feature = "live")]
        {
            let http = reqwest::Client::new().get("not a url").build().unwrap_err();
            let fetch = FetchError::from(http);
            assert!(std::error::Error::source(&fetch).is_some());
            assert_each_cause_printed_once(&fetch);
        }
    }
}

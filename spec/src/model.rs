//! The plain-data model between the OpenAPI document and the emitted Rust.
//!
//! Lowering resolves references, names inline schemas and reads the `x-kintone-*` extensions, so
//! that emitting is a straight walk over these types with no knowledge of OpenAPI left in it.

/// Everything the generator emits, in a stable order.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// The `x-kintone-method-override` root extension, when the document has one.
    pub method_override: Option<MethodOverride>,
    /// Named types, sorted by name.
    pub types: Vec<TypeDef>,
    /// Operations, in document order.
    pub operations: Vec<Operation>,
    /// Operation groups (tags), in document order.
    pub groups: Vec<Group>,
    /// The path every operation's path follows, from the first server's URL (such as `/k/v1`).
    pub api_prefix: String,
    /// The guest-space form of the prefix, from the server whose URL has a `guestSpaceId`
    /// variable: the text before and after the space id (`/k/guest/`, `/v1`).
    pub guest_prefix: Option<(String, String)>,
    /// Named limits (`x-kintone-limit` on constraints, `x-kintone-limits` at the root), by name.
    pub limits: Vec<NamedLimit>,
    /// Header names the runtime needs, from security schemes and response headers, by name.
    pub headers: Vec<NamedHeader>,
    /// kintone's error codes (`x-kintone-error-codes` at the root), by code.
    pub error_codes: Vec<ErrorCode>,
    /// The operators of kintone's query language (`x-kintone-query-operators`), as listed.
    pub query_operators: Vec<QueryOperator>,
    /// kintone's field types (`x-kintone-field-type` on the options of the field-value union),
    /// in the order that union lists them.
    pub field_types: Vec<FieldTypeRule>,
}

/// An operator of kintone's query language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryOperator {
    /// As written in a query: `=`, `not in`, `is empty`.
    pub operator: String,
    /// Whether a table's fields take it (kintone refuses `=` and `!=` there with `GAIA_IQ07`).
    pub in_table: bool,
    /// The query builder's trait that offers it (`Equality`).
    pub rust_trait: String,
    pub doc: String,
}

/// One of kintone's field types and its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldTypeRule {
    /// kintone's name: `SINGLE_LINE_TEXT`, `__ID__`.
    pub name: String,
    /// The Rust name of its marker: `SingleLineText`, `Id`.
    pub rust_name: String,
    /// The component that states its value (`SingleLineTextField`).
    pub schema: String,
    /// kintone computes the value: it is read, never written.
    pub computed: bool,
    /// The query operators its fields take; empty when a query cannot name them.
    pub operators: Vec<String>,
    /// The query builder's kind (`Text`), shared by the types that take the same operators with
    /// the same operands; `None` when a query cannot name the fields.
    pub query_kind: Option<String>,
    /// kintone sorts records by its fields (`order by`); a table's fields never.
    pub sortable: bool,
    /// Its value is text (`""` or `null` when nothing was entered), which `Option<String>` holds.
    pub text_value: bool,
    /// The Rust type the form generator gives its fields (`Option<Decimal>`); `None` for a table,
    /// whose type is a struct of its own.
    pub rust_type: Option<String>,
    /// The Rust type for fields whose `format` setting is one of these, in place of
    /// [`Self::rust_type`] (a CALC field formatted as a date computes text).
    pub rust_type_by_format: Vec<(String, String)>,
    pub doc: String,
}

impl Api {
    /// The rules of the field type kintone calls `name`.
    pub fn field_type(&self, name: &str) -> Option<&FieldTypeRule> {
        self.field_types.iter().find(|t| t.name == name)
    }
}

/// A documented limit with a name the runtime and the emulator use.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedLimit {
    /// A Rust constant name, such as `MAX_RECORDS_PER_WRITE`.
    pub name: String,
    pub value: u64,
    pub doc: String,
}

/// A header name with a constant name, such as `API_TOKEN_HEADER`.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedHeader {
    pub name: String,
    pub value: String,
    pub doc: String,
}

/// One of kintone's error codes.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorCode {
    pub code: String,
    /// The HTTP status kintone answers it with, when known.
    pub status: Option<u16>,
    pub doc: String,
}

/// How to tunnel a request through POST when its URI is too long.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodOverride {
    pub header: String,
    /// The methods the header may name.
    pub methods: Vec<String>,
    pub max_uri_bytes: u64,
}

/// A tag of the document, which becomes a handler such as `client.records()`.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub doc: String,
}

/// The Rust type of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    String,
    Bool,
    Integer,
    /// A non-negative integer (`minimum` of 0 or more): sizes, limits, offsets.
    Unsigned,
    /// `type: number`.
    Number,
    /// An integer that travels as a JSON string (`x-kintone-numeric`).
    NumericString,
    Decimal,
    /// A record's text value (`format: kintone-text`), kept compact: most are short.
    Text,
    Date,
    Time,
    DateTime,
    /// A file part of a multipart body.
    FilePart,
    /// Any JSON object.
    JsonObject,
    Named(String),
    Vec(Box<TypeRef>),
    Map(Box<TypeRef>),
}

/// Checks that the client runs before sending, from schema constraints and extensions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    pub max_length: Option<usize>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    /// The named limit behind `max_items`, `max_length` or `maximum`, if any.
    pub limit_name: Option<String>,
    pub query_limits: Option<QueryLimits>,
}

/// The `x-kintone-query-limits` extension on a query-language string.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryLimits {
    /// The named limits that cap the `limit` and `offset` clauses.
    pub limit: Option<NamedValue>,
    pub offset: Option<NamedValue>,
    pub forbid_limit_offset: bool,
    /// `defaultLimit`: the records a query without a `limit` clause returns.
    pub default_limit: Option<u64>,
}

/// A value known by the name of the limit it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedValue {
    pub name: String,
    pub value: u64,
}

/// A field of a struct, or a parameter of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: TypeRef,
    pub required: bool,
    /// `nullable: true`: kintone may send `null`.
    pub nullable: bool,
    /// `nullable` with `x-kintone-empty-is-null`: `""` and `null` both read as `None`.
    pub empty_is_null: bool,
    /// `x-kintone-number-or-string`: read from a JSON string or a JSON number.
    pub number_or_string: bool,
    /// An id in a request body (an `*Input` alias of an id type, or a list of them): sent as a
    /// JSON number.
    pub number_in_body: bool,
    pub doc: Option<String>,
    pub constraints: Constraints,
    pub location: Location,
    /// The schema's `default`, when it is an integer: what kintone takes for a value left out.
    pub default: Option<i64>,
}

/// Where a field travels.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    /// A JSON body property (or a property of a component schema).
    Body,
    /// A query-string parameter; arrays use the given encoding.
    Query(ArrayEncoding),
    /// A request header.
    Header,
    /// A part of a multipart body.
    Multipart,
    /// A path parameter (`in: path`), substituted for `{name}` in the operation's path.
    Path,
}

/// How an array parameter goes into the query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayEncoding {
    /// `key=a&key=b` (OpenAPI's `form`, exploded).
    Repeated,
    /// `key[0]=a&key[1]=b` (`x-kintone-array-encoding: indexed`).
    Indexed,
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    Struct(StructDef),
    /// An integer kintone sends as a string, given its own type so ids cannot be mixed up.
    NumericId {
        name: String,
        doc: Option<String>,
        /// Its `pattern` refuses 0 (`^[1-9]…`): kintone's ids start at 1.
        nonzero: bool,
    },
    /// A numeric id type that also takes one sentinel value with a meaning of its own
    /// (`x-kintone-sentinel`), such as `-1` for "skip the revision check".
    SentinelId {
        name: String,
        doc: Option<String>,
        /// The sentinel's value, its Rust constant name and what it means.
        sentinel: i64,
        sentinel_name: String,
        sentinel_doc: String,
        /// The id type whose values it otherwise takes (a `From` conversion).
        of: String,
    },
    /// A string with its own type.
    StringId {
        name: String,
        doc: Option<String>,
    },
    /// An object keyed by arbitrary strings.
    Map {
        name: String,
        doc: Option<String>,
        value: TypeRef,
    },
    Enum(EnumDef),
    Union(UnionDef),
    /// A type the runtime writes by hand (`x-kintone-runtime-type`): only re-exported, so that
    /// generated code can name it.
    Runtime {
        name: String,
        /// The type's name at the root of `kintone-api`.
        runtime_name: String,
    },
}

impl TypeDef {
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.name,
            TypeDef::NumericId { name, .. }
            | TypeDef::SentinelId { name, .. }
            | TypeDef::StringId { name, .. }
            | TypeDef::Map { name, .. }
            | TypeDef::Runtime { name, .. } => name,
            TypeDef::Enum(e) => &e.name,
            TypeDef::Union(u) => &u.name,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    pub name: String,
    pub doc: Option<String>,
    pub fields: Vec<Field>,
    /// `x-kintone-one-of-required`: exactly one of these fields must be set.
    pub one_of_required: Vec<String>,
    /// A property that a tagged union writes itself (`discriminator.propertyName`).
    pub skipped_tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    pub name: String,
    pub doc: Option<String>,
    /// `(wire value, Rust variant)`.
    pub variants: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionDef {
    pub name: String,
    pub doc: Option<String>,
    pub tag_property: String,
    /// `x-kintone-discriminator-on-wire: false` turns this off: only the variant is written.
    pub tag_on_wire: bool,
    pub variants: Vec<UnionVariant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    pub tag: String,
    pub rust_name: String,
    pub schema: String,
    /// The variant schema's single required `value` property, for a constructor.
    pub value: Option<Field>,
}

/// An operation's twin on the app's preview settings.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewTwin {
    pub id: String,
    /// The path after the API prefix, such as `preview/app/form/fields.json`.
    pub path: String,
}

/// An HTTP method kintone serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

/// How the request carries its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Query,
    Json,
    Multipart,
}

/// What a successful response carries.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseKind {
    Json(String),
    Binary,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub id: String,
    pub fn_name: String,
    pub request_name: String,
    pub method: Method,
    pub path: String,
    pub group: String,
    pub summary: String,
    pub description: Option<String>,
    pub guest_space: bool,
    pub bulk: bool,
    /// `security: []`: kintone answers without authentication.
    pub anonymous: bool,
    /// The preview twin (`x-kintone-preview`): the same request under `preview/{path}`.
    pub preview: Option<PreviewTwin>,
    /// The OAuth scopes it needs (`x-kintone-oauth-scopes`); `None` when it states none, so
    /// OAuth cannot call it.
    pub oauth_scopes: Option<Vec<String>>,
    /// kintone's documentation page for the operation (`externalDocs.url`).
    pub doc_url: Option<String>,
    /// `deprecated: true`: kintone keeps the operation for compatibility only.
    pub deprecated: bool,
    /// `x-kintone-cargo-feature`: the client offers the operation behind this cargo feature.
    pub cargo_feature: Option<String>,
    pub body_kind: BodyKind,
    pub fields: Vec<Field>,
    pub one_of_required: Vec<String>,
    pub response: ResponseKind,
    /// `x-rust-response-reader`: the answer's type has a hand-written reader of this name
    /// (`Type::reader(&[u8]) -> Result<Type, serde_json::Error>`) that the operation decodes
    /// with; it gives what serde gives.
    pub response_reader: Option<String>,
    /// `(status or "default", description)` of each error response.
    pub errors: Vec<(String, String)>,
    pub request_example: Option<String>,
    pub response_example: Option<String>,
}

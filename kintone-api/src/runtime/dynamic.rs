//! Operations known only at run time: a command line or a script names an operation of the spec
//! and gives its parameters as JSON. The call goes through the same client as a typed one:
//! authentication, guest spaces, `X-HTTP-Method-Override` for long URIs, middleware, retries,
//! the concurrency limit, tracing and kintone's errors; the parameters' documented limits are
//! checked before anything is sent.
//!
//! The description of the operation ([`DynamicOperation`]) comes from the spec (the `kintone`
//! command line reads it through the generator's model); this module only lays out the request.
//!
//! ```no_run
//! # async fn run(client: kintone_api::Client) -> Result<(), kintone_api::Error> {
//! use kintone_api::dynamic::{DynamicOperation, DynamicParam, DynamicRequest, Method, ParamLocation};
//!
//! let get_record = DynamicOperation::new("getRecord", Method::Get, "record.json")
//!     .param(DynamicParam::new("app", ParamLocation::Query).minimum(1))
//!     .param(DynamicParam::new("id", ParamLocation::Query).minimum(1));
//! let params = serde_json::json!({"app": 1, "id": 5});
//! let answer = client
//!     .send(DynamicRequest::new(get_record.into(), params.as_object().unwrap().clone()))
//!     .await?;
//! println!("{}", answer.body());
//! # Ok(()) }
//! ```

use std::borrow::Cow;
use std::sync::Arc;

use serde::ser::SerializeMap;
use serde_json::{Map, Value};

pub use crate::runtime::method::Method;
use crate::runtime::{
    check_path_value, decode_binary, decode_json, expand_path, BodyKind, HeaderWriter,
    MultipartWriter, Operation, QueryWriter, RawResponse,
};
use crate::{Download, Error, FilePart, LimitError};

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamLocation {
    /// In the path, in place of `{name}`.
    Path,
    /// In the query string (or the JSON body of a tunnelled `POST`); arrays as `key=a&key=b`.
    Query,
    /// In the query string, arrays as `key[0]=a&key[1]=b`.
    QueryIndexed,
    /// A property of the JSON body.
    Body,
    /// A request header.
    Header,
    /// A file part of a multipart body.
    Multipart,
}

/// One parameter of a [`DynamicOperation`], with the limits the spec documents for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DynamicParam {
    /// The name the spec gives it (`app`, `records`, `X-Cybozu-…`).
    pub name: &'static str,
    /// Where it travels.
    pub location: ParamLocation,
    /// The fewest items an array may have.
    pub min_items: Option<usize>,
    /// The most items an array may have.
    pub max_items: Option<usize>,
    /// The most characters a string may have.
    pub max_length: Option<usize>,
    /// The smallest number (or numeric string) it may be.
    pub minimum: Option<i64>,
    /// The largest number (or numeric string) it may be.
    pub maximum: Option<i64>,
}

impl DynamicParam {
    /// A parameter without limits.
    pub fn new(name: &'static str, location: ParamLocation) -> Self {
        Self {
            name,
            location,
            min_items: None,
            max_items: None,
            max_length: None,
            minimum: None,
            maximum: None,
        }
    }

    /// Sets [`min_items`](Self::min_items).
    pub fn min_items(mut self, min: usize) -> Self {
        self.min_items = Some(min);
        self
    }

    /// Sets [`max_items`](Self::max_items).
    pub fn max_items(mut self, max: usize) -> Self {
        self.max_items = Some(max);
        self
    }

    /// Sets [`max_length`](Self::max_length).
    pub fn max_length(mut self, max: usize) -> Self {
        self.max_length = Some(max);
        self
    }

    /// Sets [`minimum`](Self::minimum).
    pub fn minimum(mut self, min: i64) -> Self {
        self.minimum = Some(min);
        self
    }

    /// Sets [`maximum`](Self::maximum).
    pub fn maximum(mut self, max: i64) -> Self {
        self.maximum = Some(max);
        self
    }

    /// The documented limits of this parameter, on its value.
    fn check(&self, value: &Value) -> Result<(), LimitError> {
        let field = self.name;
        match value {
            Value::Array(items) => {
                if let Some(max) = self.max_items.filter(|max| items.len() > *max) {
                    return Err(LimitError::TooManyItems {
                        field,
                        max,
                        actual: items.len(),
                    });
                }
                if let Some(min) = self.min_items.filter(|min| items.len() < *min) {
                    return Err(LimitError::TooFewItems {
                        field,
                        min,
                        actual: items.len(),
                    });
                }
            }
            Value::String(text) => {
                let length = text.chars().count();
                if let Some(max) = self.max_length.filter(|max| length > *max) {
                    return Err(LimitError::TooLong {
                        field,
                        max,
                        actual: length,
                    });
                }
                if self.location == ParamLocation::Path {
                    check_path_value(field, text)?;
                }
                if let Ok(number) = text.parse::<i64>() {
                    self.check_number(number)?;
                }
            }
            Value::Number(number) => {
                if let Some(number) = number.as_i64() {
                    self.check_number(number)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn check_number(&self, number: i64) -> Result<(), LimitError> {
        if self.minimum.is_some() || self.maximum.is_some() {
            LimitError::check_range(self.name, number, self.minimum, self.maximum)?;
        }
        Ok(())
    }
}

/// An operation described at run time: what the generated request types know as constants.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DynamicOperation {
    /// The spec's `operationId`, for traces and errors.
    pub id: &'static str,
    /// The HTTP method kintone documents for it.
    pub method: Method,
    /// The path after the API prefix, such as `record.json` or `records/{id}.json`.
    pub path: &'static str,
    /// Whether the operation exists under a guest space's path.
    pub guest_space: bool,
    /// Its parameters.
    pub params: Vec<DynamicParam>,
}

impl DynamicOperation {
    /// An operation without parameters, that exists in guest spaces too.
    pub fn new(id: &'static str, method: Method, path: &'static str) -> Self {
        Self {
            id,
            method,
            path,
            guest_space: true,
            params: Vec::new(),
        }
    }

    /// Adds a parameter.
    pub fn param(mut self, param: DynamicParam) -> Self {
        self.params.push(param);
        self
    }

    /// Sets [`guest_space`](Self::guest_space).
    pub fn guest_space(mut self, exists_there: bool) -> Self {
        self.guest_space = exists_there;
        self
    }

    /// How the parameters travel: files make a multipart body, body parameters a JSON body,
    /// anything else the query string.
    fn body_kind(&self) -> BodyKind {
        let at = |location| self.params.iter().any(|p| p.location == location);
        if at(ParamLocation::Multipart) {
            BodyKind::Multipart
        } else if at(ParamLocation::Body) {
            BodyKind::Json
        } else {
            BodyKind::Query
        }
    }

    fn located(&self, name: &str) -> Option<&DynamicParam> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// A call of a [`DynamicOperation`] with its parameters, answered as JSON. For an operation
/// that answers a file, wrap it in [`DynamicDownload`].
#[derive(Debug, Clone)]
pub struct DynamicRequest {
    operation: Arc<DynamicOperation>,
    values: Map<String, Value>,
    files: Vec<(&'static str, FilePart)>,
}

impl DynamicRequest {
    /// The call with these parameters (by name, as the spec names them). A name the operation
    /// does not describe travels as it would in the operation's body or query string.
    pub fn new(operation: Arc<DynamicOperation>, values: Map<String, Value>) -> Self {
        Self {
            operation,
            values,
            files: Vec::new(),
        }
    }

    /// Adds a file part (for a multipart operation such as `uploadFile`).
    pub fn file(mut self, name: &'static str, file: FilePart) -> Self {
        self.files.push((name, file));
        self
    }

    fn location(&self, name: &str) -> ParamLocation {
        match self.operation.located(name) {
            Some(param) => param.location,
            None if self.operation.body_kind() == BodyKind::Json => ParamLocation::Body,
            None => ParamLocation::Query,
        }
    }

    /// The parameters that travel in the body or the query string.
    fn carried(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.values.iter().filter(|(name, _)| {
            matches!(
                self.location(name),
                ParamLocation::Body | ParamLocation::Query | ParamLocation::QueryIndexed
            )
        })
    }
}

/// The JSON body: every body or query parameter (a tunnelled `GET` sends its query as JSON).
impl serde::Serialize for DynamicRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let carried: Vec<_> = self.carried().collect();
        let mut map = serializer.serialize_map(Some(carried.len()))?;
        for (name, value) in carried {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// A scalar as it goes into a query string, path or header.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Operation for DynamicRequest {
    type Response = Value;
    const SEALED: crate::runtime::Seal = crate::runtime::Seal;
    // The constants are those of no operation: every use goes through the methods below, which
    // answer from the description.
    const ID: &'static str = "dynamic";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "";
    const BODY: BodyKind = BodyKind::Query;
    const GUEST_SPACE: bool = true;

    fn id(&self) -> &'static str {
        self.operation.id
    }

    fn method(&self) -> Method {
        self.operation.method
    }

    fn body_kind(&self) -> BodyKind {
        self.operation.body_kind()
    }

    fn in_guest_space(&self) -> bool {
        self.operation.guest_space
    }

    fn validate(&self) -> Result<(), LimitError> {
        for (name, value) in &self.values {
            if let Some(param) = self.operation.located(name) {
                param.check(value)?;
            }
        }
        Ok(())
    }

    fn path(&self) -> Cow<'static, str> {
        let values: Vec<(&str, String)> = self
            .values
            .iter()
            .filter(|(name, _)| self.location(name) == ParamLocation::Path)
            .map(|(name, value)| (name.as_str(), text(value)))
            .collect();
        expand_path(self.operation.path, &values)
    }

    fn write_query(&self, query: &mut QueryWriter) {
        for (name, value) in &self.values {
            let location = self.location(name);
            match (location, value) {
                (ParamLocation::QueryIndexed, Value::Array(items)) => {
                    let items: Vec<String> = items.iter().map(text).collect();
                    query.push_indexed(name, items.iter());
                }
                (ParamLocation::Query, Value::Array(items)) => {
                    let items: Vec<String> = items.iter().map(text).collect();
                    query.push_repeated(name, items.iter());
                }
                (ParamLocation::Query | ParamLocation::QueryIndexed, Value::Null) => {}
                (ParamLocation::Query | ParamLocation::QueryIndexed, value) => {
                    query.push(name, &text(value));
                }
                _ => {}
            }
        }
    }

    fn write_headers(&self, headers: &mut HeaderWriter) {
        for param in &self.operation.params {
            if param.location == ParamLocation::Header {
                if let Some(value) = self.values.get(param.name) {
                    headers.push(param.name, &text(value));
                }
            }
        }
    }

    fn write_multipart(&self, form: &mut MultipartWriter) {
        for (name, file) in &self.files {
            form.push(name, file);
        }
    }

    fn decode(response: RawResponse) -> Result<Value, Error> {
        decode_json(response)
    }
}

/// A [`DynamicRequest`] whose answer is a file, for
/// [`Client::send_stream`](crate::Client::send_stream).
#[derive(Debug, Clone)]
pub struct DynamicDownload(pub DynamicRequest);

impl serde::Serialize for DynamicDownload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl Operation for DynamicDownload {
    type Response = Download;
    const SEALED: crate::runtime::Seal = crate::runtime::Seal;
    const ID: &'static str = "dynamic";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "";
    const BODY: BodyKind = BodyKind::Query;
    const GUEST_SPACE: bool = true;

    fn id(&self) -> &'static str {
        self.0.id()
    }

    fn method(&self) -> Method {
        self.0.method()
    }

    fn body_kind(&self) -> BodyKind {
        self.0.body_kind()
    }

    fn in_guest_space(&self) -> bool {
        self.0.in_guest_space()
    }

    fn validate(&self) -> Result<(), LimitError> {
        self.0.validate()
    }

    fn path(&self) -> Cow<'static, str> {
        self.0.path()
    }

    fn write_query(&self, query: &mut QueryWriter) {
        self.0.write_query(query)
    }

    fn write_headers(&self, headers: &mut HeaderWriter) {
        self.0.write_headers(headers)
    }

    fn decode(response: RawResponse) -> Result<Download, Error> {
        decode_binary(response)
    }
}

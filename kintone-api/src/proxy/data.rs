//! The `data` argument: a JSON object or a string (rule P4).

use std::fmt;

use serde_json::{Map, Value};

use super::error::ProxyError;

/// The default `Content-Type` sent with a non-empty JSON object when the caller gave none.
pub const DEFAULT_JSON_CONTENT_TYPE: &str = "application/json";

/// The request data, as `kintone.proxy()` takes it: a JSON object or a string.
///
/// * It is sent only for POST and PUT. For GET and DELETE it is ignored and no body is sent:
///   put their parameters in the URL's query string.
/// * An empty object (the default, `{}` in JavaScript) means "no data": POST/PUT then send an
///   empty body with `Content-Length: 0`.
/// * A non-empty object is serialised as JSON. If the caller set no `Content-Type`, the
///   proxy sends [`DEFAULT_JSON_CONTENT_TYPE`] (`application/json`).
/// * A string is sent as-is (UTF-8 bytes) with whatever `Content-Type` the caller set (any
///   type may be used, rule P7); none is added for strings.
#[derive(Clone, PartialEq, Eq)]
pub enum ProxyData {
    /// A JSON object.
    Json(Map<String, Value>),
    /// A string, sent verbatim.
    Text(String),
}

impl ProxyData {
    /// No data: an empty JSON object, like `{}` in JavaScript.
    pub fn none() -> Self {
        ProxyData::Json(Map::new())
    }

    /// Whether this is "no data" (an empty object).
    pub fn is_none(&self) -> bool {
        matches!(self, ProxyData::Json(map) if map.is_empty())
    }

    /// The bytes sent as the body of a POST/PUT, and the content type used when the caller
    /// set none.
    pub(crate) fn encode(&self) -> (Vec<u8>, Option<&'static str>) {
        match self {
            ProxyData::Json(map) if map.is_empty() => (Vec::new(), None),
            ProxyData::Json(map) => (
                serde_json::to_vec(map).unwrap_or_default(),
                Some(DEFAULT_JSON_CONTENT_TYPE),
            ),
            ProxyData::Text(text) => (text.as_bytes().to_vec(), None),
        }
    }
}

impl Default for ProxyData {
    fn default() -> Self {
        ProxyData::none()
    }
}

/// Shows the kind and size only: data may hold secrets.
impl fmt::Debug for ProxyData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyData::Json(map) => write!(f, "Json({} keys, values redacted)", map.len()),
            ProxyData::Text(text) => write!(f, "Text({} bytes, redacted)", text.len()),
        }
    }
}

impl From<Map<String, Value>> for ProxyData {
    fn from(map: Map<String, Value>) -> Self {
        ProxyData::Json(map)
    }
}

impl From<String> for ProxyData {
    fn from(text: String) -> Self {
        ProxyData::Text(text)
    }
}

impl From<&str> for ProxyData {
    fn from(text: &str) -> Self {
        ProxyData::Text(text.to_owned())
    }
}

/// A JSON object or string converts; any other JSON value is [`ProxyError::InvalidData`].
impl TryFrom<Value> for ProxyData {
    type Error = ProxyError;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        match value {
            Value::Object(map) => Ok(ProxyData::Json(map)),
            Value::String(text) => Ok(ProxyData::Text(text)),
            other => Err(ProxyError::InvalidData {
                reason: format!(
                    "data must be a JSON object or a string, not {}",
                    json_kind(&other)
                ),
            }),
        }
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

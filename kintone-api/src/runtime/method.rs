//! The HTTP methods kintone serves, shared by the REST client and the proxy.

use std::fmt;
use std::str::FromStr;

/// One of the four HTTP methods kintone serves, and the only ones `kintone.proxy()` accepts.
///
/// Parsing is case-sensitive, like HTTP itself and `X-HTTP-Method-Override`: `"GET"` parses,
/// `"get"` and `"PATCH"` are an [`UnknownMethod`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`: data is ignored; put parameters in the URL's query string.
    Get,
    /// `POST`: data is sent as the body.
    Post,
    /// `PUT`: data is sent as the body.
    Put,
    /// `DELETE`: data is ignored; put parameters in the URL's query string.
    Delete,
}

impl Method {
    /// The method's name as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Whether this method sends the request data as a body (POST and PUT only, rule P4).
    pub fn sends_body(self) -> bool {
        matches!(self, Method::Post | Method::Put)
    }

    pub(crate) fn to_http(self) -> http::Method {
        match self {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Put => http::Method::PUT,
            Method::Delete => http::Method::DELETE,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A method name that is not one of the four (at most 32 characters of it are kept).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not GET, POST, PUT or DELETE")]
pub struct UnknownMethod(pub String);

impl FromStr for Method {
    type Err = UnknownMethod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "GET" => Ok(Method::Get),
            "POST" => Ok(Method::Post),
            "PUT" => Ok(Method::Put),
            "DELETE" => Ok(Method::Delete),
            other => Err(UnknownMethod(other.chars().take(32).collect())),
        }
    }
}

impl TryFrom<&str> for Method {
    type Error = UnknownMethod;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

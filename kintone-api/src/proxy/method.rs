//! The four HTTP methods `kintone.proxy()` accepts (rule P2).

use std::fmt;
use std::str::FromStr;

use super::error::ProxyError;

/// An HTTP method accepted by the proxy: exactly the four `kintone.proxy()` allows.
///
/// Parsing is case-sensitive, like HTTP itself: `"GET"` parses, `"get"` and `"PATCH"` are
/// [`ProxyError::InvalidMethod`].
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

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = ProxyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "GET" => Ok(Method::Get),
            "POST" => Ok(Method::Post),
            "PUT" => Ok(Method::Put),
            "DELETE" => Ok(Method::Delete),
            other => Err(ProxyError::InvalidMethod {
                method: other.chars().take(32).collect(),
            }),
        }
    }
}

impl TryFrom<&str> for Method {
    type Error = ProxyError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

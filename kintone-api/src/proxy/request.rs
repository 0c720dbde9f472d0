//! Building and validating a request (rules P1–P4, P14, CR/LF refusal).
//!
//! Everything here runs before any I/O: a bad method, URL, header or data is a
//! [`ProxyError`] and nothing is sent.

use std::fmt;

use http::header::{HeaderName, HeaderValue};
use http::HeaderMap;
use url::Url;

use super::data::ProxyData;
use super::error::ProxyError;
use crate::redact;
use crate::runtime::method::Method;

/// A validated proxy request: method, URL, headers and data, like the first four arguments
/// of `kintone.proxy(url, method, headers, data)`.
///
/// Build one with [`ProxyRequest::builder`] (or [`get`](Self::get), [`post`](Self::post),
/// [`put`](Self::put), [`delete`](Self::delete)); send it with
/// [`ProxyClient::send`](super::ProxyClient::send).
#[derive(Clone)]
pub struct ProxyRequest {
    method: Method,
    url: Url,
    headers: HeaderMap,
    data: ProxyData,
}

impl ProxyRequest {
    /// Starts a request with the given method and URL. Errors are reported by
    /// [`ProxyRequestBuilder::build`].
    pub fn builder(method: Method, url: impl AsRef<str>) -> ProxyRequestBuilder {
        ProxyRequestBuilder {
            method,
            url: parse_url(url.as_ref()),
            headers: HeaderMap::new(),
            data: ProxyData::none(),
            error: None,
        }
    }

    /// Starts a GET request.
    pub fn get(url: impl AsRef<str>) -> ProxyRequestBuilder {
        Self::builder(Method::Get, url)
    }

    /// Starts a POST request.
    pub fn post(url: impl AsRef<str>) -> ProxyRequestBuilder {
        Self::builder(Method::Post, url)
    }

    /// Starts a PUT request.
    pub fn put(url: impl AsRef<str>) -> ProxyRequestBuilder {
        Self::builder(Method::Put, url)
    }

    /// Starts a DELETE request.
    pub fn delete(url: impl AsRef<str>) -> ProxyRequestBuilder {
        Self::builder(Method::Delete, url)
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The caller's headers (without the automatic `Content-Length`/`Content-Type`).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The data; sent only for POST and PUT.
    pub fn data(&self) -> &ProxyData {
        &self.data
    }

    pub(crate) fn into_parts(self) -> (Method, Url, HeaderMap, ProxyData) {
        (self.method, self.url, self.headers, self.data)
    }
}

/// Prints the method, the URL without user-info or query, header names with secret values
/// redacted, and the data's size only.
impl fmt::Debug for ProxyRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyRequest")
            .field("method", &self.method)
            .field("url", &redact::RedactedUrl(&self.url))
            .field("headers", &redact::Headers(&self.headers))
            .field("data", &self.data)
            .finish()
    }
}

/// Builder for [`ProxyRequest`]. The first invalid input is kept and returned by
/// [`build`](Self::build); later calls are then ignored.
pub struct ProxyRequestBuilder {
    method: Method,
    url: Result<Url, ProxyError>,
    headers: HeaderMap,
    data: ProxyData,
    error: Option<ProxyError>,
}

impl ProxyRequestBuilder {
    /// Adds a header. Refused (at [`build`](Self::build)): names or values with CR or LF,
    /// invalid names, and `Content-Length` / `Transfer-Encoding` in any letter case, which
    /// the proxy sets itself (rule P14). Adding the same name twice sends both values.
    pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        if self.error.is_none() {
            match validate_header(name.as_ref(), value.as_ref()) {
                Ok((name, value)) => {
                    self.headers.append(name, value);
                }
                Err(e) => self.error = Some(e),
            }
        }
        self
    }

    /// Adds every header of a map-like collection, like the `headers` object of
    /// `kintone.proxy()` (an empty collection for none).
    pub fn headers<I, K, V>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        for (name, value) in headers {
            self = self.header(name, value);
        }
        self
    }

    /// Sets the data (a JSON object map or a string). Sent only for POST and PUT.
    pub fn data(mut self, data: impl Into<ProxyData>) -> Self {
        self.data = data.into();
        self
    }

    /// Sets the data from a JSON value, which must be an object or a string (rule P4).
    pub fn json(mut self, value: serde_json::Value) -> Self {
        match ProxyData::try_from(value) {
            Ok(data) => self.data = data,
            Err(e) => {
                if self.error.is_none() {
                    self.error = Some(e);
                }
            }
        }
        self
    }

    /// Sets string data, sent verbatim.
    pub fn text(self, text: impl Into<String>) -> Self {
        self.data(ProxyData::Text(text.into()))
    }

    /// Validates and returns the request, or the first input error.
    pub fn build(self) -> Result<ProxyRequest, ProxyError> {
        let url = self.url?;
        if let Some(error) = self.error {
            return Err(error);
        }
        Ok(ProxyRequest {
            method: self.method,
            url,
            headers: self.headers,
            data: self.data,
        })
    }
}

impl fmt::Debug for ProxyRequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("ProxyRequestBuilder");
        s.field("method", &self.method);
        match &self.url {
            Ok(url) => s.field("url", &redact::RedactedUrl(url)),
            Err(e) => s.field("url", e),
        };
        s.field("headers", &redact::Headers(&self.headers))
            .field("data", &self.data)
            .field("error", &self.error)
            .finish()
    }
}

/// Parses a URL; only absolute `http`/`https` URLs with a host are accepted. The error
/// never repeats the URL, which may hold secrets.
pub(crate) fn parse_url(url: &str) -> Result<Url, ProxyError> {
    let parsed = Url::parse(url).map_err(|e| ProxyError::InvalidUrl {
        reason: e.to_string(),
    })?;
    match parsed.scheme() {
        "http" | "https" => {}
        other => {
            return Err(ProxyError::InvalidUrl {
                reason: format!("scheme {other:?} is not http or https"),
            })
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(ProxyError::InvalidUrl {
            reason: "the URL has no host".to_owned(),
        });
    }
    Ok(parsed)
}

/// Headers the proxy sets itself for POST and PUT (rule P14).
const AUTOMATIC: &[&str] = &["content-length", "transfer-encoding"];

pub(crate) fn validate_header(
    name: &str,
    value: &str,
) -> Result<(HeaderName, HeaderValue), ProxyError> {
    if name.contains(['\r', '\n']) {
        return Err(ProxyError::InvalidHeader {
            name: name.to_owned(),
            reason: "the name contains CR or LF",
        });
    }
    if AUTOMATIC.iter().any(|a| a.eq_ignore_ascii_case(name)) {
        return Err(ProxyError::ForbiddenHeader {
            name: name.to_owned(),
        });
    }
    if value.contains(['\r', '\n']) {
        return Err(ProxyError::InvalidHeader {
            name: name.to_owned(),
            reason: "the value contains CR or LF",
        });
    }
    let header_name =
        HeaderName::from_bytes(name.as_bytes()).map_err(|_| ProxyError::InvalidHeader {
            name: name.to_owned(),
            reason: "not a valid header name",
        })?;
    let header_value = HeaderValue::from_str(value).map_err(|_| ProxyError::InvalidHeader {
        name: name.to_owned(),
        reason: "the value contains a control character",
    })?;
    Ok((header_name, header_value))
}

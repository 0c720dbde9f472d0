//! The far side's answer: body, status and headers (rule P5).

use std::collections::BTreeMap;
use std::fmt;

use http::HeaderMap;

use crate::redact;

/// The body of the answer synthesised when the host does not resolve (rule P8).
pub const DNS_CACHE_MISSING_BODY: &str = "DNS Cache Missing";

/// The far side's answer, whatever its status: a 404 or 500 from the far side is a successful
/// proxy call reporting that status.
///
/// Like `kintone.proxy()`'s callback it holds the body as a string, the status code and the
/// response headers; [`into_js_triple`](Self::into_js_triple) and
/// [`to_js_array`](Self::to_js_array) give the exact JavaScript shapes.
///
/// One answer does not come from the far side: when its host name does not resolve, the
/// proxy answers `503` with the body [`DNS_CACHE_MISSING_BODY`] and no headers, as kintone
/// does; [`is_dns_cache_missing`](Self::is_dns_cache_missing) tells it apart.
#[derive(Clone)]
pub struct ProxyResponse {
    body: String,
    status: u16,
    headers: HeaderMap,
    dns_cache_missing: bool,
}

impl ProxyResponse {
    pub(crate) fn new(body: String, status: u16, headers: HeaderMap) -> Self {
        ProxyResponse {
            body,
            status,
            headers,
            dns_cache_missing: false,
        }
    }

    pub(crate) fn dns_cache_missing() -> Self {
        ProxyResponse {
            body: DNS_CACHE_MISSING_BODY.to_owned(),
            status: 503,
            headers: HeaderMap::new(),
            dns_cache_missing: true,
        }
    }

    /// The response body.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The response body, by value.
    pub fn into_body(self) -> String {
        self.body
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers (including any `Set-Cookie`: they are reported, never stored).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of a header, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Whether this is the synthesised `503` for a host that does not resolve (rule P8).
    pub fn is_dns_cache_missing(&self) -> bool {
        self.dns_cache_missing
    }

    /// The headers as a JavaScript-like object: lower-case names; repeated headers joined
    /// with `", "`; bytes that are not UTF-8 replaced by U+FFFD.
    pub fn headers_object(&self) -> BTreeMap<String, String> {
        let mut object: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in &self.headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            object
                .entry(name.as_str().to_owned())
                .and_modify(|joined| {
                    joined.push_str(", ");
                    joined.push_str(&value);
                })
                .or_insert_with(|| value.into_owned());
        }
        object
    }

    /// The callback's three arguments: `(body, status, headers)`.
    pub fn into_js_triple(self) -> (String, u16, BTreeMap<String, String>) {
        let headers = self.headers_object();
        (self.body, self.status, headers)
    }

    /// The value the promise form resolves to: `[body, status, {headers}]`.
    pub fn to_js_array(&self) -> serde_json::Value {
        serde_json::json!([self.body, self.status, self.headers_object()])
    }

    /// Splits the response into body, status and headers.
    pub fn into_parts(self) -> (String, u16, HeaderMap) {
        (self.body, self.status, self.headers)
    }
}

/// Prints the status, the body's length (not its text) and headers with secrets redacted.
impl fmt::Debug for ProxyResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("headers", &redact::Headers(&self.headers))
            .field("dns_cache_missing", &self.dns_cache_missing)
            .finish()
    }
}

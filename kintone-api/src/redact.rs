//! `Debug` (and error) output that never prints secrets, shared by the REST client and the proxy.
//!
//! Header values are printed only for a short allow-list of headers that never carry
//! credentials; every other value (Authorization, Cookie, Set-Cookie, X-Cybozu-*, API keys,
//! anything unknown) is shown as `<redacted>`. URLs lose their user-info, query and fragment.

use std::fmt;

use http::HeaderMap;
#[cfg(feature = "proxy")]
use url::Url;

/// Headers whose values are safe to print.
const PRINTABLE: &[&str] = &[
    "accept",
    "accept-language",
    "cache-control",
    "connection",
    "content-language",
    "content-length",
    "content-type",
    "date",
    "etag",
    "last-modified",
    "server",
    "transfer-encoding",
    "user-agent",
    "vary",
    // kintone's own answers carry no secret in these; their names come from the spec.
    crate::generated::headers::CONCURRENCY_LIMIT_HEADER,
    crate::generated::headers::CONCURRENCY_RUNNING_HEADER,
    crate::generated::headers::CYBOZU_ERROR_HEADER,
];

pub(crate) const REDACTED: &str = "<redacted>";

/// Whether a header's value may be printed by `Debug`.
pub(crate) fn is_printable(name: &str) -> bool {
    PRINTABLE.iter().any(|p| p.eq_ignore_ascii_case(name))
}

/// A `Debug` view of a header map with secret values redacted.
pub(crate) struct Headers<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if is_printable(name.as_str()) {
                map.entry(&name.as_str(), &String::from_utf8_lossy(value.as_bytes()));
            } else {
                map.entry(&name.as_str(), &REDACTED);
            }
        }
        map.finish()
    }
}

/// A URL as text, without user-info or query values, for messages about a URL that may not
/// even parse (`https://user:pw@host/?token=x` becomes `https://<redacted>@host/?<redacted>`).
pub(crate) fn url_text(text: &str) -> String {
    let (without_fragment, _) = text.split_once('#').unwrap_or((text, ""));
    let (before_query, query) = match without_fragment.split_once('?') {
        Some((before, _)) => (before, format!("?{REDACTED}")),
        None => (without_fragment, String::new()),
    };
    let (scheme, rest) = match before_query.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), before_query),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("{REDACTED}@{host}"),
        None => authority.to_string(),
    };
    format!("{scheme}{authority}{path}{query}")
}

/// A `Debug` view of a URL without user-info, query or fragment.
#[cfg(feature = "proxy")]
pub(crate) struct RedactedUrl<'a>(pub(crate) &'a Url);

#[cfg(feature = "proxy")]
impl fmt::Debug for RedactedUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.0;
        write!(f, "\"{}://", url.scheme())?;
        if let Some(host) = url.host_str() {
            f.write_str(host)?;
        }
        if let Some(port) = url.port() {
            write!(f, ":{port}")?;
        }
        f.write_str(url.path())?;
        if url.query().is_some() {
            write!(f, "?{REDACTED}")?;
        }
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_text_hides_user_info_and_query_values() {
        assert_eq!(
            url_text("https://user:pw@example.kintone.com/?token=secret#frag"),
            "https://<redacted>@example.kintone.com/?<redacted>"
        );
        assert_eq!(
            url_text("https://example.kintone.com"),
            "https://example.kintone.com"
        );
        assert_eq!(url_text("not a url :pw@x?k=v"), "<redacted>@x?<redacted>");
    }

    #[test]
    fn only_harmless_header_values_are_printed() {
        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", "JSESSIONID=secret".parse().unwrap());
        headers.insert("x-cybozu-error", "GAIA_CO02".parse().unwrap());
        let shown = format!("{:?}", Headers(&headers));
        assert!(
            !shown.contains("secret") && shown.contains("GAIA_CO02"),
            "{shown}"
        );
    }
}

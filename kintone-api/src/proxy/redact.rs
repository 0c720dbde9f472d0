//! `Debug` output that never prints secrets.
//!
//! Header values are printed only for a short allow-list of headers that never carry
//! credentials; every other value (Authorization, Cookie, Set-Cookie, X-Cybozu-*, API keys,
//! anything unknown) is shown as `<redacted>`. URLs lose their user-info, query and fragment.

use std::fmt;

use http::HeaderMap;
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

/// A `Debug` view of a URL without user-info, query or fragment.
pub(crate) struct RedactedUrl<'a>(pub(crate) &'a Url);

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

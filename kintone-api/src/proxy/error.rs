//! Failures of the proxy call itself (rule P6), each with a kintone-shaped error body.

use std::time::Duration;

/// A failure of the proxy call itself.
///
/// A far-side answer with *any* status (404, 500, …) is not an error: it is an
/// `Ok(`[`ProxyResponse`](super::ProxyResponse)`)`. This type covers what `kintone.proxy()`
/// reports to its errback instead: bad input (found before anything is sent), broken limits,
/// refused connections, timeouts and refused TLS.
///
/// Code ported from an errback can keep working on a string: [`ProxyError::body`] renders the
/// error as kintone's error JSON, `{"id": …, "code": …, "message": …}`.
///
/// No variant holds a header value, a URL or request data, so printing an error never
/// prints a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// The method is not one of GET, POST, PUT, DELETE (rule P2). Nothing was sent.
    #[error("unsupported method {method:?}: use GET, POST, PUT or DELETE")]
    InvalidMethod {
        /// The rejected method (at most 32 characters of it).
        method: String,
    },
    /// The URL does not parse, or its scheme is not `http`/`https` (rule P1). Nothing was sent.
    #[error("invalid URL: {reason}")]
    InvalidUrl {
        /// Why the URL was refused.
        reason: String,
    },
    /// A header name or value is not valid HTTP, e.g. it contains CR or LF. Nothing was sent.
    #[error("invalid header {name:?}: {reason}")]
    InvalidHeader {
        /// The header name (control characters escaped by `Debug`).
        name: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The caller set `Content-Length` or `Transfer-Encoding`, which the proxy sets itself
    /// (rule P14). Nothing was sent.
    #[error("header {name:?} is set automatically and must not be given")]
    ForbiddenHeader {
        /// The header name as the caller spelled it.
        name: String,
    },
    /// The data is neither a JSON object nor a string (rule P4). Nothing was sent.
    #[error("invalid data: {reason}")]
    InvalidData {
        /// Why the data was refused.
        reason: String,
    },
    /// The client could not be built (e.g. an unusable root certificate).
    #[error("proxy client configuration: {reason}")]
    Config {
        /// What went wrong.
        reason: String,
    },
    /// The far side refused the TCP connection.
    #[error("connection refused: {reason}")]
    ConnectionRefused {
        /// Details from the transport.
        reason: String,
    },
    /// No complete answer arrived within the client's timeout.
    #[error("no answer within {after:?}")]
    Timeout {
        /// The timeout in force.
        after: Duration,
    },
    /// The far side's TLS certificate was refused, e.g. a self-signed one (rule P13).
    #[error("TLS refused: {reason}")]
    TlsRefused {
        /// Details from the TLS layer.
        reason: String,
    },
    /// The response head has more than [`MAX_HEADER_LINES`](super::MAX_HEADER_LINES) header
    /// lines (rule P10). The HTTP parser also reports this when the whole head is larger than
    /// its buffer (about 400 KB), which it cannot tell apart.
    #[error("the response has more than {limit} header lines")]
    TooManyHeaderLines {
        /// The limit, 100.
        limit: usize,
    },
    /// One response header line is longer than
    /// [`MAX_HEADER_LINE_BYTES`](super::MAX_HEADER_LINE_BYTES) (rule P10).
    #[error("response header line {name:?} is {length} bytes, over the limit of {limit}")]
    HeaderLineTooLong {
        /// The header's name.
        name: String,
        /// The line's length in bytes (`name: value`, without CRLF).
        length: usize,
        /// The limit, 8,192.
        limit: usize,
    },
    /// The response body is larger than [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES) (rule P12).
    /// Reading stopped at the limit and the connection was dropped.
    #[error("the response body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The response body is not text (rule P11); see the module docs for how text is
    /// recognised.
    #[error("the response body is not text: {reason}")]
    BinaryBody {
        /// Why the body was taken for binary data.
        reason: String,
    },
    /// Any other transport failure (connection reset, malformed response, …).
    #[error("transport error: {reason}")]
    Transport {
        /// Details from the transport.
        reason: String,
    },
}

impl ProxyError {
    /// A stable, machine-readable code for this kind of failure, e.g. `PROXY_TIMEOUT`.
    ///
    /// These codes belong to this crate; they are not kintone's `CB_…`/`GAIA_…` codes.
    pub fn code(&self) -> &'static str {
        match self {
            ProxyError::InvalidMethod { .. } => "PROXY_INVALID_METHOD",
            ProxyError::InvalidUrl { .. } => "PROXY_INVALID_URL",
            ProxyError::InvalidHeader { .. } => "PROXY_INVALID_HEADER",
            ProxyError::ForbiddenHeader { .. } => "PROXY_FORBIDDEN_HEADER",
            ProxyError::InvalidData { .. } => "PROXY_INVALID_DATA",
            ProxyError::Config { .. } => "PROXY_CONFIG",
            ProxyError::ConnectionRefused { .. } => "PROXY_CONNECTION_REFUSED",
            ProxyError::Timeout { .. } => "PROXY_TIMEOUT",
            ProxyError::TlsRefused { .. } => "PROXY_TLS_REFUSED",
            ProxyError::TooManyHeaderLines { .. } => "PROXY_TOO_MANY_HEADER_LINES",
            ProxyError::HeaderLineTooLong { .. } => "PROXY_HEADER_LINE_TOO_LONG",
            ProxyError::BodyTooLarge { .. } => "PROXY_BODY_TOO_LARGE",
            ProxyError::BinaryBody { .. } => "PROXY_BINARY_BODY",
            ProxyError::Transport { .. } => "PROXY_TRANSPORT",
        }
    }

    /// Whether the error was found in the caller's input or configuration, before anything
    /// was sent.
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            ProxyError::InvalidMethod { .. }
                | ProxyError::InvalidUrl { .. }
                | ProxyError::InvalidHeader { .. }
                | ProxyError::ForbiddenHeader { .. }
                | ProxyError::InvalidData { .. }
                | ProxyError::Config { .. }
        )
    }

    /// The error identifier used in [`body`](Self::body): `proxy-` and 16 hex digits derived
    /// from the code and message, so the same failure always has the same id. It is not a
    /// kintone log id.
    pub fn id(&self) -> String {
        // FNV-1a, 64 bit: small, deterministic, no dependency.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let message = self.to_string();
        for byte in self.code().bytes().chain([0]).chain(message.bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("proxy-{hash:016x}")
    }

    /// The error as kintone's error JSON, the string an errback would receive:
    /// `{"id":"proxy-…","code":"PROXY_…","message":"…"}`.
    pub fn body(&self) -> String {
        serde_json::json!({
            "id": self.id(),
            "code": self.code(),
            "message": self.to_string(),
        })
        .to_string()
    }
}

impl From<crate::runtime::method::UnknownMethod> for ProxyError {
    fn from(e: crate::runtime::method::UnknownMethod) -> Self {
        ProxyError::InvalidMethod { method: e.0 }
    }
}

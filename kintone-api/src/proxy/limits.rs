//! The response limits (rules P10–P12): header lines, text-only bodies, body size.

use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::HeaderMap;

use super::error::ProxyError;

/// At most this many response header lines (rule P10).
pub const MAX_HEADER_LINES: usize = 100;

/// At most this many bytes in one response header line, counted as `name: value` without
/// the CRLF (rule P10).
pub const MAX_HEADER_LINE_BYTES: usize = 8192;

/// At most this many bytes of response body: 10 MB, taken as 10 × 1024 × 1024 (rule P12).
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// Checks the number and length of header lines.
pub(crate) fn check_header_lines(headers: &HeaderMap) -> Result<(), ProxyError> {
    if headers.len() > MAX_HEADER_LINES {
        return Err(ProxyError::TooManyHeaderLines {
            limit: MAX_HEADER_LINES,
        });
    }
    for (name, value) in headers {
        let length = name.as_str().len() + 2 + value.len();
        if length > MAX_HEADER_LINE_BYTES {
            return Err(ProxyError::HeaderLineTooLong {
                name: name.as_str().to_owned(),
                length,
                limit: MAX_HEADER_LINE_BYTES,
            });
        }
    }
    Ok(())
}

/// Media types taken for binary whatever the bytes (compared without parameters, ignoring
/// case). Any `image/`, `audio/`, `video/`, `font/` or `model/` type is binary too.
const BINARY_TYPES: &[&str] = &[
    "application/octet-stream",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-gzip",
    "application/x-tar",
    "application/x-bzip2",
    "application/x-xz",
    "application/zstd",
    "application/x-7z-compressed",
    "application/x-rar-compressed",
    "application/vnd.rar",
    "application/wasm",
    "application/msword",
    "application/x-protobuf",
    "application/protobuf",
    "application/msgpack",
    "application/x-msgpack",
    "application/cbor",
    "application/java-archive",
];

const BINARY_PREFIXES: &[&str] = &[
    "image/",
    "audio/",
    "video/",
    "font/",
    "model/",
    "application/vnd.ms-",
    "application/vnd.openxmlformats-",
];

/// Refuses a body whose declared `Content-Type` is a binary type, before reading it.
pub(crate) fn check_content_type(headers: &HeaderMap) -> Result<(), ProxyError> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let raw = String::from_utf8_lossy(value.as_bytes());
    let essence = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let binary = BINARY_TYPES.contains(&essence.as_str())
        || BINARY_PREFIXES.iter().any(|p| essence.starts_with(p));
    if binary {
        return Err(ProxyError::BinaryBody {
            reason: format!("Content-Type {essence} is a binary type"),
        });
    }
    Ok(())
}

/// Refuses a body whose declared `Content-Length` is over the limit, before reading it.
pub(crate) fn check_declared_length(headers: &HeaderMap, limit: usize) -> Result<(), ProxyError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => Err(ProxyError::BodyTooLarge { limit }),
        _ => Ok(()),
    }
}

/// The outcome of reading a body under a limit.
pub(crate) enum BodyRead {
    /// The whole body, at most the limit.
    Complete(Vec<u8>),
    /// The body passed the limit; reading stopped there.
    TooLarge,
}

/// Reads the body chunk by chunk and stops as soon as it would pass `limit`: the response
/// (and so its connection) is dropped, so memory stays at most `limit` plus one chunk.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<BodyRead, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(BodyRead::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(BodyRead::Complete(body))
}

/// Turns the body into text: it must be valid UTF-8 and hold no NUL byte.
pub(crate) fn into_text(body: Vec<u8>) -> Result<String, ProxyError> {
    if let Some(at) = body.iter().position(|&b| b == 0) {
        return Err(ProxyError::BinaryBody {
            reason: format!("NUL byte at offset {at}"),
        });
    }
    String::from_utf8(body).map_err(|e| ProxyError::BinaryBody {
        reason: format!("not valid UTF-8 ({})", e.utf8_error()),
    })
}

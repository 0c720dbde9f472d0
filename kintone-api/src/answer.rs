//! [`RawResponse`]: a successful answer as it came, before any decoding. It sits below both the
//! operations (which decode it) and the record readers (which read pages from it).

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

/// A successful response before decoding.
#[derive(Debug)]
pub struct RawResponse {
    /// The spec's id of the operation it answers.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

//! A successful response: the decoded body plus what the headers say.

use http::{HeaderMap, StatusCode};

use crate::CybozuWarning;

/// A decoded 200 response, with its headers.
///
/// Derefs to the body, so `response.records` reads the body's field directly.
#[derive(Debug, Clone)]
pub struct Response<T> {
    body: T,
    status: StatusCode,
    headers: HeaderMap,
}

impl<T> Response<T> {
    pub(crate) fn new(body: T, status: StatusCode, headers: HeaderMap) -> Self {
        Self {
            body,
            status,
            headers,
        }
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The decoded body, taken out.
    pub fn into_body(self) -> T {
        self.body
    }

    /// The HTTP status (200).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The domain's concurrency limit and how many requests it runs now, from
    /// `X-ConcurrencyLimit-Limit` and `X-ConcurrencyLimit-Running`.
    pub fn concurrency(&self) -> Concurrency {
        Concurrency::from_headers(&self.headers)
    }

    /// kintone's warning on this answer (`X-Cybozu-Warning`), if it carries one.
    /// [`CybozuWarning::FilterAborted`]: the query matched too many records, kintone stopped
    /// filtering, and the records answered are only part of those that match.
    pub fn warning(&self) -> Option<CybozuWarning> {
        warning(&self.headers)
    }
}

/// The `X-Cybozu-Warning` of an answer's headers; a value this version does not know is
/// [`CybozuWarning::Unknown`].
pub(crate) fn warning(headers: &HeaderMap) -> Option<CybozuWarning> {
    use serde::de::value::{Error as ValueError, StrDeserializer};
    use serde::Deserialize;
    let value = headers
        .get(crate::generated::headers::CYBOZU_WARNING_HEADER)?
        .to_str()
        .ok()?;
    CybozuWarning::deserialize(StrDeserializer::<ValueError>::new(value.trim())).ok()
}

impl<T> std::ops::Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.body
    }
}

/// kintone's concurrency headers; `None` when a header is missing or not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Concurrency {
    /// `X-ConcurrencyLimit-Limit`: how many requests the domain may run at once.
    pub limit: Option<u32>,
    /// `X-ConcurrencyLimit-Running`: how many it runs now.
    pub running: Option<u32>,
}

impl Concurrency {
    /// Reads the two headers from a response's headers.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        use crate::generated::headers::{CONCURRENCY_LIMIT_HEADER, CONCURRENCY_RUNNING_HEADER};
        let read = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok())
        };
        Self {
            limit: read(CONCURRENCY_LIMIT_HEADER),
            running: read(CONCURRENCY_RUNNING_HEADER),
        }
    }
}

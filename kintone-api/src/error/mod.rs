//! Errors: what kintone answered, what never left the machine, and what broke in between.
//!
//! Each error's message says what happened at its own level; the error beneath it is its
//! [`source`](std::error::Error::source), never repeated in the message, so a reporter that
//! walks the chain (`anyhow`'s `{:#}`, `eyre`) prints each cause once.

pub(crate) mod decode;

use std::collections::BTreeMap;

use http::{HeaderMap, StatusCode};

use crate::generated::error_codes::{GAIA_TM12, GAIA_TO04};

/// Anything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// kintone answered with a status other than 200 and its JSON error body.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// A status other than 200 whose body is not kintone's error JSON, such as a maintenance
    /// page in HTML.
    #[error("HTTP {status} with a non-JSON body ({content_type}): {excerpt}")]
    UnexpectedBody {
        /// The HTTP status.
        status: StatusCode,
        /// The content type.
        content_type: String,
        /// The start of the body, at most [`EXCERPT_BYTES`] bytes.
        excerpt: String,
        /// The response's headers (such as `Retry-After` on a 503).
        headers: Box<ResponseHeaders>,
        /// Whether the request read or wrote, which decides [`Error::is_retryable`].
        request: RequestKind,
    },
    /// A documented limit would be broken; nothing was sent.
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// The client works in a guest space and the operation does not exist there; nothing was
    /// sent.
    #[error("{operation} is not available in guest spaces")]
    NotInGuestSpace {
        /// The operation's `operationId`.
        operation: &'static str,
    },
    /// A header parameter holds a value that HTTP cannot carry (a line break, a control
    /// character, non-ASCII text); nothing was sent. The value itself is not kept.
    #[error("{operation}: the value for the header {header} cannot be sent in HTTP")]
    InvalidHeaderValue {
        /// The operation's `operationId`.
        operation: &'static str,
        /// The header's name.
        header: &'static str,
    },
    /// A file to upload has a name with a line break, which would break the multipart header;
    /// nothing was sent.
    #[error("{operation}: the file name {file_name:?} has a line break (CR or LF)")]
    InvalidFileName {
        /// The operation's `operationId`.
        operation: &'static str,
        /// The file's name.
        file_name: String,
    },
    /// A file to upload names a content type that is not a MIME type; nothing was sent.
    #[error("{operation}: the file {file_name:?} has the content type {content_type:?}, which is not a MIME type")]
    InvalidContentType {
        /// The operation's `operationId`.
        operation: &'static str,
        /// The file's name.
        file_name: String,
        /// The content type.
        content_type: String,
    },
    /// The request does not serialize to JSON (such as a map with non-string keys); nothing
    /// was sent.
    #[error("the request of {operation} does not serialize to JSON")]
    Serialize {
        /// The operation's `operationId`.
        operation: &'static str,
        /// What the JSON reader or writer reported.
        #[source]
        source: serde_json::Error,
    },
    /// A bulk request was given an operation that reads; kintone's bulk request carries
    /// writes only. Nothing was sent.
    #[error("{operation} reads, and a bulk request carries writes only")]
    NotABulkWrite {
        /// The operation's `operationId`.
        operation: &'static str,
    },
    /// [`BulkRequestResponse::result`](crate::BulkRequestResponse::result) was asked for an
    /// index past the end of the results.
    #[error("bulk result #{index} does not exist: the bulk request has {len} results")]
    NoSuchBulkResult {
        /// The index asked for.
        index: usize,
        /// How many results there are.
        len: usize,
    },
    /// A 200 response whose body does not have the documented shape.
    #[error("the response of {operation} does not decode")]
    Decode {
        /// The operation's `operationId`.
        operation: &'static str,
        /// What the JSON reader or writer reported.
        #[source]
        source: serde_json::Error,
        /// The start of the body, at most [`EXCERPT_BYTES`] bytes.
        excerpt: String,
    },
    /// A response body grew past
    /// [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes);
    /// reading stopped there and the connection was dropped. For large files, stream the
    /// download instead (`send_stream`), which has no such cap.
    #[error("the response (HTTP {status}) is larger than the {limit}-byte cap")]
    ResponseTooLarge {
        /// The HTTP status.
        status: StatusCode,
        /// The cap, in bytes.
        limit: u64,
    },
    /// The request did not complete: connection, TLS, timeout, or a middleware layer's error.
    /// It prints what went wrong in a few words; the underlying error is its `source()`.
    #[error(transparent)]
    Transport(TransportError),
    /// Writing a streamed download to its destination failed.
    #[error("writing the download failed")]
    Write(#[source] std::io::Error),
    /// The server's answers contradict kintone's protocol (a cursor that promises more records
    /// and sends none, ids that do not increase, more records than announced): reading or
    /// writing stopped rather than loop or allocate without bound.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// A reader of every record met a page kintone marks as partial (`X-Cybozu-Warning`,
    /// [`CybozuWarning::FilterAborted`](crate::CybozuWarning)): the query matched too many
    /// records and kintone stopped filtering, so reading on would miss records without a word.
    /// Narrow the query, or let readers go on with
    /// [`ClientBuilder::accept_partial_pages`](crate::ClientBuilder::accept_partial_pages).
    #[error("{operation}: kintone aborted the query's filtering (too many matching records) and answered only part of them")]
    FilterAborted {
        /// The operation whose answer was partial.
        operation: &'static str,
    },
    /// A record read as a [`KintoneRecord`](crate::KintoneRecord) struct does not fit it: a
    /// field missing, of another type, empty, or out of the Rust type's range. The app's form
    /// and the struct differ.
    #[error("the record does not fit the struct")]
    Record(#[from] crate::error::decode::DecodeError),
    /// The task reading a record stream's pages stopped before the end without an error of its
    /// own: it panicked, or it was cancelled (its runtime shut down). The records handed out
    /// before are not all there are; the stream ends after this error.
    #[error("the record stream stopped before its end: its page reader {}", reader_stop(.panic))]
    StreamInterrupted {
        /// The panic's message, when the reader panicked; `None` when it was cancelled.
        panic: Option<String>,
    },
    /// Collecting every record into memory was refused before any page was read: the server
    /// announced more records than
    /// [`ClientBuilder::max_collected_records`](crate::ClientBuilder::max_collected_records)
    /// allows. Read them with [`Client::record_stream`](crate::Client::record_stream), which
    /// holds a bounded number of pages, or raise the maximum.
    #[error("the server announced {announced} records; at most {max} are collected into memory")]
    TooManyRecords {
        /// The `totalCount` the server announced.
        announced: u64,
        /// The most records collected into memory.
        max: u64,
    },
}

fn reader_stop(panic: &Option<String>) -> String {
    match panic {
        Some(message) => format!("panicked: {message}"),
        None => "was cancelled".to_string(),
    }
}

/// How a server's answers broke kintone's protocol; see [`Error::Protocol`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A cursor page said more records follow (`next: true`) but held none.
    #[error("the cursor said more records follow but sent an empty page")]
    EmptyPageWithMore,
    /// More records arrived than the server announced (`totalCount`).
    #[error("the server announced {announced} records and sent at least {received}")]
    MoreThanAnnounced {
        /// The `totalCount` the server announced.
        announced: u64,
        /// How many records had arrived.
        received: u64,
    },
    /// A page held more records than were asked for. Reading stops at the first record past
    /// those asked for, so that memory follows the page size asked for.
    #[error("a page held more than the {asked} records asked for (reading stopped at record {received})")]
    PageTooLarge {
        /// How many records were asked for.
        asked: usize,
        /// The record at which reading stopped: the first past those asked for.
        received: usize,
    },
    /// Reading by record id, a record's `$id` was not above the previous one's: the read
    /// would not advance.
    #[error("record id {received} came after record id {previous}; ids must increase")]
    IdNotIncreasing {
        /// The previous record's id.
        previous: u64,
        /// The id that did not increase.
        received: u64,
    },
    /// Reading by record id, a record came without its `$id`.
    #[error("a record came without its `$id`")]
    MissingId,
    /// A write answered a different number of results than it sent records.
    #[error("{sent} records were written and {received} results came back")]
    ResultCountMismatch {
        /// How many records were written.
        sent: usize,
        /// How many results came back.
        received: usize,
    },
}

/// Why an HTTP exchange did not complete. Opaque: the underlying error (from the HTTP
/// client or from a middleware layer) is its [`source`](std::error::Error::source).
pub struct TransportError {
    source: tower::BoxError,
    /// The kind of the request that did not complete (a write until known otherwise).
    request: RequestKind,
}

impl TransportError {
    pub(crate) fn new(source: impl Into<tower::BoxError>) -> Self {
        let source = source.into();
        // A layer may pass an error of ours through unchanged: keep it flat, not nested.
        match source.downcast::<TransportError>() {
            Ok(ours) => *ours,
            Err(source) => Self {
                source,
                request: RequestKind::Write,
            },
        }
    }

    /// Whether the exchange ran out of time: the client's
    /// [`timeout`](crate::ClientBuilder::timeout), or an I/O timeout underneath.
    pub fn is_timeout(&self) -> bool {
        self.chain().any(|e| {
            e.downcast_ref::<reqwest::Error>()
                .is_some_and(reqwest::Error::is_timeout)
                || e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        })
    }

    /// Whether the connection could not be made (DNS, refused, TLS handshake), so the request
    /// was never sent.
    pub fn is_connect(&self) -> bool {
        self.chain().any(|e| {
            e.downcast_ref::<reqwest::Error>()
                .is_some_and(reqwest::Error::is_connect)
        })
    }

    /// Whether the connection closed or was reset after the response began, so that its body
    /// arrived only in part.
    pub fn is_incomplete_response(&self) -> bool {
        self.chain().any(|e| {
            e.downcast_ref::<reqwest::Error>()
                .is_some_and(reqwest::Error::is_body)
                || e.downcast_ref::<std::io::Error>().is_some_and(|io| {
                    use std::io::ErrorKind::*;
                    matches!(
                        io.kind(),
                        UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe
                    )
                })
        })
    }

    fn is_reset(&self) -> bool {
        self.chain().any(|e| {
            e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionReset)
        })
    }

    fn chain(&self) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
        let first: &(dyn std::error::Error + 'static) = &*self.source;
        std::iter::successors(Some(first), |e| e.source())
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_timeout() {
            f.write_str("the request timed out")
        } else if self.is_connect() {
            f.write_str("the connection could not be made")
        } else if self.is_reset() {
            f.write_str("the connection was reset before the whole response arrived")
        } else if self.is_incomplete_response() {
            f.write_str("the connection closed before the whole response arrived")
        } else {
            f.write_str("the exchange failed")
        }
    }
}

impl std::fmt::Debug for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportError")
            .field("timeout", &self.is_timeout())
            .field("connect", &self.is_connect())
            .field("source", &self.source)
            .finish()
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// How much of a non-JSON body an error keeps.
pub const EXCERPT_BYTES: usize = 512;

/// The start of a body as text, cut at a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(EXCERPT_BYTES)]);
    text.trim_end_matches('\u{FFFD}').to_string()
}

impl Error {
    /// kintone's error, when kintone answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::UnexpectedBody { status, .. } | Error::ResponseTooLarge { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// kintone's error code (such as `GAIA_CO02`), when there is one.
    pub fn code(&self) -> Option<&str> {
        self.api().map(|e| e.code.as_str())
    }

    /// Whether nothing was sent because a check of the client failed first (a limit, a guest
    /// space, a value HTTP cannot carry). A connection that could not be made is not one:
    /// see [`TransportError::is_connect`].
    pub fn is_rejected_before_sending(&self) -> bool {
        match self {
            Error::Limit(_)
            | Error::NotInGuestSpace { .. }
            | Error::InvalidHeaderValue { .. }
            | Error::InvalidFileName { .. }
            | Error::InvalidContentType { .. }
            | Error::Serialize { .. }
            | Error::NotABulkWrite { .. } => true,
            // A connection that failed was not a check: see `TransportError::is_connect`.
            Error::Api(_)
            | Error::Transport(_)
            | Error::UnexpectedBody { .. }
            | Error::NoSuchBulkResult { .. }
            | Error::Decode { .. }
            | Error::ResponseTooLarge { .. }
            | Error::Write(_)
            | Error::Protocol(_)
            | Error::FilterAborted { .. }
            | Error::Record(_)
            | Error::StreamInterrupted { .. }
            | Error::TooManyRecords { .. } => false,
        }
    }

    /// Whether sending the same request again is safe and may succeed: exactly when a
    /// [`RetryPolicy`](crate::RetryPolicy) would retry it, by the one rule the policy's
    /// [module docs](crate::retry) state, for the kind of request the error answers
    /// ([`RequestKind`]).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => {
                reason_for_answer(e.request.is_read(), e.status, Some(&e.code)).is_some()
            }
            Error::UnexpectedBody {
                status,
                headers,
                request,
                ..
            } => {
                let code = headers
                    .get(crate::generated::headers::CYBOZU_ERROR_HEADER)
                    .and_then(|v| v.to_str().ok());
                reason_for_answer(request.is_read(), *status, code).is_some()
            }
            Error::Transport(e) => reason_for_transport(e.request.is_read(), e).is_some(),
            Error::Limit(_)
            | Error::NotInGuestSpace { .. }
            | Error::InvalidHeaderValue { .. }
            | Error::InvalidFileName { .. }
            | Error::InvalidContentType { .. }
            | Error::Serialize { .. }
            | Error::NotABulkWrite { .. }
            | Error::NoSuchBulkResult { .. }
            | Error::Decode { .. }
            | Error::ResponseTooLarge { .. }
            | Error::Protocol(_)
            | Error::FilterAborted { .. }
            | Error::Record(_)
            | Error::Write(_)
            | Error::StreamInterrupted { .. }
            | Error::TooManyRecords { .. } => false,
        }
    }

    /// Records what kind of request this error answers (errors are built before the request's
    /// kind is at hand, from the answer alone).
    pub(crate) fn answering(mut self, kind: RequestKind) -> Self {
        match &mut self {
            Error::Api(e) => e.request = kind,
            Error::UnexpectedBody { request, .. } => *request = kind,
            Error::Transport(e) => e.request = kind,
            _ => {}
        }
        self
    }

    /// Whether the request ran out of time (see [`TransportError::is_timeout`]).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(e) if e.is_timeout())
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

/// Response headers kept with an error. Read them as a [`HeaderMap`] (it derefs to one);
/// `Debug` prints only values that never carry a secret (no `Set-Cookie`, no `X-Cybozu-*`
/// credentials), the same redaction the proxy uses.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ResponseHeaders(HeaderMap);

impl ResponseHeaders {
    /// The headers themselves.
    pub fn into_inner(self) -> HeaderMap {
        self.0
    }
}

impl From<HeaderMap> for ResponseHeaders {
    fn from(headers: HeaderMap) -> Self {
        Self(headers)
    }
}

impl std::ops::Deref for ResponseHeaders {
    type Target = HeaderMap;
    fn deref(&self) -> &HeaderMap {
        &self.0
    }
}

impl std::fmt::Debug for ResponseHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::redact::Headers(&self.0).fmt(f)
    }
}

/// kintone's error body, with the status and headers it came with.
///
/// `Display` prints the code, status, id and message, then the first
/// [`SHOWN_FIELD_ERRORS`] messages of `errors` with their paths (kintone's reasons, such as
/// "This value already exists in another record.") and how many more there are; `errors`
/// holds them all.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Identifies the occurrence, for kintone support.
    pub id: String,
    /// The kind of error, such as `CB_VA01`.
    pub code: String,
    /// The message, in the user's language.
    pub message: String,
    /// Messages per offending value, keyed by its path (such as `record.Amount.value`).
    pub errors: BTreeMap<String, Vec<String>>,
    /// For a failed bulk request, the index (from 0) of the operation inside it that failed.
    pub bulk_index: Option<usize>,
    /// The response's headers (`X-Cybozu-Error`, the concurrency headers, …).
    pub headers: ResponseHeaders,
    /// Whether the request that got this answer read or wrote, which decides whether sending
    /// it again is safe ([`Error::is_retryable`]).
    pub request: RequestKind,
}

/// How many field messages an [`ApiError`] prints; the rest are counted.
pub const SHOWN_FIELD_ERRORS: usize = 3;

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "kintone error {} (HTTP {}, id {}): {}",
            self.code, self.status, self.id, self.message
        )?;
        let messages = self
            .errors
            .iter()
            .flat_map(|(path, messages)| messages.iter().map(move |m| (path, m)));
        let total = messages.clone().count();
        for (n, (path, message)) in messages.take(SHOWN_FIELD_ERRORS).enumerate() {
            let separator = if n == 0 { " " } else { "; " };
            write!(f, "{separator}{path}: {message}")?;
        }
        if total > SHOWN_FIELD_ERRORS {
            write!(f, " (and {} more)", total - SHOWN_FIELD_ERRORS)?;
        }
        if let Some(index) = self.bulk_index {
            write!(f, " (operation #{index} of the bulk request)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Whether a request read or wrote: the one fact, besides the answer, that decides whether it
/// may be sent again (see [`RetryPolicy`](crate::RetryPolicy)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RequestKind {
    /// `GET` (a tunnelled `GET` too).
    Read,
    /// Anything else, and what is not known to be a read.
    #[default]
    Write,
}

impl RequestKind {
    /// The kind of a request with this method (the tunnelled one, for a `POST` carrying
    /// `X-HTTP-Method-Override`).
    pub fn of(method: &http::Method) -> Self {
        if method == http::Method::GET || method == http::Method::HEAD {
            RequestKind::Read
        } else {
            RequestKind::Write
        }
    }

    /// Whether it is [`RequestKind::Read`].
    pub fn is_read(self) -> bool {
        self == RequestKind::Read
    }
}

/// A documented kintone limit that a request would break. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LimitError {
    /// A list has more items than kintone accepts.
    #[error("`{field}` has {actual} items; kintone accepts at most {max}")]
    TooManyItems {
        /// The field or parameter, as kintone names it.
        field: &'static str,
        /// The most kintone accepts.
        max: usize,
        /// What the request has.
        actual: usize,
    },
    /// A list has fewer items than kintone needs.
    #[error("`{field}` has {actual} items; kintone needs at least {min}")]
    TooFewItems {
        /// The field or parameter, as kintone names it.
        field: &'static str,
        /// The fewest kintone accepts (or the lowest value).
        min: usize,
        /// What the request has.
        actual: usize,
    },
    /// A text is longer than kintone accepts.
    #[error("`{field}` has {actual} characters; kintone accepts at most {max}")]
    TooLong {
        /// The field or parameter, as kintone names it.
        field: &'static str,
        /// The most kintone accepts.
        max: usize,
        /// What the request has.
        actual: usize,
    },
    /// A number is outside the range kintone accepts.
    #[error("`{field}` is {actual}; kintone accepts {}", range_text(*.min, *.max))]
    OutOfRange {
        /// The field or parameter, as kintone names it.
        field: &'static str,
        /// The fewest kintone accepts (or the lowest value).
        min: Option<i64>,
        /// The most kintone accepts.
        max: Option<i64>,
        /// What the request has.
        actual: i64,
    },
    /// A query's `limit` or `offset` is above kintone's maximum.
    #[error("`{field}` asks for `{clause} {actual}`; kintone accepts at most {max}")]
    QueryClause {
        /// The field or parameter, as kintone names it.
        field: &'static str,
        /// The clause: `limit` or `offset`.
        clause: &'static str,
        /// The most kintone accepts.
        max: u64,
        /// What the request has.
        actual: u64,
    },
    /// A query has a `limit` or `offset` clause where kintone refuses one (cursors).
    #[error("`{field}` may not contain a `{clause}` clause here")]
    QueryClauseNotAllowed {
        /// The field or parameter, as kintone names it.
        field: &'static str,
        /// The clause: `limit` or `offset`.
        clause: &'static str,
    },
    /// An id is 0; kintone's ids start at 1.
    #[error("`{field}` is 0; kintone's ids start at 1")]
    ZeroId {
        /// The field or parameter, as kintone names it.
        field: &'static str,
    },
    /// Not exactly one of fields that exclude each other is set (an id or an update key, say).
    #[error("exactly one of {fields:?} must be set, found {found}")]
    ExactlyOneOf {
        /// The fields of which exactly one must be set.
        fields: &'static [&'static str],
        /// How many of them are set.
        found: usize,
    },
    /// A path parameter's value would change which path is called: empty, or with an empty,
    /// `.` or `..` segment.
    #[error("`{field}` cannot be {value:?}: it would name another path")]
    PathValue {
        /// The parameter, as kintone names it.
        field: &'static str,
        /// The value given.
        value: String,
    },
}

fn range_text(min: Option<i64>, max: Option<i64>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("{lo} to {hi}"),
        (Some(lo), None) => format!("{lo} or more"),
        (None, Some(hi)) => format!("at most {hi}"),
        (None, None) => "any value".into(),
    }
}

impl LimitError {
    /// Checks that an id is not 0: kintone's app, record, comment and space ids start at 1.
    pub fn check_id(field: &'static str, id: u64) -> Result<(), LimitError> {
        if id == 0 {
            Err(LimitError::ZeroId { field })
        } else {
            Ok(())
        }
    }

    /// Checks that a list has at most `max` items.
    pub fn check_max_items(
        field: &'static str,
        actual: usize,
        max: usize,
    ) -> Result<(), LimitError> {
        if actual > max {
            Err(LimitError::TooManyItems { field, max, actual })
        } else {
            Ok(())
        }
    }

    /// Checks that a list has at least `min` items.
    pub fn check_min_items(
        field: &'static str,
        actual: usize,
        min: usize,
    ) -> Result<(), LimitError> {
        if actual < min {
            Err(LimitError::TooFewItems { field, min, actual })
        } else {
            Ok(())
        }
    }

    /// Checks that a text has at most `max` characters (Unicode scalar values, as kintone counts).
    pub fn check_length(field: &'static str, text: &str, max: usize) -> Result<(), LimitError> {
        let actual = text.chars().count();
        if actual > max {
            Err(LimitError::TooLong { field, max, actual })
        } else {
            Ok(())
        }
    }

    /// Checks an integer against an inclusive range.
    pub fn check_range(
        field: &'static str,
        actual: i64,
        min: Option<i64>,
        max: Option<i64>,
    ) -> Result<(), LimitError> {
        let low = min.is_some_and(|m| actual < m);
        let high = max.is_some_and(|m| actual > m);
        if low || high {
            Err(LimitError::OutOfRange {
                field,
                min,
                max,
                actual,
            })
        } else {
            Ok(())
        }
    }
}

/// Why an answer is retried, if it is: the one rule, which [`Error::is_retryable`] and
/// the retry layer ([`crate::retry`]) both apply (with the kind of request the error answers).
pub(crate) fn reason_for_answer(
    read: bool,
    status: StatusCode,
    code: Option<&str>,
) -> Option<&'static str> {
    match (status, code) {
        (StatusCode::TOO_MANY_REQUESTS, Some(GAIA_TO04)) => Some(GAIA_TO04),
        // Named so that no later rule makes it retryable by its status.
        (StatusCode::TOO_MANY_REQUESTS, Some(GAIA_TM12)) => None,
        (StatusCode::BAD_GATEWAY, _) if read => Some("HTTP 502"),
        (StatusCode::SERVICE_UNAVAILABLE, _) if read => Some("HTTP 503"),
        (StatusCode::GATEWAY_TIMEOUT, _) if read => Some("HTTP 504"),
        _ => None,
    }
}

/// Why a failed exchange is retried, if it is.
pub(crate) fn reason_for_transport(read: bool, error: &TransportError) -> Option<&'static str> {
    if error.is_connect() {
        Some("connection failed")
    } else if read {
        Some(if error.is_timeout() {
            "timed out"
        } else {
            "exchange failed"
        })
    } else {
        None
    }
}

#[cfg(test)]
mod redaction_tests {
    use super::*;

    #[test]
    fn errors_never_print_cookies_or_credentials_from_response_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", "JSESSIONID=s3cr3t".parse().unwrap());
        headers.insert("x-cybozu-error", "GAIA_CO02".parse().unwrap());
        let api = Error::from(ApiError {
            status: StatusCode::CONFLICT,
            id: "1".into(),
            code: "GAIA_CO02".into(),
            message: "stale".into(),
            errors: BTreeMap::new(),
            bulk_index: None,
            headers: headers.clone().into(),
            request: RequestKind::Write,
        });
        let page = Error::UnexpectedBody {
            status: StatusCode::SERVICE_UNAVAILABLE,
            content_type: "text/html".into(),
            excerpt: "<html>".into(),
            headers: Box::new(headers.into()),
            request: RequestKind::Read,
        };
        for err in [api, page] {
            let shown = format!("{err:?}");
            assert!(!shown.contains("s3cr3t"), "{shown}");
            assert!(shown.contains("set-cookie"), "{shown}");
        }
    }
}

#[cfg(test)]
pub(crate) mod display_tests {
    use super::*;

    fn api_error(errors: &[(&str, &str)], bulk_index: Option<usize>) -> ApiError {
        let mut by_path: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (path, message) in errors {
            by_path
                .entry(path.to_string())
                .or_default()
                .push(message.to_string());
        }
        ApiError {
            status: StatusCode::BAD_REQUEST,
            id: "e1".into(),
            code: "CB_VA01".into(),
            message: "Missing or invalid input.".into(),
            errors: by_path,
            bulk_index,
            headers: ResponseHeaders::default(),
            request: RequestKind::Write,
        }
    }

    #[test]
    fn display_gives_kintones_reasons_for_the_first_fields_and_counts_the_rest() {
        let shown = api_error(
            &[
                (
                    "records[0].Code.value",
                    "This value already exists in another record.",
                ),
                ("records[1].Mail.value", "Enter an e-mail address."),
                ("records[2].Mail.value", "Enter an e-mail address."),
                ("records[3].Mail.value", "Enter an e-mail address."),
                ("records[4].Mail.value", "Enter an e-mail address."),
            ],
            None,
        )
        .to_string();
        assert_eq!(
            shown,
            "kintone error CB_VA01 (HTTP 400 Bad Request, id e1): Missing or invalid input. \
             records[0].Code.value: This value already exists in another record.; \
             records[1].Mail.value: Enter an e-mail address.; \
             records[2].Mail.value: Enter an e-mail address. (and 2 more)"
        );
        let plain = api_error(&[], None).to_string();
        assert!(plain.ends_with("Missing or invalid input."), "{plain}");
    }

    #[test]
    fn a_failed_bulk_request_names_the_operation_inside_it() {
        let shown = api_error(
            &[("records[0].Mail.value", "Enter an e-mail address.")],
            Some(1),
        )
        .to_string();
        assert!(
            shown.ends_with("(operation #1 of the bulk request)"),
            "{shown}"
        );
        assert!(!shown.contains("bulk request #"), "{shown}");
    }

    /// Fails when an error's message holds its source's message: a reporter that prints the
    /// chain would print the cause twice.
    pub(crate) fn assert_each_cause_printed_once(error: &(dyn std::error::Error + 'static)) {
        let mut level = Some(error);
        while let Some(error) = level {
            let source = error.source();
            if let Some(source) = source {
                let (outer, inner) = (error.to_string(), source.to_string());
                assert!(
                    !outer.contains(&inner),
                    "{outer:?} repeats its source {inner:?}"
                );
            }
            level = source;
        }
    }

    #[test]
    fn no_error_repeats_its_cause() {
        let json = || serde_json::from_str::<u8>("x").unwrap_err();
        let io = || std::io::Error::other("disk full");
        let decode = crate::records::typed::DecodeError::unknown("Title");
        let errors = [
            Error::Serialize {
                operation: "addRecord",
                source: json(),
            },
            Error::Decode {
                operation: "getRecord",
                source: json(),
                excerpt: "x".into(),
            },
            Error::Write(io()),
            Error::Transport(TransportError::new(io())),
            Error::Record(decode),
        ];
        for error in &errors {
            assert!(
                std::error::Error::source(error).is_some(),
                "{error:?} keeps its cause"
            );
            assert_each_cause_printed_once(error);
        }
        for definition in [
            crate::jobs::app_definition::DefinitionError::Read {
                app: crate::AppId::from(3u64),
                setting: crate::jobs::app_definition::Setting::Fields,
                source: Error::Write(io()),
            },
            crate::jobs::app_definition::DefinitionError::Apply {
                app: crate::AppId::from(3u64),
                setting: crate::jobs::app_definition::Setting::Fields,
                written: Vec::new(),
                reverted: true,
                source: Error::Write(io()),
            },
        ] {
            assert!(std::error::Error::source(&definition).is_some());
            assert_each_cause_printed_once(&definition);
        }
    }
}

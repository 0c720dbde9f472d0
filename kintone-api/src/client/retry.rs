//! Retrying what is safe to retry: [`RetryPolicy`], installed with
//! [`ClientBuilder::retry`](crate::ClientBuilder::retry) (or as a [`tower::Layer`] with
//! [`ClientBuilder::layer`](crate::ClientBuilder::layer)).
//!
//! A retry must never write twice, so the policy decides on what the failure proves:
//!
//! | failure | reads (`GET`, tunnelled `GET` too) | writes (`POST`, `PUT`, `DELETE`) |
//! |---|---|---|
//! | `429` with kintone's code `GAIA_TO04` (too many concurrent requests: refused before running) | retried | retried |
//! | the connection could not be made (nothing was sent) | retried | retried |
//! | any other transport failure (a timeout, a connection dropped mid-answer) | retried | not retried: the write may have happened |
//! | `502`, `503`, `504` (a gateway or maintenance page) | retried | not retried |
//! | `429` with `GAIA_TM12` (too many cursors), or any other answer | not retried | not retried |
//!
//! [`Error::is_retryable`](crate::Error::is_retryable) answers by this same table for an error
//! in hand (it knows whether its request read or wrote).
//!
//! `GAIA_TM12` is left to the caller on purpose: retrying a cursor creation blindly would
//! keep asking while the caller's own cursors stay open; close cursors, then try again.
//!
//! Waits grow exponentially with jitter ([`backon`]'s exponential backoff); a `Retry-After`
//! header given in seconds replaces the computed wait. The number of attempts and the total
//! time, waits and attempts included, are both bounded: when the next wait would reach the
//! end of the total (whatever a `Retry-After` asks for, however large), the last answer is
//! returned as it came, and the last attempt's timeout is cut to what is left of the total. Each retry is a `WARN` event (target `kintone_api`) with the
//! fields `attempt` (the attempt that failed, from 1), `wait_ms` and `reason`.
//!
//! A request whose body is a stream (a file upload) is sent once: its body cannot be sent again.
//! Waits run on `tokio::time`, so tests can run them in paused time.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use backon::BackoffBuilder;
use bytes::{Bytes, BytesMut};
use http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt;
use tower::{Layer, Service, ServiceExt};

use crate::client::middleware::{BoxError, Deadline, HttpRequest, HttpResponse, HttpService};
use crate::error::{reason_for_answer, reason_for_transport};
use crate::generated::headers::CYBOZU_ERROR_HEADER;
use crate::generated::METHOD_OVERRIDE_HEADER;
use crate::{RequestKind, TransportError};

/// The most bytes of a `429` body read to find kintone's error code; kintone's are under 200.
const CODE_BODY_BYTES: usize = 16 * 1024;

/// When and how often a failed exchange is tried again; see the [module](self) for what is
/// retried. Cheap to clone.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    first_wait: Duration,
    max_wait: Duration,
    max_total: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    /// 4 attempts, waits from 500 ms doubling up to 10 s (plus up to as much again of jitter),
    /// 60 s in all.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            first_wait: Duration::from_millis(500),
            max_wait: Duration::from_secs(10),
            max_total: Duration::from_secs(60),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// The default policy: see [`Default`](#impl-Default-for-RetryPolicy).
    pub fn new() -> Self {
        Self::default()
    }

    /// The most attempts of one exchange, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry; each later wait doubles, up to
    /// [`max_wait`](Self::max_wait).
    pub fn first_wait(mut self, wait: Duration) -> Self {
        self.first_wait = wait;
        self
    }

    /// The longest computed wait (before jitter). A `Retry-After` may ask for longer; it is
    /// honoured while it fits in [`max_total`](Self::max_total).
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// The most time one exchange may take, its attempts and waits together: a retry whose
    /// wait would end at or past it is not made (a `Retry-After` asking for that ends the
    /// retries with the answer that carried it), and each attempt's
    /// [timeout](crate::ClientBuilder::timeout) is cut to what is left of it. The first attempt
    /// counts too: a total shorter than the client's timeout cuts it.
    pub fn max_total(mut self, total: Duration) -> Self {
        self.max_total = total;
        self
    }

    /// Whether each computed wait gets a random extra of up to its own length (on unless set),
    /// so that many clients refused at once do not all come back at once.
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    fn waits(&self) -> backon::ExponentialBackoff {
        let builder = backon::ExponentialBuilder::default()
            .with_min_delay(self.first_wait)
            .with_max_delay(self.max_wait)
            .with_factor(2.0)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize);
        if self.jitter {
            builder.with_jitter().build()
        } else {
            builder.build()
        }
    }
}

impl Layer<HttpService> for RetryPolicy {
    type Service = Retry;

    fn layer(&self, inner: HttpService) -> Retry {
        Retry {
            inner,
            policy: self.clone(),
        }
    }
}

/// The service of a [`RetryPolicy`]: the rest of the stack, tried again when the policy says so.
#[derive(Clone)]
pub struct Retry {
    inner: HttpService,
    policy: RetryPolicy,
}

impl std::fmt::Debug for Retry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Retry")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Service<HttpRequest> for Retry {
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Each attempt readies its own clone of the stack.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        let inner = self.inner.clone();
        let policy = self.policy.clone();
        Box::pin(run(policy, inner, request))
    }
}

/// A request that can be sent again: everything but the body is cloned, and the body is kept
/// as bytes.
struct Reusable {
    head: http::request::Parts,
    body: Bytes,
}

impl Reusable {
    fn attempt(&self) -> HttpRequest {
        let mut request = http::Request::new(reqwest::Body::from(self.body.clone()));
        *request.method_mut() = self.head.method.clone();
        *request.uri_mut() = self.head.uri.clone();
        *request.version_mut() = self.head.version;
        *request.headers_mut() = self.head.headers.clone();
        *request.extensions_mut() = self.head.extensions.clone();
        request
    }
}

async fn run(
    policy: RetryPolicy,
    inner: HttpService,
    request: HttpRequest,
) -> Result<HttpResponse, BoxError> {
    let read = is_read(request.method(), request.headers());
    let Some(body) = request.body().as_bytes().map(Bytes::copy_from_slice) else {
        return inner.oneshot(request).await;
    };
    let (head, _) = request.into_parts();
    let request = Reusable { head, body };
    // `None`: a total so large that no deadline can be written down, which is none at all.
    let deadline = tokio::time::Instant::now().checked_add(policy.max_total);
    let mut waits = policy.waits();
    let mut attempt = 1u32;
    loop {
        let outcome = match attempt_within(&inner, request.attempt(), deadline).await {
            Ok(response) => Outcome::from_response(response).await,
            Err(error) => Outcome::Failed(TransportError::new(error)),
        };
        let Some(reason) = outcome.retry_reason(read) else {
            return outcome.finish();
        };
        let Some(computed) = waits.next() else {
            return outcome.finish();
        };
        let wait = outcome.retry_after().unwrap_or(computed);
        // Compared with what is left rather than added to the clock: a `Retry-After` of any
        // size (up to `Duration::MAX`) then ends the retries instead of overflowing the clock.
        // An attempt that would start at the deadline would have no time left to run.
        if let Some(deadline) = deadline {
            if wait >= deadline.saturating_duration_since(tokio::time::Instant::now()) {
                return outcome.finish();
            }
        }
        tracing::warn!(
            target: "kintone_api",
            attempt,
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            reason,
            "retrying the kintone request",
        );
        drop(outcome);
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// One attempt, cut to what is left of the total: the request carries the deadline, so that
/// the innermost service shortens the client's timeout to it (the timeout covers reading the
/// body too), and the wait for the answer's head ends there whatever the layers do.
async fn attempt_within(
    inner: &HttpService,
    mut request: HttpRequest,
    deadline: Option<tokio::time::Instant>,
) -> Result<HttpResponse, BoxError> {
    let Some(deadline) = deadline else {
        return inner.clone().oneshot(request).await;
    };
    request.extensions_mut().insert(Deadline(deadline));
    match tokio::time::timeout_at(deadline, inner.clone().oneshot(request)).await {
        Ok(answer) => answer,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the retry policy's total time ran out",
        )
        .into()),
    }
}

/// A `GET`, or a `GET` tunnelled through `POST` with `X-HTTP-Method-Override`.
fn is_read(method: &Method, headers: &HeaderMap) -> bool {
    let tunnelled = headers
        .get(METHOD_OVERRIDE_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Method::from_bytes(v.to_ascii_uppercase().as_bytes()).ok());
    RequestKind::of(tunnelled.as_ref().unwrap_or(method)).is_read()
}

/// What one attempt came back with.
enum Outcome {
    /// An answer, its body still to be read, or already read (for a `429`) and kept here.
    Answered {
        response: HttpResponse,
        code: Option<String>,
    },
    Failed(TransportError),
}

impl Outcome {
    async fn from_response(response: HttpResponse) -> Self {
        if response.status() != StatusCode::TOO_MANY_REQUESTS {
            return Outcome::Answered {
                response,
                code: None,
            };
        }
        let (parts, body) = response.into_parts();
        let (body, code) = read_code(&parts.headers, body).await;
        Outcome::Answered {
            response: HttpResponse::from_parts(parts, body),
            code,
        }
    }

    fn retry_reason(&self, read: bool) -> Option<&'static str> {
        match self {
            Outcome::Answered { response, code } => {
                reason_for_answer(read, response.status(), code.as_deref())
            }
            Outcome::Failed(error) => reason_for_transport(read, error),
        }
    }

    /// `Retry-After` in seconds (kintone's `429` and maintenance answers may carry one); an
    /// HTTP date is not read, and the computed wait applies. A number of seconds too large
    /// for a `u64` is read as the longest wait there is, which no total allows.
    fn retry_after(&self) -> Option<Duration> {
        let Outcome::Answered { response, .. } = self else {
            return None;
        };
        let text = response
            .headers()
            .get(http::header::RETRY_AFTER)?
            .to_str()
            .ok()?
            .trim();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(text.parse().map_or(Duration::MAX, Duration::from_secs))
    }

    fn finish(self) -> Result<HttpResponse, BoxError> {
        match self {
            Outcome::Answered { response, .. } => Ok(response),
            Outcome::Failed(error) => Err(error.into()),
        }
    }
}

/// Reads up to [`CODE_BODY_BYTES`] of an error body for kintone's `code` (or, without one, the
/// `X-Cybozu-Error` header), and gives back a body that still holds every byte.
async fn read_code(
    headers: &HeaderMap,
    mut body: reqwest::Body,
) -> (reqwest::Body, Option<String>) {
    let header_code = || {
        headers
            .get(CYBOZU_ERROR_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let mut read = BytesMut::new();
    loop {
        match body.frame().await {
            None => break,
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    read.extend_from_slice(&data);
                    if read.len() > CODE_BODY_BYTES {
                        // Not a kintone error body: hand on what was read and the rest unread.
                        let rest = http_body_util::BodyDataStream::new(body);
                        let first =
                            futures_util::stream::once(std::future::ready(
                                Ok::<_, reqwest::Error>(read.freeze()),
                            ));
                        let whole = futures_util::StreamExt::chain(first, rest);
                        return (reqwest::Body::wrap_stream(whole), header_code());
                    }
                }
            }
            Some(Err(error)) => {
                // The body broke: the error reaches the reader of the rebuilt body.
                let first = futures_util::stream::iter([Ok(read.freeze()), Err(error)]);
                return (reqwest::Body::wrap_stream(first), header_code());
            }
        }
    }
    let read = read.freeze();
    #[derive(serde::Deserialize)]
    struct Code {
        code: Option<String>,
    }
    let code = serde_json::from_slice::<Code>(&read)
        .ok()
        .and_then(|c| c.code)
        .or_else(header_code);
    (reqwest::Body::from(read), code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generated::error_codes::{GAIA_TM12, GAIA_TO04};

    #[test]
    fn writes_are_retried_only_when_nothing_was_written() {
        let too_many = StatusCode::TOO_MANY_REQUESTS;
        for read in [true, false] {
            assert_eq!(
                reason_for_answer(read, too_many, Some(GAIA_TO04)),
                Some(GAIA_TO04)
            );
            assert_eq!(reason_for_answer(read, too_many, Some(GAIA_TM12)), None);
            assert_eq!(reason_for_answer(read, too_many, None), None);
            assert_eq!(
                reason_for_answer(read, StatusCode::INTERNAL_SERVER_ERROR, None),
                None
            );
        }
        assert_eq!(
            reason_for_answer(true, StatusCode::SERVICE_UNAVAILABLE, None),
            Some("HTTP 503")
        );
        assert_eq!(
            reason_for_answer(false, StatusCode::SERVICE_UNAVAILABLE, None),
            None
        );
        // The code decides, not the status: a GAIA_TO04 under another status is not a 429.
        assert_eq!(
            reason_for_answer(false, StatusCode::BAD_REQUEST, Some(GAIA_TO04)),
            None
        );
    }

    #[test]
    fn a_tunnelled_get_is_a_read() {
        let mut headers = HeaderMap::new();
        assert!(is_read(&Method::GET, &headers));
        assert!(!is_read(&Method::POST, &headers));
        headers.insert(
            METHOD_OVERRIDE_HEADER,
            http::HeaderValue::from_static("GET"),
        );
        assert!(is_read(&Method::POST, &headers));
        headers.insert(
            METHOD_OVERRIDE_HEADER,
            http::HeaderValue::from_static("DELETE"),
        );
        assert!(!is_read(&Method::POST, &headers));
    }

    #[test]
    fn retry_after_is_read_in_seconds_and_past_u64_as_the_longest_wait() {
        let read = |value: &str| {
            let response = http::Response::builder()
                .status(StatusCode::TOO_MANY_REQUESTS)
                .header(http::header::RETRY_AFTER, value)
                .body(reqwest::Body::from(""))
                .unwrap();
            Outcome::Answered {
                response,
                code: None,
            }
            .retry_after()
        };
        assert_eq!(read(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            read("18446744073709551615"),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(read("18446744073709551616"), Some(Duration::MAX));
        for not_seconds in ["", "-1", "+1", "1.5", "Wed, 21 Oct 2026 07:28:00 GMT"] {
            assert_eq!(read(not_seconds), None, "{not_seconds:?}");
        }
    }

    async fn whole(body: reqwest::Body) -> Vec<u8> {
        body.collect().await.unwrap().to_bytes().to_vec()
    }

    #[tokio::test]
    async fn the_code_is_read_and_the_body_given_back_whole() {
        let small = br#"{"id":"1","code":"GAIA_TO04","message":"m"}"#.to_vec();
        let (body, code) = read_code(&HeaderMap::new(), small.clone().into()).await;
        assert_eq!(code.as_deref(), Some(GAIA_TO04));
        assert_eq!(whole(body).await, small);

        // Past the cap, in chunks: what was read and what was not come back in order.
        let chunks: Vec<Result<Bytes, std::io::Error>> = (0..40u8)
            .map(|i| Ok(Bytes::from(vec![b'a' + i % 26; 1024])))
            .collect();
        let expected: Vec<u8> = (0..40u8).flat_map(|i| vec![b'a' + i % 26; 1024]).collect();
        let streamed = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
        let mut headers = HeaderMap::new();
        headers.insert(
            CYBOZU_ERROR_HEADER,
            http::HeaderValue::from_static("GAIA_TM12"),
        );
        let (body, code) = read_code(&headers, streamed).await;
        assert_eq!(
            code.as_deref(),
            Some(GAIA_TM12),
            "the header names the code"
        );
        assert_eq!(whole(body).await, expected);
    }
}

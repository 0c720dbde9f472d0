//! The middleware seam: every HTTP exchange of a [`Client`](crate::Client) goes through a
//! [`tower`] service stack, so retries, concurrency limits, tracing or test doubles can be added
//! with [`ClientBuilder::layer`](crate::ClientBuilder::layer) without touching any operation.
//!
//! The innermost service sends the request with the client's `reqwest::Client`. Layers see
//! the finished request: the URI, the method (after any `X-HTTP-Method-Override` tunnelling),
//! the body and every header, the credentials included, so a layer that logs must leave the
//! values of `Authorization` and `X-Cybozu-*` headers out (they are marked
//! [sensitive](http::HeaderValue::is_sensitive)).
//!
//! A layer may answer by itself, without calling the service it wraps, and its answer is
//! decoded as if kintone had sent it. An error a layer returns becomes
//! [`Error::Transport`](crate::Error::Transport), with the layer's error as the source of the
//! [`TransportError`].
//!
//! ```
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::sync::Arc;
//!
//! use kintone_api::middleware::HttpRequest;
//!
//! let sent = Arc::new(AtomicUsize::new(0));
//! let counter = Arc::clone(&sent);
//! let client = kintone_api::Client::builder("https://example.kintone.com")
//!     .api_token("TOKEN")
//!     .layer(tower::util::MapRequestLayer::new(move |request: HttpRequest| {
//!         counter.fetch_add(1, Ordering::Relaxed);
//!         request
//!     }))
//!     .build()?;
//! # Ok::<(), kintone_api::BuildError>(())
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tower::Service;

use crate::TransportError;

pub use reqwest::Body;
pub use tower::BoxError;

/// A request as it goes through the stack.
pub type HttpRequest = http::Request<Body>;

/// A response as it comes back through the stack; its body is read after the stack returns.
pub type HttpResponse = http::Response<Body>;

/// The service a layer wraps: the rest of the stack, down to the HTTP client.
pub type HttpService = tower::util::BoxCloneSyncService<HttpRequest, HttpResponse, BoxError>;

/// One [`ClientBuilder::layer`](crate::ClientBuilder::layer) call, applied at build time when
/// the innermost service exists.
pub(crate) type Wrap = Box<dyn FnOnce(HttpService) -> HttpService + Send>;

/// When the whole exchange must be over, set on a request by the
/// [retry policy](crate::RetryPolicy): the innermost service cuts the client's timeout to it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline(pub(crate) tokio::time::Instant);

/// The innermost service: sends with a `reqwest::Client` and applies the client's timeout to
/// requests that carry none, so that a user-supplied `reqwest::Client` gets it too; a
/// [`Deadline`] cuts it.
#[derive(Clone)]
pub(crate) struct ReqwestService {
    pub(crate) http: reqwest::Client,
    pub(crate) timeout: Duration,
}

impl Service<HttpRequest> for ReqwestService {
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        let http = self.http.clone();
        let timeout = self.timeout;
        let left = request
            .extensions()
            .get::<Deadline>()
            .map(|Deadline(at)| at.saturating_duration_since(tokio::time::Instant::now()));
        Box::pin(async move {
            let mut request = reqwest::Request::try_from(request).map_err(TransportError::new)?;
            let timeout = request.timeout().copied().unwrap_or(timeout);
            *request.timeout_mut() = Some(left.map_or(timeout, |left| timeout.min(left)));
            let response = http.execute(request).await.map_err(TransportError::new)?;
            Ok(HttpResponse::from(response))
        })
    }
}

//! The client's own concurrency limit, and what kintone says about the domain's.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_util::StreamExt;
use tokio::sync::Semaphore;
use tower::{Service, ServiceExt};

use crate::client::middleware::{BoxError, HttpRequest, HttpResponse, HttpService};
use crate::Concurrency;

/// How many requests a client (all its clones together) runs at once unless told otherwise.
///
/// kintone runs at most [`MAX_CONCURRENT_REQUESTS`](crate::limits::MAX_CONCURRENT_REQUESTS)
/// requests at once for a whole domain, and refuses the next with `429 GAIA_TO04`. That budget
/// is shared by every client of the domain: other services, plug-ins, people's browsers. One
/// client taking a tenth of it leaves room for the rest, and is still more than a single
/// process usually gains from (kintone serves one domain's requests from shared capacity).
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 10;

/// Holds a permit of the client's semaphore from sending until the answer's body is read or
/// dropped: the request runs on kintone until its answer has been sent.
#[derive(Clone)]
pub(crate) struct Limit {
    pub(crate) inner: HttpService,
    pub(crate) permits: Arc<Semaphore>,
}

impl Service<HttpRequest> for Limit {
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // The permit is taken per call, so that a call waiting for one can be dropped freely.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        let inner = self.inner.clone();
        let permits = Arc::clone(&self.permits);
        Box::pin(async move {
            let permit = permits.acquire_owned().await?;
            let response = inner.oneshot(request).await?;
            Ok(response.map(|body| {
                let chunks = http_body_util::BodyDataStream::new(body).map(move |chunk| {
                    let _held = &permit;
                    chunk
                });
                reqwest::Body::wrap_stream(chunks)
            }))
        })
    }
}

/// Keeps the last `X-ConcurrencyLimit-Limit` and `-Running` values any answer carried.
#[derive(Clone)]
pub(crate) struct Observe {
    pub(crate) inner: HttpService,
    pub(crate) seen: Arc<Mutex<Concurrency>>,
}

impl Service<HttpRequest> for Observe {
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HttpRequest) -> Self::Future {
        let call = self.inner.call(request);
        let seen = Arc::clone(&self.seen);
        Box::pin(async move {
            let response = call.await?;
            let now = Concurrency::from_headers(response.headers());
            if now != Concurrency::default() {
                *seen.lock().unwrap_or_else(|e| e.into_inner()) = now;
            }
            Ok(response)
        })
    }
}

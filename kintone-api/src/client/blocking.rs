//! A client without async, for programs that do not run an async runtime (feature `blocking`).
//!
//! ```no_run
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = kintone_api::Client::builder("https://example.kintone.com")
//!     .api_token("TOKEN")
//!     .build_blocking()?;
//! let record = client.records().get_record(1, 5).send()?;
//! println!("{:?}", record.record.get("Title"));
//! # Ok(()) }
//! ```
//!
//! The same handlers, requests, checks, errors, layers, retries and concurrency limit as the
//! async [`Client`](crate::Client): each call runs the async client to completion on a small
//! runtime the blocking client owns (one worker thread keeps its connections served between
//! calls). Calls from several threads at once are fine. Inside an async runtime it panics, as
//! blocking there would stall the runtime's own thread: use the async client there.

use std::sync::Arc;

use crate::client::call::Call;
use crate::runtime::Operation;
use crate::{BuildError, BulkRequest, BulkRequestResponse, Concurrency, Error, Response};

/// A blocking kintone client. Cheap to clone; clones share the connections, the limits and the
/// runtime.
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<Runtime>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("blocking::Client")
            .field("client", &self.inner)
            .finish()
    }
}

/// The runtime, shut down without waiting when the last clone goes, so that dropping the
/// client never blocks (and never panics inside an async context).
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

fn refuse_inside_async(what: &str) {
    if tokio::runtime::Handle::try_current().is_ok() {
        panic!(
            "kintone_api::blocking::Client::{what} was called inside an async runtime, where \
             blocking would stall it: use kintone_api::Client there, or call the blocking \
             client from a thread of its own (such as tokio::task::spawn_blocking)"
        );
    }
}

impl crate::ClientBuilder {
    /// Checks the settings and builds a [blocking client](Client).
    ///
    /// # Panics
    ///
    /// Inside an async runtime.
    pub fn build_blocking(self) -> Result<Client, BuildError> {
        refuse_inside_async("build_blocking");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("kintone-blocking")
            .enable_all()
            .build()
            .map_err(BuildError::Runtime)?;
        Ok(Client {
            inner: self.build()?,
            runtime: Arc::new(Runtime(Some(runtime))),
        })
    }
}

impl Client {
    /// Starts a client for a domain, such as `https://example.kintone.com`; finish it with
    /// [`build_blocking`](crate::ClientBuilder::build_blocking).
    pub fn builder(base_url: impl Into<String>) -> crate::ClientBuilder {
        crate::Client::builder(base_url)
    }

    fn block_on<F: std::future::Future>(&self, what: &str, future: F) -> F::Output {
        refuse_inside_async(what);
        let runtime = self.runtime.0.as_ref().expect("set until dropped");
        runtime.block_on(future)
    }

    /// Checks and sends any operation's request, and waits for the answer.
    ///
    /// # Panics
    ///
    /// Inside an async runtime.
    pub fn send<O: Operation>(&self, request: O) -> Result<Response<O::Response>, Error> {
        self.block_on("send", self.inner.send(request))
    }

    /// Sends a [`BulkRequest`], and waits for the answer.
    ///
    /// # Panics
    ///
    /// Inside an async runtime.
    pub fn send_bulk(&self, bulk: BulkRequest) -> Result<Response<BulkRequestResponse>, Error> {
        self.block_on("send_bulk", self.inner.send_bulk(bulk))
    }

    /// See [`crate::Client::concurrency`].
    pub fn concurrency(&self) -> Concurrency {
        self.inner.concurrency()
    }

    /// The guest space this client works in, if any.
    pub fn guest_space(&self) -> Option<u64> {
        self.inner.guest_space()
    }

    /// The async client underneath, sharing connections and limits with this one.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// Runs a job of the async client to its end on this client's runtime, and returns its
    /// result: the whole-app helpers without async.
    ///
    /// ```no_run
    /// # fn run(client: kintone_api::blocking::Client, inputs: Vec<kintone_api::RecordInput>)
    /// # -> Result<(), Box<dyn std::error::Error>> {
    /// let report = client.run(client.as_async().add_all(1, inputs).send())?;
    /// println!("{} records added", report.committed().len());
    /// client.run(client.as_async().deploy_and_wait([1]).send())?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Panics
    ///
    /// Inside an async runtime.
    pub fn run<F: std::future::Future>(&self, job: F) -> F::Output {
        self.block_on("run", job)
    }

    /// A stream of the async client as an [`Iterator`]: each item is waited for on this
    /// client's runtime.
    ///
    /// ```no_run
    /// # fn run(client: kintone_api::blocking::Client) -> Result<(), kintone_api::Error> {
    /// let records = client.as_async().record_stream(1).query("Amount > 100").build();
    /// for record in client.iter(records) {
    ///     println!("{:?}", record?.get("Title"));
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// Dropping the iterator drops the stream: a cursor it holds is deleted in the background
    /// while this client (or a clone) lives; `client.run(stream.close())` waits for it.
    ///
    /// # Panics
    ///
    /// [`next`](Iterator::next) panics inside an async runtime.
    pub fn iter<S: futures_util::Stream + Unpin>(&self, stream: S) -> Iter<S> {
        Iter {
            stream,
            client: self.clone(),
        }
    }
}

/// A stream of the async client read as an [`Iterator`]; from [`Client::iter`].
#[must_use = "an iterator does nothing unless iterated"]
pub struct Iter<S> {
    stream: S,
    client: Client,
}

impl<S: futures_util::Stream + Unpin> Iterator for Iter<S> {
    type Item = S::Item;

    fn next(&mut self) -> Option<S::Item> {
        let next = futures_util::StreamExt::next(&mut self.stream);
        self.client.block_on("iter", next)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stream.size_hint()
    }
}

impl<S: std::fmt::Debug> std::fmt::Debug for Iter<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("blocking::Iter")
            .field("stream", &self.stream)
            .finish()
    }
}

impl<R: Operation> Call<'_, R, Client> {
    /// Checks the request, sends it and waits for the answer.
    ///
    /// # Panics
    ///
    /// Inside an async runtime.
    pub fn send(self) -> Result<Response<R::Response>, Error> {
        self.client.send(self.request)
    }
}

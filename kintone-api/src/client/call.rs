//! [`Call`]: a request bound to a client, to set optional parameters on and send.

use crate::runtime::{HasPreview, Operation, Preview};
use crate::{Client, Download, DownloadStream, Error, Response};

/// A request bound to a client, to [`send`](Call::send): what every operation's call type
/// (`GetRecordsCall`, …, whose pages list each operation's setters) shares, and what
/// `.preview()` returns.
///
/// `C` is the client's flavour: [`Client`] (async `send`), or, with the `blocking` feature,
/// `blocking::Client` (a `send` that returns the result directly).
#[derive(Debug)]
#[must_use = "a call does nothing until it is sent"]
pub struct Call<'c, R, C = Client> {
    pub(crate) client: &'c C,
    pub(crate) request: R,
}

impl<'c, R: HasPreview, C> Call<'c, R, C> {
    /// Sends the same request to the preview twin: the app's settings before they are deployed.
    pub fn preview(self) -> Call<'c, Preview<R>, C> {
        Call {
            client: self.client,
            request: Preview(self.request),
        }
    }
}

impl<'c, R: Operation, C> Call<'c, R, C> {
    pub(crate) fn new(client: &'c C, request: R) -> Self {
        Self { client, request }
    }

    pub(crate) fn map(self, f: impl FnOnce(R) -> R) -> Self {
        Self {
            client: self.client,
            request: f(self.request),
        }
    }

    /// The request as it stands.
    pub fn request(&self) -> &R {
        &self.request
    }

    /// The request, to send later or to put in a bulk request.
    pub fn into_request(self) -> R {
        self.request
    }
}

impl<R: Operation> Call<'_, R> {
    /// Checks the request and sends it.
    pub async fn send(self) -> Result<Response<R::Response>, Error> {
        self.client.send(self.request).await
    }
}

impl<R: Operation<Response = Download>> Call<'_, R> {
    /// Checks the request, sends it, and returns the file as a stream of chunks rather than
    /// whole: see [`Client::send_stream`].
    pub async fn send_stream(self) -> Result<DownloadStream, Error> {
        self.client.send_stream(self.request).await
    }
}

//! What generated operations plug into: the [`Operation`] trait, the request writers, response
//! decoding and the fluent [`Call`] builder.

mod writers;

pub use writers::{HeaderWriter, MultipartWriter, QueryWriter};

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::{Client, Download, Error, LimitError, Response};

pub use crate::method::Method;

/// Where a request's parameters travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// In the query string (GET and DELETE), or a JSON body when tunnelled through `POST`.
    Query,
    Json,
    Multipart,
}

/// One kintone operation's request, generated from the spec.
pub trait Operation: serde::Serialize + Send + Sync {
    /// What a successful call returns.
    type Response;
    /// The spec's `operationId`.
    const ID: &'static str;
    const METHOD: Method;
    /// The path after `/k/v1/`, such as `records.json`.
    const PATH: &'static str;
    const BODY: BodyKind;
    /// Whether the operation exists under `/k/guest/{spaceId}/v1/`.
    const GUEST_SPACE: bool;

    /// Checks the documented limits before anything is sent.
    fn validate(&self) -> Result<(), LimitError>;

    /// Adds the query-string parameters.
    fn write_query(&self, _query: &mut QueryWriter) {}

    /// Adds the header parameters.
    fn write_headers(&self, _headers: &mut HeaderWriter) {}

    /// Adds the parts of a multipart body.
    fn write_multipart(&self, _form: &mut MultipartWriter) {}

    /// Turns a 200 response into [`Self::Response`].
    fn decode(response: RawResponse) -> Result<Self::Response, Error>;
}

/// An operation that a bulk request may carry (record writes).
pub trait BulkOperation: Operation {}

/// A successful response before decoding.
#[derive(Debug)]
pub struct RawResponse {
    pub operation: &'static str,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Decodes a JSON body.
pub fn decode_json<T: DeserializeOwned>(response: RawResponse) -> Result<T, Error> {
    // JSON is UTF-8: checking the whole body at once lets the reader skip checking each string
    // again, which is a fifth of the time a page of records takes. A body that is not UTF-8 is
    // read as bytes, for the reader's own error.
    let parsed = match std::str::from_utf8(&response.body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(&response.body),
    };
    parsed.map_err(|source| Error::Decode {
        operation: response.operation,
        source,
        excerpt: crate::transport::excerpt(&response.body),
    })
}

/// Keeps a binary body as it came.
pub fn decode_binary(response: RawResponse) -> Result<Download, Error> {
    Ok(Download::from_response(response.headers, response.body))
}

/// A request bound to a client: set optional parameters, then [`send`](Call::send) it.
#[derive(Debug)]
#[must_use = "a call does nothing until it is sent"]
pub struct Call<'c, R> {
    client: &'c Client,
    request: R,
}

impl<'c, R: Operation> Call<'c, R> {
    pub(crate) fn new(client: &'c Client, request: R) -> Self {
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

    /// Checks the request and sends it.
    pub async fn send(self) -> Result<Response<R::Response>, Error> {
        self.client.send(self.request).await
    }
}

//! [`Connection`]: what a client holds for one domain (the HTTP stack, the base URL, the
//! credentials' headers, the limits), shared by its clones and read by the transport.

use std::sync::{Arc, Mutex};

use http::HeaderValue;
use url::Url;

use crate::client::middleware::HttpService;
use crate::client::response::{warning, Concurrency};
use crate::{CybozuWarning, Error};

/// One domain's connection state, behind every clone of a client.
pub(crate) struct Connection {
    /// Used to lay out requests (multipart bodies); sending goes through `service`.
    pub(crate) http: reqwest::Client,
    /// The middleware stack, down to `http`.
    pub(crate) service: HttpService,
    pub(crate) max_response_bytes: u64,
    /// The most records `Client::all_records` collects into memory.
    pub(crate) max_collected_records: u64,
    pub(crate) base: Url,
    pub(crate) host_header: HeaderValue,
    pub(crate) guest_space: Option<u64>,
    pub(crate) auth_kind: &'static str,
    /// Authentication and other per-client headers, marked sensitive where secret.
    pub(crate) headers: http::HeaderMap,
    /// The concurrency headers of the last answer that had them.
    pub(crate) concurrency: Arc<Mutex<Concurrency>>,
    /// Readers of every record go on past an answer kintone marks as partial.
    pub(crate) accept_partial_pages: bool,
}

impl Connection {
    /// Refuses an answer kintone marks as partial (a query whose filtering it aborted), unless
    /// the client accepts partial pages: for the readers of every record.
    pub(crate) fn check_whole_page(
        &self,
        operation: &'static str,
        headers: &http::HeaderMap,
    ) -> Result<(), Error> {
        match warning(headers) {
            Some(CybozuWarning::FilterAborted) if !self.accept_partial_pages => {
                Err(Error::FilterAborted { operation })
            }
            _ => Ok(()),
        }
    }

    /// The path of an API on this connection: `/k/v1/{path}` or `/k/guest/{id}/v1/{path}`, with
    /// the prefixes the spec's servers give.
    pub(crate) fn api_path(&self, path: &str) -> String {
        use crate::generated::{API_PREFIX, GUEST_API_PREFIX};
        match self.guest_space {
            Some(id) => format!("{}{id}{}/{path}", GUEST_API_PREFIX.0, GUEST_API_PREFIX.1),
            None => format!("{API_PREFIX}/{path}"),
        }
    }
}

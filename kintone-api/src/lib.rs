//! A typed, async client for the [kintone](https://kintone.dev) REST API.
//!
//! The operations and their types are generated from kintone-rs's hand-written OpenAPI
//! description (`spec/kintone.yaml`); the client around them (authentication, guest spaces,
//! transport, errors, dates, limits) is written by hand.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use kintone_api::{Client, FieldValue};
//!
//! let client = Client::builder("https://example.kintone.com").api_token("TOKEN").build()?;
//! let page = client
//!     .records()
//!     .get_records(1)
//!     .query("Amount > 1000 order by $id asc limit 100")
//!     .fields(["$id", "Title"])
//!     .send()
//!     .await?;
//! for record in &page.records {
//!     if let Some(FieldValue::SingleLineText(title)) = record.get("Title") {
//!         println!("{}", title.value);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! What the client guarantees:
//! - Every documented limit (100 records per write, `limit` ≤ 500, `offset` ≤ 10,000, 10
//!   comments, 20 bulk requests, …) is checked before sending: a [`LimitError`], and no request.
//! - GET and DELETE parameters go in the query string exactly as kintone documents, arrays as
//!   `key[0]=…`; a URI over 8 KB is sent as `POST` with `X-HTTP-Method-Override`, automatically.
//! - Any status but 200 is an [`Error`]: kintone's `id`, `code`, `message` and field `errors`
//!   with the status and headers, or, for a non-JSON body, the status and an excerpt.
//! - Unknown JSON keys are ignored and unknown field types keep their raw JSON.
//! - Ids, revisions and counts are numbers; NUMBER values keep their exact decimal text.
//!
//! Around every exchange:
//! - Middleware: [`ClientBuilder::layer`] adds any [`tower::Layer`] (retries, concurrency or
//!   rate limits, test doubles); see [`middleware`].
//! - Concurrency: all clones of a client together run at most
//!   [`DEFAULT_MAX_CONCURRENT_REQUESTS`] requests at once
//!   ([`ClientBuilder::max_concurrent_requests`]); [`Client::concurrency`] tells the domain's
//!   limit and load as kintone last reported them.
//! - Retries: [`ClientBuilder::retry`] retries reads, and writes only where the failure proves
//!   nothing was written (`GAIA_TO04`, a connection not made); see [`retry`].
//! - Tracing: each call runs in an INFO span `kintone_request` (target `kintone_api`) with the
//!   fields `operation` (the spec's operation id), `method` (as sent), `status`, `duration_ms`
//!   and, for kintone's errors, `error_code`. No header, token or password is ever recorded.
//! - Transport: [`ClientBuilder::http_client`] takes a `reqwest::Client` of your own (client
//!   certificates, proxies, roots). Answers are asked for with `Accept-Encoding: gzip`.
//! - Bodies read whole stop at [`ClientBuilder::max_response_bytes`] (counted after
//!   decompression); downloads can be streamed with
//!   [`send_stream`](runtime::Call::send_stream) instead, chunk by chunk.
//!
//! Whole apps:
//! - Records: [`Client::record_stream`] reads every record of a query as a stream (of typed
//!   [`Record`]s, of your own structs, or of [`RawRecord`]s: kintone's JSON text, decoded on
//!   demand, for a fraction of the cost), and
//!   [`Client::add_all`] and its siblings write any number of records in as few bulk requests
//!   as kintone allows, with a report that can resume a stopped job. A page kintone marks as
//!   partial (`X-Cybozu-Warning`, [`Response::warning`]) stops every reader of all records
//!   with [`Error::FilterAborted`] unless [`ClientBuilder::accept_partial_pages`] is set.
//! - Settings: [`Client::deploy_and_wait`] deploys pre-live settings and follows the deploy;
//!   [`app_definition`] reads every setting of an app into one serde value, compares two, and
//!   applies one to another app (in another domain too), which is how an app is promoted from
//!   a test domain to production.
//!
//! [`dynamic`]: an operation described at run time (a command line, a script), with its
//! parameters as JSON, sent through the same client with the spec's limits checked.
//!
//! `blocking` (a feature, off by default): `blocking::Client`, the same API without async.
//!
//! [`proxy`]: calls to external APIs with the contract of `kintone.proxy()` (same inputs,
//! outputs, limits and failures), for logic moved out of kintone pages into services.

#![warn(missing_docs)]

// The derive names this crate `::kintone_api`, which must resolve inside the crate too.
extern crate self as kintone_api;

pub mod app_definition;
mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
mod bulk;
mod client;
mod concurrency;
mod datetime;
mod decimal;
mod deploy;
pub mod dynamic;
mod error;
mod file;
mod json_outline;
mod legacy_form;
mod method;
mod paging;
mod raw_record;
mod record;
mod record_input;
mod record_map;
mod record_page;
mod redact;
#[allow(clippy::all, clippy::doc_markdown, missing_docs)]
#[rustfmt::skip]
mod generated;
mod response;
mod stream;
mod transport;
pub mod typed;
mod writer;

pub mod middleware;
#[cfg(feature = "proxy")]
pub mod proxy;
pub mod query;
pub mod retry;
mod runtime;
mod wire;

pub use app_definition::{AppDefinition, DefinitionError};
pub use auth::{Auth, Secret};
pub use bulk::BulkRequest;
pub use client::{
    BuildError, Client, ClientBuilder, DEFAULT_MAX_COLLECTED_RECORDS, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
};
pub use concurrency::DEFAULT_MAX_CONCURRENT_REQUESTS;
pub use datetime::{Date, DateTime, ParseError, Time};
pub use decimal::{Decimal, DecimalError};
pub use deploy::{
    DeployAndWait, DeployError, DeployOutcome, DEFAULT_DEPLOY_POLL_INTERVAL, DEFAULT_DEPLOY_TIMEOUT,
};
pub use error::{
    ApiError, Error, LimitError, ProtocolError, RequestKind, ResponseHeaders, TransportError,
    EXCERPT_BYTES, SHOWN_FIELD_ERRORS,
};
pub use file::{Download, DownloadStream, FilePart};
pub use generated::operations::*;
pub use generated::types::*;
pub use generated::{error_codes, headers, limits};
pub use generated::{API_PREFIX, GUEST_API_PREFIX, MAX_URI_BYTES, METHOD_OVERRIDE_HEADER};
/// Derives [`KintoneRecord`](trait@KintoneRecord) for a struct: see [`typed`].
#[cfg(feature = "derive")]
pub use kintone_derive::KintoneRecord;
pub use legacy_form::LegacyDefaultValue;
pub use paging::RecordCursor;
pub use raw_record::RawRecord;
pub use record_map::{FieldCode, IntoIter, Iter, IterMut, Record};
pub use response::{Concurrency, Response};
pub use retry::RetryPolicy;
pub use runtime::{BulkOperation, Call, HasPreview, Operation, Preview};
pub use stream::{
    RawRecordStream, ReadStrategy, RecordStream, RecordStreamBuilder, TypedRecordStream,
};
pub use typed::{DecodeError, KintoneRecord, Row};
pub use writer::{
    AddAll, DeleteAll, UpdateAll, WriteFailure, WriteJob, WriteKind, WriteProgress, WriteReport,
    WriteStopped,
};

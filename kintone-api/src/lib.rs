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
//! Each operation's entry point returns a call type of its own ([`GetRecordsCall`] here): its
//! page lists the operation's optional parameters, `send`, and `preview` or `send_stream` where
//! the operation has them. What every call shares is the generic [`Call`].
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
//!   [`send_stream`](Call::send_stream) instead, chunk by chunk.
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
//! `pkcs12` (a feature, off by default): `kintone_api::pkcs12`, client certificates from `.pfx`
//! files.
//!
//! [`proxy`]: calls to external APIs with the contract of `kintone.proxy()` (same inputs,
//! outputs, limits and failures), for logic moved out of kintone pages into services.

#![warn(missing_docs)]

// The derive names this crate `::kintone_api`, which must resolve inside the crate too.
extern crate self as kintone_api;

// Rooms: `client` sends requests (transport, authentication, middleware, retries, the
// concurrency limit, the blocking flavour); `runtime` says what an operation is (its request,
// body, path and answer); `records` decodes and encodes records; `jobs` are the whole-app
// helpers built on a client (streams, writers, deploys, app definitions); `query` writes
// kintone's query language; `answer` is a successful answer before decoding, which operations
// and record readers both read. Each room imports only rooms below it (`cargo xtask imports`).
mod answer;
mod client;
mod error;
#[allow(clippy::all, clippy::doc_markdown, missing_docs)]
#[rustfmt::skip]
mod generated;
mod jobs;
#[cfg(feature = "proxy")]
pub mod proxy;
pub mod query;
mod records;
mod redact;
mod runtime;
pub mod types;
mod values;
mod wire;

#[cfg(feature = "blocking")]
pub use client::blocking;
#[cfg(feature = "pkcs12")]
pub use client::pkcs12;
pub use client::{middleware, retry};
pub use jobs::app_definition;
pub use records::typed;
pub use runtime::dynamic;

pub use client::async_client::{
    BuildError, Client, ClientBuilder, DEFAULT_MAX_COLLECTED_RECORDS, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
};
pub use client::auth::{Auth, Secret};
pub use client::bulk::BulkRequest;
pub use client::call::Call;
pub use client::concurrency::DEFAULT_MAX_CONCURRENT_REQUESTS;
pub use client::response::{Concurrency, Response};
pub use client::retry::RetryPolicy;
pub use error::{
    ApiError, Error, LimitError, ProtocolError, RequestKind, ResponseHeaders, TransportError,
    EXCERPT_BYTES, SHOWN_FIELD_ERRORS,
};
// Every generated name stays reachable as `crate::Name` inside the crate (the generated code
// names its own types that way); users reach them through `types`, and the everyday ones below.
pub(crate) use generated::operations::*;
pub(crate) use generated::types::*;
pub use generated::{error_codes, headers, limits};
pub use generated::{API_PREFIX, GUEST_API_PREFIX, MAX_URI_BYTES, METHOD_OVERRIDE_HEADER};
pub use jobs::app_definition::{AppDefinition, DefinitionError};
pub use jobs::deploy::{
    DeployAndWait, DeployError, DeployOutcome, DEFAULT_DEPLOY_POLL_INTERVAL, DEFAULT_DEPLOY_TIMEOUT,
};
pub use jobs::paging::RecordCursor;
pub use jobs::stream::{
    RawRecordStream, ReadStrategy, RecordStream, RecordStreamBuilder, TypedRecordStream,
};
pub use jobs::writer::{
    AddAll, DeleteAll, UpdateAll, WriteFailure, WriteJob, WriteKind, WriteProgress, WriteReport,
    WriteStopped,
};
/// Derives [`KintoneRecord`](trait@KintoneRecord) for a struct: see [`typed`].
#[cfg(feature = "derive")]
pub use kintone_derive::KintoneRecord;
pub use records::map::{FieldCode, IntoIter, Iter, IterMut, Record};
pub use records::raw::RawRecord;
pub use records::typed::{DecodeError, KintoneRecord, Row};
pub use runtime::file::{Download, DownloadStream, FilePart};
pub use runtime::{BulkOperation, HasPreview, Operation, Preview};
pub use types::{
    AppId, BulkErrorBody, BulkRequestResponse, CommentId, CommentInput, CybozuWarning,
    DeployTarget, Entity, EntityCode, ErrorBody, ExpectedRevision, FieldErrors, FieldInput,
    FieldValue, FileInfo, FileRef, RecordId, RecordInput, RecordUpdate, Revision, SpaceId,
    SubtableRow, SubtableRowInput, ThreadId, UpdateKey,
};
pub use values::datetime::{Date, DateTime, ParseError, Time};
pub use values::decimal::{Decimal, DecimalError};
pub use values::legacy_form::LegacyDefaultValue;
pub use values::text::Text;

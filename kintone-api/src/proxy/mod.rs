//! Calls to external APIs with the behaviour of kintone's `kintone.proxy()`.
//!
//! In a kintone page, `kintone.proxy(url, method, headers, data)` sends a request to an
//! external API through kintone's servers (which avoids the browser's CORS errors) and gives
//! back the body, the status and the headers. This module gives Rust services the same
//! contract, so logic moved out of a page behaves the same:
//!
//! ```no_run
//! use kintone_api::proxy::{ProxyClient, ProxyRequest};
//! use serde_json::json;
//!
//! # async fn run() -> Result<(), kintone_api::proxy::ProxyError> {
//! let client = ProxyClient::builder()
//!     .timeout(std::time::Duration::from_secs(10))
//!     .build()?;
//!
//! // The builder form.
//! let request = ProxyRequest::post("https://api.example.com/orders")
//!     .header("Authorization", "Bearer secret")
//!     .json(json!({ "item": "pen", "count": 2 }))
//!     .build()?;
//! let response = client.send(request).await?;
//! println!("{} {}", response.status(), response.body());
//!
//! // The JavaScript-shaped form: kintone.proxy(url, method, headers, data).
//! let response = client
//!     .proxy("https://api.example.com/orders?id=7", "GET", [("Accept", "application/json")], json!({}))
//!     .await;
//! match response {
//!     Ok(r) => {
//!         let (body, status, headers) = r.into_js_triple(); // the callback's arguments
//!         # let _ = (body, status, headers);
//!     }
//!     Err(e) => eprintln!("{}", e.body()), // the errback's string: {"id","code","message"}
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Inputs (rules P1–P4, P7, P14)
//!
//! * **URL**: an absolute `http` or `https` URL.
//! * **Method**: [`Method`], exactly `GET`, `POST`, `PUT` or `DELETE`; any other string is
//!   [`ProxyError::InvalidMethod`].
//! * **Headers**: any names and values (an empty collection for none). Names or values with
//!   CR or LF are refused ([`ProxyError::InvalidHeader`]). `Content-Length` and
//!   `Transfer-Encoding`, in any letter case, are refused ([`ProxyError::ForbiddenHeader`]):
//!   the proxy sets them itself for POST and PUT. The body's length is always known, so it
//!   sends `Content-Length` (`0` for no data) and never chunked `Transfer-Encoding`.
//! * **Data**: [`ProxyData`], a JSON object or a string; an empty object means none. It is
//!   sent only for POST and PUT. **For GET and DELETE it is ignored and no body is sent**: put
//!   their parameters in the URL's query string. Any `Content-Type` may be sent; a non-empty
//!   JSON object without one gets [`DEFAULT_JSON_CONTENT_TYPE`] (`application/json`), a
//!   string gets none added.
//!
//! Every input error is reported before anything is sent.
//!
//! # Outputs (rules P5, P6, P8)
//!
//! Whatever status the far side answers, the call succeeds with a [`ProxyResponse`]: body
//! (string), status and headers. A far-side 404 is a successful proxy call reporting 404.
//! A host that does not resolve gives status `503` with the body `DNS Cache Missing`, as
//! kintone reports it; resolution goes through a [`DnsResolver`] that can be replaced.
//!
//! Failures of the proxy itself are a [`ProxyError`]: invalid input, broken limits,
//! connection refused, timeout ([`DEFAULT_TIMEOUT`], 30 s, set with
//! [`ProxyClientBuilder::timeout`]), refused TLS. [`ProxyError::body`] renders any of them as
//! kintone's error JSON `{"id":…,"code":…,"message":…}`, the string an errback receives.
//!
//! # Limits (rules P9–P13)
//!
//! * No cookies: nothing the far side sets is stored or sent on a later call. `Set-Cookie`
//!   headers are reported in the response like any header.
//! * At most [`MAX_HEADER_LINES`] (100) response header lines, each at most
//!   [`MAX_HEADER_LINE_BYTES`] (8,192) bytes counted as `name: value` without CRLF.
//! * Text bodies only. A body is text when its `Content-Type` (if any) is not a binary type
//!   (`image/*`, `audio/*`, `video/*`, `font/*`, `model/*`, `application/octet-stream`,
//!   `application/pdf`, archives and similar), and its bytes are valid UTF-8 with no NUL byte.
//!   Anything else is [`ProxyError::BinaryBody`]. Bodies in other character sets (e.g.
//!   Shift_JIS) are refused unless their bytes are plain ASCII.
//! * At most [`MAX_BODY_BYTES`] (10 MB = 10 × 1024 × 1024 bytes) of body. A larger declared
//!   `Content-Length` is refused before reading; otherwise reading stops at the limit and the
//!   connection is dropped, so memory stays bounded however much the far side sends.
//! * Servers with self-signed (or otherwise untrusted) TLS certificates are refused
//!   ([`ProxyError::TlsRefused`]); trust comes from the bundled Mozilla roots.
//!
//! Redirects are not followed: a 3xx is returned like any other status. Environment proxy
//! variables are ignored.
//!
//! # Where kintone allows `kintone.proxy()` (rule P15)
//!
//! In kintone the proxy works on desktop and mobile pages, but not from apps attached to
//! space or thread bodies or announcements. A Rust service has no such restriction; code
//! ported from such a page had no proxy there to begin with.
//!
//! # IP address restrictions (rule P16)
//!
//! When the origin subdomain has IP address restrictions and a page of another subdomain
//! calls it through `kintone.proxy()`, kintone's own addresses must be allowed. That lets
//! *every* kintone domain past the restriction, which kintone advises against. A Rust service
//! calls from its own address instead: allow that one address, not kintone's ranges.
//!
//! # kintone's own REST API (rule P17)
//!
//! For the kintone REST API of your own domain, use this crate's REST client, not the proxy:
//! the proxy is for external APIs.

mod client;
mod data;
mod dns;
mod error;
mod limits;
mod request;
mod response;

pub use crate::runtime::method::{Method, UnknownMethod};
pub use client::{ProxyClient, ProxyClientBuilder, DEFAULT_TIMEOUT};
pub use data::{ProxyData, DEFAULT_JSON_CONTENT_TYPE};
pub use dns::{DnsResolver, ResolveFuture, StaticResolver, SystemResolver};
pub use error::ProxyError;
pub use limits::{MAX_BODY_BYTES, MAX_HEADER_LINES, MAX_HEADER_LINE_BYTES};
pub use request::{ProxyRequest, ProxyRequestBuilder};
pub use response::{ProxyResponse, DNS_CACHE_MISSING_BODY};

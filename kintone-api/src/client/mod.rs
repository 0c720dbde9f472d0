//! How a request is sent: the client and its builder, the transport, authentication, the
//! middleware seam, retries, the concurrency limit, bulk requests and the blocking flavour.

pub(crate) mod async_client;
pub(crate) mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
pub(crate) mod bulk;
pub(crate) mod call;
pub(crate) mod concurrency;
pub(crate) mod connection;
pub(crate) mod handlers;
pub mod middleware;
#[cfg(feature = "pkcs12")]
pub mod pkcs12;
pub(crate) mod response;
pub mod retry;
pub(crate) mod transport;

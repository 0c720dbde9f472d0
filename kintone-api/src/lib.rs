//! kintone REST API client.

/// Calls to external APIs with the behaviour of `kintone.proxy()`.
pub mod proxy;

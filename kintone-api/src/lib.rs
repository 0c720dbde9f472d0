//! kintone REST API client.
//!
//! [`proxy`]: calls to external APIs with the behaviour of `kintone.proxy()`.

pub mod proxy;

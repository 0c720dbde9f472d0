//! `kintone_api::proxy`, the contract of `kintone.proxy()` (rules P1–P17 of
//! `docs/proxy-rules.md`), against real servers on 127.0.0.1: plain HTTP (`http`) and TLS
//! (`tls`).

mod http;
mod support;
mod tls;

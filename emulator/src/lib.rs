//! A local kintone-compatible server.

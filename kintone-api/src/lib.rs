//! kintone REST API client.

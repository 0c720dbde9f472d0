//! kintone OpenAPI → Rust generator.

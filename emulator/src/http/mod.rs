//! The HTTP layer: axum and hyper, authentication, the spec's paths and method override,
//! failure injection, the request log, connections and the body memory budget. It turns each
//! request into one call of the API layer (`crate::api::dispatch`).

pub mod budget;
pub mod connections;
pub mod inject;
pub mod server;

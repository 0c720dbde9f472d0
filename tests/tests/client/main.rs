//! The client's runtime against loopback servers: the transport rules of the REST API overview,
//! encoders, retries, the concurrency limit, middleware and the other seams, the blocking
//! client, and requests described at run time.

mod blocking;
mod concurrency;
mod dynamic;
mod encoding_properties;
mod retries;
mod runtime_seams;
mod transport;

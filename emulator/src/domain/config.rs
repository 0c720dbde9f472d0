//! The emulator's settings: the clock, how long cursors and uploads live, and the caps on
//! requests, bodies, the request log and connections. Plain data every layer reads; tests and
//! the builder change it.

use std::sync::Arc;
use std::time::Duration;

use super::clock::{Clock, SystemClock};

/// The largest request body, other than a file upload, the emulator reads by default: 16 MiB.
/// kintone documents no byte limit for JSON bodies; its largest, a bulk request of 20 writes of
/// 100 records, stays far below this in practice.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 << 20;

/// The largest Upload File body the emulator reads by default: 100 MiB. kintone limits each
/// attached file (1 GB by default, lower if a domain administrator sets it); the emulator keeps
/// files in memory, so its default is lower. Raise it with
/// [`EmulatorBuilder::max_upload_bytes`](crate::EmulatorBuilder::max_upload_bytes).
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 100 << 20;

/// How many requests the request log keeps by default; older ones are dropped first.
pub const DEFAULT_LOG_MAX_REQUESTS: usize = 1_000;

/// How many bytes (bodies, paths, queries and headers) the request log keeps by default.
pub const DEFAULT_LOG_MAX_BYTES: usize = 32 << 20;

/// The bytes all request bodies being read at once may hold by default: 256 MiB, room for the
/// largest upload ([`DEFAULT_MAX_UPLOAD_BYTES`]) and many ordinary bodies beside it.
pub const DEFAULT_BODY_MEMORY_BUDGET: usize = 256 << 20;

/// How many connections the emulator keeps open by default: half the 1,024 file descriptors a
/// process commonly may open, leaving the rest to everything else it does.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// How long a connection has by default to send a request's head (line and headers), counted
/// from when the emulator starts waiting for it: 30 seconds (hyper's own default).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a connection may stay idle by default (no byte either way while no request of it
/// is running, or no byte of a body being read) before the emulator closes it: 20 seconds.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(20);

/// Settings that tests may change.
#[derive(Debug, Clone)]
pub struct Config {
    pub concurrency_limit: usize,
    pub cursor_ttl: Duration,
    pub temp_file_ttl: Duration,
    pub max_cursors: usize,
    /// The largest body a request other than Upload File may have; larger ones get 413.
    pub max_body_bytes: usize,
    /// The largest body an Upload File request may have; larger ones get 413.
    pub max_upload_bytes: usize,
    /// The most requests the log keeps.
    pub log_max_requests: usize,
    /// The most bytes the log keeps.
    pub log_max_bytes: usize,
    /// Where expiry reads the time.
    pub clock: Arc<dyn Clock>,
    /// How many Get Deploy Status reads answer `PROCESSING` after a deploy.
    pub deploy_processing_reads: u32,
    /// The bytes all request bodies being read at once may hold.
    pub body_memory_budget: usize,
    /// The most connections open at once.
    pub max_connections: usize,
    /// The time a connection has to send a request's head.
    pub header_read_timeout: Duration,
    /// The time a connection may stay idle, or a body go without a byte.
    pub idle_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            concurrency_limit: super::spec::limits().concurrent_requests,
            cursor_ttl: super::spec::limits().cursor_lifetime,
            temp_file_ttl: super::spec::limits().upload_retention,
            max_cursors: super::spec::limits().open_cursors,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            log_max_requests: DEFAULT_LOG_MAX_REQUESTS,
            log_max_bytes: DEFAULT_LOG_MAX_BYTES,
            clock: Arc::new(SystemClock),
            deploy_processing_reads: 1,
            body_memory_budget: DEFAULT_BODY_MEMORY_BUDGET,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

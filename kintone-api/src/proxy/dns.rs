//! Host name resolution, injectable so that rule P8 ("DNS Cache Missing") is testable.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

/// The future a [`DnsResolver`] returns.
pub type ResolveFuture = Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>>;

/// Resolves host names for a [`ProxyClient`](super::ProxyClient).
///
/// An error, or an empty list of addresses, means the host does not resolve: the proxy then
/// answers `503` "DNS Cache Missing" (rule P8). The default is [`SystemResolver`].
pub trait DnsResolver: Send + Sync + 'static {
    /// Resolves `host` (a name, never an IP literal) to its addresses.
    fn resolve(&self, host: &str) -> ResolveFuture;
}

/// The operating system's resolver (`getaddrinfo`, through tokio).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl DnsResolver for SystemResolver {
    fn resolve(&self, host: &str) -> ResolveFuture {
        let host = host.to_owned();
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?;
            Ok(addrs.map(|a| a.ip()).collect())
        })
    }
}

/// A fixed table of host names; any other name does not resolve. Useful to pin hosts to
/// addresses, and in tests.
#[derive(Debug, Clone, Default)]
pub struct StaticResolver {
    hosts: HashMap<String, Vec<IpAddr>>,
}

impl StaticResolver {
    /// An empty table: nothing resolves.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an address for `host` (compared without regard to ASCII case).
    pub fn with(mut self, host: impl Into<String>, ip: IpAddr) -> Self {
        self.hosts
            .entry(host.into().to_ascii_lowercase())
            .or_default()
            .push(ip);
        self
    }
}

impl DnsResolver for StaticResolver {
    fn resolve(&self, host: &str) -> ResolveFuture {
        let found = self.hosts.get(&host.to_ascii_lowercase()).cloned();
        Box::pin(async move {
            found.ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "host not in the table"))
        })
    }
}

/// Marks a resolution failure in reqwest's error chain, so the client can tell it apart.
#[derive(Debug)]
pub(crate) struct DnsFailure {
    reason: String,
}

impl fmt::Display for DnsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "host name does not resolve: {}", self.reason)
    }
}

impl std::error::Error for DnsFailure {}

/// Adapts a [`DnsResolver`] to reqwest.
pub(crate) struct ReqwestResolver(pub(crate) Arc<dyn DnsResolver>);

impl reqwest::dns::Resolve for ReqwestResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let lookup = self.0.resolve(name.as_str());
        Box::pin(async move {
            let failure = |reason: String| -> Box<dyn std::error::Error + Send + Sync> {
                Box::new(DnsFailure { reason })
            };
            match lookup.await {
                Ok(ips) if !ips.is_empty() => {
                    // Port 0: the connector puts the URL's port in.
                    let addrs: reqwest::dns::Addrs =
                        Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
                    Ok(addrs)
                }
                Ok(_) => Err(failure("no addresses".to_owned())),
                Err(e) => Err(failure(e.to_string())),
            }
        })
    }
}

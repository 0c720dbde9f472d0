//! The client that sends proxy requests, and its builder.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::HeaderValue;

use super::dns::{DnsFailure, DnsResolver, ReqwestResolver, SystemResolver};
use super::error::ProxyError;
use super::limits::{self, BodyRead, MAX_BODY_BYTES};
use super::request::ProxyRequest;
use super::response::ProxyResponse;
use crate::runtime::method::Method;

/// The timeout used when none is set: 30 seconds for the whole call, from connecting to the
/// last byte of the body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends requests to external APIs with the behaviour of `kintone.proxy()`.
///
/// Cheap to clone (connections are pooled and shared). No cookies are stored or sent
/// (rule P9); redirects are not followed (a 3xx is returned like any status); environment
/// proxy variables (`HTTP_PROXY`, …) are ignored; TLS uses the bundled Mozilla root
/// certificates, so self-signed certificates are refused (rule P13).
#[derive(Clone)]
pub struct ProxyClient {
    http: reqwest::Client,
    timeout: Duration,
    custom_resolver: bool,
    extra_roots: usize,
}

impl ProxyClient {
    /// A client with the defaults.
    pub fn new() -> Result<Self, ProxyError> {
        Self::builder().build()
    }

    /// Starts configuring a client.
    pub fn builder() -> ProxyClientBuilder {
        ProxyClientBuilder::default()
    }

    /// The timeout for one call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The JavaScript-shaped call: `kintone.proxy(url, method, headers, data)`.
    ///
    /// `headers` is any map-like collection of names and values (an empty one for none);
    /// `data` must be a JSON object or string (`json!({})` for none). Every input error is
    /// returned before anything is sent.
    pub async fn proxy<I, K, V>(
        &self,
        url: &str,
        method: &str,
        headers: I,
        data: serde_json::Value,
    ) -> Result<ProxyResponse, ProxyError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let method: Method = method.parse()?;
        let request = ProxyRequest::builder(method, url)
            .headers(headers)
            .json(data)
            .build()?;
        self.send(request).await
    }

    /// Sends a request and returns the far side's answer, whatever its status.
    ///
    /// For POST and PUT the data is the body and `Content-Length` is set automatically
    /// (`0` for no data); a non-empty JSON object gets `Content-Type: application/json`
    /// unless the caller set one. For GET and DELETE the data is ignored and no body is sent.
    pub async fn send(&self, request: ProxyRequest) -> Result<ProxyResponse, ProxyError> {
        let (method, url, mut headers, data) = request.into_parts();
        let mut builder = self.http.request(method.to_http(), url);
        if method.sends_body() {
            let (body, default_type) = data.encode();
            if let Some(content_type) = default_type {
                if !headers.contains_key(CONTENT_TYPE) {
                    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
                }
            }
            // Set explicitly: hyper leaves it out for an empty body, but kintone always
            // sends it for POST and PUT (rule P14).
            headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
            builder = builder.headers(headers).body(body);
        } else {
            builder = builder.headers(headers);
        }

        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) => return self.transport_failure(e),
        };

        let status = response.status().as_u16();
        let headers = response.headers().clone();
        limits::check_header_lines(&headers)?;
        limits::check_content_type(&headers)?;
        limits::check_declared_length(&headers, MAX_BODY_BYTES)?;
        let body = match limits::read_limited(response, MAX_BODY_BYTES).await {
            Ok(BodyRead::Complete(body)) => body,
            Ok(BodyRead::TooLarge) => {
                return Err(ProxyError::BodyTooLarge {
                    limit: MAX_BODY_BYTES,
                })
            }
            Err(e) => return self.transport_failure(e),
        };
        let body = limits::into_text(body)?;
        Ok(ProxyResponse::new(body, status, headers))
    }

    /// Maps a reqwest failure to the answer `kintone.proxy()` gives: the synthesised 503 for
    /// a host that does not resolve, otherwise a [`ProxyError`].
    fn transport_failure(&self, error: reqwest::Error) -> Result<ProxyResponse, ProxyError> {
        let error = error.without_url();
        if error.is_timeout() {
            return Err(ProxyError::Timeout {
                after: self.timeout,
            });
        }
        let mut source: Option<&(dyn StdError + 'static)> = Some(&error);
        while let Some(current) = source {
            if current.downcast_ref::<DnsFailure>().is_some() {
                return Ok(ProxyResponse::dns_cache_missing());
            }
            if let Some(hyper_error) = current.downcast_ref::<hyper::Error>() {
                // hyper's client parses at most 100 header lines; more (or a head too large
                // for its buffer) is this parse error. `is_parse_too_large` needs hyper's
                // server feature, so the kind is recognised by its message.
                if hyper_error.is_parse() && hyper_error.to_string().contains("too large") {
                    return Err(ProxyError::TooManyHeaderLines {
                        limit: limits::MAX_HEADER_LINES,
                    });
                }
            }
            if let Some(tls) = current.downcast_ref::<rustls::Error>() {
                return Err(ProxyError::TlsRefused {
                    reason: tls.to_string(),
                });
            }
            if let Some(io) = current.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::ConnectionRefused {
                    return Err(ProxyError::ConnectionRefused {
                        reason: io.to_string(),
                    });
                }
                if io.kind() == std::io::ErrorKind::TimedOut {
                    return Err(ProxyError::Timeout {
                        after: self.timeout,
                    });
                }
            }
            source = next_cause(current);
        }
        Err(ProxyError::Transport {
            reason: error_chain(&error),
        })
    }
}

/// The next error down the chain. An `io::Error`'s `source()` skips the error it wraps
/// (and connectors nest them: `io::Error(Other, io::Error(InvalidData, rustls::Error))`),
/// so for those the wrapped error itself is the next one.
fn next_cause<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a (dyn StdError + 'static)> {
    if let Some(io) = error.downcast_ref::<std::io::Error>() {
        if let Some(inner) = io.get_ref() {
            return Some(inner as &(dyn StdError + 'static));
        }
    }
    error.source()
}

fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(current) = source {
        text.push_str(": ");
        text.push_str(&current.to_string());
        source = current.source();
    }
    text
}

impl fmt::Debug for ProxyClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyClient")
            .field("timeout", &self.timeout)
            .field("custom_resolver", &self.custom_resolver)
            .field("extra_root_certificates", &self.extra_roots)
            .finish_non_exhaustive()
    }
}

/// Configures a [`ProxyClient`].
#[derive(Clone, Default)]
pub struct ProxyClientBuilder {
    timeout: Option<Duration>,
    resolver: Option<Arc<dyn DnsResolver>>,
    roots: Vec<Vec<u8>>,
}

impl ProxyClientBuilder {
    /// The timeout for one whole call, connect to last body byte. Default:
    /// [`DEFAULT_TIMEOUT`] (30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Resolves host names with `resolver` instead of the system's. A host it cannot
    /// resolve gets the `503` "DNS Cache Missing" answer (rule P8).
    pub fn dns_resolver(mut self, resolver: Arc<dyn DnsResolver>) -> Self {
        self.resolver = Some(resolver);
        self
    }

    /// Also trusts this root certificate (DER), e.g. a company's private CA. kintone itself
    /// has no such option; certificates that do not chain to a trusted root, such as
    /// self-signed ones, stay refused.
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.roots.push(der.into());
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<ProxyClient, ProxyError> {
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let custom_resolver = self.resolver.is_some();
        let resolver = self
            .resolver
            .unwrap_or_else(|| Arc::new(SystemResolver) as Arc<dyn DnsResolver>);
        let extra_roots = self.roots.len();
        let mut http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            // The REST client asks for gzip; the proxy passes the far side's body and headers on
            // as they come, so it asks for nothing and decodes nothing.
            .no_gzip()
            .dns_resolver(Arc::new(ReqwestResolver(resolver)));
        for der in self.roots {
            let certificate =
                reqwest::Certificate::from_der(&der).map_err(|e| ProxyError::Config {
                    reason: format!("root certificate: {e}"),
                })?;
            http = http.add_root_certificate(certificate);
        }
        let http = http.build().map_err(|e| ProxyError::Config {
            reason: error_chain(&e),
        })?;
        Ok(ProxyClient {
            http,
            timeout,
            custom_resolver,
            extra_roots,
        })
    }
}

impl fmt::Debug for ProxyClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyClientBuilder")
            .field("timeout", &self.timeout)
            .field("custom_resolver", &self.resolver.is_some())
            .field("extra_root_certificates", &self.roots.len())
            .finish()
    }
}

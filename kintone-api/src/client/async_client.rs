//! The client and its builder.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::HeaderValue;
use url::Url;

use tower::{Layer, Service};

use crate::client::auth::{front_door_header, Auth, Secret};
use crate::client::concurrency::{Limit, Observe, DEFAULT_MAX_CONCURRENT_REQUESTS};
use crate::client::connection::Connection;
use crate::client::middleware::{
    BoxError, HttpRequest, HttpResponse, HttpService, ReqwestService, Wrap,
};
use crate::runtime::Operation;
use crate::{Concurrency, Download, DownloadStream, Error, Response, RetryPolicy};

/// The default time a whole request may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The default cap on a response body that the client reads whole: 256 MiB.
///
/// kintone's JSON answers are far smaller (500 records of a large app are a few MiB); the cap
/// is there so that a broken or hostile server cannot make the client hold an endless body.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 256 * 1024 * 1024;

/// The default of [`ClientBuilder::max_collected_records`]: 100,000 records.
///
/// A record of a few dozen fields takes some kilobytes once decoded, so this is up to a few
/// hundred MiB in memory; reading more at once is better done as a stream.
pub const DEFAULT_MAX_COLLECTED_RECORDS: u64 = 100_000;

/// A kintone client for one domain (and, optionally, one guest space). Cheap to clone.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Connection>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base.as_str())
            .field("guest_space", &self.inner.guest_space)
            .field("auth", &self.inner.auth_kind)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a client for a domain, such as `https://example.kintone.com`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            auth: Vec::new(),
            empty_token_list: false,
            front_door: None,
            guest_space: None,
            accept_language: None,
            user_agent: None,
            timeout: DEFAULT_TIMEOUT,
            http_client: None,
            layers: Layers(Vec::new()),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_collected_records: DEFAULT_MAX_COLLECTED_RECORDS,
            retry: None,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            accept_partial_pages: false,
        }
    }

    /// Checks and sends any operation's request.
    pub async fn send<O: Operation>(&self, request: O) -> Result<Response<O::Response>, Error> {
        crate::client::transport::send(&self.inner, request).await
    }

    /// Checks and sends a download, and returns its body as a stream of chunks instead of
    /// holding it whole: for files of any size, with
    /// [`max_response_bytes`](ClientBuilder::max_response_bytes) not applied. An answer other
    /// than 200 is read (within the cap) and returned as the error, as with [`send`](Self::send).
    pub async fn send_stream<O: Operation<Response = Download>>(
        &self,
        request: O,
    ) -> Result<DownloadStream, Error> {
        crate::client::transport::send_stream(&self.inner, request).await
    }

    /// The domain's concurrency limit and how many requests it was running, from the
    /// `X-ConcurrencyLimit-Limit` and `X-ConcurrencyLimit-Running` headers of the last answer
    /// that carried them (to any clone of this client); both `None` before the first.
    pub fn concurrency(&self) -> Concurrency {
        *self
            .inner
            .concurrency
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Refuses an answer kintone marks as partial (a query whose filtering it aborted), unless
    /// the client accepts partial pages: for the readers of every record.
    pub(crate) fn check_whole_page(
        &self,
        operation: &'static str,
        headers: &http::HeaderMap,
    ) -> Result<(), Error> {
        self.inner.check_whole_page(operation, headers)
    }

    /// The guest space the client works in, if any.
    pub fn guest_space(&self) -> Option<u64> {
        self.inner.guest_space
    }

    /// The path of an API under this client: `/k/v1/{path}` or `/k/guest/{id}/v1/{path}`, with
    /// the prefixes the spec's servers give.
    pub fn api_path(&self, path: &str) -> String {
        self.inner.api_path(path)
    }
}

/// Builds a [`Client`]; problems are reported by [`build`](ClientBuilder::build).
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    auth: Vec<Auth>,
    /// `api_tokens` was given no token at all.
    empty_token_list: bool,
    front_door: Option<(String, Secret)>,
    guest_space: Option<u64>,
    accept_language: Option<String>,
    user_agent: Option<String>,
    timeout: Duration,
    http_client: Option<UserClient>,
    layers: Layers,
    max_response_bytes: u64,
    max_collected_records: u64,
    retry: Option<RetryPolicy>,
    max_concurrent_requests: usize,
    accept_partial_pages: bool,
}

/// A `reqwest::Client` given by the user. Its own `Debug` lists its default headers, which
/// may hold credentials the user did not mark sensitive; ours does not.
struct UserClient(reqwest::Client);

impl std::fmt::Debug for UserClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("reqwest::Client")
    }
}

/// The layers added with [`ClientBuilder::layer`], first added first.
struct Layers(Vec<Wrap>);

impl std::fmt::Debug for Layers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} layers", self.0.len())
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The base URL does not parse. The URL in the error has its credentials and query
    /// values redacted, as in every variant that names it.
    #[error("the base URL {0:?} is not a URL: {1}")]
    InvalidBaseUrl(String, url::ParseError),
    #[error(
        "the base URL {0:?} must be https:// (plain http is allowed only for loopback addresses)"
    )]
    /// The base URL is plain `http://` to a host that is not loopback.
    InsecureBaseUrl(String),
    #[error("the base URL {0:?} must be the domain alone, without a path, query or credentials")]
    /// The base URL has a path, query or credentials.
    BaseUrlWithPath(String),
    #[error("choose one authentication: {0} and {1} were both set")]
    /// Two kinds of authentication were set; kintone takes one.
    ConflictingAuth(&'static str, &'static str),
    #[error("OAuth and front-door Basic authentication both need the Authorization header")]
    /// OAuth and front-door Basic authentication were both set.
    OAuthWithFrontDoorBasic,
    #[error("a value for {0} cannot be sent in an HTTP header (control characters or non-ASCII)")]
    /// A header value (named) cannot be sent in HTTP.
    InvalidHeaderValue(&'static str),
    #[error("guest space ids start at 1")]
    /// A guest space id of 0.
    InvalidGuestSpace,
    /// An empty or blank API token, login name or OAuth token, or an empty list of API
    /// tokens: such a client would send no usable credentials.
    #[error("an empty or blank {0} sends no usable credentials")]
    EmptyCredential(&'static str),
    /// [`max_concurrent_requests`](ClientBuilder::max_concurrent_requests) was 0.
    #[error("max_concurrent_requests must be at least 1")]
    NoConcurrency,
    /// The runtime of a blocking client could not be started.
    #[cfg(feature = "blocking")]
    #[error("the blocking client's runtime could not be started")]
    Runtime(#[source] std::io::Error),
    /// The default HTTP client could not be built (such as the platform's TLS roots failing
    /// to load); the cause is the [`source`](std::error::Error::source).
    #[error("the HTTP client could not be built")]
    Http(#[source] BoxError),
}

impl ClientBuilder {
    /// Adds an API token; call it again (or use [`api_tokens`](Self::api_tokens)) for several.
    pub fn api_token(mut self, token: impl Into<Secret>) -> Self {
        match self.auth.iter_mut().find_map(|a| match a {
            Auth::ApiTokens(tokens) => Some(tokens),
            _ => None,
        }) {
            Some(tokens) => tokens.push(token.into()),
            None => self.auth.push(Auth::ApiTokens(vec![token.into()])),
        }
        self
    }

    /// Adds several API tokens.
    pub fn api_tokens<T: Into<Secret>>(self, tokens: impl IntoIterator<Item = T>) -> Self {
        let mut tokens = tokens.into_iter().peekable();
        let empty = tokens.peek().is_none();
        let mut builder = tokens.fold(self, |b, t| b.api_token(t));
        builder.empty_token_list |= empty;
        builder
    }

    /// Password authentication.
    pub fn password(mut self, login: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.auth.push(Auth::Password {
            login: login.into(),
            password: password.into(),
        });
        self
    }

    /// An OAuth access token.
    pub fn oauth_token(mut self, token: impl Into<Secret>) -> Self {
        self.auth.push(Auth::OAuth(token.into()));
        self
    }

    /// The domain's front-door Basic authentication, sent with the chosen authentication.
    pub fn front_door_basic(
        mut self,
        user: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        self.front_door = Some((user.into(), password.into()));
        self
    }

    /// Works inside a guest space: every path becomes `/k/guest/{id}/v1/…`.
    pub fn guest_space(mut self, space_id: u64) -> Self {
        self.guest_space = Some(space_id);
        self
    }

    /// `Accept-Language` for every request (`en`, `ja`, `zh`, `es`, …): the language of
    /// kintone's messages when the user's setting follows the browser.
    pub fn accept_language(mut self, language: impl Into<String>) -> Self {
        self.accept_language = Some(language.into());
        self
    }

    /// `User-Agent` for every request; `kintone-rs/{version}` unless set.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The time a whole request may take, from sending until the body is read; [`DEFAULT_TIMEOUT`]
    /// unless set. It is set on each request, so it applies to an
    /// [`http_client`](Self::http_client) too, and to a streamed download as a whole.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sends with this `reqwest::Client` instead of one built here: for client certificates,
    /// a corporate proxy, extra root certificates or connection-pool settings.
    ///
    /// What still applies: authentication and every other header (`Host`, `User-Agent`,
    /// `Accept-Language`), which are set on each request; [`timeout`](Self::timeout), set on
    /// each request too; [`max_response_bytes`](Self::max_response_bytes); [`layer`](Self::layer);
    /// the checks before sending. What is the given client's own: TLS, proxies, connection
    /// pooling, response decompression (on unless the client turned `gzip` off) and redirects.
    ///
    /// kintone does not redirect API calls, and this builder's own client follows no redirect;
    /// build yours with `redirect(reqwest::redirect::Policy::none())` too, or a redirect to
    /// another host would carry the `X-Cybozu-API-Token` or `X-Cybozu-Authorization` header
    /// there (reqwest strips only the standard credential headers).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(UserClient(client));
        self
    }

    /// Adds a [`tower::Layer`] around every HTTP exchange: retries, concurrency limits, rate
    /// limits, tracing, test doubles. The first layer added is the outermost: it sees each
    /// request first and each response last. See [`middleware`](crate::middleware).
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<HttpService> + Send + 'static,
        L::Service: Service<HttpRequest, Response = HttpResponse> + Clone + Send + Sync + 'static,
        <L::Service as Service<HttpRequest>>::Error: Into<BoxError>,
        <L::Service as Service<HttpRequest>>::Future: Send + 'static,
    {
        self.layers.0.push(Box::new(move |inner: HttpService| {
            HttpService::new(tower::ServiceExt::map_err(layer.layer(inner), Into::into))
        }));
        self
    }

    /// The most bytes of a response body the client reads whole (JSON answers, error bodies,
    /// downloads taken with `send`); [`DEFAULT_MAX_RESPONSE_BYTES`] unless set. Past it, reading
    /// stops and the call fails with [`Error::ResponseTooLarge`]. Streamed downloads
    /// ([`Client::send_stream`]) are not capped: their chunks are never held together.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The most records [`Client::all_records`] collects into memory;
    /// [`DEFAULT_MAX_COLLECTED_RECORDS`] unless set. A cursor announcing more is
    /// [`Error::TooManyRecords`] before any page is read, so that a server announcing
    /// endless records cannot make the client hold them. Streams
    /// ([`Client::record_stream`]) hold a bounded number of pages and are not limited.
    pub fn max_collected_records(mut self, records: u64) -> Self {
        self.max_collected_records = records;
        self
    }

    /// Retries what is safe to retry, as the policy says: reads, and writes only where the
    /// failure proves nothing was written (see [`retry`](crate::retry)). Off unless set. The
    /// retries run outside every [`layer`](Self::layer), so each attempt goes through them all.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The most requests this client and all its clones run at once;
    /// [`DEFAULT_MAX_CONCURRENT_REQUESTS`] unless set (see there for why). Further calls wait
    /// for a free place before sending. A request holds its place until its answer's body is
    /// read or dropped, a streamed download until the stream ends. At least 1.
    pub fn max_concurrent_requests(mut self, limit: usize) -> Self {
        self.max_concurrent_requests = limit;
        self
    }

    /// Whether the readers of every record ([`Client::record_stream`], [`Client::all_records`],
    /// [`RecordCursor`](crate::RecordCursor)) go on past a page kintone marks as partial
    /// (`X-Cybozu-Warning`, [`CybozuWarning::FilterAborted`](crate::CybozuWarning): the query
    /// matched too many records and kintone stopped filtering). Off unless set: they stop with
    /// [`Error::FilterAborted`](crate::Error::FilterAborted) rather than miss records silently.
    /// Single calls are never stopped; their [`Response::warning`](crate::Response::warning)
    /// tells.
    pub fn accept_partial_pages(mut self, accept: bool) -> Self {
        self.accept_partial_pages = accept;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let base = parse_base(&self.base_url)?;
        if self.guest_space == Some(0) {
            return Err(BuildError::InvalidGuestSpace);
        }
        if self.empty_token_list {
            return Err(BuildError::EmptyCredential("list of API tokens"));
        }
        for auth in &self.auth {
            check_not_blank(auth)?;
        }
        let mut headers = http::HeaderMap::new();
        let auth_kind = match self.auth.as_slice() {
            [] => "none",
            [one] => {
                let (name, value) = one.header();
                headers.insert(name, sensitive(&value, name)?);
                auth_name(one)
            }
            [a, b, ..] => return Err(BuildError::ConflictingAuth(auth_name(a), auth_name(b))),
        };
        if let Some((user, password)) = &self.front_door {
            if auth_kind == "OAuth" {
                return Err(BuildError::OAuthWithFrontDoorBasic);
            }
            headers.insert(
                http::header::AUTHORIZATION,
                sensitive(&front_door_header(user, password), "Authorization")?,
            );
        }
        if let Some(lang) = &self.accept_language {
            let value = HeaderValue::from_str(lang)
                .map_err(|_| BuildError::InvalidHeaderValue("Accept-Language"))?;
            headers.insert(http::header::ACCEPT_LANGUAGE, value);
        }
        let host_header = HeaderValue::from_str(&host_with_port(&base))
            .map_err(|_| BuildError::InvalidHeaderValue("Host"))?;
        let user_agent = match &self.user_agent {
            Some(agent) => HeaderValue::from_str(agent)
                .map_err(|_| BuildError::InvalidHeaderValue("User-Agent"))?,
            None => HeaderValue::from_static(concat!("kintone-rs/", env!("CARGO_PKG_VERSION"))),
        };
        headers.insert(http::header::USER_AGENT, user_agent);
        let http = match self.http_client {
            Some(UserClient(http)) => http,
            None => reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| BuildError::Http(e.into()))?,
        };
        if self.max_concurrent_requests == 0 {
            return Err(BuildError::NoConcurrency);
        }
        let concurrency = Arc::new(Mutex::new(Concurrency::default()));
        let observed = HttpService::new(Observe {
            inner: HttpService::new(ReqwestService {
                http: http.clone(),
                timeout: self.timeout,
            }),
            seen: Arc::clone(&concurrency),
        });
        // Under the user's layers and the retries, so that a retry waiting for its turn holds
        // no place.
        let innermost = HttpService::new(Limit {
            inner: observed,
            permits: Arc::new(tokio::sync::Semaphore::new(
                self.max_concurrent_requests
                    .min(tokio::sync::Semaphore::MAX_PERMITS),
            )),
        });
        // The first layer added is the outermost, so the last one wraps the client first.
        let service = self
            .layers
            .0
            .into_iter()
            .rev()
            .fold(innermost, |inner, wrap| wrap(inner));
        let service = match &self.retry {
            Some(policy) => HttpService::new(policy.layer(service)),
            None => service,
        };
        Ok(Client {
            inner: Arc::new(Connection {
                http,
                service,
                max_response_bytes: self.max_response_bytes,
                max_collected_records: self.max_collected_records,
                base,
                host_header,
                guest_space: self.guest_space,
                auth_kind,
                headers,
                concurrency,
                accept_partial_pages: self.accept_partial_pages,
            }),
        })
    }
}

fn auth_name(auth: &Auth) -> &'static str {
    match auth {
        Auth::ApiTokens(_) => "API token",
        Auth::Password { .. } => "password",
        Auth::OAuth(_) => "OAuth",
    }
}

fn sensitive(value: &str, name: &'static str) -> Result<HeaderValue, BuildError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| BuildError::InvalidHeaderValue(name))?;
    v.set_sensitive(true);
    Ok(v)
}

fn check_not_blank(auth: &Auth) -> Result<(), BuildError> {
    let blank = |s: &str| s.trim().is_empty();
    match auth {
        Auth::ApiTokens(tokens) if tokens.iter().any(|t| blank(t.expose())) => {
            Err(BuildError::EmptyCredential("API token"))
        }
        Auth::Password { login, .. } if blank(login) => {
            Err(BuildError::EmptyCredential("login name"))
        }
        Auth::OAuth(token) if blank(token.expose()) => {
            Err(BuildError::EmptyCredential("OAuth token"))
        }
        _ => Ok(()),
    }
}

/// Checks the base URL; errors name it with credentials and query values redacted.
fn parse_base(text: &str) -> Result<Url, BuildError> {
    let shown = || crate::redact::url_text(text);
    let url = Url::parse(text).map_err(|e| BuildError::InvalidBaseUrl(shown(), e))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(BuildError::InsecureBaseUrl(shown())),
    }
    if url.path() != "/"
        || url.query().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(BuildError::BaseUrlWithPath(shown()));
    }
    Ok(url)
}

/// `Host: {host}:{port}`, with the port written even when it is the scheme's default, as the
/// overview asks (`example.kintone.com:443`).
fn host_with_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(443);
    format!("{host}:{port}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_header_names_the_port() {
        let url = parse_base("https://example.kintone.com").unwrap();
        assert_eq!(host_with_port(&url), "example.kintone.com:443");
    }

    #[test]
    fn plain_http_only_for_loopback() {
        assert!(parse_base("http://127.0.0.1:8080").is_ok());
        assert!(parse_base("http://localhost:1").is_ok());
        assert!(matches!(
            parse_base("http://example.kintone.com"),
            Err(BuildError::InsecureBaseUrl(_))
        ));
        assert!(matches!(
            parse_base("https://example.kintone.com/k/v1"),
            Err(BuildError::BaseUrlWithPath(_))
        ));
    }

    #[test]
    fn conflicting_authentication_is_refused() {
        let err = Client::builder("https://x.kintone.com")
            .api_token("t")
            .password("a", "b")
            .build()
            .unwrap_err();
        assert!(matches!(
            err,
            BuildError::ConflictingAuth("API token", "password")
        ));
        let err = Client::builder("https://x.kintone.com")
            .oauth_token("t")
            .front_door_basic("u", "p")
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::OAuthWithFrontDoorBasic));
        let err = Client::builder("https://x.kintone.com")
            .api_token("bad\ntoken")
            .build()
            .unwrap_err();
        assert!(matches!(
            err,
            BuildError::InvalidHeaderValue("X-Cybozu-API-Token")
        ));
    }

    #[test]
    fn a_builder_with_a_users_http_client_shows_no_default_header() {
        let mut defaults = http::HeaderMap::new();
        defaults.insert("x-corporate-key", HeaderValue::from_static("corp-secret"));
        let http = reqwest::Client::builder()
            .default_headers(defaults)
            .build()
            .unwrap();
        let builder = Client::builder("https://x.kintone.com")
            .api_token("tok-secret")
            .http_client(http);
        let shown = format!("{builder:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("reqwest::Client"), "{shown}");
    }

    #[test]
    fn debug_shows_no_secret() {
        let client = Client::builder("https://x.kintone.com")
            .api_tokens(["tok-secret-1", "tok-secret-2"])
            .front_door_basic("door", "door-secret")
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("API token"));
    }

    #[test]
    fn empty_or_blank_credentials_are_refused() {
        let build = |b: ClientBuilder| b.build().map(|_| ()).unwrap_err();
        let base = || Client::builder("https://x.kintone.com");
        assert!(matches!(
            build(base().api_token("")),
            BuildError::EmptyCredential("API token")
        ));
        assert!(matches!(
            build(base().api_tokens(["good", " "])),
            BuildError::EmptyCredential("API token")
        ));
        assert!(matches!(
            build(base().api_tokens(Vec::<String>::new())),
            BuildError::EmptyCredential("list of API tokens")
        ));
        assert!(matches!(
            build(base().password(" ", "pw")),
            BuildError::EmptyCredential("login name")
        ));
        assert!(matches!(
            build(base().oauth_token("")),
            BuildError::EmptyCredential("OAuth token")
        ));
    }

    #[test]
    fn build_errors_never_show_url_credentials_or_query_values() {
        for url in [
            "https://user:hunter2@x.kintone.com",
            "https://x.kintone.com/?token=hunter2",
            "http://user:hunter2@x.kintone.com/?token=hunter2",
            "ht!tp://user:hunter2@x",
        ] {
            let err = Client::builder(url).api_token("t").build().unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }
}

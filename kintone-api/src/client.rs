//! The client and its builder.

use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use url::Url;

use crate::auth::{front_door_header, Auth, Secret};
use crate::runtime::Operation;
use crate::{Error, Response};

/// The default time a whole request may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A kintone client for one domain (and, optionally, one guest space). Cheap to clone.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) host_header: HeaderValue,
    pub(crate) guest_space: Option<u64>,
    pub(crate) auth_kind: &'static str,
    /// Authentication and other per-client headers, marked sensitive where secret.
    pub(crate) headers: http::HeaderMap,
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
            front_door: None,
            guest_space: None,
            accept_language: None,
            user_agent: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Checks and sends any operation's request.
    pub async fn send<O: Operation>(&self, request: O) -> Result<Response<O::Response>, Error> {
        crate::transport::send(self, request).await
    }

    /// The guest space this client works in, if any.
    pub fn guest_space(&self) -> Option<u64> {
        self.inner.guest_space
    }

    /// The path of an API under this client: `/k/v1/{path}` or `/k/guest/{id}/v1/{path}`, with
    /// the prefixes the spec's servers give.
    pub fn api_path(&self, path: &str) -> String {
        use crate::generated::{API_PREFIX, GUEST_API_PREFIX};
        match self.inner.guest_space {
            Some(id) => format!("{}{id}{}/{path}", GUEST_API_PREFIX.0, GUEST_API_PREFIX.1),
            None => format!("{API_PREFIX}/{path}"),
        }
    }
}

/// Builds a [`Client`]; problems are reported by [`build`](ClientBuilder::build).
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    auth: Vec<Auth>,
    front_door: Option<(String, Secret)>,
    guest_space: Option<u64>,
    accept_language: Option<String>,
    user_agent: Option<String>,
    timeout: Duration,
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    #[error("the base URL {0:?} is not a URL: {1}")]
    InvalidBaseUrl(String, url::ParseError),
    #[error(
        "the base URL {0:?} must be https:// (plain http is allowed only for loopback addresses)"
    )]
    InsecureBaseUrl(String),
    #[error("the base URL {0:?} must be the domain alone, without a path, query or credentials")]
    BaseUrlWithPath(String),
    #[error("choose one authentication: {0} and {1} were both set")]
    ConflictingAuth(&'static str, &'static str),
    #[error("OAuth and front-door Basic authentication both need the Authorization header")]
    OAuthWithFrontDoorBasic,
    #[error("a value for {0} cannot be sent in an HTTP header (control characters or non-ASCII)")]
    InvalidHeaderValue(&'static str),
    #[error("guest space ids start at 1")]
    InvalidGuestSpace,
    #[error("the HTTP client could not be built: {0}")]
    Http(#[from] reqwest::Error),
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
        tokens.into_iter().fold(self, |b, t| b.api_token(t))
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

    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The time a whole request may take; [`DEFAULT_TIMEOUT`] unless set.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn build(self) -> Result<Client, BuildError> {
        let base = parse_base(&self.base_url)?;
        if self.guest_space == Some(0) {
            return Err(BuildError::InvalidGuestSpace);
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
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| concat!("kintone-rs/", env!("CARGO_PKG_VERSION")).to_string());
        let http = reqwest::Client::builder()
            .user_agent(user_agent)
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                host_header,
                guest_space: self.guest_space,
                auth_kind,
                headers,
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

fn parse_base(text: &str) -> Result<Url, BuildError> {
    let url = Url::parse(text).map_err(|e| BuildError::InvalidBaseUrl(text.to_string(), e))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(BuildError::InsecureBaseUrl(text.to_string())),
    }
    if url.path() != "/"
        || url.query().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(BuildError::BaseUrlWithPath(text.to_string()));
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
}

//! Credentials, and how they become headers.

use base64::Engine;

use crate::generated::headers::{API_TOKEN_HEADER, PASSWORD_HEADER};

/// A secret string that never shows in `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call it only where it is sent.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl<T: Into<String>> From<T> for Secret {
    fn from(value: T) -> Self {
        Self(value.into())
    }
}

/// How the client proves who it is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// One or more API tokens, sent comma-joined in `X-Cybozu-API-Token` (several tokens let a
    /// request read the apps its lookups point to).
    ApiTokens(Vec<Secret>),
    /// A login name and password, sent as base64 in `X-Cybozu-Authorization`.
    Password {
        /// The user's login name.
        login: String,
        /// The user's password.
        password: Secret,
    },
    /// An OAuth access token, sent as `Authorization: Bearer`.
    OAuth(Secret),
}

impl Auth {
    /// The header name and value this authentication sends.
    pub(crate) fn header(&self) -> (&'static str, String) {
        match self {
            Auth::ApiTokens(tokens) => (
                API_TOKEN_HEADER,
                tokens
                    .iter()
                    .map(Secret::expose)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Auth::Password { login, password } => (
                PASSWORD_HEADER,
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{login}:{}", password.expose())),
            ),
            Auth::OAuth(token) => ("Authorization", format!("Bearer {}", token.expose())),
        }
    }
}

/// The domain's optional front-door Basic authentication (`Authorization: Basic`), which some
/// domains put in front of everything. It is not kintone's removed Basic API authentication.
pub(crate) fn front_door_header(user: &str, password: &Secret) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{}", password.expose()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_header_is_base64_of_login_colon_password() {
        let auth = Auth::Password {
            login: "login_name".into(),
            password: "password".into(),
        };
        assert_eq!(
            auth.header(),
            (
                "X-Cybozu-Authorization",
                "bG9naW5fbmFtZTpwYXNzd29yZA==".to_string()
            )
        );
    }

    #[test]
    fn several_tokens_are_comma_joined() {
        let auth = Auth::ApiTokens(vec!["a".into(), "b".into()]);
        assert_eq!(auth.header(), ("X-Cybozu-API-Token", "a,b".to_string()));
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let auth = Auth::Password {
            login: "sato".into(),
            password: "hunter2".into(),
        };
        let shown = format!("{auth:?} {:?}", Auth::OAuth("tok-123".into()));
        assert!(
            !shown.contains("hunter2") && !shown.contains("tok-123"),
            "{shown}"
        );
    }
}

//! What can go wrong, how it is shown (one line, secrets scrubbed) and the exit code it gives.

use std::sync::{OnceLock, RwLock};

/// Exit code of a finished command.
pub const EXIT_OK: u8 = 0;
/// Exit code of a kintone error, an input error or any failure of the job itself.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of a usage error: options that do not go together, a missing option.
pub const EXIT_USAGE: u8 = 2;

/// A failure of a command, shown as one line on standard error.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line is wrong (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// kintone or the client refused or failed a call.
    #[error("{}", describe_api(.0))]
    Api(#[from] kintone_api::Error),
    /// The input (a file, a value) cannot be used; nothing was sent for it.
    #[error("{0}")]
    Input(String),
    /// A file could not be read or written.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// Any other failure, already worded.
    #[error("{0}")]
    Other(String),
}

impl CliError {
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> CliError {
        let context = context.into();
        move |source| CliError::Io { context, source }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => EXIT_USAGE,
            _ => EXIT_FAILURE,
        }
    }
}

impl From<kintone_api::BuildError> for CliError {
    fn from(e: kintone_api::BuildError) -> Self {
        CliError::Usage(e.to_string())
    }
}

impl From<kintone_api::DefinitionError> for CliError {
    fn from(e: kintone_api::DefinitionError) -> Self {
        CliError::Other(e.to_string())
    }
}

/// kintone's code and message, and what to do about the common ones.
fn describe_api(error: &kintone_api::Error) -> String {
    let Some(api) = error.api() else {
        return error.to_string();
    };
    let mut line = format!(
        "{} (HTTP {}): {}",
        api.code,
        api.status.as_u16(),
        api.message
    );
    for (path, messages) in &api.errors {
        line.push_str(&format!("; {path}: {}", messages.join(", ")));
    }
    if let Some(hint) = hint(&api.code) {
        line.push_str(" — ");
        line.push_str(hint);
    }
    line
}

/// What to do next, for the errors people meet first.
fn hint(code: &str) -> Option<&'static str> {
    Some(match code {
        "CB_AU01" | "CB_WA01" => {
            "check --username/--password (or KINTONE_USERNAME/KINTONE_PASSWORD)"
        }
        "GAIA_IA02" | "GAIA_DA03" => {
            "check --api-token (or KINTONE_API_TOKEN): the token must be saved and deployed in the app"
        }
        "GAIA_NO01" => "give the API token the permission this command needs, in the app's settings",
        "CB_NO02" => "the user lacks a permission this command needs",
        "GAIA_AP01" => "check --app (and --guest-space-id for an app in a guest space)",
        "GAIA_IL23" => "the app is in a guest space: add --guest-space-id",
        _ => return None,
    })
}

/// Every secret given to this run, scrubbed from anything it prints on standard error.
fn secrets() -> &'static RwLock<Vec<String>> {
    static SECRETS: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| RwLock::new(Vec::new()))
}

/// Remembers a secret so that [`redact`] hides it. Very short values are hidden too: a
/// secret is never shown, even when it is a common word.
pub fn register_secret(secret: &str) {
    if secret.is_empty() {
        return;
    }
    let mut list = secrets().write().unwrap_or_else(|e| e.into_inner());
    list.push(secret.to_string());
    // Longest first, so that a secret containing another is hidden whole.
    list.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// The text with every registered secret replaced by `***`: the last safety net before
/// anything reaches the terminal, whatever library worded it.
pub fn redact(text: &str) -> String {
    let list = secrets().read().unwrap_or_else(|e| e.into_inner());
    let mut text = text.to_string();
    for secret in list.iter() {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), "***");
        }
    }
    text
}

/// One line: line breaks inside a message become spaces.
pub fn one_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

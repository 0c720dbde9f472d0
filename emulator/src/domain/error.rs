//! kintone's error answers: status, code, message in English and Japanese, field errors.

use std::collections::BTreeMap;

use http::StatusCode;
use serde_json::{json, Value};

/// An error the emulator answers with, shaped as kintone's `{id, code, message, errors}`.
#[derive(Debug, Clone, PartialEq)]
pub struct KintoneError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message_en: String,
    pub message_ja: String,
    /// Messages per offending value, keyed like `record.Amount.value`.
    pub errors: BTreeMap<String, Vec<String>>,
}

impl KintoneError {
    pub fn new(
        status: u16,
        code: &'static str,
        en: impl Into<String>,
        ja: impl Into<String>,
    ) -> Self {
        // The spec is the one place a code's status is stated; the emulator must agree with it
        // wherever it states one (every test that reaches an error checks this).
        debug_assert!(
            crate::domain::spec::error_status(code).is_none_or(|s| s == status),
            "{code} is {status} here but {:?} in the spec",
            crate::domain::spec::error_status(code)
        );
        Self {
            status: StatusCode::from_u16(status).expect("a valid status"),
            code,
            message_en: en.into(),
            message_ja: ja.into(),
            errors: BTreeMap::new(),
        }
    }

    /// `CB_VA01` with one field error.
    pub fn invalid(key: impl Into<String>, en: impl Into<String>) -> Self {
        let mut e = Self::new(
            400,
            "CB_VA01",
            "Missing or invalid input.",
            "入力内容が正しくありません。",
        );
        e.errors.insert(key.into(), vec![en.into()]);
        e
    }

    /// Adds one more field error.
    pub fn with_error(mut self, key: impl Into<String>, message: impl Into<String>) -> Self {
        self.errors
            .entry(key.into())
            .or_default()
            .push(message.into());
        self
    }

    pub fn bad_json() -> Self {
        Self::new(
            400,
            "CB_IJ01",
            "Invalid JSON string.",
            "JSON文字列が不正です。",
        )
    }

    pub fn app_not_found(app: u64) -> Self {
        Self::new(
            404,
            "GAIA_AP01",
            format!("The app (ID: {app}) not found. The app may have been deleted."),
            format!(
                "指定したアプリ（id: {app}）が見つかりません。削除されている可能性があります。"
            ),
        )
    }

    pub fn record_not_found(id: u64) -> Self {
        Self::new(
            404,
            "GAIA_RE01",
            format!("The specified record (ID: {id}) is not found."),
            format!("指定したレコード（id: {id}）が見つかりません。"),
        )
    }

    pub fn conflict() -> Self {
        Self::new(
            409,
            "GAIA_CO02",
            "The revision is not the latest. Someone may update a record.",
            "指定したrevisionは最新ではありません。ほかのユーザーがレコードを更新した可能性があります。",
        )
    }

    pub fn no_permission() -> Self {
        Self::new(
            403,
            "CB_NO02",
            "No privilege to proceed.",
            "権限がありません。",
        )
    }

    /// An API token whose permissions do not cover the call.
    pub fn token_no_permission() -> Self {
        Self::new(
            403,
            "GAIA_NO01",
            "Using this API token, you cannot run the specified API.",
            "このAPIトークンでは、指定したAPIを実行できません。",
        )
    }

    /// The body, in the language the request asked for.
    pub fn body(&self, id: &str, japanese: bool) -> Value {
        let message = if japanese {
            &self.message_ja
        } else {
            &self.message_en
        };
        let mut body = json!({"id": id, "code": self.code, "message": message});
        if !self.errors.is_empty() {
            body["errors"] = self
                .errors
                .iter()
                .map(|(k, v)| (k.clone(), json!({ "messages": v })))
                .collect::<serde_json::Map<_, _>>()
                .into();
        }
        body
    }
}

pub type Result<T> = std::result::Result<T, KintoneError>;

/// Hands out the ids of error answers (`emulator-0000000001`, …), one counter per emulator.
#[derive(Debug)]
pub struct ErrorIds(std::sync::atomic::AtomicUsize);

impl Default for ErrorIds {
    fn default() -> Self {
        Self(std::sync::atomic::AtomicUsize::new(1))
    }
}

impl ErrorIds {
    /// The next id.
    pub fn next(&self) -> String {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        format!("emulator-{n:010}")
    }
}

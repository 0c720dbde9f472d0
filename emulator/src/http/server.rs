//! The HTTP side: paths, method override, parameters, authentication, failure injection, the
//! request log and the concurrency limit, around the API layer's operations.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, BodyDataStream, Bytes, HttpBody};
use axum::response::Response;
use base64::Engine;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde_json::{Map, Value};

use super::budget::{BodyBudget, Reservation};
use super::inject::{self, Failure, FailureKind};
use crate::api::{self, Ctx, Output, Upload};
use crate::domain::access::Principal;
use crate::domain::config::Config;
use crate::domain::error::{ErrorIds, KintoneError};
use crate::domain::spec::{header, split_path, SpecOperation};
use crate::domain::store::Db;

/// One request as the emulator received it.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Header names in lowercase.
    pub headers: BTreeMap<String, String>,
    pub body: Bytes,
    /// The body was not kept (`body` is empty): the request failed authentication, was refused
    /// before its body was read (the concurrency limit, the body caps or the body memory
    /// budget), or its body alone is larger than the log may hold ([`Config::log_max_bytes`]).
    pub body_omitted: bool,
}

impl LoggedRequest {
    /// The bytes this entry holds, as the log counts them against its bound.
    fn size(&self) -> usize {
        self.method.len()
            + self.path.len()
            + self.query.as_ref().map_or(0, String::len)
            + self
                .headers
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
            + self.body.len()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// The request log: the latest requests, within a count and a byte bound.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: VecDeque<LoggedRequest>,
    bytes: usize,
}

impl RequestLog {
    /// Keeps `entry`, dropping the oldest entries until both bounds hold. A body that alone
    /// exceeds the byte bound is not kept.
    pub fn push(&mut self, mut entry: LoggedRequest, max_requests: usize, max_bytes: usize) {
        if max_requests == 0 {
            return;
        }
        if entry.size() > max_bytes {
            entry.body = Bytes::new();
            entry.body_omitted = true;
        }
        let size = entry.size();
        if size > max_bytes {
            return;
        }
        while self.entries.len() >= max_requests || self.bytes + size > max_bytes {
            match self.entries.pop_front() {
                Some(old) => self.bytes -= old.size(),
                None => break,
            }
        }
        self.bytes += size;
        self.entries.push_back(entry);
    }

    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.entries.iter().cloned().collect()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }
}

pub struct Shared {
    pub db: Mutex<Db>,
    pub log: Mutex<RequestLog>,
    pub failures: Mutex<Vec<Failure>>,
    pub running: AtomicUsize,
    /// What the bodies being read at once hold, within [`Config::body_memory_budget`].
    pub bodies: BodyBudget,
    pub config: Config,
    pub operations: Vec<SpecOperation>,
    pub error_ids: ErrorIds,
}

impl Shared {
    pub fn new(db: Db, config: Config) -> Self {
        Self {
            db: Mutex::new(db),
            log: Mutex::new(RequestLog::default()),
            failures: Mutex::new(Vec::new()),
            running: AtomicUsize::new(0),
            bodies: BodyBudget::new(config.body_memory_budget),
            config,
            operations: crate::domain::spec::operations(),
            error_ids: ErrorIds::default(),
        }
    }
}

/// Counts a request as running for as long as it lives.
struct Running<'a>(&'a AtomicUsize);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The one handler: every request goes through here.
///
/// Nothing of a body is read before the caller is known and within the concurrency limit, and
/// a body is kept only within the shared body memory budget: a body of a caller that is refused
/// (or of a request over a limit) is answered first and then read and dropped as it arrives, so
/// that a client still reads the answer rather than a reset connection (issue 24).
pub async fn handle(shared: Arc<Shared>, request: http::Request<Body>) -> Response {
    let running_now = shared.running.fetch_add(1, Ordering::SeqCst) + 1;
    let _running = Running(&shared.running);
    let (parts, body) = request.into_parts();
    let japanese = parts
        .headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("ja"));
    let path = parts.uri.path().to_string();
    let has_body = !body.is_end_stream();
    let declared_length = body.size_hint().exact();
    let mut body = body.into_data_stream();
    let mut entry = LoggedRequest {
        method: parts.method.to_string(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_string),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: Bytes::new(),
        body_omitted: has_body,
    };
    let log = |entry: LoggedRequest| {
        shared.log.lock().unwrap().push(
            entry,
            shared.config.log_max_requests,
            shared.config.log_max_bytes,
        );
    };
    if running_now > shared.config.concurrency_limit {
        log(entry);
        drain_later(body);
        let e = KintoneError::new(
            429,
            "GAIA_TO04",
            "The number of concurrent requests exceeds the limit.",
            "同時リクエスト数の上限を超えています。",
        );
        return error_response(&shared, &e, japanese, running_now);
    }
    // Known from the headers alone; the answer to an unknown caller comes where kintone gives
    // it, after the path is read (`run`).
    let principal = authenticate(&shared, &parts.headers);
    let route = route(&shared, &parts, &path);
    let read = principal.is_ok() || route.as_ref().is_ok_and(|r| r.operation.anonymous);
    let is_upload = is_multipart(&parts.headers)
        && parts.method == Method::POST
        && split_path(&path).is_some_and(|(_, api)| api == "/file.json");
    let cap = if is_upload {
        shared.config.max_upload_bytes
    } else {
        shared.config.max_body_bytes
    };
    // Held until the request is answered: the body is the request's until then.
    let mut _reservation = None;
    let mut bytes = Bytes::new();
    if read {
        match read_body(&mut body, declared_length, cap, &shared).await {
            Ok((read, reservation)) => {
                bytes = read;
                _reservation = Some(reservation);
            }
            Err(refused) => {
                log(entry);
                if refused.drain {
                    drain_later(body);
                }
                return error_response(&shared, &refused.error, japanese, running_now);
            }
        }
        // The log keeps no body of a caller the emulator does not know.
        entry.body_omitted = principal.is_err() && !bytes.is_empty();
        if principal.is_ok() {
            entry.body = bytes.clone();
        }
    } else {
        drain_later(body);
    }
    log(entry);
    let injected = inject::take(&mut shared.failures.lock().unwrap(), &path);
    let filter_aborted = injected == Some(FailureKind::FilterAborted);
    match injected {
        Some(FailureKind::Respond {
            status,
            content_type,
            body,
        }) => {
            // A JSON error body names its code in `X-Cybozu-Error`, as kintone's own do.
            let code = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v.get("code").and_then(Value::as_str).map(str::to_string));
            let mut r = Response::new(Body::from(body));
            *r.status_mut() =
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            r.headers_mut()
                .insert(http::header::CONTENT_TYPE, header_value(&content_type));
            if let Some(code) = code.filter(|_| status >= 400) {
                r.headers_mut()
                    .insert(header("CYBOZU_ERROR_HEADER"), header_value(&code));
            }
            add_concurrency(r.headers_mut(), &shared, running_now);
            return r;
        }
        Some(FailureKind::CloseConnection) => {
            let broken = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("closed by the emulator"))
            });
            return Response::new(Body::from_stream(broken));
        }
        Some(FailureKind::Delay(d)) => tokio::time::sleep(d).await,
        Some(FailureKind::Hold(gate)) => gate.pass().await,
        Some(FailureKind::FilterAborted) | None => {}
    }
    let upload = if is_multipart(&parts.headers) {
        match read_upload(&parts.headers, bytes.clone()).await {
            Ok(u) => u,
            Err(e) => return error_response(&shared, &e, japanese, running_now),
        }
    } else {
        None
    };
    let output = run(&shared, &parts, route, bytes, upload, principal, japanese);
    match output.map(|o| {
        if filter_aborted {
            inject::abort_filter(o)
        } else {
            o
        }
    }) {
        Ok(Output::Json(value)) => {
            let mut r = Response::new(Body::from(value.to_string()));
            if filter_aborted {
                r.headers_mut().insert(
                    header("CYBOZU_WARNING_HEADER"),
                    inject::filter_aborted_warning(),
                );
            }
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            add_concurrency(r.headers_mut(), &shared, running_now);
            r
        }
        Ok(Output::Raw(bytes)) => {
            let mut r = Response::new(Body::from(bytes));
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            add_concurrency(r.headers_mut(), &shared, running_now);
            r
        }
        Ok(Output::File {
            content_type,
            name,
            bytes,
        }) => {
            let mut r = Response::new(Body::from(bytes));
            r.headers_mut()
                .insert(http::header::CONTENT_TYPE, header_value(&content_type));
            r.headers_mut().insert(
                http::header::CONTENT_DISPOSITION,
                header_value(&format!(
                    "attachment; filename=\"{}\"",
                    name.replace('"', "")
                )),
            );
            add_concurrency(r.headers_mut(), &shared, running_now);
            r
        }
        Ok(Output::Error { status, code, body }) => {
            let mut r = Response::new(Body::from(body.to_string()));
            *r.status_mut() = status;
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            r.headers_mut()
                .insert(header("CYBOZU_ERROR_HEADER"), header_value(code));
            add_concurrency(r.headers_mut(), &shared, running_now);
            r
        }
        Err(e) => error_response(&shared, &e, japanese, running_now),
    }
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"))
}

/// A body the emulator will not keep, and whether to read the rest of it (and drop it) after
/// answering: yes when the client may still be sending it, no when it stopped.
struct BodyRefused {
    error: KintoneError,
    drain: bool,
}

fn too_large(cap: usize) -> BodyRefused {
    // kintone's answer to an oversized body is not known (see the crate's list of the
    // emulator's own codes).
    BodyRefused {
        error: KintoneError::new(
            413,
            "EMULATOR_TL01",
            format!("The request body is larger than {cap} bytes, the emulator's limit."),
            format!("リクエストボディがエミュレーターの上限（{cap}バイト）を超えています。"),
        ),
        drain: true,
    }
}

/// Reads a body of at most `cap` bytes, each of them reserved first in the shared body budget.
/// A declared length over the cap or the whole budget is refused before anything is read; one
/// that does not fit in what is left of the budget now is refused as kintone refuses a request
/// over the concurrency limit (`429 GAIA_TO04`, "refused before running, retry later"), since
/// the emulator's budget is a limit on what runs at once. A body that stops arriving for the
/// idle timeout is refused too.
async fn read_body<'s>(
    body: &mut BodyDataStream,
    declared_length: Option<u64>,
    cap: usize,
    shared: &'s Shared,
) -> Result<(Bytes, Reservation<'s>), BodyRefused> {
    use futures_util::StreamExt;
    let budget = &shared.bodies;
    let busy = || BodyRefused {
        error: KintoneError::new(
            429,
            "GAIA_TO04",
            "The request bodies being read at once exceed the emulator's memory budget.",
            "同時に読み込み中のリクエストボディがエミュレーターのメモリ上限を超えています。",
        ),
        drain: true,
    };
    let declared = declared_length.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    if let Some(length) = declared {
        if length > cap {
            return Err(too_large(cap));
        }
        if length > budget.limit() {
            return Err(too_large(budget.limit()));
        }
    }
    let mut reservation = budget.try_reserve(declared.unwrap_or(0)).ok_or_else(busy)?;
    let mut kept = bytes::BytesMut::with_capacity(declared.unwrap_or(0));
    loop {
        let chunk = match tokio::time::timeout(shared.config.idle_timeout, body.next()).await {
            Ok(Some(Ok(chunk))) => chunk,
            Ok(None) => break,
            // The client went away mid-body; nobody reads this answer.
            Ok(Some(Err(_))) => {
                return Err(BodyRefused {
                    error: KintoneError::bad_json(),
                    drain: false,
                })
            }
            Err(_) => {
                let seconds = shared.config.idle_timeout.as_secs_f64();
                return Err(BodyRefused {
                    error: KintoneError::new(
                        408,
                        "EMULATOR_TO01",
                        format!("The request body stopped arriving for {seconds} seconds."),
                        format!("リクエストボディが{seconds}秒間届きませんでした。"),
                    ),
                    drain: false,
                });
            }
        };
        let total = kept.len() + chunk.len();
        if total > cap {
            return Err(too_large(cap));
        }
        if total > reservation.bytes() && !reservation.try_grow(total - reservation.bytes()) {
            return Err(if total > budget.limit() {
                too_large(budget.limit())
            } else {
                busy()
            });
        }
        kept.extend_from_slice(&chunk);
    }
    Ok((kept.freeze(), reservation))
}

/// Reads what is left of a body the emulator does not keep, dropping each piece as it comes,
/// so that a client still sending it reads the answer rather than a reset connection. It ends
/// with the body, or when the connection closes (idle, or to make room for another).
fn drain_later(mut body: BodyDataStream) {
    use futures_util::StreamExt;
    tokio::spawn(async move { while let Some(Ok(_)) = body.next().await {} });
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

fn add_concurrency(headers: &mut HeaderMap, shared: &Shared, running: usize) {
    headers.insert(
        header("CONCURRENCY_LIMIT_HEADER"),
        HeaderValue::from(shared.config.concurrency_limit),
    );
    headers.insert(
        header("CONCURRENCY_RUNNING_HEADER"),
        HeaderValue::from(running),
    );
}

pub fn error_id(shared: &Shared) -> String {
    shared.error_ids.next()
}

fn error_response(shared: &Shared, e: &KintoneError, japanese: bool, running: usize) -> Response {
    let mut r = Response::new(Body::from(e.body(&error_id(shared), japanese).to_string()));
    *r.status_mut() = e.status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header("CYBOZU_ERROR_HEADER"), header_value(e.code));
    add_concurrency(r.headers_mut(), shared, running);
    r
}

fn not_found(path: &str) -> KintoneError {
    KintoneError::new(
        404,
        "CB_NF01",
        format!("The API ({path}) is not found."),
        format!("API（{path}）が見つかりません。"),
    )
}

/// The part named `file` of a multipart body.
async fn read_upload(headers: &HeaderMap, body: Bytes) -> Result<Option<Upload>, KintoneError> {
    use axum::extract::FromRequest;
    let mut request = http::Request::new(Body::from(body));
    if let Some(ct) = headers.get(http::header::CONTENT_TYPE) {
        request
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, ct.clone());
    }
    let broken = || KintoneError::invalid("file", "The multipart body cannot be read.");
    let mut multipart = axum::extract::Multipart::from_request(request, &())
        .await
        .map_err(|_| broken())?;
    while let Some(field) = multipart.next_field().await.map_err(|_| broken())? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("file").to_string();
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = field.bytes().await.map_err(|_| broken())?;
        return Ok(Some(Upload {
            name,
            content_type,
            bytes,
        }));
    }
    Ok(None)
}

/// The operation a request names, found from its method (or `X-HTTP-Method-Override`) and path
/// alone, before its body is read.
struct Route<'s> {
    guest_space: Option<u64>,
    /// The path up to the API's own: `/k/v1` or `/k/guest/{id}/v1`.
    prefix: String,
    operation: &'s SpecOperation,
    path_params: Vec<(String, String)>,
}

fn route<'s>(
    shared: &'s Shared,
    parts: &http::request::Parts,
    path: &str,
) -> Result<Route<'s>, KintoneError> {
    let (guest_space, api) = split_path(path).ok_or_else(|| not_found(path))?;
    let method = match parts.headers.get(header("METHOD_OVERRIDE_HEADER")) {
        Some(v) if parts.method == Method::POST => {
            let named = v.to_str().unwrap_or_default();
            let allowed = crate::domain::spec::override_methods();
            if !allowed.iter().any(|m| m == named) {
                return Err(KintoneError::new(
                    400,
                    "CB_IL02",
                    format!(
                        "X-HTTP-Method-Override must be one of {}, not {named:?}.",
                        allowed.join(", ")
                    ),
                    format!(
                        "X-HTTP-Method-Overrideには{}のいずれかを指定してください（{named:?}）。",
                        allowed.join("、")
                    ),
                ));
            }
            named.to_string()
        }
        _ => parts.method.to_string(),
    };
    let (operation, path_params) = shared
        .operations
        .iter()
        .filter(|o| o.method == method)
        .find_map(|o| o.match_path(api).map(|p| (o, p)))
        .ok_or_else(|| not_found(path))?;
    if guest_space.is_some() && !operation.guest_space {
        return Err(not_found(path));
    }
    Ok(Route {
        guest_space,
        prefix: path[..path.len() - api.len()].to_string(),
        operation,
        path_params,
    })
}

fn run(
    shared: &Shared,
    parts: &http::request::Parts,
    route: Result<Route<'_>, KintoneError>,
    body: Bytes,
    upload: Option<Upload>,
    principal: Result<Principal, KintoneError>,
    japanese: bool,
) -> Result<Output, KintoneError> {
    let Route {
        guest_space,
        prefix,
        operation: op,
        path_params,
    } = route?;
    let content_type = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let params = if content_type.starts_with("multipart/form-data") {
        Value::Object(Map::new())
    } else if body.is_empty() {
        query_params(parts.uri.query().unwrap_or_default())
    } else {
        serde_json::from_slice(&body).map_err(|_| KintoneError::bad_json())?
    };
    let mut params = params;
    if let Value::Object(map) = &mut params {
        for (name, value) in path_params {
            map.insert(name, Value::String(value));
        }
    }
    // An operation without authentication takes any caller, as one without permissions.
    let principal = match principal {
        Err(_) if op.anonymous => Principal::Tokens(Vec::new()),
        other => other?,
    };
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let mut db = shared.db.lock().unwrap();
    let mut ctx = Ctx {
        db: &mut db,
        principal,
        config: &shared.config,
        japanese,
        guest_space,
        error_ids: &shared.error_ids,
        base_url: format!("http://{host}{prefix}/"),
    };
    api::dispatch(&mut ctx, &op.operation_id, &params, upload)
}

/// Query-string parameters as JSON: `ids[0]=1&ids[1]=2` becomes `{"ids": ["1", "2"]}`.
pub fn query_params(query: &str) -> Value {
    let mut out = Map::new();
    let mut arrays: BTreeMap<String, BTreeMap<usize, String>> = BTreeMap::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if let Some((name, index)) = k.strip_suffix(']').and_then(|k| k.split_once('[')) {
            if let Ok(i) = index.parse::<usize>() {
                arrays
                    .entry(name.to_string())
                    .or_default()
                    .insert(i, v.into_owned());
                continue;
            }
        }
        out.insert(k.into_owned(), Value::String(v.into_owned()));
    }
    for (name, items) in arrays {
        out.insert(
            name,
            Value::Array(items.into_values().map(Value::String).collect()),
        );
    }
    Value::Object(out)
}

fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<Principal, KintoneError> {
    let db = shared.db.lock().unwrap();
    if let Some(v) = headers.get(header("PASSWORD_HEADER")) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(v.as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        let failed = || {
            KintoneError::new(
                401,
                "CB_WA01",
                "Password authentication failed.",
                "ユーザーのパスワード認証に失敗しました。",
            )
        };
        let (login, password) = decoded
            .as_deref()
            .and_then(|d| d.split_once(':'))
            .ok_or_else(failed)?;
        return match db.users.get(login) {
            Some(u) if u.password == password => Ok(Principal::User(login.to_string())),
            _ => Err(failed()),
        };
    }
    if let Some(v) = headers.get(header("API_TOKEN_HEADER")) {
        let mut tokens = Vec::new();
        for token in v.to_str().unwrap_or_default().split(',').map(str::trim) {
            match db.tokens.get(token) {
                Some(grant) => tokens.push(*grant),
                None => {
                    return Err(KintoneError::new(
                        400,
                        "GAIA_IA02",
                        "The API token is invalid.",
                        "APIトークンが不正です。",
                    ))
                }
            }
        }
        return Ok(Principal::Tokens(tokens));
    }
    if let Some(v) = headers.get(http::header::AUTHORIZATION) {
        let token = v
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        return match token.and_then(|t| db.oauth.get(t)) {
            Some(grant) => Ok(Principal::OAuth {
                login: grant.login.clone(),
                scopes: grant.scopes.clone(),
            }),
            // kintone's answer to an unknown or expired access token is not known; the
            // emulator answers as to a request without credentials.
            None => Err(KintoneError::new(
                401,
                "CB_AU01",
                "Authentication is required.",
                "ログインしてください。",
            )),
        };
    }
    Err(KintoneError::new(
        401,
        "CB_AU01",
        "Authentication is required.",
        "ログインしてください。",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_query_arrays_are_read_back() {
        let v = query_params("app=1&ids%5B1%5D=4&ids%5B0%5D=3&query=A+%3E+1");
        assert_eq!(
            v,
            serde_json::json!({"app": "1", "ids": ["3", "4"], "query": "A > 1"})
        );
    }

    #[test]
    fn paths_with_and_without_guest_space() {
        assert_eq!(
            split_path("/k/v1/records.json"),
            Some((None, "/records.json"))
        );
        assert_eq!(
            split_path("/k/guest/12/v1/record.json"),
            Some((Some(12), "/record.json"))
        );
        assert_eq!(split_path("/k/guest/x/v1/record.json"), None);
        assert_eq!(split_path("/other"), None);
    }
}

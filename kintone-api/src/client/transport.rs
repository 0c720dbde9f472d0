//! Turning an [`Operation`] into an HTTP exchange, and the answer into a result.

use std::collections::BTreeMap;
use std::time::Instant;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use http_body_util::BodyExt;
use tracing::Instrument;

use crate::client::connection::Connection;
use crate::client::middleware::{HttpRequest, HttpResponse};
use crate::error::excerpt;
use crate::generated::{MAX_URI_BYTES, METHOD_OVERRIDE_HEADER};
use crate::runtime::file::PartError;
use crate::runtime::{
    BodyKind, HeaderWriter, Method, MultipartWriter, Operation, QueryWriter, RawResponse,
};
use crate::{
    ApiError, BulkErrorBody, Download, DownloadStream, Error, ErrorBody, FieldErrors, RequestKind,
    Response, TransportError,
};

/// How one request goes on the wire, decided before anything is sent.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub method: Method,
    /// Path and query: the request URI.
    pub uri: String,
    /// Set when a long GET or DELETE is tunnelled through POST.
    pub method_override: Option<Method>,
    pub json_body: Option<Vec<u8>>,
}

/// Lays out a request: query string, or JSON body, or `POST` with `X-HTTP-Method-Override`
/// when the URI would be longer than kintone accepts.
pub(crate) fn plan<O: Operation>(connection: &Connection, request: &O) -> Result<Plan, Error> {
    let path = connection.api_path(&request.path());
    let json = || {
        serde_json::to_vec(request).map_err(|source| Error::Serialize {
            operation: request.id(),
            source,
        })
    };
    Ok(match request.body_kind() {
        BodyKind::Query => {
            let mut query = QueryWriter::default();
            request.write_query(&mut query);
            let query = query.finish();
            let uri = if query.is_empty() {
                path.clone()
            } else {
                format!("{path}?{query}")
            };
            if uri.len() > MAX_URI_BYTES {
                Plan {
                    method: Method::Post,
                    uri: path,
                    method_override: Some(request.method()),
                    json_body: Some(json()?),
                }
            } else {
                Plan {
                    method: request.method(),
                    uri,
                    method_override: None,
                    json_body: None,
                }
            }
        }
        BodyKind::Json => Plan {
            method: request.method(),
            uri: path,
            method_override: None,
            json_body: Some(json()?),
        },
        BodyKind::Multipart => Plan {
            method: request.method(),
            uri: path,
            method_override: None,
            json_body: None,
        },
    })
}

/// The span of one call: created before the checks, so that a call refused before sending
/// has one too; `status` is set when the answer's head arrives, `duration_ms` and
/// `error_code` when the call ends (for a streamed download, when its head arrives).
struct RequestTrace {
    span: tracing::Span,
    started: Instant,
}

impl RequestTrace {
    fn start(operation: &'static str) -> Self {
        // Only these fields, never a header: the headers carry the credentials.
        let span = tracing::info_span!(
            target: "kintone_api",
            "kintone_request",
            operation,
            method = tracing::field::Empty,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            error_code = tracing::field::Empty,
        );
        Self {
            span,
            started: Instant::now(),
        }
    }

    fn finish<T>(&self, result: &Result<T, Error>) {
        let elapsed = self.started.elapsed().as_secs_f64() * 1000.0;
        self.span.record("duration_ms", elapsed);
        if let Some(code) = result.as_ref().err().and_then(Error::code) {
            if !code.is_empty() {
                self.span.record("error_code", code);
            }
        }
    }
}

pub(crate) async fn send<O: Operation>(
    connection: &Connection,
    request: O,
) -> Result<Response<O::Response>, Error> {
    let trace = RequestTrace::start(request.id());
    let span = trace.span.clone();
    // Entered while the call runs, so that what layers log falls under it.
    async move {
        let result = async {
            let response = exchange(connection, &request, &trace.span).await?;
            let (parts, body) = response.into_parts();
            let body = read_capped(
                parts.status,
                &parts.headers,
                body,
                connection.max_response_bytes,
            )
            .await?;
            if parts.status != StatusCode::OK {
                return Err(error_from(parts.status, parts.headers, &body));
            }
            let raw = RawResponse {
                operation: request.id(),
                status: parts.status,
                headers: parts.headers.clone(),
                body,
            };
            Ok(Response::new(O::decode(raw)?, parts.status, parts.headers))
        }
        .await
        .map_err(|e| e.answering(request_kind::<O>()));
        trace.finish(&result);
        result
    }
    .instrument(span)
    .await
}

pub(crate) async fn send_stream<O: Operation<Response = Download>>(
    connection: &Connection,
    request: O,
) -> Result<DownloadStream, Error> {
    let trace = RequestTrace::start(request.id());
    let span = trace.span.clone();
    // Entered while the call runs, so that what layers log falls under it.
    async move {
        let result = async {
            let response = exchange(connection, &request, &trace.span).await?;
            let (parts, body) = response.into_parts();
            if parts.status != StatusCode::OK {
                let cap = connection.max_response_bytes;
                let body = read_capped(parts.status, &parts.headers, body, cap).await?;
                return Err(error_from(parts.status, parts.headers, &body));
            }
            Ok(DownloadStream::new(&parts.headers, body))
        }
        .await
        .map_err(|e| e.answering(request_kind::<O>()));
        trace.finish(&result);
        result
    }
    .instrument(span)
    .await
}

/// Whether an operation reads or writes, whichever way it travels (a tunnelled `GET` reads).
fn request_kind<O: Operation>() -> RequestKind {
    RequestKind::of(&O::METHOD.to_http())
}

/// Checks and lays out the request, and sends it through the middleware stack; the answer's
/// body is left unread.
async fn exchange<O: Operation>(
    connection: &Connection,
    request: &O,
    span: &tracing::Span,
) -> Result<HttpResponse, Error> {
    request.validate()?;
    if connection.guest_space.is_some() && !request.in_guest_space() {
        return Err(Error::NotInGuestSpace {
            operation: request.id(),
        });
    }
    let plan = plan(connection, request)?;
    span.record("method", plan.method.as_str());
    let mut url = connection.base.clone();
    match plan.uri.split_once('?') {
        Some((path, query)) => {
            url.set_path(path);
            url.set_query(Some(query));
        }
        None => url.set_path(&plan.uri),
    }
    let mut builder = connection.http.request(plan.method.to_http(), url);
    let mut headers = connection.headers.clone();
    headers.insert(HOST, connection.host_header.clone());
    let mut extra = HeaderWriter::default();
    request.write_headers(&mut extra);
    let invalid = |header| Error::InvalidHeaderValue {
        operation: request.id(),
        header,
    };
    for (name, value) in extra.headers {
        let value = HeaderValue::from_str(&value).map_err(|_| invalid(name))?;
        headers.insert(header_name(name).ok_or(invalid(name))?, value);
    }
    if let Some(method) = plan.method_override {
        headers.insert(
            header_name(METHOD_OVERRIDE_HEADER).ok_or(invalid(METHOD_OVERRIDE_HEADER))?,
            HeaderValue::from_static(method.as_str()),
        );
    }
    if let Some(body) = plan.json_body {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        builder = builder.body(body);
    }
    if request.body_kind() == BodyKind::Multipart {
        let mut parts = MultipartWriter::default();
        request.write_multipart(&mut parts);
        let mut form = reqwest::multipart::Form::new();
        for (name, file) in parts.parts {
            let part = file.to_part().map_err(|e| match e {
                PartError::FileName => Error::InvalidFileName {
                    operation: request.id(),
                    file_name: file.file_name().to_string(),
                },
                PartError::ContentType => Error::InvalidContentType {
                    operation: request.id(),
                    file_name: file.file_name().to_string(),
                    content_type: file
                        .effective_content_type()
                        .unwrap_or_default()
                        .to_string(),
                },
            })?;
            form = form.part(name, part);
        }
        builder = builder.multipart(form);
    }
    let transport = |e| Error::Transport(TransportError::new(e));
    let request = builder.headers(headers).build().map_err(transport)?;
    let request = HttpRequest::try_from(request).map_err(transport)?;
    let response = tower::ServiceExt::oneshot(connection.service.clone(), request)
        .await
        .map_err(|e| Error::Transport(TransportError::new(e)))?;
    span.record("status", response.status().as_u16());
    Ok(response)
}

/// Reads a body whole, chunk by chunk, and stops as soon as it would pass `limit` bytes (or
/// before reading when `Content-Length` already says so); dropping the body then drops the
/// connection.
pub(crate) async fn read_capped(
    status: StatusCode,
    headers: &HeaderMap,
    mut body: reqwest::Body,
    limit: u64,
) -> Result<Bytes, Error> {
    let too_large = || Error::ResponseTooLarge { status, limit };
    let announced: Option<u64> = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    if announced.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    // Trust the announced length for the first allocation only up to a point: it may lie. Once
    // that much has arrived, the rest of the announced length (within `limit`) is reserved
    // exactly, so that a large body costs its own size rather than a doubling buffer's.
    const FIRST_ALLOCATION: u64 = 8 * 1024 * 1024;
    let mut buffer: Vec<u8> =
        Vec::with_capacity(announced.unwrap_or(0).min(FIRST_ALLOCATION) as usize);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| Error::Transport(TransportError::new(e)))?;
        if let Ok(data) = frame.into_data() {
            let needed = buffer.len() + data.len();
            if needed as u64 > limit {
                return Err(too_large());
            }
            if needed > buffer.capacity() {
                match announced.map(|n| n as usize) {
                    Some(total) if total >= needed => buffer.reserve_exact(total - buffer.len()),
                    // No length, or one the body has outgrown: amortized growth.
                    _ => buffer.reserve(data.len()),
                }
            }
            buffer.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buffer))
}

/// Header names come from the spec in their usual case; `from_bytes` folds them to lowercase.
fn header_name(name: &str) -> Option<HeaderName> {
    HeaderName::from_bytes(name.as_bytes()).ok()
}

/// Any status other than 200 is an error: kintone's JSON error (or a bulk request's list of
/// them), or, when the body is something else, a typed error with an excerpt.
pub(crate) fn error_from(status: StatusCode, headers: HeaderMap, body: &Bytes) -> Error {
    let messages = |errors: Option<BTreeMap<String, FieldErrors>>| {
        errors
            .unwrap_or_default()
            .into_iter()
            .map(|(path, e)| (path, e.messages))
            .collect()
    };
    if let Ok(e) = serde_json::from_slice::<ErrorBody>(body) {
        return ApiError {
            status,
            id: e.id,
            code: e.code,
            message: e.message,
            errors: messages(e.errors),
            bulk_index: None,
            headers: headers.into(),
            request: RequestKind::default(),
        }
        .into();
    }
    // A failed bulk request answers one entry per request: the failing one carries the error.
    if let Ok(bulk) = serde_json::from_slice::<BulkErrorBody>(body) {
        let failed = bulk
            .results
            .into_iter()
            .enumerate()
            .find(|(_, r)| r.code.is_some());
        if let Some((index, e)) = failed {
            return ApiError {
                status,
                id: e.id.unwrap_or_default(),
                code: e.code.unwrap_or_default(),
                message: e.message.unwrap_or_default(),
                errors: messages(e.errors),
                bulk_index: Some(index),
                headers: headers.into(),
                request: RequestKind::default(),
            }
            .into();
        }
    }
    unexpected(status, headers, body)
}

fn unexpected(status: StatusCode, headers: HeaderMap, body: &Bytes) -> Error {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("no content type")
        .to_string();
    Error::UnexpectedBody {
        status,
        content_type,
        excerpt: excerpt(body),
        headers: Box::new(headers.into()),
        request: RequestKind::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::RawResponse;
    use crate::Client;

    /// A DELETE with parameters long enough to need tunnelling (no real operation gets there
    /// within kintone's limits, so the rule is checked on the layout alone).
    #[derive(serde::Serialize)]
    struct LongDelete {
        ids: Vec<String>,
    }

    impl Operation for LongDelete {
        type Response = ();
        const SEALED: crate::runtime::Seal = crate::runtime::Seal;
        const ID: &'static str = "longDelete";
        const METHOD: Method = Method::Delete;
        const PATH: &'static str = "records.json";
        const BODY: BodyKind = BodyKind::Query;
        const GUEST_SPACE: bool = false;

        fn validate(&self) -> Result<(), crate::LimitError> {
            Ok(())
        }

        fn write_query(&self, query: &mut QueryWriter) {
            query.push_indexed("ids", &self.ids);
        }

        fn decode(_: RawResponse) -> Result<(), Error> {
            Ok(())
        }
    }

    fn client(guest: Option<u64>) -> Client {
        // Loopback port 9 (discard): if a check failed to stop a request, it would fail to connect.
        let builder = Client::builder("http://127.0.0.1:9").api_token("T");
        match guest {
            Some(id) => builder.guest_space(id).build().unwrap(),
            None => builder.build().unwrap(),
        }
    }

    #[test]
    fn long_deletes_are_tunnelled_with_their_method_named() {
        let short = LongDelete {
            ids: vec!["1".into()],
        };
        let plan_short = plan(&client(None).inner, &short).unwrap();
        assert_eq!(plan_short.method, Method::Delete);
        assert_eq!(plan_short.uri, "/k/v1/records.json?ids%5B0%5D=1");

        let long = LongDelete {
            ids: (0..1000).map(|i| format!("{i:08}")).collect(),
        };
        let plan_long = plan(&client(None).inner, &long).unwrap();
        assert_eq!(plan_long.method, Method::Post);
        assert_eq!(plan_long.method_override, Some(Method::Delete));
        assert_eq!(plan_long.uri, "/k/v1/records.json");
        let body: serde_json::Value =
            serde_json::from_slice(plan_long.json_body.as_ref().unwrap()).unwrap();
        assert_eq!(body["ids"].as_array().unwrap().len(), 1000);
    }

    #[tokio::test]
    async fn operations_missing_from_guest_spaces_are_refused_before_sending() {
        let err = send(&client(Some(3)).inner, LongDelete { ids: vec![] })
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotInGuestSpace {
                    operation: "longDelete"
                }
            ),
            "{err:?}"
        );
        assert!(err.is_rejected_before_sending());
    }

    /// A JSON-body request whose serialization fails, as a map with non-string keys would.
    struct Unserializable;

    impl serde::Serialize for Unserializable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("keys must be strings"))
        }
    }

    impl Operation for Unserializable {
        type Response = ();
        const SEALED: crate::runtime::Seal = crate::runtime::Seal;
        const ID: &'static str = "unserializable";
        const METHOD: Method = Method::Post;
        const PATH: &'static str = "record.json";
        const BODY: BodyKind = BodyKind::Json;
        const GUEST_SPACE: bool = true;

        fn validate(&self) -> Result<(), crate::LimitError> {
            Ok(())
        }

        fn decode(_: RawResponse) -> Result<(), Error> {
            Ok(())
        }
    }

    impl crate::runtime::BulkOperation for Unserializable {}

    #[tokio::test]
    async fn requests_that_do_not_serialize_are_refused_before_sending() {
        let err = send(&client(None).inner, Unserializable).await.unwrap_err();
        assert!(
            matches!(err, Error::Serialize { operation: "unserializable", ref source }
                if source.to_string().contains("keys must be strings")),
            "{err:?}"
        );
        assert!(err.is_rejected_before_sending());

        let bulk = crate::BulkRequest::new().push(Unserializable);
        let err = client(None).send_bulk(bulk).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Serialize {
                    operation: "unserializable",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.is_rejected_before_sending());
    }

    /// A read that claims to be a bulk write: only a spec mistake could make one.
    #[derive(serde::Serialize)]
    struct ReadInBulk {}

    impl Operation for ReadInBulk {
        type Response = ();
        const SEALED: crate::runtime::Seal = crate::runtime::Seal;
        const ID: &'static str = "readInBulk";
        const METHOD: Method = Method::Get;
        const PATH: &'static str = "record.json";
        const BODY: BodyKind = BodyKind::Query;
        const GUEST_SPACE: bool = true;

        fn validate(&self) -> Result<(), crate::LimitError> {
            Ok(())
        }

        fn decode(_: RawResponse) -> Result<(), Error> {
            Ok(())
        }
    }

    impl crate::runtime::BulkOperation for ReadInBulk {}

    #[tokio::test]
    async fn a_read_in_a_bulk_request_is_refused_before_sending() {
        let bulk = crate::BulkRequest::new().push(ReadInBulk {});
        let err = client(None).send_bulk(bulk).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotABulkWrite {
                    operation: "readInBulk"
                }
            ),
            "{err:?}"
        );
        assert!(err.is_rejected_before_sending());
    }
}

//! The runtime's seams, against loopback servers: middleware layers, the span per request, a
//! user-supplied `reqwest::Client`, the body cap, streamed downloads, transport errors, gzip.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{FutureExt, StreamExt};
use kintone_api::middleware::{BoxError, HttpRequest, HttpResponse, HttpService};
use kintone_api::{BulkRequestResponse, Client, Error, FilePart};
use kintone_tests::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;
use wiremock::matchers::{any, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MIB: u64 = 1024 * 1024;

fn empty_page() -> serde_json::Value {
    json!({"records": [], "totalCount": null})
}

fn client_for(server: &MockServer) -> kintone_api::ClientBuilder {
    Client::builder(server.uri()).api_token("TOKEN-1")
}

// ---------------------------------------------------------------------------------------------
// Middleware

#[tokio::test]
async fn a_layer_sees_every_request_as_sent() {
    let server = MockServer::start().await;
    // One body that each of the three operations below decodes.
    answer_json(&server, 200, json!({"record": {}, "records": []})).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let client = client_for(&server)
        .layer(tower::util::MapRequestLayer::new(
            move |request: HttpRequest| {
                log.lock()
                    .unwrap()
                    .push(format!("{} {}", request.method(), request.uri().path()));
                request
            },
        ))
        .build()
        .unwrap();

    client
        .records()
        .get_record(1u64, 2u64)
        .send()
        .await
        .unwrap();
    client.records().get_records(1u64).send().await.unwrap();
    client
        .records()
        .delete_records(1u64, [3u64])
        .send()
        .await
        .unwrap();
    // A call refused by a check never reaches the stack.
    let refused = client
        .records()
        .get_records(1u64)
        .accept_language("bad\nvalue")
        .send()
        .await
        .unwrap_err();
    assert!(refused.is_rejected_before_sending());

    assert_eq!(
        *seen.lock().unwrap(),
        [
            "GET /k/v1/record.json",
            "GET /k/v1/records.json",
            "DELETE /k/v1/records.json"
        ]
    );
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn a_layer_can_change_a_request() {
    let server = MockServer::start().await;
    answer_json(&server, 200, json!({"record": {}})).await;
    let client = client_for(&server)
        .layer(tower::util::MapRequestLayer::new(
            |mut request: HttpRequest| {
                request
                    .headers_mut()
                    .insert("x-request-id", http::HeaderValue::from_static("req-7"));
                request
            },
        ))
        .build()
        .unwrap();
    client
        .records()
        .get_record(1u64, 2u64)
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(header(&request, "x-request-id"), Some("req-7"));
    assert_eq!(header(&request, "x-cybozu-api-token"), Some("TOKEN-1"));
}

#[tokio::test]
async fn the_first_layer_added_is_the_outermost() {
    let server = MockServer::start().await;
    answer_json(&server, 200, empty_page()).await;
    let order = Arc::new(Mutex::new(Vec::new()));
    let note = |name: &'static str| {
        let order = Arc::clone(&order);
        tower::util::MapRequestLayer::new(move |request: HttpRequest| {
            order.lock().unwrap().push(name);
            request
        })
    };
    let client = client_for(&server)
        .layer(note("outer"))
        .layer(note("inner"))
        .build()
        .unwrap();
    client.records().get_records(1u64).send().await.unwrap();
    assert_eq!(*order.lock().unwrap(), ["outer", "inner"]);
}

/// The error a layer returns, to find again as the source of the transport error.
#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused by the test layer")
    }
}

impl std::error::Error for Refused {}

/// O4: every request names its host with the port, `{subdomain}.kintone.com:443`, as the
/// transport receives it (the layer answers, so nothing leaves the machine).
#[tokio::test]
async fn the_host_header_names_port_443_for_a_kintone_domain() {
    let hosts = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&hosts);
    for base in ["https://example.kintone.com", "https://example.cybozu.com/"] {
        let seen = Arc::clone(&seen);
        let client = Client::builder(base)
            .api_token("TOKEN-1")
            .layer(tower::layer::layer_fn(move |_inner: HttpService| {
                let seen = Arc::clone(&seen);
                tower::service_fn(move |request: HttpRequest| {
                    let host = request.headers().get("host").cloned();
                    seen.lock().unwrap().push(host);
                    async move {
                        let body = json!({"records": [], "totalCount": null});
                        Ok::<_, BoxError>(HttpResponse::new(body.to_string().into()))
                    }
                })
            }))
            .build()
            .unwrap();
        client.records().get_records(1u64).send().await.unwrap();
    }
    let hosts: Vec<_> = hosts
        .lock()
        .unwrap()
        .iter()
        .map(|h| h.clone().unwrap())
        .collect();
    assert_eq!(hosts, ["example.kintone.com:443", "example.cybozu.com:443"]);
}

#[tokio::test]
async fn a_layer_can_answer_or_fail_without_calling_kintone() {
    let server = MockServer::start().await;
    answer_json(&server, 200, empty_page()).await;
    let client = client_for(&server)
        .layer(tower::layer::layer_fn(|inner: HttpService| {
            tower::service_fn(move |request: HttpRequest| {
                let inner = inner.clone();
                async move {
                    match request.uri().path() {
                        "/k/v1/record.json" => {
                            let body = json!({"record": {
                                "Title": {"type": "SINGLE_LINE_TEXT", "value": "from the layer"}
                            }});
                            Ok(HttpResponse::new(body.to_string().into()))
                        }
                        "/k/v1/file.json" => Err(Box::new(Refused) as BoxError),
                        _ => inner.oneshot(request).await,
                    }
                }
            })
        }))
        .build()
        .unwrap();

    let record = client
        .records()
        .get_record(1u64, 2u64)
        .send()
        .await
        .unwrap();
    match record.record.get("Title") {
        Some(kintone_api::FieldValue::SingleLineText(title)) => {
            assert_eq!(title.value, "from the layer")
        }
        other => panic!("{other:?}"),
    }
    let err = client
        .files()
        .download_file("KEY")
        .send()
        .await
        .unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    let source = std::error::Error::source(transport).expect("the layer's error is kept");
    assert!(source.is::<Refused>(), "{source:?}");
    assert!(!err.is_timeout() && !transport.is_connect());
    assert_eq!(request_count(&server).await, 0);

    client.records().get_records(1u64).send().await.unwrap();
    assert_eq!(request_count(&server).await, 1);
}

/// A gate inside the limit: counts the calls that got past the limit and holds each until the
/// test gives it a permit.
fn gate(
    passed: Arc<AtomicUsize>,
    permits: Arc<tokio::sync::Semaphore>,
) -> impl tower::Layer<
    HttpService,
    Service = impl tower::Service<
        HttpRequest,
        Response = HttpResponse,
        Error = BoxError,
        Future = impl Send,
    > + Clone
                  + Send
                  + Sync,
> + Send
       + 'static {
    tower::layer::layer_fn(move |inner: HttpService| {
        let passed = Arc::clone(&passed);
        let permits = Arc::clone(&permits);
        tower::service_fn(move |request: HttpRequest| {
            // Counted when called, not when polled: one poll of a call shows whether it got here.
            passed.fetch_add(1, Ordering::SeqCst);
            let inner = inner.clone();
            let permits = Arc::clone(&permits);
            async move {
                permits.acquire().await.expect("open").forget();
                inner.oneshot(request).await
            }
        })
    })
}

#[tokio::test]
async fn a_concurrency_limit_layer_works_through_the_seam() {
    let server = MockServer::start().await;
    answer_json(&server, 200, empty_page()).await;
    let passed = Arc::new(AtomicUsize::new(0));
    let permits = Arc::new(tokio::sync::Semaphore::new(0));
    let client = client_for(&server)
        .layer(tower::limit::ConcurrencyLimitLayer::new(1))
        .layer(gate(Arc::clone(&passed), Arc::clone(&permits)))
        .build()
        .unwrap();

    let mut first = Box::pin(client.records().get_records(1u64).send());
    let mut second = Box::pin(client.records().get_records(1u64).send());
    // One poll takes a call through the checks and into the stack: no I/O happens before it.
    assert!(first.as_mut().now_or_never().is_none());
    assert_eq!(passed.load(Ordering::SeqCst), 1);
    assert!(second.as_mut().now_or_never().is_none());
    assert_eq!(
        passed.load(Ordering::SeqCst),
        1,
        "the second call must wait for the first"
    );

    permits.add_permits(2);
    let (a, b) = tokio::join!(first, second);
    a.unwrap();
    b.unwrap();
    assert_eq!(passed.load(Ordering::SeqCst), 2);
    assert_eq!(request_count(&server).await, 2);
}

// ---------------------------------------------------------------------------------------------
// Tracing

#[derive(Debug, Clone)]
struct CapturedSpan {
    name: &'static str,
    fields: BTreeMap<String, String>,
}

/// A subscriber that keeps every span's fields and every event's text.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<CapturedSpan>>>,
    events: Arc<Mutex<Vec<String>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attrs: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut spans = self.spans.lock().unwrap();
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        spans.push(CapturedSpan {
            name: attrs.metadata().name(),
            fields,
        });
        tracing::span::Id::from_u64(spans.len() as u64)
    }

    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let index = span.into_u64() as usize - 1;
        values.record(&mut Fields(&mut spans[index].fields));
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(format!("{fields:?}"));
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn each_request_has_a_span_with_its_outcome_and_no_secret() {
    let server = MockServer::start().await;
    Mock::given(path("/k/v1/records.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_page()))
        .mount(&server)
        .await;
    Mock::given(path("/k/v1/record.json"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"id": "e1", "code": "CB_VA01", "message": "Missing or invalid input."}),
        ))
        .mount(&server)
        .await;
    let token = "SECRET-TOKEN-4711";
    let client = Client::builder(server.uri())
        .api_token(token)
        .front_door_basic("door", "SECRET-DOOR-PW")
        .user_agent("SECRET-AGENT/1")
        .build()
        .unwrap();

    let capture = Capture::default();
    let guard = tracing::subscriber::set_default(capture.clone());
    client.records().get_records(1u64).send().await.unwrap();
    let err = client
        .records()
        .get_record(1u64, 2u64)
        .send()
        .await
        .unwrap_err();
    drop(guard);
    assert_eq!(err.code(), Some("CB_VA01"));

    let spans: Vec<CapturedSpan> = capture
        .spans
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.name == "kintone_request")
        .cloned()
        .collect();
    assert_eq!(spans.len(), 2, "{spans:?}");
    let (ok, failed) = (&spans[0].fields, &spans[1].fields);
    assert_eq!(ok["operation"], "getRecords");
    assert_eq!(ok["method"], "GET");
    assert_eq!(ok["status"], "200");
    assert!(ok["duration_ms"].parse::<f64>().unwrap() >= 0.0);
    assert!(!ok.contains_key("error_code"));
    assert_eq!(failed["operation"], "getRecord");
    assert_eq!(failed["status"], "400");
    assert_eq!(failed["error_code"], "CB_VA01");
    assert!(failed.contains_key("duration_ms"));
    assert_eq!(
        ok.keys().collect::<Vec<_>>(),
        ["duration_ms", "method", "operation", "status"]
    );

    let everything = format!(
        "{:?} {:?}",
        capture.spans.lock().unwrap(),
        capture.events.lock().unwrap()
    );
    for secret in ["SECRET", "ZG9vcj", "TOKEN-4711"] {
        assert!(!everything.contains(secret), "{secret} in {everything}");
    }
}

// ---------------------------------------------------------------------------------------------
// A user-supplied reqwest::Client

#[tokio::test]
async fn a_user_supplied_reqwest_client_sends_with_the_builder_settings() {
    let server = MockServer::start().await;
    Mock::given(path("/k/v1/records.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty_page()))
        .mount(&server)
        .await;
    Mock::given(path("/k/v1/record.json"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"record": {}}))
                .set_delay(Duration::from_secs(30)),
        )
        .mount(&server)
        .await;
    let mut corporate = http::HeaderMap::new();
    corporate.insert("x-corporate-gateway", http::HeaderValue::from_static("yes"));
    let http = reqwest::Client::builder()
        .default_headers(corporate)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = client_for(&server)
        .http_client(http)
        .accept_language("ja")
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    client.records().get_records(1u64).send().await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(header(&request, "x-corporate-gateway"), Some("yes"));
    assert_eq!(header(&request, "x-cybozu-api-token"), Some("TOKEN-1"));
    assert_eq!(header(&request, "accept-language"), Some("ja"));
    let port = server.address().port();
    assert_eq!(
        header(&request, "host"),
        Some(format!("127.0.0.1:{port}").as_str())
    );
    assert!(header(&request, "user-agent")
        .unwrap()
        .starts_with("kintone-rs/"));

    // The builder's timeout is set on each request, so the given client has it too.
    let err = client
        .records()
        .get_record(1u64, 2u64)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert!(transport.is_timeout() && !transport.is_connect());
}

// ---------------------------------------------------------------------------------------------
// The body cap

/// A loopback server that answers one request with `status` and a chunked body that never
/// ends, in chunks of `chunk` bytes, until the client goes away; it returns what it wrote.
async fn endless_server(
    status: &'static str,
    chunk: usize,
) -> (String, tokio::task::JoinHandle<u64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            socket.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        let start = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        socket.write_all(start.as_bytes()).await.unwrap();
        let mut frame = format!("{chunk:x}\r\n").into_bytes();
        frame.extend(std::iter::repeat_n(b' ', chunk));
        frame.extend_from_slice(b"\r\n");
        let mut written = 0u64;
        while socket.write_all(&frame).await.is_ok() {
            written += chunk as u64;
        }
        written
    });
    (base, task)
}

/// A layer that counts the body bytes the client pulls through it.
fn count_body_bytes(
    pulled: Arc<AtomicU64>,
) -> tower::util::MapResponseLayer<impl Fn(HttpResponse) -> HttpResponse + Clone + Send + Sync> {
    tower::util::MapResponseLayer::new(move |response: HttpResponse| {
        let pulled = Arc::clone(&pulled);
        response.map(|body| {
            let counted = http_body_util::BodyDataStream::new(body).inspect(move |chunk| {
                if let Ok(chunk) = chunk {
                    pulled.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                }
            });
            reqwest::Body::wrap_stream(counted)
        })
    })
}

#[tokio::test]
async fn an_endless_body_stops_at_the_cap_with_a_typed_error() {
    const CHUNK: usize = 64 * 1024;
    for (status, code) in [("200 OK", 200), ("503 Service Unavailable", 503)] {
        let (base, server) = endless_server(status, CHUNK).await;
        let pulled = Arc::new(AtomicU64::new(0));
        let client = Client::builder(base)
            .api_token("T")
            .max_response_bytes(MIB)
            .layer(count_body_bytes(Arc::clone(&pulled)))
            .build()
            .unwrap();
        let err = client.records().get_records(1u64).send().await.unwrap_err();
        assert!(
            matches!(err, Error::ResponseTooLarge { status, limit } if status == code && limit == MIB),
            "{err:?}"
        );
        assert_eq!(err.status().map(|s| s.as_u16()), Some(code));
        assert!(!err.is_rejected_before_sending());
        let pulled = pulled.load(Ordering::SeqCst);
        assert!(
            pulled > MIB - CHUNK as u64 && pulled <= MIB + CHUNK as u64,
            "the client read {pulled} bytes"
        );
        // The client dropped the connection: the server's writes fail and it stops.
        let written = tokio::time::timeout(Duration::from_secs(60), server)
            .await
            .expect("the server stops writing once the client is gone")
            .unwrap();
        assert!(written >= pulled);
    }
}

#[tokio::test]
async fn a_body_announced_past_the_cap_is_not_read() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(vec![b' '; 2 * MIB as usize], "application/json"),
        )
        .mount(&server)
        .await;
    let pulled = Arc::new(AtomicU64::new(0));
    let client = client_for(&server)
        .max_response_bytes(MIB)
        .layer(count_body_bytes(Arc::clone(&pulled)))
        .build()
        .unwrap();
    let err = client.records().get_records(1u64).send().await.unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err:?}");
    assert_eq!(pulled.load(Ordering::SeqCst), 0);
}

// ---------------------------------------------------------------------------------------------
// Streamed downloads

fn file_byte(offset: u64) -> u8 {
    (offset % 251) as u8
}

/// A destination that checks each byte and keeps only counts: the file is never held.
#[derive(Default)]
struct CheckingSink {
    written: u64,
    writes: usize,
    largest_write: usize,
}

impl tokio::io::AsyncWrite for CheckingSink {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        for (i, b) in buf.iter().enumerate() {
            assert_eq!(
                *b,
                file_byte(self.written + i as u64),
                "byte {}",
                self.written + i as u64
            );
        }
        self.written += buf.len() as u64;
        self.writes += 1;
        self.largest_write = self.largest_write.max(buf.len());
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn a_10_mb_download_streams_into_a_sink_in_chunks() {
    const SIZE: u64 = 10 * 1000 * 1000;
    let server = MockServer::start().await;
    let file: Vec<u8> = (0..SIZE).map(file_byte).collect();
    Mock::given(path("/k/v1/file.json"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(file, "application/pdf"))
        .mount(&server)
        .await;
    // A cap far below the file: a stream is never read whole, so the cap does not apply.
    let client = client_for(&server).max_response_bytes(MIB).build().unwrap();

    let download = client
        .files()
        .download_file("KEY")
        .send_stream()
        .await
        .unwrap();
    assert_eq!(download.content_type(), Some("application/pdf"));
    assert_eq!(download.content_length(), Some(SIZE));
    let mut sink = CheckingSink::default();
    let written = download.copy_to(&mut sink).await.unwrap();
    assert_eq!(written, SIZE);
    assert_eq!(sink.written, SIZE);
    assert!(sink.writes > 1, "{} writes", sink.writes);
    assert!(
        sink.largest_write as u64 <= MIB,
        "a write of {} bytes",
        sink.largest_write
    );

    // The same file as a Stream of chunks.
    let mut stream = client
        .files()
        .download_file("KEY")
        .send_stream()
        .await
        .unwrap();
    let (mut chunks, mut total, mut largest) = (0usize, 0u64, 0usize);
    while let Some(chunk) = stream.next().await {
        let chunk: Bytes = chunk.unwrap();
        chunks += 1;
        total += chunk.len() as u64;
        largest = largest.max(chunk.len());
    }
    assert_eq!(total, SIZE);
    assert!(
        chunks > 1 && largest as u64 <= MIB,
        "{chunks} chunks, largest {largest}"
    );

    // Read whole, the file is over the cap.
    let err = client
        .files()
        .download_file("KEY")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, .. } if limit == MIB),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_streamed_download_that_kintone_refuses_is_its_error() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        404,
        json!({"id": "e", "code": "GAIA_BL01", "message": "The file does not exist."}),
    )
    .await;
    let err = client
        .files()
        .download_file("MISSING")
        .send_stream()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("GAIA_BL01"));
}

// ---------------------------------------------------------------------------------------------
// Errors

#[tokio::test]
async fn a_refused_connection_is_an_opaque_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = Client::builder(base).api_token("T").build().unwrap();
    let err = client.records().get_records(1u64).send().await.unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert!(transport.is_connect());
    assert!(!transport.is_timeout() && !err.is_timeout());
    assert!(!err.is_rejected_before_sending());
    let source = std::error::Error::source(transport).expect("the HTTP client's error");
    assert!(source.is::<reqwest::Error>(), "{source:?}");
    assert_eq!(transport.to_string(), "the connection could not be made");
}

#[tokio::test]
async fn requests_that_cannot_be_sent_have_precise_errors() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, empty_page()).await;

    let err = client
        .records()
        .get_records(1u64)
        .accept_language("ja\r\nX-Injected: 1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidHeaderValue {
                operation: "getRecords",
                header: "Accept-Language"
            }
        ),
        "{err:?}"
    );
    assert!(err.is_rejected_before_sending());
    assert!(!format!("{err} {err:?}").contains("Injected"));

    let err = client
        .files()
        .upload_file(FilePart::new("a.txt", "x").content_type("not a mime type"))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::InvalidContentType { operation: "uploadFile", file_name, content_type }
                if file_name == "a.txt" && content_type == "not a mime type"
        ),
        "{err:?}"
    );
    assert!(err.is_rejected_before_sending());
    assert_eq!(request_count(&server).await, 0);

    let results = BulkRequestResponse::new(vec![serde_json::Map::new()]);
    let err = results.result::<serde_json::Value>(3).unwrap_err();
    assert!(
        matches!(err, Error::NoSuchBulkResult { index: 3, len: 1 }),
        "{err:?}"
    );
    assert!(!err.is_rejected_before_sending());
}

// ---------------------------------------------------------------------------------------------
// gzip

#[tokio::test]
async fn gzip_is_asked_for_and_a_gzipped_answer_decodes() {
    let server = MockServer::start().await;
    let page = json!({"records": [{"Title": {"type": "SINGLE_LINE_TEXT", "value": "packed"}}], "totalCount": "1"});
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(page.to_string().as_bytes()).unwrap();
    let packed = encoder.finish().unwrap();
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Content-Encoding", "gzip")
                .set_body_raw(packed, "application/json"),
        )
        .mount(&server)
        .await;
    let client = client_for(&server).build().unwrap();
    let page = client
        .records()
        .get_records(1u64)
        .total_count(true)
        .send()
        .await
        .unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.total_count, Some(1));
    let request = only_request(&server).await;
    assert_eq!(header(&request, "accept-encoding"), Some("gzip"));
}

/// A server that answers the first request with a 200 whose body stops short: `Content-Length`
/// promises more than is sent before the connection goes away (closed, or reset with `RST`).
async fn body_cut_short(reset: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 8192];
        let _ = socket.read(&mut request).await;
        socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"records\":[")
            .await
            .unwrap();
        socket.flush().await.unwrap();
        if reset {
            // A zero linger turns the close into a reset.
            socket.set_zero_linger().unwrap();
        }
        drop(socket);
    });
    format!("http://{address}")
}

/// A connection that breaks mid-body is reported as that, not as a body that does not decode.
#[tokio::test]
async fn a_body_cut_short_is_named_as_such() {
    for reset in [false, true] {
        let base = body_cut_short(reset).await;
        let client = Client::builder(base).api_token("T").build().unwrap();
        let err = client.records().get_records(1).send().await.unwrap_err();
        let shown = err.to_string();
        assert!(
            matches!(&err, Error::Transport(t) if t.is_incomplete_response()),
            "{err:?}"
        );
        assert!(
            shown.contains("before the whole response arrived") && !shown.contains("decod"),
            "reset={reset}: {shown}"
        );
    }
}

//! The retry policy against loopback servers: what is retried, how long it waits, how often.
//!
//! The tests run in paused time, so waits take no wall-clock time and are measured exactly.
//! A paused clock jumps to the next timer whenever the runtime is idle, and waiting on a socket
//! looks idle; so every exchange goes through [`hold_clock`], which keeps the clock still while
//! the exchange runs (a blocking task does that) and reads the answer whole inside it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::BodyExt;
use kintone_api::error_codes::{GAIA_TM12, GAIA_TO04};
use kintone_api::middleware::{BoxError, HttpRequest, HttpResponse, HttpService};
use kintone_api::{Client, ClientBuilder, RetryPolicy};
use kintone_tests::*;
use serde_json::json;
use tokio::time::Instant;
use tower::ServiceExt;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Keeps the paused clock still during each exchange, and counts the exchanges.
fn hold_clock(
    exchanges: Arc<AtomicUsize>,
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
        let exchanges = Arc::clone(&exchanges);
        tower::service_fn(move |request: HttpRequest| {
            exchanges.fetch_add(1, Ordering::SeqCst);
            let inner = inner.clone();
            async move {
                let (release, released) = std::sync::mpsc::channel::<()>();
                let holder = tokio::task::spawn_blocking(move || {
                    let _ = released.recv();
                });
                let result = async {
                    let response = inner.oneshot(request).await?;
                    let (parts, body) = response.into_parts();
                    let body = body.collect().await?.to_bytes();
                    Ok::<_, BoxError>(HttpResponse::from_parts(parts, body.into()))
                }
                .await;
                drop(release);
                holder.await.expect("the holder ends");
                result
            }
        })
    })
}

fn policy() -> RetryPolicy {
    RetryPolicy::new()
        .first_wait(Duration::from_secs(1))
        .jitter(false)
}

fn client(base: &str, policy: RetryPolicy, exchanges: &Arc<AtomicUsize>) -> Client {
    builder(base, policy, exchanges).build().unwrap()
}

fn builder(base: &str, policy: RetryPolicy, exchanges: &Arc<AtomicUsize>) -> ClientBuilder {
    Client::builder(base)
        .api_token("TOKEN")
        .retry(policy)
        .layer(hold_clock(Arc::clone(exchanges)))
}

fn kintone_error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"id": "e1", "code": code, "message": "refused"}))
        .insert_header("X-Cybozu-Error", code)
}

fn page() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"records": [], "totalCount": null}))
}

/// Answers `first` to the first `times` requests, then `then`.
async fn answers(server: &MockServer, first: ResponseTemplate, times: u64, then: ResponseTemplate) {
    Mock::given(any())
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(any()).respond_with(then).mount(server).await;
}

/// A subscriber that keeps the fields of every event, with the thread it happened on.
///
/// It is the global one, set once for the whole binary: a subscriber set for one thread only
/// races with the other tests' threads over each callsite's cached interest.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<ThreadEvent>>>);

/// The thread an event happened on, and its fields.
type ThreadEvent = (std::thread::ThreadId, BTreeMap<String, String>);

/// The events of this thread so far (each test runs on a current-thread runtime of its own).
fn events_of_this_thread() -> Vec<BTreeMap<String, String>> {
    static EVENTS: std::sync::OnceLock<Events> = std::sync::OnceLock::new();
    let events = EVENTS.get_or_init(|| {
        let events = Events::default();
        tracing::subscriber::set_global_default(events.clone()).expect("no other subscriber");
        events
    });
    let this = std::thread::current().id();
    let all = events.0.lock().unwrap();
    all.iter()
        .filter(|(thread, _)| *thread == this)
        .map(|(_, fields)| fields.clone())
        .collect()
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl tracing::Subscriber for Events {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        fields.insert("level".into(), event.metadata().level().to_string());
        fields.insert("target".into(), event.metadata().target().to_string());
        self.0
            .lock()
            .unwrap()
            .push((std::thread::current().id(), fields));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test(start_paused = true)]
async fn a_429_gaia_to04_then_200_succeeds_after_one_retry_that_is_traced() {
    let server = MockServer::start().await;
    answers(&server, kintone_error(429, GAIA_TO04), 1, page()).await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    let client = client(&server.uri(), policy(), &exchanges);
    let before = events_of_this_thread().len();

    let started = Instant::now();
    let page = client.records().get_records(1u64).send().await.unwrap();
    assert!(page.records.is_empty());
    assert_eq!(started.elapsed(), Duration::from_secs(1), "one first wait");
    assert_eq!(request_count(&server).await, 2);
    assert_eq!(exchanges.load(Ordering::SeqCst), 2);

    let events = events_of_this_thread();
    let retries: Vec<_> = events[before..]
        .iter()
        .filter(|e| e.contains_key("reason"))
        .collect();
    assert_eq!(retries.len(), 1, "{events:?}");
    assert_eq!(retries[0]["reason"], GAIA_TO04);
    assert_eq!(retries[0]["attempt"], "1");
    assert_eq!(retries[0]["wait_ms"], "1000");
    assert_eq!(retries[0]["level"], "WARN");
    assert_eq!(retries[0]["target"], "kintone_api");
}

#[tokio::test(start_paused = true)]
async fn a_429_gaia_to04_on_a_write_is_retried_and_the_write_lands_once() {
    let server = MockServer::start().await;
    answers(
        &server,
        kintone_error(429, GAIA_TO04),
        2,
        ResponseTemplate::new(200).set_body_json(json!({"id": "7", "revision": "1"})),
    )
    .await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    let client = client(&server.uri(), policy(), &exchanges);

    let started = Instant::now();
    let added = client
        .records()
        .add_record(1u64)
        .record(record("x", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(added.id.to_string(), "7");
    assert_eq!(request_count(&server).await, 3);
    // 1 s, then 2 s: the waits double.
    assert_eq!(started.elapsed(), Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn a_503_on_a_write_is_not_retried() {
    let server = MockServer::start().await;
    answers(
        &server,
        ResponseTemplate::new(503).set_body_raw("<html>maintenance</html>", "text/html"),
        1,
        ResponseTemplate::new(200).set_body_json(json!({"id": "7", "revision": "1"})),
    )
    .await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    let client = client(&server.uri(), policy(), &exchanges);

    let err = client
        .records()
        .add_record(1u64)
        .record(record("x", &[]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(!err.is_retryable());
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn a_503_on_a_read_is_retried() {
    let server = MockServer::start().await;
    answers(
        &server,
        ResponseTemplate::new(503).set_body_raw("<html>maintenance</html>", "text/html"),
        1,
        page(),
    )
    .await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    let client = client(&server.uri(), policy(), &exchanges);

    client.records().get_records(1u64).send().await.unwrap();
    assert_eq!(request_count(&server).await, 2);
}

/// `is_retryable()` answers what the policy did: a read's `503` (which the policy retried until
/// its attempts ran out) is retryable, a write's (sent once) is not.
#[tokio::test(start_paused = true)]
async fn is_retryable_tells_what_the_policy_does_for_reads_and_writes() {
    let server = MockServer::start().await;
    let maintenance =
        ResponseTemplate::new(503).set_body_raw("<html>maintenance</html>", "text/html");
    Mock::given(any())
        .respond_with(maintenance)
        .mount(&server)
        .await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    let client = client(&server.uri(), policy().max_attempts(2), &exchanges);

    let read = client.records().get_records(1u64).send().await.unwrap_err();
    assert_eq!(
        request_count(&server).await,
        2,
        "the policy retried the read"
    );
    assert!(read.is_retryable(), "{read:?}");

    let write = client
        .records()
        .add_record(1u64)
        .record(record("x", &[]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        request_count(&server).await,
        3,
        "the policy sent the write once"
    );
    assert!(!write.is_retryable(), "{write:?}");
}

#[tokio::test(start_paused = true)]
async fn a_429_gaia_tm12_is_not_retried_and_still_decodes() {
    let server = MockServer::start().await;
    answers(
        &server,
        kintone_error(429, GAIA_TM12),
        1,
        ResponseTemplate::new(200).set_body_json(json!({"id": "c1", "totalCount": "0"})),
    )
    .await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    let client = client(&server.uri(), policy(), &exchanges);

    let err = client
        .cursors()
        .create_cursor(1u64)
        .send()
        .await
        .unwrap_err();
    // The body the policy read to find the code is still there for the error.
    assert_eq!(err.code(), Some(GAIA_TM12));
    assert_eq!(err.api().unwrap().message, "refused");
    assert!(!err.is_retryable());
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn a_read_tunnelled_through_post_is_retried_as_a_read() {
    let server = MockServer::start().await;
    answers(
        &server,
        ResponseTemplate::new(503).set_body_raw("<html>maintenance</html>", "text/html"),
        1,
        page(),
    )
    .await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    let client = client(&server.uri(), policy(), &exchanges);

    client
        .records()
        .get_records(1u64)
        .query(format!("Title = \"{}\"", "x".repeat(9000)))
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.method.as_str() == "POST"));
    assert_eq!(header(&requests[1], "X-HTTP-Method-Override"), Some("GET"));
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    answers(
        &server,
        kintone_error(429, GAIA_TO04).insert_header("Retry-After", "7"),
        1,
        page(),
    )
    .await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    let client = client(&server.uri(), policy(), &exchanges);

    let started = Instant::now();
    client.records().get_records(1u64).send().await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(7));
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test(start_paused = true)]
async fn attempts_are_bounded() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(kintone_error(429, GAIA_TO04))
        .mount(&server)
        .await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    let client = client(&server.uri(), policy().max_attempts(3), &exchanges);

    let started = Instant::now();
    let err = client.records().get_records(1u64).send().await.unwrap_err();
    assert_eq!(err.code(), Some(GAIA_TO04));
    assert!(err.is_retryable());
    assert_eq!(request_count(&server).await, 3);
    assert_eq!(started.elapsed(), Duration::from_secs(1 + 2));
}

#[tokio::test(start_paused = true)]
async fn total_time_is_bounded() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(kintone_error(429, GAIA_TO04).insert_header("Retry-After", "25"))
        .mount(&server)
        .await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    let policy = policy().max_attempts(10).max_total(Duration::from_secs(60));
    let client = client(&server.uri(), policy, &exchanges);

    let started = Instant::now();
    let err = client.records().get_records(1u64).send().await.unwrap_err();
    assert_eq!(err.code(), Some(GAIA_TO04));
    // Attempts at 0 s, 25 s and 50 s; one more would start at 75 s, past the 60 s.
    assert_eq!(request_count(&server).await, 3);
    assert_eq!(started.elapsed(), Duration::from_secs(50));
}

#[tokio::test(start_paused = true)]
async fn a_write_that_failed_to_connect_is_retried() {
    // A port that was just free: connecting is refused, so nothing was ever sent.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let exchanges = Arc::new(AtomicUsize::new(0));
    let client = client(&base, policy().max_attempts(3), &exchanges);

    let started = Instant::now();
    let err = client
        .records()
        .add_record(1u64)
        .record(record("x", &[]))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, kintone_api::Error::Transport(e) if e.is_connect()),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(exchanges.load(Ordering::SeqCst), 3);
    assert_eq!(started.elapsed(), Duration::from_secs(1 + 2));
}

#[tokio::test(start_paused = true)]
async fn without_a_policy_nothing_is_retried() {
    let server = MockServer::start().await;
    answers(&server, kintone_error(429, GAIA_TO04), 1, page()).await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    let client = Client::builder(server.uri())
        .api_token("TOKEN")
        .layer(hold_clock(Arc::clone(&exchanges)))
        .build()
        .unwrap();

    let err = client.records().get_records(1u64).send().await.unwrap_err();
    assert_eq!(err.code(), Some(GAIA_TO04));
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn jittered_waits_stay_between_one_and_two_times_the_computed_wait() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(kintone_error(429, GAIA_TO04))
        .mount(&server)
        .await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    let policy = RetryPolicy::new()
        .first_wait(Duration::from_secs(1))
        .max_attempts(3);
    let client = client(&server.uri(), policy, &exchanges);

    let started = Instant::now();
    client.records().get_records(1u64).send().await.unwrap_err();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(3) && waited < Duration::from_secs(6),
        "{waited:?}"
    );
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_past_the_total_ends_the_retries_with_the_answer() {
    // 2^64 - 1 seconds overflowed the clock; past `u64` the number is still a wait too long.
    for retry_after in [u64::MAX.to_string(), "99999999999999999999999".to_string()] {
        for refusal in [
            kintone_error(429, GAIA_TO04),
            ResponseTemplate::new(503).set_body_raw("<html>maintenance</html>", "text/html"),
        ] {
            let server = MockServer::start().await;
            answers(
                &server,
                refusal.insert_header("Retry-After", retry_after.as_str()),
                1,
                page(),
            )
            .await;
            let exchanges = Arc::new(AtomicUsize::new(0));
            let client = client(&server.uri(), policy(), &exchanges);

            let started = Instant::now();
            let err = client.records().get_records(1u64).send().await.unwrap_err();
            assert!(
                matches!(err.status().map(|s| s.as_u16()), Some(429 | 503)),
                "{err:?}"
            );
            assert_eq!(request_count(&server).await, 1, "no retry");
            assert_eq!(started.elapsed(), Duration::ZERO, "no wait");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_that_reaches_the_end_of_the_total_is_not_waited_for() {
    let server = MockServer::start().await;
    answers(
        &server,
        kintone_error(429, GAIA_TO04).insert_header("Retry-After", "60"),
        1,
        page(),
    )
    .await;
    let exchanges = Arc::new(AtomicUsize::new(0));
    let policy = policy().max_total(Duration::from_secs(60));
    let client = client(&server.uri(), policy, &exchanges);

    let started = Instant::now();
    let err = client.records().get_records(1u64).send().await.unwrap_err();
    assert_eq!(err.code(), Some(GAIA_TO04));
    assert_eq!(request_count(&server).await, 1);
    assert_eq!(started.elapsed(), Duration::ZERO);
}

/// A server that accepts connections and never answers: every attempt runs into its timeout.
async fn silent_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((connection, _)) = listener.accept().await {
            held.push(connection);
        }
    });
    base
}

#[tokio::test(start_paused = true)]
async fn the_last_attempt_is_cut_to_what_is_left_of_the_total() {
    // No `hold_clock` here: the clock must run while the attempts wait for an answer.
    let base = silent_server().await;
    let client = Client::builder(&base)
        .api_token("TOKEN")
        .timeout(Duration::from_secs(20))
        .retry(policy().max_attempts(10).max_total(Duration::from_secs(60)))
        .build()
        .unwrap();

    let started = Instant::now();
    let err = client.records().get_records(1u64).send().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // Attempts of 20 s from 0 s and from 21 s, waits of 1 s and 2 s, and a last attempt from
    // 43 s cut to the 17 s that are left: 60 s, where an uncut attempt would end at 63 s.
    assert_eq!(started.elapsed(), Duration::from_secs(60));
}

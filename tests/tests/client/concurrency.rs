//! The client's concurrency limit, shared by its clones, and the domain's concurrency as
//! kintone reports it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::future::join_all;
use kintone_api::{BuildError, Client, Concurrency, DEFAULT_MAX_CONCURRENT_REQUESTS};
use kintone_tests::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{watch, Semaphore};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A loopback server that holds every request until the test releases it, and keeps the most
/// requests it ever held at once.
struct HoldingServer {
    base: String,
    arrived: watch::Receiver<usize>,
    release: Arc<Semaphore>,
    most_at_once: Arc<AtomicUsize>,
}

async fn holding_server() -> HoldingServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (arrivals, arrived) = watch::channel(0usize);
    let release = Arc::new(Semaphore::new(0));
    let most_at_once = Arc::new(AtomicUsize::new(0));
    let held = Arc::new(AtomicUsize::new(0));
    let gate = Arc::clone(&release);
    let most = Arc::clone(&most_at_once);
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (gate, most, held, arrivals) = (
                Arc::clone(&gate),
                Arc::clone(&most),
                Arc::clone(&held),
                arrivals.clone(),
            );
            tokio::spawn(async move {
                // A GET: the request ends with its head.
                let mut head = Vec::new();
                let mut buffer = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = socket.read(&mut buffer).await.unwrap();
                    assert!(n > 0, "the client closed before sending its request");
                    head.extend_from_slice(&buffer[..n]);
                }
                let now = held.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                arrivals.send_modify(|n| *n += 1);
                gate.acquire().await.unwrap().forget();
                held.fetch_sub(1, Ordering::SeqCst);
                let body = r#"{"records":[],"totalCount":null}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                     x-concurrencylimit-limit: 100\r\nx-concurrencylimit-running: {now}\r\n\
                     connection: close\r\n\r\n{body}",
                    body.len()
                );
                socket.write_all(answer.as_bytes()).await.unwrap();
            });
        }
    });
    HoldingServer {
        base,
        arrived,
        release,
        most_at_once,
    }
}

/// Lets every task that can run, run, the client's connections and the server's included: what
/// has not reached the server after this was not sent.
async fn settle() {
    for _ in 0..2000 {
        tokio::task::yield_now().await;
    }
}

/// Six calls, alternately from each client, against a limit of two.
async fn never_more_than_two_at_once(mut server: HoldingServer, clients: [Client; 2]) {
    let calls = (0..6).map(|i| {
        let client = clients[i % 2].clone();
        async move { client.records().get_records(1u64).send().await }
    });
    let calls = tokio::spawn(join_all(calls));

    server.arrived.wait_for(|n| *n >= 2).await.unwrap();
    settle().await;
    assert_eq!(*server.arrived.borrow(), 2, "a third request was sent");
    // Each release lets exactly one more in.
    for expected in 3..=6 {
        server.release.add_permits(1);
        server.arrived.wait_for(|n| *n >= expected).await.unwrap();
    }
    server.release.add_permits(2);
    for result in calls.await.unwrap() {
        result.unwrap();
    }
    assert_eq!(server.most_at_once.load(Ordering::SeqCst), 2);
    let seen = clients[0].concurrency();
    assert_eq!(seen.limit, Some(100));
    assert!(matches!(seen.running, Some(1..=2)), "{seen:?}");
}

fn limited(base: &str, limit: usize) -> Client {
    Client::builder(base)
        .api_token("TOKEN")
        .max_concurrent_requests(limit)
        .build()
        .unwrap()
}

#[tokio::test]
async fn never_more_than_the_limit_in_flight() {
    let mut server = holding_server().await;
    let client = limited(&server.base, 2);
    let calls = (0..5).map(|_| {
        let client = client.clone();
        async move { client.records().get_records(1u64).send().await }
    });
    let calls = tokio::spawn(join_all(calls));
    server.arrived.wait_for(|n| *n >= 2).await.unwrap();
    settle().await;
    assert_eq!(*server.arrived.borrow(), 2, "a third request was sent");
    server.release.add_permits(5);
    for result in calls.await.unwrap() {
        result.unwrap();
    }
    assert_eq!(*server.arrived.borrow(), 5);
    assert_eq!(server.most_at_once.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn clones_share_the_limit() {
    let server = holding_server().await;
    let client = limited(&server.base, 2);
    let clone = client.clone();
    never_more_than_two_at_once(server, [client, clone]).await;
}

#[tokio::test]
async fn the_last_concurrency_headers_are_kept_for_every_clone() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"records": [], "totalCount": null}))
                .insert_header("X-ConcurrencyLimit-Limit", "100")
                .insert_header("X-ConcurrencyLimit-Running", "3"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    // A later answer without the headers leaves the last values in place.
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"records": [], "totalCount": null})),
        )
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .api_token("TOKEN")
        .build()
        .unwrap();
    let clone = client.clone();
    assert_eq!(client.concurrency(), Concurrency::default());

    // O34: unlike `kintone.api()`, which hands over the body alone, every answer keeps its
    // status and headers beside the body.
    let answer = clone.records().get_records(1u64).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.headers()["x-concurrencylimit-limit"], "100");
    assert_eq!(answer.concurrency().running, Some(3));
    assert!(answer.records.is_empty());
    let expected = Concurrency {
        limit: Some(100),
        running: Some(3),
    };
    assert_eq!(client.concurrency(), expected);
    client.records().get_records(1u64).send().await.unwrap();
    assert_eq!(clone.concurrency(), expected);
    assert_eq!(request_count(&server).await, 2);
}

// The default leaves most of the domain's budget to the domain's other clients.
const _: () =
    assert!(DEFAULT_MAX_CONCURRENT_REQUESTS * 5 <= kintone_api::limits::MAX_CONCURRENT_REQUESTS);

#[test]
fn a_limit_of_zero_is_refused() {
    let err = Client::builder("https://example.kintone.com")
        .max_concurrent_requests(0)
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::NoConcurrency), "{err:?}");
}

//! A bounded load test against the emulator, on loopback only: many clients at once mix reads,
//! single writes and bulk requests, with retries on, while failures are injected (503 pages,
//! `429 GAIA_TO04`, 500 errors, connections dropped mid-answer) and the emulator's own
//! concurrency limit refuses what goes past it. Afterwards every acknowledged write is present
//! exactly once, and no write that was not acknowledged is half-applied.
//!
//! Hostile clients run beside them: idle connections past the emulator's connection limit
//! (some with half a request head), callers without credentials that send part of a large body
//! and stall, and known callers whose bodies stall mid-way. The emulator must keep answering
//! the others, refuse the unknown callers from their headers, hold no more connections than
//! its limit, and give every body's memory back.
//!
//! The size is small by default so that CI stays quick; `KINTONE_LOAD_CLIENTS` and
//! `KINTONE_LOAD_OPS` make it bigger (for example 400 and 25). It stops by itself: every client
//! does a fixed number of operations, and the retry policy bounds attempts and time.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use kintone_api::middleware::HttpRequest;
use kintone_api::{BulkRequest, Client, RetryPolicy};
use kintone_emulator::{Emulator, Failure, Permissions};
use kintone_tests::*;
use serde_json::json;
use tokio::io::AsyncWriteExt;

fn from_env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One logical write and whether the client was told it succeeded.
struct Write {
    titles: Vec<String>,
    acknowledged: bool,
}

/// The failure injected for the next request that reaches the emulator, whichever it is.
fn failure(n: usize) -> Failure {
    match n % 4 {
        0 => Failure::text(503, "text/html", "<html>maintenance</html>"),
        1 => Failure::json(
            429,
            json!({"id": "load", "code": kintone_api::error_codes::GAIA_TO04, "message": "busy"}),
        ),
        2 => Failure::close_connection(),
        _ => Failure::json(
            500,
            json!({"id": "load", "code": "CB_UN01", "message": "oops"}),
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clients_under_failures_lose_and_duplicate_nothing() {
    let clients = from_env("KINTONE_LOAD_CLIENTS", 120);
    let ops = from_env("KINTONE_LOAD_OPS", 6);
    let max_connections = from_env("KINTONE_LOAD_MAX_CONNECTIONS", 200);
    let idle_connections = from_env("KINTONE_LOAD_IDLE_CONNECTIONS", 300);
    let stalled_unknown = from_env("KINTONE_LOAD_STALLED_UNKNOWN", 16);
    let stalled_known = from_env("KINTONE_LOAD_STALLED_KNOWN", 4);
    let emulator = Arc::new(
        Emulator::builder()
            .app(orders_app())
            .api_token("TOKEN", 1, Permissions::ALL)
            // Well under the clients' combined limits, so kintone's own 429 comes up too.
            .concurrency_limit(16)
            .log_max_requests(64)
            .max_connections(max_connections)
            .start()
            .await
            .unwrap(),
    );

    // Idle connections, a third of them with half a request head, more than the limit.
    let mut idle = Vec::new();
    for i in 0..idle_connections {
        let mut socket = tokio::net::TcpStream::connect(emulator.address())
            .await
            .unwrap();
        if i % 3 == 0 {
            socket
                .write_all(b"GET /k/v1/records.json?app=1 HTTP/1.1\r\nHost: x\r\n")
                .await
                .unwrap();
        }
        idle.push(socket);
    }
    // Unknown callers announcing 16 MiB and stalling after 256 KiB: refused from the headers.
    let large = 16usize << 20;
    let mut unknown = Vec::new();
    for _ in 0..stalled_unknown {
        let headers = [("Content-Length", large.to_string())];
        let mut socket = send_head(&emulator, "/k/v1/record.json", &headers).await;
        socket.write_all(&vec![b'x'; 256 << 10]).await.unwrap();
        let head = tokio::time::timeout(Duration::from_secs(60), read_answer_head(&mut socket))
            .await
            .expect("an unknown caller is answered before its body ends")
            .expect("an answer, not a closed connection");
        assert!(head.starts_with("http/1.1 401"), "{head}");
        unknown.push(socket);
    }
    // Known callers whose 1 MiB bodies stall after 1 KiB, through the whole load: they hold
    // their share of the body budget and of the concurrency limit.
    let stalled_body = vec![b'x'; 1 << 20];
    let mut known = Vec::new();
    for _ in 0..stalled_known {
        let headers = [
            ("X-Cybozu-API-Token", "TOKEN".to_string()),
            ("Content-Length", stalled_body.len().to_string()),
        ];
        let mut socket = send_head(&emulator, "/k/v1/record.json", &headers).await;
        socket.write_all(&stalled_body[..1024]).await.unwrap();
        known.push(socket);
    }

    let sent = Arc::new(AtomicUsize::new(0));
    let injected = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for c in 0..clients {
        let emulator = Arc::clone(&emulator);
        let sent = Arc::clone(&sent);
        let injected = Arc::clone(&injected);
        tasks.push(tokio::spawn(async move {
            let counter = Arc::clone(&sent);
            let client = Client::builder(emulator.base_url())
                .api_token("TOKEN")
                .max_concurrent_requests(2)
                .retry(
                    RetryPolicy::new()
                        .max_attempts(8)
                        .first_wait(Duration::from_millis(2))
                        .max_wait(Duration::from_millis(40))
                        .max_total(Duration::from_secs(30)),
                )
                .layer(tower::util::MapRequestLayer::new(move |r: HttpRequest| {
                    counter.fetch_add(1, Ordering::Relaxed);
                    r
                }))
                .build()
                .unwrap();
            let mut writes = Vec::new();
            let mut reads = 0usize;
            for o in 0..ops {
                // Every fifth operation arms a failure for whichever request comes next.
                if (c * 7 + o) % 5 == 0 {
                    let n = injected.fetch_add(1, Ordering::Relaxed);
                    emulator.inject(failure(n));
                }
                let title = format!("c{c}-o{o}");
                match o % 3 {
                    0 => {
                        let result = client
                            .records()
                            .add_record(1)
                            .record(record(&title, &[]))
                            .send()
                            .await;
                        writes.push(Write {
                            titles: vec![title],
                            acknowledged: result.is_ok(),
                        });
                    }
                    1 => {
                        let titles = vec![format!("{title}-a"), format!("{title}-b")];
                        let bulk = titles.iter().fold(BulkRequest::new(), |bulk, t| {
                            bulk.push(
                                client
                                    .records()
                                    .add_record(1)
                                    .record(record(t, &[]))
                                    .into_request(),
                            )
                        });
                        let result = client.send_bulk(bulk).await;
                        writes.push(Write {
                            titles,
                            acknowledged: result.is_ok(),
                        });
                    }
                    _ => {
                        let read = client
                            .records()
                            .get_records(1)
                            .query(format!("Title like \"c{c}-\" limit 10"))
                            .send()
                            .await;
                        reads += usize::from(read.is_ok());
                    }
                }
            }
            (writes, reads)
        }));
    }
    let mut writes = Vec::new();
    let mut reads = 0;
    for task in tasks {
        let (w, r) = task.await.unwrap();
        writes.extend(w);
        reads += r;
    }

    // Everything that is there, read back without failures.
    let reader = Client::builder(emulator.base_url())
        .api_token("TOKEN")
        .build()
        .unwrap();
    let mut present: BTreeMap<String, usize> = BTreeMap::new();
    let mut stream = reader.record_stream(1).fields(["Title"]).build();
    while let Some(record) = stream.next().await {
        let record = record.unwrap();
        let title = record["Title"].as_text().unwrap().to_string();
        *present.entry(title).or_default() += 1;
    }

    // The stalled bodies arrive (not JSON, so nothing is written): each is answered, 400, or
    // 408 if it stalled past the idle timeout; either way its budget is back.
    for mut socket in known {
        let _ = socket.write_all(&stalled_body[1024..]).await;
        if let Some(head) = read_answer_head(&mut socket).await {
            assert!(
                head.starts_with("http/1.1 400") || head.starts_with("http/1.1 408"),
                "{head}"
            );
        }
    }
    assert_eq!(
        emulator.body_bytes_in_use(),
        0,
        "every body's memory is back"
    );
    // However many arrived, the emulator kept at most its limit (and the newest, while an
    // idle one closes to make room for it): the idle connections past it were closed.
    assert!(emulator.open_connections() <= max_connections + 1);
    let must_close = idle_connections.saturating_sub(max_connections + 1);
    let mut closing: futures_util::stream::FuturesUnordered<_> = idle
        .into_iter()
        .map(|mut socket| async move {
            use tokio::io::AsyncReadExt;
            let mut buf = [0u8; 256];
            while let Ok(n) = socket.read(&mut buf).await {
                if n == 0 {
                    break;
                }
            }
        })
        .collect();
    for _ in 0..must_close {
        tokio::time::timeout(Duration::from_secs(60), closing.next())
            .await
            .expect("idle connections past the limit are closed");
    }
    drop(unknown);

    let duplicated: Vec<_> = present.iter().filter(|(_, n)| **n > 1).collect();
    assert!(duplicated.is_empty(), "written twice: {duplicated:?}");
    let mut acknowledged = 0;
    let mut unacknowledged = 0;
    for write in &writes {
        let found = write
            .titles
            .iter()
            .filter(|t| present.contains_key(*t))
            .count();
        if write.acknowledged {
            acknowledged += 1;
            assert_eq!(
                found,
                write.titles.len(),
                "acknowledged but missing: {:?}",
                write.titles
            );
        } else {
            unacknowledged += 1;
            assert!(
                found == 0 || found == write.titles.len(),
                "half-applied: {:?}",
                write.titles
            );
        }
    }
    let expected: usize = writes.iter().map(|w| w.titles.len()).sum();
    assert!(present.len() <= expected, "records nobody wrote");
    assert!(acknowledged > 0, "no write got through at all");
    println!(
        "load: {clients} clients × {ops} operations; {} requests sent (attempts included), {} \
         failures injected besides the emulator's own 429s; {acknowledged} writes acknowledged, \
         {unacknowledged} not; {reads} reads answered; {} records checked, none lost, none twice; \
         beside them {idle_connections} idle connections (limit {max_connections}, at least \
         {must_close} closed to make room), {stalled_unknown} unknown callers' stalled 16 MiB \
         bodies refused from their headers, {stalled_known} known callers' 1 MiB bodies stalled \
         through the load",
        sent.load(Ordering::Relaxed),
        injected.load(Ordering::Relaxed),
        present.len()
    );
}

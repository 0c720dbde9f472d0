//! A bounded load test against the emulator, on loopback only: many clients at once mix reads,
//! single writes and bulk requests, with retries on, while failures are injected (503 pages,
//! `429 GAIA_TO04`, 500 errors, connections dropped mid-answer) and the emulator's own
//! concurrency limit refuses what goes past it. Afterwards every acknowledged write is present
//! exactly once, and no write that was not acknowledged is half-applied.
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
    let emulator = Arc::new(
        Emulator::builder()
            .app(orders_app())
            .api_token("TOKEN", 1, Permissions::ALL)
            // Well under the clients' combined limits, so kintone's own 429 comes up too.
            .concurrency_limit(16)
            .log_max_requests(64)
            .start()
            .await
            .unwrap(),
    );
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
         {unacknowledged} not; {reads} reads answered; {} records checked, none lost, none twice",
        sent.load(Ordering::Relaxed),
        injected.load(Ordering::Relaxed),
        present.len()
    );
}

//! Servers whose counts lie: reading every record stops with a typed error instead of
//! allocating what `totalCount` says or following `next: true` forever. And readers that fail:
//! a stream whose page reader panics or is cancelled ends with an error, never as if complete.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::support::*;
use futures_util::{StreamExt, TryStreamExt};
use kintone_api::error_codes::GAIA_TO04;
use kintone_api::middleware::HttpRequest;
use kintone_api::types::CreateCursorRequest;
use kintone_api::{
    Client, Error, FieldValue, ProtocolError, ReadStrategy, RecordStreamBuilder, RetryPolicy,
    DEFAULT_MAX_COLLECTED_RECORDS,
};
use kintone_tests::*;
use proptest::prelude::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Reads a stream to its end, typed or raw (`raw`), and gives the error it ends with: each
/// lie must end both kinds of stream with the same error.
async fn stream_error(builder: RecordStreamBuilder, raw: bool) -> Error {
    if raw {
        builder.raw().try_collect::<Vec<_>>().await.unwrap_err()
    } else {
        builder.build().try_collect::<Vec<_>>().await.unwrap_err()
    }
}

/// A cursor announcing `total_count` records, which the server deletes when asked.
async fn cursor_announcing(server: &MockServer, total_count: &str) {
    cursor_created(server, "c1", total_count).await;
    cursor_deletes_answered(server).await;
}

/// After `pages` reads the server answers an error, so that a client that keeps asking ends
/// with that error rather than hanging the test.
async fn then_refuse(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(CURSOR))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"id": "e", "code": "TEST_KEPT_ASKING", "message": "x"})),
        )
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_huge_total_count_is_not_allocated() {
    let (server, client) = server_and_client().await;
    cursor_announcing(&server, &u64::MAX.to_string()).await;
    reads_answer(&server, CURSOR, page(1, 3, false), None).await;
    // Collecting them all is refused (see below); a stream holds a page at a time.
    let err = client
        .all_records(CreateCursorRequest::new(1u64))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TooManyRecords { .. }), "{err:?}");
    let streamed: Vec<_> = client
        .record_stream(1)
        .strategy(ReadStrategy::Cursor)
        .build()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed.len(), 3);
}

#[tokio::test]
async fn next_true_with_empty_pages_is_an_error_not_a_loop() {
    let (server, client) = server_and_client().await;
    cursor_announcing(&server, "1000").await;
    reads_answer(&server, CURSOR, page(1, 0, true), Some(50)).await;
    then_refuse(&server).await;
    let err = client
        .all_records(CreateCursorRequest::new(1u64))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Protocol(ProtocolError::EmptyPageWithMore)),
        "{err:?}"
    );
    let deletes = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "DELETE")
        .count();
    assert_eq!(deletes, 1, "the cursor is deleted after the error");

    for raw in [false, true] {
        let err = stream_error(client.record_stream(1).strategy(ReadStrategy::Cursor), raw).await;
        assert!(
            matches!(err, Error::Protocol(ProtocolError::EmptyPageWithMore)),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn more_records_than_announced_is_an_error_not_a_loop() {
    let (server, client) = server_and_client().await;
    cursor_announcing(&server, "250").await;
    reads_answer(&server, CURSOR, page(1, 100, true), Some(50)).await;
    then_refuse(&server).await;
    let err = client
        .all_records(CreateCursorRequest::new(1u64))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol(ProtocolError::MoreThanAnnounced {
                announced: 250,
                received: 300
            })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_seek_that_does_not_advance_is_an_error_not_a_loop() {
    let (server, client) = server_and_client().await;
    // Every page answers the same full page, whatever `$id >` asks for.
    reads_answer(
        &server,
        RECORDS,
        json!({
            "records": page(1, 2, false)["records"].clone()
        }),
        Some(50),
    )
    .await;
    for raw in [false, true] {
        let before = request_count(&server).await;
        let err = stream_error(client.record_stream(1).page_size(2), raw).await;
        assert!(
            matches!(
                err,
                Error::Protocol(ProtocolError::IdNotIncreasing {
                    previous: 2,
                    received: 1
                })
            ),
            "{err:?}"
        );
        assert_eq!(request_count(&server).await - before, 2);
    }
}

#[tokio::test]
async fn a_page_larger_than_asked_for_is_an_error() {
    let (server, client) = server_and_client().await;
    reads_answer(
        &server,
        RECORDS,
        json!({
            "records": page(1, 3, false)["records"].clone()
        }),
        None,
    )
    .await;
    for (strategy, raw) in [
        (ReadStrategy::Seek, false),
        (ReadStrategy::Offset, false),
        (ReadStrategy::Seek, true),
        (ReadStrategy::Offset, true),
    ] {
        let err = stream_error(client.record_stream(1).strategy(strategy).page_size(2), raw).await;
        assert!(
            matches!(
                err,
                Error::Protocol(ProtocolError::PageTooLarge {
                    asked: 2,
                    received: 3
                })
            ),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn a_cursor_page_larger_than_asked_for_ends_a_stream() {
    let (server, client) = server_and_client().await;
    cursor_announcing(&server, "10").await;
    reads_answer(&server, CURSOR, page(1, 3, true), None).await;
    for raw in [false, true] {
        let builder = client
            .record_stream(1)
            .strategy(ReadStrategy::Cursor)
            .page_size(2);
        let err = stream_error(builder, raw).await;
        assert!(
            matches!(
                err,
                Error::Protocol(ProtocolError::PageTooLarge {
                    asked: 2,
                    received: 3
                })
            ),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn an_offset_reader_facing_endless_full_pages_stops_at_kintones_offset_limit() {
    let (server, client) = server_and_client().await;
    reads_answer(
        &server,
        RECORDS,
        json!({
            "records": page(1, 500, false)["records"].clone()
        }),
        None,
    )
    .await;
    let mut read = 0usize;
    let mut stream = client
        .record_stream(1)
        .strategy(ReadStrategy::Offset)
        .build();
    let err = loop {
        match stream.try_next().await {
            Ok(Some(_)) => read += 1,
            Ok(None) => panic!("the stream ended after {read} records"),
            Err(e) => break e,
        }
    };
    assert!(
        matches!(
            err,
            Error::Limit(kintone_api::LimitError::QueryClause {
                clause: "offset",
                ..
            })
        ),
        "{err:?}"
    );
    let limit = kintone_api::limits::MAX_QUERY_OFFSET + kintone_api::limits::MAX_RECORDS_PER_PAGE;
    assert_eq!(
        read, limit,
        "every page up to the offset limit, and no more"
    );
}

/// A raw stream outlines pages instead of decoding them: a record without `$id` cannot be
/// sought past, and pages that are not JSON, or not pages of records, are decode errors.
#[tokio::test]
async fn raw_streams_refuse_pages_they_cannot_outline() {
    let (server, client) = server_and_client().await;
    Mock::given(method("GET"))
        .and(path(RECORDS))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"records": [{"A": {"value": "a"}}]})),
        )
        .mount(&server)
        .await;
    let err = stream_error(client.record_stream(1), true).await;
    assert!(
        matches!(err, Error::Protocol(ProtocolError::MissingId)),
        "{err:?}"
    );

    for body in [
        r#"{"records": [{"$id": {"value": "1"}}"#,
        r#"{"records": [{"$id": {"value": "1"}}], "records": []}"#,
        r#"{"records": {}}"#,
        r#"{"totalCount": "1"}"#,
        r#"{"records": [{"$id": {"value": "x"}}]}"#,
        "{\"records\": [{\"A\": \"\u{1}\"}]}",
    ] {
        let (server, client) = server_and_client().await;
        Mock::given(method("GET"))
            .and(path(RECORDS))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(body.as_bytes().to_vec(), "application/json"),
            )
            .mount(&server)
            .await;
        let err = stream_error(client.record_stream(1), true).await;
        assert!(
            matches!(
                err,
                Error::Decode {
                    operation: "getRecords",
                    ..
                }
            ),
            "{body}: {err:?}"
        );
    }
}

#[tokio::test]
async fn all_records_refuses_a_cursor_announcing_more_than_it_collects_before_reading() {
    let (server, client) = server_and_client().await;
    cursor_announcing(&server, &u64::MAX.to_string()).await;
    // Full pages that always promise more: what a reader that trusted the count would follow
    // forever.
    reads_answer(&server, CURSOR, page(1, 500, true), Some(50)).await;
    then_refuse(&server).await;
    let err = client
        .all_records(CreateCursorRequest::new(1u64))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooManyRecords {
                announced: u64::MAX,
                max: DEFAULT_MAX_COLLECTED_RECORDS
            }
        ),
        "{err:?}"
    );
    let requests = server.received_requests().await.unwrap();
    let methods: Vec<_> = requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(
        methods,
        ["POST", "DELETE"],
        "no page read, the cursor deleted"
    );
}

#[tokio::test]
async fn the_most_records_collected_is_a_client_setting() {
    let server = MockServer::start().await;
    cursor_announcing(&server, "3").await;
    reads_answer(&server, CURSOR, page(1, 3, false), None).await;
    let client_collecting = |max: u64| {
        Client::builder(server.uri())
            .api_token("TOKEN")
            .max_collected_records(max)
            .build()
            .unwrap()
    };
    let records = client_collecting(3)
        .all_records(CreateCursorRequest::new(1u64))
        .await
        .unwrap();
    assert_eq!(records.len(), 3);
    let err = client_collecting(2)
        .all_records(CreateCursorRequest::new(1u64))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooManyRecords {
                announced: 3,
                max: 2
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_cursor_page_larger_than_its_size_is_an_error() {
    let (server, client) = server_and_client().await;
    cursor_announcing(&server, "10").await;
    reads_answer(&server, CURSOR, page(1, 3, true), None).await;
    let err = client
        .all_records(CreateCursorRequest::new(1u64).size(2))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol(ProtocolError::PageTooLarge {
                asked: 2,
                received: 3
            })
        ),
        "{err:?}"
    );
}

/// Pages of records `1..=total` for a stream reading by id: each answer holds the records
/// after the `$id > N` of the query, up to its `limit`. The request numbered `fault_at` (from
/// 1) gets `fault` instead, when there is one.
struct SeekPages {
    total: u64,
    fault_at: usize,
    fault: Option<ResponseTemplate>,
    requests: AtomicUsize,
}

impl SeekPages {
    fn new(total: u64) -> Self {
        SeekPages {
            total,
            fault_at: 0,
            fault: None,
            requests: AtomicUsize::new(0),
        }
    }
}

/// The number after `word` in `query`.
fn number_after(query: &str, word: &str) -> u64 {
    let at = query
        .find(word)
        .unwrap_or_else(|| panic!("{word} in {query}"))
        + word.len();
    let digits: String = query[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap()
}

impl Respond for SeekPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let number = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        if number == self.fault_at {
            if let Some(fault) = &self.fault {
                return fault.clone();
            }
        }
        let query = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "query")
            .map(|(_, v)| v.into_owned())
            .expect("a query");
        let after = number_after(&query, "$id > ");
        let limit = number_after(&query, "limit ");
        let last = self.total.min(after + limit);
        let records: Vec<_> = (after + 1..=last)
            .map(|i| json!({"$id": {"type": "__ID__", "value": i.to_string()}}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"records": records, "totalCount": null}))
    }
}

async fn serve_seek_pages(pages: SeekPages) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(RECORDS))
        .respond_with(pages)
        .mount(&server)
        .await;
    server
}

/// A client whose every request goes through a layer that panics at request `panic_at`
/// (from 1; never when 0).
fn client_panicking_at(base: &str, panic_at: usize, retry: Option<RetryPolicy>) -> Client {
    let sent = Arc::new(AtomicUsize::new(0));
    let mut builder = Client::builder(base).api_token("TOKEN");
    if let Some(policy) = retry {
        builder = builder.retry(policy);
    }
    builder
        .layer(tower::util::MapRequestLayer::new(
            move |request: HttpRequest| {
                if sent.fetch_add(1, Ordering::SeqCst) + 1 == panic_at {
                    panic!("an injected panic in the page reader");
                }
                request
            },
        ))
        .build()
        .unwrap()
}

fn id_of(record: &kintone_api::Record) -> u64 {
    match record.get("$id") {
        Some(FieldValue::Id(id)) => id.value.get(),
        other => panic!("no $id: {other:?}"),
    }
}

/// Every item of a stream until its end: the ids of its records, and its errors.
async fn read_to_end(builder: RecordStreamBuilder, raw: bool) -> (Vec<u64>, Vec<Error>) {
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    if raw {
        let mut stream = builder.raw();
        while let Some(item) = stream.next().await {
            match item {
                Ok(record) => ids.push(record.id().unwrap().get()),
                Err(e) => errors.push(e),
            }
        }
    } else {
        let mut stream = builder.build();
        while let Some(item) = stream.next().await {
            match item {
                Ok(record) => ids.push(id_of(&record)),
                Err(e) => errors.push(e),
            }
        }
    }
    (ids, errors)
}

#[tokio::test]
async fn a_reader_that_panics_ends_the_stream_with_an_error_not_as_if_complete() {
    let server = serve_seek_pages(SeekPages::new(10)).await;
    for raw in [false, true] {
        let client = client_panicking_at(&server.uri(), 2, None);
        let (ids, errors) = read_to_end(client.record_stream(1).page_size(3), raw).await;
        assert_eq!(ids, [1, 2, 3], "the first page, and then nothing");
        assert!(
            matches!(
                errors.as_slice(),
                [Error::StreamInterrupted { panic: Some(message) }]
                    if message.contains("injected panic")
            ),
            "{errors:?}"
        );
    }
}

#[tokio::test]
async fn closing_a_stream_whose_reader_panicked_is_an_error() {
    let server = serve_seek_pages(SeekPages::new(10)).await;
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&sent);
    let client = Client::builder(server.uri())
        .api_token("TOKEN")
        .layer(tower::util::MapRequestLayer::new(
            move |request: HttpRequest| {
                if counter.fetch_add(1, Ordering::SeqCst) == 1 {
                    panic!("an injected panic in the page reader");
                }
                request
            },
        ))
        .build()
        .unwrap();
    // The first page is handed out while the reader reads ahead, and panics at the second.
    let mut stream = client.record_stream(1).page_size(3).prefetch(1).build();
    assert_eq!(id_of(&stream.next().await.unwrap().unwrap()), 1);
    while sent.load(Ordering::SeqCst) < 2 {
        tokio::task::yield_now().await;
    }
    let err = stream.close().await.unwrap_err();
    assert!(
        matches!(err, Error::StreamInterrupted { panic: Some(_) }),
        "{err:?}"
    );
}

#[test]
fn a_reader_cancelled_with_its_runtime_ends_the_stream_with_an_error() {
    let reading = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (server, mut stream) = reading.block_on(async {
        let server = serve_seek_pages(SeekPages::new(10)).await;
        let client = Client::builder(server.uri())
            .api_token("TOKEN")
            .build()
            .unwrap();
        let mut stream = client.record_stream(1).page_size(2).prefetch(0).build();
        assert_eq!(id_of(&stream.next().await.unwrap().unwrap()), 1);
        (server, stream)
    });
    // The reader waits for the caller to ask for the next page; its runtime goes away.
    drop(reading);
    let after = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let rest: Vec<_> = after.block_on(stream.by_ref().collect());
    assert_eq!(rest.len(), 2, "{rest:?}");
    assert_eq!(
        id_of(rest[0].as_ref().unwrap()),
        2,
        "the rest of the page read"
    );
    assert!(
        matches!(rest[1], Err(Error::StreamInterrupted { panic: None })),
        "{rest:?}"
    );
    assert!(after.block_on(stream.next()).is_none());
    drop(server);
}

/// How a stream's reading goes wrong, at one request.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// The page reader panics (in a layer of the client).
    Panic,
    /// kintone answers an error.
    Refused,
    /// `429 GAIA_TO04` with a `Retry-After` past any total, to a client that retries.
    EndlessRetryAfter,
    /// A page with more records than asked for.
    PageTooLarge,
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        Just(Fault::Panic),
        Just(Fault::Refused),
        Just(Fault::EndlessRetryAfter),
        Just(Fault::PageTooLarge),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Whatever goes wrong and wherever, the records a stream handed out and the error it
    /// ended with account for every record: either every record came and no error, or the
    /// records of the pages before the fault came, in order, then one error, then the end.
    #[test]
    fn a_streams_records_and_its_error_account_for_everything_the_server_sent(
        total in 0u64..30,
        page_size in 1usize..7,
        fault_at in 1usize..9,
        fault in fault(),
        raw in any::<bool>(),
        prefetch in 0usize..3,
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (ids, errors) = runtime.block_on(async {
            let mut pages = SeekPages::new(total);
            pages.fault_at = fault_at;
            pages.fault = match fault {
                Fault::Panic => None,
                Fault::Refused => Some(ResponseTemplate::new(500).set_body_json(
                    json!({"id": "e", "code": "GAIA_IN01", "message": "refused"}),
                )),
                Fault::EndlessRetryAfter => Some(
                    ResponseTemplate::new(429)
                        .set_body_json(json!({"id": "e", "code": GAIA_TO04, "message": "busy"}))
                        .insert_header("Retry-After", u64::MAX.to_string().as_str()),
                ),
                Fault::PageTooLarge => {
                    let records: Vec<_> = (1..=page_size as u64 + 1)
                        .map(|i| json!({"$id": {"type": "__ID__", "value": (1000 + i).to_string()}}))
                        .collect();
                    Some(ResponseTemplate::new(200).set_body_json(json!({"records": records})))
                }
            };
            let server = serve_seek_pages(pages).await;
            let panic_at = if matches!(fault, Fault::Panic) { fault_at } else { 0 };
            let client = client_panicking_at(&server.uri(), panic_at, Some(RetryPolicy::new()));
            read_to_end(client.record_stream(1).page_size(page_size).prefetch(prefetch), raw)
                .await
        });

        // Pages before the last are full, and the last is short (empty when the records fill
        // every page): the number of requests a read without faults makes.
        let requests = total as usize / page_size + 1;
        if fault_at > requests {
            prop_assert_eq!(ids, (1..=total).collect::<Vec<_>>());
            prop_assert!(errors.is_empty(), "{:?}", errors);
        } else {
            let before = ((fault_at - 1) * page_size) as u64;
            prop_assert_eq!(ids, (1..=before).collect::<Vec<_>>());
            prop_assert_eq!(errors.len(), 1, "{:?}", errors);
            let expected = match (&errors[0], fault) {
                (Error::StreamInterrupted { panic: Some(_) }, Fault::Panic) => true,
                (Error::Api(e), Fault::Refused) => e.code == "GAIA_IN01",
                (Error::Api(e), Fault::EndlessRetryAfter) => e.code == GAIA_TO04,
                (Error::Protocol(ProtocolError::PageTooLarge { .. }), Fault::PageTooLarge) => true,
                _ => false,
            };
            prop_assert!(expected, "{:?} for {:?}", errors[0], fault);
        }
    }
}

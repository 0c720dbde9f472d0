//! kintone's filter-abort warning: a query that matches too many records is answered with 200,
//! part of the records and `X-Cybozu-Warning: Filter aborted because of too many search
//! results`. Every answer shows the warning, typed; every reader of all records stops on it
//! with `Error::FilterAborted` unless the client accepts partial pages. The emulator aborts a
//! query on request (`Failure::filter_aborted`).

use crate::support::{CURSOR, RECORDS};
use futures_util::TryStreamExt;
use kintone_api::types::CreateCursorRequest;
use kintone_api::{Client, CybozuWarning, Error, RawRecord, ReadStrategy, Record, RecordCursor};
use kintone_emulator::{Emulator, Failure};
use kintone_tests::*;
use serde_json::json;

const SEEDED: usize = 30;

async fn seeded() -> (Emulator, Client) {
    let (emulator, client) = emulator_and_client().await;
    let records = (0..SEEDED)
        .map(|i| json!({"Title": {"value": format!("R{i:02}")}}))
        .collect();
    emulator.insert_records(1, records).unwrap();
    (emulator, client)
}

fn accepting(emulator: &Emulator) -> Client {
    Client::builder(emulator.base_url())
        .api_token("TOKEN")
        .accept_partial_pages(true)
        .build()
        .unwrap()
}

fn is_filter_aborted(err: &Error, operation: &str) -> bool {
    matches!(err, Error::FilterAborted { operation: op } if *op == operation)
}

/// A single Get Records call returns the partial page, and its answer says so; an answer
/// without the header has no warning.
#[tokio::test]
async fn every_answer_shows_the_warning_typed() {
    let (emulator, client) = seeded().await;
    let whole = client.records().get_records(1).send().await.unwrap();
    assert_eq!(whole.warning(), None);
    assert_eq!(whole.records.len(), SEEDED);
    emulator.inject(Failure::filter_aborted().path(RECORDS));
    let partial = client.records().get_records(1).send().await.unwrap();
    assert_eq!(partial.warning(), Some(CybozuWarning::FilterAborted));
    assert_eq!(partial.records.len(), SEEDED / 2);
    assert_eq!(
        partial
            .headers()
            .get(kintone_api::headers::CYBOZU_WARNING_HEADER)
            .unwrap(),
        "Filter aborted because of too many search results"
    );
}

/// Each strategy of the record stream, its raw and typed forms, stops on the partial page.
#[tokio::test]
async fn each_record_stream_stops_on_a_partial_page() {
    let (emulator, client) = seeded().await;
    for (strategy, query, path, operation) in [
        (ReadStrategy::Seek, "", RECORDS, "getRecords"),
        (
            ReadStrategy::Offset,
            "order by $id asc",
            RECORDS,
            "getRecords",
        ),
        (
            ReadStrategy::Cursor,
            "order by $id asc",
            CURSOR,
            "createCursor",
        ),
    ] {
        emulator.inject(Failure::filter_aborted().path(path));
        let err = client
            .record_stream(1)
            .query(query)
            .strategy(strategy)
            .build()
            .try_collect::<Vec<Record>>()
            .await
            .unwrap_err();
        assert!(is_filter_aborted(&err, operation), "{strategy:?}: {err:?}");
        emulator.inject(Failure::filter_aborted().path(path));
        let err = client
            .record_stream(1)
            .query(query)
            .strategy(strategy)
            .raw()
            .try_collect::<Vec<RawRecord>>()
            .await
            .unwrap_err();
        assert!(
            is_filter_aborted(&err, operation),
            "raw {strategy:?}: {err:?}"
        );
    }
    assert_eq!(
        emulator.open_cursors(),
        0,
        "the stopped readers leave no cursor"
    );
}

/// `all_records` and `RecordCursor` stop too: on the cursor's creation and on a page.
#[tokio::test]
async fn all_records_and_the_cursor_stop_on_a_partial_answer() {
    let (emulator, client) = seeded().await;
    emulator.inject(Failure::filter_aborted().path(CURSOR));
    let err = client
        .all_records(CreateCursorRequest::new(1))
        .await
        .unwrap_err();
    assert!(is_filter_aborted(&err, "createCursor"), "{err:?}");
    assert_eq!(emulator.open_cursors(), 0);

    let mut cursor = RecordCursor::open(&client, CreateCursorRequest::new(1).size(10))
        .await
        .unwrap();
    assert_eq!(cursor.next_page().await.unwrap().unwrap().len(), 10);
    emulator.inject(Failure::filter_aborted().path(CURSOR));
    let err = cursor.next_page().await.unwrap_err();
    assert!(is_filter_aborted(&err, "getRecordsByCursor"), "{err:?}");
    cursor.close().await.unwrap();
    assert_eq!(emulator.open_cursors(), 0);
}

/// A client that accepts partial pages reads on: the records the partial page held, and the
/// rest.
#[tokio::test]
async fn a_client_that_accepts_partial_pages_reads_on() {
    let (emulator, _) = seeded().await;
    let client = accepting(&emulator);
    emulator.inject(Failure::filter_aborted().path(RECORDS));
    let records: Vec<Record> = client
        .record_stream(1)
        .page_size(10)
        .build()
        .try_collect()
        .await
        .unwrap();
    // The first page held 5 of the 10 asked for; a short page is the last, so the read ends
    // with the records kintone sent, as the caller asked.
    assert_eq!(records.len(), 5);
    emulator.inject(Failure::filter_aborted().path(CURSOR).times(2));
    let records = client
        .all_records(CreateCursorRequest::new(1))
        .await
        .unwrap();
    assert!(records.len() < SEEDED, "{}", records.len());
}

/// A cursor created whole whose page comes partial stops the cursor stream too, and the stream
/// deletes its cursor (a scripted server: the emulator aborts the first request of a path,
/// which for a cursor is its creation).
#[tokio::test]
async fn a_cursor_stream_stops_on_a_partial_page_and_deletes_its_cursor() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CURSOR))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "c-1", "totalCount": "4"})),
        )
        .mount(&server)
        .await;
    let record = |id: u64| json!({"$id": {"type": "__ID__", "value": id.to_string()}});
    Mock::given(method("GET"))
        .and(path(CURSOR))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"records": [record(1)], "next": true}))
                .insert_header(
                    kintone_api::headers::CYBOZU_WARNING_HEADER,
                    "Filter aborted because of too many search results",
                ),
        )
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(CURSOR))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .api_token("T")
        .build()
        .unwrap();
    let err = client
        .record_stream(1)
        .strategy(ReadStrategy::Cursor)
        .build()
        .try_collect::<Vec<Record>>()
        .await
        .unwrap_err();
    assert!(is_filter_aborted(&err, "getRecordsByCursor"), "{err:?}");
    let methods: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.method.to_string())
        .collect();
    assert_eq!(methods, ["POST", "GET", "DELETE"]);
}

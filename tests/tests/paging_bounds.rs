//! Servers whose counts lie: reading every record stops with a typed error instead of
//! allocating what `totalCount` says or following `next: true` forever.

use futures_util::TryStreamExt;
use kintone_api::{CreateCursorRequest, Error, ProtocolError, ReadStrategy, RecordStreamBuilder};
use kintone_tests::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn page(first: u64, count: u64, next: bool) -> serde_json::Value {
    let records: Vec<_> = (first..first + count)
        .map(|i| json!({"$id": {"type": "__ID__", "value": i.to_string()}}))
        .collect();
    json!({"records": records, "next": next})
}

/// Reads a stream to its end, typed or raw (`raw`), and gives the error it ends with: each
/// lie must end both kinds of stream with the same error.
async fn stream_error(builder: RecordStreamBuilder, raw: bool) -> Error {
    if raw {
        builder.raw().try_collect::<Vec<_>>().await.unwrap_err()
    } else {
        builder.build().try_collect::<Vec<_>>().await.unwrap_err()
    }
}

async fn cursor_created(server: &MockServer, total_count: &str) {
    Mock::given(method("POST"))
        .and(path("/k/v1/records/cursor.json"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "c1", "totalCount": total_count})),
        )
        .mount(server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/k/v1/records/cursor.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(server)
        .await;
}

/// After `pages` reads the server answers an error, so that a client that keeps asking ends
/// with that error rather than hanging the test.
async fn then_refuse(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/k/v1/records/cursor.json"))
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
    cursor_created(&server, &u64::MAX.to_string()).await;
    Mock::given(method("GET"))
        .and(path("/k/v1/records/cursor.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(1, 3, false)))
        .mount(&server)
        .await;
    let records = client
        .all_records(CreateCursorRequest::new(1u64))
        .await
        .unwrap();
    assert_eq!(records.len(), 3);
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
    cursor_created(&server, "1000").await;
    Mock::given(method("GET"))
        .and(path("/k/v1/records/cursor.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(1, 0, true)))
        .up_to_n_times(50)
        .mount(&server)
        .await;
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
    cursor_created(&server, "250").await;
    Mock::given(method("GET"))
        .and(path("/k/v1/records/cursor.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(1, 100, true)))
        .up_to_n_times(50)
        .mount(&server)
        .await;
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
    Mock::given(method("GET"))
        .and(path("/k/v1/records.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "records": page(1, 2, false)["records"].clone()
        })))
        .up_to_n_times(50)
        .mount(&server)
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
    Mock::given(method("GET"))
        .and(path("/k/v1/records.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "records": page(1, 3, false)["records"].clone()
        })))
        .mount(&server)
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
async fn an_offset_reader_facing_endless_full_pages_stops_at_kintones_offset_limit() {
    let (server, client) = server_and_client().await;
    Mock::given(method("GET"))
        .and(path("/k/v1/records.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "records": page(1, 500, false)["records"].clone()
        })))
        .mount(&server)
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
        .and(path("/k/v1/records.json"))
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
            .and(path("/k/v1/records.json"))
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

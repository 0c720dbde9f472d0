//! Reading every record through a cursor.

use crate::support::*;
use kintone_api::types::CreateCursorRequest;
use kintone_tests::*;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn all_records_reads_every_page_and_leaves_no_cursor() {
    let (server, client) = server_and_client().await;
    cursor_created(&server, "c1", "1200").await;
    for (i, next) in [(0u64, true), (1, true), (2, false)] {
        Mock::given(method("GET"))
            .and(path(CURSOR))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(
                i * 500 + 1,
                if next { 500 } else { 200 },
                next,
            )))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    let records = client
        .all_records(CreateCursorRequest::new(1u64).size(500))
        .await
        .unwrap();
    assert_eq!(records.len(), 1200);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests.len(),
        4,
        "create and three reads; kintone deletes a cursor read to the end"
    );
    assert!(requests.iter().all(|r| r.method.as_str() != "DELETE"));
}

#[tokio::test]
async fn a_failed_read_deletes_the_cursor() {
    let (server, client) = server_and_client().await;
    cursor_created(&server, "c2", "900").await;
    reads_answer(&server, CURSOR, page(1, 500, true), Some(1)).await;
    Mock::given(method("GET"))
        .and(path(CURSOR))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"id": "e", "code": "CB_UN01", "message": "boom"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(CURSOR))
        .and(query_param("id", "c2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .all_records(CreateCursorRequest::new(1u64))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("CB_UN01"));
}

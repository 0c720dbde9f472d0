//! Reading every record through a cursor.

use kintone_api::types::CreateCursorRequest;
use kintone_tests::*;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

fn page(first: u64, count: u64, next: bool) -> serde_json::Value {
    let records: Vec<_> = (first..first + count)
        .map(|i| json!({"$id": {"type": "__ID__", "value": i.to_string()}}))
        .collect();
    json!({"records": records, "next": next})
}

#[tokio::test]
async fn all_records_reads_every_page_and_leaves_no_cursor() {
    let (server, client) = server_and_client().await;
    Mock::given(method("POST"))
        .and(path("/k/v1/records/cursor.json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "c1", "totalCount": "1200"})),
        )
        .mount(&server)
        .await;
    for (i, next) in [(0u64, true), (1, true), (2, false)] {
        Mock::given(method("GET"))
            .and(path("/k/v1/records/cursor.json"))
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
    Mock::given(method("POST"))
        .and(path("/k/v1/records/cursor.json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "c2", "totalCount": "900"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/k/v1/records/cursor.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(1, 500, true)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/k/v1/records/cursor.json"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"id": "e", "code": "CB_UN01", "message": "boom"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/k/v1/records/cursor.json"))
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

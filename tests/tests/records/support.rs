//! The recording server's answers that several of this binary's modules set up.

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Get Records.
pub const RECORDS: &str = "/k/v1/records.json";
/// Create, read and delete a cursor.
pub const CURSOR: &str = "/k/v1/records/cursor.json";

/// A cursor's page of `count` records numbered from `first`, each with its `$id` only.
pub fn page(first: u64, count: u64, next: bool) -> Value {
    let records: Vec<_> = (first..first + count)
        .map(|i| json!({"$id": {"type": "__ID__", "value": i.to_string()}}))
        .collect();
    json!({"records": records, "next": next})
}

/// Creating a cursor answers this id and `totalCount` (kintone writes the count as a string).
pub async fn cursor_created(server: &MockServer, id: &str, total_count: &str) {
    Mock::given(method("POST"))
        .and(path(CURSOR))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": id, "totalCount": total_count})),
        )
        .mount(server)
        .await;
}

/// Deleting a cursor answers `{}`.
pub async fn cursor_deletes_answered(server: &MockServer) {
    Mock::given(method("DELETE"))
        .and(path(CURSOR))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(server)
        .await;
}

/// A GET of `at` answers 200 with `body`: `times` times, or every time for `None`.
pub async fn reads_answer(server: &MockServer, at: &str, body: Value, times: Option<u64>) {
    let mock = Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_json(body));
    match times {
        Some(times) => mock.up_to_n_times(times).mount(server).await,
        None => mock.mount(server).await,
    }
}

//! What kintone returns when a read leaves its page size out comes from the spec: Get Records
//! without `limit` in its query, a cursor created without `size`.

use kintone_emulator::{limits, AppSeed, Emulator, FieldSeed, FieldType, Permissions};
use serde_json::{json, Value};

/// An emulator with one app holding one record more than either default page.
async fn emulator_with_more_than_a_page() -> Emulator {
    let emulator = Emulator::builder()
        .app(AppSeed::new(1, "Orders").field(FieldSeed::new("Title", FieldType::SingleLineText)))
        .api_token("TOKEN", 1, Permissions::ALL)
        .start()
        .await
        .unwrap();
    let most = limits()
        .default_records_per_page
        .max(limits().default_cursor_page_size);
    let records = (0..=most)
        .map(|n| json!({"Title": {"value": format!("order {n}")}}))
        .collect();
    emulator.insert_records(1, records).unwrap();
    emulator
}

async fn call(emulator: &Emulator, method: reqwest::Method, path: &str, body: Value) -> Value {
    let answer = reqwest::Client::new()
        .request(method, format!("{}/k/v1/{path}", emulator.base_url()))
        .header("X-Cybozu-API-Token", "TOKEN")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn get_records_without_a_limit_returns_the_specs_default_page() {
    let emulator = emulator_with_more_than_a_page().await;
    let page = call(
        &emulator,
        reqwest::Method::GET,
        "records.json",
        json!({"app": 1}),
    )
    .await;
    assert_eq!(
        page["records"].as_array().unwrap().len(),
        limits().default_records_per_page
    );
}

#[tokio::test]
async fn a_cursor_without_a_size_reads_the_specs_default_page() {
    let emulator = emulator_with_more_than_a_page().await;
    let cursor = call(
        &emulator,
        reqwest::Method::POST,
        "records/cursor.json",
        json!({"app": 1}),
    )
    .await;
    let page = call(
        &emulator,
        reqwest::Method::GET,
        "records/cursor.json",
        json!({"id": cursor["id"]}),
    )
    .await;
    assert_eq!(
        page["records"].as_array().unwrap().len(),
        limits().default_cursor_page_size
    );
    assert_eq!(page["next"], json!(true));
}

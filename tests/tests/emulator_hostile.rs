//! The emulator under hostile or careless input: it answers kintone-shaped errors, never
//! crashes, leaks data across apps or users, or grows without bound.

use kintone_emulator::Failure;
use kintone_tests::*;
use serde_json::json;

/// A failure for zero requests never fires (and does not bring the server down).
#[tokio::test]
async fn a_failure_for_zero_requests_never_fires() {
    let (emulator, client) = emulator_and_client().await;
    emulator.inject(Failure::json(500, json!({"code": "X"})).times(0));
    for _ in 0..2 {
        client
            .records()
            .get_records(1u64)
            .send()
            .await
            .expect("a zero-times failure is never used");
    }
}

/// Get Records with `query`, through POST and the method override as the client sends long
/// queries: the status, the `X-Cybozu-Error` header and the body.
async fn get_records_raw(
    emulator: &kintone_emulator::Emulator,
    query: &str,
) -> (u16, Option<String>, serde_json::Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/k/v1/records.json", emulator.base_url()))
        .header("X-Cybozu-API-Token", "TOKEN")
        .header("X-HTTP-Method-Override", "GET")
        .json(&json!({"app": 1, "query": query}))
        .send()
        .await
        .expect("the emulator answers");
    let status = r.status().as_u16();
    let code = r
        .headers()
        .get("x-cybozu-error")
        .map(|v| v.to_str().unwrap().to_string());
    (status, code, r.json().await.expect("a JSON body"))
}

fn assert_query_error(answer: &(u16, Option<String>, serde_json::Value)) {
    let (status, code, body) = answer;
    assert_eq!((*status, code.as_deref()), (400, Some("CB_VA01")), "{body}");
    assert_eq!(body["code"], "CB_VA01");
    assert!(
        body["id"].is_string() && body["message"].is_string(),
        "{body}"
    );
    let messages = body["errors"]["query"]["messages"]
        .as_array()
        .expect("query messages");
    assert!(!messages.is_empty(), "{body}");
}

/// Parentheses nested hundreds deep used to overflow the stack and abort the process.
#[tokio::test]
async fn deeply_nested_queries_are_query_errors_not_crashes() {
    let (emulator, _) = emulator_and_client().await;
    for depth in [300, 100_000] {
        let query = format!("{}Amount > 1{}", "(".repeat(depth), ")".repeat(depth));
        assert_query_error(&get_records_raw(&emulator, &query).await);
    }
    // Unclosed nesting too.
    assert_query_error(&get_records_raw(&emulator, &"(".repeat(5_000)).await);
    // Moderate nesting is still read.
    let (status, _, body) = get_records_raw(
        &emulator,
        &format!("{}Amount > 1{}", "(".repeat(20), ")".repeat(20)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// Long `and`/`or` chains (a few hundred bytes each) used to build a tree as deep as the chain
/// and overflow the stack; they are answered now.
#[tokio::test]
async fn long_condition_chains_are_answered() {
    let (emulator, _) = emulator_and_client().await;
    emulator
        .insert_records(
            1,
            vec![
                json!({"Title": {"value": "a"}, "Amount": {"value": "5"}}),
                json!({"Title": {"value": "b"}, "Amount": {"value": "50"}}),
            ],
        )
        .unwrap();
    let chain = vec!["Amount > 1"; 700].join(" and ");
    let (status, _, body) = get_records_raw(&emulator, &chain).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["records"].as_array().unwrap().len(), 2);
    let chain = format!(
        "{} and Amount > 10",
        vec!["Amount > 1"; 3_000].join(" and ")
    );
    let (status, _, body) = get_records_raw(&emulator, &chain).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["records"].as_array().unwrap().len(), 1);
    let chain = format!("{} or Amount = 5", vec!["Amount = 0"; 3_000].join(" or "));
    let (status, _, body) = get_records_raw(&emulator, &chain).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["records"][0]["Title"]["value"], "a");
}

/// A query past the emulator's length bound is a query error, read no further.
#[tokio::test]
async fn oversized_queries_are_query_errors() {
    let (emulator, _) = emulator_and_client().await;
    let huge = format!(
        r#"Title != "{}""#,
        "x".repeat(kintone_emulator::MAX_QUERY_BYTES)
    );
    assert_query_error(&get_records_raw(&emulator, &huge).await);
}

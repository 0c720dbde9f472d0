//! Transport rules of the REST API overview, asserted on the bytes a real loopback server sees.

use kintone_api::{Client, Error, FieldValue, MAX_URI_BYTES};
use kintone_tests::*;
use serde_json::json;

fn records_page() -> serde_json::Value {
    json!({
        "records": [{
            "$id": {"type": "__ID__", "value": "12"},
            "$revision": {"type": "__REVISION__", "value": "4"},
            "Title": {"type": "SINGLE_LINE_TEXT", "value": "Report"},
            "Amount": {"type": "NUMBER", "value": "12345678901234567890.123456789"},
            "Empty": {"type": "NUMBER", "value": ""},
            "Future": {"type": "SHINY_NEW_TYPE", "value": {"a": [1, 2]}, "extra": true}
        }],
        "totalCount": "1",
        "someKeyAddedLater": {"nested": 1}
    })
}

/// O12, O13, O14: GET parameters in the query string, URL-encoded, arrays as indexed keys.
#[tokio::test]
async fn get_parameters_go_in_the_query_string_encoded_as_documented() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, records_page()).await;
    client
        .records()
        .get_records(1u64)
        .fields(["Record_Id", "Dropdown"])
        .query("Updated_datetime > 2024-10-01T09:00:00+0900")
        .total_count(true)
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), "/k/v1/records.json");
    assert_eq!(
        request.url.query().unwrap(),
        "app=1&fields%5B0%5D=Record_Id&fields%5B1%5D=Dropdown\
         &query=Updated_datetime+%3E+2024-10-01T09%3A00%3A00%2B0900&totalCount=true"
    );
    assert!(request.body.is_empty());
}

/// O4, O5, O7, O8: headers sent with a GET.
#[tokio::test]
async fn headers_of_a_get() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"record": {}})).await;
    client
        .records()
        .get_record(1u64, 2u64)
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    let port = server.address().port();
    assert_eq!(
        header(&request, "host"),
        Some(format!("127.0.0.1:{port}").as_str())
    );
    assert_eq!(header(&request, "x-cybozu-api-token"), Some("TOKEN-1"));
    assert_eq!(
        header(&request, "content-type"),
        None,
        "no body, no Content-Type"
    );
    assert_eq!(
        header(&request, "x-requested-with"),
        None,
        "session authentication only"
    );
    assert_eq!(
        header(&request, "authorization"),
        None,
        "removed Basic API authentication is never sent"
    );
    assert_eq!(header(&request, "accept-language"), None);
}

/// O5, O11: a JSON body is UTF-8 with `Content-Type: application/json`.
#[tokio::test]
async fn json_bodies_are_utf8_with_a_content_type() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"id": "1", "revision": "1"})).await;
    let record = kintone_api::RecordInput::from([(
        "Title".to_string(),
        kintone_api::FieldInput::single_line_text("日本語 \"quoted\" \\ back"),
    )]);
    client
        .records()
        .add_record(1u64)
        .record(record)
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(header(&request, "content-type"), Some("application/json"));
    let text = std::str::from_utf8(&request.body).expect("UTF-8");
    assert_eq!(
        text,
        r#"{"app":1,"record":{"Title":{"value":"日本語 \"quoted\" \\ back"}}}"#
    );
}

/// O6: password authentication.
#[tokio::test]
async fn password_authentication_header() {
    let server = wiremock::MockServer::start().await;
    answer_json(&server, 200, json!({"record": {}})).await;
    let client = Client::builder(server.uri())
        .password("login_name", "password")
        .build()
        .unwrap();
    client
        .records()
        .get_record(1u64, 1u64)
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        header(&request, "x-cybozu-authorization"),
        Some("bG9naW5fbmFtZTpwYXNzd29yZA==")
    );
    assert_eq!(header(&request, "x-cybozu-api-token"), None);
}

/// Several API tokens travel comma-joined; OAuth is a bearer token; front-door Basic rides along.
#[tokio::test]
async fn token_oauth_and_front_door_headers() {
    let server = wiremock::MockServer::start().await;
    answer_json(&server, 200, json!({"record": {}})).await;
    let tokens = Client::builder(server.uri())
        .api_tokens(["A", "B"])
        .front_door_basic("door", "pw")
        .build()
        .unwrap();
    tokens
        .records()
        .get_record(1u64, 1u64)
        .send()
        .await
        .unwrap();
    let oauth = Client::builder(server.uri())
        .oauth_token("bearer-token")
        .build()
        .unwrap();
    oauth.records().get_record(1u64, 1u64).send().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(header(&requests[0], "x-cybozu-api-token"), Some("A,B"));
    assert_eq!(
        header(&requests[0], "authorization"),
        Some("Basic ZG9vcjpwdw==")
    );
    assert_eq!(
        header(&requests[1], "authorization"),
        Some("Bearer bearer-token")
    );
}

/// O10: Accept-Language from the client, overridable per request.
#[tokio::test]
async fn accept_language_is_sent_when_set() {
    let server = wiremock::MockServer::start().await;
    answer_json(&server, 200, json!({"record": {}})).await;
    let client = Client::builder(server.uri())
        .api_token("T")
        .accept_language("ja")
        .build()
        .unwrap();
    client
        .records()
        .get_record(1u64, 1u64)
        .send()
        .await
        .unwrap();
    client
        .records()
        .get_record(1u64, 1u64)
        .accept_language("es")
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(header(&requests[0], "accept-language"), Some("ja"));
    assert_eq!(header(&requests[1], "accept-language"), Some("es"));
}

/// O3: a guest-space client uses the guest path.
#[tokio::test]
async fn guest_space_paths() {
    let server = wiremock::MockServer::start().await;
    answer_json(&server, 200, json!({"records": [], "totalCount": null})).await;
    let client = Client::builder(server.uri())
        .api_token("T")
        .guest_space(5)
        .build()
        .unwrap();
    client.records().get_records(3u64).send().await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/k/guest/5/v1/records.json");
}

/// The length of the request URI the client would send for a query of `n` characters.
fn uri_len_for(query_len: usize) -> usize {
    let query: String = "a".repeat(query_len);
    format!("/k/v1/records.json?app=1&query={query}").len()
}

fn query_of_uri_len(target: usize) -> String {
    let base = uri_len_for(0);
    "a".repeat(target - base)
}

/// O9: a URI of exactly 8 KB still goes as GET; one byte more goes as POST with
/// `X-HTTP-Method-Override: GET` and the parameters as a JSON body.
#[tokio::test]
async fn long_uris_are_tunnelled_through_post() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"records": []})).await;
    let at_limit = query_of_uri_len(MAX_URI_BYTES);
    assert_eq!(uri_len_for(at_limit.len()), 8192);
    client
        .records()
        .get_records(1u64)
        .query(at_limit.clone())
        .send()
        .await
        .unwrap();
    let over = query_of_uri_len(MAX_URI_BYTES + 1);
    client
        .records()
        .get_records(1u64)
        .query(over.clone())
        .fields(["A"])
        .send()
        .await
        .unwrap();

    let requests = server.received_requests().await.unwrap();
    let get = &requests[0];
    assert_eq!(get.method.as_str(), "GET");
    assert_eq!(
        get.url.path().len() + 1 + get.url.query().unwrap().len(),
        8192
    );
    assert_eq!(header(get, "x-http-method-override"), None);

    let post = &requests[1];
    assert_eq!(post.method.as_str(), "POST");
    assert_eq!(post.url.path(), "/k/v1/records.json");
    assert_eq!(post.url.query(), None);
    assert_eq!(header(post, "x-http-method-override"), Some("GET"));
    assert_eq!(header(post, "content-type"), Some("application/json"));
    assert_eq!(
        body_json(post),
        json!({"app": 1, "fields": ["A"], "query": over})
    );
}

/// O15–O19: 200 decodes; ids and counts become numbers; NUMBER keeps its exact text; unknown
/// keys are ignored and unknown field types keep their JSON; concurrency headers are exposed.
#[tokio::test]
async fn responses_decode_tolerantly_and_exactly() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, records_page()).await;
    let page = client
        .records()
        .get_records(1u64)
        .total_count(true)
        .send()
        .await
        .unwrap();
    assert_eq!(page.total_count, Some(1));
    assert_eq!(
        page.concurrency(),
        kintone_api::Concurrency {
            limit: Some(100),
            running: Some(3)
        }
    );
    let record = &page.records[0];
    assert!(matches!(record["$id"], FieldValue::Id(ref f) if f.value.get() == 12));
    assert!(matches!(record["$revision"], FieldValue::Revision(ref f) if f.value.get() == 4));
    match &record["Amount"] {
        FieldValue::Number(n) => assert_eq!(
            n.value.as_ref().unwrap().to_string(),
            "12345678901234567890.123456789"
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(record["Empty"], FieldValue::Number(ref n) if n.value.is_none()));
    match &record["Future"] {
        FieldValue::Unknown(raw) => {
            assert_eq!(
                raw,
                &json!({"type": "SHINY_NEW_TYPE", "value": {"a": [1, 2]}, "extra": true})
            );
            assert_eq!(record["Future"].field_type(), "SHINY_NEW_TYPE");
        }
        other => panic!("{other:?}"),
    }
}

/// O18: an error carries kintone's id, code, message, field errors, status and headers.
#[tokio::test]
async fn errors_carry_kintones_body_status_and_headers() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        400,
        json!({
            "id": "1505999166-897850006",
            "code": "CB_VA01",
            "message": "Missing or invalid input.",
            "errors": {"record.Amount.value": {"messages": ["Only numbers are allowed."]}}
        }),
    )
    .await;
    let err = client
        .records()
        .get_record(1u64, 1u64)
        .send()
        .await
        .unwrap_err();
    let api = err.api().expect("kintone's error");
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(api.id, "1505999166-897850006");
    assert_eq!(api.code, "CB_VA01");
    assert_eq!(api.message, "Missing or invalid input.");
    assert_eq!(
        api.errors["record.Amount.value"],
        vec!["Only numbers are allowed.".to_string()]
    );
    assert_eq!(api.headers.get("x-concurrencylimit-limit").unwrap(), "100");
    assert_eq!(err.code(), Some("CB_VA01"));
}

/// O15: any status but 200 is an error, even a 2xx kintone does not use.
#[tokio::test]
async fn only_200_is_success() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 201, json!({"record": {}})).await;
    let err = client
        .records()
        .get_record(1u64, 1u64)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(201));
}

/// A maintenance page in HTML is a typed error with the status and a bounded excerpt.
#[tokio::test]
async fn non_json_errors_are_typed_with_a_bounded_excerpt() {
    let (server, client) = server_and_client().await;
    let page = format!(
        "<html><body>Maintenance{}</body></html>",
        "x".repeat(10_000)
    );
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(503).set_body_raw(page, "text/html"))
        .mount(&server)
        .await;
    let err = client
        .records()
        .get_record(1u64, 1u64)
        .send()
        .await
        .unwrap_err();
    match err {
        Error::UnexpectedBody {
            status,
            content_type,
            excerpt,
            ..
        } => {
            assert_eq!(status.as_u16(), 503);
            assert_eq!(content_type, "text/html");
            assert!(excerpt.starts_with("<html><body>Maintenance"));
            assert!(excerpt.len() <= kintone_api::EXCERPT_BYTES);
        }
        other => panic!("{other:?}"),
    }
}

/// A 200 whose body is not the documented shape is a decode error naming the operation.
#[tokio::test]
async fn malformed_success_bodies_are_decode_errors() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"id": "not a number", "revision": "1"})).await;
    let err = client.records().add_record(1u64).send().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Decode {
                operation: "addRecord",
                ..
            }
        ),
        "{err:?}"
    );
}

/// O25: past 100 concurrent requests kintone answers 429 `GAIA_TO04`; the error says so, with
/// the concurrency headers that explain it.
#[tokio::test]
async fn too_many_concurrent_requests_is_a_readable_error() {
    let (server, client) = server_and_client().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(
            wiremock::ResponseTemplate::new(429)
                .set_body_json(
                    json!({"id": "t1", "code": "GAIA_TO04", "message": "Too many requests."}),
                )
                .insert_header("X-ConcurrencyLimit-Limit", "100")
                .insert_header("X-ConcurrencyLimit-Running", "100"),
        )
        .mount(&server)
        .await;
    let err = client.records().get_records(1u64).send().await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!((api.status.as_u16(), api.code.as_str()), (429, "GAIA_TO04"));
    assert_eq!(
        api.headers.get("x-concurrencylimit-running").unwrap(),
        "100"
    );
}

//! Property tests of the client's encoders: whatever the client puts in a query string, the
//! emulator reads back as the same values, for arbitrary text (spaces, `+`, `&`, `=`, `%`,
//! brackets, quotes, non-ASCII, control characters).

use kintone_api::{Client, Error};
use proptest::prelude::*;
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Sends Get Records with the given query and fields, and returns the raw query string the
/// server received (`None` when the client refused the request before sending).
async fn sent_query(server: &MockServer, query: &str, fields: &[String]) -> Option<String> {
    server.reset().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"records": [], "totalCount": null})),
        )
        .mount(server)
        .await;
    let client = Client::builder(server.uri())
        .api_token("T")
        .build()
        .unwrap();
    let mut call = client.records().get_records(1).query(query);
    if !fields.is_empty() {
        call = call.fields(fields.iter().cloned());
    }
    match call.send().await {
        Ok(_) => {}
        Err(e @ Error::Limit(_)) => {
            assert!(e.is_rejected_before_sending());
            return None;
        }
        Err(e) => panic!("{e:?}"),
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    Some(requests[0].url.query().unwrap_or_default().to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn query_strings_read_back_as_the_values_sent(
        query in "\\PC{0,60}|[ +&=%#\\[\\]\"'\\\\\t\n\r\x01\x7f]{0,20}",
        fields in proptest::collection::vec("\\PC{0,12}", 0..5),
    ) {
        let rt = runtime();
        let server = rt.block_on(MockServer::start());
        let Some(raw) = rt.block_on(sent_query(&server, &query, &fields)) else {
            return Ok(());
        };
        let mut expected = json!({"app": "1", "query": query});
        if !fields.is_empty() {
            expected["fields"] = json!(fields);
        }
        prop_assert_eq!(kintone_emulator::query_params(&raw), expected);
    }
}

//! Shared helpers for the workspace integration tests: a loopback HTTP server that records what
//! the client sends, and a client pointed at it.

use kintone_api::Client;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A recording server on 127.0.0.1 (port 0) and a client with an API token pointed at it.
pub async fn server_and_client() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder(server.uri())
        .api_token("TOKEN-1")
        .build()
        .expect("client builds");
    (server, client)
}

/// Answers every request with this JSON body and kintone's concurrency headers.
pub async fn answer_json(server: &MockServer, status: u16, body: serde_json::Value) {
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(status)
                .set_body_json(body)
                .insert_header("X-ConcurrencyLimit-Limit", "100")
                .insert_header("X-ConcurrencyLimit-Running", "3"),
        )
        .mount(server)
        .await;
}

/// The one request the server received.
pub async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request, got {}",
        requests.len()
    );
    requests.remove(0)
}

/// How many requests the server received.
pub async fn request_count(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .expect("recording is on")
        .len()
}

pub fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

pub fn body_json(request: &Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).expect("the body is JSON")
}

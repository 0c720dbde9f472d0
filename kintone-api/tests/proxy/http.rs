//! `kintone_api::proxy` against real loopback HTTP servers, one section per rule (P1–P14).
//! See docs/proxy-rules.md for the rule → test map.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::support::{closed_port, ok_text, response, TestServer, HANG_GUARD};
use kintone_api::proxy::{
    Method, ProxyClient, ProxyData, ProxyError, ProxyRequest, StaticResolver, DEFAULT_TIMEOUT,
    MAX_BODY_BYTES, MAX_HEADER_LINES, MAX_HEADER_LINE_BYTES,
};
use serde_json::{json, Value};

fn client() -> ProxyClient {
    ProxyClient::new().expect("client")
}

const NO_HEADERS: [(&str, &str); 0] = [];

// ---------------------------------------------------------------- P1, P2: URL and method

#[test]
fn p2_only_the_four_methods_parse() {
    for (text, method) in [
        ("GET", Method::Get),
        ("POST", Method::Post),
        ("PUT", Method::Put),
        ("DELETE", Method::Delete),
    ] {
        assert_eq!(text.parse::<Method>().unwrap(), method);
        assert_eq!(method.as_str(), text);
    }
    for bad in ["PATCH", "HEAD", "OPTIONS", "get", "Post", "", "GET "] {
        let error = ProxyError::from(bad.parse::<Method>().unwrap_err());
        assert!(
            matches!(error, ProxyError::InvalidMethod { ref method } if method == bad),
            "{bad:?} gave {error:?}"
        );
    }
}

#[tokio::test]
async fn p2_other_method_is_refused_before_sending() {
    let server = TestServer::fixed(ok_text("hi")).await;
    let error = client()
        .proxy(&server.url("/"), "PATCH", NO_HEADERS, json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ProxyError::InvalidMethod { .. }),
        "{error:?}"
    );
    assert!(error.is_input_error());
    assert_eq!(server.connections(), 0, "nothing may be sent");
}

#[tokio::test]
async fn p1_bad_url_is_refused_before_sending() {
    for bad in [
        "not a url",
        "ftp://127.0.0.1/file",
        "file:///etc/passwd",
        "http://",
    ] {
        let error = ProxyRequest::get(bad).build().unwrap_err();
        assert!(
            matches!(error, ProxyError::InvalidUrl { .. }),
            "{bad}: {error:?}"
        );
        let error = client()
            .proxy(bad, "GET", NO_HEADERS, json!({}))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProxyError::InvalidUrl { .. }),
            "{bad}: {error:?}"
        );
    }
}

#[tokio::test]
async fn p1_url_path_and_query_reach_the_far_side() {
    let server = TestServer::fixed(ok_text("hi")).await;
    let response = client()
        .proxy(
            &server.url("/search?q=a%20b&n=1"),
            "GET",
            NO_HEADERS,
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let request = server.single_request();
    assert_eq!(request.method, "GET");
    assert_eq!(request.target, "/search?q=a%20b&n=1");
}

// ---------------------------------------------------------------- P3: headers

#[tokio::test]
async fn p3_headers_are_sent_and_empty_headers_are_fine() {
    let server = TestServer::fixed(ok_text("hi")).await;
    client()
        .proxy(
            &server.url("/"),
            "GET",
            [("X-Custom", "one"), ("Authorization", "Bearer abc")],
            json!({}),
        )
        .await
        .unwrap();
    client()
        .proxy(
            &server.url("/"),
            "GET",
            BTreeMap::<String, String>::new(),
            json!({}),
        )
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let with = requests
        .iter()
        .find(|r| r.header("x-custom").is_some())
        .expect("request with headers");
    assert_eq!(with.header("x-custom"), Some("one"));
    assert_eq!(with.header("authorization"), Some("Bearer abc"));
    let without = requests
        .iter()
        .find(|r| r.header("x-custom").is_none())
        .expect("request without headers");
    assert!(without.header("authorization").is_none());
}

#[tokio::test]
async fn crlf_in_header_name_or_value_is_refused_before_sending() {
    let server = TestServer::fixed(ok_text("hi")).await;
    let cases = [
        ("X-Ok", "a\r\nX-Injected: 1"),
        ("X-Ok", "a\nb"),
        ("X-Ok", "a\rb"),
        ("X-Bad\r\nX-Injected", "1"),
        ("X-Bad\n", "1"),
    ];
    for (name, value) in cases {
        let error = client()
            .proxy(&server.url("/"), "POST", [(name, value)], json!({}))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProxyError::InvalidHeader { .. }),
            "{name:?}: {value:?} gave {error:?}"
        );
        // The error never echoes the value.
        assert!(!error.to_string().contains("Injected: 1"));
    }
    let error = ProxyRequest::get(server.url("/"))
        .header("Bad Name", "1")
        .build()
        .unwrap_err();
    assert!(
        matches!(error, ProxyError::InvalidHeader { .. }),
        "{error:?}"
    );
    assert_eq!(server.connections(), 0, "nothing may be sent");
}

// ---------------------------------------------------------------- P4: data

#[tokio::test]
async fn p4_get_with_data_sends_no_body() {
    let server = TestServer::fixed(ok_text("hi")).await;
    client()
        .proxy(
            &server.url("/?id=1"),
            "GET",
            NO_HEADERS,
            json!({"secret": "x", "n": 1}),
        )
        .await
        .unwrap();
    let request = server.single_request();
    assert_eq!(request.method, "GET");
    assert!(
        request.body.is_empty(),
        "GET sent a body: {:?}",
        request.body
    );
    assert!(request.header("content-length").is_none_or(|v| v == "0"));
    assert!(request.header("transfer-encoding").is_none());
    assert!(request.header("content-type").is_none());
}

#[tokio::test]
async fn p4_delete_with_string_data_sends_no_body() {
    let server = TestServer::fixed(ok_text("hi")).await;
    let request = ProxyRequest::delete(server.url("/items/7"))
        .text("ignored=1")
        .build()
        .unwrap();
    client().send(request).await.unwrap();
    let request = server.single_request();
    assert_eq!(request.method, "DELETE");
    assert!(request.body.is_empty(), "DELETE sent a body");
    assert!(request.header("content-type").is_none());
}

#[tokio::test]
async fn p4_post_sends_json_object_and_put_sends_string_verbatim() {
    let server = TestServer::fixed(ok_text("hi")).await;
    client()
        .proxy(
            &server.url("/post"),
            "POST",
            NO_HEADERS,
            json!({"item": "pen", "count": 2}),
        )
        .await
        .unwrap();
    client()
        .proxy(
            &server.url("/put"),
            "PUT",
            [("Content-Type", "text/plain")],
            json!("raw text ü"),
        )
        .await
        .unwrap();
    let requests = server.requests();
    let post = requests.iter().find(|r| r.method == "POST").unwrap();
    let sent: Value = serde_json::from_slice(&post.body).unwrap();
    assert_eq!(sent, json!({"item": "pen", "count": 2}));
    let put = requests.iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(put.body, "raw text ü".as_bytes());
}

#[tokio::test]
async fn p4_empty_object_means_no_data() {
    let server = TestServer::fixed(ok_text("hi")).await;
    client()
        .proxy(&server.url("/"), "POST", NO_HEADERS, json!({}))
        .await
        .unwrap();
    let request = server.single_request();
    assert!(request.body.is_empty());
    assert_eq!(request.header("content-length"), Some("0"));
    assert!(request.header("content-type").is_none());
}

#[tokio::test]
async fn p4_data_must_be_an_object_or_a_string() {
    let server = TestServer::fixed(ok_text("hi")).await;
    for bad in [json!([1, 2]), json!(3), json!(null), json!(true)] {
        let error = client()
            .proxy(&server.url("/"), "POST", NO_HEADERS, bad.clone())
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProxyError::InvalidData { .. }),
            "{bad}: {error:?}"
        );
        assert!(ProxyData::try_from(bad).is_err());
    }
    assert_eq!(server.connections(), 0, "nothing may be sent");
}

// ---------------------------------------------------------------- P5: outputs

#[tokio::test]
async fn p5_far_side_404_is_a_successful_call_with_body_status_headers() {
    let server = TestServer::fixed(response(
        404,
        &[("Content-Type", "application/json"), ("X-Trace", "t-1")],
        br#"{"error":"not found"}"#,
    ))
    .await;
    let response = client()
        .proxy(&server.url("/missing"), "GET", NO_HEADERS, json!({}))
        .await
        .expect("a far-side 404 is not a proxy failure");
    assert_eq!(response.status(), 404);
    assert_eq!(response.body(), r#"{"error":"not found"}"#);
    assert_eq!(response.header("x-trace"), Some("t-1"));
    assert!(!response.is_dns_cache_missing());

    let array = response.to_js_array();
    assert_eq!(array[0], json!(r#"{"error":"not found"}"#));
    assert_eq!(array[1], json!(404));
    assert_eq!(array[2]["content-type"], json!("application/json"));
    assert_eq!(array[2]["x-trace"], json!("t-1"));

    let (body, status, headers) = response.into_js_triple();
    assert_eq!((body.as_str(), status), (r#"{"error":"not found"}"#, 404));
    assert_eq!(headers.get("x-trace").map(String::as_str), Some("t-1"));
}

#[tokio::test]
async fn p5_server_error_status_and_repeated_headers() {
    let server = TestServer::fixed(response(
        500,
        &[("X-Multi", "a"), ("X-Multi", "b")],
        b"boom",
    ))
    .await;
    let response = client()
        .proxy(&server.url("/"), "POST", NO_HEADERS, json!({"a": 1}))
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.body(), "boom");
    assert_eq!(response.headers_object()["x-multi"], "a, b");
}

#[tokio::test]
async fn redirects_are_returned_not_followed() {
    let target = TestServer::fixed(ok_text("followed")).await;
    let location = target.url("/next");
    let server = TestServer::fixed(response(302, &[("Location", &location)], b"moved")).await;
    let response = client()
        .proxy(&server.url("/"), "GET", NO_HEADERS, json!({}))
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.body(), "moved");
    assert_eq!(target.connections(), 0);
}

// ---------------------------------------------------------------- P6: proxy failures

#[tokio::test]
async fn p6_connection_refused_is_a_typed_error_with_kintone_shaped_body() {
    let addr = closed_port().await;
    let error = client()
        .proxy(&format!("http://{addr}/"), "GET", NO_HEADERS, json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ProxyError::ConnectionRefused { .. }),
        "{error:?}"
    );
    let body: Value = serde_json::from_str(&error.body()).expect("JSON body");
    let object = body.as_object().unwrap();
    assert_eq!(object.len(), 3, "{body}");
    assert_eq!(body["code"], json!("PROXY_CONNECTION_REFUSED"));
    assert!(body["id"].as_str().unwrap().starts_with("proxy-"));
    assert_eq!(body["id"], json!(error.id()));
    assert_eq!(body["message"], json!(error.to_string()));
}

#[test]
fn p6_every_error_body_has_id_code_message() {
    let errors = [
        ProxyError::InvalidMethod { method: "X".into() },
        ProxyError::Timeout {
            after: Duration::from_secs(1),
        },
        ProxyError::BodyTooLarge { limit: 1 },
        ProxyError::TlsRefused {
            reason: "bad cert".into(),
        },
    ];
    let mut codes = Vec::new();
    for error in &errors {
        let body: Value = serde_json::from_str(&error.body()).unwrap();
        for key in ["id", "code", "message"] {
            assert!(body[key].is_string(), "{key} missing in {body}");
        }
        assert_eq!(error.body(), error.body(), "the body is stable");
        codes.push(error.code());
    }
    codes.dedup();
    assert_eq!(codes.len(), errors.len(), "codes are distinct");
}

#[tokio::test]
async fn timeout_is_a_typed_error_and_configurable() {
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(30));
    assert_eq!(client().timeout(), DEFAULT_TIMEOUT);

    // A server that reads the request and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (held_tx, held_rx) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        crate::support::read_request(&mut stream).await;
        let _ = held_tx.send(());
        // Keep the connection open, silent, until the test ends.
        std::future::pending::<()>().await;
        drop(stream);
    });
    let client = ProxyClient::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    assert_eq!(client.timeout(), Duration::from_millis(300));
    let result = tokio::time::timeout(
        HANG_GUARD,
        client.proxy(&format!("http://{addr}/"), "GET", NO_HEADERS, json!({})),
    )
    .await
    .expect("the client's own timeout must fire");
    let error = result.unwrap_err();
    assert_eq!(
        error,
        ProxyError::Timeout {
            after: Duration::from_millis(300)
        }
    );
    assert_eq!(error.code(), "PROXY_TIMEOUT");
    held_rx.await.expect("the request reached the server");
    server.abort();
}

// ---------------------------------------------------------------- P7: content types

#[tokio::test]
async fn p7_any_content_type_is_sent_as_given() {
    let server = TestServer::fixed(ok_text("hi")).await;
    let cases = [
        ("application/x-www-form-urlencoded", json!("a=1&b=2")),
        ("text/csv; charset=utf-8", json!("a,b\n1,2\n")),
        ("application/xml", json!("<a>1</a>")),
        ("application/vnd.example+json", json!({"k": "v"})),
        ("text/plain", json!({"k": "v"})),
    ];
    for (content_type, data) in &cases {
        client()
            .proxy(
                &server.url("/"),
                "POST",
                [("Content-Type", *content_type)],
                data.clone(),
            )
            .await
            .unwrap();
    }
    let requests = server.requests();
    assert_eq!(requests.len(), cases.len());
    for (content_type, data) in &cases {
        let request = requests
            .iter()
            .find(|r| r.header("content-type") == Some(*content_type))
            .unwrap_or_else(|| panic!("no request sent with {content_type}"));
        assert_eq!(request.header_values("content-type").len(), 1);
        match data {
            Value::String(text) => assert_eq!(request.body, text.as_bytes()),
            other => assert_eq!(
                serde_json::from_slice::<Value>(&request.body).unwrap(),
                *other
            ),
        }
    }
}

#[tokio::test]
async fn p7_json_object_without_content_type_defaults_to_application_json() {
    let server = TestServer::fixed(ok_text("hi")).await;
    client()
        .proxy(&server.url("/"), "PUT", NO_HEADERS, json!({"k": "v"}))
        .await
        .unwrap();
    client()
        .proxy(
            &server.url("/"),
            "POST",
            [("content-type", "text/plain")],
            json!({"k": "v"}),
        )
        .await
        .unwrap();
    let requests = server.requests();
    let put = requests.iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(put.header_values("content-type"), ["application/json"]);
    let post = requests.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(post.header_values("content-type"), ["text/plain"]);
}

// ---------------------------------------------------------------- P8: DNS

#[tokio::test]
async fn p8_unresolvable_host_reports_503_dns_cache_missing() {
    let client = ProxyClient::builder()
        .dns_resolver(Arc::new(StaticResolver::new()))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let response = tokio::time::timeout(
        HANG_GUARD,
        client.proxy(
            "https://no-such-host.invalid/api",
            "GET",
            NO_HEADERS,
            json!({}),
        ),
    )
    .await
    .expect("must not hang")
    .expect("a DNS miss is reported as a status, like kintone");
    assert_eq!(response.status(), 503);
    assert_eq!(response.body(), "DNS Cache Missing");
    assert!(response.is_dns_cache_missing());
    assert!(response.headers().is_empty());
}

#[tokio::test]
async fn p8_injected_resolver_is_the_one_used() {
    let server = TestServer::fixed(ok_text("resolved")).await;
    let resolver = StaticResolver::new().with("far-side.test", "127.0.0.1".parse().unwrap());
    let client = ProxyClient::builder()
        .dns_resolver(Arc::new(resolver))
        .build()
        .unwrap();
    let url = format!("http://far-side.test:{}/x", server.addr.port());
    let response = client
        .proxy(&url, "GET", NO_HEADERS, json!({}))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), "resolved");
    assert!(!response.is_dns_cache_missing());
    assert_eq!(
        server.single_request().header("host"),
        Some(&*format!("far-side.test:{}", server.addr.port()))
    );

    // The same client cannot resolve any other name.
    let other = format!("http://other.test:{}/x", server.addr.port());
    let response = client
        .proxy(&other, "GET", NO_HEADERS, json!({}))
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(server.connections(), 1);
}

// ---------------------------------------------------------------- P9: cookies

#[tokio::test]
async fn p9_cookies_are_never_kept_between_calls() {
    let server = TestServer::fixed(response(
        200,
        &[
            ("Set-Cookie", "session=s3cr3t; Path=/"),
            ("Set-Cookie", "other=1; Path=/; Max-Age=3600"),
        ],
        b"hello",
    ))
    .await;
    let client = client();
    let first = client
        .proxy(&server.url("/login"), "GET", NO_HEADERS, json!({}))
        .await
        .unwrap();
    // Reported to the caller like any header...
    assert_eq!(first.headers().get_all("set-cookie").iter().count(), 2);
    // ...but never sent back.
    client
        .proxy(&server.url("/again"), "POST", NO_HEADERS, json!({"a": 1}))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert!(
            request.header("cookie").is_none(),
            "{} {} sent a cookie",
            request.method,
            request.target
        );
    }
}

// ---------------------------------------------------------------- P10: header limits

fn headers_response(count: usize) -> Vec<u8> {
    // `response` adds Content-Length and Connection: 2 lines.
    let extra: Vec<(String, String)> = (0..count - 2)
        .map(|i| (format!("X-H{i}"), "v".to_owned()))
        .collect();
    let refs: Vec<(&str, &str)> = extra
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    response(200, &refs, b"ok")
}

#[tokio::test]
async fn p10_exactly_100_header_lines_are_accepted() {
    let server = TestServer::fixed(headers_response(MAX_HEADER_LINES)).await;
    let response = client()
        .proxy(&server.url("/"), "GET", NO_HEADERS, json!({}))
        .await
        .unwrap();
    assert_eq!(response.headers().len(), MAX_HEADER_LINES);
    assert_eq!(response.body(), "ok");
}

#[tokio::test]
async fn p10_more_than_100_header_lines_is_an_error() {
    let server = TestServer::fixed(headers_response(MAX_HEADER_LINES + 1)).await;
    let error = client()
        .proxy(&server.url("/"), "GET", NO_HEADERS, json!({}))
        .await
        .unwrap_err();
    assert_eq!(error, ProxyError::TooManyHeaderLines { limit: 100 });
}

fn long_header_response(line_bytes: usize) -> Vec<u8> {
    let name = "X-Long";
    let value = "a".repeat(line_bytes - name.len() - 2);
    response(200, &[(name, &value)], b"ok")
}

#[tokio::test]
async fn p10_header_line_of_8192_bytes_is_accepted() {
    let server = TestServer::fixed(long_header_response(MAX_HEADER_LINE_BYTES)).await;
    let response = client()
        .proxy(&server.url("/"), "GET", NO_HEADERS, json!({}))
        .await
        .unwrap();
    assert_eq!(
        response.header("x-long").unwrap().len(),
        MAX_HEADER_LINE_BYTES - 8
    );
}

#[tokio::test]
async fn p10_header_line_over_8192_bytes_is_an_error() {
    let server = TestServer::fixed(long_header_response(MAX_HEADER_LINE_BYTES + 1)).await;
    let error = client()
        .proxy(&server.url("/"), "GET", NO_HEADERS, json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ProxyError::HeaderLineTooLong {
            name: "x-long".into(),
            length: 8193,
            limit: 8192
        }
    );
}

// ---------------------------------------------------------------- P11: text only

#[tokio::test]
async fn p11_binary_content_type_is_an_error() {
    // A tiny PNG signature; the type alone decides.
    for content_type in [
        "image/png",
        "application/octet-stream",
        "application/pdf",
        "IMAGE/JPEG; q=1",
    ] {
        let server = TestServer::fixed(response(
            200,
            &[("Content-Type", content_type)],
            b"\x89PNG\r\n\x1a\n",
        ))
        .await;
        let error = client()
            .proxy(&server.url("/img"), "GET", NO_HEADERS, json!({}))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProxyError::BinaryBody { .. }),
            "{content_type}: {error:?}"
        );
    }
}

#[tokio::test]
async fn p11_bytes_that_are_not_utf8_text_are_an_error() {
    // No or a textual Content-Type, but the bytes are binary.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [u8]);
    let cases: [Case; 3] = [
        (&[], b"\xff\xd8\xff\xe0JFIF"),
        (&[("Content-Type", "text/plain")], b"caf\xe9"),
        (&[("Content-Type", "text/plain")], b"text\0with NUL"),
    ];
    for (headers, body) in cases {
        let server = TestServer::fixed(response(200, headers, body)).await;
        let error = client()
            .proxy(&server.url("/"), "GET", NO_HEADERS, json!({}))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProxyError::BinaryBody { .. }),
            "{body:?}: {error:?}"
        );
    }
}

#[tokio::test]
async fn p11_utf8_text_of_any_text_type_is_accepted() {
    for content_type in [
        "text/html; charset=UTF-8",
        "application/json",
        "application/xml",
    ] {
        let server = TestServer::fixed(response(
            200,
            &[("Content-Type", content_type)],
            "こんにちは kintone".as_bytes(),
        ))
        .await;
        let response = client()
            .proxy(&server.url("/"), "GET", NO_HEADERS, json!({}))
            .await
            .unwrap();
        assert_eq!(response.body(), "こんにちは kintone");
    }
}

// ---------------------------------------------------------------- P12: body size

#[tokio::test]
async fn p12_body_of_exactly_10_mb_is_accepted() {
    let body = vec![b'a'; MAX_BODY_BYTES];
    let server = TestServer::fixed(response(200, &[("Content-Type", "text/plain")], &body)).await;
    let response = client()
        .proxy(&server.url("/"), "GET", NO_HEADERS, json!({}))
        .await
        .unwrap();
    assert_eq!(response.body().len(), MAX_BODY_BYTES);
}

#[tokio::test]
async fn p12_declared_length_over_10_mb_is_refused_without_reading() {
    // The head promises 10 MB + 1 but only a few bytes follow: reading it would hang on the
    // missing bytes (caught by HANG_GUARD) or fail differently.
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\nabc",
        MAX_BODY_BYTES + 1
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        crate::support::read_request(&mut stream).await;
        tokio::io::AsyncWriteExt::write_all(&mut stream, head.as_bytes())
            .await
            .unwrap();
        std::future::pending::<()>().await;
        drop(stream);
    });
    let error = tokio::time::timeout(
        HANG_GUARD,
        client().proxy(&format!("http://{addr}/"), "GET", NO_HEADERS, json!({})),
    )
    .await
    .expect("must not wait for the body")
    .unwrap_err();
    assert_eq!(
        error,
        ProxyError::BodyTooLarge {
            limit: MAX_BODY_BYTES
        }
    );
    server.abort();
}

#[tokio::test]
async fn p12_streamed_body_stops_at_the_limit() {
    use tokio::io::AsyncWriteExt;
    const CHUNK: usize = 64 * 1024;
    const OFFERED: usize = 64 * 1024 * 1024; // 64 MB, far over the limit.

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        crate::support::read_request(&mut stream).await;
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await
            .unwrap();
        let chunk = format!("{CHUNK:x}\r\n{}\r\n", "a".repeat(CHUNK));
        let mut written = 0usize;
        while written < OFFERED {
            if stream.write_all(chunk.as_bytes()).await.is_err() {
                return (written, true); // the client closed the connection
            }
            written += CHUNK;
        }
        let closed = stream.write_all(b"0\r\n\r\n").await.is_err();
        (written, closed)
    });
    let error = client()
        .proxy(&format!("http://{addr}/"), "GET", NO_HEADERS, json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ProxyError::BodyTooLarge {
            limit: MAX_BODY_BYTES
        }
    );
    let (written, closed) = tokio::time::timeout(HANG_GUARD, server)
        .await
        .expect("the client must close the connection, not leave the server blocked")
        .unwrap();
    eprintln!("the server wrote {written} of {OFFERED} bytes before the client closed");
    assert!(
        closed,
        "the client read all {written} bytes instead of stopping"
    );
    assert!(
        written < OFFERED / 2,
        "the server could write {written} bytes: reading did not stop at the limit"
    );
}

// ---------------------------------------------------------------- P14: automatic headers

#[tokio::test]
async fn p14_content_length_and_transfer_encoding_are_refused_in_any_case() {
    let server = TestServer::fixed(ok_text("hi")).await;
    for name in [
        "Content-Length",
        "content-length",
        "CONTENT-LENGTH",
        "Transfer-Encoding",
        "transfer-encoding",
        "TrAnSfEr-EnCoDiNg",
    ] {
        for method in ["POST", "PUT", "GET", "DELETE"] {
            let error = client()
                .proxy(&server.url("/"), method, [(name, "5")], json!("hello"))
                .await
                .unwrap_err();
            assert_eq!(
                error,
                ProxyError::ForbiddenHeader { name: name.into() },
                "{method} {name}"
            );
        }
    }
    assert_eq!(server.connections(), 0, "nothing may be sent");
}

#[tokio::test]
async fn p14_post_and_put_get_content_length_automatically() {
    let server = TestServer::fixed(ok_text("hi")).await;
    client()
        .proxy(&server.url("/"), "POST", NO_HEADERS, json!("12345"))
        .await
        .unwrap();
    client()
        .proxy(&server.url("/"), "PUT", NO_HEADERS, json!({"k": "v"}))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        let length = request
            .header("content-length")
            .expect("Content-Length set");
        assert_eq!(length.parse::<usize>().unwrap(), request.body.len());
        assert!(request.header("transfer-encoding").is_none());
    }
}

#[tokio::test]
async fn no_accept_encoding_is_added() {
    let server = TestServer::fixed(ok_text("hi")).await;
    client()
        .proxy(&server.url("/"), "GET", NO_HEADERS, json!({}))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].header("accept-encoding").is_none());
}

// ---------------------------------------------------------------- Debug redaction

#[tokio::test]
async fn debug_output_never_prints_secrets() {
    let secrets = [
        "Bearer TOPSECRET",
        "sess=COOKIESECRET",
        "APITOKENSECRET",
        "PASSSECRET",
        "QUERYSECRET",
        "DATASECRET",
    ];
    let request = ProxyRequest::post("https://user:PASSSECRET@api.example.com/v1?key=QUERYSECRET")
        .header("Authorization", "Bearer TOPSECRET")
        .header("Cookie", "sess=COOKIESECRET")
        .header("X-Cybozu-API-Token", "APITOKENSECRET")
        .header("Content-Type", "application/json")
        .json(json!({"password": "DATASECRET"}));
    let builder_debug = format!("{request:?}");
    let request = request.build().unwrap();
    let request_debug = format!("{request:?}");
    for text in [&builder_debug, &request_debug] {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} printed in {text}");
        }
        assert!(
            text.contains("authorization"),
            "header names stay visible: {text}"
        );
        assert!(
            text.contains("application/json"),
            "harmless values stay visible: {text}"
        );
    }

    let server = TestServer::fixed(response(
        200,
        &[
            ("Set-Cookie", "id=COOKIESECRET"),
            ("X-Cybozu-Token", "APITOKENSECRET"),
        ],
        b"DATASECRET",
    ))
    .await;
    let client = ProxyClient::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let response = client
        .proxy(&server.url("/"), "GET", NO_HEADERS, json!({}))
        .await
        .unwrap();
    let text = format!("{response:?} {client:?} {:?}", ProxyClient::builder());
    for secret in secrets {
        assert!(!text.contains(secret), "{secret} printed in {text}");
    }
    assert!(text.contains("set-cookie"));
}

// ---------------------------------------------------------------- API shape

#[test]
fn public_types_are_thread_safe_and_errors_are_std_errors() {
    fn send_sync<T: Send + Sync + 'static>() {}
    fn std_error<T: std::error::Error + Send + Sync + 'static>() {}
    send_sync::<ProxyClient>();
    send_sync::<ProxyRequest>();
    send_sync::<kintone_api::proxy::ProxyResponse>();
    std_error::<ProxyError>();
}

/// P15–P17 describe where `kintone.proxy()` works and what it is for; a Rust service has no
/// page to call it from, so the rules live in the module's documentation, which must keep them.
#[test]
fn the_rules_on_where_the_proxy_works_stay_documented() {
    let docs = include_str!("../../src/proxy/mod.rs");
    let docs: String = docs
        .lines()
        .filter_map(|line| line.strip_prefix("//!"))
        .collect::<Vec<_>>()
        .join(" ");
    let docs = docs.split_whitespace().collect::<Vec<_>>().join(" ");
    for (rule, words) in [
        (
            "P15",
            "not from apps attached to space or thread bodies or announcements",
        ),
        ("P16", "kintone's own addresses must be allowed"),
        ("P17", "use this crate's REST client, not the proxy"),
    ] {
        assert!(
            docs.contains(words),
            "{rule}: the proxy's docs no longer say {words:?}"
        );
    }
}

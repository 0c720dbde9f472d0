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

/// POST `/k/v1/record.json` with a title of `title`, with or without the full token.
async fn add_raw(emulator: &kintone_emulator::Emulator, token: Option<&str>, title: &str) -> u16 {
    let mut request = reqwest::Client::new()
        .post(format!("{}/k/v1/record.json", emulator.base_url()))
        .json(&json!({"app": 1, "record": {"Title": {"value": title}}}));
    if let Some(token) = token {
        request = request.header("X-Cybozu-API-Token", token);
    }
    request
        .send()
        .await
        .expect("the emulator answers")
        .status()
        .as_u16()
}

/// Large bodies used to be logged forever; the log now keeps the latest requests within a count
/// and a byte bound, oldest dropped first.
#[tokio::test]
async fn the_request_log_stays_within_its_bounds() {
    let (emulator, _) = emulator_with(|b| b.log_max_requests(5).log_max_bytes(150_000)).await;
    // Under the emulator's 65,535-character maximum of a text value.
    let big = "x".repeat(60_000);
    for i in 0..12 {
        assert_eq!(
            add_raw(&emulator, Some("TOKEN"), &format!("{i:02}{big}")).await,
            200
        );
        let log = emulator.requests();
        assert!(log.len() <= 5, "{} requests kept", log.len());
        assert!(
            emulator.logged_bytes() <= 150_000,
            "{}",
            emulator.logged_bytes()
        );
        let bodies: usize = log.iter().map(|r| r.body.len()).sum();
        assert!(bodies <= 150_000, "{bodies}");
    }
    let log = emulator.requests();
    assert_eq!(log.len(), 2, "three bodies of 60 KB pass 150 KB");
    let titles: Vec<String> = log
        .iter()
        .map(|r| {
            r.json().unwrap()["record"]["Title"]["value"]
                .as_str()
                .unwrap()[..2]
                .to_string()
        })
        .collect();
    assert_eq!(titles, ["10", "11"], "the oldest go first");

    // The count bound, with small requests.
    for i in 0..12 {
        add_raw(&emulator, Some("TOKEN"), &format!("small {i}")).await;
    }
    let log = emulator.requests();
    assert_eq!(log.len(), 5);
    assert_eq!(
        log[4].json().unwrap()["record"]["Title"]["value"],
        "small 11"
    );
    assert_eq!(
        log[0].json().unwrap()["record"]["Title"]["value"],
        "small 7"
    );

    // A body larger than the whole byte bound: the request is listed, its body is not kept
    // (the title is past the emulator's maximum of a text value, so it is refused too).
    let huge = "y".repeat(400_000);
    assert_eq!(add_raw(&emulator, Some("TOKEN"), &huge).await, 400);
    let last = emulator.requests().pop().unwrap();
    assert!(last.body.is_empty() && last.body_omitted);
    assert_eq!(last.path, "/k/v1/record.json");
    assert!(emulator.logged_bytes() <= 150_000);
}

/// Bodies of requests that fail authentication used to be kept; now only their line and
/// headers are.
#[tokio::test]
async fn an_unauthenticated_request_body_is_not_kept() {
    let (emulator, _) = emulator_and_client().await;
    let secret = "a body from a caller the emulator does not know";
    // No credentials: 401 CB_AU01; an unknown API token: 400 GAIA_IA02 (verified-behaviours §2.1).
    for (token, status) in [(None, 401), (Some("NOT-A-TOKEN"), 400)] {
        assert_eq!(add_raw(&emulator, token, secret).await, status);
        let logged = emulator.requests().pop().unwrap();
        assert_eq!(logged.path, "/k/v1/record.json");
        assert!(logged.body.is_empty(), "{:?}", logged.body);
        assert!(logged.body_omitted);
    }
    let r = reqwest::Client::new()
        .post(format!("{}/k/v1/record.json", emulator.base_url()))
        .header("X-Cybozu-Authorization", "c2F0bzpub3BlCg==") // sato:nope
        .json(&json!({"app": 1, "record": {"Title": {"value": secret}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(emulator.requests().pop().unwrap().body.is_empty());
    // An authenticated request's body is kept.
    assert_eq!(add_raw(&emulator, Some("TOKEN"), secret).await, 200);
    let logged = emulator.requests().pop().unwrap();
    assert!(!logged.body_omitted);
    assert_eq!(logged.json().unwrap()["record"]["Title"]["value"], secret);
}

/// A JSON body of exactly `len` bytes adding one record.
/// An Add Record body of exactly `len` bytes, padded with JSON white space: kintone refuses a
/// text value longer than its field type allows, so the size cannot come from the value.
fn record_body_of(len: usize) -> Vec<u8> {
    let record = json!({"app": 1, "record": {"Title": {"value": "t"}}}).to_string();
    let mut bytes = record.into_bytes();
    let end = bytes.pop().expect("an object ends with a brace");
    bytes.resize(len - 1, b' ');
    bytes.push(end);
    assert_eq!(bytes.len(), len);
    bytes
}

async fn post_bytes(
    emulator: &kintone_emulator::Emulator,
    body: impl Into<reqwest::Body>,
) -> (u16, Option<String>, serde_json::Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/k/v1/record.json", emulator.base_url()))
        .header("X-Cybozu-API-Token", "TOKEN")
        .header("Content-Type", "application/json")
        .body(body)
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

fn assert_too_large(answer: &(u16, Option<String>, serde_json::Value)) {
    let (status, code, body) = answer;
    assert_eq!(
        (*status, code.as_deref()),
        (413, Some("EMULATOR_TL01")),
        "{body}"
    );
    assert_eq!(body["code"], "EMULATOR_TL01");
    assert!(
        body["id"].is_string() && body["message"].is_string(),
        "{body}"
    );
}

/// Bodies used to be read up to 1 GiB; one just over the default cap is refused now.
#[tokio::test]
async fn a_body_just_over_the_default_cap_is_413() {
    let (emulator, _) = emulator_and_client().await;
    let cap = kintone_emulator::DEFAULT_MAX_BODY_BYTES;
    assert_too_large(&post_bytes(&emulator, record_body_of(cap + 1)).await);
    assert_eq!(emulator.record_count(1), 0);
}

#[tokio::test]
async fn configured_body_and_upload_caps_answer_413() {
    let (emulator, _) =
        emulator_with(|b| b.max_body_bytes(64 * 1024).max_upload_bytes(256 * 1024)).await;
    let (status, _, body) = post_bytes(&emulator, record_body_of(64 * 1024)).await;
    assert_eq!(status, 200, "a body at the cap is read: {body}");
    assert_too_large(&post_bytes(&emulator, record_body_of(64 * 1024 + 1)).await);
    // Without a Content-Length (chunked), the cap holds too.
    let answer = post_chunked(&emulator, &record_body_of(64 * 1024 + 1)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("x-cybozu-error: EMULATOR_TL01"), "{answer}");
    assert_eq!(emulator.record_count(1), 1);

    let upload = |len: usize| {
        let part = reqwest::multipart::Part::bytes(vec![7u8; len]).file_name("data.bin");
        reqwest::Client::new()
            .post(format!("{}/k/v1/file.json", emulator.base_url()))
            .header("X-Cybozu-API-Token", "TOKEN")
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    // Over the JSON cap but within the upload cap.
    let r = upload(200 * 1024).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = upload(256 * 1024 + 1).await.unwrap();
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(r.headers()["x-cybozu-error"], "EMULATOR_TL01");
}

/// POSTs `body` to Add Record in 4 KiB chunks (`Transfer-Encoding: chunked`, no
/// Content-Length) over a plain socket; the raw answer.
async fn post_chunked(emulator: &kintone_emulator::Emulator, body: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(emulator.address())
        .await
        .unwrap();
    let mut request = format!(
        "POST /k/v1/record.json HTTP/1.1\r\nHost: {}\r\nX-Cybozu-API-Token: TOKEN\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        emulator.address()
    )
    .into_bytes();
    for chunk in body.chunks(4096) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    socket.write_all(&request).await.unwrap();
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// An emulator with the orders app (1) and a second app (2) with an attachment field; tokens
/// `TOKEN` (app 1, all), `OTHER` (app 2, all), `ADD_ONLY` (app 1, add only); the user `sato`.
async fn two_apps() -> kintone_emulator::Emulator {
    use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType, Permissions};
    Emulator::builder()
        .app(orders_app())
        .app(AppSeed::new(2, "Other").field(FieldSeed::new("Attachment", FieldType::File)))
        .api_token("TOKEN", 1, Permissions::ALL)
        .api_token("OTHER", 2, Permissions::ALL)
        .api_token(
            "ADD_ONLY",
            1,
            kintone_emulator::Permissions {
                add: true,
                ..Default::default()
            },
        )
        .user("sato", "pw")
        .start()
        .await
        .unwrap()
}

fn token_client(emulator: &kintone_emulator::Emulator, tokens: &[&str]) -> kintone_api::Client {
    kintone_api::Client::builder(emulator.base_url())
        .api_tokens(tokens.iter().copied())
        .build()
        .unwrap()
}

/// Uploads `bytes` and attaches them to a new record of `app`; the attached file's key.
async fn attach(client: &kintone_api::Client, app: u64, bytes: &[u8]) -> String {
    let uploaded = client
        .files()
        .upload_file(kintone_api::FilePart::new("secret.bin", bytes.to_vec()))
        .send()
        .await
        .unwrap()
        .into_body()
        .file_key;
    let mut input = kintone_api::RecordInput::new();
    if app == 1 {
        input.insert(
            "Title".into(),
            kintone_api::FieldInput::single_line_text("with a file"),
        );
    }
    input.insert(
        "Attachment".into(),
        kintone_api::FieldInput::file([kintone_api::FileRef::new(uploaded)]),
    );
    let added = client
        .records()
        .add_record(app)
        .record(input)
        .send()
        .await
        .unwrap();
    let got = client
        .records()
        .get_record(app, added.id)
        .send()
        .await
        .unwrap();
    got.record["Attachment"].as_files().unwrap()[0]
        .file_key
        .to_string()
}

/// A file attached in app 1 used to be downloadable with any token that could view anything.
#[tokio::test]
async fn a_file_downloads_only_with_view_permission_on_its_app() {
    let emulator = two_apps().await;
    let app1 = token_client(&emulator, &["TOKEN"]);
    let key = attach(&app1, 1, b"app 1's secret").await;

    let downloaded = app1
        .files()
        .download_file(key.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(downloaded.bytes().as_ref(), b"app 1's secret");

    for tokens in [&["OTHER"][..], &["ADD_ONLY"][..]] {
        let err = token_client(&emulator, tokens)
            .files()
            .download_file(key.clone())
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            (err.status().unwrap().as_u16(), err.code()),
            (403, Some("GAIA_NO01")),
            "{tokens:?}"
        );
        assert_eq!(
            err.api().unwrap().headers.get("x-cybozu-error").unwrap(),
            "GAIA_NO01"
        );
    }
    // A header with a token that may view app 1 among others is enough.
    token_client(&emulator, &["OTHER", "TOKEN"])
        .files()
        .download_file(key.clone())
        .send()
        .await
        .unwrap();
    // Users may view every app in the emulator.
    kintone_api::Client::builder(emulator.base_url())
        .password("sato", "pw")
        .build()
        .unwrap()
        .files()
        .download_file(key.clone())
        .send()
        .await
        .unwrap();

    // Nor can app 2 take app 1's file by attaching its key to one of its own records.
    let mut input = kintone_api::RecordInput::new();
    input.insert(
        "Attachment".into(),
        kintone_api::FieldInput::file([kintone_api::FileRef::new(key.clone())]),
    );
    let err = token_client(&emulator, &["OTHER"])
        .records()
        .add_record(2u64)
        .record(input)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.api()
            .unwrap()
            .errors
            .contains_key("record.Attachment.value"),
        "{err:?}"
    );
}

/// The hex digits of a key.
fn hex_digits(key: &str) -> usize {
    key.chars().filter(char::is_ascii_hexdigit).count()
}

/// Attached-file keys used to be sequential (`attached-000000000001`, …) and upload keys and
/// cursor ids nearly so: each is now 128 random bits.
#[tokio::test]
async fn file_keys_and_cursor_ids_are_unguessable() {
    let emulator = two_apps().await;
    let client = token_client(&emulator, &["TOKEN"]);
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..8u8 {
        let upload = client
            .files()
            .upload_file(kintone_api::FilePart::new("f.bin", vec![i]))
            .send()
            .await
            .unwrap()
            .into_body()
            .file_key;
        let attached = attach(&client, 1, &[i]).await;
        let cursor = client
            .cursors()
            .create_cursor(1u64)
            .send()
            .await
            .unwrap()
            .into_body()
            .id;
        client
            .cursors()
            .delete_cursor(cursor.clone())
            .send()
            .await
            .unwrap();
        for key in [upload, attached, cursor.to_string()] {
            assert!(hex_digits(&key) >= 32, "{key} carries under 128 bits");
            assert!(seen.insert(key.clone()), "{key} came twice");
        }
    }
    // Consecutive keys share no long prefix (a counter would).
    let keys: Vec<&String> = seen.iter().collect();
    for pair in keys.windows(2) {
        let common = pair[0]
            .chars()
            .zip(pair[1].chars())
            .take_while(|(a, b)| a == b)
            .count();
        assert!(common < 8, "{} and {} look sequential", pair[0], pair[1]);
    }
}

/// Posts a comment on record `record` of app 1; its id.
async fn comment(client: &kintone_api::Client, record: u64, text: &str) -> u64 {
    client
        .comments()
        .add_record_comment(1u64, record, kintone_api::CommentInput::new(text))
        .send()
        .await
        .unwrap()
        .into_body()
        .id
        .into()
}

async fn delete_comment(
    client: &kintone_api::Client,
    record: u64,
    comment: u64,
) -> Result<(), (u16, Option<String>)> {
    client
        .comments()
        .delete_record_comment(1u64, record, comment)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| (e.status().unwrap().as_u16(), e.code().map(str::to_string)))
}

/// Any caller used to delete any comment; only the author may now, and an API token only the
/// comments posted through API tokens.
#[tokio::test]
async fn only_a_comments_author_may_delete_it() {
    let (emulator, token) = emulator_with(|b| b.user("suzuki", "pw2")).await;
    let record = emulator
        .insert_records(1, vec![json!({"Title": {"value": "discussed"}})])
        .unwrap()[0];
    let user = |login: &str, password: &str| {
        kintone_api::Client::builder(emulator.base_url())
            .password(login, password)
            .build()
            .unwrap()
    };
    let (sato, suzuki) = (user("sato", "pw"), user("suzuki", "pw2"));
    let refused = Err((403, Some("GAIA_RE03".to_string())));

    let by_sato = comment(&sato, record, "sato's").await;
    assert_eq!(delete_comment(&suzuki, record, by_sato).await, refused);
    assert_eq!(delete_comment(&token, record, by_sato).await, refused);
    assert_eq!(delete_comment(&sato, record, by_sato).await, Ok(()));

    let by_token = comment(&token, record, "the token's").await;
    assert_eq!(delete_comment(&sato, record, by_token).await, refused);
    // Another token (of the same app) posts as Administrator too, so it may delete it.
    let view = kintone_api::Client::builder(emulator.base_url())
        .api_token("VIEW")
        .build()
        .unwrap();
    assert_eq!(delete_comment(&view, record, by_token).await, Ok(()));

    let again = comment(&token, record, "again").await;
    assert_eq!(delete_comment(&token, record, again).await, Ok(()));
    assert_eq!(
        delete_comment(&token, record, again).await,
        Err((400, Some("GAIA_RE02".to_string()))),
        "a deleted comment is gone"
    );
    let left = token
        .comments()
        .get_record_comments(1u64, record)
        .send()
        .await
        .unwrap();
    assert!(left.comments.is_empty());
}

/// Waits for the answer's head; on a paused clock, a server that never answers makes the
/// guard's hour pass at once and the test fail rather than hang.
async fn answer_head_without_body(socket: &mut tokio::net::TcpStream) -> String {
    tokio::time::timeout(
        std::time::Duration::from_secs(3600),
        read_answer_head(socket),
    )
    .await
    .expect("answered without waiting for the body")
    .expect("answered before the connection closed")
}

fn json_headers(length: usize) -> Vec<(&'static str, String)> {
    vec![
        ("Content-Type", "application/json".to_string()),
        ("Content-Length", length.to_string()),
    ]
}

/// A body used to be read whole (up to the cap) before the caller was checked: 200 callers
/// without credentials sending 16 MB each took 3.5 GB. The caller is answered now from the
/// headers, before any byte of the body is sent, and nothing of it is kept.
#[tokio::test(start_paused = true)]
async fn an_unknown_caller_is_answered_before_its_body_is_read() {
    let (emulator, _) = emulator_and_client().await;
    let declared = kintone_emulator::DEFAULT_MAX_BODY_BYTES;
    let cases = [
        (None, "401", "cb_au01"),
        (
            Some(("X-Cybozu-API-Token", "NOT-A-TOKEN")),
            "400",
            "gaia_ia02",
        ),
        // sato:nope
        (
            Some(("X-Cybozu-Authorization", "c2F0bzpub3Bl")),
            "401",
            "cb_wa01",
        ),
    ];
    for (credentials, status, code) in cases {
        let mut headers = json_headers(declared);
        headers.extend(credentials.map(|(name, value)| (name, value.to_string())));
        let mut socket = send_head(&emulator, "/k/v1/record.json", &headers).await;
        let head = answer_head_without_body(&mut socket).await;
        assert!(head.starts_with(&format!("http/1.1 {status}")), "{head}");
        assert!(head.contains(&format!("x-cybozu-error: {code}")), "{head}");
        assert_eq!(emulator.body_bytes_in_use(), 0);
        let logged = emulator.requests().pop().unwrap();
        assert!(logged.body.is_empty() && logged.body_omitted, "{logged:?}");
    }
    // A client still sending its body when the answer comes reads the answer, not a reset
    // connection: the rest of the body is read and dropped.
    let r = reqwest::Client::new()
        .post(format!("{}/k/v1/record.json", emulator.base_url()))
        .header("Content-Type", "application/json")
        .body(record_body_of(8 << 20))
        .send()
        .await
        .expect("the answer, not a reset connection");
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.headers()["x-cybozu-error"], "CB_AU01");
    // A declared length over the cap is refused from the headers too.
    let mut headers = json_headers(declared + 1);
    headers.push(("X-Cybozu-API-Token", "TOKEN".to_string()));
    let mut socket = send_head(&emulator, "/k/v1/record.json", &headers).await;
    let head = answer_head_without_body(&mut socket).await;
    assert!(head.starts_with("http/1.1 413"), "{head}");
    assert!(head.contains("x-cybozu-error: emulator_tl01"), "{head}");
    assert_eq!(emulator.record_count(1), 0);
}

/// Requests over the concurrency limit used to have their bodies read (and kept) before the
/// 429; they are refused from the headers now.
#[tokio::test(start_paused = true)]
async fn the_concurrency_limit_is_checked_before_the_body_is_read() {
    let (emulator, client) = emulator_with(|b| b.concurrency_limit(1)).await;
    let gate = kintone_emulator::Gate::new();
    emulator.inject(Failure::hold(&gate).times(1));
    let held = tokio::spawn(async move { client.records().get_records(1u64).send().await });
    gate.reached(1).await;
    let mut headers = json_headers(8 << 20);
    headers.push(("X-Cybozu-API-Token", "TOKEN".to_string()));
    let mut socket = send_head(&emulator, "/k/v1/record.json", &headers).await;
    let head = answer_head_without_body(&mut socket).await;
    assert!(head.starts_with("http/1.1 429"), "{head}");
    assert!(head.contains("x-cybozu-error: gaia_to04"), "{head}");
    assert_eq!(emulator.body_bytes_in_use(), 0);
    gate.open();
    held.await.unwrap().expect("the held request is answered");
}

/// Waits, on the paused clock, until the bodies being read hold `bytes`.
async fn until_bodies_hold(emulator: &kintone_emulator::Emulator, bytes: usize) {
    for _ in 0..1_000 {
        if emulator.body_bytes_in_use() == bytes {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    panic!(
        "the bodies hold {} bytes, not {bytes}",
        emulator.body_bytes_in_use()
    );
}

/// Every body being read used to be held in full, however many came at once. They share one
/// budget now: a body that does not fit in what is left is refused with `429 GAIA_TO04` (retry
/// later) before it is read, one larger than the whole budget with 413, and the budget comes
/// back when a request is answered or its connection closes.
#[tokio::test(start_paused = true)]
async fn bodies_being_read_share_one_memory_budget() {
    use tokio::io::AsyncWriteExt;
    let budget = 1 << 20;
    let (emulator, client) = emulator_with(|b| b.body_memory_budget(budget)).await;
    let token = || ("X-Cybozu-API-Token", "TOKEN".to_string());

    // A body of 600 KiB, a sixth of it sent: all of it is reserved.
    let stalled_len = 600 << 10;
    let stalled_body = record_body_of(stalled_len);
    let mut headers = json_headers(stalled_len);
    headers.push(token());
    let mut stalled = send_head(&emulator, "/k/v1/record.json", &headers).await;
    stalled.write_all(&stalled_body[..100 << 10]).await.unwrap();
    until_bodies_hold(&emulator, stalled_len).await;

    // Another 600 KiB does not fit beside it.
    let mut headers = json_headers(stalled_len);
    headers.push(token());
    let mut refused = send_head(&emulator, "/k/v1/record.json", &headers).await;
    let head = answer_head_without_body(&mut refused).await;
    assert!(head.starts_with("http/1.1 429"), "{head}");
    assert!(head.contains("x-cybozu-error: gaia_to04"), "{head}");
    // Nor does a chunked body that outgrows what is left.
    let answer = post_chunked(&emulator, &record_body_of(500 << 10)).await;
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    // A body larger than the whole budget never fits: 413, though it is under the cap.
    let mut headers = json_headers(budget + 1);
    headers.push(token());
    let mut too_large = send_head(&emulator, "/k/v1/record.json", &headers).await;
    let head = answer_head_without_body(&mut too_large).await;
    assert!(head.starts_with("http/1.1 413"), "{head}");
    // An ordinary request fits in what is left.
    client
        .records()
        .add_record(1u64)
        .record(record("small", &[]))
        .send()
        .await
        .expect("a small body fits beside the stalled one");

    // The stalled body arrives: it is answered, and its reservation is given back by then.
    stalled.write_all(&stalled_body[100 << 10..]).await.unwrap();
    let head = answer_head_without_body(&mut stalled).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_eq!(emulator.body_bytes_in_use(), 0);
    assert_eq!(emulator.record_count(1), 2);

    // A client that goes away mid-body gives its reservation back too.
    let mut headers = json_headers(stalled_len);
    headers.push(token());
    let mut abandoned = send_head(&emulator, "/k/v1/record.json", &headers).await;
    abandoned.write_all(&stalled_body[..10]).await.unwrap();
    until_bodies_hold(&emulator, stalled_len).await;
    drop(abandoned);
    until_bodies_hold(&emulator, 0).await;
    // And one whose body stops arriving is answered 408 after the idle timeout.
    let mut headers = json_headers(stalled_len);
    headers.push(token());
    let mut stopped = send_head(&emulator, "/k/v1/record.json", &headers).await;
    stopped.write_all(&stalled_body[..10]).await.unwrap();
    let start = tokio::time::Instant::now();
    let head = answer_head_without_body(&mut stopped).await;
    assert!(head.starts_with("http/1.1 408"), "{head}");
    assert!(head.contains("x-cybozu-error: emulator_to01"), "{head}");
    assert_eq!(start.elapsed(), kintone_emulator::DEFAULT_IDLE_TIMEOUT);
    assert_eq!(emulator.body_bytes_in_use(), 0);
    assert_eq!(emulator.record_count(1), 2);
}

/// Reads from `socket` until it closes; true if it did (end of stream or reset).
async fn closes(socket: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 256];
    loop {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return true,
            Ok(_) => continue,
        }
    }
}

/// The emulator used to keep every connection open for as long as its client liked: about
/// 1,014 idle ones made it unreachable at 1,024 file descriptors. At its connection limit it
/// now closes the connections idle longest to make room, so a request is answered however many
/// idle connections are held, and no more than the limit are open.
#[tokio::test]
async fn a_request_is_answered_while_idle_connections_past_the_limit_are_held() {
    use futures_util::StreamExt;
    let limit = 8;
    let held = 40;
    let (emulator, client) = emulator_with(|b| {
        b.max_connections(limit)
            .idle_timeout(std::time::Duration::from_secs(3600))
            .header_read_timeout(std::time::Duration::from_secs(3600))
    })
    .await;
    let mut sockets = Vec::new();
    for i in 0..held {
        use tokio::io::AsyncWriteExt;
        let mut socket = tokio::net::TcpStream::connect(emulator.address())
            .await
            .unwrap();
        // Some send half a request's head and stop there.
        if i % 3 == 0 {
            socket
                .write_all(b"GET /k/v1/records.json?app=1 HTTP/1.1\r\nHost: x\r\n")
                .await
                .unwrap();
        }
        sockets.push(socket);
    }
    let answered = client.records().get_records(1u64).send().await;
    answered.expect("answered while idle connections past the limit are held");
    // The client's own connection and `limit - 1` held ones stay; the rest were closed.
    let mut closing: futures_util::stream::FuturesUnordered<_> = sockets
        .into_iter()
        .map(|mut socket| async move { (closes(&mut socket).await, socket) })
        .collect();
    let closed = held + 1 - limit;
    for _ in 0..closed {
        let (was_closed, _) =
            tokio::time::timeout(std::time::Duration::from_secs(60), closing.next())
                .await
                .expect("the emulator closed idle connections to make room")
                .unwrap();
        assert!(was_closed);
    }
    assert_eq!(emulator.open_connections(), limit);
    assert!(
        futures_util::FutureExt::now_or_never(closing.next()).is_none(),
        "no more were closed than needed"
    );
    // The client's connection, the newest, was kept: a second request goes through too.
    client.records().get_records(1u64).send().await.unwrap();
}

/// A connection with nothing to say used to stay open forever; it is closed after the idle
/// timeout now, while a request that runs longer than that is not cut.
#[tokio::test(start_paused = true)]
async fn a_silent_connection_is_closed_after_the_idle_timeout() {
    let idle = std::time::Duration::from_secs(10);
    let (emulator, client) = emulator_with(|b| {
        b.idle_timeout(idle)
            .header_read_timeout(std::time::Duration::from_secs(3600))
    })
    .await;
    let mut silent = tokio::net::TcpStream::connect(emulator.address())
        .await
        .unwrap();
    let start = tokio::time::Instant::now();
    let closed = tokio::time::timeout(std::time::Duration::from_secs(7200), closes(&mut silent))
        .await
        .expect("the silent connection is closed");
    assert!(closed);
    assert_eq!(start.elapsed(), idle);
    assert_eq!(emulator.open_connections(), 0);

    // A request held three idle timeouts long is answered all the same.
    let gate = kintone_emulator::Gate::new();
    emulator.inject(Failure::hold(&gate).times(1));
    let held = tokio::spawn(async move { client.records().get_records(1u64).send().await });
    gate.reached(1).await;
    tokio::time::sleep(idle * 3).await;
    gate.open();
    held.await.unwrap().expect("a running request is not idle");
}

/// A client sending its request's head a byte at a time, never silent long enough to be idle,
/// used to hold its connection forever; the header read timeout closes it now.
#[tokio::test(start_paused = true)]
async fn a_head_sent_a_byte_at_a_time_is_cut_at_the_header_read_timeout() {
    use tokio::io::AsyncWriteExt;
    let idle = std::time::Duration::from_secs(10);
    let header = std::time::Duration::from_secs(30);
    let (emulator, _) = emulator_with(|b| b.idle_timeout(idle).header_read_timeout(header)).await;
    let socket = tokio::net::TcpStream::connect(emulator.address())
        .await
        .unwrap();
    let (mut reader, mut writer) = socket.into_split();
    let start = tokio::time::Instant::now();
    let closed_at = tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 64];
        while let Ok(n) = reader.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
        tokio::time::Instant::now()
    });
    let head = b"GET /k/v1/records.json?app=1 HTTP/1.1\r\nHost: x\r\nX-Cybozu-API-Token: TOKEN\r\n";
    for byte in head {
        if closed_at.is_finished() {
            break;
        }
        // Each byte well within the idle timeout.
        if writer.write_all(&[*byte]).await.is_err() {
            break;
        }
        tokio::time::sleep(idle / 2).await;
    }
    assert!(closed_at.is_finished(), "the connection is still open");
    let closed_after = closed_at.await.unwrap() - start;
    assert!(
        closed_after >= header && closed_after < header + idle / 2,
        "closed after {closed_after:?}"
    );
}

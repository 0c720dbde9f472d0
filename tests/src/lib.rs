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

/// The app every emulator test uses (id 1), with one field of each common type and a process.
pub fn orders_app() -> kintone_emulator::AppSeed {
    use kintone_emulator::{AppSeed, FieldSeed, FieldType};
    let mut lines = FieldSeed::new("Lines", FieldType::Subtable);
    lines.fields = vec![
        FieldSeed::new("Item", FieldType::SingleLineText),
        FieldSeed::new("Qty", FieldType::Number),
    ];
    AppSeed::new(1, "Orders")
        .field(FieldSeed::new("Title", FieldType::SingleLineText).required())
        .field(FieldSeed::new("Code", FieldType::SingleLineText).unique())
        .field(FieldSeed::new("Amount", FieldType::Number))
        .field(FieldSeed::new("Kind", FieldType::DropDown).options(["A", "B", "C"]))
        .field(FieldSeed::new("Tags", FieldType::CheckBox).options(["red", "green", "blue"]))
        .field(FieldSeed::new("Due", FieldType::Date))
        .field(FieldSeed::new("When", FieldType::Datetime))
        .field(FieldSeed::new("Owner", FieldType::UserSelect))
        .field(FieldSeed::new("Attachment", FieldType::File))
        .field(lines)
        .process(
            &["Draft", "Review", "Done"],
            &[("Submit", "Draft", "Review"), ("Approve", "Review", "Done")],
        )
}

/// An emulator with [`orders_app`], a full-permission token `TOKEN`, a view-only token `VIEW`
/// and a user `sato`/`pw`; and a client with the full token.
pub async fn emulator_and_client() -> (kintone_emulator::Emulator, Client) {
    emulator_with(|builder| builder).await
}

/// The same as [`emulator_and_client`], with settings of the test's own (TTLs, limits, …).
pub async fn emulator_with(
    configure: impl FnOnce(kintone_emulator::EmulatorBuilder) -> kintone_emulator::EmulatorBuilder,
) -> (kintone_emulator::Emulator, Client) {
    emulator_of(orders_app(), configure).await
}

/// The same as [`emulator_with`], with `login` managing app 1 (kintone's app management: it
/// may change the app's settings and deploy them), as the user of a settings test.
pub async fn emulator_managed_by(
    login: &str,
    configure: impl FnOnce(kintone_emulator::EmulatorBuilder) -> kintone_emulator::EmulatorBuilder,
) -> (kintone_emulator::Emulator, Client) {
    emulator_of(orders_app().manager(login), configure).await
}

/// The same as [`emulator_with`], with app 1 seeded as given.
async fn emulator_of(
    app: kintone_emulator::AppSeed,
    configure: impl FnOnce(kintone_emulator::EmulatorBuilder) -> kintone_emulator::EmulatorBuilder,
) -> (kintone_emulator::Emulator, Client) {
    use kintone_emulator::{Emulator, Permissions};
    let builder = Emulator::builder()
        .app(app)
        .api_token("TOKEN", 1, Permissions::ALL)
        .api_token("VIEW", 1, Permissions::VIEW)
        .user("sato", "pw");
    let emulator = configure(builder)
        .start()
        .await
        .expect("the emulator starts");
    let client = Client::builder(emulator.base_url())
        .api_token("TOKEN")
        .build()
        .expect("client builds");
    (emulator, client)
}

/// A client signed in to the emulator with a login name and password.
pub fn signed_in(emulator: &kintone_emulator::Emulator, login: &str, password: &str) -> Client {
    Client::builder(emulator.base_url())
        .password(login, password)
        .build()
        .expect("client builds")
}

/// The same as [`emulator_and_client`], with the client signed in as `sato`, who manages app 1
/// (kintone's app management: changing its settings and deploying them).
pub async fn emulator_and_user() -> (kintone_emulator::Emulator, Client) {
    let (emulator, _) = emulator_managed_by("sato", |builder| builder).await;
    let client = signed_in(&emulator, "sato", "pw");
    (emulator, client)
}

/// Deploys an app's pre-live settings and follows the deploy to its end, which must succeed.
pub async fn deploy(client: &Client, app: u64) {
    let outcome = client
        .deploy_and_wait([app])
        .wait_with(|_| std::future::ready(()))
        .send()
        .await
        .expect("the deploy is followed to its end");
    assert!(outcome.succeeded(), "{outcome:?}");
}

/// An error's HTTP status and kintone code, to compare in one assertion.
pub fn status_and_code(err: &kintone_api::Error) -> (Option<u16>, Option<&str>) {
    (err.status().map(|s| s.as_u16()), err.code())
}

/// A record input with a title and extra text fields.
pub fn record(title: &str, fields: &[(&str, kintone_api::FieldInput)]) -> kintone_api::RecordInput {
    let mut r = kintone_api::RecordInput::from([(
        "Title".to_string(),
        kintone_api::FieldInput::single_line_text(title),
    )]);
    for (code, value) in fields {
        r.insert(code.to_string(), value.clone());
    }
    r
}

/// The bundled spec (`spec/kintone.bundled.yaml`) as JSON, read once per test binary.
pub fn bundled_spec() -> &'static serde_json::Value {
    static SPEC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/kintone.bundled.yaml");
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).expect("the bundle is YAML")
    })
}

/// The example 200 answer the spec gives an operation (through a shared response too): the
/// documented answer.
pub fn spec_example(operation_id: &str) -> serde_json::Value {
    let doc = bundled_spec();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if op["operationId"] == operation_id {
                let ok = &op["responses"]["200"];
                let ok = match ok.get("$ref").and_then(serde_json::Value::as_str) {
                    Some(r) => &doc["components"]["responses"][r.rsplit('/').next().unwrap()],
                    None => ok,
                };
                return ok["content"]["application/json"]["example"].clone();
            }
        }
    }
    panic!("no operation {operation_id} in the bundle")
}

/// The spec's example answer of `R` decodes into `R::Response`, and reads back the same.
pub fn decodes<R>() -> R::Response
where
    R: kintone_api::Operation,
    R::Response: serde::de::DeserializeOwned + serde::Serialize,
{
    let example = spec_example(R::ID);
    let decoded: R::Response = serde_json::from_value(example.clone())
        .unwrap_or_else(|e| panic!("{}: the spec's example does not decode: {e}", R::ID));
    let again = serde_json::to_value(&decoded).unwrap();
    for (key, value) in example.as_object().unwrap() {
        assert_eq!(&again[key], value, "{}: {key} read back differently", R::ID);
    }
    decoded
}

/// Sends a POST request's line and headers, no body, to the emulator over a fresh socket.
pub async fn send_head(
    emulator: &kintone_emulator::Emulator,
    path: &str,
    headers: &[(&str, String)],
) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut socket = tokio::net::TcpStream::connect(emulator.address())
        .await
        .unwrap();
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: {}\r\n", emulator.address());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    socket.write_all(head.as_bytes()).await.unwrap();
    socket
}

/// The status line and headers of the answer on `socket` (lowercase names), read up to the
/// blank line; `None` if the connection closed first.
pub async fn read_answer_head(socket: &mut tokio::net::TcpStream) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&head).to_ascii_lowercase())
}

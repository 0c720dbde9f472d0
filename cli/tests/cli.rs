//! The `kintone` binary end to end, against an emulator started by each test.

use std::path::Path;
use std::process::Output;

use kintone_api::{AppDefinition, Client};
use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType, Permissions};
use serde_json::{json, Value};

const SOURCE_TOKEN: &str = "source-token-5bd1";
const TARGET_TOKEN: &str = "target-token-9c2e";

/// An app with a field of every type the command line reads and writes, and a table.
fn everything_app(id: u64) -> AppSeed {
    let lines = FieldSeed::new("Lines", FieldType::Subtable).fields([
        FieldSeed::new("Item", FieldType::SingleLineText),
        FieldSeed::new("Qty", FieldType::Number),
        FieldSeed::new("Photo", FieldType::File),
    ]);
    AppSeed::new(id, "Everything")
        .field(FieldSeed::new("Title", FieldType::SingleLineText))
        .field(FieldSeed::new("Code", FieldType::SingleLineText).unique())
        .field(FieldSeed::new("Notes", FieldType::MultiLineText))
        .field(FieldSeed::new("Body", FieldType::RichText))
        .field(FieldSeed::new("Site", FieldType::Link))
        .field(FieldSeed::new("Amount", FieldType::Number))
        .field(FieldSeed::new("Double", FieldType::Calc).expression("Amount * 2"))
        .field(FieldSeed::new("Tags", FieldType::CheckBox).options(["red", "green", "blue"]))
        .field(FieldSeed::new("Size", FieldType::RadioButton).options(["S", "M", "L"]))
        .field(FieldSeed::new("Kind", FieldType::DropDown).options(["A", "B"]))
        .field(FieldSeed::new("Many", FieldType::MultiSelect).options(["x", "y", "z"]))
        .field(FieldSeed::new("Attachment", FieldType::File))
        .field(FieldSeed::new("Due", FieldType::Date))
        .field(FieldSeed::new("At", FieldType::Time))
        .field(FieldSeed::new("When", FieldType::Datetime))
        .field(FieldSeed::new("Owner", FieldType::UserSelect))
        .field(FieldSeed::new("Dept", FieldType::OrganizationSelect))
        .field(FieldSeed::new("Team", FieldType::GroupSelect))
        .field(lines)
}

/// An emulator with the source app 1 and an empty app 2 of the same form.
async fn two_apps() -> Emulator {
    Emulator::builder()
        .app(everything_app(1))
        .app(everything_app(2))
        .api_token(SOURCE_TOKEN, 1, Permissions::ALL)
        .api_token(TARGET_TOKEN, 2, Permissions::ALL)
        .user("sato", "pw")
        .user("tanaka", "pw")
        .organization("dev", "Development")
        .group("admins", "Administrators")
        .start()
        .await
        .expect("the emulator starts")
}

fn client(emulator: &Emulator, token: &str) -> Client {
    Client::builder(emulator.base_url())
        .api_token(token)
        .build()
        .unwrap()
}

/// Runs `kintone` with these arguments, in a clean environment, off the test's runtime.
async fn kintone(args: &[&str]) -> Output {
    kintone_with(args, &[], None).await
}

async fn kintone_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let stdin = stdin.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut command = Command::new(env!("CARGO_BIN_EXE_kintone"));
        command.args(&args);
        for (key, _) in std::env::vars() {
            if key.starts_with("KINTONE_") || key.ends_with("_PROXY") || key.ends_with("_proxy") {
                command.env_remove(key);
            }
        }
        command.envs(env);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the binary runs");
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[track_caller]
fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        stdout(output),
        stderr(output)
    );
}

fn connection<'a>(emulator_url: &'a str, token: &'a str) -> Vec<&'a str> {
    vec!["--base-url", emulator_url, "--api-token", token]
}

/// `kintone ARGS --base-url URL --api-token TOKEN`.
async fn kintone_as(url: &str, token: &str, args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend(connection(url, token));
    kintone(&all).await
}

/// `record import --app APP --file-path FILE`, then `extra`.
fn import<'a>(app: &'a str, file: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["record", "import", "--app", app];
    args.extend(["--file-path", file.to_str().unwrap()]);
    args.extend(extra);
    args
}

/// The login of the emulators' administrator, with the domain.
fn as_administrator(url: &str) -> [&str; 6] {
    [
        "--base-url",
        url,
        "--username",
        "Administrator",
        "--password",
        "admin",
    ]
}

fn administrator(emulator: &Emulator) -> Client {
    Client::builder(emulator.base_url())
        .password("Administrator", "admin")
        .build()
        .unwrap()
}

/// Uploads a file and gives its key.
async fn upload(client: &Client, name: &str, contents: &str) -> String {
    let part = kintone_api::FilePart::new(name, contents.as_bytes().to_vec());
    client
        .send(kintone_api::types::UploadFileRequest::new(part))
        .await
        .unwrap()
        .into_body()
        .file_key
}

/// Three records: every type filled with a two-row table and files, one with quotes and line
/// breaks and no table rows, one nearly empty.
async fn seed_source(emulator: &Emulator) {
    let source = client(emulator, SOURCE_TOKEN);
    let report = upload(&source, "report.txt", "quarterly").await;
    let second = upload(&source, "report.txt", "again").await;
    let photo = upload(&source, "photo.png", "png bytes").await;
    emulator
        .insert_records(
            1,
            vec![
                json!({
                    "Title": {"value": "First"},
                    "Code": {"value": "C-1"},
                    "Notes": {"value": "line one\nline two"},
                    "Body": {"value": "<b>bold</b>"},
                    "Site": {"value": "https://example.com/a"},
                    "Amount": {"value": "12.5"},
                    "Tags": {"value": ["red", "blue"]},
                    "Size": {"value": "M"},
                    "Kind": {"value": "B"},
                    "Many": {"value": ["x", "z"]},
                    "Attachment": {"value": [{"fileKey": report}, {"fileKey": second}]},
                    "Due": {"value": "2024-03-01"},
                    "At": {"value": "09:30"},
                    "When": {"value": "2024-03-01T00:30:00Z"},
                    "Owner": {"value": [{"code": "sato"}, {"code": "tanaka"}]},
                    "Dept": {"value": [{"code": "dev"}]},
                    "Team": {"value": [{"code": "admins"}]},
                    "Lines": {"value": [
                        {"value": {"Item": {"value": "bolt"}, "Qty": {"value": "3"}, "Photo": {"value": [{"fileKey": photo}]}}},
                        {"value": {"Item": {"value": "nut, hex"}, "Qty": {"value": "10"}, "Photo": {"value": []}}}
                    ]}
                }),
                json!({
                    "Title": {"value": "say \"hi\", then go"},
                    "Code": {"value": "C-2"},
                    "Notes": {"value": "*"},
                    "Amount": {"value": "-7"},
                    "Lines": {"value": []}
                }),
                json!({"Code": {"value": "C-3"}, "Notes": {"value": "crlf\r\nline"}}),
            ],
        )
        .unwrap();
}

/// Every record of an app as comparable JSON: the fields a user writes, files by name and
/// contents, table rows without their ids.
async fn user_values(client: &Client, app: u64) -> Vec<Value> {
    use futures_util::StreamExt;
    let mut records = client.record_stream(app).raw();
    let mut out = Vec::new();
    while let Some(record) = records.next().await {
        let record: Value = serde_json::from_str(record.unwrap().json()).unwrap();
        let mut fields = serde_json::Map::new();
        for (code, field) in record.as_object().unwrap() {
            let kind = field["type"].as_str().unwrap();
            if matches!(
                kind,
                "__ID__"
                    | "__REVISION__"
                    | "RECORD_NUMBER"
                    | "CREATOR"
                    | "MODIFIER"
                    | "CREATED_TIME"
                    | "UPDATED_TIME"
                    | "STATUS"
                    | "STATUS_ASSIGNEE"
                    | "CATEGORY"
            ) {
                continue;
            }
            fields.insert(code.clone(), comparable(client, field).await);
        }
        out.push(Value::Object(fields));
    }
    out.sort_by_key(|r| r["Code"].to_string());
    out
}

async fn comparable(client: &Client, field: &Value) -> Value {
    match field["type"].as_str().unwrap() {
        "FILE" => {
            let mut files = Vec::new();
            for file in field["value"].as_array().unwrap() {
                let body = client
                    .send(kintone_api::types::DownloadFileRequest::new(
                        file["fileKey"].as_str().unwrap(),
                    ))
                    .await
                    .unwrap()
                    .into_body();
                // Export numbers a second file of the same name (`a (1).txt`), and import
                // uploads the file under its local name, as cli-kintone does.
                let name = file["name"].as_str().unwrap().replace(" (1)", "");
                files.push(json!([name, String::from_utf8_lossy(body.bytes())]));
            }
            Value::Array(files)
        }
        "SUBTABLE" => {
            let mut rows = Vec::new();
            for row in field["value"].as_array().unwrap() {
                let mut cells = serde_json::Map::new();
                for (code, inner) in row["value"].as_object().unwrap() {
                    cells.insert(code.clone(), Box::pin(comparable(client, inner)).await);
                }
                rows.push(Value::Object(cells));
            }
            Value::Array(rows)
        }
        _ => field["value"].clone(),
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// cli-kintone's CSV, written by hand from its rules: a `*` column and a record's first line
/// marked; a table's column holding the row id, its fields after it, one line per row; the other
/// fields repeated on each row; every value quoted (quotes doubled) but empty ones and a lone
/// `*`; multi-valued fields one value a line; `\n` after every line.
fn expected_csv(row_ids: [&str; 2]) -> String {
    format!(
        concat!(
            "*,\"Record_number\",\"Title\",\"Notes\",\"Tags\",\"Owner\",\"Lines\",\"Item\",\"Qty\",\"Amount\"\n",
            "*,\"1\",\"First\",\"line one\nline two\",\"red\nblue\",\"sato\ntanaka\",\"{}\",\"bolt\",\"3\",\"12.5\"\n",
            ",\"1\",\"First\",\"line one\nline two\",\"red\nblue\",\"sato\ntanaka\",\"{}\",\"nut, hex\",\"10\",\"12.5\"\n",
            "*,\"2\",\"say \"\"hi\"\", then go\",*,,,,,,\"-7\"\n",
            "*,\"3\",,\"crlf\r\nline\",,,,,,\n",
        ),
        row_ids[0], row_ids[1]
    )
}

const CHOSEN: &str = "Record_number,Title,Notes,Tags,Owner,Lines,Item,Qty,Amount";

#[tokio::test(flavor = "multi_thread")]
async fn csv_export_is_cli_kintone_s_format_byte_for_byte() {
    let emulator = two_apps().await;
    seed_source(&emulator).await;
    let url = emulator.base_url();
    let args = ["record", "export", "--app", "1", "--fields", CHOSEN];
    let output = kintone_as(&url, SOURCE_TOKEN, &args).await;
    assert_success(&output);
    let ids = row_ids_of(&emulator, SOURCE_TOKEN, 1).await;
    assert_eq!(stdout(&output), expected_csv([&ids[0], &ids[1]]));
}

#[tokio::test(flavor = "multi_thread")]
async fn export_then_import_copies_every_field_type_and_table() {
    let emulator = two_apps().await;
    seed_source(&emulator).await;
    let url = emulator.base_url();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("records.csv");
    let files = dir.path().join("files");
    let (csv_arg, files_arg) = (csv.to_str().unwrap(), files.to_str().unwrap());
    let mut export = vec!["record", "export", "--app", "1", "--output", csv_arg];
    export.extend(["--attachments-dir", files_arg]);
    export.extend(connection(&url, SOURCE_TOKEN));
    assert_success(&kintone(&export).await);
    // Two files of one name in one field: the second is numbered.
    assert_eq!(read(&files.join("Attachment-1/report.txt")), b"quarterly");
    assert_eq!(read(&files.join("Attachment-1/report (1).txt")), b"again");
    assert_eq!(read(&files.join("Photo-1-0/photo.png")), b"png bytes");

    let with_files = ["--attachments-dir", files_arg];
    let output = kintone_as(&url, TARGET_TOKEN, &import("2", &csv, &with_files)).await;
    assert_success(&output);
    let source = user_values(&client(&emulator, SOURCE_TOKEN), 1).await;
    let target = user_values(&client(&emulator, TARGET_TOKEN), 2).await;
    assert_eq!(source.len(), 3);
    assert_eq!(source, target);

    // The same through JSON Lines: kintone's own JSON, attachments saved in the same folders.
    let delete = ["record", "delete", "--app", "2", "--yes"];
    assert_success(&kintone_as(&url, TARGET_TOKEN, &delete).await);
    let jsonl = dir.path().join("records.jsonl");
    let jsonl_files = dir.path().join("jsonl-files");
    let jsonl_files_arg = jsonl_files.to_str().unwrap();
    let mut export = vec!["record", "export", "--app", "1", "--format", "jsonl"];
    export.extend(["--output", jsonl.to_str().unwrap()]);
    export.extend(["--attachments-dir", jsonl_files_arg]);
    export.extend(connection(&url, SOURCE_TOKEN));
    assert_success(&kintone(&export).await);
    let lines = std::fs::read_to_string(&jsonl).unwrap();
    assert_eq!(lines.lines().count(), 3);
    let first: Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(
        first["Lines"]["value"][1]["value"]["Item"]["value"],
        "nut, hex"
    );
    assert_eq!(
        read(&jsonl_files.join("Attachment-1/report (1).txt")),
        b"again"
    );
    let with_files = ["--attachments-dir", jsonl_files_arg];
    let output = kintone_as(&url, TARGET_TOKEN, &import("2", &jsonl, &with_files)).await;
    assert_success(&output);
    let target = user_values(&client(&emulator, TARGET_TOKEN), 2).await;
    assert_eq!(source, target);
}

/// A form of only text fields, so that a row is easy to write by hand.
async fn keyed_app() -> Emulator {
    keyed_app_with(Emulator::builder()).await
}

/// The keyed app in an emulator built from `builder`.
async fn keyed_app_with(builder: kintone_emulator::EmulatorBuilder) -> Emulator {
    builder
        .app(
            AppSeed::new(1, "Keyed")
                .field(FieldSeed::new("Code", FieldType::SingleLineText).unique())
                .field(FieldSeed::new("Title", FieldType::SingleLineText)),
        )
        .api_token(SOURCE_TOKEN, 1, Permissions::ALL)
        .start()
        .await
        .unwrap()
}

/// A CSV of the keyed app's form with `rows` rows: `K0`, `row 0`, and so on.
fn write_keyed_rows(path: &Path, rows: usize) {
    let mut text = String::from("\"Code\",\"Title\"\n");
    for i in 0..rows {
        text.push_str(&format!("\"K{i}\",\"row {i}\"\n"));
    }
    std::fs::write(path, text).unwrap();
}

/// The keyed app's codes, in order.
async fn codes(emulator: &Emulator) -> Vec<String> {
    titles_by_code(&client(emulator, SOURCE_TOKEN))
        .await
        .into_iter()
        .map(|(code, _)| code)
        .collect()
}

async fn titles_by_code(client: &Client) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = user_values(client, 1)
        .await
        .into_iter()
        .map(|r| {
            (
                r["Code"].as_str().unwrap().to_string(),
                r["Title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn update_key_updates_existing_keys_and_adds_new_and_empty_ones() {
    let emulator = keyed_app().await;
    emulator
        .insert_records(
            1,
            vec![
                json!({"Code": {"value": "A"}, "Title": {"value": "old a"}}),
                json!({"Code": {"value": "B"}, "Title": {"value": "old b"}}),
            ],
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("upsert.csv");
    std::fs::write(
        &csv,
        "\"Code\",\"Title\"\n\"A\",\"new a\"\n\"C\",\"new c\"\n,\"no key\"\n",
    )
    .unwrap();
    let url = emulator.base_url();
    let by_code = import("1", &csv, &["--update-key", "Code"]);
    assert_success(&kintone_as(&url, SOURCE_TOKEN, &by_code).await);
    assert_eq!(
        titles_by_code(&client(&emulator, SOURCE_TOKEN)).await,
        [
            ("".into(), "no key".into()),
            ("A".into(), "new a".into()),
            ("B".into(), "old b".into()),
            ("C".into(), "new c".into()),
        ]
    );
    // By record number: 1 exists and is updated, 99 does not and is added.
    std::fs::write(
        &csv,
        "\"Record_number\",\"Title\"\n\"1\",\"by number\"\n\"99\",\"added\"\n",
    )
    .unwrap();
    let by_number = import("1", &csv, &["--update-key", "Record_number"]);
    assert_success(&kintone_as(&url, SOURCE_TOKEN, &by_number).await);
    assert_eq!(emulator.record_count(1), 5);
    let titles = titles_by_code(&client(&emulator, SOURCE_TOKEN)).await;
    assert!(
        titles.contains(&("A".into(), "by number".into())),
        "{titles:?}"
    );
    assert!(titles.contains(&("".into(), "added".into())), "{titles:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_rows_are_reported_with_their_lines_and_nothing_is_sent() {
    let emulator = two_apps().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bad.csv");
    std::fs::write(
        &csv,
        "\"Title\",\"Amount\",\"Kind\",\"Nope\"\n\"ok\",\"1\",\"A\",\n\"x\",\"many\",\"A\",\n\"y\",\"2\",\"Z\",\n",
    )
    .unwrap();
    let url = emulator.base_url();
    emulator.clear_requests();
    let output = kintone_as(&url, TARGET_TOKEN, &import("2", &csv, &[])).await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.contains("line 2: the app has no field Nope"),
        "{message}"
    );
    assert!(
        message.contains("line 3: Amount: \"many\" is not a number"),
        "{message}"
    );
    assert!(
        message.contains("line 4: Kind: \"Z\" is not one of its options"),
        "{message}"
    );
    assert!(
        emulator.requests().iter().all(|r| r.method == "GET"),
        "only the form was read"
    );
    assert_eq!(emulator.record_count(2), 0);
}

/// Every row is checked before anything is sent, however many are bad: the error lists the
/// first hundred problems with their lines and counts the others; `--skip-invalid` imports the
/// good rows and names each bad one.
#[tokio::test(flavor = "multi_thread")]
async fn many_bad_rows_are_counted_and_skip_invalid_imports_the_others() {
    let emulator = two_apps().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("mixed.csv");
    let mut text = String::from("\"Title\",\"Amount\"\n");
    for i in 0..450 {
        // Every third row's amount is no number.
        let amount = if i % 3 == 0 {
            "many".to_string()
        } else {
            i.to_string()
        };
        text.push_str(&format!("\"row {i}\",\"{amount}\"\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let url = emulator.base_url();
    let mut args = import("2", &csv, &[]);
    args.extend(connection(&url, TARGET_TOKEN));
    emulator.clear_requests();
    let output = kintone(&args).await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("150 problem(s)"), "{message}");
    assert!(
        message.contains("line 2: Amount: \"many\" is not a number"),
        "{message}"
    );
    assert!(message.contains("; and 50 more"), "{message}");
    assert_eq!(message.matches("is not a number").count(), 100);
    assert!(emulator.requests().iter().all(|r| r.method == "GET"));
    assert!(!dir.path().join("mixed.csv.checkpoint.json").exists());

    args.push("--skip-invalid");
    let output = kintone(&args).await;
    assert_success(&output);
    let log = stderr(&output);
    let skipped = log
        .lines()
        .filter(|l| l.starts_with("skipped: line "))
        .count();
    assert_eq!(skipped, 150, "{log}");
    assert_eq!(emulator.record_count(2), 300);
}

fn bulk_requests(emulator: &Emulator) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.path == "/k/v1/bulkRequest.json")
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_stopped_in_its_third_bulk_request_resumes_with_no_duplicate_and_no_gap() {
    use kintone_emulator::Failure;
    let emulator = keyed_app_with(Emulator::builder().log_max_requests(100)).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("big.csv");
    write_keyed_rows(&csv, 10_000);
    let url = emulator.base_url();
    // Unbroken, 10,000 rows are 5 bulk requests of 20 operations of 100 records.
    let copy = dir.path().join("copy.csv");
    std::fs::copy(&csv, &copy).unwrap();
    assert_success(&kintone_as(&url, SOURCE_TOKEN, &import("1", &copy, &[])).await);
    assert_eq!(bulk_requests(&emulator), 5);
    assert_eq!(emulator.record_count(1), 10_000);
    let delete = ["record", "delete", "--app", "1", "--yes"];
    assert_success(&kintone_as(&url, SOURCE_TOKEN, &delete).await);
    assert_eq!(emulator.record_count(1), 0);
    emulator.clear_requests();

    // The first two bulk requests pass; the third fails as kintone fails.
    let bulk = "/k/v1/bulkRequest.json";
    emulator.inject(
        Failure::delay(std::time::Duration::ZERO)
            .times(2)
            .path(bulk),
    );
    let failure = json!({"id": "x", "code": "GAIA_TE01", "message": "try later"});
    emulator.inject(Failure::json(500, failure).path(bulk));
    let mut args = import("1", &csv, &[]);
    args.extend(connection(&url, SOURCE_TOKEN));
    let stopped = kintone(&args).await;
    assert_eq!(stopped.status.code(), Some(1), "{}", stderr(&stopped));
    assert!(
        stderr(&stopped).contains("--resume"),
        "{}",
        stderr(&stopped)
    );
    assert_eq!(emulator.record_count(1), 4_000);
    assert_eq!(bulk_requests(&emulator), 3);
    let checkpoint = dir.path().join("big.csv.checkpoint.json");
    assert!(checkpoint.exists());

    // The same command again would write the first records twice: it is refused.
    let again = kintone(&args).await;
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));

    args.push("--resume");
    emulator.clear_requests();
    assert_success(&kintone(&args).await);
    assert_eq!(
        bulk_requests(&emulator),
        3,
        "the failed request and the two never sent"
    );
    assert!(!checkpoint.exists());
    let mut expected: Vec<String> = (0..10_000).map(|i| format!("K{i}")).collect();
    expected.sort();
    assert_eq!(codes(&emulator).await, expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn shift_jis_is_written_and_read() {
    let emulator = keyed_app().await;
    emulator
        .insert_records(
            1,
            vec![json!({"Code": {"value": "受注"}, "Title": {"value": "番号"}})],
        )
        .unwrap();
    let url = emulator.base_url();
    let args = ["record", "export", "--app", "1", "--fields", "Code,Title"];
    let output = kintone_as(
        &url,
        SOURCE_TOKEN,
        &[&args[..], &["--encoding", "sjis"]].concat(),
    )
    .await;
    assert_success(&output);
    // 受注 and 番号 in Shift_JIS.
    assert_eq!(
        output.stdout,
        b"\"Code\",\"Title\"\n\"\x8e\xf3\x92\x8d\",\"\x94\xd4\x8d\x86\"\n".to_vec()
    );
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("sjis.csv");
    std::fs::write(
        &csv,
        b"\"Code\",\"Title\"\n\"\x94\xd4\x8d\x86\",\"\x8e\xf3\x92\x8d\"\n",
    )
    .unwrap();
    let sjis = import("1", &csv, &["--encoding", "sjis"]);
    assert_success(&kintone_as(&url, SOURCE_TOKEN, &sjis).await);
    assert!(titles_by_code(&client(&emulator, SOURCE_TOKEN))
        .await
        .contains(&("番号".into(), "受注".into())));
    // Read as UTF-8, the same bytes are refused with what to do.
    let output = kintone_as(&url, SOURCE_TOKEN, &import("1", &csv, &[])).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("--encoding sjis"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_import_reads_cli_kintone_s_format() {
    let emulator = two_apps().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("in.csv");
    // Row ids of another app, a record number and a lone `*` value, as an export holds them.
    std::fs::write(&csv, expected_csv(["901", "902"])).unwrap();
    let url = emulator.base_url();
    assert_success(&kintone_as(&url, TARGET_TOKEN, &import("2", &csv, &[])).await);
    let export = ["record", "export", "--app", "2", "--fields", CHOSEN];
    let output = kintone_as(&url, TARGET_TOKEN, &export).await;
    assert_success(&output);
    let ids = row_ids_of(&emulator, TARGET_TOKEN, 2).await;
    assert_eq!(stdout(&output), expected_csv([&ids[0], &ids[1]]));
}

/// The ids kintone gave the two table rows of an app's first record (read raw: the emulator
/// answers `null` for an unset radio button, which the typed record does not take).
async fn row_ids_of(emulator: &Emulator, token: &str, app: u64) -> [String; 2] {
    use futures_util::StreamExt;
    let mut records = client(emulator, token).record_stream(app).raw();
    let first = records.next().await.unwrap().unwrap();
    let record: Value = serde_json::from_str(first.json()).unwrap();
    let lines = record["Lines"]["value"].clone();
    [0, 1].map(|i| match &lines[i]["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_takes_a_condition_or_a_file_and_asks_first() {
    let emulator = keyed_app().await;
    let seed: Vec<Value> = ["A", "B", "C", "D"]
        .iter()
        .map(|c| json!({"Code": {"value": c}, "Title": {"value": "t"}}))
        .collect();
    emulator.insert_records(1, seed).unwrap();
    let url = emulator.base_url();
    let mut args = vec![
        "record",
        "delete",
        "--app",
        "1",
        "--condition",
        "Code = \"A\"",
    ];
    args.extend(connection(&url, SOURCE_TOKEN));
    // Not at a terminal and no --yes: nothing is asked, nothing deleted.
    let refused = kintone(&args).await;
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert_eq!(emulator.record_count(1), 4);
    args.push("--yes");
    let output = kintone(&args).await;
    assert_success(&output);
    assert!(
        stderr(&output).contains("deleted 1 records of app 1"),
        "{}",
        stderr(&output)
    );
    assert_eq!(emulator.record_count(1), 3);

    let dir = tempfile::tempdir().unwrap();
    let ids = dir.path().join("ids.csv");
    std::fs::write(
        &ids,
        "\"Record_number\",\"Code\"\n\"2\",\"B\"\n\"3\",\"C\"\n",
    )
    .unwrap();
    let by_file = ["record", "delete", "--app", "1", "--yes", "--file-path"];
    let args = [&by_file[..], &[ids.to_str().unwrap()]].concat();
    assert_success(&kintone_as(&url, SOURCE_TOKEN, &args).await);
    assert_eq!(
        titles_by_code(&client(&emulator, SOURCE_TOKEN)).await,
        [("D".into(), "t".into())]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2_and_kintone_errors_exit_1_in_one_line() {
    let emulator = keyed_app().await;
    let url = emulator.base_url();
    // No --app.
    let output = kintone(&["record", "export", "--base-url", &url, "--api-token", "x"]).await;
    assert_eq!(output.status.code(), Some(2));
    // No authentication at all.
    let output = kintone(&["record", "export", "--app", "1", "--base-url", &url]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no authentication"),
        "{}",
        stderr(&output)
    );
    // A token kintone does not know: kintone's code and message, and what to do.
    let wrong = "wrong-token-77f3";
    let output = kintone(&[
        "record",
        "export",
        "--app",
        "1",
        "--base-url",
        &url,
        "--api-token",
        wrong,
    ])
    .await;
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.starts_with("error: GAIA_IA02 (HTTP 400)"),
        "{message}"
    );
    assert!(message.contains("--api-token"), "{message}");
    assert!(!message.contains(wrong), "{message}");
    // Help and version exit 0.
    assert_success(&kintone(&["record", "export", "--help"]).await);
    assert!(stdout(&kintone(&["--version"]).await).starts_with("kintone "));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_shows_in_verbose_traces_or_errors() {
    let emulator = Emulator::builder()
        .app(AppSeed::new(1, "A").field(FieldSeed::new("Title", FieldType::SingleLineText)))
        .user("sato", "hunter2-secret")
        .start()
        .await
        .unwrap();
    let url = emulator.base_url();
    // The password from standard input, the front-door password and the rest from the
    // environment; a verbose run that succeeds.
    let env = [
        ("KINTONE_BASE_URL", url.as_str()),
        ("KINTONE_USERNAME", "sato"),
        ("KINTONE_BASIC_AUTH_USERNAME", "door"),
        ("KINTONE_BASIC_AUTH_PASSWORD", "door-secret-31"),
    ];
    let args = [
        "--verbose",
        "record",
        "export",
        "--app",
        "1",
        "--password-stdin",
    ];
    let output = kintone_with(&args, &env, Some("hunter2-secret\n")).await;
    assert_success(&output);
    let traces = stderr(&output);
    assert!(traces.contains("kintone_request"), "{traces}");
    // The password header is base64 of `sato:hunter2-secret`.
    for secret in ["hunter2-secret", "door-secret-31", "c2F0bzpodW50ZXIy"] {
        assert!(!traces.contains(secret), "{secret} in {traces}");
    }
    // A wrong password, a proxy with credentials that cannot be reached: errors only.
    let output = kintone_with(
        &[
            "--verbose",
            "record",
            "export",
            "--app",
            "1",
            "--password",
            "wrong-pass-123",
        ],
        &env,
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("CB_WA01"), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("wrong-pass-123"),
        "{}",
        stderr(&output)
    );
    let output = kintone_with(
        &[
            "record",
            "export",
            "--app",
            "1",
            "--password",
            "p",
            "--proxy",
            "http://u:proxy-secret-9@127.0.0.1:9",
        ],
        &env,
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("proxy-secret-9"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn completion_scripts_name_the_commands() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = kintone(&["completion", shell]).await;
        assert_success(&output);
        let script = stdout(&output);
        assert!(
            script.contains("export") && script.contains("update-key"),
            "{shell}"
        );
    }
    assert_eq!(
        kintone(&["completion", "tcsh"]).await.status.code(),
        Some(2)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn api_calls_any_operation_of_the_spec() {
    let emulator = keyed_app().await;
    let url = emulator.base_url();
    // A write, with the body as JSON.
    let mut args = vec![
        "api",
        "addRecord",
        "--body",
        r#"{"app": 1, "record": {"Code": {"value": "Z"}}}"#,
    ];
    args.extend(connection(&url, SOURCE_TOKEN));
    let output = kintone(&args).await;
    assert_success(&output);
    let added: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(added["id"], "1");
    // A read, with typed flags.
    let get_record = ["api", "getRecord", "--app", "1", "--id", "1"];
    let output = kintone_as(&url, SOURCE_TOKEN, &get_record).await;
    assert_success(&output);
    let record: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(record["record"]["Code"]["value"], "Z");
    // A path parameter, on an operation that needs no authentication.
    let output = kintone(&[
        "api",
        "getApiSchema",
        "--api-id",
        "record/get",
        "--base-url",
        &url,
    ])
    .await;
    assert_success(&output);
    let schema: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(schema["id"], "record/get");
    // Limits are checked before sending; a flag of the wrong type is a usage error.
    emulator.clear_requests();
    let ids: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
    let ids = ids.join(",");
    let delete = ["api", "deleteRecords", "--app", "1", "--ids", &ids];
    let output = kintone_as(&url, SOURCE_TOKEN, &delete).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("at most 100"),
        "{}",
        stderr(&output)
    );
    assert!(emulator.requests().is_empty());
    let not_a_number = ["api", "getRecord", "--app", "one", "--id", "1"];
    let output = kintone_as(&url, SOURCE_TOKEN, &not_a_number).await;
    assert_eq!(output.status.code(), Some(2));
    // Every operation has help with an example.
    let help = kintone(&["api", "getFormFieldsPreview", "--help"]).await;
    assert_success(&help);
    assert!(
        stdout(&help).contains("Example:\n  kintone api getFormFieldsPreview --app 1"),
        "{}",
        stdout(&help)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn api_list_names_every_operation_of_the_spec() {
    let output = kintone(&["api", "--list"]).await;
    assert_success(&output);
    let listed: std::collections::BTreeSet<String> = stdout(&output)
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    let spec = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/kintone.bundled.yaml"
    ))
    .unwrap();
    let in_spec: std::collections::BTreeSet<String> = spec
        .lines()
        .filter_map(|l| l.trim().strip_prefix("operationId:"))
        .map(|id| id.trim().to_string())
        .collect();
    assert_eq!(listed, in_spec);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_pulled_from_one_domain_is_pushed_into_another_with_a_drift_guard() {
    // Two domains with the same people.
    let domain = |app: AppSeed| {
        Emulator::builder()
            .app(app)
            .user("Administrator", "admin")
            .user("sato", "pw")
            .organization("dev", "Development")
            .group("admins", "Administrators")
            .start()
    };
    let test_domain = domain(everything_app(1)).await.unwrap();
    let empty = AppSeed::new(7, "Empty").field(FieldSeed::new("Old", FieldType::SingleLineText));
    let production = domain(empty).await.unwrap();
    let (test_url, prod_url) = (test_domain.base_url(), production.base_url());
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("orders");
    let folder_arg = folder.to_str().unwrap();

    let mut pull = vec!["app", "pull", "--app", "1", "--dir", folder_arg];
    pull.extend(as_administrator(&test_url));
    assert_success(&kintone(&pull).await);
    for area in [
        "general",
        "fields",
        "layout",
        "views",
        "reports",
        "process",
        "actions",
        "customization",
        "plugins",
        "admin-notes",
        "permissions",
        "notifications",
        "lock",
    ] {
        assert!(folder.join(format!("{area}.yaml")).is_file(), "{area}.yaml");
    }

    let mut push = vec!["app", "push", "--app", "7", "--dir", folder_arg];
    push.extend(as_administrator(&prod_url));
    let mut dry_run = push.clone();
    dry_run.push("--dry-run");
    let preview = kintone(&dry_run).await;
    assert_success(&preview);
    assert!(
        stdout(&preview).contains("+ fields.Amount"),
        "{}",
        stdout(&preview)
    );
    assert!(
        stdout(&preview).contains("- fields.Old"),
        "{}",
        stdout(&preview)
    );
    assert_success(&kintone(&push).await);
    let source = AppDefinition::read(&administrator(&test_domain), 1)
        .await
        .unwrap();
    let target = administrator(&production);
    assert_eq!(AppDefinition::read(&target, 7).await.unwrap(), source);

    // Someone changes production: the next push is refused, --force applies it.
    target
        .send(
            kintone_api::types::UpdateGeneralSettingsRequest::new(7).name("Renamed in production"),
        )
        .await
        .unwrap();
    let mut diff = vec!["app", "diff", "--app", "7", "--dir", folder_arg];
    diff.extend(as_administrator(&prod_url));
    let shown = kintone(&diff).await;
    assert_success(&shown);
    assert!(
        stdout(&shown).contains("~ general.name: \"Renamed in production\" -> \"Everything\""),
        "{}",
        stdout(&shown)
    );
    let refused = kintone(&push).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("changed since"),
        "{}",
        stderr(&refused)
    );
    let mut force = push.clone();
    force.push("--force");
    assert_success(&kintone(&force).await);
    assert_eq!(AppDefinition::read(&target, 7).await.unwrap(), source);
    // The lock now holds production's new revision: a push with nothing changed is allowed.
    assert_success(&kintone(&push).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn form_types_writes_the_record_structs() {
    let emulator = two_apps().await;
    let url = emulator.base_url();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("order.rs");
    let args = ["form", "types", "--app", "1", "--name", "Order"];
    let out_arg = ["--out", out.to_str().unwrap()];
    assert_success(&kintone_as(&url, SOURCE_TOKEN, &[&args[..], &out_arg].concat()).await);
    let module = std::fs::read_to_string(&out).unwrap();
    assert!(module.contains("pub struct Order"), "{module}");
    assert!(module.contains("\"Amount\""), "{module}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_project_pushes_its_apps_in_dependency_order_with_references_mapped() {
    use kintone_emulator::LookupSeed;
    let customers = |id| {
        AppSeed::new(id, "Customers")
            .field(FieldSeed::new("Name", FieldType::SingleLineText).unique())
    };
    let orders = |id, customers_id| {
        AppSeed::new(id, "Orders").field(
            FieldSeed::new("Customer", FieldType::SingleLineText)
                .lookup(LookupSeed::new(customers_id, "Name")),
        )
    };
    let domain = |apps: Vec<AppSeed>| {
        let mut builder = Emulator::builder().user("Administrator", "admin");
        for app in apps {
            builder = builder.app(app);
        }
        builder.start()
    };
    let test_domain = domain(vec![customers(10), orders(11, 10)]).await.unwrap();
    let production = domain(vec![
        AppSeed::new(110, "Empty customers"),
        AppSeed::new(111, "Empty orders"),
    ])
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("kintone.yaml");
    std::fs::write(
        &project,
        format!(
            "source: test\napps:\n  billing: {{dir: apps/orders, depends_on: [customers]}}\n  customers: {{dir: apps/customers}}\nenvironments:\n  test: {{base_url: \"{}\", apps: {{customers: 10, billing: 11}}}}\n  prod: {{base_url: \"{}\", apps: {{customers: 110, billing: 111}}}}\n",
            test_domain.base_url(),
            production.base_url()
        ),
    )
    .unwrap();
    let login = ["--username", "Administrator", "--password", "admin"];
    let mut pull = vec!["app", "pull", "--project", project.to_str().unwrap()];
    pull.extend(login);
    assert_success(&kintone(&pull).await);
    assert!(dir.path().join("apps/orders/fields.yaml").is_file());

    let mut push = vec![
        "app",
        "push",
        "--project",
        project.to_str().unwrap(),
        "--env",
        "prod",
    ];
    push.extend(login);
    let output = kintone(&push).await;
    assert_success(&output);
    let log = stderr(&output);
    let (first, second) = (
        log.find("pushed customers").unwrap(),
        log.find("pushed billing").unwrap(),
    );
    assert!(
        first < second,
        "customers before billing, which looks them up (not in name order): {log}"
    );
    let pushed = AppDefinition::read(&administrator(&production), 111)
        .await
        .unwrap();
    let lookup = serde_json::to_value(&pushed.fields["Customer"]).unwrap();
    assert_eq!(lookup["lookup"]["relatedApp"]["app"], "110", "{lookup}");

    // A cycle is refused before anything is sent.
    let text = std::fs::read_to_string(&project).unwrap().replace(
        "customers: {dir: apps/customers}",
        "customers: {dir: apps/customers, depends_on: [billing]}",
    );
    std::fs::write(&project, text).unwrap();
    let refused = kintone(&push).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("cycle"), "{}", stderr(&refused));
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_an_import_between_bulk_requests_and_resume_finishes_it() {
    use kintone_emulator::{Failure, Gate};
    let emulator = keyed_app().await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("big.csv");
    write_keyed_rows(&csv, 5_000);
    // The second bulk request is held at the server until Ctrl-C has been pressed.
    let bulk = "/k/v1/bulkRequest.json";
    let gate = Gate::new();
    emulator.inject(
        Failure::delay(std::time::Duration::ZERO)
            .times(1)
            .path(bulk),
    );
    emulator.inject(Failure::hold(&gate).times(1).path(bulk));
    let url = emulator.base_url();
    let mut args = import("1", &csv, &[]);
    args.extend(connection(&url, SOURCE_TOKEN));
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_kintone"))
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    gate.reached(1).await;
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    gate.open();
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("interrupted after 4000 of 5000 records"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        emulator.record_count(1),
        4_000,
        "the request under way was finished"
    );
    args.push("--resume");
    assert_success(&kintone(&args).await);
    assert_eq!(emulator.record_count(1), 5_000);
    let codes: std::collections::BTreeSet<String> = codes(&emulator).await.into_iter().collect();
    assert_eq!(codes.len(), 5_000);
}

#[tokio::test(flavor = "multi_thread")]
async fn api_downloads_write_the_file() {
    let emulator = two_apps().await;
    seed_source(&emulator).await;
    let url = emulator.base_url();
    let get_record = ["api", "getRecord", "--app", "1", "--id", "1"];
    let output = kintone_as(&url, SOURCE_TOKEN, &get_record).await;
    assert_success(&output);
    let record: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let key = record["record"]["Attachment"]["value"][0]["fileKey"]
        .as_str()
        .unwrap()
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.txt");
    let download = ["api", "downloadFile", "--file-key", &key];
    let output_arg = ["--output", file.to_str().unwrap()];
    let args = [&download[..], &output_arg].concat();
    assert_success(&kintone_as(&url, SOURCE_TOKEN, &args).await);
    assert_eq!(read(&file), b"quarterly");
}

#[tokio::test(flavor = "multi_thread")]
async fn form_types_reads_a_saved_form_too() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("form.json");
    std::fs::write(
        &json,
        r#"{"properties": {"Title": {"type": "SINGLE_LINE_TEXT", "code": "Title", "label": "Title"}}, "revision": "3"}"#,
    )
    .unwrap();
    let output = kintone(&[
        "form",
        "types",
        "--json",
        json.to_str().unwrap(),
        "--name",
        "Memo",
    ])
    .await;
    assert_success(&output);
    assert!(
        stdout(&output).contains("pub struct Memo"),
        "{}",
        stdout(&output)
    );
}

/// Client certificates: a TLS front on 127.0.0.1 that requires a certificate issued by its
/// client CA and passes what it accepts to an emulator (the test-support crate
/// `kintone-tls-front`).
mod client_certificate {
    use std::net::SocketAddr;

    use kintone_tls_front::{issue, pfx, tls_front, EncryptionAlgorithm, MacAlgorithm};

    use super::*;

    const PFX_PASSWORD: &str = "pfx-pass-0b7e";

    #[tokio::test(flavor = "multi_thread")]
    async fn a_pfx_file_opens_a_domain_that_requires_a_client_certificate() {
        let emulator = keyed_app().await;
        emulator
            .insert_records(1, vec![json!({"Code": {"value": "TLS-1"}})])
            .unwrap();
        let port = emulator.base_url().rsplit(':').next().unwrap().to_string();
        let backend: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let (server, client_pki) = (issue(&["127.0.0.1"]), issue(&["kintone-cli test"]));
        let (front, mut handshakes) = tls_front(&server, &client_pki.ca, backend).await;
        let dir = tempfile::tempdir().unwrap();
        let (pfx_path, ca_path) = (dir.path().join("me.pfx"), dir.path().join("ca.cer"));
        // PBES2 with AES, as OpenSSL 3 writes.
        let file = pfx(
            &client_pki,
            PFX_PASSWORD,
            EncryptionAlgorithm::PbeWithHmacSha256AndAes256,
            MacAlgorithm::HmacSha256,
        );
        std::fs::write(&pfx_path, file).unwrap();
        // The server's CA as DER, as a `.cer` file holds it.
        std::fs::write(&ca_path, server.ca.as_ref()).unwrap();
        let url = format!("https://{front}");
        let mut args = vec!["api", "getRecord", "--app", "1", "--id", "1"];
        args.extend(["--pfx-file-path", pfx_path.to_str().unwrap()]);
        args.extend(["--ca-cert", ca_path.to_str().unwrap()]);
        args.extend(connection(&url, SOURCE_TOKEN));
        let mut right = args.clone();
        right.extend(["--pfx-file-password", PFX_PASSWORD]);
        let output = kintone(&right).await;
        assert_success(&output);
        let record: Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(record["record"]["Code"]["value"], "TLS-1");
        assert_eq!(handshakes.recv().await, Some(true));

        // A wrong password is a clear input error, and no connection is even opened.
        let mut wrong = args.clone();
        wrong.extend(["--pfx-file-password", "wrong-pass-93"]);
        let refused = kintone(&wrong).await;
        assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
        let message = stderr(&refused);
        assert!(
            message.contains("me.pfx: the password does not open the PKCS#12 file"),
            "{message}"
        );
        assert!(message.contains("--pfx-file-password"), "{message}");
        assert!(!message.contains("wrong-pass-93"), "{message}");
        assert!(handshakes.try_recv().is_err(), "nothing was sent");

        // Without a certificate, the front refuses the handshake.
        let args = ["api", "getRecord", "--app", "1", "--id", "1"];
        let ca = ["--ca-cert", ca_path.to_str().unwrap()];
        let output = kintone_as(&url, SOURCE_TOKEN, &[&args[..], &ca].concat()).await;
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert_eq!(handshakes.recv().await, Some(false));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_file_that_is_no_pfx_is_refused_before_anything_is_sent() {
        let emulator = keyed_app().await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not.pfx");
        std::fs::write(&path, "-----BEGIN CERTIFICATE-----\n").unwrap();
        let url = emulator.base_url();
        let mut args = vec!["api", "getRecord", "--app", "1", "--id", "1"];
        args.extend(["--pfx-file-path", path.to_str().unwrap()]);
        args.extend(["--pfx-file-password", "some-password-4"]);
        args.extend(connection(&url, SOURCE_TOKEN));
        let output = kintone(&args).await;
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("not a PKCS#12 (.pfx, .p12) file"),
            "{}",
            stderr(&output)
        );
        assert!(emulator.requests().is_empty());
    }
}

//! Typed records. `#[derive(KintoneRecord)]` on hand-written structs: every field type read
//! from kintone's JSON and written as kintone takes it, the typed errors, and the query
//! constants. And the module `kintone-form` writes for a form with every field type
//! (`typed/order.rs`, checked in and held to the generator's output; written by
//! `cargo run -p kintone-codegen --bin kintone-form -- --json
//! codegen/tests/fixtures/forms/every_field.json --name Order --out tests/tests/records/typed/order.rs`),
//! end to end: an emulator app seeded from the same form, records added through the generated
//! structs and read back equal, typed queries, and the form read over HTTP.
//!
//! What users must not be able to write is in `kintone-api/tests/compile_errors` (trybuild).

use std::collections::BTreeMap;

use futures_util::StreamExt;
use kintone_api::query::{self, Query};
use kintone_api::typed::{DecodeErrorKind, Expected, Row};
use kintone_api::{
    Client, Date, DateTime, Decimal, Entity, FileInfo, FilePart, KintoneRecord, Record, RecordId,
    RecordUpdate, Revision, Time,
};
use kintone_codegen::form::{generate_form, FormOptions};
use kintone_emulator::{AppSeed, Emulator, FieldSeed, Permissions};
use serde_json::{json, Value};

mod order;

use order::{LinesRow, Order};

const FORM: &str = include_str!("../../../codegen/tests/fixtures/forms/every_field.json");
const MODULE: &str = include_str!("typed/order.rs");

fn options() -> FormOptions {
    FormOptions {
        struct_name: "Order".into(),
        source: "the form `every_field.json`".into(),
        renames: BTreeMap::new(),
    }
}

#[test]
fn the_checked_in_module_is_what_the_generator_writes() {
    let generated = generate_form(FORM, &options()).unwrap();
    if std::env::var_os("KINTONE_FORM_UPDATE").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/records/typed/order.rs");
        std::fs::write(path, &generated).unwrap();
        return;
    }
    assert_eq!(
        generated, MODULE,
        "tests/records/typed/order.rs is stale: run this test with KINTONE_FORM_UPDATE=1"
    );
}

/// The emulator's app for the fixture form: each field of the form as a field seed (the
/// emulator keeps the record number, creator, modifier and times itself, and the status and
/// assignee come with a process).
fn app_from_form(form: &str) -> AppSeed {
    fn seed(property: &Value) -> Option<Value> {
        let field_type = property["type"].as_str().unwrap();
        if matches!(
            field_type,
            "REFERENCE_TABLE" | "GROUP" | "STATUS" | "STATUS_ASSIGNEE"
        ) {
            return None;
        }
        let mut options: Vec<(u64, &str)> = property["options"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, o)| {
                let index = o["index"].as_str().unwrap().parse().unwrap();
                (index, o["label"].as_str().unwrap())
            })
            .collect();
        options.sort();
        let fields: Vec<Value> = property["fields"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(_, inner)| seed(inner))
            .collect();
        let mut json = json!({
            "code": property["code"],
            "type": field_type,
            "required": property["required"].as_bool().unwrap_or(false),
            "unique": property["unique"].as_bool().unwrap_or(false),
            "options": options.into_iter().map(|(_, label)| label).collect::<Vec<_>>(),
            "fields": fields,
        });
        for key in ["protocol", "expression"] {
            if let Some(value) = property[key].as_str() {
                json[key] = json!(value);
            }
        }
        Some(json)
    }
    let form: Value = serde_json::from_str(form).unwrap();
    let mut app =
        AppSeed::new(1, "Orders").process(&["Open", "Done"], &[("Finish", "Open", "Done")]);
    for property in form["properties"].as_object().unwrap().values() {
        if let Some(field) = seed(property) {
            app = app.field(serde_json::from_value::<FieldSeed>(field).unwrap());
        }
    }
    app
}

async fn start() -> (Emulator, Client) {
    let emulator = Emulator::builder()
        .app(app_from_form(FORM))
        .api_token("TOKEN", 1, Permissions::ALL)
        .user("sato", "pw")
        .organization("sales", "Sales")
        .group("admins", "Admins")
        .start()
        .await
        .expect("the emulator starts");
    let client = Client::builder(emulator.base_url())
        .api_token("TOKEN")
        .build()
        .unwrap();
    (emulator, client)
}

fn new_order(title: &str, file: Option<FileInfo>) -> Order {
    Order {
        id: None,
        revision: None,
        record_number: None,
        created_by: None,
        created_datetime: None,
        updated_by: None,
        updated_datetime: None,
        status: None,
        assignee: Vec::new(),
        categories: Vec::new(),
        total: None,
        title: title.into(),
        amount: Some(Decimal::try_from("1200.50").unwrap()),
        count: Some(Decimal::from(3)),
        notes: "two\nlines".into(),
        body: "<p>rich</p>".into(),
        site: "https://example.com/orders".into(),
        tags: vec!["urgent".into(), "later".into()],
        choice: Some("b".into()),
        pick: Some("large".into()),
        many: vec!["x".into(), "y".into()],
        files: file.into_iter().collect(),
        due: Date::new(2024, 9, 30),
        at: Time::new(9, 15),
        when: Some("2024-08-01T09:30:00Z".parse::<DateTime>().unwrap()),
        owner: vec![Entity::new("sato")],
        team: vec![Entity::new("sales")],
        crew: vec![Entity::new("admins")],
        lines: vec![
            Row::new(LinesRow {
                item: "blue pens".into(),
                qty: Some(Decimal::from(10)),
                shipped: Date::new(2024, 8, 2),
            }),
            Row::new(LinesRow {
                item: "paper".into(),
                qty: None,
                shipped: None,
            }),
        ],
    }
}

/// What kintone adds to a written record (ids, computed values, names, file details), copied
/// from the record read back, so that the rest can be compared whole.
fn with_what_kintone_adds(mut written: Order, read: &Order) -> Order {
    written.id = read.id;
    written.revision = read.revision;
    written.record_number = read.record_number.clone();
    written.created_by = read.created_by.clone();
    written.created_datetime = read.created_datetime;
    written.updated_by = read.updated_by.clone();
    written.updated_datetime = read.updated_datetime;
    written.status = read.status.clone();
    written.assignee = read.assignee.clone();
    written.categories = read.categories.clone();
    written.total = read.total.clone();
    for (a, b) in [
        (&mut written.owner, &read.owner),
        (&mut written.team, &read.team),
        (&mut written.crew, &read.crew),
    ] {
        for (entity, read) in a.iter_mut().zip(b) {
            entity.name = read.name.clone();
        }
    }
    for (file, read) in written.files.iter_mut().zip(&read.files) {
        assert_eq!(file.name, read.name);
        *file = read.clone();
    }
    for (row, read) in written.lines.iter_mut().zip(&read.lines) {
        row.id = read.id;
    }
    written
}

#[tokio::test]
async fn records_added_through_the_generated_struct_read_back_equal() {
    let (_emulator, client) = start().await;
    let upload = client
        .files()
        .upload_file(FilePart::new("order.txt", "3 boxes\n").content_type("text/plain"))
        .send()
        .await
        .unwrap();
    let orders = vec![
        new_order(
            "first",
            Some(FileInfo::new(upload.into_body().file_key, "order.txt")),
        ),
        new_order("second", None),
    ];
    let report = client.add_all(1, orders.clone()).send().await.unwrap();
    assert_eq!(report.committed().len(), 2);

    let read: Vec<Order> = client
        .record_stream(1)
        .typed::<Order>()
        .map(|r| r.unwrap())
        .collect()
        .await;
    assert_eq!(read.len(), 2);
    for (written, read) in orders.into_iter().zip(&read) {
        let expected = with_what_kintone_adds(written, read);
        assert_eq!(&expected, read);
        // What kintone computed is there.
        assert!(read.id.is_some() && read.record_number.is_some());
        assert_eq!(read.total, Some(Decimal::try_from("2401").unwrap()));
        assert_eq!(read.status.as_deref(), Some("Open"));
        assert_eq!(
            read.created_by.as_ref().map(|e| e.code.is_empty()),
            Some(false)
        );
        assert_eq!(read.lines.len(), 2);
        assert!(read.lines.iter().all(|row| row.id.is_some()));
    }
    assert_eq!(read[0].files[0].name, "order.txt");
    assert_eq!(read[0].files[0].size, Some(8));

    // A typed query, read typed.
    let query = kintone_api::query::Query::new()
        .filter(
            Order::TITLE
                .eq("second")
                .and(Order::AMOUNT.ge(1000))
                .and(Order::PICK.in_(["large"])),
        )
        .build()
        .unwrap();
    let found: Vec<Order> = client
        .record_stream(1)
        .query(query)
        .typed::<Order>()
        .map(|r| r.unwrap())
        .collect()
        .await;
    assert_eq!(found, [read[1].clone()]);

    // An update through the struct keeps the rows by id and changes what changed.
    let mut changed = read[1].clone();
    changed.title = "second, changed".into();
    changed.lines[0].value.qty = Some(Decimal::from(11));
    changed.lines.pop();
    let update = RecordUpdate::new().id(changed.id.unwrap()).record(&changed);
    client.update_all(1, [update]).send().await.unwrap();
    let again = client
        .records()
        .get_record(1, changed.id.unwrap())
        .send()
        .await
        .unwrap();
    let again = Order::from_record(again.into_body().record).unwrap();
    assert_eq!(again.title, "second, changed");
    assert_eq!(again.lines.len(), 1);
    assert_eq!(again.lines[0].id, changed.lines[0].id);
    assert_eq!(again.lines[0].value.qty, Some(Decimal::from(11)));
    assert_eq!(again.total, Some(Decimal::try_from("2401").unwrap()));
}

#[tokio::test]
async fn a_record_that_does_not_fit_the_struct_ends_the_stream_with_a_typed_error() {
    let (_emulator, client) = start().await;
    client
        .add_all(1, [new_order("one", None)])
        .send()
        .await
        .unwrap();

    #[derive(Debug, KintoneRecord)]
    struct Wrong {
        #[kintone(code = "Title", type = "NUMBER")]
        _title: Option<Decimal>,
    }
    let mut stream = client.record_stream(1).typed::<Wrong>();
    let err = stream.next().await.unwrap().unwrap_err();
    let kintone_api::Error::Record(decode) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(decode.code(), "Title");
    // The field's error is the source, printed once by a reporter that walks the chain.
    let cause = std::error::Error::source(&err)
        .expect("the field's error")
        .to_string();
    assert!(cause.contains("SINGLE_LINE_TEXT"), "{cause}");
    assert!(!err.to_string().contains("SINGLE_LINE_TEXT"), "{err}");
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn the_form_is_read_over_http_with_the_apps_token() {
    use wiremock::matchers::{header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/k/v1/app/form/fields.json"))
        .and(query_param("app", "1"))
        .and(header(kintone_api::headers::API_TOKEN_HEADER, "TOKEN"))
        .respond_with(ResponseTemplate::new(200).set_body_string(FORM))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/k/guest/5/v1/app/form/fields.json"))
        .respond_with(ResponseTemplate::new(403).set_body_string(r#"{"code":"GAIA_NO01"}"#))
        .mount(&server)
        .await;
    let form = kintone_codegen::form::fetch_form(&server.uri(), 1, "TOKEN", None)
        .await
        .unwrap();
    assert_eq!(generate_form(&form, &options()).unwrap(), MODULE);
    let refused = kintone_codegen::form::fetch_form(&server.uri(), 1, "TOKEN", Some(5))
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("403"), "{refused}");
}

/// The form generator reads a live app's form from the emulator (which serves Get Form Fields)
/// and names every field of the app.
#[tokio::test]
async fn the_form_is_read_from_the_emulator_and_names_every_field() {
    let (emulator, _client) = kintone_tests::emulator_and_client().await;
    let form = kintone_codegen::form::fetch_form(&emulator.base_url(), 1, "TOKEN", None)
        .await
        .unwrap();
    let module = generate_form(&form, &options()).unwrap();
    for code in [
        "Title", "Code", "Amount", "Kind", "Tags", "Due", "When", "Owner", "Lines",
    ] {
        assert!(
            module.contains(&format!("code = \"{code}\"")) || module.contains(&format!("`{code}`")),
            "{code} is missing from:\n{module}"
        );
    }
}

#[derive(Debug, Clone, PartialEq, KintoneRecord)]
struct Everything {
    #[kintone(code = "$id")]
    id: RecordId,
    #[kintone(code = "$revision")]
    revision: Revision,
    #[kintone(code = "Record_number", type = "RECORD_NUMBER")]
    record_number: String,
    #[kintone(code = "Created_by", type = "CREATOR")]
    created_by: Entity,
    #[kintone(code = "Created_datetime", type = "CREATED_TIME")]
    created_at: DateTime,
    #[kintone(code = "Updated_by", type = "MODIFIER")]
    updated_by: Entity,
    #[kintone(code = "Updated_datetime", type = "UPDATED_TIME")]
    updated_at: DateTime,
    #[kintone(code = "Title")]
    title: String,
    #[kintone(code = "Amount")]
    amount: Option<Decimal>,
    #[kintone(code = "Count")]
    count: u8,
    #[kintone(code = "Ratio")]
    ratio: f64,
    #[kintone(code = "Total", type = "CALC")]
    total: Option<Decimal>,
    #[kintone(code = "Notes", type = "MULTI_LINE_TEXT")]
    notes: String,
    #[kintone(code = "Body", type = "RICH_TEXT")]
    body: String,
    #[kintone(code = "Site", type = "LINK")]
    site: String,
    #[kintone(code = "Tags")]
    tags: Vec<String>,
    #[kintone(code = "Choice", type = "RADIO_BUTTON")]
    choice: String,
    #[kintone(code = "Pick", type = "DROP_DOWN")]
    pick: Option<String>,
    #[kintone(code = "Many", type = "MULTI_SELECT")]
    many: Vec<String>,
    #[kintone(code = "Files")]
    files: Vec<FileInfo>,
    #[kintone(code = "Due")]
    due: Option<Date>,
    #[kintone(code = "At")]
    at: Time,
    #[kintone(code = "When")]
    when: Option<DateTime>,
    #[kintone(code = "Owner")]
    owner: Vec<Entity>,
    #[kintone(code = "Team", type = "ORGANIZATION_SELECT")]
    team: Vec<Entity>,
    #[kintone(code = "Crew", type = "GROUP_SELECT")]
    crew: Vec<Entity>,
    #[kintone(code = "Categories", type = "CATEGORY")]
    categories: Vec<String>,
    #[kintone(code = "Status", type = "STATUS")]
    status: String,
    #[kintone(code = "Assignee", type = "STATUS_ASSIGNEE")]
    assignee: Vec<Entity>,
    #[kintone(code = "Lines")]
    lines: Vec<Row<Line>>,
}

#[derive(Debug, Clone, PartialEq, KintoneRecord)]
#[kintone(table)]
struct Line {
    #[kintone(code = "Item")]
    item: String,
    #[kintone(code = "Qty")]
    qty: Option<i64>,
}

fn everything_json() -> serde_json::Value {
    let user = json!({"code": "sato", "name": "Sato"});
    json!({
        "$id": {"type": "__ID__", "value": "7"},
        "$revision": {"type": "__REVISION__", "value": "3"},
        "Record_number": {"type": "RECORD_NUMBER", "value": "APP-7"},
        "Created_by": {"type": "CREATOR", "value": user},
        "Created_datetime": {"type": "CREATED_TIME", "value": "2024-08-01T09:30:00Z"},
        "Updated_by": {"type": "MODIFIER", "value": user},
        "Updated_datetime": {"type": "UPDATED_TIME", "value": "2024-08-02T10:00:00Z"},
        "Title": {"type": "SINGLE_LINE_TEXT", "value": "Pens"},
        "Amount": {"type": "NUMBER", "value": "1200.50"},
        "Count": {"type": "NUMBER", "value": "12"},
        "Ratio": {"type": "NUMBER", "value": "0.25"},
        "Total": {"type": "CALC", "value": "2401"},
        "Notes": {"type": "MULTI_LINE_TEXT", "value": "two\nlines"},
        "Body": {"type": "RICH_TEXT", "value": "<b>bold</b>"},
        "Site": {"type": "LINK", "value": "https://example.com"},
        "Tags": {"type": "CHECK_BOX", "value": ["a", "b"]},
        "Choice": {"type": "RADIO_BUTTON", "value": "x"},
        "Pick": {"type": "DROP_DOWN", "value": null},
        "Many": {"type": "MULTI_SELECT", "value": ["y"]},
        "Files": {"type": "FILE", "value": [{"contentType": "text/plain", "fileKey": "fk-1", "name": "a.txt", "size": "12"}]},
        "Due": {"type": "DATE", "value": "2024-09-30"},
        "At": {"type": "TIME", "value": "09:15"},
        "When": {"type": "DATETIME", "value": ""},
        "Owner": {"type": "USER_SELECT", "value": [user]},
        "Team": {"type": "ORGANIZATION_SELECT", "value": [{"code": "sales", "name": "Sales"}]},
        "Crew": {"type": "GROUP_SELECT", "value": []},
        "Categories": {"type": "CATEGORY", "value": ["Stationery"]},
        "Status": {"type": "STATUS", "value": "Open"},
        "Assignee": {"type": "STATUS_ASSIGNEE", "value": [user]},
        "Lines": {"type": "SUBTABLE", "value": [
            {"id": "41", "value": {
                "Item": {"type": "SINGLE_LINE_TEXT", "value": "blue"},
                "Qty": {"type": "NUMBER", "value": "3"}
            }},
            {"id": "42", "value": {
                "Item": {"type": "SINGLE_LINE_TEXT", "value": "red"},
                "Qty": {"type": "NUMBER", "value": ""}
            }}
        ]},
        "Ignored": {"type": "SINGLE_LINE_TEXT", "value": "a field the struct does not declare"}
    })
}

fn record(value: serde_json::Value) -> Record {
    serde_json::from_value(value).unwrap()
}

#[test]
fn every_field_type_is_read_into_its_rust_type() {
    let e = Everything::from_record(record(everything_json())).unwrap();
    let sato = Entity::new("sato").name("Sato");
    assert_eq!(e.id, RecordId(7));
    assert_eq!(e.revision, Revision(3));
    assert_eq!(e.record_number, "APP-7");
    assert_eq!((&e.created_by, &e.updated_by), (&sato, &sato));
    assert_eq!(
        e.created_at,
        "2024-08-01T09:30:00Z".parse::<DateTime>().unwrap()
    );
    assert_eq!(
        e.updated_at,
        "2024-08-02T10:00:00Z".parse::<DateTime>().unwrap()
    );
    assert_eq!(e.title, "Pens");
    assert_eq!(e.amount, Some(Decimal::try_from("1200.50").unwrap()));
    assert_eq!((e.count, e.ratio), (12, 0.25));
    assert_eq!(e.total, Some(Decimal::from(2401)));
    assert_eq!(
        (e.notes.as_str(), e.body.as_str()),
        ("two\nlines", "<b>bold</b>")
    );
    assert_eq!(e.site, "https://example.com");
    assert_eq!(
        (e.tags.clone(), e.choice.as_str()),
        (vec!["a".to_string(), "b".into()], "x")
    );
    assert_eq!(
        (e.pick.clone(), e.many.clone()),
        (None, vec!["y".to_string()])
    );
    assert_eq!(e.files[0].file_key, "fk-1");
    assert_eq!(e.files[0].size, Some(12));
    assert_eq!(e.due, Date::new(2024, 9, 30));
    assert_eq!(e.at, Time::new(9, 15).unwrap());
    assert_eq!(e.when, None);
    assert_eq!(e.owner, std::slice::from_ref(&sato));
    assert_eq!(e.team[0].code, "sales");
    assert!(e.crew.is_empty());
    assert_eq!(e.categories, ["Stationery"]);
    assert_eq!(e.status, "Open");
    assert_eq!(e.assignee, [sato]);
    assert_eq!(
        e.lines,
        [
            Row::with_id(
                41,
                Line {
                    item: "blue".into(),
                    qty: Some(3)
                }
            ),
            Row::with_id(
                42,
                Line {
                    item: "red".into(),
                    qty: None
                }
            ),
        ]
    );
}

#[test]
fn only_writable_fields_are_written_in_kintones_shapes() {
    let mut e = Everything::from_record(record(everything_json())).unwrap();
    e.pick = Some("p".into());
    e.lines.push(Row::new(Line {
        item: "new".into(),
        qty: Some(1),
    }));
    let written = serde_json::to_value(e.to_record_input()).unwrap();
    assert_eq!(
        written,
        json!({
            "Title": {"value": "Pens"},
            "Amount": {"value": "1200.50"},
            "Count": {"value": "12"},
            "Ratio": {"value": "0.25"},
            "Notes": {"value": "two\nlines"},
            "Body": {"value": "<b>bold</b>"},
            "Site": {"value": "https://example.com"},
            "Tags": {"value": ["a", "b"]},
            "Choice": {"value": "x"},
            "Pick": {"value": "p"},
            "Many": {"value": ["y"]},
            "Files": {"value": [{"fileKey": "fk-1"}]},
            "Due": {"value": "2024-09-30"},
            "At": {"value": "09:15"},
            "When": {"value": ""},
            "Owner": {"value": [{"code": "sato"}]},
            "Team": {"value": [{"code": "sales"}]},
            "Crew": {"value": []},
            "Lines": {"value": [
                {"id": "41", "value": {"Item": {"value": "blue"}, "Qty": {"value": "3"}}},
                {"id": "42", "value": {"Item": {"value": "red"}, "Qty": {"value": ""}}},
                {"value": {"Item": {"value": "new"}, "Qty": {"value": "1"}}}
            ]}
        })
    );
    // The conversions the writers take.
    assert_eq!(kintone_api::RecordInput::from(&e), e.to_record_input());
    assert_eq!(
        kintone_api::RecordInput::from(e.clone()),
        e.to_record_input()
    );
}

#[derive(Debug, PartialEq, KintoneRecord)]
#[kintone(deny_unknown_fields)]
struct Strict {
    #[kintone(code = "Title")]
    title: String,
    #[kintone(code = "Owner", read_only)]
    owner: Vec<Entity>,
}

#[test]
fn missing_mistyped_and_unknown_fields_name_the_field_and_the_type() {
    let err = Line::from_record(record(json!({
        "Item": {"type": "SINGLE_LINE_TEXT", "value": "x"}
    })))
    .unwrap_err();
    assert_eq!(err.code(), "Qty");
    assert_eq!(err.expected(), Some(Expected::new("NUMBER", "Option<i64>")));
    assert_eq!(err.kind(), &DecodeErrorKind::Missing);
    assert_eq!(
        err.to_string(),
        "field `Qty` (NUMBER as `Option<i64>`): the record has no such field"
    );

    let err = Line::from_record(record(json!({
        "Item": {"type": "NUMBER", "value": "1"},
        "Qty": {"type": "NUMBER", "value": "1"}
    })))
    .unwrap_err();
    assert_eq!(err.code(), "Item");
    assert_eq!(
        err.kind(),
        &DecodeErrorKind::WrongType {
            found: "NUMBER".into()
        }
    );

    let err = Strict::from_record(record(json!({
        "Title": {"type": "SINGLE_LINE_TEXT", "value": "x"},
        "Owner": {"type": "USER_SELECT", "value": []},
        "Extra": {"type": "SINGLE_LINE_TEXT", "value": "x"}
    })))
    .unwrap_err();
    assert_eq!(
        (err.code(), err.kind()),
        ("Extra", &DecodeErrorKind::Unknown)
    );
    assert_eq!(err.expected(), None);

    // A read-only field is read and never written.
    let strict = Strict::from_record(record(json!({
        "Title": {"type": "SINGLE_LINE_TEXT", "value": "x"},
        "Owner": {"type": "USER_SELECT", "value": [{"code": "sato", "name": "Sato"}]}
    })))
    .unwrap();
    assert_eq!(strict.owner.len(), 1);
    assert_eq!(
        serde_json::to_value(strict.to_record_input()).unwrap(),
        json!({"Title": {"value": "x"}})
    );
}

#[test]
fn numbers_that_do_not_fit_and_empty_values_are_typed_errors() {
    let line = |qty: &str| {
        Everything::from_record(record({
            let mut all = everything_json();
            all["Count"]["value"] = json!(qty);
            all
        }))
    };
    assert_eq!(
        line("256").unwrap_err().kind(),
        &DecodeErrorKind::OutOfRange {
            value: "256".into()
        }
    );
    assert_eq!(
        line("-1").unwrap_err().kind(),
        &DecodeErrorKind::OutOfRange { value: "-1".into() }
    );
    assert!(matches!(
        line("1.5").unwrap_err().kind(),
        DecodeErrorKind::Invalid { .. }
    ));
    assert_eq!(line("").unwrap_err().kind(), &DecodeErrorKind::Empty);
    assert_eq!(line("2.000").unwrap().count, 2);

    let mut at_empty = everything_json();
    at_empty["At"]["value"] = json!(null);
    let err = Everything::from_record(record(at_empty)).unwrap_err();
    assert_eq!((err.code(), err.kind()), ("At", &DecodeErrorKind::Empty));

    // An error in a row names the table, the row and the row's field.
    let mut bad_row = everything_json();
    bad_row["Lines"]["value"][1]["value"]["Qty"]["value"] = json!("1e99");
    let err = Everything::from_record(record(bad_row)).unwrap_err();
    assert_eq!(err.code(), "Lines");
    let DecodeErrorKind::Row { row: 1, error } = err.kind() else {
        panic!("{err}");
    };
    assert_eq!(error.code(), "Qty");
    assert_eq!(
        err.to_string(),
        "field `Lines` (SUBTABLE as `Vec<Row<Line>>`): row 1: field `Qty` (NUMBER as `Option<i64>`): 1e99 does not fit the Rust type"
    );
}

#[test]
fn field_constants_build_typed_queries() {
    let query = Query::new()
        .filter(
            Everything::TITLE
                .like("pens")
                .and(Everything::AMOUNT.ge(100))
                .and(Everything::DUE.lt(Date::new(2024, 10, 1).unwrap()))
                .and(Everything::NOTES.is_not_empty())
                .and(Everything::PICK.in_(["a", "b"]))
                .and(Everything::OWNER.in_([kintone_api::query::login_user()]))
                .and(Everything::STATUS.eq("Open"))
                .and(Everything::ID.gt(10)),
        )
        .order_by(Everything::WHEN.code(), query::Order::Desc)
        .build()
        .unwrap();
    assert_eq!(
        query,
        r#"Title like "pens" and Amount >= "100" and Due < "2024-10-01" and Notes is not empty and Pick in ("a", "b") and Owner in (LOGINUSER()) and Status = "Open" and $id > "10" order by When desc"#
    );
    assert_eq!(Everything::LINES.code(), "Lines");
    assert_eq!(Line::FIELD_CODES, ["Item", "Qty"]);
}

/// The field code defaults to the Rust name; a raw identifier loses its `r#`.
#[derive(Debug, PartialEq, KintoneRecord)]
struct Plain {
    title: String,
    #[kintone(type = "DROP_DOWN")]
    r#type: Option<String>,
}

#[test]
fn codes_default_to_the_rust_names() {
    assert_eq!(Plain::FIELD_CODES, ["title", "type"]);
    assert_eq!(Plain::TYPE.code(), "type");
    let plain = Plain::from_record(record(json!({
        "title": {"type": "SINGLE_LINE_TEXT", "value": "t"},
        "type": {"type": "DROP_DOWN", "value": "a"}
    })))
    .unwrap();
    assert_eq!(plain.r#type.as_deref(), Some("a"));
}

/// The declared type decides what `Option<String>` holds: a SINGLE_LINE_TEXT here, read (empty
/// as `None`), written, and queried with `=`, which a text field takes.
#[derive(Debug, PartialEq, KintoneRecord)]
struct Contact {
    #[kintone(code = "Nickname", type = "SINGLE_LINE_TEXT")]
    nickname: Option<String>,
    #[kintone(code = "Since")]
    since: Option<Date>,
}

#[test]
fn optional_text_takes_its_declared_type_and_field_constants_sort() {
    let contact = Contact::from_record(record(json!({
        "Nickname": {"type": "SINGLE_LINE_TEXT", "value": "Ken"},
        "Since": {"type": "DATE", "value": null}
    })))
    .unwrap();
    assert_eq!(contact.nickname.as_deref(), Some("Ken"));
    let empty = Contact::from_record(record(json!({
        "Nickname": {"type": "SINGLE_LINE_TEXT", "value": ""},
        "Since": {"type": "DATE", "value": null}
    })))
    .unwrap();
    assert_eq!(empty.nickname, None);
    let written = serde_json::to_value(contact.to_record_input()).unwrap();
    assert_eq!(written["Nickname"], json!({"value": "Ken"}));

    let query = Query::new()
        .filter(Contact::NICKNAME.eq("Ken"))
        .order_by(Contact::SINCE, query::Order::Desc)
        .order_by(&Contact::NICKNAME, query::Order::Asc)
        .order_by("$id", query::Order::Asc)
        .build()
        .unwrap();
    assert_eq!(
        query,
        r#"Nickname = "Ken" order by Since desc, Nickname asc, $id asc"#
    );
}

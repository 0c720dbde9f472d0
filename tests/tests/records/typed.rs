//! Typed records end to end: the module `kintone-form` writes for a form with every field type
//! (`typed/order.rs`, checked in and held to the generator's output; written by
//! `cargo run -p kintone-codegen --bin kintone-form -- --json
//! codegen/tests/fixtures/forms/every_field.json --name Order --out tests/tests/records/typed/order.rs`), an emulator app seeded
//! from the same form, records added through the generated structs and read back equal, typed
//! queries, and the form read over HTTP.

use std::collections::BTreeMap;

use futures_util::StreamExt;
use kintone_api::typed::Row;
use kintone_api::{
    Client, Date, DateTime, Decimal, Entity, FileInfo, FilePart, KintoneRecord, RecordUpdate, Time,
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

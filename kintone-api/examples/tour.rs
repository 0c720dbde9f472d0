//! A guided tour of the kintone client, run against the local emulator:
//!
//! ```sh
//! cargo run --example tour
//! ```
//!
//! To run the same tour against a real kintone, give it an app whose form has the fields
//! `Title` (text, required), `Amount` (number) and `Attachment` (attachment), and an API token
//! of that app with view, add, edit and delete permissions:
//!
//! ```sh
//! KINTONE_BASE_URL=https://example.kintone.com KINTONE_API_TOKEN=… KINTONE_APP=12 cargo run --example tour
//! ```
//!
//! The last step changes the app's form and deploys it, which needs kintone's app management
//! permission (a token with view, add, edit and delete has none): it runs when
//! `KINTONE_USERNAME` and `KINTONE_PASSWORD` name a user who manages the app. The emulator's
//! tour does the same: its token has the four record permissions only, and the user `admin`
//! manages the app.

use futures_util::StreamExt;
use kintone_api::query::{Order, Query};
use kintone_api::types::{DeployStatus, FieldProperties, NumberProperties};
use kintone_api::{
    BulkRequest, Client, CommentInput, Decimal, DeployTarget, Error, FieldInput, FilePart,
    KintoneRecord, RecordInput,
};

/// A record of the tour's app as a plain struct (`kintone-form` writes these from an app's form).
#[derive(Debug, Clone, PartialEq, KintoneRecord)]
struct Supply {
    #[kintone(code = "Title")]
    title: String,
    #[kintone(code = "Amount")]
    amount: Option<Decimal>,
}
use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType, Permissions};

fn record(title: &str, amount: i64) -> RecordInput {
    RecordInput::from([
        ("Title".to_string(), FieldInput::single_line_text(title)),
        (
            "Amount".to_string(),
            FieldInput::number(Decimal::from(amount)),
        ),
    ])
}

fn step(n: u32, text: &str) {
    println!("\n{n}. {text}");
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the emulator alive for the whole tour when there is no real kintone to talk to.
    let (_emulator, client, admin, app) = connect().await?;

    step(
        1,
        "Add three records in one request (at most 100 per request).",
    );
    let added = client
        .records()
        .add_records(
            app,
            [
                record("Pens", 120),
                record("Paper", 800),
                record("Ink", 2500),
            ],
        )
        .send()
        .await?;
    println!(
        "   kintone gave them the ids {:?}, each at revision 1.",
        added.ids.iter().map(|i| i.get()).collect::<Vec<_>>()
    );

    step(
        2,
        "Ask for the records costing more than 500, most expensive first.",
    );
    let page = client
        .records()
        .get_records(app)
        .query("Amount > 500 order by Amount desc")
        .fields(["$id", "Title", "Amount"])
        .total_count(true)
        .send()
        .await?;
    for r in &page.records {
        println!(
            "   - {} costs {}",
            r["Title"].as_text().unwrap_or("?"),
            r["Amount"].as_decimal().map_or("?", |d| d.as_str())
        );
    }
    println!(
        "   {} records matched. kintone sent the numbers as text; the client keeps them exact.",
        page.total_count.unwrap_or(0)
    );
    let load = page.concurrency();
    if let (Some(running), Some(limit)) = (load.running, load.limit) {
        println!("   The domain is running {running} of the {limit} requests it allows at once.");
    }

    step(
        3,
        "Update a record, saying which revision we read, so nobody else's change is overwritten.",
    );
    let id = added.ids[0];
    let updated = client
        .records()
        .update_record(app)
        .id(id)
        .revision(1u64)
        .record(record("Pens (blue)", 130))
        .send()
        .await?;
    println!("   Record {id} is now at revision {}.", updated.revision);

    step(
        4,
        "Try the same update again with the old revision: kintone refuses it.",
    );
    match client
        .records()
        .update_record(app)
        .id(id)
        .revision(1u64)
        .record(record("Pens (red)", 140))
        .send()
        .await
    {
        Err(e) => println!(
            "   Refused as expected: HTTP {}, code {}. Read the record again, then retry.",
            e.status().map_or(0, |s| s.as_u16()),
            e.code().unwrap_or("none")
        ),
        Ok(_) => println!("   Unexpectedly accepted."),
    }

    step(
        5,
        "Send several writes as one bulk request: all of them happen, or none.",
    );
    let bulk = BulkRequest::new()
        .push(kintone_api::types::AddRecordRequest::new(app).record(record("Stapler", 900)))
        .push(kintone_api::types::DeleteRecordsRequest::new(
            app,
            [added.ids[2]],
        ));
    let results = client.send_bulk(bulk).await?;
    let stapler = results.result_of::<kintone_api::types::AddRecordRequest>(0)?;
    println!(
        "   Added the stapler as record {} and deleted record {} in one transaction.",
        stapler.id, added.ids[2]
    );

    step(
        6,
        "Comment on a record and read the comments back (at most 10 per read).",
    );
    client
        .comments()
        .add_record_comment(app, id, CommentInput::new("Ordered 3 boxes."))
        .send()
        .await?;
    let comments = client
        .comments()
        .get_record_comments(app, id)
        .send()
        .await?;
    for c in &comments.comments {
        println!(
            "   {} wrote at {}: {}",
            c.creator.code, c.created_at, c.text
        );
    }

    step(
        7,
        "Upload a file, attach it to a record, and download it again.",
    );
    let upload = client
        .files()
        .upload_file(FilePart::new("order.txt", "3 boxes of pens\n").content_type("text/plain"))
        .send()
        .await?;
    let attach = RecordInput::from([(
        "Attachment".to_string(),
        FieldInput::file([kintone_api::FileRef::new(upload.file_key.clone())]),
    )]);
    client
        .records()
        .update_record(app)
        .id(id)
        .record(attach)
        .send()
        .await?;
    let with_file = client.records().get_record(app, id).send().await?;
    let file = &with_file.record["Attachment"]
        .as_files()
        .unwrap_or_default()[0];
    let bytes = client
        .files()
        .download_file(file.file_key.clone())
        .send()
        .await?;
    println!(
        "   Downloaded {} ({} bytes): {:?}",
        file.name,
        bytes.bytes().len(),
        String::from_utf8_lossy(bytes.bytes())
    );

    step(
        8,
        "Make a mistake on purpose and read the error kintone sends back.",
    );
    match client
        .records()
        .get_records(app)
        .query("Colour = \"blue\"")
        .send()
        .await
    {
        Err(Error::Api(e)) => {
            println!(
                "   HTTP {}: {} (code {}, error id {} for kintone support)",
                e.status, e.message, e.code, e.id
            );
        }
        other => println!("   Unexpected: {other:?}"),
    }

    step(
        9,
        "Break a documented limit: the client stops it before anything is sent.",
    );
    let too_many: Vec<RecordInput> = (0..101).map(|i| record(&format!("Item {i}"), i)).collect();
    match client.records().add_records(app, too_many).send().await {
        Err(e @ Error::Limit(_)) => println!("   {e}. Nothing left this machine."),
        other => println!("   Unexpected: {other:?}"),
    }

    step(
        10,
        "Add 250 records with one call, then read every record back as a stream.",
    );
    let boxes = (0..250).map(|i| record(&format!("Box {i}"), i));
    let report = client
        .add_all(app, boxes)
        .on_progress(|p| println!("   {} of {} records written", p.done, p.total))
        .send()
        .await?;
    println!(
        "   kintone wrote them in as few requests as it allows; the last is record {}.",
        report.committed().last().map_or(0, |r| r.id.get())
    );
    let mut records = client.record_stream(app).fields(["Title"]).build();
    let mut count = 0;
    while let Some(record) = records.next().await {
        record?;
        count += 1;
    }
    println!("   Read {count} records back, a page at a time, without holding them all in memory.");
    // Passed on as they came (here as JSON Lines): kintone's own text, decoded only on demand.
    let mut raw = client.record_stream(app).fields(["Title"]).raw();
    let mut lines = Vec::new();
    while let Some(record) = raw.next().await {
        lines.extend_from_slice(record?.json().as_bytes());
        lines.push(b'\n');
    }
    println!(
        "   Exported them as {} bytes of JSON Lines without decoding a value; the first: {}",
        lines.len(),
        String::from_utf8_lossy(lines.split(|b| *b == b'\n').next().unwrap_or_default())
    );

    step(
        11,
        "Change the form: add a field to the pre-live settings, deploy, and use it in a record.",
    );
    match admin {
        Some(admin) => {
            let field = NumberProperties::new("Discount").label("Discount (%)");
            let changed = admin
                .form()
                .add_form_fields(
                    app,
                    [("Discount".to_string(), FieldProperties::Number(field))],
                )
                .send()
                .await?;
            // Deploy and wait until kintone says the deploy ended (bounded; a timeout is an error).
            let outcome = admin
                .deploy_and_wait([DeployTarget::new(app).revision(changed.revision)])
                .send()
                .await?;
            let status = outcome.status(app).unwrap_or(DeployStatus::Unknown);
            println!("   The deploy ended in {status}; the live form has the field now.");
            let mut input = record("Stapler", 900);
            input.insert(
                "Discount".to_string(),
                FieldInput::number(Decimal::from(10)),
            );
            let added = client
                .records()
                .add_record(app)
                .record(input)
                .send()
                .await?;
            println!("   Record {} holds a discount of 10%.", added.id.get());
        }
        None => println!(
            "   Skipped: set KINTONE_USERNAME and KINTONE_PASSWORD of an app administrator."
        ),
    }

    step(
        12,
        "Write and read records as Rust structs, with queries the compiler checks.",
    );
    let crates = [3000, 4500].map(|amount| Supply {
        title: format!("Crate of {}", amount / 100),
        amount: Some(Decimal::from(amount)),
    });
    client.add_all(app, crates).send().await?;
    // `Supply::AMOUNT.like(…)` or `Supply::AMUONT` would not compile.
    let query = Query::new()
        .filter(Supply::AMOUNT.ge(2000).and(Supply::TITLE.like("Crate")))
        .order_by(Supply::AMOUNT.code(), Order::Desc)
        .build()?;
    let mut supplies = client.record_stream(app).query(query).typed::<Supply>();
    while let Some(supply) = supplies.next().await {
        let supply = supply?;
        println!(
            "   {} for {}",
            supply.title,
            supply.amount.as_ref().map_or("?", |a| a.as_str())
        );
    }

    println!("\nThat is the tour. The client's documentation: `cargo doc -p kintone-api --open`.");
    Ok(())
}

/// A real kintone from the environment, or an emulator started here with a matching app.
///
/// The second client signs in as a user who may change the app's settings, when there is one.
#[allow(clippy::type_complexity)]
async fn connect(
) -> Result<(Option<Emulator>, Client, Option<Client>, u64), Box<dyn std::error::Error>> {
    if let (Ok(url), Ok(token), Ok(app)) = (
        std::env::var("KINTONE_BASE_URL"),
        std::env::var("KINTONE_API_TOKEN"),
        std::env::var("KINTONE_APP"),
    ) {
        println!("Touring the kintone at {url}, app {app}.");
        let client = Client::builder(url.as_str()).api_token(token).build()?;
        let admin = match (
            std::env::var("KINTONE_USERNAME"),
            std::env::var("KINTONE_PASSWORD"),
        ) {
            (Ok(login), Ok(password)) => Some(
                Client::builder(url.as_str())
                    .password(login, password)
                    .build()?,
            ),
            _ => None,
        };
        return Ok((None, client, admin, app.parse()?));
    }
    let app = AppSeed::new(1, "Office supplies")
        .field(FieldSeed::new("Title", FieldType::SingleLineText).required())
        .field(FieldSeed::new("Amount", FieldType::Number))
        .field(FieldSeed::new("Attachment", FieldType::File));
    let emulator = Emulator::builder()
        // `admin` manages the app (changes its form, deploys); the token reads and writes records.
        .app(app.manager("admin"))
        .api_token("TOUR-TOKEN", 1, Permissions::RECORDS)
        .user("admin", "tour-password")
        .start()
        .await?;
    println!(
        "Started a local kintone emulator at {} with an app \"Office supplies\" (app 1).",
        emulator.base_url()
    );
    println!(
        "(Set KINTONE_BASE_URL, KINTONE_API_TOKEN and KINTONE_APP to tour a real kintone instead.)"
    );
    let client = Client::builder(emulator.base_url())
        .api_token("TOUR-TOKEN")
        .build()?;
    let admin = Client::builder(emulator.base_url())
        .password("admin", "tour-password")
        .build()?;
    Ok((Some(emulator), client, Some(admin), 1))
}

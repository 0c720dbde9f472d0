//! The emulator answers as kintone does where tests depend on it (facts graded in
//! `shared/reference/verified-behaviours.md`): `fields` without automatic `$id`, OAuth scopes,
//! `X-Cybozu-Error` on every error, exact numbers, subtable conditions, time zones, every field
//! type's validation, lookups, calculated fields and kintone's codes.

use std::time::{Duration, SystemTime};

use kintone_emulator::{
    AppSeed, Emulator, Failure, FieldSeed, FieldType, LinkProtocol, LookupSeed, ManualClock,
    Permissions, UserSeed,
};
use serde_json::{json, Value};

/// 2024-08-31T23:30:00Z: still August in UTC, already 1 September in Tokyo.
const LATE_AUGUST: u64 = 1_725_147_000;

fn orders() -> AppSeed {
    let lines = FieldSeed::new("Lines", FieldType::Subtable).fields([
        FieldSeed::new("Item", FieldType::SingleLineText),
        FieldSeed::new("Qty", FieldType::Number),
    ]);
    AppSeed::new(1, "Orders")
        .field(FieldSeed::new("Title", FieldType::SingleLineText))
        .field(FieldSeed::new("Amount", FieldType::Number))
        .field(FieldSeed::new("Choice", FieldType::RadioButton).options(["a", "b"]))
        .field(FieldSeed::new("Many", FieldType::MultiSelect).options(["x", "y"]))
        .field(FieldSeed::new("Owner", FieldType::UserSelect))
        .field(FieldSeed::new("Team", FieldType::OrganizationSelect))
        .field(FieldSeed::new("Crew", FieldType::GroupSelect))
        .field(FieldSeed::new("Site", FieldType::Link))
        .field(FieldSeed::new("Mail", FieldType::Link).protocol(LinkProtocol::Mail))
        .field(FieldSeed::new("Phone", FieldType::Link).protocol(LinkProtocol::Call))
        .field(FieldSeed::new("Due", FieldType::Date))
        .field(FieldSeed::new("At", FieldType::Time))
        .field(FieldSeed::new("When", FieldType::Datetime))
        .field(lines)
        .field(FieldSeed::new("Total", FieldType::Calc).expression("Amount * 2 + SUM(Qty)"))
        .field(
            FieldSeed::new("Customer", FieldType::SingleLineText)
                .lookup(LookupSeed::new(2, "CustomerCode").map("CustomerName", "Name")),
        )
        .field(FieldSeed::new("CustomerName", FieldType::SingleLineText))
}

fn customers() -> AppSeed {
    AppSeed::new(2, "Customers")
        .field(FieldSeed::new("CustomerCode", FieldType::SingleLineText).unique())
        .field(FieldSeed::new("Name", FieldType::SingleLineText))
}

async fn start() -> Emulator {
    Emulator::builder()
        .app(orders())
        .app(customers())
        .api_token("TOKEN", 1, Permissions::ALL)
        .api_token("VIEW", 1, Permissions::VIEW)
        .user("sato", "pw")
        .user_seed(
            UserSeed::new("tanaka", "pw")
                .name("Tanaka")
                .time_zone("+09:00"),
        )
        .organization("sales", "Sales")
        .group("admins", "Admins")
        .oauth_token("READ", "sato", ["k:app_record:read"])
        .oauth_token("WRITE", "sato", ["k:app_record:read", "k:app_record:write"])
        .oauth_token("FILES", "sato", ["k:file:write"])
        .clock(ManualClock::starting_at(
            SystemTime::UNIX_EPOCH + Duration::from_secs(LATE_AUGUST),
        ))
        .start()
        .await
        .expect("the emulator starts")
}

/// How a request authenticates.
#[derive(Clone, Copy)]
enum As {
    Token(&'static str),
    Bearer(&'static str),
    /// `X-Cybozu-Authorization`: base64 of `login:password`.
    Password(&'static str),
}

/// `tanaka:pw`, whose time zone is Tokyo's.
const TANAKA: As = As::Password("dGFuYWthOnB3");

/// One answer: status, `X-Cybozu-Error`, body.
struct Answer {
    status: u16,
    error_header: Option<String>,
    body: Value,
}

impl Answer {
    /// The status and code of an error, checking that the header and the body agree.
    fn error(&self) -> (u16, &str) {
        let code = self.body["code"]
            .as_str()
            .expect("an error body has a code");
        assert_eq!(
            self.error_header.as_deref(),
            Some(code),
            "X-Cybozu-Error names the body's code: {}",
            self.body
        );
        (self.status, code)
    }

    fn ok(&self) -> &Value {
        assert_eq!(self.status, 200, "{}", self.body);
        &self.body
    }
}

/// A JSON request; GETs go as POST with the method override, as the client sends long ones.
async fn call(emulator: &Emulator, who: As, method: &str, api: &str, body: Value) -> Answer {
    let http = reqwest::Client::new();
    let url = format!("{}/k/v1/{api}", emulator.base_url());
    let request = match method {
        "GET" => http.post(url).header("X-HTTP-Method-Override", "GET"),
        "PUT" => http.put(url),
        "DELETE" => http.delete(url),
        _ => http.post(url),
    };
    let request = match who {
        As::Token(t) => request.header("X-Cybozu-API-Token", t),
        As::Bearer(t) => request.header("Authorization", format!("Bearer {t}")),
        As::Password(pair) => request.header("X-Cybozu-Authorization", pair),
    };
    let r = request
        .json(&body)
        .send()
        .await
        .expect("the emulator answers");
    let status = r.status().as_u16();
    let error_header = r
        .headers()
        .get("x-cybozu-error")
        .map(|v| v.to_str().unwrap().to_string());
    let body = r.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        error_header,
        body,
    }
}

async fn add(emulator: &Emulator, record: Value) -> Answer {
    call(
        emulator,
        As::Token("TOKEN"),
        "POST",
        "record.json",
        json!({"app": 1, "record": record}),
    )
    .await
}

async fn get(emulator: &Emulator, id: u64) -> Value {
    call(
        emulator,
        As::Token("TOKEN"),
        "GET",
        "record.json",
        json!({"app": 1, "id": id}),
    )
    .await
    .ok()["record"]
        .clone()
}

async fn ids(emulator: &Emulator, who: As, query: &str) -> Vec<u64> {
    let answer = call(
        emulator,
        who,
        "GET",
        "records.json",
        json!({"app": 1, "query": query, "fields": ["$id"]}),
    )
    .await;
    answer.ok()["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["$id"]["value"].as_str().unwrap().parse().unwrap())
        .collect()
}

fn id_of(answer: &Answer) -> u64 {
    answer.ok()["id"].as_str().unwrap().parse().unwrap()
}

/// verified-behaviours §1: with `fields`, kintone answers only the fields named; a seek loop
/// that leaves `$id` out of `fields` has nothing to seek from.
#[tokio::test]
async fn fields_returns_only_the_fields_named_and_id_only_when_asked() {
    let emulator = start().await;
    for i in 0..3 {
        add(&emulator, json!({"Title": {"value": format!("r{i}")}}))
            .await
            .ok();
    }
    let page = |fields: Value| {
        call(
            &emulator,
            As::Token("TOKEN"),
            "GET",
            "records.json",
            json!({"app": 1, "query": "$id > 0 order by $id asc limit 2", "fields": fields}),
        )
    };
    let without = page(json!(["Title"])).await;
    let record = &without.ok()["records"][0];
    assert_eq!(record["Title"]["value"], "r0");
    assert!(
        record.get("$id").is_none() && record.get("$revision").is_none(),
        "{record}"
    );
    assert_eq!(record.as_object().unwrap().len(), 1);

    let with = page(json!(["$id", "Title"])).await;
    let record = &with.ok()["records"][1];
    assert_eq!(record["$id"], json!({"type": "__ID__", "value": "2"}));
    assert!(record.get("$revision").is_none());

    // No `fields`: every field, `$id` and `$revision` included.
    let all = call(
        &emulator,
        As::Token("TOKEN"),
        "GET",
        "records.json",
        json!({"app": 1}),
    )
    .await;
    let record = &all.ok()["records"][0];
    assert_eq!(record["$revision"]["type"], "__REVISION__");
    assert_eq!(record["Record_number"]["type"], "RECORD_NUMBER");

    // Cursors read `fields` the same way.
    let cursor = call(
        &emulator,
        As::Token("TOKEN"),
        "POST",
        "records/cursor.json",
        json!({"app": 1, "fields": ["Title"]}),
    )
    .await;
    let id = cursor.ok()["id"].as_str().unwrap().to_string();
    let read = call(
        &emulator,
        As::Token("TOKEN"),
        "GET",
        "records/cursor.json",
        json!({ "id": id }),
    )
    .await;
    let record = &read.ok()["records"][0];
    assert!(record.get("$id").is_none(), "{record}");
}

/// verified-behaviours §5: a bearer token works within its scopes; outside them 403 `CB_OA01`.
#[tokio::test]
async fn oauth_tokens_act_within_their_scopes() {
    let emulator = start().await;
    let read = call(
        &emulator,
        As::Bearer("READ"),
        "GET",
        "records.json",
        json!({"app": 1}),
    )
    .await;
    read.ok();
    let write_with_read = call(
        &emulator,
        As::Bearer("READ"),
        "POST",
        "record.json",
        json!({"app": 1, "record": {}}),
    )
    .await;
    assert_eq!(write_with_read.error(), (403, "CB_OA01"));

    let added = call(
        &emulator,
        As::Bearer("WRITE"),
        "POST",
        "record.json",
        json!({"app": 1, "record": {"Title": {"value": "by oauth"}}}),
    )
    .await;
    let record = get(&emulator, id_of(&added)).await;
    assert_eq!(
        record["Created_by"]["value"]["code"], "sato",
        "the token acts as its user"
    );

    // Inside a bulk request each request's scope is checked.
    let bulk = call(
        &emulator,
        As::Bearer("READ"),
        "POST",
        "bulkRequest.json",
        json!({"requests": [{"method": "POST", "api": "/k/v1/record.json", "payload": {"app": 1, "record": {}}}]}),
    )
    .await;
    assert_eq!(bulk.status, 403);
    assert_eq!(bulk.body["results"][0]["code"], "CB_OA01");
    assert_eq!(bulk.error_header.as_deref(), Some("CB_OA01"));

    // Files have scopes of their own.
    let upload = reqwest::Client::new()
        .post(format!("{}/k/v1/file.json", emulator.base_url()))
        .bearer_auth("WRITE")
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(b"hello".to_vec()).file_name("a.txt"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status().as_u16(), 403);
    let upload = reqwest::Client::new()
        .post(format!("{}/k/v1/file.json", emulator.base_url()))
        .bearer_auth("FILES")
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(b"hello".to_vec()).file_name("a.txt"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status().as_u16(), 200);

    let unknown = call(
        &emulator,
        As::Bearer("NOPE"),
        "GET",
        "records.json",
        json!({"app": 1}),
    )
    .await;
    assert_eq!(unknown.error(), (401, "CB_AU01"));
}

/// The client's `oauth_token` reaches the emulator as kintone expects it.
#[tokio::test]
async fn the_clients_oauth_token_is_accepted() {
    let emulator = start().await;
    let client = kintone_api::Client::builder(emulator.base_url())
        .oauth_token("READ")
        .build()
        .unwrap();
    client.records().get_records(1u64).send().await.unwrap();
    let err = client
        .records()
        .add_record(1u64)
        .record(kintone_api::RecordInput::new())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.status().unwrap().as_u16(), err.code()),
        (403, Some("CB_OA01"))
    );
}

/// Every error the emulator answers names its code in `X-Cybozu-Error`: validation, missing
/// records, authentication, permissions, failed bulk requests and injected JSON failures.
#[tokio::test]
async fn every_error_answer_names_its_code_in_x_cybozu_error() {
    let emulator = start().await;
    let invalid = add(&emulator, json!({"Amount": {"value": "ten"}})).await;
    assert_eq!(invalid.error(), (400, "CB_VA01"));
    let missing = call(
        &emulator,
        As::Token("TOKEN"),
        "GET",
        "record.json",
        json!({"app": 1, "id": 99}),
    )
    .await;
    assert_eq!(missing.error(), (404, "GAIA_RE01"));
    let unknown_token = call(
        &emulator,
        As::Token("NOPE"),
        "GET",
        "records.json",
        json!({"app": 1}),
    )
    .await;
    assert_eq!(unknown_token.error(), (400, "GAIA_IA02"));
    let view_only = add_as(&emulator, "VIEW").await;
    assert_eq!(view_only.error(), (403, "GAIA_NO01"));
    let bulk = call(
        &emulator,
        As::Token("TOKEN"),
        "POST",
        "bulkRequest.json",
        json!({"requests": [
            {"method": "POST", "api": "/k/v1/record.json", "payload": {"app": 1, "record": {}}},
            {"method": "PUT", "api": "/k/v1/record.json", "payload": {"app": 1, "id": 77, "record": {}}}
        ]}),
    )
    .await;
    assert_eq!(bulk.status, 404);
    assert_eq!(bulk.error_header.as_deref(), Some("GAIA_RE01"));
    assert_eq!(bulk.body["results"][0], json!({}));

    emulator.inject(Failure::json(
        503,
        json!({"id": "x", "code": "GAIA_DA02", "message": "busy"}),
    ));
    let injected = call(
        &emulator,
        As::Token("TOKEN"),
        "GET",
        "records.json",
        json!({"app": 1}),
    )
    .await;
    assert_eq!(injected.error(), (503, "GAIA_DA02"));
}

async fn add_as(emulator: &Emulator, token: &'static str) -> Answer {
    call(
        emulator,
        As::Token(token),
        "POST",
        "record.json",
        json!({"app": 1, "record": {}}),
    )
    .await
}

/// kintone compares numbers as decimals: 17-digit values and `0.1` against `0.10` are exact.
#[tokio::test]
async fn number_conditions_compare_exact_decimals() {
    let emulator = start().await;
    let mut id = Vec::new();
    for amount in [
        "0.1",
        "0.10",
        "900719925474.0993",
        "900719925474.0992",
        "-3",
    ] {
        id.push(id_of(
            &add(&emulator, json!({"Amount": {"value": amount}})).await,
        ));
    }
    let token = As::Token("TOKEN");
    assert_eq!(
        ids(&emulator, token, "Amount = 0.1 order by $id asc").await,
        [id[0], id[1]]
    );
    assert_eq!(
        ids(&emulator, token, "Amount > 900719925474.0992").await,
        [id[2]],
        "f64 reads both as the same number"
    );
    assert_eq!(
        ids(&emulator, token, r#"Amount in ("-3.0")"#).await,
        [id[4]]
    );
    assert_eq!(
        ids(&emulator, token, "order by Amount asc").await,
        [id[4], id[0], id[1], id[3], id[2]]
    );
}

/// Fields inside a subtable take `in`, `not in`, `like` and comparisons (some row matches; a
/// negative condition needs every row and at least one); `=` and `!=` are `GAIA_IQ07`.
#[tokio::test]
async fn subtable_fields_are_queried_as_kintone_allows() {
    let emulator = start().await;
    let rows = |items: &[(&str, &str)]| json!({"Lines": {"value": items.iter().map(|(i, q)| json!({"value": {"Item": {"value": i}, "Qty": {"value": q}}})).collect::<Vec<_>>()}});
    let pen_ink = id_of(&add(&emulator, rows(&[("pen", "2"), ("ink", "5")])).await);
    let pen = id_of(&add(&emulator, rows(&[("pen", "1")])).await);
    let empty = id_of(&add(&emulator, rows(&[])).await);
    let token = As::Token("TOKEN");
    assert_eq!(ids(&emulator, token, r#"Item in ("ink")"#).await, [pen_ink]);
    assert_eq!(
        ids(&emulator, token, r#"Item not in ("ink")"#).await,
        [pen],
        "a record without rows never matches a negative condition"
    );
    assert_eq!(ids(&emulator, token, r#"Item like "in""#).await, [pen_ink]);
    assert_eq!(ids(&emulator, token, "Qty >= 2").await, [pen_ink]);
    let all = ids(&emulator, token, r#"Item not in ("x")"#).await;
    assert_eq!(all, [pen, pen_ink]);
    assert!(!all.contains(&empty));
    let refused = call(
        &emulator,
        token,
        "GET",
        "records.json",
        json!({"app": 1, "query": r#"Item = "pen""#}),
    )
    .await;
    assert_eq!(refused.error(), (400, "GAIA_IQ07"));
}

/// `TODAY()`, `THIS_MONTH()` and date conditions on date-times read the caller's time zone, on
/// the emulator's clock (here 2024-08-31T23:30Z: 1 September in Tokyo).
#[tokio::test]
async fn date_functions_follow_the_callers_time_zone() {
    let emulator = start().await;
    let august = id_of(
        &add(
            &emulator,
            json!({"Due": {"value": "2024-08-31"}, "When": {"value": "2024-08-31T20:00:00Z"}}),
        )
        .await,
    );
    let september = id_of(
        &add(
            &emulator,
            json!({"Due": {"value": "2024-09-01"}, "When": {"value": "2024-09-01T01:00:00+09:00"}}),
        )
        .await,
    );
    let utc = As::Token("TOKEN");
    let tokyo = TANAKA;
    assert_eq!(ids(&emulator, utc, "Due = TODAY()").await, [august]);
    assert_eq!(ids(&emulator, tokyo, "Due = TODAY()").await, [september]);
    assert_eq!(ids(&emulator, utc, "Due = THIS_MONTH()").await, [august]);
    assert_eq!(
        ids(&emulator, tokyo, "Due = THIS_MONTH()").await,
        [september]
    );
    // 2024-08-31T20:00Z is 1 September 05:00 in Tokyo; 2024-08-31T16:00Z is 1 September 01:00.
    assert_eq!(
        ids(&emulator, tokyo, r#"When = "2024-09-01" order by $id asc"#).await,
        [august, september]
    );
    assert_eq!(
        ids(&emulator, utc, r#"When = "2024-08-31" order by $id asc"#).await,
        [august, september]
    );
    // Record times come from the same clock, in UTC to the minute.
    let record = get(&emulator, august).await;
    assert_eq!(record["Created_datetime"]["value"], "2024-08-31T23:30:00Z");
}

/// Every field type refuses what kintone refuses, naming the value in `errors`, and stores
/// what it accepts in kintone's form (O20–O23).
#[tokio::test]
async fn every_field_type_is_validated_as_kintone_validates_it() {
    let emulator = start().await;
    let refused = |record: Value, key: &'static str| {
        let emulator = &emulator;
        async move {
            let answer = add(emulator, record.clone()).await;
            assert_eq!(answer.error(), (400, "CB_VA01"), "{record}");
            assert!(
                answer.body["errors"].get(key).is_some(),
                "{key} in {}",
                answer.body
            );
        }
    };
    refused(json!({"Choice": {"value": "c"}}), "record.Choice.value").await;
    refused(
        json!({"Many": {"value": ["x", "z"]}}),
        "record.Many.values[1].value",
    )
    .await;
    refused(
        json!({"Owner": {"value": [{"code": "nobody"}]}}),
        "record.Owner.value",
    )
    .await;
    refused(
        json!({"Team": {"value": [{"code": "nowhere"}]}}),
        "record.Team.value",
    )
    .await;
    refused(
        json!({"Crew": {"value": [{"code": "nogroup"}]}}),
        "record.Crew.value",
    )
    .await;
    refused(
        json!({"Site": {"value": "example.com"}}),
        "record.Site.value",
    )
    .await;
    refused(
        json!({"Mail": {"value": "not-an-address"}}),
        "record.Mail.value",
    )
    .await;
    refused(json!({"Phone": {"value": "call me"}}), "record.Phone.value").await;
    refused(
        json!({"Amount": {"value": "1234567890123"}}),
        "record.Amount.value",
    )
    .await;
    refused(json!({"Amount": {"value": "1,000"}}), "record.Amount.value").await;
    refused(json!({"Due": {"value": "2024-02-30"}}), "record.Due.value").await;
    refused(json!({"Due": {"value": "0999-01-01"}}), "record.Due.value").await;
    refused(json!({"At": {"value": "25:00"}}), "record.At.value").await;
    refused(json!({"When": {"value": "yesterday"}}), "record.When.value").await;
    refused(
        json!({"Lines": {"value": [{"value": {"Qty": {"value": "x"}}}]}}),
        "record.Lines.value[0].value.Qty.value",
    )
    .await;

    let added = add(
        &emulator,
        json!({
            "Choice": {"value": "b"}, "Many": {"value": ["y"]},
            "Owner": {"value": [{"code": "tanaka"}]}, "Team": {"value": [{"code": "sales"}]},
            "Crew": {"value": [{"code": "admins"}]},
            "Site": {"value": "https://example.com/a"}, "Mail": {"value": "a@example.com"},
            "Phone": {"value": "+81 (3) 1234-5678"}, "Amount": {"value": "123456789012.5"},
            "Due": {"value": "2024-8"}, "At": {"value": "09:05"},
            "When": {"value": "2024-08-22T07:23:59-08:00"},
        }),
    )
    .await;
    let r = get(&emulator, id_of(&added)).await;
    assert_eq!(
        r["Owner"]["value"],
        json!([{"code": "tanaka", "name": "Tanaka"}])
    );
    assert_eq!(
        r["Team"]["value"],
        json!([{"code": "sales", "name": "Sales"}])
    );
    assert_eq!(
        r["Due"]["value"], "2024-08-01",
        "O20: short dates are filled with 01"
    );
    assert_eq!(r["At"]["value"], "09:05");
    assert_eq!(
        r["When"]["value"], "2024-08-22T15:23:00Z",
        "O23: UTC, seconds dropped"
    );
    assert_eq!(r["Amount"]["value"], "123456789012.5");
}

/// Subtable rows carry ids of their own: kept when an update names them, new otherwise; the
/// calculated field is recomputed on every write.
#[tokio::test]
async fn subtable_rows_keep_their_ids_and_calculated_fields_are_recomputed() {
    let emulator = start().await;
    let added = add(
        &emulator,
        json!({"Amount": {"value": "1.5"}, "Lines": {"value": [
            {"value": {"Item": {"value": "pen"}, "Qty": {"value": "2"}}},
            {"value": {"Item": {"value": "ink"}, "Qty": {"value": "0.25"}}}
        ]}}),
    )
    .await;
    let id = id_of(&added);
    let r = get(&emulator, id).await;
    assert_eq!(r["Total"], json!({"type": "CALC", "value": "5.25"}));
    let rows = r["Lines"]["value"].as_array().unwrap().clone();
    let (first, second) = (rows[0]["id"].clone(), rows[1]["id"].clone());
    assert_ne!(first, second);
    assert!(first.is_string());

    // Keep the second row (only its quantity changes), drop the first, add one.
    let updated = call(
        &emulator,
        As::Token("TOKEN"),
        "PUT",
        "record.json",
        json!({"app": 1, "id": id, "record": {"Lines": {"value": [
            {"id": second, "value": {"Qty": {"value": "4"}}},
            {"value": {"Item": {"value": "pad"}}}
        ]}}}),
    )
    .await;
    updated.ok();
    let r = get(&emulator, id).await;
    let rows = r["Lines"]["value"].as_array().unwrap();
    assert_eq!(rows[0]["id"], second);
    assert_eq!(
        rows[0]["value"]["Item"]["value"], "ink",
        "unwritten cells stay"
    );
    assert_eq!(rows[0]["value"]["Qty"]["value"], "4");
    assert_ne!(rows[1]["id"], first, "a new row gets a new id");
    assert_eq!(r["Total"]["value"], "7", "1.5 * 2 + 4 + 0");
}

/// O29 and verified-behaviours §2.1: a lookup copies the source record's fields; a key no
/// source record has is 400 `GAIA_LO04` without `errors`.
#[tokio::test]
async fn lookups_copy_from_the_source_app() {
    let emulator = start().await;
    emulator
        .insert_records(
            2,
            vec![json!({"CustomerCode": {"value": "C-1"}, "Name": {"value": "Acme"}})],
        )
        .unwrap();
    let added = add(&emulator, json!({"Customer": {"value": "C-1"}})).await;
    let r = get(&emulator, id_of(&added)).await;
    assert_eq!(r["CustomerName"]["value"], "Acme");
    let missing = add(&emulator, json!({"Customer": {"value": "C-9"}})).await;
    assert_eq!(missing.error(), (400, "GAIA_LO04"));
    assert!(missing.body.get("errors").is_none());

    // O29: a lookup keyed on a field that allows duplicates cannot be written through the API.
    let bad = Emulator::builder()
        .app(AppSeed::new(3, "Src").field(FieldSeed::new("Key", FieldType::SingleLineText)))
        .app(AppSeed::new(4, "Dst").field(
            FieldSeed::new("K", FieldType::SingleLineText).lookup(LookupSeed::new(3, "Key")),
        ))
        .start()
        .await;
    let Err(refusal) = bad else {
        panic!("a lookup on a key with duplicates is refused");
    };
    let refusal = refusal.to_string();
    assert!(refusal.contains("prohibits duplicate values"), "{refusal}");

    // O29: the record number is a key the API may write a lookup by.
    let by_number = Emulator::builder()
        .app(AppSeed::new(3, "Src").field(FieldSeed::new("Name", FieldType::SingleLineText)))
        .app(
            AppSeed::new(4, "Dst")
                .field(
                    FieldSeed::new("K", FieldType::Number)
                        .lookup(LookupSeed::new(3, "Record_number").map("Copied", "Name")),
                )
                .field(FieldSeed::new("Copied", FieldType::SingleLineText)),
        )
        .api_token("T4", 4, Permissions::ALL)
        .start()
        .await
        .unwrap();
    by_number
        .insert_records(3, vec![json!({"Name": {"value": "first"}})])
        .unwrap();
    let client = kintone_api::Client::builder(by_number.base_url())
        .api_token("T4")
        .build()
        .unwrap();
    let added = client
        .records()
        .add_record(4u64)
        .record(kintone_api::RecordInput::from([(
            "K".to_string(),
            kintone_api::FieldInput::number(kintone_api::Decimal::from(1u64)),
        )]))
        .send()
        .await
        .unwrap();
    let read = client
        .records()
        .get_record(4u64, added.id)
        .send()
        .await
        .unwrap();
    assert_eq!(read.record["Copied"].as_text(), Some("first"));
}

/// A failed bulk request undoes every write of the requests before it, record ids handed out
/// included.
#[tokio::test]
async fn a_failed_bulk_request_leaves_the_domain_as_it_was() {
    let emulator = start().await;
    let bulk = call(
        &emulator,
        As::Token("TOKEN"),
        "POST",
        "bulkRequest.json",
        json!({"requests": [
            {"method": "POST", "api": "/k/v1/records.json", "payload": {"app": 1, "records": [{"Title": {"value": "a"}}, {"Title": {"value": "b"}}]}},
            {"method": "POST", "api": "/k/v1/record.json", "payload": {"app": 1, "record": {"Amount": {"value": "x"}}}}
        ]}),
    )
    .await;
    assert_eq!(
        (bulk.status, bulk.error_header.as_deref()),
        (400, Some("CB_VA01"))
    );
    assert_eq!(bulk.body["results"][1]["code"], "CB_VA01");
    assert_eq!(bulk.body["results"][0], json!({}));
    assert_eq!(emulator.record_count(1), 0);
    let next = add(&emulator, json!({"Title": {"value": "after"}})).await;
    assert_eq!(
        id_of(&next),
        1,
        "ids handed out inside the failed bulk are given again"
    );
}

/// verified-behaviours §2.1: the 11th cursor is 429 `GAIA_TM12`; an unknown cursor 404
/// `GAIA_CN01`; a token without the permission 403 `GAIA_NO01`, a user without it `CB_NO02`.
#[tokio::test]
async fn cursor_and_permission_errors_carry_kintones_codes() {
    let emulator = start().await;
    for _ in 0..10 {
        call(
            &emulator,
            As::Token("TOKEN"),
            "POST",
            "records/cursor.json",
            json!({"app": 1}),
        )
        .await
        .ok();
    }
    let eleventh = call(
        &emulator,
        As::Token("TOKEN"),
        "POST",
        "records/cursor.json",
        json!({"app": 1}),
    )
    .await;
    assert_eq!(eleventh.error(), (429, "GAIA_TM12"));
    let unknown = call(
        &emulator,
        As::Token("TOKEN"),
        "DELETE",
        "records/cursor.json",
        json!({"id": "00000000-0000-0000-0000-000000000000"}),
    )
    .await;
    assert_eq!(unknown.error(), (404, "GAIA_CN01"));
    let denied = call(
        &emulator,
        As::Token("VIEW"),
        "DELETE",
        "records.json",
        json!({"app": 1, "ids": [1]}),
    )
    .await;
    assert_eq!(denied.error(), (403, "GAIA_NO01"));
}

/// A radio button nothing was written to reads as `""`, the string the spec gives its value
/// (`RadioButtonField`), never `null`, so the typed record decodes; a drop-down's is `null`.
#[tokio::test]
async fn an_unset_radio_button_is_an_empty_string_and_decodes() {
    let emulator = start().await;
    let id = id_of(&add(&emulator, json!({"Title": {"value": "no choice"}})).await);
    let record = get(&emulator, id).await;
    assert_eq!(record["Choice"]["value"], json!(""), "{record}");
    let client = kintone_api::Client::builder(emulator.base_url())
        .api_token("TOKEN")
        .build()
        .unwrap();
    let typed = client
        .records()
        .get_record(1u64, id)
        .send()
        .await
        .expect("the record decodes");
    assert!(matches!(
        &typed.record["Choice"],
        kintone_api::FieldValue::RadioButton(f) if f.value.is_empty()
    ));
}

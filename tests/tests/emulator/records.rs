//! The typed client against the emulator, end to end, for every operation of the records group.

use kintone_api::types::{
    CreateCursorRequest, DeleteRecordsRequest, Mention, MentionType, StatusChange,
    UpdateRecordRequest,
};
use kintone_api::{
    BulkRequest, CommentInput, Error, FieldInput, FieldValue, FilePart, RecordUpdate, UpdateKey,
};
use kintone_tests::*;

#[tokio::test]
async fn add_get_update_delete_one_record() {
    let (_emulator, client) = emulator_and_client().await;
    let input = record(
        "First",
        &[
            (
                "Amount",
                FieldInput::number(Some("123456789012.3456789".parse().unwrap())),
            ),
            ("Kind", FieldInput::drop_down("B")),
            ("Tags", FieldInput::check_box(["red", "blue"])),
            ("Due", FieldInput::date(Some("2024-8".parse().unwrap()))),
            (
                "When",
                FieldInput::datetime(Some("2024-08-22T07:23:59-08:00".parse().unwrap())),
            ),
        ],
    );
    let added = client
        .records()
        .add_record(1u64)
        .record(input)
        .send()
        .await
        .unwrap();
    assert_eq!(added.revision.get(), 1);

    let got = client
        .records()
        .get_record(1u64, added.id)
        .send()
        .await
        .unwrap();
    let r = &got.record;
    assert_eq!(r["Title"].as_text(), Some("First"));
    assert_eq!(
        r["Amount"].as_decimal().unwrap().as_str(),
        "123456789012.3456789"
    );
    assert_eq!(r["Kind"].as_text(), Some("B"));
    assert_eq!(r["Tags"].as_list().unwrap(), ["red", "blue"]);
    assert_eq!(
        r["Due"].as_date().unwrap().to_string(),
        "2024-08-01",
        "short dates filled with 01"
    );
    assert_eq!(
        r["When"].as_date_time().unwrap().to_string(),
        "2024-08-22T15:23:00Z",
        "UTC, seconds dropped"
    );
    assert!(matches!(r["$id"], FieldValue::Id(ref f) if f.value == added.id));
    assert!(r["Record_number"].is_computed());

    let updated = client
        .records()
        .update_record(1u64)
        .id(added.id)
        .revision(added.revision)
        .record(record("Renamed", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.revision.get(), 2);
    let conflict = client
        .records()
        .update_record(1u64)
        .id(added.id)
        .revision(1u64)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (conflict.status().unwrap().as_u16(), conflict.code()),
        (409, Some("GAIA_CO02"))
    );

    client
        .records()
        .delete_records(1u64, [added.id])
        .revisions([updated.revision])
        .send()
        .await
        .unwrap();
    let gone = client
        .records()
        .get_record(1u64, added.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (gone.status().unwrap().as_u16(), gone.code()),
        (404, Some("GAIA_RE01"))
    );
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let (_emulator, client) = emulator_and_client().await;
    let missing_title = kintone_api::RecordInput::from([(
        "Amount".to_string(),
        FieldInput::number(Some(5.into())),
    )]);
    let err = client
        .records()
        .add_record(1u64)
        .record(missing_title)
        .send()
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!((api.status.as_u16(), api.code.as_str()), (400, "CB_VA01"));
    assert!(
        api.errors.contains_key("record.Title.value"),
        "{:?}",
        api.errors
    );

    let bad_option = record("x", &[("Kind", FieldInput::drop_down("Z"))]);
    let err = client
        .records()
        .add_record(1u64)
        .record(bad_option)
        .send()
        .await
        .unwrap_err();
    assert!(err.api().unwrap().errors.contains_key("record.Kind.value"));

    client
        .records()
        .add_record(1u64)
        .record(record(
            "a",
            &[("Code", FieldInput::single_line_text("K-1"))],
        ))
        .send()
        .await
        .unwrap();
    let duplicate = record("b", &[("Code", FieldInput::single_line_text("K-1"))]);
    let err = client
        .records()
        .add_record(1u64)
        .record(duplicate)
        .send()
        .await
        .unwrap_err();
    assert!(err.api().unwrap().errors.contains_key("record.Code.value"));
}

#[tokio::test]
async fn update_by_update_key_and_upsert() {
    let (_emulator, client) = emulator_and_client().await;
    client
        .records()
        .add_record(1u64)
        .record(record(
            "a",
            &[("Code", FieldInput::single_line_text("K-1"))],
        ))
        .send()
        .await
        .unwrap();
    client
        .records()
        .update_record(1u64)
        .update_key(UpdateKey::new("Code", "K-1"))
        .record(record("by key", &[]))
        .send()
        .await
        .unwrap();
    let result = client
        .records()
        .update_records(
            1u64,
            [
                RecordUpdate::new()
                    .update_key(UpdateKey::new("Code", "K-1"))
                    .record(record("again", &[])),
                RecordUpdate::new()
                    .update_key(UpdateKey::new("Code", "K-2"))
                    .record(record("new", &[])),
            ],
        )
        .upsert(true)
        .send()
        .await
        .unwrap();
    use kintone_api::types::RecordUpdateResultOperation::{Insert, Update};
    assert_eq!(
        result
            .records
            .iter()
            .map(|r| r.operation.unwrap())
            .collect::<Vec<_>>(),
        vec![Update, Insert]
    );
    let page = client
        .records()
        .get_records(1u64)
        .query(r#"Code in ("K-1", "K-2") order by Code asc"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.records
            .iter()
            .map(|r| r["Title"].as_text().unwrap())
            .collect::<Vec<_>>(),
        vec!["again", "new"]
    );
}

#[tokio::test]
async fn many_records_are_all_or_nothing() {
    let (emulator, client) = emulator_and_client().await;
    let added = client
        .records()
        .add_records(1u64, [record("a", &[]), record("b", &[])])
        .send()
        .await
        .unwrap();
    assert_eq!(added.ids.len(), 2);
    let broken = client
        .records()
        .add_records(
            1u64,
            [
                record("c", &[]),
                record("d", &[("Amount", FieldInput::number(None))]),
                kintone_api::RecordInput::new(),
            ],
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        broken
            .api()
            .unwrap()
            .errors
            .contains_key("records[2].record.Title.value"),
        "{broken:?}"
    );
    assert_eq!(
        emulator.record_count(1),
        2,
        "nothing of the failed request was written"
    );
    let updates = added
        .ids
        .iter()
        .map(|id| RecordUpdate::new().id(*id).record(record("z", &[])));
    let updated = client
        .records()
        .update_records(1u64, updates)
        .send()
        .await
        .unwrap();
    assert!(updated.records.iter().all(|r| r.revision.get() == 2));
}

#[tokio::test]
async fn queries_fields_and_total_count() {
    let (emulator, client) = emulator_and_client().await;
    let seed: Vec<serde_json::Value> = (1..=30)
        .map(|i| {
            let kind = ["A", "B", "C"][i % 3];
            serde_json::json!({"Title": {"value": format!("r{i}")}, "Amount": {"value": i.to_string()}, "Kind": {"value": kind}})
        })
        .collect();
    emulator.insert_records(1, seed).unwrap();
    let page = client
        .records()
        .get_records(1u64)
        .query(r#"Amount >= 10 and Kind in ("A", "B") order by Amount desc limit 5 offset 2"#)
        .fields(["Title", "Amount"])
        .total_count(true)
        .send()
        .await
        .unwrap();
    assert_eq!(page.total_count, Some(14));
    let amounts: Vec<&str> = page
        .records
        .iter()
        .map(|r| r["Amount"].as_decimal().unwrap().as_str())
        .collect();
    assert_eq!(amounts, vec!["27", "25", "24", "22", "21"]);
    assert!(
        !page.records[0].contains_key("$id")
            && !page.records[0].contains_key("$revision")
            && !page.records[0].contains_key("Kind"),
        "fields selection: only the fields asked for, not even $id"
    );

    let err = client
        .records()
        .get_records(1u64)
        .query("Nope > 1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("GAIA_IQ11"));
    let err = client
        .records()
        .get_records(1u64)
        .query("Amount > ")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("CB_VA01"));
}

#[tokio::test]
async fn cursors_comments_status_and_assignees() {
    let (emulator, client) = emulator_and_client().await;
    let ids = emulator
        .insert_records(
            1,
            (0..7)
                .map(|i| serde_json::json!({"Title": {"value": format!("t{i}")}}))
                .collect(),
        )
        .unwrap();

    let cursor = client
        .cursors()
        .create_cursor(1u64)
        .size(3)
        .query("order by $id asc")
        .send()
        .await
        .unwrap();
    assert_eq!(cursor.total_count, 7);
    let first = client
        .cursors()
        .get_records_by_cursor(cursor.id.clone())
        .send()
        .await
        .unwrap();
    assert_eq!((first.records.len(), first.next), (3, true));
    client
        .cursors()
        .delete_cursor(cursor.id.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.open_cursors(), 0);
    let gone = client
        .cursors()
        .get_records_by_cursor(cursor.id.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (gone.status().unwrap().as_u16(), gone.code()),
        (404, Some("GAIA_CN01"))
    );

    let record_id = ids[0];
    for text in ["one", "two", "three"] {
        client
            .comments()
            .add_record_comment(1u64, record_id, CommentInput::new(text))
            .send()
            .await
            .unwrap();
    }
    let mention = CommentInput::new("ping").mentions([Mention::new("sato", MentionType::User)]);
    client
        .comments()
        .add_record_comment(1u64, record_id, mention)
        .send()
        .await
        .unwrap();
    let newest = client
        .comments()
        .get_record_comments(1u64, record_id)
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(
        newest
            .comments
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>(),
        vec!["ping", "three"]
    );
    assert!(newest.older && !newest.newer);
    client
        .comments()
        .delete_record_comment(1u64, record_id, newest.comments[0].id)
        .send()
        .await
        .unwrap();
    let missing = client
        .comments()
        .delete_record_comment(1u64, record_id, 99u64)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (missing.status().unwrap().as_u16(), missing.code()),
        (400, Some("GAIA_RE02"))
    );

    client
        .process()
        .update_record_status(1u64, record_id, "Submit")
        .assignee("sato")
        .send()
        .await
        .unwrap();
    let r = client
        .records()
        .get_record(1u64, record_id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.record["Status"].as_text(), Some("Review"));
    assert_eq!(r.record["Assignee"].as_entities().unwrap()[0].code, "sato");
    let wrong = client
        .process()
        .update_record_status(1u64, record_id, "Submit")
        .send()
        .await
        .unwrap_err();
    assert_eq!(wrong.status().unwrap().as_u16(), 400);
    client
        .process()
        .update_records_status(1u64, [StatusChange::new(record_id, "Approve")])
        .send()
        .await
        .unwrap();
    client
        .process()
        .update_record_assignees(1u64, record_id, ["suzuki"])
        .send()
        .await
        .unwrap();
    let r = client
        .records()
        .get_record(1u64, record_id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.record["Status"].as_text(), Some("Done"));
    assert_eq!(
        r.record["Assignee"].as_entities().unwrap()[0].code,
        "suzuki"
    );
}

#[tokio::test]
async fn file_round_trip() {
    let (_emulator, client) = emulator_and_client().await;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let uploaded = client
        .files()
        .upload_file(
            FilePart::new("data.bin", bytes.clone()).content_type("application/octet-stream"),
        )
        .send()
        .await
        .unwrap();
    let input = record(
        "with file",
        &[(
            "Attachment",
            FieldInput::file([kintone_api::FileRef::new(uploaded.file_key.clone())]),
        )],
    );
    let added = client
        .records()
        .add_record(1u64)
        .record(input)
        .send()
        .await
        .unwrap();
    let got = client
        .records()
        .get_record(1u64, added.id)
        .send()
        .await
        .unwrap();
    let file = &got.record["Attachment"].as_files().unwrap()[0];
    assert_eq!((file.name.as_str(), file.size), ("data.bin", Some(10_000)));
    assert_ne!(
        file.file_key, uploaded.file_key,
        "the attached key differs from the upload key"
    );
    let downloaded = client
        .files()
        .download_file(file.file_key.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(downloaded.bytes().as_ref(), bytes.as_slice());
    let missing = client
        .files()
        .download_file("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (missing.status().unwrap().as_u16(), missing.code()),
        (404, Some("GAIA_BL01"))
    );
}

#[tokio::test]
async fn bulk_requests_are_atomic_and_name_the_failing_request() {
    let (emulator, client) = emulator_and_client().await;
    let ids = emulator
        .insert_records(1, vec![serde_json::json!({"Title": {"value": "keep"}})])
        .unwrap();
    let failing = BulkRequest::new()
        .push(kintone_api::types::AddRecordRequest::new(1u64).record(record("new", &[])))
        .push(
            UpdateRecordRequest::new(1u64)
                .id(999u64)
                .record(record("x", &[])),
        )
        .push(DeleteRecordsRequest::new(1u64, [ids[0]]));
    let err = client.send_bulk(failing).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!((api.bulk_index, api.code.as_str()), (Some(1), "GAIA_RE01"));
    assert_eq!(emulator.record_count(1), 1, "nothing was written");

    let ok = BulkRequest::new()
        .push(kintone_api::types::AddRecordRequest::new(1u64).record(record("new", &[])))
        .push(DeleteRecordsRequest::new(1u64, [ids[0]]));
    let results = client.send_bulk(ok).await.unwrap();
    let added = results
        .result_of::<kintone_api::types::AddRecordRequest>(0)
        .unwrap();
    assert_eq!(added.revision.get(), 1);
    assert_eq!(emulator.record_count(1), 1);
}

#[tokio::test]
async fn every_record_through_a_cursor_past_ten_thousand() {
    let (emulator, client) = emulator_and_client().await;
    let records: Vec<serde_json::Value> = (0..10_500)
        .map(|i| serde_json::json!({"Title": {"value": format!("n{i}")}}))
        .collect();
    emulator.insert_records(1, records).unwrap();
    let offset_wall = client
        .records()
        .get_records(1u64)
        .query("limit 500 offset 10001")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(offset_wall, Error::Limit(_)),
        "the client refuses offsets past 10,000 before sending"
    );
    let all = client
        .all_records(CreateCursorRequest::new(1u64).size(500).fields(["$id"]))
        .await
        .unwrap();
    assert_eq!(all.len(), 10_500);
    assert_eq!(emulator.open_cursors(), 0);
}

/// Delete Records checks each record's revision where one is given, and skips the check where
/// the expected revision is -1 (`ExpectedRevision::ANY`), in the same request.
#[tokio::test]
async fn delete_records_skips_the_check_where_the_revision_is_minus_one() {
    use kintone_api::ExpectedRevision;
    let (emulator, client) = emulator_and_client().await;
    let mut ids = Vec::new();
    for title in ["a", "b", "c"] {
        let added = client
            .records()
            .add_record(1)
            .record(record(title, &[]))
            .send()
            .await
            .unwrap();
        ids.push((added.id, added.revision));
    }
    // The first record's revision is stale (it is 1; 7 is expected), the others' are not.
    let stale = client
        .records()
        .delete_records(1, ids.iter().map(|(id, _)| *id))
        .revisions([
            ExpectedRevision::from(7u64),
            ExpectedRevision::ANY,
            ids[2].1.into(),
        ])
        .send()
        .await
        .unwrap_err();
    assert_eq!(stale.code(), Some(kintone_api::error_codes::GAIA_CO02));
    assert_eq!(emulator.record_count(1), 3);
    client
        .records()
        .delete_records(1, ids.iter().map(|(id, _)| *id))
        .revisions([
            ExpectedRevision::ANY,
            ExpectedRevision::ANY,
            ids[2].1.into(),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.record_count(1), 0);
}

/// An app with a field of every type a query can name, under codes that say the type, and a
/// process (for STATUS and STATUS_ASSIGNEE); the system fields keep the emulator's codes.
fn every_queryable_type_app() -> kintone_emulator::AppSeed {
    use kintone_emulator::{AppSeed, FieldSeed, FieldType};
    let mut app = AppSeed::new(2, "Every type");
    for t in FieldType::ALL {
        if t.is_system() && t != FieldType::Calc && t != FieldType::Category {
            continue;
        }
        if t == FieldType::Subtable {
            continue;
        }
        let mut seed = FieldSeed::new(format!("F_{}", t.name()), t);
        if matches!(
            t,
            FieldType::CheckBox
                | FieldType::RadioButton
                | FieldType::DropDown
                | FieldType::MultiSelect
        ) {
            seed = seed.options(["a", "b"]);
        }
        if t == FieldType::Calc {
            seed = seed.expression("F_NUMBER * 2");
        }
        app = app.field(seed);
    }
    app.process(&["Open", "Done"], &[("Finish", "Open", "Done")])
}

/// An emulator with [`every_queryable_type_app`] and a client with a full-permission token of it.
async fn every_type_client() -> (kintone_emulator::Emulator, kintone_api::Client) {
    let (emulator, _) = emulator_with(|b| {
        b.app(every_queryable_type_app())
            .api_token("EVERY", 2, kintone_emulator::Permissions::ALL)
    })
    .await;
    let client = kintone_api::Client::builder(emulator.base_url())
        .api_token("EVERY")
        .build()
        .unwrap();
    (emulator, client)
}

/// Every condition the typed query builder can write, one per (field type, operator): the
/// field type is named, the operator is read back from the query text the builder wrote.
fn every_builder_condition(text: &str) -> Vec<(&'static str, kintone_api::query::Condition)> {
    use kintone_api::query::{login_user, now, primary_organization, DateFunction, Field};
    use kintone_api::{Date, DateTime, Decimal, Time};
    let text = text.to_string();
    let date: Date = "2024-08-01".parse().unwrap();
    let date_time: DateTime = "2024-08-01T09:00:00Z".parse().unwrap();
    let time: Time = "09:30".parse().unwrap();
    let number = || Decimal::try_from("12.5").unwrap();
    let mut all = Vec::new();
    macro_rules! text_like {
        ($($ty:literal => $field:expr),*) => {$(
            let f = $field;
            all.push(($ty, f.eq(text.clone())));
            all.push(($ty, f.ne(text.clone())));
            all.push(($ty, f.in_([text.clone()])));
            all.push(($ty, f.not_in([text.clone()])));
            all.push(($ty, f.like(text.clone())));
            all.push(($ty, f.not_like(text.clone())));
        )*};
    }
    text_like!("SINGLE_LINE_TEXT" => Field::text("F_SINGLE_LINE_TEXT"), "LINK" => Field::text("F_LINK"));
    for (ty, f) in [
        ("MULTI_LINE_TEXT", Field::long_text("F_MULTI_LINE_TEXT")),
        ("FILE", Field::long_text("F_FILE")),
    ] {
        all.push((ty, f.like(text.clone())));
        all.push((ty, f.not_like(text.clone())));
        all.push((ty, f.is_empty()));
        all.push((ty, f.is_not_empty()));
    }
    let rich = Field::rich_text("F_RICH_TEXT");
    all.push(("RICH_TEXT", rich.like(text.clone())));
    all.push(("RICH_TEXT", rich.not_like(text.clone())));
    for (ty, f) in [
        ("NUMBER", Field::number("F_NUMBER")),
        ("CALC", Field::number("F_CALC")),
        ("RECORD_NUMBER", Field::number("Record_number")),
        ("__ID__", Field::record_id()),
    ] {
        all.push((ty, f.eq(number())));
        all.push((ty, f.ne(number())));
        all.push((ty, f.lt(number())));
        all.push((ty, f.le(number())));
        all.push((ty, f.gt(number())));
        all.push((ty, f.ge(number())));
        all.push((ty, f.in_([number()])));
        all.push((ty, f.not_in([number()])));
    }
    let d = Field::date("F_DATE");
    all.push(("DATE", d.eq(date)));
    all.push(("DATE", d.ne(DateFunction::today())));
    all.push(("DATE", d.lt(date)));
    all.push(("DATE", d.le(date)));
    all.push(("DATE", d.gt(date)));
    all.push(("DATE", d.ge(date)));
    for (ty, f) in [
        ("DATETIME", Field::date_time("F_DATETIME")),
        ("CREATED_TIME", Field::date_time("Created_datetime")),
        ("UPDATED_TIME", Field::date_time("Updated_datetime")),
    ] {
        all.push((ty, f.eq(date_time)));
        all.push((ty, f.ne(now())));
        all.push((ty, f.lt(date_time)));
        all.push((ty, f.le(date_time)));
        all.push((ty, f.gt(date_time)));
        all.push((ty, f.ge(date_time)));
    }
    let t = Field::time("F_TIME");
    all.push(("TIME", t.eq(time)));
    all.push(("TIME", t.ne(time)));
    all.push(("TIME", t.lt(time)));
    all.push(("TIME", t.le(time)));
    all.push(("TIME", t.gt(time)));
    all.push(("TIME", t.ge(time)));
    for (ty, f) in [
        ("CHECK_BOX", Field::selection("F_CHECK_BOX")),
        ("RADIO_BUTTON", Field::selection("F_RADIO_BUTTON")),
        ("DROP_DOWN", Field::selection("F_DROP_DOWN")),
        ("MULTI_SELECT", Field::selection("F_MULTI_SELECT")),
        ("CATEGORY", Field::selection("F_CATEGORY")),
    ] {
        all.push((ty, f.in_([text.clone()])));
        all.push((ty, f.not_in([text.clone()])));
    }
    let status = Field::status("Status");
    all.push(("STATUS", status.eq(text.clone())));
    all.push(("STATUS", status.ne(text.clone())));
    all.push(("STATUS", status.in_([text.clone()])));
    all.push(("STATUS", status.not_in([text.clone()])));
    for (ty, f) in [
        ("USER_SELECT", Field::user("F_USER_SELECT")),
        ("CREATOR", Field::user("Created_by")),
        ("MODIFIER", Field::user("Updated_by")),
        ("STATUS_ASSIGNEE", Field::user("Assignee")),
    ] {
        all.push((ty, f.in_([login_user()])));
        all.push((ty, f.not_in([login_user()])));
    }
    let org = Field::organization("F_ORGANIZATION_SELECT");
    all.push(("ORGANIZATION_SELECT", org.in_([primary_organization()])));
    all.push(("ORGANIZATION_SELECT", org.not_in([primary_organization()])));
    let group = Field::group("F_GROUP_SELECT");
    all.push(("GROUP_SELECT", group.in_([text.clone()])));
    all.push(("GROUP_SELECT", group.not_in([text])));
    all
}

/// The operator of a one-condition query the builder wrote: what follows the field code.
fn written_operator(query: &str) -> String {
    let rest = query
        .split_once(' ')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    [
        "not like",
        "not in",
        "is not empty",
        "is empty",
        "like",
        "in",
        "!=",
        "<=",
        ">=",
        "=",
        "<",
        ">",
    ]
    .into_iter()
    .find(|op| rest.starts_with(op))
    .unwrap_or_else(|| panic!("no operator in {query}"))
    .to_string()
}

/// The typed query builder writes exactly the (field type, operator) pairs of the spec's table
/// (`kintone_api::typed::field_types::FIELD_TYPES`, generated from `x-kintone-field-type`), and
/// the emulator, which reads the same table, accepts every one of them: `Status = "Open"` among
/// them, which the emulator refused with GAIA_IQ03 while the two sides kept lists of their own.
#[tokio::test]
async fn every_operator_the_builder_writes_is_one_the_emulator_accepts() {
    use kintone_api::query::Query;
    use kintone_api::typed::field_types::FIELD_TYPES;
    use std::collections::BTreeSet;

    let (_emulator, client) = every_type_client().await;
    let written: BTreeSet<(String, String)> = every_builder_condition("Open")
        .into_iter()
        .map(|(ty, condition)| {
            let query = Query::new().filter(condition).build().unwrap();
            (ty.to_string(), written_operator(&query))
        })
        .collect();
    let table: BTreeSet<(String, String)> = FIELD_TYPES
        .iter()
        .flat_map(|t| {
            t.operators
                .iter()
                .map(|op| (t.name.to_string(), op.to_string()))
        })
        .collect();
    assert_eq!(written, table, "the builder and the spec's table disagree");

    for (ty, condition) in every_builder_condition("Open") {
        let query = Query::new().filter(condition).build().unwrap();
        let answer = client
            .records()
            .get_records(2u64)
            .query(query.clone())
            .send()
            .await;
        assert!(answer.is_ok(), "{ty}: `{query}` refused: {answer:?}");
    }
}

/// An operator the table does not give a field type is refused by the emulator with kintone's
/// GAIA_IQ03, for every such pair.
#[tokio::test]
async fn every_operator_outside_the_table_is_refused_with_gaia_iq03() {
    use kintone_api::typed::field_types::FIELD_TYPES;
    let (_emulator, client) = every_type_client().await;
    let samples = [
        ("=", r#""x""#),
        ("!=", r#""x""#),
        ("<", r#""1""#),
        ("in", r#"("x")"#),
        ("like", r#""x""#),
        ("is empty", ""),
    ];
    for t in FIELD_TYPES {
        let code = match t.name {
            "__ID__" => "$id".to_string(),
            "RECORD_NUMBER" => "Record_number".to_string(),
            "CREATOR" => "Created_by".to_string(),
            "CREATED_TIME" => "Created_datetime".to_string(),
            "MODIFIER" => "Updated_by".to_string(),
            "UPDATED_TIME" => "Updated_datetime".to_string(),
            "STATUS" => "Status".to_string(),
            "STATUS_ASSIGNEE" => "Assignee".to_string(),
            "__REVISION__" | "SUBTABLE" => continue,
            other => format!("F_{other}"),
        };
        for (op, value) in samples {
            if t.operators.contains(&op) {
                continue;
            }
            let query = format!("{code} {op} {value}");
            let err = client
                .records()
                .get_records(2u64)
                .query(query.clone())
                .send()
                .await
                .expect_err(&query);
            assert_eq!(
                status_and_code(&err),
                (Some(400), Some("GAIA_IQ03")),
                "{query}"
            );
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 16, ..Default::default() })]
    /// Any text the builder writes as an operand, in any of the conditions of the table, joined
    /// into one query: the emulator reads it (no syntax error, no refused operator).
    #[test]
    fn any_operand_in_any_table_pair_is_read_by_the_emulator(
        text in "[ -~あ\\t\\n]{0,12}",
        picks in proptest::collection::vec(0usize..200, 1..6),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let (_emulator, client) = every_type_client().await;
            let conditions = every_builder_condition(&text);
            let chosen = picks.iter().map(|i| conditions[i % conditions.len()].1.clone());
            let condition = kintone_api::query::Condition::all(chosen);
            let query = kintone_api::query::Query::new().filter(condition).build().unwrap();
            let answer = client.records().get_records(2u64).query(query.clone()).send().await;
            assert!(answer.is_ok(), "`{query}` refused: {answer:?}");
        });
    }
}

/// `Status = "…"`, as the typed builder writes it, finds the records in that status end to end.
#[tokio::test]
async fn status_equality_from_the_builder_finds_records_in_that_status() {
    use kintone_api::query::{Field, Query};
    let (_emulator, client) = emulator_and_client().await;
    let added = client
        .records()
        .add_record(1u64)
        .record(record("In draft", &[]))
        .send()
        .await
        .unwrap();
    let status = Field::status("Status");
    let ids = |query: String| {
        let client = client.clone();
        async move {
            let page = client
                .records()
                .get_records(1u64)
                .query(query)
                .send()
                .await
                .unwrap();
            page.records.len()
        }
    };
    let draft = Query::new().filter(status.eq("Draft")).build().unwrap();
    assert_eq!(draft, r#"Status = "Draft""#);
    assert_eq!(ids(draft).await, 1, "record {} is in Draft", added.id);
    let not_draft = Query::new().filter(status.ne("Draft")).build().unwrap();
    assert_eq!(ids(not_draft).await, 0);
}

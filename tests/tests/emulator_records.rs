//! The typed client against the emulator, end to end, for every operation of the records group.

use kintone_api::{
    BulkRequest, CommentInput, CreateCursorRequest, DeleteRecordsRequest, Error, FieldInput,
    FieldValue, FilePart, Mention, MentionType, RecordUpdate, StatusChange, UpdateKey,
    UpdateRecordRequest,
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
    use kintone_api::RecordUpdateResultOperation::{Insert, Update};
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
        .push(kintone_api::AddRecordRequest::new(1u64).record(record("new", &[])))
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
        .push(kintone_api::AddRecordRequest::new(1u64).record(record("new", &[])))
        .push(DeleteRecordsRequest::new(1u64, [ids[0]]));
    let results = client.send_bulk(ok).await.unwrap();
    let added = results
        .result_of::<kintone_api::AddRecordRequest>(0)
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

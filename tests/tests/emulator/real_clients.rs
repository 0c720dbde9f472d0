//! What kintone's official JavaScript client and CLI found the emulator answering differently
//! from kintone: upsert of a missing record, Get Form Fields' full properties, a report's
//! `periodicReport`, the apps a space lists, Move App, and text values past kintone's maxima;
//! and what kintone's update notes added since: API token and webhook counts in the app
//! statistics, element IDs of labels and borders, `is empty` on attachment fields.

use crate::support::as_user;
use kintone_api::types::{
    FieldProperties, FilePropertiesThumbnailSize, RecordUpdateResultOperation, ReportInput,
};
use kintone_api::{Error, FieldInput, FieldValue, RecordInput, RecordUpdate};
use kintone_emulator::{Emulator, Permissions, SpaceSeed};
use kintone_tests::*;
use serde_json::Value;
use std::collections::BTreeMap;

fn text(code: &str, value: &str) -> RecordInput {
    RecordInput::from([(code.to_string(), FieldInput::single_line_text(value))])
}

/// A record of app 1 (whose `Title` is required) with this value in `Code`, which prohibits
/// duplicate values.
fn titled_code(code: &str) -> RecordInput {
    let mut record = text("Title", "t");
    record.extend(text("Code", code));
    record
}

/// App 1 in space 3, which `sato` created and administers; `suzuki` is a member.
async fn domain() -> Emulator {
    Emulator::builder()
        // sato manages app 1: several tests change its settings, which needs app management.
        .app(orders_app().manager("sato"))
        .api_token("TOKEN", 1, Permissions::ALL)
        .user("sato", "pw")
        .user("suzuki", "pw")
        .space(
            SpaceSeed::new(3, "Sales")
                .member("sato", true)
                .member("suzuki", false)
                .app(1),
        )
        .start()
        .await
        .unwrap()
}

/// A GET answered as JSON, read as it came (the typed client reads `null` and absent alike).
async fn raw_get(emulator: &Emulator, api: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{}/k/v1/{api}", emulator.base_url()))
        // `sato:pw`
        .header("X-Cybozu-Authorization", "c2F0bzpwdw==")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Update Records in upsert mode adds a record given by an id that does not exist, with an id
/// of its own, as cli-kintone's `record import --update-key` relies on for rows without a key.
#[tokio::test]
async fn upsert_of_a_record_that_does_not_exist_adds_it() {
    let (_emulator, client) = emulator_and_client().await;
    let placeholder = 9_007_199_254_740_991_u64;
    let answer = client
        .records()
        .update_records(
            1,
            [RecordUpdate::new()
                .id(placeholder)
                .record(text("Title", "imported"))],
        )
        .upsert(true)
        .send()
        .await
        .unwrap();
    let result = &answer.records[0];
    assert_eq!(result.operation, Some(RecordUpdateResultOperation::Insert));
    assert_ne!(result.id.get(), placeholder);
    let added = client
        .records()
        .get_record(1, result.id)
        .send()
        .await
        .unwrap();
    assert_eq!(added.record["Title"].as_text(), Some("imported"));
    // Without upsert, the id must exist.
    let err = client
        .records()
        .update_records(
            1,
            [RecordUpdate::new()
                .id(placeholder)
                .record(text("Title", "x"))],
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("GAIA_RE01"), "{err:?}");
}

/// Get Form Fields gives each field type's full set of properties, kintone's defaults for
/// those never set.
#[tokio::test]
async fn form_fields_carry_every_property_of_their_type() {
    let (_emulator, client) = emulator_and_user().await;
    let form = client.form().get_form_fields(1).send().await.unwrap();
    let FieldProperties::SingleLineText(title) = &form.properties["Title"] else {
        panic!("Title is a text field")
    };
    assert_eq!(
        (
            title.default_value.as_deref(),
            title.min_length.as_deref(),
            title.max_length.as_deref(),
            title.expression.as_deref(),
            title.hide_expression,
        ),
        (Some(""), Some(""), Some(""), Some(""), Some(false))
    );
    let FieldProperties::Number(amount) = &form.properties["Amount"] else {
        panic!("Amount is a number field")
    };
    assert_eq!(
        (
            amount.min_value.as_deref(),
            amount.max_value.as_deref(),
            amount.digit,
            amount.display_scale.as_deref(),
            amount.unit.as_deref(),
        ),
        (Some(""), Some(""), Some(false), Some(""), Some(""))
    );
    assert!(amount.unit_position.is_some());
    let FieldProperties::File(attachment) = &form.properties["Attachment"] else {
        panic!("Attachment is a file field")
    };
    assert_eq!(
        attachment.thumbnail_size,
        Some(FilePropertiesThumbnailSize::Px150)
    );
    let FieldProperties::Subtable(lines) = &form.properties["Lines"] else {
        panic!("Lines is a table")
    };
    let FieldProperties::Number(qty) = &lines.fields.as_ref().expect("a table has fields")["Qty"]
    else {
        panic!("Qty is a number field")
    };
    assert_eq!(qty.display_scale.as_deref(), Some(""));
}

/// Get Reports gives `periodicReport: null` for a graph without one.
#[tokio::test]
async fn a_report_without_a_periodic_report_says_null() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    sato.settings()
        .update_reports(
            1,
            BTreeMap::from([(
                "Count".to_string(),
                ReportInput::new(0u64, kintone_api::types::ChartType::Table),
            )]),
        )
        .send()
        .await
        .unwrap();
    let answer = raw_get(&emulator, "preview/app/reports.json?app=1").await;
    let report = answer["reports"]["Count"].as_object().unwrap();
    assert_eq!(report.get("periodicReport"), Some(&Value::Null), "{answer}");
}

/// Get Space lists each app with its own creator and dates, as Get App gives them, not the
/// space's; and after Move App, Get App, Get Apps and Get Space name the same space and
/// thread.
#[tokio::test]
async fn get_space_lists_each_apps_own_creator_and_move_app_keeps_the_reads_agreeing() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    let suzuki = as_user(&emulator, "suzuki");
    let added = suzuki
        .apps()
        .add_app("Suzuki's app")
        .space(3u64)
        .send()
        .await
        .unwrap();
    deploy(&suzuki, added.app.get()).await;
    let app = suzuki.apps().get_app(added.app).send().await.unwrap();
    let space = sato.spaces().get_space(3).send().await.unwrap();
    let listed = space
        .attached_apps
        .iter()
        .find(|a| a.app_id == added.app)
        .expect("the space lists the new app");
    assert_eq!(
        listed.creator.as_ref().map(|c| c.code.as_str()),
        Some("suzuki")
    );
    assert_eq!(listed.created_at, Some(app.created_at));
    assert_eq!(
        listed.modifier.as_ref().map(|c| c.code.as_str()),
        Some(app.modifier.code.as_str())
    );
    assert_eq!(listed.thread_id.map(|t| t.get()), app.thread_id);

    sato.apps().move_app(1u64).send().await.unwrap();
    sato.apps().move_app(1u64).space(3u64).send().await.unwrap();
    let app = sato.apps().get_app(1u64).send().await.unwrap();
    let apps = sato.apps().get_apps().ids([1u64]).send().await.unwrap();
    let space = sato.spaces().get_space(3).send().await.unwrap();
    let listed = space
        .attached_apps
        .iter()
        .find(|a| a.app_id.get() == 1)
        .expect("the space lists app 1");
    assert_eq!(app.space_id, Some(3));
    assert_eq!(app.thread_id, Some(space.default_thread.get()));
    assert_eq!(listed.thread_id.map(|t| t.get()), app.thread_id);
    assert_eq!(
        (apps.apps[0].space_id, apps.apps[0].thread_id),
        (app.space_id, app.thread_id)
    );
}

/// A text value longer than kintone allows is refused with kintone's validation error: 64
/// characters in a field that prohibits duplicates (documented), 65,535 in any text field (the
/// emulator's assumption, in its crate docs).
#[tokio::test]
async fn text_values_longer_than_kintone_allows_are_refused() {
    let (emulator, client) = emulator_and_client().await;
    let refused = |err: Error, key: &str| match err {
        Error::Api(e) => {
            assert_eq!(e.code, "CB_VA01");
            assert!(e.errors.contains_key(key), "{:?}", e.errors);
        }
        other => panic!("{other:?}"),
    };
    let long = "x".repeat(65_536);
    let err = client
        .records()
        .add_record(1)
        .record(text("Title", &long))
        .send()
        .await
        .unwrap_err();
    refused(err, "record.Title.value");
    client
        .records()
        .add_record(1)
        .record(text("Title", &long[1..]))
        .send()
        .await
        .unwrap();
    let err = client
        .records()
        .add_record(1)
        .record(titled_code(&"c".repeat(65)))
        .send()
        .await
        .unwrap_err();
    refused(err, "record.Code.value");
    client
        .records()
        .add_record(1)
        .record(titled_code(&"c".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.record_count(1), 2);
}

/// Get App Statistics counts each app's API tokens and webhooks (kintone's 2026-02 update;
/// the emulator models no webhooks).
#[tokio::test]
async fn app_statistics_count_api_tokens_and_webhooks() {
    let (emulator, _) = emulator_with(|b| b.user("Administrator", "admin")).await;
    let client = signed_in(&emulator, "Administrator", "admin");
    let statistics = client.apps().get_apps_statistics().send().await.unwrap();
    let orders = statistics
        .apps
        .iter()
        .find(|a| a.id.get() == 1)
        .expect("app 1 is listed");
    // `TOKEN` and `VIEW`.
    assert_eq!(orders.api_token_count, Some(2));
    assert_eq!(orders.webhook_count, Some(0));
}

/// Labels and borders keep the element IDs Update Form Layout gives them (kintone's 2026-02
/// update), as spaces do.
#[tokio::test]
async fn labels_and_borders_keep_their_element_ids() {
    use kintone_api::types::{LayoutBlock, LayoutElement, LayoutRow};
    let (_emulator, client) = emulator_and_user().await;
    let row = LayoutRow::new([
        LayoutElement::new("SINGLE_LINE_TEXT").code("Title"),
        LayoutElement::new("LABEL")
            .label("<b>Note</b>")
            .element_id("note"),
        LayoutElement::new("HR").element_id("line"),
        LayoutElement::new("SPACER").element_id("gap"),
    ]);
    client
        .form()
        .update_form_layout(1, [LayoutBlock::Row(row)])
        .send()
        .await
        .unwrap();
    let layout = client
        .form()
        .get_form_layout(1)
        .preview()
        .send()
        .await
        .unwrap();
    let LayoutBlock::Row(row) = &layout.layout[0] else {
        panic!("the first block is a row: {:?}", layout.layout[0])
    };
    let ids: Vec<(&str, Option<&str>)> = row
        .fields
        .iter()
        .map(|e| (e.r#type.as_str(), e.element_id.as_deref()))
        .collect();
    assert_eq!(
        ids,
        [
            ("SINGLE_LINE_TEXT", None),
            ("LABEL", Some("note")),
            ("HR", Some("line")),
            ("SPACER", Some("gap"))
        ]
    );
}

/// `is empty` and `is not empty` on an attachment field (kintone's 2025-09 update), from the
/// query builder to the emulator.
#[tokio::test]
async fn attachment_fields_take_is_empty_and_is_not_empty() {
    use kintone_api::query::{Field, Query};
    use kintone_api::{FilePart, FileRef};
    let (_emulator, client) = emulator_and_client().await;
    let uploaded = client
        .files()
        .upload_file(FilePart::new("a.txt", b"hello".to_vec()))
        .send()
        .await
        .unwrap()
        .into_body();
    let mut with_file = text("Title", "with a file");
    with_file.insert(
        "Attachment".to_string(),
        FieldInput::file([FileRef::new(uploaded.file_key)]),
    );
    let attached = client
        .records()
        .add_record(1)
        .record(with_file)
        .send()
        .await
        .unwrap()
        .id;
    let bare = client
        .records()
        .add_record(1)
        .record(text("Title", "without"))
        .send()
        .await
        .unwrap()
        .id;
    let attachment = Field::long_text("Attachment");
    for (condition, expected) in [
        (attachment.is_empty(), bare),
        (attachment.is_not_empty(), attached),
    ] {
        let query = Query::new().filter(condition).build().unwrap();
        let page = client
            .records()
            .get_records(1)
            .query(query.clone())
            .send()
            .await
            .unwrap();
        let ids: Vec<&FieldValue> = page.records.iter().map(|r| &r["$id"]).collect();
        assert_eq!(ids.len(), 1, "{query}");
        let FieldValue::Id(id) = ids[0] else {
            panic!("{:?}", ids[0])
        };
        assert_eq!(id.value, expected, "{query}");
    }
}

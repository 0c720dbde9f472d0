//! What the client sends where kintone's own OpenAPI description and its official clients differ
//! from the spec's first snapshot: inputs the spec lacked (`lang` on Get App Plug-ins, `id` on
//! the permission updates, `defaultValue` in the legacy form, the guest-space forms) and ids in
//! JSON bodies, which go out as JSON numbers.

use kintone_api::types::{LegacyFormElement, SettingsLang, ViewInput};
use kintone_api::{CommentInput, LegacyDefaultValue, RecordInput, RecordUpdate};
use kintone_tests::*;
use serde_json::json;

/// Get App Plug-ins and its preview twin take `lang`, as kintone's description lists it.
#[tokio::test]
async fn app_plugins_are_read_in_a_language() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"plugins": [], "revision": "1"})).await;
    client
        .settings()
        .get_app_plugins(1)
        .lang(SettingsLang::Ja)
        .send()
        .await
        .unwrap();
    client
        .settings()
        .get_app_plugins(1)
        .lang(SettingsLang::User)
        .preview()
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let uris: Vec<String> = requests
        .iter()
        .map(|r| format!("{}?{}", r.url.path(), r.url.query().unwrap_or_default()))
        .collect();
    assert_eq!(
        uris,
        [
            "/k/v1/app/plugins.json?app=1&lang=ja",
            "/k/v1/preview/app/plugins.json?app=1&lang=user"
        ]
    );
}

/// The record and field permission updates carry `id` when it is set, as kintone's
/// description has it, and leave it out otherwise.
#[tokio::test]
async fn permission_updates_carry_the_id_of_kintones_description() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"revision": "2"})).await;
    client
        .permissions()
        .update_record_permissions(1, Vec::<kintone_api::types::RecordRight>::new())
        .id(1)
        .send()
        .await
        .unwrap();
    client
        .permissions()
        .update_field_permissions(1, Vec::<kintone_api::types::FieldRight>::new())
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        body_json(&requests[0]),
        json!({"app": 1, "id": 1, "rights": []})
    );
    assert_eq!(body_json(&requests[1]), json!({"app": 1, "rights": []}));
}

/// The legacy Get Form gives a field's default value as a string or, for fields of several
/// values, a list.
#[test]
fn legacy_form_default_values_are_read_in_both_forms() {
    let text: LegacyFormElement = serde_json::from_value(json!({
        "type": "SINGLE_LINE_TEXT", "code": "Title", "defaultValue": "untitled"
    }))
    .unwrap();
    assert_eq!(
        text.default_value,
        Some(LegacyDefaultValue::Text("untitled".into()))
    );
    let list: LegacyFormElement = serde_json::from_value(json!({
        "type": "CHECK_BOX", "code": "Tags", "defaultValue": ["red", "blue"]
    }))
    .unwrap();
    assert_eq!(
        list.default_value,
        Some(LegacyDefaultValue::List(vec!["red".into(), "blue".into()]))
    );
}

/// Every operation of kintone's description says whether it exists under the guest-space path:
/// the description lists a guest form for all of them, so one that is not offered there says
/// why.
#[test]
fn every_operation_says_whether_it_exists_in_guest_spaces() {
    let doc = bundled_spec();
    let mut undecided = Vec::new();
    let mut without_reason = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(id) = op.get("operationId").and_then(|v| v.as_str()) else {
                continue;
            };
            if op["x-kintone-official-operation-id"] == "none" {
                continue;
            }
            match op.get("x-kintone-guest-space").and_then(|v| v.as_bool()) {
                None => undecided.push(format!("{method} {path} ({id})")),
                Some(false) => {
                    let reason = op["x-kintone-source"].as_str().unwrap_or_default();
                    if !reason.contains("guest") {
                        without_reason.push(id.to_string());
                    }
                }
                Some(true) => {}
            }
        }
    }
    assert!(
        undecided.is_empty(),
        "no guest-space decision: {undecided:?}"
    );
    assert!(
        without_reason.is_empty(),
        "not in guest spaces without a reason: {without_reason:?}"
    );
}

/// App ids, record ids and revisions in JSON bodies go out as JSON numbers, as kintone's
/// documentation writes them and its official clients send them.
#[tokio::test]
async fn ids_and_revisions_in_json_bodies_are_numbers() {
    let (server, client) = server_and_client().await;
    answer_json(
        &server,
        200,
        json!({"id": "7", "revision": "3", "records": [{"id": "7", "revision": "3"}], "views": {}}),
    )
    .await;
    let title = || {
        RecordInput::from([(
            "Title".to_string(),
            kintone_api::FieldInput::single_line_text("x"),
        )])
    };
    let records = client.records();
    records.add_record(1).record(title()).send().await.unwrap();
    records
        .update_record(1)
        .id(7)
        .revision(2)
        .record(title())
        .send()
        .await
        .unwrap();
    records
        .update_records(1, [RecordUpdate::new().id(7).revision(2).record(title())])
        .send()
        .await
        .unwrap();
    client
        .comments()
        .add_record_comment(1, 7, CommentInput::new("hi"))
        .send()
        .await
        .unwrap();
    client
        .process()
        .update_record_status(1, 7, "Submit")
        .revision(3)
        .send()
        .await
        .unwrap();
    client
        .settings()
        .update_views(
            1,
            std::collections::BTreeMap::from([(
                "All".to_string(),
                ViewInput::new(kintone_api::types::ViewType::List, 0),
            )]),
        )
        .revision(4)
        .send()
        .await
        .unwrap();
    client.apps().move_app(1).space(5).send().await.unwrap();
    let bodies: Vec<serde_json::Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(body_json)
        .collect();
    assert_eq!(bodies[0]["app"], json!(1));
    assert_eq!(
        (&bodies[1]["app"], &bodies[1]["id"], &bodies[1]["revision"]),
        (&json!(1), &json!(7), &json!(2))
    );
    assert_eq!(
        (
            &bodies[2]["records"][0]["id"],
            &bodies[2]["records"][0]["revision"]
        ),
        (&json!(7), &json!(2))
    );
    assert_eq!(
        (&bodies[3]["app"], &bodies[3]["record"]),
        (&json!(1), &json!(7))
    );
    assert_eq!(
        (&bodies[4]["id"], &bodies[4]["revision"]),
        (&json!(7), &json!(3))
    );
    assert_eq!(bodies[5]["revision"], json!(4));
    assert_eq!(
        (&bodies[6]["app"], &bodies[6]["space"]),
        (&json!(1), &json!(5))
    );
}

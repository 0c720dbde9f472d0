//! Every operation on apps and their settings, asserted on the wire: method, path, query bytes
//! and body, and the decoded response; and the spec's example answers, decoded by the types the
//! client is generated with.

use kintone_api::types::DeployStatus;
use kintone_api::{DeployTarget, Error, LimitError};
use kintone_tests::*;
use serde_json::json;

#[tokio::test]
async fn get_app() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getApp")).await;
    let app = client.apps().get_app(1u64).send().await.unwrap();
    assert_eq!(app.app_id.get(), 1);
    assert_eq!(app.space_id, Some(4));
    assert_eq!(app.creator.code, "sato");
    assert_eq!(app.created_at.to_string(), "2024-03-01T09:15:00Z");
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("GET", "/k/v1/app.json")
    );
    assert_eq!(request.url.query(), Some("id=1"));
}

#[tokio::test]
async fn get_apps_with_every_filter() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getApps")).await;
    let page = client
        .apps()
        .get_apps()
        .ids([1u64, 2])
        .codes(["ORDERS"])
        .name("Ord er")
        .space_ids([4u64])
        .limit(10)
        .offset(20)
        .send()
        .await
        .unwrap();
    assert_eq!(page.apps[0].space_id, None);
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/k/v1/apps.json");
    assert_eq!(
        request.url.query(),
        Some("ids%5B0%5D=1&ids%5B1%5D=2&codes%5B0%5D=ORDERS&name=Ord+er&spaceIds%5B0%5D=4&limit=10&offset=20")
    );
}

#[tokio::test]
async fn get_apps_refuses_a_limit_over_100_before_sending() {
    let (server, client) = server_and_client().await;
    let err = client
        .apps()
        .get_apps()
        .limit(101)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit(LimitError::OutOfRange {
                field: "limit",
                actual: 101,
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(kintone_api::limits::MAX_APPS_PER_PAGE, 100);
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn get_apps_statistics() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getAppsStatistics")).await;
    let page = client
        .apps()
        .get_apps_statistics()
        .offset(20)
        .limit(10)
        .send()
        .await
        .unwrap();
    let app = &page.apps[0];
    assert_eq!(
        (app.id.get(), app.status),
        (1, kintone_api::types::AppStatus::Changed)
    );
    assert_eq!((app.record_count, app.storage_usage), (1520, 5_242_880));
    assert_eq!(app.space.as_ref().map(|s| s.id.get()), Some(4));
    let request = only_request(&server).await;
    assert_eq!(
        (
            request.method.as_str(),
            request.url.path(),
            request.url.query()
        ),
        (
            "GET",
            "/k/v1/apps/statistics.json",
            Some("offset=20&limit=10")
        )
    );
}

#[tokio::test]
async fn get_apps_statistics_reads_counts_as_numbers_and_a_null_space() {
    let (server, client) = server_and_client().await;
    let mut answer = spec_example("getAppsStatistics");
    answer["apps"][0]["space"] = serde_json::Value::Null;
    answer["apps"][0]["recordCount"] = json!(7);
    answer["apps"][0]["status"] = json!("A_STATUS_KINTONE_ADDS_LATER");
    answer_json(&server, 200, answer).await;
    let page = client.apps().get_apps_statistics().send().await.unwrap();
    assert_eq!(
        (page.apps[0].space.as_ref(), page.apps[0].record_count),
        (None, 7)
    );
    assert_eq!(page.apps[0].status, kintone_api::types::AppStatus::Unknown);
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), None);
    let err = client
        .apps()
        .get_apps_statistics()
        .limit(101)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit(LimitError::OutOfRange { field: "limit", .. })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn add_app() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("addApp")).await;
    let added = client
        .apps()
        .add_app("Orders")
        .space(4u64)
        .thread(5u64)
        .send()
        .await
        .unwrap();
    assert_eq!((added.app.get(), added.revision.get()), (23, 1));
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("POST", "/k/v1/preview/app.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"name": "Orders", "space": 4, "thread": 5})
    );
}

#[tokio::test]
async fn add_app_refuses_a_name_over_64_characters_before_sending() {
    let (server, client) = server_and_client().await;
    let err = client
        .apps()
        .add_app("あ".repeat(65))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit(LimitError::TooLong {
                field: "name",
                max: 64,
                actual: 65
            })
        ),
        "{err:?}"
    );
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn move_app() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({})).await;
    client
        .apps()
        .move_app(1u64)
        .space(5u64)
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("POST", "/k/v1/app/move.json")
    );
    assert_eq!(body_json(&request), json!({"app": 1, "space": 5}));
}

#[tokio::test]
async fn deploy_apps_with_a_revision_and_revert() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({})).await;
    client
        .apps()
        .deploy_apps([
            DeployTarget::new(1u64).revision(4u64),
            DeployTarget::new(2u64),
        ])
        .revert(true)
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("POST", "/k/v1/preview/app/deploy.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"apps": [{"app": 1, "revision": 4}, {"app": 2}], "revert": true})
    );
}

#[tokio::test]
async fn get_deploy_status() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getDeployStatus")).await;
    let status = client
        .apps()
        .get_deploy_status([1u64, 2])
        .send()
        .await
        .unwrap();
    assert_eq!(status.apps[0].status, DeployStatus::Processing);
    assert_eq!(status.apps[1].status, DeployStatus::Success);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("GET", "/k/v1/preview/app/deploy.json")
    );
    assert_eq!(request.url.query(), Some("apps%5B0%5D=1&apps%5B1%5D=2"));
}

#[test]
fn a_deploy_status_kintone_adds_later_is_read_as_unknown() {
    let read: kintone_api::types::AppDeployStatus =
        serde_json::from_value(json!({"app": "1", "status": "QUEUED"})).unwrap();
    assert_eq!(read.status, DeployStatus::Unknown);
}

#[test]
fn the_specs_example_answers_decode() {
    use kintone_api::types::*;
    decodes::<GetAppRequest>();
    decodes::<GetAppsRequest>();
    decodes::<GetAppsStatisticsRequest>();
    decodes::<AddAppRequest>();
    decodes::<MoveAppRequest>();
    decodes::<GetDeployStatusRequest>();
    decodes::<DeployAppsRequest>();
}

#[tokio::test]
async fn get_form_fields_live_and_preview() {
    use kintone_api::types::FieldProperties;
    let (server, client) = server_and_client().await;
    let mut example = spec_example("getFormFields");
    example["properties"]["Map"] = json!({"type": "A_FUTURE_TYPE", "code": "Map", "label": "Map"});
    answer_json(&server, 200, example).await;
    let fields = client.form().get_form_fields(1u64).send().await.unwrap();
    assert_eq!(fields.revision.get(), 3);
    assert!(matches!(
        &fields.properties["Title"],
        FieldProperties::SingleLineText(p) if p.required == Some(true) && p.max_length.as_deref() == Some("64")
    ));
    match &fields.properties["Kind"] {
        FieldProperties::DropDown(p) => {
            assert_eq!(p.options.as_ref().unwrap()["B"].index, 1)
        }
        other => panic!("{other:?}"),
    }
    match &fields.properties["Lines"] {
        FieldProperties::Subtable(p) => assert!(matches!(
            p.fields.as_ref().unwrap()["Qty"],
            FieldProperties::Number(_)
        )),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        &fields.properties["Owner"],
        FieldProperties::UserSelect(p) if p.entities.as_ref().unwrap()[0].code == "sales"
    ));
    assert!(matches!(
        &fields.properties["Map"],
        FieldProperties::Unknown(raw) if raw["type"] == "A_FUTURE_TYPE"
    ));
    client
        .form()
        .get_form_fields(1u64)
        .lang(kintone_api::types::SettingsLang::En)
        .preview()
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        (requests[0].url.path(), requests[0].url.query()),
        ("/k/v1/app/form/fields.json", Some("app=1"))
    );
    assert_eq!(
        (requests[1].url.path(), requests[1].url.query()),
        ("/k/v1/preview/app/form/fields.json", Some("app=1&lang=en"))
    );
}

#[tokio::test]
async fn add_form_fields_writes_each_type_with_its_tag() {
    use kintone_api::types::*;
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("addFormFields")).await;
    let properties = std::collections::BTreeMap::from([
        (
            "Due".to_string(),
            FieldProperties::Date(DateProperties::new("Due").label("Due date").required(true)),
        ),
        (
            "Tags".to_string(),
            FieldProperties::CheckBox(CheckBoxProperties::new("Tags").options(
                std::collections::BTreeMap::from([
                    ("red".to_string(), FieldOption::new("red", 0)),
                    ("blue".to_string(), FieldOption::new("blue", 1)),
                ]),
            )),
        ),
    ]);
    let added = client
        .form()
        .add_form_fields(1u64, properties)
        .revision(3u64)
        .send()
        .await
        .unwrap();
    assert_eq!(added.revision.get(), 4);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("POST", "/k/v1/preview/app/form/fields.json")
    );
    assert_eq!(
        body_json(&request),
        json!({
            "app": 1,
            "revision": 3,
            "properties": {
                "Due": {"type": "DATE", "code": "Due", "label": "Due date", "required": true},
                "Tags": {"type": "CHECK_BOX", "code": "Tags", "options": {
                    "blue": {"label": "blue", "index": "1"},
                    "red": {"label": "red", "index": "0"}
                }}
            }
        })
    );
}

#[tokio::test]
async fn update_form_fields() {
    use kintone_api::types::*;
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("updateFormFields")).await;
    client
        .form()
        .update_form_fields(
            1u64,
            [(
                "Title".to_string(),
                FieldProperties::SingleLineText(
                    SingleLineTextProperties::new("Title").label("Subject"),
                ),
            )],
        )
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/preview/app/form/fields.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "properties": {"Title": {"type": "SINGLE_LINE_TEXT", "code": "Title", "label": "Subject"}}})
    );
}

#[tokio::test]
async fn delete_form_fields() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("deleteFormFields")).await;
    let deleted = client
        .form()
        .delete_form_fields(1u64, ["Due", "Tags"])
        .revision(5u64)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.revision.get(), 6);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("DELETE", "/k/v1/preview/app/form/fields.json")
    );
    assert_eq!(
        request.url.query(),
        Some("app=1&fields%5B0%5D=Due&fields%5B1%5D=Tags&revision=5")
    );
}

#[tokio::test]
async fn get_form_layout_live_and_preview() {
    use kintone_api::types::LayoutBlock;
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getFormLayout")).await;
    let layout = client.form().get_form_layout(1u64).send().await.unwrap();
    match &layout.layout[0] {
        LayoutBlock::Row(row) => {
            assert_eq!(row.fields[1].r#type, "LABEL");
            assert_eq!(row.fields[2].size.as_ref().unwrap().height, Some(20));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&layout.layout[2], LayoutBlock::Group(g) if g.layout.len() == 1));
    client
        .form()
        .get_form_layout(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.path(), "/k/v1/app/form/layout.json");
    assert_eq!(requests[1].url.path(), "/k/v1/preview/app/form/layout.json");
    assert_eq!(requests[1].url.query(), Some("app=1"));
}

#[allow(deprecated)] // the legacy form API is what this test is about
#[tokio::test]
async fn get_form_legacy_live_and_preview() {
    use kintone_api::types::LegacyFormElementType;
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getForm")).await;
    let form = client.form().get_form(1u64).send().await.unwrap();
    let types: Vec<_> = form.properties.iter().map(|e| e.r#type).collect();
    assert_eq!(
        types,
        [
            LegacyFormElementType::SingleLineText,
            LegacyFormElementType::Label,
            LegacyFormElementType::DropDown,
            LegacyFormElementType::Spacer,
            LegacyFormElementType::Subtable,
        ]
    );
    assert_eq!(form.properties[0].max_length.as_deref(), Some("64"));
    assert_eq!(
        form.properties[2].options.as_deref(),
        Some(&["A".to_string(), "B".to_string()][..])
    );
    let inner = form.properties[4].fields.as_ref().unwrap();
    assert_eq!(inner[0].code.as_deref(), Some("Qty"));
    client.form().get_form(1u64).preview().send().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let sent: Vec<_> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.url.path(), r.url.query()))
        .collect();
    assert_eq!(
        sent,
        [
            ("GET", "/k/v1/form.json", Some("app=1")),
            ("GET", "/k/v1/preview/form.json", Some("app=1"))
        ]
    );
}

#[tokio::test]
async fn update_form_layout() {
    use kintone_api::types::*;
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("updateFormLayout")).await;
    let row = LayoutRow::new([LayoutElement::new("SINGLE_LINE_TEXT")
        .code("Title")
        .size(ElementSize::new().width(400))]);
    client
        .form()
        .update_form_layout(1u64, [LayoutBlock::Row(row)])
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/preview/app/form/layout.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "layout": [{"type": "ROW", "fields": [
            {"type": "SINGLE_LINE_TEXT", "code": "Title", "size": {"width": "400"}}
        ]}]})
    );
}

#[test]
fn the_specs_form_examples_decode() {
    use kintone_api::types::*;
    decodes::<GetFormFieldsRequest>();
    decodes::<AddFormFieldsRequest>();
    decodes::<UpdateFormFieldsRequest>();
    decodes::<DeleteFormFieldsRequest>();
    decodes::<GetFormLayoutRequest>();
    decodes::<GetFormRequest>();
    decodes::<UpdateFormLayoutRequest>();
}

mod deploy_and_wait {
    use super::*;
    use kintone_api::DeployError;
    use std::time::Duration;
    use wiremock::matchers::method;
    use wiremock::{Mock, ResponseTemplate};

    fn statuses(status: &str) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(json!({"apps": [
            {"app": "1", "status": "SUCCESS"},
            {"app": "2", "status": status}
        ]}))
    }

    /// Deploy Settings answers `{}`; Get Deploy Status answers `PROCESSING` `processing` times,
    /// then `last`.
    async fn answers(server: &wiremock::MockServer, processing: u64, last: &str) {
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(server)
            .await;
        if processing > 0 {
            Mock::given(method("GET"))
                .respond_with(statuses("PROCESSING"))
                .up_to_n_times(processing)
                .mount(server)
                .await;
        }
        Mock::given(method("GET"))
            .respond_with(statuses(last))
            .mount(server)
            .await;
    }

    /// A wait that only records the pauses asked for.
    fn recorded() -> (
        std::sync::Arc<std::sync::Mutex<Vec<Duration>>>,
        impl Fn(Duration) -> std::future::Ready<()> + Send + Sync + 'static,
    ) {
        let pauses = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = pauses.clone();
        (pauses, move |d| {
            kept.lock().unwrap().push(d);
            std::future::ready(())
        })
    }

    #[tokio::test]
    async fn reads_the_status_until_the_deploy_ends_and_says_how() {
        for last in ["SUCCESS", "FAIL", "CANCEL"] {
            let (server, client) = server_and_client().await;
            answers(&server, 3, last).await;
            let (pauses, wait) = recorded();
            let outcome = client
                .deploy_and_wait([
                    DeployTarget::new(1u64),
                    DeployTarget::new(2u64).revision(4u64),
                ])
                .poll_interval(Duration::from_secs(2))
                .wait_with(wait)
                .send()
                .await
                .unwrap();
            assert_eq!(outcome.status(2u64).unwrap().as_str(), last);
            assert_eq!(outcome.status(1u64), Some(DeployStatus::Success));
            assert_eq!(outcome.succeeded(), last == "SUCCESS");
            assert_eq!(*pauses.lock().unwrap(), [Duration::from_secs(2); 3]);
            let requests = server.received_requests().await.unwrap();
            assert_eq!(requests.len(), 5, "one deploy and four status reads");
            assert_eq!(
                (requests[0].url.path(), body_json(&requests[0])),
                (
                    "/k/v1/preview/app/deploy.json",
                    json!({"apps": [{"app": 1}, {"app": 2, "revision": 4}], "revert": false})
                )
            );
            assert_eq!(requests[4].url.query(), Some("apps%5B0%5D=1&apps%5B1%5D=2"));
        }
    }

    #[tokio::test]
    async fn a_deploy_still_running_at_the_timeout_is_a_typed_error() {
        let (server, client) = server_and_client().await;
        answers(&server, 1_000, "SUCCESS").await;
        let (pauses, wait) = recorded();
        let err = client
            .deploy_and_wait([DeployTarget::new(1u64)])
            .timeout(Duration::from_secs(10))
            .poll_interval(Duration::from_secs(3))
            .wait_with(wait)
            .send()
            .await
            .unwrap_err();
        match err {
            DeployError::TimedOut { waited, last } => {
                assert_eq!(waited, Duration::from_secs(10), "3 + 3 + 3 + 1");
                assert_eq!(pauses.lock().unwrap().len(), 4);
                assert_eq!(last[1].status, DeployStatus::Processing);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(request_count(&server).await, 1 + 5);
    }

    #[tokio::test]
    async fn a_refused_deploy_is_the_api_error_and_nothing_is_polled() {
        let (server, client) = server_and_client().await;
        answer_json(
            &server,
            409,
            json!({"id": "x", "code": "GAIA_CO02", "message": "stale"}),
        )
        .await;
        let err = client
            .deploy_and_wait([DeployTarget::new(1u64).revision(1u64)])
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, DeployError::Api(Error::Api(e)) if e.code == "GAIA_CO02"),
            "{err:?}"
        );
        assert_eq!(request_count(&server).await, 1);
    }
}

//! App settings besides the form (views, general settings, process management, …), asserted on
//! the wire: method, path, query and body, and the decoded response; and the spec's example
//! answers, decoded by the types the client is generated with.

use kintone_tests::*;
use serde_json::json;
use std::collections::BTreeMap;

/// The two requests sent: a GET of the live settings at `path` for app 1, then the same of the
/// pre-live settings under `preview/`.
async fn assert_live_then_preview(server: &wiremock::MockServer, path: &str) {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        (
            requests[0].method.as_str(),
            requests[0].url.path(),
            requests[0].url.query()
        ),
        ("GET", format!("/k/v1/{path}").as_str(), Some("app=1"))
    );
    assert_eq!(requests[1].url.path(), format!("/k/v1/preview/{path}"));
}

#[tokio::test]
async fn get_views_live_and_preview() {
    use kintone_api::types::ViewType;
    let (server, client) = server_and_client().await;
    let mut example = spec_example("getViews");
    example["views"]["Map"] = json!({"type": "A_FUTURE_VIEW", "id": "9", "name": "Map",
        "index": "4", "filterCond": "", "sort": ""});
    answer_json(&server, 200, example).await;
    let views = client.settings().get_views(1u64).send().await.unwrap();
    assert_eq!(views.revision.get(), 4);
    let open = &views.views["Open orders"];
    assert_eq!(
        (open.r#type, open.id.get(), open.index.get()),
        (ViewType::List, 5520254, 0)
    );
    assert_eq!(
        open.fields.as_deref().unwrap(),
        ["Record_number", "Title", "Amount"]
    );
    assert_eq!(
        open.filter_cond,
        r#"Amount > 100 and Created_datetime > "2024-03-01T00:00:00Z""#
    );
    let due = &views.views["Due dates"];
    assert_eq!(
        (due.r#type, due.date.as_deref()),
        (ViewType::Calendar, Some("Due"))
    );
    assert_eq!(views.views["Board"].pager, Some(true));
    assert_eq!(views.views["Map"].r#type, ViewType::Unknown);
    client
        .settings()
        .get_views(1u64)
        .lang(kintone_api::types::SettingsLang::User)
        .preview()
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        (
            requests[0].method.as_str(),
            requests[0].url.path(),
            requests[0].url.query()
        ),
        ("GET", "/k/v1/app/views.json", Some("app=1"))
    );
    assert_eq!(
        (requests[1].url.path(), requests[1].url.query()),
        ("/k/v1/preview/app/views.json", Some("app=1&lang=user"))
    );
}

#[tokio::test]
async fn update_views() {
    use kintone_api::types::ViewDevice;
    use kintone_api::types::{ViewInput, ViewType};
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("updateViews")).await;
    let views = BTreeMap::from([
        (
            "Open orders".to_string(),
            ViewInput::new(ViewType::List, 0u64)
                .fields(["Title", "Amount"])
                .filter_cond("Amount > 100")
                .sort("Record_number desc"),
        ),
        (
            "Board".to_string(),
            ViewInput::new(ViewType::Custom, 1u64)
                .html("<div></div>")
                .pager(false)
                .device(ViewDevice::Any),
        ),
    ]);
    let changed = client
        .settings()
        .update_views(1u64, views)
        .revision(4u64)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.revision.get(), 5);
    assert_eq!(changed.views["Due dates"].id.get(), 5520255);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/preview/app/views.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "revision": 4, "views": {
            "Open orders": {"type": "LIST", "index": "0", "fields": ["Title", "Amount"],
                "filterCond": "Amount > 100", "sort": "Record_number desc"},
            "Board": {"type": "CUSTOM", "index": "1", "html": "<div></div>", "pager": false,
                "device": "ANY"}
        }})
    );
}

#[tokio::test]
async fn get_general_settings_live_and_preview() {
    use kintone_api::types::{AppIconType, AppTheme};
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getGeneralSettings")).await;
    let general = client
        .settings()
        .get_general_settings(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (general.name.as_str(), general.revision.get()),
        ("Orders", 2)
    );
    assert_eq!(general.icon.r#type, AppIconType::Preset);
    assert_eq!(general.icon.key.as_deref(), Some("APP72"));
    assert_eq!(general.theme, AppTheme::White);
    assert_eq!(
        general.title_field.as_ref().unwrap().code.as_deref(),
        Some("Title")
    );
    assert_eq!(general.enable_bulk_deletion, Some(false));
    assert_eq!(general.number_precision.as_ref().unwrap().digits, Some(16));
    assert_eq!(general.first_month_of_fiscal_year.map(|m| m.get()), Some(4));
    client
        .settings()
        .get_general_settings(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    assert_live_then_preview(&server, "app/settings.json").await;
}

#[tokio::test]
async fn update_general_settings() {
    use kintone_api::types::{
        AppIcon, AppIconType, AppTheme, NumberPrecision, SettingsFile, TitleField,
    };
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("updateGeneralSettings")).await;
    let changed = client
        .settings()
        .update_general_settings(1u64)
        .name("Orders 2024")
        .icon(AppIcon::new(AppIconType::File).file(SettingsFile::new("c15b")))
        .theme(AppTheme::Blue)
        .title_field(
            TitleField::new(kintone_api::types::TitleFieldSelectionMode::Manual).code("Title"),
        )
        .enable_comments(false)
        .number_precision(NumberPrecision::new().digits(20u64).decimal_places(2u64))
        .first_month_of_fiscal_year(1u64)
        .revision(2u64)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.revision.get(), 3);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/preview/app/settings.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "name": "Orders 2024", "icon": {"type": "FILE", "file": {"fileKey": "c15b"}},
            "theme": "BLUE", "titleField": {"selectionMode": "MANUAL", "code": "Title"},
            "enableComments": false, "numberPrecision": {"digits": "20", "decimalPlaces": "2"},
            "firstMonthOfFiscalYear": "1", "revision": 2})
    );
}

#[tokio::test]
async fn get_process_management_live_and_preview() {
    use kintone_api::types::{ProcessActionType, ProcessAssigneeType, ProcessEntityType};
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getProcessManagement")).await;
    let process = client
        .settings()
        .get_process_management(1u64)
        .send()
        .await
        .unwrap();
    assert!(process.enable);
    let states = process.states.as_ref().unwrap();
    let review = &states["Review"];
    let assignee = review.assignee.as_ref().unwrap();
    assert_eq!(
        (review.index, assignee.r#type),
        (1, ProcessAssigneeType::Any)
    );
    assert_eq!(
        assignee.entities[0].entity.r#type,
        ProcessEntityType::Organization
    );
    assert_eq!(assignee.entities[0].include_subs, Some(true));
    let creator = &states["Draft"].assignee.as_ref().unwrap().entities[0].entity;
    assert_eq!(
        (creator.r#type, creator.code.as_deref()),
        (ProcessEntityType::Creator, None)
    );
    let actions = process.actions.as_ref().unwrap();
    assert_eq!(actions[1].filter_cond.as_deref(), Some("Amount <= 1000"));
    assert_eq!(actions[2].r#type, Some(ProcessActionType::Secondary));
    client
        .settings()
        .get_process_management(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    assert_live_then_preview(&server, "app/status.json").await;
}

#[tokio::test]
async fn update_process_management() {
    use kintone_api::types::{
        ProcessAction, ProcessActionExecutableUser, ProcessAssignee, ProcessAssigneeType,
        ProcessEntity, ProcessEntityGrant, ProcessEntityType, ProcessState,
    };
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("updateProcessManagement")).await;
    let owner = ProcessEntityGrant::new(ProcessEntity::new(
        ProcessEntityType::FieldEntity,
        Some("Owner".to_string()),
    ));
    let states = BTreeMap::from([
        ("Draft".to_string(), ProcessState::new("Draft", 0)),
        (
            "Done".to_string(),
            ProcessState::new("Done", 1).assignee(ProcessAssignee::new(
                ProcessAssigneeType::All,
                [owner.clone()],
            )),
        ),
    ]);
    let changed = client
        .settings()
        .update_process_management(1u64)
        .enable(true)
        .states(states)
        .actions([ProcessAction::new("Finish", "Draft", "Done")
            .filter_cond("Amount > 0")
            .executable_user(ProcessActionExecutableUser::new().entities([owner]))])
        .revision(3u64)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.revision.get(), 4);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/preview/app/status.json")
    );
    let owner = json!({"entity": {"type": "FIELD_ENTITY", "code": "Owner"}});
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "enable": true, "revision": 3,
            "states": {
                "Draft": {"name": "Draft", "index": "0"},
                "Done": {"name": "Done", "index": "1", "assignee": {"type": "ALL", "entities": [owner]}}
            },
            "actions": [{"name": "Finish", "from": "Draft", "to": "Done", "filterCond": "Amount > 0",
                "executableUser": {"entities": [owner]}}]})
    );
}

#[tokio::test]
async fn get_customization_live_and_preview() {
    use kintone_api::types::{CustomizationResourceType, CustomizationScope};
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getCustomization")).await;
    let custom = client
        .settings()
        .get_customization(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(custom.scope, CustomizationScope::All);
    let js = custom.desktop.js.as_ref().unwrap();
    assert_eq!(js[0].url.as_deref(), Some("https://cdn.example.com/lib.js"));
    assert_eq!(js[1].r#type, CustomizationResourceType::File);
    assert_eq!(js[1].file.as_ref().unwrap().size, Some(2048));
    client
        .settings()
        .get_customization(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    assert_live_then_preview(&server, "app/customize.json").await;
}

#[tokio::test]
async fn update_customization() {
    use kintone_api::types::{
        CustomizationFiles, CustomizationResource, CustomizationResourceType, CustomizationScope,
        SettingsFile,
    };
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("updateCustomization")).await;
    let changed = client
        .settings()
        .update_customization(1u64)
        .scope(CustomizationScope::Admin)
        .desktop(
            CustomizationFiles::new().js([
                CustomizationResource::new(CustomizationResourceType::Url)
                    .url("https://cdn.example.com/lib.js"),
                CustomizationResource::new(CustomizationResourceType::File)
                    .file(SettingsFile::new("k1")),
            ]),
        )
        .revision(5u64)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.revision.get(), 6);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/preview/app/customize.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "scope": "ADMIN", "revision": 5, "desktop": {"js": [
            {"type": "URL", "url": "https://cdn.example.com/lib.js"},
            {"type": "FILE", "file": {"fileKey": "k1"}}
        ]}})
    );
}

#[tokio::test]
async fn admin_notes_read_and_written() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getAdminNotes")).await;
    let notes = client
        .settings()
        .get_admin_notes(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    assert!(notes.include_in_template_and_duplicates);
    assert!(notes.content.contains("sales team"));
    server.reset().await;
    answer_json(&server, 200, spec_example("updateAdminNotes")).await;
    let changed = client
        .settings()
        .update_admin_notes(1u64)
        .content("<p>Owned by sales.</p>")
        .include_in_template_and_duplicates(false)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.revision.get(), 7);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/preview/app/adminNotes.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "content": "<p>Owned by sales.</p>", "includeInTemplateAndDuplicates": false})
    );
}

#[tokio::test]
async fn app_plugins_read_and_added() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getAppPlugins")).await;
    let plugins = client
        .settings()
        .get_app_plugins(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(plugins.plugins[0].name, "Calendar Plus");
    assert!(plugins.plugins[0].enabled);
    assert_eq!(
        only_request(&server).await.url.as_str().split("/k/").nth(1),
        Some("v1/app/plugins.json?app=1")
    );
    server.reset().await;
    answer_json(&server, 200, spec_example("addAppPlugins")).await;
    let changed = client
        .settings()
        .add_app_plugins(1u64, ["ofcjmfjjclabgfapoehknhpdmgdfnkoj"])
        .revision(7u64)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.revision.get(), 8);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("POST", "/k/v1/preview/app/plugins.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "ids": ["ofcjmfjjclabgfapoehknhpdmgdfnkoj"], "revision": 7})
    );
}

#[tokio::test]
async fn get_app_actions_live_and_preview() {
    use kintone_api::types::{ActionEntityType, ActionMappingSrcType};
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getAppActions")).await;
    let actions = client
        .settings()
        .get_app_actions(1u64)
        .send()
        .await
        .unwrap();
    let invoice = &actions.actions["Invoice"];
    assert_eq!((invoice.id.get(), invoice.index.get()), (8830, 0));
    assert_eq!(invoice.dest_app.app.map(|a| a.get()), Some(2));
    assert_eq!(
        invoice.mappings[1].src_type,
        ActionMappingSrcType::RecordUrl
    );
    assert_eq!(invoice.entities[0].r#type, ActionEntityType::Organization);
    client
        .settings()
        .get_app_actions(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    assert_live_then_preview(&server, "app/actions.json").await;
}

#[tokio::test]
async fn update_app_actions() {
    use kintone_api::types::{
        ActionDestApp, ActionEntity, ActionEntityType, ActionMapping, ActionMappingSrcType,
        AppActionInput,
    };
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("updateAppActions")).await;
    let action = AppActionInput::new(0u64)
        .dest_app(ActionDestApp::new().app(2u64))
        .mappings([
            ActionMapping::new(ActionMappingSrcType::Field, "Subject").src_field("Title"),
            ActionMapping::new(ActionMappingSrcType::RecordUrl, "Source"),
        ])
        .entities([ActionEntity::new(ActionEntityType::User, "sato")])
        .filter_cond("Amount > 0");
    let changed = client
        .settings()
        .update_app_actions(1u64, BTreeMap::from([("Invoice".to_string(), action)]))
        .revision(8u64)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (changed.revision.get(), changed.actions["Invoice"].id.get()),
        (9, 8830)
    );
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/preview/app/actions.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "revision": 8, "actions": {"Invoice": {
            "index": "0", "destApp": {"app": "2"},
            "mappings": [{"srcType": "FIELD", "srcField": "Title", "destField": "Subject"},
                {"srcType": "RECORD_URL", "destField": "Source"}],
            "entities": [{"type": "USER", "code": "sato"}], "filterCond": "Amount > 0"}}})
    );
}

#[tokio::test]
async fn get_reports_live_and_preview() {
    use kintone_api::types::ChartMode;
    use kintone_api::types::{ChartType, ReportAggregationType, ReportGroupPer, ReportPeriodEvery};
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getReports")).await;
    let reports = client.settings().get_reports(1u64).send().await.unwrap();
    let sales = &reports.reports["Sales by month"];
    assert_eq!(
        (sales.chart_type, sales.chart_mode),
        (ChartType::Column, Some(ChartMode::Stacked))
    );
    assert_eq!(sales.groups[0].per, Some(ReportGroupPer::Month));
    assert_eq!(sales.aggregations[0].r#type, ReportAggregationType::Sum);
    let period = &sales.periodic_report.as_ref().unwrap().period;
    assert_eq!(period.every, ReportPeriodEvery::Month);
    assert_eq!(period.time.map(|t| t.to_string()).as_deref(), Some("09:00"));
    assert_eq!(reports.reports["Count"].chart_mode, None);
    client
        .settings()
        .get_reports(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    assert_live_then_preview(&server, "app/reports.json").await;
}

#[tokio::test]
async fn update_reports() {
    use kintone_api::types::ChartMode;
    use kintone_api::types::{
        ChartType, PeriodicReport, ReportAggregation, ReportAggregationType, ReportGroup,
        ReportGroupPer, ReportInput, ReportPeriod, ReportPeriodDayOfWeek, ReportPeriodEvery,
        ReportSort, ReportSortBy, ReportSortOrder,
    };
    use kintone_api::Time;
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("updateReports")).await;
    let report = ReportInput::new(0u64, ChartType::Bar)
        .chart_mode(ChartMode::Normal)
        .groups([ReportGroup::new("Due").per(ReportGroupPer::Quarter)])
        .aggregations([ReportAggregation::new(ReportAggregationType::Average).code("Amount")])
        .sorts([ReportSort::new(ReportSortBy::Total, ReportSortOrder::Desc)])
        .periodic_report(PeriodicReport::new(
            true,
            ReportPeriod::new(ReportPeriodEvery::Week)
                .day_of_week(ReportPeriodDayOfWeek::Monday)
                .time(Time::new(8, 0).unwrap()),
        ));
    let changed = client
        .settings()
        .update_reports(
            1u64,
            BTreeMap::from([("Sales by month".to_string(), report)]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(changed.reports["Sales by month"].id.get(), 4411);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/preview/app/reports.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "reports": {"Sales by month": {
            "index": "0", "chartType": "BAR", "chartMode": "NORMAL",
            "groups": [{"code": "Due", "per": "QUARTER"}],
            "aggregations": [{"type": "AVERAGE", "code": "Amount"}],
            "sorts": [{"by": "TOTAL", "order": "DESC"}],
            "periodicReport": {"active": true, "period": {"every": "WEEK", "dayOfWeek": "MONDAY", "time": "08:00"}}}}})
    );
}

/// A graph with a fourth grouping level is refused before anything is sent: the request's check
/// descends into the graphs by name.
#[tokio::test]
async fn a_graph_with_more_than_three_groups_is_refused_before_sending() {
    use kintone_api::types::{ChartType, ReportGroup, ReportInput};
    use kintone_api::{Error, LimitError};
    let (server, client) = server_and_client().await;
    let report =
        ReportInput::new(0u64, ChartType::Table).groups(["A", "B", "C", "D"].map(ReportGroup::new));
    let err = client
        .settings()
        .update_reports(1u64, BTreeMap::from([("Four levels".to_string(), report)]))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit(LimitError::TooManyItems {
                field: "groups",
                max: kintone_api::limits::MAX_REPORT_GROUPS,
                actual: 4
            })
        ),
        "{err:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn the_specs_settings_examples_decode() {
    use kintone_api::types::*;
    decodes::<GetViewsRequest>();
    decodes::<UpdateViewsRequest>();
    decodes::<GetGeneralSettingsRequest>();
    decodes::<UpdateGeneralSettingsRequest>();
    decodes::<GetProcessManagementRequest>();
    decodes::<UpdateProcessManagementRequest>();
    decodes::<GetCustomizationRequest>();
    decodes::<UpdateCustomizationRequest>();
    decodes::<GetAdminNotesRequest>();
    decodes::<UpdateAdminNotesRequest>();
    decodes::<GetAppPluginsRequest>();
    decodes::<AddAppPluginsRequest>();
    decodes::<GetAppActionsRequest>();
    decodes::<UpdateAppActionsRequest>();
    decodes::<GetReportsRequest>();
    decodes::<UpdateReportsRequest>();
}

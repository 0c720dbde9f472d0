//! App settings besides the form against the emulator, end to end: each group written through
//! the client to the pre-live settings, read back pre-live, and live only after a deploy.

use crate::support::code_of;
use kintone_api::{Client, Error};
use kintone_tests::*;
use std::collections::BTreeMap;

/// The field keys of kintone's error: which inputs it refused.
fn error_fields(err: Error) -> Vec<String> {
    match err {
        Error::Api(e) => e.errors.keys().cloned().collect(),
        other => panic!("not kintone's error: {other:?}"),
    }
}

mod views {
    use super::*;
    use kintone_api::types::ViewDevice;
    use kintone_api::types::{ViewInput, ViewType};

    fn wanted() -> BTreeMap<String, ViewInput> {
        BTreeMap::from([
            (
                "Big".to_string(),
                ViewInput::new(ViewType::List, 0u64)
                    .fields(["Title", "Amount"])
                    .filter_cond(r#"Amount > 100 and When >= "2024-03-01T09:00:00+09:00""#)
                    .sort("Amount desc, Title asc"),
            ),
            (
                "Due".to_string(),
                ViewInput::new(ViewType::Calendar, 1u64)
                    .date("Due")
                    .title("Title"),
            ),
            (
                "Board".to_string(),
                ViewInput::new(ViewType::Custom, 2u64)
                    .html("<div id=board></div>")
                    .device(ViewDevice::Any),
            ),
        ])
    }

    #[tokio::test]
    async fn views_written_are_pre_live_until_deployed_and_dates_read_back_in_utc() {
        let (_emulator, client) = emulator_and_user().await;
        let before = client.settings().get_views(1u64).send().await.unwrap();
        assert!(before.views.is_empty());
        let changed = client
            .settings()
            .update_views(1u64, wanted())
            .revision(before.revision.get())
            .send()
            .await
            .unwrap();
        assert_eq!(changed.revision.get(), before.revision.get() + 1);
        let preview = client
            .settings()
            .get_views(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        assert_eq!(preview.revision, changed.revision);
        let big = &preview.views["Big"];
        assert_eq!(big.id, changed.views["Big"].id);
        assert_eq!(
            (big.r#type, big.index.get(), big.name.as_str()),
            (ViewType::List, 0, "Big")
        );
        assert_eq!(big.fields.as_deref().unwrap(), ["Title", "Amount"]);
        assert_eq!(
            big.filter_cond,
            r#"Amount > 100 and When >= "2024-03-01T00:00:00Z""#
        );
        assert_eq!(big.sort, "Amount desc, Title asc");
        let due = &preview.views["Due"];
        assert_eq!(
            (due.date.as_deref(), due.title.as_deref()),
            (Some("Due"), Some("Title"))
        );
        assert_eq!(due.fields, None, "keys of other view types are not kept");
        let board = &preview.views["Board"];
        assert_eq!(board.device, Some(ViewDevice::Any));
        assert_eq!(board.html.as_deref(), Some("<div id=board></div>"));

        let live = client.settings().get_views(1u64).send().await.unwrap();
        assert!(live.views.is_empty(), "{live:?}");
        deploy(&client, 1).await;
        let live = client.settings().get_views(1u64).send().await.unwrap();
        assert_eq!(live.views, preview.views);
        assert_eq!(live.revision, changed.revision);
    }

    #[tokio::test]
    async fn a_view_keeps_its_id_by_name_and_views_left_out_are_deleted() {
        let (_emulator, client) = emulator_and_user().await;
        let first = client
            .settings()
            .update_views(1u64, wanted())
            .send()
            .await
            .unwrap();
        let only_big = BTreeMap::from([(
            "Big".to_string(),
            ViewInput::new(ViewType::List, 0u64).fields(["Title"]),
        )]);
        let second = client
            .settings()
            .update_views(1u64, only_big)
            .send()
            .await
            .unwrap();
        assert_eq!(second.views["Big"].id, first.views["Big"].id);
        let ids: std::collections::HashSet<_> = first.views.values().map(|v| v.id).collect();
        assert_eq!(ids.len(), 3, "each view has its own ID");
        let preview = client
            .settings()
            .get_views(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        assert_eq!(preview.views.keys().collect::<Vec<_>>(), ["Big"]);
    }

    #[tokio::test]
    async fn bad_views_and_stale_revisions_are_refused() {
        let (_emulator, client) = emulator_and_user().await;
        let refused = |views: BTreeMap<String, ViewInput>| {
            let client = client.clone();
            async move {
                let err = client
                    .settings()
                    .update_views(1u64, views)
                    .send()
                    .await
                    .unwrap_err();
                match err {
                    Error::Api(e) => (e.code.clone(), e.errors.keys().cloned().collect::<Vec<_>>()),
                    other => panic!("{other:?}"),
                }
            }
        };
        let one = |v: ViewInput| BTreeMap::from([("V".to_string(), v)]);
        let (code, keys) = refused(one(
            ViewInput::new(ViewType::List, 0u64).filter_cond("Amount > ")
        ))
        .await;
        assert_eq!(
            (code.as_str(), keys),
            ("CB_VA01", vec!["views.V.filterCond".to_string()])
        );
        let (_, keys) = refused(one(
            ViewInput::new(ViewType::List, 0u64).filter_cond("Amount > 1 order by Title asc")
        ))
        .await;
        assert_eq!(keys, ["views.V.filterCond"]);
        let (_, keys) = refused(one(
            ViewInput::new(ViewType::List, 0u64).filter_cond(r#"Amount > 1 and Nope = "x""#)
        ))
        .await;
        assert_eq!(keys, ["views.V.filterCond"], "a field the form lacks");
        client
            .settings()
            .update_views(
                1u64,
                one(ViewInput::new(ViewType::List, 0u64)
                    .filter_cond(r#"Item in ("pen") and $id > 10"#)),
            )
            .send()
            .await
            .expect("table fields and $id may be named");
        let (_, keys) = refused(one(ViewInput::new(ViewType::List, 0u64).sort("Nope asc"))).await;
        assert_eq!(keys, ["views.V.sort"]);
        let (_, keys) = refused(one(ViewInput::new(ViewType::List, 0u64).fields(["Nope"]))).await;
        assert_eq!(keys, ["views.V.fields[0]"]);
        let (_, keys) = refused(one(ViewInput::new(ViewType::Calendar, 0u64)
            .date("Title")
            .title("Title")))
        .await;
        assert_eq!(keys, ["views.V.date"]);

        let stale = client
            .settings()
            .update_views(1u64, BTreeMap::new())
            .revision(99u64)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&stale), Some("GAIA_CO02"), "{stale:?}");
        let after = client
            .settings()
            .get_views(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        assert_eq!(
            after.revision.get(),
            2,
            "nothing refused changed the settings (the one accepted view did)"
        );
    }

    #[tokio::test]
    async fn api_tokens_without_app_management_read_views_but_cannot_change_them() {
        let (emulator, _) = emulator_with(|builder| {
            builder.api_token("RECORDS", 1, kintone_emulator::Permissions::RECORDS)
        })
        .await;
        let token_client = Client::builder(emulator.base_url())
            .api_token("RECORDS")
            .build()
            .unwrap();
        token_client
            .settings()
            .get_views(1u64)
            .send()
            .await
            .unwrap();
        let err = token_client
            .settings()
            .update_views(1u64, BTreeMap::new())
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&err), Some("GAIA_NO01"), "{err:?}");
    }
}

mod general {
    use super::*;
    use kintone_api::types::NumberPrecisionRoundingMode;
    use kintone_api::types::{
        AppIcon, AppIconType, AppTheme, NumberPrecision, SettingsFile, TitleField,
        TitleFieldSelectionMode,
    };
    use kintone_api::FilePart;

    #[tokio::test]
    async fn general_settings_are_pre_live_until_deployed_and_rename_the_app() {
        let (_emulator, client) = emulator_and_user().await;
        let before = client
            .settings()
            .get_general_settings(1u64)
            .send()
            .await
            .unwrap();
        assert_eq!(
            (before.name.as_str(), before.theme),
            ("Orders", AppTheme::White)
        );
        let upload = client
            .files()
            .upload_file(FilePart::new("icon.png", vec![0x89, b'P', b'N', b'G']))
            .send()
            .await
            .unwrap()
            .into_body();
        let changed = client
            .settings()
            .update_general_settings(1u64)
            .name("Orders 2024")
            .description("<b>All</b> orders")
            .icon(AppIcon::new(AppIconType::File).file(SettingsFile::new(upload.file_key.clone())))
            .theme(AppTheme::Green)
            .title_field(TitleField::new(TitleFieldSelectionMode::Manual).code("Code"))
            .enable_bulk_deletion(true)
            .number_precision(
                NumberPrecision::new()
                    .decimal_places(2u64)
                    .rounding_mode(NumberPrecisionRoundingMode::Up),
            )
            .first_month_of_fiscal_year(1u64)
            .revision(before.revision.get())
            .send()
            .await
            .unwrap();
        assert_eq!(changed.revision.get(), before.revision.get() + 1);

        let preview = client
            .settings()
            .get_general_settings(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        assert_eq!(preview.name.as_str(), "Orders 2024");
        assert_eq!(preview.description.as_str(), "<b>All</b> orders");
        let file = preview.icon.file.as_ref().unwrap();
        assert_eq!(
            (file.name.as_deref(), file.size),
            (Some("icon.png"), Some(4))
        );
        assert_eq!(preview.theme, AppTheme::Green);
        assert_eq!(
            preview.title_field.as_ref().unwrap().code.as_deref(),
            Some("Code")
        );
        assert_eq!(preview.enable_bulk_deletion, Some(true));
        assert_eq!(
            preview.enable_comments,
            Some(true),
            "what is left out keeps its value"
        );
        let precision = preview.number_precision.as_ref().unwrap();
        assert_eq!(
            (
                precision.digits,
                precision.decimal_places,
                precision.rounding_mode
            ),
            (Some(16), Some(2), Some(NumberPrecisionRoundingMode::Up)),
            "digits left out keep theirs"
        );
        assert_eq!(preview.first_month_of_fiscal_year.map(|m| m.get()), Some(1));

        let live = client
            .settings()
            .get_general_settings(1u64)
            .send()
            .await
            .unwrap();
        assert_eq!(
            (live.name.as_str(), live.theme),
            ("Orders", AppTheme::White)
        );
        assert_eq!(
            client.apps().get_app(1u64).send().await.unwrap().name,
            "Orders"
        );
        deploy(&client, 1).await;
        let live = client
            .settings()
            .get_general_settings(1u64)
            .send()
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&*live).unwrap(),
            serde_json::to_value(&*preview).unwrap()
        );
        let app = client.apps().get_app(1u64).send().await.unwrap();
        assert_eq!(
            (app.name.as_str(), app.description.as_str()),
            ("Orders 2024", "<b>All</b> orders")
        );
    }

    #[tokio::test]
    async fn bad_general_settings_and_stale_revisions_are_refused() {
        let (_emulator, client) = emulator_and_user().await;
        let err = client
            .settings()
            .update_general_settings(1u64)
            .title_field(TitleField::new(TitleFieldSelectionMode::Manual).code("Nope"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_fields(err), ["titleField.code"]);
        let err = client
            .settings()
            .update_general_settings(1u64)
            .icon(AppIcon::new(AppIconType::Preset).key("APP91"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_fields(err), ["icon.key"]);
        let err = client
            .settings()
            .update_general_settings(1u64)
            .icon(AppIcon::new(AppIconType::File).file(SettingsFile::new("no-such-upload")))
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_fields(err), ["icon.file.fileKey"]);
        let err = client
            .settings()
            .update_general_settings(1u64)
            .number_precision(NumberPrecision::new().digits(31u64))
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_fields(err), ["numberPrecision.digits"]);
        let err = client
            .settings()
            .update_general_settings(1u64)
            .name("x".repeat(65))
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Limit(_)),
            "the client refuses it first: {err:?}"
        );

        let stale = client
            .settings()
            .update_general_settings(1u64)
            .theme(AppTheme::Red)
            .revision(99u64)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&stale), Some("GAIA_CO02"), "{stale:?}");
        let after = client
            .settings()
            .get_general_settings(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        assert_eq!((after.revision.get(), after.theme), (1, AppTheme::White));
    }
}

mod process_management {
    use super::*;
    use kintone_api::types::{
        ProcessAction, ProcessAssignee, ProcessAssigneeType, ProcessEntity, ProcessEntityGrant,
        ProcessEntityType, ProcessState,
    };

    fn states(names: &[&str]) -> BTreeMap<String, ProcessState> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), ProcessState::new(*n, i as u64)))
            .collect()
    }

    async fn status_of(client: &Client, id: kintone_api::RecordId) -> String {
        let record = client.records().get_record(1u64, id).send().await.unwrap();
        record.record["Status"].as_text().unwrap().to_string()
    }

    #[tokio::test]
    async fn a_changed_process_is_pre_live_until_deployed_then_records_follow_it() {
        let (_emulator, client) = emulator_and_user().await;
        let seeded = client
            .settings()
            .get_process_management(1u64)
            .send()
            .await
            .unwrap();
        assert!(seeded.enable);
        let seeded_states = seeded.states.as_ref().unwrap();
        assert_eq!(seeded_states["Review"].index, 1);
        assert_eq!(seeded.actions.as_ref().unwrap()[0].name, "Submit");

        let added = client
            .records()
            .add_record(1u64)
            .record(record("Order", &[]))
            .send()
            .await
            .unwrap();
        for action in ["Submit", "Approve"] {
            client
                .process()
                .update_record_status(1u64, added.id, action)
                .send()
                .await
                .unwrap();
        }
        assert_eq!(status_of(&client, added.id).await, "Done");

        let owner = ProcessEntityGrant::new(ProcessEntity::new(
            ProcessEntityType::FieldEntity,
            Some("Owner".to_string()),
        ));
        let mut wanted = states(&["Draft", "Review", "Done", "Archived"]);
        wanted.insert(
            "Review".into(),
            ProcessState::new("Review", 1)
                .assignee(ProcessAssignee::new(ProcessAssigneeType::Any, [owner])),
        );
        let changed = client
            .settings()
            .update_process_management(1u64)
            .states(wanted)
            .actions([
                ProcessAction::new("Submit", "Draft", "Review"),
                ProcessAction::new("Approve", "Review", "Done").filter_cond("Amount <= 1000"),
                ProcessAction::new("Archive", "Done", "Archived"),
            ])
            .revision(seeded.revision.get())
            .send()
            .await
            .unwrap();
        assert_eq!(changed.revision.get(), seeded.revision.get() + 1);
        let preview = client
            .settings()
            .get_process_management(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        let review = &preview.states.as_ref().unwrap()["Review"];
        let assignee = review.assignee.as_ref().unwrap();
        assert_eq!(assignee.r#type, ProcessAssigneeType::Any);
        assert_eq!(assignee.entities[0].entity.code.as_deref(), Some("Owner"));
        assert_eq!(preview.actions.as_ref().unwrap()[2].name, "Archive");
        let live = client
            .settings()
            .get_process_management(1u64)
            .send()
            .await
            .unwrap();
        assert!(!live.states.as_ref().unwrap().contains_key("Archived"));

        let early = client
            .process()
            .update_record_status(1u64, added.id, "Archive")
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            code_of(&early),
            Some("GAIA_IL03"),
            "records follow the live process"
        );
        deploy(&client, 1).await;
        let live = client
            .settings()
            .get_process_management(1u64)
            .send()
            .await
            .unwrap();
        assert_eq!(live.states, preview.states);
        assert_eq!(live.actions, preview.actions);
        client
            .process()
            .update_record_status(1u64, added.id, "Archive")
            .send()
            .await
            .unwrap();
        assert_eq!(status_of(&client, added.id).await, "Archived");
    }

    #[tokio::test]
    async fn turning_the_process_on_and_off_takes_effect_on_deploy() {
        let (_emulator, client) = emulator_and_user().await;
        client
            .settings()
            .update_process_management(1u64)
            .enable(false)
            .send()
            .await
            .unwrap();
        let added = client
            .records()
            .add_record(1u64)
            .record(record("Still on", &[]))
            .send()
            .await
            .unwrap();
        client
            .process()
            .update_record_status(1u64, added.id, "Submit")
            .send()
            .await
            .unwrap();
        deploy(&client, 1).await;
        let off = client
            .process()
            .update_record_status(1u64, added.id, "Approve")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&off), Some("GAIA_ST02"), "{off:?}");
        let fields = client.form().get_form_fields(1u64).send().await.unwrap();
        assert!(
            matches!(
                &fields.properties["Status"],
                kintone_api::types::FieldProperties::Status(p) if p.enabled == Some(false)
            ),
            "{:?}",
            fields.properties["Status"]
        );

        client
            .settings()
            .update_process_management(1u64)
            .enable(true)
            // The first status is renamed under its current name.
            .states(BTreeMap::from([
                ("Draft".to_string(), ProcessState::new("Open", 0)),
                ("Closed".to_string(), ProcessState::new("Closed", 1)),
            ]))
            .actions([ProcessAction::new("Close", "Open", "Closed")])
            .send()
            .await
            .unwrap();
        deploy(&client, 1).await;
        assert_eq!(
            status_of(&client, added.id).await,
            "Open",
            "a record without a status starts in the first one"
        );
        client
            .process()
            .update_record_status(1u64, added.id, "Close")
            .send()
            .await
            .unwrap();
        assert_eq!(status_of(&client, added.id).await, "Closed");
    }

    #[tokio::test]
    async fn an_app_whose_process_was_never_set_reads_null_states() {
        let (_emulator, client) = emulator_and_user().await;
        let app = client.apps().add_app("Tasks").send().await.unwrap().app;
        let fresh = client
            .settings()
            .get_process_management(app)
            .preview()
            .send()
            .await
            .unwrap();
        assert_eq!(
            (
                fresh.enable,
                fresh.states.is_none(),
                fresh.actions.is_none()
            ),
            (false, true, true)
        );
    }

    #[tokio::test]
    async fn bad_processes_and_stale_revisions_are_refused() {
        let (_emulator, client) = emulator_and_user().await;
        let err = client
            .settings()
            .update_process_management(1u64)
            .actions([ProcessAction::new("Go", "Nowhere", "Done")])
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_fields(err), ["actions[0].from"]);
        let err = client
            .settings()
            .update_process_management(1u64)
            .states(states(&["New", "Done"]))
            .actions(Vec::<ProcessAction>::new())
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            error_fields(err),
            ["states.New"],
            "the first status is renamed, not added"
        );
        let mut unknown_field = states(&["Draft"]);
        unknown_field.insert(
            "Draft".into(),
            ProcessState::new("Draft", 0).assignee(ProcessAssignee::new(
                ProcessAssigneeType::One,
                [ProcessEntityGrant::new(ProcessEntity::new(
                    ProcessEntityType::FieldEntity,
                    Some("Nope".to_string()),
                ))],
            )),
        );
        let err = client
            .settings()
            .update_process_management(1u64)
            .states(unknown_field)
            .actions(Vec::<ProcessAction>::new())
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            error_fields(err),
            ["states.Draft.assignee.entities[0].entity.code"]
        );
        let err = client
            .settings()
            .update_process_management(1u64)
            .actions([ProcessAction::new("Submit", "Draft", "Review").filter_cond("Amount >")])
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_fields(err), ["actions[0].filterCond"]);

        let stale = client
            .settings()
            .update_process_management(1u64)
            .enable(false)
            .revision(99u64)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&stale), Some("GAIA_CO02"), "{stale:?}");
        let after = client
            .settings()
            .get_process_management(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        assert_eq!((after.revision.get(), after.enable), (1, true));
    }
}

mod customization_notes_and_plugins {
    use super::*;
    use kintone_api::types::{
        CustomizationFiles, CustomizationResource, CustomizationResourceType, CustomizationScope,
        SettingsFile,
    };
    use kintone_api::FilePart;

    /// O30: an upload is deleted three days later unless something keeps it; a customization
    /// that names it keeps it, as a record does.
    #[tokio::test]
    async fn a_file_the_customization_keeps_outlives_temporary_storage() {
        use kintone_emulator::ManualClock;
        use std::time::Duration;
        let clock = ManualClock::new();
        let (emulator, _) = emulator_managed_by("sato", |b| b.clock(clock.clone())).await;
        let client = Client::builder(emulator.base_url())
            .password("sato", "pw")
            .build()
            .unwrap();
        let upload = |name: &'static str| {
            client
                .files()
                .upload_file(FilePart::new(name, b"console.log(1)".to_vec()))
                .send()
        };
        let script = upload("kept.js").await.unwrap().into_body().file_key;
        let loose = upload("loose.js").await.unwrap().into_body().file_key;
        client
            .settings()
            .update_customization(1u64)
            .desktop(
                CustomizationFiles::new()
                    .js([CustomizationResource::new(CustomizationResourceType::File)
                        .file(SettingsFile::new(script))]),
            )
            .send()
            .await
            .unwrap();
        let kept = client
            .settings()
            .get_customization(1u64)
            .preview()
            .send()
            .await
            .unwrap()
            .desktop
            .js
            .clone()
            .unwrap()[0]
            .file
            .clone()
            .unwrap()
            .file_key;
        clock.advance(Duration::from_secs(3 * 24 * 3600));
        // The next upload sweeps temporary storage.
        upload("sweep.js").await.unwrap();
        let unkept = client
            .settings()
            .update_customization(1u64)
            .desktop(
                CustomizationFiles::new()
                    .js([CustomizationResource::new(CustomizationResourceType::File)
                        .file(SettingsFile::new(loose))]),
            )
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&unkept, Error::Api(e) if e.code == "CB_VA01"),
            "{unkept:?}"
        );
        let download = client
            .files()
            .download_file(kept)
            .send()
            .await
            .expect("the customization's file is kept")
            .into_body();
        assert_eq!(&download.bytes()[..], b"console.log(1)");
    }

    #[tokio::test]
    async fn customization_is_pre_live_until_deployed() {
        let (_emulator, client) = emulator_and_user().await;
        let script = client
            .files()
            .upload_file(FilePart::new("orders.js", b"console.log(1)".to_vec()))
            .send()
            .await
            .unwrap()
            .into_body();
        let before = client
            .settings()
            .get_customization(1u64)
            .send()
            .await
            .unwrap();
        assert_eq!(before.scope, CustomizationScope::All);
        let url = CustomizationResource::new(CustomizationResourceType::Url)
            .url("https://cdn.example.com/lib.js");
        let file = CustomizationResource::new(CustomizationResourceType::File)
            .file(SettingsFile::new(script.file_key.clone()));
        client
            .settings()
            .update_customization(1u64)
            .scope(CustomizationScope::Admin)
            .desktop(CustomizationFiles::new().js([url.clone(), file]))
            .mobile(CustomizationFiles::new().css([url]))
            .revision(before.revision.get())
            .send()
            .await
            .unwrap();
        let preview = client
            .settings()
            .get_customization(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        assert_eq!(preview.scope, CustomizationScope::Admin);
        let js = preview.desktop.js.as_ref().unwrap();
        let uploaded = js[1].file.as_ref().unwrap();
        assert_eq!(
            (uploaded.name.as_deref(), uploaded.size),
            (Some("orders.js"), Some(14))
        );
        assert_ne!(
            uploaded.file_key, script.file_key,
            "the settings keep the file under a key of their own"
        );
        let kept = client
            .files()
            .download_file(uploaded.file_key.clone())
            .send()
            .await
            .unwrap()
            .into_body();
        assert_eq!(&kept.bytes()[..], b"console.log(1)");
        assert_eq!(
            preview.desktop.css.as_deref(),
            Some(&[][..]),
            "a list not given stays"
        );
        assert_eq!(preview.mobile.css.as_ref().unwrap().len(), 1);
        let live = client
            .settings()
            .get_customization(1u64)
            .send()
            .await
            .unwrap();
        assert_eq!(live.scope, CustomizationScope::All);
        deploy(&client, 1).await;
        let live = client
            .settings()
            .get_customization(1u64)
            .send()
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(&*live).unwrap(),
            serde_json::to_value(&*preview).unwrap()
        );

        let http = client
            .settings()
            .update_customization(1u64)
            .desktop(
                CustomizationFiles::new()
                    .js([CustomizationResource::new(CustomizationResourceType::Url)
                        .url("http://cdn.example.com/lib.js")]),
            )
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_fields(http), ["desktop.js[0].url"]);
    }

    #[tokio::test]
    async fn admin_notes_are_pre_live_until_deployed_and_stale_revisions_refused() {
        let (_emulator, client) = emulator_and_user().await;
        let before = client
            .settings()
            .get_admin_notes(1u64)
            .send()
            .await
            .unwrap();
        assert_eq!(
            (
                before.content.as_str(),
                before.include_in_template_and_duplicates
            ),
            ("", false)
        );
        client
            .settings()
            .update_admin_notes(1u64)
            .content("<p>Owned by sales.</p>")
            .include_in_template_and_duplicates(true)
            .revision(before.revision.get())
            .send()
            .await
            .unwrap();
        client
            .settings()
            .update_admin_notes(1u64)
            .content("<p>Owned by sales; ask first.</p>")
            .send()
            .await
            .unwrap();
        let preview = client
            .settings()
            .get_admin_notes(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        assert_eq!(preview.content, "<p>Owned by sales; ask first.</p>");
        assert!(
            preview.include_in_template_and_duplicates,
            "what is left out keeps its value"
        );
        assert_eq!(
            client
                .settings()
                .get_admin_notes(1u64)
                .send()
                .await
                .unwrap()
                .content,
            ""
        );
        let stale = client
            .settings()
            .update_admin_notes(1u64)
            .content("x")
            .revision(before.revision.get())
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&stale), Some("GAIA_CO02"), "{stale:?}");
        deploy(&client, 1).await;
        let live = client
            .settings()
            .get_admin_notes(1u64)
            .send()
            .await
            .unwrap();
        assert_eq!(
            (live.content.as_str(), live.revision),
            (preview.content.as_str(), preview.revision)
        );
    }

    #[tokio::test]
    async fn plugins_added_are_pre_live_until_deployed_then_the_plugin_lists_the_app() {
        use kintone_emulator::PluginSeed;
        let calendar = "ofcjmfjjclabgfapoehknhpdmgdfnkoj";
        let (emulator, _) = emulator_managed_by("sato", |b| {
            b.plugin(PluginSeed::new(calendar, "Calendar Plus"))
                .plugin(PluginSeed::new("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "Used").app(1))
        })
        .await;
        let client = Client::builder(emulator.base_url())
            .password("sato", "pw")
            .build()
            .unwrap();
        let before = client
            .settings()
            .get_app_plugins(1u64)
            .send()
            .await
            .unwrap();
        assert_eq!(
            before
                .plugins
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["Used"]
        );
        let not_installed = client
            .settings()
            .add_app_plugins(1u64, ["cccccccccccccccccccccccccccccccc"])
            .send()
            .await
            .unwrap_err();
        assert_eq!(error_fields(not_installed), ["ids[0]"]);
        client
            .settings()
            .add_app_plugins(1u64, [calendar])
            .revision(before.revision.get())
            .send()
            .await
            .unwrap();
        let preview = client
            .settings()
            .get_app_plugins(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        assert_eq!(
            preview
                .plugins
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["Used", "Calendar Plus"]
        );
        let using = || async {
            client
                .plugins()
                .get_plugin_apps(calendar)
                .send()
                .await
                .unwrap()
                .apps
                .len()
        };
        assert_eq!(using().await, 0);
        assert_eq!(
            client
                .settings()
                .get_app_plugins(1u64)
                .send()
                .await
                .unwrap()
                .plugins
                .len(),
            1
        );
        deploy(&client, 1).await;
        assert_eq!(
            client
                .settings()
                .get_app_plugins(1u64)
                .send()
                .await
                .unwrap()
                .plugins,
            preview.plugins
        );
        assert_eq!(using().await, 1);
    }
}

mod actions {
    use super::*;
    use kintone_api::types::{
        ActionDestApp, ActionEntity, ActionEntityType, ActionMapping, ActionMappingSrcType,
        AppActionInput,
    };
    use kintone_emulator::{AppSeed, FieldSeed, FieldType};

    async fn with_invoices() -> (kintone_emulator::Emulator, Client) {
        let (emulator, _) = emulator_managed_by("sato", |b| {
            b.app(
                AppSeed::new(2, "Invoices")
                    .field(FieldSeed::new("Subject", FieldType::SingleLineText))
                    .field(FieldSeed::new("Source", FieldType::Link)),
            )
        })
        .await;
        let client = Client::builder(emulator.base_url())
            .password("sato", "pw")
            .build()
            .unwrap();
        (emulator, client)
    }

    fn invoice() -> AppActionInput {
        AppActionInput::new(0u64)
            .dest_app(ActionDestApp::new().app(2u64))
            .mappings([
                ActionMapping::new(ActionMappingSrcType::Field, "Subject").src_field("Title"),
                ActionMapping::new(ActionMappingSrcType::RecordUrl, "Source"),
            ])
            .entities([ActionEntity::new(ActionEntityType::Organization, "sales")])
            .filter_cond(r#"When > "2024-03-01T09:00:00+09:00""#)
    }

    #[tokio::test]
    async fn actions_are_pre_live_until_deployed_and_keep_their_ids_by_name() {
        let (_emulator, client) = with_invoices().await;
        let before = client
            .settings()
            .get_app_actions(1u64)
            .send()
            .await
            .unwrap();
        assert!(before.actions.is_empty());
        let first = client
            .settings()
            .update_app_actions(1u64, BTreeMap::from([("Invoice".to_string(), invoice())]))
            .revision(before.revision.get())
            .send()
            .await
            .unwrap();
        let preview = client
            .settings()
            .get_app_actions(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        let action = &preview.actions["Invoice"];
        assert_eq!(action.id, first.actions["Invoice"].id);
        assert_eq!(action.dest_app.app.map(|a| a.get()), Some(2));
        assert_eq!(action.mappings[0].src_field.as_deref(), Some("Title"));
        assert_eq!(action.entities[0].code, "sales");
        assert_eq!(
            action.filter_cond.as_deref(),
            Some(r#"When > "2024-03-01T00:00:00Z""#)
        );
        assert!(client
            .settings()
            .get_app_actions(1u64)
            .send()
            .await
            .unwrap()
            .actions
            .is_empty());

        // Changed under the same name: only the index given, the rest kept, the ID too.
        let second = client
            .settings()
            .update_app_actions(
                1u64,
                BTreeMap::from([("Invoice".to_string(), AppActionInput::new(1u64))]),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(second.actions["Invoice"].id, first.actions["Invoice"].id);
        deploy(&client, 1).await;
        let live = client
            .settings()
            .get_app_actions(1u64)
            .send()
            .await
            .unwrap();
        assert_eq!(live.actions["Invoice"].index.get(), 1);
        assert_eq!(live.actions["Invoice"].mappings, action.mappings);
    }

    #[tokio::test]
    async fn bad_actions_are_refused() {
        let (_emulator, client) = with_invoices().await;
        let refused = |action: AppActionInput| {
            let client = client.clone();
            async move {
                let err = client
                    .settings()
                    .update_app_actions(1u64, BTreeMap::from([("A".to_string(), action)]))
                    .send()
                    .await
                    .unwrap_err();
                error_fields(err)
            }
        };
        assert_eq!(
            refused(invoice().dest_app(ActionDestApp::new().app(99u64))).await,
            ["actions.A.destApp.app"]
        );
        assert_eq!(
            refused(
                invoice().mappings([ActionMapping::new(ActionMappingSrcType::RecordUrl, "Nope")])
            )
            .await,
            ["actions.A.mappings[0].destField"]
        );
        assert_eq!(
            refused(invoice().mappings([
                ActionMapping::new(ActionMappingSrcType::Field, "Subject").src_field("Nope")
            ]))
            .await,
            ["actions.A.mappings[0].srcField"]
        );
        assert_eq!(
            refused(AppActionInput::new(0u64)).await,
            ["actions.A.destApp"],
            "a new action needs its target"
        );
    }
}

mod reports {
    use super::*;
    use kintone_api::types::ChartMode;
    use kintone_api::types::{
        ChartType, PeriodicReport, ReportAggregation, ReportAggregationType, ReportGroup,
        ReportGroupPer, ReportInput, ReportPeriod, ReportPeriodEvery, ReportSort, ReportSortBy,
        ReportSortOrder,
    };

    fn sales() -> ReportInput {
        ReportInput::new(0u64, ChartType::Column)
            .chart_mode(ChartMode::Stacked)
            .groups([
                ReportGroup::new("Due").per(ReportGroupPer::Month),
                ReportGroup::new("Kind"),
            ])
            .aggregations([ReportAggregation::new(ReportAggregationType::Sum).code("Amount")])
            .sorts([ReportSort::new(ReportSortBy::Group1, ReportSortOrder::Asc)])
            .filter_cond("Amount > 0")
            .periodic_report(PeriodicReport::new(
                true,
                ReportPeriod::new(ReportPeriodEvery::Month)
                    .day_of_month("END_OF_MONTH")
                    .time(kintone_api::Time::new(9, 0).unwrap()),
            ))
    }

    #[tokio::test]
    async fn graphs_are_pre_live_until_deployed_and_keep_their_ids_by_name() {
        let (_emulator, client) = emulator_and_user().await;
        let before = client.settings().get_reports(1u64).send().await.unwrap();
        assert!(before.reports.is_empty());
        let table = ReportInput::new(1u64, ChartType::Table).groups([ReportGroup::new("When")]);
        let first = client
            .settings()
            .update_reports(
                1u64,
                BTreeMap::from([("Sales".to_string(), sales()), ("Table".to_string(), table)]),
            )
            .revision(before.revision.get())
            .send()
            .await
            .unwrap();
        let preview = client
            .settings()
            .get_reports(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        let sales_read = &preview.reports["Sales"];
        assert_eq!(sales_read.id, first.reports["Sales"].id);
        assert_eq!(sales_read.chart_mode, Some(ChartMode::Stacked));
        assert_eq!(sales_read.groups[1].per, None, "a drop-down has no period");
        let period = &sales_read.periodic_report.as_ref().unwrap().period;
        assert_eq!(period.day_of_month.as_deref(), Some("END_OF_MONTH"));
        let table_read = &preview.reports["Table"];
        assert_eq!(table_read.chart_mode, None, "a table has no chart mode");
        assert_eq!(table_read.groups[0].per, Some(ReportGroupPer::Year));
        assert_eq!(
            table_read.aggregations[0].r#type,
            ReportAggregationType::Count
        );
        assert!(client
            .settings()
            .get_reports(1u64)
            .send()
            .await
            .unwrap()
            .reports
            .is_empty());

        let second = client
            .settings()
            .update_reports(1u64, BTreeMap::from([("Sales".to_string(), sales())]))
            .send()
            .await
            .unwrap();
        assert_eq!(second.reports["Sales"].id, first.reports["Sales"].id);
        deploy(&client, 1).await;
        let live = client.settings().get_reports(1u64).send().await.unwrap();
        assert_eq!(live.reports.keys().collect::<Vec<_>>(), ["Sales"]);
        assert_eq!(live.reports["Sales"], preview.reports["Sales"]);
    }

    #[tokio::test]
    async fn bad_graphs_are_refused() {
        let (emulator, client) = emulator_and_user().await;
        let refused = |report: ReportInput| {
            let client = client.clone();
            async move {
                let err = client
                    .settings()
                    .update_reports(1u64, BTreeMap::from([("R".to_string(), report)]))
                    .send()
                    .await
                    .unwrap_err();
                error_fields(err)
            }
        };
        let table = || ReportInput::new(0u64, ChartType::Table);
        assert_eq!(
            refused(table().groups([ReportGroup::new("Nope")])).await,
            ["reports.R.groups[0].code"]
        );
        // The client refuses a fourth level before sending (a limit check); sent as raw HTTP,
        // the emulator refuses it too.
        let four = table().groups(["Kind", "Title", "Code", "Amount"].map(ReportGroup::new));
        let err = client
            .settings()
            .update_reports(1u64, BTreeMap::from([("R".to_string(), four.clone())]))
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Limit(_)), "{err:?}");
        let raw = reqwest::Client::new()
            .put(format!(
                "{}/k/v1/preview/app/reports.json",
                emulator.base_url()
            ))
            .header(kintone_api::headers::PASSWORD_HEADER, "c2F0bzpwdw==")
            .json(&serde_json::json!({"app": 1, "reports": {"R": four}}))
            .send()
            .await
            .unwrap();
        assert_eq!(raw.status(), 400);
        let body: serde_json::Value = raw.json().await.unwrap();
        assert!(body["errors"]["reports.R.groups"].is_object(), "{body}");
        assert_eq!(
            refused(table().groups([ReportGroup::new("Kind").per(ReportGroupPer::Month)])).await,
            ["reports.R.groups[0].per"]
        );
        assert_eq!(
            refused(
                table().aggregations([
                    ReportAggregation::new(ReportAggregationType::Sum).code("Title")
                ])
            )
            .await,
            ["reports.R.aggregations[0].code"]
        );
        assert_eq!(
            refused(table().sorts([ReportSort::new(ReportSortBy::Group2, ReportSortOrder::Asc)]))
                .await,
            ["reports.R.sorts[0].by"]
        );
        assert_eq!(
            refused(table().periodic_report(PeriodicReport::new(
                true,
                ReportPeriod::new(ReportPeriodEvery::Day)
            )))
            .await,
            ["reports.R.periodicReport.period.time"]
        );
        let stale = client
            .settings()
            .update_reports(1u64, BTreeMap::new())
            .revision(99u64)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&stale), Some("GAIA_CO02"), "{stale:?}");
    }
}

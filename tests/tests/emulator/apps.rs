//! Apps and their settings against the emulator, end to end: each change written through the
//! client and read back, pre-live until deployed, live after.

use crate::support::code_of;
use kintone_api::types::DeployStatus;
use kintone_api::{Client, DeployTarget, Error};
use kintone_tests::*;

/// Deploys and reads the status until it ends, as a user would.
async fn deploy_and_wait(client: &Client, apps: &[u64]) -> Vec<DeployStatus> {
    client
        .apps()
        .deploy_apps(apps.iter().map(|a| DeployTarget::new(*a)))
        .send()
        .await
        .unwrap();
    let mut reads = 0;
    loop {
        let status = client
            .apps()
            .get_deploy_status(apps.iter().copied())
            .send()
            .await
            .unwrap();
        let statuses: Vec<_> = status.apps.iter().map(|a| a.status).collect();
        if !statuses.contains(&DeployStatus::Processing) {
            return statuses;
        }
        reads += 1;
        assert!(reads < 10, "the deploy never ends");
    }
}

#[tokio::test]
async fn a_seeded_app_is_live() {
    let (_emulator, client) = emulator_and_user().await;
    let app = client.apps().get_app(1u64).send().await.unwrap();
    assert_eq!((app.app_id.get(), app.name.as_str()), (1, "Orders"));
    assert_eq!(app.space_id, None);
    let apps = client.apps().get_apps().send().await.unwrap();
    assert_eq!(apps.apps.len(), 1);
}

#[tokio::test]
async fn an_app_created_through_the_api_is_pre_live_until_deployed() {
    let (emulator, client) = emulator_and_user().await;
    let added = client.apps().add_app("Invoices").send().await.unwrap();
    assert_eq!(added.app.get(), 2);
    let before = client.apps().get_app(added.app).send().await.unwrap_err();
    assert_eq!(code_of(&before), Some("GAIA_AP01"), "{before:?}");
    let none = client
        .apps()
        .get_apps()
        .ids([added.app])
        .send()
        .await
        .unwrap();
    assert!(none.apps.is_empty());

    let statuses = deploy_and_wait(&client, &[added.app.get()]).await;
    assert_eq!(statuses, [DeployStatus::Success]);
    let app = client.apps().get_app(added.app).send().await.unwrap();
    assert_eq!(app.name, "Invoices");
    assert_eq!(app.creator.code, "sato");
    assert_eq!(emulator.record_count(added.app.get()), 0);
}

#[tokio::test]
async fn the_deploy_status_reads_processing_then_success() {
    let (_emulator, client) = emulator_and_user().await;
    client
        .apps()
        .deploy_apps([DeployTarget::new(1u64)])
        .send()
        .await
        .unwrap();
    let read = || async {
        client
            .apps()
            .get_deploy_status([1u64])
            .send()
            .await
            .unwrap()
            .apps[0]
            .status
    };
    assert_eq!(read().await, DeployStatus::Processing);
    assert_eq!(read().await, DeployStatus::Success);
    assert_eq!(read().await, DeployStatus::Success);
}

#[tokio::test]
async fn a_deploy_with_a_stale_revision_is_refused() {
    let (_emulator, client) = emulator_and_user().await;
    let err = client
        .apps()
        .deploy_apps([DeployTarget::new(1u64).revision(7u64)])
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), Some("GAIA_CO02"), "{err:?}");
    client
        .apps()
        .deploy_apps([DeployTarget::new(1u64).revision(1u64)])
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn get_apps_filters_and_pages() {
    let (_emulator, client) = emulator_and_user().await;
    for name in ["Invoices", "Invoice lines", "Customers"] {
        let added = client.apps().add_app(name).send().await.unwrap();
        deploy_and_wait(&client, &[added.app.get()]).await;
    }
    let names = |apps: &kintone_api::types::GetAppsResponse| -> Vec<String> {
        apps.apps.iter().map(|a| a.name.clone()).collect()
    };
    let invoices = client
        .apps()
        .get_apps()
        .name("invoice")
        .send()
        .await
        .unwrap();
    assert_eq!(names(&invoices), ["Invoices", "Invoice lines"]);
    let by_id = client
        .apps()
        .get_apps()
        .ids([1u64, 4])
        .send()
        .await
        .unwrap();
    assert_eq!(names(&by_id), ["Orders", "Customers"]);
    let page = client
        .apps()
        .get_apps()
        .limit(2)
        .offset(1)
        .send()
        .await
        .unwrap();
    assert_eq!(names(&page), ["Invoices", "Invoice lines"]);
}

#[tokio::test]
async fn moving_an_app_changes_its_space_and_the_space_filter_finds_it() {
    let (_emulator, client) = emulator_and_user().await;
    client
        .apps()
        .move_app(1u64)
        .space(5u64)
        .send()
        .await
        .unwrap();
    let app = client.apps().get_app(1u64).send().await.unwrap();
    assert_eq!(app.space_id, Some(5));
    let in_space = client
        .apps()
        .get_apps()
        .space_ids([5u64])
        .send()
        .await
        .unwrap();
    assert_eq!(in_space.apps.len(), 1);
    client.apps().move_app(1u64).send().await.unwrap();
    let app = client.apps().get_app(1u64).send().await.unwrap();
    assert_eq!(app.space_id, None);
}

#[tokio::test]
async fn api_tokens_read_apps_but_cannot_create_them() {
    let (_emulator, token_client) = emulator_and_client().await;
    token_client.apps().get_app(1u64).send().await.unwrap();
    let err = token_client.apps().add_app("X").send().await.unwrap_err();
    assert_eq!(code_of(&err), Some("GAIA_NO01"), "{err:?}");
}

/// One rule for every app-settings read and write, API tokens and users alike: live settings
/// (the permissions aside) need the right to view records; pre-live settings, the
/// permissions, writes and deploys need app management. Refused: `GAIA_NO01` for a token,
/// `CB_NO02` for a user.
#[tokio::test]
async fn app_settings_need_app_management_for_tokens_and_users_alike() {
    use kintone_api::types::{FieldProperties, NumberProperties};
    use kintone_emulator::{Emulator, Permissions};
    let emulator = Emulator::builder()
        .app(orders_app().manager("kato"))
        .api_token("RECORDS", 1, Permissions::RECORDS)
        .api_token("MANAGE", 1, Permissions::ALL)
        .user("sato", "pw")
        .user("kato", "pw")
        .start()
        .await
        .unwrap();
    let token = |t: &str| {
        Client::builder(emulator.base_url())
            .api_token(t)
            .build()
            .unwrap()
    };
    let callers = [
        (token("RECORDS"), Some("GAIA_NO01")),
        (signed_in(&emulator, "sato", "pw"), Some("CB_NO02")),
        (token("MANAGE"), None),
        (signed_in(&emulator, "kato", "pw"), None),
    ];
    for (n, (client, refusal)) in callers.iter().enumerate() {
        let refusal = *refusal;
        let seen = |result: Result<(), Error>| match result {
            Ok(()) => None,
            Err(e) => Some(code_of(&e).unwrap_or("not kintone's").to_string()),
        };
        let expect = |what: &str, result: Result<(), Error>| {
            assert_eq!(seen(result).as_deref(), refusal, "caller {n}: {what}");
        };
        let live = client.form().get_form_fields(1u64).send().await.map(drop);
        assert!(live.is_ok(), "caller {n} reads the live form: {live:?}");
        let views = client.settings().get_views(1u64).send().await.map(drop);
        assert!(views.is_ok(), "caller {n} reads the live views: {views:?}");
        expect(
            "the pre-live form",
            client
                .form()
                .get_form_fields(1u64)
                .preview()
                .send()
                .await
                .map(drop),
        );
        expect(
            "the live app permissions",
            client
                .permissions()
                .get_app_permissions(1u64)
                .send()
                .await
                .map(drop),
        );
        let field = format!("Discount{n}");
        expect(
            "adding a field",
            client
                .form()
                .add_form_fields(
                    1u64,
                    [(
                        field.clone(),
                        FieldProperties::Number(NumberProperties::new(field.as_str())),
                    )],
                )
                .send()
                .await
                .map(drop),
        );
        expect(
            "a deploy",
            client
                .apps()
                .deploy_apps([DeployTarget::new(1u64)])
                .send()
                .await
                .map(drop),
        );
        expect(
            "the deploy status",
            client
                .apps()
                .get_deploy_status([1u64])
                .send()
                .await
                .map(drop),
        );
    }
}

mod form {
    use super::*;
    use kintone_api::types::*;
    use std::collections::BTreeMap;

    fn props(code: &str, p: FieldProperties) -> BTreeMap<String, FieldProperties> {
        BTreeMap::from([(code.to_string(), p)])
    }

    /// The codes of the fields a legacy form lists, in its order.
    #[allow(deprecated)] // the legacy form API is what this test is about
    async fn legacy_codes(client: &Client, preview: bool) -> Vec<String> {
        let call = client.form().get_form(1u64);
        let form = if preview {
            call.preview().send().await
        } else {
            call.send().await
        };
        let form = form.unwrap();
        form.into_body()
            .properties
            .into_iter()
            .filter_map(|e| e.code)
            .collect()
    }

    #[allow(deprecated)] // the legacy form API is what this test is about
    #[tokio::test]
    async fn the_legacy_form_lists_the_live_and_the_pre_live_fields() {
        let (_emulator, client) = emulator_and_user().await;
        let live = client.form().get_form(1u64).send().await.unwrap();
        let title = live
            .properties
            .iter()
            .find(|e| e.code.as_deref() == Some("Title"))
            .unwrap();
        assert_eq!(
            (title.r#type, title.required),
            (LegacyFormElementType::SingleLineText, Some(true))
        );
        let kind = live
            .properties
            .iter()
            .find(|e| e.code.as_deref() == Some("Kind"))
            .unwrap();
        assert_eq!(kind.options.as_deref().unwrap(), ["A", "B", "C"]);
        let lines = live
            .properties
            .iter()
            .find(|e| e.r#type == LegacyFormElementType::Subtable)
            .unwrap();
        let inner: Vec<_> = lines
            .fields
            .iter()
            .flatten()
            .filter_map(|f| f.code.as_deref())
            .collect();
        assert_eq!(inner, ["Item", "Qty"]);
        let codes = legacy_codes(&client, false).await;
        assert!(codes.contains(&"Record_number".to_string()), "{codes:?}");
        assert!(!codes.contains(&"Status".to_string()), "{codes:?}");

        client
            .form()
            .add_form_fields(
                1u64,
                props(
                    "Priority",
                    FieldProperties::SingleLineText(
                        SingleLineTextProperties::new("Priority").label("Priority"),
                    ),
                ),
            )
            .send()
            .await
            .unwrap();
        assert!(legacy_codes(&client, true)
            .await
            .contains(&"Priority".to_string()));
        assert!(!legacy_codes(&client, false)
            .await
            .contains(&"Priority".to_string()));
        deploy_and_wait(&client, &[1]).await;
        assert!(legacy_codes(&client, false)
            .await
            .contains(&"Priority".to_string()));
    }

    #[tokio::test]
    async fn a_field_added_is_pre_live_until_deployed_then_records_take_it() {
        let (_emulator, client) = emulator_and_user().await;
        let before = client.form().get_form_fields(1u64).send().await.unwrap();
        let added = client
            .form()
            .add_form_fields(
                1u64,
                props(
                    "Priority",
                    FieldProperties::SingleLineText(
                        SingleLineTextProperties::new("Priority")
                            .label("Priority")
                            .required(true),
                    ),
                ),
            )
            .revision(before.revision.get())
            .send()
            .await
            .unwrap();
        assert_eq!(added.revision.get(), before.revision.get() + 1);

        let preview = client
            .form()
            .get_form_fields(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        assert!(matches!(
            &preview.properties["Priority"],
            FieldProperties::SingleLineText(p) if p.required == Some(true) && p.label.as_deref() == Some("Priority")
        ));
        let live = client.form().get_form_fields(1u64).send().await.unwrap();
        assert!(!live.properties.contains_key("Priority"));
        // Records follow the live form: the pre-live required field does not apply yet.
        client
            .records()
            .add_record(1u64)
            .record(record("Before", &[]))
            .send()
            .await
            .unwrap();

        deploy_and_wait(&client, &[1]).await;
        let live = client.form().get_form_fields(1u64).send().await.unwrap();
        assert!(live.properties.contains_key("Priority"));
        assert_eq!(live.revision, added.revision);
        let missing = client
            .records()
            .add_record(1u64)
            .record(record("No priority", &[]))
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&missing), Some("CB_VA01"), "{missing:?}");
        let ok = client
            .records()
            .add_record(1u64)
            .record(record(
                "High",
                &[("Priority", FieldInput::single_line_text("high"))],
            ))
            .send()
            .await
            .unwrap();
        let got = client
            .records()
            .get_record(1u64, ok.id)
            .send()
            .await
            .unwrap();
        assert_eq!(got.record["Priority"].as_text(), Some("high"));
    }

    #[tokio::test]
    async fn a_field_deleted_and_deployed_is_gone_from_records() {
        let (_emulator, client) = emulator_and_user().await;
        let added = client
            .records()
            .add_record(1u64)
            .record(record(
                "x",
                &[("Amount", FieldInput::number(Some("5".parse().unwrap())))],
            ))
            .send()
            .await
            .unwrap();
        client
            .form()
            .delete_form_fields(1u64, ["Amount"])
            .send()
            .await
            .unwrap();
        let still = client
            .records()
            .get_record(1u64, added.id)
            .send()
            .await
            .unwrap();
        assert!(still.record.contains_key("Amount"), "live until deployed");
        deploy_and_wait(&client, &[1]).await;
        let gone = client
            .records()
            .get_record(1u64, added.id)
            .send()
            .await
            .unwrap();
        assert!(!gone.record.contains_key("Amount"));
        assert_eq!(
            gone.record["Title"].as_text(),
            Some("x"),
            "other values stay"
        );
        let query = client
            .records()
            .get_records(1u64)
            .query("Amount > 1")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&query), Some("GAIA_IQ11"), "{query:?}");
    }

    #[tokio::test]
    async fn every_addable_type_round_trips_and_a_subtable_takes_rows_after_deploy() {
        let (_emulator, client) = emulator_and_user().await;
        let added = client.apps().add_app("Catalogue").send().await.unwrap();
        let app = added.app;
        let options = BTreeMap::from([
            ("S".to_string(), FieldOption::new("S", 0)),
            ("M".to_string(), FieldOption::new("M", 1)),
        ]);
        let fields = BTreeMap::from([
            (
                "Name".to_string(),
                FieldProperties::SingleLineText(SingleLineTextProperties::new("Name").unique(true)),
            ),
            (
                "Price".to_string(),
                FieldProperties::Number(
                    NumberProperties::new("Price")
                        .unit("JPY")
                        .unit_position(UnitPosition::After),
                ),
            ),
            (
                "Total".to_string(),
                FieldProperties::Calc(
                    CalcProperties::new("Total")
                        .expression("Price * 2")
                        .format(CalcPropertiesFormat::Number),
                ),
            ),
            (
                "Notes".to_string(),
                FieldProperties::MultiLineText(MultiLineTextProperties::new("Notes")),
            ),
            (
                "Body".to_string(),
                FieldProperties::RichText(RichTextProperties::new("Body")),
            ),
            (
                "Site".to_string(),
                FieldProperties::Link(
                    LinkProperties::new("Site").protocol(LinkPropertiesProtocol::Web),
                ),
            ),
            (
                "Sizes".to_string(),
                FieldProperties::CheckBox(
                    CheckBoxProperties::new("Sizes")
                        .options(options.clone())
                        .align(Align::Vertical),
                ),
            ),
            (
                "Size".to_string(),
                FieldProperties::RadioButton(
                    RadioButtonProperties::new("Size")
                        .options(options.clone())
                        .default_value("S"),
                ),
            ),
            (
                "Pick".to_string(),
                FieldProperties::DropDown(DropDownProperties::new("Pick").options(options.clone())),
            ),
            (
                "Picks".to_string(),
                FieldProperties::MultiSelect(MultiSelectProperties::new("Picks").options(options)),
            ),
            (
                "Photo".to_string(),
                FieldProperties::File(
                    FileProperties::new("Photo").thumbnail_size(FilePropertiesThumbnailSize::Px150),
                ),
            ),
            (
                "Day".to_string(),
                FieldProperties::Date(DateProperties::new("Day").default_now_value(true)),
            ),
            (
                "At".to_string(),
                FieldProperties::Time(TimeProperties::new("At")),
            ),
            (
                "When".to_string(),
                FieldProperties::Datetime(DateTimeProperties::new("When")),
            ),
            (
                "Buyer".to_string(),
                FieldProperties::UserSelect(
                    EntitySelectProperties::new("Buyer")
                        .entities([SelectionEntity::new("sato", SelectionEntityType::User)]),
                ),
            ),
            (
                "Dept".to_string(),
                FieldProperties::OrganizationSelect(EntitySelectProperties::new("Dept")),
            ),
            (
                "Team".to_string(),
                FieldProperties::GroupSelect(EntitySelectProperties::new("Team")),
            ),
            (
                "Box".to_string(),
                FieldProperties::Group(GroupProperties::new("Box").open_group(true)),
            ),
            (
                "Lines".to_string(),
                FieldProperties::Subtable(SubtableProperties::new("Lines").fields(BTreeMap::from(
                    [
                        (
                            "Item".to_string(),
                            FieldProperties::SingleLineText(SingleLineTextProperties::new("Item")),
                        ),
                        (
                            "Qty".to_string(),
                            FieldProperties::Number(NumberProperties::new("Qty")),
                        ),
                    ],
                ))),
            ),
        ]);
        let count = fields.len();
        client
            .form()
            .add_form_fields(app, fields.clone())
            .send()
            .await
            .unwrap();
        let preview = client
            .form()
            .get_form_fields(app)
            .preview()
            .send()
            .await
            .unwrap();
        for (code, sent) in &fields {
            let read = &preview.properties[code];
            assert_eq!(read.field_type(), sent.field_type(), "{code}");
        }
        assert!(
            matches!(&preview.properties["Price"], FieldProperties::Number(p) if p.unit_position == Some(UnitPosition::After))
        );
        assert!(
            matches!(&preview.properties["Sizes"], FieldProperties::CheckBox(p) if p.options.as_ref().unwrap()["M"].index == 1)
        );
        assert!(
            matches!(&preview.properties["Lines"], FieldProperties::Subtable(p) if p.fields.as_ref().unwrap().len() == 2)
        );
        assert!(matches!(
            &preview.properties["Record_number"],
            FieldProperties::RecordNumber(_)
        ));
        let layout = client
            .form()
            .get_form_layout(app)
            .preview()
            .send()
            .await
            .unwrap();
        assert_eq!(layout.layout.len(), count, "one block per field added");

        deploy_and_wait(&client, &[app.get()]).await;
        let row = |item: &str, qty: &str| {
            SubtableRowInput::new(RecordInput::from([
                ("Item".to_string(), FieldInput::single_line_text(item)),
                (
                    "Qty".to_string(),
                    FieldInput::number(Some(qty.parse().unwrap())),
                ),
            ]))
        };
        let added = client
            .records()
            .add_record(app)
            .record(RecordInput::from([
                ("Name".to_string(), FieldInput::single_line_text("Pen")),
                (
                    "Price".to_string(),
                    FieldInput::number(Some("120".parse().unwrap())),
                ),
                ("Size".to_string(), FieldInput::radio_button("M")),
                (
                    "Lines".to_string(),
                    FieldInput::subtable([row("a", "1"), row("b", "2")]),
                ),
            ]))
            .send()
            .await
            .unwrap();
        let got = client
            .records()
            .get_record(app, added.id)
            .send()
            .await
            .unwrap();
        assert_eq!(got.record["Total"].as_text(), Some("240"));
        match &got.record["Lines"] {
            FieldValue::Subtable(t) => assert_eq!(t.value.len(), 2),
            other => panic!("{other:?}"),
        }
        let duplicate = client
            .records()
            .add_record(app)
            .record(RecordInput::from([(
                "Name".to_string(),
                FieldInput::single_line_text("Pen"),
            )]))
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&duplicate), Some("CB_VA01"), "unique after deploy");
    }

    #[tokio::test]
    async fn updating_a_field_renames_it_and_keeps_its_values_apart() {
        let (_emulator, client) = emulator_and_user().await;
        client
            .form()
            .update_form_fields(
                1u64,
                props(
                    "Title",
                    FieldProperties::SingleLineText(
                        SingleLineTextProperties::new("Subject").label("Subject"),
                    ),
                ),
            )
            .send()
            .await
            .unwrap();
        let preview = client
            .form()
            .get_form_fields(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        assert!(preview.properties.contains_key("Subject"));
        assert!(!preview.properties.contains_key("Title"));
        assert!(
            matches!(
                &preview.properties["Subject"],
                FieldProperties::SingleLineText(p) if p.required == Some(true)
            ),
            "properties left out keep their values"
        );
        let wrong_type = client
            .form()
            .update_form_fields(
                1u64,
                props(
                    "Amount",
                    FieldProperties::Date(DateProperties::new("Amount")),
                ),
            )
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&wrong_type), Some("CB_VA01"));
    }

    #[tokio::test]
    async fn layout_changes_are_pre_live_and_stale_revisions_are_refused() {
        let (_emulator, client) = emulator_and_user().await;
        let live = client.form().get_form_layout(1u64).send().await.unwrap();
        let row = LayoutRow::new([
            LayoutElement::new("SINGLE_LINE_TEXT")
                .code("Title")
                .size(ElementSize::new().width(500)),
            LayoutElement::new("LABEL").label("<b>Order</b>"),
        ]);
        let changed = client
            .form()
            .update_form_layout(1u64, [LayoutBlock::Row(row)])
            .revision(live.revision.get())
            .send()
            .await
            .unwrap();
        let preview = client
            .form()
            .get_form_layout(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        assert_eq!(preview.layout.len(), 1);
        assert_eq!(preview.revision, changed.revision);
        match &preview.layout[0] {
            LayoutBlock::Row(r) => {
                assert_eq!(r.fields[0].size.as_ref().unwrap().width, Some(500));
                assert_eq!(r.fields[1].label.as_deref(), Some("<b>Order</b>"));
            }
            other => panic!("{other:?}"),
        }
        let still = client.form().get_form_layout(1u64).send().await.unwrap();
        assert_eq!(still.layout.len(), live.layout.len());
        let stale = client
            .form()
            .update_form_layout(1u64, Vec::<LayoutBlock>::new())
            .revision(live.revision.get())
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&stale), Some("GAIA_CO02"), "{stale:?}");
        let unknown = client
            .form()
            .update_form_layout(
                1u64,
                [LayoutBlock::Row(LayoutRow::new([LayoutElement::new(
                    "NUMBER",
                )
                .code("Nope")]))],
            )
            .send()
            .await
            .unwrap_err();
        assert_eq!(code_of(&unknown), Some("CB_VA01"));
    }

    #[tokio::test]
    async fn a_revert_discards_pre_live_changes() {
        let (_emulator, client) = emulator_and_user().await;
        client
            .form()
            .delete_form_fields(1u64, ["Amount"])
            .send()
            .await
            .unwrap();
        client
            .apps()
            .deploy_apps([DeployTarget::new(1u64)])
            .revert(true)
            .send()
            .await
            .unwrap();
        let preview = client
            .form()
            .get_form_fields(1u64)
            .preview()
            .send()
            .await
            .unwrap();
        assert!(preview.properties.contains_key("Amount"));
    }

    #[tokio::test]
    async fn a_deploy_that_breaks_existing_records_fails_and_cancels_the_others() {
        let (_emulator, client) = emulator_and_user().await;
        let other = client.apps().add_app("Other").send().await.unwrap().app;
        for _ in 0..2 {
            client
                .records()
                .add_record(1u64)
                .record(record("same", &[]))
                .send()
                .await
                .unwrap();
        }
        client
            .form()
            .update_form_fields(
                1u64,
                props(
                    "Title",
                    FieldProperties::SingleLineText(
                        SingleLineTextProperties::new("Title").unique(true),
                    ),
                ),
            )
            .send()
            .await
            .unwrap();
        let statuses = deploy_and_wait(&client, &[1, other.get()]).await;
        assert_eq!(statuses, [DeployStatus::Fail, DeployStatus::Cancel]);
        let err = client.apps().get_app(other).send().await.unwrap_err();
        assert_eq!(
            code_of(&err),
            Some("GAIA_AP01"),
            "the cancelled app did not go live"
        );
    }
}

#[tokio::test]
async fn deploy_and_wait_follows_the_emulators_deploy_to_its_end() {
    let (emulator, _) = emulator_with(|b| b.deploy_processing_reads(3)).await;
    let client = Client::builder(emulator.base_url())
        .password("sato", "pw")
        .build()
        .unwrap();
    let added = client.apps().add_app("Followed").send().await.unwrap();
    let outcome = client
        .deploy_and_wait([DeployTarget::new(added.app)])
        .wait_with(|_| std::future::ready(()))
        .send()
        .await
        .unwrap();
    assert!(outcome.succeeded(), "{outcome:?}");
    client.apps().get_app(added.app).send().await.unwrap();
}

#[tokio::test]
async fn app_statistics_count_what_the_apps_hold() {
    use kintone_api::types::AppStatus;
    use kintone_api::{FieldInput, FilePart, FileRef};
    let (emulator, token) = emulator_with(|b| b.user("Administrator", "admin")).await;
    let admin = Client::builder(emulator.base_url())
        .password("Administrator", "admin")
        .build()
        .unwrap();
    let before = admin.apps().get_apps_statistics().send().await.unwrap();
    let orders = &before.apps[0];
    assert_eq!((orders.id.get(), orders.record_count), (1, 0));
    assert_eq!(
        (orders.status, orders.storage_usage),
        (AppStatus::Activated, 0)
    );
    assert_eq!(orders.space, None);
    assert_eq!(orders.record_updated_at, orders.created_at);

    let uploaded = token
        .files()
        .upload_file(FilePart::new("a.txt", vec![b'x'; 1234]))
        .send()
        .await
        .unwrap()
        .into_body()
        .file_key;
    let mut with_file = record("first", &[]);
    with_file.insert(
        "Attachment".to_string(),
        FieldInput::file([FileRef::new(uploaded)]),
    );
    for input in [with_file, record("second", &[]), record("third", &[])] {
        token
            .records()
            .add_record(1u64)
            .record(input)
            .send()
            .await
            .unwrap();
    }
    let added = admin.apps().add_app("Invoices").send().await.unwrap();

    let after = admin.apps().get_apps_statistics().send().await.unwrap();
    assert_eq!(after.apps.len(), 2);
    let orders = &after.apps[0];
    assert_eq!(orders.record_count, 3);
    assert_eq!(orders.storage_usage, 1234);
    // Three adds and nothing else named app 1 today.
    assert_eq!(orders.daily_request_count, 3);
    let fields = token.form().get_form_fields(1u64).send().await.unwrap();
    let inner: usize = fields
        .properties
        .values()
        .map(|p| {
            serde_json::to_value(p).unwrap()["fields"]
                .as_object()
                .map_or(0, |f| f.len())
        })
        .sum();
    assert_eq!(orders.field_count, (fields.properties.len() + inner) as u64);
    assert!(orders.record_updated_at.to_string() >= orders.created_at.to_string());
    let invoices = &after.apps[1];
    assert_eq!(
        (invoices.id, invoices.status, invoices.record_count),
        (added.app, AppStatus::NotActivated, 0)
    );
    assert_eq!(invoices.creator.code, "Administrator");

    let paged = admin
        .apps()
        .get_apps_statistics()
        .offset(1)
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        paged.apps.iter().map(|a| a.id).collect::<Vec<_>>(),
        [added.app]
    );

    for outsider in [
        token.clone(),
        Client::builder(emulator.base_url())
            .password("sato", "pw")
            .build()
            .unwrap(),
    ] {
        let err = outsider
            .apps()
            .get_apps_statistics()
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.api().map(|e| e.status.as_u16()), Some(403), "{err:?}");
    }
}

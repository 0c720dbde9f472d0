//! App, record and field permissions against the emulator, end to end: each written through the
//! client and read back, pre-live until deployed or live at once; and the app and field
//! permissions enforced for users.

use kintone_api::types::*;
use kintone_api::*;
use kintone_tests::*;

/// The emulator of [`emulator_and_client`] with the user who created app 1 (`Administrator`),
/// signed in, and the user `sato`, signed in; and the full API token's client.
async fn emulator_and_users() -> (kintone_emulator::Emulator, Client, Client, Client) {
    let (emulator, token) = emulator_with(|b| b.user(ADMIN, "admin")).await;
    let admin = signed_in(&emulator, ADMIN, "admin");
    let sato = signed_in(&emulator, "sato", "pw");
    (emulator, admin, sato, token)
}

const ADMIN: &str = "Administrator";

fn user(login: &str) -> SettingsEntity {
    SettingsEntity::new(SettingsEntityType::User).code(login)
}

fn everyone() -> SettingsEntity {
    SettingsEntity::new(SettingsEntityType::Group).code("everyone")
}

fn creator_manages() -> AppRight {
    AppRight::new(SettingsEntity::new(SettingsEntityType::Creator))
        .app_editable(true)
        .record_viewable(true)
        .record_addable(true)
        .record_editable(true)
        .record_deletable(true)
}

fn amount(n: &str) -> FieldInput {
    FieldInput::number(Some(n.parse().unwrap()))
}

#[tokio::test]
async fn app_permissions_written_pre_live_are_enforced_after_deploy() {
    let (_emulator, admin, sato, _) = emulator_and_users().await;
    let before = admin
        .permissions()
        .get_app_permissions(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(before.rights.len(), 2, "the creator, and everyone");
    assert_eq!(before.rights[1].record_addable, Some(true));

    let changed = admin
        .permissions()
        .update_app_permissions(
            1u64,
            [
                creator_manages(),
                AppRight::new(user("sato")).record_viewable(true),
            ],
        )
        .revision(before.revision)
        .preview()
        .send()
        .await
        .unwrap();
    assert_eq!(changed.revision.get(), before.revision.get() + 1);
    let pre_live = admin
        .permissions()
        .get_app_permissions(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    assert_eq!(pre_live.revision, changed.revision);
    assert_eq!(pre_live.rights[1].entity.code.as_deref(), Some("sato"));
    assert_eq!(
        (
            pre_live.rights[1].record_viewable,
            pre_live.rights[1].record_addable
        ),
        (Some(true), Some(false)),
        "a right left out is not granted"
    );
    let live = admin
        .permissions()
        .get_app_permissions(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(live.rights.len(), 2, "the live app keeps its permissions");
    sato.records()
        .add_record(1u64)
        .record(record("before the deploy", &[]))
        .send()
        .await
        .unwrap();

    deploy(&admin, 1).await;
    let live = admin
        .permissions()
        .get_app_permissions(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(live.rights, pre_live.rights);
    let refused = sato
        .records()
        .add_record(1u64)
        .record(record("after", &[]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&refused), (Some(403), Some("CB_NO02")));
    let page = sato.records().get_records(1u64).send().await.unwrap();
    assert_eq!(page.records.len(), 1, "sato may still view");
    let not_admin = sato
        .permissions()
        .get_app_permissions(1u64)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&not_admin), (Some(403), Some("CB_NO02")));
}

#[tokio::test]
async fn live_app_permissions_apply_at_once_and_a_stale_revision_conflicts() {
    let (_emulator, admin, sato, token) = emulator_and_users().await;
    let added = token
        .records()
        .add_record(1u64)
        .record(record("kept", &[]))
        .send()
        .await
        .unwrap();
    let before = admin
        .permissions()
        .get_app_permissions(1u64)
        .send()
        .await
        .unwrap();
    let changed = admin
        .permissions()
        .update_app_permissions(
            1u64,
            [
                creator_manages(),
                AppRight::new(everyone())
                    .record_viewable(true)
                    .record_addable(true),
            ],
        )
        .revision(before.revision)
        .send()
        .await
        .unwrap();
    let live = admin
        .permissions()
        .get_app_permissions(1u64)
        .send()
        .await
        .unwrap();
    let pre_live = admin
        .permissions()
        .get_app_permissions(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    for read in [&live, &pre_live] {
        assert_eq!(read.revision, changed.revision);
        assert_eq!(read.rights[1].record_editable, Some(false));
    }
    let refused = sato
        .records()
        .delete_records(1u64, [added.id])
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&refused), (Some(403), Some("CB_NO02")));

    let stale = admin
        .permissions()
        .update_app_permissions(1u64, [creator_manages()])
        .revision(before.revision)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&stale), (Some(409), Some("GAIA_CO02")));
    let unchanged = admin
        .permissions()
        .get_app_permissions(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.rights.len(), 2);
}

#[tokio::test]
async fn record_permissions_read_back_live_and_pre_live() {
    let (_emulator, admin, _, _) = emulator_and_users().await;
    let empty = admin
        .permissions()
        .get_record_permissions(1u64)
        .send()
        .await
        .unwrap();
    assert!(empty.rights.is_empty());
    let rights = [RecordRight::new([
        RecordRightEntity::new(user("sato"))
            .viewable(true)
            .editable(true),
        RecordRightEntity::new(everyone()).viewable(true),
    ])
    .filter_cond(r#"Kind in ("A")"#)];
    admin
        .permissions()
        .update_record_permissions(1u64, rights.clone())
        .preview()
        .send()
        .await
        .unwrap();
    let pre_live = admin
        .permissions()
        .get_record_permissions(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    let right = &pre_live.rights[0];
    assert_eq!(right.filter_cond.as_deref(), Some(r#"Kind in ("A")"#));
    assert_eq!(right.entities[0].entity.code.as_deref(), Some("sato"));
    assert_eq!(
        (right.entities[0].editable, right.entities[0].deletable),
        (Some(true), Some(false))
    );
    let live = admin
        .permissions()
        .get_record_permissions(1u64)
        .send()
        .await
        .unwrap();
    assert!(live.rights.is_empty(), "pre-live until deployed");

    admin
        .permissions()
        .update_record_permissions(1u64, rights)
        .send()
        .await
        .unwrap();
    let live = admin
        .permissions()
        .get_record_permissions(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(live.rights, pre_live.rights);

    let bad = admin
        .permissions()
        .update_record_permissions(
            1u64,
            [RecordRight::new([RecordRightEntity::new(everyone())]).filter_cond("Kind in (")],
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&bad), (Some(400), Some("CB_VA01")));
}

#[tokio::test]
async fn field_permissions_hide_fields_and_refuse_writes_to_read_only_ones() {
    let (_emulator, admin, sato, token) = emulator_and_users().await;
    let added = token
        .records()
        .add_record(1u64)
        .record(record(
            "open",
            &[
                ("Code", FieldInput::single_line_text("C-1")),
                ("Amount", amount("10")),
            ],
        ))
        .send()
        .await
        .unwrap();
    let rights = [
        FieldRight::new(
            "Code",
            [FieldRightEntity::new(
                FieldAccessibility::Write,
                SettingsEntity::new(SettingsEntityType::User).code(ADMIN),
            )],
        ),
        FieldRight::new(
            "Amount",
            [
                FieldRightEntity::new(FieldAccessibility::Write, user(ADMIN)),
                FieldRightEntity::new(FieldAccessibility::Read, everyone()),
            ],
        ),
    ];
    admin
        .permissions()
        .update_field_permissions(1u64, rights.clone())
        .preview()
        .send()
        .await
        .unwrap();
    let pre_live = admin
        .permissions()
        .get_field_permissions(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    assert_eq!(pre_live.rights.len(), 2);
    assert_eq!(
        pre_live.rights[1].entities[1].accessibility,
        FieldAccessibility::Read
    );
    let open = sato
        .records()
        .get_record(1u64, added.id)
        .send()
        .await
        .unwrap();
    assert!(open.record.contains_key("Code"), "pre-live until deployed");

    deploy(&admin, 1).await;
    let live = admin
        .permissions()
        .get_field_permissions(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(live.rights, pre_live.rights);
    let seen = sato
        .records()
        .get_record(1u64, added.id)
        .send()
        .await
        .unwrap();
    assert!(
        !seen.record.contains_key("Code"),
        "a field sato may not view is absent"
    );
    assert_eq!(seen.record["Amount"].as_decimal().unwrap().as_str(), "10");
    let page = sato.records().get_records(1u64).send().await.unwrap();
    assert!(!page.records[0].contains_key("Code"));
    let by_admin = admin
        .records()
        .get_record(1u64, added.id)
        .send()
        .await
        .unwrap();
    assert_eq!(by_admin.record["Code"].as_text(), Some("C-1"));

    let refused = sato
        .records()
        .update_record(1u64)
        .id(added.id)
        .record(record("open", &[("Amount", amount("11"))]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&refused), (Some(403), Some("CB_NO02")));
    sato.records()
        .update_record(1u64)
        .id(added.id)
        .record(record("renamed", &[]))
        .send()
        .await
        .unwrap();
    admin
        .records()
        .update_record(1u64)
        .id(added.id)
        .record(record("renamed", &[("Amount", amount("12"))]))
        .send()
        .await
        .unwrap();

    let unknown = admin
        .permissions()
        .update_field_permissions(
            1u64,
            [FieldRight::new(
                "Nope",
                [FieldRightEntity::new(FieldAccessibility::Read, everyone())],
            )],
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&unknown), (Some(400), Some("CB_VA01")));
}

/// The titles of records, in the order given.
fn titles(records: &[Record]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["Title"].as_text().unwrap())
        .collect()
}

/// App 1 with the records `small` (Amount 10), `mid` (50) and `big` (500), and, deployed:
/// record permissions that keep `big` to `Administrator` (a rule naming only him, so everyone
/// else gets nothing), let everyone do everything with records under 20, and let everyone else
/// only view the rest; and a field permission making `Code` read-only for all but
/// `Administrator`. Answers the ids of `small`, `mid` and `big`.
async fn app_with_high_amounts_kept_from_sato(
    admin: &Client,
    sato: &Client,
    token: &Client,
) -> [RecordId; 3] {
    let added = token
        .records()
        .add_records(
            1u64,
            [
                record("small", &[("Amount", amount("10"))]),
                record("mid", &[("Amount", amount("50"))]),
                record("big", &[("Amount", amount("500"))]),
            ],
        )
        .send()
        .await
        .unwrap();
    let all = |entity: SettingsEntity| {
        RecordRightEntity::new(entity)
            .viewable(true)
            .editable(true)
            .deletable(true)
    };
    admin
        .permissions()
        .update_record_permissions(
            1u64,
            [
                RecordRight::new([all(user(ADMIN))]).filter_cond("Amount > 100"),
                RecordRight::new([all(everyone())]).filter_cond("Amount < 20"),
                RecordRight::new([
                    all(user(ADMIN)),
                    RecordRightEntity::new(everyone()).viewable(true),
                ]),
            ],
        )
        .preview()
        .send()
        .await
        .unwrap();
    admin
        .permissions()
        .update_field_permissions(
            1u64,
            [FieldRight::new(
                "Code",
                [
                    FieldRightEntity::new(FieldAccessibility::Write, user(ADMIN)),
                    FieldRightEntity::new(FieldAccessibility::Read, everyone()),
                ],
            )],
        )
        .preview()
        .send()
        .await
        .unwrap();
    let before = sato.records().get_records(1u64).send().await;
    assert_eq!(before.unwrap().records.len(), 3, "pre-live until deployed");
    deploy(admin, 1).await;
    [added.ids[0], added.ids[1], added.ids[2]]
}

#[tokio::test]
async fn evaluate_record_permissions_gives_each_records_rights_under_the_rules() {
    let (_emulator, admin, sato, token) = emulator_and_users().await;
    let [small, mid, big] = app_with_high_amounts_kept_from_sato(&admin, &sato, &token).await;
    let rights = |r: &RecordRights| (r.record.viewable, r.record.editable, r.record.deletable);
    let field = |r: &RecordRights, code: &str| (r.fields[code].viewable, r.fields[code].editable);

    let by_sato = sato
        .records()
        .evaluate_records_acl(1u64, [small, mid, big])
        .send()
        .await
        .unwrap()
        .into_body()
        .rights;
    assert_eq!(
        by_sato.iter().map(|r| r.id).collect::<Vec<_>>(),
        [small, mid, big]
    );
    assert_eq!(
        rights(&by_sato[0]),
        (true, true, true),
        "under 20: everyone"
    );
    assert_eq!(field(&by_sato[0], "Title"), (true, true));
    assert_eq!(
        field(&by_sato[0], "Code"),
        (true, false),
        "read-only for sato"
    );
    assert_eq!(field(&by_sato[0], "Record_number"), (true, false));
    assert_eq!(rights(&by_sato[1]), (true, false, false), "the last rule");
    assert_eq!(field(&by_sato[1], "Title"), (true, false));
    assert_eq!(
        rights(&by_sato[2]),
        (false, false, false),
        "the first rule matches and does not name sato"
    );
    assert_eq!(field(&by_sato[2], "Title"), (false, false));
    assert_eq!(field(&by_sato[2], "Item"), (false, false));

    let by_admin = admin
        .records()
        .evaluate_records_acl(1u64, [big])
        .send()
        .await
        .unwrap()
        .into_body()
        .rights;
    assert_eq!(rights(&by_admin[0]), (true, true, true));
    assert_eq!(field(&by_admin[0], "Code"), (true, true));

    let by_token = token
        .records()
        .evaluate_records_acl(1u64, [mid, big])
        .send()
        .await
        .unwrap()
        .into_body()
        .rights;
    for r in &by_token {
        assert_eq!(rights(r), (true, true, true), "a token has its own rights");
        assert_eq!(field(r, "Code"), (true, true));
    }
}

#[tokio::test]
async fn record_permissions_hide_records_from_reads_and_refuse_writes() {
    let (_emulator, admin, sato, token) = emulator_and_users().await;
    let [small, mid, big] = app_with_high_amounts_kept_from_sato(&admin, &sato, &token).await;

    for query in ["", "order by Amount desc"] {
        let page = sato
            .records()
            .get_records(1u64)
            .query(query)
            .total_count(true)
            .send()
            .await
            .unwrap();
        let mut seen = titles(&page.records);
        seen.sort();
        assert_eq!(seen, ["mid", "small"], "query {query:?}");
        assert_eq!(page.total_count, Some(2), "only what sato may view counts");
        let all = admin
            .records()
            .get_records(1u64)
            .query(query)
            .total_count(true)
            .send()
            .await
            .unwrap();
        assert_eq!(all.total_count, Some(3));
    }
    let hidden = sato
        .records()
        .get_record(1u64, big)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&hidden), (Some(403), Some("CB_NO02")));
    let seen = admin.records().get_record(1u64, big).send().await.unwrap();
    assert_eq!(seen.record["Title"].as_text(), Some("big"));
    let comments = sato
        .comments()
        .get_record_comments(1u64, big)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        status_and_code(&comments),
        (Some(403), Some("CB_NO02")),
        "its comments are as hidden"
    );
    admin
        .comments()
        .get_record_comments(1u64, big)
        .send()
        .await
        .unwrap();

    let cursor = sato
        .cursors()
        .create_cursor(1u64)
        .query("order by $id asc")
        .send()
        .await
        .unwrap();
    assert_eq!(cursor.total_count, 2);
    let read = sato
        .cursors()
        .get_records_by_cursor(cursor.id.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        (titles(&read.records), read.next),
        (vec!["small", "mid"], false)
    );
    let cursor = admin.cursors().create_cursor(1u64).send().await.unwrap();
    assert_eq!(cursor.total_count, 3);

    // `mid` sato may view but not edit; `big` not even view. Refusals change nothing, and a
    // many-record write with one refused record writes none.
    for id in [mid, big] {
        let refused = sato
            .records()
            .update_record(1u64)
            .id(id)
            .record(record("changed", &[]))
            .send()
            .await
            .unwrap_err();
        assert_eq!(status_and_code(&refused), (Some(403), Some("CB_NO02")));
    }
    let refused = sato
        .records()
        .update_records(
            1u64,
            [
                RecordUpdate::new().id(small).record(record("changed", &[])),
                RecordUpdate::new().id(mid).record(record("changed", &[])),
            ],
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&refused), (Some(403), Some("CB_NO02")));
    let refused = sato
        .records()
        .delete_records(1u64, [small, big])
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&refused), (Some(403), Some("CB_NO02")));
    let after = admin
        .records()
        .get_records(1u64)
        .query("order by $id asc")
        .send()
        .await
        .unwrap();
    assert_eq!(titles(&after.records), ["small", "mid", "big"]);
    for r in &after.records {
        let FieldValue::Revision(revision) = &r["$revision"] else {
            panic!("a record's revision");
        };
        assert_eq!(revision.value.get(), 1, "nothing was written");
    }

    sato.records()
        .update_record(1u64)
        .id(small)
        .record(record("edited by sato", &[]))
        .send()
        .await
        .unwrap();
    sato.records()
        .delete_records(1u64, [small])
        .send()
        .await
        .unwrap();

    let by_token = token.records().get_records(1u64).send().await.unwrap();
    assert_eq!(by_token.records.len(), 2, "a token is not restricted");
    token
        .records()
        .update_record(1u64)
        .id(big)
        .record(record("edited with a token", &[]))
        .send()
        .await
        .unwrap();
    let big_now = admin.records().get_record(1u64, big).send().await.unwrap();
    assert_eq!(
        big_now.record["Title"].as_text(),
        Some("edited with a token")
    );
}

/// The emulator of [`emulator_and_users`] with departments `corp` > `sales` > `sales-east` and
/// the group `leads`; `tanaka` in `sales` and `leads`, `suzuki` in `sales-east`, `sato` in
/// neither. Answers the emulator, `Administrator`, `tanaka`, `suzuki`, `sato` and the token.
async fn emulator_with_memberships() -> (kintone_emulator::Emulator, [Client; 4], Client) {
    emulator_with_memberships_and(|b| b).await
}

/// [`emulator_with_memberships`] with more seeds of the test's own.
async fn emulator_with_memberships_and(
    configure: impl FnOnce(kintone_emulator::EmulatorBuilder) -> kintone_emulator::EmulatorBuilder,
) -> (kintone_emulator::Emulator, [Client; 4], Client) {
    use kintone_emulator::UserSeed;
    let (emulator, token) = emulator_with(|b| {
        configure(b)
            .user(ADMIN, "admin")
            // The child first: a parent may be seeded after the departments below it.
            .organization_in("sales-east", "Sales East", "sales")
            .organization_in("sales", "Sales", "corp")
            .organization("corp", "Corp")
            .group("leads", "Leads")
            .user_seed(
                UserSeed::new("tanaka", "pw")
                    .organization("sales")
                    .group("leads"),
            )
            .user_seed(UserSeed::new("suzuki", "pw").organization("sales-east"))
    })
    .await;
    let signed_in = |login: &str, password: &str| {
        Client::builder(emulator.base_url())
            .password(login, password)
            .build()
            .unwrap()
    };
    let users = [
        signed_in(ADMIN, "admin"),
        signed_in("tanaka", "pw"),
        signed_in("suzuki", "pw"),
        signed_in("sato", "pw"),
    ];
    (emulator, users, token)
}

fn department(code: &str) -> SettingsEntity {
    SettingsEntity::new(SettingsEntityType::Organization).code(code)
}

fn group(code: &str) -> SettingsEntity {
    SettingsEntity::new(SettingsEntityType::Group).code(code)
}

/// Whether `client` may read app 1's records: `Ok` or the refusal's status and code.
async fn may_view(client: &Client) -> Result<(), (Option<u16>, Option<String>)> {
    match client.records().get_records(1u64).send().await {
        Ok(_) => Ok(()),
        Err(e) => Err((e.status().map(|s| s.as_u16()), e.code().map(str::to_string))),
    }
}

#[tokio::test]
async fn a_department_entry_names_child_departments_members_only_with_include_subs() {
    let (_emulator, [admin, tanaka, suzuki, sato], token) = emulator_with_memberships().await;
    token
        .records()
        .add_record(1u64)
        .record(record("one", &[]))
        .send()
        .await
        .unwrap();
    let refused = Err((Some(403), Some("CB_NO02".to_string())));
    for (include_subs, suzuki_may) in [(true, Ok(())), (false, refused.clone())] {
        admin
            .permissions()
            .update_app_permissions(
                1u64,
                [
                    creator_manages(),
                    AppRight::new(department("sales"))
                        .include_subs(include_subs)
                        .record_viewable(true),
                ],
            )
            .send()
            .await
            .unwrap();
        assert_eq!(may_view(&tanaka).await, Ok(()), "a direct member");
        assert_eq!(
            may_view(&suzuki).await,
            suzuki_may,
            "a member of the department below, includeSubs {include_subs}"
        );
        assert_eq!(may_view(&sato).await, refused, "not a member");
    }

    // `includeSubs` reaches every level below, not only the next one.
    admin
        .permissions()
        .update_app_permissions(
            1u64,
            [
                creator_manages(),
                AppRight::new(department("corp"))
                    .include_subs(true)
                    .record_viewable(true),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(may_view(&suzuki).await, Ok(()));
    assert_eq!(may_view(&tanaka).await, Ok(()));
    assert_eq!(may_view(&sato).await, refused);
}

#[tokio::test]
async fn a_group_entry_names_the_groups_members_only() {
    let (_emulator, [admin, tanaka, suzuki, sato], _token) = emulator_with_memberships().await;
    admin
        .permissions()
        .update_app_permissions(
            1u64,
            [
                creator_manages(),
                AppRight::new(group("leads"))
                    .record_viewable(true)
                    .record_addable(true),
            ],
        )
        .send()
        .await
        .unwrap();
    tanaka
        .records()
        .add_record(1u64)
        .record(record("by a lead", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(may_view(&tanaka).await, Ok(()));
    let refused = Err((Some(403), Some("CB_NO02".to_string())));
    assert_eq!(may_view(&suzuki).await, refused);
    assert_eq!(may_view(&sato).await, refused);
    let not_added = suzuki
        .records()
        .add_record(1u64)
        .record(record("not a lead", &[]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&not_added), (Some(403), Some("CB_NO02")));
}

#[tokio::test]
async fn a_field_permission_naming_a_department_hides_the_field_from_non_members() {
    let (_emulator, [admin, tanaka, suzuki, sato], token) = emulator_with_memberships().await;
    let added = token
        .records()
        .add_record(1u64)
        .record(record(
            "open",
            &[("Code", FieldInput::single_line_text("C-1"))],
        ))
        .send()
        .await
        .unwrap();
    admin
        .permissions()
        .update_field_permissions(
            1u64,
            [FieldRight::new(
                "Code",
                [
                    FieldRightEntity::new(FieldAccessibility::Write, department("sales")),
                    FieldRightEntity::new(FieldAccessibility::Read, department("corp"))
                        .include_subs(true),
                ],
            )],
        )
        .send()
        .await
        .unwrap();
    let code_seen_by = async |client: &Client| {
        let got = client
            .records()
            .get_record(1u64, added.id)
            .send()
            .await
            .unwrap();
        got.record.contains_key("Code")
    };
    assert!(code_seen_by(&tanaka).await);
    assert!(
        code_seen_by(&suzuki).await,
        "read-only through corp's entry"
    );
    assert!(!code_seen_by(&sato).await, "no entry names sato");
    tanaka
        .records()
        .update_record(1u64)
        .id(added.id)
        .record(record(
            "open",
            &[("Code", FieldInput::single_line_text("C-2"))],
        ))
        .send()
        .await
        .unwrap();
    let read_only = suzuki
        .records()
        .update_record(1u64)
        .id(added.id)
        .record(record(
            "open",
            &[("Code", FieldInput::single_line_text("C-3"))],
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&read_only), (Some(403), Some("CB_NO02")));

    let field_by = async |client: &Client| {
        let rights = client
            .records()
            .evaluate_records_acl(1u64, [added.id])
            .send()
            .await
            .unwrap()
            .into_body()
            .rights;
        let code = &rights[0].fields["Code"];
        (code.viewable, code.editable)
    };
    assert_eq!(field_by(&tanaka).await, (true, true));
    assert_eq!(field_by(&suzuki).await, (true, false));
    assert_eq!(field_by(&sato).await, (false, false));
}

#[tokio::test]
async fn evaluate_and_record_permissions_resolve_departments_and_groups() {
    let (_emulator, [admin, tanaka, suzuki, sato], token) = emulator_with_memberships().await;
    let added = token
        .records()
        .add_records(1u64, [record("one", &[]), record("two", &[])])
        .send()
        .await
        .unwrap();
    let rights_of = async |client: &Client| {
        let rights = client
            .records()
            .evaluate_records_acl(1u64, added.ids.clone())
            .send()
            .await
            .unwrap()
            .into_body()
            .rights;
        let r = &rights[0].record;
        (r.viewable, r.editable, r.deletable)
    };
    let seen_by = async |client: &Client| {
        let page = client.records().get_records(1u64).send().await.unwrap();
        page.records.len()
    };
    for include_subs in [true, false] {
        admin
            .permissions()
            .update_record_permissions(
                1u64,
                [RecordRight::new([
                    RecordRightEntity::new(department("sales"))
                        .include_subs(include_subs)
                        .viewable(true)
                        .editable(true),
                    // After the department's entry, so tanaka gets the department's rights.
                    RecordRightEntity::new(group("leads"))
                        .viewable(true)
                        .editable(true)
                        .deletable(true),
                    RecordRightEntity::new(user(ADMIN))
                        .viewable(true)
                        .editable(true)
                        .deletable(true),
                ])],
            )
            .send()
            .await
            .unwrap();
        assert_eq!(rights_of(&tanaka).await, (true, true, false));
        assert_eq!(seen_by(&tanaka).await, 2);
        let suzuki_rights = if include_subs {
            (true, true, false)
        } else {
            (false, false, false)
        };
        assert_eq!(
            rights_of(&suzuki).await,
            suzuki_rights,
            "includeSubs {include_subs}"
        );
        assert_eq!(seen_by(&suzuki).await, if include_subs { 2 } else { 0 });
        assert_eq!(rights_of(&sato).await, (false, false, false));
        assert_eq!(seen_by(&sato).await, 0);
    }

    // With the group first, tanaka gets the group's rights: the first entry naming him decides.
    admin
        .permissions()
        .update_record_permissions(
            1u64,
            [RecordRight::new([
                RecordRightEntity::new(group("leads"))
                    .viewable(true)
                    .editable(true)
                    .deletable(true),
                RecordRightEntity::new(department("sales")).viewable(true),
            ])],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(rights_of(&tanaka).await, (true, true, true));
    tanaka
        .records()
        .delete_records(1u64, [added.ids[1]])
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn memberships_naming_unknown_departments_or_groups_refuse_to_start() {
    use kintone_emulator::{Emulator, StartError, UserSeed};
    let lost = [
        Emulator::builder().user_seed(UserSeed::new("a", "pw").organization("nowhere")),
        Emulator::builder().user_seed(UserSeed::new("a", "pw").group("nobody")),
        Emulator::builder().organization_in("x", "X", "missing"),
    ];
    for builder in lost {
        let err = builder.start().await.unwrap_err();
        assert!(matches!(err, StartError::Setting(_)), "{err}");
    }
}

#[tokio::test]
async fn a_field_entity_holding_departments_or_groups_names_their_members() {
    use kintone_emulator::{AppSeed, FieldSeed, FieldType};
    let teams = AppSeed::new(2, "Teams")
        .field(FieldSeed::new("Title", FieldType::SingleLineText))
        .field(FieldSeed::new("Team", FieldType::OrganizationSelect))
        .field(FieldSeed::new("Crew", FieldType::GroupSelect));
    let (_emulator, [admin, tanaka, suzuki, sato], _token) =
        emulator_with_memberships_and(|b| b.app(teams)).await;
    admin
        .records()
        .add_records(
            2u64,
            [
                record(
                    "sales",
                    &[(
                        "Team",
                        FieldInput::organization_select([EntityCode::new("sales")]),
                    )],
                ),
                record(
                    "leads",
                    &[("Crew", FieldInput::group_select([EntityCode::new("leads")]))],
                ),
                record("nobody's", &[]),
            ],
        )
        .send()
        .await
        .unwrap();
    let field = |code: &str| SettingsEntity::new(SettingsEntityType::FieldEntity).code(code);
    let seen_by = async |client: &Client| {
        let page = client
            .records()
            .get_records(2u64)
            .query("order by $id asc")
            .send()
            .await
            .unwrap();
        titles(&page.records)
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    for (include_subs, suzuki_sees) in [(true, vec!["sales"]), (false, vec![])] {
        admin
            .permissions()
            .update_record_permissions(
                2u64,
                [RecordRight::new([
                    RecordRightEntity::new(field("Team"))
                        .include_subs(include_subs)
                        .viewable(true),
                    RecordRightEntity::new(field("Crew")).viewable(true),
                    RecordRightEntity::new(user(ADMIN)).viewable(true),
                ])],
            )
            .send()
            .await
            .unwrap();
        assert_eq!(seen_by(&tanaka).await, ["sales", "leads"]);
        assert_eq!(
            seen_by(&suzuki).await,
            suzuki_sees,
            "includeSubs {include_subs}"
        );
        assert!(seen_by(&sato).await.is_empty());
    }
}

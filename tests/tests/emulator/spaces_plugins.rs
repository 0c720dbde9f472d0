//! Spaces, guest spaces, threads, guest users, plug-ins, the API schema and Evaluate Record
//! Permissions, end to end: the generated client against the emulator.

use crate::support::as_user;
use std::collections::BTreeSet;

use kintone_api::types::{
    GuestUserInput, SpaceMemberEntity, SpaceMemberEntityType, SpaceMemberInput, ThreadCommentFile,
    ThreadCommentInput,
};
use kintone_api::{Client, DeployTarget, Error, FilePart};
use kintone_emulator::{
    AppSeed, Emulator, FieldSeed, FieldType, Permissions, PluginSeed, SpaceSeed,
};
use kintone_tests::{orders_app, record};
use serde_json::{json, Value};

const DATE_PICKER: &str = "djmhffjhfgmebgnmcggopedaofckljlj";
const MAP_VIEW: &str = "ejgcopfamifdhmkafjgidfmgjdmiaplf";

/// App 1 in the private space 3 (`sato` administers it, `suzuki` is a member); app 2 in the
/// guest space 4; a plug-in used by app 1 and one that app 1 still uses but was uninstalled.
async fn domain() -> Emulator {
    Emulator::builder()
        // `sato` manages app 1: the tests rename it (an app-settings change).
        .app(orders_app().manager("sato"))
        .app(
            AppSeed::new(2, "Partner orders")
                .field(FieldSeed::new("Title", FieldType::SingleLineText)),
        )
        .api_token("TOKEN", 1, Permissions::ALL)
        .api_token("VIEW", 1, Permissions::VIEW)
        .user("sato", "pw")
        .user("suzuki", "pw")
        .user("kato", "pw")
        .group("managers", "Managers")
        .oauth_token("OAUTH", "sato", ["k:app_record:read"])
        .space(
            SpaceSeed::new(3, "Sales")
                .private()
                .member("sato", true)
                .member("suzuki", false)
                .app(1),
        )
        .space(
            SpaceSeed::new(4, "Partners")
                .guest()
                .member("sato", true)
                .app(2),
        )
        .plugin(
            PluginSeed::new(DATE_PICKER, "Date picker")
                .version("1.2.0")
                .app(1),
        )
        .plugin(PluginSeed::new(MAP_VIEW, "Map view").app(1).uninstalled())
        .start()
        .await
        .unwrap()
}

fn in_guest_space(emulator: &Emulator, space: u64) -> Client {
    Client::builder(emulator.base_url())
        .password("sato", "pw")
        .guest_space(space)
        .build()
        .unwrap()
}

fn code_of(err: &Error) -> (u16, &str) {
    let api = err
        .api()
        .unwrap_or_else(|| panic!("not an API error: {err:?}"));
    (api.status.as_u16(), api.code.as_str())
}

fn admin(login: &str) -> SpaceMemberInput {
    SpaceMemberInput::new(SpaceMemberEntity::new(SpaceMemberEntityType::User, login)).is_admin(true)
}

#[tokio::test]
async fn get_space_lists_its_apps_to_members_only() {
    let emulator = domain().await;
    let space = as_user(&emulator, "suzuki")
        .spaces()
        .get_space(3)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (space.name.as_str(), space.is_private, space.is_guest),
        ("Sales", true, false)
    );
    assert_eq!(space.member_count, 2);
    assert_eq!(space.attached_apps.len(), 1);
    assert_eq!(space.attached_apps[0].app_id.get(), 1);
    assert_eq!(space.attached_apps[0].name, "Orders");
    assert_eq!(space.body, None);
    let err = as_user(&emulator, "kato")
        .spaces()
        .get_space(3)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (403, "CB_NO02"));
}

#[tokio::test]
async fn a_guest_space_and_its_apps_answer_only_under_its_own_path() {
    let emulator = domain().await;
    let plain = as_user(&emulator, "sato");
    let err = plain.spaces().get_space(4).send().await.unwrap_err();
    assert_eq!(code_of(&err), (400, "GAIA_IL23"));
    let err = plain.records().get_records(2).send().await.unwrap_err();
    assert_eq!(code_of(&err), (400, "GAIA_IL23"));
    let err = in_guest_space(&emulator, 5)
        .records()
        .get_records(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (403, "CB_NO02"));

    let guest = in_guest_space(&emulator, 4);
    assert!(guest.spaces().get_space(4).send().await.unwrap().is_guest);
    guest
        .records()
        .add_record(2)
        .record(record("In the guest space", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.record_count(2), 1);
    assert_eq!(
        emulator.requests().last().unwrap().path,
        "/k/guest/4/v1/record.json"
    );
    // A space that is not a guest space is not reached through a guest path.
    let err = guest.spaces().get_space(3).send().await.unwrap_err();
    assert_eq!(code_of(&err), (403, "CB_NO02"));
}

#[tokio::test]
async fn update_space_needs_an_administrator() {
    let emulator = domain().await;
    as_user(&emulator, "sato")
        .spaces()
        .update_space(3)
        .name("Sales and marketing")
        .is_private(false)
        .show_app_list(false)
        .send()
        .await
        .unwrap();
    let space = as_user(&emulator, "kato")
        .spaces()
        .get_space(3)
        .send()
        .await
        .unwrap();
    assert_eq!(space.name, "Sales and marketing");
    assert_eq!(space.show_app_list, Some(false));
    let err = as_user(&emulator, "suzuki")
        .spaces()
        .update_space(3)
        .name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (403, "CB_NO02"));
}

#[tokio::test]
async fn delete_space() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    sato.spaces().delete_space(3).send().await.unwrap();
    let err = sato.spaces().get_space(3).send().await.unwrap_err();
    assert_eq!(code_of(&err), (404, "EMULATOR_NF02"));
}

#[tokio::test]
async fn update_space_body() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    sato.spaces()
        .update_space_body(3, "<b>Quarter closes Friday</b>")
        .send()
        .await
        .unwrap();
    let space = sato.spaces().get_space(3).send().await.unwrap();
    assert_eq!(space.body.as_deref(), Some("<b>Quarter closes Friday</b>"));
}

#[tokio::test]
async fn get_and_update_space_members() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    let before = sato.spaces().get_space_members(3).send().await.unwrap();
    assert_eq!(before.members.len(), 2);
    assert_eq!(before.members[0].entity.code, "sato");
    assert!(before.members[0].is_admin);
    let group = SpaceMemberInput::new(SpaceMemberEntity::new(
        SpaceMemberEntityType::Group,
        "managers",
    ));
    sato.spaces()
        .update_space_members(3, [admin("sato"), group])
        .send()
        .await
        .unwrap();
    let after = sato.spaces().get_space_members(3).send().await.unwrap();
    let codes: Vec<&str> = after
        .members
        .iter()
        .map(|m| m.entity.code.as_str())
        .collect();
    assert_eq!(codes, ["sato", "managers"]);
    // suzuki is no member any more, and the space is private.
    let err = as_user(&emulator, "suzuki")
        .spaces()
        .get_space(3)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (403, "CB_NO02"));
    let no_admin =
        SpaceMemberInput::new(SpaceMemberEntity::new(SpaceMemberEntityType::User, "sato"));
    let err = sato
        .spaces()
        .update_space_members(3, [no_admin])
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (400, "CB_VA01"));
}

#[tokio::test]
async fn add_guests_then_make_them_guests_of_a_guest_space_then_delete_them() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    sato.guests()
        .add_guests([
            GuestUserInput::new("g1@example.com", "secret", "Asia/Tokyo", "Guest One"),
            GuestUserInput::new("g2@example.com", "secret", "UTC", "Guest Two"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.guests(None), ["g1@example.com", "g2@example.com"]);
    let guest = in_guest_space(&emulator, 4);
    guest
        .spaces()
        .update_space_guests(4, ["g1@example.com", "g2@example.com"])
        .send()
        .await
        .unwrap();
    assert_eq!(
        emulator.guests(Some(4)),
        ["g1@example.com", "g2@example.com"]
    );
    let err = guest
        .spaces()
        .update_space_guests(4, ["nobody@example.com"])
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (400, "CB_VA01"));

    sato.guests()
        .delete_guests(["g1@example.com"])
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.guests(None), ["g2@example.com"]);
    assert_eq!(emulator.guests(Some(4)), ["g2@example.com"]);
    let err = sato
        .guests()
        .delete_guests(["g1@example.com"])
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (400, "CB_VA01"));
}

#[tokio::test]
async fn add_and_update_a_thread() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    let thread = sato
        .spaces()
        .add_thread(3, "Planning")
        .send()
        .await
        .unwrap()
        .id
        .get();
    sato.spaces()
        .update_thread(thread)
        .name("Quarterly planning")
        .body("<p>Agenda</p>")
        .send()
        .await
        .unwrap();
    let stored = emulator.thread(thread).unwrap();
    assert_eq!(
        (
            stored["space"].as_str(),
            stored["name"].as_str(),
            stored["body"].as_str()
        ),
        (Some("3"), Some("Quarterly planning"), Some("<p>Agenda</p>"))
    );
    let default = sato
        .spaces()
        .get_space(3)
        .send()
        .await
        .unwrap()
        .default_thread
        .get();
    let err = sato
        .spaces()
        .update_thread(default)
        .name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (400, "CB_VA01"));
}

#[tokio::test]
async fn add_a_thread_comment_with_an_uploaded_file() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    let key = sato
        .files()
        .upload_file(FilePart::new("minutes.txt", "minutes"))
        .send()
        .await
        .unwrap()
        .file_key
        .clone();
    let thread = sato
        .spaces()
        .get_space(3)
        .send()
        .await
        .unwrap()
        .default_thread
        .get();
    let comment = ThreadCommentInput::new()
        .text("Minutes attached")
        .files([ThreadCommentFile::new(key.clone())]);
    let id = sato
        .spaces()
        .add_thread_comment(3, thread, comment)
        .send()
        .await
        .unwrap()
        .id
        .get();
    let stored = emulator.thread(thread).unwrap();
    assert_eq!(
        stored["comments"],
        json!([{"id": id.to_string(), "text": "Minutes attached", "creator": "sato",
                "mentions": [], "files": ["minutes.txt"]}])
    );
    // The upload is used up, and a comment needs a text or a file.
    let again = ThreadCommentInput::new().files([ThreadCommentFile::new(key)]);
    let err = sato
        .spaces()
        .add_thread_comment(3, thread, again)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (400, "CB_VA01"));
    let err = sato
        .spaces()
        .add_thread_comment(3, thread, ThreadCommentInput::new())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (400, "CB_VA01"));
}

#[tokio::test]
async fn add_a_guest_space_from_a_template() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    let id = sato
        .spaces()
        .add_space_from_template(1, "Vendors", [admin("sato")])
        .is_guest(true)
        .send()
        .await
        .unwrap()
        .id
        .get();
    assert_eq!(id, 5);
    let err = sato.spaces().get_space(id).send().await.unwrap_err();
    assert_eq!(code_of(&err), (400, "GAIA_IL23"));
    let space = in_guest_space(&emulator, id)
        .spaces()
        .get_space(id)
        .send()
        .await
        .unwrap();
    assert_eq!((space.name.as_str(), space.is_guest), ("Vendors", true));
}

#[tokio::test]
async fn get_spaces_statistics_shows_each_caller_what_it_may_see() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato")
        .spaces()
        .get_spaces_statistics()
        .send()
        .await
        .unwrap();
    let ids: Vec<u64> = sato.spaces.iter().map(|s| s.id.get()).collect();
    assert_eq!(ids, [3, 4]);
    assert_eq!(
        (
            sato.spaces[0].administrator_count,
            sato.spaces[0].member_count
        ),
        (Some(1), Some(2))
    );
    let kato = as_user(&emulator, "kato")
        .spaces()
        .get_spaces_statistics()
        .send()
        .await
        .unwrap();
    assert!(
        kato.spaces.iter().all(|s| s.id.get() == 4),
        "private space 3 is hidden"
    );
    let paged = as_user(&emulator, "sato")
        .spaces()
        .get_spaces_statistics()
        .offset(1)
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(paged.spaces[0].id.get(), 4);
}

#[tokio::test]
async fn space_operations_refuse_api_tokens_and_oauth_tokens() {
    let emulator = domain().await;
    let token = Client::builder(emulator.base_url())
        .api_token("TOKEN")
        .build()
        .unwrap();
    let err = token.spaces().get_space(3).send().await.unwrap_err();
    assert_eq!(code_of(&err), (403, "GAIA_NO01"));
    let oauth = Client::builder(emulator.base_url())
        .oauth_token("OAUTH")
        .build()
        .unwrap();
    let err = oauth.plugins().get_plugins().send().await.unwrap_err();
    assert_eq!(code_of(&err), (403, "CB_OA01"));
}

#[tokio::test]
async fn get_plugins_required_plugins_and_the_apps_of_a_plugin() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    let installed = sato.plugins().get_plugins().send().await.unwrap();
    assert_eq!(installed.plugins.len(), 1);
    assert_eq!(
        (
            installed.plugins[0].name.as_str(),
            installed.plugins[0].version.as_str()
        ),
        ("Date picker", "1.2.0")
    );
    let required = sato.plugins().get_required_plugins().send().await.unwrap();
    assert_eq!(required.plugins.len(), 1);
    assert_eq!(required.plugins[0].name, "Map view");
    let apps = sato
        .plugins()
        .get_plugin_apps(DATE_PICKER)
        .send()
        .await
        .unwrap();
    assert_eq!(apps.apps.len(), 1);
    assert_eq!(
        (apps.apps[0].id.get(), apps.apps[0].name.as_str()),
        (1, "Orders")
    );
    let err = sato
        .plugins()
        .get_plugin_apps(MAP_VIEW)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (404, "EMULATOR_NF02"));
}

#[tokio::test]
async fn import_update_and_uninstall_a_plugin_from_uploaded_files() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    let upload = |manifest: Value| {
        let sato = sato.clone();
        async move {
            sato.files()
                .upload_file(FilePart::new("plugin.json", manifest.to_string()))
                .send()
                .await
                .unwrap()
                .file_key
                .clone()
        }
    };
    let key = upload(json!({"name": {"en": "Gantt", "ja": "ガント"}, "version": 1})).await;
    let installed = sato.plugins().install_plugin(key).send().await.unwrap();
    assert_eq!(installed.version, "1");
    let id = installed.id.clone();
    assert_eq!(id.as_str().len(), 32);
    let list = sato.plugins().get_plugins().send().await.unwrap();
    assert_eq!(
        list.plugins[0].name, "Gantt",
        "the latest import comes first"
    );
    let only = sato
        .plugins()
        .get_plugins()
        .ids([id.clone()])
        .send()
        .await
        .unwrap();
    assert_eq!(only.plugins.len(), 1);

    let key = upload(json!({"name": "Gantt", "version": "2.0"})).await;
    let updated = sato
        .plugins()
        .update_plugin(id.clone(), key)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.version, "2.0");
    let key = upload(json!({"name": "Another", "version": "1"})).await;
    let err = sato
        .plugins()
        .update_plugin(id.clone(), key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (400, "CB_VA01"));

    sato.plugins()
        .uninstall_plugin(DATE_PICKER)
        .send()
        .await
        .unwrap();
    let required = sato.plugins().get_required_plugins().send().await.unwrap();
    let names: BTreeSet<&str> = required.plugins.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, BTreeSet::from(["Date picker", "Map view"]));
    let err = sato
        .plugins()
        .uninstall_plugin(DATE_PICKER)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (404, "EMULATOR_NF02"));
}

/// Every API the bundled spec describes (its path items, preview twins included), as kintone
/// names them, except the list and the schema API themselves.
fn spec_api_ids() -> BTreeSet<String> {
    let bundle = kintone_tests::bundled_spec();
    let mut ids = BTreeSet::new();
    for (path, item) in bundle["paths"].as_object().unwrap() {
        if path == "/apis.json" || path.starts_with("/apis/") {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "delete"].contains(&method.as_str()) {
                ids.insert(format!(
                    "{}/{method}",
                    path.trim_start_matches('/').trim_end_matches(".json")
                ));
            }
        }
    }
    ids
}

#[tokio::test]
async fn get_apis_lists_exactly_the_specs_operations_without_authentication() {
    let emulator = domain().await;
    // No credentials at all: the list needs none.
    let body: Value = reqwest::get(format!("{}/k/v1/apis.json", emulator.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed: BTreeSet<String> = body["apis"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(listed, spec_api_ids());
    assert!(
        listed.contains("space/thread/comment/post") && listed.contains("records/acl/evaluate/get")
    );

    let list = as_user(&emulator, "sato")
        .schema()
        .get_apis()
        .send()
        .await
        .unwrap();
    assert_eq!(list.base_url, format!("{}/k/v1/", emulator.base_url()));
    assert_eq!(list.apis["records/get"].link, "apis/records/get.json");
    assert_eq!(list.apis.len(), listed.len());
}

#[tokio::test]
async fn get_api_schema_describes_an_api_from_the_spec() {
    let emulator = domain().await;
    let client = as_user(&emulator, "sato");
    let schema = client
        .schema()
        .get_api_schema("records/get")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (schema.path.as_str(), schema.id.as_str()),
        ("records.json", "records/get")
    );
    assert_eq!(
        schema.http_method,
        kintone_api::types::ApiSchemaHttpMethod::Get
    );
    assert_eq!(schema.request["required"], json!(["app"]));
    assert_eq!(
        schema.request["properties"]["app"],
        json!({"type": "string", "format": "long"})
    );
    let response = schema.response["$ref"].as_str().unwrap();
    let definitions = schema.schemas.as_ref().unwrap();
    assert!(definitions.contains_key(response), "{response} is defined");
    let plugin = client
        .schema()
        .get_api_schema("plugin/post")
        .send()
        .await
        .unwrap();
    assert_eq!(plugin.request["required"], json!(["fileKey"]));
    let err = client
        .schema()
        .get_api_schema("no/such")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (404, "CB_NF01"));
    assert_eq!(
        emulator.requests().last().unwrap().path,
        "/k/v1/apis/no/such.json"
    );
}

#[tokio::test]
async fn evaluate_records_acl_follows_the_callers_permissions() {
    let emulator = domain().await;
    let full = Client::builder(emulator.base_url())
        .api_token("TOKEN")
        .build()
        .unwrap();
    let added = full
        .records()
        .add_records(1, [record("a", &[]), record("b", &[])])
        .send()
        .await
        .unwrap();
    let ids: Vec<u64> = added.ids.iter().map(|i| i.get()).collect();
    let rights = full
        .records()
        .evaluate_records_acl(1, ids.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(rights.rights.len(), 2);
    assert_eq!(rights.rights[1].id.get(), ids[1]);
    assert!(rights.rights[0].record.editable && rights.rights[0].record.deletable);
    assert!(rights.rights[0].fields["Title"].editable);
    assert!(
        !rights.rights[0].fields["Record_number"].editable,
        "kintone computes it"
    );
    assert!(
        rights.rights[0].fields.contains_key("Item"),
        "subtable fields are listed"
    );

    let view = Client::builder(emulator.base_url())
        .api_token("VIEW")
        .build()
        .unwrap();
    let rights = view
        .records()
        .evaluate_records_acl(1, [ids[0]])
        .send()
        .await
        .unwrap();
    let r = &rights.rights[0];
    assert!(r.record.viewable && !r.record.editable && !r.record.deletable);
    assert!(r.fields["Title"].viewable && !r.fields["Title"].editable);

    let err = full
        .records()
        .evaluate_records_acl(1, [999])
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (404, "GAIA_RE01"));
}

#[tokio::test]
async fn spaces_and_plugins_come_from_a_json_seed_too() {
    let seed = json!({
        "apps": [{"id": 7, "name": "Seeded", "fields": []}],
        "users": [{"login": "sato", "password": "pw"}],
        "spaces": [{"id": 9, "name": "From JSON", "guest": true, "members": [{"login": "sato", "admin": true}], "apps": [7]}],
        "plugins": [{"id": DATE_PICKER, "name": "Date picker", "apps": [7]}]
    });
    let emulator = Emulator::builder()
        .seed(serde_json::from_value(seed).unwrap())
        .start()
        .await
        .unwrap();
    let space = in_guest_space(&emulator, 9)
        .spaces()
        .get_space(9)
        .send()
        .await
        .unwrap();
    assert_eq!(space.attached_apps[0].name, "Seeded");
    let apps = as_user(&emulator, "sato")
        .plugins()
        .get_plugin_apps(DATE_PICKER)
        .send()
        .await
        .unwrap();
    assert_eq!(apps.apps[0].id.get(), 7);
}

#[tokio::test]
async fn group_and_department_members_reach_a_private_space_through_their_memberships() {
    use kintone_emulator::UserSeed;
    let emulator = Emulator::builder()
        .user("sato", "pw")
        .user("mori", "pw")
        .user_seed(UserSeed::new("kato", "pw").group("managers"))
        .user_seed(UserSeed::new("ito", "pw").organization("east"))
        .group("managers", "Managers")
        .organization("sales", "Sales")
        .organization_in("east", "East", "sales")
        .space(SpaceSeed::new(3, "Sales").private().member("sato", true))
        .start()
        .await
        .unwrap();
    let sato = as_user(&emulator, "sato");
    let members = |include_subs: bool| {
        [
            admin("sato"),
            SpaceMemberInput::new(SpaceMemberEntity::new(
                SpaceMemberEntityType::Group,
                "managers",
            ))
            .is_admin(true),
            SpaceMemberInput::new(SpaceMemberEntity::new(
                SpaceMemberEntityType::Organization,
                "sales",
            ))
            .include_subs(include_subs),
        ]
    };
    let reaches = async |login: &str| {
        as_user(&emulator, login)
            .spaces()
            .get_space(3)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| code_of(&e).1.to_string())
    };
    let refused = Err("CB_NO02".to_string());

    sato.spaces()
        .update_space_members(3, members(false))
        .send()
        .await
        .unwrap();
    assert_eq!(reaches("kato").await, Ok(()), "a member of the group");
    as_user(&emulator, "kato")
        .spaces()
        .update_space_body(3, "by a manager")
        .send()
        .await
        .expect("the group's entry makes its members administrators");
    assert_eq!(
        reaches("ito").await,
        refused,
        "east is below sales, without includeSubs"
    );
    assert_eq!(reaches("mori").await, refused);

    sato.spaces()
        .update_space_members(3, members(true))
        .send()
        .await
        .unwrap();
    assert_eq!(reaches("ito").await, Ok(()), "with includeSubs");
    let not_admin = as_user(&emulator, "ito")
        .spaces()
        .update_space_body(3, "by a member")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&not_admin), (403, "CB_NO02"));
    assert_eq!(reaches("mori").await, refused);
}

/// Renames app 1 (in space 3) through its pre-live general settings and deploys the change.
async fn rename_app_1(client: &Client, name: &str) {
    client
        .settings()
        .update_general_settings(1u64)
        .name(name)
        .send()
        .await
        .unwrap();
    client
        .apps()
        .deploy_apps([DeployTarget::new(1u64)])
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn get_space_and_get_plugin_apps_name_an_app_by_its_live_name() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    rename_app_1(&sato, "Orders 2024").await;
    let space = sato.spaces().get_space(3).send().await.unwrap();
    assert_eq!(space.attached_apps.len(), 1);
    assert_eq!(space.attached_apps[0].name, "Orders 2024");
    let apps = sato
        .plugins()
        .get_plugin_apps(DATE_PICKER)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (apps.apps[0].id.get(), apps.apps[0].name.as_str()),
        (1, "Orders 2024")
    );
}

#[tokio::test]
async fn a_seeded_app_in_a_space_reads_its_space_and_the_space_filter_finds_it() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    let space = sato.spaces().get_space(3).send().await.unwrap();
    let app = sato.apps().get_app(1u64).send().await.unwrap();
    assert_eq!(app.space_id, Some(3));
    assert_eq!(app.thread_id, Some(space.default_thread.get()));
    let in_space = sato
        .apps()
        .get_apps()
        .space_ids([3u64])
        .send()
        .await
        .unwrap();
    let ids: Vec<u64> = in_space.apps.iter().map(|a| a.app_id.get()).collect();
    assert_eq!(ids, [1]);
}

#[tokio::test]
async fn moving_an_app_out_of_a_space_and_back_changes_what_get_space_lists() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    sato.apps().move_app(1u64).send().await.unwrap();
    let space = sato.spaces().get_space(3).send().await.unwrap();
    assert!(space.attached_apps.is_empty(), "{:?}", space.attached_apps);
    sato.apps().move_app(1u64).space(3u64).send().await.unwrap();
    let space = sato.spaces().get_space(3).send().await.unwrap();
    let ids: Vec<u64> = space.attached_apps.iter().map(|a| a.app_id.get()).collect();
    assert_eq!(ids, [1]);
}

/// kintone does not move apps into guest spaces (Move App): an app gets into one by being
/// created there, under the guest space's path.
#[tokio::test]
async fn an_app_created_in_a_guest_space_answers_only_under_its_path_and_the_space_lists_it() {
    let emulator = domain().await;
    let guest = in_guest_space(&emulator, 4);
    let added = guest
        .apps()
        .add_app("Partner invoices")
        .space(4u64)
        .send()
        .await
        .unwrap()
        .app;
    guest
        .apps()
        .deploy_apps([DeployTarget::new(added)])
        .send()
        .await
        .unwrap();
    let app = guest.apps().get_app(added).send().await.unwrap();
    assert_eq!(app.space_id, Some(4));
    let err = as_user(&emulator, "sato")
        .records()
        .get_records(added)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (400, "GAIA_IL23"));
    let err = in_guest_space(&emulator, 5)
        .records()
        .get_records(added)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (403, "CB_NO02"));
    let space = guest.spaces().get_space(4).send().await.unwrap();
    let names: Vec<&str> = space
        .attached_apps
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["Partner orders", "Partner invoices"]);
}

#[tokio::test]
async fn get_app_of_a_guest_space_app_answers_only_under_the_spaces_path() {
    let emulator = domain().await;
    let err = as_user(&emulator, "sato")
        .apps()
        .get_app(2u64)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (400, "GAIA_IL23"));
    let err = in_guest_space(&emulator, 5)
        .apps()
        .get_app(2u64)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (403, "CB_NO02"));
    let app = in_guest_space(&emulator, 4)
        .apps()
        .get_app(2u64)
        .send()
        .await
        .unwrap();
    assert_eq!(app.space_id, Some(4));
}

/// kintone's Move App does not take a guest space as the destination (its status and code for
/// the refusal are not known; the emulator answers 400 `CB_VA01`).
#[tokio::test]
async fn an_app_is_not_moved_into_a_guest_space() {
    let emulator = domain().await;
    let sato = as_user(&emulator, "sato");
    let err = sato
        .apps()
        .move_app(1u64)
        .space(4u64)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), (400, "CB_VA01"));
    let app = sato.apps().get_app(1u64).send().await.unwrap();
    assert_eq!(app.space_id, Some(3));
}

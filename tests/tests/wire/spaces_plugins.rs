//! Every operation of the spaces, guests, plug-ins and schema groups, and Evaluate Record
//! Permissions, asserted on the wire: method, path (the guest-space form where kintone has one),
//! query bytes and body, and the response decoded from the spec's documented example.

use kintone_api::types::ThreadCommentFileWidth;
use kintone_api::types::{
    GuestUserInput, Mention, MentionType, SpaceMemberEntity, SpaceMemberEntityType,
    SpaceMemberInput, ThreadCommentFile, ThreadCommentInput,
};
use kintone_api::{Client, Error, LimitError};
use kintone_tests::*;
use serde_json::{json, Value};
use wiremock::MockServer;

async fn answering(operation_id: &str) -> (MockServer, Client) {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example(operation_id)).await;
    (server, client)
}

async fn guest_answering(operation_id: &str) -> (MockServer, Client) {
    let server = MockServer::start().await;
    answer_json(&server, 200, spec_example(operation_id)).await;
    let client = Client::builder(server.uri())
        .password("sato", "pw")
        .guest_space(4)
        .build()
        .unwrap();
    (server, client)
}

fn admin(login: &str) -> SpaceMemberInput {
    SpaceMemberInput::new(SpaceMemberEntity::new(SpaceMemberEntityType::User, login)).is_admin(true)
}

#[tokio::test]
async fn get_space() {
    let (server, client) = answering("getSpace").await;
    let space = client.spaces().get_space(3).send().await.unwrap();
    assert_eq!((space.id.get(), space.default_thread.get()), (3, 5));
    assert_eq!(space.member_count, 4);
    assert_eq!(space.attached_apps[0].app_id.get(), 12);
    assert_eq!(space.body.as_deref(), Some("<b>Welcome</b>"));
    let request = only_request(&server).await;
    assert_eq!(
        (
            request.method.as_str(),
            request.url.path(),
            request.url.query()
        ),
        ("GET", "/k/v1/space.json", Some("id=3"))
    );
}

#[tokio::test]
async fn get_space_in_a_guest_space_reads_null_body_and_unknown_keys() {
    let server = MockServer::start().await;
    let mut answer = spec_example("getSpace");
    answer["body"] = Value::Null;
    answer["coverUrl"] = Value::Null;
    answer["aKeyKintoneAddsLater"] = json!({"x": 1});
    answer_json(&server, 200, answer).await;
    let client = Client::builder(server.uri())
        .password("sato", "pw")
        .guest_space(4)
        .build()
        .unwrap();
    let space = client.spaces().get_space(4).send().await.unwrap();
    assert_eq!((&space.body, &space.cover_url), (&None, &None));
    assert_eq!(
        only_request(&server).await.url.path(),
        "/k/guest/4/v1/space.json"
    );
}

#[tokio::test]
async fn update_space() {
    let (server, client) = guest_answering("updateSpace").await;
    client
        .spaces()
        .update_space(4)
        .name("Partners")
        .is_private(true)
        .show_app_list(false)
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/guest/4/v1/space.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"id": 4, "name": "Partners", "isPrivate": true, "showAppList": false})
    );
}

#[tokio::test]
async fn delete_space() {
    let (server, client) = answering("deleteSpace").await;
    client.spaces().delete_space(3).send().await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (
            request.method.as_str(),
            request.url.path(),
            request.url.query()
        ),
        ("DELETE", "/k/v1/space.json", Some("id=3"))
    );
}

#[tokio::test]
async fn update_space_body() {
    let (server, client) = answering("updateSpaceBody").await;
    client
        .spaces()
        .update_space_body(3, "<p>Hi</p>")
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/space/body.json")
    );
    assert_eq!(body_json(&request), json!({"id": 3, "body": "<p>Hi</p>"}));
}

#[tokio::test]
async fn get_space_members() {
    let (server, client) = guest_answering("getSpaceMembers").await;
    let members = client.spaces().get_space_members(4).send().await.unwrap();
    assert_eq!(members.members.len(), 2);
    assert!(members.members[0].is_admin);
    assert_eq!(
        members.members[1].entity.r#type,
        SpaceMemberEntityType::Organization
    );
    assert_eq!(members.members[1].include_subs, Some(true));
    let request = only_request(&server).await;
    assert_eq!(
        (request.url.path(), request.url.query()),
        ("/k/guest/4/v1/space/members.json", Some("id=4"))
    );
}

#[tokio::test]
async fn update_space_members() {
    let (server, client) = answering("updateSpaceMembers").await;
    let group = SpaceMemberInput::new(SpaceMemberEntity::new(
        SpaceMemberEntityType::Group,
        "managers",
    ));
    client
        .spaces()
        .update_space_members(3, [admin("sato"), group])
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/space/members.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"id": 3, "members": [
            {"entity": {"type": "USER", "code": "sato"}, "isAdmin": true},
            {"entity": {"type": "GROUP", "code": "managers"}}
        ]})
    );
}

#[tokio::test]
async fn update_space_members_needs_one_member_before_sending() {
    let (server, client) = answering("updateSpaceMembers").await;
    let err = client
        .spaces()
        .update_space_members(3, Vec::<SpaceMemberInput>::new())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit(LimitError::TooFewItems {
                field: "members",
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn update_space_guests() {
    let (server, client) = guest_answering("updateSpaceGuests").await;
    client
        .spaces()
        .update_space_guests(4, ["guest1@example.com"])
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/guest/4/v1/space/guests.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"id": 4, "guests": ["guest1@example.com"]})
    );
}

#[tokio::test]
async fn add_thread() {
    let (server, client) = answering("addThread").await;
    let added = client
        .spaces()
        .add_thread(3, "Planning")
        .send()
        .await
        .unwrap();
    assert_eq!(added.id.get(), 6);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("POST", "/k/v1/space/thread.json")
    );
    assert_eq!(body_json(&request), json!({"space": 3, "name": "Planning"}));
}

#[tokio::test]
async fn update_thread() {
    let (server, client) = answering("updateThread").await;
    client
        .spaces()
        .update_thread(6)
        .body("<p>Agenda</p>")
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/space/thread.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"id": 6, "body": "<p>Agenda</p>"})
    );
}

#[tokio::test]
async fn add_thread_comment() {
    let (server, client) = guest_answering("addThreadComment").await;
    let comment = ThreadCommentInput::new()
        .text("Minutes")
        .mentions([Mention::new("sato", MentionType::User)])
        .files([ThreadCommentFile::new("KEY").width(ThreadCommentFileWidth::W250)]);
    let added = client
        .spaces()
        .add_thread_comment(4, 6, comment)
        .send()
        .await
        .unwrap();
    assert_eq!(added.id.get(), 9);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("POST", "/k/guest/4/v1/space/thread/comment.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"space": 4, "thread": 6, "comment": {
            "text": "Minutes",
            "mentions": [{"code": "sato", "type": "USER"}],
            "files": [{"fileKey": "KEY", "width": "250"}]
        }})
    );
}

#[tokio::test]
async fn add_space_from_template() {
    let (server, client) = answering("addSpaceFromTemplate").await;
    let created = client
        .spaces()
        .add_space_from_template(1, "Sales", [admin("sato")])
        .is_guest(true)
        .send()
        .await
        .unwrap();
    assert_eq!(created.id.get(), 3);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("POST", "/k/v1/template/space.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"id": 1, "name": "Sales", "isGuest": true,
               "members": [{"entity": {"type": "USER", "code": "sato"}, "isAdmin": true}]})
    );
}

#[tokio::test]
async fn get_spaces_statistics() {
    let (server, client) = answering("getSpacesStatistics").await;
    let stats = client
        .spaces()
        .get_spaces_statistics()
        .offset(10)
        .limit(5)
        .send()
        .await
        .unwrap();
    assert_eq!(stats.spaces[0].administrator_count, Some(1));
    let request = only_request(&server).await;
    assert_eq!(
        (request.url.path(), request.url.query()),
        ("/k/v1/spaces/statistics.json", Some("offset=10&limit=5"))
    );
    let err = client
        .spaces()
        .get_spaces_statistics()
        .limit(101)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Limit(LimitError::OutOfRange { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn add_guests() {
    let (server, client) = answering("addGuests").await;
    client
        .guests()
        .add_guests([
            GuestUserInput::new("g@example.com", "secret", "Asia/Tokyo", "Guest").company("ACME"),
        ])
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("POST", "/k/v1/guests.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"guests": [{"code": "g@example.com", "password": "secret",
                           "timezone": "Asia/Tokyo", "name": "Guest", "company": "ACME"}]})
    );
}

#[tokio::test]
async fn delete_guests() {
    let (server, client) = answering("deleteGuests").await;
    client
        .guests()
        .delete_guests(["a@example.com", "b@example.com"])
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "DELETE");
    assert_eq!(
        request.url.query(),
        Some("guests%5B0%5D=a%40example.com&guests%5B1%5D=b%40example.com")
    );
}

#[tokio::test]
async fn guest_and_plugin_operations_do_not_exist_in_guest_spaces() {
    let (server, client) = guest_answering("deleteGuests").await;
    let err = client
        .guests()
        .delete_guests(["a@example.com"])
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotInGuestSpace {
                operation: "deleteGuests"
            }
        ),
        "{err:?}"
    );
    let err = client.plugins().get_plugins().send().await.unwrap_err();
    assert!(matches!(err, Error::NotInGuestSpace { .. }), "{err:?}");
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn get_plugins() {
    let (server, client) = answering("getPlugins").await;
    let list = client
        .plugins()
        .get_plugins()
        .ids(["djmhffjhfgmebgnmcggopedaofckljlj"])
        .limit(3)
        .send()
        .await
        .unwrap();
    assert_eq!(list.plugins[0].version, "1.2.0");
    assert!(!list.plugins[0].is_market_plugin);
    let request = only_request(&server).await;
    assert_eq!(
        (request.url.path(), request.url.query()),
        (
            "/k/v1/plugins.json",
            Some("limit=3&ids%5B0%5D=djmhffjhfgmebgnmcggopedaofckljlj")
        )
    );
}

#[tokio::test]
async fn get_required_plugins() {
    let (server, client) = answering("getRequiredPlugins").await;
    let list = client
        .plugins()
        .get_required_plugins()
        .send()
        .await
        .unwrap();
    assert_eq!(list.plugins[0].name, "Map view");
    let request = only_request(&server).await;
    assert_eq!(
        (request.url.path(), request.url.query()),
        ("/k/v1/plugins/required.json", None)
    );
}

#[tokio::test]
async fn get_plugin_apps() {
    let (server, client) = answering("getPluginApps").await;
    let apps = client
        .plugins()
        .get_plugin_apps("djmhffjhfgmebgnmcggopedaofckljlj")
        .offset(0)
        .send()
        .await
        .unwrap();
    assert_eq!(apps.apps[0].id.get(), 12);
    let request = only_request(&server).await;
    assert_eq!(
        request.url.query(),
        Some("id=djmhffjhfgmebgnmcggopedaofckljlj&offset=0")
    );
}

#[tokio::test]
async fn install_plugin() {
    let (server, client) = answering("installPlugin").await;
    let installed = client.plugins().install_plugin("KEY").send().await.unwrap();
    assert_eq!(installed.version, "1.0.0");
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("POST", "/k/v1/plugin.json")
    );
    assert_eq!(body_json(&request), json!({"fileKey": "KEY"}));
}

#[tokio::test]
async fn update_plugin() {
    let (server, client) = answering("updatePlugin").await;
    let updated = client
        .plugins()
        .update_plugin("djmhffjhfgmebgnmcggopedaofckljlj", "KEY")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.version, "1.0.1");
    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "PUT");
    assert_eq!(
        body_json(&request),
        json!({"id": "djmhffjhfgmebgnmcggopedaofckljlj", "fileKey": "KEY"})
    );
}

#[tokio::test]
async fn uninstall_plugin() {
    let (server, client) = answering("uninstallPlugin").await;
    client
        .plugins()
        .uninstall_plugin("djmhffjhfgmebgnmcggopedaofckljlj")
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (
            request.method.as_str(),
            request.url.path(),
            request.url.query()
        ),
        (
            "DELETE",
            "/k/v1/plugin.json",
            Some("id=djmhffjhfgmebgnmcggopedaofckljlj")
        )
    );
}

#[tokio::test]
async fn get_apis() {
    let (server, client) = answering("getApis").await;
    let list = client.schema().get_apis().send().await.unwrap();
    assert_eq!(list.apis["records/get"].link, "apis/records/get.json");
    let request = only_request(&server).await;
    assert_eq!(
        (
            request.method.as_str(),
            request.url.path(),
            request.url.query()
        ),
        ("GET", "/k/v1/apis.json", None)
    );
}

#[tokio::test]
async fn get_api_schema_puts_the_id_into_the_path() {
    let (server, client) = answering("getApiSchema").await;
    let schema = client
        .schema()
        .get_api_schema("records/get")
        .send()
        .await
        .unwrap();
    assert_eq!(schema.path, "record.json");
    let request = only_request(&server).await;
    assert_eq!(
        (
            request.method.as_str(),
            request.url.path(),
            request.url.query()
        ),
        ("GET", "/k/v1/apis/records/get.json", None)
    );
}

#[tokio::test]
async fn an_api_id_that_would_name_another_path_is_refused_before_sending() {
    let (server, client) = answering("getApiSchema").await;
    for bad in ["", "../records", "records//get", "records/.."] {
        let err = client
            .schema()
            .get_api_schema(bad)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Limit(LimitError::PathValue { field: "apiId", .. })
            ),
            "{bad}: {err:?}"
        );
    }
    assert_eq!(request_count(&server).await, 0);
    client
        .schema()
        .get_api_schema("a b?c")
        .send()
        .await
        .unwrap();
    assert_eq!(
        only_request(&server).await.url.path(),
        "/k/v1/apis/a%20b%3Fc.json"
    );
}

#[tokio::test]
async fn evaluate_records_acl() {
    let (server, client) = answering("evaluateRecordsAcl").await;
    let rights = client
        .records()
        .evaluate_records_acl(1, [7, 8])
        .send()
        .await
        .unwrap();
    let first = &rights.rights[0];
    assert_eq!(first.id.get(), 7);
    assert!(first.record.editable && !first.record.deletable);
    assert!(!first.fields["Amount"].editable);
    let request = only_request(&server).await;
    assert_eq!(
        (
            request.method.as_str(),
            request.url.path(),
            request.url.query()
        ),
        (
            "GET",
            "/k/v1/records/acl/evaluate.json",
            Some("app=1&ids%5B0%5D=7&ids%5B1%5D=8")
        )
    );
}

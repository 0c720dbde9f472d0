//! App, record and field permissions, asserted on the wire: method, path, query and body for
//! the live operations and their preview twins, and the spec's example answers decoded.

use kintone_api::types::*;

use kintone_tests::*;
use serde_json::json;

#[tokio::test]
async fn get_app_permissions_live_and_preview() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getAppPermissions")).await;
    let live = client
        .permissions()
        .get_app_permissions(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(live.revision.get(), 4);
    assert_eq!(live.rights[0].entity.r#type, SettingsEntityType::Creator);
    assert_eq!(live.rights[0].entity.code, None);
    assert_eq!(live.rights[1].entity.code.as_deref(), Some("sales"));
    assert_eq!(live.rights[1].record_deletable, Some(false));
    assert_eq!(live.rights[2].record_viewable, Some(true));
    client
        .permissions()
        .get_app_permissions(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let seen: Vec<_> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.url.path(), r.url.query()))
        .collect();
    assert_eq!(
        seen,
        [
            ("GET", "/k/v1/app/acl.json", Some("app=1")),
            ("GET", "/k/v1/preview/app/acl.json", Some("app=1")),
        ]
    );
}

#[tokio::test]
async fn update_app_permissions_live_and_preview() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"revision": "5"})).await;
    let rights = [
        AppRight::new(SettingsEntity::new(SettingsEntityType::Creator))
            .app_editable(true)
            .record_viewable(true),
        AppRight::new(SettingsEntity::new(SettingsEntityType::User).code("sato"))
            .record_viewable(true)
            .record_addable(true),
    ];
    let changed = client
        .permissions()
        .update_app_permissions(1u64, rights.clone())
        .revision(4u64)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.revision.get(), 5);
    client
        .permissions()
        .update_app_permissions(1u64, rights)
        .preview()
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].url.path()),
        ("PUT", "/k/v1/app/acl.json")
    );
    assert_eq!(
        body_json(&requests[0]),
        json!({"app": 1, "revision": 4, "rights": [
            {"entity": {"type": "CREATOR"}, "appEditable": true, "recordViewable": true},
            {"entity": {"type": "USER", "code": "sato"}, "recordViewable": true, "recordAddable": true},
        ]})
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].url.path()),
        ("PUT", "/k/v1/preview/app/acl.json")
    );
    assert_eq!(
        body_json(&requests[1])["rights"][1]["entity"]["code"],
        "sato"
    );
    assert!(body_json(&requests[1]).get("revision").is_none());
}

#[tokio::test]
async fn get_record_permissions_live_and_preview() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getRecordPermissions")).await;
    let live = client
        .permissions()
        .get_record_permissions(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(live.rights[0].filter_cond.as_deref(), Some("Amount > 1000"));
    let owner = &live.rights[0].entities[0];
    assert_eq!(owner.entity.r#type, SettingsEntityType::FieldEntity);
    assert_eq!((owner.viewable, owner.deletable), (Some(true), Some(false)));
    client
        .permissions()
        .get_record_permissions(1u64)
        .lang(SettingsLang::Ja)
        .preview()
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        (requests[0].url.path(), requests[0].url.query()),
        ("/k/v1/record/acl.json", Some("app=1"))
    );
    assert_eq!(
        (requests[1].url.path(), requests[1].url.query()),
        ("/k/v1/preview/record/acl.json", Some("app=1&lang=ja"))
    );
}

#[tokio::test]
async fn update_record_permissions_live_and_preview() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"revision": "6"})).await;
    let rights = [RecordRight::new([
        RecordRightEntity::new(SettingsEntity::new(SettingsEntityType::User).code("sato"))
            .viewable(true)
            .editable(false),
        RecordRightEntity::new(SettingsEntity::new(SettingsEntityType::Group).code("everyone")),
    ])
    .filter_cond(r#"Status in ("Closed")"#)];
    client
        .permissions()
        .update_record_permissions(1u64, rights.clone())
        .send()
        .await
        .unwrap();
    client
        .permissions()
        .update_record_permissions(1u64, rights)
        .revision(6u64)
        .preview()
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].url.path()),
        ("PUT", "/k/v1/record/acl.json")
    );
    assert_eq!(
        body_json(&requests[0]),
        json!({"app": 1, "rights": [{
            "filterCond": "Status in (\"Closed\")",
            "entities": [
                {"entity": {"type": "USER", "code": "sato"}, "viewable": true, "editable": false},
                {"entity": {"type": "GROUP", "code": "everyone"}},
            ],
        }]})
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].url.path()),
        ("PUT", "/k/v1/preview/record/acl.json")
    );
    assert_eq!(body_json(&requests[1])["revision"], 6);
}

#[tokio::test]
async fn get_field_permissions_live_and_preview() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getFieldPermissions")).await;
    let live = client
        .permissions()
        .get_field_permissions(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(live.rights[0].code, "Amount");
    assert_eq!(
        live.rights[0].entities[0].accessibility,
        FieldAccessibility::Write
    );
    assert_eq!(
        live.rights[0].entities[1].accessibility,
        FieldAccessibility::Read
    );
    client
        .permissions()
        .get_field_permissions(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.path(), "/k/v1/field/acl.json");
    assert_eq!(
        (requests[1].url.path(), requests[1].url.query()),
        ("/k/v1/preview/field/acl.json", Some("app=1"))
    );
}

#[tokio::test]
async fn update_field_permissions_live_and_preview() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"revision": "7"})).await;
    let rights = [FieldRight::new(
        "Amount",
        [
            FieldRightEntity::new(
                FieldAccessibility::Write,
                SettingsEntity::new(SettingsEntityType::User).code("sato"),
            ),
            FieldRightEntity::new(
                FieldAccessibility::None,
                SettingsEntity::new(SettingsEntityType::Group).code("everyone"),
            ),
        ],
    )];
    client
        .permissions()
        .update_field_permissions(1u64, rights.clone())
        .send()
        .await
        .unwrap();
    client
        .permissions()
        .update_field_permissions(1u64, rights)
        .preview()
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let expected = json!({"app": 1, "rights": [{"code": "Amount", "entities": [
        {"accessibility": "WRITE", "entity": {"type": "USER", "code": "sato"}},
        {"accessibility": "NONE", "entity": {"type": "GROUP", "code": "everyone"}},
    ]}]});
    assert_eq!(
        (requests[0].method.as_str(), requests[0].url.path()),
        ("PUT", "/k/v1/field/acl.json")
    );
    assert_eq!(body_json(&requests[0]), expected);
    assert_eq!(
        (requests[1].method.as_str(), requests[1].url.path()),
        ("PUT", "/k/v1/preview/field/acl.json")
    );
    assert_eq!(body_json(&requests[1]), expected);
}

//! Notifications (general, per record, reminders), asserted on the wire: method, path, query and
//! body for the reads (live and preview) and the pre-live writes, and the spec's example answers
//! decoded.

use kintone_api::types::*;
use kintone_api::*;
use kintone_tests::*;
use serde_json::json;

fn seen(requests: &[wiremock::Request]) -> Vec<(String, String, Option<String>)> {
    requests
        .iter()
        .map(|r| {
            (
                r.method.to_string(),
                r.url.path().to_string(),
                r.url.query().map(str::to_string),
            )
        })
        .collect()
}

fn owned(method: &str, path: &str, query: Option<&str>) -> (String, String, Option<String>) {
    (method.into(), path.into(), query.map(str::to_string))
}

#[tokio::test]
async fn get_general_notifications_live_and_preview() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getGeneralNotifications")).await;
    let live = client
        .notifications()
        .get_general_notifications(1u64)
        .send()
        .await
        .unwrap();
    assert!(live.notify_to_commenter);
    assert_eq!(live.notifications[0].entity.code.as_deref(), Some("sato"));
    assert_eq!(live.notifications[0].file_imported, Some(true));
    assert_eq!(
        live.notifications[1].entity.r#type,
        SettingsEntityType::FieldEntity
    );
    client
        .notifications()
        .get_general_notifications(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    assert_eq!(
        seen(&server.received_requests().await.unwrap()),
        [
            owned("GET", "/k/v1/app/notifications/general.json", Some("app=1")),
            owned(
                "GET",
                "/k/v1/preview/app/notifications/general.json",
                Some("app=1")
            ),
        ]
    );
}

#[tokio::test]
async fn update_general_notifications() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"revision": "5"})).await;
    let changed = client
        .notifications()
        .update_general_notifications(1u64)
        .notifications([GeneralNotification::new(
            SettingsEntity::new(SettingsEntityType::Group).code("everyone"),
        )
        .record_added(true)])
        .notify_to_commenter(false)
        .revision(4u64)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.revision.get(), 5);
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/preview/app/notifications/general.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "revision": 4, "notifyToCommenter": false, "notifications": [
            {"entity": {"type": "GROUP", "code": "everyone"}, "recordAdded": true},
        ]})
    );
}

#[tokio::test]
async fn get_per_record_notifications_live_and_preview() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getPerRecordNotifications")).await;
    let live = client
        .notifications()
        .get_per_record_notifications(1u64)
        .lang(SettingsLang::En)
        .send()
        .await
        .unwrap();
    assert_eq!(
        live.notifications[0].filter_cond.as_deref(),
        Some("Amount > 1000")
    );
    assert_eq!(
        live.notifications[0].title.as_deref(),
        Some("A large order")
    );
    client
        .notifications()
        .get_per_record_notifications(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    assert_eq!(
        seen(&server.received_requests().await.unwrap()),
        [
            owned(
                "GET",
                "/k/v1/app/notifications/perRecord.json",
                Some("app=1&lang=en")
            ),
            owned(
                "GET",
                "/k/v1/preview/app/notifications/perRecord.json",
                Some("app=1")
            ),
        ]
    );
}

#[tokio::test]
async fn update_per_record_notifications() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"revision": "5"})).await;
    client
        .notifications()
        .update_per_record_notifications(
            1u64,
            [PerRecordNotification::new([NotificationTarget::new(
                SettingsEntity::new(SettingsEntityType::Organization).code("sales"),
            )
            .include_subs(true)])
            .filter_cond(r#"Kind in ("A")"#)
            .title("Kind A")],
        )
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/preview/app/notifications/perRecord.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "notifications": [{
            "filterCond": "Kind in (\"A\")",
            "title": "Kind A",
            "targets": [{"entity": {"type": "ORGANIZATION", "code": "sales"}, "includeSubs": true}],
        }]})
    );
}

#[tokio::test]
async fn update_per_record_notifications_refuses_a_long_title_before_sending() {
    let (server, client) = server_and_client().await;
    let err = client
        .notifications()
        .update_per_record_notifications(
            1u64,
            [PerRecordNotification::new(Vec::<NotificationTarget>::new()).title("x".repeat(101))],
        )
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Limit(_)), "{err:?}");
    assert_eq!(limits::MAX_NOTIFICATION_TITLE_LENGTH, 100);
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn get_reminder_notifications_live_and_preview() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, spec_example("getReminderNotifications")).await;
    let live = client
        .notifications()
        .get_reminder_notifications(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(live.timezone, "Asia/Tokyo");
    let first = &live.notifications[0].timing;
    assert_eq!((first.code.as_str(), first.days_later), ("Due", -1));
    assert_eq!(first.time.map(|t| t.to_string()).as_deref(), Some("09:00"));
    assert_eq!(live.notifications[1].timing.hours_later, Some(-2));
    client
        .notifications()
        .get_reminder_notifications(1u64)
        .lang(SettingsLang::Ja)
        .preview()
        .send()
        .await
        .unwrap();
    assert_eq!(
        seen(&server.received_requests().await.unwrap()),
        [
            owned(
                "GET",
                "/k/v1/app/notifications/reminder.json",
                Some("app=1")
            ),
            owned(
                "GET",
                "/k/v1/preview/app/notifications/reminder.json",
                Some("app=1&lang=ja")
            ),
        ]
    );
}

#[tokio::test]
async fn update_reminder_notifications() {
    let (server, client) = server_and_client().await;
    answer_json(&server, 200, json!({"revision": "5"})).await;
    client
        .notifications()
        .update_reminder_notifications(1u64)
        .notifications([ReminderNotification::new(
            ReminderTiming::new("Due", -1).time(Time::new(9, 0).unwrap()),
            [NotificationTarget::new(
                SettingsEntity::new(SettingsEntityType::FieldEntity).code("Owner"),
            )],
        )
        .title("Due tomorrow")])
        .timezone("Asia/Tokyo")
        .send()
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        (request.method.as_str(), request.url.path()),
        ("PUT", "/k/v1/preview/app/notifications/reminder.json")
    );
    assert_eq!(
        body_json(&request),
        json!({"app": 1, "timezone": "Asia/Tokyo", "notifications": [{
            "timing": {"code": "Due", "daysLater": -1, "time": "09:00"},
            "title": "Due tomorrow",
            "targets": [{"entity": {"type": "FIELD_ENTITY", "code": "Owner"}}],
        }]})
    );
}

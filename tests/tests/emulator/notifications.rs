//! Notifications against the emulator, end to end: general, per-record and reminder settings
//! written pre-live through the client, read back, and live after a deploy.

use kintone_api::types::*;
use kintone_api::*;
use kintone_tests::*;

/// The emulator of [`emulator_and_client`], with a client signed in as the user `sato` (API
/// tokens cannot change app settings).
fn target(t: SettingsEntityType, code: &str) -> NotificationTarget {
    NotificationTarget::new(SettingsEntity::new(t).code(code))
}

#[tokio::test]
async fn general_notifications_are_pre_live_until_deployed() {
    let (_emulator, client) = emulator_and_user().await;
    let before = client
        .notifications()
        .get_general_notifications(1u64)
        .send()
        .await
        .unwrap();
    assert!(before.notifications.is_empty());
    let changed = client
        .notifications()
        .update_general_notifications(1u64)
        .notifications([GeneralNotification::new(
            SettingsEntity::new(SettingsEntityType::User).code("sato"),
        )
        .record_added(true)
        .comment_added(true)])
        .notify_to_commenter(true)
        .revision(before.revision)
        .send()
        .await
        .unwrap();
    let pre_live = client
        .notifications()
        .get_general_notifications(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    assert_eq!(pre_live.revision, changed.revision);
    assert!(pre_live.notify_to_commenter);
    let n = &pre_live.notifications[0];
    assert_eq!(
        (n.record_added, n.record_edited, n.comment_added),
        (Some(true), Some(false), Some(true)),
        "an event left out is not notified"
    );
    let live = client
        .notifications()
        .get_general_notifications(1u64)
        .send()
        .await
        .unwrap();
    assert!(live.notifications.is_empty() && !live.notify_to_commenter);

    // Left out, the list is kept.
    client
        .notifications()
        .update_general_notifications(1u64)
        .notify_to_commenter(false)
        .send()
        .await
        .unwrap();
    deploy(&client, 1).await;
    let live = client
        .notifications()
        .get_general_notifications(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(live.notifications, pre_live.notifications);
    assert!(!live.notify_to_commenter);

    let stale = client
        .notifications()
        .update_general_notifications(1u64)
        .revision(before.revision)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&stale), (Some(409), Some("GAIA_CO02")));
}

#[tokio::test]
async fn per_record_notifications_read_back_and_go_live() {
    let (_emulator, client) = emulator_and_user().await;
    client
        .notifications()
        .update_per_record_notifications(
            1u64,
            [PerRecordNotification::new([
                target(SettingsEntityType::FieldEntity, "Owner"),
                target(SettingsEntityType::Organization, "sales").include_subs(true),
            ])
            .filter_cond("Amount > 1000")
            .title("A large order")],
        )
        .send()
        .await
        .unwrap();
    let pre_live = client
        .notifications()
        .get_per_record_notifications(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    let n = &pre_live.notifications[0];
    assert_eq!(n.filter_cond.as_deref(), Some("Amount > 1000"));
    assert_eq!(n.title.as_deref(), Some("A large order"));
    assert_eq!(n.targets[1].include_subs, Some(true));
    assert!(client
        .notifications()
        .get_per_record_notifications(1u64)
        .send()
        .await
        .unwrap()
        .notifications
        .is_empty());
    deploy(&client, 1).await;
    let live = client
        .notifications()
        .get_per_record_notifications(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(live.notifications, pre_live.notifications);

    let bad = client
        .notifications()
        .update_per_record_notifications(
            1u64,
            [
                PerRecordNotification::new([target(SettingsEntityType::User, "sato")])
                    .filter_cond("Amount >"),
            ],
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_and_code(&bad), (Some(400), Some("CB_VA01")));
}

#[tokio::test]
async fn reminders_with_their_timing_read_back_and_go_live() {
    let (_emulator, client) = emulator_and_user().await;
    let before = client
        .notifications()
        .get_reminder_notifications(1u64)
        .send()
        .await
        .unwrap();
    assert!(before.notifications.is_empty());
    client
        .notifications()
        .update_reminder_notifications(1u64)
        .notifications([
            ReminderNotification::new(
                ReminderTiming::new("Due", -1).time(Time::new(9, 0).unwrap()),
                [target(SettingsEntityType::FieldEntity, "Owner")],
            )
            .title("Due tomorrow"),
            ReminderNotification::new(
                ReminderTiming::new("When", 0).hours_later(-2),
                [target(SettingsEntityType::User, "sato")],
            )
            .filter_cond(r#"Kind in ("A")"#),
        ])
        .timezone("Asia/Tokyo")
        .send()
        .await
        .unwrap();
    let pre_live = client
        .notifications()
        .get_reminder_notifications(1u64)
        .preview()
        .send()
        .await
        .unwrap();
    assert_eq!(pre_live.timezone, "Asia/Tokyo");
    let timings: Vec<_> = pre_live
        .notifications
        .iter()
        .map(|n| {
            (
                n.timing.code.as_str(),
                n.timing.days_later,
                n.timing.hours_later,
                n.timing.time.map(|t| t.to_string()),
            )
        })
        .collect();
    assert_eq!(
        timings,
        [
            ("Due", -1, None, Some("09:00".to_string())),
            ("When", 0, Some(-2), None)
        ]
    );
    assert_eq!(pre_live.notifications[1].title.as_deref(), Some(""));
    deploy(&client, 1).await;
    let live = client
        .notifications()
        .get_reminder_notifications(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(live.notifications, pre_live.notifications);
    assert_eq!(live.timezone, "Asia/Tokyo");

    for wrong in [
        ReminderTiming::new("Title", 1).time(Time::new(9, 0).unwrap()),
        ReminderTiming::new("Due", 1).hours_later(3),
        ReminderTiming::new("When", 1).time(Time::new(9, 5).unwrap()),
    ] {
        let refused = client
            .notifications()
            .update_reminder_notifications(1u64)
            .notifications([ReminderNotification::new(
                wrong.clone(),
                [target(SettingsEntityType::User, "sato")],
            )])
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            status_and_code(&refused),
            (Some(400), Some("CB_VA01")),
            "{wrong:?}"
        );
    }
}

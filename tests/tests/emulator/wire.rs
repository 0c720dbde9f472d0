//! The emulator's wire behaviour: authentication, permissions, languages, guest paths, method
//! override, concurrency, limits, failure injection and the request log.

use std::time::Duration;

use kintone_api::{Client, Error};
use kintone_emulator::{Emulator, Failure, Gate, ManualClock};
use kintone_tests::*;
use serde_json::json;

#[tokio::test]
async fn authentication_and_permissions() {
    let (emulator, _client) = emulator_and_client().await;
    let base = emulator.base_url();
    let anonymous = Client::builder(&base).build().unwrap();
    let err = anonymous
        .records()
        .get_records(1u64)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.status().unwrap().as_u16(), err.code()),
        (401, Some("CB_AU01"))
    );

    let wrong_password = Client::builder(&base)
        .password("sato", "nope")
        .build()
        .unwrap();
    let err = wrong_password
        .records()
        .get_records(1u64)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.status().unwrap().as_u16(), err.code()),
        (401, Some("CB_WA01"))
    );

    let bad_token = Client::builder(&base).api_token("nope").build().unwrap();
    assert_eq!(
        bad_token
            .records()
            .get_records(1u64)
            .send()
            .await
            .unwrap_err()
            .code(),
        Some("GAIA_IA02")
    );

    let view_only = Client::builder(&base).api_token("VIEW").build().unwrap();
    view_only.records().get_records(1u64).send().await.unwrap();
    let err = view_only
        .records()
        .add_record(1u64)
        .record(record("x", &[]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.status().unwrap().as_u16(), err.code()),
        (403, Some("GAIA_NO01")),
        "a token without the permission: GAIA_NO01 (CB_NO02 is for users)"
    );

    // Several tokens in one header: the write is allowed by the second one.
    let both = Client::builder(&base)
        .api_tokens(["VIEW", "TOKEN"])
        .build()
        .unwrap();
    both.records()
        .add_record(1u64)
        .record(record("x", &[]))
        .send()
        .await
        .unwrap();

    let user = Client::builder(&base)
        .password("sato", "pw")
        .build()
        .unwrap();
    let added = user
        .records()
        .add_record(1u64)
        .record(record("mine", &[]))
        .send()
        .await
        .unwrap();
    let got = user
        .records()
        .get_record(1u64, added.id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.record["Created_by"].as_entity().unwrap().code, "sato");

    let missing_app = user.records().get_records(77u64).send().await.unwrap_err();
    assert_eq!(
        (missing_app.status().unwrap().as_u16(), missing_app.code()),
        (404, Some("GAIA_AP01"))
    );

    // O3: a guest user exists, with a password, but cannot call the REST API.
    user.guests()
        .add_guests([kintone_api::types::GuestUserInput::new(
            "guest@example.com",
            "secret",
            "UTC",
            "A guest",
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.guests(None), ["guest@example.com"]);
    let guest = Client::builder(&base)
        .password("guest@example.com", "secret")
        .build()
        .unwrap();
    let err = guest.records().get_records(1u64).send().await.unwrap_err();
    assert_eq!(
        (err.status().unwrap().as_u16(), err.code()),
        (401, Some("CB_WA01"))
    );
}

#[tokio::test]
async fn messages_follow_accept_language_and_headers_come_on_every_answer() {
    let (emulator, _) = emulator_and_client().await;
    let ja = Client::builder(emulator.base_url())
        .api_token("TOKEN")
        .accept_language("ja")
        .build()
        .unwrap();
    let err = ja
        .records()
        .get_record(1u64, 5u64)
        .send()
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert!(api.message.contains("レコード"), "{}", api.message);
    assert_eq!(api.headers.get("x-cybozu-error").unwrap(), "GAIA_RE01");
    assert_eq!(api.headers.get("x-concurrencylimit-limit").unwrap(), "100");
    let en = Client::builder(emulator.base_url())
        .api_token("TOKEN")
        .accept_language("en")
        .build()
        .unwrap();
    let ok = en.records().get_records(1u64).send().await.unwrap();
    assert_eq!(ok.concurrency().limit, Some(100));
    assert_eq!(ok.concurrency().running, Some(1));
    let err = en
        .records()
        .get_record(1u64, 5u64)
        .send()
        .await
        .unwrap_err();
    assert!(err
        .api()
        .unwrap()
        .message
        .starts_with("The specified record"));
}

#[tokio::test]
async fn guest_space_paths_and_method_override() {
    let (emulator, _) = emulator_and_client().await;
    let guest = Client::builder(emulator.base_url())
        .api_token("TOKEN")
        .guest_space(3)
        .build()
        .unwrap();
    guest
        .records()
        .add_record(1u64)
        .record(record("guest", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        emulator.requests().last().unwrap().path,
        "/k/guest/3/v1/record.json"
    );

    let client = Client::builder(emulator.base_url())
        .api_token("TOKEN")
        .build()
        .unwrap();
    let long = format!(r#"Title != "{}""#, "x".repeat(9000));
    let page = client
        .records()
        .get_records(1u64)
        .query(long)
        .send()
        .await
        .unwrap();
    assert_eq!(page.records.len(), 1);
    let sent = emulator.requests().pop().unwrap();
    assert_eq!(
        (sent.method.as_str(), sent.header("x-http-method-override")),
        ("POST", Some("GET"))
    );
}

#[tokio::test]
async fn unknown_paths_and_bad_json_are_kintone_errors() {
    let (emulator, _) = emulator_and_client().await;
    let http = reqwest::Client::new();
    let base = emulator.base_url();
    let r = http
        .get(format!("{base}/k/v1/nothing.json"))
        .header("X-Cybozu-API-Token", "TOKEN")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["id"].is_string() && body["code"].is_string() && body["message"].is_string());
    let r = http
        .post(format!("{base}/k/v1/record.json"))
        .header("X-Cybozu-API-Token", "TOKEN")
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["code"],
        "CB_IJ01"
    );
    let r = http
        .post(format!("{base}/k/v1/records.json"))
        .header("X-Cybozu-API-Token", "TOKEN")
        .header("X-HTTP-Method-Override", "get")
        .header("Content-Type", "application/json")
        .body(r#"{"app": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400, "the override is case-sensitive");
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["code"],
        "CB_IL02"
    );

    // O9: the override is honoured only on a POST; on a GET it changes nothing.
    emulator
        .insert_records(1, vec![json!({"Title": {"value": "kept"}})])
        .unwrap();
    let r = http
        .get(format!("{base}/k/v1/records.json?app=1"))
        .header("X-Cybozu-API-Token", "TOKEN")
        .header("X-HTTP-Method-Override", "DELETE")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let page: serde_json::Value = r.json().await.unwrap();
    assert_eq!(page["records"][0]["Title"]["value"], "kept");
    assert_eq!(emulator.record_count(1), 1);
}

#[tokio::test]
async fn server_side_limits_answer_kintones_errors() {
    let (emulator, _) = emulator_and_client().await;
    let http = reqwest::Client::new();
    let base = emulator.base_url();
    let get = |q: &str| {
        http.get(format!("{base}/k/v1/records.json?app=1&query={q}"))
            .header("X-Cybozu-API-Token", "TOKEN")
            .send()
    };
    let over_limit: serde_json::Value = get("limit%20501").await.unwrap().json().await.unwrap();
    assert_eq!(over_limit["code"], "GAIA_QU01");
    let over_offset: serde_json::Value = get("offset%2010001").await.unwrap().json().await.unwrap();
    assert_eq!(over_offset["code"], "GAIA_QU02");
    let records: Vec<serde_json::Value> = (0..101)
        .map(|i| json!({"Title": {"value": i.to_string()}}))
        .collect();
    let r = http
        .post(format!("{base}/k/v1/records.json"))
        .header("X-Cybozu-API-Token", "TOKEN")
        .json(&json!({"app": 1, "records": records}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(emulator.record_count(1), 0);

    // O31: at most 10 comments per read, refused by the server too, naming `limit`.
    emulator
        .insert_records(1, vec![json!({"Title": {"value": "commented"}})])
        .unwrap();
    let comments = |limit: u32| {
        http.get(format!(
            "{base}/k/v1/record/comments.json?app=1&record=1&limit={limit}"
        ))
        .header("X-Cybozu-API-Token", "TOKEN")
        .send()
    };
    let r = comments(11).await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "CB_VA01");
    assert!(body["errors"]["limit"].is_object(), "{body}");
    assert_eq!(comments(10).await.unwrap().status().as_u16(), 200);
}

/// Cursors live 10 minutes from their last use, on the emulator's clock (a manual one here).
#[tokio::test]
async fn cursor_limits_and_expiry() {
    let clock = ManualClock::new();
    let (emulator, client) = emulator_with(|b| b.clock(clock.clone())).await;
    emulator
        .insert_records(
            1,
            vec![
                json!({"Title": {"value": "a"}}),
                json!({"Title": {"value": "b"}}),
            ],
        )
        .unwrap();
    let mut ids = Vec::new();
    for _ in 0..10 {
        ids.push(
            client
                .cursors()
                .create_cursor(1u64)
                .size(1)
                .send()
                .await
                .unwrap()
                .into_body()
                .id,
        );
    }
    let eleventh = client
        .cursors()
        .create_cursor(1u64)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (eleventh.status().unwrap().as_u16(), eleventh.code()),
        (429, Some("GAIA_TM12"))
    );
    // A second short of ten minutes: every cursor lives; reading one renews it.
    clock.advance(Duration::from_secs(599));
    client
        .cursors()
        .get_records_by_cursor(ids[1].clone())
        .send()
        .await
        .expect("a cursor used within ten minutes lives");
    client
        .cursors()
        .create_cursor(1u64)
        .send()
        .await
        .unwrap_err();
    clock.advance(Duration::from_secs(2));
    client
        .cursors()
        .get_records_by_cursor(ids[1].clone())
        .send()
        .await
        .expect("the cursor read at 599 s lives on");
    let expired = client
        .cursors()
        .get_records_by_cursor(ids[0].clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (expired.status().unwrap().as_u16(), expired.code()),
        (404, Some("GAIA_CN01"))
    );
    client
        .cursors()
        .create_cursor(1u64)
        .send()
        .await
        .expect("expired cursors free their slots");
}

/// A failure injected for more requests than a step sends is not left to fail an unrelated
/// later call unnoticed: `injected` says which requests each failure took and how many it
/// still waits for, and `clear_failures` drops them and says what was left.
#[tokio::test]
async fn injected_failures_say_which_requests_took_them_and_can_be_cleared() {
    let (emulator, client) = emulator_and_client().await;
    let maintenance = || Failure::text(503, "text/html", "<html>maintenance</html>");
    emulator.inject(maintenance().path("/k/v1/records.json").times(1));
    emulator.inject(maintenance().times(3));
    client.records().get_records(1u64).send().await.unwrap_err();
    client
        .records()
        .get_record(1u64, 1u64)
        .send()
        .await
        .unwrap_err();

    let injected = emulator.injected();
    assert_eq!(injected.len(), 2);
    let paths = |i: usize| -> Vec<String> {
        injected[i]
            .taken_by
            .iter()
            .map(|t| t.path.clone())
            .collect()
    };
    assert_eq!(paths(0), ["/k/v1/records.json"]);
    assert_eq!(injected[0].remaining, 0);
    assert_eq!(paths(1), ["/k/v1/record.json"]);
    assert_eq!(
        injected[1].remaining, 2,
        "two requests' worth still waiting"
    );
    // The request log names the same requests: each failure's request is found by its number.
    let log = emulator.requests();
    for failure in &injected {
        for taken in &failure.taken_by {
            let logged = log
                .iter()
                .find(|r| r.number() == Some(taken.number))
                .expect("the request a failure took is in the log");
            assert_eq!(logged.path, taken.path);
        }
    }
    assert_ne!(
        injected[0].taken_by[0].number,
        injected[1].taken_by[0].number
    );

    let left = emulator.clear_failures();
    assert_eq!(left.iter().map(|f| f.remaining).sum::<usize>(), 2);
    assert!(emulator.injected().is_empty());
    // Nothing is left to fail the next, unrelated call.
    client
        .apps()
        .get_app(1u64)
        .send()
        .await
        .expect("no failure left after clearing");
}

#[tokio::test]
async fn injected_failures_reach_the_client_as_typed_errors() {
    let (emulator, client) = emulator_and_client().await;
    emulator.inject(
        Failure::text(503, "text/html", "<html>Under maintenance</html>")
            .path("/k/v1/records.json")
            .times(2),
    );
    for _ in 0..2 {
        match client.records().get_records(1u64).send().await.unwrap_err() {
            Error::UnexpectedBody {
                status, excerpt, ..
            } => {
                assert_eq!(status.as_u16(), 503);
                assert!(excerpt.contains("maintenance"));
            }
            other => panic!("{other:?}"),
        }
    }
    client
        .records()
        .get_records(1u64)
        .send()
        .await
        .expect("the failure was used up");

    emulator.inject(Failure::json(
        520,
        json!({"id": "x", "code": "GAIA_DA02", "message": "busy"}),
    ));
    assert_eq!(
        client
            .records()
            .get_records(1u64)
            .send()
            .await
            .unwrap_err()
            .code(),
        Some("GAIA_DA02")
    );

    emulator.inject(Failure::close_connection());
    let err = client.records().get_records(1u64).send().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");

    emulator.inject(Failure::delay(Duration::from_millis(300)));
    let impatient = Client::builder(emulator.base_url())
        .api_token("TOKEN")
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let err = impatient
        .records()
        .get_records(1u64)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport(ref e) if e.is_timeout()),
        "{err:?}"
    );
}

#[tokio::test]
async fn past_the_concurrency_limit_kintone_answers_429() {
    let (emulator, client) = emulator_with(|b| b.concurrency_limit(3)).await;
    let gate = Gate::new();
    emulator.inject(Failure::hold(&gate).times(3));
    let slow: Vec<_> = (0..3)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.records().get_records(1u64).send().await })
        })
        .collect();
    gate.reached(3).await;
    let err = client.records().get_records(1u64).send().await.unwrap_err();
    assert_eq!(
        (err.status().unwrap().as_u16(), err.code()),
        (429, Some("GAIA_TO04"))
    );
    gate.open();
    for s in slow {
        s.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn the_request_log_shows_what_the_client_sent() {
    let (emulator, client) = emulator_and_client().await;
    client
        .records()
        .delete_records(1u64, [1u64])
        .send()
        .await
        .unwrap_err();
    let sent = emulator.requests().pop().unwrap();
    assert_eq!(sent.method, "DELETE");
    assert_eq!(sent.query.as_deref(), Some("app=1&ids%5B0%5D=1"));
    assert_eq!(sent.header("X-Cybozu-API-Token"), Some("TOKEN"));
}

#[tokio::test]
async fn seed_files_load_apps_tokens_and_records() {
    let seed: kintone_emulator::Seed = serde_json::from_value(json!({
        "apps": [{"id": 5, "name": "Seeded", "fields": [{"code": "Title", "type": "SINGLE_LINE_TEXT", "required": true}],
                  "records": [{"Title": {"value": "from the seed"}}]}],
        "tokens": [{"token": "SEEDED", "app": 5, "permissions": {"view": true}}]
    }))
    .unwrap();
    let emulator = Emulator::builder().seed(seed).start().await.unwrap();
    let client = Client::builder(emulator.base_url())
        .api_token("SEEDED")
        .build()
        .unwrap();
    let page = client.records().get_records(5u64).send().await.unwrap();
    assert_eq!(page.records[0]["Title"].as_text(), Some("from the seed"));
}

/// O30: an upload not attached in time is gone; attaching its key afterwards fails.
#[tokio::test]
async fn unattached_uploads_expire() {
    let clock = ManualClock::new();
    let (_emulator, client) = emulator_with(|b| b.clock(clock.clone())).await;
    let upload = |name: &'static str| {
        client
            .files()
            .upload_file(kintone_api::FilePart::new(name, "x"))
            .send()
    };
    let early = upload("early.txt").await.unwrap().into_body().file_key;
    let kept = upload("kept.txt").await.unwrap().into_body().file_key;
    // A second short of three days, an upload is still there.
    clock.advance(Duration::from_secs(3 * 24 * 3600 - 1));
    upload("sweep.txt").await.unwrap();
    let in_time = record(
        "in time",
        &[(
            "Attachment",
            kintone_api::FieldInput::file([kintone_api::FileRef::new(kept)]),
        )],
    );
    client
        .records()
        .add_record(1u64)
        .record(in_time)
        .send()
        .await
        .expect("an upload attached within three days");
    clock.advance(Duration::from_secs(1));
    // The next upload sweeps temporary storage.
    upload("late.txt").await.unwrap();
    let attach = record(
        "late",
        &[(
            "Attachment",
            kintone_api::FieldInput::file([kintone_api::FileRef::new(early)]),
        )],
    );
    let err = client
        .records()
        .add_record(1u64)
        .record(attach)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.api()
            .unwrap()
            .errors
            .contains_key("record.Attachment.value"),
        "{err:?}"
    );
}

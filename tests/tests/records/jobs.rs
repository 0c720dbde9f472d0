//! Writing many records with `add_all`, `update_all`, `upsert_all` and `delete_all` against the
//! emulator: chunking, the report of a failed job, and resuming it without writing twice.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt;
use kintone_api::limits::{MAX_BULK_REQUESTS, MAX_RECORDS_PER_WRITE};
use kintone_api::types::RecordUpdateResultOperation;
use kintone_api::{FieldInput, RecordInput, RecordUpdate, UpdateKey, WriteProgress};
use kintone_emulator::{Emulator, Failure};
use kintone_tests::*;
use serde_json::json;

const PER_REQUEST: usize = MAX_RECORDS_PER_WRITE * MAX_BULK_REQUESTS;

fn inputs(count: usize) -> Vec<RecordInput> {
    (0..count)
        .map(|i| record(&format!("T{i:05}"), &[]))
        .collect()
}

fn bulk_requests(emulator: &Emulator) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.path == "/k/v1/bulkRequest.json")
        .count()
}

/// Every title in the app, sorted, read back through a stream.
async fn titles(client: &kintone_api::Client) -> Vec<String> {
    let records: Vec<_> = client
        .record_stream(1)
        .fields(["Title"])
        .build()
        .try_collect()
        .await
        .unwrap();
    let mut titles: Vec<String> = records
        .iter()
        .map(|r| r["Title"].as_text().unwrap().to_string())
        .collect();
    titles.sort();
    titles
}

#[tokio::test]
async fn ten_thousand_records_go_in_exactly_five_requests() {
    let (emulator, client) = emulator_and_client().await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let report = client
        .add_all(1, inputs(10_000))
        .on_progress(move |p: WriteProgress| seen.lock().unwrap().push((p.done, p.total)))
        .send()
        .await
        .unwrap();
    assert_eq!(bulk_requests(&emulator), 10_000 / PER_REQUEST);
    assert_eq!(bulk_requests(&emulator), 5);
    assert_eq!(emulator.record_count(1), 10_000);
    let ids: Vec<u64> = report.committed().iter().map(|r| r.id.get()).collect();
    assert_eq!(ids.len(), 10_000);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids in input order");
    assert!(report.committed().iter().all(|r| r.revision.get() == 1));
    assert_eq!(
        *events.lock().unwrap(),
        (1..=5)
            .map(|i| (i * PER_REQUEST, 10_000))
            .collect::<Vec<_>>()
    );
    let expected: Vec<String> = (0..10_000).map(|i| format!("T{i:05}")).collect();
    assert_eq!(titles(&client).await, expected);
    // Nothing to write: no request.
    let empty = client
        .add_all(1, Vec::<RecordInput>::new())
        .send()
        .await
        .unwrap();
    assert!(empty.committed().is_empty());
    assert_eq!(bulk_requests(&emulator), 5);
}

#[tokio::test]
async fn a_record_kintone_refuses_in_the_third_request_stops_the_job_after_two_and_resumes() {
    let (emulator, client) = emulator_and_client().await;
    let mut records = inputs(10_000);
    // The third bulk request's third operation, its eighth record: no title, which is required.
    let bad = 2 * PER_REQUEST + 2 * MAX_RECORDS_PER_WRITE + 7;
    records[bad] = RecordInput::from([("Amount".to_string(), FieldInput::from(7i64))]);

    let mut stopped = client.add_all(1, records).send().await.unwrap_err();
    assert_eq!(
        bulk_requests(&emulator),
        3,
        "the fourth and fifth were not sent"
    );
    assert_eq!(emulator.record_count(1), 2 * PER_REQUEST);
    assert_eq!(stopped.committed().len(), 2 * PER_REQUEST);
    let failure = stopped.failure();
    assert_eq!(failure.request, 2 * PER_REQUEST..3 * PER_REQUEST);
    let operation = 2 * PER_REQUEST + 2 * MAX_RECORDS_PER_WRITE;
    assert_eq!(
        failure.operation,
        Some(operation..operation + MAX_RECORDS_PER_WRITE)
    );
    assert_eq!(failure.record, Some(bad));
    assert!(!failure.outcome_unknown);
    let api = stopped.error().api().unwrap();
    assert_eq!((api.code.as_str(), api.bulk_index), ("CB_VA01", Some(2)));
    assert_eq!(stopped.not_attempted(), 3 * PER_REQUEST..10_000);
    assert_eq!(stopped.remaining().len(), 10_000 - 2 * PER_REQUEST);
    let shown = stopped.to_string();
    assert!(
        shown.starts_with("4000 of 10000 records written"),
        "{shown}"
    );

    // Correct the record, and go on from the failed request.
    let fixed = stopped.remaining_mut(bad).unwrap();
    fixed.insert(
        "Title".into(),
        FieldInput::single_line_text(format!("T{bad:05}")),
    );
    let report = stopped.resume(&client).send().await.unwrap();
    assert_eq!(bulk_requests(&emulator), 6);
    assert_eq!(report.committed().len(), 10_000);
    assert_eq!(emulator.record_count(1), 10_000);
    let ids: BTreeSet<u64> = report.committed().iter().map(|r| r.id.get()).collect();
    assert_eq!(ids.len(), 10_000);
    let expected: Vec<String> = (0..10_000).map(|i| format!("T{i:05}")).collect();
    assert_eq!(titles(&client).await, expected, "every record once");
}

#[tokio::test]
async fn a_failure_injected_in_the_third_of_five_requests_resumes_without_duplicates() {
    let (emulator, client) = emulator_and_client().await;
    let injector = &emulator;
    let mut stopped = client
        .add_all(1, inputs(10_000))
        .on_progress(move |p| {
            if p.done == 2 * PER_REQUEST {
                injector.inject(
                    Failure::json(
                        429,
                        json!({"id": "1", "code": "GAIA_TO04", "message": "Too many requests."}),
                    )
                    .path("/k/v1/bulkRequest.json"),
                );
            }
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(stopped.error().code(), Some("GAIA_TO04"));
    assert_eq!(stopped.committed().len(), 2 * PER_REQUEST);
    assert_eq!(emulator.record_count(1), 2 * PER_REQUEST);
    assert_eq!(stopped.failure().request, 2 * PER_REQUEST..3 * PER_REQUEST);
    assert_eq!(stopped.failure().operation, None);
    assert!(!stopped.failure().outcome_unknown);
    let first_ids: Vec<u64> = stopped.committed().iter().map(|r| r.id.get()).collect();
    assert!(
        stopped.remaining_mut(0).is_none(),
        "committed records are not left"
    );

    let report = stopped.resume(&client).send().await.unwrap();
    assert_eq!(bulk_requests(&emulator), 3 + 3);
    assert_eq!(emulator.record_count(1), 10_000);
    let ids: Vec<u64> = report.committed().iter().map(|r| r.id.get()).collect();
    assert_eq!(ids[..2 * PER_REQUEST], first_ids[..]);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    let expected: Vec<String> = (0..10_000).map(|i| format!("T{i:05}")).collect();
    assert_eq!(titles(&client).await, expected);
}

#[tokio::test]
async fn update_upsert_and_delete_many_records() {
    let (emulator, client) = emulator_and_client().await;
    let count = PER_REQUEST + 250;
    let added = client
        .add_all(
            1,
            (0..count).map(|i| {
                record(
                    &format!("T{i:05}"),
                    &[("Code", FieldInput::single_line_text(format!("C{i}")))],
                )
            }),
        )
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = added.committed().iter().map(|r| r.id).collect();

    emulator.clear_requests();
    let updates = ids.iter().enumerate().map(|(i, id)| {
        RecordUpdate::new()
            .id(*id)
            .revision(1u64)
            .record(record(&format!("U{i:05}"), &[]))
    });
    let updated = client.update_all(1, updates).send().await.unwrap();
    assert_eq!(bulk_requests(&emulator), 2);
    assert!(updated.committed().iter().all(|r| r.revision.get() == 2));
    assert_eq!(
        updated.committed().iter().map(|r| r.id).collect::<Vec<_>>(),
        ids
    );

    // Upsert by the unique code: the first 10 exist, the next 5 are new.
    let upserts = (0..15).map(|i| {
        let code = if i < 10 {
            format!("C{i}")
        } else {
            format!("New{i}")
        };
        RecordUpdate::new()
            .update_key(UpdateKey::new("Code", code))
            .record(record(&format!("V{i:05}"), &[]))
    });
    let upserted = client.upsert_all(1, upserts).send().await.unwrap();
    let operations: Vec<_> = upserted.committed().iter().map(|r| r.operation).collect();
    assert!(operations[..10]
        .iter()
        .all(|o| *o == Some(RecordUpdateResultOperation::Update)));
    assert!(operations[10..]
        .iter()
        .all(|o| *o == Some(RecordUpdateResultOperation::Insert)));
    assert_eq!(emulator.record_count(1), count + 5);

    let deleted = client.delete_all(1, ids.clone()).send().await.unwrap();
    assert_eq!(deleted.committed(), &ids[..]);
    assert_eq!(emulator.record_count(1), 5);

    // Deleting them again: kintone refuses the first operation, and nothing is deleted.
    let stopped = client.delete_all(1, ids).send().await.unwrap_err();
    assert_eq!(stopped.error().code(), Some("GAIA_RE01"));
    assert!(stopped.committed().is_empty());
    assert_eq!(emulator.record_count(1), 5);
}

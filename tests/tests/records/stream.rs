//! Reading every record through `Client::record_stream` against the emulator: each strategy
//! over 10,000 records, cursors cleaned up, and the pages read ahead bounded.

use futures_util::{StreamExt, TryStreamExt};
use kintone_api::limits::{MAX_QUERY_OFFSET, MAX_RECORDS_PER_PAGE};
use kintone_api::{Client, Error, FieldValue, RawRecord, ReadStrategy, Record};
use kintone_emulator::{Emulator, Failure};
use kintone_tests::*;
use serde_json::json;

/// Seeds `count` records titled `R00000`, `R00001`, … with `Amount` = their number.
fn seed(emulator: &Emulator, count: usize) {
    let records = (0..count)
        .map(
            |i| json!({"Title": {"value": format!("R{i:05}")}, "Amount": {"value": i.to_string()}}),
        )
        .collect();
    emulator.insert_records(1, records).unwrap();
}

fn id(record: &Record) -> u64 {
    match &record["$id"] {
        FieldValue::Id(id) => id.value.get(),
        other => panic!("{other:?}"),
    }
}

fn title(record: &Record) -> &str {
    record["Title"].as_text().unwrap()
}

#[tokio::test]
async fn ten_thousand_records_come_back_complete_and_in_order_through_each_strategy() {
    let (emulator, client) = emulator_and_client().await;
    let count = MAX_QUERY_OFFSET;
    seed(&emulator, count);
    let expected: Vec<String> = (0..count).map(|i| format!("R{i:05}")).collect();

    for (strategy, query) in [
        (ReadStrategy::Seek, ""),
        (ReadStrategy::Auto, ""),
        (ReadStrategy::Cursor, "order by $id asc"),
        (ReadStrategy::Auto, "order by $id asc"),
        (ReadStrategy::Offset, "order by $id asc"),
    ] {
        let records: Vec<Record> = client
            .record_stream(1)
            .query(query)
            .strategy(strategy)
            .build()
            .try_collect()
            .await
            .unwrap();
        let titles: Vec<&str> = records.iter().map(title).collect();
        assert_eq!(titles, expected, "{strategy:?} {query:?}");
        assert!(records.windows(2).all(|w| id(&w[0]) < id(&w[1])));
    }
    assert_eq!(emulator.open_cursors(), 0);

    // A condition of the caller's, and fields without `$id`: seeking reads `$id` and takes it
    // out again. (The emulator adds `$revision` to any field list, which kintone does not.)
    let records: Vec<Record> = client
        .record_stream(1)
        .query("Amount >= 9000 or Amount < 10")
        .fields(["Title"])
        .page_size(77)
        .build()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(records.len(), 1010);
    assert!(records
        .iter()
        .all(|r| r.contains_key("Title") && !r.contains_key("$id")));
    assert_eq!(title(&records[9]), "R00009");
    assert_eq!(title(&records[10]), "R09000");
}

#[tokio::test]
async fn offset_reading_past_kintones_limit_is_refused_before_sending() {
    let (emulator, client) = emulator_and_client().await;
    // The last page kintone serves starts at the largest offset.
    let readable = MAX_QUERY_OFFSET + MAX_RECORDS_PER_PAGE;
    seed(&emulator, readable + 1);
    let mut stream = client
        .record_stream(1)
        .strategy(ReadStrategy::Offset)
        .build();
    let mut read = 0;
    let err = loop {
        match stream.next().await {
            Some(Ok(_)) => read += 1,
            Some(Err(e)) => break e,
            None => panic!("ended after {read}"),
        }
    };
    assert_eq!(read, readable);
    assert!(err.is_rejected_before_sending(), "{err:?}");
    assert!(matches!(err, Error::Limit(_)));
    // The cursor reads the same query past the limit.
    let all = client
        .record_stream(1)
        .strategy(ReadStrategy::Cursor)
        .build()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert_eq!(all.len(), readable + 1);
}

/// A few round trips to the emulator on another path: time for a reader that runs ahead to
/// show itself.
async fn settle(client: &Client) {
    for _ in 0..5 {
        let _ = client.records().get_record(1u64, 1u64).send().await;
    }
}

/// Waits (in round trips, never in time) until `done` holds; false if it never does.
async fn eventually(client: &Client, mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if done() {
            return true;
        }
        settle(client).await;
    }
    done()
}

fn page_reads(emulator: &Emulator, path: &str) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == path)
        .count()
}

#[tokio::test]
async fn a_cursor_stream_dropped_after_one_page_leaves_no_open_cursor() {
    let (emulator, client) = emulator_and_client().await;
    seed(&emulator, 1000);
    let cursor = || {
        client
            .record_stream(1)
            .query("order by $id asc")
            .strategy(ReadStrategy::Cursor)
            .page_size(100)
            .prefetch(0)
            .build()
    };

    // Dropped: the reader deletes the cursor in the background.
    let mut stream = cursor();
    assert_eq!(title(&stream.next().await.unwrap().unwrap()), "R00000");
    assert_eq!(emulator.open_cursors(), 1);
    drop(stream);
    assert!(eventually(&client, || emulator.open_cursors() == 0).await);

    // Closed: the deletion is done when `close` returns.
    let mut stream = cursor();
    stream.next().await.unwrap().unwrap();
    assert_eq!(emulator.open_cursors(), 1);
    stream.close().await.unwrap();
    assert_eq!(emulator.open_cursors(), 0);

    // Failed: the cursor is deleted before the error reaches the caller.
    let mut stream = cursor();
    stream.next().await.unwrap().unwrap();
    emulator.inject(
        Failure::json(
            500,
            json!({"id": "1", "code": "CB_UN01", "message": "down"}),
        )
        .path("/k/v1/records/cursor.json"),
    );
    let mut read = 1;
    let err = loop {
        match stream.next().await.unwrap() {
            Ok(_) => read += 1,
            Err(e) => break e,
        }
    };
    assert_eq!((read, err.code()), (100, Some("CB_UN01")));
    assert_eq!(emulator.open_cursors(), 0);
    assert!(
        stream.next().await.is_none(),
        "the stream ends after an error"
    );
}

#[tokio::test]
async fn pages_read_ahead_are_bounded_by_the_prefetch() {
    let (emulator, client) = emulator_and_client().await;
    seed(&emulator, 1000);
    let reads = || page_reads(&emulator, "/k/v1/records.json");

    // Nothing is sent before the first poll.
    let mut stream = client.record_stream(1).page_size(100).prefetch(0).build();
    settle(&client).await;
    assert_eq!(reads(), 0);
    // Without prefetch, a page is read only when the caller needs it.
    for _ in 0..100 {
        stream.next().await.unwrap().unwrap();
    }
    settle(&client).await;
    assert_eq!(reads(), 1);
    stream.next().await.unwrap().unwrap();
    settle(&client).await;
    assert_eq!(reads(), 2);
    drop(stream);
    emulator.clear_requests();

    // Two pages ahead: three reads once the caller holds its first record, and no more until
    // it moves to the next page.
    let mut stream = client.record_stream(1).page_size(100).prefetch(2).build();
    stream.next().await.unwrap().unwrap();
    assert!(eventually(&client, || reads() == 3).await);
    settle(&client).await;
    assert_eq!(reads(), 3);
    for _ in 0..100 {
        stream.next().await.unwrap().unwrap();
    }
    assert!(eventually(&client, || reads() == 4).await);
    settle(&client).await;
    assert_eq!(reads(), 4);
    // Whatever the number of records, the caller never waits behind more than that.
    let rest = stream.try_collect::<Vec<_>>().await.unwrap();
    assert_eq!(rest.len(), 1000 - 101);
    // Ten full pages, and the empty one that says there is no more.
    assert_eq!(reads(), 11);
}

#[tokio::test]
async fn raw_records_are_the_records_a_typed_stream_gives_through_each_strategy() {
    let (emulator, client) = emulator_and_client().await;
    seed(&emulator, 1234);

    for (strategy, query) in [
        (ReadStrategy::Seek, ""),
        (ReadStrategy::Cursor, "order by $id asc"),
        (ReadStrategy::Offset, "order by $id asc"),
    ] {
        let stream = || client.record_stream(1).query(query).strategy(strategy);
        let typed: Vec<Record> = stream().build().try_collect().await.unwrap();
        let raw: Vec<RawRecord> = stream().raw().try_collect().await.unwrap();
        assert_eq!(raw.len(), 1234, "{strategy:?}");
        for (raw, typed) in raw.iter().zip(&typed) {
            assert_eq!(&raw.decode().unwrap(), typed, "{strategy:?}");
            assert_eq!(raw.id().map(|id| id.get()), Some(id(typed)));
            // The text is what the emulator sent: the same fields, with the same values.
            let text: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(raw.json()).unwrap();
            let mut codes: Vec<&str> = typed.keys().map(|k| k.as_str()).collect();
            codes.sort_unstable();
            assert!(text.keys().eq(codes), "{text:?}");
            assert_eq!(text["Title"]["value"], typed["Title"].as_text().unwrap());
            raw.validate().unwrap();
            assert_eq!(raw.get("Title").unwrap().as_ref(), typed.get("Title"));
            assert_eq!(raw.get("No such field").unwrap(), None);
        }
    }
    assert_eq!(emulator.open_cursors(), 0);
}

#[tokio::test]
async fn a_raw_stream_takes_out_the_id_it_added_and_still_knows_it() {
    let (emulator, client) = emulator_and_client().await;
    seed(&emulator, 600);
    // Read on a task of its own: the stream owns its client, and is `Send` and `'static`.
    let stream = client
        .record_stream(1)
        .query("Amount >= 100")
        .fields(["Title"])
        .raw();
    let records: Vec<RawRecord> = tokio::spawn(stream.try_collect()).await.unwrap().unwrap();
    assert_eq!(records.len(), 500);
    for (i, record) in records.iter().enumerate() {
        let text: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(record.json()).unwrap();
        assert!(
            text.contains_key("Title") && !text.contains_key("$id"),
            "{text:?}"
        );
        assert_eq!(record.id().map(|id| id.get()), Some(101 + i as u64));
        assert_eq!(
            record.decode().unwrap()["Title"].as_text(),
            Some(format!("R{:05}", 100 + i).as_str())
        );
    }

    // Asked for, `$id` stays.
    let records: Vec<RawRecord> = client
        .record_stream(1)
        .fields(["$id", "Title"])
        .raw()
        .try_collect()
        .await
        .unwrap();
    assert!(records.iter().all(|r| r.json().contains(r#""$id""#)));
}

#[tokio::test]
async fn a_raw_cursor_stream_dropped_after_one_page_leaves_no_open_cursor() {
    let (emulator, client) = emulator_and_client().await;
    seed(&emulator, 300);
    let mut stream = client
        .record_stream(1)
        .query("order by $id asc")
        .page_size(100)
        .prefetch(0)
        .raw();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(
        first.get("Title").unwrap().unwrap().as_text(),
        Some("R00000")
    );
    assert_eq!(emulator.open_cursors(), 1);
    drop(stream);
    assert!(eventually(&client, || emulator.open_cursors() == 0).await);
}

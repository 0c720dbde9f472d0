//! How long the client takes to decode one full Get Records page (500 records of 20 fields),
//! and to encode a 100-record Add Records body. Run with `cargo bench -p kintone-api`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kintone_api::{FieldInput, GetRecordsResponse, RecordInput};
use serde_json::json;

fn page(records: usize) -> Vec<u8> {
    let record = |i: usize| {
        json!({
            "$id": {"type": "__ID__", "value": i.to_string()},
            "$revision": {"type": "__REVISION__", "value": "3"},
            "Record_number": {"type": "RECORD_NUMBER", "value": i.to_string()},
            "Title": {"type": "SINGLE_LINE_TEXT", "value": format!("Record number {i}")},
            "Body": {"type": "MULTI_LINE_TEXT", "value": "Line one\nLine two\nLine three"},
            "Amount": {"type": "NUMBER", "value": "12345.6789"},
            "Price": {"type": "NUMBER", "value": ""},
            "Total": {"type": "CALC", "value": "24691.3578"},
            "Tags": {"type": "CHECK_BOX", "value": ["red", "green"]},
            "Kind": {"type": "DROP_DOWN", "value": "Invoice"},
            "Due": {"type": "DATE", "value": "2024-08-22"},
            "At": {"type": "TIME", "value": "15:23"},
            "When": {"type": "DATETIME", "value": "2024-08-22T15:23:00Z"},
            "Owner": {"type": "USER_SELECT", "value": [{"code": "sato", "name": "Sato"}]},
            "Creator": {"type": "CREATOR", "value": {"code": "sato", "name": "Sato"}},
            "Created": {"type": "CREATED_TIME", "value": "2024-08-01T00:00:00Z"},
            "Modifier": {"type": "MODIFIER", "value": {"code": "suzuki", "name": "Suzuki"}},
            "Updated": {"type": "UPDATED_TIME", "value": "2024-08-22T15:23:00Z"},
            "Files": {"type": "FILE", "value": [{"contentType": "text/plain", "fileKey": "k", "name": "a.txt", "size": "12"}]},
            "Lines": {"type": "SUBTABLE", "value": [{"id": "1", "value": {"Item": {"type": "SINGLE_LINE_TEXT", "value": "x"}}}]}
        })
    };
    serde_json::to_vec(
        &json!({"records": (0..records).map(record).collect::<Vec<_>>(), "totalCount": null}),
    )
    .unwrap()
}

/// The median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let body = page(500);
    let decode = median(50, || {
        let page: GetRecordsResponse = serde_json::from_slice(black_box(&body)).unwrap();
        black_box(page);
    });
    println!(
        "decode a 500-record page ({} KiB): median {:.2} ms ({:.1} MiB/s)",
        body.len() / 1024,
        decode.as_secs_f64() * 1e3,
        body.len() as f64 / decode.as_secs_f64() / (1024.0 * 1024.0)
    );

    let records: Vec<RecordInput> = (0..100)
        .map(|i| {
            RecordInput::from([
                (
                    "Title".to_string(),
                    FieldInput::single_line_text(format!("Record {i}")),
                ),
                ("Tags".to_string(), FieldInput::check_box(["red", "green"])),
            ])
        })
        .collect();
    let request = kintone_api::AddRecordsRequest::new(1u64, records);
    let encode = median(200, || {
        black_box(serde_json::to_vec(black_box(&request)).unwrap());
    });
    println!(
        "encode a 100-record Add Records body: median {:.1} µs",
        encode.as_secs_f64() * 1e6
    );
}

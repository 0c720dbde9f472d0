//! How long the client takes to decode one full Get Records page (500 records of 20 fields, one
//! of them a subtable), next to reading the same bytes into `serde_json::Value` and merely
//! skipping over them, and how many bytes a decoded record keeps alive; then how long encoding a
//! 100-record Add Records body takes. Run with `cargo bench -p kintone-api`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use kintone_api::{FieldInput, FieldValue, GetRecordsResponse, RecordInput};
use serde::de::IgnoredAny;
use serde_json::json;

/// The system allocator, counting the bytes currently allocated, so that the bench can tell how
/// much a decoded page keeps alive.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static BLOCKS: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only a counter is updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        BLOCKS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        BLOCKS.fetch_sub(1, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        BLOCKS.fetch_add(1, Ordering::Relaxed);
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const RECORDS: usize = 500;

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
    // kintone writes each field's `type` before its `value`, as `serde_json`'s ordered maps do
    // here only because `type` sorts first; the bench relies on that, so check it.
    let body = serde_json::to_vec(
        &json!({"records": (0..records).map(record).collect::<Vec<_>>(), "totalCount": null}),
    )
    .unwrap();
    assert!(String::from_utf8_lossy(&body).contains(r#"{"type":"__ID__","value":"#));
    body
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

/// The bytes, and the number of heap blocks, that the value `decode` returns keeps allocated,
/// per record.
fn held_per_record<T>(decode: impl Fn() -> T) -> (f64, f64) {
    // A first decode warms up anything kept between decodes, such as interned field codes.
    drop(black_box(decode()));
    let (bytes, blocks) = (LIVE.load(Ordering::Relaxed), BLOCKS.load(Ordering::Relaxed));
    let value = black_box(decode());
    let held = (
        LIVE.load(Ordering::Relaxed) - bytes,
        BLOCKS.load(Ordering::Relaxed) - blocks,
    );
    drop(value);
    (
        held.0 as f64 / RECORDS as f64,
        held.1 as f64 / RECORDS as f64,
    )
}

fn report(name: &str, bytes: usize, time: Duration, per_record: Option<(f64, f64)>) {
    let memory = per_record
        .map(|(b, n)| format!(", {b:.0} B in {n:.0} blocks held per record"))
        .unwrap_or_default();
    println!(
        "{name:<28} median {:>6.2} ms  {:>7.1} MiB/s{memory}",
        time.as_secs_f64() * 1e3,
        bytes as f64 / time.as_secs_f64() / (1024.0 * 1024.0),
    );
}

fn main() {
    let body = page(RECORDS);
    println!(
        "a {RECORDS}-record Get Records page of 20 fields: {} KiB; size_of::<FieldValue>() = {} B",
        body.len() / 1024,
        std::mem::size_of::<FieldValue>()
    );
    let typed = || serde_json::from_slice::<GetRecordsResponse>(black_box(&body)).unwrap();
    let value = || serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap();
    let skip = || serde_json::from_slice::<IgnoredAny>(black_box(&body)).unwrap();
    let typed_time = median(50, || drop(black_box(typed())));
    let value_time = median(50, || drop(black_box(value())));
    let skip_time = median(50, || {
        black_box(skip());
    });
    report(
        "(a) typed GetRecordsResponse",
        body.len(),
        typed_time,
        Some(held_per_record(typed)),
    );
    report(
        "(b) serde_json::Value",
        body.len(),
        value_time,
        Some(held_per_record(value)),
    );
    report("(c) bytes only (IgnoredAny)", body.len(), skip_time, None);
    println!(
        "typed decode takes {:.1}x the time of reading the bytes",
        typed_time.as_secs_f64() / skip_time.as_secs_f64()
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

//! How long the client takes to decode one full Get Records page (500 records of 20 fields, one
//! of them a subtable), by serde's derived decoding and by the client's own
//! (`GetRecordsResponse::from_json`), next to reading the same bytes into `serde_json::Value` and merely
//! skipping over them, and how many bytes a decoded record keeps alive; then how long encoding a
//! 100-record Add Records body takes. Run with `cargo bench -p kintone-api`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use kintone_api::types::GetRecordsResponse;
use kintone_api::{FieldInput, FieldValue, RecordInput};
use serde::de::IgnoredAny;
use serde_json::json;

/// The system allocator, counting the bytes and blocks currently allocated while `COUNTING` is
/// set, so that the bench can tell how much a decoded page keeps alive. Counting is off while
/// timing: its atomic updates would weigh on code that allocates more.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);
static BLOCKS: AtomicIsize = AtomicIsize::new(0);

fn count(bytes: isize, blocks: isize) {
    if COUNTING.load(Ordering::Relaxed) {
        LIVE.fetch_add(bytes, Ordering::Relaxed);
        BLOCKS.fetch_add(blocks, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; only a counter is updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize, 1);
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize), -1);
        System.dealloc(ptr, layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize, 1);
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

/// The fastest and the median of `runs` timings of `f`. On a busy machine the fastest run is
/// the steadiest figure to compare; the median shows how much the rest varied.
fn timings(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[0], times[runs / 2])
}

/// The bytes, and the number of heap blocks, that the value `decode` returns keeps allocated,
/// per record.
fn held_per_record<T>(decode: impl Fn() -> T) -> (f64, f64) {
    // A first decode warms up anything kept between decodes, such as interned field codes.
    drop(black_box(decode()));
    COUNTING.store(true, Ordering::Relaxed);
    let (bytes, blocks) = (LIVE.load(Ordering::Relaxed), BLOCKS.load(Ordering::Relaxed));
    let value = black_box(decode());
    let held = (
        LIVE.load(Ordering::Relaxed) - bytes,
        BLOCKS.load(Ordering::Relaxed) - blocks,
    );
    drop(value);
    COUNTING.store(false, Ordering::Relaxed);
    (
        held.0 as f64 / RECORDS as f64,
        held.1 as f64 / RECORDS as f64,
    )
}

fn report(
    name: &str,
    bytes: usize,
    (best, median): (Duration, Duration),
    held: Option<(f64, f64)>,
) {
    let memory = held
        .map(|(b, n)| format!(", {b:.0} B in {n:.0} blocks held per record"))
        .unwrap_or_default();
    println!(
        "{name:<28} best {:>6.2} ms ({:>6.1} MiB/s), median {:>6.2} ms{memory}",
        best.as_secs_f64() * 1e3,
        bytes as f64 / best.as_secs_f64() / (1024.0 * 1024.0),
        median.as_secs_f64() * 1e3,
    );
}

fn main() {
    let body = page(RECORDS);
    println!(
        "a {RECORDS}-record Get Records page of 20 fields: {} KiB; size_of::<FieldValue>() = {} B",
        body.len() / 1024,
        std::mem::size_of::<FieldValue>()
    );
    // The steps of the client's own decoding (its response decoder is private): the body is
    // checked as UTF-8 once, then read as text.
    let typed = || {
        let text = std::str::from_utf8(black_box(&body)).unwrap();
        serde_json::from_str::<GetRecordsResponse>(text).unwrap()
    };
    let value = || serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap();
    let skip = || serde_json::from_slice::<IgnoredAny>(black_box(&body)).unwrap();
    // What the client does with a Get Records answer: the page reader, serde where it gives up.
    let client = || GetRecordsResponse::from_json(black_box(&body)).unwrap();
    assert_eq!(client(), typed());
    let client_time = timings(100, || drop(black_box(client())));
    let typed_time = timings(100, || drop(black_box(typed())));
    let value_time = timings(100, || drop(black_box(value())));
    let skip_time = timings(100, || {
        black_box(skip());
    });
    report(
        "(a) typed GetRecordsResponse",
        body.len(),
        typed_time,
        Some(held_per_record(typed)),
    );
    report(
        "(a') the client's from_json",
        body.len(),
        client_time,
        Some(held_per_record(client)),
    );
    report(
        "(b) serde_json::Value",
        body.len(),
        value_time,
        Some(held_per_record(value)),
    );
    report("(c) bytes only (IgnoredAny)", body.len(), skip_time, None);
    println!(
        "typed decode takes {:.1}x the time of reading the bytes by serde, {:.1}x by the client's \
         (best runs); the client's is {:.1}x faster",
        typed_time.0.as_secs_f64() / skip_time.0.as_secs_f64(),
        client_time.0.as_secs_f64() / skip_time.0.as_secs_f64(),
        typed_time.0.as_secs_f64() / client_time.0.as_secs_f64(),
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
    let request = kintone_api::types::AddRecordsRequest::new(1u64, records);
    let (encode, _) = timings(200, || {
        black_box(serde_json::to_vec(black_box(&request)).unwrap());
    });
    println!(
        "encode a 100-record Add Records body: best {:.1} µs",
        encode.as_secs_f64() * 1e6
    );
}

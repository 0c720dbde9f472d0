//! How fast the emulator serves Get Records, cursors and all-or-nothing writes, and what
//! 100,000 records cost in memory. Run with `cargo bench -p kintone-emulator`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType, Permissions};
use serde_json::{json, Value};

/// Counts the bytes the process holds on the heap, so that memory per record is measured as
/// allocations, not as resident pages that the allocator keeps around.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const RECORDS: usize = 100_000;

async fn median(runs: usize, mut f: impl AsyncFnMut()) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        f().await;
        times.push(start.elapsed());
    }
    times.sort();
    times[runs / 2]
}

fn bench_app() -> AppSeed {
    AppSeed::new(1, "Bench")
        .field(FieldSeed::new("Title", FieldType::SingleLineText))
        .field(FieldSeed::new("Amount", FieldType::Number))
        .field(FieldSeed::new("Kind", FieldType::DropDown).options(["A", "B", "C"]))
        .field(FieldSeed::new("Due", FieldType::Date))
}

fn bench_record(n: usize) -> Value {
    let kind = ["A", "B", "C"][n % 3];
    json!({"Title": {"value": format!("Record {n}")}, "Amount": {"value": (n % 977).to_string()},
           "Kind": {"value": kind}, "Due": {"value": "2024-08-22"}})
}

async fn emulator_with(records: usize) -> Emulator {
    let emulator = Emulator::builder()
        .app(bench_app())
        .api_token("T", 1, Permissions::ALL)
        .user("bench", "pw")
        .start()
        .await
        .unwrap();
    for chunk in 0..records.div_ceil(1000) {
        let batch = (chunk * 1000..((chunk + 1) * 1000).min(records))
            .map(bench_record)
            .collect();
        emulator.insert_records(1, batch).unwrap();
    }
    emulator
}

async fn get(http: &reqwest::Client, url: String, query: &[(&str, &str)]) -> Value {
    get_with(http, url, query, ("X-Cybozu-API-Token", "T")).await
}

/// As the user `bench` (password authentication), whom the app's default permissions let do
/// everything: the path every user takes when an app has no permissions of its own.
async fn get_as_user(http: &reqwest::Client, url: String, query: &[(&str, &str)]) -> Value {
    // base64("bench:pw")
    get_with(http, url, query, ("X-Cybozu-Authorization", "YmVuY2g6cHc=")).await
}

async fn get_with(
    http: &reqwest::Client,
    url: String,
    query: &[(&str, &str)],
    (header, value): (&str, &str),
) -> Value {
    let r = http
        .get(url)
        .query(query)
        .header(header, value)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
}

/// Every record, 500 a page, by `$id > last order by $id asc limit 500`.
async fn all_by_seek(http: &reqwest::Client, base: &str) -> usize {
    let mut last = 0u64;
    let mut seen = 0;
    loop {
        let query = format!("$id > {last} order by $id asc limit 500");
        let page = get(
            http,
            format!("{base}/k/v1/records.json"),
            &[("app", "1"), ("query", &query)],
        )
        .await;
        let records = page["records"].as_array().unwrap();
        seen += records.len();
        match records.last() {
            Some(r) => last = r["$id"]["value"].as_str().unwrap().parse().unwrap(),
            None => return seen,
        }
        if records.len() < 500 {
            return seen;
        }
    }
}

/// Every record, 500 a read, through a cursor.
async fn all_by_cursor(http: &reqwest::Client, base: &str) -> usize {
    let r = http
        .post(format!("{base}/k/v1/records/cursor.json"))
        .header("X-Cybozu-API-Token", "T")
        .json(&json!({"app": 1, "size": 500}))
        .send()
        .await
        .unwrap();
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut seen = 0;
    loop {
        let page = get(
            http,
            format!("{base}/k/v1/records/cursor.json"),
            &[("id", &id)],
        )
        .await;
        seen += page["records"].as_array().unwrap().len();
        if page["next"] != json!(true) {
            return seen;
        }
    }
}

/// 10,000 records in 5 bulk requests of 20 Add Records of 100 each.
async fn add_ten_thousand(http: &reqwest::Client, base: &str) {
    for b in 0..5 {
        let requests: Vec<Value> = (0..20)
            .map(|r| {
                let records: Vec<Value> = (0..100)
                    .map(|i| bench_record(1_000_000 + b * 2000 + r * 100 + i))
                    .collect();
                json!({"method": "POST", "api": "/k/v1/records.json",
                       "payload": {"app": 1, "records": records}})
            })
            .collect();
        let r = http
            .post(format!("{base}/k/v1/bulkRequest.json"))
            .header("X-Cybozu-API-Token", "T")
            .json(&json!({ "requests": requests }))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() {
    let http = reqwest::Client::new();

    let heap_before = LIVE.load(Ordering::Relaxed);
    let started = Instant::now();
    let emulator = emulator_with(RECORDS).await;
    let load = started.elapsed();
    let heap_after = LIVE.load(Ordering::Relaxed);
    println!("seed 100,000 records: {:.2} s", load.as_secs_f64());
    println!(
        "heap per record: {} B",
        (heap_after - heap_before) / RECORDS as isize
    );

    let base = emulator.base_url();
    let page = |query: &'static str| {
        let http = http.clone();
        let url = format!("{base}/k/v1/records.json");
        async move {
            let body = get(&http, url, &[("app", "1"), ("query", query)]).await;
            assert!(!body["records"].as_array().unwrap().is_empty());
        }
    };
    let first = median(20, async || page("limit 500").await).await;
    println!(
        "Get Records, first 500 of 100,000 (no filter, $id desc): median {:.1} ms",
        ms(first)
    );
    let seek_page = median(20, async || {
        page("$id > 50000 order by $id asc limit 500").await
    })
    .await;
    println!(
        "Get Records, one seek page ($id > 50000 order by $id asc limit 500): median {:.1} ms",
        ms(seek_page)
    );
    let filtered = median(20, async || {
        page(r#"Amount > 500 and Kind in ("A", "B") order by Amount desc limit 500 offset 5000"#)
            .await
    })
    .await;
    println!(
        "Get Records, filter + sort + offset over 100,000: median {:.1} ms",
        ms(filtered)
    );

    let seek = median(3, async || {
        assert_eq!(all_by_seek(&http, &base).await, RECORDS);
    })
    .await;
    let cursor = median(3, async || {
        assert_eq!(all_by_cursor(&http, &base).await, RECORDS);
    })
    .await;
    println!(
        "all 100,000 by seek on $id: median {:.0} ms; by cursor: median {:.0} ms; seek/cursor = {:.2}",
        ms(seek),
        ms(cursor),
        seek.as_secs_f64() / cursor.as_secs_f64()
    );

    let into_full = median(3, async || add_ten_thousand(&http, &base).await).await;
    drop(emulator);
    let mut empties = Vec::new();
    for _ in 0..3 {
        empties.push(emulator_with(0).await);
    }
    let mut next = empties.into_iter();
    let into_empty = median(3, async || {
        let e = next.next().unwrap();
        add_ten_thousand(&http, &e.base_url()).await;
    })
    .await;
    println!(
        "Add 10,000 records (5 bulk requests of 20 x 100): into an app of 100,000 median {:.0} ms; into an empty app median {:.0} ms; full/empty = {:.2}",
        ms(into_full),
        ms(into_empty),
        into_full.as_secs_f64() / into_empty.as_secs_f64()
    );

    let small = emulator_with(500).await;
    let small_base = small.base_url();
    let one_page = median(50, async || {
        get(
            &http,
            format!("{small_base}/k/v1/records.json"),
            &[("app", "1"), ("query", "limit 500")],
        )
        .await;
    })
    .await;
    println!(
        "Get Records, one page of 500 from an app of 500: median {:.2} ms",
        ms(one_page)
    );
    let as_user = median(50, async || {
        get_as_user(
            &http,
            format!("{small_base}/k/v1/records.json"),
            &[("app", "1"), ("query", "limit 500")],
        )
        .await;
    })
    .await;
    println!(
        "Get Records as a user (default permissions), one page of 500 from an app of 500: median {:.2} ms",
        ms(as_user)
    );
}

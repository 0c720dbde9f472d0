//! Whole-app jobs, one run side by side (not a timed test):
//!
//! 1. Reading every record of 100,000 from a loopback server that replays pre-rendered pages,
//!    for two record shapes: a small one (eleven fields) and a wide one (twenty fields of mixed
//!    types and a 3-row table): `Client::record_stream` (typed records, dropped as they come and
//!    all kept, a derived struct of five fields, and raw records: as is, with one field read of
//!    each, and with each decoded), a
//!    plain page loop decoding each page into `serde_json::Value`, and two floors: reqwest
//!    reading the same pages undecoded, and the same with each page parsed as JSON keeping
//!    nothing. The server runs in a child process (this same binary), so the process CPU time
//!    read here is the client's alone. Peak memory comes from a counting allocator, which counts
//!    in one more run of each measurement after the timed ones (counting in a timed run would
//!    charge every allocation two atomic updates, shared by the runtime's threads); the stream's
//!    is shown for 10,000 and 100,000 records, which should match.
//! 2. Adding 10,000 records to the emulator with `add_all`, next to hand-written loops.
//!
//! Run with `cargo bench -p kintone-api --bench whole_app`. On a busy machine,
//! `KINTONE_BENCH_RECORDS=20000` reads that many records only (each figure over at least three
//! times as many), and skips the second part; `KINTONE_BENCH_SHAPE=wide` reads that shape only.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use kintone_api::limits::{MAX_BULK_REQUESTS, MAX_RECORDS_PER_PAGE, MAX_RECORDS_PER_WRITE};
use kintone_api::types::AddRecordsRequest;
use kintone_api::{BulkRequest, Client, Decimal, FieldInput, RecordInput};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// The system allocator, keeping (while `COUNTING`) the bytes allocated less those freed, and
/// the most of that since the last reset.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn grow(bytes: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        let now = CURRENT.fetch_add(bytes as isize, Ordering::Relaxed) + bytes as isize;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

fn shrink(bytes: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        CURRENT.fetch_sub(bytes as isize, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; only counters change.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrink(layout.size());
        System.dealloc(ptr, layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grow(new_size - layout.size());
        } else {
            shrink(layout.size() - new_size);
        }
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Set in the child process: serve this many records and print the port.
const SERVE: &str = "KINTONE_BENCH_SERVE_RECORDS";
/// Set in the child process: the shape of the records served, as `Shape::name` writes it.
const SERVE_SHAPE: &str = "KINTONE_BENCH_SERVE_SHAPE";
/// Set by whoever runs the bench: read this many records only, and skip adding records.
const RECORDS: &str = "KINTONE_BENCH_RECORDS";
/// Set by whoever runs the bench: read records of this shape only (`small` or `wide`), as when
/// counting instructions under callgrind.
const ONLY_SHAPE: &str = "KINTONE_BENCH_SHAPE";

const PAGE: usize = MAX_RECORDS_PER_PAGE;

fn main() {
    if let Ok(records) = std::env::var(SERVE) {
        let shape = std::env::var(SERVE_SHAPE).expect("a shape");
        let shape = Shape::ALL
            .into_iter()
            .find(|s| s.name() == shape)
            .expect("a known shape");
        serve(records.parse().expect("a record count"), shape);
        return;
    }
    let reduced: Option<usize> = std::env::var(RECORDS)
        .ok()
        .map(|n| n.parse().expect("KINTONE_BENCH_RECORDS: a record count"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        read_all(reduced).await;
        if reduced.is_none() {
            add_all().await;
        }
    });
}

// ---- 1. Reading every record ------------------------------------------------------------

/// The records a server replays.
#[derive(Clone, Copy)]
enum Shape {
    /// Eleven fields, most of them short text.
    Small,
    /// Twenty fields of mixed types, and a table of three rows.
    Wide,
}

impl Shape {
    const ALL: [Shape; 2] = [Shape::Small, Shape::Wide];

    fn name(self) -> &'static str {
        match self {
            Shape::Small => "small",
            Shape::Wide => "wide",
        }
    }

    fn record(self, id: usize) -> serde_json::Value {
        match self {
            Shape::Small => record(id),
            Shape::Wide => wide_record(id),
        }
    }
}

/// A record of ten fields, as kintone renders it.
fn record(id: usize) -> serde_json::Value {
    let kind = ["A", "B", "C"][id % 3];
    json!({
        "$id": {"type": "__ID__", "value": id.to_string()},
        "$revision": {"type": "__REVISION__", "value": "3"},
        "Record_number": {"type": "RECORD_NUMBER", "value": id.to_string()},
        "Title": {"type": "SINGLE_LINE_TEXT", "value": format!("Order {id} for the spring catalogue")},
        "Amount": {"type": "NUMBER", "value": format!("{}.50", id * 7 % 100_000)},
        "Kind": {"type": "DROP_DOWN", "value": kind},
        "Tags": {"type": "CHECK_BOX", "value": ["red", "blue"]},
        "Due": {"type": "DATE", "value": "2024-08-01"},
        "Notes": {"type": "MULTI_LINE_TEXT", "value": "Deliver to the back door.\nCall first."},
        "Created_by": {"type": "CREATOR", "value": {"code": "sato", "name": "Sato"}},
        "Updated_datetime": {"type": "UPDATED_TIME", "value": "2024-08-22T15:23:00Z"},
    })
}

/// A record of twenty fields of mixed types and a 3-row table, as kintone renders it.
fn wide_record(id: usize) -> serde_json::Value {
    let row = |n: usize| {
        json!({"id": (id * 3 + n).to_string(), "value": {
            "Item": {"type": "SINGLE_LINE_TEXT", "value": format!("Part {n} of order {id}")},
            "Quantity": {"type": "NUMBER", "value": (n * 4 + 1).to_string()},
            "Shipped": {"type": "DATE", "value": format!("2024-09-{:02}", n + 10)},
        }})
    };
    let kind = ["A", "B", "C"][id % 3];
    json!({
        "$id": {"type": "__ID__", "value": id.to_string()},
        "$revision": {"type": "__REVISION__", "value": "5"},
        "Record_number": {"type": "RECORD_NUMBER", "value": format!("ORD-{id}")},
        "Title": {"type": "SINGLE_LINE_TEXT", "value": format!("Order {id} for the spring catalogue")},
        "Notes": {"type": "MULTI_LINE_TEXT", "value": "Deliver to the back door.\nCall first."},
        "Description": {"type": "RICH_TEXT", "value": "<div>Two <b>crates</b>, handle with care.</div>"},
        "Amount": {"type": "NUMBER", "value": format!("{}.50", id * 7 % 100_000)},
        "Discount": {"type": "NUMBER", "value": ""},
        "Total": {"type": "CALC", "value": format!("{}.25", id * 13 % 100_000)},
        "Due": {"type": "DATE", "value": "2024-08-01"},
        "Slot": {"type": "TIME", "value": "09:30"},
        "Confirmed": {"type": "DATETIME", "value": "2024-08-22T15:23:00Z"},
        "Kind": {"type": "DROP_DOWN", "value": kind},
        "Priority": {"type": "RADIO_BUTTON", "value": "High"},
        "Tags": {"type": "CHECK_BOX", "value": ["red", "blue"]},
        "Regions": {"type": "MULTI_SELECT", "value": ["Kanto", "Kansai"]},
        "Owners": {"type": "USER_SELECT", "value": [{"code": "sato", "name": "Sato"}]},
        "Site": {"type": "LINK", "value": "https://example.com/orders"},
        "Created_by": {"type": "CREATOR", "value": {"code": "sato", "name": "Sato"}},
        "Created_datetime": {"type": "CREATED_TIME", "value": "2024-08-01T09:00:00Z"},
        "Updated_by": {"type": "MODIFIER", "value": {"code": "suzuki", "name": "Suzuki"}},
        "Updated_datetime": {"type": "UPDATED_TIME", "value": "2024-08-22T15:23:00Z"},
        "Lines": {"type": "SUBTABLE", "value": [row(0), row(1), row(2)]},
    })
}

/// The child process: pre-renders every page, then answers Get Records by the `$id >` of
/// the query, over HTTP/1.1 with keep-alive. Its work per request is a lookup and a write.
fn serve(records: usize, shape: Shape) {
    let pages: Vec<Vec<u8>> = (0..=records.div_ceil(PAGE))
        .map(|page| {
            let first = page * PAGE + 1;
            let last = ((page + 1) * PAGE).min(records);
            let body = json!({"records": (first..=last).map(|id| shape.record(id)).collect::<Vec<_>>()});
            let body = serde_json::to_vec(&body).unwrap();
            let mut answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            answer.extend(body);
            answer
        })
        .collect();
    let pages = Arc::new(pages);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{}", listener.local_addr().unwrap().port());
        std::io::stdout().flush().unwrap();
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let pages = pages.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read);
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let target = line.split(' ').nth(1).unwrap_or("").to_string();
                    // The rest of the head; GET requests have no body.
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let after = after_id(&target);
                    let page = (after / PAGE).min(pages.len() - 1);
                    if write.write_all(&pages[page]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
}

/// The `N` of `$id > N` in a request target's `query` parameter.
fn after_id(target: &str) -> usize {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "query")
        .and_then(|(_, q)| {
            let rest = q.split_once("$id > ")?.1;
            rest.split(' ').next()?.parse().ok()
        })
        .unwrap_or(0)
}

struct Server {
    child: std::process::Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(records: usize, shape: Shape) -> Server {
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .env(SERVE, records.to_string())
        .env(SERVE_SHAPE, shape.name())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut port = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    Server {
        child,
        url: format!("http://127.0.0.1:{}", port.trim()),
    }
}

/// This process's CPU time: the time each of its threads ran, from
/// `/proc/self/task/*/schedstat` (nanoseconds). Threads that already ended are not counted;
/// the runtime's workers live through the whole bench.
fn cpu_time() -> Duration {
    let tasks = std::fs::read_dir("/proc/self/task").into_iter().flatten();
    let nanos: u64 = tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

struct Measure {
    records: usize,
    wall: Duration,
    cpu: Duration,
    peak: usize,
}

/// Runs are repeated and the times averaged: one run of the floor is too short to time alone.
/// Smaller reads are repeated more, so that every figure covers this many records at least.
const RECORDS_TIMED: usize = 500_000;

fn runs(total: usize, timed: usize) -> u32 {
    (timed / total).max(1) as u32
}

async fn measure<F: std::future::Future<Output = usize>>(
    runs: u32,
    run: impl Fn() -> F,
) -> Measure {
    black_box(run().await); // warm the connections and the code once
    let (cpu, wall) = (cpu_time(), Instant::now());
    let mut records = 0;
    for _ in 0..runs {
        records = run().await;
    }
    let (wall, cpu) = (wall.elapsed() / runs, (cpu_time() - cpu) / runs);
    // Blocks allocated before and freed during this run count against it: the peak found is
    // at most a little low.
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    black_box(run().await);
    COUNTING.store(false, Ordering::Relaxed);
    Measure {
        records,
        wall,
        cpu,
        peak: (PEAK.load(Ordering::Relaxed) - base).max(0) as usize,
    }
}

/// The typed stream with every record kept until the end, as a program that collects them does.
async fn stream_kept(url: &str) -> usize {
    let client = Client::builder(url).api_token("T").build().unwrap();
    let records: Vec<_> = client.record_stream(1).build().collect().await;
    let count = records.len();
    for record in &records {
        assert!(record.is_ok());
    }
    black_box(records);
    count
}

/// Five fields of both shapes, read into a struct: the stream decodes these and skips the rest.
#[derive(kintone_api::KintoneRecord)]
struct Order {
    #[kintone(code = "Title")]
    title: String,
    #[kintone(code = "Amount")]
    amount: Option<Decimal>,
    #[kintone(code = "Kind", type = "DROP_DOWN")]
    kind: Option<String>,
    #[kintone(code = "Due")]
    due: Option<kintone_api::Date>,
    #[kintone(code = "Updated_datetime", type = "UPDATED_TIME")]
    updated: kintone_api::DateTime,
}

async fn typed_stream(url: &str) -> usize {
    let client = Client::builder(url).api_token("T").build().unwrap();
    let mut orders = client.record_stream(1).typed::<Order>();
    let mut count = 0;
    while let Some(order) = orders.next().await {
        let order = order.unwrap();
        black_box((
            &order.title,
            &order.amount,
            &order.kind,
            order.due,
            order.updated,
        ));
        count += 1;
    }
    count
}

async fn stream_helper(url: &str) -> usize {
    let client = Client::builder(url).api_token("T").build().unwrap();
    let mut records = client.record_stream(1).build();
    let mut count = 0;
    while let Some(record) = records.next().await {
        black_box(record.unwrap());
        count += 1;
    }
    count
}

/// The raw stream, and what `touch` does with each record: nothing, one field, or all.
async fn raw_stream(url: &str, touch: Touch) -> usize {
    let client = Client::builder(url).api_token("T").build().unwrap();
    let mut records = client.record_stream(1).raw();
    let mut count = 0;
    while let Some(record) = records.next().await {
        let record = record.unwrap();
        match touch {
            Touch::Nothing => {
                black_box(record.json());
            }
            Touch::OneField => {
                black_box(record.get("Amount").unwrap());
            }
            Touch::Decode => {
                black_box(record.decode().unwrap());
            }
        }
        count += 1;
    }
    count
}

#[derive(Clone, Copy)]
enum Touch {
    Nothing,
    OneField,
    Decode,
}

fn seek_query(after: u64) -> String {
    format!("$id > {after} order by $id asc limit {PAGE}")
}

async fn value_loop(http: &reqwest::Client, url: &str) -> usize {
    let (mut after, mut count) = (0u64, 0);
    loop {
        let body = http
            .get(format!("{url}/k/v1/records.json"))
            .query(&[("app", "1"), ("query", &seek_query(after))])
            .header("X-Cybozu-API-Token", "T")
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let records = page["records"].as_array().unwrap();
        count += records.len();
        let Some(last) = records.last() else {
            return count;
        };
        after = last["$id"]["value"].as_str().unwrap().parse().unwrap();
        black_box(&page);
        if records.len() < PAGE {
            return count;
        }
    }
}

/// One page of the seek strategy, undecoded.
async fn fetch_page(http: &reqwest::Client, url: &str, page: usize) -> bytes::Bytes {
    http.get(format!("{url}/k/v1/records.json"))
        .query(&[("app", "1"), ("query", &seek_query((page * PAGE) as u64))])
        .header("X-Cybozu-API-Token", "T")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
}

async fn bytes_floor(http: &reqwest::Client, url: &str, total: usize) -> usize {
    let mut bytes = 0;
    for page in 0..=total / PAGE {
        bytes += black_box(fetch_page(http, url, page).await).len();
    }
    BYTES_READ.store(bytes, Ordering::Relaxed);
    total
}

/// The floor plus parsing each page as JSON and keeping nothing (`IgnoredAny`): what any
/// decoder built on serde_json pays before it builds a single value.
async fn parse_floor(http: &reqwest::Client, url: &str, total: usize) -> usize {
    for page in 0..=total / PAGE {
        let body = fetch_page(http, url, page).await;
        let parsed: serde::de::IgnoredAny = serde_json::from_slice(&body).unwrap();
        black_box(parsed);
    }
    total
}

/// The bytes of all pages, as the floor last read them.
static BYTES_READ: AtomicUsize = AtomicUsize::new(0);

fn row(name: &str, m: &Measure, floor: &Measure) {
    println!(
        "{name:<44} {:>8} {:>9.1} ms {:>9.1} ms {:>6.2}x {:>10.1} MiB",
        m.records,
        m.wall.as_secs_f64() * 1000.0,
        m.cpu.as_secs_f64() * 1000.0,
        m.cpu.as_secs_f64() / floor.cpu.as_secs_f64().max(0.001),
        m.peak as f64 / (1024.0 * 1024.0),
    );
}

async fn read_all(reduced: Option<usize>) {
    let (totals, timed) = match reduced {
        Some(records) => (vec![records], records * 3),
        None => (vec![10_000usize, 100_000], RECORDS_TIMED),
    };
    println!("Reading every record, {PAGE} per page, from a loopback server in a child process");
    println!(
        "(averages over {timed} records or more, after one run to warm up; peak memory over those runs)"
    );
    let only = std::env::var(ONLY_SHAPE).ok();
    for shape in Shape::ALL {
        if only.as_deref().is_some_and(|only| only != shape.name()) {
            continue;
        }
        println!("\nShape: {}", shape.name());
        println!(
            "{:<44} {:>8} {:>12} {:>12} {:>7} {:>14}",
            "", "records", "wall", "client CPU", "CPU/floor", "peak memory"
        );
        for &total in &totals {
            read_shape(shape, total, runs(total, timed)).await;
        }
    }
}

async fn read_shape(shape: Shape, total: usize, runs: u32) {
    let server = start_server(total, shape);
    let url = server.url.clone();
    let http = reqwest::Client::builder().build().unwrap();
    let floor = measure(runs, || bytes_floor(&http, &url, total)).await;
    let parse = measure(runs, || parse_floor(&http, &url, total)).await;
    let value = measure(runs, || value_loop(&http, &url)).await;
    let stream = measure(runs, || stream_helper(&url)).await;
    let kept = measure(1, || stream_kept(&url)).await;
    let typed = measure(runs, || typed_stream(&url)).await;
    let raw = measure(runs, || raw_stream(&url, Touch::Nothing)).await;
    let raw_one = measure(runs, || raw_stream(&url, Touch::OneField)).await;
    let raw_decoded = measure(runs, || raw_stream(&url, Touch::Decode)).await;
    for m in [&value, &stream, &kept, &typed, &raw, &raw_one, &raw_decoded] {
        assert_eq!(m.records, total);
    }
    row("bytes only (reqwest, undecoded)", &floor, &floor);
    row("bytes + JSON parse, nothing kept", &parse, &floor);
    row("page loop into serde_json::Value", &value, &floor);
    row("Client::record_stream (typed Records)", &stream, &floor);
    row("  the same, every record kept (one run)", &kept, &floor);
    row("typed::<T>(), a struct of 5 fields", &typed, &floor);
    row("record_stream().raw() (RawRecords)", &raw, &floor);
    row("  the same, one field read of each", &raw_one, &floor);
    row("  the same, each record decoded", &raw_decoded, &floor);
    println!(
        "  stream / JSON parse floor: {:.2}x CPU; stream / Value loop: {:.2}x CPU",
        stream.cpu.as_secs_f64() / parse.cpu.as_secs_f64().max(0.001),
        stream.cpu.as_secs_f64() / value.cpu.as_secs_f64().max(0.001),
    );
    println!(
        "  ({:.1} MiB of JSON in {} pages; kept typed records: {:.0} B each)",
        BYTES_READ.load(Ordering::Relaxed) as f64 / (1024.0 * 1024.0),
        total / PAGE + 1,
        kept.peak as f64 / total as f64,
    );
}

// ---- 2. Adding many records -------------------------------------------------------------

async fn start_emulator() -> (kintone_emulator::Emulator, Client) {
    use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType, Permissions};
    let app = AppSeed::new(1, "Orders")
        .field(FieldSeed::new("Title", FieldType::SingleLineText).required())
        .field(FieldSeed::new("Amount", FieldType::Number));
    let emulator = Emulator::builder()
        .app(app)
        .api_token("T", 1, Permissions::ALL)
        .start()
        .await
        .unwrap();
    let client = Client::builder(emulator.base_url())
        .api_token("T")
        .build()
        .unwrap();
    (emulator, client)
}

fn inputs(count: usize) -> Vec<RecordInput> {
    (0..count)
        .map(|i| {
            RecordInput::from([
                (
                    "Title".to_string(),
                    FieldInput::single_line_text(format!("Item {i}")),
                ),
                (
                    "Amount".to_string(),
                    FieldInput::number(Decimal::from(i as u64)),
                ),
            ])
        })
        .collect()
}

async fn add_all() {
    const COUNT: usize = 10_000;
    println!("\nAdding {COUNT} records to the emulator (in this process)");
    let time = |started: Instant| started.elapsed().as_secs_f64() * 1000.0;

    let (emulator, client) = start_emulator().await;
    let records = inputs(COUNT);
    let started = Instant::now();
    client.add_all(1, records).send().await.unwrap();
    let job = time(started);
    assert_eq!(emulator.record_count(1), COUNT);

    let (emulator, client) = start_emulator().await;
    let records = inputs(COUNT);
    let started = Instant::now();
    for chunk in records.chunks(MAX_RECORDS_PER_WRITE) {
        client
            .records()
            .add_records(1, chunk.to_vec())
            .send()
            .await
            .unwrap();
    }
    let one_by_one = time(started);
    assert_eq!(emulator.record_count(1), COUNT);

    let (emulator, client) = start_emulator().await;
    let records = inputs(COUNT);
    let started = Instant::now();
    for batch in records.chunks(MAX_RECORDS_PER_WRITE * MAX_BULK_REQUESTS) {
        let bulk = batch
            .chunks(MAX_RECORDS_PER_WRITE)
            .fold(BulkRequest::new(), |bulk, chunk| {
                bulk.push(AddRecordsRequest::new(1, chunk.to_vec()))
            });
        client.send_bulk(bulk).await.unwrap();
    }
    let by_hand = time(started);
    assert_eq!(emulator.record_count(1), COUNT);

    println!(
        "{:<58} {job:>9.1} ms",
        "add_all (5 bulk requests, with its report)"
    );
    println!(
        "{:<58} {by_hand:>9.1} ms",
        "hand loop: 5 bulk requests of 20 × 100 (no report)"
    );
    println!(
        "{:<58} {one_by_one:>9.1} ms",
        "hand loop: 100 Add Records requests of 100 (no transaction)"
    );
}

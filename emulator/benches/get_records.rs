//! How fast the emulator serves Get Records, and what 100,000 records cost in memory.
//! Run with `cargo bench -p kintone-emulator`.

use std::time::{Duration, Instant};

use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType, Permissions};
use serde_json::json;

fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

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

#[tokio::main]
async fn main() {
    let app = AppSeed::new(1, "Bench")
        .field(FieldSeed::new("Title", FieldType::SingleLineText))
        .field(FieldSeed::new("Amount", FieldType::Number))
        .field(FieldSeed::new("Kind", FieldType::DropDown).options(["A", "B", "C"]))
        .field(FieldSeed::new("Due", FieldType::Date));
    let emulator = Emulator::builder()
        .app(app)
        .api_token("T", 1, Permissions::ALL)
        .start()
        .await
        .unwrap();
    let before = resident_kib();
    let started = Instant::now();
    for chunk in 0..100 {
        let records: Vec<_> = (0..1000)
            .map(|i| {
                let n = chunk * 1000 + i;
                let kind = ["A", "B", "C"][n % 3];
                json!({"Title": {"value": format!("Record {n}")}, "Amount": {"value": (n % 977).to_string()},
                       "Kind": {"value": kind}, "Due": {"value": "2024-08-22"}})
            })
            .collect();
        emulator.insert_records(1, records).unwrap();
    }
    let load = started.elapsed();
    let after = resident_kib();
    println!("seed 100,000 records: {:.2} s", load.as_secs_f64());
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "resident memory for 100,000 records: +{} MiB",
            (a.saturating_sub(b)) / 1024
        );
    }

    let http = reqwest::Client::new();
    let base = emulator.base_url();
    let page = |query: &'static str| {
        let http = http.clone();
        let url = format!("{base}/k/v1/records.json");
        async move {
            let r = http
                .get(&url)
                .query(&[("app", "1"), ("query", query)])
                .header("X-Cybozu-API-Token", "T")
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
            let body = r.bytes().await.unwrap();
            assert!(body.len() > 1000);
        }
    };
    let first = median(20, async || page("limit 500").await).await;
    println!(
        "Get Records, first 500 of 100,000 (no filter, $id desc): median {:.1} ms",
        first.as_secs_f64() * 1e3
    );
    let filtered = median(20, async || {
        page(r#"Amount > 500 and Kind in ("A", "B") order by Amount desc limit 500 offset 5000"#)
            .await
    })
    .await;
    println!(
        "Get Records, filter + sort + offset over 100,000: median {:.1} ms",
        filtered.as_secs_f64() * 1e3
    );

    let add = median(20, async || {
        let records: Vec<_> = (0..100)
            .map(|i| json!({"Title": {"value": format!("new {i}")}}))
            .collect();
        let r = http
            .post(format!("{base}/k/v1/records.json"))
            .header("X-Cybozu-API-Token", "T")
            .json(&json!({"app": 1, "records": records}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    })
    .await;
    println!(
        "Add Records, 100 records (all or nothing) into an app of 100,000: median {:.1} ms",
        add.as_secs_f64() * 1e3
    );

    let small = Emulator::builder()
        .app(AppSeed::new(1, "Small").field(FieldSeed::new("Title", FieldType::SingleLineText)))
        .api_token("T", 1, Permissions::ALL)
        .start()
        .await
        .unwrap();
    small
        .insert_records(
            1,
            (0..500)
                .map(|i| json!({"Title": {"value": format!("r{i}")}}))
                .collect(),
        )
        .unwrap();
    let small_base = small.base_url();
    let one_page = median(50, async || {
        let r = http
            .get(format!(
                "{small_base}/k/v1/records.json?app=1&query=limit%20500"
            ))
            .header("X-Cybozu-API-Token", "T")
            .send()
            .await
            .unwrap();
        r.bytes().await.unwrap();
    })
    .await;
    println!(
        "Get Records, one page of 500 from an app of 500: median {:.2} ms",
        one_page.as_secs_f64() * 1e3
    );
}

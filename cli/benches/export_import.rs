//! `cargo bench -p kintone-cli --bench export_import`: the release binary against an emulator
//! in this process. 100,000 records of 20 fields with a 3-row table exported as CSV and as JSON
//! Lines (wall time and the binary's peak RSS, side by side in one run), then 10,000 of them
//! imported. `BENCH_RECORDS` sets the number exported. Peak RSS is read with `/usr/bin/time -v`.

use std::process::Command;
use std::time::Instant;

use kintone_emulator::{AppSeed, Emulator, FieldSeed, FieldType, Permissions};
use serde_json::json;

const TOKEN: &str = "bench-token";

fn app(id: u64) -> AppSeed {
    let mut app = AppSeed::new(id, "Bench");
    for i in 0..17 {
        app = app.field(FieldSeed::new(
            format!("Text{i}"),
            FieldType::SingleLineText,
        ));
    }
    app.field(FieldSeed::new("Amount", FieldType::Number))
        .field(FieldSeed::new("Due", FieldType::Date))
        .field(FieldSeed::new("Lines", FieldType::Subtable).fields([
            FieldSeed::new("Item", FieldType::SingleLineText),
            FieldSeed::new("Qty", FieldType::Number),
        ]))
}

fn record(i: usize) -> serde_json::Value {
    let mut record = serde_json::Map::new();
    for f in 0..17 {
        record.insert(
            format!("Text{f}"),
            json!({"value": format!("value {i} of field {f}, \"quoted\"")}),
        );
    }
    record.insert("Amount".into(), json!({"value": (i * 7).to_string()}));
    record.insert("Due".into(), json!({"value": "2024-05-01"}));
    let rows: Vec<_> = (0..3)
        .map(|r| json!({"value": {"Item": {"value": format!("item {r}")}, "Qty": {"value": r.to_string()}}}))
        .collect();
    record.insert("Lines".into(), json!({"value": rows}));
    serde_json::Value::Object(record)
}

/// Runs the binary under `/usr/bin/time -v`: (seconds, peak RSS in KiB).
fn run(args: &[&str]) -> (f64, u64) {
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_kintone"))
        .args(args)
        .arg("--quiet")
        .output()
        .expect("/usr/bin/time runs");
    let elapsed = started.elapsed().as_secs_f64();
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{report}");
    let rss = report
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (elapsed, rss)
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let emulator = Emulator::builder()
        .app(app(1))
        .app(app(2))
        .api_token(TOKEN, 1, Permissions::ALL)
        .api_token("bench-import", 2, Permissions::ALL)
        .log_max_requests(1000)
        .start()
        .await
        .unwrap();
    for start in (0..count).step_by(1000) {
        let batch = (start..(start + 1000).min(count)).map(record).collect();
        emulator.insert_records(1, batch).unwrap();
    }
    let url = emulator.base_url();
    let dir = std::env::temp_dir().join(format!("kintone-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("records.csv");
    let jsonl = dir.join("records.jsonl");
    let base = [
        "record",
        "export",
        "--app",
        "1",
        "--base-url",
        &url,
        "--api-token",
        TOKEN,
    ];
    let task = tokio::task::spawn_blocking({
        let (csv, jsonl) = (csv.clone(), jsonl.clone());
        let base: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        move || {
            let with = |extra: &[&str]| {
                let mut args: Vec<&str> = base.iter().map(String::as_str).collect();
                args.extend(extra);
                run(&args)
            };
            let csv_run = with(&["--output", csv.to_str().unwrap()]);
            let jsonl_run = with(&["--format", "jsonl", "--output", jsonl.to_str().unwrap()]);
            (csv_run, jsonl_run)
        }
    });
    let ((csv_secs, csv_rss), (jsonl_secs, jsonl_rss)) = task.await.unwrap();
    println!("export of {count} records (20 fields, a 3-row table):");
    println!(
        "  csv   {csv_secs:>7.2} s  peak RSS {:>6.1} MiB",
        csv_rss as f64 / 1024.0
    );
    println!(
        "  jsonl {jsonl_secs:>7.2} s  peak RSS {:>6.1} MiB",
        jsonl_rss as f64 / 1024.0
    );
    println!("  csv / jsonl time: {:.2}", csv_secs / jsonl_secs);

    // Import 10,000 of the exported records into the second app.
    let lines: Vec<String> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .take(10_000)
        .map(str::to_string)
        .collect();
    let sample = dir.join("sample.jsonl");
    std::fs::write(&sample, lines.join("\n")).unwrap();
    emulator.clear_requests();
    let sample_arg = sample.to_str().unwrap().to_string();
    let url2 = url.clone();
    let (import_secs, import_rss) = tokio::task::spawn_blocking(move || {
        run(&[
            "record",
            "import",
            "--app",
            "2",
            "--file-path",
            &sample_arg,
            "--base-url",
            &url2,
            "--api-token",
            "bench-import",
        ])
    })
    .await
    .unwrap();
    let bulk = emulator
        .requests()
        .iter()
        .filter(|r| r.path == "/k/v1/bulkRequest.json")
        .count();
    println!(
        "import of {} records: {import_secs:.2} s, peak RSS {:.1} MiB, {bulk} bulk requests",
        lines.len(),
        import_rss as f64 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}

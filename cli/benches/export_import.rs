//! `cargo bench -p kintone-cli --bench export_import`: the release binary against an emulator
//! in this process. 100,000 records of 20 fields with a 3-row table exported as CSV and as JSON
//! Lines, the two interleaved (`BENCH_ROUNDS` rounds, 3 unless set), each with its wall time, the
//! binary's CPU time (user and system: what the command line itself costs, on a loaded machine
//! too, since the emulator runs in this process) and its peak RSS; then 10,000 of them imported,
//! and 100,000 (`BENCH_IMPORTS` sets the sizes), each with its peak RSS. `BENCH_RECORDS` sets the
//! number exported. CPU time and peak RSS are read with `/usr/bin/time -v`.
//!
//! `BENCH_BASELINE=PATH` adds to each round a CSV export by another build of the binary (the
//! one before a change, copied aside), so that before and after are measured in the same run;
//! its CSV must be byte for byte the same.

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

/// What `/usr/bin/time -v` measured of one run of the binary.
#[derive(Debug, Clone, Copy)]
struct Measured {
    wall: f64,
    /// User and system CPU seconds.
    cpu: f64,
    /// Peak RSS in KiB.
    rss: u64,
}

/// Runs the binary under `/usr/bin/time -v`.
fn run(args: &[&str]) -> Measured {
    run_binary(env!("CARGO_BIN_EXE_kintone"), args)
}

/// Runs `binary` under `/usr/bin/time -v`.
fn run_binary(binary: &str, args: &[&str]) -> Measured {
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(binary)
        .args(args)
        .arg("--quiet")
        .output()
        .expect("/usr/bin/time runs");
    let wall = started.elapsed().as_secs_f64();
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{report}");
    let field = |name: &str| -> f64 {
        report
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0.0)
    };
    Measured {
        wall,
        cpu: field("User time (seconds): ") + field("System time (seconds): "),
        rss: field("Maximum resident set size (kbytes): ") as u64,
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
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
        // Every bulk request of a 100,000-record import kept, to count them (about 3 MB each).
        .log_max_bytes(512 * 1024 * 1024)
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
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let baseline = std::env::var("BENCH_BASELINE").ok();
    let baseline_csv = dir.join("baseline.csv");
    let task = tokio::task::spawn_blocking({
        let (csv, jsonl, baseline_csv) = (csv.clone(), jsonl.clone(), baseline_csv.clone());
        let base: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        let baseline = baseline.clone();
        move || {
            let with = |binary: &str, extra: &[&str]| {
                let mut args: Vec<&str> = base.iter().map(String::as_str).collect();
                args.extend(extra);
                run_binary(binary, &args)
            };
            let this = env!("CARGO_BIN_EXE_kintone");
            // Interleaved, so that a change in the machine's load touches all alike.
            (0..rounds)
                .map(|_| {
                    let baseline_run = baseline
                        .as_deref()
                        .map(|binary| with(binary, &["--output", baseline_csv.to_str().unwrap()]));
                    let csv_run = with(this, &["--output", csv.to_str().unwrap()]);
                    let jsonl_run = with(
                        this,
                        &["--format", "jsonl", "--output", jsonl.to_str().unwrap()],
                    );
                    (csv_run, jsonl_run, baseline_run)
                })
                .collect::<Vec<_>>()
        }
    });
    let runs = task.await.unwrap();
    println!("export of {count} records (20 fields, a 3-row table), {rounds} interleaved rounds:");
    for (round, (csv_run, jsonl_run, baseline_run)) in runs.iter().enumerate() {
        if let Some(before) = baseline_run {
            println!(
                "  round {}: baseline csv {:.2} s wall, {:.2} s CPU, {:.1} MiB | baseline csv / \
                 jsonl CPU {:.2}",
                round + 1,
                before.wall,
                before.cpu,
                mib(before.rss),
                before.cpu / jsonl_run.cpu
            );
        }
        println!(
            "  round {}: csv {:.2} s wall, {:.2} s CPU, {:.1} MiB | jsonl {:.2} s wall, {:.2} s CPU, \
             {:.1} MiB | csv / jsonl CPU {:.2}, wall {:.2}",
            round + 1,
            csv_run.wall,
            csv_run.cpu,
            mib(csv_run.rss),
            jsonl_run.wall,
            jsonl_run.cpu,
            mib(jsonl_run.rss),
            csv_run.cpu / jsonl_run.cpu,
            csv_run.wall / jsonl_run.wall
        );
    }
    let median = |mut ratios: Vec<f64>| {
        ratios.sort_by(f64::total_cmp);
        ratios[ratios.len() / 2]
    };
    let csv_ratio = median(runs.iter().map(|(c, j, _)| c.cpu / j.cpu).collect());
    print!("  median csv / jsonl CPU {csv_ratio:.2}");
    if baseline.is_some() {
        let ratios = runs.iter().filter_map(|(_, j, b)| b.map(|b| b.cpu / j.cpu));
        print!(", baseline csv / jsonl CPU {:.2}", median(ratios.collect()));
        assert!(
            std::fs::read(&csv).unwrap() == std::fs::read(&baseline_csv).unwrap(),
            "the baseline's CSV differs from this build's"
        );
    }
    println!();
    let size = |path: &std::path::Path| mib(std::fs::metadata(path).unwrap().len() / 1024);
    println!(
        "  written: csv {:.1} MiB, jsonl {:.1} MiB",
        size(&csv),
        size(&jsonl)
    );

    // Imports of the exported records into the second app, each size on its own.
    let sizes: Vec<usize> = std::env::var("BENCH_IMPORTS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    let exported = std::fs::read_to_string(&jsonl).unwrap();
    for size in sizes {
        let lines: Vec<&str> = exported.lines().take(size).collect();
        let sample = dir.join(format!("sample-{size}.jsonl"));
        std::fs::write(&sample, lines.join("\n")).unwrap();
        emulator.clear_requests();
        let sample_arg = sample.to_str().unwrap().to_string();
        let url2 = url.clone();
        let measured = tokio::task::spawn_blocking(move || {
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
            "import of {} records: {:.2} s wall, {:.2} s CPU, peak RSS {:.1} MiB, {bulk} bulk \
             requests",
            lines.len(),
            measured.wall,
            measured.cpu,
            mib(measured.rss)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

//! `cargo run -p kintone-emulator -- --port 8080 [--seed seed.json]`: a kintone to develop against.
//!
//! The limits that keep it reachable under hostile clients are flags too: `--max-connections`,
//! `--header-read-timeout SECONDS`, `--idle-timeout SECONDS`, `--body-memory-budget BYTES`,
//! `--max-body-bytes BYTES`, `--max-upload-bytes BYTES`, `--concurrency-limit N`.

use std::process::ExitCode;
use std::time::Duration;

use kintone_emulator::EmulatorBuilder;

fn usage() -> ExitCode {
    eprintln!(
        "usage: kintone-emulator [--port PORT] [--seed SEED.json] [--max-connections N] \
         [--header-read-timeout SECONDS] [--idle-timeout SECONDS] [--body-memory-budget BYTES] \
         [--max-body-bytes BYTES] [--max-upload-bytes BYTES] [--concurrency-limit N]"
    );
    ExitCode::FAILURE
}

/// Applies one `--flag value` pair; `None` if the flag is unknown or its value unreadable.
fn setting(builder: EmulatorBuilder, flag: &str, value: &str) -> Option<EmulatorBuilder> {
    let seconds = |v: &str| {
        v.parse::<f64>()
            .ok()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
    };
    Some(match flag {
        "--port" => builder.port(value.parse().ok()?),
        "--max-connections" => builder.max_connections(value.parse().ok()?),
        "--header-read-timeout" => builder.header_read_timeout(seconds(value)?),
        "--idle-timeout" => builder.idle_timeout(seconds(value)?),
        "--body-memory-budget" => builder.body_memory_budget(value.parse().ok()?),
        "--max-body-bytes" => builder.max_body_bytes(value.parse().ok()?),
        "--max-upload-bytes" => builder.max_upload_bytes(value.parse().ok()?),
        "--concurrency-limit" => builder.concurrency_limit(value.parse().ok()?),
        _ => return None,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut builder = kintone_emulator::Emulator::builder();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let Some(value) = args.next() else {
            return usage();
        };
        if arg == "--seed" {
            let seed = std::fs::read_to_string(&value)
                .map_err(|e| e.to_string())
                .and_then(|text| {
                    serde_json::from_str::<kintone_emulator::Seed>(&text).map_err(|e| e.to_string())
                });
            match seed {
                Ok(seed) => builder = builder.seed(seed),
                Err(e) => {
                    eprintln!("{value}: {e}");
                    return ExitCode::FAILURE;
                }
            }
            continue;
        }
        match setting(builder, &arg, &value) {
            Some(b) => builder = b,
            None => return usage(),
        }
    }
    let emulator = match builder.start().await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    println!("kintone emulator listening on {}", emulator.base_url());
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

//! `cargo run -p kintone-emulator -- --port 8080 [--seed seed.json]`: a kintone to develop against.

use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: kintone-emulator [--port PORT] [--seed SEED.json]");
    ExitCode::FAILURE
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut builder = kintone_emulator::Emulator::builder();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--port", Some(port)) => match port.parse() {
                Ok(p) => builder = builder.port(p),
                Err(_) => return usage(),
            },
            ("--seed", Some(path)) => {
                let seed = std::fs::read_to_string(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|text| {
                        serde_json::from_str::<kintone_emulator::Seed>(&text)
                            .map_err(|e| e.to_string())
                    });
                match seed {
                    Ok(seed) => builder = builder.seed(seed),
                    Err(e) => {
                        eprintln!("{path}: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            }
            _ => return usage(),
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

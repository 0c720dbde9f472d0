//! Project automation: `cargo xtask regenerate [--check]`.
//!
//! `regenerate` writes the code generated from `spec/kintone.yaml` into
//! `kintone-api/src/generated/`; `--check` writes nothing and fails when the checked-in files
//! differ from what the spec gives, which is what CI and the workspace test do.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["regenerate"] => regenerate(false),
        ["regenerate", "--check"] => regenerate(true),
        _ => Err("usage: cargo xtask regenerate [--check]".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn regenerate(check: bool) -> Result<(), String> {
    let started = Instant::now();
    let root = workspace_root();
    let spec_path = root.join("spec/kintone.yaml");
    let spec =
        std::fs::read_to_string(&spec_path).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let files = kintone_codegen::generate(&spec).map_err(|e| e.to_string())?;
    let out_dir = root.join("kintone-api/src/generated");
    let mut stale = Vec::new();
    for file in &files {
        let path = out_dir.join(file.path);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == file.contents {
            continue;
        }
        if check {
            stale.push(path.display().to_string());
        } else {
            std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
            std::fs::write(&path, &file.contents)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            println!("wrote {}", path.display());
        }
    }
    if !stale.is_empty() {
        return Err(format!(
            "generated code is stale: {}\nrun `{}` and commit the result",
            stale.join(", "),
            kintone_codegen::REGENERATE_COMMAND
        ));
    }
    println!(
        "generated code is up to date ({} ms)",
        started.elapsed().as_millis()
    );
    Ok(())
}

//! Project automation: `cargo xtask regenerate [--check]`, the spec designers' tools
//! `cargo xtask lint`, `cargo xtask docs` and `cargo xtask diff`, and `cargo xtask imports`
//! (each crate's module import graph, which must have no loop).
//!
//! `regenerate` bundles the split spec (`spec/kintone.yaml` and the family files it references)
//! into `spec/kintone.bundled.yaml`, then writes the code generated from that bundle: the
//! module `kintone-api/src/generated/`, the derive's `derive/src/field_types.rs`, the emulator's
//! `emulator/src/domain/field_type.rs` and the command line's `cli/src/generated/operations.rs`. `--check` writes nothing and fails when the checked-in bundle or
//! generated files differ from what the spec gives, which is what CI and the workspace test do.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use kintone_spec::BUNDLE_FILE;

mod diff;
mod docs;
#[cfg(test)]
mod ecosystem;
mod imports;
mod lint;
mod spec;

const USAGE: &str = "usage: cargo xtask regenerate [--check]
       cargo xtask lint [--rules] [SPEC]
       cargo xtask docs [--out DIR] [SPEC]
       cargo xtask diff OLD NEW [--json] [--deny-breaking]
       cargo xtask imports [--verbose]";

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
        ["lint", rest @ ..] => lint::run(rest),
        ["docs", rest @ ..] => docs::run(rest),
        ["diff", rest @ ..] => diff::run(rest),
        ["imports", rest @ ..] => imports::run(rest),
        _ => Err(USAGE.to_string()),
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
    let spec_dir = root.join("spec");
    let bundled = kintone_spec::bundle_dir(&spec_dir).map_err(|e| kintone_spec::with_causes(&e))?;
    let files = kintone_codegen::generate(&bundled).map_err(|e| kintone_spec::with_causes(&e))?;
    let outputs = std::iter::once((spec_dir.join(BUNDLE_FILE), &bundled))
        .chain(files.iter().map(|f| (root.join(f.path), &f.contents)));
    let mut stale = Vec::new();
    let mut written = 0;
    for (path, contents) in outputs {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == *contents {
            continue;
        }
        if check {
            stale.push(path.display().to_string());
        } else {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::write(&path, contents).map_err(|e| format!("{}: {e}", path.display()))?;
            println!("wrote {}", path.display());
            written += 1;
        }
    }
    if !stale.is_empty() {
        return Err(format!(
            "stale, not what the spec gives: {}\nrun `{}` and commit the result",
            stale.join(", "),
            kintone_codegen::REGENERATE_COMMAND
        ));
    }
    let state = if written == 0 {
        "were already up to date"
    } else {
        "are up to date now"
    };
    println!(
        "the bundle and the generated code {state} ({} ms)",
        started.elapsed().as_millis()
    );
    Ok(())
}

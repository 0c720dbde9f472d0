//! Writes every ```rust block of the README as Rust: a block of items (functions, `use`, a
//! program's `fn main`, made public for the tests) as it is, and a block of statements inside
//! an async function that takes what the snippet reads from its reader (`CONTEXTS`, by the
//! heading the block sits under). Each block is a module named after its heading and its place
//! under it.

use std::fmt::Write as _;
use std::path::Path;

/// What the statement blocks of a heading take: the parameters of the function they are
/// written in, and the lines before them. A statement block under any other heading fails the
/// build, naming the heading, so a new snippet is given its context here.
const CONTEXTS: &[(&str, &str, &str)] = &[
    ("The emulator", "", ""),
    (
        "Whole apps: every record, many records, large files",
        "client: &kintone_api::Client, inputs: Vec<kintone_api::RecordInput>, \
         out: &mut impl std::io::Write, file_key: String",
        "use kintone_api::FilePart;",
    ),
    ("Apps as code", "app: u64", ""),
    (
        "Promoting an app: `AppDefinition`",
        "test: &kintone_api::Client, production: &kintone_api::Client",
        "",
    ),
    (
        "Typed records: generate, derive, query",
        "client: &kintone_api::Client",
        "use futures_util::StreamExt;\n\
         use kintone_api::query::Query;\n\
         use kintone_api::typed::Row;\n\
         use kintone_api::{Decimal, KintoneRecord};\n\
         /// The table the README's `Order` names.\n\
         #[derive(Debug, Clone, PartialEq, KintoneRecord)]\n\
         #[kintone(table)]\n\
         pub struct LinesRow {\n\
             #[kintone(code = \"Item\", type = \"SINGLE_LINE_TEXT\")]\n\
             pub item: String,\n\
         }\n\
         let orders = vec![Order {\n\
             title: \"pens\".into(),\n\
             amount: Some(Decimal::try_from(\"120\")?),\n\
             lines: Vec::new(),\n\
             total: None,\n\
         }];",
    ),
];

struct Block {
    heading: String,
    lines: Vec<String>,
}

fn blocks(readme: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut heading = String::new();
    let mut open: Option<(usize, Vec<String>)> = None;
    for line in readme.lines() {
        let trimmed = line.trim_start();
        match &mut open {
            Some((indent, lines)) => {
                if trimmed.starts_with("```") {
                    blocks.push(Block {
                        heading: heading.clone(),
                        lines: std::mem::take(lines),
                    });
                    open = None;
                } else {
                    let cut = line.len() - line.trim_start().len();
                    lines.push(line[cut.min(*indent)..].to_string());
                }
            }
            None => {
                if let Some(title) = line.strip_prefix("## ").or(line.strip_prefix("### ")) {
                    heading = title.trim().to_string();
                } else if trimmed == "```rust" {
                    open = Some((line.len() - trimmed.len(), Vec::new()));
                }
            }
        }
    }
    blocks
}

fn module_name(heading: &str, nth: usize) -> String {
    let mut name: String = heading
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while name.contains("__") {
        name = name.replace("__", "_");
    }
    let name = name.trim_matches('_');
    let name = if name.is_empty() { "readme" } else { name };
    format!("{name}_{nth}")
}

/// Whether every line at the block's top level starts an item (or is a comment or blank).
fn only_items(lines: &[String]) -> bool {
    let mut depth = 0i32;
    for line in lines {
        if depth == 0 {
            let t = line.trim();
            let item = t.is_empty()
                || t.starts_with("//")
                || t.starts_with("use ")
                || t.starts_with("fn ")
                || t.starts_with("async fn ")
                || t.starts_with("pub ")
                || t.starts_with("#[")
                || t.starts_with('}');
            if !item {
                return false;
            }
        }
        depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
    }
    true
}

fn main() {
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    println!("cargo::rerun-if-changed={}", readme_path.display());
    let readme = std::fs::read_to_string(&readme_path).expect("the README is readable");
    let mut out = String::new();
    let mut seen: Vec<String> = Vec::new();
    for block in blocks(&readme) {
        let nth = seen.iter().filter(|h| **h == block.heading).count() + 1;
        seen.push(block.heading.clone());
        let name = module_name(&block.heading, nth);
        let body = block.lines.join("\n");
        writeln!(
            out,
            "/// The README's block {nth} under \"{}\".",
            block.heading
        )
        .unwrap();
        writeln!(out, "#[allow(unused, clippy::all)]\npub mod {name} {{").unwrap();
        if only_items(&block.lines) {
            // A program's `main`, made public so that a test can call it.
            let body = body
                .replace("\nfn main(", "\npub fn main(")
                .replace("\nasync fn main(", "\npub async fn main(");
            writeln!(out, "{body}").unwrap();
        } else {
            let (_, params, before) = CONTEXTS
                .iter()
                .find(|(heading, _, _)| *heading == block.heading)
                .unwrap_or_else(|| {
                    panic!(
                        "the README's block {nth} under \"{}\" is statements: give it a context \
                         in examples/readme/build.rs",
                        block.heading
                    )
                });
            writeln!(
                out,
                "pub async fn run({params}) -> Result<(), Box<dyn std::error::Error>> {{\n\
                 {before}\n{body}\n#[allow(unreachable_code)]\nOk(())\n}}"
            )
            .unwrap();
        }
        writeln!(out, "}}").unwrap();
    }
    let path = Path::new(&std::env::var("OUT_DIR").unwrap()).join("readme.rs");
    std::fs::write(path, out).unwrap();
}

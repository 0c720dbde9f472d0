//! `kintone-form`: writes a Rust module of `#[derive(KintoneRecord)]` structs for an app, from
//! its form.
//!
//! ```sh
//! cargo run -p kintone-codegen --bin kintone-form -- --json form.json --name Order --out src/order.rs
//! cargo run -p kintone-codegen --features live --bin kintone-form -- \
//!     --url https://example.kintone.com --app 12 --name Order   # token from KINTONE_API_TOKEN
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;

use kintone_codegen::form::{generate_form, FormOptions};

const USAGE: &str = "\
usage: kintone-form (--json FILE | --url URL --app ID [--token TOKEN] [--guest-space ID])
                    [--name STRUCT] [--rename CODE=NAME]... [--out FILE]

  --json FILE         the answer of GET /k/v1/app/form/fields.json (or its `properties`)
  --url URL --app ID  read the form from a kintone or the emulator (needs --features live);
                      the API token comes from --token or KINTONE_API_TOKEN
  --name STRUCT       the record struct's name (default: AppRecord)
  --rename CODE=NAME  the Rust name of a field whose code has none (such as 顧客名)
  --out FILE          where to write the module (default: standard output)";

struct Args {
    json: Option<String>,
    url: Option<String>,
    app: Option<u64>,
    token: Option<String>,
    guest_space: Option<u64>,
    name: String,
    renames: BTreeMap<String, String>,
    out: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        json: None,
        url: None,
        app: None,
        token: None,
        guest_space: None,
        name: "AppRecord".into(),
        renames: BTreeMap::new(),
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--json" => args.json = Some(value()?),
            "--url" => args.url = Some(value()?),
            "--app" => args.app = Some(value()?.parse().map_err(|_| "--app takes a number")?),
            "--token" => args.token = Some(value()?),
            "--guest-space" => {
                args.guest_space = Some(
                    value()?
                        .parse()
                        .map_err(|_| "--guest-space takes a number")?,
                )
            }
            "--name" => args.name = value()?,
            "--rename" => {
                let pair = value()?;
                let (code, name) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("--rename takes CODE=NAME, not {pair:?}"))?;
                args.renames.insert(code.into(), name.into());
            }
            "--out" => args.out = Some(value()?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    match (&args.json, &args.url, args.app) {
        (Some(_), None, None) | (None, Some(_), Some(_)) => Ok(args),
        _ => Err("give either --json FILE, or --url URL with --app ID".into()),
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("kintone-form: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kintone-form: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let (json, source) = match (&args.json, &args.url, args.app) {
        (Some(path), _, _) => {
            let json = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            let name = std::path::Path::new(path)
                .file_name()
                .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
            (json, format!("the form `{name}`"))
        }
        (None, Some(url), Some(app)) => (fetch(url, app, &args)?, format!("app {app}")),
        _ => unreachable!("checked by parse_args"),
    };
    let options = FormOptions {
        struct_name: args.name.clone(),
        source,
        renames: args.renames.clone(),
    };
    let module = generate_form(&json, &options).map_err(|e| kintone_spec::with_causes(&e))?;
    match &args.out {
        Some(path) => std::fs::write(path, module).map_err(|e| format!("{path}: {e}")),
        None => {
            print!("{module}");
            Ok(())
        }
    }
}

#[cfg(feature = "live")]
fn fetch(url: &str, app: u64, args: &Args) -> Result<String, String> {
    let token = match &args.token {
        Some(token) => token.clone(),
        None => std::env::var("KINTONE_API_TOKEN")
            .map_err(|_| "give --token TOKEN or set KINTONE_API_TOKEN".to_string())?,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime
        .block_on(kintone_codegen::form::fetch_form(
            url,
            app,
            &token,
            args.guest_space,
        ))
        .map_err(|e| kintone_spec::with_causes(&e))
}

#[cfg(not(feature = "live"))]
fn fetch(_url: &str, _app: u64, _args: &Args) -> Result<String, String> {
    Err("reading a live form needs the `live` feature: \
         cargo run -p kintone-codegen --features live --bin kintone-form -- …"
        .into())
}

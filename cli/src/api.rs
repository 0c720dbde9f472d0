//! `kintone api OPERATION_ID`: every operation of the spec as a command, its parameters as
//! flags, the answer as JSON; `kintone api --list` names them all.

use std::io::Write;
use std::sync::Arc;

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use kintone_api::dynamic::{DynamicDownload, DynamicRequest, ParamLocation};
use kintone_api::FilePart;
use serde_json::{Map, Value};

use crate::cli::{ApiArgs, ConnectionArgs};
use crate::connection;
use crate::error::CliError;
use crate::spec::{self, OperationInfo, ParamInfo, ParamKind};

pub async fn run(args: ApiArgs) -> Result<(), CliError> {
    let operations = spec::operations();
    if args.list {
        let mut out = std::io::stdout().lock();
        for op in operations {
            let deprecated = if op.deprecated { " (deprecated)" } else { "" };
            let _ = writeln!(
                out,
                "{:<34} {:<6} {:<44} {}{deprecated}",
                op.id,
                op.method.as_str(),
                op.path,
                op.summary
            );
        }
        return Ok(());
    }
    let Some((id, rest)) = args.call.split_first() else {
        return Err(CliError::Usage(
            "name an operation (kintone api --list lists them), such as: kintone api getRecord --app 1 --id 2".into(),
        ));
    };
    let Some(op) = operations.iter().find(|o| o.id == id) else {
        let near: Vec<&str> = operations
            .iter()
            .filter(|o| o.id.to_lowercase().contains(&id.to_lowercase()))
            .map(|o| o.id)
            .take(5)
            .collect();
        return Err(CliError::Usage(format!(
            "the spec has no operation {id}{} (kintone api --list lists them)",
            if near.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", near.join(", "))
            }
        )));
    };
    let matches = match command(op).try_get_matches_from(std::iter::once(id).chain(rest)) {
        Ok(matches) => matches,
        // Help exits 0, a usage error 2, as for every other command.
        Err(e) => e.exit(),
    };
    let connection =
        ConnectionArgs::from_arg_matches(&matches).map_err(|e| CliError::Usage(e.to_string()))?;
    let (values, files) = parameters(op, &matches)?;
    let client = connection::client_for(&connection, op.anonymous)?;
    let mut request = DynamicRequest::new(Arc::new(op.dynamic()), values);
    for (name, part) in files {
        request = request.file(name, part);
    }
    if op.download {
        let download = client.send_stream(DynamicDownload(request)).await?;
        match matches.get_one::<String>(OUTPUT) {
            Some(path) => {
                download.save_to_path(path).await?;
            }
            None => {
                let mut stdout = tokio::io::stdout();
                download.copy_to(&mut stdout).await?;
            }
        }
        return Ok(());
    }
    let answer = client.send(request).await?;
    let text = serde_json::to_string_pretty(answer.body()).expect("JSON prints");
    println!("{text}");
    Ok(())
}

/// The ids of the command line's own arguments, which no wire name can be.
const BODY: &str = ":body";
const OUTPUT: &str = ":output";

/// A parameter's flag; `--param-NAME` when the command line has a flag of that name already
/// (`updateSpaceBody` has a `body`).
fn param_flag(param: &ParamInfo, taken: &[String]) -> String {
    let flag = flag_name(param.name);
    if taken.contains(&flag) {
        format!("param-{flag}")
    } else {
        flag
    }
}

/// The flags the command line has of its own.
fn taken_flags() -> Vec<String> {
    ConnectionArgs::augment_args(Command::new("connection"))
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_string))
        .chain(["body".to_string(), "output".to_string()])
        .collect()
}

/// `totalCount` as a flag: `total-count`.
fn flag_name(wire: &str) -> String {
    let mut flag = String::new();
    let mut previous_lower = false;
    for c in wire.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            flag.push('-');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        flag.push(if c == '_' {
            '-'
        } else {
            c.to_ascii_lowercase()
        });
    }
    flag
}

/// The help line of a parameter: its description, type and limits.
fn help(param: &ParamInfo) -> String {
    let mut facts = vec![match param.kind {
        ParamKind::Text => "text",
        ParamKind::Integer => "integer",
        ParamKind::Number => "number",
        ParamKind::Bool => "true or false",
        ParamKind::File => "path of a file to upload",
        ParamKind::Json => "JSON",
    }
    .to_string()];
    if param.list {
        facts.push("several: repeat the flag or separate with commas".into());
    }
    if let Some(n) = param.min_items {
        facts.push(format!("at least {n} items"));
    }
    if let Some(n) = param.max_items {
        facts.push(format!("at most {n} items"));
    }
    if let Some(n) = param.max_length {
        facts.push(format!("at most {n} characters"));
    }
    if let Some(n) = param.minimum {
        facts.push(format!("at least {n}"));
    }
    if let Some(n) = param.maximum {
        facts.push(format!("at most {n}"));
    }
    if param.required {
        facts.push("required".into());
    }
    let doc = param
        .doc
        .split("\n\n")
        .next()
        .unwrap_or("")
        .replace('\n', " ");
    format!("{doc} [{}]", facts.join("; ")).trim().to_string()
}

/// The operation as a command: its parameters, `--body`, `--output` for files, and the
/// connection options.
fn command(op: &OperationInfo) -> Command {
    let mut about = op.summary.to_string();
    if op.deprecated {
        about.push_str(" (deprecated)");
    }
    let example = example(op);
    // The connection options first: adding them sets an about of their own, replaced here.
    let mut command = ConnectionArgs::augment_args(Command::new(op.id))
        .bin_name(format!("kintone api {}", op.id))
        .about(about)
        .long_about(op.description.unwrap_or(op.summary))
        .after_help(format!(
            "{} {} ({}; parameters {})\n\nExample:\n  {example}",
            op.method.as_str(),
            op.path,
            op.tag,
            if op.has_body {
                "in the body"
            } else {
                "in the URL"
            }
        ))
        .arg(
            Arg::new(BODY)
                .long("body")
                .value_name("JSON|@FILE|-")
                .help("The parameters as one JSON object (flags given too override its keys)"),
        );
    if op.download {
        command = command.arg(
            Arg::new(OUTPUT)
                .long("output")
                .short('o')
                .value_name("FILE")
                .help("Write the file here instead of to standard output"),
        );
    }
    let taken = taken_flags();
    for param in op.params {
        let mut arg = Arg::new(param.name)
            .long(param_flag(param, &taken))
            .help(help(param))
            .value_name(param.name.to_uppercase());
        if param.list {
            arg = arg.action(ArgAction::Append).value_delimiter(',');
        }
        if param.required && param.kind != ParamKind::File {
            arg = arg.required_unless_present(BODY);
        } else if param.required {
            arg = arg.required(true);
        }
        command = command.arg(arg);
    }
    command
}

/// An example call, with a placeholder for each required flag.
fn example(op: &OperationInfo) -> String {
    let mut line = format!("kintone api {}", op.id);
    let taken = taken_flags();
    for param in op.params.iter().filter(|p| p.required) {
        let placeholder = match param.kind {
            ParamKind::Integer => "1".to_string(),
            ParamKind::Json => "'{...}'".to_string(),
            ParamKind::File => "./report.pdf".to_string(),
            _ => param.name.to_uppercase(),
        };
        line.push_str(&format!(" --{} {placeholder}", param_flag(param, &taken)));
    }
    line
}

type Files = Vec<(&'static str, FilePart)>;

/// The parameters from `--body` and the flags, typed as the spec says; and the files to upload.
fn parameters(
    op: &OperationInfo,
    matches: &ArgMatches,
) -> Result<(Map<String, Value>, Files), CliError> {
    let mut values = match matches.get_one::<String>(BODY) {
        Some(body) => read_body(body)?,
        None => Map::new(),
    };
    let mut files = Vec::new();
    for param in op.params {
        let Some(given) = matches.get_many::<String>(param.name) else {
            continue;
        };
        let given: Vec<&String> = given.collect();
        if param.kind == ParamKind::File {
            let path = given[0];
            let bytes = std::fs::read(path).map_err(CliError::io(format!("reading {path}")))?;
            let name = std::path::Path::new(path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.clone());
            files.push((param.name, FilePart::new(name, bytes)));
            continue;
        }
        let typed = given
            .iter()
            .map(|text| typed_value(param, text))
            .collect::<Result<Vec<_>, _>>()?;
        let value = if param.list {
            Value::Array(typed)
        } else {
            typed.into_iter().next().unwrap_or(Value::Null)
        };
        values.insert(param.name.to_string(), value);
    }
    if op
        .params
        .iter()
        .any(|p| p.location == ParamLocation::Multipart && p.required)
        && files.is_empty()
    {
        return Err(CliError::Usage(format!("{} needs a file to upload", op.id)));
    }
    Ok((values, files))
}

fn typed_value(param: &ParamInfo, text: &str) -> Result<Value, CliError> {
    let flag = flag_name(param.name);
    let bad = |what: &str| CliError::Usage(format!("--{flag}: {text:?} is not {what}"));
    Ok(match param.kind {
        ParamKind::Text | ParamKind::File => Value::String(text.to_string()),
        ParamKind::Integer => {
            Value::Number(text.parse::<i64>().map_err(|_| bad("an integer"))?.into())
        }
        ParamKind::Number => serde_json::from_str::<serde_json::Number>(text)
            .map(Value::Number)
            .map_err(|_| bad("a number"))?,
        ParamKind::Bool => Value::Bool(text.parse().map_err(|_| bad("true or false"))?),
        ParamKind::Json => serde_json::from_str(text).map_err(|e| bad(&format!("JSON ({e})")))?,
    })
}

/// `--body`: JSON itself, `@FILE`, or `-` for standard input.
fn read_body(body: &str) -> Result<Map<String, Value>, CliError> {
    let text = if body == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(CliError::io("reading --body from standard input"))?;
        text
    } else if let Some(path) = body.strip_prefix('@') {
        std::fs::read_to_string(path).map_err(CliError::io(format!("reading --body {path}")))?
    } else {
        body.to_string()
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(CliError::Usage("--body must be a JSON object".into())),
        Err(e) => Err(CliError::Usage(format!("--body is not JSON: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_makes_a_valid_command() {
        let operations = spec::operations();
        // Every operation id of the bundled spec, preview twins included.
        let spec = include_str!("../../spec/kintone.bundled.yaml");
        let in_spec: std::collections::BTreeSet<&str> = spec
            .lines()
            .filter_map(|l| l.trim().strip_prefix("operationId:"))
            .map(str::trim)
            .collect();
        let listed: std::collections::BTreeSet<&str> = operations.iter().map(|o| o.id).collect();
        assert_eq!(listed, in_spec);
        assert_eq!(listed.len(), operations.len(), "no operation twice");
        for op in operations {
            command(op).debug_assert();
        }
    }

    #[test]
    fn wire_names_become_kebab_case_flags() {
        assert_eq!(flag_name("totalCount"), "total-count");
        assert_eq!(flag_name("app"), "app");
        assert_eq!(flag_name("Accept-Language"), "accept-language");
        assert_eq!(flag_name("fileKey"), "file-key");
    }
}

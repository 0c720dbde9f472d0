//! `kintone record delete`: the records of a condition, or of a file of record numbers, after
//! a confirmation unless `--yes`.

use std::io::{BufRead, IsTerminal, Write};

use futures_util::StreamExt;
use kintone_api::RecordId;

use crate::cli::DeleteArgs;
use crate::connection;
use crate::encoding::decode;
use crate::error::CliError;
use crate::export::read_form;
use crate::progress::Progress;

pub async fn run(args: DeleteArgs, quiet: bool) -> Result<(), CliError> {
    if !args.yes && !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "deleting asks for a confirmation at a terminal: add --yes to delete without asking"
                .into(),
        ));
    }
    let client = connection::client(&args.connection)?;
    let ids: Vec<u64> = match &args.file_path {
        Some(path) => {
            let bytes =
                std::fs::read(path).map_err(CliError::io(format!("reading {}", path.display())))?;
            let text = decode(&bytes, args.encoding, &path.display().to_string())?;
            let form = read_form(&client, args.app).await?;
            ids_in_csv(&text, form.record_number())?
        }
        None => {
            let mut records = client
                .record_stream(args.app)
                .query(args.condition.clone().unwrap_or_default())
                .fields(["$id"])
                .raw();
            let mut ids = Vec::new();
            while let Some(record) = records.next().await {
                if let Some(id) = record?.id() {
                    ids.push(id.get());
                }
            }
            ids
        }
    };
    if ids.is_empty() {
        if !quiet {
            eprintln!("no records to delete");
        }
        return Ok(());
    }
    if !args.yes && !confirm(ids.len(), args.app)? {
        return Err(CliError::Other("nothing was deleted".into()));
    }
    let progress = Progress::new("deleting", Some(ids.len() as u64), quiet);
    let progress_ref = &progress;
    let outcome = client
        .delete_all(args.app, ids.iter().copied().map(RecordId::from))
        .on_progress(move |p| progress_ref.update(p.done as u64))
        .send()
        .await;
    match outcome {
        Ok(report) => {
            progress.finish(&format!(
                "deleted {} records of app {}",
                report.committed().len(),
                args.app
            ));
            Ok(())
        }
        Err(stopped) => Err(CliError::Other(stopped.to_string())),
    }
}

/// The record ids of a CSV's record number column (`$id` or the app's record number field).
fn ids_in_csv(text: &str, record_number: Option<&str>) -> Result<Vec<u64>, CliError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| CliError::Input(format!("line 1: {e}")))?
        .clone();
    let column = header
        .iter()
        .position(|c| c == "$id" || Some(c) == record_number)
        .ok_or_else(|| {
            CliError::Input(format!(
                "the file has no record number column ({})",
                record_number.unwrap_or("$id")
            ))
        })?;
    let mut ids = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| CliError::Input(e.to_string()))?;
        let line = row.position().map(|p| p.line()).unwrap_or(0);
        let cell = row.get(column).unwrap_or("");
        // Lines of a record's further table rows repeat its number.
        if cell.is_empty() {
            continue;
        }
        let id = cell
            .rsplit('-')
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                CliError::Input(format!("line {line}: {cell:?} is not a record number"))
            })?;
        if ids.last() != Some(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

fn confirm(count: usize, app: u64) -> Result<bool, CliError> {
    eprint!("Delete {count} records of app {app}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(CliError::io("reading the answer"))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

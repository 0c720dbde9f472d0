//! `kintone record export`: records out as cli-kintone's CSV or as JSON Lines, streamed: a
//! bounded number of pages is held whatever the number of records.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use kintone_api::types::{
    DownloadFileRequest, GetFormFieldsRequest, GetFormLayoutRequest, GetRecordsRequest,
};
use kintone_api::Client;
use serde_json::Value;

use crate::cli::{Encoding, ExportArgs, Format};
use crate::connection;
use crate::csv_export::CsvRecordWriter;
use crate::csv_format::{self, ExportSchema, Form, LINE_BREAK};
use crate::encoding::encode;
use crate::error::CliError;
use crate::progress::Progress;

pub async fn run(args: ExportArgs, quiet: bool) -> Result<(), CliError> {
    if args.format == Format::Jsonl && args.encoding != Encoding::Utf8 {
        return Err(CliError::Usage(
            "JSON Lines are always UTF-8: --encoding applies to CSV only".into(),
        ));
    }
    let client = connection::client(&args.connection)?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(CliError::io(format!("creating {}", path.display())))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, &mut out);
    let mut query = args.condition.clone().unwrap_or_default();
    if let Some(order) = &args.order_by {
        query = format!("{query} order by {order}");
    }
    let total = count(&client, args.app, args.condition.as_deref()).await?;
    let mut progress = Progress::new("exporting", Some(total), quiet);
    progress.set_total(total);
    let mut done = 0u64;
    match args.format {
        Format::Jsonl => {
            let mut stream = client.record_stream(args.app).query(&query);
            if let Some(fields) = &args.fields {
                stream = stream.fields(fields.iter().cloned());
            }
            // Attachments are saved as for CSV; the lines stay kintone's JSON, and import finds
            // the files by the same folder names.
            let attachments = match &args.attachments_dir {
                Some(dir) => {
                    let form = read_form(&client, args.app).await?;
                    Some((ExportSchema::new(&form, None)?, dir))
                }
                None => None,
            };
            let mut records = stream.raw();
            while let Some(record) = records.next().await {
                let record = record?;
                if let Some((schema, dir)) = &attachments {
                    let fields: serde_json::Map<String, Value> =
                        serde_json::from_str(record.json()).map_err(not_json)?;
                    save_attachments(&client, schema, &fields, dir).await?;
                }
                out.write_all(record.json().as_bytes())
                    .and_then(|_| out.write_all(b"\n"))
                    .map_err(write_error)?;
                done += 1;
                report(&progress, done);
            }
        }
        Format::Csv => {
            let form = read_form(&client, args.app).await?;
            let schema = ExportSchema::new(&form, args.fields.as_deref())?;
            // Each record's lines are written straight from its JSON text as UTF-8 into one
            // buffer, reused, and written at once (converted first for Shift_JIS).
            let mut writer = CsvRecordWriter::new(&schema);
            let mut line = Vec::new();
            let mut encoded = Vec::new();
            let mut write = |line: &[u8]| -> Result<(), CliError> {
                let bytes = match args.encoding {
                    Encoding::Utf8 => line,
                    Encoding::Sjis => {
                        encoded.clear();
                        let text = std::str::from_utf8(line).expect("lines are built from text");
                        encode(text, args.encoding, &mut encoded);
                        &encoded
                    }
                };
                out.write_all(bytes).map_err(write_error)
            };
            csv_format::write_line(&mut line, schema.header());
            write(&line)?;
            let mut codes = schema.codes();
            // The record id names the attachment folders; it is asked for, not exported.
            codes.push("$id".to_string());
            let mut records = client
                .record_stream(args.app)
                .query(&query)
                .fields(codes)
                .raw();
            while let Some(record) = records.next().await {
                let record = record?;
                let local_files = match &args.attachments_dir {
                    Some(dir) => {
                        let fields: serde_json::Map<String, Value> =
                            serde_json::from_str(record.json()).map_err(not_json)?;
                        save_attachments(&client, &schema, &fields, dir).await?
                    }
                    None => BTreeMap::new(),
                };
                line.clear();
                writer.write_record(record.json(), &local_files, &mut line)?;
                write(&line)?;
                done += 1;
                report(&progress, done);
            }
        }
    }
    out.flush().map_err(write_error)?;
    progress.finish(&format!("exported {done} records"));
    Ok(())
}

/// Progress once a page (not on every record, which would flood a log).
fn report(progress: &Progress, done: u64) {
    if done % kintone_api::limits::MAX_RECORDS_PER_PAGE as u64 == 0 {
        progress.update(done);
    }
}

fn not_json(e: serde_json::Error) -> CliError {
    CliError::Other(format!("kintone's record is not JSON: {e}"))
}

fn write_error(e: std::io::Error) -> CliError {
    CliError::Io {
        context: "writing the export".into(),
        source: e,
    }
}

/// How many records the condition matches.
async fn count(client: &Client, app: u64, condition: Option<&str>) -> Result<u64, CliError> {
    let query = format!("{} limit 1", condition.unwrap_or_default());
    let page = client
        .send(
            GetRecordsRequest::new(app)
                .query(query.trim_start())
                .fields(["$id"])
                .total_count(true),
        )
        .await?;
    Ok(page.body().total_count.unwrap_or(0))
}

/// The app's form fields and layout.
pub async fn read_form(client: &Client, app: u64) -> Result<Form, CliError> {
    let fields = client.send(GetFormFieldsRequest::new(app)).await?;
    let layout = client.send(GetFormLayoutRequest::new(app)).await?;
    let as_json = |e: serde_json::Error| CliError::Other(format!("reading the form: {e}"));
    let properties = serde_json::to_value(&fields.body().properties).map_err(as_json)?;
    let layout = serde_json::to_value(&layout.body().layout).map_err(as_json)?;
    Ok(Form::new(&properties, &layout))
}

/// Downloads the record's attachments into `DIR/<field>-<record>[-<row>]/<name>` and gives the
/// saved paths, relative to `dir`, for the cells of the FILE fields.
async fn save_attachments(
    client: &Client,
    schema: &ExportSchema,
    record: &serde_json::Map<String, Value>,
    dir: &Path,
) -> Result<BTreeMap<(String, Option<usize>), String>, CliError> {
    let id = record
        .get("$id")
        .and_then(|f| f.get("value"))
        .and_then(Value::as_str)
        .ok_or_else(|| CliError::Other("kintone's record has no $id".into()))?;
    let mut saved = BTreeMap::new();
    for field in &schema.fields {
        let Some(value) = record.get(&field.code) else {
            continue;
        };
        if field.kind == "FILE" {
            let folder = format!("{}-{id}", field.code);
            let paths = save_files(client, value, dir, &folder).await?;
            saved.insert((field.code.clone(), None), paths);
        } else if field.is_table() {
            let rows = value.get("value").and_then(Value::as_array);
            for (index, row) in rows.into_iter().flatten().enumerate() {
                for inner in field.fields.iter().filter(|f| f.kind == "FILE") {
                    if let Some(files) = row.get("value").and_then(|v| v.get(&inner.code)) {
                        let folder = format!("{}-{id}-{index}", inner.code);
                        let paths = save_files(client, files, dir, &folder).await?;
                        saved.insert((inner.code.clone(), Some(index)), paths);
                    }
                }
            }
        }
    }
    Ok(saved)
}

/// Saves the files of one FILE value into `dir/folder`, never over another file: a second
/// `a.txt` becomes `a (1).txt`. The paths, relative to `dir`, one a line.
async fn save_files(
    client: &Client,
    field: &Value,
    dir: &Path,
    folder: &str,
) -> Result<String, CliError> {
    let mut paths = Vec::new();
    for file in field
        .get("value")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(name), Some(key)) = (
            file.get("name").and_then(Value::as_str),
            file.get("fileKey").and_then(Value::as_str),
        ) else {
            continue;
        };
        let folder_path = dir.join(folder);
        std::fs::create_dir_all(&folder_path)
            .map_err(CliError::io(format!("creating {}", folder_path.display())))?;
        let name = csv_format::safe_name(name);
        let path = unique_path(&folder_path, &name);
        client
            .send_stream(DownloadFileRequest::new(key))
            .await?
            .save_to_path(&path)
            .await?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        paths.push(format!("{folder}/{file_name}"));
    }
    Ok(paths.join(LINE_BREAK))
}

/// `folder/name`, or `folder/stem (n).ext` with the first `n` not taken.
fn unique_path(folder: &Path, name: &str) -> PathBuf {
    let candidate = folder.join(name);
    if !candidate.exists() {
        return candidate;
    }
    (1..)
        .map(|n| folder.join(csv_format::numbered_name(name, n)))
        .find(|p| !p.exists())
        .expect("some number is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_names_are_numbered_before_the_extension() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(unique_path(dir.path(), "a.txt"), dir.path().join("a.txt"));
        std::fs::write(dir.path().join("a.txt"), "1").unwrap();
        assert_eq!(
            unique_path(dir.path(), "a.txt"),
            dir.path().join("a (1).txt")
        );
        std::fs::write(dir.path().join("a (1).txt"), "2").unwrap();
        assert_eq!(
            unique_path(dir.path(), "a.txt"),
            dir.path().join("a (2).txt")
        );
        std::fs::write(dir.path().join("README"), "3").unwrap();
        assert_eq!(
            unique_path(dir.path(), "README"),
            dir.path().join("README (1)")
        );
    }

    #[test]
    fn names_cannot_leave_their_folder() {
        assert_eq!(
            csv_format::safe_name("../../etc/passwd"),
            ".._.._etc_passwd"
        );
        assert_eq!(csv_format::safe_name(".."), "_");
    }
}

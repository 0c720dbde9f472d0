//! `kintone record import`: every row converted and checked first, then written through the
//! bulk writers, with a checkpoint after every bulk request.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use kintone_api::types::{GetRecordsRequest, UploadFileRequest};
use kintone_api::{
    Client, Date, DateTime, Decimal, EntityCode, FieldInput, FilePart, FileRef, RecordInput,
    RecordUpdate, SubtableRowInput, Time, UpdateKey,
};

use crate::checkpoint::{fingerprint, Checkpoint, InFlight, Phase};
use crate::cli::{Format, ImportArgs, InFlightAnswer};
use crate::connection;
use crate::csv_format::{self, Form, FormField, ParsedRecord, Raw, LINE_BREAK};
use crate::encoding::decode;
use crate::error::CliError;
use crate::export::read_form;
use crate::progress::Progress;

/// Field types kintone computes: a column of theirs (as export writes) is not written back.
const COMPUTED: &[&str] = &[
    "RECORD_NUMBER",
    "CALC",
    "STATUS",
    "STATUS_ASSIGNEE",
    "CATEGORY",
    "__ID__",
    "__REVISION__",
];

/// Field types kintone takes only when a record is added.
const ADD_ONLY: &[&str] = &["CREATOR", "MODIFIER", "CREATED_TIME", "UPDATED_TIME"];

/// One record ready to write.
#[derive(Debug, Clone)]
struct Converted {
    record: RecordInput,
    /// The update key's value, when `--update-key` names a field and the row has one.
    key: Option<String>,
    /// Local paths of the attachments to upload, which `record` names by path until then.
    files: Vec<String>,
}

pub async fn run(args: ImportArgs, quiet: bool) -> Result<(), CliError> {
    let format = match args.format {
        Some(format) => format,
        None => match args.file_path.extension().and_then(|e| e.to_str()) {
            Some("jsonl" | "ndjson") => Format::Jsonl,
            _ => Format::Csv,
        },
    };
    let bytes = std::fs::read(&args.file_path).map_err(CliError::io(format!(
        "reading {}",
        args.file_path.display()
    )))?;
    let checkpoint_path = Checkpoint::path_for(&args.file_path, args.checkpoint.as_deref());
    let earlier = Checkpoint::load(&checkpoint_path)?;
    if earlier.is_some() && !args.resume {
        return Err(CliError::Usage(format!(
            "{} holds an import that did not finish: add --resume to finish it, or delete the \
             file to start over",
            checkpoint_path.display()
        )));
    }
    if earlier.is_none() && args.resume {
        return Err(CliError::Usage(format!(
            "--resume: there is no checkpoint at {}",
            checkpoint_path.display()
        )));
    }
    let text = decode(&bytes, args.encoding, &args.file_path.display().to_string())?;
    let client = connection::client(&args.connection)?;
    let form = read_form(&client, args.app).await?;
    let parsed = match format {
        Format::Csv => csv_format::parse_csv(&text, &form)?,
        Format::Jsonl => csv_format::parse_jsonl(&text)?,
    };
    let key_field = match &args.update_key {
        Some(code) => Some(update_key_field(&form, code)?),
        None => None,
    };
    let chosen: Option<BTreeSet<&str>> = args
        .fields
        .as_ref()
        .map(|f| f.iter().map(String::as_str).collect());
    let mut converted: Vec<Option<Converted>> = Vec::with_capacity(parsed.len());
    let mut problems = Vec::new();
    for record in &parsed {
        match convert(
            record,
            &form,
            key_field,
            chosen.as_ref(),
            args.attachments_dir.as_deref(),
        ) {
            Ok(c) => converted.push(Some(c)),
            Err(errors) => {
                problems.extend(
                    errors
                        .into_iter()
                        .map(|e| format!("line {}: {e}", record.line)),
                );
                converted.push(None);
            }
        }
    }
    if !problems.is_empty() {
        if !args.skip_invalid {
            return Err(CliError::Input(format!(
                "nothing was imported: {} problem(s): {}",
                problems.len(),
                problems.join("; ")
            )));
        }
        for problem in &problems {
            eprintln!("skipped: {problem}");
        }
    }
    let fingerprint = fingerprint(&bytes);
    let checkpoint = match earlier {
        Some(checkpoint) => {
            if checkpoint.input_fingerprint != fingerprint
                || checkpoint.app != args.app
                || checkpoint.update_key != args.update_key
            {
                return Err(CliError::Usage(format!(
                    "{} belongs to another import (another file, app or update key, or the file \
                     changed since)",
                    checkpoint_path.display()
                )));
            }
            resolve_in_flight(checkpoint, args.in_flight)?
        }
        None => {
            let (updates, adds) = plan(&client, args.app, key_field, &converted).await?;
            Checkpoint {
                input_fingerprint: fingerprint,
                app: args.app,
                update_key: args.update_key.clone(),
                updates,
                adds,
                updates_committed: 0,
                adds_committed: 0,
                in_flight: None,
            }
        }
    };
    let pending_updates = checkpoint.updates[checkpoint.updates_committed..].to_vec();
    let pending_adds = checkpoint.adds[checkpoint.adds_committed..].to_vec();
    // Attachments are uploaded only for the records this run writes.
    if let Some(dir) = &args.attachments_dir {
        let to_send: Vec<usize> = pending_updates
            .iter()
            .chain(&pending_adds)
            .copied()
            .collect();
        upload_files(&client, dir, &mut converted, &to_send).await?;
    }
    checkpoint.save(&checkpoint_path)?;
    let total = checkpoint.updates.len() + checkpoint.adds.len();
    let already = checkpoint.updates_committed + checkpoint.adds_committed;
    let progress = Progress::new("importing", Some(total as u64), quiet);
    progress.update(already as u64);
    let mut checkpoint = checkpoint;
    // Ctrl-C stops the import between two bulk requests, never inside one, so that the
    // checkpoint always says exactly what kintone committed.
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.store(true, Ordering::SeqCst);
            }
        });
    }
    let writing = Writing {
        checkpoint_path: &checkpoint_path,
        progress: &progress,
        stop: &stop,
    };

    if !pending_updates.is_empty() {
        let key_is_number = key_field.is_some_and(|f| f.kind == "RECORD_NUMBER");
        let mut inputs = Vec::with_capacity(pending_updates.len());
        for &index in &pending_updates {
            let c = converted[index]
                .as_ref()
                .expect("planned records converted");
            let mut record = c.record.clone();
            record.retain(|code, _| !is_add_only(&form, code));
            let key = c.key.clone().expect("updates have a key");
            let update = if key_is_number {
                RecordUpdate::new().id(record_number(&key).expect("checked while planning"))
            } else {
                let code = &key_field.expect("updates have a key field").code;
                record.remove(code);
                RecordUpdate::new().update_key(UpdateKey::new(code.clone(), key))
            };
            inputs.push(update.record(record));
        }
        for chunk in inputs.chunks(RECORDS_PER_BULK) {
            writing.before(&mut checkpoint, Phase::Update, chunk.len())?;
            let job = if key_is_number {
                client.update_all(args.app, chunk.to_vec())
            } else {
                client.upsert_all(args.app, chunk.to_vec())
            };
            let outcome = job.send().await.map(drop).map_err(|s| {
                let unknown = s.failure().outcome_unknown;
                (s.to_string(), unknown)
            });
            writing.after(&mut checkpoint, Phase::Update, chunk.len(), outcome)?;
        }
    }
    if !pending_adds.is_empty() {
        let inputs: Vec<RecordInput> = pending_adds
            .iter()
            .map(|&i| {
                converted[i]
                    .as_ref()
                    .expect("planned records converted")
                    .record
                    .clone()
            })
            .collect();
        for chunk in inputs.chunks(RECORDS_PER_BULK) {
            writing.before(&mut checkpoint, Phase::Add, chunk.len())?;
            let outcome = client
                .add_all(args.app, chunk.to_vec())
                .send()
                .await
                .map(drop)
                .map_err(|s| {
                    let unknown = s.failure().outcome_unknown;
                    (s.to_string(), unknown)
                });
            writing.after(&mut checkpoint, Phase::Add, chunk.len(), outcome)?;
        }
    }
    let _ = std::fs::remove_file(&checkpoint_path);
    progress.finish(&format!(
        "imported {} records ({} updated or upserted, {} added){}",
        total,
        checkpoint.updates.len(),
        checkpoint.adds.len(),
        if problems.is_empty() {
            String::new()
        } else {
            format!(", {} rows skipped", problems.len())
        }
    ));
    Ok(())
}

/// The records one bulk request carries: each chunk of the import is one bulk request, so that
/// the checkpoint is written around each.
const RECORDS_PER_BULK: usize =
    kintone_api::limits::MAX_RECORDS_PER_WRITE * kintone_api::limits::MAX_BULK_REQUESTS;

/// What the write loop shares: where the checkpoint goes, the progress, and Ctrl-C.
struct Writing<'a> {
    checkpoint_path: &'a Path,
    progress: &'a Progress,
    stop: &'a AtomicBool,
}

impl Writing<'_> {
    /// Before a bulk request: stop if Ctrl-C was pressed; otherwise record the request as in
    /// flight, so that a run killed during it knows which records may have been written.
    fn before(
        &self,
        checkpoint: &mut Checkpoint,
        phase: Phase,
        len: usize,
    ) -> Result<(), CliError> {
        let done = checkpoint.updates_committed + checkpoint.adds_committed;
        if self.stop.load(Ordering::SeqCst) {
            let total = checkpoint.updates.len() + checkpoint.adds.len();
            return Err(CliError::Other(format!(
                "interrupted after {done} of {total} records; what was written is recorded in \
                 {}: run the same command with --resume to finish",
                self.checkpoint_path.display()
            )));
        }
        let start = checkpoint.committed(phase);
        checkpoint.in_flight = Some(InFlight {
            phase,
            start,
            end: start + len,
        });
        checkpoint.save(self.checkpoint_path)
    }

    /// After a bulk request: the records it committed, or why it failed (and whether it may
    /// have been written all the same).
    fn after(
        &self,
        checkpoint: &mut Checkpoint,
        phase: Phase,
        len: usize,
        outcome: Result<(), (String, bool)>,
    ) -> Result<(), CliError> {
        match outcome {
            Ok(()) => {
                *checkpoint.committed_mut(phase) += len;
                checkpoint.in_flight = None;
                checkpoint.save(self.checkpoint_path)?;
                self.progress
                    .update((checkpoint.updates_committed + checkpoint.adds_committed) as u64);
                Ok(())
            }
            Err((message, outcome_unknown)) => {
                // kintone rolled a failed bulk request back, unless the answer was lost.
                if !outcome_unknown {
                    checkpoint.in_flight = None;
                }
                checkpoint.save(self.checkpoint_path)?;
                Err(stopped_error(&message, self.checkpoint_path))
            }
        }
    }
}

fn stopped_error(stopped: &str, checkpoint: &Path) -> CliError {
    CliError::Other(format!(
        "{stopped}; what was written is recorded in {}: run the same command with --resume to \
         finish",
        checkpoint.display()
    ))
}

/// A run killed during a bulk request left it in flight. Updates and upserts are sent again
/// (writing the same values twice changes nothing); added records could be added twice, so the
/// user says whether kintone wrote them.
fn resolve_in_flight(
    mut checkpoint: Checkpoint,
    answer: Option<InFlightAnswer>,
) -> Result<Checkpoint, CliError> {
    let Some(in_flight) = checkpoint.in_flight.take() else {
        return Ok(checkpoint);
    };
    if in_flight.phase == Phase::Update {
        return Ok(checkpoint);
    }
    match answer {
        Some(InFlightAnswer::Written) => {
            checkpoint.adds_committed = in_flight.end;
            Ok(checkpoint)
        }
        Some(InFlightAnswer::NotWritten) => Ok(checkpoint),
        None => Err(CliError::Usage(format!(
            "the last run stopped while the records {}..{} to add were being written, and \
             kintone may have written them: look in the app, then resume with --in-flight \
             written (they are skipped) or --in-flight not-written (they are sent again)",
            in_flight.start + 1,
            in_flight.end
        ))),
    }
}

fn is_add_only(form: &Form, code: &str) -> bool {
    form.top(code)
        .is_some_and(|f| ADD_ONLY.contains(&f.kind.as_str()))
}

/// The field `--update-key` names: the record number, or a text or number field outside tables.
fn update_key_field<'f>(form: &'f Form, code: &str) -> Result<&'f FormField, CliError> {
    let field = form.top(code).ok_or_else(|| {
        CliError::Usage(format!(
            "--update-key: the app has no field {code} outside its tables"
        ))
    })?;
    match field.kind.as_str() {
        "RECORD_NUMBER" | "SINGLE_LINE_TEXT" | "NUMBER" => Ok(field),
        other => Err(CliError::Usage(format!(
            "--update-key: {code} is a {other} field; use the record number or a text or number \
             field that prohibits duplicate values"
        ))),
    }
}

/// The record id in a record number (`12`, or `APP-12` with the app's code).
fn record_number(value: &str) -> Option<u64> {
    value
        .rsplit('-')
        .next()?
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

/// Which records update and which add: rows with a key update (kintone's upsert adds those
/// whose key matches nothing); rows without add. With the record number as key, the numbers
/// that exist update and the others add.
async fn plan(
    client: &Client,
    app: u64,
    key_field: Option<&FormField>,
    converted: &[Option<Converted>],
) -> Result<(Vec<usize>, Vec<usize>), CliError> {
    let mut updates = Vec::new();
    let mut adds = Vec::new();
    let by_number = key_field.is_some_and(|f| f.kind == "RECORD_NUMBER");
    let existing = if by_number {
        let ids: Vec<u64> = converted
            .iter()
            .flatten()
            .filter_map(|c| c.key.as_deref().and_then(record_number))
            .collect();
        existing_ids(client, app, &ids).await?
    } else {
        BTreeSet::new()
    };
    for (index, c) in converted.iter().enumerate() {
        let Some(c) = c else { continue };
        match (&c.key, by_number) {
            (Some(key), true) if record_number(key).is_some_and(|id| existing.contains(&id)) => {
                updates.push(index)
            }
            (Some(_), false) => updates.push(index),
            _ => adds.push(index),
        }
    }
    Ok((updates, adds))
}

/// Which of these record ids exist in the app.
async fn existing_ids(client: &Client, app: u64, ids: &[u64]) -> Result<BTreeSet<u64>, CliError> {
    let mut found = BTreeSet::new();
    let page = kintone_api::limits::MAX_RECORDS_PER_PAGE;
    for chunk in ids.chunks(page) {
        let list = chunk
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let answer = client
            .send(
                GetRecordsRequest::new(app)
                    .query(format!("$id in ({list}) limit {page}"))
                    .fields(["$id"]),
            )
            .await?;
        for record in &answer.body().records {
            if let Some(kintone_api::FieldValue::Id(id)) = record.get("$id") {
                if let Ok(value) = serde_json::to_value(id) {
                    if let Some(n) = value["value"].as_str().and_then(|v| v.parse().ok()) {
                        found.insert(n);
                    }
                }
            }
        }
    }
    Ok(found)
}

/// Uploads the attachments of the records about to be written and puts their keys in place of
/// their paths.
async fn upload_files(
    client: &Client,
    dir: &Path,
    converted: &mut [Option<Converted>],
    indices: &[usize],
) -> Result<(), CliError> {
    for &index in indices {
        let Some(c) = converted[index].as_mut() else {
            continue;
        };
        if c.files.is_empty() {
            continue;
        }
        let mut keys = HashMap::new();
        for path in &c.files {
            let part = FilePart::from_path(dir.join(path))
                .await
                .map_err(CliError::io(format!("reading the attachment {path}")))?;
            let key = client
                .send(UploadFileRequest::new(part))
                .await?
                .into_body()
                .file_key;
            keys.insert(path.clone(), key);
        }
        for value in c.record.values_mut() {
            replace_file_keys(value, &keys);
        }
    }
    Ok(())
}

fn replace_file_keys(value: &mut FieldInput, keys: &HashMap<String, String>) {
    match value {
        FieldInput::File(files) => {
            for file in &mut files.value {
                if let Some(key) = keys.get(&file.file_key) {
                    file.file_key = key.clone();
                }
            }
        }
        FieldInput::Subtable(table) => {
            for row in &mut table.value {
                for inner in row.value.values_mut() {
                    replace_file_keys(inner, keys);
                }
            }
        }
        _ => {}
    }
}

/// One record read from the file, checked against the form and made ready to write; or every
/// problem it has.
fn convert(
    parsed: &ParsedRecord,
    form: &Form,
    key_field: Option<&FormField>,
    chosen: Option<&BTreeSet<&str>>,
    attachments: Option<&Path>,
) -> Result<Converted, Vec<String>> {
    let mut errors = Vec::new();
    let mut record = RecordInput::new();
    let mut files = Vec::new();
    let mut key = None;
    let wanted = |code: &str| chosen.is_none_or(|c| c.contains(code));
    for (code, raw) in &parsed.fields {
        if code.starts_with('$') {
            continue;
        }
        let Some(field) = form.top(code) else {
            errors.push(format!("the app has no field {code}"));
            continue;
        };
        if key_field.is_some_and(|k| k.code == *code) {
            if let Raw::Text(text) = raw {
                if !text.is_empty() {
                    if field.kind == "RECORD_NUMBER" && record_number(text).is_none() {
                        errors.push(format!("{code}: {text:?} is not a record number"));
                    }
                    key = Some(text.clone());
                }
            }
        }
        if !wanted(code) || COMPUTED.contains(&field.kind.as_str()) {
            continue;
        }
        match value(field, raw, attachments, &mut files) {
            Ok(Some(input)) => {
                record.insert(code.clone(), input);
            }
            Ok(None) => {}
            Err(e) => errors.push(format!("{code}: {e}")),
        }
    }
    for (code, rows) in &parsed.tables {
        let Some(table) = form.top(code).filter(|f| f.is_table()) else {
            errors.push(format!("the app has no table {code}"));
            continue;
        };
        if !wanted(code) && !table.fields.iter().any(|f| wanted(&f.code)) {
            continue;
        }
        let mut inputs = Vec::new();
        for row in rows {
            let mut cells = BTreeMap::new();
            for (inner_code, raw) in &row.fields {
                let Some(inner) = table.fields.iter().find(|f| f.code == *inner_code) else {
                    errors.push(format!("the table {code} has no field {inner_code}"));
                    continue;
                };
                if COMPUTED.contains(&inner.kind.as_str()) {
                    continue;
                }
                match value(inner, raw, attachments, &mut files) {
                    Ok(Some(input)) => {
                        cells.insert(inner_code.clone(), input);
                    }
                    Ok(None) => {}
                    Err(e) => errors.push(format!("{code}.{inner_code}: {e}")),
                }
            }
            inputs.push(SubtableRowInput::new(cells));
        }
        record.insert(code.clone(), FieldInput::subtable(inputs));
    }
    if errors.is_empty() {
        Ok(Converted { record, key, files })
    } else {
        Err(errors)
    }
}

/// The values of a raw value: a list as it is, a text split at line breaks.
fn values(raw: &Raw) -> Vec<String> {
    match raw {
        Raw::List(items) => items.clone(),
        Raw::Text(text) if text.is_empty() => Vec::new(),
        Raw::Text(text) => text.split(LINE_BREAK).map(str::to_string).collect(),
    }
}

/// A raw value as what its field takes, or why it cannot be. `None`: nothing to write (an
/// attachment column without `--attachments-dir`).
fn value(
    field: &FormField,
    raw: &Raw,
    attachments: Option<&Path>,
    files: &mut Vec<String>,
) -> Result<Option<FieldInput>, String> {
    let text = || match raw {
        Raw::Text(text) => Ok(text.clone()),
        Raw::List(_) => Err(format!(
            "a {} field takes one value, not a list",
            field.kind
        )),
    };
    let choice = |value: &str| match &field.options {
        Some(options) if !value.is_empty() && !options.iter().any(|o| o == value) => Err(format!(
            "{value:?} is not one of its options ({})",
            options.join(", ")
        )),
        _ => Ok(()),
    };
    let parsed = |what: &str, value: String| format!("{value:?} is not a {what}");
    Ok(Some(match field.kind.as_str() {
        "SINGLE_LINE_TEXT" => FieldInput::single_line_text(text()?),
        "MULTI_LINE_TEXT" => FieldInput::multi_line_text(text()?),
        "RICH_TEXT" => FieldInput::rich_text(text()?),
        "LINK" => FieldInput::link(text()?),
        "RADIO_BUTTON" => {
            let value = text()?;
            choice(&value)?;
            // A radio button always has a choice: an empty cell leaves the field's default.
            if value.is_empty() {
                return Ok(None);
            }
            FieldInput::radio_button(value)
        }
        "DROP_DOWN" => {
            let value = text()?;
            choice(&value)?;
            FieldInput::drop_down(value)
        }
        "CHECK_BOX" | "MULTI_SELECT" => {
            let chosen = values(raw);
            for value in &chosen {
                choice(value)?;
            }
            if field.kind == "CHECK_BOX" {
                FieldInput::check_box(chosen)
            } else {
                FieldInput::multi_select(chosen)
            }
        }
        "NUMBER" => {
            let value = text()?;
            if value.is_empty() {
                FieldInput::number(None)
            } else {
                FieldInput::number(
                    value
                        .parse::<Decimal>()
                        .map_err(|_| parsed("number", value))?,
                )
            }
        }
        "DATE" => {
            let value = text()?;
            FieldInput::date(if value.is_empty() {
                None
            } else {
                Some(
                    value
                        .parse::<Date>()
                        .map_err(|_| parsed("date (YYYY-MM-DD)", value))?,
                )
            })
        }
        "TIME" => {
            let value = text()?;
            FieldInput::time(if value.is_empty() {
                None
            } else {
                Some(
                    value
                        .parse::<Time>()
                        .map_err(|_| parsed("time (HH:MM)", value))?,
                )
            })
        }
        "DATETIME" | "CREATED_TIME" | "UPDATED_TIME" => {
            let value = text()?;
            let at = if value.is_empty() {
                None
            } else {
                Some(
                    value
                        .parse::<DateTime>()
                        .map_err(|_| parsed("date and time", value))?,
                )
            };
            match field.kind.as_str() {
                "DATETIME" => FieldInput::datetime(at),
                _ if at.is_none() => return Ok(None),
                "CREATED_TIME" => FieldInput::created_time(at),
                _ => FieldInput::updated_time(at),
            }
        }
        "USER_SELECT" | "ORGANIZATION_SELECT" | "GROUP_SELECT" => {
            let codes = values(raw)
                .into_iter()
                .map(EntityCode::new)
                .collect::<Vec<_>>();
            match field.kind.as_str() {
                "USER_SELECT" => FieldInput::user_select(codes),
                "ORGANIZATION_SELECT" => FieldInput::organization_select(codes),
                _ => FieldInput::group_select(codes),
            }
        }
        "CREATOR" | "MODIFIER" => {
            let code = text()?;
            if code.is_empty() {
                return Ok(None);
            }
            if field.kind == "CREATOR" {
                FieldInput::creator(EntityCode::new(code))
            } else {
                FieldInput::modifier(EntityCode::new(code))
            }
        }
        "FILE" => {
            let Some(dir) = attachments else {
                return Ok(None);
            };
            let paths = values(raw);
            for path in &paths {
                let full = dir.join(path);
                if !full.is_file()
                    || Path::new(path).components().any(|c| {
                        matches!(
                            c,
                            std::path::Component::ParentDir | std::path::Component::RootDir
                        )
                    })
                {
                    return Err(format!("no attachment {} in {}", path, dir.display()));
                }
            }
            files.extend(paths.iter().cloned());
            FieldInput::file(paths.into_iter().map(FileRef::new))
        }
        other => return Err(format!("fields of type {other} cannot be imported")),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_numbers_may_carry_the_app_code() {
        assert_eq!(record_number("12"), Some(12));
        assert_eq!(record_number("APP-12"), Some(12));
        assert_eq!(record_number("x"), None);
        assert_eq!(record_number("0"), None);
    }
}

#[cfg(test)]
mod in_flight_tests {
    use super::*;

    fn stopped_during(phase: Phase) -> Checkpoint {
        Checkpoint {
            input_fingerprint: "f".into(),
            app: 1,
            update_key: None,
            updates: vec![0, 1],
            adds: (2..6000).collect(),
            updates_committed: 2,
            adds_committed: 2000,
            in_flight: Some(InFlight {
                phase,
                start: 2000,
                end: 4000,
            }),
        }
    }

    #[test]
    fn adds_in_flight_need_the_user_s_word_and_updates_are_sent_again() {
        let err = resolve_in_flight(stopped_during(Phase::Add), None).unwrap_err();
        assert!(err.to_string().contains("2001..4000"), "{err}");
        let written = resolve_in_flight(stopped_during(Phase::Add), Some(InFlightAnswer::Written));
        assert_eq!(written.unwrap().adds_committed, 4000);
        let again = resolve_in_flight(stopped_during(Phase::Add), Some(InFlightAnswer::NotWritten));
        assert_eq!(again.unwrap().adds_committed, 2000);
        let update = resolve_in_flight(stopped_during(Phase::Update), None).unwrap();
        assert_eq!((update.updates_committed, update.in_flight), (2, None));
    }
}

//! `kintone record import`: every row converted and checked first, then written through the
//! bulk writers, with a checkpoint after every bulk request.
//!
//! The file is read twice, a record at a time: a first pass converts and checks every row and
//! keeps only how each is to be written (the plan the checkpoint holds); a second pass reads the
//! rows still to write again and sends them a bulk request at a time. Memory holds one bulk
//! request's records and the plan (a few bytes a row), whatever the size of the file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use kintone_api::types::{GetRecordsRequest, UploadFileRequest};
use kintone_api::{
    Client, Date, DateTime, Decimal, EntityCode, FieldInput, FilePart, FileRef, RecordInput,
    RecordUpdate, SubtableRowInput, Time, UpdateKey,
};

use crate::checkpoint::{fingerprint_file, Checkpoint, InFlight, Phase};
use crate::cli::{Encoding, Format, ImportArgs, InFlightAnswer};
use crate::connection;
use crate::csv_format::{CsvRecords, Form, FormField, JsonlRecords, ParsedRecord, Raw, LINE_BREAK};
use crate::encoding::DecodingReader;
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
    let client = connection::client(&args.connection)?;
    let form = read_form(&client, args.app).await?;
    let key_field = match &args.update_key {
        Some(code) => Some(update_key_field(&form, code)?),
        None => None,
    };
    let chosen: Option<BTreeSet<&str>> = args
        .fields
        .as_ref()
        .map(|f| f.iter().map(String::as_str).collect());
    let input = Input {
        path: &args.file_path,
        format,
        encoding: args.encoding,
        form: &form,
    };
    let converter = Converter {
        form: &form,
        key_field,
        chosen: chosen.as_ref(),
        attachments: args.attachments_dir.as_deref(),
    };
    // The first pass: every row converted and checked, nothing kept of it but its plan.
    let survey = survey(&input, &converter, args.skip_invalid)?;
    let fingerprint = fingerprint_file(&args.file_path)?;
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
            let (updates, adds) = plan(&client, args.app, &survey.rows).await?;
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

    // The second pass, once per phase: the rows still to write read again, converted again
    // and sent a bulk request at a time, so that one bulk request's records are held at most.
    let pending_updates = checkpoint.updates[checkpoint.updates_committed..].to_vec();
    if !pending_updates.is_empty() {
        let key_is_number = key_field.is_some_and(|f| f.kind == "RECORD_NUMBER");
        let mut batch = Vec::with_capacity(RECORDS_PER_BULK.min(pending_updates.len()));
        let mut rows = planned_rows(&input, &converter, &pending_updates)?;
        let mut left = pending_updates.len();
        while left > 0 {
            let mut converted = rows.next().unwrap_or_else(|| Err(changed(&input)))?;
            upload_files(&client, args.attachments_dir.as_deref(), &mut converted).await?;
            let mut record = converted.record;
            record.retain(|code, _| !is_add_only(&form, code));
            let key = converted.key.expect("updates have a key");
            let update = if key_is_number {
                RecordUpdate::new().id(record_number(&key).expect("checked while planning"))
            } else {
                let code = &key_field.expect("updates have a key field").code;
                record.remove(code);
                RecordUpdate::new().update_key(UpdateKey::new(code.clone(), key))
            };
            batch.push(update.record(record));
            left -= 1;
            if batch.len() < RECORDS_PER_BULK && left > 0 {
                continue;
            }
            let chunk = std::mem::take(&mut batch);
            let len = chunk.len();
            writing.before(&mut checkpoint, Phase::Update, len)?;
            let job = if key_is_number {
                client.update_all(args.app, chunk)
            } else {
                client.upsert_all(args.app, chunk)
            };
            let outcome = job.send().await.map(drop).map_err(|s| {
                let unknown = s.failure().outcome_unknown;
                (s.to_string(), unknown)
            });
            writing.after(&mut checkpoint, Phase::Update, len, outcome)?;
        }
    }
    let pending_adds = checkpoint.adds[checkpoint.adds_committed..].to_vec();
    if !pending_adds.is_empty() {
        let mut batch = Vec::with_capacity(RECORDS_PER_BULK.min(pending_adds.len()));
        let mut rows = planned_rows(&input, &converter, &pending_adds)?;
        let mut left = pending_adds.len();
        while left > 0 {
            let mut converted = rows.next().unwrap_or_else(|| Err(changed(&input)))?;
            upload_files(&client, args.attachments_dir.as_deref(), &mut converted).await?;
            batch.push(converted.record);
            left -= 1;
            if batch.len() < RECORDS_PER_BULK && left > 0 {
                continue;
            }
            let chunk = std::mem::take(&mut batch);
            let len = chunk.len();
            writing.before(&mut checkpoint, Phase::Add, len)?;
            let outcome = client
                .add_all(args.app, chunk)
                .send()
                .await
                .map(drop)
                .map_err(|s| {
                    let unknown = s.failure().outcome_unknown;
                    (s.to_string(), unknown)
                });
            writing.after(&mut checkpoint, Phase::Add, len, outcome)?;
        }
    }
    let _ = std::fs::remove_file(&checkpoint_path);
    progress.finish(&format!(
        "imported {} records ({} updated or upserted, {} added){}",
        total,
        checkpoint.updates.len(),
        checkpoint.adds.len(),
        if survey.problems == 0 {
            String::new()
        } else {
            format!(", {} rows skipped", survey.problems_rows)
        }
    ));
    Ok(())
}

/// The input file, read from its start on each pass.
struct Input<'a> {
    path: &'a Path,
    format: Format,
    encoding: Encoding,
    form: &'a Form,
}

type Records<'a> = Box<dyn Iterator<Item = Result<ParsedRecord, CliError>> + 'a>;

impl<'a> Input<'a> {
    /// The file's records, one at a time.
    fn records(&self) -> Result<Records<'a>, CliError> {
        let file = std::fs::File::open(self.path)
            .map_err(CliError::io(format!("reading {}", self.path.display())))?;
        let text = std::io::BufReader::with_capacity(
            64 * 1024,
            DecodingReader::new(file, self.encoding, self.path.display().to_string()),
        );
        Ok(match self.format {
            Format::Csv => Box::new(CsvRecords::new(text, self.form)?),
            Format::Jsonl => Box::new(JsonlRecords::new(text)),
        })
    }
}

/// The file no longer gives the rows the first pass checked.
fn changed(input: &Input<'_>) -> CliError {
    CliError::Input(format!(
        "{} changed during the import: it no longer has the rows it had when they were checked",
        input.path.display()
    ))
}

/// What the conversion of a row needs: the form and the options.
struct Converter<'a> {
    form: &'a Form,
    key_field: Option<&'a FormField>,
    chosen: Option<&'a BTreeSet<&'a str>>,
    attachments: Option<&'a Path>,
}

impl Converter<'_> {
    fn convert(&self, parsed: &ParsedRecord) -> Result<Converted, Vec<String>> {
        convert(
            parsed,
            self.form,
            self.key_field,
            self.chosen,
            self.attachments,
        )
    }
}

/// What the first pass keeps of a row: how it is to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowPlan {
    /// It cannot be imported (skipped with `--skip-invalid`).
    Invalid,
    /// It has no key: added.
    Add,
    /// It has a key that names a field: upserted.
    Upsert,
    /// Its key is this record number: updated if the record exists, added otherwise.
    ByNumber(u64),
}

/// The first pass's findings.
struct Survey {
    /// Each row's plan, in the file's order.
    rows: Vec<RowPlan>,
    /// How many problems there were, and in how many rows.
    problems: usize,
    problems_rows: usize,
}

/// The most problems an error lists; the others are counted.
const MAX_LISTED_PROBLEMS: usize = 100;

/// Reads every row once, converts and checks it, and keeps its plan only. Problems stop the
/// import before anything is sent, unless `skip_invalid`: then each is printed as it is found.
fn survey(
    input: &Input<'_>,
    converter: &Converter<'_>,
    skip_invalid: bool,
) -> Result<Survey, CliError> {
    let mut survey = Survey {
        rows: Vec::new(),
        problems: 0,
        problems_rows: 0,
    };
    let mut listed = Vec::new();
    let by_number = converter
        .key_field
        .is_some_and(|f| f.kind == "RECORD_NUMBER");
    for record in input.records()? {
        let record = record?;
        match converter.convert(&record) {
            Ok(converted) => survey.rows.push(match converted.key {
                None => RowPlan::Add,
                Some(key) if by_number => {
                    RowPlan::ByNumber(record_number(&key).expect("checked by the conversion"))
                }
                Some(_) => RowPlan::Upsert,
            }),
            Err(errors) => {
                survey.rows.push(RowPlan::Invalid);
                survey.problems_rows += 1;
                for error in errors {
                    survey.problems += 1;
                    let problem = format!("line {}: {error}", record.line);
                    if skip_invalid {
                        eprintln!("skipped: {problem}");
                    } else if listed.len() < MAX_LISTED_PROBLEMS {
                        listed.push(problem);
                    }
                }
            }
        }
    }
    if survey.problems > 0 && !skip_invalid {
        let unlisted = survey.problems - listed.len();
        return Err(CliError::Input(format!(
            "nothing was imported: {} problem(s): {}{}",
            survey.problems,
            listed.join("; "),
            if unlisted > 0 {
                format!("; and {unlisted} more")
            } else {
                String::new()
            }
        )));
    }
    Ok(survey)
}

/// The rows at these positions (ascending), converted, read again from the file.
fn planned_rows<'a>(
    input: &Input<'a>,
    converter: &'a Converter<'a>,
    positions: &'a [usize],
) -> Result<impl Iterator<Item = Result<Converted, CliError>> + 'a, CliError> {
    let mut wanted = positions.iter().copied().peekable();
    let records = input.records()?.enumerate();
    Ok(records.filter_map(move |(position, record)| {
        let next = *wanted.peek()?;
        if position != next {
            return None;
        }
        wanted.next();
        Some(record.and_then(|record| {
            converter.convert(&record).map_err(|errors| {
                CliError::Input(format!(
                    "line {}: {} (the file changed since its rows were checked)",
                    record.line,
                    errors.join("; ")
                ))
            })
        }))
    }))
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
    rows: &[RowPlan],
) -> Result<(Vec<usize>, Vec<usize>), CliError> {
    let ids: Vec<u64> = rows
        .iter()
        .filter_map(|row| match row {
            RowPlan::ByNumber(id) => Some(*id),
            _ => None,
        })
        .collect();
    let existing = if ids.is_empty() {
        BTreeSet::new()
    } else {
        existing_ids(client, app, &ids).await?
    };
    let mut updates = Vec::new();
    let mut adds = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        match row {
            RowPlan::Invalid => {}
            RowPlan::Upsert => updates.push(index),
            RowPlan::ByNumber(id) if existing.contains(id) => updates.push(index),
            RowPlan::ByNumber(_) | RowPlan::Add => adds.push(index),
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

/// Uploads the attachments of a record about to be written and puts their keys in place of
/// their paths.
async fn upload_files(
    client: &Client,
    dir: Option<&Path>,
    converted: &mut Converted,
) -> Result<(), CliError> {
    let Some(dir) = dir else {
        return Ok(());
    };
    if converted.files.is_empty() {
        return Ok(());
    }
    let mut keys = HashMap::new();
    for path in &converted.files {
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
    for value in converted.record.values_mut() {
        replace_file_keys(value, &keys);
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

//! cli-kintone's CSV, as version 1.19 writes and reads it.
//!
//! - The header names the field codes. An app with a table starts with a `*` column; a table's
//!   column holds the row id and is followed by the columns of the fields inside it.
//! - A record with table rows takes one line per row, the first marked `*`; the fields outside
//!   the tables are repeated on each line, and the columns of the other tables are empty. A
//!   record whose tables have no rows takes one line.
//! - Every value is quoted (quotes doubled) except an empty value and the lone `*`; lines end
//!   with `\n`, the last one too.
//! - Multi-valued fields (check box, multi-choice, user, department and group selections,
//!   attachments) hold their values one a line; creator and modifier their login name.
//! - The columns follow the form's layout; the record number comes first, the creator, created
//!   time, modifier and updated time, when not placed on the form, last. Statuses, assignees,
//!   categories, lookups, related records, labels and groups are not exported.

use std::collections::HashMap;

use serde_json::Value;

use crate::error::CliError;

/// The marker column, and the mark of a record's first line.
pub const PRIMARY_MARK: &str = "*";
/// Between the values of a multi-valued field.
pub const LINE_BREAK: &str = "\n";

/// The field types cli-kintone exports, outside tables.
const EXPORTED_TYPES: &[&str] = &[
    "RECORD_NUMBER",
    "SINGLE_LINE_TEXT",
    "RADIO_BUTTON",
    "MULTI_LINE_TEXT",
    "NUMBER",
    "RICH_TEXT",
    "LINK",
    "DROP_DOWN",
    "CALC",
    "CREATOR",
    "MODIFIER",
    "UPDATED_TIME",
    "CREATED_TIME",
    "DATETIME",
    "DATE",
    "TIME",
    "MULTI_SELECT",
    "CHECK_BOX",
    "FILE",
    "SUBTABLE",
    "USER_SELECT",
    "ORGANIZATION_SELECT",
    "GROUP_SELECT",
];

/// The system fields not placed on a form, in the order they are placed last.
const SYSTEM_ORDER: &[&str] = &[
    "RECORD_NUMBER",
    "CREATOR",
    "CREATED_TIME",
    "MODIFIER",
    "UPDATED_TIME",
];

/// One field of the form, as the CLI needs it.
#[derive(Debug, Clone)]
pub struct FormField {
    pub code: String,
    pub kind: String,
    /// The choices of a radio button, drop-down, check box or multi-choice field.
    pub options: Option<Vec<String>>,
    /// A lookup: its value is copied from another app, not written.
    pub lookup: bool,
    /// The fields of a table, in layout order.
    pub fields: Vec<FormField>,
}

impl FormField {
    fn from_json(property: &Value) -> Option<Self> {
        let code = property.get("code")?.as_str()?.to_string();
        let kind = property.get("type")?.as_str()?.to_string();
        let options = property.get("options").and_then(Value::as_object).map(|o| {
            let mut named: Vec<(i64, String)> = o
                .iter()
                .map(|(name, v)| {
                    let index = v
                        .get("index")
                        .and_then(|i| i.as_str().and_then(|s| s.parse().ok()).or(i.as_i64()))
                        .unwrap_or(0);
                    (index, name.clone())
                })
                .collect();
            named.sort();
            named.into_iter().map(|(_, n)| n).collect()
        });
        let lookup = property.get("lookup").is_some_and(|l| !l.is_null());
        let fields = property
            .get("fields")
            .and_then(Value::as_object)
            .map(|inner| inner.values().filter_map(FormField::from_json).collect())
            .unwrap_or_default();
        Some(Self {
            code,
            kind,
            options,
            lookup,
            fields,
        })
    }

    pub fn is_table(&self) -> bool {
        self.kind == "SUBTABLE"
    }
}

/// An app's form: its fields in layout order, and where each field code lives.
#[derive(Debug, Clone)]
pub struct Form {
    /// The fields outside tables and the tables, in layout order.
    pub fields: Vec<FormField>,
    /// For a field inside a table, the table's code.
    pub table_of: HashMap<String, String>,
}

impl Form {
    /// The form from Get Form Fields' `properties` and Get Form Layout's `layout` (as JSON).
    pub fn new(properties: &Value, layout: &Value) -> Self {
        let order = layout_order(layout);
        let position = |field: &FormField| -> (u8, usize) {
            match order.iter().position(|c| *c == field.code) {
                Some(i) => (1, i),
                None if field.kind == "RECORD_NUMBER" => (0, 0),
                None => (
                    2,
                    SYSTEM_ORDER
                        .iter()
                        .position(|t| *t == field.kind)
                        .unwrap_or(usize::MAX),
                ),
            }
        };
        let mut fields: Vec<FormField> = properties
            .as_object()
            .map(|p| p.values().filter_map(FormField::from_json).collect())
            .unwrap_or_default();
        fields.sort_by_key(position);
        let mut table_of = HashMap::new();
        for table in fields.iter_mut().filter(|f| f.is_table()) {
            table.fields.sort_by_key(position);
            for inner in &table.fields {
                table_of.insert(inner.code.clone(), table.code.clone());
            }
        }
        Self { fields, table_of }
    }

    /// A field outside tables, or a table, by code.
    pub fn top(&self, code: &str) -> Option<&FormField> {
        self.fields.iter().find(|f| f.code == code)
    }

    /// A field inside a table, by code.
    pub fn inner(&self, code: &str) -> Option<&FormField> {
        let table = self.top(self.table_of.get(code)?)?;
        table.fields.iter().find(|f| f.code == code)
    }

    /// The record number field's code.
    pub fn record_number(&self) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.kind == "RECORD_NUMBER")
            .map(|f| f.code.as_str())
    }
}

/// Field codes in the order the layout places them (inside groups too; a table, then its
/// fields).
fn layout_order(layout: &Value) -> Vec<String> {
    let mut codes = Vec::new();
    fn walk(rows: &Value, codes: &mut Vec<String>) {
        for row in rows.as_array().into_iter().flatten() {
            match row.get("type").and_then(Value::as_str) {
                Some("SUBTABLE") => {
                    if let Some(code) = row.get("code").and_then(Value::as_str) {
                        codes.push(code.to_string());
                    }
                    push_fields(row, codes);
                }
                Some("GROUP") => walk(row.get("layout").unwrap_or(&Value::Null), codes),
                _ => push_fields(row, codes),
            }
        }
    }
    fn push_fields(row: &Value, codes: &mut Vec<String>) {
        for field in row
            .get("fields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(code) = field.get("code").and_then(Value::as_str) {
                codes.push(code.to_string());
            }
        }
    }
    walk(layout, &mut codes);
    codes
}

/// The columns an export writes: the fields cli-kintone exports, or those chosen with
/// `--fields` in the order given.
#[derive(Debug, Clone)]
pub struct ExportSchema {
    pub fields: Vec<FormField>,
    /// Each field's place in `fields`, by code.
    positions: HashMap<String, usize>,
}

impl ExportSchema {
    pub fn new(form: &Form, chosen: Option<&[String]>) -> Result<Self, CliError> {
        let exported = |f: &FormField| EXPORTED_TYPES.contains(&f.kind.as_str()) && !f.lookup;
        let fields = match chosen {
            None => form
                .fields
                .iter()
                .filter(|f| exported(f))
                .map(|f| FormField {
                    fields: f.fields.iter().filter(|i| exported(i)).cloned().collect(),
                    ..f.clone()
                })
                .collect(),
            Some(codes) => {
                let mut fields: Vec<FormField> = Vec::new();
                let mut named_inner: HashMap<String, Vec<FormField>> = HashMap::new();
                for code in codes {
                    if let Some(field) = form.top(code) {
                        if !exported(field) {
                            return Err(CliError::Input(format!(
                                "--fields: {code} is a {} field, which is not exported",
                                field.kind
                            )));
                        }
                        match fields.iter_mut().find(|f| f.code == *code) {
                            // A table named after some of its fields keeps those.
                            Some(_) => {}
                            None if field.is_table() => fields.push(FormField {
                                fields: field
                                    .fields
                                    .iter()
                                    .filter(|i| exported(i))
                                    .cloned()
                                    .collect(),
                                ..field.clone()
                            }),
                            None => fields.push(field.clone()),
                        }
                    } else if let (Some(table), Some(inner)) =
                        (form.table_of.get(code), form.inner(code))
                    {
                        let named = named_inner.entry(table.clone()).or_default();
                        if !named.iter().any(|i: &FormField| i.code == *code) {
                            named.push(inner.clone());
                        }
                        if !fields.iter().any(|f| f.code == *table) {
                            let table_field = form.top(table).expect("a table of the form");
                            fields.push(table_field.clone());
                        }
                    } else {
                        return Err(CliError::Input(format!(
                            "--fields: the app has no field {code}"
                        )));
                    }
                }
                // A table some of whose fields were named keeps those, in the order named.
                for table in &mut fields {
                    if let Some(named) = named_inner.remove(&table.code) {
                        table.fields = named;
                    }
                }
                fields
            }
        };
        let positions = fields
            .iter()
            .enumerate()
            .map(|(position, field)| (field.code.clone(), position))
            .collect();
        Ok(Self { fields, positions })
    }

    pub fn has_table(&self) -> bool {
        self.fields.iter().any(FormField::is_table)
    }

    /// The header's columns.
    pub fn header(&self) -> Vec<&str> {
        let mut columns = Vec::new();
        if self.has_table() {
            columns.push(PRIMARY_MARK);
        }
        for field in &self.fields {
            columns.push(field.code.as_str());
            for inner in &field.fields {
                columns.push(inner.code.as_str());
            }
        }
        columns
    }

    /// A field's place in `fields`, by code.
    pub fn position(&self, code: &str) -> Option<usize> {
        self.positions.get(code).copied()
    }

    /// The field codes to ask kintone for.
    pub fn codes(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.code.clone()).collect()
    }
}

/// Appends one CSV line, quoted as cli-kintone quotes.
pub fn write_line<'a>(line: &mut Vec<u8>, values: impl IntoIterator<Item = &'a str>) {
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        write_text_cell(line, value);
    }
    line.push(b'\n');
}

/// Writes a one-value cell as cli-kintone does: an empty value and a lone `*` bare, any other
/// quoted with its quotes doubled.
pub fn write_text_cell(out: &mut Vec<u8>, text: &str) {
    if text.is_empty() || text == PRIMARY_MARK {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    out.push(b'"');
    push_escaped(out, text);
    out.push(b'"');
}

/// A value inside quotes: its quotes doubled; most values hold none and are copied whole.
pub fn push_escaped(out: &mut Vec<u8>, value: &str) {
    let mut rest = value.as_bytes();
    while let Some(at) = rest.iter().position(|b| *b == b'"') {
        out.extend_from_slice(&rest[..=at]);
        out.push(b'"');
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
}

/// The lines of a record from a tree of its JSON, as export wrote them before it wrote them
/// straight from the text ([`crate::csv_export`]): kept as the oracle that writer is tested
/// against.
#[cfg(test)]
pub mod tree {
    use std::collections::BTreeMap;

    use super::*;
    use crate::json_view::Json;

    /// One CSV cell, borrowed from the record's JSON: one text, or the values of a multi-valued
    /// field, written one a line.
    #[derive(Clone, Copy)]
    pub enum Cell<'j, 'a> {
        Text(&'j str),
        Items(&'j [Json<'a>], Item),
    }

    /// What of each item of a multi-valued field is written.
    #[derive(Clone, Copy)]
    pub enum Item {
        /// The item is the value (check box, multi-choice).
        Itself,
        /// Its `code` (users, departments, groups).
        Code,
        /// Its `name` (files).
        Name,
    }

    impl<'j> Cell<'j, '_> {
        fn items(self) -> impl Iterator<Item = &'j str> + Clone {
            let (items, item) = match self {
                Cell::Items(items, item) => (items, item),
                Cell::Text(_) => (&[][..], Item::Itself),
            };
            items.iter().filter_map(move |value| match item {
                Item::Itself => value.as_str(),
                Item::Code => value.get("code").as_str(),
                Item::Name => value.get("name").as_str(),
            })
        }
    }

    /// A field's value as one CSV cell (a FILE field's: its files' names).
    pub fn cell<'j, 'a>(field: &'j Json<'a>) -> Cell<'j, 'a> {
        let value = field.get("value");
        match field.get("type").as_str().unwrap_or("") {
            "CREATOR" | "MODIFIER" => Cell::Text(value.get("code").as_str().unwrap_or("")),
            "MULTI_SELECT" | "CHECK_BOX" | "CATEGORY" => Cell::Items(value.items(), Item::Itself),
            "USER_SELECT" | "ORGANIZATION_SELECT" | "GROUP_SELECT" | "STATUS_ASSIGNEE" => {
                Cell::Items(value.items(), Item::Code)
            }
            "FILE" => Cell::Items(value.items(), Item::Name),
            _ => Cell::Text(value.scalar_text().unwrap_or("")),
        }
    }

    /// Writes a cell as cli-kintone does: an empty value and a lone `*` bare, any other quoted with
    /// its quotes doubled; the values of a multi-valued field one a line.
    fn write_cell(out: &mut Vec<u8>, cell: Cell<'_, '_>) {
        let mut items = cell.items();
        let (first, more) = match cell {
            Cell::Text(text) => (Some(text), false),
            Cell::Items(..) => {
                let first = items.next();
                let mut rest = items.clone().peekable();
                (first, rest.peek().is_some())
            }
        };
        let Some(first) = first else {
            return;
        };
        if !more && (first.is_empty() || first == PRIMARY_MARK) {
            out.extend_from_slice(first.as_bytes());
            return;
        }
        out.push(b'"');
        push_escaped(out, first);
        for item in items {
            out.extend_from_slice(LINE_BREAK.as_bytes());
            push_escaped(out, item);
        }
        out.push(b'"');
    }

    /// The lines of one record, appended to `out` as UTF-8. `record` is kintone's JSON of the
    /// record (`{"code": {"type", "value"}}`); `local_files` replaces the cell of a FILE field (by
    /// code, and row index inside tables) with the saved files' paths.
    pub fn record_lines(
        schema: &ExportSchema,
        record: &Json<'_>,
        local_files: &BTreeMap<(String, Option<usize>), String>,
        out: &mut Vec<u8>,
    ) -> Result<(), CliError> {
        // The record's fields by their place in the schema, found in one walk of its members.
        let Json::Object(members) = record else {
            return Err(CliError::Other("kintone's record is not an object".into()));
        };
        let mut fields: Vec<Option<&Json<'_>>> = vec![None; schema.fields.len()];
        for (code, value) in members {
            if let Some(&position) = schema.positions.get(code.as_ref()) {
                fields[position] = Some(value);
            }
        }
        if let Some(position) = fields.iter().position(Option::is_none) {
            return Err(CliError::Other(format!(
                "kintone's answer is missing the field {}",
                schema.fields[position].code
            )));
        }
        let fields: Vec<&Json<'_>> = fields.into_iter().flatten().collect();
        // A FILE field's saved paths; looked up only when files were saved.
        let local = |code: &str, row: Option<usize>| -> Option<&str> {
            if local_files.is_empty() {
                return None;
            }
            local_files
                .get(&(code.to_string(), row))
                .map(String::as_str)
        };
        let top_cell = |position: usize| match local(&schema.fields[position].code, None) {
            Some(paths) => Cell::Text(paths),
            None => cell(fields[position]),
        };
        let has_table = schema.has_table();
        // One line for each table row, the first marked; one line when no table has a row.
        let mut first = true;
        for (table_position, table) in schema.fields.iter().enumerate() {
            if !table.is_table() {
                continue;
            }
            for (index, row) in fields[table_position]
                .get("value")
                .items()
                .iter()
                .enumerate()
            {
                let row_values = row.get("value");
                let mut column = 0;
                if has_table {
                    out.extend_from_slice(if first { PRIMARY_MARK.as_bytes() } else { b"" });
                    column += 1;
                }
                for (position, field) in schema.fields.iter().enumerate() {
                    let this_table = position == table_position;
                    if field.is_table() {
                        separate(out, &mut column);
                        if this_table {
                            write_cell(out, Cell::Text(row.get("id").scalar_text().unwrap_or("")));
                        }
                        for inner in &field.fields {
                            separate(out, &mut column);
                            if this_table {
                                let cell = match local(&inner.code, Some(index)) {
                                    Some(paths) => Cell::Text(paths),
                                    None => cell(row_values.get(&inner.code)),
                                };
                                write_cell(out, cell);
                            }
                        }
                    } else {
                        separate(out, &mut column);
                        write_cell(out, top_cell(position));
                    }
                }
                out.push(b'\n');
                first = false;
            }
        }
        if first {
            let mut column = 0;
            if has_table {
                out.extend_from_slice(PRIMARY_MARK.as_bytes());
                column += 1;
            }
            for (position, field) in schema.fields.iter().enumerate() {
                separate(out, &mut column);
                if field.is_table() {
                    for _ in &field.fields {
                        separate(out, &mut column);
                    }
                } else {
                    write_cell(out, top_cell(position));
                }
            }
            out.push(b'\n');
        }
        Ok(())
    }

    /// The comma before every column but the first.
    fn separate(out: &mut Vec<u8>, column: &mut usize) {
        if *column > 0 {
            out.push(b',');
        }
        *column += 1;
    }
}

/// A value read from a file, before it is checked against its field.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    /// One text value (a CSV cell, a JSON string).
    Text(String),
    /// Several values (a JSON array of strings or of `{code}`).
    List(Vec<String>),
}

/// A table row read from a file.
#[derive(Debug, Clone, Default)]
pub struct ParsedRow {
    pub id: Option<String>,
    pub fields: Vec<(String, Raw)>,
}

/// A record read from a file, with the line it starts on.
#[derive(Debug, Clone, Default)]
pub struct ParsedRecord {
    pub line: u64,
    pub fields: Vec<(String, Raw)>,
    pub tables: Vec<(String, Vec<ParsedRow>)>,
}

/// The records of a CSV file as cli-kintone writes it (see the module's description), read one
/// at a time: a record is complete when the next one starts. Every column is taken: a code the
/// form does not know is reported by the conversion.
pub struct CsvRecords<'f, R> {
    reader: csv::Reader<R>,
    form: &'f Form,
    header: Vec<String>,
    /// The header starts with the `*` column.
    marked: bool,
    row: csv::StringRecord,
    /// The record being read, until its last line is.
    current: Option<ParsedRecord>,
    ended: bool,
}

impl<'f, R: std::io::Read> CsvRecords<'f, R> {
    pub fn new(input: R, form: &'f Form) -> Result<Self, CliError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(input);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| csv_error(&e))?
            .iter()
            .map(str::to_string)
            .collect();
        let marked = header.first().map(String::as_str) == Some(PRIMARY_MARK);
        Ok(Self {
            reader,
            form,
            header,
            marked,
            row: csv::StringRecord::new(),
            current: None,
            ended: false,
        })
    }

    /// A record's fields outside tables, from its first line.
    fn start(&self, line: u64) -> ParsedRecord {
        let mut record = ParsedRecord {
            line,
            ..Default::default()
        };
        let form = self.form;
        for (code, value) in self
            .header
            .iter()
            .zip(self.row.iter())
            .skip(usize::from(self.marked))
        {
            if form.table_of.contains_key(code) || form.top(code).is_some_and(FormField::is_table) {
                continue;
            }
            record
                .fields
                .push((code.clone(), Raw::Text(value.to_string())));
        }
        record
    }

    /// The table cells of the current line, added to its record.
    fn add_rows(
        header: &[String],
        row: &csv::StringRecord,
        form: &Form,
        record: &mut ParsedRecord,
    ) {
        for table in form.fields.iter().filter(|f| f.is_table()) {
            if !header
                .iter()
                .any(|c| *c == table.code || form.table_of.get(c) == Some(&table.code))
            {
                continue;
            }
            let mut parsed = ParsedRow::default();
            let mut any = false;
            for (code, value) in header.iter().zip(row.iter()) {
                if *code == table.code {
                    any |= !value.is_empty();
                    parsed.id = Some(value.to_string()).filter(|v| !v.is_empty());
                } else if form.table_of.get(code) == Some(&table.code) {
                    any |= !value.is_empty();
                    parsed
                        .fields
                        .push((code.clone(), Raw::Text(value.to_string())));
                }
            }
            let rows = match record.tables.iter_mut().find(|(c, _)| *c == table.code) {
                Some((_, rows)) => rows,
                None => {
                    record.tables.push((table.code.clone(), Vec::new()));
                    &mut record.tables.last_mut().expect("just pushed").1
                }
            };
            // A line of another table leaves this one's cells empty.
            if any {
                rows.push(parsed);
            }
        }
    }
}

impl<R: std::io::Read> Iterator for CsvRecords<'_, R> {
    type Item = Result<ParsedRecord, CliError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.ended {
                return self.current.take().map(Ok);
            }
            match self.reader.read_record(&mut self.row) {
                Err(e) => {
                    self.ended = true;
                    self.current = None;
                    return Some(Err(csv_error(&e)));
                }
                Ok(false) => self.ended = true,
                Ok(true) => {
                    let line = self.row.position().map(|p| p.line()).unwrap_or(0);
                    let starts = !self.marked || self.row.get(0) == Some(PRIMARY_MARK);
                    let finished = if starts {
                        let started = self.start(line);
                        self.current.replace(started)
                    } else {
                        None
                    };
                    let Some(record) = self.current.as_mut() else {
                        self.ended = true;
                        return Some(Err(CliError::Input(format!(
                            "line {line}: the first record does not start with the \
                             {PRIMARY_MARK} mark"
                        ))));
                    };
                    Self::add_rows(&self.header, &self.row, self.form, record);
                    if let Some(finished) = finished {
                        return Some(Ok(finished));
                    }
                }
            }
        }
    }
}

/// A CSV error as an input error: the encoding's own message, or the line.
fn csv_error(error: &csv::Error) -> CliError {
    if let csv::ErrorKind::Io(io) = error.kind() {
        return CliError::Input(io.to_string());
    }
    match error.position() {
        Some(p) => CliError::Input(format!("line {}: {error}", p.line())),
        None => CliError::Input(format!("line 1: {error}")),
    }
}

/// The records of a JSON Lines file, each line kintone's JSON of a record, read one at a time.
pub struct JsonlRecords<R> {
    input: R,
    line: String,
    number: u64,
}

impl<R: std::io::BufRead> JsonlRecords<R> {
    pub fn new(input: R) -> Self {
        Self {
            input,
            line: String::new(),
            number: 0,
        }
    }
}

impl<R: std::io::BufRead> Iterator for JsonlRecords<R> {
    type Item = Result<ParsedRecord, CliError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.line.clear();
            match self.input.read_line(&mut self.line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(CliError::Input(e.to_string()))),
            }
            self.number += 1;
            if self.line.trim().is_empty() {
                continue;
            }
            return Some(parse_jsonl_line(&self.line, self.number));
        }
    }
}

/// One line of JSON Lines: kintone's JSON of a record.
fn parse_jsonl_line(line: &str, number: u64) -> Result<ParsedRecord, CliError> {
    let value: serde_json::Map<String, Value> = serde_json::from_str(line)
        .map_err(|e| CliError::Input(format!("line {number}: not a JSON record: {e}")))?;
    let mut record = ParsedRecord {
        line: number,
        ..Default::default()
    };
    let id = value
        .get("$id")
        .and_then(|f| f.get("value"))
        .and_then(Value::as_str)
        .map(str::to_string);
    // A FILE field's files, where export saved them (when the record names its id).
    let files = |code: &str, row: Option<usize>, field: &Value| -> Raw {
        match (json_raw(field), &id) {
            (Raw::List(names), Some(id))
                if field.get("type").and_then(Value::as_str) == Some("FILE") =>
            {
                let folder = match row {
                    Some(row) => format!("{code}-{id}-{row}"),
                    None => format!("{code}-{id}"),
                };
                Raw::List(saved_paths(&folder, &names))
            }
            (raw, _) => raw,
        }
    };
    for (code, field) in &value {
        if field.get("type").and_then(Value::as_str) == Some("SUBTABLE") {
            let rows = field
                .get("value")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(index, row)| ParsedRow {
                    id: match row.get("id") {
                        Some(Value::String(s)) => Some(s.clone()),
                        Some(Value::Number(n)) => Some(n.to_string()),
                        _ => None,
                    },
                    fields: row
                        .get("value")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .map(|(c, f)| (c.clone(), files(c, Some(index), f)))
                        .collect(),
                })
                .collect();
            record.tables.push((code.clone(), rows));
        } else {
            record.fields.push((code.clone(), files(code, None, field)));
        }
    }
    Ok(record)
}

/// A JSON field (`{"type", "value"}`) as a raw value.
fn json_raw(field: &Value) -> Raw {
    let value = field.get("value").unwrap_or(&Value::Null);
    match value {
        Value::Array(items) => Raw::List(
            items
                .iter()
                .filter_map(|item| match item {
                    Value::String(s) => Some(s.clone()),
                    other => other
                        .get("code")
                        .or_else(|| other.get("name"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                })
                .collect(),
        ),
        Value::Object(o) => Raw::Text(
            o.get("code")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        ),
        Value::String(s) => Raw::Text(s.clone()),
        Value::Number(n) => Raw::Text(n.to_string()),
        _ => Raw::Text(String::new()),
    }
}

/// A file name that stays inside its folder: path separators and `..` cannot climb out.
pub fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | '\0') {
                '_'
            } else {
                c
            }
        })
        .collect();
    match cleaned.as_str() {
        "" | "." | ".." => "_".to_string(),
        _ => cleaned,
    }
}

/// The `n`th other file of the same name in a folder: `report (1).txt`.
pub fn numbered_name(name: &str, n: usize) -> String {
    let (stem, extension) = match name.rfind('.') {
        Some(dot) if dot > 0 => (&name[..dot], &name[dot..]),
        _ => (name, ""),
    };
    format!("{stem} ({n}){extension}")
}

/// Where export saved a FILE field's files, by the files' names in order: the folder
/// `<field>-<record>[-<row>]` and each name, numbered when it repeats, as export numbers it.
fn saved_paths(folder: &str, names: &[String]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    for name in names {
        let name = safe_name(name);
        let unique = if taken.contains(&name) {
            (1..)
                .map(|n| numbered_name(&name, n))
                .find(|candidate| !taken.contains(candidate))
                .expect("some number is free")
        } else {
            name
        };
        taken.push(unique);
    }
    taken
        .into_iter()
        .map(|name| format!("{folder}/{name}"))
        .collect()
}

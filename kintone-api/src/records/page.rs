//! A page of records read straight from its text, for the pages kintone writes.
//!
//! serde's generic path costs a visitor, a tag lookup and a struct's field matching per field
//! value. kintone writes each value the same way, `{"type":"TAG","value":...}`, so this reader
//! expects exactly that and builds the [`FieldValue`] at once; field codes are compared with
//! the previous record's (the same list, shared) before anything is looked up. kintone writes
//! every record of a page alike, so the text between one value and the next (a code, a tag and
//! their punctuation) is kept from the last record as a template: where the next record repeats
//! it byte for byte, only its values are read.
//!
//! It is a fast path, never a second definition of the format: it accepts a strict subset of
//! JSON and of kintone's shapes, and gives up ([`None`]) at anything else, after which the page
//! is read by serde as before ([`decode_page`]). A field value in a shape it does
//! not know (a tag after the value, extra keys, an unknown type) is read by
//! serde alone, from its own text. Whatever it returns is what serde returns for the same page;
//! the property test `the_fast_page_reader_agrees_with_serde` in `stream.rs` checks that.

use std::borrow::Cow;
use std::sync::Arc;

use crate::answer::RawResponse;
// The field types by their tag: the spec's, named once in the generated `FieldValueTag::of`.
use crate::generated::types::FieldValueTag;
use crate::records::map::{intern, Codes};
use crate::{
    CalcField, CategoryField, CheckBoxField, CreatedTimeField, CreatorField, Date, DateField,
    DateTime, DateTimeField, Decimal, DropDownField, Entity, Error, FieldCode, FieldValue,
    FileField, FileInfo, GetRecordsByCursorResponse, GetRecordsResponse, GroupSelectField, IdField,
    LinkField, ModifierField, MultiLineTextField, MultiSelectField, NumberField,
    OrganizationSelectField, ProtocolError, RadioButtonField, Record, RecordId, RecordNumberField,
    Revision, RevisionField, RichTextField, SingleLineTextField, StatusAssigneeField, StatusField,
    SubtableField, SubtableRow, Text, Time, TimeField, UpdatedTimeField, UserSelectField,
};

/// A value handed to serde is accepted only when its nesting, added to where it stands, stays
/// well inside serde_json's own limit, so that serde never accepts here what it refuses in the
/// whole page.
const FALLBACK_MAX_DEPTH: usize = 100;

/// The records of a page (at most `max`) and its `next`, or `None` when the page is not one
/// this reader is sure of: then serde reads it, and gives the same records or the error.
pub(crate) fn read(text: &str, max: usize, keep: Keep) -> Option<(Vec<Record>, Option<bool>)> {
    read_whole(text, max, keep).map(|(page, _)| page)
}

/// [`read`], and the text of the page's `totalCount` when it has one.
fn read_whole(text: &str, max: usize, keep: Keep) -> Option<(Page, Option<&str>)> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        last_codes: Vec::new(),
        templates: Vec::new(),
        keep,
        total_count: None,
        scratch: Scratch::default(),
        learning: false,
        strings: Vec::new(),
    };
    let page = reader.page(max)?;
    reader.skip_whitespace();
    (reader.at == reader.bytes.len()).then(|| (page, reader.total_count.map(|r| &text[r])))
}

impl GetRecordsResponse {
    /// Reads a Get Records answer from its JSON, as the client does: `serde_json::from_slice`
    /// gives the same, but this reads kintone's own form of a page several times faster.
    ///
    /// ```
    /// # use kintone_api::types::GetRecordsResponse;
    /// let page = br#"{"records":[{"$id":{"type":"__ID__","value":"7"}}],"totalCount":"1"}"#;
    /// let page = GetRecordsResponse::from_json(page)?;
    /// assert_eq!(page.records[0]["$id"].field_type(), "__ID__");
    /// assert_eq!(page.total_count, Some(1));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn from_json(body: &[u8]) -> Result<Self, serde_json::Error> {
        let Some(text) = crate::wire::utf8(body) else {
            return serde_json::from_slice(body);
        };
        let fast = read_whole(text, usize::MAX, Keep::Every).and_then(|((records, _), count)| {
            let total_count = match count {
                None => None,
                Some(count) => crate::wire::numeric_string::option::deserialize(
                    &mut serde_json::Deserializer::from_str(count),
                )
                .ok()?,
            };
            Some(GetRecordsResponse {
                records,
                total_count,
            })
        });
        match fast {
            Some(page) => Ok(page),
            None => serde_json::from_str(text),
        }
    }
}

impl GetRecordsByCursorResponse {
    /// Reads a Get Records by Cursor answer from its JSON, as the client does:
    /// `serde_json::from_slice` gives the same, but this reads kintone's own form of a page
    /// several times faster.
    pub fn from_json(body: &[u8]) -> Result<Self, serde_json::Error> {
        let Some(text) = crate::wire::utf8(body) else {
            return serde_json::from_slice(body);
        };
        match read(text, usize::MAX, Keep::Every) {
            Some((records, Some(next))) => Ok(GetRecordsByCursorResponse { records, next }),
            _ => serde_json::from_str(text),
        }
    }
}

/// Which of a record's fields are decoded: all, or only those of a struct that reads no other
/// (`$id` always, which the stream needs to page on). The rest are skipped over, their text
/// checked as JSON but not decoded. Fields of table rows are always all decoded.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Keep {
    Every,
    Only(&'static [&'static str]),
}

impl Keep {
    fn wants(self, code: &str) -> bool {
        match self {
            Keep::Every => true,
            Keep::Only(codes) => code == crate::records::map::ID || codes.contains(&code),
        }
    }
}

/// A value kintone writes as a string, read from where that string stands in the page (with no
/// escape in it): by default parsed from its text.
trait FromPage: std::str::FromStr {
    fn from_page(page: &str, range: std::ops::Range<usize>) -> Option<Self> {
        page[range].parse().ok()
    }
}

impl FromPage for Text {
    fn from_page(page: &str, range: std::ops::Range<usize>) -> Option<Self> {
        Some(Text::from_page(page, range))
    }
}

impl FromPage for Decimal {
    fn from_page(page: &str, range: std::ops::Range<usize>) -> Option<Self> {
        Decimal::from_page(page, range)
    }
}

impl FromPage for Date {}
impl FromPage for Time {}
impl FromPage for DateTime {}

/// A field of the last record read at a table depth, as its text stood: the bytes from the end
/// of the value before it (or from the record's `{`) up to its own value, and what was done with
/// that value. The next record most likely repeats the bytes, and then the same is done.
#[derive(Debug, Clone, Copy)]
struct Glue<'a> {
    text: &'a [u8],
    value: ValueRead,
}

#[derive(Debug, Clone, Copy)]
enum ValueRead {
    /// Skipped over; its text had this shape.
    Skipped(Shape),
    Decoded(FieldValueTag),
}

/// The text of a skipped value around its strings' contents, as `Template::shapes[first..][..len]`:
/// the text up to the first string's content, from the end of each string's content to the
/// start of the next, and from the last one's to the value's end. A value that repeats it with
/// other strings has the same JSON structure, so it is checked by comparing that text and
/// scanning the strings, with no token read one by one: a table of three rows that a struct
/// skips is twelve strings and thirteen comparisons. An empty shape is none: the value is
/// skipped token by token.
#[derive(Debug, Clone, Copy)]
struct Shape {
    first: u32,
    len: u32,
}

impl Shape {
    const NONE: Shape = Shape { first: 0, len: 0 };

    fn parts<'t, 'a>(self, shapes: &'t [&'a [u8]]) -> &'t [&'a [u8]] {
        let first = self.first as usize;
        &shapes[first..first + self.len as usize]
    }
}

/// A value with more strings than this is skipped token by token: a template holds little.
const MAX_SHAPE_STRINGS: usize = 64;
/// Parts of shapes a template holds at most: a value that differs from its shape is learnt again,
/// and its new shape added.
const MAX_SHAPE_PARTS: usize = 4096;

/// The last record read at a table depth, as a template for the next.
#[derive(Debug, Default)]
struct Template<'a> {
    /// Its fields, up to the first that was not in kintone's form.
    fields: Vec<Glue<'a>>,
    /// From the end of its last value to its `}`, when every field was in kintone's form.
    end: Option<&'a [u8]>,
    /// The parts of its skipped values' shapes.
    shapes: Vec<&'a [u8]>,
}

impl Template<'_> {
    /// Keeps the first `fields` fields only, and their shapes.
    fn keep(&mut self, fields: usize) {
        self.fields.truncate(fields);
        let used = self.fields.iter().map(|glue| match glue.value {
            ValueRead::Skipped(shape) => (shape.first + shape.len) as usize,
            ValueRead::Decoded(_) => 0,
        });
        self.shapes.truncate(used.max().unwrap_or(0));
    }
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// The codes of the last record read at each table depth (0: the page's records), which
    /// the next record at that depth most likely repeats.
    last_codes: Vec<Option<Codes>>,
    /// The last record read at each table depth, as a template for the next.
    templates: Vec<Template<'a>>,
    /// The fields of the page's records to decode.
    keep: Keep,
    /// Where the page's `totalCount` stands, when it has one.
    total_count: Option<std::ops::Range<usize>>,
    /// Buffers that lists are read into before they are moved out at their length.
    scratch: Scratch,
    /// Whether a skipped value's shape is being learnt, and where each of its strings' contents
    /// stands.
    learning: bool,
    strings: Vec<std::ops::Range<usize>>,
}

/// The reader's buffers for lists, one per kind of item.
#[derive(Default)]
struct Scratch {
    texts: Vec<Text>,
    entities: Vec<Entity>,
    files: Vec<FileInfo>,
    rows: Vec<SubtableRow>,
}

impl<'a> Reader<'a> {
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes.get(self.at).copied()
    }

    /// The next byte after whitespace, consumed.
    fn next_byte(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next_byte()? == byte).then_some(())
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        self.skip_whitespace();
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word.as_bytes()).then(|| self.at = end)
    }

    /// A string, borrowed when it has no escape.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.expect(b'"')?;
        let start = self.at;
        self.at = special_byte(self.bytes, self.at)?;
        match self.bytes[self.at] {
            b'"' => {
                self.at += 1;
                return Some(Cow::Borrowed(&self.text[start..self.at - 1]));
            }
            b'\\' => {}
            _ => return None,
        }
        let mut owned = String::from(&self.text[start..self.at]);
        loop {
            let run = self.at;
            self.at = special_byte(self.bytes, self.at)?;
            owned.push_str(&self.text[run..self.at]);
            match self.bytes[self.at] {
                b'"' => {
                    self.at += 1;
                    return Some(Cow::Owned(owned));
                }
                b'\\' => {}
                _ => return None,
            }
            let escape = *self.bytes.get(self.at + 1)?;
            self.at += 2;
            owned.push(match escape {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let hex = self.text.get(self.at..self.at + 4)?;
                    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return None;
                    }
                    self.at += 4;
                    // Surrogates (pairs or not) are left to serde.
                    char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
                }
                _ => return None,
            });
        }
    }

    /// A string with no escape in it (as kintone writes most), consumed: where its content
    /// stands. `None`, with nothing consumed, for anything else.
    #[inline]
    fn plain(&mut self) -> Option<std::ops::Range<usize>> {
        if self.bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        let start = self.at + 1;
        let end = special_byte(self.bytes, start)?;
        (self.bytes[end] == b'"').then(|| {
            self.at = end + 1;
            start..end
        })
    }

    /// A string as a [`Text`]: no allocation when it is short.
    fn text(&mut self) -> Option<Text> {
        if let Some(content) = self.plain() {
            return Some(Text::from_page(self.text, content));
        }
        self.string().map(|text| match text {
            Cow::Borrowed(text) => Text::from_page(self.text, self.range_of(text)),
            Cow::Owned(text) => Text::from(text),
        })
    }

    /// `null` or `""` as `None`, other text parsed: kintone's empty values
    /// (`wire::empty_as_none`).
    fn empty_as_none<T: FromPage>(&mut self) -> Option<Option<T>> {
        if self.peek()? == b'n' {
            self.literal("null")?;
            return Some(None);
        }
        if let Some(content) = self.plain() {
            if content.is_empty() {
                return Some(None);
            }
            return T::from_page(self.text, content).map(Some);
        }
        match self.string()? {
            text if text.is_empty() => Some(None),
            Cow::Borrowed(text) => T::from_page(self.text, self.range_of(text)).map(Some),
            Cow::Owned(text) => text.parse().ok().map(Some),
        }
    }

    /// Where `text`, a slice of the page, stands in it.
    fn range_of(&self, text: &str) -> std::ops::Range<usize> {
        let at = text.as_ptr() as usize - self.text.as_ptr() as usize;
        at..at + text.len()
    }

    fn parsed<T: std::str::FromStr>(&mut self) -> Option<T> {
        if let Some(content) = self.plain() {
            return self.text[content].parse().ok();
        }
        self.string()?.parse().ok()
    }

    /// `[...]` of what `item` reads, gathered in `scratch` (a buffer of the reader's, reused from
    /// list to list) and then moved into a vector of exactly their number: one allocation per
    /// list, none when it is empty, where pushing would grow it and shrinking it copy it again.
    /// Records are kept by the hundred thousand, so a list holds only what it has.
    fn list<T>(
        &mut self,
        scratch: fn(&mut Scratch) -> &mut Vec<T>,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        self.expect(b'[')?;
        if self.peek()? == b']' {
            self.at += 1;
            return Some(Vec::new());
        }
        // Taken out while in use: a list inside an item (a table's rows) gets a buffer of its own.
        let mut items = std::mem::take(scratch(&mut self.scratch));
        items.clear();
        let read = loop {
            match item(self) {
                Some(value) => items.push(value),
                None => break None,
            }
            match self.next_byte() {
                Some(b',') => {}
                Some(b']') => {
                    // Moved out, not taken: the buffer keeps its room for the next list.
                    let mut list = Vec::with_capacity(items.len());
                    list.append(&mut items);
                    break Some(list);
                }
                _ => break None,
            }
        };
        items.clear();
        *scratch(&mut self.scratch) = items;
        read
    }

    /// `{"code":"...","name":"..."}`, as kintone writes a user, department or group.
    fn entity(&mut self) -> Option<Entity> {
        const CODE: &[u8] = br#"{"code":"#;
        const NAME: &[u8] = br#","name":"#;
        // Its keys passed at once when written as kintone writes them.
        self.skip_whitespace();
        if self.bytes[self.at..].starts_with(CODE) {
            self.at += CODE.len();
        } else {
            self.expect(b'{')?;
            self.key("code")?;
        }
        let code = self.text()?;
        if self.bytes[self.at..].starts_with(NAME) {
            self.at += NAME.len();
        } else {
            self.expect(b',')?;
            self.key("name")?;
        }
        let name = self.text()?;
        self.expect(b'}')?;
        Some(Entity {
            code,
            name: Some(name),
        })
    }

    /// The page's object: its `records` and its `next`; other members may only be `null`,
    /// booleans, strings or short integers (such as `totalCount`).
    fn page(&mut self, max: usize) -> Option<(Vec<Record>, Option<bool>)> {
        self.expect(b'{')?;
        let (mut records, mut next) = (None, None);
        if self.peek()? == b'}' {
            return None;
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            match &*key {
                "records" if records.is_none() => records = Some(self.records(max)?),
                "next" if next.is_none() => {
                    next = Some(match self.peek()? {
                        b't' => self.literal("true").map(|()| true)?,
                        _ => self.literal("false").map(|()| false)?,
                    })
                }
                "totalCount" if self.total_count.is_none() => {
                    self.skip_whitespace();
                    let start = self.at;
                    self.simple_value()?;
                    self.total_count = Some(start..self.at);
                }
                "records" | "next" | "totalCount" => return None,
                _ => self.simple_value()?,
            }
            match self.next_byte()? {
                b',' => {}
                b'}' => return Some((records?, next)),
                _ => return None,
            }
        }
    }

    /// Skips a `null`, a boolean, a string or an integer of at most 15 digits.
    fn simple_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'n' => self.literal("null"),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'"' => self.string().map(drop),
            b'0' => {
                self.at += 1;
                (!self.bytes.get(self.at)?.is_ascii_digit()).then_some(())
            }
            b'1'..=b'9' => {
                let start = self.at;
                while self.bytes.get(self.at)?.is_ascii_digit() {
                    self.at += 1;
                }
                let next = *self.bytes.get(self.at)?;
                (self.at - start <= 15 && !matches!(next, b'.' | b'e' | b'E')).then_some(())
            }
            _ => None,
        }
    }

    fn records(&mut self, max: usize) -> Option<Vec<Record>> {
        self.expect(b'[')?;
        // Room for a whole page at once: growing the vector record by record costs more.
        let mut records = Vec::with_capacity(max.min(crate::limits::MAX_RECORDS_PER_PAGE));
        if self.peek()? == b']' {
            self.at += 1;
            return Some(records);
        }
        loop {
            // A record past `max` is serde's to report.
            if records.len() == max {
                return None;
            }
            records.push(self.record(0)?);
            match self.next_byte()? {
                b',' => {}
                b']' => {
                    records.shrink_to_fit();
                    return Some(records);
                }
                _ => return None,
            }
        }
    }

    /// A record (`table` 0) or a table row's fields (`table` 1).
    ///
    /// The fields that repeat the last record's text at this depth, byte for byte from the end
    /// of one value to the start of the next, are read by their template: their code, tag and
    /// punctuation are known, only their values are read. The rest are read one by one.
    fn record(&mut self, table: usize) -> Option<Record> {
        self.skip_whitespace();
        if self.last_codes.len() <= table {
            self.last_codes.resize(table + 1, None);
            self.templates.resize_with(table + 1, Template::default);
        }
        let last = self.last_codes[table].clone();
        let last_codes: &[FieldCode] = last.as_deref().map_or(&[], Vec::as_slice);
        let mut values = Vec::with_capacity(last_codes.len());
        let mut template = std::mem::take(&mut self.templates[table]);
        let bytes = self.bytes;
        let mut field = 0;
        while let Some(glue) = template.fields.get(field) {
            if !bytes[self.at..].starts_with(glue.text) {
                break;
            }
            self.at += glue.text.len();
            match glue.value {
                // The page's object, its records array, the record, the field's object.
                ValueRead::Skipped(shape) => {
                    if !self.skip_by_shape(shape.parts(&template.shapes)) {
                        let shape = self.skip_learning(4, &mut template.shapes)?;
                        template.fields[field].value = ValueRead::Skipped(shape);
                    }
                }
                ValueRead::Decoded(kind) => self.value_of(kind, table, &mut values)?,
            }
            field += 1;
        }
        // `None` while the codes follow the last record's (as they do for every field read by
        // the template); this record's own list from the first code that differs.
        let own = match template.end {
            Some(end) if field == template.fields.len() && bytes[self.at..].starts_with(end) => {
                self.at += end.len();
                None
            }
            _ => {
                template.keep(field);
                self.rest_of_record(table, last_codes, &mut values, &mut template)?
            }
        };
        let codes = match (own, last) {
            (Some(codes), _) => {
                // A repeated code is serde's to read (the last value wins there).
                for (i, code) in codes.iter().enumerate() {
                    if codes[..i].contains(code) {
                        return None;
                    }
                }
                Arc::new(codes)
            }
            (None, Some(last)) if last.len() == values.len() => last,
            (None, last) => Arc::new(
                last.as_deref()
                    .map_or(&[][..], |codes| &codes[..values.len()])
                    .to_vec(),
            ),
        };
        // The template and the codes are of the same record: a record given up on leaves the
        // last good one's codes and no template (taken above), as a value of it may still be
        // read by serde and the page go on.
        self.templates[table] = template;
        self.last_codes[table] = Some(codes.clone());
        Some(Record::from_parts(codes, values))
    }

    /// The fields of a record from the template's last one on, read one by one and added to
    /// the template while they are in kintone's form. Returns the record's own list of codes
    /// from the first that differs from the last record's, or `None` when none differs.
    fn rest_of_record(
        &mut self,
        table: usize,
        last_codes: &[FieldCode],
        values: &mut Vec<FieldValue>,
        template: &mut Template<'a>,
    ) -> Option<Option<Vec<FieldCode>>> {
        const HEAD: &[u8] = br#"{"type":""#;
        const TAIL: &[u8] = br#"","value":"#;
        let bytes = self.bytes;
        let mut own: Option<Vec<FieldCode>> = None;
        // Whether every field so far was in kintone's form, so that the template holds them all.
        let mut in_form = true;
        let mut first = template.fields.is_empty();
        // Whether the last field's object still waits for its `}` (a value read in kintone's
        // form stops before it).
        let mut open = !first;
        let mut glue_start = self.at;
        if first {
            self.expect(b'{')?;
            if self.peek()? == b'}' {
                self.at += 1;
                template.end = Some(&bytes[glue_start..self.at]);
                return Some(own);
            }
        }
        loop {
            if !first {
                if open {
                    self.expect(b'}')?;
                }
                match self.next_byte()? {
                    b',' => {}
                    b'}' => {
                        template.end = in_form.then(|| &bytes[glue_start..self.at]);
                        return Some(own);
                    }
                    _ => return None,
                }
            }
            first = false;
            let code = self.string()?;
            let expected =
                own.is_none() && last_codes.get(values.len()).is_some_and(|c| **c == *code);
            if table == 0 && !expected && !self.keep.wants(&code) {
                self.expect(b':')?;
                self.skip_whitespace();
                let start = self.at;
                // kintone's `{"type":"TAG","value":` passed at once, its value skipped; any
                // other form skipped token by token.
                let mut skipped = false;
                if bytes[start..].starts_with(HEAD) {
                    let end = special_byte(bytes, start + HEAD.len())?;
                    if bytes[end..].starts_with(TAIL) {
                        self.at = end + TAIL.len();
                        let glue_end = self.at;
                        // A shape is learnt only for a field the template keeps.
                        let shape = if in_form {
                            self.skip_learning(4, &mut template.shapes)
                        } else {
                            self.skip_value(4).map(|()| Shape::NONE)
                        };
                        if let (Some(shape), Some(b'}')) = (shape, self.peek()) {
                            skipped = true;
                            if in_form {
                                template.fields.push(Glue {
                                    text: &bytes[glue_start..glue_end],
                                    value: ValueRead::Skipped(shape),
                                });
                            }
                        } else {
                            self.at = start;
                        }
                    }
                }
                open = skipped;
                if !skipped {
                    self.skip_value(3)?;
                    in_form = false;
                }
                glue_start = self.at;
                continue;
            }
            match &mut own {
                None if expected => {}
                None => {
                    let mut codes = last_codes[..values.len()].to_vec();
                    codes.push(intern(&code));
                    own = Some(codes);
                }
                Some(codes) => codes.push(intern(&code)),
            }
            self.expect(b':')?;
            self.skip_whitespace();
            let start = self.at;
            let mut read = None;
            if let Some(kind) = self.tag().as_deref().and_then(FieldValueTag::of) {
                let glue_end = self.at;
                if self.value_of(kind, table, values).is_some() {
                    if self.peek() == Some(b'}') {
                        read = Some(Glue {
                            text: &bytes[glue_start..glue_end],
                            value: ValueRead::Decoded(kind),
                        });
                    } else {
                        values.pop();
                    }
                }
            }
            match read {
                Some(glue) => {
                    if in_form {
                        template.fields.push(glue);
                    }
                    open = true;
                }
                None => {
                    self.at = start;
                    values.push(self.by_serde(start, table)?);
                    open = false;
                    in_form = false;
                }
            }
            glue_start = self.at;
        }
    }

    /// The tag of `{"type":"TAG","value":`, read at once when written without spaces, as
    /// kintone does.
    fn tag(&mut self) -> Option<Cow<'a, str>> {
        const HEAD: &[u8] = br#"{"type":""#;
        const TAIL: &[u8] = br#"","value":"#;
        if self.bytes[self.at..].starts_with(HEAD) {
            let start = self.at + HEAD.len();
            let end = special_byte(self.bytes, start)?;
            if self.bytes[end..].starts_with(TAIL) {
                self.at = end + TAIL.len();
                return Some(Cow::Borrowed(&self.text[start..end]));
            }
        }
        self.expect(b'{')?;
        self.key("type")?;
        let tag = self.string()?;
        self.expect(b',')?;
        self.key("value")?;
        Some(tag)
    }

    /// `"name":`
    fn key(&mut self, name: &str) -> Option<()> {
        (self.string()? == name).then_some(())?;
        self.expect(b':')
    }

    /// `{"contentType":"...","fileKey":"...","name":"...","size":"N"}`, as kintone writes an
    /// attached file.
    fn file(&mut self) -> Option<FileInfo> {
        self.expect(b'{')?;
        self.key("contentType")?;
        let content_type = self.text()?;
        self.expect(b',')?;
        self.key("fileKey")?;
        let file_key = self.text()?;
        self.expect(b',')?;
        self.key("name")?;
        let name = self.text()?;
        self.expect(b',')?;
        self.key("size")?;
        let size = self.string()?;
        // Digits only: any other text is serde's to accept or refuse.
        if !size.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let size = size.parse().ok()?;
        self.expect(b'}')?;
        Some(FileInfo {
            content_type: Some(content_type),
            file_key,
            name,
            size: Some(size),
        })
    }

    /// The value of a field of the `kind` read here, up to the `}` of the field's object.
    ///
    /// Pushed onto `values` where it is read: a value handed back by return was copied again
    /// on its way there, each copy stalled by the stores that had just built it.
    fn value_of(
        &mut self,
        kind: FieldValueTag,
        table: usize,
        values: &mut Vec<FieldValue>,
    ) -> Option<()> {
        values.push(match kind {
            FieldValueTag::Id => FieldValue::Id(IdField {
                value: RecordId(self.parsed()?),
            }),
            FieldValueTag::Revision => FieldValue::Revision(RevisionField {
                value: Revision(self.parsed()?),
            }),
            FieldValueTag::RecordNumber => FieldValue::RecordNumber(RecordNumberField {
                value: self.text()?,
            }),
            FieldValueTag::SingleLineText => FieldValue::SingleLineText(SingleLineTextField {
                value: self.text()?,
            }),
            FieldValueTag::MultiLineText => FieldValue::MultiLineText(MultiLineTextField {
                value: self.text()?,
            }),
            FieldValueTag::RichText => FieldValue::RichText(RichTextField {
                value: self.text()?,
            }),
            FieldValueTag::Link => FieldValue::Link(LinkField {
                value: self.text()?,
            }),
            FieldValueTag::RadioButton => FieldValue::RadioButton(RadioButtonField {
                value: self.text()?,
            }),
            FieldValueTag::Calc => FieldValue::Calc(CalcField {
                value: self.text()?,
            }),
            FieldValueTag::Status => FieldValue::Status(StatusField {
                value: self.text()?,
            }),
            FieldValueTag::DropDown => FieldValue::DropDown(DropDownField {
                value: self.empty_as_none()?,
            }),
            FieldValueTag::Number => FieldValue::Number(NumberField {
                value: self.empty_as_none()?,
            }),
            FieldValueTag::Date => FieldValue::Date(DateField {
                value: self.empty_as_none()?,
            }),
            FieldValueTag::Time => FieldValue::Time(TimeField {
                value: self.empty_as_none()?,
            }),
            FieldValueTag::Datetime => FieldValue::Datetime(DateTimeField {
                value: self.empty_as_none()?,
            }),
            FieldValueTag::CreatedTime => FieldValue::CreatedTime(CreatedTimeField {
                value: self.parsed()?,
            }),
            FieldValueTag::UpdatedTime => FieldValue::UpdatedTime(UpdatedTimeField {
                value: self.parsed()?,
            }),
            FieldValueTag::CheckBox => FieldValue::CheckBox(CheckBoxField {
                value: self.list(|s| &mut s.texts, Self::text)?,
            }),
            FieldValueTag::MultiSelect => FieldValue::MultiSelect(MultiSelectField {
                value: self.list(|s| &mut s.texts, Self::text)?,
            }),
            FieldValueTag::Category => FieldValue::Category(CategoryField {
                value: self.list(|s| &mut s.texts, Self::text)?,
            }),
            FieldValueTag::Creator => FieldValue::Creator(CreatorField {
                value: self.entity()?,
            }),
            FieldValueTag::Modifier => FieldValue::Modifier(ModifierField {
                value: self.entity()?,
            }),
            FieldValueTag::UserSelect => FieldValue::UserSelect(UserSelectField {
                value: self.list(|s| &mut s.entities, Self::entity)?,
            }),
            FieldValueTag::OrganizationSelect => {
                FieldValue::OrganizationSelect(OrganizationSelectField {
                    value: self.list(|s| &mut s.entities, Self::entity)?,
                })
            }
            FieldValueTag::GroupSelect => FieldValue::GroupSelect(GroupSelectField {
                value: self.list(|s| &mut s.entities, Self::entity)?,
            }),
            FieldValueTag::StatusAssignee => FieldValue::StatusAssignee(StatusAssigneeField {
                value: self.list(|s| &mut s.entities, Self::entity)?,
            }),
            FieldValueTag::File => FieldValue::File(FileField {
                value: self.list(|s| &mut s.files, Self::file)?,
            }),
            FieldValueTag::Subtable => FieldValue::Subtable(SubtableField {
                value: self.list(|s| &mut s.rows, |reader| reader.row(table + 1))?,
            }),
        });
        Some(())
    }

    /// `{"id":"N","value":{...}}`: a table row.
    fn row(&mut self, table: usize) -> Option<SubtableRow> {
        self.expect(b'{')?;
        (self.string()? == "id").then_some(())?;
        self.expect(b':')?;
        let id = self.parsed()?;
        self.expect(b',')?;
        (self.string()? == "value").then_some(())?;
        self.expect(b':')?;
        let value = self.record(table)?;
        self.expect(b'}')?;
        Some(SubtableRow { id, value })
    }

    /// Skips a JSON value nested `depth` deep in the page, checking it as serde_json would; a
    /// `\u` escape or a value nested as deep as serde's limit is left to serde (`None`).
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        if depth > FALLBACK_MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' => {
                self.at += 1;
                if self.peek()? == b'}' {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    self.skip_whitespace();
                    self.skip_key()?;
                    self.expect(b':')?;
                    self.skip_value(depth + 1)?;
                    match self.next_byte()? {
                        b',' => {}
                        b'}' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.at += 1;
                if self.peek()? == b']' {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    self.skip_value(depth + 1)?;
                    match self.next_byte()? {
                        b',' => {}
                        b']' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b'n' => self.literal("null"),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            _ => self.skip_number(),
        }
    }

    /// Skips a string value, whose escapes are all of one character (`\n`, `\"`, ...), and
    /// notes where its content stands while a shape is learnt.
    fn skip_string(&mut self) -> Option<()> {
        let start = self.at + 1;
        self.skip_key()?;
        if self.learning {
            self.strings.push(start..self.at - 1);
        }
        Some(())
    }

    /// Skips an object's key as [`skip_string`](Self::skip_string) does, noting nothing: keys
    /// stay in a shape's text, compared with the rest.
    fn skip_key(&mut self) -> Option<()> {
        (self.bytes.get(self.at) == Some(&b'"')).then_some(())?;
        self.at = string_end(self.bytes, self.at + 1)? + 1;
        Some(())
    }

    /// Skips a value as [`skip_value`](Self::skip_value) does, and returns its [`Shape`], whose
    /// parts are added to `shapes`.
    fn skip_learning(&mut self, depth: usize, shapes: &mut Vec<&'a [u8]>) -> Option<Shape> {
        let start = self.at;
        self.strings.clear();
        self.learning = true;
        let skipped = self.skip_value(depth);
        self.learning = false;
        skipped?;
        // A value that ends in a number or a literal is skipped token by token: a shape ending in
        // `12` would also match the start of `123`.
        let closed = matches!(self.bytes[self.at - 1], b'"' | b']' | b'}');
        if !closed || self.strings.len() > MAX_SHAPE_STRINGS || shapes.len() > MAX_SHAPE_PARTS {
            return Some(Shape::NONE);
        }
        let first = shapes.len();
        let mut from = start;
        for string in &self.strings {
            shapes.push(&self.bytes[from..string.start]);
            from = string.end;
        }
        shapes.push(&self.bytes[from..self.at]);
        Some(Shape {
            first: first as u32,
            len: (shapes.len() - first) as u32,
        })
    }

    /// Skips a value whose text has the shape of `parts` (see [`Shape`]): true when it has, and
    /// then the value is skipped; false (nothing read) when it has not, or `parts` is no shape.
    fn skip_by_shape(&mut self, parts: &[&[u8]]) -> bool {
        let bytes = self.bytes;
        let Some((first, rest)) = parts.split_first() else {
            return false;
        };
        if !repeats(bytes, self.at, first) {
            return false;
        }
        let mut at = self.at + first.len();
        for part in rest {
            match string_end(bytes, at) {
                Some(end) if repeats(bytes, end, part) => at = end + part.len(),
                _ => return false,
            }
        }
        self.at = at;
        true
    }

    /// Skips a number as JSON writes it: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn skip_number(&mut self) -> Option<()> {
        let digits = |reader: &mut Self| {
            let start = reader.at;
            while reader.bytes.get(reader.at).is_some_and(u8::is_ascii_digit) {
                reader.at += 1;
            }
            (reader.at > start).then_some(())
        };
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        match self.bytes.get(self.at)? {
            b'0' => self.at += 1,
            b'1'..=b'9' => digits(self)?,
            _ => return None,
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            digits(self)?;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            digits(self)?;
        }
        Some(())
    }

    /// The value at `start` read by serde from its own text.
    fn by_serde(&mut self, start: usize, table: usize) -> Option<FieldValue> {
        let mut values =
            serde_json::Deserializer::from_str(&self.text[start..]).into_iter::<FieldValue>();
        let value = values.next()?.ok()?;
        let end = start + values.byte_offset();
        // The page's object, its records array, a record, and per table the field's object,
        // its rows array, a row and the row's fields.
        let around = 3 + 4 * table;
        if around + nesting(&self.bytes[start..end]) > FALLBACK_MAX_DEPTH {
            return None;
        }
        self.at = end;
        Some(value)
    }
}

/// Where the first byte from `from` on that ends a string's plain run is: a quote, a backslash
/// or a control byte. Sixteen bytes are tested at a time (strings are most of a page's bytes),
/// then eight: in each word, the lowest byte flagged is exact, as borrows only run towards
/// higher bytes.
fn special_byte(bytes: &[u8], mut from: usize) -> Option<usize> {
    use crate::records::outline::string_stops;
    while let Some(chunk) = bytes.get(from..from + 16) {
        let found = string_stops(chunk.try_into().ok()?);
        if found != 0 {
            return Some(from + found.trailing_zeros() as usize);
        }
        from += 16;
    }
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let zero_in = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    while let Some(chunk) = bytes.get(from..from + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let quotes = zero_in(word ^ (ONES * u64::from(b'"')));
        let backslashes = zero_in(word ^ (ONES * u64::from(b'\\')));
        let controls = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        let found = quotes | backslashes | controls;
        if found != 0 {
            return Some(from + (found.trailing_zeros() / 8) as usize);
        }
        from += 8;
    }
    let rest = bytes.get(from..)?;
    rest.iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| from + i)
}

/// Whether `bytes` has `part` at `at`: a shape's part, which is often a lone quote (a skipped
/// string's own), compared without a call to `memcmp`.
#[inline(always)]
fn repeats(bytes: &[u8], at: usize, part: &[u8]) -> bool {
    match part {
        [byte] => bytes.get(at) == Some(byte),
        _ => bytes.get(at..).is_some_and(|rest| rest.starts_with(part)),
    }
}

/// Where the quote that ends a string's content starting at `from` stands, when every escape in
/// it is of one character (`\n`, `\"`, ...): a `\u` escape, a control byte or the page's end
/// is `None`.
#[inline(always)]
fn string_end(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        from = special_byte(bytes, from)?;
        match bytes[from] {
            b'"' => return Some(from),
            b'\\' => match bytes.get(from + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => from += 2,
                _ => return None,
            },
            _ => return None,
        }
    }
}

/// How deeply brackets nest in a JSON value's text.
fn nesting(text: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for &byte in text {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

// The whole page: the fast reader above first, serde where it gives up, both bounded by the
// records asked for.

/// The records of a Get Records or Get Records by Cursor answer, and its `next` when it has
/// one, decoded as the operations' own answers are but with at most `max` records: the first
/// record past `max` is skipped over, not decoded, and the page is
/// [`ProtocolError::PageTooLarge`]. The page's other members (such as `totalCount`) are not
/// read: the readers of every record do not use them.
pub(crate) fn decode_page(
    response: RawResponse,
    max: usize,
    keep: Keep,
) -> Result<(Vec<Record>, Option<bool>), Error> {
    // As `decode_json` does: checking UTF-8 once lets the readers skip checking each string.
    let text = crate::wire::utf8(&response.body);
    if let Some(page) = text.and_then(|text| read(text, max, keep)) {
        return Ok(page);
    }
    let (page, past_max) = decode_page_by_serde(&response.body, text, max, keep);
    page.map_err(|source| {
        if past_max {
            ProtocolError::PageTooLarge {
                asked: max,
                received: max.saturating_add(1),
            }
            .into()
        } else {
            Error::Decode {
                operation: response.operation,
                source,
                excerpt: crate::error::excerpt(&response.body),
            }
        }
    })
}

/// A page's records and its `next`.
pub(crate) type Page = (Vec<Record>, Option<bool>);

/// A page as serde reads it, whatever its shape, and whether it failed for having more than
/// `max` records: what [`crate::record_page::read`] must agree with where it reads a page.
pub(crate) fn decode_page_by_serde(
    body: &[u8],
    text: Option<&str>,
    max: usize,
    keep: Keep,
) -> (Result<Page, serde_json::Error>, bool) {
    use serde::de::DeserializeSeed;

    fn whole<'de, R: serde_json::de::Read<'de>>(
        mut reader: serde_json::Deserializer<R>,
        seed: BoundedPage<'_>,
    ) -> Result<(Vec<Record>, Option<bool>), serde_json::Error> {
        let page = seed.deserialize(&mut reader)?;
        reader.end()?;
        Ok(page)
    }

    let past_max = std::cell::Cell::new(false);
    let seed = BoundedPage {
        max,
        past_max: &past_max,
        keep,
    };
    let page = match text {
        Some(text) => whole(serde_json::Deserializer::from_str(text), seed),
        None => whole(serde_json::Deserializer::from_slice(body), seed),
    };
    (page, past_max.get())
}

/// The records of a Get Records by Cursor answer and its `next`, as [`decode_page`] reads
/// them.
pub(crate) fn decode_cursor_page(
    response: RawResponse,
    max: usize,
    keep: Keep,
) -> Result<(Vec<Record>, bool), Error> {
    let operation = response.operation;
    let body = response.body.clone();
    match decode_page(response, max, keep)? {
        (records, Some(next)) => Ok((records, next)),
        (_, None) => Err(Error::Decode {
            operation,
            source: serde::de::Error::missing_field("next"),
            excerpt: crate::error::excerpt(&body),
        }),
    }
}

/// A page's object: its `records`, at most `max` of them, and its `next`.
struct BoundedPage<'a> {
    max: usize,
    /// Set when the page has more than `max` records, to tell that error from the others.
    past_max: &'a std::cell::Cell<bool>,
    keep: Keep,
}

/// A key of a page's object.
enum PageKey {
    Records,
    Next,
    Other,
}

impl<'de> serde::Deserialize<'de> for PageKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = PageKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<PageKey, E> {
                Ok(match key {
                    "records" => PageKey::Records,
                    "next" => PageKey::Next,
                    _ => PageKey::Other,
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for BoundedPage<'_> {
    type Value = (Vec<Record>, Option<bool>);

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for BoundedPage<'_> {
    type Value = (Vec<Record>, Option<bool>);

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a page of records")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        use serde::de::Error as _;
        let mut records = None;
        let mut next = None;
        while let Some(key) = map.next_key::<PageKey>()? {
            match key {
                PageKey::Records if records.is_some() => {
                    return Err(A::Error::duplicate_field("records"))
                }
                PageKey::Records => {
                    records = Some(map.next_value_seed(BoundedRecords {
                        max: self.max,
                        past_max: self.past_max,
                        keep: self.keep,
                    })?)
                }
                PageKey::Next if next.is_some() => return Err(A::Error::duplicate_field("next")),
                PageKey::Next => next = Some(map.next_value::<bool>()?),
                PageKey::Other => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        let records = records.ok_or_else(|| A::Error::missing_field("records"))?;
        Ok((records, next))
    }
}

/// A page's `records`: at most `max` of them are decoded.
struct BoundedRecords<'a> {
    max: usize,
    past_max: &'a std::cell::Cell<bool>,
    keep: Keep,
}

impl<'de> serde::de::DeserializeSeed<'de> for BoundedRecords<'_> {
    type Value = Vec<Record>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for BoundedRecords<'_> {
    type Value = Vec<Record>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut records = Vec::new();
        loop {
            if records.len() == self.max {
                // One more is looked at, skipped rather than decoded, to know whether it exists.
                if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    self.past_max.set(true);
                    return Err(serde::de::Error::custom("more records than were asked for"));
                }
                return Ok(records);
            }
            let record = match self.keep {
                Keep::Every => seq.next_element::<Record>()?,
                Keep::Only(_) => seq.next_element_seed(KeptFields(self.keep))?,
            };
            match record {
                Some(record) => records.push(record),
                None => return Ok(records),
            }
        }
    }
}

/// A record with only the fields `Keep` wants, the others skipped as JSON: what the fast
/// reader gives, for the pages it leaves to serde. A repeated code keeps its last value, in
/// the place of its first, as [`Record`]'s own reading does.
struct KeptFields(Keep);

impl<'de> serde::de::DeserializeSeed<'de> for KeptFields {
    type Value = Record;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Record, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeptFields {
    type Value = Record;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object of field values keyed by field code")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
        let mut record = Record::new();
        while let Some(code) = map.next_key::<Cow<'de, str>>()? {
            if self.0.wants(&code) {
                record.insert(&*code, map.next_value::<FieldValue>()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::special_byte;

    /// A table row given up on (a code twice: serde's to read) leaves no template behind: the
    /// field is read by serde, and the next record's row, the same text, is read as it is.
    #[test]
    fn a_row_given_up_on_leaves_no_template() {
        let row = r#"{"id":"1","value":{"A":{"type":"NUMBER","value":"1"},"B":{"type":"DATE","value":"2024-08-01"},"A":{"type":"NUMBER","value":"2"}}}"#;
        let record = format!(
            r#"{{"T":{{ "type":"SUBTABLE","value":[{row}],"extra":1}},"N":{{"type":"NUMBER","value":"3"}}}}"#
        );
        let text = format!(r#"{{"records":[{record},{record}]}}"#);
        let (records, _) = super::read(&text, 500, super::Keep::Every).expect("read");
        let by_serde: crate::GetRecordsResponse = serde_json::from_str(&text).unwrap();
        assert_eq!(format!("{records:?}"), format!("{:?}", by_serde.records));
        assert_eq!(records[1]["T"], by_serde.records[1]["T"]);
    }

    proptest! {
        /// Eight bytes at a time finds what one at a time finds, wherever it stands.
        #[test]
        fn the_end_of_a_plain_run_is_found_exactly(
            bytes in prop::collection::vec(
                prop::sample::select(vec![b'a', b'"', b'\\', 0x1f, 0x20, 0x00, 0x7f, 0x80, 0xe3, 0xff, b'!', 0x5b]),
                0..60,
            ),
            from in 0usize..60,
        ) {
            let one_at_a_time = bytes
                .get(from..)
                .and_then(|rest| rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20))
                .map(|i| from + i);
            prop_assert_eq!(special_byte(&bytes, from), one_at_a_time);
        }
    }
}

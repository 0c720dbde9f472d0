//! The outline of a page of records: where each record starts and ends, and where its `$id`
//! is, found without building any value, so that records can be handed out as the JSON text
//! kintone sent ([`RawRecord`](crate::RawRecord)).
//!
//! The page is checked as strictly as serde_json checks JSON it skips: UTF-8, the grammar of
//! RFC 8259 (strings and their escapes, numbers, literals, nesting, nothing after the value),
//! and no deeper nesting than [`MAX_DEPTH`]. Anything else is an [`OutlineError`]. Like the
//! grammar, it leaves to the reader of a value whether a `\u` escape is half a surrogate pair.
//!
//! Speed is the point of this module, so it reads the text 64 bytes at a time: a few SIMD
//! comparisons give bit masks of the quotes, backslashes, control bytes and structural
//! characters of each block; string interiors are masked out with a prefix XOR of the quotes,
//! and only the structural characters left (a few per field) are visited one by one. That is
//! several times faster than a byte-by-byte reader, which matters because reading the page is
//! most of what a record stream costs.

use std::ops::Range;

use wide::u8x16;

/// Nesting deeper than this is refused, as serde_json refuses it.
pub(crate) const MAX_DEPTH: usize = 128;

/// Where the records of a page are.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Outline {
    /// The members of the page's object other than `records`: each key's token (with its
    /// quotes) and value's text.
    pub members: Vec<(Range<usize>, Range<usize>)>,
    /// The elements of the `records` array, when the page has one.
    pub records: Option<Vec<RecordSpan>>,
}

/// One record of a page.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct RecordSpan {
    /// The record object's text.
    pub text: Range<usize>,
    /// The record's `$id` member, if it has one.
    pub id: Option<IdSpan>,
}

/// A record's `$id` member.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct IdSpan {
    /// The string token of `$id.value`, with its quotes, when `$id` is an object holding one.
    pub value: Option<Range<usize>>,
    /// What to cut out of the record's text to leave it without `$id`: the member and one
    /// comma next to it.
    pub cut: Range<usize>,
}

/// A page that is not JSON, or not the JSON it must be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} at byte {at}")]
pub(crate) struct OutlineError {
    /// What is wrong.
    pub what: &'static str,
    /// Where, as a byte offset into the page.
    pub at: usize,
}

fn fail<T>(what: &'static str, at: usize) -> Result<T, OutlineError> {
    Err(OutlineError { what, at })
}

/// Outlines a page: a JSON object whose `records` member, when present, is an array of
/// objects.
pub(crate) fn outline(page: &[u8]) -> Result<Outline, OutlineError> {
    if let Err(e) = std::str::from_utf8(page) {
        return fail("invalid UTF-8", e.valid_up_to());
    }
    let mut walker = Walker::new(page);
    let mut strings = StringMask::default();
    let mut padded;
    for start in (0..page.len()).step_by(64) {
        let block: &[u8; 64] = match page.get(start..start + 64) {
            Some(full) => full.try_into().expect("a 64-byte slice"),
            None => {
                // The last block, padded with spaces, which are whitespace wherever they fall.
                padded = [b' '; 64];
                padded[..page.len() - start].copy_from_slice(&page[start..]);
                &padded
            }
        };
        let masks = Masks::of(block);
        let escaped = strings.escaped(masks.backslash, page, start)?;
        let quotes = masks.quote & !escaped;
        let inside = strings.inside(quotes);
        if let Some(bit) = first_bit(masks.control & inside) {
            return fail("control character in a string", start + bit);
        }
        // Opening and closing quotes, and the structural characters outside strings.
        let mut events = (masks.structural & !inside) | quotes;
        while let Some(bit) = first_bit(events) {
            events &= events - 1;
            walker.event(start + bit, block[bit])?;
        }
    }
    walker.finish()
}

fn first_bit(mask: u64) -> Option<usize> {
    (mask != 0).then(|| mask.trailing_zeros() as usize)
}

/// Bit `i` of each mask stands for byte `i` of a 64-byte block.
struct Masks {
    quote: u64,
    backslash: u64,
    /// Bytes below 0x20, which strings may not hold unescaped.
    control: u64,
    /// `{`, `}`, `[`, `]`, `:` and `,`.
    structural: u64,
}

impl Masks {
    fn of(block: &[u8; 64]) -> Masks {
        let mut masks = Masks {
            quote: 0,
            backslash: 0,
            control: 0,
            structural: 0,
        };
        for (i, lane) in block.chunks_exact(16).enumerate() {
            let bytes = u8x16::from(<[u8; 16]>::try_from(lane).expect("a 16-byte chunk"));
            let is = |byte: u8| bytes.simd_eq(u8x16::splat(byte));
            // `[` and `]` are `{` and `}` without bit 5.
            let folded = bytes | u8x16::splat(0x20);
            let bracket = folded.simd_eq(u8x16::splat(b'{')) | folded.simd_eq(u8x16::splat(b'}'));
            let control = bytes.min(u8x16::splat(0x1f)).simd_eq(bytes);
            let shift = i * 16;
            masks.quote |= u64::from(is(b'"').to_bitmask()) << shift;
            masks.backslash |= u64::from(is(b'\\').to_bitmask()) << shift;
            masks.control |= u64::from(control.to_bitmask()) << shift;
            masks.structural |= u64::from((bracket | is(b':') | is(b',')).to_bitmask()) << shift;
        }
        masks
    }
}

/// What carries over from one block to the next about strings.
#[derive(Default)]
struct StringMask {
    /// The first byte of the next block is escaped (the block ended with an escaping `\`).
    escape_carry: bool,
    /// All ones when the block ended inside a string.
    inside_carry: u64,
}

impl StringMask {
    /// The bytes that a backslash escapes; checks each escape on the way. Backslashes are rare,
    /// so they are visited one by one.
    fn escaped(
        &mut self,
        backslashes: u64,
        page: &[u8],
        start: usize,
    ) -> Result<u64, OutlineError> {
        let mut escaped = u64::from(self.escape_carry);
        self.escape_carry = false;
        let mut pending = backslashes;
        while let Some(bit) = first_bit(pending) {
            pending &= pending - 1;
            if escaped & (1 << bit) != 0 {
                continue;
            }
            let at = start + bit;
            // Outside strings a backslash is refused by the grammar; checking it here as well
            // does no harm.
            match page.get(at + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {}
                Some(b'u') => {
                    let hex = page.get(at + 2..at + 6);
                    if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                        return fail("invalid \\u escape", at);
                    }
                }
                _ => return fail("invalid escape", at),
            }
            if bit == 63 {
                self.escape_carry = true;
            } else {
                escaped |= 1 << (bit + 1);
            }
        }
        Ok(escaped)
    }

    /// The bytes inside strings, opening quotes included and closing quotes not, given the
    /// block's unescaped quotes.
    fn inside(&mut self, quotes: u64) -> u64 {
        let mut x = quotes;
        for shift in [1, 2, 4, 8, 16, 32] {
            x ^= x << shift;
        }
        let inside = x ^ self.inside_carry;
        self.inside_carry = ((inside as i64) >> 63) as u64;
        inside
    }
}

/// What the grammar expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Value,
    /// Just after `[`.
    ValueOrClose,
    /// Just after `{`.
    KeyOrClose,
    Key,
    Colon,
    CommaOrClose,
    /// The page's value is complete.
    End,
}

/// Where the walk is, in the terms of a page of records: depth 1 is the page's object, 2 the
/// `records` array, 3 a record, 4 the value of one of its fields.
struct Walker<'p> {
    page: &'p [u8],
    expect: Expect,
    /// Each open container: `true` for an object, `false` for an array, and where it starts.
    open: Vec<(bool, usize)>,
    /// Where the bytes not yet looked at start.
    from: usize,
    /// The opening quote of the string being read, and whether it is a key.
    string: Option<(usize, bool)>,
    /// The last key read in the page's object.
    key: Option<Range<usize>>,
    /// The page member being read: its key and where its value starts.
    member: Option<(Range<usize>, usize)>,
    in_records: bool,
    outline: Outline,
    record: Option<RecordState>,
}

#[derive(Default)]
struct RecordState {
    start: usize,
    /// The last comma between this record's members.
    comma: Option<usize>,
    /// The `$id` member being read: where its key starts.
    id_start: Option<usize>,
    /// Inside `$id`'s object, the last key was `value`.
    id_value_key: bool,
    id_value: Option<Range<usize>>,
    /// `$id` was read and ends here; its cut is known at the next comma or at the record's end.
    id_end: Option<usize>,
    id: Option<IdSpan>,
}

impl<'p> Walker<'p> {
    fn new(page: &'p [u8]) -> Self {
        Walker {
            page,
            expect: Expect::Value,
            open: Vec::new(),
            from: 0,
            string: None,
            key: None,
            member: None,
            in_records: false,
            outline: Outline::default(),
            record: None,
        }
    }

    fn depth(&self) -> usize {
        self.open.len()
    }

    fn event(&mut self, at: usize, byte: u8) -> Result<(), OutlineError> {
        if let Some((start, is_key)) = self.string.take() {
            // The closing quote: the only event that can come inside a string.
            self.from = at + 1;
            return if is_key {
                if self.depth() == 1 {
                    self.key = Some(start..at + 1);
                }
                self.expect = Expect::Colon;
                self.on_key(start..at + 1);
                Ok(())
            } else {
                self.value_done(start..at + 1)
            };
        }
        self.gap(at)?;
        self.from = at + 1;
        match byte {
            b'"' => match self.expect {
                Expect::Key | Expect::KeyOrClose => self.string = Some((at, true)),
                Expect::Value | Expect::ValueOrClose => {
                    self.value_start(at);
                    self.string = Some((at, false));
                }
                _ => return fail("unexpected string", at),
            },
            b'{' | b'[' => {
                if !matches!(self.expect, Expect::Value | Expect::ValueOrClose) {
                    return fail("unexpected value", at);
                }
                if self.depth() == MAX_DEPTH {
                    return fail("nesting too deep", at);
                }
                self.value_start(at);
                let object = byte == b'{';
                self.open.push((object, at));
                self.on_open(object)?;
                self.expect = if object {
                    Expect::KeyOrClose
                } else {
                    Expect::ValueOrClose
                };
            }
            b'}' | b']' => {
                let object = byte == b'}';
                let closes = match self.expect {
                    Expect::CommaOrClose => true,
                    Expect::KeyOrClose => object,
                    Expect::ValueOrClose => !object,
                    _ => false,
                };
                let Some((open_object, start)) = self.open.last().copied() else {
                    return fail("unexpected end of a container", at);
                };
                if !closes || open_object != object {
                    return fail("unexpected end of a container", at);
                }
                self.on_close()?;
                self.open.pop();
                self.value_done(start..at + 1)?;
            }
            b':' => {
                if self.expect != Expect::Colon {
                    return fail("unexpected ':'", at);
                }
                self.expect = Expect::Value;
            }
            b',' => {
                if self.expect != Expect::CommaOrClose {
                    return fail("unexpected ','", at);
                }
                self.on_comma(at)?;
                self.expect = if self.open.last().is_some_and(|(object, _)| *object) {
                    Expect::Key
                } else {
                    Expect::Value
                };
            }
            _ => unreachable!("only quotes and structural characters are events"),
        }
        Ok(())
    }

    /// The bytes between two events: whitespace, or a number or literal where a value goes.
    fn gap(&mut self, until: usize) -> Result<(), OutlineError> {
        let gap = &self.page[self.from..until];
        let Some(first) = gap.iter().position(|b| !is_whitespace(*b)) else {
            return Ok(());
        };
        let last = gap
            .iter()
            .rposition(|b| !is_whitespace(*b))
            .unwrap_or(first);
        let start = self.from + first;
        if !matches!(self.expect, Expect::Value | Expect::ValueOrClose) {
            return fail("unexpected characters", start);
        }
        let token = &gap[first..=last];
        if !is_literal(token) {
            return fail("invalid number or literal", start);
        }
        self.value_start(start);
        self.value_done(start..self.from + last + 1)
    }

    fn finish(mut self) -> Result<Outline, OutlineError> {
        if let Some((start, _)) = self.string {
            return fail("unterminated string", start);
        }
        self.gap(self.page.len())?;
        if self.expect != Expect::End {
            return fail("unexpected end of the page", self.page.len());
        }
        Ok(self.outline)
    }

    /// A value starts at `at`, at the current depth.
    fn value_start(&mut self, at: usize) {
        if self.depth() == 1 {
            if let Some(key) = self.key.take() {
                self.member = Some((key, at));
            }
        }
    }

    /// A value ends; the depth is the one it was read at.
    fn value_done(&mut self, text: Range<usize>) -> Result<(), OutlineError> {
        self.expect = if self.open.is_empty() {
            Expect::End
        } else {
            Expect::CommaOrClose
        };
        match self.depth() {
            0 => {
                if self.page[text.start] != b'{' {
                    return fail("the page is not an object", text.start);
                }
            }
            1 => {
                if let Some((key, _)) = self.member.take() {
                    if key_is(self.page, &key, "records") {
                        self.in_records = false;
                        if self.page[text.start] != b'[' {
                            return fail("records is not an array", text.start);
                        }
                    } else {
                        self.outline.members.push((key, text));
                    }
                }
            }
            2 if self.in_records => {
                let Some(record) = self.record.take() else {
                    return fail("a record is not an object", text.start);
                };
                let records = self.outline.records.get_or_insert_with(Vec::new);
                records.push(RecordSpan {
                    text: record.start..text.end,
                    id: record.id,
                });
            }
            4 => {
                if let Some(record) = &mut self.record {
                    if record.id_value_key {
                        record.id_value_key = false;
                        if self.page[text.start] == b'"' {
                            record.id_value = Some(text);
                        }
                    }
                }
            }
            3 => {
                if let Some(record) = &mut self.record {
                    if record.id_start.is_some() {
                        record.id_end = Some(text.end);
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn on_key(&mut self, key: Range<usize>) {
        let depth = self.depth();
        let Some(record) = self.record.as_mut().filter(|_| self.in_records) else {
            return;
        };
        if depth == 3 && key_is(self.page, &key, "$id") {
            record.id_start = Some(key.start);
        } else if depth == 4 && record.id_start.is_some() && record.id_end.is_none() {
            record.id_value_key = key_is(self.page, &key, "value");
        }
    }

    fn on_open(&mut self, object: bool) -> Result<(), OutlineError> {
        let at = self.open.last().map_or(0, |(_, start)| *start);
        match self.depth() {
            2 => {
                let records = self.member.as_ref();
                if !object && records.is_some_and(|(key, _)| key_is(self.page, key, "records")) {
                    if self.outline.records.is_some() {
                        return fail("records appears twice", at);
                    }
                    self.in_records = true;
                    self.outline.records = Some(Vec::new());
                }
            }
            3 if self.in_records && object => {
                self.record = Some(RecordState {
                    start: at,
                    ..RecordState::default()
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn on_comma(&mut self, at: usize) -> Result<(), OutlineError> {
        if self.depth() == 3 && self.in_records {
            if let Some(record) = &mut self.record {
                record.settle_id(Some(at))?;
                record.comma = Some(at);
            }
        }
        Ok(())
    }

    /// Before the container at the current depth is closed.
    fn on_close(&mut self) -> Result<(), OutlineError> {
        if self.depth() == 3 && self.in_records {
            if let Some(record) = &mut self.record {
                record.settle_id(None)?;
            }
        }
        Ok(())
    }
}

impl RecordState {
    /// The `$id` member just read ends before `next_comma` (or before the record's end, when
    /// `None`): its cut takes one comma with it.
    fn settle_id(&mut self, next_comma: Option<usize>) -> Result<(), OutlineError> {
        let (Some(start), Some(end)) = (self.id_start, self.id_end) else {
            return Ok(());
        };
        if self.id.is_some() {
            return fail("a record has $id twice", start);
        }
        let cut = match (next_comma, self.comma) {
            (Some(comma), _) => start..comma + 1,
            (None, Some(comma)) => comma..end,
            (None, None) => start..end,
        };
        self.id = Some(IdSpan {
            value: self.id_value.take(),
            cut,
        });
        self.id_start = None;
        self.id_end = None;
        self.id_value_key = false;
        Ok(())
    }
}

fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// Whether a key token (with its quotes) is `name`. Keys are compared as written unless they
/// hold an escape, which is decoded first.
fn key_is(page: &[u8], token: &Range<usize>, name: &str) -> bool {
    let raw = &page[token.start + 1..token.end - 1];
    if !raw.contains(&b'\\') {
        return raw == name.as_bytes();
    }
    serde_json::from_slice::<String>(&page[token.clone()]).is_ok_and(|key| key == name)
}

/// `true`, `false`, `null` or a number as JSON writes them.
fn is_literal(token: &[u8]) -> bool {
    matches!(token, b"true" | b"false" | b"null") || is_number(token)
}

fn is_number(token: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut rest = token.strip_prefix(b"-").unwrap_or(token);
    match digits(rest) {
        0 => return false,
        n if n > 1 && rest[0] == b'0' => return false,
        n => rest = &rest[n..],
    }
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = digits(fraction);
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    if let Some(exponent) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let exponent = exponent
            .strip_prefix(b"+")
            .or_else(|| exponent.strip_prefix(b"-"))
            .unwrap_or(exponent);
        let n = digits(exponent);
        if n == 0 {
            return false;
        }
        rest = &exponent[n..];
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text<'a>(page: &'a str, range: &Range<usize>) -> &'a str {
        &page[range.clone()]
    }

    #[test]
    fn records_ids_and_other_members_are_found() {
        let page = r#" { "records" : [ {"$id":{"type":"__ID__","value":"7"},"A":{"value":"}]\"{["}} ,
            {"B":{"value":[1,{"x":null}]}, "$id" : {"value":"8","type":"__ID__"} } ],
            "totalCount": "2", "next": false } "#;
        let outline = outline(page.as_bytes()).unwrap();
        let members: Vec<_> = outline
            .members
            .iter()
            .map(|(k, v)| (text(page, k), text(page, v)))
            .collect();
        assert_eq!(
            members,
            [(r#""totalCount""#, r#""2""#), (r#""next""#, "false")]
        );
        let records = outline.records.unwrap();
        assert_eq!(records.len(), 2);
        let first = &records[0];
        assert_eq!(
            text(page, &first.text),
            r#"{"$id":{"type":"__ID__","value":"7"},"A":{"value":"}]\"{["}}"#
        );
        let id = first.id.as_ref().unwrap();
        assert_eq!(text(page, id.value.as_ref().unwrap()), r#""7""#);
        assert_eq!(
            text(page, &id.cut),
            r#""$id":{"type":"__ID__","value":"7"},"#
        );
        let second = &records[1];
        let id = second.id.as_ref().unwrap();
        assert_eq!(text(page, id.value.as_ref().unwrap()), r#""8""#);
        assert_eq!(
            text(page, &id.cut),
            r#", "$id" : {"value":"8","type":"__ID__"}"#
        );
    }

    #[test]
    fn cutting_the_id_leaves_valid_json_wherever_it_stands() {
        for record in [
            r#"{"$id":{"value":"1"}}"#,
            r#"{"$id":{"value":"1"},"A":{"value":"a"}}"#,
            r#"{"A":{"value":"a"},"$id":{"value":"1"}}"#,
            r#"{"A":{"value":"a"}, "$id":{"value":"1"} ,"B":{"value":"b"}}"#,
        ] {
            let page = format!(r#"{{"records":[{record}]}}"#);
            let outline = outline(page.as_bytes()).unwrap();
            let span = &outline.records.unwrap()[0];
            let cut = span.id.as_ref().unwrap().cut.clone();
            let without = format!(
                "{}{}",
                &page[span.text.start..cut.start],
                &page[cut.end..span.text.end]
            );
            let value: serde_json::Value = serde_json::from_str(&without).unwrap();
            assert!(value.get("$id").is_none(), "{without}");
            let expected: serde_json::Map<_, _> =
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(record)
                    .unwrap()
                    .into_iter()
                    .filter(|(k, _)| k != "$id")
                    .collect();
            assert_eq!(value, serde_json::Value::Object(expected), "{without}");
        }
    }

    #[test]
    fn pages_that_are_not_pages_of_records_are_refused() {
        for (page, what) in [
            ("", "unexpected end of the page"),
            ("[]", "the page is not an object"),
            (r#"{"records":{}}"#, "records is not an array"),
            (r#"{"records":[1]}"#, "a record is not an object"),
            (r#"{"records":[],"records":[]}"#, "records appears twice"),
            (
                r#"{"records":[{"$id":{},"$id":{}}]}"#,
                "a record has $id twice",
            ),
            ("{\"a\":\"\u{1}\"}", "control character in a string"),
            (r#"{"a":"\x"}"#, "invalid escape"),
            (r#"{"a":"\u12G4"}"#, "invalid \\u escape"),
            (r#"{"a":01}"#, "invalid number or literal"),
            (r#"{"a":tru}"#, "invalid number or literal"),
            (r#"{"a":1 2}"#, "invalid number or literal"),
            (r#"{"a":1,}"#, "unexpected end of a container"),
            (r#"{"a" 1}"#, "unexpected characters"),
            (r#"{"a":1]"#, "unexpected end of a container"),
            (r#"{"a":"#, "unexpected end of the page"),
            (r#"{"a":"b"#, "unterminated string"),
            (r#"{} {}"#, "unexpected value"),
            (r#"{} x"#, "unexpected characters"),
        ] {
            let error = outline(page.as_bytes()).unwrap_err();
            assert_eq!(error.what, what, "{page}");
            let shape = ["not an object", "not an array", "twice"];
            if !shape.iter().any(|s| what.contains(s)) {
                assert!(
                    serde_json::from_str::<serde::de::IgnoredAny>(page).is_err(),
                    "{page}"
                );
            }
        }
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(
            outline(format!(r#"{{"a":{deep}}}"#).as_bytes())
                .unwrap_err()
                .what,
            "nesting too deep"
        );
        assert_eq!(
            outline(b"{\"a\":\"\xff\"}").unwrap_err().what,
            "invalid UTF-8"
        );
    }

    #[test]
    fn strings_and_escapes_across_block_boundaries() {
        // Every position of a backslash run and a quote relative to the 64-byte blocks.
        for pad in 0..70 {
            for run in 0..4 {
                let key = "k".repeat(pad);
                let value = format!("{}{}", "\\\\".repeat(run), "\\\"x");
                let page =
                    format!(r#"{{"{key}":"{value}","records":[{{"$id":{{"value":"5"}}}}]}}"#);
                let outline = outline(page.as_bytes()).unwrap_or_else(|e| panic!("{page}: {e}"));
                let records = outline.records.unwrap();
                let id = records[0].id.as_ref().unwrap();
                assert_eq!(text(&page, id.value.as_ref().unwrap()), r#""5""#, "{page}");
                assert_eq!(text(&page, &outline.members[0].1), format!(r#""{value}""#));
            }
        }
    }

    /// JSON-like text: pieces that make valid JSON most of the time, and broken JSON often.
    fn json_like() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            Just("true".to_string()),
            Just("-0.5e+3".to_string()),
            Just("01".to_string()),
            Just("1.".to_string()),
            "-?[0-9]{1,3}(\\.[0-9]{1,2})?([eE][+-]?[0-9])?",
            // Strings with escapes, quotes, brackets and non-ASCII text inside.
            "\"([a-z{}\\[\\]:, ]|\\\\[\"\\\\/bnrtfx]|\\\\u00[0-9a-fA-F]{2}|é|日本|\\x01)*\"",
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec(("\"(\\$id|value|records|[a-z]{1,3})\"", inner), 0..6)
                    .prop_map(|members| {
                        let members: Vec<_> = members
                            .into_iter()
                            .map(|(k, v)| format!("{k} : {v}"))
                            .collect();
                        format!("{{ {} }}", members.join(" ,"))
                    }),
            ]
        })
    }

    /// A small edit that often breaks the text: a byte deleted or inserted.
    fn edited(text: String, at: usize, edit: u8) -> String {
        let mut bytes = text.into_bytes();
        let at = at % (bytes.len() + 1);
        match edit % 4 {
            0 if at < bytes.len() => {
                bytes.remove(at);
            }
            1 => bytes.insert(at, b"\"{}[],:\\ 0"[usize::from(edit) % 10]),
            _ => {}
        }
        String::from_utf8(bytes).unwrap_or_default()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The outline accepts exactly the objects serde_json accepts, and finds every record
        /// and id where serde_json sees them.
        #[test]
        fn the_outline_agrees_with_serde_json(
            records in prop::collection::vec(json_like(), 0..4),
            extra in json_like(),
            at in any::<usize>(),
            edit in any::<u8>(),
        ) {
            let page = format!(r#"{{"extra": {extra}, "records": [{}]}}"#, records.join(", "));
            let page = edited(page, at, edit);
            let expected = serde_json::from_str::<serde_json::Value>(&page);
            let got = outline(page.as_bytes());
            match (&expected, &got) {
                (Ok(serde_json::Value::Object(map)), Ok(outline)) => {
                    let listed = map.get("records").and_then(|r| r.as_array());
                    match (listed, &outline.records) {
                        (Some(listed), Some(spans)) => {
                            prop_assert_eq!(listed.len(), spans.len());
                            for (value, span) in listed.iter().zip(spans) {
                                let own: serde_json::Value = serde_json::from_str(&page[span.text.clone()]).unwrap();
                                prop_assert_eq!(value, &own);
                                let id = value.get("$id");
                                prop_assert_eq!(id.is_some(), span.id.is_some());
                                if let Some(span) = &span.id {
                                    let value = id.unwrap().get("value").filter(|v| v.is_string());
                                    let found = span.value.as_ref().map(|r| serde_json::from_str::<serde_json::Value>(&page[r.clone()]).unwrap());
                                    prop_assert_eq!(value, found.as_ref());
                                }
                            }
                        }
                        (None, None) => {}
                        other => prop_assert!(false, "records differ: {:?}", other),
                    }
                }
                // serde_json keeps the last of two equal keys; the outline refuses those that matter.
                (Ok(_), Err(e)) if e.what.contains("twice") => {}
                // serde_json reads pages that are not objects or whose records are not arrays
                // of objects; the outline refuses them.
                (Ok(value), Err(_)) if !value.is_object()
                    || value.get("records").is_some_and(|r| !r.as_array().is_some_and(|a| a.iter().all(|r| r.is_object()))) => {}
                (Err(_), Err(_)) => {}
                other => prop_assert!(false, "{page}: {other:?}"),
            }
        }
    }
}

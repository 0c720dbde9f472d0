//! The outline of a page of records: where each record starts and ends, and where its `$id`
//! is, found without building any value, so that records can be handed out as the JSON text
//! kintone sent ([`RawRecord`](crate::RawRecord)).
//!
//! What is checked, and where:
//! - the whole page: UTF-8; strings (terminated, valid escapes, no control bytes); brackets
//!   (balanced, `{` closed by `}` and `[` by `]`, nesting at most [`MAX_DEPTH`]);
//! - the page's own object and its `records` array: the full grammar of RFC 8259 (keys,
//!   colons, commas, numbers, literals, nothing after the value), as strictly as serde_json
//!   checks JSON it skips;
//! - inside each record (and inside the values of the page's other members), only what the
//!   first point says: the rest is checked by the reader that decodes it. A record is thus
//!   always one balanced object, cut at the right place, whatever its content.
//!
//! Anything else is an [`OutlineError`]. Like the grammar, the outline leaves to the reader of
//! a value whether a `\u` escape is half a surrogate pair.
//!
//! Speed is the point of this module, so it reads the text 64 bytes at a time: a few SIMD
//! comparisons (SSE2 on x86_64, eight bytes to a `u64` elsewhere) give bit masks of the
//! quotes, backslashes, control bytes and structural characters of each block; string
//! interiors are masked out with a prefix XOR of the quotes, and only the events left are
//! visited one by one: every structural character of the page's own levels, but inside records
//! only brackets and the strings that may be the key `$id` (two or three events per field
//! instead of a dozen). Reading the page is most of what a raw record stream costs, so this is
//! what makes it cost less than twice what reading the bytes alone does (the `whole_app`
//! bench).

use std::ops::Range;

use crate::records::map::ID;
use crate::{FieldValue, IdField};

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

impl OutlineError {
    /// Whether the page has more records than the outline was allowed: not a malformed page,
    /// a page larger than asked for.
    pub(crate) fn is_past_max_records(&self) -> bool {
        self.what == PAST_MAX_RECORDS
    }
}

fn fail<T>(what: &'static str, at: usize) -> Result<T, OutlineError> {
    Err(OutlineError { what, at })
}

/// What [`OutlineError::what`] says of a page with more records than the outline was allowed.
pub(crate) const PAST_MAX_RECORDS: &str = "more records than were asked for";

/// Outlines a page: a JSON object whose `records` member, when present, is an array of
/// objects, of at most `max_records`. The outline stops at the first record past that, so
/// that what it holds follows the page size asked for, whatever the server sent.
pub(crate) fn outline(page: &[u8], max_records: usize) -> Result<Outline, OutlineError> {
    if crate::wire::utf8(page).is_none() {
        // Where it fails, found again by std: only for a page that is refused.
        let valid = std::str::from_utf8(page).map_or_else(|e| e.valid_up_to(), str::len);
        return fail("invalid UTF-8", valid);
    }
    let mut walker = Walker::new(page, max_records);
    let mut grammar = Grammar::new();
    let mut carry = Carry::default();
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
        let escaped = carry.escaped(masks.backslash, page, start)?;
        let quotes = masks.quote & !escaped;
        let inside = carry.inside(quotes);
        if let Some(bit) = first_bit(masks.control & inside) {
            return fail("control character in a string", start + bit);
        }
        let mut controls_outside = masks.control & !inside;
        while let Some(bit) = first_bit(controls_outside) {
            controls_outside &= controls_outside - 1;
            if !is_whitespace(block[bit]) {
                return fail("control character", start + bit);
            }
        }
        // Outside strings, whatever is not whitespace, structural or a quote belongs to a
        // number or literal; the first byte of each is an event.
        let scalar = !(masks.whitespace | masks.structural | quotes | inside);
        let scalar_starts = scalar & !((scalar << 1) | carry.scalar);
        carry.scalar = scalar >> 63;
        let opening = quotes & inside;
        let mut events = (masks.structural & !inside) | opening | scalar_starts;
        // Inside records, only brackets are looked at, and the strings that may be `$id`: a
        // `$`, or an escape, just after an opening quote.
        let maybe_id = (masks.dollar | masks.backslash) & ((opening << 1) | carry.open);
        carry.open = opening >> 63;
        let deep_events = (masks.bracket & !inside) | maybe_id;
        let full_events = events;
        events |= maybe_id;
        'block: loop {
            let deep = grammar.depth > walker.watch;
            let mut pending = events & if deep { deep_events } else { full_events };
            while let Some(bit) = first_bit(pending) {
                pending &= pending - 1;
                if deep {
                    grammar.deep_step(start + bit, block[bit], &mut walker)?;
                } else {
                    grammar.step(start + bit, block[bit], &mut walker)?;
                }
                if (grammar.depth > walker.watch) != deep {
                    // Into a record or out of one: the events after this one are seen anew.
                    events &= u64::MAX.checked_shl(bit as u32 + 1).unwrap_or(0);
                    continue 'block;
                }
            }
            break;
        }
    }
    if carry.inside != 0 {
        return fail("unterminated string", walker.last_quote);
    }
    walker.finish(&grammar)
}

fn first_bit(mask: u64) -> Option<usize> {
    (mask != 0).then(|| mask.trailing_zeros() as usize)
}

/// Bit `i` of each mask stands for byte `i` of a 64-byte block.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Masks {
    quote: u64,
    backslash: u64,
    /// Bytes below 0x20, which strings may not hold unescaped.
    control: u64,
    /// `{`, `}`, `[`, `]`, `:` and `,`.
    structural: u64,
    /// `{`, `}`, `[` and `]`.
    bracket: u64,
    /// Control bytes count as whitespace here; those that are not JSON whitespace are refused
    /// outside strings by `outline`, inside strings by the control mask.
    whitespace: u64,
    dollar: u64,
}

impl Masks {
    #[inline]
    fn of(block: &[u8; 64]) -> Masks {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        {
            // SAFETY: `sse2` needs SSE2 only, and this build enables it (every x86_64 target
            // does).
            unsafe { Masks::sse2(block) }
        }
        #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
        {
            Masks::words(block)
        }
    }

    /// The masks by SSE2, 16 bytes at a time: one comparison per byte sought, then one
    /// `movemask` per mask.
    ///
    /// # Safety
    ///
    /// The CPU must have SSE2.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[target_feature(enable = "sse2")]
    #[inline]
    unsafe fn sse2(block: &[u8; 64]) -> Masks {
        use sse2::{bits, control, is, load};
        use std::arch::x86_64::{_mm_or_si128, _mm_set1_epi8};
        let mut masks = Masks::default();
        for (i, lane) in block.chunks_exact(16).enumerate() {
            let bytes = load(lane.try_into().expect("a 16-byte chunk"));
            // `[` and `]` are `{` and `}` without bit 5.
            let folded = _mm_or_si128(bytes, _mm_set1_epi8(0x20));
            let bracket = _mm_or_si128(is(folded, b'{'), is(folded, b'}'));
            let control = control(bytes);
            let structural = _mm_or_si128(bracket, _mm_or_si128(is(bytes, b':'), is(bytes, b',')));
            let whitespace = _mm_or_si128(control, is(bytes, b' '));
            let shift = i * 16;
            masks.quote |= u64::from(bits(is(bytes, b'"'))) << shift;
            masks.backslash |= u64::from(bits(is(bytes, b'\\'))) << shift;
            masks.control |= u64::from(bits(control)) << shift;
            masks.structural |= u64::from(bits(structural)) << shift;
            masks.bracket |= u64::from(bits(bracket)) << shift;
            masks.dollar |= u64::from(bits(is(bytes, b'$'))) << shift;
            masks.whitespace |= u64::from(bits(whitespace)) << shift;
        }
        masks
    }

    /// The masks in plain code, eight bytes at a time in a `u64` ("SIMD within a register"),
    /// where SSE2 is not there. The tests hold both to the masks found one byte at a time.
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2", not(test)),
        allow(dead_code)
    )]
    fn words(block: &[u8; 64]) -> Masks {
        use words::{bits, control, is, splat};
        let mut masks = Masks::default();
        for (i, word) in block.chunks_exact(8).enumerate() {
            let word = u64::from_le_bytes(word.try_into().expect("an 8-byte chunk"));
            // `[` and `]` are `{` and `}` without bit 5.
            let folded = word | splat(0x20);
            let bracket = is(folded, b'{') | is(folded, b'}');
            let control = control(word);
            let shift = i * 8;
            masks.quote |= bits(is(word, b'"')) << shift;
            masks.backslash |= bits(is(word, b'\\')) << shift;
            masks.control |= bits(control) << shift;
            masks.structural |= bits(bracket | is(word, b':') | is(word, b',')) << shift;
            masks.bracket |= bits(bracket) << shift;
            masks.dollar |= bits(is(word, b'$')) << shift;
            masks.whitespace |= bits(control | is(word, b' ')) << shift;
        }
        masks
    }
}

/// Bit `i` set where byte `i` of `lane` ends a plain run of string text: a quote, a backslash
/// or a control byte. The page reader skips over strings with it, 16 bytes at a time.
#[inline]
pub(crate) fn string_stops(lane: &[u8; 16]) -> u16 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // SAFETY: `string_stops_sse2` needs SSE2 only, and this build enables it (every x86_64
        // target does).
        unsafe { string_stops_sse2(lane) }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        string_stops_words(lane)
    }
}

/// [`string_stops`] by SSE2.
///
/// # Safety
///
/// The CPU must have SSE2.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
unsafe fn string_stops_sse2(lane: &[u8; 16]) -> u16 {
    use sse2::{bits, control, is, load};
    use std::arch::x86_64::_mm_or_si128;
    let bytes = load(lane);
    bits(_mm_or_si128(
        _mm_or_si128(is(bytes, b'"'), is(bytes, b'\\')),
        control(bytes),
    ))
}

/// [`string_stops`] in plain code, eight bytes at a time.
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2", not(test)),
    allow(dead_code)
)]
fn string_stops_words(lane: &[u8; 16]) -> u16 {
    use words::{bits, control, is};
    let mut stops = 0;
    for (i, word) in lane.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(word.try_into().expect("an 8-byte chunk"));
        let found = is(word, b'"') | is(word, b'\\') | control(word);
        stops |= (bits(found) as u16) << (i * 8);
    }
    stops
}

/// SSE2's comparisons as the masks use them: 16 bytes to a vector, 0xff in each lane that is
/// sought. Each is `unsafe` because it needs SSE2 (kept to the `#[target_feature]` functions
/// that call them), not for anything else.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_set1_epi8,
    };

    #[target_feature(enable = "sse2")]
    #[inline]
    pub(super) unsafe fn load(lane: &[u8; 16]) -> __m128i {
        // SAFETY: `lane` holds 16 bytes, and this load has no alignment requirement.
        unsafe { _mm_loadu_si128(lane.as_ptr().cast::<__m128i>()) }
    }

    /// The lanes that hold `byte`.
    #[target_feature(enable = "sse2")]
    #[inline]
    pub(super) unsafe fn is(bytes: __m128i, byte: u8) -> __m128i {
        // The intrinsics take bytes as `i8`: the same bits.
        _mm_cmpeq_epi8(bytes, _mm_set1_epi8(byte as i8))
    }

    /// The lanes below 0x20: those that are the smaller (unsigned) of themselves and 0x1f.
    #[target_feature(enable = "sse2")]
    #[inline]
    pub(super) unsafe fn control(bytes: __m128i) -> __m128i {
        _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(0x1f)), bytes)
    }

    /// Bit `i` set where lane `i` is sought.
    #[target_feature(enable = "sse2")]
    #[inline]
    pub(super) unsafe fn bits(lanes: __m128i) -> u16 {
        // The top bit of each of the 16 lanes, in the low 16 bits of an `i32`.
        _mm_movemask_epi8(lanes) as u16
    }
}

/// The same comparisons in plain code, eight bytes to a `u64` ("SIMD within a register"): the
/// top bit of each byte that is sought, exactly (no carry crosses from one byte to the next).
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2", not(test)),
    allow(dead_code)
)]
mod words {
    const LOW_SEVEN: u64 = u64::from_ne_bytes([0x7f; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);

    pub(super) const fn splat(byte: u8) -> u64 {
        u64::from_ne_bytes([byte; 8])
    }

    /// The bytes that are zero: their low seven bits plus 0x7f reach the top bit unless all are
    /// zero, and never carry into the next byte.
    fn zero(x: u64) -> u64 {
        !(((x & LOW_SEVEN) + LOW_SEVEN) | x) & HIGH
    }

    /// The bytes of `word` that are `byte`.
    pub(super) fn is(word: u64, byte: u8) -> u64 {
        zero(word ^ splat(byte))
    }

    /// The bytes below 0x20: their low seven bits plus 0x60 stay below the top bit, and their
    /// top bit is clear.
    pub(super) fn control(word: u64) -> u64 {
        !(((word & LOW_SEVEN) + splat(0x60)) | word) & HIGH
    }

    /// Bit `k` set where byte `k` has its top bit set. The multiplier moves the top bit of byte
    /// `k` (shifted down to bit `8k`) to bit `56 + k`, and no two of its products meet, so
    /// nothing carries.
    pub(super) fn bits(tops: u64) -> u64 {
        (tops >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
    }
}

/// What carries over from one block to the next.
#[derive(Default)]
struct Carry {
    /// The first byte of the next block is escaped (the block ended with an escaping `\`).
    escape: bool,
    /// All ones when the block ended inside a string.
    inside: u64,
    /// 1 when the block ended inside a number or literal.
    scalar: u64,
    /// 1 when the block ended with an opening quote.
    open: u64,
}

impl Carry {
    /// The bytes that a backslash escapes; checks each escape on the way. Backslashes are rare,
    /// so they are visited one by one.
    fn escaped(
        &mut self,
        backslashes: u64,
        page: &[u8],
        start: usize,
    ) -> Result<u64, OutlineError> {
        let mut escaped = u64::from(self.escape);
        self.escape = false;
        let mut pending = backslashes;
        while let Some(bit) = first_bit(pending) {
            pending &= pending - 1;
            if escaped & (1 << bit) != 0 {
                continue;
            }
            let at = start + bit;
            // Outside strings a backslash is refused as a number or literal; checking it here
            // as well does no harm.
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
                self.escape = true;
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
        let inside = x ^ self.inside;
        self.inside = ((inside as i64) >> 63) as u64;
        inside
    }
}

/// What the grammar expects next: one bit each, so that a set of them is a mask.
mod expect {
    pub const VALUE: u8 = 1;
    /// Just after `[`.
    pub const VALUE_OR_CLOSE: u8 = 2;
    /// Just after `{`.
    pub const KEY_OR_CLOSE: u8 = 4;
    pub const KEY: u8 = 8;
    pub const COLON: u8 = 16;
    pub const COMMA_OR_CLOSE: u8 = 32;
    /// The page's value is complete.
    pub const END: u8 = 64;

    pub const ANY_VALUE: u8 = VALUE | VALUE_OR_CLOSE;
    pub const ANY_KEY: u8 = KEY | KEY_OR_CLOSE;
}

/// The depths that matter, counted in open containers: the page's object, the `records` array
/// in it, a record, and the value of one of its fields.
const PAGE: usize = 1;
const RECORDS: usize = 2;
const RECORD: usize = 3;
const FIELD: usize = 4;

/// The grammar's state, kept apart from the outline's bookkeeping so that it stays in
/// registers: most events are deep inside records, where only the grammar is checked.
struct Grammar {
    expect: u8,
    depth: usize,
    /// The opening bracket of the container at each depth (`open[0]` is unused).
    open: [u8; MAX_DEPTH + 1],
}

impl Grammar {
    fn new() -> Self {
        Grammar {
            expect: expect::VALUE,
            depth: 0,
            open: [0; MAX_DEPTH + 1],
        }
    }

    fn in_object(&self) -> bool {
        self.open[self.depth] == b'{'
    }

    /// Opens the container that `bracket` starts.
    #[inline(always)]
    fn push(&mut self, at: usize, bracket: u8) -> Result<(), OutlineError> {
        if self.depth == MAX_DEPTH {
            return fail("nesting too deep", at);
        }
        self.depth += 1;
        self.open[self.depth] = bracket;
        Ok(())
    }

    /// Closes the open container, which `bracket` must match.
    #[inline(always)]
    fn pop(&mut self, at: usize, bracket: u8) -> Result<(), OutlineError> {
        // `}` and `]` are two more than `{` and `[`.
        if self.depth == 0 || self.open[self.depth] + 2 != bracket {
            return fail("unexpected end of a container", at);
        }
        self.depth -= 1;
        Ok(())
    }

    fn after_value(&self) -> u8 {
        if self.depth == 0 {
            expect::END
        } else {
            expect::COMMA_OR_CLOSE
        }
    }

    /// One event: an opening quote, a structural character outside strings, or the first byte
    /// of a number or literal.
    #[inline(always)]
    fn step(&mut self, at: usize, byte: u8, walker: &mut Walker) -> Result<(), OutlineError> {
        let watched = self.depth <= walker.watch;
        match byte {
            b'"' => {
                walker.last_quote = at;
                if self.expect & expect::ANY_KEY != 0 {
                    self.expect = expect::COLON;
                    if watched {
                        walker.on_key(self.depth, at);
                    }
                } else if self.expect & expect::ANY_VALUE != 0 {
                    self.expect = self.after_value();
                    if watched {
                        walker.on_string(self.depth, at)?;
                    }
                } else {
                    return fail("unexpected string", at);
                }
            }
            b':' => {
                if self.expect != expect::COLON {
                    return fail("unexpected ':'", at);
                }
                self.expect = expect::VALUE;
            }
            b',' => {
                if self.expect != expect::COMMA_OR_CLOSE {
                    return fail("unexpected ','", at);
                }
                self.expect = if self.in_object() {
                    expect::KEY
                } else {
                    expect::VALUE
                };
            }
            b'{' | b'[' => {
                if self.expect & expect::ANY_VALUE == 0 {
                    return fail("unexpected value", at);
                }
                let object = byte == b'{';
                if watched {
                    walker.on_open(self.depth, at, object)?;
                }
                self.push(at, byte)?;
                self.expect = if object {
                    expect::KEY_OR_CLOSE
                } else {
                    expect::VALUE_OR_CLOSE
                };
            }
            b'}' | b']' => {
                let closes = self.expect == expect::COMMA_OR_CLOSE
                    || self.expect
                        == if byte == b'}' {
                            expect::KEY_OR_CLOSE
                        } else {
                            expect::VALUE_OR_CLOSE
                        };
                if !closes {
                    return fail("unexpected end of a container", at);
                }
                self.pop(at, byte)?;
                self.expect = self.after_value();
                if self.depth <= walker.watch {
                    walker.on_close(self.depth, at + 1)?;
                }
            }
            _ => {
                if self.expect & expect::ANY_VALUE == 0 {
                    return fail("unexpected characters", at);
                }
                let page = walker.page;
                let length = page[at..]
                    .iter()
                    .position(|b| is_whitespace(*b) || b"{}[]:,\"".contains(b))
                    .unwrap_or(page.len() - at);
                if !is_literal(&page[at..at + length]) {
                    return fail("invalid number or literal", at);
                }
                self.expect = self.after_value();
                if watched {
                    walker.on_value(self.depth, at..at + length)?;
                }
            }
        }
        Ok(())
    }
}

impl Grammar {
    /// An event inside a record, where only the nesting is checked (what is inside is checked
    /// when it is decoded): a bracket, or a string that may be the key `$id`.
    #[inline(always)]
    fn deep_step(&mut self, at: usize, byte: u8, walker: &mut Walker) -> Result<(), OutlineError> {
        match byte {
            b'{' | b'[' => self.push(at, byte)?,
            b'$' | b'\\' => {
                if self.depth == RECORD && walker.in_records && walker.id_key(at - 1)? {
                    // Read `$id` in full: its colon is the next event.
                    self.expect = expect::COLON;
                    walker.watch = FIELD;
                }
            }
            _ => {
                self.pop(at, byte)?;
                if self.depth <= walker.watch {
                    self.expect = self.after_value();
                    walker.on_close(self.depth, at + 1)?;
                }
            }
        }
        Ok(())
    }
}

/// The outline's bookkeeping, told of the events at the depths it watches.
struct Walker<'p> {
    page: &'p [u8],
    /// Events at this depth and above are checked in full and told: [`RECORDS`], or
    /// [`FIELD`] while `$id` is read.
    watch: usize,
    /// The last opening quote, for an unterminated string.
    last_quote: usize,
    /// The page member being read: its key, and where its value starts once it has.
    member: Option<(Range<usize>, Option<usize>)>,
    /// Inside the `records` array.
    in_records: bool,
    /// The most records the outline holds.
    max_records: usize,
    outline: Outline,
    record: RecordState,
}

/// The record being read.
#[derive(Default)]
struct RecordState {
    start: usize,
    /// The last key read was `$id`: where it starts.
    id_key: Option<usize>,
    /// Reading `$id`'s value, whose member started here.
    in_id: Option<usize>,
    /// Inside `$id`'s object, the last key was `value`.
    value_key: bool,
    id_value: Option<Range<usize>>,
    id: Option<IdSpan>,
}

impl<'p> Walker<'p> {
    fn new(page: &'p [u8], max_records: usize) -> Self {
        Walker {
            page,
            watch: RECORDS,
            last_quote: 0,
            member: None,
            in_records: false,
            max_records,
            outline: Outline::default(),
            record: RecordState::default(),
        }
    }

    fn finish(self, grammar: &Grammar) -> Result<Outline, OutlineError> {
        if grammar.expect != expect::END {
            return fail("unexpected end of the page", self.page.len());
        }
        Ok(self.outline)
    }

    /// A key starts at `at`, in the container at `depth`.
    fn on_key(&mut self, depth: usize, at: usize) {
        match depth {
            PAGE => self.member = Some((at..string_end(self.page, at), None)),
            FIELD if self.record.in_id.is_some() => {
                self.record.value_key = key_at_is(self.page, at, "value");
            }
            _ => {}
        }
    }

    /// A string value starts at `at`, in the container at `depth`. Most are not part of the
    /// outline, and finding their end would cost a pass over their bytes.
    fn on_string(&mut self, depth: usize, at: usize) -> Result<(), OutlineError> {
        let needed = match depth {
            0 | PAGE => true,
            RECORDS => self.in_records,
            RECORD => self.in_records && self.record.id_key.is_some(),
            FIELD => self.record.value_key,
            _ => false,
        };
        if needed {
            self.on_value(depth, at..string_end(self.page, at))?;
        }
        Ok(())
    }

    /// A container opens at `at`, inside the container at `depth`.
    fn on_open(&mut self, depth: usize, at: usize, object: bool) -> Result<(), OutlineError> {
        match depth {
            0 if !object => fail("the page is not an object", at),
            PAGE => {
                let Some((key, start)) = &mut self.member else {
                    return Ok(());
                };
                *start = Some(at);
                if !object && key_is(self.page, key, "records") {
                    if self.outline.records.is_some() {
                        return fail("records appears twice", at);
                    }
                    self.in_records = true;
                    self.outline.records = Some(Vec::new());
                }
                Ok(())
            }
            RECORDS if self.in_records => {
                if !object {
                    return fail("a record is not an object", at);
                }
                let outlined = self.outline.records.as_ref().map_or(0, Vec::len);
                if outlined == self.max_records {
                    return fail(PAST_MAX_RECORDS, at);
                }
                self.record = RecordState {
                    start: at,
                    ..RecordState::default()
                };
                Ok(())
            }
            RECORD if self.in_records => {
                self.start_value();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A container closed just before `end`; `depth` is now that of its parent.
    fn on_close(&mut self, depth: usize, end: usize) -> Result<(), OutlineError> {
        match depth {
            PAGE => {
                self.in_records = false;
                self.member_done(end)
            }
            RECORDS if self.in_records => {
                let record = std::mem::take(&mut self.record);
                let records = self.outline.records.get_or_insert_with(Vec::new);
                records.push(RecordSpan {
                    text: record.start..end,
                    id: record.id,
                });
                Ok(())
            }
            RECORD if self.in_records => {
                self.end_value(end);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A string, number or literal, in the container at `depth`.
    fn on_value(&mut self, depth: usize, text: Range<usize>) -> Result<(), OutlineError> {
        match depth {
            0 => fail("the page is not an object", text.start),
            PAGE => {
                if let Some((_, start)) = &mut self.member {
                    *start = Some(text.start);
                }
                self.member_done(text.end)
            }
            RECORDS if self.in_records => fail("a record is not an object", text.start),
            RECORD if self.in_records => {
                self.start_value();
                self.end_value(text.end);
                Ok(())
            }
            FIELD if self.record.value_key => {
                self.record.value_key = false;
                if self.page[text.start] == b'"' {
                    self.record.id_value = Some(text);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A record member's value starts.
    fn start_value(&mut self) {
        if let Some(key) = self.record.id_key.take() {
            self.record.in_id = Some(key);
            self.watch = FIELD;
        }
    }

    /// A record member's value ends before `end`.
    fn end_value(&mut self, end: usize) {
        if let Some(start) = self.record.in_id.take() {
            self.record.id = Some(IdSpan {
                value: self.record.id_value.take(),
                cut: member_cut(self.page, start, end),
            });
            self.watch = RECORDS;
        }
        self.record.value_key = false;
    }

    /// Whether the string that opens at `quote`, directly in a record, is the key `$id`
    /// whose value is still to be read in full. The form kintone writes is read at once.
    fn id_key(&mut self, quote: usize) -> Result<bool, OutlineError> {
        let page = self.page;
        let key = &page[quote + 1..];
        let plain_id = key.starts_with(ID.as_bytes()) && key.get(ID.len()) == Some(&b'"');
        if page[quote + 1] != b'\\' && !plain_id {
            return Ok(false);
        }
        let canonical = canonical_id();
        if page[quote..].starts_with(canonical) {
            let digits = quote + canonical.len();
            let count = page[digits..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if page[digits + count..].starts_with(b"\"}") {
                if self.record.id.is_some() {
                    return fail("a record has $id twice", quote);
                }
                let end = digits + count + 2;
                self.record.id = Some(IdSpan {
                    value: Some(digits - 1..digits + count + 1),
                    cut: member_cut(page, quote, end),
                });
                return Ok(false);
            }
        }
        if !key_at_is(page, quote, ID) {
            return Ok(false);
        }
        let after = string_end(self.page, quote);
        let is_key = self.page[after..]
            .iter()
            .find(|b| !is_whitespace(**b))
            .is_some_and(|b| *b == b':');
        if !is_key {
            return Ok(false);
        }
        if self.record.id.is_some() {
            return fail("a record has $id twice", quote);
        }
        self.record.id_key = Some(quote);
        Ok(true)
    }

    /// The page member being read ends before `end`.
    fn member_done(&mut self, end: usize) -> Result<(), OutlineError> {
        let Some((key, Some(start))) = self.member.take() else {
            return Ok(());
        };
        if key_is(self.page, &key, "records") {
            if self.page[start] != b'[' {
                return fail("records is not an array", start);
            }
        } else {
            self.outline.members.push((key, start..end));
        }
        Ok(())
    }
}

/// How kintone writes the start of a record's `$id`, up to the digits of its value.
fn canonical_id() -> &'static [u8] {
    static CANONICAL: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    CANONICAL.get_or_init(|| {
        let tag = FieldValue::Id(IdField::new(1u64)).field_type().to_string();
        format!(r#""{ID}":{{"type":"{tag}","value":""#).into_bytes()
    })
}

/// What to cut out of an object to take out the member from `start` to `end`: the member and
/// the comma after it, or else the comma before it.
fn member_cut(page: &[u8], start: usize, end: usize) -> Range<usize> {
    let next = end
        + page[end..]
            .iter()
            .take_while(|b| is_whitespace(**b))
            .count();
    if page.get(next) == Some(&b',') {
        return start..next + 1;
    }
    let before = page[..start].iter().rposition(|b| !is_whitespace(*b));
    match before {
        Some(comma) if page[comma] == b',' => comma..end,
        _ => start..end,
    }
}

/// Where the string that opens at `quote` ends: just after its closing quote. The page's
/// escapes are checked elsewhere; this only skips them.
fn string_end(page: &[u8], quote: usize) -> usize {
    let mut at = quote + 1;
    while at < page.len() {
        match page[at] {
            b'"' => return at + 1,
            b'\\' => at += 2,
            _ => at += 1,
        }
    }
    page.len()
}

fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// Whether the key that opens at `quote` is `name`. Most keys differ in their first bytes,
/// which are looked at before the key's end is looked for.
fn key_at_is(page: &[u8], quote: usize, name: &str) -> bool {
    let first = page.get(quote + 1).copied();
    if first != Some(b'\\') && first != name.as_bytes().first().copied() {
        return false;
    }
    key_is(page, &(quote..string_end(page, quote)), name)
}

/// Whether a key token (with its quotes) is `name`. Keys are compared as written unless they
/// hold an escape, which is decoded first.
pub(crate) fn key_is(page: &[u8], token: &Range<usize>, name: &str) -> bool {
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

    /// The outline of a page with no bound on its records.
    fn outline(page: &[u8]) -> Result<Outline, OutlineError> {
        super::outline(page, usize::MAX)
    }

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
    fn the_outline_stops_at_the_first_record_past_its_maximum() {
        let page = r#"{"records":[{},{"a":[1]},{}],"next":true}"#;
        let all = super::outline(page.as_bytes(), 3).unwrap();
        assert_eq!(all.records.unwrap().len(), 3);
        let error = super::outline(page.as_bytes(), 2).unwrap_err();
        assert!(error.is_past_max_records(), "{error}");
        assert_eq!(
            error.at,
            page.rfind("{}").unwrap(),
            "at the third record's start"
        );
        // What follows the record past the maximum is not read: its errors are not found.
        let broken = r#"{"records":[{},{},"#;
        assert!(super::outline(broken.as_bytes(), 1)
            .unwrap_err()
            .is_past_max_records());
        assert!(!outline(broken.as_bytes())
            .unwrap_err()
            .is_past_max_records());
        assert!(super::outline(br#"{"records":[]}"#, 0).is_ok());
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
            (r#"{"a":1 2}"#, "unexpected characters"),
            (r#"{"a":1,}"#, "unexpected end of a container"),
            (r#"{"a" 1}"#, "unexpected characters"),
            (r#"{"a":1]"#, "unexpected end of a container"),
            (r#"{"a":"#, "unexpected end of the page"),
            ("{\"a\":\u{1}1}", "control character"),
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

    /// The masks as [`Masks`] describes them, found one byte at a time.
    fn masks_byte_by_byte(block: &[u8; 64]) -> Masks {
        let mut masks = Masks::default();
        for (i, &byte) in block.iter().enumerate() {
            let bit = |yes: bool| u64::from(yes) << i;
            let bracket = matches!(byte, b'{' | b'}' | b'[' | b']');
            masks.quote |= bit(byte == b'"');
            masks.backslash |= bit(byte == b'\\');
            masks.control |= bit(byte < 0x20);
            masks.structural |= bit(bracket || byte == b':' || byte == b',');
            masks.bracket |= bit(bracket);
            // Control bytes and the space.
            masks.whitespace |= bit(byte <= b' ');
            masks.dollar |= bit(byte == b'$');
        }
        masks
    }

    /// A way of finding the masks of a block.
    type MaskFinder = fn(&[u8; 64]) -> Masks;

    /// A way of finding the string stops of 16 bytes.
    type StopFinder = fn(&[u8; 16]) -> u16;

    /// Each way of finding the masks that this build has, with its name.
    fn mask_finders() -> Vec<(&'static str, MaskFinder)> {
        #[allow(unused_mut)]
        let mut finders: Vec<(&'static str, MaskFinder)> =
            vec![("of", Masks::of), ("words", Masks::words)];
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        finders.push(("sse2", |block| {
            // SAFETY: this build enables SSE2.
            unsafe { Masks::sse2(block) }
        }));
        finders
    }

    #[test]
    fn the_masks_hold_every_byte_at_every_place() {
        // Block `start` holds `start + i` at place `i`: every byte value at every place, each
        // next to its neighbours (where the word-at-a-time masks could carry a bit over).
        for start in 0..=255u8 {
            let block: [u8; 64] = std::array::from_fn(|i| start.wrapping_add(i as u8));
            let expected = masks_byte_by_byte(&block);
            for (name, finder) in mask_finders() {
                assert_eq!(finder(&block), expected, "{name}, from byte {start:#04x}");
            }
            if start == 0 {
                // Bytes 0x00 to 0x3f: control bytes, a space, a quote, `$`, `,` and `:`.
                assert_eq!(expected.whitespace, (1 << 0x21) - 1);
                assert_eq!(expected.structural, 1 << b',' | 1 << b':');
            }
            let reversed: [u8; 64] = std::array::from_fn(|i| block[63 - i]);
            for (name, finder) in mask_finders() {
                assert_eq!(
                    finder(&reversed),
                    masks_byte_by_byte(&reversed),
                    "{name}, down from byte {start:#04x}"
                );
            }
        }
    }

    /// Any byte, often one that the masks seek or one next to those.
    fn block_byte() -> impl Strategy<Value = u8> + Clone {
        prop_oneof![
            any::<u8>(),
            prop::sample::select(b"\0\x01\x1f \x21\"\\{}[]:,$\x7f\x80\xa0\xdb\xfb\xff".to_vec()),
        ]
    }

    #[test]
    fn string_stops_hold_every_byte_at_every_place() {
        let finders: &[(&str, StopFinder)] = &[
            ("string_stops", string_stops),
            ("words", string_stops_words),
            #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
            ("sse2", |lane| {
                // SAFETY: this build enables SSE2.
                unsafe { string_stops_sse2(lane) }
            }),
        ];
        for start in 0..=255u8 {
            let lane: [u8; 16] = std::array::from_fn(|i| start.wrapping_add(i as u8));
            for lane in [lane, std::array::from_fn(|i| lane[15 - i])] {
                let expected = lane.iter().enumerate().fold(0u16, |stops, (i, &byte)| {
                    stops | u16::from(byte == b'"' || byte == b'\\' || byte < 0x20) << i
                });
                for (name, finder) in finders {
                    assert_eq!(finder(&lane), expected, "{name}, {lane:?}");
                }
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

    /// A record as kintone writes it, `$id` first or elsewhere.
    fn kintone_record() -> impl Strategy<Value = String> {
        ("[0-9]{0,3}", json_like(), any::<bool>()).prop_map(|(id, other, first)| {
            let id = format!(r#""$id":{{"type":"__ID__","value":"{id}"}}"#);
            let other = format!(r#""A":{{"type":"X","value":{other}}}"#);
            if first {
                format!("{{{id},{other}}}")
            } else {
                format!("{{{other},{id}}}")
            }
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

    /// The page with each record, and each other member's value, replaced by a stand-in:
    /// what the outline checks in full.
    fn frame(page: &str, outline: &Outline) -> String {
        let mut spans: Vec<Range<usize>> = outline.members.iter().map(|(_, v)| v.clone()).collect();
        spans.extend(outline.records.iter().flatten().map(|r| r.text.clone()));
        spans.sort_by_key(|r| r.start);
        let mut framed = String::new();
        let mut from = 0;
        for span in spans {
            framed.push_str(&page[from..span.start]);
            framed.push_str(if page.as_bytes()[span.start] == b'{' {
                "{}"
            } else {
                "null"
            });
            from = span.end;
        }
        framed.push_str(&page[from..]);
        framed
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Whatever the bytes, each way of finding the masks finds them as they are defined.
        #[test]
        fn the_masks_are_found_alike(
            first in prop::array::uniform32(block_byte()),
            second in prop::array::uniform32(block_byte()),
        ) {
            let block: [u8; 64] = std::array::from_fn(|i| if i < 32 { first[i] } else { second[i - 32] });
            let expected = masks_byte_by_byte(&block);
            for (name, finder) in mask_finders() {
                prop_assert_eq!(finder(&block), expected, "{}", name);
            }
        }

        /// Whatever the bytes, the outline answers: it never panics.
        #[test]
        fn any_bytes_are_outlined_or_refused(
            text in "[\\{\\}\\[\\]\"\\\\:,$id value records0-9a \n\u{1}é]{0,200}",
            bytes in prop::collection::vec(any::<u8>(), 0..200),
        ) {
            let _ = outline(text.as_bytes());
            let _ = outline(&bytes);
            let page = format!(r#"{{"records":[{{{text}"#);
            let _ = outline(page.as_bytes());
        }

        /// The outline reads every page serde_json reads, finding each record and id where
        /// serde_json sees them; of the pages serde_json refuses, it refuses all whose fault is
        /// outside records and outside the values of other members.
        #[test]
        fn the_outline_agrees_with_serde_json(
            records in prop::collection::vec(prop_oneof![json_like(), kintone_record()], 0..4),
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
                (Err(_), Ok(outline)) => {
                    let framed = frame(&page, outline);
                    prop_assert!(
                        serde_json::from_str::<serde::de::IgnoredAny>(&framed).is_ok(),
                        "a fault outside records was not seen: {page} (framed: {framed})"
                    );
                }
                other => prop_assert!(false, "{page}: {other:?}"),
            }
        }
    }
}

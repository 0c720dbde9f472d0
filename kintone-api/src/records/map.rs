//! [`Record`]: a record's field values keyed by field code, kept compact because clients read
//! records by the hundred thousand.
//!
//! Two choices keep a decoded record small and quick to build:
//! - field codes are [`FieldCode`]s, shared strings handed out by a small per-thread interner;
//! - a record holds its values in one vector, in the order kintone sent them, and its codes in a
//!   second, shared list: the records of a page have the same codes in the same order, so they
//!   all point at one list, and a record costs little more than its values.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::FieldValue;

/// The field code of the record id.
pub(crate) const ID: &str = "$id";

/// A field code, such as `Title` or `$id`: a cheaply cloned, shared string.
///
/// Codes read from kintone are interned per thread, so the records of a page share one
/// allocation per code.
#[derive(Clone)]
pub struct FieldCode(Arc<str>);

impl FieldCode {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq for FieldCode {
    fn eq(&self, other: &Self) -> bool {
        // Interned codes are usually the same allocation; comparing pointers first skips the
        // byte comparison then.
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl Eq for FieldCode {}

impl std::hash::Hash for FieldCode {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialOrd for FieldCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FieldCode {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl PartialEq<str> for FieldCode {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for FieldCode {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<FieldCode> for str {
    fn eq(&self, other: &FieldCode) -> bool {
        self == &*other.0
    }
}

impl PartialEq<FieldCode> for &str {
    fn eq(&self, other: &FieldCode) -> bool {
        *self == &*other.0
    }
}

impl std::ops::Deref for FieldCode {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for FieldCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for FieldCode {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for FieldCode {
    fn from(code: &str) -> Self {
        intern(code)
    }
}

impl From<String> for FieldCode {
    fn from(code: String) -> Self {
        intern(&code)
    }
}

impl From<&String> for FieldCode {
    fn from(code: &String) -> Self {
        intern(code)
    }
}

impl From<FieldCode> for String {
    fn from(code: FieldCode) -> Self {
        code.0.to_string()
    }
}

impl fmt::Debug for FieldCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for FieldCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for FieldCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for FieldCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CodeVisitor;

        impl Visitor<'_> for CodeVisitor {
            type Value = FieldCode;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field code")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<FieldCode, E> {
                Ok(intern(v))
            }
        }

        deserializer.deserialize_str(CodeVisitor)
    }
}

/// More distinct codes than any app has; past it the interner starts afresh, so that a process
/// reading ever new codes does not grow without bound (codes already handed out stay valid).
const MAX_INTERNED: usize = 4096;

/// Records nest once (a subtable's rows); deeper levels get no hint.
const HINTED_DEPTHS: usize = 4;

/// The codes of a record, in order and distinct, shared by the records that have the same.
pub(crate) type Codes = Arc<Vec<FieldCode>>;

#[derive(Default)]
struct Interner {
    codes: HashSet<Arc<str>>,
    /// How deep in records the current decode is: 0 outside any record.
    depth: usize,
    /// The codes of the last record decoded at each depth. The next record's codes are checked
    /// against these first, which needs neither a hash nor a lookup, and when they are the same
    /// the record shares the list.
    last: [Option<Codes>; HINTED_DEPTHS],
}

thread_local! {
    // Per thread, so that decoding never waits on a lock; a runtime with N threads holds at most
    // N copies of each code.
    static INTERNER: RefCell<Interner> = RefCell::new(Interner::default());
}

pub(crate) fn intern(code: &str) -> FieldCode {
    INTERNER.with_borrow_mut(|interner| {
        if let Some(shared) = interner.codes.get(code) {
            return FieldCode(shared.clone());
        }
        if interner.codes.len() >= MAX_INTERNED {
            interner.codes.clear();
        }
        let shared: Arc<str> = Arc::from(code);
        interner.codes.insert(shared.clone());
        FieldCode(shared)
    })
}

/// Marks the decoding of one record; dropped on errors too.
struct Nesting {
    depth: usize,
}

impl Nesting {
    /// Enters a record, and takes the codes of the last record at this depth.
    fn enter() -> (Self, Option<Codes>) {
        INTERNER.with_borrow_mut(|interner| {
            let depth = interner.depth;
            interner.depth += 1;
            let last = interner.last.get_mut(depth).and_then(Option::take);
            (Self { depth }, last)
        })
    }

    /// Keeps the codes of the record just decoded, for the next one at this depth.
    fn finished(&self, codes: &Codes) {
        INTERNER.with_borrow_mut(|interner| {
            if let Some(last) = interner.last.get_mut(self.depth) {
                *last = Some(codes.clone());
            }
        });
    }
}

impl Drop for Nesting {
    fn drop(&mut self) {
        // `try_with`: a record dropped while the thread's locals are torn down has nothing to do.
        let _ = INTERNER.try_with(|interner| {
            if let Ok(mut interner) = interner.try_borrow_mut() {
                interner.depth = self.depth;
            }
        });
    }
}

/// Reads a field code: [`Code::Expected`] when the text is `expected`'s (the previous record's
/// code at this position), which costs a comparison and nothing else; the interner's code
/// otherwise.
struct CodeSeed<'a> {
    expected: Option<&'a FieldCode>,
}

enum Code {
    Expected,
    Other(FieldCode),
}

impl<'de> de::DeserializeSeed<'de> for CodeSeed<'_> {
    type Value = Code;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Code, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for CodeSeed<'_> {
    type Value = Code;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field code")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Code, E> {
        Ok(match self.expected {
            Some(code) if code.as_str() == v => Code::Expected,
            _ => Code::Other(intern(v)),
        })
    }
}

/// Reads a field value onto the end of a vector.
struct PushSeed<'a>(&'a mut Vec<FieldValue>);

impl<'de> de::DeserializeSeed<'de> for PushSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.0.push(FieldValue::deserialize(deserializer)?);
        Ok(())
    }
}

/// A record as kintone returns it (or a subtable row's fields): field values keyed by field
/// code, in the order kintone sent them. Each code appears once; inserting a code again
/// replaces its value.
///
/// ```
/// # use kintone_api::{FieldValue, Record};
/// # use kintone_api::types::SingleLineTextField;
/// let record: Record = [("Title", FieldValue::SingleLineText(SingleLineTextField::new("Hello")))]
///     .into_iter()
///     .collect();
/// assert_eq!(record["Title"].as_text(), Some("Hello"));
/// assert!(record.get("Amount").is_none());
/// ```
#[derive(Clone, Default)]
pub struct Record {
    /// Shared with other records until this one's codes change (copy on write).
    codes: Codes,
    /// `values[i]` is the value of `codes[i]`.
    values: Vec<FieldValue>,
}

impl Record {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// A record from its codes (distinct, possibly shared with other records) and their values,
    /// in the same order.
    pub(crate) fn from_parts(codes: Codes, values: Vec<FieldValue>) -> Self {
        debug_assert_eq!(codes.len(), values.len());
        Self { codes, values }
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the record has no field.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn position(&self, code: &str) -> Option<usize> {
        self.codes.iter().position(|c| c == code)
    }

    /// The value of the field `code`.
    pub fn get(&self, code: &str) -> Option<&FieldValue> {
        self.position(code).map(|i| &self.values[i])
    }

    /// The value of the field `code`, to change it.
    pub fn get_mut(&mut self, code: &str) -> Option<&mut FieldValue> {
        self.position(code).map(|i| &mut self.values[i])
    }

    /// Whether the record has the field `code`.
    pub fn contains_key(&self, code: &str) -> bool {
        self.position(code).is_some()
    }

    /// Sets the field `code`, and returns its previous value.
    pub fn insert(&mut self, code: impl Into<FieldCode>, value: FieldValue) -> Option<FieldValue> {
        let code = code.into();
        match self.position(&code) {
            Some(i) => Some(std::mem::replace(&mut self.values[i], value)),
            None => {
                Arc::make_mut(&mut self.codes).push(code);
                self.values.push(value);
                None
            }
        }
    }

    /// Takes the field `code` out of the record, keeping the others in their order.
    pub fn remove(&mut self, code: &str) -> Option<FieldValue> {
        let i = self.position(code)?;
        Arc::make_mut(&mut self.codes).remove(i);
        Some(self.values.remove(i))
    }

    /// Takes the field `code` out of every record of a page. Records that shared one list of
    /// codes share the shortened one, so that a page does not get a copy of its codes per record.
    pub(crate) fn remove_from_each(records: &mut [Record], code: &str) {
        // The last list seen, its shortened form, and the position that was removed.
        let mut last: Option<(Codes, Codes, usize)> = None;
        for record in records {
            match &last {
                Some((old, new, i)) if Arc::ptr_eq(old, &record.codes) => {
                    record.values.remove(*i);
                    record.codes = new.clone();
                }
                _ => {
                    let Some(i) = record.position(code) else {
                        continue;
                    };
                    let old = record.codes.clone();
                    let mut shortened = old.as_ref().clone();
                    shortened.remove(i);
                    let new = Arc::new(shortened);
                    record.values.remove(i);
                    record.codes = new.clone();
                    last = Some((old, new, i));
                }
            }
        }
    }

    /// The fields, in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.codes.iter().zip(self.values.iter()))
    }

    /// The fields, in order, with their values to change.
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        IterMut(self.codes.iter().zip(self.values.iter_mut()))
    }

    /// The field codes, in order.
    pub fn keys(&self) -> std::slice::Iter<'_, FieldCode> {
        self.codes.iter()
    }

    /// The field values, in order.
    pub fn values(&self) -> std::slice::Iter<'_, FieldValue> {
        self.values.iter()
    }
}

/// The fields of a [`Record`], borrowed.
#[derive(Debug, Clone)]
pub struct Iter<'a>(
    std::iter::Zip<std::slice::Iter<'a, FieldCode>, std::slice::Iter<'a, FieldValue>>,
);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a FieldCode, &'a FieldValue);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back()
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The fields of a [`Record`], with their values to change.
#[derive(Debug)]
pub struct IterMut<'a>(
    std::iter::Zip<std::slice::Iter<'a, FieldCode>, std::slice::IterMut<'a, FieldValue>>,
);

impl<'a> Iterator for IterMut<'a> {
    type Item = (&'a FieldCode, &'a mut FieldValue);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for IterMut<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back()
    }
}

impl ExactSizeIterator for IterMut<'_> {}

/// The fields of a [`Record`], owned. The codes stay in the record's list, which is most often
/// shared by a whole page: each is handed out as a clone of its shared string, so that taking a
/// record apart (as a derived struct's reading does) copies no list.
#[derive(Debug)]
pub struct IntoIter {
    codes: Codes,
    /// The position in `codes` of the value `values` gives next from the front.
    front: usize,
    values: std::vec::IntoIter<FieldValue>,
}

impl Iterator for IntoIter {
    type Item = (FieldCode, FieldValue);

    fn next(&mut self) -> Option<Self::Item> {
        let value = self.values.next()?;
        let code = self.codes[self.front].clone();
        self.front += 1;
        Some((code, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.values.size_hint()
    }
}

impl DoubleEndedIterator for IntoIter {
    fn next_back(&mut self) -> Option<Self::Item> {
        let value = self.values.next_back()?;
        // The values left come before this one, from `front` on.
        let code = self.codes[self.front + self.values.len()].clone();
        Some((code, value))
    }
}

impl ExactSizeIterator for IntoIter {}

impl IntoIterator for Record {
    type Item = (FieldCode, FieldValue);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter {
            codes: self.codes,
            front: 0,
            values: self.values.into_iter(),
        }
    }
}

impl<'a> IntoIterator for &'a Record {
    type Item = (&'a FieldCode, &'a FieldValue);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Record {
    type Item = (&'a FieldCode, &'a mut FieldValue);
    type IntoIter = IterMut<'a>;

    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

impl<K: Into<FieldCode>> Extend<(K, FieldValue)> for Record {
    fn extend<I: IntoIterator<Item = (K, FieldValue)>>(&mut self, fields: I) {
        for (code, value) in fields {
            self.insert(code, value);
        }
    }
}

impl<K: Into<FieldCode>> FromIterator<(K, FieldValue)> for Record {
    fn from_iter<I: IntoIterator<Item = (K, FieldValue)>>(fields: I) -> Self {
        let mut record = Record::new();
        record.extend(fields);
        record
    }
}

impl<K: Into<FieldCode>, const N: usize> From<[(K, FieldValue); N]> for Record {
    fn from(fields: [(K, FieldValue); N]) -> Self {
        fields.into_iter().collect()
    }
}

impl std::ops::Index<&str> for Record {
    type Output = FieldValue;

    /// The value of the field `code`; panics when the record has no such field (use
    /// [`Record::get`] when it may not).
    fn index(&self, code: &str) -> &FieldValue {
        match self.get(code) {
            Some(value) => value,
            None => panic!("the record has no field {code:?}"),
        }
    }
}

/// Records are equal when they have the same fields with the same values, in any order.
impl PartialEq for Record {
    fn eq(&self, other: &Self) -> bool {
        if self.len() != other.len() {
            return false;
        }
        if Arc::ptr_eq(&self.codes, &other.codes) || self.codes == other.codes {
            return self.values == other.values;
        }
        self.iter()
            .all(|(code, value)| other.get(code) == Some(value))
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (code, value) in self {
            map.serialize_entry(code, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RecordVisitor;

        impl<'de> Visitor<'de> for RecordVisitor {
            type Value = Record;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of field values keyed by field code")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
                let (nesting, last) = Nesting::enter();
                let last_codes: &[FieldCode] = last.as_deref().map_or(&[], Vec::as_slice);
                // A size hint from the input is trusted no further than any app's field count.
                let capacity = map
                    .size_hint()
                    .unwrap_or(last_codes.len())
                    .min(MAX_INTERNED);
                let mut values = Vec::with_capacity(capacity);
                // `None` while the codes follow the last record's, which are distinct, so that
                // none can repeat; this record's own list from the first code that differs.
                let mut own: Option<Vec<FieldCode>> = None;
                loop {
                    let expected = match own {
                        None => last_codes.get(values.len()),
                        Some(_) => None,
                    };
                    let Some(code) = map.next_key_seed(CodeSeed { expected })? else {
                        break;
                    };
                    // Read straight into the vector, which spares moving each value once more.
                    map.next_value_seed(PushSeed(&mut values))?;
                    let Code::Other(code) = code else {
                        continue;
                    };
                    let codes = own.get_or_insert_with(|| last_codes[..values.len() - 1].to_vec());
                    // A repeated code replaces the value, as a JSON object read into a map would.
                    match codes.iter().position(|c| *c == code) {
                        // The new value, last, takes the place of the old one.
                        Some(i) => drop(values.swap_remove(i)),
                        None => codes.push(code),
                    }
                }
                values.shrink_to_fit();
                let codes = match (own, last) {
                    (Some(codes), _) => Arc::new(codes),
                    (None, Some(last)) if last.len() == values.len() => last,
                    // Fewer fields than the last record: the first of its codes.
                    (None, last) => Arc::new(
                        last.as_deref()
                            .map_or(&[][..], |codes| &codes[..values.len()])
                            .to_vec(),
                    ),
                };
                nesting.finished(&codes);
                Ok(Record { codes, values })
            }
        }

        deserializer.deserialize_map(RecordVisitor)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::SingleLineTextField;

    fn text(value: &str) -> FieldValue {
        FieldValue::SingleLineText(SingleLineTextField::new(value))
    }

    fn record(value: serde_json::Value) -> Record {
        serde_json::from_slice(&serde_json::to_vec(&value).unwrap()).unwrap()
    }

    #[test]
    fn a_record_reads_and_writes_its_fields_in_kintones_order() {
        let text_json = r#"{"Title":{"type":"SINGLE_LINE_TEXT","value":"A"},"$id":{"type":"__ID__","value":"7"},"Lines":{"type":"SUBTABLE","value":[{"id":"3","value":{"Item":{"type":"SINGLE_LINE_TEXT","value":"x"}}}]}}"#;
        let record: Record = serde_json::from_str(text_json).unwrap();
        assert_eq!(record.len(), 3);
        assert!(!record.is_empty());
        let codes: Vec<&str> = record.keys().map(FieldCode::as_str).collect();
        assert_eq!(codes, ["Title", "$id", "Lines"]);
        assert_eq!(record["Title"].as_text(), Some("A"));
        assert!(record.contains_key("$id") && !record.contains_key("Missing"));
        assert!(record.get("Missing").is_none());
        let FieldValue::Subtable(lines) = &record["Lines"] else {
            panic!("{record:?}");
        };
        assert_eq!(lines.value[0].value["Item"].as_text(), Some("x"));
        // Written back as kintone wrote it, field order included.
        let written = serde_json::to_string(&record).unwrap();
        let reread: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(
            reread,
            serde_json::from_str::<serde_json::Value>(text_json).unwrap()
        );
        assert!(written.starts_with(r#"{"Title":"#));
        assert_eq!(serde_json::from_str::<Record>(&written).unwrap(), record);
    }

    #[test]
    fn a_record_behaves_as_a_map() {
        let mut record: Record = [("A", text("1")), ("B", text("2")), ("A", text("3"))]
            .into_iter()
            .collect();
        assert_eq!(record.len(), 2, "a repeated code replaces the value");
        assert_eq!(record["A"].as_text(), Some("3"));
        assert_eq!(record.insert("B", text("4")), Some(text("2")));
        assert_eq!(record.insert(String::from("C"), text("5")), None);
        if let Some(FieldValue::SingleLineText(c)) = record.get_mut("C") {
            c.value = format!("{}!", c.value).into();
        }
        for (code, value) in &mut record {
            if code == "A" {
                *value = text("a");
            }
        }
        let pairs: Vec<(String, Option<&str>)> = record
            .iter()
            .map(|(code, value)| (code.to_string(), value.as_text()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("A".to_string(), Some("a")),
                ("B".to_string(), Some("4")),
                ("C".to_string(), Some("5!"))
            ]
        );
        assert_eq!(record.remove("B"), Some(text("4")));
        assert_eq!(record.remove("B"), None);
        assert_eq!(record.values().count(), 2);
        let owned: Vec<(FieldCode, FieldValue)> = record.clone().into_iter().collect();
        assert_eq!(owned[1].0, "C");
        assert_eq!(Record::from([("C", text("5!")), ("A", text("a"))]), record);
        assert_ne!(Record::from([("A", text("a"))]), record);
        assert_eq!(
            format!("{:?}", Record::from([("A", text("a"))])).find("\"A\""),
            Some(1)
        );
    }

    #[test]
    fn an_owned_record_gives_each_code_with_its_value_from_either_end() {
        let page: Vec<Record> = serde_json::from_value(json!([
            {"A": {"type": "SINGLE_LINE_TEXT", "value": "1"}, "B": {"type": "SINGLE_LINE_TEXT", "value": "2"},
             "C": {"type": "SINGLE_LINE_TEXT", "value": "3"}, "D": {"type": "SINGLE_LINE_TEXT", "value": "4"}},
            {"A": {"type": "SINGLE_LINE_TEXT", "value": "5"}, "B": {"type": "SINGLE_LINE_TEXT", "value": "6"},
             "C": {"type": "SINGLE_LINE_TEXT", "value": "7"}, "D": {"type": "SINGLE_LINE_TEXT", "value": "8"}}
        ]))
        .unwrap();
        let pair = |field: Option<(FieldCode, FieldValue)>| {
            field.map(|(code, value)| format!("{code}={}", value.as_text().unwrap()))
        };
        let mut fields = page[0].clone().into_iter();
        assert_eq!(fields.len(), 4);
        assert_eq!(pair(fields.next()).as_deref(), Some("A=1"));
        assert_eq!(pair(fields.next_back()).as_deref(), Some("D=4"));
        assert_eq!(fields.len(), 2);
        assert_eq!(pair(fields.next_back()).as_deref(), Some("C=3"));
        assert_eq!(pair(fields.next()).as_deref(), Some("B=2"));
        assert_eq!(pair(fields.next()), None);
        assert_eq!(pair(fields.next_back()), None);
        // Taking a record apart leaves the list of codes it shares with the page as it was.
        assert!(Arc::ptr_eq(&page[0].codes, &page[1].codes));
        let rest: Vec<String> = page[1]
            .clone()
            .into_iter()
            .rev()
            .filter_map(|f| pair(Some(f)))
            .collect();
        assert_eq!(rest, ["D=8", "C=7", "B=6", "A=5"]);
    }

    #[test]
    #[should_panic(expected = "no field \"Missing\"")]
    fn indexing_a_missing_field_panics_with_its_code() {
        let _ = &Record::new()["Missing"];
    }

    #[test]
    fn records_share_their_field_codes() {
        let one = json!({
            "Title": {"type": "SINGLE_LINE_TEXT", "value": "a"},
            "Lines": {"type": "SUBTABLE", "value": [{"id": "1", "value": {"Item": {"type": "SINGLE_LINE_TEXT", "value": "x"}}}]}
        });
        let page: Vec<Record> = serde_json::from_value(json!([one, one, one])).unwrap();
        let shared = |code: &str| {
            page.windows(2).all(|w| {
                let a = w[0].keys().find(|c| *c == code).unwrap();
                let b = w[1].keys().find(|c| *c == code).unwrap();
                Arc::ptr_eq(&a.0, &b.0)
            })
        };
        assert!(shared("Title") && shared("Lines"));
        assert!(page
            .windows(2)
            .all(|w| Arc::ptr_eq(&w[0].codes, &w[1].codes)));
        // Changing one record's codes leaves the others' alone.
        let (mut changed, mut shrunk, same) = (page[0].clone(), page[1].clone(), page[2].clone());
        changed.insert("New", text("n"));
        assert_eq!(
            shrunk
                .remove("Title")
                .and_then(|t| t.as_text().map(str::to_owned)),
            Some("a".to_owned())
        );
        assert_eq!((changed.len(), shrunk.len(), same.len()), (3, 1, 2));
        assert_eq!(page[0], same);
        assert!(page[0].get("New").is_none() && page[1].contains_key("Title"));
        let row_code = |r: &Record| match &r["Lines"] {
            FieldValue::Subtable(s) => s.value[0].value.keys().next().unwrap().clone(),
            other => panic!("{other:?}"),
        };
        assert!(Arc::ptr_eq(&row_code(&page[0]).0, &row_code(&page[2]).0));
        // A code given by hand is the interned one too.
        let title = page[0].keys().find(|c| *c == "Title").unwrap();
        assert!(Arc::ptr_eq(&FieldCode::from("Title").0, &title.0));
    }

    #[test]
    fn a_field_taken_out_of_a_page_leaves_the_codes_shared() {
        let one = json!({"$id": {"type": "__ID__", "value": "1"}, "Title": {"type": "SINGLE_LINE_TEXT", "value": "a"}});
        let other = json!({"Title": {"type": "SINGLE_LINE_TEXT", "value": "b"}, "$id": {"type": "__ID__", "value": "2"}});
        let mut page: Vec<Record> =
            serde_json::from_value(json!([one, one, other, other, {}])).unwrap();
        Record::remove_from_each(&mut page, "$id");
        for (record, title) in page.iter().zip(["a", "a", "b", "b"]) {
            assert_eq!(record.len(), 1);
            assert_eq!(record["Title"].as_text(), Some(title));
        }
        assert!(page[4].is_empty());
        assert!(Arc::ptr_eq(&page[0].codes, &page[1].codes));
        assert!(Arc::ptr_eq(&page[2].codes, &page[3].codes));
    }

    #[test]
    fn records_of_changing_shapes_read_exactly() {
        // Each record is checked against the previous one's codes first; whatever the previous
        // one was, the result is the record as sent, and a repeated code keeps its last value.
        let shapes = [
            json!({"A": {"type": "NUMBER", "value": "1"}, "B": {"type": "NUMBER", "value": "2"}}),
            json!({"A": {"type": "NUMBER", "value": "1"}, "B": {"type": "NUMBER", "value": "2"}, "C": {"type": "NUMBER", "value": "3"}}),
            json!({"A": {"type": "NUMBER", "value": "1"}}),
            json!({"B": {"type": "NUMBER", "value": "2"}, "A": {"type": "NUMBER", "value": "1"}}),
            json!({}),
        ];
        for first in &shapes {
            for second in &shapes {
                let a = record(first.clone());
                let b = record(second.clone());
                assert_eq!(serde_json::to_value(&a).unwrap(), *first);
                assert_eq!(serde_json::to_value(&b).unwrap(), *second);
            }
        }
        let text = r#"{"A":{"type":"NUMBER","value":"1"},"B":{"type":"NUMBER","value":"2"},"A":{"type":"NUMBER","value":"9"}}"#;
        for _ in 0..2 {
            let repeated: Record = serde_json::from_str(text).unwrap();
            assert_eq!(repeated.len(), 2);
            assert_eq!(repeated["A"].as_decimal().unwrap().as_str(), "9");
            let codes: Vec<&str> = repeated.keys().map(FieldCode::as_str).collect();
            assert_eq!(codes, ["A", "B"]);
        }
    }

    #[test]
    fn a_failed_record_leaves_the_next_reads_intact() {
        let bad = r#"{"A":{"type":"NUMBER","value":"x"}}"#;
        let nested = json!({"T": {"type": "SUBTABLE", "value": [{"id": "1", "value": {"A": {"type": "NUMBER", "value": "1"}}}]}});
        let bad_row = r#"{"T":{"type":"SUBTABLE","value":[{"id":"1","value":{"A":{"type":"NUMBER","value":"x"}}}]}}"#;
        for _ in 0..3 {
            assert!(serde_json::from_str::<Record>(bad).is_err());
            assert!(serde_json::from_str::<Record>(bad_row).is_err());
            assert_eq!(
                serde_json::to_value(record(nested.clone())).unwrap(),
                nested
            );
        }
        INTERNER.with_borrow(|interner| assert_eq!(interner.depth, 0));
    }
}

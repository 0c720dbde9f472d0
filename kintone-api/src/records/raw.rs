//! Records kept as the JSON text kintone sent, decoded only when asked.

use std::ops::Range;

use bytes::{Bytes, BytesMut};
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::answer::RawResponse;
use crate::records::outline::{self, Outline, OutlineError};
use crate::{Error, FieldValue, ProtocolError, Record, RecordId};

/// A record as the JSON object kintone sent, from
/// [`RecordStreamBuilder::raw`](crate::RecordStreamBuilder::raw): nothing in it is decoded
/// until asked for.
///
/// Reading pages this way costs a fraction of decoding every value (see the `whole_app`
/// bench), which matters when records are passed on as they are (to a file, a queue, another
/// database's JSON column) or when only a few of their fields are read.
///
/// What was checked when the page was read: the page's own structure, in full, and that the
/// record is one JSON object, in UTF-8, whose strings and brackets are well formed; so each
/// record is cut exactly where it starts and ends. What is inside (keys, colons, commas,
/// numbers, the shapes of field values) is checked when it is decoded, by
/// [`decode`](Self::decode), [`get`](Self::get) or [`deserialize`](Self::deserialize), or
/// all at once by [`validate`](Self::validate) before passing the text on.
///
/// Cloning is cheap: records share their page's bytes.
#[derive(Clone)]
pub struct RawRecord {
    text: Bytes,
    id: Option<RecordId>,
    /// Where `$id` stands in `text`, until it is taken out.
    id_cut: Option<Range<usize>>,
    operation: &'static str,
}

impl RawRecord {
    /// The record's JSON text, exactly as kintone sent it (without `$id` when the stream added
    /// it to the fields asked for).
    pub fn json(&self) -> &str {
        std::str::from_utf8(&self.text).expect("pages are checked as UTF-8 and cut at ASCII bytes")
    }

    /// The same text as bytes, shared with the page it came from.
    pub fn into_bytes(self) -> Bytes {
        self.text
    }

    /// The record's id, when the page gave it (always with
    /// [`ReadStrategy::Seek`](crate::ReadStrategy::Seek)), even where `$id` was taken out of
    /// the text.
    pub fn id(&self) -> Option<RecordId> {
        self.id
    }

    /// Every field, decoded: the [`Record`] a typed stream would have given.
    pub fn decode(&self) -> Result<Record, Error> {
        self.deserialize()
    }

    /// The field `code`, decoded alone; `None` when the record does not have it. Other fields
    /// are skipped, not decoded.
    pub fn get(&self, code: &str) -> Result<Option<FieldValue>, Error> {
        let mut reader = serde_json::Deserializer::from_str(self.json());
        reader
            .deserialize_map(OneField(code))
            .map_err(|source| self.decode_error(source))
    }

    /// Checks the whole text as JSON, decoding nothing: for text passed on without being
    /// decoded here, when what receives it trusts it.
    pub fn validate(&self) -> Result<(), Error> {
        self.deserialize::<IgnoredAny>().map(|_| ())
    }

    /// The record read into any serde type: a struct of your own, or `serde_json::Value`.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_str(self.json()).map_err(|source| self.decode_error(source))
    }

    fn decode_error(&self, source: serde_json::Error) -> Error {
        Error::Decode {
            operation: self.operation,
            source,
            excerpt: crate::error::excerpt(&self.text),
        }
    }

    /// Takes `$id` out of each record's text, where the stream added it to the fields.
    pub(crate) fn strip_ids(records: &mut [RawRecord]) {
        for record in records {
            if let Some(cut) = record.id_cut.take() {
                let mut text = BytesMut::with_capacity(record.text.len() - cut.len());
                text.extend_from_slice(&record.text[..cut.start]);
                text.extend_from_slice(&record.text[cut.end..]);
                record.text = text.freeze();
            }
        }
    }

    /// The records of a Get Records or Get Records by Cursor answer, and the answer's other
    /// members (such as `next`). A page of more than `max_records` is
    /// [`ProtocolError::PageTooLarge`], found at the first record past it: no more than
    /// `max_records` are outlined, whatever the page holds.
    pub(crate) fn page(
        response: RawResponse,
        max_records: usize,
    ) -> Result<(Vec<RawRecord>, Members), Error> {
        let RawResponse {
            operation, body, ..
        } = response;
        let outline = outline::outline(&body, max_records).map_err(|e| {
            if e.is_past_max_records() {
                ProtocolError::PageTooLarge {
                    asked: max_records,
                    received: max_records.saturating_add(1),
                }
                .into()
            } else {
                outline_error(operation, &body, e)
            }
        })?;
        let Outline { members, records } = outline;
        let Some(spans) = records else {
            let missing = <serde_json::Error as de::Error>::missing_field("records");
            return Err(Error::Decode {
                operation,
                source: missing,
                excerpt: crate::error::excerpt(&body),
            });
        };
        let mut page = Vec::with_capacity(spans.len());
        for span in spans {
            let (id, id_cut) = match span.id {
                Some(id) => {
                    let value = id.value.map(|token| read_id(&body[token]));
                    let value = value.transpose().map_err(|source| Error::Decode {
                        operation,
                        source,
                        excerpt: crate::error::excerpt(&body[span.text.clone()]),
                    })?;
                    let start = span.text.start;
                    (value, Some(id.cut.start - start..id.cut.end - start))
                }
                None => (None, None),
            };
            page.push(RawRecord {
                text: body.slice(span.text),
                id,
                id_cut,
                operation,
            });
        }
        Ok((
            page,
            Members {
                body,
                members,
                operation,
            },
        ))
    }
}

impl std::fmt::Debug for RawRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawRecord")
            .field("id", &self.id)
            .field("json", &self.json())
            .finish()
    }
}

/// The members of a page other than `records`.
pub(crate) struct Members {
    body: Bytes,
    members: Vec<(Range<usize>, Range<usize>)>,
    operation: &'static str,
}

impl Members {
    /// The member `name`, decoded; a missing one is an error, as for a typed answer.
    pub(crate) fn get<T: DeserializeOwned>(&self, name: &'static str) -> Result<T, Error> {
        let value = self
            .members
            .iter()
            .find(|(key, _)| outline::key_is(&self.body, key, name))
            .map(|(_, value)| serde_json::from_slice(&self.body[value.clone()]));
        let value = value.unwrap_or_else(|| Err(de::Error::missing_field(name)));
        value.map_err(|source| Error::Decode {
            operation: self.operation,
            source,
            excerpt: crate::error::excerpt(&self.body),
        })
    }
}

/// The id in `$id.value`: a string of digits, read directly when it is one.
fn read_id(token: &[u8]) -> Result<RecordId, serde_json::Error> {
    let digits = &token[1..token.len() - 1];
    if !digits.is_empty() && digits.len() < 20 && digits.iter().all(u8::is_ascii_digit) {
        let id = digits
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        return Ok(RecordId::from(id));
    }
    serde_json::from_slice(token)
}

/// serde_json's own account of what is wrong, when it sees it too; the outline's otherwise.
fn outline_error(operation: &'static str, body: &Bytes, error: OutlineError) -> Error {
    let source = match serde_json::from_slice::<IgnoredAny>(body) {
        Err(e) => e,
        Ok(_) => <serde_json::Error as de::Error>::custom(error),
    };
    Error::Decode {
        operation,
        source,
        excerpt: crate::error::excerpt(body),
    }
}

/// Reads a key and tells whether it is the one looked for, without keeping it.
struct KeyIs<'c>(&'c str);

impl<'de> de::DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a field code")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

/// Reads one field of a record's object, skipping the others.
struct OneField<'c>(&'c str);

impl<'de> Visitor<'de> for OneField<'_> {
    type Value = Option<FieldValue>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(matches) = map.next_key_seed(KeyIs(self.0))? {
            if matches {
                found = Some(map.next_value::<FieldValue>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> Result<(Vec<RawRecord>, Members), Error> {
        RawRecord::page(
            RawResponse {
                operation: "getRecords",
                status: http::StatusCode::OK,
                headers: http::HeaderMap::new(),
                body: Bytes::copy_from_slice(body.as_bytes()),
            },
            usize::MAX,
        )
    }

    const PAGE: &str = r#"{"records":[
        {"Title":{"type":"SINGLE_LINE_TEXT","value":"A"},"$id":{"type":"__ID__","value":"7"},"Amount":{"type":"NUMBER","value":"x"}},
        {"$id":{"type":"__ID__","value":"9"}}
    ],"ne\u0078t":true}"#;

    #[test]
    fn one_field_decodes_alone_and_a_bad_value_elsewhere_only_fails_the_whole() {
        let (records, members) = page(PAGE).unwrap();
        assert!(members.get::<bool>("next").unwrap());
        assert!(matches!(
            members.get::<bool>("totalCount"),
            Err(Error::Decode { .. })
        ));
        let first = &records[0];
        assert_eq!(first.id().map(|id| id.get()), Some(7));
        assert_eq!(first.get("Title").unwrap().unwrap().as_text(), Some("A"));
        assert_eq!(first.get("None").unwrap(), None);
        // "x" is not a number: the field, and so the record, does not decode.
        assert!(matches!(
            first.get("Amount"),
            Err(Error::Decode {
                operation: "getRecords",
                ..
            })
        ));
        assert!(first.decode().is_err());
        // As JSON it is fine.
        first.validate().unwrap();
        let value: serde_json::Value = first.deserialize().unwrap();
        assert_eq!(value["Amount"]["value"], "x");
    }

    #[test]
    fn taking_ids_out_leaves_each_record_valid_and_keeps_its_id() {
        let (mut records, _) = page(PAGE).unwrap();
        RawRecord::strip_ids(&mut records);
        assert_eq!(
            records[0].json(),
            r#"{"Title":{"type":"SINGLE_LINE_TEXT","value":"A"},"Amount":{"type":"NUMBER","value":"x"}}"#
        );
        assert_eq!(records[1].json(), "{}");
        assert_eq!(records[1].id().map(|id| id.get()), Some(9));
        // Twice is once.
        RawRecord::strip_ids(&mut records);
        assert_eq!(records[1].json(), "{}");
    }

    #[test]
    fn records_share_the_page_and_debug_shows_the_text() {
        let (records, _) = page(PAGE).unwrap();
        let shown = format!("{:?}", records[1]);
        assert!(shown.contains(r#"{\"$id\""#), "{shown}");
        let bytes = records[1].clone().into_bytes();
        assert_eq!(&bytes[..], records[1].json().as_bytes());
    }

    #[test]
    fn a_broken_page_is_a_decode_error_with_serde_jsons_account() {
        let Err(Error::Decode { source, .. }) = page(r#"{"records":[{"a":1}"#) else {
            panic!("not a decode error");
        };
        assert!(source.is_eof(), "{source}");
        let Err(Error::Decode { source, .. }) = page(r#"{"records":[1]}"#) else {
            panic!("not a decode error");
        };
        assert!(source.to_string().contains("not an object"), "{source}");
    }
}

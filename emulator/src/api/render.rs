//! Records written straight to JSON, in kintone's response form (`{"code": {"type", "value"}}`),
//! without building `serde_json::Value`s first.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::domain::seed::FieldSeed;
use crate::domain::store::{App, Cell, StoredRecord};

/// Which fields a response holds: all of them, or those `fields` names. `$id` and `$revision`
/// come only when named, as kintone answers (a restricted `fields` gets nothing it did not ask
/// for).
#[derive(Debug, Clone)]
pub struct Selection {
    id: bool,
    revision: bool,
    slots: Vec<usize>,
}

impl Selection {
    pub fn new(app: &App, fields: Option<&[String]>) -> Selection {
        match fields {
            None => Selection {
                id: true,
                revision: true,
                slots: (0..app.layout.len()).collect(),
            },
            Some(codes) => Selection {
                id: codes.iter().any(|c| c == "$id"),
                revision: codes.iter().any(|c| c == "$revision"),
                slots: (0..app.layout.len())
                    .filter(|&slot| codes.iter().any(|c| *c == app.layout[slot].code))
                    .collect(),
            },
        }
    }

    /// The selection without the fields the caller may not view.
    pub fn without(mut self, app: &App, hidden: &[String]) -> Selection {
        self.slots
            .retain(|&slot| !hidden.contains(&app.layout[slot].code));
        self
    }
}

/// One record, as a response holds it.
pub struct RecordJson<'a> {
    pub app: &'a App,
    pub record: &'a StoredRecord,
    pub selection: &'a Selection,
}

struct Typed<'a> {
    type_name: &'static str,
    value: Value<'a>,
}

enum Value<'a> {
    Number(u64),
    Cell(&'a Cell, &'a FieldSeed),
}

impl Serialize for Typed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("type", self.type_name)?;
        match &self.value {
            Value::Number(n) => map.serialize_entry("value", &DecimalText(*n))?,
            Value::Cell(cell, field) => map.serialize_entry("value", &CellJson { cell, field })?,
        }
        map.end()
    }
}

/// A number written as kintone writes ids: a JSON string of digits.
struct DecimalText(u64);

impl Serialize for DecimalText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buffer = itoa_buffer(self.0);
        s.serialize_str(buffer.as_str())
    }
}

/// Digits of a number without allocating.
struct Digits {
    bytes: [u8; 20],
    start: usize,
}

impl Digits {
    fn as_str(&mut self) -> &str {
        std::str::from_utf8(&self.bytes[self.start..]).expect("ASCII digits")
    }
}

fn itoa_buffer(mut n: u64) -> Digits {
    let mut bytes = [0u8; 20];
    let mut start = 20;
    loop {
        start -= 1;
        bytes[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    Digits { bytes, start }
}

impl Serialize for RecordJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sel = self.selection;
        let len = sel.slots.len() + sel.id as usize + sel.revision as usize;
        let mut map = s.serialize_map(Some(len))?;
        if sel.id {
            map.serialize_entry(
                "$id",
                &Typed {
                    type_name: "__ID__",
                    value: Value::Number(self.record.id),
                },
            )?;
        }
        if sel.revision {
            map.serialize_entry(
                "$revision",
                &Typed {
                    type_name: "__REVISION__",
                    value: Value::Number(self.record.revision),
                },
            )?;
        }
        for &slot in &sel.slots {
            let field = &self.app.layout[slot];
            map.serialize_entry(
                &field.code,
                &Typed {
                    type_name: field.field_type.name(),
                    value: Value::Cell(&self.record.cells[slot], field),
                },
            )?;
        }
        map.end()
    }
}

struct CellJson<'a> {
    cell: &'a Cell,
    field: &'a FieldSeed,
}

struct Entity<'a>(&'a crate::domain::store::Entity);

impl Serialize for Entity<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("code", &*self.0.code)?;
        map.serialize_entry("name", &*self.0.name)?;
        map.end()
    }
}

struct Row<'a> {
    row: &'a crate::domain::store::Row,
    table: &'a FieldSeed,
}

impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Cells<'a>(&'a crate::domain::store::Row, &'a FieldSeed);
        impl Serialize for Cells<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.1.fields.len()))?;
                for (field, cell) in self.1.fields.iter().zip(self.0.cells.iter()) {
                    map.serialize_entry(
                        &field.code,
                        &Typed {
                            type_name: field.field_type.name(),
                            value: Value::Cell(cell, field),
                        },
                    )?;
                }
                map.end()
            }
        }
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("id", &DecimalText(self.row.id))?;
        map.serialize_entry("value", &Cells(self.row, self.table))?;
        map.end()
    }
}

impl Serialize for CellJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.cell {
            Cell::Null => s.serialize_none(),
            Cell::Text(t) => s.serialize_str(t),
            Cell::Texts(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items.iter() {
                    seq.serialize_element(&**i)?;
                }
                seq.end()
            }
            Cell::Entity(e) => Entity(e).serialize(s),
            Cell::Entities(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for e in items.iter() {
                    seq.serialize_element(&Entity(e))?;
                }
                seq.end()
            }
            Cell::Files(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for f in items.iter() {
                    struct File<'a>(&'a crate::domain::store::FileInfo);
                    impl Serialize for File<'_> {
                        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                            let mut map = s.serialize_map(Some(4))?;
                            map.serialize_entry("contentType", &*self.0.content_type)?;
                            map.serialize_entry("fileKey", &*self.0.file_key)?;
                            map.serialize_entry("name", &*self.0.name)?;
                            map.serialize_entry("size", &DecimalText(self.0.size))?;
                            map.end()
                        }
                    }
                    seq.serialize_element(&File(f))?;
                }
                seq.end()
            }
            Cell::Rows(rows) => {
                let mut seq = s.serialize_seq(Some(rows.len()))?;
                for row in rows.iter() {
                    seq.serialize_element(&Row {
                        row,
                        table: self.field,
                    })?;
                }
                seq.end()
            }
        }
    }
}

/// A page of records: `{"records": [...]}` plus the operation's other members.
pub struct Records<'a> {
    pub app: &'a App,
    pub records: Vec<&'a StoredRecord>,
    pub selection: &'a Selection,
}

impl Serialize for Records<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.records.len()))?;
        for record in &self.records {
            seq.serialize_element(&RecordJson {
                app: self.app,
                record,
                selection: self.selection,
            })?;
        }
        seq.end()
    }
}

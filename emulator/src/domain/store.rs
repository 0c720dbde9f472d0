//! The emulator's data: apps with their form fields and records, users, API tokens, files and
//! cursors. Everything lives in memory.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

use super::directory::ADMINISTRATOR;
use super::seed::{
    AppSeed, FieldSeed, FieldType, Permissions, ProcessSeed, UserSeed, SYSTEM_FIELDS,
};

/// A user, organization or group as records show it: `{"code", "name"}`.
#[derive(Debug, PartialEq, Eq)]
pub struct Entity {
    pub code: Box<str>,
    pub name: Box<str>,
}

/// A file a record holds, as records show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub content_type: Box<str>,
    pub file_key: Box<str>,
    pub name: Box<str>,
    pub size: u64,
}

/// A subtable row: its own id, and a cell per field of the subtable, in the subtable's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: u64,
    pub cells: Box<[Cell]>,
}

/// One stored value, in the least memory that renders it back: texts for every scalar (numbers,
/// dates and times are kept as kintone answers them), shared entities for users.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    #[default]
    Null,
    Text(Box<str>),
    Texts(Box<[Box<str>]>),
    Entity(Arc<Entity>),
    Entities(Box<[Arc<Entity>]>),
    Files(Box<[FileInfo]>),
    Rows(Box<[Row]>),
}

impl Cell {
    /// The value a field of type `t` holds when nothing was written to it (which empty values
    /// are `null` and which `""` or `[]` follows kintone's answers).
    pub fn empty(t: FieldType) -> Cell {
        use FieldType::*;
        match t {
            CheckBox | MultiSelect | Category => Cell::Texts(Box::default()),
            UserSelect | OrganizationSelect | GroupSelect | StatusAssignee => {
                Cell::Entities(Box::default())
            }
            File => Cell::Files(Box::default()),
            Subtable => Cell::Rows(Box::default()),
            // A radio button's value is a string, never null (the spec's `RadioButtonField`);
            // a drop-down's may be null.
            Date | Time | DropDown => Cell::Null,
            _ => Cell::Text(Box::default()),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Null => true,
            Cell::Text(s) => s.is_empty(),
            Cell::Texts(v) => v.is_empty(),
            Cell::Entity(_) => false,
            Cell::Entities(v) => v.is_empty(),
            Cell::Files(v) => v.is_empty(),
            Cell::Rows(v) => v.is_empty(),
        }
    }

    /// The text of a scalar cell; `""` for anything else.
    pub fn text(&self) -> &str {
        match self {
            Cell::Text(s) => s,
            _ => "",
        }
    }

    pub fn text_of(s: impl Into<Box<str>>) -> Cell {
        Cell::Text(s.into())
    }
}

/// Where a field's value is in a record: a top-level slot, or a cell of a subtable's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldRef {
    Top(usize),
    /// `(subtable slot, index of the field in the subtable)`.
    Inner(usize, usize),
}

/// A stored record: a cell per slot of its app's layout.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    pub id: u64,
    pub revision: u64,
    pub cells: Box<[Cell]>,
    pub comments: Vec<Comment>,
    pub next_comment_id: u64,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub text: String,
    pub created_at: String,
    pub creator: Value,
    pub mentions: Vec<Value>,
}

#[derive(Debug)]
pub struct App {
    /// Every field a record holds, in the order records are rendered: the form fields as
    /// seeded, then the system fields.
    pub layout: Arc<[FieldSeed]>,
    refs: HashMap<String, FieldRef>,
    /// By record id: ordered, so that `order by $id` and `$id` ranges read pages from it
    /// directly. Written only through [`Db`], which journals writes inside transactions.
    records: BTreeMap<u64, Arc<StoredRecord>>,
    next_record_id: u64,
    pub process: Option<ProcessSeed>,
}

impl App {
    pub fn new(seed: &AppSeed) -> App {
        let mut layout: Vec<FieldSeed> = seed.fields.clone();
        for (code, t) in SYSTEM_FIELDS {
            if !layout.iter().any(|f| f.code == *code) {
                layout.push(FieldSeed::new(*code, *t));
            }
        }
        if seed.process.is_some() {
            layout.push(FieldSeed::new("Status", FieldType::Status));
            layout.push(FieldSeed::new("Assignee", FieldType::StatusAssignee));
        }
        let mut refs = HashMap::new();
        for (slot, f) in layout.iter().enumerate() {
            refs.insert(f.code.clone(), FieldRef::Top(slot));
            for (inner, g) in f.fields.iter().enumerate() {
                refs.insert(g.code.clone(), FieldRef::Inner(slot, inner));
            }
        }
        App {
            layout: layout.into(),
            refs,
            records: BTreeMap::new(),
            next_record_id: 0,
            process: seed.process.clone(),
        }
    }

    /// Where a field code's value is, subtable fields included.
    pub fn field_ref(&self, code: &str) -> Option<FieldRef> {
        self.refs.get(code).copied()
    }

    /// The slot of a top-level field.
    pub fn slot(&self, code: &str) -> Option<usize> {
        match self.refs.get(code) {
            Some(FieldRef::Top(slot)) => Some(*slot),
            _ => None,
        }
    }

    pub fn field_at(&self, r: FieldRef) -> &FieldSeed {
        match r {
            FieldRef::Top(slot) => &self.layout[slot],
            FieldRef::Inner(slot, inner) => &self.layout[slot].fields[inner],
        }
    }

    pub fn records(&self) -> &BTreeMap<u64, Arc<StoredRecord>> {
        &self.records
    }

    /// Gives the app the fields of `seed` (a deploy of its form): each record keeps the values
    /// of the fields that stay, with the same code and type; new fields start empty; the values
    /// of removed fields are gone.
    pub fn relayout(&mut self, seed: &AppSeed) {
        let fresh = App::new(seed);
        let old = self.layout.clone();
        let moves: Vec<Option<usize>> = fresh
            .layout
            .iter()
            .map(|f| {
                old.iter()
                    .position(|o| o.code == f.code && o.field_type == f.field_type)
            })
            .collect();
        for record in self.records.values_mut() {
            let record = Arc::make_mut(record);
            let cells = fresh
                .layout
                .iter()
                .zip(&moves)
                .map(|(field, from)| match from {
                    Some(i) => moved_cell(&old[*i], field, &record.cells[*i]),
                    None => Cell::empty(field.field_type),
                })
                .collect();
            record.cells = cells;
        }
        self.layout = fresh.layout;
        self.refs = fresh.refs;
        self.process = fresh.process;
    }
}

/// A cell carried over to a field's new definition: a subtable's rows keep the cells of the
/// inner fields that stay.
fn moved_cell(old: &FieldSeed, new: &FieldSeed, cell: &Cell) -> Cell {
    let Cell::Rows(rows) = cell else {
        return cell.clone();
    };
    let moves: Vec<Option<usize>> = new
        .fields
        .iter()
        .map(|f| {
            old.fields
                .iter()
                .position(|o| o.code == f.code && o.field_type == f.field_type)
        })
        .collect();
    Cell::Rows(
        rows.iter()
            .map(|row| Row {
                id: row.id,
                cells: new
                    .fields
                    .iter()
                    .zip(&moves)
                    .map(|(f, from)| match from {
                        Some(i) => row.cells[*i].clone(),
                        None => Cell::empty(f.field_type),
                    })
                    .collect(),
            })
            .collect(),
    )
}

/// An uploaded file waiting in temporary storage.
#[derive(Debug, Clone)]
pub struct TempFile {
    pub name: String,
    pub content_type: String,
    pub bytes: bytes::Bytes,
    pub uploaded: Instant,
}

/// A file attached to a record.
#[derive(Debug, Clone)]
pub struct AttachedFile {
    /// The app whose record holds the file: downloading it needs view permission there.
    pub app: u64,
    pub name: String,
    pub content_type: String,
    pub bytes: bytes::Bytes,
}

/// An open cursor: the ids it will return, in order.
#[derive(Debug, Clone)]
pub struct Cursor {
    pub app: u64,
    pub ids: VecDeque<u64>,
    pub size: usize,
    pub fields: Option<Vec<String>>,
    pub last_used: Instant,
}

/// What an OAuth token may do, and as whom.
#[derive(Debug, Clone)]
pub struct OAuthGrant {
    pub login: String,
    pub scopes: Vec<String>,
}

/// How to undo one write of a transaction.
#[derive(Debug)]
enum Undo {
    Record {
        app: u64,
        id: u64,
        old: Option<Arc<StoredRecord>>,
    },
    NextRecordId {
        app: u64,
        old: u64,
    },
    TempFile {
        key: String,
        file: TempFile,
    },
    Attached {
        key: String,
    },
    NextKey(u64),
}

/// Where a transaction started, to commit or roll back to.
#[derive(Debug)]
#[must_use]
pub struct Savepoint {
    outermost: bool,
    mark: usize,
}

/// The whole domain.
#[derive(Debug, Default)]
pub struct Db {
    pub apps: BTreeMap<u64, App>,
    pub tokens: HashMap<String, (u64, Permissions)>,
    pub oauth: HashMap<String, OAuthGrant>,
    pub users: HashMap<String, UserSeed>,
    /// Organization and group codes, with their names.
    pub organizations: HashMap<String, String>,
    pub groups: HashMap<String, String>,
    /// Who belongs to which department and group.
    pub directory: crate::domain::directory::Directory,
    /// The time zones of users who have one.
    pub zones: HashMap<String, time::UtcOffset>,
    /// The domain's time zone (UTC when `None`), for API tokens and users without one.
    pub domain_zone: Option<time::UtcOffset>,
    pub temp_files: HashMap<String, TempFile>,
    files: HashMap<String, AttachedFile>,
    pub cursors: HashMap<String, Cursor>,
    /// Spaces, their threads, and guest users.
    pub spaces: super::spaces::Spaces,
    /// The domain's plug-ins.
    pub plugins: super::plugins::Plugins,
    /// Every app's settings, live and pre-live (apps created through the API have no live app
    /// in `apps` until their first deploy).
    pub settings: BTreeMap<u64, crate::domain::app_settings::AppSettings>,
    /// By app: the day (in the domain's time zone) its requests were last counted, and how
    /// many named it that day, for Get App Statistics.
    daily_requests: HashMap<u64, (time::Date, u64)>,
    /// The last subtable row id handed out.
    next_key: u64,
    /// One shared entity per user, so that records written by the same user share it.
    users_as_entities: HashMap<String, Arc<Entity>>,
    /// The writes of the open transaction, oldest first; `None` outside transactions. A
    /// transaction costs what it changes, not the size of the domain.
    journal: Option<Vec<Undo>>,
}

impl Db {
    /// A file key written to a record or the settings of `app_id`: an upload moves from temporary
    /// storage to the app (under a new key); a key of a file this app already holds stays.
    pub fn attach(&mut self, app_id: u64, key: &str) -> Option<FileInfo> {
        if let Some(f) = self.attached_file(key) {
            // Only a file of this app's records: another app's key would hand its file to
            // callers who may view this app only.
            return (f.app == app_id).then(|| FileInfo {
                content_type: f.content_type.as_str().into(),
                file_key: key.into(),
                name: f.name.as_str().into(),
                size: f.bytes.len() as u64,
            });
        }
        let temp = self.take_temp_file(key)?;
        let new_key = random_key();
        let info = FileInfo {
            content_type: temp.content_type.as_str().into(),
            file_key: new_key.as_str().into(),
            name: temp.name.as_str().into(),
            size: temp.bytes.len() as u64,
        };
        self.attach_file(
            new_key,
            AttachedFile {
                app: app_id,
                name: temp.name,
                content_type: temp.content_type,
                bytes: temp.bytes,
            },
        );
        Some(info)
    }

    /// Opens a transaction, or a nested one inside the open one.
    pub fn begin(&mut self) -> Savepoint {
        let outermost = self.journal.is_none();
        let journal = self.journal.get_or_insert_with(Vec::new);
        Savepoint {
            outermost,
            mark: journal.len(),
        }
    }

    /// Keeps the writes since `savepoint`.
    pub fn commit(&mut self, savepoint: Savepoint) {
        if savepoint.outermost {
            self.journal = None;
        }
    }

    /// Undoes every write since `savepoint`, newest first.
    pub fn rollback(&mut self, savepoint: Savepoint) {
        let Some(journal) = self.journal.as_mut() else {
            return;
        };
        let undo: Vec<Undo> = journal.drain(savepoint.mark..).rev().collect();
        for step in undo {
            match step {
                Undo::Record { app, id, old } => {
                    if let Some(a) = self.apps.get_mut(&app) {
                        match old {
                            Some(r) => {
                                a.records.insert(id, r);
                            }
                            None => {
                                a.records.remove(&id);
                            }
                        }
                    }
                }
                Undo::NextRecordId { app, old } => {
                    if let Some(a) = self.apps.get_mut(&app) {
                        a.next_record_id = old;
                    }
                }
                Undo::TempFile { key, file } => {
                    self.temp_files.insert(key, file);
                }
                Undo::Attached { key } => {
                    self.files.remove(&key);
                }
                Undo::NextKey(old) => self.next_key = old,
            }
        }
        if savepoint.outermost {
            self.journal = None;
        }
    }

    fn log(&mut self, undo: impl FnOnce() -> Undo) {
        if let Some(journal) = self.journal.as_mut() {
            journal.push(undo());
        }
    }

    /// A record to change in place (copied first when a transaction must be able to undo it).
    pub fn record_mut(&mut self, app: u64, id: u64) -> Option<&mut StoredRecord> {
        let current = self.apps.get(&app)?.records.get(&id)?.clone();
        self.log(|| Undo::Record {
            app,
            id,
            old: Some(current),
        });
        let r = self.apps.get_mut(&app)?.records.get_mut(&id)?;
        Some(Arc::make_mut(r))
    }

    /// Stores a new record under a fresh id of its app, which it returns.
    pub fn add_record(&mut self, app: u64, mut record: StoredRecord) -> Option<u64> {
        let a = self.apps.get_mut(&app)?;
        let old = a.next_record_id;
        a.next_record_id += 1;
        let id = a.next_record_id;
        record.id = id;
        a.records.insert(id, Arc::new(record));
        self.log(|| Undo::NextRecordId { app, old });
        self.log(|| Undo::Record { app, id, old: None });
        Some(id)
    }

    /// The id the next record of `app` will get.
    pub fn next_record_id(&self, app: u64) -> Option<u64> {
        self.apps.get(&app).map(|a| a.next_record_id + 1)
    }

    pub fn remove_record(&mut self, app: u64, id: u64) {
        if let Some(old) = self.apps.get_mut(&app).and_then(|a| a.records.remove(&id)) {
            self.log(|| Undo::Record {
                app,
                id,
                old: Some(old),
            });
        }
    }

    /// A fresh subtable row id.
    pub fn next_row_id(&mut self) -> u64 {
        let old = self.next_key;
        self.next_key += 1;
        self.log(|| Undo::NextKey(old));
        self.next_key
    }

    /// Moves an upload out of temporary storage.
    pub fn take_temp_file(&mut self, key: &str) -> Option<TempFile> {
        let file = self.temp_files.remove(key)?;
        let kept = file.clone();
        self.log(|| Undo::TempFile {
            key: key.to_string(),
            file: kept,
        });
        Some(file)
    }

    pub fn attach_file(&mut self, key: String, file: AttachedFile) {
        self.log(|| Undo::Attached { key: key.clone() });
        self.files.insert(key, file);
    }

    pub fn attached_file(&self, key: &str) -> Option<&AttachedFile> {
        self.files.get(key)
    }

    /// The entity of a user, shared by every record that names the same user.
    pub fn user_entity(&mut self, code: &str) -> Arc<Entity> {
        if let Some(e) = self.users_as_entities.get(code) {
            return e.clone();
        }
        let name = self
            .users
            .get(code)
            .map(|u| u.name.as_str())
            .filter(|n| !n.is_empty())
            .unwrap_or(code);
        let entity = Arc::new(Entity {
            code: code.into(),
            name: name.into(),
        });
        self.users_as_entities
            .insert(code.to_string(), entity.clone());
        entity
    }

    /// Counts a request that named `app` on `day`; a new day starts from zero.
    pub fn count_request(&mut self, app: u64, day: time::Date) {
        let entry = self.daily_requests.entry(app).or_insert((day, 0));
        if entry.0 != day {
            *entry = (day, 0);
        }
        entry.1 += 1;
    }

    /// How many requests named `app` on `day`.
    pub fn requests_on(&self, app: u64, day: time::Date) -> u64 {
        match self.daily_requests.get(&app) {
            Some((counted, n)) if *counted == day => *n,
            _ => 0,
        }
    }

    /// Whether a user of this code exists (`Administrator` always does).
    pub fn user_exists(&self, code: &str) -> bool {
        code == ADMINISTRATOR || self.users.contains_key(code)
    }
}

/// A fresh key for a file or a cursor: 128 bits from the operating system's generator, as 32
/// hex digits in a UUID's groups (the shape kintone's upload keys and cursor ids have). Keys
/// are bearer capabilities (a file key alone downloads the file), so they must not be guessed.
pub fn random_key() -> String {
    let mut bits = [0u8; 16];
    getrandom::fill(&mut bits).expect("the operating system's random generator is available");
    let hex: String = bits.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
impl Cell {
    /// A cell from a JSON value, for tests: strings are texts, arrays of strings options,
    /// arrays of `{code}` entities, arrays of `{id, value}` subtable rows (cells in the order of
    /// the row's codes, alphabetical).
    pub fn from_json(v: &Value) -> Cell {
        match v {
            Value::Null => Cell::Null,
            Value::String(s) => Cell::text_of(s.as_str()),
            Value::Number(n) => Cell::text_of(n.to_string()),
            Value::Array(items) => match items.first() {
                None | Some(Value::String(_)) => Cell::Texts(
                    items
                        .iter()
                        .map(|i| i.as_str().unwrap_or_default().into())
                        .collect(),
                ),
                Some(Value::Object(o)) if o.contains_key("value") => Cell::Rows(
                    items
                        .iter()
                        .map(|row| Row {
                            id: row["id"].as_u64().unwrap_or_default(),
                            cells: row["value"]
                                .as_object()
                                .map(|m| m.values().map(Cell::from_json).collect())
                                .unwrap_or_default(),
                        })
                        .collect(),
                ),
                Some(_) => Cell::Entities(
                    items
                        .iter()
                        .map(|i| {
                            let code = i["code"].as_str().unwrap_or_default();
                            Arc::new(Entity {
                                code: code.into(),
                                name: i["name"].as_str().unwrap_or(code).into(),
                            })
                        })
                        .collect(),
                ),
            },
            Value::Bool(_) | Value::Object(_) => Cell::Null,
        }
    }
}

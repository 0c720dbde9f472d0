//! The emulator's data: apps with their form fields and records, users, API tokens, files and
//! cursors. Everything lives in memory.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use serde::Deserialize;
use serde_json::Value;

/// A form field's type, as kintone names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FieldType {
    SingleLineText,
    MultiLineText,
    RichText,
    Link,
    Number,
    Calc,
    CheckBox,
    RadioButton,
    DropDown,
    MultiSelect,
    File,
    Date,
    Time,
    Datetime,
    UserSelect,
    OrganizationSelect,
    GroupSelect,
    Subtable,
    // Fields every app has, kept by the emulator itself.
    RecordNumber,
    Creator,
    CreatedTime,
    Modifier,
    UpdatedTime,
    Status,
    StatusAssignee,
    /// The record's categories, set in the app's category settings.
    Category,
}

/// The codes of the fields every app has.
pub const SYSTEM_FIELDS: &[(&str, FieldType)] = &[
    ("Record_number", FieldType::RecordNumber),
    ("Created_by", FieldType::Creator),
    ("Created_datetime", FieldType::CreatedTime),
    ("Updated_by", FieldType::Modifier),
    ("Updated_datetime", FieldType::UpdatedTime),
];

impl FieldType {
    /// Every field type the emulator stores; a test holds this list to the spec's `FieldValue`.
    pub const ALL: [FieldType; 26] = [
        FieldType::SingleLineText,
        FieldType::MultiLineText,
        FieldType::RichText,
        FieldType::Link,
        FieldType::Number,
        FieldType::Calc,
        FieldType::CheckBox,
        FieldType::RadioButton,
        FieldType::DropDown,
        FieldType::MultiSelect,
        FieldType::File,
        FieldType::Date,
        FieldType::Time,
        FieldType::Datetime,
        FieldType::UserSelect,
        FieldType::OrganizationSelect,
        FieldType::GroupSelect,
        FieldType::Subtable,
        FieldType::RecordNumber,
        FieldType::Creator,
        FieldType::CreatedTime,
        FieldType::Modifier,
        FieldType::UpdatedTime,
        FieldType::Status,
        FieldType::StatusAssignee,
        FieldType::Category,
    ];

    /// Whether kintone computes the value (it cannot be written, or only when adding).
    pub fn is_system(self) -> bool {
        matches!(
            self,
            FieldType::RecordNumber
                | FieldType::Creator
                | FieldType::CreatedTime
                | FieldType::Modifier
                | FieldType::UpdatedTime
                | FieldType::Status
                | FieldType::StatusAssignee
                | FieldType::Calc
                | FieldType::Category
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            FieldType::SingleLineText => "SINGLE_LINE_TEXT",
            FieldType::MultiLineText => "MULTI_LINE_TEXT",
            FieldType::RichText => "RICH_TEXT",
            FieldType::Link => "LINK",
            FieldType::Number => "NUMBER",
            FieldType::Calc => "CALC",
            FieldType::CheckBox => "CHECK_BOX",
            FieldType::RadioButton => "RADIO_BUTTON",
            FieldType::DropDown => "DROP_DOWN",
            FieldType::MultiSelect => "MULTI_SELECT",
            FieldType::File => "FILE",
            FieldType::Date => "DATE",
            FieldType::Time => "TIME",
            FieldType::Datetime => "DATETIME",
            FieldType::UserSelect => "USER_SELECT",
            FieldType::OrganizationSelect => "ORGANIZATION_SELECT",
            FieldType::GroupSelect => "GROUP_SELECT",
            FieldType::Subtable => "SUBTABLE",
            FieldType::RecordNumber => "RECORD_NUMBER",
            FieldType::Creator => "CREATOR",
            FieldType::CreatedTime => "CREATED_TIME",
            FieldType::Modifier => "MODIFIER",
            FieldType::UpdatedTime => "UPDATED_TIME",
            FieldType::Status => "STATUS",
            FieldType::StatusAssignee => "STATUS_ASSIGNEE",
            FieldType::Category => "CATEGORY",
        }
    }
}

/// A form field, enough to validate and type record values.
#[derive(Debug, Clone, Deserialize)]
pub struct FieldSeed {
    pub code: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub unique: bool,
    /// The choices of a check box, radio button, drop-down or multi-select.
    #[serde(default)]
    pub options: Vec<String>,
    /// The fields of a subtable.
    #[serde(default)]
    pub fields: Vec<FieldSeed>,
    /// A link's protocol; `WEB` unless set.
    #[serde(default)]
    pub protocol: LinkProtocol,
    /// A calculated field's formula, in the subset the emulator computes: numbers, codes of
    /// number and calculated fields, `+ - * /`, parentheses, unary minus and `SUM(code)` of a
    /// subtable's number field; decimal arithmetic, an empty field counting as 0, the result
    /// rounded half to even to 4 places. A formula outside the subset fails the start.
    #[serde(default)]
    pub expression: String,
    /// When this text or number field is a lookup: where it looks its value up.
    #[serde(default)]
    pub lookup: Option<LookupSeed>,
}

/// What a link field holds, and so which values it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum LinkProtocol {
    /// A web address: `http://…` or `https://…`.
    #[default]
    Web,
    /// A telephone number: digits, spaces and `+ - ( ) # *`.
    Call,
    /// An e-mail address: `local@domain`.
    Mail,
}

/// A lookup: the key written into the field is searched in `related_key_field` of
/// `related_app`, and the found record's fields are copied as `field_mappings` say.
#[derive(Debug, Clone, Deserialize)]
pub struct LookupSeed {
    pub related_app: u64,
    /// The source app's key: its record number (`Record_number`) or a field that prohibits
    /// duplicate values (O29).
    pub related_key_field: String,
    /// `(field of this app, field of the source app)` pairs to copy.
    #[serde(default)]
    pub field_mappings: Vec<(String, String)>,
}

impl LookupSeed {
    pub fn new(related_app: u64, related_key_field: impl Into<String>) -> Self {
        Self {
            related_app,
            related_key_field: related_key_field.into(),
            field_mappings: Vec::new(),
        }
    }

    /// Copies the source record's `from` into this app's `to`.
    pub fn map(mut self, to: impl Into<String>, from: impl Into<String>) -> Self {
        self.field_mappings.push((to.into(), from.into()));
        self
    }
}

impl FieldSeed {
    pub fn new(code: impl Into<String>, field_type: FieldType) -> Self {
        Self {
            code: code.into(),
            field_type,
            required: false,
            unique: false,
            options: Vec::new(),
            fields: Vec::new(),
            protocol: LinkProtocol::Web,
            expression: String::new(),
            lookup: None,
        }
    }

    /// The fields of a subtable.
    pub fn fields(mut self, fields: impl IntoIterator<Item = FieldSeed>) -> Self {
        self.fields = fields.into_iter().collect();
        self
    }

    /// A link's protocol.
    pub fn protocol(mut self, protocol: LinkProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// A calculated field's formula.
    pub fn expression(mut self, expression: impl Into<String>) -> Self {
        self.expression = expression.into();
        self
    }

    /// Makes this field a lookup.
    pub fn lookup(mut self, lookup: LookupSeed) -> Self {
        self.lookup = Some(lookup);
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    pub fn options<S: Into<String>>(mut self, options: impl IntoIterator<Item = S>) -> Self {
        self.options = options.into_iter().map(Into::into).collect();
        self
    }
}

/// A process: statuses in order, who each status assigns, and the actions between them.
#[derive(Debug, Clone, Deserialize)]
pub struct ProcessSeed {
    pub statuses: Vec<String>,
    pub actions: Vec<ActionSeed>,
    /// Who a record entering a status is assigned to, by status name; a status not listed
    /// assigns no one.
    #[serde(default)]
    pub assignees: HashMap<String, StatusAssignees>,
}

/// A status's assignee list, as kintone's process settings hold it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatusAssignees {
    #[serde(rename = "type", default)]
    pub kind: AssigneeKind,
    /// Entries in the shape of kintone's settings: `{"entity": {"type", "code"}, "includeSubs"}`.
    #[serde(default)]
    pub entities: Vec<Value>,
}

/// How a status's assignee list is used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AssigneeKind {
    /// The user running the action into the status picks one of the list.
    #[default]
    One,
    /// Everyone in the list must act (the emulator lets any one of them move the record on).
    All,
    /// Any one of the list may act.
    Any,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ActionSeed {
    pub name: String,
    pub from: String,
    pub to: String,
    /// The query a record must match for the action to run; empty: every record.
    #[serde(default, rename = "filterCond")]
    pub filter_cond: String,
    /// Who may run the action, as entries like [`StatusAssignees::entities`]; empty: anyone.
    #[serde(default, rename = "executableUsers")]
    pub executable_users: Vec<Value>,
}

/// An app to seed.
#[derive(Debug, Clone, Deserialize)]
pub struct AppSeed {
    pub id: u64,
    #[serde(default)]
    pub name: String,
    pub fields: Vec<FieldSeed>,
    /// Records to add, as Add Record's `record` objects (`{"code": {"value": …}}`).
    #[serde(default)]
    pub records: Vec<Value>,
    #[serde(default)]
    pub process: Option<ProcessSeed>,
    /// Users who manage the app besides its creator (`Administrator`): the app's permissions
    /// name each of them first, with every right, app management included.
    #[serde(default)]
    pub managers: Vec<String>,
}

impl AppSeed {
    pub fn new(id: u64, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            fields: Vec::new(),
            records: Vec::new(),
            process: None,
            managers: Vec::new(),
        }
    }

    /// A user who manages the app (kintone's app management: changing its settings and
    /// deploying them), as an entry of the app's permissions naming them with every right.
    pub fn manager(mut self, login: impl Into<String>) -> Self {
        self.managers.push(login.into());
        self
    }

    pub fn field(mut self, field: FieldSeed) -> Self {
        self.fields.push(field);
        self
    }

    pub fn process(mut self, statuses: &[&str], actions: &[(&str, &str, &str)]) -> Self {
        self.process = Some(ProcessSeed {
            statuses: statuses.iter().map(|s| s.to_string()).collect(),
            actions: actions
                .iter()
                .map(|(name, from, to)| ActionSeed {
                    name: name.to_string(),
                    from: from.to_string(),
                    to: to.to_string(),
                    filter_cond: String::new(),
                    executable_users: Vec::new(),
                })
                .collect(),
            assignees: HashMap::new(),
        });
        self
    }
}

/// What an API token may do in its app: kintone's five token permissions, the four on records
/// and app management (`manage_app`), which every app-settings read of pre-live settings or
/// permissions, every settings write and every deploy needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct Permissions {
    #[serde(default)]
    pub view: bool,
    #[serde(default)]
    pub add: bool,
    #[serde(default)]
    pub edit: bool,
    #[serde(default)]
    pub delete: bool,
    /// App management: change the app's settings and deploy them.
    #[serde(default)]
    pub manage_app: bool,
}

impl Permissions {
    /// Every permission on records, without app management (a token for a program that
    /// reads and writes records only).
    pub const RECORDS: Permissions = Permissions {
        view: true,
        add: true,
        edit: true,
        delete: true,
        manage_app: false,
    };
    /// All five: every permission on records, and app management.
    pub const ALL: Permissions = Permissions {
        manage_app: true,
        ..Permissions::RECORDS
    };
    pub const VIEW: Permissions = Permissions {
        view: true,
        add: false,
        edit: false,
        delete: false,
        manage_app: false,
    };

    /// Whether these permissions allow `need`.
    pub(crate) fn grants(&self, need: crate::handlers::Need) -> bool {
        use crate::handlers::Need;
        match need {
            Need::View => self.view,
            Need::Add => self.add,
            Need::Edit => self.edit,
            Need::Delete => self.delete,
            Need::ManageApp => self.manage_app,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct TokenSeed {
    pub token: String,
    pub app: u64,
    #[serde(default)]
    pub permissions: Permissions,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserSeed {
    pub login: String,
    pub password: String,
    #[serde(default)]
    pub name: String,
    /// The user's time zone as a UTC offset (`+09:00`, `-05:00`, `UTC`); the domain's when
    /// left out. Date functions in queries (`TODAY()`, `THIS_MONTH()`, …) follow it.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// The codes of the departments (organizations) the user belongs to; entries naming a
    /// department with `includeSubs` also name the members of the departments below it.
    #[serde(default)]
    pub organizations: Vec<String>,
    /// The codes of the groups the user belongs to (besides `everyone`, which holds every user).
    #[serde(default)]
    pub groups: Vec<String>,
}

impl UserSeed {
    pub fn new(login: impl Into<String>, password: impl Into<String>) -> Self {
        let login = login.into();
        Self {
            name: login.clone(),
            login,
            password: password.into(),
            time_zone: None,
            organizations: Vec::new(),
            groups: Vec::new(),
        }
    }

    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The user's time zone as a UTC offset (`+09:00`).
    pub fn time_zone(mut self, offset: impl Into<String>) -> Self {
        self.time_zone = Some(offset.into());
        self
    }

    /// Makes the user a member of a seeded department (organization).
    pub fn organization(mut self, code: impl Into<String>) -> Self {
        self.organizations.push(code.into());
        self
    }

    /// Makes the user a member of a seeded group.
    pub fn group(mut self, code: impl Into<String>) -> Self {
        self.groups.push(code.into());
        self
    }
}

/// A group that group selections and permission entries may name.
#[derive(Debug, Clone, Deserialize)]
pub struct EntitySeed {
    pub code: String,
    #[serde(default)]
    pub name: String,
}

/// A department (organization), below another one when it has a `parent`.
#[derive(Debug, Clone, Deserialize)]
pub struct OrganizationSeed {
    pub code: String,
    #[serde(default)]
    pub name: String,
    /// The code of the department directly above it.
    #[serde(default)]
    pub parent: Option<String>,
}

/// An OAuth access token: it acts as `login` within its `scopes`.
#[derive(Debug, Clone, Deserialize)]
pub struct OAuthSeed {
    pub token: String,
    pub login: String,
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// Everything to load at start, also readable from a JSON seed file.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Seed {
    #[serde(default)]
    pub apps: Vec<AppSeed>,
    #[serde(default)]
    pub tokens: Vec<TokenSeed>,
    #[serde(default)]
    pub users: Vec<UserSeed>,
    #[serde(default)]
    pub organizations: Vec<OrganizationSeed>,
    #[serde(default)]
    pub groups: Vec<EntitySeed>,
    #[serde(default)]
    pub oauth_tokens: Vec<OAuthSeed>,
    /// The domain's time zone (UTC offset), for API tokens and users without one; UTC unless set.
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub spaces: Vec<crate::handlers::spaces::SpaceSeed>,
    #[serde(default)]
    pub plugins: Vec<crate::handlers::plugins::PluginSeed>,
}

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
    pub directory: crate::directory::Directory,
    /// The time zones of users who have one.
    pub zones: HashMap<String, time::UtcOffset>,
    /// The domain's time zone (UTC when `None`), for API tokens and users without one.
    pub domain_zone: Option<time::UtcOffset>,
    pub temp_files: HashMap<String, TempFile>,
    files: HashMap<String, AttachedFile>,
    pub cursors: HashMap<String, Cursor>,
    /// Spaces, their threads, and guest users.
    pub spaces: crate::handlers::spaces::Spaces,
    /// The domain's plug-ins.
    pub plugins: crate::handlers::plugins::Plugins,
    /// Every app's settings, live and pre-live (apps created through the API have no live app
    /// in `apps` until their first deploy).
    pub settings: BTreeMap<u64, crate::app_settings::AppSettings>,
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

/// The user kintone records API-token writes as, present on every domain.
pub const ADMINISTRATOR: &str = "Administrator";

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

#[cfg(test)]
mod process_seed_tests {
    use super::*;

    #[test]
    fn json_process_seeds_carry_assignees_conditions_and_executable_users() {
        let seed: ProcessSeed = serde_json::from_value(serde_json::json!({
            "statuses": ["Draft", "Review"],
            "actions": [{"name": "Submit", "from": "Draft", "to": "Review",
                "filterCond": "Amount > 10",
                "executableUsers": [{"entity": {"type": "ORGANIZATION", "code": "sales"},
                    "includeSubs": true}]}],
            "assignees": {"Review": {"type": "ANY",
                "entities": [{"entity": {"type": "FIELD_ENTITY", "code": "Owner"}}]}},
        }))
        .unwrap();
        let submit = &seed.actions[0];
        assert_eq!(submit.filter_cond, "Amount > 10");
        assert_eq!(submit.executable_users[0]["includeSubs"], true);
        let review = &seed.assignees["Review"];
        assert_eq!(review.kind, AssigneeKind::Any);
        assert_eq!(review.entities[0]["entity"]["code"], "Owner");
        assert!(!seed.assignees.contains_key("Draft"));

        let bare: ProcessSeed = serde_json::from_value(serde_json::json!({
            "statuses": ["Draft"],
            "actions": [{"name": "Stay", "from": "Draft", "to": "Draft"}],
        }))
        .unwrap();
        assert!(bare.assignees.is_empty());
        assert!(bare.actions[0].filter_cond.is_empty());
        assert!(bare.actions[0].executable_users.is_empty());
    }
}

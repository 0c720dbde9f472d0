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
        }
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

/// A simple process: statuses in order and the actions between them.
#[derive(Debug, Clone, Deserialize)]
pub struct ProcessSeed {
    pub statuses: Vec<String>,
    pub actions: Vec<ActionSeed>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ActionSeed {
    pub name: String,
    pub from: String,
    pub to: String,
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
}

impl AppSeed {
    pub fn new(id: u64, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            fields: Vec::new(),
            records: Vec::new(),
            process: None,
        }
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
                })
                .collect(),
        });
        self
    }
}

/// What an API token may do in its app.
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
}

impl Permissions {
    pub const ALL: Permissions = Permissions {
        view: true,
        add: true,
        edit: true,
        delete: true,
    };
    pub const VIEW: Permissions = Permissions {
        view: true,
        add: false,
        edit: false,
        delete: false,
    };
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
}

/// A stored record: field values in their response form (`{"type", "value"}`'s `value`).
#[derive(Debug, Clone)]
pub struct StoredRecord {
    pub id: u64,
    pub revision: u64,
    pub values: BTreeMap<String, Value>,
    pub status: Option<String>,
    pub assignees: Vec<String>,
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

#[derive(Debug, Clone)]
pub struct App {
    pub fields: BTreeMap<String, FieldSeed>,
    /// Shared with snapshots: a transaction copies pointers, and a record only when it changes.
    pub records: BTreeMap<u64, Arc<StoredRecord>>,
    pub next_record_id: u64,
    pub process: Option<ProcessSeed>,
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

/// The whole domain.
#[derive(Debug, Clone, Default)]
pub struct Db {
    pub apps: BTreeMap<u64, App>,
    pub tokens: HashMap<String, (u64, Permissions)>,
    pub users: HashMap<String, UserSeed>,
    pub temp_files: HashMap<String, TempFile>,
    pub files: HashMap<String, AttachedFile>,
    pub cursors: HashMap<String, Cursor>,
    /// The last subtable row id handed out.
    pub next_key: u64,
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

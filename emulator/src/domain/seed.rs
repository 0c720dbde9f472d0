//! Every seed type: what users pass to build an emulator's initial state (apps with their
//! fields and records, users, departments, groups, API tokens, OAuth grants, spaces and
//! plug-ins), directly or as one JSON [`Seed`]. With them the field types and token
//! permissions seeds name, and what a permission check asks of them ([`Need`]).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

pub use super::field_type::FieldType;

/// The codes of the fields every app has.
pub const SYSTEM_FIELDS: &[(&str, FieldType)] = &[
    ("Record_number", FieldType::RecordNumber),
    ("Created_by", FieldType::Creator),
    ("Created_datetime", FieldType::CreatedTime),
    ("Updated_by", FieldType::Modifier),
    ("Updated_datetime", FieldType::UpdatedTime),
];

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
/// What a permission check asks for.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    View,
    Add,
    Edit,
    Delete,
    /// App management: kintone's fifth permission, for app settings (see
    /// `api::settings_access::require_settings`).
    ManageApp,
}

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
    pub(crate) fn grants(&self, need: Need) -> bool {
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
    pub spaces: Vec<SpaceSeed>,
    #[serde(default)]
    pub plugins: Vec<PluginSeed>,
}

/// A space to start with (`EmulatorBuilder::space`, or `spaces` in a JSON seed).
#[derive(Debug, Clone, Deserialize)]
pub struct SpaceSeed {
    pub id: u64,
    pub name: String,
    /// A guest space: reachable only under `/k/guest/{id}/v1`, with its apps.
    #[serde(default)]
    pub guest: bool,
    #[serde(default)]
    pub private: bool,
    /// Users who are members, with whether each administers the space.
    #[serde(default)]
    pub members: Vec<SpaceMemberSeed>,
    /// Apps in the space (in its default thread).
    #[serde(default)]
    pub apps: Vec<u64>,
}

/// A user member of a seeded space.
#[derive(Debug, Clone, Deserialize)]
pub struct SpaceMemberSeed {
    pub login: String,
    #[serde(default)]
    pub admin: bool,
}

impl SpaceSeed {
    pub fn new(id: u64, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            guest: false,
            private: false,
            members: Vec::new(),
            apps: Vec::new(),
        }
    }

    /// Makes it a guest space.
    pub fn guest(mut self) -> Self {
        self.guest = true;
        self
    }

    /// Makes it private: only members see it.
    pub fn private(mut self) -> Self {
        self.private = true;
        self
    }

    /// Adds a user member; `admin` makes the user an administrator of the space.
    pub fn member(mut self, login: impl Into<String>, admin: bool) -> Self {
        self.members.push(SpaceMemberSeed {
            login: login.into(),
            admin,
        });
        self
    }

    /// Puts an app into the space.
    pub fn app(mut self, app: u64) -> Self {
        self.apps.push(app);
        self
    }
}

/// A plug-in to start with (`EmulatorBuilder::plugin`, or `plugins` in a JSON seed).
#[derive(Debug, Clone, Deserialize)]
pub struct PluginSeed {
    pub id: String,
    pub name: String,
    #[serde(default = "first_version")]
    pub version: String,
    #[serde(default)]
    pub description: String,
    /// Apps the plug-in is added to.
    #[serde(default)]
    pub apps: Vec<u64>,
    /// Uninstalled already: apps that use it list it as required.
    #[serde(default)]
    pub uninstalled: bool,
}

fn first_version() -> String {
    "1".into()
}

impl PluginSeed {
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            version: first_version(),
            description: String::new(),
            apps: Vec::new(),
            uninstalled: false,
        }
    }

    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Adds the plug-in to an app.
    pub fn app(mut self, app: u64) -> Self {
        self.apps.push(app);
        self
    }

    /// Leaves it uninstalled, so that the apps that use it require it.
    pub fn uninstalled(mut self) -> Self {
        self.uninstalled = true;
        self
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

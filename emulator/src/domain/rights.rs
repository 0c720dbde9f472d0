//! kintone's rules for what the app, record and field permissions grant a user, and whom a
//! permission or assignee entry names.
//!
//! Entries name users through the seeded memberships (see [`super::directory`]): a group entry
//! its members (`everyone` every user), a department entry its members, and with `includeSubs`
//! the members of the departments below it. A `FIELD_ENTITY` entry of a record permission names
//! the users the record's field holds, or the members of the departments or groups it holds.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use time::OffsetDateTime;

use super::access::Principal;
use super::directory::{self, Membership, EVERYONE};
use super::error::KintoneError;
use super::query::{Evaluator, Plan};
use super::seed::{FieldType, Need};
use super::store::{App, Cell, Db, Entity, StoredRecord};

/// One user as permission entries see them: their login and memberships.
#[derive(Clone, Copy)]
pub struct Subject<'a> {
    login: &'a str,
    membership: Option<&'a Membership>,
}

impl<'a> Subject<'a> {
    pub fn of(db: &'a Db, login: &'a str) -> Subject<'a> {
        Subject {
            login,
            membership: db.directory.membership(login).map(|m| &**m),
        }
    }
}

/// The entry's entity: its type, its code and the entry's `includeSubs`.
pub fn entity_of(entry: &Value) -> (&str, &str, bool) {
    let entity = entry.get("entity");
    let text = |key: &str| {
        entity
            .and_then(|e| e.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let subs = entry.get("includeSubs").and_then(Value::as_bool) == Some(true);
    (text("type"), text("code"), subs)
}

/// Whether `entry` (an app, record or field permission entry) names `who` (the app's creator
/// is `creator`).
fn names(entry: &Value, who: Subject, creator: &str) -> bool {
    match entity_of(entry) {
        ("CREATOR", _, _) => creator == who.login,
        (kind, code, subs) => directory::names(who.login, who.membership, kind, code, subs),
    }
}

/// Whether `entry` names `who` for one record: as [`names`] does, with `CREATOR` the record's
/// creator (only process entries hold one; record permissions refuse it), and a `FIELD_ENTITY`
/// when the record's field of that code (a user, department or group selection, `Created_by`,
/// `Updated_by` or the assignees) holds the user, a group or a department they belong to (with
/// the entry's `includeSubs`).
pub fn names_for_record(entry: &Value, who: Subject, app: &App, record: &StoredRecord) -> bool {
    let (kind, code, subs) = entity_of(entry);
    if kind != "FIELD_ENTITY" {
        let creator = app
            .slot("Created_by")
            .and_then(|slot| match &record.cells[slot] {
                Cell::Entity(e) => Some(&*e.code),
                _ => None,
            })
            .unwrap_or_default();
        return names(entry, who, creator);
    }
    let Some(slot) = app.slot(code) else {
        return false;
    };
    let held = match app.layout[slot].field_type {
        FieldType::OrganizationSelect => "ORGANIZATION",
        FieldType::GroupSelect => "GROUP",
        _ => "USER",
    };
    let holds = |e: &Entity| directory::names(who.login, who.membership, held, &e.code, subs);
    match &record.cells[slot] {
        Cell::Entity(e) => holds(e),
        Cell::Entities(es) => es.iter().any(|e| holds(e)),
        _ => false,
    }
}

/// The first entry that `names` accepts, `everyone` last (kintone ranks it last wherever it is
/// placed).
fn first_named<'v>(
    entries: impl Iterator<Item = &'v Value> + Clone,
    names: impl Fn(&Value) -> bool,
) -> Option<&'v Value> {
    let is_everyone = |e: &Value| matches!(entity_of(e), ("GROUP", EVERYONE, _));
    let named = |e: &&'v Value, everyone: bool| is_everyone(e) == everyone && names(e);
    entries
        .clone()
        .find(|e| named(e, false))
        .or_else(|| entries.clone().find(|e| named(e, true)))
}

fn creator_of(db: &Db, app: u64) -> String {
    db.settings
        .get(&app)
        .and_then(|s| s.creator.get("code"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Whether the live app permissions let `login` do `need`, or manage the app (`None`).
pub fn app_allows(db: &Db, app: u64, login: &str, need: Option<Need>) -> bool {
    let Some(live) = db.settings.get(&app).and_then(|s| s.live.as_ref()) else {
        return true;
    };
    let creator = creator_of(db, app);
    let flag = match need {
        None | Some(Need::ManageApp) => "appEditable",
        Some(Need::View) => "recordViewable",
        Some(Need::Add) => "recordAddable",
        Some(Need::Edit) => "recordEditable",
        Some(Need::Delete) => "recordDeletable",
    };
    let who = Subject::of(db, login);
    first_named(live.access.app.iter(), |r| names(r, who, &creator))
        .and_then(|r| r.get(flag))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Whether `principal` may do `need` in `app`: a user (OAuth tokens too, whose scopes are
/// checked per operation) what the app's live permissions grant them; API tokens what their
/// app grants them.
pub fn may(db: &Db, principal: &Principal, app: u64, need: Need) -> bool {
    match principal {
        Principal::User(login) | Principal::OAuth { login, .. } => {
            app_allows(db, app, login, Some(need))
        }
        Principal::Tokens(grants) => grants.iter().any(|(a, p)| *a == app && p.grants(need)),
    }
}

/// Whether any credential of `principal` may do `need` somewhere (files are not tied to an
/// app).
pub fn may_anywhere(principal: &Principal, need: Need) -> bool {
    match principal {
        Principal::User(_) | Principal::OAuth { .. } => true,
        Principal::Tokens(grants) => grants.iter().any(|(_, p)| p.grants(need)),
    }
}

/// kintone's answer to a caller without a permission: `GAIA_NO01` for API tokens, `CB_NO02`
/// for users.
pub fn denied(principal: &Principal) -> KintoneError {
    match principal {
        Principal::User(_) | Principal::OAuth { .. } => KintoneError::no_permission(),
        Principal::Tokens(_) => KintoneError::token_no_permission(),
    }
}

/// What the live field permissions let `login` do with each field that has them: `READ`,
/// `WRITE` or `NONE` (no entry naming the user is `NONE`).
pub fn field_access(db: &Db, app: u64, login: &str) -> HashMap<String, String> {
    let Some(live) = db.settings.get(&app).and_then(|s| s.live.as_ref()) else {
        return HashMap::new();
    };
    let creator = creator_of(db, app);
    let who = Subject::of(db, login);
    live.access
        .fields
        .iter()
        .filter_map(|right| {
            let code = right.get("code")?.as_str()?.to_string();
            let entities = right.get("entities")?.as_array()?;
            let access = first_named(entities.iter(), |e| names(e, who, &creator))
                .and_then(|e| e.get("accessibility"))
                .and_then(Value::as_str)
                .unwrap_or("NONE");
            Some((code, access.to_string()))
        })
        .collect()
}

/// What the caller may do with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordRights {
    pub view: bool,
    pub edit: bool,
    pub delete: bool,
}

/// The live record permissions of an app, ready to give one user's rights on each record.
///
/// kintone's rules, as its Update Record Permissions page documents them: the rules are in
/// priority order, and the first whose `filterCond` the record matches (an empty one matches
/// every record) decides; in it, the first entity naming the user decides, the group
/// `everyone` last, and a user it does not name gets nothing ("if the Everyone group is not
/// specified, it has no permissions"). A record no rule matches keeps what the app permissions
/// grant, and a rule never grants more than they do.
pub struct RecordAcl {
    login: String,
    membership: Option<Arc<Membership>>,
    app: RecordRights,
    rules: Vec<RecordRule>,
}

struct RecordRule {
    /// `None`: every record. A condition the app's fields no longer fit (a field deleted since)
    /// is kept as one that matches no record.
    filter: Option<Option<Plan>>,
    entities: Vec<Value>,
}

impl RecordAcl {
    pub fn rights(&self, app: &App, record: &StoredRecord) -> RecordRights {
        let rule = self.rules.iter().find(|rule| match &rule.filter {
            None => true,
            Some(plan) => plan.as_ref().is_some_and(|p| p.matches(record)),
        });
        let Some(rule) = rule else {
            return self.app;
        };
        let who = Subject {
            login: &self.login,
            membership: self.membership.as_deref(),
        };
        let entry = first_named(rule.entities.iter(), |e| {
            names_for_record(e, who, app, record)
        });
        let on = |flag: &str| entry.and_then(|e| e.get(flag)) == Some(&Value::Bool(true));
        let view = self.app.view && on("viewable");
        RecordRights {
            view,
            edit: view && self.app.edit && on("editable"),
            delete: view && self.app.delete && on("deletable"),
        }
    }
}

/// The record permissions that restrict the user `login` in `app` (conditions read at
/// `now`, in the user's time zone), or `None` when none do: apps without record permission
/// rules, which cost nothing per record.
pub fn record_acl(db: &Db, app: u64, login: &str, now: OffsetDateTime) -> Option<RecordAcl> {
    let live = db.settings.get(&app)?.live.as_ref()?;
    if live.access.records.is_empty() {
        return None;
    }
    let stored = db.apps.get(&app)?;
    let resolve = |code: &str| {
        stored
            .field_ref(code)
            .map(|r| (stored.field_at(r).field_type, r))
    };
    let evaluator = Evaluator::new(&resolve, login, now);
    let rules = live
        .access
        .records
        .iter()
        .map(|rule| {
            let text = rule
                .get("filterCond")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let filter = (!text.trim().is_empty()).then(|| {
                super::query::parse(text)
                    .and_then(|q| evaluator.compile(&q))
                    .ok()
            });
            RecordRule {
                filter,
                entities: rule
                    .get("entities")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            }
        })
        .collect();
    Some(RecordAcl {
        login: login.to_string(),
        membership: db.directory.membership(login).cloned(),
        app: RecordRights {
            view: app_allows(db, app, login, Some(Need::View)),
            edit: app_allows(db, app, login, Some(Need::Edit)),
            delete: app_allows(db, app, login, Some(Need::Delete)),
        },
        rules,
    })
}

/// The users that a status's assignee `entries` name for `record`, in the entries' order, each
/// once: a user entry that user, `CREATOR` the record's creator, a `FIELD_ENTITY` on a user
/// field (or `Created_by`, `Updated_by`, the assignees) the users it holds; group and
/// department entries, and field entities on department or group selections, name the seeded
/// users the entity rule of permissions names (members, `includeSubs` reaching below).
pub fn named_users(db: &Db, app: &App, record: &StoredRecord, entries: &[Value]) -> Vec<String> {
    let held = |slot: usize| -> Vec<String> {
        match &record.cells[slot] {
            Cell::Entity(e) => vec![e.code.to_string()],
            Cell::Entities(es) => es.iter().map(|e| e.code.to_string()).collect(),
            _ => Vec::new(),
        }
    };
    let mut seeded: Vec<&str> = db.users.keys().map(String::as_str).collect();
    seeded.sort_unstable();
    let mut logins: Vec<String> = Vec::new();
    for entry in entries {
        let (kind, code, _) = entity_of(entry);
        let user_field = app.slot(code).filter(|slot| {
            !matches!(
                app.layout[*slot].field_type,
                FieldType::OrganizationSelect | FieldType::GroupSelect
            )
        });
        let named = match (kind, user_field) {
            ("USER", _) => vec![code.to_string()],
            ("CREATOR", _) => app.slot("Created_by").map(held).unwrap_or_default(),
            ("FIELD_ENTITY", Some(slot)) => held(slot),
            _ => seeded
                .iter()
                .filter(|login| names_for_record(entry, Subject::of(db, login), app, record))
                .map(|login| login.to_string())
                .collect(),
        };
        for login in named {
            if !logins.contains(&login) {
                logins.push(login);
            }
        }
    }
    logins
}

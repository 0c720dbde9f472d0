//! App, record and field permissions: read and written live or pre-live, kept with the rest of
//! each copy of an app's settings (so a deploy makes the pre-live ones live), and enforced for
//! users (password and OAuth) at the app, record and field level; API tokens have only their
//! own permissions.
//!
//! Entries name users through the seeded memberships (see `crate::directory`): a group entry its
//! members (`everyone` every user), a department entry its members, and with `includeSubs` the
//! members of the departments below it. A `FIELD_ENTITY` entry of a record permission names the
//! users the record's field holds, or the members of the departments or groups it holds; in
//! field permissions, which the emulator decides per app rather than per record, it names no
//! one. A live write checks the expected
//! revision against the pre-live settings (kintone keeps one settings revision per app), changes
//! both copies, so that a later deploy keeps it, and gives both the raised revision.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::apps::{changed, readable_by_managers, writable};
use super::{flag_param, id_param, Ctx, Need, Principal};
use crate::directory::{self, Membership, EVERYONE};
use crate::error::{KintoneError, Result};
use crate::query::{Evaluator, Plan};
use crate::store::{App, Cell, Db, Entity, FieldType, StoredRecord};

const ENTITY_TYPES: &[&str] = &["USER", "GROUP", "ORGANIZATION", "CREATOR", "FIELD_ENTITY"];
const APP_FLAGS: &[&str] = &[
    "appEditable",
    "recordViewable",
    "recordAddable",
    "recordEditable",
    "recordDeletable",
    "recordImportable",
    "recordExportable",
];
const RECORD_FLAGS: &[&str] = &["viewable", "editable", "deletable"];

/// One copy's permissions, as the Get operations answer them.
#[derive(Debug, Clone)]
pub struct Access {
    pub app: Vec<Value>,
    pub records: Vec<Value>,
    pub fields: Vec<Value>,
}

impl Access {
    /// A seeded app's: as a new app's, with each of `managers` first, granted every right
    /// (app management included) by an entry naming the user.
    pub fn managed_by(managers: &[String]) -> Access {
        let mut access = Access::default();
        let entries = managers.iter().map(|login| {
            let mut right =
                json!({"entity": {"type": "USER", "code": login}, "includeSubs": false});
            for flag in APP_FLAGS {
                right[*flag] = json!(true);
            }
            right
        });
        access.app.splice(0..0, entries);
        access
    }
}

impl Default for Access {
    /// A new app's: its creator manages it, and everyone may do everything with its records.
    fn default() -> Access {
        let all = |entity: Value, manage: bool| {
            let mut right = json!({"entity": entity, "includeSubs": false});
            for flag in APP_FLAGS {
                right[*flag] = json!(*flag != "appEditable" || manage);
            }
            right
        };
        Access {
            app: vec![
                all(json!({"type": "CREATOR", "code": null}), true),
                all(json!({"type": "GROUP", "code": EVERYONE}), false),
            ],
            records: Vec::new(),
            fields: Vec::new(),
        }
    }
}

#[derive(Clone, Copy)]
enum Part {
    App,
    Records,
    Fields,
}

fn part(access: &mut Access, part: Part) -> &mut Vec<Value> {
    match part {
        Part::App => &mut access.app,
        Part::Records => &mut access.records,
        Part::Fields => &mut access.fields,
    }
}

/// The login of a caller who is a user; `None` for API tokens.
pub(super) fn user<'c>(ctx: &'c Ctx) -> Option<&'c str> {
    match &ctx.principal {
        Principal::User(login) | Principal::OAuth { login, .. } => Some(login),
        Principal::Tokens(_) => None,
    }
}

/// One user as permission entries see them: their login and memberships.
#[derive(Clone, Copy)]
pub(super) struct Subject<'a> {
    login: &'a str,
    membership: Option<&'a Membership>,
}

impl<'a> Subject<'a> {
    pub(super) fn of(db: &'a Db, login: &'a str) -> Subject<'a> {
        Subject {
            login,
            membership: db.directory.membership(login).map(|m| &**m),
        }
    }
}

/// The entry's entity: its type, its code and the entry's `includeSubs`.
pub(super) fn entity_of(entry: &Value) -> (&str, &str, bool) {
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
pub(super) fn names_for_record(
    entry: &Value,
    who: Subject,
    app: &App,
    record: &StoredRecord,
) -> bool {
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

/// What the live field permissions let `login` do with each field that has them: `READ`,
/// `WRITE` or `NONE` (no entry naming the user is `NONE`).
pub(super) fn field_access(db: &Db, app: u64, login: &str) -> HashMap<String, String> {
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

/// The fields the caller may not view in `app`: records are answered without them.
pub fn hidden_fields(ctx: &Ctx, app: u64) -> Vec<String> {
    let Some(login) = user(ctx) else {
        return Vec::new();
    };
    field_access(ctx.db, app, login)
        .into_iter()
        .filter(|(_, a)| a == "NONE")
        .map(|(code, _)| code)
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

/// The record permissions that restrict the caller in `app`, or `None` when none do: API
/// tokens (kintone applies only the token's own permissions to them), and apps without
/// record permission rules, which cost nothing per record.
pub fn record_acl(ctx: &Ctx, app: u64) -> Option<RecordAcl> {
    let login = user(ctx)?;
    let live = ctx.db.settings.get(&app)?.live.as_ref()?;
    if live.access.records.is_empty() {
        return None;
    }
    let stored = ctx.db.apps.get(&app)?;
    let resolve = |code: &str| {
        stored
            .field_ref(code)
            .map(|r| (stored.field_at(r).field_type, r))
    };
    let evaluator = Evaluator::new(&resolve, login, ctx.now_local());
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
                crate::query::parse(text)
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
        membership: ctx.db.directory.membership(login).cloned(),
        app: RecordRights {
            view: app_allows(ctx.db, app, login, Some(Need::View)),
            edit: app_allows(ctx.db, app, login, Some(Need::Edit)),
            delete: app_allows(ctx.db, app, login, Some(Need::Delete)),
        },
        rules,
    })
}

/// Refuses, with kintone's no-permission error, a record the caller may not `need` (view,
/// edit or delete) under the app's record permissions.
pub fn require_record(ctx: &Ctx, app: u64, id: u64, need: Need) -> Result<()> {
    let Some(acl) = record_acl(ctx, app) else {
        return Ok(());
    };
    let stored = &ctx.db.apps[&app];
    let Some(record) = stored.records().get(&id) else {
        return Ok(());
    };
    let rights = acl.rights(stored, record);
    let allowed = match need {
        Need::View => rights.view,
        Need::Edit => rights.edit,
        Need::Delete => rights.delete,
        // Record permissions say nothing of adding records or of the app's settings.
        Need::Add | Need::ManageApp => true,
    };
    if allowed {
        Ok(())
    } else {
        Err(ctx.denied())
    }
}

/// Refuses a record write that gives a value to a field the caller may not edit.
pub fn check_writable(ctx: &Ctx, app: u64, record: Option<&Value>) -> Result<()> {
    let (Some(login), Some(record)) = (user(ctx), record.and_then(Value::as_object)) else {
        return Ok(());
    };
    let access = field_access(ctx.db, app, login);
    if record
        .keys()
        .any(|code| access.get(code).is_some_and(|a| a != "WRITE"))
    {
        return Err(ctx.denied());
    }
    Ok(())
}

fn get(ctx: &mut Ctx, params: &Value, preview: bool, which: Part) -> Result<Value> {
    let app = id_param(params, "app")?;
    let copy = readable_by_managers(ctx, app, preview)?;
    let mut access = copy.access.clone();
    Ok(json!({
        "rights": part(&mut access, which),
        "revision": copy.revision.to_string(),
    }))
}

pub fn get_app(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    get(ctx, params, preview, Part::App)
}

pub fn get_records(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    get(ctx, params, preview, Part::Records)
}

pub fn get_fields(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    get(ctx, params, preview, Part::Fields)
}

/// An entity as kintone keeps it; `CREATOR` is allowed in app permissions only, `FIELD_ENTITY`
/// everywhere else.
fn entity(v: Option<&Value>, at: &str, app_rights: bool) -> Result<Value> {
    let t = v
        .and_then(|e| e.get("type"))
        .and_then(Value::as_str)
        .filter(|t| ENTITY_TYPES.contains(t))
        .filter(|t| {
            if app_rights {
                *t != "FIELD_ENTITY"
            } else {
                *t != "CREATOR"
            }
        })
        .ok_or_else(|| KintoneError::invalid(format!("{at}.type"), "Enter a valid entity type."))?;
    if t == "CREATOR" {
        return Ok(json!({"type": t, "code": null}));
    }
    let code = v
        .and_then(|e| e.get("code"))
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| KintoneError::invalid(format!("{at}.code"), "Required field."))?;
    Ok(json!({"type": t, "code": code}))
}

fn rights_param(params: &Value) -> Result<&Vec<Value>> {
    params
        .get("rights")
        .and_then(Value::as_array)
        .ok_or_else(|| KintoneError::invalid("rights", "Required field."))
}

fn app_rights(params: &Value) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for (i, r) in rights_param(params)?.iter().enumerate() {
        let at = format!("rights[{i}]");
        let mut right = Map::new();
        right.insert(
            "entity".into(),
            entity(r.get("entity"), &format!("{at}.entity"), true)?,
        );
        right.insert(
            "includeSubs".into(),
            json!(flag_param(
                r.get("includeSubs"),
                &format!("{at}.includeSubs")
            )?),
        );
        for f in APP_FLAGS {
            right.insert(
                (*f).into(),
                json!(flag_param(r.get(*f), &format!("{at}.{f}"))?),
            );
        }
        let on = |f: &str| right[f] == json!(true);
        if (on("recordEditable") || on("recordDeletable")) && !on("recordViewable") {
            return Err(KintoneError::invalid(
                format!("{at}.recordViewable"),
                "Editing or deleting records needs viewing them.",
            ));
        }
        if on("recordImportable") && !on("recordAddable") {
            return Err(KintoneError::invalid(
                format!("{at}.recordAddable"),
                "Importing records needs adding them.",
            ));
        }
        out.push(Value::Object(right));
    }
    Ok(out)
}

fn record_rights(params: &Value) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for (i, r) in rights_param(params)?.iter().enumerate() {
        let at = format!("rights[{i}]");
        let filter = match r.get("filterCond") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                return Err(KintoneError::invalid(
                    format!("{at}.filterCond"),
                    "Enter a query.",
                ))
            }
        };
        if !filter.trim().is_empty() {
            crate::query::parse(&filter)
                .map_err(|e| KintoneError::invalid(format!("{at}.filterCond"), e.message_en))?;
        }
        let entities = r
            .get("entities")
            .and_then(Value::as_array)
            .ok_or_else(|| KintoneError::invalid(format!("{at}.entities"), "Required field."))?;
        let mut kept = Vec::new();
        for (j, e) in entities.iter().enumerate() {
            let at = format!("{at}.entities[{j}]");
            let mut one =
                json!({"entity": entity(e.get("entity"), &format!("{at}.entity"), false)?});
            for f in RECORD_FLAGS.iter().chain(&["includeSubs"]) {
                one[*f] = json!(flag_param(e.get(*f), &format!("{at}.{f}"))?);
            }
            let on = |f: &str| one[f] == json!(true);
            if (on("editable") || on("deletable")) && !on("viewable") {
                return Err(KintoneError::invalid(
                    format!("{at}.viewable"),
                    "Editing or deleting records needs viewing them.",
                ));
            }
            kept.push(one);
        }
        out.push(json!({"filterCond": filter, "entities": kept}));
    }
    Ok(out)
}

fn field_rights(params: &Value, properties: &Map<String, Value>) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for (i, r) in rights_param(params)?.iter().enumerate() {
        let at = format!("rights[{i}]");
        let code = r
            .get("code")
            .and_then(Value::as_str)
            .filter(|c| properties.contains_key(*c))
            .ok_or_else(|| {
                KintoneError::invalid(format!("{at}.code"), "No field has this code.")
            })?;
        let entities = r
            .get("entities")
            .and_then(Value::as_array)
            .ok_or_else(|| KintoneError::invalid(format!("{at}.entities"), "Required field."))?;
        let mut kept = Vec::new();
        for (j, e) in entities.iter().enumerate() {
            let at = format!("{at}.entities[{j}]");
            let accessibility = e
                .get("accessibility")
                .and_then(Value::as_str)
                .filter(|a| matches!(*a, "READ" | "WRITE" | "NONE"))
                .ok_or_else(|| {
                    KintoneError::invalid(
                        format!("{at}.accessibility"),
                        "Enter READ, WRITE or NONE.",
                    )
                })?;
            kept.push(json!({
                "accessibility": accessibility,
                "entity": entity(e.get("entity"), &format!("{at}.entity"), false)?,
                "includeSubs": flag_param(e.get("includeSubs"), &format!("{at}.includeSubs"))?,
            }));
        }
        out.push(json!({"code": code, "entities": kept}));
    }
    Ok(out)
}

/// Replaces one part of the permissions, pre-live, or live and pre-live.
fn put(ctx: &mut Ctx, params: &Value, preview: bool, which: Part) -> Result<Value> {
    let app = id_param(params, "app")?;
    let copy = readable_by_managers(ctx, app, preview)?;
    let rights = match which {
        Part::App => app_rights(params)?,
        Part::Records => record_rights(params)?,
        Part::Fields => field_rights(params, &copy.properties)?,
    };
    *part(&mut writable(ctx, params, app)?.access, which) = rights.clone();
    let answer = changed(ctx, app);
    if !preview {
        let s = ctx.db.settings.get_mut(&app).expect("read above");
        let revision = s.preview.revision;
        let live = s.live.as_mut().expect("read above");
        *part(&mut live.access, which) = rights;
        live.revision = revision;
    }
    Ok(answer)
}

pub fn update_app(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    put(ctx, params, preview, Part::App)
}

pub fn update_records(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    put(ctx, params, preview, Part::Records)
}

pub fn update_fields(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    put(ctx, params, preview, Part::Fields)
}

//! App, record and field permissions: read and written live or pre-live, kept with the rest of
//! each copy of an app's settings (so a deploy makes the pre-live ones live), and enforced for
//! users (password and OAuth) at the app, record and field level; API tokens have only their
//! own permissions.
//!
//! Entries name users through the seeded memberships (see `crate::domain::directory`): a group entry its
//! members (`everyone` every user), a department entry its members, and with `includeSubs` the
//! members of the departments below it. A `FIELD_ENTITY` entry of a record permission names the
//! users the record's field holds, or the members of the departments or groups it holds; in
//! field permissions, which the emulator decides per app rather than per record, it names no
//! one. A live write checks the expected
//! revision against the pre-live settings (kintone keeps one settings revision per app), changes
//! both copies, so that a later deploy keeps it, and gives both the raised revision.

use serde_json::{json, Map, Value};

use super::context::{flag_param, id_param, Ctx};
use super::settings_access::{changed, readable_by_managers, writable};
use crate::domain::access::Principal;
use crate::domain::access::{Access, APP_FLAGS};
use crate::domain::error::{KintoneError, Result};
use crate::domain::rights::{self, field_access, RecordAcl};
use crate::domain::seed::Need;

const ENTITY_TYPES: &[&str] = &["USER", "GROUP", "ORGANIZATION", "CREATOR", "FIELD_ENTITY"];
const RECORD_FLAGS: &[&str] = &["viewable", "editable", "deletable"];

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

/// The record permissions that restrict the caller in `app`, or `None` when none do: API
/// tokens (kintone applies only the token's own permissions to them), and apps without
/// record permission rules, which cost nothing per record.
pub fn record_acl(ctx: &Ctx, app: u64) -> Option<RecordAcl> {
    rights::record_acl(ctx.db, app, user(ctx)?, ctx.now_local())
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
            crate::domain::query::parse(&filter)
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

//! Apps themselves: Get App, Get Apps, Add App (pre-live only), Move App, Deploy Settings and
//! Get Deploy Status.

use serde_json::{json, Value};

use super::context::{id_param, revision_param, str_param, Ctx};
use super::settings_access::{
    readable, require_revision, require_settings, require_user, SettingsAccess,
};
use crate::domain::access::Principal;
use crate::domain::app_settings::{AppSettings, DeployState, Settings};
use crate::domain::error::{KintoneError, Result};
use crate::domain::ids::as_id;
use crate::domain::seed::FieldType;
use crate::domain::seed::Need;
use crate::domain::store::{App, Cell};

fn info(id: u64, s: &AppSettings, live: &Settings) -> Value {
    json!({
        "appId": id.to_string(),
        "code": s.code,
        "name": live.name,
        "description": live.description,
        "spaceId": s.space.map(|v| v.to_string()),
        "threadId": s.thread.map(|v| v.to_string()),
        "createdAt": s.created_at,
        "creator": s.creator,
        "modifiedAt": s.modified_at,
        "modifier": s.modifier,
    })
}

pub fn get_app(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let id = id_param(params, "id")?;
    let live = readable(ctx, id, false)?;
    Ok(info(id, &ctx.db.settings[&id], live))
}

/// The ids of an array parameter, each checked.
fn ids(params: &Value, key: &str) -> Result<Option<Vec<u64>>> {
    let Some(items) = params.get(key).and_then(Value::as_array) else {
        return Ok(None);
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            as_id(v).ok_or_else(|| {
                KintoneError::invalid(format!("{key}[{i}]"), "Enter an integer value.")
            })
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

fn number(params: &Value, key: &str, default: u64, max: Option<u64>) -> Result<u64> {
    let Some(v) = params.get(key).filter(|v| !v.is_null()) else {
        return Ok(default);
    };
    let n = as_id(v).or_else(|| (v.as_str() == Some("0") || v.as_u64() == Some(0)).then_some(0));
    match (n, max) {
        (Some(n), Some(max)) if n > max => Err(KintoneError::invalid(
            key,
            format!("Enter a value of {max} or less."),
        )),
        (Some(n), _) => Ok(n),
        (None, _) => Err(KintoneError::invalid(key, "Enter an integer value.")),
    }
}

pub fn get_apps(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let max = crate::domain::spec::limits().apps_per_page as u64;
    let limit = number(params, "limit", max, Some(max))?;
    if limit == 0 {
        return Err(KintoneError::invalid(
            "limit",
            "Enter a value of 1 or more.",
        ));
    }
    let offset = number(params, "offset", 0, None)?;
    let wanted_ids = ids(params, "ids")?;
    let wanted_spaces = ids(params, "spaceIds")?;
    let codes: Option<Vec<&str>> = params
        .get("codes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect());
    let name = str_param(params, "name").map(str::to_lowercase);
    let apps: Vec<Value> = ctx
        .db
        .settings
        .iter()
        .filter_map(|(id, s)| s.live.as_ref().map(|live| (*id, s, live)))
        .filter(|(id, _, _)| ctx.may(*id, Need::View))
        .filter(|(id, _, _)| wanted_ids.as_ref().is_none_or(|w| w.contains(id)))
        .filter(|(_, s, _)| codes.as_ref().is_none_or(|c| c.contains(&s.code.as_str())))
        .filter(|(_, s, _)| {
            wanted_spaces
                .as_ref()
                .is_none_or(|w| s.space.is_some_and(|space| w.contains(&space)))
        })
        .filter(|(_, _, live)| {
            name.as_ref()
                .is_none_or(|n| live.name.to_lowercase().contains(n.as_str()))
        })
        .skip(offset as usize)
        .take(limit as usize)
        .map(|(id, s, live)| info(id, s, live))
        .collect();
    Ok(json!({ "apps": apps }))
}

/// The space an app is in, with its name.
fn space_of(ctx: &Ctx, s: &AppSettings) -> Option<Value> {
    let space = s.space?;
    let spaces = &ctx.db.spaces.spaces;
    let name = spaces.get(&space).map(|sp| sp.name.as_str()).unwrap_or("");
    Some(json!({"id": space.to_string(), "name": name}))
}

/// The fields of a form as Get Form Fields lists them, the fields inside tables included.
fn field_count(settings: &Settings) -> usize {
    settings
        .properties
        .values()
        .map(|p| {
            1 + p
                .get("fields")
                .and_then(Value::as_object)
                .map_or(0, |f| f.len())
        })
        .sum()
}

/// Whether an app runs code of its own: scripts or style sheets, or plug-ins.
fn customized(ctx: &Ctx, id: u64, settings: &Settings) -> bool {
    let scripts = settings.groups.get("customize").is_some_and(|c| {
        ["desktop", "mobile"].iter().any(|device| {
            ["js", "css"].iter().any(|kind| {
                c[device][kind]
                    .as_array()
                    .is_some_and(|list| !list.is_empty())
            })
        })
    });
    let plugins = match settings.groups.get("plugins") {
        Some(list) => list.as_array().is_some_and(|l| !l.is_empty()),
        None => ctx
            .db
            .plugins
            .used_by
            .values()
            .any(|apps| apps.contains(&id)),
    };
    scripts || plugins
}

/// The bytes of the files an app's records hold, in subtables too, and when a record was last
/// written (`None` for an app without records).
fn record_usage(app: &App) -> (u64, Option<String>) {
    fn bytes(cell: &Cell) -> u64 {
        match cell {
            Cell::Files(files) => files.iter().map(|f| f.size).sum(),
            Cell::Rows(rows) => rows.iter().flat_map(|r| r.cells.iter()).map(bytes).sum(),
            _ => 0,
        }
    }
    let updated = app
        .layout
        .iter()
        .position(|f| f.field_type == FieldType::UpdatedTime);
    let mut total = 0;
    let mut last: Option<&str> = None;
    for record in app.records().values() {
        total += record.cells.iter().map(bytes).sum::<u64>();
        if let Some(slot) = updated {
            let at = record.cells[slot].text();
            if last.is_none_or(|l| at > l) {
                last = Some(at);
            }
        }
    }
    (total, last.map(str::to_string))
}

/// Get App Statistics: every app of the domain, kintone administrators only. The emulator does
/// not model app groups, so `appGroup` is left out; the daily request count is the number of
/// requests that named the app (`app`) on the domain's current day.
pub fn statistics(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let administrator = match &ctx.principal {
        Principal::User(login) | Principal::OAuth { login, .. } => {
            login == crate::domain::directory::ADMINISTRATOR
        }
        Principal::Tokens(_) => false,
    };
    if !administrator {
        return Err(ctx.denied());
    }
    let max = crate::domain::spec::limits().apps_per_page as u64;
    let limit = number(params, "limit", max, Some(max))?;
    if limit == 0 {
        return Err(KintoneError::invalid(
            "limit",
            "Enter a value of 1 or more.",
        ));
    }
    let offset = number(params, "offset", 0, Some(i32::MAX as u64))?;
    let today = ctx.domain_today();
    let apps: Vec<Value> = ctx
        .db
        .settings
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|(&id, s)| {
            let form = s.live.as_ref().unwrap_or(&s.preview);
            let status = match &s.live {
                None => "NOT_ACTIVATED",
                Some(live) if live.revision < s.preview.revision => "CHANGED",
                Some(_) => "ACTIVATED",
            };
            let (records, (storage, written)) = match ctx.db.apps.get(&id) {
                Some(app) => (app.records().len(), record_usage(app)),
                None => (0, (0, None)),
            };
            json!({
                "id": id.to_string(),
                "name": form.name,
                "space": space_of(ctx, s),
                "status": status,
                "recordCount": records.to_string(),
                "fieldCount": field_count(form).to_string(),
                "dailyRequestCount": ctx.db.requests_on(id, today).to_string(),
                "apiTokenCount": ctx.db.tokens.values().filter(|(app, _)| *app == id).count().to_string(),
                // Webhooks are not modelled: no app has one.
                "webhookCount": "0",
                "storageUsage": storage.to_string(),
                "customized": customized(ctx, id, form),
                "createdAt": s.created_at,
                "creator": s.creator,
                "modifiedAt": s.modified_at,
                "modifier": s.modifier,
                "recordUpdatedAt": written.unwrap_or_else(|| s.created_at.clone()),
            })
        })
        .collect();
    Ok(json!({ "apps": apps }))
}

/// The default thread of a space the emulator holds.
fn default_thread(ctx: &Ctx, space: u64) -> Option<u64> {
    ctx.db.spaces.spaces.get(&space).map(|s| s.default_thread)
}

/// An optional space or thread id of a body.
fn optional_id(params: &Value, key: &str) -> Result<Option<u64>> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => as_id(v)
            .map(Some)
            .ok_or_else(|| KintoneError::invalid(key, "Enter an integer value.")),
    }
}

pub fn add_app(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    require_user(ctx)?;
    let name = str_param(params, "name")
        .unwrap_or_default()
        .trim()
        .to_string();
    let max = crate::domain::spec::limits().app_name_length;
    if name.is_empty() {
        return Err(KintoneError::invalid("name", "Required field."));
    }
    if name.chars().count() > max {
        return Err(KintoneError::invalid(
            "name",
            format!("Enter {max} characters or less."),
        ));
    }
    let space = optional_id(params, "space")?;
    let thread = optional_id(params, "thread")?;
    if thread.is_some() && space.is_none() {
        return Err(KintoneError::invalid("space", "Required field."));
    }
    let id = ctx
        .db
        .settings
        .keys()
        .chain(ctx.db.apps.keys())
        .max()
        .copied()
        .unwrap_or(0)
        + 1;
    let thread = thread.or_else(|| space.and_then(|id| default_thread(ctx, id)));
    let now = super::context::now(ctx);
    let mut settings = AppSettings::created(name, ctx.entity(), &now);
    settings.space = space;
    settings.thread = thread;
    let revision = settings.preview.revision;
    ctx.db.settings.insert(id, settings);
    Ok(json!({"app": id.to_string(), "revision": revision.to_string()}))
}

pub fn move_app(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    if !matches!(ctx.principal, Principal::User(_)) {
        return Err(ctx.denied());
    }
    let app = id_param(params, "app")?;
    let space = optional_id(params, "space")?;
    if space.is_some_and(|id| ctx.db.spaces.spaces.get(&id).is_some_and(|s| s.is_guest)) {
        return Err(KintoneError::invalid(
            "space",
            "An app cannot be moved into a guest space.",
        ));
    }
    // The app lands in the space's default thread, so that Get App, Get Apps and Get Space
    // name the same one. A space the emulator does not hold is taken too; its thread is not
    // known.
    let thread = space.and_then(|id| default_thread(ctx, id));
    let settings = ctx
        .db
        .settings
        .get_mut(&app)
        .ok_or_else(|| KintoneError::app_not_found(app))?;
    settings.space = space;
    settings.thread = thread;
    Ok(json!({}))
}

pub fn get_deploy_status(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let apps = ids(params, "apps")?.unwrap_or_default();
    if apps.is_empty() {
        return Err(KintoneError::invalid("apps", "Required field."));
    }
    let max = crate::domain::spec::limits().apps_per_deploy;
    if apps.len() > max {
        return Err(KintoneError::invalid(
            "apps",
            format!("Specify {max} apps or fewer."),
        ));
    }
    for app in &apps {
        readable(ctx, *app, true)?;
    }
    let mut out = Vec::new();
    for app in apps {
        let s = ctx.db.settings.get_mut(&app).expect("checked above");
        let status = match s.deploy {
            DeployState::Running {
                reads_left: 0,
                outcome,
            } => {
                s.deploy = DeployState::Ended(outcome);
                outcome
            }
            DeployState::Running {
                reads_left,
                outcome,
            } => {
                s.deploy = DeployState::Running {
                    reads_left: reads_left - 1,
                    outcome,
                };
                "PROCESSING"
            }
            DeployState::Ended(outcome) => outcome,
        };
        out.push(json!({"app": app.to_string(), "status": status}));
    }
    Ok(json!({ "apps": out }))
}

/// Why an app's pre-live form cannot go live over its records, if it cannot: a field that now
/// prohibits duplicate values holds duplicates.
fn deploy_failure(ctx: &Ctx, id: u64, seed: &crate::domain::seed::AppSeed) -> bool {
    let Some(app) = ctx.db.apps.get(&id) else {
        return false;
    };
    for field in seed.fields.iter().filter(|f| f.unique) {
        let Some(slot) = app.slot(&field.code) else {
            continue;
        };
        if app
            .field_at(crate::domain::store::FieldRef::Top(slot))
            .field_type
            != field.field_type
        {
            continue;
        }
        let mut seen = std::collections::HashSet::new();
        for record in app.records().values() {
            let cell = &record.cells[slot];
            if !cell.is_empty() && !seen.insert(cell.text().to_string()) {
                return true;
            }
        }
    }
    false
}

pub fn deploy(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let items = params
        .get("apps")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| KintoneError::invalid("apps", "Required field."))?;
    let max = crate::domain::spec::limits().apps_per_deploy;
    if items.len() > max {
        return Err(KintoneError::invalid(
            "apps",
            format!("Specify {max} apps or fewer."),
        ));
    }
    let revert = params
        .get("revert")
        .is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"));
    let mut apps = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let app = id_param(item, "app").map_err(|_| {
            KintoneError::invalid(format!("apps[{i}].app"), "Enter an integer value.")
        })?;
        let settings = ctx
            .db
            .settings
            .get(&app)
            .ok_or_else(|| KintoneError::app_not_found(app))?;
        require_settings(ctx, app, SettingsAccess::Manage)?;
        require_revision(settings, revision_param(item.get("revision"))?)?;
        apps.push(app);
    }
    let reads = ctx.config.deploy_processing_reads;
    let running = |outcome| DeployState::Running {
        reads_left: reads,
        outcome,
    };
    if revert {
        for app in &apps {
            let s = ctx.db.settings.get_mut(app).expect("checked above");
            if let Some(live) = &s.live {
                s.preview = live.clone();
            }
            s.deploy = running("SUCCESS");
        }
        return Ok(json!({}));
    }
    let seeds: Vec<_> = apps
        .iter()
        .map(|id| {
            // The pre-live process management, once written, is what goes live.
            let process = crate::domain::app_settings::process_of(&ctx.db.settings[id].preview)
                .unwrap_or_else(|| ctx.db.apps.get(id).and_then(|a| a.process.clone()));
            ctx.db.settings[id].preview_seed(*id, process)
        })
        .collect();
    if let Some(failed) = apps
        .iter()
        .zip(&seeds)
        .position(|(id, seed)| deploy_failure(ctx, *id, seed))
    {
        // One app failed: none of the request goes live.
        for (i, app) in apps.iter().enumerate() {
            let outcome = if i == failed { "FAIL" } else { "CANCEL" };
            ctx.db.settings.get_mut(app).expect("checked above").deploy = running(outcome);
        }
        return Ok(json!({}));
    }
    let now = super::context::now(ctx);
    let modifier = ctx.entity();
    for (app, seed) in apps.iter().zip(seeds) {
        match ctx.db.apps.get_mut(app) {
            Some(live) => live.relayout(&seed),
            None => {
                ctx.db.apps.insert(*app, App::new(&seed));
            }
        }
        let s = ctx.db.settings.get_mut(app).expect("checked above");
        s.live = Some(s.preview.clone());
        s.modified_at = now.clone();
        s.modifier = modifier.clone();
        s.deploy = running("SUCCESS");
        crate::domain::deploy::went_live(ctx.db, *app);
    }
    Ok(json!({}))
}

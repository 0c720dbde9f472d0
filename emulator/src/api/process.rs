//! Process management on records: run an action (as the live process allows it, see the crate
//! docs), or set the assignees.

use serde_json::{json, Value};

use super::context::{atomically, now};
use super::context::{id_param, revision_param, Ctx};
use super::permissions;
use crate::domain::error::{KintoneError, Result};
use crate::domain::query::Evaluator;
use crate::domain::rights::{named_users, names_for_record, Subject};
use crate::domain::seed::AssigneeKind;
use crate::domain::seed::Need;
use crate::domain::store::Cell;

fn disabled() -> KintoneError {
    KintoneError::new(
        400,
        "GAIA_ST02",
        "Process management is not enabled for this app.",
        "このアプリではプロセス管理が有効になっていません。",
    )
}

/// kintone's answer to an action that cannot be run on the record: one that does not leave
/// its status, or whose condition the record does not match.
fn cannot_run(action: &str, current: &str) -> KintoneError {
    KintoneError::new(
        400,
        "GAIA_IL03",
        format!("Failed to update the status. The action ({action}) cannot be run from the status ({current}); the settings or the status may have been changed."),
        format!("ステータスの変更に失敗しました。アクション（{action}）はステータス（{current}）から実行できません。設定またはステータスが変更された可能性があります。"),
    )
}

fn assignee_required() -> KintoneError {
    KintoneError::new(
        400,
        "GAIA_SA01",
        "Assignee is required.",
        "作業者は必須です。",
    )
}

fn run_action(ctx: &mut Ctx, app_id: u64, item: &Value, prefix: &str) -> Result<(u64, u64)> {
    let id = id_param(item, "id")
        .map_err(|_| KintoneError::invalid(format!("{prefix}id"), "Required field."))?;
    let action = item
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let revision = revision_param(item.get("revision"))?;
    let assignee = item
        .get("assignee")
        .and_then(Value::as_str)
        .map(str::to_string);
    // Like the app-level check of its callers: an action changes the record, so it needs the
    // record's edit right too.
    permissions::require_record(ctx, app_id, id, Need::Edit)?;
    let modifier = ctx.user_entity();
    let now = now(ctx);
    let login = ctx.login();
    let app = ctx
        .db
        .apps
        .get(&app_id)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    let process = app.process.clone().ok_or_else(disabled)?;
    let slot = |code: &str| {
        app.slot(code)
            .expect("apps with a process have these fields")
    };
    let (status_at, assignee_at, by_at, at_at) = (
        slot("Status"),
        slot("Assignee"),
        slot("Updated_by"),
        slot("Updated_datetime"),
    );
    let r = app
        .records()
        .get(&id)
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    if revision.is_some_and(|rev| rev != r.revision) {
        return Err(KintoneError::conflict());
    }
    let current = r.cells[status_at].text().to_string();
    let resolve = |code: &str| app.field_ref(code).map(|f| (app.field_at(f).field_type, f));
    let evaluator = Evaluator::new(&resolve, login.as_str(), ctx.now_local());
    // A condition the app's fields no longer fit (a field deleted since) matches no record.
    let matches = |text: &str| {
        text.trim().is_empty()
            || crate::domain::query::parse(text)
                .and_then(|q| evaluator.compile(&q))
                .is_ok_and(|plan| plan.matches(&**r))
    };
    let step = process
        .actions
        .iter()
        .filter(|a| a.name == action && a.from == current)
        .find(|a| matches(&a.filter_cond))
        .ok_or_else(|| cannot_run(action, &current))?;
    // Users act only as an assignee of the current status (when it has any) and as one of
    // the action's executable users (when it names any). API tokens are no user: they act as
    // the record's edit right lets them.
    if let Some(user) = permissions::user(ctx) {
        let who = Subject::of(ctx.db, user);
        let assigned = match &r.cells[assignee_at] {
            Cell::Entities(es) => &es[..],
            _ => &[],
        };
        let assignee_ok = assigned.is_empty() || assigned.iter().any(|e| &*e.code == user);
        let executable_ok = step.executable_users.is_empty()
            || step
                .executable_users
                .iter()
                .any(|e| names_for_record(e, who, app, r));
        if !(assignee_ok && executable_ok) {
            return Err(ctx.denied());
        }
    }
    let entering = process.assignees.get(&step.to).cloned().unwrap_or_default();
    let logins = match assignee {
        Some(code) => vec![code],
        None => {
            let found = named_users(ctx.db, app, r, &entering.entities);
            // kintone: with a status whose list is "the user picks one", the action needs the
            // `assignee` when the list names anyone.
            if entering.kind == AssigneeKind::One && !found.is_empty() {
                return Err(assignee_required());
            }
            found
        }
    };
    let to = step.to.clone();
    let assignees: Box<[_]> = logins.iter().map(|code| ctx.db.user_entity(code)).collect();
    let r = ctx
        .db
        .record_mut(app_id, id)
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    r.cells[status_at] = Cell::text_of(to.as_str());
    r.cells[assignee_at] = Cell::Entities(assignees);
    r.revision += 2; // kintone counts the action and the status change.
    r.cells[by_at] = Cell::Entity(modifier);
    r.cells[at_at] = Cell::text_of(now);
    Ok((id, r.revision))
}

pub fn update_status(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Edit)?;
    let (_, revision) = run_action(ctx, app_id, params, "")?;
    Ok(json!({"revision": revision.to_string()}))
}

pub fn update_statuses(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Edit)?;
    let items = super::context::many(params, "records")?;
    let done = atomically(ctx, |ctx| {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| run_action(ctx, app_id, item, &format!("records[{i}].")))
            .collect::<Result<Vec<_>>>()
    })?;
    Ok(
        json!({"records": done.iter().map(|(id, rev)| json!({"id": id.to_string(), "revision": rev.to_string()})).collect::<Vec<_>>()}),
    )
}

pub fn update_assignees(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Edit)?;
    let id = id_param(params, "id")?;
    let assignees: Vec<String> = params
        .get("assignees")
        .and_then(Value::as_array)
        .ok_or_else(|| KintoneError::invalid("assignees", "Required field."))?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let max_assignees = crate::domain::spec::limits().assignees;
    if assignees.len() > max_assignees {
        return Err(KintoneError::invalid(
            "assignees",
            format!("Specify up to {max_assignees} users."),
        ));
    }
    let revision = revision_param(params.get("revision"))?;
    permissions::require_record(ctx, app_id, id, Need::Edit)?;
    let app = ctx
        .db
        .apps
        .get(&app_id)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    if app.process.is_none() {
        return Err(disabled());
    }
    let assignee_at = app.slot("Assignee").expect("apps with a process have it");
    let r = app
        .records()
        .get(&id)
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    if revision.is_some_and(|rev| rev != r.revision) {
        return Err(KintoneError::conflict());
    }
    let entities: Box<[_]> = assignees.iter().map(|c| ctx.db.user_entity(c)).collect();
    let r = ctx
        .db
        .record_mut(app_id, id)
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    r.cells[assignee_at] = Cell::Entities(entities);
    r.revision += 1;
    Ok(json!({"revision": r.revision.to_string()}))
}

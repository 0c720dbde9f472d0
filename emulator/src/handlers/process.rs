//! Process management on records: run an action, or set the assignees.

use serde_json::{json, Value};

use super::records::{atomically, now};
use super::{id_param, revision_param, Ctx, Need};
use crate::error::{KintoneError, Result};
use crate::store::Cell;

fn disabled() -> KintoneError {
    KintoneError::new(
        400,
        "GAIA_ST02",
        "Process management is not enabled for this app.",
        "このアプリではプロセス管理が有効になっていません。",
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
    super::permissions::require_record(ctx, app_id, id, Need::Edit)?;
    let modifier = ctx.user_entity();
    let now = now(ctx);
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
    let step = process
        .actions
        .iter()
        .find(|a| a.name == action && a.from == current)
        .ok_or_else(|| {
            KintoneError::new(
                400,
                "GAIA_IL03",
                format!("Failed to update the status. The action ({action}) cannot be run from the status ({current}); the settings or the status may have been changed."),
                format!("ステータスの変更に失敗しました。アクション（{action}）はステータス（{current}）から実行できません。設定またはステータスが変更された可能性があります。"),
            )
        })?;
    let assignees: Box<[_]> = assignee
        .iter()
        .map(|code| ctx.db.user_entity(code))
        .collect();
    let r = ctx
        .db
        .record_mut(app_id, id)
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    r.cells[status_at] = Cell::text_of(step.to.as_str());
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
    let items = params
        .get("records")
        .and_then(Value::as_array)
        .ok_or_else(|| KintoneError::invalid("records", "Required field."))?;
    if items.is_empty() || items.len() > 100 {
        return Err(KintoneError::invalid(
            "records",
            "Specify from 1 to 100 items.",
        ));
    }
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
    let max_assignees = crate::spec::limits().assignees;
    if assignees.len() > max_assignees {
        return Err(KintoneError::invalid(
            "assignees",
            format!("Specify up to {max_assignees} users."),
        ));
    }
    let revision = revision_param(params.get("revision"))?;
    super::permissions::require_record(ctx, app_id, id, Need::Edit)?;
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

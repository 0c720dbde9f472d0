//! Cursors: at most 500 records a read, 10 open per domain, gone after 10 minutes unused or
//! once read to the end.

use serde::Serialize;
use serde_json::{json, Value};

use super::{fields_param, plan, select};
use crate::api::context::{id_param, str_param, Ctx, Output};
use crate::api::render::{Records, Selection};
use crate::domain::error::{KintoneError, Result};
use crate::domain::seed::Need;
use crate::domain::store::Cursor;

fn expire(ctx: &mut Ctx) {
    let ttl = ctx.config.cursor_ttl;
    let now = ctx.config.clock.now();
    ctx.db
        .cursors
        .retain(|_, c| now.saturating_duration_since(c.last_used) < ttl);
}

/// Unknown and expired cursors are one answer: kintone does not tell them apart.
fn not_found(id: &str) -> KintoneError {
    KintoneError::new(
        404,
        "GAIA_CN01",
        format!("The cursor (ID: {id}) does not exist or has expired."),
        format!("指定したカーソル（id: {id}）が存在しないか、有効期限が切れています。"),
    )
}

pub fn create(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::View)?;
    let size = match params.get("size") {
        None | Some(Value::Null) => crate::domain::spec::limits().default_cursor_page_size as u64,
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .unwrap_or(0),
    };
    let max_size = crate::domain::spec::limits().cursor_page_size as u64;
    if size == 0 || size > max_size {
        return Err(KintoneError::invalid(
            "size",
            format!("Specify from 1 to {max_size}."),
        ));
    }
    let query_text = str_param(params, "query").unwrap_or_default();
    let (plan, parsed) = plan(ctx, app_id, query_text)?;
    if parsed.limit.is_some() || parsed.offset.is_some() {
        return Err(KintoneError::invalid(
            "query",
            "A cursor's query cannot have limit or offset.",
        ));
    }
    expire(ctx);
    if ctx.db.cursors.len() >= ctx.config.max_cursors {
        return Err(KintoneError::new(
            429,
            "GAIA_TM12",
            format!(
                "No more than {} cursors can be open at once. Delete cursors you no longer use.",
                ctx.config.max_cursors
            ),
            format!(
                "同時に作成できるカーソルは{}個までです。不要なカーソルを削除してください。",
                ctx.config.max_cursors
            ),
        ));
    }
    let app = &ctx.db.apps[&app_id];
    let (ids, total) = match crate::api::permissions::record_acl(ctx, app_id) {
        None => select(app, &plan, 0, usize::MAX, true, |_| true),
        // The records the caller may view when the cursor is made are the ones it reads.
        Some(acl) => select(app, &plan, 0, usize::MAX, true, |r| acl.rights(app, r).view),
    };
    let id = crate::domain::store::random_key();
    ctx.db.cursors.insert(
        id.clone(),
        Cursor {
            app: app_id,
            ids: ids.into(),
            size: size as usize,
            fields: fields_param(params),
            last_used: ctx.config.clock.now(),
        },
    );
    Ok(json!({"id": id, "totalCount": total.to_string()}))
}

/// The cursor a request names (after dropping expired ones) and its app, which the caller must
/// be allowed to view.
fn open_cursor(ctx: &mut Ctx, params: &Value) -> Result<(String, u64)> {
    let id = str_param(params, "id")
        .ok_or_else(|| KintoneError::invalid("id", "Required field."))?
        .to_string();
    expire(ctx);
    let app_id = ctx.db.cursors.get(&id).ok_or_else(|| not_found(&id))?.app;
    ctx.require(app_id, Need::View)?;
    Ok((id, app_id))
}

pub fn read(ctx: &mut Ctx, params: &Value) -> Result<Output> {
    let (id, app_id) = open_cursor(ctx, params)?;
    let now = ctx.config.clock.now();
    let cursor = ctx.db.cursors.get_mut(&id).ok_or_else(|| not_found(&id))?;
    cursor.last_used = now;
    let take = cursor.size.min(cursor.ids.len());
    let page: Vec<u64> = cursor.ids.drain(..take).collect();
    let fields = cursor.fields.clone();
    let next = !cursor.ids.is_empty();
    if !next {
        ctx.db.cursors.remove(&id);
    }
    let hidden = crate::api::permissions::hidden_fields(ctx, app_id);
    let app = &ctx.db.apps[&app_id];
    let selection = Selection::new(app, fields.as_deref()).without(app, &hidden);
    #[derive(Serialize)]
    struct Body<'a> {
        records: Records<'a>,
        next: bool,
    }
    let body = Body {
        records: Records {
            app,
            records: page
                .iter()
                .filter_map(|rid| app.records().get(rid))
                .map(|r| &**r)
                .collect(),
            selection: &selection,
        },
        next,
    };
    serde_json::to_vec(&body)
        .map(Output::Raw)
        .map_err(|_| KintoneError::bad_json())
}

pub fn delete(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let (id, _) = open_cursor(ctx, params)?;
    ctx.db.cursors.remove(&id);
    Ok(json!({}))
}

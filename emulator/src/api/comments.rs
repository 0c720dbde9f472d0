//! Record comments: at most 10 a read, newest first by default.

use serde_json::{json, Value};

use super::context::now;
use super::context::{id_param, Ctx};
use crate::domain::error::{KintoneError, Result};
use crate::domain::seed::Need;
use crate::domain::store::{Comment, StoredRecord};

pub const MAX_TEXT: usize = 65_535;

fn record<'a>(ctx: &'a mut Ctx, params: &Value, need: Need) -> Result<&'a mut StoredRecord> {
    let app_id = id_param(params, "app")?;
    let id = id_param(params, "record")?;
    ctx.require(app_id, need)?;
    // A record's comments are as hidden as the record.
    super::permissions::require_record(ctx, app_id, id, Need::View)?;
    ctx.db
        .record_mut(app_id, id)
        .ok_or_else(|| KintoneError::record_not_found(id))
}

fn number(params: &Value, key: &str) -> Result<Option<u64>> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .map(Some)
            .ok_or_else(|| KintoneError::invalid(key, "Enter an integer value.")),
    }
}

pub fn list(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let max_limit = crate::domain::spec::limits().comments_per_read as u64;
    let limit = number(params, "limit")?.unwrap_or(max_limit);
    if limit == 0 || limit > max_limit {
        return Err(KintoneError::invalid(
            "limit",
            format!("Specify from 1 to {max_limit}."),
        ));
    }
    let offset = number(params, "offset")?.unwrap_or(0) as usize;
    let ascending = match params.get("order").and_then(Value::as_str) {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(_) => return Err(KintoneError::invalid("order", "Specify asc or desc.")),
    };
    let r = record(ctx, params, Need::View)?;
    let mut all: Vec<&Comment> = r.comments.iter().collect();
    if !ascending {
        all.reverse();
    }
    let page: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(limit as usize)
        .map(|c| json!({"id": c.id.to_string(), "text": c.text, "createdAt": c.created_at, "creator": c.creator, "mentions": c.mentions}))
        .collect();
    let before = offset > 0;
    let after = offset + page.len() < all.len();
    let (older, newer) = if ascending {
        (before, after)
    } else {
        (after, before)
    };
    Ok(json!({"comments": page, "older": older, "newer": newer}))
}

pub fn add(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let creator = ctx.entity();
    let created_at = now(ctx);
    let comment = params
        .get("comment")
        .ok_or_else(|| KintoneError::invalid("comment", "Required field."))?;
    let text = comment
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        return Err(KintoneError::invalid(
            "comment.text",
            format!("Enter from 1 to {MAX_TEXT} characters."),
        ));
    }
    let mentions = comment
        .get("mentions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let r = record(ctx, params, Need::View)?;
    r.next_comment_id += 1;
    let id = r.next_comment_id;
    r.comments.push(Comment {
        id,
        text,
        created_at,
        creator,
        mentions,
    });
    Ok(json!({"id": id.to_string()}))
}

/// Deletes a comment its caller posted: a user only their own comments, an API token only
/// comments posted through API tokens (kintone records those as posted by `Administrator`,
/// so a token may delete exactly the comments whose author is `Administrator`).
pub fn delete(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let comment = id_param(params, "comment")?;
    let caller = ctx.login();
    let r = record(ctx, params, Need::View)?;
    let index = r
        .comments
        .iter()
        .position(|c| c.id == comment)
        .ok_or_else(|| {
            KintoneError::new(
                400,
                "GAIA_RE02",
                format!("The specified comment (ID: {comment}) does not exist."),
                format!("指定したコメント（id: {comment}）が存在しません。"),
            )
        })?;
    let author = r.comments[index]
        .creator
        .get("code")
        .and_then(Value::as_str);
    if author != Some(caller.as_str()) {
        // kintone's status for GAIA_RE03 is not established; 403, as for other refusals of a
        // caller's rights.
        return Err(KintoneError::new(
            403,
            "GAIA_RE03",
            format!("Cannot delete the comment (ID: {comment}). Only the comment's author may delete it."),
            format!("コメント（id: {comment}）を削除できません。コメントを削除できるのは投稿者だけです。"),
        ));
    }
    r.comments.remove(index);
    Ok(json!({}))
}

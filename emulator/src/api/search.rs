//! Search (an API Lab feature of kintone): records and record comments the caller may see,
//! matched by keywords, in pages read with `pageToken`. Spaces, threads, people, messages and
//! attachments are not modelled and never hit; there is no relevance order (hits come by app,
//! record and comment id).

use serde_json::{json, Value};

use super::context::Ctx;
use crate::domain::error::{KintoneError, Result};
use crate::domain::seed::Need;

/// Hits in one answer when `limit` is left out: the emulator's assumption, kintone documents
/// none that the emulator knows.
pub const DEFAULT_SEARCH_LIMIT: usize = 20;

/// The start of the emulator's page tokens, which carry the offset of the next page.
const TOKEN_PREFIX: &str = "emulator-page-";

/// One keyword group of `query`.
struct Group {
    operator: String,
    keywords: Vec<String>,
}

impl Group {
    fn matches(&self, text: &str) -> bool {
        let mut found = self.keywords.iter().map(|k| text.contains(k.as_str()));
        match self.operator.as_str() {
            "AND" => found.all(|f| f),
            "OR" => found.any(|f| f),
            _ => !found.any(|f| f),
        }
    }
}

fn groups(params: &Value) -> Result<Vec<Group>> {
    let items = params
        .get("query")
        .and_then(Value::as_array)
        .filter(|q| !q.is_empty())
        .ok_or_else(|| KintoneError::invalid("query", "Required field."))?;
    items
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let operator = g
                .get("operator")
                .and_then(Value::as_str)
                .filter(|o| matches!(*o, "AND" | "OR" | "NOT"))
                .ok_or_else(|| {
                    KintoneError::invalid(format!("query[{i}].operator"), "Enter AND, OR or NOT.")
                })?;
            let keywords: Vec<String> = g
                .get("keywords")
                .and_then(Value::as_array)
                .map(|k| {
                    k.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_lowercase)
                        .collect()
                })
                .filter(|k: &Vec<String>| !k.is_empty())
                .ok_or_else(|| {
                    KintoneError::invalid(format!("query[{i}].keywords"), "Required field.")
                })?;
            Ok(Group {
                operator: operator.to_string(),
                keywords,
            })
        })
        .collect()
}

pub fn search(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let groups = groups(params)?;
    let wanted = |kind: &str| match params.get("types").and_then(Value::as_array) {
        Some(types) if !types.is_empty() => types.iter().any(|t| t.as_str() == Some(kind)),
        _ => true,
    };
    let limit = match params.get("limit") {
        None | Some(Value::Null) => DEFAULT_SEARCH_LIMIT,
        Some(v) => crate::domain::ids::as_id(v)
            .map(|n| n as usize)
            .ok_or_else(|| KintoneError::invalid("limit", "Enter an integer of 1 or more."))?,
    };
    let offset = match params.get("pageToken").and_then(Value::as_str) {
        None => 0,
        Some(token) => token
            .strip_prefix(TOKEN_PREFIX)
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| KintoneError::invalid("pageToken", "The page token is not valid."))?,
    };
    let matches = |text: &str| {
        let text = text.to_lowercase();
        groups.iter().all(|g| g.matches(&text))
    };
    // `…/k/v1/` or `…/k/guest/{id}/v1/`: kintone's pages are under `…/k/` and `…/k/guest/{id}/`.
    let pages = ctx.base_url.trim_end_matches("v1/").to_string();
    let mut hits = Vec::new();
    let apps: Vec<u64> = ctx.db.apps.keys().copied().collect();
    for app_id in apps {
        if !ctx.may(app_id, Need::View) {
            continue;
        }
        let app = &ctx.db.apps[&app_id];
        for (id, record) in app.records() {
            if super::permissions::require_record(ctx, app_id, *id, Need::View).is_err() {
                continue;
            }
            let url = format!("{pages}{app_id}/show#record={id}");
            let text: Vec<&str> = record.cells.iter().map(|c| c.text()).collect();
            if wanted("RECORD") && matches(&text.join("\n")) {
                hits.push(json!({
                    "type": "RECORD",
                    "url": url,
                    "record": {"app": {"id": app_id.to_string()}, "id": id.to_string()},
                }));
            }
            if wanted("RECORD_COMMENT") {
                for comment in record.comments.iter().filter(|c| matches(&c.text)) {
                    hits.push(json!({
                        "type": "RECORD_COMMENT",
                        "url": format!("{url}&comment={}", comment.id),
                        "recordComment": {
                            "app": {"id": app_id.to_string()},
                            "record": {"id": id.to_string()},
                            "id": comment.id.to_string(),
                        },
                    }));
                }
            }
        }
    }
    let end = offset.saturating_add(limit).min(hits.len());
    let next = (end < hits.len()).then(|| format!("{TOKEN_PREFIX}{end}"));
    let page: Vec<Value> = hits.get(offset..end).unwrap_or_default().to_vec();
    Ok(json!({"hits": page, "nextPageToken": next}))
}

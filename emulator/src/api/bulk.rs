//! Bulk requests: up to 20 record writes, run in order, all or nothing.

use serde_json::{json, Value};

use super::context::{Ctx, Dispatch, Output};
use crate::domain::error::{KintoneError, Result};
use crate::domain::spec::{operation_list, split_path};

pub fn run(ctx: &mut Ctx, params: &Value, dispatch: Dispatch) -> Result<Output> {
    let requests = params
        .get("requests")
        .and_then(Value::as_array)
        .ok_or_else(|| KintoneError::invalid("requests", "Required field."))?;
    if requests.is_empty() || requests.len() > crate::domain::spec::limits().bulk_requests {
        return Err(KintoneError::invalid(
            "requests",
            format!(
                "Specify from 1 to {} requests.",
                crate::domain::spec::limits().bulk_requests
            ),
        ));
    }
    // One transaction around every request: the writes of the requests that ran are undone
    // when a later one fails.
    let savepoint = ctx.db.begin();
    let mut results = Vec::new();
    for (index, request) in requests.iter().enumerate() {
        match one(ctx, request, dispatch) {
            Ok(value) => results.push(value),
            Err(e) => {
                ctx.db.rollback(savepoint);
                let mut bodies: Vec<Value> = (0..requests.len()).map(|_| json!({})).collect();
                bodies[index] = e.body(&ctx.error_ids.next(), ctx.japanese);
                return Ok(Output::Error {
                    status: e.status,
                    code: e.code,
                    body: json!({"results": bodies}),
                });
            }
        }
    }
    ctx.db.commit(savepoint);
    Ok(Output::Json(json!({"results": results})))
}

fn one(ctx: &mut Ctx, request: &Value, dispatch: Dispatch) -> Result<Value> {
    let method = request
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let api = request
        .get("api")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let payload = request.get("payload").cloned().unwrap_or_else(|| json!({}));
    let unsupported = || {
        KintoneError::invalid(
            "api",
            format!("{method} {api} cannot be part of a bulk request."),
        )
    };
    let (space, path) = split_path(api).ok_or_else(unsupported)?;
    if space != ctx.guest_space {
        return Err(unsupported());
    }
    let op = operation_list()
        .iter()
        .find(|o| o.method == method && o.path == path && o.bulk)
        .ok_or_else(unsupported)?
        .operation_id
        .clone();
    match dispatch(ctx, &op, &payload, None)? {
        Output::Json(v) => Ok(v),
        _ => Err(unsupported()),
    }
}

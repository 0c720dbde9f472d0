//! Evaluate Record Permissions: what the caller may do with each record and each of its fields.

use serde_json::{json, Map, Value};

use super::{as_id, id_param, Ctx, Need};
use crate::error::{KintoneError, Result};

pub fn evaluate(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let ids = params
        .get("ids")
        .and_then(Value::as_array)
        .ok_or_else(|| KintoneError::invalid("ids", "Required field."))?;
    let max = crate::spec::limits().records_per_write;
    if ids.len() > max {
        return Err(KintoneError::invalid(
            "ids",
            format!("Give at most {max} record IDs."),
        ));
    }
    ctx.require(app, Need::View)?;
    let (view, edit, delete) = (
        ctx.may(app, Need::View),
        ctx.may(app, Need::Edit),
        ctx.may(app, Need::Delete),
    );
    let stored = &ctx.db.apps[&app];
    let mut rights = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let id = as_id(id)
            .ok_or_else(|| KintoneError::invalid(format!("ids[{i}]"), "Enter an integer value."))?;
        if !stored.records().contains_key(&id) {
            return Err(KintoneError::record_not_found(id));
        }
        // Every field is listed, those of subtables too; fields kintone computes are never
        // editable.
        let mut fields = Map::new();
        for f in stored.layout.iter() {
            for g in std::iter::once(f).chain(f.fields.iter()) {
                let computed = g.field_type.is_system();
                fields.insert(
                    g.code.clone(),
                    json!({"viewable": view, "editable": edit && !computed}),
                );
            }
        }
        rights.push(json!({
            "id": id.to_string(),
            "record": {"viewable": view, "editable": edit, "deletable": delete},
            "fields": fields,
        }));
    }
    Ok(json!({ "rights": rights }))
}

//! Evaluate Record Permissions: what the caller may do with each record and each of its fields.

use serde_json::{json, Map, Value};

use crate::api::context::{id_param, Ctx};
use crate::api::permissions::{record_acl, user};
use crate::domain::error::{KintoneError, Result};
use crate::domain::ids::as_id;
use crate::domain::rights::{field_access, RecordRights};
use crate::domain::seed::Need;

pub fn evaluate(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let ids = params
        .get("ids")
        .and_then(Value::as_array)
        .ok_or_else(|| KintoneError::invalid("ids", "Required field."))?;
    let max = crate::domain::spec::limits().records_per_write;
    if ids.len() > max {
        return Err(KintoneError::invalid(
            "ids",
            format!("Give at most {max} record IDs."),
        ));
    }
    ctx.require(app, Need::View)?;
    let app_rights = RecordRights {
        view: ctx.may(app, Need::View),
        edit: ctx.may(app, Need::Edit),
        delete: ctx.may(app, Need::Delete),
    };
    // API tokens get their own permissions and nothing else. Not verified: neither
    // `verified-behaviours.md` nor the inventory says how record and field permissions treat a
    // token (§2.1 grades only the token's own refusal, `GAIA_NO01`). Their entities are users,
    // groups, departments and user fields, none of which a token is, so the emulator applies
    // them to no token, here and in every record operation alike.
    let records = record_acl(ctx, app);
    let fields_access = user(ctx)
        .map(|login| field_access(ctx.db, app, login))
        .unwrap_or_default();
    let stored = &ctx.db.apps[&app];
    let mut rights = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let id = as_id(id)
            .ok_or_else(|| KintoneError::invalid(format!("ids[{i}]"), "Enter an integer value."))?;
        let record = stored
            .records()
            .get(&id)
            .ok_or_else(|| KintoneError::record_not_found(id))?;
        let own = match &records {
            Some(acl) => acl.rights(stored, record),
            None => app_rights,
        };
        // Every field is listed, those of subtables too (which also take the subtable's
        // permission); a field the caller may not view is not editable either, a read-only
        // one viewable only, and fields kintone computes are never editable.
        let access = |code: &str| fields_access.get(code).map_or("WRITE", String::as_str);
        let mut fields = Map::new();
        for f in stored.layout.iter() {
            let table = access(&f.code);
            for g in std::iter::once(f).chain(f.fields.iter()) {
                let own_access = access(&g.code);
                let viewable = own.view && table != "NONE" && own_access != "NONE";
                let editable = own.edit
                    && table == "WRITE"
                    && own_access == "WRITE"
                    && !g.field_type.is_system();
                fields.insert(
                    g.code.clone(),
                    json!({"viewable": viewable, "editable": editable}),
                );
            }
        }
        rights.push(json!({
            "id": id.to_string(),
            "record": {"viewable": own.view, "editable": own.edit, "deletable": own.delete},
            "fields": fields,
        }));
    }
    Ok(json!({ "rights": rights }))
}

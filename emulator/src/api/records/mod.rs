//! Records: get, add, update (by id or `updateKey`, with revisions) and delete, one or many, and
//! Get Records with the query language.

pub mod acl;
pub mod cursor;

use std::ops::Bound;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use super::context::{atomically, id_param, many, now, revision_param, Ctx, Output};
use crate::api::render::{RecordJson, Records, Selection};
use crate::domain::decimal;
use crate::domain::error::{KintoneError, Result};
use crate::domain::ids::as_id;
use crate::domain::query::{self, Evaluator, Plan};
use crate::domain::records::apply;
use crate::domain::seed::FieldType;
use crate::domain::seed::Need;
use crate::domain::store::{App, Cell, StoredRecord};

pub fn add_one(
    ctx: &mut Ctx,
    app_id: u64,
    input: Option<&Value>,
    prefix: &str,
) -> Result<(u64, u64)> {
    super::permissions::check_writable(ctx, app_id, input)?;
    let mut cells = apply(ctx.db, app_id, None, input, prefix)?;
    let me = ctx.user_entity();
    let now = now(ctx);
    let app = &ctx.db.apps[&app_id];
    let id = ctx
        .db
        .next_record_id(app_id)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    let slot = |code: &str| app.slot(code).expect("every app has the system fields");
    cells[slot("Record_number")] = Cell::text_of(id.to_string());
    let (created_by, created, updated_by, updated) = (
        slot("Created_by"),
        slot("Created_datetime"),
        slot("Updated_by"),
        slot("Updated_datetime"),
    );
    if cells[created_by].is_empty() {
        cells[created_by] = Cell::Entity(me);
    }
    if cells[created].is_empty() {
        cells[created] = Cell::text_of(now);
    }
    if cells[updated_by].is_empty() {
        cells[updated_by] = cells[created_by].clone();
    }
    if cells[updated].is_empty() {
        cells[updated] = cells[created].clone();
    }
    let first = app.process.as_ref().and_then(|p| {
        let first = p.statuses.first()?;
        Some((first, p.assignees.get(first)))
    });
    let mut entering = Vec::new();
    if let Some((first, assignees)) = first {
        cells[slot("Status")] = Cell::text_of(first.as_str());
        cells[slot("Assignee")] = Cell::empty(FieldType::StatusAssignee);
        entering = assignees.map(|a| a.entities.clone()).unwrap_or_default();
    }
    let mut record = StoredRecord {
        id,
        revision: 1,
        cells: cells.into(),
        comments: Vec::new(),
        next_comment_id: 0,
    };
    // A new record enters the first status: everyone its list names is assigned (there is no
    // action whose `assignee` could pick one).
    if !entering.is_empty() {
        let at = slot("Assignee");
        let logins = crate::domain::rights::named_users(ctx.db, app, &record, &entering);
        record.cells[at] = Cell::Entities(logins.iter().map(|l| ctx.db.user_entity(l)).collect());
    }
    let id = ctx
        .db
        .add_record(app_id, record)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    Ok((id, 1))
}

/// Finds the record an update names, by `id` or by `updateKey`.
pub fn target(ctx: &Ctx, app_id: u64, item: &Value, prefix: &str) -> Result<Option<u64>> {
    let app = ctx
        .db
        .apps
        .get(&app_id)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    match (item.get("id"), item.get("updateKey")) {
        (Some(id), None) => {
            let id = as_id(id).ok_or_else(|| {
                KintoneError::invalid(format!("{prefix}id"), "Enter an integer value.")
            })?;
            app.records()
                .get(&id)
                .map(|_| Some(id))
                .ok_or_else(|| KintoneError::record_not_found(id))
        }
        (None, Some(key)) => {
            let field = key.get("field").and_then(Value::as_str).unwrap_or_default();
            let value = key.get("value").and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| v.as_number().map(|n| n.to_string()))
            });
            let slot = app.slot(field).filter(|&s| {
                let d = &app.layout[s];
                d.unique && matches!(d.field_type, FieldType::SingleLineText | FieldType::Number)
            });
            let Some(slot) = slot else {
                return Err(KintoneError::invalid(
                    format!("{prefix}updateKey.field"),
                    "Specify a field that prohibits duplicate values.",
                ));
            };
            let Some(value) = value else {
                return Err(KintoneError::invalid(
                    format!("{prefix}updateKey.value"),
                    "Required field.",
                ));
            };
            let numeric = app.layout[slot].field_type == FieldType::Number;
            Ok(app
                .records()
                .values()
                .find(|r| {
                    let have = r.cells[slot].text();
                    if numeric {
                        decimal::equal(have, &value)
                    } else {
                        have == value
                    }
                })
                .map(|r| r.id))
        }
        _ => Err(KintoneError::invalid(
            format!("{prefix}id"),
            "Specify either id or updateKey.",
        )),
    }
}

pub fn update_one(
    ctx: &mut Ctx,
    app_id: u64,
    id: u64,
    input: Option<&Value>,
    revision: Option<u64>,
    prefix: &str,
) -> Result<u64> {
    super::permissions::check_writable(ctx, app_id, input)?;
    super::permissions::require_record(ctx, app_id, id, Need::Edit)?;
    let current = ctx.db.apps[&app_id]
        .records()
        .get(&id)
        .cloned()
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    if revision.is_some_and(|r| r != current.revision) {
        return Err(KintoneError::conflict());
    }
    let mut cells = apply(ctx.db, app_id, Some(&current), input, prefix)?;
    let me = ctx.user_entity();
    let now = now(ctx);
    let app = &ctx.db.apps[&app_id];
    if let (Some(by), Some(at)) = (app.slot("Updated_by"), app.slot("Updated_datetime")) {
        cells[by] = Cell::Entity(me);
        cells[at] = Cell::text_of(now);
    }
    let record = ctx
        .db
        .record_mut(app_id, id)
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    record.cells = cells.into();
    record.revision += 1;
    Ok(record.revision)
}

/// A JSON body written straight from records.
fn raw(body: &impl Serialize) -> Result<Output> {
    serde_json::to_vec(body)
        .map(Output::Raw)
        .map_err(|_| KintoneError::bad_json())
}

pub fn get_record(ctx: &mut Ctx, params: &Value) -> Result<Output> {
    let app_id = id_param(params, "app")?;
    let id = id_param(params, "id")?;
    ctx.require(app_id, Need::View)?;
    super::permissions::require_record(ctx, app_id, id, Need::View)?;
    let hidden = super::permissions::hidden_fields(ctx, app_id);
    let app = &ctx.db.apps[&app_id];
    let r = app
        .records()
        .get(&id)
        .ok_or_else(|| KintoneError::record_not_found(id))?;
    let selection = Selection::new(app, None).without(app, &hidden);
    #[derive(Serialize)]
    struct Body<'a> {
        record: RecordJson<'a>,
    }
    raw(&Body {
        record: RecordJson {
            app,
            record: r,
            selection: &selection,
        },
    })
}

pub fn add_record(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Add)?;
    let (id, revision) = atomically(ctx, |ctx| add_one(ctx, app_id, params.get("record"), ""))?;
    Ok(json!({"id": id.to_string(), "revision": revision.to_string()}))
}

pub fn update_record(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Edit)?;
    let id = target(ctx, app_id, params, "")?
        .ok_or_else(|| KintoneError::invalid("updateKey.value", "No record has this value."))?;
    let revision = revision_param(params.get("revision"))?;
    let revision = atomically(ctx, |ctx| {
        update_one(ctx, app_id, id, params.get("record"), revision, "")
    })?;
    Ok(json!({"revision": revision.to_string()}))
}

pub fn add_records(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Add)?;
    let items = many(params, "records")?;
    let added = atomically(ctx, |ctx| {
        items
            .iter()
            .enumerate()
            .map(|(i, r)| add_one(ctx, app_id, Some(r), &format!("records[{i}].")))
            .collect::<Result<Vec<_>>>()
    })?;
    Ok(json!({
        "ids": added.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>(),
        "revisions": added.iter().map(|(_, rev)| rev.to_string()).collect::<Vec<_>>(),
    }))
}

pub fn update_records(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Edit)?;
    let upsert = params
        .get("upsert")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if upsert {
        ctx.require(app_id, Need::Add)?;
    }
    let items = many(params, "records")?;
    let results = atomically(ctx, |ctx| {
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let prefix = format!("records[{i}].");
            let revision = revision_param(item.get("revision"))?;
            // In upsert mode a record given by an id that does not exist is added, with an id
            // of its own (kintone's Update Records reference); cli-kintone sends such ids for
            // the rows it imports whose key is empty.
            let found = match target(ctx, app_id, item, &prefix) {
                Err(e) if upsert && item.get("id").is_some() && e.code == "GAIA_RE01" => None,
                other => other?,
            };
            match found {
                Some(id) => {
                    let rev = update_one(ctx, app_id, id, item.get("record"), revision, &prefix)?;
                    out.push(if upsert {
                        json!({"id": id.to_string(), "revision": rev.to_string(), "operation": "UPDATE"})
                    } else {
                        json!({"id": id.to_string(), "revision": rev.to_string()})
                    });
                }
                None if upsert => {
                    let mut record = item.get("record").cloned().unwrap_or_else(|| json!({}));
                    if let (Some(key), Some(obj)) = (item.get("updateKey"), record.as_object_mut())
                    {
                        let field = key
                            .get("field")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        obj.insert(
                            field,
                            json!({"value": key.get("value").cloned().unwrap_or(Value::Null)}),
                        );
                    }
                    let (id, rev) = add_one(ctx, app_id, Some(&record), &prefix)?;
                    out.push(json!({"id": id.to_string(), "revision": rev.to_string(), "operation": "INSERT"}));
                }
                None => {
                    return Err(KintoneError::invalid(
                        format!("{prefix}updateKey.value"),
                        "No record has this value.",
                    ))
                }
            }
        }
        Ok(out)
    })?;
    Ok(json!({"records": results}))
}

fn id_list(params: &Value, key: &str) -> Result<Vec<u64>> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                as_id(v).ok_or_else(|| {
                    KintoneError::invalid(format!("{key}[{i}]"), "Enter an integer value.")
                })
            })
            .collect(),
        Some(_) => Err(KintoneError::invalid(key, "Enter an array.")),
    }
}

pub fn delete_records(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::Delete)?;
    let ids = id_list(params, "ids")?;
    if ids.is_empty() || ids.len() > crate::domain::spec::limits().records_per_write {
        return Err(KintoneError::invalid(
            "ids",
            format!(
                "Specify from 1 to {} items.",
                crate::domain::spec::limits().records_per_write
            ),
        ));
    }
    // Each expected revision may be -1: that record's revision is not checked.
    let revisions: Vec<Option<u64>> = match params.get("revisions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                revision_param(Some(v)).map_err(|_| {
                    KintoneError::invalid(format!("revisions[{i}]"), "Enter an integer value.")
                })
            })
            .collect::<Result<_>>()?,
        Some(_) => return Err(KintoneError::invalid("revisions", "Enter an array.")),
    };
    if !revisions.is_empty() && revisions.len() != ids.len() {
        return Err(KintoneError::invalid(
            "revisions",
            "Give one revision per id.",
        ));
    }
    // Every record is checked before any is deleted, so a refusal deletes nothing.
    let acl = super::permissions::record_acl(ctx, app_id);
    let app = &ctx.db.apps[&app_id];
    for (i, id) in ids.iter().enumerate() {
        let r = app
            .records()
            .get(id)
            .ok_or_else(|| KintoneError::record_not_found(*id))?;
        if acl.as_ref().is_some_and(|acl| !acl.rights(app, r).delete) {
            return Err(ctx.denied());
        }
        if revisions
            .get(i)
            .is_some_and(|rev| rev.is_some_and(|rev| rev != r.revision))
        {
            return Err(KintoneError::conflict());
        }
    }
    for id in &ids {
        ctx.db.remove_record(app_id, *id);
    }
    Ok(json!({}))
}

/// Compiles a query for an app, as the caller, at the caller's moment and time zone.
pub fn plan(ctx: &Ctx, app_id: u64, query_text: &str) -> Result<(Plan, query::Query)> {
    let app = ctx
        .db
        .apps
        .get(&app_id)
        .ok_or_else(|| KintoneError::app_not_found(app_id))?;
    let parsed = query::parse(query_text)?;
    let resolve = |code: &str| app.field_ref(code).map(|r| (app.field_at(r).field_type, r));
    let plan = Evaluator::new(&resolve, ctx.login(), ctx.now_local())
        .with_primary_organization(ctx.primary_organization())
        .compile(&parsed)?;
    Ok((plan, parsed))
}

/// Whether a range of ids holds any id (`BTreeMap::range` refuses empty ranges).
fn non_empty(from: Bound<u64>, to: Bound<u64>) -> bool {
    let low = match from {
        Bound::Unbounded => Some(0),
        Bound::Included(n) => Some(n),
        Bound::Excluded(n) => n.checked_add(1),
    };
    let high = match to {
        Bound::Unbounded => Some(u64::MAX),
        Bound::Included(n) => Some(n),
        Bound::Excluded(n) => n.checked_sub(1),
    };
    matches!((low, high), (Some(l), Some(h)) if l <= h)
}

/// The ids of the records a plan matches, in its order: `take` of them after skipping `skip`;
/// and, when `count` asks for it, how many match in all. A plan in `$id` order reads the id
/// index from its range and stops at the page's end, so a seek page costs O(log n + page).
///
/// `keep` leaves out records the caller may not view; callers without record permissions pass
/// `|_| true`, which costs nothing.
pub fn select(
    app: &App,
    plan: &Plan,
    skip: usize,
    take: usize,
    count: bool,
    keep: impl Fn(&StoredRecord) -> bool,
) -> (Vec<u64>, usize) {
    let mut page = Vec::with_capacity(take.min(app.records().len()));
    if let Some(scan) = plan.id_scan() {
        if !non_empty(scan.from, scan.to) {
            return (page, 0);
        }
        let range = app.records().range((scan.from, scan.to));
        let records: Box<dyn Iterator<Item = &Arc<StoredRecord>>> = if scan.descending {
            Box::new(range.rev().map(|(_, r)| r))
        } else {
            Box::new(range.map(|(_, r)| r))
        };
        let mut seen = 0;
        for r in records {
            if !plan.matches(&**r) || !keep(r) {
                continue;
            }
            if seen >= skip && page.len() < take {
                page.push(r.id);
            }
            seen += 1;
            if page.len() == take && !count {
                break;
            }
        }
        return (page, seen);
    }
    let mut hits: Vec<(Vec<query::Key>, u64)> = app
        .records()
        .values()
        .filter(|r| plan.matches(&***r) && keep(r))
        .map(|r| (plan.sort_key(&**r), r.id))
        .collect();
    hits.sort_by(|a, b| plan.compare((&a.0, a.1), (&b.0, b.1)));
    let total = hits.len();
    page.extend(hits.into_iter().skip(skip).take(take).map(|(_, id)| id));
    (page, total)
}

pub fn fields_param(params: &Value) -> Option<Vec<String>> {
    params.get("fields").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    })
}

pub fn get_records(ctx: &mut Ctx, params: &Value) -> Result<Output> {
    let app_id = id_param(params, "app")?;
    ctx.require(app_id, Need::View)?;
    let query_text = super::context::str_param(params, "query").unwrap_or_default();
    let (plan, parsed) = plan(ctx, app_id, query_text)?;
    let offset = parsed.offset.unwrap_or(0) as usize;
    let limit = parsed.limit.map_or(
        crate::domain::spec::limits().default_records_per_page,
        |n| n as usize,
    );
    let total = matches!(params.get("totalCount"), Some(Value::Bool(true)))
        || super::context::str_param(params, "totalCount") == Some("true");
    let hidden = super::permissions::hidden_fields(ctx, app_id);
    let acl = super::permissions::record_acl(ctx, app_id);
    let app = &ctx.db.apps[&app_id];
    let (ids, count) = match &acl {
        None => select(app, &plan, offset, limit, total, |_| true),
        Some(acl) => select(app, &plan, offset, limit, total, |r| {
            acl.rights(app, r).view
        }),
    };
    let selection = Selection::new(app, fields_param(params).as_deref()).without(app, &hidden);
    #[derive(Serialize)]
    struct Body<'a> {
        records: Records<'a>,
        #[serde(rename = "totalCount")]
        total_count: Option<String>,
    }
    raw(&Body {
        records: Records {
            app,
            records: ids
                .iter()
                .filter_map(|id| app.records().get(id))
                .map(|r| &**r)
                .collect(),
            selection: &selection,
        },
        total_count: total.then(|| count.to_string()),
    })
}

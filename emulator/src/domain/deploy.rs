//! What a deploy changes besides copying an app's pre-live settings live.

use serde_json::Value;

use super::store::{Cell, Db};

/// What follows a deploy of `app` besides its form: records follow the process, and the
/// domain's plug-ins know the app uses them.
pub fn went_live(db: &mut Db, app: u64) {
    start_records_in_the_first_status(db, app);
    let added: Vec<String> = db
        .settings
        .get(&app)
        .and_then(|s| s.live.as_ref())
        .and_then(|live| live.groups.get("plugins"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("id").and_then(Value::as_str).map(str::to_string))
        .collect();
    for id in added {
        db.plugins.used_by.entry(id).or_default().insert(app);
    }
}

/// After a deploy that turned process management on, records without a status start in the
/// first one, as kintone puts them.
fn start_records_in_the_first_status(db: &mut Db, app: u64) {
    let Some(live) = db.apps.get(&app) else {
        return;
    };
    let (Some(first), Some(slot)) = (
        live.process
            .as_ref()
            .and_then(|p| p.statuses.first().cloned()),
        live.slot("Status"),
    ) else {
        return;
    };
    let waiting: Vec<u64> = live
        .records()
        .iter()
        .filter(|(_, r)| r.cells[slot].is_empty())
        .map(|(id, _)| *id)
        .collect();
    for id in waiting {
        if let Some(r) = db.record_mut(app, id) {
            r.cells[slot] = Cell::text_of(first.as_str());
        }
    }
}

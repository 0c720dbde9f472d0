//! Notifications (general, per record, reminders): read live or pre-live, changed on the
//! pre-live settings, kept with the rest of each copy of an app's settings so that a deploy makes
//! them live. The emulator keeps them and reads them back; it sends no notification.

use serde_json::{json, Value};

use super::context::{flag_param, id_param, Ctx};
use super::settings_access::{changed, readable, readable_by_managers, writable};
use crate::domain::error::{KintoneError, Result};

const EVENTS: &[&str] = &[
    "recordAdded",
    "recordEdited",
    "commentAdded",
    "statusChanged",
    "fileImported",
];
/// Notification targets are never the app's creator.
const TARGET_TYPES: &[&str] = &["USER", "GROUP", "ORGANIZATION", "FIELD_ENTITY"];

pub fn get_general(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let app = id_param(params, "app")?;
    let copy = readable_by_managers(ctx, app, preview)?;
    Ok(json!({
        "notifications": copy.notifications.general,
        "notifyToCommenter": copy.notifications.notify_to_commenter,
        "revision": copy.revision.to_string(),
    }))
}

pub fn get_per_record(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let app = id_param(params, "app")?;
    let copy = readable_by_managers(ctx, app, preview)?;
    Ok(json!({
        "notifications": copy.notifications.per_record,
        "revision": copy.revision.to_string(),
    }))
}

pub fn get_reminders(ctx: &mut Ctx, params: &Value, preview: bool) -> Result<Value> {
    let app = id_param(params, "app")?;
    let copy = readable_by_managers(ctx, app, preview)?;
    Ok(json!({
        "notifications": copy.notifications.reminders,
        "timezone": copy.notifications.timezone,
        "revision": copy.revision.to_string(),
    }))
}

/// A limit the spec names.
fn limit(name: &str) -> u64 {
    crate::domain::spec::api()
        .limits
        .iter()
        .find(|l| l.name == name)
        .map(|l| l.value)
        .unwrap_or_else(|| panic!("the spec names no limit {name}, which the emulator enforces"))
}

/// An integer kintone also takes as a string, within ±`max`.
fn offset(v: Option<&Value>, at: &str, max: i64) -> Result<i64> {
    let n = match v {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    n.filter(|n| n.abs() <= max)
        .ok_or_else(|| KintoneError::invalid(at, format!("Enter an integer from -{max} to {max}.")))
}

fn entity(v: Option<&Value>, at: &str) -> Result<Value> {
    let t = v
        .and_then(|e| e.get("type"))
        .and_then(Value::as_str)
        .filter(|t| TARGET_TYPES.contains(t))
        .ok_or_else(|| KintoneError::invalid(format!("{at}.type"), "Enter a valid entity type."))?;
    let code = v
        .and_then(|e| e.get("code"))
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| KintoneError::invalid(format!("{at}.code"), "Required field."))?;
    Ok(json!({"type": t, "code": code}))
}

fn targets(v: Option<&Value>, at: &str) -> Result<Vec<Value>> {
    let list = v
        .and_then(Value::as_array)
        .ok_or_else(|| KintoneError::invalid(at, "Required field."))?;
    list.iter()
        .enumerate()
        .map(|(i, t)| {
            let at = format!("{at}[{i}]");
            Ok(json!({
                "entity": entity(t.get("entity"), &format!("{at}.entity"))?,
                "includeSubs": flag_param(t.get("includeSubs"), &format!("{at}.includeSubs"))?,
            }))
        })
        .collect()
}

/// A condition in the query language (empty, or left out, for every record).
fn condition(v: Option<&Value>, at: &str) -> Result<String> {
    let text = match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(KintoneError::invalid(at, "Enter a query.")),
    };
    if !text.trim().is_empty() {
        crate::domain::query::parse(&text).map_err(|e| KintoneError::invalid(at, e.message_en))?;
    }
    Ok(text)
}

fn title(v: Option<&Value>, at: &str) -> Result<String> {
    let text = v.and_then(Value::as_str).unwrap_or_default();
    let max = limit("MAX_NOTIFICATION_TITLE_LENGTH") as usize;
    if text.chars().count() > max {
        return Err(KintoneError::invalid(
            at,
            format!("Enter at most {max} characters."),
        ));
    }
    Ok(text.to_string())
}

fn list(params: &Value, required: bool) -> Result<Option<&Vec<Value>>> {
    match params.get("notifications") {
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        _ => Err(KintoneError::invalid("notifications", "Required field.")),
    }
}

pub fn update_general(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let mut general = None;
    if let Some(items) = list(params, false)? {
        let mut kept = Vec::new();
        for (i, n) in items.iter().enumerate() {
            let at = format!("notifications[{i}]");
            let mut one = json!({
                "entity": entity(n.get("entity"), &format!("{at}.entity"))?,
                "includeSubs": flag_param(n.get("includeSubs"), &format!("{at}.includeSubs"))?,
            });
            for e in EVENTS {
                one[*e] = json!(flag_param(n.get(*e), &format!("{at}.{e}"))?);
            }
            kept.push(one);
        }
        general = Some(kept);
    }
    let commenter = match params.get("notifyToCommenter") {
        None | Some(Value::Null) => None,
        v => Some(flag_param(v, "notifyToCommenter")?),
    };
    let n = &mut writable(ctx, params, app)?.notifications;
    if let Some(general) = general {
        n.general = general;
    }
    if let Some(commenter) = commenter {
        n.notify_to_commenter = commenter;
    }
    Ok(changed(ctx, app))
}

pub fn update_per_record(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let items = list(params, true)?.expect("required");
    let mut kept = Vec::new();
    for (i, n) in items.iter().enumerate() {
        let at = format!("notifications[{i}]");
        kept.push(json!({
            "filterCond": condition(n.get("filterCond"), &format!("{at}.filterCond"))?,
            "title": title(n.get("title"), &format!("{at}.title"))?,
            "targets": targets(n.get("targets"), &format!("{at}.targets"))?,
        }));
    }
    writable(ctx, params, app)?.notifications.per_record = kept;
    Ok(changed(ctx, app))
}

/// The field types a reminder's timing may be reckoned from.
const TIMING_TYPES: &[&str] = &["DATE", "DATETIME", "CREATED_TIME", "UPDATED_TIME"];

pub fn update_reminders(ctx: &mut Ctx, params: &Value) -> Result<Value> {
    let app = id_param(params, "app")?;
    let properties = readable(ctx, app, true)?.properties.clone();
    let max = limit("MAX_REMINDER_OFFSET") as i64;
    let mut reminders = None;
    if let Some(items) = list(params, false)? {
        let mut kept = Vec::new();
        for (i, n) in items.iter().enumerate() {
            let at = format!("notifications[{i}].timing");
            let t = n.get("timing");
            let code = t
                .and_then(|t| t.get("code"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let field_type = properties
                .get(code)
                .and_then(|p| p.get("type"))
                .and_then(Value::as_str)
                .filter(|ty| TIMING_TYPES.contains(ty))
                .ok_or_else(|| {
                    KintoneError::invalid(
                        format!("{at}.code"),
                        "Name a date, date-and-time, created or updated time field.",
                    )
                })?;
            let mut timing = json!({
                "code": code,
                "daysLater": offset(t.and_then(|t| t.get("daysLater")), &format!("{at}.daysLater"), max)?,
            });
            let time = t.and_then(|t| t.get("time")).and_then(Value::as_str);
            match (t.and_then(|t| t.get("hoursLater")), time) {
                (Some(h), None) if field_type != "DATE" => {
                    timing["hoursLater"] =
                        json!(offset(Some(h), &format!("{at}.hoursLater"), max)?);
                }
                (None, Some(time)) if valid_time(time) => timing["time"] = json!(time),
                _ => return Err(KintoneError::invalid(
                    format!("{at}.time"),
                    "Give hours (date-and-time fields) or a time of day in steps of ten minutes.",
                )),
            }
            let at = format!("notifications[{i}]");
            kept.push(json!({
                "timing": timing,
                "filterCond": condition(n.get("filterCond"), &format!("{at}.filterCond"))?,
                "title": title(n.get("title"), &format!("{at}.title"))?,
                "targets": targets(n.get("targets"), &format!("{at}.targets"))?,
            }));
        }
        reminders = Some(kept);
    }
    let timezone = match params.get("timezone") {
        None | Some(Value::Null) => None,
        Some(Value::String(z)) if !z.is_empty() => Some(z.clone()),
        Some(_) => return Err(KintoneError::invalid("timezone", "Enter a time zone.")),
    };
    let n = &mut writable(ctx, params, app)?.notifications;
    if let Some(reminders) = reminders {
        n.reminders = reminders;
    }
    if let Some(timezone) = timezone {
        n.timezone = timezone;
    }
    Ok(changed(ctx, app))
}

/// `HH:MM` in steps of ten minutes.
fn valid_time(time: &str) -> bool {
    let b = time.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && b[4] == b'0'
        && matches!(
            (b[0], b[1]),
            (b'0' | b'1', b'0'..=b'9') | (b'2', b'0'..=b'3')
        )
        && (b'0'..=b'5').contains(&b[3])
}

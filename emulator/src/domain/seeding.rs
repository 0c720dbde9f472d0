//! The store a [`Seed`] starts an emulator with: users and their memberships and time zones,
//! API tokens and OAuth grants, spaces, plug-ins, and apps with their settings, each app
//! placed in the space that holds it. Seeded records are handed back, to be added as a write
//! adds them.

use std::collections::BTreeMap;

use serde_json::Value;
use time::OffsetDateTime;

use super::app_settings::AppSettings;
use super::directory::Directory;
use super::seed::{AppSeed, FieldType, Seed};
use super::store::{App, Db, OAuthGrant};

/// Each seeded app's records, as Add Record's `record` objects.
pub type SeededRecords = Vec<(u64, Vec<Value>)>;

/// The store `seed` describes at `now`, and the records of each app to add; or what in the
/// seed the emulator cannot use.
pub fn seeded(seed: Seed, now: OffsetDateTime) -> Result<(Db, SeededRecords), String> {
    let mut db = Db::default();
    db.domain_zone = seed
        .time_zone
        .as_deref()
        .map(|z| parse_zone(z).ok_or_else(|| format!("time zone {z:?}")))
        .transpose()?;
    db.directory = Directory::new(&seed.users, &seed.organizations, &seed.groups)?;
    for user in seed.users {
        if let Some(z) = &user.time_zone {
            let zone = parse_zone(z)
                .ok_or_else(|| format!("time zone {z:?} of the user {}", user.login))?;
            db.zones.insert(user.login.clone(), zone);
        }
        db.users.insert(user.login.clone(), user);
    }
    for o in seed.organizations {
        db.organizations.insert(o.code, o.name);
    }
    for g in seed.groups {
        db.groups.insert(g.code, g.name);
    }
    for token in seed.tokens {
        db.tokens
            .insert(token.token, (token.app, token.permissions));
    }
    for grant in seed.oauth_tokens {
        db.oauth.insert(
            grant.token,
            OAuthGrant {
                login: grant.login,
                scopes: grant.scopes,
            },
        );
    }
    let mut seeded_records = Vec::new();
    for app in &seed.apps {
        check_app(app, &seed.apps)?;
    }
    // Where each seeded app is: its settings alone say so.
    let mut placed = BTreeMap::new();
    for space in seed.spaces {
        let (id, apps) = (space.id, space.apps.clone());
        let thread = db.spaces.seed(space, now);
        for app in apps {
            if !seed.apps.iter().any(|a| a.id == app) {
                return Err(format!("space {id} holds app {app}, which is not seeded"));
            }
            if let Some((other, _)) = placed.insert(app, (id, thread)) {
                return Err(format!("app {app} is in two spaces, {other} and {id}"));
            }
        }
    }
    for plugin in seed.plugins {
        db.plugins.seed(plugin);
    }
    let now_text = format!("{}T{:02}:{:02}:00Z", now.date(), now.hour(), now.minute());
    for app in seed.apps {
        let mut settings = AppSettings::seeded(&app, &now_text);
        if let Some(&(space, thread)) = placed.get(&app.id) {
            settings.space = Some(space);
            settings.thread = Some(thread);
        }
        db.settings.insert(app.id, settings);
        db.apps.insert(app.id, App::new(&app));
        seeded_records.push((app.id, app.records));
    }
    Ok((db, seeded_records))
}

/// A UTC offset: `UTC`, `Z`, `+09:00`, `-0530`.
fn parse_zone(text: &str) -> Option<time::UtcOffset> {
    if text.eq_ignore_ascii_case("UTC") || text == "Z" {
        return Some(time::UtcOffset::UTC);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1i8, &text[1..]),
        b'-' => (-1i8, &text[1..]),
        _ => return None,
    };
    let (h, m) = rest
        .split_once(':')
        .unwrap_or((rest.get(..2)?, rest.get(2..)?));
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    time::UtcOffset::from_hms(sign * h, sign * m, 0).ok()
}

/// Checks what the emulator computes from an app's fields: formulas it can read, and lookups
/// whose key kintone lets the API write (O29: the source's record number or a field that
/// prohibits duplicates).
fn check_app(app: &AppSeed, apps: &[AppSeed]) -> Result<(), String> {
    for f in app
        .fields
        .iter()
        .chain(app.fields.iter().flat_map(|f| &f.fields))
    {
        if f.field_type == FieldType::Calc {
            super::formula::parse(&f.expression)
                .map_err(|e| format!("the formula of {} in app {}: {e}", f.code, app.id))?;
        }
        if let Some(l) = &f.lookup {
            let source = apps
                .iter()
                .find(|a| a.id == l.related_app)
                .ok_or_else(|| format!("the lookup {} names no app {}", f.code, l.related_app))?;
            let key_ok = l.related_key_field == "Record_number"
                || source.fields.iter().any(|k| {
                    k.code == l.related_key_field
                        && k.unique
                        && matches!(k.field_type, FieldType::SingleLineText | FieldType::Number)
                });
            if !key_ok {
                return Err(format!(
                    "the lookup {} keys on {}, which is neither the record number nor a field that prohibits duplicate values",
                    f.code, l.related_key_field
                ));
            }
        }
    }
    Ok(())
}

//! What every settings operation shares: finding an app's settings, who may read or change
//! them, and the settings revision.

use serde_json::{json, Value};

use super::context::{id_param, now, revision_param, Ctx};
use crate::domain::access::Principal;
use crate::domain::app_settings::{AppSettings, Settings};
use crate::domain::error::{KintoneError, Result};
use crate::domain::seed::Need;

/// Who may read and write an app's settings: one rule for every settings operation, for API
/// tokens and users alike (kintone's page of each operation states it):
///
/// - reading the live form, layout, views, general settings, process management,
///   customization, reports, actions and plug-ins needs the permission to view or to add
///   records;
/// - reading the pre-live copy of any setting, reading the app's permissions and notifications
///   (live too), every settings write and every deploy (and its status) need app management: a
///   token's
///   `manage_app`, a user's `appEditable` in the live app permissions (an app's creator has it
///   until the permissions say otherwise).
///
/// A refusal is kintone's: 403 `GAIA_NO01` for a token, 403 `CB_NO02` for a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsAccess {
    /// Reading live settings other than the permissions.
    ReadLive,
    /// Reading pre-live settings or the permissions; any write; a deploy.
    Manage,
}

/// Fails unless the caller may do `access` to the settings of `app` (see [`SettingsAccess`]).
pub fn require_settings(ctx: &Ctx, app: u64, access: SettingsAccess) -> Result<()> {
    let allowed = match access {
        SettingsAccess::ReadLive => ctx.may(app, Need::View) || ctx.may(app, Need::Add),
        SettingsAccess::Manage => ctx.may(app, Need::ManageApp),
    };
    if allowed {
        Ok(())
    } else {
        Err(ctx.denied())
    }
}

/// The settings of an app, for reading the live or the pre-live copy, after checking the
/// caller by [`SettingsAccess`]; an app without live settings is not found live.
pub fn readable<'c>(ctx: &'c Ctx, app: u64, preview: bool) -> Result<&'c Settings> {
    let access = if preview {
        SettingsAccess::Manage
    } else {
        SettingsAccess::ReadLive
    };
    read_settings(ctx, app, preview, access)
}

/// The app a read names (`app` in `params`) and its settings, live or pre-live, after checking
/// the caller as [`readable`] does.
pub fn readable_app<'c>(
    ctx: &'c Ctx,
    params: &Value,
    preview: bool,
) -> Result<(u64, &'c Settings)> {
    let app = id_param(params, "app")?;
    Ok((app, readable(ctx, app, preview)?))
}

/// The settings of an app that only its managers read, live or pre-live (its permissions and
/// notifications).
pub fn readable_by_managers<'c>(ctx: &'c Ctx, app: u64, preview: bool) -> Result<&'c Settings> {
    read_settings(ctx, app, preview, SettingsAccess::Manage)
}

fn read_settings<'c>(
    ctx: &'c Ctx,
    app: u64,
    preview: bool,
    access: SettingsAccess,
) -> Result<&'c Settings> {
    let settings = ctx
        .db
        .settings
        .get(&app)
        .ok_or_else(|| KintoneError::app_not_found(app))?;
    let copy = settings
        .copy(preview)
        .ok_or_else(|| KintoneError::app_not_found(app))?;
    require_settings(ctx, app, access)?;
    Ok(copy)
}

/// Fails for API tokens: kintone takes none for creating or moving apps.
pub fn require_user(ctx: &Ctx) -> Result<()> {
    match ctx.principal {
        Principal::Tokens(_) => Err(ctx.denied()),
        _ => Ok(()),
    }
}

/// The pre-live settings of `app` to change, after checking the caller and the expected
/// revision (`revision` in `params`); the caller changes them and calls [`changed`].
pub fn writable<'c>(ctx: &'c mut Ctx, params: &Value, app: u64) -> Result<&'c mut Settings> {
    let expected = revision_param(params.get("revision"))?;
    if !ctx.db.settings.contains_key(&app) {
        return Err(KintoneError::app_not_found(app));
    }
    require_settings(ctx, app, SettingsAccess::Manage)?;
    let settings = ctx
        .db
        .settings
        .get_mut(&app)
        .ok_or_else(|| KintoneError::app_not_found(app))?;
    require_revision(settings, expected)?;
    Ok(&mut settings.preview)
}

/// Fails when a change expects another pre-live revision than the app's (`expected`, when
/// given): someone changed the settings since the caller read them.
pub fn require_revision(settings: &AppSettings, expected: Option<u64>) -> Result<()> {
    if expected.is_some_and(|r| r != settings.preview.revision) {
        Err(settings_conflict())
    } else {
        Ok(())
    }
}

/// Raises the pre-live revision after a change, and answers it.
pub fn changed(ctx: &mut Ctx, app: u64) -> Value {
    let modifier = ctx.entity();
    let now = now(ctx);
    match ctx.db.settings.get_mut(&app) {
        Some(s) => {
            s.preview.revision += 1;
            s.modifier = modifier;
            s.modified_at = now;
            json!({"revision": s.preview.revision.to_string()})
        }
        None => json!({}),
    }
}

/// A stale settings revision. kintone's code for it is not verified; the emulator answers as
/// for a stale record revision.
pub fn settings_conflict() -> KintoneError {
    KintoneError::new(
        409,
        "GAIA_CO02",
        "The revision is not the latest. Someone may have changed the app's settings.",
        "指定したrevisionは最新ではありません。ほかのユーザーがアプリの設定を変更した可能性があります。",
    )
}

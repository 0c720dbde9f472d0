//! The one table of the operations the emulator serves ([`OPERATIONS`]), keyed by the spec's
//! operation ids, and [`dispatch`], which runs one of them.

use std::sync::LazyLock;

use serde_json::Value;

use super::context::{Ctx, Dispatch, Output, Upload};
use super::records::{self, acl, cursor};
use super::{
    apps, bulk, comments, files, form, notifications, permissions, plugins, process, schema,
    search, settings, spaces,
};
use crate::domain::access::Principal;
use crate::domain::error::{KintoneError, Result};
use crate::domain::ids::as_id;
use crate::domain::spec;

/// How an operation's handler is called: what it takes and what it answers.
#[derive(Clone, Copy)]
pub enum Handler {
    /// Answers JSON.
    Json(fn(&mut Ctx, &Value) -> Result<Value>),
    /// Answers JSON from an app's live settings, or from its pre-live ones for the operation's
    /// preview twin, which the spec names (`x-kintone-preview`) and this table does not.
    Settings(fn(&mut Ctx, &Value, bool) -> Result<Value>),
    /// Writes its own answer: records serialized as they are read, a file, a failed bulk
    /// request.
    Output(fn(&mut Ctx, &Value) -> Result<Output>),
    /// Takes the request's uploaded file.
    Upload(fn(&mut Ctx, Option<Upload>) -> Result<Value>),
    /// Runs other operations through the dispatcher it is handed (a bulk request).
    Runs(fn(&mut Ctx, &Value, Dispatch) -> Result<Output>),
}

/// Every operation the emulator answers, by the spec's operation id, family by family. A
/// preview twin is answered by its live operation's [`Handler::Settings`].
pub const OPERATIONS: &[(&str, Handler)] = {
    use Handler::{Json, Output, Runs, Settings, Upload};
    &[
        // records
        ("getRecord", Output(records::get_record)),
        ("addRecord", Json(records::add_record)),
        ("updateRecord", Json(records::update_record)),
        ("getRecords", Output(records::get_records)),
        ("addRecords", Json(records::add_records)),
        ("updateRecords", Json(records::update_records)),
        ("deleteRecords", Json(records::delete_records)),
        ("createCursor", Json(cursor::create)),
        ("getRecordsByCursor", Output(cursor::read)),
        ("deleteCursor", Json(cursor::delete)),
        ("evaluateRecordsAcl", Json(acl::evaluate)),
        // search
        ("search", Json(search::search)),
        // comments
        ("getRecordComments", Json(comments::list)),
        ("addRecordComment", Json(comments::add)),
        ("deleteRecordComment", Json(comments::delete)),
        // process
        ("updateRecordStatus", Json(process::update_status)),
        ("updateRecordsStatus", Json(process::update_statuses)),
        ("updateRecordAssignees", Json(process::update_assignees)),
        // bulk
        ("bulkRequest", Runs(bulk::run)),
        // files
        ("uploadFile", Upload(files::upload)),
        ("downloadFile", Output(files::download)),
        // spaces
        ("getSpace", Json(spaces::get)),
        ("updateSpace", Json(spaces::update)),
        ("deleteSpace", Json(spaces::delete)),
        ("updateSpaceBody", Json(spaces::update_body)),
        ("getSpaceMembers", Json(spaces::members)),
        ("updateSpaceMembers", Json(spaces::update_members)),
        ("updateSpaceGuests", Json(spaces::update_guests)),
        ("addThread", Json(spaces::add_thread)),
        ("updateThread", Json(spaces::update_thread)),
        ("addThreadComment", Json(spaces::add_thread_comment)),
        ("addSpaceFromTemplate", Json(spaces::add_from_template)),
        ("getSpacesStatistics", Json(spaces::statistics)),
        ("addGuests", Json(spaces::add_guests)),
        ("deleteGuests", Json(spaces::delete_guests)),
        // plugins
        ("getPlugins", Json(plugins::list)),
        ("getRequiredPlugins", Json(plugins::required)),
        ("getPluginApps", Json(plugins::apps)),
        ("installPlugin", Json(plugins::install)),
        ("updatePlugin", Json(plugins::update)),
        ("uninstallPlugin", Json(plugins::uninstall)),
        // schema
        ("getApis", Json(schema::list)),
        ("getApiSchema", Json(schema::get)),
        // apps
        ("getApp", Json(apps::get_app)),
        ("getApps", Json(apps::get_apps)),
        ("getAppsStatistics", Json(apps::statistics)),
        ("addApp", Json(apps::add_app)),
        ("moveApp", Json(apps::move_app)),
        ("getDeployStatus", Json(apps::get_deploy_status)),
        ("deployApps", Json(apps::deploy)),
        // form
        ("getFormFields", Settings(form::get_fields)),
        ("addFormFields", Json(form::add_fields)),
        ("updateFormFields", Json(form::update_fields)),
        ("deleteFormFields", Json(form::delete_fields)),
        ("getFormLayout", Settings(form::get_layout)),
        ("getForm", Settings(form::get_legacy_form)),
        ("updateFormLayout", Json(form::update_layout)),
        // permissions
        ("getAppPermissions", Settings(permissions::get_app)),
        ("updateAppPermissions", Settings(permissions::update_app)),
        ("getRecordPermissions", Settings(permissions::get_records)),
        (
            "updateRecordPermissions",
            Settings(permissions::update_records),
        ),
        ("getFieldPermissions", Settings(permissions::get_fields)),
        (
            "updateFieldPermissions",
            Settings(permissions::update_fields),
        ),
        // notifications
        (
            "getGeneralNotifications",
            Settings(notifications::get_general),
        ),
        (
            "updateGeneralNotifications",
            Json(notifications::update_general),
        ),
        (
            "getPerRecordNotifications",
            Settings(notifications::get_per_record),
        ),
        (
            "updatePerRecordNotifications",
            Json(notifications::update_per_record),
        ),
        (
            "getReminderNotifications",
            Settings(notifications::get_reminders),
        ),
        (
            "updateReminderNotifications",
            Json(notifications::update_reminders),
        ),
        // settings
        ("getViews", Settings(settings::get_views)),
        ("updateViews", Json(settings::update_views)),
        ("getGeneralSettings", Settings(settings::get_general)),
        ("updateGeneralSettings", Json(settings::update_general)),
        ("getProcessManagement", Settings(settings::get_process)),
        ("updateProcessManagement", Json(settings::update_process)),
        ("getCustomization", Settings(settings::get_customization)),
        ("updateCustomization", Json(settings::update_customization)),
        ("getAdminNotes", Settings(settings::get_admin_notes)),
        ("updateAdminNotes", Json(settings::update_admin_notes)),
        ("getAppPlugins", Settings(settings::get_app_plugins)),
        ("addAppPlugins", Json(settings::add_app_plugins)),
        ("getAppActions", Settings(settings::get_actions)),
        ("updateAppActions", Json(settings::update_actions)),
        ("getReports", Settings(settings::get_reports)),
        ("updateReports", Json(settings::update_reports)),
    ]
};

/// The handler of an operation, and whether the call is the preview twin of the operation the
/// table names.
fn handler(operation: &str) -> Option<(Handler, bool)> {
    let listed = |id: &str| OPERATIONS.iter().find(|(i, _)| *i == id).map(|(_, h)| *h);
    if let Some(handler) = listed(operation) {
        return Some((handler, false));
    }
    match listed(spec::live_of_preview(operation)?)? {
        settings @ Handler::Settings(_) => Some((settings, true)),
        _ => None,
    }
}

/// Every operation id the emulator answers for real: those of its table of operations, with
/// the spec's preview twin of each app-settings operation.
pub static IMPLEMENTED: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    OPERATIONS
        .iter()
        .flat_map(|(id, handler)| {
            let twin = match handler {
                Handler::Settings(_) => spec::preview_of(id),
                _ => None,
            };
            std::iter::once(*id).chain(twin)
        })
        .collect()
});

pub fn dispatch(
    ctx: &mut Ctx,
    operation: &str,
    params: &Value,
    upload: Option<Upload>,
) -> Result<Output> {
    if let Principal::OAuth { scopes, .. } = &ctx.principal {
        // The spec states each operation's scopes; one that states none is not for OAuth. A
        // bulk request needs none of its own: each request inside it is checked as it runs.
        let needed = crate::domain::spec::oauth_scopes(operation);
        let granted = needed.is_some_and(|needed| needed.iter().all(|n| scopes.contains(n)));
        if !granted {
            return Err(KintoneError::new(
                403,
                "CB_OA01",
                "Cannot access protected resource.",
                "保護されたリソースにアクセスできません。",
            ));
        }
    }
    // An app in a guest space answers only under that space's path, whatever the operation.
    if let Some(app) = params.get("app").and_then(as_id) {
        let today = ctx.domain_today();
        ctx.db.count_request(app, today);
        spaces::check_app_space(ctx, app)?;
    }
    // Get App names its app `id`, and answers by the same rule.
    if operation == "getApp" {
        if let Some(app) = params.get("id").and_then(as_id) {
            spaces::check_app_space(ctx, app)?;
        }
    }
    let Some((handler, preview)) = handler(operation) else {
        return Err(KintoneError::new(
            501,
            "EMULATOR_NI01",
            format!("The emulator does not implement {operation} yet."),
            format!("エミュレーターは{operation}にまだ対応していません。"),
        ));
    };
    match handler {
        Handler::Json(answer) => answer(ctx, params).map(Output::Json),
        Handler::Settings(answer) => answer(ctx, params, preview).map(Output::Json),
        Handler::Output(answer) => answer(ctx, params),
        Handler::Upload(answer) => answer(ctx, upload).map(Output::Json),
        Handler::Runs(answer) => answer(ctx, params, dispatch),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::config::Config;
    use crate::domain::error::ErrorIds;
    use crate::domain::store::Db;

    #[test]
    fn an_operation_without_a_handler_says_so_in_kintones_shape() {
        let config = Config::default();
        let error_ids = ErrorIds::default();
        let mut db = Db::default();
        let mut ctx = Ctx {
            db: &mut db,
            principal: Principal::User("a".into()),
            config: &config,
            japanese: false,
            guest_space: None,
            error_ids: &error_ids,
            base_url: String::new(),
        };
        let err = match dispatch(&mut ctx, "noSuchOperationEver", &Value::Null, None) {
            Err(e) => e,
            Ok(_) => panic!("an unknown operation must not succeed"),
        };
        assert_eq!((err.status.as_u16(), err.code), (501, "EMULATOR_NI01"));
        let body = err.body("id-1", false);
        assert_eq!(body["id"], "id-1");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains("noSuchOperationEver"));
    }

    #[test]
    fn every_spec_operation_is_read_and_implemented() {
        let ops = crate::domain::spec::operations();
        assert!(ops.len() >= 19);
        let implemented: std::collections::BTreeSet<&str> = IMPLEMENTED.iter().copied().collect();
        for op in &ops {
            assert!(
                implemented.contains(op.operation_id.as_str()),
                "{} has no handler",
                op.operation_id
            );
        }
    }

    /// The table names live operations of the spec only, once each: preview twins come from
    /// the spec, so an id the spec renames or drops fails here rather than going unserved.
    #[test]
    fn the_table_names_each_live_operation_of_the_spec_once() {
        let live: std::collections::BTreeSet<&str> = kintone_spec::bundled()
            .operations
            .iter()
            .map(|op| op.id.as_str())
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        for (id, _) in OPERATIONS {
            assert!(
                live.contains(id),
                "{id} is not a live operation of the spec"
            );
            assert!(seen.insert(*id), "{id} is listed twice");
        }
    }

    /// A settings read or write whose live operation has a preview twin answers the twin
    /// from the pre-live settings; one without a twin in the spec would never see `true`.
    #[test]
    fn preview_twins_are_the_specs_and_reach_the_live_handler() {
        for (id, listed) in OPERATIONS {
            let twin = crate::domain::spec::preview_of(id);
            match listed {
                Handler::Settings(_) => {
                    let twin = twin.unwrap_or_else(|| panic!("{id} has no preview twin"));
                    assert!(matches!(handler(twin), Some((Handler::Settings(_), true))));
                }
                _ => assert_eq!(twin, None, "{id}'s preview twin would go unserved"),
            }
        }
        assert!(handler("getFormFieldsPreview").is_some_and(|(_, preview)| preview));
        assert!(handler("getFormFields").is_some_and(|(_, preview)| !preview));
    }
}

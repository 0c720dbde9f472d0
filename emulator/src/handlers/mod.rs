//! One handler per operation of the spec, keyed by `operationId`.

mod acl;
mod apps;
mod bulk;
mod comments;
mod cursor;
mod files;
mod form;
pub(crate) mod notifications;
pub(crate) mod permissions;
pub(crate) mod plugins;
mod process;
pub(crate) mod records;
pub(crate) mod schema;
mod search;
mod settings;
pub(crate) mod spaces;

use std::sync::Arc;

use http::StatusCode;
use serde_json::Value;
use time::{OffsetDateTime, UtcOffset};

use crate::error::{KintoneError, Result};
use crate::server::{Config, Shared};
use crate::store::{Db, Entity, Permissions};

/// Every operation the emulator answers for real.
pub const IMPLEMENTED: &[&str] = &[
    "search",
    "getRecord",
    "addRecord",
    "updateRecord",
    "getRecords",
    "addRecords",
    "updateRecords",
    "deleteRecords",
    "createCursor",
    "getRecordsByCursor",
    "deleteCursor",
    "getRecordComments",
    "addRecordComment",
    "deleteRecordComment",
    "updateRecordStatus",
    "updateRecordsStatus",
    "updateRecordAssignees",
    "bulkRequest",
    "uploadFile",
    "downloadFile",
    "evaluateRecordsAcl",
    "getSpace",
    "updateSpace",
    "deleteSpace",
    "updateSpaceBody",
    "getSpaceMembers",
    "updateSpaceMembers",
    "updateSpaceGuests",
    "addThread",
    "updateThread",
    "addThreadComment",
    "addSpaceFromTemplate",
    "getSpacesStatistics",
    "addGuests",
    "deleteGuests",
    "getPlugins",
    "getRequiredPlugins",
    "getPluginApps",
    "installPlugin",
    "updatePlugin",
    "uninstallPlugin",
    "getApis",
    "getApiSchema",
    "getApp",
    "getApps",
    "getAppsStatistics",
    "addApp",
    "moveApp",
    "getDeployStatus",
    "deployApps",
    "getFormFields",
    "getFormFieldsPreview",
    "addFormFields",
    "updateFormFields",
    "deleteFormFields",
    "getFormLayout",
    "getFormLayoutPreview",
    "getForm",
    "getFormPreview",
    "updateFormLayout",
    "getAppPermissions",
    "getAppPermissionsPreview",
    "updateAppPermissions",
    "updateAppPermissionsPreview",
    "getRecordPermissions",
    "getRecordPermissionsPreview",
    "updateRecordPermissions",
    "updateRecordPermissionsPreview",
    "getFieldPermissions",
    "getFieldPermissionsPreview",
    "updateFieldPermissions",
    "updateFieldPermissionsPreview",
    "getGeneralNotifications",
    "getGeneralNotificationsPreview",
    "updateGeneralNotifications",
    "getPerRecordNotifications",
    "getPerRecordNotificationsPreview",
    "updatePerRecordNotifications",
    "getReminderNotifications",
    "getReminderNotificationsPreview",
    "updateReminderNotifications",
    "getViews",
    "getViewsPreview",
    "updateViews",
    "getGeneralSettings",
    "getGeneralSettingsPreview",
    "updateGeneralSettings",
    "getProcessManagement",
    "getProcessManagementPreview",
    "updateProcessManagement",
    "getCustomization",
    "getCustomizationPreview",
    "updateCustomization",
    "getAdminNotes",
    "getAdminNotesPreview",
    "updateAdminNotes",
    "getAppPlugins",
    "getAppPluginsPreview",
    "addAppPlugins",
    "getAppActions",
    "getAppActionsPreview",
    "updateAppActions",
    "getReports",
    "getReportsPreview",
    "updateReports",
];

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Principal {
    User(String),
    /// The apps and permissions of each API token sent.
    Tokens(Vec<(u64, Permissions)>),
    /// An OAuth access token: a user, limited to the token's scopes.
    OAuth {
        login: String,
        scopes: Vec<String>,
    },
}

/// What a permission check asks for.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    View,
    Add,
    Edit,
    Delete,
    /// App management: kintone's fifth permission, for app settings (see
    /// [`apps::require_settings`]).
    ManageApp,
}

/// What a handler answers.
pub enum Output {
    Json(Value),
    /// A JSON body already written (records, serialized without building `Value`s).
    Raw(Vec<u8>),
    File {
        content_type: String,
        name: String,
        bytes: bytes::Bytes,
    },
    /// A non-200 answer with a body of its own (a failed bulk request), and the code of the
    /// error inside it for `X-Cybozu-Error`.
    Error {
        status: StatusCode,
        code: &'static str,
        body: Value,
    },
}

/// An uploaded file from a multipart body.
pub struct Upload {
    pub name: String,
    pub content_type: String,
    pub bytes: bytes::Bytes,
}

pub struct Ctx<'a> {
    pub db: &'a mut Db,
    pub principal: Principal,
    pub config: &'a Config,
    pub japanese: bool,
    pub guest_space: Option<u64>,
    pub shared: &'a Shared,
    /// The URL the API's paths are relative to, as called (`http://{Host}/k/v1/`).
    pub base_url: String,
}

impl Ctx<'_> {
    /// The login name records are written as.
    pub fn login(&self) -> String {
        match &self.principal {
            Principal::User(login) | Principal::OAuth { login, .. } => login.clone(),
            Principal::Tokens(_) => crate::store::ADMINISTRATOR.to_string(),
        }
    }

    /// The caller's primary department, which `PRIMARY_ORGANIZATION()` names in a query.
    pub fn primary_organization(&self) -> Option<String> {
        self.db
            .directory
            .membership(&self.login())
            .and_then(|m| m.primary_department().map(str::to_string))
    }

    /// The caller as records name it, shared with every record the caller wrote.
    pub fn user_entity(&mut self) -> Arc<Entity> {
        let login = self.login();
        self.db.user_entity(&login)
    }

    /// The caller's time zone: the user's own, else the domain's (API tokens: the domain's).
    pub fn zone(&self) -> UtcOffset {
        let own = match &self.principal {
            Principal::User(login) | Principal::OAuth { login, .. } => self.db.zones.get(login),
            Principal::Tokens(_) => None,
        };
        own.copied()
            .or(self.db.domain_zone)
            .unwrap_or(UtcOffset::UTC)
    }

    /// Now, on the emulator's clock, in UTC.
    pub fn now_utc(&self) -> OffsetDateTime {
        OffsetDateTime::from(self.config.clock.wall())
    }

    /// Today in the domain's time zone (UTC when it has none), the day kintone counts requests
    /// by.
    pub fn domain_today(&self) -> time::Date {
        self.now_utc()
            .to_offset(self.db.domain_zone.unwrap_or(UtcOffset::UTC))
            .date()
    }

    /// Now, on the emulator's clock, in the caller's time zone.
    pub fn now_local(&self) -> OffsetDateTime {
        self.now_utc().to_offset(self.zone())
    }

    pub fn entity(&self) -> Value {
        let login = self.login();
        let name = self
            .db
            .users
            .get(&login)
            .map(|u| u.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| login.clone());
        serde_json::json!({"code": login, "name": name})
    }

    /// Fails unless the caller may do `need` in `app` (which must exist).
    pub fn require(&self, app: u64, need: Need) -> Result<()> {
        if !self.db.apps.contains_key(&app) {
            return Err(KintoneError::app_not_found(app));
        }
        if self.may(app, need) {
            Ok(())
        } else {
            Err(self.denied())
        }
    }

    /// Whether the caller may do `need` in `app`. Users (OAuth tokens too, whose scopes are
    /// checked per operation) what the app's live permissions grant them; API tokens what their
    /// app grants them.
    pub fn may(&self, app: u64, need: Need) -> bool {
        match &self.principal {
            Principal::User(login) | Principal::OAuth { login, .. } => {
                permissions::app_allows(self.db, app, login, Some(need))
            }
            Principal::Tokens(grants) => grants.iter().any(|(a, p)| *a == app && p.grants(need)),
        }
    }

    /// kintone's answer to a caller without a permission: `GAIA_NO01` for API tokens,
    /// `CB_NO02` for users.
    pub fn denied(&self) -> KintoneError {
        match &self.principal {
            Principal::User(_) | Principal::OAuth { .. } => KintoneError::no_permission(),
            Principal::Tokens(_) => KintoneError::token_no_permission(),
        }
    }

    /// Whether any credential may do `need` somewhere (files are not tied to an app).
    pub fn may_anywhere(&self, need: Need) -> bool {
        match &self.principal {
            Principal::User(_) | Principal::OAuth { .. } => true,
            Principal::Tokens(grants) => grants.iter().any(|(_, p)| p.grants(need)),
        }
    }
}

pub fn dispatch(
    ctx: &mut Ctx,
    operation: &str,
    params: &Value,
    upload: Option<Upload>,
) -> Result<Output> {
    if let Principal::OAuth { scopes, .. } = &ctx.principal {
        // The spec states each operation's scopes; one that states none is not for OAuth. A
        // bulk request needs none of its own: each request inside it is checked as it runs.
        let needed = crate::spec::oauth_scopes(operation);
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
    let json = |v: Result<Value>| v.map(Output::Json);
    match operation {
        "getRecord" => records::get_record(ctx, params),
        "addRecord" => json(records::add_record(ctx, params)),
        "updateRecord" => json(records::update_record(ctx, params)),
        "getRecords" => records::get_records(ctx, params),
        "search" => json(search::search(ctx, params)),
        "addRecords" => json(records::add_records(ctx, params)),
        "updateRecords" => json(records::update_records(ctx, params)),
        "deleteRecords" => json(records::delete_records(ctx, params)),
        "createCursor" => json(cursor::create(ctx, params)),
        "getRecordsByCursor" => cursor::read(ctx, params),
        "deleteCursor" => json(cursor::delete(ctx, params)),
        "getRecordComments" => json(comments::list(ctx, params)),
        "addRecordComment" => json(comments::add(ctx, params)),
        "deleteRecordComment" => json(comments::delete(ctx, params)),
        "updateRecordStatus" => json(process::update_status(ctx, params)),
        "updateRecordsStatus" => json(process::update_statuses(ctx, params)),
        "updateRecordAssignees" => json(process::update_assignees(ctx, params)),
        "bulkRequest" => bulk::run(ctx, params),
        "uploadFile" => json(files::upload(ctx, upload)),
        "downloadFile" => files::download(ctx, params),
        "evaluateRecordsAcl" => json(acl::evaluate(ctx, params)),
        "getSpace" => json(spaces::get(ctx, params)),
        "updateSpace" => json(spaces::update(ctx, params)),
        "deleteSpace" => json(spaces::delete(ctx, params)),
        "updateSpaceBody" => json(spaces::update_body(ctx, params)),
        "getSpaceMembers" => json(spaces::members(ctx, params)),
        "updateSpaceMembers" => json(spaces::update_members(ctx, params)),
        "updateSpaceGuests" => json(spaces::update_guests(ctx, params)),
        "addThread" => json(spaces::add_thread(ctx, params)),
        "updateThread" => json(spaces::update_thread(ctx, params)),
        "addThreadComment" => json(spaces::add_thread_comment(ctx, params)),
        "addSpaceFromTemplate" => json(spaces::add_from_template(ctx, params)),
        "getSpacesStatistics" => json(spaces::statistics(ctx, params)),
        "addGuests" => json(spaces::add_guests(ctx, params)),
        "deleteGuests" => json(spaces::delete_guests(ctx, params)),
        "getPlugins" => json(plugins::list(ctx, params)),
        "getRequiredPlugins" => json(plugins::required(ctx, params)),
        "getPluginApps" => json(plugins::apps(ctx, params)),
        "installPlugin" => json(plugins::install(ctx, params)),
        "updatePlugin" => json(plugins::update(ctx, params)),
        "uninstallPlugin" => json(plugins::uninstall(ctx, params)),
        "getApis" => json(schema::list(ctx, params)),
        "getApiSchema" => json(schema::get(ctx, params)),
        "getApp" => json(apps::get_app(ctx, params)),
        "getApps" => json(apps::get_apps(ctx, params)),
        "getAppsStatistics" => json(apps::statistics(ctx, params)),
        "addApp" => json(apps::add_app(ctx, params)),
        "moveApp" => json(apps::move_app(ctx, params)),
        "getDeployStatus" => json(apps::get_deploy_status(ctx, params)),
        "deployApps" => json(apps::deploy(ctx, params)),
        "getFormFields" => json(form::get_fields(ctx, params, false)),
        "getFormFieldsPreview" => json(form::get_fields(ctx, params, true)),
        "addFormFields" => json(form::add_fields(ctx, params)),
        "updateFormFields" => json(form::update_fields(ctx, params)),
        "deleteFormFields" => json(form::delete_fields(ctx, params)),
        "getFormLayout" => json(form::get_layout(ctx, params, false)),
        "getFormLayoutPreview" => json(form::get_layout(ctx, params, true)),
        "getForm" => json(form::get_legacy_form(ctx, params, false)),
        "getFormPreview" => json(form::get_legacy_form(ctx, params, true)),
        "updateFormLayout" => json(form::update_layout(ctx, params)),
        "getAppPermissions" => json(permissions::get_app(ctx, params, false)),
        "getAppPermissionsPreview" => json(permissions::get_app(ctx, params, true)),
        "updateAppPermissions" => json(permissions::update_app(ctx, params, false)),
        "updateAppPermissionsPreview" => json(permissions::update_app(ctx, params, true)),
        "getRecordPermissions" => json(permissions::get_records(ctx, params, false)),
        "getRecordPermissionsPreview" => json(permissions::get_records(ctx, params, true)),
        "updateRecordPermissions" => json(permissions::update_records(ctx, params, false)),
        "updateRecordPermissionsPreview" => json(permissions::update_records(ctx, params, true)),
        "getFieldPermissions" => json(permissions::get_fields(ctx, params, false)),
        "getFieldPermissionsPreview" => json(permissions::get_fields(ctx, params, true)),
        "updateFieldPermissions" => json(permissions::update_fields(ctx, params, false)),
        "updateFieldPermissionsPreview" => json(permissions::update_fields(ctx, params, true)),
        "getGeneralNotifications" => json(notifications::get_general(ctx, params, false)),
        "getGeneralNotificationsPreview" => json(notifications::get_general(ctx, params, true)),
        "updateGeneralNotifications" => json(notifications::update_general(ctx, params)),
        "getPerRecordNotifications" => json(notifications::get_per_record(ctx, params, false)),
        "getPerRecordNotificationsPreview" => {
            json(notifications::get_per_record(ctx, params, true))
        }
        "updatePerRecordNotifications" => json(notifications::update_per_record(ctx, params)),
        "getReminderNotifications" => json(notifications::get_reminders(ctx, params, false)),
        "getReminderNotificationsPreview" => json(notifications::get_reminders(ctx, params, true)),
        "updateReminderNotifications" => json(notifications::update_reminders(ctx, params)),
        "getViews" => json(settings::get_views(ctx, params, false)),
        "getViewsPreview" => json(settings::get_views(ctx, params, true)),
        "updateViews" => json(settings::update_views(ctx, params)),
        "getGeneralSettings" => json(settings::get_general(ctx, params, false)),
        "getGeneralSettingsPreview" => json(settings::get_general(ctx, params, true)),
        "updateGeneralSettings" => json(settings::update_general(ctx, params)),
        "getProcessManagement" => json(settings::get_process(ctx, params, false)),
        "getProcessManagementPreview" => json(settings::get_process(ctx, params, true)),
        "updateProcessManagement" => json(settings::update_process(ctx, params)),
        "getCustomization" => json(settings::get_customization(ctx, params, false)),
        "getCustomizationPreview" => json(settings::get_customization(ctx, params, true)),
        "updateCustomization" => json(settings::update_customization(ctx, params)),
        "getAdminNotes" => json(settings::get_admin_notes(ctx, params, false)),
        "getAdminNotesPreview" => json(settings::get_admin_notes(ctx, params, true)),
        "updateAdminNotes" => json(settings::update_admin_notes(ctx, params)),
        "getAppPlugins" => json(settings::get_app_plugins(ctx, params, false)),
        "getAppPluginsPreview" => json(settings::get_app_plugins(ctx, params, true)),
        "addAppPlugins" => json(settings::add_app_plugins(ctx, params)),
        "getAppActions" => json(settings::get_actions(ctx, params, false)),
        "getAppActionsPreview" => json(settings::get_actions(ctx, params, true)),
        "updateAppActions" => json(settings::update_actions(ctx, params)),
        "getReports" => json(settings::get_reports(ctx, params, false)),
        "getReportsPreview" => json(settings::get_reports(ctx, params, true)),
        "updateReports" => json(settings::update_reports(ctx, params)),
        other => Err(KintoneError::new(
            501,
            "EMULATOR_NI01",
            format!("The emulator does not implement {other} yet."),
            format!("エミュレーターは{other}にまだ対応していません。"),
        )),
    }
}

/// A required id parameter, given as a JSON string or number.
pub fn id_param(params: &Value, key: &str) -> Result<u64> {
    match params.get(key) {
        None | Some(Value::Null) => Err(KintoneError::invalid(key, "Required field.")),
        Some(v) => as_id(v).ok_or_else(|| KintoneError::invalid(key, "Enter an integer value.")),
    }
}

pub fn as_id(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// A boolean kintone also takes as the string `"true"` or `"false"`; left out is `false`.
pub fn flag_param(v: Option<&Value>, at: &str) -> Result<bool> {
    match v {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s == "true" => Ok(true),
        Some(Value::String(s)) if s == "false" => Ok(false),
        Some(_) => Err(KintoneError::invalid(at, "Enter true or false.")),
    }
}

/// An optional revision: absent, `-1` or `"-1"` mean "do not check".
pub fn revision_param(v: Option<&Value>) -> Result<Option<u64>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) if v.as_i64() == Some(-1) || v.as_str() == Some("-1") => Ok(None),
        Some(v) => as_id(v)
            .map(Some)
            .ok_or_else(|| KintoneError::invalid("revision", "Enter an integer value.")),
    }
}

pub fn str_param<'v>(params: &'v Value, key: &str) -> Option<&'v str> {
    params.get(key).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{Config, Shared};

    #[test]
    fn an_operation_without_a_handler_says_so_in_kintones_shape() {
        let shared = Shared::new(Db::default(), Config::default());
        let mut db = Db::default();
        let mut ctx = Ctx {
            db: &mut db,
            principal: Principal::User("a".into()),
            config: &shared.config,
            japanese: false,
            guest_space: None,
            shared: &shared,
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
}

//! An app as data: every setting kintone's REST API reads and writes, in one serde value.
//!
//! [`AppDefinition::read`] reads an app's fields, layout, views, graphs, general settings,
//! process management, actions, customization, plug-ins, admin notes, permissions and
//! notifications. The value round-trips through JSON or YAML, so it can be kept in version
//! control, reviewed and edited. [`AppDefinition::diff`] says what differs between two
//! definitions, setting by setting. [`AppDefinition::apply_to`] writes a definition to another
//! app (in the same domain or another one) through its pre-live settings and deploys it: this
//! is how an app is promoted from a test domain to production.
//!
//! Reading and applying a definition need kintone's app management for the app, on both sides:
//! an API token generated with the app-management permission, or a user whom the app's
//! permissions grant it. A token with the record permissions alone is refused (`403
//! GAIA_NO01`), and so is a user without app management (`403 CB_NO02`).
//!
//! What kintone gives each app on its own is left out, so that the definitions of two copies
//! are equal: settings revisions, the IDs of views, graphs and actions, and upload keys
//! (customization files and a file icon are kept by their content instead, and uploaded again
//! on apply).
//!
//! What the REST API cannot carry is not in a definition: plug-in settings, category lists and
//! whether categories are on, and records. References to other apps (lookups, related records,
//! action targets) are kept as they are; [`AppDefinition::map_app_ids`] rewrites them for the
//! domain a definition is applied to.

// A failed read or apply ends the job once, so the error's size costs nothing worth boxing
// kintone's error for, and unboxed it can be matched in place (`source: Error::Api(..)`).
#![allow(clippy::result_large_err)]

mod apply;
mod diff;
mod files;
mod read;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    AppActionInput, AppIconType, AppId, AppPlugin, AppRight, AppTheme, CustomizationScope,
    DeployError, DeployOutcome, Error, FieldProperties, FieldRight, FiscalMonth,
    GeneralNotification, LayoutBlock, NumberPrecision, PerRecordNotification, ProcessAction,
    ProcessState, RecordRight, RelatedApp, ReminderNotification, ReportInput, TitleField,
    ViewInput,
};

pub use apply::{ApplyDefinition, ApplyOutcome};
pub use diff::{Change, DefinitionDiff};
pub use files::{EmbeddedFile, FileContent};

/// Every setting of an app that kintone's REST API reads and writes; see the
/// [module documentation](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AppDefinition {
    /// Name, description, icon, theme and the general options.
    pub general: GeneralDefinition,
    /// Form fields by field code, the fields every app has included.
    pub fields: BTreeMap<String, FieldProperties>,
    /// How the fields are laid out on the form.
    pub layout: Vec<LayoutBlock>,
    /// Views by name.
    pub views: BTreeMap<String, ViewInput>,
    /// Graphs by name.
    pub reports: BTreeMap<String, ReportInput>,
    /// Process management: statuses and actions.
    pub process: ProcessDefinition,
    /// Actions (creating records in another app) by name.
    pub actions: BTreeMap<String, AppActionInput>,
    /// JavaScript and CSS customization.
    pub customization: CustomizationDefinition,
    /// The plug-ins added to the app. Their settings cannot be read through the REST API.
    pub plugins: Vec<AppPlugin>,
    /// The app's admin notes.
    pub admin_notes: AdminNotesDefinition,
    /// App, record and field permissions.
    pub permissions: PermissionsDefinition,
    /// General, per-record and reminder notifications.
    pub notifications: NotificationsDefinition,
}

/// An app's name, description, icon, theme and general options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GeneralDefinition {
    /// The app's name.
    pub name: String,
    /// The app's description, in HTML.
    pub description: String,
    /// The app's icon.
    pub icon: IconDefinition,
    /// The app's color theme.
    pub theme: AppTheme,
    /// Which field titles the app's records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_field: Option<TitleField>,
    /// Whether attached images show as thumbnails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_thumbnails: Option<bool>,
    /// Whether records may be deleted in bulk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_bulk_deletion: Option<bool>,
    /// Whether records take comments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_comments: Option<bool>,
    /// Whether records may be duplicated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_duplicate_record: Option<bool>,
    /// Whether records may be edited in the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_inline_record_editing: Option<bool>,
    /// How numbers and calculations are rounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_precision: Option<NumberPrecision>,
    /// The first month of the fiscal year, `1` to `12`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_month_of_fiscal_year: Option<FiscalMonth>,
}

/// An app's icon: one of kintone's own, or an image kept by its content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum IconDefinition {
    /// One of kintone's icons, by key (such as `APP72`).
    Preset {
        /// The icon's key.
        key: String,
    },
    /// An uploaded image.
    File {
        /// The image.
        file: EmbeddedFile,
    },
}

/// Process management: whether it is on, its statuses and its actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProcessDefinition {
    /// Whether process management is on.
    pub enable: bool,
    /// Statuses by name; `None` for an app whose process was never set.
    #[serde(default)]
    pub states: Option<BTreeMap<String, ProcessState>>,
    /// The actions that move a record between statuses.
    #[serde(default)]
    pub actions: Option<Vec<ProcessAction>>,
}

/// JavaScript and CSS customization, with files kept by their content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CustomizationDefinition {
    /// Who the customization applies to.
    pub scope: CustomizationScope,
    /// Scripts and style sheets on desktop.
    pub desktop: ResourcesDefinition,
    /// Scripts and style sheets on mobile.
    pub mobile: ResourcesDefinition,
}

/// Scripts and style sheets, in the order kintone loads them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourcesDefinition {
    /// JavaScript.
    #[serde(default)]
    pub js: Vec<ResourceDefinition>,
    /// CSS.
    #[serde(default)]
    pub css: Vec<ResourceDefinition>,
}

/// A script or style sheet: by URL, or a file kept by its content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ResourceDefinition {
    /// Loaded from a URL.
    Url {
        /// The URL.
        url: String,
    },
    /// An uploaded file.
    File {
        /// The file.
        file: EmbeddedFile,
    },
}

/// An app's admin notes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdminNotesDefinition {
    /// The notes, in HTML.
    pub content: String,
    /// Whether the notes go with templates and copies of the app.
    pub include_in_template_and_duplicates: bool,
}

/// App, record and field permissions, each in kintone's order of priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PermissionsDefinition {
    /// Who may manage the app and view, add, edit, delete, import and export records.
    pub app: Vec<AppRight>,
    /// Who may view, edit and delete records that meet conditions.
    pub records: Vec<RecordRight>,
    /// Who may view and edit each field.
    pub fields: Vec<FieldRight>,
}

/// General, per-record and reminder notifications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NotificationsDefinition {
    /// Whom changes to records are notified to.
    pub general: Vec<GeneralNotification>,
    /// Whether those who comment on a record are notified of later comments.
    pub notify_to_commenter: bool,
    /// Notifications of records that meet conditions.
    pub per_record: Vec<PerRecordNotification>,
    /// Reminders on date and date-time fields.
    pub reminders: Vec<ReminderNotification>,
    /// The time zone reminders are sent in.
    pub reminder_timezone: String,
}

/// One group of an app's settings, as kintone reads and writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// General settings.
    General,
    /// Form fields.
    Fields,
    /// Form layout.
    Layout,
    /// Views.
    Views,
    /// Graphs.
    Reports,
    /// Process management.
    Process,
    /// Actions.
    Actions,
    /// JavaScript and CSS customization.
    Customization,
    /// The app's plug-ins.
    Plugins,
    /// Admin notes.
    AdminNotes,
    /// App permissions.
    AppPermissions,
    /// Record permissions.
    RecordPermissions,
    /// Field permissions.
    FieldPermissions,
    /// General notifications.
    GeneralNotifications,
    /// Per-record notifications.
    PerRecordNotifications,
    /// Reminder notifications.
    ReminderNotifications,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::General => "general settings",
            Self::Fields => "form fields",
            Self::Layout => "form layout",
            Self::Views => "views",
            Self::Reports => "graphs",
            Self::Process => "process management",
            Self::Actions => "actions",
            Self::Customization => "customization",
            Self::Plugins => "plug-ins",
            Self::AdminNotes => "admin notes",
            Self::AppPermissions => "app permissions",
            Self::RecordPermissions => "record permissions",
            Self::FieldPermissions => "field permissions",
            Self::GeneralNotifications => "general notifications",
            Self::PerRecordNotifications => "per-record notifications",
            Self::ReminderNotifications => "reminder notifications",
        })
    }
}

/// Why a definition could not be read or applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DefinitionError {
    /// Reading a setting failed.
    #[error("reading the {setting} of app {app} failed")]
    Read {
        /// The app read.
        app: AppId,
        /// The setting being read.
        setting: Setting,
        /// What kintone or the transport answered.
        #[source]
        source: Error,
    },
    /// A setting holds a value this version cannot write back (a kind kintone added since), so
    /// a definition holding it would not be faithful.
    #[error("the {setting} hold a value that cannot be written back: {reason}")]
    Unrepresentable {
        /// The setting.
        setting: Setting,
        /// What could not be represented.
        reason: String,
    },
    /// An embedded file's content is not valid.
    #[error("the file {name:?} in the {setting} cannot be decoded: {reason}")]
    InvalidFile {
        /// The setting holding the file.
        setting: Setting,
        /// The file's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Writing a setting to the target app's pre-live settings failed. `written` says what
    /// had been written before; when `reverted` is true, the pre-live settings were discarded
    /// again, so the app is as its live settings say. With nothing written, the app is as it
    /// was.
    #[error("writing the {setting} of app {app} failed{}", if *.reverted { " (its pre-live settings were reverted)" } else { "" })]
    Apply {
        /// The target app.
        app: AppId,
        /// The setting being written.
        setting: Setting,
        /// The settings written before this one, in order.
        written: Vec<Setting>,
        /// Whether the pre-live settings were discarded after the failure.
        reverted: bool,
        /// What kintone or the transport answered.
        #[source]
        source: Error,
    },
    /// The deploy could not be followed to its end.
    #[error(transparent)]
    Deploy(#[from] DeployError),
    /// The deploy ended, but not with `SUCCESS`.
    #[error("the deploy did not succeed: {0:?}")]
    DeployFailed(DeployOutcome),
}

impl AppDefinition {
    /// Rewrites the references to other apps (lookups, related records and action targets)
    /// that `map` names, from the app IDs of the domain a definition was read from to those of
    /// the domain it is applied to. References to apps `map` does not name are left as they
    /// are.
    pub fn map_app_ids<A, B>(&mut self, map: impl IntoIterator<Item = (A, B)>)
    where
        A: Into<AppId>,
        B: Into<AppId>,
    {
        let map: BTreeMap<u64, u64> = map
            .into_iter()
            .map(|(a, b)| (a.into().get(), b.into().get()))
            .collect();
        for properties in self.fields.values_mut() {
            map_related_apps(properties, &map);
        }
        for action in self.actions.values_mut() {
            if let Some(dest) = action.dest_app.as_mut() {
                if let Some(to) = dest.app.and_then(|app| map.get(&app.get())) {
                    dest.app = Some(AppId::from(*to));
                }
            }
        }
    }
}

impl IconDefinition {
    fn icon_type(&self) -> AppIconType {
        match self {
            Self::Preset { .. } => AppIconType::Preset,
            Self::File { .. } => AppIconType::File,
        }
    }
}

/// Rewrites `relatedApp.app` wherever a field's properties hold one: a lookup (text or number),
/// related records, and the same inside a table.
fn map_related_apps(properties: &mut FieldProperties, map: &BTreeMap<u64, u64>) {
    let remap = |related: &mut RelatedApp| {
        if let Some(to) = related.app.and_then(|app| map.get(&app.get())) {
            related.app = Some(AppId::from(*to));
        }
    };
    match properties {
        FieldProperties::SingleLineText(p) => {
            p.lookup.iter_mut().for_each(|l| remap(&mut l.related_app))
        }
        FieldProperties::Number(p) => p.lookup.iter_mut().for_each(|l| remap(&mut l.related_app)),
        FieldProperties::ReferenceTable(p) => p
            .reference_table
            .iter_mut()
            .for_each(|t| remap(&mut t.related_app)),
        FieldProperties::Subtable(p) => {
            for inner in p.fields.iter_mut().flat_map(|f| f.values_mut()) {
                map_related_apps(inner, map);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Lookups (in a table too) and related records follow the map; other apps stay.
    #[test]
    fn related_apps_are_rewritten_wherever_fields_name_them() {
        let lookup = |app: &str| {
            json!({"relatedApp": {"app": app, "code": ""}, "relatedKeyField": "Code",
                   "fieldMappings": [], "lookupPickerFields": [], "filterCond": "", "sort": ""})
        };
        let fields: BTreeMap<String, FieldProperties> = serde_json::from_value(json!({
            "Customer": {"type": "SINGLE_LINE_TEXT", "code": "Customer", "lookup": lookup("7")},
            "Lines": {"type": "SUBTABLE", "code": "Lines", "fields": {
                "Price": {"type": "NUMBER", "code": "Price", "lookup": lookup("8")},
            }},
            "Orders": {"type": "REFERENCE_TABLE", "code": "Orders", "referenceTable": {
                "relatedApp": {"app": "7", "code": ""},
                "condition": {"field": "Code", "relatedField": "Code"},
                "filterCond": "", "displayFields": ["Code"], "sort": "", "size": "5"}},
        }))
        .unwrap();
        let mut mapped = fields.clone();
        for properties in mapped.values_mut() {
            map_related_apps(properties, &BTreeMap::from([(7, 70)]));
        }
        let apps = |fields: &BTreeMap<String, FieldProperties>| {
            let value = serde_json::to_value(fields).unwrap();
            [
                value["Customer"]["lookup"]["relatedApp"]["app"].clone(),
                value["Lines"]["fields"]["Price"]["lookup"]["relatedApp"]["app"].clone(),
                value["Orders"]["referenceTable"]["relatedApp"]["app"].clone(),
            ]
        };
        assert_eq!(apps(&fields), [json!("7"), json!("8"), json!("7")]);
        assert_eq!(apps(&mapped), [json!("70"), json!("8"), json!("70")]);
    }
}

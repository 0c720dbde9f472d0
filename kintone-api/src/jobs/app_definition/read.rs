//! Reading an app's settings into a definition, all at once (the client's concurrency limit
//! bounds how many reads are in flight).

use futures_util::future::try_join4;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::files::{download, EmbeddedFile};
use super::{
    AdminNotesDefinition, AppDefinition, CustomizationDefinition, DefinitionError,
    GeneralDefinition, IconDefinition, NotificationsDefinition, PermissionsDefinition,
    ProcessDefinition, ResourceDefinition, ResourcesDefinition, Setting,
};
use crate::runtime::{HasPreview, Operation, Preview};
use crate::{
    AppIcon, AppIconType, AppId, Client, CustomizationFiles, CustomizationResource,
    CustomizationResourceType, GetAdminNotesRequest, GetAppActionsRequest,
    GetAppPermissionsRequest, GetAppPluginsRequest, GetCustomizationRequest,
    GetFieldPermissionsRequest, GetFormFieldsRequest, GetFormLayoutRequest,
    GetGeneralNotificationsRequest, GetGeneralSettingsRequest, GetPerRecordNotificationsRequest,
    GetProcessManagementRequest, GetRecordPermissionsRequest, GetReminderNotificationsRequest,
    GetReportsRequest, GetViewsRequest, SettingsFile, SettingsRevision,
};

impl AppDefinition {
    /// Reads every setting of an app as it is live.
    ///
    /// The client needs kintone's app management for the app (an API token generated with the
    /// app-management permission, or a user whom the app's permissions grant it): the app's
    /// permissions and notifications are read by app managers only, even live. Without it the
    /// read stops with [`DefinitionError::Read`] on `403 GAIA_NO01` (a token) or `403 CB_NO02`
    /// (a user).
    pub async fn read(client: &Client, app: impl Into<AppId>) -> Result<Self, DefinitionError> {
        read(client, app.into(), false).await.map(|(d, _)| d)
    }

    /// Reads every setting of an app as its pre-live settings stand: what a deploy would make
    /// live. Pre-live settings are read with app management only (see [`AppDefinition::read`]).
    pub async fn read_preview(
        client: &Client,
        app: impl Into<AppId>,
    ) -> Result<Self, DefinitionError> {
        read(client, app.into(), true).await.map(|(d, _)| d)
    }
}

/// Reads one setting, live or pre-live, naming the setting in the error.
async fn get<R: HasPreview>(
    client: &Client,
    app: AppId,
    setting: Setting,
    request: R,
    preview: bool,
) -> Result<R::Response, DefinitionError>
where
    Preview<R>: Operation<Response = R::Response>,
{
    let read = if preview {
        client.send(Preview(request)).await
    } else {
        client.send(request).await
    };
    read.map(crate::Response::into_body)
        .map_err(|source| DefinitionError::Read {
            app,
            setting,
            source,
        })
}

/// Re-reads a value kintone gave as the shape kintone takes, leaving out the keys kintone
/// assigns on its own (`id`s).
pub(super) fn as_input<T: Serialize, U: DeserializeOwned>(
    setting: Setting,
    value: &T,
    assigned: &[&str],
) -> Result<U, DefinitionError> {
    let unrepresentable = |e: serde_json::Error| DefinitionError::Unrepresentable {
        setting,
        reason: e.to_string(),
    };
    let mut value = serde_json::to_value(value).map_err(unrepresentable)?;
    if let Some(object) = value.as_object_mut() {
        for key in assigned {
            object.remove(*key);
        }
    }
    serde_json::from_value(value).map_err(unrepresentable)
}

/// Reads a definition with the settings revision it was read at: the lowest of the revisions
/// the reads gave, so that a change made while reading makes the next write stale.
pub(super) async fn read(
    client: &Client,
    app: AppId,
    preview: bool,
) -> Result<(AppDefinition, SettingsRevision), DefinitionError> {
    use Setting::*;
    let (
        (general, fields, layout, views),
        (reports, process, actions, customization),
        (plugins, notes, app_rights, record_rights),
        (field_rights, general_notifications, per_record, reminders),
    ) = try_join4(
        try_join4(
            get(
                client,
                app,
                General,
                GetGeneralSettingsRequest::new(app),
                preview,
            ),
            get(client, app, Fields, GetFormFieldsRequest::new(app), preview),
            get(client, app, Layout, GetFormLayoutRequest::new(app), preview),
            get(client, app, Views, GetViewsRequest::new(app), preview),
        ),
        try_join4(
            get(client, app, Reports, GetReportsRequest::new(app), preview),
            get(
                client,
                app,
                Process,
                GetProcessManagementRequest::new(app),
                preview,
            ),
            get(
                client,
                app,
                Actions,
                GetAppActionsRequest::new(app),
                preview,
            ),
            get(
                client,
                app,
                Customization,
                GetCustomizationRequest::new(app),
                preview,
            ),
        ),
        try_join4(
            get(
                client,
                app,
                Plugins,
                GetAppPluginsRequest::new(app),
                preview,
            ),
            get(
                client,
                app,
                AdminNotes,
                GetAdminNotesRequest::new(app),
                preview,
            ),
            get(
                client,
                app,
                AppPermissions,
                GetAppPermissionsRequest::new(app),
                preview,
            ),
            get(
                client,
                app,
                RecordPermissions,
                GetRecordPermissionsRequest::new(app),
                preview,
            ),
        ),
        try_join4(
            get(
                client,
                app,
                FieldPermissions,
                GetFieldPermissionsRequest::new(app),
                preview,
            ),
            get(
                client,
                app,
                GeneralNotifications,
                GetGeneralNotificationsRequest::new(app),
                preview,
            ),
            get(
                client,
                app,
                PerRecordNotifications,
                GetPerRecordNotificationsRequest::new(app),
                preview,
            ),
            get(
                client,
                app,
                ReminderNotifications,
                GetReminderNotificationsRequest::new(app),
                preview,
            ),
        ),
    )
    .await?;

    let revision = [
        general.revision,
        fields.revision,
        layout.revision,
        views.revision,
        reports.revision,
        process.revision,
        actions.revision,
        customization.revision,
        plugins.revision,
        notes.revision,
        app_rights.revision,
        record_rights.revision,
        field_rights.revision,
        general_notifications.revision,
        per_record.revision,
        reminders.revision,
    ]
    .into_iter()
    .min_by_key(|r| r.get())
    .unwrap_or(general.revision);

    let mut view_inputs = std::collections::BTreeMap::new();
    for (name, view) in &views.views {
        view_inputs.insert(name.clone(), as_input(Views, view, &["id"])?);
    }
    let mut report_inputs = std::collections::BTreeMap::new();
    for (name, report) in &reports.reports {
        report_inputs.insert(name.clone(), as_input(Reports, report, &["id"])?);
    }
    let mut action_inputs = std::collections::BTreeMap::new();
    for (name, action) in &actions.actions {
        action_inputs.insert(name.clone(), as_input(Actions, action, &["id"])?);
    }

    let definition = AppDefinition {
        general: GeneralDefinition {
            icon: icon_of(client, app, &general.icon).await?,
            name: general.name,
            description: general.description,
            theme: general.theme,
            title_field: general.title_field,
            enable_thumbnails: general.enable_thumbnails,
            enable_bulk_deletion: general.enable_bulk_deletion,
            enable_comments: general.enable_comments,
            enable_duplicate_record: general.enable_duplicate_record,
            enable_inline_record_editing: general.enable_inline_record_editing,
            number_precision: general.number_precision,
            first_month_of_fiscal_year: general.first_month_of_fiscal_year,
        },
        fields: fields.properties,
        layout: layout.layout,
        views: view_inputs,
        reports: report_inputs,
        process: ProcessDefinition {
            enable: process.enable,
            states: process.states,
            actions: process.actions,
        },
        actions: action_inputs,
        customization: CustomizationDefinition {
            scope: customization.scope,
            desktop: resources_of(client, app, &customization.desktop).await?,
            mobile: resources_of(client, app, &customization.mobile).await?,
        },
        plugins: plugins.plugins,
        admin_notes: AdminNotesDefinition {
            content: notes.content,
            include_in_template_and_duplicates: notes.include_in_template_and_duplicates,
        },
        permissions: PermissionsDefinition {
            app: app_rights.rights,
            records: record_rights.rights,
            fields: field_rights.rights,
        },
        notifications: NotificationsDefinition {
            general: general_notifications.notifications,
            notify_to_commenter: general_notifications.notify_to_commenter,
            per_record: per_record.notifications,
            reminders: reminders.notifications,
            reminder_timezone: reminders.timezone,
        },
    };
    check_writable(&definition)?;
    Ok((definition, revision))
}

/// Refuses a definition holding values this version reads but cannot write back (kinds
/// kintone added since): applying it would silently drop them.
pub(super) fn check_writable(definition: &AppDefinition) -> Result<(), DefinitionError> {
    macro_rules! check {
        ($setting:expr, $value:expr) => {
            serde_json::to_value($value).map_err(|e| DefinitionError::Unrepresentable {
                setting: $setting,
                reason: e.to_string(),
            })?;
        };
    }
    check!(Setting::General, &definition.general);
    check!(Setting::Fields, &definition.fields);
    check!(Setting::Layout, &definition.layout);
    check!(Setting::Process, &definition.process);
    check!(Setting::Customization, &definition.customization);
    check!(Setting::Plugins, &definition.plugins);
    check!(Setting::AppPermissions, &definition.permissions.app);
    check!(Setting::RecordPermissions, &definition.permissions.records);
    check!(Setting::FieldPermissions, &definition.permissions.fields);
    check!(
        Setting::GeneralNotifications,
        &definition.notifications.general
    );
    check!(
        Setting::PerRecordNotifications,
        &definition.notifications.per_record
    );
    check!(
        Setting::ReminderNotifications,
        &definition.notifications.reminders
    );
    Ok(())
}

async fn icon_of(
    client: &Client,
    app: AppId,
    icon: &AppIcon,
) -> Result<IconDefinition, DefinitionError> {
    match (icon.r#type, &icon.key, &icon.file) {
        (AppIconType::Preset, Some(key), _) => Ok(IconDefinition::Preset { key: key.clone() }),
        (AppIconType::File, _, Some(file)) => Ok(IconDefinition::File {
            file: embedded(client, app, Setting::General, file).await?,
        }),
        _ => Err(DefinitionError::Unrepresentable {
            setting: Setting::General,
            reason: format!("an icon of type {:?} without its key or file", icon.r#type),
        }),
    }
}

/// Downloads a file the settings hold, to keep it by its content.
async fn embedded(
    client: &Client,
    app: AppId,
    setting: Setting,
    file: &SettingsFile,
) -> Result<EmbeddedFile, DefinitionError> {
    download(
        client,
        &file.file_key,
        file.name.as_deref(),
        file.content_type.as_deref(),
    )
    .await
    .map_err(|source| DefinitionError::Read {
        app,
        setting,
        source,
    })
}

async fn resources_of(
    client: &Client,
    app: AppId,
    files: &CustomizationFiles,
) -> Result<ResourcesDefinition, DefinitionError> {
    let mut out = ResourcesDefinition::default();
    for (from, to) in [(&files.js, &mut out.js), (&files.css, &mut out.css)] {
        for resource in from.iter().flatten() {
            to.push(resource_of(client, app, resource).await?);
        }
    }
    Ok(out)
}

async fn resource_of(
    client: &Client,
    app: AppId,
    resource: &CustomizationResource,
) -> Result<ResourceDefinition, DefinitionError> {
    match (resource.r#type, &resource.url, &resource.file) {
        (CustomizationResourceType::Url, Some(url), _) => {
            Ok(ResourceDefinition::Url { url: url.clone() })
        }
        (CustomizationResourceType::File, _, Some(file)) => Ok(ResourceDefinition::File {
            file: embedded(client, app, Setting::Customization, file).await?,
        }),
        _ => Err(DefinitionError::Unrepresentable {
            setting: Setting::Customization,
            reason: format!(
                "a resource of type {:?} without its URL or file",
                resource.r#type
            ),
        }),
    }
}

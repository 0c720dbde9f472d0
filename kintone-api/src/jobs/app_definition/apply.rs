//! Writing a definition to an app: only the settings that differ from the app's pre-live
//! settings are written, each at the revision the previous write left (so a change made by
//! someone else meanwhile is refused rather than overwritten), then the app is deployed.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Duration;

use super::files::upload;
use super::read::{check_writable, read};
use super::{
    AppDefinition, DefinitionError, IconDefinition, ResourceDefinition, ResourcesDefinition,
    Setting,
};
use crate::runtime::{Operation, Preview};
use crate::{
    limits, AddAppPluginsRequest, AddFormFieldsRequest, AppIcon, AppId, Client, CustomizationFiles,
    CustomizationResource, CustomizationResourceType, DeleteFormFieldsRequest, DeployAndWait,
    DeployOutcome, DeployTarget, Error, FieldProperties, ProcessState, SettingsFile,
    SettingsRevision, UpdateAdminNotesRequest, UpdateAppActionsRequest,
    UpdateAppPermissionsRequest, UpdateCustomizationRequest, UpdateFieldPermissionsRequest,
    UpdateFormFieldsRequest, UpdateFormLayoutRequest, UpdateGeneralNotificationsRequest,
    UpdateGeneralSettingsRequest, UpdatePerRecordNotificationsRequest,
    UpdateProcessManagementRequest, UpdateRecordPermissionsRequest,
    UpdateReminderNotificationsRequest, UpdateReportsRequest, UpdateViewsRequest,
};

/// The fields every app has, one of each type: matched by type, since a definition may have
/// renamed them. They can be changed but never added or deleted.
const BUILT_IN: &[&str] = &[
    "RECORD_NUMBER",
    "CREATOR",
    "CREATED_TIME",
    "MODIFIER",
    "UPDATED_TIME",
];

/// Fields that follow other settings (process management, categories) and that the form API
/// does not write.
const FOLLOWING: &[&str] = &["STATUS", "STATUS_ASSIGNEE", "CATEGORY"];

/// What applying a definition did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApplyOutcome {
    /// The settings that differed and were written, in the order they were written.
    pub written: Vec<Setting>,
    /// How the deploy ended; `None` when the definition was left in the pre-live settings.
    pub deploy: Option<DeployOutcome>,
}

/// A definition to write to an app: see [`AppDefinition::apply_to`].
#[must_use = "nothing is sent until `send` is awaited"]
pub struct ApplyDefinition<'a> {
    definition: &'a AppDefinition,
    client: &'a Client,
    app: AppId,
    deploy: bool,
    revert_on_failure: bool,
    /// How the deploy is followed; its target is set once the writes are done.
    deploy_and_wait: DeployAndWait<'a>,
}

impl std::fmt::Debug for ApplyDefinition<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplyDefinition")
            .field("app", &self.app)
            .field("deploy", &self.deploy)
            .field("revert_on_failure", &self.revert_on_failure)
            .field("deploy_and_wait", &self.deploy_and_wait)
            .finish_non_exhaustive()
    }
}

impl AppDefinition {
    /// Writes this definition to an app's pre-live settings, then deploys it and waits for the
    /// deploy to end. The app may be in another domain (another client); references to other
    /// apps are written as they are (see [`AppDefinition::map_app_ids`]).
    ///
    /// Only the settings that differ from the app's pre-live settings are written. Should a
    /// write fail, the app's pre-live settings are reverted to its live ones by default, so the
    /// app is left as it was (pre-live changes made by others before are discarded too).
    ///
    /// The target client needs kintone's app management for the app, as every settings write
    /// and deploy does: an API token generated with the app-management permission, or a user
    /// whom the app's permissions grant it (an app's creator has it, so a user who creates the
    /// target app with Add App may apply to it).
    pub fn apply_to<'a>(
        &'a self,
        client: &'a Client,
        app: impl Into<AppId>,
    ) -> ApplyDefinition<'a> {
        ApplyDefinition {
            definition: self,
            client,
            app: app.into(),
            deploy: true,
            revert_on_failure: true,
            deploy_and_wait: client.deploy_and_wait(Vec::<DeployTarget>::new()),
        }
    }
}

impl ApplyDefinition<'_> {
    /// Whether to deploy after writing (the default), or leave the definition in the pre-live
    /// settings for review.
    pub fn deploy(mut self, deploy: bool) -> Self {
        self.deploy = deploy;
        self
    }

    /// Whether a failed write reverts the pre-live settings (the default).
    pub fn revert_on_failure(mut self, revert: bool) -> Self {
        self.revert_on_failure = revert;
        self
    }

    /// How long to wait for the deploy in all, as [`DeployAndWait::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.deploy_and_wait = self.deploy_and_wait.timeout(timeout);
        self
    }

    /// How long to wait between two reads of the deploy status, as
    /// [`DeployAndWait::poll_interval`].
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.deploy_and_wait = self.deploy_and_wait.poll_interval(interval);
        self
    }

    /// How to wait between two reads of the deploy status, as [`DeployAndWait::wait_with`].
    pub fn wait_with<F, Fut>(mut self, wait: F) -> Self
    where
        F: Fn(Duration) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.deploy_and_wait = self.deploy_and_wait.wait_with(wait);
        self
    }

    /// Writes what differs, then deploys.
    pub async fn send(self) -> Result<ApplyOutcome, DefinitionError> {
        check_writable(self.definition)?;
        check_files(self.definition)?;
        let (current, revision) = read(self.client, self.app, true).await?;
        let mut writer = Writer {
            client: self.client,
            app: self.app,
            revision,
            written: Vec::new(),
        };
        if let Err((setting, source)) = writer.write_all(self.definition, &current).await {
            return Err(self.failed(writer.written, setting, source).await);
        }
        let written = writer.written;
        if !self.deploy {
            return Ok(ApplyOutcome {
                written,
                deploy: None,
            });
        }
        let outcome = self
            .deploy_and_wait
            .targets(vec![DeployTarget::new(self.app).revision(writer.revision)])
            .send()
            .await?;
        if !outcome.succeeded() {
            return Err(DefinitionError::DeployFailed(outcome));
        }
        Ok(ApplyOutcome {
            written,
            deploy: Some(outcome),
        })
    }

    async fn failed(
        &self,
        written: Vec<Setting>,
        setting: Setting,
        source: Error,
    ) -> DefinitionError {
        let reverted = !written.is_empty()
            && self.revert_on_failure
            && self
                .client
                .apps()
                .deploy_apps([DeployTarget::new(self.app)])
                .revert(true)
                .send()
                .await
                .is_ok();
        DefinitionError::Apply {
            app: self.app,
            setting,
            written,
            reverted,
            source,
        }
    }
}

/// Embedded files are decoded before anything is sent, so bad content cannot stop a write
/// half-way.
fn check_files(definition: &AppDefinition) -> Result<(), DefinitionError> {
    let mut files = Vec::new();
    if let IconDefinition::File { file } = &definition.general.icon {
        files.push((Setting::General, file));
    }
    let custom = &definition.customization;
    for resources in [&custom.desktop, &custom.mobile] {
        for resource in resources.js.iter().chain(&resources.css) {
            if let ResourceDefinition::File { file } = resource {
                files.push((Setting::Customization, file));
            }
        }
    }
    for (setting, file) in files {
        file.content
            .to_bytes()
            .map_err(|e| DefinitionError::InvalidFile {
                setting,
                name: file.name.clone(),
                reason: e.to_string(),
            })?;
    }
    Ok(())
}

struct Writer<'a> {
    client: &'a Client,
    app: AppId,
    revision: SettingsRevision,
    written: Vec<Setting>,
}

/// kintone keeps an app's first status: a definition whose first status has another name
/// renames it, by writing it under the current first status's name.
fn renaming_first_state(
    mut states: BTreeMap<String, ProcessState>,
    current: Option<&BTreeMap<String, ProcessState>>,
) -> BTreeMap<String, ProcessState> {
    let first = |states: &BTreeMap<String, ProcessState>| {
        states
            .iter()
            .find(|(_, s)| s.index == 0)
            .map(|(name, _)| name.clone())
    };
    let (Some(wanted), Some(current)) = (first(&states), current.and_then(first)) else {
        return states;
    };
    if wanted != current && !states.contains_key(&current) {
        if let Some(state) = states.remove(&wanted) {
            states.insert(current, state);
        }
    }
    states
}

impl Writer<'_> {
    /// Sends one write at the current revision and keeps the revision it leaves.
    async fn send<O>(&mut self, setting: Setting, request: O) -> Result<(), (Setting, Error)>
    where
        O: Operation + AtRevision,
        O::Response: Revised,
    {
        let request = request.at_revision(self.revision);
        let response = self.client.send(request).await.map_err(|e| (setting, e))?;
        self.revision = response.into_body().revision();
        if self.written.last() != Some(&setting) {
            self.written.push(setting);
        }
        Ok(())
    }

    async fn write_all(
        &mut self,
        want: &AppDefinition,
        have: &AppDefinition,
    ) -> Result<(), (Setting, Error)> {
        let app = self.app;
        if want.fields != have.fields {
            self.write_fields(&want.fields, &have.fields).await?;
        }
        if want.layout != have.layout {
            self.send(
                Setting::Layout,
                UpdateFormLayoutRequest::new(app, want.layout.clone()),
            )
            .await?;
        }
        if want.general != have.general {
            let general = &want.general;
            let mut request = UpdateGeneralSettingsRequest::new(app);
            request.name = Some(general.name.clone());
            request.description = Some(general.description.clone());
            request.icon = Some(self.icon(&general.icon).await?);
            request.theme = Some(general.theme);
            request.title_field = general.title_field.clone();
            request.enable_thumbnails = general.enable_thumbnails;
            request.enable_bulk_deletion = general.enable_bulk_deletion;
            request.enable_comments = general.enable_comments;
            request.enable_duplicate_record = general.enable_duplicate_record;
            request.enable_inline_record_editing = general.enable_inline_record_editing;
            request.number_precision = general.number_precision.clone();
            request.first_month_of_fiscal_year = general.first_month_of_fiscal_year;
            self.send(Setting::General, request).await?;
        }
        if want.views != have.views {
            self.send(
                Setting::Views,
                UpdateViewsRequest::new(app, want.views.clone()),
            )
            .await?;
        }
        if want.reports != have.reports {
            self.send(
                Setting::Reports,
                UpdateReportsRequest::new(app, want.reports.clone()),
            )
            .await?;
        }
        if want.process != have.process {
            let mut request = UpdateProcessManagementRequest::new(app);
            request.enable = Some(want.process.enable);
            request.states = want
                .process
                .states
                .clone()
                .map(|states| renaming_first_state(states, have.process.states.as_ref()));
            request.actions = want.process.actions.clone();
            self.send(Setting::Process, request).await?;
        }
        if want.actions != have.actions {
            self.send(
                Setting::Actions,
                UpdateAppActionsRequest::new(app, want.actions.clone()),
            )
            .await?;
        }
        if want.customization != have.customization {
            let custom = &want.customization;
            let mut request = UpdateCustomizationRequest::new(app);
            request.scope = Some(custom.scope);
            request.desktop = Some(self.resources(&custom.desktop).await?);
            request.mobile = Some(self.resources(&custom.mobile).await?);
            self.send(Setting::Customization, request).await?;
        }
        let installed: BTreeSet<&str> = have.plugins.iter().map(|p| p.id.as_str()).collect();
        let missing: Vec<String> = want
            .plugins
            .iter()
            .filter(|p| !installed.contains(p.id.as_str()))
            .map(|p| p.id.clone())
            .collect();
        if !missing.is_empty() {
            self.send(Setting::Plugins, AddAppPluginsRequest::new(app, missing))
                .await?;
        }
        if want.admin_notes != have.admin_notes {
            let mut request = UpdateAdminNotesRequest::new(app);
            request.content = Some(want.admin_notes.content.clone());
            request.include_in_template_and_duplicates =
                Some(want.admin_notes.include_in_template_and_duplicates);
            self.send(Setting::AdminNotes, request).await?;
        }
        let (want_rights, have_rights) = (&want.permissions, &have.permissions);
        if want_rights.app != have_rights.app {
            self.send(
                Setting::AppPermissions,
                Preview(UpdateAppPermissionsRequest::new(
                    app,
                    want_rights.app.clone(),
                )),
            )
            .await?;
        }
        if want_rights.records != have_rights.records {
            self.send(
                Setting::RecordPermissions,
                Preview(UpdateRecordPermissionsRequest::new(
                    app,
                    want_rights.records.clone(),
                )),
            )
            .await?;
        }
        if want_rights.fields != have_rights.fields {
            self.send(
                Setting::FieldPermissions,
                Preview(UpdateFieldPermissionsRequest::new(
                    app,
                    want_rights.fields.clone(),
                )),
            )
            .await?;
        }
        let (want_notes, have_notes) = (&want.notifications, &have.notifications);
        if (&want_notes.general, want_notes.notify_to_commenter)
            != (&have_notes.general, have_notes.notify_to_commenter)
        {
            let mut request = UpdateGeneralNotificationsRequest::new(app);
            request.notifications = Some(want_notes.general.clone());
            request.notify_to_commenter = Some(want_notes.notify_to_commenter);
            self.send(Setting::GeneralNotifications, request).await?;
        }
        if want_notes.per_record != have_notes.per_record {
            self.send(
                Setting::PerRecordNotifications,
                UpdatePerRecordNotificationsRequest::new(app, want_notes.per_record.clone()),
            )
            .await?;
        }
        if (&want_notes.reminders, &want_notes.reminder_timezone)
            != (&have_notes.reminders, &have_notes.reminder_timezone)
        {
            let mut request = UpdateReminderNotificationsRequest::new(app);
            request.notifications = Some(want_notes.reminders.clone());
            request.timezone = Some(want_notes.reminder_timezone.clone());
            self.send(Setting::ReminderNotifications, request).await?;
        }
        Ok(())
    }

    /// Deletes the fields the definition does not have (and those whose type changed, which
    /// kintone cannot change in place), changes those that differ, then adds the new ones.
    async fn write_fields(
        &mut self,
        want: &BTreeMap<String, FieldProperties>,
        have: &BTreeMap<String, FieldProperties>,
    ) -> Result<(), (Setting, Error)> {
        let app = self.app;
        let mut delete = Vec::new();
        let mut update = BTreeMap::new();
        let mut add = BTreeMap::new();
        for (code, current) in have {
            let kind = current.field_type();
            if BUILT_IN.contains(&kind) {
                let wanted = want.values().find(|p| p.field_type() == kind);
                if let Some(wanted) = wanted.filter(|w| *w != current) {
                    update.insert(code.clone(), wanted.clone());
                }
                continue;
            }
            if FOLLOWING.contains(&kind) {
                continue;
            }
            match want.get(code) {
                Some(wanted) if wanted.field_type() == kind => {
                    if wanted != current {
                        update.insert(code.clone(), wanted.clone());
                    }
                }
                _ => delete.push(code.clone()),
            }
        }
        for (code, wanted) in want {
            let kind = wanted.field_type();
            if BUILT_IN.contains(&kind) || FOLLOWING.contains(&kind) {
                continue;
            }
            if have.get(code).map(FieldProperties::field_type) != Some(kind) {
                add.insert(code.clone(), wanted.clone());
            }
        }
        for chunk in delete.chunks(limits::MAX_FIELDS_PER_DELETE) {
            self.send(
                Setting::Fields,
                DeleteFormFieldsRequest::new(app, chunk.to_vec()),
            )
            .await?;
        }
        if !update.is_empty() {
            self.send(Setting::Fields, UpdateFormFieldsRequest::new(app, update))
                .await?;
        }
        if !add.is_empty() {
            self.send(Setting::Fields, AddFormFieldsRequest::new(app, add))
                .await?;
        }
        Ok(())
    }

    async fn icon(&self, icon: &IconDefinition) -> Result<AppIcon, (Setting, Error)> {
        Ok(match icon {
            IconDefinition::Preset { key } => AppIcon::new(icon.icon_type()).key(key.clone()),
            IconDefinition::File { file } => {
                let key = upload(self.client, file)
                    .await
                    .map_err(|e| (Setting::General, e))?;
                AppIcon::new(icon.icon_type()).file(SettingsFile::new(key))
            }
        })
    }

    async fn resources(
        &self,
        resources: &ResourcesDefinition,
    ) -> Result<CustomizationFiles, (Setting, Error)> {
        let mut js = Vec::new();
        let mut css = Vec::new();
        for (from, to) in [(&resources.js, &mut js), (&resources.css, &mut css)] {
            for resource in from {
                to.push(match resource {
                    ResourceDefinition::Url { url } => {
                        CustomizationResource::new(CustomizationResourceType::Url).url(url.clone())
                    }
                    ResourceDefinition::File { file } => {
                        let key = upload(self.client, file)
                            .await
                            .map_err(|e| (Setting::Customization, e))?;
                        CustomizationResource::new(CustomizationResourceType::File)
                            .file(SettingsFile::new(key))
                    }
                });
            }
        }
        Ok(CustomizationFiles::new().js(js).css(css))
    }
}

/// A write that names the settings revision it expects.
trait AtRevision {
    fn at_revision(self, revision: SettingsRevision) -> Self;
}

impl<R: AtRevision> AtRevision for Preview<R> {
    fn at_revision(self, revision: SettingsRevision) -> Self {
        Preview(self.0.at_revision(revision))
    }
}

macro_rules! at_revision {
    ($($t:ty),*) => {$(
        impl AtRevision for $t {
            fn at_revision(mut self, revision: SettingsRevision) -> Self {
                self.revision = Some(revision.into());
                self
            }
        }
    )*};
}

at_revision!(
    UpdateFormLayoutRequest,
    UpdateGeneralSettingsRequest,
    UpdateViewsRequest,
    UpdateReportsRequest,
    UpdateProcessManagementRequest,
    UpdateAppActionsRequest,
    UpdateCustomizationRequest,
    AddAppPluginsRequest,
    UpdateAdminNotesRequest,
    UpdateAppPermissionsRequest,
    UpdateRecordPermissionsRequest,
    UpdateFieldPermissionsRequest,
    UpdateGeneralNotificationsRequest,
    UpdatePerRecordNotificationsRequest,
    UpdateReminderNotificationsRequest,
    DeleteFormFieldsRequest,
    UpdateFormFieldsRequest,
    AddFormFieldsRequest
);

/// A write's answer, which carries the settings revision it left.
trait Revised {
    fn revision(self) -> SettingsRevision;
}

macro_rules! revised {
    ($($t:ty),*) => {$(
        impl Revised for $t {
            fn revision(self) -> SettingsRevision {
                self.revision
            }
        }
    )*};
}

revised!(
    crate::SettingsChanged,
    crate::ViewsChanged,
    crate::ReportsChanged,
    crate::AppActionsChanged
);

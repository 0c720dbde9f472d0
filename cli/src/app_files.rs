//! Apps as files: `app pull` writes an app's settings as one YAML file per settings area and a
//! lock file with the revision it read; `app diff` shows what a push would change; `app push`
//! applies the folder to an app, refusing when the app changed since the lock was written.
//! `form types` writes the typed record structs of a form.

use std::collections::BTreeMap;
use std::path::Path;

use kintone_api::{AppDefinition, Client, GetGeneralSettingsRequest, Preview};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::cli::{AppDirArgs, FormTypesArgs, PushArgs};
use crate::connection;
use crate::error::CliError;

/// The lock file's name in an app's folder.
const LOCK_FILE: &str = "lock.yaml";

/// The revisions of the apps a folder was read from or written to, so that a push notices an
/// app changed by someone else since.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Lock {
    /// By `BASE_URL#APP`: the app's settings revision (pre-live, which every change raises).
    revisions: BTreeMap<String, u64>,
}

impl Lock {
    fn read(dir: &Path) -> Result<Self, CliError> {
        let path = dir.join(LOCK_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_yaml::from_str(&text)
                .map_err(|e| CliError::Input(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(CliError::Io {
                context: format!("reading {}", path.display()),
                source: e,
            }),
        }
    }

    fn write(&self, dir: &Path) -> Result<(), CliError> {
        let text = serde_yaml::to_string(self).expect("a lock is YAML");
        let path = dir.join(LOCK_FILE);
        std::fs::write(&path, text).map_err(CliError::io(format!("writing {}", path.display())))
    }
}

fn lock_key(base_url: &str, app: u64) -> String {
    format!("{}#{app}", base_url.trim_end_matches('/'))
}

/// The app's settings revision, pre-live: raised by every change, deployed or not.
async fn revision(client: &Client, app: u64) -> Result<u64, CliError> {
    let answer = client
        .send(Preview(GetGeneralSettingsRequest::new(app)))
        .await?;
    Ok(answer.body().revision.get())
}

/// `adminNotes` as a file name: `admin-notes.yaml`.
fn file_name(area: &str) -> String {
    let mut name = String::new();
    for c in area.chars() {
        if c.is_ascii_uppercase() {
            name.push('-');
        }
        name.push(c.to_ascii_lowercase());
    }
    format!("{name}.yaml")
}

/// The settings areas of a definition, each with its value.
fn areas(definition: &AppDefinition) -> Result<Map<String, Value>, CliError> {
    match serde_json::to_value(definition) {
        Ok(Value::Object(areas)) => Ok(areas),
        _ => Err(CliError::Other("the definition is not an object".into())),
    }
}

/// Writes one YAML file per settings area.
fn write_definition(dir: &Path, definition: &AppDefinition) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(CliError::io(format!("creating {}", dir.display())))?;
    for (area, value) in areas(definition)? {
        let path = dir.join(file_name(&area));
        let text = serde_yaml::to_string(&value)
            .map_err(|e| CliError::Other(format!("{area} as YAML: {e}")))?;
        std::fs::write(&path, text).map_err(CliError::io(format!("writing {}", path.display())))?;
    }
    Ok(())
}

/// Reads the folder back into a definition; a missing or unreadable area names its file.
fn read_definition(dir: &Path, like: &AppDefinition) -> Result<AppDefinition, CliError> {
    let mut areas_read = Map::new();
    for area in areas(like)?.keys() {
        let path = dir.join(file_name(area));
        let text = std::fs::read_to_string(&path)
            .map_err(CliError::io(format!("reading {}", path.display())))?;
        let value: Value = serde_yaml::from_str(&text)
            .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
        areas_read.insert(area.clone(), value);
    }
    serde_json::from_value(Value::Object(areas_read))
        .map_err(|e| CliError::Input(format!("{}: not an app definition: {e}", dir.display())))
}

pub async fn pull(args: AppDirArgs, quiet: bool) -> Result<(), CliError> {
    let client = connection::client(&args.connection)?;
    let before = revision(&client, args.app).await?;
    let definition = AppDefinition::read_preview(&client, args.app).await?;
    let after = revision(&client, args.app).await?;
    if before != after {
        return Err(CliError::Other(format!(
            "app {} changed while it was read (revision {before}, then {after}): pull again",
            args.app
        )));
    }
    write_definition(&args.dir, &definition)?;
    let mut lock = Lock::read(&args.dir)?;
    lock.revisions.insert(
        lock_key(connection::base_url(&args.connection)?, args.app),
        after,
    );
    lock.write(&args.dir)?;
    if !quiet {
        eprintln!(
            "pulled app {} (revision {after}) into {}",
            args.app,
            args.dir.display()
        );
    }
    Ok(())
}

pub async fn diff(args: AppDirArgs) -> Result<(), CliError> {
    let client = connection::client(&args.connection)?;
    let current = AppDefinition::read_preview(&client, args.app).await?;
    let wanted = read_definition(&args.dir, &current)?;
    let changes = current.diff(&wanted);
    if changes.is_empty() {
        println!("no changes");
    } else {
        print!("{changes}");
    }
    Ok(())
}

pub async fn push(args: PushArgs, quiet: bool) -> Result<(), CliError> {
    let target = &args.target;
    let client = connection::client(&target.connection)?;
    let key = lock_key(connection::base_url(&target.connection)?, target.app);
    let mut lock = Lock::read(&target.dir)?;
    let now = revision(&client, target.app).await?;
    if let Some(&locked) = lock.revisions.get(&key) {
        if locked != now && !args.force {
            return Err(CliError::Other(format!(
                "app {} changed since this folder last read or wrote it (revision {locked}, now \
                 {now}): run app diff to see how, app pull to take the changes, or push with \
                 --force to overwrite them",
                target.app
            )));
        }
    }
    let current = AppDefinition::read_preview(&client, target.app).await?;
    let wanted = read_definition(&target.dir, &current)?;
    let changes = current.diff(&wanted);
    if args.dry_run {
        if changes.is_empty() {
            println!("no changes");
        } else {
            print!("{changes}");
        }
        return Ok(());
    }
    let outcome = wanted
        .apply_to(&client, target.app)
        .deploy(!args.no_deploy)
        .send()
        .await?;
    if let Some(deploy) = &outcome.deploy {
        if !deploy.succeeded() {
            return Err(CliError::Other(format!(
                "the deploy of app {} did not succeed: {deploy:?}",
                target.app
            )));
        }
    }
    lock.revisions
        .insert(key, revision(&client, target.app).await?);
    lock.write(&target.dir)?;
    if !quiet {
        let written: Vec<String> = outcome.written.iter().map(|s| format!("{s:?}")).collect();
        eprintln!(
            "pushed to app {}: {} setting(s) written{}{}",
            target.app,
            written.len(),
            if written.is_empty() {
                String::new()
            } else {
                format!(" ({})", written.join(", "))
            },
            if args.no_deploy {
                ", left in the pre-live settings"
            } else {
                ", deployed"
            }
        );
    }
    Ok(())
}

pub async fn form_types(args: FormTypesArgs) -> Result<(), CliError> {
    use kintone_codegen::form::{generate_form, FormOptions};
    let (json, source) = match (&args.json, args.app) {
        (Some(path), _) => (
            std::fs::read_to_string(path)
                .map_err(CliError::io(format!("reading {}", path.display())))?,
            path.display().to_string(),
        ),
        (None, Some(app)) => {
            let client = connection::client(&args.connection)?;
            let form = client
                .send(kintone_api::GetFormFieldsRequest::new(app))
                .await?;
            let json = serde_json::to_string(form.body()).expect("the form is JSON");
            (json, format!("app {app}"))
        }
        (None, None) => {
            return Err(CliError::Usage(
                "give --app (with the connection) or --json".into(),
            ))
        }
    };
    let options = FormOptions {
        struct_name: args.name.clone(),
        source,
        renames: BTreeMap::new(),
    };
    let module = generate_form(&json, &options).map_err(|e| CliError::Input(e.to_string()))?;
    match &args.out {
        Some(path) => std::fs::write(path, module)
            .map_err(CliError::io(format!("writing {}", path.display())))?,
        None => print!("{module}"),
    }
    Ok(())
}

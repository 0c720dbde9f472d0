//! Apps as files: `app pull` writes an app's settings as one YAML file per settings area and a
//! lock file with the revision it read; `app diff` shows what a push would change; `app push`
//! applies the folder to an app, refusing when the app changed since the lock was written.
//! `form types` writes the typed record structs of a form.

use std::collections::BTreeMap;
use std::path::Path;

use kintone_api::types::GetGeneralSettingsRequest;
use kintone_api::{AppDefinition, Client, Preview};
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

/// A project file (`kintone.yaml`): several apps, their folders, and their ids in each
/// environment.
///
/// ```yaml
/// source: test            # the environment the folders are pulled from
/// apps:
///   customers: {dir: apps/customers}
///   orders: {dir: apps/orders, depends_on: [customers]}
/// environments:
///   test: {base_url: "https://test.example.com", apps: {customers: 10, orders: 11}}
///   prod: {apps: {customers: 110, orders: 111}}
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Project {
    source: String,
    apps: BTreeMap<String, ProjectApp>,
    environments: BTreeMap<String, Environment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectApp {
    dir: std::path::PathBuf,
    #[serde(default)]
    depends_on: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Environment {
    /// The domain; the connection options' unless given.
    base_url: Option<String>,
    apps: BTreeMap<String, u64>,
}

/// One app to work on: its id, its folder, and the id mapping of its references.
struct Target {
    name: String,
    app: u64,
    dir: std::path::PathBuf,
    /// From the source environment's app ids to the target's.
    map: Vec<(u64, u64)>,
}

impl Project {
    fn read(path: &Path) -> Result<Self, CliError> {
        let text = std::fs::read_to_string(path)
            .map_err(CliError::io(format!("reading {}", path.display())))?;
        let project: Project = serde_yaml::from_str(&text)
            .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
        if !project.environments.contains_key(&project.source) {
            return Err(CliError::Input(format!(
                "{}: the source environment {} is not among the environments",
                path.display(),
                project.source
            )));
        }
        Ok(project)
    }

    /// The apps in dependency order (an app after those it depends on), refusing a cycle or a
    /// dependency the project does not name.
    fn ordered(&self) -> Result<Vec<&str>, CliError> {
        let mut order: Vec<&str> = Vec::new();
        let mut visiting: Vec<&str> = Vec::new();
        fn visit<'p>(
            project: &'p Project,
            name: &'p str,
            order: &mut Vec<&'p str>,
            visiting: &mut Vec<&'p str>,
        ) -> Result<(), CliError> {
            if order.contains(&name) {
                return Ok(());
            }
            if visiting.contains(&name) {
                return Err(CliError::Input(format!(
                    "the project's apps depend on each other in a cycle: {} -> {name}",
                    visiting.join(" -> ")
                )));
            }
            let app = project.apps.get(name).ok_or_else(|| {
                CliError::Input(format!(
                    "the project has no app {name} (named in depends_on)"
                ))
            })?;
            visiting.push(name);
            for dependency in &app.depends_on {
                visit(project, dependency, order, visiting)?;
            }
            visiting.pop();
            order.push(name);
            Ok(())
        }
        for name in self.apps.keys() {
            visit(self, name, &mut order, &mut visiting)?;
        }
        Ok(order)
    }

    fn environment(&self, name: &str) -> Result<&Environment, CliError> {
        self.environments
            .get(name)
            .ok_or_else(|| CliError::Usage(format!("the project has no environment {name}")))
    }

    /// The apps of an environment, in dependency order, with the mapping of references from
    /// the source environment's ids.
    fn targets(&self, env: &str, project_dir: &Path) -> Result<Vec<Target>, CliError> {
        let environment = self.environment(env)?;
        let source = self.environment(&self.source)?;
        let id_in = |environment: &Environment, env: &str, name: &str| {
            environment.apps.get(name).copied().ok_or_else(|| {
                CliError::Input(format!(
                    "the environment {env} has no id for the app {name}"
                ))
            })
        };
        let mut map = Vec::new();
        for name in self.apps.keys() {
            map.push((
                id_in(source, &self.source, name)?,
                id_in(environment, env, name)?,
            ));
        }
        self.ordered()?
            .into_iter()
            .map(|name| {
                Ok(Target {
                    name: name.to_string(),
                    app: id_in(environment, env, name)?,
                    dir: project_dir.join(&self.apps[name].dir),
                    map: map.clone(),
                })
            })
            .collect()
    }
}

/// What a command works on: the one app of `--app`/`--dir`, or the apps of a project's
/// environment; and the connection, with the environment's domain when it names one.
fn targets(args: &AppDirArgs) -> Result<(Vec<Target>, crate::cli::ConnectionArgs), CliError> {
    let mut connection = args.connection.clone();
    match (&args.project, args.app, &args.dir) {
        (Some(path), _, _) => {
            let project = Project::read(path)?;
            let env = args.env.clone().unwrap_or_else(|| project.source.clone());
            if let Some(url) = &project.environment(&env)?.base_url {
                connection.base_url = Some(url.clone());
            }
            let project_dir = path.parent().unwrap_or(Path::new("."));
            Ok((project.targets(&env, project_dir)?, connection))
        }
        (None, Some(app), Some(dir)) => Ok((
            vec![Target {
                name: format!("app {app}"),
                app,
                dir: dir.clone(),
                map: Vec::new(),
            }],
            connection,
        )),
        _ => Err(CliError::Usage("give --app and --dir, or --project".into())),
    }
}

pub async fn pull(args: AppDirArgs, quiet: bool) -> Result<(), CliError> {
    if let (Some(path), Some(env)) = (&args.project, &args.env) {
        let project = Project::read(path)?;
        if *env != project.source {
            return Err(CliError::Usage(format!(
                "a project's folders hold the app ids of its source environment ({}): pull from                  it, not from {env}",
                project.source
            )));
        }
    }
    let (targets, connection) = targets(&args)?;
    let client = connection::client(&connection)?;
    let base_url = connection::base_url(&connection)?;
    for target in targets {
        let before = revision(&client, target.app).await?;
        let definition = AppDefinition::read_preview(&client, target.app).await?;
        let after = revision(&client, target.app).await?;
        if before != after {
            return Err(CliError::Other(format!(
                "{} changed while it was read (revision {before}, then {after}): pull again",
                target.name
            )));
        }
        write_definition(&target.dir, &definition)?;
        let mut lock = Lock::read(&target.dir)?;
        lock.revisions.insert(lock_key(base_url, target.app), after);
        lock.write(&target.dir)?;
        if !quiet {
            eprintln!(
                "pulled {} (app {}, revision {after}) into {}",
                target.name,
                target.app,
                target.dir.display()
            );
        }
    }
    Ok(())
}

/// The folder's definition, with its references mapped to the target environment's apps.
fn wanted(target: &Target, current: &AppDefinition) -> Result<AppDefinition, CliError> {
    let mut wanted = read_definition(&target.dir, current)?;
    wanted.map_app_ids(target.map.iter().copied());
    Ok(wanted)
}

pub async fn diff(args: AppDirArgs) -> Result<(), CliError> {
    let (targets, connection) = targets(&args)?;
    let client = connection::client(&connection)?;
    let several = targets.len() > 1;
    for target in targets {
        let current = AppDefinition::read_preview(&client, target.app).await?;
        let changes = current.diff(&wanted(&target, &current)?);
        if several {
            println!("# {} (app {})", target.name, target.app);
        }
        if changes.is_empty() {
            println!("no changes");
        } else {
            print!("{changes}");
        }
    }
    Ok(())
}

pub async fn push(args: PushArgs, quiet: bool) -> Result<(), CliError> {
    let (targets, connection) = targets(&args.target)?;
    let client = connection::client(&connection)?;
    let base_url = connection::base_url(&connection)?.to_string();
    // Every drift is found before anything is written.
    let mut locks = Vec::new();
    for target in &targets {
        let lock = Lock::read(&target.dir)?;
        let now = revision(&client, target.app).await?;
        if let Some(&locked) = lock.revisions.get(&lock_key(&base_url, target.app)) {
            if locked != now && !args.force {
                return Err(CliError::Other(format!(
                    "{} (app {}) changed since this folder last read or wrote it (revision                      {locked}, now {now}): run app diff to see how, app pull to take the                      changes, or push with --force to overwrite them",
                    target.name, target.app
                )));
            }
        }
        locks.push(lock);
    }
    for (target, mut lock) in targets.iter().zip(locks) {
        let current = AppDefinition::read_preview(&client, target.app).await?;
        let wanted = wanted(target, &current)?;
        if args.dry_run {
            let changes = current.diff(&wanted);
            if targets.len() > 1 {
                println!("# {} (app {})", target.name, target.app);
            }
            if changes.is_empty() {
                println!("no changes");
            } else {
                print!("{changes}");
            }
            continue;
        }
        let outcome = wanted
            .apply_to(&client, target.app)
            .deploy(!args.no_deploy)
            .send()
            .await?;
        if let Some(deploy) = &outcome.deploy {
            if !deploy.succeeded() {
                return Err(CliError::Other(format!(
                    "the deploy of {} (app {}) did not succeed: {deploy:?}",
                    target.name, target.app
                )));
            }
        }
        lock.revisions.insert(
            lock_key(&base_url, target.app),
            revision(&client, target.app).await?,
        );
        lock.write(&target.dir)?;
        if !quiet {
            let written: Vec<String> = outcome.written.iter().map(|s| format!("{s:?}")).collect();
            eprintln!(
                "pushed {} (app {}): {} setting(s) written{}{}",
                target.name,
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
                .send(kintone_api::types::GetFormFieldsRequest::new(app))
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
    let module = generate_form(&json, &options)
        .map_err(|e| CliError::Input(kintone_codegen::with_causes(&e)))?;
    match &args.out {
        Some(path) => std::fs::write(path, module)
            .map_err(CliError::io(format!("writing {}", path.display())))?,
        None => print!("{module}"),
    }
    Ok(())
}

//! Bundling: the split spec (a root document whose `paths` point into one file per API family)
//! into the single OpenAPI document that the generator, the emulator and validators read.
//!
//! The root keeps everything that is not an operation; each `paths` entry is either an inline
//! path item or `{ $ref: '<file>#/paths/<escaped path>' }`. Inside any file, a reference is
//! `#/components/<kind>/<Name>` (the same file) or `<relative file>#/components/<kind>/<Name>`.
//! The bundle inlines the path items in the root's order, copies every component that is
//! referenced (transitively) into `components.<kind>.<Name>`, and rewrites each reference,
//! discriminator mappings included, to `#/components/<kind>/<Name>`. Components are written by
//! kind, then by name, so the same files always give the same bytes.
//!
//! Anything the bundler would have to guess about is an error instead: a file that cannot be read,
//! a pointer that does not resolve, one component name defined in two files, a reference of a form
//! it does not handle, and a family path the root forgets to reference.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::path::Path;

use serde_yaml::{Mapping, Value};

use crate::{Error, REGENERATE_COMMAND};

mod write;

/// The root document's file name, inside the spec folder.
pub const ROOT_FILE: &str = "kintone.yaml";
/// The bundle's file name, inside the spec folder.
pub const BUNDLE_FILE: &str = "kintone.bundled.yaml";

/// The component kinds of OpenAPI 3.0, in the order the bundle writes them.
const COMPONENT_KINDS: [&str; 9] = [
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
];

/// Keys whose value maps names (property names, status codes, media types, component names, …)
/// to objects: the keys inside such a map are never read as keywords.
const NAME_MAPS: [&str; 15] = [
    "paths",
    "properties",
    "responses",
    "content",
    "headers",
    "encoding",
    "links",
    "callbacks",
    "variables",
    "examples",
    "schemas",
    "parameters",
    "requestBodies",
    "securitySchemes",
    "scopes",
];

/// Keys whose value is literal data (examples, enumerations, defaults, extensions): copied as they
/// are, since a `$ref` inside an example is an example and not a reference.
fn is_literal(key: &str) -> bool {
    matches!(key, "example" | "value" | "enum" | "default") || key.starts_with("x-")
}

/// Why the split spec cannot be bundled. Every variant names the file (relative to the spec
/// folder) and, where there is one, the reference at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("cannot read {file}: {message}")]
    Read { file: String, message: String },
    #[error("{from}: `$ref: {reference}` names {file}, which cannot be read: {message}")]
    MissingFile {
        from: String,
        reference: String,
        file: String,
        message: String,
    },
    #[error("{file} is not valid YAML: {message}")]
    Yaml { file: String, message: String },
    #[error("{from}: `$ref: {reference}` does not resolve: {file} has nothing at {pointer}")]
    Unresolved {
        from: String,
        reference: String,
        file: String,
        pointer: String,
    },
    #[error(
        "components.{kind}.{name} is defined in both {first} and {second}; \
         a bundle has one namespace per kind, so rename one of them"
    )]
    Conflict {
        kind: String,
        name: String,
        first: String,
        second: String,
    },
    #[error("{from}: `$ref: {reference}` is not supported: {why}")]
    Unsupported {
        from: String,
        reference: String,
        why: String,
    },
    #[error("{file} defines the path {path}, but {root} does not reference it")]
    UnreferencedPath {
        file: String,
        path: String,
        root: String,
    },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

/// Bundles the split spec in the folder `spec_dir`, starting from its [`ROOT_FILE`].
pub fn bundle_dir(spec_dir: &Path) -> Result<String, Error> {
    bundle(ROOT_FILE, |file| {
        std::fs::read_to_string(spec_dir.join(file))
    })
}

/// Bundles the split spec whose root is the file `root`. `load` reads a file by its path relative
/// to the spec folder (`/`-separated, normalised), so the files may live anywhere, memory included.
pub fn bundle<E: fmt::Display>(
    root: &str,
    load: impl Fn(&str) -> Result<String, E>,
) -> Result<String, Error> {
    let load = |file: &str| load(file).map_err(|e| e.to_string());
    Bundler::new(root, &load)
        .and_then(|b| b.run())
        .map_err(Error::Bundle)
}

type Loader<'l> = dyn Fn(&str) -> Result<String, String> + 'l;

/// A component of the bundle: where it came from and, once copied, its rewritten value.
struct Component {
    file: String,
    value: Option<Value>,
}

struct Bundler<'l> {
    root: String,
    load: &'l Loader<'l>,
    files: BTreeMap<String, Value>,
    /// `kind -> name -> component`; the bundle's own namespace.
    components: BTreeMap<String, BTreeMap<String, Component>>,
    /// Components registered but not copied yet.
    pending: VecDeque<(String, String)>,
    /// `(file, path)` of each path item the root references.
    used_paths: BTreeSet<(String, String)>,
}

/// How the keys of a mapping are read while rewriting.
#[derive(Clone, Copy)]
enum Keys {
    /// OpenAPI keywords (`type`, `$ref`, `example`, …).
    Keywords,
    /// Names chosen by the author (`properties`, status codes, …): never keywords.
    Names,
}

/// What a reference points at.
enum Target {
    Component { kind: String, name: String },
    Path(String),
}

impl<'l> Bundler<'l> {
    fn new(root: &str, load: &'l Loader<'l>) -> Result<Self, BundleError> {
        let root = normalize("", root).ok_or_else(|| BundleError::Invalid {
            file: root.to_string(),
            message: "the root must be a path inside the spec folder".into(),
        })?;
        let text = load(&root).map_err(|message| BundleError::Read {
            file: root.clone(),
            message,
        })?;
        let mut bundler = Bundler {
            root: root.clone(),
            load,
            files: BTreeMap::new(),
            components: BTreeMap::new(),
            pending: VecDeque::new(),
            used_paths: BTreeSet::new(),
        };
        bundler.insert_file(&root, &text)?;
        Ok(bundler)
    }

    fn insert_file(&mut self, file: &str, text: &str) -> Result<(), BundleError> {
        let value: Value = serde_yaml::from_str(text).map_err(|e| BundleError::Yaml {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        if !value.is_mapping() {
            return Err(BundleError::Invalid {
                file: file.to_string(),
                message: "a spec file must be a YAML mapping".into(),
            });
        }
        self.files.insert(file.to_string(), value);
        Ok(())
    }

    fn run(mut self) -> Result<String, BundleError> {
        let root_doc = self.files[&self.root].clone();
        let root_map = root_doc.as_mapping().expect("checked when loaded");
        // The root's own components are all kept: security schemes, for one, are named by
        // `security` requirements rather than referenced.
        if let Some(components) = root_map.get("components") {
            let root = self.root.clone();
            for (kind, entries) in mapping(components, &root, "components")? {
                let kind = key_str(kind, &root, "components")?;
                if !COMPONENT_KINDS.contains(&kind) {
                    return Err(BundleError::Invalid {
                        file: root.clone(),
                        message: format!(
                            "`components.{kind}` is not a component kind of OpenAPI 3.0"
                        ),
                    });
                }
                for (name, _) in mapping(entries, &root, &format!("components.{kind}"))? {
                    let name = key_str(name, &root, &format!("components.{kind}"))?;
                    self.register(&root, kind, name)?;
                }
            }
        }
        let mut out = Mapping::new();
        for (key, value) in root_map {
            let rewritten = match key.as_str() {
                Some("paths") => self.root_paths(value)?,
                // Written once every referenced component is known, below.
                Some("components") => Value::Null,
                _ => self.rewrite_entry(key, value, &self.root.clone())?,
            };
            out.insert(key.clone(), rewritten);
        }
        if let Some(Value::Mapping(paths)) = out.get_mut("paths") {
            with_oauth_security(paths, root_map, &self.root)?;
        }
        self.copy_pending()?;
        self.check_every_path_is_used()?;
        let components = self.components_value();
        if !components.as_mapping().is_some_and(Mapping::is_empty) {
            out.insert(Value::from("components"), components);
        } else {
            out.remove("components");
        }
        let out = Value::Mapping(out);
        let yaml = write::document(&out)
            .ok()
            // The writer is this crate's own: a bundle that reads back as anything else is a bug
            // here, caught before anyone reads it.
            .filter(|yaml| serde_yaml::from_str::<Value>(yaml).ok().as_ref() == Some(&out))
            .ok_or_else(|| BundleError::Invalid {
                file: self.root.clone(),
                message: "the bundle does not write as YAML that reads back the same".into(),
            })?;
        Ok(format!("{}{yaml}", self.banner()))
    }

    fn banner(&self) -> String {
        let mut banner = format!(
            "# @generated by `{REGENERATE_COMMAND}` from `spec/{}` and the files it references:\n",
            self.root
        );
        for file in self.files.keys().filter(|f| **f != self.root) {
            banner.push_str(&format!("#   spec/{file}\n"));
        }
        banner.push_str("# Do not edit by hand: change those files and run the command again.\n");
        banner
    }

    /// The root's `paths`, with each referenced path item inlined.
    fn root_paths(&mut self, paths: &Value) -> Result<Value, BundleError> {
        let root = self.root.clone();
        let mut out = Mapping::new();
        for (path, item) in mapping(paths, &root, "paths")? {
            let item_map = mapping(item, &root, &format!("paths.{}", display_key(path)))?;
            let Some(reference) = item_map.get("$ref") else {
                out.insert(path.clone(), self.rewrite(item, &root, Keys::Keywords)?);
                continue;
            };
            let reference = ref_str(reference, &root)?;
            if item_map.len() > 1 {
                return Err(unsupported(
                    &root,
                    reference,
                    "a path entry that references a path item must hold nothing but the `$ref`",
                ));
            }
            let (file, target) = self.target(&root, reference)?;
            let Target::Path(target_path) = target else {
                return Err(unsupported(
                    &root,
                    reference,
                    "a `paths` entry must reference `<file>#/paths/<path>`",
                ));
            };
            let found = self.lookup(&root, reference, &file, &["paths", &target_path])?;
            if found.as_mapping().is_some_and(|m| m.contains_key("$ref")) {
                return Err(unsupported(
                    &root,
                    reference,
                    "the path item it names is itself a reference; point at the item instead",
                ));
            }
            self.used_paths.insert((file.clone(), target_path));
            out.insert(path.clone(), self.rewrite(&found, &file, Keys::Keywords)?);
        }
        with_preview_twins(out, &root)
    }

    /// Rewrites one entry of a mapping read as keywords.
    fn rewrite_entry(
        &mut self,
        key: &Value,
        value: &Value,
        file: &str,
    ) -> Result<Value, BundleError> {
        let Some(key) = key.as_str() else {
            return self.rewrite(value, file, Keys::Keywords);
        };
        if is_literal(key) {
            return Ok(value.clone());
        }
        if key == "$ref" {
            let reference = ref_str(value, file)?;
            return Ok(Value::from(self.component_ref(file, reference)?));
        }
        if key == "mapping" {
            // A discriminator's mapping: each value is a schema reference written as a string.
            let mut out = Mapping::new();
            for (tag, reference) in mapping(value, file, "discriminator.mapping")? {
                let reference = ref_str(reference, file)?;
                out.insert(
                    tag.clone(),
                    Value::from(self.component_ref(file, reference)?),
                );
            }
            return Ok(Value::Mapping(out));
        }
        if NAME_MAPS.contains(&key) && value.is_mapping() {
            return self.rewrite(value, file, Keys::Names);
        }
        self.rewrite(value, file, Keys::Keywords)
    }

    fn rewrite(&mut self, value: &Value, file: &str, keys: Keys) -> Result<Value, BundleError> {
        Ok(match value {
            Value::Mapping(map) => {
                let mut out = Mapping::new();
                for (key, value) in map {
                    let rewritten = match keys {
                        Keys::Keywords => self.rewrite_entry(key, value, file)?,
                        Keys::Names => self.rewrite(value, file, Keys::Keywords)?,
                    };
                    out.insert(key.clone(), rewritten);
                }
                Value::Mapping(out)
            }
            Value::Sequence(items) => Value::Sequence(
                items
                    .iter()
                    .map(|item| self.rewrite(item, file, Keys::Keywords))
                    .collect::<Result<_, _>>()?,
            ),
            other => other.clone(),
        })
    }

    /// Resolves a component reference made in `file`, registers the component, and returns the
    /// bundle's reference to it.
    fn component_ref(&mut self, file: &str, reference: &str) -> Result<String, BundleError> {
        let (target_file, target) = self.target(file, reference)?;
        let Target::Component { kind, name } = target else {
            return Err(unsupported(
                file,
                reference,
                "path items may be referenced only from the root's `paths`",
            ));
        };
        self.lookup(file, reference, &target_file, &["components", &kind, &name])?;
        self.register(&target_file, &kind, &name)?;
        Ok(format!("#/components/{kind}/{name}"))
    }

    /// Parses a reference made in `file` into the file it names and what it points at.
    fn target(&self, file: &str, reference: &str) -> Result<(String, Target), BundleError> {
        let Some((file_part, pointer)) = reference.split_once('#') else {
            return Err(unsupported(
                file,
                reference,
                "a reference must end in a JSON pointer (`#/components/<kind>/<Name>`)",
            ));
        };
        if file_part.contains("://") || file_part.starts_with('/') {
            return Err(unsupported(
                file,
                reference,
                "only files relative to the referencing file are supported",
            ));
        }
        let target_file = if file_part.is_empty() {
            file.to_string()
        } else {
            normalize(parent(file), file_part).ok_or_else(|| {
                unsupported(
                    file,
                    reference,
                    "the file it names is outside the spec folder",
                )
            })?
        };
        let tokens = pointer_tokens(pointer).ok_or_else(|| {
            unsupported(file, reference, "the part after `#` is not a JSON pointer")
        })?;
        let target = match tokens.as_slice() {
            [components, kind, name] if components == "components" => {
                if !COMPONENT_KINDS.contains(&kind.as_str()) {
                    return Err(unsupported(
                        file,
                        reference,
                        &format!("`{kind}` is not a component kind of OpenAPI 3.0"),
                    ));
                }
                if !is_component_name(name) {
                    return Err(unsupported(
                        file,
                        reference,
                        "a component name may hold only letters, digits, `.`, `-` and `_`",
                    ));
                }
                Target::Component {
                    kind: kind.clone(),
                    name: name.clone(),
                }
            }
            [paths, path] if paths == "paths" => Target::Path(path.clone()),
            _ => {
                return Err(unsupported(
                    file,
                    reference,
                    "only `#/components/<kind>/<Name>` and, from the root's `paths`, \
                     `<file>#/paths/<path>` are supported",
                ))
            }
        };
        Ok((target_file, target))
    }

    /// The value at `tokens` in `file`, loading the file on first use.
    fn lookup(
        &mut self,
        from: &str,
        reference: &str,
        file: &str,
        tokens: &[&str],
    ) -> Result<Value, BundleError> {
        if !self.files.contains_key(file) {
            let text = (self.load)(file).map_err(|message| BundleError::MissingFile {
                from: from.to_string(),
                reference: reference.to_string(),
                file: file.to_string(),
                message,
            })?;
            self.insert_file(file, &text)?;
        }
        let mut at = &self.files[file];
        for token in tokens {
            at = at.as_mapping().and_then(|m| m.get(*token)).ok_or_else(|| {
                BundleError::Unresolved {
                    from: from.to_string(),
                    reference: reference.to_string(),
                    file: file.to_string(),
                    pointer: pointer_of(tokens),
                }
            })?;
        }
        Ok(at.clone())
    }

    /// Adds a component to the bundle's namespace, once.
    fn register(&mut self, file: &str, kind: &str, name: &str) -> Result<(), BundleError> {
        let by_name = self.components.entry(kind.to_string()).or_default();
        match by_name.get(name) {
            Some(existing) if existing.file == file => Ok(()),
            Some(existing) => {
                let (first, second) = if existing.file.as_str() < file {
                    (existing.file.clone(), file.to_string())
                } else {
                    (file.to_string(), existing.file.clone())
                };
                Err(BundleError::Conflict {
                    kind: kind.to_string(),
                    name: name.to_string(),
                    first,
                    second,
                })
            }
            None => {
                by_name.insert(
                    name.to_string(),
                    Component {
                        file: file.to_string(),
                        value: None,
                    },
                );
                self.pending.push_back((kind.to_string(), name.to_string()));
                Ok(())
            }
        }
    }

    /// Copies every registered component, and those they reference, into the bundle.
    fn copy_pending(&mut self) -> Result<(), BundleError> {
        while let Some((kind, name)) = self.pending.pop_front() {
            let file = self.components[&kind][&name].file.clone();
            let raw = self.files[&file]
                .get("components")
                .and_then(|c| c.get(&kind))
                .and_then(|c| c.get(&name))
                .cloned()
                .expect("registered components were looked up first");
            let value = self.rewrite(&raw, &file, Keys::Keywords)?;
            if let Some(component) = self
                .components
                .get_mut(&kind)
                .and_then(|c| c.get_mut(&name))
            {
                component.value = Some(value);
            }
        }
        Ok(())
    }

    /// A path that a family file defines but the root leaves out would silently vanish.
    fn check_every_path_is_used(&self) -> Result<(), BundleError> {
        for (file, doc) in &self.files {
            if *file == self.root {
                continue;
            }
            let Some(paths) = doc.get("paths").and_then(Value::as_mapping) else {
                continue;
            };
            for path in paths.keys() {
                let path = display_key(path);
                if !self.used_paths.contains(&(file.clone(), path.clone())) {
                    return Err(BundleError::UnreferencedPath {
                        file: file.clone(),
                        path,
                        root: self.root.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    fn components_value(&mut self) -> Value {
        let mut kinds: Vec<String> = self.components.keys().cloned().collect();
        kinds.sort_by_key(|k| COMPONENT_KINDS.iter().position(|c| c == k));
        let mut out = Mapping::new();
        for kind in kinds {
            let entries = std::mem::take(self.components.get_mut(&kind).expect("listed"));
            if entries.is_empty() {
                continue;
            }
            let by_name: Mapping = entries
                .into_iter()
                .map(|(name, c)| (Value::from(name), c.value.expect("copied before writing")))
                .collect();
            out.insert(Value::from(kind), Value::Mapping(by_name));
        }
        Value::Mapping(out)
    }
}

/// Writes each operation's `x-kintone-oauth-scopes` into a `security` of its own: the root's
/// requirements, with the scopes on every OAuth scheme, as other tools read scopes. The scopes
/// are stated once, on the operation.
fn with_oauth_security(paths: &mut Mapping, root: &Mapping, file: &str) -> Result<(), BundleError> {
    let oauth_schemes: Vec<&Value> = root
        .get("components")
        .and_then(|c| c.get("securitySchemes"))
        .and_then(Value::as_mapping)
        .map(|schemes| {
            schemes
                .iter()
                .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("oauth2"))
                .map(|(name, _)| name)
                .collect()
        })
        .unwrap_or_default();
    let Some(Value::Sequence(requirements)) = root.get("security") else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_mapping_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            let Some(op) = op.as_mapping_mut() else {
                continue;
            };
            let Some(scopes) = op.get("x-kintone-oauth-scopes").cloned() else {
                continue;
            };
            let invalid = |why: &str| BundleError::Invalid {
                file: file.to_string(),
                message: format!("{} {}: {why}", display_key(method), display_key(path)),
            };
            if !scopes.is_sequence() {
                return Err(invalid("x-kintone-oauth-scopes is a list of scopes"));
            }
            let security: Vec<Value> = requirements
                .iter()
                .map(|requirement| {
                    let mut requirement = requirement.as_mapping().cloned().unwrap_or_default();
                    for scheme in &oauth_schemes {
                        if let Some(value) = requirement.get_mut(*scheme) {
                            *value = scopes.clone();
                        }
                    }
                    Value::Mapping(requirement)
                })
                .collect();
            if op.contains_key("security") {
                return Err(invalid(
                    "`security` is written from x-kintone-oauth-scopes; do not state it by hand too",
                ));
            }
            op.insert(Value::from("security"), Value::Sequence(security));
        }
    }
    Ok(())
}

/// Writes out each operation's preview twin (`x-kintone-preview`) as a path item of its own,
/// right after the live one, so that tools that read the bundle see every endpoint kintone has.
/// The copy says whose twin it is (`x-kintone-preview-of`); the spec states the pair only once.
/// When the root also describes the `/preview/` path by hand (for operations that exist only on
/// the pre-live settings, such as a `PUT`), the twins join that path item, which keeps its place;
/// a method described both ways is refused.
fn with_preview_twins(paths: Mapping, root: &str) -> Result<Value, BundleError> {
    let mut twins: Vec<(Value, Mapping)> = Vec::new();
    for (path, item) in &paths {
        let mut twin_item = Mapping::new();
        for (method, op) in item.as_mapping().into_iter().flatten() {
            let Some(op) = op.as_mapping() else { continue };
            let Some(preview) = op.get("x-kintone-preview") else {
                continue;
            };
            let invalid = |why: &str| BundleError::Invalid {
                file: root.to_string(),
                message: format!("{} {}: {why}", display_key(method), display_key(path)),
            };
            let twin_id = preview
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid("x-kintone-preview needs an operationId"))?;
            // kintone names its preview operations apart (getPreviewAppFormFields, not
            // getAppFormFields), so the twin cannot inherit the live operation's official id.
            let twin_official_id = preview
                .get("officialOperationId")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    invalid(
                        "x-kintone-preview needs an officialOperationId (kintone's own id of the preview operation)",
                    )
                })?;
            if let Some(unknown) = preview
                .as_mapping()
                .into_iter()
                .flatten()
                .find_map(|(k, _)| {
                    (!matches!(k.as_str(), Some("operationId" | "officialOperationId")))
                        .then_some(k)
                })
            {
                return Err(invalid(&format!(
                    "x-kintone-preview takes operationId and officialOperationId, not {}",
                    display_key(unknown)
                )));
            }
            let live_id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid("an operation with a preview twin needs an operationId"))?;
            let mut twin = Mapping::new();
            for (key, value) in op {
                match key.as_str() {
                    Some("x-kintone-preview") => {}
                    Some("operationId") => {
                        twin.insert(key.clone(), Value::from(twin_id));
                    }
                    Some("summary") => {
                        let summary = value.as_str().unwrap_or_default();
                        twin.insert(key.clone(), Value::from(format!("{summary} (preview)")));
                    }
                    _ => {
                        twin.insert(key.clone(), value.clone());
                    }
                }
            }
            twin.insert(
                Value::from("x-kintone-official-operation-id"),
                Value::from(twin_official_id),
            );
            twin.insert(Value::from("x-kintone-preview-of"), Value::from(live_id));
            twin_item.insert(method.clone(), Value::Mapping(twin));
        }
        if !twin_item.is_empty() {
            let twin_path = Value::from(format!("/preview{}", path.as_str().unwrap_or_default()));
            twins.push((twin_path, twin_item));
        }
    }
    let mut out = Mapping::new();
    for (path, item) in &paths {
        let mut item = item.clone();
        if let Some((_, twin_item)) = twins.iter().find(|(p, _)| p == path) {
            let by_hand = item.as_mapping_mut().ok_or_else(|| BundleError::Invalid {
                file: root.to_string(),
                message: format!("{} must be a mapping", display_key(path)),
            })?;
            for (method, twin) in twin_item {
                if by_hand.contains_key(method) {
                    return Err(BundleError::Invalid {
                        file: root.to_string(),
                        message: format!(
                            "{} {} is written out from x-kintone-preview; do not describe it by hand too",
                            display_key(method),
                            display_key(path)
                        ),
                    });
                }
                by_hand.insert(method.clone(), twin.clone());
            }
        }
        out.insert(path.clone(), item);
        let twin_path = Value::from(format!("/preview{}", path.as_str().unwrap_or_default()));
        if paths.contains_key(&twin_path) {
            continue;
        }
        if let Some((_, twin_item)) = twins.iter().find(|(p, _)| *p == twin_path) {
            out.insert(twin_path, Value::Mapping(twin_item.clone()));
        }
    }
    Ok(Value::Mapping(out))
}

fn unsupported(file: &str, reference: &str, why: &str) -> BundleError {
    BundleError::Unsupported {
        from: file.to_string(),
        reference: reference.to_string(),
        why: why.to_string(),
    }
}

fn mapping<'v>(value: &'v Value, file: &str, at: &str) -> Result<&'v Mapping, BundleError> {
    value.as_mapping().ok_or_else(|| BundleError::Invalid {
        file: file.to_string(),
        message: format!("{at} must be a mapping"),
    })
}

fn key_str<'v>(key: &'v Value, file: &str, at: &str) -> Result<&'v str, BundleError> {
    key.as_str().ok_or_else(|| BundleError::Invalid {
        file: file.to_string(),
        message: format!("the keys of {at} must be strings"),
    })
}

fn ref_str<'v>(value: &'v Value, file: &str) -> Result<&'v str, BundleError> {
    value.as_str().ok_or_else(|| BundleError::Invalid {
        file: file.to_string(),
        message: format!("a reference must be a string, not {value:?}"),
    })
}

fn display_key(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim_end()
            .to_string(),
    }
}

/// The folder part of a normalised file path (`""` for the spec folder itself).
fn parent(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `relative` resolved against the folder `dir`, with `.` and `..` removed; `None` when it leaves
/// the spec folder.
fn normalize(dir: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for segment in relative.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

/// The tokens of a JSON pointer (RFC 6901), unescaped; `None` when it is not one.
fn pointer_tokens(pointer: &str) -> Option<Vec<String>> {
    let rest = pointer.strip_prefix('/')?;
    rest.split('/')
        .map(|token| {
            let mut out = String::new();
            let mut chars = token.chars();
            while let Some(c) = chars.next() {
                match c {
                    '~' => match chars.next()? {
                        '0' => out.push('~'),
                        '1' => out.push('/'),
                        _ => return None,
                    },
                    c => out.push(c),
                }
            }
            Some(out)
        })
        .collect()
}

fn pointer_of(tokens: &[&str]) -> String {
    tokens
        .iter()
        .map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1")))
        .collect()
}

fn is_component_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Bundles in-memory files, keyed by their path in the spec folder.
    fn bundle_files(files: &[(&str, &str)]) -> Result<String, BundleError> {
        let files: BTreeMap<&str, &str> = files.iter().copied().collect();
        bundle("kintone.yaml", |path| {
            files
                .get(path)
                .map(|text| text.to_string())
                .ok_or("no such file")
        })
        .map_err(|e| match e {
            Error::Bundle(e) => e,
            other => panic!("not a bundle error: {other}"),
        })
    }

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    const ROOT: &str = "
openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /b.json: { $ref: 'families/b.yaml#/paths/~1b.json' }
  /a/nested.json: { $ref: 'families/a.yaml#/paths/~1a~1nested.json' }
components:
  securitySchemes:
    token: { type: apiKey, in: header, name: X-Token }
";

    const A: &str = "
paths:
  /a/nested.json:
    get:
      operationId: getA
      parameters:
        - $ref: 'common.yaml#/components/parameters/Lang'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/A' }
        default: { $ref: 'common.yaml#/components/responses/Error' }
components:
  schemas:
    A:
      type: object
      properties:
        id: { $ref: 'common.yaml#/components/schemas/Id' }
    Unused: { type: string }
";

    const B: &str = "
paths:
  /b.json:
    post:
      operationId: postB
      responses:
        default: { $ref: '../families/common.yaml#/components/responses/Error' }
";

    const COMMON: &str = "
components:
  parameters:
    Lang: { name: Accept-Language, in: header, schema: { type: string } }
  responses:
    Error:
      description: an error
      content:
        application/json:
          schema: { $ref: '#/components/schemas/ErrorBody' }
  schemas:
    Id: { type: string }
    ErrorBody:
      type: object
      properties:
        id: { $ref: '#/components/schemas/Id' }
";

    fn good_files() -> Vec<(&'static str, &'static str)> {
        vec![
            ("kintone.yaml", ROOT),
            ("families/a.yaml", A),
            ("families/b.yaml", B),
            ("families/common.yaml", COMMON),
        ]
    }

    #[test]
    fn paths_are_inlined_in_root_order_and_components_copied_transitively() {
        let bundled = bundle_files(&good_files()).unwrap();
        let expected = yaml(
            "
openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /b.json:
    post:
      operationId: postB
      responses:
        default: { $ref: '#/components/responses/Error' }
  /a/nested.json:
    get:
      operationId: getA
      parameters:
        - $ref: '#/components/parameters/Lang'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/A' }
        default: { $ref: '#/components/responses/Error' }
components:
  schemas:
    A:
      type: object
      properties:
        id: { $ref: '#/components/schemas/Id' }
    ErrorBody:
      type: object
      properties:
        id: { $ref: '#/components/schemas/Id' }
    Id: { type: string }
  responses:
    Error:
      description: an error
      content:
        application/json:
          schema: { $ref: '#/components/schemas/ErrorBody' }
  parameters:
    Lang: { name: Accept-Language, in: header, schema: { type: string } }
  securitySchemes:
    token: { type: apiKey, in: header, name: X-Token }
",
        );
        assert_eq!(yaml(&bundled), expected);
        // Order is part of the output: paths as the root lists them, components by kind and name.
        let doc = yaml(&bundled);
        let paths: Vec<_> = doc["paths"].as_mapping().unwrap().keys().cloned().collect();
        assert_eq!(
            paths,
            [Value::from("/b.json"), Value::from("/a/nested.json")]
        );
        let kinds: Vec<_> = doc["components"]
            .as_mapping()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            kinds,
            ["schemas", "responses", "parameters", "securitySchemes"].map(Value::from)
        );
        let schemas: Vec<_> = doc["components"]["schemas"]
            .as_mapping()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(schemas, ["A", "ErrorBody", "Id"].map(Value::from));
    }

    #[test]
    fn output_is_deterministic_and_starts_with_the_banner() {
        let first = bundle_files(&good_files()).unwrap();
        let mut reversed = good_files();
        reversed.reverse();
        assert_eq!(first, bundle_files(&reversed).unwrap());
        assert!(first.starts_with(
            "# @generated by `cargo xtask regenerate` from `spec/kintone.yaml` and the files it \
             references:\n#   spec/families/a.yaml\n#   spec/families/b.yaml\n\
             #   spec/families/common.yaml\n# Do not edit by hand"
        ));
    }

    #[test]
    fn discriminator_mappings_are_rewritten_and_their_targets_copied() {
        let root = "
openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /v.json: { $ref: 'families/v.yaml#/paths/~1v.json' }
";
        let family = "
paths:
  /v.json:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Value' }
components:
  schemas:
    Value:
      oneOf:
        - $ref: '#/components/schemas/Text'
      discriminator:
        propertyName: type
        mapping:
          TEXT: '#/components/schemas/Text'
          DATE: 'common.yaml#/components/schemas/Date'
    Text: { type: object }
";
        let common = "components: { schemas: { Date: { type: object } } }";
        let bundled = bundle_files(&[
            ("kintone.yaml", root),
            ("families/v.yaml", family),
            ("families/common.yaml", common),
        ])
        .unwrap();
        let doc = yaml(&bundled);
        let mapping = &doc["components"]["schemas"]["Value"]["discriminator"]["mapping"];
        assert_eq!(mapping["TEXT"], Value::from("#/components/schemas/Text"));
        assert_eq!(mapping["DATE"], Value::from("#/components/schemas/Date"));
        assert_eq!(
            doc["components"]["schemas"]["Date"],
            yaml("{ type: object }")
        );
    }

    #[test]
    fn examples_extensions_and_literals_are_copied_as_they_are() {
        let root = "
openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /e.json: { $ref: 'e.yaml#/paths/~1e.json' }
";
        let family = "
paths:
  /e.json:
    get:
      x-note: { $ref: 'not/a/reference' }
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  example: { $ref: '#/components/schemas/S' }
                  x-field: { $ref: '#/components/schemas/S' }
                default: { $ref: 'nowhere' }
              example: { $ref: 'nowhere' }
components: { schemas: { S: { type: string } } }
";
        let bundled = bundle_files(&[("kintone.yaml", root), ("e.yaml", family)]).unwrap();
        let doc = yaml(&bundled);
        let get = &doc["paths"]["/e.json"]["get"];
        assert_eq!(get["x-note"]["$ref"], Value::from("not/a/reference"));
        let media = &get["responses"]["200"]["content"]["application/json"];
        assert_eq!(media["example"]["$ref"], Value::from("nowhere"));
        assert_eq!(media["schema"]["default"]["$ref"], Value::from("nowhere"));
        // Property names are names, not keywords: their schemas are still rewritten.
        let properties = &media["schema"]["properties"];
        assert_eq!(
            properties["example"]["$ref"],
            Value::from("#/components/schemas/S")
        );
        assert_eq!(
            properties["x-field"]["$ref"],
            Value::from("#/components/schemas/S")
        );
    }

    #[test]
    fn a_missing_file_is_an_error_naming_the_file_and_the_reference() {
        let mut files = good_files();
        files.retain(|(path, _)| *path != "families/common.yaml");
        let error = bundle_files(&files).unwrap_err();
        assert_eq!(
            error,
            BundleError::MissingFile {
                from: "families/b.yaml".into(),
                reference: "../families/common.yaml#/components/responses/Error".into(),
                file: "families/common.yaml".into(),
                message: "no such file".into(),
            }
        );
        let no_root = bundle("kintone.yaml", |_| Err::<String, _>("absent")).unwrap_err();
        // The cause is the error's source, printed once by a reporter that walks the chain.
        assert!(crate::with_causes(&no_root).contains("cannot read kintone.yaml: absent"));
    }

    #[test]
    fn a_pointer_that_does_not_resolve_is_an_error() {
        let a = A.replace(
            "'common.yaml#/components/schemas/Id'",
            "'common.yaml#/components/schemas/Ident'",
        );
        let mut files = good_files();
        files[1].1 = &a;
        assert_eq!(
            bundle_files(&files).unwrap_err(),
            BundleError::Unresolved {
                from: "families/a.yaml".into(),
                reference: "common.yaml#/components/schemas/Ident".into(),
                file: "families/common.yaml".into(),
                pointer: "/components/schemas/Ident".into(),
            }
        );
        let root = ROOT.replace("~1b.json", "~1c.json");
        let mut files = good_files();
        files[0].1 = &root;
        let error = bundle_files(&files).unwrap_err();
        assert!(
            matches!(&error, BundleError::Unresolved { from, pointer, .. }
                if from == "kintone.yaml" && pointer == "/paths/~1c.json"),
            "{error}"
        );
    }

    #[test]
    fn one_component_name_in_two_files_is_a_conflict() {
        // `A` defines its own `Id`, and common.yaml's `ErrorBody` uses common's `Id`.
        let a = A
            .replace(
                "'common.yaml#/components/schemas/Id'",
                "'#/components/schemas/Id'",
            )
            .replace("Unused: { type: string }", "Id: { type: integer }");
        let mut files = good_files();
        files[1].1 = &a;
        assert_eq!(
            bundle_files(&files).unwrap_err(),
            BundleError::Conflict {
                kind: "schemas".into(),
                name: "Id".into(),
                first: "families/a.yaml".into(),
                second: "families/common.yaml".into(),
            }
        );
    }

    #[test]
    fn a_root_security_scheme_redefined_in_a_family_is_a_conflict() {
        let b = format!(
            "{B}components: {{ securitySchemes: {{ token: {{ type: http, scheme: basic }} }} }}\n"
        )
        .replace(
            "default: { $ref: '../families/common.yaml#/components/responses/Error' }",
            "default: { $ref: '#/components/securitySchemes/token' }",
        );
        let mut files = good_files();
        files[2].1 = &b;
        let error = bundle_files(&files).unwrap_err();
        assert!(
            matches!(&error, BundleError::Conflict { kind, name, .. } if kind == "securitySchemes" && name == "token"),
            "{error}"
        );
    }

    #[test]
    fn unsupported_reference_forms_are_errors_naming_file_and_reference() {
        let cases = [
            ("'common.yaml'", "must end in a JSON pointer"),
            (
                "'https://example.com/common.yaml#/components/schemas/Id'",
                "relative",
            ),
            ("'/abs/common.yaml#/components/schemas/Id'", "relative"),
            (
                "'../../common.yaml#/components/schemas/Id'",
                "outside the spec folder",
            ),
            (
                "'common.yaml#/components/schemas/Id/properties/x'",
                "only `#/components/",
            ),
            ("'common.yaml#components/schemas/Id'", "not a JSON pointer"),
            (
                "'common.yaml#/components/widgets/Id'",
                "not a component kind",
            ),
            ("'#/paths/~1a~1nested.json'", "only from the root's `paths`"),
        ];
        for (reference, why) in cases {
            let a = A.replace("'common.yaml#/components/schemas/Id'", reference);
            let mut files = good_files();
            files[1].1 = &a;
            match bundle_files(&files).unwrap_err() {
                BundleError::Unsupported {
                    from,
                    reference: got,
                    why: reason,
                } => {
                    assert_eq!(from, "families/a.yaml");
                    assert_eq!(format!("'{got}'"), reference);
                    assert!(reason.contains(why), "{reference}: {reason}");
                }
                other => panic!("{reference}: {other}"),
            }
        }
    }

    #[test]
    fn a_root_path_entry_must_reference_a_path_item() {
        for (entry, why) in [
            (
                "{ $ref: 'families/a.yaml#/components/schemas/A' }",
                "must reference `<file>#/paths/<path>`",
            ),
            (
                "{ $ref: 'families/b.yaml#/paths/~1b.json', summary: extra }",
                "nothing but the `$ref`",
            ),
        ] {
            let root = ROOT.replace("{ $ref: 'families/b.yaml#/paths/~1b.json' }", entry);
            let mut files = good_files();
            files[0].1 = &root;
            let error = bundle_files(&files).unwrap_err();
            assert!(
                matches!(&error, BundleError::Unsupported { from, why: reason, .. }
                    if from == "kintone.yaml" && reason.contains(why)),
                "{entry}: {error}"
            );
        }
    }

    #[test]
    fn a_family_path_the_root_does_not_reference_is_an_error() {
        let a = A.replace(
            "components:",
            "  /a/forgotten.json:\n    get: { responses: { default: { description: x } } }\ncomponents:",
        );
        let mut files = good_files();
        files[1].1 = &a;
        assert_eq!(
            bundle_files(&files).unwrap_err(),
            BundleError::UnreferencedPath {
                file: "families/a.yaml".into(),
                path: "/a/forgotten.json".into(),
                root: "kintone.yaml".into(),
            }
        );
    }

    #[test]
    fn a_file_that_is_not_yaml_is_an_error_naming_it() {
        let mut files = good_files();
        files[3].1 = "components: [unclosed";
        let error = bundle_files(&files).unwrap_err();
        assert!(
            matches!(&error, BundleError::Yaml { file, .. } if file == "families/common.yaml"),
            "{error}"
        );
    }

    const PREVIEW_ROOT: &str = "
openapi: 3.0.3
info: { title: t, version: '1' }
servers: [{ url: 'https://x.kintone.com/k/v1' }]
tags: [{ name: apps, description: Apps. }]
paths:
  /app/settings.json:
    get:
      operationId: getSettings
      tags: [apps]
      summary: Get settings
      x-kintone-official-operation-id: getAppSettings
      x-kintone-preview: { operationId: getSettingsPreview, officialOperationId: getPreviewAppSettings }
      responses:
        '200':
          description: ok
          content: { application/json: { schema: { type: object, properties: { name: { type: string } } } } }
        default: { description: An error. }
";

    #[test]
    fn preview_twins_are_written_out_after_their_live_path_and_generated_once() {
        let out = bundle_files(&[("kintone.yaml", PREVIEW_ROOT)]).unwrap();
        let doc = yaml(&out);
        let paths: Vec<_> = doc["paths"].as_mapping().unwrap().keys().cloned().collect();
        assert_eq!(
            paths,
            vec![
                yaml("/app/settings.json"),
                yaml("/preview/app/settings.json")
            ]
        );
        let twin = &doc["paths"]["/preview/app/settings.json"]["get"];
        assert_eq!(twin["operationId"], yaml("getSettingsPreview"));
        assert_eq!(twin["summary"], yaml("Get settings (preview)"));
        assert_eq!(twin["x-kintone-preview-of"], yaml("getSettings"));
        assert!(twin.get("x-kintone-preview").is_none());
        let live = &doc["paths"]["/app/settings.json"]["get"];
        assert_eq!(
            live["x-kintone-official-operation-id"],
            yaml("getAppSettings")
        );
        assert_eq!(
            twin["x-kintone-official-operation-id"],
            yaml("getPreviewAppSettings")
        );
        // The model reads the bundle: one operation serves both paths.
        let api = crate::parse(&out).unwrap();
        assert_eq!(api.operations.len(), 1);
        let preview = api.operations[0]
            .preview
            .as_ref()
            .expect("the live operation names its twin");
        assert_eq!(preview.path, "preview/app/settings.json");
    }

    #[test]
    fn a_preview_twin_needs_its_own_official_id_and_nothing_else() {
        let missing = PREVIEW_ROOT.replace(", officialOperationId: getPreviewAppSettings", "");
        let err = bundle_files(&[("kintone.yaml", &missing)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("/app/settings.json"), "{err}");
        assert!(err.contains("needs an officialOperationId"), "{err}");
        let unknown = PREVIEW_ROOT.replace(
            "officialOperationId: getPreviewAppSettings",
            "officialOperationId: getPreviewAppSettings, summary: x",
        );
        let err = bundle_files(&[("kintone.yaml", &unknown)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not summary"), "{err}");
    }

    #[test]
    fn a_preview_path_described_by_hand_as_well_is_refused() {
        let root = format!(
            "{PREVIEW_ROOT}  /preview/app/settings.json:\n    get: {{ operationId: x, responses: {{ default: {{ description: e }} }} }}\n"
        );
        let err = bundle_files(&[("kintone.yaml", &root)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("written out from x-kintone-preview"), "{err}");
    }

    const OAUTH_ROOT: &str = "
openapi: 3.0.3
info: { title: t, version: '1' }
security:
  - token: []
  - oauth: []
  - oauth: []
    door: []
paths:
  /a.json:
    get:
      operationId: getA
      x-kintone-oauth-scopes: ['k:app_record:read']
      responses: { default: { description: e } }
components:
  securitySchemes:
    token: { type: apiKey, in: header, name: X-Token }
    door: { type: http, scheme: basic }
    oauth:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: https://x/a
          tokenUrl: https://x/t
          scopes: { 'k:app_record:read': Read. }
";

    #[test]
    fn oauth_scopes_are_written_into_each_operations_security() {
        let out = yaml(&bundle_files(&[("kintone.yaml", OAUTH_ROOT)]).unwrap());
        let op = &out["paths"]["/a.json"]["get"];
        assert_eq!(
            op["security"],
            yaml("[{token: []}, {oauth: ['k:app_record:read']}, {oauth: ['k:app_record:read'], door: []}]")
        );
        let twice = OAUTH_ROOT.replace(
            "      responses:",
            "      security: [{ token: [] }]\n      responses:",
        );
        let err = bundle_files(&[("kintone.yaml", &twice)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("written from x-kintone-oauth-scopes"), "{err}");
    }

    /// Operations that exist only on the pre-live settings (a `PUT`) share the `/preview/` path
    /// with the twins of the live ones: the twins join the path item described by hand.
    #[test]
    fn preview_twins_join_a_preview_path_described_by_hand_for_other_methods() {
        let root = format!(
            "{PREVIEW_ROOT}  /preview/app/settings.json:\n    put: {{ operationId: updateSettings, responses: {{ default: {{ description: e }} }} }}\n"
        );
        let doc = yaml(&bundle_files(&[("kintone.yaml", &root)]).unwrap());
        let paths: Vec<_> = doc["paths"].as_mapping().unwrap().keys().cloned().collect();
        assert_eq!(
            paths,
            vec![
                yaml("/app/settings.json"),
                yaml("/preview/app/settings.json")
            ]
        );
        let item = &doc["paths"]["/preview/app/settings.json"];
        assert_eq!(item["put"]["operationId"], yaml("updateSettings"));
        assert_eq!(item["get"]["operationId"], yaml("getSettingsPreview"));
    }
}

//! `cargo xtask imports [--verbose]`: each crate's module import graph, and its loops.
//!
//! A module imports another when its code names a path into it: `use crate::a::b`, `crate::a::X`
//! in code or inside a macro's body, `super::x`, `self::x`. Re-exports (at the crate root and in
//! folder modules) are followed to the module that defines the name, so `crate::Client` is an
//! import of the file that defines `Client`, not of the root. Left out: tests (`#[cfg(test)]`
//! items, which may reach anywhere), generated code (`generated/` folders, which sit under the
//! runtime they are written against) and doc comments (a link is not an import).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// Crates built in layers, lowest first: a module of one layer (a top folder of `src`) may
/// import its own layer's and lower layers' modules, never a higher layer's.
pub const LAYERS: &[(&str, &[&str])] = &[("emulator/src", &["domain", "api", "http"])];

/// The source folders whose module graphs must have no loop.
pub const CRATES: &[&str] = &[
    "kintone-api/src",
    "emulator/src",
    "codegen/src",
    "spec/src",
    "cli/src",
    "derive/src",
    "xtask/src",
];

pub fn run(args: &[&str]) -> Result<(), String> {
    let verbose = match args {
        [] => false,
        ["--verbose"] => true,
        _ => return Err("usage: cargo xtask imports [--verbose]".into()),
    };
    let root = crate::workspace_root();
    let mut report = String::new();
    let mut loops = 0;
    for krate in CRATES {
        let graph = Graph::read(&root.join(krate))?;
        if verbose {
            for (from, to) in &graph.edges {
                let _ = writeln!(report, "{krate}: {from} -> {}", join(to));
            }
        }
        let cycles = graph.cycles();
        for cycle in &cycles {
            let _ = writeln!(report, "{krate}: loop of {}: {}", cycle.len(), join(cycle));
        }
        let imports: usize = graph.edges.values().map(BTreeSet::len).sum();
        let _ = writeln!(
            report,
            "{krate}: {} modules, {imports} imports between them, {} loops",
            graph.edges.len(),
            cycles.len()
        );
        loops += cycles.len();
        let layers = LAYERS
            .iter()
            .find(|(k, _)| k == krate)
            .map_or(&[][..], |(_, l)| *l);
        for (from, to) in graph.upward_imports(layers) {
            let _ = writeln!(report, "{krate}: {from} imports {to}, a layer above it");
            loops += 1;
        }
    }
    print!("{report}");
    if loops == 0 {
        Ok(())
    } else {
        Err(format!("{loops} import loops and upward imports"))
    }
}

fn join<'a>(names: impl IntoIterator<Item = &'a String>) -> String {
    names.into_iter().cloned().collect::<Vec<_>>().join(", ")
}

/// The modules of one crate (by file, relative to its `src`) and what each imports.
#[derive(Debug, Default)]
pub struct Graph {
    pub edges: BTreeMap<String, BTreeSet<String>>,
}

type ModulePath = Vec<String>;

struct Source {
    file: String,
    module: ModulePath,
    tokens: TokenStream,
}

impl Graph {
    pub fn read(src: &Path) -> Result<Graph, String> {
        let mut sources = Vec::new();
        for path in rust_files(src)? {
            let file = path
                .strip_prefix(src)
                .map_err(|e| e.to_string())?
                .to_string_lossy()
                .replace('\\', "/");
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let tokens = TokenStream::from_str(&text)
                .map_err(|e| format!("{}: not Rust tokens: {e}", path.display()))?;
            sources.push(Source {
                module: module_of(&file),
                file,
                tokens: without_tests(tokens),
            });
        }
        let modules: BTreeMap<ModulePath, String> = sources
            .iter()
            .map(|s| (s.module.clone(), s.file.clone()))
            .collect();
        let mut aliases = BTreeMap::new();
        for source in &sources {
            collect_aliases(source, &modules, &mut aliases);
        }
        let resolver = Resolver { modules, aliases };
        let mut graph = Graph::default();
        for source in &sources {
            let mut paths = Vec::new();
            collect_paths(&source.tokens, &source.module, &mut paths);
            let targets = graph.edges.entry(source.file.clone()).or_default();
            for path in paths {
                if let Some(target) = resolver.resolve(path) {
                    if target != source.file {
                        targets.insert(target);
                    }
                }
            }
        }
        Ok(graph)
    }

    /// Each import of a module in a higher layer than the importer's (`layers` lowest first,
    /// each a top folder of `src`; modules outside every layer are not held to it).
    pub fn upward_imports(&self, layers: &[&str]) -> Vec<(String, String)> {
        let layer = |file: &str| {
            let top = file.split('/').next().unwrap_or(file);
            layers.iter().position(|l| *l == top)
        };
        let mut found = Vec::new();
        for (from, targets) in &self.edges {
            for to in targets {
                if let (Some(a), Some(b)) = (layer(from), layer(to)) {
                    if b > a {
                        found.push((from.clone(), to.clone()));
                    }
                }
            }
        }
        found
    }

    /// Every set of two or more modules that import one another, round in a loop (Tarjan's
    /// strongly connected components).
    pub fn cycles(&self) -> Vec<Vec<String>> {
        struct State<'g> {
            graph: &'g Graph,
            index: BTreeMap<&'g str, usize>,
            low: BTreeMap<&'g str, usize>,
            stack: Vec<&'g str>,
            on_stack: BTreeSet<&'g str>,
            found: Vec<Vec<String>>,
        }
        fn visit<'g>(state: &mut State<'g>, node: &'g str) {
            let next = state.index.len();
            state.index.insert(node, next);
            state.low.insert(node, next);
            state.stack.push(node);
            state.on_stack.insert(node);
            let graph = state.graph;
            for target in graph.edges.get(node).into_iter().flatten() {
                let target = target.as_str();
                if !state.index.contains_key(target) {
                    visit(state, target);
                    let low = state.low[node].min(state.low[target]);
                    state.low.insert(node, low);
                } else if state.on_stack.contains(target) {
                    let low = state.low[node].min(state.index[target]);
                    state.low.insert(node, low);
                }
            }
            if state.low[node] == state.index[node] {
                let mut component = Vec::new();
                while let Some(member) = state.stack.pop() {
                    state.on_stack.remove(member);
                    component.push(member.to_string());
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    state.found.push(component);
                }
            }
        }
        let mut state = State {
            graph: self,
            index: BTreeMap::new(),
            low: BTreeMap::new(),
            stack: Vec::new(),
            on_stack: BTreeSet::new(),
            found: Vec::new(),
        };
        for node in self.edges.keys() {
            if !state.index.contains_key(node.as_str()) {
                visit(&mut state, node);
            }
        }
        state.found.sort();
        state.found
    }
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "generated") {
                files.extend(rust_files(&path)?);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// `a/b.rs` and `a/b/mod.rs` are the module `a::b`; `lib.rs` and `main.rs` the crate root.
fn module_of(file: &str) -> ModulePath {
    let mut parts: ModulePath = file
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The stream with every `#[cfg(test)]` item taken out.
fn without_tests(tokens: TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut kept = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if is_cfg_test(&tokens, i) {
            i += 2;
            // The item runs to its body (`{ … }`) or its `;`, past any further attributes.
            while i < tokens.len() {
                let end = match &tokens[i] {
                    TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
                    TokenTree::Punct(p) => p.as_char() == ';',
                    _ => false,
                };
                i += 1;
                if end {
                    break;
                }
            }
            continue;
        }
        kept.push(match &tokens[i] {
            TokenTree::Group(g) => {
                let mut inner = proc_macro2::Group::new(g.delimiter(), without_tests(g.stream()));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            other => other.clone(),
        });
        i += 1;
    }
    kept.into_iter().collect()
}

fn is_cfg_test(tokens: &[TokenTree], i: usize) -> bool {
    matches!(&tokens[i], TokenTree::Punct(p) if p.as_char() == '#')
        && matches!(tokens.get(i + 1), Some(TokenTree::Group(g))
            if g.delimiter() == Delimiter::Bracket
                && g.stream().to_string().replace(' ', "") == "cfg(test)")
}

fn is_path_sep(tokens: &[TokenTree], i: usize) -> bool {
    matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':')
        && matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':')
}

/// Where a path that starts with `first` points from `module`: an absolute module path, or
/// `None` for a path into another crate.
fn anchor(first: &str, module: &[String]) -> Option<ModulePath> {
    match first {
        "crate" => Some(Vec::new()),
        "self" => Some(module.to_vec()),
        "super" => Some(module[..module.len().saturating_sub(1)].to_vec()),
        _ => None,
    }
}

/// Every path the tokens name from `crate`, `$crate`, `self` or `super`, made absolute, with
/// `use` groups (`crate::a::{b, c::D}`) spread out.
fn collect_paths(tokens: &TokenStream, module: &[String], out: &mut Vec<ModulePath>) {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        if let TokenTree::Ident(ident) = &tokens[i] {
            let word = ident.to_string();
            if let Some(mut base) = anchor(&word, module).filter(|_| is_path_sep(&tokens, i + 1)) {
                // `i` walks from one `::` to the next; the segment after each is at `i + 2`.
                i += 1;
                let mut grouped = false;
                while is_path_sep(&tokens, i) {
                    match tokens.get(i + 2) {
                        Some(TokenTree::Ident(next)) if next == "super" => {
                            base.pop();
                        }
                        Some(TokenTree::Ident(next)) => base.push(next.to_string()),
                        Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
                            use_group(&group.stream(), &base, out);
                            grouped = true;
                            i += 3;
                            break;
                        }
                        _ => break,
                    }
                    i += 3;
                }
                if !grouped {
                    out.push(base);
                }
                // What follows the path (call arguments, say) is read as any other token.
                continue;
            }
        }
        if let TokenTree::Group(group) = &tokens[i] {
            collect_paths(&group.stream(), module, out);
        }
        i += 1;
    }
}

/// The paths of a `use` group under `base`: `{a, b::C, d::{E, F}, self, *}`.
fn use_group(tokens: &TokenStream, base: &[String], out: &mut Vec<ModulePath>) {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for item in tokens.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
        let mut path = base.to_vec();
        for token in item {
            match token {
                TokenTree::Ident(ident) if ident == "as" => break,
                TokenTree::Ident(ident) if ident == "self" => {}
                TokenTree::Ident(ident) => path.push(ident.to_string()),
                TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                    use_group(&group.stream(), &path, out);
                    path.clear();
                    break;
                }
                _ => {}
            }
        }
        if !path.is_empty() {
            out.push(path);
        }
    }
}

/// The names each module re-exports with `use` (`pub use child::X`, `use crate::a::Y as Z`):
/// (module, name) to the path it stands for.
fn collect_aliases(
    source: &Source,
    modules: &BTreeMap<ModulePath, String>,
    aliases: &mut BTreeMap<(ModulePath, String), ModulePath>,
) {
    let tokens: Vec<TokenTree> = source.tokens.clone().into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        if !matches!(token, TokenTree::Ident(ident) if ident == "use") {
            continue;
        }
        let end = tokens[i..]
            .iter()
            .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';'))
            .map_or(tokens.len(), |n| i + n);
        let statement: TokenStream = tokens[i + 1..end].iter().cloned().collect();
        let Some(TokenTree::Ident(first)) = statement.clone().into_iter().next() else {
            continue;
        };
        let first = first.to_string();
        let mut paths = Vec::new();
        if anchor(&first, &source.module).is_some() {
            collect_paths(&statement, &source.module, &mut paths);
        } else {
            // A relative path names a child module (`pub use client::Client` in a root or a
            // folder); any other is another crate's.
            let mut child = source.module.clone();
            child.push(first);
            if !modules.contains_key(&child) {
                continue;
            }
            use_group(&statement, &source.module, &mut paths);
        }
        let renamed = renames(&statement);
        for path in paths {
            if let Some(name) = path.last() {
                let name = renamed.get(name).cloned().unwrap_or_else(|| name.clone());
                aliases.insert((source.module.clone(), name), path);
            }
        }
    }
}

/// `X as Y` pairs of a `use` statement.
fn renames(statement: &TokenStream) -> BTreeMap<String, String> {
    let mut renamed = BTreeMap::new();
    let tokens: Vec<TokenTree> = statement.clone().into_iter().collect();
    for window in tokens.windows(3) {
        if let [TokenTree::Ident(from), TokenTree::Ident(r#as), TokenTree::Ident(to)] = window {
            if r#as == "as" {
                renamed.insert(from.to_string(), to.to_string());
            }
        }
    }
    for token in &tokens {
        if let TokenTree::Group(group) = token {
            renamed.extend(renames(&group.stream()));
        }
    }
    renamed
}

struct Resolver {
    modules: BTreeMap<ModulePath, String>,
    aliases: BTreeMap<(ModulePath, String), ModulePath>,
}

impl Resolver {
    /// The file of the module that defines what `path` names, following re-exports.
    fn resolve(&self, mut path: ModulePath) -> Option<String> {
        for _ in 0..16 {
            let known = (0..=path.len())
                .rev()
                .find(|&n| self.modules.contains_key(&path[..n]))?;
            let module = path[..known].to_vec();
            let Some(target) = path
                .get(known)
                .and_then(|name| self.aliases.get(&(module.clone(), name.clone())))
                .filter(|target| **target != path[..=known])
            else {
                return self.modules.get(&module).cloned();
            };
            let mut next = target.clone();
            next.extend_from_slice(&path[known + 1..]);
            path = next;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_of(files: &[(&str, &str)]) -> tempdir::Dir {
        let dir = tempdir::Dir::new();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    /// A throwaway folder under the target directory, removed when dropped.
    mod tempdir {
        pub struct Dir(std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                use std::sync::atomic::{AtomicUsize, Ordering};
                static NEXT: AtomicUsize = AtomicUsize::new(0);
                let path = std::env::temp_dir().join(format!(
                    "xtask-imports-{}-{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                ));
                std::fs::create_dir_all(&path).unwrap();
                Dir(path)
            }
            pub fn path(&self) -> &std::path::Path {
                &self.0
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn a_loop_through_a_root_re_export_and_a_macro_body_is_found() {
        let dir = crate_of(&[
            ("lib.rs", "mod a;\nmod b;\npub use a::Thing;\n"),
            ("a.rs", "pub struct Thing;\npub fn f() { crate::b::g() }\n"),
            (
                "b.rs",
                "macro_rules! m { () => { $crate::Thing } }\npub fn g() {}\n",
            ),
        ]);
        let graph = Graph::read(dir.path()).unwrap();
        assert_eq!(graph.edges["a.rs"], BTreeSet::from(["b.rs".to_string()]));
        assert_eq!(graph.edges["b.rs"], BTreeSet::from(["a.rs".to_string()]));
        assert_eq!(
            graph.cycles(),
            vec![vec!["a.rs".to_string(), "b.rs".to_string()]]
        );
    }

    #[test]
    fn use_groups_super_paths_and_folder_re_exports_resolve_to_the_defining_file() {
        let dir = crate_of(&[
            ("lib.rs", "mod room;\nmod top;\n"),
            ("room/mod.rs", "mod inner;\nmod other;\npub use inner::Deep;\n"),
            ("room/inner.rs", "pub struct Deep;\n"),
            ("room/other.rs", "use super::inner::Deep;\n"),
            (
                "top.rs",
                "use crate::{room::{Deep as D}, room::other};\n#[cfg(test)]\nmod tests { use crate::top; }\n",
            ),
        ]);
        let graph = Graph::read(dir.path()).unwrap();
        assert_eq!(
            graph.edges["top.rs"],
            BTreeSet::from(["room/inner.rs".to_string(), "room/other.rs".to_string()])
        );
        assert_eq!(
            graph.edges["room/other.rs"],
            BTreeSet::from(["room/inner.rs".to_string()])
        );
        assert!(graph.cycles().is_empty());
    }

    #[test]
    fn no_crate_of_the_workspace_has_an_import_loop() {
        let root = crate::workspace_root();
        for krate in CRATES {
            let graph = Graph::read(&root.join(krate)).unwrap();
            assert!(graph.edges.len() > 1, "{krate} read no modules");
            assert_eq!(graph.cycles(), Vec::<Vec<String>>::new(), "{krate}");
        }
    }

    #[test]
    fn the_emulators_layers_import_downward_only() {
        let root = crate::workspace_root();
        for (krate, layers) in LAYERS {
            let graph = Graph::read(&root.join(krate)).unwrap();
            assert_eq!(graph.upward_imports(layers), vec![], "{krate}");
            // The layers exist and lean on each other, so an empty answer is not a vacuous one.
            for (upper, lower) in layers.iter().skip(1).zip(layers.iter()) {
                assert!(
                    graph.edges.iter().any(|(from, to)| from.starts_with(upper)
                        && to.iter().any(|t| t.starts_with(lower))),
                    "{krate}: nothing in {upper} imports {lower}"
                );
            }
        }
    }

    #[test]
    fn an_import_of_a_higher_layer_is_found() {
        let dir = crate_of(&[
            ("lib.rs", "mod domain;\nmod api;\n"),
            ("domain/mod.rs", "pub mod store;\n"),
            (
                "domain/store.rs",
                "pub fn f() { crate::api::handler::g() }\n",
            ),
            ("api/mod.rs", "pub mod handler;\n"),
            ("api/handler.rs", "pub fn g() {}\n"),
        ]);
        let graph = Graph::read(dir.path()).unwrap();
        assert_eq!(
            graph.upward_imports(&["domain", "api"]),
            vec![("domain/store.rs".to_string(), "api/handler.rs".to_string())]
        );
        assert!(graph.cycles().is_empty());
    }
}

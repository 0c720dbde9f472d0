//! The emulator's modules depend on one another one way only: the domain layer
//! (`crate::domain`) on nothing above it, the API layer (`crate::api`) on the domain, the HTTP
//! layer (`crate::http`) on both, and the crate root on all three; and no module reaches back
//! to one that reaches it.
//!
//! Read from the source: every file under `src/` is a module (`lib.rs` the crate root,
//! `x/mod.rs` the module `x`), and what it imports is each path in its code (use statements,
//! re-exports and paths in expressions and types alike) that starts at `crate`, `super`, `self`
//! or a module the file declares, mapped to the module file it ends in. Comments and strings
//! are not code; inline modules (`mod tests { … }`) are part of their file, with `super` read
//! from where they sit. The binary (`main.rs`) is a crate of its own and is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module path such as `crate::domain::store`.
type Module = String;

/// Which module imports which.
type Graph = BTreeMap<Module, BTreeSet<Module>>;

/// The layers, lowest first: a module may import its own layer's modules and those below it.
const LAYERS: &[&str] = &["crate::domain", "crate::api", "crate::http", "crate"];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Other(char),
}

/// The code of a source file as tokens, without comments, with string and character literals
/// dropped (a path inside a string is no import).
fn tokens(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else if i >= chars.len() {
                    break;
                } else {
                    i += 1;
                }
            }
        } else if (c == 'r' || c == 'b')
            && !at(i.wrapping_sub(1)).is_alphanumeric()
            && at(i.wrapping_sub(1)) != '_'
            && raw_string_hashes(&chars, i).is_some()
        {
            let (start, hashes) = raw_string_hashes(&chars, i).unwrap();
            i = start;
            loop {
                if i >= chars.len() {
                    break;
                }
                if chars[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{1F600}'); otherwise a lifetime or a label.
            if at(i + 1) == '\\' {
                let close = (i + 2..chars.len()).find(|&k| chars[k] == '\'');
                i = close.map_or(chars.len(), |k| k + 1);
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else if c == ':' && at(i + 1) == ':' {
            out.push(Token::PathSep);
            i += 2;
        } else {
            out.push(match c {
                '{' => Token::Open,
                '}' => Token::Close,
                ',' => Token::Comma,
                c if c.is_whitespace() => {
                    i += 1;
                    continue;
                }
                c => Token::Other(c),
            });
            i += 1;
        }
    }
    out
}

/// Where a raw string literal (`r"…"`, `r#"…"#`, `br"…"`) starting at `i` has its first
/// character, and how many `#` close it.
fn raw_string_hashes(chars: &[char], i: usize) -> Option<(usize, usize)> {
    let mut k = i;
    if chars.get(k) == Some(&'b') {
        k += 1;
    }
    if chars.get(k) != Some(&'r') {
        return None;
    }
    k += 1;
    let hashes = chars[k..].iter().take_while(|&&c| c == '#').count();
    k += hashes;
    (chars.get(k) == Some(&'"')).then_some((k + 1, hashes))
}

/// The paths a `{ … }` group of a use tree names, each as its segments after `prefix`.
fn expand_group(
    tokens: &[Token],
    mut i: usize,
    prefix: &[String],
    out: &mut Vec<Vec<String>>,
) -> usize {
    // `tokens[i]` is just after the opening brace.
    let mut current: Vec<String> = Vec::new();
    loop {
        match tokens.get(i) {
            None => return i,
            Some(Token::Close) => {
                if !current.is_empty() {
                    out.push([prefix, &current].concat());
                }
                return i + 1;
            }
            Some(Token::Comma) => {
                if !current.is_empty() {
                    out.push([prefix, &current].concat());
                }
                current.clear();
                i += 1;
            }
            Some(Token::Open) => {
                let nested = [prefix, &current].concat();
                i = expand_group(tokens, i + 1, &nested, out);
                current.clear();
            }
            Some(Token::Ident(name)) if name == "as" => {
                // `x as y`: the alias is no module.
                i += 2;
            }
            Some(Token::Ident(name)) if name == "self" => {
                // `x::{self, …}`: the module `x` itself.
                out.push(prefix.to_vec());
                i += 1;
            }
            Some(Token::Ident(name)) => {
                current.push(name.clone());
                i += 1;
            }
            Some(_) => i += 1,
        }
    }
}

/// The modules one file's code imports. `scope` is the file's module; `modules` every module
/// of the crate.
fn imports_of(source: &str, scope: &str, modules: &BTreeSet<Module>) -> BTreeSet<Module> {
    let tokens = tokens(source);
    let children: BTreeSet<&str> = modules
        .iter()
        .filter_map(|m| m.strip_prefix(scope)?.strip_prefix("::"))
        .filter(|rest| !rest.contains("::"))
        .collect();
    let mut imported = BTreeSet::new();
    // Inline modules open at a brace depth: while inside one, `super` starts from it.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Open => depth += 1,
            Token::Close => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Token::Ident(word) if word == "mod" => {
                if let (Some(Token::Ident(name)), Some(Token::Open)) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    inline.push((name.clone(), depth));
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Token::Ident(first)
                if (i == 0 || tokens[i - 1] != Token::PathSep)
                    && (matches!(first.as_str(), "crate" | "super" | "self")
                        || children.contains(first.as_str()))
                    && tokens.get(i + 1) == Some(&Token::PathSep) =>
            {
                let mut segments = vec![first.clone()];
                let mut j = i + 1;
                let mut paths = Vec::new();
                while tokens.get(j) == Some(&Token::PathSep) {
                    match tokens.get(j + 1) {
                        Some(Token::Ident(next)) => {
                            segments.push(next.clone());
                            j += 2;
                        }
                        Some(Token::Open) => {
                            j = expand_group(&tokens, j + 2, &segments, &mut paths);
                            break;
                        }
                        _ => break,
                    }
                }
                if paths.is_empty() {
                    paths.push(segments);
                }
                let here: Vec<String> = scope
                    .split("::")
                    .map(str::to_string)
                    .chain(inline.iter().map(|(name, _)| name.clone()))
                    .collect();
                for path in paths {
                    if let Some(target) = resolve(&path, &here, modules) {
                        if target != scope {
                            imported.insert(target);
                        }
                    }
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    imported
}

/// The module file a path ends in: the longest prefix of it that is a module.
fn resolve(path: &[String], here: &[String], modules: &BTreeSet<Module>) -> Option<Module> {
    let mut full: Vec<String> = if path[0] == "crate" {
        vec!["crate".to_string()]
    } else {
        here.to_vec()
    };
    let mut rest = if path[0] == "crate" { &path[1..] } else { path };
    while let Some(first) = rest.first() {
        match first.as_str() {
            "super" => {
                full.pop();
            }
            "self" => {}
            _ => break,
        }
        rest = &rest[1..];
    }
    full.extend(rest.iter().cloned());
    (1..=full.len())
        .rev()
        .map(|n| full[..n].join("::"))
        .find(|m| modules.contains(m))
}

/// The module a source file is, by its path under `src/`.
fn module_of(relative: &Path) -> Option<Module> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    match parts.last().map(String::as_str) {
        Some("main") if parts.len() == 1 => return None,
        Some("lib") if parts.len() == 1 => {
            parts.pop();
        }
        Some("mod") => {
            parts.pop();
        }
        _ => {}
    }
    Some(
        std::iter::once("crate".to_string())
            .chain(parts)
            .collect::<Vec<_>>()
            .join("::"),
    )
}

/// The import graph of a crate given as its files' sources, by module.
fn graph(files: &BTreeMap<Module, String>) -> Graph {
    let modules: BTreeSet<Module> = files.keys().cloned().collect();
    files
        .iter()
        .map(|(module, source)| (module.clone(), imports_of(source, module, &modules)))
        .collect()
}

/// Every file under `emulator/src`, by module.
fn emulator_sources() -> BTreeMap<Module, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<Module, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                if let Some(module) = module_of(path.strip_prefix(root).unwrap()) {
                    out.insert(module, std::fs::read_to_string(&path).unwrap());
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

/// A cycle of the graph, as the modules along it, if it has one.
fn find_cycle(graph: &Graph) -> Option<Vec<Module>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        module: &Module,
        graph: &Graph,
        marks: &mut BTreeMap<Module, Mark>,
        path: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        match marks.get(module) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = path.iter().position(|m| m == module).unwrap();
                let mut cycle = path[start..].to_vec();
                cycle.push(module.clone());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(module.clone(), Mark::Open);
        path.push(module.clone());
        for next in graph.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(module.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut marks, &mut Vec::new()))
}

/// The layer a module is in: the index in [`LAYERS`] of the first that holds it.
fn layer(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| module == *l || module.starts_with(&format!("{l}::")))
        .unwrap()
}

/// Every import from a lower layer into a higher one.
fn upward_imports(graph: &Graph) -> Vec<String> {
    graph
        .iter()
        .flat_map(|(from, to)| to.iter().map(move |to| (from, to)))
        .filter(|(from, to)| layer(to) > layer(from))
        .map(|(from, to)| format!("{from} imports {to}"))
        .collect()
}

#[test]
fn no_module_of_the_emulator_imports_one_that_imports_it() {
    let graph = graph(&emulator_sources());
    assert_eq!(find_cycle(&graph), None, "an import loop");
}

#[test]
fn the_domain_imports_neither_api_nor_http_and_the_api_not_http() {
    let graph = graph(&emulator_sources());
    assert_eq!(upward_imports(&graph), Vec::<String>::new());
}

/// The reading above sees the imports there are, so that its empty answers mean something.
#[test]
fn the_graph_holds_the_imports_each_layer_is_known_to_make() {
    let graph = graph(&emulator_sources());
    let imports = |from: &str, to: &str| graph.get(from).is_some_and(|t| t.contains(to));
    // A `use` list, a path in an expression, a `super` path, a path from the crate root.
    assert!(imports("crate::api::records", "crate::domain::store"));
    assert!(imports("crate::api::bulk", "crate::domain::spec"));
    assert!(imports("crate::api::operations", "crate::api::records"));
    assert!(imports("crate::http::server", "crate::api"));
    assert!(imports("crate::domain::store", "crate::domain::seed"));
    assert!(imports("crate", "crate::http::server"));
    for layer in ["crate::domain", "crate::api", "crate::http"] {
        assert!(
            graph.keys().any(|m| m.starts_with(layer)),
            "no module in {layer}"
        );
    }
}

/// The checks find a loop and an upward import where there are some: two modules importing
/// each other (one through a `use` group with `self`, the other through `super` inside an
/// inline module), a domain module importing the API layer; comments and strings import
/// nothing.
#[test]
fn the_checks_find_a_planted_loop_and_an_upward_import() {
    let files: BTreeMap<Module, String> = [
        ("crate", "mod api; mod domain;"),
        (
            "crate::domain",
            "pub mod a; pub mod b; // crate::api::x in a comment\nconst S: &str = \"crate::api\";",
        ),
        ("crate::domain::a", "use crate::domain::{b::{self}};"),
        (
            "crate::domain::b",
            "fn f() {} mod tests { fn g() { super::super::a::h(); crate::api::run(); } }",
        ),
        ("crate::api", "pub fn run() { let c = 'x'; }"),
    ]
    .into_iter()
    .map(|(m, s)| (m.to_string(), s.to_string()))
    .collect();
    let graph = graph(&files);
    let cycle = find_cycle(&graph).expect("a and b import each other");
    assert!(cycle.contains(&"crate::domain::a".to_string()));
    assert!(cycle.contains(&"crate::domain::b".to_string()));
    assert_eq!(
        upward_imports(&graph),
        vec!["crate::domain::b imports crate::api".to_string()]
    );
    assert!(
        graph["crate::domain"].is_empty(),
        "{:?}",
        graph["crate::domain"]
    );
}

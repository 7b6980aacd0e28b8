//! The folders of `server/src` are layers, and imports run one way: each module may use modules of its own folder
//! and of the layers below, never above, and the modules never import each other in a circle. Read from the
//! sources (`crate::…` and `super::…` paths), so a change that breaks the layering fails here with the offending
//! import named.
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is the test failing, with its location

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

/// Bottom to top; a module may import its own layer only within its own top-level folder. `app::config` and
/// `app::state` are the plain data every handler receives (the state holds the token signing keys); the rest of
/// `app` (start-up, demo data, the router) sits on top of everything.
const LAYERS: &[&[&str]] =
    &[&["store"], &["access::jwt"], &["app::config", "app::state"], &["access"], &["records"], &["workflow"], &["sync", "desk", "console"], &["app"]];

fn layer_of(module: &str) -> (usize, &'static str) {
    let mut best: Option<(usize, &'static str)> = None;
    for (rank, names) in LAYERS.iter().enumerate() {
        for name in *names {
            let matches = module == *name || module.starts_with(&format!("{name}::"));
            if matches && best.is_none_or(|(_, b)| name.len() > b.len()) {
                best = Some((rank, name));
            }
        }
    }
    best.unwrap_or_else(|| panic!("module {module} belongs to no layer: add its folder to LAYERS"))
}

/// Every module of the crate (`a::b` for `a/b.rs` or `a/b/mod.rs`) with its source, tests left out.
fn modules(root: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                walk(&path, &format!("{prefix}{name}::"), out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let module = if name == "mod" { prefix.trim_end_matches("::").to_string() } else { format!("{prefix}{name}") };
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default().to_string();
                out.insert(module, code);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, "", &mut out);
    out.remove("lib");
    out.remove("main");
    out
}

/// The paths after `crate::` / `super::` in `code`, with use-groups expanded (`a::{b, c::{d, e}}` gives `a::b`,
/// `a::c::d` and `a::c::e`).
fn paths(code: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    for (is_super, marker) in [(false, "crate::"), (true, "super::")] {
        let mut rest = code;
        while let Some(i) = rest.find(marker) {
            let before = rest[..i].chars().last();
            rest = &rest[i + marker.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            expand("", rest, &mut |p| out.push((is_super, p)));
        }
    }
    out.retain(|(_, p)| !p.is_empty());
    out
}

/// Calls `found` with `prefix` joined to each path at the start of `text` (one path, or every path of a group).
fn expand(prefix: &str, text: &str, found: &mut dyn FnMut(String)) {
    let path = leading_path(text);
    let joined = [prefix, path.as_str()].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join("::");
    let after = text[path.len()..].trim_start_matches(':');
    let Some(group) = after.strip_prefix('{') else {
        found(joined);
        return;
    };
    let mut depth = 1;
    let mut item_start = 0;
    for (k, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' | ',' if depth == 1 => {
                let item = group[item_start..k].trim();
                if !item.is_empty() && item != "self" {
                    expand(&joined, item, found);
                } else if item == "self" {
                    found(joined.clone());
                }
                item_start = k + 1;
                if c == '}' {
                    return;
                }
            }
            '}' => depth -= 1,
            _ => {}
        }
    }
}

fn leading_path(s: &str) -> String {
    let end = s.find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':')).unwrap_or(s.len());
    s[..end].trim_end_matches(':').to_string()
}

/// The longest module that `path` (relative to the crate root) names.
fn resolve(path: &str, modules: &BTreeMap<String, String>) -> Option<String> {
    let segments: Vec<&str> = path.split("::").collect();
    (1..=segments.len()).rev().map(|n| segments[..n].join("::")).find(|m| modules.contains_key(m))
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&root);
    let mut graph = BTreeMap::new();
    for (module, code) in &modules {
        let dir_module = root.join(module.replace("::", "/")).join("mod.rs").exists();
        let parent: Vec<&str> = module.split("::").collect();
        // `super` of a file module is its folder's module; of a folder's mod.rs, the folder's parent.
        let base = if dir_module { &parent[..parent.len().saturating_sub(1)] } else { &parent[..parent.len() - 1] };
        let mut deps = BTreeSet::new();
        for (is_super, path) in paths(code) {
            let full = if is_super { [base.join("::"), path].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join("::") } else { path };
            if let Some(target) = resolve(&full, &modules).filter(|t| t != module) {
                deps.insert(target);
            }
        }
        graph.insert(module.clone(), deps);
    }
    graph
}

#[test]
fn every_import_runs_down_the_layers() {
    let graph = graph();
    assert!(graph.len() > 40, "the sources were read: {} modules", graph.len());
    let mut upward = Vec::new();
    for (module, deps) in &graph {
        let (rank, layer) = layer_of(module);
        for dep in deps {
            let (dep_rank, dep_layer) = layer_of(dep);
            let top = |m: &str| m.split("::").next().unwrap_or_default().to_string();
            let same_folder = top(module) == top(dep);
            if dep_rank > rank || (dep_rank == rank && !same_folder) {
                upward.push(format!("{module} (layer {layer}) imports {dep} (layer {dep_layer})"));
            }
        }
    }
    assert!(upward.is_empty(), "imports that run up or across the layers:\n{}", upward.join("\n"));
}

#[test]
fn no_modules_import_each_other_in_a_circle() {
    let graph = graph();
    // Depth-first search; a module met again while still on the path closes a circle.
    fn visit(m: &str, graph: &BTreeMap<String, BTreeSet<String>>, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            return Some(path[i..].iter().cloned().chain(std::iter::once(m.to_string())).collect());
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for dep in &graph[m] {
            if let Some(circle) = visit(dep, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(circle) = visit(m, &graph, &mut Vec::new(), &mut done) {
            panic!("modules import each other in a circle: {}", circle.join(" → "));
        }
    }
}

#[test]
fn the_store_imports_nothing_above_it() {
    let graph = graph();
    for (module, deps) in graph.iter().filter(|(m, _)| m.starts_with("store")) {
        for dep in deps {
            assert!(dep.starts_with("store"), "{module} imports {dep}");
        }
    }
}

//! The house rule of issue 11: the library's modules form layers, and a module imports only
//! from layers below its own, so there is no import circle and no upward import. Read from
//! the source, so that a new module or a new `use` that breaks the rule fails here, naming
//! the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module in layer N may use modules of layers 0..N only.
/// Every module of `src/` is listed, so a new one must be given a place.
const LAYERS: &[&[&str]] = &[
    // Leaves: no module of the crate below them.
    &["diagnostic", "html", "paths"],
    &["markdown"],
    &["text", "url"],
    &["config", "frontmatter"],
    // The page model and its parser.
    &["content"],
    // The store of a site's pages.
    &["pages"],
    // What is written: the outputs' declaration, dates as shown, the output folder, the
    // theme.
    &["dates", "output", "outputs", "templates"],
    // The library of pages: load, cross-page checks, reload.
    &["site"],
    // Template contexts, pages, generated files, the book, and the dependency function.
    &["render"],
    // Building, and the files' claims on the output.
    &["build", "claims"],
    &["scaffold", "watch"],
    &["serve"],
];

/// The edge of the crate: the library root, the binary and its argument parsing, which may
/// use anything.
const TOP: &[&str] = &["lib", "main", "cli"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a source file belongs to (`render/book.rs` → `render`).
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap_or(file);
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    first
        .unwrap_or_default()
        .trim_end_matches(".rs")
        .to_string()
}

/// The code of a file without its unit tests, which may use anything.
fn without_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    }
}

/// Every crate module named in `code` (by `crate::name` or inside `crate::{…}`), with the
/// line it is named on.
fn named_modules(code: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let line = code[..at].matches('\n').count() + 1;
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a::X, b, c::{Y, Z}}`: the first segment of each top-level item.
            let mut depth = 0usize;
            let mut item_start = true;
            let mut name = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if !name.is_empty() {
                            found.push((std::mem::take(&mut name), line));
                        }
                        item_start = true;
                    }
                    c if item_start && (c.is_alphanumeric() || c == '_') => name.push(c),
                    _ if item_start && !name.is_empty() => {
                        found.push((std::mem::take(&mut name), line));
                        item_start = false;
                    }
                    _ => {}
                }
            }
            if !name.is_empty() {
                found.push((name, line));
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push((name, line));
        }
    }
    found
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

#[test]
fn modules_import_only_from_layers_below_their_own() {
    let mut problems = Vec::new();
    let mut seen = BTreeMap::new();
    for entry in walkdir::WalkDir::new(src()) {
        let entry = entry.expect("src/ is readable");
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let module = module_of(entry.path());
        let text = std::fs::read_to_string(entry.path()).expect("source is UTF-8");
        seen.insert(module.clone(), ());
        if TOP.contains(&module.as_str()) {
            continue;
        }
        let Some(own) = layer_of(&module) else {
            problems.push(format!(
                "src/{module}: not in LAYERS; give the new module its place"
            ));
            continue;
        };
        let file = entry
            .path()
            .strip_prefix(src())
            .unwrap_or(entry.path())
            .display()
            .to_string();
        for (used, line) in named_modules(without_tests(&text)) {
            if used == module {
                continue;
            }
            match layer_of(&used) {
                Some(l) if l < own => {}
                Some(l) => problems.push(format!(
                    "src/{file}:{line}: {module} (layer {own}) uses {used} (layer {l}), \
                     which is not below it"
                )),
                // Items of the library root (`crate::Site`) are re-exports for users.
                None if used.starts_with(char::is_uppercase) => {}
                None => problems.push(format!("src/{file}:{line}: {module} uses unknown {used}")),
            }
        }
    }
    for layer in LAYERS {
        for module in *layer {
            if !seen.contains_key(*module) {
                problems.push(format!(
                    "LAYERS names {module}, which is not a module of src/"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "layering broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_import_reader_sees_every_form_of_use() {
    let code = "use crate::a::X;\nuse crate::{b::Y, c, d::{E, F}};\nlet z = crate::e::f();\n";
    let names: Vec<_> = named_modules(code)
        .into_iter()
        .map(|(n, l)| format!("{n}:{l}"))
        .collect();
    assert_eq!(names, ["a:1", "b:2", "c:2", "d:2", "e:3"]);
}

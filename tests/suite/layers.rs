//! The house rule of issue 11: the library's modules form layers, and a module imports only
//! from layers below its own, so there is no import circle and no upward import. Read from
//! the source, so that a new module or a new `use` that breaks the rule fails here, naming
//! the line. Also read: calls of a method that a higher module adds to a lower module's type
//! (`impl Site` in `claims`), which name no module; `KNOWN_UPWARD_CALLS` lists today's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module in layer N may use modules of layers 0..N only.
/// Every module of `src/` is listed, so a new one must be given a place.
const LAYERS: &[&[&str]] = &[
    // Leaves: no module of the crate below them.
    &["diagnostic", "glyphs", "html", "paths"],
    &["markdown"],
    &["text", "url"],
    // A table of front matter or configuration read against its schema, every key at once.
    &["fields"],
    // The levels of the site's markings, and the marked sections of a body; the words the
    // theme prints in each language.
    &["marking", "strings"],
    &["config", "frontmatter"],
    // A translation's front matter completed from, and checked against, its original's.
    &["translation"],
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
    // Building: the output written, or checked.
    &["build"],
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

/// `text` with the contents of its comments, string literals and character literals
/// replaced by spaces (newlines kept), so that a brace, a `crate::` or a `.name(` in them is
/// not read as code and every offset and line stays where it was. Lifetimes (`'a`) are code.
fn blank_non_code(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = c.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for ch in &mut out[from..to.min(c.len())] {
            if *ch != '\n' {
                *ch = ' ';
            }
        }
    };
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            let end = (i..c.len()).find(|&j| c[j] == '\n').unwrap_or(c.len());
            blank(&mut out, i, end);
            i = end;
        } else if c[i] == '/' && next == Some('*') {
            // Block comments nest in Rust.
            let (mut depth, mut j) = (1, i + 2);
            while j < c.len() && depth > 0 {
                if c[j] == '/' && c.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if c[j] == '*' && c.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if (c[i] == 'r' || (c[i] == 'b' && next == Some('r')))
            && (i == 0 || !ident(c[i - 1]))
            && {
                let at = if c[i] == 'r' { i + 1 } else { i + 2 };
                let hashes = c[at..].iter().take_while(|&&h| h == '#').count();
                c.get(at + hashes) == Some(&'"')
            }
        {
            // A raw string: r"…", r#"…"#, br"…", ending at a quote and as many #.
            let at = if c[i] == 'r' { i + 1 } else { i + 2 };
            let hashes = c[at..].iter().take_while(|&&h| h == '#').count();
            let body = at + hashes + 1;
            let mut j = body;
            while j < c.len()
                && !(c[j] == '"'
                    && c[j + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&h| h == '#')
                        .count()
                        == hashes)
            {
                j += 1;
            }
            blank(&mut out, body, j);
            i = j + 1 + hashes;
        } else if c[i] == '"' {
            let mut j = i + 1;
            while j < c.len() && c[j] != '"' {
                j += if c[j] == '\\' { 2 } else { 1 };
            }
            blank(&mut out, i + 1, j);
            i = j + 1;
        } else if c[i] == '\'' {
            // A character literal ('x', '\n', '\u{…}', '\'') or a lifetime ('a, 'static).
            let end = if next == Some('\\') {
                (i + 3..c.len()).find(|&j| c[j] == '\'')
            } else if c.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    blank(&mut out, i + 1, end);
                    i = end + 1;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    out.into_iter().collect()
}

/// The offset just past the `}` that closes the `{` at `open`, in blanked code.
fn matching_brace(code: &str, open: usize) -> usize {
    let mut depth = 0usize;
    for (at, ch) in code[open..].char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + at + 1;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// The code of a file (blanked by `blank_non_code`) without its unit-test modules, which may
/// use anything: each `#[cfg(test)] mod name { … }` is blanked to its matching brace, and
/// whatever comes after it is still read.
fn without_tests(text: &str) -> String {
    let mut code = blank_non_code(text);
    let mut from = 0;
    while let Some(found) = code[from..].find("#[cfg(test)]") {
        let attr = from + found;
        let after = attr + "#[cfg(test)]".len();
        let rest = code[after..].trim_start();
        let rest = rest.strip_prefix("pub ").unwrap_or(rest).trim_start();
        let is_mod = rest.strip_prefix("mod ").is_some_and(|r| {
            let r = r.trim_start_matches(|ch: char| ch.is_alphanumeric() || ch == '_');
            r.trim_start().starts_with('{')
        });
        if !is_mod {
            from = after;
            continue;
        }
        let open = after + code[after..].find('{').unwrap_or(0);
        let close = matching_brace(&code, open);
        let blanked: String = code[attr..close]
            .chars()
            .map(|ch| if ch == '\n' { '\n' } else { ' ' })
            .collect();
        code.replace_range(attr..close, &blanked);
        from = attr + blanked.len();
    }
    code
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

/// Every identifier of `code` with its byte offset.
fn identifiers(code: &str) -> Vec<(&str, usize)> {
    let mut found = Vec::new();
    let mut start = None;
    for (at, ch) in code
        .char_indices()
        .chain(std::iter::once((code.len(), ' ')))
    {
        let part = ch.is_alphanumeric() || ch == '_';
        match (start, part) {
            (None, true) => start = Some(at),
            (Some(from), false) => {
                if !code[from..].starts_with(|c: char| c.is_ascii_digit()) {
                    found.push((&code[from..at], from));
                }
                start = None;
            }
            _ => {}
        }
    }
    found
}

fn line_at(code: &str, at: usize) -> usize {
    code[..at].matches('\n').count() + 1
}

/// The functions declared directly inside the inherent `impl Type { … }` blocks of `code`
/// (blanked), as (type, method, line). Trait impls (`impl X for Y`) are left out: their
/// methods are called through the trait, whose module the imports check already sees.
/// An inherent impl starts its line (`-> impl Iterator` in a signature does not).
fn inherent_methods(code: &str) -> Vec<(String, String, usize)> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("impl") {
        let line_start = code[..at].rfind('\n').map_or(0, |n| n + 1);
        let after = &code[at + "impl".len()..];
        if !code[line_start..at].trim().is_empty() || !after.starts_with([' ', '<']) {
            continue;
        }
        let Some(open) = after.find('{') else {
            continue;
        };
        let header = &after[..open];
        if header.contains(';') || header.split_whitespace().any(|w| w == "for") {
            continue;
        }
        // `impl<'a> Located<'a>` → `Located`: the header without its generics, last segment.
        let mut depth = 0usize;
        let plain: String = header
            .chars()
            .filter(|&ch| {
                match ch {
                    '<' => depth += 1,
                    '>' => depth = depth.saturating_sub(1),
                    _ => return depth == 0,
                }
                false
            })
            .collect();
        let Some(ty) = plain
            .split_whitespace()
            .next()
            .and_then(|path| path.rsplit("::").next())
        else {
            continue;
        };
        let open = at + "impl".len() + open;
        let close = matching_brace(code, open);
        let body = &code[open..close];
        let mut depth = 0usize;
        let mut last = 0;
        for (name, offset) in identifiers(body) {
            for ch in body[last..offset].chars() {
                match ch {
                    '{' => depth += 1,
                    '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            last = offset;
            if depth == 1 && name == "fn" {
                let rest = body[offset + 2..].trim_start();
                let method: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !method.is_empty() {
                    found.push((ty.to_string(), method, line_at(code, open + offset)));
                }
            }
        }
    }
    found
}

/// Every use of `name` as a method or associated function in `code` (blanked): `.name(`,
/// `Type::name(`, or `Type::name` passed as a function; as the lines it is on.
fn method_uses(code: &str, name: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    for (ident, at) in identifiers(code) {
        if ident != name {
            continue;
        }
        let before = &code[..at];
        let after = code[at + ident.len()..].trim_start();
        let used = if before.ends_with('.') {
            after.starts_with('(')
        } else {
            before.ends_with("::") && !after.starts_with("::")
        };
        if used {
            lines.push(line_at(code, at));
        }
    }
    lines
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
        for (used, line) in named_modules(&without_tests(&text)) {
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

/// Upward calls that exist today, each "caller -> method (defined in module)": a method of
/// a lower module's type (`impl Site` in `claims`) called from a module below the one that
/// defines it. The list is exact (an entry that no longer occurs fails the test too), so it
/// only shrinks: move each method down to its type's layer, or the caller up, and remove
/// its line.
const KNOWN_UPWARD_CALLS: &[&str] = &[];

/// Method names that std or a dependency also gives common types, so that a call of the
/// name says nothing about which impl it reaches. Only names defined once in the crate are
/// looked at at all; these are the ones of those that are also std's (or serde's, tera's).
#[rustfmt::skip] // one line per reason
const COMMON_METHODS: &[&str] = &[
    // Builders' (the tokio runtime's in watch.rs and serve.rs), beside `Site::build` in
    // lib.rs: so calls of `Site::build` itself go unchecked.
    "build",
    // Not needed today (each is declared more than once in the crate), kept so that a
    // future single declaration of one does not match every collection's.
    "as_str", "contains", "get", "insert", "is_empty", "iter", "len", "new", "remove",
];

/// The library's files (the binary's `main` and `cli` left out: nothing below them can
/// call them), as (module, path under src/, code without comments, strings or tests).
fn library_sources() -> Vec<(String, String, String)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(src()).sort_by_file_name() {
        let entry = entry.expect("src/ is readable");
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let module = module_of(entry.path());
        if module == "main" || module == "cli" {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("source is UTF-8");
        let file = entry
            .path()
            .strip_prefix(src())
            .unwrap_or(entry.path())
            .display()
            .to_string();
        files.push((module, file, without_tests(&text)));
    }
    files
}

/// The import check sees `crate::module` paths only; a method that a higher module adds to
/// a lower module's type (`impl Site` in `claims`) is called without naming its module. So:
/// every method of such an impl whose name is declared once in the crate, and each call of
/// it from another module whose layer is not above the defining one.
#[test]
fn modules_call_no_method_defined_in_a_higher_layer() {
    let files = library_sources();
    // How often each function name is declared anywhere in the library (free functions,
    // trait methods and inherent methods alike): a name declared twice cannot be placed.
    let mut declared: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, _, code) in &files {
        let idents = identifiers(code);
        for pair in idents.windows(2) {
            if pair[0].0 == "fn" {
                *declared.entry(pair[1].0).or_default() += 1;
            }
        }
    }
    // The modules that define each type name (`Stop` is both content's and serve's).
    let mut types: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (module, _, code) in &files {
        let idents = identifiers(code);
        for pair in idents.windows(2) {
            if ["struct", "enum", "type"].contains(&pair[0].0) {
                types.entry(pair[1].0).or_default().push(module);
            }
        }
    }
    // Layer of a defining module: the library root's impls are above every layer.
    let rank = |module: &str| layer_of(module).unwrap_or(LAYERS.len());
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (definer, def_file, def_code) in &files {
        for (ty, method, def_line) in inherent_methods(def_code) {
            if declared.get(method.as_str()) != Some(&1) || COMMON_METHODS.contains(&&*method) {
                continue;
            }
            // Only a method added to another, lower module's type: a lower module reaches
            // a type of the definer's own only by naming it, which the import check sees.
            let owners = types.get(ty.as_str()).map_or(&[][..], Vec::as_slice);
            if owners.contains(&definer.as_str())
                || !owners.iter().any(|owner| rank(owner) < rank(definer))
            {
                continue;
            }
            for (caller, file, code) in &files {
                if caller == definer || TOP.contains(&caller.as_str()) {
                    continue;
                }
                let Some(own) = layer_of(caller) else {
                    continue; // the import check reports a module missing from LAYERS
                };
                if rank(definer) < own {
                    continue;
                }
                for line in method_uses(code, &method) {
                    found
                        .entry(format!("{caller} -> {method} (defined in {definer})"))
                        .or_default()
                        .push(format!(
                            "src/{file}:{line}: {caller} (layer {own}) calls {ty}::{method}, \
                             defined at src/{def_file}:{def_line} in {definer} (layer {}), \
                             which is not below it",
                            rank(definer)
                        ));
                }
            }
        }
    }
    let mut problems = Vec::new();
    for (call, places) in &found {
        if !KNOWN_UPWARD_CALLS.contains(&call.as_str()) {
            problems.extend(places.iter().cloned());
        }
    }
    for known in KNOWN_UPWARD_CALLS {
        if !found.contains_key(*known) {
            problems.push(format!(
                "KNOWN_UPWARD_CALLS lists \"{known}\", which no longer occurs: remove it from \
                 the list"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "upward calls:\n{}",
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

#[test]
fn only_the_test_module_is_cut_and_what_follows_it_is_read() {
    let code = "use crate::a::X;\n#[cfg(test)]\nmod tests {\n    use crate::z::Y;\n    \
                fn f() { let s = \"}\"; let c = '}'; let b = '{'; } // }\n    /* { */\n}\n\
                fn g<'a>(x: &'a str) { crate::b::h(r#\"{\"#) }\n";
    let names: Vec<_> = named_modules(&without_tests(code))
        .into_iter()
        .map(|(n, l)| format!("{n}:{l}"))
        .collect();
    assert_eq!(names, ["a:1", "b:8"]);
    // Strings and comments are not code: `crate::` in them names nothing.
    assert!(named_modules(&without_tests("// crate::x\nlet s = \"crate::y\";\n")).is_empty());
}

#[test]
fn the_method_reader_sees_inherent_methods_and_their_calls() {
    let code = "impl<'a> Site<'a> {\n    pub fn clashes(&self) -> impl Iterator {\n        \
                fn inner() {}\n    }\n}\nimpl Display for Site<'_> {\n    fn fmt() {}\n}\n\
                fn f() -> impl Clone {\n    s.clashes();\n    Site::clashes(s);\n    \
                v.map(Site::clashes);\n    s.clashes;\n}\n";
    let code = without_tests(code);
    let methods: Vec<_> = inherent_methods(&code)
        .into_iter()
        .map(|(t, m, l)| format!("{t}::{m}:{l}"))
        .collect();
    assert_eq!(methods, ["Site::clashes:2"]);
    assert_eq!(method_uses(&code, "clashes"), [10, 11, 12]);
}

//! The theme: Tera templates compiled into the binary, overridden file by file by a site's
//! own `templates/`. Template errors become diagnostics with the template's file and line.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use tera::{ErrorKind, Tera};

use crate::diagnostic::Diagnostic;

/// The default theme, compiled in so a site with no `templates/` still builds.
pub const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("section.html", include_str!("../templates/section.html")),
    ("note.html", include_str!("../templates/note.html")),
    ("dispute.html", include_str!("../templates/dispute.html")),
    (
        "itinerary.html",
        include_str!("../templates/itinerary.html"),
    ),
    ("theme.html", include_str!("../templates/theme.html")),
    ("themes.html", include_str!("../templates/themes.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("book.html", include_str!("../templates/book.html")),
    ("search.html", include_str!("../templates/search.html")),
    (
        "partials/tracker.html",
        include_str!("../templates/partials/tracker.html"),
    ),
    (
        "partials/page_header.html",
        include_str!("../templates/partials/page_header.html"),
    ),
    (
        "partials/toc.html",
        include_str!("../templates/partials/toc.html"),
    ),
    (
        "partials/nav.html",
        include_str!("../templates/partials/nav.html"),
    ),
    (
        "partials/timeline.html",
        include_str!("../templates/partials/timeline.html"),
    ),
    (
        "partials/sources.html",
        include_str!("../templates/partials/sources.html"),
    ),
    (
        "partials/dispute_facts.html",
        include_str!("../templates/partials/dispute_facts.html"),
    ),
    (
        "partials/days.html",
        include_str!("../templates/partials/days.html"),
    ),
    (
        "partials/book_page.html",
        include_str!("../templates/partials/book_page.html"),
    ),
    (
        "partials/card_list.html",
        include_str!("../templates/partials/card_list.html"),
    ),
];

/// The built-in Typst templates (the PDF binder's), which Tera never reads.
pub const BUILTIN_TYPST: &[(&str, &str)] = &[("book.typ", include_str!("../templates/book.typ"))];

/// Where a template came from, for diagnostics.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    /// As diagnostics name it: `templates/book.typ`, or `templates/book.typ (built-in)`.
    pub file: PathBuf,
    pub text: String,
}

/// The built-in theme, each template under the name a site's file would replace it by.
fn builtin_sources(builtin: &[(&str, &str)]) -> BTreeMap<String, TemplateSource> {
    builtin
        .iter()
        .map(|(name, text)| {
            (
                name.to_string(),
                TemplateSource {
                    file: PathBuf::from(format!("templates/{name} (built-in)")),
                    text: text.to_string(),
                },
            )
        })
        .collect()
}

/// Reads the site's `templates/` into `sources`, each file replacing the built-in
/// template of its name. Files that cannot be read are reported and skipped.
fn read_site_templates(
    root: &Path,
    sources: &mut BTreeMap<String, TemplateSource>,
    typst: &mut BTreeMap<String, TemplateSource>,
    diags: &mut Vec<Diagnostic>,
) {
    let dir = root.join("templates");
    if !dir.is_dir() {
        return;
    }
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(
                    Diagnostic::error("templates", format!("cannot read templates/: {e}"))
                        .caused_by(e.io_error()),
                );
                continue;
            }
        };
        if !entry.file_type().is_file() || crate::paths::is_ignored(entry.file_name()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&dir) else {
            continue;
        };
        match read_template(rel, entry.path()) {
            // Typst, not Tera: the binder's (`{#` would start a Tera comment).
            Ok((name, source)) if name.ends_with(".typ") => {
                typst.insert(name, source);
            }
            Ok((name, source)) => {
                sources.insert(name, source);
            }
            Err(d) => diags.push(d),
        }
    }
}

/// One template of the site, `rel` to `templates/`: its name (`partials/toc.html`, with
/// `/` on every system) and its text.
fn read_template(rel: &Path, path: &Path) -> Result<(String, TemplateSource), Diagnostic> {
    let name = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let file = Path::new("templates").join(rel);
    let bytes = std::fs::read(path).map_err(|e| Diagnostic::io(&file, &e))?;
    let text = crate::text::decode_text(&file, bytes)?;
    Ok((name, TemplateSource { file, text }))
}

/// The template a syntax error is in, which `compile` leaves out on its next try.
fn syntax_error_template(e: &tera::Error) -> Option<String> {
    match e.kind() {
        ErrorKind::SyntaxError(r) => Some(r.filename().to_string()),
        _ => None,
    }
}

/// The loaded theme.
#[derive(Default, Clone)]
pub struct Templates {
    pub tera: Tera,
    sources: BTreeMap<String, TemplateSource>,
    /// The Typst templates (`book.typ`), the site's over the built-in ones.
    typst: BTreeMap<String, TemplateSource>,
}

impl Templates {
    /// Loads the built-in templates, then the site's `templates/` over them.
    pub fn load(root: &Path) -> Result<Templates, Vec<Diagnostic>> {
        let mut sources = builtin_sources(BUILTIN);
        let mut typst = builtin_sources(BUILTIN_TYPST);
        let mut diags = Vec::new();
        read_site_templates(root, &mut sources, &mut typst, &mut diags);
        let mut templates = Templates::compile(sources, diags)?;
        templates.typst = typst;
        Ok(templates)
    }

    /// The Typst template `name` (`book.typ`): the site's, or the built-in one.
    pub fn typst(&self, name: &str) -> Option<&TemplateSource> {
        self.typst.get(name)
    }

    /// Adds everything at once (inheritance needs it); drops each template with a syntax
    /// error and retries, so every broken template is reported in one run. `diags` holds
    /// the problems found reading the templates: with any, the theme is not returned.
    fn compile(
        mut sources: BTreeMap<String, TemplateSource>,
        mut diags: Vec<Diagnostic>,
    ) -> Result<Templates, Vec<Diagnostic>> {
        let mut broken: Vec<String> = Vec::new();
        loop {
            let mut tera = Tera::new();
            tera.autoescape_on([".html", ".xml"]);
            let batch = sources
                .iter()
                .filter(|(name, _)| !broken.contains(name))
                .map(|(name, s)| (name.as_str(), s.text.as_str()));
            let e = match tera.add_raw_templates(batch) {
                Ok(()) if diags.is_empty() => {
                    return Ok(Templates {
                        tera,
                        sources,
                        typst: BTreeMap::new(),
                    });
                }
                Ok(()) => return Err(diags),
                Err(e) => e,
            };
            // The error is read against the sources alone: nothing compiled.
            let failed = Templates {
                tera: Tera::new(),
                sources,
                typst: BTreeMap::new(),
            };
            diags.extend(failed.diagnostics(&e, None));
            sources = failed.sources;
            match syntax_error_template(&e) {
                Some(n) if sources.contains_key(&n) && !broken.contains(&n) => broken.push(n),
                _ => return Err(diags),
            }
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.sources.contains_key(name)
    }

    /// Every template's name, built-in and the site's: `note.html`, `partials/toc.html`.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sources.keys().map(String::as_str)
    }

    /// `; did you mean "note.html"?` for a template name that does not exist.
    pub fn did_you_mean(&self, name: &str) -> String {
        crate::text::did_you_mean(name, self.names())
    }

    /// Turns a Tera error into diagnostics naming the template file and line: one, or one
    /// per unknown filter, test, function or included template that Tera found at once.
    /// `page` is the content file being rendered, if any.
    pub fn diagnostics(&self, e: &tera::Error, page: Option<&Path>) -> Vec<Diagnostic> {
        if let ErrorKind::Msg(text) = e.kind() {
            let found = self.reports(text);
            if !found.is_empty() {
                return found;
            }
        }
        vec![self.diagnostic(e, page)]
    }

    /// Tera reports unknown names as text: `error: Unknown filter `x`` then
    /// ` --> note.html:2:66`, for each one. Read them back into diagnostics.
    fn reports(&self, text: &str) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        let mut message: Option<&str> = None;
        for line in text.lines() {
            if let Some(m) = line.strip_prefix("error: ") {
                message = Some(m);
            } else if let (Some(m), Some(at)) = (message, line.trim_start().strip_prefix("--> ")) {
                message = None;
                let mut parts = at.rsplitn(3, ':');
                let (Some(col), Some(line_no), Some(name)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    continue;
                };
                let (Ok(col), Ok(line_no)) = (col.parse::<usize>(), line_no.parse::<usize>())
                else {
                    continue;
                };
                let mut msg = format!("template error: {}", m.replace('`', "\""));
                // `Unknown template "partials/tocc.html"`, from an include.
                if let Some(name) = msg
                    .split_once("Unknown template \"")
                    .and_then(|(_, rest)| rest.split_once('"'))
                    .map(|(name, _)| name.to_string())
                {
                    msg.push_str(&self.did_you_mean(&name));
                }
                // `Unknown filter "saf"`: the nearest of Tera's built-in ones.
                for (what, names) in [
                    ("Unknown filter \"", &FILTERS[..]),
                    ("Unknown function \"", &FUNCTIONS[..]),
                    ("Unknown test \"", &TESTS[..]),
                ] {
                    if let Some(name) = msg
                        .split_once(what)
                        .and_then(|(_, rest)| rest.split_once('"'))
                        .map(|(name, _)| name.to_string())
                    {
                        msg.push_str(&crate::text::did_you_mean(&name, names.iter().copied()));
                    }
                }
                found.push(match self.sources.get(name) {
                    Some(src) => {
                        let mut d = Diagnostic::error(&src.file, msg).at_line(&src.text, line_no);
                        d.column = Some(col);
                        d
                    }
                    None => Diagnostic::error(self.file_of(name), msg),
                });
            }
        }
        found
    }

    /// Turns a Tera error into a diagnostic naming the template file and line.
    /// `page` is the content file being rendered, if any.
    pub fn diagnostic(&self, e: &tera::Error, page: Option<&Path>) -> Diagnostic {
        if let ErrorKind::Msg(text) = e.kind()
            && let Some(first) = self.reports(text).into_iter().next()
        {
            return first;
        }
        match e.kind() {
            ErrorKind::SyntaxError(r) => Diagnostic {
                rendering: rendering(page),
                ..self
                    .unclosed(r)
                    .unwrap_or_else(|| self.at_report("template syntax error", r))
            },
            ErrorKind::RenderingError(r) => Diagnostic {
                rendering: rendering(page),
                ..self.at_report("template error", r)
            },
            ErrorKind::MissingParent { current, parent } => self.missing_parent(current, parent),
            ErrorKind::TemplateNotFound(name) => Diagnostic::error(
                page.map_or_else(|| PathBuf::from("templates"), Path::to_path_buf),
                format!(
                    "template {name:?} does not exist in templates/ or the built-in theme{}",
                    self.did_you_mean(name)
                ),
            ),
            other => Diagnostic {
                rendering: rendering(page),
                ..Diagnostic::error("templates", format!("template error: {other}"))
            },
        }
    }

    /// A syntax error caused by a tag never closed (`{% if %}` without `{% endif %}`, which
    /// Tera reports as an unknown tag at the `{% endblock %}` after it): said at the tag
    /// that opened.
    fn unclosed(&self, r: &tera::ReportError) -> Option<Diagnostic> {
        let src = self.sources.get(r.filename())?;
        let (opened, tag, closer) = unclosed_tag(&src.text)?;
        let before = match closer {
            Some((at, name)) => format!(
                "before the {{% {name} %}} on line {}",
                crate::diagnostic::line_of(&src.text, at)
            ),
            None => "before the end of the template".to_string(),
        };
        Some(
            Diagnostic::error(
                &src.file,
                format!(
                    "template syntax error: this {{% {tag} %}} is never closed: add \
                     {{% end{tag} %}} {before}"
                ),
            )
            .at_offset(&src.text, opened),
        )
    }

    /// A syntax or rendering error at the line and column Tera reports, `what` it is first.
    fn at_report(&self, what: &str, r: &tera::ReportError) -> Diagnostic {
        let msg = format!("{what}: {}", r.message());
        match self.sources.get(r.filename()) {
            Some(src) => {
                let span = r.span();
                let mut d = Diagnostic::error(&src.file, msg).at_line(&src.text, span.start_line);
                d.column = Some(span.start_col + 1);
                d
            }
            None => Diagnostic::error(format!("templates/{}", r.filename()), msg),
        }
    }

    /// Template `current` extends `parent`, which does not exist: pointed at the parent's
    /// name in the `extends` tag, where it can be found.
    fn missing_parent(&self, current: &str, parent: &str) -> Diagnostic {
        let d = Diagnostic::error(
            self.file_of(current),
            format!(
                "template {current:?} extends {parent:?}, which does not exist in templates/{}",
                self.did_you_mean(parent)
            ),
        );
        let at = self.sources.get(current).and_then(|src| {
            let tag = src.text.find("extends")?;
            let name = src.text[tag..].find(parent)?;
            Some((src, tag + name))
        });
        match at {
            Some((src, offset)) => d.at_offset(&src.text, offset),
            None => d,
        }
    }

    /// One error per mistake: a template that fails the same way on every page it renders
    /// is reported once, naming the first page and how many others.
    pub fn merge_repeats(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut merged: Vec<(Diagnostic, usize)> = Vec::new();
        let mut at: HashMap<(PathBuf, Option<usize>, Option<usize>, String), usize> =
            HashMap::new();
        for d in diags {
            let key = (d.file.clone(), d.line, d.column, d.message.clone());
            match at.get(&key) {
                Some(&i) => merged[i].1 += 1,
                None => {
                    at.insert(key, merged.len());
                    merged.push((d, 0));
                }
            }
        }
        merged
            .into_iter()
            .map(|(mut d, others)| {
                if let Some(r) = &mut d.rendering {
                    r.others = others;
                }
                d
            })
            .collect()
    }

    fn file_of(&self, name: &str) -> PathBuf {
        self.sources.get(name).map_or_else(
            || PathBuf::from(format!("templates/{name}")),
            |s| s.file.clone(),
        )
    }
}

/// The built-in static files, overridden file by file by the site's `static/`.
pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../static/style.css")),
    ("favicon.svg", include_bytes!("../static/favicon.svg")),
    ("search.js", include_bytes!("../static/search.js")),
];

/// Where a built-in file goes in a site to override it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeFolder {
    Templates,
    Static,
}

impl ThemeFolder {
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeFolder::Templates => "templates",
            ThemeFolder::Static => "static",
        }
    }
}

/// One file of the built-in theme: a template (or partial) or a static file.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinFile {
    /// Its name within its folder: `note.html`, `partials/tracker.html`, `style.css`.
    pub name: &'static str,
    pub folder: ThemeFolder,
    pub bytes: &'static [u8],
}

impl BuiltinFile {
    /// Where a site's own copy goes, from the site folder: `templates/note.html`.
    pub fn site_path(&self) -> String {
        format!("{}/{}", self.folder.as_str(), self.name)
    }

    /// A template in `partials/`, included by others rather than rendering a page.
    pub fn is_partial(&self) -> bool {
        self.folder == ThemeFolder::Templates && self.name.starts_with("partials/")
    }
}

/// Every built-in file, templates first, in the order they are declared.
pub fn builtin_files() -> impl Iterator<Item = BuiltinFile> {
    let templates = BUILTIN
        .iter()
        .chain(BUILTIN_TYPST)
        .map(|(name, text)| BuiltinFile {
            name,
            folder: ThemeFolder::Templates,
            bytes: text.as_bytes(),
        });
    let statics = BUILTIN_STATIC.iter().map(|(name, bytes)| BuiltinFile {
        name,
        folder: ThemeFolder::Static,
        bytes,
    });
    templates.chain(statics)
}

/// What a template error says of the page being rendered, if any (its `others` are
/// counted later, by `merge_repeats`).
fn rendering(page: Option<&Path>) -> Option<Box<crate::diagnostic::Rendering>> {
    page.map(|p| {
        Box::new(crate::diagnostic::Rendering {
            page: p.to_path_buf(),
            others: 0,
        })
    })
}

/// Tera 2's built-in filters, functions and tests (briefing adds none), for "did you
/// mean" after an unknown one.
const FILTERS: [&str; 37] = [
    "safe",
    "default",
    "upper",
    "lower",
    "wordcount",
    "escape",
    "escape_html",
    "escape_xml",
    "newlines_to_br",
    "pluralize",
    "trim",
    "trim_start",
    "trim_end",
    "replace",
    "capitalize",
    "title",
    "truncate",
    "indent",
    "str",
    "int",
    "float",
    "length",
    "reverse",
    "split",
    "abs",
    "round",
    "first",
    "last",
    "nth",
    "join",
    "sort",
    "unique",
    "get",
    "values",
    "keys",
    "pairs",
    "group_by",
];
const FUNCTIONS: [&str; 2] = ["range", "throw"];
const TESTS: [&str; 17] = [
    "string",
    "number",
    "map",
    "bool",
    "array",
    "integer",
    "float",
    "none",
    "iterable",
    "defined",
    "undefined",
    "odd",
    "even",
    "divisible_by",
    "starting_with",
    "ending_with",
    "containing",
];

/// The tags that open a body closed by `end` + their name.
const BODY_TAGS: [&str; 7] = ["if", "for", "block", "macro", "filter", "raw", "component"];

/// A tag left open: where it opens, its name, and the closing tag met while it was open
/// (where, and its name), if any.
type Unclosed = (usize, &'static str, Option<(usize, String)>);

/// The innermost tag of `text` left open: where it opens and its name, and the closing tag
/// of another (its offset and name) that came while it was open, or `None` at the end of
/// the template. Comments are skipped, and everything inside `{% raw %}`.
fn unclosed_tag(text: &str) -> Option<Unclosed> {
    let mut open: Vec<(usize, &'static str)> = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find('{') {
        let start = at + i;
        let rest = &text[start..];
        if rest.starts_with("{#") {
            at = rest.find("#}").map_or(text.len(), |e| start + e + 2);
            continue;
        }
        if !rest.starts_with("{%") {
            at = start + 1;
            continue;
        }
        let Some(end) = rest.find("%}") else {
            break;
        };
        let inner = rest[2..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let word = inner.split_whitespace().next().unwrap_or("");
        at = start + end + 2;
        if open.last().is_some_and(|(_, t)| *t == "raw") && word != "endraw" {
            continue;
        }
        if let Some(&tag) = BODY_TAGS.iter().find(|t| **t == word) {
            // `{% set x = … %}` has no body; neither has any tag not listed.
            open.push((start, tag));
        } else if let Some(closed) = word.strip_prefix("end") {
            match open.last() {
                Some((_, t)) if *t == closed => {
                    open.pop();
                }
                Some(&(opened, t)) => return Some((opened, t, Some((start, word.to_string())))),
                None => return None,
            }
        }
    }
    open.last().map(|&(opened, t)| (opened, t, None))
}

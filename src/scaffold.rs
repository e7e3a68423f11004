//! `briefing init`, `briefing new` and `briefing eject`: a new site, a new page with every
//! front-matter field of its kind written out and explained, or the built-in theme's
//! files copied into the site for overriding. None of them overwrites a file.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::{Config, is_slug};
use crate::diagnostic::Diagnostic;
use crate::templates::{BuiltinFile, builtin_files};

const INIT_CONFIG: &str = r##"# briefing.toml: the site's configuration. Unknown keys are errors.
title = "New briefing book"
description = "Briefing notes"
language = "en-CA"
# Absolute address the site is published at (sitemap, feed, calendar):
# base_url = "https://example.org/briefing/"
output_dir = "public"
# Make every link end in index.html so the site works opened from the file system:
portable = false
# A handling line, shown after the marking at the top and bottom of every page:
handling = "for internal use"
# Pages whose as_of is this many days older than the newest page are flagged:
stale_after_days = 60

[[themes]]
slug = "trade"
name = "Trade"
description = "Tariffs, surtaxes and market access."
color = "#9b2c2c"

[[themes]]
slug = "diplomacy"
name = "Diplomacy"
description = "Visits, meetings and the state of the relationship."
color = "#2c5282"

# Security markings: every page says its marking at the top and the bottom, and
# `briefing build --max-marking "PROTECTED A"` makes a release leaving out all above it.
# Without `levels`, the Government of Canada's: UNCLASSIFIED, PROTECTED A, B and C,
# CONFIDENTIAL, SECRET, TOP SECRET. Remove the table to show no markings at all.
[markings]
default = "UNCLASSIFIED"
"##;

const INIT_NOTES: &str = r#"+++
title = "Notes"
summary = "Background notes."
weight = 3
+++
"#;

const INIT_DISPUTES: &str = r#"+++
title = "Trade disputes"
summary = "Measures in force, one page per dispute."
weight = 2
page_kind = "dispute"
+++
"#;

/// The example of a marked section in a new site's first note: the marking shows at once,
/// and a release build leaves it out.
const INIT_MARKED_SECTION: &str = "
## An example of a marked section {marking=\"PROTECTED A\"}

An example: this section is marked PROTECTED A, so this page and the front page say
PROTECTED A at their top and bottom. `briefing build --max-marking UNCLASSIFIED` builds the
public release, without it. Delete this section when you no longer need it.
";

/// The themes `INIT_CONFIG` defines.
const INIT_THEMES: [&str; 2] = ["trade", "diplomacy"];

/// Why `init`, `new` or `eject` wrote nothing (or stopped).
#[derive(Debug)]
pub enum ScaffoldError {
    /// The slug given on the command line is not one.
    BadSlug { slug: String },
    /// No `briefing.toml` in the folder the page was to be added to.
    NotASite { root: PathBuf },
    /// The site's `briefing.toml` has errors, each naming its line.
    Config(Vec<Diagnostic>),
    /// `init`'s folder has files in it.
    NotEmpty { dir: PathBuf },
    /// The file to write exists: it is never overwritten.
    Exists { path: PathBuf },
    /// `new --lang CODE` names no language of `[languages]`.
    UnknownLanguage { code: String, known: Vec<String> },
    /// `new --lang CODE` for a page that does not exist yet.
    NoOriginal { path: PathBuf },
    /// The file system refused.
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl std::fmt::Display for ScaffoldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScaffoldError::BadSlug { slug } => write!(
                f,
                "the slug {slug:?} given on the command line is not valid: use lowercase \
                 letters, digits, hyphens and underscores, e.g. {:?}",
                slugify(slug)
            ),
            ScaffoldError::NotASite { root } => write!(
                f,
                "no {} in {}: run this inside a site (or pass --root DIR)",
                crate::config::CONFIG_FILE,
                root.display()
            ),
            ScaffoldError::Config(diags) => {
                for (i, d) in diags.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n\n")?;
                    }
                    write!(f, "{d}")?;
                }
                Ok(())
            }
            ScaffoldError::NotEmpty { dir } => write!(
                f,
                "{} is not empty: briefing init only writes into a new or empty folder",
                dir.display()
            ),
            ScaffoldError::Exists { path } => {
                write!(f, "{} already exists; not overwriting it", path.display())
            }
            ScaffoldError::UnknownLanguage { code, known } if known.is_empty() => write!(
                f,
                "--lang {code:?}: this site has no [languages] in briefing.toml; add \
                 [languages.{code}] with its language tag and title first"
            ),
            ScaffoldError::UnknownLanguage { code, known } => write!(
                f,
                "--lang {code:?} is not a language of this site (its languages: {}){}",
                known.join(", "),
                crate::text::did_you_mean(code, known.iter().map(String::as_str))
            ),
            ScaffoldError::NoOriginal { path } => write!(
                f,
                "there is no {} to translate: create the page first (the same command without --lang)",
                path.display()
            ),
            ScaffoldError::Io { path, error } => {
                write!(f, "cannot write {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for ScaffoldError {}

/// Writes a new site into `dir`, which must not exist or be empty; its pages are as of
/// `today`, its `base_url` the one given (else a commented example). Returns the files
/// written.
pub fn init(
    dir: &Path,
    today: NaiveDate,
    base_url: Option<&str>,
) -> Result<Vec<PathBuf>, ScaffoldError> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|error| ScaffoldError::Io {
                path: dir.to_path_buf(),
                error,
            })?
            .next()
            .is_none();
        if !empty {
            return Err(ScaffoldError::NotEmpty {
                dir: dir.to_path_buf(),
            });
        }
    }
    let files: [(&str, String); 7] = [
        (
            "briefing.toml",
            match base_url {
                // `--base-url`, checked as the config's is by the command line.
                Some(url) => INIT_CONFIG.replace(
                    "# base_url = \"https://example.org/briefing/\"",
                    &format!("base_url = {}", toml_string(url)),
                ),
                None => INIT_CONFIG.to_string(),
            },
        ),
        ("content/_index.md", home(today)),
        ("content/itinerary.md", itinerary("itinerary", today)),
        ("content/notes/_index.md", INIT_NOTES.to_string()),
        (
            "content/notes/first-note.md",
            note("first-note", &INIT_THEMES, true, today) + INIT_MARKED_SECTION,
        ),
        ("content/disputes/_index.md", INIT_DISPUTES.to_string()),
        (
            "content/disputes/example-dispute.md",
            dispute("example-dispute", &INIT_THEMES, today),
        ),
    ];
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        write_new(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// What `briefing new` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKind {
    Note,
    Dispute,
    Itinerary,
}

impl NewKind {
    /// The folder under `content/` a new page of the kind goes in.
    fn folder(self) -> &'static str {
        match self {
            NewKind::Note => "notes/",
            NewKind::Dispute => "disputes/",
            NewKind::Itinerary => "",
        }
    }
}

/// Writes `content/notes/SLUG.md`, `content/disputes/SLUG.md` or `content/SLUG.md` (an
/// itinerary) in the site at `root`, as of `today`, with the site's themes. Returns the
/// file written.
pub fn new_page(
    root: &Path,
    kind: NewKind,
    slug: &str,
    today: NaiveDate,
) -> Result<PathBuf, ScaffoldError> {
    let config = site_for(root, slug)?;
    let themes: Vec<&str> = config.themes.iter().map(|t| t.slug.as_str()).collect();
    let text = match kind {
        NewKind::Note => {
            let home = root.join("content").join("_index.md").is_file();
            note(slug, &themes, home, today)
        }
        NewKind::Dispute => dispute(slug, &themes, today),
        NewKind::Itinerary => itinerary(slug, today),
    };
    let path = root
        .join("content")
        .join(format!("{}{slug}.md", kind.folder()));
    write_new(&path, text.as_bytes())?;
    Ok(path)
}

/// The config of the site at `root` that a page `slug` is added to: the slug a valid one,
/// the folder a site whose `briefing.toml` loads.
fn site_for(root: &Path, slug: &str) -> Result<Config, ScaffoldError> {
    if !is_slug(slug) {
        return Err(ScaffoldError::BadSlug {
            slug: slug.to_string(),
        });
    }
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(ScaffoldError::NotASite {
            root: root.to_path_buf(),
        });
    }
    Config::load(root).map_err(ScaffoldError::Config)
}

/// Writes the translation into language `code` of the page `new_page` would write
/// (`content/notes/SLUG.CODE.md`), from the page: its text fields, each marked for
/// translation, its entries in order, its body; its typed fields left to the original.
/// Returns the file written.
pub fn new_translation(
    root: &Path,
    kind: NewKind,
    slug: &str,
    code: &str,
) -> Result<PathBuf, ScaffoldError> {
    let config = site_for(root, slug)?;
    if !config.languages.contains_key(code) {
        return Err(ScaffoldError::UnknownLanguage {
            code: code.to_string(),
            known: config.languages.keys().cloned().collect(),
        });
    }
    let rel = format!("{}{slug}.md", kind.folder());
    let from = root.join("content").join(&rel);
    let text = std::fs::read_to_string(&from).map_err(|_| ScaffoldError::NoOriginal {
        path: Path::new("content").join(&rel),
    })?;
    let shown = Path::new("content").join(&rel);
    let at = |message: String| ScaffoldError::Config(vec![Diagnostic::error(&shown, message)]);
    let split = crate::frontmatter::split(&text).map_err(|e| at(e.message))?;
    let table: toml::Table =
        crate::frontmatter::parse(split.format, split.front_matter).map_err(|e| at(e.message))?;
    let tag = config
        .languages
        .get(code)
        .map_or(code, |l| l.language.as_str());
    let translated = crate::translation::text_only(&table, "TRANSLATE: ");
    let fm = toml::to_string(&translated).map_err(|e| at(e.to_string()))?;
    let out = format!(
        "+++\n# The {tag} version of {}. Translate every text marked TRANSLATE, and the body.\n\
         # Typed fields (dates, times, statuses, markings, themes, urls) are the original's:\n\
         # leave them out, or give them equal to it. Entries stay in the original's order.\n\
         {fm}+++\n<!-- TRANSLATE: the original's body, below. -->\n{}",
        shown.display(),
        split.body
    );
    let path = root
        .join("content")
        .join(crate::translation::file_of(&rel, code));
    write_new(&path, out.as_bytes())?;
    Ok(path)
}

/// `Mill Closures` → `mill-closures`: what a slug given as words was meant to be.
fn slugify(words: &str) -> String {
    let mut slug = String::new();
    for c in words.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "canola-tariffs".to_string()
    } else {
        slug.to_string()
    }
}

fn title_of(slug: &str) -> String {
    let words: Vec<String> = slug
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        })
        .collect();
    words.join(" ")
}

/// The `themes` line of a new page: `preferred` if the site has it, else its first theme,
/// with the others listed above it; commented out in a site without themes.
fn themes_line(themes: &[&str], preferred: &str) -> String {
    match themes.iter().find(|t| **t == preferred).or(themes.first()) {
        Some(theme) => format!(
            "# Theme slugs from briefing.toml ({}); a page is shown under each.\nthemes = [\"{theme}\"]",
            themes.join(", ")
        ),
        None => {
            "# Theme slugs from briefing.toml (it has no [[themes]] yet).\n# themes = [\"trade\"]"
                .to_string()
        }
    }
}

fn home(today: NaiveDate) -> String {
    format!(
        r#"+++
title = "New briefing book"
summary = "What this book is for, in one sentence."
as_of = {today}
+++
- The bottom line, first.
- See the [first note](notes/first-note.md).
"#
    )
}

/// A new note; `links_home`: it shows how to link with a link to the site's home page,
/// which exists.
fn note(slug: &str, themes: &[&str], links_home: bool, today: NaiveDate) -> String {
    format!(
        r#"+++
# Required: the page's title.
title = "{title}"
# One or two sentences, shown on the index under each theme (required with themes).
summary = "What the reader needs to know, in a sentence."
{themes}
# The date this note is accurate as of (YYYY-MM-DD).
as_of = {today}
# Its security marking, on a site with [markings] (the default level when left out):
# marking = "PROTECTED A"
# Lower comes first in lists.
weight = 10
# Draft pages are built only with `briefing build --drafts`.
draft = false
# The last part of the page's URL, when it is not the file's name:
# slug = "{slug}"
# template = "note.html"     # a template in templates/
# aliases = ["old/address"]  # old URLs that redirect here

[[sources]]
title = "Title of the source"
publisher = "Publisher"
# url = "https://example.org/report"   # http:// or https://
date = {today}

# [[timeline]]               # dated events, merged into the index's timeline
# date = {today}
# event = "What happened"
+++
## Background

Write the note here. {links}
"#,
        title = title_of(slug),
        themes = themes_line(themes, "diplomacy"),
        links = if links_home {
            "Link to other notes by their file: [the home page](../_index.md)."
        } else {
            // A link to a page that does not exist fails the build.
            "Link to other notes by their file, e.g. `[the home page](../_index.md)`."
        },
    )
}

fn dispute(slug: &str, themes: &[&str], today: NaiveDate) -> String {
    format!(
        r#"+++
# Required: the page's title.
title = "{title}"
# Who imposes what on whom, in a sentence: shown on the index and the theme pages.
summary = "Who imposes what on whom, in a sentence."
# A trade dispute: the [dispute] table below feeds the front page's tracker. Implied in a
# folder whose _index.md says page_kind = "dispute", as content/disputes/ does in a new site.
kind = "dispute"
{themes}
# The date this page is accurate as of (YYYY-MM-DD).
as_of = {today}
# Its security marking, on a site with [markings]; each measure may have its own:
# marking = "PROTECTED A"
# Lower comes first in lists.
weight = 10
# Draft pages are built only with `briefing build --drafts`.
draft = false
# The last part of the page's URL, when it is not the file's name:
# slug = "{slug}"
# template = "dispute.html"  # a template in templates/
# aliases = ["old/address"]  # old URLs that redirect here

[dispute]
# Who imposes the measures, and whose exports they hit.
imposed_by = "Country imposing the measures"
affected = "Country whose exports are affected"
# Where the dispute stands, one of: "in force", "provisional", "suspended", "resolved".
status = "in force"
# What is at stake, with figures.
stake = "What is at stake, with figures."
# What we ask for.
ask = "What we ask for."

# One entry per product and measure: each is a row of the index's dispute tracker.
[[dispute.measures]]
product = "Product"
measure = "Tariff"
rate = "25%"
# The day the measure took effect (YYYY-MM-DD).
effective = {today}
# status = "provisional"     # this measure's own status, where it differs from the dispute's

[[sources]]
title = "Title of the source"
publisher = "Publisher"
# url = "https://example.org/report"   # http:// or https://
date = {today}

# Dated events, merged into the index's timeline.
[[timeline]]
date = {today}
event = "The measure takes effect"
+++
## Background

## Where things stand

## Talking points
"#,
        title = title_of(slug),
        themes = themes_line(themes, "trade"),
    )
}

fn itinerary(slug: &str, today: NaiveDate) -> String {
    format!(
        r#"+++
# Required: the page's title.
title = "{title}"
# An itinerary: its stops are listed by day and written to itinerary.ics.
kind = "itinerary"
# The date this itinerary is accurate as of (YYYY-MM-DD).
as_of = {today}
# Its security marking, on a site with [markings]; each [[stops]] may have its own:
# marking = "PROTECTED A"
# Lower comes first in lists (and in the navigation).
weight = 1
# draft = true               # built only with `briefing build --drafts`
# The last part of the page's URL, when it is not the file's name:
# slug = "{slug}"
# aliases = ["old/address"]  # old URLs that redirect here

# One [[stops]] per stop, in any order: they are sorted by date.
[[stops]]
# A day (YYYY-MM-DD), "2026-01" / "2026" when only the month or year is known, or "TBC"
# when it is not known yet (listed last, under "Dates to be confirmed").
date = {today}
# Optional: leave it out when the city is not known yet.
city = "Ottawa"
country = "Canada"
title = "Departure"
# Optional: what happens there, shown under the stop.
details = "Time to be confirmed."
# tentative = true           # marks the stop as not yet confirmed

# A stop with times of day, in the local time of its IANA `zone` (daylight saving is the
# zone's); the calendar gets them in UTC. `start`/`end` may instead be RFC 3339 times with
# their offset ({today}T09:30:00+08:00), or dates, for a stop over several days.
# [[stops]]
# date = {today}
# start = "09:30"
# end = "11:00"
# zone = "Asia/Shanghai"
# city = "Beijing"
# country = "China"
# title = "Meeting"
+++
What the trip is for, in a paragraph, above the stops.
"#,
        title = title_of(slug),
    )
}

/// A name given to `briefing eject` that is no built-in file (nor folder of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFile {
    pub name: String,
    /// The nearest spelling that names one, if any is close.
    pub nearest: Option<String>,
}

impl std::fmt::Display for UnknownFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "there is no built-in file {:?}", self.name)?;
        match &self.nearest {
            Some(near) => write!(f, "; did you mean {near:?}?"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for UnknownFile {}

/// What a name given to `eject` can be, for a built-in file: its name (`note.html`,
/// `partials/tracker.html`), its path in a site (`templates/note.html`), or its file name
/// (`tracker.html`); a folder of them (`partials`, `templates`, `static`) selects them all.
fn names_file(name: &str, file: &BuiltinFile) -> bool {
    let name = name.trim_start_matches("./").trim_end_matches('/');
    let path = file.site_path();
    let file_name = file.name.rsplit('/').next().unwrap_or(file.name);
    name == file.name
        || name == path
        || name == file_name
        || path.starts_with(&format!("{name}/"))
        || file.name.starts_with(&format!("{name}/"))
}

/// The built-in files `names` select, in the theme's order and each once; all of them when
/// The spelling nearest `name`, comparing the names without their extension: every
/// template ends in `.html`, which would make `nosuch.html` look like `search.html`.
fn nearest_spelling(name: &str, spellings: &[String]) -> Option<String> {
    let stem = |s: &str| s.rsplit_once('.').map_or(s, |(stem, _)| stem).to_string();
    let wanted = stem(name);
    let stems: Vec<String> = spellings.iter().map(|s| stem(s)).collect();
    let near = stems
        .iter()
        .position(|s| *s == wanted && spellings.iter().all(|sp| sp != name))
        .or_else(|| {
            let n = crate::text::nearest(&wanted, stems.iter().map(String::as_str))?;
            stems.iter().position(|s| s == n)
        })?;
    spellings.get(near).cloned()
}

/// `names` is empty. Every name that selects nothing is an error, with the nearest
/// spelling that would have.
pub fn select_builtin(names: &[String]) -> Result<Vec<BuiltinFile>, Vec<UnknownFile>> {
    let files: Vec<BuiltinFile> = builtin_files().collect();
    let unknown: Vec<UnknownFile> = names
        .iter()
        .filter(|name| !files.iter().any(|f| names_file(name, f)))
        .map(|name| {
            let mut spellings: Vec<String> = ["templates", "static", "partials"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            for f in &files {
                spellings.push(f.name.to_string());
                spellings.push(f.site_path());
                if let Some((_, file_name)) = f.name.rsplit_once('/') {
                    spellings.push(file_name.to_string());
                }
            }
            UnknownFile {
                name: name.clone(),
                nearest: nearest_spelling(name, &spellings),
            }
        })
        .collect();
    if !unknown.is_empty() {
        return Err(unknown);
    }
    Ok(files
        .into_iter()
        .filter(|f| names.is_empty() || names.iter().any(|n| names_file(n, f)))
        .collect())
}

/// What `eject` did: the site paths (`templates/note.html`) written, and those kept
/// because the site already has them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ejected {
    pub written: Vec<String>,
    pub kept: Vec<String>,
}

/// Copies built-in files into the site at `root` (`templates/`, `static/`), where they
/// override the built-in theme, never overwriting a file the site has.
pub fn eject(root: &Path, files: &[BuiltinFile]) -> Result<Ejected, ScaffoldError> {
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(ScaffoldError::NotASite {
            root: root.to_path_buf(),
        });
    }
    let mut ejected = Ejected::default();
    for file in files {
        let rel = file.site_path();
        match write_new(&root.join(&rel), file.bytes) {
            Ok(()) => ejected.written.push(rel),
            Err(ScaffoldError::Exists { .. }) => ejected.kept.push(rel),
            Err(e) => return Err(e),
        }
    }
    Ok(ejected)
}

/// Writes a file that must not exist yet, creating its folder.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), ScaffoldError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |error| ScaffoldError::Io { path, error }
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|error| {
            if error.kind() == std::io::ErrorKind::AlreadyExists {
                ScaffoldError::Exists {
                    path: path.to_path_buf(),
                }
            } else {
                ScaffoldError::Io {
                    path: path.to_path_buf(),
                    error,
                }
            }
        })?;
    std::io::Write::write_all(&mut file, bytes).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_themes_are_those_of_its_config() {
        let config = Config::parse(INIT_CONFIG).expect("the built-in config parses");
        let slugs: Vec<&str> = config.themes.iter().map(|t| t.slug.as_str()).collect();
        assert_eq!(slugs, INIT_THEMES);
    }

    #[test]
    fn slugs_from_words() {
        assert_eq!(slugify("Mill Closures"), "mill-closures");
        assert_eq!(slugify("../escape"), "escape");
        assert_eq!(slugify("  "), "canola-tariffs");
        assert!(is_slug(&slugify("Été 2026 — visite")));
    }
}

//! `briefing init` and `briefing new`: a new site, or a new note with every front-matter
//! field of its kind written out and explained.

use std::path::{Path, PathBuf};

use crate::config::is_slug;
use crate::diagnostic::Diagnostic;

const INIT_CONFIG: &str = r##"# briefing.toml: the site's configuration. Unknown keys are errors.
title = "New briefing book"
description = "Briefing notes"
language = "en-CA"
# Absolute address the site is published at (sitemap, feed, calendar):
# base_url = "https://example.org/briefing/"
output_dir = "public"
# Make every link end in index.html so the site works opened from the file system:
portable = false
# A handling banner shown at the top and bottom of every page:
handling = "UNCLASSIFIED — for internal use"
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
"##;

const INIT_HOME: &str = r#"+++
title = "New briefing book"
summary = "What this book is for, in one sentence."
as_of = 2026-01-01
+++
- The bottom line, first.
- See the [first note](notes/first-note.md).
"#;

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

const INIT_ITINERARY: &str = r#"+++
title = "Itinerary"
kind = "itinerary"
weight = 1
as_of = 2026-01-01

[[stops]]
date = 2026-01-14
city = "Ottawa"
country = "Canada"
title = "Departure"
details = "Time to be confirmed."
+++
"#;

/// Writes a new site into `dir`, which must not exist or be empty.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| Diagnostic::io(dir, &e))?
            .next()
            .is_none();
        if !empty {
            return Err(Diagnostic::error(
                dir,
                format!(
                    "{} is not empty: briefing init only writes into a new or empty folder",
                    dir.display()
                ),
            ));
        }
    }
    let files: [(&str, String); 7] = [
        ("briefing.toml", INIT_CONFIG.to_string()),
        ("content/_index.md", INIT_HOME.to_string()),
        ("content/itinerary.md", INIT_ITINERARY.to_string()),
        ("content/notes/_index.md", INIT_NOTES.to_string()),
        ("content/notes/first-note.md", note("first-note")),
        ("content/disputes/_index.md", INIT_DISPUTES.to_string()),
        (
            "content/disputes/example-dispute.md",
            dispute("example-dispute"),
        ),
    ];
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        write_new(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKind {
    Note,
    Dispute,
}

/// Writes `content/notes/SLUG.md` or `content/disputes/SLUG.md` in the site at `root`.
pub fn new_page(root: &Path, kind: NewKind, slug: &str) -> Result<PathBuf, Diagnostic> {
    if !is_slug(slug) {
        return Err(Diagnostic::error(
            slug,
            format!(
                "{slug:?} is not a valid slug: use lowercase letters, digits and hyphens, e.g. canola-tariffs"
            ),
        ));
    }
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(Diagnostic::error(
            crate::config::CONFIG_FILE,
            format!(
                "no briefing.toml in {}: run this inside a site (or pass --root)",
                root.display()
            ),
        ));
    }
    let (folder, text) = match kind {
        NewKind::Note => ("notes", note(slug)),
        NewKind::Dispute => ("disputes", dispute(slug)),
    };
    let path = root.join("content").join(folder).join(format!("{slug}.md"));
    write_new(&path, &text)?;
    Ok(path)
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

fn note(slug: &str) -> String {
    format!(
        r#"+++
# Required: the page's title.
title = "{title}"
# One or two sentences, shown on the index under each theme (required with themes).
summary = "What the reader needs to know, in a sentence."
# Theme slugs from briefing.toml.
themes = ["diplomacy"]
# The date this note is accurate as of (YYYY-MM-DD).
as_of = 2026-01-01
# Lower comes first in lists.
weight = 10
# Draft pages are built only with `briefing build --drafts`.
draft = false
# slug = "{slug}"            # the last part of the page's URL
# template = "note.html"     # a template in templates/
# aliases = ["old/address"]  # old URLs that redirect here

[[sources]]
title = "Title of the source"
publisher = "Publisher"
# url = "https://example.org/report"
date = 2026-01-01

# [[timeline]]               # dated events, merged into the index's timeline
# date = 2026-01-01
# event = "What happened"
+++
## Background

Write the note here. Link to other notes by their file: [the home page](../_index.md).
"#,
        title = title_of(slug),
    )
}

fn dispute(slug: &str) -> String {
    format!(
        r#"+++
title = "{title}"
summary = "Who imposes what on whom, in a sentence."
kind = "dispute"               # implied inside content/disputes/ (page_kind)
themes = ["trade"]
as_of = 2026-01-01

[dispute]
imposed_by = "Country imposing the measures"
affected = "Country whose exports are affected"
# One of: "in force", "provisional", "suspended", "resolved".
status = "in force"
stake = "What is at stake, with figures."
ask = "What we ask for."

# One entry per product and measure: each is a row of the index's dispute tracker.
[[dispute.measures]]
product = "Product"
measure = "Tariff"
rate = "25%"
effective = 2026-01-01

[[sources]]
title = "Title of the source"
publisher = "Publisher"
date = 2026-01-01

[[timeline]]
date = 2026-01-01
event = "The measure takes effect"
+++
## Background

## Where things stand

## Talking points
"#,
        title = title_of(slug),
    )
}

/// Writes a file that must not exist yet.
fn write_new(path: &Path, text: &str) -> Result<(), Diagnostic> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, &e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Diagnostic::error(
                    path,
                    format!("{} already exists; not overwriting it", path.display()),
                )
            } else {
                Diagnostic::io(path, &e)
            }
        })?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Diagnostic::io(path, &e))
}

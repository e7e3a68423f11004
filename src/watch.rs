//! Incremental rebuilds for `serve`: a session keeps the loaded site in memory, turns each
//! batch of changed files into the smallest set of pages to re-render, and writes only
//! those. While anything is broken nothing is written, so the last good pages stay served.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::config::CONFIG_FILE;
use crate::diagnostic::{self, Diagnostic, Errors};
use crate::render::{self, Part, Selection, template_of};
use crate::site::{BuildOptions, PageChange, Site, is_ignored};

/// What one rebuild did, for its one-line report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuild {
    /// What changed, in a few words: `content/notes/a.md`, `3 files`.
    pub what: String,
    pub pages_written: usize,
    pub files_written: usize,
    pub millis: u128,
    /// Only stylesheets changed: browsers can refresh styles without a reload.
    pub css_only: bool,
    /// The problems now, if the rebuild failed (the previous output is still served).
    pub errors: Vec<Diagnostic>,
}

impl Rebuild {
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// A site being previewed: loaded once, rebuilt in part on every change.
pub struct Session {
    root: PathBuf,
    options: BuildOptions,
    out: PathBuf,
    site: Option<Site>,
    /// Problems per file that failed to reload (its last good version is kept).
    file_errors: BTreeMap<String, Vec<Diagnostic>>,
    /// Problems that stop the whole site from loading (config, templates).
    load_errors: Vec<Diagnostic>,
    dirty: Dirty,
    /// The problems reported by the previous rebuild.
    errors_before: Vec<Diagnostic>,
    /// The cross-page problems (links, anchors, output paths) as last computed: kept while
    /// edits cannot change them, since checking every link of a large site takes a while.
    cross_page: Option<Vec<Diagnostic>>,
}

/// Work owed to the output: accumulated while the site is broken, done once it is fixed.
#[derive(Debug, Default)]
struct Dirty {
    full: bool,
    pages: BTreeSet<String>,
    themes: bool,
    not_found: bool,
    listings: bool,
    /// Output files of pages that are gone.
    removed: BTreeSet<String>,
    /// `static/` files (relative to `static/`) and `content/` assets (relative to `content/`).
    statics: BTreeSet<String>,
    assets: BTreeSet<String>,
}

impl Dirty {
    fn is_empty(&self) -> bool {
        !self.full
            && self.pages.is_empty()
            && !self.themes
            && !self.not_found
            && !self.listings
            && self.removed.is_empty()
            && self.statics.is_empty()
            && self.assets.is_empty()
    }
}

/// How a changed path matters to the site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Changed {
    Config,
    /// A whole watched folder (`content`, `templates`, `static`) appeared or went away.
    Folder(String),
    Template(String),
    Page(String),
    Asset(String),
    Static(String),
}

/// The site-relative path of a watched path (`content/notes/a.md`), unless it is not part
/// of the site or is an editor's dropping.
fn site_rel(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    if rel.components().any(|c| is_ignored(c.as_os_str())) {
        return None;
    }
    Some(rel.to_str()?.replace('\\', "/"))
}

fn classify(root: &Path, path: &Path) -> Option<Changed> {
    // Folders change whenever a file in them does; the file's own event is what counts.
    if path.is_dir() {
        return None;
    }
    let rel = site_rel(root, path)?;
    if rel == CONFIG_FILE {
        return Some(Changed::Config);
    }
    if matches!(rel.as_str(), "content" | "templates" | "static") {
        return Some(Changed::Folder(rel));
    }
    let (top, rest) = rel.split_once('/')?;
    match top {
        "templates" => Some(Changed::Template(rest.to_string())),
        "static" => Some(Changed::Static(rest.to_string())),
        "content" if rest.ends_with(".md") => Some(Changed::Page(rest.to_string())),
        "content" => Some(Changed::Asset(rest.to_string())),
        _ => None,
    }
}

impl Session {
    /// Loads the site and builds it into `out` (replaced wholesale). A site that does not
    /// load still makes a session: the errors are shown until a change fixes them.
    pub fn start(root: &Path, options: BuildOptions, out: &Path) -> (Session, Rebuild) {
        let mut session = Session {
            root: root.to_path_buf(),
            options: BuildOptions {
                output: Some(out.to_path_buf()),
                force: true,
                ..options
            },
            out: out.to_path_buf(),
            site: None,
            file_errors: BTreeMap::new(),
            load_errors: Vec::new(),
            dirty: Dirty {
                full: true,
                ..Dirty::default()
            },
            errors_before: Vec::new(),
            cross_page: None,
        };
        let report = session.rebuild("initial build".to_string(), Instant::now(), false);
        (session, report)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn site(&self) -> Option<&Site> {
        self.site.as_ref()
    }

    /// The folders and file a preview watches.
    pub fn watched(&self) -> Vec<PathBuf> {
        ["content", "templates", "static", CONFIG_FILE]
            .iter()
            .map(|p| self.root.join(p))
            .collect()
    }

    /// Applies a batch of changed paths (absolute, as a watcher reports them).
    /// Returns `None` when none of them matters to the site.
    pub fn apply(&mut self, paths: &[PathBuf]) -> Option<Rebuild> {
        let start = Instant::now();
        let changes: BTreeSet<Changed> = paths.iter().flat_map(|p| self.changes_at(p)).collect();
        if changes.is_empty() {
            return None;
        }
        let what = match changes.iter().next() {
            Some(c) if changes.len() == 1 => match c {
                Changed::Config => CONFIG_FILE.to_string(),
                Changed::Folder(f) => format!("{f}/"),
                Changed::Template(t) => format!("templates/{t}"),
                Changed::Page(p) | Changed::Asset(p) => format!("content/{p}"),
                Changed::Static(s) => format!("static/{s}"),
            },
            _ => format!("{} files", changes.len()),
        };
        let css_only = changes
            .iter()
            .all(|c| matches!(c, Changed::Static(s) if s.ends_with(".css")));
        let whole = |c: &Changed| matches!(c, Changed::Config | Changed::Folder(_));
        if self.site.is_none() || changes.iter().any(whole) {
            self.dirty.full = true;
        } else {
            for change in changes {
                self.note(change);
            }
        }
        let was_broken = !self.errors_before.is_empty();
        if self.dirty.is_empty()
            && !was_broken
            && self.file_errors.is_empty()
            && self.load_errors.is_empty()
        {
            // Saved without a change (or only timestamps changed): nothing to do or say.
            return None;
        }
        Some(self.rebuild(what, start, css_only))
    }

    /// What a watched path's event means for the site. A folder stands for what is under
    /// it: a debouncer reports a removed folder once, not each file in it, and a folder
    /// moved in brings files that no event names.
    fn changes_at(&self, path: &Path) -> Vec<Changed> {
        let (Some(site), Some(rel)) = (&self.site, site_rel(&self.root, path)) else {
            return classify(&self.root, path).into_iter().collect();
        };
        let Some(folder) = rel.strip_prefix("content/") else {
            // A removed folder of static files: its copies must go too.
            if let Some(s) = rel.strip_prefix("static/")
                && !path.exists()
                && crate::output::is_safe_relative(s)
                && self.out.join(s).is_dir()
            {
                return vec![Changed::Folder(rel)];
            }
            return classify(&self.root, path).into_iter().collect();
        };
        let prefix = format!("{folder}/");
        let known = site
            .pages
            .iter()
            .map(|p| p.rel.as_str())
            .chain(site.unbuilt.keys().map(String::as_str))
            .chain(self.file_errors.keys().map(String::as_str))
            .filter(|r| r.starts_with(&prefix))
            .map(|r| Changed::Page(r.to_string()))
            .chain(
                site.assets
                    .iter()
                    .filter(|a| a.starts_with(&prefix))
                    .map(|a| Changed::Asset(a.clone())),
            );
        if path.is_dir() {
            // A folder that was already part of the site changes with every file saved
            // in it; only a new one (created or moved in) needs reading.
            if known.count() > 0 {
                return Vec::new();
            }
            return walkdir::WalkDir::new(path)
                .follow_links(true)
                .into_iter()
                .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()))
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .filter_map(|e| classify(&self.root, e.path()))
                .collect();
        }
        if !path.exists() && !folder.ends_with(".md") && !site.assets.contains(folder) {
            // Gone, and not a file we knew: a removed or moved-away folder.
            let gone: Vec<Changed> = known.collect();
            if !gone.is_empty() {
                return gone;
            }
        }
        classify(&self.root, path).into_iter().collect()
    }

    /// Records what one change makes dirty, updating the in-memory site.
    fn note(&mut self, change: Changed) {
        // Only a body edit that keeps its links and headings leaves cross-page checks as
        // they were (and only if they found nothing: their line numbers may have moved).
        let keeps_cross_page = self.cross_page.as_ref().is_some_and(Vec::is_empty);
        let cross_page = self.cross_page.take();
        let Some(site) = self.site.as_mut() else {
            self.dirty.full = true;
            return;
        };
        match change {
            Changed::Config | Changed::Folder(_) => self.dirty.full = true,
            Changed::Static(s) => {
                self.dirty.statics.insert(s);
            }
            Changed::Asset(a) => {
                // Keep the set current: references to a missing file are errors.
                if site.root.join("content").join(&a).is_file() {
                    site.assets.insert(a.clone());
                } else {
                    site.assets.remove(&a);
                }
                self.dirty.assets.insert(a);
            }
            Changed::Template(name) => match site.reload_templates() {
                Ok(()) => {
                    self.load_errors.clear();
                    let uses: Vec<String> = site
                        .pages
                        .iter()
                        .filter(|p| template_of(p) == name)
                        .map(|p| p.rel.clone())
                        .collect();
                    match name.as_str() {
                        "theme.html" | "themes.html" => self.dirty.themes = true,
                        "404.html" => self.dirty.not_found = true,
                        // Layouts and partials are shared by every page.
                        _ if uses.is_empty() => self.dirty.full = true,
                        _ => self.dirty.pages.extend(uses),
                    }
                }
                Err(d) => self.load_errors = d,
            },
            Changed::Page(rel) => match site.reload_page(&rel) {
                Err(d) => {
                    self.file_errors.insert(rel, d);
                }
                Ok(change) => {
                    self.file_errors.remove(&rel);
                    let dirty = &mut self.dirty;
                    match change {
                        PageChange::Unchanged => {}
                        PageChange::NeedsFullReload => dirty.full = true,
                        PageChange::Body { index, same_links } => {
                            dirty.pages.insert(site.pages[index].rel.clone());
                            if same_links && keeps_cross_page {
                                self.cross_page = cross_page;
                            }
                        }
                        PageChange::Added(i) => {
                            let page = site.pages[i].clone();
                            mark_dependents(site, &page, dirty);
                        }
                        PageChange::FrontMatter(old, i) => {
                            mark_dependents(site, &old, dirty);
                            let page = site.pages[i].clone();
                            if page.path != old.path {
                                dirty.removed.insert(format!("{}index.html", old.path));
                            }
                            mark_dependents(site, &page, dirty);
                        }
                        PageChange::Removed(old) => {
                            dirty.removed.insert(format!("{}index.html", old.path));
                            mark_dependents(site, &old, dirty);
                        }
                    }
                }
            },
        }
    }

    /// Everything wrong right now, sorted.
    pub fn errors(&mut self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self.load_errors.clone();
        all.extend(self.file_errors.values().flatten().cloned());
        if let Some(site) = &self.site {
            let cross = self.cross_page.get_or_insert_with(|| {
                site.cross_page_problems()
                    .into_iter()
                    .filter(Diagnostic::is_error)
                    .collect()
            });
            all.extend(cross.iter().cloned());
        }
        diagnostic::sort(&mut all);
        all.dedup();
        all
    }

    fn rebuild(&mut self, what: String, start: Instant, css_only: bool) -> Rebuild {
        let mut report = Rebuild {
            what,
            pages_written: 0,
            files_written: 0,
            millis: 0,
            css_only,
            errors: Vec::new(),
        };
        if self.dirty.full {
            self.cross_page = None;
            match Site::load(&self.root, self.options.clone()) {
                Ok(site) => {
                    self.site = Some(site);
                    self.load_errors.clear();
                    self.file_errors.clear();
                }
                Err(Errors(d)) => self.load_errors = d,
            }
        }
        report.errors = self.errors();
        if report.errors.is_empty() {
            match self.write() {
                Ok((pages, files)) => {
                    report.pages_written = pages;
                    report.files_written = files;
                }
                Err(Errors(d)) => report.errors = d,
            }
        }
        report.millis = start.elapsed().as_millis();
        self.errors_before = report.errors.clone();
        report
    }

    /// Writes what is dirty: everything (swapped in whole), or the pages and files owed.
    fn write(&mut self) -> Result<(usize, usize), Errors> {
        let Some(site) = &self.site else {
            return Ok((0, 0));
        };
        if self.dirty.full {
            let summary = site.build()?;
            self.dirty = Dirty::default();
            return Ok((summary.pages, summary.files));
        }
        let dirty = std::mem::take(&mut self.dirty);
        let mut selection = Selection {
            pages: dirty
                .pages
                .iter()
                .filter_map(|rel| site.by_rel.get(rel).copied())
                .collect(),
            themes: dirty.themes,
            not_found: dirty.not_found,
            listings: dirty.listings,
        };
        let out = self.out.clone();
        let mut files = 0;
        for removed in &dirty.removed {
            // Unless another page now writes the same file.
            let rewritten = site
                .pages
                .iter()
                .any(|p| format!("{}index.html", p.path) == *removed);
            if !rewritten && crate::output::is_safe_relative(removed) {
                remove_output(&out, removed);
            }
        }
        let written = std::sync::atomic::AtomicUsize::new(0);
        let pages = if selection.is_empty() {
            0
        } else {
            selection.pages.retain(|&i| i < site.pages.len());
            render::render(site, &selection, &|job| {
                if job.starts_file() {
                    written.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                write_in_place(&out, &job.path, &job.bytes, job.part)
            })
            .map_err(|mut d| {
                diagnostic::sort(&mut d);
                Errors(d)
            })?
        };
        files += written.into_inner();
        for s in &dirty.statics {
            files += sync_file(&out, &site.root.join("static").join(s), s, true)?;
        }
        for a in &dirty.assets {
            files += sync_file(&out, &site.root.join("content").join(a), a, false)?;
        }
        Ok((pages, files))
    }
}

/// Marks the pages that show something of `page`'s front matter: itself, the home page,
/// its sections, the theme pages, pages linking to it, and, for pages in the navigation or
/// sections, every page below them.
fn mark_dependents(site: &Site, page: &crate::content::Page, dirty: &mut Dirty) {
    dirty.pages.insert(page.rel.clone());
    dirty.pages.insert("_index.md".to_string());
    dirty.themes = true;
    dirty.listings = true;
    let mut dir = page.dir();
    loop {
        let section = if dir.is_empty() {
            "_index.md".to_string()
        } else {
            format!("{dir}/_index.md")
        };
        dirty.pages.insert(section);
        if dir.is_empty() {
            break;
        }
        dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
    }
    for i in site.pages_linking_to(&page.rel) {
        dirty.pages.insert(site.pages[i].rel.clone());
    }
    let in_nav = (!page.is_section && !page.rel.contains('/'))
        || (page.is_section && page.rel.matches('/').count() == 1);
    if in_nav {
        // Every page shows the navigation.
        dirty.not_found = true;
        dirty.pages.extend(site.pages.iter().map(|p| p.rel.clone()));
    } else if page.is_section {
        let prefix = page.dir();
        dirty.pages.extend(
            site.pages
                .iter()
                .filter(|p| p.rel.starts_with(prefix) && p.rel[prefix.len()..].starts_with('/'))
                .map(|p| p.rel.clone()),
        );
    }
}

/// Replaces one output file atomically, so the server never sends half a page: a file
/// written in parts is put together beside it and moved in place with its last part.
fn write_in_place(out: &Path, rel: &str, bytes: &[u8], part: Part) -> Result<(), Diagnostic> {
    if !crate::output::is_safe_relative(rel) {
        return Err(Diagnostic::error(
            rel,
            format!("refusing to write {rel:?} outside the output folder"),
        ));
    }
    let path = out.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, &e))?;
    }
    let tmp = path.with_extension("briefing-tmp");
    match part {
        Part::Whole | Part::First => {
            std::fs::write(&tmp, bytes).map_err(|e| Diagnostic::io(&tmp, &e))?
        }
        Part::More | Part::Last => crate::output::append(&tmp, bytes)?,
    }
    if matches!(part, Part::Whole | Part::Last) {
        std::fs::rename(&tmp, &path).map_err(|e| Diagnostic::io(&path, &e))?;
    }
    Ok(())
}

fn remove_output(out: &Path, rel: &str) {
    let path = out.join(rel);
    let _ = std::fs::remove_file(&path);
    // Remove the page's folder if nothing else is in it.
    if let Some(parent) = path.parent()
        && parent != out
    {
        let _ = std::fs::remove_dir(parent);
    }
}

/// Copies a changed static file or asset into the output, or removes it if it is gone
/// (falling back to the built-in static file of that name).
fn sync_file(out: &Path, from: &Path, rel: &str, is_static: bool) -> Result<usize, Errors> {
    if !crate::output::is_safe_relative(rel) {
        return Ok(0);
    }
    if from.is_file() {
        let bytes = std::fs::read(from).map_err(|e| Diagnostic::io(from, &e))?;
        write_in_place(out, rel, &bytes, Part::Whole)?;
        return Ok(1);
    }
    let builtin = render::BUILTIN_STATIC
        .iter()
        .find(|(name, _)| is_static && *name == rel);
    match builtin {
        Some((_, bytes)) => {
            write_in_place(out, rel, bytes, Part::Whole)?;
            Ok(1)
        }
        None => {
            let _ = std::fs::remove_file(out.join(rel));
            Ok(0)
        }
    }
}

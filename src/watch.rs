//! Incremental rebuilds for `serve`: a session keeps the loaded site in memory, turns each
//! batch of changed files into the smallest set of pages to re-render, and writes only
//! those. A rebuild applies whole or not at all: everything is rendered into a staging
//! folder first and moved into the output only when all of it succeeded; on failure the
//! in-memory site goes back to the last good state and the failed changes are tried again,
//! with the next ones, from there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::build::WriteOptions;
use crate::config::CONFIG_FILE;
use crate::diagnostic::{self, Diagnostic, Errors};
use crate::markdown::Rendered;
use crate::output::{Part, Patch, Refusal, Removal, Sink};
use crate::outputs::Output;
use crate::pages::PageId;
use crate::paths::is_ignored;
use crate::render::{self, PageEdit, Selection};
use crate::site::{Copied, CopySource, LoadOptions, PageChange, Site, Unbuilt};
use crate::templates::Templates;
use crate::url::OutputFile;

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
    /// The server's own trouble (out of file descriptors, disk full) while writing: not
    /// the site's fault, so not shown as a content error; the rebuild is tried again.
    pub trouble: Option<String>,
    /// The site's warnings (stale pages, no base_url) after a good rebuild.
    pub warnings: Vec<Diagnostic>,
    /// A PDF typeset on request rather than a rebuild: it neither breaks nor fixes the
    /// pages, `pages_written` counts its sheets, and after a failure `files_written` is 1
    /// when the last good one is served again.
    pub typeset: bool,
}

impl Rebuild {
    /// The report of `what` before anything is done: nothing written, no problem yet.
    fn of(what: String, css_only: bool, typeset: bool) -> Rebuild {
        Rebuild {
            what,
            pages_written: 0,
            files_written: 0,
            millis: 0,
            css_only,
            errors: Vec::new(),
            trouble: None,
            warnings: Vec::new(),
            typeset,
        }
    }

    pub fn ok(&self) -> bool {
        self.errors.is_empty() && self.trouble.is_none()
    }
}

/// A site being previewed: loaded once, rebuilt in part on every change.
pub struct Session {
    root: PathBuf,
    options: LoadOptions,
    /// The preview's output folder, its own, written over at will.
    out: PathBuf,
    site: Option<Site>,
    /// Problems per file that failed to reload (its last good version is kept).
    file_errors: BTreeMap<String, Vec<Diagnostic>>,
    /// Problems that stop the whole site from loading (config, templates).
    load_errors: Vec<Diagnostic>,
    /// The last full load failed: `load_errors` are all a build would report, and `site`
    /// is still the one before.
    full_load_failed: bool,
    dirty: Dirty,
    /// The problems reported by the previous rebuild.
    errors_before: Vec<Diagnostic>,
    /// The cross-page problems (links, anchors, output paths) as last computed: kept while
    /// edits cannot change them, since checking every link of a large site takes a while.
    cross_page: Option<Vec<Diagnostic>>,
    /// Changes of failed rebuilds, not applied to `site`: applied again with the next batch.
    pending: BTreeSet<Changed>,
    /// What the previous render left for the next to reuse.
    memo: render::Memo,
    /// What `finish` still owes after a body edit.
    deferred: Deferred,
    /// One thread for `finish`, so that writing the book and search index leaves the
    /// other cores to serve the reloaded page (none if the thread could not start).
    late_pool: Option<rayon::ThreadPool>,
    /// The PDFs (`book.pdf`, `fr/book.pdf`) typeset, or found not to typeset, since the
    /// last rebuild: made only when asked for (`book_pdf`).
    pdf_fresh: BTreeSet<String>,
    /// Each PDF as last typeset without error: served again while typesetting fails.
    pdf_good: BTreeMap<String, Vec<u8>>,
    /// The typesetter's warnings for each PDF as last typeset: warnings of what is served,
    /// so they stay among the site's until that PDF is typeset again.
    pdf_warnings: BTreeMap<String, Vec<Diagnostic>>,
}

/// A body edit's slow outputs, the book's sections and the search index (tens of
/// megabytes at 10,000 pages): `apply` serves the edited page first and leaves these to
/// `finish`, so the page reloads without waiting for them.
#[derive(Debug, Clone, Default)]
struct Deferred {
    book_sections: BTreeSet<String>,
    search: bool,
}

impl Deferred {
    fn is_empty(&self) -> bool {
        self.book_sections.is_empty() && !self.search
    }
}

/// Lowers the calling thread's priority (nice 10), where the system allows: the late
/// writes should not slow the serving of the page the browser is reloading.
fn yield_to_other_work() {
    #[cfg(target_os = "linux")]
    {
        // On Linux a thread has a nice value of its own; failing leaves it as it was.
        let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 10);
    }
}

/// A page and its rendered body, as they were.
type SavedPage = (crate::content::Page, Rendered);

/// What a rebuild changed in the session, to put back if it fails.
#[derive(Default)]
struct Undo {
    /// The site before a full reload replaced it.
    site: Option<Option<Site>>,
    /// Pages as they were (`None`: not a page), with their `unbuilt` entry.
    pages: BTreeMap<String, (Option<SavedPage>, Option<Unbuilt>)>,
    /// Whether each asset was in the site's set.
    assets: BTreeMap<String, bool>,
    templates: Option<Templates>,
}

/// Work owed to the output since the last good rebuild.
#[derive(Debug, Default, Clone)]
struct Dirty {
    full: bool,
    /// Content pages to render, by source path (indices move as pages come and go).
    pages: BTreeSet<String>,
    /// The book's sections to render, by source path, when not the whole book.
    book_sections: BTreeSet<String>,
    /// The other outputs to render (its `pages` and `book_sections` unused).
    generated: Selection,
    /// Output files of pages that are gone.
    removed: BTreeSet<OutputFile>,
    /// `static/` files (relative to `static/`) and `content/` assets (relative to `content/`).
    statics: BTreeSet<String>,
    assets: BTreeSet<String>,
}

impl Dirty {
    /// Adds the outputs of `selection`, whose pages are indices into `site` as it is now.
    fn mark(&mut self, site: &Site, mut selection: Selection) {
        let rels = |indices: BTreeSet<PageId>| {
            indices
                .into_iter()
                .filter_map(|i| site.pages.get(i))
                .map(|p| p.rel.clone())
                .collect::<Vec<_>>()
        };
        self.pages
            .extend(rels(std::mem::take(&mut selection.pages)));
        self.book_sections
            .extend(rels(std::mem::take(&mut selection.book_sections)));
        self.generated.extend(selection);
    }

    fn is_empty(&self) -> bool {
        !self.full
            && self.pages.is_empty()
            && self.book_sections.is_empty()
            && self.generated.is_empty()
            && self.removed.is_empty()
            && self.statics.is_empty()
            && self.assets.is_empty()
    }
}

/// How a changed path matters to the site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Changed {
    Config,
    /// The watcher lost track (its queue overflowed): anything may have changed.
    Everything,
    /// A whole watched folder (`content`, `templates`, `static`) appeared, went away or
    /// was swapped for another, a folder of static files went away, or a folder that came
    /// holds a link out of the site: all read again.
    Folder(String),
    Template(String),
    Page(String),
    Asset(String),
    Static(String),
}

/// The cross-page errors of `site` as a build sees it: without the pages that `failed`
/// to reload, whose last good versions the preview keeps only to serve them.
fn cross_page_errors(
    site: &mut Site,
    failed: &BTreeMap<String, Vec<Diagnostic>>,
) -> Vec<Diagnostic> {
    let set_aside: Vec<_> = failed
        .keys()
        .filter_map(|rel| site.pages.id_of(rel))
        .collect::<Vec<_>>()
        .into_iter()
        .filter_map(|i| site.remove_at(i))
        .collect();
    let errors = site
        .cross_page_problems()
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    for (page, rendered) in set_aside {
        site.insert_page(page, rendered);
    }
    errors
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
    let rel = site_rel(root, path)?;
    // A watched folder itself appeared, went away or was swapped for another.
    if matches!(rel.as_str(), "content" | "templates" | "static") {
        return Some(Changed::Folder(rel));
    }
    // Below them, a file's own event is what counts.
    if path.is_dir() {
        return None;
    }
    if rel == CONFIG_FILE {
        return Some(Changed::Config);
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
    pub fn start(root: &Path, options: LoadOptions, out: &Path) -> (Session, Rebuild) {
        let mut session = Session {
            root: root.to_path_buf(),
            options,
            out: out.to_path_buf(),
            site: None,
            file_errors: BTreeMap::new(),
            load_errors: Vec::new(),
            full_load_failed: false,
            dirty: Dirty {
                full: true,
                ..Dirty::default()
            },
            errors_before: Vec::new(),
            cross_page: None,
            pending: BTreeSet::new(),
            memo: render::Memo::default(),
            deferred: Deferred::default(),
            late_pool: rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .thread_name(|_| "briefing-late-writes".to_string())
                .start_handler(|_| yield_to_other_work())
                .build()
                .ok(),
            pdf_fresh: BTreeSet::new(),
            pdf_good: BTreeMap::new(),
            pdf_warnings: BTreeMap::new(),
        };
        let mut undo = Undo::default();
        let report = session.rebuild(
            "initial build".to_string(),
            Instant::now(),
            false,
            &mut undo,
        );
        if !report.ok() {
            session.roll_back(undo);
            session.dirty.full = true;
        }
        (session, report)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn site(&self) -> Option<&Site> {
        self.site.as_ref()
    }

    /// Typesets the PDF at `path` (`book.pdf`, or a language's `fr/book.pdf`) into the
    /// preview, unless it is as fresh as the pages: the preview makes it when it is asked
    /// for, never on every save. When typesetting fails, the last good one is put back.
    /// What was done, for the terminal, or `None` when nothing was: the site writes no PDF
    /// there, or the one there is fresh.
    pub fn book_pdf(&mut self, path: &str) -> Option<Rebuild> {
        let start = Instant::now();
        let site = self.site.as_ref()?;
        let lang = std::iter::once(site)
            .chain(&site.translations)
            .find(|l| format!("{}book.pdf", l.config.language_prefix()) == path)?;
        if !Output::BookPdf
            .declared()
            .written(&lang.config, &lang.pages)
        {
            return None;
        }
        let in_place = self.out.join(path).is_file() || !self.pdf_good.contains_key(path);
        if self.pdf_fresh.contains(path) && in_place {
            return None;
        }
        let selection = Selection {
            outputs: [Output::BookPdf].into(),
            on_request: true,
            ..Selection::default()
        };
        let typeset = std::sync::Mutex::new(None);
        let rendered = render::render(lang, &selection, None, &|job| {
            if let Ok(mut t) = typeset.lock() {
                *t = Some(job.bytes);
            }
            Ok(())
        });
        let typeset = typeset.into_inner().ok().flatten();
        let mut report = Rebuild::of(path.to_string(), false, true);
        let bytes = match (rendered, typeset) {
            (Ok(made), Some(pdf)) => {
                self.pdf_good.insert(path.to_string(), pdf.clone());
                self.pdf_warnings.insert(path.to_string(), made.warnings);
                report.pages_written = made.sheets.unwrap_or_default();
                Some(pdf)
            }
            (Ok(_), None) => return None,
            (Err(d), _) => {
                report.errors = d;
                self.pdf_good.get(path).cloned()
            }
        };
        if let Some(pdf) = bytes {
            let written = Patch::begin(&self.out).and_then(|stage| {
                match stage.put(path, &pdf, Part::Whole) {
                    Ok(()) => stage.commit(),
                    Err(_) => {
                        let trouble = stage.trouble();
                        stage.abort();
                        Err(trouble.unwrap_or_else(|| format!("cannot write {path}")))
                    }
                }
            });
            match written {
                Ok(()) => report.files_written = 1,
                Err(trouble) => report.trouble = Some(trouble),
            }
        }
        // Typeset, or failed to be, for the pages as they are: asked for again before the
        // next edit, it is served (or refused) as it is, not typeset again.
        if report.trouble.is_none() {
            self.pdf_fresh.insert(path.to_string());
        }
        if report.ok() {
            report.warnings = self.warnings();
        }
        report.millis = start.elapsed().as_millis();
        Some(report)
    }

    /// The warnings of what is served: the site's, and the typesetter's for each PDF as
    /// last typeset.
    fn warnings(&self) -> Vec<Diagnostic> {
        let site = self.site.as_ref().map(Site::warnings).unwrap_or_default();
        with_typesetting(site, &self.pdf_warnings)
    }

    /// The problems the last rebuild reported: what the preview shows while there are any.
    pub fn errors_shown(&self) -> Vec<Diagnostic> {
        self.errors_before.clone()
    }

    /// The folders and file a preview watches.
    pub fn watched(&self) -> Vec<PathBuf> {
        ["content", "templates", "static", CONFIG_FILE]
            .iter()
            .map(|p| self.root.join(p))
            .collect()
    }

    /// Applies a batch of changed paths (absolute, as a watcher reports them), with the
    /// changes of earlier failed rebuilds; an empty batch retries those alone.
    /// Returns `None` when none of them matters to the site.
    pub fn apply(&mut self, paths: &[PathBuf]) -> Option<Rebuild> {
        let new: BTreeSet<Changed> = paths.iter().flat_map(|p| self.changes_at(p)).collect();
        self.apply_changes(new, paths.is_empty())
    }

    /// Reads the whole site again, as when the watcher has lost track of what changed
    /// (its event queue overflowed under thousands of changes at once).
    pub fn rescan(&mut self) -> Option<Rebuild> {
        self.apply_changes(BTreeSet::from([Changed::Everything]), false)
    }

    /// `apply`, once the paths are read as changes; `retry` when no path came.
    fn apply_changes(&mut self, new: BTreeSet<Changed>, retry: bool) -> Option<Rebuild> {
        let start = Instant::now();
        // Nothing of the site in this batch; or nothing to retry.
        if new.is_empty() && (!retry || self.pending.is_empty()) {
            return None;
        }
        let what = match new.iter().next() {
            Some(c) if new.len() == 1 => match c {
                Changed::Config => CONFIG_FILE.to_string(),
                Changed::Everything => "the whole site (the watcher lost events)".to_string(),
                Changed::Folder(f) => format!("{f}/"),
                Changed::Template(t) => format!("templates/{t}"),
                Changed::Page(p) | Changed::Asset(p) => format!("content/{p}"),
                Changed::Static(s) => format!("static/{s}"),
            },
            None => "retry".to_string(),
            _ => format!("{} files", new.len()),
        };
        let mut changes = std::mem::take(&mut self.pending);
        changes.extend(new);
        // What `finish` did not write yet goes with this rebuild.
        let late = std::mem::take(&mut self.deferred);
        self.dirty.book_sections.extend(late.book_sections);
        if late.search {
            self.dirty.generated.outputs.insert(Output::SearchIndex);
        }
        let css_only = changes
            .iter()
            .all(|c| matches!(c, Changed::Static(s) if s.ends_with(".css")));
        self.transaction(what, start, css_only, changes)
    }

    /// Applies `changes` to the site and writes the result, or, if anything fails, puts
    /// the site back as it was and keeps the changes for the next try.
    fn transaction(
        &mut self,
        what: String,
        start: Instant,
        css_only: bool,
        changes: BTreeSet<Changed>,
    ) -> Option<Rebuild> {
        let dirty_before = self.dirty.clone();
        let cross_page_before = self.cross_page.clone();
        let mut undo = Undo::default();
        let whole = |c: &Changed| {
            matches!(
                c,
                Changed::Config | Changed::Everything | Changed::Folder(_)
            )
        };
        // After a failed full load the site held is the one before it: only another full
        // load can say what a build of the files now would.
        // A site in several languages is loaded and built whole on every change: a save of
        // one language's file can change what the others show (their facts, their links
        // to it), which the one-page reload does not follow yet.
        let languages = self
            .site
            .as_ref()
            .is_some_and(|s| !s.translations.is_empty());
        if self.site.is_none() || self.full_load_failed || languages || changes.iter().any(whole) {
            self.dirty.full = true;
        } else {
            for change in changes.iter().cloned() {
                self.note(change, &mut undo);
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
        let report = self.rebuild(what, start, css_only, &mut undo);
        if !report.ok() {
            self.roll_back(undo);
            self.dirty = dirty_before;
            self.cross_page = cross_page_before;
            self.pending = changes;
        }
        Some(report)
    }

    /// Puts the site back as it was before a failed rebuild.
    fn roll_back(&mut self, undo: Undo) {
        if let Some(site) = undo.site {
            self.site = site;
            return;
        }
        let Some(site) = self.site.as_mut() else {
            return;
        };
        if let Some(t) = undo.templates {
            site.templates = t;
        }
        for (a, present) in undo.assets {
            if present {
                site.assets.insert(a);
            } else {
                site.assets.remove(&a);
            }
        }
        if undo.pages.is_empty() {
            return;
        }
        for (rel, (page, unbuilt)) in undo.pages {
            if let Some(i) = site.pages.id_of(&rel) {
                site.remove_at(i);
            }
            if let Some((page, rendered)) = page {
                site.insert_page(page, rendered);
            }
            match unbuilt {
                Some(why) => site.unbuilt.insert(rel, why),
                None => site.unbuilt.remove(&rel),
            };
        }
    }

    /// What a watched path's event means for the site. A folder stands for what is under
    /// it: a debouncer reports a removed folder once, not each file in it, and a folder
    /// moved in brings files that no event names.
    fn changes_at(&self, path: &Path) -> Vec<Changed> {
        let (Some(site), Some(rel)) = (&self.site, site_rel(&self.root, path)) else {
            return classify(&self.root, path).into_iter().collect();
        };
        let Some(folder) = rel.strip_prefix("content/") else {
            if let Some(s) = rel.strip_prefix("static/") {
                // A folder of static files moved in (or swapped for another): each file in
                // it now, and each the site had under it, is copied or removed.
                if path.is_dir() {
                    let prefix = format!("{s}/");
                    let had = site.statics.iter().filter(|f| f.starts_with(&prefix));
                    let mut changes = self.files_in(path, &rel);
                    changes.extend(had.map(|f| Changed::Static(f.clone())));
                    return changes;
                }
                // A removed folder of static files: its copies must go too.
                if !path.exists() && crate::paths::is_safe_relative(s) && self.out.join(s).is_dir()
                {
                    return vec![Changed::Folder(rel)];
                }
            }
            // A folder of templates moved in: every template is read again.
            if let Some(t) = rel.strip_prefix("templates/")
                && path.is_dir()
            {
                return vec![Changed::Template(t.to_string())];
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
            // A folder created or moved in brings files no event names; one the site knew
            // may have been swapped for another at once (moved away, another moved in), so
            // what it held and what it holds now are read again. Where a platform reports
            // a folder with each save in it, that costs a re-read of the folder, which
            // finds its other pages unchanged.
            let mut changes = self.files_in(path, &rel);
            changes.extend(known);
            return changes;
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

    /// What the files under folder `path` (at `rel`) are to the site, as if each had been
    /// saved. A link out of the site on the way or inside is never followed (it could lead
    /// anywhere, `/` included): the whole site is read again, whose load refuses the link
    /// as a build does.
    fn files_in(&self, path: &Path, rel: &str) -> Vec<Changed> {
        let whole = || vec![Changed::Folder(rel.to_string())];
        if crate::site::link_out_of_site_on_the_way(&self.root, path).is_some() {
            return whole();
        }
        let mut changes = Vec::new();
        let walk = walkdir::WalkDir::new(path)
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()));
        for entry in walk.filter_map(Result::ok) {
            if entry.path_is_symlink()
                && crate::site::link_out_of_site(&self.root, entry.path()).is_some()
            {
                return whole();
            }
            if entry.file_type().is_file() {
                changes.extend(classify(&self.root, entry.path()));
            }
        }
        changes
    }

    /// Records what one change makes dirty, updating the in-memory site (and in `undo`
    /// what it was).
    fn note(&mut self, change: Changed, undo: &mut Undo) {
        // Only a body edit that keeps its links and headings leaves cross-page checks as
        // they were (and only if they found nothing: their line numbers may have moved).
        let keeps_cross_page = self.cross_page.as_ref().is_some_and(Vec::is_empty);
        let cross_page = self.cross_page.take();
        let Some(site) = self.site.as_mut() else {
            self.dirty.full = true;
            return;
        };
        match change {
            Changed::Config | Changed::Everything | Changed::Folder(_) => self.dirty.full = true,
            Changed::Static(s) => {
                // Kept current as the file system is: output clashes and the 404 page's
                // inline stylesheet read it.
                if site.root.join("static").join(&s).is_file() {
                    site.statics.insert(s.clone());
                } else {
                    site.statics.remove(&s);
                }
                self.dirty.mark(site, render::affected_by_static(&s));
                self.dirty.statics.insert(s);
            }
            Changed::Asset(a) => {
                undo.assets
                    .entry(a.clone())
                    .or_insert_with(|| site.assets.contains(&a));
                // Keep the set current: references to a missing file are errors.
                if site.root.join("content").join(&a).is_file() {
                    site.assets.insert(a.clone());
                } else {
                    site.assets.remove(&a);
                }
                self.dirty.assets.insert(a);
            }
            Changed::Template(name) => match Templates::load(&site.root) {
                Ok(templates) => {
                    let old = std::mem::replace(&mut site.templates, templates);
                    undo.templates.get_or_insert(old);
                    self.load_errors.clear();
                    match render::affected_by_template(site, &name) {
                        Some(selection) => self.dirty.mark(site, selection),
                        None => self.dirty.full = true,
                    }
                }
                Err(d) => self.load_errors = d,
            },
            Changed::Page(rel) => {
                let newest_before = site.newest_as_of();
                self.note_page(rel, undo, keeps_cross_page, cross_page);
                // Stale notices and upcoming marks count from the newest page: if it moved,
                // they may change.
                if let Some(site) = &self.site
                    && site.newest_as_of() != newest_before
                {
                    self.dirty.mark(site, render::affected_by_newest(site));
                }
            }
        }
    }

    fn note_page(
        &mut self,
        rel: String,
        undo: &mut Undo,
        keeps_cross_page: bool,
        cross_page: Option<Vec<Diagnostic>>,
    ) {
        let Some(site) = self.site.as_mut() else {
            return;
        };
        match reload_saved(undo, site, &rel) {
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
                        let edit = PageEdit::Body(&site.pages[index]);
                        dirty.mark(site, render::affected_by_page(site, edit));
                        if same_links && keeps_cross_page {
                            self.cross_page = cross_page;
                        }
                    }
                    PageChange::Added(i) => {
                        let edit = PageEdit::FrontMatter {
                            before: None,
                            after: Some(&site.pages[i]),
                        };
                        dirty.mark(site, render::affected_by_page(site, edit));
                    }
                    PageChange::FrontMatter(old, i) => {
                        let page = &site.pages[i];
                        if page.path != old.path {
                            dirty.removed.insert(old.output_file());
                        }
                        // Redirects of aliases the page no longer has go too.
                        dirty.removed.extend(
                            old.aliases
                                .iter()
                                .filter(|a| !page.aliases.contains(a))
                                .filter_map(|a| crate::url::alias_file(a)),
                        );
                        let edit = PageEdit::FrontMatter {
                            before: Some(&old),
                            after: Some(page),
                        };
                        dirty.mark(site, render::affected_by_page(site, edit));
                    }
                    PageChange::Removed(old) => {
                        dirty.removed.insert(old.output_file());
                        dirty
                            .removed
                            .extend(old.aliases.iter().filter_map(|a| crate::url::alias_file(a)));
                        let edit = PageEdit::FrontMatter {
                            before: Some(&old),
                            after: None,
                        };
                        dirty.mark(site, render::affected_by_page(site, edit));
                    }
                }
            }
        }
    }

    /// Everything wrong right now, sorted: what a build of the files as they are reports.
    pub fn errors(&mut self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self.load_errors.clone();
        if !self.full_load_failed {
            all.extend(self.file_errors.values().flatten().cloned());
            if let Some(site) = &mut self.site {
                let failed = &self.file_errors;
                let cross = self
                    .cross_page
                    .get_or_insert_with(|| cross_page_errors(site, failed));
                all.extend(cross.iter().cloned());
            }
        }
        diagnostic::sort(&mut all);
        all.dedup();
        all
    }

    fn rebuild(
        &mut self,
        what: String,
        start: Instant,
        css_only: bool,
        undo: &mut Undo,
    ) -> Rebuild {
        let mut report = Rebuild::of(what, css_only, false);
        if self.dirty.full {
            self.cross_page = None;
            // A full load reads every file again: its errors are all there are, and one
            // kept from an earlier save may name a file since moved or fixed.
            self.file_errors.clear();
            match Site::load(&self.root, self.options.clone()) {
                Ok(site) => {
                    let old = self.site.replace(site);
                    undo.site.get_or_insert(old);
                    self.load_errors.clear();
                    self.full_load_failed = false;
                }
                Err(Errors(d)) => {
                    self.load_errors = d;
                    self.full_load_failed = true;
                }
            }
        }
        report.errors = self.errors();
        // Out of descriptors or memory while reading: the machine's trouble, retried,
        // and the errors shown stay those of the files.
        if let Some(trouble) = report.errors.iter().find_map(Diagnostic::machine_trouble) {
            report.errors.clear();
            report.trouble = Some(trouble);
            report.millis = start.elapsed().as_millis();
            return report;
        }
        if report.errors.is_empty() {
            match self.write() {
                Ok((pages, files)) => {
                    report.pages_written = pages;
                    report.files_written = files;
                }
                Err(WriteError::Content(d)) => report.errors = d,
                Err(WriteError::Trouble(t)) => report.trouble = Some(t),
            }
        }
        if report.ok() {
            report.warnings = self.warnings();
        }
        report.millis = start.elapsed().as_millis();
        // Whatever changed, the PDFs are typeset again when next asked for.
        self.pdf_fresh.clear();
        self.errors_before = report.errors.clone();
        report
    }

    /// Writes what is dirty: everything (swapped in whole), or the pages and files owed
    /// (staged beside the output, then moved in together once all of them are ready).
    fn write(&mut self) -> Result<(usize, usize), WriteError> {
        let Some(site) = &self.site else {
            return Ok((0, 0));
        };
        if self.dirty.full {
            // The build refills the memo with the book as built; after a failed one,
            // nothing in it may be reused.
            let write = WriteOptions {
                output: Some(self.out.clone()),
                force: true,
                cancel: None,
            };
            let summary = site
                .build_keeping(&write, Some(&self.memo))
                .map_err(|Errors(d)| {
                    self.memo.clear();
                    WriteError::Content(d)
                })?;
            self.dirty = Dirty::default();
            return Ok((summary.html_files, summary.files));
        }
        let dirty = &self.dirty;
        let indices = |rels: &BTreeSet<String>| -> BTreeSet<PageId> {
            rels.iter()
                .filter_map(|rel| site.pages.id_of(rel))
                .collect()
        };
        let mut selection = Selection {
            pages: indices(&dirty.pages),
            book_sections: indices(&dirty.book_sections),
            ..dirty.generated.clone()
        };
        // Only body edits: their pages first, the book and the search index in `finish`.
        let defer = !selection.pages.is_empty()
            && !selection.has(Output::Book)
            && (!selection.book_sections.is_empty() || selection.has(Output::SearchIndex));
        let late = if defer {
            selection.book_sections.clear();
            Deferred {
                book_sections: dirty.book_sections.clone(),
                search: selection.outputs.remove(&Output::SearchIndex),
            }
        } else {
            Deferred::default()
        };
        let stage = begin(&self.out)?;
        let result = stage_all(site, dirty, &mut selection, &self.memo, &stage);
        let (pages, files) = match result {
            Ok(counts) => counts,
            Err(e) => {
                // Its sections may show edits that are now undone.
                self.memo.clear();
                stage.abort();
                return Err(e);
            }
        };
        stage.commit().map_err(WriteError::Trouble)?;
        self.dirty = Dirty::default();
        self.deferred = late;
        Ok((pages, files))
    }

    /// Writes what the last `apply` deferred (the book and search index after a body
    /// edit), staged and moved in like any rebuild; `None` when nothing was owed. Until it
    /// has run, the output is a build's except for those files. On failure they stay owed,
    /// and go with the next rebuild.
    pub fn finish(&mut self) -> Option<Rebuild> {
        if self.deferred.is_empty() {
            return None;
        }
        let start = Instant::now();
        let site = self.site.as_ref()?;
        let late = std::mem::take(&mut self.deferred);
        let selection = Selection {
            book_sections: late
                .book_sections
                .iter()
                .filter_map(|rel| site.pages.id_of(rel))
                .collect(),
            outputs: late
                .search
                .then_some(Output::SearchIndex)
                .into_iter()
                .collect(),
            ..Selection::default()
        };
        let (out, memo) = (&self.out, &self.memo);
        let write = move || {
            let mut selection = selection;
            begin(out).and_then(|stage| {
                match stage_all(site, &Dirty::default(), &mut selection, memo, &stage) {
                    Ok(counts) => {
                        stage.commit().map_err(WriteError::Trouble)?;
                        Ok(counts)
                    }
                    Err(e) => {
                        stage.abort();
                        Err(e)
                    }
                }
            })
        };
        let written = match &self.late_pool {
            Some(pool) => pool.install(write),
            None => write(),
        };
        let mut report = Rebuild::of("the book and search index".to_string(), false, false);
        match written {
            Ok((pages, files)) => {
                report.pages_written = pages;
                report.files_written = files;
                report.warnings = with_typesetting(site.warnings(), &self.pdf_warnings);
            }
            Err(e) => {
                self.memo.clear();
                self.deferred = late;
                match e {
                    WriteError::Content(d) => report.errors = d,
                    WriteError::Trouble(t) => report.trouble = Some(t),
                }
            }
        }
        report.millis = start.elapsed().as_millis();
        Some(report)
    }
}

/// Why a rebuild's output could not be written.
enum WriteError {
    /// The site's fault: shown as errors, in the terminal and the browser.
    Content(Vec<Diagnostic>),
    /// The machine's (descriptors, disk): reported in the terminal and tried again.
    Trouble(String),
}

/// Starts staging a rebuild beside `out`.
fn begin(out: &Path) -> Result<Patch, WriteError> {
    Patch::begin(out).map_err(WriteError::Trouble)
}

/// Renders and copies everything owed into `stage`; the pages and files staged.
fn stage_all(
    site: &Site,
    dirty: &Dirty,
    selection: &mut Selection,
    memo: &render::Memo,
    stage: &Patch,
) -> Result<(usize, usize), WriteError> {
    for removed in &dirty.removed {
        // Unless another page now writes the same file.
        let rewritten = site.pages.iter().any(|p| p.output_file() == *removed);
        if !rewritten && crate::paths::is_safe_relative(removed.as_str()) {
            stage.remove(removed.as_str(), Removal::PageAndFolder);
        }
    }
    let pages = if selection.is_empty() {
        0
    } else {
        selection.pages.retain(|&i| site.pages.contains(i));
        render::render(site, selection, Some(memo), &|job| {
            stage
                .put(&job.path, &job.bytes, job.part)
                .map_err(|r| said(site, r))
        })
        .map(|made| made.pages)
        .map_err(|mut d| {
            // The machine's trouble hides behind the diagnostics it caused.
            if let Some(t) = stage.trouble() {
                return WriteError::Trouble(t);
            }
            diagnostic::sort(&mut d);
            WriteError::Content(d)
        })?
    };
    // A generated file the site no longer writes (the calendar, once no stop is known to
    // the day) goes, unless a static file of that name replaces it.
    let made = selection
        .outputs
        .iter()
        .filter(|o| selection.on_request || !o.declared().on_request);
    for file in made.filter_map(|o| o.fixed_file()) {
        if !stage.has(file) && !site.statics.contains(file) {
            stage.remove(file, Removal::File);
        }
    }
    let published = site.published_assets();
    for s in &dirty.statics {
        sync_file(site, stage, Copied::Static(s), &published)?;
    }
    // Content files are published only while a page links to them, as in a build: a
    // changed file, or one a page has just started linking to, is copied; one no page links
    // to any more is removed (unless it is another source's output of that name).
    for a in &site.assets {
        let in_output = stage.target().join(a).is_file();
        let linked = published.contains(a.as_str());
        if dirty.assets.contains(a) || linked != in_output {
            sync_file(site, stage, Copied::Content(a), &published)?;
        }
    }
    // Changed files the site no longer has.
    for a in dirty.assets.iter().filter(|a| !site.assets.contains(*a)) {
        sync_file(site, stage, Copied::Content(a), &published)?;
    }
    Ok((pages, stage.count()))
}

/// What the staging refused, said at the page that asked for the file if it is a clash.
fn said(site: &Site, refusal: Refusal) -> Diagnostic {
    match refusal {
        Refusal::Clash { rel, message } => clash_error(site, &rel, message),
        Refusal::Said(d) => d,
    }
}

/// The writer's clash (worded as a build words it), at the page or alias that asked for
/// `rel`.
fn clash_error(site: &Site, rel: &str, message: String) -> Diagnostic {
    let owner = site.pages.iter().find_map(|p| {
        if p.output_file().as_str() == rel {
            return Some(Diagnostic::error(&p.file, message.clone()).at_line(&p.text, 1));
        }
        p.aliases
            .iter()
            .any(|a| crate::url::alias_file(a).is_some_and(|f| f.as_str() == rel))
            .then(|| crate::site::at_front_matter_key(p, "aliases", message.clone()))
    });
    owner.unwrap_or_else(|| Diagnostic::error(rel, message))
}

/// Stages a copied file as a build would copy it now (a static file falling back to the
/// built-in one of that name), or its removal where a build would not copy it (unless it
/// is another source's output of that name).
fn sync_file(
    site: &Site,
    stage: &Patch,
    file: Copied,
    published: &std::collections::BTreeSet<&str>,
) -> Result<(), WriteError> {
    let rel = file.rel();
    if !crate::paths::is_safe_relative(rel) {
        return Ok(());
    }
    let folder = match file {
        Copied::Static(_) => "static",
        Copied::Content(_) => "content",
    };
    let from = site.root.join(folder).join(rel);
    if let Some(d) = crate::site::link_out_of_site_on_the_way(&site.root, &from) {
        return Err(WriteError::Content(vec![d]));
    }
    let staged = match site.copy_source(file, published) {
        Some(CopySource::Site(path)) => stage.copy(&path, rel),
        Some(CopySource::Builtin(bytes)) => stage.put(rel, bytes, Part::Whole),
        None => {
            if matches!(file, Copied::Static(_)) || !site.claimed_by_others(rel) {
                stage.remove(rel, Removal::File);
            }
            return Ok(());
        }
    };
    staged.map_err(|r| match stage.trouble() {
        Some(t) => WriteError::Trouble(t),
        None => WriteError::Content(vec![said(site, r)]),
    })
}

/// Re-reads a page, remembering it as it was before its first change in this rebuild.
fn reload_saved(
    undo: &mut Undo,
    site: &mut Site,
    rel: &str,
) -> Result<PageChange, Vec<Diagnostic>> {
    undo.pages.entry(rel.to_string()).or_insert_with(|| {
        let page = site
            .pages
            .id_of(rel)
            .map(|i| (site.pages[i].clone(), site.pages.rendered(i).clone()));
        (page, site.unbuilt.get(rel).copied())
    });
    site.reload_page(rel)
}

/// The site's warnings and the typesetter's, in the order the reporter prints them.
fn with_typesetting(
    mut warnings: Vec<Diagnostic>,
    typeset: &BTreeMap<String, Vec<Diagnostic>>,
) -> Vec<Diagnostic> {
    warnings.extend(typeset.values().flatten().cloned());
    diagnostic::sort(&mut warnings);
    warnings.dedup();
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(from: &Path, to: &Path) {
        for e in walkdir::WalkDir::new(from)
            .into_iter()
            .filter_map(Result::ok)
        {
            let Ok(rel) = e.path().strip_prefix(from) else {
                continue;
            };
            let dest = to.join(rel);
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&dest).expect("mkdir");
            } else {
                std::fs::copy(e.path(), &dest).expect("copy");
            }
        }
    }

    fn title(session: &Session, rel: &str) -> String {
        let site = session.site().expect("site");
        site.pages
            .id_of(rel)
            .map(|i| site.pages[i].title.clone())
            .unwrap_or_default()
    }

    #[test]
    fn a_failed_rebuild_leaves_site_and_output_as_they_were() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("site");
        copy(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic_site"),
            &root,
        );
        let out = dir.path().join("out");
        let (mut session, first) = Session::start(&root, LoadOptions::default(), &out);
        assert!(first.ok(), "{:?}", first.errors);
        let note = root.join("content/notes/detentions.md");
        let good = std::fs::read_to_string(&note).expect("read");
        let home = std::fs::read_to_string(out.join("index.html")).expect("home");
        std::fs::write(
            &note,
            good.replacen(
                "title: Detentions",
                "title: Renamed\naliases: [\"disputes/canola/index.html\"]",
                1,
            ),
        )
        .expect("write");
        let failed = session.apply(std::slice::from_ref(&note)).expect("rebuild");
        assert!(!failed.ok());
        assert!(failed.trouble.is_none(), "a clash is the site's error");
        assert!(
            failed.errors[0]
                .to_string()
                .contains("content/notes/detentions.md"),
            "{:?}",
            failed.errors
        );
        assert_eq!(title(&session, "notes/detentions.md"), "Detentions");
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).expect("home"),
            home
        );
        assert!(!out.with_file_name(".out.briefing-patch").exists());
        // An unrelated edit now still carries the broken change, so it fails too.
        let canola = root.join("content/disputes/canola.md");
        let text = std::fs::read_to_string(&canola).expect("read");
        std::fs::write(&canola, format!("{text}\nMore.\n")).expect("write");
        assert!(!session.apply(&[canola]).expect("rebuild").ok());
        assert_eq!(title(&session, "notes/detentions.md"), "Detentions");
        // Fixed: the new title is applied from the last good state.
        std::fs::write(
            &note,
            good.replacen("title: Detentions", "title: Renamed", 1),
        )
        .expect("write");
        let fixed = session.apply(&[note]).expect("rebuild");
        assert!(fixed.ok(), "{:?}", fixed.errors);
        assert_eq!(title(&session, "notes/detentions.md"), "Renamed");
        let home = std::fs::read_to_string(out.join("index.html")).expect("home");
        assert!(home.contains("Renamed"));
        assert!(
            std::fs::read_to_string(out.join("disputes/canola/index.html"))
                .expect("canola")
                .contains("More.")
        );
    }
}

//! A site: its config, every page parsed and rendered to HTML with links resolved, and its
//! theme. `Site::load` does everything that can fail on content; `Site::build` writes.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, ByPage, Kind, Page, PageId};
use crate::diagnostic::{self, Diagnostic, Errors};
use crate::markdown::{self, LINK_MARK, LINK_MARK_END, Rendered};
use crate::paths::is_ignored;
use crate::templates::Templates;
use crate::url::{page_url, root_prefix, url_path};

/// What the command line (or a caller) chose for this run.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Output folder; defaults to the config's `output_dir` under the site root.
    pub output: Option<PathBuf>,
    /// Overrides the config's `base_url`.
    pub base_url: Option<String>,
    /// Include pages marked `draft = true`.
    pub drafts: bool,
    /// Overrides the config's `portable`.
    pub portable: Option<bool>,
    /// Allow writing over a folder briefing did not create.
    pub force: bool,
    /// `check`: everything is rendered to find its errors and thrown away, so each page's
    /// Markdown is read for its headings, links and text without writing HTML, templates
    /// render into nothing, and outputs made by code alone (the search index, feeds), which
    /// cannot fail but by writing, are not made.
    pub check_only: bool,
    /// Set (by a signal handler) to stop the build at its next write, leaving the previous
    /// output as it was.
    pub cancel: Option<crate::output::Cancel>,
}

/// Where a static output file comes from (see `Site::static_source`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaticSource {
    /// The site's own file, under `static/`.
    Site(PathBuf),
    /// The built-in theme's.
    Builtin(&'static [u8]),
}

pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    pub options: BuildOptions,
    /// Every page, sorted by source path (so output is deterministic).
    pub pages: ByPage<Page>,
    /// The rendered body of each page; links are placeholders until `body_html`
    /// substitutes them.
    pub rendered: ByPage<Rendered>,
    /// Each page by its path relative to `content/`.
    pub by_rel: HashMap<String, PageId>,
    /// Markdown files that are not pages of this build: drafts (`true`) and files that
    /// failed to load (`false`).
    pub unbuilt: HashMap<String, bool>,
    /// Files of `content/` that are not Markdown (images, PDFs), relative to `content/`;
    /// copied to the same place in the output.
    pub assets: BTreeSet<String>,
    /// The site's own `static/` files, relative to `static/`; copied as they are.
    pub statics: BTreeSet<String>,
    pub templates: Templates,
    pub warnings: Vec<Diagnostic>,
}

/// Whether a page accurate as of `as_of` is more than `stale_after_days` older than the
/// newest page of the site.
pub fn is_stale(
    stale_after_days: Option<u32>,
    newest: Option<chrono::NaiveDate>,
    as_of: Option<chrono::NaiveDate>,
) -> bool {
    match (stale_after_days, as_of, newest) {
        (Some(days), Some(d), Some(newest)) => (newest - d).num_days() > i64::from(days),
        _ => false,
    }
}

/// CSS that cannot end the `<style>` element it is inlined in (`<\/` means `</` in CSS).
fn inline_safe(css: &str) -> String {
    css.replace("</", "<\\/")
}

impl Site {
    /// Loads and checks everything: config, templates, every page (front matter, kind,
    /// themes, Markdown, links and anchors). All problems come back together.
    pub fn load(root: &Path, options: BuildOptions) -> Result<Site, Errors> {
        let mut diags = Vec::new();
        let config = Config::load(root);
        let templates = Templates::load(root);
        // Pages are read with the config; a broken template does not stop them from being
        // checked, so its errors come with theirs.
        let (mut config, templates) = match (config, templates) {
            (Ok(c), t) => (
                c,
                t.unwrap_or_else(|d| {
                    diags.extend(d);
                    Templates::default()
                }),
            ),
            (Err(c), t) => {
                diags.extend(c);
                diags.extend(t.err().unwrap_or_default());
                diagnostic::sort(&mut diags);
                return Err(Errors(diags));
            }
        };
        if let Some(url) = &options.base_url {
            config.base_url = Some(url.clone());
        }
        let (files, assets) = walk_content(root, &mut diags);
        let statics = walk_static(root, &mut diags);

        // Sections first: their `page_kind` is the default kind of the pages below them.
        let (section_files, page_files): (Vec<_>, Vec<_>) = files
            .into_iter()
            .partition(|(rel, _)| rel == "_index.md" || rel.ends_with("/_index.md"));
        let render = if options.check_only {
            markdown::outline
        } else {
            markdown::render
        };
        let sections = load_pages(&section_files, &config, &HashMap::new(), render, &mut diags);
        let page_kinds: HashMap<String, Kind> = sections
            .iter()
            .filter_map(|(p, _)| p.page_kind.map(|k| (p.dir().to_string(), k)))
            .collect();
        let others = load_pages(&page_files, &config, &page_kinds, render, &mut diags);

        // Links to files that failed to load are not reported again; links to drafts are.
        let mut unbuilt: HashMap<String, bool> = section_files
            .iter()
            .chain(&page_files)
            .map(|(rel, _)| (rel.clone(), false))
            .collect();
        let mut loaded: Vec<(Page, Rendered)> = Vec::with_capacity(unbuilt.len());
        for (page, rendered) in sections.into_iter().chain(others) {
            if page.draft && !options.drafts {
                unbuilt.insert(page.rel.clone(), true);
            } else {
                unbuilt.remove(&page.rel);
                loaded.push((page, rendered));
            }
        }
        loaded.sort_by(|a, b| a.0.rel.cmp(&b.0.rel));
        let (pages, rendered): (Vec<Page>, Vec<Rendered>) = loaded.into_iter().unzip();

        let (pages, rendered) = (ByPage::from(pages), ByPage::from(rendered));
        let by_rel = index_by_rel(&pages);
        let mut site = Site {
            root: root.to_path_buf(),
            config,
            options,
            pages,
            rendered,
            by_rel,
            unbuilt,
            assets,
            statics,
            templates,
            warnings: Vec::new(),
        };
        diags.extend(site.cross_page_problems());
        diags.extend(site.unpublished_files_warning());

        let (mut errors, warnings): (Vec<_>, Vec<_>) =
            diags.into_iter().partition(|d| d.is_error());
        if !errors.is_empty() {
            diagnostic::sort(&mut errors);
            return Err(Errors(errors));
        }
        site.warnings = warnings;
        if site.config.base_url.is_none() {
            site.warnings.push(Diagnostic::warning(
                crate::config::CONFIG_FILE,
                "no base_url: sitemap.xml, atom.xml and robots.txt need absolute URLs and are not written \
                 (set base_url, or pass --base-url)",
            ));
        }
        Ok(site)
    }

    /// Every warning of the site as it is now: those found on loading, and the stale
    /// pages, counted afresh (an edit in `serve` can move the newest `as_of`).
    pub fn warnings(&self) -> Vec<Diagnostic> {
        let newest = self.newest_as_of();
        let days = self.config.stale_after_days;
        let stale = self.pages.iter().filter(|p| is_stale(days, newest, p.as_of)).map(|p| {
            let d = at_front_matter_key(
                p,
                "as_of",
                format!(
                    "this page is stale: as_of {} is more than stale_after_days ({}) before the newest page",
                    p.as_of.map(crate::dates::iso).unwrap_or_default(),
                    days.unwrap_or_default()
                ),
            );
            Diagnostic { severity: crate::diagnostic::Severity::Warning, ..d }
        });
        // Every page's header links to the front page.
        let no_home = (!self.by_rel.contains_key("_index.md")).then(|| {
            Diagnostic::warning(
                "content/_index.md",
                "there is no content/_index.md, so the site has no front page and every page's \
                 link to it leads nowhere: add one (a title, a summary and the bottom line)",
            )
        });
        // From the rendered bodies, so that a fix in `serve` clears its warning.
        let markdown = self.pages.iter().zip(&self.rendered).flat_map(|(p, r)| {
            r.warnings.iter().map(|w| {
                Diagnostic::warning(&p.file, w.message.clone())
                    .at_offset(&p.text, p.body_offset + w.offset)
            })
        });
        self.warnings
            .iter()
            .cloned()
            .chain(no_home)
            .chain(markdown)
            .chain(stale)
            .collect()
    }

    /// The newest `as_of` of any page: staleness counts from it, not the wall clock, so
    /// builds stay reproducible.
    pub fn newest_as_of(&self) -> Option<chrono::NaiveDate> {
        self.pages.iter().filter_map(|p| p.as_of).max()
    }

    pub fn portable(&self) -> bool {
        self.options.portable.unwrap_or(self.config.portable)
    }

    /// The output folder this run was asked for, and who asked: `--output` (relative to
    /// the working folder) or `output_dir` (relative to the site). `output::check_target`
    /// resolves and checks it.
    pub fn requested_output(&self) -> (PathBuf, crate::output::Origin) {
        match &self.options.output {
            Some(o) => (o.clone(), crate::output::Origin::CommandLine),
            None => (
                PathBuf::from(&self.config.output_dir),
                crate::output::Origin::Config,
            ),
        }
    }
}

fn index_by_rel(pages: &ByPage<Page>) -> HashMap<String, PageId> {
    pages.enumerate().map(|(i, p)| (p.rel.clone(), i)).collect()
}

/// A symbolic link at `path` whose target lies outside the site: never read, never
/// published. Returns the error naming the link.
pub fn link_out_of_site(root: &Path, path: &Path) -> Option<Diagnostic> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_symlink() {
        return None;
    }
    let shown = path.strip_prefix(root).unwrap_or(path);
    let inside = match (std::fs::canonicalize(root), std::fs::canonicalize(path)) {
        (Ok(root), Ok(target)) => target.starts_with(root),
        (_, Err(e)) => {
            return Some(Diagnostic::error(
                shown,
                format!("symbolic link that cannot be followed: {e}"),
            ));
        }
        (Err(_), _) => false,
    };
    (!inside).then(|| {
        let to = std::fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        Diagnostic::error(
            shown,
            format!(
                "symbolic link to {to}, outside the site folder: briefing never reads or publishes files from outside the site (copy the file into the site instead)"
            ),
        )
    })
}

/// Walks a folder of the site (`content/`, `static/`) in sorted order, following symlinks
/// that stay inside the site (loops and links out of it are reported), skipping editor
/// droppings. Yields (path relative to the folder with `/` separators, path on disk).
fn walk_site_folder(
    root: &Path,
    folder: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, PathBuf)> {
    let dir = root.join(folder);
    let mut files = Vec::new();
    if let Some(d) = link_out_of_site(root, &dir) {
        diags.push(d);
        return files;
    }
    let mut walker = walkdir::WalkDir::new(&dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map_or_else(|| PathBuf::from(folder), Path::to_path_buf);
                let msg = if e.loop_ancestor().is_some() {
                    "symbolic link loop: this folder links back to one of its parents".to_string()
                } else {
                    format!("cannot read: {e}")
                };
                diags.push(Diagnostic::error(path, msg));
                continue;
            }
        };
        if entry.path_is_symlink()
            && let Some(d) = link_out_of_site(root, entry.path())
        {
            diags.push(d);
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&dir) else {
            continue;
        };
        // Names that would read as paths once on the web (`a\..\b`) are refused here,
        // naming the file, rather than at write time.
        if rel
            .to_str()
            .is_some_and(|s| s.contains('\\') && std::path::MAIN_SEPARATOR != '\\')
        {
            diags.push(Diagnostic::error(
                entry.path().strip_prefix(root).unwrap_or(entry.path()),
                "file name contains a backslash: rename it (backslashes are path separators on the web and on Windows)",
            ));
            continue;
        }
        let Some(rel) = rel.to_str().map(|s| s.replace('\\', "/")) else {
            diags.push(Diagnostic::error(
                entry.path().strip_prefix(root).unwrap_or(entry.path()),
                "file name is not valid UTF-8: rename it",
            ));
            continue;
        };
        files.push((rel, entry.path().to_path_buf()));
    }
    files
}

/// Walks `content/`: its Markdown pages, and the other files (relative to `content/`).
fn walk_content(
    root: &Path,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<(String, PathBuf)>, BTreeSet<String>) {
    let dir = root.join("content");
    if !dir.is_dir() {
        let msg = match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::metadata(&dir) {
                Err(e) => format!("content is a symbolic link that cannot be followed: {e}"),
                Ok(_) => "content is a symbolic link to a file, not a folder".to_string(),
            },
            Ok(_) => "content is a file: notes go in a folder content/ of *.md files".to_string(),
            Err(_) => format!(
                "no content/ folder in {}: notes go in content/*.md",
                root.display()
            ),
        };
        diags.push(Diagnostic::error("content", msg));
        return (Vec::new(), BTreeSet::new());
    }
    let (pages, assets): (Vec<_>, Vec<_>) = walk_site_folder(root, "content", diags)
        .into_iter()
        .partition(|(rel, _)| rel.ends_with(".md"));
    (pages, assets.into_iter().map(|(rel, _)| rel).collect())
}

/// The site's own `static/` files, relative to `static/`.
fn walk_static(root: &Path, diags: &mut Vec<Diagnostic>) -> BTreeSet<String> {
    if !root.join("static").is_dir() {
        return BTreeSet::new();
    }
    walk_site_folder(root, "static", diags)
        .into_iter()
        .map(|(rel, _)| rel)
        .collect()
}

/// Reads, parses and renders pages in parallel.
fn load_pages(
    files: &[(String, PathBuf)],
    config: &Config,
    page_kinds: &HashMap<String, Kind>,
    render: fn(&str, &str) -> Rendered,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(Page, Rendered)> {
    let results: Vec<Result<(Page, Rendered), Vec<Diagnostic>>> = files
        .par_iter()
        .map(|(rel, abs)| {
            let file = Path::new("content").join(rel);
            let bytes = std::fs::read(abs).map_err(|e| vec![Diagnostic::io(&file, &e)])?;
            let text = crate::text::decode_text(&file, bytes).map_err(|d| vec![d])?;
            let page =
                content::parse_page(rel, &file, text, config, || default_kind(rel, page_kinds))?;
            let rendered = render(page.body(), page.dir());
            let problems: Vec<Diagnostic> = rendered
                .problems
                .iter()
                .map(|p| {
                    let mut message = p.message.clone();
                    if let Some(first) = p.first_at {
                        let line = crate::diagnostic::line_of(&page.text, page.body_offset + first);
                        message.push_str(&format!(" (first at line {line})"));
                    }
                    Diagnostic::error(&file, message)
                        .at_offset(&page.text, page.body_offset + p.offset)
                })
                .collect();
            if problems.is_empty() {
                Ok((page, rendered))
            } else {
                Err(problems)
            }
        })
        .collect();
    let mut ok = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(p) => ok.push(p),
            Err(d) => diags.extend(d),
        }
    }
    ok
}

/// The `page_kind` of the nearest section above `rel`, or `note`.
fn default_kind(rel: &str, page_kinds: &HashMap<String, Kind>) -> Kind {
    crate::paths::folders_up(crate::paths::parent_folder(rel))
        .find_map(|dir| page_kinds.get(dir).copied())
        .unwrap_or(Kind::Note)
}

pub(crate) fn at_front_matter_key(page: &Page, key: &str, msg: String) -> Diagnostic {
    let fm_end = page.body_offset.min(page.text.len());
    match crate::frontmatter::locate_key(&page.text[..fm_end], key) {
        Some(off) => Diagnostic::error(&page.file, msg).at_offset(&page.text, off),
        None => Diagnostic::error(&page.file, msg).at_line(&page.text, 1),
    }
}

/// Output paths the build writes itself, which content must not claim.
pub const GENERATED: &[&str] = &["themes/", "book/", "404.html"];

/// Two pages must never write the same file, even on a case-insensitive file system.
fn check_paths(pages: &[Page], config: &Config, diags: &mut Vec<Diagnostic>) {
    // Every output folder claimed: each page's own, and each of its aliases' redirects.
    let claims = pages.iter().flat_map(|p| {
        let aliases = p.aliases.iter().filter_map(move |a| {
            let folder = crate::url::alias_folder(a)?;
            Some((std::borrow::Cow::Owned(folder), p, Some(a.as_str())))
        });
        std::iter::once((std::borrow::Cow::Borrowed(p.path.as_str()), p, None)).chain(aliases)
    });
    // "content/a.md", "content/a.md (a/)" where the folder matters, or "the alias … of …".
    let describe = |path: &str, p: &Page, alias: Option<&str>, with_path: bool| match alias {
        Some(a) => format!("the alias {a:?} of {}", p.file.display()),
        None if with_path => format!(
            "{} ({})",
            p.file.display(),
            if path.is_empty() { "/" } else { path }
        ),
        None => p.file.display().to_string(),
    };
    let mut seen: HashMap<Caseless<'static>, (String, &Page, Option<&str>)> =
        HashMap::with_capacity(pages.len());
    // Problems per page, to locate only those `cap_per_file` keeps (20,000 colliding
    // aliases would otherwise each scan the page).
    let mut located: HashMap<&Path, usize> = HashMap::new();
    let mut found = Vec::new();
    for (path, p, alias) in claims {
        let mut at = |msg: String| {
            let n = located.entry(p.file.as_path()).or_default();
            *n += 1;
            match alias {
                _ if *n > crate::diagnostic::MAX_PER_FILE => Diagnostic::error(&p.file, msg),
                Some(_) => at_front_matter_key(p, "aliases", msg),
                None => Diagnostic::error(&p.file, msg).at_line(&p.text, 1),
            }
        };
        let key = Caseless::owned(&path);
        if let Some((other_path, other, other_alias)) = seen.get(&key) {
            let same = *other_path == path;
            let first = describe(other_path, other, *other_alias, !same);
            let second = describe(&path, p, alias, !same);
            let msg = if same {
                format!(
                    "{first} and {second} would both be written to {path}index.html: rename one, or change the `slug` or alias"
                )
            } else {
                format!(
                    "{first} and {second} differ only in letter case, which collides on macOS and Windows"
                )
            };
            found.push(at(msg));
        } else {
            seen.insert(key, (path.to_string(), p, alias));
        }
        let reserved = GENERATED.iter().any(|g| path.starts_with(g))
            && !(config.themes.is_empty() && path.starts_with("themes/"));
        if reserved {
            found.push(at(format!(
                "{path} is reserved for pages the build generates: move this page or alias"
            )));
        }
    }
    diags.extend(crate::diagnostic::cap_per_file(found));
}

/// A path compared as a case-insensitive file system would.
struct Caseless<'a>(std::borrow::Cow<'a, str>);

impl Caseless<'static> {
    fn owned(path: &str) -> Self {
        Caseless(std::borrow::Cow::Owned(path.to_string()))
    }
}

impl Caseless<'_> {
    fn folded(&self) -> impl Iterator<Item = char> + '_ {
        self.0.chars().flat_map(char::to_lowercase)
    }
}

impl PartialEq for Caseless<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.folded().eq(other.folded())
    }
}

impl Eq for Caseless<'_> {}

impl std::hash::Hash for Caseless<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for c in self.folded() {
            state.write_u32(c as u32);
        }
    }
}

/// Checks every pending link of every page: the target page exists and so does the anchor.
fn check_links(
    pages: &ByPage<Page>,
    rendered: &ByPage<Rendered>,
    by_rel: &HashMap<String, PageId>,
    unbuilt: &HashMap<String, bool>,
    assets: &BTreeSet<String>,
) -> Vec<Diagnostic> {
    pages
        .as_slice()
        .par_iter()
        .zip(rendered.as_slice().par_iter())
        .flat_map_iter(|(page, r)| {
            let mut problems = Vec::new();
            // Past `MAX_PER_FILE`, problems are only counted (see `cap_per_file`): locating
            // each in the text, or listing a page's anchors for each, would cost time in
            // proportion to the page, each.
            let located = std::cell::Cell::new(0);
            let at = |off: usize, msg: &dyn Fn() -> String| {
                let n = located.get();
                located.set(n + 1);
                if n < crate::diagnostic::MAX_PER_FILE {
                    Diagnostic::error(&page.file, msg())
                        .at_offset(&page.text, page.body_offset + off)
                } else {
                    Diagnostic::error(&page.file, String::new())
                }
            };
            for link in &r.links {
                if link.asset {
                    if let Some(t) = &link.target
                        && !assets.contains(t)
                    {
                        problems.push(at(link.offset, &|| {
                            format!("{:?}: there is no file content/{t}", link.written)
                        }));
                    }
                    continue;
                }
                let target_ids = match &link.target {
                    None => Some(&r.ids),
                    Some(t) => match by_rel.get(t.as_str()) {
                        Some(&j) => Some(&rendered[j].ids),
                        None => {
                            let draft = match unbuilt.get(t.as_str()) {
                                // Its own error is reported already.
                                Some(false) => None,
                                Some(true) => Some(true),
                                None => Some(false),
                            };
                            problems.extend(draft.map(|draft| {
                                at(link.offset, &|| if draft {
                                    format!(
                                        "link to {:?}: content/{t} is a draft, so it is not built (pass --drafts, or remove the link)",
                                        link.written
                                    )
                                } else {
                                    format!(
                                        "link to {:?}: there is no page content/{t}",
                                        link.written
                                    )
                                })
                            }));
                            None
                        }
                    },
                };
                if let (Some(ids), Some(anchor)) = (target_ids, &link.anchor)
                    && !ids.contains(anchor)
                {
                    problems.push(at(link.offset, &|| {
                        format!(
                            "link to {:?}: the anchor #{anchor} does not exist on that page{}",
                            link.written,
                            suggest(anchor, ids)
                        )
                    }));
                }
            }
            crate::diagnostic::cap_per_file(problems)
        })
        .collect()
}

fn suggest(anchor: &str, ids: &HashSet<String>) -> String {
    let mut known: Vec<&String> = ids.iter().collect();
    known.sort();
    if known.is_empty() {
        return " (it has no headings)".to_string();
    }
    let close: Vec<&str> = known
        .iter()
        .filter(|k| k.contains(anchor) || anchor.contains(k.as_str()))
        .map(|k| k.as_str())
        .take(3)
        .collect();
    let shown: Vec<&str> = if close.is_empty() {
        known.iter().take(8).map(|k| k.as_str()).collect()
    } else {
        close
    };
    format!(": expected one of #{}", shown.join(", #"))
}

impl Site {
    /// The body of page `i` with its links pointing at their targets' URLs, relative to
    /// the page.
    pub fn body_html(&self, i: PageId) -> String {
        // `check` renders no HTML: nothing to point anywhere.
        if self.rendered[i].html.is_empty() {
            return String::new();
        }
        let prefix = root_prefix(&self.pages[i].path);
        self.body_with(i, &prefix, |j, anchor| {
            let mut href = format!("{prefix}{}", page_url(&self.pages[j].path, self.portable()));
            if let Some(a) = anchor {
                href.push('#');
                href.push_str(a);
            }
            href
        })
    }

    /// The body of page `i` inside the one-page book (at `book/`), where every page is a
    /// section with the id `anchors[j]`: links to pages of the book stay inside it, and
    /// heading ids are prefixed so that pages' ids cannot collide.
    pub fn book_body(&self, i: PageId, anchors: &HashMap<PageId, String>) -> String {
        if self.rendered[i].html.is_empty() {
            return String::new();
        }
        let own = anchors.get(&i).map_or("", String::as_str);
        let hrefs = self.hrefs(i, "../", |j, anchor| match (anchors.get(&j), anchor) {
            (Some(a), Some(anchor)) => format!("#{a}--{anchor}"),
            (Some(a), None) => format!("#{a}"),
            (None, anchor) => {
                let mut href = format!("../{}", page_url(&self.pages[j].path, self.portable()));
                if let Some(anchor) = anchor {
                    href.push('#');
                    href.push_str(anchor);
                }
                href
            }
        });
        rewrite(&self.rendered[i].html, &hrefs, Some(own))
    }

    fn body_with(
        &self,
        i: PageId,
        prefix: &str,
        href: impl Fn(PageId, Option<&str>) -> String,
    ) -> String {
        rewrite(&self.rendered[i].html, &self.hrefs(i, prefix, href), None)
    }

    /// The href of each placeholder link of page `i`: `href(target, anchor)` for pages,
    /// and the asset's path after `prefix` (the way back to the output root) for files.
    fn hrefs(
        &self,
        i: PageId,
        prefix: &str,
        href: impl Fn(PageId, Option<&str>) -> String,
    ) -> Vec<Option<String>> {
        self.rendered[i]
            .links
            .iter()
            .filter(|l| l.placeholder)
            .map(|l| {
                let target = l.target.as_deref()?;
                if l.asset {
                    let mut s = format!("{prefix}{}", url_path(target));
                    if let Some(a) = &l.anchor {
                        s.push('#');
                        s.push_str(a);
                    }
                    return Some(s);
                }
                let j = *self.by_rel.get(target)?;
                Some(href(j, l.anchor.as_deref()))
            })
            .collect()
    }
}

/// Rewrites a rendered body in one pass over its attributes: `@@briefing-link-N@@` becomes
/// the N-th resolved href and, with `id_prefix` (the book), every `id` and `#fragment` of
/// the page gets the prefix, so that pages put side by side cannot collide.
fn rewrite(html: &str, hrefs: &[Option<String>], id_prefix: Option<&str>) -> String {
    if hrefs.is_empty() && id_prefix.is_none() {
        return html.to_string();
    }
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + hrefs.len() * 16);
    let mut copied = 0;
    for at in memchr::memmem::find_iter(bytes, b"=\"") {
        let value = at + 2;
        let rest = &html[value..];
        let before = &bytes[..at];
        if let Some(after) = rest.strip_prefix(LINK_MARK) {
            let Some(end) = after.find(LINK_MARK_END) else {
                continue;
            };
            let Some(href) = after[..end]
                .parse::<usize>()
                .ok()
                .and_then(|n| hrefs.get(n))
            else {
                continue;
            };
            out.push_str(&html[copied..value]);
            out.push_str(href.as_deref().unwrap_or("#"));
            copied = value + LINK_MARK.len() + end + LINK_MARK_END.len();
        } else if let Some(prefix) = id_prefix {
            if before.ends_with(b" id") {
                out.push_str(&html[copied..value]);
                out.push_str(prefix);
                out.push_str("--");
                copied = value;
            } else if before.ends_with(b"href") && rest.starts_with('#') {
                out.push_str(&html[copied..value + 1]);
                out.push_str(prefix);
                out.push_str("--");
                copied = value + 1;
            }
        }
    }
    out.push_str(&html[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn rewrites_placeholders_ids_and_fragments_in_one_pass() {
        let html = r##"<h2 id="a">A</h2><a href="@@briefing-link-0@@">x</a><img src="@@briefing-link-1@@"><a href="#a">y</a>"##;
        let hrefs = [Some("../b/".to_string()), Some("../map.png".to_string())];
        assert_eq!(
            rewrite(html, &hrefs, None),
            r##"<h2 id="a">A</h2><a href="../b/">x</a><img src="../map.png"><a href="#a">y</a>"##
        );
        assert_eq!(
            rewrite(html, &hrefs, Some("p-x")),
            r##"<h2 id="p-x--a">A</h2><a href="../b/">x</a><img src="../map.png"><a href="#p-x--a">y</a>"##
        );
        assert_eq!(rewrite("no links", &[], None), "no links");
    }
}

/// What an edit to one Markdown file did to the site, for deciding what to re-render.
#[derive(Debug, Clone)]
pub enum PageChange {
    /// A new page, at this index.
    Added(PageId),
    /// A page gone (deleted, or turned into a draft): the page as it was.
    Removed(Box<Page>),
    /// Only the body changed; `same_links` says whether its links and heading ids are as
    /// before (so no link anywhere can have broken or healed).
    Body { index: PageId, same_links: bool },
    /// The front matter changed: the page as it was, and its index now.
    FrontMatter(Box<Page>, PageId),
    /// Nothing the build sees changed.
    Unchanged,
    /// A section's `page_kind` changed, which can change every page below it.
    NeedsFullReload,
}

impl Site {
    /// Re-reads one Markdown file of `content/` after an edit, creation or deletion.
    /// On error the previous version of the page stays in the site.
    pub fn reload_page(&mut self, rel: &str) -> Result<PageChange, Vec<Diagnostic>> {
        let abs = self.root.join("content").join(rel);
        if let Some(d) = link_out_of_site(&self.root, &abs) {
            return Err(vec![d]);
        }
        let old = self.by_rel.get(rel).copied();
        if !abs.is_file() {
            self.unbuilt.remove(rel);
            return Ok(match old {
                Some(i) => PageChange::Removed(Box::new(self.remove_at(i).0)),
                None => PageChange::Unchanged,
            });
        }
        let page_kinds: HashMap<String, Kind> = self
            .pages
            .iter()
            .filter_map(|p| p.page_kind.map(|k| (p.dir().to_string(), k)))
            .collect();
        let mut diags = Vec::new();
        let loaded = load_pages(
            &[(rel.to_string(), abs)],
            &self.config,
            &page_kinds,
            markdown::render,
            &mut diags,
        );
        let Some((page, rendered)) = loaded.into_iter().next() else {
            self.unbuilt.entry(rel.to_string()).or_insert(false);
            return Err(diags);
        };
        if page.draft && !self.options.drafts {
            self.unbuilt.insert(rel.to_string(), true);
            return Ok(match old {
                Some(i) => PageChange::Removed(Box::new(self.remove_at(i).0)),
                None => PageChange::Unchanged,
            });
        }
        self.unbuilt.remove(rel);
        match old {
            Some(i) => {
                let before = &self.pages[i];
                if before.is_section && before.page_kind != page.page_kind {
                    return Ok(PageChange::NeedsFullReload);
                }
                let same_front_matter =
                    before.text[..before.body_offset] == page.text[..page.body_offset];
                let same_body = before.body() == page.body();
                let old = &self.rendered[i];
                let same_links = old.ids == rendered.ids
                    && old.links.len() == rendered.links.len()
                    && old
                        .links
                        .iter()
                        .zip(&rendered.links)
                        .all(|(a, b)| a.target == b.target && a.anchor == b.anchor);
                let previous = std::mem::replace(&mut self.pages[i], page);
                self.rendered[i] = rendered;
                Ok(match (same_front_matter, same_body) {
                    (true, true) => PageChange::Unchanged,
                    (true, false) => PageChange::Body {
                        index: i,
                        same_links,
                    },
                    (false, _) => PageChange::FrontMatter(Box::new(previous), i),
                })
            }
            None => Ok(PageChange::Added(self.insert_page(page, rendered))),
        }
    }

    /// Takes page `i` (and its rendered body) out of the site.
    pub(crate) fn remove_at(&mut self, i: PageId) -> (Page, Rendered) {
        let page = self.pages.remove(i);
        let rendered = self.rendered.remove(i);
        // The pages after it move down one; the index is updated, not rebuilt.
        self.by_rel.remove(&page.rel);
        for at in self.by_rel.values_mut() {
            if *at > i {
                at.0 -= 1;
            }
        }
        (page, rendered)
    }

    /// Puts a page (not in the site) in its sorted place; returns its index.
    pub(crate) fn insert_page(&mut self, page: Page, rendered: Rendered) -> PageId {
        let i = self.pages.partition_point(|p| p.rel < page.rel);
        for at in self.by_rel.values_mut() {
            if *at >= i {
                at.0 += 1;
            }
        }
        self.by_rel.insert(page.rel.clone(), i);
        self.pages.insert(i, page);
        self.rendered.insert(i, rendered);
        i
    }

    /// Reloads the theme after a template edit.
    pub fn reload_templates(&mut self) -> Result<(), Vec<Diagnostic>> {
        self.templates = Templates::load(&self.root)?;
        Ok(())
    }

    /// The checks that span pages: output paths, template names, links and anchors.
    pub fn cross_page_problems(&self) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        check_paths(self.pages.as_slice(), &self.config, &mut diags);
        diags.extend(self.file_clashes());
        for p in &self.pages {
            if let Some(t) = &p.template
                && !self.templates.contains(t)
            {
                diags.push(at_front_matter_key(
                    p,
                    "template",
                    format!(
                        "template {t:?} does not exist in templates/ or the built-in theme{}",
                        self.templates.did_you_mean(t)
                    ),
                ));
            }
        }
        diags.extend(check_links(
            &self.pages,
            &self.rendered,
            &self.by_rel,
            &self.unbuilt,
            &self.assets,
        ));
        diags
    }

    /// Where the static output file `name` comes from: the site's own `static/NAME`, which
    /// replaces the built-in file of that name, or the built-in one; `None` for neither.
    /// The one rule for builds, the preview and the 404 page's inline stylesheet.
    pub fn static_source(&self, name: &str) -> Option<StaticSource> {
        if self.statics.contains(name) {
            return Some(StaticSource::Site(self.root.join("static").join(name)));
        }
        crate::templates::BUILTIN_STATIC
            .iter()
            .find(|(builtin, _)| *builtin == name)
            .map(|(_, bytes)| StaticSource::Builtin(bytes))
    }

    /// Every static output file: the site's own, then the built-in ones it does not replace.
    pub fn static_files(&self) -> impl Iterator<Item = (&str, StaticSource)> {
        let builtin = crate::templates::BUILTIN_STATIC
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !self.statics.contains(*name));
        self.statics
            .iter()
            .map(String::as_str)
            .chain(builtin)
            .filter_map(|name| Some((name, self.static_source(name)?)))
    }

    /// The site's stylesheet, which the 404 page carries inline.
    pub fn stylesheet(&self) -> Result<String, Diagnostic> {
        let css = match self.static_source("style.css") {
            Some(StaticSource::Site(path)) => std::fs::read(&path)
                .map_err(|e| Diagnostic::io(Path::new("static/style.css"), &e))?,
            Some(StaticSource::Builtin(bytes)) => bytes.to_vec(),
            None => Vec::new(),
        };
        Ok(inline_safe(&String::from_utf8_lossy(&css)))
    }

    /// The files of `content/` that a built page links to (images, PDFs…): only these are
    /// published, so a memo or backup left beside the notes never is.
    pub fn published_assets(&self) -> BTreeSet<&str> {
        self.rendered
            .iter()
            .flat_map(|r| &r.links)
            .filter(|l| l.asset)
            .filter_map(|l| l.target.as_deref())
            .filter(|t| self.assets.contains(*t))
            .collect()
    }

    /// One warning listing the files of `content/` that no built page links to.
    fn unpublished_files_warning(&self) -> Option<Diagnostic> {
        let published = self.published_assets();
        let left: Vec<&String> = self
            .assets
            .iter()
            .filter(|a| !published.contains(a.as_str()))
            .collect();
        if left.is_empty() {
            return None;
        }
        const SHOWN: usize = 10;
        let mut names: Vec<String> = left
            .iter()
            .take(SHOWN)
            .map(|a| format!("content/{a}"))
            .collect();
        if left.len() > SHOWN {
            names.push(format!("and {} more", left.len() - SHOWN));
        }
        Some(Diagnostic::warning(
            "content",
            format!(
                "{} file{} in content/ {} not published because no page links to {}: {}",
                left.len(),
                if left.len() == 1 { "" } else { "s" },
                if left.len() == 1 { "is" } else { "are" },
                if left.len() == 1 { "it" } else { "them" },
                names.join(", ")
            ),
        ))
    }

    /// Pages whose Markdown links to the page at `rel`.
    pub fn pages_linking_to(&self, rel: &str) -> Vec<PageId> {
        self.rendered
            .enumerate()
            .filter(|(_, r)| r.links.iter().any(|l| l.target.as_deref() == Some(rel)))
            .map(|(i, _)| i)
            .collect()
    }
}

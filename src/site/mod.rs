//! A site: its config, every page parsed and rendered to HTML with links resolved, and its
//! theme. `Site::load` does everything that can fail on content; `Site::build` writes.
//! The cross-page checks are in `checks` (with which source writes each output file in
//! `claims`), link rewriting for render in `links`, and reloading for `serve` in `reload`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Kind, Page};
use crate::diagnostic::{self, Diagnostic, Errors};
use crate::markdown::{self, Rendered};
use crate::pages::Pages;
use crate::paths::is_ignored;
use crate::templates::Templates;

mod checks;
mod claims;
mod links;
mod reload;

pub use reload::PageChange;

/// What is read, and how: the choices of the command line (or a caller) that change the
/// site loaded. Where and how it is written is `build::WriteOptions`.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Overrides the config's `base_url`.
    pub base_url: Option<String>,
    /// Include pages marked `draft = true`.
    pub drafts: bool,
    /// Overrides the config's `portable`.
    pub portable: Option<bool>,
    /// A release build: everything marked above this level is left out of every output.
    pub max_marking: Option<String>,
    /// Overrides the config's `pdf` (`--pdf`).
    pub pdf: Option<bool>,
    /// Loaded for the preview, which makes the outputs declared `on_request` (the PDF)
    /// only when they are asked for.
    pub preview: bool,
}

/// What a site is loaded for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Purpose {
    /// To be built: every page's body rendered to HTML.
    #[default]
    Build,
    /// To be checked (`build::Outline`): everything is rendered to find its errors and
    /// thrown away, so each page's Markdown is read for its headings, links and text
    /// without writing HTML, templates render into nothing, and outputs made by code alone
    /// (the search index, feeds), which cannot fail but by writing, are not made.
    Check,
}

/// Why a Markdown file of `content/` is not a page of this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unbuilt {
    /// `draft = true`, built only with `--drafts`: links to it are reported.
    Draft,
    /// It failed to load: its errors are reported, links to it not again.
    Failed,
    /// Marked above a release build's level (`--max-marking`), at `line` of its file (see
    /// `content::Parsed::Above`): links to it are reported.
    Above {
        level: crate::marking::Level,
        line: usize,
    },
}

/// What a build says of its markings: the highest its output shows, and, in a release
/// build, its level and everything it left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkingSummary {
    pub highest: String,
    pub release: Option<String>,
    /// Each thing left out: its file, its line where known, what it is (`page`, `measure`,
    /// `stop`, `event`, `source`, `section`) and its marking.
    pub left_out: Vec<(PathBuf, Option<usize>, &'static str, String)>,
}

impl MarkingSummary {
    /// `1 page, 2 entries and 1 section`, or `nothing`.
    pub fn left_out_counts(&self) -> String {
        let n = |what: &dyn Fn(&str) -> bool| self.left_out.iter().filter(|l| what(l.2)).count();
        let pages = n(&|w| w == "page");
        let sections = n(&|w| w == "section");
        let entries = self.left_out.len() - pages - sections;
        let counted =
            |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        let parts: Vec<String> = [
            (pages, "page", "pages"),
            (entries, "entry", "entries"),
            (sections, "section", "sections"),
        ]
        .into_iter()
        .filter(|(k, ..)| *k > 0)
        .map(|(k, one, many)| counted(k, one, many))
        .collect();
        match parts.as_slice() {
            [] => "nothing".to_string(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

/// Whether a loaded page is left out of this build as a draft (without `--drafts`). A page
/// marked above a release build's level is left out as it is read (`content::read_page`).
pub(crate) fn is_unbuilt_draft(page: &Page, drafts: bool) -> bool {
    page.draft && !drafts
}

/// Where a copied output file comes from (see `Site::copy_source`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopySource {
    /// A file of the site: under `static/`, or under `content/`.
    Site(PathBuf),
    /// The built-in theme's.
    Builtin(&'static [u8]),
}

/// A file a build copies rather than renders, named as it is in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copied<'a> {
    /// A static file: the site's `static/NAME`, or else the built-in theme's.
    Static(&'a str),
    /// A file of `content/` (an image, a PDF), published while a built page links to it.
    Content(&'a str),
}

impl Copied<'_> {
    /// Its path in the output (and under its folder of the site).
    pub fn rel(&self) -> &str {
        match self {
            Copied::Static(rel) | Copied::Content(rel) => rel,
        }
    }
}

pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    pub options: LoadOptions,
    /// Only a `Purpose::Build` site is ever built: `build::Outline` keeps the others.
    pub(crate) purpose: Purpose,
    /// Every page with its rendered body (whose links are placeholders until
    /// `body_html` substitutes them), in source-path order (so output is deterministic).
    pub pages: Pages,
    /// Markdown files that are not pages of this build, and why.
    pub unbuilt: HashMap<String, Unbuilt>,
    /// Files of `content/` that are not Markdown (images, PDFs), relative to `content/`;
    /// copied to the same place in the output.
    pub assets: BTreeSet<String>,
    /// The site's own `static/` files, relative to `static/`; copied as they are.
    pub statics: BTreeSet<String>,
    pub templates: Templates,
    pub warnings: Vec<Diagnostic>,
    /// The site in each other language of `[languages]`, in code order: its pages are
    /// the translations (`x.fr.md`) read against their originals, its config the
    /// language's (`Config::for_language`), built under its code's folder. Empty in a
    /// language's own site.
    pub translations: Vec<Site>,
    /// Every language the site is built in, this one included, the default first: what
    /// a page's language links and `hreflang` alternates point at. Empty for a site in
    /// one language.
    pub languages: Vec<Language>,
}

/// One language of a site, as pages in the others link to it.
#[derive(Debug, Clone)]
pub struct Language {
    /// Its code (`fr`), `""` for the default language.
    pub code: String,
    /// Its language tag (`fr-CA`).
    pub tag: String,
    /// Its name in itself (`Français`): the link to it says this.
    pub name: String,
    /// Its own `base_url` (`https://…/fr/`), where there is one.
    pub base_url: Option<String>,
    /// The output folder of each page in it, by source path (the original's).
    pub paths: HashMap<String, String>,
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
    /// Loads and checks everything, to be built: config, templates, every page (front
    /// matter, kind, themes, Markdown, links and anchors). All problems come back together.
    pub fn load(root: &Path, options: LoadOptions) -> Result<Site, Errors> {
        Site::load_for(root, options, Purpose::Build)
    }

    pub(crate) fn load_for(
        root: &Path,
        options: LoadOptions,
        purpose: Purpose,
    ) -> Result<Site, Errors> {
        let mut diags = Vec::new();
        let (mut config, templates) = config_and_templates(root, &mut diags)?;
        if let Some(pdf) = options.pdf {
            config.pdf = pdf;
        }
        if let Some(url) = &options.base_url {
            config.base_url = Some(url.clone());
        }
        if let Some(max) = &options.max_marking {
            config
                .set_release(max)
                .map_err(|msg| Errors(vec![Diagnostic::error(crate::config::CONFIG_FILE, msg)]))?;
        }
        let (files, assets) = walk_content(root, &mut diags);
        let statics = walk_static(root, &mut diags);
        let codes: Vec<String> = config.languages.keys().cloned().collect();
        let (files, translated) = split_translations(files, &codes);
        let (pages, unbuilt) = read_content(files, &config, &options, purpose, &mut diags);
        diags.extend(config.warnings.iter().cloned());
        let mut site = Site {
            root: root.to_path_buf(),
            config,
            options,
            purpose,
            pages,
            unbuilt,
            assets,
            statics,
            templates,
            warnings: Vec::new(),
            translations: Vec::new(),
            languages: Vec::new(),
        };
        for (code, files) in translated {
            let language = site.translation_site(&code, files, &mut diags);
            site.translations.push(language);
        }
        site.link_languages();
        diags.extend(site.cross_page_problems());
        diags.extend(site.unpublished_files_warning());
        for language in &site.translations {
            diags.extend(language.cross_page_problems());
        }
        site.keep_warnings(diags)?;
        Ok(site)
    }

    /// The site in language `code`: its translations `files` (each with the source path
    /// of its original) read against the originals, every page without its translation
    /// and every translation without its original reported into `diags`.
    fn translation_site(
        &self,
        code: &str,
        files: Vec<Translated>,
        diags: &mut Vec<Diagnostic>,
    ) -> Site {
        let config = self.config.for_language(code);
        let allow_missing = self
            .config
            .languages
            .get(code)
            .is_some_and(|l| l.allow_missing_translations);
        let page_kinds: HashMap<String, Kind> = self
            .pages
            .iter()
            .filter_map(|p| p.page_kind.map(|k| (p.dir().to_string(), k)))
            .collect();
        let render = self.purpose == Purpose::Build;
        let given: BTreeSet<&str> = files.iter().map(|t| t.original.as_str()).collect();
        for p in self.pages.iter() {
            if !given.contains(p.rel.as_str()) {
                let want = crate::translation::file_of(&p.rel, code);
                let msg = format!(
                    "this page has no translation into {} ({code}): add content/{want}, the page \
                     in that language{}",
                    config.language,
                    if allow_missing { "" } else { " (or set allow_missing_translations = true in [languages.CODE] to build without it)" }
                    .replace("CODE", code)
                );
                let d = Diagnostic::error(&p.file, msg).at_line(&p.text, 1);
                diags.push(if allow_missing {
                    Diagnostic {
                        severity: crate::diagnostic::Severity::Warning,
                        ..d
                    }
                } else {
                    d
                });
            }
        }
        type Loaded = Result<(Page, Rendered, Vec<Diagnostic>), Vec<Diagnostic>>;
        let loaded: Vec<Loaded> = files
            .par_iter()
            .filter_map(|t| {
                let file = Path::new("content").join(&t.rel);
                let original = self.pages.id_of(&t.original).map(|i| &self.pages[i]);
                let from_disk;
                let (from_file, from_text, kind) = match (original, self.unbuilt.get(&t.original)) {
                    (Some(p), _) => (p.file.clone(), p.text.as_str(), Some(p.kind)),
                    // Its original failed to load: its own errors are reported. Or a
                    // release build leaves it out: nothing of it is read, as of the
                    // original.
                    (None, Some(Unbuilt::Failed | Unbuilt::Above { .. })) => return None,
                    (None, Some(_)) => {
                        let f = Path::new("content").join(&t.original);
                        from_disk = std::fs::read(self.root.join(&f))
                            .ok()
                            .and_then(|b| String::from_utf8(b).ok())
                            .unwrap_or_default();
                        (f, from_disk.as_str(), None)
                    }
                    (None, None) => {
                        let msg = format!(
                            "this translates content/{}, which does not exist: name a translation \
                             after its original (notes/x.md → notes/x.{code}.md)",
                            t.original
                        );
                        return Some(Err(vec![Diagnostic::error(&file, msg).at_line("", 1)]));
                    }
                };
                Some((|| {
                    let bytes =
                        std::fs::read(&t.abs).map_err(|e| vec![Diagnostic::io(&file, &e)])?;
                    let text = crate::text::decode_text(&file, bytes).map_err(|d| vec![d])?;
                    let (page, warnings) = content::parse_translation(
                        &t.original,
                        &file,
                        text,
                        (&from_file, from_text),
                        &config,
                        || kind.unwrap_or_else(|| default_kind(&t.original, &page_kinds)),
                    )?;
                    let rendered = render_body(&page, &config, render);
                    let problems = body_problems(&page, &rendered);
                    if problems.is_empty() {
                        Ok((page, rendered, warnings))
                    } else {
                        Err(problems)
                    }
                })())
            })
            .collect();
        let mut ok = Vec::with_capacity(loaded.len());
        for r in loaded {
            match r {
                Ok((page, rendered, warnings)) => {
                    diags.extend(warnings);
                    ok.push((page, rendered));
                }
                Err(d) => diags.extend(d),
            }
        }
        relocate(&mut ok);
        let unbuilt: HashMap<String, Unbuilt> = files
            .iter()
            .map(|t| {
                let why = match self.unbuilt.get(&t.original) {
                    Some(above @ Unbuilt::Above { .. }) => *above,
                    _ => Unbuilt::Failed,
                };
                (t.original.clone(), why)
            })
            .collect();
        let (pages, unbuilt) = this_build(ok.into_iter(), unbuilt, self.options.drafts);
        Site {
            root: self.root.clone(),
            config,
            options: self.options.clone(),
            purpose: self.purpose,
            pages,
            unbuilt,
            assets: self.assets.clone(),
            statics: self.statics.clone(),
            templates: self.templates.clone(),
            warnings: Vec::new(),
            translations: Vec::new(),
            languages: Vec::new(),
        }
    }

    /// Tells the site and each of its languages' sites about every language (see
    /// `Site::languages`).
    fn link_languages(&mut self) {
        if self.translations.is_empty() {
            return;
        }
        let language = |site: &Site| Language {
            code: site.language_code().to_string(),
            tag: site.config.language.clone(),
            name: site.config.words.get("language_name").to_string(),
            base_url: site.config.base_url.clone(),
            paths: site
                .pages
                .iter()
                .map(|p| (p.rel.clone(), p.path.clone()))
                .collect(),
        };
        let all: Vec<Language> = std::iter::once(&*self)
            .chain(&self.translations)
            .map(language)
            .collect();
        for t in &mut self.translations {
            t.languages = all.clone();
        }
        self.languages = all;
    }

    /// This site's language's code (`""` for the default language's).
    pub fn language_code(&self) -> &str {
        self.config.translation.as_deref().unwrap_or("")
    }

    /// Fails with the errors among `diags`, sorted; with none, keeps its warnings as the
    /// site's, and says when feeds are left out for want of a `base_url`.
    fn keep_warnings(&mut self, diags: Vec<Diagnostic>) -> Result<(), Errors> {
        let (mut errors, warnings): (Vec<_>, Vec<_>) =
            diags.into_iter().partition(|d| d.is_error());
        if !errors.is_empty() {
            diagnostic::sort(&mut errors);
            return Err(Errors(errors));
        }
        self.warnings = warnings;
        if self.config.base_url.is_none() {
            self.warnings.push(Diagnostic::warning(
                crate::config::CONFIG_FILE,
                "no base_url: sitemap.xml, atom.xml and robots.txt need absolute URLs and are not written; \
                 add the address the site is published at to briefing.toml, above any table: \
                 base_url = \"https://example.org/briefing/\" (or pass --base-url URL)",
            ));
        }
        Ok(())
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
        let no_home = self.pages.front_page().is_none().then(|| {
            Diagnostic::warning(
                "content/_index.md",
                "there is no content/_index.md, so the site has no front page and every page's \
                 link to it leads nowhere: add one (a title, a summary and the bottom line)",
            )
        });
        // From the rendered bodies, so that a fix in `serve` clears its warning.
        let markdown = self.pages.with_rendered().flat_map(|(p, r)| {
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
            .chain(self.glyph_warnings())
            .collect()
    }

    /// With the PDF, one warning per page whose text has characters that no embedded font
    /// can show (Chinese names, say), naming them: printed, they would be empty boxes.
    fn glyph_warnings(&self) -> Vec<Diagnostic> {
        if !self.config.pdf {
            return Vec::new();
        }
        self.pages
            .iter()
            .filter_map(|p| {
                let missing = crate::glyphs::missing(&p.text);
                let &(_, first) = missing.first()?;
                let named: Vec<String> = missing
                    .iter()
                    .map(|&(c, _)| format!("{c} (U+{:04X})", c as u32))
                    .collect();
                Some(
                    Diagnostic::warning(
                        &p.file,
                        format!(
                            "book.pdf has no font for {}: the PDF prints {} as an empty box; \
                             write {} in Latin letters (pinyin, say), or leave {} to the web pages",
                            named.join(", "),
                            if missing.len() == 1 { "it" } else { "each" },
                            if missing.len() == 1 { "it" } else { "them" },
                            if missing.len() == 1 { "it" } else { "them" },
                        ),
                    )
                    .at_offset(&p.text, first),
                )
            })
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

    /// The highest marking any page shows (`None` without `[markings]`): what the front
    /// page, the search page and the book show, and the summary line says.
    pub fn highest_marking(&self) -> Option<crate::marking::Level> {
        self.config.markings.as_ref()?;
        self.pages.iter().filter_map(Page::shown_marking).max()
    }

    /// The markings of what this build writes, and what a release build left out; `None`
    /// without `[markings]`.
    pub fn marking_summary(&self) -> Option<MarkingSummary> {
        let markings = self.config.markings.as_ref()?;
        let highest = self.highest_marking().unwrap_or(markings.lowest());
        let mut left_out: Vec<(PathBuf, Option<usize>, &'static str, String)> = self
            .unbuilt
            .iter()
            .filter_map(|(rel, why)| match why {
                Unbuilt::Above { level, line } => Some((
                    Path::new("content").join(rel),
                    Some(*line),
                    "page",
                    markings.name(*level).to_string(),
                )),
                _ => None,
            })
            .collect();
        for p in self.pages.iter() {
            for &(what, line, l) in &p.left_out.entries {
                left_out.push((p.file.clone(), line, what, markings.name(l).to_string()));
            }
            for &(line, l) in &p.left_out.sections {
                left_out.push((
                    p.file.clone(),
                    Some(line),
                    "section",
                    markings.name(l).to_string(),
                ));
            }
        }
        left_out.sort();
        Some(MarkingSummary {
            highest: markings.name(highest).to_string(),
            release: markings.release.map(|l| markings.name(l).to_string()),
            left_out,
        })
    }

    /// Whether the site was loaded to be checked, not built (see `Purpose::Check`).
    pub fn is_outline(&self) -> bool {
        self.purpose == Purpose::Check
    }
}

/// The config and the theme. Pages are read with the config; a broken template does not
/// stop them from being checked, so its errors go into `diags` to come with theirs. A
/// broken config stops everything, with the template errors found beside it.
fn config_and_templates(
    root: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Result<(Config, Templates), Errors> {
    let config = Config::load(root);
    let templates = Templates::load(root);
    match (config, templates) {
        (Ok(c), t) => Ok((
            c,
            t.unwrap_or_else(|d| {
                diags.extend(d);
                Templates::default()
            }),
        )),
        (Err(c), t) => {
            diags.extend(c);
            diags.extend(t.err().unwrap_or_default());
            let mut diags = std::mem::take(diags);
            diagnostic::sort(&mut diags);
            Err(Errors(diags))
        }
    }
}

/// A translation of `content/`: its file, relative to `content/` and on disk, and its
/// original's source path.
struct Translated {
    rel: String,
    abs: PathBuf,
    original: String,
}

/// Each language's translations, by code.
type ByLanguage = BTreeMap<String, Vec<Translated>>;

/// The Markdown files of the default language, and each other language's translations
/// (`x.CODE.md`) by code, every configured code present.
fn split_translations(
    files: Vec<(String, PathBuf)>,
    codes: &[String],
) -> (Vec<(String, PathBuf)>, ByLanguage) {
    let mut translated: BTreeMap<String, Vec<Translated>> =
        codes.iter().map(|c| (c.clone(), Vec::new())).collect();
    let mut own = Vec::with_capacity(files.len());
    for (rel, abs) in files {
        match crate::translation::original_of(&rel, codes.iter().map(String::as_str)) {
            Some((original, code)) => {
                if let Some(list) = translated.get_mut(code) {
                    list.push(Translated { rel, abs, original });
                }
            }
            None => own.push((rel, abs)),
        }
    }
    (own, translated)
}

/// Gives a translation's pages the folders their sections name in its language: a
/// section whose `_index.fr.md` says `slug = "differends"` is at `differends/`, and so is
/// every page below it.
fn relocate(pages: &mut [(Page, Rendered)]) {
    let folders: HashMap<String, String> = pages
        .iter()
        .filter(|(p, _)| p.is_section && !p.is_front_page())
        .map(|(p, _)| {
            let own = p.path.trim_end_matches('/');
            let name = own.rsplit('/').next().unwrap_or(own);
            (p.dir().to_string(), name.to_string())
        })
        .collect();
    if folders
        .iter()
        .all(|(dir, name)| dir.rsplit('/').next() == Some(name.as_str()))
    {
        return;
    }
    for (p, _) in pages.iter_mut() {
        let mut path = String::new();
        let mut dir = String::new();
        for part in p.dir().split('/').filter(|s| !s.is_empty()) {
            if !dir.is_empty() {
                dir.push('/');
            }
            dir.push_str(part);
            path.push_str(folders.get(&dir).map_or(part, String::as_str));
            path.push('/');
        }
        if !p.is_section {
            let own = p.path.trim_end_matches('/');
            path.push_str(own.rsplit('/').next().unwrap_or(own));
            path.push('/');
        }
        p.path = path;
    }
}

/// Reads, parses and renders the Markdown `files` of `content/`. Returns the pages of this
/// build, sorted by source path, with their rendered bodies, and the files that are not
/// pages of it (see `Site::unbuilt`).
fn read_content(
    files: Vec<(String, PathBuf)>,
    config: &Config,
    options: &LoadOptions,
    purpose: Purpose,
    diags: &mut Vec<Diagnostic>,
) -> (Pages, HashMap<String, Unbuilt>) {
    // Sections first: their `page_kind` is the default kind of the pages below them.
    let (section_files, page_files): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|(rel, _)| content::is_section_file(rel));
    // `check` reads each body in outline: its headings, links and text, no HTML.
    let render = purpose == Purpose::Build;
    let sections = load_pages(&section_files, config, &HashMap::new(), render, diags);
    let page_kinds: HashMap<String, Kind> = sections
        .pages
        .iter()
        .filter_map(|(p, _)| p.page_kind.map(|k| (p.dir().to_string(), k)))
        .collect();
    let others = load_pages(&page_files, config, &page_kinds, render, diags);
    // Links to files that failed to load are not reported again; links to drafts are.
    let mut unbuilt: HashMap<String, Unbuilt> = section_files
        .iter()
        .chain(&page_files)
        .map(|(rel, _)| (rel.clone(), Unbuilt::Failed))
        .collect();
    unbuilt.extend(sections.above.into_iter().chain(others.above));
    this_build(
        sections.pages.into_iter().chain(others.pages),
        unbuilt,
        options.drafts,
    )
}

/// The loaded pages that are in this build (drafts only with `--drafts`), sorted by source
/// path. `unbuilt` starts with every Markdown file as failed to load or left out by its
/// marking; each page loaded leaves it, or stays as a draft.
fn this_build(
    loaded: impl Iterator<Item = (Page, Rendered)>,
    mut unbuilt: HashMap<String, Unbuilt>,
    drafts: bool,
) -> (Pages, HashMap<String, Unbuilt>) {
    let mut built: Vec<(Page, Rendered)> = Vec::with_capacity(unbuilt.len());
    for (page, rendered) in loaded {
        if is_unbuilt_draft(&page, drafts) {
            unbuilt.insert(page.rel.clone(), Unbuilt::Draft);
        } else {
            unbuilt.remove(&page.rel);
            built.push((page, rendered));
        }
    }
    (Pages::new(built), unbuilt)
}

/// `link_out_of_site` for `path` and for each folder between it and `root`, outermost
/// first: a file reached through a folder link out of the site is as far out of it as a
/// link of its own, and a build's walk names the outermost link.
pub fn link_out_of_site_on_the_way(root: &Path, path: &Path) -> Option<Diagnostic> {
    let mut on_the_way: Vec<&Path> = path
        .ancestors()
        .take_while(|a| *a != root && a.starts_with(root))
        .collect();
    on_the_way.reverse();
    on_the_way
        .into_iter()
        .find_map(|p| link_out_of_site(root, p))
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
                diags.push(walk_error(root, folder, &e));
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
        match web_path(root, &dir, entry.path()) {
            Ok(Some(rel)) => files.push((rel, entry.path().to_path_buf())),
            Ok(None) => {}
            Err(d) => diags.push(d),
        }
    }
    files
}

/// A folder or file of `folder` that could not be read, or a symbolic link loop.
fn walk_error(root: &Path, folder: &str, e: &walkdir::Error) -> Diagnostic {
    let path = e
        .path()
        .and_then(|p| p.strip_prefix(root).ok())
        .map_or_else(|| PathBuf::from(folder), Path::to_path_buf);
    let msg = if e.loop_ancestor().is_some() {
        "symbolic link loop: this folder links back to one of its parents".to_string()
    } else {
        format!("cannot read: {e}")
    };
    Diagnostic::error(path, msg).caused_by(e.io_error())
}

/// The path of the file `path` relative to `dir` with `/` separators, as it is published;
/// `None` if it is not under `dir`. Names that would read as paths once on the web
/// (`a\..\b`) are refused here, naming the file, rather than at write time.
fn web_path(root: &Path, dir: &Path, path: &Path) -> Result<Option<String>, Diagnostic> {
    let Ok(rel) = path.strip_prefix(dir) else {
        return Ok(None);
    };
    let shown = path.strip_prefix(root).unwrap_or(path);
    if rel
        .to_str()
        .is_some_and(|s| s.contains('\\') && std::path::MAIN_SEPARATOR != '\\')
    {
        return Err(Diagnostic::error(
            shown,
            "file name contains a backslash: rename it (backslashes are path separators on the web and on Windows)",
        ));
    }
    match rel.to_str().map(|s| s.replace('\\', "/")) {
        Some(rel) => Ok(Some(rel)),
        None => Err(Diagnostic::error(
            shown,
            "file name is not valid UTF-8: rename it",
        )),
    }
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
    html: bool,
    diags: &mut Vec<Diagnostic>,
) -> Loaded {
    // Each file read: a page, or one left out by its marking (unread past it); or errors.
    type Read = Result<(Page, Rendered), (String, Unbuilt)>;
    let results: Vec<Result<Read, Vec<Diagnostic>>> = files
        .par_iter()
        .map(|(rel, abs)| {
            let file = Path::new("content").join(rel);
            let bytes = std::fs::read(abs).map_err(|e| vec![Diagnostic::io(&file, &e)])?;
            let text = crate::text::decode_text(&file, bytes).map_err(|d| vec![d])?;
            let page = match content::read_page(rel, &file, text, config, || {
                default_kind(rel, page_kinds)
            })? {
                content::Parsed::Page(page) => *page,
                content::Parsed::Above { level, line } => {
                    return Ok(Err((rel.clone(), Unbuilt::Above { level, line })));
                }
            };
            let rendered = render_body(&page, config, html);
            let problems = body_problems(&page, &rendered);
            if problems.is_empty() {
                Ok(Ok((page, rendered)))
            } else {
                Err(problems)
            }
        })
        .collect();
    let mut loaded = Loaded {
        pages: Vec::with_capacity(results.len()),
        above: Vec::new(),
    };
    for r in results {
        match r {
            Ok(Ok(page)) => loaded.pages.push(page),
            Ok(Err(above)) => loaded.above.push(above),
            Err(d) => diags.extend(d),
        }
    }
    loaded
}

/// What `load_pages` read: the pages, and the files marked above a release build's level.
struct Loaded {
    pages: Vec<(Page, Rendered)>,
    above: Vec<(String, Unbuilt)>,
}

/// The errors found in a page's body while rendering it, each at its line.
fn body_problems(page: &Page, rendered: &Rendered) -> Vec<Diagnostic> {
    rendered
        .problems
        .iter()
        .map(|p| {
            let mut message = p.message.clone();
            if let Some(first) = p.first_at {
                let line = crate::diagnostic::line_of(&page.text, page.body_offset + first);
                message.push_str(&format!(" (first at line {line})"));
            }
            Diagnostic::error(&page.file, message)
                .at_offset(&page.text, page.body_offset + p.offset)
        })
        .collect()
}

/// A page's body rendered (in outline without `html`), its marked sections' headings
/// given their portion marks.
fn render_body(page: &Page, config: &Config, html: bool) -> Rendered {
    let names: Vec<(usize, &str)> = match &config.markings {
        Some(m) => page
            .sections
            .iter()
            .map(|&(at, l)| (at, m.name(l)))
            .collect(),
        None => Vec::new(),
    };
    let callouts = config.words.callouts();
    markdown::render_marked(page.body(), page.dir(), html, &names, &callouts)
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

impl Site {
    /// Where the static output file `name` comes from: the site's own `static/NAME`, which
    /// replaces the built-in file of that name, or the built-in one; `None` for neither.
    pub fn static_source(&self, name: &str) -> Option<CopySource> {
        if self.statics.contains(name) {
            return Some(CopySource::Site(self.root.join("static").join(name)));
        }
        crate::templates::BUILTIN_STATIC
            .iter()
            .find(|(builtin, _)| *builtin == name)
            .map(|(_, bytes)| CopySource::Builtin(bytes))
    }

    /// Where a copied file comes from now, or `None` when it is not copied: a static file
    /// from `static_source`; a content file from `content/` while it is there and a page of
    /// this build links to it (`published`, from `published_assets`). The one rule for
    /// builds, the preview and the 404 page's inline stylesheet.
    pub fn copy_source(&self, file: Copied, published: &BTreeSet<&str>) -> Option<CopySource> {
        match file {
            Copied::Static(name) => self.static_source(name),
            Copied::Content(rel) => (self.assets.contains(rel) && published.contains(rel))
                .then(|| CopySource::Site(self.root.join("content").join(rel))),
        }
    }

    /// Every file a build copies, with where it comes from: the site's static files, the
    /// built-in ones it does not replace, and the published content files.
    pub fn copies(&self) -> Vec<(Copied<'_>, CopySource)> {
        let builtin = crate::templates::BUILTIN_STATIC
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !self.statics.contains(*name));
        let published = self.published_assets();
        // A language's site shares the default's static files, at the root.
        let shares_statics = self.config.translation.is_some();
        self.statics
            .iter()
            .map(String::as_str)
            .chain(builtin)
            .filter(|_| !shares_statics)
            .map(Copied::Static)
            .chain(published.iter().map(|rel| Copied::Content(rel)))
            .filter_map(|file| Some((file, self.copy_source(file, &published)?)))
            .collect()
    }

    /// The site's stylesheet, which the 404 page carries inline.
    pub fn stylesheet(&self) -> Result<String, Diagnostic> {
        let css = match self.static_source("style.css") {
            Some(CopySource::Site(path)) => std::fs::read(&path)
                .map_err(|e| Diagnostic::io(Path::new("static/style.css"), &e))?,
            Some(CopySource::Builtin(bytes)) => bytes.to_vec(),
            None => Vec::new(),
        };
        Ok(inline_safe(&String::from_utf8_lossy(&css)))
    }

    /// The files of `content/` that a built page links to (images, PDFs…): only these are
    /// published, so a memo or backup left beside the notes never is.
    pub fn published_assets(&self) -> BTreeSet<&str> {
        self.pages
            .with_rendered()
            .flat_map(|(_, r)| &r.links)
            .filter(|l| l.asset)
            .filter_map(|l| l.target.as_deref())
            .filter(|t| self.assets.contains(*t))
            .collect()
    }
}

//! Template contexts and page rendering. Lists shared by many pages (site, themes, page
//! summaries) are converted to template values once and shared, never rebuilt per page.
//! The book is in `book`; sitemap, feed, calendar, search index and redirects in `listings`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::content::{Kind, Page, Stop};
use crate::dates;
use crate::diagnostic::Diagnostic;
use crate::markdown::Heading;
use crate::marking::Level;
use crate::output::Job;
use crate::outputs::Output;
use crate::pages::{ByPage, PageId};
use crate::paths::{folders_up, parent_folder};
use crate::site::Site;
use crate::strings::Words;
use crate::url::{absolute_url, page_url, root_prefix};

#[cfg(feature = "pdf")]
mod binder;
/// Built without the binder (`--no-default-features`, as the fuzz target is): asking for
/// the PDF is an error that says so.
#[cfg(not(feature = "pdf"))]
mod binder {
    pub(super) struct Typeset {
        pub pdf: Vec<u8>,
        pub sheets: usize,
        pub warnings: Vec<crate::diagnostic::Diagnostic>,
    }

    pub(super) fn typeset(
        _: &super::Shared,
    ) -> Result<Typeset, Vec<crate::diagnostic::Diagnostic>> {
        Err(vec![crate::diagnostic::Diagnostic::error(
            "briefing.toml",
            "this briefing was built without its `pdf` feature, so it cannot typeset book.pdf: \
             build briefing with the default features, or leave out pdf = true",
        )])
    }
}
mod book;
mod days;
mod deps;
mod feeds;
mod listings;
mod parts;

pub use book::Memo;
use book::{CheckedBook, book};
use days::{DayView, days};
pub use deps::{
    PageEdit, Selection, affected_by_newest, affected_by_page, affected_by_static,
    affected_by_template, in_navigation,
};
use listings::{alias_job, feed, search_index};

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    handling: Option<&'a str>,
    /// `handling` as a CSS string, quoted and escaped, for the printed sheets' `@page` rule.
    handling_css: Option<String>,
    base_url: Option<&'a str>,
}

#[derive(Serialize)]
struct ThemeView<'a> {
    slug: &'a str,
    name: &'a str,
    description: &'a str,
    color: &'a str,
    /// The text colour on `color`: black or white, whichever contrasts more.
    ink: &'static str,
    url: String,
}

#[derive(Serialize)]
struct NavItem<'a> {
    title: &'a str,
    url: String,
    /// The output folder; a page is "in" this item when its own path starts with it.
    path: &'a str,
}

#[derive(Serialize)]
struct Crumb<'a> {
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct StatusView<'w> {
    label: &'w str,
    css: &'static str,
}

impl StatusView<'_> {
    /// Its label in the page's language: the string `status_in_force`, and so on.
    fn of(words: &Words, status: crate::content::Status) -> StatusView<'_> {
        let key = match status {
            crate::content::Status::InForce => "status_in_force",
            crate::content::Status::Provisional => "status_provisional",
            crate::content::Status::Suspended => "status_suspended",
            crate::content::Status::Resolved => "status_resolved",
        };
        StatusView {
            label: words.get(key),
            css: status.css(),
        }
    }
}

/// A page as it appears in lists: cards, theme groups.
#[derive(Serialize)]
struct PageRef<'a> {
    title: &'a str,
    url: String,
    summary: Option<&'a str>,
    kind: &'static str,
    as_of: Option<String>,
    as_of_iso: Option<String>,
    status: Option<StatusView<'a>>,
}

/// Pages of one kind in a list (a theme page, the search page): "Trade disputes", "Notes".
#[derive(Serialize)]
struct KindGroup<'a> {
    label: &'a str,
    pages: Vec<Value>,
}

/// A page listed under a theme other than its first: a one-line link.
#[derive(Serialize)]
struct AlsoRef<'a> {
    title: &'a str,
    url: String,
    /// The name of the theme it is shown under in full.
    home: &'a str,
}

#[derive(Serialize)]
struct SourceView<'a> {
    /// Its portion mark, where it is marked above the lowest level (left out of the
    /// template value otherwise, which a site without markings then carries no more of).
    #[serde(skip_serializing_if = "Option::is_none")]
    marking: Option<&'a str>,
    /// The language of its title, where it is not the page's (left out otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<&'a str>,
    title: &'a str,
    publisher: Option<&'a str>,
    url: Option<&'a str>,
    date: Option<String>,
    date_iso: Option<String>,
}

#[derive(Serialize)]
struct EventView<'a> {
    /// Its portion mark, where it is marked above the lowest level (left out of the
    /// template value otherwise, which a site without markings then carries no more of).
    #[serde(skip_serializing_if = "Option::is_none")]
    marking: Option<&'a str>,
    date: String,
    date_iso: String,
    event: &'a str,
    page_title: &'a str,
    page_url: String,
    /// After the newest `as_of` of the book: not yet happened when it was written.
    upcoming: bool,
}

#[derive(Serialize)]
struct MeasureView<'a> {
    /// Its portion mark, where it is marked above the lowest level (left out of the
    /// template value otherwise, which a site without markings then carries no more of).
    #[serde(skip_serializing_if = "Option::is_none")]
    marking: Option<&'a str>,
    product: &'a str,
    measure: &'a str,
    rate: &'a str,
    effective: String,
    effective_iso: String,
    status: StatusView<'a>,
}

#[derive(Serialize)]
struct DisputeView<'a> {
    imposed_by: &'a str,
    affected: &'a str,
    status: StatusView<'a>,
    stake: &'a str,
    ask: &'a str,
    measures: Vec<MeasureView<'a>>,
    /// Some measure's status differs from the dispute's: the measures table shows it.
    mixed_status: bool,
}

/// The link to `book.pdf`, on every page while there is one.
#[derive(Serialize)]
struct BookPdfLink {
    url: String,
    /// "Download the book (PDF, 28 pages)".
    text: String,
    sheets: Option<usize>,
}

#[derive(Serialize)]
struct TrackerRow<'a> {
    /// Its portion mark, where it is marked above the lowest level (left out of the
    /// template value otherwise, which a site without markings then carries no more of).
    #[serde(skip_serializing_if = "Option::is_none")]
    marking: Option<&'a str>,
    product: &'a str,
    imposed_by: &'a str,
    measure: &'a str,
    rate: &'a str,
    effective: String,
    effective_iso: String,
    status: StatusView<'a>,
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct StopView<'a> {
    /// Its portion mark, where it is marked above the lowest level (left out of the
    /// template value otherwise, which a site without markings then carries no more of).
    #[serde(skip_serializing_if = "Option::is_none")]
    marking: Option<&'a str>,
    title: &'a str,
    city: Option<&'a str>,
    /// The city, or the country when the city is not known.
    locality: &'a str,
    place: String,
    country: &'a str,
    details: Option<&'a str>,
    tentative: bool,
    /// Its time of day; empty when it has none (its day says "Time to be confirmed").
    when: String,
    /// Which day of a stop over several days this listing is: "Day 2 of 3, 14–16 January 2026".
    span: Option<String>,
    glance: String,
    iso: String,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    summary: Option<&'a str>,
    kind: &'static str,
    is_section: bool,
    url: String,
    path: &'a str,
    as_of: Option<String>,
    as_of_iso: Option<String>,
    stale: bool,
    content: String,
    toc: &'a [Heading],
    sources: Vec<SourceView<'a>>,
    timeline: Vec<EventView<'a>>,
    themes: Vec<Value>,
    dispute: Option<DisputeView<'a>>,
    days: Vec<DayView<'a>>,
    /// Beside the calendar link: which of the page's stops the calendar leaves out.
    calendar_note: Option<String>,
    /// Its `[extra]` table, as written (dates as their text).
    extra: serde_json::Value,
}

/// A TOML table of the site's own data (`[extra]`) as templates see it: as written, dates
/// and times as their TOML text (`2026-01-14`).
fn extra_json(table: &toml::Table) -> serde_json::Value {
    fn value(v: &toml::Value) -> serde_json::Value {
        match v {
            toml::Value::String(s) => serde_json::Value::String(s.clone()),
            toml::Value::Integer(n) => serde_json::Value::from(*n),
            toml::Value::Float(f) => serde_json::Number::from_f64(*f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
            toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
            toml::Value::Array(a) => serde_json::Value::Array(a.iter().map(value).collect()),
            toml::Value::Table(t) => extra_json(t),
        }
    }
    serde_json::Value::Object(table.iter().map(|(k, v)| (k.clone(), value(v))).collect())
}

/// Values computed once per build and shared by every page's context.
struct Shared<'a> {
    site: &'a Site,
    /// The source path of the page at each output folder, for its links to the other
    /// languages (empty for a site in one language).
    rel_by_path: HashMap<&'a str, &'a str>,
    /// The way from this language's folder up to the output root (`../` under `fr/`).
    up_to_root: &'static str,
    /// The words of the site's language, and as templates see them (`t`).
    words: &'a Words,
    words_value: Value,
    site_value: Value,
    /// `config`: the site's `[extra]`, as `config.extra`.
    config_value: Value,
    themes_value: Value,
    /// Each theme as templates see it, by slug: made once, shared by every page under it.
    theme_values: HashMap<&'a str, Value>,
    /// Each page's list entry, same order as `site.pages`, made when first needed (a
    /// one-page rebuild should not pay for every page's).
    refs: ByPage<OnceLock<Value>>,
    /// Index of the section page of each folder.
    sections: BTreeMap<&'a str, PageId>,
    /// Top-level sections and pages, and the themes, for navigation: the same for every
    /// page (templates mark the current item by comparing paths).
    nav: Value,
    /// Which navigation item a page is in, by the first folder of its path (`disputes/`).
    nav_by_folder: HashMap<String, usize>,
    /// The rendered navigation (`partials/nav.html`) for each depth of page and current
    /// item: rendered once each, not once per page.
    nav_html: Vec<OnceLock<Result<Value, Diagnostic>>>,
    nav_len: usize,
    /// The pages and subsections listed on each section page, by section folder; made
    /// when a section page is rendered.
    children: OnceLock<HashMap<&'a str, Vec<PageId>>>,
    /// Every page in reading order, sorted once for the front page, the theme pages and
    /// the search page.
    reading_order: OnceLock<Vec<PageId>>,
    /// The dispute tracker, shown on the front page and in the book's front section.
    tracker: OnceLock<Value>,
    newest_as_of: Option<NaiveDate>,
    portable: bool,
    /// Whether `itinerary.ics` is written.
    has_calendar: bool,
    /// The highest marking the navigation shows (its pages' titles), and of every page.
    nav_marking: Option<Level>,
    site_marking: Option<Level>,
    /// The PDF's sheets, once typeset in this render (the link to it says how many).
    pdf_sheets: Option<usize>,
}

/// The navigation: the top-level sections and pages in reading order, then the list of
/// themes when there are themes.
fn nav_items(site: &Site, portable: bool) -> Vec<NavItem<'_>> {
    let mut nav: Vec<NavItem> = ordered(
        site,
        site.pages
            .enumerate()
            .filter_map(|(i, p)| in_navigation(p).then_some(i)),
    )
    .into_iter()
    .map(|i| {
        let p = &site.pages[i];
        NavItem {
            title: &p.title,
            url: page_url(&p.path, portable),
            path: &p.path,
        }
    })
    .collect();
    if !site.config.themes.is_empty() {
        nav.push(NavItem {
            title: site.config.words.get("themes"),
            url: page_url("themes/", portable),
            path: "themes/",
        });
    }
    nav
}

fn status_view<'w>(words: &'w Words, p: &Page) -> Option<StatusView<'w>> {
    p.dispute.as_ref().map(|d| StatusView::of(words, d.status))
}

/// Pages in reading order: weight, then title, then file.
fn ordered(site: &Site, idx: impl Iterator<Item = PageId>) -> Vec<PageId> {
    let mut v: Vec<PageId> = idx.collect();
    v.sort_by(|&a, &b| {
        let (a, b) = (&site.pages[a], &site.pages[b]);
        (a.weight, &a.title, &a.rel).cmp(&(b.weight, &b.title, &b.rel))
    });
    v
}

impl<'a> Shared<'a> {
    fn new(site: &'a Site) -> Shared<'a> {
        let portable = site.portable();
        let c = &site.config;
        let site_value = Value::from_serializable(&SiteView {
            title: &c.title,
            description: &c.description,
            language: &c.language,
            handling: c.handling.as_deref(),
            handling_css: c.handling.as_deref().map(css_string),
            base_url: c.base_url.as_deref(),
        });
        let themes: Vec<Value> = c
            .themes
            .iter()
            .map(|t| Value::from_serializable(&theme_view(t, portable)))
            .collect();
        let mut theme_values = HashMap::new();
        for (t, value) in c.themes.iter().zip(&themes) {
            // The first of a slug, as `Config::theme` finds it.
            theme_values
                .entry(t.slug.as_str())
                .or_insert_with(|| value.clone());
        }
        let refs = ByPage::new(&site.pages, OnceLock::new);
        let sections = site
            .pages
            .enumerate()
            .filter(|(_, p)| p.is_section)
            .map(|(i, p)| (p.dir(), i))
            .collect();
        let nav = nav_items(site, portable);
        let nav_by_folder = nav
            .iter()
            .enumerate()
            .map(|(i, item)| (item.path.to_string(), i))
            .collect();
        let max_depth = site
            .pages
            .iter()
            .map(|p| p.path.matches('/').count())
            .max()
            .unwrap_or(0)
            .max(2);
        let nav_len = nav.len();
        Shared {
            rel_by_path: if site.languages.is_empty() {
                HashMap::new()
            } else {
                site.pages
                    .iter()
                    .map(|p| (p.path.as_str(), p.rel.as_str()))
                    .collect()
            },
            up_to_root: if site.config.translation.is_some() {
                "../"
            } else {
                ""
            },
            words: &site.config.words,
            words_value: Value::from_serializable(site.config.words.table()),
            nav_by_folder,
            nav_html: (0..(max_depth + 1) * (nav_len + 1))
                .map(|_| OnceLock::new())
                .collect(),
            nav_len,
            site,
            site_value,
            config_value: Value::from_serializable(&serde_json::json!({
                "extra": extra_json(&site.config.extra)
            })),
            themes_value: Value::from(themes),
            theme_values,
            refs,
            sections,
            nav: Value::from_serializable(&nav),
            children: OnceLock::new(),
            reading_order: OnceLock::new(),
            tracker: OnceLock::new(),
            newest_as_of: site.newest_as_of(),
            portable,
            has_calendar: site.pages.iter().any(Page::in_calendar),
            // Only a site with markings walks every page's entries for them.
            nav_marking: site.config.markings.as_ref().and_then(|_| {
                let nav = site.pages.iter().filter(|p| in_navigation(p));
                nav.filter_map(|p| p.marking).max()
            }),
            site_marking: site.highest_marking(),
            pdf_sheets: None,
        }
    }

    /// The marking of an output that shows what is at `level`, and the navigation: as
    /// the banners, the printed sheets and `dcterms.accessRights` say it.
    fn insert_marking(&self, ctx: &mut Context, level: Option<Level>) {
        let Some(markings) = &self.site.config.markings else {
            return;
        };
        let level = level.max(self.nav_marking).unwrap_or(markings.lowest());
        let name = markings.name(level);
        let line = match &self.site.config.handling {
            Some(h) => format!("{name} — {h}"),
            None => name.to_string(),
        };
        ctx.insert("marking", name);
        ctx.insert("marking_css", &css_string(&line));
        ctx.insert("marking_line", &line);
    }

    fn page_ref(&self, i: PageId) -> Value {
        self.refs[i]
            .get_or_init(|| {
                let p = &self.site.pages[i];
                Value::from_serializable(&PageRef {
                    title: &p.title,
                    url: page_url(&p.path, self.portable),
                    summary: p.summary.as_deref(),
                    kind: Role::of(p).as_str(),
                    as_of: p.as_of.map(|d| dates::long(self.words, d)),
                    as_of_iso: p.as_of.map(dates::iso),
                    status: status_view(self.words, p),
                })
            })
            .clone()
    }

    fn children(&self, section_dir: &str) -> &[PageId] {
        let site = self.site;
        let children = self.children.get_or_init(|| {
            let mut children: HashMap<&str, Vec<PageId>> = HashMap::new();
            let sections: HashSet<&str> = site
                .pages
                .iter()
                .filter(|p| p.is_section)
                .map(Page::dir)
                .collect();
            for (i, p) in site.pages.enumerate() {
                if p.is_front_page() {
                    continue;
                }
                // A page belongs to the nearest section at or above its folder (a folder
                // without `_index.md` is not a section, as in Hugo); a section to the
                // nearest one above it.
                let own = if p.is_section {
                    parent_folder(p.dir())
                } else {
                    p.dir()
                };
                let parent = folders_up(own)
                    .find(|dir| dir.is_empty() || sections.contains(dir))
                    .unwrap_or("");
                children.entry(parent).or_default().push(i);
            }
            for list in children.values_mut() {
                *list = ordered(site, list.iter().copied());
            }
            children
        });
        children.get(section_dir).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The way back to the output root from a page at `path`. The 404 page is served at
    /// any missing address, so it uses the absolute `base_url` when there is one.
    fn root_for(&self, path: &str, role: Role) -> String {
        match (role, &self.site.config.base_url) {
            (Role::NotFound, Some(base)) => format!("{}/", base.trim_end_matches('/')),
            _ => root_prefix(path),
        }
    }

    /// The navigation for a page at `path` with `root`, from the cache.
    fn nav_html(&self, path: &str, root: &str) -> Result<Value, Diagnostic> {
        let depth = path.matches('/').count();
        let folder = path.split_inclusive('/').next().unwrap_or("");
        let current = self.nav_by_folder.get(folder).copied();
        let slot = depth * (self.nav_len + 1) + current.map_or(self.nav_len, |c| c);
        let render = || {
            let mut ctx = Context::new();
            ctx.insert_value("nav", self.nav.clone());
            ctx.insert("root", root);
            ctx.insert_value("t", self.words_value.clone());
            ctx.insert("current", &current);
            self.site
                .templates
                .tera
                .render("partials/nav.html", &ctx)
                .map(|html| Value::safe_string(&html))
                .map_err(|e| self.site.templates.diagnostic(&e, None))
        };
        match self.nav_html.get(slot) {
            Some(cell) if root == root_prefix(path) => cell.get_or_init(render).clone(),
            _ => render(),
        }
    }

    /// The context every template gets: site, root, nav, themes.
    fn base_context(&self, path: &str, role: Role) -> Result<Context, Diagnostic> {
        let mut ctx = Context::new();
        let root = self.root_for(path, role);
        ctx.insert_value("nav_html", self.nav_html(path, &root)?);
        ctx.insert_value("site", self.site_value.clone());
        ctx.insert_value("config", self.config_value.clone());
        ctx.insert_value("themes", self.themes_value.clone());
        ctx.insert("root", &root);
        let static_root = match (root.as_str(), self.up_to_root) {
            (_, "") => root.clone(),
            ("./", up) => up.to_string(),
            (root, up) => format!("{root}{up}"),
        };
        ctx.insert("static_root", &static_root);
        ctx.insert_value("t", self.words_value.clone());
        if !self.site.languages.is_empty() && role != Role::NotFound {
            self.insert_languages(&mut ctx, path, &root);
        }
        ctx.insert("body_kind", role.as_str());
        ctx.insert_value("nav", self.nav.clone());
        ctx.insert("current_path", path);
        ctx.insert("home_url", &page_url("", self.portable));
        let canonical = self
            .site
            .config
            .base_url
            .as_deref()
            .filter(|_| role != Role::NotFound)
            .map(|base| absolute_url(base, path));
        ctx.insert("canonical", &canonical);
        ctx.insert("has_calendar", &self.has_calendar);
        if self.site.config.pdf {
            let words = self.words;
            let text = match self.pdf_sheets {
                Some(n) => words.get("download_pdf").replace("{pages}", &n.to_string()),
                None => words.get("download_pdf_plain").to_string(),
            };
            ctx.insert(
                "book_pdf",
                &BookPdfLink {
                    url: format!("{root}book.pdf"),
                    text,
                    sheets: self.pdf_sheets,
                },
            );
        }
        // Aggregates of every page show the highest marking of all; others say their own.
        let shows_all = matches!(role, Role::Book | Role::Search | Role::Home);
        self.insert_marking(&mut ctx, self.site_marking.filter(|_| shows_all));
        Ok(ctx)
    }

    /// The page at `path` in every other language (`languages`, each linked relatively
    /// from `root`), and with a `base_url`, every language's absolute address of it
    /// (`alternates`, this one's included) and the default language's (`x_default`). A
    /// generated page (search, themes, the book) is at the same path in each language; a
    /// page without its translation leads to that language's front page.
    fn insert_languages(&self, ctx: &mut Context, path: &str, root: &str) {
        #[derive(Serialize)]
        struct LanguageLink<'l> {
            tag: &'l str,
            name: &'l str,
            url: String,
        }
        let here = self.site.language_code();
        let rel = self.rel_by_path.get(path).copied();
        let target = |l: &'a crate::site::Language| -> &str {
            match rel {
                Some(rel) => l.paths.get(rel).map_or("", String::as_str),
                None => path,
            }
        };
        let links: Vec<LanguageLink> = self
            .site
            .languages
            .iter()
            .filter(|l| l.code != here)
            .map(|l| {
                let folder = if l.code.is_empty() {
                    String::new()
                } else {
                    format!("{}/", l.code)
                };
                LanguageLink {
                    tag: &l.tag,
                    name: &l.name,
                    url: format!(
                        "{root}{}{folder}{}",
                        self.up_to_root,
                        page_url(target(l), self.portable)
                    ),
                }
            })
            .collect();
        ctx.insert("languages", &links);
        let alternates: Vec<LanguageLink> = self
            .site
            .languages
            .iter()
            .filter_map(|l| {
                Some(LanguageLink {
                    tag: &l.tag,
                    name: &l.name,
                    url: absolute_url(l.base_url.as_deref()?, target(l)),
                })
            })
            .collect();
        let x_default = alternates.first().map(|a| a.url.clone());
        ctx.insert("alternates", &alternates);
        ctx.insert("x_default", &x_default);
    }

    fn breadcrumbs(&self, page: &Page) -> Vec<Crumb<'a>> {
        let mut crumbs = Vec::new();
        let mut dir = page.dir();
        if page.is_section {
            if dir.is_empty() {
                return crumbs;
            }
            dir = parent_folder(dir);
        }
        for dir in folders_up(dir) {
            if let Some(&i) = self.sections.get(dir) {
                let s = &self.site.pages[i];
                crumbs.push(Crumb {
                    title: if dir.is_empty() {
                        self.words.get("home")
                    } else {
                        &s.title
                    },
                    url: page_url(&s.path, self.portable),
                });
            } else if dir.is_empty() {
                crumbs.push(Crumb {
                    title: self.words.get("home"),
                    url: page_url("", self.portable),
                });
            }
        }
        crumbs.reverse();
        crumbs
    }

    fn is_stale(&self, as_of: Option<NaiveDate>) -> bool {
        crate::site::is_stale(self.site.config.stale_after_days, self.newest_as_of, as_of)
    }

    /// Page `i` for its template, with `content` as its body (the page's own, or the book's).
    fn page_view(&self, i: PageId, content: String) -> PageView<'a> {
        let site = self.site;
        let p = &site.pages[i];
        let body = &site.pages.rendered(i);
        PageView {
            title: &p.title,
            summary: p.summary.as_deref(),
            kind: Role::of(p).as_str(),
            is_section: p.is_section,
            url: page_url(&p.path, self.portable),
            path: &p.path,
            as_of: p.as_of.map(|d| dates::long(self.words, d)),
            as_of_iso: p.as_of.map(dates::iso),
            stale: self.is_stale(p.as_of),
            content,
            toc: &body.toc,
            sources: p
                .sources
                .iter()
                .map(|s| SourceView {
                    marking: s.portion.as_deref(),
                    lang: s.language.as_deref().filter(|l| {
                        crate::strings::primary(l)
                            != crate::strings::primary(&self.site.config.language)
                    }),
                    title: &s.title,
                    publisher: s.publisher.as_deref(),
                    url: s.url.as_deref(),
                    date: s.date.map(|d| dates::long(self.words, d)),
                    date_iso: s.date.map(dates::iso),
                })
                .collect(),
            timeline: {
                let mut t: Vec<EventView> = p.timeline.iter().map(|e| self.event(i, e)).collect();
                t.sort_by(|a, b| a.date_iso.cmp(&b.date_iso));
                t
            },
            themes: p
                .themes
                .iter()
                .filter_map(|s| self.theme_values.get(s.as_str()).cloned())
                .collect(),
            dispute: p.dispute.as_ref().map(|d| DisputeView {
                imposed_by: &d.imposed_by,
                affected: &d.affected,
                status: StatusView::of(self.words, d.status),
                stake: &d.stake,
                ask: &d.ask,
                measures: d
                    .measures
                    .iter()
                    .map(|m| MeasureView {
                        marking: m.portion.as_deref(),
                        product: &m.product,
                        measure: &m.measure,
                        rate: &m.rate,
                        effective: dates::long(self.words, m.effective),
                        effective_iso: dates::iso(m.effective),
                        status: StatusView::of(self.words, m.status),
                    })
                    .collect(),
                mixed_status: d.measures.iter().any(|m| m.status != d.status),
            }),
            days: days(self.words, p.stops.iter()),
            calendar_note: calendar_note(self.words, p),
            extra: extra_json(&p.extra),
        }
    }

    fn event(&self, i: PageId, e: &'a crate::content::TimelineEntry) -> EventView<'a> {
        let p = &self.site.pages[i];
        EventView {
            marking: e.portion.as_deref(),
            date: dates::long(self.words, e.date),
            date_iso: dates::iso(e.date),
            event: &e.event,
            page_title: &p.title,
            page_url: page_url(&p.path, self.portable),
            upcoming: self.newest_as_of.is_some_and(|newest| e.date > newest),
        }
    }

    /// `list` (in its order) split by kind: itinerary, disputes, notes, then sections.
    fn by_kind(&self, list: &[PageId]) -> Vec<KindGroup<'a>> {
        let site = self.site;
        let group = |p: &Page| match (p.is_section, p.kind) {
            (true, _) => 3,
            (false, Kind::Itinerary) => 0,
            (false, Kind::Dispute) => 1,
            (false, Kind::Note) => 2,
        };
        ["itinerary", "trade_disputes", "notes", "sections"]
            .map(|key| self.words.get(key))
            .into_iter()
            .enumerate()
            .map(|(g, label)| KindGroup {
                label,
                pages: list
                    .iter()
                    .filter(|&&i| group(&site.pages[i]) == g)
                    .map(|&i| self.page_ref(i))
                    .collect(),
            })
            .filter(|g| !g.pages.is_empty())
            .collect()
    }

    /// The trail above a generated page: the front page, and the list of themes below it.
    fn generated_crumbs(&self, themes: bool) -> Vec<Crumb<'a>> {
        let mut crumbs = vec![Crumb {
            title: self.words.get("home"),
            url: page_url("", self.portable),
        }];
        if themes {
            crumbs.push(Crumb {
                title: self.words.get("themes"),
                url: page_url("themes/", self.portable),
            });
        }
        crumbs
    }

    /// Theme `t` as templates see it: the value made once in `new` (slugs are unique
    /// in a site that loaded).
    fn theme_value(&self, t: &crate::config::Theme) -> Value {
        self.theme_values
            .get(t.slug.as_str())
            .cloned()
            .unwrap_or_else(|| Value::from_serializable(&theme_view(t, self.portable)))
    }

    /// Every page in reading order.
    fn reading_order(&self) -> &[PageId] {
        self.reading_order
            .get_or_init(|| ordered(self.site, self.site.pages.ids()))
    }

    /// The dispute tracker: one row per measure of every dispute, in reading order.
    fn tracker(&self) -> Value {
        let site = self.site;
        let rows = || -> Vec<TrackerRow> {
            self.reading_order()
                .iter()
                .filter_map(|&i| site.pages[i].dispute.as_ref().map(|d| (i, d)))
                .flat_map(|(i, d)| {
                    let p = &site.pages[i];
                    d.measures.iter().map(move |m| TrackerRow {
                        marking: m.portion.as_deref(),
                        product: &m.product,
                        imposed_by: &d.imposed_by,
                        measure: &m.measure,
                        rate: &m.rate,
                        effective: dates::long(self.words, m.effective),
                        effective_iso: dates::iso(m.effective),
                        status: StatusView::of(self.words, m.status),
                        title: &p.title,
                        url: page_url(&p.path, self.portable),
                    })
                })
                .collect()
        };
        self.tracker
            .get_or_init(|| Value::from_serializable(&rows()))
            .clone()
    }

    /// The home page's own lists: itinerary at a glance, tracker, theme groups, timeline.
    fn index_context(&self, ctx: &mut Context) {
        let all = self.reading_order();
        self.glance(all, ctx);
        ctx.insert_value("tracker", self.tracker());
        ctx.insert_value("theme_groups", self.theme_groups(all));
        ctx.insert("timeline", &self.merged_timeline());
    }

    /// Every page's timeline in one, by date (pages in reading order where dates agree).
    fn merged_timeline(&self) -> Vec<EventView<'a>> {
        let mut timeline: Vec<EventView> = self
            .reading_order()
            .iter()
            .flat_map(|&i| self.site.pages[i].timeline.iter().map(move |e| (i, e)))
            .map(|(i, e)| self.event(i, e))
            .collect();
        timeline.sort_by(|a, b| a.date_iso.cmp(&b.date_iso));
        timeline
    }

    /// The itinerary at a glance: every stop in time order, its columns, and the link to
    /// the itinerary page; `all` is every page in reading order.
    fn glance(&self, all: &[PageId], ctx: &mut Context) {
        let site = self.site;
        let mut stops: Vec<&Stop> = all
            .iter()
            .filter(|&&i| site.pages[i].kind == Kind::Itinerary)
            .flat_map(|&i| site.pages[i].stops.iter())
            .collect();
        stops.sort_by_key(|s| s.when.sort_key());
        ctx.insert(
            "glance",
            &stops
                .iter()
                .map(|s| stop_view(self.words, s))
                .collect::<Vec<_>>(),
        );
        ctx.insert(
            "glance_cols",
            &[2, 3, 4, 6].map(|most| balanced_columns(stops.len(), most)),
        );
        ctx.insert(
            "itinerary_url",
            &all.iter()
                .find(|&&i| site.pages[i].kind == Kind::Itinerary && !site.pages[i].is_section)
                .map(|&i| page_url(&site.pages[i].path, self.portable)),
        );
    }

    /// The notes grouped by theme, in the config's order of themes: a page is shown in
    /// full under its first theme; under its other themes, as a one-line link naming the
    /// theme it is shown under. `all` is every page in reading order.
    fn theme_groups(&self, all: &[PageId]) -> Value {
        let site = self.site;
        let mut members: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        let mut also: BTreeMap<&str, Vec<AlsoRef>> = BTreeMap::new();
        for &i in all {
            let p = &site.pages[i];
            let Some((first, rest)) = p.themes.split_first() else {
                continue;
            };
            members
                .entry(first.as_str())
                .or_default()
                .push(self.page_ref(i));
            let home = site.config.theme(first).map_or(first.as_str(), |t| &t.name);
            for t in rest {
                also.entry(t.as_str()).or_default().push(AlsoRef {
                    title: &p.title,
                    url: page_url(&p.path, self.portable),
                    home,
                });
            }
        }
        let groups: Vec<Value> = site
            .config
            .themes
            .iter()
            .map(|t| {
                let mut g = BTreeMap::new();
                g.insert("theme", self.theme_value(t));
                g.insert(
                    "pages",
                    Value::from(members.remove(t.slug.as_str()).unwrap_or_default()),
                );
                g.insert(
                    "also",
                    Value::from_serializable(&also.remove(t.slug.as_str()).unwrap_or_default()),
                );
                Value::from_serializable(&g)
            })
            .collect();
        Value::from(groups)
    }
}

/// What a rendered file is: templates see it as `body_kind` (and pages as `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Home,
    Section,
    Page(Kind),
    Theme,
    NotFound,
    Search,
    Book,
}

impl Role {
    pub fn of(p: &Page) -> Role {
        match (p.is_section, p.is_front_page()) {
            (true, true) => Role::Home,
            (true, false) => Role::Section,
            (false, _) => Role::Page(p.kind),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Home => "home",
            Role::Section => "section",
            Role::Page(kind) => kind.as_str(),
            Role::Theme => "theme",
            Role::NotFound => "404",
            Role::Search => "search",
            Role::Book => "book",
        }
    }
}

fn theme_view(t: &crate::config::Theme, portable: bool) -> ThemeView<'_> {
    ThemeView {
        slug: &t.slug,
        name: &t.name,
        description: &t.description,
        color: &t.color,
        ink: ink_on(&t.color),
        url: page_url(&crate::outputs::theme_folder(&t.slug), portable),
    }
}

/// "Leaves out the 2 stops not yet dated to the day.", for an itinerary whose calendar
/// leaves some out (`When::in_calendar`).
fn calendar_note(words: &Words, p: &Page) -> Option<String> {
    let left_out = p.stops.iter().filter(|s| !s.when.in_calendar()).count();
    match left_out {
        0 => None,
        1 => Some(words.get("calendar_leaves_out_one").to_string()),
        n => Some(words.fill("calendar_leaves_out", &[("count", &n.to_string())])),
    }
}

fn stop_view<'s>(words: &Words, s: &'s Stop) -> StopView<'s> {
    StopView {
        marking: s.portion.as_deref(),
        title: &s.title,
        city: s.city.as_deref(),
        locality: s.locality(),
        place: s.place(),
        country: &s.country,
        details: s.details.as_deref(),
        tentative: s.tentative,
        when: dates::stop_when(words, s.when, s.locality()),
        span: None,
        glance: dates::glance(words, s.when),
        iso: dates::partial_iso(s.when.day()),
    }
}

/// `s` as a quoted CSS string that is safe inside a `<style>` element: quotes and
/// backslashes escaped, and `<`, `>`, `&` and control characters written as escapes.
fn css_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' | '>' | '&' => out.push_str(&format!("\\{:x} ", u32::from(c))),
            c if c.is_control() => out.push_str(&format!("\\{:x} ", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Black or white, whichever has the higher contrast (WCAG 2) on the `#rrggbb` or `#rgb`
/// colour `bg`; white for a colour it cannot read.
fn ink_on(bg: &str) -> &'static str {
    let hex = bg.trim().trim_start_matches('#');
    let channel = |s: &str| u8::from_str_radix(s, 16).ok().map(f64::from);
    let rgb = match hex.len() {
        _ if !hex.is_ascii() => (None, None, None),
        6 => (
            channel(&hex[0..2]),
            channel(&hex[2..4]),
            channel(&hex[4..6]),
        ),
        3 => (
            channel(&hex[0..1]).map(|v| v * 17.0),
            channel(&hex[1..2]).map(|v| v * 17.0),
            channel(&hex[2..3]).map(|v| v * 17.0),
        ),
        _ => (None, None, None),
    };
    let (Some(r), Some(g), Some(b)) = rgb else {
        return "#ffffff";
    };
    let lin = |c: f64| {
        let c = c / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    // Contrast with white is 1.05 / (l + 0.05), with black (l + 0.05) / 0.05.
    if 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 {
        "#ffffff"
    } else {
        "#000000"
    }
}

/// How many columns `n` cards take when at most `most` fit on a row: as few rows as `most`
/// allows, shared out evenly, so that no row is left with a lone card when a better wrap
/// exists (6 cards in at most 4 columns: 3 + 3, not 4 + 2).
fn balanced_columns(n: usize, most: usize) -> usize {
    if n == 0 || most == 0 {
        return 1;
    }
    let rows = n.div_ceil(most);
    n.div_ceil(rows)
}

/// The default template of a page.
pub fn template_of(p: &Page) -> &str {
    match (&p.template, Role::of(p)) {
        (Some(t), _) => t.as_str(),
        (None, Role::Home) => "index.html",
        (None, Role::Page(Kind::Note)) => "note.html",
        (None, Role::Page(Kind::Dispute)) => "dispute.html",
        (None, Role::Page(Kind::Itinerary)) => "itinerary.html",
        // Sections, and what has no page of its own.
        (None, _) => "section.html",
    }
}

/// What a render made: how many pages, and what it warned of that loading could not know
/// (the typesetter's words on `book.pdf`).
#[derive(Debug, Default)]
pub struct Made {
    pub pages: usize,
    /// The PDF's sheets, when it was typeset.
    pub sheets: Option<usize>,
    pub warnings: Vec<Diagnostic>,
}

/// Renders every page of the site, in parallel, handing each finished file to `sink`;
/// `memo` (the preview's) is refilled with the book as rendered. Returns what was made, or
/// every problem found.
pub fn render_all(site: &Site, memo: Option<&Memo>, sink: Sink) -> Result<Made, Vec<Diagnostic>> {
    let mut selection = Selection::all(site);
    if site.is_outline() {
        // Made by code from checked front matter: they cannot fail but by being written.
        selection.outputs.retain(|o| !o.declared().made_by_code);
    }
    render(site, &selection, memo, sink)
}

/// Where a render hands each finished file.
pub type Sink<'s> = &'s (dyn Fn(Job) -> Result<(), Diagnostic> + Sync);

/// Renders the selected outputs, in parallel, handing each finished file to `sink`;
/// `memo` (the preview's) keeps what a later render can reuse. Returns what was made, or
/// every problem found.
pub fn render(
    site: &Site,
    selection: &Selection,
    memo: Option<&Memo>,
    sink: Sink,
) -> Result<Made, Vec<Diagnostic>> {
    let mut shared = Shared::new(site);
    // First, so that the links to it can say how many pages it has. The preview makes it
    // only when asked for (`on_request`).
    let typeset = (selection.has(Output::BookPdf)
        && selection.on_request
        && Output::BookPdf
            .declared()
            .written(&site.config, &site.pages))
    .then(|| binder::typeset(&shared));
    let mut warnings = Vec::new();
    let pdf_failure = match typeset {
        Some(Ok(book)) => {
            shared.pdf_sheets = Some(book.sheets);
            warnings = book.warnings;
            sink(Job::whole(output_file(Output::BookPdf), book.pdf))
                .err()
                .map(|d| vec![d])
        }
        Some(Err(diags)) => Some(diags),
        None => None,
    };
    let shared = shared;
    let sheets = shared.pdf_sheets;
    let selected: Vec<PageId> = selection
        .pages
        .iter()
        .copied()
        .filter(|&i| site.pages.contains(i))
        .collect();
    let checked_book =
        (site.is_outline() && selection.has(Output::Book)).then(|| CheckedBook::new(&shared));
    let members = OnceLock::new();
    let tasks = generated_tasks(
        &shared,
        selection,
        &members,
        checked_book.as_ref(),
        memo,
        sink,
    );
    // Content pages and generated files all at once: the book and the listings are few
    // but large, and would otherwise run on one core after the rest.
    let (page_results, generated_results) = rayon::join(
        || {
            selected
                .par_iter()
                .map(|&i| render_page(&shared, checked_book.as_ref(), i, sink))
                .collect::<Vec<_>>()
        },
        || {
            tasks
                .par_iter()
                .map(|(page, task)| (*page, task()))
                .collect::<Vec<_>>()
        },
    );
    drop(tasks);
    let book_failure = checked_book.and_then(CheckedBook::first_failure);
    let count = selected.len()
        + generated_results
            .iter()
            .filter(|(page, r)| *page && r.is_ok())
            .count();
    let diags: Vec<Diagnostic> = page_results
        .into_iter()
        .filter_map(Result::err)
        .chain(generated_results.into_iter().filter_map(|(_, r)| r.err()))
        .chain(book_failure)
        .chain(pdf_failure.into_iter().flatten())
        .collect();
    if diags.is_empty() {
        Ok(Made {
            pages: count,
            sheets,
            warnings,
        })
    } else {
        Err(crate::templates::Templates::merge_repeats(diags))
    }
}

/// Renders template `name` into bytes, with room for `size` bytes of content beside the
/// template's own; `check` renders into nothing, since it only wants the errors.
fn render_template(
    site: &Site,
    name: &str,
    ctx: &Context,
    page: Option<&Page>,
    size: usize,
) -> Result<Vec<u8>, Diagnostic> {
    let tera = &site.templates.tera;
    let rendered = if site.is_outline() {
        tera.render_to(name, ctx, std::io::sink())
            .map(|()| Vec::new())
    } else {
        let mut out = Vec::with_capacity(size + TEMPLATE_ROOM);
        tera.render_to(name, ctx, &mut out).map(|()| out)
    };
    rendered.map_err(|e| {
        site.templates
            .diagnostic(&e, page.map(|p| p.file.as_path()))
    })
}

/// Renders template `name` into the output file `file`, handed to `sink` a part at a time
/// (`parts`), with room for `size` bytes of content beside the template's own; `check`
/// renders into nothing, since it only wants the errors, and hands on an empty file.
fn render_file(
    site: &Site,
    name: &str,
    ctx: &Context,
    page: Option<&Page>,
    (file, size): (String, usize),
    sink: Sink,
) -> Result<(), Diagnostic> {
    let tera = &site.templates.tera;
    let said = |e: tera::Error| {
        site.templates
            .diagnostic(&e, page.map(|p| p.file.as_path()))
    };
    if site.is_outline() {
        tera.render_to(name, ctx, std::io::sink()).map_err(said)?;
        return sink(Job::whole(file, Vec::new()));
    }
    let mut parts = parts::Parts::new(file, size + TEMPLATE_ROOM, sink);
    match tera.render_to(name, ctx, &mut parts) {
        Ok(()) => parts.finish(),
        Err(e) => Err(parts.failure(said(e))),
    }
}

/// What a built-in template adds around its content, about: a page's output grows once at
/// most rather than doubling its way up.
const TEMPLATE_ROOM: usize = 16 * 1024;

/// Content page `i` and the redirects of its aliases; in `check`, its section of the book
/// too (see `CheckedBook`).
fn render_page(
    shared: &Shared,
    checked_book: Option<&CheckedBook>,
    i: PageId,
    sink: Sink,
) -> Result<(), Diagnostic> {
    let site = shared.site;
    let p = &site.pages[i];
    let role = Role::of(p);
    let body = site.body_html(i);
    let size = body.len();
    let page = Value::from_serializable(&shared.page_view(i, body));
    if let Some(book) = checked_book {
        book.section(shared, i, &page);
    }
    let mut ctx = shared.base_context(&p.path, role)?;
    ctx.insert_value("page", page);
    ctx.insert("breadcrumbs", &shared.breadcrumbs(p));
    if role == Role::Home {
        shared.index_context(&mut ctx);
    }
    let mut marking = p.shown_marking();
    if p.is_section {
        let members = shared.children(p.dir());
        let values: Vec<Value> = members.iter().map(|&j| shared.page_ref(j)).collect();
        ctx.insert_value("pages", Value::from(values));
        marking = members
            .iter()
            .map(|&j| site.pages[j].shown_marking())
            .fold(marking, Option::max);
    }
    if role != Role::Home {
        shared.insert_marking(&mut ctx, marking);
    }
    let file = (String::from(p.output_file()), size);
    render_file(site, template_of(p), &ctx, Some(p), file, sink)?;
    for alias in &p.aliases {
        alias_job(site, p, alias, shared, sink)?;
    }
    Ok(())
}

/// One file to make, and whether it is a page (counted among the pages written).
type Task<'a> = (bool, Box<dyn Fn() -> Result<(), Diagnostic> + Sync + 'a>);

/// The selected generated outputs that this site writes, as tasks that can run side by
/// side: one per file, the book's sections with the book.
fn generated_tasks<'a>(
    shared: &'a Shared<'a>,
    selection: &'a Selection,
    members: &'a OnceLock<BTreeMap<&'a str, Vec<PageId>>>,
    checked_book: Option<&'a CheckedBook>,
    memo: Option<&'a Memo>,
    sink: Sink<'a>,
) -> Vec<Task<'a>> {
    let site = shared.site;
    let members = move || members.get_or_init(|| theme_members(shared));
    let mut tasks: Vec<Task<'a>> = Vec::new();
    let written = selection
        .outputs
        .iter()
        .copied()
        .filter(|o| o.declared().written(&site.config, &site.pages));
    for output in written {
        let page = output.declared().file.is_page();
        match output {
            Output::ThemePage => {
                for theme in &site.config.themes {
                    tasks.push((
                        page,
                        Box::new(move || {
                            render_templated(shared, &Templated::Theme(theme, members()), sink)
                        }),
                    ));
                }
            }
            Output::ThemeList => tasks.push((
                page,
                Box::new(move || render_templated(shared, &Templated::Themes(members()), sink)),
            )),
            Output::NotFound => tasks.push((
                page,
                Box::new(move || render_templated(shared, &Templated::NotFound, sink)),
            )),
            Output::SearchPage => tasks.push((page, Box::new(move || search_page(shared, sink)))),
            Output::SearchIndex => {
                tasks.push((page, Box::new(move || search_index(site, sink))));
            }
            Output::Book => match checked_book {
                Some(book) => tasks.push((page, Box::new(move || book.frame(shared, sink)))),
                None => tasks.push((page, Box::new(move || book(shared, None, memo, sink)))),
            },
            Output::Sitemap | Output::Atom | Output::Robots | Output::Calendar => {
                tasks.push((page, Box::new(move || feed(site, output, sink))));
            }
            // Made from one source each, by `render_page` and the copying of files; the PDF
            // before everything else, by `render`.
            Output::Page
            | Output::Alias
            | Output::StaticFile
            | Output::ContentFile
            | Output::BookPdf => {}
        }
    }
    if !selection.has(Output::Book) && !selection.book_sections.is_empty() {
        let changed = &selection.book_sections;
        tasks.push((
            true,
            Box::new(move || book(shared, Some(changed), memo, sink)),
        ));
    }
    tasks
}

/// A generated page rendered from a template of the theme.
enum Templated<'s> {
    Theme(&'s crate::config::Theme, &'s BTreeMap<&'s str, Vec<PageId>>),
    Themes(&'s BTreeMap<&'s str, Vec<PageId>>),
    NotFound,
}

/// The pages under each theme (by slug), in reading order.
fn theme_members<'a>(shared: &Shared<'a>) -> BTreeMap<&'a str, Vec<PageId>> {
    let site = shared.site;
    let mut members: BTreeMap<&str, Vec<PageId>> = BTreeMap::new();
    for &i in shared.reading_order() {
        for t in &site.pages[i].themes {
            members.entry(t.as_str()).or_default().push(i);
        }
    }
    members
}

/// A generated page's output file, template and context.
fn templated_context(
    shared: &Shared,
    job: &Templated,
) -> Result<(String, &'static str, Context), Diagnostic> {
    let site = shared.site;
    match job {
        Templated::Theme(t, members) => {
            let path = crate::outputs::theme_folder(&t.slug);
            let mut ctx = shared.base_context(&path, Role::Theme)?;
            ctx.insert_value("theme", shared.theme_value(t));
            let list = members
                .get(t.slug.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let values: Vec<Value> = list.iter().map(|&j| shared.page_ref(j)).collect();
            ctx.insert_value("pages", Value::from(values));
            ctx.insert("groups", &shared.by_kind(list));
            ctx.insert("breadcrumbs", &shared.generated_crumbs(true));
            let marking = list.iter().map(|&j| site.pages[j].shown_marking()).max();
            shared.insert_marking(&mut ctx, marking.flatten());
            // As of the newest page under the theme, as every page states its date.
            let newest = list.iter().filter_map(|&j| site.pages[j].as_of).max();
            ctx.insert("as_of", &newest.map(|d| dates::long(shared.words, d)));
            ctx.insert("as_of_iso", &newest.map(dates::iso));
            Ok((
                format!("{path}index.html"),
                template(Output::ThemePage),
                ctx,
            ))
        }
        Templated::Themes(members) => {
            let mut ctx = shared.base_context("themes/", Role::Theme)?;
            let counts: Vec<usize> = site
                .config
                .themes
                .iter()
                .map(|t| members.get(t.slug.as_str()).map_or(0, Vec::len))
                .collect();
            ctx.insert("counts", &counts);
            ctx.insert("breadcrumbs", &shared.generated_crumbs(false));
            Ok((
                output_file(Output::ThemeList).to_string(),
                template(Output::ThemeList),
                ctx,
            ))
        }
        Templated::NotFound => {
            let mut ctx = shared.base_context("", Role::NotFound)?;
            ctx.insert("inline_css", &site.stylesheet()?);
            // Served at any address in any language: it says its words in each, each in
            // its own `lang`.
            #[derive(Serialize)]
            struct InOther<'w> {
                tag: &'w str,
                folder: String,
                t: &'w std::collections::BTreeMap<String, String>,
            }
            let others: Vec<InOther> = site
                .translations
                .iter()
                .map(|l| InOther {
                    tag: &l.config.language,
                    folder: l.config.language_prefix(),
                    t: l.config.words.table(),
                })
                .collect();
            ctx.insert("other_languages", &others);
            Ok((
                output_file(Output::NotFound).to_string(),
                template(Output::NotFound),
                ctx,
            ))
        }
    }
}

fn render_templated(shared: &Shared, job: &Templated, sink: Sink) -> Result<(), Diagnostic> {
    let (file, template, ctx) = templated_context(shared, job)?;
    render_file(shared.site, template, &ctx, None, (file, 0), sink)
}

/// `search/index.html`, where the search form goes without JavaScript: every page, by kind
/// (with JavaScript, search.js shows the matches for the query above the list).
fn search_page(shared: &Shared, sink: Sink) -> Result<(), Diagnostic> {
    let site = shared.site;
    let mut ctx = shared.base_context("search/", Role::Search)?;
    let all: Vec<PageId> = shared
        .reading_order()
        .iter()
        .copied()
        .filter(|&i| !site.pages[i].is_section)
        .collect();
    ctx.insert("groups", &shared.by_kind(&all));
    ctx.insert("breadcrumbs", &shared.generated_crumbs(false));
    let file = (
        output_file(Output::SearchPage).to_string(),
        site.pages.len() * 200,
    );
    render_file(site, template(Output::SearchPage), &ctx, None, file, sink)
}

/// The template of a generated output, as declared.
fn template(output: Output) -> &'static str {
    output
        .declared()
        .templates
        .first()
        .copied()
        .unwrap_or_default()
}

/// The one file of a generated output, as declared.
fn output_file(output: Output) -> &'static str {
    output.fixed_file().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_leave_no_lone_card_where_an_even_wrap_exists() {
        assert_eq!(balanced_columns(6, 4), 3);
        assert_eq!(balanced_columns(6, 6), 6);
        assert_eq!(balanced_columns(7, 6), 4);
        assert_eq!(balanced_columns(5, 4), 3);
        assert_eq!(balanced_columns(1, 4), 1);
        assert_eq!(balanced_columns(0, 4), 1);
        for n in 1..40 {
            for most in 1..8 {
                let cols = balanced_columns(n, most);
                assert!(cols <= most && cols >= 1);
                assert_eq!(n.div_ceil(cols), n.div_ceil(most), "{n} in {most}");
            }
        }
    }

    #[test]
    fn ink_is_the_colour_with_more_contrast() {
        assert_eq!(ink_on("#9b2c2c"), "#ffffff");
        assert_eq!(ink_on("#1f4e8c"), "#ffffff");
        assert_eq!(ink_on("#f5d442"), "#000000");
        assert_eq!(ink_on("#fff"), "#000000");
        assert_eq!(ink_on("#000"), "#ffffff");
        assert_eq!(ink_on("#é1234"), "#ffffff");
        assert_eq!(ink_on("red"), "#ffffff");
    }

    #[test]
    fn css_strings_cannot_leave_their_quotes_or_the_style_element() {
        assert_eq!(css_string("UNCLASSIFIED"), "\"UNCLASSIFIED\"");
        assert_eq!(
            css_string("a\"b\\c</style>\n"),
            "\"a\\\"b\\\\c\\3c /style\\3e \\a \""
        );
    }
}

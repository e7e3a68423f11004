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
use crate::output::Job;
use crate::site::Site;
use crate::url::{page_url, root_prefix};

mod book;
mod deps;
mod feeds;
mod listings;

use book::book;
pub use deps::{
    FEED_FILES, PageEdit, Selection, affected_by_newest, affected_by_page, affected_by_static,
    affected_by_template, in_navigation,
};
use listings::{alias_job, feed_tasks, search_index};

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    handling: Option<&'a str>,
    base_url: Option<&'a str>,
}

#[derive(Serialize, Clone)]
struct ThemeView<'a> {
    slug: &'a str,
    name: &'a str,
    description: &'a str,
    color: &'a str,
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
struct StatusView {
    label: &'static str,
    css: &'static str,
}

impl StatusView {
    fn of(status: crate::content::Status) -> StatusView {
        StatusView {
            label: status.label(),
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
    status: Option<StatusView>,
}

#[derive(Serialize)]
struct SourceView<'a> {
    title: &'a str,
    publisher: Option<&'a str>,
    url: Option<&'a str>,
    date: Option<String>,
    date_iso: Option<String>,
}

#[derive(Serialize)]
struct EventView<'a> {
    date: String,
    date_iso: String,
    event: &'a str,
    page_title: &'a str,
    page_url: String,
}

#[derive(Serialize)]
struct MeasureView<'a> {
    product: &'a str,
    measure: &'a str,
    rate: &'a str,
    effective: String,
    effective_iso: String,
    status: StatusView,
}

#[derive(Serialize)]
struct DisputeView<'a> {
    imposed_by: &'a str,
    affected: &'a str,
    status: StatusView,
    stake: &'a str,
    ask: &'a str,
    measures: Vec<MeasureView<'a>>,
    /// Some measure's status differs from the dispute's: the measures table shows it.
    mixed_status: bool,
}

#[derive(Serialize)]
struct TrackerRow<'a> {
    product: &'a str,
    imposed_by: &'a str,
    measure: &'a str,
    rate: &'a str,
    effective: String,
    effective_iso: String,
    status: StatusView,
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct StopView<'a> {
    title: &'a str,
    city: Option<&'a str>,
    /// The city, or the country when the city is not known.
    locality: &'a str,
    place: String,
    country: &'a str,
    details: Option<&'a str>,
    tentative: bool,
    when: String,
    glance: String,
    iso: String,
}

#[derive(Serialize)]
struct DayView<'a> {
    heading: String,
    iso: String,
    stops: Vec<StopView<'a>>,
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
    themes: Vec<ThemeView<'a>>,
    dispute: Option<DisputeView<'a>>,
    days: Vec<DayView<'a>>,
}

/// Values computed once per build and shared by every page's context.
struct Shared<'a> {
    site: &'a Site,
    site_value: Value,
    themes_value: Value,
    /// Each page's list entry, same order as `site.pages`, made when first needed (a
    /// one-page rebuild should not pay for every page's).
    refs: Vec<OnceLock<Value>>,
    /// Index of the section page of each folder.
    sections: BTreeMap<&'a str, usize>,
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
    children: OnceLock<HashMap<&'a str, Vec<usize>>>,
    newest_as_of: Option<NaiveDate>,
    portable: bool,
    /// Whether `itinerary.ics` is written.
    has_calendar: bool,
}

fn status_view(p: &Page) -> Option<StatusView> {
    p.dispute.as_ref().map(|d| StatusView::of(d.status))
}

/// Pages in reading order: weight, then title, then file.
fn ordered(site: &Site, idx: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = idx.collect();
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
            base_url: c.base_url.as_deref(),
        });
        let themes: Vec<ThemeView> = c.themes.iter().map(|t| theme_view(t, portable)).collect();
        let refs = site.pages.iter().map(|_| OnceLock::new()).collect();
        let sections = site
            .pages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_section)
            .map(|(i, p)| (p.dir(), i))
            .collect();
        let mut nav: Vec<NavItem> = ordered(
            site,
            site.pages
                .iter()
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
                title: "Themes",
                url: page_url("themes/", portable),
                path: "themes/",
            });
        }
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
            nav_by_folder,
            nav_html: (0..(max_depth + 1) * (nav_len + 1))
                .map(|_| OnceLock::new())
                .collect(),
            nav_len,
            site,
            site_value,
            themes_value: Value::from_serializable(&themes),
            refs,
            sections,
            nav: Value::from_serializable(&nav),
            children: OnceLock::new(),
            newest_as_of: site.newest_as_of(),
            portable,
            has_calendar: site.pages.iter().any(Page::in_calendar),
        }
    }

    fn page_ref(&self, i: usize) -> Value {
        self.refs[i]
            .get_or_init(|| {
                let p = &self.site.pages[i];
                Value::from_serializable(&PageRef {
                    title: &p.title,
                    url: page_url(&p.path, self.portable),
                    summary: p.summary.as_deref(),
                    kind: kind_name(p),
                    as_of: p.as_of.map(dates::long),
                    as_of_iso: p.as_of.map(dates::iso),
                    status: status_view(p),
                })
            })
            .clone()
    }

    fn children(&self, section_dir: &str) -> &[usize] {
        let site = self.site;
        let children = self.children.get_or_init(|| {
            let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
            let sections: HashSet<&str> = site
                .pages
                .iter()
                .filter(|p| p.is_section)
                .map(Page::dir)
                .collect();
            let up = |dir: &'a str| dir.rsplit_once('/').map_or("", |(d, _)| d);
            for (i, p) in site.pages.iter().enumerate() {
                if p.rel == "_index.md" {
                    continue;
                }
                // A page belongs to the nearest section at or above its folder (a folder
                // without `_index.md` is not a section, as in Hugo); a section to the
                // nearest one above it.
                let mut parent = if p.is_section { up(p.dir()) } else { p.dir() };
                while !parent.is_empty() && !sections.contains(parent) {
                    parent = up(parent);
                }
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
    fn root_for(&self, path: &str, kind: &str) -> String {
        match (kind, &self.site.config.base_url) {
            ("404", Some(base)) => format!("{}/", base.trim_end_matches('/')),
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
    fn base_context(&self, path: &str, kind: &str) -> Result<Context, Diagnostic> {
        let mut ctx = Context::new();
        let root = self.root_for(path, kind);
        ctx.insert_value("nav_html", self.nav_html(path, &root)?);
        ctx.insert_value("site", self.site_value.clone());
        ctx.insert_value("themes", self.themes_value.clone());
        ctx.insert("root", &root);
        ctx.insert("body_kind", kind);
        ctx.insert_value("nav", self.nav.clone());
        ctx.insert("current_path", path);
        ctx.insert("home_url", &page_url("", self.portable));
        let canonical = self
            .site
            .config
            .base_url
            .as_deref()
            .filter(|_| kind != "404")
            .map(|base| {
                format!(
                    "{}/{}",
                    base.trim_end_matches('/'),
                    page_url(path, self.portable)
                )
            });
        ctx.insert("canonical", &canonical);
        ctx.insert("has_calendar", &self.has_calendar);
        Ok(ctx)
    }

    fn breadcrumbs(&self, page: &Page) -> Vec<Crumb<'a>> {
        let mut crumbs = Vec::new();
        let mut dir = page.dir();
        if page.is_section {
            if dir.is_empty() {
                return crumbs;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
        loop {
            if let Some(&i) = self.sections.get(dir) {
                let s = &self.site.pages[i];
                crumbs.push(Crumb {
                    title: if dir.is_empty() { "Home" } else { &s.title },
                    url: page_url(&s.path, self.portable),
                });
            } else if dir.is_empty() {
                crumbs.push(Crumb {
                    title: "Home",
                    url: page_url("", self.portable),
                });
            }
            if dir.is_empty() {
                break;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
        crumbs.reverse();
        crumbs
    }

    fn is_stale(&self, as_of: Option<NaiveDate>) -> bool {
        crate::site::is_stale(self.site.config.stale_after_days, self.newest_as_of, as_of)
    }

    /// Page `i` for its template, with `content` as its body (the page's own, or the book's).
    fn page_view(&self, i: usize, content: String) -> PageView<'a> {
        let site = self.site;
        let p = &site.pages[i];
        let body = &site.rendered[i];
        PageView {
            title: &p.title,
            summary: p.summary.as_deref(),
            kind: kind_name(p),
            is_section: p.is_section,
            url: page_url(&p.path, self.portable),
            path: &p.path,
            as_of: p.as_of.map(dates::long),
            as_of_iso: p.as_of.map(dates::iso),
            stale: self.is_stale(p.as_of),
            content,
            toc: &body.toc,
            sources: p
                .sources
                .iter()
                .map(|s| SourceView {
                    title: &s.title,
                    publisher: s.publisher.as_deref(),
                    url: s.url.as_deref(),
                    date: s.date.map(dates::long),
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
                .filter_map(|s| site.config.theme(s))
                .map(|t| theme_view(t, self.portable))
                .collect(),
            dispute: p.dispute.as_ref().map(|d| DisputeView {
                imposed_by: &d.imposed_by,
                affected: &d.affected,
                status: StatusView::of(d.status),
                stake: &d.stake,
                ask: &d.ask,
                measures: d
                    .measures
                    .iter()
                    .map(|m| MeasureView {
                        product: &m.product,
                        measure: &m.measure,
                        rate: &m.rate,
                        effective: dates::long(m.effective),
                        effective_iso: dates::iso(m.effective),
                        status: StatusView::of(m.status),
                    })
                    .collect(),
                mixed_status: d.measures.iter().any(|m| m.status != d.status),
            }),
            days: days(p.stops.iter()),
        }
    }

    fn event(&self, i: usize, e: &'a crate::content::TimelineEntry) -> EventView<'a> {
        let p = &self.site.pages[i];
        EventView {
            date: dates::long(e.date),
            date_iso: dates::iso(e.date),
            event: &e.event,
            page_title: &p.title,
            page_url: page_url(&p.path, self.portable),
        }
    }

    /// The home page's own lists: itinerary at a glance, tracker, theme groups, timeline.
    fn index_context(&self, ctx: &mut Context) {
        let site = self.site;
        let all: Vec<usize> = ordered(site, 0..site.pages.len());
        let mut stops: Vec<&Stop> = all
            .iter()
            .filter(|&&i| site.pages[i].kind == Kind::Itinerary)
            .flat_map(|&i| site.pages[i].stops.iter())
            .collect();
        stops.sort_by_key(|s| s.when.sort_key());
        ctx.insert(
            "glance",
            &stops.iter().map(|s| stop_view(s)).collect::<Vec<_>>(),
        );
        ctx.insert(
            "itinerary_url",
            &all.iter()
                .find(|&&i| site.pages[i].kind == Kind::Itinerary && !site.pages[i].is_section)
                .map(|&i| page_url(&site.pages[i].path, self.portable)),
        );

        let tracker: Vec<TrackerRow> = all
            .iter()
            .filter_map(|&i| site.pages[i].dispute.as_ref().map(|d| (i, d)))
            .flat_map(|(i, d)| {
                let p = &site.pages[i];
                d.measures.iter().map(move |m| TrackerRow {
                    product: &m.product,
                    imposed_by: &d.imposed_by,
                    measure: &m.measure,
                    rate: &m.rate,
                    effective: dates::long(m.effective),
                    effective_iso: dates::iso(m.effective),
                    status: StatusView::of(m.status),
                    title: &p.title,
                    url: page_url(&p.path, self.portable),
                })
            })
            .collect();
        ctx.insert("tracker", &tracker);

        let mut groups: Vec<Value> = Vec::with_capacity(site.config.themes.len());
        let mut members: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for &i in &all {
            for t in &site.pages[i].themes {
                let list = members.entry(t.as_str()).or_default();
                list.push(self.page_ref(i));
            }
        }
        for t in &site.config.themes {
            let mut g = BTreeMap::new();
            g.insert(
                "theme",
                Value::from_serializable(&theme_view(t, self.portable)),
            );
            g.insert(
                "pages",
                Value::from(members.remove(t.slug.as_str()).unwrap_or_default()),
            );
            groups.push(Value::from_serializable(&g));
        }
        ctx.insert_value("theme_groups", Value::from(groups));

        let mut timeline: Vec<EventView> = all
            .iter()
            .flat_map(|&i| site.pages[i].timeline.iter().map(move |e| (i, e)))
            .map(|(i, e)| self.event(i, e))
            .collect();
        timeline.sort_by(|a, b| a.date_iso.cmp(&b.date_iso));
        ctx.insert("timeline", &timeline);
    }
}

fn kind_name(p: &Page) -> &'static str {
    if p.is_section {
        if p.rel == "_index.md" {
            "home"
        } else {
            "section"
        }
    } else {
        p.kind.as_str()
    }
}

fn theme_view(t: &crate::config::Theme, portable: bool) -> ThemeView<'_> {
    ThemeView {
        slug: &t.slug,
        name: &t.name,
        description: &t.description,
        color: &t.color,
        url: page_url(&format!("themes/{}/", t.slug), portable),
    }
}

fn stop_view(s: &Stop) -> StopView<'_> {
    StopView {
        title: &s.title,
        city: s.city.as_deref(),
        locality: s.locality(),
        place: s.place(),
        country: &s.country,
        details: s.details.as_deref(),
        tentative: s.tentative,
        when: dates::stop_when(s.when, s.locality()),
        glance: dates::glance(s.when),
        iso: dates::partial_iso(s.when.day()),
    }
}

/// Stops in date order, whatever their order in the file, grouped by day.
fn days<'a>(stops: impl Iterator<Item = &'a Stop>) -> Vec<DayView<'a>> {
    let mut sorted: Vec<&Stop> = stops.collect();
    sorted.sort_by_key(|s| s.when.sort_key());
    let mut days: Vec<DayView> = Vec::new();
    for s in sorted {
        let day = s.when.day();
        let iso = dates::partial_iso(day);
        match days.last_mut() {
            Some(d) if d.iso == iso => d.stops.push(stop_view(s)),
            _ => days.push(DayView {
                heading: dates::day_heading(day),
                iso,
                stops: vec![stop_view(s)],
            }),
        }
    }
    days
}

/// The default template of a page.
pub fn template_of(p: &Page) -> &str {
    match (&p.template, kind_name(p)) {
        (Some(t), _) => t.as_str(),
        (None, "home") => "index.html",
        (None, "section") => "section.html",
        (None, _) => match p.kind {
            Kind::Note => "note.html",
            Kind::Dispute => "dispute.html",
            Kind::Itinerary => "itinerary.html",
        },
    }
}

/// Renders every page of the site, in parallel, handing each finished file to `sink`.
/// Returns the number of pages, or every problem found.
pub fn render_all(site: &Site, sink: Sink) -> Result<usize, Vec<Diagnostic>> {
    render(site, &Selection::all(site), sink)
}

/// Where a render hands each finished file.
pub type Sink<'s> = &'s (dyn Fn(Job) -> Result<(), Diagnostic> + Sync);

/// Renders the selected outputs, in parallel, handing each finished file to `sink`.
/// Returns the number of pages, or every problem found.
pub fn render(site: &Site, selection: &Selection, sink: Sink) -> Result<usize, Vec<Diagnostic>> {
    let shared = Shared::new(site);
    let selected: Vec<usize> = selection
        .pages
        .iter()
        .copied()
        .filter(|&i| i < site.pages.len())
        .collect();
    // Content pages, generated pages, the book and the listings all at once: the last
    // three are few but large, and would otherwise run on one core after the rest.
    let (page_results, (generated_results, listing_results)) = rayon::join(
        || {
            selected
                .par_iter()
                .map(|&i| render_page(&shared, i, sink))
                .collect::<Vec<_>>()
        },
        || {
            rayon::join(
                || {
                    generated(&shared, selection)
                        .into_par_iter()
                        .map(|job| render_generated(&shared, job, sink))
                        .collect::<Vec<_>>()
                },
                || book_and_listings(&shared, selection, sink),
            )
        },
    );
    let count = selected.len()
        + generated_results.iter().filter(|r| r.is_ok()).count()
        + usize::from(selection.book);
    let diags: Vec<Diagnostic> = page_results
        .into_iter()
        .chain(generated_results)
        .chain(listing_results)
        .filter_map(Result::err)
        .collect();
    if diags.is_empty() {
        Ok(count)
    } else {
        Err(crate::templates::Templates::merge_repeats(diags))
    }
}

fn render_template(
    site: &Site,
    name: &str,
    ctx: &Context,
    page: Option<&Page>,
) -> Result<String, Diagnostic> {
    site.templates.tera.render(name, ctx).map_err(|e| {
        site.templates
            .diagnostic(&e, page.map(|p| p.file.as_path()))
    })
}

/// Content page `i` and the redirects of its aliases.
fn render_page(shared: &Shared, i: usize, sink: Sink) -> Result<(), Diagnostic> {
    let site = shared.site;
    let p = &site.pages[i];
    let kind = kind_name(p);
    let mut ctx = shared.base_context(&p.path, kind)?;
    ctx.insert("page", &shared.page_view(i, site.body_html(i)));
    ctx.insert("breadcrumbs", &shared.breadcrumbs(p));
    if kind == "home" {
        shared.index_context(&mut ctx);
    }
    if p.is_section {
        let members = shared.children(p.dir());
        let values: Vec<Value> = members.iter().map(|&j| shared.page_ref(j)).collect();
        ctx.insert_value("pages", Value::from(values));
    }
    let html = render_template(site, template_of(p), &ctx, Some(p))?;
    sink(Job::whole(p.output_file(), html.into_bytes()))?;
    for alias in &p.aliases {
        alias_job(site, p, alias, shared, sink)?;
    }
    Ok(())
}

/// A page made from the site rather than from one file: output file, template, context.
type Generated = Result<(String, &'static str, Context), Diagnostic>;

/// The theme pages, the list of themes and the 404 page, as selected.
fn generated(shared: &Shared, selection: &Selection) -> Vec<Generated> {
    let site = shared.site;
    let mut jobs = Vec::new();
    if selection.themes && !site.config.themes.is_empty() {
        let mut members: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for i in ordered(site, 0..site.pages.len()) {
            for t in &site.pages[i].themes {
                members.entry(t.as_str()).or_default().push(i);
            }
        }
        for t in &site.config.themes {
            let path = format!("themes/{}/", t.slug);
            jobs.push(shared.base_context(&path, "theme").map(|mut ctx| {
                ctx.insert("theme", &theme_view(t, shared.portable));
                let list = members
                    .get(t.slug.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let values: Vec<Value> = list.iter().map(|&j| shared.page_ref(j)).collect();
                ctx.insert_value("pages", Value::from(values));
                (format!("{path}index.html"), "theme.html", ctx)
            }));
        }
        jobs.push(shared.base_context("themes/", "theme").map(|mut ctx| {
            let counts: Vec<usize> = site
                .config
                .themes
                .iter()
                .map(|t| members.get(t.slug.as_str()).map_or(0, Vec::len))
                .collect();
            ctx.insert("counts", &counts);
            ("themes/index.html".to_string(), "themes.html", ctx)
        }));
    }
    if selection.not_found {
        jobs.push(shared.base_context("", "404").and_then(|mut ctx| {
            ctx.insert("inline_css", &site.stylesheet()?);
            Ok(("404.html".to_string(), "404.html", ctx))
        }));
    }
    jobs
}

fn render_generated(shared: &Shared, job: Generated, sink: Sink) -> Result<(), Diagnostic> {
    let (file, template, ctx) = job?;
    let html = render_template(shared.site, template, &ctx, None)?;
    sink(Job::whole(file, html.into_bytes()))
}

/// The book, the search index and the feeds, as selected, side by side.
fn book_and_listings(
    shared: &Shared,
    selection: &Selection,
    sink: Sink,
) -> Vec<Result<(), Diagnostic>> {
    let site = shared.site;
    let mut tasks: Vec<Box<dyn Fn() -> Result<(), Diagnostic> + Sync>> = Vec::new();
    if selection.book {
        tasks.push(Box::new(|| book(site, shared, sink)));
    }
    if selection.search {
        tasks.push(Box::new(|| sink(search_index(site))));
    }
    if selection.feeds {
        tasks.extend(feed_tasks(site).into_iter().map(
            |task| -> Box<dyn Fn() -> Result<(), Diagnostic> + Sync> {
                Box::new(move || task().and_then(sink))
            },
        ));
    }
    tasks.par_iter().map(|task| task()).collect()
}

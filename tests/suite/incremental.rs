//! `serve` equals `build`: random sequences of edits to a small site, each applied through
//! the incremental path the preview uses (`watch::Session::apply`, as the watcher reports
//! the changed paths). After every step the preview's output folder must be byte for byte
//! what a fresh full build of the same tree writes; after a step that breaks the site it
//! must be unchanged, and the errors must be the ones a build reports.
//!
//! `cargo test` runs a fixed number of cases; a longer run:
//! `BRIEFING_INCREMENTAL_CASES=500 cargo test --test suite incremental`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use briefing::watch::Session;
use briefing::{LoadOptions, Outline, Site, WriteOptions};
use proptest::prelude::*;

use crate::common::snapshot;

#[derive(Debug, Clone)]
enum Body {
    Note,
    Dispute {
        status: usize,
        measure_status: Option<usize>,
    },
    Itinerary {
        stops: Vec<usize>,
    },
}

const STATUSES: &[&str] = &["in force", "provisional", "under review", "suspended"];
const DATES: &[&str] = &["2025-11-02", "2026-01-13", "2026-01-16", "2026-02-01"];
const THEMES: &[&str] = &["trade", "security"];

/// A stop of the itinerary, by number.
fn stop(n: usize) -> String {
    let (date, city, title) = [
        ("date = 2026-01-14", "Beijing", "Arrival"),
        (
            "start = 2026-01-15\nend = 2026-01-16",
            "Shanghai",
            "Business meetings",
        ),
        (
            "start = \"2026-01-14T15:00:00+08:00\"",
            "Beijing",
            "Meeting",
        ),
        ("date = \"2026-02\"", "Ottawa", "Report back"),
        ("date = \"2026\"", "New Delhi", "India visit"),
        ("date = \"TBC\"", "Doha", "Qatar visit"),
        (
            "date = 2026-07-14\nstart = \"09:30\"\nend = \"11:00\"\nzone = \"America/Toronto\"",
            "Toronto",
            "Summer briefing",
        ),
    ][n % 7];
    format!("[[stops]]\n{date}\ncity = \"{city}\"\ncountry = \"China\"\ntitle = \"{title}\"\n")
}

/// One page of the model site, written as TOML front matter and a body.
#[derive(Debug, Clone)]
struct PageModel {
    title: String,
    summary: Option<String>,
    themes: Vec<&'static str>,
    as_of: Option<&'static str>,
    weight: Option<i64>,
    draft: bool,
    slug: Option<String>,
    aliases: Vec<String>,
    timeline: Vec<(&'static str, String)>,
    /// `template = …`: any built-in template's name, most of which fail on a page's data.
    template: Option<&'static str>,
    /// `marking = …`, and a section marked at the end of the body (an error without
    /// `[markings]`, as a build says).
    marking: Option<&'static str>,
    marked_section: Option<&'static str>,
    kind: Body,
    text: String,
}

/// Every built-in template a page may name: the pages' own and the generated outputs'.
const BUILT_IN_TEMPLATES: &[&str] = &[
    "index.html",
    "note.html",
    "dispute.html",
    "itinerary.html",
    "section.html",
    "theme.html",
    "themes.html",
    "404.html",
    "search.html",
    "book.html",
    "base.html",
];

impl PageModel {
    fn note(title: &str) -> PageModel {
        PageModel {
            title: title.to_string(),
            summary: Some(format!("About {title}.")),
            themes: vec!["security"],
            as_of: Some("2026-01-13"),
            weight: None,
            draft: false,
            slug: None,
            aliases: Vec::new(),
            timeline: Vec::new(),
            template: None,
            marking: None,
            marked_section: None,
            kind: Body::Note,
            text: format!("## {title}\n\nSome words about {title}.\n"),
        }
    }

    fn render(&self) -> String {
        let mut fm = format!("title = {:?}\n", self.title);
        if let Some(s) = &self.summary {
            fm += &format!("summary = {s:?}\n");
        }
        if !self.themes.is_empty() {
            fm += &format!("themes = {:?}\n", self.themes);
        }
        if let Some(d) = self.as_of {
            fm += &format!("as_of = {d}\n");
        }
        if let Some(w) = self.weight {
            fm += &format!("weight = {w}\n");
        }
        if self.draft {
            fm += "draft = true\n";
        }
        if let Some(s) = &self.slug {
            fm += &format!("slug = {s:?}\n");
        }
        if !self.aliases.is_empty() {
            fm += &format!("aliases = {:?}\n", self.aliases);
        }
        if let Some(t) = self.template {
            fm += &format!("template = {t:?}\n");
        }
        if let Some(m) = self.marking {
            fm += &format!("marking = {m:?}\n");
        }
        match &self.kind {
            Body::Note => {}
            Body::Itinerary { stops } => {
                fm += "kind = \"itinerary\"\n";
                for &s in stops {
                    fm += &stop(s);
                }
            }
            Body::Dispute {
                status,
                measure_status,
            } => {
                fm += &format!(
                    "kind = \"dispute\"\n[dispute]\nimposed_by = \"China\"\naffected = \"Canada\"\n\
                     status = {:?}\nstake = \"C$4 billion\"\nask = \"Remove it\"\n\
                     [[dispute.measures]]\nproduct = \"Canola seed\"\nmeasure = \"Deposit\"\n\
                     rate = \"75.8%\"\neffective = 2025-08-14\n",
                    STATUSES[*status]
                );
                if let Some(m) = measure_status {
                    fm += &format!("status = {:?}\n", STATUSES[*m]);
                }
            }
        }
        for (date, event) in &self.timeline {
            fm += &format!("[[timeline]]\ndate = {date}\nevent = {event:?}\n");
        }
        let section = self
            .marked_section
            .map(|m| format!("\n## Aside {{marking={m:?}}}\n\nMarked words.\n"))
            .unwrap_or_default();
        format!("+++\n{fm}+++\n{}{section}", self.text)
    }
}

/// The whole model site: what is on disk, file by file.
#[derive(Debug, Clone)]
struct Model {
    pages: BTreeMap<String, PageModel>,
    templates: BTreeMap<String, String>,
    statics: BTreeMap<String, String>,
    assets: BTreeMap<String, String>,
    config_title: String,
    stale_after_days: Option<u32>,
    base_url: bool,
    /// A release build at PROTECTED A: `[markings]` in the config, `--max-marking`.
    release: bool,
}

/// Pages that stay, so that links to them stay good.
const KEPT: &[&str] = &["_index.md", "disputes/canola.md"];

impl Model {
    fn start() -> Model {
        let mut pages = BTreeMap::new();
        let mut home = PageModel::note("Test briefing");
        home.themes.clear();
        home.as_of = Some("2026-01-16");
        home.text = "- Bottom line, see [canola](disputes/canola.md#background).\n".into();
        pages.insert("_index.md".to_string(), home);
        let mut disputes = PageModel::note("Disputes");
        disputes.themes.clear();
        disputes.weight = Some(2);
        pages.insert("disputes/_index.md".to_string(), disputes);
        let mut canola = PageModel::note("Canola");
        canola.themes = vec!["trade"];
        canola.kind = Body::Dispute {
            status: 1,
            measure_status: None,
        };
        canola.text = "## Background\n\nText with a note.[^1]\n\n[^1]: The note.\n".into();
        canola.timeline = vec![("2025-08-14", "Deposit in force".into())];
        pages.insert("disputes/canola.md".to_string(), canola);
        let mut ev = PageModel::note("EV surtax");
        ev.themes = vec!["trade"];
        ev.kind = Body::Dispute {
            status: 0,
            measure_status: None,
        };
        pages.insert("disputes/ev.md".to_string(), ev);
        let mut detentions = PageModel::note("Detentions");
        detentions.text = "## Facts\n\nBack to [canola](../disputes/canola.md).\n".into();
        pages.insert("notes/detentions.md".to_string(), detentions);
        let mut itinerary = PageModel::note("Itinerary");
        itinerary.themes.clear();
        itinerary.weight = Some(1);
        itinerary.kind = Body::Itinerary {
            stops: vec![0, 2, 4],
        };
        pages.insert("itinerary.md".to_string(), itinerary);
        Model {
            pages,
            templates: BTreeMap::new(),
            statics: BTreeMap::new(),
            assets: BTreeMap::new(),
            config_title: "Test briefing".into(),
            stale_after_days: None,
            base_url: false,
            release: false,
        }
    }

    /// How the preview and every fresh build load this model's site.
    fn load_options(&self) -> LoadOptions {
        LoadOptions {
            max_marking: self.release.then(|| "PROTECTED A".to_string()),
            ..LoadOptions::default()
        }
    }

    fn config(&self) -> String {
        let mut c = format!(
            "title = {:?}\ndescription = \"A small site\"\nlanguage = \"en-CA\"\n",
            self.config_title
        );
        if let Some(d) = self.stale_after_days {
            c += &format!("stale_after_days = {d}\n");
        }
        if self.base_url {
            c += "base_url = \"https://briefing.example.org/\"\n";
        }
        c += "[[themes]]\nslug = \"trade\"\nname = \"Trade\"\ncolor = \"#9b2c2c\"\n\
              [[themes]]\nslug = \"security\"\nname = \"Security\"\ncolor = \"#2c5282\"\n";
        if self.release {
            c += "[markings]\n";
        }
        c
    }

    /// Every file of the site, by site-relative path.
    fn files(&self) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        files.insert("briefing.toml".to_string(), self.config());
        for (rel, p) in &self.pages {
            files.insert(format!("content/{rel}"), p.render());
        }
        for (name, t) in &self.templates {
            files.insert(format!("templates/{name}"), t.clone());
        }
        for (name, s) in &self.statics {
            files.insert(format!("static/{name}"), s.clone());
        }
        for (name, a) in &self.assets {
            files.insert(format!("content/{name}"), a.clone());
        }
        files
    }

    /// The n-th page that may be changed freely (not one of `KEPT`), if any.
    fn free_page(&self, n: usize) -> Option<String> {
        let free: Vec<&String> = self
            .pages
            .keys()
            .filter(|r| !KEPT.contains(&r.as_str()))
            .collect();
        (!free.is_empty()).then(|| free[n % free.len()].clone())
    }

    fn any_page(&self, n: usize) -> String {
        let all: Vec<&String> = self.pages.keys().collect();
        all[n % all.len()].clone()
    }
}

/// One edit an author might save.
#[derive(Debug, Clone)]
enum Edit {
    Body(usize, u8),
    Title(usize, u8),
    Summary(usize, u8),
    Themes(usize, u8),
    Status(usize, u8),
    AsOf(usize, u8),
    Weight(usize, u8),
    Draft(usize),
    /// `template =` set to a built-in template's name, or removed.
    PageTemplate(usize, u8),
    /// A page's marking set or removed, or a marked section added or removed.
    Marking(usize, u8),
    Slug(usize, u8),
    Alias(usize, u8),
    Stops(u8),
    Timeline(usize, u8),
    AddPage(u8, u8),
    DeletePage(usize),
    RenamePage(usize, u8),
    AddFolder(u8),
    DeleteFolder(u8),
    AddIndex(u8),
    RemoveIndex(u8),
    Template(u8, u8),
    Static(u8, bool),
    /// A folder of static files moved in, or away: one event for the folder.
    StaticFolder(u8),
    /// A folder of partial templates moved in, or away: one event for the folder.
    TemplateFolder(u8),
    Asset(bool),
    Config(u8),
    RenameFolder,
    /// A front-matter syntax error saved, then fixed in the next save.
    Broken(usize),
    /// A template syntax error saved, then fixed.
    BrokenTemplate,
}

fn edit() -> impl Strategy<Value = Edit> {
    let n = 0usize..64;
    let v = any::<u8>();
    prop_oneof![
        3 => (n.clone(), v).prop_map(|(a, b)| Edit::Body(a, b)),
        2 => (n.clone(), v).prop_map(|(a, b)| Edit::Title(a, b)),
        1 => (n.clone(), v).prop_map(|(a, b)| Edit::Summary(a, b)),
        1 => (n.clone(), v).prop_map(|(a, b)| Edit::Themes(a, b)),
        1 => (n.clone(), v).prop_map(|(a, b)| Edit::Status(a, b)),
        2 => (n.clone(), v).prop_map(|(a, b)| Edit::AsOf(a, b)),
        1 => (n.clone(), v).prop_map(|(a, b)| Edit::Weight(a, b)),
        1 => n.clone().prop_map(Edit::Draft),
        1 => (n.clone(), v).prop_map(|(a, b)| Edit::PageTemplate(a, b)),
        1 => (n.clone(), v).prop_map(|(a, b)| Edit::Marking(a, b)),
        1 => (n.clone(), v).prop_map(|(a, b)| Edit::Slug(a, b)),
        1 => (n.clone(), v).prop_map(|(a, b)| Edit::Alias(a, b)),
        1 => v.prop_map(Edit::Stops),
        1 => (n.clone(), v).prop_map(|(a, b)| Edit::Timeline(a, b)),
        2 => (v, v).prop_map(|(a, b)| Edit::AddPage(a, b)),
        1 => n.clone().prop_map(Edit::DeletePage),
        1 => (n.clone(), v).prop_map(|(a, b)| Edit::RenamePage(a, b)),
        1 => v.prop_map(Edit::AddFolder),
        1 => v.prop_map(Edit::DeleteFolder),
        1 => v.prop_map(Edit::AddIndex),
        1 => v.prop_map(Edit::RemoveIndex),
        1 => (v, v).prop_map(|(a, b)| Edit::Template(a, b)),
        1 => (v, any::<bool>()).prop_map(|(a, b)| Edit::Static(a, b)),
        1 => v.prop_map(Edit::StaticFolder),
        1 => v.prop_map(Edit::TemplateFolder),
        1 => any::<bool>().prop_map(Edit::Asset),
        1 => v.prop_map(Edit::Config),
        1 => Just(Edit::RenameFolder),
        1 => n.prop_map(Edit::Broken),
        1 => Just(Edit::BrokenTemplate),
    ]
}

const FOLDERS: &[&str] = &["notes", "disputes", "briefs", "notes/deep"];

/// Applies `edit` to the model; returns the site-relative paths a watcher would report
/// (a removed folder once, as a debouncer does), or `None` if the edit does not apply.
fn apply(model: &mut Model, edit: &Edit) -> Option<Vec<String>> {
    let page_path = |rel: &str| format!("content/{rel}");
    match *edit {
        Edit::Body(n, v) => {
            let rel = model.any_page(n);
            let p = model.pages.get_mut(&rel)?;
            match v % 4 {
                0 => p.text.push_str(&format!("\nAnother paragraph {v}.\n")),
                1 => p.text.push_str(&format!("\n## Heading {v}\n\nUnder it.\n")),
                2 => {
                    let up = "../".repeat(rel.matches('/').count());
                    p.text.push_str(&format!(
                        "\nSee [canola]({up}disputes/canola.md#background).\n"
                    ));
                }
                _ => p.text = format!("Short body {v}.\n"),
            }
            Some(vec![page_path(&rel)])
        }
        Edit::Title(n, v) => {
            let rel = model.any_page(n);
            model.pages.get_mut(&rel)?.title = format!("Title {}", v % 8);
            Some(vec![page_path(&rel)])
        }
        Edit::Summary(n, v) => {
            let rel = model.any_page(n);
            model.pages.get_mut(&rel)?.summary = (v % 3 != 0).then(|| format!("Summary {v}."));
            Some(vec![page_path(&rel)])
        }
        Edit::Themes(n, v) => {
            let rel = model.any_page(n);
            model.pages.get_mut(&rel)?.themes = THEMES
                .iter()
                .enumerate()
                .filter(|(i, _)| v & (1 << i) != 0)
                .map(|(_, t)| *t)
                .collect();
            Some(vec![page_path(&rel)])
        }
        Edit::Status(n, v) => {
            let rel = model.any_page(n);
            let p = model.pages.get_mut(&rel)?;
            match &mut p.kind {
                Body::Dispute {
                    status,
                    measure_status,
                } => {
                    if v % 2 == 0 {
                        *status = usize::from(v / 2) % STATUSES.len();
                    } else {
                        *measure_status =
                            (v % 3 != 0).then_some(usize::from(v / 2) % STATUSES.len());
                    }
                }
                // A note becomes a dispute.
                Body::Note if !rel.ends_with("_index.md") => {
                    p.kind = Body::Dispute {
                        status: usize::from(v) % STATUSES.len(),
                        measure_status: None,
                    }
                }
                _ => return None,
            }
            Some(vec![page_path(&rel)])
        }
        Edit::AsOf(n, v) => {
            let rel = model.any_page(n);
            model.pages.get_mut(&rel)?.as_of =
                (v % 5 != 4).then(|| DATES[usize::from(v) % DATES.len()]);
            Some(vec![page_path(&rel)])
        }
        Edit::Weight(n, v) => {
            let rel = model.any_page(n);
            model.pages.get_mut(&rel)?.weight = (v % 3 != 0).then_some(i64::from(v % 5));
            Some(vec![page_path(&rel)])
        }
        Edit::Draft(n) => {
            let rel = model.free_page(n)?;
            let p = model.pages.get_mut(&rel)?;
            p.draft = !p.draft;
            Some(vec![page_path(&rel)])
        }
        Edit::PageTemplate(n, v) => {
            let rel = model.free_page(n)?;
            let p = model.pages.get_mut(&rel)?;
            let v = usize::from(v) % (BUILT_IN_TEMPLATES.len() + 1);
            p.template = BUILT_IN_TEMPLATES.get(v).copied();
            Some(vec![page_path(&rel)])
        }
        Edit::Marking(n, v) => {
            let rel = model.any_page(n);
            let p = model.pages.get_mut(&rel)?;
            const LEVELS: [Option<&str>; 4] = [
                None,
                Some("UNCLASSIFIED"),
                Some("PROTECTED A"),
                Some("SECRET"),
            ];
            let level = LEVELS[usize::from(v / 2) % LEVELS.len()];
            if v % 2 == 0 {
                p.marking = level;
            } else {
                p.marked_section = level;
            }
            Some(vec![page_path(&rel)])
        }
        Edit::Slug(n, v) => {
            let rel = model.any_page(n);
            if rel.ends_with("_index.md") {
                return None;
            }
            model.pages.get_mut(&rel)?.slug = (v % 3 != 0).then(|| format!("slug-{}", v % 4));
            Some(vec![page_path(&rel)])
        }
        Edit::Alias(n, v) => {
            let rel = model.any_page(n);
            let p = model.pages.get_mut(&rel)?;
            if v % 3 == 0 {
                p.aliases.clear();
            } else {
                p.aliases.push(format!("old/a{}", v % 6));
                p.aliases.dedup();
            }
            Some(vec![page_path(&rel)])
        }
        Edit::Stops(v) => {
            let p = model.pages.get_mut("itinerary.md")?;
            let Body::Itinerary { stops } = &mut p.kind else {
                return None;
            };
            match v % 3 {
                0 if !stops.is_empty() => {
                    stops.remove(usize::from(v) % stops.len());
                }
                _ => stops.push(usize::from(v)),
            }
            Some(vec![page_path("itinerary.md")])
        }
        Edit::Timeline(n, v) => {
            let rel = model.any_page(n);
            let p = model.pages.get_mut(&rel)?;
            if v % 4 == 0 {
                p.timeline.clear();
            } else {
                p.timeline
                    .push((DATES[usize::from(v) % DATES.len()], format!("Event {v}")));
            }
            Some(vec![page_path(&rel)])
        }
        Edit::AddPage(f, name) => {
            let folder = FOLDERS[usize::from(f) % FOLDERS.len()];
            let rel = format!("{folder}/page-{}.md", name % 8);
            let mut page = PageModel::note(&format!("Page {}", name % 8));
            if name % 2 == 0 {
                page.themes = vec!["trade", "security"];
            }
            model.pages.insert(rel.clone(), page);
            Some(vec![page_path(&rel)])
        }
        Edit::DeletePage(n) => {
            let rel = model.free_page(n)?;
            model.pages.remove(&rel);
            Some(vec![page_path(&rel)])
        }
        Edit::RenamePage(n, v) => {
            let rel = model.free_page(n)?;
            if rel.ends_with("_index.md") {
                return None;
            }
            let folder = FOLDERS[usize::from(v) % FOLDERS.len()];
            let to = format!("{folder}/renamed-{}.md", v % 4);
            if model.pages.contains_key(&to) {
                return None;
            }
            let page = model.pages.remove(&rel)?;
            model.pages.insert(to.clone(), page);
            Some(vec![page_path(&rel), page_path(&to)])
        }
        Edit::AddFolder(v) => {
            let folder = format!("extra-{}", v % 2);
            if model.pages.contains_key(&format!("{folder}/_index.md")) {
                return None;
            }
            let mut index = PageModel::note(&format!("Extra {}", v % 2));
            index.themes.clear();
            model.pages.insert(format!("{folder}/_index.md"), index);
            model
                .pages
                .insert(format!("{folder}/one.md"), PageModel::note("One"));
            model
                .pages
                .insert(format!("{folder}/two.md"), PageModel::note("Two"));
            // A folder moved in: one event for the folder.
            Some(vec![format!("content/{folder}")])
        }
        Edit::DeleteFolder(v) => {
            let folder = ["extra-0", "extra-1", "briefs", "notes/deep"][usize::from(v) % 4];
            let prefix = format!("{folder}/");
            let before = model.pages.len();
            model.pages.retain(|rel, _| !rel.starts_with(&prefix));
            (model.pages.len() != before).then(|| vec![format!("content/{folder}")])
        }
        Edit::AddIndex(v) => {
            let folder = FOLDERS[usize::from(v) % FOLDERS.len()];
            let rel = format!("{folder}/_index.md");
            if model.pages.contains_key(&rel) {
                return None;
            }
            let mut index = PageModel::note(&format!("Section {folder}"));
            index.themes.clear();
            model.pages.insert(rel.clone(), index);
            Some(vec![page_path(&rel)])
        }
        Edit::RemoveIndex(v) => {
            let folder = FOLDERS[usize::from(v) % FOLDERS.len()];
            let rel = format!("{folder}/_index.md");
            model.pages.remove(&rel)?;
            Some(vec![page_path(&rel)])
        }
        Edit::Template(which, op) => {
            let (name, text) = [
                (
                    "note.html",
                    "{% extends \"base.html\" %}{% block main %}<article><h1>{{ page.title }}</h1>\
                     <p>Override VERSION</p>{{ page.content | safe }}</article>{% endblock main %}",
                ),
                (
                    "partials/nav.html",
                    "<nav aria-label=\"Main\"><ul>{% for item in nav %}<li><a href=\"{{ root }}{{ item.url }}\">\
                     {{ item.title }} VERSION</a></li>{% endfor %}</ul></nav>",
                ),
                (
                    "theme.html",
                    "{% extends \"base.html\" %}{% block main %}<h1>{{ theme.name }} VERSION</h1>\
                     {% for p in pages %}<p>{{ p.title }}</p>{% endfor %}{% endblock main %}",
                ),
                // An error only some pages' data reach: a note titled "One" (see AddFolder).
                (
                    "note.html",
                    "{% extends \"base.html\" %}{% block main %}<article><h1>{{ page.title }}</h1>\
                     {% if page.title == \"One\" %}{{ page.title | round }}{% endif %}\
                     <p>VERSION</p>{{ page.content | safe }}</article>{% endblock main %}",
                ),
                // The templates of generated outputs, which a page may name too.
                (
                    "404.html",
                    "{% extends \"base.html\" %}{% block main %}<h1>Not found VERSION</h1>{% endblock main %}",
                ),
                (
                    "themes.html",
                    "{% extends \"base.html\" %}{% block main %}<h1>Themes VERSION</h1>\
                     {% for t in themes %}<p>{{ t.name }}</p>{% endfor %}{% endblock main %}",
                ),
            ][usize::from(which) % 6];
            if op % 3 == 0 {
                model.templates.remove(name)?;
            } else {
                let text = text.replace("VERSION", &format!("v{}", op % 4));
                model.templates.insert(name.to_string(), text);
            }
            Some(vec![format!("templates/{name}")])
        }
        Edit::Static(which, add) => {
            // `pics/kept.txt` stays in `pics/` when the folder edit below takes its files away.
            let name =
                ["extra.txt", "style.css", "img/logo.svg", "pics/kept.txt"][usize::from(which) % 4];
            if add {
                let text = format!("/* static {which} */\n");
                model.statics.insert(name.to_string(), text);
            } else {
                model.statics.remove(name)?;
            }
            Some(vec![format!("static/{name}")])
        }
        Edit::StaticFolder(v) => {
            let prefix = "pics/";
            if model.statics.contains_key("pics/a.svg") {
                model
                    .statics
                    .retain(|k, _| !k.starts_with(prefix) || k == "pics/kept.txt");
            } else {
                model
                    .statics
                    .insert(format!("{prefix}a.svg"), format!("<svg id=\"a{v}\"/>\n"));
                model
                    .statics
                    .insert(format!("{prefix}deep/b.txt"), format!("b {v}\n"));
            }
            Some(vec!["static/pics".to_string()])
        }
        Edit::TemplateFolder(v) => {
            // The folder holds the toc partial (a note's) and maybe the nav (every page's).
            let prefix = "partials/";
            if model.templates.keys().any(|k| k.starts_with(prefix)) {
                model.templates.retain(|k, _| !k.starts_with(prefix));
            } else {
                model.templates.insert(
                    format!("{prefix}toc.html"),
                    format!("<p class=\"moved-toc\">Contents {v}</p>"),
                );
                if v % 2 == 0 {
                    model.templates.insert(
                        format!("{prefix}nav.html"),
                        "<nav aria-label=\"Main\"><ul>{% for item in nav %}<li><a href=\"{{ root }}{{ item.url }}\">\
                         {{ item.title }} moved</a></li>{% endfor %}</ul></nav>"
                            .to_string(),
                    );
                }
            }
            Some(vec!["templates/partials".to_string()])
        }
        Edit::Asset(add) => {
            // An image the detentions note shows, when both are there.
            let name = "notes/map.svg";
            if add {
                model.assets.insert(
                    name.to_string(),
                    "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n".into(),
                );
                let p = model.pages.get_mut("notes/detentions.md")?;
                if !p.text.contains("map.svg") {
                    p.text.push_str("\n![Map](map.svg)\n");
                }
                Some(vec![
                    format!("content/{name}"),
                    page_path("notes/detentions.md"),
                ])
            } else {
                model.assets.remove(name)?;
                let mut changed = vec![format!("content/{name}")];
                if let Some(p) = model.pages.get_mut("notes/detentions.md") {
                    p.text = p.text.replace("\n![Map](map.svg)\n", "");
                    changed.push(page_path("notes/detentions.md"));
                }
                Some(changed)
            }
        }
        Edit::Config(v) => {
            match v % 3 {
                0 => model.config_title = format!("Briefing {}", v % 4),
                1 => model.stale_after_days = (v % 2 == 0).then_some(30),
                _ => model.base_url = !model.base_url,
            }
            Some(vec!["briefing.toml".to_string()])
        }
        Edit::RenameFolder => {
            // `extra-0/` moved to `extra-1/` (or back): one event for each folder.
            let (from, to) = if model.pages.contains_key("extra-0/_index.md") {
                ("extra-0/", "extra-1/")
            } else {
                ("extra-1/", "extra-0/")
            };
            if model.pages.keys().any(|r| r.starts_with(to)) {
                return None;
            }
            let moved: Vec<String> = model
                .pages
                .keys()
                .filter(|r| r.starts_with(from))
                .cloned()
                .collect();
            if moved.is_empty() {
                return None;
            }
            for rel in moved {
                let page = model.pages.remove(&rel)?;
                model.pages.insert(rel.replacen(from, to, 1), page);
            }
            Some(vec![
                format!("content/{}", from.trim_end_matches('/')),
                format!("content/{}", to.trim_end_matches('/')),
            ])
        }
        Edit::Broken(_) | Edit::BrokenTemplate => None,
    }
}

/// Writes the model's files that differ from what is on disk, and removes the rest.
fn sync(root: &Path, before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) {
    for (rel, text) in after {
        if before.get(rel) != Some(text) {
            let path = root.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(&path, text).expect("write");
        }
    }
    for rel in before.keys().filter(|r| !after.contains_key(*r)) {
        let _ = std::fs::remove_file(root.join(rel));
    }
    // Folders left empty go, as an author's `rm -r` would do.
    for top in ["content", "templates", "static"] {
        remove_empty_folders(&root.join(top), true);
    }
}

fn remove_empty_folders(dir: &Path, keep: bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.path().is_dir() {
            remove_empty_folders(&e.path(), false);
        }
    }
    if !keep {
        let _ = std::fs::remove_dir(dir);
    }
}

/// What a fresh full build of the tree writes, or its errors.
fn fresh_build(root: &Path, out: &Path) -> Result<BTreeMap<PathBuf, Vec<u8>>, Vec<String>> {
    fresh_build_with(root, out, &LoadOptions::default())
}

/// `fresh_build`, loading with `options` (a release build's level).
fn fresh_build_with(
    root: &Path,
    out: &Path,
    options: &LoadOptions,
) -> Result<BTreeMap<PathBuf, Vec<u8>>, Vec<String>> {
    let _ = std::fs::remove_dir_all(out);
    let write = WriteOptions {
        output: Some(out.to_path_buf()),
        force: true,
        cancel: None,
    };
    let built = Site::load(root, options.clone()).and_then(|site| site.build(&write));
    match built {
        Ok(_) => Ok(snapshot(out)),
        Err(e) => Err(messages(&e.0)),
    }
}

fn messages(d: &[briefing::Diagnostic]) -> Vec<String> {
    let mut m: Vec<String> = d
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    m.sort();
    m.dedup();
    m
}

fn differences(
    served: &BTreeMap<PathBuf, Vec<u8>>,
    built: &BTreeMap<PathBuf, Vec<u8>>,
) -> Vec<String> {
    let mut diff = Vec::new();
    for (path, bytes) in built {
        match served.get(path) {
            None => diff.push(format!("missing from the preview: {}", path.display())),
            Some(b) if b != bytes => diff.push(format!(
                "differs: {}{}",
                path.display(),
                first_difference(b, bytes)
            )),
            Some(_) => {}
        }
    }
    for path in served.keys().filter(|p| !built.contains_key(*p)) {
        diff.push(format!("only in the preview: {}", path.display()));
    }
    diff
}

/// The first line that differs, for the failure message.
fn first_difference(served: &[u8], built: &[u8]) -> String {
    let (served, built) = (
        String::from_utf8_lossy(served),
        String::from_utf8_lossy(built),
    );
    served
        .lines()
        .zip(built.lines())
        .find(|(a, b)| a != b)
        .map(|(a, b)| format!("\n  preview: {a}\n  build:   {b}"))
        .unwrap_or_default()
}

/// Applies `edits` to the site at `root` (whose files are `model`'s, as `on_disk`), calling
/// `step` after each with a label, the paths a watcher would report and the files now on
/// disk. A broken edit is two steps: the broken save, then the fix.
fn drive(
    edits: &[Edit],
    root: &Path,
    mut model: Model,
    mut on_disk: BTreeMap<String, String>,
    step: &mut impl FnMut(String, Vec<String>, &BTreeMap<String, String>) -> Result<(), TestCaseError>,
) -> Result<(), TestCaseError> {
    for (n, edit) in edits.iter().enumerate() {
        if let Edit::Broken(p) = *edit {
            let rel = format!("content/{}", model.any_page(p));
            let text = on_disk.get(&rel).cloned().unwrap_or_default();
            std::fs::write(root.join(&rel), text.replacen("title = ", "title = = ", 1))
                .expect("write");
            step(
                format!("step {n} {edit:?} (broken)"),
                vec![rel.clone()],
                &on_disk,
            )?;
            std::fs::write(root.join(&rel), &text).expect("write");
            step(format!("step {n} {edit:?} (fixed)"), vec![rel], &on_disk)?;
            continue;
        }
        if let Edit::BrokenTemplate = edit {
            let rel = "templates/partials/toc.html";
            let path = root.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(&path, "{% if %}broken").expect("write");
            step(
                format!("step {n} {edit:?} (broken)"),
                vec![rel.into()],
                &on_disk,
            )?;
            // Fixed: back to the model's override (a folder of partials may hold one), or
            // none.
            match on_disk.get(rel) {
                Some(text) => std::fs::write(&path, text).expect("write"),
                None => std::fs::remove_file(&path).expect("remove"),
            }
            step(
                format!("step {n} {edit:?} (fixed)"),
                vec![rel.into()],
                &on_disk,
            )?;
            continue;
        }
        let Some(changed) = apply(&mut model, edit) else {
            continue;
        };
        let files = model.files();
        sync(root, &on_disk, &files);
        on_disk = files;
        step(format!("step {n} {edit:?}"), changed, &on_disk)?;
    }
    Ok(())
}

/// A fixed sequence of edits through `run_case`, failing the test with its message.
fn replay(edits: &[Edit]) {
    if let Err(e) = run_case(edits) {
        panic!("{e}");
    }
}

fn run_case(edits: &[Edit]) -> Result<(), TestCaseError> {
    run_case_of(Model::start(), edits)
}

/// `run_case` over the model as a release build at PROTECTED A: `[markings]` in its
/// config, and the preview and every fresh build with `--max-marking "PROTECTED A"`.
fn run_release_case(edits: &[Edit]) -> Result<(), TestCaseError> {
    run_case_of(
        Model {
            release: true,
            ..Model::start()
        },
        edits,
    )
}

fn run_case_of(model: Model, edits: &[Edit]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("site");
    let out = dir.path().join("preview");
    let fresh = dir.path().join("fresh");
    let options = model.load_options();
    let mut on_disk = BTreeMap::new();
    sync(&root, &on_disk, &model.files());
    on_disk = model.files();
    let (mut session, first) = Session::start(&root, options.clone(), &out);
    prop_assert!(first.ok(), "the first build failed: {:?}", first.errors);
    let mut last_good = snapshot(&out);
    prop_assert_eq!(
        &last_good,
        &fresh_build_with(&root, &fresh, &options).expect("fresh build")
    );

    // Every third step leaves what a body edit deferred (the book, the search index)
    // unwritten, as when the next save comes before `finish`: that output is not compared,
    // and the next rebuild must write it.
    let mut calls = 0usize;
    let mut unfinished = false;
    let mut step = |label: String, changed: Vec<String>, on_disk: &BTreeMap<String, String>| {
        let paths: Vec<PathBuf> = changed.iter().map(|r| root.join(r)).collect();
        let report = session.apply(&paths);
        calls += 1;
        let late = if calls.is_multiple_of(3) {
            None
        } else {
            session.finish()
        };
        if let Some(late) = &late {
            prop_assert!(
                late.ok(),
                "{label}: the deferred outputs failed: {:?}",
                late.errors
            );
        }
        let served = snapshot(&out);
        match fresh_build_with(&root, &fresh, &options) {
            Ok(built) => {
                if let Some(r) = &report {
                    prop_assert!(r.ok(), "{label}: the preview failed: {:?}", r.errors);
                }
                if calls.is_multiple_of(3) {
                    unfinished = true;
                    return Ok(());
                }
                unfinished = false;
                let diff = differences(&served, &built);
                prop_assert!(
                    diff.is_empty(),
                    "{label}: the preview differs from a fresh build:\n{}\nfiles: {:?}",
                    diff.join("\n"),
                    on_disk.keys().collect::<Vec<_>>()
                );
                last_good = served;
            }
            Err(errors) => {
                // No report: nothing of the site changed, and the errors shown stand.
                let shown = match report {
                    Some(r) => {
                        prop_assert!(!r.ok(), "{label}: build fails but the preview succeeded");
                        r.errors
                    }
                    None => session.errors(),
                };
                prop_assert_eq!(messages(&shown), errors, "{}: errors differ", label);
                prop_assert!(
                    unfinished || differences(&served, &last_good).is_empty(),
                    "{label}: a failed rebuild changed the output"
                );
            }
        }
        Ok(())
    };

    drive(edits, &root, model, on_disk, &mut step)
}

proptest! {
    #![proptest_config(crate::common::property_config("BRIEFING_INCREMENTAL_CASES", 24))]

    #[test]
    fn serve_equals_build_after_every_edit(edits in prop::collection::vec(edit(), 1..12)) {
        run_case(&edits)?;
    }

    /// The same for `serve --max-marking`: the preview is the release build.
    #[test]
    fn serve_equals_the_release_build_after_every_edit(
        edits in prop::collection::vec(edit(), 1..12)
    ) {
        run_release_case(&edits)?;
    }
}

/// Each kind of edit once, in a fixed order: a case that always runs every path.
#[test]
fn serve_equals_build_for_each_kind_of_edit() {
    let edits = vec![
        Edit::Body(0, 0),
        Edit::Body(1, 1),
        Edit::Body(2, 2),
        Edit::Title(3, 1),
        Edit::Summary(2, 1),
        Edit::Themes(4, 3),
        Edit::Status(1, 2),
        Edit::Status(1, 5),
        Edit::AsOf(2, 3),
        Edit::Weight(5, 2),
        Edit::Draft(1),
        Edit::Draft(1),
        Edit::Slug(4, 1),
        Edit::Alias(4, 1),
        Edit::Alias(4, 0),
        Edit::Stops(1),
        Edit::Stops(0),
        Edit::Timeline(2, 1),
        Edit::AddPage(0, 3),
        Edit::RenamePage(2, 2),
        Edit::DeletePage(0),
        Edit::AddFolder(0),
        Edit::DeleteFolder(0),
        Edit::AddIndex(0),
        Edit::RemoveIndex(0),
        Edit::Template(0, 1),
        Edit::Template(1, 2),
        Edit::Template(2, 1),
        Edit::Template(1, 0),
        Edit::Static(0, true),
        Edit::Static(1, true),
        Edit::Static(1, false),
        Edit::Static(3, true),
        Edit::StaticFolder(1),
        Edit::TemplateFolder(2),
        Edit::StaticFolder(1),
        Edit::TemplateFolder(2),
        Edit::Asset(true),
        Edit::Asset(false),
        Edit::Config(0),
        Edit::Config(1),
        Edit::Config(2),
        Edit::AddFolder(0),
        Edit::RenameFolder,
        Edit::Template(3, 1),
        Edit::Template(3, 0),
        Edit::Broken(3),
        Edit::BrokenTemplate,
        Edit::PageTemplate(3, 7),
        Edit::PageTemplate(3, 11),
        Edit::Marking(3, 3),
        Edit::Marking(3, 1),
    ];
    replay(&edits);
}

/// Each kind of marking edit in a release build at PROTECTED A: a page marked above it
/// (and back), a section marked above it (and back), on a page others link to and on one
/// they do not. The first: a section marked PROTECTED A on the front page raises what the
/// book and every aggregate say, which the preview once left as they were (a body edit);
/// found by the property.
#[test]
fn the_release_build_follows_each_kind_of_marking_edit() {
    let edits = vec![
        Edit::Marking(0, 5),
        Edit::Marking(4, 6),
        Edit::Marking(4, 7),
        Edit::Marking(4, 0),
        Edit::Marking(4, 1),
        Edit::Marking(1, 6),
        Edit::Body(1, 3),
        Edit::Marking(1, 4),
        Edit::Marking(1, 5),
        Edit::Title(1, 2),
        Edit::Marking(1, 1),
    ];
    if let Err(e) = run_release_case(&edits) {
        panic!("{e}");
    }
}

/// A page naming a template while the theme fails to load: the theme's errors alone, as
/// the preview (which keeps the last good theme) says them, not also "template does not
/// exist" for the page. Found by the property once it wrote `template =`.
#[test]
fn a_broken_theme_blames_no_page_for_the_template_it_names() {
    replay(&[Edit::PageTemplate(0, 0), Edit::BrokenTemplate]);
}

/// A page may name a generated output's template (`template = "404.html"`): an edit of
/// that template must reach the page too, where the preview once re-rendered the 404 page
/// alone (issue 25). The same for `themes.html`, whose data a page lacks: build's error.
#[test]
fn a_page_using_a_generated_outputs_template_follows_its_edits() {
    let free = Model::start()
        .pages
        .keys()
        .filter(|r| !KEPT.contains(&r.as_str()))
        .position(|r| r == "notes/detentions.md")
        .expect("a free page");
    let at = |name: &str| {
        BUILT_IN_TEMPLATES
            .iter()
            .position(|t| *t == name)
            .and_then(|i| u8::try_from(i).ok())
            .expect("a built-in template")
    };
    let edits = vec![
        Edit::PageTemplate(free, at("404.html")),
        Edit::Template(4, 1),
        Edit::Template(4, 2),
        Edit::Template(4, 0),
        Edit::PageTemplate(free, at("themes.html")),
        Edit::Template(5, 1),
        Edit::Template(5, 0),
        Edit::PageTemplate(free, 255),
    ];
    replay(&edits);
}

/// A folder swapped for another at once (its `_index.md` deleted, then a folder with one
/// moved in over it): the watcher names the folder alone, and the preview must read what
/// it holds now. Found by a longer run of the property test.
#[test]
fn a_folder_swapped_in_over_a_known_one_is_read_again() {
    let edits = vec![
        Edit::AddIndex(71),
        Edit::AddFolder(92),
        Edit::DeletePage(18),
        Edit::AddFolder(126),
    ];
    replay(&edits);
}

/// When the watcher loses events (its queue overflowed), the preview reads the whole site
/// again: edits no event named (a page added, a body and a title edited, a page deleted, a
/// template override) are all served as a fresh build has them.
#[test]
fn a_rescan_reads_what_no_event_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("site");
    let mut model = Model::start();
    let files = model.files();
    sync(&root, &BTreeMap::new(), &files);
    let (mut session, first) =
        Session::start(&root, LoadOptions::default(), &dir.path().join("preview"));
    assert!(first.ok(), "{:?}", first.errors);
    for edit in [
        Edit::AddPage(0, 3),
        Edit::Body(1, 1),
        Edit::Title(3, 1),
        Edit::DeletePage(0),
        Edit::Template(0, 1),
    ] {
        assert!(apply(&mut model, &edit).is_some(), "{edit:?} applies");
    }
    sync(&root, &files, &model.files());
    let preview = dir.path().join("preview");
    let built = fresh_build(&root, &dir.path().join("fresh")).expect("fresh build");
    assert!(!differences(&snapshot(&preview), &built).is_empty());
    let report = session.rescan().expect("the rescan rebuilds");
    assert!(report.ok(), "{:?}", report.errors);
    let _ = session.finish();
    let diff = differences(&snapshot(&preview), &built);
    assert!(diff.is_empty(), "{}", diff.join("\n"));
}

/// A page broken, then a config edit (a full reload, failing on it), then its folder
/// renamed: the errors are the page's at its new path alone, not also at the old one.
/// Found by a longer run of the property test.
#[test]
fn errors_follow_a_broken_page_whose_folder_is_renamed() {
    let edits = vec![
        Edit::AddFolder(0),
        Edit::Summary(59, 150),
        Edit::Config(0),
        Edit::RenameFolder,
    ];
    replay(&edits);
}

/// A body edit that breaks a link into it, then the linking page's front matter broken: a
/// build reports the front matter alone (the page does not load, so its links are not
/// checked), and so must the preview, which keeps the page's last good version only to
/// serve it. Found by a longer run of the property test.
#[test]
fn a_page_that_fails_to_load_has_its_links_unchecked_as_in_a_build() {
    let edits = vec![Edit::Body(32, 55), Edit::Broken(30)];
    replay(&edits);
}

/// A page broken, then a template override broken, removed and broken again: the removal
/// reloads the whole site, which fails on the page, and every step after it must go on
/// reporting the page's error beside the template's, as a build does. Found by a longer
/// run of the property test.
#[test]
fn after_a_failed_full_reload_the_errors_stay_a_build_s() {
    let edits = vec![
        Edit::Summary(8, 189),
        Edit::BrokenTemplate,
        Edit::BrokenTemplate,
    ];
    replay(&edits);
}

/// What `check` reports for the site at `root`, as `fresh_build` reports a build's.
fn check_messages(root: &Path) -> Result<(), Vec<String>> {
    match Outline::load(root, LoadOptions::default()).and_then(|site| site.check()) {
        Ok(_) => Ok(()),
        Err(e) => Err(messages(&e.0)),
    }
}

/// `check` equals `build` on every tree the edits make, broken saves included: the same
/// success, or the same errors.
fn check_case(edits: &[Edit]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("site");
    let fresh = dir.path().join("fresh");
    let model = Model::start();
    let on_disk = model.files();
    sync(&root, &BTreeMap::new(), &on_disk);
    let mut compare = |label: String, _: Vec<String>, _: &BTreeMap<String, String>| {
        let built = fresh_build(&root, &fresh).map(|_| ());
        prop_assert_eq!(check_messages(&root), built, "{}", label);
        Ok(())
    };
    compare("start".into(), Vec::new(), &on_disk)?;
    drive(edits, &root, model, on_disk, &mut compare)
}

proptest! {
    #![proptest_config(crate::common::property_config("BRIEFING_INCREMENTAL_CASES", 24))]

    #[test]
    fn check_equals_build_after_every_edit(edits in prop::collection::vec(edit(), 1..12)) {
        check_case(&edits)?;
    }
}

/// A folder link to outside the site made while previewing (in `static/` and in
/// `content/`): a build refuses it, naming the link, and so must the preview, which must
/// not publish what is behind it.
#[cfg(unix)]
#[test]
fn a_folder_link_out_of_the_site_is_refused_as_a_build_refuses_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("site");
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("secret.txt"), "SECRET").expect("write");
    std::fs::write(
        outside.join("note.md"),
        "+++\ntitle = \"Outside\"\nsummary = \"S.\"\n+++\nSECRET\n",
    )
    .expect("write");
    let model = Model::start();
    sync(&root, &BTreeMap::new(), &model.files());
    let preview = dir.path().join("preview");
    let (mut session, first) = Session::start(&root, LoadOptions::default(), &preview);
    assert!(first.ok(), "{:?}", first.errors);
    for link in ["static/ext", "content/ext"] {
        let at = root.join(link);
        std::fs::create_dir_all(at.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(&outside, &at).expect("link");
        let report = session.apply(std::slice::from_ref(&at)).expect("a rebuild");
        let _ = session.finish();
        // The folder behind the link is not walked (it could be `/`): the rebuild is of
        // the linked folder as one change, not of the files found behind it.
        assert_eq!(report.what, format!("{link}/"));
        let built = fresh_build(&root, &dir.path().join("fresh")).expect_err("the build refuses");
        assert_eq!(messages(&report.errors), built, "{link}");
        let served = snapshot(&preview);
        assert!(
            served
                .values()
                .all(|b| !String::from_utf8_lossy(b).contains("SECRET")),
            "{link}: published what is outside the site"
        );
        std::fs::remove_file(&at).expect("unlink");
        let fixed = session.apply(&[at]).expect("a rebuild");
        assert!(fixed.ok(), "{link}: {:?}", fixed.errors);
    }
}

/// A section that sets its pages' kind (`page_kind = "dispute"`), deleted, put back, marked
/// above a release build's level and unmarked: each time the pages below it are read again
/// as a fresh build reads them (without it, a dispute page is a note with a `[dispute]`
/// table, an error), in a plain build and in a release build.
#[test]
fn a_section_setting_its_pages_kind_that_goes_or_comes_rereads_its_pages() {
    let section = "+++\ntitle = \"Disputes\"\npage_kind = \"dispute\"\n+++\nAll.\n";
    let secret = section.replace("+++\nAll", "marking = \"SECRET\"\n+++\nAll");
    let dispute = "+++\ntitle = \"D\"\n[dispute]\nimposed_by = \"A\"\naffected = \"B\"\n\
                   status = \"in force\"\nstake = \"S\"\nask = \"A\"\n+++\nD.\n";
    for release in [false, true] {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("site");
        let (out, fresh) = (dir.path().join("preview"), dir.path().join("fresh"));
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        };
        write("briefing.toml", "title = \"T\"\n\n[markings]\n");
        write("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHome.\n");
        write("content/disputes/_index.md", section);
        write("content/disputes/d.md", dispute);
        let options = LoadOptions {
            max_marking: release.then(|| "PROTECTED A".to_string()),
            ..LoadOptions::default()
        };
        let (mut session, first) = Session::start(&root, options.clone(), &out);
        assert!(first.ok(), "{:?}", first.errors);
        let index = root.join("content/disputes/_index.md");
        let steps: [(&str, Option<&str>); 4] = [
            ("deleted", None),
            ("put back", Some(section)),
            ("marked SECRET", Some(&secret)),
            ("unmarked", Some(section)),
        ];
        for (label, text) in steps {
            if release || label == "deleted" || label == "put back" {
                match text {
                    Some(t) => std::fs::write(&index, t).expect("write"),
                    None => std::fs::remove_file(&index).expect("remove"),
                }
            } else {
                continue;
            }
            let label = format!("{label} (release: {release})");
            let report = session.apply(std::slice::from_ref(&index));
            session.finish();
            match fresh_build_with(&root, &fresh, &options) {
                Ok(built) => {
                    let served = snapshot(&out);
                    let diff = differences(&served, &built);
                    assert!(diff.is_empty(), "{label}: {}", diff.join("\n"));
                }
                Err(errors) => {
                    let shown = report.map(|r| r.errors).unwrap_or_else(|| session.errors());
                    assert_eq!(messages(&shown), errors, "{label}: errors differ");
                    assert!(
                        errors.iter().any(|e| e.contains("a [dispute] table")),
                        "{label}: {errors:?}"
                    );
                }
            }
        }
    }
}

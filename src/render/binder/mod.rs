//! The binder: the whole book as one paginated PDF, `book.pdf`, typeset in-process by
//! Typst with the template `book.typ`. The book reaches the template as data (`sys.inputs`:
//! titles, bodies as trees of nodes, dates as their text), never as Typst source, and the
//! compiler's world holds only the template, the images the book shows and the embedded
//! fonts.

mod body;
mod world;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use typst::diag::{Severity, SourceDiagnostic, Warned};
use typst::foundations::{Array, Datetime, Dict, Smart, Value};
use typst::{World, WorldExt};
use typst_layout::PagedDocument;

use super::Shared;
use super::book::Book;
use crate::content::Page;
use crate::diagnostic::Diagnostic;
use crate::marking::Level;
use crate::pages::PageId;
use body::{Image, Resolve, Target, str};

pub use world::BookWorld;

/// A typeset book.
pub struct Typeset {
    pub pdf: Vec<u8>,
    /// Its sheets (the PDF's pages).
    pub sheets: usize,
    /// What Typst warned of, and a PDF/UA-1 not met.
    pub warnings: Vec<Diagnostic>,
}

/// The images of the book, as the world serves them, and the problems found with them.
#[derive(Default)]
struct Files {
    served: Vec<(String, PathBuf)>,
    problems: Vec<Diagnostic>,
}

/// Typesets the book of `shared`'s site: every page in reading order.
pub(super) fn typeset(shared: &Shared) -> Result<Typeset, Vec<Diagnostic>> {
    let site = shared.site;
    let Some(template) = site.templates.typst("book.typ") else {
        return Err(vec![Diagnostic::error(
            "templates/book.typ",
            "there is no book.typ template",
        )]);
    };
    let book = Book::of(site);
    let files = RefCell::new(Files::default());
    let mut pages = Vec::with_capacity(book.order.len());
    for &i in &book.order {
        pages.push(page_value(shared, &book, i, &files));
    }
    let files = files.into_inner();
    if !files.problems.is_empty() {
        return Err(files.problems);
    }
    let mut inputs = Dict::new();
    inputs.insert("book".into(), book_value(shared, &book, pages));
    let today = today(shared);
    let Some(world) = BookWorld::new(template.text.clone(), files.served, inputs, today) else {
        return Err(vec![Diagnostic::error(
            &template.file,
            "the book's template could not be given to Typst",
        )]);
    };
    let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
    let document = output.map_err(|errors| said(&world, &template.file, errors.as_slice()))?;
    let mut warnings = said(&world, &template.file, warnings.as_slice());
    let sheets = document.pages().len();
    let options = |standards| typst_pdf::PdfOptions {
        // Stable between builds: the PDF's identifier does not come from the clock.
        ident: Smart::Custom(site.config.title.clone()),
        creator: Smart::Custom(Some("briefing".to_string())),
        timestamp: None,
        page_ranges: None,
        standards,
        tagged: true,
        pretty: false,
    };
    // PDF/UA-1 where the book meets it; where it does not (a template without alternative
    // text, say), still a tagged PDF, and a warning that says why the claim is left out.
    let accessible = typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::Ua_1])
        .map_err(|e| e.message().to_string())
        .and_then(|ua| {
            typst_pdf::pdf(&document, &options(ua)).map_err(|unmet| {
                let reasons: Vec<String> = unmet.iter().map(|e| e.message.to_string()).collect();
                reasons.join("; ")
            })
        });
    let pdf = match accessible {
        Ok(pdf) => pdf,
        Err(reasons) => {
            warnings.push(Diagnostic::warning(
                &template.file,
                format!(
                    "book.pdf does not meet PDF/UA-1, so it is written as a tagged PDF that does \
                     not claim it: {reasons}"
                ),
            ));
            typst_pdf::pdf(&document, &options(typst_pdf::PdfStandards::default()))
                .map_err(|errors| said(&world, &template.file, errors.as_slice()))?
        }
    };
    Ok(Typeset {
        pdf,
        sheets,
        warnings,
    })
}

/// The book's date: its newest `as_of` (the PDF's creation date, and what `datetime.today`
/// says), so that building again gives the same bytes.
fn today(shared: &Shared) -> Option<Datetime> {
    use chrono::Datelike;
    let d = shared.newest_as_of?;
    Datetime::from_ymd(
        d.year(),
        u8::try_from(d.month()).ok()?,
        u8::try_from(d.day()).ok()?,
    )
}

/// Typst's errors and warnings as briefing's: the template's file, line and column, and
/// its hints.
fn said(world: &BookWorld, file: &Path, diagnostics: &[SourceDiagnostic]) -> Vec<Diagnostic> {
    diagnostics
        .iter()
        .map(|e| {
            let mut message = format!("the PDF's template: {}", e.message);
            // The Typst command line's own advice (`--root`) is not briefing's.
            for hint in e.hints.iter().filter(|h| !h.v.contains("--root")) {
                message.push_str(&format!(" (hint: {})", hint.v));
            }
            let d = match e.severity {
                Severity::Error => Diagnostic::error(file, message),
                Severity::Warning => Diagnostic::warning(file, message),
            };
            let in_template = e.span.id() == Some(world.main());
            match world.range(e.span) {
                Some(range) if in_template => {
                    let text = world.source(world.main()).map(|s| s.text().to_string());
                    match text {
                        Ok(t) => d.at_offset(&t, range.start),
                        Err(_) => d,
                    }
                }
                _ => d,
            }
        })
        .collect()
}

/// Page `i` as the template sees it.
fn page_value(shared: &Shared, book: &Book, i: PageId, files: &RefCell<Files>) -> Value {
    let site = shared.site;
    let p = &site.pages[i];
    let anchor = book.anchor(i).unwrap_or_default();
    let section = book.contents_section(shared, i);
    let resolve = PageLinks {
        shared,
        book,
        page: p,
        anchor,
        toc: &site.pages.rendered(i).toc,
        files,
    };
    // The page's title is a heading of level 1, or 2 under its section's; its parts and
    // the body's headings come below it, without skipping a level (PDF/UA-1 asks that).
    let level = if section.is_some() { 2 } else { 1 };
    let walked = body::walk(p.body(), level, &shared.words.callouts(), &resolve);
    let mut view =
        json(&serde_json::to_value(shared.page_view(i, String::new())).unwrap_or_default());
    if let Value::Dict(d) = &mut view {
        d.remove("content".into(), None).ok();
    }
    let mut page = Dict::new();
    page.insert("anchor".into(), str(anchor));
    page.insert(
        "label".into(),
        str(super::book::kind_label(shared.words, p)),
    );
    page.insert("front".into(), Value::Bool(p.is_front_page()));
    page.insert("level".into(), Value::Int(level));
    page.insert(
        "section".into(),
        section.map_or(Value::None, |s| str(&site.pages[s].title)),
    );
    let level = sheet_marking(shared, i, section);
    page.insert("marking".into(), marking_name(shared, level));
    page.insert("page".into(), view);
    page.insert("blocks".into(), walked.blocks);
    Value::Dict(page)
}

/// The highest marking of what a sheet of page `i` shows: the page (its entries and
/// sections), the section named in the running head and, for the front page, the tracker
/// of every dispute's measures.
fn sheet_marking(shared: &Shared, i: PageId, section: Option<PageId>) -> Option<Level> {
    let site = shared.site;
    let p = &site.pages[i];
    let mut level = p.shown_marking();
    if let Some(s) = section {
        level = level.max(site.pages[s].marking);
    }
    if p.is_front_page() {
        let measures = site
            .pages
            .iter()
            .filter_map(|q| q.dispute.as_ref())
            .flat_map(|d| d.measures.iter().map(|m| m.marking));
        level = measures.fold(level, Option::max);
    }
    level
}

fn marking_name(shared: &Shared, level: Option<Level>) -> Value {
    match &shared.site.config.markings {
        Some(m) => str(m.name(level.unwrap_or(m.lowest()))),
        None => Value::None,
    }
}

/// The book as a whole: its cover, contents, pages, the merged timeline and the words.
fn book_value(shared: &Shared, book: &Book, pages: Vec<Value>) -> Value {
    let site = shared.site;
    let c = &site.config;
    let mut d = Dict::new();
    let text = |s: &str| str(s);
    let opt = |s: Option<&str>| s.map_or(Value::None, str);
    d.insert("title".into(), text(&c.title));
    d.insert("description".into(), text(&c.description));
    d.insert("author".into(), opt(c.author.as_deref()));
    d.insert(
        "language".into(),
        text(&crate::strings::primary(&c.language)),
    );
    d.insert(
        "region".into(),
        opt(c.language.split_once('-').map(|(_, r)| r)),
    );
    d.insert(
        "as_of".into(),
        opt(shared
            .newest_as_of
            .map(|n| crate::dates::long(shared.words, n))
            .as_deref()),
    );
    let marking = marking_name(shared, shared.site_marking);
    let line = match (&marking, &c.handling) {
        (Value::Str(m), Some(h)) => Value::Str(format!("{m} — {h}").as_str().into()),
        (Value::Str(m), None) => Value::Str(m.clone()),
        (_, Some(h)) => text(h),
        (_, None) => Value::None,
    };
    d.insert("marking".into(), marking);
    d.insert("marking_line".into(), line);
    d.insert(
        "t".into(),
        json(&serde_json::to_value(&shared.words_value).unwrap_or_default()),
    );
    d.insert(
        "tracker".into(),
        json(&serde_json::to_value(shared.tracker()).unwrap_or_default()),
    );
    let timeline = shared.merged_timeline();
    let timeline_marking = site
        .pages
        .iter()
        .flat_map(|p| p.timeline.iter().map(|e| e.marking))
        .fold(None, Option::max);
    d.insert(
        "timeline".into(),
        json(&serde_json::to_value(timeline).unwrap_or_default()),
    );
    d.insert(
        "timeline_marking".into(),
        marking_name(shared, timeline_marking),
    );
    d.insert("pages".into(), Value::Array(pages.into_iter().collect()));
    // Each page's address (as the tracker and the timeline name it) to its label.
    let mut anchors = Dict::new();
    for &i in &book.order {
        if let Some(a) = book.anchor(i) {
            anchors.insert(
                super::page_url(&site.pages[i].path, shared.portable)
                    .as_str()
                    .into(),
                str(a),
            );
        }
    }
    d.insert("anchors".into(), Value::Dict(anchors));
    d.insert(
        "date".into(),
        match shared.newest_as_of {
            Some(n) => {
                use chrono::Datelike;
                let mut date = Dict::new();
                date.insert("year".into(), Value::Int(i64::from(n.year())));
                date.insert("month".into(), Value::Int(i64::from(n.month())));
                date.insert("day".into(), Value::Int(i64::from(n.day())));
                Value::Dict(date)
            }
            None => Value::None,
        },
    );
    Value::Dict(d)
}

/// JSON (the template values the HTML templates see) as Typst values.
fn json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::None,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or_default()),
        },
        serde_json::Value::String(s) => str(s),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(json).collect::<Array>()),
        serde_json::Value::Object(o) => {
            let mut d = Dict::new();
            for (k, v) in o {
                d.insert(k.as_str().into(), json(v));
            }
            Value::Dict(d)
        }
    }
}

/// Where a page's links and images go in the book.
struct PageLinks<'a, 's> {
    shared: &'a Shared<'s>,
    book: &'a Book,
    page: &'a Page,
    anchor: &'a str,
    toc: &'a [crate::markdown::Heading],
    files: &'a RefCell<Files>,
}

impl PageLinks<'_, '_> {
    /// The label of heading `id` of the page at `anchor`, where the page has one.
    fn heading(&self, j: PageId, id: &str) -> Option<String> {
        let site = self.shared.site;
        let anchor = self.book.anchor(j)?;
        site.pages
            .rendered(j)
            .toc
            .iter()
            .any(|h| h.id == id)
            .then(|| format!("{anchor}--{id}"))
    }
}

/// Whether `dest` is an address with a scheme (`https:`, `mailto:`) or a network path.
fn is_external(dest: &str) -> bool {
    dest.starts_with("//")
        || dest.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
}

impl Resolve for PageLinks<'_, '_> {
    fn link(&self, dest: &str) -> Target {
        if is_external(dest) {
            return Target::Url(dest.to_string());
        }
        let site = self.shared.site;
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        let own = site.pages.id_of(&self.page.rel);
        let target = if path.is_empty() {
            own
        } else {
            let Some(rel) = crate::markdown::join(self.page.dir(), path) else {
                return Target::Nowhere;
            };
            match site.pages.id_of(&rel) {
                Some(j) => Some(j),
                // A file of `content/` (a PDF beside the book): where the output has it.
                None if !rel.ends_with(".md") => return Target::Url(rel),
                None => None,
            }
        };
        let Some(j) = target else {
            return Target::Nowhere;
        };
        if let Some(label) = fragment.and_then(|f| self.heading(j, f)) {
            return Target::Label(label);
        }
        match self.book.anchor(j) {
            Some(a) => Target::Label(a.to_string()),
            None => Target::Nowhere,
        }
    }

    fn image(&self, dest: &str, offset: usize) -> Image {
        if is_external(dest) {
            return Image { path: None };
        }
        let path = dest.split(['#', '?']).next().unwrap_or_default();
        let Some(rel) = crate::markdown::join(self.page.dir(), path) else {
            return Image { path: None };
        };
        let real = self.shared.site.root.join("content").join(&rel);
        let p = self.page;
        let at = p.body_offset + offset;
        let mut files = self.files.borrow_mut();
        let problem = match std::fs::read(&real) {
            Err(e) => Some(format!(
                "the image {dest} cannot be read for the PDF ({e}): content/{rel} must exist"
            )),
            Ok(bytes) => typst::visualize::ImageFormat::detect(&bytes).is_none().then(|| {
                format!(
                    "the image {dest} (content/{rel}) is not a PNG, JPEG, GIF or SVG image, which \
                     is what the PDF can show"
                )
            }),
        };
        if let Some(message) = problem {
            files
                .problems
                .push(Diagnostic::error(&p.file, message).at_offset(&p.text, at));
            return Image { path: None };
        }
        let world_path = format!("/content/{rel}");
        if !files.served.iter().any(|(w, _)| *w == world_path) {
            files.served.push((world_path.clone(), real));
        }
        Image {
            path: Some(world_path),
        }
    }

    fn heading_label(&self, n: usize) -> Option<String> {
        self.toc
            .get(n)
            .map(|h| format!("{}--{}", self.anchor, h.id))
    }

    fn heading_mark(&self, at: usize) -> Option<String> {
        let markings = self.shared.site.config.markings.as_ref()?;
        self.page
            .sections
            .iter()
            .find(|&&(start, level)| start == at && level > markings.lowest())
            .map(|&(_, level)| markings.name(level).to_string())
    }
}

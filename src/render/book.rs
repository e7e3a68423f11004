//! The printable book: every page of the site in reading order, in one file.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::Serialize;
use tera::Value;

use super::Shared;
use crate::content::{Kind, Page};
use crate::dates;
use crate::diagnostic::Diagnostic;
use crate::output::{Job, Part};
use crate::pages::PageId;
use crate::site::Site;

#[derive(Serialize)]
struct BookEntry<'a> {
    anchor: &'a str,
    title: &'a str,
    as_of: Option<String>,
}

/// The contents, grouped by section: the pages of a section under its title, the pages
/// at the top of the site (the front page, the itinerary) each on its own (`title` none).
/// Entries are template values, made once for both lists.
#[derive(Serialize)]
struct ContentsGroup<'a> {
    title: Option<&'a str>,
    entries: Vec<Value>,
}

/// Where the book's pages go in the output of `book.html`.
const BOOK_SECTIONS_MARK: &str = "<!--briefing:book-sections-->";

/// A section of the book: rendered now, or as the memo kept it.
enum Section {
    Fresh(Vec<u8>),
    Kept(Arc<Vec<u8>>),
}

impl Section {
    fn as_bytes(&self) -> &[u8] {
        match self {
            Section::Fresh(s) => s,
            Section::Kept(s) => s,
        }
    }
}

/// What the preview keeps between renders: the book's sections as last rendered, by page,
/// so that a body edit re-renders one section rather than the whole book. Whatever else
/// changes the book renders all of it afresh and refills the memo; a failed rebuild must
/// `clear` it, since its sections may show edits that were undone.
#[derive(Default)]
pub struct Memo {
    book_sections: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    /// The book around its sections (`book.html`: the contents list of every page, split
    /// where the sections go), as last rendered whole. A body edit cannot change it: it
    /// shows titles, dates and paths, which are front matter.
    frame: Mutex<Option<Arc<(String, String)>>>,
}

impl Memo {
    pub fn clear(&self) {
        self.sections().clear();
        *self.frame() = None;
    }

    fn frame(&self) -> std::sync::MutexGuard<'_, Option<Arc<(String, String)>>> {
        self.frame
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn sections(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Vec<u8>>>> {
        // A panic elsewhere while holding the lock leaves a map that is still whole.
        self.book_sections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What a page of the book is, as its eyebrow says: *Front page*, *Itinerary*, *Trade
/// dispute* or *Note* (the HTML book and the PDF alike).
pub(super) fn kind_label<'w>(words: &'w crate::strings::Words, p: &Page) -> &'w str {
    words.get(match (p.is_section, p.kind) {
        (true, _) => "front_page",
        (false, Kind::Itinerary) => "itinerary",
        (false, Kind::Dispute) => "trade_dispute",
        (false, Kind::Note) => "note",
    })
}

/// The book's reading order and each page's place in it.
pub(super) struct Book {
    /// Pages in reading order: the front page, the itinerary, the disputes, then the notes,
    /// by folder, weight and title.
    pub(super) order: Vec<PageId>,
    places: HashMap<PageId, Place>,
}

/// Where a page is in the book.
struct Place {
    /// Its position in reading order.
    at: usize,
    /// Its section's id, `p-…`.
    anchor: String,
}

impl Book {
    pub(super) fn of(site: &Site) -> Book {
        let group = |p: &Page| match (p.is_section, p.kind) {
            (true, _) => 0,
            (false, Kind::Itinerary) => 1,
            (false, Kind::Dispute) => 2,
            (false, Kind::Note) => 3,
        };
        let mut order: Vec<PageId> = site
            .pages
            .ids()
            .filter(|&i| !site.pages[i].is_section || site.pages[i].is_front_page())
            .collect();
        // In parallel: `check` needs the book before it renders any page.
        order.par_sort_by_cached_key(|&i| {
            let p = &site.pages[i];
            (group(p), p.dir(), p.weight, &p.title, &p.rel)
        });
        let names: Vec<String> = order
            .par_iter()
            .map(|&i| {
                let p = &site.pages[i];
                if p.path.is_empty() {
                    "front".to_string()
                } else {
                    crate::markdown::slugify(&p.path.replace('/', " "))
                }
            })
            .collect();
        // Paths that differ only in what slugify drops (`my note/`, `my-note/`) still get
        // their own anchors.
        let mut taken = HashSet::new();
        let places = order
            .iter()
            .zip(names)
            .enumerate()
            .map(|(at, (&i, name))| {
                let mut anchor = format!("p-{name}");
                let mut n = 1;
                while !taken.insert(anchor.clone()) {
                    n += 1;
                    anchor = format!("p-{name}-{n}");
                }
                (i, Place { at, anchor })
            })
            .collect();
        Book { order, places }
    }

    /// Page `i`'s section id, if it is in the book.
    pub(super) fn anchor(&self, i: PageId) -> Option<&str> {
        self.places.get(&i).map(|p| p.anchor.as_str())
    }

    /// The section page that page `i` is listed under in the contents: the nearest section
    /// at or above its folder, the site's top excepted (the front page and the pages at
    /// the top stand on their own).
    pub(super) fn contents_section(&self, shared: &Shared, i: PageId) -> Option<PageId> {
        let p = &shared.site.pages[i];
        crate::paths::folders_up(p.dir())
            .take_while(|dir| !dir.is_empty() && !p.is_front_page())
            .find_map(|dir| shared.sections.get(dir).copied())
    }

    fn entry<'a>(&'a self, site: &'a Site, i: PageId) -> BookEntry<'a> {
        let p = &site.pages[i];
        BookEntry {
            anchor: self.anchor(i).unwrap_or_default(),
            title: &p.title,
            as_of: p.as_of.map(|d| dates::long(&site.config.words, d)),
        }
    }

    /// The contents, grouped: consecutive pages under the same section share its title.
    /// `entries` are the pages' entries in reading order.
    fn contents_groups<'a>(
        &'a self,
        site: &'a Site,
        shared: &Shared,
        entries: &[Value],
    ) -> Vec<ContentsGroup<'a>> {
        let mut groups: Vec<ContentsGroup> = Vec::new();
        let mut last_section: Option<Option<PageId>> = None;
        for (&i, entry) in self.order.iter().zip(entries) {
            let section = self.contents_section(shared, i);
            let entry = entry.clone();
            match groups.last_mut() {
                Some(g) if section.is_some() && last_section == Some(section) => {
                    g.entries.push(entry)
                }
                _ => groups.push(ContentsGroup {
                    title: section.map(|s| site.pages[s].title.as_str()),
                    entries: vec![entry],
                }),
            }
            last_section = Some(section);
        }
        groups
    }

    /// `book.html` with its contents, split where the sections go: what comes before
    /// them and what after.
    fn frame(&self, shared: &Shared, base: &tera::Context) -> Result<(String, String), Diagnostic> {
        let site = shared.site;
        let mut ctx = base.clone();
        let entries: Vec<Value> = self
            .order
            .iter()
            .map(|&i| Value::from_serializable(&self.entry(site, i)))
            .collect();
        ctx.insert(
            "contents_groups",
            &self.contents_groups(site, shared, &entries),
        );
        ctx.insert_value("contents", Value::from(entries));
        ctx.insert("book_sections", BOOK_SECTIONS_MARK);
        let frame = super::render_template(site, "book.html", &ctx, None, 0)?;
        let frame = String::from_utf8_lossy(&frame);
        let (head, tail) = frame.split_once(BOOK_SECTIONS_MARK).unwrap_or((&frame, ""));
        Ok((head.to_string(), tail.to_string()))
    }

    /// Page `i`'s section of the book, through `partials/book_page.html`.
    fn section(
        &self,
        shared: &Shared,
        base: &tera::Context,
        i: PageId,
    ) -> Result<Vec<u8>, Diagnostic> {
        let (page, size) = self.page_value(shared, i);
        self.section_of(shared, base, i, page, size)
    }

    /// Page `i` as its section of the book shows it (its links kept inside the book), and
    /// its body's length.
    fn page_value(&self, shared: &Shared, i: PageId) -> (Value, usize) {
        let body = shared.site.book_body(i, |j| self.anchor(j));
        let size = body.len();
        (Value::from_serializable(&shared.page_view(i, body)), size)
    }

    /// Page `i`'s section with `page`, its template value; `size`, its body's length.
    fn section_of(
        &self,
        shared: &Shared,
        base: &tera::Context,
        i: PageId,
        page: Value,
        size: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let site = shared.site;
        let p = &site.pages[i];
        let mut ctx = base.clone();
        ctx.insert("anchor", self.anchor(i).unwrap_or_default());
        ctx.insert("label", kind_label(&site.config.words, p));
        ctx.insert_value("page", page);
        // The front page keeps its bottom-line box and the dispute tracker.
        let front = p.is_front_page();
        ctx.insert("front", &front);
        if front {
            ctx.insert_value("tracker", shared.tracker());
        }
        super::render_template(site, "partials/book_page.html", &ctx, Some(p), size)
    }
}

/// The printable book, `book/index.html`: every page in reading order, each a section of
/// one long page. Sections are rendered in parallel, a chunk at a time, and each chunk is
/// handed to `sink` as the next part of the file: the whole book is as large as every page
/// together, and need not be in memory at once.
///
/// With `changed` (and a `memo` holding every other section), only the sections of those
/// pages are rendered; without it, all of them, and the memo is refilled.
pub(super) fn book(
    shared: &Shared,
    changed: Option<&BTreeSet<PageId>>,
    memo: Option<&Memo>,
    sink: &(dyn Fn(Job) -> Result<(), Diagnostic> + Sync),
) -> Result<(), Diagnostic> {
    let site = shared.site;
    let book = Book::of(site);
    // Every section's context starts as the frame's.
    let base = shared.base_context("book/", super::Role::Book)?;
    // A whole book refills the memo from nothing.
    if let (None, Some(memo)) = (changed, memo) {
        memo.clear();
    }
    let kept = changed.and(memo).and_then(|memo| memo.frame().clone());
    let frame = match kept {
        Some(frame) => frame,
        None => {
            let frame = Arc::new(book.frame(shared, &base)?);
            if let Some(memo) = memo {
                *memo.frame() = Some(Arc::clone(&frame));
            }
            frame
        }
    };
    let (head, tail) = (frame.0.as_str(), frame.1.as_str());

    let cached = |i: PageId| -> Option<Arc<Vec<u8>>> {
        let (changed, memo) = (changed?, memo?);
        if changed.contains(&i) {
            return None;
        }
        memo.sections().get(&site.pages[i].rel).cloned()
    };
    let path = "book/index.html";
    let mut part = Part::First;
    let mut buf = head.as_bytes().to_vec();
    for chunk in book.order.chunks(256) {
        let parts: Vec<Result<Section, Diagnostic>> = chunk
            .par_iter()
            .map(|&i| match cached(i) {
                Some(s) => Ok(Section::Kept(s)),
                None => {
                    let s = book.section(shared, &base, i)?;
                    // Only the preview keeps them (shared, not copied); a build writes
                    // each section once.
                    Ok(match memo {
                        Some(memo) => {
                            let s = Arc::new(s);
                            memo.sections()
                                .insert(site.pages[i].rel.clone(), Arc::clone(&s));
                            Section::Kept(s)
                        }
                        None => Section::Fresh(s),
                    })
                }
            })
            .collect();
        // One allocation for the chunk, rather than doubling through its megabytes.
        let size: usize = parts
            .iter()
            .map(|s| s.as_ref().map_or(0, |s| s.as_bytes().len()))
            .sum();
        buf.reserve(size);
        for section in parts {
            buf.extend_from_slice(section?.as_bytes());
        }
        sink(Job {
            path: path.into(),
            bytes: std::mem::take(&mut buf),
            part,
        })?;
        part = Part::More;
    }
    buf.extend_from_slice(tail.as_bytes());
    sink(Job {
        path: path.into(),
        bytes: buf,
        part: if part == Part::First {
            Part::Whole
        } else {
            Part::Last
        },
    })
}

/// `check`'s book. Check writes nothing, so the book need not be put together in reading
/// order: each page's section is rendered right after the page, from the page's own
/// template value (made once, not twice), and only the frame by `frame`. It reports what
/// `book` would: the frame's error, or else the first failing section's in reading order
/// (a build stops the book there).
pub(super) struct CheckedBook {
    book: Book,
    /// Every section's context starts as the frame's; an error here is the book's.
    base: Result<tera::Context, Diagnostic>,
    /// Whether the frame failed, leaving no section's error to report.
    frame_failed: std::sync::atomic::AtomicBool,
    first_failure: Mutex<Option<(usize, Diagnostic)>>,
}

impl CheckedBook {
    pub(super) fn new(shared: &Shared) -> CheckedBook {
        CheckedBook {
            base: shared.base_context("book/", super::Role::Book),
            book: Book::of(shared.site),
            frame_failed: Default::default(),
            first_failure: Mutex::new(None),
        }
    }

    /// Renders page `i`'s section with `page`, the value its own template got; a page that
    /// is not in the book has none.
    pub(super) fn section(&self, shared: &Shared, i: PageId, page: &Value) {
        let (Some(place), Ok(base)) = (self.book.places.get(&i).map(|p| p.at), &self.base) else {
            return;
        };
        // A body rendered to no HTML (as `check` loads them) is empty both on its page and
        // in the book, so the page's value is the section's; any other needs its own.
        let page = if shared.site.pages.rendered(i).html.is_empty() {
            page.clone()
        } else {
            self.book.page_value(shared, i).0
        };
        if let Err(d) = self.book.section_of(shared, base, i, page, 0) {
            let mut first = self
                .first_failure
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if first.as_ref().is_none_or(|(at, _)| place < *at) {
                *first = Some((place, d));
            }
        }
    }

    /// The book around its sections, handed to `sink` as the whole file.
    pub(super) fn frame(
        &self,
        shared: &Shared,
        sink: &(dyn Fn(Job) -> Result<(), Diagnostic> + Sync),
    ) -> Result<(), Diagnostic> {
        let frame = self
            .base
            .clone()
            .and_then(|base| self.book.frame(shared, &base))
            .inspect_err(|_| {
                self.frame_failed
                    .store(true, std::sync::atomic::Ordering::Relaxed)
            })?;
        sink(Job {
            path: "book/index.html".into(),
            bytes: [frame.0, frame.1].concat().into_bytes(),
            part: Part::Whole,
        })
    }

    /// The first failing section's error, once every page is rendered, unless the frame
    /// failed.
    pub(super) fn first_failure(self) -> Option<Diagnostic> {
        if self.frame_failed.into_inner() {
            return None;
        }
        let first = self
            .first_failure
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        first.map(|(_, d)| d)
    }
}

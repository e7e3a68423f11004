//! Which outputs show which facts of which page. A build renders `Selection::all`; the
//! preview renders the `Selection` these functions give for what changed. What each
//! generated output shows is declared in `crate::outputs`; what pages show of each other
//! (their lists, links and navigation) is said here.

use std::collections::BTreeSet;

use crate::content::Page;
use crate::outputs::{Bodies, Output};
use crate::pages::PageId;
use crate::site::Site;

/// Which outputs a render writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Content pages (with their alias redirects), by index in `site.pages`.
    pub pages: BTreeSet<PageId>,
    /// The generated outputs (see `Output::is_generated`) rendered whole; the book among
    /// them means all of it.
    pub outputs: BTreeSet<Output>,
    /// When not all of the book: the pages whose section of it changed (a body edit); the
    /// other sections are as the preview's `Memo` holds them.
    pub book_sections: BTreeSet<PageId>,
    /// Whether the outputs declared `on_request` (the PDF) among `outputs` are made: by a
    /// build always, by the preview only when one is asked for.
    pub on_request: bool,
}

impl Selection {
    /// Everything a build writes.
    pub fn all(site: &Site) -> Selection {
        Selection {
            pages: site.pages.ids().collect(),
            on_request: !site.options.preview,
            ..Selection::generated(|_| true)
        }
    }

    /// The generated outputs whose declaration `keep` accepts.
    fn generated(keep: impl Fn(&crate::outputs::Declaration) -> bool) -> Selection {
        Selection {
            outputs: Output::generated().filter(|o| keep(o.declared())).collect(),
            ..Selection::default()
        }
    }

    /// Whether `output` is rendered whole.
    pub fn has(&self, output: Output) -> bool {
        self.outputs.contains(&output)
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty() && self.outputs.is_empty() && self.book_sections.is_empty()
    }

    pub fn extend(&mut self, other: Selection) {
        self.pages.extend(other.pages);
        self.outputs.extend(other.outputs);
        self.book_sections.extend(other.book_sections);
    }
}

/// What changed about one page, as the outputs see it.
#[derive(Debug, Clone, Copy)]
pub enum PageEdit<'a> {
    /// Only its Markdown body (text, headings, links): the page as it is now.
    Body(&'a Page),
    /// Its front matter, or its existence: the page as it was and as it is (`None` where
    /// there was or is no page).
    FrontMatter {
        before: Option<&'a Page>,
        after: Option<&'a Page>,
    },
}

/// The outputs that show something `edit` changed, in `site` as it is after the edit.
pub fn affected_by_page(site: &Site, edit: PageEdit) -> Selection {
    let mut sel = Selection::default();
    match edit {
        PageEdit::Body(page) => {
            // The body is shown on the page itself and in the outputs that show bodies:
            // the book, by sections, and the search index (its text and headings).
            sel.pages.extend(index_of(site, page));
            sel.extend(Selection::generated(|d| d.bodies == Bodies::Every));
            sel.book_sections.extend(index_of(site, page));
        }
        PageEdit::FrontMatter { before, after } => {
            for page in before.into_iter().chain(after) {
                shows_front_matter(site, page, &mut sel);
            }
            // Every page links to the calendar while there is one: while some itinerary has
            // a stop known to the day (`Page::in_calendar`), which a date edit can change.
            if before.is_some_and(Page::in_calendar) != after.is_some_and(Page::in_calendar) {
                sel.pages.extend(site.pages.ids());
            }
        }
    }
    sel
}

/// Marks what shows `page`'s front matter (title, summary, path, kind, status, dates,
/// themes, weight, timeline, stops): the page, the lists it is in, the pages that link to
/// it (by its path and title) and every generated file that shows front matter.
fn shows_front_matter(site: &Site, page: &Page, sel: &mut Selection) {
    sel.extend(Selection::generated(|d| d.front_matter));
    sel.pages.extend(index_of(site, page));
    // The home page lists every page (tracker, theme groups, timeline, itinerary).
    sel.pages.extend(site.pages.front_page());
    // Its section lists it, and so may each section above (a folder without `_index.md`
    // is not a section, so the nearest one above lists it).
    for dir in crate::paths::folders_up(page.dir()) {
        let index = if dir.is_empty() {
            crate::content::FRONT_PAGE.to_string()
        } else {
            format!("{dir}/_index.md")
        };
        sel.pages.extend(site.pages.id_of(&index));
    }
    sel.pages.extend(site.pages_linking_to(&page.rel));
    if in_navigation(page) {
        // Every page shows the navigation.
        sel.pages.extend(site.pages.ids());
    } else if page.is_section {
        // Pages below a section show its title in their breadcrumbs.
        let prefix = page.dir();
        sel.pages
            .extend(site.pages.enumerate().filter_map(|(i, p)| {
                (p.rel.starts_with(prefix) && p.rel[prefix.len()..].starts_with('/')).then_some(i)
            }));
    }
}

/// Whether a page is an item of the navigation: a page at the top, or a top section.
pub fn in_navigation(page: &Page) -> bool {
    (!page.is_section && !page.rel.contains('/'))
        || (page.is_section && page.rel.matches('/').count() == 1)
}

/// The outputs that count from the newest `as_of`, when it has moved: the stale notice
/// (every page, when staleness is on) and the upcoming marks of timelines (the pages with
/// one, and the home page, which shows every timeline).
pub fn affected_by_newest(site: &Site) -> Selection {
    let pages = if site.config.stale_after_days.is_some() {
        site.pages.ids().collect()
    } else {
        let with_timeline = site
            .pages
            .enumerate()
            .filter(|(_, p)| !p.timeline.is_empty());
        let mut pages: BTreeSet<PageId> = with_timeline.map(|(i, _)| i).collect();
        pages.extend(site.pages.front_page());
        pages
    };
    Selection {
        pages,
        ..Selection::default()
    }
}

/// The outputs a template renders, or `None` when it is shared by every page (a layout or
/// partial: rebuild everything): the generated outputs declared with it, and the pages
/// whose template it is (a page may choose any template, `404.html` too).
pub fn affected_by_template(site: &Site, name: &str) -> Option<Selection> {
    let sel = Selection {
        pages: site
            .pages
            .enumerate()
            .filter(|(_, p)| super::template_of(p) == name)
            .map(|(i, _)| i)
            .collect(),
        outputs: crate::outputs::rendered_with(name).collect(),
        book_sections: BTreeSet::new(),
        on_request: false,
    };
    (!sel.is_empty()).then_some(sel)
}

/// The outputs that show a file of `static/` besides its copy: the 404 page carries the
/// stylesheet inline, so that it is styled at any address.
pub fn affected_by_static(name: &str) -> Selection {
    Selection {
        outputs: crate::outputs::carrying(name).collect(),
        ..Selection::default()
    }
}

fn index_of(site: &Site, page: &Page) -> Option<PageId> {
    site.pages.id_of(&page.rel)
}

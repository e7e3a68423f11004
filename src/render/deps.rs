//! Which outputs show which facts of which page: the one place that knows. A build
//! renders `Selection::all`; the preview renders the `Selection` these functions give for
//! what changed. Whoever adds a list to a page or a generated file says here what it reads.

use std::collections::BTreeSet;

use crate::content::{Page, PageId};
use crate::site::Site;

/// The files `Selection::feeds` may write: a rebuild of the feeds removes those it no
/// longer writes (the calendar, once no itinerary has stops).
pub const FEED_FILES: &[&str] = &["sitemap.xml", "atom.xml", "robots.txt", "itinerary.ics"];

/// Which outputs a render writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Content pages (with their alias redirects), by index in `site.pages`.
    pub pages: BTreeSet<PageId>,
    /// The theme pages and the list of themes.
    pub themes: bool,
    /// The 404 page.
    pub not_found: bool,
    /// The printable book, `book/index.html`, all of it.
    pub book: bool,
    /// When not all of the book: the pages whose section of it changed (a body edit); the
    /// other sections are as the preview's `Memo` holds them.
    pub book_sections: BTreeSet<PageId>,
    /// `search-index.js`.
    pub search: bool,
    /// The search page, `search/index.html`.
    pub search_page: bool,
    /// Sitemap, Atom feed, robots.txt and calendar: built from front matter only.
    pub feeds: bool,
}

impl Selection {
    /// Everything a build writes.
    pub fn all(site: &Site) -> Selection {
        Selection {
            pages: site.pages.ids().collect(),
            ..Selection::generated()
        }
    }

    /// Every output that is not a content page.
    fn generated() -> Selection {
        Selection {
            pages: BTreeSet::new(),
            themes: true,
            not_found: true,
            book: true,
            book_sections: BTreeSet::new(),
            search: true,
            search_page: true,
            feeds: true,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
            && !self.themes
            && !self.not_found
            && !self.book
            && self.book_sections.is_empty()
            && !self.search
            && !self.search_page
            && !self.feeds
    }

    pub fn extend(&mut self, other: Selection) {
        self.pages.extend(other.pages);
        self.themes |= other.themes;
        self.not_found |= other.not_found;
        self.book |= other.book;
        self.book_sections.extend(other.book_sections);
        self.search |= other.search;
        self.search_page |= other.search_page;
        self.feeds |= other.feeds;
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
            // The body is shown on the page itself, in its book section and in the search
            // index (its text and headings); lists show front matter only.
            sel.pages.extend(index_of(site, page));
            sel.book_sections.extend(index_of(site, page));
            sel.search = true;
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
/// it (by its path and title) and every generated file.
fn shows_front_matter(site: &Site, page: &Page, sel: &mut Selection) {
    sel.extend(Selection::generated());
    sel.pages.extend(index_of(site, page));
    // The home page lists every page (tracker, theme groups, timeline, itinerary).
    sel.pages.extend(site.by_rel.get("_index.md").copied());
    // Its section lists it, and so may each section above (a folder without `_index.md`
    // is not a section, so the nearest one above lists it).
    for dir in crate::paths::folders_up(page.dir()) {
        let index = if dir.is_empty() {
            "_index.md".to_string()
        } else {
            format!("{dir}/_index.md")
        };
        sel.pages.extend(site.by_rel.get(&index).copied());
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
        pages.extend(site.by_rel.get("_index.md").copied());
        pages
    };
    Selection {
        pages,
        ..Selection::default()
    }
}

/// The outputs a template renders, or `None` when it is shared by every page (a layout or
/// partial: rebuild everything).
pub fn affected_by_template(site: &Site, name: &str) -> Option<Selection> {
    let mut sel = Selection::default();
    match name {
        "theme.html" | "themes.html" => sel.themes = true,
        "404.html" => sel.not_found = true,
        "search.html" => sel.search_page = true,
        "book.html" | "partials/book_page.html" => sel.book = true,
        _ => {
            sel.pages.extend(
                site.pages
                    .enumerate()
                    .filter(|(_, p)| super::template_of(p) == name)
                    .map(|(i, _)| i),
            );
            if sel.pages.is_empty() {
                return None;
            }
        }
    }
    Some(sel)
}

/// The outputs that show a file of `static/` besides its copy: the 404 page carries the
/// stylesheet inline, so that it is styled at any address.
pub fn affected_by_static(name: &str) -> Selection {
    Selection {
        not_found: name == "style.css",
        ..Selection::default()
    }
}

fn index_of(site: &Site, page: &Page) -> Option<PageId> {
    site.by_rel.get(&page.rel).copied()
}

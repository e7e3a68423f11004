//! Reloading for `serve`: one page or the templates re-read after an edit.

use std::collections::HashMap;

use super::{Site, Unbuilt, link_out_of_site_on_the_way, load_pages};
use crate::content::{Kind, Page};
use crate::diagnostic::Diagnostic;
use crate::markdown::Rendered;
use crate::pages::PageId;

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
        if let Some(d) = link_out_of_site_on_the_way(&self.root, &abs) {
            return Err(vec![d]);
        }
        let old = self.pages.id_of(rel);
        // A section that sets its pages' kind, gone (deleted, or now left out), changes the
        // kind of every page below it: read them all again, as a fresh build does.
        let sets_kinds = old.is_some_and(|i| self.pages[i].page_kind.is_some());
        if !abs.is_file() {
            if sets_kinds {
                return Ok(PageChange::NeedsFullReload);
            }
            self.unbuilt.remove(rel);
            return Ok(match old {
                Some(i) => match self.remove_at(i) {
                    Some((page, _)) => PageChange::Removed(Box::new(page)),
                    None => PageChange::Unchanged,
                },
                None => PageChange::Unchanged,
            });
        }
        let page_kinds: HashMap<String, Kind> = self
            .pages
            .iter()
            .filter_map(|p| p.page_kind.map(|k| (p.dir().to_string(), k)))
            .collect();
        let mut diags = Vec::new();
        let mut loaded = load_pages(
            &[(rel.to_string(), abs)],
            &self.config,
            &page_kinds,
            true,
            &mut diags,
        );
        let read = match (loaded.pages.pop(), loaded.above.pop()) {
            (_, Some((_, why))) => Err(why),
            (Some((page, _)), None) if super::is_unbuilt_draft(&page, self.options.drafts) => {
                Err(Unbuilt::Draft)
            }
            (Some(read), None) => Ok(read),
            (None, None) => {
                self.unbuilt
                    .entry(rel.to_string())
                    .or_insert(Unbuilt::Failed);
                return Err(diags);
            }
        };
        let (page, rendered) = match read {
            // A section that sets its pages' kind, new to the build, too.
            Ok((page, _)) if old.is_none() && page.page_kind.is_some() => {
                return Ok(PageChange::NeedsFullReload);
            }
            Ok(read) => read,
            Err(_) if sets_kinds => return Ok(PageChange::NeedsFullReload),
            Err(why) => {
                self.unbuilt.insert(rel.to_string(), why);
                return Ok(match old {
                    Some(i) => match self.remove_at(i) {
                        Some((page, _)) => PageChange::Removed(Box::new(page)),
                        None => PageChange::Unchanged,
                    },
                    None => PageChange::Unchanged,
                });
            }
        };
        self.unbuilt.remove(rel);
        match old {
            Some(i) => {
                let before = &self.pages[i];
                if before.is_section && before.page_kind != page.page_kind {
                    return Ok(PageChange::NeedsFullReload);
                }
                // A body edit that changes the marking the page shows (a section marked
                // higher) changes what its lists and every aggregate say, as a front-matter
                // edit does.
                let same_front_matter = before.text[..before.body_offset]
                    == page.text[..page.body_offset]
                    && before.shown_marking() == page.shown_marking();
                let same_body = before.body() == page.body();
                let old = self.pages.rendered(i);
                let same_links = old.ids == rendered.ids
                    && old.links.len() == rendered.links.len()
                    && old
                        .links
                        .iter()
                        .zip(&rendered.links)
                        .all(|(a, b)| a.target == b.target && a.anchor == b.anchor);
                let (previous, _) = self.pages.replace(i, page, rendered);
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
    pub(crate) fn remove_at(&mut self, i: PageId) -> Option<(Page, Rendered)> {
        self.pages.remove(i)
    }

    /// Puts a page (not in the site) in its sorted place; returns its id.
    pub(crate) fn insert_page(&mut self, page: Page, rendered: Rendered) -> PageId {
        self.pages.insert(page, rendered)
    }
}

//! The pages of a loaded site with their rendered bodies: one store whose parts change
//! together. A page keeps its `PageId` for as long as it is in the store, whatever comes
//! and goes beside it, so adding or removing a page in the preview renumbers nothing;
//! iteration is in source-path order, the order of every list and of the output.

use std::collections::HashMap;

use crate::content::Page;
use crate::markdown::Rendered;

/// A page of a `Pages` store. Typed and opaque, so that it cannot be mistaken for a
/// position in some other list; valid for the store that gave it, until the page leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageId(usize);

#[derive(Debug, Clone)]
struct Slot {
    page: Page,
    rendered: Rendered,
}

/// Every page of a site, by id and by source path.
#[derive(Debug, Clone, Default)]
pub struct Pages {
    /// By id; `None` where a page left (its id is given again to the next one).
    slots: Vec<Option<Slot>>,
    /// Every id in source-path order.
    order: Vec<PageId>,
    /// Each page's id by its path relative to `content/`.
    by_rel: HashMap<String, PageId>,
    free: Vec<PageId>,
}

impl Pages {
    /// The store of `loaded`, in any order.
    pub fn new(mut loaded: Vec<(Page, Rendered)>) -> Pages {
        loaded.sort_by(|a, b| a.0.rel.cmp(&b.0.rel));
        let order = (0..loaded.len()).map(PageId).collect();
        let by_rel = loaded
            .iter()
            .enumerate()
            .map(|(i, (p, _))| (p.rel.clone(), PageId(i)))
            .collect();
        let slots = loaded
            .into_iter()
            .map(|(page, rendered)| Some(Slot { page, rendered }))
            .collect();
        Pages {
            slots,
            order,
            by_rel,
            free: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Whether `id` is a page of this store now.
    pub fn contains(&self, id: PageId) -> bool {
        self.slot(id).is_some()
    }

    fn slot(&self, id: PageId) -> Option<&Slot> {
        self.slots.get(id.0).and_then(Option::as_ref)
    }

    pub fn get(&self, id: PageId) -> Option<&Page> {
        self.slot(id).map(|s| &s.page)
    }

    /// Page `id`'s rendered body. Panics for an id not of this store, as indexing does.
    pub fn rendered(&self, id: PageId) -> &Rendered {
        &self.slots[id.0]
            .as_ref()
            .expect("a page of this store")
            .rendered
    }

    /// The page at `rel` (relative to `content/`: `disputes/canola.md`).
    pub fn id_of(&self, rel: &str) -> Option<PageId> {
        self.by_rel.get(rel).copied()
    }

    /// The front page, `content/_index.md`.
    pub fn front_page(&self) -> Option<PageId> {
        self.id_of(crate::content::FRONT_PAGE)
    }

    /// Every id, in source-path order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = PageId> + ExactSizeIterator + '_ {
        self.order.iter().copied()
    }

    /// Every id in source-path order, as a slice (for parallel iteration).
    pub fn order(&self) -> &[PageId] {
        &self.order
    }

    /// Every page, in source-path order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Page> + ExactSizeIterator {
        self.ids().map(|id| &self[id])
    }

    /// Every page with its id, in source-path order.
    pub fn enumerate(&self) -> impl DoubleEndedIterator<Item = (PageId, &Page)> {
        self.ids().map(|id| (id, &self[id]))
    }

    /// Every page with its rendered body, in source-path order.
    pub fn with_rendered(&self) -> impl Iterator<Item = (&Page, &Rendered)> {
        self.ids().map(|id| (&self[id], self.rendered(id)))
    }

    /// Every id is below this: the size of a table by id (`ByPage`).
    pub fn id_bound(&self) -> usize {
        self.slots.len()
    }

    /// Puts a page whose source path is not in the store in its place; its new id.
    pub fn insert(&mut self, page: Page, rendered: Rendered) -> PageId {
        let slot = Some(Slot { page, rendered });
        let id = match self.free.pop() {
            Some(id) => {
                self.slots[id.0] = slot;
                id
            }
            None => {
                self.slots.push(slot);
                PageId(self.slots.len() - 1)
            }
        };
        let rel = self[id].rel.clone();
        let at = self.order.partition_point(|&o| self[o].rel < rel);
        self.order.insert(at, id);
        self.by_rel.insert(rel, id);
        id
    }

    /// Takes page `id` out of the store, with its rendered body.
    pub fn remove(&mut self, id: PageId) -> Option<(Page, Rendered)> {
        let rel = self.get(id)?.rel.as_str();
        let at = self
            .order
            .binary_search_by(|&o| self[o].rel.as_str().cmp(rel));
        if let Ok(at) = at {
            self.order.remove(at);
        }
        let Slot { page, rendered } = self.slots.get_mut(id.0)?.take()?;
        self.by_rel.remove(&page.rel);
        self.free.push(id);
        Some((page, rendered))
    }

    /// Puts a new version of page `id` (the same source path) in its place; the old one.
    pub fn replace(&mut self, id: PageId, page: Page, rendered: Rendered) -> (Page, Rendered) {
        debug_assert_eq!(self[id].rel, page.rel, "replaced by another page");
        let slot = self.slots[id.0].as_mut().expect("a page of this store");
        (
            std::mem::replace(&mut slot.page, page),
            std::mem::replace(&mut slot.rendered, rendered),
        )
    }
}

impl std::ops::Index<PageId> for Pages {
    type Output = Page;
    /// Panics for an id not of this store, as a slice does out of bounds.
    fn index(&self, id: PageId) -> &Page {
        &self.slots[id.0]
            .as_ref()
            .expect("a page of this store")
            .page
    }
}

/// Something of each page of a store, by `PageId` (sized by `Pages::id_bound`).
#[derive(Debug, Clone)]
pub struct ByPage<T>(Vec<T>);

impl<T> ByPage<T> {
    /// `make()` for every id of `pages`.
    pub fn new(pages: &Pages, make: impl FnMut() -> T) -> ByPage<T> {
        ByPage(
            std::iter::repeat_with(make)
                .take(pages.id_bound())
                .collect(),
        )
    }
}

impl<T> std::ops::Index<PageId> for ByPage<T> {
    type Output = T;
    fn index(&self, id: PageId) -> &T {
        &self.0[id.0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(rel: &str) -> (Page, Rendered) {
        let config = crate::config::Config::parse("title = \"t\"\n").unwrap_or_else(|d| {
            panic!("{d:?}");
        });
        let text = format!("+++\ntitle = \"{rel}\"\nsummary = \"s\"\n+++\nBody of {rel}.\n");
        let file = std::path::Path::new("content").join(rel);
        let p =
            crate::content::parse_page(rel, &file, text, &config, || crate::content::Kind::Note)
                .unwrap_or_else(|d| panic!("{d:?}"));
        let r = crate::markdown::render(p.body(), p.dir());
        (p, r)
    }

    fn rels(pages: &Pages) -> Vec<&str> {
        pages.iter().map(|p| p.rel.as_str()).collect()
    }

    #[test]
    fn ids_stay_while_pages_come_and_go_and_order_is_by_source_path() {
        let mut pages = Pages::new(vec![page("c.md"), page("a.md"), page("e.md")]);
        assert_eq!(rels(&pages), ["a.md", "c.md", "e.md"]);
        let c = pages.id_of("c.md").expect("c");
        let e = pages.id_of("e.md").expect("e");
        let (b, rb) = page("b.md");
        let b = pages.insert(b, rb);
        assert_eq!(rels(&pages), ["a.md", "b.md", "c.md", "e.md"]);
        // Nothing else moved.
        assert_eq!(pages.id_of("c.md"), Some(c));
        assert_eq!(pages.id_of("e.md"), Some(e));
        assert_eq!(pages[b].rel, "b.md");
        let (gone, _) = pages.remove(c).expect("c was there");
        assert_eq!(gone.rel, "c.md");
        assert_eq!(rels(&pages), ["a.md", "b.md", "e.md"]);
        assert!(!pages.contains(c) && pages.id_of("c.md").is_none());
        assert!(pages.remove(c).is_none(), "removed once");
        // Its id is given again; the order is still by path.
        let (d, rd) = page("d.md");
        let d = pages.insert(d, rd);
        assert_eq!(d, c);
        assert_eq!(rels(&pages), ["a.md", "b.md", "d.md", "e.md"]);
        assert_eq!(pages.len(), 4);
        for (id, p) in pages.enumerate() {
            assert_eq!(pages.id_of(&p.rel), Some(id));
            assert!(pages.rendered(id).text.contains(&p.rel));
        }
        let (e2, re2) = page("e.md");
        let (old, _) = pages.replace(e, e2, re2);
        assert_eq!(old.rel, "e.md");
        assert_eq!(pages.id_of("e.md"), Some(e));
    }
}

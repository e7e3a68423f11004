//! Link rewriting for render: each page's placeholder links pointed at their targets,
//! from the page or from inside the book.

use super::Site;
use crate::markdown::{LINK_MARK, LINK_MARK_END};
use crate::pages::PageId;
use crate::url::{page_url, root_prefix, url_path};

impl Site {
    /// The body of page `i` with its links pointing at their targets' URLs, relative to
    /// the page.
    pub fn body_html(&self, i: PageId) -> String {
        // `check` renders no HTML: nothing to point anywhere.
        if self.pages.rendered(i).html.is_empty() {
            return String::new();
        }
        let prefix = root_prefix(&self.pages[i].path);
        self.body_with(i, &prefix, |j, anchor| {
            let mut href = format!("{prefix}{}", page_url(&self.pages[j].path, self.portable()));
            if let Some(a) = anchor {
                href.push('#');
                href.push_str(a);
            }
            href
        })
    }

    /// The body of page `i` inside the one-page book (at `book/`), where every page is a
    /// section with the id `anchors(j)`: links to pages of the book stay inside it, and
    /// heading ids are prefixed so that pages' ids cannot collide.
    pub fn book_body<'a>(&self, i: PageId, anchors: impl Fn(PageId) -> Option<&'a str>) -> String {
        if self.pages.rendered(i).html.is_empty() {
            return String::new();
        }
        let own = anchors(i).unwrap_or_default();
        let hrefs = self.hrefs(i, "../", |j, anchor| match (anchors(j), anchor) {
            (Some(a), Some(anchor)) => format!("#{a}--{anchor}"),
            (Some(a), None) => format!("#{a}"),
            (None, anchor) => {
                let mut href = format!("../{}", page_url(&self.pages[j].path, self.portable()));
                if let Some(anchor) = anchor {
                    href.push('#');
                    href.push_str(anchor);
                }
                href
            }
        });
        rewrite(&self.pages.rendered(i).html, &hrefs, Some(own))
    }

    fn body_with(
        &self,
        i: PageId,
        prefix: &str,
        href: impl Fn(PageId, Option<&str>) -> String,
    ) -> String {
        rewrite(
            &self.pages.rendered(i).html,
            &self.hrefs(i, prefix, href),
            None,
        )
    }

    /// The href of each placeholder link of page `i`: `href(target, anchor)` for pages,
    /// and the asset's path after `prefix` (the way back to the output root) for files.
    fn hrefs(
        &self,
        i: PageId,
        prefix: &str,
        href: impl Fn(PageId, Option<&str>) -> String,
    ) -> Vec<Option<String>> {
        self.pages
            .rendered(i)
            .links
            .iter()
            .filter(|l| l.placeholder)
            .map(|l| {
                let target = l.target.as_deref()?;
                if l.asset {
                    let mut s = format!("{prefix}{}", url_path(target));
                    if let Some(a) = &l.anchor {
                        s.push('#');
                        s.push_str(a);
                    }
                    return Some(s);
                }
                let j = self.pages.id_of(target)?;
                Some(href(j, l.anchor.as_deref()))
            })
            .collect()
    }
}

/// Rewrites a rendered body in one pass over its attributes: `@@briefing-link-N@@` becomes
/// the N-th resolved href and, with `id_prefix` (the book), every `id` and `#fragment` of
/// the page gets the prefix, so that pages put side by side cannot collide.
fn rewrite(html: &str, hrefs: &[Option<String>], id_prefix: Option<&str>) -> String {
    if hrefs.is_empty() && id_prefix.is_none() {
        return html.to_string();
    }
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + hrefs.len() * 16);
    let mut copied = 0;
    for at in memchr::memmem::find_iter(bytes, b"=\"") {
        let value = at + 2;
        let rest = &html[value..];
        let before = &bytes[..at];
        if let Some(after) = rest.strip_prefix(LINK_MARK) {
            let Some(end) = after.find(LINK_MARK_END) else {
                continue;
            };
            let Some(href) = after[..end]
                .parse::<usize>()
                .ok()
                .and_then(|n| hrefs.get(n))
            else {
                continue;
            };
            out.push_str(&html[copied..value]);
            out.push_str(href.as_deref().unwrap_or("#"));
            copied = value + LINK_MARK.len() + end + LINK_MARK_END.len();
        } else if let Some(prefix) = id_prefix {
            if before.ends_with(b" id") {
                out.push_str(&html[copied..value]);
                out.push_str(prefix);
                out.push_str("--");
                copied = value;
            } else if before.ends_with(b"href") && rest.starts_with('#') {
                out.push_str(&html[copied..value + 1]);
                out.push_str(prefix);
                out.push_str("--");
                copied = value + 1;
            }
        }
    }
    out.push_str(&html[copied..]);
    out
}

impl Site {
    /// Pages whose Markdown links to the page at `rel`.
    pub fn pages_linking_to(&self, rel: &str) -> Vec<PageId> {
        self.pages
            .ids()
            .filter(|&i| {
                let links = &self.pages.rendered(i).links;
                links.iter().any(|l| l.target.as_deref() == Some(rel))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn rewrites_placeholders_ids_and_fragments_in_one_pass() {
        let html = r##"<h2 id="a">A</h2><a href="@@briefing-link-0@@">x</a><img src="@@briefing-link-1@@"><a href="#a">y</a>"##;
        let hrefs = [Some("../b/".to_string()), Some("../map.png".to_string())];
        assert_eq!(
            rewrite(html, &hrefs, None),
            r##"<h2 id="a">A</h2><a href="../b/">x</a><img src="../map.png"><a href="#a">y</a>"##
        );
        assert_eq!(
            rewrite(html, &hrefs, Some("p-x")),
            r##"<h2 id="p-x--a">A</h2><a href="../b/">x</a><img src="../map.png"><a href="#p-x--a">y</a>"##
        );
        assert_eq!(rewrite("no links", &[], None), "no links");
    }
}

//! Unit tests of the dependency function (`render::deps`): which outputs a change shows on,
//! on the small fixture site (home, itinerary, the disputes section with canola and ev, and
//! a note linking to canola).

use std::collections::BTreeSet;

use briefing::outputs::Output::{self, *};
use briefing::render::{self, PageEdit, Selection};
use briefing::{LoadOptions, Site};

use crate::common::TestSite;

fn load(site: &TestSite) -> Site {
    match Site::load(&site.root, LoadOptions::default()) {
        Ok(s) => s,
        Err(e) => panic!("fixture loads: {e:?}"),
    }
}

fn page<'s>(site: &'s Site, rel: &str) -> &'s briefing::content::Page {
    &site.pages[site.pages.id_of(rel).expect("a page of the fixture")]
}

/// The site-relative files of the content pages a selection renders, sorted.
fn pages_of(site: &Site, sel: &Selection) -> Vec<String> {
    let rels: BTreeSet<String> = sel
        .pages
        .iter()
        .map(|&i| site.pages[i].rel.clone())
        .collect();
    rels.into_iter().collect()
}

/// The generated outputs a selection renders whole.
fn outputs(sel: &Selection) -> Vec<Output> {
    sel.outputs.iter().copied().collect()
}

#[test]
fn a_body_edit_shows_on_the_page_the_book_and_the_search_index_only() {
    let fixture = TestSite::fixture("basic_site");
    let site = load(&fixture);
    let sel = render::affected_by_page(&site, PageEdit::Body(page(&site, "disputes/ev.md")));
    assert_eq!(pages_of(&site, &sel), ["disputes/ev.md"]);
    // Its own section of the book, not all of it; the index, not the search page (which
    // lists titles); the PDF, which shows every body.
    assert_eq!(sel.book_sections, sel.pages);
    assert_eq!(outputs(&sel), [SearchIndex, BookPdf]);
}

#[test]
fn a_front_matter_edit_shows_on_its_lists_and_on_the_pages_linking_to_it() {
    let fixture = TestSite::fixture("basic_site");
    let site = load(&fixture);
    let canola = page(&site, "disputes/canola.md");
    let edit = PageEdit::FrontMatter {
        before: Some(canola),
        after: Some(canola),
    };
    let sel = render::affected_by_page(&site, edit);
    // The page, the home page (which also links to it), its section, and the note that
    // links to it by title; not the itinerary or the other dispute.
    assert_eq!(
        pages_of(&site, &sel),
        [
            "_index.md",
            "disputes/_index.md",
            "disputes/canola.md",
            "notes/detentions.md"
        ]
    );
    // Every generated output that shows front matter: all but robots.txt.
    assert_eq!(
        outputs(&sel),
        [
            ThemePage,
            ThemeList,
            NotFound,
            SearchPage,
            SearchIndex,
            Book,
            BookPdf,
            Sitemap,
            Atom,
            Calendar
        ]
    );
}

#[test]
fn a_front_matter_edit_of_a_navigation_item_shows_on_every_page() {
    let fixture = TestSite::fixture("basic_site");
    let site = load(&fixture);
    for rel in ["itinerary.md", "disputes/_index.md"] {
        assert!(
            render::in_navigation(page(&site, rel)),
            "{rel} is in the navigation"
        );
        let p = page(&site, rel);
        let sel = render::affected_by_page(
            &site,
            PageEdit::FrontMatter {
                before: Some(p),
                after: Some(p),
            },
        );
        assert_eq!(sel.pages.len(), site.pages.len(), "{rel}: every page");
    }
    assert!(!render::in_navigation(page(&site, "disputes/ev.md")));
    assert!(!render::in_navigation(page(&site, "notes/detentions.md")));
}

#[test]
fn a_deleted_page_shows_where_it_was_listed() {
    let fixture = TestSite::fixture("basic_site");
    let before = load(&fixture);
    let ev = page(&before, "disputes/ev.md").clone();
    std::fs::remove_file(fixture.root.join("content/disputes/ev.md")).expect("remove ev");
    let after = load(&fixture);
    let sel = render::affected_by_page(
        &after,
        PageEdit::FrontMatter {
            before: Some(&ev),
            after: None,
        },
    );
    assert_eq!(pages_of(&after, &sel), ["_index.md", "disputes/_index.md"]);
    assert!(sel.has(ThemePage) && sel.has(ThemeList) && sel.has(Atom) && sel.has(Calendar));
}

#[test]
fn a_template_selects_the_pages_it_renders_and_a_layout_selects_everything() {
    let fixture = TestSite::fixture("basic_site");
    let site = load(&fixture);
    let sel = render::affected_by_template(&site, "dispute.html").expect("dispute pages");
    assert_eq!(
        pages_of(&site, &sel),
        ["disputes/canola.md", "disputes/ev.md"]
    );
    assert_eq!(outputs(&sel), []);

    for (template, output) in [
        ("theme.html", ThemePage),
        ("themes.html", ThemeList),
        ("404.html", NotFound),
        ("search.html", SearchPage),
        ("book.html", Book),
        ("partials/book_page.html", Book),
    ] {
        let sel = render::affected_by_template(&site, template).expect("its output");
        assert_eq!(outputs(&sel), [output], "{template}");
        assert!(sel.pages.is_empty(), "{template}");
    }

    for shared in ["base.html", "partials/toc.html", "unused.html"] {
        assert_eq!(
            render::affected_by_template(&site, shared),
            None,
            "{shared}: rebuild all"
        );
    }
}

/// A page may choose a generated output's template (`template = "404.html"`): an edit of
/// it re-renders that page too, as a fresh build would.
#[test]
fn a_page_using_a_generated_outputs_template_is_rendered_with_it() {
    let fixture = TestSite::fixture("basic_site");
    for (n, name) in ["404.html", "themes.html", "search.html", "book.html"]
        .into_iter()
        .enumerate()
    {
        fixture.write(
            &format!("content/notes/t{n}.md"),
            &format!("+++\ntitle = \"T\"\nsummary = \"S.\"\ntemplate = \"{name}\"\n+++\nBody.\n"),
        );
    }
    let site = load(&fixture);
    for (n, name) in ["404.html", "themes.html", "search.html", "book.html"]
        .into_iter()
        .enumerate()
    {
        let sel = render::affected_by_template(&site, name).expect("selected");
        assert_eq!(pages_of(&site, &sel), [format!("notes/t{n}.md")], "{name}");
        assert_eq!(sel.outputs.len(), 1, "{name}");
    }
}

#[test]
fn the_stylesheet_shows_in_the_404_page_and_other_statics_nowhere() {
    let style = render::affected_by_static("style.css");
    assert_eq!(outputs(&style), [NotFound]);
    assert!(style.pages.is_empty());
    assert!(render::affected_by_static("favicon.svg").is_empty());
}

#[test]
fn a_moved_newest_date_marks_the_timelines_and_with_staleness_every_page() {
    let fixture = TestSite::fixture("basic_site");
    let site = load(&fixture);
    // Upcoming marks: the home page shows every timeline; the note has one.
    let sel = render::affected_by_newest(&site);
    assert_eq!(
        pages_of(&site, &sel),
        ["_index.md", "disputes/canola.md", "notes/detentions.md"]
    );
    let config = fixture.read("briefing.toml");
    fixture.write("briefing.toml", &format!("stale_after_days = 30\n{config}"));
    let site = load(&fixture);
    assert_eq!(
        render::affected_by_newest(&site).pages.len(),
        site.pages.len()
    );
}

#[test]
fn selections_extend_by_union() {
    let fixture = TestSite::fixture("basic_site");
    let site = load(&fixture);
    let id = |rel: &str| site.pages.id_of(rel).expect("a page of the fixture");
    let (one, two, three) = (id("_index.md"), id("itinerary.md"), id("disputes/ev.md"));
    let mut a = Selection {
        outputs: [Book].into(),
        pages: [one].into(),
        ..Selection::default()
    };
    a.extend(Selection {
        outputs: [Atom].into(),
        pages: [two].into(),
        book_sections: [two].into(),
        ..Selection::default()
    });
    assert_eq!(
        a,
        Selection {
            outputs: [Book, Atom].into(),
            pages: [one, two].into(),
            book_sections: [two].into(),
            ..Selection::default()
        }
    );
    let body_only = Selection {
        book_sections: [three].into(),
        ..Selection::default()
    };
    assert!(!body_only.is_empty());
    assert!(Selection::default().is_empty() && !a.is_empty());
}

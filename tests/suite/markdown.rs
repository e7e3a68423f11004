//! Markdown beyond CommonMark, on built pages parsed with a real HTML parser: footnotes
//! gathered at the end of the body, GitHub alerts as callouts, and warnings for what
//! renders but not as meant (issue 12, items 7 and 8).

use crate::common;

use std::collections::HashSet;

use scraper::Html;

use common::{TestSite, sel, text_of};

fn built() -> TestSite {
    let site = TestSite::fixture("footnotes_and_callouts");
    site.build().ok();
    site
}

fn ids(doc: &Html) -> HashSet<String> {
    doc.select(&sel("[id]"))
        .filter_map(|e| e.value().attr("id").map(str::to_string))
        .collect()
}

/// Every `href="#…"` inside `scope` names an element of the document.
fn assert_fragments_resolve(doc: &Html, scope: &str) {
    let ids = ids(doc);
    let mut n = 0;
    for a in doc.select(&sel(&format!("{scope} a[href^='#']"))) {
        let href = a.value().attr("href").unwrap_or_default();
        assert!(ids.contains(&href[1..]), "{href} names no element");
        n += 1;
    }
    assert!(n > 0, "no fragment links under {scope}");
}

#[test]
fn footnotes_come_after_the_body_numbered_in_the_order_they_are_referred_to() {
    let site = built();
    let doc = site.html("notes/footnotes/index.html");
    let prose = doc.select(&sel(".prose")).next().expect("prose");
    let children: Vec<_> = prose
        .children()
        .filter_map(scraper::ElementRef::wrap)
        .collect();
    let last = children.last().expect("children");
    assert_eq!(last.value().name(), "section");
    assert!(last.value().classes().any(|c| c == "footnotes"));
    // The heading and paragraph written after the first definition stay before the notes.
    let heading = children
        .iter()
        .position(|e| e.value().attr("id") == Some("background"))
        .expect("the Background heading");
    assert!(heading < children.len() - 1);

    let notes: Vec<String> = doc
        .select(&sel(".footnotes > ol > li"))
        .map(text_of)
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].contains("100 % surtax"), "{notes:?}");
    assert!(notes[0].contains("Its second paragraph"), "{notes:?}");
    assert!(notes[1].contains("Consultations"), "{notes:?}");

    let refs: Vec<String> = doc
        .select(&sel(".prose > p .footnote-ref a"))
        .map(text_of)
        .collect();
    assert_eq!(refs, ["1", "2", "1"]);
    // The note referred to twice links back to both references.
    let backs = doc.select(&sel("#fn-1 .footnote-back")).count();
    assert_eq!(backs, 2);
    assert_fragments_resolve(&doc, ".prose");
}

#[test]
fn footnotes_in_the_book_link_within_their_own_page() {
    let site = built();
    let doc = site.html("book/index.html");
    assert_eq!(doc.select(&sel(".footnotes")).count(), 1);
    assert_fragments_resolve(&doc, ".footnotes");
    assert_fragments_resolve(&doc, ".footnote-ref");
}

#[test]
fn each_alert_kind_renders_its_callout() {
    let site = built();
    for page in ["notes/callouts/index.html", "book/index.html"] {
        let doc = site.html(page);
        let callouts: Vec<(String, String)> = doc
            .select(&sel(".callout[role='note']"))
            .map(|c| {
                let kind = c
                    .value()
                    .classes()
                    .find(|k| k.starts_with("callout-"))
                    .unwrap_or_default()
                    .to_string();
                let title = c
                    .select(&sel(".callout-title"))
                    .next()
                    .map(text_of)
                    .unwrap_or_default();
                (kind, title)
            })
            .collect();
        assert_eq!(
            callouts,
            [
                ("callout-note", "Note"),
                ("callout-tip", "Tip"),
                ("callout-important", "Important"),
                ("callout-warning", "Warning"),
                ("callout-caution", "Caution"),
            ]
            .map(|(k, t)| (k.to_string(), t.to_string())),
            "{page}"
        );
        // The marker is not printed, and an ordinary quotation stays one.
        assert!(!text_of(doc.root_element()).contains("[!NOTE]"), "{page}");
        let quotes: Vec<String> = doc.select(&sel(".prose blockquote")).map(text_of).collect();
        assert_eq!(quotes, ["An ordinary quotation."], "{page}");
    }
}

#[test]
fn a_hugo_shortcode_and_a_loose_footnote_are_warned_of_with_their_line() {
    let site = TestSite::fixture("footnotes_and_callouts");
    for run in [site.run(&["check"]).ok(), site.build().ok()] {
        let err = &run.stderr;
        let shortcode: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("warning: Hugo shortcodes are not supported"))
            .collect();
        assert_eq!(shortcode.len(), 1, "{err}");
        assert!(shortcode[0].contains("{{< figure >}}"), "{err}");
        assert!(!shortcode[0].contains("more on this page"), "{err}");
        assert!(err.contains("content/notes/loose-ends.md:9:1"), "{err}");
        assert!(
            err.contains("warning: [^missing] refers to no footnote"),
            "{err}"
        );
        assert!(err.contains("content/notes/loose-ends.md:7:"), "{err}");
        assert!(
            err.contains("warning: the footnote [^unused] is never referred to"),
            "{err}"
        );
        assert!(err.contains("content/notes/loose-ends.md:15:1"), "{err}");
        // The pages with nothing wrong give no warning.
        assert!(!err.contains("footnotes.md"), "{err}");
        assert!(!err.contains("callouts.md"), "{err}");
    }
}

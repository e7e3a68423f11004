//! Snapshots of the `<main>` element of one page per built-in template (as mdBook checks
//! its output): a change to what a reader sees shows up as a reviewed diff. Only `<main>`,
//! so the header, navigation and footer do not make every snapshot churn.

use scraper::Html;

use crate::common::{TestSite, sel};

/// The `<main>` of a page, one element per line, so a diff reads well.
fn main_of(html: &Html) -> String {
    let main = html.select(&sel("main")).next().expect("a <main> element");
    main.html().replace("><", ">\n<")
}

#[test]
fn main_of_each_built_in_template() {
    let site = TestSite::fixture("basic_site");
    site.run(&["build", "-q"]).ok();
    for (template, page) in [
        ("index", "index.html"),
        ("section", "disputes/index.html"),
        ("note", "notes/detentions/index.html"),
        ("dispute", "disputes/canola/index.html"),
        ("itinerary", "itinerary/index.html"),
        ("themes", "themes/index.html"),
        ("theme", "themes/trade/index.html"),
        ("book", "book/index.html"),
        ("404", "404.html"),
    ] {
        insta::assert_snapshot!(template, main_of(&site.html(page)));
    }
}

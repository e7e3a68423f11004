//! What a reader sees in the default theme (issue 12, items 10–20), checked on the built
//! bundled book through a real HTML parser: the structure the stylesheet and the browser
//! tests (`browser.rs`) rely on.

use crate::common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use scraper::{ElementRef, Html};

use common::{TestSite, html_files, sel, text_of};

fn built() -> TestSite {
    let site = TestSite::bundled();
    site.build().ok();
    site
}

/// `themes` and `as_of` of every page of the bundled book, read independently of briefing.
fn bundled_pages() -> Vec<(String, toml::Table)> {
    let content = common::repo().join("content");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&content).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.path().extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(entry.path()).expect("read");
            let fm = text.split("+++").nth(1).expect("front matter");
            let rel = entry.path().strip_prefix(&content).expect("rel");
            out.push((
                rel.to_string_lossy().replace('\\', "/"),
                toml::from_str(fm).expect("toml"),
            ));
        }
    }
    out
}

fn themes_of(fm: &toml::Table) -> Vec<String> {
    fm.get("themes")
        .and_then(|t| t.as_array())
        .map(|t| {
            t.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn as_of(fm: &toml::Table) -> Option<NaiveDate> {
    fm.get("as_of")
        .and_then(|d| d.as_datetime())
        .and_then(|d| d.date)
        .and_then(|d| NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()))
}

#[test]
fn a_page_with_several_themes_is_shown_in_full_once_on_the_front_page() {
    let site = built();
    let index = site.html("index.html");
    let groups = index
        .select(&sel(".theme-groups"))
        .next()
        .expect("theme groups");
    let mut full: BTreeMap<String, usize> = BTreeMap::new();
    for card in groups.select(&sel(".card-title")) {
        *full.entry(text_of(card)).or_default() += 1;
    }
    let mut several = 0;
    for (rel, fm) in bundled_pages() {
        let themes = themes_of(&fm);
        if rel == "_index.md" || themes.is_empty() {
            continue;
        }
        let title = fm["title"].as_str().expect("title");
        assert_eq!(
            full.get(title).copied(),
            Some(1),
            "{title} is shown in full once"
        );
        if themes.len() > 1 {
            several += 1;
            let links: Vec<String> = groups
                .select(&sel(".also-list a"))
                .filter(|a| text_of(*a) == title)
                .map(text_of)
                .collect();
            assert_eq!(
                links.len(),
                themes.len() - 1,
                "{title}: a one-line link under each of its other themes"
            );
        }
    }
    assert!(several >= 6, "the bundled book has pages with two themes");
}

#[test]
fn the_itinerary_at_a_glance_wraps_evenly_and_links_the_full_itinerary() {
    let site = built();
    let index = site.html("index.html");
    let list = index.select(&sel(".glance-list")).next().expect("glance");
    let n = list.select(&sel(":scope > li")).count();
    let style = list.value().attr("style").expect("column counts");
    for (most, part) in [2, 3, 4, 6].into_iter().zip(style.split(';')) {
        let (name, value) = part.split_once(':').expect("name:value");
        assert_eq!(name, format!("--cols-{most}"));
        let cols: usize = value.parse().expect("a number");
        assert!((1..=most).contains(&cols), "{part}");
        // The fewest rows `most` columns allow, and no lone card on the last row.
        assert_eq!(n.div_ceil(cols), n.div_ceil(most), "{part} for {n} stops");
        let last = n - (n.div_ceil(cols) - 1) * cols;
        assert!(cols == 1 || last > 1, "{part}: {last} card alone");
    }
    // The link to the whole itinerary comes right after the cards.
    let section = index.select(&sel("section.glance")).next().expect("glance");
    let after: Vec<ElementRef> = section
        .children()
        .filter_map(ElementRef::wrap)
        .skip_while(|e| !e.value().classes().any(|c| c == "glance-list"))
        .collect();
    let link = after
        .get(1)
        .and_then(|p| p.select(&sel("a")).next())
        .expect("a link after the cards");
    assert_eq!(text_of(link), "Full itinerary");
}

#[test]
fn tracker_and_measures_cells_carry_their_column_for_the_phone_cards() {
    let site = built();
    let mut tables = 0;
    for page in [
        "index.html",
        "disputes/canola/index.html",
        "book/index.html",
    ] {
        let doc = site.html(page);
        for table in doc.select(&sel("table.stack")) {
            tables += 1;
            let heads: Vec<String> = table.select(&sel("thead th")).map(text_of).collect();
            for row in table.select(&sel("tbody tr")) {
                let labels: Vec<&str> = row
                    .select(&sel("td"))
                    .map(|td| td.value().attr("data-label").unwrap_or(""))
                    .collect();
                assert_eq!(labels, heads, "{page}: each cell names its column");
            }
        }
    }
    assert!(tables >= 3, "tracker, measures, book: {tables}");
    // The caption speaks to the reader, not about how the table is built.
    let index = site.html("index.html");
    let caption = text_of(
        index
            .select(&sel("table.tracker caption"))
            .next()
            .expect("caption"),
    );
    assert!(
        !caption.contains("from each dispute page") && caption.contains("dispute page"),
        "{caption}"
    );
}

#[test]
fn every_scrolling_table_box_is_focusable_and_named() {
    let site = built();
    let public = site.public();
    let mut boxes = 0;
    for page in html_files(&public) {
        let doc = common::parse_html(&public.join(&page));
        for wrap in doc.select(&sel(".table-wrap")) {
            boxes += 1;
            let el = wrap.value();
            assert_eq!(el.attr("tabindex"), Some("0"), "{page}: {}", wrap.html());
            assert_eq!(el.attr("role"), Some("region"), "{page}");
            let name = match (el.attr("aria-label"), el.attr("aria-labelledby")) {
                (Some(label), _) => label.to_string(),
                (None, Some(id)) => doc
                    .select(&sel(&format!("[id='{id}']")))
                    .next()
                    .map(text_of)
                    .unwrap_or_default(),
                (None, None) => String::new(),
            };
            assert!(!name.trim().is_empty(), "{page}: unnamed {}", wrap.html());
        }
    }
    // Markdown tables on canola, pork and seafood and the outcomes, the tracker, measures,
    // and all of those again in the book.
    assert!(boxes >= 15, "{boxes} table boxes");
    let canola = site.html("disputes/canola/index.html");
    let md = canola
        .select(&sel(".prose .table-wrap"))
        .next()
        .expect("a Markdown table on canola");
    assert_eq!(
        md.value().attr("aria-label"),
        Some("Table: Product, Measure, Rate, Canadian exports to China, 2024")
    );
}

#[test]
fn timeline_marks_dates_after_the_newest_as_of_as_upcoming() {
    let site = built();
    let newest = bundled_pages()
        .iter()
        .filter_map(|(_, fm)| as_of(fm))
        .max()
        .expect("as_of");
    let index = site.html("index.html");
    let (mut upcoming, mut past) = (0, 0);
    for li in index.select(&sel(".timeline-list > li")) {
        let date = li
            .select(&sel("time"))
            .next()
            .and_then(|t| t.value().attr("datetime"))
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .expect("a dated event");
        let marked = li.value().classes().any(|c| c == "upcoming");
        let badge = li
            .select(&sel(".badge-upcoming"))
            .next()
            .map(text_of)
            .unwrap_or_default();
        assert_eq!(marked, date > newest, "{date} against {newest}");
        assert_eq!(badge == "Upcoming", date > newest, "{date}: said in words");
        if marked {
            upcoming += 1;
        } else {
            past += 1;
        }
    }
    assert!(
        upcoming >= 1 && past >= 5,
        "{upcoming} upcoming, {past} past"
    );
}

#[test]
fn itinerary_spans_read_as_ranges_and_unknown_times_are_said_once_a_day() {
    let site = built();
    let page = site.html("itinerary/index.html");
    let main = text_of(page.select(&sel("main")).next().expect("main"));
    assert!(main.contains("14–16 January 2026"), "{main}");
    assert!(
        !main.contains("January 2026 to "),
        "no \"14 January 2026 to 16 January 2026\""
    );
    let mut days_with_meetings = Vec::new();
    for day in page.select(&sel(".day")) {
        let heading = text_of(day.select(&sel(".day-heading")).next().expect("heading"));
        let said = text_of(day).matches("Time to be confirmed").count();
        assert!(
            said <= 1,
            "{heading}: \"Time to be confirmed\" {said} times"
        );
        let titles: Vec<String> = day.select(&sel(".stop-title")).map(text_of).collect();
        if titles
            .iter()
            .any(|t| t == "Meetings with senior Chinese officials")
        {
            days_with_meetings.push(heading.clone());
        }
        if titles
            .iter()
            .any(|t| t == "World Economic Forum annual meeting")
        {
            assert_eq!(
                heading, "19–23 January 2026",
                "a stop alone on its days: one span"
            );
        }
    }
    // A stop over three days that shares them with other stops is on each of them.
    assert_eq!(
        days_with_meetings,
        [
            "Wednesday 14 January 2026",
            "Thursday 15 January 2026",
            "Friday 16 January 2026"
        ]
    );
    let notes: Vec<String> = page.select(&sel(".stop-span-note")).map(text_of).collect();
    assert_eq!(
        notes,
        [
            "Day 1 of 3, 14–16 January 2026",
            "Day 2 of 3, 14–16 January 2026",
            "Day 3 of 3, 14–16 January 2026"
        ]
    );
}

#[test]
fn a_dispute_page_links_its_ask_and_talking_points_from_the_top() {
    let site = built();
    let page = site.html("disputes/canola/index.html");
    let jump = page.select(&sel("nav.jump")).next().expect("a jump list");
    let facts = page.select(&sel("dl.dispute-facts")).next().expect("facts");
    // The list comes before the facts, the measures and the body.
    let html = page.html();
    let (j, f) = (
        html.find(&jump.html()).expect("jump"),
        html.find(&facts.html()).expect("facts"),
    );
    assert!(j < f, "the jump list is above the facts");
    let links: Vec<(String, String)> = jump
        .select(&sel("a"))
        .map(|a| (text_of(a), a.value().attr("href").unwrap_or("").to_string()))
        .collect();
    for wanted in ["Our ask", "Measures", "Talking points", "Sources"] {
        let (_, href) = links
            .iter()
            .find(|(t, _)| t == wanted)
            .unwrap_or_else(|| panic!("no {wanted} in {links:?}"));
        let id = href.strip_prefix('#').expect("an in-page link");
        assert!(
            page.select(&sel(&format!("[id='{id}']"))).next().is_some(),
            "{wanted}: #{id} exists"
        );
    }
    // Short facts and long ones are told apart, so the short ones size to their words.
    let short: Vec<String> = facts.select(&sel(".fact-short dt")).map(text_of).collect();
    let long: Vec<String> = facts.select(&sel(".fact-long dt")).map(text_of).collect();
    assert_eq!(short, ["Imposed by", "Affected"]);
    assert_eq!(long, ["What is at stake", "Our ask"]);
}

#[test]
fn the_book_groups_its_contents_by_section_and_keeps_the_front_page_whole() {
    let site = built();
    let book = site.html("book/index.html");
    let contents = book.select(&sel(".book-contents > ol")).next().expect("ol");
    let groups: Vec<String> = contents
        .select(&sel(":scope > li.contents-group > .contents-group-title"))
        .map(text_of)
        .collect();
    assert_eq!(groups, ["Trade disputes", "Notes"]);
    let top: Vec<String> = contents
        .select(&sel(":scope > li:not(.contents-group) > a"))
        .map(text_of)
        .collect();
    assert_eq!(top.len(), 2, "the front page and the itinerary: {top:?}");
    let in_disputes = contents
        .select(&sel(":scope > li.contents-group:nth-child(3) > ol > li"))
        .count();
    assert_eq!(in_disputes, 5);
    // The front page keeps its bottom-line box and carries the tracker, row for row.
    let front = book.select(&sel("#p-front")).next().expect("front page");
    assert!(front.select(&sel(".bluf .prose li")).next().is_some());
    let rows = |doc: ElementRef| -> Vec<String> {
        doc.select(&sel("table.tracker tbody tr"))
            .map(text_of)
            .collect()
    };
    let index = site.html("index.html");
    let index_rows = rows(index.root_element());
    assert!(!index_rows.is_empty());
    assert_eq!(rows(front), index_rows);
    // Ids stay unique in the book.
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for el in book.select(&sel("[id]")) {
        *ids.entry(el.value().id().unwrap_or("").to_string())
            .or_default() += 1;
    }
    let twice: Vec<&String> = ids
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(i, _)| i)
        .collect();
    assert!(twice.is_empty(), "ids used twice in the book: {twice:?}");
}

#[test]
fn theme_pages_have_a_trail_an_as_of_and_pages_grouped_by_kind() {
    let site = built();
    let pages = bundled_pages();
    let page = site.html("themes/trade/index.html");
    let crumbs: Vec<String> = page
        .select(&sel("nav.breadcrumbs a"))
        .map(text_of)
        .collect();
    assert_eq!(crumbs, ["Home", "Themes"]);
    let newest = pages
        .iter()
        .filter(|(_, fm)| themes_of(fm).iter().any(|t| t == "trade"))
        .filter_map(|(_, fm)| as_of(fm))
        .max()
        .expect("trade pages have as_of");
    let shown = page
        .select(&sel(".page-header .as-of time"))
        .next()
        .and_then(|t| t.value().attr("datetime"))
        .expect("as of");
    assert_eq!(shown, newest.format("%Y-%m-%d").to_string());
    let groups: Vec<String> = page.select(&sel(".kind-group > h2")).map(text_of).collect();
    assert_eq!(groups, ["Trade disputes", "Notes"]);
    let disputes: Vec<String> = page
        .select(&sel(".kind-group:first-of-type .card-title"))
        .map(text_of)
        .collect();
    let expected = pages
        .iter()
        .filter(|(rel, fm)| {
            rel.starts_with("disputes/")
                && rel != "disputes/_index.md"
                && themes_of(fm).iter().any(|t| t == "trade")
        })
        .count();
    assert_eq!(disputes.len(), expected, "{disputes:?}");
}

#[test]
fn theme_tags_and_badges_get_a_text_colour_with_contrast() {
    let site = built();
    let page = site.html("disputes/canola/index.html");
    let tags: Vec<String> = page
        .select(&sel(".theme-tag"))
        .filter_map(|a| a.value().attr("style").map(str::to_string))
        .collect();
    assert!(!tags.is_empty());
    for style in tags {
        // All four bundled colours are dark: white text on them.
        assert!(style.contains("--theme-ink:#ffffff"), "{style}");
    }
    // A light theme colour gets black text.
    let light = TestSite::bundled();
    let config = light.read("briefing.toml").replace("#2f6b2f", "#f5d442");
    light.write("briefing.toml", &config);
    light.build().ok();
    let canola = light.html("disputes/canola/index.html");
    let ag = canola
        .select(&sel(".theme-tag"))
        .find(|a| text_of(*a) == "Agriculture and agri-food")
        .expect("agriculture tag");
    assert!(
        ag.value()
            .attr("style")
            .is_some_and(|s| s.contains("--theme-ink:#000000")),
        "{}",
        ag.html()
    );
}

#[test]
fn every_printed_sheet_gets_the_marking_and_handling_line_and_a_page_number() {
    let site = built();
    let config: toml::Table = toml::from_str(&site.read("briefing.toml")).expect("briefing.toml");
    let handling = config["handling"].as_str().expect("handling");
    let handling = format!("UNCLASSIFIED — {handling}");
    for page in [
        "index.html",
        "book/index.html",
        "disputes/canola/index.html",
    ] {
        let doc: Html = site.html(page);
        let css: String = doc
            .select(&sel("head style[media=print]"))
            .map(|s| s.text().collect::<String>())
            .collect();
        assert!(
            css.contains("@page")
                && css.contains(&format!("@top-center {{ content: \"{handling}\""))
                && css.contains(&format!("@bottom-left {{ content: \"{handling}\"")),
            "{page}: {css}"
        );
    }
    let style = site.read("public/style.css");
    assert!(style.contains("counter(page)") && style.contains("counter(pages)"));
    // A handling line with quotes and markup stays one CSS string inside <style>.
    let odd = TestSite::bundled();
    let config = odd.read("briefing.toml").replace(
        "handling = \"for internal use\"",
        "handling = 'SECRET \"x\" </style><b> \\ end'",
    );
    odd.write("briefing.toml", &config);
    odd.build().ok();
    let doc = odd.html("index.html");
    let css: String = doc
        .select(&sel("head style[media=print]"))
        .map(|s| s.text().collect::<String>())
        .collect();
    assert!(
        css.contains(r#"content: "UNCLASSIFIED — SECRET \"x\" \3c /style\3e \3c b\3e  \\ end";"#),
        "{css}"
    );
    assert!(doc.select(&sel("head b, body > b")).next().is_none());
}

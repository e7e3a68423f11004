//! The files for deployment: sitemap, feed, robots.txt, calendar, search index, printable
//! book, portable output and co-located assets, each parsed with an independent parser.

use crate::common;

use common::{TestSite, broken_internal_links, html_files, sel, snapshot, text_of};

fn with_base_url(site: &TestSite) {
    let config = site.read("briefing.toml");
    site.write(
        "briefing.toml",
        &format!("base_url = \"https://example.org/briefing/\"\n{config}"),
    );
}

#[test]
fn sitemap_feed_and_robots_use_base_url() {
    let site = TestSite::fixture("basic_site");
    with_base_url(&site);
    site.build().ok();
    let sitemap = site.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).expect("sitemap parses as XML");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        locs.contains(&"https://example.org/briefing/disputes/canola/"),
        "{locs:?}"
    );
    assert!(
        locs.iter()
            .all(|l| l.starts_with("https://example.org/briefing/"))
    );
    let canola = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("url")
                && n.children()
                    .any(|c| c.text() == Some("https://example.org/briefing/disputes/canola/"))
        })
        .expect("canola entry");
    let lastmod = canola
        .children()
        .find(|c| c.has_tag_name("lastmod"))
        .and_then(|c| c.text());
    assert_eq!(lastmod, Some("2026-01-16"));

    let atom = site.read("public/atom.xml");
    let feed = roxmltree::Document::parse(&atom).expect("atom parses as XML");
    let root = feed.root_element();
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let entries: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    // One entry per note and dispute: canola, ev, detentions.
    assert_eq!(entries.len(), 3);
    let updated: Vec<&str> = entries
        .iter()
        .filter_map(|e| {
            e.children()
                .find(|c| c.has_tag_name("updated"))
                .and_then(|c| c.text())
        })
        .collect();
    let mut sorted = updated.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(updated, sorted, "newest first");
    for e in &entries {
        for field in ["title", "id", "updated", "link"] {
            assert!(
                e.children().any(|c| c.has_tag_name(field)),
                "entry lacks {field}"
            );
        }
    }
    assert!(
        site.read("public/robots.txt")
            .contains("Sitemap: https://example.org/briefing/sitemap.xml")
    );
    let index = site.html("index.html");
    let canonical = index
        .select(&sel("link[rel=canonical]"))
        .next()
        .expect("canonical link");
    assert_eq!(
        canonical.value().attr("href"),
        Some("https://example.org/briefing/")
    );
}

#[test]
fn without_base_url_the_absolute_files_are_skipped_with_one_warning() {
    let site = TestSite::fixture("basic_site");
    let run = site.build().ok();
    assert_eq!(
        run.stderr.matches("warning: no base_url").count(),
        1,
        "{}",
        run.stderr
    );
    for f in ["sitemap.xml", "atom.xml", "robots.txt"] {
        assert!(
            !site.public().join(f).exists(),
            "{f} written without base_url"
        );
    }
    assert!(site.public().join("itinerary.ics").is_file());
    assert!(
        site.html("index.html")
            .select(&sel("link[rel=canonical]"))
            .next()
            .is_none()
    );
    // --base-url overrides.
    site.run(&["build", "--base-url", "https://other.example/"])
        .ok();
    assert!(
        site.read("public/sitemap.xml")
            .contains("https://other.example/disputes/canola/")
    );
}

#[test]
fn the_calendar_has_one_event_per_stop_known_to_the_day() {
    let site = TestSite::fixture("basic_site");
    let itinerary = site.read("content/itinerary.md").replace(
        "title = \"World Economic Forum\"",
        "title = \"World Economic Forum\"\ntentative = true",
    );
    site.write("content/itinerary.md", &itinerary);
    site.build().ok();
    let bytes = std::fs::read(site.public().join("itinerary.ics")).expect("ics");
    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    // CRLF endings and lines folded at 75 octets.
    assert!(text.lines().count() > 5);
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line longer than 75 octets: {line:?}");
        assert!(!line.contains('\n'), "bare LF");
    }
    let parser = ical::IcalParser::new(std::io::BufReader::new(&bytes[..]));
    let calendars: Vec<_> = parser
        .collect::<Result<_, _>>()
        .expect("the calendar parses");
    assert_eq!(calendars.len(), 1);
    let events = &calendars[0].events;
    // The India visit, known only to the year, is left out.
    assert_eq!(events.len(), 3, "one VEVENT per stop known to the day");
    let prop = |e: &ical::parser::ical::component::IcalEvent, name: &str| {
        e.properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    let starts: Vec<String> = events.iter().map(|e| prop(e, "DTSTART")).collect();
    assert_eq!(starts, ["20260114", "20260114T070000Z", "20260119"]);
    assert_eq!(
        prop(&events[2], "DTEND"),
        "20260124",
        "Davos ends after 23 January"
    );
    assert_eq!(prop(&events[2], "STATUS"), "TENTATIVE");
    assert_eq!(prop(&events[0], "STATUS"), "CONFIRMED");
    assert!(
        events
            .iter()
            .all(|e| prop(e, "DTSTAMP") == "20260113T000000Z"),
        "DTSTAMP from as_of"
    );
    let uids: std::collections::BTreeSet<String> = events.iter().map(|e| prop(e, "UID")).collect();
    assert_eq!(uids.len(), 3, "UIDs are unique");
    // The itinerary page links to it.
    let page = site.html("itinerary/index.html");
    let link = page
        .select(&sel("a.download"))
        .next()
        .expect("download link");
    assert_eq!(link.value().attr("href"), Some("../itinerary.ics"));
}

#[test]
fn long_calendar_lines_are_folded() {
    let site = TestSite::fixture("basic_site");
    let itinerary = site.read("content/itinerary.md").replace(
        "title = \"Arrival\"",
        "title = \"Arrival\"\ndetails = \"A very long description of the arrival, with the motorcade, the greeting party, the press availability; and more, far beyond seventy-five octets — with accents: é, à, ü.\"",
    );
    site.write("content/itinerary.md", &itinerary);
    site.build().ok();
    let bytes = std::fs::read(site.public().join("itinerary.ics")).expect("ics");
    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    assert!(text.split("\r\n").all(|l| l.len() <= 75));
    let calendars: Vec<_> = ical::IcalParser::new(std::io::BufReader::new(&bytes[..]))
        .collect::<Result<_, _>>()
        .expect("parses");
    let description = calendars[0].events[0]
        .properties
        .iter()
        .find(|p| p.name == "DESCRIPTION")
        .and_then(|p| p.value.clone())
        .expect("description");
    assert!(description.contains("accents: é"), "{description}");
}

#[test]
fn search_index_is_a_script_listing_every_page() {
    let site = TestSite::fixture("basic_site");
    site.build().ok();
    let js = site.read("public/search-index.js");
    let json = js
        .strip_prefix("window.briefingSearchIndex = ")
        .and_then(|s| s.trim_end().strip_suffix(';'))
        .expect("a script assignment");
    let entries: Vec<serde_json::Value> = serde_json::from_str(json).expect("JSON");
    let canola = entries
        .iter()
        .find(|e| e["t"] == "Canola")
        .expect("canola in the index");
    assert_eq!(canola["u"], "disputes/canola/");
    assert!(
        canola["h"]
            .as_str()
            .is_some_and(|h| h.contains("Background"))
    );
    assert!(canola["x"].as_str().is_some_and(|x| x.contains("footnote")));
    // Every page loads the search script; the form is in the page itself, so it takes its
    // space from the start, and without JavaScript it opens the search page (a GET form with
    // a submit button).
    let index = site.html("index.html");
    assert!(
        index
            .select(&sel("script[src='./search.js']"))
            .next()
            .is_some()
    );
    let form = index
        .select(&sel(".search form[role=search][method=get]"))
        .next()
        .expect("a search form in the page");
    assert_eq!(form.value().attr("action"), Some("./search/"));
    assert!(
        form.select(&sel("input[type=search][name=q]"))
            .next()
            .is_some()
    );
    assert!(form.select(&sel("button[type=submit]")).next().is_some());
    assert!(
        form.select(&sel("label[for=search-input]"))
            .next()
            .is_some(),
        "the search box has a label"
    );
    // The search page lists every page, so the form is of use without JavaScript too.
    let search = site.html("search/index.html");
    let listed: Vec<&str> = search
        .select(&sel("main .card-title"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(listed.contains(&"../disputes/canola/"), "{listed:?}");
    assert!(site.public().join("search.js").is_file());
}

#[test]
fn the_book_holds_every_page_in_reading_order_with_links_inside_it() {
    let site = TestSite::fixture("basic_site");
    site.build().ok();
    let book = site.html("book/index.html");
    let titles: Vec<String> = book
        .select(&sel(".book-page > header h2"))
        .map(text_of)
        .collect();
    assert_eq!(
        titles,
        [
            "Test briefing",
            "Itinerary",
            "Canola",
            "EV surtax",
            "Detentions"
        ]
    );
    let contents: Vec<String> = book.select(&sel(".book-contents a")).map(text_of).collect();
    assert_eq!(contents, titles);
    // The front page's link to canola#background points inside the book.
    let link = book.select(&sel("#p-front .prose a")).next().expect("link");
    assert_eq!(
        link.value().attr("href"),
        Some("#p-disputes-canola--background")
    );
    assert!(
        book.select(&sel("#p-disputes-canola--background"))
            .next()
            .is_some()
    );
    // Ids are unique across the whole book.
    let ids: Vec<&str> = book
        .select(&sel("[id]"))
        .filter_map(|e| e.value().id())
        .collect();
    let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(ids.len(), unique.len(), "duplicate ids in the book");
    assert!(
        broken_internal_links(&site.public()).is_empty(),
        "{:?}",
        broken_internal_links(&site.public())
    );
}

#[test]
fn portable_output_links_end_in_index_html() {
    let site = TestSite::fixture("basic_site");
    site.run(&["build", "--portable"]).ok();
    for page in html_files(&site.public()) {
        let doc = common::parse_html(&site.public().join(&page));
        for a in doc.select(&sel("a[href]")) {
            let href = a.value().attr("href").unwrap_or_default();
            if href.starts_with("http") || href.starts_with('#') {
                continue;
            }
            let path = href.split('#').next().unwrap_or_default();
            assert!(
                path.is_empty() || !path.ends_with('/') && path != "." && path != "..",
                "{page}: folder link {href:?} in portable output"
            );
        }
    }
    assert!(broken_internal_links(&site.public()).is_empty());
    // `portable = true` in the config does the same.
    let other = TestSite::fixture("basic_site");
    other.write(
        "briefing.toml",
        &format!("portable = true\n{}", other.read("briefing.toml")),
    );
    other.build().ok();
    assert_eq!(snapshot(&site.public()), snapshot(&other.public()));
    // And `--no-portable` turns it off for one build: the output of a plain build.
    let plain = TestSite::fixture("basic_site");
    plain.build().ok();
    other.run(&["build", "--no-portable"]).ok();
    assert_eq!(snapshot(&plain.public()), snapshot(&other.public()));
    other.run(&["check", "--no-portable"]).ok();
    let both = other.run(&["build", "--portable", "--no-portable"]);
    assert_eq!(both.code, Some(2), "{}", both.stderr);
}

#[test]
fn co_located_files_are_copied_and_references_keep_working() {
    let site = TestSite::fixture("basic_site");
    site.build().ok();
    let page = site.html("notes/detentions/index.html");
    let img = page.select(&sel(".prose img")).next().expect("image");
    let src = img.value().attr("src").expect("src");
    let resolved = site.public().join("notes/detentions").join(src);
    assert!(resolved.is_file(), "{src} does not resolve");
    let pdf = page
        .select(&sel(".prose a[href$='.pdf']"))
        .next()
        .expect("pdf link");
    assert!(
        site.public()
            .join("notes/detentions")
            .join(pdf.value().attr("href").expect("href"))
            .is_file()
    );
    // A reference to a file that does not exist is an error naming the line.
    site.write(
        "content/notes/detentions.md",
        &site
            .read("content/notes/detentions.md")
            .replace("map.svg", "missing.png"),
    );
    let run = site.build().fails();
    assert!(
        run.stderr
            .contains("there is no file content/notes/missing.png"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> content/notes/detentions.md:"),
        "{}",
        run.stderr
    );
}

#[test]
fn stale_pages_say_so() {
    let site = TestSite::fixture("basic_site");
    let config =
        site.read("briefing.toml")
            .replacen("[[themes]]", "stale_after_days = 2\n\n[[themes]]", 1);
    site.write("briefing.toml", &config);
    site.build().ok();
    // Itinerary and detentions are as of 13 January, three days before the newest (16th).
    assert!(
        site.html("itinerary/index.html")
            .select(&sel(".stale-notice"))
            .next()
            .is_some()
    );
    assert!(
        site.html("disputes/canola/index.html")
            .select(&sel(".stale-notice"))
            .next()
            .is_none()
    );
}

/// The 404 page is served for any missing address, on any host or from a file: it carries
/// its styles inline and loads nothing of the site's.
#[test]
fn the_404_page_is_self_contained() {
    let site = TestSite::fixture("basic_site");
    for args in [&["build"][..], &["build", "--portable"][..]] {
        site.build().ok();
        site.run(args).ok();
        let page = site.html("404.html");
        for loaded in ["link[rel=stylesheet]", "link[rel=icon]", "script"] {
            assert!(
                page.select(&sel(loaded)).next().is_none(),
                "{args:?}: {loaded}"
            );
        }
        let style: String = page
            .select(&sel("style"))
            .map(|s| s.text().collect::<String>())
            .collect();
        assert!(style.contains(".site-header"), "{args:?}: no inline styles");
        for a in page.select(&sel("a")) {
            let href = a.value().attr("href").unwrap_or_default();
            assert!(
                href == "#main" || href.starts_with("./"),
                "{args:?}: {href}"
            );
        }
    }
    with_base_url(&site);
    // The site's own stylesheet is the one inlined.
    site.write(
        "static/style.css",
        "body { color: rebeccapurple }\n/* </style> */\n",
    );
    site.build().ok();
    let page = site.html("404.html");
    let style: String = page
        .select(&sel("style"))
        .map(|s| s.text().collect::<String>())
        .collect();
    assert!(style.contains("rebeccapurple"), "{style}");
    assert_eq!(
        page.select(&sel("style")).count(),
        1,
        "the stylesheet ended its element"
    );
    for a in page.select(&sel("a")) {
        let href = a.value().attr("href").unwrap_or_default();
        assert!(
            href == "#main" || href.starts_with("https://example.org/briefing/"),
            "{href}"
        );
    }
    let home = page
        .select(&sel(".error-page a"))
        .next()
        .expect("home link");
    assert_eq!(
        home.value().attr("href"),
        Some("https://example.org/briefing/")
    );
    // The handling banners sit inside the header and footer landmarks.
    let index = site.html("index.html");
    assert!(
        index
            .select(&sel("header.site-header .handling"))
            .next()
            .is_some()
    );
    assert!(
        index
            .select(&sel("footer.site-footer .handling-bottom"))
            .next()
            .is_some()
    );
}

/// The book is written a few hundred sections at a time; a site of several such chunks
/// still gets one whole, well-formed book with every page once, as the contents list it.
#[test]
fn a_book_longer_than_one_chunk_is_whole() {
    let site = TestSite::empty();
    briefing_bench::generate(&briefing_bench::GenOptions {
        pages: 600,
        seed: 3,
        out: site.root.clone(),
        flavor: briefing_bench::Flavor::Briefing,
        marked_one_in: None,
    })
    .expect("generate");
    site.run(&["build", "-q"]).ok();
    let text = site.read("public/book/index.html");
    assert!(
        text.trim_end().ends_with("</html>"),
        "the book is cut short"
    );
    let book = scraper::Html::parse_document(&text);
    let contents: Vec<String> = book
        .select(&sel(".book-contents a"))
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    let sections: Vec<String> = book
        .select(&sel("section.book-page"))
        .filter_map(|s| s.value().id().map(|id| format!("#{id}")))
        .collect();
    assert!(sections.len() > 600, "{} sections", sections.len());
    assert_eq!(contents, sections, "contents and sections differ");
    assert_eq!(book.select(&sel("html")).count(), 1);
}

/// CommonMark: U+0000 in the input is replaced by U+FFFD. pulldown-cmark does so in text
/// but not in raw HTML, code or link destinations; the page parser replaces it everywhere
/// in the body, so no NUL reaches the output.
#[test]
fn nul_bytes_in_a_body_become_the_replacement_character() {
    let site = TestSite::fixture("basic_site");
    site.write(
        "content/notes/nul.md",
        "+++\ntitle = \"Nul\"\n+++\nA\0B `c\0d` <span title=\"x\0y\">s\0t</span> [l](a\0b)\n\n```\nq\0r\n```\n",
    );
    site.build().ok();
    let bytes = std::fs::read(site.public().join("notes/nul/index.html")).expect("page");
    assert!(!bytes.contains(&0), "a NUL byte reached the output");
    let html = site.html("notes/nul/index.html");
    let main = html.select(&sel("main")).next().expect("main");
    let text: String = main.text().collect();
    for expected in ["A\u{fffd}B", "c\u{fffd}d", "s\u{fffd}t", "q\u{fffd}r"] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from {text:?}"
        );
    }
    let span = main.select(&sel("span[title]")).next().expect("span");
    assert_eq!(span.value().attr("title"), Some("x\u{fffd}y"));
}

/// DTEND is exclusive: a stop on the last day a calendar can write would end in year
/// 10000. It says how long it lasts instead, and every line stays readable.
#[test]
fn a_stop_on_the_last_writable_day_gives_a_calendar_readers_parse() {
    let site = TestSite::fixture("basic_site");
    let itinerary = site.read("content/itinerary.md");
    site.write(
        "content/itinerary.md",
        &itinerary.replacen(
            "[[stops]]",
            "[[stops]]\ndate = \"9999-12-31\"\ncountry = \"Nowhere\"\ntitle = \"Last day\"\n\
             [[stops]]\ndate = \"9999\"\ncountry = \"Nowhere\"\ntitle = \"Last year\"\n\
             [[stops]]\nstart = \"9999-12-31T22:00:00Z\"\nend = \"9999-12-31\"\ncountry = \"Nowhere\"\ntitle = \"Last evening\"\n\
             [[stops]]",
            1,
        ),
    );
    site.build().ok();
    let bytes = std::fs::read(site.public().join("itinerary.ics")).expect("ics");
    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    assert!(!text.contains("10000"), "{text}");
    let calendars: Vec<_> = ical::IcalParser::new(std::io::BufReader::new(&bytes[..]))
        .collect::<Result<_, _>>()
        .expect("parses");
    let durations: Vec<String> = calendars[0]
        .events
        .iter()
        .filter_map(|e| {
            e.properties
                .iter()
                .find(|p| p.name == "DURATION")
                .and_then(|p| p.value.clone())
        })
        .collect();
    // "Last year" is known only to the year: not in the calendar.
    assert_eq!(durations, ["P1D", "PT7200S"], "{text}");
}

/// What names the site's pages to machines: the Atom feed's ids and links, the sitemap's
/// locations, every page's canonical link, and the calendar's URLs and UIDs.
fn absolute_names(site: &TestSite) -> Vec<String> {
    let mut names = Vec::new();
    let atom = site.read("public/atom.xml");
    let feed = roxmltree::Document::parse(&atom).expect("atom parses");
    for n in feed.descendants() {
        if n.has_tag_name("id") {
            names.push(format!("atom id {}", n.text().unwrap_or_default()));
        } else if n.has_tag_name("link") {
            names.push(format!(
                "atom link {}",
                n.attribute("href").unwrap_or_default()
            ));
        }
    }
    let sitemap = site.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).expect("sitemap parses");
    for n in doc.descendants().filter(|n| n.has_tag_name("loc")) {
        names.push(format!("sitemap {}", n.text().unwrap_or_default()));
    }
    for page in html_files(&site.public()) {
        let doc = common::parse_html(&site.public().join(&page));
        for link in doc.select(&sel("head link[rel=canonical]")) {
            names.push(format!(
                "{page} canonical {}",
                link.value().attr("href").unwrap_or_default()
            ));
        }
    }
    let bytes = std::fs::read(site.public().join("itinerary.ics")).expect("ics");
    let calendars: Vec<_> = ical::IcalParser::new(std::io::BufReader::new(&bytes[..]))
        .collect::<Result<_, _>>()
        .expect("the calendar parses");
    for e in &calendars[0].events {
        for p in e
            .properties
            .iter()
            .filter(|p| p.name == "URL" || p.name == "UID")
        {
            names.push(format!(
                "ics {} {}",
                p.name,
                p.value.clone().unwrap_or_default()
            ));
        }
    }
    names
}

/// Issue 12 item 21: a portable build changes the links inside pages only. What names a
/// page to machines (feed ids, which RFC 4287 says never change, canonical links, the
/// sitemap, the calendar) keeps the folder form in both.
#[test]
fn portable_builds_name_pages_as_pretty_builds_do() {
    let pretty = TestSite::fixture("basic_site");
    with_base_url(&pretty);
    pretty.build().ok();
    let portable = TestSite::fixture("basic_site");
    with_base_url(&portable);
    portable.run(&["build", "--portable"]).ok();

    let names = absolute_names(&pretty);
    assert_eq!(names, absolute_names(&portable));
    for expected in [
        "atom id https://example.org/briefing/disputes/canola/",
        "atom link https://example.org/briefing/disputes/canola/",
        "sitemap https://example.org/briefing/disputes/canola/",
        "sitemap https://example.org/briefing/themes/trade/",
        "disputes/canola/index.html canonical https://example.org/briefing/disputes/canola/",
        "index.html canonical https://example.org/briefing/",
        "ics URL https://example.org/briefing/itinerary/",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:#?}"
        );
    }
    assert!(
        !names.iter().any(|n| n.ends_with("index.html")),
        "{names:#?}"
    );
    assert!(names.iter().any(|n| n.starts_with("ics UID ")));

    // Inside the pages, the portable build's links still name files.
    let page = portable.html("disputes/canola/index.html");
    let hrefs: Vec<&str> = page
        .select(&sel("nav a[href]"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(hrefs.contains(&"../../index.html"), "{hrefs:?}");
    assert!(hrefs.contains(&"../../itinerary/index.html"), "{hrefs:?}");
    let pretty_page = pretty.html("disputes/canola/index.html");
    let pretty_hrefs: Vec<&str> = pretty_page
        .select(&sel("nav a[href]"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        pretty_hrefs.contains(&"../../itinerary/"),
        "{pretty_hrefs:?}"
    );
}

/// The calendar of a site, parsed by the `ical` crate, if it wrote one.
fn parsed_calendar(site: &TestSite) -> Option<ical::parser::ical::component::IcalCalendar> {
    let bytes = std::fs::read(site.public().join("itinerary.ics")).ok()?;
    let mut calendars: Vec<_> = ical::IcalParser::new(std::io::BufReader::new(&bytes[..]))
        .collect::<Result<_, _>>()
        .expect("the calendar parses");
    assert_eq!(calendars.len(), 1);
    calendars.pop()
}

fn summaries(calendar: &ical::parser::ical::component::IcalCalendar) -> Vec<String> {
    calendar
        .events
        .iter()
        .filter_map(|e| e.properties.iter().find(|p| p.name == "SUMMARY"))
        .filter_map(|p| p.value.clone())
        .collect()
}

/// Issue 12 item 22: a stop known only to the month or year is not an all-day event
/// filling the month or year: it is left out, and the itinerary page says so. The
/// calendar names the site and briefing as its maker.
#[test]
fn stops_known_only_to_the_month_or_year_stay_out_of_the_calendar() {
    let site = TestSite::fixture("basic_site");
    let itinerary = site.read("content/itinerary.md").replacen(
        "[[stops]]",
        "[[stops]]\ndate = \"2026-02\"\ncity = \"Ottawa\"\ncountry = \"Canada\"\ntitle = \"Report back\"\n[[stops]]",
        1,
    );
    site.write("content/itinerary.md", &itinerary);
    site.build().ok();
    let calendar = parsed_calendar(&site).expect("a calendar");
    assert_eq!(
        summaries(&calendar),
        ["Arrival", "Meeting", "World Economic Forum"],
        "the February and 2026 stops are left out"
    );
    let prodid: Vec<String> = calendar
        .properties
        .iter()
        .filter(|p| p.name == "PRODID")
        .filter_map(|p| p.value.clone())
        .collect();
    assert_eq!(
        prodid,
        [format!(
            "-//Test briefing//briefing {}//EN",
            env!("CARGO_PKG_VERSION")
        )]
    );
    // The itinerary page still lists both, and says the calendar leaves them out.
    let page = site.html("itinerary/index.html");
    let titles: Vec<String> = page.select(&sel(".stop-title")).map(text_of).collect();
    assert!(titles.contains(&"Report back".to_string()), "{titles:?}");
    assert!(titles.contains(&"India visit".to_string()), "{titles:?}");
    let note: Vec<String> = page.select(&sel(".calendar-note")).map(text_of).collect();
    assert_eq!(note, ["Leaves out the 2 stops not yet dated to the day."]);

    // An itinerary with no stop known to the day has no calendar, and no link to one.
    let vague = TestSite::fixture("basic_site");
    vague.write(
        "content/itinerary.md",
        "+++\ntitle = \"Itinerary\"\nkind = \"itinerary\"\n[[stops]]\ndate = \"2026\"\n\
         country = \"India\"\ntitle = \"India visit\"\n+++\n",
    );
    vague.build().ok();
    assert!(
        parsed_calendar(&vague).is_none(),
        "no calendar without days"
    );
    for page in ["itinerary/index.html", "index.html"] {
        let doc = vague.html(page);
        assert!(
            doc.select(&sel("a[href$='itinerary.ics']"))
                .next()
                .is_none(),
            "{page} links to a calendar that is not there"
        );
    }
}

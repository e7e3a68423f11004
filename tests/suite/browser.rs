//! The bundled briefing book in a real browser: headless Chromium (Debian's `chromium`),
//! driven over WebDriver by fantoccini through Debian's `chromedriver`.
//!
//! - served by a plain static file server with the output under `/briefing/`;
//! - built with `--portable` and opened from `file://`;
//! - axe-core run inside the page, in light and dark colour schemes.
//!
//! On each page: no console errors and no failed requests (Chromium's own log, read through
//! ChromeDriver, which records uncaught exceptions, `console.error` and every failed load;
//! for the served site also the server's record of every request), the stylesheet and the
//! search script loaded, the tracker table rendered, and a search for "canola" listing the
//! canola dispute page. Full-page screenshots go to `target/screenshots/` for review.

use crate::browser_support as support;
use crate::common;

use std::future::Future;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use common::TestSite;
use support::Tool;

/// No single test may take longer than this, whatever hangs.
const TEST_BUDGET: Duration = Duration::from_secs(300);
/// Bounded polling for things that happen after an event (search results).
const WAIT: Duration = Duration::from_secs(20);

const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-color-profile=srgb",
    "--window-size=1280,900",
];

fn the_site() -> TestSite {
    TestSite::bundled()
}

/// The bundled book, built and served under `/briefing/`.
struct ServedBook {
    _site: TestSite,
    server: StaticServer,
    /// The served root, ending in `/briefing/`.
    base: String,
    /// The canola dispute's folder name.
    slug: String,
}

impl ServedBook {
    fn start() -> ServedBook {
        let site = the_site();
        site.run(&["build"]).ok();
        let public = site.public();
        let slug = canola_slug(&public);
        let server = StaticServer::start(&public, "/briefing/");
        let base = server.url();
        ServedBook {
            _site: site,
            server,
            base,
            slug,
        }
    }

    /// The reader's pages of issue 12 by name: the index, a dispute, the itinerary, the
    /// book and a theme page, in that order.
    fn reader_pages(&self) -> [(&'static str, String); 5] {
        let (base, slug) = (&self.base, &self.slug);
        [
            ("index", base.clone()),
            ("dispute", format!("{base}disputes/{slug}/")),
            ("itinerary", format!("{base}itinerary/")),
            ("book", format!("{base}book/")),
            ("theme", format!("{base}themes/trade/")),
        ]
    }
}

/// The output folder of the one dispute page about canola (`disputes/<slug>/`).
fn canola_slug(public: &Path) -> String {
    let mut slugs: Vec<String> = std::fs::read_dir(public.join("disputes"))
        .expect("disputes/ in the output")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("index.html").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|s| s.contains("canola"))
        .collect();
    slugs.sort();
    assert_eq!(
        slugs.len(),
        1,
        "expected exactly one canola dispute page under disputes/, found {slugs:?}"
    );
    slugs.remove(0)
}

fn run_with_budget(fut: impl Future<Output = ()>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        tokio::time::timeout(TEST_BUDGET, fut)
            .await
            .unwrap_or_else(|_| panic!("browser test did not finish within {TEST_BUDGET:?}"));
    });
}

// ---------------------------------------------------------------------------------------
// The tests

#[test]
fn served_under_a_sub_path() {
    if support::skip_or_require(
        "the browser test (served)",
        &[Tool::Chromium, Tool::Chromedriver],
    ) {
        return;
    }
    let book = ServedBook::start();
    let (server, base, slug) = (&book.server, book.base.clone(), book.slug.clone());
    let pages: Vec<_> = book.reader_pages().into_iter().take(4).collect();
    let canola_url = format!("{base}disputes/{slug}/");
    run_with_budget(async {
        let browser = Browser::start().await;
        let mut problems = Vec::new();
        for (name, url) in &pages {
            browser
                .check_page(&format!("served-{name}"), url, &canola_url, &mut problems)
                .await;
        }
        browser
            .follow_search_result(&pages[0].1, &canola_url, &mut problems)
            .await;
        browser.check_phone(&pages, &mut problems).await;
        browser.close().await;
        let requests = server.requests();
        for (path, status) in &requests {
            if !(200..400).contains(status) {
                problems.push(format!("server: GET {path} -> {status}"));
            }
        }
        for needed in ["style.css", "search.js", "search-index.js"] {
            if !requests
                .iter()
                .any(|(p, s)| *s == 200 && p == &format!("/briefing/{needed}"))
            {
                problems.push(format!("server: /briefing/{needed} was never requested"));
            }
        }
        assert!(
            problems.is_empty(),
            "the site served under /briefing/ has problems:\n  - {}",
            problems.join("\n  - ")
        );
    });
}

#[test]
fn portable_output_from_file_urls() {
    if support::skip_or_require(
        "the browser test (portable)",
        &[Tool::Chromium, Tool::Chromedriver],
    ) {
        return;
    }
    let site = the_site();
    let out = site.scratch().join("portable");
    site.run(&[
        "build",
        "--portable",
        "--output",
        out.to_str().expect("utf-8 path"),
    ])
    .ok();
    let slug = canola_slug(&out);
    let base = file_url(&out);
    let pages = [
        ("index", format!("{base}index.html")),
        ("dispute", format!("{base}disputes/{slug}/index.html")),
        ("itinerary", format!("{base}itinerary/index.html")),
        ("book", format!("{base}book/index.html")),
    ];
    let canola_url = format!("{base}disputes/{slug}/index.html");
    run_with_budget(async {
        let browser = Browser::start().await;
        let mut problems = Vec::new();
        for (name, url) in &pages {
            browser
                .check_page(&format!("portable-{name}"), url, &canola_url, &mut problems)
                .await;
        }
        browser
            .follow_search_result(&pages[0].1, &canola_url, &mut problems)
            .await;
        // Every internal link of the index opens a file, not a folder listing.
        let hrefs = browser
            .script_value(
                "return [...document.querySelectorAll('a[href]')].map(a => a.href)\
                 .filter(h => h.startsWith('file:'));",
            )
            .await;
        for href in hrefs.as_array().into_iter().flatten() {
            let href = href.as_str().unwrap_or_default();
            let path = href.split('#').next().unwrap_or_default();
            if !(path.ends_with(".html") || has_file_extension(path)) {
                problems.push(format!(
                    "portable-index: link {href} is a folder, which file:// shows as a listing"
                ));
            }
        }
        browser.close().await;
        assert!(
            problems.is_empty(),
            "the portable site opened from file:// has problems:\n  - {}",
            problems.join("\n  - ")
        );
    });
}

#[test]
fn axe_finds_no_serious_or_critical_violations() {
    if support::skip_or_require(
        "the axe-core test",
        &[Tool::Chromium, Tool::Chromedriver, Tool::Axe],
    ) {
        return;
    }
    let axe = std::fs::read_to_string(support::axe_js()).expect("read axe.min.js");
    let book = ServedBook::start();
    let pages: Vec<_> = book.reader_pages().into_iter().take(3).collect();
    run_with_budget(async {
        let browser = Browser::start().await;
        let mut findings = Vec::new();
        let mut minor = Vec::new();
        for scheme in ["light", "dark"] {
            browser.color_scheme(scheme).await;
            for (name, url) in &pages {
                browser.goto(url).await;
                browser.color_scheme(scheme).await;
                if scheme == "dark" {
                    browser.screenshot(&format!("dark-{name}")).await;
                }
                for v in browser.axe(&axe).await {
                    let impact = v["impact"].as_str().unwrap_or("none");
                    let line = describe_violation(&format!("{name} ({scheme})"), &v);
                    if matches!(impact, "serious" | "critical") {
                        findings.push(line);
                    } else {
                        minor.push(line);
                    }
                }
            }
        }
        browser.close().await;
        if !minor.is_empty() {
            eprintln!(
                "axe: minor or moderate findings (not failures):\n{}",
                minor.join("\n")
            );
        }
        assert!(
            findings.is_empty(),
            "axe-core found serious or critical accessibility violations:\n{}",
            findings.join("\n")
        );
    });
}

/// The reader's pages of issue 12 (front page, a dispute, the itinerary, the book, a theme
/// page) at a phone's 390 × 844 and a laptop's 1,280 × 800, in light and dark: the page
/// never scrolls sideways, axe-core finds nothing serious or critical, badges and theme tags
/// keep 4.5:1 contrast, and the layout holds (tables as cards on the phone, the title on one
/// line on the laptop, no layout shift from the search box). Screenshots of every
/// combination go to `target/screenshots/readers-*.png` for review.
#[test]
fn reader_pages_at_phone_and_laptop_widths_in_both_colour_schemes() {
    if support::skip_or_require(
        "the reader layout test",
        &[Tool::Chromium, Tool::Chromedriver, Tool::Axe],
    ) {
        return;
    }
    let axe = std::fs::read_to_string(support::axe_js()).expect("read axe.min.js");
    let book = ServedBook::start();
    let pages: Vec<_> = book.reader_pages().into_iter().take(5).collect();
    run_with_budget(async {
        let browser = Browser::start().await;
        let mut problems = Vec::new();
        let mut minor = Vec::new();
        for (width, height, mobile) in [(390, 844, true), (1280, 800, false)] {
            browser
                .cdp(
                    "Emulation.setDeviceMetricsOverride",
                    json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
                )
                .await;
            for scheme in ["light", "dark"] {
                browser.color_scheme(scheme).await;
                for (name, url) in &pages {
                    let label = format!("{name} at {width} px, {scheme}");
                    browser.goto(url).await;
                    browser.color_scheme(scheme).await;
                    browser
                        .check_reader_layout(&label, name, width, scheme, &mut problems)
                        .await;
                    browser
                        .screenshot(&format!("readers-{name}-{width}-{scheme}"))
                        .await;
                    for v in browser.axe(&axe).await {
                        let line = describe_violation(&label, &v);
                        match v["impact"].as_str() {
                            Some("serious" | "critical") => problems.push(line),
                            _ => minor.push(line),
                        }
                    }
                }
            }
        }
        browser.close().await;
        if !minor.is_empty() {
            eprintln!(
                "axe: minor or moderate findings (not failures):\n{}",
                minor.join("\n")
            );
        }
        assert!(
            problems.is_empty(),
            "the reader's pages have problems:\n  - {}",
            problems.join("\n  - ")
        );
    });
}

/// A marked page of the bundled book (a SECRET section and a PROTECTED B source added to
/// the canola dispute) at 390 and 1,280 px, light and dark: the marking's banner is the
/// first thing at the top of the page and the last at the bottom, as wide as the page,
/// with 4.5:1 contrast; axe-core finds nothing serious; printed, every sheet's `@page`
/// rule carries the marking at the top and the bottom.
#[test]
fn a_marked_page_says_its_marking_at_its_top_and_bottom_on_screen_and_on_paper() {
    if support::skip_or_require(
        "the markings browser test",
        &[Tool::Chromium, Tool::Chromedriver, Tool::Axe],
    ) {
        return;
    }
    let axe = std::fs::read_to_string(support::axe_js()).expect("read axe.min.js");
    let (site, slug) = marked_book();
    let server = StaticServer::start(&site.public(), "/briefing/");
    let url = format!("{}disputes/{slug}/", server.url());
    run_with_budget(async {
        let browser = Browser::start().await;
        let mut problems = Vec::new();
        for (width, height, mobile) in [(390, 844, true), (1280, 800, false)] {
            browser
                .cdp(
                    "Emulation.setDeviceMetricsOverride",
                    json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
                )
                .await;
            for scheme in ["light", "dark"] {
                let label = format!("at {width} px, {scheme}");
                browser.goto(&url).await;
                browser.color_scheme(scheme).await;
                let state = browser
                    .script_value(
                        "const m = [...document.querySelectorAll('aside.marking')];
                         const lum = c => { const v = c.match(/[\\d.]+/g).slice(0, 3).map(Number)
                             .map(x => x / 255).map(x => x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
                             return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
                         const ratio = e => { const s = getComputedStyle(e);
                             const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
                             return (a + 0.05) / (b + 0.05); };
                         const all = [...document.body.querySelectorAll('*')]
                             .filter(e => e.getBoundingClientRect().height > 0 && !e.closest('aside.marking')
                                 && !e.matches('.skip-link'));
                         const page = document.documentElement.scrollHeight;
                         return {
                           texts: m.map(e => e.textContent.trim()),
                           top: m.length ? m[0].getBoundingClientRect().top + scrollY : -1,
                           bottom: m.length ? m[m.length - 1].getBoundingClientRect().bottom + scrollY : -1,
                           page,
                           width: m.map(e => e.getBoundingClientRect().width),
                           view: document.documentElement.clientWidth,
                           contrast: m.map(ratio),
                           first: all.length ? Math.min(...all.map(e => e.getBoundingClientRect().top + scrollY)) : 0,
                           scrolls: document.documentElement.scrollWidth > document.documentElement.clientWidth,
                           portions: [...document.querySelectorAll('.portion-mark')].map(e => e.textContent.trim()),
                         };",
                    )
                    .await;
                browser
                    .screenshot(&format!("marking-{width}-{scheme}"))
                    .await;
                let texts: Vec<&str> = state["texts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                if texts != ["SECRET — for internal use", "SECRET — for internal use"] {
                    problems.push(format!("{label}: banners say {texts:?}"));
                }
                let n = |k: &str| state[k].as_f64().unwrap_or(f64::NAN);
                if n("top") > 1.0 || n("top") > n("first") {
                    problems.push(format!("{label}: the top banner is not first ({state})"));
                }
                if (n("page") - n("bottom")).abs() > 1.0 {
                    problems.push(format!("{label}: the bottom banner is not last ({state})"));
                }
                for w in state["width"].as_array().into_iter().flatten() {
                    if (w.as_f64().unwrap_or(0.0) - n("view")).abs() > 1.0 {
                        problems.push(format!("{label}: a banner is {w} px of {} px", n("view")));
                    }
                }
                for c in state["contrast"].as_array().into_iter().flatten() {
                    if c.as_f64().unwrap_or(0.0) < 4.5 {
                        problems.push(format!("{label}: a banner's contrast is {c}"));
                    }
                }
                if state["scrolls"].as_bool() != Some(false) {
                    problems.push(format!("{label}: the page scrolls sideways"));
                }
                let portions = state["portions"].to_string();
                if !portions.contains("(SECRET)") || !portions.contains("(PROTECTED B)") {
                    problems.push(format!("{label}: portion marks {portions}"));
                }
                for v in browser.axe(&axe).await {
                    if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
                        problems.push(describe_violation(&label, &v));
                    }
                }
            }
        }
        browser
            .cdp("Emulation.setEmulatedMedia", json!({ "media": "print" }))
            .await;
        let pages = browser
            .script_value(
                "const pages = [];
                 for (const sheet of document.styleSheets) {
                    for (const rule of sheet.cssRules) {
                        if (rule.type === CSSRule.PAGE_RULE) pages.push(rule.cssText);
                    }
                 }
                 return pages.join('\\n');",
            )
            .await;
        browser.close().await;
        let pages = pages.as_str().unwrap_or_default();
        for margin in ["@top-center", "@bottom-left"] {
            let said = format!("{margin} {{ content: \"SECRET — for internal use\"");
            if !pages.contains(&said) {
                problems.push(format!("printed: no marking in {margin}: {pages}"));
            }
        }
        assert!(
            problems.is_empty(),
            "markings:\n  - {}",
            problems.join("\n  - ")
        );
    });
}

/// The bundled book with a SECRET section and a PROTECTED B source added to the canola
/// dispute, built; and the canola dispute's folder name.
fn marked_book() -> (TestSite, String) {
    let site = the_site();
    site.run(&["build"]).ok();
    let slug = canola_slug(&site.public());
    let canola = site.root.join("content/disputes/canola.md");
    let text = std::fs::read_to_string(&canola).expect("canola");
    let text = text.replacen(
        "[[sources]]\n",
        "[[sources]]\nmarking = \"PROTECTED B\"\n",
        1,
    ) + "\n## Our position {marking=\"SECRET\"}\n\nWhat we will say in the room.\n";
    std::fs::write(&canola, text).expect("mark canola");
    site.run(&["build"]).ok();
    (site, slug)
}

/// The `@page` margins of style.css, in PDF points: what is printed above the top one and
/// below the bottom one is in the sheet's margin.
const TOP_MARGIN_PT: f64 = 20.0 / 25.4 * 72.0;
const BOTTOM_MARGIN_PT: f64 = 18.0 / 25.4 * 72.0;

/// One printed sheet as `pdftotext -bbox` reads it: the words in its top margin and in its
/// bottom margin, each in reading order.
#[derive(Debug)]
struct Sheet {
    top: String,
    bottom: String,
}

/// The sheets of a PDF, read by poppler's `pdftotext -bbox` (every word with its box, as
/// XHTML, parsed with the suite's HTML parser).
fn printed_sheets(pdf: &[u8]) -> Vec<Sheet> {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("printed.pdf");
    std::fs::write(&file, pdf).expect("write the PDF");
    let out = Command::new("pdftotext")
        .arg("-bbox")
        .arg(&file)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = scraper::Html::parse_document(&String::from_utf8_lossy(&out.stdout));
    let f = |e: scraper::ElementRef, a: &str| {
        e.value()
            .attr(a)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    doc.select(&common::sel("page"))
        .map(|page| {
            let height = f(page, "height");
            let mut words: Vec<(f64, f64, String)> = page
                .select(&common::sel("word"))
                .map(|w| (f(w, "ymin"), f(w, "xmin"), common::text_of(w)))
                .collect();
            words.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let band = |keep: &dyn Fn(f64) -> bool| {
                words
                    .iter()
                    .filter(|w| keep(w.0))
                    .map(|w| w.2.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            Sheet {
                top: band(&|y| y < TOP_MARGIN_PT),
                bottom: band(&|y| y > height - BOTTOM_MARGIN_PT),
            }
        })
        .collect()
}

/// The marked page and the book of the marked book printed to PDF by Chromium itself
/// (DevTools' `Page.printToPDF`, the sheet size and margins of the page's `@page` rules):
/// every sheet has the marking in its top margin and in its bottom margin, and the book's
/// are numbered *Page N of M*. Read from the PDF by `pdftotext`, not from the stylesheet.
#[test]
fn a_marked_page_and_the_book_print_their_marking_at_the_top_and_bottom_of_every_sheet() {
    if support::skip_or_require(
        "the printed markings test",
        &[Tool::Chromium, Tool::Chromedriver, Tool::Pdftotext],
    ) {
        return;
    }
    let (site, slug) = marked_book();
    let server = StaticServer::start(&site.public(), "/briefing/");
    let base = server.url();
    // Shown as the stylesheet sets it, in capitals.
    let marking = "SECRET — FOR INTERNAL USE";
    run_with_budget(async {
        let browser = Browser::start().await;
        let mut problems = Vec::new();
        for (name, path, at_least) in [
            ("the marked page", format!("disputes/{slug}/"), 1),
            ("the book", "book/".to_string(), 3),
        ] {
            browser.goto(&format!("{base}{path}")).await;
            let printed = browser
                .cdp(
                    "Page.printToPDF",
                    json!({
                        "displayHeaderFooter": false,
                        "preferCSSPageSize": true,
                        "printBackground": true,
                    }),
                )
                .await;
            let pdf = base64::engine::general_purpose::STANDARD
                .decode(printed["data"].as_str().unwrap_or_default())
                .unwrap_or_else(|e| panic!("{name}: the PDF's base64: {e}"));
            std::fs::write(
                support::screenshots_dir().join(format!("printed-{}.pdf", name.replace(' ', "-"))),
                &pdf,
            )
            .expect("keep the PDF");
            let sheets = printed_sheets(&pdf);
            if sheets.len() < at_least {
                problems.push(format!(
                    "{name}: {} sheets, expected at least {at_least}",
                    sheets.len()
                ));
            }
            let total = sheets.len();
            for (n, sheet) in sheets.iter().enumerate() {
                let n = n + 1;
                if !sheet.top.contains(marking) {
                    problems.push(format!(
                        "{name}, sheet {n}: its top margin says {:?}",
                        sheet.top
                    ));
                }
                if !sheet.bottom.contains(marking) {
                    problems.push(format!(
                        "{name}, sheet {n}: its bottom margin says {:?}",
                        sheet.bottom
                    ));
                }
                let numbered = format!("Page {n} of {total}");
                if !sheet.bottom.contains(&numbered) {
                    problems.push(format!(
                        "{name}, sheet {n}: no {numbered:?} in its bottom margin: {:?}",
                        sheet.bottom
                    ));
                }
            }
        }
        browser.close().await;
        assert!(
            problems.is_empty(),
            "printed markings:\n  - {}",
            problems.join("\n  - ")
        );
    });
}

/// The printed book (print media emulated): the contents list leaves room for two-digit
/// numbers inside the margin, and the stylesheets hold `@page` rules that number every sheet
/// and put the handling line at the top of each.
#[test]
fn the_printed_book_numbers_its_sheets_and_has_room_for_its_contents_numbers() {
    if support::skip_or_require("the print test", &[Tool::Chromium, Tool::Chromedriver]) {
        return;
    }
    let book = ServedBook::start();
    let base = book.base.clone();
    run_with_budget(async {
        let browser = Browser::start().await;
        browser.goto(&format!("{base}book/")).await;
        browser
            .cdp("Emulation.setEmulatedMedia", json!({ "media": "print" }))
            .await;
        let state = browser
            .script_value(
                "const lists = [...document.querySelectorAll('.book-contents ol')];
                 const room = lists.map(ol => {
                    const li = ol.querySelector('li');
                    const probe = document.createElement('span');
                    probe.textContent = '10. ';
                    probe.style.font = getComputedStyle(li).font;
                    probe.style.position = 'absolute';
                    document.body.appendChild(probe);
                    const need = probe.getBoundingClientRect().width;
                    probe.remove();
                    return [parseFloat(getComputedStyle(ol).paddingLeft), need,
                        ol.getBoundingClientRect().left];
                 });
                 const pages = [];
                 for (const sheet of document.styleSheets) {
                    for (const rule of sheet.cssRules) {
                        if (rule instanceof CSSMediaRule) continue;
                        if (rule.type === CSSRule.PAGE_RULE) pages.push(rule.cssText);
                    }
                 }
                 return { room, pages };",
            )
            .await;
        browser.close().await;
        let room = state["room"].as_array().cloned().unwrap_or_default();
        assert!(!room.is_empty(), "no contents lists");
        for r in &room {
            let (padding, need, left) = (
                r[0].as_f64().unwrap_or(0.0),
                r[1].as_f64().unwrap_or(f64::MAX),
                r[2].as_f64().unwrap_or(-1.0),
            );
            assert!(
                padding >= need && left >= 0.0,
                "a contents list has {padding} px for numbers that need {need} px (at {left} px)"
            );
        }
        let pages: Vec<&str> = state["pages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let all = pages.join("\n");
        assert!(
            all.contains("counter(page)") && all.contains("counter(pages)"),
            "no page numbers in the @page rules: {all}"
        );
        assert!(
            all.contains("@top-center") && all.contains("UNCLASSIFIED — for internal use"),
            "no handling line at the top of each sheet: {all}"
        );
    });
}

/// The search form without JavaScript opens the search page, which lists every page; with
/// JavaScript, the search page answers the query it was opened with.
#[test]
fn the_search_form_works_without_javascript() {
    if support::skip_or_require(
        "the search form test",
        &[Tool::Chromium, Tool::Chromedriver],
    ) {
        return;
    }
    let book = ServedBook::start();
    let (base, slug) = (&book.base, &book.slug);
    let canola_url = format!("{base}disputes/{slug}/");
    run_with_budget(async {
        let browser = Browser::start().await;
        browser
            .cdp(
                "Emulation.setScriptExecutionDisabled",
                json!({ "value": true }),
            )
            .await;
        browser.goto(base).await;
        let input = browser
            .client()
            .find(Locator::Css("#search-input"))
            .await
            .expect("the search box is in the page without JavaScript");
        input.send_keys("canola").await.expect("type");
        browser
            .client()
            .find(Locator::Css(".search button[type=submit]"))
            .await
            .expect("a submit button")
            .click()
            .await
            .expect("click Search");
        let deadline = Instant::now() + WAIT;
        let want = format!("{base}search/?q=canola");
        loop {
            let at = browser
                .client()
                .current_url()
                .await
                .expect("url")
                .to_string();
            if at == want {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "submitting opened {at}, not {want}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        browser.goto(&want).await;
        let listed = browser
            .client()
            .find_all(Locator::Css("main .card-title"))
            .await
            .expect("cards")
            .len();
        assert!(listed >= 10, "the search page lists every page: {listed}");
        // With JavaScript, the same address shows the matches for its query.
        browser
            .cdp(
                "Emulation.setScriptExecutionDisabled",
                json!({ "value": false }),
            )
            .await;
        browser.goto(&want).await;
        let deadline = Instant::now() + WAIT;
        loop {
            let links = browser
                .script_value(
                    "const ol = document.querySelector('ol.search-results');
                     return ol && !ol.hidden ? [...ol.querySelectorAll('a')].map(a => a.href) : null;",
                )
                .await;
            if let Some(list) = links.as_array() {
                assert!(
                    list.iter().any(|h| h.as_str() == Some(canola_url.as_str())),
                    "results for ?q=canola: {list:?}"
                );
                break;
            }
            assert!(Instant::now() < deadline, "no results shown for ?q=canola");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        browser.close().await;
    });
}

/// The book in French, in a real browser: the language link of a page leads to its
/// counterpart and back to the same page; the French search finds « différend » typed
/// without its accent and « accord » in « d’accord »; French pages at 390 px never scroll
/// sideways and axe-core finds nothing serious or critical on them (lang attributes
/// included).
#[test]
fn the_french_book_toggles_searches_without_accents_and_stays_accessible() {
    if support::skip_or_require(
        "the French book test",
        &[Tool::Chromium, Tool::Chromedriver, Tool::Axe],
    ) {
        return;
    }
    let axe = std::fs::read_to_string(support::axe_js()).expect("read axe.min.js");
    let book = ServedBook::start();
    let base = book.base.clone();
    let english = format!("{base}disputes/{}/", book.slug);
    let french = format!("{base}fr/differends/{}/", book.slug);
    run_with_budget(async {
        let browser = Browser::start().await;
        let mut problems = Vec::new();
        let follow = |from: &str| {
            let from = from.to_string();
            let browser = &browser;
            async move {
                browser.goto(&from).await;
                browser
                    .client()
                    .find(Locator::Css("a.language-link"))
                    .await
                    .expect("a language link")
                    .click()
                    .await
                    .expect("click it");
                tokio::time::sleep(Duration::from_millis(300)).await;
                let at = browser
                    .client()
                    .current_url()
                    .await
                    .expect("url")
                    .to_string();
                let lang = browser
                    .script_value("return document.documentElement.lang;")
                    .await;
                (at, lang.as_str().unwrap_or_default().to_string())
            }
        };
        let (at, lang) = follow(&english).await;
        if at != french || lang != "fr-CA" {
            problems.push(format!("from {english}: at {at} ({lang})"));
        }
        let (at, lang) = follow(&french).await;
        if at != english || lang != "en-CA" {
            problems.push(format!("from {french}: at {at} ({lang})"));
        }
        browser.goto(&format!("{base}fr/")).await;
        match browser.search("differend").await {
            Ok(results) => {
                if !results
                    .iter()
                    .any(|(href, _)| href.contains("/fr/differends/"))
                {
                    problems.push(format!("« differend » found {results:?}"));
                }
                if results.iter().any(|(href, _)| !href.contains("/fr/")) {
                    problems.push(format!("French search found English pages: {results:?}"));
                }
            }
            Err(e) => problems.push(e),
        }
        let pages: Vec<(&str, String)> = vec![
            ("fr-index", format!("{base}fr/")),
            ("fr-dispute", french.clone()),
            ("fr-itinerary", format!("{base}fr/itineraire/")),
            ("fr-book", format!("{base}fr/book/")),
        ];
        browser.check_phone(&pages, &mut problems).await;
        for (name, url) in &pages {
            browser.goto(url).await;
            for v in browser.axe(&axe).await {
                if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
                    problems.push(describe_violation(name, &v));
                }
            }
        }
        browser.close().await;
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    });
}

fn describe_violation(page: &str, v: &Value) -> String {
    let targets: Vec<String> = v["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .take(8)
        .map(|n| {
            format!(
                "      {} — {}",
                n["target"],
                n["failureSummary"]
                    .as_str()
                    .unwrap_or_default()
                    .replace('\n', " ")
            )
        })
        .collect();
    format!(
        "  {page}: [{}] {} — {} ({} nodes)\n{}",
        v["impact"].as_str().unwrap_or("?"),
        v["id"].as_str().unwrap_or("?"),
        v["help"].as_str().unwrap_or("?"),
        v["nodes"].as_array().map_or(0, Vec::len),
        targets.join("\n")
    )
}

fn has_file_extension(url: &str) -> bool {
    let last = url.rsplit('/').next().unwrap_or_default();
    last.contains('.')
}

fn file_url(dir: &Path) -> String {
    let dir = dir.canonicalize().expect("canonical output path");
    let mut s = String::from("file://");
    for part in dir.to_str().expect("utf-8 path").split('/') {
        if part.is_empty() {
            continue;
        }
        s.push('/');
        s.push_str(&percent_encode(part));
    }
    s.push('/');
    s
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The browser: chromedriver on a free port, one Chromium session, both killed on drop.

struct Browser {
    client: Option<Client>,
    driver: Child,
    driver_port: u16,
    session_id: Option<String>,
    chromium_pid: Option<u64>,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start() -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let port = common::server::free_port();
        let driver = Command::new(support::chromedriver_binary())
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut browser = Browser {
            client: None,
            driver,
            driver_port: port,
            session_id: None,
            chromium_pid: None,
            _profile: profile,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = browser.driver.try_wait() {
                panic!("chromedriver exited at start-up: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port} within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!(
            "--user-data-dir={}",
            browser._profile.path().display()
        ));
        let caps = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": { "pageLoad": 60_000, "script": 60_000, "implicit": 0 },
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": support::chromium_binary().expect("chromium"),
                "args": args,
            },
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}/"))
            .await
            .unwrap_or_else(|e| panic!("start a Chromium session through chromedriver: {e}"));
        browser.chromium_pid = client
            .capabilities()
            .and_then(|c| c.get("goog:processID"))
            .and_then(Value::as_u64);
        browser.session_id = client.session_id().await.ok().flatten();
        browser.client = Some(client);
        browser
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("open session")
    }

    async fn close(mut self) {
        if let Some(client) = self.client.take() {
            // Ends the session: chromedriver quits Chromium.
            if client.close().await.is_ok() {
                self.session_id = None;
                self.chromium_pid = None;
            }
        }
    }

    async fn goto(&self, url: &str) {
        self.client()
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        // ChromeDriver normally returns once the page has loaded, but not always for file://
        // pages; wait (bounded) for the load event.
        let deadline = Instant::now() + WAIT;
        while self.script_value("return document.readyState;").await != "complete"
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn script_value(&self, script: &str) -> Value {
        self.script_with(script, Value::Null).await
    }

    /// Runs `script` with `arg` as `arguments[0]`.
    async fn script_with(&self, script: &str, arg: Value) -> Value {
        self.client()
            .execute(script, vec![arg])
            .await
            .unwrap_or_else(|e| panic!("run script {script:?}: {e}"))
    }

    /// A command of ChromeDriver's own (`POST /session/{id}/{path}`).
    async fn driver_cmd(&self, path: &'static str, body: Value) -> Value {
        self.client()
            .issue_cmd(DriverCommand { path, body })
            .await
            .unwrap_or_else(|e| panic!("chromedriver {path}: {e}"))
    }

    async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.driver_cmd("goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
            .await
    }

    /// Chromium's log since the last call: uncaught exceptions, `console.*` and failed loads.
    async fn take_log(&self) -> Vec<(String, String)> {
        let log = self
            .driver_cmd("se/log", json!({ "type": "browser" }))
            .await;
        log.as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["level"].as_str().unwrap_or("?").to_string(),
                    e["message"].as_str().unwrap_or("?").to_string(),
                )
            })
            .collect()
    }

    async fn log_problems(&self, label: &str, problems: &mut Vec<String>) {
        for (level, message) in self.take_log().await {
            if level == "SEVERE" {
                problems.push(format!("{label}: console error: {message}"));
            } else if level == "WARNING" {
                eprintln!("{label}: console warning: {message}");
            }
        }
    }

    async fn color_scheme(&self, scheme: &str) {
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await;
    }

    /// A PNG of the whole page (not just the window) in `target/screenshots/NAME.png`.
    async fn screenshot(&self, name: &str) -> PathBuf {
        let metrics = self.cdp("Page.getLayoutMetrics", json!({})).await;
        let size = &metrics["cssContentSize"];
        let width = size["width"].as_f64().unwrap_or(1280.0).ceil();
        let height = size["height"]
            .as_f64()
            .unwrap_or(900.0)
            .ceil()
            .min(20_000.0);
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({
                    "format": "png",
                    "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": 1 },
                }),
            )
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("screenshot is base64");
        let path = support::screenshots_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Opens `url` and checks it; problems are collected, not raised, so one run shows all.
    async fn check_page(
        &self,
        label: &str,
        url: &str,
        canola_url: &str,
        problems: &mut Vec<String>,
    ) {
        let _ = self.take_log().await; // whatever came before this page
        self.goto(url).await;
        let state = self
            .script_value(
                "return {
                    ready: document.readyState,
                    url: location.href,
                    title: document.title,
                    h1: !!document.querySelector('main h1'),
                    resources: performance.getEntriesByType('resource').map(e => ({
                        name: e.name, status: e.responseStatus || 0 })),
                    styled: getComputedStyle(document.querySelector('.skip-link')).position === 'absolute',
                    searchBox: !!document.querySelector('.search[data-root] #search-input'),
                    trackerRows: document.querySelectorAll('table.tracker tbody tr').length,
                    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                };",
            )
            .await;
        if state["ready"] != "complete" {
            problems.push(format!("{label}: document not loaded: {}", state["ready"]));
        }
        if state["url"].as_str() != Some(url) {
            problems.push(format!("{label}: opened {} instead of {url}", state["url"]));
        }
        if !state["h1"].as_bool().unwrap_or(false) {
            problems.push(format!(
                "{label}: no <h1> in <main> (title {})",
                state["title"]
            ));
        }
        if !state["styled"].as_bool().unwrap_or(false) {
            problems.push(format!(
                "{label}: style.css is not applied (the skip link is not positioned)"
            ));
        }
        let resources = state["resources"].as_array().cloned().unwrap_or_default();
        for r in &resources {
            if r["status"].as_u64().is_some_and(|s| s >= 400) {
                problems.push(format!(
                    "{label}: request for {} answered {}",
                    r["name"], r["status"]
                ));
            }
        }
        if !state["searchBox"].as_bool().unwrap_or(false) {
            problems.push(format!("{label}: no search box"));
        }
        if label.ends_with("index") {
            let rows = state["trackerRows"].as_u64().unwrap_or(0);
            if rows == 0 {
                problems.push(format!("{label}: the tracker table has no rows"));
            }
        }
        if state["overflow"].as_i64().unwrap_or(0) > 0 {
            eprintln!(
                "{label}: the page is {} px wider than the window",
                state["overflow"]
            );
        }
        self.screenshot(label).await;
        self.log_problems(label, problems).await;

        // Search: type "canola", wait (bounded) for a result linking to the canola page.
        match self.search("canola").await {
            Ok(links) => {
                if !links.iter().any(|(href, _)| href == canola_url) {
                    problems.push(format!(
                        "{label}: searching \"canola\" listed no link to {canola_url}; results: {links:?}"
                    ));
                }
            }
            Err(e) => problems.push(format!("{label}: search: {e}")),
        }
        if label.ends_with("index") {
            self.screenshot(&format!("{label}-search")).await;
        }
        self.log_problems(&format!("{label} (search)"), problems)
            .await;
    }

    /// Types `query` into the search box and returns the result links (resolved href, text)
    /// once there are some.
    async fn search(&self, query: &str) -> Result<Vec<(String, String)>, String> {
        let input = self
            .client()
            .find(Locator::Css("#search-input"))
            .await
            .map_err(|e| format!("no #search-input: {e}"))?;
        input
            .send_keys(query)
            .await
            .map_err(|e| format!("type into #search-input: {e}"))?;
        let deadline = Instant::now() + WAIT;
        loop {
            let links = self
                .script_with(
                    "const ol = document.querySelector('ol.search-results');
                     const input = document.querySelector('#search-input');
                     if (!ol || ol.hidden || !ol.children.length) return null;
                     if (input.value !== arguments[0]) return null;
                     return [...ol.querySelectorAll('a[href]')].map(a => [a.href, a.textContent]);",
                    json!(query),
                )
                .await;
            if let Some(list) = links.as_array() {
                return Ok(list
                    .iter()
                    .map(|pair| {
                        (
                            pair[0].as_str().unwrap_or_default().to_string(),
                            pair[1].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect());
            }
            if Instant::now() > deadline {
                return Err(format!("no search results for {query:?} within {WAIT:?}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Searches on `start`, clicks the result for the canola page and checks that it opens.
    async fn follow_search_result(
        &self,
        start: &str,
        canola_url: &str,
        problems: &mut Vec<String>,
    ) {
        let _ = self.take_log().await;
        self.goto(start).await;
        if let Err(e) = self.search("canola").await {
            problems.push(format!("follow: search: {e}"));
            return;
        }
        let clicked = self
            .script_value(&format!(
                "const a = [...document.querySelectorAll('ol.search-results a')]
                    .find(a => a.href === {});
                 if (!a) return false; a.click(); return true;",
                json!(canola_url)
            ))
            .await;
        if clicked != Value::Bool(true) {
            problems.push("follow: no search result to click".to_string());
            return;
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let state = self
                .script_value(
                    "return [location.href, document.readyState, !!document.querySelector('main h1')];",
                )
                .await;
            if state[0].as_str() == Some(canola_url) && state[1] == "complete" {
                if state[2] != Value::Bool(true) {
                    problems.push(format!("follow: {canola_url} has no <h1>"));
                }
                break;
            }
            if Instant::now() > deadline {
                problems.push(format!(
                    "follow: clicking the canola result did not open {canola_url} (at {})",
                    state[0]
                ));
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.log_problems("follow", problems).await;
    }

    /// The pages at a phone's width (390 CSS px): screenshots, and no sideways scrolling of
    /// the page itself (wide tables scroll inside their own box).
    async fn check_phone(&self, pages: &[(&str, String)], problems: &mut Vec<String>) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true }),
        )
        .await;
        for (name, url) in pages {
            let label = format!("phone-{name}");
            self.goto(url).await;
            let wide = self
                .script_value(
                    "const w = document.documentElement.clientWidth;
                     return [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > w + 1
                            && getComputedStyle(e).position !== 'absolute'
                            && !e.closest('.table-wrap, pre'))
                        .slice(0, 5)
                        .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                            + ' (' + Math.round(e.getBoundingClientRect().right) + ' px)')
                        .concat([document.documentElement.scrollWidth - w]);",
                )
                .await;
            let list = wide.as_array().cloned().unwrap_or_default();
            let overflow = list.last().and_then(Value::as_i64).unwrap_or(0);
            if overflow > 0 {
                problems.push(format!(
                    "{label}: the page scrolls sideways by {overflow} px on a 390 px screen; \
                     too wide: {:?}",
                    &list[..list.len().saturating_sub(1)]
                ));
            }
            self.screenshot(&label).await;
            self.log_problems(&label, problems).await;
        }
        self.cdp("Emulation.clearDeviceMetricsOverride", json!({}))
            .await;
    }

    /// The layout checks of `reader_pages_at_phone_and_laptop_widths_in_both_colour_schemes`
    /// on the open page.
    async fn check_reader_layout(
        &self,
        label: &str,
        page: &str,
        width: u32,
        scheme: &str,
        problems: &mut Vec<String>,
    ) {
        let state = self
            .script_value(
                "const ratio = (a, b) => {
                    const lum = c => { const v = c.match(/[\\d.]+/g).slice(0, 3).map(Number)
                        .map(x => x / 255).map(x => x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
                        return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
                    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
                    return (x + 0.05) / (y + 0.05); };
                 const bgOf = e => { for (; e; e = e.parentElement) {
                    const c = getComputedStyle(e).backgroundColor;
                    if (!/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return c; }
                    return 'rgb(255, 255, 255)'; };
                 const low = [...document.querySelectorAll('.status, .badge, .theme-tag')]
                    .filter(e => e.getClientRects().length)
                    .map(e => [e.className + ' \"' + e.textContent.trim() + '\"',
                        ratio(getComputedStyle(e).color, bgOf(e))])
                    .filter(([, r]) => r < 4.5)
                    .map(([w, r]) => w + ' ' + r.toFixed(2) + ':1');
                 const title = document.querySelector('.site-title');
                 const lines = title.getBoundingClientRect().height / parseFloat(getComputedStyle(title).lineHeight);
                 const cells = [...document.querySelectorAll('table.stack td')];
                 const cut = cells.filter(td => td.getBoundingClientRect().right > innerWidth + 1).length;
                 const stacked = cells.filter(td => getComputedStyle(td).display !== 'table-cell').length;
                 const split = [...document.querySelectorAll('.site-nav li')].filter(li =>
                    li.getClientRects().length && li.getBoundingClientRect().height >
                        1.6 * parseFloat(getComputedStyle(li.querySelector('a')).lineHeight))
                    .map(li => li.textContent.trim());
                 const input = document.querySelector('#search-input');
                 const facts = [...document.querySelectorAll('main > article .dispute-facts > div')]
                    .map(d => d.getBoundingClientRect());
                 const md = document.querySelector('.prose .table-wrap');
                 return {
                    scroll: document.documentElement.scrollWidth, inner: innerWidth,
                    low, lines, cut, stacked, cells: cells.length, split,
                    input: input ? input.getBoundingClientRect().width : 0,
                    facts: facts.map(r => [Math.round(r.top), Math.round(r.width)]),
                    shadow: md ? getComputedStyle(md).backgroundImage : null,
                 };",
            )
            .await;
        let num = |k: &str| state[k].as_f64().unwrap_or(f64::NAN);
        if num("scroll") > num("inner") {
            problems.push(format!(
                "{label}: scrollWidth {} > innerWidth {}: the page scrolls sideways",
                state["scroll"], state["inner"]
            ));
        }
        for low in state["low"].as_array().into_iter().flatten() {
            problems.push(format!("{label}: contrast below 4.5:1: {low}"));
        }
        if let Some(shadow) = state["shadow"].as_str() {
            let want = if scheme == "dark" {
                "rgba(255, 255, 255, 0.3)"
            } else {
                "rgba(0, 0, 0, 0.22)"
            };
            if !shadow.contains(want) {
                problems.push(format!(
                    "{label}: a Markdown table's edge shadow is not {want}: {shadow}"
                ));
            }
        }
        if width >= 1280 {
            if num("lines") > 1.5 {
                problems.push(format!(
                    "{label}: the site title wraps ({:.1} lines)",
                    num("lines")
                ));
            }
            // The short facts (imposed by, affected) are narrower than the long ones.
            if page == "dispute" {
                let facts: Vec<(i64, i64)> = state["facts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|f| (f[0].as_i64().unwrap_or(0), f[1].as_i64().unwrap_or(0)))
                    .collect();
                if facts.len() != 4 || facts[0].1 * 2 > facts[2].1 || facts[1].1 * 2 > facts[3].1 {
                    problems.push(format!(
                        "{label}: the facts do not size to their content: {facts:?}"
                    ));
                }
            }
            return;
        }
        // On the phone: tables as cards, nothing cut off; the search box takes the width;
        // no nav item split; "Imposed by" and "Affected" side by side.
        if num("cells") > 0.0 && num("stacked") < num("cells") {
            problems.push(format!(
                "{label}: {} of {} tracker or measures cells are not stacked",
                num("cells") - num("stacked"),
                state["cells"]
            ));
        }
        if num("cut") > 0.0 {
            problems.push(format!(
                "{label}: {} table cells run off the screen",
                state["cut"]
            ));
        }
        if num("input") < 0.6 * f64::from(width) {
            problems.push(format!(
                "{label}: the search box is only {} px wide",
                state["input"]
            ));
        }
        for item in state["split"].as_array().into_iter().flatten() {
            problems.push(format!("{label}: the nav item {item} wraps"));
        }
        if page == "dispute" {
            let facts = state["facts"].as_array().cloned().unwrap_or_default();
            if facts.len() < 2 || facts[0][0] != facts[1][0] {
                problems.push(format!(
                    "{label}: \"Imposed by\" and \"Affected\" are not side by side: {facts:?}"
                ));
            }
        }
        if page == "index" {
            // The search form is in the page from the start: nothing shifts when it loads.
            let shift = self
                .client()
                .execute_async(
                    "const done = arguments[arguments.length - 1]; let sum = 0;
                     new PerformanceObserver(l => l.getEntries().forEach(e => { sum += e.value; }))
                        .observe({ type: 'layout-shift', buffered: true });
                     setTimeout(() => done(sum), 500);",
                    vec![],
                )
                .await
                .map_or(f64::NAN, |v| v.as_f64().unwrap_or(f64::NAN));
            if shift.is_nan() || shift >= 0.01 {
                problems.push(format!("{label}: layout shift {shift:.3}"));
            }
        }
    }

    /// Runs axe-core on the current page and returns its violations.
    async fn axe(&self, axe_source: &str) -> Vec<Value> {
        let loaded = self
            .script_value(&format!(
                "if (!window.axe) {{ {axe_source}\n }} return typeof window.axe;"
            ))
            .await;
        assert_eq!(loaded, "object", "axe-core did not load into the page");
        let result = self
            .client()
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(JSON.stringify(r.violations)))
                    .catch(e => done('axe failed: ' + e));",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("run axe: {e}"));
        let text = result.as_str().unwrap_or_default();
        serde_json::from_str::<Vec<Value>>(text).unwrap_or_else(|_| panic!("{text}"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Only reached with a live session if the test failed before `close`: ask
        // chromedriver to end it (it quits Chromium and reaps it), and kill Chromium by its
        // process id if that did not work.
        if let Some(session) = self.session_id.take()
            && end_session(self.driver_port, &session)
        {
            self.chromium_pid = None;
        }
        if let Some(pid) = self.chromium_pid.take() {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `DELETE /session/{id}` over a plain blocking connection (for `Drop`, outside async code).
fn end_session(port: u16, session: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let request = format!(
        "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut status = String::new();
    BufReader::new(stream).read_line(&mut status).is_ok() && status.contains(" 200 ")
}

/// `POST /session/{id}/{path}` with a JSON body: ChromeDriver's log and CDP endpoints.
#[derive(Debug)]
struct DriverCommand {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for DriverCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.expect("a session");
        base_url.join(&format!("session/{session}/{}", self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

// ---------------------------------------------------------------------------------------
// A plain static file server, as nginx would serve a folder under a sub-path: files under
// `prefix`, a folder's index.html, a redirect for a folder without its slash, 404 elsewhere.
// It records every request and its status.

struct StaticServer {
    port: u16,
    prefix: String,
    requests: Arc<Mutex<Vec<(String, u16)>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StaticServer {
    fn start(root: &Path, prefix: &str) -> StaticServer {
        assert!(prefix.starts_with('/') && prefix.ends_with('/'));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind static server");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (root, prefix) = (root.to_path_buf(), prefix.to_string());
            let (requests, stop) = (requests.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (root, prefix, requests) = (root.clone(), prefix.clone(), requests.clone());
                    std::thread::spawn(move || serve_one(stream, &root, &prefix, &requests));
                }
            })
        };
        StaticServer {
            port,
            prefix: prefix.to_string(),
            requests,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.prefix)
    }

    fn requests(&self) -> Vec<(String, u16)> {
        self.requests.lock().expect("requests").clone()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wakes the accept loop
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve_one(stream: TcpStream, root: &Path, prefix: &str, log: &Mutex<Vec<(String, u16)>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() || request_line.is_empty() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let path = target
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_string();
    let (status, content_type, body, location) = respond(&method, &path, root, prefix);
    log.lock().expect("log").push((path, status));
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Bad Request",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(location) = location {
        head.push_str(&format!("Location: {location}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = &stream;
    let _ = stream.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&body);
    }
    let _ = stream.flush();
}

type Reply = (u16, &'static str, Vec<u8>, Option<String>);

fn respond(method: &str, path: &str, root: &Path, prefix: &str) -> Reply {
    let not_found = || (404, "text/plain", b"not found".to_vec(), None);
    if method != "GET" && method != "HEAD" {
        return (405, "text/plain", b"GET or HEAD".to_vec(), None);
    }
    let Some(decoded) = percent_decode(path) else {
        return (400, "text/plain", b"bad path".to_vec(), None);
    };
    if decoded == prefix.trim_end_matches('/') {
        return (301, "text/plain", Vec::new(), Some(prefix.to_string()));
    }
    let Some(rest) = decoded.strip_prefix(prefix) else {
        return not_found();
    };
    let mut file = root.to_path_buf();
    for segment in rest.split('/').filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." || segment.contains('\\') {
            return not_found();
        }
        file.push(segment);
    }
    if file.is_dir() {
        if !decoded.ends_with('/') {
            return (301, "text/plain", Vec::new(), Some(format!("{path}/")));
        }
        file.push("index.html");
    }
    match std::fs::read(&file) {
        Ok(bytes) => (200, content_type(&file), bytes, None),
        Err(_) => not_found(),
    }
}

fn content_type(file: &Path) -> &'static str {
    match file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "pdf" => "application/pdf",
        "xml" => "application/xml",
        "ics" => "text/calendar; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

//! Both official languages: the bundled book in English and French, each page linked to its
//! counterpart and back, each language's words on its own pages only, and a translation
//! that disagrees with its original on a fact refused (a property over random
//! translations of a small site).

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{TestSite, html_files, parse_html, sel, text_of};
use proptest::prelude::*;
use scraper::{ElementRef, Html};

/// `href` from the page `from` (an output file, relative with `/`), as the output file it
/// names.
fn resolve(from: &str, href: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in href.split('#').next().unwrap_or("").split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if href.ends_with('/') || href.is_empty() {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str("index.html");
    }
    out
}

fn lang_of(doc: &Html) -> String {
    doc.select(&sel("html"))
        .next()
        .and_then(|h| h.value().attr("lang"))
        .unwrap_or_default()
        .to_string()
}

/// The pages that say their language's links: every HTML file but the 404 page and the
/// aliases' redirects.
fn pages(public: &Path) -> Vec<(String, Html)> {
    html_files(public)
        .into_iter()
        .filter(|p| p != "404.html")
        .map(|p| {
            let doc = parse_html(&public.join(&p));
            (p, doc)
        })
        .filter(|(_, doc)| {
            doc.select(&sel("meta[http-equiv=refresh]"))
                .next()
                .is_none()
        })
        .collect()
}

#[test]
fn every_page_of_the_bundled_book_links_to_its_counterpart_and_back() {
    let site = TestSite::bundled();
    site.build().ok();
    let public = site.public();
    let all = pages(&public);
    let english = all.iter().filter(|(p, _)| !p.starts_with("fr/")).count();
    let french = all.iter().filter(|(p, _)| p.starts_with("fr/")).count();
    assert!(english >= 20, "{english} English pages");
    assert_eq!(english, french, "as many pages in each language");
    let mut problems = Vec::new();
    for (path, doc) in &all {
        let (want_here, want_there) = if path.starts_with("fr/") {
            ("fr-CA", "en-CA")
        } else {
            ("en-CA", "fr-CA")
        };
        if lang_of(doc) != want_here {
            problems.push(format!("{path}: <html lang={:?}>", lang_of(doc)));
        }
        let links: Vec<ElementRef> = doc.select(&sel("a.language-link")).collect();
        let [link] = links.as_slice() else {
            problems.push(format!("{path}: {} language links", links.len()));
            continue;
        };
        let (lang, hreflang) = (link.value().attr("lang"), link.value().attr("hreflang"));
        if lang != Some(want_there) || hreflang != Some(want_there) {
            problems.push(format!("{path}: link lang {lang:?} hreflang {hreflang:?}"));
        }
        let expected_name = if want_there == "fr-CA" {
            "Français"
        } else {
            "English"
        };
        if text_of(*link) != expected_name {
            problems.push(format!("{path}: the link says {:?}", text_of(*link)));
        }
        let href = link.value().attr("href").unwrap_or_default();
        if href.starts_with('/') || href.contains("://") {
            problems.push(format!("{path}: the link {href:?} is not relative"));
        }
        let there = resolve(path, href);
        let Ok(text) = std::fs::read_to_string(public.join(&there)) else {
            problems.push(format!("{path}: its counterpart {there} does not exist"));
            continue;
        };
        let counterpart = Html::parse_document(&text);
        if lang_of(&counterpart) != want_there {
            problems.push(format!(
                "{path} → {there}: lang {:?}",
                lang_of(&counterpart)
            ));
        }
        let back = counterpart
            .select(&sel("a.language-link"))
            .next()
            .and_then(|a| a.value().attr("href"))
            .map(|h| resolve(&there, h));
        if back.as_deref() != Some(path.as_str()) {
            problems.push(format!("{path} → {there} → {back:?}, not back"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Portable, the language links end in index.html like every internal link.
    site.run(&["build", "--portable", "--output", "portable"])
        .ok();
    let doc = parse_html(&site.root.join("portable/fr/differends/canola/index.html"));
    let href = doc
        .select(&sel("a.language-link"))
        .next()
        .and_then(|a| a.value().attr("href"))
        .unwrap_or_default();
    assert_eq!(href, "../../../disputes/canola/index.html");
    // Sections named in French: the disputes are under fr/differends/.
    assert!(public.join("fr/differends/canola/index.html").is_file());
    assert!(public.join("fr/itineraire/index.html").is_file());
}

/// The words of a built-in strings table that differ from the other language's: phrases a
/// page in the other language must not contain.
fn own_phrases(lang: &str, other: &str) -> Vec<String> {
    let table = |l: &str| -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(common::repo().join(format!("src/strings/{l}.toml")))
            .expect("strings table");
        toml::from_str(&text).expect("strings")
    };
    let (own, theirs) = (table(lang), table(other));
    own.iter()
        .filter(|(k, v)| {
            theirs.get(*k) != Some(v)
                && !v.contains('{')
                && !v.contains(',')
                && v.chars().count() >= 6
                && !matches!(k.as_str(), "language_name")
        })
        .map(|(_, v)| v.clone())
        .collect()
}

/// The text of `doc` a reader hears in the page's own language: every text node and
/// labelling attribute outside elements that say another `lang`.
fn text_in_own_language(doc: &Html) -> String {
    let page = lang_of(doc);
    let mut out = String::new();
    for node in doc.root_element().descendants() {
        let other = node.ancestors().chain(std::iter::once(node)).any(|a| {
            ElementRef::wrap(a)
                .and_then(|e| e.value().attr("lang"))
                .is_some_and(|l| l != page)
        });
        if other {
            continue;
        }
        if let Some(t) = node.value().as_text() {
            out.push_str(t);
            out.push(' ');
        } else if let Some(e) = node.value().as_element() {
            if e.name() == "script" || e.name() == "style" {
                continue;
            }
            for a in [
                "aria-label",
                "placeholder",
                "data-label",
                "title",
                "data-none",
            ] {
                if let Some(v) = e.attr(a) {
                    out.push_str(v);
                    out.push(' ');
                }
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn french_pages_say_no_english_words_of_the_theme_and_english_pages_no_french() {
    let site = TestSite::bundled();
    site.build().ok();
    let english = own_phrases("en", "fr");
    let french = own_phrases("fr", "en");
    assert!(english.len() > 40 && french.len() > 40);
    let mut problems = Vec::new();
    for (path, doc) in pages(&site.public()) {
        let text = text_in_own_language(&doc);
        let foreign = if path.starts_with("fr/") {
            &english
        } else {
            &french
        };
        for phrase in foreign {
            if text.contains(phrase.as_str()) {
                problems.push(format!("{path}: {phrase:?}"));
            }
        }
        if path.starts_with("fr/") {
            for month in ["January", "February", "March", "August", "September"] {
                if text.contains(month) {
                    problems.push(format!("{path}: {month}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn french_dates_and_times_follow_french_conventions() {
    let site = TestSite::bundled();
    site.build().ok();
    let doc = site.html("fr/itineraire/index.html");
    let headings: Vec<String> = doc.select(&sel(".day-heading")).map(text_of).collect();
    assert!(!headings.is_empty());
    let weekdays = [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ];
    for h in &headings {
        let first = h.split(' ').next().unwrap_or_default();
        assert!(
            weekdays.contains(&first)
                || h.starts_with("du ")
                || h == "Dates à confirmer"
                || h.split(' ').count() <= 2,
            "day heading {h:?}"
        );
    }
    assert!(
        headings.iter().any(|h| h == "mercredi 14 janvier 2026"),
        "{headings:?}"
    );
    // The same day, in English.
    let doc = site.html("itinerary/index.html");
    let headings: Vec<String> = doc.select(&sel(".day-heading")).map(text_of).collect();
    assert!(
        headings.iter().any(|h| h == "Wednesday 14 January 2026"),
        "{headings:?}"
    );
}

#[test]
fn one_sitemap_lists_each_page_in_both_languages_with_its_alternates() {
    let site = TestSite::bundled();
    site.build().ok();
    let xml = std::fs::read_to_string(site.public().join("sitemap.xml")).expect("sitemap");
    let doc = roxmltree::Document::parse(&xml).expect("sitemap parses");
    let xhtml = "http://www.w3.org/1999/xhtml";
    let mut locs = BTreeSet::new();
    for url in doc.descendants().filter(|n| n.has_tag_name("url")) {
        let loc = url
            .children()
            .find(|n| n.has_tag_name("loc"))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_string();
        let alternates: BTreeMap<&str, &str> = url
            .children()
            .filter(|n| n.has_tag_name((xhtml, "link")))
            .filter_map(|n| Some((n.attribute("hreflang")?, n.attribute("href")?)))
            .collect();
        assert_eq!(
            alternates.keys().copied().collect::<Vec<_>>(),
            ["en-CA", "fr-CA"],
            "{loc}"
        );
        assert!(
            alternates.values().any(|h| *h == loc),
            "{loc}: {alternates:?}"
        );
        locs.insert(loc);
    }
    assert!(locs.contains("https://example.gc.ca/briefing/fr/differends/canola/"));
    assert!(locs.contains("https://example.gc.ca/briefing/disputes/canola/"));
    // The French pages' heads name every version of themselves.
    let page = site.html("fr/differends/canola/index.html");
    let alternates: Vec<(String, String)> = page
        .select(&sel("link[rel=alternate][hreflang]"))
        .map(|l| {
            let a = |k| l.value().attr(k).unwrap_or_default().to_string();
            (a("hreflang"), a("href"))
        })
        .collect();
    assert_eq!(
        alternates,
        [
            (
                "en-CA".into(),
                "https://example.gc.ca/briefing/disputes/canola/".into()
            ),
            (
                "fr-CA".into(),
                "https://example.gc.ca/briefing/fr/differends/canola/".into()
            ),
            (
                "x-default".into(),
                "https://example.gc.ca/briefing/disputes/canola/".into()
            ),
        ]
    );
}

#[test]
fn the_404_page_and_each_languages_feeds_speak_their_language() {
    let site = TestSite::bundled();
    site.build().ok();
    let doc = site.html("404.html");
    let french = doc
        .select(&sel("article[lang=fr-CA] h2"))
        .map(text_of)
        .collect::<Vec<_>>();
    assert_eq!(french, ["Page introuvable"]);
    let atom = std::fs::read_to_string(site.public().join("fr/atom.xml")).expect("fr/atom.xml");
    let feed = roxmltree::Document::parse(&atom).expect("feed parses");
    let lang = feed
        .root_element()
        .attribute(("http://www.w3.org/XML/1998/namespace", "lang"));
    assert_eq!(lang, Some("fr-CA"));
    let ics = std::fs::read_to_string(site.public().join("fr/itinerary.ics")).expect("fr ics");
    let en = std::fs::read_to_string(site.public().join("itinerary.ics")).expect("ics");
    let starts = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with("DTSTART"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        starts(&ics),
        starts(&en),
        "the same instants in both calendars"
    );
    assert_ne!(ics, en);
    // The marking in each language's words.
    let banner = |rel: &str| -> Vec<String> {
        site.html(rel)
            .select(&sel("aside.marking"))
            .map(text_of)
            .collect()
    };
    assert_eq!(
        banner("fr/index.html"),
        ["NON CLASSIFIÉ — à usage interne"; 2]
    );
    assert_eq!(banner("index.html"), ["UNCLASSIFIED — for internal use"; 2]);
    // A source cited in English on a French page says so.
    let page = site.html("fr/differends/canola/index.html");
    assert!(page.select(&sel(".sources cite[lang=en]")).next().is_some());
}

#[test]
fn a_missing_translation_allowed_is_a_warning_and_its_link_leads_to_the_front_page() {
    let site = TestSite::empty();
    site.write(
        "briefing.toml",
        "title = \"Book\"\nlanguage = \"en-CA\"\n[languages.fr]\nlanguage = \"fr-CA\"\n\
         title = \"Cahier\"\nallow_missing_translations = true\n",
    )
    .write("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHome.\n")
    .write(
        "content/_index.fr.md",
        "+++\ntitle = \"Accueil\"\n+++\nAccueil.\n",
    )
    .write("content/a.md", "+++\ntitle = \"A\"\n+++\nA.\n");
    let run = site.build().ok();
    assert!(
        run.stderr.contains("content/a.md") && run.stderr.contains("no translation into fr-CA"),
        "{}",
        run.stderr
    );
    let doc = site.html("a/index.html");
    let href = doc
        .select(&sel("a.language-link"))
        .next()
        .and_then(|a| a.value().attr("href"))
        .unwrap_or_default();
    assert_eq!(resolve("a/index.html", href), "fr/index.html");
    // Without the allowance, the same site fails at the page.
    let text = site
        .read("briefing.toml")
        .replace("allow_missing_translations = true\n", "");
    site.write("briefing.toml", &text);
    let run = site.build().fails();
    assert!(run.stderr.contains("--> content/a.md:1"), "{}", run.stderr);
}

#[test]
fn french_times_are_on_the_24_hour_clock_written_with_h() {
    let site = TestSite::empty();
    site.write(
        "briefing.toml",
        "title = \"Book\"\nlanguage = \"en-CA\"\n[languages.fr]\nlanguage = \"fr-CA\"\n\
         title = \"Cahier\"\n",
    )
    .write(
        "content/itinerary.md",
        &itinerary(false, &[Typed::Copied; 6]),
    )
    .write(
        "content/itinerary.fr.md",
        &itinerary(true, &[Typed::LeftOut; 6]),
    );
    site.build().ok();
    let when = |rel: &str| -> Vec<String> {
        site.html(rel)
            .select(&sel(".stop-when"))
            .map(text_of)
            .collect()
    };
    assert_eq!(
        when("fr/itinerary/index.html"),
        ["9 h 30, heure de Pékin (UTC+08:00)"]
    );
    assert_eq!(
        when("itinerary/index.html"),
        ["09:30 Beijing time (UTC+08:00)"]
    );
}

/// What a translation does with one typed field.
#[derive(Debug, Clone, Copy)]
enum Typed {
    LeftOut,
    Copied,
    Changed,
}

fn typed() -> impl Strategy<Value = Typed> {
    prop_oneof![
        Just(Typed::LeftOut),
        Just(Typed::Copied),
        Just(Typed::Changed)
    ]
}

/// The typed fields the property varies: the key, its table header (`None` at the top
/// level), the original's value, and another.
const FIELDS: [(&str, Option<&str>, &str, &str); 6] = [
    ("as_of", None, "2026-01-14", "2026-01-15"),
    ("status", Some("[dispute]"), "\"in force\"", "\"suspended\""),
    (
        "effective",
        Some("[[dispute.measures]]"),
        "2025-08-14",
        "2025-08-15",
    ),
    ("date", Some("[[timeline]]"), "2025-09-09", "2025-09-10"),
    (
        "start",
        Some("[[stops]]"),
        "\"2026-01-14 09:30\"",
        "\"2026-01-14 10:30\"",
    ),
    (
        "zone",
        Some("[[stops]]"),
        "\"Asia/Shanghai\"",
        "\"Asia/Tokyo\"",
    ),
];

/// Field `i` of `FIELDS` as `choose` says: left out, the original's, or another value.
fn typed_line(choose: &[Typed], i: usize) -> String {
    let (key, _, original, other) = FIELDS[i];
    match choose[i] {
        Typed::LeftOut => String::new(),
        Typed::Copied => format!("{key} = {original}\n"),
        Typed::Changed => format!("{key} = {other}\n"),
    }
}

/// A page's front matter, each field of `FIELDS` as `choose` says: the original passes
/// `Copied` for all; a translation gives its own text.
fn front_matter(french: bool, choose: &[Typed]) -> String {
    let field = |i| typed_line(choose, i);
    let t = |en: &str, fr: &str| (if french { fr } else { en }).to_string();
    format!(
        "+++\ntitle = \"{}\"\n{}{}\n[dispute]\nimposed_by = \"{}\"\naffected = \"Canada\"\n{}\
         stake = \"{}\"\nask = \"{}\"\n\n[[dispute.measures]]\nproduct = \"{}\"\n\
         measure = \"{}\"\nrate = \"{}\"\n{}\n[[timeline]]\nevent = \"{}\"\n{}+++\n{}\n",
        t("Canola", "Canola"),
        if french { "" } else { "kind = \"dispute\"\n" },
        field(0),
        t("China", "Chine"),
        field(1),
        t("Seed exports", "Exportations"),
        t("Lift it", "La lever"),
        t("Seed", "Graines"),
        t("Deposit", "Dépôt"),
        t("75.8%", "75,8 %"),
        field(2),
        t("Inquiry opened", "Enquête ouverte"),
        field(3),
        t("Body.", "Corps."),
    )
}

fn itinerary(french: bool, choose: &[Typed]) -> String {
    let field = |i| typed_line(choose, i);
    let t = |en: &str, fr: &str| (if french { fr } else { en }).to_string();
    format!(
        "+++\ntitle = \"{}\"\nkind = \"itinerary\"\n\n[[stops]]\n{}{}city = \"{}\"\n\
         country = \"{}\"\ntitle = \"{}\"\n+++\n{}\n",
        t("Itinerary", "Itinéraire"),
        field(4),
        field(5),
        t("Beijing", "Pékin"),
        t("China", "Chine"),
        t("Arrival", "Arrivée"),
        t("Stops.", "Arrêts."),
    )
}

/// The typed content of a built page, language aside: every `datetime`, status class and
/// row count of its `<main>`.
fn facts(doc: &Html) -> Vec<String> {
    let main = doc.select(&sel("main")).next().expect("main");
    let mut out: Vec<String> = main
        .select(&sel("time[datetime]"))
        .filter_map(|t| t.value().attr("datetime"))
        .map(str::to_string)
        .collect();
    out.extend(
        main.select(&sel(".status"))
            .filter_map(|s| s.value().attr("class"))
            .map(str::to_string),
    );
    out.push(format!("rows {}", main.select(&sel("tbody tr")).count()));
    out.push(format!("stops {}", main.select(&sel(".stop")).count()));
    out
}

proptest! {
    #![proptest_config(common::property_config("BRIEFING_LANGUAGES_CASES", 12))]

    /// A translation whose typed fields are left out, copied or changed at random: the
    /// build fails exactly when one is changed, naming each changed field at the
    /// translation's file; when it succeeds, the French pages' typed content (dates,
    /// statuses, counts) and the calendar's instants equal the English ones.
    #[test]
    fn a_translation_builds_exactly_when_its_facts_agree(
        choose in proptest::collection::vec(typed(), FIELDS.len()),
    ) {
        let site = TestSite::empty();
        site.write(
            "briefing.toml",
            "title = \"Book\"\nlanguage = \"en-CA\"\nbase_url = \"https://example.org/b/\"\n\
             [languages.fr]\nlanguage = \"fr-CA\"\ntitle = \"Cahier\"\n",
        )
        .write("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHome.\n")
        .write("content/_index.fr.md", "+++\ntitle = \"Accueil\"\n+++\nAccueil.\n")
        .write("content/canola.md", &front_matter(false, &[Typed::Copied; 6]))
        .write("content/canola.fr.md", &front_matter(true, &choose))
        .write("content/itinerary.md", &itinerary(false, &[Typed::Copied; 6]))
        .write("content/itinerary.fr.md", &itinerary(true, &choose));
        let run = site.run(&["build"]);
        let changed: Vec<usize> =
            (0..FIELDS.len()).filter(|&i| matches!(choose[i], Typed::Changed)).collect();
        if changed.is_empty() {
            prop_assert_eq!(run.code, Some(0), "{}", run.stderr);
            for (en, fr) in [("canola/index.html", "fr/canola/index.html"),
                             ("itinerary/index.html", "fr/itinerary/index.html")] {
                prop_assert_eq!(facts(&site.html(en)), facts(&site.html(fr)), "{}", en);
            }
            let ics = |rel: &str| -> Vec<String> {
                std::fs::read_to_string(site.public().join(rel))
                    .unwrap_or_default()
                    .lines()
                    .filter(|l| l.starts_with("DTSTART") || l.starts_with("DTEND"))
                    .map(str::to_string)
                    .collect()
            };
            prop_assert!(!ics("itinerary.ics").is_empty());
            prop_assert_eq!(ics("itinerary.ics"), ics("fr/itinerary.ics"));
        } else {
            prop_assert_eq!(run.code, Some(1), "{}", run.stderr);
            for i in changed {
                let (key, _, original, other) = FIELDS[i];
                let said = format!("{key} {}", other.trim_matches('"'));
                let said_quoted = format!("{key} {other}");
                prop_assert!(
                    run.stderr.contains(&said) || run.stderr.contains(&said_quoted),
                    "{} not named ({} → {}):\n{}", key, original, other, run.stderr
                );
            }
            prop_assert!(run.stderr.contains(".fr.md:"), "{}", run.stderr);
            prop_assert!(!site.public().exists(), "nothing is written");
        }
    }
}

#[test]
fn check_warns_of_a_translation_older_than_its_original() {
    let site = TestSite::empty();
    site.write(
        "briefing.toml",
        "title = \"Book\"\nlanguage = \"en-CA\"\n[languages.fr]\nlanguage = \"fr-CA\"\n\
         title = \"Cahier\"\n",
    )
    .write("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHome.\n")
    .write(
        "content/_index.fr.md",
        "+++\ntitle = \"Accueil\"\n+++\nAccueil.\n",
    )
    .write(
        "content/a.md",
        "+++\ntitle = \"A\"\nas_of = 2026-01-16\n+++\nA.\n",
    )
    .write(
        "content/a.fr.md",
        "+++\ntitle = \"A\"\nas_of = 2026-01-10\n+++\nA.\n",
    );
    let run = site.run(&["check"]).ok();
    assert!(
        run.stderr
            .contains("warning: this translation is older than its original")
            && run.stderr.contains("--> content/a.fr.md:3")
            && run.stderr.contains("content/a.md:3 says 2026-01-16"),
        "{}",
        run.stderr
    );
    site.build().ok();
    let doc = site.html("fr/a/index.html");
    let said: Vec<_> = doc
        .select(&sel(".as-of time"))
        .filter_map(|t| t.value().attr("datetime"))
        .collect();
    assert_eq!(said, ["2026-01-10"], "the translation says its own date");
    // Later than the original's: an error.
    site.write(
        "content/a.fr.md",
        "+++\ntitle = \"A\"\nas_of = 2026-01-20\n+++\nA.\n",
    );
    let run = site.run(&["check"]).fails();
    assert!(
        run.stderr.contains("is later than content/a.md:3"),
        "{}",
        run.stderr
    );
}

#[test]
fn new_with_lang_scaffolds_a_translation_that_builds() {
    let site = TestSite::bundled();
    site.run(&["new", "note", "fresh"]).ok();
    site.run(&["new", "note", "fresh", "--lang", "fr"]).ok();
    let text = site.read("content/notes/fresh.fr.md");
    assert!(text.contains("title = \"TRANSLATE: "), "{text}");
    assert!(
        !text.contains("as_of") && !text.contains("themes ="),
        "{text}"
    );
    site.build().ok();
    assert!(site.public().join("fr/notes/fresh/index.html").is_file());
    // Mistakes in what was typed are usage errors.
    let run = site.run(&["new", "note", "fresh", "--lang", "de"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("not a language of this site"),
        "{}",
        run.stderr
    );
    let run = site.run(&["new", "note", "absent", "--lang", "fr"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no content/notes/absent.md to translate"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_release_build_leaves_a_page_out_in_every_language() {
    let site = TestSite::bundled();
    site.write(
        "content/notes/secret.md",
        "+++\ntitle = \"Tokenenglish\"\nsummary = \"Tokenenglish.\"\nmarking = \"SECRET\"\n+++\nTokenenglish.\n",
    )
    .write(
        "content/notes/secret.fr.md",
        "+++\ntitle = \"Tokenfrancais\"\nsummary = \"Tokenfrancais.\"\n+++\nTokenfrancais.\n",
    );
    site.run(&["build", "--max-marking", "PROTECTED A"]).ok();
    for (path, bytes) in common::snapshot(&site.public()) {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        let name = path.to_string_lossy().to_lowercase();
        for token in ["tokenenglish", "tokenfrancais", "secret/"] {
            assert!(
                !text.contains(token) && !name.contains(token.trim_end_matches('/')),
                "{} holds {token}",
                path.display()
            );
        }
    }
    // The full build has both.
    site.build().ok();
    assert!(site.public().join("fr/notes/secret/index.html").is_file());
}

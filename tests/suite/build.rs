//! `briefing build` end to end: the bundled briefing book and small fixture sites, checked
//! through a real HTML parser.

use crate::common;

use std::collections::BTreeMap;

use common::{TestSite, broken_internal_links, html_files, sel, snapshot, text_of};

/// Front matter of every note of the bundled book (in English: its French translations,
/// `x.fr.md`, are tested in `languages`), parsed independently of briefing.
fn bundled_front_matter() -> BTreeMap<String, toml::Table> {
    let content = common::repo().join("content");
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&content).sort_by_file_name() {
        let entry = entry.expect("walk");
        let translation = entry.file_name().to_string_lossy().ends_with(".fr.md");
        if entry.path().extension().is_some_and(|e| e == "md") && !translation {
            let text = std::fs::read_to_string(entry.path()).expect("read");
            let fm = text.split("+++").nth(1).expect("front matter");
            let rel = entry
                .path()
                .strip_prefix(&content)
                .expect("rel")
                .to_string_lossy()
                .into_owned();
            out.insert(
                rel,
                toml::from_str(fm).unwrap_or_else(|e| panic!("{}: {e}", entry.path().display())),
            );
        }
    }
    out
}

#[test]
fn bundled_site_tracker_has_one_row_per_measure() {
    let site = TestSite::bundled();
    site.build().ok();
    let measures: usize = bundled_front_matter()
        .values()
        .filter_map(|fm| fm.get("dispute")?.get("measures")?.as_array().map(Vec::len))
        .sum();
    assert!(
        measures >= 8,
        "the bundled book declares {measures} measures"
    );
    let index = site.html("index.html");
    let rows: Vec<_> = index.select(&sel("table.tracker tbody tr")).collect();
    assert_eq!(rows.len(), measures);
    // Each row: product, imposed by, measure, rate, in force since, and the measure's own
    // status where it has one, else its dispute's.
    let mut expected: Vec<(String, String)> = Vec::new();
    for fm in bundled_front_matter().values() {
        let Some(dispute) = fm.get("dispute") else {
            continue;
        };
        for m in dispute["measures"].as_array().expect("measures") {
            let status = m
                .get("status")
                .unwrap_or(&dispute["status"])
                .as_str()
                .expect("status");
            expected.push((
                m["product"].as_str().expect("product").to_string(),
                status.to_string(),
            ));
        }
    }
    let mut shown: Vec<(String, String)> = rows
        .iter()
        .map(|row| {
            let cells: Vec<_> = row.select(&sel("td")).collect();
            assert_eq!(cells.len(), 6, "{}", row.html());
            let badge = row.select(&sel("td .status")).next().expect("status badge");
            (text_of(cells[0]), text_of(badge).to_lowercase())
        })
        .collect();
    expected.sort();
    shown.sort();
    assert_eq!(shown, expected);
}

#[test]
fn bundled_site_groups_every_themed_note_under_its_theme() {
    let site = TestSite::bundled();
    site.build().ok();
    let index = site.html("index.html");
    let config: toml::Table = toml::from_str(
        &std::fs::read_to_string(common::repo().join("briefing.toml")).expect("config"),
    )
    .expect("toml");
    let themes = config["themes"].as_array().expect("themes");
    assert!(themes.len() >= 4);
    let groups: Vec<_> = index.select(&sel(".theme-group")).collect();
    assert_eq!(groups.len(), themes.len());
    for (theme, group) in themes.iter().zip(&groups) {
        let name = theme["name"].as_str().expect("name");
        let color = theme["color"].as_str().expect("color");
        let heading = group.select(&sel("h3")).next().expect("group heading");
        assert_eq!(text_of(heading), name);
        assert!(
            group
                .value()
                .attr("style")
                .is_some_and(|s| s.contains(color)),
            "group {name} not in its colour"
        );
        // Every page with the theme is under it: in full (a card) when it is the page's
        // first theme, as a one-line link otherwise.
        let slug = theme["slug"].as_str();
        let mut cards: Vec<String> = group.select(&sel(".card-title")).map(text_of).collect();
        let mut links: Vec<String> = group.select(&sel(".also-list a")).map(text_of).collect();
        let (mut first, mut other): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        for (_, fm) in bundled_front_matter()
            .into_iter()
            .filter(|(rel, _)| rel != "_index.md")
        {
            let themes: Vec<&str> = fm
                .get("themes")
                .and_then(|t| t.as_array())
                .map(|t| t.iter().filter_map(|s| s.as_str()).collect())
                .unwrap_or_default();
            let title = fm["title"].as_str().expect("title").to_string();
            if themes.first().copied() == slug {
                first.push(title);
            } else if themes.iter().any(|t| Some(*t) == slug) {
                other.push(title);
            }
        }
        assert!(
            !first.is_empty() || !other.is_empty(),
            "theme {name} has no notes"
        );
        for v in [&mut cards, &mut links, &mut first, &mut other] {
            v.sort();
        }
        assert_eq!(cards, first, "pages shown in full under theme {name}");
        assert_eq!(links, other, "one-line links under theme {name}");
    }
}

#[test]
fn bundled_itinerary_stops_are_in_date_order() {
    let site = TestSite::bundled();
    site.build().ok();
    let page = site.html("itinerary/index.html");
    // A heading spanning days has two times: its first gives its place in the order.
    let days: Vec<String> = page
        .select(&sel(".day-heading time:first-child"))
        .map(|t| t.value().attr("datetime").expect("datetime").to_string())
        .collect();
    assert!(days.len() >= 4, "{days:?}");
    // Partial dates (2026-01, 2026) sort after the full dates they contain.
    let key = |d: &str| {
        let mut parts = d.split('-').map(|p| p.parse::<u32>().expect("number"));
        (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(13),
            parts.next().unwrap_or(32),
        )
    };
    let mut sorted = days.clone();
    sorted.sort_by_key(|d| key(d));
    assert_eq!(days, sorted);
    // A stop over several days is listed on each of them: count each stop once.
    let mut titles: Vec<String> = page.select(&sel(".stop-title")).map(text_of).collect();
    titles.dedup();
    let glance: Vec<String> = site
        .html("index.html")
        .select(&sel(".glance-title"))
        .map(text_of)
        .collect();
    assert_eq!(titles.len(), glance.len());
    assert!(
        page.select(&sel(".stop-tentative .badge-tentative"))
            .next()
            .is_some(),
        "India is tentative"
    );
}

#[test]
fn bundled_site_links_resolve_under_a_sub_path() {
    let site = TestSite::bundled();
    site.build().ok();
    let pages = html_files(&site.public());
    assert!(pages.len() >= 15, "{pages:?}");
    let problems = broken_internal_links(&site.public());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn bundled_pages_show_as_of_and_sources() {
    let site = TestSite::bundled();
    site.build().ok();
    for (rel, fm) in bundled_front_matter() {
        let out = if rel == "_index.md" {
            "index.html".to_string()
        } else if let Some(dir) = rel.strip_suffix("_index.md") {
            format!("{dir}index.html")
        } else {
            format!("{}/index.html", rel.trim_end_matches(".md"))
        };
        let page = site.html(&out);
        assert_eq!(
            page.select(&sel("html[lang=en-CA]")).count(),
            1,
            "{out}: lang"
        );
        assert!(
            page.select(&sel("a.skip-link[href='#main']"))
                .next()
                .is_some(),
            "{out}: skip link"
        );
        assert!(
            page.select(&sel("main#main")).next().is_some(),
            "{out}: main landmark"
        );
        if fm.contains_key("as_of") {
            assert!(
                page.select(&sel(".as-of time[datetime]")).next().is_some(),
                "{out}: as_of"
            );
        }
        let sources = fm
            .get("sources")
            .and_then(|s| s.as_array())
            .map_or(0, Vec::len);
        assert_eq!(
            page.select(&sel(".source-list li")).count(),
            sources,
            "{out}: sources"
        );
    }
}

#[test]
fn bundled_dispute_pages_show_status_measures_and_body() {
    let site = TestSite::bundled();
    site.build().ok();
    let fm = bundled_front_matter();
    let disputes: Vec<_> = fm
        .iter()
        .filter(|(_, f)| f.contains_key("dispute"))
        .collect();
    assert!(disputes.len() >= 5);
    for (rel, f) in disputes {
        let page = site.html(&format!("{}/index.html", rel.trim_end_matches(".md")));
        let status = f["dispute"]["status"].as_str().expect("status");
        let badge = page
            .select(&sel(".page-header .status"))
            .next()
            .expect("status badge");
        assert_eq!(text_of(badge).to_lowercase(), status);
        let measures = f["dispute"]["measures"].as_array().map_or(0, Vec::len);
        assert_eq!(
            page.select(&sel("table.measures tbody tr")).count(),
            measures,
            "{rel}"
        );
        assert!(
            page.select(&sel(".prose p")).next().is_some(),
            "{rel}: body"
        );
    }
}

#[test]
fn site_without_templates_uses_the_built_in_theme() {
    let site = TestSite::fixture("basic_site");
    assert!(!site.root.join("templates").exists());
    site.build().ok();
    let page = site.html("disputes/canola/index.html");
    assert!(
        page.select(&sel("link[rel=stylesheet][href='../../style.css']"))
            .next()
            .is_some()
    );
    assert!(site.public().join("style.css").is_file());
    assert_eq!(page.select(&sel("table.measures tbody tr")).count(), 2);
}

#[test]
fn a_site_template_overrides_the_built_in_one() {
    let site = TestSite::fixture("template_override");
    site.build().ok();
    let memo = site.html("memo/index.html");
    let custom = memo
        .select(&sel("article.custom-note h1"))
        .next()
        .expect("custom template used");
    assert_eq!(text_of(custom), "A memo");
    // The other templates are still the built-in ones.
    assert!(
        site.html("index.html")
            .select(&sel("section.bluf"))
            .next()
            .is_some()
    );
}

#[test]
fn relative_md_links_are_rewritten_with_anchors() {
    let site = TestSite::fixture("basic_site");
    site.build().ok();
    let index = site.html("index.html");
    let link = index.select(&sel(".bluf a")).next().expect("link");
    assert_eq!(
        link.value().attr("href"),
        Some("./disputes/canola/#background")
    );
    let canola = site.html("disputes/canola/index.html");
    let hrefs: Vec<_> = canola
        .select(&sel(".prose a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(hrefs.contains(&"../../notes/detentions/"), "{hrefs:?}");
    assert!(broken_internal_links(&site.public()).is_empty());
}

#[test]
fn file_names_with_spaces_get_escaped_urls() {
    let site = TestSite::fixture("file_names_with_spaces");
    site.build().ok();
    assert!(site.public().join("notes/trade talks/index.html").is_file());
    let index = site.html("index.html");
    let hrefs: Vec<_> = index
        .select(&sel(".bluf a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        hrefs,
        [
            "./notes/trade%20talks/#next-steps",
            "./notes/trade%20talks/"
        ]
    );
    let note = site.html("notes/trade talks/index.html");
    let img = note.select(&sel(".prose img")).next().expect("image");
    assert_eq!(img.value().attr("src"), Some("../../notes/chart%20one.svg"));
    let sitemap = site.read("public/sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/briefing/notes/trade%20talks/</loc>"));
    // `trade talks` and `trade-talks` slugify alike: the book still gives each its own ids.
    let book = site.html("book/index.html");
    let mut ids: Vec<&str> = book
        .select(&sel("[id]"))
        .filter_map(|e| e.value().id())
        .collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "duplicate ids in the book: {ids:?}");
    let targets: Vec<&str> = book
        .select(&sel(".book-contents a, nav a[href^='#']"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(targets.contains(&"#p-notes-trade-talks"), "{targets:?}");
    assert!(targets.contains(&"#p-notes-trade-talks-2"), "{targets:?}");
    assert_eq!(broken_internal_links(&site.public()), Vec::<String>::new());
}

#[test]
fn pages_in_folders_without_an_index_are_listed_by_the_section_above() {
    let site = TestSite::fixture("basic_site");
    site.write(
        "content/briefs/_index.md",
        "+++\ntitle = \"Briefs\"\nsummary = \"All briefs.\"\n+++\n",
    );
    site.write(
        "content/briefs/2025/q1/deep.md",
        "+++\ntitle = \"Deep brief\"\nsummary = \"Two folders down.\"\n+++\nBody.\n",
    );
    site.write(
        "content/briefs/2025/q2/_index.md",
        "+++\ntitle = \"Second quarter\"\nsummary = \"A section of its own.\"\n+++\n",
    );
    site.write(
        "content/briefs/2025/q2/shallow.md",
        "+++\ntitle = \"Q2 brief\"\nsummary = \"In a section.\"\n+++\nBody.\n",
    );
    site.build().ok();
    let titles = |page: &str| -> Vec<String> {
        site.html(page)
            .select(&sel("main .card-list a.card-title"))
            .map(text_of)
            .collect()
    };
    let briefs = titles("briefs/index.html");
    assert!(briefs.contains(&"Deep brief".to_string()), "{briefs:?}");
    assert!(briefs.contains(&"Second quarter".to_string()), "{briefs:?}");
    assert!(!briefs.contains(&"Q2 brief".to_string()), "{briefs:?}");
    let q2 = titles("briefs/2025/q2/index.html");
    assert_eq!(q2, ["Q2 brief"]);
}

#[test]
fn two_builds_are_byte_identical() {
    let site = TestSite::bundled();
    site.build().ok();
    let first = snapshot(&site.public());
    site.build().ok();
    assert_eq!(first, snapshot(&site.public()));
}

#[test]
fn build_prints_one_summary_line() {
    let site = TestSite::fixture("basic_site");
    let run = site.build().ok();
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.starts_with("Built "), "{}", run.stdout);
    let quiet = site.run(&["build", "-q"]).ok();
    assert!(quiet.stdout.is_empty());
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = TestSite::fixture("basic_site");
    site.write(
        "content/notes/draft.md",
        "+++\ntitle = \"Draft\"\ndraft = true\n+++\nWIP\n",
    );
    site.build().ok();
    assert!(!site.public().join("notes/draft/index.html").exists());
    site.run(&["build", "--drafts"]).ok();
    assert!(site.public().join("notes/draft/index.html").exists());
}

/// `N pages (M HTML files rendered` from a summary line starting with `verb`.
fn summary_counts(stdout: &str, verb: &str) -> (usize, usize) {
    let rest = stdout
        .strip_prefix(verb)
        .unwrap_or_else(|| panic!("no {verb:?} summary: {stdout}"));
    let number = |s: &str| -> usize {
        s.split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count in {s:?}"))
    };
    let (pages, rest) = rest.split_once(" (").expect("pages, then the HTML files");
    assert!(pages.ends_with(" pages"), "{stdout}");
    assert!(rest.contains(" HTML files rendered"), "{stdout}");
    (number(pages), number(rest))
}

#[test]
fn check_and_build_count_the_same_pages_and_say_what_they_count() {
    for site in [TestSite::fixture("basic_site"), TestSite::bundled()] {
        // A draft is neither checked nor built, by either count.
        site.write(
            "content/notes/unfinished.md",
            "+++\ntitle = \"Unfinished\"\ndraft = true\n+++\n",
        );
        let checked = summary_counts(&site.run(&["check"]).ok().stdout, "Checked ");
        let built = summary_counts(&site.build().ok().stdout, "Built ");
        assert_eq!(checked, built, "check and build disagree");
        let sources = walkdir::WalkDir::new(site.root.join("content"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
            .count();
        assert_eq!(built.0, sources - 1, "pages are the non-draft .md files");
        assert_eq!(
            built.1,
            html_files(&site.public()).len(),
            "the HTML files rendered are those in the output"
        );
        assert!(built.1 > built.0, "the generated pages are counted too");
    }
}

#[test]
fn check_takes_builds_drafts_base_url_and_portable_flags() {
    let site = TestSite::fixture("basic_site");
    site.write(
        "content/notes/draft-note.md",
        "+++\ntitle = \"Draft\"\ndraft = true\n+++\nNot yet.\n",
    );
    let text = site.read("content/notes/detentions.md");
    site.write(
        "content/notes/detentions.md",
        &format!("{text}\nSee [the draft](draft-note.md).\n"),
    );
    // A link to a draft fails a plain check, as it fails a plain build.
    let plain = site.run(&["check"]).fails();
    assert!(plain.stderr.contains("draft-note.md"), "{}", plain.stderr);
    site.build().fails();
    // With --drafts both pass, and --base-url silences the missing base_url warning.
    let drafts = site
        .run(&[
            "check",
            "--drafts",
            "--base-url",
            "https://example.org/b/",
            "--portable",
        ])
        .ok();
    assert!(!drafts.stderr.contains("no base_url"), "{}", drafts.stderr);
    site.run(&["build", "--drafts"]).ok();
    let without = site.run(&["check", "--drafts"]).ok();
    assert!(without.stderr.contains("no base_url"), "{}", without.stderr);
}

#[test]
fn a_sites_own_template_for_a_generated_page_need_not_set_the_title() {
    // theme.html gets no `page`: base.html's default title must not need one.
    let site = TestSite::fixture("basic_site");
    site.write(
        "templates/theme.html",
        "{% extends \"base.html\" %}{% block main %}<h1>{{ theme.name }}</h1>{% endblock main %}",
    );
    site.build().ok();
    let doc = site.html("themes/trade/index.html");
    let title = doc
        .select(&sel("title"))
        .next()
        .map(text_of)
        .unwrap_or_default();
    assert_eq!(title, "Test briefing");
}

#[test]
fn a_site_without_a_front_page_is_warned_of() {
    let site = TestSite::fixture("basic_site");
    let with = site.run(&["check"]).ok();
    assert!(
        !with.stderr.contains("no content/_index.md"),
        "{}",
        with.stderr
    );
    std::fs::remove_file(site.root.join("content/_index.md")).expect("remove");
    for run in [site.run(&["check"]), site.build()] {
        assert!(
            run.stderr
                .contains("warning: there is no content/_index.md, so the site has no front page"),
            "{}",
            run.stderr
        );
    }
}

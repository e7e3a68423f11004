//! Markings and release builds (issue 26). The law: `build --max-marking L` writes exactly
//! (byte for byte, file for file) what `build` writes for a copy of the site from which
//! everything marked above `L` was deleted by hand. A property test over random markings
//! of a model site's pages, entries and sections holds the build to it; a leak test puts a
//! token in every field, body, name and file of what is marked above each level and looks
//! for it in every byte and every file name of the release build at that level.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use common::TestSite;
use proptest::prelude::*;

/// The default levels: what `[markings]` alone gives.
const LEVELS: [&str; 7] = briefing::marking::GOVERNMENT_OF_CANADA;

const CONFIG: &str = "title = \"Marked briefing\"\ndescription = \"Markings\"\nlanguage = \"en-CA\"\n\
base_url = \"https://briefing.example.org/\"\n\n[[themes]]\nslug = \"trade\"\nname = \"Trade\"\n\
color = \"#9b2c2c\"\n\n[markings]\n";

/// A marking as the model writes it: none (the page's, or the site's default), or a level.
type Mark = Option<usize>;

fn mark_line(m: Mark) -> String {
    m.map(|l| format!("marking = {:?}\n", LEVELS[l]))
        .unwrap_or_default()
}

/// A section of a body: a heading, its marking, its text, and the sections under it.
#[derive(Debug, Clone)]
struct Section {
    mark: Mark,
    words: String,
    inner: Vec<Section>,
}

/// One page of the model.
#[derive(Debug, Clone)]
struct PageModel {
    rel: String,
    title: String,
    mark: Mark,
    /// (measure, its marking) for a dispute; `None` for a note.
    measures: Option<Vec<(String, Mark)>>,
    events: Vec<(String, Mark)>,
    sources: Vec<(String, Mark)>,
    sections: Vec<Section>,
}

/// The level something is at: its own or the level it is in, whichever is higher.
fn at(own: Mark, within: usize) -> usize {
    own.map_or(within, |o| o.max(within))
}

impl PageModel {
    fn level(&self) -> usize {
        self.mark.unwrap_or(0)
    }

    /// The page's file, with everything above `max` left out (`None`: the whole page).
    fn render(&self, max: Option<usize>) -> Option<String> {
        let keep = |level: usize| max.is_none_or(|m| level <= m);
        let page = self.level();
        if !keep(page) {
            return None;
        }
        let mut fm = format!(
            "title = {:?}\nsummary = \"About {}.\"\nthemes = [\"trade\"]\nas_of = 2026-01-13\n{}",
            self.title,
            self.title,
            mark_line(self.mark)
        );
        if self.measures.is_some() {
            fm += "kind = \"dispute\"\n";
        }
        for (date, (event, m)) in ["2025-08-14", "2025-09-01", "2025-10-02"]
            .iter()
            .zip(&self.events)
        {
            if keep(at(*m, page)) {
                fm += &format!(
                    "[[timeline]]\ndate = {date}\nevent = {event:?}\n{}",
                    mark_line(*m)
                );
            }
        }
        for (title, m) in &self.sources {
            if keep(at(*m, page)) {
                fm += &format!(
                    "[[sources]]\ntitle = {title:?}\nurl = \"https://example.org/{}\"\n{}",
                    title.len(),
                    mark_line(*m)
                );
            }
        }
        if let Some(measures) = &self.measures {
            fm += "[dispute]\nimposed_by = \"China\"\naffected = \"Canada\"\nstatus = \"in force\"\n\
                   stake = \"C$4 billion\"\nask = \"Remove it\"\n";
            for (product, m) in measures {
                if keep(at(*m, page)) {
                    fm += &format!(
                        "[[dispute.measures]]\nproduct = {product:?}\nmeasure = \"Duty\"\n\
                         rate = \"100%\"\neffective = 2025-08-14\n{}",
                        mark_line(*m)
                    );
                }
            }
        }
        let mut body = format!("Opening words of {}.\n\n", self.title);
        for s in &self.sections {
            body += &section(s, 2, page, &keep);
        }
        Some(format!("+++\n{fm}+++\n{body}"))
    }
}

fn section(s: &Section, depth: usize, within: usize, keep: &dyn Fn(usize) -> bool) -> String {
    let level = at(s.mark, within);
    if !keep(level) {
        return String::new();
    }
    let attribute = s
        .mark
        .map(|l| format!(" {{marking=\"{}\"}}", LEVELS[l]))
        .unwrap_or_default();
    let mut out = format!(
        "{} Part {}{attribute}\n\n{}\n\n",
        "#".repeat(depth),
        s.words,
        s.words
    );
    for inner in &s.inner {
        out += &section(inner, depth + 1, level, keep);
    }
    out
}

/// Writes the model, with everything above `max` left out, into `root`.
fn write_site(root: &Path, pages: &[PageModel], max: Option<usize>) {
    std::fs::create_dir_all(root.join("content/notes")).expect("mkdir");
    std::fs::create_dir_all(root.join("content/disputes")).expect("mkdir");
    std::fs::write(root.join("briefing.toml"), CONFIG).expect("config");
    std::fs::write(
        root.join("content/_index.md"),
        "+++\ntitle = \"Marked briefing\"\nsummary = \"Front.\"\nas_of = 2026-01-16\n+++\n- The bottom line.\n",
    )
    .expect("home");
    for p in pages {
        if let Some(text) = p.render(max) {
            std::fs::write(root.join("content").join(&p.rel), text).expect("page");
        }
    }
}

fn mark() -> impl Strategy<Value = Mark> {
    prop_oneof![3 => Just(None), 2 => (0..LEVELS.len()).prop_map(Some)]
}

fn words() -> impl Strategy<Value = String> {
    "[a-z]{3,8}"
}

fn sections() -> impl Strategy<Value = Vec<Section>> {
    let leaf = (mark(), words()).prop_map(|(mark, words)| Section {
        mark,
        words,
        inner: Vec::new(),
    });
    let with_inner = (mark(), words(), prop::collection::vec(leaf, 0..3))
        .prop_map(|(mark, words, inner)| Section { mark, words, inner });
    prop::collection::vec(with_inner, 0..3)
}

fn page(n: usize) -> impl Strategy<Value = PageModel> {
    let entries = || prop::collection::vec((words(), mark()), 0..3);
    (
        mark(),
        any::<bool>(),
        entries(),
        entries(),
        entries(),
        sections(),
    )
        .prop_map(
            move |(mark, dispute, measures, events, sources, sections)| {
                let folder = if dispute { "disputes" } else { "notes" };
                PageModel {
                    rel: format!("{folder}/page-{n}.md"),
                    title: format!("Page {n}"),
                    mark,
                    measures: dispute.then_some(measures),
                    events,
                    sources,
                    sections,
                }
            },
        )
}

fn model() -> impl Strategy<Value = (Vec<PageModel>, usize)> {
    (
        (page(0), page(1), page(2), page(3)).prop_map(|(a, b, c, d)| vec![a, b, c, d]),
        0..LEVELS.len(),
    )
}

/// A build of `root` into `out`, with `extra` flags: its stderr if it fails.
fn build(
    root: &Path,
    out: &Path,
    extra: &[&str],
) -> Result<BTreeMap<std::path::PathBuf, Vec<u8>>, String> {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_briefing"))
        .args(["build", "--quiet", "--force", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out)
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .expect("run briefing");
    if run.status.success() {
        Ok(common::snapshot(out))
    } else {
        Err(String::from_utf8_lossy(&run.stderr).into_owned())
    }
}

proptest! {
    #![proptest_config(common::property_config("BRIEFING_MARKINGS_CASES", 24))]

    #[test]
    fn a_release_build_is_the_build_of_a_hand_deleted_copy((pages, max) in model()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let (full, copy) = (dir.path().join("full"), dir.path().join("copy"));
        write_site(&full, &pages, None);
        write_site(&copy, &pages, Some(max));
        let released = build(&full, &dir.path().join("out-release"), &["--max-marking", LEVELS[max]]);
        let by_hand = build(&copy, &dir.path().join("out-copy"), &[]);
        let (released, by_hand) = match (released, by_hand) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => return Err(TestCaseError::fail(format!("a build failed: {a:?} {b:?}"))),
        };
        let names = |m: &BTreeMap<std::path::PathBuf, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
        prop_assert_eq!(names(&released), names(&by_hand), "other files");
        for (file, bytes) in &released {
            prop_assert!(
                by_hand.get(file) == Some(bytes),
                "{} differs from the hand-deleted copy's",
                file.display()
            );
        }
    }
}

/// A token for what is at `level`: in a title, a body, a name.
fn token(what: &str, level: usize) -> String {
    format!("tok{what}{level}x")
}

/// A site with one of everything at every level, each carrying its level's tokens: a
/// page (title, summary, slug, alias, file name, body), on the front-page-level page a
/// measure, a stop, an event, a source and a section, and an image that only that
/// section links to.
fn leaky_site() -> TestSite {
    let site = TestSite::empty();
    site.write("briefing.toml", CONFIG);
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Marked briefing\"\nsummary = \"Front.\"\nas_of = 2026-01-16\n+++\n- The bottom line.\n",
    );
    let mut measures = String::new();
    let mut stops = String::new();
    let mut events = String::new();
    let mut sources = String::new();
    let mut sections = String::new();
    for (level, name) in LEVELS.iter().enumerate() {
        let t = |what: &str| token(what, level);
        site.write(
            &format!("content/notes/{}.md", t("file")),
            &format!(
                "+++\ntitle = \"{}\"\nsummary = \"{}\"\nslug = \"{}\"\naliases = [\"old/{}\"]\nthemes = [\"trade\"]\n\
                 as_of = 2026-01-{:02}\nmarking = {name:?}\n[[timeline]]\ndate = 2026-01-10\nevent = \"{}\"\n+++\n{}\n",
                t("title"),
                t("summary"),
                t("slug"),
                t("alias"),
                10 + level,
                t("pageevent"),
                t("pagebody")
            ),
        );
        measures += &format!(
            "[[dispute.measures]]\nproduct = \"{}\"\nmeasure = \"{}\"\nrate = \"{}\"\neffective = 2025-08-14\nmarking = {name:?}\n",
            t("product"),
            t("measure"),
            t("rate")
        );
        stops += &format!(
            "[[stops]]\ndate = 2026-01-{:02}\ncity = \"{}\"\ncountry = \"{}\"\ntitle = \"{}\"\ndetails = \"{}\"\nmarking = {name:?}\n",
            14 + level,
            t("city"),
            t("country"),
            t("stop"),
            t("details")
        );
        events += &format!(
            "[[timeline]]\ndate = 2025-09-{:02}\nevent = \"{}\"\nmarking = {name:?}\n",
            1 + level,
            t("event")
        );
        sources += &format!(
            "[[sources]]\ntitle = \"{}\"\npublisher = \"{}\"\nurl = \"https://example.org/{}\"\nmarking = {name:?}\n",
            t("source"),
            t("publisher"),
            t("url")
        );
        sections += &format!(
            "## {} {{marking={name:?}}}\n\n{} ![{}]({}.svg)\n\n",
            t("heading"),
            t("section"),
            t("alt"),
            t("image")
        );
        site.write(
            &format!("content/disputes/{}.svg", t("image")),
            &format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title></svg>\n",
                t("imagebytes")
            ),
        );
    }
    site.write(
        "content/disputes/canola.md",
        &format!(
            "+++\ntitle = \"Canola\"\nsummary = \"Duties.\"\nthemes = [\"trade\"]\nas_of = 2026-01-13\nkind = \"dispute\"\n\
             {events}{sources}[dispute]\nimposed_by = \"China\"\naffected = \"Canada\"\nstatus = \"in force\"\n\
             stake = \"C$4 billion\"\nask = \"Remove it\"\n{measures}+++\nOpening.\n\n{sections}## Public\n\nThe end.\n"
        ),
    );
    site.write(
        "content/itinerary.md",
        &format!(
            "+++\ntitle = \"Itinerary\"\nsummary = \"Stops.\"\nkind = \"itinerary\"\nas_of = 2026-01-13\n{stops}+++\n"
        ),
    );
    site
}

#[test]
fn nothing_above_the_release_level_reaches_any_byte_or_name_of_the_output() {
    let site = leaky_site();
    let kinds = [
        "file",
        "title",
        "summary",
        "slug",
        "alias",
        "pageevent",
        "pagebody",
        "product",
        "measure",
        "rate",
        "city",
        "country",
        "stop",
        "details",
        "event",
        "source",
        "publisher",
        "url",
        "heading",
        "section",
        "alt",
        "image",
        "imagebytes",
    ];
    for (max, max_name) in LEVELS.iter().enumerate() {
        let out = site.scratch().join(format!("release-{max}"));
        let files = build(&site.root, &out, &["--max-marking", max_name])
            .unwrap_or_else(|e| panic!("release build at {max_name}:\n{e}"));
        for (level, level_name) in LEVELS.iter().enumerate() {
            for kind in kinds {
                let t = token(kind, level);
                let in_names = files.keys().any(|p| p.to_string_lossy().contains(&t));
                let in_bytes = files
                    .values()
                    .any(|b| memchr::memmem::find(b, t.as_bytes()).is_some());
                if level > max {
                    assert!(
                        !in_names && !in_bytes,
                        "{t} ({level_name}) leaked into the release build at {max_name}"
                    );
                }
            }
            // What is kept is there: the test looks where a leak would show.
            if level <= max {
                let t = token("heading", level);
                assert!(
                    files
                        .values()
                        .any(|b| memchr::memmem::find(b, t.as_bytes()).is_some()),
                    "{t} is at or below {max_name} but not in its build"
                );
                let t = token("slug", level);
                assert!(
                    files.keys().any(|p| p.to_string_lossy().contains(&t)),
                    "{t}'s page is at or below {max_name} but not built"
                );
            }
        }
    }
}

/// Writes `files` (site-relative path, text) into a fresh folder with the markings config.
fn site_of(files: &[(&str, &str)]) -> TestSite {
    let site = TestSite::empty();
    site.write("briefing.toml", CONFIG);
    for (path, text) in files {
        site.write(path, text);
    }
    site
}

/// The cases the issue names, each built at PROTECTED A and compared with its copy by hand:
/// a page marked above its section; a marked section holding the only reference to a
/// footnote and the only link to an image; a marked stop that is the only stop of its day;
/// the newest `as_of` on a left-out page (staleness and "Upcoming" count from what is kept).
#[test]
fn the_named_edge_cases_build_as_their_hand_deleted_copies() {
    let home =
        "+++\ntitle = \"Home\"\nsummary = \"Front.\"\nas_of = 2026-01-10\n+++\n- The line.\n";
    let section = "+++\ntitle = \"Disputes\"\npage_kind = \"dispute\"\n+++\nAll disputes.\n";
    let note_full = "+++\ntitle = \"Note\"\nsummary = \"S.\"\nthemes = [\"trade\"]\nas_of = 2026-01-09\n\
        [[timeline]]\ndate = 2026-01-12\nevent = \"Later\"\n+++\nOpen.[^a]\n\n[^a]: Open note.\n\n\
        ## Inside {marking=\"SECRET\"}\n\nHidden[^b] ![map](map.svg)\n\n## After\n\nEnd.\n\n[^b]: The only reference.\n";
    let note_copy = "+++\ntitle = \"Note\"\nsummary = \"S.\"\nthemes = [\"trade\"]\nas_of = 2026-01-09\n\
        [[timeline]]\ndate = 2026-01-12\nevent = \"Later\"\n+++\nOpen.[^a]\n\n[^a]: Open note.\n\n\
        ## After\n\nEnd.\n\n[^b]: The only reference.\n";
    let stops = |secret: bool| {
        let mut s = String::from(
            "+++\ntitle = \"Itinerary\"\nsummary = \"Stops.\"\nkind = \"itinerary\"\nas_of = 2026-01-09\n\
             [[stops]]\ndate = 2026-01-14\ncountry = \"China\"\ntitle = \"Open day\"\n",
        );
        if secret {
            s += "[[stops]]\ndate = 2026-01-15\ncountry = \"China\"\ntitle = \"Secret day\"\nmarking = \"SECRET\"\n";
        }
        s + "+++\n"
    };
    let full = site_of(&[
        ("content/_index.md", home),
        ("content/disputes/_index.md", section),
        (
            "content/disputes/high.md",
            "+++\ntitle = \"High\"\nmarking = \"SECRET\"\n[dispute]\nimposed_by = \"A\"\naffected = \"B\"\n\
             status = \"in force\"\nstake = \"S\"\nask = \"A\"\n+++\nHigh.\n",
        ),
        ("content/notes/note.md", note_full),
        (
            "content/notes/map.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
        ),
        ("content/itinerary.md", &stops(true)),
        (
            "content/notes/newest.md",
            "+++\ntitle = \"Newest\"\nsummary = \"S.\"\nas_of = 2026-03-01\nmarking = \"SECRET\"\n+++\nNew.\n",
        ),
    ]);
    full.write("briefing.toml", &format!("stale_after_days = 1\n{CONFIG}"));
    let copy = site_of(&[
        ("content/_index.md", home),
        ("content/disputes/_index.md", section),
        ("content/notes/note.md", note_copy),
        (
            "content/notes/map.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
        ),
        ("content/itinerary.md", &stops(false)),
    ]);
    copy.write("briefing.toml", &format!("stale_after_days = 1\n{CONFIG}"));
    let released = build(
        &full.root,
        &full.scratch().join("out"),
        &["--max-marking", "PROTECTED A"],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let by_hand =
        build(&copy.root, &copy.scratch().join("out"), &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        released.keys().collect::<Vec<_>>(),
        by_hand.keys().collect::<Vec<_>>()
    );
    for (file, bytes) in &released {
        assert!(
            by_hand.get(file) == Some(bytes),
            "{} differs",
            file.display()
        );
    }
    // And the full build has what the release left out, so the comparison means something.
    let whole =
        build(&full.root, &full.scratch().join("whole"), &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        whole
            .keys()
            .any(|k| k.ends_with("disputes/high/index.html"))
    );
    assert!(whole.keys().any(|k| k.ends_with("notes/map.svg")));
    assert!(!released.keys().any(|k| k.ends_with("notes/map.svg")));
}

/// `--max-marking` with a level the site does not have is a usage error, exit 2, naming
/// the levels and the nearest; on a site without `[markings]` too.
#[test]
fn an_unknown_release_level_is_a_usage_error() {
    let site = site_of(&[("content/_index.md", "+++\ntitle = \"Home\"\n+++\nFront.\n")]);
    for command in ["build", "check", "serve"] {
        let run = site.run(&[command, "--max-marking", "PROTECTED Z"]);
        assert_eq!(run.code, Some(2), "{command}: {run:?}");
        assert!(
            run.stderr.contains("unknown marking \"PROTECTED Z\"")
                && run.stderr.contains("did you mean \"PROTECTED A\"?"),
            "{command}: {}",
            run.stderr
        );
    }
    site.write("briefing.toml", "title = \"No markings\"\n");
    let run = site.run(&["build", "--max-marking", "SECRET"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains("has no [markings] table"),
        "{}",
        run.stderr
    );
}

/// A marked page says its marking at its top and bottom, in its head, and portion-marks
/// its marked entries and sections; the front page says the highest of all.
#[test]
fn markings_show_at_the_top_and_bottom_and_as_portion_marks() {
    let site = site_of(&[
        (
            "content/_index.md",
            "+++\ntitle = \"Home\"\nsummary = \"Front.\"\n+++\nFront.\n",
        ),
        (
            "content/notes/a.md",
            "+++\ntitle = \"A\"\nsummary = \"S.\"\nthemes = [\"trade\"]\nmarking = \"PROTECTED A\"\n\
             [[sources]]\ntitle = \"Report\"\nmarking = \"PROTECTED B\"\n+++\nOpen.\n\n\
             ## Position {marking=\"secret\"}\n\nHidden.\n",
        ),
    ]);
    site.build().ok();
    let doc = site.html("notes/a/index.html");
    let banners: Vec<String> = doc
        .select(&common::sel("body > aside.marking"))
        .map(common::text_of)
        .collect();
    assert_eq!(banners, ["SECRET", "SECRET"]);
    // One before the header, one after the footer.
    let body: Vec<String> = doc
        .select(&common::sel("body > *"))
        .map(|e| e.value().name().to_string())
        .collect();
    let header = body.iter().position(|n| n == "header").expect("header");
    let footer = body.iter().position(|n| n == "footer").expect("footer");
    assert_eq!(body[header - 1], "aside");
    assert_eq!(body[footer + 1], "aside");
    let meta = doc
        .select(&common::sel("meta[name='dcterms.accessRights']"))
        .next()
        .and_then(|m| m.value().attr("content"));
    assert_eq!(meta, Some("SECRET"));
    let marks: Vec<String> = doc
        .select(&common::sel(".prose .portion-mark, .sources .portion-mark"))
        .map(common::text_of)
        .collect();
    assert_eq!(marks, ["(SECRET)", "(PROTECTED B)"]);
    let heading = doc.select(&common::sel(".prose h2")).next().expect("h2");
    assert_eq!(heading.value().id(), Some("position"));
    assert!(!common::text_of(heading).contains("marking"));
    let home = site.html("index.html");
    let top = home
        .select(&common::sel("body > aside.marking"))
        .next()
        .map(common::text_of);
    assert_eq!(top.as_deref(), Some("SECRET"));
    let run = site.build().ok();
    assert!(
        run.stdout.contains("; highest marking SECRET"),
        "{}",
        run.stdout
    );
}

/// `briefing init` gives a site that shows markings at once: its example section marks the
/// first note and the front page PROTECTED A, and a public release leaves it out.
#[test]
fn a_new_site_shows_a_marking_and_releases_without_it() {
    let site = TestSite::empty();
    let dir = site.scratch().join("fresh");
    site.run(&["init", dir.to_str().expect("utf-8")]).ok();
    let run = site
        .run(&["build", "--root", dir.to_str().expect("utf-8")])
        .ok();
    assert!(
        run.stdout.contains("highest marking PROTECTED A"),
        "{}",
        run.stdout
    );
    let note = common::parse_html(&dir.join("public/notes/first-note/index.html"));
    let banner = note
        .select(&common::sel("body > aside.marking"))
        .next()
        .map(common::text_of);
    assert_eq!(banner.as_deref(), Some("PROTECTED A — for internal use"));
    let run = site
        .run(&[
            "build",
            "--root",
            dir.to_str().expect("utf-8"),
            "--max-marking",
            "UNCLASSIFIED",
        ])
        .ok();
    assert!(
        run.stdout.contains("1 section above it left out"),
        "{}",
        run.stdout
    );
    let note =
        std::fs::read_to_string(dir.join("public/notes/first-note/index.html")).expect("the note");
    assert!(!note.contains("example of a marked section"));
}

/// The files without banners say their markings too: the feed's and each entry's
/// `<rights>`, each search result's marking, and each calendar event's description, which
/// starts with its stop's marking.
#[test]
fn the_feed_the_search_index_and_the_calendar_say_their_markings() {
    let site = site_of(&[
        (
            "content/_index.md",
            "+++\ntitle = \"Home\"\nsummary = \"Front.\"\nas_of = 2026-01-10\n+++\nFront.\n",
        ),
        (
            "content/notes/a.md",
            "+++\ntitle = \"A\"\nsummary = \"S.\"\nas_of = 2026-01-09\nmarking = \"PROTECTED B\"\n+++\nText.\n",
        ),
        (
            "content/itinerary.md",
            "+++\ntitle = \"Itinerary\"\nsummary = \"Stops.\"\nkind = \"itinerary\"\n\
             [[stops]]\ndate = 2026-01-14\ncountry = \"China\"\ntitle = \"Open\"\ndetails = \"Talks.\"\n\
             [[stops]]\ndate = 2026-01-15\ncountry = \"China\"\ntitle = \"Closed\"\nmarking = \"SECRET\"\n+++\n",
        ),
    ]);
    site.build().ok();
    let atom = site.read("public/atom.xml");
    let feed = roxmltree::Document::parse(&atom).expect("the feed parses");
    let root = feed.root_element();
    let rights = |n: roxmltree::Node| {
        n.children()
            .find(|c| c.has_tag_name("rights"))
            .and_then(|c| c.text())
            .map(str::to_string)
    };
    // The feed holds the notes and disputes: it is marked as the highest of those.
    assert_eq!(rights(root).as_deref(), Some("PROTECTED B"));
    let entries: BTreeMap<String, Option<String>> = root
        .children()
        .filter(|c| c.has_tag_name("entry"))
        .map(|e| {
            let title = e
                .children()
                .find(|c| c.has_tag_name("title"))
                .and_then(|c| c.text())
                .unwrap_or_default()
                .to_string();
            (title, rights(e))
        })
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries["A"].as_deref(), Some("PROTECTED B"));

    let index = site.read("public/search-index.js");
    let json = index
        .trim_start_matches("window.briefingSearchIndex = ")
        .trim_end()
        .trim_end_matches(';');
    let results: Vec<serde_json::Value> = serde_json::from_str(json).expect("the index");
    let marking_of = |title: &str| {
        results
            .iter()
            .find(|r| r["t"] == title)
            .and_then(|r| r["m"].as_str())
            .map(str::to_string)
    };
    assert_eq!(marking_of("A").as_deref(), Some("PROTECTED B"));
    assert_eq!(marking_of("Itinerary").as_deref(), Some("SECRET"));

    let bytes = std::fs::read(site.public().join("itinerary.ics")).expect("the calendar");
    let calendars: Vec<_> = ical::IcalParser::new(std::io::BufReader::new(&bytes[..]))
        .collect::<Result<_, _>>()
        .expect("the calendar parses");
    let descriptions: Vec<String> = calendars[0]
        .events
        .iter()
        .filter_map(|e| {
            e.properties
                .iter()
                .find(|p| p.name == "DESCRIPTION")
                .and_then(|p| p.value.clone())
        })
        .collect();
    assert_eq!(descriptions, ["UNCLASSIFIED. Talks.", "SECRET"]);
}

/// What a release build leaves out is not read for errors either: a copy of the site with
/// it deleted by hand has none of them, so the release build (and `check` at its level)
/// succeeds and writes what the copy's build writes. Here a kept page's SECRET section
/// holds a broken link, a missing anchor, a missing image, a link out of `content/`, a
/// heading id given twice and a heading marked with no level of the site's; its SECRET
/// entries a bad URL, a day that does not exist, a date that is not one and a stop on a
/// note; a YAML page a SECRET source with a bad URL; and a SECRET page an unknown key, an
/// unknown theme, a broken link and a heading id given twice. The full build reports
/// each of them.
#[test]
fn errors_in_what_a_release_leaves_out_are_not_its_errors() {
    let home =
        "+++\ntitle = \"Home\"\nsummary = \"Front.\"\nas_of = 2026-01-10\n+++\n- The line.\n";
    let kept_head = "+++\ntitle = \"Kept\"\nsummary = \"S.\"\nthemes = [\"trade\"]\nas_of = 2026-01-09\n\
        [[sources]]\ntitle = \"Open report\"\nurl = \"https://example.org/open\"\n";
    let kept_entries = "[[sources]]\ntitle = \"Closed report\"\nurl = \"ftp://example.org/closed\"\n\
        date = \"2026-02-30\"\nmarking = \"SECRET\"\n\
        [[timeline]]\ndate = \"soon\"\nevent = \"Closed event\"\nmarking = \"TOP SECRET\"\n\
        [[stops]]\ncountry = \"China\"\ntitle = \"Closed stop\"\nmarking = \"SECRET\"\n";
    let kept_open = "+++\nOpen.\n\n## Open part\n\nSee [the open part](#open-part).\n\n";
    let kept_section = "## Closed part {marking=\"SECRET\"}\n\n\
        A [broken link](missing.md), [an anchor](#nowhere), ![a map](nope.png) and\n\
        [a way out](../../outside.md).\n\n### One {#dup}\n\n### Two {#dup}\n\n\
        #### Deeper {marking=\"SECRETT\"}\n\nDeep.\n\n";
    let kept_tail = "## After\n\nEnd.\n";
    let yaml = |closed: bool| {
        let mut s = String::from(
            "---\ntitle: Yaml\nsummary: S.\nsources:\n  - title: Open source\n    url: https://example.org/y\n",
        );
        if closed {
            s += "  - title: Closed source\n    url: mailto:nobody\n    marking: SECRET\n";
        }
        s + "---\nYaml body.\n"
    };
    let secret = "+++\ntitle = \"Secret\"\nsumary = \"S.\"\nthemes = [\"fisheries\"]\nmarking = \"SECRET\"\n+++\n\
        A [broken link](missing.md).\n\n## A {#x}\n\n## B {#x}\n";
    let kept_full = format!("{kept_head}{kept_entries}{kept_open}{kept_section}{kept_tail}");
    let kept_copy = format!("{kept_head}{kept_open}{kept_tail}");
    let full = site_of(&[
        ("content/_index.md", home),
        ("content/notes/kept.md", &kept_full),
        ("content/notes/yaml.md", &yaml(true)),
        ("content/notes/secret.md", secret),
    ]);
    let copy = site_of(&[
        ("content/_index.md", home),
        ("content/notes/kept.md", &kept_copy),
        ("content/notes/yaml.md", &yaml(false)),
    ]);
    let released = build(
        &full.root,
        &full.scratch().join("out"),
        &["--max-marking", "PROTECTED A"],
    )
    .unwrap_or_else(|e| panic!("the release build reports what it leaves out:\n{e}"));
    let by_hand =
        build(&copy.root, &copy.scratch().join("out"), &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        released.keys().collect::<Vec<_>>(),
        by_hand.keys().collect::<Vec<_>>()
    );
    for (file, bytes) in &released {
        assert!(
            by_hand.get(file) == Some(bytes),
            "{} differs",
            file.display()
        );
    }
    full.run(&["check", "--max-marking", "PROTECTED A"]).ok();
    // The errors are there, for a build that does not leave them out.
    let whole = full.run(&["check"]).fails();
    for said in [
        "source url \"ftp://example.org/closed\"",
        "`date` = \"2026-02-30\" is not a valid date",
        "`date` = \"soon\" is not a valid date",
        "[[stops]] on a page that is not an itinerary",
        "source url \"mailto:nobody\"",
        "unknown key \"sumary\" in the front matter",
    ] {
        assert!(whole.stderr.contains(said), "{said}:\n{}", whole.stderr);
    }
    // With the front matter fixed, the body's errors show.
    full.write(
        "content/notes/kept.md",
        &format!("{kept_head}{kept_open}{kept_section}{kept_tail}"),
    );
    full.write("content/notes/yaml.md", &yaml(false));
    full.write(
        "content/notes/secret.md",
        &secret
            .replace("sumary", "summary")
            .replace("fisheries", "trade"),
    );
    let whole = full.run(&["check"]).fails();
    for said in [
        "unknown marking \"SECRETT\"",
        "the heading id #x is given twice",
    ] {
        assert!(whole.stderr.contains(said), "{said}:\n{}", whole.stderr);
    }
    full.write(
        "content/notes/kept.md",
        &format!(
            "{kept_head}{kept_open}{}{kept_tail}",
            kept_section.replace("SECRETT", "SECRET")
        ),
    );
    full.write(
        "content/notes/secret.md",
        &secret
            .replace("sumary", "summary")
            .replace("fisheries", "trade")
            .replace("## B {#x}", "## B"),
    );
    let whole = full.run(&["check"]).fails();
    assert!(
        whole.stderr.contains("the heading id #dup is given twice")
            && whole
                .stderr
                .contains("link \"../../outside.md\" points outside content/")
            && whole.stderr.contains("--> content/notes/secret.md:7"),
        "a heading id given twice, a link out, and the secret page's broken link:\n{}",
        whole.stderr
    );
    full.write(
        "content/notes/kept.md",
        &format!(
            "{kept_head}{kept_open}{}{kept_tail}",
            kept_section
                .replace("SECRETT", "SECRET")
                .replace("### Two {#dup}", "### Two")
                .replace("[a way out](../../outside.md)", "a way out")
        ),
    );
    let whole = full.run(&["check"]).fails();
    for said in [
        "link to \"missing.md\": there is no page content/notes/missing.md",
        "the anchor #nowhere does not exist",
        "\"nope.png\": there is no file content/notes/nope.png",
    ] {
        assert!(whole.stderr.contains(said), "{said}:\n{}", whole.stderr);
    }
}

/// `-v` on a release build lists each thing it left out by file and line — pages (at the
/// line of their marking, or 1 when they take the site's default), entries of TOML and YAML
/// front matter (at their table's or item's line), sections (at their heading's) — on
/// `build` and on `check` alike, and the summary line counts them.
#[test]
fn a_verbose_release_lists_what_it_left_out_by_file_and_line() {
    let site = site_of(&[
        (
            "content/_index.md",
            "+++\ntitle = \"Home\"\nsummary = \"Front.\"\n+++\nFront.\n",
        ),
        (
            "content/notes/secret.md",
            "+++\ntitle = \"Secret\"\nsummary = \"S.\"\nmarking = \"SECRET\"\n+++\nText.\n",
        ),
        (
            "content/notes/yaml.md",
            "---\ntitle: Yaml\nmarking: PROTECTED B\n---\nText.\n",
        ),
        (
            "content/notes/kept.md",
            "+++\ntitle = \"Kept\"\nsummary = \"S.\"\n\n[[sources]]\ntitle = \"Open\"\n\n\
             [[sources]]\ntitle = \"Closed\"\nmarking = \"PROTECTED B\"\n\n\
             [[timeline]]\ndate = 2026-01-01\nevent = \"Closed\"\nmarking = \"SECRET\"\n+++\n\
             Open.\n\n## Closed {marking=\"SECRET\"}\n\nText.\n\n### Inside\n\nMore.\n\n## Open\n\nEnd.\n",
        ),
        (
            "content/disputes/d.md",
            "---\ntitle: D\nkind: dispute\ndispute:\n  imposed_by: A\n  affected: B\n  status: in force\n  \
             stake: S\n  ask: A\n  measures:\n    - product: Open\n      measure: M\n      rate: R\n      \
             effective: 2025-01-01\n    - product: Closed\n      measure: M\n      rate: R\n      \
             effective: 2025-01-01\n      marking: TOP SECRET\nstops: []\n---\nD.\n",
        ),
    ]);
    let listed = [
        "left out: content/disputes/d.md:15 (measure, TOP SECRET)",
        "left out: content/notes/kept.md:8 (source, PROTECTED B)",
        "left out: content/notes/kept.md:12 (event, SECRET)",
        "left out: content/notes/kept.md:19 (section, SECRET)",
        "left out: content/notes/secret.md:4 (page, SECRET)",
        "left out: content/notes/yaml.md:3 (page, PROTECTED B)",
    ];
    for command in ["build", "check"] {
        let run = site
            .run(&["-v", command, "--max-marking", "PROTECTED A"])
            .ok();
        let said: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("left out: "))
            .collect();
        assert_eq!(said, listed, "{command}:\n{}", run.stderr);
        assert!(
            run.stdout.contains(
                "at or below PROTECTED A (" 
            ) && run
                .stdout
                .contains("; highest marking UNCLASSIFIED; 2 pages, 3 entries and 1 section above it left out"),
            "{command}: {}",
            run.stdout
        );
        // Without -v, the counts alone.
        let quiet = site.run(&[command, "--max-marking", "PROTECTED A"]).ok();
        assert!(!quiet.stderr.contains("left out: "), "{}", quiet.stderr);
    }
    // A site whose default is above the level: every page without a marking of its own is
    // left out at its first line.
    site.write("briefing.toml", &format!("{CONFIG}default = \"SECRET\"\n"));
    let run = site
        .run(&["-v", "check", "--max-marking", "PROTECTED B"])
        .ok();
    assert!(
        run.stderr
            .contains("left out: content/notes/secret.md:4 (page, SECRET)")
            && run
                .stderr
                .contains("left out: content/_index.md:1 (page, SECRET)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("left out: content/notes/yaml.md")
            .then_some(())
            .is_none(),
        "the PROTECTED B page is kept:\n{}",
        run.stderr
    );
}

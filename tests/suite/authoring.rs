//! The commands that write a site's own files: `init`, `new` (every kind of page, dated
//! today) and `eject` (the built-in theme copied out for overriding), run as a user would.

use std::path::Path;

use crate::common;

use common::TestSite;

/// Today's date as `new` writes it, read before and after the run (which may cross
/// midnight): the run's date must be one of them.
fn todays(run: impl FnOnce()) -> [String; 2] {
    let before = chrono::Local::now().date_naive().to_string();
    run();
    let after = chrono::Local::now().date_naive().to_string();
    [before, after]
}

fn as_of(text: &str) -> &str {
    text.lines()
        .find_map(|l| l.strip_prefix("as_of = "))
        .unwrap_or_else(|| panic!("no as_of in:\n{text}"))
}

/// `briefing init` into a folder beside `site`, returning it.
fn init(site: &TestSite) -> std::path::PathBuf {
    let dir = site.scratch().join("fresh");
    site.run(&["init", dir.to_str().expect("utf-8")]).ok();
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn init_and_new_date_their_pages_today() {
    let site = TestSite::empty();
    let dir = site.scratch().join("fresh");
    let root = dir.to_str().expect("utf-8");
    let days = todays(|| {
        site.run(&["init", root]).ok();
        for args in [
            &["new", "note", "context", "--root", root][..],
            &["new", "dispute", "peas", "--root", root],
            &["new", "itinerary", "india", "--root", root],
        ] {
            site.run(args).ok();
        }
    });
    for rel in [
        "content/_index.md",
        "content/itinerary.md",
        "content/notes/first-note.md",
        "content/disputes/example-dispute.md",
        "content/notes/context.md",
        "content/disputes/peas.md",
        "content/india.md",
    ] {
        let text = read(&dir.join(rel));
        assert!(
            days.contains(&as_of(&text).to_string()),
            "{rel}: {days:?}\n{text}"
        );
    }
}

#[test]
fn every_kind_of_new_page_checks_without_a_warning_and_builds() {
    let site = TestSite::empty();
    let dir = init(&site);
    let root = dir.to_str().expect("utf-8");
    // The one warning of a new site is the base_url it leaves for the author to set.
    let fresh = site.run(&["check", "--root", root]).ok();
    assert!(fresh.stdout.contains("1 warning "), "{}", fresh.stdout);
    assert!(fresh.stderr.contains("no base_url"), "{}", fresh.stderr);
    let config = read(&dir.join("briefing.toml"));
    std::fs::write(
        dir.join("briefing.toml"),
        config.replace("# base_url = ", "base_url = "),
    )
    .expect("write config");
    std::fs::remove_file(dir.join("content/itinerary.md")).expect("remove itinerary");
    for args in [
        &["new", "note", "context", "--root", root][..],
        &["new", "dispute", "peas", "--root", root],
        &["new", "itinerary", "--root", root],
        &["new", "itinerary", "india-trip", "--root", root],
    ] {
        let run = site.run(args).ok();
        assert!(run.stdout.starts_with("Created "), "{}", run.stdout);
    }
    let check = site.run(&["check", "--root", root]).ok();
    assert!(check.stdout.contains("0 warnings"), "{}", check.stdout);
    assert_eq!(check.stderr, "", "check said something");
    site.run(&["build", "--root", root]).ok();
    for page in [
        "notes/context/index.html",
        "disputes/peas/index.html",
        "itinerary/index.html",
        "india-trip/index.html",
    ] {
        assert!(dir.join("public").join(page).is_file(), "{page} not built");
    }
    let itinerary = common::parse_html(&dir.join("public/itinerary/index.html"));
    let text = itinerary
        .select(&common::sel("main"))
        .map(common::text_of)
        .collect::<String>();
    assert!(
        text.contains("Departure") && text.contains("Time to be confirmed."),
        "{text}"
    );

    // A site without themes: the pages leave `themes` commented out, and still check clean.
    let bare = TestSite::empty();
    bare.write(
        "briefing.toml",
        "title = \"Bare\"\nbase_url = \"https://example.org/\"\n",
    );
    for kind in ["note", "dispute", "itinerary"] {
        bare.run(&["new", kind, &format!("a-{kind}")]).ok();
    }
    let check = bare.run(&["check"]).ok();
    assert!(check.stdout.contains("0 warnings"), "{}", check.stdout);
    assert_eq!(check.stderr, "");
}

#[test]
fn the_scaffolds_explain_every_field_they_leave_out() {
    let site = TestSite::empty();
    let dir = init(&site);
    let root = dir.to_str().expect("utf-8");
    std::fs::remove_file(dir.join("content/itinerary.md")).expect("remove itinerary");
    site.run(&["new", "itinerary", "--root", root]).ok();
    let dispute = read(&dir.join("content/disputes/example-dispute.md"));
    let note = read(&dir.join("content/notes/first-note.md"));
    let itinerary = read(&dir.join("content/itinerary.md"));
    for (text, fields) in [
        (
            &note,
            &[
                "weight = ",
                "draft = ",
                "# slug = ",
                "# aliases = ",
                "# url = ",
            ][..],
        ),
        (
            &dispute,
            &[
                "weight = ",
                "draft = ",
                "# slug = ",
                "# aliases = ",
                "# url = ",
                "# template = ",
                "status = \"in force\"",
                "# status = \"provisional\"",
                "effective = ",
                "[[timeline]]",
            ],
        ),
        (
            &itinerary,
            &[
                "kind = \"itinerary\"",
                "[[stops]]",
                "details = ",
                "# tentative = true",
                "# start = ",
                "# end = ",
                "# slug = ",
            ],
        ),
    ] {
        for field in fields {
            assert!(text.contains(field), "{field:?} missing from:\n{text}");
        }
        // Every field written has a comment saying what it is for.
        let comments = text
            .lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count();
        assert!(comments >= 8, "few comments:\n{text}");
    }
    // The measure's own status, commented, is the dispute's one line after `effective`.
    let effective = dispute.find("effective = ").expect("effective");
    assert!(
        dispute[effective..].starts_with(&format!("effective = {}\n# status = ", as_of(&dispute)))
    );
}

#[test]
fn new_refuses_to_overwrite_and_a_bad_slug_is_said_to_come_from_the_command_line() {
    let site = TestSite::empty();
    let dir = init(&site);
    let root = dir.to_str().expect("utf-8");
    let mine = "+++\ntitle = \"Mine\"\nkind = \"itinerary\"\n+++\n";
    std::fs::write(dir.join("content/itinerary.md"), mine).expect("write");
    let run = site.run(&["new", "itinerary", "--root", root]).fails();
    assert!(
        run.stderr.contains("already exists; not overwriting it"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&dir.join("content/itinerary.md")), mine);

    let before = common::snapshot(&dir);
    let run = site
        .run(&["new", "note", "Mill Closures", "--root", root])
        .fails();
    assert_eq!(
        run.stderr.lines().next(),
        Some(
            "error: the slug \"Mill Closures\" given on the command line is not valid: use \
             lowercase letters, digits, hyphens and underscores, e.g. \"mill-closures\""
        ),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("-->"),
        "not a file's diagnostic:\n{}",
        run.stderr
    );
    assert_eq!(common::snapshot(&dir), before, "a bad slug wrote something");

    let elsewhere = site.scratch().join("not-a-site");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    let run = site
        .run(&[
            "new",
            "note",
            "x",
            "--root",
            elsewhere.to_str().expect("utf-8"),
        ])
        .fails();
    assert!(run.stderr.contains("no briefing.toml in"), "{}", run.stderr);
}

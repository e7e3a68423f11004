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
    // (A site without a front page is warned of.)
    bare.write("content/_index.md", "+++\ntitle = \"Bare\"\n+++\n");
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

/// `init` into a folder that is not empty is a usage error (exit 2), writing nothing.
#[test]
fn init_into_a_folder_with_files_is_a_usage_error() {
    let site = TestSite::empty();
    let dir = site.scratch().join("taken");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("notes.txt"), "mine").expect("write");
    let run = site.run(&["init", dir.to_str().expect("utf-8")]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
    assert_eq!(common::snapshot(&dir).len(), 1, "init wrote into it");
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
    // A mistake in what was typed: a usage error (exit 2), as clap's are.
    let run = site.run(&["new", "note", "Mill Closures", "--root", root]);
    assert_eq!(run.code, Some(2), "{run:?}");
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

/// Every built-in file as the library declares it, with where a site's copy goes.
fn builtin_set() -> Vec<(String, String, &'static [u8])> {
    let templates = briefing::templates::BUILTIN
        .iter()
        .chain(briefing::templates::BUILTIN_TYPST)
        .map(|(name, text)| {
            (
                name.to_string(),
                format!("templates/{name}"),
                text.as_bytes(),
            )
        });
    let statics = briefing::templates::BUILTIN_STATIC
        .iter()
        .map(|(name, bytes)| (name.to_string(), format!("static/{name}"), *bytes));
    templates.chain(statics).collect()
}

/// `(name, where it goes)` from the lines of `eject --list`.
fn listed(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .skip(1)
        .map(|line| {
            let (name, rest) = line
                .split_once(" -> ")
                .unwrap_or_else(|| panic!("not a listed file: {line:?}"));
            let path = rest.split_whitespace().next().expect("a path");
            (name.trim().to_string(), path.to_string())
        })
        .collect()
}

#[test]
fn eject_list_lists_every_built_in_file_and_where_it_goes() {
    let site = TestSite::fixture("basic_site");
    let run = site.run(&["eject", "--list"]).ok();
    let expected: Vec<(String, String)> = builtin_set()
        .into_iter()
        .map(|(name, path, _)| (name, path))
        .collect();
    assert_eq!(listed(&run.stdout), expected, "{}", run.stdout);
    // Templates, partials and static files alike, and the theme's whole source folders.
    for path in [
        "templates/base.html",
        "templates/partials/toc.html",
        "static/style.css",
    ] {
        assert!(expected.iter().any(|(_, p)| p == path), "{path}");
    }
    let repo = common::snapshot(&common::repo().join("templates"))
        .into_keys()
        .map(|p| format!("templates/{}", p.display()))
        .chain(
            common::snapshot(&common::repo().join("static"))
                .into_keys()
                .map(|p| format!("static/{}", p.display())),
        );
    for path in repo {
        assert!(
            expected.iter().any(|(_, p)| *p == path),
            "{path} is in the theme's folders but not built in"
        );
    }
    // Nothing is written; a file the site has is marked.
    assert!(!site.root.join("templates").exists());
    site.write("static/style.css", "body {}\n");
    let run = site.run(&["eject", "--list", "style.css"]).ok();
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    assert!(
        run.stdout.contains("the site has its own"),
        "{}",
        run.stdout
    );
}

#[test]
fn eject_never_overwrites_a_file_of_the_site() {
    let site = TestSite::fixture("basic_site");
    let mine = "{% extends \"base.html\" %}{# mine #}\n";
    site.write("templates/note.html", mine);
    site.write("static/style.css", "body { color: teal }\n");
    let run = site.run(&["eject"]).ok();
    assert!(
        run.stdout.contains(
            "Skipped templates/note.html: the site has its own, which is not overwritten"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Skipped static/style.css"),
        "{}",
        run.stdout
    );
    assert_eq!(site.read("templates/note.html"), mine);
    assert_eq!(site.read("static/style.css"), "body { color: teal }\n");
    // Everything else was written, as built in.
    for (_, path, bytes) in builtin_set() {
        if path != "templates/note.html" && path != "static/style.css" {
            assert_eq!(
                std::fs::read(site.root.join(&path)).expect("ejected"),
                bytes,
                "{path}"
            );
        }
    }
    // Again: nothing changes, every file is skipped, and it is not an error.
    let before = common::snapshot(&site.root);
    let again = site.run(&["eject", "templates/note.html", "partials"]).ok();
    assert!(again.stdout.contains("Ejected 0 files"), "{}", again.stdout);
    assert_eq!(common::snapshot(&site.root), before);
}

#[test]
fn eject_takes_names_paths_and_folders_and_respects_root() {
    let site = TestSite::fixture("basic_site");
    let elsewhere = TestSite::empty();
    let root = site.root.to_str().expect("utf-8");
    // Run from another folder: --root says where the site is.
    elsewhere
        .run(&[
            "eject",
            "note.html",
            "templates/base.html",
            "favicon.svg",
            "--root",
            root,
        ])
        .ok();
    elsewhere.run(&["eject", "partials", "--root", root]).ok();
    let written: Vec<String> = common::snapshot(&site.root)
        .into_keys()
        .map(|p| p.display().to_string())
        .filter(|p| p.starts_with("templates/") || p.starts_with("static/"))
        .collect();
    let mut expected: Vec<String> = builtin_set()
        .into_iter()
        .map(|(_, path, _)| path)
        .filter(|p| {
            p.starts_with("templates/partials/")
                || [
                    "templates/note.html",
                    "templates/base.html",
                    "static/favicon.svg",
                ]
                .contains(&p.as_str())
        })
        .collect();
    expected.sort();
    assert_eq!(written, expected);
    assert!(
        common::snapshot(&elsewhere.root).is_empty(),
        "wrote into the working folder"
    );
}

#[test]
fn an_unknown_name_is_a_usage_error_with_a_suggestion_and_ejects_nothing() {
    let site = TestSite::fixture("basic_site");
    let before = common::snapshot(&site.root);
    let run = site.run(&[
        "eject",
        "style.css",
        "notes.html",
        "tracker.htm",
        "colophon.html",
    ]);
    assert_eq!(run.code, Some(2), "{run:?}");
    for line in [
        "error: there is no built-in file \"notes.html\"; did you mean \"note.html\"?",
        "error: there is no built-in file \"tracker.htm\"; did you mean \"tracker.html\"?",
        "error: there is no built-in file \"colophon.html\"\n",
        "nothing was ejected",
    ] {
        assert!(
            run.stderr.contains(line),
            "{line:?} missing:\n{}",
            run.stderr
        );
    }
    assert_eq!(
        common::snapshot(&site.root),
        before,
        "style.css was ejected anyway"
    );
    // Outside a site, eject says so rather than making templates/ there.
    let empty = TestSite::empty();
    let run = empty.run(&["eject"]).fails();
    assert!(run.stderr.contains("no briefing.toml in"), "{}", run.stderr);
    assert!(common::snapshot(&empty.root).is_empty());
}

#[test]
fn an_ejected_site_builds_to_the_same_bytes() {
    for site in [TestSite::fixture("basic_site"), TestSite::bundled()] {
        site.build().ok();
        let before = common::snapshot(&site.public());
        assert!(
            before.keys().any(|p| p.ends_with("index.html")),
            "nothing built"
        );
        let run = site.run(&["eject"]).ok();
        assert!(
            run.stdout
                .contains(&format!("Ejected {} files", builtin_set().len())),
            "{}",
            run.stdout
        );
        site.build().ok();
        let after = common::snapshot(&site.public());
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>(),
            "other files"
        );
        for (path, bytes) in &before {
            assert!(after.get(path) == Some(bytes), "{} differs", path.display());
        }
        // And the ejected files are the ones used: an edit shows.
        let note = site.read("templates/note.html");
        site.write(
            "templates/note.html",
            &note.replacen("<article", "<article data-mine", 1),
        );
        site.build().ok();
        assert_ne!(
            common::snapshot(&site.public()),
            before,
            "the ejected template is not used"
        );
    }
}

//! Issue 29, "Authors, round two": custom data for templates (`[extra]`), Zola shortcodes,
//! times as people write them. The errors of that issue are in the error corpus.

use crate::common::{self, TestSite};

/// A site whose own template shows `config.extra` and `page.extra`.
fn site_with_extra() -> TestSite {
    let site = TestSite::empty();
    site.write(
        "briefing.toml",
        "title = \"Book\"\nlanguage = \"en-CA\"\n\n[languages.fr]\nlanguage = \"fr-CA\"\n\
         title = \"Cahier\"\n\n[extra]\ncontact = \"Trade desk\"\nfloors = [3, 4]\n\
         [extra.office]\ncity = \"Ottawa\"\n",
    )
    .write("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHome.\n")
    .write(
        "content/_index.fr.md",
        "+++\ntitle = \"Accueil\"\n+++\nAccueil.\n",
    )
    .write(
        "content/a.md",
        "+++\ntitle = \"A\"\ntemplate = \"extra.html\"\n\n[extra]\nminister = \"Trade\"\n\
         meeting = 2026-01-14\n+++\nA.\n",
    )
    .write("content/a.fr.md", "+++\ntitle = \"A (fr)\"\n+++\nA.\n")
    .write(
        "content/b.md",
        "+++\ntitle = \"B\"\ntemplate = \"extra.html\"\n[extra]\nminister = \"Finance\"\n+++\nB.\n",
    )
    .write(
        "content/b.fr.md",
        "+++\ntitle = \"B (fr)\"\n[extra]\nminister = \"Finances\"\n+++\nB.\n",
    )
    .write(
        "templates/extra.html",
        "<p id=\"c\">{{ config.extra.contact }} {{ config.extra.office.city }} \
         {{ config.extra.floors | length }}</p>\n\
         <p id=\"p\">{{ page.extra.minister | default(value=\"none\") }} \
         {{ page.extra.meeting | default(value=\"\") }}</p>\n",
    );
    site
}

#[test]
fn extra_reaches_templates_as_config_extra_and_page_extra() {
    let site = site_with_extra();
    site.build().ok();
    let a = site.read("public/a/index.html");
    assert!(a.contains("<p id=\"c\">Trade desk Ottawa 2</p>"), "{a}");
    assert!(a.contains("<p id=\"p\">Trade 2026-01-14</p>"), "{a}");
    // A translation without its own [extra] takes its original's; one with its own has it.
    let a_fr = site.read("public/fr/a/index.html");
    assert!(a_fr.contains("<p id=\"p\">Trade 2026-01-14</p>"), "{a_fr}");
    let b_fr = site.read("public/fr/b/index.html");
    assert!(b_fr.contains("<p id=\"p\">Finances </p>"), "{b_fr}");
    // `check` renders the same templates: no error either.
    site.run(&["check"]).ok();
}

#[test]
fn extra_must_be_a_table() {
    let site = TestSite::empty();
    site.write("briefing.toml", "title = \"Book\"\nextra = 5\n")
        .write("content/a.md", "+++\ntitle = \"A\"\nextra = \"x\"\n+++\n");
    let run = site.build().fails();
    assert!(
        run.stderr
            .contains("extra must be a table, like [extra] (found the number 5)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> briefing.toml:2:"),
        "{}",
        run.stderr
    );
}

#[test]
fn zola_and_hugo_shortcodes_get_one_warning_and_are_printed_as_written() {
    let site = TestSite::empty();
    site.write("briefing.toml", "title = \"Book\"\n")
        .write("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHome.\n")
        .write(
            "content/a.md",
            "+++\ntitle = \"A\"\n+++\nSee {{ youtube(id=\"abc\") }} and \"this\".\n\n\
             {{< figure src=\"x.png\" >}}\n\nA template's {{ page.title }} is not one.\n",
        );
    for run in [site.run(&["check"]).ok(), site.build().ok()] {
        let warnings: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains("shortcodes are not supported"))
            .collect();
        assert_eq!(warnings.len(), 1, "{}", run.stderr);
        assert!(
            warnings[0].starts_with("warning: Zola shortcodes are not supported: {{ youtube(…) }}"),
            "{}",
            run.stderr
        );
        assert!(
            warnings[0].ends_with("(1 more on this page)"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("--> content/a.md:4:5"),
            "{}",
            run.stderr
        );
    }
    let page = site.read("public/a/index.html");
    assert!(page.contains("{{ youtube(id=\"abc\") }}"), "{page}");
    assert!(
        page.contains("{{&lt; figure src=\"x.png\" &gt;}}"),
        "{page}"
    );
    // Outside shortcodes, quotes are still curled.
    assert!(page.contains("“this”"), "{page}");
}

#[test]
fn a_one_digit_hour_is_a_time() {
    let site = TestSite::empty();
    site.write("briefing.toml", "title = \"Book\"\n").write(
        "content/itinerary.md",
        "+++\ntitle = \"Trip\"\nkind = \"itinerary\"\n\n[[stops]]\ndate = 2026-01-14\n\
         start = \"9:30\"\nend = \"11:00\"\nzone = \"Asia/Shanghai\"\ncountry = \"China\"\n\
         title = \"Meeting\"\n+++\n",
    );
    site.build().ok();
    let ics = site.read("public/itinerary.ics");
    assert!(ics.contains("DTSTART:20260114T013000Z"), "{ics}");
}

#[test]
fn eject_suggests_by_the_name_not_the_shared_html_ending() {
    let site = TestSite::empty();
    site.write("briefing.toml", "title = \"Book\"\n");
    let run = site.run(&["eject", "nosuch.html"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(!run.stderr.contains("did you mean"), "{}", run.stderr);
    let run = site.run(&["eject", "serch.html"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean \"search.html\"?"),
        "{}",
        run.stderr
    );
}

/// `serve --open` where no browser can be opened says so and goes on serving.
#[test]
fn serve_open_without_a_browser_says_so_and_serves() {
    let site = TestSite::fixture("basic_site");
    let empty = site.scratch().join("no-programs");
    std::fs::create_dir_all(&empty).expect("an empty folder");
    let path = empty.to_string_lossy().into_owned();
    let server = common::server::Server::start_with_env(
        &site.root,
        &["--open"],
        &[("PATH", &path), ("BROWSER", ""), ("DISPLAY", "")],
    );
    server.said("that no browser opened", |l| {
        l.starts_with("warning: could not open a browser") && l.contains("yourself")
    });
    assert_eq!(server.get("/").status, 200);
}

/// A taken port: serve says which one it moved to; its start line names the site's folder.
#[test]
fn serve_says_which_port_it_moved_to_and_names_its_folder() {
    let site = TestSite::fixture("basic_site");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let server = common::server::Server::start(&site.root, &["--port", &port.to_string()]);
    assert_ne!(server.addr.port(), port);
    let said = format!(
        "port {port} is taken: serving on port {} instead",
        server.addr.port()
    );
    server.said(&said, |l| l == said);
    drop(taken);
    let folder = std::fs::canonicalize(&site.root).expect("canonical");
    assert!(
        server
            .announced
            .starts_with(&format!("Serving {} at http://", folder.display())),
        "{}",
        server.announced
    );
    let run = site.run(&["serve", "--base-url", "https://example.org/"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("serve takes no --base-url"),
        "{}",
        run.stderr
    );
    let run = site.run(&["serve", "--output", "elsewhere"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("serve takes no --output"),
        "{}",
        run.stderr
    );
    assert!(!folder.join("elsewhere").exists());
}

/// `init DIR --base-url URL` writes a site that checks clean; without one, the warning
/// says the line to add, once.
#[test]
fn init_with_a_base_url_checks_clean_and_without_one_says_the_line_to_add() {
    let site = TestSite::empty();
    site.run(&[
        "init",
        "with",
        "--base-url",
        "https://example.org/briefing/",
    ])
    .ok();
    let run = site.run(&["check", "--root", "with"]).ok();
    assert!(
        run.stdout.contains("no errors, 0 warnings"),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    site.run(&["init", "without"]).ok();
    let run = site.run(&["check", "--root", "without"]).ok();
    assert_eq!(
        run.stderr.matches("no base_url").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("base_url = \"https://example.org/briefing/\""),
        "{}",
        run.stderr
    );
    let run = site.run(&["init", "bad", "--base-url", "example.org"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
}

/// `-v` says how long each stage took, as its help says.
#[test]
fn verbose_prints_the_time_of_each_stage() {
    let site = TestSite::fixture("basic_site");
    let help = site.run(&["--help"]).ok();
    assert!(
        help.stdout.contains("how long each stage took"),
        "{}",
        help.stdout
    );
    let run = site.run(&["-v", "build"]).ok();
    for stage in [
        "Loaded ",
        "Rendered and wrote ",
        "Swapped the new output in",
    ] {
        assert!(run.stderr.contains(stage), "{stage}: {}", run.stderr);
    }
    let run = site.run(&["-v", "check"]).ok();
    for stage in ["Loaded ", "Rendered "] {
        assert!(run.stderr.contains(stage), "{stage}: {}", run.stderr);
    }
}

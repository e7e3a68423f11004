//! `briefing serve`, end to end: the real binary on a free loopback port over a temporary
//! copy of a fixture site, observed only through HTTP.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::server::Server;
use common::{TestSite, sel, text_of};
use scraper::Html;

fn tracker_products(body: &str) -> Vec<String> {
    Html::parse_document(body)
        .select(&sel("table.tracker tbody tr td:first-child"))
        .map(text_of)
        .collect()
}

#[test]
fn a_body_edit_appears() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    let before = server.get("/notes/detentions/");
    assert_eq!(before.status, 200);
    let text = site.read("content/notes/detentions.md");
    site.write(
        "content/notes/detentions.md",
        &format!("{text}\nA fresh paragraph about consular access.\n"),
    );
    let after = server.wait_for("/notes/detentions/", "the edited body", |r| {
        r.body.contains("fresh paragraph about consular access")
    });
    let doc = Html::parse_document(&after.body);
    assert!(
        doc.select(&sel(".prose p"))
            .any(|p| text_of(p).contains("fresh paragraph"))
    );
}

#[test]
fn a_front_matter_edit_reaches_the_index_tracker() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    assert!(tracker_products(&server.get("/").body).contains(&"Electric vehicles".to_string()));
    let text = site.read("content/disputes/ev.md").replace(
        "product = \"Electric vehicles\"",
        "product = \"Electric buses\"",
    );
    site.write("content/disputes/ev.md", &text);
    server.wait_for("/", "the renamed product in the tracker", |r| {
        tracker_products(&r.body).contains(&"Electric buses".to_string())
    });
}

#[test]
fn a_broken_edit_keeps_the_last_good_page_and_shows_the_error_until_fixed() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    let good = site.read("content/disputes/canola.md");
    site.write(
        "content/disputes/canola.md",
        &good.replace("status = \"provisional\"", "status = \"sort of\""),
    );
    let broken = server.wait_for("/disputes/canola/", "the error overlay", |r| {
        r.body.contains("briefing-errors")
    });
    let doc = Html::parse_document(&broken.body);
    let overlay = doc
        .select(&sel("#briefing-errors"))
        .next()
        .expect("overlay");
    let message = text_of(overlay);
    assert!(
        message.contains("content/disputes/canola.md:10"),
        "{message}"
    );
    assert!(message.contains("unknown dispute status"), "{message}");
    // The last good page is still underneath, and every page shows the overlay.
    assert_eq!(
        doc.select(&sel(".page-header .status"))
            .map(text_of)
            .next()
            .as_deref(),
        Some("Provisional")
    );
    assert!(server.get("/itinerary/").body.contains("briefing-errors"));
    // The fix clears it.
    site.write(
        "content/disputes/canola.md",
        &good.replace("stake = \"C$4 billion\"", "stake = \"About C$4 billion\""),
    );
    let fixed = server.wait_for("/disputes/canola/", "the overlay to clear", |r| {
        !r.body.contains("briefing-errors")
    });
    assert!(fixed.body.contains("About C$4 billion"));
}

#[test]
fn a_new_page_appears_and_a_deleted_one_is_gone() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    assert_eq!(server.get("/notes/fresh/").status, 404);
    site.write(
        "content/notes/fresh.md",
        "+++\ntitle = \"Fresh note\"\nsummary = \"New.\"\nthemes = [\"security\"]\n+++\nHello.\n",
    );
    server.wait_for("/notes/fresh/", "the new page", |r| {
        r.status == 200 && r.body.contains("Fresh note")
    });
    server.wait_for("/themes/security/", "the new page on its theme page", |r| {
        r.body.contains("Fresh note")
    });
    std::fs::remove_file(site.root.join("content/notes/fresh.md")).expect("delete");
    let gone = server.wait_for("/notes/fresh/", "the deleted page to 404", |r| {
        r.status == 404
    });
    // The site's own 404 page.
    assert!(
        Html::parse_document(&gone.body)
            .select(&sel(".error-page"))
            .next()
            .is_some()
    );
    server.wait_for(
        "/themes/security/",
        "the deleted page off its theme page",
        |r| !r.body.contains("Fresh note"),
    );
}

#[test]
fn editor_droppings_are_ignored() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    site.write("content/notes/.detentions.md.swp", "garbage");
    site.write("content/notes/detentions.md~", "garbage");
    site.write("content/notes/4913", "");
    // An atomic save: write a temporary file, rename it over the note.
    let text = site.read("content/notes/detentions.md");
    site.write(
        "content/notes/.detentions.md.tmp",
        &format!("{text}\nSaved atomically.\n"),
    );
    std::fs::rename(
        site.root.join("content/notes/.detentions.md.tmp"),
        site.root.join("content/notes/detentions.md"),
    )
    .expect("rename");
    server.wait_for("/notes/detentions/", "the atomically saved edit", |r| {
        r.body.contains("Saved atomically.")
    });
    assert!(!server.get("/").body.contains("briefing-errors"));
}

#[test]
fn traversal_attempts_never_leave_the_output() {
    let site = TestSite::fixture("basic_site");
    // A secret beside the site and one inside it but outside the output.
    std::fs::write(site.scratch().join("secret.txt"), "TOP SECRET").expect("secret");
    let server = Server::start(&site.root, &[]);
    for path in [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/..%5csecret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/../briefing.toml",
        "/../content/_index.md",
        "/./../../../../../../etc/passwd",
    ] {
        let r = server.get(path);
        assert!(!r.body.contains("TOP SECRET"), "{path} leaked the secret");
        assert!(!r.body.contains("root:x:0"), "{path} leaked /etc/passwd");
        assert!(
            !r.body.contains("title = \"Test briefing\"\ndescription"),
            "{path} leaked the config"
        );
        assert!(
            r.status == 404 || r.status == 400,
            "{path}: status {}",
            r.status
        );
    }
}

#[test]
fn only_get_and_head_and_no_directory_listings() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    assert_eq!(server.request("POST", "/").status, 405);
    assert_eq!(server.request("DELETE", "/index.html").status, 405);
    let head = server.request("HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert!(
        head.headers
            .to_ascii_lowercase()
            .contains("content-type: text/html")
    );
    let css = server.get("/style.css");
    assert!(
        css.headers
            .to_ascii_lowercase()
            .contains("content-type: text/css")
    );
    // A folder without index.html is not listed.
    std::fs::create_dir_all(site.root.join("static/empty")).expect("mkdir");
    site.write("static/empty/x.txt", "x");
    server.wait_for("/empty/x.txt", "the new static file", |r| r.status == 200);
    assert_eq!(server.get("/empty/").status, 404);
}

#[test]
fn live_reload_channel_gets_an_event_after_an_edit() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    // The script is injected into served pages.
    assert!(server.get("/").body.contains("/__briefing/live.js"));
    assert!(
        server
            .get("/__briefing/live.js")
            .body
            .contains("EventSource")
    );
    let text = site.read("content/notes/detentions.md");
    server.wait_for_event("reload", |n| {
        site.write(
            "content/notes/detentions.md",
            &format!("{text}\nEdit {n}.\n"),
        );
    });
}

#[test]
fn build_output_has_no_live_reload_code() {
    let site = TestSite::fixture("basic_site");
    site.build().ok();
    for page in common::html_files(&site.public()) {
        let html = std::fs::read_to_string(site.public().join(&page)).expect("read");
        assert!(!html.contains("__briefing"), "{page} has live-reload code");
        assert!(!html.contains("EventSource"), "{page} has live-reload code");
    }
}

#[test]
fn binds_to_loopback_by_default() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    assert!(server.addr.ip().is_loopback(), "{}", server.addr);
}

#[test]
fn a_taken_port_moves_to_the_next_one() {
    let site = TestSite::fixture("basic_site");
    let first = Server::start(&site.root, &[]);
    let port = first.addr.port().to_string();
    let other = TestSite::fixture("basic_site");
    let second = Server::start(&other.root, &["--port", &port]);
    assert_ne!(second.addr.port(), first.addr.port());
    assert_eq!(second.get("/").status, 200);
}

#[test]
fn a_template_edit_rerenders_the_pages_using_it() {
    let site = TestSite::fixture("template_override");
    let server = Server::start(&site.root, &[]);
    assert!(server.get("/memo/").body.contains("custom-note"));
    let t = site
        .read("templates/note.html")
        .replace("custom-note", "edited-note");
    site.write("templates/note.html", &t);
    server.wait_for("/memo/", "the edited template", |r| {
        r.body.contains("edited-note")
    });
    // A template syntax error shows in the overlay with the template's file and line.
    site.write(
        "templates/note.html",
        "{% extends \"base.html\" %}\n{% block main %}{{ page.title {% endblock main %}\n",
    );
    let r = server.wait_for("/memo/", "the template error", |r| {
        r.body.contains("briefing-errors")
    });
    assert!(r.body.contains("templates/note.html:2"), "{}", r.body);
}

#[test]
fn ctrl_c_stops_cleanly_leaving_no_temporary_folders() {
    let site = TestSite::fixture("basic_site");
    let tmp = site.scratch().join("tmp");
    std::fs::create_dir_all(&tmp).expect("tmp");
    let port = common::server::free_port().to_string();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_briefing"))
        .args(["serve", "--port", &port])
        .current_dir(&site.root)
        .env("TMPDIR", &tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port.parse::<u16>().expect("port"))).is_err() {
        assert!(Instant::now() < deadline, "serve did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    // An open live-reload connection must not keep the server from stopping.
    let mut sse =
        TcpStream::connect(("127.0.0.1", port.parse::<u16>().expect("port"))).expect("connect");
    write!(
        sse,
        "GET /__briefing/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .expect("send");
    assert_eq!(
        std::fs::read_dir(&tmp).expect("tmp").count(),
        1,
        "the preview folder is in TMPDIR"
    );
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(code) = child.try_wait().expect("wait") {
            assert!(code.success(), "{code:?}");
            break;
        }
        assert!(Instant::now() < deadline, "serve did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        std::fs::read_dir(&tmp).expect("tmp").count(),
        0,
        "a temporary folder was left behind"
    );
    assert!(!site.root.join("public").exists(), "serve wrote public/");
}

#[test]
fn a_site_broken_from_the_start_shows_its_errors_and_recovers() {
    let site = TestSite::fixture("basic_site");
    let good = site.read("content/disputes/ev.md");
    site.write(
        "content/disputes/ev.md",
        &good.replace("status = \"in force\"", "status = \"maybe\""),
    );
    let server = Server::start(&site.root, &[]);
    let r = server.get("/");
    assert!(r.body.contains("briefing-errors"), "{}", r.body);
    assert!(r.body.contains("content/disputes/ev.md:"), "{}", r.body);
    site.write("content/disputes/ev.md", &good);
    server.wait_for("/", "the site once fixed", |r| {
        r.status == 200 && !r.body.contains("briefing-errors")
    });
}

#[test]
fn a_stylesheet_edit_refreshes_styles_without_a_reload() {
    let site = TestSite::fixture("basic_site");
    site.write("static/style.css", "body { color: black; }\n");
    let server = Server::start(&site.root, &[]);
    let received = server.wait_for_event("css", |n| {
        site.write(
            "static/style.css",
            &format!("body {{ color: black; }} /* {n} */\n"),
        );
    });
    assert!(!received.contains("event: reload"), "{received}");
    assert!(server.get("/style.css").body.contains("/* "));
}

#[test]
fn a_folder_moved_away_takes_its_pages_and_one_moved_in_brings_them() {
    let site = TestSite::fixture("basic_site");
    site.write(
        "content/briefs/trade/first.md",
        "+++\ntitle = \"First brief\"\nsummary = \"S.\"\nthemes = [\"trade\"]\n+++\nOne.\n",
    );
    let server = Server::start(&site.root, &[]);
    assert_eq!(server.get("/briefs/trade/first/").status, 200);
    assert!(server.get("/themes/trade/").body.contains("First brief"));
    // `mv content/briefs elsewhere`: watchers report the folder, not each file in it.
    let away = site.scratch().join("briefs-away");
    std::fs::rename(site.root.join("content/briefs"), &away).expect("move out");
    server.wait_for("/briefs/trade/first/", "the moved-away page to 404", |r| {
        r.status == 404
    });
    server.wait_for("/themes/trade/", "the page off its theme page", |r| {
        r.status == 200 && !r.body.contains("First brief")
    });
    // And back: a folder moved in brings files that no event names.
    std::fs::rename(&away, site.root.join("content/briefs")).expect("move in");
    server.wait_for("/briefs/trade/first/", "the moved-in page", |r| {
        r.status == 200
    });
    server.wait_for("/themes/trade/", "the page back on its theme page", |r| {
        r.body.contains("First brief")
    });
}

#[test]
fn removing_the_templates_folder_falls_back_to_the_built_in_theme() {
    let site = TestSite::fixture("template_override");
    let server = Server::start(&site.root, &[]);
    assert!(server.get("/memo/").body.contains("custom-note"));
    let kept = site.read("templates/note.html");
    std::fs::remove_dir_all(site.root.join("templates")).expect("rm -rf templates");
    server.wait_for("/memo/", "the built-in note template", |r| {
        r.status == 200 && !r.body.contains("custom-note")
    });
    // A templates/ folder made again is watched again.
    site.write(
        "templates/note.html",
        &kept.replace("custom-note", "again-note"),
    );
    server.wait_for("/memo/", "the re-created override", |r| {
        r.body.contains("again-note")
    });
}

//! `briefing serve`, end to end: the real binary on a free loopback port over a temporary
//! copy of a fixture site, observed only through HTTP.

use crate::common;

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
    // The book and the search index follow, written just after the page.
    let book = server.wait_for("/book/", "the edited body in the book", |r| {
        r.body.contains("fresh paragraph about consular access")
    });
    let doc = Html::parse_document(&book.body);
    assert!(
        doc.select(&sel("section.book-page .prose p"))
            .any(|p| text_of(p).contains("fresh paragraph"))
    );
    server.wait_for("/search-index.js", "the edited body in the index", |r| {
        r.body.contains("fresh paragraph about consular access")
    });
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

/// `briefing serve` on a free port with a temporary folder of its own (to see that it is
/// removed), its standard output as given; the child, that folder and the port.
fn serve_with_own_tmp(
    site: &TestSite,
    stdout: std::process::Stdio,
) -> (std::process::Child, std::path::PathBuf, String) {
    let tmp = site.scratch().join("tmp");
    std::fs::create_dir_all(&tmp).expect("tmp");
    let port = common::server::free_port().to_string();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_briefing"))
        .args(["serve", "--port", &port])
        .current_dir(&site.root)
        .env("TMPDIR", &tmp)
        .stdout(stdout)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    (child, tmp, port)
}

#[test]
fn ctrl_c_stops_cleanly_leaving_no_temporary_folders() {
    let site = TestSite::fixture("basic_site");
    let (mut child, tmp, port) = serve_with_own_tmp(&site, std::process::Stdio::null());
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

/// `briefing serve | head -1`: once the reader of its output has gone, the preview stops
/// as a stop signal stops it, its temporary folder removed, with a closed pipe's status.
#[cfg(unix)]
#[test]
fn a_closed_output_pipe_stops_serve_leaving_no_temporary_folder() {
    use std::os::unix::process::ExitStatusExt;
    let site = TestSite::fixture("basic_site");
    let (mut child, tmp, _port) = serve_with_own_tmp(&site, std::process::Stdio::piped());
    // The reading end goes away before serve says anything.
    drop(child.stdout.take());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve went on with its output closed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        status.code(),
        Some(141),
        "{status:?} (signal {:?})",
        status.signal()
    );
    assert_eq!(
        std::fs::read_dir(&tmp).expect("tmp").count(),
        0,
        "a temporary folder was left behind"
    );
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

/// Swaps two folders in one step (`renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &std::path::Path, b: &std::path::Path) {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).expect("exchange");
}

/// A folder swapped for another in one step (`renameat2` with `RENAME_EXCHANGE`, as tools
/// that put a new version of a folder in place do): the watcher names the folder alone,
/// and the preview must read what it holds now, not keep what it held.
#[cfg(target_os = "linux")]
#[test]
fn a_folder_swapped_for_another_in_one_step_is_read_again() {
    let site = TestSite::fixture("basic_site");
    let brief = |title: &str| {
        format!("+++\ntitle = \"{title}\"\nsummary = \"S.\"\nthemes = [\"trade\"]\n+++\nOne.\n")
    };
    site.write("content/briefs/first.md", &brief("First brief"));
    let next = site.scratch().join("briefs-next");
    std::fs::create_dir_all(&next).expect("mkdir");
    std::fs::write(next.join("first.md"), brief("First brief, revised")).expect("write");
    std::fs::write(next.join("second.md"), brief("Second brief")).expect("write");
    let server = Server::start(&site.root, &[]);
    assert!(server.get("/briefs/first/").body.contains("First brief"));
    assert_eq!(server.get("/briefs/second/").status, 404);
    exchange(&next, &site.root.join("content/briefs"));
    server.wait_for("/briefs/second/", "the swapped-in page", |r| {
        r.status == 200
    });
    server.wait_for("/briefs/first/", "the swapped-in version", |r| {
        r.body.contains("First brief, revised")
    });
    server.wait_for("/themes/trade/", "both on the theme page", |r| {
        r.body.contains("Second brief") && r.body.contains("First brief, revised")
    });
}

/// The whole `content/` folder swapped for another in one step: the preview serves the
/// new one, and goes on watching it (not the folder moved away).
#[cfg(target_os = "linux")]
#[test]
fn a_content_folder_swapped_in_one_step_is_read_and_watched() {
    let site = TestSite::fixture("basic_site");
    let other = site.scratch().join("content-next");
    common::copy_tree(&site.root.join("content"), &other);
    std::fs::write(
        other.join("notes/fresh.md"),
        "+++\ntitle = \"Fresh note\"\nsummary = \"S.\"\nthemes = [\"trade\"]\n+++\nNew.\n",
    )
    .expect("write");
    let server = Server::start(&site.root, &[]);
    assert_eq!(server.get("/notes/fresh/").status, 404);
    exchange(&other, &site.root.join("content"));
    server.wait_for("/notes/fresh/", "the swapped-in page", |r| r.status == 200);
    // An edit in the new folder is seen: it is the one watched now.
    site.write(
        "content/notes/fresh.md",
        "+++\ntitle = \"Fresh note, edited\"\nsummary = \"S.\"\nthemes = [\"trade\"]\n+++\nNew.\n",
    );
    server.wait_for("/notes/fresh/", "the edit in the swapped-in folder", |r| {
        r.body.contains("Fresh note, edited")
    });
}

/// Folders moved into `static/` and `templates/` (a folder of images dragged in, a set of
/// partials copied from another site): no event names their files, and the preview must
/// publish and use them as a build would.
#[test]
fn folders_moved_into_static_and_templates_are_read() {
    let site = TestSite::fixture("basic_site");
    site.write("static/keep.txt", "kept");
    std::fs::create_dir_all(site.root.join("templates")).expect("mkdir");
    let server = Server::start(&site.root, &[]);
    assert_eq!(server.get("/img/map.svg").status, 404);
    let img = site.scratch().join("img");
    std::fs::create_dir_all(img.join("deep")).expect("mkdir");
    std::fs::write(img.join("map.svg"), "<svg/>").expect("write");
    std::fs::write(img.join("deep/route.svg"), "<svg></svg>").expect("write");
    std::fs::rename(&img, site.root.join("static/img")).expect("move in");
    server.wait_for("/img/map.svg", "the moved-in image", |r| r.status == 200);
    server.wait_for("/img/deep/route.svg", "the moved-in image below it", |r| {
        r.status == 200
    });
    // And away again: its copies go.
    std::fs::rename(site.root.join("static/img"), &img).expect("move away");
    server.wait_for("/img/map.svg", "the moved-away image gone", |r| {
        r.status == 404
    });
    assert_eq!(server.get("/keep.txt").status, 200);

    let partials = site.scratch().join("partials");
    std::fs::create_dir_all(&partials).expect("mkdir");
    std::fs::write(
        partials.join("toc.html"),
        "<p class=\"moved-in-toc\">Contents</p>",
    )
    .expect("write");
    std::fs::rename(&partials, site.root.join("templates/partials")).expect("move in");
    server.wait_for("/notes/detentions/", "the moved-in partial in use", |r| {
        r.body.contains("moved-in-toc")
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

#[test]
fn only_this_machine_is_an_acceptable_host() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    let port = server.addr.port();
    // A page elsewhere whose name was rebound to 127.0.0.1 sends its own name.
    for host in [
        "Host: evil.example".to_string(),
        format!("Host: evil.example:{port}"),
        "Host: localhost.evil.example".to_string(),
        format!("Host: 127.0.0.1.nip.io:{port}"),
        "Host: 10.1.2.3".to_string(),
        "Host: localhost:notaport".to_string(),
    ] {
        for path in ["/", "/__briefing/live.js", "/__briefing/events"] {
            let r = server.request_with("GET", path, &[&host]);
            assert!(
                r.status == 421 || r.status == 403,
                "{host} {path}: {}",
                r.status
            );
            assert!(!r.body.contains("<html"), "{host} {path} got a page");
        }
    }
    // No Host at all, or two of them.
    assert_eq!(server.request_with("GET", "/", &[]).status, 421);
    assert_eq!(
        server
            .request_with("GET", "/", &["Host: localhost", "Host: evil.example"])
            .status,
        421
    );
    for host in [
        format!("Host: localhost:{port}"),
        format!("Host: 127.0.0.1:{port}"),
        "Host: localhost".to_string(),
        "Host: LOCALHOST".to_string(),
        "Host: 127.0.0.1".to_string(),
        format!("Host: 127.3.4.5:{port}"),
        format!("Host: [::1]:{port}"),
    ] {
        let r = server.request_with("GET", "/", &[&host]);
        assert_eq!(r.status, 200, "{host}");
        assert!(r.body.contains("/__briefing/live.js"), "{host}");
    }
    // The live-reload script and channel pass the check for a proper host.
    assert!(
        server
            .request_with(
                "GET",
                "/__briefing/live.js",
                &[&format!("Host: localhost:{port}")]
            )
            .body
            .contains("EventSource")
    );
}

#[test]
fn dotfiles_are_never_served_however_encoded() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    // The output folder's marker is there to be found, if the server would serve it.
    assert_eq!(server.get("/notes/detentions/").status, 200);
    site.write("static/.secret", "HIDDEN");
    site.write("static/ok.txt", "visible");
    server.wait_for("/ok.txt", "a static file", |r| r.status == 200);
    for path in [
        "/.briefing-output",
        "/%2ebriefing-output",
        "/%2Ebriefing-output",
        "/%252ebriefing-output",
        "/a/%2E%2E/.briefing-output",
        "/notes/%2e%2e/%2ebriefing-output",
        "/notes/..%2f.briefing-output",
        "/.secret",
        "/%2esecret",
        "/notes/../.secret",
        "/./.secret",
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.body.contains("HIDDEN"), "{path} served a dotfile");
        let head = server.request("HEAD", path);
        assert_eq!(head.status, 404, "HEAD {path}");
    }
    // The live-reload paths and ordinary files are unaffected.
    assert_eq!(server.get("/__briefing/live.js").status, 200);
    assert_eq!(server.get("/ok.txt").body, "visible");
}

#[test]
fn head_and_range_agree_with_what_get_sends() {
    let site = TestSite::fixture("basic_site");
    site.write("static/ten.txt", "0123456789abcdefghij");
    let server = Server::start(&site.root, &[]);
    for page in ["/", "/notes/detentions/", "/no/such/page/"] {
        let get = server.get(page);
        let head = server.request("HEAD", page);
        assert_eq!(head.status, get.status, "{page}");
        assert!(head.body.is_empty(), "{page}: HEAD sent a body");
        assert!(get.body.contains("/__briefing/live.js"), "{page}");
        assert_eq!(
            head.header("content-length"),
            Some(get.body.len().to_string().as_str()),
            "{page}: HEAD's length is not GET's"
        );
        assert_eq!(
            get.header("content-length"),
            Some(get.body.len().to_string().as_str()),
            "{page}"
        );
        assert_eq!(head.header("content-type"), get.header("content-type"));
        // A range of a page: either exactly those bytes, or the whole page.
        let ranged = server.request_with("GET", page, &["Host: localhost", "Range: bytes=0-9"]);
        match ranged.status {
            206 => assert_eq!(ranged.body, get.body[..10], "{page}"),
            200 | 404 => assert_eq!(ranged.body, get.body, "{page}"),
            other => panic!("{page}: Range got {other}"),
        }
        let suffix = server.request_with("GET", page, &["Host: localhost", "Range: bytes=-5"]);
        assert!(suffix.status != 206 || suffix.body == get.body[get.body.len() - 5..]);
        assert!(suffix.status == 206 || suffix.body == get.body, "{page}");
    }
    // A file that is sent as it is still honours ranges.
    let part = server.request_with("GET", "/ten.txt", &["Host: localhost", "Range: bytes=2-5"]);
    assert_eq!(part.status, 206);
    assert_eq!(part.body, "2345");
    let head = server.request("HEAD", "/ten.txt");
    assert_eq!(head.header("content-length"), Some("20"));
}

/// Reads until the peer closes the connection (or `deadline`); whether it did.
fn closed_by_peer(stream: &mut TcpStream, deadline: Instant) -> bool {
    use std::io::Read;
    let mut buf = [0u8; 1024];
    while Instant::now() < deadline {
        let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn half_open_and_idle_connections_are_closed_and_do_not_block_others() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    // 300 clients that start a request and never finish it.
    let mut stalled: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut s = TcpStream::connect(server.addr).expect("connect");
            s.write_all(b"GET / HTTP/1.1\r\nHost: loc").expect("send");
            s
        })
        .collect();
    // Everyone else is still answered meanwhile.
    for _ in 0..5 {
        let r = server.get("/notes/detentions/");
        assert_eq!(r.status, 200);
        assert!(r.body.contains("</html>"));
    }
    // An idle keep-alive connection, after one complete exchange.
    let mut idle = TcpStream::connect(server.addr).expect("connect");
    idle.write_all(b"GET /style.css HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("send");
    // The server closes every one of them within its timeout (a few seconds); bounded.
    let deadline = Instant::now() + Duration::from_secs(30);
    for (i, s) in stalled.iter_mut().enumerate() {
        assert!(
            closed_by_peer(s, deadline),
            "half-open connection {i} still open"
        );
    }
    assert!(
        closed_by_peer(&mut idle, deadline),
        "idle connection still open"
    );
    // A save afterwards rebuilds normally, with no overlay.
    let text = site.read("content/notes/detentions.md");
    site.write(
        "content/notes/detentions.md",
        &format!("{text}\nAfter the flood.\n"),
    );
    let r = server.wait_for("/notes/detentions/", "the edit after the flood", |r| {
        r.body.contains("After the flood.")
    });
    assert!(!r.body.contains("briefing-errors"), "{}", r.body);
}

#[test]
fn many_live_reload_streams_do_not_starve_pages() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    let streams: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut s = TcpStream::connect(server.addr).expect("connect");
            s.write_all(b"GET /__briefing/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .expect("send");
            s
        })
        .collect();
    for _ in 0..5 {
        assert_eq!(server.get("/").status, 200);
    }
    drop(streams);
}

#[test]
fn a_rebuild_that_fails_changes_no_page() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    let pages = [
        "/",
        "/notes/detentions/",
        "/themes/security/",
        "/disputes/canola/",
    ];
    for p in pages {
        assert!(!server.get(p).body.contains("Detained Twice"), "{p}");
    }
    assert!(server.get("/").body.contains("Detentions"));
    let good = site.read("content/notes/detentions.md");
    // A new title, and an alias that lands on another page's output file: only found
    // while writing, after other pages were rendered with the new title.
    site.write(
        "content/notes/detentions.md",
        &good.replacen(
            "title: Detentions",
            "title: Detained Twice\naliases: [\"disputes/canola/index.html\"]",
            1,
        ),
    );
    let broken = server.wait_for("/notes/detentions/", "the error overlay", |r| {
        r.body.contains("briefing-errors")
    });
    assert!(
        broken.body.contains("content/notes/detentions.md"),
        "{}",
        broken.body
    );
    for p in pages {
        let r = server.get(p);
        assert_eq!(r.status, 200, "{p}");
        assert!(r.body.contains("briefing-errors"), "{p}: no overlay");
        assert!(
            !r.body.contains("Detained Twice"),
            "{p} half-applied the edit"
        );
    }
    assert!(server.get("/").body.contains("Detentions"));
    // Fixed: the new title shows everywhere.
    site.write(
        "content/notes/detentions.md",
        &good.replacen("title: Detentions", "title: Detained Twice", 1),
    );
    server.wait_for("/notes/detentions/", "the overlay to clear", |r| {
        !r.body.contains("briefing-errors") && r.body.contains("Detained Twice")
    });
    for p in ["/", "/notes/detentions/", "/themes/security/"] {
        let r = server.get(p);
        assert!(r.body.contains("Detained Twice"), "{p}: the fix is missing");
        assert!(!r.body.contains("briefing-errors"), "{p}");
    }
}

fn stops_cleanly_on(signal: &str) {
    let site = TestSite::fixture("basic_site");
    let mut server = Server::start(&site.root, &[]);
    // The harness puts the preview folder beside the site.
    let scratch = site.root.parent().expect("parent").to_path_buf();
    let previews = || {
        std::fs::read_dir(&scratch)
            .expect("read scratch")
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("briefing-serve-")
            })
            .count()
    };
    assert_eq!(previews(), 1, "the preview folder is in TMPDIR");
    // An open live-reload stream must not keep the server from stopping.
    let mut sse = TcpStream::connect(server.addr).expect("connect");
    write!(
        sse,
        "GET /__briefing/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .expect("send");
    let status = std::process::Command::new("kill")
        .args([signal, &server.pid().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let code = server
        .wait_exit(Duration::from_secs(20))
        .unwrap_or_else(|| panic!("serve did not stop on {signal}"));
    assert!(code.success(), "{signal}: {code:?}");
    assert_eq!(previews(), 0, "{signal} left the preview folder behind");
    assert!(!site.root.join("public").exists(), "serve wrote public/");
}

#[test]
fn sigterm_stops_cleanly_leaving_no_temporary_folders() {
    stops_cleanly_on("-TERM");
}

#[test]
fn sighup_stops_cleanly_leaving_no_temporary_folders() {
    stops_cleanly_on("-HUP");
}

/// The preview publishes what a build publishes: a content file only while a page links
/// to it, and never a file from outside the site.
#[test]
fn the_preview_publishes_only_linked_content_files() {
    let site = TestSite::fixture("basic_site");
    site.write("content/notes/memo.txt", "internal memo");
    let server = Server::start(&site.root, &[]);
    assert_eq!(server.get("/notes/memo.txt").status, 404);
    site.write(
        "content/notes/linker.md",
        "+++\ntitle = \"Linker\"\n+++\nSee [the memo](memo.txt).\n",
    );
    server.wait_for("/notes/memo.txt", "the newly linked file", |r| {
        r.status == 200 && r.body.contains("internal memo")
    });
    site.write("content/notes/memo.txt", "internal memo, edited");
    server.wait_for("/notes/memo.txt", "the edited file", |r| {
        r.body.contains("edited")
    });
    std::fs::remove_file(site.root.join("content/notes/linker.md")).expect("rm");
    site.write("content/notes/memo.txt", "internal memo, edited again");
    server.wait_for("/notes/memo.txt", "the unlinked file to go", |r| {
        r.status == 404
    });
    #[cfg(unix)]
    {
        site.link_a_secret("content/notes/map.png");
        site.write(
            "content/notes/mapped.md",
            "+++\ntitle = \"Mapped\"\n+++\n![map](map.png)\n",
        );
        let page = server.wait_for("/", "the overlay naming the link", |r| {
            r.body.contains("briefing-errors") && r.body.contains("content/notes/map.png")
        });
        assert!(
            page.body.contains("outside the site folder"),
            "{}",
            page.body
        );
        assert_ne!(server.get("/notes/map.png").body, crate::common::SECRET);
    }
}

/// `serve` on a folder that is not a site says what `build` says, and exits 1.
#[test]
fn serve_on_a_missing_site_says_what_build_says() {
    let site = TestSite::empty();
    let missing = site.scratch().join("missing");
    let run = site.run(&["serve", "--root", missing.to_str().expect("utf-8")]);
    let build = site.run(&["build", "--root", missing.to_str().expect("utf-8")]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("no briefing.toml in"), "{}", run.stderr);
    assert_eq!(run.stderr, build.stderr);
}

/// Warnings are printed at start; a mistake says whether anything good is served; fixing
/// it prints one line saying so.
#[test]
fn serve_says_warnings_errors_and_fixes_as_they_change() {
    let site = TestSite::fixture("basic_site");
    site.write(
        "content/notes/old.md",
        "+++\ntitle = \"Old\"\nas_of = 2001-01-01\n+++\nOld news.\n",
    );
    let config = site.read("briefing.toml");
    site.write("briefing.toml", &format!("stale_after_days = 30\n{config}"));
    let server = Server::start(&site.root, &[]);
    server.said("that a page is stale", |l| l.contains("this page is stale"));
    server.said("where the stale page is", |l| {
        l.contains("content/notes/old.md")
    });
    let good = site.read("content/notes/old.md");
    site.write("content/notes/old.md", "+++\ntitle = \n+++\n");
    server.wait_for_line("the error", |l| {
        l.contains("content/notes/old.md") && l.contains("still serving the last good build")
    });
    site.write(
        "content/notes/old.md",
        &good.replace("Old news.", "Old news, fixed."),
    );
    let fixed = server.wait_for_line("the fix of content/notes/old.md", |l| {
        l.starts_with("fixed: ") && l.contains("content/notes/old.md")
    });
    assert!(fixed.contains("written"), "{fixed}");

    // A site whose first build fails has nothing good to serve, and says so.
    let broken = TestSite::fixture("basic_site");
    broken.write("content/notes/bad.md", "+++\ntitle = \n+++\n");
    let server = Server::start(&broken.root, &[]);
    let said = server.said("that nothing is served", |l| {
        l.contains("nothing to serve until it is fixed")
    });
    assert!(!said.contains("last good build"), "{said}");
}

/// What a fresh build would serve after front-matter edits that reach other outputs: a
/// removed alias's redirect goes, and moving the newest `as_of` marks older pages stale.
#[test]
fn aliases_and_stale_notices_follow_front_matter_edits() {
    let site = TestSite::fixture("basic_site");
    let config = site.read("briefing.toml");
    site.write("briefing.toml", &format!("stale_after_days = 30\n{config}"));
    let canola = site.read("content/disputes/canola.md");
    let with_alias = canola.replacen("as_of = ", "aliases = [\"old-canola\"]\nas_of = ", 1);
    site.write("content/disputes/canola.md", &with_alias);
    let server = Server::start(&site.root, &[]);
    assert_eq!(server.get("/old-canola/").status, 200);
    let stale = || sel(".stale-notice");
    let detentions = server.get("/notes/detentions/");
    assert!(
        Html::parse_document(&detentions.body)
            .select(&stale())
            .next()
            .is_none(),
        "stale before any edit"
    );
    // Drop the alias and move canola's as_of half a year on.
    site.write(
        "content/disputes/canola.md",
        &canola.replace("as_of = 2026-01-16", "as_of = 2026-07-16"),
    );
    server.wait_for("/old-canola/", "the removed alias to go", |r| {
        r.status == 404
    });
    let page = server.wait_for("/notes/detentions/", "the stale notice", |r| {
        Html::parse_document(&r.body)
            .select(&stale())
            .next()
            .is_some()
    });
    assert_eq!(page.status, 200);
    server.wait_for_line("the stale warning", |l| l.contains("this page is stale"));
    // And what a fresh build writes agrees.
    site.run(&["build", "-q"]).ok();
    let built = site.html("notes/detentions/index.html");
    assert!(built.select(&stale()).next().is_some());
    assert!(!site.public().join("old-canola/index.html").exists());
}

/// A broken template is reported once per save: the rebuild's own reads of the template
/// folder are not changes, so they must not retry the failed rebuild again and again.
#[test]
fn a_broken_template_is_reported_once_not_retried_without_end() {
    let site = TestSite::fixture("basic_site");
    let server = Server::start(&site.root, &[]);
    site.write(
        "templates/note.html",
        "{% extends \"base.html\" %}\n{% block main %}{% endblock main %}\nstray text\n",
    );
    server.wait_for_line("the template error", |l| {
        l.contains("templates/note.html") && l.contains("still serving")
    });
    // Whatever it prints in the next three seconds: no retries of the same failure.
    let quiet_until = Instant::now() + Duration::from_secs(3);
    let mut later = Vec::new();
    while let Ok(line) = server
        .lines
        .recv_timeout(quiet_until.saturating_duration_since(Instant::now()))
    {
        later.push(line);
    }
    assert!(
        !later.iter().any(|l| l.starts_with("retry:")),
        "retried without a change:\n{}",
        later.join("\n")
    );
}

//! Bad input that is not a one-folder case: escaping of front-matter strings, symbolic-link
//! loops in content/, a bad `--base-url`.

use crate::common;

use common::{TestSite, sel};

#[test]
fn script_in_a_title_or_summary_is_escaped() {
    let site = TestSite::fixture("basic_site");
    site.write(
        "content/notes/xss.md",
        "+++\ntitle = \"<script>alert(1)</script>\"\nsummary = \"<script>alert(2)</script>\"\nthemes = [\"trade\"]\n+++\nBody.\n",
    );
    site.build().ok();
    for page in [
        "notes/xss/index.html",
        "index.html",
        "themes/trade/index.html",
        "book/index.html",
    ] {
        let doc = site.html(page);
        for script in doc.select(&sel("script")) {
            let text: String = script.text().collect();
            assert!(
                !text.contains("alert"),
                "{page}: a script element runs {text:?}"
            );
        }
        let html = std::fs::read_to_string(site.public().join(page)).expect("read");
        assert!(
            html.contains("&lt;script&gt;alert("),
            "{page}: the title is not shown escaped"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_not_followed_forever() {
    let site = TestSite::fixture("basic_site");
    std::os::unix::fs::symlink("..", site.root.join("content/notes/loop")).expect("symlink");
    let run = site.build().fails();
    assert!(run.stderr.contains("content/notes/loop"), "{}", run.stderr);
    assert!(run.stderr.contains("symbolic link loop"), "{}", run.stderr);
}

#[test]
fn a_base_url_flag_that_is_not_a_web_address_is_a_usage_error() {
    let site = TestSite::fixture("basic_site");
    for bad in ["notaurl", "https://", "https://exa mple.org/"] {
        let run = site.run(&["build", "--base-url", bad]);
        assert_eq!(run.code, Some(2), "{bad}: {run:?}");
        assert!(run.stderr.contains("--base-url"), "{}", run.stderr);
        assert!(!site.public().exists(), "{bad}: wrote public/");
    }
    site.run(&["build", "-q", "--base-url", "https://example.org/b/"])
        .ok();
    assert!(
        site.read("public/sitemap.xml")
            .contains("https://example.org/b/")
    );
}

#[test]
fn a_template_failing_on_every_page_is_reported_once() {
    let site = TestSite::fixture("basic_site");
    let base = std::fs::read_to_string(common::repo().join("templates/base.html"))
        .expect("built-in base.html");
    site.write(
        "templates/base.html",
        &format!("{{{{ site.nosuch }}}}{base}"),
    );
    let run = site.build().fails();
    assert_eq!(
        run.stderr.matches("error: template error").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> templates/base.html:1:9"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("other pages)"), "{}", run.stderr);
    assert!(run.stderr.contains("1 error found"), "{}", run.stderr);
}

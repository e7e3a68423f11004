//! A smoke test of the benchmark kit: a generated 200-page site builds, every generated
//! page is written, and every internal link and anchor resolves. No timings.

mod common;

use briefing_bench::{Flavor, GenOptions, generate};
use common::{broken_internal_links, html_files};

#[test]
fn a_generated_site_builds_with_every_link_resolved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    let out = dir.path().join("out");
    let summary = generate(&GenOptions {
        pages: 200,
        seed: 7,
        out: site.clone(),
        flavor: Flavor::Briefing,
    })
    .expect("generate");
    assert_eq!(summary.page_paths.len(), 200);
    assert_eq!(summary.disputes, 20);
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_briefing"))
        .args(["build", "-q", "--root"])
        .arg(&site)
        .arg("--output")
        .arg(&out)
        .output()
        .expect("run briefing");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for path in &summary.page_paths {
        assert!(
            out.join(path).join("index.html").is_file(),
            "{path} not written"
        );
    }
    // 200 pages, 2 sections, home, itinerary, 8 theme pages and their list, 404, the book.
    assert_eq!(html_files(&out).len(), 200 + 2 + 1 + 1 + 8 + 1 + 1 + 1);
    let problems = broken_internal_links(&out);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn generation_is_deterministic() {
    let dir = tempfile::tempdir().expect("tempdir");
    for flavor in [Flavor::Briefing, Flavor::Hugo] {
        let a = dir.path().join(format!("{flavor:?}-a"));
        let b = dir.path().join(format!("{flavor:?}-b"));
        generate(&GenOptions {
            pages: 50,
            seed: 3,
            out: a.clone(),
            flavor,
        })
        .expect("a");
        generate(&GenOptions {
            pages: 50,
            seed: 3,
            out: b.clone(),
            flavor,
        })
        .expect("b");
        assert_eq!(common::snapshot(&a), common::snapshot(&b));
    }
}

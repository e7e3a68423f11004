//! Every HTML page of the bundled briefing book passes the Nu HTML Checker (vnu.jar, from
//! the npm package `vnu-jar`, run with Java) with zero errors.

use crate::browser_support as support;
use crate::common;

use std::process::Command;
use std::time::Instant;

use common::{TestSite, html_files};
use support::Tool;

#[test]
fn every_page_of_the_bundled_site_passes_the_nu_html_checker() {
    if support::skip_or_require("the Nu HTML Checker test", &[Tool::Java, Tool::Vnu]) {
        return;
    }
    let site = TestSite::bundled_with_pdf();
    site.run(&["build", "--base-url", "https://example.org/briefing/"])
        .ok();
    let public = site.public();
    let pages = html_files(&public);
    assert!(
        pages.iter().any(|p| p == "index.html") && pages.len() > 5,
        "expected a whole site, got {pages:?}"
    );

    let started = Instant::now();
    let out = Command::new("java")
        .arg("-jar")
        .arg(support::vnu_jar())
        .args(["--errors-only", "--format", "json", "--stdout"])
        .args(pages.iter().map(|p| public.join(p)))
        .output()
        .expect("run java -jar vnu.jar");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "the Nu HTML Checker did not print a JSON report ({e}); exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let messages = report["messages"].as_array().expect("messages array");
    let public_url = url_of_dir(&public);
    let errors: Vec<String> = messages
        .iter()
        .filter(|m| m["type"] != "info")
        .map(|m| {
            let file = m["url"].as_str().unwrap_or("?");
            let file = file.strip_prefix(&public_url).unwrap_or(file);
            format!(
                "{file}:{}:{}: {} {}\n    {}",
                m["lastLine"],
                m["firstColumn"]
                    .as_u64()
                    .or(m["lastColumn"].as_u64())
                    .unwrap_or(0),
                m["type"].as_str().unwrap_or("?"),
                m["message"].as_str().unwrap_or("?"),
                m["extract"].as_str().unwrap_or("").replace('\n', "⏎"),
            )
        })
        .collect();
    eprintln!(
        "Nu HTML Checker: {} pages, {} errors, {:.1?}",
        pages.len(),
        errors.len(),
        started.elapsed()
    );
    assert!(
        errors.is_empty(),
        "the Nu HTML Checker found {} errors in {} pages:\n{}",
        errors.len(),
        pages.len(),
        errors.join("\n")
    );
    assert!(
        out.status.success(),
        "vnu.jar exited with {:?} although it reported no errors\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `file:` URL prefix vnu gives the files of `dir` (with a trailing slash).
fn url_of_dir(dir: &std::path::Path) -> String {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    format!("file:{}/", dir.display())
}

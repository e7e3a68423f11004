//! What tests/suite/validate.rs and tests/suite/browser.rs share: where the external tools are (Java and
//! the Nu HTML Checker, Chromium and ChromeDriver, axe-core, pdftotext), and the rule for when they are
//! missing. `scripts/test` installs all of them; a missing tool fails the test with that
//! advice, unless `BRIEFING_SKIP_BROWSER=1` asks to skip these tests (each skip is recorded,
//! see `common::skipped`, and `.ci/run` fails on any).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable that skips the browser and validator tests.
pub const SKIP_VAR: &str = "BRIEFING_SKIP_BROWSER";

/// `tests/browser`, where `npm ci --prefix tests/browser` puts `node_modules`.
pub fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

pub fn vnu_jar() -> PathBuf {
    tools_dir().join("node_modules/vnu-jar/build/dist/vnu.jar")
}

pub fn axe_js() -> PathBuf {
    tools_dir().join("node_modules/axe-core/axe.min.js")
}

/// `screenshots/` in the cargo target folder this test was built in (the parent of
/// `CARGO_TARGET_TMPDIR`, so `CARGO_TARGET_DIR` is followed), created if needed.
pub fn screenshots_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp
        .parent()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")))
        .join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

/// True when the test should be skipped: `BRIEFING_SKIP_BROWSER` is set. The caller then
/// returns early, which `cargo test` shows as "ok", so the skip is also recorded through
/// `common::skipped` (a line in `$BRIEFING_SKIPPED_LOG`): `scripts/test` counts those lines
/// after the run and `.ci/run` fails when there are any. Otherwise panics with install
/// advice for every missing tool among `needs`, so that a missing tool is a failure.
pub fn skip_or_require(test: &str, needs: &[Tool]) -> bool {
    if std::env::var(SKIP_VAR).is_ok_and(|v| !v.is_empty() && v != "0") {
        crate::common::skipped(test, &format!("{SKIP_VAR} is set"));
        return true;
    }
    let missing: Vec<String> = needs.iter().filter_map(|t| t.missing()).collect();
    assert!(
        missing.is_empty(),
        "{test} needs tools that are not installed:\n  - {}\n\
         Run scripts/test, which installs them (apt-get install chromium chromium-driver \
         default-jre-headless poppler-utils; npm ci --prefix tests/browser), or set \
         {SKIP_VAR}=1 to skip the browser and validator tests.",
        missing.join("\n  - ")
    );
    false
}

#[derive(Clone, Copy, Debug)]
pub enum Tool {
    Java,
    Vnu,
    Chromium,
    Chromedriver,
    Axe,
    /// poppler-utils' `pdftotext`, to read printed PDFs.
    Pdftotext,
}

impl Tool {
    fn missing(self) -> Option<String> {
        match self {
            Tool::Java => (!runs("java", &["-version"]))
                .then(|| "java (Debian package default-jre-headless)".to_string()),
            Tool::Vnu => (!vnu_jar().is_file()).then(|| {
                format!(
                    "the Nu HTML Checker at {} (npm package vnu-jar)",
                    vnu_jar().display()
                )
            }),
            Tool::Chromium => chromium_binary()
                .is_none()
                .then(|| "chromium (Debian package chromium)".to_string()),
            Tool::Chromedriver => (!runs(&chromedriver_binary(), &["--version"]))
                .then(|| "chromedriver (Debian package chromium-driver)".to_string()),
            Tool::Axe => (!axe_js().is_file())
                .then(|| format!("axe-core at {} (npm package axe-core)", axe_js().display())),
            Tool::Pdftotext => (!runs("pdftotext", &["-v"]))
                .then(|| "pdftotext (Debian package poppler-utils)".to_string()),
        }
    }
}

fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The Chromium binary: `$CHROMIUM` if set, else Debian's `/usr/bin/chromium`.
pub fn chromium_binary() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.is_file().then_some(path)
}

/// The ChromeDriver binary: `$CHROMEDRIVER` if set, else `chromedriver` on the PATH.
pub fn chromedriver_binary() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_string())
}

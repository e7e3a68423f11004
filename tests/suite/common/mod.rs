//! The test harness: a site copied into a temporary folder per test, the real `briefing`
//! binary run over it, and the output read back through a real HTML parser.
#![allow(dead_code)]

pub mod server;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{Html, Selector};
use tempfile::TempDir;

/// A property test's settings: `default` cases, or as many as the environment variable
/// `var` asks for (the longer runs the README names); failures are reported, not written
/// into the checkout.
pub fn property_config(var: &str, default: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases: std::env::var(var)
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(default),
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

/// The environment variable naming a file to which every skipped test appends a line.
/// `cargo test` cannot mark a test skipped at run time (it shows "ok"), so this file is the
/// count: `scripts/test` prints it after the run, and `.ci/run` fails if it is not empty.
pub const SKIPPED_LOG_VAR: &str = "BRIEFING_SKIPPED_LOG";

/// Says that `test` (a description) is skipped and why, and records it in
/// `$BRIEFING_SKIPPED_LOG` when set. The caller then returns early.
pub fn skipped(test: &str, why: &str) {
    use std::io::Write as _;
    // libtest runs each test on a thread named after it: the name to rerun it by.
    let thread = std::thread::current();
    let name = thread.name().unwrap_or("?");
    let line = format!("{name} ({test}): {why}\n");
    eprint!("skipped: {line}");
    if let Some(log) = std::env::var_os(SKIPPED_LOG_VAR).filter(|v| !v.is_empty()) {
        // One write of one whole line in append mode, so that tests running in parallel
        // (and the suite's several binaries) do not interleave their lines.
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .unwrap_or_else(|e| {
                panic!(
                    "cannot record the skip in {}: {e}",
                    Path::new(&log).display()
                )
            });
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture_dir(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// What the file outside every test site holds (see `TestSite::link_a_secret`).
pub const SECRET: &str = "root:x:0:0";

/// A site in its own temporary folder.
pub struct TestSite {
    _dir: TempDir,
    pub root: PathBuf,
}

/// What a run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code,
            Some(0),
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    pub fn fails(self) -> Run {
        assert_eq!(
            self.code,
            Some(1),
            "expected exit code 1\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "panic:\n{}", self.stderr);
        self
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("inside fixture");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("create dir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy file");
        }
    }
}

impl TestSite {
    pub fn empty() -> TestSite {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).expect("site dir");
        TestSite { _dir: dir, root }
    }

    /// A copy of `tests/fixtures/NAME`.
    pub fn fixture(name: &str) -> TestSite {
        let site = TestSite::empty();
        copy_tree(&fixture_dir(name), &site.root);
        site
    }

    /// A copy of the bundled briefing book (config, content; the built-in theme).
    /// Without its PDF: only the tests of the PDF (`bundled_with_pdf`) pay for typesetting
    /// it in a debug build.
    pub fn bundled() -> TestSite {
        let site = TestSite::bundled_with_pdf();
        let config = site.read("briefing.toml");
        assert!(
            config.contains("\npdf = true\n"),
            "the bundled book asks for its PDF"
        );
        site.write(
            "briefing.toml",
            &config.replace("\npdf = true\n", "\npdf = false\n"),
        );
        site
    }

    /// A copy of the bundled briefing book as it ships, its PDF included.
    pub fn bundled_with_pdf() -> TestSite {
        let site = TestSite::empty();
        std::fs::copy(
            repo().join("briefing.toml"),
            site.root.join("briefing.toml"),
        )
        .expect("copy config");
        copy_tree(&repo().join("content"), &site.root.join("content"));
        site
    }

    /// The folder beside the site, for outputs placed elsewhere.
    pub fn scratch(&self) -> PathBuf {
        self.root.parent().expect("temp parent").to_path_buf()
    }

    pub fn write(&self, rel: &str, text: &str) -> &TestSite {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
        self
    }

    /// A file outside the site (beside it) holding `SECRET`, linked at `rel` inside the
    /// site: what must never be read or published. Returns the file's path.
    #[cfg(unix)]
    pub fn link_a_secret(&self, rel: &str) -> PathBuf {
        let secret = self.scratch().join("secret.txt");
        std::fs::write(&secret, SECRET).expect("secret");
        std::os::unix::fs::symlink(&secret, self.root.join(rel)).expect("link");
        secret
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_briefing"))
            .args(args)
            .current_dir(&self.root)
            .env("NO_COLOR", "1")
            .output()
            .expect("run briefing");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    pub fn public(&self) -> PathBuf {
        self.root.join("public")
    }

    pub fn html(&self, rel: &str) -> Html {
        parse_html(&self.public().join(rel))
    }
}

pub fn parse_html(path: &Path) -> Html {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    Html::parse_document(&text)
}

pub fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

pub fn text_of(el: scraper::ElementRef) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every file under `dir` with its bytes, for byte-for-byte comparisons.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return files;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .to_path_buf();
            files.insert(rel, std::fs::read(entry.path()).expect("read"));
        }
    }
    files
}

/// Every HTML file of an output folder, relative paths with `/`.
pub fn html_files(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .into_keys()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect()
}

/// Checks that every internal `href`/`src` of every page resolves to a file of the output
/// (and each `#anchor` to an id), reading the output as if served under `/briefing/`.
/// Returns the problems found.
pub fn broken_internal_links(dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let pages = html_files(dir);
    for p in &pages {
        let doc = parse_html(&dir.join(p));
        ids.insert(
            p.clone(),
            doc.select(&sel("[id]"))
                .filter_map(|e| e.value().id().map(str::to_string))
                .collect(),
        );
    }
    let base = "http://host/briefing/";
    for p in &pages {
        let doc = parse_html(&dir.join(p));
        for el in doc.select(&sel("[href], [src]")) {
            let Some(link) = el.value().attr("href").or_else(|| el.value().attr("src")) else {
                continue;
            };
            if el.value().name() == "link" && el.value().attr("rel") == Some("canonical") {
                continue;
            }
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            if link.starts_with('/') {
                problems.push(format!("{p}: root-absolute link {link:?}"));
                continue;
            }
            // Resolve relative to the page's URL under the sub-path.
            let page_url = format!("{base}{p}");
            let Some(resolved) = resolve(&page_url, link) else {
                problems.push(format!("{p}: link {link:?} climbs above the site"));
                continue;
            };
            let Some(rest) = resolved.strip_prefix(base) else {
                problems.push(format!("{p}: link {link:?} leaves the sub-path"));
                continue;
            };
            let (path, anchor) = match rest.split_once('#') {
                Some((a, b)) => (a.to_string(), Some(b.to_string())),
                None => (rest.to_string(), None),
            };
            // A server (and the file system, for file:// URLs) decodes %XX escapes.
            let Ok(path) = percent_encoding::percent_decode_str(&path).decode_utf8() else {
                problems.push(format!("{p}: link {link:?} is not UTF-8 once decoded"));
                continue;
            };
            if link.contains(' ') {
                problems.push(format!("{p}: link {link:?} has a raw space"));
            }
            let path = path.into_owned();
            let file = if path.is_empty() || path.ends_with('/') {
                format!("{path}index.html")
            } else {
                path
            };
            if !dir.join(&file).is_file() {
                problems.push(format!("{p}: link {link:?} -> missing file {file}"));
                continue;
            }
            if let Some(a) = anchor
                && !a.is_empty()
                && !ids.get(&file).is_some_and(|v| v.contains(&a))
            {
                problems.push(format!(
                    "{p}: link {link:?} -> missing anchor #{a} in {file}"
                ));
            }
        }
    }
    problems
}

/// Resolves a relative reference against a URL, as a browser does (paths only).
fn resolve(base: &str, link: &str) -> Option<String> {
    let (link_path, fragment) = match link.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (link, None),
    };
    let scheme_end = base.find("://")? + 3;
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let origin = &base[..host_end];
    let base_path = &base[host_end..];
    let mut segments: Vec<&str> = base_path.split('/').collect();
    segments.pop(); // the file name
    let mut path: String;
    if link_path.is_empty() {
        path = base_path.to_string();
    } else {
        for part in link_path.split('/') {
            match part {
                "." => {}
                ".." => {
                    if segments.len() <= 1 {
                        return None;
                    }
                    segments.pop();
                }
                other => segments.push(other),
            }
        }
        path = segments.join("/");
        let is_folder = link_path.ends_with('/')
            || link_path.ends_with("/.")
            || link_path == "."
            || link_path.ends_with("..");
        if is_folder && !path.ends_with('/') {
            path.push('/');
        }
    }
    let mut out = format!("{origin}{path}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    Some(out)
}

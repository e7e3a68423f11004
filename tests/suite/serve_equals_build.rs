//! Serve equals build through the real watcher: `briefing serve` on a copy of a fixture
//! site, a fixed sequence of saves made the ways editors make them, and after each save
//! (once its own marker is served) every file a fresh `briefing build` of the same tree
//! writes is compared, byte for byte, with what the server answers for it. The property
//! tests in `incremental` drive `Session::apply` directly; this one goes through the
//! watcher, the batching of its events and the refresh of the watched folders, which they
//! bypass (a filter there once dropped every edit of `briefing.toml`).

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::server::Server;
use common::{TestSite, sel};
use scraper::Html;

/// How an editor saves a file.
#[derive(Debug, Clone, Copy)]
enum Save {
    /// Truncated and written where it is.
    InPlace,
    /// Written to a temporary file beside it, renamed over it (JetBrains, `sed -i`): the
    /// temporary name here is `sed`'s, which is no editor dropping the site ignores.
    RenamedOver,
    /// Renamed away to a backup, written anew, the backup removed (vim, `backupcopy=no`).
    BackupAndNew,
    /// Deleted, then created.
    DeletedAndCreated,
}

const SAVES: [Save; 4] = [
    Save::InPlace,
    Save::RenamedOver,
    Save::BackupAndNew,
    Save::DeletedAndCreated,
];

fn save(path: &Path, text: &str, how: Save) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let beside = |name: &str| path.with_file_name(name);
    match how {
        Save::InPlace => std::fs::write(path, text).expect("write"),
        Save::RenamedOver => {
            let tmp = beside("sedq4Xz1");
            std::fs::write(&tmp, text).expect("write temporary");
            std::fs::rename(&tmp, path).expect("rename over");
        }
        Save::BackupAndNew => {
            let name = path.file_name().expect("name").to_string_lossy();
            let backup = beside(&format!("{name}~"));
            std::fs::rename(path, &backup).expect("rename to backup");
            std::fs::write(path, text).expect("write anew");
            std::fs::remove_file(&backup).expect("remove backup");
        }
        Save::DeletedAndCreated => {
            std::fs::remove_file(path).expect("delete");
            std::fs::write(path, text).expect("create");
        }
    }
}

/// A preview under test, with the fresh builds it is compared with.
struct Preview {
    site: TestSite,
    server: Server,
    /// Where the fresh builds go: beside the site, outside everything it watches.
    fresh: PathBuf,
    /// Every file any fresh build wrote: those the current one does not write must 404.
    ever_built: BTreeSet<String>,
    step: usize,
    /// The flags serve was started with, which every fresh build gets too.
    extra: Vec<String>,
}

impl Preview {
    fn start(site: TestSite, extra: &[&str]) -> Preview {
        let server = Server::start(&site.root, extra);
        let fresh = site.scratch().join("fresh");
        let mut preview = Preview {
            site,
            server,
            fresh,
            ever_built: BTreeSet::new(),
            step: 0,
            extra: extra.iter().map(|s| s.to_string()).collect(),
        };
        preview
            .fresh_build(extra)
            .unwrap_or_else(|e| panic!("the fixture does not build:\n{e}"));
        preview.assert_same("the first build");
        preview
    }

    /// A marker no earlier save wrote.
    fn marker(&mut self) -> String {
        self.step += 1;
        format!("marker{}x", self.step)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.site.root.join(rel)
    }

    /// A fresh `briefing build` of the tree as it is now, at the preview's address (its
    /// absolute URLs are the preview's); build's report if it fails, which leaves the
    /// previous fresh output as it was.
    fn fresh_build(&mut self, extra: &[impl AsRef<std::ffi::OsStr>]) -> Result<(), String> {
        let url = format!("http://{}/", self.server.addr);
        let out = Command::new(env!("CARGO_BIN_EXE_briefing"))
            .args(["build", "--quiet", "--force", "--root"])
            .arg(&self.site.root)
            .arg("--output")
            .arg(&self.fresh)
            .args(["--base-url", &url])
            .args(extra)
            .env("NO_COLOR", "1")
            .output()
            .expect("run briefing build");
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        self.ever_built.extend(self.built_files());
        Ok(())
    }

    /// The files of the last good fresh build that the server serves (it never serves a
    /// dotfile, such as the output's marker file).
    fn built_files(&self) -> BTreeSet<String> {
        common::snapshot(&self.fresh)
            .into_keys()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .filter(|rel| !rel.split('/').any(|s| s.starts_with('.')))
            .collect()
    }

    /// What differs between the server's answers and the last good fresh build.
    fn differences(&self) -> Vec<String> {
        let built = self.built_files();
        let mut problems = Vec::new();
        for rel in &built {
            let want = std::fs::read(self.fresh.join(rel)).expect("read fresh");
            let want = if rel.ends_with(".html") {
                without_pdf_page_count(&want)
            } else {
                want
            };
            let (status, body) = self.server.get_bytes(&url_path(rel));
            let body = if rel.ends_with(".html") {
                without_preview_additions(&body)
            } else {
                body
            };
            if status != 200 {
                problems.push(format!("{rel}: served with status {status}"));
            } else if body != want {
                problems.push(format!(
                    "{rel}: differs\n{}",
                    first_difference(&want, &body)
                ));
            }
        }
        for rel in self.ever_built.difference(&built) {
            let (status, _) = self.server.get_bytes(&url_path(rel));
            if status != 404 {
                problems.push(format!("{rel}: no longer built, served with {status}"));
            }
        }
        problems
    }

    /// Waits (bounded) for the served files to equal the fresh build's: the book and the
    /// search index of a body edit follow its page by a moment.
    fn assert_same(&self, after: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let problems = self.differences();
            if problems.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "after {after}, the preview is not a fresh build:\n{}",
                problems.join("\n")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// After a save that builds: waits for `marker` at `page` (and no error overlay),
    /// builds afresh and compares.
    fn saved(&mut self, what: &str, page: &str, marker: &str) {
        self.server
            .wait_for(page, &format!("{marker} of {what}"), |r| {
                r.body.contains(marker) && !r.body.contains("briefing-errors")
            });
        self.fresh_build(&self.extra.clone())
            .unwrap_or_else(|e| panic!("after {what}, build failed:\n{e}"));
        self.assert_same(what);
    }

    /// After a save that breaks the site: build fails; the preview shows build's errors
    /// over the last good preview, unchanged.
    fn broken(&mut self, what: &str) {
        let report = match self.fresh_build(&self.extra.clone()) {
            Ok(()) => panic!("after {what}, build succeeded"),
            Err(report) => report,
        };
        let page = self
            .server
            .wait_for("/", &format!("the errors of {what}"), |r| {
                r.body.contains("briefing-errors")
            });
        let doc = Html::parse_document(&page.body);
        let shown: Vec<String> = doc
            .select(&sel("#briefing-errors pre"))
            .map(|e| e.text().collect())
            .collect();
        assert!(!shown.is_empty(), "no error shown after {what}");
        for error in &shown {
            assert!(
                report.contains(error.trim_end()),
                "after {what}, the preview shows an error build does not report:\n{error}\nbuild:\n{report}"
            );
        }
        self.assert_same(what);
    }

    fn read(&self, rel: &str) -> String {
        self.site.read(rel)
    }
}

/// A file's address on the server.
fn url_path(rel: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const PATH: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'?').add(b'%');
    format!("/{}", utf8_percent_encode(rel, PATH))
}

/// A served page without what only the preview adds: the live-reload script and, while
/// the site is broken, the error overlay.
fn without_preview_additions(body: &[u8]) -> Vec<u8> {
    let mut text = String::from_utf8_lossy(body).into_owned();
    let script = format!(
        "<script src=\"{}\"></script>\n",
        briefing::serve::LIVE_RELOAD_PATH
    );
    if let Some(i) = text.rfind(&script) {
        text.replace_range(i..i + script.len(), "");
    }
    if let Some(start) = text.find("<div id=\"briefing-errors\"")
        && let Some(len) = text[start..].find("</div>\n")
    {
        text.replace_range(start..start + len + "</div>\n".len(), "");
    }
    text.into_bytes()
}

/// A built page with its link to the PDF saying no page count, as the preview's do: the
/// preview typesets the PDF only when it is asked for (its request, like every other file's,
/// must give the build's bytes), so its pages cannot say how long it is.
fn without_pdf_page_count(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(at) = rest.find("(PDF, ") {
        let after = &rest[at + "(PDF, ".len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(&rest[..at]);
        if digits > 0 && after[digits..].starts_with(" pages)") {
            out.push_str("(PDF)");
            rest = &after[digits + " pages)".len()..];
        } else {
            out.push_str("(PDF, ");
            rest = after;
        }
    }
    out.push_str(rest);
    out.into_bytes()
}

/// Where two files first differ, with a little of each around it.
fn first_difference(want: &[u8], got: &[u8]) -> String {
    let at = want
        .iter()
        .zip(got)
        .position(|(a, b)| a != b)
        .unwrap_or(want.len().min(got.len()));
    let around = |b: &[u8]| {
        String::from_utf8_lossy(&b[at.saturating_sub(80)..(at + 80).min(b.len())]).into_owned()
    };
    format!(
        "  at byte {at} (build {} bytes, served {}):\n  build:  {:?}\n  served: {:?}",
        want.len(),
        got.len(),
        around(want),
        around(got)
    )
}

/// The built-in note template as the repository has it, with `marker` in a comment at
/// the end of its main block.
fn template_with(name: &str, marker: &str) -> String {
    let text = std::fs::read_to_string(common::repo().join("templates").join(name))
        .expect("built-in template");
    let end = "{% endblock main %}";
    assert!(text.contains(end), "{name} has no main block");
    text.replace(end, &format!("<!-- {marker} -->\n{end}"))
}

/// Appends `line` to the body of a page's text.
fn with_line(text: &str, line: &str) -> String {
    format!("{text}\n{line}\n")
}

/// Every kind of file, saved each way editors save: a note, a section's `_index.md`, a
/// template, a static file and `briefing.toml`; then the config gains a theme, is broken
/// and is fixed.
#[test]
fn every_kind_of_file_saved_every_way_serves_what_build_writes() {
    let mut p = Preview::start(TestSite::fixture("basic_site"), &[]);
    let note = p.read("content/notes/detentions.md");
    let section = p.read("content/disputes/_index.md");
    let config = p.read("briefing.toml");
    for how in SAVES {
        let m = p.marker();
        save(
            &p.path("content/notes/detentions.md"),
            &with_line(&note, &format!("Note {m}.")),
            how,
        );
        p.saved(&format!("a note saved {how:?}"), "/notes/detentions/", &m);

        let m = p.marker();
        save(
            &p.path("content/disputes/_index.md"),
            &with_line(&section, &format!("Section {m}.")),
            how,
        );
        p.saved(&format!("a section saved {how:?}"), "/disputes/", &m);

        // The first save creates templates/ and static/, which the site did not have.
        let first = matches!(how, Save::InPlace);
        let m = p.marker();
        let how_here = if first { Save::InPlace } else { how };
        save(
            &p.path("templates/note.html"),
            &template_with("note.html", &m),
            how_here,
        );
        p.saved(
            &format!("a template saved {how:?}"),
            "/notes/detentions/",
            &m,
        );

        let m = p.marker();
        save(&p.path("static/notice.txt"), &format!("{m}\n"), how_here);
        p.saved(&format!("a static file saved {how:?}"), "/notice.txt", &m);

        let m = p.marker();
        save(
            &p.path("briefing.toml"),
            &config.replace(
                "title = \"Test briefing\"",
                &format!("title = \"Test briefing {m}\""),
            ),
            how,
        );
        p.saved(&format!("briefing.toml saved {how:?}"), "/", &m);
    }

    let m = p.marker();
    save(
        &p.path("briefing.toml"),
        &format!(
            "{config}\n[[themes]]\nslug = \"{m}\"\nname = \"Theme {m}\"\ncolor = \"#276749\"\n"
        ),
        Save::RenamedOver,
    );
    p.saved("a theme added to briefing.toml", "/themes/", &m);
    let with_theme = p.read("briefing.toml");

    save(
        &p.path("briefing.toml"),
        &with_theme.replace("title = \"Test briefing\"", "title = \"Test briefing"),
        Save::InPlace,
    );
    p.broken("briefing.toml broken");

    let m = p.marker();
    save(
        &p.path("briefing.toml"),
        &with_theme.replace(
            "title = \"Test briefing\"",
            &format!("title = \"Test briefing {m}\""),
        ),
        Save::BackupAndNew,
    );
    p.saved("briefing.toml fixed", "/", &m);

    // A note that breaks and is fixed the same ways.
    save(
        &p.path("content/notes/detentions.md"),
        &note.replace("themes: [security]", "themes: [nope]"),
        Save::RenamedOver,
    );
    p.broken("a note broken");
    let m = p.marker();
    save(
        &p.path("content/notes/detentions.md"),
        &with_line(&note, &format!("Fixed {m}.")),
        Save::DeletedAndCreated,
    );
    p.saved("a note fixed", "/notes/detentions/", &m);
}

/// The watcher's other paths: watched folders that go away, come back, or are swapped for
/// others in one step (the folder refresh), and a queue of events that overflowed (the
/// rescan), each compared with a fresh build.
#[test]
fn folders_coming_and_going_and_lost_events_serve_what_build_writes() {
    let mut p = Preview::start(TestSite::fixture("basic_site"), &[]);
    let scratch = p.site.scratch();
    let note = p.read("content/notes/detentions.md");

    // templates/ and static/ moved in whole from elsewhere.
    let m = p.marker();
    let templates = scratch.join("templates-in");
    save(
        &templates.join("note.html"),
        &template_with("note.html", &m),
        Save::InPlace,
    );
    std::fs::rename(&templates, p.path("templates")).expect("move templates in");
    p.saved("templates/ moved in", "/notes/detentions/", &m);

    let m = p.marker();
    let statics = scratch.join("static-in");
    save(&statics.join("notice.txt"), &m, Save::InPlace);
    std::fs::rename(&statics, p.path("static")).expect("move static in");
    p.saved("static/ moved in", "/notice.txt", &m);

    // Both swapped for others: moved away, others moved in, within one debounce.
    let m = p.marker();
    save(
        &templates.join("note.html"),
        &template_with("note.html", &m),
        Save::InPlace,
    );
    save(&statics.join("notice.txt"), &m, Save::InPlace);
    std::fs::rename(p.path("templates"), scratch.join("templates-old")).expect("away");
    std::fs::rename(&templates, p.path("templates")).expect("in");
    std::fs::rename(p.path("static"), scratch.join("static-old")).expect("away");
    std::fs::rename(&statics, p.path("static")).expect("in");
    p.saved("templates/ and static/ swapped", "/notice.txt", &m);
    p.server
        .wait_for("/notes/detentions/", "the swapped template", |r| {
            r.body.contains(&m)
        });

    // The whole content/ swapped for an edited copy.
    let m = p.marker();
    let content = scratch.join("content-in");
    common::copy_tree(&p.path("content"), &content);
    save(
        &content.join("notes/detentions.md"),
        &with_line(&note, &format!("Swapped {m}.")),
        Save::InPlace,
    );
    std::fs::remove_file(content.join("disputes/ev.md")).expect("drop a page");
    std::fs::rename(p.path("content"), scratch.join("content-old")).expect("away");
    std::fs::rename(&content, p.path("content")).expect("in");
    p.saved("content/ swapped", "/notes/detentions/", &m);

    // templates/ and static/ removed: the built-in theme and static files again.
    std::fs::remove_dir_all(p.path("templates")).expect("remove templates");
    std::fs::remove_dir_all(p.path("static")).expect("remove static");
    p.server
        .wait_for("/notice.txt", "static/ gone", |r| r.status == 404);
    p.fresh_build(&p.extra.clone())
        .expect("build without templates/");
    p.assert_same("templates/ and static/ removed");

    // Lost events: the server is held still while more events than the kernel queues
    // arrive, so the queue overflows; the edit made last reaches the server only through
    // the rescan.
    #[cfg(target_os = "linux")]
    {
        let limit: usize = std::fs::read_to_string("/proc/sys/fs/inotify/max_queued_events")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(16384);
        let pid = libc::pid_t::try_from(p.server.pid()).expect("pid");
        // SAFETY: signals to our own child process.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGSTOP) }, 0);
        for i in 0..limit {
            // Ignored names (an editor's dropping): events, but nothing of the site.
            let name = if i % 2 == 0 { "#a#" } else { "#b#" };
            std::fs::write(p.path("content/notes").join(name), i.to_string()).expect("touch");
        }
        let m = p.marker();
        save(
            &p.path("content/notes/detentions.md"),
            &with_line(&note, &format!("Lost {m}.")),
            Save::InPlace,
        );
        // SAFETY: as above.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGCONT) }, 0);
        p.server
            .wait_for_line("a rescan", |l| l.contains("the watcher lost events"));
        p.saved("an edit whose event was lost", "/notes/detentions/", &m);
    }
}

/// The same saves previewing a release-like build option: drafts included.
#[test]
fn serve_with_drafts_equals_build_with_drafts() {
    let site = TestSite::fixture("basic_site");
    site.write(
        "content/notes/draft.md",
        "+++\ntitle = \"A draft\"\nsummary = \"Not yet.\"\ndraft = true\n+++\nDraft body.\n",
    );
    let mut p = Preview::start(site, &["--drafts"]);
    let m = p.marker();
    save(
        &p.path("content/notes/draft.md"),
        &format!(
            "+++\ntitle = \"A draft\"\nsummary = \"Not yet.\"\ndraft = true\n+++\nDraft {m}.\n"
        ),
        Save::RenamedOver,
    );
    p.server
        .wait_for("/notes/draft/", "the draft's edit", |r| r.body.contains(&m));
    p.fresh_build(&["--drafts"]).expect("build with drafts");
    p.assert_same("a draft edited");
}

/// "Too many open files" while the preview reads an edit is the server's trouble, said as
/// such and retried, never shown as a mistake in the content.
#[cfg(target_os = "linux")]
#[test]
fn running_out_of_file_descriptors_is_the_servers_trouble_not_a_content_error() {
    let mut p = Preview::start(TestSite::fixture("basic_site"), &[]);
    let pid = libc::pid_t::try_from(p.server.pid()).expect("pid");
    // A soft limit of 3 (standard input, output and error): every open fails, whichever
    // descriptors above it come and go meanwhile, and those open stay usable.
    let lowest_free = 3;
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    let low = |cur: u64, max: u64| libc::rlimit {
        rlim_cur: cur,
        rlim_max: max,
    };
    // SAFETY: reads the limit of our own child into `old`.
    assert_eq!(
        unsafe { libc::prlimit(pid, libc::RLIMIT_NOFILE, std::ptr::null(), &mut old) },
        0
    );
    let tight = low(lowest_free, old.rlim_max);
    // SAFETY: lowers the soft limit of our own child.
    assert_eq!(
        unsafe { libc::prlimit(pid, libc::RLIMIT_NOFILE, &tight, std::ptr::null_mut()) },
        0
    );
    let m = p.marker();
    let note = p.read("content/notes/detentions.md");
    save(
        &p.path("content/notes/detentions.md"),
        &with_line(&note, &format!("Descriptors {m}.")),
        Save::InPlace,
    );
    let said = p.server.wait_for_line("the server's trouble", |l| {
        l.contains("could not update the preview")
    });
    assert!(said.contains("Too many open files"), "{said}");
    assert!(said.contains("retrying"), "{said}");
    // SAFETY: puts our own child's limit back.
    assert_eq!(
        unsafe { libc::prlimit(pid, libc::RLIMIT_NOFILE, &old, std::ptr::null_mut()) },
        0
    );
    // Retried by itself once descriptors are there again, with no error shown meanwhile.
    p.saved("the retry", "/notes/detentions/", &m);
    let doc = Html::parse_document(&p.server.get("/").body);
    assert!(doc.select(&sel("#briefing-errors")).next().is_none());
}

/// `serve --max-marking` previews the release build: after saves that mark a page above
/// the level, mark a section and an entry, and lift a page back below it, the preview is
/// what `build --max-marking` writes.
#[test]
fn serve_with_max_marking_equals_the_release_build() {
    let site = TestSite::fixture("basic_site");
    let config = site.read("briefing.toml");
    site.write("briefing.toml", &format!("{config}\n[markings]\n"));
    let release = ["--max-marking", "PROTECTED A"];
    let mut p = Preview::start(site, &release);
    let note = p.read("content/notes/detentions.md");
    let marked = |level: &str, rest: &str| {
        note.replacen(
            "title: Detentions",
            &format!("title: Detentions\nmarking: {level}"),
            1,
        ) + rest
    };
    // Marked above the level while a kept page links to it: build's error, shown over
    // the last good preview; once the link goes too, the page is left out (and 404s).
    save(
        &p.path("content/notes/detentions.md"),
        &marked("SECRET", "\nSecret words.\n"),
        Save::RenamedOver,
    );
    p.broken("a linked page marked SECRET");
    let canola = p.read("content/disputes/canola.md");
    save(
        &p.path("content/disputes/canola.md"),
        &canola.replace(" See [the note](../notes/detentions.md).", ""),
        Save::InPlace,
    );
    p.server
        .wait_for("/notes/detentions/", "the page left out", |r| {
            r.status == 404
        });
    p.fresh_build(&release).expect("release build");
    p.assert_same("a page marked SECRET");
    // Back at the level, with a section above it: the page, without the section.
    let m = p.marker();
    save(
        &p.path("content/notes/detentions.md"),
        &marked(
            "PROTECTED A",
            &format!("\n{m}.\n\n## Hidden {{marking=\"SECRET\"}}\n\nSecret section.\n"),
        ),
        Save::InPlace,
    );
    p.server
        .wait_for("/notes/detentions/", &m, |r| r.body.contains(&m));
    p.fresh_build(&release).expect("release build");
    p.assert_same("a PROTECTED A page with a SECRET section");
    assert!(
        !p.server
            .get("/notes/detentions/")
            .body
            .contains("Secret section")
    );
    // A measure above the level leaves the tracker.
    let dispute = p.read("content/disputes/ev.md");
    let m = p.marker();
    save(
        &p.path("content/disputes/ev.md"),
        &format!(
            "{}\n{m}\n",
            dispute.replacen(
                "product = \"Electric vehicles\"",
                "product = \"Electric vehicles\"\nmarking = \"SECRET\"",
                1,
            )
        ),
        Save::BackupAndNew,
    );
    p.server
        .wait_for("/disputes/ev/", &m, |r| r.body.contains(&m));
    p.fresh_build(&release).expect("release build");
    p.assert_same("a SECRET measure");
}

/// The bundled book in both languages: an edit of an original, of its translation, of
/// both; a translation that comes to disagree with its original on a fact (build's error,
/// shown over the last good preview) and agrees again; a translation removed and put back;
/// a new page and its translation added. After each, the preview serves what a fresh build
/// writes, in both languages.
#[test]
fn serve_in_two_languages_equals_build() {
    let mut p = Preview::start(TestSite::bundled(), &[]);
    let original = p.read("content/disputes/canola.md");
    let french = p.read("content/disputes/canola.fr.md");
    let m = p.marker();
    save(
        &p.path("content/disputes/canola.md"),
        &format!("{original}\n{m}\n"),
        Save::RenamedOver,
    );
    p.saved("an original edited", "/disputes/canola/", &m);
    let m = p.marker();
    save(
        &p.path("content/disputes/canola.fr.md"),
        &format!("{french}\n{m}\n"),
        Save::InPlace,
    );
    p.saved("its translation edited", "/fr/differends/canola/", &m);
    let m = p.marker();
    save(
        &p.path("content/disputes/canola.md"),
        &format!("{original}\n{m} en\n"),
        Save::BackupAndNew,
    );
    save(
        &p.path("content/disputes/canola.fr.md"),
        &format!("{french}\n{m} fr\n"),
        Save::BackupAndNew,
    );
    p.saved("both edited", "/fr/differends/canola/", &format!("{m} fr"));
    // A fact the translation gives differently, then agreeing again.
    save(
        &p.path("content/disputes/canola.fr.md"),
        &french.replacen("[dispute]\n", "[dispute]\nstatus = \"resolved\"\n", 1),
        Save::InPlace,
    );
    p.broken("a translation whose status disagrees");
    let m = p.marker();
    save(
        &p.path("content/disputes/canola.fr.md"),
        &format!("{french}\n{m}\n"),
        Save::InPlace,
    );
    p.saved("the disagreement fixed", "/fr/differends/canola/", &m);
    // A translation removed: its page has none, an error; put back.
    let peas = p.read("content/disputes/peas.fr.md");
    std::fs::remove_file(p.path("content/disputes/peas.fr.md")).expect("remove");
    p.broken("a translation removed");
    let m = p.marker();
    save(
        &p.path("content/disputes/peas.fr.md"),
        &format!("{peas}\n{m}\n"),
        Save::InPlace,
    );
    p.saved("the translation put back", "/fr/differends/pois/", &m);
    // A new page, then its translation.
    let m = p.marker();
    save(
        &p.path("content/notes/new.md"),
        &format!("+++\ntitle = \"New\"\nsummary = \"A new note.\"\n+++\n{m}\n"),
        Save::InPlace,
    );
    p.broken("a new page without its translation");
    save(
        &p.path("content/notes/new.fr.md"),
        &format!("+++\ntitle = \"Nouvelle\"\nsummary = \"Une nouvelle note.\"\n+++\n{m} fr\n"),
        Save::InPlace,
    );
    p.saved(
        "its translation added",
        "/fr/notes/new/",
        &format!("{m} fr"),
    );
}

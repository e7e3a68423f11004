//! Nothing is lost: dangerous output folders are refused, a killed build leaves the
//! previous output intact, `check` writes nothing, and `init`/`new` never overwrite.

mod common;

use std::time::{Duration, Instant};

use common::{TestSite, snapshot};

fn refused(
    site: &TestSite,
    output: &std::path::Path,
    env_home: Option<&std::path::Path>,
) -> String {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_briefing"));
    cmd.args(["build", "--output"])
        .arg(output)
        .current_dir(&site.root)
        .env("NO_COLOR", "1");
    if let Some(home) = env_home {
        cmd.env("HOME", home);
    }
    let out = cmd.output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{}: {stderr}", output.display());
    assert!(stderr.contains("refusing to use"), "{stderr}");
    stderr
}

#[test]
fn refuses_the_site_folder_and_its_parents() {
    let site = TestSite::fixture("basic_site");
    let before = snapshot(&site.scratch());
    refused(&site, &site.root, None);
    refused(&site, std::path::Path::new("."), None);
    refused(&site, &site.scratch(), None);
    refused(&site, std::path::Path::new(".."), None);
    refused(&site, &site.root.join("content"), None);
    assert_eq!(
        before,
        snapshot(&site.scratch()),
        "a file was written or removed"
    );
}

#[test]
fn refuses_the_file_system_root_and_the_home_folder() {
    let site = TestSite::fixture("basic_site");
    refused(&site, std::path::Path::new("/"), None);
    let home = site.scratch().join("home");
    std::fs::create_dir_all(home.join("Documents")).expect("home");
    std::fs::write(home.join("Documents/thesis.txt"), "years of work").expect("write");
    let before = snapshot(&home);
    refused(&site, &home, Some(&home));
    assert_eq!(before, snapshot(&home));
}

#[test]
fn refuses_a_foreign_non_empty_folder_unless_forced() {
    let site = TestSite::fixture("basic_site");
    let foreign = site.scratch().join("photos");
    std::fs::create_dir_all(&foreign).expect("mkdir");
    std::fs::write(foreign.join("holiday.jpg"), "jpeg").expect("write");
    let before = snapshot(&foreign);
    let stderr = refused(&site, &foreign, None);
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(before, snapshot(&foreign));
    // An empty folder, or briefing's own output, is fine; --force overrides.
    let empty = site.scratch().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    site.run(&["build", "--output", empty.to_str().expect("utf-8")])
        .ok();
    site.run(&["build", "--output", empty.to_str().expect("utf-8")])
        .ok();
    site.run(&[
        "build",
        "--force",
        "--output",
        foreign.to_str().expect("utf-8"),
    ])
    .ok();
    assert!(foreign.join("index.html").is_file());
}

#[test]
fn a_killed_build_leaves_the_previous_output_intact() {
    let site = TestSite::empty();
    site.write("briefing.toml", "title = \"Large\"\n");
    site.write("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHello.\n");
    let body: String = (0..40)
        .map(|i| format!("## Heading {i}\n\nSome text about tariffs and trade, paragraph {i}.\n\n"))
        .collect();
    for i in 0..4000 {
        site.write(
            &format!("content/s{}/p{i}.md", i / 100),
            &format!("+++\ntitle = \"Page {i}\"\n+++\n{body}"),
        );
    }
    site.build().ok();
    let before = snapshot(&site.public());
    assert!(before.len() > 4000);
    // Add a page, start a build, and kill it while it writes.
    site.write("content/new.md", "+++\ntitle = \"New\"\n+++\nNew.\n");
    let staging = site.root.join(".public.briefing-staging");
    let mut killed_mid_way = false;
    for _attempt in 0..5 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_briefing"))
            .arg("build")
            .current_dir(&site.root)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("build");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if staging.is_dir() && std::fs::read_dir(&staging).map(|d| d.count()).unwrap_or(0) > 0 {
                let _ = child.kill(); // SIGKILL
                let _ = child.wait();
                killed_mid_way = true;
                break;
            }
            if child.try_wait().expect("wait").is_some() || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = child.kill();
        let _ = child.wait();
        if killed_mid_way {
            break;
        }
        // The build finished before we caught it: restore the old output and retry.
        site.build().ok();
    }
    assert!(killed_mid_way, "could not catch the build mid-way");
    assert_eq!(
        before,
        snapshot(&site.public()),
        "the previous output changed"
    );
    assert!(!site.public().join("new/index.html").exists());
    // The next build succeeds and clears the stray staging folder.
    site.build().ok();
    assert!(site.public().join("new/index.html").is_file());
    assert!(!staging.exists());
}

#[test]
fn check_writes_nothing_and_warns_about_stale_pages() {
    let site = TestSite::fixture("basic_site");
    let config = site.read("briefing.toml");
    site.write(
        "briefing.toml",
        &config.replacen("[[themes]]", "stale_after_days = 30\n\n[[themes]]", 1),
    );
    site.write(
        "content/notes/old.md",
        "+++\ntitle = \"Old\"\nas_of = 2025-01-01\n+++\nOld news.\n",
    );
    let before = snapshot(&site.scratch());
    let run = site.run(&["check"]).ok();
    assert!(
        run.stderr.contains("warning: this page is stale"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> content/notes/old.md:3"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("no errors"), "{}", run.stdout);
    assert_eq!(
        run.stderr.matches("this page is stale").count(),
        1,
        "{}",
        run.stderr
    );
    assert_eq!(before, snapshot(&site.scratch()), "check wrote something");
    // The page itself carries the notice.
    site.build().ok();
    let page = site.html("notes/old/index.html");
    assert!(page.select(&common::sel(".stale-notice")).next().is_some());
}

#[test]
fn init_makes_a_site_that_builds_and_new_adds_pages_without_overwriting() {
    let site = TestSite::empty();
    let dir = site.scratch().join("fresh");
    let dir_s = dir.to_str().expect("utf-8");
    site.run(&["init", dir_s]).ok();
    site.run(&["build", "--root", dir_s]).ok();
    assert!(dir.join("public/index.html").is_file());
    site.run(&["new", "dispute", "peas", "--root", dir_s]).ok();
    site.run(&["new", "note", "context", "--root", dir_s]).ok();
    let dispute = std::fs::read_to_string(dir.join("content/disputes/peas.md")).expect("dispute");
    for field in [
        "title",
        "summary",
        "themes",
        "as_of",
        "imposed_by",
        "affected",
        "status",
        "stake",
        "ask",
        "[[dispute.measures]]",
        "effective",
        "[[sources]]",
        "[[timeline]]",
    ] {
        assert!(dispute.contains(field), "new dispute lacks {field}");
    }
    site.run(&["build", "--root", dir_s]).ok();
    assert!(dir.join("public/disputes/peas/index.html").is_file());
    assert!(dir.join("public/notes/context/index.html").is_file());
    // Never overwrite.
    std::fs::write(
        dir.join("content/notes/context.md"),
        "+++\ntitle = \"Mine\"\n+++\n",
    )
    .expect("write");
    let run = site
        .run(&["new", "note", "context", "--root", dir_s])
        .fails();
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.join("content/notes/context.md")).expect("read"),
        "+++\ntitle = \"Mine\"\n+++\n"
    );
    let run = site.run(&["init", dir_s]).fails();
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    let run = site
        .run(&["new", "note", "../escape", "--root", dir_s])
        .fails();
    assert!(run.stderr.contains("not a valid slug"), "{}", run.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let site = TestSite::fixture("basic_site");
    assert_eq!(site.run(&["build", "--no-such-flag"]).code, Some(2));
    assert_eq!(site.run(&["frobnicate"]).code, Some(2));
    assert_eq!(site.run(&["build", "--help"]).code, Some(0));
}

#[test]
fn a_ten_megabyte_note_builds() {
    let site = TestSite::fixture("basic_site");
    let paragraph = "Canola seed, oil and meal; pork and seafood; peas. A sentence of policy prose about tariffs and trade.\n\n";
    let mut body = String::with_capacity(10 * 1024 * 1024 + 1024);
    let mut n = 0;
    while body.len() < 10 * 1024 * 1024 {
        if n % 200 == 0 {
            body.push_str(&format!("## Part {n}\n\n"));
        }
        body.push_str(paragraph);
        n += 1;
    }
    site.write(
        "content/notes/huge.md",
        &format!("+++\ntitle = \"Huge\"\n+++\n{body}"),
    );
    site.build().ok();
    let html = std::fs::metadata(site.public().join("notes/huge/index.html"))
        .expect("written")
        .len();
    assert!(html > 10 * 1024 * 1024, "{html} bytes");
}

/// Runs the binary with stdout, stderr or both connected to a pipe whose reading end is
/// closed (as after `briefing build 2>&1 | head -1` once `head` has gone); the other
/// stream, if any, is captured. Returns the exit code and what was captured. The reading
/// end is dropped right after the spawn, long before the binary has loaded the site.
fn run_into_closed_pipe(site: &TestSite, args: &[&str], close: &str) -> (Option<i32>, String) {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_briefing"))
        .args(args)
        .current_dir(&site.root)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run briefing");
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    match close {
        "stdout" => drop(stdout.take()),
        "stderr" => drop(stderr.take()),
        _ => {
            drop(stdout.take());
            drop(stderr.take());
        }
    }
    let mut captured = String::new();
    for stream in [
        stdout.as_mut().map(|s| s as &mut dyn Read),
        stderr.as_mut().map(|s| s as &mut dyn Read),
    ]
    .into_iter()
    .flatten()
    {
        stream.read_to_string(&mut captured).expect("read output");
    }
    let status = child.wait().expect("wait");
    (status.code(), captured)
}

#[test]
fn a_closed_output_pipe_ends_the_run_quietly_never_with_a_panic() {
    let bad = TestSite::fixture("basic_site");
    for i in 0..200 {
        bad.write(
            &format!("content/bad/b{i}.md"),
            "+++\ntitle = \"B\"\nkind = \"memo\"\n+++\n",
        );
    }
    let good = TestSite::fixture("basic_site");
    for (site, outcome) in [(&bad, 1), (&good, 0)] {
        for args in [&["build"][..], &["check"][..]] {
            for close in ["stdout", "stderr", "both"] {
                let (code, captured) = run_into_closed_pipe(site, args, close);
                let what = format!("{args:?}, {close} closed, expected {outcome}: {captured}");
                assert!(!captured.contains("panicked"), "{what}");
                assert_ne!(code, Some(101), "{what}");
                // The run's own outcome, or 141 where its output could not be written.
                assert!(
                    code == Some(outcome) || code == Some(141),
                    "{code:?}: {what}"
                );
            }
        }
    }
    // `serve` too: its first line cannot be written, so it stops at once, quietly.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
        .to_string();
    let (code, captured) = run_into_closed_pipe(&good, &["serve", "--port", &port], "stdout");
    assert!(!captured.contains("panicked"), "{captured}");
    assert_eq!(code, Some(141), "{captured}");
}

//! Bad input, one fixture folder per case under `tests/fixtures/errors/`: each must fail
//! with exit code 1, name the file and line, and leave the previous output untouched; and
//! `check` must report exactly what `build` reports.

use crate::common;

use common::{TestSite, fixture_dir, snapshot};

#[derive(serde::Deserialize)]
struct Expect {
    file: String,
    line: Option<usize>,
    contains: String,
    /// How many errors the run must report, where one mistake could be reported twice.
    errors: Option<usize>,
    /// Text that must not appear: a "did you mean" for a word far from every valid one.
    lacks: Option<String>,
    /// Flags for both commands (`--max-marking "PROTECTED A"`).
    #[serde(default)]
    args: Vec<String>,
    /// More errors the run must report, each at its own line, for a file with several
    /// mistakes (all reported at once).
    #[serde(default)]
    also: Vec<Also>,
}

#[derive(serde::Deserialize)]
struct Also {
    /// The file, when not `file`.
    file: Option<String>,
    line: usize,
    contains: String,
}

/// Whether `stderr` reports an error containing `contains` at `file:line`.
fn reported_at(stderr: &str, file: &str, line: usize, contains: &str) -> bool {
    let location = format!("--> {file}:{line}:");
    let location_no_column = format!("--> {file}:{line}\n");
    stderr.split("\nerror: ").any(|report| {
        report.contains(contains)
            && (report.contains(&location) || report.contains(&location_no_column))
    })
}

/// The summary line of a failed run.
fn errors_found(n: usize) -> String {
    format!("{n} error{} found", if n == 1 { "" } else { "s" })
}

fn cases() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixture_dir("errors"))
        .expect("errors fixtures")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_bad_input_fails_cleanly_naming_the_file_and_line() {
    let cases = cases();
    assert!(
        cases.len() >= 10,
        "expected the error corpus, found {cases:?}"
    );
    let mut failures = Vec::new();
    for case in &cases {
        let site = TestSite::fixture(&format!("errors/{case}"));
        let expect: Expect = toml::from_str(&site.read("expect.toml")).expect("expect.toml");
        std::fs::remove_file(site.root.join("expect.toml")).expect("remove expect.toml");
        // A previous, good output that must survive the failed build.
        site.write("public/.briefing-output", "");
        site.write("public/index.html", "<p>previous build</p>");
        let before = snapshot(&site.public());
        let siblings_before = snapshot(&site.scratch()).len();

        let mut stderr = Vec::new();
        for command in ["build", "check"] {
            let mut args = vec![command];
            args.extend(expect.args.iter().map(String::as_str));
            let run = site.run(&args);
            stderr.push(run.stderr.clone());
            let location = match expect.line {
                Some(line) => format!("--> {}:{line}", expect.file),
                None => format!("--> {}", expect.file),
            };
            let problems: Vec<&str> = [
                (run.code != Some(1)).then_some("exit code is not 1"),
                run.stderr.contains("panicked").then_some("panicked"),
                (!run.stderr.contains(&location)).then_some("location missing"),
                (!run.stderr.contains(&expect.contains)).then_some("message missing"),
                expect
                    .errors
                    .filter(|&n| !run.stderr.contains(&errors_found(n)))
                    .map(|_| "wrong number of errors"),
                expect
                    .also
                    .iter()
                    .any(|a| {
                        let file = a.file.as_deref().unwrap_or(&expect.file);
                        !reported_at(&run.stderr, file, a.line, &a.contains)
                    })
                    .then_some("an `also` error missing"),
                expect
                    .lacks
                    .as_ref()
                    .filter(|lacks| run.stderr.contains(lacks.as_str()))
                    .map(|_| "unwanted text"),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !problems.is_empty() {
                failures.push(format!(
                    "{case} ({}): {} — expected {location:?} and {:?}\n{}",
                    command,
                    problems.join(", "),
                    expect.contains,
                    run.stderr
                ));
            }
        }
        // `check` finds what `build` finds, and says it in the same words.
        if stderr[0] != stderr[1] {
            failures.push(format!(
                "{case}: check and build report differently\nbuild:\n{}\ncheck:\n{}",
                stderr[0], stderr[1]
            ));
        }
        if snapshot(&site.public()) != before {
            failures.push(format!("{case}: the previous output was changed"));
        }
        if snapshot(&site.scratch()).len() != siblings_before {
            failures.push(format!("{case}: files were left beside the site"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn all_problems_of_a_run_are_reported_together() {
    let site = TestSite::fixture("errors/unknown_theme");
    std::fs::remove_file(site.root.join("expect.toml")).expect("remove");
    site.write(
        "content/second.md",
        "+++\ntitle = \"Two\"\nkind = \"memo\"\n+++\n",
    );
    site.write(
        "content/third.md",
        "+++\ntitle = \"Three\"\nas_of = \"2026-13-01\"\n+++\n",
    );
    let run = site.build().fails();
    for needle in [
        "content/bad.md:4",
        "content/second.md:3",
        "content/third.md:3",
    ] {
        assert!(
            run.stderr.contains(needle),
            "{needle} missing from:\n{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("3 errors found"), "{}", run.stderr);
}

#[test]
fn the_offending_line_is_shown() {
    let site = TestSite::fixture("errors/unknown_theme");
    let run = site.build().fails();
    assert!(
        run.stderr.contains("themes = [\"trade\", \"fisheries\"]"),
        "{}",
        run.stderr
    );
}

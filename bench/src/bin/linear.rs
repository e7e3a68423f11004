//! Linear-cost check: for each pathological shape a single note can take (20,000 headings
//! with the same text, front matter nested deep, many links, footnotes, a long line, many
//! timeline entries or aliases, many errors in one file), builds a one-note site of about
//! N and 10N bytes, times `briefing check` and `briefing build` over it, and prints
//! time(10N)/time(N). Linear cost gives about 10; the limit is 20.
//!
//! `linear [--briefing target/release/briefing] [--n 200000] [--runs 3] [--dir /dev/shm/x]`
//! Exits 1 if any ratio is above the limit.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Parser)]
struct Args {
    /// The briefing binary to time
    #[arg(long, default_value = "target/release/briefing")]
    briefing: PathBuf,
    /// The smaller input's size in bytes, about
    #[arg(long, default_value_t = 200_000)]
    n: usize,
    /// Timed runs per input (the fastest counts)
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Scratch folder (default: a new one under the system's temporary folder)
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Only the shapes whose name contains this
    #[arg(long)]
    only: Option<String>,
}

const LIMIT: f64 = 20.0;

/// A shape: its name, and the note (whole file) of about `n` bytes.
type Shape = (&'static str, fn(usize) -> String);

const FM: &str = "+++\ntitle = \"Shape\"\n+++\n";

fn repeat_until(n: usize, head: &str, mut piece: impl FnMut(usize) -> String) -> String {
    let mut s = head.to_string();
    let mut i = 0;
    while s.len() < n {
        s.push_str(&piece(i));
        i += 1;
    }
    s
}

fn shapes() -> Vec<Shape> {
    vec![
        ("same_headings", |n| {
            repeat_until(n, FM, |_| "## Same\n\n".into())
        }),
        ("explicit_and_same_headings", |n| {
            repeat_until(n, FM, |i| {
                if i % 2 == 0 {
                    format!("## x {{#x-{}}}\n\n", i / 2 + 1)
                } else {
                    "## x\n\n".into()
                }
            })
        }),
        // Sections marked in turn, nested two deep: what a release build reads and leaves
        // out (every site has `[markings]`; `check` and `build` run as a release build at
        // PROTECTED A).
        ("marked_sections", |n| {
            repeat_until(n, FM, |i| match i % 3 {
                0 => format!("## S {i} {{marking=\"SECRET\"}}\n\nHidden.\n\n"),
                1 => format!("### A {i} {{marking=\"PROTECTED A\"}}\n\nKept.\n\n"),
                _ => "## Open\n\nWords.\n\n".into(),
            })
        }),
        ("yaml_deep_flow", |n| {
            let depth = n / 2;
            format!(
                "---\ntitle: {}{}\n---\n",
                "[".repeat(depth),
                "]".repeat(depth)
            )
        }),
        ("yaml_deep_block_sequence", |n| {
            format!("---\ntitle: t\nthemes:\n{}x\n---\n", "- ".repeat(n / 2))
        }),
        ("toml_deep_array", |n| {
            let depth = n / 2;
            format!(
                "+++\ntitle = {}{}\n+++\n",
                "[".repeat(depth),
                "]".repeat(depth)
            )
        }),
        ("toml_deep_inline_table", |n| {
            let depth = n / 6;
            format!(
                "+++\ntitle = \"t\"\nx = {}1{}\n+++\n",
                "{a = ".repeat(depth),
                "}".repeat(depth)
            )
        }),
        ("toml_deep_dotted_key", |n| {
            format!("+++\ntitle = \"t\"\n{}a = 1\n+++\n", "a.".repeat(n / 2))
        }),
        ("links_to_anchors", |n| {
            repeat_until(n, &format!("{FM}## Top\n\n"), |_| "[top](#top) ".into())
        }),
        ("links_missing", |n| {
            repeat_until(n, FM, |i| format!("[m](missing{i}.md)\n"))
        }),
        ("anchors_missing", |n| {
            repeat_until(n, FM, |i| format!("[m](#nowhere-{i})\n"))
        }),
        ("footnotes", |n| {
            let mut s = repeat_until(n / 2, FM, |i| format!("text[^{i}] "));
            let count = s.matches("[^").count();
            s.push_str("\n\n");
            for i in 0..count {
                let _ = writeln!(s, "[^{i}]: note {i}");
            }
            s
        }),
        ("unclosed_footnote_references", |n| {
            repeat_until(n, FM, |_| "[^a ".into())
        }),
        ("footnote_references_to_nothing", |n| {
            repeat_until(n, FM, |i| format!("[^n{i}] "))
        }),
        ("hugo_shortcodes", |n| {
            repeat_until(n, FM, |i| format!("{{{{< figure src=\"{i}.png\" >}}}} "))
        }),
        ("long_line", |n| {
            repeat_until(n, FM, |i| format!("word{} *em* `c` ", i % 97))
        }),
        ("long_line_of_missing_links", |n| {
            repeat_until(n, FM, |i| format!("[m](missing{i}.md) "))
        }),
        ("timeline", |n| {
            repeat_until(n, "+++\ntitle = \"Shape\"\n", |i| {
                format!(
                    "[[timeline]]\ndate = 2026-01-{:02}\nevent = \"e{i}\"\n",
                    i % 28 + 1
                )
            }) + "+++\n"
        }),
        ("timeline_bad_dates", |n| {
            repeat_until(n, "+++\ntitle = \"Shape\"\n", |i| {
                format!("[[timeline]]\ndate = \"bad{i}\"\nevent = \"e{i}\"\n")
            }) + "+++\n"
        }),
        ("aliases", |n| {
            repeat_until(n, "+++\ntitle = \"Shape\"\naliases = [", |i| {
                format!("\"old/a{i}\", ")
            }) + "]\n+++\n"
        }),
        ("aliases_colliding", |n| {
            repeat_until(n, "+++\ntitle = \"Shape\"\naliases = [", |_| {
                "\"old/same\", ".into()
            }) + "]\n+++\n"
        }),
        ("unknown_themes", |n| {
            repeat_until(
                n,
                "+++\ntitle = \"Shape\"\nsummary = \"s\"\nthemes = [",
                |i| format!("\"t{i}\", "),
            ) + "]\n+++\n"
        }),
    ]
}

fn site(dir: &Path, note: &str) -> std::io::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir.join("content"))?;
    std::fs::write(
        dir.join("briefing.toml"),
        "title = \"Linear\"\n\n[markings]\n",
    )?;
    std::fs::write(dir.join("content/note.md"), note)
}

/// The fastest of `runs` runs of `briefing COMMAND --root DIR` (its outcome is ignored:
/// many shapes are meant to fail, and must fail fast).
fn time(briefing: &Path, command: &str, dir: &Path, runs: usize) -> std::io::Result<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        Command::new(briefing)
            .args([command, "--max-marking", "PROTECTED A", "--root"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        best = best.min(start.elapsed());
    }
    Ok(best)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let scratch = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("briefing-linear-{}", std::process::id())),
    };
    let mut worst: f64 = 0.0;
    println!(
        "{:<30} {:>9} {:>10} {:>10} {:>10} {:>6}",
        "shape", "command", "bytes N", "t(N) ms", "t(10N) ms", "ratio"
    );
    let mut failed = false;
    for (name, make) in shapes() {
        if args.only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let small = scratch.join(format!("{name}-1"));
        let large = scratch.join(format!("{name}-10"));
        if let Err(e) = site(&small, &make(args.n)).and_then(|()| site(&large, &make(args.n * 10)))
        {
            eprintln!("cannot write the sites under {}: {e}", scratch.display());
            return ExitCode::from(2);
        }
        for command in ["check", "build"] {
            let (a, b) = match (
                time(&args.briefing, command, &small, args.runs),
                time(&args.briefing, command, &large, args.runs),
            ) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("cannot run {}: {e}", args.briefing.display());
                    return ExitCode::from(2);
                }
            };
            let ratio = b.as_secs_f64() / a.as_secs_f64().max(1e-6);
            worst = worst.max(ratio);
            failed |= ratio > LIMIT;
            println!(
                "{name:<30} {command:>9} {:>10} {:>10.1} {:>10.1} {ratio:>6.1}",
                args.n,
                a.as_secs_f64() * 1e3,
                b.as_secs_f64() * 1e3,
            );
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    println!("worst ratio {worst:.1} (limit {LIMIT})");
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

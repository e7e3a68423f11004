#!/usr/bin/env python3
"""Turns bench/run.sh's measurements (in the folder given as the only argument) into
bench/RESULTS.md, printed to stdout."""
import datetime
import json
import os
import subprocess
import sys

d = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))


def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip() or "?"
    except OSError:
        return "?"


def read(name, default=""):
    path = os.path.join(d, name)
    if not os.path.exists(path):
        return default
    with open(path, encoding="utf-8") as fh:
        return fh.read().strip()


def pairs(name):
    out = {}
    for line in read(name).splitlines():
        key, _, value = line.strip().partition(" ")
        out[key] = value
    return out


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


sizes = sorted(int(f[len("build-"):-len(".json")]) for f in os.listdir(d)
               if f.startswith("build-") and f.endswith(".json"))
commit = run("git", "rev-parse", "--short", "HEAD")
dirty = run("git", "status", "--porcelain", "--untracked-files=no", "--", "src", "templates", "static", "Cargo.toml")
if dirty not in ("", "?"):
    commit += " (with uncommitted changes to src/templates)"

L = []
L.append("# Benchmark results")
L.append("")
L.append(f"Run on {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} with "
         f"`bench/run.sh` (rerun: `bench/run.sh` from the repository root; it installs `hyperfine`, `hugo` "
         f"and `time` with apt-get when missing).")
L.append("")
L.append(f"- Machine: `nproc` = {run('nproc')}, {cpu_model()}; sources and outputs on tmpfs (`{d}`). "
         f"Load average (1, 5, 15 min) at the start: {' '.join(read('load-start.txt', '?').split()[:3])}, "
         f"at the end: {' '.join(read('load-end.txt', '?').split()[:3])}.")
L.append(f"- briefing: commit `{commit}`, {run('rustc', '--version')}, release profile")
L.append(f"- Hugo: `{run('hugo', 'version')}`")
L.append(f"- hyperfine: `{run('hyperfine', '--version')}`")
L.append("")
L.append("Sites from `bench/src/lib.rs` (seed 42): 8 themes, sections of 100 pages, one page in ten a "
         "dispute with 2–4 measures, an itinerary of 50 stops, bodies with h2/h3 headings, lists, a GFM "
         "table, a footnote, strikethrough and 2–4 relative links to other pages (three in four with an "
         "`#anchor`). The Hugo site has the same bodies (links as `relref` shortcodes), front matter and "
         "minimal layouts with the same structure (see “What each tool does” below).")
for n in sizes:
    g = read(f"gen-{n}.txt")
    if g:
        L.append(f"- {n:,}: {g.split(' in /')[0]}")
L.append("")
L.append(f"Cold full builds: medians of hyperfine runs (1 warm-up, then the runs counted below), each "
         f"run starting with no output folder. Peak memory: maximum resident set size from "
         f"`/usr/bin/time -v` (KiB / 1024), median of three runs.")
L.append("")
L.append("| tool | pages | median s | pages/s | peak MiB | × Hugo | × floor |")
L.append("|---|---:|---:|---:|---:|---:|---:|")
med = {}
runs = {}
for n in sizes:
    with open(os.path.join(d, f"build-{n}.json"), encoding="utf-8") as fh:
        results = {r["command"]: r for r in json.load(fh)["results"]}
    mem = pairs(f"memory-{n}.txt")
    hugo = results["hugo"]["median"]
    floor = results["floor"]["median"]
    for name, label in (("briefing", "briefing build"), ("check", "briefing check"), ("floor", "floor"), ("hugo", "hugo")):
        r = results[name]
        m = r["median"]
        med[(name, n)] = m
        runs[(name, n)] = len(r["times"])
        L.append(f"| {label} | {n:,} | {m:.3f} | {n / m:,.0f} | {mem.get(name, '?')} | {m / hugo:.2f} | {m / floor:.1f} |")
L.append("")
L.append(f"Runs per command: {min(runs.values())}–{max(runs.values())}. HTML files written (by the last memory run): " +
         "; ".join(f"{n:,} pages: " + ", ".join(f"{k} {v}" for k, v in pairs(f"files-{n}.txt").items()) for n in sizes) + ".")
L.append("")

if len(sizes) >= 2 and 10000 in sizes and 1000 in sizes:
    b1, b10 = med[("briefing", 1000)], med[("briefing", 10000)]
    h10, f10, c10 = med[("hugo", 10000)], med[("floor", 10000)], med[("check", 10000)]
    mem10 = pairs("memory-10000.txt").get("briefing", "?")

    def verdict(ok):
        return "met" if ok else "**not met**"

    L.append("Against the targets of issue 6 (10,000 pages unless said):")
    L.append("")
    L.append(f"- build ≤ 0.15 × Hugo: {b10 / h10:.2f} × — {verdict(b10 / h10 <= 0.15)}")
    L.append(f"- build ≤ 5 × the floor: {b10 / f10:.1f} × — {verdict(b10 / f10 <= 5)}")
    try:
        L.append(f"- peak memory ≤ 250 MiB: {mem10} MiB — {verdict(float(mem10) <= 250)}")
    except ValueError:
        L.append(f"- peak memory ≤ 250 MiB: {mem10} MiB")
    L.append(f"- 1,000 → 10,000 pages ≤ 11 ×: briefing {b10 / b1:.1f} × — {verdict(b10 / b1 <= 11)} "
             f"(Hugo {h10 / med[('hugo', 1000)]:.1f} ×, floor {f10 / med[('floor', 1000)]:.1f} ×)")
    L.append(f"- check ≤ 0.5 × build: {c10 / b10:.2f} × — {verdict(c10 / b10 <= 0.5)}")
    L.append(f"- check ≤ 0.6 × build (issue 11): {c10 / b10:.2f} × — {verdict(c10 / b10 <= 0.6)}")
    with open(os.path.join(d, "build-10000.json"), encoding="utf-8") as fh:
        r10 = {r["command"]: r for r in json.load(fh)["results"]}
    cpu = {k: r10[k]["user"] + r10[k]["system"] for k in ("briefing", "check")}
    L.append(f"  (by CPU time, user + system, hyperfine's means: {cpu['check'] / cpu['briefing']:.2f} ×)")
    L.append("")

L.append("## Serve: one-page edit latency at 10,000 pages")
L.append("")
serve = read("serve-10000.txt")
if serve:
    L.append("Measured by `bench/serve_latency.py` in this run: `briefing serve` on a copy of the 10,000-page "
             "site; append a line to a note (or write a template override), then poll the page over HTTP "
             "until the edit shows. The watcher's debounce is included. Target: body edit ≤ 50 ms (median).")
    L.append("")
    for line in serve.splitlines():
        L.append(f"- {line.strip()}")
else:
    L.append("> **PLACEHOLDER — not measured in this run.** To be filled in by the serve-mode measurement "
             "(median of ≥ 10 one-page body edits at 10,000 pages, edit to changed page served over HTTP; "
             "target ≤ 50 ms). `BENCH_SERVE=1 bench/run.sh` runs `bench/serve_latency.py` for it.")
L.append("")

L.append("## What each tool does")
L.append("")
L.append("- **briefing build**: the default build with every output the product writes — a page per note, "
         "dispute and section, the front page (itinerary at a glance, dispute tracker over every measure, "
         "notes by theme, merged timeline), the itinerary, a page per theme and the list of themes, 404, "
         "the printable book (every page in one file), `atom.xml`, `sitemap.xml`, `robots.txt`, "
         "`itinerary.ics`, the search index and static assets — after validating front matter, themes, "
         "links and anchors.")
L.append("- **briefing check**: the same validation, writing nothing.")
L.append("- **floor** (`bench/src/bin/floor.rs`): reads every `content/**/*.md`, skips the front matter, "
         "renders the Markdown with pulldown-cmark and writes it in a fixed HTML shell, on every core. No "
         "links resolved, no lists, no templates.")
L.append("- **hugo**: the equivalent Hugo site (`gen --flavor hugo`): the same pages, nav, table of "
         "contents, dispute facts and measures, sources, timelines, section lists, theme taxonomy pages and "
         "front page (tracker, notes by theme, merged timeline, itinerary at a glance), plus Hugo's "
         "sitemap and one RSS feed. It writes no printable book, search index or calendar, so it does "
         "less than `briefing build`. Links are `relref` shortcodes, which Hugo resolves and checks "
         "(not their anchors).")
L.append("")

notes = os.path.join(here, "profile-notes.md")
if os.path.exists(notes):
    with open(notes, encoding="utf-8") as fh:
        L.append(fh.read().rstrip())
else:
    L.append("## Profile-guided changes")
    L.append("")
    L.append("> **PLACEHOLDER** — to be filled in: what was slow (with the profile that showed it), what "
             "changed, and the before/after ratio, from runs of this benchmark. Put it in "
             "`bench/profile-notes.md` and `bench/report.py` includes it here.")
L.append("")
print("\n".join(L))

#!/usr/bin/env python3
"""Turns bench/run.sh's measurements into bench/RESULTS.md (printed to stdout)."""
import datetime
import json
import os
import subprocess
import sys

d = sys.argv[1]


def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "?"


lines = []
lines.append("# Benchmark results")
lines.append("")
lines.append(f"Run on {datetime.date.today().isoformat()} with `bench/run.sh`, on a machine with {os.cpu_count()} cores; "
             "sources and output on tmpfs (`/dev/shm`). Generated sites (`bench/src/lib.rs`, seed 42): sections of "
             "100 pages, one page in ten a dispute with 2–4 measures, an itinerary of 50 stops, 3.6–4 KB bodies with "
             "headings, a list, a GFM table, a footnote and 2–4 links to other pages (some with anchors). "
             "Medians of hyperfine runs (1 warm-up); each run starts from an empty output folder. Peak memory: median "
             "of three `/usr/bin/time` runs.")
lines.append("")
lines.append(f"- briefing: commit `{run('git', 'rev-parse', '--short', 'HEAD')}`, {run('rustc', '--version')}")
lines.append(f"- Hugo: `{run('hugo', 'version')}`")
lines.append(f"- hyperfine: `{run('hyperfine', '--version')}`")
lines.append("")
lines.append("| tool | pages | median s | pages/s | peak MB | × Hugo | × floor |")
lines.append("|---|---:|---:|---:|---:|---:|---:|")
medians = {}
for n in (1000, 10000):
    with open(os.path.join(d, f"build-{n}.json")) as fh:
        results = {r["command"]: r for r in json.load(fh)["results"]}
    mem = {}
    with open(os.path.join(d, f"memory-{n}.txt")) as fh:
        for line in fh:
            name, _, mb = line.strip().partition(" ")
            mem[name] = mb
    hugo = results["hugo"]["median"]
    floor = results["floor"]["median"]
    for name in ("briefing", "check", "floor", "hugo"):
        m = results[name]["median"]
        medians[(name, n)] = m
        lines.append(f"| {name if name != 'check' else 'briefing check'} | {n:,} | {m:.3f} | {n / m:,.0f} | {mem.get(name, '?')} | "
                     f"{m / hugo:.2f} | {m / floor:.1f} |")
lines.append("")
b1, b10 = medians[("briefing", 1000)], medians[("briefing", 10000)]
lines.append(f"Scaling 1,000 → 10,000 pages: briefing ×{b10 / b1:.1f}, Hugo ×{medians[('hugo', 10000)] / medians[('hugo', 1000)]:.1f}, "
             f"floor ×{medians[('floor', 10000)] / medians[('floor', 1000)]:.1f}. "
             f"`check` / `build` at 10,000 pages: {medians[('check', 10000)] / b10:.2f}.")
lines.append("")
lines.append("## Serve: edit to served page")
lines.append("")
lines.append("Write the file, then poll the page over HTTP until the edit shows (`bench/serve_latency.py`; "
             "the watcher's debounce is included).")
lines.append("")
for name, label in (("serve-10000.txt", "generated 10,000-page site"), ("serve-bundled.txt", "bundled briefing book")):
    path = os.path.join(d, name)
    if os.path.exists(path):
        with open(path) as fh:
            for line in fh:
                lines.append(f"- {label}, {line.strip()}")
lines.append("")
notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profile-notes.md")
if os.path.exists(notes):
    with open(notes) as fh:
        lines.append(fh.read().rstrip())
    lines.append("")
print("\n".join(lines))

#!/usr/bin/env bash
# Before and after in one run: builds briefing at REV and at the working tree (release),
# then on the same generated sites times `build` and `check` of both in alternating rounds
# (medians, bench/alternate.py), measures their peak memory (/usr/bin/time -v, median of three) and,
# at the largest size, the serve edit latency of both (the preview's output folder in the
# scratch folder, so that both write to the same tmpfs rather than the disk). Writes the table to
# bench/COMPARE.md and prints it.
#
#   bench/compare.sh REV          # e.g. bench/compare.sh 514f42d
#   BENCH_RUNS=5                  # timed runs per command (default 10, after 1 warm-up)
#   BENCH_PAGES="1000 10000"      # site sizes
#   BENCH_DIR=/dev/shm/x          # scratch folder (default below; tmpfs)
#   BENCH_SERVE=0                 # skip the serve latency measurement
#   BENCH_EDITS=15                # body edits timed per binary and round (5 template edits)
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:?usage: bench/compare.sh REV}
before_rev=$(git rev-parse --short "$REV")
after_rev="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src templates static Cargo.toml || echo +changes)"

# shellcheck source=bench/common.sh
. bench/common.sh
need /usr/bin/time=time python3=python3

RUNS=${BENCH_RUNS:-10}
SIZES=${BENCH_PAGES:-1000 10000}
scratch_dir /dev/shm/briefing-compare

# The generator and the "after" binary from the working tree; the "before" binary from a
# detached worktree of REV, in a target folder of its own (kept between runs).
cargo build --release --workspace
A=$TARGET/release/briefing
GEN=$TARGET/release/gen
before_src="$DIR/before-src"
git worktree add --detach "$before_src" "$REV" >/dev/null
trap 'git worktree remove --force "$before_src" >/dev/null 2>&1 || true' EXIT
CARGO_TARGET_DIR=$TARGET/bench-before cargo build --release --manifest-path "$before_src/Cargo.toml" -p briefing
B=$TARGET/bench-before/release/briefing

for n in $SIZES; do
  site="$DIR/site-$n"
  "$GEN" --pages "$n" --seed 42 --out "$site" >/dev/null
  ob="$DIR/out-before-$n" oa="$DIR/out-after-$n"
  # Alternating rounds (bench/alternate.py), not hyperfine's one command after the other:
  # on this shared machine a slow spell would otherwise fall on one side only.
  python3 bench/alternate.py --warmup 1 --runs "$RUNS" --export-json "$DIR/build-$n.json" \
    --prepare "rm -rf '$ob' '$oa'" \
    -n "build before" "'$B' build -q --root '$site' --output '$ob'" \
    -n "build after" "'$A' build -q --root '$site' --output '$oa'" \
    -n "check before" "'$B' check -q --root '$site'" \
    -n "check after" "'$A' check -q --root '$site'"
  {
    echo "build before $(peak_mb "$ob" "$B" build -q --root "$site" --output "$ob")"
    echo "build after $(peak_mb "$oa" "$A" build -q --root "$site" --output "$oa")"
    echo "check before $(peak_mb "$DIR/none" "$B" check -q --root "$site")"
    echo "check after $(peak_mb "$DIR/none" "$A" check -q --root "$site")"
  } > "$DIR/memory-$n.txt"
done

largest=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
if [ "${BENCH_SERVE:-1}" != 0 ]; then
  # Two rounds, the second in the other order, each on a fresh copy of the site.
  round=0
  for who in before after after before; do
    round=$((round + 1))
    bin=$B
    [ "$who" = after ] && bin=$A
    rm -rf "$DIR/serve-copy"
    cp -r "$DIR/site-$largest" "$DIR/serve-copy"
    TMPDIR="$DIR" python3 bench/serve_latency.py --binary "$bin" --site "$DIR/serve-copy" \
      --edits "${BENCH_EDITS:-15}" --template-edits 5 --json "$DIR/serve-$who-$round.json" \
      >/dev/null || echo "serve latency of $who failed" >&2
  done
  rm -rf "$DIR/serve-copy"
fi

python3 - "$DIR" "$before_rev" "$after_rev" "$SIZES" "$largest" > bench/COMPARE.md <<'EOF'
import json, re, sys, datetime, os
d, before, after, sizes, largest = sys.argv[1:6]
out = []
out.append("# Before and after\n")
out.append(f"`bench/compare.sh {before}` on {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, "
           f"{os.cpu_count()} cores: before = `{before}`, after = `{after}`, both release "
           "builds, on the same generated sites (`bench/src/lib.rs`, seed 42), in one run.\n")
import statistics


def per_round(num, den):
    """The median over rounds of num / den, both timed in the same round."""
    return statistics.median(x / y for x, y in zip(num["times"], den["times"]))


out.append("| what | pages | before median s | after median s | after / before | per round | before MiB | after MiB |")
out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
for n in sizes.split():
    runs = {r["command"]: r for r in json.load(open(f"{d}/build-{n}.json"))["results"]}
    mem = dict(l.rsplit(" ", 1) for l in open(f"{d}/memory-{n}.txt").read().split("\n") if l)
    for what in ("build", "check"):
        rb, ra = runs[f"{what} before"], runs[f"{what} after"]
        b, a = rb["median"], ra["median"]
        out.append(f"| {what} | {int(n):,} | {b:.3f} | {a:.3f} | {a / b:.2f} | {per_round(ra, rb):.2f} | "
                   f"{mem[f'{what} before']} | {mem[f'{what} after']} |")
    for who in ("before", "after"):
        rb, rc = runs[f"build {who}"], runs[f"check {who}"]
        out.append(f"| check / build ({who}) | {int(n):,} | | | {rc['median'] / rb['median']:.2f} | "
                   f"{per_round(rc, rb):.2f} | | |")
runs_n = len(runs["build after"]["times"])
out.append(f"\nTimed runs per command: {runs_n}, in alternating rounds (`bench/alternate.py`, after one warm-up round): "
           "each round runs every command once, back to back. *after / before* divides the medians; *per round* is the "
           "median of the ratios within each round, which a slow spell of this shared host (CPU time stolen by other "
           "guests moves single runs by a third) shifts less.\n")
import glob, statistics
for who in ("before", "after"):
    body, tmpl = [], []
    for p in sorted(glob.glob(f"{d}/serve-{who}-*.json")):
        r = json.load(open(p))
        body += r["body"]
        tmpl += r["template"]
    if body:
        out.append(f"Serve at {int(largest):,} pages, {who} (two rounds, alternating with the other):\n")
        for name, xs in (("body edit", body), ("template edit (note.html)", tmpl)):
            out.append(f"- {name}: median {statistics.median(xs):.1f} ms, min {min(xs):.1f}, "
                       f"max {max(xs):.1f} (n={len(xs)})")
        out.append("")
print("\n".join(out))
EOF
cat bench/COMPARE.md

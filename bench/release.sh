#!/usr/bin/env bash
# A release build against the full build (issue 26): the generated site with one page in
# ten marked SECRET (`gen --marked-one-in 10`, linked to by no page), built whole and built
# as a release at PROTECTED A, which leaves those pages out; beside them the same site
# without [markings]. `build` and `check` of each, timed in alternating rounds
# (bench/alternate.py, medians and per-round ratios), and the builds' peak memory
# (/usr/bin/time -v, median of three). Writes the table to bench/RELEASE.md and prints it.
#
#   bench/release.sh              # from the repository root (or anywhere)
#   BENCH_RUNS=7                  # timed runs per command (default 10, after 1 warm-up)
#   BENCH_PAGES="10000"           # site sizes
#   BENCH_DIR=/dev/shm/x          # scratch folder (default below; tmpfs)
#   BENCH_CALLGRIND=1             # also count instructions (valgrind --tool=callgrind) of each
#                                 # build and check once: what the load of a shared host does
#                                 # not change (about a minute each at 10,000 pages)
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=bench/common.sh
. bench/common.sh
need /usr/bin/time=time python3=python3
if [ "${BENCH_CALLGRIND:-0}" != 0 ]; then need valgrind=valgrind; fi

RUNS=${BENCH_RUNS:-10}
SIZES=${BENCH_PAGES:-10000}
scratch_dir /dev/shm/briefing-release
cargo build --release --workspace
B=$TARGET/release/briefing
GEN=$TARGET/release/gen
rev="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src templates static Cargo.toml || echo +changes)"
cat /proc/loadavg > "$DIR/load-start.txt"

for n in $SIZES; do
  plain="$DIR/plain-$n" marked="$DIR/marked-$n"
  "$GEN" --pages "$n" --seed 42 --out "$plain" > "$DIR/gen-plain-$n.txt"
  "$GEN" --pages "$n" --seed 42 --out "$marked" --marked-one-in 10 > "$DIR/gen-marked-$n.txt"
  op="$DIR/out-plain-$n" of="$DIR/out-full-$n" or="$DIR/out-release-$n"
  python3 bench/alternate.py --warmup 1 --runs "$RUNS" --export-json "$DIR/release-$n.json" \
    --prepare "rm -rf '$op' '$of' '$or'" \
    -n "build, no [markings]" "'$B' build -q --root '$plain' --output '$op'" \
    -n "build full" "'$B' build -q --root '$marked' --output '$of'" \
    -n "build release" "'$B' build -q --root '$marked' --output '$or' --max-marking 'PROTECTED A'" \
    -n "check full" "'$B' check -q --root '$marked'" \
    -n "check release" "'$B' check -q --root '$marked' --max-marking 'PROTECTED A'"
  {
    echo "build, no [markings] $(peak_mb "$op" "$B" build -q --root "$plain" --output "$op")"
    echo "build full $(peak_mb "$of" "$B" build -q --root "$marked" --output "$of")"
    echo "build release $(peak_mb "$or" "$B" build -q --root "$marked" --output "$or" --max-marking 'PROTECTED A')"
  } > "$DIR/memory-$n.txt"
  {
    echo "build, no [markings] $(find "$op" -name '*.html' | wc -l)"
    echo "build full $(find "$of" -name '*.html' | wc -l)"
    echo "build release $(find "$or" -name '*.html' | wc -l)"
  } > "$DIR/files-$n.txt"
  if [ "${BENCH_CALLGRIND:-0}" != 0 ]; then
    # Instructions executed (callgrind's "Collected"), one run each.
    count() {
      valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null \
        | awk '/Collected :/ { print $NF }'
    }
    {
      rm -rf "$op" "$of" "$or"
      echo "build, no [markings] $(count "$B" build -q --root "$plain" --output "$op")"
      echo "build full $(count "$B" build -q --root "$marked" --output "$of")"
      echo "build release $(count "$B" build -q --root "$marked" --output "$or" --max-marking 'PROTECTED A')"
      echo "check full $(count "$B" check -q --root "$marked")"
      echo "check release $(count "$B" check -q --root "$marked" --max-marking 'PROTECTED A')"
    } > "$DIR/instructions-$n.txt"
  fi
done
cat /proc/loadavg > "$DIR/load-end.txt"

python3 - "$DIR" "$rev" "$SIZES" > bench/RELEASE.md <<'EOF'
import datetime, json, os, statistics, sys
d, rev, sizes = sys.argv[1:4]
load = lambda f: " ".join(open(f"{d}/{f}").read().split()[:3])
out = ["# A release build against the full build\n"]
out.append(f"`bench/release.sh` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC at `{rev}`, "
           f"{os.cpu_count()} cores, release profile, sites and outputs on tmpfs. Load average (1, 5, 15 min) "
           f"at the start: {load('load-start.txt')}, at the end: {load('load-end.txt')}.\n")
out.append("The generated site (`bench/src/lib.rs`, seed 42) with one page in ten marked SECRET "
           "(`gen --marked-one-in 10`: pages `i % 10 == 3`, linked to by no page), built whole (*full*) and as "
           "a release at PROTECTED A (`--max-marking \"PROTECTED A\"`, which leaves those pages out); "
           "and the same site without `[markings]`.\n")
out.append("| what | pages | median s | ÷ build full (medians) | ÷ build full (per round) | HTML files | peak MiB | instructions (÷ full) |")
out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
for n in sizes.split():
    runs = {r["command"]: r for r in json.load(open(f"{d}/release-{n}.json"))["results"]}
    mem = dict(l.rsplit(" ", 1) for l in open(f"{d}/memory-{n}.txt").read().split("\n") if l)
    files = dict(l.rsplit(" ", 1) for l in open(f"{d}/files-{n}.txt").read().split("\n") if l)
    ins = {}
    if os.path.exists(f"{d}/instructions-{n}.txt"):
        ins = {k: int(v) for k, v in (l.rsplit(" ", 1) for l in open(f"{d}/instructions-{n}.txt").read().split("\n") if l)}
    for what, base in (("build, no [markings]", "build full"), ("build full", "build full"),
                       ("build release", "build full"), ("check full", "check full"),
                       ("check release", "check full")):
        r, b = runs[what], runs[base]
        ratio = r["median"] / b["median"]
        rounds = [x / y for x, y in zip(r["times"], b["times"])]
        count = f"{ins[what] / 1e9:.2f} × 10⁹ ({ins[what] / ins[base]:.3f})" if what in ins and base in ins else ""
        out.append(f"| {what} | {int(n):,} | {r['median']:.3f} | {ratio:.2f} (÷ {base}) | "
                   f"{statistics.median(rounds):.2f} | {files.get(what, '')} | {mem.get(what, '')} | {count} |")
    rel, full = runs["build release"], runs["build full"]
    per = ", ".join(f"{x / y:.2f}" for x, y in zip(rel["times"], full["times"]))
    out.append(f"\nRelease ÷ full build in each round at {int(n):,} pages: {per}.")
runs_n = len(runs["build full"]["times"])
out.append(f"\nTimed runs per command: {runs_n}, in alternating rounds (`bench/alternate.py`, after one warm-up "
           "round); *per round* is the median of the ratios within each round, which a slow spell of this "
           "shared host shifts less than it does the medians. Rerun: `bench/release.sh` "
           "(`BENCH_RUNS`, `BENCH_PAGES`; `BENCH_CALLGRIND=1` for the instruction counts).\n")
print("\n".join(out))
EOF
cat bench/RELEASE.md

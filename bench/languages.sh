#!/usr/bin/env bash
# Issue 27's benchmark: the 10,000-page one-language site against a 2 × 5,000-page bilingual
# one (5,000 pages and their French translations, `gen --french`), both cold full builds by
# the same release binary, side by side in one hyperfine run (medians), and their peak
# memory (/usr/bin/time -v, median of 3). Writes bench/LANGUAGES.md.
#
#   bench/languages.sh            # from anywhere; BENCH_RUNS=10 by default
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=bench/common.sh
. bench/common.sh
need hyperfine=hyperfine /usr/bin/time=time python3=python3

cargo build --release --workspace
B=$PWD/target/release/briefing
GEN=$PWD/target/release/gen
RUNS=${BENCH_RUNS:-10}
scratch_dir /dev/shm/briefing-languages
one="$DIR/one-10000" two="$DIR/two-5000"
"$GEN" --pages 10000 --seed 42 --out "$one" >/dev/null
"$GEN" --pages 5000 --seed 42 --out "$two" --french >/dev/null
load=$(cut -d' ' -f1-3 /proc/loadavg)
hyperfine --warmup 1 --runs "$RUNS" --export-json "$DIR/build.json" \
  --prepare "rm -rf '$DIR/out-one' '$DIR/out-two'" \
  -n "one language, 10,000 pages" "'$B' build -q --root '$one' --output '$DIR/out-one'" \
  -n "two languages, 2 × 5,000 pages" "'$B' build -q --root '$two' --output '$DIR/out-two'"
mem_one=$(peak_mb "$DIR/out-one" "$B" build -q --root "$one" --output "$DIR/out-one")
mem_two=$(peak_mb "$DIR/out-two" "$B" build -q --root "$two" --output "$DIR/out-two")
pages_one=$(find "$DIR/out-one" -name '*.html' | wc -l)
pages_two=$(find "$DIR/out-two" -name '*.html' | wc -l)
python3 - "$DIR/build.json" "$mem_one" "$mem_two" "$pages_one" "$pages_two" "$load" "$RUNS" <<'PY' > bench/LANGUAGES.md
import json, sys, datetime
runs = json.load(open(sys.argv[1]))["results"]
m1, m2, p1, p2, load, n = sys.argv[2:8]
a, b = runs[0]["median"], runs[1]["median"]
print("# One language against two\n")
print(f"`bench/languages.sh` on {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, 2 cores, load average at the start {load}:")
print("release build, generated sites (`bench/src/lib.rs`, seed 42; the bilingual one is `gen --pages 5000 --french`),")
print(f"cold full builds, {n} timed runs each after a warm-up, in one hyperfine run.\n")
print("| site | HTML files | median s | peak MiB |")
print("|---|---:|---:|---:|")
print(f"| one language, 10,000 pages | {p1} | {a:.3f} | {m1} |")
print(f"| two languages, 2 × 5,000 pages | {p2} | {b:.3f} | {m2} |")
print(f"\nTwo languages / one: time {b / a:.2f}×, memory {int(m2) / int(m1):.2f}×.")
PY
cat bench/LANGUAGES.md

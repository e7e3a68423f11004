#!/usr/bin/env bash
# The benchmark: cold full builds of generated 1,000- and 10,000-page briefing sites by
# `briefing build`, the floor (bench/src/bin/floor.rs) and Hugo (an equivalent generated
# Hugo site), side by side in one run, timed with hyperfine (medians) and measured for peak
# memory with /usr/bin/time -v; plus `briefing check` on the same sites and, unless
# BENCH_SERVE=0, the serve-mode edit latency at 10,000 pages. Prints the table and writes
# it, with the date, versions and core count, to bench/RESULTS.md.
#
#   bench/run.sh                  # from the repository root (or anywhere)
#   BENCH_DIR=/dev/shm/x          # scratch folder for sites and outputs (default below; tmpfs)
#   BENCH_RUNS=5                  # timed runs per command (default 10, after 1 warm-up)
#   BENCH_PAGES="1000 10000"      # site sizes
#   BENCH_SERVE=0                 # skip the serve latency measurement
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=bench/common.sh
. bench/common.sh
need hyperfine=hyperfine hugo=hugo /usr/bin/time=time python3=python3

cargo build --release --workspace
B=$TARGET/release/briefing
GEN=$TARGET/release/gen
FLOOR=$TARGET/release/floor
RUNS=${BENCH_RUNS:-10}
SIZES=${BENCH_PAGES:-1000 10000}
scratch_dir /dev/shm/briefing-bench
cat /proc/loadavg > "$DIR/load-start.txt"

# Counts the HTML files an output holds (to see that each tool wrote a whole site).
html_count() { find "$1" -name '*.html' | wc -l; }

for n in $SIZES; do
  site="$DIR/site-$n" hugo_site="$DIR/hugo-$n"
  "$GEN" --pages "$n" --seed 42 --out "$site" | tee "$DIR/gen-$n.txt"
  "$GEN" --pages "$n" --seed 42 --out "$hugo_site" --flavor hugo
  out_b="$DIR/out-briefing-$n" out_f="$DIR/out-floor-$n" out_h="$DIR/out-hugo-$n"
  # Each timed run starts from no output folder (--prepare), so each is a cold build of the
  # whole site; the sources are in the page cache for all tools alike.
  hyperfine --warmup 1 --runs "$RUNS" --export-json "$DIR/build-$n.json" \
    --prepare "rm -rf '$out_b' '$out_f' '$out_h'" \
    -n briefing "'$B' build -q --root '$site' --output '$out_b'" \
    -n floor "'$FLOOR' '$site' '$out_f'" \
    -n hugo "hugo --quiet --source '$hugo_site' --destination '$out_h'" \
    -n check "'$B' check -q --root '$site'"
  {
    echo "briefing $(peak_mb "$out_b" "$B" build -q --root "$site" --output "$out_b")"
    echo "floor $(peak_mb "$out_f" "$FLOOR" "$site" "$out_f")"
    echo "hugo $(peak_mb "$out_h" hugo --quiet --source "$hugo_site" --destination "$out_h")"
    echo "check $(peak_mb "$DIR/no-output" "$B" check -q --root "$site")"
  } > "$DIR/memory-$n.txt"
  # The last memory runs left each tool's output in place: count what they wrote.
  {
    echo "briefing $(html_count "$out_b")"
    echo "floor $(html_count "$out_f")"
    echo "hugo $(html_count "$out_h")"
  } > "$DIR/files-$n.txt"
done

# Serve: edit-to-served latency on the 10,000-page site (a scratch copy is edited). A
# failure here leaves the section of RESULTS.md marked as not measured.
if [ "${BENCH_SERVE:-1}" != 0 ] && [ -d "$DIR/site-10000" ]; then
  cp -r "$DIR/site-10000" "$DIR/serve-10000"
  TMPDIR="$DIR" python3 bench/serve_latency.py --binary "$B" --site "$DIR/serve-10000" --edits 15 --template-edits 5 \
    > "$DIR/serve-10000.txt" || { echo "serve latency measurement failed" >&2; rm -f "$DIR/serve-10000.txt"; }
fi

cat /proc/loadavg > "$DIR/load-end.txt"
python3 bench/report.py "$DIR" > "$DIR/RESULTS.md"
cp "$DIR/RESULTS.md" bench/RESULTS.md
cat bench/RESULTS.md

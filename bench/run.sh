#!/usr/bin/env bash
# The benchmark: cold full builds of generated 1,000- and 10,000-page briefing sites by
# `briefing build`, the floor (bench/src/bin/floor.rs) and Hugo, side by side in one run,
# with hyperfine (medians) and /usr/bin/time (peak memory); plus `briefing check` and the
# serve-mode edit latency at 10,000 pages. Writes bench/RESULTS.md.
#
#   bench/run.sh            # BENCH_DIR (default /dev/shm/briefing-bench) holds the scratch sites
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
command -v hugo >/dev/null 2>&1 || missing+=(hugo)
[ -x /usr/bin/time ] || missing+=(time)
if ((${#missing[@]})); then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y "${missing[@]}"
fi

cargo build --release --workspace
B=target/release/briefing
GEN=target/release/gen
FLOOR=target/release/floor
DIR=${BENCH_DIR:-/dev/shm/briefing-bench}
RUNS=${BENCH_RUNS:-5}
rm -rf "$DIR"
mkdir -p "$DIR"

peak_mb() { # command... -> peak resident memory in MB (median of 3)
  for _ in 1 2 3; do
    /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -n 1
  done | sort -n | sed -n 2p | awk '{ printf "%.0f", $1 / 1024 }'
}

for n in 1000 10000; do
  "$GEN" --pages "$n" --seed 42 --out "$DIR/site-$n" >/dev/null
  "$GEN" --pages "$n" --seed 42 --out "$DIR/hugo-$n" --flavor hugo >/dev/null
  out_b="$DIR/out-briefing-$n" out_f="$DIR/out-floor-$n" out_h="$DIR/out-hugo-$n"
  # Every tool starts from an empty output folder (--prepare), so each run is a cold build.
  hyperfine --warmup 1 --runs "$RUNS" --export-json "$DIR/build-$n.json" \
    --prepare "rm -rf $out_b $out_f $out_h" \
    -n briefing "$B build -q --root $DIR/site-$n --output $out_b" \
    -n floor "$FLOOR $DIR/site-$n $out_f" \
    -n hugo "hugo --quiet --source $DIR/hugo-$n --destination $out_h" \
    -n check "$B check -q --root $DIR/site-$n"
  {
    rm -rf "$out_b"; echo "briefing $(peak_mb "$B" build -q --root "$DIR/site-$n" --output "$out_b" --force)"
    rm -rf "$out_f"; echo "floor $(peak_mb "$FLOOR" "$DIR/site-$n" "$out_f")"
    rm -rf "$out_h"; echo "hugo $(peak_mb hugo --quiet --source "$DIR/hugo-$n" --destination "$out_h")"
    echo "check $(peak_mb "$B" check -q --root "$DIR/site-$n")"
  } > "$DIR/memory-$n.txt"
done

# Serve: edit-to-served latency on the 10,000-page site (a scratch copy is edited).
cp -r "$DIR/site-10000" "$DIR/serve-10000"
python3 bench/serve_latency.py --binary "$B" --site "$DIR/serve-10000" --edits 15 --template-edits 5 > "$DIR/serve-10000.txt"
cp -r content "$DIR/bundled-content" && mkdir -p "$DIR/bundled" && cp briefing.toml "$DIR/bundled/" && mv "$DIR/bundled-content" "$DIR/bundled/content"
python3 bench/serve_latency.py --binary "$B" --site "$DIR/bundled" --edits 15 --template-edits 5 > "$DIR/serve-bundled.txt"

python3 bench/report.py "$DIR" > bench/RESULTS.md
cat bench/RESULTS.md

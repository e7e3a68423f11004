#!/usr/bin/env bash
# Instruction counts (valgrind's callgrind, which counts instructions rather than seconds,
# so a shared or loaded host does not move them) of `build` and `check` at each pair of
# commits, on the same generated site: the firm figure for "no slower than before" where
# timings on this host cannot settle 5 %. Each pair is BEFORE..AFTER; the table says
# after / before. Writes bench/INSTRUCTIONS.md and prints it.
#
#   bench/instructions.sh a59b270..933aa47 4a3da7a..HEAD
#   BENCH_PAGES="1000 10000"   # site sizes (default 1000; 10,000 takes about 80 s a run)
#   BENCH_DIR=/dev/shm/x       # scratch folder (default below); release binaries of each
#                              # commit are kept there, by commit, between runs
set -euo pipefail
cd "$(dirname "$0")/.."
(($#)) || { echo "usage: bench/instructions.sh BEFORE..AFTER ..." >&2; exit 2; }

# shellcheck source=bench/common.sh
. bench/common.sh
need valgrind=valgrind

kept_dir /dev/shm/briefing-instructions
SIZES=${BENCH_PAGES:-1000}

# The generator from the working tree; each commit's binary from a detached worktree of it,
# in one target folder of their own (dependencies compiled once for all).
cargo build --release -p briefing-bench --bin gen
GEN=$TARGET/release/gen
binary() {
  local rev bin src
  rev=$(git rev-parse --short "$1")
  bin="$DIR/bin-$rev"
  if [ ! -x "$bin" ]; then
    src="$DIR/src-$rev"
    rm -rf "$src"
    git worktree add --detach "$src" "$rev" >/dev/null
    CARGO_TARGET_DIR=$TARGET/bench-history cargo build --release \
      --manifest-path "$src/Cargo.toml" -p briefing --bin briefing >&2
    cp "$TARGET/bench-history/release/briefing" "$bin"
    git worktree remove --force "$src"
  fi
  echo "$bin"
}

# Instructions of one command, as callgrind's "Collected" line says.
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    sed -n 's/.*Collected : //p'
}

rows=()
for n in $SIZES; do
  site="$DIR/site-$n"
  [ -d "$site" ] || "$GEN" --pages "$n" --seed 42 --out "$site" >/dev/null
  for pair in "$@"; do
    before=${pair%%..*} after=${pair##*..}
    b=$(binary "$before") a=$(binary "$after")
    for what in build check; do
      args=("$what" -q --root "$site")
      [ "$what" = build ] && args+=(--output "$DIR/out")
      rm -rf "$DIR/out"
      cb=$(count "$b" "${args[@]}")
      rm -rf "$DIR/out"
      ca=$(count "$a" "${args[@]}")
      rows+=("$(git rev-parse --short "$before") $(git rev-parse --short "$after") $what $n $cb $ca")
    done
  done
done
rm -rf "$DIR/out"

{
  echo "# Instructions, before and after"
  echo
  echo "\`bench/instructions.sh $*\` on $(date -u '+%Y-%m-%d %H:%M') UTC: callgrind's count of"
  echo "instructions (all threads), one run each, release builds of each commit, on the same"
  echo "generated sites (\`bench/src/lib.rs\`, seed 42)."
  echo
  echo "| before | after | what | pages | before M | after M | after / before |"
  echo "|---|---|---|---:|---:|---:|---:|"
  for r in "${rows[@]}"; do
    read -r rb ra what n cb ca <<<"$r"
    awk -v rb="$rb" -v ra="$ra" -v w="$what" -v n="$n" -v cb="$cb" -v ca="$ca" 'BEGIN {
      printf "| `%s` | `%s` | %s | %d | %.1f | %.1f | %.3f |\n", rb, ra, w, n, cb / 1e6, ca / 1e6, ca / cb
    }'
  done
} > bench/INSTRUCTIONS.md
cat bench/INSTRUCTIONS.md

#!/usr/bin/env bash
# What the binder (book.pdf, issue 28) costs: the bundled book built with and without its PDF,
# and a generated book (1,000 pages by default) built without and with `--pdf`, timed in
# alternating rounds (bench/alternate.py: medians and per-round ratios), with each build's
# peak memory (/usr/bin/time -v, median of three) and the PDF's sheets. Writes the table to
# bench/PDF.md and prints it.
#
#   bench/pdf.sh                  # from the repository root (or anywhere)
#   BENCH_RUNS=5                  # timed runs per command (default 7, after 1 warm-up)
#   BENCH_PAGES="1000"            # generated book sizes
#   BENCH_DIR=/dev/shm/x          # scratch folder (default below; tmpfs)
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=bench/common.sh
. bench/common.sh
need /usr/bin/time=time python3=python3 pdfinfo=poppler-utils

RUNS=${BENCH_RUNS:-7}
SIZES=${BENCH_PAGES:-1000}
scratch_dir /dev/shm/briefing-pdf
cargo build --release --workspace
B=$TARGET/release/briefing
GEN=$TARGET/release/gen
rev="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src templates static Cargo.toml || echo +changes)"
cat /proc/loadavg > "$DIR/load-start.txt"

# The bundled book as it ships (pdf = true), and a copy with the PDF off.
with="$DIR/bundled" without="$DIR/bundled-no-pdf"
mkdir -p "$with" "$without"
cp -r briefing.toml content "$with/"
cp -r briefing.toml content "$without/"
sed -i 's/^pdf = true$/pdf = false/' "$without/briefing.toml"
ow="$DIR/out-bundled" oo="$DIR/out-bundled-no-pdf"
python3 bench/alternate.py --warmup 1 --runs "$RUNS" --export-json "$DIR/bundled.json" \
  --prepare "rm -rf '$ow' '$oo'" \
  -n "bundled, no PDF" "'$B' build -q --root '$without' --output '$oo'" \
  -n "bundled, with its PDFs" "'$B' build -q --root '$with' --output '$ow'"
{
  echo "bundled, no PDF $(peak_mb "$oo" "$B" build -q --root "$without" --output "$oo")"
  echo "bundled, with its PDFs $(peak_mb "$ow" "$B" build -q --root "$with" --output "$ow")"
} > "$DIR/memory-bundled.txt"
"$B" build -q --root "$with" --output "$ow"
{
  echo "bundled, with its PDFs $(pdfinfo "$ow/book.pdf" | awk '/^Pages:/ { print $2 }')"
} > "$DIR/sheets-bundled.txt"

for n in $SIZES; do
  site="$DIR/site-$n"
  "$GEN" --pages "$n" --seed 42 --out "$site" > "$DIR/gen-$n.txt"
  oh="$DIR/out-html-$n" op="$DIR/out-pdf-$n"
  python3 bench/alternate.py --warmup 1 --runs "$RUNS" --export-json "$DIR/gen-$n.json" \
    --prepare "rm -rf '$oh' '$op'" \
    -n "$n pages, no PDF" "'$B' build -q --root '$site' --output '$oh'" \
    -n "$n pages, --pdf" "'$B' build -q --pdf --root '$site' --output '$op'"
  {
    echo "$n pages, no PDF $(peak_mb "$oh" "$B" build -q --root "$site" --output "$oh")"
    echo "$n pages, --pdf $(peak_mb "$op" "$B" build -q --pdf --root "$site" --output "$op")"
  } > "$DIR/memory-$n.txt"
  "$B" build -q --pdf --root "$site" --output "$op"
  echo "$n pages, --pdf $(pdfinfo "$op/book.pdf" | awk '/^Pages:/ { print $2 }')" > "$DIR/sheets-$n.txt"
done
cat /proc/loadavg > "$DIR/load-end.txt"

python3 - "$DIR" "$rev" "$SIZES" > bench/PDF.md <<'PY'
import datetime, json, os, statistics, sys
d, rev, sizes = sys.argv[1:4]
load = lambda f: " ".join(open(f"{d}/{f}").read().split()[:3])
pairs = lambda f: dict(l.rsplit(" ", 1) for l in open(f"{d}/{f}").read().split("\n") if l)
out = ["# What the PDF costs\n"]
out.append(f"`bench/pdf.sh` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC at `{rev}`, "
           f"{os.cpu_count()} cores, release profile, sites and outputs on tmpfs. Load average (1, 5, 15 min) "
           f"at the start: {load('load-start.txt')}, at the end: {load('load-end.txt')}.\n")
out.append("| what | median s | with ÷ without (medians) | (per round) | + s (medians) | peak MiB | PDF sheets |")
out.append("|---|---:|---:|---:|---:|---:|---:|")
groups = [("bundled", "bundled, no PDF", "bundled, with its PDFs")]
groups += [(f"gen-{n}", f"{n} pages, no PDF", f"{n} pages, --pdf") for n in sizes.split()]
for key, base, what in groups:
    runs = {r["command"]: r for r in json.load(open(f"{d}/{key}.json"))["results"]}
    mem = pairs(f"memory-{key.replace('gen-', '')}.txt")
    sheets = pairs(f"sheets-{key.replace('gen-', '')}.txt")
    b, w = runs[base], runs[what]
    rounds = [x / y for x, y in zip(w["times"], b["times"])]
    out.append(f"| {base} | {b['median']:.3f} | | | | {mem.get(base, '')} | |")
    out.append(f"| {what} | {w['median']:.3f} | {w['median'] / b['median']:.2f} | {statistics.median(rounds):.2f} | "
               f"{w['median'] - b['median']:+.3f} | {mem.get(what, '')} | {sheets.get(what, '')} |")
out.append("\nThe bundled book writes two PDFs (English and French). The generated book is `bench/src/lib.rs` "
           "(seed 42), built with `--pdf`. Timed runs per command: "
           f"{len(b['times'])}, in alternating rounds (`bench/alternate.py`, after one warm-up round). "
           "Rerun: `bench/pdf.sh` (`BENCH_RUNS`, `BENCH_PAGES`).\n")
print("\n".join(out))
PY
cat bench/PDF.md

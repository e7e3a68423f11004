# Shared by bench/run.sh and bench/compare.sh (sourced, from the repository root).

# Installs with apt-get the packages whose command is missing. Usage:
# need COMMAND=PACKAGE ... (e.g. need hyperfine=hyperfine /usr/bin/time=time)
need() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
  done
  if ((${#missing[@]})); then
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  fi
}

# Sets DIR to BENCH_DIR (or the default given) and makes it a fresh, empty folder,
# refusing the few places that must never be emptied.
scratch_dir() {
  kept_dir "$1"
  rm -rf "$DIR"
  mkdir -p "$DIR"
}

# The same folder, refused likewise, but kept as it is (instructions.sh keeps each commit's
# binary there between runs).
kept_dir() {
  DIR=${BENCH_DIR:-$1}
  case "$DIR" in
    "" | / | "$HOME" | "$PWD") echo "refusing BENCH_DIR=$DIR" >&2; exit 2 ;;
  esac
  mkdir -p "$DIR"
}

# Peak resident memory in MB of a command (median of 3 runs, each into a fresh output).
# Usage: peak_mb OUTPUT_DIR command...
peak_mb() {
  local out=$1
  shift
  for _ in 1 2 3; do
    rm -rf "$out"
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ { print $2 }'
  done | sort -n | sed -n 2p | awk '{ printf "%.0f", $1 / 1024 }'
}

# Where cargo puts its builds: CARGO_TARGET_DIR when set (as cargo itself follows it), else
# target/ in the repository.
TARGET=${CARGO_TARGET_DIR:-$PWD/target}

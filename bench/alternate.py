#!/usr/bin/env python3
"""Times commands in alternating rounds and writes hyperfine-shaped JSON.

On a shared machine the load changes over seconds: timing every run of one command and
then every run of the other (as hyperfine does) lets a slow spell fall on one of them.
Here each round runs every command once, in an order that turns round each time, so all
of them see the same conditions; the median of each is reported.

    bench/alternate.py --runs 7 --warmup 1 --export-json OUT.json \
        --prepare 'rm -rf out' -n 'build before' 'CMD…' -n 'build after' 'CMD…'

Commands run through the shell, as in hyperfine. `--prepare` runs before every timed
run, untimed. Beside the wall time, each run's CPU time (user + system, of the command and
its children) is recorded. The times of each command are in round order, so that ratios
can be taken within a round.
"""
import argparse
import json
import resource
import statistics
import subprocess
import sys
import time


def run(cmd):
    subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--prepare", default=None)
    ap.add_argument("--export-json", required=True)
    ap.add_argument("-n", "--name", action="append", required=True)
    ap.add_argument("commands", nargs="+")
    args = ap.parse_intermixed_args()
    if len(args.name) != len(args.commands):
        ap.error("give one -n NAME per command")
    times = {name: [] for name in args.name}
    cpu_times = {name: [] for name in args.name}
    pairs = list(zip(args.name, args.commands))
    for round_ in range(args.warmup + args.runs):
        order = pairs if round_ % 2 == 0 else pairs[::-1]
        for name, cmd in order:
            if args.prepare:
                run(args.prepare)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            run(cmd)
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if round_ >= args.warmup:
                times[name].append(elapsed)
                cpu_times[name].append(cpu)
    results = [
        {"command": name, "median": statistics.median(ts), "mean": statistics.mean(ts),
         "min": min(ts), "max": max(ts), "times": ts,
         "cpu_median": statistics.median(cpu_times[name]), "cpu_times": cpu_times[name]}
        for name, ts in times.items()
    ]
    with open(args.export_json, "w") as f:
        json.dump({"results": results}, f, indent=1)
    for r in results:
        print(f"{r['command']}: median {r['median']:.3f} s, min {r['min']:.3f}, "
              f"max {r['max']:.3f} (n={len(r['times'])}); CPU median {r['cpu_median']:.3f} s")


if __name__ == "__main__":
    sys.exit(main())

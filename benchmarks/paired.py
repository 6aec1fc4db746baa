#!/usr/bin/env python3
"""Two or more builds of bellwork, side by side on one file: `python3 benchmarks/paired.py RUNS FILE BIN [BIN ...]
[-- ARGS]` runs `ffmpeg -v error -i FILE -f null -` and then each BIN's `analyze FILE --output /dev/null ARGS`, RUNS
rounds in turn, and prints for each the median wall time, CPU time (user + system, all threads), peak resident memory
and the ratio to the same round's ffmpeg (median, min-max). On a shared machine only runs side by side compare; this
is how a change's cost or gain is measured before `make bench` runs the whole matrix.
"""
import os, statistics, subprocess, sys, time


def timed(cmd):
    started = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    return time.time() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, status


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    runs, path, rest = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    extra = rest[rest.index("--") + 1:] if "--" in rest else []
    bins = rest[:rest.index("--")] if "--" in rest else rest
    ff, results = [], {b: [] for b in bins}
    for _ in range(runs):
        ff.append(timed(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"]))
        for b in bins:
            results[b].append(timed([b, "analyze", path, "--output", "/dev/null", *extra]))
    med = lambda rows, i: statistics.median(r[i] for r in rows)
    print(f"ffmpeg -f null: wall {med(ff, 0):.2f} s, CPU {med(ff, 1):.2f} s, peak {max(r[2] for r in ff):.0f} MB")
    for b in bins:
        rows = results[b]
        ratios = [r[0] / f[0] for r, f in zip(rows, ff)]
        failed = [r[3] for r in rows if r[3] != 0]
        print(f"{b}: wall {med(rows, 0):.2f} s, CPU {med(rows, 1):.2f} s, peak {max(r[2] for r in rows):.0f} MB, "
              f"ratio {statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f})"
              + (f", FAILED {len(failed)} runs" if failed else ""))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Which trackers heard each bell: for every trial with a bell in a folder of saved candidates (`scripts/fit_bells.py
candidates … --out OUT`), whether a candidate of the finer spectrum (`fineLines`) and one of the other trackers starts
within 1 s of the true onset, counted by bell kind (the library's manifest kind; for lessons, the kind in the truth's
notes). It measures what the trackers offer the classifier, not what the classifier takes.

    scripts/bell_coverage.py OUT [--prefix trials-fresh]
"""
import argparse, csv, glob, json, os, re
from collections import defaultdict


def kind_of(meta):
    if meta.get("kind") and meta["kind"] != "lesson":
        return meta["kind"]
    notes = json.load(open(os.path.splitext(meta["recording"])[0] + ".truth.json")).get("notes", "")
    found = re.search(r"\. (\w+) at [\d.]+ s", notes)
    return found.group(1) if found else "lesson"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--prefix", default="", help="only the trials whose saved name starts so (e.g. trials-fresh)")
    args = parser.parse_args()
    counts = defaultdict(lambda: [0, 0, 0])
    for path in sorted(glob.glob(os.path.join(args.out, args.prefix + "*.meta.json"))):
        meta = json.load(open(path))
        onset = meta.get("onset")
        if onset is None:
            continue
        rows = list(csv.DictReader(open(path[: -len(".meta.json")] + ".csv")))
        near = [r["found"] for r in rows if abs(float(r["start"]) - onset) <= 1]
        c = counts[kind_of(meta)]
        c[0] += 1
        c[1] += "fineLines" in near
        c[2] += any(f != "fineLines" for f in near)
    print(f"{'bell kind':<24} {'bells':>6} {'a fine candidate':>17} {'another candidate':>18}")
    for kind, (n, fine, other) in sorted(counts.items()):
        print(f"{kind:<24} {n:>6} {fine:>17} {other:>18}")


if __name__ == "__main__":
    main()

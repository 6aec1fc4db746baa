#!/usr/bin/env python3
"""Where the segmenter is wrong, by the generator's phase: for each phase of the diverse lessons (their truth notes
list the phases in order, with their lengths), its minutes and the share of its time labelled the wrong side of
transition / on task, and the share labelled the wrong on-task kind, every half second.

Usage: scripts/phase_errors.py [--options] RESULTS:TRUTHS [RESULTS:TRUTHS ...]
  RESULTS: a folder of NAME.json results (e.g. scripts/trials.sh's, kept with BELLWORK_KEEP=DIR)
  TRUTHS:  the folder of the same lessons' NAME.truth.json (e.g. Fixtures/trials/fresh28)
  --options: keep each phase's options apart (group(lively) from group)."""
import collections
import glob
import json
import os
import re
import sys


def kind_at(segments, t):
    for s in segments:
        if s["start"] <= t < s["end"]:
            return s["kind"]
    return segments[-1]["kind"] if segments else None


def main(argv):
    options = "--options" in argv
    pairs = [a for a in argv if not a.startswith("--")]
    if not pairs:
        sys.exit(__doc__)
    total, wrong, wrong_kind = collections.Counter(), collections.Counter(), collections.Counter()
    for pair in pairs:
        results, truths = pair.split(":", 1)
        for path in sorted(glob.glob(os.path.join(truths, "*.truth.json"))):
            name = os.path.basename(path)[:-len(".truth.json")]
            result = os.path.join(results, name + ".json")
            if not os.path.exists(result):
                continue
            truth, res = json.load(open(path)), json.load(open(result))
            m = re.search(r"students; (.*?)\. ", truth.get("notes", ""))
            if not m:
                continue
            phases, x = [], 0.0
            for p in m.group(1).split(", "):
                pm = re.match(r"(\w+)(\([^)]*\))? (\d+) s", p)
                if not pm:
                    phases = []
                    break
                length = float(pm.group(3))
                phases.append((pm.group(1) + ((pm.group(2) or "") if options else ""), x, x + length))
                x += length
            for phase, a, b in phases:
                t = a + 0.25
                while t < b:
                    tk, rk = kind_at(truth["segments"], t), kind_at(res["segments"], t)
                    if tk not in (None, "unknown"):
                        total[phase] += 0.5
                        if (tk == "transition") != (rk == "transition"):
                            wrong[phase] += 0.5
                        elif tk != rk:
                            wrong_kind[phase] += 0.5
                    t += 0.5
    if not total:
        return                                          # no lesson whose truth lists its phases
    all_wrong = sum(wrong.values()) or 1
    print(f"{'phase':28s} {'minutes':>8s} {'wrong side':>10s} {'of all wrong':>12s} {'wrong kind':>10s}")
    for p in sorted(total, key=lambda p: -wrong[p]):
        print(f"{p:28s} {total[p] / 60:8.1f} {100 * wrong[p] / total[p]:9.1f}% {100 * wrong[p] / all_wrong:11.1f}% "
              f"{100 * wrong_kind[p] / total[p]:9.1f}%")


if __name__ == "__main__":
    main(sys.argv[1:])

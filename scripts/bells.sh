#!/usr/bin/env bash
# The bell detector alone, over the sound-only bell trials of `make fixtures-bells` (Fixtures/bells/):
# per trial, the bell error as `bellwork score` prints it, then a count per outcome and per bell kind.
# Usage: scripts/bells.sh [tune|check] [extra analyze options, e.g. --config FILE]
#   tune:  the trials the detector's settings are chosen on (default)
#   check: the held-out trials, from other seeds: run once a setting is chosen, not to choose it
set -euo pipefail
source "$(dirname "$0")/lib.sh"
split=${1:-tune}; [ $# -gt 0 ] && shift
dir=Fixtures/bells/$split
require_set "$dir" fixtures-bells
for truth in "$dir"/*.truth.json; do
  analyse "$dir/$(basename "$truth" .truth.json).m4a" "$truth" "$work" "$@"
done
wait_analyses
"$bin" score "$work" "$work" --format json > "$work/score.json"
python3 - "$work/score.json" "$dir" <<'PY'
import collections, json, os, sys
score = json.load(open(sys.argv[1]))
lessons = score["lessons"]
tally, by_kind = collections.Counter(), collections.defaultdict(collections.Counter)
for name, item in sorted(lessons.items()):
    notes = json.load(open(os.path.join(sys.argv[2], name + ".truth.json"))).get("notes", "")
    kind = notes.split(" at ")[0].replace("Sound only. ", "") if "no bell" not in notes else "no bell"
    bell = item["bell"]
    outcome = bell["outcome"]
    err = bell.get("errorSeconds")
    if outcome == "found":
        outcome = "within 1 s" if err <= 1.0 else "off by more than 1 s"
    elif outcome == "noBell":
        outcome = "none, rightly"
    elif outcome == "extra":
        outcome = "bell where there is none"
    tally[outcome] += 1
    by_kind[kind][outcome] += 1
    shown = f"{err:.2f} s" if err is not None else ""
    print(f"{name:18} {kind:26} {outcome:26} {shown}")
print()
print(f"{len(lessons)} trials: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
for kind, c in sorted(by_kind.items()):
    print(f"  {kind:26} " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
PY

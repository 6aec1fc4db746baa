#!/usr/bin/env bash
# Compares the results of two bellwork binaries on the same recordings: every field of the contract's JSON
# but `tool`, `settings` (whose layout may change), `warnings` and `status` (added in issue 16), and the
# --features and --bell-candidates tables.
# A refactoring must leave them identical.
#   scripts/compare-results.sh OLD_BINARY NEW_BINARY [RECORDING...]
# Without recordings: every fixture lesson, the sample lesson, and the lesson trials when rendered
# (`make fixtures-trials`).
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2
shift 2
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  for t in Fixtures/lessons/*.truth.json Fixtures/trials/*/*.truth.json; do
    [ -e "$t" ] || continue
    files+=("$(ls "${t%.truth.json}".* | grep -v '\.json$' | head -1)")
  done
  files+=(Fixtures/sample-lesson.mp4)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
differ=0
for f in "${files[@]}"; do
  for side in old new; do
    bin=$old; [ $side = new ] && bin=$new
    "$bin" analyze "$f" --format json --quiet --output "$work/$side.json" \
      --features "$work/$side.features.csv" --bell-candidates "$work/$side.bells.csv" || echo "exit $?" > "$work/$side.json"
  done
  if ! python3 - "$work/old.json" "$work/new.json" <<'PY'
import json, sys
def load(p):
    try: d = json.load(open(p))
    except ValueError: return open(p).read()
    for k in ("tool", "settings", "warnings", "status"): d.pop(k, None)
    return d
sys.exit(0 if load(sys.argv[1]) == load(sys.argv[2]) else 1)
PY
  then echo "DIFFERENT result: $f"; differ=1; continue; fi
  # The features table lost its motionSweep column with the sweep feature; the rest must be equal.
  python3 - "$work/old.features.csv" "$work/new.features.csv" <<'PY' || { echo "DIFFERENT features: $f"; differ=1; continue; }
import csv, sys
def rows(p):
    r = list(csv.DictReader(open(p)))
    return [{k: v for k, v in row.items() if k != "motionSweep"} for row in r]
sys.exit(0 if rows(sys.argv[1]) == rows(sys.argv[2]) else 1)
PY
  cmp -s "$work/old.bells.csv" "$work/new.bells.csv" || { echo "DIFFERENT bell candidates: $f"; differ=1; continue; }
  echo "same: $f"
done
exit $differ

#!/usr/bin/env bash
# Scores Bellwork against the fixture lessons' ground truth, by the contract's accuracy measures:
# the validation set (never tuned on) and the tune set, each as `bellwork score` prints it, and the extra
# tune lessons of `make fixtures-extra` when Fixtures/extra/ holds them.
# Usage: scripts/accuracy.sh [extra analyze options, e.g. --decode full]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/bellwork
[ -x "$bin" ] || swift build -c release --product bellwork >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for set in validation tune; do
  mkdir -p "$work/$set"
  for name in $(python3 -c "import json; print(' '.join(json.load(open('Fixtures/lessons/split.json'))['$set']))"); do
    lesson=$(ls Fixtures/lessons/"$name".* | grep -v '\.json$' | head -1)
    "$bin" analyze "$lesson" --format json --output "$work/$set/$name.json" --quiet "$@"
    ln -s "$PWD/Fixtures/lessons/$name.truth.json" "$work/$set/$name.truth.json"
  done
  echo "== $set set"
  "$bin" score "$work/$set" "$work/$set"
done
if ls Fixtures/extra/*.truth.json >/dev/null 2>&1; then
  mkdir -p "$work/extra"
  for truth in Fixtures/extra/*.truth.json; do
    name=$(basename "$truth" .truth.json)
    lesson=$(ls Fixtures/extra/"$name".* | grep -v '\.json$' | head -1)
    "$bin" analyze "$lesson" --format json --output "$work/extra/$name.json" --quiet "$@"
    ln -s "$PWD/$truth" "$work/extra/$name.truth.json"
  done
  echo "== extra tune set (make fixtures-extra)"
  "$bin" score "$work/extra" "$work/extra"
fi

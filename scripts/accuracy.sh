#!/usr/bin/env bash
# Scores Bellwork against the fixture lessons' ground truth, by the contract's accuracy measures:
# the validation set (never tuned on) and the tune set, each as `bellwork score` prints it, and the extra
# tune lessons of `make fixtures-extra` when Fixtures/extra/ holds them.
# Usage: scripts/accuracy.sh [extra analyze options, e.g. --decode full]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# score_set TITLE DIR NAME... [-- analyze options]: analyses DIR/NAME.* against DIR/NAME.truth.json, then scores.
score_set() {
  local title=$1 dir=$2; shift 2
  local names=() out="$work/$title"
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do names+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  mkdir -p "$out"
  for name in "${names[@]}"; do
    analyse "$(recording "$dir" "$name")" "$dir/$name.truth.json" "$out" "$@"
  done
  wait_analyses
  echo "== $title set"
  "$bin" score "$out" "$out"
}

for set in validation tune; do
  # shellcheck disable=SC2046
  score_set "$set" Fixtures/lessons $(python3 -c "import json; print(' '.join(json.load(open('Fixtures/lessons/split.json'))['$set']))") -- "$@"
done
if ls Fixtures/extra/*.truth.json >/dev/null 2>&1; then
  # shellcheck disable=SC2046
  score_set extra Fixtures/extra $(for t in Fixtures/extra/*.truth.json; do basename "$t" .truth.json; done) -- "$@"
fi

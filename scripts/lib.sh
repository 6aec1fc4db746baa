# Sourced by the scoring scripts (accuracy.sh, bells.sh, trials.sh): the release binary, a scratch folder
# removed on exit, and analyses of lessons beside their truth files, two at a time (the machines here have
# two cores; each analysis decodes with its own threads).
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=${BELLWORK_BIN:-.build/release/bellwork}   # BELLWORK_BIN: score another build
[ -x "$bin" ] || swift build -c release --product bellwork >/dev/null
if [ -n "${BELLWORK_KEEP:-}" ]; then   # BELLWORK_KEEP=DIR: keep the results and scores in DIR (new or empty)
  work=$BELLWORK_KEEP
  # Never into a folder that holds anything: nothing of the caller's is deleted or overwritten.
  if [ -e "$work" ] && [ -n "$(ls -A "$work" 2>/dev/null)" -o ! -d "$work" ]; then
    echo "BELLWORK_KEEP: $work exists and is not an empty folder" >&2; exit 64
  fi
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
analyses=()

# require_set DIR TARGET: exits 66 unless DIR holds truth files (rendered on demand by `make TARGET`).
require_set() {
  ls "$1"/*.truth.json >/dev/null 2>&1 || { echo "no lessons in $1: run make $2" >&2; exit 66; }
}

# recording DIR NAME: the recording beside DIR/NAME.truth.json.
recording() {
  ls "$1/$2".* | grep -v '\.json$' | head -1
}

# analyse LESSON TRUTH OUT [analyze options]: analyses LESSON into OUT/NAME.json (NAME from TRUTH) in the
# background, and links TRUTH beside it for `bellwork score`.
analyse() {
  local lesson=$1 truth=$2 out=$3 name
  shift 3
  name=$(basename "$truth" .truth.json)
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do sleep 0.1; done
  "$bin" analyze "$lesson" --format json --output "$out/$name.json" --quiet "$@" &
  analyses+=($!)
  ln -s "$PWD/$truth" "$out/$name.truth.json"
}

# wait_analyses: waits for every analysis started; exits 1 if one failed (its error is on standard error).
wait_analyses() {
  local pid failed=0
  for pid in "${analyses[@]}"; do wait "$pid" || failed=1; done
  analyses=()
  [ "$failed" -eq 0 ] || { echo "an analysis failed: no scores" >&2; exit 1; }
}

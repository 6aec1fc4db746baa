#!/usr/bin/env bash
# The whole analysis over the random lesson trials of `make fixtures-trials` (Fixtures/trials/), scored by
# the contract's accuracy measures as `bellwork score` prints them, then the signed time-on-task error
# (result minus truth: positive = more time on task than the truth): its mean (a bias), the mean of its size,
# and how many lessons are more than 5 points off; last, for the diverse sets, where the wrong labels fall, by the
# generator's phase (scripts/phase_errors.py).
# Usage: scripts/trials.sh [tune|check|check2|fit|fit2|fresh|fresh2|fresh3|fresh4|fresh5|fresh6|fresh7|fresh8|fresh9|fresh10|fresh11|fresh12|fresh13|fresh14|fresh15|fresh16|fit3|fresh17|fresh18|fresh19|fresh20|fresh21|fresh22|fresh23|fresh24|fresh25|fresh26|fresh27|fresh28|fresh29|fresh30|fresh31] [extra analyze options, e.g. --config FILE]
#   tune:  the trials the segmenter's settings are chosen on (default)
#   check: the held-out trials, from other seeds: run once a setting is chosen, not to choose it
#   fit:   the 80 diverse lessons the segmenter is fitted on (make fixtures-fit; scripts/fit.py)
#   fit2:  64 more diverse lessons, the rare kinds drawn more often (make fixtures-fit), fitted on since the second round
#   fresh: the 48 diverse lessons drawn after the first round's last change (make fixtures-fresh): run once, to report
#   fresh2: the 48 drawn after the second round's fit (make fixtures-fresh), run once, to report
#   fresh3: the 48 drawn after the second round's last change, the empty-room fix (make fixtures-fresh), run once
#   fresh4: the 48 drawn in the fifth session, the segmenter unchanged since fresh3 (make fixtures-fresh), run once
#   fresh5: the 48 drawn in the sixth session, after motion from one pair a second (make fixtures-fresh), run once
#   fresh6: the 48 drawn at the end of the sixth session, after its last change (make fixtures-fresh), run once
#   fresh7: the 48 drawn in the seventh session, after the loop filter was kept (make fixtures-fresh), run once
#   fresh8: the 48 drawn at the end of the seventh session, after its review's last change, run once
#   fresh9: the 48 drawn in the eighth session, after the refit on pictures evened out for a moving camera, run once
#   fresh10: the 48 drawn in the tenth session, before the segmenter's next change (the trees), run once after it
#   fresh11: the 48 drawn in the eleventh session, after the trees, run once at its end
#   fresh12: the 48 drawn at the start of the twelfth session, before its changes, set aside, run once at its end
#   fresh13: the 48 drawn at the end of the twelfth session, after its last change, run once in its review
#   fresh14: the 48 drawn at the start of the thirteenth session; the segmenter did not change, so it measured it as it was
#   fresh15: the 48 drawn at the end of the thirteenth session, set aside, run once at the end of the eighteenth
#   fresh16: the 48 drawn in the fifteenth session after its last change to the code, run once in its review
#   fit3:  64 diverse lessons drawn in the sixteenth session, the rare lessons often (a seated class under a still
#          camera with no transition among them, new), for the segmenter's next fit; measured once with it unchanged
#   fresh17: the 48 drawn in the sixteenth session with that lesson in the natural mix, run once after the seventeenth
#            session's refit of the kinds
#   fresh18: the 48 drawn in the seventeenth session after its last change, run once in its review
#   fresh19: the 48 drawn at the start of the eighteenth session, set aside, run once after its score change
#   fresh20: the 48 drawn in the eighteenth session before its last change, run once after it
#   fresh21: the 48 defined at the end of the eighteenth session, run once after its last change
#   fresh22: the 48 defined at the start of the nineteenth session, run once after its change
#   fresh23: the 48 defined in the nineteenth session after its first change, run once after its second
#   fresh24: the 48 defined after the nineteenth session's last change, run once at its end
#   fresh25: the 48 defined at the end of the nineteenth session, set aside, run once after the twentieth's change
#   fresh26: the 48 defined after the twentieth session's change, run once at its end
#   fresh27: the 48 defined at the end of the twentieth session, set aside, run once after the twenty-first's first change
#   fresh28: the 48 defined after the twenty-first session's second change (a still class without sound), run once after it
#   fresh29: the 48 defined at the end of the twenty-first session's work, run once in its review
#   fresh30: the 48 defined after that review, set aside, run once in the twenty-second session after the bell
#            detector's finer tracker (the segmenter unchanged since it was drawn)
#   fresh31: the 48 defined after that, set aside (not rendered) for the next change
# With SOUND_ONLY=1, each trial with sound is analysed from a copy of its soundtrack alone (ffmpeg -vn -c:a copy,
# the tool as a test helper only), to measure the sound-only segmenter on many more lessons than are sound only.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
split=${1:-tune}; [ $# -gt 0 ] && shift
dir=Fixtures/trials/$split
require_set "$dir" fixtures-trials
for truth in "$dir"/*.truth.json; do
  name=$(basename "$truth" .truth.json)
  lesson=$(recording "$dir" "$name")
  if [ -n "${SOUND_ONLY:-}" ]; then
    [ -n "$(ffprobe -v error -select_streams a -show_entries stream=index -of csv=p=0 "$lesson")" ] || continue
    case "$lesson" in *.webm) copy="$work/$name.sound.mka" ;; *) copy="$work/$name.sound.m4a" ;; esac
    ffmpeg -v error -y -i "$lesson" -vn -c:a copy "$copy"
    lesson=$copy
  fi
  analyse "$lesson" "$truth" "$work" "$@"
done
wait_analyses
"$bin" score "$work" "$work"
"$bin" score "$work" "$work" --format json > "$work/score.json"
python3 - "$work" <<'PY'
import glob, json, os, sys
# The issue's figures: medians and the worst of the time-on-task and bell-to-work errors.
lessons = json.load(open(os.path.join(sys.argv[1], "score.json")))["lessons"].values()
def median(a):
    a = sorted(a)
    return (a[len(a) // 2] if len(a) % 2 else (a[len(a) // 2 - 1] + a[len(a) // 2]) / 2) if a else float("nan")
tot = [s["timeOnTaskErrorPoints"] for s in lessons if s["timeOnTaskErrorPoints"] is not None]
lat = [s["latencyErrorSeconds"] for s in lessons if s.get("latencyErrorSeconds") is not None]
print(f"time-on-task error median {median(tot):.2f} points, worst {max(tot, default=float('nan')):.2f}; "
      f"bell-to-work error median {median(lat):.1f} s, worst {max(lat, default=float('nan')):.1f} s ({len(lat)} lessons with both)")
# The diverse sets' truths say what kind of lesson and which camera: the same figures for each.
import re
def figures(names):
    n = len(names)
    t = [scores[x]["timeOnTaskErrorPoints"] for x in names if scores[x]["timeOnTaskErrorPoints"] is not None]
    la = [scores[x]["latencyErrorSeconds"] for x in names if scores[x].get("latencyErrorSeconds") is not None]
    return (f"{n} lessons: agreement {100 * sum(scores[x]['labelAgreement'] for x in names) / n:.1f} %, kinds "
            f"{100 * sum(scores[x]['kindAgreement'] for x in names) / n:.1f} %, F1 "
            f"{sum(scores[x]['transitions']['f1'] for x in names) / n:.2f}, time-on-task error median {median(t):.2f} worst "
            f"{max(t, default=float('nan')):.2f}, bell-to-work median {median(la):.1f} worst {max(la, default=float('nan')):.1f} s")
scores = json.load(open(os.path.join(sys.argv[1], "score.json")))["lessons"]
groups = {}
for name in scores:
    notes = json.load(open(os.path.join(sys.argv[1], name + ".truth.json"))).get("notes", "")
    m = re.match(r"Random diverse lesson \(seed \d+\): ([^;]+); camera (\w+)", notes)
    if m:
        groups.setdefault("lesson " + m.group(1), []).append(name)
        groups.setdefault("camera " + m.group(2), []).append(name)
if groups:
    for key in sorted(groups):
        print(f"  {key}: {figures(groups[key])}")
    settled = [x for x in scores if x not in groups.get("lesson never_settles", [])]
    print(f"  all but the lessons that never settle: {figures(settled)}")
errors = []
for truth in sorted(glob.glob(os.path.join(sys.argv[1], "*.truth.json"))):
    result = json.load(open(truth[: -len(".truth.json")] + ".json"))["metrics"]["timeOnTaskPercent"]
    expected = json.load(open(truth))["metrics"]["timeOnTaskPercent"]
    if result is not None and expected is not None:
        errors.append(result - expected)
if errors:
    print(f"signed time-on-task error (result - truth): mean {sum(errors) / len(errors):+.2f} pts, "
          f"{sum(e > 0 for e in errors)} over, {sum(e < 0 for e in errors)} under; "
          f"mean size {sum(abs(e) for e in errors) / len(errors):.2f} pts, "
          f"{sum(abs(e) > 5 for e in errors)} more than 5 pts off")
PY
# Where the wrong labels fall, by the generator's phase (the diverse sets' truths list them; nothing for the others).
python3 "$(dirname "$0")/phase_errors.py" "$work:$work"

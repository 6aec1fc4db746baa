#!/usr/bin/env python3
"""Check every fixture truth file against the contract.

  python3 Fixtures/generator/check_truth.py [--media] [FILE.truth.json ...]

For each truth file: validates it against the relevant parts of shared/contract/analysis.schema.json
(schemaVersion, durationSeconds, bell, segments, metrics; `bell.source`/`confidence` and segment
`confidence` may be left out, as the contract allows for truth); checks that the segments are consecutive
and cover [0, durationSeconds] with no gaps or overlaps; recomputes the metrics from the bell and the
segments (settleSeconds 30) and compares; checks times are rounded to 0.01 s; checks split.json.
With --media, also checks durationSeconds against the media file's duration (ffprobe).
Exit status 0 when all is well; prints one line per problem otherwise.
"""

import argparse
import copy
import glob
import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import truth  # noqa: E402

FIXTURES = os.path.normpath(os.path.join(HERE, ".."))
# The shared folder (contract, media): BELLWORK_SHARED, or `shared` beside the repository.
SHARED = os.environ.get("BELLWORK_SHARED") or os.path.join(FIXTURES, "..", "..", "shared")
SCHEMA_CANDIDATES = [os.path.join(SHARED, "contract", "analysis.schema.json")]
MEDIA_EXT = (".mp4", ".mov", ".webm", ".m4a", ".wav", ".mkv")


def truth_schema():
    path = next((p for p in SCHEMA_CANDIDATES if os.path.exists(p)), None)
    if path is None:
        raise SystemExit("check_truth: cannot find shared/contract/analysis.schema.json")
    with open(path) as f:
        full = json.load(f)
    props = full["properties"]
    s = {
        "$schema": full["$schema"],
        "type": "object",
        "required": ["schemaVersion", "durationSeconds", "bell", "segments", "metrics"],
        "properties": {k: copy.deepcopy(props[k]) for k in
                       ("schemaVersion", "durationSeconds", "bell", "segments", "metrics")},
    }
    s["properties"]["notes"] = {"type": "string"}
    # truth may carry the bell's time alone and leave out segment confidence
    bell_obj = s["properties"]["bell"]["oneOf"][1]
    bell_obj["required"] = ["timeSeconds"]
    s["properties"]["segments"]["items"]["required"] = ["start", "end", "kind"]
    return s


def is_rounded(x):
    return abs(round(x, 2) - x) < 1e-9


def check_file(path, schema, with_media):
    problems = []
    with open(path) as f:
        t = json.load(f)
    try:
        jsonschema.validate(t, schema)
    except jsonschema.ValidationError as e:
        return [f"schema: {e.message} at {list(e.absolute_path)}"]
    dur = t["durationSeconds"]
    segs = t["segments"]
    if not segs:
        problems.append("no segments")
        return problems
    if segs[0]["start"] != 0:
        problems.append(f"first segment starts at {segs[0]['start']}, not 0")
    if abs(segs[-1]["end"] - dur) > 1e-9:
        problems.append(f"last segment ends at {segs[-1]['end']}, not durationSeconds {dur}")
    for i, s in enumerate(segs):
        if not s["end"] > s["start"]:
            problems.append(f"segment {i} is empty or reversed: {s}")
        if i and abs(s["start"] - segs[i - 1]["end"]) > 1e-9:
            problems.append(f"gap or overlap between segments {i - 1} and {i}")
        for k in ("start", "end"):
            if not is_rounded(s[k]):
                problems.append(f"segment {i} {k} not rounded to 0.01: {s[k]}")
    if t["bell"] is not None:
        b = t["bell"]["timeSeconds"]
        if not (0 <= b <= dur):
            problems.append(f"bell at {b} outside [0, {dur}]")
        if not is_rounded(b):
            problems.append(f"bell time not rounded to 0.01: {b}")
    want = truth.compute_metrics(t["bell"], segs, dur)
    for k, v in want.items():
        got = t["metrics"].get(k)
        if v is None or got is None:
            if v != got:
                problems.append(f"metrics.{k}: file has {got}, recomputed {v}")
        elif abs(got - v) > 0.0051:
            problems.append(f"metrics.{k}: file has {got}, recomputed {v}")
    if with_media:
        import media
        base = path[: -len(".truth.json")]
        found = [base + e for e in MEDIA_EXT if os.path.exists(base + e)]
        if not found:
            problems.append("no media file beside the truth file")
        for m in found:
            d, _ = media.media_duration(m)
            if abs(d - dur) > 0.02:
                problems.append(f"durationSeconds {dur} but {os.path.basename(m)} lasts {d:.3f} s")
    return problems


def check_split():
    p = os.path.join(FIXTURES, "lessons", "split.json")
    if not os.path.exists(p):
        return ["lessons/split.json is missing"]
    with open(p) as f:
        split = json.load(f)
    names = {os.path.basename(x)[: -len(".truth.json")]
             for x in glob.glob(os.path.join(FIXTURES, "lessons", "*.truth.json"))}
    tune, val = set(split.get("tune", [])), set(split.get("validation", []))
    purpose = set(split.get("purpose", []))      # purpose-made lessons: in neither the tune nor the validation set
    out = []
    if tune & val:
        out.append(f"split.json: in both sets: {sorted(tune & val)}")
    if purpose & (tune | val):
        out.append(f"split.json: purpose lessons also in tune or validation: {sorted(purpose & (tune | val))}")
    if (tune | val | purpose) != names:
        out.append(f"split.json: not matching the lessons: missing {sorted(names - tune - val - purpose)}, "
                   f"unknown {sorted((tune | val | purpose) - names)}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*")
    ap.add_argument("--media", action="store_true", help="also compare durations with the media (ffprobe)")
    args = ap.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(FIXTURES, "lessons", "*.truth.json"))
                                 + glob.glob(os.path.join(FIXTURES, "*.truth.json")))
    schema = truth_schema()
    bad, total = 0, len(files)
    for p in files:
        probs = check_file(p, schema, args.media)
        for pr in probs:
            print(f"{os.path.relpath(p)}: {pr}")
        bad += bool(probs)
    if not args.files:
        sp = check_split()
        for pr in sp:
            print(pr)
        bad += bool(sp)
        total += 1
    print(f"{total - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

"""Ground-truth files: the contract's metrics computed from a bell and segments.

Definitions follow shared/contract/README.md ("Metrics"), with settleSeconds 30.
Shared by make_fixtures.py (which writes truth) and check_truth.py (which re-checks it).
"""

import json

KINDS = ("transition", "instruction", "independent", "group", "unknown")
ON_TASK = ("instruction", "independent", "group")
SETTLE_SECONDS = 30.0


def r2(x):
    """Round a time to 0.01 s (and turn -0.0 into 0.0)."""
    v = round(float(x) + 0.0, 2)
    return 0.0 if v == 0 else v


def _inside(seg, lo, hi):
    """Seconds of [start, end) inside [lo, hi)."""
    return max(0.0, min(seg["end"], hi) - max(seg["start"], lo))


def bell_to_work(bell_time, segments, class_end, settle=SETTLE_SECONDS):
    """Earliest t >= bell with [t, t + settle) free of transition and unknown segments.

    Past the end of the recording counts as clear. A blocking segment blocks t when it
    overlaps [t, t + settle) by a positive length. The earliest such t is either the
    bell itself or the end of a blocking segment, so only those candidates are tried.
    """
    blocking = [s for s in segments if s["kind"] in ("transition", "unknown")]
    candidates = sorted({bell_time} | {s["end"] for s in blocking if s["end"] > bell_time})
    for t in candidates:
        if t >= class_end:
            break
        hi = t + settle
        if not any(s["start"] < hi and s["end"] > t for s in blocking):
            return t - bell_time
    return class_end - bell_time


def compute_metrics(bell, segments, duration, settle=SETTLE_SECONDS):
    start = float(bell["timeSeconds"]) if bell is not None else 0.0
    end = float(duration)
    class_seconds = max(0.0, end - start)
    on_task = sum(_inside(s, start, end) for s in segments if s["kind"] in ON_TASK)
    trans_parts = [_inside(s, start, end) for s in segments if s["kind"] == "transition"]
    trans_parts = [p for p in trans_parts if p > 0]
    metrics = {
        "classStartSeconds": r2(start),
        "classEndSeconds": r2(end),
        "classSeconds": r2(class_seconds),
        "onTaskSeconds": r2(on_task),
        "timeOnTaskPercent": r2(100.0 * on_task / class_seconds) if class_seconds > 0 else 0.0,
        "transitionCount": len(trans_parts),
        "transitionSeconds": r2(sum(trans_parts)),
        "meanTransitionSeconds": r2(sum(trans_parts) / len(trans_parts)) if trans_parts else 0.0,
        "longestTransitionSeconds": r2(max(trans_parts)) if trans_parts else 0.0,
        "bellToWorkSeconds": r2(bell_to_work(start, segments, end, settle)) if bell is not None else None,
    }
    return metrics


def merge_segments(segments):
    """Join neighbours of the same kind; drop empty ones."""
    out = []
    for s in segments:
        if s["end"] - s["start"] <= 0:
            continue
        if out and out[-1]["kind"] == s["kind"] and abs(out[-1]["end"] - s["start"]) < 1e-9:
            out[-1]["end"] = s["end"]
        else:
            out.append(dict(s))
    return out


def make_truth(duration, bell_time, segments, notes):
    """segments: list of (start, end, kind) in seconds; the last end is moved to duration."""
    duration = r2(duration)
    segs = [{"start": r2(a), "end": r2(b), "kind": k} for a, b, k in segments]
    segs[0]["start"] = 0.0
    segs[-1]["end"] = duration
    for i in range(1, len(segs)):
        segs[i]["start"] = segs[i - 1]["end"]
    segs = merge_segments(segs)
    bell = {"timeSeconds": r2(bell_time)} if bell_time is not None else None
    return {
        "schemaVersion": 1,
        "durationSeconds": duration,
        "bell": bell,
        "segments": segs,
        "metrics": compute_metrics(bell, segs, duration),
        "notes": notes,
    }


def dump(truth, path):
    with open(path, "w") as f:
        json.dump(truth, f, indent=2)
        f.write("\n")

#!/usr/bin/env python3
"""Fits the bell classifier (boosted trees over each candidate's inputs, `BellModel` in Sources/Segmentation) and
measures the bell detector, on saved candidates: each recording is decoded once.

    scripts/fit_bells.py candidates DIR... [--out bell-work] [--config FILE]   analyse every NAME.truth.json's recording
    scripts/fit_bells.py fit [--out bell-work] --train SET... [--folds 5] [--swift Sources/Segmentation/BellTrees.swift]
                             [--by-set] [--calibrate] [--without INPUT...] [--hold-out SET...]
    scripts/fit_bells.py report [--out bell-work] --sets SET... [--config FILE]

`candidates` runs `bellwork analyze REC --save-features --bell-candidates` for every trial; a SET is the name of
the folder the trials came from, with its parent's when that is `bells`, `trials` or `bell-library`
(`bell-library-tune`, `trials-fit`, `bells-tune`; `lessons` for Fixtures/lessons). A folder's `manifest.json` (the
bell library's) says per trial what sounded (class, kind, level against the room, position); otherwise the
truth's notes do.

`fit` labels every candidate of the SETs given: a bell when it starts within 1 s of the true onset; left out
when it starts later inside the ring (up to 8 s after the onset) or runs into the bell from before; otherwise not
a bell. Per model (a ring in the bell band, a ring of fixed partials) it fits gradient-boosted trees (logistic
loss, `TREES`: 300 of depth 4 by default), trial by trial cross-validated: each held-out trial's candidates are judged by trees
fitted on the other folds and its bell chosen as `BellDetector` chooses it (`choose`, checked against the binary:
`report` on the same trials gives the same bells). It prints the cross-validated figures; with --swift it writes
the trees fitted on every trial as BellTrees.swift. With --by-set the folds are of whole sets (each set's trials are
judged by trees that never saw that set, as a set drawn later is: random folds of trials flatter the trees, whose
trials share a split's draw). With --calibrate it also fits the calibration of the confidence (`BellCalibration`): an
isotonic regression of "right" (within 1 s of the true onset) on the trees' probability of each held-out trial's
surest sounding, its knots at least CALIBRATION_MIN_TRIALS trials apart, and a second one of every other sounding
(those listed beside the bell, `bellCandidates`); it prints the figures with each fold's soundings judged by
calibrations fitted on the other folds, and writes the ones fitted on every held-out trial with --swift. The
held-out probabilities are kept in OUT (`held-out-<key>.json`, named by the folds, the trees' settings and the
candidate tables), so a change to the choosing, the listing or the calibration is scored again in seconds.

`report` segments each trial of the SETs with `bellwork segment` (the compiled trees; --config overlays settings;
--bin BELLWORK analyses each recording with another build instead, to compare with an earlier release)
and prints: bells found within 1 s by kind, level band and position, bells at the first second, false bells on
trials with no bell, the dating error, and two reliability tables (every reported candidate, and the bells
reported, against the share within 1 s of a true bell). A library trial (one with a position in its manifest) is
searched whole (`bellSearchFraction` 1: its bell may ring late in it); a lesson as the product searches it.
"""
import argparse, collections, csv, hashlib, json, math, os, random, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fit  # noqa: E402  (its recording lookup)

BIN = fit.BIN
JOBS = 2
SHAPE = ["added", "share125", "share250", "share500", "share1k", "share2k", "share3k", "share4k5", "share6k", "share8k",
         "share11k"]
LINES = ["lineShare", "lineRise", "lineSteady", "lineHold", "lineHz", "lineCount"]
MODELS = {"band": ["seconds", "rise", "tilt", "purity", "bright", "sustain", "slope", "swing", "stable", "excess",
                   "harmonicity", "onset", "after", "repeats"] + SHAPE + LINES,
          "tonal": ["seconds", "rise", "partials", "partialSeconds", "hold", "slope", "after", "repeats"] + SHAPE + LINES}
MODELS["fine"] = list(MODELS["tonal"])   # the finer spectrum's rings: the same inputs, their own trees
# `BellModel.of`: the model that judges a candidate, by the tracker that found it (the CSV's `found`).
MODEL_OF_FOUND = {"partials": "tonal", "fineLines": "fine", "bellBand": "band"}
WHOLE = {"bellDetector": {"bellSearchFraction": 1.0}}


def set_name(d):
    d = os.path.normpath(d)
    base = os.path.basename(d)
    parent = os.path.basename(os.path.dirname(d))
    return f"{parent}-{base}" if parent in ("bell-library", "bells", "trials") else base


def candidates(dirs, out, config=None):
    os.makedirs(out, exist_ok=True)
    jobs = []
    for d in dirs:
        manifest = {}
        if os.path.exists(os.path.join(d, "manifest.json")):
            manifest = {m["name"]: m for m in json.load(open(os.path.join(d, "manifest.json")))}
        for f in sorted(os.listdir(d)):
            if not f.endswith(".truth.json"):
                continue
            stem = f[: -len(".truth.json")]
            truth = os.path.join(d, f)
            rec = fit.recording(truth)
            if rec is None:
                continue
            name = f"{set_name(d)}__{stem}"
            t = json.load(open(truth))
            meta = manifest.get(stem) or meta_from_notes(t)
            meta["onset"] = (t.get("bell") or {}).get("timeSeconds")
            meta["recording"] = os.path.abspath(rec)
            json.dump(meta, open(os.path.join(out, name + ".meta.json"), "w"))
            jobs.append((rec, os.path.join(out, name)))

    def run(job):
        rec, base = job
        done = subprocess.run([BIN, "analyze", rec, "--save-features", base + ".features", "--bell-candidates", base + ".csv",
                               "--quiet", "--output", "/dev/null"] + (["--config", config] if config else []),
                              stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            for f in (base + ".features", base + ".csv", base + ".meta.json"):
                if os.path.exists(f):
                    os.remove(f)
            return f"{rec}: exit {done.returncode}: {done.stderr.strip()}"
    with ThreadPoolExecutor(JOBS) as pool:
        failures = [f for f in pool.map(run, jobs) if f]
    print(f"{len(jobs) - len(failures)} recordings analysed into {out}" + "".join(f"\n  failed: {f}" for f in failures))


def meta_from_notes(truth):
    notes = truth.get("notes", "")
    if notes.startswith("Sound only. "):
        kind = notes[len("Sound only. "):].split(" at ")[0]
        return {"class": "none" if kind == "no bell" else "bell", "kind": kind}
    return {"class": "bell" if truth.get("bell") else "none", "kind": "lesson"}


def names_of(out, sets):
    return sorted(f[: -len(".features")] for f in os.listdir(out)
                  if f.endswith(".features") and f.split("__")[0] in sets)


def label(row, onset):
    start, end = float(row["start"]), float(row["end"])
    if onset is None:
        return 0
    if abs(start - onset) <= 1.0:
        return 1
    if onset + 1 < start < onset + 8 or (start < onset - 1 and end > onset):
        return None
    return 0


def table(out, name):
    """Per model: (inputs, labels) of a trial's labelled candidates."""
    onset = json.load(open(os.path.join(out, name + ".meta.json")))["onset"]
    rows = {m: ([], []) for m in MODELS}
    with open(os.path.join(out, name + ".csv")) as f:
        for row in csv.DictReader(f):
            y = label(row, onset)
            if y is None:
                continue
            model = MODEL_OF_FOUND[row["found"]]
            rows[model][0].append([float(row[f"{model}.{k}"]) for k in MODELS[model]])
            rows[model][1].append(y)
    return rows


# ----------------------------------------------------------------------------- boosted trees
# The trees in use (BellTrees.swift) are 300 of depth 4 at a rate of 0.05 over every input with the lines', every
# candidate weighing 1 (`--neg-cap 0`, the default: a cap on each trial's not-bells, 5 until the thirteenth session,
# kept a lesson's hundreds of chattering candidates from outweighing a library trial). 2026-12-06, on 3,096 training
# trials, cross-validated by whole splits (--by-set): 78.8 % of bells found and 8.5 % false, calibrated 77.4 % and
# 7.9 %; with the cap at 5, 79.6 and 9.0 % (78.9 and 8.6 % calibrated), but the real timer bell under speech in the
# tests (RecordedBellTests) fell to 0.46, under the 0.5 a bell needs (0.56 without it; the cap at 10 0.44, at 20
# 0.41). On 1,956 trials, by random folds: the cap at 5 78.3 % and 7.6 %; depth 3 76.9 % and 7.1 %, depth 2 (150
# trees at 0.1) 75.4 % and 8.0 %; without the lines' inputs, depth 2, 73.7 % and 9.2 % (docs/TUNING.md).
# --trees, --depth, --rate and --neg-cap try others.
NEG_CAP = 0.0
TREES = dict(trees=300, depth=4, rate=0.05, l2=1.0, min_hessian=1.0)


def fit_trees(X, y, trees, depth, rate, l2, min_hessian, w=None, offset=None):
    """Gradient boosting with the logistic loss (Newton steps, XGBoost's split gain): (base, [tree]), each tree
    a nested tuple ('leaf', value) or ('split', feature, threshold, left, right), the rate folded into leaves.
    offset: each row's log-odds from trees already fitted, which these continue (base 0)."""
    import numpy as np
    if offset is not None:
        base, F = 0.0, np.array(offset, float)
    else:
        p0 = min(1 - 1e-3, max(1e-3, y.mean() if w is None else float((w * y).sum() / w.sum())))
        base = math.log(p0 / (1 - p0))
        F = np.full(len(y), base)
    model = []
    rows = np.arange(len(y))
    orders = [np.argsort(X[:, j], kind="stable") for j in range(X.shape[1])]   # sorted once for every tree
    for _ in range(trees):
        p = 1 / (1 + np.exp(-F))
        g, h = p - y, p * (1 - p)
        if w is not None:
            g, h = g * w, h * w
        tree = grow(X, g, h, rows, depth, l2, min_hessian, rate, orders)
        F += predict_tree(tree, X)
        model.append(tree)
    return base, model


def grow(X, g, h, idx, depth, l2, min_hessian, rate, orders):
    """One tree grown on the rows idx (ascending). orders: for each feature, idx sorted by that feature (ties by
    row), carried down the tree so that no node sorts again; the same tree as a stable sort at every node."""
    import numpy as np
    G, H = g[idx].sum(), h[idx].sum()
    leaf = ("leaf", float(-rate * G / (H + l2)))
    if depth == 0 or len(idx) < 4:
        return leaf
    best_gain, best = 0.0, None
    for j in range(X.shape[1]):
        o = orders[j]
        xs = X[o, j]
        gl, hl = np.cumsum(g[o]), np.cumsum(h[o])
        gain = gl ** 2 / (hl + l2) + (G - gl) ** 2 / (H - hl + l2) - G ** 2 / (H + l2)
        ok = (hl >= min_hessian) & (H - hl >= min_hessian) & np.r_[xs[1:] > xs[:-1], False]
        if not ok.any():
            continue
        gain[~ok] = -1
        k = int(np.argmax(gain))
        if gain[k] > best_gain:
            best_gain, best = gain[k], (j, float(0.5 * (xs[k] + xs[k + 1])))
    if best is None:
        return leaf
    j, threshold = best
    mask = X[idx, j] <= threshold
    left = np.zeros(len(X), bool)
    left[idx[mask]] = True
    return ("split", j, threshold,
            grow(X, g, h, idx[mask], depth - 1, l2, min_hessian, rate, [o[left[o]] for o in orders]),
            grow(X, g, h, idx[~mask], depth - 1, l2, min_hessian, rate, [o[~left[o]] for o in orders]))


def predict_tree(tree, X):
    import numpy as np
    if tree[0] == "leaf":
        return np.full(len(X), tree[1])
    _, j, threshold, left, right = tree
    mask = X[:, j] <= threshold
    out = np.empty(len(X))
    out[mask] = predict_tree(left, X[mask])
    out[~mask] = predict_tree(right, X[~mask])
    return out


def probability(model, X):
    import numpy as np
    base, trees = model
    F = np.full(len(X), base)
    for t in trees:
        F += predict_tree(t, X)
    return 1 / (1 + np.exp(-np.clip(F, -30, 30)))


def fit_models(tables, names):
    import numpy as np
    models = {}
    for model in MODELS:
        X = [x for n in names for x in tables[n][model][0]]
        y = [v for n in names for v in tables[n][model][1]]
        # Each trial's not-bells weigh at most NEG_CAP in all, so that a lesson of hundreds of chattering
        # candidates does not outweigh the library's trials (None: every candidate weighs 1).
        w = None
        if NEG_CAP:
            negatives = {n: len(tables[n][model][1]) - sum(tables[n][model][1]) for n in names}
            w = np.array([1.0 if v else min(1.0, NEG_CAP / max(1, negatives[n])) for n in names for v in tables[n][model][1]],
                         float)
        if X:
            models[model] = fit_trees(np.array(X, float), np.array(y, float), **TREES, w=w)
    return models


def flat_log_odds(flat, X):
    """The log-odds of flat trees (flat_trees's, BoostedTrees's) for the rows of X, as `BoostedTrees.logOdds`."""
    import numpy as np
    feature, threshold = np.array(flat["feature"]), np.array(flat["threshold"])
    left, right, value = np.array(flat["left"]), np.array(flat["right"]), np.array(flat["value"])
    F = np.full(len(X), float(flat["base"]))
    rows = np.arange(len(X))
    for root in flat["roots"]:
        node = np.full(len(X), root)
        while True:
            inner = feature[node] >= 0
            if not inner.any():
                break
            k = node[inner]
            go_left = X[rows[inner], feature[k]] <= threshold[k]
            node[inner] = np.where(go_left, left[k], right[k])
        F += value[node]
    return F


def joined_trees(first, then):
    """Flat trees that sum two flat models (then's nodes renumbered after first's)."""
    n = len(first["feature"])
    shift = lambda a: [i + n if i >= 0 else -1 for i in a]
    return {"base": first["base"] + then["base"], "roots": first["roots"] + [r + n for r in then["roots"]],
            "feature": first["feature"] + then["feature"], "threshold": first["threshold"] + then["threshold"],
            "left": first["left"] + shift(then["left"]), "right": first["right"] + shift(then["right"]),
            "value": first["value"] + then["value"]}


def flat_trees(fitted):
    """A model of fit_trees as the flat arrays of `BoostedTrees` (Sources/Segmentation/BellModel.swift)."""
    base, trees = fitted
    feature, threshold, left, right, value, roots = [], [], [], [], [], []

    def add(t):
        i = len(feature)
        feature.append(-1); threshold.append(0.0); left.append(-1); right.append(-1); value.append(0.0)
        if t[0] == "leaf":
            value[i] = t[1]
        else:
            feature[i], threshold[i] = t[1], t[2]
            left[i] = add(t[3])
            right[i] = add(t[4])
        return i
    for t in trees:
        roots.append(add(t))
    return {"base": base, "roots": roots, "feature": feature, "threshold": threshold, "left": left, "right": right,
            "value": value}


def swift_trees(name, flat, doc):
    """The Swift lines of one `static let NAME = BoostedTrees(...)` of flat trees (flat_trees), after a doc line."""
    fmt = lambda xs: ", ".join(repr(round(float(x), 6)) for x in xs)
    ints = lambda xs: ", ".join(str(int(x)) for x in xs)
    return [f"    /// {doc}",
            f"    static let {name} = BoostedTrees(",
            f"        base: {flat['base']!r},",
            f"        roots: [{ints(flat['roots'])}] as [Int],",
            f"        feature: [{ints(flat['feature'])}] as [Int],",
            f"        threshold: [{fmt(flat['threshold'])}] as [Double],",
            f"        left: [{ints(flat['left'])}] as [Int],",
            f"        right: [{ints(flat['right'])}] as [Int],",
            f"        value: [{fmt(flat['value'])}] as [Double])"]


def swift_source(models, calibration=None):
    """BellTrees.swift: the fitted trees as flat arrays (`BoostedTrees`), and the calibration of the bells' confidence
    (`BellCalibration`; none: the trees' probability as it is)."""
    lines = ["// Generated by scripts/fit_bells.py (fit --swift): the bell classifier's boosted trees, fitted on the",
             "// candidates of the training sets named below. Do not edit by hand: fit again.", "",
             "enum BellTrees {"]
    for model, fitted in models.items():
        lines += swift_trees(model, flat_trees(fitted), f"{model}: {len(fitted[1])} trees over {', '.join(MODELS[model])}.")
    fmt = lambda xs: ", ".join(repr(float(x)) for x in xs)
    identity = ([0.0, 1.0], [0.0, 1.0])
    (xs, ys), (oxs, oys) = calibration or (identity, identity)
    lines += ["    /// The bells' confidence: the trees' probability of each trial's surest sounding, held out, against the share",
              "    /// of them right (an isotonic regression; `fit --calibrate`)." if calibration else
              "    /// The bells' confidence: the trees' probability as it is (fitted without `--calibrate`).",
              f"    static let calibration = BellCalibration(raw: [{fmt(xs)}], calibrated: [{fmt(ys)}])",
              "    /// Every other sounding's: the trees' probability of each trial's other soundings, held out, against the",
              "    /// share of them right." if calibration else
              "    /// Every other sounding's: the trees' probability as it is (fitted without `--calibrate`).",
              f"    static let otherCalibration = BellCalibration(raw: [{fmt(oxs)}], calibrated: [{fmt(oys)}])"]
    lines.append("}")
    return "\n".join(lines) + "\n"


# `LessonAnalyzer.shownCandidateConfidence`: soundings less sure than this are not listed beside the bell.
SHOWN_CONFIDENCE = 0.05

DEFAULTS = {"bellMinConfidence": 0.55, "bellSearchFraction": 0.6, "bellPreferenceMargin": 0.15, "bellEventConfidence": 0.1,
            "bellEventGapSeconds": 1.0}


def calibrated(calibration, p):
    """`BellCalibration`: the trees' probability `p` mapped to the share of such bells found right (piecewise
    linear between the knots, flat beyond them); `p` itself without a calibration."""
    if calibration is None:
        return p
    xs, ys = calibration
    if p <= xs[0]:
        return ys[0]
    for k in range(1, len(xs)):
        if p <= xs[k]:
            t = (p - xs[k - 1]) / (xs[k] - xs[k - 1]) if xs[k] > xs[k - 1] else 1.0
            return ys[k - 1] + t * (ys[k] - ys[k - 1])
    return ys[-1]


# `BellDetector.fineDatingSeconds`.
FINE_DATING_SECONDS = 1.0


def sounding_events(rows, confidences, settings=None):
    """`BellDetector.events`: candidates at least `bellEventConfidence` sure that overlap or follow each other within
    `bellEventGapSeconds` are one event (a chime's notes, a bell heard by both trackers), as sure as its surest part
    and dated at its first: (start, end, probability), in time order."""
    settings = dict(DEFAULTS, **(settings or {}))
    parts = sorted((float(r["start"]), float(r["end"]), c, r["found"] == "fineLines") for r, c in zip(rows, confidences)
                   if c >= settings["bellEventConfidence"])
    events, fine = [], []
    for start, end, c, is_fine in parts:
        if events and start <= events[-1][1] + settings["bellEventGapSeconds"]:
            e = events[-1]
            # A part of the finer spectrum gives way to another tracker's starting within FINE_DATING_SECONDS after it.
            if fine[-1] and not is_fine and start <= e[0] + FINE_DATING_SECONDS:
                events[-1] = (start, max(e[1], end), max(e[2], c))
                fine[-1] = False
            else:
                events[-1] = (e[0], max(e[1], end), max(e[2], c))
        else:
            events.append((start, end, c))
            fine.append(is_fine)
    return events


def choose_event(events, duration, whole, settings=None, calibration=None):
    """Of `events`, the one `BellDetector.startingEvent` takes (the earliest confident enough whose calibrated
    confidence is within `bellPreferenceMargin` of the best, in the search window), or None."""
    settings = dict(DEFAULTS, **(settings or {}))
    limit = duration * (1.0 if whole else settings["bellSearchFraction"])
    confident = [e for e in events if e[0] <= limit and calibrated(calibration, e[2]) >= settings["bellMinConfidence"]]
    if not confident:
        return None
    best = max(calibrated(calibration, e[2]) for e in confident)
    return next(e for e in confident if calibrated(calibration, e[2]) >= best - settings["bellPreferenceMargin"])


def lead_event(events, duration, whole, calibration=None):
    """`BellDetector.decide`'s lead: the event taken for the bell, else the surest in the search window (the earliest
    of equals), else None. The bells' calibration judges it; the others' every other event."""
    chosen = choose_event(events, duration, whole, calibration=calibration)
    return chosen if chosen is not None else surest_event(events, duration, whole)


def surest_event(events, duration, whole):
    """`BellDetector.surestEvent`: the surest of `events` in the search window (the earliest of equals), or None."""
    limit = duration * (1.0 if whole else DEFAULTS["bellSearchFraction"])
    window = [e for e in events if e[0] <= limit]
    return next((e for e in window if e[2] >= max(x[2] for x in window)), None) if window else None


def merged(*configs):
    out = {}
    for c in configs:
        for group, values in c.items():
            out.setdefault(group, {}).update(values)
    return out


def segment(out, names, config, tag):
    """Segments each trial with `config`: a library trial searched whole, a lesson as the product searches it."""
    paths = {}
    for whole in (False, True):
        paths[whole] = os.path.join(out, f"config-{tag}{'-whole' if whole else ''}.json")
        json.dump(merged(WHOLE, config) if whole else config, open(paths[whole], "w"))

    def run(name):
        res = os.path.join(out, f"{name}.{tag}.json")
        whole = "position" in json.load(open(os.path.join(out, name + ".meta.json")))
        subprocess.run([BIN, "segment", os.path.join(out, name + ".features"), "--config", paths[whole], "--format", "json",
                        "--output", res, "--quiet"], check=True)
        return name, json.load(open(res))
    with ThreadPoolExecutor(JOBS) as pool:
        return dict(pool.map(run, names))


def analyse_with(binary, out, names, tag):
    """Each trial analysed from its recording by another build (`--bin`, e.g. an earlier release), as `segment`
    gives it for this one: a library trial searched whole."""
    whole = os.path.join(out, f"config-{tag}-whole.json")
    json.dump(WHOLE, open(whole, "w"))

    def run(name):
        meta = json.load(open(os.path.join(out, name + ".meta.json")))
        if "recording" not in meta:
            raise SystemExit(f"{name}: no recording noted: run `candidates` on its folder again")
        res = os.path.join(out, f"{name}.{tag}.json")
        subprocess.run([binary, "analyze", meta["recording"], "--format", "json", "--output", res, "--quiet"]
                       + (["--config", whole] if "position" in meta else []), check=True)
        return name, json.load(open(res))
    with ThreadPoolExecutor(JOBS) as pool:
        return dict(pool.map(run, names))


def band(level):
    if level is None:
        return "lesson"
    lo = 5 * math.floor(level / 5)
    return f"{lo:+d}..{lo + 5:+d} dB"


def report(out, results):
    """Prints the detector's figures over `results` (name -> analysis JSON)."""
    rows = []
    for name, res in sorted(results.items()):
        meta = json.load(open(os.path.join(out, name + ".meta.json")))
        onset, bell = meta["onset"], res.get("bell")
        found = bell["timeSeconds"] if bell and bell.get("source") == "detected" else None
        if onset is None:
            outcome = "false bell" if found is not None else "none, rightly"
        elif found is None:
            outcome = "missed"
        else:
            outcome = "within 1 s" if abs(found - onset) <= 1 else "off by more than 1 s"
        rows.append(dict(name=name, meta=meta, outcome=outcome, error=None if found is None or onset is None else found - onset,
                         candidates=res.get("bellCandidates") or []))
    bells = [r for r in rows if r["meta"]["onset"] is not None]
    others = [r for r in rows if r["meta"]["onset"] is None]
    hit = lambda rs: sum(r["outcome"] == "within 1 s" for r in rs)
    print(f"{len(rows)} trials: {len(bells)} with a bell, {len(others)} without")
    print(f"bells found within 1 s: {hit(bells)} of {len(bells)} ({100 * hit(bells) / max(1, len(bells)):.1f} %); "
          f"off by more: {sum(r['outcome'] == 'off by more than 1 s' for r in bells)}; missed: {sum(r['outcome'] == 'missed' for r in bells)}")
    loud = [r for r in bells if r["meta"].get("levelDb") is not None and r["meta"]["levelDb"] >= 0]
    if loud:
        print(f"  at 0 dB or louder: {hit(loud)} of {len(loud)} ({100 * hit(loud) / len(loud):.1f} %)")
    first = [r for r in bells if r["meta"].get("position") == "first-second" or (r["meta"]["onset"] or 9) < 1.0]
    if first:
        print(f"  at the first second: {hit(first)} of {len(first)}")
    false = sum(r["outcome"] == "false bell" for r in others)
    print(f"false bells: {false} of {len(others)} trials without a bell ({100 * false / max(1, len(others)):.1f} %)")
    errs = sorted(abs(r["error"]) for r in bells if r["outcome"] == "within 1 s")
    if errs:
        print(f"dating error of bells found: median {errs[len(errs) // 2]:.3f} s, 90th percentile {errs[int(0.9 * (len(errs) - 1))]:.3f} s")
    for title, key in (("by kind", lambda r: r["meta"].get("kind", "?")), ("by level", lambda r: band(r["meta"].get("levelDb"))),
                       ("by position", lambda r: r["meta"].get("position", "-"))):
        groups = collections.defaultdict(list)
        for r in bells:
            groups[key(r)].append(r)
        print(f"{title}: " + "; ".join(f"{k} {hit(v)}/{len(v)}" for k, v in sorted(groups.items())))
    groups = collections.defaultdict(list)
    for r in others:
        groups[r["meta"].get("kind", "?")].append(r)
    print("false bells by look-alike: " + "; ".join(f"{k} {sum(x['outcome'] == 'false bell' for x in v)}/{len(v)}"
                                                  for k, v in sorted(groups.items())))
    # Reliability: every reported candidate, right when within 1 s of the true onset.
    edges = [0.0, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0]
    bins = collections.defaultdict(lambda: [0, 0, 0.0])
    for r in rows:
        for c in r["candidates"]:
            k = next(j for j in range(len(edges) - 1) if c["confidence"] < edges[j + 1] or j == len(edges) - 2)
            right = r["meta"]["onset"] is not None and abs(c["timeSeconds"] - r["meta"]["onset"]) <= 1
            bins[k][0] += 1
            bins[k][1] += right
            bins[k][2] += c["confidence"]
    print("reliability (reported candidates): confidence band, count, mean confidence, share right")
    for k in sorted(bins):
        n, right, conf = bins[k]
        print(f"  {edges[k]:.1f}-{edges[k + 1]:.1f}  {n:4d}  {conf / n:.2f}  {right / n:.2f}")
    # The bells reported (one per trial at most), right when within 1 s of the true onset.
    bins = collections.defaultdict(lambda: [0, 0, 0.0])
    for r in rows:
        bell = results[r["name"]].get("bell")
        if bell and bell.get("confidence") is not None:
            k = min(9, int(bell["confidence"] * 10))
            bins[k][0] += 1
            bins[k][1] += r["outcome"] == "within 1 s"
            bins[k][2] += bell["confidence"]
    print("reliability (bells reported): confidence band, count, mean confidence, share right")
    for k in sorted(bins):
        n, right, conf = bins[k]
        print(f"  {k / 10:.1f}-{(k + 1) / 10:.1f}  {n:4d}  {conf / n:.2f}  {right / n:.2f}")
    return rows


def candidate_rows(out, name):
    with open(os.path.join(out, name + ".csv")) as f:
        return list(csv.DictReader(f))


def raw_confidences(out, name, models):
    """A trial's candidates and the trees' probability of each (0 outside the lengths a bell may have)."""
    import numpy as np
    rows = candidate_rows(out, name)
    confidences = [0.0] * len(rows)
    # Each model's candidates judged at once (one pass of the trees over an array).
    for model in models:
        judged = [i for i, r in enumerate(rows) if MODEL_OF_FOUND[r["found"]] == model
                  and 0.8 <= float(r["end"]) - float(r["start"]) <= 10.0]
        if judged:
            X = np.array([[float(rows[i][f"{model}.{k}"]) for k in MODELS[model]] for i in judged])
            for i, p in zip(judged, probability(models[model], X)):
                confidences[i] = float(p)
    return rows, confidences


def held_out_results(out, names, models=None, raw=None, calibration=None, other=None):
    """Each trial's result as `report` reads it, the candidates judged by `models` (or their probabilities given in
    `raw`, name -> (rows, probabilities)), the bell chosen by `choose` with `calibration` if given, and the soundings
    listed beside it as `LessonAnalyzer.bellCandidates` lists them: the lead judged by `calibration`, the others
    by `other` (by `calibration` when `other` is None)."""
    results = {}
    for name in names:
        rows, confidences = raw[name] if raw is not None else raw_confidences(out, name, models)
        meta = json.load(open(os.path.join(out, name + ".meta.json")))
        duration, whole = meta.get("durationSeconds") or trial_duration(out, name), "position" in meta
        events = sounding_events(rows, confidences)
        chosen = choose_event(events, duration, whole, calibration=calibration)
        lead = lead_event(events, duration, whole, calibration)
        listed = [(e[0], calibrated(calibration if e is lead or other is None else other, e[2]), e is chosen)
                  for e in events if e[0] <= duration]
        shown = [x for x in sorted(listed, key=lambda x: -x[1]) if x[2] or x[1] >= SHOWN_CONFIDENCE]
        top = shown[:5]
        if chosen is not None and not any(x[2] for x in top):
            top = top[:4] + [next(x for x in shown if x[2])]
        results[name] = {"bell": {"timeSeconds": chosen[0], "source": "detected",
                                  "confidence": calibrated(calibration, chosen[2])} if chosen else None,
                         "bellCandidates": [{"timeSeconds": t, "confidence": c} for t, c, _ in top]}
    return results


def top_events(out, raw):
    """Per trial, the surest event's probability from the trees and whether it is right (within 1 s of the true
    onset): what the bells' calibration is fitted on."""
    pairs = []
    for name, (rows, confidences) in raw.items():
        meta = json.load(open(os.path.join(out, name + ".meta.json")))
        top = surest_event(sounding_events(rows, confidences), meta.get("durationSeconds") or trial_duration(out, name),
                           "position" in meta)
        if top is not None:
            pairs.append((top[2], meta["onset"] is not None and abs(top[0] - meta["onset"]) <= 1.0))
    return pairs


def other_events(out, raw, calibration):
    """Per trial, every event but the lead (`lead_event`, with the bells' `calibration`): its probability from the
    trees and whether it is right (within 1 s of the true onset). What the others' calibration is fitted on."""
    pairs = []
    for name, (rows, confidences) in raw.items():
        meta = json.load(open(os.path.join(out, name + ".meta.json")))
        duration = meta.get("durationSeconds") or trial_duration(out, name)
        events = sounding_events(rows, confidences)
        lead = lead_event(events, duration, "position" in meta, calibration)
        pairs += [(e[2], meta["onset"] is not None and abs(e[0] - meta["onset"]) <= 1.0)
                  for e in events if e is not lead and e[0] <= duration]
    return pairs


# Each knot of the calibration stands for at least this many trials.
CALIBRATION_MIN_TRIALS = 40


def fit_calibration(pairs, min_trials=CALIBRATION_MIN_TRIALS):
    """An isotonic regression (pool adjacent violators) of right on the trees' probability, its blocks pooled until
    each holds at least `min_trials`: knots (probabilities, shares right), each the mean of a block."""
    if not pairs:
        raise SystemExit("no held-out trial has a sounding to calibrate on: fit on more trials, or without --calibrate")
    blocks = []
    for x, y in sorted(pairs):
        blocks.append([x, float(y), 1])
        while len(blocks) > 1 and (blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]
                                   or blocks[-2][2] < min_trials):
            b = blocks.pop()
            for k in range(3):
                blocks[-1][k] += b[k]
    while len(blocks) > 1 and blocks[-1][2] < min_trials:
        b = blocks.pop()
        for k in range(3):
            blocks[-1][k] += b[k]
    xs = [round(b[0] / b[2], 4) for b in blocks]
    ys = [round(b[1] / b[2], 4) for b in blocks]
    return xs, ys


def trial_duration(out, name):
    path = os.path.join(out, name + ".duration")
    if not os.path.exists(path):
        res = subprocess.run([BIN, "segment", os.path.join(out, name + ".features"), "--format", "json", "--quiet"],
                             check=True, stdout=subprocess.PIPE).stdout
        open(path, "w").write(str(json.loads(res)["durationSeconds"]))
    return float(open(path).read())


def held_out_path(out, names, parts):
    """Where the held-out probabilities of a cross-validation are kept: named by everything they depend on (the
    trials and their folds, the trees' settings, the cap, the inputs, each candidate table's size and time)."""
    tables = [(n, os.path.getsize(os.path.join(out, n + ".csv")), int(os.path.getmtime(os.path.join(out, n + ".csv"))))
              for n in names]
    key = json.dumps([[sorted(p) for p in parts], TREES, NEG_CAP, MODELS, tables], sort_keys=True)
    return os.path.join(out, f"held-out-{hashlib.sha1(key.encode()).hexdigest()[:16]}.json")


def set_folds(names, folds):
    """Whole sets to folds (the largest first, each to the fold with the fewest trials so far): a fold's trials are
    judged by trees that never saw their set, as a set drawn later is."""
    sizes = collections.Counter(n.split("__")[0] for n in names)
    fold_of, load = {}, [0] * folds
    for s, size in sorted(sizes.items(), key=lambda x: (-x[1], x[0])):
        k = load.index(min(load))
        fold_of[s] = k
        load[k] += size
    return [[n for n in names if fold_of[n.split("__")[0]] == k] for k in range(folds)]


_FORK_STATE = None   # (function, argument tuples) for the forked processes of forked_map


def _forked_call(i):
    fn, args = _FORK_STATE
    return fn(*args[i])


def forked_map(fn, args, jobs=JOBS):
    """fn(*a) for each tuple a of args, jobs at once in forked processes (which read the parent's tables without
    copying them): the results a single process gives, in order."""
    global _FORK_STATE
    if len(args) <= 1 or jobs <= 1:
        return [fn(*a) for a in args]
    import multiprocessing
    _FORK_STATE = (fn, args)
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(args))) as pool:
            return pool.map(_forked_call, range(len(args)))
    finally:
        _FORK_STATE = None


def fit_command(out, train, folds, seed, swift, hold_out=(), by_set=False, calibrate=False):
    names = names_of(out, train)
    tables = {n: table(out, n) for n in names}
    counts = {m: (sum(len(tables[n][m][1]) for n in names), sum(sum(tables[n][m][1]) for n in names)) for m in MODELS}
    print(f"{len(names)} trials of {', '.join(train)}; labelled candidates (bells): "
          + ", ".join(f"{m} {c} ({p})" for m, (c, p) in counts.items()) + f"; trees {TREES}")
    if hold_out:
        # Each set held out whole, judged by trees fitted on every other trial: whether the random folds flatter
        # the trees (a split's trials sharing something the folds mix).
        fitted = forked_map(fit_models, [(tables, [n for n in names if n.split("__")[0] != held]) for held in hold_out])
        for held, models in zip(hold_out, fitted):
            print(f"held out whole: {held}")
            report(out, held_out_results(out, names_of(out, [held]), models))
        return
    if by_set:
        parts = set_folds(names, folds)
    else:
        order = names[:]
        random.Random(seed).shuffle(order)
        parts = [order[k::folds] for k in range(folds)]
    cache = held_out_path(out, names, parts)
    kept = None
    if os.path.exists(cache):
        # The trees of each fold are what they were: only the choosing, the listing or the calibration is scored again.
        try:
            kept = json.load(open(cache))
            raw = {n: (candidate_rows(out, n), kept[n]) for n in names}
            if any(len(rows) != len(p) for rows, p in raw.values()):
                raise ValueError("a trial's candidates and probabilities differ in number")
            print(f"held-out probabilities of the same folds, trees and candidates: {cache}")
        except (ValueError, KeyError, TypeError) as e:
            print(f"{cache} unusable ({e}): fitting again")
            kept = None
    final = None
    if kept is None:
        raw = {}
        # Every fold's trees, and with --swift those fitted on every trial, JOBS at once.
        fitted = forked_map(fit_models, [(tables, [n for n in names if n not in held]) for held in parts]
                            + ([(tables, names)] if swift else []))
        if swift:
            final = fitted.pop()
        for held, models in zip(parts, fitted):
            raw.update({n: raw_confidences(out, n, models) for n in held})
        with open(cache + ".part", "w") as f:
            json.dump({n: raw[n][1] for n in names}, f)
        os.replace(cache + ".part", cache)
    how = "whole sets to folds" if by_set else "trial by trial"
    print(f"cross-validated ({folds} folds, {how}):")
    report(out, held_out_results(out, names, raw=raw))
    calibration = None
    if calibrate:
        # The calibration is judged as the trees are: each fold's bells by a calibration fitted on the others'.
        results = {}
        for held in parts:
            rest = {n: raw[n] for n in names if n not in held}
            fold_calibration = fit_calibration(top_events(out, rest))
            fold_other = fit_calibration(other_events(out, rest, fold_calibration))
            results.update(held_out_results(out, held, raw=raw, calibration=fold_calibration, other=fold_other))
        print(f"cross-validated, calibrated ({folds} folds, {how}; each fold's calibrations fitted on the others' held-out trials):")
        report(out, results)
        calibration = fit_calibration(top_events(out, raw))
        other = fit_calibration(other_events(out, raw, calibration))
        print(f"calibration on every held-out trial: {list(zip(*calibration))}")
        print(f"the other soundings' calibration: {list(zip(*other))}")
        calibration = (calibration, other)
    if swift:
        models = final or fit_models(tables, names)
        text = swift_source(models, calibration).replace("training sets named below", "training sets " + ", ".join(train))
        open(swift, "w").write(text)
        print(f"fitted on every trial, written to {swift}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("candidates")
    c.add_argument("dirs", nargs="+")
    c.add_argument("--config", help="settings for the analysis (e.g. the bell tracker's, which shape the candidates)")
    f = sub.add_parser("fit")
    f.add_argument("--train", nargs="+", required=True)
    f.add_argument("--folds", type=int, default=5)
    f.add_argument("--seed", type=int, default=15)
    f.add_argument("--swift", help="write the trees fitted on every trial as this Swift file (BellTrees.swift)")
    f.add_argument("--trees", type=int, default=TREES["trees"], help="how many boosted trees per model")
    f.add_argument("--depth", type=int, default=TREES["depth"], help="the depth of each tree")
    f.add_argument("--rate", type=float, default=TREES["rate"], help="the learning rate (shrinkage)")
    f.add_argument("--neg-cap", type=float, default=NEG_CAP,
                   help="each trial's not-bells weigh at most this much in all (0: every candidate weighs 1)")
    f.add_argument("--hold-out", nargs="+", default=[], metavar="SET",
                   help="instead of random folds, hold out each of these SETs (of --train) whole in turn")
    f.add_argument("--by-set", action="store_true",
                   help="folds of whole sets (each set's trials judged by trees that never saw that set) instead of trials")
    f.add_argument("--calibrate", action="store_true",
                   help="fit the calibration of the bells' confidence on the held-out trials (and write it with --swift)")
    f.add_argument("--choose", nargs="+", default=[], metavar="KEY=V",
                   help="the detector's choosing settings for this fit's figures (bellMinConfidence, bellPreferenceMargin, "
                        "bellEventConfidence, bellEventGapSeconds; `DEFAULTS`), to measure another choice from the same trees")
    f.add_argument("--without", nargs="+", default=[], metavar="INPUT",
                   help="leave these inputs out of both models (to measure what they add; not with --swift)")
    r = sub.add_parser("report")
    r.add_argument("--sets", nargs="+", required=True)
    r.add_argument("--config")
    r.add_argument("--bin", help="another build of bellwork: analyse each trial's recording with it instead (an earlier release)")
    for p in (c, f, r):
        p.add_argument("--out", default="bell-work")
    args = parser.parse_args()
    if args.command == "candidates":
        candidates(args.dirs, args.out, args.config)
    elif args.command == "fit":
        TREES.update(trees=args.trees, depth=args.depth, rate=args.rate)
        for item in args.choose:
            key, _, value = item.partition("=")
            if key not in DEFAULTS or key == "bellSearchFraction":
                parser.error(f"--choose: {key} is not one of {', '.join(k for k in DEFAULTS if k != 'bellSearchFraction')}")
            if args.swift:
                parser.error("--choose measures; the detector's settings are changed in BellDetectorSettings")
            try:
                DEFAULTS[key] = float(value)
            except ValueError:
                parser.error(f"--choose {item}: not a number")
            if not math.isfinite(DEFAULTS[key]) or DEFAULTS[key] < 0:
                parser.error(f"--choose {item}: a finite number, 0 or more")
        globals()["NEG_CAP"] = args.neg_cap or None
        if args.without:
            if args.swift:
                parser.error("--without measures; the trees written with --swift must take every input")
            for model in MODELS:
                MODELS[model] = [k for k in MODELS[model] if k not in args.without]
        if args.hold_out and (args.swift or not set(args.hold_out) <= set(args.train)):
            parser.error("--hold-out names sets of --train, and writes no trees")
        fit_command(args.out, args.train, args.folds, args.seed, args.swift, args.hold_out, args.by_set, args.calibrate)
    elif args.command == "report":
        names = names_of(args.out, args.sets)
        if args.bin:
            report(args.out, analyse_with(args.bin, args.out, names, "other"))
        else:
            config = json.load(open(args.config)) if args.config else {}
            report(args.out, segment(args.out, names, config, "report"))


if __name__ == "__main__":
    main()

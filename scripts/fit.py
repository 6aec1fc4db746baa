#!/usr/bin/env python3
"""Fits segmentation settings by cross-validation, on saved features (decode each lesson once).

    scripts/fit.py features DIR... [--out fit-work]        decode each lesson with truth in DIR once
    scripts/fit.py search [--out fit-work] [--folds 5] --param KEY=V1,V2,... [--param ...]
    scripts/fit.py model [--out fit-work] [--folds 5] [--set KEY=V ...] [--write FILE]
    scripts/fit.py model --trees [--depth 3] [--n-trees 150] [--linear-kinds] [--swift FILE] ...   boosted trees instead
    scripts/fit.py model ... --drop INPUT [--drop INPUT]     the same without those inputs (to measure what they add)
    scripts/fit.py sound-only IN OUT                         copies of IN's saved features without their picture
    scripts/fit.py apply FILE                                makes FILE's settings the defaults in the source

`features` runs `bellwork analyze LESSON --save-features` for every NAME.truth.json with its recording beside
it. `search` tries every combination of the values given (settings as `bellwork settings` names them, e.g.
`segmenter.transitionThreshold=1.5,2,2.5`) with `bellwork segment` (no decoding): in each of K folds it picks
the combination that scores best on the other folds and scores it on the held-out fold, so the printed
figure is one no lesson was tuned on. The score: mean label agreement + mean kind agreement - mean
|time-on-task error| / 100 (fractions; higher is better). It prints the cross-validated figures of the
defaults and of the fitted choice, and the choice on all lessons. Nothing is changed: a default moves only
when the cross-validated figure says so and a fresh check set (lessons drawn after the last change)
confirms it.

`sound-only` writes to OUT a copy of every saved lesson in IN that has sound, as if its recording had no picture (the
picture's measures 0, no video stream): a lesson the size of the fit set for the segmenter that judges by the sound
alone, which the natural mix gives about one lesson in ten.

`model` fits the weights of the transition score (a logistic regression over the per-step inputs that
`bellwork segment --features` prints, labels from the truth: transition or on task) and of the kinds (a
multinomial logistic regression over the kind inputs of the steps on task in the truth), lesson by lesson
cross-validated: each fold's weights are fitted on the other folds' lessons and the held-out lessons are
segmented with them. It prints the cross-validated figures and the weights fitted on every lesson (with
--write, as a configuration file). `--set` fixes other settings during the fit (also written).

`model --trees` fits boosted trees for the transition score instead of its weights (`segmenter.scoreByTrees`): one
set on the steps with a picture and sound, one on every step with a picture with the sound's inputs at 0 (for steps
without sound), one on every step with sound with the picture's inputs at 0 (for recordings without a picture); and
for the kinds (`kinds.byTrees`; not with --linear-kinds, which keeps the linear scores): one set per kind against the
other two, over the kind inputs and the score's. Each fold's are written to OUT/trees and given to `bellwork segment
--score-trees` and `--kind-trees`, and kept there for the next run with the same lessons and input settings. With
--write it also writes FILE's `.trees.json` and `.kinds.json`; with --swift, the trees fitted on every lesson as
`Sources/Segmentation/SegmenterTrees.swift` (the built-in ones).

Mind: `bellwork segment` uses the settings the features were made with (overlaid by --set), not this build's
defaults, so give with --set every setting a comparison depends on.
"""
import argparse, csv, itertools, json, math, os, random, re, shutil, subprocess, sys, tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BIN = os.environ.get("BELLWORK_BIN", os.path.join(ROOT, ".build/release/bellwork"))
JOBS = 2


def recording(truth):
    stem = truth[: -len(".truth.json")]
    for f in sorted(os.listdir(os.path.dirname(truth) or ".")):
        path = os.path.join(os.path.dirname(truth), f)
        if path.startswith(stem + ".") and not f.endswith(".json"):
            return path
    return None


def features(dirs, out, config=None):
    os.makedirs(out, exist_ok=True)
    jobs = []
    for d in dirs:
        for f in sorted(os.listdir(d)):
            if not f.endswith(".truth.json"):
                continue
            truth = os.path.join(d, f)
            lesson = recording(truth)
            if lesson is None:
                continue
            name = os.path.basename(os.path.normpath(d)) + "__" + f[: -len(".truth.json")]
            shutil.copyfile(truth, os.path.join(out, name + ".truth.json"))
            jobs.append((lesson, os.path.join(out, name + ".features")))

    def run(job):
        lesson, saved = job
        subprocess.run([BIN, "analyze", lesson, "--save-features", saved, "--quiet", "--output", "/dev/null",
                        *(["--config", config] if config else [])], check=True)

    with ThreadPoolExecutor(JOBS) as pool:
        list(pool.map(run, jobs))
    print(f"{len(jobs)} lessons' features in {out}")


def flatten(config, prefix=""):
    """A configuration's settings as (KEY, value) pairs, KEY dotted."""
    pairs = []
    for key, value in config.items():
        if isinstance(value, dict):
            pairs += flatten(value, prefix + key + ".")
        else:
            pairs.append((prefix + key, value))
    return pairs


def nested(assignments):
    config = {}
    for key, value in assignments:
        parts = key.split(".")
        node = config
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return config


PICTURE_SERIES = ("activeShare", "cameraSpeed", "globalChange", "localMotion", "motion", "motionReach", "motionSpread")


def sound_only(src, out):
    """Copies of the saved lessons in SRC with sound, their picture taken out, as `analyze --save-features` writes a
    recording without one (the picture's series 0, its luma null, no video stream)."""
    os.makedirs(out, exist_ok=True)
    count = 0
    for f in sorted(os.listdir(src)):
        if not f.endswith(".features"):
            continue
        saved = json.load(open(os.path.join(src, f)))
        lesson = saved["lesson"]
        series = lesson["features"]
        if not any(v is not None for v in series["audioDb"]):
            continue
        for key in PICTURE_SERIES:
            series[key] = [0] * len(series[key])
        series["luma"] = [None] * len(series["luma"])
        info = lesson["info"]
        info.pop("videoStreamIndex", None)
        audio = info["streams"][info["audioStreamIndex"]]
        info["streams"] = [s for s in info["streams"] if s.get("kind") != "video"]
        info["audioStreamIndex"] = info["streams"].index(audio)
        with open(os.path.join(out, f), "w") as g:
            json.dump(saved, g)
        name = f[: -len(".features")]
        shutil.copyfile(os.path.join(src, name + ".truth.json"), os.path.join(out, name + ".truth.json"))
        count += 1
    print(f"{count} lessons with sound copied without their picture to {out}")


def segment(out, name, assignments, *options):
    """Runs `bellwork segment` on a lesson's saved features with these settings (a configuration file made
    for the run) and the options given (output paths)."""
    work = tempfile.mkdtemp(prefix="bellwork-segment-")
    try:
        config = os.path.join(work, "config.json")
        with open(config, "w") as f:
            json.dump(nested(assignments), f)
        subprocess.run([BIN, "segment", os.path.join(out, name + ".features"), "--config", config, "--quiet", *options],
                       check=True)
    finally:
        shutil.rmtree(work)


def scores(out, names, assignments, full=False, options=()):
    """Per lesson: (label agreement, kind agreement, |time-on-task error|) with these settings (full: the
    score's whole entry per lesson; options: more options of `bellwork segment`)."""
    work = tempfile.mkdtemp(prefix="bellwork-fit-")
    try:
        results = os.path.join(work, "results")
        truths = os.path.join(work, "truths")
        os.makedirs(results)
        os.makedirs(truths)

        def run(name):
            segment(out, name, assignments, "--format", "json", "--output", os.path.join(results, name + ".json"), *options)
            os.symlink(os.path.abspath(os.path.join(out, name + ".truth.json")), os.path.join(truths, name + ".truth.json"))

        with ThreadPoolExecutor(JOBS) as pool:
            list(pool.map(run, names))
        text = subprocess.run([BIN, "score", results, truths, "--format", "json"], check=True,
                              capture_output=True, text=True).stdout
        lessons = json.loads(text)["lessons"]
        return lessons if full else triples(lessons)
    finally:
        shutil.rmtree(work)


def triples(lessons):
    """Per lesson of a score: (label agreement, kind agreement, |time-on-task error|)."""
    return {n: (s["labelAgreement"], s["kindAgreement"], s["timeOnTaskErrorPoints"]) for n, s in lessons.items()}


def camera(out, name):
    """The camera a diverse lesson's truth names ("fixture" for the others)."""
    m = re.search(r"camera (\w+)", json.load(open(os.path.join(out, name + ".truth.json"))).get("notes", ""))
    return m.group(1) if m else "fixture"


def objective(per, names):
    n = len(names)
    return (sum(per[x][0] for x in names) / n + sum(per[x][1] for x in names) / n
            - sum(per[x][2] for x in names) / n / 100)


def summary(per, names):
    n = len(names)
    return (f"agreement {100 * sum(per[x][0] for x in names) / n:.1f} %, kinds {100 * sum(per[x][1] for x in names) / n:.1f} %, "
            f"mean |time-on-task error| {sum(per[x][2] for x in names) / n:.2f} pts")


def search(out, params, folds, seed, fixed=(), options=()):
    names = sorted(f[: -len(".features")] for f in os.listdir(out) if f.endswith(".features"))
    keys = [k for k, _ in params]
    grid = [list(fixed) + list(zip(keys, values)) for values in itertools.product(*[v for _, v in params])]
    print(f"{len(names)} lessons, {len(grid)} combinations, {folds} folds")
    table, whole = {}, {}
    for i, assignments in enumerate(grid):
        whole[i] = scores(out, names, assignments, full=True, options=options)
        table[i] = triples(whole[i])
        print(f"  {dict(assignments)}: {summary(table[i], names)}", flush=True)
    defaults_whole = scores(out, names, list(fixed), full=True, options=options)
    defaults = triples(defaults_whole)
    order = names[:]
    random.Random(seed).shuffle(order)
    parts = [order[k::folds] for k in range(folds)]
    fitted, fitted_whole, chosen = {}, {}, []
    for k, held in enumerate(parts):
        train = [x for x in names if x not in held]
        best = max(table, key=lambda i: objective(table[i], train))
        chosen.append(dict(grid[best][len(fixed):]))
        for x in held:
            fitted[x], fitted_whole[x] = table[best][x], whole[best][x]
    print(f"defaults{' with --set' if fixed else ''}, all lessons: {summary(defaults, names)}")
    print(f"fitted, cross-validated ({folds} folds): {summary(fitted, names)}")
    print(f"  every measure: defaults {means(defaults_whole, names)}")
    print(f"                 fitted   {means(fitted_whole, names)}")
    cameras = {}
    for x in names:
        cameras.setdefault(camera(out, x), []).append(x)
    for c, group in sorted(cameras.items()):
        print(f"  camera {c}, {len(group)} lessons: defaults {summary(defaults, group)}; fitted {summary(fitted, group)}")
    for k, c in enumerate(chosen):
        print(f"  fold {k + 1} chose {c}")
    best = max(table, key=lambda i: objective(table[i], names))
    print(f"best on all lessons (not a figure to report): {dict(grid[best][len(fixed):])}: {summary(table[best], names)}")


# ----------------------------------------------------------------------------- the score's weights
# The order of ScoreInput (Sources/Segmentation/Segmenter.swift) and the setting each input's weight is.
INPUTS = [("spread", "spreadWeight"), ("motion", "motionWeight"), ("loudness", "loudnessWeight"),
          ("steadyTalk", "steadyTalkWeight"), ("spreadShare", "spreadShareWeight"), ("reach", "reachWeight"),
          ("reachGain", "reachGainWeight"), ("variation", "variationWeight"), ("activeShare", "activeShareWeight"),
          ("chatter", "chatterWeight"), ("lessonReach", "lessonReachWeight"), ("lessonActive", "lessonActiveWeight"),
          ("lessonChatter", "lessonChatterWeight"), ("relativeReach", "relativeReachWeight"),
          ("relativeActive", "relativeActiveWeight"), ("highShare", None), ("voiceShare", None)]   # None: trees only
SOFTNESS = 0.5     # segmenter.transitionSoftness: the score's scale; the fit's weights are divided into it


KIND_INPUTS = ["level", "variation", "spreadShare", "reach", "picture", "sound", "belowTop", "aboveFloor", "voiceShare",
               "lessonRange"]   # KindInput's order
LINEAR_KIND_INPUTS = 6   # the linear kinds (kinds.byTrees off) weigh the first six
KINDS = ["independent", "instruction", "group"]                           # independent scores 0


def step_table(out, name, fixed):
    """The steps of one lesson: (score inputs, transition labels) of steps with a truth label and a score (a
    picture, or sound in a recording without one), (kind inputs then score inputs, kind index) of steps on task
    in the truth, and whether each of the first had sound and a picture."""
    work = tempfile.mkdtemp(prefix="bellwork-model-")
    try:
        table = os.path.join(work, "features.csv")
        segment(out, name, fixed, "--features", table, "--output", "/dev/null")
        rows = list(csv.DictReader(open(table)))
    finally:
        shutil.rmtree(work)
    truth = json.load(open(os.path.join(out, name + ".truth.json")))
    segments = truth["segments"]
    xs, ys, kx, ky, sound, picture = [], [], [], [], [], []
    for r in rows:
        if r["dead"] == "1" or r["cameraMoving"] == "1" or r["noClass"] == "1":
            continue
        t = float(r["time"]) + 0.25
        kind = next((s["kind"] for s in segments if s["start"] <= t < s["end"]), None)
        if kind is None or kind == "unknown":
            continue
        kinds = [r.get("kindInput." + k, "") for k in KIND_INPUTS]
        values = [r.get("input." + k, "") for k, _ in INPUTS]
        if kind in KINDS and all(v != "" for v in kinds):
            # The kind inputs, then the score's (0 where not measured): what the kinds' trees read.
            kx.append([float(v) for v in kinds] + [float(v) if v != "" else 0.0 for v in values])
            ky.append(KINDS.index(kind))
        if values[0] == "" and r.get("input.variation", "") == "":
            continue
        xs.append([float(v) if v != "" else 0.0 for v in values])
        ys.append(1.0 if kind == "transition" else 0.0)
        sound.append(r.get("input.variation", "") != "")
        picture.append(values[0] != "")
    return xs, ys, kx, ky, sound, picture


def softmax_kinds(tables, names, l2=1e-3):
    """Weights of instruction and group against independent work (multinomial logistic regression, each
    lesson weighing the same): a (2, inputs + 1) array, the constant last."""
    import numpy as np
    from scipy.optimize import minimize
    used = [n for n in names if tables[n][2]]
    X = np.concatenate([np.array(tables[n][2])[:, :LINEAR_KIND_INPUTS] for n in used])
    y = np.concatenate([np.array(tables[n][3]) for n in used]).astype(int)
    w = np.concatenate([np.full(len(tables[n][3]), 1.0 / len(tables[n][3])) for n in used])
    w *= len(w) / w.sum()
    A = np.hstack([X, np.ones((len(X), 1))])
    d = A.shape[1]

    def loss(flat):
        B = np.vstack([np.zeros(d), flat.reshape(2, d)])
        Z = A @ B.T
        Z -= Z.max(axis=1, keepdims=True)
        logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
        P = np.exp(logp)
        Y = np.eye(3)[y]
        value = -(w * logp[np.arange(len(y)), y]).sum() + 0.5 * l2 * len(y) * (flat.reshape(2, d)[:, :-1] ** 2).sum()
        G = ((P - Y) * w[:, None]).T @ A
        G = G[1:] + l2 * len(y) * np.hstack([flat.reshape(2, d)[:, :-1], np.zeros((2, 1))])
        return value, G.ravel()

    result = minimize(loss, np.zeros(2 * d), jac=True, method="L-BFGS-B")
    return result.x.reshape(2, d)


def kind_settings(B):
    names = ["Level", "Variation", "Spread", "Reach", "Picture", "Sound"]
    settings = []
    for row, kind in zip(B, ["instruction", "group"]):
        settings += [(f"kinds.{kind}{n}Weight", round(float(v), 4)) for n, v in zip(names, row[:-1])]
        settings.append((f"kinds.{kind}Bias", round(float(row[-1]), 4)))
    return settings


DROPPED = set()    # inputs left out of the fit (model --drop NAME): their weights are 0
EXTEND = {}        # model --extend-with: {"inputs": names, "trees": count} of the trees that continue withSound's


def logistic(tables, names, l2=1e-3, iterations=30):
    """Weights and bias of a logistic regression over the steps of `names`, each lesson weighing the same
    (the inputs in DROPPED kept at 0)."""
    import numpy as np
    keep = np.array([k not in DROPPED and key is not None for k, key in INPUTS], dtype=float)   # None: trees only
    used = [n for n in names if any(tables[n][5])]          # the steps with a picture (the sum is not used without)
    P = {n: np.array(tables[n][5], bool) for n in used}
    X = np.concatenate([np.array(tables[n][0])[P[n]] for n in used]) * keep
    y = np.concatenate([np.array(tables[n][1])[P[n]] for n in used])
    w = np.concatenate([np.full(P[n].sum(), 1.0 / P[n].sum()) for n in used])
    w *= len(w) / w.sum()
    A = np.hstack([X, np.ones((len(X), 1))])
    beta = np.zeros(A.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(A @ beta, -30, 30)))
        g = A.T @ (w * (p - y)) + l2 * len(y) * np.r_[beta[:-1], 0]
        H = (A * (w * p * (1 - p))[:, None]).T @ A + l2 * len(y) * np.diag(np.r_[np.ones(len(beta) - 1), 0])
        beta -= np.linalg.solve(H, g)
    return beta[:-1], beta[-1]


def as_settings(weights, bias):
    """The segmenter settings that give p = logistic(w·x + b) with the score's softness."""
    settings = [(f"segmenter.{key}", round(float(SOFTNESS * wt), 4)) for (_, key), wt in zip(INPUTS, weights) if key is not None]
    settings.append(("segmenter.transitionThreshold", round(float(-SOFTNESS * bias), 4)))
    return settings


def means(per, names):
    n = len(names)
    agg = lambda f: sum(f(per[x]) for x in names) / n
    tot = sorted(per[x]["timeOnTaskErrorPoints"] for x in names if per[x]["timeOnTaskErrorPoints"] is not None)
    lat = sorted(per[x]["latencyErrorSeconds"] for x in names if per[x].get("latencyErrorSeconds") is not None)
    median = lambda a: (a[len(a) // 2] if len(a) % 2 else (a[len(a) // 2 - 1] + a[len(a) // 2]) / 2) if a else float("nan")
    return (f"agreement {100 * agg(lambda s: s['labelAgreement']):.1f} %, kinds {100 * agg(lambda s: s['kindAgreement']):.1f} %, "
            f"transition F1 {agg(lambda s: s['transitions']['f1']):.3f}, time-on-task error median {median(tot):.2f} "
            f"worst {max(tot) if tot else float('nan'):.2f} pts, latency error median {median(lat):.1f} "
            f"worst {max(lat) if lat else float('nan'):.1f} s")


TREES = {"trees": 150, "depth": 3, "rate": 0.1, "l2": 1.0, "min_hessian": 1.0}   # model --trees: the boosting
# Segmenter settings that act after the score (the trees do not depend on them).
AFTER_SCORE = {"switchProbability", "transitionExtendThreshold", "settleMarginScore", "settleMaxSeconds",
               "settleLookaheadSeconds", "minOnTaskSeconds", "minLeadingOnTaskSeconds", "minTrailingOnTaskSeconds",
               "minUnknownSeconds", "minJudgedAmidUnknownSeconds", "scoreByTrees", "transitionThreshold", "transitionSoftness"}
TREE_STEPS = 300   # steps drawn from each lesson for the trees (each lesson weighs about the same)


SOUND_INPUTS = {"loudness", "steadyTalk", "variation", "chatter", "lessonChatter", "highShare", "voiceShare"}   # ScoreInput.isSound


def fit_score_trees(tables, names, seed=1, base=None):
    """The score's trees as `ScoreTrees` (Sources/Segmentation/SegmenterTrace.swift) in JSON: boosted trees over
    the score's inputs (transition or on task), TREE_STEPS steps drawn from each lesson; `withSound` on the steps
    with a picture and sound, `pictureOnly` on every step with a picture, the sound's inputs at 0 (for steps
    without sound), `soundOnly` on every step with sound, the picture's inputs at 0 (for recordings without a
    picture). With `base` (a `.trees.json` file), only `soundOnly` is fitted and the other two are base's."""
    import numpy as np
    from fit_bells import fit_trees, flat_trees
    rng = np.random.default_rng(seed)
    X, y, S, P = [], [], [], []
    for n in names:
        xs, ys = np.array(tables[n][0], float), np.array(tables[n][1], float)
        ss, ps = np.array(tables[n][4], bool), np.array(tables[n][5], bool)
        pick = rng.choice(len(ys), size=min(TREE_STEPS, len(ys)), replace=False)
        X.append(xs[pick]); y.append(ys[pick]); S.append(ss[pick]); P.append(ps[pick])
    X, y, S, P = np.concatenate(X), np.concatenate(y), np.concatenate(S), np.concatenate(P)
    X[:, [k for k, (name, _) in enumerate(INPUTS) if name in DROPPED]] = 0   # --drop: a constant, never split on
    sound = [k for k, (name, _) in enumerate(INPUTS) if name in SOUND_INPUTS]
    silent, unseen = X.copy(), np.zeros_like(X)
    silent[:, sound] = 0
    unseen[:, sound] = X[:, sound]
    if EXTEND:
        # --extend: base's trees kept, and more trees continuing withSound's that read only the inputs named (with
        # --extend-picture-only, pictureOnly's too, on every step with a picture, the sound's inputs at 0).
        from fit_bells import flat_log_odds, joined_trees
        kept = json.load(open(base))

        def continued(model, inputs, rows):
            only = inputs[rows].copy()
            only[:, [k for k, (name, _) in enumerate(INPUTS) if name not in EXTEND["inputs"]]] = 0
            more = fit_trees(only, y[rows], **{**TREES, "trees": EXTEND["trees"]}, offset=flat_log_odds(kept[model], inputs[rows]))
            return joined_trees(kept[model], flat_trees(more))
        extended = {**kept, "withSound": continued("withSound", X, S & P)}
        if EXTEND.get("pictureOnly"):
            extended["pictureOnly"] = continued("pictureOnly", silent, P)
        return extended
    if base:
        return {**json.load(open(base)), "soundOnly": flat_trees(fit_trees(unseen[S], y[S], **TREES))}
    return {"withSound": flat_trees(fit_trees(X[S & P], y[S & P], **TREES)),
            "pictureOnly": flat_trees(fit_trees(silent[P], y[P], **TREES)),
            "soundOnly": flat_trees(fit_trees(unseen[S], y[S], **TREES))}


def fit_kind_trees(tables, names, seed=1):
    """The kinds' trees as `KindTrees` (Sources/Segmentation/SegmenterTrace.swift) in JSON: for each kind, boosted
    trees of it against the other two over the kind inputs and the score's, TREE_STEPS steps on task drawn from
    each lesson."""
    import numpy as np
    from fit_bells import fit_trees, flat_trees
    rng = np.random.default_rng(seed)
    X, y = [], []
    for n in names:
        if not tables[n][2]:
            continue
        xs, ys = np.array(tables[n][2], float), np.array(tables[n][3], int)
        pick = rng.choice(len(ys), size=min(TREE_STEPS, len(ys)), replace=False)
        X.append(xs[pick]); y.append(ys[pick])
    X, y = np.concatenate(X), np.concatenate(y)
    X[:, [len(KIND_INPUTS) + k for k, (name, _) in enumerate(INPUTS) if name in DROPPED]
         + [k for k, name in enumerate(KIND_INPUTS) if "kind." + name in DROPPED]] = 0   # --drop
    return {kind: flat_trees(fit_trees(X, (y == k).astype(float), **TREES)) for k, kind in enumerate(KINDS)}


def cache_path(out, kind, key_parts):
    """Where a fold's trees are kept in OUT/trees, by what shapes them, so that other --set values are tried
    without fitting again."""
    import hashlib
    key = hashlib.sha1(json.dumps(key_parts).encode()).hexdigest()[:16]
    return os.path.join(out, "trees", f"{kind}-{key}.json")


def keep(path, trees):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".part", "w") as f:
        json.dump(trees, f)
    os.replace(path + ".part", path)


def prefit(jobs, tables):
    """Fits the trees not yet kept, JOBS at once (fit_bells.forked_map): jobs are (path, "score" or "kinds", lessons,
    seed); each fit is the one a single process makes."""
    from fit_bells import forked_map
    todo = [j for j in jobs if not os.path.exists(j[0])]
    def fit(kind, names, seed):
        if kind.startswith("sound:"):   # only the sound's trees, the rest from the file named
            return fit_score_trees(tables, names, seed, base=kind[len("sound:"):])
        return (fit_score_trees if kind == "score" else fit_kind_trees)(tables, names, seed)

    fits = forked_map(fit,
                      [tuple(j[1:]) for j in todo], JOBS)
    for (path, *_), trees in zip(todo, fits):
        keep(path, trees)
        print(f"  fitted {os.path.basename(path)}", flush=True)


def model(out, folds, seed, fixed, write, per_lesson=None, trees=False, swift=None, linear_kinds=False, score_trees=None,
          only_sound=False, kind_trees_file=None):
    if trees:
        fixed = fixed + [("segmenter.scoreByTrees", True), ("kinds.byTrees", not linear_kinds)]
    elif not any(k == "segmenter.scoreByTrees" for k, _ in fixed):
        fixed = fixed + [("segmenter.scoreByTrees", False)]
    names = sorted(f[: -len(".features")] for f in os.listdir(out) if f.endswith(".features"))
    with ThreadPoolExecutor(JOBS) as pool:
        tables = dict(zip(names, pool.map(lambda n: step_table(out, n, fixed), names)))
    scored = [n for n in names if tables[n][0]]
    print(f"{len(names)} lessons ({sum(any(tables[n][5]) for n in names)} with a picture, {len(scored)} scored, "
          f"{sum(len(tables[n][1]) for n in names)} steps), {folds} folds")
    defaults = scores(out, names, fixed, full=True)
    order = names[:]
    random.Random(seed).shuffle(order)
    parts = [order[k::folds] for k in range(folds)]
    fitted = {}
    inputs = [name for name, _ in INPUTS if name not in DROPPED]   # the trees kept are keyed by them: other inputs, other trees
    kind_inputs = [name for name in KIND_INPUTS if "kind." + name not in DROPPED]
    shaping = sorted((k, v) for k, v in fixed if k.split(".")[-1] not in AFTER_SCORE and not k.startswith("kinds."))
    # The steps themselves are in the key too: another build that measures an input otherwise fits other trees.
    import hashlib
    shaping.append(("steps", hashlib.sha1(json.dumps([tables[n] for n in names]).encode()).hexdigest()))

    fit_kinds = not linear_kinds and not kind_trees_file

    def score_job(train):
        if only_sound or EXTEND:   # --sound-only: the sound's trees fitted; --extend-with: withSound's continued
            return (cache_path(out, "sound" if only_sound else "extend", [sorted(train), seed, TREES, TREE_STEPS, shaping, inputs,
                                                                         EXTEND, open(score_trees).read()]),
                    "sound:" + score_trees, train, seed)
        if score_trees:   # --score-trees: the same trees for every fold, not fitted
            return (score_trees, "score", train, seed)
        return (cache_path(out, "score", [sorted(train), seed, TREES, TREE_STEPS, shaping, "soundOnly", inputs]),
                "score", train, seed)

    def kinds_job(on_task):
        return (cache_path(out, "kinds", [sorted(on_task), seed, TREES, TREE_STEPS, shaping, inputs, kind_inputs]),
                "kinds", on_task, seed)

    if trees:
        # Every fold's trees and those fitted on every lesson, JOBS at once.
        jobs = []
        for held in parts:
            jobs.append(score_job([x for x in scored if x not in held]))
            if fit_kinds:
                jobs.append(kinds_job([x for x in names if x not in held]))
        jobs.append(score_job(scored))
        if fit_kinds:
            jobs.append(kinds_job(names))
        prefit(jobs, tables)
    for k, held in enumerate(parts):
        train = [x for x in scored if x not in held]
        kinds = kind_settings(softmax_kinds(tables, [x for x in names if x not in held]))
        if trees:
            options = ("--score-trees", score_job(train)[0])
            if fit_kinds:
                options += ("--kind-trees", kinds_job([x for x in names if x not in held])[0])
            elif kind_trees_file:
                options += ("--kind-trees", kind_trees_file)
            print(f"  fold {k + 1}: trees fitted on {len(train)} lessons ({' '.join(options)})", flush=True)
            fitted.update(scores(out, held, fixed + kinds, full=True, options=options))
            continue
        wts, b = logistic(tables, train)
        settings = fixed + as_settings(wts, b) + kinds
        print(f"  fold {k + 1}: " + ", ".join(f"{key.split('.')[-1]} {v}" for key, v in settings[len(fixed):len(fixed) + len(INPUTS) + 1]), flush=True)
        fitted.update(scores(out, held, settings, full=True))
    print(f"defaults{' with --set' if fixed else ''}, all lessons: {means(defaults, names)}")
    print(f"fitted, cross-validated ({folds} folds): {means(fitted, names)}")
    if per_lesson:
        with open(per_lesson, "w") as f:
            json.dump(fitted, f, indent=1)
    if trees:
        final = fixed + kind_settings(softmax_kinds(tables, names))
        flat = json.load(open(score_job(scored)[0]))
        kind_trees = (json.load(open(kind_trees_file)) if kind_trees_file else {} if linear_kinds
                      else json.load(open(kinds_job(names)[0])))
        if write:
            stem = write[: -len(".json")] if write.endswith(".json") else write
            with open(stem + ".trees.json", "w") as f:
                json.dump(flat, f)
            if kind_trees:
                with open(stem + ".kinds.json", "w") as f:
                    json.dump(kind_trees, f)
        flat = {**flat, **kind_trees}
        if swift:
            with open(swift, "w") as f:
                f.write(trees_swift(flat, scored, score_trees, names, only_sound, kind_trees_file))
            print(f"trees written to {swift}")
    else:
        wts, b = logistic(tables, scored)
        final = fixed + as_settings(wts, b) + kind_settings(softmax_kinds(tables, names))
    print("fitted on every lesson: " + json.dumps(nested(final)))
    if write:
        with open(write, "w") as f:
            json.dump(nested(final), f, indent=2)
        print(f"written to {write}")


def trees_swift(models, names, score_trees=None, kind_names=None, only_sound=False, kind_trees_file=None):
    """SegmenterTrees.swift: the trees fitted on every lesson, the defaults of `SegmentationConfig.scoreTrees` and `.kindTrees`."""
    from fit_bells import swift_trees
    sets = sorted({n.split("__")[0] for n in names})
    lines = ["// Generated by scripts/fit.py (model --trees --swift): the boosted trees of the transition score and of the kinds,",
             f"// fitted on the {len(names)} lessons of the sets {', '.join(sets)}. Do not edit by hand: fit again."
             if not score_trees else
             f"// the score's withSound and pictureOnly from {os.path.relpath(score_trees, ROOT)}, the kinds' from\n"
             f"// {os.path.relpath(kind_trees_file, ROOT)} (neither fitted again); soundOnly fitted on the sound alone of the\n"
             f"// {len(names)} lessons of the sets {', '.join(sets)} (fit.py sound-only). Do not edit by hand: fit again."
             if only_sound else
             f"// the score's from {os.path.relpath(score_trees, ROOT)}, withSound's{' and pictureOnly' if EXTEND.get('pictureOnly') else ''} continued by {EXTEND.get('trees')} trees over\n"
             f"// {', '.join(EXTEND.get('inputs', []))} alone fitted on the {len(names)} lessons of the sets {', '.join(sets)} (model --extend-with);\n"
             f"// the kinds' from {os.path.relpath(kind_trees_file or '', ROOT)}. Do not edit by hand: fit again."
             if EXTEND else
             f"// the score's from {os.path.relpath(score_trees, ROOT)} (not fitted again), the kinds' fitted on the {len(kind_names)} lessons\n"
             f"// of the sets {', '.join(sorted({n.split('__')[0] for n in kind_names}))}. Do not edit by hand: fit again.",
             "", "enum SegmenterTrees {"]
    score = "the score's inputs in `ScoreInput`'s order: " + ", ".join(k for k, _ in INPUTS)
    for key, flat in models.items():
        reads = (f"the kind inputs in `KindInput`'s order ({', '.join(KIND_INPUTS)}), then {score}" if key in KINDS
                 else score)
        lines += swift_trees(key, flat, f"{key}: {len(flat['roots'])} trees of depth {TREES['depth']} over {reads}.")
    return "\n".join(lines + ["}", ""])


GROUPS = {"segmenter": "SegmenterSettings", "kinds": "KindSettings", "bellDetector": "BellDetectorSettings", "features": "FeatureSettings"}
CONFIG_SWIFT = os.path.join(ROOT, "Sources/Segmentation/SegmentationConfig.swift")


def apply(path):
    """Makes a configuration file's segmenter, kinds and bell detector settings the defaults in the source."""
    import re
    text = open(CONFIG_SWIFT).read()
    for key, value in flatten(json.load(open(path))):
        group, name = key.split(".")
        start = text.index(f"struct {GROUPS[group]}")
        end = text.index("\n}\n", start)
        body = text[start:end]
        literal = ("true" if value else "false") if isinstance(value, bool) else repr(float(value))
        new, count = re.subn(rf"(public var {name} = )[^\n]+", lambda m: m.group(1) + literal, body)
        if count != 1:
            raise SystemExit(f"{key}: not found in {GROUPS[group]}")
        text = text[:start] + new + text[end:]
    open(CONFIG_SWIFT, "w").write(text)
    print(f"{CONFIG_SWIFT}: defaults from {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("features")
    f.add_argument("dirs", nargs="+")
    f.add_argument("--out", default=os.path.join(ROOT, "fit-work"))
    f.add_argument("--config", help="a configuration file for the analysis (e.g. other feature settings)")
    s = sub.add_parser("search")
    s.add_argument("--out", default=os.path.join(ROOT, "fit-work"))
    s.add_argument("--folds", type=int, default=5)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--param", action="append", required=True, help="KEY=V1,V2,...")
    s.add_argument("--set", action="append", default=[], help="KEY=V, fixed in every combination")
    s.add_argument("--config", help="a configuration file (e.g. model --write's) whose settings are fixed")
    s.add_argument("--score-trees", metavar="FILE", help="trees for the transition score (model --trees --write's .trees.json) in place of the built-in ones")
    m = sub.add_parser("model")
    m.add_argument("--out", default=os.path.join(ROOT, "fit-work"))
    m.add_argument("--folds", type=int, default=5)
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--set", action="append", default=[], help="KEY=V, fixed during the fit")
    m.add_argument("--write", help="write the settings fitted on every lesson to this configuration file")
    m.add_argument("--per-lesson", metavar="FILE", help="write each lesson's cross-validated scores (JSON)")
    m.add_argument("--drop", action="append", default=[], help="an input (as INPUTS names it, or kind.NAME for a kind input with --trees) left out of the fit: its weight 0, or with --trees never read")
    m.add_argument("--trees", action="store_true", help="fit boosted trees for the transition score (segmenter.scoreByTrees) instead of its weights")
    m.add_argument("--depth", type=int, default=TREES["depth"], help="with --trees: the trees' depth")
    m.add_argument("--n-trees", type=int, default=TREES["trees"], help="with --trees: how many trees")
    m.add_argument("--linear-kinds", action="store_true", help="with --trees: keep the kinds' linear scores (kinds.byTrees off) instead of fitting their trees")
    m.add_argument("--score-trees", metavar="FILE", help="with --trees: the score's trees from FILE (model --write's .trees.json) in every fold, not fitted: only the kinds' trees are fitted and cross-validated")
    m.add_argument("--sound-only", action="store_true", help="with --trees and --score-trees and --kind-trees: fit only the score's soundOnly trees (on lessons made by `sound-only`), the rest from those files")
    m.add_argument("--extend-with", metavar="INPUT,INPUT", help="with --trees, --score-trees and --kind-trees: keep those trees and add --extend-trees more to withSound's, reading only these inputs (new inputs added without fitting the rest again)")
    m.add_argument("--extend-trees", type=int, default=50, help="with --extend-with: how many trees to add")
    m.add_argument("--extend-picture-only", action="store_true", help="with --extend-with: continue pictureOnly's trees (recordings without sound) the same way")
    m.add_argument("--kind-trees", metavar="FILE", help="with --trees: the kinds' trees from FILE (model --write's .kinds.json), not fitted")
    m.add_argument("--swift", metavar="FILE", help="with --trees: write the trees fitted on every lesson as Swift source (Sources/Segmentation/SegmenterTrees.swift)")
    o = sub.add_parser("sound-only")
    o.add_argument("src", help="a directory of saved features (fit.py features --out)")
    o.add_argument("out")
    a = sub.add_parser("apply")
    a.add_argument("config", help="a configuration file (model --write's)")
    args = parser.parse_args()
    if args.command == "apply":
        apply(args.config)
    elif args.command == "sound-only":
        sound_only(args.src, args.out)
    elif args.command == "features":
        features(args.dirs, args.out, args.config)
    elif args.command == "model":
        fixed = [(k, float(v)) for k, v in (p.split("=", 1) for p in args.set)]
        unknown = set(args.drop) - {k for k, _ in INPUTS} - {"kind." + k for k in KIND_INPUTS}
        if unknown:
            parser.error(f"--drop: no input {', '.join(sorted(unknown))}")
        DROPPED.update(args.drop)
        TREES.update(depth=args.depth, trees=args.n_trees)
        if (args.score_trees or args.kind_trees) and not args.trees:
            parser.error("--score-trees and --kind-trees are for --trees")
        if args.extend_with:
            if not (args.score_trees and args.kind_trees) or args.sound_only:
                parser.error("--extend-with needs --score-trees and --kind-trees, and not --sound-only")
            named = args.extend_with.split(",")
            if set(named) - {k for k, _ in INPUTS}:
                parser.error(f"--extend-with: no input {', '.join(sorted(set(named) - {k for k, _ in INPUTS}))}")
            EXTEND.update(inputs=named, trees=args.extend_trees, pictureOnly=args.extend_picture_only)
        if args.sound_only and not (args.score_trees and args.kind_trees):
            parser.error("--sound-only needs --score-trees and --kind-trees (the trees not fitted)")
        model(args.out, args.folds, args.seed, fixed, args.write, args.per_lesson, args.trees, args.swift, args.linear_kinds,
              args.score_trees, args.sound_only, args.kind_trees)
    else:
        params = []
        for p in args.param:
            key, values = p.split("=", 1)
            params.append((key, [float(v) for v in values.split(",")]))
        fixed = [(k, float(v)) for k, v in (p.split("=", 1) for p in args.set)]
        if args.config:
            fixed = flatten(json.load(open(args.config))) + fixed
        search(args.out, params, args.folds, args.seed, fixed, ("--score-trees", args.score_trees) if args.score_trees else ())


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Fits segmentation settings by cross-validation, on saved features (decode each lesson once).

    scripts/fit.py features DIR... [--out fit-work]        decode each lesson with truth in DIR once
    scripts/fit.py search [--out fit-work] [--folds 5] --param KEY=V1,V2,... [--param ...]

`features` runs `bellwork analyze LESSON --save-features` for every NAME.truth.json with its recording beside
it. `search` tries every combination of the values given (settings as `bellwork settings` names them, e.g.
`segmenter.transitionThreshold=1.5,2,2.5`) with `bellwork segment` (no decoding): in each of K folds it picks
the combination that scores best on the other folds and scores it on the held-out fold, so the printed
figure is one no lesson was tuned on. The score: mean label agreement + mean kind agreement - mean
|time-on-task error| / 100 (fractions; higher is better). It prints the cross-validated figures of the
defaults and of the fitted choice, and the choice on all lessons. Nothing is changed: a default moves only
when the cross-validated figure says so and a fresh check set (lessons drawn after the last change)
confirms it.
"""
import argparse, itertools, json, os, random, shutil, subprocess, sys, tempfile
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


def features(dirs, out):
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
        subprocess.run([BIN, "analyze", lesson, "--save-features", saved, "--quiet", "--output", "/dev/null"], check=True)

    with ThreadPoolExecutor(JOBS) as pool:
        list(pool.map(run, jobs))
    print(f"{len(jobs)} lessons' features in {out}")


def nested(assignments):
    config = {}
    for key, value in assignments:
        parts = key.split(".")
        node = config
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return config


def scores(out, names, assignments):
    """Per lesson: (label agreement, kind agreement, |time-on-task error|) with these settings."""
    work = tempfile.mkdtemp(prefix="bellwork-fit-")
    try:
        config = os.path.join(work, "config.json")
        with open(config, "w") as f:
            json.dump(nested(assignments), f)
        results = os.path.join(work, "results")
        truths = os.path.join(work, "truths")
        os.makedirs(results)
        os.makedirs(truths)

        def run(name):
            subprocess.run([BIN, "segment", os.path.join(out, name + ".features"), "--config", config,
                            "--format", "json", "--quiet", "--output", os.path.join(results, name + ".json")], check=True)
            os.symlink(os.path.abspath(os.path.join(out, name + ".truth.json")), os.path.join(truths, name + ".truth.json"))

        with ThreadPoolExecutor(JOBS) as pool:
            list(pool.map(run, names))
        text = subprocess.run([BIN, "score", results, truths, "--format", "json"], check=True,
                              capture_output=True, text=True).stdout
        lessons = json.loads(text)["lessons"]
        return {n: (s["labelAgreement"], s["kindAgreement"], s["timeOnTaskErrorPoints"]) for n, s in lessons.items()}
    finally:
        shutil.rmtree(work)


def objective(per, names):
    n = len(names)
    return (sum(per[x][0] for x in names) / n + sum(per[x][1] for x in names) / n
            - sum(per[x][2] for x in names) / n / 100)


def summary(per, names):
    n = len(names)
    return (f"agreement {100 * sum(per[x][0] for x in names) / n:.1f} %, kinds {100 * sum(per[x][1] for x in names) / n:.1f} %, "
            f"mean |time-on-task error| {sum(per[x][2] for x in names) / n:.2f} pts")


def search(out, params, folds, seed):
    names = sorted(f[: -len(".features")] for f in os.listdir(out) if f.endswith(".features"))
    keys = [k for k, _ in params]
    grid = [list(zip(keys, values)) for values in itertools.product(*[v for _, v in params])]
    print(f"{len(names)} lessons, {len(grid)} combinations, {folds} folds")
    table = {}
    for i, assignments in enumerate(grid):
        table[i] = scores(out, names, assignments)
        print(f"  {dict(assignments)}: {summary(table[i], names)}", flush=True)
    defaults = scores(out, names, [])
    order = names[:]
    random.Random(seed).shuffle(order)
    parts = [order[k::folds] for k in range(folds)]
    fitted, chosen = {}, []
    for k, held in enumerate(parts):
        train = [x for x in names if x not in held]
        best = max(table, key=lambda i: objective(table[i], train))
        chosen.append(dict(grid[best]))
        for x in held:
            fitted[x] = table[best][x]
    print(f"defaults, all lessons:           {summary(defaults, names)}")
    print(f"fitted, cross-validated ({folds} folds): {summary(fitted, names)}")
    for k, c in enumerate(chosen):
        print(f"  fold {k + 1} chose {c}")
    best = max(table, key=lambda i: objective(table[i], names))
    print(f"best on all lessons (not a figure to report): {dict(grid[best])}: {summary(table[best], names)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("features")
    f.add_argument("dirs", nargs="+")
    f.add_argument("--out", default=os.path.join(ROOT, "fit-work"))
    s = sub.add_parser("search")
    s.add_argument("--out", default=os.path.join(ROOT, "fit-work"))
    s.add_argument("--folds", type=int, default=5)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--param", action="append", required=True, help="KEY=V1,V2,...")
    args = parser.parse_args()
    if args.command == "features":
        features(args.dirs, args.out)
    else:
        params = []
        for p in args.param:
            key, values = p.split("=", 1)
            params.append((key, [float(v) for v in values.split(",")]))
        search(args.out, params, args.folds, args.seed)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""`make bench-queue`: the PostgreSQL queue's own speed and the lessons an hour it lets this machine analyse.

Runs under scripts/with-postgres.sh (a throwaway server on this machine; BELLWORK_TEST_POSTGRES_URL), with the
release build. Measures, each in a fresh database:
  1. claims per second: `bellwork queue-bench` registers LESSONS synthetic lessons, then CLAIMERS claimers at
     once (each its own connection) claim and finish them until none is left; RUNS runs, the median;
  2. lessons per hour with 1, 2 and 4 workers (`bellwork worker --jobs 1 --exit-when-empty`) on COPIES copies of
     MEDIA (by default the bench matrix's iPad-like 720p H.264 without B-frames, made by `make bench`; else the
     small sample lesson of Fixtures/, which says little about real uploads), and `bellwork batch --jobs 2` on
     the same files for comparison;
then turns them into a capacity table (machines for 1,000 and 10,000 lesson-hours a night) and writes it all to
standard output and benchmarks/RESULTS-queue.md.
"""
import argparse, datetime, json, math, os, platform, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "bellwork")
SAMPLE = os.path.join(ROOT, "Fixtures", "sample-lesson.mp4")
IPAD = os.path.join(ROOT, "benchmarks", "media", "matrix", "h264_720p_no_bframes.mp4")


def database(base, name):
    """A fresh database on the server, and its URL."""
    subprocess.run(["psql", base, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "SET client_min_messages = warning",
                    "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                    "-c", f"CREATE DATABASE {name}"], check=True)
    head, _, tail = base.rpartition("/")
    query = tail[tail.index("?"):] if "?" in tail else ""
    return f"{head}/{name}{query}"


def claims(base, claimers, lessons, runs):
    results = []
    for run in range(runs):
        url = database(base, f"bench_claims_{run}")
        out = subprocess.run([BIN, "queue-bench", "--queue", url, "--claimers", str(claimers), "--lessons", str(lessons)],
                             check=True, capture_output=True, text=True).stdout
        results.append(json.loads(out))
        print(f"  claims run {run + 1}: {results[-1]['claimsPerSecond']:.0f}/s", file=sys.stderr)
    return results


def lessons_folder(media, copies):
    folder = tempfile.mkdtemp(prefix="bellwork-bench-queue-")
    hour_ago = time.time() - 3600
    for i in range(copies):
        path = os.path.join(folder, f"teacher{i % 4}", f"lesson{i:02d}.mp4")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copyfile(media, path)
        os.utime(path, (hour_ago, hour_ago))
    return folder


def media_seconds(media):
    info = json.loads(subprocess.run([BIN, "probe", media, "--format", "json"], check=True, capture_output=True, text=True).stdout)
    return info["durationSeconds"]


def workers(base, folder, count, copies):
    url = database(base, f"bench_workers_{count}")
    subprocess.run([BIN, "enqueue", folder, "--queue", url], check=True, capture_output=True)
    started = time.monotonic()
    procs = [subprocess.Popen([BIN, "worker", "--queue", url, "--jobs", "1", "--exit-when-empty", "--poll-interval", "0.5",
                               "--name", f"bench-{i}"], stderr=subprocess.DEVNULL) for i in range(count)]
    for p in procs:
        if p.wait() != 0:
            raise SystemExit(f"a worker ended with {p.returncode}")
    wall = time.monotonic() - started
    done = subprocess.run(["psql", url, "-X", "-At", "-c", "SELECT count(*) FROM bellwork.lesson WHERE status = 'done'"],
                          check=True, capture_output=True, text=True).stdout.strip()
    if int(done) != copies:
        raise SystemExit(f"{done} of {copies} lessons done with {count} workers")
    return wall


def batch(folder):
    out = tempfile.mkdtemp(prefix="bellwork-bench-batch-")
    shutil.rmtree(out)
    started = time.monotonic()
    subprocess.run([BIN, "batch", folder, "--out", out, "--jobs", "2", "--quiet"], check=True, capture_output=True)
    wall = time.monotonic() - started
    shutil.rmtree(out, ignore_errors=True)
    return wall


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claimers", type=int, default=32)
    parser.add_argument("--lessons", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--media", default=IPAD if os.path.exists(IPAD) else SAMPLE)
    parser.add_argument("--output", default=os.path.join(ROOT, "benchmarks", "RESULTS-queue.md"))
    args = parser.parse_args()
    base = os.environ.get("BELLWORK_TEST_POSTGRES_URL")
    if not base:
        raise SystemExit("run it under scripts/with-postgres.sh (make bench-queue): BELLWORK_TEST_POSTGRES_URL is not set")
    if not os.access(BIN, os.X_OK):
        raise SystemExit(f"no release build at {BIN}: make build")

    print(f"claims: {args.claimers} claimers, {args.lessons} lessons, {args.runs} runs", file=sys.stderr)
    claim_runs = claims(base, args.claimers, args.lessons, args.runs)
    rate = statistics.median(r["claimsPerSecond"] for r in claim_runs)

    seconds = media_seconds(args.media)
    folder = lessons_folder(args.media, args.copies)
    rows = []
    try:
        for count in (1, 2, 4):
            wall = workers(base, folder, count, args.copies)
            rows.append((f"{count} worker{'s' if count > 1 else ''} (`worker --jobs 1` each)", wall))
            print(f"  {count} workers: {wall:.1f} s", file=sys.stderr)
        wall = batch(folder)
        rows.append(("`batch --jobs 2` (SQLite, for comparison)", wall))
        print(f"  batch --jobs 2: {wall:.1f} s", file=sys.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    table = ["| run | wall time | lessons per hour | media hours per hour |", "| --- | --- | --- | --- |"]
    best = 0.0
    for name, wall in rows:
        per_hour = args.copies / wall * 3600
        media = per_hour * seconds / 3600
        if "worker" in name:
            best = max(best, media)
        table.append(f"| {name} | {wall:.1f} s | {per_hour:.0f} | {media:.1f} |")

    night = 8.0
    capacity = ["| lesson-hours a night (8 h) | machines like this one (2 cores) |", "| --- | --- |"]
    for hours in (1000, 10000):
        capacity.append(f"| {hours:,} | {math.ceil(hours / (best * night))} |")
    # A 45-minute lesson claimed once: the queue's claims an hour, in lesson-hours, against what one machine needs.
    queue_lesson_hours = rate * 3600 * 0.75
    machines_at_limit = queue_lesson_hours / best

    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    text = f"""# The PostgreSQL queue: claims per second and lessons per hour

Made by `make bench-queue` (`scripts/with-postgres.sh python3 benchmarks/queue.py`) on {when}, commit {commit}, on
{platform.node()} ({os.cpu_count()} cores), PostgreSQL on the same machine (a throwaway server, fsync on).

## Claims per second

`bellwork queue-bench --claimers {args.claimers} --lessons {args.lessons}`: {args.claimers} claimers at once, each with
its own connection, claim a lesson (`FOR UPDATE SKIP LOCKED`, with the sweep of expired leases) and record its
result, until none is left. Runs: {", ".join(f"{r['claimsPerSecond']:.0f}/s" for r in claim_runs)}; median
**{rate:.0f} claims a second** (goal: at least 500).

## Lessons per hour on this machine

{args.copies} copies of `{os.path.relpath(args.media, ROOT)}` ({seconds / 60:.1f} min each), enqueued into a fresh
database; the workers end when the queue is empty.

{chr(10).join(table)}

## Capacity

From the best of the worker rows ({best:.1f} media hours an hour on one 2-core machine):

{chr(10).join(capacity)}

The queue is not the limit: at {rate:.0f} claims a second it hands out {queue_lesson_hours:,.0f} lesson-hours of
45-minute lessons an hour, as much as about {machines_at_limit:,.0f} machines like this one analyse. Long before
that, the shared storage the workers read the uploads from (each reads every byte of its lesson once) and the
connections (one per worker; PostgreSQL's default `max_connections` is 100) would need attention.
"""
    print(text)
    with open(args.output, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()

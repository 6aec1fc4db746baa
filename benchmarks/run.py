#!/usr/bin/env python3
"""`make bench`: Bellwork's speed against a plain FFmpeg decode of the same file, and its accuracy.

The files: a matrix of every kind of upload (720p and 1080p H.264 with and without B-frames, 1080p HEVC, 4K
HEVC, VP9 WebM, sound only; `MATRIX_KINDS`, made once into benchmarks/media/matrix/ from a rendered lesson),
and the long benchmark lessons (`--matrix`: the matrix only). For each file (not committed),
runs `bellwork analyze` and `ffmpeg -v error -i F -f null -` alternately, RUNS times each, and reports the
median wall time, the real-time factor, the ratio of the two paired run by run (median, min, max), peak
memory (the child's maximum resident set, from wait4), and bellwork's time per stage. Then scores the
validation fixtures with the default (fast) decode and with --decode full, so a speed change that costs
accuracy shows. Everything goes to standard output and to benchmarks/RESULTS.md.
"""
import argparse, datetime, glob, json, os, platform, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "bellwork")
MEDIA = os.path.join(ROOT, "benchmarks", "media")
MATRIX = os.path.join(MEDIA, "matrix")

# Every kind of upload, made once from the first minutes of the rendered tablet lesson by re-encoding it as each
# kind of camera or service writes it (ffmpeg as a tool of the benchmark, never of the product): name, what it
# stands for, seconds, ffmpeg output options. Upscaled pictures decode at the cost of their size.
MATRIX_SOURCE = "bench_tablet_720p_10min.mp4"
MATRIX_KINDS = [
    ("h264_720p_bframes.mp4", "720p H.264 with B-frames (a camcorder, an encoder's default)", 180,
     ["-c:v", "libx264", "-preset", "medium", "-crf", "23", "-c:a", "aac", "-b:a", "96k"]),
    ("h264_720p_no_bframes.mp4", "720p H.264, no B-frames, a key frame each second (an iPad, an older iPhone)", 180,
     ["-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "30", "-crf", "23", "-c:a", "aac", "-b:a", "96k"]),
    ("h264_1080p_bframes.mp4", "1080p H.264 with B-frames", 120,
     ["-vf", "scale=1920:1080", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-c:a", "aac", "-b:a", "96k"]),
    ("h264_1080p_no_bframes.mp4", "1080p H.264, no B-frames, a key frame each second (a phone)", 120,
     ["-vf", "scale=1920:1080", "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "30", "-crf", "23",
      "-c:a", "aac", "-b:a", "96k"]),
    ("hevc_1080p_bframes.mp4", "1080p HEVC with B-frames (a recent phone)", 120,
     ["-vf", "scale=1920:1080", "-c:v", "libx265", "-preset", "ultrafast", "-crf", "26", "-tag:v", "hvc1",
      "-x265-params", "log-level=error", "-c:a", "aac", "-b:a", "96k"]),
    ("hevc_4k.mp4", "2160p HEVC (a 4K phone or classroom camera)", 120,
     ["-vf", "scale=3840:2160", "-c:v", "libx265", "-preset", "ultrafast", "-crf", "28", "-tag:v", "hvc1",
      "-x265-params", "log-level=error", "-c:a", "aac", "-b:a", "96k"]),
    ("vp9_720p.webm", "720p VP9 WebM (a browser's recording)", 120,
     ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1500k", "-c:a", "libopus", "-b:a", "64k"]),
    ("sound_only.m4a", "sound only (a voice recorder)", 600, ["-vn", "-c:a", "copy"]),
]


def make_matrix():
    """The matrix's files in benchmarks/media/matrix/ (each made once, kept)."""
    source = os.path.join(MEDIA, MATRIX_SOURCE)
    if not os.path.exists(source):
        print(f"making {MATRIX_SOURCE} (once)", flush=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "Fixtures", "generator", "make_fixtures.py"), "--bench", MEDIA,
                        "--only", MATRIX_SOURCE.rsplit(".", 1)[0]], check=True)
    os.makedirs(MATRIX, exist_ok=True)
    files = []
    for name, what, seconds, options in MATRIX_KINDS:
        out = os.path.join(MATRIX, name)
        if not os.path.exists(out):
            print(f"making matrix/{name}: {what}", flush=True)
            part = out + ".part" + os.path.splitext(name)[1]
            subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-t", str(seconds), "-i", source, *options, part], check=True)
            os.replace(part, out)
        files.append(out)
    return files


def kind_of(path):
    """What a matrix file stands for (empty for the other benchmark files)."""
    return next((what for name, what, _, _ in MATRIX_KINDS if os.path.basename(path) == name), "")


def timed(cmd):
    """Runs cmd; returns (wall seconds, peak RSS bytes, CPU seconds (user and system))."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(cmd)} failed ({code}): {err.strip()}")
    return wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def duration_of(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
                         capture_output=True, text=True, check=True).stdout
    return float(out.strip())


def describe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "stream=codec_name,width,height,avg_frame_rate,has_b_frames", "-of", "json", path],
                         capture_output=True, text=True, check=True).stdout
    streams = json.loads(out)["streams"]
    if not streams:
        return "no video"
    s = streams[0]
    return f"{s['codec_name']} {s['width']}x{s['height']}{'' if int(s.get('has_b_frames', 0) or 0) else ', no B'}"


def bench_file(path, runs, extra):
    tmp = tempfile.mkdtemp(prefix="bellwork-bench-")
    result, stats = os.path.join(tmp, "r.json"), os.path.join(tmp, "t.json")
    bw, ff, ratios, mem_bw, mem_ff, stages, cpu = [], [], [], [], [], [], []
    for i in range(runs):
        # Alternate which goes first, so neither always meets a warm or a cold cache.
        order = ["bw", "ff"] if i % 2 == 0 else ["ff", "bw"]
        pair = {}
        for which in order:
            if which == "bw":
                w, m, c = timed([BIN, "analyze", path, "--format", "json", "--output", result, "--timings", stats, "--quiet"] + extra)
                bw.append(w); mem_bw.append(m); cpu.append(c); pair["bw"] = w
                with open(stats) as f:
                    stages.append(json.load(f))
            else:
                w, m, _ = timed(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "null", "-"])
                ff.append(w); mem_ff.append(m); pair["ff"] = w
        ratios.append(pair["bw"] / pair["ff"])
        print(f"  run {i + 1}/{runs}: bellwork {pair['bw']:.2f} s, ffmpeg {pair['ff']:.2f} s, ratio {ratios[-1]:.3f}", flush=True)
    med = lambda xs: statistics.median(xs)
    stage = {k: med([s["decode"][k] for s in stages]) for k in
             ["demuxSeconds", "videoDecodeSeconds", "audioDecodeSeconds", "scaleSeconds", "resampleSeconds"]}
    last = stages[-1]["decode"]
    stage["mode"] = f"{last.get('frameSkipping', '?')} skipped, {last.get('videoParts', 1)} part(s)"
    stage["features"] = med([s["timings"]["features"] for s in stages])
    stage["segmentation"] = med([s["timings"]["segmentation"] for s in stages])
    return {"bw": med(bw), "ff": med(ff), "ratio": (med(ratios), min(ratios), max(ratios)),
            "mem_bw": max(mem_bw), "mem_ff": max(mem_ff), "stages": stage, "cpu": med(cpu)}


def accuracy(extra):
    split = json.load(open(os.path.join(ROOT, "Fixtures", "lessons", "split.json")))
    tmp = tempfile.mkdtemp(prefix="bellwork-acc-")
    for name in split["validation"]:
        lesson = [p for p in glob.glob(os.path.join(ROOT, "Fixtures", "lessons", name + ".*")) if not p.endswith(".json")][0]
        subprocess.run([BIN, "analyze", lesson, "--format", "json", "--output", os.path.join(tmp, name + ".json"), "--quiet"] + extra,
                       check=True)
        os.symlink(os.path.join(ROOT, "Fixtures", "lessons", name + ".truth.json"), os.path.join(tmp, name + ".truth.json"))
    out = subprocess.run([BIN, "score", tmp, tmp, "--format", "json"], capture_output=True, text=True, check=True).stdout
    table = subprocess.run([BIN, "score", tmp, tmp], capture_output=True, text=True, check=True).stdout
    return json.loads(out), table


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="runs of each program per file (default 5)")
    ap.add_argument("--long-runs", type=int, default=None,
                    help="runs for lessons over 30 minutes (default: --runs); a 45-minute pair takes ~10 minutes here")
    ap.add_argument("--files", nargs="*", help="benchmark these files instead of benchmarks/media/*")
    ap.add_argument("--matrix", action="store_true", help="only the matrix of upload kinds (benchmarks/media/matrix/)")
    ap.add_argument("--skip-accuracy", action="store_true")
    ap.add_argument("--decode", choices=["fast", "bursts", "nonref", "full"], default=None,
                    help="bellwork's decode mode for the timed runs (default: its own default, fast)")
    ap.add_argument("--config", help="a configuration file for bellwork's timed runs (e.g. `{\"decode\": {\"skipLoopFilter\": true}}`, to time a decoder shortcut)")
    ap.add_argument("--output", default=os.path.join(ROOT, "benchmarks", "RESULTS.md"), help="where to write the table")
    args = ap.parse_args()

    lessons = lambda: sorted(p for p in glob.glob(os.path.join(MEDIA, "*")) if p.endswith((".mp4", ".mov", ".mkv", ".webm")))
    files = args.files
    if not files:
        if not args.matrix and len(lessons()) < 3:
            print("making the benchmark lessons (once; they are kept in benchmarks/media/)", flush=True)
            subprocess.run([sys.executable, os.path.join(ROOT, "Fixtures", "generator", "make_fixtures.py"), "--bench", MEDIA,
                            "--skip-existing"], check=True)
        files = make_matrix() + ([] if args.matrix else lessons())

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?")
    ffv = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.splitlines()[0]
    lines = ["# Benchmark results", "",
             f"Made by `python3 benchmarks/run.py {' '.join(sys.argv[1:])}` (what `make bench` runs) on {datetime.date.today()}.", "",
             f"Load average when it started: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work on the machine slows both programs alike; the paired ratio is the figure to read).", "",
             f"Machine: {os.cpu_count()} cores ({cpu}), {int(mem) // 1024 // 1024} GiB; {ffv}; {platform.platform()}.", "",
             "Each file: `bellwork analyze F --format json` (default fast decode) and `ffmpeg -v error -i F -f null -`,",
             f"alternately, {args.runs} runs each. Ratio = bellwork's wall time / ffmpeg's, paired run by run. Peak memory is",
             "the child's maximum resident set. Stage times are bellwork's own (median over runs; decode stages overlap",
             "with FFmpeg's frame threads, so they do not add up to the wall time).", "",
             "CPU per media hour: bellwork's user and system time (all threads) over the file's length, times 3600: what",
             "a district's batch pays per hour of lessons of that kind.", "",
             "| file | stands for | video | length | ffmpeg median | bellwork median | real time | ratio median (min–max) | peak memory bellwork / ffmpeg | CPU per media hour |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    stage_rows = ["", "Stage times (summed over threads: with two video parts, video decode is CPU time of both):", "",
                  "| file | decoder shortcut | demux | video decode | audio decode | shrink | resample | features | segmentation |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for path in files:
        d = duration_of(path)
        print(f"{os.path.basename(path)} ({d / 60:.1f} min, {describe(path)})", flush=True)
        runs = args.long_runs if (args.long_runs and d > 1800) else args.runs
        r = bench_file(path, runs, (["--decode", args.decode] if args.decode else []) + (["--config", args.config] if args.config else []))
        name = os.path.relpath(path, MEDIA)
        row = (f"| {name} ({runs} runs) | {kind_of(path) or 'a rendered lesson'} | {describe(path)} | {d / 60:.1f} min | {r['ff']:.1f} s | "
               f"{r['bw']:.1f} s | {d / r['bw']:.0f}× | {r['ratio'][0]:.3f} ({r['ratio'][1]:.3f}–{r['ratio'][2]:.3f}) | "
               f"{r['mem_bw'] / 2**20:.0f} MB / {r['mem_ff'] / 2**20:.0f} MB | {r['cpu'] / d * 3600:.0f} s |")
        s = r["stages"]
        stage_rows.append(f"| {name} | {s['mode']} | {s['demuxSeconds']:.2f} s | {s['videoDecodeSeconds']:.2f} s | {s['audioDecodeSeconds']:.2f} s | "
                          f"{s['scaleSeconds']:.2f} s | {s['resampleSeconds']:.2f} s | {s['features']:.2f} s | {s['segmentation']:.3f} s |")
        print(row.replace("|", " ").strip(), flush=True)
        lines.append(row)
    lines += stage_rows
    if not args.skip_accuracy:
        lines += ["", "## Accuracy on the validation fixtures", ""]
        scored = {}
        for label, extra in [("fast decode (default)", []), ("full decode (`--decode full`)", ["--decode", "full"])]:
            agg, table = accuracy(extra)
            scored[label] = agg
            print(f"accuracy, {label}:\n{table}", flush=True)
            lines += [f"### {label}", "", "```", table.rstrip(), "```", ""]
        # The shortcut's cost: per lesson, fast minus full (the goal: within 1 point of agreement, 1 s of latency).
        fast, full = (scored[k] for k in scored)
        lines += ["### fast minus full", "", "| lesson | agreement (points) | latency error (s) | within 1 point and 1 s |",
                  "| --- | --- | --- | --- |"]
        for name, l in sorted(fast["lessons"].items()):
            f = full["lessons"].get(name)
            if not f:
                continue
            da = 100 * (l["labelAgreement"] - f["labelAgreement"])
            la, lb = l.get("latencyErrorSeconds"), f.get("latencyErrorSeconds")
            dl = (la - lb) if la is not None and lb is not None else None
            ok = abs(da) <= 1 and (dl is None or abs(dl) <= 1)
            lines.append(f"| {name} | {da:+.1f} | {'–' if dl is None else f'{dl:+.1f}'} | {'yes' if ok else 'no'} |")
        lines.append("")
    with open(args.output, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"written: {os.path.relpath(args.output, ROOT)}")


if __name__ == "__main__":
    main()

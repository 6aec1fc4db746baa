#!/usr/bin/env python3
"""A decode mode (by default key-frame bursts, `--decode bursts`) against full decoding on lesson trials
re-encoded as an iPad writes them.

For each lesson of a trial set (Fixtures/trials/SET, with its NAME.truth.json): re-encode it with ffmpeg (a tool of
this script, not of the product) as H.264 without B-frames, 30 fps, a key frame every G frames; analyse it with the
default decode and with `--decode full`; score both against the truth (`bellwork score --format json`); print
per-lesson differences of label agreement and bell-to-work latency error, and the largest.

  python3 scripts/ipad-trials.py fresh3 [--gop 30] [--jobs 2] [--decode bursts|fast|nonref] [--config FILE]
      [--encode ipad|hevc|asis]

--encode: ipad (the default: H.264 without B-frames, as above), hevc (x265 with B-frames, a key frame every G
frames, as a recent phone writes it) or asis (the lessons as rendered: H.264 with B-frames, no re-encoding).

It prints, besides the count within 1 point and 1 s, the mean signed difference of agreement (a bias) and its
mean size. --config gives both analyses a configuration file (e.g. other burst settings).
"""
import argparse, concurrent.futures, glob, json, os, subprocess, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "bellwork")


ENCODINGS = {
    "ipad": lambda gop: ["-r", "30", "-c:v", "libx264", "-bf", "0", "-g", str(gop), "-preset", "veryfast", "-crf", "23"],
    "hevc": lambda gop: ["-r", "30", "-c:v", "libx265", "-x265-params", f"keyint={gop}:log-level=error", "-preset", "ultrafast",
                         "-crf", "28", "-tag:v", "hvc1"],
}


def one(media, truth, work, gop, decode, config=None, encode="ipad"):
    name = os.path.splitext(os.path.basename(media))[0]
    if encode == "asis":
        ipad = media
    else:
        ipad = os.path.join(work, name + ".mp4")
        has_audio = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a", "-show_entries", "stream=index", "-of", "csv=p=0",
                                    media], capture_output=True, text=True).stdout.strip() != ""
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", media] + ENCODINGS[encode](gop)
                       + (["-c:a", "aac", "-b:a", "96k"] if has_audio else []) + [ipad], check=True)
    scores = {}
    for mode, extra in (("fast", ["--decode", decode]), ("full", ["--decode", "full"])):
        result = os.path.join(work, f"{name}.{mode}.json")
        subprocess.run([BIN, "analyze", ipad, "--format", "json", "--output", result, "--quiet"] + extra
                       + (["--config", config] if config else []), check=True)
        out = subprocess.run([BIN, "score", result, truth, "--format", "json"], check=True, capture_output=True, text=True).stdout
        scores[mode] = json.loads(out)
    return name, scores


def measure(score, key):
    lesson = next(iter(score["lessons"].values()))
    return lesson.get(key)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("set")
    parser.add_argument("--gop", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--decode", default="bursts", choices=["bursts", "fast", "nonref"], help="the mode compared with full decoding")
    parser.add_argument("--config", help="a configuration file for both analyses")
    parser.add_argument("--encode", default="ipad", choices=["ipad", "hevc", "asis"], help="how the lessons are re-encoded (see above)")
    args = parser.parse_args()
    folder = os.path.join(ROOT, "Fixtures", "trials", args.set)
    lessons = []
    for truth in sorted(glob.glob(os.path.join(folder, "*.truth.json"))):
        stem = truth[: -len(".truth.json")]
        media = [m for m in glob.glob(stem + ".*") if not m.endswith(".json")]
        if media:
            lessons.append((media[0], truth))
    work = tempfile.mkdtemp(prefix="bellwork-ipad-")
    rows = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for name, scores in pool.map(lambda l: one(l[0], l[1], work, args.gop, args.decode, args.config, args.encode), lessons):
            fa, fu = scores["fast"], scores["full"]
            agreement = (measure(fa, "labelAgreement") - measure(fu, "labelAgreement")) * 100
            lf, lu = measure(fa, "latencyErrorSeconds"), measure(fu, "latencyErrorSeconds")
            latency = None if lf is None or lu is None else abs(lf) - abs(lu)
            rows.append((name, agreement, latency, measure(fu, "labelAgreement")))
            print(f"{name}: agreement {args.decode}-full {agreement:+.2f} points, latency error {args.decode}-full "
                  f"{'–' if latency is None else f'{latency:+.2f} s'} (full agreement {measure(fu, 'labelAgreement'):.3f})", flush=True)
    worst = max(rows, key=lambda r: abs(r[1]))
    worst_latency = max((r for r in rows if r[2] is not None), key=lambda r: abs(r[2]), default=None)
    within = sum(1 for r in rows if abs(r[1]) <= 1 and (r[2] is None or abs(r[2]) <= 1))
    how = "as rendered" if args.encode == "asis" else f"{args.encode}, key frame every {args.gop} frames at 30 fps"
    print(f"\n{len(rows)} lessons of {args.set}, {how}: {within} within 1 point and 1 s; "
          f"largest agreement difference {worst[1]:+.2f} ({worst[0]})"
          + (f", largest latency difference {worst_latency[2]:+.2f} s ({worst_latency[0]})" if worst_latency else ""))
    print(f"agreement {args.decode}-full: mean {sum(r[1] for r in rows) / len(rows):+.2f} points, mean size "
          f"{sum(abs(r[1]) for r in rows) / len(rows):.2f} points")


if __name__ == "__main__":
    main()

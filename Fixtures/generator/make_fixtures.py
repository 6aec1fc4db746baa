#!/usr/bin/env python3
"""Render Bellwork's fixture lessons: picture, sound and ground truth.

  python3 Fixtures/generator/make_fixtures.py                 # the committed set (Fixtures/lessons, sample)
  python3 Fixtures/generator/make_fixtures.py --only NAME ... # some of them
  python3 Fixtures/generator/make_fixtures.py --bench OUTDIR  # the large benchmark lessons (not committed)
  python3 Fixtures/generator/make_fixtures.py --trials Fixtures/trials              # tune, check, check2
  python3 Fixtures/generator/make_fixtures.py --trials Fixtures/trials --sets fit   # the diverse fit set
  python3 Fixtures/generator/make_fixtures.py --trials Fixtures/trials --sets fresh # only after the last change

Every lesson is rendered from a script of phases with a fixed seed, so the truth files come out
the same on every run (and the media too, given the same ffmpeg and numpy).
"""

import argparse, glob
import json
import math
import os
import concurrent.futures
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.io import wavfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import choreo  # noqa: E402
import media  # noqa: E402
import placement  # noqa: E402
import scene  # noqa: E402
import sound  # noqa: E402
import truth  # noqa: E402
from scenarios import BENCH, DIVERSE_SEEDS, EXTRA_TUNE, LESSONS, PURPOSE, SAMPLE, bell_trials, diverse_trials, lesson_trials  # noqa: E402

FIXTURES = os.path.normpath(os.path.join(HERE, ".."))


# ----------------------------------------------------------------------------- output formats
def encoder_args(fmt, sc):
    """ffmpeg output arguments for a format (after the inputs)."""
    crf = str(sc.crf)
    x264 = ["-c:v", "libx264", "-preset", sc.preset, "-crf", crf, "-pix_fmt", "yuv420p",
            "-bf", "3", "-g", str(int(sc.fps * 4)), "-threads", "2"]
    # ffmpeg's AAC encoder low-passes at ~4 kHz for 32 kbit/s stereo unless told otherwise, which would
    # remove the school bell's strongest partials (5.4 kHz): keep the band up to 15 kHz
    aac = ["-c:a", "aac", "-b:a", f"{sc.abr}k", "-cutoff", "15000"]
    aac_st = aac + ["-ar", "48000", "-ac", "2"]
    if fmt == "mp4":
        return x264 + aac_st + ["-movflags", "+faststart"]
    if fmt == "mp4_mono44":
        return x264 + aac + ["-ar", "44100", "-ac", "1", "-movflags", "+faststart"]
    if fmt == "mp4_video_only":
        return x264 + ["-an", "-movflags", "+faststart"]
    if fmt == "m4a":
        return ["-vn"] + aac + ["-ar", "48000", "-ac", "1"]
    if fmt == "webm":
        return ["-c:v", "libvpx-vp9", "-crf", crf, "-b:v", "0", "-deadline", "good", "-cpu-used", "5",
                "-row-mt", "1", "-threads", "2", "-g", str(int(sc.fps * 4)), "-pix_fmt", "yuv420p",
                "-c:a", "libopus", "-b:a", f"{sc.abr}k", "-ac", "1"]
    if fmt == "mov_hevc":
        # stored landscape, shown portrait: ffprobe prints "rotation of -90.00 degrees"
        return ["-c:v", "libx265", "-preset", sc.preset, "-crf", crf, "-pix_fmt", "yuv420p", "-tag:v", "hvc1",
                "-x265-params", "log-level=error:bframes=3:pools=2",
                ] + aac + ["-ar", "48000", "-ac", "1", "-movflags", "+faststart"]
    raise ValueError(fmt)


EXT = {"mp4": "mp4", "mp4_mono44": "mp4", "mp4_video_only": "mp4", "m4a": "m4a", "webm": "webm",
       "mov_hevc": "mov"}


def frame_times(sc, duration):
    """Presentation times of the frames. A phone's variable frame rate wobbles around 27 fps."""
    if sc.vfr:
        n = int(duration * 27.0)
        N = np.arange(n)
        ts = N / 27.0 + 0.012 * np.sin(0.7 * N) + 0.006 * np.sin(0.13 * N)
        ts[0] = 0.0
        return ts[ts < duration - 1.0 / 27]
    n = int(round(duration * sc.fps))
    return np.arange(n) / sc.fps


# ----------------------------------------------------------------------------- picture effects
def light_at(sc, t):
    """(room light gain, projector 0..1) at t."""
    light, proj = 1.0, 0.0
    for t0, level, p, ramp in sc.lights:
        f = min(1.0, max(0.0, (t - t0) / ramp))
        light = light + (level - light) * f
        proj = proj + (p - proj) * f
    return light, proj


def camera_at(sc, t, height):
    """(dy, dx) pixel shift and exposure while the camera is picked up and set down."""
    if not sc.camera:
        return (0, 0), 1.0
    t0, t1, fdy, fdx = sc.camera
    m = height * 0.12
    if t < t0:
        return (0, 0), 1.0
    if t >= t1:
        return (int(round(fdy * height)), int(round(fdx * height))), 1.0
    f = (t - t0) / (t1 - t0)
    dy = m * (0.8 * math.sin(2 * math.pi * 0.7 * (t - t0)) + 0.35 * math.sin(2 * math.pi * 3.1 * (t - t0)))
    dx = m * (0.9 * math.sin(2 * math.pi * 0.45 * (t - t0) + 1) + 0.3 * math.sin(2 * math.pi * 2.3 * (t - t0)))
    w = math.sin(math.pi * f)
    dy = dy * w + fdy * height * f
    dx = dx * w + fdx * height * f
    exposure = 1.0 - 0.45 * math.exp(-((f - 0.35) / 0.08) ** 2)    # a hand over part of the lens
    return (int(round(dy)), int(round(dx))), exposure


# ----------------------------------------------------------------------------- one lesson
def render_lesson(sc, outdir, progress=False, audio_only=False):
    """Render one lesson and its truth. `audio_only`: its sound alone, encoded as in the lesson, in the lesson's
    container (the bell detector's fit reads only the sound: about 10 s of CPU a lesson instead of about 35 s, and
    the same bell candidates); a lesson without sound is left out (returns None)."""
    t_start = time.time()
    segs, tracks = choreo.build(sc.script, sc.seed, sc.n_students)
    duration = segs[-1][1]
    ext = EXT[sc.fmt]
    out_path = os.path.join(outdir, f"{sc.name}.{ext}")
    has_video = sc.fmt != "m4a" and not audio_only
    has_audio = sc.fmt != "mp4_video_only"
    if audio_only and not has_audio:
        return None
    sr = 44100 if sc.fmt == "mp4_mono44" else sc.sr

    kinds = [(a, b, kind) for a, b, name, kind, opts in segs]

    def kind_at(t):
        for a, b, k in kinds:
            if a <= t < b:
                return k
        return kinds[-1][2]

    with tempfile.TemporaryDirectory() as tmp:
        wav = os.path.join(tmp, "audio.wav")
        if has_audio:
            audio = sound.render(sc, segs, tracks, duration, sr, sc.seed + 17)
            wavfile.write(wav, sr, (audio * 32767).astype(np.int16))
            del audio
        cmd = [media.FFMPEG, "-nostdin", "-y", "-v", "error"]
        times = frame_times(sc, duration)
        if has_video:
            rw, rh = sc.render_size
            cmd += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{rw}x{rh}",
                    "-framerate", str(27 if sc.vfr else sc.fps), "-i", "pipe:0"]
        if has_audio:
            cmd += ["-i", wav]
        if audio_only:
            cmd += ["-vn"]      # the lesson's own encoder options, the picture's unused
        if has_video:
            vf = []
            if sc.vfr:
                # timestamps from the same formula the frames were rendered at
                vf += ["settb=1/90000", "setpts='(N/27+0.012*sin(0.7*N)+0.006*sin(0.13*N))*90000'"]
            vf += placement.filters(sc, *sc.render_size)
            if sc.render_size != sc.size:
                vf += [f"scale={sc.size[0]}:{sc.size[1]}:flags=bilinear"]
                if sc.out_noise:
                    vf += [f"noise=alls={sc.out_noise}:allf=t"]
            if sc.portrait:
                vf += ["transpose=2"]  # stored landscape: turn the upright portrait picture counter-clockwise
            if vf:
                cmd += ["-vf", ",".join(vf)]
            if sc.vfr:
                cmd += ["-fps_mode", "passthrough", "-enc_time_base:v", "1:90000", "-video_track_timescale", "90000"]
        cmd += ["-map_metadata", "-1", "-metadata", f"title=Bellwork fixture: {sc.name}",
                "-metadata", "creation_time=2024-03-04T08:15:00Z"]
        cmd += encoder_args(sc.fmt, sc)
        cmd += ["-fflags", "+bitexact"]
        rotate = sc.portrait and ext == "mov" and has_video
        encoded = os.path.join(tmp, "encoded." + ext) if rotate else out_path
        cmd += [encoded]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if has_video else None)
        if has_video:
            rng = np.random.default_rng(sc.seed + 5)
            looks = [scene.Look(rng) for _ in range(sc.n_students)] + [scene.Look(rng, teacher=True)]
            fidgets = [scene.Fidget(rng, duration, kind_at) for _ in range(sc.n_students)]
            fidgets.append(scene.Fidget(rng, duration, kind_at, teacher=True))
            rw, rh = sc.render_size
            margin = int(rh * 0.14) if sc.camera else 0
            if sc.portrait:
                view = scene.View.portrait(rw, rh)
            else:
                view, margin = placement.view_and_margin(sc, rw, rh, margin)
            motion = placement.Motion(sc, margin, rh)
            palette = scene.room_palette(sc.room_look) if sc.room_look is not None else None
            rend = scene.Renderer(view, list(zip(tracks, fidgets)), looks, rng, margin, palette=palette,
                                  n_desks=max(20, sc.n_students))
            gaps = [(a, b) for a, b, name, k, o in segs if name == "gap"]      # frozen picture
            last = None
            last_report = time.time()
            for i, t in enumerate(times):
                in_gap = any(a <= t < b for a, b in gaps)
                if in_gap and last is not None:
                    proc.stdin.write(last)      # a frozen picture
                    continue
                light, proj = light_at(sc, t)
                shift, exposure = camera_at(sc, t, rh)
                if sc.placement != "front":
                    my, mx = motion.at(t)
                    shift = (shift[0] + my, shift[1] + mx)
                data = rend.frame(t, light, proj, shift, exposure).tobytes()
                last = data
                proc.stdin.write(data)
                if progress and time.time() - last_report > 10:
                    last_report = time.time()
                    el = last_report - t_start
                    print(f"  {sc.name}: {t:7.1f}/{duration:.0f} s of lesson, {el:5.0f} s elapsed, "
                          f"{i / max(el, 1e-6):.1f} frames/s", flush=True)
            proc.stdin.close()
        if proc.wait() != 0:
            raise RuntimeError(f"ffmpeg failed for {sc.name}")
        if rotate:
            # ffmpeg 5.1 has no -display_rotation; a "rotate" tag of 270 on a stream copy writes the
            # display matrix that ffprobe prints as "rotation of -90.00 degrees" (play turned 90 clockwise)
            subprocess.run([media.FFMPEG, "-nostdin", "-y", "-v", "error", "-i", encoded, "-map", "0", "-c", "copy",
                            "-map_metadata", "0", "-metadata:s:v:0", "rotate=270", "-movflags", "+faststart",
                            "-fflags", "+bitexact", out_path], check=True)

    dur, info = media.media_duration(out_path)
    streams = {s["codec_type"]: s for s in info["streams"]}
    ends = [float(s.get("duration", 0)) for s in info["streams"]]
    if len(ends) > 1 and max(ends) - min(ends) > 0.1:
        print(f"  warning: {sc.name}: stream durations differ: {ends}", file=sys.stderr)
    segments = [(a, b, kind) for a, b, name, kind, opts in segs]
    tr = truth.make_truth(dur, sc.bell, segments, sc.notes)
    truth.dump(tr, os.path.join(outdir, f"{sc.name}.truth.json"))
    size = os.path.getsize(out_path)
    rot = media.probe_rotation(out_path) if has_video else None
    print(f"{sc.name}.{ext}: {dur:.2f} s, {size / 1e6:.2f} MB, streams {sorted(streams)}"
          f"{', ' + rot if rot else ''}, {time.time() - t_start:.0f} s", flush=True)
    return out_path, tr


def describe_format(path, vfr=False):
    """One line for the README from ffprobe: container, codecs, picture, rate, sound."""
    info = media.probe(path)
    parts = [os.path.splitext(path)[1][1:].upper()]
    for s in info["streams"]:
        if s["codec_type"] == "video":
            w, h = s["width"], s["height"]
            rot = media.probe_rotation(path)
            fr = s.get("avg_frame_rate", "0/1").split("/")
            fps = float(fr[0]) / float(fr[1]) if float(fr[1]) else 0
            txt = f"{s['codec_name'].upper()} {w}x{h} {fps:.0f} fps"
            if vfr:
                txt = txt.replace(" fps", " fps (variable)")
            if s.get("has_b_frames"):
                txt += " B-frames"
            if rot:
                txt += f", display matrix {rot.split('rotation of ')[-1].replace(' degrees', '')}° (shows {h}x{w})"
            parts.append(txt)
        elif s["codec_type"] == "audio":
            ch = {1: "mono", 2: "stereo"}.get(s["channels"], f"{s['channels']} ch")
            parts.append(f"{s['codec_name'].upper()} {ch} {int(s['sample_rate']) / 1000:g} kHz")
    return ", ".join(parts)


def write_split_and_readme():
    lessons_dir = os.path.join(FIXTURES, "lessons")
    split = {"tune": [s.name for s in LESSONS if s.split == "tune"],
             "validation": [s.name for s in LESSONS if s.split == "validation"],
             # purpose-made lessons: neither tuned on nor scored by scripts/accuracy.sh
             "purpose": [s.name for s in PURPOSE]}
    with open(os.path.join(lessons_dir, "split.json"), "w") as f:
        json.dump(split, f, indent=2)
        f.write("\n")
    rows = ["| lesson | scenario | length | format | bell (s) | time on task % | transitions | bell to work (s) | split |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for sc, d in [(s, lessons_dir) for s in LESSONS + PURPOSE] + [(SAMPLE, FIXTURES)]:
        ext = EXT[sc.fmt]
        path = os.path.join(d, f"{sc.name}.{ext}")
        tp = os.path.join(d, f"{sc.name}.truth.json")
        if not (os.path.exists(path) and os.path.exists(tp)):
            continue
        with open(tp) as f:
            t = json.load(f)
        m = t["metrics"]
        fmt = describe_format(path, sc.vfr)
        bell = f"{t['bell']['timeSeconds']:g} ({sc.bell_kind})" if t["bell"] else "none"
        btw = "–" if m["bellToWorkSeconds"] is None else f"{m['bellToWorkSeconds']:g}"
        rel = os.path.relpath(path, FIXTURES)
        split_name = sc.split if sc is not SAMPLE else "demo (neither)"
        mins = f"{int(t['durationSeconds'] // 60)}:{t['durationSeconds'] % 60:05.2f}"
        rows.append(f"| `{rel}` | {sc.scenario} | {mins} | {fmt} | {bell} | {m['timeOnTaskPercent']:g} | "
                    f"{m['transitionCount']} | {btw} | {split_name} |")
    readme = os.path.join(FIXTURES, "README.md")
    if not os.path.exists(readme):
        return
    with open(readme) as f:
        text = f.read()
    a, b = "<!-- lessons:begin -->", "<!-- lessons:end -->"
    if a in text and b in text:
        text = text[: text.index(a) + len(a)] + "\n" + "\n".join(rows) + "\n" + text[text.index(b):]
        with open(readme, "w") as f:
            f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", metavar="OUTDIR", help="render the large benchmark lessons into OUTDIR")
    ap.add_argument("--extra", metavar="OUTDIR", help="render the extra tune lessons (EXTRA_TUNE) into OUTDIR")
    ap.add_argument("--bells", metavar="OUTDIR",
                    help="render the sound-only bell trials (tune and check sets) into OUTDIR/tune and OUTDIR/check")
    ap.add_argument("--trials", metavar="OUTDIR",
                    help="render the random lesson trials (tune and check sets) into OUTDIR/tune and OUTDIR/check")
    ap.add_argument("--sets", metavar="SET,SET",
                    help="with --trials: which sets (default tune,check,check2: the lesson trials; fit, fit2, fresh, fresh2, ..., fresh9: "
                         "the diverse lessons, into OUTDIR/SET)")
    ap.add_argument("--skip-existing", action="store_true",
                    help="with --trials: leave a lesson whose truth file is already there (resume a stopped render)")
    ap.add_argument("--only", nargs="*", help="names of lessons to render (default: all of the set)")
    ap.add_argument("--jobs", type=int, default=1,
                    help="with --trials, --bells or --extra: lessons rendered at once (each lesson's Python drawing and its "
                         "encoder take about a core each, so 2 on 2 cores keeps both busy)")
    ap.add_argument("--audio-only", action="store_true",
                    help="with --trials, --bells or --extra: the lessons' sound alone, as the lesson encodes it (for the "
                         "bell detector's fit, which names a set by its folder: `--trials DIR/trials` gives `trials-SET`; "
                         "lessons without sound are left out)")
    ap.add_argument("--out", metavar="DIR", help="write the set here instead of Fixtures/ (a scratch check)")
    ap.add_argument("--scale-duration", type=float, default=1.0,
                    help="bench only: shorten the bench lessons by this factor (for a quick try)")
    args = ap.parse_args()
    if args.jobs < 1:
        ap.error("--jobs: 1 or more")
    if (args.audio_only or args.jobs > 1) and not (args.trials or args.bells or args.extra):
        ap.error("--audio-only and --jobs go with --trials, --bells or --extra")
    if args.bench:
        os.makedirs(args.bench, exist_ok=True)
        for sc in BENCH:
            if args.only and sc.name not in args.only:
                continue
            if args.skip_existing and glob.glob(os.path.join(args.bench, sc.name + ".*")):
                continue
            if args.scale_duration != 1.0:
                sc = sc.scaled(args.scale_duration)
            render_lesson(sc, args.bench, progress=True)
        return
    # Sets rendered on demand, not committed: (scenarios, folder) pairs.
    on_demand = []
    if args.extra:
        on_demand = [(EXTRA_TUNE, args.extra)]
    if args.bells:
        on_demand = [(bell_trials(split), os.path.join(args.bells, split)) for split in ("tune", "check")]
    if args.trials:
        sets = (args.sets or "tune,check,check2").split(",")
        for split in sets:
            if split not in ("tune", "check", "check2") and split not in DIVERSE_SEEDS:
                ap.error(f"unknown set {split}")
        on_demand = [(diverse_trials(split) if split in DIVERSE_SEEDS else lesson_trials(split),
                      os.path.join(args.trials, split)) for split in sets]
    if on_demand:
        todo = []
        for scenarios, outdir in on_demand:
            os.makedirs(outdir, exist_ok=True)
            for sc in scenarios:
                if not args.only or sc.name in args.only:
                    if args.skip_existing and os.path.exists(os.path.join(outdir, f"{sc.name}.truth.json")):
                        continue
                    todo.append((sc, outdir))
        if args.jobs > 1 and len(todo) > 1:
            # each lesson is drawn from its own seed, so the order and the parallelism change nothing rendered
            with concurrent.futures.ProcessPoolExecutor(args.jobs) as pool:
                for done in [pool.submit(render_lesson, sc, outdir, audio_only=args.audio_only) for sc, outdir in todo]:
                    done.result()
        else:
            for sc, outdir in todo:
                render_lesson(sc, outdir, audio_only=args.audio_only)
        return
    root = args.out or FIXTURES
    lessons_dir = os.path.join(root, "lessons")
    os.makedirs(lessons_dir, exist_ok=True)
    todo = [(sc, lessons_dir) for sc in LESSONS + PURPOSE] + [(SAMPLE, root)]
    for sc, d in todo:
        if args.only and sc.name not in args.only:
            continue
        render_lesson(sc, d)
    if not args.out:
        write_split_and_readme()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""How far each lesson's bell of one kind stands over the room, against whether it was found: the rise of the
400-2200 Hz band in the 2.5 s after the truth's bell over the 4 s before it (after it, for a bell in the first second),
from the recording's sound (ffmpeg decodes it to 16 kHz; a 1024-point spectrum every 256 samples), and whether the
result's bell is within 1 s of the truth's.

Usage: scripts/bell_levels.py [--kind far_bell] RESULTS:TRUTHS [RESULTS:TRUTHS ...]
  RESULTS: a folder of NAME.json results (scripts/trials.sh's, kept with BELLWORK_KEEP=DIR)
  TRUTHS:  the folder of the lessons (NAME.truth.json beside NAME.mp4 / .m4a / ...), e.g. Fixtures/trials/fresh28"""
import glob
import json
import os
import re
import subprocess
import sys

import numpy as np

SR = 16000


def sound(path):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:a:0", "-ac", "1", "-ar", str(SR),
                          "-f", "f32le", "-"], capture_output=True).stdout
    return np.frombuffer(raw, np.float32)


def band_db(x, a, b):
    seg = x[int(a * SR):int(b * SR)]
    if len(seg) < 1024:
        return None
    frames = np.lib.stride_tricks.sliding_window_view(seg, 1024)[::256] * np.hanning(1024)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    f = np.fft.rfftfreq(1024, 1 / SR)
    return 10 * np.log10(power[:, (f > 400) & (f < 2200)].sum(1).mean() + 1e-12)


def main(argv):
    kind = "far_bell"
    if "--kind" in argv:
        i = argv.index("--kind")
        kind = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    if not argv:
        sys.exit(__doc__)
    rows = []
    for pair in argv:
        results, truths = pair.split(":", 1)
        for path in sorted(glob.glob(os.path.join(truths, "*.truth.json"))):
            name = os.path.basename(path)[:-len(".truth.json")]
            truth = json.load(open(path))
            m = re.search(r"\. (\w+) at ([\d.]+) s", truth.get("notes", ""))
            media = [p for p in glob.glob(os.path.join(truths, name + ".*")) if not p.endswith(".json")]
            if not m or m.group(1) != kind or not media or not os.path.exists(os.path.join(results, name + ".json")):
                continue
            t = float(m.group(2))
            x = sound(media[0])
            if len(x) == 0:
                continue                                   # no sound: nothing to hear
            before = band_db(x, max(0, t - 4), t) if t > 1 else band_db(x, t + 4, t + 8)
            during = band_db(x, t, t + 2.5)
            if before is None or during is None:
                continue
            bell = json.load(open(os.path.join(results, name + ".json"))).get("bell")
            found = bool(bell and abs(bell["timeSeconds"] - t) <= 1)
            rows.append((during - before, found, name))
            print(f"{name:28s} bell at {t:6.2f} s  band rise {during - before:5.1f} dB  {'found' if found else 'missed'}")
    for lo, hi in [(-99, 1), (1, 3), (3, 6), (6, 10), (10, 99)]:
        sel = [f for r, f, _ in rows if lo <= r < hi]
        if sel:
            print(f"rise {max(lo, -99)}..{hi} dB: {sum(sel)} of {len(sel)} found")


if __name__ == "__main__":
    main(sys.argv[1:])

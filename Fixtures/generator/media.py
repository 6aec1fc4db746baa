"""ffmpeg/ffprobe helpers for the generator (development tools; the product never needs them)."""

import json
import os
import subprocess

import numpy as np

FFMPEG = os.environ.get("FFMPEG", "ffmpeg")
FFPROBE = os.environ.get("FFPROBE", "ffprobe")


def decode_audio(path, sr, start=None, duration=None):
    """Decode any audio file to mono float32 at sr through the ffmpeg CLI."""
    cmd = [FFMPEG, "-nostdin", "-v", "error"]
    if start is not None:
        cmd += ["-ss", f"{start:.3f}"]
    if duration is not None:
        cmd += ["-t", f"{duration:.3f}"]
    cmd += ["-i", path, "-ac", "1", "-ar", str(sr), "-f", "f32le", "-"]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout
    return np.frombuffer(out, np.float32).copy()


def probe(path):
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_format", "-show_streams", "-of", "json", path],
        check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)


def probe_rotation(path):
    """The display-matrix line ffprobe prints ("rotation of -90.00 degrees"), or None."""
    out = subprocess.run([FFPROBE, "-hide_banner", path], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    for line in out.stderr.decode(errors="replace").splitlines():
        if "rotation of" in line:
            return line.strip()
    return None


def media_duration(path):
    """Duration as a player presents it: the longest stream, from 0 (container start ignored)."""
    info = probe(path)
    fmt = info.get("format", {})
    start = float(fmt.get("start_time", 0) or 0)
    ends = []
    for s in info.get("streams", []):
        if "duration" in s:
            st = float(s.get("start_time", 0) or 0)
            ends.append(st + float(s["duration"]) - min(start, st))
    if not ends and "duration" in fmt:
        ends.append(float(fmt["duration"]))
    return max(ends), info

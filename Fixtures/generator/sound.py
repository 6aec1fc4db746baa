"""The sound of a lesson, rendered with numpy from real voices, real bells and synthesis.

Voices: Debian asterisk-core-sounds prompts (teacher: one speaker; class: many prompts from all
speakers, pitched up and overlapped). The diverse sets add more real speech: the recordings in
shared/media/speech (whisper__jfk, pyannote__sample, spatialaudio__xmas, speech_recognition__*, alsa
Front_*; teacher_voice "src:FILE") and Debian pocketsphinx-testdata when it is installed (teacher_voice
"ps:*"; falls back to the asterisk voice when it is not), cut into utterances at their pauses; with
voices="all" the class's voices come from all of them. Room: the real seminar-room impulse response. Bells: real
recordings from shared/media/bells and synthesised kinds. Everything is mono float32 at `sr`.
"""

import glob
import math
import os
from fractions import Fraction

import numpy as np
from scipy import signal
from scipy.io import wavfile

from media import decode_audio

HERE = os.path.dirname(os.path.abspath(__file__))
# The shared folder (contract, media): BELLWORK_SHARED, or `shared` beside the repository.
SHARED = os.environ.get("BELLWORK_SHARED") or os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared"))
MEDIA = os.path.join(SHARED, "media")
ASTERISK = os.environ.get("BELLWORK_ASTERISK", "/usr/share/asterisk/sounds")
SPEAKERS = ["en_US_f_Allison", "fr_CA_f_June", "it_IT_m_Carlo", "es_MX_f_Allison", "ru_RU_f_IvrvoiceRU"]

_cache = {}


def db(x):
    return 10.0 ** (x / 20.0)


def _read_wav(path):
    rate, x = wavfile.read(path)
    if x.ndim > 1:
        x = x.mean(axis=1)
    if x.dtype == np.int16:
        x = x.astype(np.float32) / 32768.0
    elif x.dtype == np.uint8:
        x = (x.astype(np.float32) - 128) / 128.0
    else:
        x = x.astype(np.float32)
    return rate, x


def _resample(x, rate_in, rate_out, pitch=1.0):
    """Resample; pitch > 1 plays the sound faster and higher (a child's voice from an adult's)."""
    fr = Fraction(rate_out, rate_in) / Fraction(pitch).limit_denominator(20)
    fr = fr.limit_denominator(2000)
    if fr == 1:
        return x.astype(np.float32)
    return signal.resample_poly(x, fr.numerator, fr.denominator).astype(np.float32)


def _trim(x, rate):
    """Cut leading and trailing silence from a prompt."""
    n = max(1, rate // 100)
    frames = len(x) // n
    if frames < 3:
        return x
    e = np.sqrt(np.mean(x[:frames * n].reshape(frames, n) ** 2, axis=1) + 1e-12)
    on = np.nonzero(e > max(e.max() * 0.03, 1e-4))[0]
    if len(on) == 0:
        return x
    return x[max(0, on[0] - 2) * n:(on[-1] + 3) * n]


def prompt_files(speaker):
    """Prompts of one speaker: the installed Debian package, else the copies in shared/media/speech."""
    d = os.path.join(ASTERISK, speaker)
    files = sorted(glob.glob(os.path.join(d, "*.wav")))
    if len(files) < 20:
        files = sorted(glob.glob(os.path.join(MEDIA, "speech", f"asterisk__{speaker}__*.wav")))
    return files


# Real speech beyond the asterisk prompts (the diverse sets; voices="all" or teacher_voice "src:NAME").
# shared/media/speech: longer recordings, cut into utterances at their pauses.
SHARED_SPEECH = ["whisper__jfk.flac", "pyannote__sample.wav", "spatialaudio__xmas.wav", "speech_recognition__english.wav",
                 "speech_recognition__french.aiff", "speech_recognition__chinese.flac", "Front_Center.wav",
                 "Front_Left.wav"]
# Debian pocketsphinx-testdata (read aloud sentences and digits, 16 kHz), used when installed.
POCKETSPHINX = os.environ.get("BELLWORK_POCKETSPHINX", "/usr/share/pocketsphinx")


def pocketsphinx_files():
    """The package's recordings (*.wav; *.raw as 16 kHz 16-bit mono), [] when it is not installed."""
    out = []
    for ext in ("wav", "raw"):
        out += glob.glob(os.path.join(POCKETSPHINX, "**", f"*.{ext}"), recursive=True)
    return sorted(out)


def _read_any(path, sr):
    if path.endswith(".raw"):
        x = np.fromfile(path, dtype="<i2").astype(np.float32) / 32768.0
        return _resample(x, 16000, sr)
    return decode_audio(path, sr)


def utterances(x, sr, max_len=6.0, min_len=0.5):
    """Cut a recording into utterances at pauses (20 ms frames below 6 % of the loudest for >= 0.2 s)."""
    n = sr // 50
    frames = len(x) // n
    if frames < 5:
        return []
    e = np.sqrt(np.mean(x[:frames * n].reshape(frames, n) ** 2, axis=1) + 1e-12)
    on = e > max(np.percentile(e, 95) * 0.06, 1e-4)
    out, start, quiet = [], None, 0
    for i, v in enumerate(list(on) + [False] * 11):
        if v:
            start = i if start is None else start
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet >= 10 or i >= frames:
                end = i - quiet + 2
                for a in range(start, end, int(max_len * 50)):
                    b = min(end, a + int(max_len * 50))
                    if (b - a) / 50 >= min_len:
                        out.append(x[max(0, a - 1) * n:min(frames, b) * n])
                start, quiet = None, 0
    return out


def source_names():
    """Every speech source other than the asterisk speakers: 'src:FILE' (shared) and 'ps:FILE' (pocketsphinx)."""
    names = [f"src:{f}" for f in SHARED_SPEECH if os.path.exists(os.path.join(MEDIA, "speech", f))]
    names += [f"ps:{os.path.relpath(f, POCKETSPHINX)}" for f in pocketsphinx_files()]
    return names


def source_pool(sr, names, n, seed, pitch_choices=(1.0,), min_len=0.6):
    """Utterances from the non-asterisk sources named (see source_names), normalised, n at most."""
    key = ("spool", sr, tuple(names), n, seed, pitch_choices, min_len)
    if key in _cache:
        return _cache[key]
    rng = np.random.default_rng(seed)
    pool = []
    for name in names:
        kind, f = name.split(":", 1)
        path = os.path.join(MEDIA, "speech", f) if kind == "src" else os.path.join(POCKETSPHINX, f)
        try:
            x = _read_any(path, sr)
        except Exception:       # an unreadable file is left out, never fatal
            continue
        for u in utterances(x, sr, min_len=min_len):
            p = float(pitch_choices[int(rng.integers(len(pitch_choices)))])
            y = _resample(u, sr, sr, p) if p != 1.0 else u.astype(np.float32)
            y = y / (np.sqrt(np.mean(y ** 2)) + 1e-9)
            pool.append(fade(y, sr, 15))
    if len(pool) > n:
        pool = [pool[i] for i in sorted(rng.choice(len(pool), n, replace=False))]
    _cache[key] = pool
    return pool


def speech_pool(sr, speaker, n, seed, pitch_choices=(1.0,), min_len=1.0):
    key = ("pool", sr, speaker, n, seed, pitch_choices, min_len)
    if key in _cache:
        return _cache[key]
    if ":" in speaker:         # a non-asterisk source as the teacher ("src:whisper__jfk.flac", "ps:...")
        # "ps:*": every pocketsphinx-testdata recording (several read-aloud speakers)
        names = [x for x in source_names() if x.startswith("ps:")] if speaker == "ps:*" else [speaker]
        pool = source_pool(sr, names, n, seed, pitch_choices, min_len=0.8)
        if not pool:           # missing (e.g. pocketsphinx-testdata not installed): the first asterisk speaker
            pool = speech_pool(sr, SPEAKERS[0], n, seed, pitch_choices, min_len)
        _cache[key] = pool
        return pool
    rng = np.random.default_rng(seed)
    files = prompt_files(speaker)
    order = rng.permutation(len(files))
    pool = []
    for i in order:
        rate, x = _read_wav(files[i])
        x = _trim(x, rate)
        if len(x) < min_len * rate:
            continue
        p = float(pitch_choices[int(rng.integers(len(pitch_choices)))])
        y = _resample(x, rate, sr, p)
        y /= np.sqrt(np.mean(y ** 2)) + 1e-9
        pool.append(y)
        if len(pool) >= n:
            break
    _cache[key] = pool
    return pool


def child_pool(sr, seed=7):
    key = ("child", sr, seed)
    if key in _cache:
        return _cache[key]
    pool = []
    for k, spk in enumerate(SPEAKERS):
        pitches = (1.45, 1.6, 1.7) if "_m_" in spk else (1.15, 1.22, 1.3, 1.38)
        pool += speech_pool(sr, spk, 24, seed + k, pitches, min_len=0.6)
    _cache[key] = pool
    return pool


def child_pool_all(sr, seed=7, with_pocketsphinx=True):
    """Children's voices from every source: the asterisk prompts (child_pool) plus every other recording,
    pitched up; pocketsphinx-testdata's when it is installed (and with_pocketsphinx)."""
    key = ("child_all", sr, seed, with_pocketsphinx)
    if key in _cache:
        return _cache[key]
    pool = list(child_pool(sr, seed))
    names = source_names()
    if not with_pocketsphinx:
        names = [x for x in names if not x.startswith("ps:")]
    pool += source_pool(sr, names, 160, seed + 50, (1.2, 1.3, 1.42, 1.55), min_len=0.3)
    _cache[key] = pool
    return pool


def rir(sr):
    key = ("rir", sr)
    if key not in _cache:
        rate, x = _read_wav(os.path.join(MEDIA, "speech", "spatialaudio__rir_clap_seminar_room.wav"))
        y = _resample(x, rate, sr)
        peak = int(np.argmax(np.abs(y)))
        y = y[max(0, peak - 8):]
        y /= np.sqrt(np.sum(y ** 2)) + 1e-12
        _cache[key] = y.astype(np.float32)
    return _cache[key]


# ----------------------------------------------------------------------------- building blocks
def place(buf, x, t, sr, gain=1.0):
    i = int(round(t * sr))
    if i >= len(buf) or i + len(x) <= 0:
        return
    a, b = max(0, i), min(len(buf), i + len(x))
    buf[a:b] += x[a - i:b - i] * gain


def fade(x, sr, ms=30):
    n = min(len(x) // 2, int(sr * ms / 1000))
    if n > 0:
        r = np.linspace(0, 1, n, dtype=np.float32)
        x = x.copy()
        x[:n] *= r
        x[-n:] *= r[::-1]
    return x


def speech_fill(buf, sr, windows, pool, rng, gain_db=(0.0, 0.0), gap=(0.15, 0.7)):
    """Fill each (start, end) window with prompts from pool, one after another."""
    for a, b in windows:
        t = a + float(rng.uniform(0, 0.3))
        while t < b - 0.3:
            x = pool[int(rng.integers(len(pool)))]
            n = min(len(x), int((b - t) * sr))
            if n < sr * 0.3:
                break
            place(buf, fade(x[:n], sr), t, sr, db(float(rng.uniform(*gain_db))))
            t += n / sr + float(rng.uniform(*gap))


def turns(rng, a, b, talk, pause):
    """Alternating talk windows inside [a, b)."""
    out, t = [], a + float(rng.uniform(0, pause[1]))
    while t < b:
        d = float(rng.uniform(*talk))
        out.append((t, min(b, t + d)))
        t += d + float(rng.uniform(*pause))
    return out


def bandpass(x, sr, lo, hi, order=4):
    hi = min(hi, sr * 0.45)
    sos = signal.butter(order, [lo, hi], btype="band", fs=sr, output="sos")
    return signal.sosfilt(sos, x).astype(np.float32)


def lowpass(x, sr, f, order=4):
    sos = signal.butter(order, min(f, sr * 0.45), btype="low", fs=sr, output="sos")
    return signal.sosfilt(sos, x).astype(np.float32)


def highpass(x, sr, f, order=4):
    sos = signal.butter(order, f, btype="high", fs=sr, output="sos")
    return signal.sosfilt(sos, x).astype(np.float32)


LONG_SAMPLES = 20_000_000     # past this (about 20 min at 16 kHz) use the memory-light paths


def pink(n, rng):
    if n > LONG_SAMPLES:        # long lessons: independent pink blocks, crossfaded, to bound memory
        blk, ov = 1 << 20, 4096
        out = np.zeros(n, np.float32)
        ramp = np.linspace(0, 1, ov, dtype=np.float32)
        for i in range(0, n, blk - ov):
            b = pink(min(blk, n - i), rng) if min(blk, n - i) > ov * 2 else rng.standard_normal(min(blk, n - i)).astype(np.float32)
            if i > 0:
                b[:ov] *= ramp[: len(b[:ov])]
                out[i:i + ov] *= 1 - ramp[: len(out[i:i + ov])]
            out[i:i + len(b)] += b
        return out
    X = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(X), dtype=np.float64)
    f[0] = 1
    y = np.fft.irfft(X / np.sqrt(f), n)
    return (y / (np.std(y) + 1e-12)).astype(np.float32)


def control(duration, rate, pieces, default=0.0, smooth=1.0):
    """A smooth control curve from (start, end, value) pieces, sampled at rate Hz."""
    n = int(math.ceil(duration * rate)) + 2
    c = np.full(n, default, np.float64)
    for a, b, v in pieces:
        c[int(a * rate):int(b * rate)] = v
    k = max(1, int(smooth * rate))
    if k > 1:
        c = np.convolve(np.pad(c, (k // 2, k - 1 - k // 2), mode="edge"), np.ones(k) / k, mode="valid")
    return c


def envelope(curve, rate, n, sr):
    out = np.empty(n, np.float32)
    xp = np.arange(len(curve)) / rate
    for i in range(0, n, 1 << 22):
        t = np.arange(i, min(n, i + (1 << 22))) / sr
        out[i:i + len(t)] = np.interp(t, xp, curve)
    return out


# ----------------------------------------------------------------------------- bells and other sounds
def bell_electromechanical(sr, rng, dur=3.5, base=None, strike_hz=None):
    """A clapper striking a gong ~25 times a second: dense inharmonic partials, fast modulation."""
    base = base or float(rng.uniform(520, 700))
    strike_hz = strike_hz or float(rng.uniform(20, 30))
    ratios = [1.0, 2.32, 2.76, 4.1, 5.4, 6.63, 8.93, 9.8]
    ratios += list(rng.uniform(3.0, 9.5, 8))
    n_ir = int(0.35 * sr)
    t = np.arange(n_ir) / sr
    ir = np.zeros(n_ir)
    for k, r in enumerate(ratios):
        f = base * r
        if f > sr * 0.45:
            continue
        amp = 1.0 / (1 + 0.15 * k) * (1.6 if 2500 < f < 6000 else 1.0)
        tau = float(rng.uniform(0.06, 0.3))
        ir += amp * np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3)) * np.exp(-t / tau)
    n = int(dur * sr)
    strikes = np.zeros(n + n_ir)
    ts = 0.0
    while ts < dur:
        strikes[int(ts * sr)] += float(rng.uniform(0.7, 1.0))
        ts += (1.0 / strike_hz) * float(rng.uniform(0.93, 1.07))
    y = signal.fftconvolve(strikes, ir)[: n + n_ir]
    y += 0.02 * rng.standard_normal(len(y)) * np.r_[np.ones(n), np.zeros(n_ir)]
    return (y / np.max(np.abs(y))).astype(np.float32)


def chime(sr, rng, notes, spacing=0.75, tau=0.9):
    total = int((spacing * len(notes) + 2.5) * sr)
    y = np.zeros(total)
    for i, f in enumerate(notes):
        t = np.arange(int(3.0 * sr)) / sr
        x = np.zeros_like(t)
        for h, a in ((1, 1.0), (2, 0.45), (3, 0.2), (4.2, 0.12)):
            x += a * np.sin(2 * np.pi * f * h * t) * np.exp(-t / (tau / h ** 0.5))
        x *= np.minimum(1, t / 0.005)
        i0 = int(i * spacing * sr)
        m = min(len(x), total - i0)
        y[i0:i0 + m] += x[:m]
    return (y / np.max(np.abs(y))).astype(np.float32)


def buzzer(sr, rng, dur=2.5):
    t = np.arange(int(dur * sr)) / sr
    f = float(rng.uniform(110, 130))
    x = signal.sawtooth(2 * np.pi * f * t) + 0.6 * np.sign(np.sin(2 * np.pi * 2 * f * t))
    x = bandpass(x.astype(np.float32), sr, 150, 3500, 2)
    env = np.minimum(1, t / 0.02) * np.minimum(1, (dur - t) / 0.03)
    x = x * env
    return (x / np.max(np.abs(x))).astype(np.float32)


def laughter(sr, rng, dur=3.0, voices=9):
    """A class laughing: many voices of 'ha' syllables (glottal pulses through vowel formants)."""
    n = int((dur + 0.6) * sr)
    y = np.zeros(n, np.float32)
    for v in range(voices):
        start = float(rng.uniform(0, 0.6))
        f0 = float(rng.uniform(260, 420))
        rate = float(rng.uniform(4.2, 6.0))
        t = np.arange(n) / sr
        f0t = f0 * (1 - 0.25 * np.clip((t - start) / dur, 0, 1)) * (1 + 0.03 * np.sin(2 * np.pi * 5.5 * t))
        ph = np.cumsum(f0t / sr)
        pulses = (np.diff(np.floor(ph), prepend=0) > 0).astype(np.float32)
        src = pulses + 0.08 * rng.standard_normal(n).astype(np.float32)
        syl = np.clip(np.sin(2 * np.pi * rate * (t - start)), 0, None) ** 1.5
        life = ((t > start) & (t < start + dur * float(rng.uniform(0.6, 1.0)))).astype(np.float32)
        decay = np.exp(-np.clip(t - start, 0, None) / (dur * 0.8))
        x = np.zeros(n, np.float32)
        for fc, bw in ((850, 150), (1250, 200), (2700, 300)):
            b, a = signal.iirpeak(fc * float(rng.uniform(0.9, 1.15)), fc / bw, fs=sr)
            x += signal.lfilter(b, a, src).astype(np.float32)
        y += x * (syl * life * decay).astype(np.float32) * float(rng.uniform(0.5, 1.0))
    y = highpass(y, sr, 150, 2)
    return fade(y / (np.max(np.abs(y)) + 1e-9), sr, 60)


def footstep(sr, rng, heavy=1.0):
    n = int(0.09 * sr)
    t = np.arange(n) / sr
    x = rng.standard_normal(n).astype(np.float32) * np.exp(-t / 0.018).astype(np.float32)
    x = lowpass(x, sr, float(rng.uniform(500, 1100)), 2) + 0.3 * bandpass(x, sr, 1500, 4000, 2)
    return x * heavy


def chair_scrape(sr, rng):
    d = float(rng.uniform(0.25, 0.7))
    n = int(d * sr)
    t = np.arange(n) / sr
    src = rng.standard_normal(n).astype(np.float32)
    stick = (0.5 + 0.5 * np.sign(np.sin(2 * np.pi * float(rng.uniform(35, 70)) * t))).astype(np.float32)
    x = bandpass(src * stick, sr, float(rng.uniform(250, 450)), float(rng.uniform(1200, 2500)), 2)
    env = np.sin(np.pi * t / d) ** 0.7
    return (x * env).astype(np.float32)


def page_turn(sr, rng):
    d = float(rng.uniform(0.2, 0.45))
    n = int(d * sr)
    t = np.arange(n) / sr
    x = highpass(rng.standard_normal(n).astype(np.float32), sr, 1800, 2)
    env = np.sin(np.pi * t / d) ** 2 * (1 + 0.5 * np.sin(2 * np.pi * 18 * t))
    return (x * env).astype(np.float32)


def real_sound(sr, name, start=None, dur=None):
    key = ("real", sr, name, start, dur)
    if key not in _cache:
        _cache[key] = decode_audio(os.path.join(MEDIA, "bells", name), sr, start, dur)
    return _cache[key]


def make_bell(kind, sr, rng):
    """(samples, onset offset in seconds) of a bell kind."""
    if kind == "school_bell_real":
        return real_sound(sr, "open-school-bell__bell.mp3"), 0.27
    if kind == "timer_ring_real":
        x = real_sound(sr, "minetest_classroom__timer_bell.ogg", 10.47, 1.5)
        return fade(x, sr, 20), 0.10
    if kind == "electromechanical":
        return bell_electromechanical(sr, rng, float(rng.uniform(3.0, 4.5))), 0.0
    if kind == "electromechanical_short":
        return bell_electromechanical(sr, rng, 2.2), 0.0
    if kind == "far_bell":
        x = bell_electromechanical(sr, rng, 3.5)
        x = lowpass(x, sr, 2200, 2)
        x = signal.fftconvolve(x, rir(sr))[: len(x) + sr // 2].astype(np.float32)
        return x / np.max(np.abs(x)), 0.0
    if kind == "chime2":
        return chime(sr, rng, [659.3, 523.3], 0.8), 0.0
    if kind == "chime3":
        return chime(sr, rng, [784.0, 659.3, 523.3], 0.6), 0.0
    if kind == "buzzer":
        return buzzer(sr, rng, float(rng.uniform(2.0, 3.0))), 0.0
    raise ValueError(kind)


BELL_PEAK_DB = {"far_bell": -27.0, "timer_ring_real": -5.0}


def make_distractor(kind, sr, rng, dur=None):
    """Sounds that are not the class bell. Returns (samples, peak dB)."""
    if kind == "phone":
        x = real_sound(sr, "freedesktop__phone-incoming-call.oga")
        y = np.zeros(int(7.5 * sr), np.float32)
        for k in range(3):
            place(y, x, k * 2.5, sr)
        return y, -10.0
    if kind == "phone_oxygen":
        x = real_sound(sr, "oxygen__Oxygen-Im-Phone-Ring.ogg")
        y = np.zeros(int(9.8 * sr), np.float32)
        for k in range(3):
            place(y, x, k * 3.3, sr)
        return y, -11.0
    if kind == "alarm":
        return real_sound(sr, "freedesktop__alarm-clock-elapsed.oga"), -12.0
    if kind == "timer_ticks":
        return real_sound(sr, "minetest_classroom__timer_bell.ogg", 0.4, 10.0), -10.0
    if kind == "ding":
        a = real_sound(sr, "freedesktop__complete.oga")
        b = real_sound(sr, "yaru__bell.oga")
        c = real_sound(sr, "freedesktop__bell.oga")
        y = np.zeros(int(9 * sr), np.float32)
        place(y, a, 0.0, sr)
        place(y, b, 4.0, sr, 0.8)
        place(y, c, 7.5, sr)
        return y, -14.0
    if kind == "laughter":
        return laughter(sr, rng, dur or 3.0, int(rng.integers(8, 13))), -6.0
    if kind == "hallway":
        return hallway(sr, rng, dur or 8.0), -26.0
    raise ValueError(kind)


def hallway(sr, rng, dur):
    """Somebody passing in the hallway behind a closed door: muffled steps and a few words, far away."""
    y = np.zeros(int(dur * sr), np.float32)
    t = float(rng.uniform(0, 0.5))
    while t < dur - 0.2:
        g = math.sin(math.pi * t / dur) ** 2
        place(y, footstep(sr, rng, 1.2), t, sr, g)
        t += float(rng.uniform(0.45, 0.6))
    pool = speech_pool(sr, SPEAKERS[int(rng.integers(len(SPEAKERS)))], 20, int(rng.integers(1000)), (1.0, 1.25), 0.8)
    a = float(rng.uniform(0.2, 0.4)) * dur
    speech_fill(y, sr, [(a, a + float(rng.uniform(1.5, 3.5)))], pool, rng, (-8, -4))
    y = lowpass(y, sr, 700, 3)
    return fade(y, sr, 200)


def announcement(sr, rng, dur):
    """A loud PA announcement: an adult voice through a band-limited, overdriven speaker."""
    pool = speech_pool(sr, "en_US_f_Allison", 40, 99, (0.92,), 1.0)
    y = np.zeros(int(dur * sr), np.float32)
    speech_fill(y, sr, [(0.2, dur - 0.2)], pool, rng, (0, 0), (0.1, 0.4))
    y = bandpass(y, sr, 450, 3200, 3)
    y = np.tanh(2.5 * y / (np.max(np.abs(y)) + 1e-9)).astype(np.float32)
    y += 0.01 * np.sin(2 * np.pi * 60 * np.arange(len(y)) / sr).astype(np.float32)
    return fade(y, sr, 80)


# ----------------------------------------------------------------------------- the whole lesson
# phase kind -> dB levels of the layers (teacher speech, class chatter, group talk, murmur)
LEVELS = {
    "transition": dict(chatter=-27, group=-70, murmur=-70),
    "instruction": dict(chatter=-70, group=-70, murmur=-52),
    "independent": dict(chatter=-70, group=-70, murmur=-41),
    "group": dict(chatter=-70, group=-21, murmur=-70),
    "unknown": dict(chatter=-70, group=-70, murmur=-70),
}


def render(sc, segs, tracks, duration, sr, seed):
    """sc: the scenario; segs: [(start, end, phase, kind, opts)]; tracks: people's motion.

    Returns mono float32 audio of exactly round(duration * sr) samples.
    """
    rng = np.random.default_rng(seed)
    n = int(round(duration * sr))
    room = np.zeros(n, np.float32)      # sources that go through the room response
    ctl = 50

    teacher_pool = speech_pool(sr, sc.teacher_voice, 120, seed + 1, (1.0,), 1.2)
    # "all": every source, pocketsphinx-testdata's when installed; "shared": the asterisk prompts and
    # shared/media/speech only (the same on every machine: the committed purpose lessons)
    kids = child_pool_all(sr, with_pocketsphinx=sc.voices == "all") if sc.voices in ("all", "shared") else child_pool(sr)
    crowd = 1.0 if sc.n_students == 20 else max(0.35, sc.n_students / 20.0)   # voices scale with the class
    if sc.n_students == 0:
        crowd = 0.0

    # teacher: long turns in instruction, short directions elsewhere
    teacher = np.zeros(n, np.float32)
    answers = np.zeros(n, np.float32)
    for a, b, phase, kind, opts in segs:
        if sc.n_students == 0:
            break              # an empty room: nobody speaks
        if kind == "instruction":
            win = turns(rng, a, b, (5, 16), (0.8, 3.5))
            speech_fill(teacher, sr, win, teacher_pool, rng, (-1.5, 1.5))
            gaps = [(win[i][1] + 0.3, win[i + 1][0] - 0.2) for i in range(len(win) - 1)]
            gaps = [g for g in gaps if g[1] - g[0] > 1.2 and rng.random() < 0.5]
            speech_fill(answers, sr, gaps, kids, rng, (-3, 3))
        elif kind == "transition":
            speech_fill(teacher, sr, turns(rng, a, b, (2, 5), (4, 12)), teacher_pool, rng, (-2, 2))
        elif kind in ("independent", "group"):
            lvl = (-13, -8) if kind == "independent" else (-8, -3)
            speech_fill(teacher, sr, turns(rng, a, b, (2, 6), (6, 20)), teacher_pool, rng, lvl)
    room += teacher * db(-23) + answers * db(-31)

    # the class: chatter (transitions), group talk, murmur (independent work)
    def babble(voices, talk, pause, lvl):
        y = np.zeros(n, np.float32)
        for _ in range(voices):
            speech_fill(y, sr, turns(rng, 0, duration, talk, pause), kids, rng, lvl, (0.1, 0.6))
        return y / (np.sqrt(np.mean(y ** 2)) + 1e-9)

    duck = [(t, t + d, 1.0) for t, d in sc.duck]
    duck_env = 1.0 - 0.85 * control(duration, ctl, duck, 0.0, 0.5)
    for layer, voices, talk, pause, lvl in (("chatter", 9, (1, 5), (0.5, 5), (-8, 2)),
                                            ("group", 14, (2, 7), (0.3, 2.5), (-6, 2)),
                                            ("murmur", 3, (0.8, 3), (2, 10), (-6, 0))):
        if crowd == 0.0:
            break
        if crowd != 1.0:
            voices = max(2, int(round(voices * crowd)))
        # phase options: "lively" group work is 4 dB louder, a "murmur" in seat work 8 dB louder
        pieces = [(a, b, db(LEVELS[kind][layer] + (4 if opts.get("lively") and layer == "group" else 0)
                            + (8 if opts.get("murmur") and layer == "murmur" else 0)))
                  for a, b, phase, kind, opts in segs]
        env = control(duration, ctl, pieces, 0.0, 1.5) * duck_env
        if env.max() < db(-60):
            continue
        y = babble(voices, talk, pause, lvl)
        if layer == "murmur":
            y = lowpass(y, sr, 1800, 2) * 1.6
        room += y * envelope(env, ctl, n, sr)

    # footsteps of walking people, chairs when they sit or stand
    steps = np.zeros(n, np.float32)
    for pid, tr in enumerate(tracks):
        heavy = 1.6 if pid == len(tracks) - 1 else 1.0
        for t0, t1, u0, v0, u1, v1, mode in tr.legs:
            if mode != "walk" or not math.isfinite(t1):
                continue
            t = t0 + float(rng.uniform(0, 0.3))
            while t < t1:
                f = (t - t0) / max(1e-6, t1 - t0)
                v = v0 + (v1 - v0) * f
                g = (0.5 + 0.5 * (v - 3.6) / 5.4) ** 1.5
                place(steps, footstep(sr, rng, heavy), t, sr, g * float(rng.uniform(0.6, 1.1)))
                t += float(rng.uniform(0.42, 0.58))
        for t, what, u, v in tr.events:
            if rng.random() < 0.75:
                place(steps, chair_scrape(sr, rng), t + float(rng.uniform(-0.2, 0.2)), sr,
                      float(rng.uniform(0.3, 1.0)))
    room += steps * db(-30)

    # pages and pencils in independent work
    pages = np.zeros(n, np.float32)
    for a, b, phase, kind, opts in segs:
        if kind != "independent":
            continue
        t = a + float(rng.exponential(2.5))
        while t < b:
            place(pages, page_turn(sr, rng), t, sr, float(rng.uniform(0.3, 1.0)))
            t += float(rng.exponential(2.8))
    room += pages * db(-38)

    # bells and distractors
    events = []
    if sc.bell is not None:
        events.append(("bell", sc.bell_kind, sc.bell))
    for ev in sc.sounds:
        events.append(ev)
    for what, kind, t, *rest in events:
        if what in ("bell", "bell2"):
            x, onset = make_bell(kind, sr, rng)
            peak = BELL_PEAK_DB.get(kind, -4.0)
            place(room, x / (np.max(np.abs(x)) + 1e-9), t - onset, sr, db(peak))
        elif what == "announce":
            d = rest[0]
            x = announcement(sr, rng, d)
            place(room, x, t, sr, db(-4.0))
        else:
            x, peak = make_distractor(kind, sr, rng, rest[0] if rest else None)
            place(room, x / (np.max(np.abs(x)) + 1e-9), t, sr, db(peak))

    # put it all in the seminar room
    if n > LONG_SAMPLES:
        wet = signal.oaconvolve(room, rir(sr))[:n].astype(np.float32)
    else:
        wet = signal.fftconvolve(room, rir(sr))[:n].astype(np.float32)
    out = 0.65 * room + 0.55 * wet

    # room tone: ventilation, mains hum, the room's own noise
    # mains hum: one second holds a whole number of cycles, so tile it (long lessons stay cheap)
    t1 = np.arange(sr, dtype=np.float64) / sr
    hum_f = sc.hum_hz
    hum1 = sum(a * np.sin(2 * np.pi * hum_f * h * t1 + h) for h, a in ((1, 1.0), (2, 0.6), (3, 0.25), (5, 0.1)))
    hum = np.tile(hum1.astype(np.float32), n // sr + 1)[:n]
    vent = lowpass(pink(n, rng), sr, 400, 2)
    out += (hum * db(-58)).astype(np.float32) + vent * db(-50) + pink(n, rng) * db(-60)

    # the microphone
    out *= db(sc.mic_gain_db)
    out += rng.standard_normal(n).astype(np.float32) * db(-84)
    for a, b, phase, kind, opts in segs:
        if phase == "gap":
            out[int(a * sr):int(b * sr)] = 0.0
    return np.clip(out, -1.0, 1.0).astype(np.float32)

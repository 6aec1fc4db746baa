#!/usr/bin/env python3
"""`make fuzz`: a mutational fuzzer for `bellwork analyze` (and `bellwork probe`) over the fixtures.

Seeds: the media in Fixtures/, Fixtures/media/, Fixtures/lessons/ and ${BELLWORK_SHARED:-../shared}/media
(recursively), each cut to its first 2 MB; and, when the `ffmpeg` tool is there, a few remuxes of the sample
lesson made once into OUT/seeds/ (fragmented MP4, FLV, Matroska, MPEG-TS), so the structure-aware mutators
have moof/tfdt boxes and FLV tags to work on. No re-encoding: `-c copy`, the first 20 s.

Case i is made from a random generator seeded by (SEED, i) alone, so any case can be made again
(`--replay I`) and a run stopped at any moment continues where it stopped (OUT/state.json holds the next
case; OUT/cases.jsonl one line per finished case). Each case picks a seed file (or makes a small junk file),
applies one to four mutations (bit flips, byte runs, interesting integers, truncation, chunk duplication and
removal, MP4/MOV box sizes and tfdt/mdhd/mvhd/stts/ctts/elst/stco values, Matroska element sizes, cluster
timestamps and block offsets, FLV tag timestamps and sizes, Ogg granule positions with the page CRC
recomputed, WAV/AIFF header fields, very large timestamp jumps), and runs

    bellwork analyze FILE --format json --quiet      (one case in eight: bellwork probe FILE --format json)

with RLIMIT_AS at 1 GB in the child, in its own process group, under a time limit: L = min(60 s,
max(10 s, 10 x the seed's decoded length)); a child still running at L + max(5 s, L/4) is killed.

Outcomes:
  ok         exit 0 with valid JSON on stdout (no NaN or Infinity), or exit 65/66 with exactly one line on
             stderr naming the file
  crash      killed by a signal (not by the harness), memory exhaustion not shown
  hang       killed by the harness at the time limit
  runaway    the memory limit was hit (an allocation failure on stderr, or a signal with a peak resident
             set near the limit), or finished but took longer than L. A failure (65) that says FFmpeg could
             not allocate, with little memory used, is FFmpeg refusing one absurd size: judged as a failure
  violation  any other exit status, a failure that is not exactly one stderr line naming the file, or exit
             0 without valid JSON

Every non-ok case is kept as OUT/<outcome>/case-NNNNNN.<ext> with case-NNNNNN.txt beside it: the
reproduction line, the mutations, exit status, time, peak memory and the child's stderr.
"""
import argparse, json, os, random, re, resource, shutil, signal, struct, subprocess, sys, tempfile, threading
import time, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "bellwork")
MEMORY_LIMIT = 1 << 30
MAX_SEED_BYTES = 2 * 1024 * 1024
MEDIA_EXTENSIONS = {".mp4", ".mov", ".m4a", ".3gp", ".mkv", ".webm", ".avi", ".ts", ".flv", ".ogg", ".oga",
                    ".opus", ".wav", ".mp3", ".aac", ".flac", ".aiff", ".aif"}
OUTCOMES = ("ok", "crash", "hang", "runaway", "violation")
ALLOC_FAILURE = re.compile(r"could not allocate|cannot allocate|out of memory|bad_alloc|ENOMEM|"
                           r"memory exhausted|failed to allocate|std::bad_alloc", re.I)


# ---------------------------------------------------------------- seeds

def seed_files(shared):
    """The seed files, sorted (the order is part of what a case number means)."""
    found = []
    for folder in ("Fixtures", "Fixtures/media", "Fixtures/lessons"):
        path = os.path.join(ROOT, folder)
        if os.path.isdir(path):
            found += [os.path.join(path, n) for n in os.listdir(path)]
    media = os.path.join(shared, "media")
    for dirpath, _, names in os.walk(media):
        found += [os.path.join(dirpath, n) for n in names]
    return sorted(p for p in found if os.path.isfile(p) and os.path.splitext(p)[1].lower() in MEDIA_EXTENSIONS)


def make_derived_seeds(out):
    """Remuxes of the sample lesson into containers the fixtures lack (once; nothing if ffmpeg is missing)."""
    folder = os.path.join(out, "seeds")
    os.makedirs(folder, exist_ok=True)
    src = os.path.join(ROOT, "Fixtures", "sample-lesson.mp4")
    recipes = [("fragmented.mp4", ["-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4"]),
               ("remux.flv", ["-f", "flv"]), ("remux.mkv", ["-f", "matroska"]), ("remux.ts", ["-f", "mpegts"])]
    made = []
    for name, args in recipes:
        dest = os.path.join(folder, name)
        if not os.path.exists(dest) and shutil.which("ffmpeg") and os.path.exists(src):
            tmp = dest + ".tmp"
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", src, "-t", "20", "-c", "copy"] + args + [tmp],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if os.path.exists(tmp) and os.path.getsize(tmp) > 0:
                os.replace(tmp, dest)
        if os.path.exists(dest):
            made.append(dest)
    return made


def media_length(path):
    """The decoded length in seconds by ffprobe (the container's duration), 0 when unknown."""
    if not shutil.which("ffprobe"):
        return 0.0
    r = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=duration",
                        "-of", "json", path], capture_output=True, text=True)
    try:
        info = json.loads(r.stdout)
        values = [info.get("format", {}).get("duration")] + [s.get("duration") for s in info.get("streams", [])]
        return max([float(v) for v in values if v not in (None, "N/A")] or [0.0])
    except (ValueError, TypeError):
        return 0.0


# ---------------------------------------------------------------- generic mutators

def u(rng, bits):
    """An integer that tends to break things: a boundary, a power of two, or random."""
    top = (1 << bits) - 1
    return rng.choice([0, 1, top, top >> 1, (top >> 1) + 1, 1 << rng.randrange(bits), rng.randrange(top + 1),
                       top - rng.randrange(16), rng.randrange(256)])


def m_bitflip(rng, d):
    if not d:
        return d, "bitflip(empty)"
    n = rng.choice([1, 1, 2, 4, 8, 32])
    for _ in range(n):
        i = rng.randrange(len(d))
        d[i] ^= 1 << rng.randrange(8)
    return d, f"bitflip x{n}"


def m_byterun(rng, d):
    if not d:
        return d, "byterun(empty)"
    start = rng.randrange(len(d))
    length = min(len(d) - start, rng.choice([1, 4, 16, 64, 512, 4096, 65536]))
    kind = rng.choice(["00", "ff", "byte", "random"])
    if kind == "random":
        d[start:start + length] = bytes(rng.randrange(256) for _ in range(length))
    else:
        b = {"00": 0, "ff": 255}.get(kind, rng.randrange(256))
        d[start:start + length] = bytes([b]) * length
    return d, f"byterun {kind} at {start} len {length}"


def m_integer(rng, d):
    if len(d) < 8:
        return d, "integer(short)"
    width = rng.choice([2, 4, 8])
    at = rng.randrange(len(d) - width)
    endian = rng.choice([">", "<"])
    v = u(rng, width * 8)
    d[at:at + width] = v.to_bytes(width, "big" if endian == ">" else "little")
    return d, f"integer {width * 8}-bit {'BE' if endian == '>' else 'LE'} {v} at {at}"


def m_truncate(rng, d):
    at = rng.randrange(len(d) + 1) if rng.random() < 0.7 else int(len(d) * rng.random() ** 3)
    return d[:at], f"truncate at {at}"


def m_duplicate(rng, d):
    if not d:
        return d, "duplicate(empty)"
    a = rng.randrange(len(d))
    length = min(len(d) - a, rng.choice([16, 188, 1024, 8192, 65536, 262144]))
    b = rng.randrange(len(d) + 1)
    d[b:b] = d[a:a + length]
    return d, f"duplicate {a}+{length} to {b}"


def m_remove(rng, d):
    if not d:
        return d, "remove(empty)"
    a = rng.randrange(len(d))
    length = min(len(d) - a, rng.choice([1, 16, 188, 1024, 8192, 65536, 262144]))
    del d[a:a + length]
    return d, f"remove {a}+{length}"


# ---------------------------------------------------------------- MP4 / MOV

MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf", b"edts", b"udta", b"moof", b"traf",
                  b"mvex", b"mfra", b"sinf", b"schi"}


def mp4_boxes(d, start=0, end=None, depth=0, out=None):
    """[(offset, header size, size, type)] of every box found, depth first; stops at nonsense."""
    out = [] if out is None else out
    end = len(d) if end is None else end
    pos = start
    while pos + 8 <= end and depth < 8:
        size, kind = struct.unpack_from(">I4s", d, pos)
        header = 8
        if size == 1 and pos + 16 <= end:
            size = struct.unpack_from(">Q", d, pos + 8)[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end or not re.fullmatch(rb"[a-zA-Z0-9 \xa9_-]{4}", kind):
            break
        out.append((pos, header, size, kind))
        if kind in MP4_CONTAINERS:
            mp4_boxes(d, pos + header, pos + size, depth + 1, out)
        elif kind == b"meta":
            mp4_boxes(d, pos + header + 4, pos + size, depth + 1, out)
        pos += size
    return out


def m_mp4_size(rng, d, boxes):
    off, header, size, kind = rng.choice(boxes)
    v = rng.choice([0, 1, 7, 8, size + 1, size - 1, size * 2, 0xFFFFFFFF, 0x80000000, rng.randrange(1 << 32)])
    v = max(0, min(v, 0xFFFFFFFF))
    struct.pack_into(">I", d, off, v)
    return d, f"mp4 {kind.decode('latin-1')} size {size} -> {v} at {off}"


def m_mp4_field(rng, d, boxes):
    """Timestamps and tables: tfdt, mdhd, mvhd, tkhd durations, stts/ctts entries, elst, stco/co64, stsz."""
    wanted = [b for b in boxes if b[3] in (b"tfdt", b"mdhd", b"mvhd", b"stts", b"ctts", b"elst", b"stco",
                                          b"co64", b"stsz", b"stsc", b"tkhd", b"trun", b"sidx")]
    if not wanted:
        return m_mp4_size(rng, d, boxes)
    kinds = sorted({b[3] for b in wanted})
    pick = b"tfdt" if b"tfdt" in kinds and rng.random() < 0.4 else rng.choice(kinds)
    if pick == b"tfdt" and rng.random() < 0.5:
        return mp4_tfdt_jump(rng, d, [b for b in wanted if b[3] == b"tfdt"])
    off, header, size, kind = rng.choice([b for b in wanted if b[3] == pick])
    body = off + header
    version = d[body] if body < len(d) else 0
    fields = []  # (offset, width, name)
    if kind == b"tfdt":
        fields = [(body + 4, 8 if version == 1 else 4, "baseMediaDecodeTime")]
    elif kind in (b"mdhd", b"mvhd"):
        if version == 1:
            fields = [(body + 20, 4, "timescale"), (body + 24, 8, "duration")]
        else:
            fields = [(body + 12, 4, "timescale"), (body + 16, 4, "duration")]
    elif kind == b"tkhd":
        fields = [(body + 28, 8, "duration")] if version == 1 else [(body + 20, 4, "duration")]
    elif kind in (b"stts", b"ctts", b"stco", b"co64", b"stsc", b"elst", b"stsz", b"trun", b"sidx"):
        count_at = body + (8 if kind == b"stsz" else 4)
        fields = [(count_at, 4, "entry count")]
        entry = {b"stts": 8, b"ctts": 8, b"stco": 4, b"co64": 8, b"stsc": 12, b"stsz": 4,
                 b"elst": 20 if version == 1 else 12}.get(kind)
        if entry and off + size > count_at + 4 + entry:
            n = (off + size - count_at - 4) // entry
            e = count_at + 4 + entry * rng.randrange(n)
            if kind in (b"stts", b"ctts"):
                fields += [(e, 4, "sample count"), (e + 4, 4, "sample delta/offset")]
            elif kind == b"elst":
                w = 8 if version == 1 else 4
                fields += [(e, w, "segment duration"), (e + w, w, "media time")]
            else:
                fields += [(e, entry if entry <= 8 else 4, "entry")]
        if kind == b"trun":
            fields = [(body + 4, 4, "sample count"), (body + 8, 4, "data offset or first field")]
        if kind == b"sidx":
            fields = [(body + 8, 4, "timescale"), (body + 12, 4 if version == 0 else 8, "earliest presentation time")]
    off_f, width, name = rng.choice(fields)
    if off_f + width > len(d):
        return m_mp4_size(rng, d, boxes)
    old = int.from_bytes(d[off_f:off_f + width], "big")
    top = (1 << (width * 8)) - 1
    v = rng.choice([u(rng, width * 8), min(top, old + rng.choice([1 << 31, 1 << 24, 10 ** 6 * 90000 % top])),
                    min(top, old * rng.choice([2, 1000, 1 << 20])), max(0, old - rng.randrange(old + 1))])
    d[off_f:off_f + width] = v.to_bytes(width, "big")
    return d, f"mp4 {kind.decode('latin-1')} {name} {old} -> {v} at {off_f}"


def mp4_tfdt_jump(rng, d, tfdts):
    """Every fragment from one on starts much later (or earlier): a timeline that leaps and goes on."""
    first = rng.randrange(len(tfdts))
    jump = rng.choice([1 << 31, 1 << 32, 10 ** 6 * 90000, 10 ** 9, -(10 ** 6), 1 << 40])
    for off, header, size, kind in tfdts[first:]:
        body = off + header
        width = 8 if d[body] == 1 else 4
        old = int.from_bytes(d[body + 4:body + 4 + width], "big")
        d[body + 4:body + 4 + width] = ((old + jump) % (1 << (8 * width))).to_bytes(width, "big")
    return d, f"mp4 tfdt jump {jump:+d} from fragment {first} of {len(tfdts)}"


# ---------------------------------------------------------------- Matroska / WebM

MKV_MASTERS = {0x1A45DFA3, 0x18538067, 0x1F43B675, 0x1654AE6B, 0xAE, 0x1549A966, 0x1C53BB6B, 0x114D9B74,
               0xA0, 0xE0, 0xE1, 0x1254C367, 0x7373, 0xBB, 0xB7, 0x4DBB, 0x1941A469, 0x1043A770}
MKV_INTS = {0xE7: "cluster timestamp", 0x2AD7B1: "timestamp scale", 0x23E383: "default duration",
            0x9B: "block duration", 0xB3: "cue time", 0x56AA: "codec delay", 0x56BB: "seek pre-roll",
            0xD7: "track number", 0xB5: "sampling frequency", 0x9F: "channels", 0xB0: "pixel width",
            0xBA: "pixel height", 0xF1: "cue cluster position", 0x53AC: "seek position", 0xFB: "reference block"}


def vint(d, pos, keep_marker):
    if pos >= len(d) or d[pos] == 0:
        return None
    first = d[pos]
    length = 8 - first.bit_length() + 1
    if pos + length > len(d):
        return None
    value = first if keep_marker else first & ((1 << (8 - length)) - 1)
    for b in d[pos + 1:pos + length]:
        value = (value << 8) | b
    return value, length


def mkv_elements(d, start=0, end=None, depth=0, out=None):
    """[(offset, id, id length, size length, data offset, data size)] depth first; stops at nonsense."""
    out = [] if out is None else out
    end = len(d) if end is None else end
    pos = start
    while pos < end and depth < 8 and len(out) < 20000:
        ident = vint(d, pos, True)
        if not ident:
            break
        size = vint(d, pos + ident[1], False)
        if not size:
            break
        data = pos + ident[1] + size[1]
        length = size[0]
        if length == (1 << (7 * size[1])) - 1:  # unknown size: runs to the parent's end
            length = end - data
        if data + length > end:
            length = end - data  # a file cut short: keep what is there
        out.append((pos, ident[0], ident[1], size[1], data, length))
        if ident[0] in MKV_MASTERS:
            mkv_elements(d, data, data + length, depth + 1, out)
        pos = data + length
    return out


def m_mkv(rng, d, elements):
    choice = rng.random()
    clusters = [e for e in elements if e[1] == 0xE7 and 1 <= e[5] <= 8]
    if choice < 0.25 and clusters:  # every cluster from one on leaps forward (or back)
        first = rng.randrange(len(clusters))
        jump = rng.choice([10 ** 6 * 1000, 1 << 40, 1 << 31, -(10 ** 5), 10 ** 12])
        for pos, ident, il, sl, data, length in clusters[first:]:
            old = int.from_bytes(d[data:data + length], "big")
            d[data:data + length] = ((old + jump) % (1 << (8 * length))).to_bytes(length, "big")
        return d, f"mkv cluster timestamp jump {jump:+d} from cluster {first} of {len(clusters)}"
    if choice < 0.4 and clusters:
        ints = clusters
    else:
        ints = [e for e in elements if e[1] in MKV_INTS and 1 <= e[5] <= 8]
    blocks = [e for e in elements if e[1] in (0xA3, 0xA1) and e[5] > 4]
    floats = [e for e in elements if e[1] == 0x4489 and e[5] in (4, 8)]
    if choice < 0.3 and ints:
        pos, ident, il, sl, data, length = rng.choice(ints)
        old = int.from_bytes(d[data:data + length], "big")
        v = rng.choice([u(rng, length * 8), min((1 << (length * 8)) - 1, old + (1 << rng.randrange(20, length * 8)))
                        if length >= 3 else u(rng, length * 8)])
        d[data:data + length] = v.to_bytes(length, "big")
        return d, f"mkv {MKV_INTS[ident]} {old} -> {v} at {data}"
    if choice < 0.5 and blocks:
        pos, ident, il, sl, data, length = rng.choice(blocks)
        track = vint(d, data, False)
        if track:
            at = data + track[1]
            v = rng.choice([-32768, 32767, rng.randrange(-32768, 32768), 0])
            struct.pack_into(">h", d, at, v)
            return d, f"mkv block relative timestamp -> {v} at {at}"
    if choice < 0.6 and floats:
        pos, ident, il, sl, data, length = rng.choice(floats)
        v = rng.choice([float("nan"), float("inf"), -1.0, 1e300, 0.0, 1e18])
        d[data:data + length] = struct.pack(">d" if length == 8 else ">f", v)
        return d, f"mkv duration -> {v} at {data}"
    ident = rng.choice(sorted({e[1] for e in elements}))
    pos, ident, il, sl, data, length = rng.choice([e for e in elements if e[1] == ident])
    at = pos + il
    top = (1 << (7 * sl)) - 1
    v = rng.choice([0, 1, top, top - 1, length + 1, length * 2, max(0, length - 1), rng.randrange(top + 1)])
    v = min(v, top)
    raw = v | (1 << (7 * sl))  # the length marker
    d[at:at + sl] = raw.to_bytes(sl, "big")
    return d, f"mkv element 0x{ident:X} size {length} -> {v} at {at}"


# ---------------------------------------------------------------- FLV

def flv_tags(d):
    """[(offset, data size)] of the tags after the 9-byte header and the first previous-tag-size."""
    if d[:3] != b"FLV" or len(d) < 13:
        return []
    pos = struct.unpack_from(">I", d, 5)[0] + 4
    tags = []
    while pos + 11 <= len(d) and len(tags) < 100000:
        size = int.from_bytes(d[pos + 1:pos + 4], "big")
        tags.append((pos, size))
        pos += 11 + size + 4
    return tags


def m_flv(rng, d, tags):
    pos, size = rng.choice(tags)
    what = rng.random()
    if what < 0.6:
        old = int.from_bytes(d[pos + 4:pos + 7], "big") | (d[pos + 7] << 24)
        v = rng.choice([0xFFFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0, old + (1 << rng.randrange(16, 31)),
                        max(0, old - 100000), rng.randrange(1 << 32)]) & 0xFFFFFFFF
        d[pos + 4:pos + 7] = (v & 0xFFFFFF).to_bytes(3, "big")
        d[pos + 7] = v >> 24
        if rng.random() < 0.5:  # the same jump for every later tag: a timeline that leaps and continues
            for p, _ in tags:
                if p > pos:
                    t = (int.from_bytes(d[p + 4:p + 7], "big") | (d[p + 7] << 24)) + (v - old)
                    t &= 0xFFFFFFFF
                    d[p + 4:p + 7] = (t & 0xFFFFFF).to_bytes(3, "big")
                    d[p + 7] = t >> 24
            return d, f"flv timestamp {old} -> {v} at tag {pos}, and every later tag shifted"
        return d, f"flv timestamp {old} -> {v} at tag {pos}"
    if what < 0.85:
        v = rng.choice([0, 1, 0xFFFFFF, size + 1, max(0, size - 1), rng.randrange(1 << 24)])
        d[pos + 1:pos + 4] = v.to_bytes(3, "big")
        return d, f"flv tag size {size} -> {v} at {pos}"
    v = rng.choice([8, 9, 18, 0, 255, rng.randrange(256)])
    old = d[pos]
    d[pos] = v
    return d, f"flv tag type {old} -> {v} at {pos}"


# ---------------------------------------------------------------- Ogg

def ogg_crc(page):
    crc = 0
    for b in page:
        crc ^= b << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def ogg_pages(d):
    pages, pos = [], 0
    while True:
        pos = d.find(b"OggS", pos)
        if pos < 0 or pos + 27 > len(d):
            return pages
        n = d[pos + 26]
        body = sum(d[pos + 27:pos + 27 + n])
        end = pos + 27 + n + body
        if end > len(d):
            return pages
        pages.append((pos, end))
        pos = end


def m_ogg(rng, d, pages):
    if rng.random() < 0.35:  # every page from one on leaps forward: a long gap in the sound
        first = rng.randrange(len(pages))
        jump = rng.choice([48000 * 10 ** 6, 1 << 40, 44100 * 3600, 1 << 62])
        for pos, end in pages[first:]:
            old = struct.unpack_from("<q", d, pos + 6)[0]
            if old != -1:
                struct.pack_into("<q", d, pos + 6, max(-(1 << 63), min((1 << 63) - 1, old + jump)))
            struct.pack_into("<I", d, pos + 22, 0)
            struct.pack_into("<I", d, pos + 22, ogg_crc(bytes(d[pos:end])))
        return d, f"ogg granule jump {jump:+d} from page {first} of {len(pages)} (CRC fixed)"
    pos, end = rng.choice(pages)
    old = struct.unpack_from("<q", d, pos + 6)[0]
    v = rng.choice([-1, 0, 1 << 62, (1 << 63) - 1, old + (1 << rng.randrange(20, 50)), max(0, old // 7),
                    rng.randrange(1 << 63)])
    v = max(-(1 << 63), min(v, (1 << 63) - 1))
    struct.pack_into("<q", d, pos + 6, v)
    if rng.random() < 0.8:  # most with a right CRC, so the demuxer believes the page
        struct.pack_into("<I", d, pos + 22, 0)
        struct.pack_into("<I", d, pos + 22, ogg_crc(bytes(d[pos:end])))
        return d, f"ogg granule {old} -> {v} at page {pos} (CRC fixed)"
    return d, f"ogg granule {old} -> {v} at page {pos}"


# ---------------------------------------------------------------- MPEG-TS

def ts_pts_fields(d):
    """Offsets of the 5-byte PTS fields of the PES headers that start in 188-byte TS packets."""
    found = []
    for pos in range(0, len(d) - 188 + 1, 188):
        if d[pos] != 0x47 or not d[pos + 1] & 0x40:
            continue
        payload = pos + 4
        if d[pos + 3] & 0x20:
            payload += 1 + d[pos + 4]
        if payload + 14 <= pos + 188 and d[payload:payload + 3] == b"\x00\x00\x01" and d[payload + 7] & 0x80:
            found.append(payload + 9)
    return found


def ts_get(d, at):
    b = d[at:at + 5]
    return ((b[0] >> 1) & 7) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1


def ts_put(d, at, v):
    v &= (1 << 33) - 1
    d[at] = (d[at] & 0xF0) | ((v >> 30) & 7) << 1 | 1
    d[at + 1] = (v >> 22) & 0xFF
    d[at + 2] = ((v >> 15) & 0x7F) << 1 | 1
    d[at + 3] = (v >> 7) & 0xFF
    d[at + 4] = (v & 0x7F) << 1 | 1


def m_ts(rng, d, fields):
    first = rng.randrange(len(fields))
    jump = rng.choice([1 << 32, 90000 * 10 ** 5, -(90000 * 100), (1 << 33) - 90000, rng.randrange(1 << 33)])
    chosen = fields[first:] if rng.random() < 0.6 else fields[first:first + 1]
    for at in chosen:
        ts_put(d, at, ts_get(d, at) + jump)
    return d, f"ts PTS jump {jump:+d} on {len(chosen)} PES from {first} of {len(fields)}"


# ---------------------------------------------------------------- WAV / AIFF

def m_wav(rng, d):
    fmt = d.find(b"fmt ")
    data = d.find(b"data")
    fields = [(4, 4, "RIFF size")]
    if fmt >= 0 and fmt + 24 <= len(d):
        fields += [(fmt + 4, 4, "fmt size"), (fmt + 8, 2, "format tag"), (fmt + 10, 2, "channels"),
                   (fmt + 12, 4, "sample rate"), (fmt + 16, 4, "byte rate"), (fmt + 20, 2, "block align"),
                   (fmt + 22, 2, "bits per sample")]
    if data >= 0 and data + 8 <= len(d):
        fields.append((data + 4, 4, "data size"))
    at, width, name = rng.choice(fields)
    if at + width > len(d):
        return d, "wav(short)"
    old = int.from_bytes(d[at:at + width], "little")
    v = u(rng, width * 8)
    d[at:at + width] = v.to_bytes(width, "little")
    return d, f"wav {name} {old} -> {v} at {at}"


def m_aiff(rng, d):
    comm = d.find(b"COMM")
    fields = [(4, 4, "FORM size")]
    if comm >= 0 and comm + 26 <= len(d):
        fields += [(comm + 4, 4, "COMM size"), (comm + 8, 2, "channels"), (comm + 10, 4, "sample frames"),
                   (comm + 14, 2, "sample size"), (comm + 16, 2, "rate exponent"), (comm + 18, 8, "rate mantissa")]
    ssnd = d.find(b"SSND")
    if ssnd >= 0 and ssnd + 16 <= len(d):
        fields += [(ssnd + 4, 4, "SSND size"), (ssnd + 8, 4, "SSND offset")]
    at, width, name = rng.choice(fields)
    old = int.from_bytes(d[at:at + width], "big")
    v = u(rng, width * 8)
    d[at:at + width] = v.to_bytes(width, "big")
    return d, f"aiff {name} {old} -> {v} at {at}"


# ---------------------------------------------------------------- choosing

def m_structure(rng, d):
    """A mutation that understands the container, when one is recognised; else a generic one."""
    head = bytes(d[:16])
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"moof", b"styp"):
        boxes = mp4_boxes(d)
        if boxes:
            return (m_mp4_field if rng.random() < 0.65 else m_mp4_size)(rng, d, boxes)
    if head[:4] == b"\x1a\x45\xdf\xa3":
        elements = mkv_elements(d)
        if elements:
            return m_mkv(rng, d, elements)
    if head[:3] == b"FLV":
        tags = flv_tags(d)
        if tags:
            return m_flv(rng, d, tags)
    if head[:4] == b"OggS":
        pages = ogg_pages(d)
        if pages:
            return m_ogg(rng, d, pages)
    if head[:1] == b"\x47" and len(d) > 376 and d[188] == 0x47:
        fields = ts_pts_fields(d)
        if fields:
            return m_ts(rng, d, fields)
    if head[:4] == b"RIFF":
        return m_wav(rng, d)
    if head[:4] == b"FORM":
        return m_aiff(rng, d)
    return m_integer(rng, d)


GENERIC = [(m_bitflip, 3), (m_byterun, 2), (m_integer, 2), (m_truncate, 2), (m_duplicate, 2), (m_remove, 2),
           (m_structure, 10)]


def junk(rng):
    """A small junk file: random bytes, a magic number and random bytes, or a text."""
    n = rng.choice([0, 1, 4, 12, 64, 512, 4096, 65536])
    magic = rng.choice([b"", b"\x00\x00\x00\x18ftypmp42", b"\x1a\x45\xdf\xa3", b"FLV\x01\x05\x00\x00\x00\x09",
                        b"OggS\x00\x02", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"ID3\x03\x00", b"\xff\xfb\x90",
                        b"fLaC", b"FORM\x00\x00\x00\x00AIFF", b"\x47\x40\x00\x10", b"RIFF\x00\x00\x00\x00AVI ",
                        b"#EXTM3U\n", b"ffconcat version 1.0\n"])
    return magic + bytes(rng.randrange(256) for _ in range(n))


def seed_group(path):
    """The extension; each remux made by make_derived_seeds is a group of its own."""
    if os.path.basename(os.path.dirname(path)) == "seeds":
        return "seeds/" + os.path.basename(path)
    return os.path.splitext(path)[1].lower()


def make_case(seed, number, seeds):
    """(bytes, extension, source, [mutation descriptions], command) of case `number`: the same every time."""
    rng = random.Random(f"bellwork-fuzz:{seed}:{number}")
    command = "probe" if rng.random() < 0.125 else "analyze"
    if rng.random() < 0.05 or not seeds:
        ext = rng.choice(sorted(MEDIA_EXTENSIONS))
        return junk(rng), ext, "junk", ["junk"], command
    if rng.random() < 0.5:
        source = rng.choice(seeds)
    else:  # by container first, so the many WAV seeds do not crowd out the rest
        group = rng.choice(sorted({seed_group(s) for s in seeds}))
        source = rng.choice([s for s in seeds if seed_group(s) == group])
    with open(source, "rb") as f:
        d = bytearray(f.read(MAX_SEED_BYTES))
    names = []
    mutators, weights = zip(*GENERIC)
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])):
        d, name = rng.choices(mutators, weights)[0](rng, d)
        names.append(name)
    return bytes(d), os.path.splitext(source)[1].lower(), source, names, command


# ---------------------------------------------------------------- running

def limits(length, args):
    limit = min(args.time_limit, max(args.min_time, args.ratio * length))
    return limit, limit + max(5.0, limit / 4)


def run_case(path, command, length, args):
    """Runs bellwork on path; returns a dict with the outcome and what was seen."""
    limit, kill_at = limits(length, args)
    cmd = [BIN, command, path, "--format", "json"] + (["--quiet"] if command == "analyze" else [])

    def child_limits():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, preexec_fn=child_limits,
                                start_new_session=True, cwd=ROOT)
        killed = False
        status = usage = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > kill_at:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)  # keeps Popen from waiting again
        elapsed = time.monotonic() - start
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # anything the child left behind
        except ProcessLookupError:
            pass
        out.seek(0)
        err.seek(0)
        stdout = out.read()
        stderr = err.read().decode("utf-8", "replace")
    code = os.waitstatus_to_exitcode(status)
    rss = usage.ru_maxrss * 1024
    result = {"command": command, "exit": code, "elapsed": round(elapsed, 2), "limit": round(limit, 1),
              "peak_rss": rss, "stderr": stderr if len(stderr) < 12000 else stderr[:10000] + "\n[...]\n" + stderr[-2000:]}
    result["outcome"], result["why"] = classify(path, code, killed, elapsed, limit, rss, stdout, stderr)
    return result


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def classify(path, code, killed, elapsed, limit, rss, stdout, stderr):
    if killed:
        return "hang", f"killed after {elapsed:.1f} s (limit {limit:.0f} s)"
    if ALLOC_FAILURE.search(stderr) and not (code in (65, 66) and rss < MEMORY_LIMIT // 2):
        return "runaway", "memory limit hit (allocation failure), peak RSS %d MB" % (rss >> 20)
    if code < 0:
        if rss > MEMORY_LIMIT * 0.6:
            return "runaway", f"signal {-code} with peak RSS {rss >> 20} MB (memory limit)"
        return "crash", f"signal {-code} ({signal.Signals(-code).name})"
    if elapsed > limit:
        return "runaway", f"took {elapsed:.1f} s (limit {limit:.0f} s)"
    if code == 0:
        try:
            json.loads(stdout, parse_constant=reject_constant)
        except ValueError as e:
            return "violation", f"exit 0 without valid JSON: {str(e)[:100]}"
        return "ok", "analysed"
    if code in (65, 66):
        lines = stderr.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if len(lines) != 1:
            return "violation", f"exit {code} with {len(lines)} stderr lines"
        if path not in lines[0] and os.path.basename(path) not in lines[0]:
            return "violation", f"exit {code}: the stderr line does not name the file"
        return "ok", f"refused ({code})"
    return "violation", f"exit status {code}"


def signature(result, group):
    """What kind of failure: the outcome, why, the seed's kind and the first stderr line, numbers and paths out."""
    first = next((l for l in result["stderr"].splitlines() if l.strip()), "")
    first = re.sub(r"/\S+", "PATH", first)[:120]
    text = f"{result['outcome']}: {result['why'].split(', peak')[0]} | {group} | {first}"
    return re.sub(r"0x[0-9a-fA-F]+|\d+(\.\d+)?", "N", text)


# ---------------------------------------------------------------- the run

class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.out = os.path.abspath(args.out)
        os.makedirs(self.out, exist_ok=True)
        self.state_path = os.path.join(self.out, "state.json")
        self.log_path = os.path.join(self.out, "cases.jsonl")
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.state = {"seed": args.seed, "next_case": 0}
        if os.path.exists(self.state_path):
            with open(self.state_path) as f:
                self.state = json.load(f)
            if self.state["seed"] != args.seed:
                sys.exit(f"{self.out} holds a run with SEED={self.state['seed']}; "
                         f"use that seed, or another folder (--out)")
        self.done = {}
        if os.path.exists(self.log_path):
            with open(self.log_path) as f:
                for line in f:
                    try:
                        row = json.loads(line)
                        self.done[row["case"]] = row
                    except (ValueError, KeyError):
                        pass  # a line cut by an interruption
        shared = os.environ.get("BELLWORK_SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
        self.seeds = seed_files(shared) + make_derived_seeds(self.out)
        self.lengths = {}
        self.session = {o: 0 for o in OUTCOMES}

    def length(self, source):
        if source not in self.lengths:
            self.lengths[source] = media_length(source)
        return self.lengths[source]

    def save_state(self):
        n = self.state["next_case"]
        while n in self.done:
            n += 1
        self.state["next_case"] = n
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.state, f)
        os.replace(tmp, self.state_path)

    def one(self, number, work):
        data, ext, source, mutations, command = make_case(self.args.seed, number, self.seeds)
        path = os.path.join(work, f"case-{number:06d}{ext}")
        with open(path, "wb") as f:
            f.write(data)
        length = self.length(source) if source != "junk" else 0.0
        result = run_case(path, command, length, self.args)
        row = {"case": number, "outcome": result["outcome"], "why": result["why"], "command": command,
               "exit": result["exit"], "elapsed": result["elapsed"], "peak_rss_mb": result["peak_rss"] >> 20,
               "source": os.path.relpath(source, ROOT) if source != "junk" else "junk", "mutations": mutations,
               "size": len(data)}
        if result["outcome"] != "ok":
            row["signature"] = signature(result, seed_group(source) if source != "junk" else "junk")
            self.keep(number, path, ext, row, result)
        os.unlink(path)
        with self.lock:
            self.done[number] = row
            self.session[row["outcome"]] += 1
            with open(self.log_path, "a") as f:
                f.write(json.dumps(row) + "\n")
            self.save_state()
            if row["outcome"] != "ok" or self.args.verbose:
                print(f"case {number}: {row['outcome']}: {row['why']} ({row['source']}: "
                      f"{'; '.join(mutations)})", flush=True)

    def keep(self, number, path, ext, row, result):
        folder = os.path.join(self.out, row["outcome"])
        os.makedirs(folder, exist_ok=True)
        kept = os.path.join(folder, f"case-{number:06d}{ext}")
        shutil.copyfile(path, kept)
        rel = os.path.relpath(kept, ROOT)
        extra = " --format json --quiet" if row["command"] == "analyze" else " --format json"
        with open(os.path.join(folder, f"case-{number:06d}.txt"), "w") as f:
            f.write(f"reproduce: cd {ROOT} && prlimit --as={MEMORY_LIMIT} timeout {result['limit'] + 30:.0f} "
                    f".build/release/bellwork {row['command']} {rel}{extra}; echo \"exit $?\"\n")
            f.write(f"regenerate: python3 scripts/fuzz.py --seed {self.args.seed} --replay {number}\n")
            f.write(f"outcome: {row['outcome']}: {row['why']}\n")
            f.write(f"exit: {row['exit']}  elapsed: {row['elapsed']} s  limit: {result['limit']} s  "
                    f"peak RSS: {row['peak_rss_mb']} MB  size: {row['size']} bytes\n")
            f.write(f"source: {row['source']}\nmutations:\n" + "".join(f"  {m}\n" for m in row["mutations"]))
            f.write("stderr:\n" + result["stderr"])

    def run(self):
        if not os.access(BIN, os.X_OK):
            sys.exit(f"{BIN} is missing: run `swift build -c release --product bellwork` (or `make build`)")
        todo = [i for i in range(self.state["next_case"], self.args.n) if i not in self.done]
        print(f"fuzz: {len(self.seeds)} seed files, seed {self.args.seed}, cases {self.state['next_case']}.."
              f"{self.args.n - 1} ({len(todo)} to run), {self.args.jobs} at a time, output in {self.out}",
              flush=True)
        deadline = time.monotonic() + self.args.max_time if self.args.max_time else None
        work = tempfile.mkdtemp(prefix="bellwork-fuzz-")
        queue = iter(todo)
        qlock = threading.Lock()

        def worker():
            while not self.stop.is_set():
                if deadline and time.monotonic() > deadline:
                    return
                with qlock:
                    number = next(queue, None)
                if number is None:
                    return
                self.one(number, work)

        def on_signal(signum, frame):
            print("fuzz: stopping after the cases running now", flush=True)
            self.stop.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        threads = [threading.Thread(target=worker, daemon=True) for _ in range(self.args.jobs)]
        started = time.monotonic()
        for t in threads:
            t.start()
        last = started
        while any(t.is_alive() for t in threads):
            time.sleep(0.5)
            if time.monotonic() - last > 60:
                last = time.monotonic()
                print(f"fuzz: {sum(self.session.values())} cases this run, {self.counts(self.session)}", flush=True)
        shutil.rmtree(work, ignore_errors=True)
        self.report(time.monotonic() - started)
        return 1 if any(self.session[o] for o in OUTCOMES[1:]) else 0

    @staticmethod
    def counts(c):
        return ", ".join(f"{o} {c.get(o, 0)}" for o in OUTCOMES)

    def report(self, seconds):
        total = {o: 0 for o in OUTCOMES}
        kinds = {}
        for row in self.done.values():
            total[row["outcome"]] += 1
            if row["outcome"] != "ok":
                k = kinds.setdefault(row["signature"], [0, row])
                k[0] += 1
                if row["size"] < k[1]["size"]:
                    k[1] = row
        print(f"\nthis run: {sum(self.session.values())} cases in {seconds:.0f} s: {self.counts(self.session)}")
        print(f"all runs in {self.out} (cases 0..{self.state['next_case'] - 1} done, {len(self.done)} in all): "
              f"{self.counts(total)}")
        if kinds:
            print("kinds of failure (count, the smallest input):")
            for sig, (count, row) in sorted(kinds.items(), key=lambda kv: -kv[1][0]):
                ext = os.path.splitext(row["source"])[1] if row["source"] != "junk" else ""
                print(f"  {count:5d}  {sig}\n         {row['outcome']}/case-{row['case']:06d}.txt ({row['size']} bytes)")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=1000, help="run cases 0..N-1 (those not yet done)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default=os.path.join(ROOT, "fuzz-out"))
    p.add_argument("--jobs", type=int, default=2, help="cases at a time")
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds, at most")
    p.add_argument("--ratio", type=float, default=10.0, help="time limit: this many times the media's length")
    p.add_argument("--min-time", type=float, default=10.0, help="time limit: at least this many seconds")
    p.add_argument("--max-time", type=float, default=0, help="stop starting cases after this many seconds")
    p.add_argument("--replay", type=int, help="make case I again, write it to OUT/replay/, run it, print the outcome")
    p.add_argument("--verbose", action="store_true", help="a line for every case")
    args = p.parse_args()
    if args.replay is not None:
        f = Fuzzer.__new__(Fuzzer)
        f.args = args
        shared = os.environ.get("BELLWORK_SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
        out = os.path.abspath(args.out)
        seeds = seed_files(shared) + make_derived_seeds(out)
        data, ext, source, mutations, command = make_case(args.seed, args.replay, seeds)
        os.makedirs(os.path.join(out, "replay"), exist_ok=True)
        path = os.path.join(out, "replay", f"case-{args.replay:06d}{ext}")
        with open(path, "wb") as fh:
            fh.write(data)
        result = run_case(path, command, media_length(source) if source != "junk" else 0.0, args)
        print(json.dumps({"file": path, "source": source, "mutations": mutations, **result}, indent=1))
        return 0
    return Fuzzer(args).run()


if __name__ == "__main__":
    sys.exit(main())

"""The picture: a fixed camera's view of a classroom, rendered with numpy.

World coordinates: u across the room's image plane in [0, 16], v down it in [0, 9] for the
standard landscape view (a camera high at the back of the room looking at the board). Figures
stand on the floor at (u, v); their size follows the depth scale `sc(v)`. A view maps world
units to pixels, so the same room can be shown landscape or portrait (a phone on its side).
"""

import bisect
import math

import numpy as np

FLOOR_V = 3.6          # where the far wall meets the floor


def sc(v):
    """Depth scale of a figure standing at v (1.0 near the camera)."""
    return float(np.clip(0.5 + 0.5 * (v - FLOOR_V) / 5.4, 0.42, 1.25))


# ----------------------------------------------------------------------------- room layout
DESK_ROWS = [5.0, 5.95, 7.05, 8.35]
DESK_COLS = 5


def desk_grid(n=20):
    """Every desk in the room for a class of n: 4 rows x 5 (n <= 20, the original room), 4 x 7 (n <= 28),
    5 x 7 (n <= 35). Row by row from the far row, in front of each desk (camera side)."""
    if n <= 20:
        rows, cols, cu, k, c0 = DESK_ROWS, DESK_COLS, 6.1, 1.18, 0.25
    elif n <= 28:
        rows, cols, cu, k, c0 = DESK_ROWS, 7, 6.6, 1.0, 0.2
    else:
        rows, cols, cu, k, c0 = [5.0, 5.8, 6.65, 7.55, 8.55], 7, 6.6, 1.0, 0.2
    seats = []
    for v in rows:
        s = sc(v)
        sp = k * s + c0
        for c in range(cols):
            seats.append((cu + (c - (cols - 1) // 2) * sp, v))
    return seats


def desk_seats(n=20):
    """(u, v) of each student's seat: the whole grid when the class fills it, else desks spread over it."""
    grid = desk_grid(n)
    if n >= len(grid):
        return grid
    if n <= 1:
        return grid[:n]
    return [grid[int(round(i * (len(grid) - 1) / (n - 1)))] for i in range(n)]


GROUP_TABLES = [(11.35, 5.55), (13.85, 5.95), (11.55, 7.75), (14.15, 8.25)]


def group_seats(n):
    per = max(5, -(-n // len(GROUP_TABLES)))      # 5 a table up to 20 students (the original), more beyond
    wide = 1.0 if per == 5 else 1.12
    seats = []
    for i in range(n):
        cu, cv = GROUP_TABLES[i % len(GROUP_TABLES)]
        k = i // len(GROUP_TABLES)
        s = sc(cv)
        ang = -math.pi / 2 + k * (2 * math.pi / per) + 0.3
        seats.append((cu + 0.95 * wide * s * math.cos(ang), cv + 0.42 * wide * s * math.sin(ang) + 0.05))
    return seats


def carpet_seats(n):
    seats = []
    per = 7 if n <= 21 else 9
    for i in range(n):
        r, c = divmod(i, per)
        u0, du = (10.75, 0.45) if per == 7 else (10.45, 0.4)
        seats.append((u0 + c * du + (r % 2) * 0.2, 4.05 + r * 0.36))
    return seats


DOOR_IN = (1.15, 4.95)         # the floor just inside the door (left wall)


def line_spots(n):
    if n <= 20:
        return [(1.9 + 0.42 * i * 0.8, 5.05 + 0.2 * i) for i in range(n)]
    # a big class: two lines side by side
    return [(1.9 + 0.336 * i, 5.05 + 0.2 * i) if i < 18 else (2.75 + 0.336 * (i - 18), 4.85 + 0.2 * (i - 18))
            for i in range(n)]


CUBBY_SPOTS = [(13.7 + 0.28 * i, 4.05 + 0.45 * i) for i in range(6)]
TEACHER_DESK = (3.15, 4.25)


# ----------------------------------------------------------------------------- drawing helpers
class View:
    def __init__(self, width, height, u0, v0, ppu):
        self.w, self.h, self.u0, self.v0, self.ppu = width, height, u0, v0, ppu

    @staticmethod
    def landscape(width, height):
        return View(width, height, 0.0, 0.0, width / 16.0)

    @staticmethod
    def portrait(width, height):
        ppu = width / 8.2
        return View(width, height, 3.9, -2.4, ppu)

    def grid(self, margin):
        mx, my = margin if isinstance(margin, tuple) else (margin, margin)
        ys = (np.arange(-my, self.h + my) + 0.5) / self.ppu + self.v0
        xs = (np.arange(-mx, self.w + mx) + 0.5) / self.ppu + self.u0
        return np.meshgrid(xs, ys)


def _poly_mask(U, V, pts):
    """Mask of the convex polygon pts (counter- or clockwise) over the world grid."""
    pts = list(pts)
    n = len(pts)
    sign = None
    inside = np.ones(U.shape, bool)
    area = sum(pts[i][0] * pts[(i + 1) % n][1] - pts[(i + 1) % n][0] * pts[i][1] for i in range(n))
    sign = 1.0 if area > 0 else -1.0
    for i in range(n):
        (x0, y0), (x1, y1) = pts[i], pts[(i + 1) % n]
        cross = (x1 - x0) * (V - y0) - (y1 - y0) * (U - x0)
        inside &= sign * cross >= 0
    return inside


def _paint(img, mask, color, alpha=1.0):
    c = np.asarray(color, np.float32)
    if alpha >= 1.0:
        img[mask] = c
    else:
        img[mask] = img[mask] * (1 - alpha) + c * alpha


def _smooth_noise(rng, shape, scale):
    """Low-frequency texture: upsampled random field."""
    h, w = shape
    sh, sw = max(2, h // scale + 2), max(2, w // scale + 2)
    small = rng.standard_normal((sh, sw)).astype(np.float32)
    yi = np.linspace(0, sh - 1.001, h)
    xi = np.linspace(0, sw - 1.001, w)
    y0, x0 = yi.astype(int), xi.astype(int)
    fy, fx = (yi - y0)[:, None], (xi - x0)[None, :]
    a = small[y0][:, x0]
    b = small[y0][:, x0 + 1]
    c = small[y0 + 1][:, x0]
    d = small[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) * (1 - fy) + b * fx * (1 - fy) + c * (1 - fx) * fy + d * fx * fy)


# The original room's colours; a room look (scenarios: room_look) replaces some of them.
PALETTE = {"ceiling": (214, 214, 206), "wall": (196, 184, 156), "floor": (128, 134, 140),
           "lwall": (182, 172, 146), "rwall": (188, 178, 150), "rug": (60, 110, 170), "chair": (70, 90, 130),
           "desk": (196, 160, 112)}


def room_palette(seed):
    """Wall, floor, rug, chair and desk colours of another room (a seed picks them)."""
    r = np.random.default_rng(seed)
    walls = [(196, 184, 156), (214, 206, 190), (170, 190, 200), (200, 210, 180), (225, 200, 180), (150, 160, 170),
             (230, 230, 225), (190, 170, 200)]
    floors = [(128, 134, 140), (150, 120, 90), (110, 95, 80), (160, 160, 150), (90, 100, 110), (170, 140, 100)]
    wall = np.array(walls[r.integers(len(walls))], float) + r.uniform(-10, 10, 3)
    p = dict(PALETTE)
    p["wall"] = tuple(np.clip(wall, 0, 255))
    p["lwall"] = tuple(np.clip(wall * 0.92, 0, 255))
    p["rwall"] = tuple(np.clip(wall * 0.96, 0, 255))
    p["floor"] = tuple(np.clip(np.array(floors[r.integers(len(floors))], float) + r.uniform(-8, 8, 3), 0, 255))
    p["ceiling"] = tuple(np.clip(np.array((214, 214, 206)) + r.uniform(-15, 15), 0, 255))
    p["rug"] = [(60, 110, 170), (160, 60, 60), (70, 140, 80), (150, 120, 60)][r.integers(4)]
    p["chair"] = [(70, 90, 130), (160, 60, 50), (60, 60, 60), (60, 120, 90), (200, 150, 40)][r.integers(5)]
    p["desk"] = [(196, 160, 112), (210, 200, 180), (170, 130, 90), (150, 170, 190)][r.integers(4)]
    return p


def render_background(view, margin, rng, palette=None, n_desks=20):
    """The empty classroom as float32 RGB (0..255), with a margin on every side (an int or (x, y))."""
    pal = palette or PALETTE
    U, V = view.grid(margin)
    h, w = U.shape
    img = np.zeros((h, w, 3), np.float32)
    # ceiling, far wall, floor
    _paint(img, V < 0.6, pal["ceiling"])
    for lu in (3.0, 8.0, 13.0):
        _paint(img, (np.abs(U - lu) < 1.3) & (np.abs(V - 0.1) < 0.18) & (V < 0.6), (250, 250, 240))
    for lv in (-1.2, -2.2):
        _paint(img, (np.abs(V - lv) < 0.2) & (np.abs(U - 8.0) < 2.0), (250, 250, 242))
    _paint(img, (V >= 0.6) & (V < FLOOR_V), pal["wall"])
    _paint(img, (V >= FLOOR_V - 0.12) & (V < FLOOR_V), (120, 100, 80))      # skirting
    floor = V >= FLOOR_V
    _paint(img, floor, pal["floor"])
    tiles = ((np.floor(U * 1.6 / np.maximum(sc_arr(V), 0.3)) + np.floor(V * 2.2)) % 2 == 0) & floor
    img[tiles] *= 0.94
    # left and right walls in perspective
    lw = _poly_mask(U, V, [(-3, -2.0), (1.8, 0.6), (1.8, FLOOR_V), (-3, 11.5)])
    _paint(img, lw, pal["lwall"])
    rw = _poly_mask(U, V, [(14.2, 0.6), (19, -2.0), (19, 11.5), (14.2, FLOOR_V)])
    _paint(img, rw, pal["rwall"])
    # door on the left wall
    door = _poly_mask(U, V, [(0.55, 1.05), (1.45, 0.95), (1.45, 4.08), (0.55, 5.0)])
    _paint(img, door, (120, 78, 44))
    knob = (np.abs(U - 1.3) < 0.07) & (np.abs(V - 2.9) < 0.07)
    _paint(img, knob, (210, 190, 90))
    doorwin = _poly_mask(U, V, [(0.8, 1.45), (1.25, 1.4), (1.25, 2.1), (0.8, 2.2)])
    _paint(img, doorwin, (170, 190, 200))
    # windows and board on the far wall
    _paint(img, (U > 2.2) & (U < 4.0) & (V > 1.0) & (V < 2.7), (205, 225, 240))
    _paint(img, (np.abs(U - 3.1) < 0.05) & (V > 1.0) & (V < 2.7), (150, 150, 150))
    _paint(img, (U > 4.4) & (U < 11.1) & (V > 0.9) & (V < 2.9), (90, 90, 90))
    board = (U > 4.5) & (U < 11.0) & (V > 1.0) & (V < 2.8)
    _paint(img, board, (236, 238, 234))
    _paint(img, (U > 4.4) & (U < 11.1) & (V > 2.9) & (V < 3.0), (150, 150, 150))
    # writing on the board
    for k in range(9):
        bu, bv = 5.0 + (k % 3) * 2.0 + rng.uniform(0, 0.4), 1.25 + (k // 3) * 0.5
        ln = rng.uniform(0.8, 1.7)
        wiggle = np.abs(V - bv - 0.05 * np.sin(U * 9.0 + k)) < 0.035
        _paint(img, wiggle & (U > bu) & (U < bu + ln), (40, 60, 120) if k % 4 else (150, 40, 40))
    # clock, posters
    _paint(img, (U - 12.3) ** 2 + (V - 1.35) ** 2 < 0.16, (245, 245, 245))
    _paint(img, (np.abs(U - 12.3) < 0.02) & (V > 1.1) & (V < 1.36), (20, 20, 20))
    for pu, pc in ((12.0, (200, 80, 70)), (13.1, (70, 140, 190))):
        _paint(img, (np.abs(U - pu - 0.4) < 0.35) & (V > 2.0) & (V < 2.9), pc)
    # cubbies on the right wall
    cub = _poly_mask(U, V, [(14.4, 1.6), (16.4, 0.6), (17.0, 5.4), (14.4, 3.95)])
    _paint(img, cub, (150, 110, 70))
    colors = [(200, 60, 60), (60, 140, 200), (230, 190, 60), (80, 170, 90), (170, 90, 180)]
    for i in range(4):
        for j in range(3):
            uu = 14.55 + i * 0.5
            top = 1.75 - (uu - 14.4) * 0.5 + j * (0.75 + (uu - 14.4) * 0.22)
            m = (np.abs(U - uu - 0.2) < 0.17) & (V > top) & (V < top + 0.5 + (uu - 14.4) * 0.12)
            _paint(img, m, colors[(i + j * 2) % 5])
    # carpet
    rug = _poly_mask(U, V, [(10.3, 3.75), (13.9, 3.75), (14.1, 5.05), (10.1, 5.05)])
    _paint(img, rug, pal["rug"])
    _paint(img, rug & ((np.floor(U * 2) + np.floor(V * 2)) % 2 == 0), (200, 70, 60), 0.35)
    # teacher's desk
    tu, tv = TEACHER_DESK
    _paint(img, (U > tu - 0.95) & (U < tu + 0.95) & (V > tv - 0.55) & (V < tv - 0.15), (150, 105, 60))
    _paint(img, (U > tu - 0.95) & (U < tu + 0.95) & (V >= tv - 0.15) & (V < tv + 0.25), (110, 75, 40))
    _paint(img, (U > tu - 0.6) & (U < tu - 0.1) & (V > tv - 0.72) & (V < tv - 0.5), (40, 40, 50))
    # group tables
    for cu, cv in GROUP_TABLES:
        s = sc(cv)
        t = ((U - cu) / (0.75 * s)) ** 2 + ((V - cv + 0.15 * s) / (0.32 * s)) ** 2 < 1
        _paint(img, t, (170, 130, 80))
        _paint(img, t & (V > cv + 0.02), (130, 95, 55))
    # student desks with chairs and things on them
    for i, (u, v) in enumerate(desk_grid(n_desks)):
        s = sc(v)
        top = (np.abs(U - u) < 0.45 * s) & (V > v - 0.62 * s) & (V < v - 0.4 * s)
        front = (np.abs(U - u) < 0.45 * s) & (V >= v - 0.4 * s) & (V < v - 0.3 * s)
        _paint(img, top, pal["desk"])
        _paint(img, front, (140, 110, 72))
        if i % 3 != 1:
            _paint(img, (np.abs(U - u + 0.12 * s) < 0.12 * s) & (np.abs(V - v + 0.53 * s) < 0.05 * s),
                   (240, 240, 235))
        chair = (np.abs(U - u) < 0.22 * s) & (V > v - 0.3 * s) & (V < v - 0.05 * s)
        _paint(img, chair, pal["chair"])
        legs = (np.abs(np.abs(U - u) - 0.19 * s) < 0.025 * s) & (V >= v - 0.05 * s) & (V < v + 0.02)
        _paint(img, legs, (60, 60, 60))
    # texture and vignetting
    tex = _smooth_noise(rng, (h, w), 6) * 5.0 + _smooth_noise(rng, (h, w), 40) * 7.0
    img += tex[..., None]
    yy = (np.arange(h) - h / 2) / h
    xx = (np.arange(w) - w / 2) / w
    vig = 1.0 - 0.28 * (yy[:, None] ** 2 + xx[None, :] ** 2)
    img *= vig[..., None]
    return np.clip(img, 0, 255).astype(np.float32), (U, V)


def sc_arr(V):
    return np.clip(0.5 + 0.5 * (V - FLOOR_V) / 5.4, 0.42, 1.25)


# ----------------------------------------------------------------------------- figures
SHIRTS = [(200, 50, 50), (50, 90, 180), (230, 200, 60), (60, 150, 80), (150, 70, 160), (240, 130, 40),
          (90, 190, 200), (230, 230, 230), (40, 40, 50), (200, 110, 140), (120, 160, 60), (180, 40, 90)]
SKIN = [(236, 200, 170), (210, 160, 120), (170, 120, 85), (120, 80, 55), (245, 215, 190)]
HAIR = [(30, 25, 20), (80, 50, 25), (200, 160, 90), (20, 20, 20), (120, 60, 30)]
PANTS = [(40, 50, 80), (50, 50, 55), (90, 80, 60), (30, 30, 40)]


class Look:
    def __init__(self, rng, teacher=False):
        if teacher:
            self.shirt, self.skin, self.hair, self.pants = (70, 60, 90), SKIN[1], HAIR[1], (35, 35, 45)
            self.height = 1.95
        else:
            self.shirt = SHIRTS[rng.integers(len(SHIRTS))]
            self.skin = SKIN[rng.integers(len(SKIN))]
            self.hair = HAIR[rng.integers(len(HAIR))]
            self.pants = PANTS[rng.integers(len(PANTS))]
            self.height = float(rng.uniform(1.35, 1.6))
        self.bag = SHIRTS[rng.integers(len(SHIRTS))]


def _sprite(look, pose, hpx):
    """RGBA float32 sprite (premultiplied) and its anchor (floor point) for a pose at hpx pixels tall.

    pose: (mode, hx, hy, gesture, phase) with mode in stand/walk/sit/floor.
    """
    mode, hx, hy, gesture, phase = pose
    H = max(8, int(hpx))
    W = int(H * 0.75) + 4
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
    ys = H - 1 - ys                    # height above the floor point, in px
    xs = xs - W / 2.0
    col = np.zeros((H, W, 3), np.float32)
    a = np.zeros((H, W), np.float32)

    def put(mask_soft, c):
        m = np.clip(mask_soft, 0, 1)
        col[:] = col * (1 - m[..., None]) + np.asarray(c, np.float32) * m[..., None]
        a[:] = a + (1 - a) * m

    def rect(x0, x1, y0, y1):
        return np.clip(np.minimum.reduce([xs - x0 + 0.5, x1 - xs + 0.5, ys - y0 + 0.5, y1 - ys + 0.5]), 0, 1)

    def disc(cx, cy, r):
        return np.clip(r - np.hypot(xs - cx, ys - cy) + 0.5, 0, 1)

    hshift = hx * 0.035 * H
    down = hy * 0.035 * H
    if mode in ("stand", "walk"):
        leg_top = 0.47 * H
        spread = 0.0
        if mode == "walk":
            spread = (0.07 if phase else -0.07) * H
        put(rect(-0.13 * H + spread, -0.02 * H + spread, 0, leg_top), look.pants)
        put(rect(0.02 * H - spread, 0.13 * H - spread, 0, leg_top), look.pants)
        t0, t1 = leg_top - 0.02 * H, 0.8 * H
        base = 0.0
    elif mode == "sit":
        t0, t1 = 0.2 * H, 0.55 * H
        base = -0.25 * H
    else:  # floor
        put(rect(-0.2 * H, 0.2 * H, 0, 0.09 * H), look.pants)
        t0, t1 = 0.07 * H, 0.42 * H
        base = -0.38 * H
    tw = 0.17 * H
    put(rect(-tw, tw, t0, t1 - down * 0.5) * np.clip(1.2 - np.abs(xs) / (tw + 2), 0, 1) * 1.4, look.shirt)
    # arms
    arm = 0.045 * H
    if gesture == 1:      # hand up
        put(rect(tw - arm, tw + arm, t1 - 0.05 * H, t1 + 0.3 * H), look.shirt)
        put(disc(tw, t1 + 0.3 * H, arm * 1.3), look.skin)
    elif gesture == 2:    # arm out (pointing / gesturing)
        put(rect(tw, tw + 0.28 * H, t1 - 0.1 * H, t1 - 0.1 * H + 2 * arm), look.shirt)
        put(disc(tw + 0.3 * H, t1 - 0.1 * H + arm, arm * 1.2), look.skin)
    else:
        swing = 0.04 * H if (mode == "walk" and phase) else 0.0
        put(rect(-tw - arm * 2 + swing, -tw + swing, t0 + 0.05 * H, t1 - 0.04 * H), look.shirt)
        put(rect(tw - swing, tw + arm * 2 - swing, t0 + 0.05 * H, t1 - 0.04 * H), look.shirt)
    # head (seen mostly from behind: hair over most of it)
    r = 0.1 * H
    hc = t1 + r * 0.9 - down
    put(disc(hshift, hc, r), look.skin)
    put(disc(hshift, hc + 0.25 * r, r * 0.93) * (ys > hc - 0.45 * r), look.hair)
    if mode == "sit":
        # the chair back between camera and the seated student
        put(rect(-0.2 * H, 0.2 * H, 0.05 * H, 0.3 * H), (70, 90, 130))
    rgba = np.concatenate([col * a[..., None], a[..., None]], axis=2)
    # anchor: floor point at (W/2, H-1) shifted by base (seated figures sit lower)
    return rgba, int(W / 2), int(H - 1 + base)


class SpriteCache:
    def __init__(self):
        self.cache = {}

    def get(self, pid, look, pose, hpx):
        key = (pid, pose, int(hpx))
        s = self.cache.get(key)
        if s is None:
            if len(self.cache) > 8000:      # keep memory flat on long lessons
                self.cache.clear()
            s = _sprite(look, pose, int(hpx))
            self.cache[key] = s
        return s


def blit(canvas, sprite, x, y):
    rgba, ax, ay = sprite
    h, w = rgba.shape[:2]
    x0, y0 = x - ax, y - ay
    H, W = canvas.shape[:2]
    sx0, sy0 = max(0, -x0), max(0, -y0)
    sx1, sy1 = min(w, W - x0), min(h, H - y0)
    if sx1 <= sx0 or sy1 <= sy0:
        return
    reg = canvas[y0 + sy0:y0 + sy1, x0 + sx0:x0 + sx1]
    spr = rgba[sy0:sy1, sx0:sx1]
    reg *= (1.0 - spr[..., 3:4])
    reg += spr[..., :3]


# ----------------------------------------------------------------------------- motion
class Track:
    """Piecewise motion of one person: legs (t0, t1, u0, v0, u1, v1, mode)."""

    def __init__(self, u, v, mode, t=0.0):
        self.legs = [[t, math.inf, u, v, u, v, mode]]
        self.events = []          # (t, 'sit'|'stand', u, v) for chair sounds

    @property
    def pos(self):
        leg = self.legs[-1]
        return leg[4], leg[5]

    @property
    def mode(self):
        return self.legs[-1][6]

    @property
    def free_at(self):
        return self.legs[-1][0]

    def _close(self, t):
        last = self.legs[-1]
        t = max(t, last[0])
        last[1] = t
        return t

    def stay(self, t, mode):
        """From t on, stay where the person is, in mode (sit/floor/stand/hidden)."""
        u, v = self.pos
        prev = self.mode
        t = self._close(t)
        if prev != mode:
            if mode in ("sit", "floor") and prev in ("stand", "walk"):
                self.events.append((t, "sit", u, v))
            if prev in ("sit", "floor") and mode in ("stand", "walk"):
                self.events.append((t, "stand", u, v))
        self.legs.append([t, math.inf, u, v, u, v, mode])
        return t

    def walk(self, t, u1, v1, speed):
        u0, v0 = self.pos
        if self.mode in ("sit", "floor"):
            self.events.append((max(t, self.free_at), "stand", u0, v0))
        t = self._close(t)
        dist = math.hypot(u1 - u0, (v1 - v0) * 1.6)
        dur = max(0.3, dist / speed)
        self.legs.append([t, t + dur, u0, v0, u1, v1, "walk"])
        self.legs.append([t + dur, math.inf, u1, v1, u1, v1, "stand"])
        return t + dur

    def appear(self, t, u, v):
        self._close(t)
        self.legs.append([t, math.inf, u, v, u, v, "stand"])

    def finalize(self):
        self.starts = [l[0] for l in self.legs]

    def at(self, t):
        i = bisect.bisect_right(self.starts, t) - 1
        t0, t1, u0, v0, u1, v1, mode = self.legs[max(i, 0)]
        if mode == "walk" and t1 > t0:
            f = min(1.0, max(0.0, (t - t0) / (t1 - t0)))
            return u0 + (u1 - u0) * f, v0 + (v1 - v0) * f, mode
        return u1, v1, mode


class Fidget:
    """Piecewise-constant small movements: (hx, hy, gesture, du, dv) changing at random times."""

    def __init__(self, rng, duration, kind_at, teacher=False):
        times, vals = [0.0], [(0, 0, 0, 0.0, 0.0)]
        t = 0.0
        while t < duration:
            kind = kind_at(t)
            rate, amp, gest, shift = FIDGET[kind]
            if teacher:
                rate, amp, gest, shift = 0.35, 1, 0.45, 0.0
            t += float(rng.exponential(1.0 / rate))
            hx = int(rng.integers(-amp, amp + 1))
            hy = int(rng.random() < (0.6 if kind == "independent" else 0.15))
            g = 0
            if rng.random() < gest:
                g = 2 if (teacher or kind == "group") else 1
            du = float(rng.uniform(-shift, shift))
            dv = float(rng.uniform(-shift, shift) * 0.3)
            times.append(t)
            vals.append((hx, hy, g, du, dv))
        self.times, self.vals = times, vals

    def at(self, t):
        return self.vals[bisect.bisect_right(self.times, t) - 1]


# kind -> (changes per second, head amplitude, chance of a gesture, body shift in world units)
FIDGET = {
    "transition": (0.6, 2, 0.10, 0.06),
    "instruction": (0.10, 1, 0.05, 0.0),
    "independent": (0.22, 1, 0.02, 0.0),
    "group": (1.3, 2, 0.30, 0.10),
    "unknown": (0.2, 1, 0.0, 0.0),
}


class Renderer:
    """Draws frames of one lesson at one view; cheap enough to stream long lessons."""

    def __init__(self, view, people, looks, rng, margin=0, noise_sigma=2.2, palette=None, n_desks=20):
        self.view, self.people, self.looks = view, people, looks
        self.margin = margin
        self.bg, (self.U, self.V) = render_background(view, margin, rng, palette, n_desks)
        self.sprites = SpriteCache()
        h, w = view.h, view.w
        self.noise = [rng.normal(0, noise_sigma, (h, w, 1)).astype(np.float32) for _ in range(12)]
        self.noise_rng = rng
        board = (self.U > 4.5) & (self.U < 11.0) & (self.V > 1.0) & (self.V < 2.8)
        self.board_mask = board.astype(np.float32)[..., None]
        win = (self.U > 2.2) & (self.U < 4.0) & (self.V > 1.0) & (self.V < 2.7)
        self.keep_mask = np.maximum(self.board_mask, win.astype(np.float32)[..., None])
        slide = np.zeros_like(self.bg)
        slide[...] = (235, 240, 250)
        slide[(np.abs(self.V - 1.3) < 0.12) & (self.U > 5.2) & (self.U < 10.2)] = (40, 70, 160)
        for k in range(4):
            slide[(np.abs(self.V - 1.75 - 0.3 * k) < 0.05) & (self.U > 5.6) & (self.U < 9.0 - k * 0.5)] = (60, 60, 60)
        slide[(self.U > 9.2) & (self.U < 10.6) & (self.V > 1.7) & (self.V < 2.6)] = (220, 150, 60)
        self.slide = slide

    def frame(self, t, light=1.0, projector=0.0, shift=(0, 0), exposure=1.0):
        """One frame as uint8 RGB (h, w, 3). light: room light gain; projector: 0..1 slide on board."""
        canvas = self.bg.copy()
        if projector > 0:
            canvas += (self.slide - canvas) * (self.board_mask * projector)
        view = self.view
        mx, my = self.margin if isinstance(self.margin, tuple) else (self.margin, self.margin)
        drawn = []
        for pid, (track, fidget) in enumerate(self.people):
            u, v, mode = track.at(t)
            if mode == "hidden":
                continue
            hx, hy, g, du, dv = fidget.at(t)
            phase = 0
            if mode == "walk":
                hx, hy, g, du, dv = 0, 0, 0, 0.0, 0.0
                phase = int(t * 3.6 + pid * 0.37) % 2
            elif mode == "stand" and g == 1:
                g = 0
            if mode in ("sit", "floor"):
                du *= 0.4
            drawn.append((v + dv, pid, u + du, mode, (mode, hx, hy, g, phase)))
        drawn.sort(key=lambda d: d[0])
        for v, pid, u, mode, pose in drawn:
            look = self.looks[pid]
            hpx = look.height * sc(v) * view.ppu
            x = int(round((u - view.u0) * view.ppu)) + mx
            y = int(round((v - view.v0) * view.ppu)) + my
            blit(canvas, self.sprites.get(pid, look, pose, hpx), x, y)
        if light != 1.0:
            gain = light + (1.0 - light) * self.keep_mask
            canvas *= gain
        dy, dx = shift
        h, w = view.h, view.w
        y0 = int(np.clip(my + dy, 0, 2 * my))
        x0 = int(np.clip(mx + dx, 0, 2 * mx))
        out = canvas[y0:y0 + h, x0:x0 + w]
        if exposure != 1.0:
            out = out * exposure
        out = out + self.noise[int(self.noise_rng.integers(len(self.noise)))]
        return np.clip(out, 0, 255).astype(np.uint8)

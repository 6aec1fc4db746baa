"""Where the camera is and how it moves: the view of the room, a per-frame shift, and static ffmpeg filters.

Placements (Scenario.placement):
  front        the original: fixed, high at the back of the room, looking at the board (nothing changes)
  back_corner  fixed, from a back corner: the room mirrored (door on the right) and seen at an angle
               (ffmpeg hflip + perspective), a little closer
  ceiling      a CCTV camera: high and wide (the whole room and more, people small), softer, noisier,
               sometimes grey (Scenario.grey)
  desk_phone   a phone standing on a desk: low and zoomed in on a part of the room, people large
  handheld     a phone held by hand: slow drift plus a small shake the whole time
  pan          a fixed camera panning slowly back and forth over the room (zoomed in: half the room at a time)
  handheld_pan a phone held by hand that pans slowly over the room (pan + drift + shake)
  carried      a camera carried through the room: fast, wide pans and walking shake (a step bob at ~1.8 Hz)

The frame is rendered by numpy with a margin (scene.Renderer) and cut out at a per-frame shift; geometry that
does not change over time is left to ffmpeg filters in the encode command. A scenario's room_look (a seed)
adds lighting: a dim or bright room and a colour cast (ffmpeg eq), and other wall and floor colours.
"""

import math

import numpy as np

import scene

PLACEMENTS = ("front", "back_corner", "ceiling", "desk_phone", "handheld", "pan", "handheld_pan", "carried")


def _rng(sc, k):
    return np.random.default_rng(sc.seed * 7919 + k)


def view_and_margin(sc, rw, rh, old_margin):
    """(scene.View, margin) for a scenario at render size rw x rh. margin: int or (x, y) pixels."""
    p = sc.placement
    if p == "front":
        return scene.View.landscape(rw, rh), old_margin
    r = _rng(sc, 1)
    if p == "back_corner":
        ppu = rw / 14.5
        return scene.View(rw, rh, 0.9, 0.5, ppu), old_margin
    if p == "ceiling":
        ppu = rw / float(r.uniform(18.5, 20.0))
        return scene.View(rw, rh, -1.5 - float(r.uniform(0, 0.4)), -1.6, ppu), old_margin
    if p == "desk_phone":
        # world units across: a bit more than half the room, placed so that it holds some of the desks and
        # the group tables (people are in view in every layout)
        width = float(r.uniform(8.5, 10.0))
        ppu = rw / width
        u0 = float(r.uniform(15.3 - width - 0.6, 15.3 - width))
        v0 = float(r.uniform(3.0, 9.4 - rh / ppu))
        return scene.View(rw, rh, u0, v0, ppu), old_margin
    if p == "handheld":
        return scene.View.landscape(rw, rh), max(old_margin, int(rh * 0.12))
    if p in ("pan", "handheld_pan", "carried"):
        width = 10.5 if p != "carried" else 8.5
        ppu = rw / width
        vis_h = rh / ppu
        v0 = 8.7 - vis_h if p != "carried" else 2.2         # pans: the desks and the class; carried: the room
        u0 = 8.0 - width / 2
        mx = int(math.ceil((8.0 - width / 2 - 0.2) * ppu))
        my = int(rh * (0.10 if p != "pan" else 0.02)) if p != "carried" else int(rh * 0.16)
        return scene.View(rw, rh, u0, v0, ppu), (max(mx, old_margin), max(my, old_margin))
    raise ValueError(p)


class Motion:
    """Per-frame (dy, dx) pixel shift of a moving camera (0, 0 for fixed placements)."""

    def __init__(self, sc, margin, rh):
        self.p = sc.placement
        mx, my = margin if isinstance(margin, tuple) else (margin, margin)
        self.mx, self.my, self.rh = mx, my, rh
        r = _rng(sc, 2)
        self.ph = r.uniform(0, 2 * math.pi, 12)
        self.pan_period = float(r.uniform(40, 70)) if self.p != "carried" else float(r.uniform(14, 22))
        self.fr = r.uniform(0.8, 1.25, 12)

    def at(self, t):
        p, ph, fr = self.p, self.ph, self.fr
        if p in ("front", "back_corner", "ceiling", "desk_phone"):
            return 0, 0
        dx = dy = 0.0
        if p in ("pan", "handheld_pan", "carried"):
            # back and forth over the room: a smoothed triangle wave, slowing at the ends
            x = math.sin(2 * math.pi * t / self.pan_period + ph[0])
            dx += 0.96 * self.mx * math.sin(0.5 * math.pi * x)
        if p in ("handheld", "handheld_pan"):
            a = self.my * 0.55 if p == "handheld" else self.my * 0.45
            dx += a * (0.6 * math.sin(2 * math.pi * 0.031 * fr[1] * t + ph[1]) + 0.4 * math.sin(2 * math.pi * 0.011 * fr[2] * t + ph[2]))
            dy += a * (0.6 * math.sin(2 * math.pi * 0.023 * fr[3] * t + ph[3]) + 0.4 * math.sin(2 * math.pi * 0.007 * fr[4] * t + ph[4]))
            s = self.rh * 0.006          # the hand's small shake
            dx += s * (math.sin(2 * math.pi * 1.7 * fr[5] * t + ph[5]) + 0.7 * math.sin(2 * math.pi * 3.9 * fr[6] * t + ph[6]))
            dy += s * (math.sin(2 * math.pi * 2.3 * fr[7] * t + ph[7]) + 0.7 * math.sin(2 * math.pi * 4.7 * fr[8] * t + ph[8]))
        if p == "carried":
            step = 1.8 * fr[9]
            dy += self.my * 0.55 * abs(math.sin(math.pi * step * t + ph[9])) - self.my * 0.3
            dy += self.my * 0.25 * math.sin(2 * math.pi * 0.09 * t + ph[10])
            dx += self.rh * 0.02 * math.sin(math.pi * step * t + ph[11])
            dx += self.rh * 0.01 * math.sin(2 * math.pi * 5.3 * t + ph[1])
        return int(round(dy)), int(round(dx))


def filters(sc, rw, rh):
    """Static ffmpeg video filters (before scaling to the output size) for the placement and the room look."""
    vf = []
    p = sc.placement
    if p == "back_corner":
        r = _rng(sc, 3)
        a, b = float(r.uniform(0.06, 0.11)), float(r.uniform(0.0, 0.03))
        # the left side (near the camera) is magnified, the right side seen further away
        vf += ["hflip",
               f"perspective={0}:{a * rh:.1f}:{rw}:{b * rh:.1f}:{0}:{(1 - a) * rh:.1f}:{rw}:{(1 - b) * rh:.1f}"
               ":interpolation=linear"]
    if p == "desk_phone":
        vf += ["gblur=sigma=0.6"]      # a cheap lens, a little out of focus
    if p == "ceiling":
        vf += ["gblur=sigma=0.8", "noise=alls=7:allf=t"]
        if sc.grey:
            vf += ["hue=s=0"]
    if sc.room_look is not None:
        r = np.random.default_rng(sc.room_look + 17)
        level = r.choice(["dim", "dim", "normal", "normal", "normal", "bright"])
        bright = {"dim": float(r.uniform(-0.16, -0.07)), "normal": float(r.uniform(-0.03, 0.03)),
                  "bright": float(r.uniform(0.05, 0.12))}[level]
        contrast = {"dim": float(r.uniform(0.75, 0.9)), "normal": float(r.uniform(0.92, 1.08)),
                    "bright": float(r.uniform(0.85, 0.95))}[level]
        cast = r.choice(["none", "warm", "cool", "green"])
        gr, gg, gb = {"none": (1, 1, 1), "warm": (1.12, 1.02, 0.85), "cool": (0.9, 1.0, 1.12),
                      "green": (0.95, 1.1, 0.95)}[cast]
        vf += [f"eq=brightness={bright:.3f}:contrast={contrast:.3f}:gamma_r={gr}:gamma_g={gg}:gamma_b={gb}"]
    return vf


def describe(sc):
    look = "" if sc.room_look is None else f", room look {sc.room_look}"
    return f"{sc.placement}{' (grey)' if sc.grey else ''}{look}"

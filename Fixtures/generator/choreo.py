"""Who goes where, when: people's motion tracks from a lesson script.

A script is a list of phases (name, seconds, options). Each phase has a contract kind:
arrival / settle / materials / move / unsettled / packup are transitions; instruction,
independent and group are themselves; gap is unknown (frozen picture, silence).
"""

import math

import numpy as np

import scene

PHASE_KIND = {
    "arrival": "transition", "settle": "transition", "materials": "transition", "move": "transition",
    "unsettled": "transition", "packup": "transition",
    "instruction": "instruction", "independent": "independent", "group": "group", "gap": "unknown", "empty": "unknown",
}
# "empty": an empty classroom (no people; only room tone and the hallway): unknown, but unlike "gap" the
# picture and the sound go on.

N_STUDENTS = 20                # the default class size; a scenario's n_students (0..35) overrides it


def phases_to_segments(script):
    segs, t = [], 0.0
    for item in script:
        name, dur = item[0], float(item[1])
        opts = item[2] if len(item) > 2 else {}
        segs.append((t, t + dur, name, PHASE_KIND[name], opts))
        t += dur
    return segs


def layout_of(seg):
    a, b, name, kind, opts = seg
    if kind == "group":
        return "groups"
    if kind == "instruction":
        return opts.get("layout", "desks")
    if name == "packup":
        return "line"
    return "desks"


def spots(layout, n=N_STUDENTS):
    if layout == "desks":
        return scene.desk_seats(n)
    if layout == "groups":
        return scene.group_seats(n)
    if layout == "carpet":
        return scene.carpet_seats(n)
    if layout == "line":
        return scene.line_spots(n)
    raise ValueError(layout)


def rest_mode(layout):
    return {"desks": "sit", "groups": "sit", "carpet": "floor", "line": "stand"}[layout]


def _jit(rng, p, r=0.25):
    return (p[0] + float(rng.uniform(-r, r)), p[1] + float(rng.uniform(-r, r) * 0.5))


def build(script, seed, n_students=N_STUDENTS):
    """Returns (segments, student tracks + teacher track as the last one).

    n_students 0 is an empty room: no students, and the teacher's track is hidden throughout."""
    N = n_students
    rng = np.random.default_rng(seed)
    segs = phases_to_segments(script)
    duration = segs[-1][1]
    # the layout each segment works towards (transitions: the next on-task layout)
    targets = []
    for i, s in enumerate(segs):
        if s[3] == "transition" and s[2] != "packup":
            nxt = next((x for x in segs[i + 1:] if x[3] != "transition"), None)
            targets.append(layout_of(nxt) if nxt else "desks")
        elif s[3] == "unknown":
            targets.append(targets[-1] if targets else "desks")
        else:
            targets.append(layout_of(s))
    order = rng.permutation(N)
    line_rank = {int(p): k for k, p in enumerate(order)}

    def spot(layout, i):
        if layout == "line":
            return spots("line", N)[line_rank[i]]
        return spots(layout, N)[i]

    students = []
    first = segs[0]
    pre_seated = set()
    if first[2] == "arrival":
        k = int(round(first[4].get("seated", 0.3) * N))
        pre_seated = set(int(x) for x in rng.permutation(N)[:k])
    for i in range(N):
        lay = targets[0]
        u, v = spot(lay, i)
        if first[2] == "arrival" and i not in pre_seated:
            students.append(scene.Track(u, v, "hidden"))
        else:
            students.append(scene.Track(u, v, rest_mode(lay)))
    cur_layout = targets[0]

    for si, (a, b, name, kind, opts) in enumerate(segs):
        D = b - a
        lay = targets[si]
        if kind == "transition":
            _transition(rng, students, a, b, name, opts, lay, spot, first[2] == "arrival" and si == 0, pre_seated)
        elif kind == "group":
            for i, tr in enumerate(students):
                t = a + float(rng.exponential(35))
                while t < b - 6:
                    if rng.random() < 0.12:       # a rare walk to another table and back
                        o = scene.group_seats(N)[int(rng.integers(N))]
                        home = tr.pos
                        t1 = tr.walk(t, o[0] + 0.3, o[1] + 0.15, 1.0)
                        t2 = tr.stay(t1 + float(rng.uniform(2, 5)), "stand")
                        t3 = tr.walk(t2, home[0], home[1], 1.0)
                        t = tr.stay(t3 + 0.2, "sit")
                    else:                          # stand up in place, lean over, sit down
                        tr.stay(t, "stand")
                        t = tr.stay(t + float(rng.uniform(2, 6)), "sit")
                    t += float(rng.exponential(35))
        elif kind == "independent":
            t = a + float(rng.exponential(70))
            while N and t < b - 15:                # someone fetches a tissue or sharpens a pencil
                tr = students[int(rng.integers(N))]
                if tr.mode == "sit" and tr.free_at < t:
                    home = tr.pos
                    c = scene.CUBBY_SPOTS[int(rng.integers(len(scene.CUBBY_SPOTS)))]
                    t1 = tr.walk(t, c[0], c[1], 1.2)
                    t2 = tr.stay(t1 + float(rng.uniform(1.5, 4)), "stand")
                    t3 = tr.walk(t2, home[0], home[1], 1.2)
                    tr.stay(t3 + 0.3, "sit")
                t += float(rng.exponential(70))
        cur_layout = lay

    if N == 0:
        teacher = scene.Track(2.3, 5.2, "hidden")
    else:
        teacher = _teacher(rng, segs, targets, N)
    for tr in students + [teacher]:
        tr._close(duration + 1.0)
        tr.legs[-1][1] = math.inf
        tr.finalize()
    return segs, students + [teacher]


def _transition(rng, students, a, b, name, opts, lay, spot, is_arrival, pre_seated):
    D = b - a
    end_by = b - 0.4
    n = len(students)
    rest = rest_mode(lay)

    def trip(tr, i, start, via_cubby, final, dwell_end=None):
        """Walk (optionally via the cubbies) to final, stand around, then take the rest pose."""
        t = start
        speed = float(rng.uniform(0.9, 1.4))
        legs = []
        p = tr.pos
        if via_cubby:
            legs.append(scene.CUBBY_SPOTS[int(rng.integers(len(scene.CUBBY_SPOTS)))])
        legs.append(final)
        dist = 0
        for q in legs:
            dist += math.hypot(q[0] - p[0], (q[1] - p[1]) * 1.6)
            p = q
        dwell = float(rng.uniform(1.5, 4.0)) if via_cubby else 0.0
        avail = end_by - start - 0.5
        if dist / speed + dwell > avail:
            dwell = min(dwell, 0.5)
            speed = max(speed, dist / max(0.5, avail - dwell))
        for k, q in enumerate(legs):
            t = tr.walk(t, q[0], q[1], speed)
            if k < len(legs) - 1:
                t = tr.stay(t + dwell, "stand")
        return t

    starts = []
    if is_arrival:
        for i, tr in enumerate(students):
            if i in pre_seated:
                continue
            e = a + float(rng.uniform(0, 0.72)) * D
            tr.appear(e, *scene.DOOR_IN)
            arrive = trip(tr, i, e + 0.1, rng.random() < 0.5, spot(lay, i))
            starts.append((i, arrive))
        # a few of the seated ones get up to chat or fetch something
        for i in list(pre_seated)[: max(1, len(pre_seated) // 2)]:
            tr = students[i]
            s = a + float(rng.uniform(0, 0.5)) * D
            starts.append((i, trip(tr, i, s, True, spot(lay, i))))
    elif name == "unsettled":
        for i, tr in enumerate(students):
            t = a + float(rng.uniform(0, 0.15)) * D
            home = spot(lay, i)
            if rng.random() < 0.15:
                continue               # some stay in their seats throughout
            while t < b - 14:
                dest = _jit(rng, (float(rng.uniform(2.5, 14.0)), float(rng.uniform(4.2, 8.6))), 0.3)
                t1 = tr.walk(t, dest[0], dest[1], float(rng.uniform(0.7, 1.2)))
                t2 = tr.stay(t1 + float(rng.uniform(2, 8)), "stand")
                if rng.random() < 0.5:
                    t3 = tr.walk(t2, home[0], home[1], 1.0)
                    t = tr.stay(t3 + 0.1, rest) + float(rng.uniform(3, 12))
                else:
                    t = t2
            starts.append((i, trip(tr, i, max(t, tr.free_at), False, home)))
    else:
        p_move = {"materials": 0.72, "settle": 0.6, "move": 1.0, "packup": 1.0}[name]
        p_cubby = {"materials": 1.0, "settle": 0.5, "move": 0.4, "packup": 1.0}[name]
        p_move = opts.get("movers", p_move)
        for i, tr in enumerate(students):
            final = spot(lay, i)
            if name in ("materials", "settle") and tr.mode == "hidden":
                tr.appear(a, *scene.DOOR_IN)
            moves = rng.random() < p_move or tr.mode == "stand"
            if not moves:
                continue
            s = a + float(rng.uniform(0, 0.3 if name != "packup" else 0.45)) * D
            if name == "packup":
                s = a + float(rng.uniform(0, 0.5)) * D
            starts.append((i, trip(tr, i, s, rng.random() < p_cubby, _jit(rng, final, 0.05))))

    # when each mover takes the rest pose: spread so that motion lasts to the end of the phase
    if rest == "stand":
        for i, arrive in starts:
            tr = students[i]
            # shuffle about in the line until the end
            t = arrive
            while t < b - 2:
                t = tr.stay(t + float(rng.uniform(2, 6)), "stand")
                u, v = tr.pos
                t = tr.walk(t, u + float(rng.uniform(-0.25, 0.25)), v + float(rng.uniform(-0.1, 0.1)), 0.8)
        return
    starts.sort(key=lambda x: x[1])
    m = len(starts)
    for k, (i, arrive) in enumerate(starts):
        tr = students[i]
        if k >= m - max(2, m // 5):
            sit = end_by - float(rng.uniform(0.0, 0.08)) * D
        else:
            sit = arrive + float(rng.uniform(0.5, 0.35 * D))
        sit = min(max(sit, arrive + 0.3), end_by)
        if sit > arrive + 3:       # stand and chat near the seat before sitting
            u, v = tr.pos
            t = tr.stay(arrive + float(rng.uniform(0.5, 2)), "stand")
            t = tr.walk(t, u + float(rng.uniform(-0.5, 0.5)), v + float(rng.uniform(-0.2, 0.2)), 0.7)
            t = tr.stay(t + float(rng.uniform(0.5, 2)), "stand")
            if t < sit - 1:
                t = tr.walk(t, u, v, 0.7)
        tr.stay(max(sit, tr.free_at), rest)


def _teacher(rng, segs, targets, n=N_STUDENTS):
    front = lambda: (float(rng.uniform(4.9, 10.6)), float(rng.uniform(3.75, 4.25)))
    first = segs[0]
    if first[2] == "arrival":
        tr = scene.Track(2.3, 5.2, "stand")
    else:
        tr = scene.Track(*front(), "stand")
    for si, (a, b, name, kind, opts) in enumerate(segs):
        t = max(a, tr.free_at)
        if kind == "instruction":
            carpet = opts.get("layout") == "carpet"
            while t < b - 1:
                p = (float(rng.uniform(10.2, 13.5)), float(rng.uniform(3.7, 3.9))) if carpet else front()
                t = tr.walk(t, p[0], p[1], float(rng.uniform(0.8, 1.2)))
                t = tr.stay(t + float(rng.uniform(3, 10)), "stand")
        elif kind == "independent" and opts.get("teacher") == "desk":
            t = tr.walk(t, scene.TEACHER_DESK[0] + 0.2, scene.TEACHER_DESK[1] - 0.3, 1.0)
            tr.stay(t, "stand")
        elif kind == "independent":
            seats = scene.desk_seats(n)
            while t < b - 1:
                s = seats[int(rng.integers(len(seats)))]
                side = 1 if rng.random() < 0.5 else -1
                p = (s[0] + side * 0.62 * scene.sc(s[1]), s[1] - 0.05)
                t = tr.walk(t, p[0], p[1], float(rng.uniform(0.7, 1.0)))
                t = tr.stay(t + float(rng.uniform(4, 14)), "stand")
        elif kind == "group":
            while t < b - 1:
                c = scene.GROUP_TABLES[int(rng.integers(len(scene.GROUP_TABLES)))]
                p = (c[0] - 1.0 * scene.sc(c[1]), c[1] + 0.1)
                t = tr.walk(t, p[0], p[1], 0.9)
                t = tr.stay(t + float(rng.uniform(8, 22)), "stand")
        elif kind == "transition":
            if name in ("arrival",):
                t = tr.stay(t + float(rng.uniform(0.6, 0.8)) * (b - t), "stand")
            while t < b - 1:
                if name == "packup":
                    p = (float(rng.uniform(2.2, 3.5)), float(rng.uniform(4.3, 5.0)))
                else:
                    p = front()
                t = tr.walk(t, p[0], p[1], 1.0)
                t = tr.stay(t + float(rng.uniform(3, 8)), "stand")
        else:
            tr.stay(t, "stand")
    return tr

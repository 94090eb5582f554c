"""Last step of a named roster: each day's shifts re-timed, so the staff's last minutes cover.

After naming and repair everyone who works a day keeps working it, but whole shifts leave each
person some minutes under the 40-hour average that no whole extra shift fits in (measured on
the flagship's December roster: 8–98 minutes a person, 20.6 paid hours over the 38 clerks and
managers), while the general counters miss people at the close every day. Day by day, in date
order, one 0/1 programme (HiGHS) chooses again for every person working that day which shift
(template) and which post they work::

    y[e, t, p] ∈ {0, 1}   e works template t at post p that day (e works that day: Σ y = 1)

    min  Σ convex under-coverage weights · missing people + PAID_TIE_BREAK · paid minutes
    s.t. Σ_{t covers k at p} y + missing[p, k] ≥ required[p, k]         cover
         Σ_{t covers k at p} y ≤ counters[p]                             physical counters
         Σ_{t, p} paid(t) · y[e, t, p] ≤ what e's month and week leave   40-hour average, 44 h
         t starts after e's rest from the day before, ends before the next   minimum rest
         Σ_{duty managers on site at k} y ≥ 1 (where the roster had one)     duty manager on site

The days worked, hence one shift a day, days off and consecutive days, do not change, and every
person's other days are fixed while a day is re-timed, so each day's programme keeps every
labour rule of the whole roster (the independent checker confirms it). The current shifts are
the programme's first solution, so a day is never made worse; a person's new shift starts and
ends within ``window_min`` of the old one, its meal break within ``break_window_min``.
Deterministic: one thread, node limits, the first improvement, no clock but the safety cap.

Measured on the flagship's December roster (2026-12-06, one core; windows 60 / 30 min):
84.5 → 80.0 missing staff-h (general 45.5 → 36.0, complaint 7.0 → 12.0: the convex weights
spread the gaps), 2 paid hours more, checker OK, 6 days changed, in 5.6 s; with the break
anywhere in the shift, 78.5 in 40 s; break within 60 min, 80.0 in 18 s; shift within 30 min,
83.0 in 3 s.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from hallplan.optimize.roster.problem import RosterProblem
from hallplan.optimize.roster.solution import RosterRow

#: a paid minute against one missing person-interval (``weights.under_coverage[0]`` = 1000)
PAID_TIE_BREAK = 0.01


def retime_days(P: RosterProblem, rows: list[RosterRow], node_limit: int = 1,
                window_min: int = 60, break_window_min: int = 30, time_limit_s: float = 600.0,
                progress: Callable[[dt.date], None] | None = None
                ) -> tuple[list[RosterRow], int]:
    """``rows`` with each day's shifts re-timed (module docstring); and how many days
    changed. Never worse in the plan objective, day by day. ``progress(date)`` is called as
    each day is done."""
    by_day: dict[dt.date, list[RosterRow]] = defaultdict(list)
    for r in rows:
        by_day[r.date].append(r)
    week_min: dict[tuple[str, int], int] = defaultdict(int)
    total_min: dict[str, int] = defaultdict(int)
    for r in rows:
        week_min[(r.employee, P.week_of(r.date))] += r.paid_min
        total_min[r.employee] += r.paid_min
    current = {(r.employee, r.date): r for r in rows}
    changed = 0
    for d in P.dates:
        day = sorted(by_day.get(d, []))
        new = _retime_day(P, d, day, current, week_min, total_min, node_limit, window_min,
                          break_window_min, time_limit_s) if day else None
        if progress is not None:
            progress(d)
        if new is None:
            continue
        changed += 1
        for old, r in zip(day, new, strict=True):
            week_min[(r.employee, P.week_of(d))] += r.paid_min - old.paid_min
            total_min[r.employee] += r.paid_min - old.paid_min
            current[(r.employee, d)] = r
        by_day[d] = new
    return sorted(r for d in P.dates for r in by_day.get(d, [])), changed


def _retime_day(P: RosterProblem, d: dt.date, day: list[RosterRow],
                current: dict[tuple[str, dt.date], RosterRow],
                week_min: dict[tuple[str, int], int], total_min: dict[str, int],
                node_limit: int, window_min: int, break_window_min: int,
                time_limit_s: float) -> list[RosterRow] | None:
    """The day's rows re-timed, in the order of ``day``; None when nothing better was found."""
    import highspy

    from hallplan.optimize.roster.pooled import _Builder, _new_highs, highs_lp
    from hallplan.sim.interrupt import run_highs

    T, iv, grid = P.templates, P.interval_min, P.grid
    emps = {e.id: e for e in P.employees}
    hand = P.labour.handover_min
    covers = {t: [k for k, t0 in enumerate(grid) if t.covers(t0, iv)] for t in T}
    on_site = {t: [k for k, t0 in enumerate(grid) if t.on_site(t0, iv)] for t in T}
    b = _Builder()
    col_of: list[tuple[int, int, str]] = []  # (row index in day, template index, post)
    start: list[int] = []
    most: list[int] = []  # paid minutes each row's person may work that day
    for i, r in enumerate(day):
        e = emps[r.employee]
        most.append(min(P.week_cap_min - (week_min[(e.id, P.week_of(d))] - r.paid_min),
                        P.avg_cap_min(e) - (total_min[e.id] - r.paid_min)))
        prev = current.get((e.id, d - dt.timedelta(days=1)))
        nxt = current.get((e.id, d + dt.timedelta(days=1)))
        earliest = -math.inf if prev is None else prev.end_min - 1440 + P.rest_min
        latest = math.inf if nxt is None else 1440 + nxt.start_min - P.rest_min
        own = r.template
        for ti, t in enumerate(T):
            near = (abs(t.counter_start_min - own.counter_start_min) <= window_min
                    and abs(t.end_min - own.end_min) <= window_min
                    and (t.break_start_min is None or own.break_start_min is None
                         or abs(t.break_start_min - own.break_start_min) <= break_window_min))
            fits = t.paid_min <= most[i] and t.arrival_min >= earliest and t.end_min <= latest
            if not (fits and near) and t != own:
                continue
            for p in P.posts:
                if not P.eligible(e, p) and not (t == own and p == r.post):
                    continue
                col_of.append((i, ti, p))
                j = b.col(PAID_TIE_BREAK * t.paid_min, 1.0, True)
                if t == own and p == r.post:
                    start.append(j)
        if len(start) != i + 1:  # the row's own shift is not a template: leave the day
            return None
    mine: dict[int, list[int]] = defaultdict(list)
    cell: dict[tuple[str, int], list[int]] = defaultdict(list)
    minutes: dict[int, list[tuple[int, float]]] = defaultdict(list)
    dm_on: dict[int, list[int]] = defaultdict(list)
    for j, (i, ti, p) in enumerate(col_of):
        t = T[ti]
        mine[i].append(j)
        minutes[i].append((j, float(t.paid_min)))
        for k in covers[t]:
            cell[(p, k)].append(j)
        if emps[day[i].employee].duty_manager:
            for k in on_site[t]:
                dm_on[k].append(j)
    # the current shifts, with the people they leave missing, are the first solution
    x0: dict[int, float] = dict.fromkeys(start, 1.0)
    for js in mine.values():
        b.row([(j, 1.0) for j in js], 1, 1)  # whoever works the day keeps working it
    for p in P.posts:
        cap = P.capacity.get(p)
        for k, need in enumerate(P.required[(d, p)]):
            js = cell.get((p, k), [])
            if not js:
                continue
            have = sum(x0.get(j, 0.0) for j in js)
            if need > 0:
                w = P.under_weights(d, p, k)
                lack = max(need - have, 0.0)
                us = [b.col(w[0], 1, False)]
                x0[us[-1]] = min(lack, 1.0)
                if need >= 2:
                    us.append(b.col(w[1], 1, False))
                    x0[us[-1]] = min(max(lack - 1.0, 0.0), 1.0)
                if need >= 3:
                    us.append(b.col(w[2], need - 2, False))
                    x0[us[-1]] = max(lack - 2.0, 0.0)
                b.row([(j, 1.0) for j in js + us], need, np.inf)
            if cap is not None:
                b.row([(j, 1.0) for j in js], -np.inf, max(cap, have))
    for k in range(len(grid)):
        if any(j in x0 for j in dm_on.get(k, [])):  # a manager was on site: one stays
            b.row([(j, 1.0) for j in dm_on[k]], 1, np.inf)
    for i, r in enumerate(day):
        b.row(minutes[i], -np.inf, max(most[i], r.paid_min))
    lp = highs_lp(b.matrix(), b.c, b.lb, b.ub, b.row_lb, b.row_ub, integer=b.integer)
    h = _new_highs()
    for name, value in (("output_flag", False), ("threads", 1), ("random_seed", 0),
                        ("mip_rel_gap", 1e-4), ("mip_max_nodes", int(node_limit)),
                        # the current shifts are the first solution: stop at the first
                        # better one (measured on the flagship: the same 6 staff-h gained as
                        # with 50 nodes, in 42 s instead of 71 s)
                        ("mip_max_improving_sols", 2), ("presolve", "off"),
                        ("time_limit", float(time_limit_s))):
        h.setOptionValue(name, value)
    h.passModel(lp)
    point = np.zeros(len(b.c))
    point[list(x0)] = list(x0.values())
    sol = highspy.HighsSolution()
    sol.col_value = list(point)
    sol.value_valid = True
    h.setSolution(sol)
    run_highs(h)
    if h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
        raise RuntimeError(f"re-timing {d.isoformat()} hit its {time_limit_s:.0f}-s safety cap")
    if h.getInfo().primal_solution_status != 2:
        return None
    x = np.asarray(h.getSolution().col_value)
    if float(np.dot(b.c, x)) >= float(np.dot(b.c, point)) - 1e-6:
        return None
    out = list(day)
    for j in np.flatnonzero(x[:len(col_of)] > 0.5):
        i, ti, p = col_of[j]
        t, r = T[ti], day[i]
        out[i] = RosterRow(r.employee, d, t.arrival_min, t.end_min, p, t.break_start_min,
                           t.break_end_min, hand)
    return out


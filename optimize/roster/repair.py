"""Greedy repair after the named assignment: no post left short while someone could fill it.

Two moves, applied until neither helps (deterministic order: date, post, interval, employee):

* **take an unstaffed or missing shift** — an employee qualified for the short post who is off
  that day and still has room under every labour rule (one shift a day, weekly cap, 40-hour
  average, consecutive days, days off, minimum rest) and a free counter, works the allowed
  template that covers the most short intervals there (ties: fewest paid minutes);
* **switch posts** — an employee qualified for the short post whose shift covers the short
  interval at another post moves there when that uncovers fewer intervals than it covers.

This is the rule the independent checker verifies (``check.idle_qualified``); the repair keeps
its own bookkeeping so the two do not share code.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from hallplan.optimize.roster.problem import RosterProblem
from hallplan.optimize.roster.solution import RosterRow
from hallplan.optimize.roster.templates import ShiftTemplate


@dataclass
class _State:
    P: RosterProblem
    rows: dict[tuple[str, dt.date], RosterRow] = field(default_factory=dict)
    cov: dict[tuple[dt.date, str], list[int]] = field(default_factory=dict)
    week_min: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    total_min: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def __post_init__(self) -> None:
        self.index = {d: i for i, d in enumerate(self.P.dates)}
        self.covers = {t: [k for k, t0 in enumerate(self.P.grid)
                           if t.covers(t0, self.P.interval_min)] for t in self.P.templates}

    def add(self, r: RosterRow) -> None:
        self.rows[(r.employee, r.date)] = r
        c = self.cov.setdefault((r.date, r.post), [0] * len(self.P.grid))
        for k in self._covered(r.template):
            c[k] += 1
        self.week_min[(r.employee, self.P.week_of(r.date))] += r.paid_min
        self.total_min[r.employee] += r.paid_min

    def remove(self, r: RosterRow) -> None:
        del self.rows[(r.employee, r.date)]
        c = self.cov[(r.date, r.post)]
        for k in self._covered(r.template):
            c[k] -= 1
        self.week_min[(r.employee, self.P.week_of(r.date))] -= r.paid_min
        self.total_min[r.employee] -= r.paid_min

    def _covered(self, t: ShiftTemplate) -> list[int]:
        if t not in self.covers:
            self.covers[t] = [k for k, t0 in enumerate(self.P.grid)
                              if t.covers(t0, self.P.interval_min)]
        return self.covers[t]

    def coverage(self, d: dt.date, p: str) -> list[int]:
        return self.cov.get((d, p), [0] * len(self.P.grid))

    def short(self, d: dt.date, p: str, k: int) -> bool:
        return self.coverage(d, p)[k] < self.P.required[(d, p)][k]

    # ------------------------------------------------------------------ labour rules
    def room_for(self, e, d: dt.date, t: ShiftTemplate) -> bool:
        """Could ``e`` work ``t`` on ``d`` (off that day) without breaking a labour rule?"""
        return self.day_free(e, d) and self.fits(e, d, t)

    def fits(self, e, d: dt.date, t: ShiftTemplate) -> bool:
        """The rules that depend on the shift itself — weekly cap, 40-hour average, minimum
        rest — for ``e`` off on ``d`` (:meth:`day_free` is the rest of :meth:`room_for`)."""
        return _within(t, self.limits(e, d))

    def limits(self, e, d: dt.date) -> tuple[int, float, float]:
        """What a shift of ``e`` on ``d`` may be under the weekly cap, the 40-hour average
        and minimum rest: (most paid minutes, earliest arrival, latest end), minutes."""
        P = self.P
        most = min(P.week_cap_min - self.week_min[(e.id, P.week_of(d))],
                   P.avg_cap_min(e) - self.total_min[e.id])
        prev = self.rows.get((e.id, d - dt.timedelta(days=1)))
        earliest = -math.inf if prev is None else prev.end_min - 1440 + P.rest_min
        nxt = self.rows.get((e.id, d + dt.timedelta(days=1)))
        latest = math.inf if nxt is None else 1440 + nxt.start_min - P.rest_min
        return most, earliest, latest

    def day_free(self, e, d: dt.date) -> bool:
        """The rules that do not depend on which shift: available and off on ``d``, the
        consecutive-days limit and the days off of the week."""
        P = self.P
        if not P.available(e, d) or (e.id, d) in self.rows:
            return False
        i = self.index[d]
        run = 1
        j = i - 1
        while j >= 0 and (e.id, P.dates[j]) in self.rows:
            run, j = run + 1, j - 1
        j = i + 1
        while j < len(P.dates) and (e.id, P.dates[j]) in self.rows:
            run, j = run + 1, j + 1
        if run > P.labour.max_consecutive_days:
            return False
        week = P.weeks[P.week_of(d)]
        if len(week) == 7 and P.labour.min_days_off_per_week:
            worked = sum((e.id, x) in self.rows for x in week) + 1
            if worked > 7 - P.labour.min_days_off_per_week:
                return False
        return True

    def counters_free(self, d: dt.date, p: str, t: ShiftTemplate) -> bool:
        cap = self.P.capacity.get(p)
        if cap is None:
            return True
        c = self.coverage(d, p)
        return all(c[k] < cap for k in self._covered(t))


def _within(t: ShiftTemplate, limits: tuple[int, float, float]) -> bool:
    most, earliest, latest = limits
    return t.paid_min <= most and t.arrival_min >= earliest and t.end_min <= latest


def _gain(S: _State, d: dt.date, p: str, t: ShiftTemplate) -> int:
    req, c = S.P.required[(d, p)], S.coverage(d, p)
    return sum(1 for k in S._covered(t) if c[k] < req[k])


def _loss(S: _State, d: dt.date, q: str, t: ShiftTemplate) -> int:
    req, c = S.P.required[(d, q)], S.coverage(d, q)
    return sum(1 for k in S._covered(t) if c[k] <= req[k])


def repair_roster(P: RosterProblem, rows: list[RosterRow], max_passes: int = 20
                  ) -> tuple[list[RosterRow], dict[str, int]]:
    """Rows after the repair and how many of each move were made."""
    S = _State(P)
    for r in rows:
        S.add(r)
    h = P.labour.handover_min
    emps = sorted(P.employees, key=lambda e: (len(e.skills), e.duty_manager, e.id))
    moves = {"switched_post": 0, "added_shift": 0}
    _close_duty_manager_gaps(S, h, moves)
    for _ in range(max_passes):
        changed = False
        for d in P.dates:
            for p in P.posts:
                for k in range(len(P.grid)):
                    while S.short(d, p, k):
                        if not _improve(S, d, p, k, emps, h, moves):
                            break
                        changed = True
        if not changed:
            break
    return sorted(S.rows.values()), moves


def _improve(S: _State, d, p, k, emps, h, moves) -> bool:
    P = S.P
    t0 = P.grid[k]
    # 1) switch posts: someone qualified for p covering t0 elsewhere, when it pays
    best = None
    for e in emps:
        if not P.eligible(e, p):
            continue
        r = S.rows.get((e.id, d))
        if r is None or r.post == p or not r.template.covers(t0, P.interval_min):
            continue
        t = r.template
        if not S.counters_free(d, p, t):
            continue
        net = _gain(S, d, p, t) - _loss(S, d, r.post, t)
        if net > 0 and (best is None or net > best[0]):
            best = (net, r)
    if best is not None:
        r = best[1]
        S.remove(r)
        S.add(RosterRow(r.employee, r.date, r.start_min, r.end_min, p, r.break_start_min,
                        r.break_end_min, r.handover_min))
        moves["switched_post"] += 1
        return True
    # 2) an off-duty qualified employee takes the template that covers the most short intervals
    options = [t for t in P.templates if t.covers(t0, P.interval_min)
               and S.counters_free(d, p, t)]
    options.sort(key=lambda t: (-_gain(S, d, p, t), t.paid_min, t.arrival_min, t.end_min))
    for e in emps:
        if not P.eligible(e, p) or not S.day_free(e, d):
            continue
        lim = S.limits(e, d)
        for t in options:
            if _within(t, lim):
                S.add(RosterRow(e.id, d, t.arrival_min, t.end_min, p, t.break_start_min,
                                t.break_end_min, h))
                moves["added_shift"] += 1
                return True
    # 3) someone qualified who works that day takes a longer or other shift at the short post
    #    when it covers more short intervals than giving up their shift uncovers — never a
    #    duty manager's change that leaves the hall without a manager on site
    best = None
    for e in emps:
        r = S.rows.get((e.id, d))
        if r is None or not P.eligible(e, p):
            continue
        dm_gaps = len(_dm_gaps(S, d)) if e.duty_manager else 0
        S.remove(r)
        if not S.day_free(e, d):  # e.g. a days-off or consecutive-days limit: no shift fits
            S.add(r)
            continue
        loss = _gain(S, d, r.post, r.template)  # intervals r was holding at its post
        lim = S.limits(e, d)
        for t in options:
            if t == r.template and r.post == p:
                continue
            if not _within(t, lim):
                continue
            if e.duty_manager and _opens_dm_gap(S, e, d, t, p, h, dm_gaps):
                continue
            if S.counters_free(d, p, t):
                net = _gain(S, d, p, t) - loss
                if net > 0 and (best is None or (net, -t.paid_min) > best[0]):
                    best = ((net, -t.paid_min), r, t)
        S.add(r)
    if best is not None:
        _, r, t = best
        S.remove(r)
        S.add(RosterRow(r.employee, d, t.arrival_min, t.end_min, p, t.break_start_min,
                        t.break_end_min, h))
        moves["changed_shift"] = moves.get("changed_shift", 0) + 1
        return True
    return False


def pick_on_call(P: RosterProblem, rows: list[RosterRow]) -> tuple[tuple[str, dt.date], ...]:
    """On each reserve date, ``reserve_size`` available staff who are off that day, taking
    those with the fewest on-call days so far (then by id): a fair, deterministic pick."""
    working = {(r.employee, r.date) for r in rows}
    count: dict[str, int] = defaultdict(int)
    out = []
    for d in sorted(P.reserve_dates):
        free = [e for e in P.employees if P.available(e, d) and (e.id, d) not in working]
        free.sort(key=lambda e: (count[e.id], e.id))
        for e in free[:P.reserve_size]:
            out.append((e.id, d))
            count[e.id] += 1
    return tuple(sorted(out))


def _opens_dm_gap(S: _State, e, d: dt.date, t: ShiftTemplate, p: str, h: int,
                  gaps_before: int) -> bool:
    """Would ``e`` (a duty manager, their shift of ``d`` removed) on template ``t`` leave
    more intervals without a duty manager on site than before the change?"""
    row = RosterRow(e.id, d, t.arrival_min, t.end_min, p, t.break_start_min, t.break_end_min, h)
    S.add(row)
    after = len(_dm_gaps(S, d))
    S.remove(row)
    return after > gaps_before


def _dm_gaps(S: _State, d: dt.date) -> list[int]:
    """Interval starts of ``d`` without a duty manager on site (the managers' rows are
    looked up, not searched for: this runs for every candidate change of a manager's shift)."""
    P = S.P
    on = [S.rows[(e.id, d)] for e in P.duty_managers if (e.id, d) in S.rows]
    return [t0 for t0 in P.grid if not any(r.template.on_site(t0, P.interval_min) for r in on)]


def _close_duty_manager_gaps(S: _State, h: int, moves: dict[str, int]) -> None:
    """A duty manager on site whenever the hall is open: where the assignment left a gap, an
    off duty manager with room under the rules takes a shift spanning it (at the post its
    shift helps most), or one on duty takes a longer shift that spans it."""
    P = S.P
    for d in P.dates:
        gaps = _dm_gaps(S, d)
        if not gaps:
            continue
        best = None
        for e in P.duty_managers:
            r = S.rows.get((e.id, d))
            only_r: list[int] = []
            if r is not None:
                S.remove(r)
                only_r = [t0 for t0 in _dm_gaps(S, d) if t0 not in gaps]
            for p in P.posts:
                if not P.eligible(e, p):
                    continue
                for t in P.templates:
                    if not all(t.on_site(t0, P.interval_min) for t0 in gaps):
                        continue
                    if r is not None and not all(t.on_site(t0, P.interval_min)
                                                 for t0 in only_r):
                        continue  # no new gap where this manager was the only one
                    if S.counters_free(d, p, t) and S.room_for(e, d, t):
                        loss = _gain(S, d, r.post, r.template) if r is not None else 0
                        key = (_gain(S, d, p, t) - loss, -t.paid_min)
                        if best is None or key > best[0]:
                            best = (key, e, p, t, r)
            if r is not None:
                S.add(r)
        if best is not None:
            _, e, p, t, r = best
            if r is not None:
                S.remove(r)
            S.add(RosterRow(e.id, d, t.arrival_min, t.end_min, p, t.break_start_min,
                            t.break_end_min, h))
            moves["duty_manager_gap_closed"] = moves.get("duty_manager_gap_closed", 0) + 1

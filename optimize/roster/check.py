"""Independent roster checker: the specification of a valid roster (no ortools import).

:func:`check_roster` verifies every hard rule on a :class:`~optimize.roster.solution.Roster`
and recomputes coverage against the requirement and every named objective term. It runs after
every solve, in every test, and on rosters that planners edit by hand.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from hallplan.optimize.roster.problem import RosterProblem, day_label, post_label
from hallplan.optimize.roster.solution import Roster, RosterRow
from hallplan.optimize.roster.templates import clock, template_problems

#: The hard rules, in the order they are checked (ids shared with the model's helpers).
HARD_RULES = (
    "known_employee_and_post", "shift_template", "skill_eligibility", "leave_and_unavailability",
    "one_shift_per_day", "weekly_hours_limit", "average_hours_limit", "min_rest",
    "max_consecutive_days", "min_days_off", "duty_manager_on_site",
)


@dataclass(frozen=True)
class Violation:
    rule: str
    who: str
    when: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.who}, {self.when}: {self.message}"


@dataclass(frozen=True)
class CheckReport:
    violations: tuple[Violation, ...]
    terms: dict[str, float]
    coverage: pd.DataFrame = field(repr=False)  # date, post, interval_start_min, required, staffed
    #: the planner's rule (:func:`idle_qualified`): short posts someone could have filled
    idle: tuple[Violation, ...] = ()
    #: every short cell nobody could fill, with the binding rule per qualified employee
    why_short: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def objective(self) -> float:
        return float(sum(self.terms.values()))

    @property
    def under_staff_hours(self) -> float:
        gap = (self.coverage["required"] - self.coverage["staffed"]).clip(lower=0)
        return float(gap.sum()) * self._iv / 60.0

    @property
    def over_staff_hours(self) -> float:
        gap = (self.coverage["staffed"] - self.coverage["required"]).clip(lower=0)
        return float(gap.sum()) * self._iv / 60.0

    @property
    def _iv(self) -> int:
        return int(self.coverage.attrs.get("interval_min", 30))

    def by_rule(self, rule: str) -> list[Violation]:
        return [v for v in self.violations if v.rule == rule]


def under_cost(gap: int, w: tuple[int, int, int]) -> int:
    """Convex under-coverage cost of ``gap`` missing people in one interval."""
    g = max(gap, 0)
    return w[0] * min(g, 1) + w[1] * min(max(g - 1, 0), 1) + w[2] * max(g - 2, 0)


def check_roster(roster: Roster, problem: RosterProblem) -> CheckReport:
    P = problem
    v: list[Violation] = []
    emps = {e.id: e for e in P.employees}
    rows_by_emp: dict[str, list[RosterRow]] = defaultdict(list)
    dates = set(P.dates)
    for r in roster.rows:
        when = f"{day_label(r.date)} {clock(r.start_min)}–{clock(r.end_min)}"
        e = emps.get(r.employee)
        if e is None or r.post not in P.posts or r.date not in dates:
            v.append(Violation("known_employee_and_post", r.employee, when,
                               f"unknown employee, post {r.post!r} or date outside the roster"))
            continue
        rows_by_emp[r.employee].append(r)
        if r.handover_min != P.labour.handover_min:
            v.append(Violation("shift_template", e.id, when,
                               f"handover {r.handover_min} min, rule {P.labour.handover_min}"))
        for msg in template_problems(r.template, P.labour, P.open_min, P.close_min,
                                     P.interval_min):
            v.append(Violation("shift_template", e.id, when, msg))
        if not P.eligible(e, r.post):
            v.append(Violation("skill_eligibility", e.id, when,
                               f"works {post_label(r.post)} without the {r.post!r} skill"))
        if not P.available(e, r.date):
            v.append(Violation("leave_and_unavailability", e.id, when,
                               "rostered on a leave day or an unavailable weekday"))

    for eid, rows in rows_by_emp.items():
        rows.sort(key=lambda r: (r.date, r.start_min))
        days = [r.date for r in rows]
        for d in sorted({x for x in days if days.count(x) > 1}):
            v.append(Violation("one_shift_per_day", eid, day_label(d), "more than one shift"))
        week_min: dict[int, int] = defaultdict(int)
        for r in rows:
            week_min[P.week_of(r.date)] += r.paid_min
        for w, m in sorted(week_min.items()):
            if m > P.week_cap_min:
                v.append(Violation("weekly_hours_limit", eid, f"week {w + 1}",
                                   f"{m / 60:g} h paid > {P.labour.max_weekly_hours:g} h"))
        total = sum(week_min.values())
        cap = P.avg_cap_min(emps[eid])
        if total > cap:
            v.append(Violation("average_hours_limit", eid, "horizon",
                               f"{total / 60:g} h paid > {cap / 60:g} h allowed "
                               f"({P.n_days} days at the weekly average)"))
        for a, b in itertools.pairwise(rows):
            gap = (b.date - a.date).days * 1440 + b.start_min - a.end_min
            if (b.date - a.date).days > 0 and gap < P.rest_min:
                v.append(Violation("min_rest", eid,
                                   f"{day_label(a.date)} → {day_label(b.date)}",
                                   f"rest {gap / 60:g} h < {P.labour.min_rest_hours:g} h"))
        worked = set(days)
        run, start = 0, None
        for d in P.dates:
            if d in worked:
                run, start = run + 1, start or d
                if run == P.labour.max_consecutive_days + 1:
                    v.append(Violation("max_consecutive_days", eid,
                                       f"from {day_label(start)}",
                                       f"more than {P.labour.max_consecutive_days} days in a row"))
            else:
                run, start = 0, None
        for wk, wdays in enumerate(P.weeks):
            if len(wdays) == 7:
                off = sum(d not in worked for d in wdays)
                if off < P.labour.min_days_off_per_week:
                    v.append(Violation("min_days_off", eid, f"week {wk + 1}",
                                       f"{off} days off < {P.labour.min_days_off_per_week}"))

    # coverage, duty manager
    iv = P.interval_min
    by_day: dict[dt.date, list[RosterRow]] = defaultdict(list)
    for r in roster.rows:
        by_day[r.date].append(r)
    cov_rows = []
    under = over = 0
    dm_missing = 0
    dm_ids = {e.id for e in P.duty_managers}
    for d in P.dates:
        templates = [(r.post, r.template, r.employee) for r in by_day.get(d, [])]
        for p in P.posts:
            req = P.required[(d, p)]
            for k, t0 in enumerate(P.grid):
                n = sum(1 for post, t, _ in templates if post == p and t.covers(t0, iv))
                cov_rows.append((d, p, t0, req[k], n))
                if p in P.capacity and n > P.capacity[p]:
                    v.append(Violation("physical_counters", post_label(p),
                                       f"{day_label(d)} {clock(t0)}",
                                       f"{n} at the post, {P.capacity[p]} counters"))
                under += under_cost(req[k] - n, P.weights.under_coverage)
                over += max(n - req[k], 0)
        gaps = [t0 for t0 in P.grid if dm_ids and
                not any(eid in dm_ids and t.on_site(t0, iv) for _, t, eid in templates)]
        dm_missing += len(gaps)
        for a, b in _runs(gaps, iv):
            v.append(Violation("duty_manager_on_site", "duty managers",
                               f"{day_label(d)} {clock(a)}–{clock(b)}",
                               "no duty manager on site while the hall is open"))
    coverage = pd.DataFrame(cov_rows, columns=["date", "post", "interval_start_min",
                                               "required", "staffed"])
    coverage.attrs["interval_min"] = iv

    W = P.weights
    working = {(r.employee, r.date) for r in roster.rows}
    weekend = [sum(1 for r in rows_by_emp.get(e.id, []) if P.is_weekend(r.date))
               for e in P.employees]
    evening = [sum(1 for r in rows_by_emp.get(e.id, []) if P.is_evening(r.template))
               for e in P.employees]
    hours = [sum(r.paid_min for r in rows_by_emp.get(e.id, [])) for e in P.employees]
    missing_on_call = 0
    on_call = set(roster.on_call)
    for d in sorted(P.reserve_dates):
        ok = sum(1 for e in P.employees if (e.id, d) in on_call and (e.id, d) not in working
                 and P.available(e, d))
        missing_on_call += max(P.reserve_size - ok, 0)

    def spread(xs: list[int]) -> int:
        return max(xs) - min(xs) if xs else 0

    terms = {
        "under_coverage": float(under),
        "over_coverage": float(W.over_coverage * over),
        "paid_hours": float(W.paid_minute * sum(r.paid_min for r in roster.rows)),
        "weekend_spread": float(W.weekend_spread * spread(weekend)),
        "evening_spread": float(W.evening_spread * spread(evening)),
        "hours_spread": float(W.hours_spread * spread(hours)),
        "missing_on_call": float(W.missing_on_call * missing_on_call),
        "no_duty_manager": float(W.no_duty_manager * dm_missing),
    }
    idle, why_short = idle_qualified(roster, P)
    return CheckReport(tuple(v), terms, coverage, tuple(idle), why_short)


def _runs(starts: list[int], iv: int) -> list[tuple[int, int]]:
    """Merge interval starts into (from, to) runs."""
    out: list[tuple[int, int]] = []
    for s in starts:
        if out and out[-1][1] == s:
            out[-1] = (out[-1][0], s + iv)
        else:
            out.append((s, s + iv))
    return out


# ---------------------------------------------------------------------------- planner's rule
def _day_blocker(P: RosterProblem, e, d: dt.date, mine: dict[dt.date, RosterRow]) -> str | None:
    """The labour rule that keeps ``e`` (off on ``d``) from working that day at all, or None.
    Recomputed from the rows, independently of the repair's bookkeeping."""
    if not P.available(e, d):
        return "on leave or unavailable"
    worked = set(mine) | {d}
    run = best = 0
    for x in P.dates:
        run = run + 1 if x in worked else 0
        best = max(best, run)
    if best > P.labour.max_consecutive_days:
        return f"{P.labour.max_consecutive_days} days in a row"
    week = P.weeks[P.week_of(d)]
    if len(week) == 7 and sum(x in worked for x in week) > 7 - P.labour.min_days_off_per_week:
        return "weekly day off"
    return None


def _shift_blocker(P: RosterProblem, e, d: dt.date, t, mine: dict[dt.date, RosterRow]
                   ) -> str | None:
    """The hours or rest rule that stops ``e`` working template ``t`` on ``d``, or None."""
    week = set(P.weeks[P.week_of(d)])
    if sum(r.paid_min for x, r in mine.items() if x in week) + t.paid_min > P.week_cap_min:
        return f"weekly cap ({P.labour.max_weekly_hours:g} h)"
    if sum(r.paid_min for r in mine.values()) + t.paid_min > P.avg_cap_min(e):
        return f"{P.labour.max_avg_weekly_hours:g}-hour average"
    prev, nxt = mine.get(d - dt.timedelta(days=1)), mine.get(d + dt.timedelta(days=1))
    if prev is not None and 1440 - prev.end_min + t.arrival_min < P.rest_min:
        return f"{P.labour.min_rest_hours:g}-h rest"
    if nxt is not None and 1440 - t.end_min + nxt.start_min < P.rest_min:
        return f"{P.labour.min_rest_hours:g}-h rest"
    return None


def idle_qualified(roster: Roster, problem: RosterProblem
                   ) -> tuple[list[Violation], pd.DataFrame]:
    """The planner's rule: **no post is short while a staff member qualified for it is off, or
    at another post where leaving uncovers less than it covers, and the labour rules would let
    them fill it.**

    For every short (date, post, interval) this looks at each qualified employee:

    * off that day — is there an allowed template covering the interval, with a free counter
      through it, that the labour rules allow (one shift a day, weekly cap, 40-hour average,
      consecutive days, weekly day off, minimum rest)? If so: ``idle_qualified_staff``;
    * working a shift that covers the interval at another post — would switching that shift to
      the short post cover more short intervals than it uncovers there, with a free counter?
      If so: ``qualified_at_other_post``.

    Returns the violations and, for every short cell, why nobody could fill it (the binding
    rule per qualified employee, counted), so a roster that leaves a post short says why."""
    P, iv = problem, problem.interval_min
    by_emp: dict[str, dict[dt.date, RosterRow]] = defaultdict(dict)
    cov: dict[tuple[dt.date, str], list[int]] = {}
    for r in roster.rows:
        by_emp[r.employee][r.date] = r
        c = cov.setdefault((r.date, r.post), [0] * len(P.grid))
        for k, t0 in enumerate(P.grid):
            if r.template.covers(t0, iv):
                c[k] += 1

    def counters_free(d, p, t) -> bool:
        cap = P.capacity.get(p)
        c = cov.get((d, p), [0] * len(P.grid))
        return cap is None or all(c[k] < cap for k, t0 in enumerate(P.grid)
                                  if t.covers(t0, iv))

    def net_switch(d, p, q, t) -> int:
        cp, cq = cov.get((d, p), [0] * len(P.grid)), cov.get((d, q), [0] * len(P.grid))
        rp, rq = P.required[(d, p)], P.required[(d, q)]
        ks = [k for k, t0 in enumerate(P.grid) if t.covers(t0, iv)]
        return sum(cp[k] < rp[k] for k in ks) - sum(cq[k] <= rq[k] for k in ks)

    violations: list[Violation] = []
    reasons_rows = []
    for (d, p), req in sorted(P.required.items()):
        c = cov.get((d, p), [0] * len(P.grid))
        for k, t0 in enumerate(P.grid):
            if c[k] >= req[k]:
                continue
            when = f"{day_label(d)} {clock(t0)}"
            reasons: dict[str, int] = defaultdict(int)
            found = None
            options = [t for t in P.templates if t.covers(t0, iv)]
            free = {t: counters_free(d, p, t) for t in options}
            for e in P.employees:
                if not P.eligible(e, p):
                    continue
                mine = by_emp.get(e.id, {})
                r = mine.get(d)
                if r is not None:
                    if r.post == p:
                        reasons["already at this post"] += 1
                    elif not r.template.covers(t0, iv):
                        reasons["on a shift that does not cover this time"] += 1
                    elif not counters_free(d, p, r.template):
                        reasons["no free counter"] += 1
                    elif net_switch(d, p, r.post, r.template) > 0:
                        found = Violation("qualified_at_other_post", e.id, when,
                                          f"{post_label(p)} short ({c[k]} of {req[k]}) while "
                                          f"{e.id} is at {post_label(r.post)}; switching covers "
                                          "more than it uncovers")
                        break
                    else:
                        reasons[f"needed at {post_label(r.post)}"] += 1
                    continue
                day_why = _day_blocker(P, e, d, mine)
                if day_why is not None:
                    reasons[day_why] += 1
                    continue
                blockers = set()
                # shortest first: if the shortest shift breaks an hours cap, so do the rest
                for t in sorted(options, key=lambda t: t.paid_min):
                    if not free[t]:
                        blockers.add("no free counter")
                        continue
                    why = _shift_blocker(P, e, d, t, mine)
                    if why is None:
                        found = Violation("idle_qualified_staff", e.id, when,
                                          f"{post_label(p)} short ({c[k]} of {req[k]}) while "
                                          f"{e.id} is off and could work {t.label()}")
                        break
                    blockers.add(why)
                if found is not None:
                    break
                reasons[sorted(blockers)[0] if blockers else "no allowed shift"] += 1
            if found is not None:
                violations.append(found)
            else:
                reasons_rows.append((d, p, t0, req[k], c[k], "; ".join(
                    f"{n} {why}" for why, n in sorted(reasons.items(), key=lambda x: -x[1]))))
    table = pd.DataFrame(reasons_rows, columns=["date", "post", "interval_start_min",
                                                "required", "staffed", "why_not_filled"])
    return violations, table

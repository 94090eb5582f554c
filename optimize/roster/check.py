"""Independent roster checker: the specification of a valid roster (no ortools import).

:func:`check_roster` runs the check of every rule in :mod:`~hallplan.optimize.roster.registry`
on a :class:`~hallplan.optimize.roster.solution.Roster`: the hard rules give violations, the
soft ones the recomputed value of their named objective term, the planner's rule the short
posts someone could have filled. It runs after every solve, in every test, and on rosters that
planners edit by hand. Each ``check_<rule id>`` reads the roster through one shared
:class:`RosterIndex` and returns a :class:`Finding`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from hallplan.optimize.roster import registry as reg
from hallplan.optimize.roster.problem import RosterProblem, day_label, post_label
from hallplan.optimize.roster.solution import Roster, RosterRow
from hallplan.optimize.roster.templates import clock, template_problems

#: The hard rules, in the order they are checked (ids from the registry).
HARD_RULES = reg.HARD_RULES


@dataclass(frozen=True)
class Violation:
    rule: str
    who: str
    when: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.who}, {self.when}: {self.message}"


@dataclass(frozen=True)
class Finding:
    """What one rule's check found: its violations and the value of its penalty term
    (weight included; 0 for a rule that is not priced)."""

    violations: tuple[Violation, ...] = ()
    penalty: float = 0.0


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
        return [v for v in (*self.violations, *self.idle) if v.rule == rule]


def under_cost(gap: int, w: tuple[int, int, int]) -> int:
    """Convex under-coverage cost of ``gap`` missing people in one interval."""
    g = max(gap, 0)
    return w[0] * min(g, 1) + w[1] * min(max(g - 1, 0), 1) + w[2] * max(g - 2, 0)


def check_roster(roster: Roster, problem: RosterProblem) -> CheckReport:
    """Every rule of the registry checked on ``roster``."""
    ix = RosterIndex(roster, problem)
    found = {r.id: r.checker()(ix) for r in reg.RULES}
    violations = tuple(v for r in reg.RULES if r.kind == "hard" for v in found[r.id].violations)
    idle = tuple(v for r in reg.RULES if r.kind == "planner" for v in found[r.id].violations)
    terms = {rid: float(found[rid].penalty) for rid in reg.PRICED_RULES}
    return CheckReport(violations, terms, ix.coverage_frame(), idle, ix.idle[1])


class RosterIndex:
    """The roster indexed once for the rule checks (rows per employee and day, coverage)."""

    def __init__(self, roster: Roster, problem: RosterProblem):
        P = self.P = problem
        self.roster = roster
        self.emps = {e.id: e for e in P.employees}
        dates = set(P.dates)
        #: rows naming a known employee, post and date; the others
        self.known: list[RosterRow] = []
        self.unknown: list[RosterRow] = []
        for r in roster.rows:
            ok = r.employee in self.emps and r.post in P.posts and r.date in dates
            (self.known if ok else self.unknown).append(r)
        #: known rows per employee, by date and start
        self.by_emp: dict[str, list[RosterRow]] = defaultdict(list)
        for r in self.known:
            self.by_emp[r.employee].append(r)
        for rows in self.by_emp.values():
            rows.sort(key=lambda r: (r.date, r.start_min))

    @cached_property
    def staffed(self) -> dict[tuple[dt.date, str], list[int]]:
        """People at each post per interval, for every roster date and post."""
        iv, grid = self.P.interval_min, self.P.grid
        out = {(d, p): [0] * len(grid) for d in self.P.dates for p in self.P.posts}
        for r in self.roster.rows:
            c = out.get((r.date, r.post))
            if c is not None:
                t = r.template
                for k, t0 in enumerate(grid):
                    if t.covers(t0, iv):
                        c[k] += 1
        return out

    def cells(self):
        """(date, post, interval index, start, required, staffed) for every cell."""
        for d in self.P.dates:
            for p in self.P.posts:
                req, got = self.P.required[(d, p)], self.staffed[(d, p)]
                for k, t0 in enumerate(self.P.grid):
                    yield d, p, k, t0, req[k], got[k]

    def coverage_frame(self) -> pd.DataFrame:
        cov = pd.DataFrame([(d, p, t0, need, n) for d, p, _k, t0, need, n in self.cells()],
                           columns=["date", "post", "interval_start_min", "required",
                                    "staffed"])
        cov.attrs["interval_min"] = self.P.interval_min
        return cov

    def worked(self, eid: str) -> set[dt.date]:
        return {r.date for r in self.by_emp.get(eid, [])}

    def per_employee(self, count) -> list[int]:
        """``count(rows)`` for every employee on the staff list (0 rows for the unrostered)."""
        return [count(self.by_emp.get(e.id, [])) for e in self.P.employees]

    @cached_property
    def idle(self) -> tuple[list[Violation], pd.DataFrame]:
        return idle_qualified(self.roster, self.P)


def _when(r: RosterRow) -> str:
    return f"{day_label(r.date)} {clock(r.start_min)}–{clock(r.end_min)}"


def _finding(violations) -> Finding:
    return Finding(tuple(violations))


# ---------------------------------------------------------------------------- hard rules
def check_known_employee_and_post(ix: RosterIndex) -> Finding:
    return _finding(Violation(reg.KNOWN_EMPLOYEE_AND_POST.id, r.employee, _when(r),
                              f"unknown employee, post {r.post!r} or date outside the roster")
                    for r in ix.unknown)


def check_shift_template(ix: RosterIndex) -> Finding:
    P, rid = ix.P, reg.SHIFT_TEMPLATE.id
    out = []
    for r in ix.known:
        if r.handover_min != P.labour.handover_min:
            out.append(Violation(rid, r.employee, _when(r),
                                 f"handover {r.handover_min} min, rule {P.labour.handover_min}"))
        out += [Violation(rid, r.employee, _when(r), msg) for msg in template_problems(
            r.template, P.labour, P.open_min, P.close_min, P.interval_min)]
    return _finding(out)


def check_physical_counters(ix: RosterIndex) -> Finding:
    cap = ix.P.capacity
    return _finding(Violation(reg.PHYSICAL_COUNTERS.id, post_label(p),
                              f"{day_label(d)} {clock(t0)}", f"{n} at the post, {cap[p]} counters")
                    for d, p, _k, t0, _need, n in ix.cells() if p in cap and n > cap[p])


def check_one_shift_per_day(ix: RosterIndex) -> Finding:
    out = []
    for eid, rows in ix.by_emp.items():
        days = [r.date for r in rows]
        out += [Violation(reg.ONE_SHIFT_PER_DAY.id, eid, day_label(d), "more than one shift")
                for d in sorted({x for x in days if days.count(x) > 1})]
    return _finding(out)


def check_skill_eligibility(ix: RosterIndex) -> Finding:
    return _finding(Violation(reg.SKILL_ELIGIBILITY.id, r.employee, _when(r),
                              f"works {post_label(r.post)} without the {r.post!r} skill")
                    for r in ix.known if not ix.P.eligible(ix.emps[r.employee], r.post))


def check_leave_and_unavailability(ix: RosterIndex) -> Finding:
    return _finding(Violation(reg.LEAVE_AND_UNAVAILABILITY.id, r.employee, _when(r),
                              "rostered on a leave day or an unavailable weekday")
                    for r in ix.known if not ix.P.available(ix.emps[r.employee], r.date))


def check_weekly_hours_limit(ix: RosterIndex) -> Finding:
    P = ix.P
    out = []
    for eid, rows in ix.by_emp.items():
        week_min: dict[int, int] = defaultdict(int)
        for r in rows:
            week_min[P.week_of(r.date)] += r.paid_min
        out += [Violation(reg.WEEKLY_HOURS_LIMIT.id, eid, f"week {w + 1}",
                          f"{m / 60:g} h paid > {P.labour.max_weekly_hours:g} h")
                for w, m in sorted(week_min.items()) if m > P.week_cap_min]
    return _finding(out)


def check_average_hours_limit(ix: RosterIndex) -> Finding:
    P = ix.P
    out = []
    for eid, rows in ix.by_emp.items():
        total, cap = sum(r.paid_min for r in rows), P.avg_cap_min(ix.emps[eid])
        if total > cap:
            out.append(Violation(reg.AVERAGE_HOURS_LIMIT.id, eid, "horizon",
                                 f"{total / 60:g} h paid > {cap / 60:g} h allowed "
                                 f"({P.n_days} days at the weekly average)"))
    return _finding(out)


def check_min_rest(ix: RosterIndex) -> Finding:
    P = ix.P
    out = []
    for eid, rows in ix.by_emp.items():
        for a, b in itertools.pairwise(rows):
            gap = (b.date - a.date).days * 1440 + b.start_min - a.end_min
            if (b.date - a.date).days > 0 and gap < P.rest_min:
                out.append(Violation(reg.MIN_REST.id, eid,
                                     f"{day_label(a.date)} → {day_label(b.date)}",
                                     f"rest {gap / 60:g} h < {P.labour.min_rest_hours:g} h"))
    return _finding(out)


def check_max_consecutive_days(ix: RosterIndex) -> Finding:
    """One violation per run of worked days longer than the limit, named by its first day."""
    k = ix.P.labour.max_consecutive_days
    runs = ((eid, list(days)) for eid in ix.by_emp
            for on, days in itertools.groupby(ix.P.dates, key=ix.worked(eid).__contains__) if on)
    return _finding(Violation(reg.MAX_CONSECUTIVE_DAYS.id, eid, f"from {day_label(days[0])}",
                              f"more than {k} days in a row")
                    for eid, days in runs if len(days) > k)


def check_min_days_off(ix: RosterIndex) -> Finding:
    need = ix.P.labour.min_days_off_per_week
    out = []
    for eid in ix.by_emp:
        worked = ix.worked(eid)
        for wk, wdays in enumerate(ix.P.weeks):
            off = sum(d not in worked for d in wdays)
            if len(wdays) == 7 and off < need:
                out.append(Violation(reg.MIN_DAYS_OFF.id, eid, f"week {wk + 1}",
                                     f"{off} days off < {need}"))
    return _finding(out)


def check_duty_manager_on_site(ix: RosterIndex) -> Finding:
    """A gap is a violation and, priced per open interval, the rule's term."""
    P, iv = ix.P, ix.P.interval_min
    dm_ids = {e.id for e in P.duty_managers}
    if not dm_ids:  # a staff list without duty managers: the rule does not apply
        return Finding()
    on_site: dict[dt.date, list] = defaultdict(list)
    for r in ix.roster.rows:
        if r.employee in dm_ids:
            on_site[r.date].append(r.template)
    out, missing = [], 0
    for d in P.dates:
        gaps = [t0 for t0 in P.grid if not any(t.on_site(t0, iv) for t in on_site[d])]
        missing += len(gaps)
        out += [Violation(reg.DUTY_MANAGER_ON_SITE.id, "duty managers",
                          f"{day_label(d)} {clock(a)}–{clock(b)}",
                          "no duty manager on site while the hall is open")
                for a, b in _runs(gaps, iv)]
    return Finding(tuple(out), float(P.weights.no_duty_manager * missing))


# ---------------------------------------------------------------------------- soft rules
def check_under_coverage(ix: RosterIndex) -> Finding:
    P = ix.P
    return Finding(penalty=float(sum(under_cost(need - n, P.under_weights(d, p, k))
                                     for d, p, k, _t0, need, n in ix.cells())))


def check_over_coverage(ix: RosterIndex) -> Finding:
    over = sum(max(n - need, 0) for *_, need, n in ix.cells())
    return Finding(penalty=float(ix.P.weights.over_coverage * over))


def check_paid_hours(ix: RosterIndex) -> Finding:
    paid = sum(r.paid_min for r in ix.roster.rows)
    return Finding(penalty=float(ix.P.weights.paid_minute * paid))


def _spread(xs: list[int]) -> int:
    return max(xs) - min(xs) if xs else 0


def check_weekend_spread(ix: RosterIndex) -> Finding:
    n = ix.per_employee(lambda rows: sum(1 for r in rows if ix.P.is_weekend(r.date)))
    return Finding(penalty=float(ix.P.weights.weekend_spread * _spread(n)))


def check_evening_spread(ix: RosterIndex) -> Finding:
    n = ix.per_employee(lambda rows: sum(1 for r in rows if ix.P.is_evening(r.template)))
    return Finding(penalty=float(ix.P.weights.evening_spread * _spread(n)))


def check_hours_spread(ix: RosterIndex) -> Finding:
    paid = ix.per_employee(lambda rows: sum(r.paid_min for r in rows))
    return Finding(penalty=float(ix.P.weights.hours_spread * _spread(paid)))


def check_missing_on_call(ix: RosterIndex) -> Finding:
    """On each reserve date: available staff on call and off duty, short of the reserve."""
    P = ix.P
    working = {(r.employee, r.date) for r in ix.roster.rows}
    on_call = set(ix.roster.on_call)
    missing = 0
    for d in sorted(P.reserve_dates):
        ok = sum(1 for e in P.employees if (e.id, d) in on_call and (e.id, d) not in working
                 and P.available(e, d))
        missing += max(P.reserve_size - ok, 0)
    return Finding(penalty=float(P.weights.missing_on_call * missing))


# ---------------------------------------------------------------------------- planner's rule
def check_idle_qualified_staff(ix: RosterIndex) -> Finding:
    return _finding(v for v in ix.idle[0] if v.rule == reg.IDLE_QUALIFIED_STAFF.id)


def check_qualified_at_other_post(ix: RosterIndex) -> Finding:
    return _finding(v for v in ix.idle[0] if v.rule == reg.QUALIFIED_AT_OTHER_POST.id)


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
                        found = Violation(reg.QUALIFIED_AT_OTHER_POST.id, e.id, when,
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
                        found = Violation(reg.IDLE_QUALIFIED_STAFF.id, e.id, when,
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

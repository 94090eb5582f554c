"""One helper per roster rule, named after it. Each takes ``(model, problem, V)`` and either
adds hard constraints or returns named :class:`PenaltyTerm` s (soft rules and the slack of
hard rules that must never fail silently). The assignment models are the list in
:data:`HARD_RULES_ASSIGNMENT` plus the soft terms. Which helper stands for which rule, and the
rule ids the terms carry, come from :mod:`~hallplan.optimize.roster.registry`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ortools.sat.python import cp_model

from hallplan.optimize.roster import registry as reg
from hallplan.optimize.roster.problem import RosterProblem, day_label, post_label
from hallplan.optimize.roster.templates import clock
from hallplan.optimize.roster.vars import AssignmentVars


@dataclass(frozen=True)
class PenaltyTerm:
    """``weight × var`` in the objective; ``rule``/``who``/``when`` explain it in words."""

    rule: str
    who: str
    when: str
    var: cp_model.LinearExprT
    weight: int

    def value(self, solver: cp_model.CpSolver) -> float:
        return float(solver.value(self.var))


def objective(terms: list[PenaltyTerm]) -> cp_model.LinearExprT:
    return sum(t.weight * t.var for t in terms)


# ---------------------------------------------------------------------------- hard rules
def add_one_shift_per_day(model: cp_model.CpModel, P: RosterProblem, V: AssignmentVars) -> None:
    for e in P.employees:
        for d in P.dates:
            vs = [v for _, v in V.on(e.id, d)]
            if len(vs) > 1:
                model.add_at_most_one(vs)


def add_skill_eligibility(model: cp_model.CpModel, P: RosterProblem, V: AssignmentVars) -> None:
    emps = {e.id: e for e in P.employees}
    for (eid, _d, _ti, p), v in V.items():
        if not P.eligible(emps[eid], p):
            model.add(v == 0)


def add_leave_and_unavailability(model: cp_model.CpModel, P: RosterProblem,
                                 V: AssignmentVars) -> None:
    emps = {e.id: e for e in P.employees}
    for (eid, d, _ti, _p), v in V.items():
        if not P.available(emps[eid], d):
            model.add(v == 0)


def add_weekly_hours_limit(model: cp_model.CpModel, P: RosterProblem, V: AssignmentVars) -> None:
    for e in P.employees:
        for days in P.weeks:
            model.add(V.paid_min(e.id, days) <= P.week_cap_min)


def add_average_hours_limit(model: cp_model.CpModel, P: RosterProblem,
                            V: AssignmentVars) -> None:
    for e in P.employees:
        model.add(V.paid_min(e.id, P.dates) <= P.avg_cap_min(e))


def add_min_rest(model: cp_model.CpModel, P: RosterProblem, V: AssignmentVars) -> None:
    """Clique cuts: for every end time τ on day d, shifts ending ≥ τ and next-day shifts
    arriving before τ + rest − 24 h are pairwise incompatible (at most one of them)."""
    T = P.templates
    for e in P.employees:
        for d0, d1 in zip(P.dates, P.dates[1:], strict=False):
            today, tomorrow = V.on(e.id, d0), V.on(e.id, d1)
            if not today or not tomorrow:
                continue
            for tau in sorted({T[ti].end_min for (ti, _), _ in today}):
                late = [v for (ti, _), v in today if T[ti].end_min >= tau]
                early = [v for (ti, _), v in tomorrow
                         if T[ti].arrival_min + 1440 - tau < P.rest_min]
                if late and early:
                    model.add_at_most_one(late + early)


def add_max_consecutive_days(model: cp_model.CpModel, P: RosterProblem,
                             V: AssignmentVars) -> None:
    k = P.labour.max_consecutive_days
    for e in P.employees:
        for s in range(len(P.dates) - k):
            window = P.dates[s:s + k + 1]
            model.add(sum(V.works(e.id, d) for d in window) <= k)


def add_min_days_off(model: cp_model.CpModel, P: RosterProblem, V: AssignmentVars) -> None:
    off = P.labour.min_days_off_per_week
    for e in P.employees:
        for days in P.weeks:
            if len(days) == 7 and off:
                model.add(sum(V.works(e.id, d) for d in days) <= 7 - off)


def add_duty_manager_on_site(model: cp_model.CpModel, P: RosterProblem,
                             V: AssignmentVars) -> list[PenaltyTerm]:
    """Hard rule with an explicit slack: an uncovered interval is reported (and raised on).
    Not applied when the staff list has no duty manager at all."""
    T, iv = P.templates, P.interval_min
    dms = {e.id for e in P.duty_managers}
    terms: list[PenaltyTerm] = []
    if not dms:  # a staff list without duty managers: the rule does not apply
        return terms
    for d in P.dates:
        dm_vars = [(T[ti], v) for eid, (ti, _), v in V.day(d) if eid in dms]
        for t0 in P.grid:
            on = [v for t, v in dm_vars if t.on_site(t0, iv)]
            gap = model.new_bool_var(f"no_duty_manager({d},{t0})")
            model.add(sum(on) + gap >= 1)
            terms.append(PenaltyTerm(reg.DUTY_MANAGER_ON_SITE.id, "duty managers",
                                     f"{day_label(d)} {clock(t0)}", gap,
                                     P.weights.no_duty_manager))
    return terms


# ---------------------------------------------------------------------------- soft rules
def add_physical_counters(model: cp_model.CpModel, P: RosterProblem, V: AssignmentVars) -> None:
    """At most as many people at a post as it has counters (greeter posts for greeters), in
    every interval: the hall cannot seat more, however high the requirement."""
    iv = P.interval_min
    for d in P.dates:
        by_post: dict[str, list] = {}
        for _eid, (ti, p), v in V.day(d):
            by_post.setdefault(p, []).append((P.templates[ti], v))
        for p, cap in P.capacity.items():
            for t0 in P.grid:
                at_post = [v for t, v in by_post.get(p, []) if t.covers(t0, iv)]
                if len(at_post) > cap:
                    model.add(sum(at_post) <= cap)


def add_cover_requirement(model: cp_model.CpModel, P: RosterProblem,
                          V: AssignmentVars) -> list[PenaltyTerm]:
    """Under-coverage (convex: 1st, 2nd, further missing person) and over-coverage."""
    T, iv, W = P.templates, P.interval_min, P.weights
    terms = []
    for d in P.dates:
        by_post: dict[str, list] = {}
        for _eid, (ti, p), v in V.day(d):
            by_post.setdefault(p, []).append((T[ti], v))
        for p in P.posts:
            req = P.required[(d, p)]
            for k, t0 in enumerate(P.grid):
                cov = sum(v for t, v in by_post.get(p, []) if t.covers(t0, iv))
                terms += _gap_terms(model, P, d, p, t0, req[k], cov, W, k)
    return terms


def _gap_terms(model, P, d, p, t0, need, cov, W, k) -> list[PenaltyTerm]:
    where = f"{day_label(d)} {clock(t0)}"
    who = post_label(p)
    terms = []
    if need > 0:
        u1 = model.new_int_var(0, 1, f"under1({d},{p},{t0})")
        u2 = model.new_int_var(0, 1, f"under2({d},{p},{t0})")
        u3 = model.new_int_var(0, max(need - 2, 0), f"under3({d},{p},{t0})")
        model.add(cov + u1 + u2 + u3 >= need)
        terms += [PenaltyTerm(reg.UNDER_COVERAGE.id, who, where, u, w)
                  for u, w in zip((u1, u2, u3), P.under_weights(d, p, k), strict=True)]
    over = model.new_int_var(0, len(P.employees), f"over({d},{p},{t0})")
    model.add(over >= cov - need)
    terms.append(PenaltyTerm(reg.OVER_COVERAGE.id, who, where, over, W.over_coverage))
    return terms


def add_paid_hours_cost(model: cp_model.CpModel, P: RosterProblem,
                        V: AssignmentVars) -> list[PenaltyTerm]:
    total = sum(P.templates[ti].paid_min * v for (_e, _d, ti, _p), v in V.items())
    return [PenaltyTerm(reg.PAID_HOURS.id, "all staff", "horizon", total, P.weights.paid_minute)]


def _spread(model: cp_model.CpModel, values: list, ub: int, name: str):
    hi = model.new_int_var(0, ub, f"{name}_max")
    lo = model.new_int_var(0, ub, f"{name}_min")
    for x in values:
        model.add(hi >= x)
        model.add(lo <= x)
    return hi - lo


def add_fairness(model: cp_model.CpModel, P: RosterProblem,
                 V: AssignmentVars) -> list[PenaltyTerm]:
    """Spread (max − min over all employees) of weekend shifts, evening shifts and paid hours."""
    T, W = P.templates, P.weights
    weekend = [sum(V.works(e.id, d) for d in P.dates if P.is_weekend(d)) for e in P.employees]
    evening = [sum(v for d in P.dates for (ti, _), v in V.on(e.id, d) if P.is_evening(T[ti]))
               for e in P.employees]
    hours = [V.paid_min(e.id, P.dates) for e in P.employees]
    n = P.n_days
    return [
        PenaltyTerm(reg.WEEKEND_SPREAD.id, "all staff", "horizon",
                    _spread(model, weekend, n, "weekend"), W.weekend_spread),
        PenaltyTerm(reg.EVENING_SPREAD.id, "all staff", "horizon",
                    _spread(model, evening, n, "evening"), W.evening_spread),
        PenaltyTerm(reg.HOURS_SPREAD.id, "all staff", "horizon",
                    _spread(model, hours, n * 24 * 60, "hours"), W.hours_spread),
    ]


def add_on_call_reserve(model: cp_model.CpModel, P: RosterProblem, V: AssignmentVars
                        ) -> tuple[list[PenaltyTerm], dict[tuple[str, dt.date], cp_model.IntVar]]:
    """On reserve dates (holidays, launches) keep ``reserve_size`` available staff off duty
    and on call."""
    terms, on_call = [], {}
    for d in sorted(P.reserve_dates):
        picks = []
        for e in P.employees:
            if not P.available(e, d):
                continue
            r = model.new_bool_var(f"on_call({e.id},{d})")
            model.add(r + V.works(e.id, d) <= 1)
            on_call[(e.id, d)] = r
            picks.append(r)
        miss = model.new_int_var(0, P.reserve_size, f"missing_on_call({d})")
        model.add(sum(picks) + miss >= P.reserve_size)
        model.add(sum(picks) <= P.reserve_size)
        terms.append(PenaltyTerm(reg.MISSING_ON_CALL.id, "on-call reserve", day_label(d), miss,
                                 P.weights.missing_on_call))
    return terms, on_call


#: The hard rules every assignment model adds as constraints, in the registry's order (the
#: duty-manager rule, which has a priced slack, and the rules kept by construction in the
#: variables are not in it).
HARD_RULES_ASSIGNMENT = tuple(
    r.model_part() for r in reg.RULES
    if r.kind == "hard" and r.weight is None and r.model.startswith("rules:"))


def add_fill_planned_shifts(model: cp_model.CpModel, P: RosterProblem, V: AssignmentVars,
                            counts: dict[tuple[dt.date, int, str], int],
                            post_weight: dict[str, float] | None = None) -> list[PenaltyTerm]:
    """Stage 2: staff the shifts stage 1 planned. A shift nobody can take is a slack unit
    charged like the under-coverage it causes (first-person weight × intervals it covers),
    times ``post_weight[post]`` if given (the duty managers' step favours scarce posts)."""
    T, iv = P.templates, P.interval_min
    assigned: dict[tuple[dt.date, int, str], list] = {}
    for (_eid, d, ti, p), v in V.items():
        assigned.setdefault((d, ti, p), []).append(v)
    terms = []
    for (d, ti, p), n in sorted(counts.items()):
        if n <= 0:
            continue
        slack = model.new_int_var(0, n, f"unstaffed({d},{ti},{p})")
        model.add(sum(assigned.get((d, ti, p), [])) + slack == n)
        req = P.required[(d, p)]
        weight = max(P.weights.under_coverage[0], sum(
            P.under_weights(d, p, k)[0] for k, t0 in enumerate(P.grid)
            if req[k] > 0 and T[ti].covers(t0, iv)))
        if post_weight:
            weight = max(1, round(weight * post_weight.get(p, 1.0)))
        terms.append(PenaltyTerm(reg.UNSTAFFED_SHIFT, post_label(p),
                                 f"{day_label(d)} {T[ti].label()}", slack, weight))
    return terms

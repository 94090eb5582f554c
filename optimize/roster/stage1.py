"""Stage 1 of the two-stage formulation: integer shift counts per (date, template, post).

``n[d, t, p]`` = how many people work template ``t`` at post ``p`` on date ``d``. Covering the
requirement with counts is a classic shift-covering integer programme whose LP bound is tight
(no employee symmetry), so CP-SAT closes it quickly. To keep stage 2 able to staff what
stage 1 plans, stage 1 also carries *necessary* capacity conditions of the labour rules
(Hall-type conditions over every subset of posts):

* per date: shifts at posts in S ≤ employees available that day who can work some post in S;
* per week: shifts at S ≤ their available working days (minus the weekly days off);
  paid minutes at S ≤ their weekly hour caps;
* per horizon: paid minutes at S ≤ their average-hours caps;
* duty manager: ``y[d, t, p] ≤ n[d, t, p]`` marks shifts a duty manager will take; they keep a
  duty manager on site through opening hours, within the managers' own capacity.

With ``strict=True`` coverage has no slack; every coverage and capacity constraint is
enforced by an assumption literal so an infeasible instance yields a core for the diagnosis.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from hallplan.optimize.roster import registry as reg
from hallplan.optimize.roster.config import SolverConfig, WorkLedger, make_solver
from hallplan.optimize.roster.groups import week_capacity
from hallplan.optimize.roster.problem import RosterProblem, day_label, post_label
from hallplan.optimize.roster.rules import PenaltyTerm, _gap_terms
from hallplan.optimize.roster.solution import Roster
from hallplan.optimize.roster.templates import clock

DayCaps = dict[tuple[dt.date, tuple[str, ...]], tuple[int, int]]


@dataclass
class ShiftCountModel:
    model: cp_model.CpModel
    n: dict[tuple[dt.date, int, str], cp_model.IntVar]
    y: dict[tuple[dt.date, int, str], cp_model.IntVar]
    terms: list[PenaltyTerm]
    #: assumption literal → a planner-readable description of the constraint it enforces
    assumptions: dict[int, tuple[str, tuple]] = field(default_factory=dict)
    literals: list[cp_model.IntVar] = field(default_factory=list)

    def hint(self, roster: Roster, P: RosterProblem) -> None:
        index = {t: k for k, t in enumerate(P.templates)}
        counts: dict[tuple, int] = {}
        for r in roster.rows:
            k = index.get(r.template)
            if k is not None:
                counts[(r.date, k, r.post)] = counts.get((r.date, k, r.post), 0) + 1
        for key, v in self.n.items():
            self.model.add_hint(v, counts.get(key, 0))


def _subsets(posts):
    for r in range(1, len(posts) + 1):
        yield from itertools.combinations(posts, r)


def build_shift_counts(P: RosterProblem, strict: bool = False, duty_manager: bool = True,
                       days: Sequence[dt.date] | None = None,
                       aggregate: bool = True, day_caps: DayCaps | None = None
                       ) -> ShiftCountModel:
    """Stage-1 model over ``days`` (default: all); ``aggregate=False`` drops the weekly and
    horizon capacity conditions (the per-day decomposition checks them afterwards, and
    passes ``day_caps`` — (date, post subset) → (max shifts, max paid minutes) — that share
    a broken weekly/horizon capacity out over its days)."""
    m = cp_model.CpModel()
    dates = tuple(days) if days is not None else P.dates
    T, iv, W = P.templates, P.interval_min, P.weights
    S = ShiftCountModel(m, {}, {}, [])

    def guard(kind: str, info: tuple) -> list:
        """Assumption literal for a constraint (strict mode only)."""
        if not strict:
            return []
        lit = m.new_bool_var(f"assume_{kind}{info}")
        S.assumptions[lit.index] = (kind, info)
        S.literals.append(lit)
        return [lit]

    avail = {d: [e for e in P.employees if P.available(e, d)] for d in dates}
    # -- variables: only templates that cover some required interval of their post
    covers = {ti: [k for k, t0 in enumerate(P.grid) if t.covers(t0, iv)]
              for ti, t in enumerate(T)}
    for d in dates:
        for p in P.posts:
            req = P.required[(d, p)]
            cap = sum(P.eligible(e, p) for e in avail[d])
            if cap == 0 or not any(req):
                continue
            for ti in range(len(T)):
                if any(req[k] > 0 for k in covers[ti]):
                    S.n[(d, ti, p)] = m.new_int_var(0, cap, f"n({d},{ti},{p})")
    # -- coverage (cover_requirement)
    by_dp: dict[tuple[dt.date, str], list[list]] = {}
    for (d, ti, p), v in S.n.items():
        slots = by_dp.setdefault((d, p), [[] for _ in P.grid])
        for k in covers[ti]:
            slots[k].append(v)
    for d in dates:
        for p in P.posts:
            req = P.required[(d, p)]
            slots = by_dp.get((d, p), [[] for _ in P.grid])
            for k, t0 in enumerate(P.grid):
                cov = sum(slots[k])
                if p in P.capacity and len(slots[k]) > 0:  # physical counters (hard)
                    m.add(cov <= P.capacity[p])
                if strict:
                    if req[k] > 0:
                        m.add(cov >= req[k]).only_enforce_if(
                            guard("cover", (d, p, t0, req[k])))
                    over = m.new_int_var(0, len(P.employees), f"over({d},{p},{t0})")
                    m.add(over >= cov - req[k])
                    S.terms.append(PenaltyTerm(reg.OVER_COVERAGE.id, post_label(p),
                                               f"{day_label(d)} {clock(t0)}", over,
                                               W.over_coverage))
                else:
                    S.terms += _gap_terms(m, P, d, p, t0, req[k], cov, W, k)
    paid = sum(T[ti].paid_min * v for (_, ti, _), v in S.n.items())
    S.terms.append(PenaltyTerm(reg.PAID_HOURS.id, "all staff", "horizon", paid, W.paid_minute))

    # -- capacity conditions (necessary for stage 2)
    off = P.labour.min_days_off_per_week
    max_paid = max((t.paid_min for t in T), default=0)
    by_day_post: dict[tuple[dt.date, str], list] = {}
    by_day_post_t: dict[tuple[dt.date, str], list] = {}
    for (d, ti, p), v in S.n.items():
        by_day_post.setdefault((d, p), []).append(v)
        by_day_post_t.setdefault((d, p), []).append((ti, v))
    for sub in _subsets(P.posts):
        staff = [e for e in P.employees if any(P.eligible(e, p) for p in sub)]
        staff_ids = {e.id for e in staff}
        for d in dates:
            shifts = [v for p in sub for v in by_day_post.get((d, p), [])]
            k = sum(1 for e in avail[d] if e.id in staff_ids)
            if shifts:
                m.add(sum(shifts) <= k).only_enforce_if(guard("day_headcount", (d, sub, k)))
        for w, days in enumerate(P.weeks if aggregate else ()):
            dayset = set(days)
            keys = [(key, v) for key, v in S.n.items() if key[0] in dayset and key[2] in sub]
            if not keys:
                continue
            cap_days, cap_min = week_capacity(P, staff, days, max_paid)
            m.add(sum(v for _, v in keys) <= cap_days).only_enforce_if(
                guard("week_days", (w, sub, cap_days)))
            m.add(sum(T[key[1]].paid_min * v for key, v in keys) <= cap_min).only_enforce_if(
                guard("week_hours", (w, sub, cap_min)))
        keys = [(key, v) for key, v in S.n.items() if key[2] in sub]
        if keys and aggregate:
            cap = sum(P.avg_cap_min(e) for e in staff)
            m.add(sum(T[key[1]].paid_min * v for key, v in keys) <= cap).only_enforce_if(
                guard("horizon_hours", (sub, cap)))

    for (d, sub), (max_shifts, max_paid) in (day_caps or {}).items():
        keys = [(ti, v) for p in sub for ti, v in by_day_post_t.get((d, p), [])]
        if d in dates and keys:
            m.add(sum(v for _, v in keys) <= max_shifts)
            m.add(sum(T[ti].paid_min * v for ti, v in keys) <= max_paid)

    # -- duty manager on site (y ≤ n marks the duty managers' shifts)
    dms = P.duty_managers
    if duty_manager and dms:
        dm_posts = {p for e in dms for p in P.posts if P.eligible(e, p)}
        for (d, ti, p), v in S.n.items():
            if p in dm_posts:
                y = m.new_int_var(0, len(dms), f"y({d},{ti},{p})")
                m.add(y <= v)
                S.y[(d, ti, p)] = y
        for d in dates:
            ys = [(T[ti], y) for (dd, ti, _), y in S.y.items() if dd == d]
            n_dm = sum(P.available(e, d) for e in dms)
            lit = guard("duty_manager", (d, n_dm))
            for t0 in P.grid:
                m.add(sum(y for t, y in ys if t.on_site(t0, iv)) >= 1).only_enforce_if(lit)
            m.add(sum(y for _, y in ys) <= n_dm).only_enforce_if(lit)
            if not aggregate:  # per-day share of the managers' week and horizon capacity
                week_days = sum(min(7 - off, 7, P.labour.max_consecutive_days) for _ in dms)
                m.add(sum(y for _, y in ys) <= max(week_days // 7, 1))
                m.add(sum(t.paid_min * y for t, y in ys)
                      <= sum(P.avg_cap_min(e) for e in dms) // P.n_days)
        for w, days in enumerate(P.weeks if aggregate else ()):
            dayset = set(days)
            keys = [(key, y) for key, y in S.y.items() if key[0] in dayset]
            cap_days, cap_min = week_capacity(P, dms, days, max_paid)
            lit = guard("duty_manager_week", (w, cap_days, cap_min))
            m.add(sum(y for _, y in keys) <= cap_days).only_enforce_if(lit)
            m.add(sum(T[k[1]].paid_min * y for k, y in keys) <= cap_min).only_enforce_if(lit)
        cap = sum(P.avg_cap_min(e) for e in dms)
        if aggregate:
            m.add(sum(T[k[1]].paid_min * y for k, y in S.y.items()) <= cap).only_enforce_if(
                guard("duty_manager_horizon", (cap,)))

    m.minimize(sum(t.weight * t.var for t in S.terms))
    if strict:
        m.add_assumptions(S.literals)
    return S


def capacity_shortfalls(P: RosterProblem, planned: dict[tuple[dt.date, int, str], int]
                        ) -> list[tuple[tuple[dt.date, ...], tuple[str, ...], int, int]]:
    """Weekly/horizon capacity conditions a per-day plan breaks, as
    (days, post subset, max shifts, max paid minutes) over those days (empty = none)."""
    T = P.templates
    max_paid = max((t.paid_min for t in T), default=0)
    out = []
    for sub in _subsets(P.posts):
        staff = [e for e in P.employees if any(P.eligible(e, p) for p in sub)]
        for days in P.weeks:
            dayset = set(days)
            keys = [(k, n) for k, n in planned.items() if k[0] in dayset and k[2] in sub]
            cap_days, cap_min = week_capacity(P, staff, days, max_paid)
            if (sum(n for _, n in keys) > cap_days
                    or sum(T[k[1]].paid_min * n for k, n in keys) > cap_min):
                out.append((days, sub, cap_days, cap_min))
        cap = sum(P.avg_cap_min(e) for e in staff)
        if sum(T[k[1]].paid_min * n for k, n in planned.items() if k[2] in sub) > cap:
            out.append((P.dates, sub, 10**9, cap))
    return out


def share_out(P: RosterProblem, planned: dict[tuple[dt.date, int, str], int],
              shortfalls, caps: DayCaps) -> DayCaps:
    """Per-day caps in proportion to each day's use in the current plan (so their sum fits
    the broken capacity); tighter than any cap already set."""
    T = P.templates
    out = dict(caps)
    for days, sub, cap_shifts, cap_min in shortfalls:
        use = {d: [0, 0] for d in days}
        for (d, ti, p), n in planned.items():
            if d in use and p in sub:
                use[d][0] += n
                use[d][1] += n * T[ti].paid_min
        tot_s = sum(u[0] for u in use.values()) or 1
        tot_m = sum(u[1] for u in use.values()) or 1
        for d, (ns, nm) in use.items():
            new = (min(ns, cap_shifts * ns // tot_s), min(nm, cap_min * nm // tot_m))
            old = out.get((d, sub), new)
            out[(d, sub)] = (min(old[0], new[0]), min(old[1], new[1]))
    return out


def _day_key(P: RosterProblem, d: dt.date) -> tuple:
    return (tuple(P.required[(d, p)] for p in P.posts),
            tuple(P.available(e, d) for e in P.employees))


@dataclass
class Stage1Result:
    planned: dict[tuple[dt.date, int, str], int]
    status: str
    objective: float
    best_bound: float
    n_variables: int
    core: list[tuple[str, tuple]] | None = None  # strict mode, infeasible


def solve_stage1(P: RosterProblem, config: SolverConfig, strict: bool = False,
                 warm_start: Roster | None = None,
                 ledger: WorkLedger | None = None) -> Stage1Result:
    """Strict mode: one joint model with assumptions (for the diagnosis). Otherwise the days
    are solved one by one (identical days once) with the per-day conditions; the weekly and
    horizon conditions are then checked, and the days of a broken one are solved again with
    per-day caps that share the capacity out (:func:`share_out`), up to 4 rounds."""
    if strict:
        S = build_shift_counts(P, strict=True)
        if warm_start is not None:
            S.hint(warm_start, P)
        solver = make_solver(config)
        status = solver.solve(S.model)
        if ledger is not None:
            ledger.charge(solver, config)
        n_vars = len(S.model.proto.variables)
        if status == cp_model.INFEASIBLE:
            core = [S.assumptions[i] for i in solver.sufficient_assumptions_for_infeasibility()]
            return Stage1Result({}, "INFEASIBLE", float("nan"), float("nan"), n_vars, core)
        return _result(S, solver, status, n_vars)

    ledger = ledger or WorkLedger(config.time_limit_s, config.deterministic)
    start = ledger.spent
    budget = config.time_limit_s
    # days are independent models: solve them side by side, one single-worker (hence
    # deterministic) solve per thread; CP-SAT releases the GIL while it searches
    threads = max(config.workers, 1)
    one = replace(config.with_workers(1), profile="covering")
    planned: dict[tuple[dt.date, int, str], int] = {}
    day_obj: dict[dt.date, tuple[float, float, str]] = {}
    n_vars = 0
    caps: DayCaps = {}
    todo = list(P.dates)
    for round_ in range(4):
        groups: dict[tuple, list[dt.date]] = {}
        for d in todo:
            key = (_day_key(P, d), tuple(sorted((s, c) for (dd, s), c in caps.items()
                                               if dd == d)))
            groups.setdefault(key, []).append(d)
        share = 0.5 if round_ == 0 else 1.0
        left = max(budget - (ledger.spent - start), 0.05 * budget)
        waves = math.ceil(len(groups) / threads)
        per_group = one.with_time(max(left * share / max(waves, 1), 1.5))

        def solve_group(days: list[dt.date], round_=round_, per_group=per_group,
                        caps=caps, planned=planned):
            day_caps = {(days[0], s): c for (dd, s), c in caps.items() if dd == days[0]}
            S = build_shift_counts(P, days=[days[0]], aggregate=False, day_caps=day_caps)
            if warm_start is not None:
                S.hint(warm_start, P)
            elif round_ > 0:  # repair the previous plan of this day
                for key, v in S.n.items():
                    S.model.add_hint(v, planned.get(key, 0))
            solver = make_solver(per_group)
            status = solver.solve(S.model)
            ledger.charge(solver, per_group)
            if status == cp_model.UNKNOWN and round_ == 0:
                # no plan for this day within its slice of the budget: a longer second try
                # (a day has to be planned before the roster can be built at all)
                longer = per_group.with_time(max(4 * per_group.time_limit_s, 6.0))
                solver = make_solver(longer)
                status = solver.solve(S.model)
                ledger.charge(solver, longer)
            return S, solver, status

        with ThreadPoolExecutor(max_workers=threads) as pool:
            solved = list(pool.map(solve_group, groups.values()))
        for days, (S, solver, status) in zip(groups.values(), solved, strict=True):
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if round_ == 0:
                    return Stage1Result({}, solver.status_name(status), float("nan"),
                                        float("nan"), n_vars)
                continue  # keep the previous plan of these days
            n_vars += len(S.model.proto.variables) * len(days)
            for d in days:
                day_obj[d] = (solver.objective_value, solver.best_objective_bound,
                              solver.status_name(status))
                for key in [k for k in planned if k[0] == d]:
                    del planned[key]
            for (_, ti, p), v in S.n.items():
                n = solver.value(v)
                if n > 0:
                    for d in days:
                        planned[(d, ti, p)] = n
        short = capacity_shortfalls(P, planned)
        if not short or ledger.spent - start > budget:
            break
        caps = share_out(P, planned, short, caps)
        todo = sorted({d for days, *_ in short for d in days})
    # A plan that still breaks a weekly/horizon capacity is kept: stage 2 applies the labour
    # rules exactly and reports the shifts it cannot staff as under-coverage.
    statuses = {v[2] for v in day_obj.values()}
    return Stage1Result(planned, "OPTIMAL" if statuses == {"OPTIMAL"} and not short
                        else "FEASIBLE", sum(v[0] for v in day_obj.values()),
                        sum(v[1] for v in day_obj.values()), n_vars)


def _result(S: ShiftCountModel, solver, status, n_vars: int) -> Stage1Result:
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Stage1Result({}, solver.status_name(status), float("nan"), float("nan"), n_vars)
    planned = {k: solver.value(v) for k, v in S.n.items() if solver.value(v) > 0}
    return Stage1Result(planned, solver.status_name(status), solver.objective_value,
                        solver.best_objective_bound, n_vars)

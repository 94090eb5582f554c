"""Stage 1 of the pooled formulation: how many of each skill group work which shift where.

One month-wide covering programme, solved with HiGHS (through ``scipy.optimize.milp``)::

    n[g, d, t, p] ∈ ℤ≥0   members of skill group g on template t at post p on date d
    u[d, p, k, s] ≥ 0     missing people at post p, interval k (segments s = 1st, 2nd, rest)

    min  Σ w_s · u  +  Σ paid_min(t) · n  +  W_dm · (no duty manager)  +  W_oc · (missing on call)
    s.t. Σ_{g,t ∋ k} n[g,d,t,p] + Σ_s u[d,p,k,s] ≥ required[d,p,k]        cover the requirement
         Σ_{g,t ∋ k} n[g,d,t,p] ≤ counters[p]                              physical counters
         Σ_{t,p} n[g,d,t,p] ≤ available members of g on d                   one shift a day
         Σ_{d∈w,t,p} n ≤ working days of g in week w                       days off, 6 in a row
         Σ_{d∈w,t,p} paid·n ≤ weekly hour caps of g in week w              ≤ 44 h any week
         Σ_{d∈window,t,p} n ≤ Σ_{e∈g} min(max run, free days in window)    consecutive days
         Σ_{d,t,p} paid·n ≤ Σ_{e∈g} 40 h × days / 7                         40-hour average
         Σ_{dm g, t on site at k, p} n ≥ 1                                  duty manager on site
         Σ_{g,t,p} n[g,d,t,p] ≤ available − on-call reserve                 holiday reserve

Pooling identical staff removes the symmetry that makes a named-staff model hard: the LP
relaxation is tight, and the per-skill-group columns let the solver send VIP- and
complaint-qualified staff first where only they can serve. The capacity rows are necessary
conditions of the labour rules for the members (per-person caps summed); the named assignment
(:mod:`optimize.roster.model`) applies the rules exactly. Minimum rest is not pooled: it is a
pairwise rule between days that only binds when a late shift is followed by an early one, and
the assignment enforces it.

The same model with the integrality dropped is the **lower bound** the roster is measured
against (:func:`covering_bound`): any valid named roster gives a feasible point of the LP, so
no roster can cover more, or cover as much for fewer paid hours.

**Reproducibility.** HiGHS's branch and bound is deterministic; it stops on a node limit and a
relative gap (never on the clock). ``time_limit_s`` is only a safety cap: a solve stopped by it
raises :class:`PooledPlanTimeout` instead of returning a roster that might differ on re-run.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.sparse import csr_array

from hallplan.optimize.roster.check import under_cost
from hallplan.optimize.roster.groups import SkillGroup, skill_groups, week_capacity
from hallplan.optimize.roster.problem import RosterProblem

PlanKey = tuple[int, dt.date, int, str]  # (group index, date, template index, post)


#: paid minutes per member a small group's shift plan keeps free in every week and over the
#: horizon. Shifts are whole templates (paid 255, 315, …, 585 min), so a few people planned to
#: the minute of their summed caps often cannot be split into named rosters (measured: the
#: district's 7 general clerks at 99.6% of their 40-hour caps left 17 h of shifts unnamed
#: even at 5,000 nodes of the exact naming programme).
PACKING_ALLOWANCE_MIN = 30
#: a month MIP's weight of a paid minute, relative to the plan objective's
#: (:func:`solve_month_mip`)
PAID_TIE_BREAK = 0.01
SMALL_GROUP_MAX_MEMBERS = 12  # the groups the exact naming programme names


class PooledPlanTimeout(RuntimeError):
    """The pooled covering MIP hit its wall-clock safety cap (a pathological instance)."""


@dataclass(frozen=True)
class PooledSettings:
    """Stopping rules of the pooled MIP (deterministic: nodes and gap, not seconds)."""

    mip_rel_gap: float = 0.01
    node_limit: int = 10
    #: shift columns whose LP reduced cost exceeds this (objective units: paid minutes) are
    #: left out of the MIP
    reduced_cost_keep: float = 10.0
    time_limit_s: float = 900.0  # safety cap only (raises PooledPlanTimeout)
    #: a month model (or an independent part of one, :func:`independent_parts`) with at most
    #: this many shift columns is planned day by day, then solved month-wide from that plan
    #: with coverage first (:func:`solve_month_mip`). Measured: the county (12,400 columns)
    #: and the flagship's greeters (10,695) are fully covered in 16 and 50 s; the district
    #: (31,000) spent 74 s in the root node alone.
    cover_mip_max_columns: int = 15_000
    cover_node_limit: int = 20
    #: a month model with at most this many shift columns is solved as one MIP of the plan
    #: objective (over the columns of near-zero reduced cost)
    month_mip_max_columns: int = 40_000
    month_node_limit: int = 200
    #: cumulative budgets round a day's LP shifts up from this fraction (0.5: half up)
    round_up_from: float = 0.5
    #: after a day-by-day plan, plan the short days again inside the month rows' slack
    #: (:mod:`optimize.roster.reclaim`). Off by default: measured on the flagship, 99.5 ->
    #: 78.5 staff-h short in stage 1 for ~80 s more on 2 cores
    reclaim_stranded: bool = False
    #: after a day-by-day plan, solve the month in whole shifts over the columns the LP or
    #: the plan uses (:func:`solve_in_lp_support`): its node limit, and after how many
    #: solutions better than the plan it stops
    support_search: bool = True
    support_node_limit: int = 50
    support_improvements: int = 1


@dataclass(frozen=True)
class PooledSolve:
    x: np.ndarray
    objective: float
    bound: float
    reduced_cost: np.ndarray | None = None
    n_integer: int = 0
    nodes: int = 0
    row_dual: np.ndarray | None = None


_BANNER_SHOWN = False
_BANNER_LOCK = threading.Lock()


def _new_highs():
    """A ``highspy.Highs`` without its copyright banner, which the first instance of a
    process prints straight to the C stdout (it would land in the planner's terminal)."""
    global _BANNER_SHOWN
    import highspy

    with _BANNER_LOCK:
        if _BANNER_SHOWN:
            return highspy.Highs()
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
        return h


def highs_lp(A, cost, col_lo, col_hi, row_lo, row_hi, integer=None):
    """A ``highspy.HighsLp`` of ``min cost·x`` s.t. ``row_lo ≤ A x ≤ row_hi``,
    ``col_lo ≤ x ≤ col_hi`` (``A`` any scipy sparse matrix); ``integer``: a mask of the
    integer columns (None: all continuous). The one place the programmes are handed to HiGHS."""
    import highspy

    A = A.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(col_lo, dtype=float)
    lp.col_upper_ = np.asarray(col_hi, dtype=float)
    lp.row_lower_ = np.asarray(row_lo, dtype=float)
    lp.row_upper_ = np.asarray(row_hi, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    if integer is not None:
        lp.integrality_ = [highspy.HighsVarType.kInteger if z
                           else highspy.HighsVarType.kContinuous for z in integer]
    return lp


@dataclass
class _Builder:
    """Columns and rows of the covering programme, in sparse triplet form."""

    c: list[float] = field(default_factory=list)
    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    integer: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    vals: list[float] = field(default_factory=list)
    row_lb: list[float] = field(default_factory=list)
    row_ub: list[float] = field(default_factory=list)

    def col(self, cost: float, ub: float, integer: bool) -> int:
        self.c.append(cost)
        self.lb.append(0.0)
        self.ub.append(ub)
        self.integer.append(1 if integer else 0)
        return len(self.c) - 1

    def row(self, terms: list[tuple[int, float]], lo: float, hi: float) -> int:
        r = len(self.row_lb)
        for j, a in terms:
            self.rows.append(r)
            self.cols.append(j)
            self.vals.append(a)
        self.row_lb.append(lo)
        self.row_ub.append(hi)
        return r

    def matrix(self) -> csr_array:
        return csr_array((self.vals, (self.rows, self.cols)),
                         shape=(len(self.row_lb), len(self.c)))


@dataclass
class CoveringModel:
    """The pooled programme over ``P`` with its column and row index."""

    P: RosterProblem
    groups: tuple[SkillGroup, ...]
    b: _Builder
    n: dict[PlanKey, int]  # column of n[g, d, t, p]
    under: dict[tuple[dt.date, str, int], list[int]]  # columns of the missing people
    under_row: int | None = None  # Σ u ≤ cap row (bound mode), else None

    def _highs(self, settings: PooledSettings):
        b = self.b
        lp = highs_lp(b.matrix(), b.c, b.lb, b.ub, b.row_lb, b.row_ub)
        h = _new_highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("time_limit", float(settings.time_limit_s))
        h.passModel(lp)
        return h

    def _run(self, h, settings: PooledSettings, what: str) -> None:
        import highspy

        from hallplan.sim.interrupt import run_highs

        run_highs(h)  # Ctrl-C cancels it and raises Interrupted (never a partial plan)
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise PooledPlanTimeout(
                f"the pooled shift plan ({what}) hit its {settings.time_limit_s:.0f}-s safety "
                f"cap ({len(self.b.c):,} columns); the result would depend on the machine's "
                "speed, so none is returned")
        ok = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kSolutionLimit,
              highspy.HighsModelStatus.kIterationLimit, highspy.HighsModelStatus.kInterrupt,
              highspy.HighsModelStatus.kObjectiveBound)
        # a node-limited MIP stops with a feasible solution (primal status 2 = feasible)
        if status not in ok and h.getInfo().primal_solution_status != 2:
            raise RuntimeError(f"pooled covering model ({what}): "
                               f"{h.modelStatusToString(status)}")

    def solve_lp(self, settings: PooledSettings = PooledSettings()) -> PooledSolve:
        """The LP relaxation (simplex, deterministic): values, reduced costs, objective."""
        h = self._highs(settings)
        self._run(h, settings, "LP relaxation")
        sol = h.getSolution()
        return PooledSolve(np.asarray(sol.col_value), float(h.getInfo().objective_function_value),
                           float(h.getInfo().objective_function_value),
                           np.asarray(sol.col_dual), row_dual=np.asarray(sol.row_dual))

    def solve_mip(self, settings: PooledSettings = PooledSettings(),
                  lp: PooledSolve | None = None) -> PooledSolve:
        """Integer shift counts. With ``lp`` given, only shift columns the LP uses or whose
        reduced cost is below ``settings.reduced_cost_keep`` stay in the MIP (the others
        cannot improve the plan by more than that each); the LP objective stays the bound."""
        import highspy

        h = self._highs(settings)
        ncols = list(self.n.values())
        keep = np.ones(len(self.b.c), dtype=bool)
        if lp is not None:
            keep = self.priced_in(lp, settings)
            drop = np.flatnonzero(~keep)
            if len(drop):
                h.changeColsBounds(len(drop), drop.astype(np.int32),
                                   np.zeros(len(drop)), np.zeros(len(drop)))
        ints = np.array(sorted(j for j in ncols if keep[j]), dtype=np.int32)
        h.changeColsIntegrality(len(ints), ints,
                                np.array([highspy.HighsVarType.kInteger] * len(ints)))
        h.setOptionValue("mip_rel_gap", float(settings.mip_rel_gap))
        h.setOptionValue("mip_max_nodes", int(settings.node_limit))
        self._run(h, settings, "integer shift counts")
        info = h.getInfo()
        bound = float(info.mip_dual_bound)
        if lp is not None:
            bound = max(min(bound, lp.objective), lp.objective) if keep.all() else lp.objective
        return PooledSolve(np.asarray(h.getSolution().col_value),
                           float(info.objective_function_value), bound, None,
                           int(ints.size), int(info.mip_node_count))

    def priced_in(self, lp: PooledSolve, settings: PooledSettings) -> np.ndarray:
        """Columns an integer search keeps (a mask over all columns): every column but the
        shift columns the LP neither uses nor prices within ``settings.reduced_cost_keep``
        (each of those cannot improve the plan by more than that)."""
        keep = np.ones(len(self.b.c), dtype=bool)
        for j in self.n.values():
            keep[j] = lp.x[j] > 1e-9 or lp.reduced_cost[j] <= settings.reduced_cost_keep
        return keep

    def complete(self, planned: dict[PlanKey, int], settings: PooledSettings,
                 row_bounds: tuple[list[float], list[float]] | None = None
                 ) -> np.ndarray | None:
        """A full point of the programme for an integer plan: the shift columns at the
        plan, the others (missing people, surplus, gaps) from the LP with those fixed; None
        when the plan breaks one of this programme's rows (a day-by-day plan may: its duty
        managers may overdraw a day's budget, and the consecutive-days windows across weeks
        are rows of the month only)."""
        import highspy

        from hallplan.sim.interrupt import run_highs

        h = self._highs(settings)
        if row_bounds is not None:  # other row bounds than the programme's own
            rows = np.arange(len(self.b.row_lb), dtype=np.int32)
            h.changeRowsBounds(len(rows), rows, np.asarray(row_bounds[0], dtype=float),
                               np.asarray(row_bounds[1], dtype=float))
        cols = np.fromiter(self.n.values(), dtype=np.int32, count=len(self.n))
        vals = np.array([float(planned.get(k, 0)) for k in self.n])
        h.changeColsBounds(len(cols), cols, vals, vals)
        run_highs(h)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(h.getSolution().col_value)

    def is_integral(self, x: np.ndarray) -> bool:
        """Every shift count whole (interval-like covering rows make this common)."""
        v = x[np.fromiter(self.n.values(), dtype=np.int64, count=len(self.n))]
        return bool(np.all(np.abs(v - np.round(v)) < 1e-6))

    def plan(self, x: np.ndarray) -> dict[PlanKey, int]:
        return {k: int(np.rint(x[j])) for k, j in self.n.items() if x[j] > 0.5}

    def under_staff_hours(self, x: np.ndarray) -> float:
        return float(sum(x[j] for js in self.under.values() for j in js)
                     ) * self.P.interval_min / 60.0

    def paid_hours(self, x: np.ndarray) -> float:
        T = self.P.templates
        return float(sum(T[k[2]].paid_min * x[j] for k, j in self.n.items())) / 60.0


def build_covering_model(P: RosterProblem, objective: str = "plan",
                         max_under_staff_h: float | None = None,
                         groups: tuple[SkillGroup, ...] | None = None,
                         days: tuple[dt.date, ...] | None = None,
                         budgets: dict[tuple[int, dt.date], tuple[int, int]] | None = None,
                         overdraw: bool = True) -> CoveringModel:
    """The programme of the module docstring.

    ``objective``: ``"plan"`` (weighted under-coverage + paid minutes: the roster's stage 1),
    ``"under"`` (missing staff-intervals only: the coverage bound) or ``"paid"`` (paid minutes
    only, with the missing staff-hours capped at ``max_under_staff_h``: the paid-hours bound at
    a given coverage).

    ``days`` restricts the model to some dates and drops the weekly and horizon rows; then
    ``budgets[(group, date)] = (max shifts, max paid minutes)`` stand in for them (the day
    step of :func:`solve_pooled_plan`). A duty managers' group may overdraw its day budget
    at a price (a manager on site outranks the LP's split of their hours), unless
    ``overdraw`` is False: then the budgets are hard (the second pass,
    :mod:`optimize.roster.reclaim`, whose budgets are the month rows' exact slack)."""
    if objective not in ("plan", "under", "paid"):
        raise ValueError(f"objective must be 'plan', 'under' or 'paid', got {objective!r}")
    T, iv, W = P.templates, P.interval_min, P.weights
    groups = groups if groups is not None else skill_groups(P)
    b = _Builder()
    covers = [[k for k, t0 in enumerate(P.grid) if t.covers(t0, iv)] for t in T]
    on_site = [[k for k, t0 in enumerate(P.grid) if t.on_site(t0, iv)] for t in T]
    paid_w = 1.0 if objective in ("plan", "paid") else 0.0
    dm_groups = {gi for gi, g in enumerate(groups) if g.duty_manager}

    dates = tuple(days) if days is not None else P.dates
    n: dict[PlanKey, int] = {}
    slots: dict[tuple[dt.date, str], list[list[int]]] = {}
    for d in dates:
        for p in P.posts:
            req = P.required[(d, p)]
            active = [ti for ti in range(len(T)) if any(req[k] > 0 for k in covers[ti])]
            cap_p = P.capacity.get(p, len(P.employees))
            for gi, g in enumerate(groups):
                if p not in g.skills:
                    continue
                avail = g.available(P, d)
                if avail == 0:
                    continue
                for ti in active:
                    j = b.col(paid_w * T[ti].paid_min,
                              min(avail, cap_p), True)
                    n[(gi, d, ti, p)] = j
                    sl = slots.setdefault((d, p), [[] for _ in P.grid])
                    for k in covers[ti]:
                        sl[k].append(j)

    # cover the requirement: Σ n + Σ u − surplus = required, with the surplus bounded by the
    # free counters (so the same row also enforces the physical counters)
    under: dict[tuple[dt.date, str, int], list[int]] = {}
    for d in dates:
        for p in P.posts:
            req = P.required[(d, p)]
            sl = slots.get((d, p), [[] for _ in P.grid])
            cap_p = P.capacity.get(p)
            for k in range(len(P.grid)):
                weights = P.under_weights(d, p, k) if objective == "plan" else (1, 1, 1)
                if not sl[k]:
                    if req[k] > 0:  # nobody can be there: all of it is missing
                        under[(d, p, k)] = [b.col(0.0, req[k], False)]
                        b.row([(under[(d, p, k)][0], 1.0)], req[k], req[k])
                    continue
                us = []
                if req[k] > 0:
                    us.append(b.col(0.0 if objective == "paid" else weights[0], 1, False))
                    if req[k] >= 2:
                        us.append(b.col(0.0 if objective == "paid" else weights[1], 1, False))
                    if req[k] >= 3:
                        us.append(b.col(0.0 if objective == "paid" else weights[2],
                                        req[k] - 2, False))
                    under[(d, p, k)] = us
                room = np.inf if cap_p is None else max(cap_p - req[k], 0)
                surplus = b.col(0.0, room, False)
                b.row([(j, 1.0) for j in sl[k] + us] + [(surplus, -1.0)], req[k], req[k])
                if cap_p is not None and req[k] > cap_p:  # more needed than there are counters
                    b.row([(j, 1.0) for j in sl[k]], 0, cap_p)

    # one shift a day, weekly days and hours, the 40-hour average — per skill group
    by_gd: dict[tuple[int, dt.date], list[int]] = {}
    for (gi, d, _ti, _p), j in n.items():
        by_gd.setdefault((gi, d), []).append(j)
    max_paid = max((t.paid_min for t in T), default=0)
    by_gd_min: dict[tuple[int, dt.date], list[tuple[int, float]]] = {}
    for (gi, d, ti, _p), j in n.items():
        by_gd_min.setdefault((gi, d), []).append((j, float(T[ti].paid_min)))
    for gi, g in enumerate(groups):
        for d in dates:
            if by_gd.get((gi, d)):
                b.row([(j, 1.0) for j in by_gd[(gi, d)]], 0, g.available(P, d))
                if budgets is not None:
                    max_shifts, max_min = budgets.get((gi, d), (0, 0))
                    extra_s: list[tuple[int, float]] = []
                    extra_m: list[tuple[int, float]] = []
                    if gi in dm_groups and overdraw:
                        # a duty manager on site outranks the LP's split of their hours: the
                        # day may overdraw its budget, at a price below a gap's
                        extra_s = [(b.col(W.under_coverage[0] * 5.0, g.available(P, d),
                                          False), -1.0)]
                        extra_m = [(b.col(10.0, np.inf, False), -1.0)]
                    b.row([(j, 1.0) for j in by_gd[(gi, d)]] + extra_s, -np.inf, max_shifts)
                    b.row(by_gd_min[(gi, d)] + extra_m, -np.inf, max_min)
        if days is not None:
            continue
        # the plan (not the bound) leaves each member of a small group a little room in
        # every week and over the horizon, so that its shifts can be packed into people
        pack = (PACKING_ALLOWANCE_MIN * len(g.members)
                if objective == "plan" and len(g.members) <= SMALL_GROUP_MAX_MEMBERS else 0)
        for wdays in P.weeks:
            cap_days, cap_min = week_capacity(P, g.members, wdays, max_paid)
            cap_min = max(cap_min - pack, 0)
            if g.duty_manager and len(wdays) == 7 and objective == "plan":
                # one day of slack per manager and week: the consecutive-days limit across
                # week boundaries is not pooled, and a manager's shift that cannot be staffed
                # is a gap in the one rule that may not fail (the plan's choice, so the
                # bounds do not assume it: the hall's rule is one day off a week)
                cap_days = max(cap_days - len(g.members), 0)
            keys = [(k, j) for k, j in n.items() if k[0] == gi and k[1] in set(wdays)]
            if keys:
                b.row([(j, 1.0) for _, j in keys], 0, cap_days)
                b.row([(j, float(T[k[2]].paid_min)) for k, j in keys], 0, cap_min)
        add_consecutive_days_window(b, P, g, gi, by_gd)
        keys = [(k, j) for k, j in n.items() if k[0] == gi]
        if keys:
            b.row([(j, float(T[k[2]].paid_min)) for k, j in keys], 0,
                  max(g.horizon_cap_min(P) - pack, 0))

    # duty manager on site through opening hours (slack = a reported gap, never silent)
    if dm_groups:
        dm_w = 0.0 if objective == "paid" else float(W.no_duty_manager)
        for d in dates:
            ons: list[list[int]] = [[] for _ in P.grid]
            for (gi, dd, ti, _p), j in n.items():
                if dd == d and gi in dm_groups:
                    for k in on_site[ti]:
                        ons[k].append(j)
            for k in range(len(P.grid)):
                gap = b.col(dm_w, 1, False)
                b.row([(j, 1.0) for j in ons[k]] + [(gap, 1.0)], 1, np.inf)

    # holiday on-call reserve: keep that many available people off duty
    if P.reserve_size:
        oc_w = 0.0 if objective == "paid" else float(W.missing_on_call)
        for d in sorted(set(P.reserve_dates) & set(dates)):
            avail = sum(P.available(e, d) for e in P.employees)
            js = [j for (gi, dd, _ti, _p), j in n.items() if dd == d]
            miss = b.col(oc_w, P.reserve_size, False)
            b.row([(j, 1.0) for j in js] + [(miss, -1.0)], 0, avail - P.reserve_size)

    model = CoveringModel(P, groups, b, n, under)
    if objective == "paid":
        cap = (max_under_staff_h if max_under_staff_h is not None else 0.0) * 60.0 / iv
        model.under_row = b.row([(j, 1.0) for js in under.values() for j in js], 0,
                                cap + 1e-6)
    return model


def add_consecutive_days_window(b: _Builder, P: RosterProblem, g: SkillGroup, gi: int,
                                by_gd: dict[tuple[int, dt.date], list[int]]) -> None:
    """Consecutive days, pooled: in any ``max_consecutive_days + 1`` days in a row a member
    works at most ``max_consecutive_days`` of the days they are available, so the group's
    shifts in that window are at most the sum. The calendar-week rows miss runs that cross
    a week boundary (measured on the flagship: the complaint group, planned at 27 shifts a
    member, could not be named without it)."""
    span = P.labour.max_consecutive_days + 1
    if span > len(P.dates):
        return
    for i in range(len(P.dates) - span + 1):
        window = P.dates[i:i + span]
        cols = [j for d in window for j in by_gd.get((gi, d), [])]
        if cols:
            cap = sum(min(P.labour.max_consecutive_days, sum(P.available(e, d) for d in window))
                      for e in g.members)
            b.row([(j, 1.0) for j in cols], 0, cap)


@dataclass(frozen=True)
class CoveringBound:
    """What no roster can beat (LP relaxation of the pooled covering model)."""

    under_staff_h: float  # least missing staff-hours at the posts
    paid_h_at_min_under: float  # least paid hours at that coverage
    wall_s: float


def covering_bound(P: RosterProblem) -> CoveringBound:
    """Lower bounds: missing staff-hours, then paid hours at that coverage (two LPs)."""
    import time

    t0 = time.perf_counter()
    m = build_covering_model(P, "under")
    x = m.solve_lp().x
    u = m.under_staff_hours(x)
    paid = paid_lower_bound(P, u)
    return CoveringBound(u, paid, time.perf_counter() - t0)


def paid_lower_bound(P: RosterProblem, max_under_staff_h: float) -> float:
    """Least paid hours of any roster missing at most ``max_under_staff_h`` staff-hours."""
    m = build_covering_model(P, "paid", max_under_staff_h=max_under_staff_h)
    return m.paid_hours(m.solve_lp().x)


@dataclass(frozen=True)
class PooledPlan:
    """Integer shift counts per skill group, with what the LP says about them."""

    planned: dict[PlanKey, int]
    groups: tuple[SkillGroup, ...]
    #: the plan's LP bound (objective units). A re-roster keeps its first round's: still a
    #: bound while the loop only raises cells and adds priority cells, but a weaker one
    lp_objective: float
    objective: float  # of the integer plan, recomputed over all days
    lp_under_staff_h: float
    lp_paid_h: float
    n_columns: int
    wall_s: float
    #: the requirement this plan covers (``RosterProblem.required``), so a re-roster can
    #: tell which weeks changed
    required: Mapping[tuple[dt.date, str], tuple[int, ...]] | None = None
    #: the priority cells it was planned with (``RosterProblem.priority``)
    priority: frozenset[tuple[dt.date, str, int]] = frozenset()


def _week_budgets(month: CoveringModel, x: np.ndarray
                  ) -> dict[tuple[int, int], tuple[list[float], list[float]]]:
    """Per (group, week): the LP's shifts and paid minutes day by day."""
    P, T = month.P, month.P.templates
    pos = {d: (w, i) for w, days in enumerate(P.weeks) for i, d in enumerate(days)}
    out: dict[tuple[int, int], tuple[list[float], list[float]]] = {}
    for (gi, d, ti, _p), j in month.n.items():
        if x[j] > 1e-9:
            w, i = pos[d]
            s, m = out.setdefault((gi, w), ([0.0] * len(P.weeks[w]), [0.0] * len(P.weeks[w])))
            s[i] += x[j]
            m[i] += x[j] * T[ti].paid_min
    return out


def solve_pooled_plan(P: RosterProblem, config, settings: PooledSettings = PooledSettings(),
                      progress=None, previous: PooledPlan | None = None,
                      polish=None, reclaim=None, on_step=None) -> PooledPlan:
    """``progress(date)``: called as each day of a day-by-day plan is done. ``on_step()``:
    called when the month is then solved again over the LP's support (a step of its own in
    the progress display). ``polish``: ``polish(month, lp, planned, config, settings) ->
    planned``, run on a first round's integer plan of each part (e.g.
    :func:`optimize.roster.polish.polish_plan`, passed in by the caller so that this module
    does not depend on CP-SAT). ``reclaim``:
    ``reclaim(month, planned, settings, workers) -> planned``, run on a day-by-day plan when
    ``settings.reclaim_stranded`` (:func:`optimize.roster.reclaim.reclaim_stranded_budget`,
    passed in by the caller: that module builds on this one).

    With ``previous`` (the plan of the loop's last round, same staff and dates): see
    :func:`replan_changed_weeks`. Otherwise the month LP splits each skill group's work over
    the weeks and days; then each week's days are planned in integers, in order, inside the
    LP's cumulative budget; then the month is solved in whole shifts over the LP's support,
    starting from that plan, so shifts can move across days (:func:`solve_in_lp_support`).

    The month-wide LP is the only place the days meet (weekly days and hours, the 40-hour
    average per skill group). Within a week, day ``i`` may use what the LP gave days 1…i minus
    what the integer plan already used (shifts rounded down, minutes as is), so a day may round
    up what an earlier one rounded down, and the week — hence the horizon — stays inside the
    LP's totals, which satisfy every cap. Weeks are independent given the LP and are solved
    side by side (HiGHS, one thread each: a day's LP, which is often integral, else a
    node-limited MIP over the columns of near-zero reduced cost; deterministic, no clock).

    Independent parts of the hall (:func:`independent_parts`) are planned on their own. A
    small month (``settings.cover_mip_max_columns``) is then solved month-wide from the
    day-by-day plan (:func:`solve_month_mip`), rounding across days; a middling one
    (``settings.month_mip_max_columns``) as one MIP instead of day by day."""
    import time

    t0 = time.perf_counter()
    groups = skill_groups(P)
    parts = independent_parts(P, groups)
    if previous is not None and not _same_frame(P, previous, groups):
        previous = None
    if len(parts) > 1:
        return _plan_parts(P, config, settings, progress, groups, parts, t0, previous, polish,
                           reclaim, on_step)
    if previous is not None:
        return replan_changed_weeks(P, config, previous, settings, progress)
    month = build_covering_model(P, "plan", groups=groups)
    lp = month.solve_lp(settings)
    if len(month.n) <= settings.cover_mip_max_columns:
        # small: the day-by-day plan, then the month in integers from it (across days)
        planned = solve_month_mip(month, lp, settings,
                                  start=_plan_days(P, config, settings, progress, groups,
                                                   month, lp))
    elif len(month.n) <= settings.month_mip_max_columns:
        # small enough to solve the month in integers at once: no rounding across days
        res = month.solve_mip(replace(settings, node_limit=settings.month_node_limit), lp=lp)
        planned = month.plan(res.x)
    else:
        planned = _plan_days(P, config, settings, progress, groups, month, lp)
        if settings.support_search:
            if on_step is not None:
                on_step()
            planned = solve_in_lp_support(month, lp, planned, settings)
        if settings.reclaim_stranded and reclaim is not None:
            planned = reclaim(month, planned, settings, max(config.workers, 1))
    if polish is not None:
        planned = polish(month, lp, planned, config, settings)
    return PooledPlan(planned, groups, lp.objective, plan_objective(month, planned),
                      month.under_staff_hours(lp.x), month.paid_hours(lp.x), len(month.b.c),
                      time.perf_counter() - t0, P.required, P.priority)


def _plan_days(P: RosterProblem, config, settings: PooledSettings, progress,
               groups: tuple[SkillGroup, ...], month: CoveringModel, lp: PooledSolve
               ) -> dict[PlanKey, int]:
    """Each week's days in integers, in order, inside the month LP's cumulative budget (see
    :func:`solve_pooled_plan`); weeks side by side."""
    from concurrent.futures import ThreadPoolExecutor

    wb = _week_budgets(month, lp.x)
    T = P.templates
    max_paid = max((t.paid_min for t in T), default=0)

    def plan_week(w: int) -> dict[PlanKey, int]:
        out: dict[PlanKey, int] = {}
        used_s = [0] * len(groups)
        used_m = [0] * len(groups)
        # the week as a whole never exceeds the LP's paid minutes for it, nor the members'
        # working days: rounding up day by day may not overdraw the group's caps (measured
        # on the flagship: +0.3–1.6% over the 40-hour average, and the assignment then had to
        # drop ~145 h of planned shifts)
        week_cap = {gi: (week_capacity(P, g.members, P.weeks[w], max_paid)[0],
                         int(np.floor(sum(wb.get((gi, w), ([0.0], [0.0]))[1]) + 1e-6)))
                    for gi, g in enumerate(groups)}
        for i, d in enumerate(P.weeks[w]):
            budgets = {}
            for gi in range(len(groups)):
                s, mins = wb.get((gi, w), ([0.0] * 7, [0.0] * 7))
                # round half up (a plain floor starves small groups: LP halves become 0)
                budgets[(gi, d)] = (
                    min(int(np.floor(sum(s[:i + 1]) + settings.round_up_from)),
                        week_cap[gi][0]) - used_s[gi],
                    min(int(np.floor(sum(mins[:i + 1]) + settings.round_up_from * max_paid)),
                        week_cap[gi][1]) - used_m[gi])
            got = _plan_day(P, groups, d, budgets, settings)
            for key, c in got.items():
                out[key] = c
                used_s[key[0]] += c
                used_m[key[0]] += c * T[key[2]].paid_min
            if progress is not None:
                progress(d)
        return out

    planned: dict[PlanKey, int] = {}
    with ThreadPoolExecutor(max_workers=max(config.workers, 1)) as pool:
        for part in pool.map(plan_week, range(len(P.weeks))):
            planned.update(part)
    return planned


def solve_month_mip(month: CoveringModel, lp: PooledSolve,
                    settings: PooledSettings = PooledSettings(),
                    start: dict[PlanKey, int] | None = None) -> dict[PlanKey, int]:
    """The month in whole shifts, coverage first: the shifts' paid minutes weigh
    :data:`PAID_TIE_BREAK` of theirs in the plan objective, so that branch and bound works
    on the missing people (a thousand paid minutes weigh one missing person-interval in the
    plan objective, and a node-limited search of it stops with people missing). ``start``:
    a plan to improve on (the day-by-day plan); the result is never worse than it in the
    plan objective. Node limits and gaps, never the clock.

    Measured on the flagship's 6 greeters (10,695 shift columns): the day-by-day plan leaves
    15.5 staff-h missing, a 200-node MIP of the plan objective 5.5; from the first, this MIP
    covers every interval at 722.5 paid hours (LP: 0 missing at 713.3)."""
    if month.is_integral(lp.x):
        return month.plan(lp.x)
    shifts = np.fromiter(month.n.values(), dtype=np.int32, count=len(month.n))
    point = month.complete(start, settings) if start is not None else None
    got = _coverage_first_mip(month, month._highs(settings), shifts, settings,
                              settings.cover_node_limit, point, "month plan")
    if start is not None and plan_objective(month, start) <= plan_objective(month, got):
        return dict(start)
    return got


def _coverage_first_mip(month: CoveringModel, h, shifts: np.ndarray,
                        settings: PooledSettings, node_limit: int, point: np.ndarray | None,
                        what: str) -> dict[PlanKey, int]:
    """``h`` (the month programme, its rows and column bounds already set) in whole shifts
    over the columns ``shifts``, coverage first: their paid minutes weigh
    :data:`PAID_TIE_BREAK` of theirs, so that branch and bound works on the missing people.
    ``point``: a full point of the programme to start from. Node limits and gaps, never the
    clock. The integer plan found (the caller decides whether it beats its start)."""
    import highspy

    cost = np.asarray(month.b.c, dtype=float)
    h.changeColsCost(len(shifts), shifts, cost[shifts] * PAID_TIE_BREAK)
    h.changeColsIntegrality(len(shifts), shifts,
                            np.array([highspy.HighsVarType.kInteger] * len(shifts)))
    h.setOptionValue("mip_rel_gap", float(settings.mip_rel_gap))
    h.setOptionValue("mip_max_nodes", int(node_limit))
    if point is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(point)
        sol.value_valid = True
        h.setSolution(sol)
    month._run(h, settings, what)
    return month.plan(np.asarray(h.getSolution().col_value))


def independent_parts(P: RosterProblem, groups: tuple[SkillGroup, ...]
                      ) -> list[tuple[tuple[int, ...], tuple[str, ...]]]:
    """The skill groups and posts that share no row of the covering model, as (group
    indices, posts) — e.g. greeters, whom nobody else may replace and who may work nowhere
    else. Rows that tie groups: a post's cover row (every group holding its skill), the duty
    manager on site (every manager group) and the on-call reserve (every group, when the
    horizon has reserve dates). Each part is a covering model of its own, so a small part is
    solved month-wide in integers (:func:`solve_month_mip`) instead of only day by day
    inside a rounded LP budget. Posts nobody may work are in no part."""
    from scipy.sparse.csgraph import connected_components

    # nodes: the groups, then the posts, then one for the managers' rule and one for the reserve
    G, n_posts = len(groups), len(P.posts)
    managers, reserve = G + n_posts, G + n_posts + 1
    has_reserve = bool(P.reserve_size and set(P.reserve_dates) & set(P.dates))
    edges = [(gi, G + pi) for gi, g in enumerate(groups) for pi, p in enumerate(P.posts)
             if p in g.skills]
    edges += [(gi, managers) for gi, g in enumerate(groups) if g.duty_manager]
    edges += [(gi, reserve) for gi in range(G) if has_reserve]
    rows, cols = zip(*edges, strict=True) if edges else ((), ())
    graph = csr_array((np.ones(len(edges)), (rows, cols)), shape=(G + n_posts + 2,) * 2)
    _, label = connected_components(graph, directed=False)
    parts: dict[int, list[int]] = {}
    for gi in range(G):
        parts.setdefault(int(label[gi]), []).append(gi)
    return [(tuple(gis), tuple(p for pi, p in enumerate(P.posts)
                               if label[G + pi] == lab and any(p in g.skills for g in groups)))
            for lab, gis in parts.items()]


def part_problem(P: RosterProblem, groups: tuple[SkillGroup, ...],
                 part: tuple[tuple[int, ...], tuple[str, ...]]) -> RosterProblem:
    """``P`` restricted to one independent part: its groups' members and its posts."""
    gis, posts = part
    keep = set(posts)
    return replace(P, posts=posts,
                   employees=tuple(e for gi in gis for e in groups[gi].members),
                   required={k: v for k, v in P.required.items() if k[1] in keep},
                   priority=frozenset(c for c in P.priority if c[1] in keep))


def _plan_parts(P: RosterProblem, config, settings: PooledSettings, progress,
                groups: tuple[SkillGroup, ...],
                parts: list[tuple[tuple[int, ...], tuple[str, ...]]], t0: float,
                previous: PooledPlan | None = None, polish=None, reclaim=None,
                on_step=None) -> PooledPlan:
    """Each independent part planned on its own (side by side), the plans put together.
    The day-by-day progress (and ``on_step``) is the largest part's. With ``previous``
    (a re-roster), each part is re-planned from its own share of it, so a part whose
    requirement and priority cells did not change keeps its plan exactly (measured on the
    flagship: the greeters, planned month-wide in integers, lost 1 staff-h when a VIP
    priority cell had their days planned again day by day)."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    index = {g.name: gi for gi, g in enumerate(groups)}
    largest = max(range(len(parts)), key=lambda i: sum(len(groups[gi].members)
                                                       for gi in parts[i][0]))

    def plan_part(i: int) -> PooledPlan:
        Pi = part_problem(P, groups, parts[i])
        return solve_pooled_plan(Pi, config, settings,
                                 progress=progress if i == largest else None,
                                 previous=(_part_of(previous, Pi, groups, parts[i])
                                           if previous is not None else None),
                                 polish=polish, reclaim=reclaim,
                                 on_step=on_step if i == largest else None)

    with ThreadPoolExecutor(max_workers=max(min(config.workers, len(parts)), 1)) as pool:
        done = list(pool.map(plan_part, range(len(parts))))
    planned: dict[PlanKey, int] = {}
    for sub in done:
        for (gi, d, ti, p), c in sub.planned.items():
            planned[(index[sub.groups[gi].name], d, ti, p)] = c
    served = {p for _, posts in parts for p in posts}
    nobody = [(d, p, k, need) for (d, p), v in P.required.items() if p not in served
              for k, need in enumerate(v) if need > 0]  # all of it missing in any plan
    nobody_h = sum(c[3] for c in nobody) * P.interval_min / 60.0
    nobody_cost = sum(under_cost(need, P.under_weights(d, p, k)) for d, p, k, need in nobody)
    if previous is not None:  # a re-roster keeps the first round's month LP and its bound
        return PooledPlan(planned, groups, previous.lp_objective,
                          problem_plan_objective(P, planned), previous.lp_under_staff_h,
                          previous.lp_paid_h, previous.n_columns, time.perf_counter() - t0,
                          P.required, P.priority)
    return PooledPlan(planned, groups, sum(s.lp_objective for s in done) + nobody_cost,
                      problem_plan_objective(P, planned),
                      sum(s.lp_under_staff_h for s in done) + nobody_h,
                      sum(s.lp_paid_h for s in done), sum(s.n_columns for s in done),
                      time.perf_counter() - t0, P.required, P.priority)


def _part_of(plan: PooledPlan, Pi: RosterProblem, groups: tuple[SkillGroup, ...],
             part: tuple[tuple[int, ...], tuple[str, ...]]) -> PooledPlan:
    """``plan`` restricted to one independent part (its groups renumbered as the part's
    own :func:`skill_groups`), with the part's requirement and priority cells. Its LP
    figures stay the whole hall's: a re-roster of parts keeps the previous plan's figures
    (:func:`_plan_parts`), never a sum over parts."""
    sub = skill_groups(Pi)
    index = {g.name: gi for gi, g in enumerate(sub)}
    gis, posts = part
    keep = set(posts)
    return replace(
        plan, groups=sub,
        planned={(index[groups[gi].name], d, ti, p): c
                 for (gi, d, ti, p), c in plan.planned.items() if gi in gis},
        required=({k: v for k, v in plan.required.items() if k[1] in keep}
                  if plan.required is not None else None),
        priority=frozenset(c for c in plan.priority if c[1] in keep))


def _plan_day(P: RosterProblem, groups: tuple[SkillGroup, ...], d: dt.date,
              budgets: dict[tuple[int, dt.date], tuple[int, int]],
              settings: PooledSettings) -> dict[PlanKey, int]:
    """One day in whole shifts inside ``budgets``: the day's LP, which is often integral,
    else a node-limited MIP over the columns of near-zero reduced cost.

    Measured on the flagship's large part (December 2026, the month LP's budgets, one
    thread): the 31 day LPs miss 66.1 staff-h in all, exactly the month LP's; the day MIPs
    at 10 nodes miss 99.5 (97 s), at 200 nodes 97.0 (137 s), at 1,000 nodes 88.5 (270 s; one
    day alone goes from 7.5 to 2.5). Nearly all the time is HiGHS's root sub-MIP heuristics:
    without RINS/RENS 10 nodes miss 875.5 (41 s) and 200 nodes 113.5 (88 s); without
    feasibility jump 96.5 (115 s); start-node limits, symmetry detection and restarts change
    nothing. CP-SAT (1 worker, 5 s a day) did no better on the worst days.

    Part of that loss is the day budgets, not the search. Solved to proven optimality
    (no node limit), 1 December misses 4.0 staff-h, as the 10-node programme does, against
    its LP's 3.5 (20,000 nodes, 203 s); 5 December 2.0 against 3.0 at 10 nodes and 1.5 in the
    LP. The shift counts bind, not the minutes: with 60 paid minutes more per group and day
    the 31 days miss 92.5, with no minute budget 84.0, with one shift (and 600 min) more 6.5.
    Tried and not kept: one programme per week (10 nodes) missed 104.0 in 118 s; whole
    per-day shift counts chosen by a month MIP over the 124 group-day totals (the shift
    columns continuous) cost the LP nothing (+73 objective units) but took 800 s for 20
    nodes, and the days inside them missed 88.5; ``round_up_from`` 0.3 / 0.4 / 0.5 / 0.6 /
    0.7 / 0.8 gave 90.5 / 94.0 / 99.5 / 104.5 / 89.5 / 100.0, noise rather than a trend, so
    it is not tuned to this month."""
    day = build_covering_model(P, "plan", groups=groups, days=(d,), budgets=budgets)
    res = day.solve_lp(settings)
    if not day.is_integral(res.x):
        res = day.solve_mip(settings, lp=res)
    return day.plan(res.x)


def _same_frame(P: RosterProblem, previous: PooledPlan, groups: tuple[SkillGroup, ...]) -> bool:
    """Same dates, posts, templates and skill groups (members and their leave) as the plan."""
    return (previous.required is not None and set(previous.required) == set(P.required)
            and previous.groups == groups)


def replan_changed_weeks(P: RosterProblem, config, previous: PooledPlan,
                         settings: PooledSettings = PooledSettings(), progress=None
                         ) -> PooledPlan:
    """A re-roster after the loop raised some cells (or made some priority cells): the weeks
    whose requirement and priority cells did not change keep the previous plan exactly (so
    no coverage they had is lost), and each changed week is planned again day by day, from
    its first changed day on, inside the budget the previous plan used in that week — per
    skill group, its shifts and paid minutes up to each day — so the weekly caps and the
    40-hour average still hold without a new month LP. The raised cells are
    covered by moving that week's hours, which is what a planner does; where they cannot
    be, the plan stays as it was (the day programmes minimise the same weighted
    under-coverage, and the previous day plan is always a feasible point).

    The changed weeks are independent given those budgets and are planned side by side.
    The unchanged days after a changed one are planned again too, inside what it leaves
    them: measured on the flagship demo, keeping them as they were instead (each fits its
    budget) cut round 2 from 29 to ~6 s, but round 3 then left 4 roster gaps instead of 0
    and the loop ended short of its targets.

    Measured on the flagship demo's round 2 (1 priority cell, on a Saturday): 3 days planned
    again instead of the month LP and 31 days, 14–25 s instead of ~105 s; with roster gaps
    from round 1 (9 days planned again), 44 s one week after the other and 29 s side by
    side."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    t0 = time.perf_counter()
    groups = previous.groups
    T = P.templates
    moved = {c[0] for c in P.priority ^ previous.priority}  # priority cells added or dropped
    changed_days = {d for d in P.dates
                    if d in moved or any(P.required[(d, p)] != previous.required[(d, p)]
                                         for p in P.posts)}
    # a changed week is planned again from its first changed day on: the days before it
    # keep their plan, so the cumulative budget of the later days is exactly as before
    first = {w: min(i for i, d in enumerate(days) if d in changed_days)
             for w, days in enumerate(P.weeks) if changed_days & set(days)}
    changed = sorted(first)
    replanned = {d for w in changed for d in P.weeks[w][first[w]:]}
    planned = {k: c for k, c in previous.planned.items() if k[1] not in replanned}
    if progress is not None:  # the kept days are done at once (the count stays per day)
        for d in P.dates:
            if d not in replanned:
                progress(d)
    def replan_week(w: int) -> dict[PlanKey, int]:
        prev_s = [[0] * len(P.weeks[w]) for _ in groups]
        prev_m = [[0] * len(P.weeks[w]) for _ in groups]
        index = {d: i for i, d in enumerate(P.weeks[w])}
        for (gi, d, ti, _p), c in previous.planned.items():
            if d in index:
                prev_s[gi][index[d]] += c
                prev_m[gi][index[d]] += c * T[ti].paid_min
        used_s = [0] * len(groups)
        used_m = [0] * len(groups)
        out: dict[PlanKey, int] = {}
        for i, d in enumerate(P.weeks[w]):
            budgets = {(gi, d): (sum(prev_s[gi][:i + 1]) - used_s[gi],
                                 sum(prev_m[gi][:i + 1]) - used_m[gi])
                       for gi in range(len(groups))}
            before = {k: c for k, c in previous.planned.items() if k[1] == d}
            if i < first[w]:
                got = before
            else:
                got = _plan_day(P, groups, d, budgets, settings)
                one = frozenset({d})
                if (problem_plan_objective(P, before, one)
                        <= problem_plan_objective(P, got, one)):
                    got = before  # a node-limited day programme never makes the day worse
            for key, c in got.items():
                out[key] = c
                used_s[key[0]] += c
                used_m[key[0]] += c * T[key[2]].paid_min
            if progress is not None and i >= first[w]:
                progress(d)
        return out

    # the changed weeks are independent given the previous plan's week budgets: side by
    # side (one HiGHS thread each), merged in week order, so the plan is the same for any
    # number of workers
    with ThreadPoolExecutor(max_workers=max(min(config.workers, len(changed)), 1)) as pool:
        for part in pool.map(replan_week, changed):
            planned.update(part)
    objective = problem_plan_objective(P, planned)
    return PooledPlan(planned, groups, previous.lp_objective, objective,
                      previous.lp_under_staff_h, previous.lp_paid_h, previous.n_columns,
                      time.perf_counter() - t0, P.required, P.priority)


def rows_widened_to(month: CoveringModel, A, start: dict[PlanKey, int]
                    ) -> tuple[list[float], list[float]]:
    """Row bounds, with every row made only of shift columns widened to what ``start`` puts
    in it (the rows a day-by-day plan may overdraw); the others as they are."""
    b = month.b
    x = np.zeros(len(b.c))
    for k, j in month.n.items():
        x[j] = start.get(k, 0)
    is_shift = np.zeros(len(b.c), dtype=bool)
    is_shift[np.fromiter(month.n.values(), dtype=np.int64, count=len(month.n))] = True
    ax = A @ x
    lo, hi = list(b.row_lb), list(b.row_ub)
    for i in range(A.shape[0]):
        if is_shift[A.indices[A.indptr[i]:A.indptr[i + 1]]].all():
            hi[i] = max(hi[i], float(ax[i]))
            lo[i] = min(lo[i], float(ax[i]))
    return lo, hi


def solve_in_lp_support(month: CoveringModel, lp: PooledSolve, start: dict[PlanKey, int],
                        settings: PooledSettings = PooledSettings()) -> dict[PlanKey, int]:
    """``start`` (a day-by-day plan) improved month-wide: the month programme in whole
    shifts over only the shift columns the month LP or ``start`` uses, every other shift
    column at 0, starting from ``start``. The neighbourhood is the LP's support, as in RENS
    (Berthold 2014, "RENS: the optimal rounding", Math. Prog. Comp. 6:33–54, which also
    bounds each column by the floor and ceiling of its LP value; here the plan's own columns
    are free too): it holds the LP's optimum and the plan and is small enough (about 2,000
    of the flagship's 85,560 shift columns) for HiGHS to move shifts across days and groups.
    Coverage first, as in :func:`solve_month_mip`; it stops after
    ``settings.support_improvements`` solutions better than ``start`` or at
    ``settings.support_node_limit`` nodes, never on the clock. Rows ``start`` overdrew (a
    duty manager's week) are held where they are (:func:`rows_widened_to`), and so is a
    large group's month of hours (:func:`_large_groups_hours_held`). Never worse than
    ``start`` in the plan objective.

    Measured on the flagship's large part (December 2026, one thread): the day-by-day plan's
    99.5 missing staff-h become 79.5 in 9 s (77.0 with the general clerks' month hours free,
    but then 3 of their shifts could not be named); 200 nodes find no more; the columns
    where the LP and the plan differ (RINS) give 78.0; all 40,800 columns of zero reduced
    cost 89.5 in 393 s. The whole roster: 100.5 -> 84.5 missing staff-h for ~10 s more."""
    if not start:
        return dict(start)
    A = month.b.matrix().tocsr()
    lo, hi = rows_widened_to(month, A, start)
    point = month.complete(start, settings, row_bounds=(lo, hi))
    if point is None:
        return dict(start)
    hi = _large_groups_hours_held(month, A, start, hi)
    fixed, free = [], []
    for k, j in month.n.items():
        (free if lp.x[j] > 1e-9 or start.get(k, 0) > 0 else fixed).append(j)
    fixed_a = np.array(fixed, dtype=np.int32)
    free_a = np.array(free, dtype=np.int32)
    h = month._highs(settings)
    rows = np.arange(len(lo), dtype=np.int32)
    h.changeRowsBounds(len(rows), rows, np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))
    h.changeColsBounds(len(fixed_a), fixed_a, np.zeros(len(fixed_a)), np.zeros(len(fixed_a)))
    # the start is HiGHS's first solution: stop at the n-th one better than it
    h.setOptionValue("mip_max_improving_sols", int(settings.support_improvements) + 1)
    got = _coverage_first_mip(month, h, free_a, settings, settings.support_node_limit, point,
                              "month plan in the LP's support")
    if plan_objective(month, got) < plan_objective(month, start):
        return got
    return dict(start)


def _large_groups_hours_held(month: CoveringModel, A, start: dict[PlanKey, int],
                             hi: list[float]) -> list[float]:
    """Row upper bounds with each large group's paid minutes over the horizon held at
    ``start``'s. The pooled row sums the members' 40-hour averages, and a large group has no
    packing allowance (:data:`PACKING_ALLOWANCE_MIN`): the day-by-day plan leaves it a few
    hours short of the sum, which the naming needs to split whole shifts into people
    (measured on the flagship: planned to within 0.7 h of the 22 general clerks' 3,896.9
    hours, 3 of their shifts could not be named and the roster missed 88.0 staff-h; held at
    the day-by-day plan's 3,892.5 hours, 2 and 84.5)."""
    P = month.P
    large = [gi for gi, g in enumerate(month.groups) if len(g.members) > SMALL_GROUP_MAX_MEMBERS]
    week_of = {d: w for w, days in enumerate(P.weeks) for d in days}
    col_group = np.full(A.shape[1], -1, dtype=np.int64)
    col_week = np.full(A.shape[1], -1, dtype=np.int64)
    x_start = np.zeros(A.shape[1])
    for (gi, d, ti, p), j in month.n.items():
        col_group[j], col_week[j] = gi, week_of[d]
        x_start[j] = start.get((gi, d, ti, p), 0)
    act = A @ x_start
    out = list(hi)
    for r in range(A.shape[0]):
        s = slice(A.indptr[r], A.indptr[r + 1])
        g = col_group[A.indices[s]]
        if not len(g) or g.min() < 0 or g.min() != g.max() or int(g[0]) not in large:
            continue  # not a row of one large group's shifts alone
        minutes = bool(np.any(A.data[s] != 1.0))
        if minutes and len(np.unique(col_week[A.indices[s]])) == len(P.weeks):
            # the horizon row: the group's paid minutes in every week (in a one-week horizon
            # its week row too, the same sum)
            out[r] = min(out[r], float(act[r]))
    return out


def plan_objective(month: CoveringModel, planned: dict[PlanKey, int]) -> float:
    """The month objective (weighted missing people + paid minutes) of an integer plan."""
    return problem_plan_objective(month.P, planned)


def plan_coverage(P: RosterProblem, planned: dict[PlanKey, int]
                  ) -> dict[tuple[dt.date, str, int], int]:
    """People at each (date, post, interval) under ``planned`` (cells nobody covers absent)."""
    T, iv = P.templates, P.interval_min
    cov: dict[tuple[dt.date, str, int], int] = {}
    for (_gi, d, ti, p), c in planned.items():
        for k, t0 in enumerate(P.grid):
            if T[ti].covers(t0, iv):
                cov[(d, p, k)] = cov.get((d, p, k), 0) + c
    return cov


def problem_plan_objective(P: RosterProblem, planned: dict[PlanKey, int],
                           days: frozenset[dt.date] | None = None) -> float:
    """:func:`plan_objective` over ``P`` (only ``days``, when given)."""
    T = P.templates
    if days is not None:
        planned = {k: c for k, c in planned.items() if k[1] in days}
    cov = plan_coverage(P, planned)
    total = float(sum(T[k[2]].paid_min * c for k, c in planned.items()))
    for (d, p), req in P.required.items():
        if days is not None and d not in days:
            continue
        for k, need in enumerate(req):
            total += under_cost(need - cov.get((d, p, k), 0), P.under_weights(d, p, k))
    return total


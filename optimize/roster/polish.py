"""Polish a month's pooled shift plan with CP-SAT's large-neighbourhood search (opt-in).

The day-by-day plan of :func:`~hallplan.optimize.roster.pooled.solve_pooled_plan` rounds the
month LP one day at a time inside budgets; what it loses lies *across* days (a shift moved
from one day to another, a long shift split into two short ones on different days of the
same person-weeks). HiGHS's branch and bound on the whole month finds nothing better from it
(measured: 331 s at 20 nodes on the flagship's scarce groups). CP-SAT's neighbourhood workers
do: they free a few hundred variables of the hinted plan at a time and re-optimise them,
which is exactly a move across days.

The programme is the same one (:class:`~hallplan.optimize.roster.pooled.CoveringModel`, every
row and cost unchanged), written as a CP-SAT model of integer columns. The plan is its
solution hint, so the search starts from it and only ever returns something better in the
plan objective. A plan may overdraw a few month rows that the day step does not see (a duty
manager's day beyond the weekly slack): those rows are widened to what the plan uses, never
more, so polishing cannot make them worse.

**Reproducibility.** The search stops on deterministic time (work units) with interleaved
workers (:func:`~hallplan.optimize.roster.config.make_solver`), so the polished plan is a pure
function of (plan, programme, seed, work units), whatever the machine's load.

Measured on the flagship December benchmark (2 cores, whole roster, bound 59.1): without it
100.5 missing staff-h in 107 s; with 30 units 97.0 in 256 s; with 100 units 93.5 in 472 s
(the neighbourhood workers run interleaved for determinism, ≈ 3.5 s of wall time per unit
here). It costs minutes, so it is off by default (``SolverConfig.polish_work_units``,
``hallplan roster/plan --polish``, ``benchmarks/bench_roster.py --polish``). Each independent
part of the hall (:func:`~hallplan.optimize.roster.pooled.independent_parts`) not already
within the MIP gap of its LP gets the budget.
"""

from __future__ import annotations

import math

import numpy as np
from ortools.sat.python import cp_model

from hallplan.optimize.roster.config import SolverConfig, hit_wall_cap, make_solver
from hallplan.optimize.roster.pooled import (
    CoveringModel,
    PlanKey,
    PooledPlanTimeout,
    PooledSettings,
    PooledSolve,
    plan_objective,
    rows_widened_to,
)

#: CP-SAT workers of the polish, fixed: interleaved search is deterministic for a given
#: worker count, so the polished plan does not change with ``--workers``
POLISH_SEARCH_WORKERS = 2
#: columns with no upper bound get this one in the CP-SAT model (people or minutes: far
#: above any real value, so it never binds)
_BIG = 10**7


def polish_plan(month: CoveringModel, lp: PooledSolve, start: dict[PlanKey, int],
                config: SolverConfig, settings: PooledSettings | None = None
                ) -> dict[PlanKey, int]:
    """``start`` improved by CP-SAT within ``config.polish_work_units`` work units, or
    ``start`` itself when the search finds nothing better in the plan objective, or when
    ``start`` is already within ``settings.mip_rel_gap`` of the LP (an independent part such
    as the greeters often is: the neighbourhood search cannot prove optimality and would
    spend the whole budget for nothing).

    Shift columns the LP neither uses nor prices within ``settings.reduced_cost_keep`` stay
    out (as in :meth:`CoveringModel.solve_mip`), unless the start uses them."""
    if config.polish_work_units <= 0 or not start:
        return dict(start)
    settings = settings or PooledSettings()
    start_objective = plan_objective(month, start)
    if start_objective - lp.objective <= settings.mip_rel_gap * abs(lp.objective):
        return dict(start)  # already within the MIP gap of the LP: nothing worth the time
    b = month.b
    A = b.matrix().tocsr()
    row_lb, row_ub = rows_widened_to(month, A, start)
    point = month.complete(start, settings, row_bounds=(row_lb, row_ub))
    if point is None:
        return dict(start)
    scale = _integer_scale(b.c)
    if scale is None:
        return dict(start)

    keep = month.priced_in(lp, settings)
    for k, c in start.items():
        if c > 0 and k in month.n:
            keep[month.n[k]] = True
    model = cp_model.CpModel()
    xs = {int(j): model.new_int_var(0, _upper(b.ub[j]), f"x{j}") for j in np.flatnonzero(keep)}
    for i in range(A.shape[0]):
        sl = slice(A.indptr[i], A.indptr[i + 1])
        terms = [(xs[j], round(float(a))) for j, a in zip(A.indices[sl], A.data[sl],
                                                          strict=True) if keep[j]]
        model.add_linear_constraint(
            cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [a for _, a in terms]),
            -_BIG * _BIG if not math.isfinite(row_lb[i]) else math.ceil(row_lb[i] - 1e-9),
            _BIG * _BIG if not math.isfinite(row_ub[i]) else math.floor(row_ub[i] + 1e-9))
    priced = [j for j in xs if b.c[j]]
    model.minimize(cp_model.LinearExpr.weighted_sum(
        [xs[j] for j in priced], [round(float(b.c[j]) * scale) for j in priced]))
    for j, v in xs.items():
        model.add_hint(v, round(float(point[j])))

    solver = make_solver(SolverConfig(time_limit_s=config.polish_work_units,
                                      workers=POLISH_SEARCH_WORKERS, seed=config.seed,
                                      wall_cap_factor=config.wall_cap_factor, log=config.log,
                                      profile="polish"))
    status = solver.solve(model)
    if hit_wall_cap(solver):
        raise PooledPlanTimeout(
            f"the plan's polish hit its {solver.parameters.max_time_in_seconds:.0f}-s safety "
            "cap; the result would depend on the machine's speed, so none is returned")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return dict(start)
    got = {k: int(solver.value(xs[j])) for k, j in month.n.items()
           if j in xs and solver.value(xs[j]) > 0}
    if plan_objective(month, got) < start_objective:
        return got
    return dict(start)


def _upper(ub: float) -> int:
    return _BIG if not math.isfinite(ub) else math.floor(ub + 1e-9)


def _integer_scale(costs: list[float]) -> int | None:
    """The smallest of 1, 10, 100 that makes every cost whole (CP-SAT's objective is
    integer), or None."""
    for scale in (1, 10, 100):
        if all(abs(c * scale - round(c * scale)) < 1e-9 for c in costs):
            return scale
    return None

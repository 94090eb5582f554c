"""A lower bound on missing staff-hours that sees whole shifts day by day.

The covering LP bound (:func:`optimize.roster.pooled.covering_bound`) lets a day use a
fraction of a shift: 0.4 of a 10-hour shift at the VIP room and 0.6 of it at the general
counters. No roster can, so the bound may sit below what any roster reaches. This module
prices that in without solving the month in integers (which HiGHS cannot close: measured on
the flagship's December, its root cuts leave the month MIP's bound at the LP's 59.6 staff-h
after 200 s).

Lagrangian relaxation (Geoffrion 1974, "Lagrangean relaxation for integer programming",
Math. Prog. Study 2:82–114; Fisher 1981, Management Science 27(1):1–18): the rows that tie
days together — each skill group's weekly days and minutes, its 40-hour average over the
horizon, its consecutive-days windows — move into the objective at prices ``μ ≥ 0``; what
is left falls apart into one programme per day (cover rows, one shift a day per member, the
duty manager on site), each solved in whole shifts. For any ``μ ≥ 0``::

    L(μ) = Σ_d min { c·x_d + μ·A_d x_d : x_d ∈ X_d, whole shifts } − μ·b  ≤  any roster's
                                                                             missing staff

and, because each day keeps its integrality, ``L(μ) ≥`` the LP bound when ``μ`` are the
month LP's duals on those rows (the day LPs then reproduce the LP's optimum exactly, which
the tests use to check the signs). Each day's term is the day MIP's *dual* bound, so a day
whose node limit stops its search still gives a valid bound.

Measured on the flagship's December requirement (the benchmark's): LP 59.1, this bound 61.8
staff-h, 31 day MIPs solved to optimality in ~290 s of one core.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from hallplan.optimize.roster.pooled import (
    CoveringModel,
    PooledSettings,
    _new_highs,
    build_covering_model,
    highs_lp,
)
from hallplan.optimize.roster.problem import RosterProblem


@dataclass(frozen=True)
class DayIntegerBound:
    """What no roster can beat, whole shifts counted day by day."""

    under_staff_h: float  # the Lagrangian bound: least missing staff-hours
    lp_under_staff_h: float  # the covering LP bound it starts from (≤ under_staff_h)
    per_day_staff_h: tuple[tuple[dt.date, float], ...]  # each day's term (prices included)
    linking_rows: int  # rows priced (weeks, horizon, consecutive days)
    days_proven: int  # days whose MIP closed (the others add their dual bound)
    wall_s: float


def linking_rows(model: CoveringModel, A=None) -> tuple[np.ndarray, np.ndarray]:
    """(mask of the rows whose shift columns lie on more than one date, the day index of
    every column). A column that is not a shift (missing people, surplus, gaps) belongs to
    the day of the rows it sits in; every such row is local to one day. ``A``: the model's
    matrix in CSR form, when the caller has it already."""
    P = model.P
    A = model.b.matrix().tocsr() if A is None else A
    day_index = {d: i for i, d in enumerate(P.dates)}
    col_day = np.full(A.shape[1], -1, dtype=np.int64)
    for (_gi, d, _ti, _p), j in model.n.items():
        col_day[j] = day_index[d]
    is_shift = col_day >= 0
    link = np.zeros(A.shape[0], dtype=bool)
    row_day = np.full(A.shape[0], -1, dtype=np.int64)
    for r in range(A.shape[0]):
        cs = A.indices[A.indptr[r]:A.indptr[r + 1]]
        days = np.unique(col_day[cs[is_shift[cs]]])
        if len(days) > 1:
            link[r] = True
        elif len(days) == 1:
            row_day[r] = days[0]
    for (d, _p, _k), js in model.under.items():
        for j in js:
            col_day[j] = day_index[d]
    for r in np.flatnonzero(~link & (row_day >= 0)):
        cs = A.indices[A.indptr[r]:A.indptr[r + 1]]
        col_day[cs[col_day[cs] < 0]] = row_day[r]
    if (col_day < 0).any():  # every column of the covering model has a day
        raise RuntimeError("day bound: a column of the covering model belongs to no day")
    return link, col_day


def day_integer_bound(P: RosterProblem, settings: PooledSettings | None = None,
                      node_limit: int = 1000, workers: int = 1, integer: bool = True,
                      progress: Callable[[dt.date], None] | None = None) -> DayIntegerBound:
    """The bound of the module docstring, at the month LP's duals. ``integer=False`` solves
    the day programmes as LPs (then the result is the LP bound itself: a check). Days are
    independent and solved side by side on ``workers`` threads (HiGHS, one thread each, node
    limits, no clock but the safety cap of ``settings.time_limit_s``): the result does not
    depend on ``workers``."""
    import highspy

    t0 = time.perf_counter()
    settings = settings if settings is not None else PooledSettings()
    model = build_covering_model(P, "under")
    h = model._highs(settings)
    model._run(h, settings, "covering LP for the day bound")
    y = np.asarray(h.getSolution().row_dual)
    lp_bound = float(h.getInfo().objective_function_value)
    A = model.b.matrix().tocsr()
    link, col_day = linking_rows(model, A)
    lo, hi = np.asarray(model.b.row_lb), np.asarray(model.b.row_ub)
    col_lo, col_hi = np.asarray(model.b.lb), np.asarray(model.b.ub)
    priced = np.where(link, y, 0.0)
    # μ·b: a row at its upper bound has a dual ≤ 0 (minimisation), at its lower bound ≥ 0
    nz = np.flatnonzero(np.abs(priced) > 1e-12)
    constant = float(sum(priced[r] * (hi[r] if priced[r] < 0 else lo[r]) for r in nz))
    cost = np.asarray(model.b.c, dtype=float) - A.T @ priced
    rows_of_day: dict[int, list[int]] = {}
    for r in np.flatnonzero(~link):
        cs = A.indices[A.indptr[r]:A.indptr[r + 1]]
        rows_of_day.setdefault(int(col_day[cs[0]]), []).append(int(r))
    is_shift = np.zeros(A.shape[1], dtype=bool)
    is_shift[np.fromiter(model.n.values(), dtype=np.int64, count=len(model.n))] = True

    def solve_day(i: int) -> tuple[float, bool]:
        cols = np.flatnonzero(col_day == i)
        rows = np.array(rows_of_day.get(i, []), dtype=np.int64)
        lp = highs_lp(A[rows][:, cols], cost[cols], col_lo[cols], col_hi[cols], lo[rows],
                      hi[rows], integer=is_shift[cols] if integer else None)
        hd = _new_highs()
        for name, value in (("output_flag", False), ("threads", 1), ("random_seed", 0),
                            ("mip_rel_gap", 1e-6), ("mip_max_nodes", int(node_limit)),
                            ("time_limit", float(settings.time_limit_s))):
            hd.setOptionValue(name, value)
        hd.passModel(lp)
        model._run(hd, settings, f"day bound, {P.dates[i].isoformat()}")
        info = hd.getInfo()
        proven = hd.getModelStatus() == highspy.HighsModelStatus.kOptimal
        value = float(info.mip_dual_bound if integer else info.objective_function_value)
        if progress is not None:
            progress(P.dates[i])
        return value, proven

    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        days = list(pool.map(solve_day, range(len(P.dates))))
    to_h = P.interval_min / 60.0
    total = constant + sum(v for v, _ in days)
    return DayIntegerBound(
        under_staff_h=max(total, lp_bound) * to_h if integer else total * to_h,
        lp_under_staff_h=lp_bound * to_h,
        per_day_staff_h=tuple((d, v * to_h) for d, (v, _) in zip(P.dates, days, strict=True)),
        linking_rows=int(link.sum()), days_proven=sum(p for _, p in days),
        wall_s=time.perf_counter() - t0)

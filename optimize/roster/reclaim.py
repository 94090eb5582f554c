"""Stage 1's second pass: the budget the day-by-day plan stranded, given back to the days.

The day-by-day plan (:func:`optimize.roster.pooled.solve_pooled_plan`) gives each week the
month LP's paid minutes for it and each day its cumulative share of them. Whole shifts
rarely use a week's share to the last minute, and what a week's days cannot use is lost to
the plan, while the month's rows (working days and hours of the week, consecutive days, the
40-hour average) still have room for it. Measured on the flagship's large part (December
2026): the integer plan paid 29.7 staff-h fewer than its LP (17.7 of them duty managers'),
against 33.4 staff-h more missing.

This pass plans again, worst first, the days that miss people, each inside the budget that
the month's rows leave it given every other day's plan. Per skill group that is the day's
shifts plus the least slack of the count rows its shifts are in (one shift a day, the week's
working days, the consecutive-days windows), and the day's paid minutes plus the least slack
of the minute rows (the week's hours, the 40-hour average). The budgets are hard (a duty
managers' group may not overdraw them). A day keeps its new plan only when that is better in
the plan objective, so the pass never makes the plan worse and never breaks a month row that
the first pass kept; a row the first pass already overdrew (a duty manager's week, see
:func:`~optimize.roster.pooled.build_covering_model`) is held where it is.

The rows are read off the month programme itself (every row whose columns are all shift
columns), so this pass enforces exactly the programme's rules, with no copy of them.

Weeks are planned side by side in two phases, the even weeks and then the odd ones: a
consecutive-days window spans at most two adjacent weeks, so two weeks of one phase never
share one. A row that spans several weeks of a phase (the 40-hour average) shares its slack:
each of its weeks not yet planned again gets an equal whole part of what is left.
Deterministic: no clock, weeks merged in order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np

from hallplan.optimize.roster.pooled import (
    CoveringModel,
    PlanKey,
    PooledSettings,
    build_covering_model,
    plan_coverage,
)


@dataclass(frozen=True)
class _Rows:
    """The month programme's linking rows (all columns shift columns) and the plan's use."""

    A: object  # csc_array: the month matrix restricted to the linking rows
    is_count: np.ndarray  # row of shift counts (all coefficients 1), else of paid minutes
    cap: np.ndarray  # upper bound, or the first pass's activity where that is above it
    weeks: list[frozenset[int]]  # weeks each row touches


def linking_rows(month: CoveringModel, planned: dict[PlanKey, int]) -> tuple[_Rows, np.ndarray]:
    """The rows that link days (and the one-shift-a-day rows) with the plan's activity."""
    P = month.P
    week_of = {d: w for w, days in enumerate(P.weeks) for d in days}
    A = month.b.matrix().tocsr()
    shift = np.zeros(A.shape[1], dtype=bool)
    col_week = np.full(A.shape[1], -1, dtype=np.int64)
    for (_gi, d, _ti, _p), j in month.n.items():
        shift[j] = True
        col_week[j] = week_of[d]
    keep, weeks = [], []
    for r in range(A.shape[0]):
        cols = A.indices[A.indptr[r]:A.indptr[r + 1]]
        if len(cols) and shift[cols].all():
            keep.append(r)
            weeks.append(frozenset(int(w) for w in np.unique(col_week[cols])))
    L = A[keep]
    is_count = np.array([np.all(L.data[L.indptr[i]:L.indptr[i + 1]] == 1.0)
                         for i in range(L.shape[0])], dtype=bool)
    x = _vector(month, planned)
    act = L @ x
    ub = np.asarray(month.b.row_ub, dtype=float)[keep]
    return _Rows(L.tocsc(), is_count, np.maximum(ub, act), weeks), act


def _vector(month: CoveringModel, planned: dict[PlanKey, int]) -> np.ndarray:
    x = np.zeros(len(month.b.c))
    for k, c in planned.items():
        x[month.n[k]] = c
    return x


def day_missing_staff_h(month: CoveringModel, planned: dict[PlanKey, int], d: dt.date) -> float:
    """Missing staff-hours on ``d`` under ``planned``."""
    P = month.P
    cov = plan_coverage(P, {k: c for k, c in planned.items() if k[1] == d})
    return sum(max(need - cov.get((d, p, k), 0), 0) for p in P.posts
               for k, need in enumerate(P.required[(d, p)])) * P.interval_min / 60.0


def reclaim_stranded_budget(month: CoveringModel, planned: dict[PlanKey, int],
                            settings: PooledSettings | None = None, workers: int = 1
                            ) -> dict[PlanKey, int]:
    """``planned`` with its short days planned again inside the month rows' slack (module
    docstring). Never worse in the plan objective; every linking row within its bound (or
    where the first pass left it)."""
    P = month.P
    settings = settings if settings is not None else PooledSettings()
    rows, act = linking_rows(month, planned)
    cols_of: dict[tuple[int, dt.date], list[int]] = defaultdict(list)
    for (gi, d, _ti, _p), j in month.n.items():
        cols_of[(gi, d)].append(j)
    rows_of = {gd: np.unique(np.concatenate([rows.A.indices[rows.A.indptr[j]:rows.A.indptr[j + 1]]
                                             for j in js]))
               for gd, js in cols_of.items()}
    out = dict(planned)
    done: set[int] = set()
    for phase in (range(0, len(P.weeks), 2), range(1, len(P.weeks), 2)):
        phase_weeks = set(phase)
        allowance = rows.cap - act  # the same for every week of the phase
        for r, ws in enumerate(rows.weeks):
            if len(ws & phase_weeks) > 1:  # shared: an equal whole part per week left
                allowance[r] = np.floor(max(allowance[r], 0.0) / len(ws - done))
        allowance = np.maximum(allowance, 0.0)

        with ThreadPoolExecutor(max_workers=max(min(workers, len(phase)), 1)) as pool:
            results = list(pool.map(partial(_reclaim_week, month, out, rows=rows,
                                            rows_of=rows_of, settings=settings),
                                    phase, [allowance] * len(phase)))
        for w, week in zip(phase, results, strict=True):
            days = set(P.weeks[w])
            out = {k: c for k, c in out.items() if k[1] not in days}
            out.update(week)
            done.add(w)
        act = rows.A @ _vector(month, out)
    return out


def _reclaim_week(month: CoveringModel, planned: dict[PlanKey, int], w: int,
                  allowance: np.ndarray, *, rows: _Rows,
                  rows_of: dict[tuple[int, dt.date], np.ndarray], settings: PooledSettings
                  ) -> dict[PlanKey, int]:
    """Week ``w`` of ``planned`` with its short days planned again, worst first."""
    P, groups, T = month.P, month.groups, month.P.templates
    allowance = allowance.copy()
    week = {k: c for k, c in planned.items() if k[1] in set(P.weeks[w])}
    short = [(day_missing_staff_h(month, week, d), d) for d in P.weeks[w]]
    for miss, d in sorted(short, key=lambda t: (-t[0], t[1])):
        if miss <= 0:
            continue
        old = {k: c for k, c in week.items() if k[1] == d}
        budgets: dict[tuple[int, dt.date], tuple[int, int]] = {}
        roomy = False
        for gi in range(len(groups)):
            rs = rows_of.get((gi, d))
            if rs is None:
                continue
            s_used = sum(c for k, c in old.items() if k[0] == gi)
            m_used = sum(c * T[k[2]].paid_min for k, c in old.items() if k[0] == gi)
            counts, minutes = rs[rows.is_count[rs]], rs[~rows.is_count[rs]]
            s_room = int(np.floor(allowance[counts].min() + 1e-6)) if len(counts) else 0
            m_room = int(np.floor(allowance[minutes].min() + 1e-6)) if len(minutes) else 0
            roomy |= s_room > 0 or m_room > 0
            budgets[(gi, d)] = (s_used + s_room, m_used + m_room)
        if not roomy:
            continue
        day = build_covering_model(P, "plan", groups=groups, days=(d,), budgets=budgets,
                                   overdraw=False)
        res = day.solve_lp(settings)
        if not day.is_integral(res.x):
            res = day.solve_mip(settings, lp=res)
        before = day.complete(old, settings)  # the old day inside the new (larger) budgets
        c = np.asarray(day.b.c)
        if before is None or float(c @ res.x) >= float(c @ before) - 1e-6:
            continue
        new = day.plan(res.x)
        delta = np.zeros(len(month.b.c))
        for k, n in old.items():
            delta[month.n[k]] -= n
        for k, n in new.items():
            delta[month.n[k]] += n
        allowance -= rows.A @ delta
        week = {k: n for k, n in week.items() if k[1] != d}
        week.update(new)
    return week

"""After the day-by-day shift plan, the month is solved again in whole shifts over the
columns the month LP or the plan uses (:func:`optimize.roster.pooled.solve_in_lp_support`),
so a shift one day rounded up can move to a day that needs it more — never a worse plan,
never a broken month row, and a large group's month hours stay where the naming can split
them into people."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hallplan.optimize.roster import RosterOptimizer, SolverConfig
from hallplan.optimize.roster.pooled import (
    PooledSettings,
    _large_groups_hours_held,
    plan_coverage,
    plan_objective,
    rows_widened_to,
    solve_in_lp_support,
)
from hallplan.optimize.roster.reclaim import _vector, linking_rows
from tests.test_roster_pooled import _day_by_day, _flagship_december


def _scarce_posts(n_days: int):
    """The demo's first ``n_days`` December days at the VIP room and the complaint desk,
    with the 16 staff qualified for either (VIP clerks, complaint clerks, duty managers)."""
    P = _flagship_december()
    days, posts = P.dates[:n_days], ("vip", "complaint")
    return replace(P, dates=days, posts=posts,
                   employees=tuple(e for e in P.employees if set(e.skills) & set(posts)),
                   required={k: v for k, v in P.required.items()
                             if k[0] in days and k[1] in posts})


@pytest.fixture(scope="module")
def scarce_fortnight():
    return _scarce_posts(14)


@pytest.fixture(scope="module")
def day_by_day(scarce_fortnight):
    return _day_by_day(scarce_fortnight)


def _missing_staff_h(P, planned) -> float:
    cov = plan_coverage(P, planned)
    return sum(max(need - cov.get((d, p, k), 0), 0) for (d, p), v in P.required.items()
               for k, need in enumerate(v)) * P.interval_min / 60.0


def test_the_month_in_the_lp_support_covers_what_the_day_by_day_plan_missed(
        scarce_fortnight, day_by_day):
    month, lp, by_day = day_by_day
    again = solve_in_lp_support(month, lp, by_day)
    # measured: 74,625 -> 60,285 objective units against an LP of 51,390
    assert plan_objective(month, again) < plan_objective(month, by_day)
    assert plan_objective(month, again) >= lp.objective - 1e-6
    assert _missing_staff_h(scarce_fortnight, again) < _missing_staff_h(scarce_fortnight, by_day)


def test_the_month_in_the_lp_support_keeps_every_row_of_the_month_programme(day_by_day):
    month, lp, by_day = day_by_day
    again = solve_in_lp_support(month, lp, by_day)
    rows, _ = linking_rows(month, by_day)  # bounds, or where the day-by-day plan already was
    assert np.all(rows.A @ _vector(month, again) <= rows.cap + 1e-6)
    widened = rows_widened_to(month, month.b.matrix().tocsr(), by_day)
    assert month.complete(again, PooledSettings(), row_bounds=widened) is not None


def test_a_large_groups_month_hours_are_held_at_the_day_by_day_plans():
    """22 general clerks: the naming needs the few hours a day-by-day plan leaves under the
    sum of their 40-hour averages; the small groups keep their own packing allowance."""
    P = _flagship_december()
    days = P.dates[:14]  # three calendar weeks (Tuesday 1 December to Monday 14)
    G = replace(P, dates=days, posts=("general",),
                employees=tuple(e for e in P.employees if set(e.skills) == {"general"}),
                required={k: v for k, v in P.required.items()
                          if k[0] in days and k[1] == "general"})
    month, _lp, by_day = _day_by_day(G)
    A = month.b.matrix().tocsr()
    hi = list(month.b.row_ub)
    held = _large_groups_hours_held(month, A, by_day, hi)
    act = A @ _vector(month, by_day)
    changed = [r for r in range(len(hi)) if held[r] != hi[r]]
    assert len(changed) == 1  # the group's horizon row, nothing else
    assert held[changed[0]] == pytest.approx(act[changed[0]])
    assert held[changed[0]] < hi[changed[0]]
    # a small group's rows are left as they were
    small_month, _, small_plan = _day_by_day(_scarce_posts(7))
    B = small_month.b.matrix().tocsr()
    assert _large_groups_hours_held(small_month, B, small_plan,
                                    list(small_month.b.row_ub)) == list(small_month.b.row_ub)


def test_a_roster_from_the_lp_support_keeps_every_rule_and_covers_more(scarce_fortnight):
    day_path = PooledSettings(cover_mip_max_columns=0, month_mip_max_columns=0)
    plain = RosterOptimizer(scarce_fortnight, SolverConfig(workers=2))
    plain.pooled_settings = replace(day_path, support_search=False)
    again = RosterOptimizer(scarce_fortnight, SolverConfig(workers=2))
    again.pooled_settings = day_path
    a, b = plain.solve(), again.solve()
    assert b.check.ok, b.check.violations[:5]
    assert b.check.under_staff_hours < a.check.under_staff_hours


def test_the_month_in_the_lp_support_is_the_same_when_the_machine_is_busy(day_by_day):
    """Node and solution limits, never the clock: two processes keeping both cores busy
    change nothing."""
    import multiprocessing as mp
    import time

    from tests.test_roster_pooled import _burn

    month, lp, by_day = day_by_day
    quiet = solve_in_lp_support(month, lp, by_day)
    stop = time.time() + 60
    hogs = [mp.get_context("spawn").Process(target=_burn, args=(stop,)) for _ in range(2)]
    for h in hogs:
        h.start()
    try:
        busy = solve_in_lp_support(month, lp, by_day)
    finally:
        for h in hogs:
            h.terminate()
            h.join()
    assert busy == quiet

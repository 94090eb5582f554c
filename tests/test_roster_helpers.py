"""Builders for the roster tests (no tests here): a tiny hall, a requirement from a dict,
models for the per-rule micro-tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from ortools.sat.python import cp_model

from hallplan.optimize.roster import RosterProblem, RosterRow, SolverConfig, make_solver
from hallplan.optimize.roster.vars import AssignmentVars
from hallplan.optimize.staffing_requirement import Requirement
from hallplan.sim.loader import deep_merge
from hallplan.sim.scenario import Scenario
from tests.helpers import small_hall

MON = dt.date(2026, 3, 9)  # a Monday
CFG = SolverConfig(time_limit_s=10, workers=2, seed=1)


def tiny_hall(open_: str = "09:00", close: str = "15:00", **overrides: Any) -> Scenario:
    """A 30-min-grid hall; shifts 3/4/6 h; a 30-min meal break for shifts over 5 h."""
    hours = int(close[:2]) - int(open_[:2])
    base = {
        "hours": {"open": open_, "close": close},
        "demand": {"intraday": {"weekday": [1] * max(hours, 1)}},
        "labour": {
            "shift_lengths_hours": [3.0, 4.0, 6.0],
            "meal_break": {
                "min_shift_hours": 5.0,
                "length_min": 30,
                "earliest_after_start_min": 120,
                "latest_before_end_min": 60,
            },
            "handover_min": 15,
            "max_weekly_hours": 44.0,
            "max_avg_weekly_hours": 40.0,
            "max_consecutive_days": 6,
            "min_rest_hours": 11.0,
            "min_days_off_per_week": 1,
        },
        "staff": {"employees": [{"id": "A"}, {"id": "B"}], "on_call_reserve_holidays": 0},
    }
    return small_hall(**deep_merge(base, overrides))


def requirement(
    rows: list[tuple[dt.date, str, str, str, int]],
    interval_min: int = 30,
    dates: list[dt.date] | None = None,
) -> Requirement:
    """rows: (date, post, from "HH:MM", to "HH:MM", staff); ``dates`` adds zero rows."""
    out = []
    for d, post, a, b, n in rows:
        t, end = _m(a), _m(b)
        while t < end:
            out.append((d, t, post, n, "test"))
            t += interval_min
    for d in dates or []:
        out.append((d, 9 * 60, "general", 0, "test"))
    return Requirement(
        interval_min,
        pd.DataFrame(out, columns=["date", "interval_start_min", "post", "staff", "method"]),
    )


def _m(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def row(
    P: RosterProblem,
    emp: str,
    d: dt.date,
    start: str,
    hours: float,
    post: str = "general",
    brk: str | None = None,
) -> RosterRow:
    """A roster row by counter start, length and break start (HH:MM)."""
    s = _m(start)
    h = P.labour.handover_min
    b = _m(brk) if brk else None
    return RosterRow(
        emp,
        d,
        s - h,
        s + int(hours * 60),
        post,
        b,
        b + P.labour.meal_break.length_min if b is not None else None,
        h,
    )


def forced_model(P: RosterProblem, rows: list[RosterRow]
                 ) -> tuple[cp_model.CpModel, AssignmentVars]:
    """A model whose assignment is exactly ``rows``: one variable per (employee, date, template,
    post) the rows use on their date (no prefiltering), those of the rows fixed to 1, the
    others to 0. Rule helpers added to it can only accept or refuse the roster (hard rules) or
    price it (their auxiliary variables are still free)."""
    m = cp_model.CpModel()
    index = {t: k for k, t in enumerate(P.templates)}
    options = {d: list(dict.fromkeys((index[r.template], r.post) for r in rows if r.date == d))
               for d in P.dates}
    V = AssignmentVars(m, P, options, prefilter=False)
    chosen = {(r.employee, r.date, index[r.template], r.post) for r in rows}
    for key, v in V.items():
        m.add(v == (1 if key in chosen else 0))
    return m, V


def forced_status(P: RosterProblem, rule, rows: list[RosterRow]) -> str:
    """Solve a model with only ``rule`` and the assignment fixed to ``rows``."""
    m, V = forced_model(P, rows)
    rule(m, P, V)
    solver = make_solver(CFG)
    return solver.status_name(solver.solve(m))


def forced_penalty(P: RosterProblem, helper, rows: list[RosterRow], rule_id: str) -> float:
    """The least value of the penalty terms named ``rule_id`` that ``helper`` adds, with the
    assignment fixed to ``rows``; the helper must name at least one term so."""
    m, V = forced_model(P, rows)
    out = helper(m, P, V)
    terms = [t for t in (out[0] if isinstance(out, tuple) else out) if t.rule == rule_id]
    assert terms, f"{helper.__name__} adds no penalty term named {rule_id!r}"
    expr = sum(t.weight * t.var for t in terms)
    if isinstance(expr, int | float):  # nothing to decide (e.g. no shift at all)
        return float(expr)
    m.minimize(expr)
    solver = make_solver(CFG)
    assert solver.status_name(solver.solve(m)) == "OPTIMAL"
    return solver.objective_value

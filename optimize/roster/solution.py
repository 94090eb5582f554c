"""Typed roster output: :class:`Roster` (rows), its staffing timeline and the solve result."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from hallplan.optimize.roster.templates import ShiftTemplate
from hallplan.sim.staffing import DayStaffing, Staffing

if TYPE_CHECKING:  # pragma: no cover
    from hallplan.optimize.roster.check import CheckReport


@dataclass(frozen=True, slots=True, order=True)
class RosterRow:
    """One employee-day: paid from ``start_min`` (handover starts) to ``end_min``; at ``post``
    from ``start_min + handover_min`` to ``end_min`` except the unpaid meal break."""

    employee: str
    date: dt.date
    start_min: int
    end_min: int
    post: str
    break_start_min: int | None = None
    break_end_min: int | None = None
    handover_min: int = 0

    @property
    def template(self) -> ShiftTemplate:
        return _template(self.start_min, self.start_min + self.handover_min, self.end_min,
                         self.break_start_min, self.break_end_min)

    @property
    def paid_min(self) -> int:
        return self.template.paid_min


@lru_cache(maxsize=4096)
def _template(arrival_min: int, counter_start_min: int, end_min: int,
              break_start_min: int | None, break_end_min: int | None) -> ShiftTemplate:
    """One shared template object per shape: the repair and the checker ask a row for its
    template millions of times on a month's roster (measured: 2.2 M calls in one repair)."""
    return ShiftTemplate(arrival_min, counter_start_min, end_min, break_start_min, break_end_min)


@dataclass(frozen=True)
class Roster:
    """A roster over ``dates``; ``on_call`` lists (employee, date) kept as holiday reserve."""

    rows: tuple[RosterRow, ...]
    dates: tuple[dt.date, ...]
    on_call: tuple[tuple[str, dt.date], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(sorted(self.rows)))

    def to_frame(self) -> pd.DataFrame:
        cols = ["employee", "date", "start_min", "end_min", "post", "break_start_min",
                "break_end_min", "handover_min"]
        return pd.DataFrame([[getattr(r, c) for c in cols] for r in self.rows], columns=cols)

    def to_staffing(self) -> Staffing:
        """One seat per employee-day at its post: the shift minus handover and meal break."""
        by_date: dict[dt.date, dict[str, list]] = {d: defaultdict(list) for d in self.dates}
        for r in self.rows:
            spans = tuple((float(a), float(b)) for a, b in r.template.counter_spans())
            by_date.setdefault(r.date, defaultdict(list))[r.post].append(spans)
        return Staffing(by_date={
            d: DayStaffing({p: tuple(seats) for p, seats in posts.items()})
            for d, posts in by_date.items()
        })

    def hours_per_week(self) -> pd.DataFrame:
        """Paid hours per employee per 7-day block from the first date (long format)."""
        if not self.dates:
            return pd.DataFrame(columns=["employee", "week", "week_start", "paid_hours"])
        first = self.dates[0]
        acc: dict[tuple[str, int], int] = defaultdict(int)
        for r in self.rows:
            acc[(r.employee, (r.date - first).days // 7)] += r.paid_min
        rows = [(e, w, first + dt.timedelta(days=7 * w), m / 60.0)
                for (e, w), m in sorted(acc.items())]
        return pd.DataFrame(rows, columns=["employee", "week", "week_start", "paid_hours"])

    def paid_hours(self) -> float:
        return sum(r.paid_min for r in self.rows) / 60.0


@dataclass(frozen=True)
class StageStats:
    """What CP-SAT said about one model."""

    name: str
    status: str
    objective: float
    best_bound: float
    wall_time_s: float
    n_variables: int = 0
    counts_in_bound: bool = True  # False: a priority step whose objective is not additive

    @property
    def gap(self) -> float:
        if self.objective == 0:
            return 0.0 if self.best_bound == 0 else float("inf")
        return abs(self.objective - self.best_bound) / max(abs(self.objective), 1e-9)


@dataclass(frozen=True)
class RosterResult:
    """A solved roster. ``objective`` is recomputed by the independent checker from the
    roster; ``best_bound`` is the sum of the stage bounds (the two-stage bound is a bound on
    each stage given the previous one, not on the joint problem)."""

    roster: Roster
    method: str
    status: str
    objective: float
    best_bound: float
    wall_time_s: float
    stages: tuple[StageStats, ...]
    check: CheckReport = field(repr=False)
    #: deterministic time the solves used (solver work units; see optimize.roster.config)
    work_units: float = float("nan")
    #: False when a wall-clock safety cap stopped a solve (the roster may differ on re-run)
    reproducible: bool = True
    #: moves of the greedy repair (pooled method): shifts added, posts switched
    repairs: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        if self.objective == 0:
            return 0.0
        return max(0.0, self.objective - self.best_bound) / abs(self.objective)

    def summary(self) -> str:
        c = self.check
        return (f"{self.method}: status {self.status}, objective {self.objective:,.0f}, "
                f"bound {self.best_bound:,.0f}, gap {self.gap:.1%}, {self.wall_time_s:.1f} s; "
                f"paid {self.roster.paid_hours():,.1f} h, under-coverage "
                f"{c.under_staff_hours:,.1f} staff-h, hard violations {len(c.violations)}, "
                f"short posts a qualified person could fill {len(c.idle)}")

"""The roster problem as inert, frozen data: who, when, what is needed, under which rules.

Built once from a :class:`~hallplan.sim.scenario.Scenario` and a
:class:`~hallplan.optimize.staffing_requirement.Requirement`
and shared by the CP-SAT models and the independent checker (no ortools import here).

Conventions:

* **Weeks** are 7-day blocks from the first roster date (day 0–6, 7–13, …). The weekly cap
  (``max_weekly_hours``) applies to every block, ``min_days_off_per_week`` only to full blocks.
* **Average hours**: each employee's paid hours over the horizon ≤ min(contract,
  ``max_avg_weekly_hours``) × days / 7 — but never below one week's average when the
  horizon is shorter than a week: the average is over weeks, and a 1- or 2-day plan is part
  of a week whose other days are not planned here (pro rata, a 1-day plan would allow
  40 / 7 = 5.7 h and no normal day's shift). Leave does not lower the cap.
* **Eligibility**: an employee may work a post iff the post's name is one of their skills
  (``vip`` needs "vip", ``complaint`` "complaint", ``greeter`` "greeter").
* **Duty manager**: on every open interval of every date at least one duty manager is on site
  (arrival → end; the meal break counts as on site). A duty manager also works a post and
  counts towards its coverage (they are the last escalation step, Part A).
* **Consecutive days** before the first roster date are not known and not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from hallplan.optimize.roster.templates import ShiftTemplate, build_templates, clock
from hallplan.optimize.staffing_requirement import Requirement
from hallplan.sim.errors import Problem, ScenarioError
from hallplan.sim.scenario import Employee, LabourRules, Scenario

WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
POST_LABEL = {"general": "General counters", "vip": "VIP lane", "complaint": "Complaint desk",
              "greeter": "Greeter post"}


def day_label(d: dt.date) -> str:
    return f"{WEEKDAY[d.weekday()]} {d.day} {d.strftime('%b')}"


def post_label(post: str) -> str:
    return POST_LABEL.get(post, f"{post} lane")


@dataclass(frozen=True)
class Weights:
    """Weights of the named penalty terms (objective units; 1 = one paid minute). Each prices
    the rule of :mod:`~hallplan.optimize.roster.registry` whose ``weight`` names it; the term
    carries that rule's id (``no_duty_manager`` prices ``duty_manager_on_site``).

    ``under_coverage`` is per missing person per interval and grows with the gap: the first
    missing person costs ``under_coverage[0]``, the second ``under_coverage[1]``, every further
    one ``under_coverage[2]`` (convex, so the LP relaxation stays tight).
    """

    under_coverage: tuple[int, int, int] = (1000, 2000, 4000)
    over_coverage: int = 2  # per surplus person per interval
    paid_minute: int = 1  # per paid minute (handover included)
    weekend_spread: int = 60  # per shift of (max − min) weekend shifts per employee
    evening_spread: int = 60  # per shift of (max − min) evening shifts (ending in last hour)
    hours_spread: int = 1  # per minute of (max − min) paid minutes over the horizon
    missing_on_call: int = 500  # per missing on-call reserve person on a reserve date
    no_duty_manager: int = 100_000  # per open interval without a duty manager (hard rule)


@dataclass(frozen=True)
class RosterProblem:
    dates: tuple[dt.date, ...]
    posts: tuple[str, ...]
    interval_min: int
    open_min: int
    close_min: int
    employees: tuple[Employee, ...]
    labour: LabourRules
    required: Mapping[tuple[dt.date, str], tuple[int, ...]] = field(repr=False)
    templates: tuple[ShiftTemplate, ...] = field(repr=False)
    reserve_dates: frozenset[dt.date] = frozenset()
    reserve_size: int = 0
    weights: Weights = Weights()
    evening_end_min: int = 0  # a shift ending at or after this is an evening shift
    # physical counters/posts: nobody can be rostered at a post beyond them (hard rule)
    capacity: Mapping[str, int] = field(default_factory=dict)
    #: (date, post, interval index) cells whose missing people cost ``priority_factor``
    #: times the ``under_coverage`` weights: the loop's roster gaps (intervals the simulation
    #: showed missing their target while rostered below the requirement), so a re-roster
    #: delivers them by taking a person from an interval whose lane has room. Empty by default.
    priority: frozenset[tuple[dt.date, str, int]] = frozenset()
    priority_factor: int = 20

    # ------------------------------------------------------------------ construction
    @staticmethod
    def from_scenario(scenario: Scenario, requirement: Requirement,
                      reserve_dates: Iterable[dt.date] | None = None,
                      weights: Weights | None = None,
                      employees: Iterable[Employee] | None = None,
                      break_step_min: int | None = None,
                      priority: Iterable[tuple[dt.date, str, int]] = ()) -> RosterProblem:
        iv = int(requirement.interval_min)
        open_min, close_min = int(scenario.hours.open), int(scenario.hours.close)
        grid = list(range(open_min, close_min, iv))
        t = requirement.table
        posts = tuple(scenario.posts)
        unknown = sorted(set(t["post"]) - set(scenario.posts))
        problems = []
        source = requirement.source
        if unknown:
            rows = t.index[t["post"].isin(unknown)]
            problems.append(Problem(source, "column post", f"a post of the scenario "
                                    f"({', '.join(scenario.posts)})",
                                    f"{', '.join(map(repr, unknown[:10]))} "
                                    f"({len(rows)} row(s))"))
        off_grid = sorted({float(x) for x in t["interval_start_min"]}
                          - {float(g) for g in grid})
        if off_grid and any(open_min <= x < close_min for x in off_grid):
            problems.append(Problem(source, "column interval_start_min",
                                    f"starts on the {iv}-min grid from {clock(open_min)}",
                                    ", ".join(clock(x) for x in off_grid[:5])))
        if problems:
            raise ScenarioError(problems)
        dates = tuple(requirement.dates)
        if dates:
            span = (dates[-1] - dates[0]).days + 1
            dates = tuple(dates[0] + dt.timedelta(days=k) for k in range(span))
        index = {g: k for k, g in enumerate(grid)}
        req: dict[tuple[dt.date, str], list[int]] = {
            (d, p): [0] * len(grid) for d in dates for p in posts
        }
        for row in t.itertuples(index=False):
            k = index.get(int(row.interval_start_min))
            if k is not None:
                cell = req[(row.date, row.post)]
                cell[k] = max(cell[k], int(row.staff))
        if reserve_dates is None:
            reserve_dates = [sd.date for sd in scenario.demand.special_days]
        return RosterProblem(
            dates=dates, posts=posts, interval_min=iv, open_min=open_min, close_min=close_min,
            employees=tuple(employees if employees is not None
                            else scenario.staff.all_employees()),
            labour=scenario.labour,
            required={k: tuple(v) for k, v in req.items()},
            templates=build_templates(scenario.labour, open_min, close_min, iv, break_step_min),
            reserve_dates=frozenset(d for d in reserve_dates if d in set(dates)),
            reserve_size=scenario.staff.on_call_reserve_holidays,
            weights=weights or Weights(),
            evening_end_min=close_min - 60,
            capacity={p: scenario.physical_capacity(p) for p in posts},
            priority=frozenset(c for c in priority if (c[0], c[1]) in req
                               and 0 <= c[2] < len(grid)),
        )

    # ------------------------------------------------------------------ derived
    @cached_property
    def grid(self) -> tuple[int, ...]:
        return tuple(range(self.open_min, self.close_min, self.interval_min))

    @property
    def n_days(self) -> int:
        return len(self.dates)

    def week_of(self, d: dt.date) -> int:
        return (d - self.dates[0]).days // 7

    @cached_property
    def weeks(self) -> tuple[tuple[dt.date, ...], ...]:
        out: dict[int, list[dt.date]] = {}
        for d in self.dates:
            out.setdefault(self.week_of(d), []).append(d)
        return tuple(tuple(v) for _, v in sorted(out.items()))

    def available(self, e: Employee, d: dt.date) -> bool:
        return d not in e.leave and d.weekday() not in e.unavailable_weekdays

    @staticmethod
    def eligible(e: Employee, post: str) -> bool:
        return post in e.skills

    def avg_cap_min(self, e: Employee) -> int:
        """Paid minutes the average-hours rule allows ``e`` over the horizon (see above)."""
        per_week = min(e.contract_hours_per_week, self.labour.max_avg_weekly_hours)
        days = max(self.n_days, 7) if self.n_days else 0
        return int(per_week * 60 * days / 7 + 1e-6)

    @property
    def week_cap_min(self) -> int:
        return int(self.labour.max_weekly_hours * 60 + 1e-6)

    @property
    def rest_min(self) -> int:
        return round(self.labour.min_rest_hours * 60)

    @property
    def duty_managers(self) -> tuple[Employee, ...]:
        return tuple(e for e in self.employees if e.duty_manager)

    def is_weekend(self, d: dt.date) -> bool:
        return d.weekday() >= 5

    def is_evening(self, t: ShiftTemplate) -> bool:
        return t.end_min >= self.evening_end_min

    def under_weights(self, d: dt.date, post: str, k: int) -> tuple[int, int, int]:
        """Cost of the 1st, 2nd and every further missing person at ``post``, interval
        ``k`` of ``d`` (objective units): ``weights.under_coverage``, times
        ``priority_factor`` in a priority cell."""
        w = self.weights.under_coverage
        if (d, post, k) in self.priority:
            f = self.priority_factor
            return (w[0] * f, w[1] * f, w[2] * f)
        return w

    def required_staff_hours(self) -> float:
        return sum(sum(v) for v in self.required.values()) * self.interval_min / 60.0

"""Entry points for the CLI and the benchmark: requirement from bands, roster from files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from hallplan.optimize.roster.config import SolverConfig
from hallplan.optimize.roster.diagnose import (
    RosterInfeasibleError,
    headcount_shortfall,
    rule_problems,
)
from hallplan.optimize.roster.model import RosterOptimizer
from hallplan.optimize.roster.problem import RosterProblem, post_label
from hallplan.optimize.roster.solution import RosterResult
from hallplan.optimize.staffing_requirement import Requirement
from hallplan.sim.dates import month_dates  # noqa: F401  (re-exported by optimize.roster)
from hallplan.sim.loader import load_scenario
from hallplan.sim.scenario import Scenario, format_clock


def requirement_from_bands(scenario: Scenario, dates: Iterable[dt.date]) -> Requirement:
    """The scenario's ``default_staffing`` bands read as "required at post" for every date."""
    rows = []
    for d in dates:
        for t0 in range(int(scenario.hours.open), int(scenario.hours.close),
                        scenario.interval_min):
            need: dict[str, int] = {}
            for band in scenario.default_staffing:
                if band.start <= t0 < band.end:
                    for post, n in band.posts.items():
                        need[post] = max(need.get(post, 0), n)
            for post, n in need.items():
                rows.append((d, t0, post, n, "default_staffing"))
    table = pd.DataFrame(rows, columns=["date", "interval_start_min", "post", "staff", "method"])
    return Requirement(scenario.interval_min, table, notes="scenario default_staffing bands")


def roster_from_files(scenario: Scenario | str | Path, requirement: Requirement | str | Path,
                      time_limit_s: float = 60.0, workers: int = 2, seed: int = 0,
                      require_full_cover: bool = False, progress=None,
                      polish_work_units: float = 0.0) -> RosterResult:
    """``hallplan roster FILE --requirement requirement.csv``: load, build, solve, check.
    ``progress(stage, done, total)`` reports the stages (see :class:`RosterOptimizer`).

    Raises ``ScenarioError`` for bad inputs, ``RosterInfeasibleError`` (with planner messages)
    when a hard rule cannot hold — labour rules that leave no shift to work are said before
    any solver runs (:func:`~hallplan.optimize.roster.diagnose.rule_problems`) —, and
    ``RosterNotFoundError`` when no roster is found in time.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    req = (requirement if isinstance(requirement, Requirement)
           else Requirement.read_csv(Path(requirement)))
    problem = RosterProblem.from_scenario(sc, req)
    rules = rule_problems(problem)
    if rules:
        raise RosterInfeasibleError(rules)
    config = SolverConfig(time_limit_s=time_limit_s, workers=workers, seed=seed,
                          polish_work_units=polish_work_units)
    return RosterOptimizer(problem, config, require_full_cover=require_full_cover,
                           progress=progress).solve()


#: a requirement above this multiple of a post's physical counters is surely a typo
FAR_ABOVE_COUNTERS = 2


def requirement_warnings(scenario: Scenario, requirement: Requirement) -> list[str]:
    """What a planner should know before rostering ``requirement`` for ``scenario`` although
    it is no error: staff far above a post's physical counters (the roster is capped at the
    counters), rows outside the opening hours (not rostered), and a headcount that cannot give
    the staff-hours asked for."""
    out: list[str] = []
    t = requirement.table
    src = requirement.source
    for post, grp in t.groupby("post", sort=True):
        if post not in scenario.posts:
            continue
        cap = scenario.physical_capacity(post)
        peak = int(grp["staff"].max())
        if peak > max(FAR_ABOVE_COUNTERS * cap, cap + 2):
            row = grp.loc[grp["staff"].idxmax()]
            out.append(f"{src}: {post_label(post)} ({post}): up to {peak} staff asked for "
                       f"({row['date']} {format_clock(row['interval_start_min'])}) at "
                       f"{cap} physical counter(s)/post(s); at most {cap} can be rostered there "
                       f"(check the file, or the scenario's layout)")
    open_min, close_min = scenario.hours.open, scenario.hours.close
    outside = t[(t["interval_start_min"] < open_min) | (t["interval_start_min"] >= close_min)]
    if len(outside):
        out.append(f"{src}: {len(outside)} row(s) outside the opening hours "
                   f"{format_clock(open_min)}–{format_clock(close_min)} (e.g. "
                   f"{outside.iloc[0]['date']} "
                   f"{format_clock(outside.iloc[0]['interval_start_min'])}) are not rostered")
    problem = RosterProblem.from_scenario(scenario, requirement)
    out.extend(headcount_shortfall(problem))
    return out

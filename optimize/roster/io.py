"""Entry points for the CLI and the benchmark: requirement from bands, roster from files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from hallplan.optimize.roster.config import SolverConfig
from hallplan.optimize.roster.model import RosterOptimizer
from hallplan.optimize.roster.problem import RosterProblem
from hallplan.optimize.roster.solution import RosterResult
from hallplan.optimize.staffing_requirement import Requirement
from hallplan.sim.dates import month_dates  # noqa: F401  (re-exported by optimize.roster)
from hallplan.sim.loader import load_scenario
from hallplan.sim.scenario import Scenario


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
                      require_full_cover: bool = False) -> RosterResult:
    """``hallplan roster FILE --requirement requirement.csv``: load, build, solve, check.

    Raises ``ScenarioError`` for bad inputs, ``RosterInfeasibleError`` (with planner messages)
    when a hard rule cannot hold, ``RosterNotFoundError`` when no roster is found in time.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    req = (requirement if isinstance(requirement, Requirement)
           else Requirement.read_csv(Path(requirement)))
    problem = RosterProblem.from_scenario(sc, req)
    config = SolverConfig(time_limit_s=time_limit_s, workers=workers, seed=seed)
    return RosterOptimizer(problem, config, require_full_cover=require_full_cover).solve()

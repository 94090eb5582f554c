"""Requirement: the minimum staff per (date, interval, post) that meets the hall's targets.

It is the contract between staffing analytics (``hallplan.optimize.requirements``) and the roster
optimiser (``hallplan.optimize.roster``), and is written/read as ``requirement.csv`` with columns
``date, interval_start_min, post, staff, method``. ``post`` is a lane name of the scenario
(``general``, ``vip``, ``complaint`` …) or ``greeter``; ``staff`` is a whole number of people
who must be *at the post* (on a counter, not on break or in handover) for the whole interval.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hallplan.sim.errors import Problem, ScenarioError
from hallplan.sim.scenario import Scenario

REQUIREMENT_COLUMNS = ("date", "interval_start_min", "post", "staff", "method")


@dataclass(frozen=True)
class Requirement:
    interval_min: int
    table: pd.DataFrame = field(repr=False)
    notes: str = ""
    source: str = "<requirement>"  # the file it was read from (named in problems)

    def __post_init__(self) -> None:
        missing = [c for c in REQUIREMENT_COLUMNS if c not in self.table.columns]
        if missing:
            raise ScenarioError(
                [Problem(self.source, "columns", f"columns {list(REQUIREMENT_COLUMNS)}",
                         f"missing {missing}")]
            )
        t = self.table.loc[:, list(REQUIREMENT_COLUMNS)].copy()
        t["date"] = pd.to_datetime(t["date"]).dt.date
        t["interval_start_min"] = t["interval_start_min"].astype(float)
        t["staff"] = t["staff"].astype(int)
        if (t["staff"] < 0).any():
            raise ScenarioError([Problem(self.source, "staff", "staff >= 0", "negative")])
        t = t.sort_values(["date", "post", "interval_start_min"]).reset_index(drop=True)
        object.__setattr__(self, "table", t)

    @property
    def dates(self) -> list[dt.date]:
        return sorted(set(self.table["date"]))

    @property
    def posts(self) -> list[str]:
        return sorted(set(self.table["post"]))

    def staff_hours(self) -> float:
        return float(self.table["staff"].sum() * self.interval_min / 60.0)

    @staticmethod
    def read_csv(path: Path, interval_min: int | None = None) -> Requirement:
        """Read ``requirement.csv`` (every flaw named by row and column, see
        :mod:`hallplan.optimize.requirement_csv`); the interval length is inferred from the
        grid if not given."""
        from hallplan.optimize.requirement_csv import read_requirement_table

        t = read_requirement_table(path)
        if interval_min is None:
            starts = sorted(set(t["interval_start_min"]))
            gaps = {b - a for a, b in itertools.pairwise(starts)}
            interval_min = int(min(gaps)) if gaps else 30
        return Requirement(interval_min, t, source=str(path))


def staff_on_the_floor(req: Requirement, scenario: Scenario) -> Requirement:
    """What the roster must put on the floor for ``req`` (staff *serving* at each post) to be
    met when only ``scenario.staff.availability`` of the rostered counter staff serve at a
    time: ⌈staff ÷ availability⌉ at each counter lane, capped at the lane's counters
    (a person on the roster still occupies a counter between customers); greeters are not
    counter staff and are kept. At availability 1 the requirement is returned unchanged.
    The simulator applies the same factor the other way
    (:func:`hallplan.sim.staffing.serving_staffing`)."""
    a = scenario.staff.availability
    if a == 1.0:
        return req
    t = req.table.copy()
    lane = t["post"].isin(list(scenario.lanes)).to_numpy()
    staff = t["staff"].to_numpy(dtype=float)
    floor = np.where(lane, np.ceil(staff / a - 1e-9), staff)
    cap = t["post"].map(scenario.physical_capacity).to_numpy(dtype=float)
    capped = int((floor > cap).sum())
    t["staff"] = np.minimum(floor, cap).astype(int)
    t.loc[lane & (staff > 0), "method"] = t.loc[lane & (staff > 0), "method"] + f"/{a:g}"
    note = (
        f"on the floor: serving requirement ÷ availability {a:g} at the counter lanes"
        + (f"; {capped} cells capped at the counters" if capped else "")
    )
    return Requirement(req.interval_min, t, f"{req.notes}; {note}" if req.notes else note,
                       source=req.source)

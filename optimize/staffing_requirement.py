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

import pandas as pd

from hallplan.sim.errors import Problem, ScenarioError

REQUIREMENT_COLUMNS = ("date", "interval_start_min", "post", "staff", "method")


@dataclass(frozen=True)
class Requirement:
    interval_min: int
    table: pd.DataFrame = field(repr=False)
    notes: str = ""

    def __post_init__(self) -> None:
        missing = [c for c in REQUIREMENT_COLUMNS if c not in self.table.columns]
        if missing:
            raise ScenarioError(
                [Problem("<requirement>", "columns", f"columns {list(REQUIREMENT_COLUMNS)}",
                         f"missing {missing}")]
            )
        t = self.table.loc[:, list(REQUIREMENT_COLUMNS)].copy()
        t["date"] = pd.to_datetime(t["date"]).dt.date
        t["interval_start_min"] = t["interval_start_min"].astype(float)
        t["staff"] = t["staff"].astype(int)
        if (t["staff"] < 0).any():
            raise ScenarioError([Problem("<requirement>", "staff", "staff >= 0", "negative")])
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
        """Read ``requirement.csv``; the interval length is inferred from the grid if not given."""
        p = Path(path)
        try:
            t = pd.read_csv(p)
        except FileNotFoundError:
            raise ScenarioError([Problem(str(p), "", "an existing file", "no such file")]) from None
        missing = [c for c in REQUIREMENT_COLUMNS if c not in t.columns]
        if missing:
            raise ScenarioError(
                [Problem(str(p), "header", f"columns {list(REQUIREMENT_COLUMNS)}",
                         f"missing {missing}")]
            )
        if interval_min is None:
            starts = sorted(set(t["interval_start_min"].astype(float)))
            gaps = {b - a for a, b in itertools.pairwise(starts)}
            interval_min = int(min(gaps)) if gaps else 30
        return Requirement(interval_min, t)

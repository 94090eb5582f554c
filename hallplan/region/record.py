"""One hall's line of the region table, as a typed record.

A planned hall fills every field; a failed or unfinished hall only its id, status, error and
current headcount (the rest stay NaN / None). The record travels to the resume marker as
JSON (:meth:`HallRow.as_dict` / :meth:`HallRow.from_mapping`) and into the region table
(:func:`hall_frame`), whose flag columns are pandas' nullable ``boolean`` — so the report
reads True / False / <NA>, never strings parsed back from a file.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

NAN = math.nan
STATUSES = ("ok", "failed", "not finished")


@dataclass(frozen=True)
class HallRow:
    hall: str
    status: str  # one of STATUSES
    error: str = ""
    scenario: str = ""
    headcount_current: int | None = None
    headcount_needed: int | None = None
    headcount_assigned: int | None = None
    paid_hours: float = NAN
    requirement_staff_hours: float = NAN
    under_coverage_staff_hours: float = NAN
    rounds: int | None = None
    targets_hold: bool | None = None
    intervals_missing_target: int | None = None
    target_share: float = NAN
    share_within_target: float = NAN
    share_within_target_lo: float = NAN
    share_within_target_hi: float = NAN
    abandon_share: float = NAN
    abandon_share_lo: float = NAN
    abandon_share_hi: float = NAN
    mean_wait_min: float = NAN
    mean_wait_min_lo: float = NAN
    mean_wait_min_hi: float = NAN
    customers: float = NAN
    late_customers: float = NAN
    peak_share_within_target: float = NAN
    peak_share_within_target_lo: float = NAN
    peak_share_within_target_hi: float = NAN
    holiday_share_within_target: float = NAN
    holiday_share_within_target_lo: float = NAN
    holiday_share_within_target_hi: float = NAN
    peak_at_risk: bool | None = None
    holiday_date: str = ""
    holiday_at_risk: bool | None = None
    marginal_value: float = NAN
    curve: str = ""
    roster_reproducible: bool | None = None
    run_time_s: float = NAN  # the only per-run field (see TIMING_COLUMNS)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"HallRow.status: expected one of {STATUSES}; found {self.status!r}")
        for f in fields(self):
            v = getattr(self, f.name)
            object.__setattr__(self, f.name, _coerce(f.name, KINDS[f.name], v))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> HallRow:
        """From a dict (a resume marker's ``row``); unknown keys are an error."""
        unknown = sorted(set(data) - set(KINDS))
        if unknown:
            raise ValueError(f"HallRow: expected fields of the region table; found {unknown}")
        return cls(**data)

    def as_dict(self) -> dict[str, Any]:
        """Plain Python values (JSON-ready; NaN stays NaN)."""
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> HallRow:
        return dataclasses.replace(self, **changes)


def _kind(annotation: str) -> str:
    return {"str": "str", "float": "float", "int | None": "int", "bool | None": "bool"}[annotation]


KINDS: dict[str, str] = {f.name: _kind(str(f.type)) for f in fields(HallRow)}
FLAG_COLUMNS = tuple(k for k, v in KINDS.items() if v == "bool")
#: columns of the region table that are results (identical whichever executor)
RESULT_COLUMNS = tuple(k for k in KINDS if k not in ("hall", "scenario", "status", "error"))
#: ``run_time_s`` is the only per-run column
TIMING_COLUMNS = ("run_time_s",)


def _coerce(name: str, kind: str, v: Any) -> Any:
    if kind == "str":
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        if not isinstance(v, str):
            raise TypeError(f"HallRow.{name}: expected text; found {v!r}")
        return v
    if kind == "bool":
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, bool | np.bool_):
            return bool(v)
        raise TypeError(f"HallRow.{name}: expected true/false; found {v!r}")
    missing = v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
    if kind == "int":
        if missing:
            return None
        if isinstance(v, bool | np.bool_) or not isinstance(v, int | float | np.number) or (
                float(v) != int(v)):
            raise TypeError(f"HallRow.{name}: expected a whole number; found {v!r}")
        return int(v)
    if missing:
        return NAN
    if isinstance(v, bool | np.bool_) or not isinstance(v, int | float | np.integer | np.floating):
        raise TypeError(f"HallRow.{name}: expected a number; found {v!r}")
    return float(v)


def hall_frame(rows: Iterable[HallRow]) -> pd.DataFrame:
    """The region table: one row per record, every column, typed (flags as ``boolean``, counts as
    ``Int64``)."""
    frame = pd.DataFrame([r.as_dict() for r in rows], columns=list(KINDS))
    for col in FLAG_COLUMNS:
        frame[col] = frame[col].astype("boolean")
    for col, kind in KINDS.items():
        if kind == "float":
            frame[col] = frame[col].astype(float)
        elif kind == "int":
            frame[col] = frame[col].astype("Int64")
    return frame


__all__ = ["FLAG_COLUMNS", "RESULT_COLUMNS", "TIMING_COLUMNS", "HallRow", "hall_frame"]

"""Demand: expected arrival rate per (date, interval, service type, customer class).

A Demand comes from a forecast (``forecast/``) or straight from a scenario's demand profile
(:func:`demand_from_profile`). The simulator reads it one day at a time (:meth:`Demand.day`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hallplan.sim.errors import Problem, ScenarioError
from hallplan.sim.scenario import DAY_TYPES, Scenario

DEMAND_COLUMNS = ("date", "interval_start_min", "service_type", "customer_class", "rate_per_hour")

# A day type missing from daily_visits falls back along this chain (documented assumption).
_FALLBACK = {
    "weekday": ("weekday",),
    "saturday": ("saturday", "sunday", "weekday"),
    "sunday": ("sunday", "saturday", "weekday"),
    "holiday": ("holiday", "sunday", "saturday", "weekday"),
}


@dataclass(frozen=True, slots=True)
class DayDemand:
    """One day's demand, as the engine takes it."""

    date: dt.date
    interval_min: int
    interval_starts_min: np.ndarray
    # (service_type, customer_class) -> arrival rate per minute in each interval
    rates_per_min: dict[tuple[str, str], np.ndarray]

    def expected_arrivals(self) -> float:
        return float(sum(r.sum() for r in self.rates_per_min.values()) * self.interval_min)


@dataclass(frozen=True)
class Demand:
    """Arrival rates in a long table (columns ``DEMAND_COLUMNS``), validated on construction."""

    interval_min: int
    table: pd.DataFrame = field(repr=False)
    source: str = "profile"

    def __post_init__(self) -> None:
        missing = [c for c in DEMAND_COLUMNS if c not in self.table.columns]
        if missing:
            raise ScenarioError(
                [
                    Problem(
                        "<demand>",
                        "columns",
                        f"columns {list(DEMAND_COLUMNS)}",
                        f"{missing} missing",
                    )
                ]
            )
        rates = self.table["rate_per_hour"].to_numpy(dtype=float)
        if not np.all(np.isfinite(rates)) or (rates < 0).any():
            raise ScenarioError(
                [Problem("<demand>", "rate_per_hour", "finite rates >= 0", "negative or missing")]
            )
        table = self.table.loc[:, list(DEMAND_COLUMNS)].copy()
        table["date"] = pd.to_datetime(table["date"]).dt.date
        object.__setattr__(self, "table", table.reset_index(drop=True))

    @property
    def dates(self) -> list[dt.date]:
        return sorted(set(self.table["date"]))

    def day(self, date: dt.date) -> DayDemand:
        sub = self.table[self.table["date"] == date]
        if sub.empty:
            raise KeyError(f"no demand for {date}")
        starts = np.sort(sub["interval_start_min"].unique()).astype(float)
        index = {s: i for i, s in enumerate(starts)}
        rates: dict[tuple[str, str], np.ndarray] = {}
        for (stype, cls), grp in sub.groupby(["service_type", "customer_class"], sort=True):
            arr = np.zeros(len(starts))
            pos = [index[s] for s in grp["interval_start_min"].to_numpy(dtype=float)]
            arr[pos] = grp["rate_per_hour"].to_numpy(dtype=float) / 60.0
            rates[(str(stype), str(cls))] = arr
        return DayDemand(date, self.interval_min, starts, rates)

    def scaled(self, factor: float) -> Demand:
        t = self.table.copy()
        t["rate_per_hour"] = t["rate_per_hour"] * factor
        return Demand(self.interval_min, t, self.source)


def day_type_of(date: dt.date, scenario: Scenario) -> str:
    """Day type from the scenario's special days, else the weekday (holidays come from the
    forecast's calendar when history is used)."""
    for sd in scenario.demand.special_days:
        if sd.date == date and sd.day_type is not None:
            return sd.day_type
    wd = date.weekday()
    return "saturday" if wd == 5 else "sunday" if wd == 6 else "weekday"


def _resolve_day_type(day_type: str, available: dict) -> str:
    for candidate in _FALLBACK[day_type]:
        if candidate in available:
            return candidate
    raise ScenarioError(
        [
            Problem(
                "<scenario>",
                "demand.daily_visits",
                f"a volume for {day_type!r} or a fallback ({', '.join(_FALLBACK[day_type])})",
                f"only {sorted(available)}",
            )
        ]
    )


def interval_shares(
    scenario: Scenario, day_type: str, hours: tuple[float, float] | None = None
) -> np.ndarray:
    """Share of the day's visits in each interval from the intraday curve (piecewise
    constant per curve slot, pro rata where an interval straddles slots).

    The curve is anchored at the scenario's usual opening; ``hours`` (a special day's own
    opening and closing) keeps only the part of the curve inside them. Returns shares for
    ``scenario.interval_starts()`` (zero outside ``hours``).
    """
    d = scenario.demand
    curve = np.asarray(d.intraday[day_type], dtype=float)
    slot = d.curve_slot_min
    anchor, close_default = scenario.hours.open, scenario.hours.close
    day_open, day_close = hours if hours is not None else (anchor, close_default)
    starts = np.asarray(scenario.interval_starts())
    ends = np.minimum(starts + scenario.interval_min, close_default)
    lo, hi = np.maximum(starts, day_open), np.minimum(ends, day_close)
    weights = np.zeros(len(starts))
    for k, w in enumerate(curve):
        s0 = anchor + k * slot
        s1 = min(s0 + slot, close_default)
        if s1 <= s0:
            continue
        overlap = np.clip(np.minimum(hi, s1) - np.maximum(lo, s0), 0.0, None)
        weights += w * overlap / (s1 - s0)
    if weights.sum() <= 0:
        raise ScenarioError(
            [
                Problem(
                    "<scenario>",
                    f"demand.intraday.{day_type}",
                    "some weight inside the day's opening hours",
                    "none",
                )
            ]
        )
    return weights / weights.sum()


def expected_daily_visits(scenario: Scenario, date: dt.date) -> tuple[float, str]:
    d = scenario.demand
    dtype = _resolve_day_type(day_type_of(date, scenario), d.daily_visits)
    volume = d.daily_visits[dtype]
    if 1 <= date.day <= len(d.month_start_uplift):
        volume *= d.month_start_uplift[date.day - 1]
    for sd in d.special_days:
        if sd.date == date:
            volume *= sd.volume_multiplier
    return volume, dtype


def demand_from_profile(scenario: Scenario, dates: list[dt.date] | dt.date) -> Demand:
    """Demand for ``dates`` from the scenario's own profile (no history needed).

    visits(date, interval, type, class) = daily_visits[day type] × month-start uplift ×
    special-day multiplier × interval share × class share × service mix (× special-day
    service multiplier, which adds volume rather than reshuffling it: a launch day brings
    extra handset buyers on top of the usual business).
    """
    if isinstance(dates, dt.date):
        dates = [dates]
    d = scenario.demand
    starts = np.asarray(scenario.interval_starts())
    rows = []
    for date in dates:
        volume, dtype = expected_daily_visits(scenario, date)
        curve_type = _resolve_day_type(dtype, d.intraday)
        h = scenario.for_date(date).hours
        shares = interval_shares(scenario, curve_type, (h.open, h.close))
        svc_mult = {}
        for sd in d.special_days:
            if sd.date == date:
                svc_mult.update(sd.service_multipliers)
        for cls_name, cls in scenario.customer_classes.items():
            mix = d.service_mix_by_class.get(cls_name, d.service_mix)
            for stype, share in mix.items():
                per_interval = volume * cls.share * share * svc_mult.get(stype, 1.0) * shares
                rate = per_interval / scenario.interval_min * 60.0
                rows.extend(
                    (date, float(s), stype, cls_name, float(r))
                    for s, r in zip(starts, rate, strict=True)
                )
    table = pd.DataFrame(rows, columns=list(DEMAND_COLUMNS))
    return Demand(scenario.interval_min, table, source="profile")


__all__ = [
    "DAY_TYPES",
    "DEMAND_COLUMNS",
    "DayDemand",
    "Demand",
    "day_type_of",
    "demand_from_profile",
    "expected_daily_visits",
    "interval_shares",
]

"""A hall reduced to one lane: the textbook queue (M/M/c, M/M/c+M, priority M/M/c) written
as a scenario, so the full engine can be validated against exact queueing results and
benchmarked against other simulators on the same model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from hallplan.sim.demand import DEMAND_COLUMNS, Demand
from hallplan.sim.loader import scenario_from_dict
from hallplan.sim.scenario import Scenario, format_clock
from hallplan.sim.staffing import DayStaffing, Staffing

REFERENCE_DATE = dt.date(2026, 3, 11)  # a plain mid-month Wednesday


def single_lane_scenario(
    servers: int,
    mean_service_min: float,
    mean_patience_min: float | None = None,
    class_names: Sequence[str] = ("regular",),
    class_priorities: Sequence[int] | None = None,
    open_min: int = 0,
    close_min: int = 24 * 60,
    service_kind: str = "exponential",
) -> Scenario:
    """One general lane of ``servers`` counters, exponential service, one service type,
    no greeters, no kiosks, no balking, no care, no escalation, tickets stop at close."""
    prios = list(class_priorities) if class_priorities is not None else [0] * len(class_names)
    patience = {"kind": "exponential", "mean_min": mean_patience_min} if mean_patience_min else None
    share = 1.0 / len(class_names)
    classes = {
        name: {"share": share, "priority": p, **({"patience": patience} if patience else {})}
        for name, p in zip(class_names, prios, strict=True)
    }
    hours = 24 * 60
    service = (
        {"kind": "exponential", "mean_min": mean_service_min}
        if service_kind == "exponential"
        else {"kind": "deterministic", "value_min": mean_service_min}
    )
    data = {
        "hall": {"id": "single-lane", "name": f"M/M/{servers} single lane"},
        "interval_min": 60,
        "hours": {
            "open": format_clock(open_min),
            "close": format_clock(close_min),
        },
        "greeters": {"posts": 0},
        "kiosks": {"count": 0},
        "lanes": {"general": {"counters": servers}},
        "service_types": {"service": {"counter_time": service}},
        "customer_classes": classes,
        "triage": {"enabled": False},
        "waiting_care": {"enabled": False},
        "escalation": {"enabled": False},
        "demand": {
            "daily_visits": {"weekday": 1.0},
            "curve_slot_min": hours if close_min - open_min == hours else close_min - open_min,
            "intraday": {"weekday": [1.0]},
            "service_mix": {"service": 1.0},
            "month_start_uplift": [],
        },
        "default_staffing": [
            {"start": "00:00", "end": "24:00", "posts": {"general": servers, "greeter": 0}}
        ],
    }
    return scenario_from_dict(data, "<single-lane>")


def constant_demand(
    scenario: Scenario,
    arrival_rates_per_min: dict[str, float],
    date: dt.date = REFERENCE_DATE,
) -> Demand:
    """Constant rate per class over the opening hours (single service type)."""
    starts = np.asarray(scenario.interval_starts())
    stype = next(iter(scenario.service_types))
    rows = [
        (date, float(s), stype, cls, rate * 60.0)
        for cls, rate in arrival_rates_per_min.items()
        for s in starts
    ]
    return Demand(scenario.interval_min, pd.DataFrame(rows, columns=list(DEMAND_COLUMNS)))


def profile_demand(
    scenario: Scenario,
    rates_per_min: Sequence[float],
    customer_class: str | None = None,
    date: dt.date = REFERENCE_DATE,
) -> Demand:
    """A given rate per interval (for time-varying tests)."""
    starts = np.asarray(scenario.interval_starts())
    if len(rates_per_min) != len(starts):
        raise ValueError(f"{len(rates_per_min)} rates for {len(starts)} intervals")
    stype = next(iter(scenario.service_types))
    cls = customer_class or next(iter(scenario.customer_classes))
    rows = [
        (date, float(s), stype, cls, r * 60.0) for s, r in zip(starts, rates_per_min, strict=True)
    ]
    return Demand(scenario.interval_min, pd.DataFrame(rows, columns=list(DEMAND_COLUMNS)))


def constant_staffing(scenario: Scenario, servers: int) -> Staffing:
    grid = [float(t) for t in range(0, 24 * 60, scenario.interval_min)]
    return Staffing.every_day(
        DayStaffing.from_counts({"general": [servers] * len(grid)}, grid, scenario.interval_min)
    )

"""Builders shared by the tests: small scenarios and hand-made customers with fixed times."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from hallplan.sim.arrivals import DayCustomers
from hallplan.sim.hall import HallModel, ListRecorder
from hallplan.sim.kpi import customers_frame, staff_frame
from hallplan.sim.loader import deep_merge, scenario_from_dict
from hallplan.sim.scenario import Scenario
from hallplan.sim.staffing import DayStaffing

DATE = dt.date(2026, 3, 11)


def small_hall(**overrides: Any) -> Scenario:
    """A small hall: general (2 counters), vip (1), complaint (1); 1 greeter post; 1 kiosk.
    Deterministic times so traces are exact; every stochastic feature off unless overridden."""
    base = {
        "hall": {"id": "test-hall"},
        "interval_min": 30,
        "hours": {"open": "09:00", "close": "12:00"},
        "greeters": {"posts": 1},
        "kiosks": {"count": 1, "failure_probability": 0.0},
        "lanes": {
            "general": {"counters": 2},
            "vip": {"counters": 1},
            "complaint": {"counters": 1},
        },
        "service_types": {
            "payment": {
                "channels": ["counter", "kiosk"],
                "counter_time": {"kind": "deterministic", "value_min": 5},
                "kiosk_time": {"kind": "deterministic", "value_min": 2},
            },
            "complaint": {
                "lane": "complaint",
                "counter_time": {"kind": "deterministic", "value_min": 10},
            },
        },
        "customer_classes": {
            "regular": {"share": 0.9, "priority": 1},
            "vip": {"share": 0.1, "priority": 0, "lane": "vip"},
        },
        "triage": {
            "enabled": False,
            "handling_time": {"kind": "deterministic", "value_min": 1},
            "misroute_probability": 0.0,
            "self_service_kiosk_share": 0.0,
            "kiosk_acceptance": 0.0,
            "redirect_time": {"kind": "deterministic", "value_min": 1},
        },
        "waiting_care": {"enabled": False},
        "escalation": {"enabled": False},
        "demand": {
            "daily_visits": {"weekday": 100},
            "curve_slot_min": 60,
            "intraday": {"weekday": [1, 1, 1]},
            "service_mix": {"payment": 0.9, "complaint": 0.1},
        },
        "default_staffing": [
            {
                "start": "09:00",
                "end": "12:00",
                "posts": {"general": 2, "vip": 1, "complaint": 1, "greeter": 1},
            }
        ],
    }
    return scenario_from_dict(deep_merge(base, overrides), "<test>")


def customers(scenario: Scenario, rows: list[dict[str, Any]]) -> DayCustomers:
    """Customers with given arrival time, type, class and durations (others default)."""
    types = tuple(scenario.service_types)
    classes = tuple(scenario.customer_classes)
    rows = sorted(rows, key=lambda r: r["t"])
    n = len(rows)

    def col(key: str, default: float) -> np.ndarray:
        return np.array([float(r.get(key, default)) for r in rows]) if n else np.empty(0)

    return DayCustomers(
        arrival_min=col("t", 0.0),
        service_type=np.array([types.index(r.get("type", types[0])) for r in rows], dtype=int),
        customer_class=np.array([classes.index(r.get("cls", classes[0])) for r in rows], dtype=int),
        counter_time_min=np.array(
            [
                float(
                    r.get(
                        "service", scenario.service_types[r.get("type", types[0])].counter_time.mean
                    )
                )
                for r in rows
            ]
        ),
        kiosk_time_min=col("kiosk", 2.0),
        redirect_time_min=col("redirect", 1.0),
        triage_time_min=col("triage", 1.0),
        patience_min=col("patience", math.inf),
        u_accept=col("u_accept", 0.99),
        u_self=col("u_self", 0.99),
        u_misroute=col("u_misroute", 0.99),
        u_kiosk_fail=col("u_fail", 0.99),
        u_balk=col("u_balk", 0.99),
        type_names=types,
        class_names=classes,
    )


def staffing(scenario: Scenario, **posts: list[tuple[float, float]] | int) -> DayStaffing:
    """``general=2`` (whole day) or ``general=[(540, 600), ...]`` (one seat per span)."""
    seats = {}
    for post, spec in posts.items():
        if isinstance(spec, int):
            seats[post] = tuple(((scenario.hours.open, scenario.hours.close),) for _ in range(spec))
        else:
            seats[post] = tuple((tuple(s),) for s in spec)
    return DayStaffing(seats)


def run(scenario: Scenario, rows: list[dict[str, Any]], staff: DayStaffing):
    rec = HallModel(scenario, customers(scenario, rows), staff, ListRecorder()).run()
    return (
        customers_frame(rec.customers).sort_values("customer").reset_index(drop=True),
        staff_frame(rec.staff_spans),
        rec,
    )


def run_cli(*args: Any):
    """``hallplan ARGS…`` in-process through Typer's runner, as a planner would type it
    (paths may be given as ``Path``); the result has ``exit_code`` and ``output``."""
    from typer.testing import CliRunner

    from hallplan.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])

"""Behaviour in the right direction (in expectation, with common random numbers)."""

from __future__ import annotations

import numpy as np

from hallplan.sim.replicate import simulate
from hallplan.sim.single_lane import (
    REFERENCE_DATE,
    constant_demand,
    constant_staffing,
    single_lane_scenario,
)
from tests.helpers import DATE, small_hall


def _mean_wait(results) -> float:
    return float(results.hall_metric("mean_wait_min").mean())


def test_one_more_counter_never_raises_the_mean_wait():
    s = single_lane_scenario(6, 1.0, mean_patience_min=10.0, open_min=540, close_min=720)
    d = constant_demand(s, {"regular": 3.6})
    waits = [
        _mean_wait(simulate(s, d, constant_staffing(s, c), reps=8, seed=11)) for c in (4, 5, 6)
    ]
    assert waits[0] > waits[1] > waits[2]


def test_one_more_counter_lowers_utilisation():
    s = single_lane_scenario(6, 1.0, open_min=540, close_min=720)
    d = constant_demand(s, {"regular": 3.6})
    u = []
    for c in (5, 6):
        r = simulate(s, d, constant_staffing(s, c), reps=4, seed=2)
        dk = r.day_kpis
        u.append(
            dk[
                (dk["group_kind"] == "post")
                & (dk["group"] == "general")
                & (dk["metric"] == "utilisation")
            ]["value"].mean()
        )
    assert u[0] > u[1]


def test_more_patience_means_fewer_abandonments():
    ab = []
    for patience in (3.0, 10.0, 30.0):
        s = single_lane_scenario(4, 1.0, mean_patience_min=patience, open_min=540, close_min=720)
        d = constant_demand(s, {"regular": 4.2})
        r = simulate(s, d, constant_staffing(s, 4), reps=6, seed=4)
        ab.append(float(r.hall_metric("abandon_share").mean()))
    assert ab[0] > ab[1] > ab[2]


def test_waiting_care_reduces_abandonment():
    base = dict(
        customer_classes={"regular": {"patience": {"kind": "exponential", "mean_min": 20}}},
        demand={"daily_visits": {"weekday": 260}},
    )
    on = small_hall(**base, waiting_care={"enabled": True, "patience_multiplier": 3.0})
    off = small_hall(**base, waiting_care={"enabled": False})
    ab_on = simulate(on, dates=[DATE], reps=6, seed=8).hall_metric("abandoned").mean()
    ab_off = simulate(off, dates=[DATE], reps=6, seed=8).hall_metric("abandoned").mean()
    assert ab_on < ab_off


def test_kiosk_outage_puts_more_customers_at_the_counters():
    base = dict(
        triage={"enabled": True, "kiosk_acceptance": 0.9, "self_service_kiosk_share": 0.5},
        kiosks={"count": 2},
    )
    ok = small_hall(**base)
    out = small_hall(
        **{
            **base,
            "kiosks": {"count": 2, "outages": [{"start": "09:00", "end": "12:00", "kiosks": 2}]},
        }
    )
    a = simulate(ok, dates=[DATE], reps=4, seed=1).hall_metric("served_at_counter").mean()
    b = simulate(out, dates=[DATE], reps=4, seed=1).hall_metric("served_at_counter").mean()
    kiosk_b = simulate(out, dates=[DATE], reps=4, seed=1).hall_metric("served_at_kiosk")
    assert b > a
    assert np.all(kiosk_b == 0)


def test_empty_demand_gives_an_empty_day():
    s = single_lane_scenario(2, 1.0, open_min=540, close_min=600)
    d = constant_demand(s, {"regular": 0.0})
    r = simulate(s, d, constant_staffing(s, 2), reps=2, seed=1)
    assert len(r.customers) == 0 or r.customers["customer"].isna().all()
    assert (r.hall_metric("arrivals") == 0).all()
    assert REFERENCE_DATE in r.dates


def test_special_day_hours_shorten_the_day_and_its_staffing():
    s = small_hall(demand={"special_days": [{"date": str(DATE), "close": "11:00", "label": "eve"}]})
    short = simulate(s, dates=[DATE], reps=2, seed=1)
    normal = simulate(small_hall(), dates=[DATE], reps=2, seed=1)
    assert (short.customers["arrival_min"] < 660).all()  # no tickets after the day's closing
    assert normal.customers["arrival_min"].max() > 660
    # nobody starts a shift after the day's closing; the cut staffing costs fewer hours
    assert (short.staff.loc[short.staff["post"] != "kiosk", "start_min"] < 660).all()

    def hours(r):
        d = r.day_kpis
        return d[(d["metric"] == "staff_hours") & (d["group"] == "general")]["value"].mean()

    assert hours(short) < hours(normal)

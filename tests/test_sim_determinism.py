"""Every run is a pure function of (inputs, seed): same seed → identical records, and the
number of worker processes never changes a result."""

from __future__ import annotations

import pandas as pd

from hallplan.sim.demand import demand_from_profile
from hallplan.sim.replicate import simulate
from hallplan.sim.staffing import Staffing
from tests.helpers import DATE, small_hall


def _hall():
    return small_hall(
        triage={
            "enabled": True,
            "misroute_probability": 0.1,
            "self_service_kiosk_share": 0.3,
            "kiosk_acceptance": 0.6,
        },
        kiosks={"failure_probability": 0.1},
        customer_classes={"regular": {"patience": {"kind": "exponential", "mean_min": 20}}},
        service_types={
            "payment": {"counter_time": {"kind": "lognormal", "mean_min": 3, "cv": 0.6}}
        },
        demand={"daily_visits": {"weekday": 150}},
    )


def test_same_seed_gives_identical_records():
    s = _hall()
    a = simulate(s, dates=[DATE], reps=3, seed=5)
    b = simulate(s, dates=[DATE], reps=3, seed=5)
    pd.testing.assert_frame_equal(a.customers, b.customers)
    pd.testing.assert_frame_equal(a.interval_kpis, b.interval_kpis)


def test_different_seeds_give_different_days():
    s = _hall()
    a = simulate(s, dates=[DATE], reps=1, seed=5)
    b = simulate(s, dates=[DATE], reps=1, seed=6)
    assert not a.customers["arrival_min"].equals(b.customers["arrival_min"])


def test_one_or_two_workers_give_identical_results():
    s = _hall()
    one = simulate(s, dates=[DATE], reps=4, seed=9, workers=1)
    two = simulate(s, dates=[DATE], reps=4, seed=9, workers=2)
    pd.testing.assert_frame_equal(one.customers, two.customers)
    pd.testing.assert_frame_equal(one.day_summary(), two.day_summary())


def test_adding_a_counter_leaves_the_customers_unchanged():
    """Common random numbers: a what-if on staffing sees exactly the same customers."""
    s = _hall()
    demand = demand_from_profile(s, [DATE])
    grid = [float(t) for t in range(0, 1440, 30)]
    from hallplan.sim.staffing import DayStaffing

    def staff(n):
        counts = {
            "general": [n if 540 <= t < 720 else 0 for t in grid],
            "vip": [1 if 540 <= t < 720 else 0 for t in grid],
            "complaint": [1 if 540 <= t < 720 else 0 for t in grid],
            "greeter": [1 if 540 <= t < 720 else 0 for t in grid],
        }
        return Staffing.every_day(DayStaffing.from_counts(counts, grid, 30))

    a = simulate(s, demand, staff(1), reps=2, seed=3)
    b = simulate(s, demand, staff(2), reps=2, seed=3)
    cols = ["customer", "arrival_min", "service_type", "customer_class"]
    key = ["rep", "customer"]
    pd.testing.assert_frame_equal(
        a.customers.sort_values(key)[cols].reset_index(drop=True),
        b.customers.sort_values(key)[cols].reset_index(drop=True),
    )


def test_interval_kpis_by_class_and_post_utilisation_add_up():
    s = _hall()
    r = simulate(s, dates=[DATE], reps=2, seed=5)
    by_class = r.interval_kpis_by("customer_class")
    lanes = r.interval_kpis
    assert by_class["tickets"].sum() == lanes["tickets"].sum()
    assert by_class["served"].sum() == lanes["served"].sum()
    util = r.post_utilisation_by_interval()
    assert set(util["post"]) == {"general", "vip", "complaint", "greeter", "kiosk"}
    u = util["utilisation"].dropna()
    assert ((u >= 0) & (u <= 1 + 1e-9)).all()

"""Properties that hold for any valid hall (hypothesis builds only valid scenarios)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hallplan.sim.arrivals import generate_customers
from hallplan.sim.demand import demand_from_profile
from hallplan.sim.hall import HallModel, ListRecorder
from hallplan.sim.kpi import customers_frame, staff_frame
from hallplan.sim.staffing import DayStaffing
from tests.helpers import DATE, small_hall


@st.composite
def halls(draw):
    general = draw(st.integers(1, 4))
    vip = draw(st.integers(0, 2))
    patience = draw(st.sampled_from([None, 5.0, 20.0]))
    classes = {
        "regular": {"patience": {"kind": "exponential", "mean_min": patience}} if patience else {},
        "vip": {"lane": "vip" if vip else None},
    }
    if draw(st.booleans()):
        classes["regular"]["balking"] = {"queue_start": 2, "queue_full": 10, "max_probability": 0.5}
    overrides = {
        "lanes": {"general": {"counters": general}, "vip": {"counters": max(vip, 1)}},
        "customer_classes": classes,
        "calling": {"vip_idle_calls_regular": draw(st.booleans())},
        "triage": {
            "enabled": draw(st.booleans()),
            "misroute_probability": draw(st.sampled_from([0.0, 0.2])),
            "self_service_kiosk_share": 0.3,
            "kiosk_acceptance": 0.5,
            "handling_time": {"kind": "exponential", "mean_min": 0.5},
        },
        "kiosks": {"count": draw(st.integers(0, 2)), "failure_probability": 0.2},
        "service_types": {
            "payment": {
                "counter_time": {"kind": "lognormal", "mean_min": 4, "cv": 0.7},
                "kiosk_time": {"kind": "exponential", "mean_min": 2},
            },
            "complaint": {"counter_time": {"kind": "exponential", "mean_min": 8}},
        },
        "waiting_care": {"enabled": draw(st.booleans())},
        "escalation": {
            "enabled": draw(st.booleans()),
            "trigger_waiting": 3,
            "sustain_min": 3,
            "steps": [{"name": "floating", "staff": 1}],
        },
        "demand": {"daily_visits": {"weekday": draw(st.integers(0, 120))}},
        "default_staffing": [],
    }
    scenario = small_hall(**overrides)
    grid = [float(t) for t in range(0, 1440, 30)]
    open_ = [540 <= t < 720 for t in grid]
    counts = {
        "general": [draw(st.integers(0, general)) if o else 0 for o in open_],
        "vip": [draw(st.integers(0, max(vip, 1))) if o and vip else 0 for o in open_],
        "complaint": [draw(st.integers(0, 1)) if o else 0 for o in open_],
        "greeter": [1 if o else 0 for o in open_],
    }
    staffing = DayStaffing.from_counts(counts, grid, 30)
    seed = draw(st.integers(0, 10_000))
    return scenario, staffing, seed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(halls())
def test_hall_invariants(case):
    scenario, staffing, seed = case
    day = demand_from_profile(scenario, [DATE]).day(DATE)
    cust_in = generate_customers(scenario, day, seed, (0, 0))
    rec = HallModel(scenario, cust_in, staffing, ListRecorder()).run()
    c = customers_frame(rec.customers)
    spans = staff_frame(rec.staff_spans)

    # conservation: every arrival leaves exactly once, served, abandoned or balked
    assert len(c) == len(cust_in)
    assert sorted(c["customer"]) == list(range(len(cust_in)))
    assert set(c["outcome"]) <= {"served", "abandoned", "balked"}
    # no ticket after closing
    assert (c["arrival_min"] < scenario.hours.close).all()
    # waits are never negative; a call never precedes the ticket
    assert (c["wait_min"].dropna() >= -1e-9).all()
    called = c[c["call_min"].notna()]
    assert (called["call_min"] >= called["ticket_min"] - 1e-9).all()
    assert (called["service_end_min"] >= called["call_min"]).all()
    # nobody is called by a counter that is off duty
    for _, r in called.iterrows():
        own = spans[spans["server"] == r["counter"]]
        assert (
            (own["start_min"] <= r["call_min"] + 1e-9) & (r["call_min"] <= own["end_min"] + 1e-9)
        ).any()
    # FIFO within a queue and class (customers who were never redirected)
    plain = called[~called["misrouted"]]
    for _, g in plain.groupby(["lane", "customer_class"]):
        g = g.sort_values(["ticket_min", "customer"])
        assert np.all(np.diff(g["call_min"].to_numpy()) >= -1e-9)
    # a VIP waiting in the VIP queue is never overtaken by a regular at a VIP counter
    vip_wait = c[(c["lane"] == "vip") & c["ticket_min"].notna()].copy()
    # a misrouted VIP joins the VIP queue only when redirected
    vip_wait["joined"] = vip_wait["requeue_min"].where(
        vip_wait["misrouted"], vip_wait["ticket_min"]
    )
    at_vip = called[called["counter"].str.startswith("vip") & (called["customer_class"] != "vip")]
    for t in at_vip["call_min"]:
        waiting = vip_wait[
            (vip_wait["joined"] < t - 1e-9)
            & (
                (vip_wait["call_min"] > t + 1e-9)
                | (
                    (vip_wait["outcome"] == "abandoned")
                    & (vip_wait["ticket_min"] + vip_wait["wait_min"] > t + 1e-9)
                )
            )
        ]
        assert waiting.empty

"""Staffing requirements per interval: the specification of ``hallplan.optimize.requirements``."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hallplan.optimize.queueing import (
    min_servers_erlang_a,
    min_servers_for_p_wait,
    min_servers_for_service_level,
)
from hallplan.optimize.requirements import (
    LaneTarget,
    Shrinkage,
    compute_requirement,
    lane_loads,
    requirement_with_diagnostics,
)
from hallplan.optimize.requirements.isa import staffing_from_table
from hallplan.optimize.requirements.lag import offered_load_curve
from hallplan.optimize.requirements.load import greeter_staff, kiosk_shares, lane_target
from hallplan.optimize.staffing_requirement import REQUIREMENT_COLUMNS, Requirement
from hallplan.sim import demand_from_profile, load_scenario
from hallplan.sim.distributions import Exponential, LogNormal
from hallplan.sim.single_lane import constant_demand, profile_demand, single_lane_scenario

ROOT = Path(__file__).resolve().parents[1]


def _flagship():
    return load_scenario(ROOT / "scenarios" / "flagship_city_centre.toml")


def _general(req: Requirement) -> np.ndarray:
    t = req.table
    return t[t["post"] == "general"].sort_values("interval_start_min")["staff"].to_numpy()


# --------------------------------------------------------------------------- SIPP


def test_sipp_equals_erlang_c_staffing_on_a_constant_single_lane():
    sc = single_lane_scenario(servers=60, mean_service_min=6.0)
    demand = constant_demand(sc, {"regular": 5.0})  # a = 30 Erlang
    req = compute_requirement(sc, demand, "sipp")
    expected = min_servers_for_service_level(5.0, 6.0, 15.0, 0.8)
    assert set(_general(req)) == {expected}
    assert set(req.table["method"]) == {"sipp"}
    assert list(req.table.columns) == list(REQUIREMENT_COLUMNS)


def test_sipp_equals_erlang_a_staffing_when_customers_are_impatient():
    sc = single_lane_scenario(servers=60, mean_service_min=6.0, mean_patience_min=20.0)
    demand = constant_demand(sc, {"regular": 5.0})
    req = compute_requirement(sc, demand, "sipp")
    expected = min_servers_erlang_a(5.0, 6.0, 20.0, 15.0, 0.8, 0.05)
    assert set(_general(req)) == {expected}


def test_sipp_delay_probability_target_is_erlang_c_p_wait():
    sc = single_lane_scenario(servers=150, mean_service_min=1.0)
    demand = constant_demand(sc, {"regular": 100.0})
    tg = {"general": LaneTarget(wait_target_min=0.0, min_share=0.9)}
    req = compute_requirement(sc, demand, "sipp", targets=tg)
    assert set(_general(req)) == {min_servers_for_p_wait(100.0, 1.0, 0.1)}


def test_vip_lane_uses_the_vip_target_and_complaints_the_default():
    sc = _flagship()
    vip, comp = lane_target(sc, "vip"), lane_target(sc, "complaint")
    assert (vip.wait_target_min, vip.min_share, vip.patience_mean_min) == (5.0, 0.9, 20.0)
    assert (comp.wait_target_min, comp.min_share, comp.patience_mean_min) == (15.0, 0.8, 30.0)


def test_flagship_requirement_covers_every_post_and_interval_without_kiosks():
    sc = _flagship()
    demand = demand_from_profile(sc, sc.reference_date)
    req = compute_requirement(sc, demand, "sipp")
    assert req.posts == sorted([*sc.lanes, "greeter"])
    n = len(sc.interval_starts())
    assert len(req.table) == n * len(req.posts)
    assert "kiosk" not in req.posts
    g = req.table[req.table["post"] == "greeter"]["staff"]
    assert g.between(1, sc.greeters.posts).all()


def test_counter_load_accounts_for_kiosks_and_their_failures():
    sc = _flagship()
    # every customer triaged: 60 % of the kiosk-eligible go to a kiosk, 8 % of them fail back
    share, fail = kiosk_shares(sc, triaged_share=1.0)
    assert share == pytest.approx(0.4 + 0.6 * 0.08)
    assert fail == pytest.approx(0.6 * 0.08)
    loads = lane_loads(sc, demand_from_profile(sc, sc.reference_date))
    total = loads[loads["post"] != "greeter"]["rate_per_min"].sum()
    arrivals = loads[loads["post"] == "greeter"]["rate_per_min"].sum()
    assert 0.5 * arrivals < total < arrivals  # a third or so finish at the kiosks


def test_greeter_rule_keeps_utilisation_at_most_0_8_within_posts():
    assert greeter_staff(0.0, 0.5, 2) == 0
    assert greeter_staff(0.5, 0.5, 2) == 1  # 0.25 Erlang
    assert greeter_staff(2.0, 0.5, 3) == 2  # 1.0 / 0.8 → 2
    assert greeter_staff(10.0, 0.5, 2) == 2  # capped at the physical posts


# --------------------------------------------------------------------------- lag


def test_offered_load_of_constant_arrivals_is_lambda_times_mean_service():
    m = offered_load_curve(np.full(40, 2.0), 15, Exponential(mean_min=6.0))
    assert m[-1] == pytest.approx(12.0, rel=2e-3)
    ln = offered_load_curve(np.full(40, 2.0), 15, LogNormal(mean_min=6.0, cv=1.0))
    assert ln[-1] == pytest.approx(12.0, rel=5e-3)


def test_lag_equals_sipp_when_demand_is_constant():
    sc = single_lane_scenario(servers=60, mean_service_min=6.0)
    demand = constant_demand(sc, {"regular": 5.0})
    sipp, lag = compute_requirement(sc, demand, "sipp"), compute_requirement(sc, demand, "lag")
    # after a start-up of a few service times (the first hour here) they agree
    assert np.array_equal(_general(sipp)[1:], _general(lag)[1:])
    assert _general(lag)[0] <= _general(sipp)[0]  # the hall opens empty


def test_lag_requirement_peaks_after_the_arrival_peak():
    sc = single_lane_scenario(servers=80, mean_service_min=30.0, open_min=8 * 60, close_min=20 * 60)
    rates = np.ones(12) * 0.5
    rates[3] = 1.5  # a one-hour burst 11:00–12:00
    demand = profile_demand(sc, list(rates))
    _, sd = requirement_with_diagnostics(sc, demand, "sipp")
    _, ld = requirement_with_diagnostics(sc, demand, "lag")
    s = sd.detail[sd.detail["post"] == "general"].sort_values("interval_start_min")
    g = ld.detail[ld.detail["post"] == "general"].sort_values("interval_start_min")
    assert s["offered_load"].to_numpy().argmax() == 3
    # the work in progress is still high in the hour after the burst
    assert g["offered_load"].iloc[4] > g["offered_load"].iloc[2]
    assert g["staff"].iloc[4] > s["staff"].iloc[4]
    assert g["staff"].iloc[3] <= s["staff"].iloc[3]


# --------------------------------------------------------------------------- shrinkage


def test_shrinkage_turns_staff_at_the_post_into_paid_staff():
    s = Shrinkage(handover=0.05, breaks=0.05, training=0.0, other=0.0)
    assert s.total == pytest.approx(0.10)
    assert s.factor == pytest.approx(1 / 0.9)
    assert list(s.paid_staff([0, 1, 9, 10])) == [0, 2, 10, 12]  # ⌈n / 0.9⌉
    assert s.paid_hours(90.0) == pytest.approx(100.0)


def test_shrinkage_defaults_take_the_handover_from_the_scenario():
    sc = _flagship()
    s = Shrinkage.for_scenario(sc)
    assert s.handover == pytest.approx(15 / 480)
    assert s.total == pytest.approx(15 / 480 + 0.05 + 0.03)
    with pytest.raises(ValueError, match="total shrinkage"):
        Shrinkage(breaks=0.6, training=0.5)


def test_diagnostics_report_staff_hours_at_the_post_and_paid():
    sc = single_lane_scenario(servers=60, mean_service_min=6.0)
    demand = constant_demand(sc, {"regular": 5.0})
    req, diag = requirement_with_diagnostics(sc, demand, "sipp")
    assert diag.staff_hours == pytest.approx(req.staff_hours())
    assert diag.paid_hours == pytest.approx(diag.staff_hours * diag.shrinkage.factor)
    assert (diag.detail["paid_staff"] >= diag.detail["staff"]).all()


# --------------------------------------------------------------------------- plumbing


def test_staffing_from_table_stacks_counts_into_seats():
    d = dt.date(2026, 3, 11)
    t = pd.DataFrame(
        {
            "date": [d] * 4,
            "interval_start_min": [0.0, 15.0, 0.0, 15.0],
            "post": ["general", "general", "greeter", "greeter"],
            "staff": [2, 3, 1, 0],
        }
    )
    st = staffing_from_table(t, 15, ["general", "greeter"]).day(d)
    assert list(st.counts("general", [0.0, 15.0], 15)) == [2.0, 3.0]
    assert list(st.counts("greeter", [0.0, 15.0], 15)) == [1.0, 0.0]


def test_unknown_method_is_refused():
    sc = single_lane_scenario(servers=5, mean_service_min=6.0)
    with pytest.raises(ValueError, match="method"):
        compute_requirement(sc, constant_demand(sc, {"regular": 0.2}), "magic")


def test_requirement_report_writes_csv_and_heatmap(tmp_path):
    from hallplan.reports.requirement import write_requirement_outputs

    sc = _flagship()
    dates = [dt.date(2026, 3, 11), dt.date(2026, 3, 12)]
    req = compute_requirement(sc, demand_from_profile(sc, dates), "lag")
    paths = write_requirement_outputs(req, tmp_path)
    assert [p.name for p in paths] == ["requirement.csv", "requirement_heatmap.png"]
    back = Requirement.read_csv(paths[0])
    assert back.interval_min == 30
    assert back.staff_hours() == pytest.approx(req.staff_hours())
    assert paths[1].stat().st_size > 1000


def test_requirement_for_month_covers_every_day(monkeypatch):
    from hallplan.optimize.requirements import requirement_for_month

    sc = _flagship()
    req, diag = requirement_for_month(sc, 2026, 2, "sipp", reps=1, seed=0)
    assert len(req.dates) == 28
    assert diag.method == "sipp"
    assert math.isclose(diag.staff_hours, req.staff_hours())


# --------------------------------------------------------------------------- ISA on the hall


def test_isa_on_the_flagship_handles_every_post_within_the_physical_counters():
    sc = _flagship()
    demand = demand_from_profile(sc, sc.reference_date)
    req, diag = requirement_with_diagnostics(sc, demand, "simulation", reps=3, seed=3,
                                             max_iter=3)
    assert req.posts == sorted([*sc.lanes, "greeter"])
    d = diag.detail
    for post in req.posts:
        assert d[d["post"] == post]["staff"].max() <= sc.physical_capacity(post)
    # greeters keep the analytic rule; counters carry the simulated KPI of the last iteration
    assert (d[d["post"] == "greeter"]["staff"] == d[d["post"] == "greeter"]["lag_staff"]).all()
    lanes = d[d["post"] != "greeter"]
    assert lanes["share"].notna().mean() > 0.9
    assert diag.history[0]["iteration"] == 0 and len(diag.history) >= 2
    # the simulation method needs fewer general counters than the analytic Erlang A rule,
    # whose exponential patience overstates abandonment at short waits
    assert d[d["post"] == "general"]["staff"].sum() <= d[d["post"] == "general"]["lag_staff"].sum()

"""Staff availability: of the staff on the roster, only a share serve at a time. The simulator
serves with availability × rostered staff, the roster puts requirement ÷ availability on the
floor, and a calibrated overlay carries the fitted value (and where it comes from) into the
plan's report and plan.json."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hallplan.optimize.requirements import compute_requirement
from hallplan.optimize.requirements.isa import sizing_scenario
from hallplan.optimize.staffing_requirement import Requirement, staff_on_the_floor
from hallplan.sim.demand import demand_from_profile
from hallplan.sim.errors import ScenarioError
from hallplan.sim.loader import deep_merge, load_scenario, scenario_from_dict
from hallplan.sim.replicate import simulate
from hallplan.sim.staffing import DayStaffing, Staffing, serving_staffing

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "scenarios" / "county_hall.toml"
CALIBRATED_BANK = ROOT / "scenarios" / "anonymous_bank.calibrated.toml"
D = dt.date(2026, 12, 1)


def with_availability(scenario, a: float):
    return scenario_from_dict(
        deep_merge(scenario.model_dump(mode="json"), {"staff": {"availability": a}}), "<test>"
    )


def test_availability_must_be_a_share_above_zero_and_at_most_one():
    s = load_scenario(COUNTY)
    assert s.staff.availability == 1.0  # default: everyone rostered serves
    for bad in (0.0, 1.2, -0.5):
        with pytest.raises(ScenarioError, match=r"staff\.availability"):
            with_availability(s, bad)


def test_availability_one_leaves_the_staffing_seat_for_seat():
    day = DayStaffing({"general": (((480.0, 735.0),), ((510.0, 600.0), (630.0, 1080.0)))})
    assert serving_staffing(day, 1.0, 30, ["general"]) is day


def test_serving_capacity_is_availability_times_the_roster_in_every_interval():
    # a roster-like day: shifts that start and end off the half hour, a break, a gap
    day = DayStaffing(
        {
            "general": (
                ((480.0, 735.0), (765.0, 1020.0)),
                ((495.0, 600.0),),
                ((540.0, 1080.0),),
            ),
            "greeter": (((480.0, 1080.0),),),
        }
    )
    grid = np.arange(420.0, 1110.0, 30.0)
    serving = serving_staffing(day, 0.65, 30, ["general"])
    np.testing.assert_allclose(
        serving.counts("general", grid, 30), 0.65 * day.counts("general", grid, 30), atol=1e-9
    )
    assert serving.staff_minutes("general") == pytest.approx(0.65 * day.staff_minutes("general"))
    assert serving.seats["greeter"] == day.seats["greeter"]  # greeters are not counter staff
    # nobody serves outside the rostered spans
    assert all(a >= 480.0 and b <= 1080.0 for seat in serving.seats["general"] for a, b in seat)


def test_half_availability_with_twice_the_staff_serves_exactly_like_the_staff_at_full():
    s = load_scenario(COUNTY)
    half = with_availability(s, 0.5)
    grid = [float(t) for t in range(0, 24 * 60, s.interval_min)]
    n = [2 if s.hours.open <= t < s.hours.close else 0 for t in grid]
    greeter = [1 if s.hours.open <= t < s.hours.close else 0 for t in grid]
    one = DayStaffing.from_counts({"general": n, "greeter": greeter}, grid, s.interval_min)
    two = DayStaffing.from_counts(
        {"general": [2 * x for x in n], "greeter": greeter}, grid, s.interval_min
    )
    demand = demand_from_profile(s, [D])
    full = simulate(s, demand, Staffing.every_day(one), reps=2, seed=4, dates=[D])
    halved = simulate(half, demand, Staffing.every_day(two), reps=2, seed=4, dates=[D])
    pd.testing.assert_frame_equal(full.customers, halved.customers)
    # the same roster at half availability serves half as much: waits grow
    short = simulate(half, demand, Staffing.every_day(one), reps=2, seed=4, dates=[D])
    assert short.hall_metric("mean_wait_min").mean() > full.hall_metric("mean_wait_min").mean()


def test_the_roster_puts_requirement_over_availability_on_the_floor():
    s = with_availability(load_scenario(COUNTY), 0.5)
    req = Requirement(
        30,
        pd.DataFrame(
            {
                "date": [D] * 5,
                "interval_start_min": [600.0, 630.0, 660.0, 690.0, 600.0],
                "post": ["general"] * 4 + ["greeter"],
                "staff": [0, 1, 2, 3, 1],
                "method": ["lag"] * 5,
            }
        ),
    )
    floor = staff_on_the_floor(req, s).table.set_index(["post", "interval_start_min"])["staff"]
    assert floor["general"].tolist() == [0, 2, 4, s.lanes["general"].counters]  # 6 > 4 counters
    assert floor[("greeter", 600.0)] == 1
    assert "capped at the counters" in staff_on_the_floor(req, s).notes
    assert staff_on_the_floor(req, load_scenario(COUNTY)) is req  # availability 1: unchanged


def test_half_availability_needs_about_twice_the_rostered_staff_hours():
    district = load_scenario(ROOT / "scenarios" / "district_hall.toml")
    roomy = {lane: {"counters": 40} for lane in district.lanes}  # no layout cap in the way
    s = scenario_from_dict(deep_merge(district.model_dump(mode="json"), {"lanes": roomy}), "<t>")
    dates = [D + dt.timedelta(days=i) for i in range(3)]
    serving = compute_requirement(s, demand_from_profile(s, dates), "lag")
    lanes = (serving.table["post"] != "greeter").to_numpy()
    counters = serving.table["post"].map(s.physical_capacity).to_numpy()
    need = serving.table["staff"].to_numpy()
    assert need[lanes].sum() > 0
    for a in (0.5, 0.78):
        got = staff_on_the_floor(serving, with_availability(s, a)).table["staff"].to_numpy()
        want = np.minimum(np.ceil(need / a - 1e-9), counters)
        assert (got[lanes] == want[lanes]).all()
        assert (got[~lanes] == need[~lanes]).all()
        ratio = got[lanes].sum() / need[lanes].sum()
        assert 1 / a <= ratio < 1 / a + 0.5  # rounding up adds less than one person a cell
    # the requirement itself counts staff serving: it is sized at availability 1
    assert sizing_scenario(with_availability(s, 0.5)).staff.availability == 1.0


# --------------------------------------------------------------------------- the overlay


def test_the_shipped_calibrated_bank_overlay_plans_with_its_fitted_availability():
    s = load_scenario(CALIBRATED_BANK)
    cal = s.calibration
    assert cal is not None
    assert s.staff.availability == pytest.approx(min(cal.availability, 1.0), abs=1e-4)
    assert 0.3 < s.staff.availability < 1.0
    assert len(cal.fit_days) == 14 and len(cal.held_out_days) == 14
    assert cal.fit_days[0] == dt.date(1999, 2, 1) and cal.held_out_days[-1] == dt.date(1999, 2, 28)
    assert cal.availability_ci[0] < cal.availability < cal.availability_ci[1]
    assert cal.abandon_mae_points <= 3.0 and cal.abandon_correlation >= 0.7
    assert abs(cal.wait_bias) <= 0.25
    assert cal.verdict.startswith("The model reproduces your hall")


def test_a_calibration_section_is_validated_with_its_key_path(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        f'extends = "{COUNTY.as_posix()}"\n[calibration]\nticket_log = "x.csv"\n'
        'fit_days = ["1999-02-01"]\navailability = 0.7\nabandon_correlation = 1.7\n'
    )
    with pytest.raises(ScenarioError, match=r"calibration\.abandon_correlation"):
        load_scenario(bad)


# --------------------------------------------------------------------------- plan report


def test_plan_report_and_json_say_where_the_model_comes_from():
    from hallplan.reports.calibration import (
        NOT_CALIBRATED,
        plan_calibration_html,
        plan_calibration_record,
    )

    county = load_scenario(COUNTY)
    assert NOT_CALIBRATED in plan_calibration_html(county)
    assert plan_calibration_record(county) == {
        "calibrated": False,
        "note": NOT_CALIBRATED,
        "staff_availability": 1.0,
    }
    bank = load_scenario(CALIBRATED_BANK)
    section = plan_calibration_html(bank)
    assert bank.calibration.verdict in section
    assert bank.calibration.ticket_log in section
    assert "1999-02-01 … 1999-02-14 (14 days)" in section
    assert f"the plan used {bank.staff.availability:g}" in section
    rec = plan_calibration_record(bank)
    assert rec["calibrated"] is True
    assert rec["fit_days"][0] == "1999-02-01" and len(rec["held_out_days"]) == 14
    assert rec["abandon_mae_points"] == bank.calibration.abandon_mae_points
    assert rec["staff_availability"] == bank.staff.availability


def test_a_plan_on_a_calibrated_scenario_shows_the_calibration_first(tmp_path):
    """The builders of report.html and plan.json, on a small plan (county hall, two days,
    one round) whose scenario carries a calibration and an availability of 0.8."""
    import json

    from hallplan.pipeline import PlanConfig, plan
    from hallplan.reports.plan import plan_json, report_html

    county = load_scenario(COUNTY)
    provenance = {
        "ticket_log": "county_2026-11.csv",
        "fit_days": ["2026-11-02", "2026-11-13"],
        "held_out_days": ["2026-11-16"],
        "abandon_mae_points": 1.4,
        "abandon_correlation": 0.81,
        "wait_bias": -0.08,
        "verdict": "The model reproduces your hall: within 1.4 points …",
        "availability": 0.8,
        "availability_ci": [0.74, 0.86],
    }
    calibrated = scenario_from_dict(
        deep_merge(
            county.model_dump(mode="json"),
            {"staff": {"availability": 0.8}, "calibration": provenance},
        ),
        "<calibrated county>",
    )
    dates = [D, D + dt.timedelta(days=1)]
    cfg = PlanConfig(reps=2, roster_time_limit_s=10, workers=1, max_rounds=1)
    result = plan(calibrated, demand_from_profile(calibrated, dates), dates, cfg)
    assert any("availability 0.8" in n for n in result.notes)
    # the roster was sized on requirement ÷ 0.8 at the counters
    req = result.requirement.table
    cov = result.roster.check.coverage
    lane_req = req[req["post"] == "general"].set_index(["date", "interval_start_min"])["staff"]
    lane_cov = cov[cov["post"] == "general"].set_index(["date", "interval_start_min"])["required"]
    joined = pd.concat([lane_req.rename("serving"), lane_cov.rename("floor")], axis=1).dropna()
    expect = np.minimum(np.ceil(joined["serving"] / 0.8 - 1e-9), county.lanes["general"].counters)
    assert (joined["floor"].to_numpy() == expect.to_numpy()).all()

    page = report_html(result)
    assert page.index("Model calibration") < page.index("What the loop corrected")
    assert "The model reproduces your hall: within 1.4 points" in page
    meta = json.loads(json.dumps(plan_json(result, COUNTY, None, None), default=str))
    assert meta["calibration"]["calibrated"] is True
    assert meta["calibration"]["abandon_mae_points"] == 1.4
    assert meta["calibration"]["staff_availability"] == 0.8
    uncalibrated = dataclasses.replace(result, scenario=county)
    assert "not calibrated against a ticket log" in report_html(uncalibrated)

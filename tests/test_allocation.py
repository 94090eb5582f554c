"""Region headcount allocation: wait curves per hall, marginal analysis and the exact
programme across halls."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from hallplan.optimize.allocation import (
    REGION_TOTAL,
    WaitCurve,
    allocate_headcount,
    calibrate,
    late_customers,
    least_headcount_plan,
    lower_convex_envelope,
    wait_curve,
)
from hallplan.optimize.queueing import erlang_a_metrics
from hallplan.optimize.requirements.load import lane_loads, lane_target
from hallplan.sim import demand_from_profile, load_scenario
from hallplan.sim.demand import Demand

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
WEEK = [dt.date(2026, 3, 9) + dt.timedelta(days=i) for i in range(7)]  # Mon 9 – Sun 15 March


def _curve(hall: str, start: int, late: list[float], customers: float = 1000.0,
           target_share: float = 0.8) -> WaitCurve:
    return WaitCurve(hall, np.arange(start, start + len(late)), np.asarray(late, dtype=float),
                     customers, target_share)


def _three_convex_curves() -> list[WaitCurve]:
    """Small convex (diminishing-return) curves with different scales and starts."""
    return [
        _curve("a", 2, [900, 500, 260, 130, 60, 25, 10, 5]),
        _curve("b", 1, [700, 450, 300, 200, 140, 100, 75, 60, 50]),
        _curve("c", 3, [400, 150, 60, 20, 5, 0]),
    ]


def _brute_force_total(curves: list[WaitCurve], budget: int, minimum: dict | None = None,
                       maximum: dict | None = None) -> float:
    """Least total late customers over every allocation with Σ headcount ≤ budget."""
    best = math.inf
    ranges = [range((minimum or {}).get(c.hall, c.min_headcount),
                    (maximum or {}).get(c.hall, c.max_headcount) + 1) for c in curves]
    for heads in itertools.product(*ranges):
        if sum(heads) <= budget:
            best = min(best, sum(c.late_at(h) for c, h in zip(curves, heads, strict=True)))
    return best


@pytest.fixture(scope="module")
def county_week() -> WaitCurve:
    scenario = load_scenario(SCENARIOS / "county_hall.toml")
    return wait_curve(scenario, demand_from_profile(scenario, WEEK))


# --------------------------------------------------------------------------- late_customers


def test_late_customers_is_arrivals_times_the_erlang_c_tail():
    lam, es, n, t, interval = 0.5, 6.0, 5, 10.0, 30.0  # a = 3 Erlangs
    a = lam * es
    top = a**n / math.factorial(n) * n / (n - a)
    erlang_c = top / (sum(a**k / math.factorial(k) for k in range(n)) + top)
    expected = lam * interval * erlang_c * math.exp(-(n / es - lam) * t)
    assert late_customers(lam, es, n, t, interval) == pytest.approx(expected, rel=1e-12)


def test_late_customers_with_patience_counts_everyone_not_called_within_target():
    lam, es, n, patience = 0.8, 7.0, 6, 30.0
    called = erlang_a_metrics(n, lam, es, patience).p_served_within(15.0)
    late = late_customers(lam, es, n, 15.0, 30.0, patience_mean_min=patience)
    assert late == pytest.approx(lam * 30.0 * (1.0 - called), rel=1e-12)


@pytest.mark.parametrize("patience", [None, 30.0])
@pytest.mark.parametrize("load", [0.4, 3.0, 7.5, 12.0])
def test_late_customers_never_increase_with_servers_and_stay_within_arrivals(load, patience):
    es, interval = 8.0, 30.0
    lam = load / es
    late = [late_customers(lam, es, n, 15.0, interval, patience) for n in range(0, 25)]
    assert late[0] == pytest.approx(lam * interval)
    assert all(0.0 <= x <= lam * interval + 1e-12 for x in late)
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(late))
    assert late[-1] < 1e-3 * lam * interval


def test_an_overloaded_erlang_c_lane_counts_every_arrival_as_late():
    assert late_customers(1.0, 5.0, 4, 15.0, 30.0) == pytest.approx(30.0)
    assert late_customers(1.0, 5.0, 5, 15.0, 30.0) == pytest.approx(30.0)
    assert late_customers(1.0, 5.0, 6, 15.0, 30.0) < 30.0


def test_no_arrivals_no_late_customers_and_bad_arguments_are_named():
    assert late_customers(0.0, 5.0, 0, 15.0, 30.0) == 0.0
    with pytest.raises(ValueError, match="servers"):
        late_customers(1.0, 5.0, -1, 15.0, 30.0)
    with pytest.raises(ValueError, match="mean_service_min"):
        late_customers(1.0, 0.0, 2, 15.0, 30.0)


# --------------------------------------------------------------------------- wait curves


def test_county_curve_falls_with_headcount_and_its_share_rises(county_week):
    c = county_week
    assert c.hall == "county-hall"
    assert list(c.headcount) == list(range(3, 12))  # 50 %–150 % of the 7 employees
    assert np.all(np.diff(c.late_customers) <= 1e-9)
    shares = [c.share_within_target(int(h)) for h in c.headcount]
    assert all(b >= a - 1e-12 for a, b in itertools.pairwise(shares))
    assert shares[-1] > shares[0] + 0.5
    assert c.target_share == pytest.approx(0.8)


def test_county_curve_counts_the_counter_customers_of_the_horizon(county_week):
    scenario = load_scenario(SCENARIOS / "county_hall.toml")
    loads = lane_loads(scenario, demand_from_profile(scenario, WEEK))
    counter = loads[loads["post"] != "greeter"]
    assert county_week.customers == pytest.approx(float(counter["rate_per_min"].sum()) * 30.0)
    assert np.all(county_week.late_customers <= county_week.customers + 1e-9)


def test_overhead_posts_and_duty_managers_take_hours_from_the_counters(county_week):
    scenario = load_scenario(SCENARIOS / "county_hall.toml")
    demand = demand_from_profile(scenario, WEEK)
    no_greeter = wait_curve(scenario, demand, fixed_posts=())
    all_at_counters = wait_curve(scenario, demand, duty_managers=0)
    h = np.searchsorted(county_week.headcount, 7)
    assert no_greeter.late_customers[h] < county_week.late_customers[h]
    assert all_at_counters.late_customers[h] < county_week.late_customers[h]


def test_more_productive_hours_mean_fewer_late_customers(county_week):
    scenario = load_scenario(SCENARIOS / "county_hall.toml")
    demand = demand_from_profile(scenario, WEEK)
    full = wait_curve(scenario, demand, productive_share=1.0)
    assert np.all(full.late_customers <= county_week.late_customers + 1e-9)


def test_a_zero_headcount_leaves_every_customer_late(county_week):
    scenario = load_scenario(SCENARIOS / "county_hall.toml")
    c = wait_curve(scenario, demand_from_profile(scenario, WEEK), headcounts=[0, 7])
    assert c.late_customers[0] == pytest.approx(county_week.customers)
    assert c.late_customers[1] == pytest.approx(county_week.late_at(7))


def test_the_curve_places_counter_hours_where_they_save_most():
    """Three county intervals, one person = one counter for one interval: the curve at K
    people is the best placement of some U ∈ (K − 4, K] counter-intervals (a lane with
    patience gains little from its first counter, so hull steps can be several units)."""
    scenario = load_scenario(SCENARIOS / "county_hall.toml")
    demand = demand_from_profile(scenario, dt.date(2026, 3, 2))
    table = demand.table[demand.table["interval_start_min"].isin([570.0, 600.0, 780.0])]
    three = Demand(demand.interval_min, table)
    curve = wait_curve(scenario, three, headcounts=range(14), fixed_posts=(), weekly_hours=3.5,
                       productive_share=1.0, duty_managers=0)
    loads = lane_loads(scenario, three)
    target = lane_target(scenario, "general")
    cells = [
        [late_customers(lam, es, n, target.wait_target_min, 30.0, target.patience_mean_min)
         for n in range(5)]
        for lam, es in loads.loc[loads["post"] == "general",
                                 ["rate_per_min", "mean_service_min"]].itertuples(index=False)
    ]

    def best(units: int) -> float:
        return min(sum(cell[n] for cell, n in zip(cells, ns, strict=True))
                   for ns in itertools.product(range(5), repeat=3) if sum(ns) <= max(units, 0))

    optima = [best(k) for k in range(14)]
    for k in range(14):
        assert optima[k] - 1e-9 <= curve.late_at(k) <= optima[max(k - 3, 0)] + 1e-9
        assert min(abs(curve.late_at(k) - optima[u]) for u in range(max(k - 3, 0), k + 1)) < 1e-9
    assert curve.late_at(0) == pytest.approx(curve.customers)
    assert curve.late_at(13) == pytest.approx(sum(cell[4] for cell in cells))  # 4 counters each


def test_curve_methods_read_share_marginal_value_and_least_headcount():
    c = _curve("a", 2, [900, 500, 260, 130, 60])
    assert c.share_within_target(4) == pytest.approx(1 - 260 / 1000)
    assert c.marginal_value(3) == pytest.approx(500 - 260)
    assert c.least_headcount_meeting_target() == 5  # 74 % at 4 < 80 % ≤ 87 % at 5
    assert _curve("x", 1, [900, 800], target_share=0.9).least_headcount_meeting_target() is None
    with pytest.raises(ValueError, match="outside"):
        c.late_at(7)


def test_a_curve_that_rises_with_headcount_is_refused():
    with pytest.raises(ValueError, match="must not increase"):
        _curve("bad", 1, [100, 120, 90])


# --------------------------------------------------------------------------- calibrate


def test_calibrate_passes_through_the_simulated_point_and_keeps_the_shape():
    c = _curve("a", 2, [900, 500, 260, 130, 60])
    cal = calibrate(c, observed_late=195.0, at_headcount=4)
    assert cal.late_at(4) == pytest.approx(195.0)
    assert cal.late_customers[1:] / c.late_customers[1:] == pytest.approx(np.full(4, 0.75))
    assert np.all(np.diff(cal.late_customers) <= 0)
    higher = calibrate(c, observed_late=520.0, at_headcount=4)  # ratio 2: capped at customers
    assert higher.late_at(4) == pytest.approx(520.0)
    assert higher.late_customers.max() <= c.customers


# --------------------------------------------------------------------------- allocation


@pytest.mark.parametrize("budget", [6, 8, 11, 14, 17, 20, 23, 26])
def test_allocation_equals_brute_force_on_convex_curves(budget):
    curves = _three_convex_curves()
    table = allocate_headcount(curves, budget)
    assert table["headcount"].sum() <= budget
    assert table["late_customers"].sum() == pytest.approx(_brute_force_total(curves, budget))
    assert table.attrs["optimality_gap_bound"] == pytest.approx(0.0)


def test_budget_equal_to_the_minimums_returns_the_minimums():
    curves = _three_convex_curves()
    table = allocate_headcount(curves, 6)
    assert list(table["headcount"]) == [2, 1, 3]
    table = allocate_headcount(curves, 10, minimum={"a": 4, "b": 2, "c": 4})
    assert list(table["headcount"]) == [4, 2, 4]


def test_a_budget_below_the_minimums_names_the_numbers():
    with pytest.raises(ValueError, match=r"budget 5 .* minimum headcounts 6 \(a: 2, b: 1, c: 3\)"):
        allocate_headcount(_three_convex_curves(), 5)


def test_more_budget_never_increases_total_late_customers():
    curves = [*_three_convex_curves(), _curve("hump", 1, [500, 495, 200, 190, 40, 39, 0])]
    totals = [allocate_headcount(curves, b)["late_customers"].sum() for b in range(7, 35)]
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(totals))


def test_marginal_value_next_is_what_one_more_person_saves():
    curves = _three_convex_curves()
    table = allocate_headcount(curves, 14).set_index("hall")
    for c in curves:
        h = int(table.loc[c.hall, "headcount"])
        if h < c.max_headcount:
            assert table.loc[c.hall, "marginal_value_next"] == pytest.approx(
                c.late_at(h) - c.late_at(h + 1))
        else:
            assert math.isnan(table.loc[c.hall, "marginal_value_next"])


def test_the_greedy_gives_each_person_to_the_hall_that_gains_most():
    curves = _three_convex_curves()
    before = allocate_headcount(curves, 12).set_index("hall")
    after = allocate_headcount(curves, 13).set_index("hall")
    grown = (after["headcount"] - before["headcount"]).idxmax()
    assert grown == before["marginal_value_next"].idxmax()
    assert after["late_customers"].sum() == pytest.approx(
        before["late_customers"].sum() - before["marginal_value_next"].max())


def test_allocation_stops_when_nobody_gains_and_respects_maximums():
    curves = [*_three_convex_curves(), _curve("tail", 1, [100, 40, 10, 10, 10])]
    table = allocate_headcount(curves, 100, maximum={"a": 5}).set_index("hall")
    assert table.loc["a", "headcount"] == 5
    assert table.loc["tail", "headcount"] == 3  # a 4th person would save nobody
    assert table.attrs["allocated"] == table["headcount"].sum() == 5 + 9 + 8 + 3
    assert table.attrs["unallocated"] == 100 - table.attrs["allocated"]


def test_the_envelope_carries_a_hall_over_a_first_person_who_saves_little():
    hump = _curve("hump", 1, [500, 495, 200, 190, 40])  # the 2nd and 4th person matter
    flat = _curve("flat", 1, [300, 200, 130, 80, 50])
    for budget in (4, 5, 7, 8, 9, 10):  # these budgets end on envelope vertices
        table = allocate_headcount([hump, flat], budget)
        assert table["late_customers"].sum() == pytest.approx(
            _brute_force_total([hump, flat], budget))
        assert table.attrs["optimality_gap_bound"] == pytest.approx(0.0)
    # budget 6 stops the hump hall between vertices (at 4): the gap bound says by how much
    # the greedy may miss the optimum, and it does miss it by no more; the exact programme
    # (chosen by "auto", the hump curve not being convex) finds the optimum.
    table = allocate_headcount([hump, flat], 6, method="greedy")
    assert table.attrs["method"] == "greedy"
    gap = table["late_customers"].sum() - _brute_force_total([hump, flat], 6)
    assert 0.0 < gap <= table.attrs["optimality_gap_bound"] + 1e-9
    exact = allocate_headcount([hump, flat], 6)
    assert exact.attrs["method"] == "exact"
    assert exact.attrs["optimality_gap_bound"] == 0.0
    assert exact["late_customers"].sum() == pytest.approx(_brute_force_total([hump, flat], 6))


def _random_curve(rng: np.random.Generator, hall: str) -> WaitCurve:
    """A small non-increasing curve with random (often increasing) gains: rarely convex."""
    n = int(rng.integers(2, 7))
    gains = rng.choice([0.0, 5.0, 40.0, 120.0, 300.0], size=n - 1) * rng.random(n - 1)
    late = 1000.0 - np.concatenate(([0.0], np.cumsum(gains)))
    return _curve(hall, int(rng.integers(0, 4)), list(late), customers=1000.0)


def _non_convex_instances() -> list[list[WaitCurve]]:
    """Hand-made humps (a person saving little until the next joins) and random curves."""
    hand = [
        [_curve("hump", 1, [500, 495, 200, 190, 40]), _curve("flat", 1, [300, 200, 130, 80, 50])],
        [_curve("county", 3, [2000, 1800, 1489, 582, 400, 330],  # saves 311, then 907
                customers=3000.0),
         _curve("city", 2, [900, 600, 420, 300, 240, 210]),
         _curve("steps", 0, [400, 400, 100, 100, 0])],
    ]
    rng = np.random.default_rng(20260323)
    randoms = [[_random_curve(rng, f"h{i}") for i in range(int(rng.integers(2, 5)))]
               for _ in range(6)]
    return hand + randoms


@pytest.mark.parametrize("instance", range(8))
def test_exact_allocation_equals_brute_force_and_never_loses_to_greedy(instance):
    curves = _non_convex_instances()[instance]
    lows = sum(c.min_headcount for c in curves)
    highs = sum(c.max_headcount for c in curves)
    for budget in range(lows, highs + 2):
        exact = allocate_headcount(curves, budget, method="exact")
        greedy = allocate_headcount(curves, budget, method="greedy")
        best = _brute_force_total(curves, budget)
        assert exact.attrs["method"] == "exact"
        assert exact.attrs["optimality_gap_bound"] == 0.0
        assert exact["headcount"].sum() == exact.attrs["allocated"] <= budget
        assert exact.attrs["unallocated"] == budget - exact.attrs["allocated"]
        assert exact["late_customers"].sum() == pytest.approx(best, abs=1e-6)
        assert exact.attrs["total_late_customers"] == pytest.approx(best, abs=1e-6)
        assert exact["late_customers"].sum() <= greedy["late_customers"].sum() + 1e-9
        assert (greedy["late_customers"].sum() - best
                <= greedy.attrs["optimality_gap_bound"] + 1e-6)


def test_the_instances_are_really_not_convex_and_auto_takes_the_exact_programme():
    for curves in _non_convex_instances():
        table = allocate_headcount(curves, sum(c.min_headcount for c in curves) + 3)
        assert table.attrs["method"] == "exact"
        assert any(np.any(np.diff(c.late_customers, 2) < 0) for c in curves)
    county = _non_convex_instances()[1]  # greedy: "steps" at 1, inside its 400-400-100 stretch
    greedy = allocate_headcount(county, 12, method="greedy")["late_customers"].sum()
    assert allocate_headcount(county, 12)["late_customers"].sum() < greedy - 1.0


@pytest.mark.parametrize("budget", range(7, 33))
def test_auto_uses_the_greedy_on_convex_curves_and_it_equals_the_exact_programme(budget):
    curves = [*_three_convex_curves(), _curve("tail", 1, [100, 40, 10, 10, 10])]
    auto = allocate_headcount(curves, budget)
    exact = allocate_headcount(curves, budget, method="exact")
    assert auto.attrs["method"] == "greedy"
    assert auto.attrs["optimality_gap_bound"] == pytest.approx(0.0, abs=1e-9)
    assert auto["late_customers"].sum() == pytest.approx(exact["late_customers"].sum())
    assert auto.attrs["allocated"] == exact.attrs["allocated"]  # same unallocated rule
    assert list(auto["headcount"]) == list(exact["headcount"])


def test_exact_respects_minimum_maximum_and_budget():
    curves = _non_convex_instances()[1]  # county 3–8, city 2–7, steps 0–4
    minimum = {"county": 4, "steps": 1}
    maximum = {"county": 6, "city": 5, "steps": 3}
    for budget in range(7, 16):
        table = allocate_headcount(curves, budget, minimum=minimum, maximum=maximum,
                                   method="exact").set_index("hall")
        assert 4 <= table.loc["county", "headcount"] <= 6
        assert 2 <= table.loc["city", "headcount"] <= 5
        assert 1 <= table.loc["steps", "headcount"] <= 3
        assert table["headcount"].sum() <= budget
        assert table["late_customers"].sum() == pytest.approx(
            _brute_force_total(curves, budget, minimum, maximum))
    table = allocate_headcount(curves, 100, minimum=minimum, maximum=maximum, method="exact")
    assert list(table["headcount"]) == [6, 5, 2]  # a 3rd "steps" person saves nobody
    with pytest.raises(ValueError, match=r"budget 6 .* minimum headcounts 7"):
        allocate_headcount(curves, 6, minimum=minimum, method="exact")


def test_exact_leaves_people_unassigned_only_when_nobody_gains():
    hump = _curve("hump", 1, [500, 495, 200, 190, 40, 40, 40])  # 6th and 7th save nobody
    tail = _curve("tail", 1, [100, 100, 10, 10, 10])  # 3rd–5th save nobody
    table = allocate_headcount([hump, tail], 100).set_index("hall")
    assert table.attrs["method"] == "exact"
    assert list(table["headcount"]) == [5, 3]
    assert table.attrs["unallocated"] == 100 - 8
    assert table.loc["hump", "marginal_value_next"] == 0.0


def test_exact_ties_go_to_the_earlier_hall_and_marginal_value_is_read_off_the_curve():
    twins = [_curve("a", 1, [100, 90, 0]), _curve("b", 1, [100, 90, 0])]
    table = allocate_headcount(twins, 4)  # 3 + 1 or 1 + 3: both leave 100 late
    assert table.attrs["method"] == "exact"
    assert list(table["headcount"]) == [3, 1]
    assert list(table["marginal_value_next"].iloc[1:]) == [10.0]  # real curve, not envelope
    assert math.isnan(table["marginal_value_next"].iloc[0])
    hump = _curve("hump", 1, [500, 495, 200, 190, 40])
    table = allocate_headcount([hump, _curve("flat", 1, [300, 200, 130, 80, 50])], 6)
    h = int(table["headcount"].iloc[0])
    assert table["marginal_value_next"].iloc[0] == pytest.approx(hump.late_at(h)
                                                                 - hump.late_at(h + 1))


def test_exact_on_two_hundred_random_halls_beats_the_greedy_within_its_gap_bound():
    rng = np.random.default_rng(7)
    curves = []
    for i in range(200):
        gains = rng.exponential(50.0, 29) * np.sort(rng.random(29))[::-1]
        gains[rng.integers(0, 29, 2)] *= 4.0  # late-found helpers: not convex
        late = 3000.0 - np.concatenate(([0.0], np.cumsum(gains)))
        curves.append(_curve(f"h{i}", int(rng.integers(1, 10)), list(late), customers=3000.0))
    budget = sum(c.min_headcount for c in curves) + 2500
    minimum = {"h0": curves[0].min_headcount + 5}
    maximum = {"h1": curves[1].min_headcount + 2}
    exact = allocate_headcount(curves, budget, minimum=minimum, maximum=maximum)
    greedy = allocate_headcount(curves, budget, minimum=minimum, maximum=maximum,
                                method="greedy")
    assert exact.attrs["method"] == "exact"
    assert exact.attrs["allocated"] == budget  # every person saves somebody somewhere
    assert exact["headcount"].iloc[0] >= curves[0].min_headcount + 5
    assert exact["headcount"].iloc[1] <= curves[1].min_headcount + 2
    gap = greedy["late_customers"].sum() - exact["late_customers"].sum()
    assert -1e-6 <= gap <= greedy.attrs["optimality_gap_bound"] + 1e-6


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method"):
        allocate_headcount(_three_convex_curves(), 10, method="simplex")


def test_lower_convex_envelope_keeps_convex_curves_and_lies_below_the_others():
    convex = [900.0, 500.0, 260.0, 130.0, 60.0]
    assert lower_convex_envelope(convex) == pytest.approx(convex)
    bumpy = np.array([500.0, 495.0, 200.0, 190.0, 40.0])
    env = lower_convex_envelope(bumpy)
    assert np.all(env <= bumpy + 1e-12)
    assert np.all(np.diff(env, 2) >= -1e-9)
    assert env[[0, 2, 4]] == pytest.approx(bumpy[[0, 2, 4]])


# --------------------------------------------------------------------------- least headcount


def test_least_headcount_plan_meets_every_target_and_totals_the_region():
    curves = [*_three_convex_curves(), _curve("short", 1, [900, 800, 700], target_share=0.8)]
    plan = least_headcount_plan(curves).set_index("hall")
    assert plan.loc["a", "headcount"] == 5  # 74 % at 4, 87 % at 5
    assert plan.loc["b", "headcount"] == 4  # exactly 80 % at 4
    assert plan.loc["c", "headcount"] == 4  # 85 % at 4
    assert plan.loc["short", "headcount"] == 3
    assert bool(plan.loc["short", "capped"]) and not bool(plan.loc["short", "meets_target"])
    total = plan.loc[REGION_TOTAL]
    assert total["headcount"] == 5 + 4 + 4 + 3
    assert total["late_customers"] == pytest.approx(130 + 200 + 150 + 700)
    assert total["share_within_target"] == pytest.approx(1 - 1180 / 4000)
    assert not bool(total["meets_target"])


def test_an_unknown_fixed_post_is_refused():
    scenario = load_scenario(SCENARIOS / "county_hall.toml")
    with pytest.raises(ValueError, match="fixed_posts"):
        wait_curve(scenario, demand_from_profile(scenario, WEEK), fixed_posts=("duty_desk",))

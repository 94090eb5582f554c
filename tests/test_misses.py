"""What the loop calls a miss, why, and what it tells the planner is missing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from scipy.stats import binomtest

from hallplan.optimize.misses import (
    binomial_upper,
    classify_misses,
    find_misses,
    full_staffing,
    staff_limited,
    staffing_advice,
)
from hallplan.pipeline import lost_coverage
from hallplan.scenarios import scenario_path
from hallplan.sim.loader import load_scenario

D = dt.date(2026, 12, 4)  # a Friday


@pytest.fixture(scope="module")
def flagship():
    return load_scenario(scenario_path("flagship_city_centre.toml"))


class _Results:
    def __init__(self, rows):
        k = pd.DataFrame(rows, columns=["date", "rep", "interval_start_min", "lane", "tickets",
                                        "called_within_target"])
        k["share_called_within_target"] = k["called_within_target"] / k["tickets"]
        k["abandoned"] = 0
        self.interval_kpis = k


def test_the_exact_binomial_bound_matches_clopper_pearson():
    for x, n in [(0, 2), (1, 2), (8, 10), (45, 60)]:
        ci = binomtest(x, n).proportion_ci(confidence_level=0.8, method="exact")
        assert binomial_upper(x, n, 0.9) == pytest.approx(ci.high, abs=1e-9)
    assert binomial_upper(5, 5, 0.9) == 1.0


def test_a_small_lane_is_judged_on_its_customers_not_on_zero_variance(flagship):
    # general lane, target 80%: 3 tickets in each of 5 replications, 2 on time in every one.
    # The replications agree exactly, so a t-interval has zero width and "proves" 66.7% < 80%;
    # 10 of 15 customers on time leave the share's exact upper bound (one-sided 90%) at 0.83.
    small = [(D, r, 900.0, "general", 3, 2) for r in range(5)]
    assert find_misses(_Results(small), flagship, 0.9).empty
    # the same 2-in-3 share over 20 tickets a replication is a miss: the customers prove it
    busy = [(D, r, 900.0, "general", 21, 14) for r in range(5)]
    assert find_misses(_Results(busy), flagship, 0.9)["interval_start_min"].tolist() == [900.0]
    # and no customer on time in any replication is a miss however few they are
    none = [(D, r, 900.0, "general", 1, 0) for r in range(5)]
    assert len(find_misses(_Results(none), flagship, 0.9)) == 1


def test_a_consistent_small_shortfall_on_a_busy_lane_is_a_miss(flagship):
    rows = [(D, r, 600.0, "general", 40, 28) for r in range(5)]  # 70% vs 80%, no variance
    m = find_misses(_Results(rows), flagship, 0.9)
    assert m["interval_start_min"].tolist() == [600.0]
    assert m.iloc[0]["tickets"] == 40


def _coverage(rows):
    return pd.DataFrame(rows, columns=["date", "post", "interval_start_min", "required",
                                       "staffed"])


def test_a_miss_that_stays_with_every_counter_staffed_is_a_layout_finding(flagship):
    misses = pd.DataFrame({"date": [D, D, D], "interval_start_min": [600.0, 630.0, 660.0],
                           "lane": ["vip", "vip", "general"], "mean": [0.5] * 3,
                           "upper": [0.6] * 3, "target": [0.9] * 3, "tickets": [9.0] * 3})
    cov = _coverage([(D, "vip", 600, 3, 1), (D, "vip", 630, 3, 1), (D, "general", 660, 10, 10)])
    at_full = misses.iloc[[1]]  # 10:30 VIP misses even with every VIP counter staffed
    out = classify_misses(misses, cov, flagship, layout_misses=at_full)
    assert list(out["cause"]) == ["roster", "layout", "requirement"]


def test_full_staffing_seats_every_counter_all_day(flagship):
    day = full_staffing(flagship).day(D)
    for post in flagship.posts:
        assert day.count_at(post, 600.0) == flagship.physical_capacity(post)
        assert day.count_at(post, 1200.0) == flagship.physical_capacity(post)


def test_staff_limited_gaps_become_advice_in_people_and_hours():
    fridays = [D, D + dt.timedelta(days=7)]
    rows = []
    for d in fridays:
        for t, req, st in [(900.0, 3, 1), (930.0, 3, 2), (1170.0, 3, 2)]:
            rows.append((d, t, "vip", req, st, "roster"))
    misses = pd.DataFrame(rows, columns=["date", "interval_start_min", "lane", "required",
                                         "staffed", "cause"])
    why = pd.DataFrame({"date": misses["date"], "post": misses["lane"],
                        "interval_start_min": misses["interval_start_min"]})
    misses["staff_limited"] = staff_limited(misses, why)
    assert misses["staff_limited"].all()
    adv = staffing_advice(misses, 30)
    assert len(adv) == 1
    row = adv.iloc[0]
    assert (row["more_staff"], row["dates"], row["intervals"]) == (2, 2, 6)
    assert row["advice"].startswith("2 more VIP-qualified staff on Fridays 15:00–20:00")


def test_a_gap_someone_could_have_filled_is_not_staff_limited():
    misses = pd.DataFrame({"date": [D, D], "interval_start_min": [900.0, 930.0],
                           "lane": ["vip", "vip"], "required": [3, 3], "staffed": [1, 1],
                           "cause": ["roster", "requirement"]})
    why = pd.DataFrame({"date": [], "post": [], "interval_start_min": []})
    assert not staff_limited(misses, why).any()
    assert staffing_advice(misses.assign(staff_limited=False), 30).empty


def test_lost_coverage_counts_cells_a_re_roster_gave_up():
    prev = _coverage([(D, "vip", 600, 2, 2), (D, "vip", 630, 2, 1), (D, "general", 600, 5, 6)])
    cur = _coverage([(D, "vip", 600, 2, 1), (D, "vip", 630, 2, 2), (D, "general", 600, 6, 5)])
    # vip 10:00 was covered and is not; general 10:00 still staffs the old requirement (5)
    assert lost_coverage(prev, cur) == 1
    assert lost_coverage(prev, prev) == 0
    # a re-roster that staffs nothing loses every cell the previous one covered
    assert lost_coverage(prev, cur.iloc[:0]) == 2

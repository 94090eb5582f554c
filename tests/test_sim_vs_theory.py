"""The simulator agrees with exact queueing results.

A hall reduced to one lane with exponential times is M/M/c (Erlang C), M/M/c+M (Erlang A)
or a two-class non-preemptive priority M/M/c (Cobham). Each replication is a 24-hour day
with constant arrivals; customers arriving in the first hour (start-up from empty) are left
out. Replications are independent, so each replication's statistic is one i.i.d. sample:
the test asserts |mean − theory| ≤ t_{0.995, R−1} · s / √R, a 99% confidence bound at the
stated sample size, and also that the bound is tight enough (relative half-width) for the
comparison to mean something. Seeds are fixed, so the outcome is deterministic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import t as student_t

from hallplan.optimize.queueing import erlang_a_metrics, erlang_c_metrics, priority_mmc_mean_waits
from hallplan.sim.kpi import customers_frame
from hallplan.sim.replicate import run_day_records
from hallplan.sim.single_lane import (
    REFERENCE_DATE,
    constant_demand,
    constant_staffing,
    single_lane_scenario,
)
from hallplan.sim.staffing import DayStaffing

WARMUP_MIN = 60.0
REPS = 12
SEED = 20261123


def replicate_stats(scenario, rates, servers, stat_fns, reps=REPS, seed=SEED):
    demand = constant_demand(scenario, rates)
    day = demand.day(REFERENCE_DATE)
    staff = constant_staffing(scenario, servers).day(REFERENCE_DATE)
    rows = []
    n_customers = 0
    for r in range(reps):
        rec = run_day_records(scenario, day, staff, seed, (REFERENCE_DATE.toordinal(), r))
        c = customers_frame(rec.customers)
        c = c[c["arrival_min"] >= WARMUP_MIN]
        n_customers += len(c)
        rows.append([fn(c) for fn in stat_fns])
    return np.asarray(rows), n_customers


def assert_within_ci(samples: np.ndarray, theory: float, label: str, max_rel_hw: float = 0.1):
    n = len(samples)
    mean = float(np.mean(samples))
    hw = float(student_t.ppf(0.995, n - 1) * np.std(samples, ddof=1) / math.sqrt(n))
    print(f"{label}: theory {theory:.5f}  sim {mean:.5f} ± {hw:.5f} (99% CI, {n} reps)")
    assert abs(mean - theory) <= hw, f"{label}: theory {theory:.5f} outside {mean:.5f} ± {hw:.5f}"
    # power: the CI must be narrow enough that a real bias would show
    assert hw <= max_rel_hw * max(abs(theory), 1e-3), f"{label}: CI ± {hw:.4f} too wide"


def test_mmc_agrees_with_erlang_c():
    c, lam, es = 5, 4.0, 1.0
    s = single_lane_scenario(c, es)
    theory = erlang_c_metrics(c, lam, es)
    stats, n = replicate_stats(
        s,
        {"regular": lam},
        c,
        [
            lambda d: d["wait_min"].mean(),
            lambda d: (d["wait_min"] > 0).mean(),
            lambda d: (d["wait_min"] > 1.0).mean(),
        ],
        reps=40,
    )
    assert n > 200_000
    assert_within_ci(stats[:, 0], theory.mean_wait_min, "M/M/5 mean wait")
    assert_within_ci(stats[:, 1], theory.p_wait, "M/M/5 P(wait>0)")
    assert_within_ci(stats[:, 2], theory.p_wait_gt(1.0), "M/M/5 P(wait>1)")


def test_mmc_plus_m_agrees_with_erlang_a():
    c, lam, es, patience = 10, 10.5, 1.0, 5.0  # overloaded without abandonment
    s = single_lane_scenario(c, es, mean_patience_min=patience)
    theory = erlang_a_metrics(c, lam, es, patience)
    stats, n = replicate_stats(
        s,
        {"regular": lam},
        c,
        [
            lambda d: (d["outcome"] == "abandoned").mean(),
            lambda d: d["wait_min"].mean(),
            lambda d: (d["wait_min"] > 0).mean(),
            lambda d: (d["wait_min"] > 1.0).mean(),
            lambda d: ((d["outcome"] == "served") & (d["wait_min"] <= 1.0)).mean(),
        ],
    )
    assert n > 150_000
    assert_within_ci(stats[:, 0], theory.p_abandon, "M/M/10+M P(abandon)")
    assert_within_ci(stats[:, 1], theory.mean_wait_min, "M/M/10+M mean wait")
    assert_within_ci(stats[:, 2], theory.p_wait, "M/M/10+M P(wait>0)")
    assert_within_ci(stats[:, 3], theory.p_queue_time_gt(1.0), "M/M/10+M P(time in queue>1)")
    assert_within_ci(stats[:, 4], theory.p_served_within(1.0), "M/M/10+M P(called within 1)")


def test_two_class_priority_agrees_with_cobham():
    c, es = 3, 1.0
    lam_vip, lam_reg = 0.8, 1.6  # total load 0.8
    s = single_lane_scenario(c, es, class_names=("vip", "regular"), class_priorities=(0, 1))
    w_vip, w_reg = priority_mmc_mean_waits(c, [lam_vip, lam_reg], es)
    stats, _ = replicate_stats(
        s,
        {"vip": lam_vip, "regular": lam_reg},
        c,
        [
            lambda d: d.loc[d["customer_class"] == "vip", "wait_min"].mean(),
            lambda d: d.loc[d["customer_class"] == "regular", "wait_min"].mean(),
        ],
        reps=40,
    )
    assert_within_ci(stats[:, 0], w_vip, "priority M/M/3 VIP mean wait", max_rel_hw=0.15)
    assert_within_ci(stats[:, 1], w_reg, "priority M/M/3 regular mean wait", max_rel_hw=0.15)


@pytest.mark.parametrize("mean_patience", [None, 5.0])
def test_conservation_and_empty_hall_after_close(mean_patience):
    s = single_lane_scenario(4, 1.0, mean_patience_min=mean_patience, open_min=540, close_min=600)
    demand = constant_demand(s, {"regular": 5.0})  # overloaded: queue at close
    day = demand.day(REFERENCE_DATE)
    staff = DayStaffing({"general": tuple(((540.0, 600.0),) for _ in range(4))})  # until close
    rec = run_day_records(s, day, staff, 7, (1, 0))
    c = customers_frame(rec.customers)
    assert len(c) == len(set(c["customer"]))  # every arrival recorded exactly once
    assert c["arrival_min"].max() < 600  # no tickets after closing
    counts = c["outcome"].value_counts()
    assert (
        counts.sum()
        == len(c)
        == counts.get("served", 0) + counts.get("abandoned", 0) + counts.get("balked", 0)
    )
    assert (c["wait_min"].dropna() >= 0).all()
    last = np.nanmax(c["service_end_min"])
    assert last > 600  # the queue at close was served after closing time
    assert all(span.end_min <= last + 1e-9 for span in rec.staff_spans)

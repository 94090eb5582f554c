"""Instances feasible by construction (anti-pattern D): a random valid roster is drawn from a
seeded RNG, its coverage becomes the requirement, and the optimiser must then cover it fully
with no more paid hours (two-stage) or no worse objective (monolithic, when optimal) than
the roster that generated it. Deterministic ids and seeds."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from hallplan.optimize.roster import Roster, RosterOptimizer, RosterProblem, RosterRow, check_roster
from hallplan.optimize.staffing_requirement import Requirement
from tests.test_roster_helpers import CFG, MON, tiny_hall


def generated_instance(seed: int):
    rng = random.Random(seed)
    emps = [{"id": f"E{k}", "skills": ["general", "vip"] if k % 3 == 0 else ["general"]}
            for k in range(4)]
    # counters for everyone: the drawn roster must be one the hall can seat
    sc = tiny_hall(staff={"employees": emps},
                   lanes={"general": {"counters": 4}, "vip": {"counters": 2}})
    dates = [MON + dt.timedelta(days=k) for k in range(5)]
    P0 = RosterProblem.from_scenario(sc, Requirement(30, pd.DataFrame(
        [(d, 540, "general", 0, "x") for d in dates],
        columns=["date", "interval_start_min", "post", "staff", "method"])))
    rows = []
    for e in P0.employees:
        for d in rng.sample(dates, 3):  # 3 days each: well inside every labour rule
            t = rng.choice(P0.templates)
            post = "vip" if "vip" in e.skills and rng.random() < 0.5 else "general"
            rows.append(RosterRow(e.id, d, t.arrival_min, t.end_min, post, t.break_start_min,
                                  t.break_end_min, P0.labour.handover_min))
    source = Roster(tuple(rows), tuple(dates))
    assert check_roster(source, P0).ok
    cov = check_roster(source, P0).coverage
    req = Requirement(30, cov.rename(columns={"staffed": "staff"}).assign(method="generated")
                      [["date", "interval_start_min", "post", "staff", "method"]])
    return RosterProblem.from_scenario(sc, req), source


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("method", ["two_stage", "monolithic"])
def test_generated_requirement_is_covered(seed, method):
    P, source = generated_instance(seed)
    res = RosterOptimizer(P, CFG, method=method).solve()
    rep = check_roster(res.roster, P)
    assert rep.ok, rep.violations
    assert rep.under_staff_hours == 0
    if method == "two_stage":  # stage 1 minimises paid minutes subject to full cover
        assert res.stages[0].status == "OPTIMAL"
        assert res.roster.paid_hours() <= source.paid_hours() + 1e-9
    elif res.status == "OPTIMAL":  # the generating roster is a feasible point
        assert res.objective <= check_roster(source, P).objective + 1e-9

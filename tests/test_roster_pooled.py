"""The pooled roster (skill-group shift plan, named assignment, repair) against its bound and
the planner's rule: no post left short while a qualified person could fill it."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from hallplan.optimize.roster import RosterOptimizer, RosterProblem, SolverConfig, check_roster
from hallplan.optimize.roster import registry as reg
from hallplan.optimize.roster.check import idle_qualified
from hallplan.optimize.roster.groups import skill_groups
from hallplan.optimize.roster.io import requirement_from_bands
from hallplan.optimize.roster.pooled import (
    PooledSettings,
    _plan_days,
    build_covering_model,
    covering_bound,
    independent_parts,
    problem_plan_objective,
    solve_month_mip,
)
from hallplan.optimize.roster.solution import Roster
from hallplan.optimize.staffing_requirement import Requirement
from hallplan.scenarios import scenario_path
from hallplan.sim.loader import load_scenario

WEEK = [dt.date(2026, 12, 7) + dt.timedelta(days=k) for k in range(7)]


@pytest.fixture(scope="module")
def district():
    sc = load_scenario(scenario_path("district_hall.toml"))
    return RosterProblem.from_scenario(sc, requirement_from_bands(sc, WEEK))


@pytest.fixture(scope="module")
def pooled(district):
    return RosterOptimizer(district, SolverConfig(time_limit_s=6, workers=2)).solve()


def test_skill_groups_partition_the_staff_by_skills_and_duty_manager_flag(district):
    groups = skill_groups(district)
    ids = [e.id for g in groups for e in g.members]
    assert sorted(ids) == sorted(e.id for e in district.employees)
    for g in groups:
        assert all(frozenset(e.skills) == g.skills and e.duty_manager == g.duty_manager
                   for e in g.members)


def test_no_roster_misses_fewer_staff_hours_than_the_covering_lp_bound(district, pooled):
    bound = covering_bound(district)
    assert bound.under_staff_h <= pooled.check.under_staff_hours + 1e-6
    # the bound's paid hours at its coverage are a floor for any roster covering as much
    if pooled.check.under_staff_hours <= bound.under_staff_h + 1e-6:
        assert pooled.roster.paid_hours() >= bound.paid_h_at_min_under - 1e-6


def test_pooled_roster_keeps_every_hard_rule_and_leaves_no_post_short_that_someone_could_fill(
        pooled):
    assert pooled.check.ok, pooled.check.violations[:5]
    assert pooled.check.idle == ()
    # every remaining short cell says why nobody could fill it
    short = pooled.check.coverage.query("staffed < required")
    assert len(pooled.check.why_short) == len(short)
    assert pooled.check.why_short["why_not_filled"].str.len().gt(0).all()


def test_the_rule_flags_a_post_left_short_while_a_qualified_person_is_off(district, pooled):
    rows = list(pooled.roster.rows)
    # take away one VIP shift: the person who worked it is now off, with hours to spare
    vip = next(r for r in rows if r.post == "vip")
    broken = Roster(tuple(r for r in rows if r != vip), pooled.roster.dates)
    v, _ = idle_qualified(broken, district)
    assert any(x.rule == reg.IDLE_QUALIFIED_STAFF.id for x in v)


def test_the_rule_flags_a_qualified_person_kept_at_a_post_that_does_not_need_them(district,
                                                                                  pooled):
    rows = list(pooled.roster.rows)
    vip = next(r for r in rows if r.post == "vip")
    # the VIP shift's person is moved to the general counters (over-covering them there)
    moved = replace(vip, post="general")
    broken = Roster(tuple(moved if r == vip else r for r in rows), pooled.roster.dates)
    assert check_roster(broken, district).ok
    v, _ = idle_qualified(broken, district)
    assert {x.rule for x in v} & {reg.QUALIFIED_AT_OTHER_POST.id, reg.IDLE_QUALIFIED_STAFF.id}


def test_the_pooled_roster_is_the_same_on_every_run(district, pooled):
    again = RosterOptimizer(district, SolverConfig(time_limit_s=6, workers=2)).solve()
    assert again.roster.rows == pooled.roster.rows
    assert again.reproducible


def _burn(stop_at: float) -> None:  # keeps one core busy
    x = 0
    while time.time() < stop_at:
        x += 1


def test_the_roster_does_not_change_when_the_machine_is_busy(district, pooled):
    stop = time.time() + 120
    hogs = [mp.get_context("spawn").Process(target=_burn, args=(stop,)) for _ in range(2)]
    for h in hogs:
        h.start()
    try:
        busy = RosterOptimizer(district, SolverConfig(time_limit_s=6, workers=2)).solve()
    finally:
        for h in hogs:
            h.terminate()
            h.join()
    assert busy.roster.rows == pooled.roster.rows


def test_a_miss_is_sorted_into_roster_gap_requirement_or_layout():
    import pandas as pd

    from hallplan.pipeline import classify_misses

    sc = load_scenario(scenario_path("flagship_city_centre.toml"))
    d = dt.date(2026, 12, 1)
    misses = pd.DataFrame({"date": [d, d, d], "interval_start_min": [600.0, 630.0, 660.0],
                           "lane": ["vip", "general", "general"], "mean": [0.5] * 3,
                           "upper": [0.6] * 3, "target": [0.8] * 3, "tickets": [9.0] * 3})
    cov = pd.DataFrame({"date": [d, d, d], "post": ["vip", "general", "general"],
                        "interval_start_min": [600, 630, 660], "required": [3, 12, 15],
                        "staffed": [1, 12, sc.physical_capacity("general")]})
    out = classify_misses(misses, cov, sc)
    assert list(out["cause"]) == ["roster", "requirement", "layout"]


def test_a_duty_manager_gap_falls_back_to_a_repaired_two_stage_roster(district, monkeypatch):
    """When the pooled roster leaves a duty-manager gap (here: forced, an empty pooled
    roster), the two-stage method gets its turn — and its roster gets the same repair, so
    the fallback never leaves a post short while a qualified person has room."""
    from hallplan.optimize.roster import model

    def empty_pooled(self, t0):
        self.repairs = {}
        return Roster((), self.P.dates, ()), ()

    monkeypatch.setattr(model.RosterOptimizer, "_pooled", empty_pooled)
    result = RosterOptimizer(district, SolverConfig(time_limit_s=6, workers=2)).solve()
    assert result.repairs.get("fell_back_to_two_stage") == 1
    assert not check_roster(result.roster, district).by_rule(reg.DUTY_MANAGER_ON_SITE.id)
    idle, _why = idle_qualified(result.roster, district)
    assert idle == []


def test_a_priority_interval_the_roster_left_short_is_delivered_first(district):
    """The loop's roster gaps become priority cells: the re-roster covers them, taking the
    hours from an interval whose lane has room, instead of leaving the same gap again."""
    d0 = WEEK[0]
    # three people (two of them the duty managers) for three general counters all day on
    # the first day: meal breaks and shift lengths leave some intervals short
    staff = tuple(e for e in district.employees if e.id in ("V01", "M01", "M02"))
    req = {k: tuple(0 for _ in v) for k, v in district.required.items()}
    req[(d0, "general")] = tuple(3 for _ in district.grid)
    P = replace(district, employees=staff, required=req)
    plain = RosterOptimizer(P, SolverConfig(time_limit_s=6, workers=2)).solve()
    cov = plain.check.coverage.query("staffed < required")
    assert len(cov), "the test needs an interval the plain roster leaves short"
    for t0 in cov["interval_start_min"]:
        cell = (d0, "general", district.grid.index(int(t0)))
        first = RosterOptimizer(replace(P, priority=frozenset({cell})),
                                SolverConfig(time_limit_s=6, workers=2)).solve()
        got = first.check.coverage.query("interval_start_min == @t0 and post == 'general'")
        assert int(got["staffed"].iloc[0]) == 3, f"{t0} still short"
        assert first.check.ok, first.check.violations[:5]


DEMO_REQUIREMENT = (Path(__file__).resolve().parents[1] / "benchmarks" / "data"
                    / "flagship_2026-12_requirement.csv")


def _flagship_december() -> RosterProblem:
    sc = load_scenario(scenario_path("flagship_city_centre.toml"))
    t = pd.read_csv(DEMO_REQUIREMENT, parse_dates=["date"])
    t["date"] = t["date"].dt.date
    return RosterProblem.from_scenario(sc, Requirement(sc.interval_min, t, notes="demo"))


def _flagship_vip_lane(n_days: int) -> RosterProblem:
    """The demo's first ``n_days`` December days at the VIP lane, with its 7 VIP-qualified
    clerks."""
    P = _flagship_december()
    days = P.dates[:n_days]
    return replace(P, dates=days, posts=("vip",),
                   employees=tuple(e for e in P.employees if set(e.skills) == {"general", "vip"}),
                   required={k: v for k, v in P.required.items()
                             if k[0] in days and k[1] == "vip"})


def test_greeters_whom_nobody_else_can_replace_are_planned_as_a_part_of_their_own():
    P = _flagship_december()
    groups = skill_groups(P)
    parts = {posts: tuple(groups[gi].name for gi in gis)
             for gis, posts in independent_parts(P, groups)}
    assert parts == {("general", "vip", "complaint"): (
        "general", "complaint+general", "general+vip",
        "complaint+general+vip (duty managers)"), ("greeter",): ("greeter",)}
    # a holiday's on-call reserve may be anyone, so it ties every group into one part
    holiday = replace(P, reserve_dates=frozenset({P.dates[24]}))
    assert len(independent_parts(holiday, groups)) == 1


def test_a_small_part_is_rounded_across_days_not_only_inside_each_days_budget():
    """The demo's greeters for one week: day by day inside the LP's rounded budgets, some
    intervals are short; planned month-wide from that plan, every one is covered, and the
    shifts can be named under every labour rule."""
    P = _flagship_december()
    week = P.dates[:7]
    greeters = tuple(e for e in P.employees if set(e.skills) == {"greeter"})
    P = replace(P, dates=week, posts=("greeter",), employees=greeters,
                required={k: v for k, v in P.required.items()
                          if k[1] == "greeter" and k[0] in week})
    groups = skill_groups(P)
    month = build_covering_model(P, "plan", groups=groups)
    lp = month.solve_lp()
    assert month.under_staff_hours(lp.x) == pytest.approx(0.0)
    cfg = SolverConfig(workers=2)
    by_day = _plan_days(P, cfg, PooledSettings(), None, groups, month, lp)
    across = solve_month_mip(month, lp, PooledSettings(), start=by_day)

    def short(planned) -> int:
        staffed: dict = {}
        for (_g, d, ti, _p), c in planned.items():
            for k, t0 in enumerate(P.grid):
                if P.templates[ti].covers(t0, P.interval_min):
                    staffed[(d, k)] = staffed.get((d, k), 0) + c
        return sum(max(need - staffed.get((d, k), 0), 0)
                   for (d, _p), req in P.required.items() for k, need in enumerate(req))

    assert short(by_day) > 0, "the test needs a week the day-by-day plan leaves short"
    assert short(across) == 0
    assert problem_plan_objective(P, across) < problem_plan_objective(P, by_day)
    result = RosterOptimizer(P, cfg).solve()
    assert result.check.ok, result.check.violations[:5]
    assert float(result.check.coverage.eval("required - staffed").clip(lower=0).sum()) == 0


def _day_by_day(P: RosterProblem):
    """``P``'s month programme, its LP and the day-by-day plan inside the LP's budgets: the
    starting point of the second passes (polish, reclaim)."""
    groups = skill_groups(P)
    month = build_covering_model(P, "plan", groups=groups)
    lp = month.solve_lp()
    return month, lp, _plan_days(P, SolverConfig(workers=2), PooledSettings(), None, groups,
                                 month, lp)


def test_a_priority_cell_at_the_vip_lane_leaves_the_greeters_plan_as_it_was():
    """A re-roster plans again only the part of the hall whose cells changed. In the
    previous round one greeter's shift on the first day was moved to an hour of the same
    length that covers less; a priority cell at the VIP lane that day cannot concern the
    greeters, so they keep that plan exactly (planning the day again would move them: the
    roster the loop simulated stays the roster outside what it changed)."""
    from hallplan.optimize.roster.pooled import solve_pooled_plan

    P = _flagship_december()
    week = P.dates[:7]
    keep = ("vip", "greeter")  # the VIP lane and its staff stand in for the rest of the hall
    P = replace(P, dates=week, posts=keep,
                employees=tuple(e for e in P.employees if set(e.skills) & set(keep)),
                required={k: v for k, v in P.required.items() if k[0] in week and k[1] in keep})
    cfg = SolverConfig(workers=2)
    first = solve_pooled_plan(P, cfg)
    assert len(independent_parts(P, first.groups)) == 2
    T, d = P.templates, week[0]
    greeter = next(gi for gi, g in enumerate(first.groups) if g.skills == {"greeter"})
    moved = next(key for key in sorted(first.planned) if key[0] == greeter and key[1] == d)
    same_length = [ti for ti, t in enumerate(T) if t.paid_min == T[moved[2]].paid_min]
    other = next(ti for ti in sorted(same_length, key=lambda ti: -T[ti].arrival_min)
                 if ti != moved[2])  # the latest start of that length
    planned = dict(first.planned)
    planned[moved] -= 1
    planned[(greeter, d, other, "greeter")] = planned.get((greeter, d, other, "greeter"), 0) + 1
    previous = replace(first, planned={key: c for key, c in planned.items() if c})
    one = frozenset({d})
    assert problem_plan_objective(P, previous.planned, one) > problem_plan_objective(
        P, first.planned, one)  # the moved shift covers less

    def greeters(plan):
        return {key: c for key, c in plan.planned.items() if key[0] == greeter}

    k = max(range(len(P.grid)), key=lambda i: P.required[(d, "vip")][i])
    again = solve_pooled_plan(replace(P, priority=frozenset({(d, "vip", k)})), cfg,
                              previous=previous)
    assert greeters(again) == greeters(previous)
    assert again.lp_objective == previous.lp_objective  # no new month LP, the same bound


def test_a_re_roster_of_two_weeks_is_the_same_with_one_worker_or_two():
    """The requirement changed mid-week in two weeks: both weeks are planned again from
    that day on (side by side when there are two workers), the plan is the same whatever
    the worker count, and every day before them keeps the previous plan (the roster the
    loop simulated stays the roster outside what it changed)."""
    from hallplan.optimize.roster.pooled import solve_pooled_plan

    P = _flagship_vip_lane(14)
    first = solve_pooled_plan(P, SolverConfig(workers=2))
    days = [P.weeks[0][2], P.weeks[1][3]]
    required = dict(P.required)
    for d in days:  # the afternoon needs nobody at the lane now: those days change
        need = required[(d, "vip")]
        required[(d, "vip")] = need[:len(need) // 2] + (0,) * (len(need) - len(need) // 2)
    again = {w: solve_pooled_plan(replace(P, required=required), SolverConfig(workers=w),
                                  previous=first) for w in (1, 2)}
    assert again[1].planned == again[2].planned
    kept = {d for d in P.dates if all(P.week_of(d) != P.week_of(c) or d < c for c in days)}
    assert all({k: c for k, c in again[2].planned.items() if k[1] == d}
               != {k: c for k, c in first.planned.items() if k[1] == d} for d in days)
    assert ({k: c for k, c in again[2].planned.items() if k[1] in kept}
            == {k: c for k, c in first.planned.items() if k[1] in kept})

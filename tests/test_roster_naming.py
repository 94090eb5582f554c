"""Stage 2 of the pooled roster: names on a skill group's planned shifts (no rule broken,
nothing planned dropped that a member could take) and the plan it names stays inside what
the group's members can work."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from hallplan.optimize.roster import RosterProblem, SolverConfig, check_roster
from hallplan.optimize.roster.groups import week_capacity
from hallplan.optimize.roster.io import requirement_from_bands
from hallplan.optimize.roster.naming import (
    _row,
    name_exactly,
    name_greedily,
    name_week_by_week,
)
from hallplan.optimize.roster.pooled import solve_pooled_plan
from hallplan.optimize.roster.solution import Roster
from hallplan.scenarios import scenario_path
from hallplan.sim.loader import load_scenario

DAYS = [dt.date(2026, 12, 1) + dt.timedelta(days=k) for k in range(14)]


@pytest.fixture(scope="module")
def district():
    sc = load_scenario(scenario_path("district_hall.toml"))
    return RosterProblem.from_scenario(sc, requirement_from_bands(sc, DAYS))


@pytest.fixture(scope="module")
def plan(district):
    return solve_pooled_plan(district, SolverConfig(time_limit_s=6, workers=2))


def _group_plan(plan, gi):
    return {(d, ti, p): c for (g, d, ti, p), c in plan.planned.items() if g == gi}


def test_the_shift_plan_never_asks_a_group_for_more_than_its_members_can_work(district, plan):
    T = district.templates
    max_paid = max(t.paid_min for t in T)
    for gi, g in enumerate(plan.groups):
        mine = _group_plan(plan, gi)
        total = sum(T[ti].paid_min * c for (_d, ti, _p), c in mine.items())
        assert total <= g.horizon_cap_min(district), g.name
        for wdays in district.weeks:
            cap_days, cap_min = week_capacity(district, g.members, wdays, max_paid)
            week = {k: c for k, c in mine.items() if k[0] in set(wdays)}
            assert sum(week.values()) <= cap_days, (g.name, wdays[0])
            assert sum(T[ti].paid_min * c for (_d, ti, _p), c in week.items()) <= cap_min


@pytest.mark.parametrize("namer", ["exact", "greedy", "weeks"])
def test_named_shifts_break_no_labour_rule_and_come_from_the_plan(district, plan, namer):
    T = district.templates
    index = {t: k for k, t in enumerate(T)}
    for gi, g in enumerate(plan.groups):
        mine = _group_plan(plan, gi)
        Pg = replace(district, employees=g.members, reserve_dates=frozenset())
        rows = {"exact": name_exactly, "greedy": name_greedily,
                "weeks": name_week_by_week}[namer](Pg, mine)
        rep = check_roster(Roster(tuple(rows), district.dates), Pg)
        hard = [v for v in rep.violations if v.rule != "duty_manager_on_site"]
        assert hard == [], hard[:3]
        used: dict = {}
        for r in rows:
            key = (r.date, index[r.template], r.post)
            used[key] = used.get(key, 0) + 1
        assert all(c <= mine.get(k, 0) for k, c in used.items())


def test_the_exact_naming_names_at_least_as_much_as_the_greedy_one(district, plan):
    for gi, g in enumerate(plan.groups):
        mine = _group_plan(plan, gi)
        Pg = replace(district, employees=g.members, reserve_dates=frozenset())
        greedy = name_greedily(Pg, mine)
        exact = name_exactly(Pg, mine, start=greedy)
        # the programme's objective: intervals at a post covered by a named shift
        def covered(rows):
            return sum(sum(1 for t0 in district.grid if r.template.covers(
                t0, district.interval_min)) for r in rows)

        assert covered(exact) >= covered(greedy), g.name


def test_a_member_on_leave_gets_no_shift_and_the_shift_stays_unnamed(district, plan):
    gi, g = 0, plan.groups[0]
    mine = _group_plan(plan, gi)
    d = min(k[0] for k in mine)
    only = {k: c for k, c in mine.items() if k[0] == d}
    on_leave = tuple(e.model_copy(update={"leave": [*e.leave, d]}) for e in g.members)
    Pg = replace(district, employees=on_leave, reserve_dates=frozenset())
    assert name_exactly(Pg, only) == []
    assert name_greedily(Pg, only) == []


def test_a_re_roster_plans_again_only_the_week_whose_requirement_rose(district, plan):
    from hallplan.optimize.roster.pooled import problem_plan_objective

    T = district.templates
    d = district.weeks[1][2]
    post = district.posts[0]
    req = dict(district.required)
    k = max(range(len(district.grid)), key=lambda i: req[(d, post)][i])
    cell = list(req[(d, post)])
    cell[k] += 1
    req[(d, post)] = tuple(cell)
    raised = replace(district, required=req)
    again = solve_pooled_plan(raised, SolverConfig(time_limit_s=6, workers=2), previous=plan)
    # no new month LP: its bound would have moved with the raised cell
    assert again.lp_objective == plan.lp_objective
    first = set(district.weeks[0])
    assert {k: c for k, c in again.planned.items() if k[1] in first} == \
        {k: c for k, c in plan.planned.items() if k[1] in first}
    week2 = frozenset(district.weeks[1])
    for gi in range(len(plan.groups)):
        def paid(pl, gi=gi):
            return sum(T[k[2]].paid_min * c for k, c in pl.items() if k[0] == gi and k[1] in week2)
        assert paid(again.planned) <= paid(plan.planned)
    # never worse on the new requirement than keeping the previous week as it was
    assert (problem_plan_objective(raised, again.planned, week2)
            <= problem_plan_objective(raised, plan.planned, week2))


def test_a_re_roster_of_the_same_requirement_keeps_the_roster(district):
    from hallplan.optimize.roster import RosterOptimizer

    cfg = SolverConfig(time_limit_s=6, workers=2)
    first = RosterOptimizer(district, cfg)
    r1 = first.solve()
    again = RosterOptimizer(district, cfg, warm_start=r1.roster, previous_plan=first.plan)
    r2 = again.solve()
    assert r2.check.under_staff_hours <= r1.check.under_staff_hours
    assert r2.roster.rows == r1.roster.rows


@pytest.mark.parametrize("namer", ["exact", "greedy"])
def test_naming_again_gives_each_shift_back_to_whoever_worked_it(district, plan, namer):
    gi = max(range(len(plan.groups)), key=lambda i: len(plan.groups[i].members))
    g = plan.groups[gi]
    mine = _group_plan(plan, gi)
    Pg = replace(district, employees=g.members, reserve_dates=frozenset())
    # the same people listed in another order: ties between them break the other way
    flipped = replace(Pg, employees=tuple(reversed(g.members)))

    def name(P, previous=None):
        return (name_exactly(P, mine, previous=previous) if namer == "exact"
                else name_greedily(P, mine, previous=previous))

    first = name(Pg)
    assert name(flipped) != first  # the order matters without a previous roster
    assert name(flipped, previous=first) == first


def test_a_re_roster_keeps_every_name_of_a_roster_named_another_way(district, plan):
    """The first roster of a large group is named week by week; a re-roster names greedily
    with it as the previous roster. Every shift of the unchanged plan goes back to the same
    person, even where the greedy, naming date by date, would have handed it to someone
    else: the weeks the loop did not change keep their cover."""
    gi = max(range(len(plan.groups)), key=lambda i: len(plan.groups[i].members))
    mine = _group_plan(plan, gi)
    Pg = replace(district, employees=plan.groups[gi].members, reserve_dates=frozenset())
    first = name_week_by_week(Pg, mine)
    assert set(name_greedily(Pg, mine)) != set(first)  # named another way
    assert set(first) <= set(name_greedily(Pg, mine, previous=first))
    # the loop adds two shifts on one day: they are named around the kept rows, and every
    # other day keeps its rows exactly (named shift by shift, the new shifts would take the
    # room of members whose own shifts come later in the week)
    d = district.weeks[0][1]
    longest = max((k for k in mine if k[0] == d), key=lambda k: district.templates[k[1]].paid_min)
    changed = dict(mine)
    changed[longest] += 2
    again = name_greedily(Pg, changed, previous=first)
    assert {r for r in again if r.date != d} == {r for r in first if r.date != d}
    assert {r for r in first if r.date == d} <= set(again)


def test_a_re_roster_named_week_by_week_keeps_the_rows_of_the_weeks_it_did_not_change(
        district, plan):
    """The previous roster was named greedily (not as the week programme would name it);
    the loop changed one shift of the first week (same hours, another start). The second
    week keeps the previous rows exactly, and the first is named again around them, with
    every rule holding across the boundary between them."""
    gi = max(range(len(plan.groups)), key=lambda i: len(plan.groups[i].members))
    mine = _group_plan(plan, gi)
    Pg = replace(district, employees=plan.groups[gi].members, reserve_dates=frozenset())
    first = name_greedily(Pg, mine)
    week2 = set(district.weeks[1])
    assert {r for r in name_week_by_week(Pg, mine) if r.date in week2} != {
        r for r in first if r.date in week2}  # the programme alone would name it otherwise
    T = district.templates
    d, ti, p = next(k for k in sorted(mine) if k[0] in district.weeks[0])
    other = next(tj for tj, t in enumerate(T) if t.paid_min == T[ti].paid_min and tj != ti)
    changed = dict(mine)
    changed[(d, ti, p)] -= 1
    changed[(d, other, p)] = changed.get((d, other, p), 0) + 1
    again = name_week_by_week(Pg, {k: c for k, c in changed.items() if c}, previous=first,
                              keep_weeks=frozenset({1}))
    assert {r for r in again if r.date in week2} == {r for r in first if r.date in week2}
    assert any(r.date == d and r.template == T[other] for r in again)
    report = check_roster(Roster(tuple(again), district.dates, ()), Pg)
    assert not report.violations, report.violations[:3]
    with pytest.raises(ValueError, match="previous"):
        name_week_by_week(Pg, mine, keep_weeks=frozenset({1}))


def test_a_week_named_before_a_kept_week_respects_the_days_worked_just_after_it(district):
    """One clerk, one day to name, the day before a kept week: after six days worked in a
    row from the next day there is no room for a seventh; with an early start the next
    morning, a late shift would cut the minimum rest, an early one does not."""
    from hallplan.optimize.roster.solution import RosterRow

    T, d = district.templates, district.dates[6]
    clerk = next(e for e in district.employees if set(e.skills) == {"general"})
    P1 = replace(district, dates=(d,), employees=(clerk,), reserve_dates=frozenset(),
                 required={k: v for k, v in district.required.items() if k[0] == d})
    late = max(range(len(T)), key=lambda i: (T[i].end_min, -T[i].paid_min))
    early = min(range(len(T)), key=lambda i: (T[i].arrival_min, T[i].paid_min))
    h = district.labour.handover_min
    one = dt.timedelta(days=1)
    run = [_row(T[early], h, clerk.id, d + one * k, "general") for k in range(1, 7)]
    assert name_exactly(P1, {(d, late, "general"): 1}), "the clerk could work it alone"
    assert name_exactly(P1, {(d, late, "general"): 1}, before=run) == []
    # the hall's shifts leave 11 h between any two days; a 04:00 start the next morning
    # (e.g. a stocktake) does not
    nxt = [RosterRow(clerk.id, d + one, 240, 600, "general", None, None, h)]
    assert 1440 - T[late].end_min + 240 < district.rest_min
    assert name_exactly(P1, {(d, late, "general"): 1}, before=nxt) == []
    assert 1440 - T[early].end_min + 240 >= district.rest_min
    assert len(name_exactly(P1, {(d, early, "general"): 1}, before=nxt)) == 1


def test_a_shift_left_over_because_hours_are_fragmented_is_named_by_swapping_shifts():
    """Two clerks; B is on leave from the 2nd to the 5th day. The greedy gives A the long
    shift of day 1 and the four long shifts after it, so on day 5 A has 300 of the 40-hour
    average's 2,400 min left for a 525-min shift, and B is away. Swapping day 1's shifts
    (A the short one, B the long one) frees 270 min of A's month: every planned shift is
    named and no labour rule breaks."""
    week = [dt.date(2026, 12, 7) + dt.timedelta(days=k) for k in range(7)]
    sc = load_scenario(scenario_path("district_hall.toml"))
    P = RosterProblem.from_scenario(sc, requirement_from_bands(sc, week))
    T = P.templates
    long_ = max(range(len(T)), key=lambda i: (T[i].paid_min, -T[i].arrival_min))
    short = min(range(len(T)), key=lambda i: (T[i].paid_min, T[i].arrival_min))
    a, b = [e for e in P.employees if set(e.skills) == {"general"}][:2]
    b = b.model_copy(update={"leave": [*b.leave, *week[1:5]]})
    Pg = replace(P, employees=(a, b), reserve_dates=frozenset())
    planned = {(week[0], long_, "general"): 1, (week[0], short, "general"): 1}
    planned |= {(d, long_, "general"): 1 for d in week[1:5]}
    assert P.avg_cap_min(a) - 4 * T[long_].paid_min < T[long_].paid_min  # the fragment

    rows = name_greedily(Pg, planned)

    assert len(rows) == sum(planned.values())
    mine = {r.date: r.paid_min for r in rows if r.employee == a.id}
    assert mine[week[0]] == T[short].paid_min and week[4] in mine
    rep = check_roster(Roster(tuple(rows), P.dates), Pg)
    assert [v for v in rep.violations if v.rule != "duty_manager_on_site"] == []


def test_a_week_named_on_its_own_respects_the_days_worked_just_before_it(district):
    """A clerk who worked the 6 days before the week (the consecutive-days limit) cannot
    take its first day, and can take its second: the week-by-week naming carries the run
    across the week boundary."""
    M = district.labour.max_consecutive_days
    week = district.weeks[1]
    Pw = replace(district, dates=week, employees=district.employees[:1],
                 reserve_dates=frozenset())
    e = Pw.employees[0]
    T = district.templates
    ti = min(range(len(T)), key=lambda i: (T[i].paid_min, T[i].arrival_min))
    h = district.labour.handover_min
    worked = [_row(T[ti], h, e.id, week[0] - dt.timedelta(days=k), "general")
              for k in range(1, M + 1)]
    first = {(week[0], ti, "general"): 1}
    second = {(week[1], ti, "general"): 1}
    assert name_exactly(Pw, first) != []  # alone, the first day is fine
    assert name_exactly(Pw, first, before=worked) == []
    assert len(name_exactly(Pw, second, before=worked)) == 1


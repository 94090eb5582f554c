"""Every roster rule, from the registry: a tiny satisfied/violated pair on which the
independent checker flags exactly that rule and the model side (the CP-SAT helper, the
variables, or the repair for the planner's rule) enforces or prices it the same way. Then a
few rules' edge cases."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest
from ortools.sat.python import cp_model

from hallplan.optimize.roster import Roster, RosterProblem, Weights, check_roster
from hallplan.optimize.roster import registry as reg
from hallplan.optimize.roster import rules as R
from hallplan.optimize.roster.solution import RosterRow
from hallplan.optimize.roster.templates import template_problems
from hallplan.optimize.roster.vars import AssignmentVars
from tests.test_roster_helpers import (
    MON,
    forced_penalty,
    forced_status,
    requirement,
    row,
    tiny_hall,
)

D = [MON + dt.timedelta(days=k) for k in range(7)]  # Mon 9 … Sun 15 Mar 2026


def problem(days=1, req=(), reserve=None, **overrides) -> RosterProblem:
    sc = tiny_hall(**overrides)
    return RosterProblem.from_scenario(sc, requirement(list(req), dates=D[:days]),
                                       reserve_dates=reserve)


def violations(P, rows, rule):
    return check_roster(Roster(tuple(rows), P.dates), P).by_rule(rule)


@dataclasses.dataclass(frozen=True)
class Pair:
    """A roster that keeps the rule and one that breaks it, on the same problem."""

    P: RosterProblem
    ok: list[RosterRow]
    bad: list[RosterRow]
    ok_on_call: tuple = ()


def _known_employee_and_post():
    P = problem()
    return Pair(P, [row(P, "A", D[0], "09:00", 3)], [row(P, "Z", D[0], "09:00", 3)])


def _shift_template():
    P = problem()
    return Pair(P, [row(P, "A", D[0], "09:00", 3)], [row(P, "A", D[0], "09:10", 3)])  # off grid


def _physical_counters():
    # the complaint desk has one counter
    P = problem(staff={"employees": [{"id": x, "skills": ["general", "complaint"]}
                                     for x in "AB"]})
    a, b = (row(P, x, D[0], "09:00", 3, "complaint") for x in "AB")
    return Pair(P, [a, row(P, "B", D[0], "09:00", 3)], [a, b])


def _one_shift_per_day():
    P = problem(days=7)  # (one day's 40-hour average is under two shifts)
    a = row(P, "A", D[0], "09:00", 3)
    return Pair(P, [a, row(P, "B", D[0], "12:00", 3)], [a, row(P, "A", D[0], "12:00", 3)])


def _skill_eligibility():
    P = problem(staff={"employees": [{"id": "A"}, {"id": "B", "skills": ["general", "vip"]}]})
    return Pair(P, [row(P, "B", D[0], "09:00", 3, "vip")], [row(P, "A", D[0], "09:00", 3, "vip")])


def _leave_and_unavailability():
    P = problem(days=2, staff={"employees": [{"id": "A", "leave": [str(D[0])]}, {"id": "B"}]})
    return Pair(P, [row(P, "A", D[1], "09:00", 3)], [row(P, "A", D[0], "09:00", 3)])


def _weekly_hours_limit():
    # a 6-h shift is paid 15 + 360 − 30 = 345 min; two fit in 11.5 h, three do not (the
    # 40-hour average allows 40 h over the 7 days)
    P = problem(days=7, labour={"max_weekly_hours": 11.5, "max_avg_weekly_hours": 40})
    six = [row(P, "A", d, "09:00", 6, brk="11:00") for d in D[:3]]
    assert six[0].paid_min == 345
    return Pair(P, six[:2], six)


def _average_hours_limit():
    # 7 days at an 11.5-h contract → 690 paid minutes over the horizon
    P = problem(days=7, staff={"employees": [{"id": "A", "contract_hours_per_week": 11.5}]})
    six = [row(P, "A", d, "09:00", 6, brk="11:00") for d in D[:3]]
    return Pair(P, six[:2], six)


def _min_rest():
    # open 08:00–22:00: a shift ending 22:00 then arrival 09:15 is 11 h 15 (ok), 08:45 is 10 h 45
    P = problem(days=2, open_="08:00", close="22:00")
    late = row(P, "A", D[0], "19:00", 3)
    return Pair(P, [late, row(P, "A", D[1], "09:30", 3)], [late, row(P, "A", D[1], "09:00", 3)])


def _max_consecutive_days():
    P = problem(days=3, labour={"max_consecutive_days": 2})
    shifts = [row(P, "A", d, "09:00", 3) for d in D[:3]]
    return Pair(P, [shifts[0], shifts[2]], shifts)


def _min_days_off():
    P = problem(days=7, labour={"max_consecutive_days": 7, "min_days_off_per_week": 1})
    shifts = [row(P, "A", d, "09:00", 3) for d in D]
    return Pair(P, shifts[:6], shifts)


def _duty_manager_on_site():
    # (a one-day roster at a 44-h average allows one 6-h shift)
    P = problem(labour={"max_avg_weekly_hours": 44},
                staff={"employees": [{"id": "A"}, {"id": "M", "duty_manager": True,
                                                   "contract_hours_per_week": 44}]})
    # the meal break counts as on site; a 3-h shift leaves 12:00–15:00 without a manager
    return Pair(P, [row(P, "M", D[0], "09:00", 6, brk="11:00")], [row(P, "M", D[0], "09:00", 3)])


def _under_coverage():
    P = problem(req=[(D[0], "general", "09:00", "12:00", 1)])
    return Pair(P, [row(P, "A", D[0], "09:00", 3)], [])


def _over_coverage():
    P = problem()
    return Pair(P, [], [row(P, "A", D[0], "09:00", 3)])


def _paid_hours():
    P = problem()
    return Pair(P, [], [row(P, "A", D[0], "09:00", 3)])


def _both_or_one(days: int, d: dt.date, start: str):
    """A and B each on the same shift (shared evenly), or A alone."""
    P = problem(days=days)
    a, b = row(P, "A", d, start, 3), row(P, "B", d, start, 3)
    return Pair(P, [a, b], [a])


def _missing_on_call():
    P = problem(reserve=[D[0]], staff={"on_call_reserve_holidays": 1})
    a, b = row(P, "A", D[0], "09:00", 3), row(P, "B", D[0], "09:00", 3)
    return Pair(P, [a], [a, b], ok_on_call=(("B", D[0]),))


def _idle_qualified_staff():
    P = problem(req=[(D[0], "general", "09:00", "12:00", 1)])
    return Pair(P, [row(P, "A", D[0], "09:00", 3)], [])  # A and B both off


def _qualified_at_other_post():
    P = problem(req=[(D[0], "general", "09:00", "12:00", 1)],
                staff={"employees": [{"id": "A", "skills": ["general", "vip"]}]})
    return Pair(P, [row(P, "A", D[0], "09:00", 3)], [row(P, "A", D[0], "09:00", 3, "vip")])


PAIRS: dict[str, Callable[[], Pair]] = {
    reg.KNOWN_EMPLOYEE_AND_POST.id: _known_employee_and_post,
    reg.SHIFT_TEMPLATE.id: _shift_template,
    reg.PHYSICAL_COUNTERS.id: _physical_counters,
    reg.ONE_SHIFT_PER_DAY.id: _one_shift_per_day,
    reg.SKILL_ELIGIBILITY.id: _skill_eligibility,
    reg.LEAVE_AND_UNAVAILABILITY.id: _leave_and_unavailability,
    reg.WEEKLY_HOURS_LIMIT.id: _weekly_hours_limit,
    reg.AVERAGE_HOURS_LIMIT.id: _average_hours_limit,
    reg.MIN_REST.id: _min_rest,
    reg.MAX_CONSECUTIVE_DAYS.id: _max_consecutive_days,
    reg.MIN_DAYS_OFF.id: _min_days_off,
    reg.DUTY_MANAGER_ON_SITE.id: _duty_manager_on_site,
    reg.UNDER_COVERAGE.id: _under_coverage,
    reg.OVER_COVERAGE.id: _over_coverage,
    reg.PAID_HOURS.id: _paid_hours,
    reg.WEEKEND_SPREAD.id: lambda: _both_or_one(7, D[5], "09:00"),  # Saturday
    reg.EVENING_SPREAD.id: lambda: _both_or_one(1, D[0], "12:00"),  # ends at closing
    reg.HOURS_SPREAD.id: lambda: _both_or_one(1, D[0], "09:00"),
    reg.MISSING_ON_CALL.id: _missing_on_call,
    reg.IDLE_QUALIFIED_STAFF.id: _idle_qualified_staff,
    reg.QUALIFIED_AT_OTHER_POST.id: _qualified_at_other_post,
}


def flagged(report) -> set[str]:
    """Rule ids the checker flags: hard violations and the planner's rule."""
    return {v.rule for v in (*report.violations, *report.idle)}


def representable(P: RosterProblem, rows: list[RosterRow]) -> bool:
    """Could an assignment model over every template and post produce these rows?"""
    index = {t: k for k, t in enumerate(P.templates)}
    everything = {d: [(k, p) for k in range(len(P.templates)) for p in P.posts]
                  for d in P.dates}
    V = AssignmentVars(cp_model.CpModel(), P, everything, prefilter=False)
    return all((r.employee, r.date, index.get(r.template), r.post) in V.x for r in rows)


@pytest.mark.parametrize("rule", reg.RULES, ids=lambda r: r.id)
def test_every_rule_has_a_check_a_model_part_and_a_satisfied_violated_pair(rule):
    pair = PAIRS[rule.id]()  # a new rule needs its pair here
    P = pair.P
    ok = check_roster(Roster(tuple(pair.ok), P.dates, pair.ok_on_call), P)
    bad = check_roster(Roster(tuple(pair.bad), P.dates), P)

    # the checker: the violated roster breaks this rule and no other hard or planner rule
    if rule.kind == "soft":
        assert ok.terms[rule.id] == 0 < bad.terms[rule.id]
        assert not ok.violations and not bad.violations
    else:
        assert flagged(ok) == set()
        assert flagged(bad) == {rule.id}
        assert all(v.rule == rule.id for v in bad.by_rule(rule.id))
    if rule.weight is not None:
        assert rule.weight in {f.name for f in dataclasses.fields(Weights)}
        assert ok.terms[rule.id] == 0 < bad.terms[rule.id]

    # the model side
    part = rule.model_part()
    if rule.model == "vars:AssignmentVars":  # kept by construction: no variable for the row
        assert representable(P, pair.ok) and not representable(P, pair.bad)
    elif rule.kind == "planner":  # the greedy repair fills the post, leaves the kept roster
        fixed, _moves = part(P, list(pair.bad))
        assert flagged(check_roster(Roster(tuple(fixed), P.dates), P)) == set()
        kept, none = part(P, list(pair.ok))
        assert sorted(kept) == sorted(pair.ok) and not any(none.values())
    elif rule.weight is None:  # a hard constraint
        assert part in R.HARD_RULES_ASSIGNMENT
        assert forced_status(P, part, pair.ok) in ("OPTIMAL", "FEASIBLE")
        assert forced_status(P, part, pair.bad) == "INFEASIBLE"
    else:  # a priced term with the rule's id and the checker's value
        assert forced_penalty(P, part, pair.ok, rule.id) == ok.terms[rule.id]
        assert forced_penalty(P, part, pair.bad, rule.id) == bad.terms[rule.id]


def test_the_registry_names_every_weight_and_every_term_once():
    weights = [r.weight for r in reg.RULES if r.weight is not None]
    assert sorted(weights) == sorted(f.name for f in dataclasses.fields(Weights))
    P = problem()
    assert set(check_roster(Roster((), P.dates), P).terms) == set(reg.PRICED_RULES)
    assert set(PAIRS) == set(reg.BY_ID)


def test_every_pooled_part_is_a_row_family_of_the_pooled_model():
    from hallplan.optimize.roster import pooled

    for r in reg.RULES:
        if r.pooled is not None:
            assert r.pooled in pooled.__doc__, r.id


def test_an_unknown_rule_id_lists_the_known_ones():
    with pytest.raises(KeyError, match="unknown roster rule 'no_duty_manager'; known: "):
        reg.rule("no_duty_manager")


def test_greeter_post_needs_greeter_skill():
    P = problem(staff={"employees": [{"id": "A"}, {"id": "B", "skills": ["greeter"]}]})
    ok, bad = [row(P, "B", D[0], "09:00", 3, "greeter")], [row(P, "A", D[0], "09:00", 3, "greeter")]
    assert forced_status(P, R.add_skill_eligibility, ok) == "OPTIMAL"
    assert forced_status(P, R.add_skill_eligibility, bad) == "INFEASIBLE"
    assert violations(P, bad, reg.SKILL_ELIGIBILITY.id) and not violations(
        P, ok, reg.SKILL_ELIGIBILITY.id)


def test_an_unavailable_weekday_is_like_leave():
    P = problem(days=2, staff={"employees": [{"id": "B", "unavailable_weekdays": [1]}]})
    assert violations(P, [row(P, "B", D[1], "09:00", 3)], reg.LEAVE_AND_UNAVAILABILITY.id)
    assert not violations(P, [row(P, "B", D[0], "09:00", 3)], reg.LEAVE_AND_UNAVAILABILITY.id)


def test_min_rest_exactly_eleven_hours_is_allowed():
    P = problem(days=2, open_="08:00", close="22:00", labour={"min_rest_hours": 11.25})
    late = row(P, "A", D[0], "19:00", 3)
    ok = [late, row(P, "A", D[1], "09:30", 3)]  # 22:00 → 09:15 = exactly 11 h 15
    assert forced_status(P, R.add_min_rest, ok) == "OPTIMAL"
    assert not violations(P, ok, reg.MIN_REST.id)


def test_duty_manager_gap_is_reported_as_one_run():
    P = problem(staff={"employees": [{"id": "A"}, {"id": "M", "duty_manager": True}]})
    gap = violations(P, [row(P, "M", D[0], "09:00", 3)], reg.DUTY_MANAGER_ON_SITE.id)
    assert len(gap) == 1 and "12:00–15:00" in gap[0].when


def test_shift_templates_are_all_valid_and_checker_rejects_others():
    P = problem()
    assert P.templates
    for t in P.templates:
        assert template_problems(t, P.labour, P.open_min, P.close_min, P.interval_min) == []
    bad = [
        row(P, "A", D[0], "09:10", 3),  # off the grid
        row(P, "A", D[0], "09:00", 5),  # length not allowed
        row(P, "A", D[0], "09:00", 6),  # 6 h without meal break
        row(P, "A", D[0], "09:00", 6, brk="10:00"),  # break too early
        row(P, "A", D[0], "13:00", 3),  # ends after closing
    ]
    for r in bad:
        assert violations(P, [r], reg.SHIFT_TEMPLATE.id), r


@pytest.mark.parametrize(("need", "ok"), [(1, True), (2, False)])
def test_cover_requirement_hard_micro(need, ok):
    """Two general staff; a 3-h requirement of ``need`` all day can be met with need ≤ 1."""
    from hallplan.optimize.roster import RosterInfeasibleError, RosterOptimizer
    from tests.test_roster_helpers import CFG
    sc = tiny_hall(staff={"employees": [{"id": "A"}, {"id": "B"}]})
    req = requirement([(D[0], "general", "09:00", "15:00", need)])
    P = RosterProblem.from_scenario(sc, req)
    opt = RosterOptimizer(P, CFG, require_full_cover=True)
    if ok:
        assert opt.solve().check.under_staff_hours == 0
    else:
        with pytest.raises(RosterInfeasibleError):
            opt.solve()


def test_checker_does_not_import_ortools():
    import subprocess
    import sys

    code = ("import sys, hallplan.optimize.roster.check, hallplan.optimize.roster.solution; "
            "sys.exit(1 if any(m.startswith('ortools') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_nobody_is_rostered_beyond_the_physical_counters():
    """The complaint desk has one counter: asking for three people there gets one (the rest
    is reported as under-coverage), and a hand-made roster with two there is a violation."""
    from hallplan.optimize.roster import Roster, RosterOptimizer, RosterProblem, RosterRow
    from hallplan.optimize.roster.check import check_roster
    from tests.test_roster_helpers import CFG, MON, requirement, tiny_hall

    hall = tiny_hall(
        staff={"employees": [{"id": x, "skills": ["general", "complaint"]} for x in "ABC"]}
    )
    req = requirement([(MON, "complaint", "09:00", "12:00", 3)])
    problem = RosterProblem.from_scenario(hall, req)
    result = RosterOptimizer(problem, CFG).solve()
    cov = result.check.coverage
    assert cov[cov["post"] == "complaint"]["staffed"].max() == 1
    assert not [v for v in result.check.violations if v.rule == reg.PHYSICAL_COUNTERS.id]
    rows = tuple(RosterRow(e, MON, 525, 720, "complaint", handover_min=15) for e in "AB")
    broken = check_roster(Roster(rows, (MON,)), problem)
    assert any(v.rule == reg.PHYSICAL_COUNTERS.id for v in broken.violations)


def test_each_diagnosis_names_its_rule():
    """The sentences of an infeasible roster carry the registry id of the rule they are
    about, so code can tell a duty-manager gap from a cover shortage without reading text."""
    from hallplan.optimize.roster.diagnose import CORE_RULE, explain_core, precheck

    P = problem(days=2, req=[(D[0], "vip", "09:00", "12:00", 2)], staff={"employees": [
        {"id": "A", "skills": ["general", "vip"]},
        {"id": "M", "duty_manager": True, "leave": [str(D[1])]}]})
    vip, dm = precheck(P)
    assert vip.startswith("VIP lane, Mon 9 Mar") and vip.rule == reg.UNDER_COVERAGE.id
    assert dm.startswith("Tue 10 Mar: no duty manager") and dm.rule == reg.DUTY_MANAGER_ON_SITE.id
    core = [("week_hours", (0, ("general",), 600)), ("duty_manager", (D[1], 0))]
    assert [m.rule for m in explain_core(P, core)] == [reg.WEEKLY_HOURS_LIMIT.id,
                                                       reg.DUTY_MANAGER_ON_SITE.id]
    assert set(CORE_RULE.values()) <= set(reg.BY_ID)
    with pytest.raises(ValueError, match="unknown constraint kind"):
        explain_core(P, [("lunch_break", ())])

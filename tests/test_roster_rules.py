"""One micro-test per hard rule: "just satisfiable" and "just violated", both for the model's
rule helper (forced assignments) and for the independent checker."""

from __future__ import annotations

import datetime as dt

import pytest

from hallplan.optimize.roster import Roster, RosterProblem, check_roster
from hallplan.optimize.roster import rules as R
from hallplan.optimize.roster.templates import template_problems
from tests.test_roster_helpers import MON, forced_status, requirement, row, tiny_hall

D = [MON + dt.timedelta(days=k) for k in range(7)]


def problem(days=1, **overrides) -> RosterProblem:
    sc = tiny_hall(**overrides)
    return RosterProblem.from_scenario(sc, requirement([], dates=D[:days]))


def violations(P, rows, rule):
    return check_roster(Roster(tuple(rows), P.dates), P).by_rule(rule)


def assert_rule(P, rule_fn, rule_id, ok_rows, bad_rows):
    assert forced_status(P, rule_fn, ok_rows) in ("OPTIMAL", "FEASIBLE")
    assert forced_status(P, rule_fn, bad_rows) == "INFEASIBLE"
    assert not violations(P, ok_rows, rule_id)
    assert violations(P, bad_rows, rule_id)


def test_one_shift_per_day():
    P = problem()
    a = row(P, "A", D[0], "09:00", 3)
    b = row(P, "A", D[0], "12:00", 3)
    assert_rule(P, R.add_one_shift_per_day, "one_shift_per_day",
                [a, row(P, "B", D[0], "12:00", 3)], [a, b])


def test_skill_eligibility():
    P = problem(staff={"employees": [{"id": "A"}, {"id": "B", "skills": ["general", "vip"]}]})
    assert_rule(P, R.add_skill_eligibility, "skill_eligibility",
                [row(P, "B", D[0], "09:00", 3, "vip")], [row(P, "A", D[0], "09:00", 3, "vip")])


def test_greeter_post_needs_greeter_skill():
    P = problem(staff={"employees": [{"id": "A"}, {"id": "B", "skills": ["greeter"]}]})
    assert_rule(P, R.add_skill_eligibility, "skill_eligibility",
                [row(P, "B", D[0], "09:00", 3, "greeter")],
                [row(P, "A", D[0], "09:00", 3, "greeter")])


def test_leave_and_unavailability():
    P = problem(days=2, staff={"employees": [
        {"id": "A", "leave": [str(D[0])]}, {"id": "B", "unavailable_weekdays": [1]}]})
    assert_rule(P, R.add_leave_and_unavailability, "leave_and_unavailability",
                [row(P, "A", D[1], "09:00", 3), row(P, "B", D[0], "09:00", 3)],
                [row(P, "A", D[0], "09:00", 3)])
    assert violations(P, [row(P, "B", D[1], "09:00", 3)], "leave_and_unavailability")


def test_weekly_hours_limit():
    # a 6-h shift is paid 15 + 360 − 30 = 345 min; two fit in 11.5 h, three do not
    P = problem(days=3, labour={"max_weekly_hours": 11.5, "max_avg_weekly_hours": 40})
    six = [row(P, "A", d, "09:00", 6, brk="11:00") for d in D[:3]]
    assert six[0].paid_min == 345
    assert_rule(P, R.add_weekly_hours_limit, "weekly_hours_limit", six[:2], six)


def test_average_hours_limit():
    # 7 days at 11.5 h/week average → 690 paid minutes over the horizon
    P = problem(days=7, staff={"employees": [{"id": "A", "contract_hours_per_week": 11.5}]})
    six = [row(P, "A", d, "09:00", 6, brk="11:00") for d in D[:3]]
    assert_rule(P, R.add_average_hours_limit, "average_hours_limit", six[:2], six)


def test_min_rest():
    # open 08:00–22:00: a shift ending 22:00 then arrival 09:15 is 11 h 15 (ok), 08:45 is 10 h 45
    P = problem(days=2, open_="08:00", close="22:00")
    late = row(P, "A", D[0], "19:00", 3)
    assert_rule(P, R.add_min_rest, "min_rest",
                [late, row(P, "A", D[1], "09:30", 3)], [late, row(P, "A", D[1], "09:00", 3)])


def test_min_rest_exactly_eleven_hours_is_allowed():
    P = problem(days=2, open_="08:00", close="22:00", labour={"min_rest_hours": 11.25})
    late = row(P, "A", D[0], "19:00", 3)
    ok = [late, row(P, "A", D[1], "09:30", 3)]  # 22:00 → 09:15 = exactly 11 h 15
    assert forced_status(P, R.add_min_rest, ok) == "OPTIMAL"
    assert not violations(P, ok, "min_rest")


def test_max_consecutive_days():
    P = problem(days=3, labour={"max_consecutive_days": 2})
    shifts = [row(P, "A", d, "09:00", 3) for d in D[:3]]
    assert_rule(P, R.add_max_consecutive_days, "max_consecutive_days",
                [shifts[0], shifts[2]], shifts)


def test_min_days_off():
    P = problem(days=7, labour={"max_consecutive_days": 7, "min_days_off_per_week": 1})
    shifts = [row(P, "A", d, "09:00", 3) for d in D]
    assert_rule(P, R.add_min_days_off, "min_days_off", shifts[:6], shifts)


def test_duty_manager_on_site_checker():
    P = problem(staff={"employees": [{"id": "A"}, {"id": "M", "duty_manager": True,
                                                   "skills": ["general", "vip"]}]})
    full = [row(P, "M", D[0], "09:00", 3), row(P, "M", D[0], "12:00", 3)]
    # one person cannot work two shifts, so split across the day is checked on on-site time:
    ok = [row(P, "M", D[0], "09:00", 6, brk="11:00")]
    assert not violations(P, ok, "duty_manager_on_site")  # meal break counts as on site
    gap = violations(P, full[:1], "duty_manager_on_site")
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
        assert violations(P, [r], "shift_template"), r


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
    assert not [v for v in result.check.violations if v.rule == "physical_counters"]
    rows = tuple(RosterRow(e, MON, 525, 720, "complaint", handover_min=15) for e in "AB")
    broken = check_roster(Roster(rows, (MON,)), problem)
    assert any(v.rule == "physical_counters" for v in broken.violations)

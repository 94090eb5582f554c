"""After naming and repair, each day's shifts are re-timed (``optimize.roster.retime``): the
staff's last minutes under the 40-hour average go where people are missing, and no labour
rule, day worked or duty manager's presence is given up for it."""

from __future__ import annotations

import pytest

from hallplan.optimize.roster import check_roster
from hallplan.optimize.roster.problem import RosterProblem
from hallplan.optimize.roster.retime import retime_days
from hallplan.optimize.roster.solution import Roster
from tests.test_roster_day_bound import short_week_problem, short_week_roster
from tests.test_roster_helpers import MON, requirement, row, tiny_hall


def _one_day(**labour) -> RosterProblem:
    overrides = {"labour": labour} if labour else {}
    sc = tiny_hall(**overrides)
    req = requirement([(MON, "general", "09:00", "15:00", 1)])
    return RosterProblem.from_scenario(sc, req)


def _missing(P, rows) -> float:
    return check_roster(Roster(tuple(rows), P.dates), P).under_staff_hours


def test_a_shift_is_lengthened_into_the_hours_nobody_covers():
    P = _one_day()
    rows = [row(P, "A", MON, "09:00", 3)]  # 09:00-12:00; nobody 12:00-15:00
    new, changed = retime_days(P, rows)
    assert changed == 1
    # within an hour of the old end, the longest that fits: 09:00-13:00 (no meal break at 4 h)
    assert new == [row(P, "A", MON, "09:00", 4)]
    assert _missing(P, new) == pytest.approx(_missing(P, rows) - 1.0)


def test_a_shift_is_not_lengthened_past_the_40_hour_average():
    # an average of 3.25 h a week: 195 paid minutes, exactly the 3-hour shift with handover
    P = _one_day(max_avg_weekly_hours=3.25)
    rows = [row(P, "A", MON, "09:00", 3)]
    assert P.avg_cap_min(P.employees[0]) == rows[0].paid_min
    new, changed = retime_days(P, rows)
    assert changed == 0 and new == rows


def test_someone_off_stays_off():
    P = _one_day()
    rows = [row(P, "A", MON, "09:00", 3)]
    new, _ = retime_days(P, rows)
    assert {r.employee for r in new} == {"A"}


def test_a_re_timed_roster_keeps_every_rule_and_every_day_worked():
    # the first December week at the VIP room and complaint desk with 11 of their 16 staff
    P, res = short_week_problem(), short_week_roster()
    rows = list(res.roster.rows)
    # the meal break anywhere in the shift (the default keeps it within 30 min, which on this
    # week changes nothing)
    new, changed = retime_days(P, rows, break_window_min=600)
    report = check_roster(Roster(tuple(new), P.dates, res.roster.on_call), P)
    assert report.ok, report.violations[:3]
    assert {(r.employee, r.date) for r in new} == {(r.employee, r.date) for r in rows}
    before = check_roster(res.roster, P).under_staff_hours
    # measured: 17.5 -> 16.5 missing staff-h, 2 days re-timed
    assert report.under_staff_hours < before
    assert changed >= 1
    old = {(r.employee, r.date): r for r in rows}
    for r in new:
        o = old[(r.employee, r.date)]
        assert abs(r.start_min - o.start_min) <= 60 and abs(r.end_min - o.end_min) <= 60

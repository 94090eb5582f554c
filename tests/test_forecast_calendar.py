"""Holiday calendars: Chinese statutory holidays with make-up days, and Israel for the bank data."""

from __future__ import annotations

import datetime as dt

from hallplan.forecast.calendars import ChinaCalendar, IsraelCalendar, default_launch_dates

D = dt.date


def test_spring_festival_2026_days_off_and_makeup_days():
    cal = ChinaCalendar()
    # 2026 Spring Festival: 15–23 February off; Saturday 14 and Saturday 28 February are
    # make-up working days (State Council notice, via chinese_calendar).
    for day in range(15, 24):
        assert cal.is_holiday(D(2026, 2, day)), day
        assert cal.day_type(D(2026, 2, day)) == "holiday"
    for makeup in (D(2026, 2, 14), D(2026, 2, 28)):
        assert makeup.weekday() == 5
        assert cal.is_makeup_day(makeup)
        assert not cal.is_day_off(makeup)
        assert cal.day_type(makeup) == "weekday"
    assert cal.day_type(D(2026, 2, 7)) == "saturday"  # an ordinary Saturday
    f = cal.frame([D(2026, 2, 14), D(2026, 2, 16), D(2026, 2, 24)]).set_index("date")
    assert f.loc[D(2026, 2, 14), "pre_holiday"] == 1  # eve of the Spring Festival block
    assert f.loc[D(2026, 2, 14), "makeup_day"] == 1
    assert f.loc[D(2026, 2, 16), "holiday"] == 1
    assert f.loc[D(2026, 2, 24), "post_holiday"] == 1


def test_national_day_and_telecom_day():
    cal = ChinaCalendar()
    assert cal.is_holiday(D(2026, 10, 1))
    f = cal.frame([D(2026, 5, 17), D(2026, 5, 18)]).set_index("date")
    assert f.loc[D(2026, 5, 17), "event_telecom_day"] == 1
    assert f.loc[D(2026, 5, 18), "event_telecom_day"] == 0


def test_launch_dates_are_fridays():
    launches = default_launch_dates([2026])
    assert launches == [D(2026, 3, 13), D(2026, 9, 18)]
    assert all(d.weekday() == 4 for d in launches)


def test_israel_1999():
    cal = IsraelCalendar()
    assert cal.is_holiday(D(1999, 9, 20))  # Yom Kippur
    assert cal.day_type(D(1999, 9, 20)) == "holiday"
    assert cal.day_type(D(1999, 10, 8)) == "friday"
    assert cal.day_type(D(1999, 10, 10)) == "weekday"  # Sunday is a working day
    assert cal.is_day_off(D(1999, 10, 9))  # Saturday
    f = cal.frame([D(1999, 9, 19), D(1999, 9, 27)]).set_index("date")
    assert f.loc[D(1999, 9, 19), "pre_holiday"] == 1  # eve of Yom Kippur
    assert f.loc[D(1999, 9, 27), "semi_holiday"] == 1  # Hol HaMoed Sukkot

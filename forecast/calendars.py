"""Calendars: which dates are holidays, make-up working days, eves and events.

A calendar turns dates into the day facts a forecaster needs (:meth:`Calendar.frame`) and
into the day type used for intraday profiles (:meth:`Calendar.day_type`).

- :class:`ChinaCalendar` — statutory holidays and make-up working days (调休) from the
  maintained ``chinese_calendar`` package; the 5.17 telecom day and handset launches as events
  (domain.md Part A "Holidays", Part B §6).
- :class:`IsraelCalendar` — for the real "Anonymous Bank" call-centre data: Jewish holidays
  from ``holidays.Israel`` (public days, plus the intermediate Hol HaMoed days as
  ``semi_holiday``); the week starts on Sunday, Friday and Saturday are short days.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

FEATURE_FLAGS = (
    "holiday",
    "semi_holiday",
    "pre_holiday",
    "post_holiday",
    "makeup_day",
    "event_telecom_day",
    "event_launch",
    "event_launch_after",
)


def _as_dates(dates: Iterable) -> list[dt.date]:
    out = []
    for d in dates:
        if isinstance(d, dt.datetime):  # pd.Timestamp included
            out.append(d.date())
        elif isinstance(d, dt.date):
            out.append(d)
        else:
            out.append(pd.Timestamp(d).date())
    return out


def default_launch_dates(years: Iterable[int]) -> list[dt.date]:
    """Handset-launch spikes (assumption): the autumn flagship phone goes on sale on the third
    Friday of September, a spring launch on the second Friday of March."""
    out = []
    for y in years:
        for month, nth in ((3, 2), (9, 3)):
            d = dt.date(y, month, 1)
            first_friday = d + dt.timedelta(days=(4 - d.weekday()) % 7)
            out.append(first_friday + dt.timedelta(weeks=nth - 1))
    return out


@dataclass(frozen=True)
class Calendar:
    """Base calendar: weekdays only, no holidays (subclasses add the holiday facts)."""

    name: str = "plain"
    launch_dates: tuple[dt.date, ...] = field(default_factory=tuple)

    # -- subclass hooks
    def _holiday(self, d: dt.date) -> bool:
        return False

    def _semi_holiday(self, d: dt.date) -> bool:
        return False

    def _makeup(self, d: dt.date) -> bool:
        return False

    def _telecom_day(self, d: dt.date) -> bool:
        return False

    def weekend_days(self) -> tuple[int, ...]:
        """Python weekday numbers of the weekend (Mon = 0)."""
        return (5, 6)

    # -- public
    def is_holiday(self, d: dt.date) -> bool:
        return self._holiday(d)

    def is_makeup_day(self, d: dt.date) -> bool:
        return self._makeup(d)

    def is_day_off(self, d: dt.date) -> bool:
        if self._holiday(d):
            return True
        return d.weekday() in self.weekend_days() and not self._makeup(d)

    def day_type(self, d: dt.date) -> str:
        """``weekday`` / ``saturday`` / ``sunday`` / ``holiday`` (the scenario's day types).

        A make-up working day is a ``weekday``."""
        if self._holiday(d):
            return "holiday"
        if self._makeup(d):
            return "weekday"
        wd = d.weekday()
        return "saturday" if wd == 5 else "sunday" if wd == 6 else "weekday"

    def frame(self, dates: Sequence) -> pd.DataFrame:
        """One row per date: ``date, dow, dom, days_to_month_end`` and the 0/1
        :data:`FEATURE_FLAGS`. Eves and the day after look at the day-off structure:
        ``pre_holiday`` is a working day before a holiday, ``post_holiday`` the first working
        day after one."""
        ds = _as_dates(dates)
        launches = set(self.launch_dates)
        rows = []
        for d in ds:
            prev, nxt = d - dt.timedelta(days=1), d + dt.timedelta(days=1)
            hol = self._holiday(d)
            off = self.is_day_off(d)
            month_end = (pd.Timestamp(d) + pd.offsets.MonthEnd(0)).date()
            rows.append(
                {
                    "date": d,
                    "dow": d.weekday(),
                    "dom": d.day,
                    "days_to_month_end": (month_end - d).days,
                    "holiday": int(hol),
                    "semi_holiday": int(self._semi_holiday(d) and not hol),
                    "pre_holiday": int(not off and self._holiday(nxt)),
                    "post_holiday": int(not off and self._holiday(prev)),
                    "makeup_day": int(self._makeup(d)),
                    "event_telecom_day": int(self._telecom_day(d)),
                    "event_launch": int(d in launches),
                    "event_launch_after": int(
                        any(d - dt.timedelta(days=k) in launches for k in (1, 2))
                    ),
                }
            )
        return pd.DataFrame(
            rows, columns=["date", "dow", "dom", "days_to_month_end", *FEATURE_FLAGS]
        )


@dataclass(frozen=True)
class ChinaCalendar(Calendar):
    """Chinese statutory holidays and make-up working days (``chinese_calendar``).

    Dates outside the package's range (it raises ``NotImplementedError``) count as ordinary
    days; :meth:`covers` says whether a year is known."""

    name: str = "china"
    launch_dates: tuple[dt.date, ...] = field(
        default_factory=lambda: tuple(default_launch_dates(range(2018, 2031)))
    )

    @staticmethod
    def _detail(d: dt.date) -> tuple[bool, str | None]:
        return _china_detail(d)

    @staticmethod
    def covers(year: int) -> bool:
        import chinese_calendar

        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def _holiday(self, d: dt.date) -> bool:
        is_off, name = self._detail(d)
        return bool(is_off and name is not None)

    def _makeup(self, d: dt.date) -> bool:
        is_off, name = self._detail(d)
        return bool(not is_off and name is not None and d.weekday() >= 5)

    def _telecom_day(self, d: dt.date) -> bool:
        return d.month == 5 and d.day == 17

    def holiday_name(self, d: dt.date) -> str | None:
        return self._detail(d)[1]


@dataclass(frozen=True)
class IsraelCalendar(Calendar):
    """Israeli calendar for the 1999 bank data: Friday/Saturday weekend, Jewish holidays
    (``holidays.Israel`` public category) and Hol HaMoed days (optional category)."""

    name: str = "israel"
    launch_dates: tuple[dt.date, ...] = ()
    years: tuple[int, ...] = tuple(range(1990, 2036))

    def _tables(self) -> tuple[frozenset, frozenset]:
        return _israel_tables(self.years)

    def weekend_days(self) -> tuple[int, ...]:
        return (4, 5)  # Friday and Saturday

    def _holiday(self, d: dt.date) -> bool:
        return d in self._tables()[0]

    def _semi_holiday(self, d: dt.date) -> bool:
        return d in self._tables()[1]

    def day_type(self, d: dt.date) -> str:
        if self._holiday(d):
            return "holiday"
        wd = d.weekday()
        return "friday" if wd == 4 else "saturday" if wd == 5 else "weekday"


@functools.lru_cache(maxsize=8)
def _israel_tables(years: tuple[int, ...]) -> tuple[frozenset, frozenset]:
    import holidays
    from holidays.constants import OPTIONAL, PUBLIC

    public = holidays.Israel(years=years, categories=(PUBLIC,))
    optional = holidays.Israel(years=years, categories=(OPTIONAL,))
    semi = {d for d, n in optional.items() if "holiday" in n.lower()}
    return frozenset(public), frozenset(semi)


@functools.lru_cache(maxsize=4096)
def _china_detail(d: dt.date) -> tuple[bool, str | None]:
    import chinese_calendar

    try:
        return chinese_calendar.get_holiday_detail(d)
    except NotImplementedError:
        return (d.weekday() >= 5, None)


def get_calendar(name: str | Calendar) -> Calendar:
    if isinstance(name, Calendar):
        return name
    if name == "china":
        return ChinaCalendar()
    if name == "israel":
        return IsraelCalendar()
    if name == "plain":
        return Calendar()
    raise ValueError(f"unknown calendar {name!r} (china, israel, plain)")


__all__ = [
    "FEATURE_FLAGS",
    "Calendar",
    "ChinaCalendar",
    "IsraelCalendar",
    "default_launch_dates",
    "get_calendar",
]

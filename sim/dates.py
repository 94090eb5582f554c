"""Calendar helpers shared by the packages: the days of a month."""

from __future__ import annotations

import calendar
import datetime as dt

__all__ = ["month_dates"]


def month_dates(year: int, month: int) -> list[dt.date]:
    """Every date of ``month`` of ``year``, in order."""
    if not 1 <= int(month) <= 12:
        raise ValueError(f"month: expected 1..12; found {month!r}")
    n = calendar.monthrange(int(year), int(month))[1]
    return [dt.date(int(year), int(month), d) for d in range(1, n + 1)]

"""Limits on every scenario number that can make a run explode, and the field types that hold them.

A planner's typo (``daily_visits.weekday = 1e12``, a group of a million clerks, a check every
0.000001 min) must be an error that names the key at once, not minutes of work and a
``MemoryError``. Each limit is far above any real business hall (the busiest flagship halls
see a few thousand visits a day and have a few dozen counters) and appears in the JSON schema
(``hallplan schema``) as ``maximum``/``minimum``, so an editor shows it too.

Two more rules hold for every number here: ``true``/``false`` is not a number (TOML keeps them
apart; pydantic alone would read ``kiosks = true`` as one kiosk) and neither is a string
(``"3"``); floats must be finite (TOML allows ``inf`` and ``nan``).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

#: visits per day of one day type (the demand profile; also after a region's demand_scale)
MAX_DAILY_VISITS = 50_000
#: counters of one lane, kiosks, greeter posts
MAX_COUNTERS_PER_LANE = 200
MAX_KIOSKS = 200
MAX_GREETER_POSTS = 100
#: employees of the hall (named employees plus every staff group)
MAX_EMPLOYEES = 2_000
#: any duration of the model: service, patience, handling, waiting target (minutes)
MAX_DURATION_MIN = 600.0
#: coefficient of variation of a duration distribution
MAX_CV = 10.0
#: people waiting (queue thresholds)
MAX_QUEUE = 10_000
#: multipliers of demand (special days, month-start uplift)
MAX_MULTIPLIER = 20.0
#: hours in a week of one employee (12 h × 7 days)
MAX_WEEK_HOURS = 84.0
#: one shift (hours)
MAX_SHIFT_HOURS = 16.0
#: the escalation monitor's check period (minutes): below the lower bound a day is millions
#: of checks, above the upper one the monitor never acts within an hour
MIN_CHECK_EVERY_MIN = 0.1
MAX_CHECK_EVERY_MIN = 60.0
#: list lengths (special days, outages, escalation steps, staff groups, lanes …)
MAX_LIST = 1_000
MAX_NAMED = 100


def _number(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError(f"a number, found {str(value).lower()}")
    if isinstance(value, str):
        raise ValueError(f"a number (not text in quotes), found {value!r}")
    return value


def _whole(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError(f"a whole number (a count), found {str(value).lower()}")
    if isinstance(value, str):
        raise ValueError(f"a whole number (not text in quotes), found {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"a whole number (a count), found {value!r}")
    return value


_NUM = BeforeValidator(_number)
_INT = BeforeValidator(_whole)

# counts
Count = Annotated[int, Field(ge=0), _INT]
CounterCount = Annotated[int, Field(ge=0, le=MAX_COUNTERS_PER_LANE), _INT]
KioskCount = Annotated[int, Field(ge=0, le=MAX_KIOSKS), _INT]
KioskCountPositive = Annotated[int, Field(ge=1, le=MAX_KIOSKS), _INT]
GreeterCount = Annotated[int, Field(ge=0, le=MAX_GREETER_POSTS), _INT]
StaffCount = Annotated[int, Field(ge=0, le=MAX_EMPLOYEES), _INT]
StaffCountPositive = Annotated[int, Field(ge=1, le=MAX_EMPLOYEES), _INT]
QueueCount = Annotated[int, Field(ge=0, le=MAX_QUEUE), _INT]
QueueCountPositive = Annotated[int, Field(ge=1, le=MAX_QUEUE), _INT]
Priority = Annotated[int, Field(ge=0, le=100), _INT]
DaysCount = Annotated[int, Field(ge=0, le=7), _INT]
ConsecutiveDays = Annotated[int, Field(ge=1, le=31), _INT]
MinutesOfDay = Annotated[int, Field(ge=0, le=24 * 60), _INT]
MinutesOfDayPositive = Annotated[int, Field(ge=1, le=24 * 60), _INT]
HandoverMin = Annotated[int, Field(ge=0, le=120), _INT]

# numbers (finite)
Duration = Annotated[float, Field(gt=0, le=MAX_DURATION_MIN, allow_inf_nan=False), _NUM]
DurationOrZero = Annotated[float, Field(ge=0, le=MAX_DURATION_MIN, allow_inf_nan=False), _NUM]
Cv = Annotated[float, Field(gt=0, le=MAX_CV, allow_inf_nan=False), _NUM]
Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False), _NUM]
DailyVisits = Annotated[float, Field(ge=0, le=MAX_DAILY_VISITS, allow_inf_nan=False), _NUM]
Weight = Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False), _NUM]
Multiplier = Annotated[float, Field(gt=0, le=MAX_MULTIPLIER, allow_inf_nan=False), _NUM]
MultiplierOrZero = Annotated[float, Field(ge=0, le=MAX_MULTIPLIER, allow_inf_nan=False), _NUM]
QueuePerKiosk = Annotated[float, Field(ge=0, le=MAX_QUEUE, allow_inf_nan=False), _NUM]
WeekHours = Annotated[float, Field(gt=0, le=MAX_WEEK_HOURS, allow_inf_nan=False), _NUM]
ShiftHours = Annotated[float, Field(gt=0, le=MAX_SHIFT_HOURS, allow_inf_nan=False), _NUM]
RestHours = Annotated[float, Field(ge=0, le=24, allow_inf_nan=False), _NUM]
CheckEveryMin = Annotated[
    float, Field(ge=MIN_CHECK_EVERY_MIN, le=MAX_CHECK_EVERY_MIN, allow_inf_nan=False), _NUM
]
CutoffMin = Annotated[float, Field(ge=0, le=24 * 60, allow_inf_nan=False), _NUM]
Stretch = Annotated[float, Field(ge=1.0, le=MAX_MULTIPLIER, allow_inf_nan=False), _NUM]

"""Staffing timeline: who is on duty at which post, when.

Each post (a lane, or ``greeter``) has a list of *seats*; each seat has on-duty spans
``(start_min, end_min)``. Gaps are breaks, handovers or shift changes. A count per interval
becomes seats by stacking (seat k is on duty wherever the count exceeds k), so a roster and
a simple count table feed the engine the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from hallplan.sim.errors import Problem, ScenarioError
from hallplan.sim.scenario import Scenario, StaffingBand

Span = tuple[float, float]


@dataclass(frozen=True, slots=True)
class DayStaffing:
    """post -> seats -> on-duty spans (minutes from midnight)."""

    seats: Mapping[str, tuple[tuple[Span, ...], ...]]

    def count_at(self, post: str, t_min: float) -> int:
        return sum(any(a <= t_min < b for a, b in seat) for seat in self.seats.get(post, ()))

    def counts(self, post: str, grid_starts: Sequence[float], interval_min: int) -> np.ndarray:
        """Mean number on duty in each interval (fractional where a span covers part of it)."""
        starts = np.asarray(grid_starts, dtype=float)
        ends = starts + interval_min
        out = np.zeros(len(starts))
        for seat in self.seats.get(post, ()):
            for a, b in seat:
                out += np.clip(np.minimum(ends, b) - np.maximum(starts, a), 0, None)
        return out / interval_min

    def staff_minutes(self, post: str | None = None) -> float:
        posts = [post] if post else list(self.seats)
        return float(sum(b - a for p in posts for seat in self.seats.get(p, ()) for a, b in seat))

    @staticmethod
    def from_counts(
        counts: Mapping[str, Sequence[int]], grid_starts: Sequence[float], interval_min: int
    ) -> DayStaffing:
        """Seats from integer counts per interval: seat k works wherever count > k."""
        starts = np.asarray(grid_starts, dtype=float)
        seats: dict[str, tuple[tuple[Span, ...], ...]] = {}
        for post, cnt in counts.items():
            c = np.asarray(cnt, dtype=int)
            if len(c) != len(starts):
                raise ValueError(
                    f"counts[{post!r}] has {len(c)} values for {len(starts)} intervals"
                )
            post_seats = []
            for k in range(int(c.max(initial=0))):
                on = c > k
                spans: list[Span] = []
                i = 0
                while i < len(on):
                    if on[i]:
                        j = i
                        while (
                            j + 1 < len(on)
                            and on[j + 1]
                            and starts[j + 1] == starts[j] + interval_min
                        ):
                            j += 1
                        spans.append((float(starts[i]), float(starts[j] + interval_min)))
                        i = j + 1
                    else:
                        i += 1
                post_seats.append(tuple(spans))
            seats[post] = tuple(post_seats)
        return DayStaffing(seats)

    @staticmethod
    def from_bands(scenario: Scenario, bands: Sequence[StaffingBand]) -> DayStaffing:
        grid = [float(t) for t in range(0, 24 * 60, scenario.interval_min)]
        counts: dict[str, list[int]] = {p: [0] * len(grid) for p in scenario.posts}
        for band in bands:
            for i, t in enumerate(grid):
                if band.start <= t < band.end:
                    for post, n in band.posts.items():
                        counts[post][i] = max(counts[post][i], n)
        return DayStaffing.from_counts(counts, grid, scenario.interval_min)


@dataclass(frozen=True, slots=True)
class Staffing:
    """Staffing for one or more dates; ``default`` applies to any date not listed."""

    by_date: Mapping[dt.date, DayStaffing] = field(default_factory=dict)
    default: DayStaffing | None = None

    def day(self, date: dt.date) -> DayStaffing:
        if date in self.by_date:
            return self.by_date[date]
        if self.default is None:
            raise KeyError(f"no staffing for {date}")
        return self.default

    @staticmethod
    def every_day(day: DayStaffing) -> Staffing:
        return Staffing(default=day)

    @staticmethod
    def from_scenario(scenario: Scenario) -> Staffing:
        """The scenario's ``default_staffing`` bands for every day."""
        if not scenario.default_staffing:
            raise ScenarioError(
                [
                    Problem(
                        "<scenario>",
                        "default_staffing",
                        "at least one staffing band (or pass a staffing/roster)",
                        "none",
                    )
                ]
            )
        return Staffing.every_day(DayStaffing.from_bands(scenario, scenario.default_staffing))


def kiosk_spans(scenario: Scenario) -> tuple[tuple[Span, ...], ...]:
    """Each terminal is in service from opening to closing except during outages (the last
    terminals go out first). At closing a terminal still finishes its queue (closing rule)."""
    end_of_day_min = scenario.hours.close
    k = scenario.kiosks
    seats = []
    for idx in range(k.count):
        outs = sorted((o.start, o.end) for o in k.outages if idx >= k.count - o.kiosks)
        spans: list[Span] = []
        t = scenario.hours.open
        for a, b in outs:
            if a > t:
                spans.append((t, a))
            t = max(t, b)
        if t < end_of_day_min:
            spans.append((t, end_of_day_min))
        seats.append(tuple(spans))
    return tuple(seats)

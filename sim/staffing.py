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
    def from_fractional_counts(
        counts: Mapping[str, Sequence[float]],
        grid_starts: Sequence[float],
        lengths_min: Sequence[float] | float,
    ) -> DayStaffing:
        """Seats from fractional counts on consecutive segments ``[start, start + length)``:
        seat k serves for the share ``clip(c − k, 0, 1)`` of each segment, at its start —
        ``floor(c)`` seats the whole segment and one more for the fraction. A fractional
        server is how the engine runs "0.65 of a person" (availability, observed staffing)
        without splitting a customer between two people."""
        starts = np.asarray(grid_starts, dtype=float)
        lengths = np.broadcast_to(np.asarray(lengths_min, dtype=float), starts.shape)
        seats: dict[str, tuple[tuple[Span, ...], ...]] = {}
        for post, cnt in counts.items():
            c = np.maximum(np.asarray(cnt, dtype=float), 0.0)
            if len(c) != len(starts):
                raise ValueError(
                    f"counts[{post!r}] has {len(c)} values for {len(starts)} segments"
                )
            post_seats = []
            for k in range(int(np.ceil(c.max(initial=0.0) - 1e-9))):
                spans: list[Span] = []
                for t, length, ck in zip(starts, lengths, c, strict=True):
                    share = float(np.clip(ck - k, 0.0, 1.0))
                    if share > 1e-9:
                        a, b = float(t), float(t + share * length)
                        if spans and abs(spans[-1][1] - a) < 1e-9:
                            spans[-1] = (spans[-1][0], b)
                        else:
                            spans.append((a, b))
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


def serving_staffing(
    day: DayStaffing,
    availability: float,
    interval_min: int,
    posts: Sequence[str],
) -> DayStaffing:
    """Rostered staff → serving capacity: at each of ``posts`` (the counter lanes), the
    number on duty times ``availability`` (of the staff on the roster, that share are
    serving at a time), run as fractional servers (:meth:`DayStaffing.from_fractional_counts`).

    The count is taken on every piece of the day where it is constant, cut at the interval
    grid, so a roster's handovers and breaks keep their place and the fractional server's
    share falls inside every interval (not in one block per shift). Other posts (greeters)
    are kept as they are. At availability 1 the staffing is returned unchanged, seat for
    seat. This is the one place the simulator turns a roster into servers.
    """
    if not availability > 0.0:
        raise ValueError(f"availability must be above 0, got {availability!r}")
    if availability == 1.0:
        return day
    seats = dict(day.seats)
    for post in posts:
        post_seats = day.seats.get(post, ())
        cuts = {a for seat in post_seats for span in seat for a in span}
        if not cuts:
            continue
        lo, hi = min(cuts), max(cuts)
        first = np.floor(lo / interval_min) * interval_min
        cuts |= {float(t) for t in np.arange(first, hi, interval_min) if lo < t < hi}
        edges = np.array(sorted(cuts))
        starts, ends = edges[:-1], edges[1:]
        mid = (starts + ends) / 2.0
        on = np.zeros(len(starts))
        for seat in post_seats:
            for a, b in seat:
                on += (mid >= a) & (mid < b)
        seats[post] = DayStaffing.from_fractional_counts(
            {post: on * availability}, starts, ends - starts
        ).seats[post]
    return DayStaffing(seats)


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

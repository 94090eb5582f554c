"""Shift templates: (counter start, length, meal-break offset) on the interval grid.

A template is what a planner writes on the roster for one person-day. Conventions (documented
once here, used by the model *and* the checker):

* ``counter_start_min`` lies on the interval grid, no earlier than opening; the employee
  arrives ``handover_min`` earlier (paid handover, not at a counter), so ``arrival_min`` is the
  paid start. Arrival may therefore be before opening (08:15 for an 08:30 hall).
* ``length_h`` is one of ``LabourRules.shift_lengths_hours`` and measures counter start → end;
  the end lies on the grid and no later than closing.
* Shifts strictly longer than ``meal_break.min_shift_hours`` carry one unpaid meal break of
  ``length_min`` starting on the grid, no earlier than ``earliest_after_start_min`` after the
  counter start and ending no later than ``latest_before_end_min`` before the end.
* Paid minutes = handover + length − meal break.

No ortools import here: the checker uses these rules too.
"""

from __future__ import annotations

from dataclasses import dataclass

from hallplan.sim.scenario import LabourRules, format_clock


@dataclass(frozen=True, slots=True)
class ShiftTemplate:
    """One allowed shift shape (minutes from midnight)."""

    arrival_min: int
    counter_start_min: int
    end_min: int
    break_start_min: int | None = None
    break_end_min: int | None = None

    @property
    def length_min(self) -> int:
        return self.end_min - self.counter_start_min

    @property
    def break_min(self) -> int:
        if self.break_start_min is None or self.break_end_min is None:
            return 0
        return self.break_end_min - self.break_start_min

    @property
    def paid_min(self) -> int:
        return self.end_min - self.arrival_min - self.break_min

    def counter_spans(self) -> tuple[tuple[int, int], ...]:
        """At-the-post spans: counter start → end minus the meal break."""
        if self.break_start_min is None or self.break_end_min is None:
            return ((self.counter_start_min, self.end_min),)
        spans = ((self.counter_start_min, self.break_start_min),
                 (self.break_end_min, self.end_min))
        return tuple((a, b) for a, b in spans if b > a)

    def covers(self, interval_start: float, interval_min: int) -> bool:
        """At the post for the *whole* interval."""
        end = interval_start + interval_min
        return any(a <= interval_start and end <= b for a, b in self.counter_spans())

    def on_site(self, interval_start: float, interval_min: int) -> bool:
        """In the building (arrival → end, meal break included) for the whole interval."""
        return self.arrival_min <= interval_start and interval_start + interval_min <= self.end_min

    def label(self) -> str:
        s = f"{clock(self.arrival_min)}–{clock(self.end_min)}"
        if self.break_start_min is not None:
            s += f" (break {clock(self.break_start_min)})"
        return s


#: HH:MM of minutes from midnight — the one formatter (``sim.scenario.format_clock``)
clock = format_clock


def needs_break(length_min: int, labour: LabourRules) -> bool:
    return length_min > labour.meal_break.min_shift_hours * 60


def template_problems(t: ShiftTemplate, labour: LabourRules, open_min: int, close_min: int,
                      interval_min: int) -> list[str]:
    """Why ``t`` is not an allowed template (empty list if it is). Used by the checker."""
    out: list[str] = []
    mb = labour.meal_break
    if t.arrival_min != t.counter_start_min - labour.handover_min:
        out.append(f"arrival {clock(t.arrival_min)} is not {labour.handover_min} min before "
                   f"the counter start {clock(t.counter_start_min)}")
    if (t.counter_start_min - open_min) % interval_min:
        out.append(f"counter start {clock(t.counter_start_min)} is off the {interval_min}-min grid")
    if t.counter_start_min < open_min or t.end_min > close_min:
        out.append(f"{clock(t.counter_start_min)}–{clock(t.end_min)} is outside opening hours "
                   f"{clock(open_min)}–{clock(close_min)}")
    if not any(abs(t.length_min - h * 60) < 1e-6 for h in labour.shift_lengths_hours):
        out.append(f"length {t.length_min / 60:g} h is not one of "
                   f"{list(labour.shift_lengths_hours)} h")
    if needs_break(t.length_min, labour):
        if t.break_start_min is None or t.break_end_min is None:
            out.append(f"a {t.length_min / 60:g}-h shift needs a {mb.length_min}-min meal break")
        else:
            if t.break_min != mb.length_min:
                out.append(f"meal break is {t.break_min} min, not {mb.length_min}")
            if t.break_start_min < t.counter_start_min + mb.earliest_after_start_min:
                out.append(f"meal break at {clock(t.break_start_min)} is earlier than "
                           f"{mb.earliest_after_start_min} min after the start")
            if t.break_end_min > t.end_min - mb.latest_before_end_min:
                out.append(f"meal break ends at {clock(t.break_end_min)}, later than "
                           f"{mb.latest_before_end_min} min before the end")
    elif t.break_start_min is not None:
        out.append(f"a {t.length_min / 60:g}-h shift has no meal break")
    return out


def build_templates(labour: LabourRules, open_min: int, close_min: int, interval_min: int,
                    break_step_min: int | None = None) -> tuple[ShiftTemplate, ...]:
    """Every allowed template, ordered by (counter start, length, break start).

    ``break_step_min`` thins the meal-break positions (default: every interval).
    """
    step = break_step_min or interval_min
    mb = labour.meal_break
    out: list[ShiftTemplate] = []
    lengths = sorted({round(h * 60) for h in labour.shift_lengths_hours})
    s = open_min
    while s < close_min:
        for length in lengths:
            end = s + length
            if end > close_min:
                continue
            arrival = s - labour.handover_min
            if not needs_break(length, labour):
                out.append(ShiftTemplate(arrival, s, end))
                continue
            b = s + mb.earliest_after_start_min
            b += (-(b - open_min)) % interval_min  # first grid point at or after
            while b + mb.length_min <= end - mb.latest_before_end_min:
                out.append(ShiftTemplate(arrival, s, end, b, b + mb.length_min))
                b += step
        s += interval_min
    return tuple(out)

"""Skill groups: the employees a shift plan may treat as interchangeable (no ortools here).

Two employees are in the same group iff they have the same skills and the same duty-manager
flag. Inside a group anyone can take anyone's shift as far as qualifications go, so the
covering model can plan *counts per group* (no employee symmetry, a tight LP) and leave the
names to a per-group assignment. Leave, unavailable weekdays and contract hours differ between
members; the group's capacities below sum them member by member, so they stay *necessary*
conditions for the assignment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hallplan.optimize.roster.problem import RosterProblem, post_label
from hallplan.sim.scenario import Employee


@dataclass(frozen=True)
class SkillGroup:
    """Employees with the same skills and duty-manager flag."""

    skills: frozenset[str]
    duty_manager: bool
    members: tuple[Employee, ...]

    @property
    def name(self) -> str:
        s = "+".join(sorted(self.skills))
        return f"{s} (duty managers)" if self.duty_manager else s

    def posts(self, P: RosterProblem) -> tuple[str, ...]:
        """The posts this group may work, in the problem's post order."""
        return tuple(p for p in P.posts if p in self.skills)

    def available(self, P: RosterProblem, d: dt.date) -> int:
        return sum(P.available(e, d) for e in self.members)

    def horizon_cap_min(self, P: RosterProblem) -> int:
        """Paid minutes the members may work over the horizon (40-hour average)."""
        return sum(P.avg_cap_min(e) for e in self.members)

    def describe(self, P: RosterProblem) -> str:
        return (f"{len(self.members)} × {self.name} (may work "
                f"{', '.join(post_label(p) for p in self.posts(P))})")


def skill_groups(P: RosterProblem, employees: Iterable[Employee] | None = None
                 ) -> tuple[SkillGroup, ...]:
    """Groups in a fixed order (duty managers last, then by skills), members by id."""
    buckets: dict[tuple[frozenset[str], bool], list[Employee]] = {}
    for e in employees if employees is not None else P.employees:
        buckets.setdefault((frozenset(e.skills), bool(e.duty_manager)), []).append(e)
    out = [SkillGroup(k[0], k[1], tuple(sorted(v, key=lambda e: e.id)))
           for k, v in buckets.items()]
    return tuple(sorted(out, key=lambda g: (g.duty_manager, len(g.skills), sorted(g.skills))))


def week_capacity(P: RosterProblem, staff: Iterable[Employee], days: Sequence[dt.date],
                  max_paid_min: int) -> tuple[int, int]:
    """What ``staff`` can give in one week of ``days``: working days (availability, the
    weekly days off in a full week, the consecutive-days limit) and paid minutes (each
    person's weekly cap, or their free days × the longest shift). Necessary, not sufficient:
    the consecutive-days limit across week boundaries is left to the assignment."""
    off = P.labour.min_days_off_per_week
    cap_days = cap_min = 0
    for e in staff:
        free = sum(P.available(e, d) for d in days)
        if len(days) == 7:
            free = min(free, 7 - off)
        free = min(free, P.labour.max_consecutive_days)
        cap_days += free
        cap_min += min(P.week_cap_min, free * max_paid_min)
    return cap_days, cap_min

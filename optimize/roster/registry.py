"""The roster rules, one entry each: the single place a rule's id is written.

Every rule the roster obeys or is scored on has one frozen :class:`RosterRule`: its id (the
name in checker violations, penalty terms, ``check.HARD_RULES`` and the reports), whether it
is hard, soft or the planner's rule, what it says in words, the weight that prices it (soft
rules and the one hard rule with a reported slack), where the CP-SAT model enforces it, which
part of the pooled covering model stands for it, and the solver-free check.

The model and check are named ``"module:function"`` inside :mod:`hallplan.optimize.roster`
and resolved on demand, so importing the registry (as the independent checker does) never
loads OR-Tools. ``tests/test_roster_registry.py`` runs every entry through a tiny
satisfied/violated pair on both sides, so an id cannot drift between model and checker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Literal

Kind = Literal["hard", "soft", "planner"]
_PACKAGE = "hallplan.optimize.roster"


@dataclass(frozen=True)
class RosterRule:
    """One roster rule.

    ``model``: the CP-SAT part — a helper in :mod:`~hallplan.optimize.roster.rules` that adds
    the constraint or returns the penalty terms, ``"vars:AssignmentVars"`` for rules the
    model keeps by construction (no variable exists for a row that breaks them) or, for the
    planner's rule, the greedy repair. ``pooled``: the row family (or objective part) of
    ``pooled.build_covering_model`` as its module docstring names it, or None when the
    pooled plan leaves the rule to the named assignment. ``weight``: the
    :class:`~hallplan.optimize.roster.problem.Weights` field pricing the rule's penalty term
    (a term named by the rule id), or None for a rule that is never priced.
    """

    id: str
    kind: Kind
    statement: str
    check: str
    model: str
    pooled: str | None = None
    weight: str | None = None

    def __post_init__(self) -> None:
        for what, ref in (("check", self.check), ("model", self.model)):
            if ref.count(":") != 1:
                raise ValueError(f"rule {self.id}: {what} must be 'module:function', got {ref!r}")
        if self.kind == "soft" and self.weight is None:
            raise ValueError(f"rule {self.id}: a soft rule needs the weight that prices it")

    @property
    def hard(self) -> bool:
        return self.kind == "hard"

    def checker(self) -> Callable:
        """The solver-free check: ``check(index) -> Finding`` (no OR-Tools)."""
        return _resolve(self.check)

    def model_part(self) -> Callable:
        """The model side (loads OR-Tools for the CP-SAT helpers)."""
        return _resolve(self.model)


def _resolve(ref: str) -> Callable:
    module, name = ref.split(":")
    return getattr(import_module(f"{_PACKAGE}.{module}"), name)


# ---------------------------------------------------------------------------- hard rules
# (in this order the checker reports them and the assignment models add them)
KNOWN_EMPLOYEE_AND_POST = RosterRule(
    "known_employee_and_post", "hard",
    "Every shift names someone on the staff list, a post of the hall and a date of the roster.",
    check="check:check_known_employee_and_post", model="vars:AssignmentVars")
SHIFT_TEMPLATE = RosterRule(
    "shift_template", "hard",
    "Every shift is an allowed shape: an allowed length on the interval grid, inside opening "
    "hours, with the meal break where the rules put it and the handover they set.",
    check="check:check_shift_template", model="vars:AssignmentVars")
PHYSICAL_COUNTERS = RosterRule(
    "physical_counters", "hard",
    "Nobody is rostered at a post beyond its physical counters (greeter posts for greeters).",
    check="check:check_physical_counters", model="rules:add_physical_counters",
    pooled="physical counters")
ONE_SHIFT_PER_DAY = RosterRule(
    "one_shift_per_day", "hard", "Nobody works more than one shift a day.",
    check="check:check_one_shift_per_day", model="rules:add_one_shift_per_day",
    pooled="one shift a day")
SKILL_ELIGIBILITY = RosterRule(
    "skill_eligibility", "hard", "Everyone works only at posts they hold the skill for.",
    check="check:check_skill_eligibility", model="rules:add_skill_eligibility",
    pooled="per-skill-group columns")
LEAVE_AND_UNAVAILABILITY = RosterRule(
    "leave_and_unavailability", "hard",
    "Nobody works on a day of leave or on a weekday they are not available.",
    check="check:check_leave_and_unavailability", model="rules:add_leave_and_unavailability",
    pooled="available members of g")
WEEKLY_HOURS_LIMIT = RosterRule(
    "weekly_hours_limit", "hard", "Nobody is paid more than the weekly cap in any week.",
    check="check:check_weekly_hours_limit", model="rules:add_weekly_hours_limit",
    pooled="weekly hour caps of g")
AVERAGE_HOURS_LIMIT = RosterRule(
    "average_hours_limit", "hard",
    "Nobody is paid more over the roster than their contract, at most the average weekly "
    "cap, allows for its length.",
    check="check:check_average_hours_limit", model="rules:add_average_hours_limit",
    pooled="40-hour average")
MIN_REST = RosterRule(
    "min_rest", "hard", "Everyone rests at least the minimum between two shifts.",
    check="check:check_min_rest", model="rules:add_min_rest")
MAX_CONSECUTIVE_DAYS = RosterRule(
    "max_consecutive_days", "hard", "Nobody works more than the maximum days in a row.",
    check="check:check_max_consecutive_days", model="rules:add_max_consecutive_days",
    pooled="consecutive days")
MIN_DAYS_OFF = RosterRule(
    "min_days_off", "hard", "Everyone has the minimum days off in every full week.",
    check="check:check_min_days_off", model="rules:add_min_days_off",
    pooled="days off, 6 in a row")
DUTY_MANAGER_ON_SITE = RosterRule(
    "duty_manager_on_site", "hard",
    "A duty manager is on site whenever the hall is open (the meal break counts as on site).",
    check="check:check_duty_manager_on_site", model="rules:add_duty_manager_on_site",
    pooled="duty manager on site", weight="no_duty_manager")

# ---------------------------------------------------------------------------- soft rules
UNDER_COVERAGE = RosterRule(
    "under_coverage", "soft",
    "Every post has the people the requirement asks for in every interval; each further "
    "missing person costs more than the one before.",
    check="check:check_under_coverage", model="rules:add_cover_requirement",
    pooled="cover the requirement", weight="under_coverage")
OVER_COVERAGE = RosterRule(
    "over_coverage", "soft", "No more people at a post than the requirement asks for.",
    check="check:check_over_coverage", model="rules:add_cover_requirement",
    weight="over_coverage")
PAID_HOURS = RosterRule(
    "paid_hours", "soft", "No more paid hours (handover included) than the cover needs.",
    check="check:check_paid_hours", model="rules:add_paid_hours_cost",
    pooled="paid_min(t) · n", weight="paid_minute")
WEEKEND_SPREAD = RosterRule(
    "weekend_spread", "soft", "Weekend shifts are shared evenly among the staff.",
    check="check:check_weekend_spread", model="rules:add_fairness", weight="weekend_spread")
EVENING_SPREAD = RosterRule(
    "evening_spread", "soft",
    "Evening shifts (ending in the last open hour) are shared evenly among the staff.",
    check="check:check_evening_spread", model="rules:add_fairness", weight="evening_spread")
HOURS_SPREAD = RosterRule(
    "hours_spread", "soft", "Paid hours are shared evenly among the staff.",
    check="check:check_hours_spread", model="rules:add_fairness", weight="hours_spread")
MISSING_ON_CALL = RosterRule(
    "missing_on_call", "soft",
    "On holidays and launch days the on-call reserve is kept off duty and on call.",
    check="check:check_missing_on_call", model="rules:add_on_call_reserve",
    pooled="holiday reserve", weight="missing_on_call")

# ---------------------------------------------------------------------------- planner's rule
IDLE_QUALIFIED_STAFF = RosterRule(
    "idle_qualified_staff", "planner",
    "No post is short while someone qualified for it is off and the labour rules would let "
    "them fill it.",
    check="check:check_idle_qualified_staff", model="repair:repair_roster")
QUALIFIED_AT_OTHER_POST = RosterRule(
    "qualified_at_other_post", "planner",
    "No post is short while someone qualified for it works at another post where leaving "
    "uncovers less than it covers.",
    check="check:check_qualified_at_other_post", model="repair:repair_roster")

#: Every rule, hard ones first, in the order the checker reports them.
RULES: tuple[RosterRule, ...] = (
    KNOWN_EMPLOYEE_AND_POST, SHIFT_TEMPLATE, PHYSICAL_COUNTERS, ONE_SHIFT_PER_DAY,
    SKILL_ELIGIBILITY, LEAVE_AND_UNAVAILABILITY, WEEKLY_HOURS_LIMIT, AVERAGE_HOURS_LIMIT,
    MIN_REST, MAX_CONSECUTIVE_DAYS, MIN_DAYS_OFF, DUTY_MANAGER_ON_SITE,
    UNDER_COVERAGE, OVER_COVERAGE, PAID_HOURS, WEEKEND_SPREAD, EVENING_SPREAD, HOURS_SPREAD,
    MISSING_ON_CALL,
    IDLE_QUALIFIED_STAFF, QUALIFIED_AT_OTHER_POST,
)

BY_ID: dict[str, RosterRule] = {r.id: r for r in RULES}
if len(BY_ID) != len(RULES):  # pragma: no cover - a registry edit that repeats an id
    raise RuntimeError("roster rule ids must be unique")

#: The hard rules' ids, in the order they are checked.
HARD_RULES: tuple[str, ...] = tuple(r.id for r in RULES if r.kind == "hard")
#: The ids of every priced rule: exactly the named terms of ``CheckReport.terms``.
PRICED_RULES: tuple[str, ...] = tuple(r.id for r in RULES if r.weight is not None)

#: Stage 2's penalty for a planned shift nobody can take. Not a rule of the roster: the
#: checker measures the under-coverage it leaves (``under_coverage``).
UNSTAFFED_SHIFT = "unstaffed_shift"


def rule(rule_id: str) -> RosterRule:
    """The entry of ``rule_id``; an unknown id is an error that lists the known ones."""
    try:
        return BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"unknown roster rule {rule_id!r}; known: {', '.join(BY_ID)}") from None

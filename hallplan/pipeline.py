"""Pipeline wiring for the CLI, reports and notebooks: the planning loop itself lives in
:mod:`hallplan.optimize.loop` (find misses, sort them, raise the requirement, re-roster);
this module only re-exports it under the name the CLI and the Python API have always used."""

from hallplan.optimize.loop import (
    ROSTER_SEARCH_WORKERS,
    LoopRound,
    PlanConfig,
    PlanResult,
    cap_to_layout,
    classify_misses,
    find_misses,
    lane_share_target,
    plan,
    raise_requirement,
    roster_solver,
)

__all__ = [
    "ROSTER_SEARCH_WORKERS", "LoopRound", "PlanConfig", "PlanResult", "cap_to_layout",
    "classify_misses", "find_misses", "lane_share_target", "plan", "raise_requirement",
    "roster_solver",
]

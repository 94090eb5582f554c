"""Pipeline wiring for the CLI, reports and notebooks: the planning loop itself lives in
:mod:`hallplan.optimize.loop` (the rounds) and :mod:`hallplan.optimize.misses` (find misses,
sort them, say what is missing); this module only re-exports them under the names the CLI and
the Python API have always used."""

from hallplan.optimize.loop import (
    ROSTER_SEARCH_WORKERS,
    LoopRound,
    PlanConfig,
    PlanResult,
    cap_to_layout,
    lost_coverage,
    plan,
    raise_requirement,
    roster_solver,
)
from hallplan.optimize.misses import (
    classify_misses,
    find_misses,
    full_staffing,
    lane_share_target,
    staffing_advice,
)

__all__ = [
    "ROSTER_SEARCH_WORKERS", "LoopRound", "PlanConfig", "PlanResult", "cap_to_layout",
    "classify_misses", "find_misses", "full_staffing", "lane_share_target", "lost_coverage",
    "plan", "raise_requirement", "roster_solver", "staffing_advice",
]

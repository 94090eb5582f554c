"""Staffing requirements per interval: how many people must be at each post.

Modules:

* ``load`` — demand routed to each lane, service-time mix, lane targets (:class:`LaneTarget`),
  greeter rule;
* ``sipp`` — pointwise stationary requirement (Erlang C / Erlang A per interval);
* ``lag`` — lag-corrected requirement on the modified offered load m(t) (Green, Kolesar &
  Whitt 2007);
* ``isa`` — simulation-based iterative staffing (after Feldman, Mandelbaum, Massey & Whitt
  2008), KPI feedback on the hall simulator with common random numbers;
* ``kpi`` — per-interval KPIs from simulated customers against lane targets;
* ``shrinkage`` — at-post staff → paid staff;
* ``sinusoid`` — the sinusoidal validation case of Feldman et al. (2008);
* ``compute`` — the façade: :func:`compute_requirement`, :func:`requirement_with_diagnostics`,
  :func:`requirement_for_month`.
"""

from hallplan.optimize.requirements.compute import (
    METHODS,
    Diagnostics,
    compute_requirement,
    requirement_for_month,
    requirement_with_diagnostics,
)
from hallplan.optimize.requirements.load import LaneTarget, lane_loads, lane_target
from hallplan.optimize.requirements.shrinkage import Shrinkage

__all__ = [
    "METHODS",
    "Diagnostics",
    "LaneTarget",
    "Shrinkage",
    "compute_requirement",
    "lane_loads",
    "lane_target",
    "requirement_for_month",
    "requirement_with_diagnostics",
]

"""Pointwise stationary requirement (SIPP: stationary independent period-by-period).

Why: the textbook staffing rule — treat each interval as if the queue were in steady state
with that interval's mean arrival rate — is fast and exact for constant demand; it is the
baseline the lag-corrected and simulation methods improve on.

For each (date, interval, lane): offered load a = λ·E[S] from :func:`load.lane_loads`, staff =
the smallest c meeting the lane's :class:`~optimize.requirements.load.LaneTarget` —
Erlang A (``min_servers_erlang_a``: P(called within target) ≥ share and P(abandon) ≤ limit)
when the lane's class has a patience, else Erlang C (``min_servers_for_service_level``).
Greeters follow the utilisation rule of :func:`load.greeter_staff`. Kiosks are capacity, not
staff, and are not in the requirement. The staff is *not* capped at the physical counters
(``over_capacity`` in the diagnostics says where it exceeds them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from hallplan.optimize.queueing import (
    erlang_a_metrics,
    erlang_c_metrics,
    min_servers_erlang_a,
    min_servers_for_service_level,
)
from hallplan.optimize.requirements.load import LaneTarget, lane_loads, lane_target
from hallplan.sim.demand import Demand
from hallplan.sim.scenario import Scenario


def stationary_staff(
    arrival_rate_per_min: float, mean_service_min: float, target: LaneTarget
) -> int:
    """Smallest c meeting ``target`` in the stationary M/M/c(+M) queue."""
    if arrival_rate_per_min <= 0 or mean_service_min <= 0:
        return 0
    if math.isinf(target.patience_mean_min):
        return min_servers_for_service_level(
            arrival_rate_per_min, mean_service_min, target.wait_target_min, target.min_share
        )
    return min_servers_erlang_a(
        arrival_rate_per_min,
        mean_service_min,
        target.patience_mean_min,
        target.wait_target_min,
        target.min_share,
        target.max_abandon,
    )


def stationary_kpis(
    servers: int, arrival_rate_per_min: float, mean_service_min: float, target: LaneTarget
) -> tuple[float, float]:
    """(share called within the target, abandonment share) of the stationary queue."""
    if arrival_rate_per_min <= 0:
        return 1.0, 0.0
    if servers <= 0:
        return 0.0, 1.0
    if math.isinf(target.patience_mean_min):
        if servers <= arrival_rate_per_min * mean_service_min:
            return 0.0, 0.0
        m = erlang_c_metrics(servers, arrival_rate_per_min, mean_service_min)
        return float(m.service_level(target.wait_target_min)), 0.0
    a = erlang_a_metrics(servers, arrival_rate_per_min, mean_service_min, target.patience_mean_min)
    return float(a.p_served_within(target.wait_target_min)), float(a.p_abandon)


def meets(share: float, abandon: float, target: LaneTarget) -> bool:
    ok = share >= target.min_share - 1e-12
    if target.max_abandon is not None and not math.isinf(target.patience_mean_min):
        ok = ok and abandon <= target.max_abandon + 1e-12
    return ok


def resolve_targets(
    scenario: Scenario, targets: Mapping[str, LaneTarget] | None
) -> dict[str, LaneTarget]:
    out = {lane: lane_target(scenario, lane) for lane in scenario.lanes}
    out.update(targets or {})
    return out


def _table(loads: pd.DataFrame, staff: list[int], method: str, scenario: Scenario) -> pd.DataFrame:
    t = loads[["date", "interval_start_min", "post", "rate_per_min", "mean_service_min"]].copy()
    t["offered_load"] = t["rate_per_min"] * t["mean_service_min"]
    t["staff"] = staff
    t["method"] = method
    cap = {p: scenario.physical_capacity(p) for p in scenario.posts}
    t["over_capacity"] = t["staff"] > t["post"].map(cap)
    return t.reset_index(drop=True)


def sipp_table(
    scenario: Scenario,
    demand: Demand,
    targets: Mapping[str, LaneTarget] | None = None,
    loads: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per (date, interval, post): arrival rate, mean service, offered load, staff (SIPP)."""
    tg = resolve_targets(scenario, targets)
    loads = lane_loads(scenario, demand) if loads is None else loads
    staff = []
    for post, lam, es, rule in loads[
        ["post", "rate_per_min", "mean_service_min", "staff_rule"]
    ].itertuples(index=False):
        if post == "greeter":
            staff.append(int(rule))
        else:
            staff.append(stationary_staff(lam, es, tg[post]))
    return _table(loads, staff, "sipp", scenario)

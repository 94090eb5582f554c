"""The façade: one call from (scenario, demand, method) to a :class:`Requirement`.

Methods:

* ``"sipp"`` — pointwise stationary (:mod:`sipp`);
* ``"lag"`` — stationary formula on the modified offered load (:mod:`lag`);
* ``"simulation"`` — iterative staffing on the hall simulator (:mod:`isa`), started from the
  lag-corrected staffing.

The :class:`Requirement` holds staff *at the post*; :class:`Diagnostics` adds the paid staff
after :class:`~optimize.requirements.shrinkage.Shrinkage`, offered loads, the achieved KPIs
(simulation method, or any method with ``evaluate_reps > 0``), staff-hours and the ISA history.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from hallplan.optimize.requirements.isa import evaluate, isa_table, sizing_scenario
from hallplan.optimize.requirements.lag import lag_table
from hallplan.optimize.requirements.load import LaneTarget, lane_loads
from hallplan.optimize.requirements.shrinkage import Shrinkage
from hallplan.optimize.requirements.sipp import resolve_targets, sipp_table
from hallplan.optimize.staffing_requirement import REQUIREMENT_COLUMNS, Requirement
from hallplan.sim.dates import month_dates
from hallplan.sim.demand import Demand, demand_from_profile
from hallplan.sim.scenario import Scenario

Method = Literal["sipp", "lag", "simulation"]
METHODS: tuple[str, ...] = ("sipp", "lag", "simulation")


@dataclass
class Diagnostics:
    method: str
    detail: pd.DataFrame = field(repr=False)  # per (date, interval, post)
    staff_hours: float = 0.0  # at the post
    paid_hours: float = 0.0  # after shrinkage
    staff_hours_by_post: dict[str, float] = field(default_factory=dict)
    history: list[dict] = field(default_factory=list)
    converged: bool | None = None  # ISA stopped by itself (not at max_iter)
    holds: bool | None = None  # ISA: every interval meets its target on its own sample
    shrinkage: Shrinkage | None = None

    def intervals_missing(self) -> int | None:
        """Lane intervals whose achieved share is below target (None: not evaluated)."""
        if "meets_target" not in self.detail.columns:
            return None
        d = self.detail[self.detail["post"] != "greeter"]
        return int((~d["meets_target"].fillna(True).astype(bool)).sum())


def _with_kpis(detail: pd.DataFrame, kpis: pd.DataFrame) -> pd.DataFrame:
    k = kpis.rename(columns={"lane": "post"})
    cols = ["date", "interval_start_min", "post", "tickets", "share", "share_se",
            "abandon_share", "abandon_se"]
    return detail.merge(k[cols], on=["date", "interval_start_min", "post"], how="left")


def _mark(detail: pd.DataFrame, targets: Mapping[str, LaneTarget]) -> pd.DataFrame:
    if "share" not in detail.columns:
        return detail
    d = detail.copy()
    need = d["post"].map({k: v.min_share for k, v in targets.items()})
    lim = d["post"].map(
        {k: (v.max_abandon if v.max_abandon is not None else 1.0) for k, v in targets.items()}
    )
    ok = (d["share"] >= need - 1e-12) & (d["abandon_share"] <= lim + 1e-12)
    d["meets_target"] = ok.where(d["share"].notna() & need.notna())
    return d


def requirement_with_diagnostics(
    scenario: Scenario,
    demand: Demand,
    method: Method = "lag",
    *,
    targets: Mapping[str, LaneTarget] | None = None,
    reps: int = 10,
    seed: int = 12345,
    max_iter: int = 12,
    lower: bool = True,
    workers: int = 1,
    evaluate_reps: int = 0,
    periodic: tuple[float, float] | None = None,
    shrinkage: Shrinkage | None = None,
    keep_escalation: bool = False,
    progress: Callable[[dict], None] | None = None,
) -> tuple[Requirement, Diagnostics]:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    tg = resolve_targets(scenario, targets)
    shrink = shrinkage or Shrinkage.for_scenario(scenario)
    loads = lane_loads(scenario, demand)
    history: list[dict] = []
    converged = holds = None
    if method == "sipp":
        detail = sipp_table(scenario, demand, tg, loads)
    else:
        detail = lag_table(scenario, demand, tg, loads)
    if method == "simulation":
        res = isa_table(
            scenario, demand, detail, tg, reps=reps, seed=seed, max_iter=max_iter, lower=lower,
            workers=workers, periodic=periodic, keep_escalation=keep_escalation,
            progress=progress,
        )
        lag_staff = detail.set_index(["date", "interval_start_min", "post"])["staff"]
        detail = res.table.copy()
        idx = pd.MultiIndex.from_frame(detail[["date", "interval_start_min", "post"]])
        detail["lag_staff"] = lag_staff.reindex(idx).to_numpy()
        history, converged, holds = res.history, res.converged, res.holds
    elif evaluate_reps > 0:
        kp = evaluate(sizing_scenario(scenario, keep_escalation), demand, detail, tg,
                      evaluate_reps, seed, workers, periodic)
        if periodic is not None:
            # map every interval to its phase's pooled KPI
            origin = float(detail["interval_start_min"].min())
            detail = detail.copy()
            ph = origin + (detail["interval_start_min"] - origin) % periodic[0]
            kp = kp.rename(columns={"interval_start_min": "_phase"})
            detail["_phase"] = ph
            k = kp.rename(columns={"lane": "post"})
            detail = detail.merge(
                k[["date", "_phase", "post", "tickets", "share", "share_se", "abandon_share",
                   "abandon_se"]], on=["date", "_phase", "post"], how="left"
            ).drop(columns="_phase")
        else:
            detail = _with_kpis(detail, kp)
    detail = _mark(shrink.apply(detail), tg)
    detail["method"] = method
    req = Requirement(
        demand.interval_min,
        detail[list(REQUIREMENT_COLUMNS)],
        notes=f"method={method}; staff at the post; shrinkage total {shrink.total:.3f}",
    )
    hours = req.staff_hours()
    by_post = (detail.groupby("post")["staff"].sum() * demand.interval_min / 60.0).to_dict()
    diag = Diagnostics(
        method=method,
        detail=detail,
        staff_hours=hours,
        paid_hours=shrink.paid_hours(hours),
        staff_hours_by_post={str(k): float(v) for k, v in by_post.items()},
        history=history,
        converged=converged,
        holds=holds,
        shrinkage=shrink,
    )
    return req, diag


def compute_requirement(
    scenario: Scenario, demand: Demand, method: Method = "lag", **kwargs
) -> Requirement:
    """Staff needed at each post per (date, interval); see :func:`requirement_with_diagnostics`
    for the keyword arguments and the diagnostics."""
    return requirement_with_diagnostics(scenario, demand, method, **kwargs)[0]


def requirement_for_month(
    scenario: Scenario,
    year: int,
    month: int,
    method: Method = "lag",
    reps: int = 10,
    seed: int = 12345,
    **kwargs,
) -> tuple[Requirement, Diagnostics]:
    """Requirement for every day of a month from the scenario's demand profile (for the CLI
    ``hallplan requirement FILE --month YYYY-MM``). Extra keyword arguments (``workers``,
    ``max_iter``, ``shrinkage``, ``progress`` …) go to :func:`requirement_with_diagnostics`."""
    demand = demand_from_profile(scenario, month_dates(year, month))
    return requirement_with_diagnostics(scenario, demand, method, reps=reps, seed=seed, **kwargs)

"""Lag-corrected requirement: the stationary formula applied to the modified offered load.

Why: when demand rises and falls, the load on the counters lags the arrivals by about one
service time — customers who arrived a while ago are still being served. SIPP staffs the
interval's *arrivals*; this method staffs the interval's *work in progress*.

The offered load is the mean number busy in an infinite-server system with the same
arrivals (Eick, Massey & Whitt 1993, "The physics of the M_t/G/∞ queue"):

    m(t) = E[λ(t − S_e)]·E[S] = ∫_0^∞ λ(t − u)·P(S > u) du,

summed over the service types routed to a lane (each with its own counter-time
distribution). Green, Kolesar & Whitt (2007), "Coping with time-varying demand when setting
staffing requirements for a service system", Production and Operations Management 16(1),
13–39, recommend staffing with the stationary formula at the offered load m(t) instead of
λ(t)·E[S]. Here λ is piecewise constant per interval (zero before the first interval), m is
computed on a 1-minute grid by discrete convolution with the integrated survival function,
and the staff of an interval is the smallest c whose stationary KPI (:mod:`sipp`, effective
arrival rate m(t) / E[S]) averaged over ``SUBPOINTS`` points of m(t) inside the interval
meets the target (the interval-mean ``offered_load`` is reported). For constant demand
m = λ·E[S] (after a start-up transient of a few service times): the method equals SIPP.

Greeters (0.5-minute triage) keep the SIPP utilisation rule: their lag is negligible.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from hallplan.optimize.requirements.load import LaneTarget, lane_loads, survival
from hallplan.optimize.requirements.sipp import (
    _table,
    meets,
    resolve_targets,
    stationary_kpis,
    stationary_staff,
)
from hallplan.sim.demand import Demand
from hallplan.sim.scenario import Scenario

STEP_MIN = 1.0
SUBPOINTS = 5  # points of m(t) per interval at which the stationary KPI is averaged
_SUB = 8  # quadrature points per step for the integrated survival function


def survival_weights(dist, horizon_min: float, step_min: float = STEP_MIN) -> np.ndarray:
    """w_j = ∫_{j·δ}^{(j+1)·δ} P(S > u) du for j = 0 … ⌈horizon/δ⌉ (midpoint rule)."""
    n = int(np.ceil(horizon_min / step_min))
    u = (np.arange(n * _SUB) + 0.5) * (step_min / _SUB)
    sf = survival(dist, u)
    return sf.reshape(n, _SUB).sum(axis=1) * (step_min / _SUB)


def offered_load_curve(
    rates_per_min: np.ndarray, interval_min: float, dist, step_min: float = STEP_MIN
) -> np.ndarray:
    """m(t) on a ``step_min`` grid for piecewise-constant ``rates_per_min`` per interval
    (the grid starts at the first interval; the arrivals before it are zero)."""
    per = round(interval_min / step_min)
    lam = np.repeat(np.asarray(rates_per_min, dtype=float), per)
    horizon = max(len(lam) * step_min, 1.0)
    w = survival_weights(dist, horizon, step_min)
    # m(t_k + δ) ≈ Σ_j λ_{k−j}·w_j: work still in progress from arrivals j steps ago.
    return np.convolve(lam, w)[: len(lam)]


def interval_offered_load(
    scenario: Scenario, lane_rows: pd.DataFrame, interval_min: float
) -> np.ndarray:
    """m(t) per interval for one (date, lane), rows sorted by interval start: an array of
    shape (intervals, interval_min / STEP_MIN) of the minute-by-minute values."""
    starts = lane_rows["interval_start_min"].to_numpy(float)
    # Fill gaps in the grid with zero arrivals so the convolution sees real time.
    grid = np.arange(starts.min(), starts.max() + interval_min, interval_min)
    pos = np.searchsorted(grid, starts)
    types = sorted({s for d in lane_rows["type_rates"] for s in d})
    per = round(interval_min / STEP_MIN)
    total = np.zeros(len(grid) * per)
    for stype in types:
        lam = np.zeros(len(grid))
        lam[pos] = [d.get(stype, 0.0) for d in lane_rows["type_rates"]]
        if lam.any():
            total += offered_load_curve(
                lam, interval_min, scenario.service_types[stype].counter_time
            )
    return total.reshape(len(grid), per)[pos]


def staff_for_curve(m_points: np.ndarray, mean_service_min: float, target: LaneTarget) -> int:
    """Smallest c whose stationary KPI, averaged over the points of m(t) inside the interval
    (arrivals are uniform within an interval), meets ``target``.

    Averaging the KPI rather than the load matters when the interval is a sizeable part of a
    service time: with a rising load, staffing for the interval's mean m(t) leaves its end
    under-staffed.
    """
    m = np.asarray(m_points, dtype=float)
    if mean_service_min <= 0 or not (m > 0).any():
        return 0
    lo = stationary_staff(float(m.min()) / mean_service_min, mean_service_min, target)
    hi = stationary_staff(float(m.max()) / mean_service_min, mean_service_min, target)
    for c in range(lo, hi):
        k = [stationary_kpis(c, x / mean_service_min, mean_service_min, target) for x in m]
        share = float(np.mean([s for s, _ in k]))
        ab = float(np.mean([a for _, a in k]))
        if meets(share, ab, target):
            return c
    return hi


def lag_table(
    scenario: Scenario,
    demand: Demand,
    targets: Mapping[str, LaneTarget] | None = None,
    loads: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per (date, interval, post): the lag-corrected staff (columns as :func:`sipp_table`,
    ``offered_load`` being the interval mean of m(t))."""
    tg = resolve_targets(scenario, targets)
    loads = lane_loads(scenario, demand) if loads is None else loads
    loads = loads.sort_values(["date", "post", "interval_start_min"]).reset_index(drop=True)
    m = np.zeros(len(loads))
    curves: dict[int, np.ndarray] = {}
    per = round(demand.interval_min / STEP_MIN)
    pick = np.unique(np.linspace(0, per - 1, min(SUBPOINTS, per)).round().astype(int))
    for (_, post), rows in loads.groupby(["date", "post"], sort=False):
        if post == "greeter":
            m[rows.index] = rows["rate_per_min"] * rows["mean_service_min"]
            continue
        c = interval_offered_load(scenario, rows, demand.interval_min)
        m[rows.index] = c.mean(axis=1)
        for i, row in zip(rows.index, c, strict=True):
            curves[i] = row[pick]
    staff = []
    day_es = loads.groupby(["date", "post"])["mean_service_min"].transform(
        lambda s: s[s > 0].mean() if (s > 0).any() else 0.0
    )
    for i, (post, es, rule) in enumerate(
        loads[["post", "mean_service_min", "staff_rule"]].itertuples(index=False)
    ):
        if post == "greeter":
            staff.append(int(rule))
            continue
        es_i = es if es > 0 else float(day_es.iloc[i])
        staff.append(staff_for_curve(curves[i], es_i, tg[post]) if es_i > 0 else 0)
    out = _table(loads, staff, "lag", scenario)
    out["offered_load"] = m
    return out

"""Simulation-based requirement: an iterative staffing algorithm on the full hall model.

Why: analytic formulas miss what the hall really does — lagged load after a peak, priority,
kiosk failures coming back, general-vs-VIP interplay, non-exponential service and patience.
Feldman, Mandelbaum, Massey & Whitt (2008), "Staffing of time-varying queues to achieve
time-stable performance", Management Science 54(2), 324–338, iterate simulation and
restaffing until every interval meets the target. Their ISA re-staffs from the simulated
distribution of the number in system; this module uses the same loop with *KPI feedback*,
because the hall's target (share called within 15 min, abandonment) is not a function of
the number in system alone:

1. start from a given staffing (the lag-corrected requirement by default), capped at the
   physical counters;
2. simulate ``reps`` replications with a fixed ``seed`` — the engine draws every random
   number from streams keyed by (date, replication), so each iteration sees the *same*
   customers (common random numbers) and differences come from the staffing only;
3. per (date, interval, lane) pool the KPI over replications (:mod:`kpi`); where the mean
   share called within target is below the target, or abandonment above its limit, add
   counters (model-guided step, see :func:`isa_table`);
4. when every interval holds and ``lower`` is set, try fewer counters in every unlocked
   interval that holds comfortably and never missed; an interval that then misses (or holds
   by less than ``lower_margin_se`` standard errors) is put back and locked;
5. stop when every interval holds and nothing is left to try, or after ``max_iter``.

Greeters keep the analytic rule (the engine reports no greeter KPI per interval). The
escalation ladder is switched off while sizing (planned staffing should meet the target
without contingency staff); ``keep_escalation=True`` keeps it.

``periodic=(period_min, warmup_min)`` is for the periodic benchmark: staffing is the same in
every interval with the same phase of the period, and KPIs are pooled over all intervals of
a phase that start after ``warmup_min`` (the periodic steady state of Feldman et al.).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hallplan.optimize.requirements.kpi import customer_interval_counts, pooled_kpis
from hallplan.optimize.requirements.load import LaneTarget
from hallplan.optimize.requirements.sipp import stationary_kpis
from hallplan.sim.demand import Demand
from hallplan.sim.replicate import simulate
from hallplan.sim.scenario import Scenario
from hallplan.sim.staffing import DayStaffing, Staffing


@dataclass
class IsaResult:
    table: pd.DataFrame  # per (date, interval, post): staff, share, abandon_share, se, …
    history: list[dict] = field(default_factory=list)
    converged: bool = False  # stopped with nothing left to change (else max_iter reached)
    holds: bool = False  # last evaluation: every interval meets its target or is at capacity


def sizing_scenario(scenario: Scenario, keep_escalation: bool = False) -> Scenario:
    """The hall the requirement is sized on: without the escalation ladder (unless kept),
    and with every counter seat serving (``staff.availability = 1``) — the requirement
    counts staff *serving*; the roster converts it to staff on the floor
    (:func:`hallplan.optimize.staffing_requirement.staff_on_the_floor`)."""
    update = {}
    if scenario.staff.availability != 1.0:
        update["staff"] = scenario.staff.model_copy(update={"availability": 1.0})
    if not keep_escalation and scenario.escalation.enabled:
        update["escalation"] = scenario.escalation.model_copy(update={"enabled": False})
    return scenario.model_copy(update=update) if update else scenario


def staffing_from_table(
    table: pd.DataFrame, interval_min: int, posts: list[str], cap: Mapping[str, int] | None = None
) -> Staffing:
    """A :class:`Staffing` (one :class:`DayStaffing` per date) from staff counts per
    (date, interval_start_min, post), capped at ``cap[post]`` (the physical counters)."""
    by_date = {}
    for date, day in table.groupby("date", sort=True):
        grid = sorted(day["interval_start_min"].unique())
        counts = {}
        for post in posts:
            s = day[day["post"] == post].set_index("interval_start_min")["staff"]
            c = [int(s.get(t, 0)) for t in grid]
            counts[post] = [min(x, cap[post]) for x in c] if cap else c
        by_date[date] = DayStaffing.from_counts(counts, grid, interval_min)
    return Staffing(by_date=by_date)


def evaluate(
    scenario: Scenario,
    demand: Demand,
    table: pd.DataFrame,
    targets: Mapping[str, LaneTarget],
    reps: int,
    seed: int,
    workers: int = 1,
    periodic: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Simulate ``table``'s staffing and return pooled KPIs per (date, interval, lane) — or
    per (date, phase, lane) with ``periodic`` (``interval_start_min`` then holds the phase's
    first interval start)."""
    iv = demand.interval_min
    cap = {p: scenario.physical_capacity(p) for p in scenario.posts}
    staffing = staffing_from_table(table, iv, scenario.posts, cap)
    dates = sorted(set(table["date"]))
    res = simulate(scenario, demand, staffing, reps=reps, seed=seed, dates=dates, workers=workers)
    origin = float(table["interval_start_min"].min())
    counts = customer_interval_counts(res.customers, targets, iv, origin)
    # Tickets outside the staffing grid (a kiosk failure returning to the counters after
    # closing) count in the nearest staffed interval, where staff can be added for them.
    last = float(table["interval_start_min"].max())
    counts["interval_start_min"] = counts["interval_start_min"].clip(origin, last)
    if periodic is not None:
        period, warmup = periodic
        counts = counts[counts["interval_start_min"] >= origin + warmup].copy()
        phase = np.mod(counts["interval_start_min"] - origin, period)
        counts["interval_start_min"] = origin + phase
    return pooled_kpis(counts, ["date", "interval_start_min", "lane"], reps)


def _group_key(periodic, origin):
    if periodic is None:
        return lambda t: t
    period = periodic[0]
    return lambda t: origin + float(np.mod(t - origin, period))


def _predictor(t: pd.DataFrame, targets: Mapping[str, LaneTarget]):
    """Stationary KPI at the key's offered load (None when the table carries no load)."""
    if "offered_load" not in t.columns or "mean_service_min" not in t.columns:
        return lambda key, c: None
    load = t.groupby(["date", "group", "post"])[["offered_load", "mean_service_min"]].mean()

    def predict(key, c):
        if key not in load.index or key[2] not in targets:
            return None
        m, es = load.loc[key]
        if not es > 0:
            return None
        return stationary_kpis(int(c), float(m) / float(es), float(es), targets[key[2]])

    return predict


def isa_table(
    scenario: Scenario,
    demand: Demand,
    start: pd.DataFrame,
    targets: Mapping[str, LaneTarget],
    *,
    reps: int = 10,
    seed: int = 12345,
    max_iter: int = 12,
    lower: bool = True,
    lower_margin_se: float = 1.0,
    max_step: int = 3,
    workers: int = 1,
    periodic: tuple[float, float] | None = None,
    keep_escalation: bool = False,
    progress: Callable[[dict], None] | None = None,
) -> IsaResult:
    """Iterate simulate → restaff from ``start`` (a table with date, interval_start_min,
    post, staff, and optionally offered_load and mean_service_min, which guide the step
    size). Returns the final table with achieved KPIs and the per-iteration history.

    Step sizes are model-guided: the stationary formula at the interval's offered load
    predicts how much one more (or one fewer) counter changes the KPI; a missing interval
    gets the smallest number of extra counters (≤ ``max_step``) that the prediction says
    closes the gap, and an interval is lowered (by ≤ ``max_step``) only if the prediction
    says it still holds with ``lower_margin_se`` standard errors to spare. A lowered
    interval that afterwards misses — or holds with less than that margin — is put back and
    locked (this guards against fitting the noise of the fixed sample).
    """
    sc = sizing_scenario(scenario, keep_escalation)
    cap = {p: sc.physical_capacity(p) for p in sc.posts}
    cols = [c for c in ("offered_load", "mean_service_min") if c in start.columns]
    t = start[["date", "interval_start_min", "post", "staff", *cols]].copy()
    t = t.reset_index(drop=True)
    t["staff"] = np.minimum(t["staff"].to_numpy(int), t["post"].map(cap).to_numpy(int))
    origin = float(t["interval_start_min"].min())
    gkey = _group_key(periodic, origin)
    t["group"] = [gkey(x) for x in t["interval_start_min"]]
    if periodic is not None:  # one value per phase: the largest of the start values
        t["staff"] = t.groupby(["date", "post", "group"])["staff"].transform("max")
    predict = _predictor(t, targets)
    locked: set[tuple] = set()
    history: list[dict] = []
    lowered: dict[tuple, int] = {}
    converged = False
    kpis = None
    for it in range(max_iter + 1):
        kpis = evaluate(sc, demand, t, targets, reps, seed, workers, periodic)
        staff_now = t.drop_duplicates(["date", "group", "post"]).set_index(
            ["date", "group", "post"]
        )["staff"]
        changes: dict[tuple, int] = {}
        missing = 0
        capacity_bound = 0
        worst = math.inf
        lower_cands = []
        for row in kpis.itertuples(index=False):
            key = (row.date, row.interval_start_min, row.lane)
            tg = targets[row.lane]
            c = int(staff_now.get(key, 0))
            ab_lim = tg.max_abandon if tg.max_abandon is not None else 1.0
            share, ab = float(row.share), float(row.abandon_share)
            se = float(row.share_se) if np.isfinite(row.share_se) else 0.0
            worst = min(worst, share)
            miss = share < tg.min_share - 1e-12 or ab > ab_lim + 1e-12
            if key in lowered and (miss or share < tg.min_share + lower_margin_se * se):
                changes[key] = lowered[key]  # put back
                locked.add(key)
                missing += int(miss)
                continue
            if miss:
                missing += 1
                locked.add(key)  # an interval that ever missed is never lowered again
                if c >= cap[row.lane]:
                    capacity_bound += 1
                    continue
                step = 1
                base = predict(key, c)
                if base is not None:
                    for k in range(1, max_step + 1):
                        p = predict(key, c + k)
                        if (share + p[0] - base[0] >= tg.min_share
                                and ab + p[1] - base[1] <= ab_lim):
                            break
                    step = k
                changes[key] = min(step, cap[row.lane] - c)
            elif key not in locked and c > 1:
                lower_cands.append((key, c, share, ab, se, tg, ab_lim))
        lowered = {}
        action = "raise" if changes else "stop"
        if not changes and lower:
            for key, c, share, ab, se, tg, ab_lim in lower_cands:
                base = predict(key, c)
                step = 0
                for k in range(1, max_step + 1):
                    if c - k < 1:
                        break
                    if base is None:
                        ok = k == 1
                    else:
                        p = predict(key, c - k)
                        ok = (share - (base[0] - p[0]) >= tg.min_share + lower_margin_se * se
                              and ab + (p[1] - base[1]) <= ab_lim)
                    if not ok:
                        break
                    step = k
                if step:
                    changes[key] = -step
                    lowered[key] = step
            action = "lower" if changes else "stop"
        rec = {
            "iteration": it,
            "staff_hours": float(t["staff"].sum() * demand.interval_min / 60.0),
            "intervals_missing": missing,
            "worst_share": worst,
            "action": action,
            "capacity_bound": capacity_bound,
            "changed": len(changes),
        }
        history.append(rec)
        if progress:
            progress(rec)
        if not changes:
            converged = missing == capacity_bound
            break
        delta = pd.Series(changes)
        delta.index = delta.index.set_names(["date", "group", "post"])
        idx = pd.MultiIndex.from_frame(t[["date", "group", "post"]])
        add = delta.reindex(idx).fillna(0).to_numpy(int)
        t["staff"] = np.clip(t["staff"].to_numpy(int) + add, 0, t["post"].map(cap).to_numpy(int))
    else:  # max_iter reached: the last evaluation is the achieved KPI of the last change
        kpis = evaluate(sc, demand, t, targets, reps, seed, workers, periodic)
    holds = _holds(kpis, t, targets, cap)
    out = t.drop(columns="group")
    kk = kpis.rename(columns={"lane": "post"})
    if periodic is not None:
        out["phase_start"] = [gkey(x) for x in out["interval_start_min"]]
        kk = kk.rename(columns={"interval_start_min": "phase_start"})
        out = out.merge(kk, on=["date", "phase_start", "post"], how="left")
        out = out.drop(columns="phase_start")
    else:
        out = out.merge(kk, on=["date", "interval_start_min", "post"], how="left")
    out["method"] = "simulation"
    return IsaResult(out, history, converged, holds)


def _holds(kpis: pd.DataFrame, t: pd.DataFrame, targets, cap) -> bool:
    staff = t.drop_duplicates(["date", "group", "post"]).set_index(["date", "group", "post"])
    for row in kpis.itertuples(index=False):
        tg = targets[row.lane]
        lim = tg.max_abandon if tg.max_abandon is not None else 1.0
        if row.share < tg.min_share - 1e-12 or row.abandon_share > lim + 1e-12:
            c = staff["staff"].get((row.date, row.interval_start_min, row.lane), 0)
            if c < cap[row.lane]:
                return False
    return True


def day_dates(table: pd.DataFrame) -> list[dt.date]:
    return sorted(set(table["date"]))

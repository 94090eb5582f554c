"""One hall of a region: the task sent to a worker and the outcome it sends back.

``plan_hall(task)`` is a pure function of the task (scenario, dates, settings, the hall's own
seed): it runs the same loop as ``hallplan plan``, then the region's stress checks and the
hall's staffing/wait curve. It never reads or writes files and never raises: a failure comes
back as an outcome with the error, so one bad hall cannot stop the others. Workers may be
other machines (a Dask cluster), so everything crossing is picklable data.

Seeds: the hall's seed is spawned from the region seed and the hall id
(``SeedSequence(region_seed, spawn_key=(crc32(hall_id),))``), so a hall's results do not
depend on which worker runs it, in what order, or how many halls the region has; within the
hall, the simulator spawns one stream per replication and day as always.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import traceback
import zlib
from dataclasses import dataclass, field

import numpy as np

from hallplan.pipeline import PlanConfig, PlanResult, plan
from hallplan.region.record import HallRow
from hallplan.sim.demand import Demand, demand_from_profile
from hallplan.sim.errors import ScenarioError
from hallplan.sim.intervals import mean_ci, share_ci
from hallplan.sim.replicate import Results, simulate
from hallplan.sim.scenario import Scenario


def hall_seed(region_seed: int, hall_id: str) -> int:
    """The hall's own seed, independent of the other halls and of the executor."""
    ss = np.random.SeedSequence(region_seed, spawn_key=(zlib.crc32(hall_id.encode()),))
    return int(ss.generate_state(1, dtype=np.uint32)[0] >> 1)  # 31 bits: fits every seed API


@dataclass(frozen=True)
class HallTask:
    hall_id: str
    scenario: Scenario
    dates: tuple[dt.date, ...]
    config: PlanConfig
    task_hash: str
    month_start_days: int = 3
    holiday_demand_factor: float = 1.35
    min_headcount: int | None = None
    max_headcount: int | None = None


@dataclass(frozen=True)
class HallOutcome:
    hall_id: str
    task_hash: str
    status: str  # "ok" | "failed"
    row: HallRow  # the hall's line of the region table
    error: str = ""
    traceback: str = ""
    plan: PlanResult | None = field(default=None, repr=False)
    curve: dict | None = None  # headcount → expected late customers (see optimize.allocation)
    replications: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# --------------------------------------------------------------------------- KPIs with CIs


def _ci(per_rep: np.ndarray, confidence: float, share: bool = False) -> tuple[float, float, float]:
    """Mean and interval over replications (:mod:`hallplan.sim.intervals`: Student-t, or
    the Wilson-type interval inside [0, 1] for a share); NaN bounds with one replication."""
    ci = (share_ci if share else mean_ci)(per_rep, confidence)
    return (ci.mean, ci.low, ci.high)


def hall_kpis(results: Results, dates: set[dt.date] | None, confidence: float) -> dict:
    """Hall-level KPIs over ``dates`` (default all), pooled over the days of each
    replication (ticket-weighted), then mean and CI over replications."""
    d = results.day_kpis
    d = d[d["group_kind"] == "hall"]
    if dates is not None:
        d = d[d["date"].isin(dates)]
    w = d.pivot_table(index=["rep", "date"], columns="metric", values="value").fillna(0.0)
    if w.empty:
        return {}
    w = w.assign(within=w["share_called_within_target"] * w["tickets"],
                 abandon=w["abandon_share"] * w["tickets"],
                 wait=w["mean_wait_min"] * w["tickets"])
    per = w.groupby(level="rep")[["tickets", "within", "abandon", "wait"]].sum()
    t = per["tickets"].replace(0, np.nan)
    out = {}
    for name, series in (("share_within_target", per["within"] / t),
                         ("abandon_share", per["abandon"] / t),
                         ("mean_wait_min", per["wait"] / t)):
        m, lo, hi = _ci(series.to_numpy(), confidence, share=name != "mean_wait_min")
        out[name], out[f"{name}_lo"], out[f"{name}_hi"] = m, lo, hi
    out["customers"] = float(per["tickets"].mean())
    out["late_customers"] = float((per["tickets"] - per["within"]).mean())
    return out


def headcount_needed(p: PlanResult) -> int:
    """People the plan needs: the roster's paid hours plus the staff-hours it could not cover
    (at the roster's paid/worked ratio), over one person's paid hours in the horizon
    (average contract hours per week × days / 7).

    One definition with the plan's verdict: a hall whose targets hold with the n people on
    its books needs at most n (the estimate is capped there), and a hall whose targets do
    not hold needs more than n — so “needed ≤ on the books” and “targets hold” never
    disagree in the region report, and the allocation's “meets target” (assigned ≥ needed)
    reads the same as the verdict when a hall keeps its headcount."""
    return consistent_need(_hours_need(p), len(p.scenario.staff.all_employees()),
                           bool(p.targets_hold))


def consistent_need(estimate: int, on_books: int, targets_hold: bool) -> int:
    """The staff-hour ``estimate`` made to agree with the verdict (see
    :func:`headcount_needed`)."""
    return min(estimate, on_books) if targets_hold else max(estimate, on_books + 1)


def _hours_need(p: PlanResult) -> int:
    emps = p.scenario.staff.all_employees()
    weekly = float(np.mean([e.contract_hours_per_week for e in emps])) if emps else 40.0
    per_person_h = weekly * len(p.dates) / 7.0
    last = p.final_round
    paid = last.paid_hours
    worked = max(last.requirement_staff_hours - last.under_coverage_staff_hours, 1e-9)
    ratio = paid / worked if paid > 0 else 1.0
    need_h = paid + last.under_coverage_staff_hours * ratio
    dms = sum(e.duty_manager for e in emps)
    return max(math.ceil(need_h / per_person_h - 1e-9), dms, 1)


# --------------------------------------------------------------------------- the task


def holiday_stress(task: HallTask, p: PlanResult, demand: Demand, seed: int) -> dict:
    """The busiest planned day with demand × ``holiday_demand_factor``, staffed by the plan's
    roster for that day: share called within target with its CI."""
    totals = demand.table.groupby("date")["rate_per_hour"].sum()
    busiest = max(totals.index, key=lambda d: (totals[d], d))
    stressed = Demand(demand.interval_min, demand.table[demand.table["date"] == busiest],
                      f"{demand.source} × {task.holiday_demand_factor:g} (holiday)"
                      ).scaled(task.holiday_demand_factor)
    res = simulate(task.scenario, stressed, p.roster.roster.to_staffing(),
                   reps=task.config.reps, seed=seed, dates=[busiest], keep_customers=False)
    k = hall_kpis(res, None, task.config.confidence)
    return {"holiday_date": str(busiest), **{f"holiday_{n}": k.get(n, math.nan) for n in (
        "share_within_target", "share_within_target_lo", "share_within_target_hi")}}


def _curve(task: HallTask, demand: Demand, observed_late: float) -> tuple[dict | None, str]:
    try:
        from hallplan.optimize.allocation import calibrate, wait_curve
    except ImportError:  # pragma: no cover - the module ships with the package
        return None, "no allocation module"
    n = len(task.scenario.staff.all_employees())
    # default range: no hall loses more than a quarter of its staff in one allocation (a
    # planner's guard — a hall cannot be halved overnight) and up to +60 %; the region file's
    # min_headcount / max_headcount override both
    lo = max(task.min_headcount or math.ceil(0.75 * n), 1)
    hi = max(task.max_headcount or max(math.ceil(1.6 * n), n + 4), lo + 1)
    # duty managers with a counter skill work counters between their rounds (the roster puts
    # them on posts), so only those without one are overhead
    lanes = set(task.scenario.lanes)
    overhead = sum(1 for e in task.scenario.staff.all_employees()
                   if e.duty_manager and not lanes & set(e.skills))
    curve = wait_curve(task.scenario, demand, headcounts=list(range(lo, hi + 1)),
                       duty_managers=overhead)
    note = "Erlang curve"
    at = int(np.clip(n, curve.headcount[0], curve.headcount[-1]))
    analytic = float(np.interp(at, curve.headcount, curve.late_customers))
    if observed_late > 0 and analytic > 0:
        curve = calibrate(curve, observed_late, at)
        note = f"Erlang curve calibrated to the simulation at {at} people"
    return {"hall": task.hall_id, "headcount": [int(h) for h in curve.headcount],
            "late_customers": [float(x) for x in curve.late_customers],
            "customers": float(curve.customers), "target_share": float(curve.target_share),
            "note": note}, note


def plan_hall(task: HallTask) -> HallOutcome:
    """Plan one hall; never raises (see the module docstring)."""
    t0 = time.perf_counter()
    try:
        s = task.scenario
        demand = demand_from_profile(s, list(task.dates))
        p = plan(s, demand, list(task.dates), task.config)
        conf = task.config.confidence
        k = hall_kpis(p.results, None, conf)
        target = s.targets.min_share_called_within
        peak_days = {d for d in task.dates if d.day <= task.month_start_days}
        pk = hall_kpis(p.results, peak_days, conf) if peak_days else {}
        hol = holiday_stress(task, p, demand, task.config.seed)
        curve, curve_note = _curve(task, demand, k.get("late_customers", 0.0))
        n_now = len(s.staff.all_employees())
        mv = math.nan
        if curve is not None:
            h, late = np.array(curve["headcount"]), np.array(curve["late_customers"])
            if h[0] <= n_now < h[-1]:
                i = int(np.searchsorted(h, n_now))
                mv = float(late[i] - late[i + 1])
        last = p.final_round
        row = {
            "hall": task.hall_id, "status": "ok", "error": "",
            "headcount_current": n_now, "headcount_needed": headcount_needed(p),
            "headcount_assigned": math.nan,
            "paid_hours": float(last.paid_hours),
            "requirement_staff_hours": float(last.requirement_staff_hours),
            "under_coverage_staff_hours": float(last.under_coverage_staff_hours),
            "rounds": len(p.rounds), "targets_hold": bool(p.targets_hold),
            "intervals_missing_target": len(last.misses),
            "target_share": float(target),
            **{n: k.get(n, math.nan) for n in (
                "share_within_target", "share_within_target_lo", "share_within_target_hi",
                "abandon_share", "abandon_share_lo", "abandon_share_hi",
                "mean_wait_min", "mean_wait_min_lo", "mean_wait_min_hi",
                "customers", "late_customers")},
            **{f"peak_{n}": pk.get(n, math.nan) for n in (
                "share_within_target", "share_within_target_lo", "share_within_target_hi")},
            **hol,
            "marginal_value": mv, "curve": curve_note,
            "roster_reproducible": bool(p.roster.reproducible),
        }
        # at risk: the point estimate is below the target (the CI says how sure that is)
        row["peak_at_risk"] = bool(row["peak_share_within_target"] < target)
        row["holiday_at_risk"] = bool(row["holiday_share_within_target"] < target)
        row["run_time_s"] = time.perf_counter() - t0
        reps = task.config.reps * (len(task.dates) * len(p.rounds) + 1)
        return HallOutcome(task.hall_id, task.task_hash, "ok", HallRow.from_mapping(row),
                           plan=p, curve=curve,
                           replications=reps)
    except ScenarioError as exc:
        msg = "; ".join(str(q) for q in exc.problems)
        tb = ""
    except Exception as exc:  # one hall's failure must not stop the region
        msg = f"{type(exc).__name__}: {exc}"
        tb = traceback.format_exc()
    row = HallRow(hall=task.hall_id, status="failed", error=msg,
                  headcount_current=len(task.scenario.staff.all_employees()),
                  run_time_s=time.perf_counter() - t0)
    return HallOutcome(task.hall_id, task.task_hash, "failed", row, error=msg, traceback=tb)


__all__ = ["HallOutcome", "HallTask", "consistent_need", "hall_kpis", "hall_seed",
           "headcount_needed",
           "plan_hall"]

"""Observed vs simulated days: the observed day KPIs of a ticket log, the demand and staffing
of each day as observed, simulations of those days, and the availability factor fitted so
that simulated waits match the observed ones on the fit days.

KPIs (counter tickets: served + abandoned; the same definitions for log and simulation):
abandonment = abandoned ÷ tickets; mean wait = mean ticket → call of served tickets;
share within target = tickets called within the class's wait target ÷ tickets.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from scipy import optimize, stats

from hallplan.forecast.calibrate.staff import observed_staffing
from hallplan.sim.demand import DEMAND_COLUMNS, Demand
from hallplan.sim.kpi import customers_frame
from hallplan.sim.replicate import run_day_records
from hallplan.sim.scenario import Scenario

KPIS = ("abandon_share", "mean_wait_min", "share_within_target")


def counter_tickets(log: pd.DataFrame) -> pd.DataFrame:
    t = log[(log["channel"] == "counter") & log["outcome"].isin(["served", "abandoned"])].copy()
    day0 = pd.to_datetime(t["ticket_date"])
    t["ticket_min"] = (t["ticket_time"] - day0).dt.total_seconds() / 60.0
    served = t["outcome"] == "served"
    wait = (t["call_time"] - t["ticket_time"]).dt.total_seconds() / 60.0
    if "leave_time" in t.columns:
        left = (t["leave_time"] - t["ticket_time"]).dt.total_seconds() / 60.0
    else:
        left = pd.Series(np.nan, index=t.index)
    t["wait_min"] = np.where(served, wait, left).clip(min=0.0)
    return t


def _kpis(date, outcome, wait, cls, scenario) -> dict:
    n = len(outcome)
    served = outcome == "served"
    target = np.array([scenario.targets.for_class(c).wait_target_min for c in cls], dtype=float)
    return {
        "date": date,
        "tickets": n,
        "abandon_share": float((~served).mean()) if n else math.nan,
        "mean_wait_min": float(np.nanmean(wait[served])) if served.any() else math.nan,
        "share_within_target": float((served & (wait <= target)).mean()) if n else math.nan,
    }


def observed_day_kpis(log: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    t = counter_tickets(log)
    rows = [
        _kpis(d, g["outcome"].to_numpy(), g["wait_min"].to_numpy(), g["customer_class"], scenario)
        for d, g in t.groupby("ticket_date", sort=True)
    ]
    return pd.DataFrame(rows)


def observed_demand(log: pd.DataFrame, scenario: Scenario, dates: list[dt.date]) -> Demand:
    """Each day's own arrivals: counter tickets per (interval, service type, class) as the
    Poisson rate of that interval."""
    t = counter_tickets(log)
    t = t[t["ticket_date"].isin(dates)]
    iv = scenario.interval_min
    t = t.assign(interval_start_min=(t["ticket_min"] // iv) * iv)
    t = t[(t["interval_start_min"] >= 0) & (t["interval_start_min"] < 24 * 60)]
    g = t.groupby(["ticket_date", "interval_start_min", "service_type", "customer_class"]).size()
    table = g.rename("n").reset_index().rename(columns={"ticket_date": "date"})
    table["rate_per_hour"] = table["n"] * 60.0 / iv
    starts = scenario.interval_starts()
    # every (date, interval) present, so the engine sees the whole day grid
    pad = pd.DataFrame(
        [
            (
                d,
                float(s),
                next(iter(scenario.service_types)),
                next(iter(scenario.customer_classes)),
                0.0,
            )
            for d in dates
            for s in starts
        ],
        columns=list(DEMAND_COLUMNS),
    )
    table = pd.concat([table[list(DEMAND_COLUMNS)], pad], ignore_index=True)
    table = table.groupby(list(DEMAND_COLUMNS[:4]), as_index=False)["rate_per_hour"].sum()
    # Re-drawing Poisson arrivals around each interval's own count adds the count's noise a
    # second time (and queues are convex in load): smooth the counts over three intervals
    # (day totals kept) so the rate, not one realisation, drives the simulation.
    key = ["date", "service_type", "customer_class"]
    table = table.sort_values([*key, "interval_start_min"], ignore_index=True)
    smooth = table.groupby(key)["rate_per_hour"].transform(
        lambda r: r.rolling(3, center=True, min_periods=1).mean()
    )
    total = table.groupby(key)["rate_per_hour"].transform("sum")
    stotal = smooth.groupby([table[k] for k in key]).transform("sum")
    table["rate_per_hour"] = np.where(stotal > 0, smooth * total / stotal.where(stotal > 0, 1), 0)
    return Demand(iv, table, source="observed")


def simulate_days(
    scenario: Scenario,
    log: pd.DataFrame,
    on_duty: pd.DataFrame,
    dates: list[dt.date],
    availability: float,
    reps: int,
    seed: int,
) -> pd.DataFrame:
    """Per (date, rep) simulated KPIs of the given days with their observed arrivals and
    ``availability × on-duty`` staffing."""
    demand = observed_demand(log, scenario, dates)
    staffing = observed_staffing(on_duty, scenario, availability, dates)
    rows = []
    for d in dates:
        day = demand.day(d)
        st = staffing.day(d)
        for r in range(reps):
            rec = run_day_records(scenario, day, st, seed, (d.toordinal(), r))
            c = customers_frame(rec.customers)
            c = c[c["outcome"].isin(["served", "abandoned"]) & (c["channel"] != "kiosk")]
            k = _kpis(
                d, c["outcome"].to_numpy(), c["wait_min"].to_numpy(), c["customer_class"], scenario
            )
            k["rep"] = r
            k["wait_all_min"] = float(c["wait_min"].mean()) if len(c) else math.nan
            rows.append(k)
    return pd.DataFrame(rows)


def summarise_days(sim: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean and the central ``confidence`` range of the replications per day (the interval
    a single day of the hall falls in, as simulated)."""
    lo_q, hi_q = (1 - confidence) / 2, 1 - (1 - confidence) / 2
    out = []
    for d, g in sim.groupby("date", sort=True):
        row = {"date": d}
        for k in KPIS:
            v = g[k].to_numpy(dtype=float)
            row[f"sim_{k}"] = float(np.nanmean(v))
            row[f"sim_{k}_lo"] = float(np.nanquantile(v, lo_q))
            row[f"sim_{k}_hi"] = float(np.nanquantile(v, hi_q))
        out.append(row)
    return pd.DataFrame(out)


def fit_availability(
    scenario: Scenario,
    log: pd.DataFrame,
    on_duty: pd.DataFrame,
    dates: list[dt.date],
    reps: int = 2,
    seed: int = 0,
    bounds: tuple[float, float] = (0.3, 1.3),
    tol: float = 0.01,
) -> tuple[float, pd.DataFrame]:
    """The availability a in ``bounds`` at which the simulated mean wait of served tickets
    over the fit days equals the observed one. Bisection on the
    simulated wait, which falls as a rises (common random numbers: every trial sees the
    same customers). Returns (a, trials)."""
    t = counter_tickets(log)
    t = t[t["ticket_date"].isin(dates)]
    observed = float(t.loc[t["outcome"] == "served", "wait_min"].mean())
    trials = []

    def gap(a: float) -> float:
        sim = simulate_days(scenario, log, on_duty, dates, a, reps, seed)
        w = float(np.average(sim["mean_wait_min"], weights=sim["tickets"]))
        trials.append(
            {"availability": a, "sim_served_wait_min": w, "obs_served_wait_min": observed}
        )
        return w - observed

    lo, hi = bounds
    g_lo, g_hi = gap(lo), gap(hi)
    if g_lo <= 0:
        return lo, pd.DataFrame(trials)
    if g_hi >= 0:
        return hi, pd.DataFrame(trials)
    a = optimize.brentq(gap, lo, hi, xtol=tol, maxiter=20)
    return float(a), pd.DataFrame(trials)


def agreement(table: pd.DataFrame) -> dict:
    """MAE and correlation across days of observed vs simulated KPIs."""
    out = {}
    for k in KPIS:
        o = table[f"obs_{k}"].to_numpy(dtype=float)
        s = table[f"sim_{k}"].to_numpy(dtype=float)
        ok = np.isfinite(o) & np.isfinite(s)
        mae = float(np.mean(np.abs(o[ok] - s[ok]))) if ok.any() else math.nan
        r = float(stats.pearsonr(o[ok], s[ok]).statistic) if ok.sum() > 2 else math.nan
        inside = ((o >= table[f"sim_{k}_lo"]) & (o <= table[f"sim_{k}_hi"])).to_numpy()
        out[k] = {
            "mae": mae,
            "correlation": r,
            "days_inside_95": int(inside[ok].sum()),
            "days": int(ok.sum()),
            "mean_observed": float(np.mean(o[ok])),
            "mean_simulated": float(np.mean(s[ok])),
        }
    w = out["mean_wait_min"]
    w["relative_error"] = (w["mean_simulated"] - w["mean_observed"]) / w["mean_observed"]
    return out

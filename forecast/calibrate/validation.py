"""Observed vs simulated days: the observed day KPIs of a ticket log, the arrivals and staffing
of each day as observed, trace-driven simulations of those days, and the availability factor
fitted so that simulated waits match the observed ones on the fit days.

KPIs (counter tickets: served + abandoned; the same definitions for log and simulation):
abandonment = abandoned ÷ tickets; mean wait = mean ticket → call of served tickets;
share within target = tickets called within the class's wait target ÷ tickets.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from hallplan.forecast.calibrate.staff import observed_staffing
from hallplan.sim.arrivals import replay_customers
from hallplan.sim.kpi import customers_frame
from hallplan.sim.replicate import run_customers_records
from hallplan.sim.scenario import Scenario
from hallplan.sim.staffing import serving_staffing

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


def observed_arrivals(log: pd.DataFrame, dates: list[dt.date]) -> dict[dt.date, pd.DataFrame]:
    """Each date's counter tickets as they arrived: ticket time (minutes from the ticket
    date's midnight), service type and class — the trace a held-out day is replayed from."""
    t = counter_tickets(log)
    t = t[t["ticket_date"].isin(dates) & (t["ticket_min"] >= 0) & (t["ticket_min"] < 24 * 60)]
    cols = ["ticket_min", "service_type", "customer_class"]
    return {d: g[cols] for d, g in t.groupby("ticket_date", sort=True)}


def at_full_availability(scenario: Scenario) -> Scenario:
    """The scenario with ``staff.availability = 1``: the calibration applies its own trial
    availability to the observed staff, so the scenario's must not apply a second time."""
    if scenario.staff.availability == 1.0:
        return scenario
    staff = scenario.staff.model_copy(update={"availability": 1.0})
    return scenario.model_copy(update={"staff": staff})


def simulate_days(
    scenario: Scenario,
    log: pd.DataFrame,
    on_duty: pd.DataFrame,
    dates: list[dt.date],
    availability: float,
    reps: int,
    seed: int,
) -> pd.DataFrame:
    """Per (date, rep) simulated KPIs of the given days, trace-driven: each day's observed
    counter tickets arrive at their observed times with their service type and class
    (:func:`~hallplan.sim.arrivals.replay_customers`; service, patience and misrouting are
    drawn, replication ``r`` of date ``d`` from the named streams of key ``(d, r)``), served
    by ``availability × on duty`` (:func:`~hallplan.sim.staffing.serving_staffing`)."""
    base = at_full_availability(scenario)
    arrivals = observed_arrivals(log, dates)
    staffing = observed_staffing(on_duty, base, dates)
    lanes = list(base.lanes)
    empty = pd.DataFrame({"ticket_min": [], "service_type": [], "customer_class": []})
    rows = []
    for d in dates:
        serving = serving_staffing(staffing.day(d), availability, base.interval_min, lanes)
        trace = arrivals.get(d, empty)
        for r in range(reps):
            cust = replay_customers(
                base,
                trace["ticket_min"].to_numpy(dtype=float),
                trace["service_type"].to_numpy(),
                trace["customer_class"].to_numpy(),
                seed,
                (d.toordinal(), r),
            )
            c = customers_frame(run_customers_records(base, cust, serving).customers)
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


@dataclass(frozen=True)
class AvailabilityFit:
    """The fitted availability, its 95% confidence interval and the bisection's trials."""

    value: float
    ci: tuple[float, float] | None
    trials: pd.DataFrame
    at_bound: bool  # no root inside the search bounds: the value is the bound


def fit_availability(
    scenario: Scenario,
    log: pd.DataFrame,
    on_duty: pd.DataFrame,
    dates: list[dt.date],
    reps: int = 2,
    seed: int = 0,
    bounds: tuple[float, float] = (0.3, 1.3),
    tol: float = 0.01,
) -> AvailabilityFit:
    """The availability a in ``bounds`` at which the simulated mean wait of served tickets
    over the fit days (trace-driven, :func:`simulate_days`) equals the observed one.
    Bisection (Brent) on the simulated wait, which falls as a rises (common random numbers:
    every trial sees the same customers and draws).

    Confidence interval (delta method): the day-paired gaps observed − simulated wait at the
    fitted a carry both the hall's and the simulation's randomness; their standard error
    across days (weighted by served tickets, t with days − 1 degrees of freedom), divided by
    the slope of the simulated wait in a (least squares over the trials within ±0.2 of the
    root, where the curve is close to a line), is the standard error of a.

    Above 1 the servers may outnumber the counters: the search can say "more serve than the
    log shows on duty" (staff who served nobody in a half hour are not seen) instead of
    flattening at the counters, so a hall whose staff all serve gets a value near 1 with an
    interval on both sides."""
    t = counter_tickets(log)
    t = t[t["ticket_date"].isin(dates)]
    served = t[t["outcome"] == "served"]
    observed = float(served["wait_min"].mean())
    obs_day = served.groupby("ticket_date")["wait_min"].agg(["mean", "size"])
    trials = []
    per_day: dict[float, pd.Series] = {}

    seen: dict[float, float] = {}

    def gap(a: float) -> float:
        if a in seen:  # Brent evaluates the bracket's ends again
            return seen[a]
        sim = simulate_days(scenario, log, on_duty, dates, a, reps, seed)
        w = float(np.average(sim["mean_wait_min"], weights=sim["tickets"]))
        per_day[a] = sim.groupby("date")["mean_wait_min"].mean()
        trials.append(
            {"availability": a, "sim_served_wait_min": w, "obs_served_wait_min": observed}
        )
        seen[a] = w - observed
        return seen[a]

    lo, hi = bounds
    g_lo, g_hi = gap(lo), gap(hi)
    at_bound = True
    if g_lo <= 0:
        a = lo
    elif g_hi >= 0:
        a = hi
    else:
        a = float(optimize.brentq(gap, lo, hi, xtol=tol, maxiter=20))
        at_bound = False
    tr = pd.DataFrame(trials)
    return AvailabilityFit(a, _availability_ci(a, tr, per_day, obs_day), tr, at_bound)


def _availability_ci(
    a: float, trials: pd.DataFrame, per_day: dict[float, pd.Series], obs_day: pd.DataFrame
) -> tuple[float, float] | None:
    near = float(trials.iloc[(trials["availability"] - a).abs().argmin()]["availability"])
    local = trials[(trials["availability"] - a).abs() <= 0.2]
    if local["availability"].nunique() < 2:
        local = trials.iloc[(trials["availability"] - a).abs().argsort()[:2]]
    if local["availability"].nunique() < 2 or len(obs_day) < 3:
        return None
    slope = float(np.polyfit(local["availability"], local["sim_served_wait_min"], 1)[0])
    sim = per_day[near].reindex(obs_day.index)
    ok = sim.notna().to_numpy() & obs_day["mean"].notna().to_numpy()
    if slope >= 0 or ok.sum() < 3:
        return None  # the simulated wait does not fall with availability: no interval
    gaps = (obs_day["mean"] - sim).to_numpy()[ok]
    w = obs_day["size"].to_numpy(dtype=float)[ok]
    w = w / w.sum()
    mean_gap = float(np.sum(w * gaps))
    n = len(gaps)
    se = math.sqrt(n / (n - 1) * float(np.sum(w**2 * (gaps - mean_gap) ** 2)))
    half = float(stats.t.ppf(0.975, n - 1)) * se / abs(slope)
    return (a - half, a + half)


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

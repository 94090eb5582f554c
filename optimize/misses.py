"""Which intervals miss their target, why, and what would fix them.

The loop (:mod:`optimize.loop`) simulates each round's roster and asks three questions of the
result, each answered here by one function:

1. **Does an interval miss?** (:func:`find_misses`) — only with confidence, and with a rule
   that still works on a lane with two tickets an interval: the replications' Student-t bound
   *and* the exact (Clopper–Pearson) binomial bound on the customers pooled over the
   replications must both lie below the target. A t-interval alone collapses where the
   replications agree (two tickets, both late, in every replication: zero variance, "certain"
   miss); the binomial bound knows that two customers prove little.
2. **Why?** (:func:`classify_misses`) — against a simulation of the same customers with every
   counter staffed all day (:func:`full_staffing`, run once up front): a miss that stays at
   full staffing is a *layout* finding (add a counter); otherwise, staffed below the
   requirement is a *roster* gap, and staffed as required with counters free means the
   *requirement* is too low.
3. **What is missing?** (:func:`staffing_advice`) — roster gaps the roster could not fill
   (no qualified person with room under the labour rules: *staff-limited*) are summed into
   "2 more VIP-qualified staff on Fridays 15:00–20:00".
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from scipy.stats import beta

from hallplan.sim.intervals import share_ci, t_half_width
from hallplan.sim.replicate import Results
from hallplan.sim.scenario import Scenario, format_clock
from hallplan.sim.staffing import DayStaffing, Staffing

#: miss causes, in the order a planner acts on them
CAUSES = ("roster", "requirement", "layout")

_WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays",
             "Sundays")


def lane_share_target(scenario: Scenario, lane: str) -> float:
    """The share-called-within-target a lane is judged by (the VIP room by the VIP class)."""
    for name, cls in scenario.customer_classes.items():
        if cls.lane == lane and name in scenario.targets.by_class:
            return scenario.targets.by_class[name].min_share_called_within
    return scenario.targets.min_share_called_within


def binomial_upper(successes, trials, confidence: float) -> np.ndarray:
    """One-sided exact (Clopper–Pearson) upper confidence bound of a binomial share:
    ``Beta⁻¹(confidence; x + 1, n − x)``, and 1 where every trial succeeded (Clopper &
    Pearson, Biometrika 26, 1934)."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        up = beta.ppf(confidence, x + 1.0, np.maximum(n - x, 1e-12))
    return np.where(x >= n, 1.0, up)


def find_misses(results: Results, scenario: Scenario, confidence: float) -> pd.DataFrame:
    """Intervals (opening hours, with customers) whose share called within target misses the
    lane's target with confidence (see the module docstring): the one-sided Student-t bound
    over replications, ``mean + t_{conf, n−1}·s/√n``, and the Clopper–Pearson bound on the
    pooled customers are both below the target. With one replication the t-bound is the mean.

    Columns: date, interval_start_min, lane, mean, upper (the larger of the two bounds),
    target, tickets (mean per replication)."""
    k = results.interval_kpis
    k = k[(k["tickets"] > 0) & (k["interval_start_min"] < scenario.hours.close)]
    keys = ["date", "interval_start_min", "lane"]
    g = k.groupby(keys, sort=True)
    s = g["share_called_within_target"].agg(mean="mean", std="std", n="count").reset_index()
    pooled = g[["called_within_target", "tickets"]].sum().reset_index(drop=True)
    hw = t_half_width(s["std"].fillna(0), s["n"], confidence, two_sided=False)
    t_upper = s["mean"] + np.nan_to_num(hw, nan=0.0)
    b_upper = binomial_upper(pooled["called_within_target"], pooled["tickets"], confidence)
    s["upper"] = np.maximum(t_upper, b_upper)
    s["target"] = [lane_share_target(scenario, lane) for lane in s["lane"]]
    s["tickets"] = pooled["tickets"].to_numpy() / s["n"].to_numpy()
    miss = s[s["upper"] < s["target"]]
    return miss[[*keys, "mean", "upper", "target", "tickets"]].reset_index(drop=True)


def full_staffing(scenario: Scenario) -> Staffing:
    """Every counter of every lane, and every greeter post, staffed all day: the most the
    layout can give. A miss that remains with this staffing no roster can close."""
    seats = {p: tuple(((0.0, 1440.0),) for _ in range(scenario.physical_capacity(p)))
             for p in scenario.posts}
    return Staffing.every_day(DayStaffing(seats))


def classify_misses(misses: pd.DataFrame, coverage: pd.DataFrame, scenario: Scenario,
                    layout_misses: pd.DataFrame | None = None) -> pd.DataFrame:
    """Sort each miss into its cause (``cause`` column, one of :data:`CAUSES`), with the
    roster's ``required`` and ``staffed`` at that interval:

    * ``layout`` — the interval misses even with every counter staffed (``layout_misses``,
      the misses of the full-staffing simulation), or every counter of the lane is staffed
      and it still misses: add a counter;
    * ``roster`` — fewer people rostered than required: the roster's gap to close (or, where
      the checker finds nobody qualified with room, a staff-limited interval);
    * ``requirement`` — staffed as required with counters free: the requirement is too low."""
    cov = coverage.rename(columns={"post": "lane"})[
        ["date", "interval_start_min", "lane", "required", "staffed"]].copy()
    cov["interval_start_min"] = cov["interval_start_min"].astype(float)
    m = misses.copy()
    m["interval_start_min"] = m["interval_start_min"].astype(float)
    m = m.merge(cov, on=["date", "interval_start_min", "lane"], how="left")
    m[["required", "staffed"]] = m[["required", "staffed"]].fillna(0)
    counters = np.array([scenario.physical_capacity(lane) for lane in m["lane"]], dtype=float)
    staffed = m["staffed"].to_numpy(dtype=float)
    required = m["required"].to_numpy(dtype=float)
    at_layout = staffed >= counters
    if layout_misses is not None and len(m):
        lay = set(_keys_list(layout_misses))
        at_layout |= np.array([k in lay for k in _keys_list(m)], dtype=bool)
    m["cause"] = np.where(at_layout, "layout",
                          np.where(staffed < required, "roster", "requirement"))
    return m


def _keys_list(frame: pd.DataFrame) -> list[tuple[dt.date, float, str]]:
    return [(d, float(t), lane) for d, t, lane in
            zip(frame["date"], frame["interval_start_min"], frame["lane"], strict=True)]


def staff_limited(misses: pd.DataFrame, why_short: pd.DataFrame) -> pd.Series:
    """Which ``roster`` misses are staff-limited: the checker found no qualified employee
    who could have filled the interval under the labour rules (the cell is in its
    ``why_short`` table) — as opposed to a gap the roster could have closed."""
    if misses.empty:
        return pd.Series([], dtype=bool)
    short = set()
    if not why_short.empty:
        short = {(d, float(t), p) for d, t, p in zip(
            why_short["date"], why_short["interval_start_min"], why_short["post"], strict=True)}
    return pd.Series([(k in short) and c == "roster" for k, c in
                      zip(_keys_list(misses), misses["cause"], strict=True)],
                     index=misses.index, dtype=bool)


_QUALIFIED = {"general": "general-counter", "vip": "VIP-qualified",
              "complaint": "complaint-qualified", "greeter": "greeter"}


def staffing_advice(misses: pd.DataFrame, interval_min: int) -> pd.DataFrame:
    """Staff-limited misses (``cause == "roster"`` rows flagged ``staff_limited``) summed per
    lane and weekday into how many more qualified people, and when: the most missing at any
    one of those intervals (``required − staffed``), over the span from the first to the last
    missed interval. Columns: lane, weekday, more_staff, from_min, to_min, dates, intervals,
    advice (the sentence)."""
    cols = ["lane", "weekday", "more_staff", "from_min", "to_min", "dates", "intervals",
            "advice"]
    if misses.empty or "staff_limited" not in misses:
        return pd.DataFrame(columns=cols)
    m = misses[misses["staff_limited"]].copy()
    if m.empty:
        return pd.DataFrame(columns=cols)
    m["weekday"] = [d.weekday() for d in m["date"]]
    m["short"] = (m["required"] - m["staffed"]).clip(lower=1)
    rows = []
    for (lane, wd), g in m.groupby(["lane", "weekday"], sort=True):
        more = int(g["short"].max())
        a = float(g["interval_start_min"].min())
        b = float(g["interval_start_min"].max()) + interval_min
        n_dates = g["date"].nunique()
        who = _QUALIFIED.get(lane, f"{lane}-qualified")
        rows.append((lane, wd, more, a, b, n_dates, len(g),
                     f"{more} more {who} staff on {_WEEKDAYS[wd]} {format_clock(a)}–"
                     f"{format_clock(b)} ({len(g)} interval(s) on {n_dates} date(s))"))
    out = pd.DataFrame(rows, columns=cols)
    out["weekday"] = [_WEEKDAYS[w] for w in out["weekday"]]
    return out.sort_values(["more_staff", "intervals"], ascending=False).reset_index(drop=True)


def lane_month_kpis(results: Results, scenario: Scenario, confidence: float = 0.95
                    ) -> pd.DataFrame:
    """Per lane over all simulated days: the share called within target and the abandoned
    share, each the mean over replications with an interval inside 0–100%
    (:func:`hallplan.sim.intervals.share_ci`), and whether the lane meets its targets."""
    k = results.interval_kpis
    per_rep = k.groupby(["lane", "rep"])[["called_within_target", "tickets", "abandoned"]].sum()
    rows = []
    for lane, g in per_rep.groupby(level="lane", sort=True):
        t = g["tickets"].where(g["tickets"] > 0)
        if t.isna().all():
            continue
        within = share_ci((g["called_within_target"] / t).dropna(), confidence)
        aband = share_ci((g["abandoned"] / t).dropna(), confidence)
        target = lane_share_target(scenario, lane)
        rows.append({
            "lane": lane, "tickets_per_rep": float(g["tickets"].mean()),
            "share_within": within.mean, "share_within_low": within.low,
            "share_within_high": within.high, "target": target,
            "abandon_share": aband.mean, "abandon_low": aband.low, "abandon_high": aband.high,
            "max_abandon": scenario.targets.max_abandon_share,
            "holds": bool(within.mean >= target
                          and aband.mean <= scenario.targets.max_abandon_share),
        })
    return pd.DataFrame(rows)


__all__ = ["CAUSES", "binomial_upper", "classify_misses", "find_misses", "full_staffing",
           "lane_month_kpis", "lane_share_target", "staff_limited", "staffing_advice"]

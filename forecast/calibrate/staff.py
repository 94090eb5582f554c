"""Effective staff on duty per interval, read from who served whom in the ticket log.

An employee counts as *on duty* in an interval when they served someone during it (their
service spans overlap it): the staff a planner would call "on the roster" for that half hour.
Being on duty is not the same as answering: between calls an agent does after-call work,
takes breaks, coaches. The *availability* factor (fitted in :mod:`forecast.calibrate.validation`)
is the share of the on-duty staff that serves at a time: the simulator runs with
``availability × on duty`` servers (a fractional server works for that share of the interval;
:func:`hallplan.sim.staffing.serving_staffing`, the same conversion a plan's roster goes
through).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from hallplan.sim.scenario import Scenario
from hallplan.sim.staffing import DayStaffing, Staffing


def _lane_of(log: pd.DataFrame, scenario: Scenario) -> pd.Series:
    """The lane a counter belongs to: the counter id's prefix when it names a lane, else the
    queue of the customer served (service type and class)."""
    prefix = log["counter_id"].astype("string").str.extract(r"^([a-z][a-z0-9_]*)-", expand=False)
    queue = [
        scenario.counter_queue(t, c) if t in scenario.service_types else ""
        for t, c in zip(log["service_type"], log["customer_class"], strict=True)
    ]
    lane = prefix.where(prefix.isin(list(scenario.lanes)), pd.Series(queue, index=log.index))
    return lane


def served_spans(log: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """One row per counter service with a staff id: date, lane, staff, start/end in minutes
    from the ticket date's midnight."""
    s = log[(log["outcome"] == "served") & (log["channel"] == "counter")]
    s = s[s["staff_id"].notna() & (s["staff_id"].astype(str) != "")]
    day0 = pd.to_datetime(s["ticket_date"])
    start = (s["service_start"] - day0).dt.total_seconds() / 60.0
    end = (s["service_end"] - day0).dt.total_seconds() / 60.0
    return pd.DataFrame(
        {
            "date": s["ticket_date"].to_numpy(),
            "lane": _lane_of(s, scenario).to_numpy(),
            "staff_id": s["staff_id"].astype(str).to_numpy(),
            "start_min": start.to_numpy(),
            "end_min": np.maximum(end.to_numpy(), start.to_numpy()),
        }
    )


def on_duty_per_interval(log: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Per (date, lane, interval): staff on duty (distinct staff serving during the interval)
    and busy servers (service minutes ÷ interval length)."""
    sp = served_spans(log, scenario)
    iv = scenario.interval_min
    rows = []
    for (date, lane), g in sp.groupby(["date", "lane"], sort=True):
        first = int(np.floor(g["start_min"].min() / iv))
        last = int(np.floor(g["end_min"].max() / iv))
        grid = np.arange(first, last + 1) * iv
        s, e = g["start_min"].to_numpy(), g["end_min"].to_numpy()
        ov = np.minimum(e[:, None], grid[None, :] + iv) - np.maximum(s[:, None], grid[None, :])
        touched = (ov > 0) | ((s[:, None] >= grid[None, :]) & (s[:, None] < grid[None, :] + iv))
        staff = g["staff_id"].to_numpy()
        for j, t in enumerate(grid):
            on = len(set(staff[touched[:, j]]))
            busy = float(np.clip(ov[:, j], 0, None).sum() / iv)
            rows.append((date, lane, float(t), on, busy))
    return pd.DataFrame(
        rows, columns=["date", "lane", "interval_start_min", "on_duty", "busy_servers"]
    )


def observed_staffing(
    on_duty: pd.DataFrame, scenario: Scenario, dates: list[dt.date]
) -> Staffing:
    """The staff on duty each date as the log shows them, per lane and interval (capped at
    the lane's counters): the *rostered* staffing the simulator turns into servers with the
    availability factor (:func:`hallplan.sim.staffing.serving_staffing`)."""
    grid = np.arange(0, 24 * 60, scenario.interval_min, dtype=float)
    by_date = {}
    for d in dates:
        sub = on_duty[on_duty["date"] == d]
        counts = {}
        for lane in scenario.lanes:
            c = np.zeros(len(grid), dtype=int)
            g = sub[sub["lane"] == lane]
            idx = (g["interval_start_min"].to_numpy() // scenario.interval_min).astype(int)
            ok = (idx >= 0) & (idx < len(grid))
            c[idx[ok]] = g["on_duty"].to_numpy()[ok]
            counts[lane] = np.minimum(c, scenario.lanes[lane].counters)
        counts["greeter"] = np.zeros(len(grid), dtype=int)
        by_date[d] = DayStaffing.from_counts(counts, grid, scenario.interval_min)
    return Staffing(by_date=by_date)

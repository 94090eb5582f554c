"""Per-interval service KPIs recomputed from simulated customers against *lane* targets.

Why: the staffing methods need "share called within the lane's target" on the requirement's
own interval grid (which may be finer than the scenario's reporting interval) and for
targets the scenario cannot express (a delay probability: ``wait_target_min = 0``).
"called within target" itself is :func:`hallplan.sim.kpi.called_within`:

* a customer belongs to the interval of their first ticket, in the lane they were served in;
* tickets = ticketed customers (balked excluded); within = served at a counter with
  wait ≤ lane target (+1e-9); abandoned customers count as not called in time;
* the estimate pooled over replications is the ratio of sums Σ within / Σ tickets, with a
  standard error from the spread of the per-replication ratio residuals (a ratio estimator
  over independent replications, so correlation inside a day is accounted for).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from hallplan.optimize.requirements.load import LaneTarget
from hallplan.sim.kpi import called_within


def customer_interval_counts(
    customers: pd.DataFrame,
    targets: Mapping[str, LaneTarget],
    interval_min: float,
    origin_min: float = 0.0,
) -> pd.DataFrame:
    """Per (date, rep, interval_start_min, lane): tickets, within, abandoned."""
    c = customers[customers["ticket_min"].notna() & (customers["outcome"] != "balked")]
    c = c[c["lane"].isin(list(targets))]
    tgt = c["lane"].map({k: v.wait_target_min for k, v in targets.items()}).to_numpy(float)
    within = called_within(c["outcome"], c["channel"], c["wait_min"], tgt)
    start = origin_min + np.floor((c["ticket_min"].to_numpy(float) - origin_min) / interval_min) * (
        interval_min
    )
    frame = pd.DataFrame(
        {
            "date": c["date"].to_numpy(),
            "rep": c["rep"].to_numpy(),
            "interval_start_min": start,
            "lane": c["lane"].to_numpy(),
            "tickets": 1,
            "within": within.astype(int),
            "abandoned": (c["outcome"] == "abandoned").to_numpy().astype(int),
        }
    )
    return (
        frame.groupby(["date", "rep", "interval_start_min", "lane"], sort=True)[
            ["tickets", "within", "abandoned"]
        ]
        .sum()
        .reset_index()
    )


def pooled_kpis(counts: pd.DataFrame, keys: list[str], reps: int) -> pd.DataFrame:
    """Ratio-of-sums share and abandonment over replications (and any other pooled rows)
    per ``keys``, with standard errors; replications without a ticket count as zeros."""
    per_rep = counts.groupby([*keys, "rep"], sort=True)[["tickets", "within", "abandoned"]].sum()
    per_rep = per_rep.reset_index()
    tot = per_rep.groupby(keys, sort=True)[["tickets", "within", "abandoned"]].sum()
    tot["share"] = tot["within"] / tot["tickets"]
    tot["abandon_share"] = tot["abandoned"] / tot["tickets"]
    merged = per_rep.merge(tot[["share", "abandon_share"]].reset_index(), on=keys)
    merged["r_share"] = merged["within"] - merged["share"] * merged["tickets"]
    merged["r_ab"] = merged["abandoned"] - merged["abandon_share"] * merged["tickets"]
    ss = merged.groupby(keys, sort=True)[["r_share", "r_ab"]].apply(lambda g: (g**2).sum())
    mean_t = tot["tickets"] / reps
    denom = np.sqrt(max(reps * (reps - 1), 1)) * mean_t
    tot["share_se"] = np.sqrt(ss["r_share"]) / denom
    tot["abandon_se"] = np.sqrt(ss["r_ab"]) / denom
    return tot.reset_index()

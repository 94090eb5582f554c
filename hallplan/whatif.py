"""What-if comparison: a base hall against variants, side by side, with confidence intervals.

Every variant is simulated with the same seed and replication keys as the base. When a
variant runs on the same date, replication *r* of both sees the same customers (common
random numbers, :mod:`hallplan.sim.streams`), so the difference is estimated *paired*:
d_r = x_variant,r − x_base,r, mean ± t_{0.975, n−1}·s_d/√n. A variant on another date (a
month-start or holiday what-if) has other customers, and its difference uses Welch's
unpaired interval instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hallplan.sim.intervals import diff_ci, mean_ci
from hallplan.sim.loader import read_layers, scenario_from_layers
from hallplan.sim.replicate import Results, simulate
from hallplan.sim.scenario import Scenario

# (label, how to read it from day_kpis: group_kind, group, metric, scale)
METRICS: tuple[tuple[str, str, str, str, float], ...] = (
    ("visits", "hall", "all", "arrivals", 1.0),
    ("counter tickets", "hall", "all", "tickets", 1.0),
    ("served at kiosks", "hall", "all", "served_at_kiosk", 1.0),
    ("called within target (%)", "hall", "all", "share_called_within_target", 100.0),
    ("mean wait (min)", "hall", "all", "mean_wait_min", 1.0),
    ("p90 wait (min)", "hall", "all", "p90_wait_min", 1.0),
    ("abandoned (%)", "hall", "all", "abandon_share", 100.0),
    ("VIP within target (%)", "customer_class", "vip", "share_called_within_target", 100.0),
)


@dataclass(frozen=True)
class WhatIfRun:
    name: str
    scenario: Scenario
    results: Results


def load_variant(base_path: Path, variant_path: Path) -> Scenario:
    """The variant's settings over the base (a variant that ``extends`` another file keeps
    its own chain; whatever it sets wins). A problem names the file that set the key."""
    return scenario_from_layers([*read_layers(Path(variant_path)), *read_layers(Path(base_path))])


def _per_rep(results: Results) -> pd.DataFrame:
    """One row per replication, one column per comparison metric (incl. staff-hours)."""
    d = results.day_kpis
    cols = {}
    for label, kind, group, metric, scale in METRICS:
        m = d[(d["group_kind"] == kind) & (d["group"] == group) & (d["metric"] == metric)]
        cols[label] = m.set_index("rep")["value"] * scale
    posts = [*results.scenario.lanes, "greeter"]
    sh = d[(d["group_kind"] == "post") & d["group"].isin(posts) & (d["metric"] == "staff_hours")]
    cols["staff-hours"] = sh.groupby("rep")["value"].sum()
    return pd.DataFrame(cols).sort_index()


def _ci(values: np.ndarray) -> tuple[float, float]:
    ci = mean_ci(values)
    return ci.mean, ci.half_width


def _diff_ci(base: np.ndarray, var: np.ndarray, paired: bool) -> tuple[float, float]:
    ci = diff_ci(base, var, paired=paired)
    return ci.mean, ci.half_width


def compare(base: WhatIfRun, variants: list[WhatIfRun]) -> pd.DataFrame:
    """Long table: scenario, metric, mean, ci, diff_vs_base, diff_ci, paired."""
    b = _per_rep(base.results)
    rows = []
    for run in [base, *variants]:
        v = _per_rep(run.results)
        paired = run is base or run.results.dates == base.results.dates
        for metric in v.columns:
            mean, hw = _ci(v[metric].to_numpy(float))
            if run is base:
                diff, dhw = 0.0, 0.0
            else:
                diff, dhw = _diff_ci(b[metric].to_numpy(float), v[metric].to_numpy(float), paired)
            rows.append(
                {
                    "scenario": run.name,
                    "date": run.results.dates[0],
                    "metric": metric,
                    "mean": mean,
                    "ci_half_width": hw,
                    "diff_vs_base": diff,
                    "diff_ci_half_width": dhw,
                    "paired": paired,
                }
            )
    return pd.DataFrame(rows)


def run_whatif(
    base_path: Path,
    variant_paths: list[Path],
    reps: int,
    seed: int,
    date: dt.date | None = None,
    workers: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[WhatIfRun, list[WhatIfRun]]:
    from hallplan.sim.loader import load_scenario

    def run(name: str, scenario: Scenario) -> WhatIfRun:
        day = date or scenario.reference_date
        res = simulate(
            scenario,
            dates=[day],
            reps=reps,
            seed=seed,
            workers=workers,
            keep_customers=False,
            progress=(lambda d, t: progress(name, d, t)) if progress else None,
        )
        return WhatIfRun(name, scenario, res)

    base = run(Path(base_path).stem, load_scenario(base_path))
    variants = [run(Path(p).stem, load_variant(base_path, p)) for p in variant_paths]
    return base, variants

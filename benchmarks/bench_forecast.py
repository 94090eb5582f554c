"""Backtest table: seasonal-naive baseline vs the calendar models, on generated and real data.

    .venv/bin/python benchmarks/bench_forecast.py [--months 4] [--start 2025-01-01]
        [--end 2026-10-31] [--seed 0] [--no-gbm]

Generated: ticket logs of the flagship hall simulated by ``hallplan.forecast.generator``
(cached under
``~/.cache/hallplan``), daily counts per service type and class (one model per series).
Real: the Anonymous Bank 6-minute arrivals, January–October 1999, Israeli calendar, the
half-valued 1999-05-23 left out; intervals scored at 30 minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hallplan.forecast.backtest import (  # noqa: E402
    BANK_OUTLIER_DATES,
    load_bank_arrivals,
    rolling_origin,
)
from hallplan.forecast.generator import generate_history  # noqa: E402
from hallplan.forecast.models import (  # noqa: E402
    CalendarGBMForecaster,
    CalendarPoissonForecaster,
    SeasonalNaiveForecaster,
)
from hallplan.sim.loader import load_scenario  # noqa: E402

BANK = ROOT / "tests" / "data" / "anonymous_bank_arrivals_6min_1999-01_to_10.csv.gz"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "hallplan"


def models(calendar: str, gbm: bool) -> dict:
    out = {
        "seasonal_naive": SeasonalNaiveForecaster(),
        "poisson_glm": CalendarPoissonForecaster(calendar=calendar),
    }
    if gbm:
        out["gbm"] = CalendarGBMForecaster(calendar=calendar, random_state=0)
    return out


def generated(args) -> pd.DataFrame:
    scenario = load_scenario(ROOT / "scenarios" / "flagship_city_centre.toml")
    t = time.time()
    log = generate_history(scenario, args.start, args.end, seed=args.seed, cache_dir=CACHE)
    print(
        f"generated history: {len(log):,} visits, {args.start}..{args.end} "
        f"({time.time() - t:.1f} s incl. cache)"
    )
    log["date"] = log["ticket_time"].dt.date
    daily = log.groupby(["date", "service_type", "customer_class"], as_index=False).size()
    daily = daily.rename(columns={"size": "visits"})
    minute = log["ticket_time"].dt.hour * 60 + log["ticket_time"].dt.minute
    log["interval_start_min"] = (minute // scenario.interval_min) * scenario.interval_min
    iv = log.groupby(["date", "interval_start_min"], as_index=False).size()
    iv = iv.rename(columns={"size": "visits"})
    res = rolling_origin(
        daily, iv, models("china", args.gbm), calendar="china", n_months=args.months
    )
    return res.summary().assign(data="generated flagship")


def real(args) -> pd.DataFrame:
    daily, iv = load_bank_arrivals(BANK)
    res = rolling_origin(
        daily,
        iv,
        models("israel", args.gbm),
        calendar="israel",
        n_months=args.months,
        exclude_dates=BANK_OUTLIER_DATES,
        interval_min=30,
    )
    return res.summary().assign(data="anonymous bank 1999")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--months", type=int, default=4)
    p.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2025, 1, 1))
    p.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 10, 31))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-gbm", dest="gbm", action="store_false")
    args = p.parse_args()
    t = time.time()
    table = pd.concat([generated(args), real(args)], ignore_index=True)
    table = table[
        ["data", "model", "days", "daily_wape", "daily_mape", "interval_wape", "interval_mape"]
    ]
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 120):
        print(f"\nrolling-origin backtest, last {args.months} months, month-ahead forecasts")
        print(table.to_string(index=False))
    for data, g in table.groupby("data"):
        base = g.loc[g["model"] == "seasonal_naive", "daily_wape"].iloc[0]
        glm = g.loc[g["model"] == "poisson_glm", "daily_wape"].iloc[0]
        verdict = "beats" if glm < base else "DOES NOT beat"
        print(f"{data}: poisson_glm daily WAPE {glm:.3f} {verdict} seasonal-naive {base:.3f}")
    print(f"({time.time() - t:.1f} s)")


if __name__ == "__main__":
    main()

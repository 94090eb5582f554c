"""Rolling-origin backtest: forecast each of the last months from the data before it.

For every origin (the first day of each of the last ``n_months`` months) each model is fitted
on all days before the origin and forecasts every day of that month (a month-ahead plan, as
the five tables need). Daily totals are the sum of the per-series forecasts (one model per
service type and class when the data have series). Interval forecasts split the daily total
by the intraday profile of the day type learnt before the origin; the seasonal-naive baseline
copies the intervals of the day it copies. Metrics:

- WAPE = Σ|actual − forecast| / Σ actual (pooled over the days/intervals of the fold);
- MAPE = mean |actual − forecast| / actual over days/intervals with actual > 0
  (intervals with fewer than ``min_interval_actual`` visits are left out of interval MAPE,
  where a single visit would dominate it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from hallplan.forecast.calendars import _as_dates
from hallplan.forecast.models import IntradayProfile, SeasonalNaiveForecaster


def wape(actual, forecast) -> float:
    a, f = np.asarray(actual, float), np.asarray(forecast, float)
    return float(np.abs(a - f).sum() / a.sum()) if a.sum() > 0 else float("nan")


def mape(actual, forecast, min_actual: float = 1e-9) -> float:
    a, f = np.asarray(actual, float), np.asarray(forecast, float)
    ok = a >= max(min_actual, 1e-9)
    return float(np.mean(np.abs(a[ok] - f[ok]) / a[ok])) if ok.any() else float("nan")


@dataclass(frozen=True)
class BacktestResult:
    folds: pd.DataFrame  # origin, model, n_days, daily_wape, daily_mape, interval_wape, ...
    daily: pd.DataFrame  # origin, model, date, actual, forecast

    def summary(self) -> pd.DataFrame:
        """Per model: metrics pooled over every forecast day (WAPE) / averaged (MAPE)."""
        rows = []
        for model, g in self.daily.groupby("model", sort=False):
            f = self.folds[self.folds["model"] == model]
            rows.append(
                {
                    "model": model,
                    "days": len(g),
                    "daily_wape": wape(g["actual"], g["forecast"]),
                    "daily_mape": mape(g["actual"], g["forecast"]),
                    "interval_wape": float(
                        np.average(f["interval_wape"], weights=f["actual_total"])
                    ),
                    "interval_mape": float(f["interval_mape"].mean()),
                }
            )
        return pd.DataFrame(rows)


def _wide(daily: pd.DataFrame) -> pd.DataFrame:
    d = daily.copy()
    d["date"] = _as_dates(d["date"])
    keys = [c for c in ("service_type", "customer_class") if c in d.columns]
    if keys:
        return d.pivot_table(
            index="date", columns=keys, values="visits", aggfunc="sum", fill_value=0
        ).sort_index()
    return d.groupby("date")["visits"].sum().to_frame("total").sort_index()


def month_origins(dates, n_months: int) -> list[dt.date]:
    """First days of the last ``n_months`` complete-start months in ``dates``."""
    firsts = sorted({dt.date(d.year, d.month, 1) for d in dates if d.day == 1})
    return firsts[-n_months:]


def rolling_origin(
    daily: pd.DataFrame,
    intervals: pd.DataFrame,
    models: dict[str, object],
    *,
    calendar="china",
    n_months: int = 4,
    exclude_dates=(),
    interval_min: int | None = None,
    min_interval_actual: float = 5.0,
    recent_days: int = 40,
) -> BacktestResult:
    """Backtest ``models`` (name -> unfitted daily forecaster) on ``daily`` (date[,
    service_type, customer_class], visits) and ``intervals`` (date, interval_start_min,
    visits). ``exclude_dates`` are outliers left out of training and scoring.
    ``interval_min`` re-aggregates the intervals (e.g. 6-minute slots to 30 minutes)."""
    excl = set(_as_dates(exclude_dates)) if len(exclude_dates) else set()
    wide = _wide(daily)
    wide = wide[~wide.index.isin(excl)]
    iv = intervals.copy()
    iv["date"] = _as_dates(iv["date"])
    if interval_min is not None:
        iv["interval_start_min"] = (iv["interval_start_min"] // interval_min) * interval_min
    iv = iv.groupby(["date", "interval_start_min"], as_index=False)["visits"].sum()
    iv = iv[~iv["date"].isin(excl)]
    iv_wide = iv.pivot_table(
        index="date", columns="interval_start_min", values="visits", aggfunc="sum", fill_value=0
    )
    grid = np.asarray(iv_wide.columns, dtype=float)
    fold_rows, day_rows = [], []
    for origin in month_origins(list(wide.index), n_months):
        end = (pd.Timestamp(origin) + pd.offsets.MonthEnd(0)).date()
        train = wide[wide.index < origin]
        test = wide[(wide.index >= origin) & (wide.index <= end)]
        if len(train) < 28 or test.empty:
            continue
        tdates, fdates = list(train.index), list(test.index)
        actual = test.sum(axis=1).to_numpy(dtype=float)
        profile = IntradayProfile(calendar=calendar, recent_days=recent_days).fit(
            iv[iv["date"] < origin], grid
        )
        act_iv = iv_wide.reindex(index=fdates, columns=grid, fill_value=0).to_numpy(float)
        for name, proto in models.items():
            fc = np.zeros(len(fdates))
            naive_src = None
            for col in train.columns:
                est = clone(proto).fit(tdates, train[col].to_numpy(dtype=float))
                fc += np.clip(est.predict(fdates), 0, None)
                if isinstance(est, SeasonalNaiveForecaster) and naive_src is None:
                    naive_src = est.source_dates(fdates)
            if naive_src is not None:
                fc_iv = np.vstack(
                    [
                        iv_wide.reindex(index=[s], columns=grid, fill_value=0).to_numpy(float)[0]
                        if s is not None
                        else fc[i] * profile.pooled_
                        for i, s in enumerate(naive_src)
                    ]
                )
            else:
                fc_iv = np.vstack([fc[i] * profile.shares(d) for i, d in enumerate(fdates)])
            fold_rows.append(
                {
                    "origin": origin,
                    "model": name,
                    "n_days": len(fdates),
                    "actual_total": float(actual.sum()),
                    "daily_wape": wape(actual, fc),
                    "daily_mape": mape(actual, fc),
                    "interval_wape": wape(act_iv.ravel(), fc_iv.ravel()),
                    "interval_mape": mape(act_iv.ravel(), fc_iv.ravel(), min_interval_actual),
                }
            )
            day_rows.append(
                pd.DataFrame(
                    {
                        "origin": origin,
                        "model": name,
                        "date": fdates,
                        "actual": actual,
                        "forecast": fc,
                    }
                )
            )
    return BacktestResult(pd.DataFrame(fold_rows), pd.concat(day_rows, ignore_index=True))


# --------------------------------------------------------------------------- real data

BANK_OUTLIER_DATES = (dt.date(1999, 5, 23),)


def load_bank_arrivals(path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Anonymous Bank 6-minute arrivals as (daily: date, visits) and (intervals: date,
    interval_start_min, visits)."""
    raw = pd.read_csv(path)
    raw["date"] = pd.to_datetime(raw["date"]).dt.date
    intervals = pd.DataFrame(
        {
            "date": raw["date"],
            "interval_start_min": raw["slot_6min"] * 6,
            "visits": raw["calls"].astype(float),
        }
    )
    daily = intervals.groupby("date", as_index=False)["visits"].sum()
    return daily, intervals


__all__ = [
    "BANK_OUTLIER_DATES",
    "BacktestResult",
    "load_bank_arrivals",
    "mape",
    "month_origins",
    "rolling_origin",
    "wape",
]

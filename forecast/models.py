"""Forecasters of daily visits, and the intraday split into a ``hallplan.sim.demand.Demand``.

Every daily forecaster follows the scikit-learn contract (style.md §1.7, item 14):
``__init__`` only stores hyperparameters; ``fit(X, y)`` validates and learns attributes ending
in ``_``; ``predict(X)`` checks that the model is fitted; ``random_state`` is turned into a
generator in ``fit``. ``X`` is a sequence of dates (or a frame with a ``date`` column), ``y``
the visits on those dates; ``predict(X)`` takes the dates to forecast.
``predict_interval(X, coverage)`` gives (lo, hi) from the empirical ratio of actual to fitted
values in the training data.

- :class:`SeasonalNaiveForecaster` — the baseline: the last observed value on the same weekday
  (``season_days=7``; 364 gives "same weekday last year").
- :class:`CalendarPoissonForecaster` — a Poisson GLM (log link) on weekday, month-start
  billing days, holiday / semi-holiday / pre- / post-holiday / make-up day, event flags and a
  linear trend.
- :class:`CalendarGBMForecaster` — the same features in a Poisson gradient-boosting model
  (no trend extrapolation; for comparison).

:class:`IntradayProfile` learns per-day-type interval shares; :class:`DemandForecaster`
fits one daily forecaster per (service type, customer class) and turns their sum into a
``Demand`` for a set of dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from hallplan.forecast.calendars import FEATURE_FLAGS, Calendar, _as_dates, get_calendar
from hallplan.sim.demand import DEMAND_COLUMNS, Demand


def as_dates(X) -> list[dt.date]:
    """Dates from a sequence, an Index/Series of dates or a frame with a ``date`` column."""
    if isinstance(X, pd.DataFrame):
        if "date" not in X.columns:
            raise ValueError("X must have a 'date' column")
        X = X["date"]
    if isinstance(X, (dt.date, str, pd.Timestamp)):
        raise ValueError("X must be a sequence of dates, not a single date")
    dates = _as_dates(list(X))
    if not dates:
        raise ValueError("X holds no dates")
    return dates


def _check_xy(X, y) -> tuple[list[dt.date], np.ndarray]:
    dates = as_dates(X)
    yv = np.asarray(y, dtype=float).ravel()
    if len(yv) != len(dates):
        raise ValueError(f"X has {len(dates)} dates but y has {len(yv)} values")
    if not np.all(np.isfinite(yv)) or (yv < 0).any():
        raise ValueError("y must be finite counts >= 0")
    if len(set(dates)) != len(dates):
        raise ValueError("X has repeated dates")
    return dates, yv


def _ratio_bounds(y: np.ndarray, fitted: np.ndarray, coverage: float) -> tuple[float, float]:
    ok = fitted > 0
    if not ok.any():
        return 1.0, 1.0
    r = y[ok] / fitted[ok]
    a = (1 - coverage) / 2
    return float(np.quantile(r, a)), float(np.quantile(r, 1 - a))


class _IntervalMixin:
    def predict_interval(self, X, coverage: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds holding ``coverage`` of the training ratios actual/fitted."""
        check_is_fitted(self)
        if not 0 < coverage < 1:
            raise ValueError("coverage must be in (0, 1)")
        mean = self.predict(X)
        lo, hi = _ratio_bounds(self.train_y_, self.train_fitted_, coverage)
        return mean * min(lo, 1.0), mean * max(hi, 1.0)


class SeasonalNaiveForecaster(_IntervalMixin, BaseEstimator):
    """Value of the last observed date ``season_days × k`` days earlier (smallest k reaching
    into the training data; dates missing from it, e.g. removed outliers, are skipped).

    Parameters
    ----------
    season_days : int, default 7
        7 = same weekday last week; 364 = same weekday a year ago (falls back to 7 when the
        history is shorter).
    """

    def __init__(self, season_days: int = 7):
        self.season_days = season_days

    def fit(self, X, y) -> SeasonalNaiveForecaster:
        dates, yv = _check_xy(X, y)
        if int(self.season_days) < 1:
            raise ValueError("season_days must be >= 1")
        self.history_ = dict(zip(dates, yv, strict=True))
        self.last_date_ = max(dates)
        self.first_date_ = min(dates)
        self.season_ = int(self.season_days)
        if (self.last_date_ - self.first_date_).days < self.season_:
            self.season_ = 7
        # in-sample one-season-ahead errors give the interval ratios
        src = [self._source(d, strict_before=True) for d in dates]
        keep = [s is not None for s in src]
        self.train_y_ = yv[keep]
        self.train_fitted_ = np.array([self.history_[s] for s in src if s is not None])
        if not len(self.train_y_):
            self.train_y_, self.train_fitted_ = yv, yv
        return self

    def _source(self, d: dt.date, strict_before: bool = False) -> dt.date | None:
        step = dt.timedelta(days=self.season_)
        if strict_before:
            s = d - step
        else:
            k = max(1, -(-(d - self.last_date_).days // self.season_))
            s = d - k * step
        while s >= self.first_date_:
            if s in self.history_ and s <= self.last_date_:
                return s
            s -= step
        return None

    def source_dates(self, X) -> list[dt.date | None]:
        """The training date each forecast copies (for interval-level naive forecasts)."""
        check_is_fitted(self)
        return [self._source(d) for d in as_dates(X)]

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self)
        out = []
        for s in self.source_dates(X):
            out.append(self.history_[s] if s is not None else np.mean(self.train_y_))
        return np.asarray(out, dtype=float)


class _CalendarFeatures:
    """Design matrix shared by the calendar models."""

    def _features(self, dates: list[dt.date]) -> pd.DataFrame:
        cal: Calendar = self.calendar_
        f = cal.frame(dates)
        X = pd.DataFrame(index=range(len(dates)))
        for k in range(7):
            X[f"dow_{k}"] = (f["dow"] == k).astype(float)
        for k in range(1, int(self.month_start_days) + 1):
            X[f"dom_{k}"] = (f["dom"] == k).astype(float)
        X["month_end"] = (f["days_to_month_end"] < 3).astype(float)
        for flag in FEATURE_FLAGS:
            X[flag] = f[flag].astype(float)
        weekend = f["dow"].isin(cal.weekend_days()).astype(float)
        X["holiday_x_weekend"] = X["holiday"] * weekend
        X["holiday_x_month_start"] = X["holiday"] * (f["dom"] <= self.month_start_days)
        if self.trend:
            X["trend"] = [(d - self.origin_).days / 365.25 for d in dates]
        for k in range(1, int(self.yearly_fourier) + 1):
            doy = np.array([d.timetuple().tm_yday for d in dates]) / 365.25
            X[f"sin_{k}"] = np.sin(2 * np.pi * k * doy)
            X[f"cos_{k}"] = np.cos(2 * np.pi * k * doy)
        return X

    def _window(self, dates, yv):
        if self.history_days is None:
            return dates, yv
        cut = max(dates) - dt.timedelta(days=int(self.history_days))
        keep = np.array([d > cut for d in dates])
        return [d for d, k in zip(dates, keep, strict=True) if k], yv[keep]

    def _start_fit(self, X, y) -> tuple[pd.DataFrame, np.ndarray]:
        """The checked training window and its design matrix. Until the subclass fits a
        model, there is none: a history of zeros forecasts zero."""
        dates, yv = _check_xy(X, y)
        dates, yv = self._window(dates, yv)
        self.calendar_ = get_calendar(self.calendar)
        self.origin_ = min(dates)
        self.last_date_ = max(dates)
        feats = self._features(dates)
        self.feature_names_ = list(feats.columns)
        self.model_ = None
        self.train_y_, self.train_fitted_ = yv, np.zeros_like(yv)
        return feats, yv

    def _predict_matrix(self, M: np.ndarray) -> np.ndarray:
        return self.model_.predict(M)

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self)
        dates = as_dates(X)
        if self.model_ is None:
            return np.zeros(len(dates))
        with threadpool_limits(1):  # tiny problems: threads only add contention
            return self._predict_matrix(self._features(dates).to_numpy())


class CalendarPoissonForecaster(_IntervalMixin, _CalendarFeatures, BaseEstimator):
    """Poisson GLM: log(visits) = weekday + month-start day + holiday, eve, after-holiday,
    make-up day, event effects + trend (scikit-learn ``PoissonRegressor``).

    Parameters
    ----------
    calendar : str or Calendar, default "china"
    alpha : float, default 1e-4
        L2 penalty (keeps rare flags such as a single 5.17 day from exploding).
    month_start_days : int, default 5
        Days 1..n of the month each get their own effect (billing peak).
    trend : bool, default True
    yearly_fourier : int, default 0
        Annual Fourier terms (only worth it with two or more years of history).
    history_days : int or None, default None
        Train on the last n days only.
    """

    def __init__(
        self,
        calendar="china",
        alpha: float = 1e-4,
        month_start_days: int = 5,
        trend: bool = True,
        yearly_fourier: int = 0,
        history_days: int | None = None,
    ):
        self.calendar = calendar
        self.alpha = alpha
        self.month_start_days = month_start_days
        self.trend = trend
        self.yearly_fourier = yearly_fourier
        self.history_days = history_days

    def fit(self, X, y) -> CalendarPoissonForecaster:
        from sklearn.linear_model import PoissonRegressor

        if self.alpha < 0:
            raise ValueError("alpha must be >= 0")
        feats, yv = self._start_fit(X, y)
        self.scale_ = max(float(yv.mean()), 1e-9)
        if yv.sum() == 0:
            return self
        # fit y / scale: the optimiser is better conditioned and the penalty scale-free
        model = PoissonRegressor(alpha=self.alpha, max_iter=1000)
        with threadpool_limits(1):  # tiny problems: threads only add contention
            model.fit(feats.to_numpy(), yv / self.scale_)
        self.model_ = model
        self.coef_ = pd.Series(model.coef_, index=self.feature_names_)
        self.train_fitted_ = model.predict(feats.to_numpy()) * self.scale_
        return self

    def _predict_matrix(self, M: np.ndarray) -> np.ndarray:
        return self.model_.predict(M) * self.scale_


class CalendarGBMForecaster(_IntervalMixin, _CalendarFeatures, BaseEstimator):
    """Poisson gradient boosting on the calendar features (``HistGradientBoostingRegressor``);
    the trend enters as a feature but trees cannot extrapolate it.

    Parameters
    ----------
    calendar, month_start_days, history_days : as :class:`CalendarPoissonForecaster`
    max_iter : int, default 200
    learning_rate : float, default 0.05
    random_state : int, Generator-compatible or None, default None
    """

    def __init__(
        self,
        calendar="china",
        month_start_days: int = 5,
        max_iter: int = 200,
        learning_rate: float = 0.05,
        history_days: int | None = None,
        random_state=None,
    ):
        self.calendar = calendar
        self.month_start_days = month_start_days
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.history_days = history_days
        self.random_state = random_state

    trend = True
    yearly_fourier = 0

    def fit(self, X, y) -> CalendarGBMForecaster:
        from sklearn.ensemble import HistGradientBoostingRegressor

        feats, yv = self._start_fit(X, y)
        seed = int(check_random_state(self.random_state).randint(0, 2**31 - 1))
        if yv.sum() == 0:
            return self
        self.model_ = HistGradientBoostingRegressor(
            loss="poisson",
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            min_samples_leaf=5,
            random_state=seed,
        )
        with threadpool_limits(1):  # tiny problems: threads only add contention
            self.model_.fit(feats.to_numpy(), yv)
            self.train_fitted_ = self.model_.predict(feats.to_numpy())
        return self


FORECASTERS = {
    "seasonal_naive": SeasonalNaiveForecaster,
    "poisson_glm": CalendarPoissonForecaster,
    "gbm": CalendarGBMForecaster,
}


# --------------------------------------------------------------------------- intraday


class IntradayProfile(BaseEstimator):
    """Share of a day's visits in each interval, per day type.

    For each day type the shares are the pooled counts of the last ``recent_days`` days of
    that type (all of them for rarer types), falling back to all days pooled when a type has
    fewer than ``min_days`` days of history.
    """

    def __init__(self, calendar="china", recent_days: int = 40, min_days: int = 3):
        self.calendar = calendar
        self.recent_days = recent_days
        self.min_days = min_days

    def fit(self, counts: pd.DataFrame, grid: Sequence[float] | None = None) -> IntradayProfile:
        """``counts``: date, interval_start_min, visits. ``grid``: interval starts to cover
        (defaults to those seen)."""
        need = {"date", "interval_start_min", "visits"}
        if not need <= set(counts.columns):
            raise ValueError(f"counts needs columns {sorted(need)}")
        cal = get_calendar(self.calendar)
        c = counts.copy()
        c["date"] = _as_dates(c["date"])
        self.grid_ = np.asarray(
            sorted(grid) if grid is not None else sorted(c["interval_start_min"].unique()),
            dtype=float,
        )
        wide = c.pivot_table(
            index="date", columns="interval_start_min", values="visits", aggfunc="sum", fill_value=0
        ).reindex(columns=self.grid_, fill_value=0)
        types = pd.Series({d: cal.day_type(d) for d in wide.index})
        self.shares_: dict[str, np.ndarray] = {}
        self.days_used_: dict[str, int] = {}
        total = wide.sum(axis=0).to_numpy(dtype=float)
        self.pooled_ = (
            total / total.sum()
            if total.sum() > 0
            else np.full(len(self.grid_), 1 / len(self.grid_))
        )
        for t in sorted(set(types)):
            days = sorted(types.index[types == t])[-int(self.recent_days) :]
            if len(days) < self.min_days:
                continue
            s = wide.loc[days].sum(axis=0).to_numpy(dtype=float)
            if s.sum() > 0:
                self.shares_[t] = s / s.sum()
                self.days_used_[t] = len(days)
        self.calendar_ = cal
        return self

    def shares(self, date: dt.date) -> np.ndarray:
        check_is_fitted(self)
        return self.shares_.get(self.calendar_.day_type(date), self.pooled_)

    def split(self, dates: Sequence[dt.date], daily: np.ndarray) -> pd.DataFrame:
        """Long frame date, interval_start_min, visits = daily × share."""
        rows = []
        for d, v in zip(dates, daily, strict=True):
            rows.append(
                pd.DataFrame(
                    {"date": d, "interval_start_min": self.grid_, "visits": v * self.shares(d)}
                )
            )
        return pd.concat(rows, ignore_index=True)


# --------------------------------------------------------------------------- per series


class DemandForecaster(BaseEstimator):
    """One daily forecaster per (service type, customer class), plus an intraday profile.

    ``fit(daily, intervals, grid)``: ``daily`` has date, service_type, customer_class, visits
    (missing combinations count as 0 on days with any visits); ``intervals`` has date,
    interval_start_min, visits (all series pooled).
    """

    def __init__(
        self,
        estimator=None,
        calendar="china",
        coverage: float = 0.8,
        recent_days: int = 40,
        exclude_dates: tuple = (),
    ):
        self.estimator = estimator
        self.calendar = calendar
        self.coverage = coverage
        self.recent_days = recent_days
        self.exclude_dates = exclude_dates

    def _base(self):
        if self.estimator is None:
            return CalendarPoissonForecaster(calendar=self.calendar)
        return self.estimator

    def fit(
        self, daily: pd.DataFrame, intervals: pd.DataFrame, grid: Sequence[float] | None = None
    ) -> DemandForecaster:
        d = daily.copy()
        d["date"] = _as_dates(d["date"])
        excl = set(_as_dates(self.exclude_dates)) if len(self.exclude_dates) else set()
        d = d[~d["date"].isin(excl)]
        wide = d.pivot_table(
            index="date",
            columns=["service_type", "customer_class"],
            values="visits",
            aggfunc="sum",
            fill_value=0,
        ).sort_index()
        all_dates = pd.date_range(min(wide.index), max(wide.index)).date
        # days without a single visit are closures (or missing files): not zeros to learn
        dates = list(wide.index)
        self.train_start_, self.train_end_ = min(dates), max(dates)
        self.missing_days_ = len(all_dates) - len(dates) - len(excl & set(all_dates))
        self.models_ = {}
        for key in wide.columns:
            est = clone(self._base())
            est.fit(dates, wide[key].to_numpy(dtype=float))
            self.models_[(str(key[0]), str(key[1]))] = est
        total = clone(self._base()).fit(dates, wide.sum(axis=1).to_numpy(dtype=float))
        self.total_model_ = total
        iv = intervals.copy()
        iv["date"] = _as_dates(iv["date"])
        iv = iv[~iv["date"].isin(excl)]
        self.profile_ = IntradayProfile(calendar=self.calendar, recent_days=self.recent_days).fit(
            iv, grid
        )
        return self

    def predict_daily(self, dates: Sequence[dt.date]) -> pd.DataFrame:
        """Per date and series: visits; plus per-date total with lo/hi bounds."""
        check_is_fitted(self)
        dates = as_dates(dates)
        parts = []
        for (st, cc), est in self.models_.items():
            parts.append(
                pd.DataFrame(
                    {
                        "date": dates,
                        "service_type": st,
                        "customer_class": cc,
                        "visits": np.clip(est.predict(dates), 0, None),
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)

    def predict_totals(self, dates: Sequence[dt.date]) -> pd.DataFrame:
        """Daily total (sum of the series), with bounds scaled from the total model's
        interval, and the day type."""
        dates = as_dates(dates)
        per = self.predict_daily(dates)
        tot = per.groupby("date", sort=True)["visits"].sum().reindex(dates).to_numpy()
        lo, hi = self.total_model_.predict_interval(dates, self.coverage)
        mid = np.maximum(self.total_model_.predict(dates), 1e-9)
        cal = get_calendar(self.calendar)
        return pd.DataFrame(
            {
                "date": dates,
                "visits": tot,
                "lo": tot * lo / mid,
                "hi": tot * hi / mid,
                "day_type": [cal.day_type(d) for d in dates],
            }
        )

    def predict_demand(self, dates: Sequence[dt.date], interval_min: int) -> Demand:
        """A ``hallplan.sim.demand.Demand``: each series' daily visits split by the day type's
        intraday shares, as arrivals per hour."""
        dates = as_dates(dates)
        per = self.predict_daily(dates)
        grid = self.profile_.grid_
        shares = {d: self.profile_.shares(d) for d in dates}
        rows = []
        for r in per.itertuples(index=False):
            v = r.visits * shares[r.date]
            rows.append(
                pd.DataFrame(
                    {
                        "date": r.date,
                        "interval_start_min": grid,
                        "service_type": r.service_type,
                        "customer_class": r.customer_class,
                        "rate_per_hour": v / interval_min * 60.0,
                    }
                )
            )
        table = pd.concat(rows, ignore_index=True).loc[:, list(DEMAND_COLUMNS)]
        return Demand(interval_min, table, source=f"forecast:{type(self._base()).__name__}")


__all__ = [
    "FORECASTERS",
    "CalendarGBMForecaster",
    "CalendarPoissonForecaster",
    "DemandForecaster",
    "IntradayProfile",
    "NotFittedError",
    "SeasonalNaiveForecaster",
    "as_dates",
]

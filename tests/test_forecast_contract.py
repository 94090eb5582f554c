"""One contract test over every forecaster, baseline included (style.md §1.7, item 14)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from hallplan.forecast.models import (
    CalendarGBMForecaster,
    CalendarPoissonForecaster,
    SeasonalNaiveForecaster,
)

FORECASTERS = [
    SeasonalNaiveForecaster(),
    SeasonalNaiveForecaster(season_days=364),
    CalendarPoissonForecaster(),
    CalendarPoissonForecaster(calendar="israel", trend=False, history_days=90),
    CalendarGBMForecaster(max_iter=30, random_state=0),
]


def _ids(est) -> str:
    return f"{type(est).__name__}({','.join(f'{k}={v}' for k, v in est.get_params().items())})"


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(5)
    dates = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(150)]
    level = np.array(
        [100 * (1.2 if d.weekday() >= 5 else 1.0) * (1.3 if d.day <= 3 else 1.0) for d in dates]
    )
    return dates, rng.poisson(level).astype(float)


FUTURE = [dt.date(2026, 6, 1) + dt.timedelta(days=i) for i in range(30)]


@pytest.mark.parametrize("est", FORECASTERS, ids=_ids)
def test_init_stores_params_only(est):
    params = est.get_params()
    fresh = type(est)(**params)
    assert fresh.get_params() == params
    assert not [a for a in vars(fresh) if a.endswith("_")]
    assert clone(est).get_params() == params
    fresh.set_params(**params)


@pytest.mark.parametrize("est", FORECASTERS, ids=_ids)
def test_predict_before_fit_raises(est):
    with pytest.raises(NotFittedError):
        clone(est).predict(FUTURE)


@pytest.mark.parametrize("est", FORECASTERS, ids=_ids)
def test_fit_predict(est, series):
    dates, y = series
    y_before = y.copy()
    model = clone(est)
    assert model.fit(dates, y) is model
    assert np.array_equal(y, y_before)  # inputs untouched
    assert any(a.endswith("_") for a in vars(model))
    pred = model.predict(FUTURE)
    assert pred.shape == (30,)
    assert np.all(np.isfinite(pred)) and np.all(pred >= 0)
    lo, hi = model.predict_interval(FUTURE, coverage=0.8)
    assert np.all(lo <= pred + 1e-9) and np.all(pred <= hi + 1e-9)
    # the level is right within reason
    assert 70 < pred.mean() < 150
    # a clone of a fitted model is unfitted
    with pytest.raises(NotFittedError):
        clone(model).predict(FUTURE)


@pytest.mark.parametrize("est", FORECASTERS, ids=_ids)
def test_fit_twice_gives_identical_model(est, series):
    dates, y = series
    a = clone(est).fit(dates, y).predict(FUTURE)
    b = clone(est).fit(dates, y).predict(FUTURE)
    m = clone(est)
    c = m.fit(dates, y).predict(FUTURE)
    d = m.fit(dates, y).predict(FUTURE)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(c, d)
    np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("est", FORECASTERS, ids=_ids)
def test_fit_validates_input(est, series):
    dates, y = series
    with pytest.raises(ValueError, match="dates but y has"):
        clone(est).fit(dates, y[:-1])
    bad = y.copy()
    bad[3] = -1
    with pytest.raises(ValueError, match="finite counts"):
        clone(est).fit(dates, bad)
    with pytest.raises(ValueError, match="repeated dates"):
        clone(est).fit([*dates[:-1], dates[0]], y)


@pytest.mark.parametrize("est", FORECASTERS, ids=_ids)
def test_accepts_frame_with_date_column(est, series):
    import pandas as pd

    dates, y = series
    model = clone(est).fit(pd.DataFrame({"date": dates}), y)
    np.testing.assert_allclose(
        model.predict(pd.DataFrame({"date": FUTURE})), clone(est).fit(dates, y).predict(FUTURE)
    )

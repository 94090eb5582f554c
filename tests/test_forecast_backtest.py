"""History generator, backtest reproducibility and the monthly forecast."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hallplan.forecast.backtest import (
    BANK_OUTLIER_DATES,
    load_bank_arrivals,
    rolling_origin,
    wape,
)
from hallplan.forecast.calendars import ChinaCalendar
from hallplan.forecast.five_tables import forecast_month
from hallplan.forecast.generator import HistoryEffects, day_multipliers, generate_history
from hallplan.forecast.models import (
    CalendarGBMForecaster,
    CalendarPoissonForecaster,
    SeasonalNaiveForecaster,
)
from hallplan.forecast.store import HistoryStore, import_ticket_log
from hallplan.forecast.ticket_log import (
    TICKET_LOG_COLUMNS,
    validate_ticket_log,
    write_ticket_log,
)
from hallplan.sim.demand import Demand
from hallplan.sim.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "tests" / "data" / "anonymous_bank_arrivals_6min_1999-01_to_10.csv.gz"
D = dt.date


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(ROOT / "scenarios" / "flagship_city_centre.toml")


def test_generator_effects():
    dates = [D(2026, 2, 13) + dt.timedelta(days=i) for i in range(12)]
    m = day_multipliers(
        dates, HistoryEffects(noise_sd=0.0, trend_per_year=0.0), ChinaCalendar(), seed=0
    ).set_index("date")
    assert m.loc[D(2026, 2, 14), "day_type"] == "weekday"  # make-up Saturday
    assert "spring_festival_eve" in m.loc[D(2026, 2, 14), "label"]
    assert m.loc[D(2026, 2, 16), "day_type"] == "holiday"
    assert m.loc[D(2026, 2, 24), "event_multiplier"] == pytest.approx(1.2)
    assert m.loc[D(2026, 2, 18), "volume_multiplier"] == pytest.approx(1.0)


def test_generator_is_deterministic_and_valid(scenario, tmp_path):
    a = generate_history(scenario, D(2026, 5, 16), D(2026, 5, 17), seed=3)
    b = generate_history(scenario, D(2026, 5, 17), D(2026, 5, 17), seed=3)
    pd.testing.assert_frame_equal(
        a[a["ticket_time"].dt.date == D(2026, 5, 17)].reset_index(drop=True), b
    )
    v = validate_ticket_log(a, scenario.hall.id, scenario)
    assert len(v.bad) == 0 and len(v.good) == len(a)
    counts = a.groupby(a["ticket_time"].dt.date)["service_type"].value_counts()
    # 5.17 telecom day brings extra plan changes
    assert counts[(D(2026, 5, 17), "plan_change")] > 1.3 * counts[(D(2026, 5, 16), "plan_change")]
    # CSV round trip through the importer
    path = write_ticket_log(a, tmp_path / "gen.csv")
    rep = import_ticket_log(path, scenario.hall.id, tmp_path / "h.duckdb", scenario)
    assert rep.rows_imported == len(a) and rep.rows_rejected == 0


@pytest.mark.skipif(not BANK.exists(), reason="real data not present")
def test_backtest_reproducible_and_beats_baseline_on_real_data():
    daily, iv = load_bank_arrivals(BANK)
    models = {
        "seasonal_naive": SeasonalNaiveForecaster(),
        "poisson_glm": CalendarPoissonForecaster(calendar="israel"),
        "gbm": CalendarGBMForecaster(calendar="israel", max_iter=50, random_state=0),
    }
    kw = dict(calendar="israel", n_months=2, exclude_dates=BANK_OUTLIER_DATES, interval_min=30)
    r1 = rolling_origin(daily, iv, models, **kw)
    r2 = rolling_origin(daily, iv, models, **kw)
    pd.testing.assert_frame_equal(r1.folds, r2.folds)
    pd.testing.assert_frame_equal(r1.daily, r2.daily)
    s = r1.summary().set_index("model")
    assert s.loc["poisson_glm", "daily_wape"] < s.loc["seasonal_naive", "daily_wape"]
    assert s.loc["poisson_glm", "interval_wape"] < s.loc["seasonal_naive", "interval_wape"]
    assert BANK_OUTLIER_DATES[0] not in set(r1.daily["date"])


def _synthetic_store(path: Path, scenario) -> None:
    """60 days of visits with a weekday pattern, written straight as ticket-log rows."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(61):
        d = D(2026, 8, 1) + dt.timedelta(days=i)
        n = int(rng.poisson(60 if d.weekday() < 5 else 90))
        for k in range(n):
            t = pd.Timestamp(d) + pd.Timedelta(minutes=float(rng.uniform(510, 1230)))
            rows.append(
                (
                    scenario.hall.id,
                    f"T{k}",
                    "bill_payment" if k % 3 else "enquiry",
                    "vip" if k % 10 == 0 else "regular",
                    "counter",
                    t,
                    t + pd.Timedelta(minutes=2),
                    t + pd.Timedelta(minutes=2),
                    t + pd.Timedelta(minutes=6),
                    "general-01",
                    "E1",
                    "served",
                )
            )
    frame = pd.DataFrame(rows, columns=list(TICKET_LOG_COLUMNS))
    write_ticket_log(frame, path.with_suffix(".parquet"))
    import_ticket_log(path.with_suffix(".parquet"), scenario.hall.id, path, scenario)


def test_forecast_month_gives_a_demand(scenario, tmp_path):
    store = tmp_path / "h.duckdb"
    _synthetic_store(store, scenario)
    demand, summary = forecast_month(store, scenario.hall.id, scenario, 2026, 10)
    assert isinstance(demand, Demand)
    assert demand.dates == [D(2026, 10, 1) + dt.timedelta(days=i) for i in range(31)]
    assert set(demand.table["service_type"]) == {"bill_payment", "enquiry"}
    assert set(demand.table["interval_start_min"]) <= set(scenario.interval_starts())
    daily = summary.daily.set_index("date")
    # weekend ≈ 90, weekday ≈ 60
    assert 75 < daily.loc[D(2026, 10, 3), "visits"] < 110
    assert 45 < daily.loc[D(2026, 10, 14), "visits"] < 75
    assert (daily["lo"] <= daily["visits"] + 1e-9).all()
    assert (daily["visits"] <= daily["hi"] + 1e-9).all()
    assert demand.day(D(2026, 10, 14)).expected_arrivals() == pytest.approx(
        daily.loc[D(2026, 10, 14), "visits"]
    )
    with HistoryStore(store) as s:
        stored = s.latest_forecast_days(scenario.hall.id, 2026, 10)
    assert stored is not None and stored.attrs["forecast_id"] == summary.forecast_id
    assert wape(stored["visits"], daily["visits"]) < 1e-9


def test_forecast_month_without_history_uses_profile(scenario, tmp_path):
    # an existing store that holds nothing for this hall (a missing store is an error:
    # reading history never creates one)
    with HistoryStore(tmp_path / "empty.duckdb"):
        pass
    demand, summary = forecast_month(tmp_path / "empty.duckdb", "nobody", scenario, 2026, 11)
    assert summary.model == "profile" and summary.notes
    assert len(demand.dates) == 30

"""The five tables' arithmetic on a small hand-made history (tests/data/five_tables_history.csv).

Hand-made history (October 2026): on the 5th, 4 visits (3 counter, 1 kiosk; 2 served at a
counter in 10 and 6 min, 1 abandoned); on the 6th, 3 visits (2 counter served in 8 and 16 min,
1 kiosk). A roster gives 2 general counters 09:00–11:00 on both days (4 counter-staff hours);
a forecast for October stored before October says 5 and 2 visits.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hallplan.forecast.five_tables import five_tables, forecast_month
from hallplan.forecast.store import HistoryStore, import_ticket_log
from hallplan.sim.loader import load_scenario
from hallplan.sim.staffing import DayStaffing, Staffing

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
HALL = "flagship-city-centre"
D = dt.date
OCT5, OCT6 = D(2026, 10, 5), D(2026, 10, 6)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(ROOT / "scenarios" / "flagship_city_centre.toml")


@pytest.fixture
def tables(tmp_path, scenario):
    store = tmp_path / "h.duckdb"
    rep = import_ticket_log(DATA / "five_tables_history.csv", HALL, store, scenario)
    assert rep.rows_imported == 7
    two = DayStaffing({"general": (((540.0, 660.0),), ((540.0, 660.0),))})
    with HistoryStore(store) as s:
        s.save_roster(HALL, Staffing(by_date={OCT5: two, OCT6: two}), [OCT5, OCT6])
        days = pd.DataFrame(
            {
                "date": [OCT5, OCT6],
                "visits": [5.0, 2.0],
                "lo": [4.0, 1.0],
                "hi": [6.0, 3.0],
                "day_type": ["weekday", "weekday"],
            }
        )
        detail = pd.DataFrame(
            {
                "date": [OCT5, OCT6],
                "interval_start_min": [540.0, 540.0],
                "service_type": "bill_payment",
                "customer_class": "regular",
                "visits": [5.0, 2.0],
            }
        )
        s.save_forecast(HALL, 2026, 10, "hand", D(2026, 9, 1), D(2026, 9, 30), 30, days, detail)
    # November plan: one general counter 09:00–10:00 every day
    plan = Staffing.every_day(DayStaffing({"general": (((540.0, 600.0),),)}))
    return five_tables(store, HALL, scenario, 2026, 11, staffing=plan), store


def test_table1_counters_on_duty(tables, scenario):
    ft, _ = tables
    t1 = ft.table1
    assert len(t1) == 30 and t1["date"].iloc[0] == D(2026, 11, 1)
    row = t1.iloc[0]
    assert row["09:00"] == 1 and row["09:30"] == 1 and row["10:00"] == 0
    assert row["08:30"] == 0
    # 60 counter-minutes over the 720 open minutes (08:30–20:30)
    assert row["daily_average"] == pytest.approx(60 / 720)


def test_table2_capacity(tables):
    ft, _ = tables
    t2 = ft.table2
    # history before November: 5 counter + 2 kiosk visits; 4 served at a counter in 40 min
    mean_service, counter_share = 40 / 4, 5 / 7
    cap_counter = 60 * 0.85 / mean_service
    assert t2["counter_staff_hours"].iloc[0] == pytest.approx(1.0)
    assert t2["capacity_counter_visits"].iloc[0] == pytest.approx(cap_counter)
    assert t2["capacity_visits"].iloc[0] == pytest.approx(cap_counter / counter_share)
    assert np.allclose(t2["forecast_counter_visits"], t2["forecast_visits"] * counter_share)
    assert np.allclose(t2["margin_visits"], t2["capacity_visits"] - t2["forecast_visits"])
    assert t2["over_capacity"].all()  # one counter-hour cannot absorb a flagship's day
    assert "profile" in ft.notes["forecast"]  # 2 days of history: the scenario's profile


def test_table3_last_month_actuals(tables):
    ft, _ = tables
    t3 = ft.table3.set_index("date")
    assert len(ft.table3) == 31
    assert t3.loc[OCT5, "actual_visits"] == 4 and t3.loc[OCT6, "actual_visits"] == 3
    assert t3.loc[OCT5, "served_counter"] == 2 and t3.loc[OCT5, "abandoned"] == 1
    assert t3.loc[OCT5, "kiosk_visits"] == 1
    assert t3.loc[OCT5, "counter_staff_hours"] == pytest.approx(4.0)  # from the roster
    assert t3.loc[OCT5, "served_per_staff_hour"] == pytest.approx(0.5)
    assert t3.loc[OCT6, "served_per_staff_hour"] == pytest.approx(0.5)
    # other days: no roster -> default staffing (191.5 counter-hours), no visits
    assert t3.loc[D(2026, 10, 7), "counter_staff_hours"] == pytest.approx(191.5)
    assert np.isnan(t3.loc[D(2026, 10, 7), "actual_visits"])


def test_table4_actual_vs_forecast(tables):
    ft, _ = tables
    t4 = ft.table4.set_index("date")
    assert t4.loc[OCT5, "forecast_visits"] == 5 and t4.loc[OCT5, "error"] == 1
    assert t4.loc[OCT6, "error"] == -1
    assert t4.loc[OCT5, "abs_pct_error"] == pytest.approx(0.25)
    assert t4.loc[OCT6, "abs_pct_error"] == pytest.approx(1 / 3)
    assert t4.loc[OCT5, "within_bounds"] and t4.loc[OCT6, "within_bounds"]
    assert float(ft.notes["last_month_wape"]) == pytest.approx(2 / 7, abs=1e-3)
    assert "stored forecast" in ft.notes["last_month_forecast"]


def test_table5_per_staff(tables):
    ft, _ = tables
    t5 = ft.table5.set_index("date")
    # no history before October: counter share and served share fall back to 1
    assert t5.loc[OCT5, "forecast_served_counter"] == pytest.approx(5)
    assert t5.loc[OCT5, "forecast_served_per_staff_hour"] == pytest.approx(5 / 4)
    assert t5.loc[OCT6, "forecast_served_per_staff_hour"] == pytest.approx(2 / 4)
    assert t5.loc[OCT5, "actual_served_per_staff_hour"] == pytest.approx(0.5)
    assert t5.loc[OCT5, "error_per_staff_hour"] == pytest.approx(0.75)


def test_report_files(tables, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from hallplan.reports.forecast import write_five_tables

    ft, _ = tables
    paths = write_five_tables(tmp_path / "out", ft)
    names = {p.name for p in paths}
    assert {f"table{i}.csv" for i in range(1, 6)} <= names
    assert {f"table{i}.png" for i in range(1, 6)} <= names
    wb = openpyxl.load_workbook(tmp_path / "out" / "five_tables.xlsx")
    assert len(wb.sheetnames) == 5
    back = pd.read_csv(tmp_path / "out" / "table4.csv")
    assert back["error"].dropna().tolist() == [1.0, -1.0]


def test_report_in_chinese_labels_the_workbook_and_draws_every_glyph(tables, tmp_path):
    import warnings

    import openpyxl

    from hallplan.reports.forecast import write_five_tables

    ft, _ = tables
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing")
        write_five_tables(tmp_path, ft, lang="zh")
    wb = openpyxl.load_workbook(tmp_path / "five_tables.xlsx")
    assert wb.sheetnames[1] == "2 本月每天预测量及可承受量"
    ws = wb["4 上月每天实际量及预测量"]
    head = [c.value for c in ws[1]]
    assert head[:3] == ["日期", "实际量", "预测量"] and ws.freeze_panes == "B2"
    ape = ws.cell(row=2, column=head.index("绝对误差率") + 1)
    assert ape.number_format == "0.0%"


def test_forecast_then_tables_reuse_it(tables, scenario):
    _, store = tables
    _, summary = forecast_month(store, HALL, scenario, 2026, 11)
    again = five_tables(store, HALL, scenario, 2026, 11, forecast=summary)
    np.testing.assert_allclose(again.table2["forecast_visits"], summary.daily["visits"])

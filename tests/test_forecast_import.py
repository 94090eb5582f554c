"""Ticket-log importer: every bad row is counted by reason, nothing is silently dropped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hallplan.forecast.store import HistoryStore, TooManyRejectsError, import_ticket_log
from hallplan.forecast.ticket_log import (
    TicketLogError,
    read_ticket_log,
    validate_ticket_log,
    write_ticket_log,
)
from hallplan.sim.loader import load_scenario

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
HALL = "flagship-city-centre"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(ROOT / "scenarios" / "flagship_city_centre.toml")


def test_malformed_rows_are_counted_by_reason(tmp_path, scenario):
    store = tmp_path / "h.duckdb"
    # 12 of 16 rows are bad: allowed here (max_reject_share=1) to see every reason counted
    rep = import_ticket_log(
        DATA / "ticket_log_bad.csv", HALL, store, scenario, max_reject_share=1.0
    )
    assert rep.rows_read == 16
    assert rep.rows_imported == 4  # A001, A002, A003 (abandoned), first A014
    assert rep.rows_rejected == 12
    assert rep.rows_imported + rep.rows_rejected == rep.rows_read
    expected = {
        "bad_time": 1,
        "end_before_start": 1,
        "duplicate_ticket": 1,
        "duplicate_row": 1,
        "unknown_service_type": 1,
        "unknown_customer_class": 1,
        "bad_channel": 1,
        "call_before_ticket": 1,
        "bad_outcome": 1,
        "wrong_hall": 1,
        "missing_service_times": 1,
        "missing_value": 1,
    }
    assert rep.reasons == expected
    assert rep.examples["end_before_start"][0]["line"] == 6
    assert "teleportation" in rep.examples["unknown_service_type"][0]["detail"]
    assert any("remark" in w for w in rep.warnings)
    assert "end_before_start: 1" in rep.summary()
    with HistoryStore(store) as s:
        assert len(s.visits(HALL)) == 4
        rejects = s.rejects(rep.import_id)
    assert len(rejects) == 12 and set(rejects["reason"]) == set(expected)
    assert rejects["raw"].str.contains("A005").any()  # raw values are kept


def test_a_file_mostly_rejected_is_not_imported_at_all(tmp_path, scenario):
    store = tmp_path / "h.duckdb"
    with pytest.raises(TooManyRejectsError, match=r"found 12 of 16 \(75.0%\)") as exc:
        import_ticket_log(DATA / "ticket_log_bad.csv", HALL, store, scenario)
    assert exc.value.report.reasons["bad_time"] == 1  # the reasons are still counted
    assert "nothing was imported" in str(exc.value)
    assert not store.exists()


def test_reimport_is_idempotent(tmp_path, scenario):
    store = tmp_path / "h.duckdb"
    import_ticket_log(DATA / "five_tables_history.csv", HALL, store, scenario)
    again = import_ticket_log(DATA / "five_tables_history.csv", HALL, store, scenario)
    assert again.rows_imported == 0 and again.rows_already_stored == 7
    with HistoryStore(store) as s:
        assert len(s.visits(HALL)) == 7


def test_wrong_columns_is_a_file_error(tmp_path, scenario):
    with pytest.raises(TicketLogError, match="missing columns") as exc:
        import_ticket_log(
            DATA / "ticket_log_wrong_columns.csv", HALL, tmp_path / "h.duckdb", scenario
        )
    rep = exc.value.report
    assert rep is not None and not rep.ok
    assert rep.reasons == {"wrong_columns": 1} and rep.rows_imported == 0


def test_parquet_round_trip(tmp_path, scenario):
    frame = read_ticket_log(DATA / "five_tables_history.csv")
    v = validate_ticket_log(frame, HALL, scenario)
    assert len(v.bad) == 0
    good = v.good.drop(columns=["ticket_date", "line"])
    pq = write_ticket_log(good, tmp_path / "log.parquet")
    rep = import_ticket_log(pq, HALL, tmp_path / "h.duckdb", scenario)
    assert rep.rows_imported == 7 and rep.rows_rejected == 0
    with HistoryStore(tmp_path / "h.duckdb") as s:
        stored = s.visits(HALL)
    assert pd.Timestamp(stored["service_end"].max()) == pd.Timestamp("2026-10-06 14:26:00")


def test_unknown_types_pass_without_a_scenario():
    frame = read_ticket_log(DATA / "ticket_log_bad.csv")
    v = validate_ticket_log(frame, HALL, None)
    assert "unknown_service_type" not in set(v.bad["reason"])


def test_forecast_package_imports_neither_optimize_nor_hallplan():
    import subprocess
    import sys

    code = (
        "import sys, hallplan.forecast.ticket_log, hallplan.forecast.store, "
        "hallplan.forecast.generator, hallplan.forecast.models, hallplan.forecast.backtest, "
        "hallplan.forecast.five_tables; "
        "bad = [m for m in sys.modules if m.startswith('hallplan.') "
        "and m.split('.')[1] not in ('sim', 'forecast')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)

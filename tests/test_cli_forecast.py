"""History → forecast → five tables through the command line, on a small county hall."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "scenarios" / "county_hall.toml"


def generate(log: Path, start: str, end: str):
    """``hallplan history generate`` of the county hall from ``start`` to ``end``."""
    return run_cli("history", "generate", log, "--scenario", COUNTY, "--start", start,
                   "--end", end)


def month_command(command: str, hall: str, month: str, store: Path, *more):
    """``hallplan forecast`` / ``five-tables`` for one hall and month from a history store."""
    return run_cli(command, "--hall", hall, "--month", month, "--store", store, *more)


def test_generate_import_forecast_five_tables(tmp_path):
    log = tmp_path / "county.csv"
    store = tmp_path / "h.duckdb"
    r = generate(log, "2026-07-01", "2026-09-30")
    assert r.exit_code == 0, r.output
    r = run_cli("history", "import", log, "--hall", "county-hall", "--store", store)
    assert r.exit_code == 0, r.output
    assert "0 rejected" in r.output
    out = tmp_path / "fc"
    r = month_command("forecast", "county-hall", "2026-10", store, "--out", out)
    assert r.exit_code == 0, r.output
    assert (out / "forecast_daily.csv").exists()
    ft = tmp_path / "ft"
    r = month_command("five-tables", "county-hall", "2026-10", store, "--out", ft)
    assert r.exit_code == 0, r.output
    assert (ft / "five_tables.xlsx").stat().st_size > 0
    assert "capacity from: the requirement for the forecast" in r.output  # no roster stored
    # the same tables for a Chinese planner: status lines and workbook in Chinese
    r = month_command("five-tables", "county-hall", "2026-10", store, "--out", tmp_path / "zh",
                      "--lang", "zh")
    assert r.exit_code == 0, r.output
    assert "能力依据：" in r.output and "已写入" in r.output and "wrote" not in r.output
    import openpyxl

    sheets = openpyxl.load_workbook(tmp_path / "zh" / "five_tables.xlsx").sheetnames
    assert sheets[0] == "1 本月每天每时段在岗柜台数及日平均"


def test_an_unknown_report_language_is_a_clear_error():
    r = run_cli("plan", COUNTY, "--month", "2026-12", "--lang", "fr")
    assert r.exit_code == 2
    assert "--lang" in r.output and "expected one of en, zh; found 'fr'" in r.output


def test_bad_rows_are_counted_not_dropped(tmp_path):
    log = tmp_path / "bad.csv"
    r = generate(log, "2026-09-01", "2026-09-02")
    assert r.exit_code == 0, r.output
    lines = log.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    broken = lines[1].split(",")
    broken[header.index("service_type")] = "teleportation"
    lines[1] = ",".join(broken)
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run_cli("history", "import", log, "--hall", "county-hall", "--store",
                tmp_path / "h.duckdb")
    assert r.exit_code == 0, r.output
    assert "1 rejected" in r.output and "teleportation" in r.output


def test_unknown_hall_and_bad_month_are_clear_errors(tmp_path):
    r = month_command("forecast", "atlantis", "2026-10", tmp_path / "h.duckdb")
    assert r.exit_code == 2 and "flagship-city-centre" in r.output
    r = month_command("forecast", "county-hall", "2026-13", tmp_path / "h.duckdb")
    assert r.exit_code == 2 and "YYYY-MM" in r.output

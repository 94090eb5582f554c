"""Real exports import: a planner hands over the file their queue system wrote — UTF-8 or
GBK, with a byte-order mark or without, ``,`` ``;`` or tab, an Excel workbook, upper-case
headers, times with a zone, Chinese headers through a column mapping — and gets the same
visits as the canonical ticket log. A file that cannot be used is a clear error (exit 2)
naming the file, what was expected and what was found; nothing is written to the store.

Every export here is generated in the test from the simulator's own ticket log of the county
hall (one day), so the expected visits are known exactly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from hallplan.cli import app
from hallplan.forecast.generator import generate_history
from hallplan.forecast.store import HistoryStore
from hallplan.forecast.ticket_log import (
    OMITTABLE_COLUMNS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    read_ticket_log,
    validate_ticket_log,
    write_ticket_log,
)
from hallplan.sim.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "scenarios" / "county_hall.toml"
HALL = "county-hall"
ZH_MAPPING = ROOT / "docs" / "mappings" / "queue_system_zh.toml"
TIMES = ("ticket_time", "call_time", "service_start", "service_end", "leave_time")
runner = CliRunner()


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(COUNTY)


@pytest.fixture(scope="module")
def log(scenario) -> pd.DataFrame:
    """The simulator's ticket log of one county-hall day (served and abandoned visits)."""
    frame = generate_history(scenario, dt.date(2026, 9, 1), dt.date(2026, 9, 1), seed=3)
    assert len(frame) > 100 and (frame["outcome"] == "abandoned").any()
    return frame


def as_text(frame: pd.DataFrame, fmt: str = "%Y-%m-%d %H:%M:%S") -> pd.DataFrame:
    """The log as a CSV export holds it: every cell text, times in ``fmt``, empty = ''."""
    out = frame.copy()
    for c in TIMES:
        out[c] = pd.to_datetime(out[c]).dt.strftime(fmt).fillna("")
    return out.astype(object).where(out.notna(), "").astype(str)


def one_line(output: str) -> str:
    return " ".join(output.split())


def import_cli(path: Path, store: Path, *extra: str):
    return runner.invoke(
        app,
        [
            "history",
            "import",
            str(path),
            "--hall",
            HALL,
            "--store",
            str(store),
            "--scenario",
            str(COUNTY),
            *extra,
        ],
    )


def stored(store: Path) -> pd.DataFrame:
    with HistoryStore(store, read_only=True, create=False) as s:
        v = s.visits(HALL)
    return v.drop(columns="import_id").sort_values("ticket_id", ignore_index=True)


@pytest.fixture(scope="module")
def canonical(log, tmp_path_factory) -> pd.DataFrame:
    """The visits the UTF-8 canonical ticket log imports to (the yardstick)."""
    tmp = tmp_path_factory.mktemp("canonical")
    path = write_ticket_log(log, tmp / "log.csv")
    r = import_cli(path, tmp / "h.duckdb")
    assert r.exit_code == 0, r.output
    assert f"{len(log)} imported, 0 rejected" in r.output
    return stored(tmp / "h.duckdb")


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("utf-8-sig", ","), ("gbk", ";"), ("gb18030", "\t"), ("utf-16", "\t"), ("utf-8", ";")],
)
def test_csv_in_any_common_encoding_and_delimiter_imports_the_same_visits(
    log, canonical, tmp_path, encoding, sep
):
    text = as_text(log)
    text["备注"] = "客户已离开"  # a Chinese remark column: GBK bytes that are not UTF-8
    text.columns = [f"  {c.upper()} " if c != "备注" else c for c in text.columns]
    path = tmp_path / "export.csv"
    text.to_csv(path, sep=sep, index=False, encoding=encoding)
    r = import_cli(path, tmp_path / "h.duckdb")
    assert r.exit_code == 0, r.output
    assert f"{len(log)} imported, 0 rejected" in r.output
    assert "ignored extra columns ['备注']" in r.output
    pd.testing.assert_frame_equal(stored(tmp_path / "h.duckdb"), canonical)


def test_xlsx_export_with_excel_date_time_cells_imports_the_same_visits(log, canonical, tmp_path):
    path = write_ticket_log(log, tmp_path / "export.xlsx")
    wb = openpyxl.load_workbook(path)
    assert isinstance(wb.active["F2"].value, dt.datetime)  # ticket_time is a date-time cell
    r = import_cli(path, tmp_path / "h.duckdb")
    assert r.exit_code == 0, r.output
    assert "read as XLSX" in r.output
    pd.testing.assert_frame_equal(stored(tmp_path / "h.duckdb"), canonical)


def test_parquet_with_time_zone_aware_columns_imports_the_same_visits(log, canonical, tmp_path):
    utc = log.copy()
    for c in TIMES:
        utc[c] = pd.to_datetime(utc[c]).dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC")
    path = write_ticket_log(utc, tmp_path / "utc.parquet")
    r = import_cli(path, tmp_path / "h.duckdb")
    assert r.exit_code == 0, r.output
    pd.testing.assert_frame_equal(stored(tmp_path / "h.duckdb"), canonical)


def test_a_ragged_line_names_the_line_and_the_field_counts(log, tmp_path):
    lines = write_ticket_log(log, tmp_path / "log.csv").read_text(encoding="utf-8").splitlines()
    lines[4] += ",surplus"
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = import_cli(path, tmp_path / "h.duckdb")
    assert r.exit_code == 2
    out = one_line(r.output)
    assert "ragged.csv: line 5: expected 13 fields like the first line; found 14" in out


def test_an_export_with_a_wrong_encoding_option_is_a_clear_error(log, tmp_path):
    text = as_text(log)
    text["备注"] = "客户已离开"
    path = tmp_path / "gbk.csv"
    text.to_csv(path, index=False, encoding="gbk")
    r = import_cli(path, tmp_path / "h.duckdb", "--encoding", "utf-8")
    assert r.exit_code == 2
    assert "gbk.csv: expected text in utf-8; found bytes that are not" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "h.duckdb").exists()
    r = import_cli(path, tmp_path / "h.duckdb", "--encoding", "gbk")
    assert r.exit_code == 0, r.output


def test_binary_garbage_an_empty_file_and_a_header_only_file_are_clear_errors(log, tmp_path):
    cases = {
        "garbage.csv": (bytes(range(256)) * 8, "found binary data"),
        "empty.csv": (b"", "found an empty file"),
        "header.csv": (",".join(log.columns).encode() + b"\n", "found only the header"),
        "old.xls": (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "legacy Excel .xls"),
        "latin1.csv": (
            "ticket_id,remark\n1,café crème\n".encode("latin-1"),
            "expected text in UTF-8 or GBK/GB18030; found bytes that are neither (byte 22",
        ),
    }
    for name, (data, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        r = import_cli(path, tmp_path / "h.duckdb")
        assert r.exit_code == 2, (name, r.output)
        assert name in r.output and expected in r.output, r.output
        assert "Traceback" not in r.output
    for missing, expected in (
        (tmp_path / "nope.csv", "found no such file"),
        (tmp_path, "found a folder"),
    ):
        r = import_cli(missing, tmp_path / "h.duckdb")
        assert r.exit_code == 2 and expected in one_line(r.output), r.output
    assert not (tmp_path / "h.duckdb").exists()


def test_a_missing_column_names_the_file_the_column_and_the_columns_found(log, tmp_path):
    path = tmp_path / "no_ticket_time.csv"
    as_text(log).drop(columns="ticket_time").to_csv(path, sep="\t", index=False)
    r = import_cli(path, tmp_path / "h.duckdb")
    assert r.exit_code == 2
    out = " ".join(r.output.split())
    assert "no_ticket_time.csv: missing columns ['ticket_time']" in out
    assert "found columns ['hall_id', 'ticket_id'" in out  # the tab split the header
    assert not (tmp_path / "h.duckdb").exists()


def test_headers_that_collide_after_normalising_are_a_clear_error(log, tmp_path):
    text = as_text(log)
    text.insert(1, "Ticket ID", text["ticket_id"])
    path = tmp_path / "twice.csv"
    text.to_csv(path, index=False)
    r = import_cli(path, tmp_path / "h.duckdb")
    assert r.exit_code == 2
    assert "twice.csv: header: expected each column once" in " ".join(r.output.split())


def test_columns_a_real_export_lacks_are_filled_and_said_so(log, canonical, tmp_path):
    """No hall column (one hall's own export), no counter or staff column: the hall being
    imported, and empty; a missing call time is the start of service."""
    text = as_text(log).drop(columns=["hall_id", "counter_id", "staff_id"])
    path = tmp_path / "lean.csv"
    text.to_csv(path, index=False)
    r = import_cli(path, tmp_path / "h.duckdb")
    assert r.exit_code == 0, r.output
    assert "no hall_id column: every row is hall 'county-hall'" in r.output
    got = stored(tmp_path / "h.duckdb")
    assert got["counter_id"].isna().all()
    pd.testing.assert_frame_equal(
        got.drop(columns=["counter_id", "staff_id"]),
        canonical.drop(columns=["counter_id", "staff_id"]),
    )
    no_call = as_text(log).drop(columns="call_time")
    v = validate_ticket_log(no_call, HALL, None)
    assert (v.good["call_time"].dropna() == v.good["service_start"].dropna()).all()
    assert "no call_time column: waits are measured to service_start" in v.notes


def test_the_documented_columns_are_the_importers_columns():
    """docs/ticket_log.md's table says which columns a file must have; the importer agrees."""
    doc = (ROOT / "docs" / "ticket_log.md").read_text(encoding="utf-8")
    section = doc.split("## Format")[1].split("\n## ")[0]
    rows = [ln.split("|") for ln in section.splitlines() if ln.startswith("| `")]
    must = {r[1].strip().strip("`") for r in rows if r[3].strip() == "yes"}
    may = {r[1].strip().strip("`") for r in rows if r[3].strip().startswith("no")}
    assert must == set(REQUIRED_COLUMNS)
    assert may == set(OMITTABLE_COLUMNS) | set(OPTIONAL_COLUMNS)


# --------------------------------------------------------------------------- timestamps


def test_zoned_timestamps_are_converted_to_the_halls_local_time(log, canonical, tmp_path):
    """The same instants written in UTC (``Z``), as ``+08:00`` and as ``+0000`` import as the
    Beijing-time visits; naive timestamps stay local."""
    text = as_text(log)
    for i, c in enumerate(TIMES):
        t = pd.to_datetime(log[c])
        if i % 3 == 0:
            text[c] = (t - pd.Timedelta(hours=8)).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif i % 3 == 1:
            text[c] = t.dt.strftime("%Y-%m-%dT%H:%M:%S+08:00")
        else:
            text[c] = (t - pd.Timedelta(hours=8)).dt.strftime("%Y-%m-%d %H:%M:%S+0000")
        text[c] = text[c].fillna("")
    path = tmp_path / "zoned.csv"
    text.to_csv(path, index=False)
    r = import_cli(path, tmp_path / "h.duckdb")
    assert r.exit_code == 0, r.output
    pd.testing.assert_frame_equal(stored(tmp_path / "h.duckdb"), canonical)


def test_the_scenarios_timezone_decides_the_local_time(scenario):
    frame = pd.DataFrame(
        {
            "ticket_id": ["1", "2"],
            "service_type": "enquiry",
            "customer_class": "regular",
            "channel": "counter",
            "ticket_time": ["2026-09-01T01:00:00Z", "2026-09-01 09:00:00"],
            "service_start": ["2026-09-01T01:05:00Z", "2026-09-01 09:05:00"],
            "service_end": ["2026-09-01T01:10:00Z", "2026-09-01 09:10:00"],
            "outcome": "served",
        }
    )
    shanghai = validate_ticket_log(frame, HALL, scenario).good["ticket_time"]
    assert list(shanghai.dt.strftime("%H:%M")) == ["09:00", "09:00"]
    berlin = scenario.model_copy(
        update={"hall": scenario.hall.model_copy(update={"timezone": "Europe/Berlin"})}
    )
    local = validate_ticket_log(frame, HALL, berlin).good["ticket_time"]
    assert list(local.dt.strftime("%H:%M")) == ["03:00", "09:00"]  # CEST = UTC+2; naive kept


def test_a_scenario_timezone_must_be_an_iana_zone(tmp_path):
    bad = tmp_path / "hall.toml"
    bad.write_text(
        f'extends = "{COUNTY.as_posix()}"\n[hall]\nid = "county-hall"\ntimezone = "Beijing"\n',
        encoding="utf-8",
    )
    r = runner.invoke(app, ["validate", str(bad)])
    assert r.exit_code == 2
    assert "hall.timezone" in r.output and "IANA" in r.output


def test_year_first_slashed_times_are_accepted_day_or_month_first_are_rejected_by_row(log):
    text = as_text(log, "%Y/%m/%d %H:%M:%S")
    text["ticket_time"] = text["ticket_time"].str.replace(r"/0(\d)", r"/\1", regex=True)
    v = validate_ticket_log(text, HALL, None)
    assert len(v.bad) == 0 and len(v.good) == len(log)
    us = as_text(log, "%m/%d/%Y %H:%M")
    v = validate_ticket_log(us, HALL, None)
    assert v.bad["line"].nunique() == len(log)
    assert "(expected YYYY-MM-DD HH:MM[:SS] (year first)" in v.bad["detail"].iloc[0]
    bad_date = as_text(log).assign(ticket_time="2026-02-30 10:00:00")
    assert set(validate_ticket_log(bad_date, HALL, None).bad["reason"]) >= {"bad_time"}


# --------------------------------------------------------------------------- the reject share


def test_us_style_dates_fail_the_import_and_nothing_is_stored(log, tmp_path):
    path = tmp_path / "us.csv"
    as_text(log, "%m/%d/%Y %H:%M").to_csv(path, index=False)
    r = import_cli(path, tmp_path / "h.duckdb")
    assert r.exit_code == 2
    out = " ".join(r.output.split())
    assert f"found {len(log)} of {len(log)} (100.0%) — nothing was imported" in out
    assert "bad_time" in out and "line 2: ticket_time = '09/01/2026" in out
    assert not (tmp_path / "h.duckdb").exists()


def test_a_few_bad_rows_import_above_the_stated_share_they_fail(log, canonical, tmp_path):
    text = as_text(log)
    text.loc[5, "service_type"] = "teleportation"  # one bad row of several hundred
    path = tmp_path / "one_bad.csv"
    text.to_csv(path, index=False)
    store = tmp_path / "h.duckdb"
    r = import_cli(path, store, "--max-reject-share", "0")
    assert r.exit_code == 2
    assert "expected at most 0.0% of rows rejected" in " ".join(r.output.split())
    assert not store.exists()
    r = import_cli(path, store)  # default: 5%
    assert r.exit_code == 0, r.output
    assert "1 rejected" in r.output and "teleportation" in r.output
    assert len(stored(store)) == len(canonical) - 1
    r = import_cli(path, store, "--max-reject-share", "1.5")
    assert r.exit_code == 2  # a share is 0..1


# --------------------------------------------------------------------------- Chinese exports


ZH = {
    "ticket_id": "票号",
    "service_type": "业务类型",
    "customer_class": "客户等级",
    "channel": "办理渠道",
    "ticket_time": "取号时间",
    "call_time": "叫号时间",
    "service_start": "开始办理时间",
    "service_end": "结束办理时间",
    "leave_time": "离开时间",
    "counter_id": "窗口号",
    "staff_id": "员工号",
    "outcome": "办理状态",
}
ZH_VALUES = {
    "channel": {"counter": "柜台", "kiosk": "自助终端"},
    "outcome": {"served": "已办结", "abandoned": "弃号"},
    "customer_class": {"regular": "普通客户", "vip": "全球通/VIP客户"},
}


def chinese_export(log: pd.DataFrame, scenario, *, text_times: bool) -> pd.DataFrame:
    """The log as a Chinese queue system exports it: Chinese headers and values, no hall
    column, times ``2026/9/1 9:05:00`` (or date-time cells), a voided ticket and a remark."""
    out = log.drop(columns="hall_id").copy()
    out["service_type"] = out["service_type"].map(
        {k: v.label for k, v in scenario.service_types.items()}
    )
    for col, m in ZH_VALUES.items():
        out[col] = out[col].map(m)
    if text_times:
        for c in TIMES:
            t = pd.to_datetime(out[c])
            part = {
                k: getattr(t.dt, k).astype("Int64").astype("string")
                for k in ("year", "month", "day", "hour")
            }
            out[c] = (
                part["year"]
                + "/"
                + part["month"]
                + "/"
                + part["day"]
                + " "
                + part["hour"]
                + t.dt.strftime(":%M:%S")
            ).fillna("")
    out = out.rename(columns=ZH)
    out["备注"] = "无"
    void = out.iloc[[0]].copy()
    void["票号"], void["办理状态"] = "X999", "作废"
    return pd.concat([out, void], ignore_index=True)


def test_a_gbk_csv_export_with_chinese_headers_imports_through_the_mapping(
    log, canonical, scenario, tmp_path
):
    path = tmp_path / "叫号明细.csv"
    chinese_export(log, scenario, text_times=True).to_csv(path, index=False, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really GBK
    r = import_cli(path, tmp_path / "h.duckdb", "--mapping", str(ZH_MAPPING))
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "read as CSV, gb18030" in out
    assert "dropped: voided ticket (作废): printed by mistake, not a visit: 1" in out
    assert f"{len(log)} imported, 0 rejected" in out
    pd.testing.assert_frame_equal(stored(tmp_path / "h.duckdb"), canonical)


def test_an_xlsx_export_with_chinese_headers_imports_through_the_mapping(
    log, canonical, scenario, tmp_path
):
    frame = chinese_export(log, scenario, text_times=False)
    path = tmp_path / "叫号明细.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        frame.to_excel(xw, index=False, sheet_name="明细")
        pd.DataFrame({"说明": ["导出于 2026-09-02"]}).to_excel(xw, index=False, sheet_name="说明")
    r = import_cli(path, tmp_path / "h.duckdb", "--mapping", str(ZH_MAPPING))
    assert r.exit_code == 0, r.output
    assert f"{len(log)} imported, 0 rejected" in r.output
    assert "read sheet '明细'; other sheets ignored: ['说明']" in one_line(r.output)
    pd.testing.assert_frame_equal(stored(tmp_path / "h.duckdb"), canonical)


def test_a_report_title_above_the_header_is_skipped_when_the_mapping_says_so(
    log, canonical, scenario, tmp_path
):
    export = tmp_path / "report.csv"
    body = chinese_export(log, scenario, text_times=True).to_csv(index=False)
    export.write_bytes(("叫号明细报表 2026年9月\n" + body).encode("gbk"))
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        ZH_MAPPING.read_text(encoding="utf-8").replace(
            'time_format = "iso"', 'time_format = "iso"\nskip_rows = 1'
        ),
        encoding="utf-8",
    )
    r = import_cli(export, tmp_path / "h.duckdb", "--mapping", str(ZH_MAPPING))
    assert r.exit_code == 2  # without skip_rows the title is taken for the header
    assert "line 2: expected 1 fields like the first line; found 13" in one_line(r.output)
    assert "a title above the header? skip it: format.skip_rows" in one_line(r.output)
    r = import_cli(export, tmp_path / "h.duckdb", "--mapping", str(mapping))
    assert r.exit_code == 0, r.output
    pd.testing.assert_frame_equal(stored(tmp_path / "h.duckdb"), canonical)


def test_a_value_the_mapping_does_not_know_is_rejected_and_listed(log, scenario, tmp_path):
    frame = chinese_export(log, scenario, text_times=True)
    frame.loc[3, "业务类型"] = "靓号办理"
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    r = import_cli(path, tmp_path / "h.duckdb", "--mapping", str(ZH_MAPPING))
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "service_type: values not in its map kept as is" in out
    assert "'靓号办理' ×1" in out and "unknown_service_type: 1" in out


def test_an_export_missing_a_mapped_column_names_it(log, scenario, tmp_path):
    frame = chinese_export(log, scenario, text_times=True).drop(columns="取号时间")
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    r = import_cli(path, tmp_path / "h.duckdb", "--mapping", str(ZH_MAPPING))
    assert r.exit_code == 2
    out = " ".join(r.output.split())
    assert "export.csv: columns ['取号时间']" in out and "are not in the export" in out


# --------------------------------------------------------------------------- history generate


def test_history_generate_writes_the_format_its_name_says(tmp_path):
    out = tmp_path / "g.xlsx"
    args = ["--scenario", str(COUNTY), "--start", "2026-09-01", "--end", "2026-09-01"]
    r = runner.invoke(app, ["history", "generate", str(out), *args])
    assert r.exit_code == 0, r.output
    assert openpyxl.load_workbook(out).sheetnames == ["ticket_log"]
    assert len(read_ticket_log(out)) > 100
    r = runner.invoke(app, ["history", "generate", str(tmp_path / "g.txt"), *args])
    assert r.exit_code == 2 and "expected a file name ending in .csv" in r.output
    r = runner.invoke(app, ["history", "generate", str(tmp_path), *args])
    assert r.exit_code == 2

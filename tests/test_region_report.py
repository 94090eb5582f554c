"""The region report, as a regional planner reads it: every hall is there, the halls at risk
(and only those) are flagged, failed halls show their error safely, totals add up, and a large
region still renders quickly with readable (capped) charts."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from hallplan.reports.region import CHART_CAP, write_region_report

XSS = "<script>alert('x')</script>"
REGION = {
    "id": "riverside",
    "name": "Riverside & Co <b>",
    "month": "2026-12",
    "days": 7,
    "headcount_budget": 110,
    "seed": 1,
    "reps": 3,
    "executor": "process",
    "n_workers": 4,
    "elapsed_s": 3723.0,
}


def _hall(
    i: int, share: float, *, holds: bool = True, peak_risk: bool = False, holiday_risk: bool = False
) -> dict:
    customers = 2000.0 + 100 * i
    return {
        "hall": f"riverside-{i:03d}",
        "scenario": f"scenarios/hall_{i}.toml",
        "status": "ok",
        "error": "",
        "headcount_current": 8 + i % 3,
        "headcount_needed": 9 + i % 4,
        "headcount_assigned": 9 + i % 2,
        "paid_hours": 1234.5 + i,
        "requirement_staff_hours": 1100.0 + i,
        "under_coverage_staff_hours": 0.0 if holds else 12.5,
        "rounds": 2,
        "targets_hold": holds,
        "share_within_target": share,
        "share_within_target_lo": share - 0.03,
        "share_within_target_hi": min(share + 0.03, 1.0),
        "target_share": 0.8,
        "abandon_share": 0.02,
        "abandon_share_lo": 0.01,
        "abandon_share_hi": 0.03,
        "mean_wait_min": 6.5,
        "mean_wait_min_lo": 6.0,
        "mean_wait_min_hi": 7.0,
        "customers": customers,
        "late_customers": round(customers * (1 - share)),
        "peak_share_within_target": 0.7 if peak_risk else 0.9,
        "peak_share_within_target_lo": 0.65 if peak_risk else 0.87,
        "peak_share_within_target_hi": 0.75 if peak_risk else 0.93,
        "peak_at_risk": peak_risk,
        "holiday_share_within_target": 0.6 if holiday_risk else 0.88,
        "holiday_share_within_target_lo": 0.55 if holiday_risk else 0.85,
        "holiday_share_within_target_hi": 0.65 if holiday_risk else 0.91,
        "holiday_at_risk": holiday_risk,
        "marginal_value": 40.0 - i,
        "run_time_s": 12.0 + i,
    }


def _failed(i: int, error: str) -> dict:
    row = {k: np.nan for k in _hall(0, 0.9)}
    row.update(
        hall=f"riverside-{i:03d}",
        scenario=f"scenarios/hall_{i}.toml",
        status="failed",
        error=error,
        headcount_current=7,
    )
    return row


def region_halls() -> pd.DataFrame:
    """12 halls: 001–003 miss the plan's target, 004 the peak, 005 the holiday, 012 failed."""
    rows = [
        _hall(1, 0.70, holds=False),
        _hall(2, 0.74, holds=False, peak_risk=True),
        _hall(3, 0.78, holds=False),
        _hall(4, 0.86, peak_risk=True),
        _hall(5, 0.88, holiday_risk=True),
        *[_hall(i, 0.90 + 0.005 * i) for i in range(6, 12)],
        _failed(12, f"scenario invalid: lanes.general.counters {XSS}"),
    ]
    return pd.DataFrame(rows)


def allocation_for(halls: pd.DataFrame) -> pd.DataFrame:
    ok = halls[halls["status"] == "ok"]
    return pd.DataFrame(
        {
            "hall": ok["hall"],
            "headcount": ok["headcount_assigned"].astype(int),
            "late_customers": ok["late_customers"] * 0.8,
            "share_within_target": ok["share_within_target"] + 0.01,
            "marginal_value_next": ok["marginal_value"] / 2,
            "meets_target": ok["share_within_target"] + 0.01 >= 0.8,
        }
    )


def section(page: str, name: str) -> str:
    m = re.search(rf"<section id='{name}'>(.*?)</section>", page, re.S)
    assert m, f"section {name} missing"
    return m.group(1)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("region")
    halls = region_halls()
    alloc = allocation_for(halls)
    paths = write_region_report(halls, alloc, REGION, out)
    page = (out / "region_report.html").read_text(encoding="utf-8")
    return out, halls, alloc, paths, page


def test_files_written_atomically(report):
    out, _, _, paths, _ = report
    assert {p.name for p in paths} == {"region_report.html", "region.xlsx", "region_halls.csv"}
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert not list(out.glob(".*")), "temporary files left behind"
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)


def test_every_hall_is_in_the_report_with_a_link_to_its_own(report):
    _, halls, _, _, page = report
    every = section(page, "halls")
    for hall, status in zip(halls["hall"], halls["status"], strict=True):
        assert hall in every
        if status == "ok":
            assert f"href='halls/{hall}/report.html'" in every
    assert "halls/riverside-012/report.html" not in page  # a failed hall has no report


def test_at_risk_halls_flagged_and_only_those(report):
    _, _, _, _, page = report
    risk = section(page, "at-risk")
    for hall in (
        "riverside-001",
        "riverside-002",
        "riverside-003",
        "riverside-004",
        "riverside-005",
    ):
        assert f">{hall}<" in risk
    for hall in ("riverside-006", "riverside-011", "riverside-012"):
        assert hall not in risk
    # worst share first, CI in the planner's format
    assert risk.index("riverside-001") < risk.index("riverside-002") < risk.index("riverside-003")
    assert "70.0% (67.0–73.0%)" in risk
    assert "70.0% (65.0–75.0%)" in risk  # month-start peak of 002 / 004
    assert "60.0% (55.0–65.0%)" in risk  # holiday stress day of 005


def test_failed_hall_error_shown_escaped(report):
    _, _, _, _, page = report
    failed = section(page, "failed")
    assert "riverside-012" in failed
    assert "scenario invalid: lanes.general.counters" in failed
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in failed
    assert "<script" not in page
    assert "Riverside &amp; Co &lt;b&gt;" in page  # region name escaped too


def test_charts_embedded(report):
    _, _, _, _, page = report
    charts = section(page, "charts")
    assert charts.count("src='data:image/png;base64,") == 3
    assert "src='http" not in page and 'src="http' not in page  # self-contained


def test_summary_totals_add_up(report):
    out, halls, alloc, _, page = report
    ok = halls[halls["status"] == "ok"]
    totals = pd.read_excel(out / "region.xlsx", sheet_name="Region summary").set_index("key")[
        "value"]
    assert totals["halls_planned"] == 11 and totals["halls_failed"] == 1
    assert totals["headcount_needed"] == ok["headcount_needed"].sum()
    assert totals["headcount_current"] == ok["headcount_current"].sum()
    assert totals["headcount_current_all"] == halls["headcount_current"].sum()
    assert totals["headcount_assigned"] == alloc["headcount"].sum()
    assert totals["headcount_budget"] == 110
    assert totals["late_customers"] == pytest.approx(ok["late_customers"].sum())
    assert totals["customers"] == pytest.approx(ok["customers"].sum())
    assert totals["share_within_target"] == pytest.approx(
        1 - ok["late_customers"].sum() / ok["customers"].sum(), abs=1e-3
    )
    summary = section(page, "summary")
    assert "<td>halls planned</td><td>11</td>" in summary
    assert "<td>halls failed</td><td>1</td>" in summary
    assert f"{ok['paid_hours'].sum():,.0f}" in summary  # thousands separators
    assert "1 h 02 min" in summary and "process, 4 worker(s)" in summary


def test_allocation_section_explains_the_budget(report):
    _, _, alloc, _, page = report
    sec = section(page, "allocation")
    assigned = int(alloc["headcount"].sum())
    assert f"assigned {assigned:,} people across 11 halls" in sec
    assert f"budget 110: {110 - assigned:,} left unassigned" in sec
    for hall in alloc["hall"]:
        assert f">{hall}<" in sec


def test_workbook_sheets(report):
    out, halls, alloc, _, _ = report
    book = pd.read_excel(out / "region.xlsx", sheet_name=None)
    assert list(book) == ["Every hall", "Headcount allocation", "Halls at risk", "Failed halls",
                          "Region summary"]
    assert len(book["Every hall"]) == len(halls) == 12
    assert len(book["Every hall"].columns) == len(halls.columns)
    assert {"on the books", "needed", "every interval meets target"} <= set(
        book["Every hall"].columns)
    assert len(book["Headcount allocation"]) == len(alloc)
    assert set(book["Halls at risk"]["hall"]) == {f"riverside-{i:03d}" for i in range(1, 6)}
    assert book["Failed halls"]["error"].iloc[0].endswith(XSS)
    csv = pd.read_csv(out / "region_halls.csv")
    assert len(csv) == 12


def test_without_allocation_or_budget(tmp_path):
    halls = region_halls().assign(headcount_assigned=np.nan)
    paths = write_region_report(halls, None, {**REGION, "headcount_budget": None}, tmp_path)
    page = (tmp_path / "region_report.html").read_text(encoding="utf-8")
    assert "<section id='allocation'>" not in page
    assert list(pd.read_excel(tmp_path / "region.xlsx", sheet_name=None)) == [
        "Every hall", "Halls at risk", "Failed halls", "Region summary"]
    assert len(paths) == 3


def test_a_large_region_caps_its_charts_and_keeps_every_hall_in_the_tables(tmp_path):
    """300 halls: the charts show the worst halls only (so the page stays readable and quick
    to render — speed itself is measured in benchmarks/bench_region.py, not here), while the
    table and the workbook keep every hall."""
    rng = np.random.default_rng(7)
    rows = [
        _hall(i, float(rng.uniform(0.6, 0.99)), holds=bool(rng.random() > 0.2))
        for i in range(1, 301)
    ]
    halls = pd.DataFrame(rows)
    write_region_report(halls, allocation_for(halls), REGION, tmp_path)
    page = (tmp_path / "region_report.html").read_text(encoding="utf-8")
    charts = section(page, "charts")
    assert f"{CHART_CAP} of 300 halls (the worst by share)" in charts
    assert charts.count("data:image/png;base64,") == 3
    assert all(f">riverside-{i:03d}<" in section(page, "halls") for i in range(1, 301))
    assert len(pd.read_excel(tmp_path / "region.xlsx", sheet_name="Every hall")) == 300


def test_every_hall_failed_with_a_coloured_traceback(tmp_path):
    """A run where nothing was planned still gives a readable report; terminal colour codes in
    an error (which the XLSX format forbids) do not stop the workbook from being written."""
    halls = pd.DataFrame([_failed(1, "\x1b[31mValueError\x1b[0m: bad"), _failed(2, "timeout")])
    write_region_report(halls, None, {"id": "r", "headcount_budget": None}, tmp_path)
    page = (tmp_path / "region_report.html").read_text(encoding="utf-8")
    assert "<td>halls planned</td><td>0</td>" in section(page, "summary")
    assert "timeout" in section(page, "failed")
    failed = pd.read_excel(tmp_path / "region.xlsx", sheet_name="Failed halls")
    assert list(failed["error"]) == ["[31mValueError[0m: bad", "timeout"]
    assert not list(tmp_path.glob(".*"))

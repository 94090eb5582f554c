"""Reports a hall manager reads, in English and in Chinese: the first screen is the verdict,
the headline numbers and the charts (tables after them); times read HH:MM, shares are
percentages inside 0–100 %; the workbook has labelled, frozen headers and the roster as an
employee × day grid; charts in Chinese render every glyph; the region report's numbers agree
with each other."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import warnings
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from matplotlib.figure import Figure

from hallplan.i18n import CATALOGUE, format_fields, label, labels
from hallplan.pipeline import PlanConfig, plan
from hallplan.region.tasks import consistent_need
from hallplan.reports.fonts import chart_fonts
from hallplan.reports.plan import write_plan_outputs
from hallplan.reports.region import write_region_report
from hallplan.reports.xlsx import to_time
from hallplan.sim.demand import demand_from_profile
from hallplan.sim.loader import load_scenario
from tests.test_region_report import REGION, allocation_for, region_halls

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "scenarios" / "county_hall.toml"
IMG = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


# ------------------------------------------------------------------ the label catalogue


def test_every_label_has_both_languages_with_the_same_fields():
    for key, (en, zh) in CATALOGUE.items():
        assert en.strip() and zh.strip(), key
        assert format_fields(en) == format_fields(zh), key


def test_an_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match="expected one of en, zh; found 'fr'"):
        labels("fr")
    assert label("verdict_hold", "zh").startswith("等待目标达成")
    assert label("n_days", "zh", n=3) == "3 天"


# ------------------------------------------------------------------ charts in Chinese


def _render(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def test_a_chart_with_chinese_labels_renders_every_glyph():
    text = "各日各时段在等待目标内叫号的顾客占比 — 08:30 普通柜台 引导员 投诉台"
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing")
        with chart_fonts("zh"):
            fig = Figure(figsize=(6, 2))
            ax = fig.subplots()
            ax.plot([0, 1], [0, -1])
            ax.set_title(text)
            ax.set_xlabel(label("time_of_day", "zh"))
            png = _render(fig)
    assert png.startswith(b"\x89PNG")
    # the same text without the CJK font is tofu: matplotlib warns, so the check can fail
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = Figure(figsize=(6, 2))
        fig.subplots().set_title(text)
        _render(fig)
    assert any("missing from font" in str(w.message) for w in caught)


# ------------------------------------------------------------------ the plan report


@pytest.fixture(scope="module")
def county_plan():
    """Three days of the county hall, two replications, one round (≈ 2 s)."""
    s = load_scenario(COUNTY)
    d = dt.date(2026, 12, 1)
    dates = [d + dt.timedelta(days=i) for i in range(3)]
    cfg = PlanConfig(reps=2, roster_time_limit_s=5, workers=1, max_rounds=1)
    return plan(s, demand_from_profile(s, dates), dates, cfg)


@pytest.fixture(scope="module", params=["en", "zh"])
def plan_out(request, county_plan, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"plan_{request.param}")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing")
        write_plan_outputs(county_plan, out, COUNTY, None, None, 3.0, request.param)
    page = (out / "report.html").read_text(encoding="utf-8")
    return request.param, out, page


def test_first_screen_is_the_verdict_then_the_numbers_then_the_charts(plan_out, county_plan):
    lang, _, page = plan_out
    t = labels(lang)
    verdict = page.index("id='verdict'")
    cards = page.index("class='cards'")
    charts = page.index("<section id='charts'>")
    tables = page.index("<section id='tables'>")
    details = page.index("<section id='details'>")
    assert verdict < cards < charts < tables < details
    assert page[charts:tables].count("data:image/png;base64,") == 3
    # before the charts only the one-row-per-lane summary: the long tables come after them
    assert page[:charts].count("<table") == 1
    lanes = len(county_plan.lane_kpis())
    assert page[verdict:charts].split("<tbody>")[1].count("<tr>") == lanes
    assert page.index("<details") > charts
    misses = len(county_plan.final_round.misses)
    expected = t("verdict_hold") if county_plan.targets_hold else t("verdict_miss", n=misses)
    assert expected in page[verdict:cards]
    assert t("headline_within") in page[cards:charts]
    # long tables are collapsed, solver jargon stays below the charts, in the details
    assert "<details><summary>" in page[charts:]
    head = IMG.sub("", page[page.index("<body>"):charts])
    for jargon in ("FEASIBLE", "OPTIMAL", "objective", "gap", "work units", "bound"):
        assert jargon not in head, jargon
    assert "pooled: status" in page[details:]


def test_shares_are_percentages_inside_0_100_and_counts_whole(plan_out):
    _, _, page = plan_out
    head = page[:page.index("<section id='charts'>")]
    shares = re.findall(r"(\d+(?:\.\d+)?)% \((\d+(?:\.\d+)?)–(\d+(?:\.\d+)?)%\)", head)
    # per lane and for the hall: within target, left before being called
    assert len(shares) == 2 + 2 * len(plan_out_lanes(head))
    for mean, lo, hi in shares:
        assert 0 <= float(lo) <= float(mean) <= float(hi) <= 100
    visits = re.search(r"<div class='v'>([\d,]+) \(([\d,]+)–([\d,]+)\)</div>", head)
    assert visits, "visits as a whole number with its interval"


def plan_out_lanes(head: str) -> list[str]:
    """The rows of the first screen's lane table."""
    body = head.split("<tbody>")[1].split("</tbody>")[0]
    return body.split("<tr>")[1:]


def test_the_report_speaks_its_language(plan_out):
    """Chinese labels throughout the Chinese report (and none of the English ones); the
    English report keeps English labels."""
    lang, _, page = plan_out
    body = IMG.sub("", page)
    zh_words = ("结论", "平均等待", "排班表（员工 × 日期）", "展开表格", "休")
    en_words = ("Verdict:", "mean wait", "The roster (employee × day)", "Show the table")
    if lang == "zh":
        assert "<html lang='zh-CN'>" in page
        assert all(w in body for w in zh_words)
        assert not any(w in body for w in en_words)
    else:
        assert "<html lang='en'>" in page
        assert all(w in body for w in en_words)
        assert not any(w in body for w in zh_words[:4])


def test_workbook_grid_headers_times_and_frozen_panes(plan_out, county_plan):
    lang, out, _ = plan_out
    t = labels(lang)
    wb = openpyxl.load_workbook(out / "plan.xlsx")
    assert wb.sheetnames[0] == t("sheet_roster_grid")
    grid = wb[t("sheet_roster_grid")]
    assert grid.freeze_panes == "B2"
    rows = list(grid.iter_rows(values_only=True))
    assert rows[0][0] == t("employee") and len(rows[0]) == 1 + len(county_plan.dates)
    assert len(rows) == 1 + len(county_plan.problem.employees)
    cell = re.compile(r"^\d{2}:\d{2}–\d{2}:\d{2} \S+")
    values = [v for r in rows[1:] for v in r[1:]]
    assert all(v == t("off") or cell.match(v) for v in values), values
    assert any(v == t("off") for v in values) and any(cell.match(v) for v in values)
    shifts = wb[t("sheet_roster_rows")]
    assert shifts.freeze_panes == "A2"
    head = [c.value for c in shifts[1]]
    assert head[:4] == [t("employee"), t("date"), t("start"), t("end")]
    start = shifts.cell(row=2, column=3)
    assert isinstance(start.value, dt.time) and start.number_format == "hh:mm"
    assert shifts.column_dimensions["A"].width >= len(t("employee"))
    days = wb[t("sheet_days")]
    share_col = [c.value for c in days[1]].index(t("col_within")) + 1
    share = days.cell(row=2, column=share_col)
    assert share.number_format == "0.0%" and 0 <= share.value <= 1


def test_to_time_reads_minutes_and_clock_text():
    assert to_time(510) == dt.time(8, 30) and to_time("17:05") == dt.time(17, 5)
    assert to_time("") == "" and to_time(None) is None and to_time(1440) == 1440


# ------------------------------------------------------------------ the region report


def test_needed_headcount_agrees_with_the_verdict():
    # targets hold with 8 on the books: at most 8 are needed, even if the hours say 10
    assert consistent_need(10, 8, True) == 8 and consistent_need(6, 8, True) == 6
    # targets miss with 8: more than 8 are needed, even if the hours say 7
    assert consistent_need(7, 8, False) == 9 and consistent_need(12, 8, False) == 12


def _consistent_region() -> tuple[pd.DataFrame, pd.DataFrame]:
    halls = region_halls()
    ok = halls["status"] == "ok"
    # as hallplan.region.tasks builds them: needed ≤ on the books exactly when targets hold
    halls.loc[ok, "headcount_needed"] = [
        consistent_need(int(n), int(c), bool(h)) for n, c, h in
        zip(halls.loc[ok, "headcount_needed"], halls.loc[ok, "headcount_current"],
            halls.loc[ok, "targets_hold"], strict=True)]
    alloc = allocation_for(halls)
    # an allocation that keeps every hall's headcount, with the curve's own (pooled-share)
    # verdict saying every hall is fine — the report must not repeat that
    alloc["headcount"] = halls.loc[ok, "headcount_current"].astype(int).to_numpy()
    alloc["meets_target"] = True
    return halls, alloc


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_region_numbers_agree_with_each_other(tmp_path, lang):
    halls, alloc = _consistent_region()
    ok = halls[halls["status"] == "ok"]
    write_region_report(halls, alloc, REGION, tmp_path, lang)
    page = html.unescape((tmp_path / "region_report.html").read_text(encoding="utf-8"))
    t = labels(lang)
    hold = int(ok["targets_hold"].sum())
    needed = int(ok["headcount_needed"].sum())
    # summary verdict and allocation say the same number of halls meet their target
    assert t("region_verdict", hold=hold, planned=len(ok)) in page
    assert t("region_alloc_meets", n=hold, total=len(ok)) in page
    # "needed" in the headline is the allocation's "least headcount meeting the target"
    assert t("region_headcount", needed=f"{needed:,}",
             current=f"{int(ok['headcount_current'].sum()):,}") in page
    assert t("region_alloc_need", n=f"{needed:,}") in page
    book = pd.read_excel(tmp_path / "region.xlsx", sheet_name=t("sec_allocation")[:31])
    assert int(book[t("col_meets_alloc")].sum()) == hold
    assert int(book[t("col_needed")].sum()) == needed
    # first screen: verdict, then the charts, then the tables
    assert page.index("<section id='verdict'>") < page.index("<section id='charts'>") < (
        page.index("<table"))
    for share in re.findall(r"(\d+(?:\.\d+)?)%", IMG.sub("", page)):
        assert 0 <= float(share) <= 100


def test_region_workbook_has_labelled_frozen_headers(tmp_path):
    halls, alloc = _consistent_region()
    write_region_report(halls, alloc, REGION, tmp_path, "zh")
    wb = openpyxl.load_workbook(tmp_path / "region.xlsx")
    ws = wb[label("sec_every_hall", "zh")]
    assert ws.freeze_panes == "B2"
    head = [c.value for c in ws[1]]
    assert "在册" in head and "每时段达标" in head
    col = head.index("目标内占比") + 1
    assert ws.cell(row=2, column=col).number_format == "0.0%"


def test_region_headcount_rule_is_the_one_the_tasks_use():
    """headcount_needed() itself applies the rule (a plan whose targets hold with 5 people
    never reports that it needs 6)."""
    from hallplan.region.tasks import headcount_needed

    emp = SimpleNamespace(contract_hours_per_week=40.0, duty_manager=False)
    last = SimpleNamespace(paid_hours=400.0, requirement_staff_hours=390.0,
                           under_coverage_staff_hours=60.0)
    p = SimpleNamespace(scenario=SimpleNamespace(staff=SimpleNamespace(
        all_employees=lambda: [emp] * 5)), dates=list(range(14)), final_round=last,
        targets_hold=True)
    assert headcount_needed(p) == 5
    p.targets_hold = False
    assert headcount_needed(p) > 5


# ------------------------------------------------------------------ what-if and requirement


def _whatif_table() -> pd.DataFrame:
    rows = []
    for name, shift in (("base", 0.0), ("one more counter", 5.0)):
        for metric, mean in (("called within target (%)", 82.0), ("mean wait (min)", 6.0),
                             ("abandoned (%)", 3.0), ("staff-hours", 60.0)):
            rows.append({"scenario": name, "date": dt.date(2026, 3, 11), "metric": metric,
                         "mean": mean + shift, "ci_half_width": 1.0,
                         "diff_vs_base": shift, "diff_ci_half_width": 0.5 if shift else 0.0})
    return pd.DataFrame(rows)


def test_whatif_comparison_in_chinese(tmp_path):
    from hallplan.reports.whatif import write_whatif_outputs

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing")
        write_whatif_outputs(_whatif_table(), tmp_path, 5, 1, "zh")
    md = (tmp_path / "whatif.md").read_text(encoding="utf-8")
    assert md.startswith("# 情景对比") and "| 指标 |" in md
    assert "目标内叫号（%）" in md and "平均等待（分钟）" in md and "Δ +5.0 ± 0.5 ✱" in md


def test_requirement_heatmap_in_chinese(tmp_path):
    from hallplan.optimize.staffing_requirement import Requirement
    from hallplan.reports.requirement import write_requirement_outputs

    d = dt.date(2026, 12, 1)
    req = Requirement(30, pd.DataFrame({
        "date": [d, d], "interval_start_min": [540.0, 570.0], "post": ["general", "greeter"],
        "staff": [2, 1], "method": ["lag", "lag"]}))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing")
        paths = write_requirement_outputs(req, tmp_path, lang="zh")
    assert {p.name for p in paths} == {"requirement.csv", "requirement_heatmap.png"}
    # the roster's input keeps its English columns whatever the language
    assert list(pd.read_csv(tmp_path / "requirement.csv").columns)[:3] == [
        "date", "interval_start_min", "post"]


def test_ranking_chart_colours_the_halls_whose_targets_do_not_hold_red():
    from matplotlib.colors import to_hex

    from hallplan.reports.region_charts import MISS_COLOUR, ranking_figure

    halls = region_halls()
    fig = ranking_figure(halls)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_height() > 0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    red = {n for n, b in zip(names, bars, strict=True) if to_hex(b.get_facecolor()) == MISS_COLOUR}
    assert red == {"riverside-001", "riverside-002", "riverside-003"}


def test_sheet_names_with_characters_excel_forbids_are_made_safe(tmp_path):
    """The five tables' titles ("Table 1: …") become sheet names; Excel forbids ':' and
    friends there, so the workbook must still be written (the demo's plan.xlsx once failed)."""
    import openpyxl
    import pandas as pd

    from hallplan.reports.xlsx import Sheet, write_workbook

    frame = pd.DataFrame({"a": [1]})
    path = write_workbook(tmp_path / "t.xlsx", [Sheet("Table 1: forecast vs actual", frame),
                                                Sheet("a/b [c]", frame)])
    names = openpyxl.load_workbook(path).sheetnames
    assert names == ["Table 1 - forecast vs actual", "a -b -c -"]



@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_loop_notes_and_the_calibration_section_speak_the_report_language(lang,
                                                                              county_plan):
    import dataclasses

    from hallplan.i18n import note_text
    from hallplan.optimize.loop import NOTES
    from hallplan.reports.plan import report_html
    from hallplan.sim.notes import Note

    notes = [Note(NOTES, "availability", a="0.8"),
             Note(NOTES, "worse_round", round=2, best=1, open=4, best_open=3, lost=5)]
    page = report_html(dataclasses.replace(county_plan, notes=notes), lang=lang)
    details = html.unescape(page[page.index("<section id='details'>"):])
    for n in notes:
        assert note_text(n, lang) in details
        assert (str(n) in details) == (lang == "en"), n
    calibration = page[page.index("<section id='calibration'>"):page.index("<section id='tables'>")]
    assert label("cal_sec_plan", lang) in calibration
    assert ("not calibrated" in calibration) == (lang == "en")

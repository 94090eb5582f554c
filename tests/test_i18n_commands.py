"""Every command a planner runs speaks the report language (``--lang``, else the scenario's
``report.language`` / the region file's ``settings.language``, else English): status lines,
reports and the notes the engine packages write; library reads never create a history store;
a large ticket-log import shows its progress by rows."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from hallplan.i18n import CATALOGUE, format_fields, note_text
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "scenarios" / "county_hall.toml"
DATA = ROOT / "tests" / "data" / "anonymous_bank_calls_1999-02.tsv.gz"
MAPPING = ROOT / "docs" / "mappings" / "anonymous_bank.toml"
BANK = ROOT / "scenarios" / "anonymous_bank.toml"


# ------------------------------------------------------------------ notes of the engines


def _note_templates() -> dict[str, dict[str, str]]:
    from hallplan.forecast import five_tables, store
    from hallplan.forecast.calibrate import NOTES as CALIBRATE
    from hallplan.optimize.loop import NOTES as LOOP
    from hallplan.optimize.loop import STEPS as LOOP_STEPS
    from hallplan.optimize.roster.model import STEPS as ROSTER_STEPS
    from hallplan.region.run import NOTES as REGION

    return {"optimize.loop": LOOP, "forecast.five_tables": five_tables.NOTES,
            "forecast.calibrate": CALIBRATE, "forecast.store": store.NOTES,
            "region.run": REGION, "optimize.loop steps": LOOP_STEPS,
            "optimize.roster steps": ROSTER_STEPS}


def test_every_engine_note_is_in_the_catalogue_with_the_same_english_and_fields():
    keys = []
    for where, templates in _note_templates().items():
        for key, text in templates.items():
            entry = CATALOGUE.get(f"note_{key}")
            assert entry is not None, f"{where}: note {key!r} has no note_{key} label"
            assert entry[0] == text, f"{where}: note_{key}'s English differs from the template"
            assert format_fields(entry[1]) == format_fields(text), key
            keys.append(key)
    assert len(keys) == len(set(keys)), "a note key is used by two packages"


def test_a_note_is_english_text_that_says_itself_in_chinese_and_survives_pickling():
    from hallplan.optimize.loop import NOTES
    from hallplan.sim.notes import Note

    n = Note(NOTES, "worse_round", round=3, best=2, open=5, best_open=4, lost=7)
    assert n.startswith("round 3 is worse than round 2 (5 vs 4 intervals")
    assert "keeps the better roster" in n  # still a str for every caller that searches it
    zh = note_text(n, "zh")
    assert zh.startswith("第 3 轮不如第 2 轮") and "7 个需求格" in zh
    assert note_text(n, "en") == str(n)
    back = pickle.loads(pickle.dumps(n))  # region halls come back from worker processes
    assert back == n and back.key == "worse_round" and note_text(back, "zh") == zh
    assert note_text("a plain sentence", "zh") == "a plain sentence"


def test_a_post_named_in_a_note_is_said_in_chinese_too():
    from hallplan.optimize.loop import NOTES
    from hallplan.sim.notes import Note

    n = Note(NOTES, "over_layout", n=15, post="general", date="2026-12-01", staff=5,
             counters=4)
    assert "general 2026-12-01" in n  # English keeps the post's own name
    zh = note_text(n, "zh")
    assert "general" not in zh and "普通柜台" in zh


# ------------------------------------------------------------------ the commands


@pytest.mark.parametrize("argv", [
    ["demo", "--out", "{d}/demo"],
    ["calibrate", str(DATA), "--scenario", str(BANK), "--out", "{d}/cal"],
    ["forecast", "--hall", "county-hall", "--month", "2026-10", "--store", "{d}/h.duckdb"],
    ["history", "import", "{d}/log.csv", "--hall", "county-hall"],
    ["history", "generate", "{d}/log.csv", "--scenario", str(COUNTY)],
], ids=["demo", "calibrate", "forecast", "history-import", "history-generate"])
def test_every_command_takes_lang_and_a_bad_one_is_a_clear_error(argv, tmp_path):
    args = [a.replace("{d}", str(tmp_path)) for a in argv]
    r = run_cli(*args, "--lang", "fr")
    assert r.exit_code == 2, r.output
    assert "--lang" in r.output and "expected one of en, zh; found 'fr'" in r.output
    assert not list(tmp_path.iterdir()), "a refused command wrote something"


@pytest.fixture(scope="module")
def county_store(tmp_path_factory):
    """Three months of county-hall history generated and imported in Chinese (≈ 10 s)."""
    d = tmp_path_factory.mktemp("zh")
    log, store = d / "county.csv", d / "h.duckdb"
    gen = run_cli("history", "generate", log, "--scenario", COUNTY, "--start", "2026-07-01",
                  "--end", "2026-09-30", "--lang", "zh")
    imp = run_cli("history", "import", log, "--hall", "county-hall", "--store", store,
                  "--scenario", COUNTY, "--lang", "zh")
    return d, store, gen, imp


def test_history_generate_and_import_speak_chinese(county_store):
    _d, _store, gen, imp = county_store
    assert gen.exit_code == 0, gen.output
    assert "已写入" in gen.output and "wrote" not in gen.output
    assert imp.exit_code == 0, imp.output
    assert "行，导入" in imp.output and "已存在 0 行" in imp.output
    assert "rows read" not in imp.output
    assert "正在检查" in imp.output and "checking" not in imp.output  # its progress lines


def test_forecast_speaks_chinese_and_english_stays_the_default(county_store, tmp_path):
    _d, store, _gen, _imp = county_store
    zh = run_cli("forecast", "--hall", "county-hall", "--month", "2026-10", "--store", store,
                 "--scenario", COUNTY, "--out", tmp_path / "zh", "--lang", "zh")
    assert zh.exit_code == 0, zh.output
    assert "预测到访" in zh.output and "已写入" in zh.output
    assert "visits forecast" not in zh.output
    en = run_cli("forecast", "--hall", "county-hall", "--month", "2026-10", "--store", store,
                 "--scenario", COUNTY, "--out", tmp_path / "en")
    assert en.exit_code == 0, en.output
    assert "visits forecast" in en.output and "预测" not in en.output


def test_the_five_tables_notes_in_chinese(county_store):
    from hallplan.forecast.five_tables import five_tables
    from hallplan.reports.forecast import five_note_lines, notes_text
    from hallplan.sim.loader import load_scenario

    _d, store, _gen, _imp = county_store
    ft = five_tables(store, "county-hall", load_scenario(COUNTY), 2026, 10)
    zh = five_note_lines(ft.notes, "zh")
    assert any(line.startswith(("预测：新预测（", "预测：已存预测 #")) for line in zh), zh
    assert "本月人手：情景文件的 default_staffing（没有已存排班）" in zh
    basis = next(line for line in zh if line.startswith("能力依据："))
    assert "柜台平均服务" in basis and "（历史数据 2026-" in basis  # a note inside a note
    assert any(line.startswith("上月预测：根据 2026-09-01 之前的历史数据") for line in zh), zh
    text = notes_text(ft, "zh")
    assert text.startswith("# 五表 — county-hall 2026-10\n")
    assert "new forecast" not in text and "Tables:" not in text


def test_calibrate_writes_its_report_in_chinese(tmp_path):
    """Two fit days, one held-out day, two replications (≈ 12 s)."""
    out = tmp_path / "cal"
    r = run_cli("calibrate", DATA, "--scenario", BANK, "--mapping", MAPPING,
                "--fit-days", "1999-02-01..1999-02-02", "--test-days", "1999-02-03",
                "--reps", 2, "--out", out, "--lang", "zh")
    assert r.exit_code == 0, r.output
    md = (out / "calibration.md").read_text(encoding="utf-8")
    assert md.startswith("# 模型校准\n")
    for heading in ("## 服务时间", "## 耐心时间", "## 留出日", "## 说明"):
        assert heading in md
    assert "模型" in md.splitlines()[2]  # the verdict, said in Chinese
    assert "balking" not in md and "见队长放弃" in md  # the calibration's own note
    assert "Service times" not in md and "Held-out" not in md
    assert "<title>模型校准</title>" in (out / "calibration.html").read_text(encoding="utf-8")
    assert "已写入" in r.output
    # the overlay and the JSON are for tools: English as before
    assert json.loads((out / "calibration.json").read_text())["verdict"].startswith("The model")


def test_the_plan_reports_calibration_section_in_chinese():
    from hallplan.reports.calibration import plan_calibration_html
    from hallplan.sim.loader import load_scenario

    s = load_scenario(COUNTY)
    zh = plan_calibration_html(s, "zh")
    assert "模型校准" in zh and "未用取号记录校准" in zh
    assert "not calibrated" not in zh
    assert "not calibrated against a ticket log" in plan_calibration_html(s)


# ------------------------------------------------------------------ the region file


def _region(tmp_path: Path, settings: str = "") -> Path:
    p = tmp_path / "region.toml"
    p.write_text(f'[region]\nid = "r"\nmonth = "2026-12"\n[settings]\nreps = 1\n'
                 f'roster_time_limit = 2\nmax_rounds = 1\ndays = 2\n{settings}\n'
                 f'[[halls]]\nid = "c1"\nscenario = "{COUNTY.as_posix()}"\n', encoding="utf-8")
    return p


def test_the_region_file_has_a_language_setting_that_does_not_change_the_plans(tmp_path):
    from hallplan.region.file import load_region
    from hallplan.sim.errors import ScenarioError

    for sub in "abc":
        (tmp_path / sub).mkdir()
    en = load_region(_region(tmp_path / "a"))
    zh = load_region(_region(tmp_path / "b", 'language = "zh"'))
    assert en.spec.settings.language == "en" and zh.spec.settings.language == "zh"
    assert en.hall_hash("c1") == zh.hall_hash("c1")  # --resume reuses the halls either way
    with pytest.raises(ScenarioError, match="language"):
        load_region(_region(tmp_path / "c", 'language = "fr"'))


def test_region_plan_writes_the_files_language_unless_lang_says_otherwise(tmp_path):
    """One county hall, two days, one replication (≈ 15 s)."""
    f = _region(tmp_path, 'language = "zh"')
    r = run_cli("region", "plan", f, "--workers", "1", "--out", tmp_path / "out")
    assert r.exit_code == 0, r.output
    page = (tmp_path / "out" / "region_report.html").read_text(encoding="utf-8")
    assert "区域计划" in page and "Region plan" not in page
    hall = (tmp_path / "out" / "halls" / "c1" / "report.html").read_text(encoding="utf-8")
    assert "排班计划" in hall
    assert "报告：" in r.output
    assert "营业厅, " in r.output and "重复仿真, " in r.output  # the progress lines
    assert "halls, " not in r.output and "replications, " not in r.output
    again = run_cli("region", "plan", f, "--workers", "1", "--out", tmp_path / "out",
                    "--resume")
    assert again.exit_code == 0, again.output
    assert "续跑：1 个营业厅已计划" in again.output and "resume:" not in again.output


# ------------------------------------------------------------------ reads never create a store


def test_library_reads_never_create_a_missing_store(tmp_path):
    from hallplan.forecast.five_tables import five_tables, forecast_month
    from hallplan.forecast.store import StoreError
    from hallplan.sim.loader import load_scenario

    s = load_scenario(COUNTY)
    missing = tmp_path / "typo" / "histroy.duckdb"
    with pytest.raises(StoreError, match="no history store at"):
        forecast_month(missing, "county-hall", s, 2026, 10)
    with pytest.raises(StoreError, match="no history store at"):
        five_tables(missing, "county-hall", s, 2026, 10)
    assert not missing.exists() and not missing.parent.exists()
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ import progress by rows


def test_reading_a_large_log_reports_rows_as_they_are_read(tmp_path, monkeypatch):
    import hallplan.forecast.export_reader as er

    monkeypatch.setattr(er, "READ_CHUNK_ROWS", 1000)
    f = tmp_path / "t.csv"
    f.write_text("a,b\n" + "".join(f"{i},x\n" for i in range(4500)), encoding="utf-8")
    seen: list[tuple[int, int | None]] = []
    table = er.read_export(f, rows=lambda done, total: seen.append((done, total)))
    assert len(table.frame) == 4500
    assert seen[0] == (0, 4500) and seen[-1] == (4500, 4500)
    done = [d for d, _ in seen]
    assert done == sorted(done) and len(seen) >= 5  # one call a chunk
    plain = er.read_export(f)  # without the callback: the same table
    assert plain.frame.equals(table.frame) and (plain.lines == table.lines).all()


def test_history_import_in_a_log_prints_a_progress_line_by_rows(county_store, tmp_path,
                                                                 monkeypatch):
    """stderr is not a terminal under the test runner: plain lines with the row count (the
    line interval lowered through HALLPLAN_PROGRESS_EVERY_S, the chunk size lowered so a
    three-month log is "large")."""
    import hallplan.forecast.export_reader as er

    d, _store, _gen, _imp = county_store
    log = d / "county.csv"
    rows = sum(1 for _ in log.open(encoding="utf-8")) - 1
    monkeypatch.setattr(er, "READ_CHUNK_ROWS", max(rows // 8, 1))
    monkeypatch.setenv("HALLPLAN_PROGRESS_EVERY_S", "0.05")
    r = run_cli("history", "import", log, "--hall", "county-hall", "--store",
                tmp_path / "new.duckdb", "--scenario", COUNTY)
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.output.splitlines() if f"reading {log}: rows" in ln]
    assert lines, r.output
    assert lines[0].startswith(f"importing {log} — reading {log}: rows, 0/{rows}, ")
    assert f", {rows}/{rows}, " in lines[-1]
    assert f"{rows} rows read, {rows} imported" in r.output



# ------------------------------------------------------------------ progress labels

#: English words of the progress steps that must not be left in a Chinese progress line
ENGLISH_STEP_WORDS = ("round", "roster", "stage", "named staff", "shift counts", "simulate",
                      "replications", "requirement", "full-staffing", "interval", "about",
                      " s,", " s left")


def _log_console(monkeypatch):
    """Progress goes to a log (plain lines) captured in a buffer."""
    import io

    from rich.console import Console

    import hallplan.console as hc

    buf = io.StringIO()
    monkeypatch.setattr(hc, "err_console", Console(file=buf, width=300, force_terminal=False))
    return buf


def _roster_problem():
    from hallplan.optimize.roster import RosterProblem
    from tests.test_roster_helpers import MON, requirement, tiny_hall

    return RosterProblem.from_scenario(
        tiny_hall(), requirement([(MON, "general", "09:00", "15:00", 1)]))


@pytest.mark.parametrize("method", ["pooled", "two_stage"])
def test_the_roster_stages_are_notes_that_say_themselves_in_chinese(method):
    from hallplan.optimize.roster import RosterOptimizer
    from tests.test_roster_helpers import CFG

    seen: list = []
    RosterOptimizer(_roster_problem(), CFG, method=method,
                    progress=lambda stage, done, total: seen.append(stage)).solve()
    assert seen, "the roster reported no stage"
    english = {str(s) for s in seen}
    assert english & {"stage 1: shift counts", "two-stage 1: shift counts"}  # unchanged
    for stage in seen:
        zh = note_text(stage, "zh")
        assert zh != str(stage) and ("阶段" in zh), (stage, zh)
        assert not any(w in zh for w in ENGLISH_STEP_WORDS), zh
        assert note_text(stage, "en") == str(stage)


def test_the_plan_progress_line_speaks_chinese(monkeypatch):
    from hallplan.console import activity
    from hallplan.optimize.loop import PlanConfig, plan
    from hallplan.sim.demand import demand_from_profile
    from tests.test_roster_helpers import MON, tiny_hall

    buf = _log_console(monkeypatch)
    s = tiny_hall()
    with activity("计划", "zh") as step:
        plan(s, demand_from_profile(s, [MON]), [MON],
             PlanConfig(reps=2, max_rounds=1, roster_time_limit_s=5, workers=1), progress=step)
    lines = buf.getvalue().splitlines()
    text = "\n".join(lines)
    assert "计划 — 需求（lag）" in text
    assert "满员检验：所有柜台都有人（重复仿真）" in text
    assert "第 1/1 轮：排班" in text and "第 1/1 轮：排班 阶段" in text
    assert "第 1/1 轮：仿真排班（重复仿真）" in text and "秒" in text
    for line in lines:
        assert not any(w in line for w in ENGLISH_STEP_WORDS), line


def test_the_plan_progress_line_in_english_is_unchanged(monkeypatch):
    from hallplan.console import activity
    from hallplan.optimize.loop import STEPS
    from hallplan.optimize.roster.model import STEPS as ROSTER
    from hallplan.sim.notes import Note

    buf = _log_console(monkeypatch)
    stage = Note(ROSTER, "step_stage2_groups")
    with activity("plan") as step:
        step(Note(STEPS, "step_round_roster_stage", round=2, rounds=3, stage=stage), 0, 4)
    assert buf.getvalue().splitlines()[0] == (
        "plan — round 2/3: roster stage 2: named staff (skill groups), 0/4, 0 s")

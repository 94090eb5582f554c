"""The command line as a planner uses it: clear errors with exit code 2, files written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "scenarios" / "county_hall.toml"


def test_validate_accepts_every_reference_scenario():
    files = [str(p) for p in sorted((ROOT / "scenarios").rglob("*.toml"))
             if "regions" not in p.parts]
    result = run_cli("validate", *files)
    assert result.exit_code == 0, result.output
    assert result.output.count("✓") == len(files)
    for region in sorted((ROOT / "scenarios" / "regions").glob("*.toml")):
        result = run_cli("region", "validate", region)
        assert result.exit_code == 0, result.output


def test_validate_reports_file_key_expected_found_without_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    text = COUNTY.read_text(encoding="utf-8")
    bad.write_text(re.sub(r"(?m)^count = \d+", "count = -3", text, count=1), encoding="utf-8")
    result = run_cli("validate", bad)
    assert result.exit_code == 2
    out = result.output
    assert "bad.toml: kiosks.count: expected greater than or equal to 0; found -3" in out
    assert "Traceback" not in out


def test_schema_is_json_with_scenario_keys():
    result = run_cli("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert {"hall", "lanes", "service_types", "demand"} <= set(schema["properties"])


def test_simulate_writes_the_promised_files(tmp_path):
    out = tmp_path / "out"
    result = run_cli("simulate", COUNTY, "--reps", 3, "--seed", 4, "--out", out)
    assert result.exit_code == 0, result.output
    for name in ["customers.csv", "kpi_interval.csv", "summary.md", "waits.png"]:
        assert (out / name).stat().st_size > 0, name
    cust = pd.read_csv(out / "customers.csv")
    assert set(cust["rep"]) == {0, 1, 2}
    kpi = pd.read_csv(out / "kpi_interval.csv")
    assert {
        "interval_start_min",
        "lane",
        "mean_wait_min",
        "share_called_within_target",
        "queue_len_mean",
        "utilisation",
    } <= set(kpi.columns)
    assert "## Targets" in (out / "summary.md").read_text(encoding="utf-8")
    assert not list(out.glob(".*"))  # no temporary files left behind


def test_bad_date_is_a_clear_error(tmp_path):
    result = run_cli("simulate", COUNTY, "--date", "2026-13-01", "--out", tmp_path)
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.S)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "hallplan demo" in blocks[0]
    assert "pytest" in blocks[1] and blocks[1].strip() in ci


def test_requirement_writes_csv_and_heatmap(tmp_path):
    out = tmp_path / "req"
    result = run_cli("requirement", COUNTY, "--month", "2026-12", "--method", "sipp",
                     "--out", out)
    assert result.exit_code == 0, result.output
    req = pd.read_csv(out / "requirement.csv")
    assert list(req.columns) == ["date", "interval_start_min", "post", "staff", "method"]
    assert req["date"].nunique() == 31 and (req["staff"] >= 0).all()
    assert (out / "requirement_heatmap.png").stat().st_size > 0


def test_requirement_rejects_unknown_method(tmp_path):
    result = run_cli("requirement", COUNTY, "--month", "2026-12", "--method", "guess",
                     "--out", tmp_path)
    assert result.exit_code == 2 and "sipp" in result.output


def test_the_scenario_can_ask_for_chinese_and_lang_overrides_it(tmp_path):
    """``report.language = "zh"`` in the scenario gives the summary, chart and status lines in
    Chinese (every glyph drawn); ``--lang en`` on the command line wins over the file."""
    import warnings

    zh = tmp_path / "county_zh.toml"
    text = COUNTY.read_text(encoding="utf-8")
    zh.write_text(text + '\n[report]\nlanguage = "zh"\n', encoding="utf-8")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing")
        result = run_cli("simulate", zh, "--reps", "2", "--out", tmp_path / "zh")
    assert result.exit_code == 0, result.output
    assert "次重复" in result.output and "已写入" in result.output
    summary = (tmp_path / "zh" / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("# 仿真：") and "## 目标" in summary and "普通柜台" in summary
    result = run_cli("simulate", zh, "--reps", "2", "--lang", "en", "--out", tmp_path / "en")
    assert result.exit_code == 0, result.output
    assert "## Targets" in (tmp_path / "en" / "summary.md").read_text(encoding="utf-8")
    bad = tmp_path / "county_fr.toml"
    bad.write_text(text + '\n[report]\nlanguage = "fr"\n', encoding="utf-8")
    result = run_cli("validate", bad)
    assert result.exit_code == 2 and "report.language" in result.output

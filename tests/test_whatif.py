"""What-if runs: variants share the base's customers, and the difference comes with a CI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from hallplan.cli import app
from hallplan.whatif import _diff_ci, compare, load_variant, run_whatif

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "county_hall.toml"


def test_variant_overrides_only_what_it_says(tmp_path):
    v = tmp_path / "more_kiosks.toml"
    v.write_text("[kiosks]\ncount = 3\n", encoding="utf-8")
    s = load_variant(BASE, v)
    assert s.kiosks.count == 3
    assert s.lanes == load_variant(BASE, BASE).lanes


def test_same_day_variant_sees_the_same_customers_and_paired_ci(tmp_path):
    v = tmp_path / "no_triage.toml"
    v.write_text("[triage]\nenabled = false\n", encoding="utf-8")
    base, (var,) = run_whatif(BASE, [v], reps=4, seed=3)
    arrivals_b = base.results.hall_metric("arrivals").to_numpy()
    arrivals_v = var.results.hall_metric("arrivals").to_numpy()
    assert np.array_equal(arrivals_b, arrivals_v)  # common random numbers
    table = compare(base, [var])
    row = table[(table["scenario"] == "no_triage") & (table["metric"] == "visits")].iloc[0]
    assert row["paired"] and row["diff_vs_base"] == 0 and row["diff_ci_half_width"] == 0


def test_unpaired_difference_uses_welch():
    base = np.array([1.0, 2.0, 3.0, 4.0])
    var = np.array([3.0, 4.0, 5.0, 6.0])
    diff, hw = _diff_ci(base, var, paired=False)
    assert diff == 2.0 and 1.0 < hw < 4.0
    diff_p, hw_p = _diff_ci(base, var, paired=True)
    assert diff_p == 2.0 and hw_p == 0.0


def test_whatif_command_writes_table_and_chart(tmp_path):
    v = tmp_path / "one_more_kiosk.toml"
    v.write_text("[kiosks]\ncount = 2\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["whatif", str(BASE), str(v), "--reps", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    md = (out / "whatif.md").read_text(encoding="utf-8")
    assert "one_more_kiosk" in md and "Δ" in md
    assert (out / "whatif.png").stat().st_size > 0

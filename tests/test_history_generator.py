"""The simulated ticket-log history: the same rows however many processes simulate it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from hallplan.forecast.generator import generate_history
from hallplan.sim.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "scenarios" / "county_hall.toml"


def test_history_simulated_month_by_month_in_parallel_has_the_same_rows():
    s = load_scenario(COUNTY)
    a, b = dt.date(2026, 10, 30), dt.date(2026, 12, 2)  # three months, two of them partial
    seen: list[tuple[int, int]] = []
    one = generate_history(s, a, b, seed=5)
    two = generate_history(s, a, b, seed=5, workers=2,
                           progress=lambda done, total: seen.append((done, total)))
    pd.testing.assert_frame_equal(one, two)
    assert len(one) > 0
    assert seen == [(2, 34), (32, 34), (34, 34)]  # whole months, in order


def test_history_generate_writes_the_same_log_with_one_worker_or_two(tmp_path):
    from typer.testing import CliRunner

    from hallplan.cli import app

    logs = []
    for w in (1, 2):
        out = tmp_path / f"log{w}.csv"
        r = CliRunner().invoke(app, ["history", "generate", str(out), "--scenario", str(COUNTY),
                                     "--start", "2026-11-29", "--end", "2026-12-01",
                                     "--workers", str(w)])
        assert r.exit_code == 0, r.output
        logs.append(out.read_bytes())
    assert logs[0] == logs[1] and len(logs[0]) > 1000

"""Progress a planner can follow: a bar with an ETA on a terminal, and in a log (output that
is not a terminal) a plain line when a stage starts and then every few seconds."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, TimeRemainingColumn
from typer.testing import CliRunner

from hallplan.cli import app
from hallplan.console import PlainProgress, progress_bar

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _plain(every_s: float = 5.0):
    buf, clock = io.StringIO(), Clock()
    console = Console(file=buf, width=200, force_terminal=False)
    return PlainProgress(console, every_s=every_s, clock=clock, heartbeat=False), buf, clock


def test_a_log_gets_a_line_per_stage_then_one_every_few_seconds_with_an_eta():
    p, buf, clock = _plain(every_s=5)
    with p:
        task = p.add_task("roster — stage 2: named staff (skill groups)", total=7)
        clock.t += 1
        p.update(task, completed=1)  # 1 s later: too soon for another line
        clock.t += 5
        p.update(task, completed=3)
        clock.t += 1
        p.remove_task(task)  # the next stage: a new line at once
        task = p.add_task("roster — repair")
        clock.t += 2
        p.tick()  # the heartbeat: quiet for 2 s only
        clock.t += 3
        p.tick()  # 5 s without a line: the heartbeat speaks
    assert buf.getvalue().splitlines() == [
        "roster — stage 2: named staff (skill groups), 0/7, 0 s",
        "roster — stage 2: named staff (skill groups), 3/7, 6 s, about 8 s left",
        "roster — repair, 0 s",
        "roster — repair, 5 s",
    ]


def test_a_finished_task_says_so_once_and_then_falls_silent():
    p, buf, clock = _plain(every_s=5)
    task = p.add_task("simulating county-hall 2026-12-01", total=3)
    clock.t += 1
    p.update(task, completed=3)
    clock.t += 30
    p.tick()
    p.update(task, completed=3)
    assert buf.getvalue().splitlines() == [
        "simulating county-hall 2026-12-01, 0/3, 0 s",
        "simulating county-hall 2026-12-01, 3/3, 1 s",
    ]


def test_a_terminal_gets_a_bar_with_time_remaining_and_a_log_gets_lines():
    terminal = Console(file=io.StringIO(), force_terminal=True)
    bar = progress_bar(terminal)
    assert isinstance(bar, Progress)
    assert any(isinstance(c, TimeRemainingColumn) for c in bar.columns)
    log = Console(file=io.StringIO(), force_terminal=False)
    assert isinstance(progress_bar(log), PlainProgress)


def test_simulate_in_a_log_reports_its_replications(tmp_path):
    result = CliRunner().invoke(app, ["simulate", str(ROOT / "scenarios" / "county_hall.toml"),
                                      "--reps", "3", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("simulating county-hall")]
    assert lines[0].endswith(", 0/3, 0 s")
    assert ", 3/3, " in lines[-1]


def test_simulate_and_whatif_bars_speak_chinese(tmp_path):
    county = str(ROOT / "scenarios" / "county_hall.toml")
    result = CliRunner().invoke(app, ["simulate", county, "--reps", "2", "--lang", "zh",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("正在仿真 county-hall")]
    assert lines and lines[0].endswith(", 0/2, 0 秒"), result.output
    assert "simulating" not in result.output
    variant = tmp_path / "more.toml"
    variant.write_text("[staff]\navailability = 0.9\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["whatif", county, str(variant), "--reps", "2", "--lang",
                                      "zh", "--out", str(tmp_path / "wi")])
    assert result.exit_code == 0, result.output
    assert "假设分析" in result.output and "what-if" not in result.output, result.output

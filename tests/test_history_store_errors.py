"""The history store fails cleanly. A ``--store`` that is a folder, a text file, a place that
cannot be written or a store another process holds open gets one clear line (file, what was
expected, what was found) and exit 2, never a DuckDB traceback. Read commands never create
a store: a mistyped ``--store`` is "no history store at …", not a silent empty forecast. A
``history import`` killed half-way leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from hallplan.cli import app
from hallplan.forecast.generator import generate_history
from hallplan.forecast.store import HistoryStore, StoreError
from hallplan.forecast.ticket_log import write_ticket_log
from hallplan.sim.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "scenarios" / "county_hall.toml"
HALL = "county-hall"
runner = CliRunner()


@pytest.fixture(scope="module")
def log_file(tmp_path_factory) -> Path:
    """One simulated county-hall day as a canonical ticket log."""
    frame = generate_history(load_scenario(COUNTY), dt.date(2026, 9, 1), dt.date(2026, 9, 1))
    return write_ticket_log(frame, tmp_path_factory.mktemp("log") / "day.csv")


def import_into(store: Path, log: Path):
    return runner.invoke(
        app, ["history", "import", str(log), "--hall", HALL, "--store", str(store)]
    )


def read_command(name: str, store: Path, tmp_path: Path):
    if name == "plan":
        args = ["plan", str(COUNTY), "--month", "2026-10", "--history", str(store)]
    else:
        args = [name, "--hall", HALL, "--month", "2026-10", "--store", str(store)]
    return runner.invoke(app, [*args, "--out", str(tmp_path / "out")])


def one_line(output: str) -> str:
    return " ".join(output.split())


# --------------------------------------------------------------------------- not a store


def test_a_folder_a_text_file_and_an_empty_file_are_not_stores(log_file, tmp_path):
    folder = tmp_path / "folder.duckdb"
    folder.mkdir()
    text = tmp_path / "notes.duckdb"
    text.write_text("hall_id,ticket_id\n", encoding="utf-8")
    empty = tmp_path / "empty.duckdb"
    empty.touch()
    cases = {
        folder: "expected a history store file (DuckDB); found a folder",
        text: "found a text file of 18 bytes starting 'hall_id,ticket_id' — a ticket log?",
        empty: "found an empty file (0 bytes)",
        log_file: "expected a history store (a DuckDB file); found a text file",
    }
    for store, expected in cases.items():
        for r in (import_into(store, log_file), read_command("forecast", store, tmp_path)):
            assert r.exit_code == 2, r.output
            out = one_line(r.output)
            assert f"--store: {store}: " in out and expected in out, out
            assert "Traceback" not in out and "IOException" not in out
    assert text.read_text(encoding="utf-8") == "hall_id,ticket_id\n"  # left alone


def test_a_store_that_cannot_be_created_says_where_and_why(log_file, tmp_path):
    under_a_file = tmp_path / "day.csv" / "h.duckdb"
    (tmp_path / "day.csv").write_text("x", encoding="utf-8")
    r = import_into(under_a_file, log_file)
    assert r.exit_code == 2
    assert "cannot create the history store:" in one_line(r.output)
    assert "is a file, not a folder" in one_line(r.output)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_a_store_in_a_read_only_folder_is_a_clear_error(log_file, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        r = import_into(ro / "h.duckdb", log_file)
    finally:
        ro.chmod(0o755)
    assert r.exit_code == 2
    assert "is not writable" in one_line(r.output)


def test_a_store_held_open_by_another_process_is_named_not_a_traceback(log_file, tmp_path):
    store = tmp_path / "h.duckdb"
    assert import_into(store, log_file).exit_code == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('open', flush=True); "
            "sys.stdin.read()",
            str(store),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        for r in (import_into(store, log_file), read_command("forecast", store, tmp_path)):
            assert r.exit_code == 2, r.output
            out = one_line(r.output)
            assert "found it in use by another process (PID " in out
            assert f"PID {holder.pid}" in out and "Traceback" not in out
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert import_into(store, log_file).exit_code == 0  # free again


# --------------------------------------------------------------------------- read commands


@pytest.mark.parametrize("command", ["forecast", "five-tables", "plan"])
def test_read_commands_never_create_a_store(command, tmp_path):
    typo = tmp_path / "histroy.duckdb"
    r = read_command(command, typo, tmp_path)
    assert r.exit_code == 2, r.output
    assert f"no history store at {typo}" in one_line(r.output)
    assert not typo.exists()
    assert not (tmp_path / "out").exists()  # nothing was "forecast" from the profile


def test_a_store_without_the_halls_visits_names_the_halls_it_holds(log_file, tmp_path):
    store = tmp_path / "h.duckdb"
    assert import_into(store, log_file).exit_code == 0
    r = runner.invoke(
        app,
        ["forecast", "--hall", "flagship-city-centre", "--month", "2026-10", "--store", str(store)],
    )
    assert r.exit_code == 2
    out = one_line(r.output)
    assert "expected visits of hall 'flagship-city-centre'; found none" in out
    assert "(halls in the store: county-hall)" in out


def test_the_library_opens_an_existing_store_only_when_asked(tmp_path):
    with pytest.raises(StoreError, match="no history store at"):
        HistoryStore(tmp_path / "missing.duckdb", create=False)
    assert not (tmp_path / "missing.duckdb").exists()
    with HistoryStore(tmp_path / "new.duckdb") as s:  # the import's default: create
        assert s.halls() == []


# --------------------------------------------------------------------------- killed import


def _big_log(day: Path, days: int, out: Path) -> int:
    """``days`` copies of one day's log, each shifted to its own date (ticket ids restart
    daily, so every row is a new visit)."""
    one = pd.read_csv(day, dtype=str, keep_default_na=False)
    big = pd.concat([one] * days, ignore_index=True)
    shift = pd.to_timedelta(np.repeat(np.arange(days), len(one)), unit="D")
    for c in ("ticket_time", "call_time", "service_start", "service_end", "leave_time"):
        t = pd.to_datetime(big[c].where(big[c] != ""), format="%Y-%m-%d %H:%M:%S")
        big[c] = (t + shift).dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
    big.to_csv(out, index=False)
    return len(big)


def _visits(store: Path) -> tuple[int, int]:
    with HistoryStore(store, read_only=True, create=False) as s:
        n = int(s.con.execute("SELECT count(*) FROM visits").fetchone()[0])
        imports = int(s.con.execute("SELECT count(*) FROM imports").fetchone()[0])
    return n, imports


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_a_killed_import_leaves_the_store_as_it_was(log_file, tmp_path, sig):
    """SIGKILL (or Ctrl-C) at several moments after the import starts writing: each time the
    store holds either exactly what it held before or the whole file — never part of it."""
    store = tmp_path / "h.duckdb"
    assert import_into(store, log_file).exit_code == 0
    before = _visits(store)
    day_rows = len(pd.read_csv(log_file, dtype=str))
    big = tmp_path / "big.csv"
    n_big = _big_log(log_file, 150, big)  # its first day is already stored: skipped
    complete = (before[0] + n_big - day_rows, before[1] + 1)
    cmd = [sys.executable, "-m", "hallplan.cli", "history", "import", str(big), "--hall", HALL]
    seen = []
    for delay_s in (0.0, 0.1, 0.3):
        proc = subprocess.Popen(
            [*cmd, "--store", str(store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for line in proc.stderr:
            if "in one transaction" in line:  # "… — writing N visits …": about to begin
                break
        time.sleep(delay_s)
        proc.send_signal(sig)
        code = proc.wait(timeout=60)
        after = _visits(store)
        # stopped, not finished as if nothing happened — unless the Ctrl-C landed after the
        # transaction committed, when the import did finish and exit 0 is the truth
        if sig == signal.SIGKILL:
            assert code == -signal.SIGKILL
        else:
            assert code != 0 or after == complete, f"exit 0 without the whole file (+{delay_s} s)"
        assert after in (before, complete), f"partial import after a kill at +{delay_s} s"
        seen.append("intact" if after == before else "complete")
        if after == complete:
            break  # committed just before the kill; later kills would import nothing
    assert seen  # (which moments hit the transaction depends on the machine's speed)
    r = import_into(store, big)
    assert r.exit_code == 0, r.output
    assert _visits(store)[0] == complete[0]

"""Ctrl-C as a planner presses it: the command stops within seconds, says so in one line,
exits 130, and leaves the output folder and the history store as they were.

Real ``hallplan`` processes are started and sent SIGINT at several moments — while starting,
while the roster solver runs (HiGHS and CP-SAT in native code), while a plan writes its files,
while a ticket log is imported, while ``demo`` generates its history, after ``region plan``
wrote its first hall — all side by side, so the whole file stays near a minute (Linux: the
start-up moment is found in /proc).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from hallplan.atomic import MANIFEST, is_temporary, read_manifest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux /proc")

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "scenarios" / "county_hall.toml"
#: a stopped command must be gone this soon after the SIGINT (a loaded 2-core box)
STOP_WITHIN_S = 8.0


@dataclass
class Outcome:
    name: str
    returncode: int
    stderr: str
    stop_s: float  # from the SIGINT to the process's exit

    @property
    def interrupt_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.startswith("hallplan: interrupted")]


def _hallplan(args: list[str], cwd: Path) -> subprocess.Popen:
    env = dict(os.environ, HALLPLAN_PROGRESS_EVERY_S="1", COLUMNS="200")
    return subprocess.Popen([sys.executable, "-m", "hallplan", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _importing(pid: int) -> bool:
    """The command's own start-up has begun: its slow imports (numpy first) are under way.
    (Before that the interpreter itself is starting, which no program can take Ctrl-C from.)"""
    try:
        return "numpy" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def _interrupt(name: str, args: list[str], cwd: Path, *, after_s: float = 0.0,
               marker: str | re.Pattern | None = None) -> Outcome:
    """Start ``hallplan args``; send SIGINT ``after_s`` after the stderr line containing
    ``marker`` (text, or a pattern searched for; plain progress lines: stderr is a pipe),
    or, without a marker, ``after_s`` into the start-up's imports."""
    p = _hallplan(args, cwd)
    seen = threading.Event()
    err: list[str] = []

    def read_err() -> None:
        for line in p.stderr:
            err.append(line)
            if marker is not None and (marker.search(line) if isinstance(marker, re.Pattern)
                                       else marker in line):
                seen.set()

    readers = [threading.Thread(target=read_err, daemon=True),
               threading.Thread(target=p.stdout.read, daemon=True)]
    for t in readers:
        t.start()
    if marker is not None and not seen.wait(timeout=240):
        p.kill()
        pytest.fail(f"{name}: never printed {marker!r}:\n{''.join(err)}")
    deadline = time.monotonic() + 60
    while marker is None and not _importing(p.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(after_s)
    if p.poll() is not None:
        pytest.fail(f"{name}: finished (exit {p.returncode}) before the SIGINT:\n{''.join(err)}")
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    try:
        rc = p.wait(timeout=120)
    except subprocess.TimeoutExpired:
        p.kill()
        pytest.fail(f"{name}: still running 120 s after Ctrl-C:\n{''.join(err)}")
    stop_s = time.monotonic() - sent
    for t in readers:
        t.join(timeout=5)
    return Outcome(name, rc, "".join(err), stop_s)


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones included) with its content hash."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _store_counts(store: Path) -> dict[str, int]:
    with duckdb.connect(str(store), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _leftovers(parent: Path) -> list[str]:
    """Temporaries and staging folders of ours anywhere under ``parent``."""
    return sorted(str(p.relative_to(parent)) for p in parent.rglob(".*")
                  if "hallplan-" in p.name or is_temporary(p))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Inputs, one complete plan (the "previous run"), then every interrupted run at once."""
    from hallplan.forecast.generator import generate_history_file
    from hallplan.forecast.store import import_ticket_log
    from hallplan.optimize.requirements import requirement_for_month
    from hallplan.sim.loader import load_scenario

    base = tmp_path_factory.mktemp("interrupts")
    s = load_scenario(COUNTY)
    req, _ = requirement_for_month(s, 2026, 12, "lag")
    req.table.to_csv(base / "requirement.csv", index=False)
    old_log = generate_history_file(s, dt.date(2026, 1, 1), dt.date(2026, 1, 10),
                                    base / "old.csv", seed=1)
    new_log = generate_history_file(s, dt.date(2026, 2, 1), dt.date(2026, 4, 30),
                                    base / "new.csv", seed=2)
    store = base / "history.duckdb"
    import_ticket_log(old_log, s.hall.id, store, s)

    roster = ["roster", str(COUNTY), "--requirement", str(base / "requirement.csv"),
              "--time-limit", "60", "--workers", "1"]
    quick = ["plan", str(COUNTY), "--month", "2026-12", "--days", "3", "--reps", "1",
             "--rounds", "1", "--time-limit", "5", "--workers", "1"]
    month_plan = ["plan", str(COUNTY), "--month", "2026-12", "--reps", "1", "--rounds", "1",
                  "--time-limit", "60", "--workers", "1"]
    imp = ["history", "import", str(new_log), "--hall", s.hall.id, "--store", str(store),
           "--scenario", str(COUNTY)]
    # (arguments, seconds after start or after the marker, marker on stderr)
    cases = {
        "roster_start": ([*roster, "--out", str(base / "roster_start" / "out")], 0.1, None),
        "roster_solver": ([*roster, "--out", str(base / "roster_solver" / "out")], 2.0,
                          "stage 1"),
        "import_start": (imp, 0.1, None),  # never reaches the store: may overlap the next
        "import_rows": (imp, 0.0, "importing"),
        "plan_start": ([*quick, "--out", str(base / "plan_start" / "out")], 0.1, None),
        "plan_solver": ([*month_plan, "--out", str(base / "plan_solver" / "out")], 2.0,
                        "roster stage 1"),
        "plan_writing": ([*quick, "--out", str(base / "plan_writing" / "out")], 0.2,
                         "write —"),
    }
    outcomes: dict[str, Outcome] = {}
    failures: list[BaseException] = []

    def one(name: str) -> None:
        (base / name).mkdir(exist_ok=True)
        try:
            args, after_s, marker = cases[name]
            outcomes[name] = _interrupt(name, args, base / name, after_s=after_s, marker=marker)
        except BaseException as exc:
            failures.append(exc)

    def side_by_side(names: list[str], also=None) -> None:
        threads = [threading.Thread(target=one, args=(n,)) for n in names]
        for t in threads:
            t.start()
        if also is not None:
            also()
        for t in threads:
            t.join()
        if failures:
            raise failures[0]

    # the previous run, into a folder holding a planner's own file, a temporary left by a
    # plan killed mid-write, a staging folder of a dead run and a file of an older run
    prev = base / "prev"
    prev.mkdir()
    (prev / "my_notes.txt").write_text("keep me", encoding="utf-8")
    (prev / ".plan.xlsx.k2j3h4g5.xlsx").write_bytes(b"half a workbook")
    (prev / "old_only.csv").write_text("x\n1\n", encoding="utf-8")
    (prev / MANIFEST).write_text('{"run_id": "older", "entries": ["old_only.csv"]}',
                                 encoding="utf-8")
    (base / ".prev.hallplan-new-20260101T000000-p999999-abcdef").mkdir()

    def previous_run() -> None:
        done = _hallplan([*quick, "--out", str(prev)], base)
        _out, err = done.communicate(timeout=600)
        assert done.returncode == 0, err

    # phase 1: the previous plan, while the roster and import cases run
    store_before = _store_counts(store)
    side_by_side(["roster_start", "roster_solver", "import_start"], also=previous_run)
    side_by_side(["import_rows"])  # the store: after import_start's process is gone
    before = {"prev": _snapshot(prev), "store": store_before}
    for case in ("plan_start", "plan_solver", "plan_writing"):
        shutil.copytree(prev, base / case / "out")
    # phase 2: the plan cases, each into a copy of the previous run
    side_by_side(["plan_start", "plan_solver", "plan_writing"])
    sys.stderr.write("stop after Ctrl-C: " + ", ".join(
        f"{n} {o.stop_s:.2f} s" for n, o in sorted(outcomes.items())) + "\n")
    return base, before, outcomes


ALL = ["roster_start", "roster_solver", "plan_start", "plan_solver", "plan_writing",
       "import_start", "import_rows"]


@pytest.mark.parametrize("name", ALL)
def test_ctrl_c_stops_within_seconds_with_one_line_and_exit_130(runs, name):
    _base, _before, outcomes = runs
    o = outcomes[name]
    assert o.returncode == 130, o.stderr
    assert o.stop_s < STOP_WITHIN_S, f"{name}: {o.stop_s:.1f} s after Ctrl-C"
    assert len(o.interrupt_lines) == 1, o.stderr
    assert o.stderr.rstrip().splitlines()[-1] == o.interrupt_lines[0]
    assert "Traceback" not in o.stderr
    assert "Error" not in o.stderr and "terminate called" not in o.stderr


@pytest.mark.parametrize("name", ["roster_start", "roster_solver"])
def test_an_interrupted_roster_writes_nothing(runs, name):
    base, _before, _outcomes = runs
    assert not (base / name / "out").exists()
    assert _leftovers(base / name) == []
    if name == "roster_solver":
        assert "nothing was written to" in runs[2][name].interrupt_lines[0]


@pytest.mark.parametrize("name", ["plan_start", "plan_solver", "plan_writing"])
def test_an_interrupted_plan_leaves_the_previous_run_exactly_as_it_was(runs, name):
    base, before, outcomes = runs
    assert _snapshot(base / name / "out") == before["prev"]
    assert _leftovers(base / name) == []
    if name != "plan_start":  # started: it names the folder it left alone
        assert f"{base / name / 'out'} still holds the previous run" in (
            outcomes[name].interrupt_lines[0])


def test_the_solver_was_stopped_not_waited_for(runs):
    """The month roster's stage 1 alone takes far longer than the stop did."""
    _base, _before, outcomes = runs
    assert "roster stage 1" in outcomes["plan_solver"].stderr
    assert outcomes["plan_solver"].stop_s < STOP_WITHIN_S


@pytest.mark.parametrize("name", ["import_start", "import_rows"])
def test_an_interrupted_import_leaves_the_store_intact(runs, name):
    base, before, outcomes = runs
    assert _store_counts(base / "history.duckdb") == before["store"]
    if name == "import_rows":
        assert "unchanged" in outcomes[name].interrupt_lines[0]


def test_a_complete_run_keeps_the_planners_files_and_removes_what_earlier_runs_left(runs):
    base, before, _outcomes = runs
    prev = base / "prev"
    assert (prev / "my_notes.txt").read_text(encoding="utf-8") == "keep me"
    assert not (prev / "old_only.csv").exists()  # the older run's own file
    assert _leftovers(base) == []  # the killed run's temporary, the dead run's staging folder
    manifest = read_manifest(prev)
    assert manifest["command"] == "plan"
    assert {"plan.json", "roster.csv", "report.html"} <= set(manifest["entries"])
    assert "my_notes.txt" not in manifest["entries"]
    assert set(before["prev"]) == set(manifest["files"]) | {MANIFEST, "my_notes.txt"}


# ---------------------------------------------------------------- in-process: the solvers


def _hard_knapsack(n: int = 300, rows: int = 40):
    """A random multi-dimensional knapsack: minutes to prove optimal, so a solver given a
    long budget is still searching when the stop comes."""
    import numpy as np

    rng = np.random.default_rng(0)
    return (rng.integers(1, 100, n), rng.integers(1, 60, (rows, n)), 500)


def _stop_soon(after_s: float = 0.5) -> threading.Timer:
    from hallplan.sim.interrupt import request_stop

    timer = threading.Timer(after_s, request_stop)
    timer.start()
    return timer


def test_a_stopped_cp_sat_search_raises_instead_of_returning_its_best_so_far():
    from ortools.sat.python import cp_model

    from hallplan.optimize.roster import SolverConfig, make_solver
    from hallplan.sim.interrupt import Interrupted, reset

    value, weight, cap = _hard_knapsack()
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{i}") for i in range(len(value))]
    for row in weight:
        m.add(sum(int(w) * v for w, v in zip(row, x, strict=True)) <= cap)
    m.maximize(sum(int(c) * v for c, v in zip(value, x, strict=True)))
    solver = make_solver(SolverConfig(time_limit_s=120, workers=2))
    assert solver.parameters.catch_sigint_signal is False  # CP-SAT must not eat the Ctrl-C
    reset()
    t0 = time.monotonic()
    try:
        _stop_soon()
        with pytest.raises(Interrupted):
            solver.solve(m)
        assert time.monotonic() - t0 < 5
        with pytest.raises(Interrupted):  # nothing new starts once a stop was requested
            make_solver(SolverConfig(time_limit_s=1)).solve(m)
    finally:
        reset()


def test_a_stopped_highs_solve_raises_instead_of_returning_its_incumbent():
    import highspy
    import numpy as np

    from hallplan.sim.interrupt import Interrupted, reset, run_highs

    value, weight, cap = _hard_knapsack()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", 120.0)
    n = len(value)
    for _ in range(n):
        h.addVar(0, 1)
    idx = np.arange(n, dtype=np.int32)
    h.changeColsIntegrality(n, idx, np.array([highspy.HighsVarType.kInteger] * n))
    h.changeColsCost(n, idx, -value.astype(float))
    for row in weight:
        h.addRow(-np.inf, float(cap), n, idx, row.astype(float))
    reset()
    t0 = time.monotonic()
    try:
        _stop_soon()
        with pytest.raises(Interrupted):
            run_highs(h)
        assert time.monotonic() - t0 < 5
    finally:
        reset()


# ---------------------------------------------------------------- demo and region plan


@pytest.fixture(scope="module")
def demo_and_region(tmp_path_factory):
    """``demo`` stopped while it generates its history, and ``region plan`` (six county
    halls, two days, one worker) stopped once a hall is written and before the last —
    side by side, into fresh folders (≈ 30 s). (A progress line comes at most every second
    or so, and a county hall plans in about one: the count may jump past 1.)"""
    base = tmp_path_factory.mktemp("interrupts_more")
    region = base / "region.toml"
    halls = "".join(f'[[halls]]\nid = "c{i}"\nscenario = "{COUNTY.as_posix()}"\n'
                    for i in (1, 2, 3, 4, 5, 6))
    region.write_text('[region]\nid = "r"\nmonth = "2026-12"\n[settings]\nreps = 1\n'
                      "roster_time_limit = 2\nmax_rounds = 1\ndays = 2\n" + halls,
                      encoding="utf-8")
    cases = {
        "demo": (["demo", "--workers", "1", "--out", str(base / "demo" / "out")], 1.0,
                 "simulating days"),
        "region": (["region", "plan", str(region), "--workers", "1", "--out",
                    str(base / "region" / "out")], 0.0, re.compile(r"halls, [1-4]/6")),
    }
    outcomes: dict[str, Outcome] = {}
    failures: list[BaseException] = []

    def one(name: str) -> None:
        (base / name).mkdir()
        try:
            args, after_s, marker = cases[name]
            outcomes[name] = _interrupt(name, args, base / name, after_s=after_s, marker=marker)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(n,)) for n in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]
    return base, outcomes


@pytest.mark.parametrize("name", ["demo", "region"])
def test_ctrl_c_in_demo_and_region_plan_stops_with_one_line_and_exit_130(demo_and_region,
                                                                        name):
    _base, outcomes = demo_and_region
    o = outcomes[name]
    assert o.returncode == 130, o.stderr
    assert o.stop_s < STOP_WITHIN_S, f"{name}: {o.stop_s:.1f} s after Ctrl-C"
    assert len(o.interrupt_lines) == 1, o.stderr
    assert o.stderr.rstrip().splitlines()[-1] == o.interrupt_lines[0]
    assert "Traceback" not in o.stderr
    assert "Error" not in o.stderr and "terminate called" not in o.stderr


def test_an_interrupted_demo_leaves_no_output_folder(demo_and_region):
    base, outcomes = demo_and_region
    assert not (base / "demo" / "out").exists()
    assert _leftovers(base / "demo") == []  # the run folder it was building is gone
    assert f"nothing was written to {base / 'demo' / 'out'}" in (
        outcomes["demo"].interrupt_lines[0])


def test_an_interrupted_region_keeps_only_whole_halls_and_writes_no_region_report(
        demo_and_region):
    base, outcomes = demo_and_region
    out = base / "region" / "out"
    assert not (out / "region_report.html").exists() and not (out / "region.json").exists()
    assert not (out / MANIFEST).exists()
    halls = out / "halls"
    kept = sorted(p.name for p in halls.iterdir() if p.is_dir())
    assert "c1" in kept and len(kept) < 6  # the first hall finished, the run did not
    for h in kept:  # every hall folder there is complete
        assert (halls / h / "hall_result.json").is_file(), h
        assert (halls / h / "report.html").is_file(), h
    assert _leftovers(base / "region") == []
    assert not [p.name for p in halls.iterdir() if p.name.startswith(".")]  # no half hall
    line = outcomes["region"].interrupt_lines[0]
    assert "no region report written" in line and "--resume" in line


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_whose_exception_python_drops_still_ends_the_command_as_interrupted(capsys):
    """Python runs the SIGINT handler between bytecodes; if that is inside a finalizer
    (``__del__``), the handler's exception is printed as "Exception ignored" and the code
    carries on. The stop flag the handler set first still ends the command with exit 130."""
    import gc

    import typer

    from hallplan.interrupt import handling

    class Finalized:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)  # the handler runs here: its raise is dropped
            time.sleep(0.05)

    finished = []

    def command() -> None:
        with handling():
            obj = Finalized()
            del obj
            gc.collect()
            finished.append(True)  # the body itself carried on past the Ctrl-C

    with pytest.raises(typer.Exit) as ex:
        command()
    assert finished == [True]
    assert ex.value.exit_code == 130
    assert "interrupted (Ctrl-C)" in capsys.readouterr().err

"""The full-staffing check runs at low priority while the roster is solved: same numbers as
in the foreground, and it stops at once when the planner gives up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from hallplan.optimize.misses import full_staffing
from hallplan.sim.background import BackgroundSimulation
from hallplan.sim.demand import demand_from_profile
from hallplan.sim.loader import load_scenario
from hallplan.sim.replicate import simulate

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "scenarios" / "county_hall.toml"
DAYS = [dt.date(2026, 12, 1), dt.date(2026, 12, 5)]


def _args(s):
    return (s, demand_from_profile(s, DAYS), full_staffing(s))


def test_a_background_simulation_gives_the_foreground_numbers():
    s = load_scenario(COUNTY)
    kw = dict(reps=3, seed=11, dates=DAYS, keep_customers=False)
    front = simulate(*_args(s), workers=1, **kw)
    seen: list[tuple[int, int]] = []
    with BackgroundSimulation(*_args(s), workers=2, **kw) as bg:
        back = bg.result(progress=lambda done, total: seen.append((done, total)))
    for attr in ("interval_kpis", "day_kpis", "staff"):
        pd.testing.assert_frame_equal(getattr(back, attr), getattr(front, attr))
    assert seen[-1] == (6, 6)  # 2 days x 3 replications, reported when done


def test_a_cancelled_background_simulation_stops_its_workers():
    s = load_scenario(COUNTY)
    bg = BackgroundSimulation(*_args(s), workers=2, reps=200, seed=1, dates=DAYS,
                              keep_customers=False)
    workers = list(bg._pool._processes.values())
    assert workers and all(p.is_alive() for p in workers)
    bg.cancel()
    assert all(_gone(p) for p in workers), [(p.pid, p.exitcode) for p in workers]
    assert not bg._thread.is_alive()


def _gone(p, wait_s: float = 5.0) -> bool:
    """The worker process has ended (exit code known, or no such process, or a zombie):
    ``is_alive()`` alone is racy here, the pool's own thread may reap the child first."""
    import os
    import time

    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if p.exitcode is not None:
            return True
        try:
            os.kill(p.pid, 0)
        except ProcessLookupError:
            return True
        stat = Path(f"/proc/{p.pid}/stat")
        if stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"):
            return True
        time.sleep(0.05)
    return False


def test_the_workers_run_at_the_lowest_priority():
    import os

    s = load_scenario(COUNTY)
    with BackgroundSimulation(*_args(s), workers=2, reps=1, seed=1, dates=DAYS[:1],
                              keep_customers=False) as bg:
        nice = bg._pool.submit(os.nice, 0).result()
        bg.result()
    if hasattr(os, "nice"):  # Linux, macOS: the lowest priority (19) whatever the parent's
        assert nice == 19

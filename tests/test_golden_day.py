"""A golden day: the engine reproduces one committed flagship day customer by customer, and
the SimPy internals its hot path uses stay in one module, checked against SimPy itself.

Regenerate the golden file only with ``python tests/golden/regenerate.py`` (see there).
"""

from __future__ import annotations

import re
from pathlib import Path

import simpy

from hallplan.sim import fastevents
from hallplan.sim.fastevents import Tick, new_environment, scheduler
from tests.golden.regenerate import GOLDEN, golden_frame, golden_text

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sim", "forecast", "optimize", "hallplan")
# what only hallplan.sim.fastevents may say: SimPy's private clock, its priority constant,
# the raw schedule call, a hand-made event class, SimPy's modules themselves
INTERNALS = re.compile(
    r"\._now\b|\bNORMAL\b|\.schedule\(|class _?Tick\b|^\s*(import simpy|from simpy)", re.M
)


def test_engine_reproduces_the_golden_day():
    committed = GOLDEN.read_text(encoding="utf-8").splitlines()
    fresh = golden_text(golden_frame()).splitlines()
    assert len(committed) > 1000  # a real flagship day, not an empty file
    first = next((i for i, (a, b) in enumerate(zip(committed, fresh, strict=False)) if a != b),
                 None)
    assert first is None and len(committed) == len(fresh), (
        f"the engine no longer reproduces {GOLDEN.name}: "
        + (f"line {first + 1}\n  golden: {committed[first]}\n  now:    {fresh[first]}"
           if first is not None else f"{len(committed)} lines golden, {len(fresh)} now")
        + "\n(if the change is meant, run tests/golden/regenerate.py and say so in the commit)"
    )


def test_simpy_is_a_version_the_fast_events_were_checked_against():
    major_minor = ".".join(simpy.__version__.split(".")[:2])
    assert major_minor in fastevents.CHECKED_SIMPY, (
        f"SimPy {simpy.__version__}: hallplan.sim.fastevents relies on Environment.step "
        f"internals checked for {fastevents.CHECKED_SIMPY}; check them and add the version"
    )


def test_a_tick_runs_through_a_real_environment_like_an_event():
    env = new_environment()
    schedule = scheduler(env)
    seen = []

    def record(tick):
        seen.append((env.now, tick._value))

    schedule(Tick(record, "b"), 2.5)
    schedule(Tick(record, "a"), 1.0)
    schedule(Tick(record, "c"), 2.5)  # same time: first scheduled, first run
    env.timeout(2.0).callbacks.append(lambda ev: seen.append((env.now, "timeout")))
    env.run()
    assert seen == [(1.0, "a"), (2.0, "timeout"), (2.5, "b"), (2.5, "c")]
    assert env.now == 2.5


def test_simpy_internals_live_only_in_fastevents():
    found = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if path == ROOT / "sim" / "fastevents.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}: {m.group(0).strip()}"
                      for m in INTERNALS.finditer(text)]
    assert not found, "SimPy internals outside hallplan.sim.fastevents:\n" + "\n".join(found)
    assert INTERNALS.search((ROOT / "sim" / "fastevents.py").read_text(encoding="utf-8"))

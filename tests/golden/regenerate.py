"""Regenerate the golden day: ``python tests/golden/regenerate.py`` (from the repository root).

The golden day is one flagship day (the reference weekday, the scenario's own demand profile
and staffing, one replication, seed :data:`SEED`) written customer by customer to
``flagship_day.csv``. ``tests/test_golden_day.py`` requires the engine to reproduce it digit for
digit. Only run this script when a change is *meant* to alter simulated customers
(a new model feature, a changed random stream) and say so in the commit message; the diff
of the CSV shows what changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from hallplan.scenarios import scenario_path
from hallplan.sim.loader import load_scenario
from hallplan.sim.replicate import simulate

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "flagship_day.csv"
SCENARIO = "flagship_city_centre.toml"
SEED = 20261201


def golden_frame() -> pd.DataFrame:
    """The flagship day's customers as the engine simulates them today."""
    hall = load_scenario(scenario_path(SCENARIO))
    res = simulate(hall, dates=[hall.reference_date], reps=1, seed=SEED)
    return res.customers.drop(columns=["rep"]).reset_index(drop=True)


def golden_text(frame: pd.DataFrame) -> str:
    """CSV text, times to the microminute (6 decimals: far below any modelled effect, and
    the same digits whenever the engine computes the same floats)."""
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.6f")


def main() -> int:
    text = golden_text(golden_frame())
    GOLDEN.write_text(text, encoding="utf-8")
    print(f"wrote {GOLDEN} ({text.count(chr(10)) - 1} customers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

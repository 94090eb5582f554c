"""Synthetic regions for benchmarks and tests: N halls drawn as variants of the reference
halls (county, district, flagship), reproducible from a seed.

The mix (assumption, roughly a prefecture-level city's estate): 60 % county halls, 35 %
district halls, 5 % flagships; demand scaled ×0.6–1.4, a counter more or less, kiosks varied,
and headcount set to what the scaled demand needs at the reference hall's staff per visit.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from hallplan.atomic import write_text
from hallplan.scenarios import scenarios_dir

KINDS = (("county", "county_hall.toml", 0.60, 4, 1, 7),
         ("district", "district_hall.toml", 0.35, 6, 3, 13),
         ("flagship", "flagship_city_centre.toml", 0.05, 15, 8, 44))


def synthetic_region(n_halls: int, seed: int = 1, month: str = "2026-12",
                     base_dir: Path | None = None, flagships: bool = True) -> str:
    """The region TOML text. ``base_dir``: where the file will live (scenario paths are
    written relative to it). ``flagships=False`` leaves out the (slow) flagship halls."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    kinds = KINDS if flagships else KINDS[:2]
    p = np.array([k[2] for k in kinds])
    p = p / p.sum()
    base_dir = Path(base_dir or scenarios_dir())
    lines = ["# synthetic region (hallplan region generate): variants of the reference halls",
             "[region]", f'id = "synthetic-{n_halls}"', f'name = "{n_halls} synthetic halls"',
             f'month = "{month}"', "", "[settings]", "reps = 3", f"seed = {seed}",
             "roster_time_limit = 20", "max_rounds = 2", ""]
    total_headcount = 0
    for i in range(n_halls):
        kind, file, _, counters, kiosks, staff = kinds[int(rng.choice(len(kinds), p=p))]
        scale = float(np.round(rng.uniform(0.6, 1.4), 2))
        c = max(counters + int(rng.integers(-1, 2)), 2)
        k = max(kiosks + int(rng.integers(-1, 2)), 0)
        head = max(math.ceil(staff * (0.7 + 0.3 * scale)), staff // 2 + 2)
        total_headcount += head
        rel = os.path.relpath(scenarios_dir() / file, base_dir)
        lines += ["[[halls]]", f'id = "{kind}-{i + 1:03d}"', f'scenario = "{rel}"',
                  f"demand_scale = {scale}", f"counters = {{ general = {c} }}",
                  f"kiosks = {k}", f"headcount = {head}", ""]
    budget = round(total_headcount * 0.95)
    lines.insert(lines.index("[settings]") - 1, f"headcount_budget = {budget}")
    return "\n".join(lines) + "\n"


def write_synthetic_region(path: str | Path, n_halls: int, seed: int = 1,
                           month: str = "2026-12", flagships: bool = True) -> Path:
    path = Path(path).resolve()
    text = synthetic_region(n_halls, seed, month, base_dir=path.parent, flagships=flagships)
    return write_text(path, text)

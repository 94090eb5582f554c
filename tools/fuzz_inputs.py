"""A larger run of the input fuzz test: generated bad and hostile inputs over every surface
(scenario TOML, requirement CSV, region file, CLI flags) through the real CLI, counted per
class and surface, and per kind of case (see ``tests/fuzz_inputs_cases.py`` for the classes
and the kinds; fewer cases than there are still run at least one of every kind).

    python tools/fuzz_inputs.py --cases 500 [--seed 1] [--show-bad]

Exit code 1 when any case ends in a bad class (unnamed error, traceback, hang, silent accept).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzz_inputs_cases import (
    BAD_KINDS,
    CLASSES,
    all_cases,
    run_cases,
    sample,
    tally,
    tally_kinds,
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=500, help="number of cases (default 500)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the sampled extra cases")
    ap.add_argument("--show-bad", action="store_true", help="print every bad case")
    args = ap.parse_args()
    cases = sample(all_cases(), args.cases, args.seed)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hallplan-fuzz-") as tmp:
        results = run_cases(cases, Path(tmp))
    elapsed = time.perf_counter() - t0
    table = tally(results)
    print(f"{len(results)} cases in {elapsed:.0f} s")
    print(f"{'surface':<12}" + "".join(f"{c:>15}" for c in CLASSES))
    for surface, row in table.items():
        print(f"{surface:<12}" + "".join(f"{row[c]:>15}" for c in CLASSES))
    print()
    print(f"{'kind':<22}" + "".join(f"{c:>15}" for c in CLASSES))
    for kind, row in tally_kinds(results).items():
        print(f"{kind:<22}" + "".join(f"{row[c]:>15}" for c in CLASSES))
    bad = [(c, cls, text) for c, cls, text in results if cls in BAD_KINDS]
    if bad and args.show_bad:
        for case, cls, text in bad:
            print(f"--- {cls}: [{case.surface}] {case.name}\n{text.strip()[:400]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

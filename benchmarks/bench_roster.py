"""Roster optimiser on the flagship month: two-stage vs monolithic CP-SAT.

The requirement is the scenario's ``default_staffing`` bands read as "required at post"
(``--requirement bands``, every day alike) or a varied month (``--requirement varied``,
default): the bands scaled ×1.15 on weekends and ×1.25/1.15/1.05 on the billing days 1–3,
capped at the physical counters. Printed per method: wall time, objective, bound, gap,
under-coverage staff-hours, paid hours vs a lower bound, and the checker's verdict.

Paid-hours lower bound: for every (day, post) the fewest paid minutes (handover included) of
shifts from the allowed templates that cover the requirement exactly, solved as its own small
CP-SAT model (identical profiles once); the sum of their proven bounds.

Usage: ``python benchmarks/bench_roster.py [--time-limit 120] [--workers 2]
[--methods two_stage,monolithic] [--days 31] [--requirement varied|bands]``.
Targets (issue 5): 120 s on 2 workers, zero under-coverage when headcount suffices, paid
hours within 3 % of the lower bound.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from ortools.sat.python import cp_model  # noqa: E402

from hallplan.optimize.roster import (  # noqa: E402
    RosterInfeasibleError,
    RosterNotFoundError,
    RosterOptimizer,
    RosterProblem,
    SolverConfig,
    check_roster,
    make_solver,
    requirement_from_bands,
)
from hallplan.optimize.staffing_requirement import Requirement  # noqa: E402
from hallplan.sim.loader import load_scenario  # noqa: E402

SCENARIO = ROOT / "scenarios" / "flagship_city_centre.toml"


def varied_requirement(scenario, dates) -> Requirement:
    base = requirement_from_bands(scenario, dates).table.copy()
    cap = {p: scenario.physical_capacity(p) for p in scenario.posts}
    uplift = {1: 1.25, 2: 1.15, 3: 1.05}

    def scale(row) -> int:
        f = uplift.get(row.date.day, 1.0) * (1.15 if row.date.weekday() >= 5 else 1.0)
        return min(cap[row.post], math.ceil(row.staff * f - 1e-9))

    base["staff"] = [scale(r) for r in base.itertuples(index=False)]
    return Requirement(scenario.interval_min, base, notes="varied month")


def paid_lower_bound(P: RosterProblem, seconds: float = 5.0) -> float:
    """Σ over (day, post) of the least paid minutes that cover the requirement (hours)."""
    T, iv = P.templates, P.interval_min
    cache: dict[tuple, float] = {}
    total = 0.0
    for d in P.dates:
        for p in P.posts:
            req = P.required[(d, p)]
            if not any(req):
                continue
            if req not in cache:
                m = cp_model.CpModel()
                xs = [(t, m.new_int_var(0, max(req), "")) for t in T]
                for k, t0 in enumerate(P.grid):
                    m.add(sum(x for t, x in xs if t.covers(t0, iv)) >= req[k])
                m.minimize(sum(t.paid_min * x for t, x in xs))
                s = make_solver(SolverConfig(time_limit_s=seconds, workers=2))
                s.solve(m)
                cache[req] = s.best_objective_bound
            total += cache[req]
    return total / 60.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--methods", default="two_stage,monolithic")
    ap.add_argument("--days", type=int, default=31)
    ap.add_argument("--requirement", choices=["varied", "bands"], default="varied")
    ap.add_argument("--start", default="2026-12-01")
    args = ap.parse_args()

    sc = load_scenario(SCENARIO)
    start = dt.date.fromisoformat(args.start)
    dates = [start + dt.timedelta(days=k) for k in range(args.days)]
    req = (varied_requirement(sc, dates) if args.requirement == "varied"
           else requirement_from_bands(sc, dates))
    P = RosterProblem.from_scenario(sc, req)
    t = time.perf_counter()
    lb = paid_lower_bound(P)
    print(f"flagship {dates[0]}…{dates[-1]} ({len(dates)} days), {len(P.employees)} employees, "
          f"{len(P.templates)} templates, requirement '{args.requirement}': "
          f"{P.required_staff_hours():,.1f} staff-hours at posts")
    print(f"paid-hours lower bound {lb:,.1f} h ({time.perf_counter() - t:.1f} s); headcount "
          f"allowance {sum(P.avg_cap_min(e) for e in P.employees) / 60:,.0f} h")
    cfg = SolverConfig(time_limit_s=args.time_limit, workers=args.workers, seed=0)
    rows = []
    for method in args.methods.split(","):
        t = time.perf_counter()
        try:
            res = RosterOptimizer(P, cfg, method=method).solve()
        except (RosterNotFoundError, RosterInfeasibleError) as exc:
            print(f"{method}: no roster after {time.perf_counter() - t:.1f} s: {exc}")
            rows.append({"method": method, "time_s": round(time.perf_counter() - t, 1),
                         "status": "NO ROSTER"})
            continue
        rep = check_roster(res.roster, P)
        paid = res.roster.paid_hours()
        rows.append({
            "method": method, "time_s": round(time.perf_counter() - t, 1),
            "status": res.status, "objective": round(res.objective),
            "bound": round(res.best_bound), "gap": f"{res.gap:.1%}",
            "under_staff_h": round(rep.under_staff_hours, 1),
            "over_staff_h": round(rep.over_staff_hours, 1),
            "paid_h": round(paid, 1), "paid_vs_lb": f"{paid / lb - 1:+.2%}",
            "checker": "OK" if rep.ok else f"{len(rep.violations)} violations",
        })
        for s in res.stages:
            print(f"  {method}/{s.name}: {s.status}, obj {s.objective:,.0f}, bound "
                  f"{s.best_bound:,.0f}, gap {s.gap:.1%}, {s.wall_time_s:.1f} s, "
                  f"{s.n_variables:,} vars")
        print("  terms:", {k: round(v) for k, v in rep.terms.items()})
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()

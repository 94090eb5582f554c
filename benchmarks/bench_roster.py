"""Roster optimiser against the covering LP bound: pooled (default) vs two-stage CP-SAT.

For each hall the requirement is, for the flagship, the demo's own December 2026 requirement
(``benchmarks/data/flagship_2026-12_requirement.csv``: the lag-corrected Erlang requirement of
the demo's forecast, seed 1, before the loop raised any cell) and, for the district and county
halls, their ``default_staffing`` bands scaled ×1.15 on weekends and ×1.25/1.15/1.05 on the
billing days 1–3 (capped at the counters). The **bound** is the LP relaxation of the pooled
covering model (``optimize.roster.pooled.covering_bound``, HiGHS, computed in the same run):
the fewest missing staff-hours any roster can reach under the labour rules (minimum rest
aside), and the fewest paid hours at the coverage the method reached.

Printed per hall and method: wall time, missing staff-hours vs the bound (ratio), paid hours
vs the paid-hours bound at that coverage, the planner's-rule check (idle qualified staff), and
the hard-rule checker's verdict. Targets (issue 13): missing within 10% (or 10 staff-h) of the
bound, paid within 3% of the LP's at that coverage, ≤ 120 s on 2 cores.

``--day-bound`` also computes the tighter bound that holds each day to whole shifts
(``optimize.roster.day_bound``, a Lagrangian relaxation at the LP's duals; 2–4 min for the
flagship on 2 cores) and prints the missing staff-hours against it too.

Usage: ``python benchmarks/bench_roster.py [--halls flagship,district,county]
[--methods pooled,two_stage] [--time-limit 30] [--workers 2] [--polish 0] [--retime]
[--day-bound]``. ``--retime`` adds a last step that re-times each day's named shifts
(``optimize.roster.retime``; off by default).
``--polish N`` adds N work units of CP-SAT neighbourhood search on the pooled shift plan
(``optimize.roster.polish``; off by default, it costs minutes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from hallplan.optimize.roster import (  # noqa: E402
    RosterInfeasibleError,
    RosterNotFoundError,
    RosterOptimizer,
    RosterProblem,
    SolverConfig,
    check_roster,
    requirement_from_bands,
)
from hallplan.optimize.roster.check import idle_qualified  # noqa: E402
from hallplan.optimize.roster.day_bound import day_integer_bound  # noqa: E402
from hallplan.optimize.roster.pooled import covering_bound, paid_lower_bound  # noqa: E402
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


HALLS = {"flagship": "flagship_city_centre.toml", "district": "district_hall.toml",
         "county": "county_hall.toml"}
DEMO_REQUIREMENT = ROOT / "benchmarks" / "data" / "flagship_2026-12_requirement.csv"


def hall_problem(hall: str, dates) -> RosterProblem:
    sc = load_scenario(ROOT / "scenarios" / HALLS[hall])
    if hall == "flagship":
        t = pd.read_csv(DEMO_REQUIREMENT, parse_dates=["date"])
        t["date"] = t["date"].dt.date
        req = Requirement(sc.interval_min, t, notes="demo December requirement")
    else:
        req = varied_requirement(sc, dates)
    return RosterProblem.from_scenario(sc, req)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--methods", default="pooled,two_stage")
    ap.add_argument("--halls", default="flagship,district,county")
    ap.add_argument("--polish", type=float, default=0.0,
                    help="work units of the opt-in CP-SAT polish of the shift plan (0 = off)")
    ap.add_argument("--reclaim", action="store_true",
                    help="plan the short days again inside the month rows' slack "
                         "(optimize.roster.reclaim; off by default, it costs ~80 s)")
    ap.add_argument("--retime", action="store_true",
                    help="re-time each day's named shifts at the end (optimize.roster.retime; "
                         "off by default)")
    ap.add_argument("--day-bound", action="store_true",
                    help="also the bound with each day in whole shifts (2–4 min flagship)")
    args = ap.parse_args()
    dates = [dt.date(2026, 12, 1) + dt.timedelta(days=k) for k in range(31)]
    cfg = SolverConfig(time_limit_s=args.time_limit, workers=args.workers, seed=0,
                       polish_work_units=args.polish)
    rows = []
    for hall in args.halls.split(","):
        P = hall_problem(hall, dates)
        bound = covering_bound(P)
        print(f"{hall}: {len(P.employees)} staff, {len(P.templates)} templates, "
              f"{P.required_staff_hours():,.1f} staff-h required; LP bound: "
              f"{bound.under_staff_h:,.1f} staff-h missing at ≥ {bound.paid_h_at_min_under:,.1f}"
              f" paid h ({bound.wall_s:.1f} s)", flush=True)
        day = None
        if args.day_bound:
            day = day_integer_bound(P, workers=args.workers)
            print(f"  day-integer bound: {day.under_staff_h:,.1f} staff-h missing "
                  f"({day.days_proven}/{len(P.dates)} days proven, {day.linking_rows} rows "
                  f"priced, {day.wall_s:.1f} s)", flush=True)
        for method in args.methods.split(","):
            t = time.perf_counter()
            try:
                opt = RosterOptimizer(P, cfg, method=method)
                opt.pooled_settings = replace(opt.pooled_settings,
                                              reclaim_stranded=args.reclaim)
                opt.naming_settings = replace(opt.naming_settings, retime_days=args.retime)
                res = opt.solve()
            except (RosterNotFoundError, RosterInfeasibleError) as exc:
                print(f"  {method}: no roster after {time.perf_counter() - t:.1f} s: {exc}")
                continue
            wall = time.perf_counter() - t
            rep = check_roster(res.roster, P)
            idle, _why = idle_qualified(res.roster, P)
            under, paid = rep.under_staff_hours, res.roster.paid_hours()
            paid_lb = paid_lower_bound(P, under)
            allowed = max(1.10 * bound.under_staff_h, bound.under_staff_h + 10.0)
            rows.append({
                "hall": hall, "method": method + (f"+polish {args.polish:g}" if args.polish
                                                  and method == "pooled" else "")
                                 + ("+reclaim" if args.reclaim and method == "pooled" else "")
                                 + ("+retime" if args.retime and method == "pooled" else ""),
                "wall_s": round(wall, 1),
                "work_units": round(res.work_units, 1),
                "missing_staff_h": round(under, 1), "bound_staff_h": round(bound.under_staff_h, 1),
                "missing/bound": (f"{under / bound.under_staff_h:.2f}"
                                  if bound.under_staff_h > 0 else "-"),
                "coverage_target": "met" if under <= allowed + 1e-9 else "missed",
                **({"day_bound_staff_h": round(day.under_staff_h, 1),
                    "missing/day_bound": (f"{under / day.under_staff_h:.2f}"
                                          if day.under_staff_h > 0 else "-")}
                   if day is not None else {}),
                "paid_h": round(paid, 1), "paid_bound_h": round(paid_lb, 1),
                "paid_vs_bound": f"{paid / paid_lb - 1:+.1%}" if paid_lb else "-",
                "idle_qualified": len(idle),
                "checker": "OK" if rep.ok else f"{len(rep.violations)} violations",
            })
            print(f"  {method}: {res.summary()}", flush=True)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()

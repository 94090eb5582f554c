"""Simulator speed, measured against peers in the same run.

1. Plain M/M/c+M (10 servers, load 0.9, exponential patience of mean 5 min) written as a
   one-lane hall scenario, simulated by the hall engine, and the same model in ciw, in
   idiomatic SimPy (one process per customer, ``Resource`` requests raced against patience
   timeouts) and in a framework-free heap recursion (the lower bound). Printed as customers
   per second and as ratios to ciw. The engine is timed with and without its per-customer
   set-up (arrival generation and random draws, which the peers do inline).
2. One flagship hall-day: seconds per day (engine only, and with all interval/day KPIs).
3. 1,000 flagship hall-days through ``simulate(..., workers=2)``: wall time.

Usage: ``python benchmarks/bench_sim.py [--quick]`` (``--quick`` shrinks every size 10×).
Targets (issue 2): hall engine ≥ 3× ciw on the M/M/c+M; a flagship hall-day < 0.2 s;
1,000 flagship hall-days < 3 min on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import peers_mmcm  # noqa: E402

from hallplan.optimize.queueing import erlang_a_metrics  # noqa: E402
from hallplan.sim.arrivals import generate_customers  # noqa: E402
from hallplan.sim.hall import HallModel, ListRecorder  # noqa: E402
from hallplan.sim.loader import load_scenario  # noqa: E402
from hallplan.sim.replicate import run_day, simulate  # noqa: E402
from hallplan.sim.single_lane import (  # noqa: E402
    REFERENCE_DATE,
    constant_demand,
    constant_staffing,
    single_lane_scenario,
)
from hallplan.sim.staffing import Staffing  # noqa: E402

SERVERS, LAM, ES, PATIENCE = 10, 9.0, 1.0, 5.0


def best_of(n, fn):
    best, out = float("inf"), None
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench_mmcm(days: int, repeats: int) -> None:
    horizon = days * 1440.0
    s = single_lane_scenario(SERVERS, ES, mean_patience_min=PATIENCE)
    day = constant_demand(s, {"regular": LAM}).day(REFERENCE_DATE)
    staff = constant_staffing(s, SERVERS).day(REFERENCE_DATE)
    prepared = [generate_customers(s, day, 1, (0, r)) for r in range(days)]

    def engine_only():
        n = ab = 0
        for cust in prepared:
            rec = HallModel(s, cust, staff, ListRecorder()).run()
            n += len(rec.customers)
            ab += sum(1 for c in rec.customers if c.outcome == "abandoned")
        return n, ab

    def engine_with_setup():
        n = 0
        for r in range(days):
            cust = generate_customers(s, day, 1, (0, r))
            n += len(HallModel(s, cust, staff, ListRecorder()).run().customers)
        return n

    t_engine, (n_engine, ab_engine) = best_of(repeats, engine_only)
    t_setup, _ = best_of(repeats, engine_with_setup)
    rows = [("hallplan engine", n_engine, t_engine, ab_engine / n_engine)]
    rows.append(("hallplan engine + customer set-up", n_engine, t_setup, float("nan")))
    for name, fn in [
        ("ciw", peers_mmcm.run_ciw),
        ("SimPy idiomatic", peers_mmcm.run_simpy_naive),
        ("heap lower bound", peers_mmcm.run_heap_lower_bound),
    ]:
        t, res = best_of(repeats, lambda fn=fn: fn(LAM, ES, SERVERS, PATIENCE, horizon, 1))
        rows.append((name, res.customers, t, res.abandon_share))
    theory = erlang_a_metrics(SERVERS, LAM, ES, PATIENCE)
    ciw_rate = next(n / t for name, n, t, _ in rows if name == "ciw")
    print(
        f"\n## M/M/{SERVERS}+M, load {LAM * ES / SERVERS:.2f}, patience {PATIENCE:g} min, "
        f"{horizon:.0f} simulated minutes, best of {repeats}"
    )
    print(f"{'model':36s} {'customers':>10s} {'seconds':>8s} {'cust/s':>10s} {'× ciw':>7s} "
          f"{'abandon':>8s}")
    for name, n, t, ab in rows:
        print(f"{name:36s} {n:10d} {t:8.3f} {n / t:10.0f} {n / t / ciw_rate:7.2f} {ab:8.2%}")
    print(f"{'Erlang A (exact)':36s} {'':10s} {'':8s} {'':10s} {'':7s} {theory.p_abandon:8.2%}")


def bench_flagship(days_single: int, days_bulk: int, workers: int) -> None:
    s = load_scenario(ROOT / "scenarios" / "flagship_city_centre.toml")
    date = s.reference_date
    from hallplan.sim.demand import demand_from_profile

    day = demand_from_profile(s, [date]).day(date)
    staff = Staffing.from_scenario(s).day(date)
    cust = [generate_customers(s, day, 1, (0, r)) for r in range(days_single)]
    t_engine, n = best_of(
        1, lambda: sum(len(HallModel(s, c, staff, ListRecorder()).run().customers) for c in cust)
    )
    t_full, _ = best_of(1, lambda: [run_day(s, day, staff, 1, r) for r in range(days_single)])
    print(f"\n## Flagship hall-day ({s.hall.id}, {date}), mean of {days_single} days")
    print(f"customers per day: {n / days_single:.0f}")
    print(f"engine only:                    {t_engine / days_single * 1000:7.1f} ms per day "
          f"({n / t_engine:.0f} customers/s)")
    print(f"customers + engine + all KPIs:  {t_full / days_single * 1000:7.1f} ms per day")
    t0 = time.perf_counter()
    simulate(s, dates=[date], reps=days_bulk, seed=1, workers=workers, keep_customers=False)
    wall = time.perf_counter() - t0
    print(f"{days_bulk} flagship hall-days with KPIs on {workers} workers: {wall:.1f} s wall "
          f"({days_bulk / wall:.1f} days/s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10× smaller sizes")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    k = 10 if args.quick else 1
    bench_mmcm(days=max(14 // k, 2), repeats=3 if not args.quick else 1)
    bench_flagship(days_single=max(50 // k, 5), days_bulk=1000 // k, workers=args.workers)


if __name__ == "__main__":
    main()

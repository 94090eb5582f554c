"""Regional planning throughput: halls per minute on the local pool (1 vs 2 workers) and on a
2-worker Dask LocalCluster, on a generated region of synthetic halls; and a projection for a
500-hall region on a cluster of N nodes from the measured per-hall cost.

The three runs plan the same region and must give identical results (checked and printed).
Per-hall cost = the hall's own run time inside its worker (the plan loop, the stress day and
the wait curve), summed over halls: that is the work a cluster has to spread.

Projection (printed for N = 1, 4, 16, 64 nodes of ``--cores`` cores): halls are independent
tasks, so a cluster plans 500 halls in ≈ 500 × (mean full-month hall cost) / (N · cores ·
halls-in-parallel-per-core) + the measured per-run overhead. The full-month cost is
*measured* on one hall of each kind (county, district, flagship) and weighted by the region's
mix; halls in parallel per core is the measured 1→2-worker speed-up / 2 (a hall's CP-SAT
search runs 2 interleaved workers, so one process keeps more than one core busy). Assumes
the cluster's cores are as fast as this machine's and the scheduler overhead per task is
negligible next to a hall (about a minute).

Usage: ``python benchmarks/bench_region.py [--halls 50] [--days 3] [--seed 1]
[--no-flagships] [--no-dask]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from hallplan.region.file import load_region  # noqa: E402
from hallplan.region.run import run_region  # noqa: E402
from hallplan.region.synthetic import write_synthetic_region  # noqa: E402


def results(df: pd.DataFrame) -> pd.DataFrame:
    return (df.drop(columns=["run_time_s", "headcount_assigned"]).sort_values("hall")
            .reset_index(drop=True))


def timed(label: str, region, out: Path, **kw) -> tuple[float, object]:
    t0 = time.perf_counter()
    run = run_region(region, out, **kw)
    wall = time.perf_counter() - t0
    n = len(run.halls)
    print(f"{label:<28} {wall:8.1f} s  {60 * n / wall:7.1f} halls/min  "
          f"({len(run.computed)} planned, {len(run.failed)} failed)", flush=True)
    return wall, run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--halls", type=int, default=50)
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cores", type=int, default=8, help="cores per node (projection)")
    ap.add_argument("--no-flagships", action="store_true")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--no-month-sample", action="store_true",
                    help="skip the full-month cost sample (and the 500-hall projection)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench_region_"))
    path = write_synthetic_region(tmp / "region.toml", args.halls, seed=args.seed,
                                  flagships=not args.no_flagships)
    region = load_region(path).with_days(args.days)
    kinds = pd.Series([h.id.split("-")[0] for h in region.halls]).value_counts().to_dict()
    st = region.spec.settings
    print(f"synthetic region: {args.halls} halls {kinds}; {args.days} days of 2026-12, "
          f"{st.reps} reps, {st.max_rounds} rounds, roster {st.roster_time_limit:g} units/round")

    w1, r1 = timed("local pool, 1 worker", region, tmp / "w1", workers=1)
    w2, r2 = timed("local pool, 2 workers", region, tmp / "w2", workers=2)
    runs = {"local 2": r2}
    wd = None
    if not args.no_dask:
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:
            wd, rd = timed("dask LocalCluster, 2 workers", region, tmp / "dask",
                           cluster=cluster)
        runs["dask 2"] = rd
    same = all(results(r.halls).equals(results(r1.halls)) for r in runs.values())
    print(f"speed-up 2 vs 1 workers: {w1 / w2:.2f}×" + (
        f"; LocalCluster vs local pool (2 workers): {w2 / wd:.2f}×" if wd else ""))
    print(f"identical results across executors and worker counts: {same}")

    cost = r1.halls["run_time_s"].astype(float)
    ok = r1.halls["status"] == "ok"
    kind_of = r1.halls["hall"].str.split("-").str[0]
    by_kind = cost[ok].groupby(kind_of[ok]).mean()
    overhead = max(w1 - float(cost.sum()), 0.0)
    # each hall's CP-SAT search uses up to 2 threads, so one worker process already keeps
    # more than one core busy: throughput per core = the measured 2-worker speed-up / 2
    per_core = (w1 / w2) / 2
    print(f"per-hall cost ({args.days} days): "
          + ", ".join(f"{k} {v:.1f} s" for k, v in by_kind.items())
          + f"; run overhead {overhead:.1f} s; halls in parallel per core ≈ {per_core:.2f}")
    if args.no_month_sample:
        return
    # full-month cost per kind of hall, measured (not extrapolated): the first hall of each
    # kind planned for the whole month, one at a time
    sample = {}
    for h in region.halls:
        sample.setdefault(h.id.split("-")[0], h.id)
    month_region = load_region(path)
    t0 = time.perf_counter()
    rs = run_region(_subset(month_region, set(sample.values())), tmp / "month", workers=1)
    print(f"full month (31 days), one hall of each kind, planned one at a time "
          f"({time.perf_counter() - t0:.0f} s):")
    month_cost = {}
    for _, r in rs.halls.iterrows():
        kind = r["hall"].split("-")[0]
        month_cost[kind] = float(r["run_time_s"])
        print(f"  {r['hall']:<16} {r['run_time_s']:7.1f} s  status {r['status']}, "
              f"{int(r['rounds']) if r['status'] == 'ok' else 0} round(s)")
    mix = kind_of.value_counts(normalize=True)
    per_hall = sum(mix.get(k, 0.0) * c for k, c in month_cost.items())
    shares = {k: round(float(v), 2) for k, v in mix.items()}
    print(f"\nprojection, 500 halls × the full month; mix {shares} → "
          f"mean per-hall cost {per_hall:.0f} s; {per_core:.2f} halls in parallel per core "
          f"(measured above):")
    for nodes in (1, 4, 16, 64):
        slots = nodes * args.cores * per_core
        t = 500 * per_hall / slots + overhead
        print(f"  {nodes:>3} node(s) × {args.cores} cores: ≈ {t / 60:6.1f} min "
              f"({500 / (t / 60):.0f} halls/min)")


def _subset(region, ids: set[str]):
    from hallplan.region.file import Region

    spec = region.spec.model_copy(update={"halls": [h for h in region.halls if h.id in ids]})
    return Region(region.path, spec, {k: v for k, v in region.scenarios.items() if k in ids},
                  {k: v for k, v in region.sources.items() if k in ids})


if __name__ == "__main__":
    main()

"""Staffing requirements: SIPP vs lag-corrected vs simulation (ISA).

1. The sinusoidal case of Feldman, Mandelbaum, Massey & Whitt (2008), scaled to the hall
   simulator (see ``hallplan.optimize.requirements.sinusoid``):
   λ(t) = (100/S)(1 + 0.2 sin(2πt/180)),
   exponential service of mean S = 28.65 min, target P(wait > 0) ≤ 0.1 per 15-min interval,
   without abandonment and with exponential patience of mean 2·S.
2. The flagship hall on its reference date (scenario targets).

Every staffing is judged by an *independent* simulation (a different seed from the one the
ISA iterated on). Run:  .venv/bin/python benchmarks/bench_requirements.py [--quick]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from hallplan.optimize.requirements import requirement_with_diagnostics
from hallplan.optimize.requirements.isa import evaluate, sizing_scenario
from hallplan.optimize.requirements.sinusoid import PERIOD_MIN, SinusoidCase
from hallplan.optimize.requirements.sipp import resolve_targets
from hallplan.sim import demand_from_profile, load_scenario

ROOT = Path(__file__).resolve().parents[1]
TOL = 0.02


def _judge(sc, demand, detail, targets, reps, seed, workers, periodic):
    """KPIs of ``detail``'s staffing on an independent sample, escalation ladder off."""
    kp = evaluate(sizing_scenario(sc), demand, detail, targets, reps, seed, workers, periodic)
    return kp.rename(columns={"lane": "post"})


def sinusoid(load: float, patience: float | None, reps: int, judge_reps: int, workers: int):
    case = SinusoidCase(base_load=load, patience_units=patience)
    sc, d, tg = case.scenario(), case.demand(), case.targets()
    label = f"sinusoid load {load:g}±{0.2 * load:g}, " + (
        "no abandonment (M_t/M/s_t)" if patience is None else f"patience {patience:g}·S (+M)"
    )
    print(f"\n=== {label}; ISA reps {reps}, judged with {judge_reps} independent reps ===")
    rows = {}
    for method in ("sipp", "lag", "simulation"):
        t0 = time.time()
        _, dg = requirement_with_diagnostics(
            sc, d, method, targets=tg, reps=reps, seed=1, periodic=case.periodic,
            workers=workers, max_iter=15,
        )
        el = time.time() - t0
        kp = _judge(sc, d, dg.detail, tg, judge_reps, 2024, workers, case.periodic)
        warm = case.periodic[1]
        ph = dg.detail[(dg.detail["post"] == "general")
                       & (dg.detail["interval_start_min"] >= warm)
                       & (dg.detail["interval_start_min"] < warm + PERIOD_MIN)]
        staff = ph["staff"].to_numpy()
        pw = 1.0 - kp.sort_values("interval_start_min")["share"].to_numpy()
        se = kp.sort_values("interval_start_min")["share_se"].to_numpy()
        rows[method] = (staff, pw, se, el, dg)
    print("phase(min) " + " ".join(f"{m:>22s}" for m in rows))
    print("           " + " ".join(f"{'staff  P(W>0) ±se':>22s}" for _ in rows))
    for i in range(len(rows["sipp"][0])):
        cells = [f"{r[0][i]:5d}  {r[1][i]:.3f} ±{r[2][i]:.3f}" for r in rows.values()]
        print(f"{i * 15:10d} " + " ".join(f"{c:>22s}" for c in cells))
    for m, (staff, pw, _se, el, dg) in rows.items():
        per_period_hours = staff.sum() * 0.25
        extra = ""
        if m == "simulation":
            extra = (f"; ISA iterations {len(dg.history)}, stopped by itself {dg.converged}, "
                     f"holds {dg.holds}, ISA-sample worst P(W>0) "
                     f"{1 - dg.detail['share'].min():.3f}")
        print(f"{m:>10s}: phases with P(W>0) > 0.1: {int((pw > 0.1).sum()):2d}/12, "
              f"> 0.1+{TOL}: {int((pw > 0.1 + TOL).sum()):2d}/12, worst {pw.max():.3f}; "
              f"staff-hours per 3-h period {per_period_hours:.1f} "
              f"(day {dg.staff_hours:.0f}); {el:.0f} s{extra}")
    return rows


def flagship(reps: int, judge_reps: int, workers: int):
    sc = load_scenario(ROOT / "scenarios" / "flagship_city_centre.toml")
    d = demand_from_profile(sc, sc.reference_date)
    tg = resolve_targets(sc, None)
    print(f"\n=== flagship_city_centre {sc.reference_date}; targets: "
          + "; ".join(f"{k}: ≥{v.min_share:.0%} within {v.wait_target_min:g} min, "
                      f"abandon ≤{v.max_abandon:.0%}" for k, v in tg.items())
          + f"; ISA reps {reps}, judged with {judge_reps} independent reps (escalation off) ===")
    out = {}
    for method in ("sipp", "lag", "simulation"):
        t0 = time.time()
        _, dg = requirement_with_diagnostics(sc, d, method, reps=reps, seed=1, workers=workers,
                                             max_iter=15)
        el = time.time() - t0
        kp = _judge(sc, d, dg.detail, tg, judge_reps, 2024, workers, None)
        out[method] = (dg, kp, el)
    lanes = list(sc.lanes)
    for lane in [*lanes, "greeter"]:
        print(f"\n-- {lane}: staff per interval" + ("" if lane == "greeter" else
                                                     " / judged share within target"))
        starts = sorted(set(d.table["interval_start_min"]))
        print("  start " + " ".join(f"{m:>16s}" for m in out))
        for s in starts:
            cells = []
            for _m, (dg, kp, _) in out.items():
                st = dg.detail[(dg.detail["post"] == lane)
                               & (dg.detail["interval_start_min"] == s)]["staff"].iloc[0]
                if lane == "greeter":
                    cells.append(f"{st:5d}")
                    continue
                k = kp[(kp["post"] == lane) & (kp["interval_start_min"] == s)]
                sh = float(k["share"].iloc[0]) if len(k) else np.nan
                cells.append(f"{st:5d} {sh:6.3f}")
            print(f"  {int(s) // 60:02d}:{int(s) % 60:02d} " + " ".join(f"{c:>16s}" for c in cells))
    print()
    for m, (dg, kp, el) in out.items():
        need = kp["post"].map({k: v.min_share for k, v in tg.items()})
        lim = kp["post"].map({k: v.max_abandon for k, v in tg.items()})
        miss = (kp["share"] < need) | (kp["abandon_share"] > lim)
        miss_tol = (kp["share"] < need - TOL) | (kp["abandon_share"] > lim + TOL)
        worst = {ln: float(kp[kp["post"] == ln]["share"].min()) for ln in lanes}
        cap_note = ""
        if m == "simulation":
            cap_note = (f"; ISA iterations {len(dg.history)}, stopped by itself {dg.converged}, "
                        f"holds {dg.holds}, capacity-bound {dg.history[-1]['capacity_bound']}")
        print(f"{m:>10s}: lane-intervals missing {int(miss.sum())}/{len(kp)} "
              f"(beyond ±{TOL}: {int(miss_tol.sum())}); worst share "
              + ", ".join(f"{k} {v:.3f}" for k, v in worst.items())
              + f"; staff-hours at post {dg.staff_hours:.1f} "
              + "(" + ", ".join(f"{k} {v:.1f}" for k, v in dg.staff_hours_by_post.items()) + ")"
              + f", paid {dg.paid_hours:.1f}; {el:.0f} s{cap_note}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="load 20 and fewer replications")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--part", choices=["all", "sinusoid", "flagship"], default="all")
    a = ap.parse_args()
    load, reps, judge = (20.0, 10, 20) if a.quick else (100.0, 20, 40)
    if a.part in ("all", "sinusoid"):
        sinusoid(load, None, reps, judge, a.workers)
        sinusoid(load, 2.0, reps, judge, a.workers)
    if a.part in ("all", "flagship"):
        flagship(reps, judge, a.workers)


if __name__ == "__main__":
    main()

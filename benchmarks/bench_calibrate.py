"""Issue 12 benchmark: calibrate the Anonymous Bank call centre on 1–14 February 1999 and
validate on 15–28 February (20 replications per held-out day). Prints the February table and
the targets: MAE of daily abandonment ≤ 3 points, correlation across days ≥ 0.7, mean wait of
served customers within 25%. Writes the report to hallplan-out/bench_calibrate/.

    python benchmarks/bench_calibrate.py [--reps 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from hallplan.forecast.calibrate import calibrate
from hallplan.forecast.mapping import read_with_mapping
from hallplan.forecast.ticket_log import validate_ticket_log
from hallplan.reports.calibration import write_calibration_outputs
from hallplan.sim.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("hallplan-out/bench_calibrate"))
    ap.add_argument("--overlay", type=Path, default=None, help="also write the overlay here")
    args = ap.parse_args()
    scen_path = ROOT / "scenarios" / "anonymous_bank.toml"
    scen = load_scenario(scen_path)
    frame, mrep = read_with_mapping(
        ROOT / "tests" / "data" / "anonymous_bank_calls_1999-02.tsv.gz",
        ROOT / "docs" / "mappings" / "anonymous_bank.toml",
    )
    print(mrep.summary())
    v = validate_ticket_log(frame, scen.hall.id, scen)
    print(f"{len(v.good)} rows used, {v.bad['line'].nunique()} rejected by the ticket-log checks")
    feb = [dt.date(1999, 2, d) for d in range(1, 29)]
    t0 = time.perf_counter()
    cal = calibrate(
        v.good, scen, feb[:14], feb[14:], reps=args.reps, seed=args.seed,
        source="calls_1999-02.tsv (Anonymous Bank, February 1999)",
    )
    print(f"calibrated and validated in {time.perf_counter() - t0:.1f} s")
    print(f"availability: {cal.availability_sentence} ({cal.availability:.3f})")
    for (st, ch), f in cal.service.items():
        print(
            f"service {st}/{ch}: {f.chosen.family} mean {f.chosen.params['mean_min']:.2f} "
            f"cv {f.chosen.params.get('cv', 1):.2f} KS {f.chosen.ks:.3f} (n={f.n})"
        )
    for c, p in cal.patience.items():
        print(
            f"patience {c}: {p.immediate_share:.1%} at once, {p.family} mean "
            f"{p.mean_min:.2f} ({p.mean_ci[0]:.2f}–{p.mean_ci[1]:.2f})"
        )
    print("\nfit days (observed vs simulated):")
    for r in cal.fit_table.itertuples():
        print(
            f"  {r.date}  abandon {r.obs_abandon_share:6.1%} vs {r.sim_abandon_share:6.1%}  "
            f"wait {r.obs_mean_wait_min:5.2f} vs {r.sim_mean_wait_min:5.2f}"
        )
    print("\nheld-out days (observed vs simulated [95%]):")
    for r in cal.test_table.itertuples():
        print(
            f"  {r.date}  abandon {r.obs_abandon_share:6.1%} vs {r.sim_abandon_share:6.1%} "
            f"[{r.sim_abandon_share_lo:.1%}, {r.sim_abandon_share_hi:.1%}]  wait "
            f"{r.obs_mean_wait_min:5.2f} vs {r.sim_mean_wait_min:5.2f}  within target "
            f"{r.obs_share_within_target:6.1%} vs {r.sim_share_within_target:6.1%}"
        )
    a, w = cal.agreement["abandon_share"], cal.agreement["mean_wait_min"]
    print(
        f"\nMAE daily abandonment {a['mae'] * 100:.2f} points (target <= 3): "
        f"{'met' if a['mae'] <= 0.03 else 'MISSED'}"
    )
    print(
        f"correlation across days {a['correlation']:.3f} (target >= 0.7): "
        f"{'met' if a['correlation'] >= 0.7 else 'MISSED'}"
    )
    print(
        f"mean wait of served: observed {w['mean_observed']:.3f} min, simulated "
        f"{w['mean_simulated']:.3f} min, error {w['relative_error']:+.1%} (target within 25%): "
        f"{'met' if abs(w['relative_error']) <= 0.25 else 'MISSED'}"
    )
    print(cal.verdict)
    for p in write_calibration_outputs(cal, scen_path, args.out):
        print(f"wrote {p}")
    if args.overlay is not None:
        from hallplan.atomic import write_text
        from hallplan.forecast.calibrate import overlay_toml

        text = overlay_toml(cal, scen_path, args.overlay) + "\n"
        print(f"wrote {write_text(args.overlay, text)}")


if __name__ == "__main__":
    main()

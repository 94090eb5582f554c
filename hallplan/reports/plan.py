"""The plan's output folder: a self-contained HTML report (charts embedded), CSV and XLSX
tables and ``plan.json`` (inputs' hashes, versions, seed) so the plan can be reproduced."""

from __future__ import annotations

import hashlib
import html
import json
import platform
from importlib import metadata
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from hallplan.atomic import atomic_write, save_figure, write_csv, write_text
from hallplan.optimize.roster.check import check_roster
from hallplan.pipeline import PlanResult
from hallplan.reports import html as h
from hallplan.reports.calibration import plan_calibration_html, plan_calibration_record
from hallplan.reports.roster import coverage_figure, gantt_figure, hours_table, roster_table
from hallplan.sim.scenario import format_clock

PACKAGES = (
    "numpy",
    "pandas",
    "scipy",
    "simpy",
    "pydantic",
    "ortools",
    "duckdb",
    "scikit-learn",
    "chinese-calendar",
)


def kpi_heatmap(plan: PlanResult, metric: str = "share_called_within_target"):
    """Day × interval heatmap of a KPI (mean over replications), one panel per lane."""
    k = plan.results.interval_kpis
    k = k[k["interval_start_min"] < plan.scenario.hours.close]
    lanes = list(plan.scenario.lanes)
    fig = Figure(figsize=(12, 2.6 * len(lanes)))
    axes = fig.subplots(len(lanes), 1, squeeze=False)
    for ax, lane in zip(axes[:, 0], lanes, strict=True):
        d = k[k["lane"] == lane].groupby(["date", "interval_start_min"])[metric].mean()
        grid = d.unstack("interval_start_min")
        im = ax.imshow(
            grid.to_numpy(dtype=float),
            aspect="auto",
            cmap="RdYlGn",
            vmin=0.5,
            vmax=1.0,
            interpolation="nearest",
        )
        ax.set_title(
            f"{lane}: share called within target (mean of {plan.config.reps} reps)", fontsize=9
        )
        cols = list(grid.columns)
        step = max(1, len(cols) // 12)
        ax.set_xticks(
            range(0, len(cols), step), [format_clock(c) for c in cols[::step]], fontsize=7
        )
        rows = list(grid.index)
        ax.set_yticks(range(0, len(rows), 3), [str(r) for r in rows[::3]], fontsize=7)
        fig.colorbar(im, ax=ax, fraction=0.02)
    fig.tight_layout()
    return fig


def day_table(plan: PlanResult) -> pd.DataFrame:
    s = plan.results.day_summary()
    hall = s[s["group_kind"] == "hall"]
    wide = hall.pivot_table(index="date", columns="metric", values="mean")
    cols = {
        "arrivals": "visits",
        "tickets": "counter tickets",
        "share_called_within_target": "within target",
        "mean_wait_min": "mean wait (min)",
        "p90_wait_min": "p90 wait (min)",
        "abandon_share": "abandoned",
    }
    out = wide[list(cols)].rename(columns=cols)
    return out.reset_index()


def lane_table(plan: PlanResult) -> pd.DataFrame:
    """Per lane over the month: the plan's roster against the targets, beside what the
    layout reaches with every counter staffed."""
    lanes = plan.lane_kpis()
    if lanes.empty:
        return lanes
    full = plan.full_staffing_kpis.set_index("lane") if len(plan.full_staffing_kpis) else None

    def pct(v: float) -> str:
        return f"{v:.1%}"

    rows = []
    for r in lanes.itertuples():
        row = {
            "lane": r.lane,
            "called within target": f"{pct(r.share_within)} ({pct(r.share_within_low)}–"
                                    f"{pct(r.share_within_high)})",
            "target": f"{r.target:.0%}",
            "abandoned": f"{pct(r.abandon_share)} ({pct(r.abandon_low)}–"
                         f"{pct(r.abandon_high)})",
            "abandonment limit": f"{r.max_abandon:.0%}",
            "holds": "yes" if r.holds else "no",
        }
        if full is not None and r.lane in full.index:
            row["within target, every counter staffed"] = pct(full.at[r.lane, "share_within"])
        rows.append(row)
    return pd.DataFrame(rows)


def staff_cost(plan: PlanResult) -> pd.DataFrame:
    c = plan.config
    paid = plan.roster.roster.paid_hours()
    rows = [
        ("requirement at the posts (initial, uncapped)", plan.initial_requirement.staff_hours()),
        ("requirement at the posts (final)", plan.requirement.staff_hours()),
        ("rostered paid hours", paid),
        ("rostered paid hours per day", paid / max(len(plan.dates), 1)),
        ("under-coverage (staff-hours)", plan.roster.check.under_staff_hours),
        (f"labour cost at {c.cost_per_paid_hour:g}/h (assumption)", paid * c.cost_per_paid_hour),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def rounds_table(plan: PlanResult) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "round": r.round,
                "requirement staff-h": round(r.requirement_staff_hours, 1),
                "paid h": round(r.paid_hours, 1),
                "under-coverage staff-h": round(r.under_coverage_staff_hours, 1),
                "intervals missing target": len(r.misses),
                "requirement cells raised": r.raised,
                "at physical counters": r.capped,
                "kept": "yes" if k == (plan.chosen % len(plan.rounds)) else "",
                "roster": r.roster_summary,
            }
            for k, r in enumerate(plan.rounds)
        ]
    )


def report_html(plan: PlanResult, five=None, elapsed_s: float | None = None) -> str:
    s = plan.scenario
    verdict = plan.verdict()
    first = plan.dates[0]
    problem = plan.problem
    cov = check_roster(plan.roster.roster, problem).coverage
    parts = [
        f"<h1>Plan: {html.escape(s.hall.name or s.hall.id)} — {first:%Y-%m}</h1>",
        f"<p>{len(plan.dates)} days, {len(problem.employees)} employees; demand: "
        f"{html.escape(plan.demand.source)}; requirement: {plan.config.requirement_method}; "
        f"{plan.config.reps} replications per round, seed {plan.config.seed}"
        + (f"; run time {elapsed_s:.0f} s" if elapsed_s else "")
        + ".</p>",
        f"<p class='verdict'><b>Verdict:</b> {html.escape(verdict)} (after "
        f"{len(plan.rounds)} loop round(s)).</p>",
        h.frame_table(lane_table(plan)),
        plan_calibration_html(s),
    ]
    adv = plan.advice()
    if len(adv):
        parts.append("<h2>What would hold the targets</h2><ul>" + "".join(
            f"<li>{html.escape(a)}</li>" for a in adv["advice"]) + "</ul>")
    if plan.notes:
        parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in plan.notes) + "</ul>")
    parts += ["<h2>What the loop corrected</h2>", h.frame_table(rounds_table(plan))]
    if not plan.targets_hold:
        sf = plan.shortfall()
        sf = sf.assign(interval=sf["interval_start_min"].map(format_clock))
        parts += [
            "<h2>Where targets still miss, and the staff short there</h2>",
            h.frame_table(
                sf[
                    [
                        "date",
                        "interval",
                        "lane",
                        "mean",
                        "upper",
                        "target",
                        "required",
                        "rostered",
                        "short_staff",
                    ]
                ]
            ),
        ]
    parts += [
        "<h2>KPIs: day × interval</h2>",
        f"<img src='{h.png_data_uri(kpi_heatmap(plan))}'>",
        "<h2>Staff-hours and cost</h2>",
        h.frame_table(staff_cost(plan), "{:,.1f}"),
        "<h2>Days</h2>",
        h.frame_table(day_table(plan), "{:,.3f}"),
        "<h2>Roster</h2>",
        f"<img src='{h.png_data_uri(coverage_figure(cov, problem))}'>",
        f"<img src='{h.png_data_uri(gantt_figure(plan.roster.roster, problem, first))}'>",
    ]
    if five is not None:
        parts.append("<h2>The five tables (五表)</h2>")
        for name, table in five.tables().items():
            parts += [
                f"<h3>{html.escape(five.TITLES[name])}</h3>",
                h.frame_table(table.head(31), "{:,.2f}"),
            ]
        for key, note in five.notes.items():
            parts.append(f"<p class='note'>{html.escape(key)}: {html.escape(str(note))}</p>")
    style = (
        "body{font-family:sans-serif;max-width:1200px;margin:auto}"
        "table.t{border-collapse:collapse;font-size:12px}"
        "table.t td,table.t th{padding:2px 6px;border-bottom:1px solid #ddd}"
        "img{max-width:100%}.verdict{font-size:16px}"
    )
    return h.page(f"hallplan {s.hall.id}", style, parts)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("hallplan", *PACKAGES):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def plan_json(
    plan: PlanResult, scenario_path: Path, store_path: Path | None, elapsed_s: float | None
) -> dict:
    demand_hash = hashlib.sha256(
        pd.util.hash_pandas_object(plan.demand.table, index=False).to_numpy().tobytes()
    ).hexdigest()
    return {
        "hall": plan.scenario.hall.id,
        "dates": [str(plan.dates[0]), str(plan.dates[-1])],
        "inputs": {
            "scenario": {"path": str(scenario_path), "sha256": _sha256(Path(scenario_path))},
            "history_store": (
                {"path": str(store_path), "sha256": _sha256(Path(store_path))}
                if store_path is not None and Path(store_path).exists()
                else None
            ),
            "demand": {"source": plan.demand.source, "sha256": demand_hash},
        },
        "calibration": plan_calibration_record(plan.scenario),
        "config": {k: getattr(plan.config, k) for k in plan.config.__dataclass_fields__},
        "seed": plan.config.seed,
        "roster_solver": plan.solver,
        "roster_reproducible": bool(plan.roster.reproducible),
        "versions": _versions(),
        "rounds": len(plan.rounds),
        "targets_hold": plan.targets_hold,
        "verdict": plan.verdict(),
        "lanes": plan.lane_kpis().to_dict(orient="records"),
        "lanes_at_full_staffing": plan.full_staffing_kpis.to_dict(orient="records"),
        "misses_by_cause": {k: int(v) for k, v in plan.final_round.causes.items()},
        "staff_limited_advice": list(plan.advice()["advice"]),
        "paid_hours": plan.roster.roster.paid_hours(),
        "run_time_s": elapsed_s,
        "reproduce": (
            f"hallplan plan {scenario_path} --month {plan.dates[0]:%Y-%m} --seed "
            f"{plan.config.seed} --reps {plan.config.reps} --time-limit "
            f"{plan.config.roster_time_limit_s:g} --rounds {plan.config.max_rounds} --method "
            f"{plan.config.requirement_method}"
            + (f" --history {store_path}" if store_path else "")
        ),
    }


def write_plan_outputs(
    plan: PlanResult,
    out: Path,
    scenario_path: Path,
    store_path: Path | None = None,
    five=None,
    elapsed_s: float | None = None,
) -> list[Path]:
    out = Path(out)
    roster = plan.roster.roster
    tables = {
        "requirement": plan.requirement.table,
        "roster": roster_table(roster),
        "hours_per_week": hours_table(roster, plan.problem),
        "days": day_table(plan),
        "loop_rounds": rounds_table(plan),
        "staff_cost": staff_cost(plan),
    }
    if five is not None:
        tables.update({f"five_{k}": v for k, v in five.tables().items()})
    written = [write_csv(out / f"{name}.csv", t) for name, t in tables.items()]
    written.append(write_csv(out / "kpi_interval.csv", plan.results.interval_kpis))

    def excel(p: Path) -> None:
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            for name, t in tables.items():
                t.to_excel(xw, sheet_name=name[:31], index=False)

    written.append(atomic_write(out / "plan.xlsx", excel))
    written.append(write_text(out / "report.html", report_html(plan, five, elapsed_s)))
    fig = kpi_heatmap(plan)
    written.append(save_figure(out / "kpi_heatmap.png", fig))
    meta = plan_json(plan, scenario_path, store_path, elapsed_s)
    written.append(write_text(out / "plan.json", json.dumps(meta, indent=2, default=str) + "\n"))
    return written


__all__ = ["kpi_heatmap", "plan_json", "report_html", "write_plan_outputs"]

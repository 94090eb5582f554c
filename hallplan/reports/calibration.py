"""Outputs of ``hallplan calibrate``: the scenario overlay, ``calibration.json``,
``calibration.md`` / ``calibration.html`` and three charts (service-time fits, patience,
held-out days). Every file is written atomically; charts use the matplotlib Figure API.

A plan shows where its scenario's model comes from: :func:`plan_calibration_record` (the
``"calibration"`` entry of ``plan.json``) and :func:`plan_calibration_html` (the section near
the top of the plan's ``report.html``), both from the scenario's ``[calibration]`` section."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from hallplan.atomic import save_figure, write_text
from hallplan.forecast.calibrate import Calibration, overlay_toml
from hallplan.forecast.calibrate.service_fit import frozen_scipy
from hallplan.sim.scenario import Scenario

NOT_CALIBRATED = "not calibrated against a ticket log"


def service_figure(cal: Calibration) -> Figure:
    keys = [k for k, f in cal.service.items() if k not in cal.pooled]
    n = max(1, len(keys))
    cols = min(3, n)
    rows = -(-n // cols)
    fig = Figure(figsize=(4.2 * cols, 3.2 * rows))
    for i, key in enumerate(keys):
        f = cal.service[key]
        ax = fig.add_subplot(rows, cols, i + 1)
        x = np.sort(f.sample)
        ecdf = np.arange(1, len(x) + 1) / len(x)
        ax.step(x, ecdf, where="post", color="black", lw=1.2, label=f"observed (n={f.n})")
        grid = np.linspace(0, np.quantile(x, 0.99), 200)
        for c in f.candidates:
            ax.plot(
                grid,
                frozen_scipy(c).cdf(grid),
                lw=1,
                ls="-" if c is f.chosen else ":",
                label=f"{c.family} KS {c.ks:.3f}",
            )
        ax.set_xlim(0, grid[-1])
        ax.set_title(f"{key[0]} / {key[1]}: {f.chosen.family} chosen (AIC)", fontsize=9)
        ax.set_xlabel("service time (min)")
        ax.set_ylabel("CDF")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def patience_figure(cal: Calibration) -> Figure:
    fig = Figure(figsize=(5.5, 3.6))
    ax = fig.add_subplot(1, 1, 1)
    for c, p in cal.patience.items():
        t = p.km_times
        (line,) = ax.step(t, p.km_surv, where="post", lw=1.2, label=f"{c}: Kaplan–Meier")
        grid = np.linspace(0, max(float(np.quantile(t, 0.99)), 1.0), 200)
        ax.plot(
            grid,
            p.survival(grid),
            ls="--",
            color=line.get_color(),
            label=f"{c}: fitted {p.family} + {p.immediate_share:.1%} at once",
        )
    ax.set_xlabel("minutes since the ticket")
    ax.set_ylabel("P(still willing to wait)")
    ax.set_ylim(0, 1.02)
    ax.set_title("patience (served waits right-censored)", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def validation_figure(cal: Calibration) -> Figure:
    t = cal.test_table
    fig = Figure(figsize=(10, 3.6))
    x = np.arange(len(t))
    labels = [str(d)[5:] for d in t["date"]]
    for i, (k, scale, name) in enumerate(
        [("abandon_share", 100, "abandonment (%)"), ("mean_wait_min", 1, "mean wait, served (min)")]
    ):
        ax = fig.add_subplot(1, 2, i + 1)
        ax.fill_between(
            x,
            t[f"sim_{k}_lo"] * scale,
            t[f"sim_{k}_hi"] * scale,
            alpha=0.25,
            label="simulated 95% range",
        )
        ax.plot(x, t[f"sim_{k}"] * scale, marker="o", ms=3, label="simulated mean")
        ax.plot(x, t[f"obs_{k}"] * scale, marker="s", ms=3, color="black", label="observed")
        ax.set_xticks(x, labels, rotation=60, fontsize=7)
        ax.set_title(f"held-out days: {name}", fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def markdown(cal: Calibration, overlay_name: str) -> str:
    a = cal.agreement
    lines = [
        "# Calibration",
        "",
        f"**{cal.verdict}**",
        "",
        f"Fit days {cal.fit_days[0]} … {cal.fit_days[-1]} ({len(cal.fit_days)}); held-out days "
        + (
            f"{cal.test_days[0]} … {cal.test_days[-1]} ({len(cal.test_days)})"
            if cal.test_days
            else "none"
        )
        + f"; {cal.reps} replications per held-out day, seed {cal.seed}. "
        f"Overlay: `{overlay_name}`.",
        "",
        f"Staff availability: {cal.availability_sentence} (factor {cal.availability:.3f}).",
        "",
        "## Service times (criterion: lowest AIC; KS = largest CDF gap)",
        "",
        "| service type | channel | n | chosen | mean (min) | cv | KS | observed mean (95% CI) |",
        "|---|---|---:|---|---:|---:|---:|---|",
    ]
    for (st, ch), f in cal.service.items():
        pooled = " (pooled)" if (st, ch) in cal.pooled else ""
        lines.append(
            f"| {st}{pooled} | {ch} | {f.n} | {f.chosen.family} | "
            f"{f.chosen.params['mean_min']:.2f} | {f.chosen.params.get('cv', 1):.2f} | "
            f"{f.chosen.ks:.3f} | {f.mean_min:.2f} ({f.mean_ci[0]:.2f}–{f.mean_ci[1]:.2f}) |"
        )
    lines += [
        "",
        "## Patience",
        "",
        "| class | abandoned | censored | at once (≤15 s) | family | mean (95% CI) | KM median |",
        "|---|---:|---:|---:|---|---|---:|",
    ]
    for c, p in cal.patience.items():
        lines.append(
            f"| {c} | {p.n_abandoned} | {p.n_censored} | {p.immediate_share:.1%} | {p.family} | "
            f"{p.mean_min:.2f} ({p.mean_ci[0]:.2f}–{p.mean_ci[1]:.2f}) | {p.km_median_min:.2f} |"
        )
    if len(cal.test_table):
        lines += [
            "",
            "## Held-out days (observed vs simulated, simulated 95% range)",
            "",
            "| date | tickets | abandonment obs | sim (95%) | mean wait obs | sim (95%) "
            "| within target obs | sim (95%) |",
            "|---|---:|---:|---|---:|---|---:|---|",
        ]
        for r in cal.test_table.itertuples():
            lines.append(
                f"| {r.date} | {r.tickets} | {r.obs_abandon_share:.1%} | "
                f"{r.sim_abandon_share:.1%} ({r.sim_abandon_share_lo:.1%}–"
                f"{r.sim_abandon_share_hi:.1%}) | {r.obs_mean_wait_min:.2f} | "
                f"{r.sim_mean_wait_min:.2f} ({r.sim_mean_wait_min_lo:.2f}–"
                f"{r.sim_mean_wait_min_hi:.2f}) | {r.obs_share_within_target:.1%} | "
                f"{r.sim_share_within_target:.1%} ({r.sim_share_within_target_lo:.1%}–"
                f"{r.sim_share_within_target_hi:.1%}) |"
            )
        ab, w = a["abandon_share"], a["mean_wait_min"]
        lines += [
            "",
            f"Abandonment: MAE {ab['mae'] * 100:.2f} points (target ≤ 3), correlation across "
            f"days {ab['correlation']:.2f} (target ≥ 0.7), observed inside the simulated 95% "
            f"range on {ab['days_inside_95']} of {ab['days']} days. Mean wait of served: "
            f"observed {w['mean_observed']:.2f} min, simulated {w['mean_simulated']:.2f} min "
            f"({w['relative_error']:+.0%}; target within ±25%).",
        ]
    lines += ["", "## Notes", ""] + [f"- {n}" for n in cal.notes]
    lines += ["", "Charts: `service_fits.png`, `patience.png`, `held_out.png`."]
    return "\n".join(lines) + "\n"


def write_calibration_outputs(
    cal: Calibration, scenario_path: Path, out: Path, overlay_name: str | None = None
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    overlay_path = out / (overlay_name or f"{Path(scenario_path).stem}.calibrated.toml")
    written = [write_text(overlay_path, overlay_toml(cal, scenario_path, overlay_path) + "\n")]
    summary = cal.summary_json()
    summary["overlay"] = overlay_path.name
    written.append(
        write_text(out / "calibration.json", json.dumps(summary, indent=2, default=str) + "\n")
    )
    written.append(save_figure(out / "service_fits.png", service_figure(cal)))
    if cal.patience:
        written.append(save_figure(out / "patience.png", patience_figure(cal)))
    if len(cal.test_table):
        written.append(save_figure(out / "held_out.png", validation_figure(cal)))
    md = markdown(cal, overlay_path.name)
    written.append(write_text(out / "calibration.md", md))
    body = "".join(f"<pre>{html.escape(md)}</pre>")
    imgs = "".join(
        f'<p><img src="{p.name}" style="max-width:100%"></p>' for p in written if p.suffix == ".png"
    )
    written.append(
        write_text(
            out / "calibration.html",
            f"<!doctype html><meta charset='utf-8'><title>Calibration</title>"
            f"<h1>{html.escape(cal.verdict)}</h1>{imgs}{body}",
        )
    )
    return written


def plan_calibration_record(scenario: Scenario) -> dict:
    """What ``plan.json`` says about the model: the scenario's calibration provenance and
    the availability the plan used, or that it was not calibrated."""
    a = scenario.staff.availability
    cal = scenario.calibration
    if cal is None:
        return {"calibrated": False, "note": NOT_CALIBRATED, "staff_availability": a}
    return {"calibrated": True, **cal.model_dump(mode="json"), "staff_availability": a}


def _days(days) -> str:
    if not days:
        return "none"
    return f"{days[0]} … {days[-1]} ({len(days)} days)"


def plan_calibration_html(scenario: Scenario) -> str:
    """The plan report's "Model calibration" section: the held-out verdict, where the
    fitted values come from and the availability the roster was sized with."""
    a = scenario.staff.availability
    cal = scenario.calibration
    head = "<h2>Model calibration</h2>"
    if cal is None:
        return (
            f"{head}<p class='verdict'>The model is <b>{NOT_CALIBRATED}</b>: service times, "
            f"patience and staff availability ({a:g}) are the scenario's assumptions "
            "(<code>hallplan calibrate</code> fits them from the hall's ticket log and checks "
            "them on held-out days).</p>"
        )
    ci = (
        f" (95% CI {cal.availability_ci[0]:.0%}–{cal.availability_ci[1]:.0%})"
        if cal.availability_ci
        else ""
    )

    def opt(x, fmt: str) -> str:
        return "–" if x is None else format(x, fmt)

    rows = [
        ("ticket log", html.escape(cal.ticket_log)),
        ("fit days", _days(cal.fit_days)),
        ("held-out days", _days(cal.held_out_days)),
        ("daily abandonment, mean absolute error (points)", opt(cal.abandon_mae_points, ".2f")),
        ("daily abandonment, correlation across days", opt(cal.abandon_correlation, ".2f")),
        ("mean wait of served customers, simulated vs observed", opt(cal.wait_bias, "+.0%")),
        (
            "staff availability",
            f"of the staff on the roster, {cal.availability:.0%}{ci} are serving at a time; "
            f"the plan used {a:g} (the roster puts requirement ÷ {a:g} on the floor)",
        ),
    ]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return (
        f"{head}<p class='verdict'>{html.escape(cal.verdict)}</p>"
        f"<table class='t'>{table}</table>"
    )

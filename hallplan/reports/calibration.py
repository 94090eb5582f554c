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
from hallplan.i18n import DEFAULT_LANG, label, labels, note_text
from hallplan.reports.fonts import chart_fonts
from hallplan.sim.scenario import Scenario

NOT_CALIBRATED = "not calibrated against a ticket log"


def service_figure(cal: Calibration, lang: str = DEFAULT_LANG) -> Figure:
    t = labels(lang)
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
        ax.step(x, ecdf, where="post", color="black", lw=1.2, label=t("cal_observed", n=f.n))
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
        ax.set_title(t("cal_chosen", type=key[0], channel=key[1], family=f.chosen.family),
                     fontsize=9)
        ax.set_xlabel(t("cal_service_axis"))
        ax.set_ylabel("CDF")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def patience_figure(cal: Calibration, lang: str = DEFAULT_LANG) -> Figure:
    tr = labels(lang)
    fig = Figure(figsize=(5.5, 3.6))
    ax = fig.add_subplot(1, 1, 1)
    for c, p in cal.patience.items():
        t = p.km_times
        (line,) = ax.step(t, p.km_surv, where="post", lw=1.2, label=tr("cal_km", cls=c))
        grid = np.linspace(0, max(float(np.quantile(t, 0.99)), 1.0), 200)
        ax.plot(
            grid,
            p.survival(grid),
            ls="--",
            color=line.get_color(),
            label=tr("cal_fitted", cls=c, family=p.family, share=f"{p.immediate_share:.1%}"),
        )
    ax.set_xlabel(tr("cal_since_ticket"))
    ax.set_ylabel(tr("cal_still_waiting"))
    ax.set_ylim(0, 1.02)
    ax.set_title(tr("cal_patience_title"), fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def validation_figure(cal: Calibration, lang: str = DEFAULT_LANG) -> Figure:
    tr = labels(lang)
    t = cal.test_table
    fig = Figure(figsize=(10, 3.6))
    x = np.arange(len(t))
    ticks = [str(d)[5:] for d in t["date"]]
    for i, (k, scale, name) in enumerate(
        [("abandon_share", 100, tr("cal_abandon_pct")),
         ("mean_wait_min", 1, tr("cal_wait_served"))]
    ):
        ax = fig.add_subplot(1, 2, i + 1)
        ax.fill_between(
            x,
            t[f"sim_{k}_lo"] * scale,
            t[f"sim_{k}_hi"] * scale,
            alpha=0.25,
            label=tr("cal_sim_range"),
        )
        ax.plot(x, t[f"sim_{k}"] * scale, marker="o", ms=3, label=tr("cal_sim_mean"))
        ax.plot(x, t[f"obs_{k}"] * scale, marker="s", ms=3, color="black",
                label=tr("actual") if lang != "en" else "observed")
        ax.set_xticks(x, ticks, rotation=60, fontsize=7)
        ax.set_title(tr("cal_held_out_title", name=name), fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def calibration_verdict(mae_points: float, correlation: float, wait_bias: float, days: int,
                        lang: str = DEFAULT_LANG) -> str:
    """The held-out verdict in ``lang`` from its numbers (the same rule and wording as
    :attr:`hallplan.forecast.calibrate.Calibration.verdict`)."""
    ok = mae_points <= 3.0 and correlation >= 0.7 and abs(wait_bias) <= 0.25
    return label("cal_verdict_ok" if ok else "cal_verdict_not", lang, mae=f"{mae_points:.1f}",
                 n=days, corr=f"{correlation:.2f}", bias=f"{wait_bias:+.0%}")


def _verdict(cal: Calibration, lang: str) -> str:
    if not cal.agreement:
        return label("cal_no_held_out", lang)
    if lang == "en":
        return cal.verdict
    a, w = cal.agreement["abandon_share"], cal.agreement["mean_wait_min"]
    return calibration_verdict(a["mae"] * 100, a["correlation"], w["relative_error"], a["days"],
                               lang)


def _ci(ci, lang: str) -> str:
    return label("cal_ci", lang, lo=f"{ci[0]:.0%}", hi=f"{ci[1]:.0%}") if ci else ""


def markdown(cal: Calibration, overlay_name: str, lang: str = DEFAULT_LANG) -> str:
    t = labels(lang)
    a = cal.agreement

    def days(d) -> str:
        return t("cal_day_range", first=d[0], last=d[-1], n=len(d)) if d else t("cal_none")

    lines = [
        f"# {t('cal_title')}",
        "",
        f"**{_verdict(cal, lang)}**",
        "",
        t("cal_days_line", fit=days(cal.fit_days), test=days(cal.test_days), reps=cal.reps,
          seed=cal.seed, overlay=overlay_name),
        "",
        t("cal_availability", share=f"{cal.availability:.0%}", ci=_ci(cal.availability_ci, lang),
          factor=f"{cal.availability:.3f}"),
        "",
        f"## {t('cal_sec_service')}",
        "",
        t("cal_service_head"),
        "|---|---|---:|---|---:|---:|---:|---|",
    ]
    for (st, ch), f in cal.service.items():
        pooled = t("cal_pooled") if (st, ch) in cal.pooled else ""
        lines.append(
            f"| {st}{pooled} | {ch} | {f.n} | {f.chosen.family} | "
            f"{f.chosen.params['mean_min']:.2f} | {f.chosen.params.get('cv', 1):.2f} | "
            f"{f.chosen.ks:.3f} | {f.mean_min:.2f} ({f.mean_ci[0]:.2f}–{f.mean_ci[1]:.2f}) |"
        )
    lines += [
        "",
        f"## {t('cal_sec_patience')}",
        "",
        t("cal_patience_head"),
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
            f"## {t('cal_sec_held_out')}",
            "",
            t("cal_held_out_head"),
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
            t("cal_agreement", mae=f"{ab['mae'] * 100:.2f}", corr=f"{ab['correlation']:.2f}",
              inside=ab["days_inside_95"], days=ab["days"], obs=f"{w['mean_observed']:.2f}",
              sim=f"{w['mean_simulated']:.2f}", bias=f"{w['relative_error']:+.0%}"),
        ]
    lines += ["", f"## {t('sec_notes')}", ""] + [f"- {note_text(n, lang)}" for n in cal.notes]
    lines += ["", t("cal_charts")]
    return "\n".join(lines) + "\n"


def write_calibration_outputs(
    cal: Calibration, scenario_path: Path, out: Path, overlay_name: str | None = None,
    lang: str = DEFAULT_LANG,
) -> list[Path]:
    """The overlay, ``calibration.json``, the charts and ``calibration.md`` / ``.html`` (the
    report and the charts in ``lang``; the overlay and the JSON stay English)."""
    out.mkdir(parents=True, exist_ok=True)
    overlay_path = out / (overlay_name or f"{Path(scenario_path).stem}.calibrated.toml")
    written = [write_text(overlay_path, overlay_toml(cal, scenario_path, overlay_path) + "\n")]
    summary = cal.summary_json()
    summary["overlay"] = overlay_path.name
    written.append(
        write_text(out / "calibration.json", json.dumps(summary, indent=2, default=str) + "\n")
    )
    with chart_fonts(lang):
        written.append(save_figure(out / "service_fits.png", service_figure(cal, lang)))
        if cal.patience:
            written.append(save_figure(out / "patience.png", patience_figure(cal, lang)))
        if len(cal.test_table):
            written.append(save_figure(out / "held_out.png", validation_figure(cal, lang)))
    md = markdown(cal, overlay_path.name, lang)
    written.append(write_text(out / "calibration.md", md))
    body = "".join(f"<pre>{html.escape(md)}</pre>")
    imgs = "".join(
        f'<p><img src="{p.name}" style="max-width:100%"></p>' for p in written if p.suffix == ".png"
    )
    html_lang = "zh-CN" if lang == "zh" else "en"
    written.append(
        write_text(
            out / "calibration.html",
            f"<!doctype html><html lang='{html_lang}'><meta charset='utf-8'>"
            f"<title>{html.escape(label('cal_title', lang))}</title>"
            f"<h1>{html.escape(_verdict(cal, lang))}</h1>{imgs}{body}",
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


def _days(days, lang: str = DEFAULT_LANG) -> str:
    if not days:
        return label("cal_none", lang)
    return label("cal_days", lang, first=days[0], last=days[-1], n=len(days))


def plan_calibration_html(scenario: Scenario, lang: str = DEFAULT_LANG) -> str:
    """The plan report's "Model calibration" section: the held-out verdict, where the
    fitted values come from and the availability the roster was sized with (in ``lang``)."""
    t = labels(lang)
    a = scenario.staff.availability
    cal = scenario.calibration
    head = f"<h2>{html.escape(t('cal_sec_plan'))}</h2>"
    if cal is None:
        return f"{head}<p class='verdict'>{t('cal_not_calibrated', a=f'{a:g}')}</p>"

    def opt(x, fmt: str) -> str:
        return "–" if x is None else format(x, fmt)

    rows = [
        (t("cal_ticket_log"), html.escape(cal.ticket_log)),
        (t("cal_fit_days"), _days(cal.fit_days, lang)),
        (t("cal_held_out_days"), _days(cal.held_out_days, lang)),
        (t("cal_mae_row"), opt(cal.abandon_mae_points, ".2f")),
        (t("cal_corr_row"), opt(cal.abandon_correlation, ".2f")),
        (t("cal_bias_row"), opt(cal.wait_bias, "+.0%")),
        (t("cal_avail_row"), html.escape(t("cal_avail_text", share=f"{cal.availability:.0%}",
                                           ci=_ci(cal.availability_ci, lang), a=f"{a:g}"))),
    ]
    verdict = cal.verdict
    numbers = (cal.abandon_mae_points, cal.abandon_correlation, cal.wait_bias)
    if lang != "en" and cal.held_out_days and None not in numbers:
        verdict = calibration_verdict(*numbers, len(cal.held_out_days), lang)
    table = "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return (
        f"{head}<p class='verdict'>{html.escape(verdict)}</p>"
        f"<table class='t'>{table}</table>"
    )

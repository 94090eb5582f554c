"""Files written by ``hallplan simulate``: customers.csv, kpi_interval.csv, kpi_day.csv,
summary.md and waits.png (labels in English or Chinese, :mod:`hallplan.i18n`) — all written
atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from hallplan.atomic import save_figure, write_csv, write_text
from hallplan.i18n import DEFAULT_LANG, labels, post_name
from hallplan.reports import html as h
from hallplan.reports.fonts import chart_fonts
from hallplan.sim.replicate import Results
from hallplan.sim.scenario import format_clock


def _fmt(mean: float, lo: float, hi: float, digits: int = 2, pct: bool = False) -> str:
    """``86.9% (80.2–92.0%)`` for a share (bounds inside 0–100 %), ``128 (122–134)`` for a
    count or a time (never below 0): the mean and its interval over replications."""
    if pct:
        return h.pct_ci(mean, lo, hi)
    if pd.isna(mean):
        return "–"
    s = f"{mean:,.{digits}f}"
    if pd.isna(lo) or pd.isna(hi):
        return s
    return f"{s} ({max(float(lo), 0.0):,.{digits}f}–{max(float(hi), 0.0):,.{digits}f})"


def _cell(m: pd.DataFrame, metric: str, digits: int = 1, pct: bool = False) -> str:
    """Mean and interval of one metric from a summary indexed by metric."""
    if metric not in m.index:
        return "–"
    r = m.loc[metric]
    return _fmt(r["mean"], r["ci_low"], r["ci_high"], digits, pct)


def target_check(results: Results) -> pd.DataFrame:
    """Per date and lane: the day's share called within target and abandonment vs targets,
    plus the intervals whose mean share misses the target."""
    s = results.scenario
    isum = results.interval_summary()
    dsum = results.day_summary()
    rows = []
    for date in results.dates:
        for lane in s.lanes:
            d = dsum[
                (dsum["date"] == date) & (dsum["group_kind"] == "lane") & (dsum["group"] == lane)
            ]
            if d.empty:
                continue
            get = d.set_index("metric")
            share = (
                get.loc["share_called_within_target"]
                if "share_called_within_target" in get.index
                else None
            )
            ab = get.loc["abandon_share"] if "abandon_share" in get.index else None
            iv = isum[
                (isum["date"] == date)
                & (isum["lane"] == lane)
                & (isum["metric"] == "share_called_within_target")
            ]
            target = s.targets.min_share_called_within
            if lane == s.calling.vip_lane and "vip" in s.targets.by_class:
                target = s.targets.by_class["vip"].min_share_called_within
            # intervals after closing hold only the last few customers: not judged
            missed = iv[(iv["mean"] < target) & (iv["interval_start_min"] < s.hours.close)]
            rows.append(
                {
                    "date": date,
                    "lane": lane,
                    "share_called_within_target": share["mean"]
                    if share is not None
                    else float("nan"),
                    "share_ci": share["ci_half_width"] if share is not None else float("nan"),
                    "share_lo": share["ci_low"] if share is not None else float("nan"),
                    "share_hi": share["ci_high"] if share is not None else float("nan"),
                    "target_share": target,
                    "abandon_share": ab["mean"] if ab is not None else float("nan"),
                    "abandon_ci": ab["ci_half_width"] if ab is not None else float("nan"),
                    "abandon_lo": ab["ci_low"] if ab is not None else float("nan"),
                    "abandon_hi": ab["ci_high"] if ab is not None else float("nan"),
                    "max_abandon_share": s.targets.max_abandon_share,
                    "intervals_missing_target": ", ".join(
                        format_clock(t) for t in missed["interval_start_min"]
                    ),
                }
            )
    return pd.DataFrame(rows)


def summary_markdown(results: Results, elapsed_s: float | None = None,
                     lang: str = DEFAULT_LANG) -> str:
    """summary.md: per day the hall's visits, waits and care, then lanes, posts and
    customer classes; the targets table last."""
    t = labels(lang)
    s = results.scenario
    dsum = results.day_summary()
    lines = [
        f"# {t('sim_title', hall=s.hall.name or s.hall.id)}",
        "",
        "- " + t("sim_hall", id=s.hall.id, kind=s.hall.kind, open=format_clock(s.hours.open),
                 close=format_clock(s.hours.close), interval=s.interval_min),
        "- " + t("sim_dates", dates=", ".join(str(d) for d in results.dates),
                 reps=results.reps, seed=results.seed),
        "- " + t("sim_ci"),
    ]
    if elapsed_s is not None:
        lines.append("- " + t("sim_run_time", s=f"{elapsed_s:.1f}"))
    for date in results.dates:
        d = dsum[dsum["date"] == date]
        hall = d[d["group_kind"] == "hall"].set_index("metric")

        def h(metric: str, digits: int = 1, pct: bool = False, hall=hall) -> str:
            return _cell(hall, metric, digits, pct)

        lines += [
            "",
            f"## {date}",
            "",
            "- " + t("sim_visits", visits=h("arrivals", 0), counter=h("served_at_counter", 0),
                     kiosk=h("served_at_kiosk", 0), abandoned=h("abandoned", 0),
                     balked=h("balked", 0)),
            "- " + t("sim_within", share=h("share_called_within_target", pct=True),
                     wait=h("mean_wait_min"), p90=h("p90_wait_min")),
            "- " + t("sim_cared", min=f"{s.waiting_care.threshold_min:g}", n=h("cared", 0)),
            "- " + t("sim_triage", share=h("triaged_share", pct=True),
                     misrouted=h("misrouted", 0), failed=h("kiosk_failed", 0)),
            "- " + t("sim_last", clock=format_clock(hall.loc["last_departure_min", "mean"]))
            if "last_departure_min" in hall.index
            else "",
            "",
            t("sim_lane_head"),
            "|---|---|---|---|---|---|---|---|",
        ]
        lanes = d[d["group_kind"] == "lane"]
        for lane, grp in lanes.groupby("group"):
            m = grp.set_index("metric")

            lines.append(
                f"| {post_name(lane, lang)} | {_cell(m, 'tickets', 0)} | {_cell(m, 'served', 0)} | "
                f"{_cell(m, 'abandoned', 0)} | "
                f"{_cell(m, 'share_called_within_target', pct=True)} | "
                f"{_cell(m, 'mean_wait_min')} | {_cell(m, 'p90_wait_min')} | "
                f"{_cell(m, 'max_wait_min')} |"
            )
        lines += ["", t("sim_post_head"), "|---|---|---|"]
        posts = d[d["group_kind"] == "post"]
        for post, grp in posts.groupby("group"):
            m = grp.set_index("metric")
            lines.append(
                f"| {post_name(post, lang)} | {_cell(m, 'utilisation', pct=True)} | "
                f"{_cell(m, 'staff_hours')} |"
            )
        cls = d[d["group_kind"] == "customer_class"]
        lines += ["", t("sim_class_head"), "|---|---|---|---|"]
        for name, grp in cls.groupby("group"):
            m = grp.set_index("metric")
            tg = s.targets.for_class(name)
            what = t("sim_class", name=name, share=f"{tg.min_share_called_within:.0%}",
                     min=f"{tg.wait_target_min:g}")
            lines.append(
                f"| {what} | "
                f"{_cell(m, 'tickets', 0)} | {_cell(m, 'share_called_within_target', pct=True)} | "
                f"{_cell(m, 'abandon_share', pct=True)} |"
            )
    tc = target_check(results)
    lines += ["", f"## {t('sim_targets')}", "", t("sim_target_head"),
              "|---|---|---|---|---|---|---|"]
    for _, r in tc.iterrows():
        within = _fmt(r["share_called_within_target"], r["share_lo"], r["share_hi"], pct=True)
        abandon = _fmt(r["abandon_share"], r["abandon_lo"], r["abandon_hi"], pct=True)
        lines.append(
            f"| {r['date']} | {post_name(r['lane'], lang)} | {within} | "
            f"{r['target_share']:.0%} | {abandon} | "
            f"{r['max_abandon_share']:.0%} | {r['intervals_missing_target'] or t('none')} |"
        )
    esc = results.escalations
    if len(esc) and "action" in esc and esc["action"].notna().any():
        n_in = int((esc["action"] == "sign_in").sum())
        lines += ["", t("sim_escalation", n=f"{n_in / results.reps:.1f}")]
    return "\n".join(line for line in lines if line is not None) + "\n"


def waits_figure(results: Results, lang: str = DEFAULT_LANG):
    """Mean wait and queue length per interval of the first day, per lane, with 95% CIs;
    the time axis in HH:MM (build it inside :func:`chart_fonts` for Chinese)."""
    tr = labels(lang)
    isum = results.interval_summary()
    date = results.dates[0]
    lanes = list(results.scenario.lanes)
    fig = Figure(figsize=(10, 7))
    axes = fig.subplots(2, 1, sharex=True)
    for metric, ax, label in [
        ("mean_wait_min", axes[0], tr("sim_wait_axis")),
        ("queue_len_mean", axes[1], tr("sim_queue_axis")),
    ]:
        for lane in lanes:
            d = isum[(isum["date"] == date) & (isum["lane"] == lane) & (isum["metric"] == metric)]
            x = d["interval_start_min"] / 60.0
            ax.step(x, d["mean"], where="post", label=post_name(lane, lang))
            low = d["ci_low"].clip(lower=0)  # waits and queue lengths are never negative
            ax.fill_between(x, low, d["ci_high"], step="post", alpha=0.2)
        ax.axvspan(
            results.scenario.hours.close / 60.0,
            ax.get_xlim()[1],
            color="grey",
            alpha=0.15,
            label=tr("sim_after_close"),
        )
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    t = results.scenario.targets.wait_target_min
    axes[0].axhline(t, color="red", linestyle="--", linewidth=1,
                    label=tr("sim_target_line", min=f"{t:g}"))
    axes[0].legend(loc="upper right")
    lo, hi = axes[1].get_xlim()
    ticks = [h for h in range(int(lo), int(hi) + 2) if lo <= h <= hi]
    axes[1].set_xticks(ticks, [format_clock(60 * h) for h in ticks])
    axes[1].set_xlabel(tr("time_of_day"))
    fig.suptitle(tr("sim_suptitle", hall=results.scenario.hall.id, date=date,
                    reps=results.reps))
    return fig


def write_simulation_outputs(
    results: Results, out: Path, elapsed_s: float | None = None, lang: str = DEFAULT_LANG
) -> list[Path]:
    out = Path(out)
    written = [
        write_csv(out / "customers.csv", results.customers),
        write_csv(out / "kpi_interval.csv", results.interval_kpis),
        write_csv(out / "kpi_interval_summary.csv", results.interval_summary()),
        write_csv(out / "kpi_day.csv", results.day_summary()),
        write_csv(out / "kpi_interval_class.csv", results.interval_kpis_by("customer_class")),
        write_csv(out / "kpi_interval_service_type.csv", results.interval_kpis_by("service_type")),
        write_csv(out / "kpi_interval_post.csv", results.post_utilisation_by_interval()),
        write_text(out / "summary.md", summary_markdown(results, elapsed_s, lang)),
    ]
    with chart_fonts(lang):
        written.append(save_figure(out / "waits.png", waits_figure(results, lang)))
    return written

"""The plan's output folder: a self-contained HTML report (charts embedded), CSV and XLSX
tables and ``plan.json`` (inputs' hashes, versions, seed) so the plan can be reproduced.

The report is written for the hall manager: the first screen is the verdict (do the wait
targets hold?), the headline numbers with their 90 % intervals (shares as percentages,
counts as whole numbers, waits in minutes) and the charts; the long tables follow,
collapsed; how the planning loop and the roster solver got there (work units, gaps,
statuses) sits in a “details” section at the end. Labels come from :mod:`hallplan.i18n`
(``lang="en"`` or ``"zh"``).
"""

from __future__ import annotations

import hashlib
import html
import json
import platform
from importlib import metadata
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from hallplan.atomic import save_figure, write_csv, write_text
from hallplan.i18n import CATALOGUE, DEFAULT_LANG, label, labels, note_text, post_name
from hallplan.optimize.roster.check import check_roster
from hallplan.pipeline import PlanResult
from hallplan.region.tasks import hall_kpis
from hallplan.reports import html as h
from hallplan.reports.calibration import plan_calibration_html, plan_calibration_record
from hallplan.reports.fonts import chart_fonts
from hallplan.reports.roster import (
    ROSTER_CLOCK_COLUMNS,
    ROSTER_HEADERS,
    coverage_figure,
    gantt_figure,
    hours_table,
    roster_grid,
    roster_table,
)
from hallplan.reports.xlsx import Sheet, write_workbook
from hallplan.sim.intervals import mean_ci
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


def kpi_heatmap(plan: PlanResult, metric: str = "share_called_within_target",
                lang: str = DEFAULT_LANG):
    """Day × interval heatmap of a KPI (mean over replications), one panel per lane (build it
    inside :func:`~hallplan.reports.fonts.chart_fonts` for Chinese)."""
    t = labels(lang)
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
        ax.set_title(t("chart_kpi_lane", lane=post_name(lane, lang), reps=plan.config.reps),
                     fontsize=9)
        cols = list(grid.columns)
        step = max(1, len(cols) // 12)
        ax.set_xticks(
            range(0, len(cols), step), [format_clock(c) for c in cols[::step]], fontsize=7
        )
        rows = list(grid.index)
        ystep = max(1, len(rows) // 10)
        ax.set_yticks(range(0, len(rows), ystep), [str(r) for r in rows[::ystep]], fontsize=7)
        bar = fig.colorbar(im, ax=ax, fraction=0.02, format=PercentFormatter(1.0))
        bar.set_label(t("share_axis"), fontsize=7)
    fig.tight_layout()
    return fig


HEADLINE_CONFIDENCE = 0.95
"""The first screen's intervals: the same level as the per-lane month table
(:meth:`PlanResult.lane_kpis`), so one screen never shows two intervals for one number."""


def headline(plan: PlanResult) -> dict:
    """The first screen's numbers: pooled over the horizon per replication, then the mean
    and 95 % interval over replications — share within target, share who left, mean wait
    (minutes), visits; plus the roster's employees, paid and uncovered hours."""
    conf = HEADLINE_CONFIDENCE
    k = hall_kpis(plan.results, None, conf)
    d = plan.results.day_kpis
    visits = d[(d["group_kind"] == "hall") & (d["metric"] == "arrivals")]
    per_rep = visits.groupby("rep")["value"].sum().to_numpy(float)
    v = mean_ci(per_rep, conf) if len(per_rep) else None
    return {
        **k,
        "visits": v.mean if v else float("nan"),
        "visits_lo": v.low if v else float("nan"),
        "visits_hi": v.high if v else float("nan"),
        "employees": len(plan.problem.employees),
        "paid_hours": plan.roster.roster.paid_hours(),
        "uncovered_hours": plan.roster.check.under_staff_hours,
    }


def day_table(plan: PlanResult) -> pd.DataFrame:
    """One row per day: visits, counter tickets (whole numbers), share within target and
    share who left (0–1), mean and 90th-percentile wait (minutes); means over replications."""
    s = plan.results.day_summary()
    hall = s[s["group_kind"] == "hall"]
    wide = hall.pivot_table(index="date", columns="metric", values="mean")
    out = wide[list(DAY_COLUMNS)].rename(columns=DAY_COLUMNS).reset_index()
    for c in ("visits", "counter_tickets"):
        out[c] = out[c].round().astype(int)
    return out


def lane_table(plan: PlanResult, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Per lane over the period: the plan's roster against the targets (shares with their
    95 % interval inside 0–100 %), beside what the layout reaches with every counter staffed."""
    t = labels(lang)
    lanes = plan.lane_kpis()
    if lanes.empty:
        return lanes
    full = plan.full_staffing_kpis.set_index("lane") if len(plan.full_staffing_kpis) else None
    rows = []
    for r in lanes.itertuples():
        row = {
            t("lane"): post_name(r.lane, lang),
            t("lane_within"): h.pct_ci(r.share_within, r.share_within_low, r.share_within_high),
            t("col_target"): f"{r.target:.0%}",
            t("col_abandoned"): h.pct_ci(r.abandon_share, r.abandon_low, r.abandon_high),
            t("lane_abandon_limit"): f"{r.max_abandon:.0%}",
            t("lane_holds"): t("yes") if r.holds else t("no"),
        }
        if full is not None and r.lane in full.index:
            row[t("lane_full")] = h.pct(full.at[r.lane, "share_within"])
        rows.append(row)
    return pd.DataFrame(rows)


_WEEKDAY_ZH = {"Mondays": "周一", "Tuesdays": "周二", "Wednesdays": "周三",
               "Thursdays": "周四", "Fridays": "周五", "Saturdays": "周六", "Sundays": "周日"}


def advice_lines(plan: PlanResult, lang: str = DEFAULT_LANG) -> list[str]:
    """“N more qualified staff on <weekday>s HH:MM–HH:MM”: the staff-limited misses summed
    per lane and weekday (:meth:`PlanResult.advice`), in ``lang``."""
    adv = plan.advice()
    if lang == "en":
        return list(adv["advice"])
    return [label("advice_line", lang, weekday=_WEEKDAY_ZH.get(r.weekday, r.weekday),
                  start=format_clock(r.from_min), end=format_clock(r.to_min),
                  more=int(r.more_staff), post=post_name(r.lane, lang),
                  intervals=int(r.intervals), dates=int(r.dates))
            for r in adv.itertuples()]


DAY_COLUMNS = {
    "arrivals": "visits",
    "tickets": "counter_tickets",
    "share_called_within_target": "share_within_target",
    "mean_wait_min": "mean_wait_min",
    "p90_wait_min": "p90_wait_min",
    "abandon_share": "abandon_share",
}
DAY_LABELS = {"date": "date", "visits": "col_visits", "counter_tickets": "col_tickets",
              "share_within_target": "col_within", "mean_wait_min": "col_mean_wait",
              "p90_wait_min": "col_p90_wait", "abandon_share": "col_abandoned"}


def staff_cost(plan: PlanResult, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    t = labels(lang)
    c = plan.config
    paid = plan.roster.roster.paid_hours()
    rows = [
        (t("cost_req_initial"), plan.initial_requirement.staff_hours()),
        (t("cost_req_final"), plan.requirement.staff_hours()),
        (t("cost_paid"), paid),
        (t("cost_paid_day"), paid / max(len(plan.dates), 1)),
        (t("cost_under"), plan.roster.check.under_staff_hours),
        (t("cost_labour", rate=f"{c.cost_per_paid_hour:g}"), paid * c.cost_per_paid_hour),
    ]
    return pd.DataFrame(rows, columns=[t("item"), t("value")])


def rounds_table(plan: PlanResult, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The loop's rounds (a details table: requirement, paid and uncovered staff-hours, the
    roster search's own summary)."""
    t = labels(lang)
    return pd.DataFrame(
        [
            {
                t("loop_round"): r.round,
                t("loop_req"): round(r.requirement_staff_hours, 1),
                t("loop_paid"): round(r.paid_hours, 1),
                t("loop_under"): round(r.under_coverage_staff_hours, 1),
                t("loop_misses"): len(r.misses),
                t("loop_raised"): r.raised,
                t("loop_capped"): r.capped,
                t("loop_kept"): t("yes") if k == (plan.chosen % len(plan.rounds)) else "",
                t("loop_roster"): r.roster_summary,
            }
            for k, r in enumerate(plan.rounds)
        ]
    )


def shortfall_table(plan: PlanResult) -> pd.DataFrame:
    """Where the kept round still misses: date, interval (minutes), lane, share (mean and the
    best plausible value), target, staff needed / rostered / short."""
    sf = plan.shortfall()
    cols = ["date", "interval_start_min", "lane", "mean", "upper", "target", "required",
            "rostered", "short_staff"]
    if sf.empty:
        return pd.DataFrame(columns=cols)
    return sf[cols].reset_index(drop=True)


SHORTFALL_LABELS = {"date": "date", "interval_start_min": "interval", "lane": "lane",
                    "mean": "col_mean", "upper": "col_upper", "target": "col_target",
                    "required": "col_required", "rostered": "col_rostered",
                    "short_staff": "col_short"}


def verdict_text(plan: PlanResult, lang: str = DEFAULT_LANG) -> str:
    """The first line a manager reads: the targets hold, or which lanes fall short over the
    period, how many intervals staff could still fix and how many only another counter
    would (the same facts as :meth:`PlanResult.verdict`, in ``lang``)."""
    t = labels(lang)
    m = plan.final_round.misses
    layout = int((m["cause"] == "layout").sum()) if "cause" in m else 0
    tail = t("verdict_layout", n=layout) if layout else ""
    if plan.targets_hold:
        return t("verdict_hold") + tail
    lanes = plan.lane_kpis()
    short = [] if lanes.empty else [
        t("verdict_lane_item", lane=post_name(r.lane, lang), share=h.pct(r.share_within),
          target=f"{r.target:.0%}", left=h.pct(r.abandon_share), limit=f"{r.max_abandon:.0%}")
        for r in lanes.itertuples() if not r.holds]
    parts = []
    if short:
        parts.append(t("verdict_lanes", lanes="；".join(short) if lang == "zh"
                       else "; ".join(short)))
    if len(plan.open_misses):
        parts.append(t("verdict_open", n=len(plan.open_misses)))
    return t("verdict_miss") + ("；" if lang == "zh" else "; ").join(parts) + tail


def _headline_html(plan: PlanResult, t, lang: str) -> str:
    k = headline(plan)
    cards = [
        (t("headline_within"),
         h.pct_ci(k.get("share_within_target"), k.get("share_within_target_lo"),
                  k.get("share_within_target_hi"))),
        (t("headline_wait"),
         t("minutes", v=h.ci_text(k.get("mean_wait_min"), k.get("mean_wait_min_lo"),
                                  k.get("mean_wait_min_hi"), 1))),
        (t("headline_abandon"),
         h.pct_ci(k.get("abandon_share"), k.get("abandon_share_lo"), k.get("abandon_share_hi"))),
        (t("headline_visits"), h.count_ci(k["visits"], k["visits_lo"], k["visits_hi"])),
        (t("headline_staff"), f"{k['employees']:,}"),
        (t("headline_paid"), t("hours", v=h.num(k["paid_hours"]))),
    ]
    if k["uncovered_hours"] > 0:
        cards.append((t("headline_uncovered"), t("hours", v=h.num(k["uncovered_hours"], 1))))
    rows = "".join(f"<div class='card'><div class='v'>{v}</div>"
                   f"<div class='k'>{html.escape(name)}</div></div>" for name, v in cards)
    return (f"<div class='cards'>{rows}</div>"
            f"<p class='explain'>{html.escape(t('ci_note', reps=plan.config.reps))}</p>")


def _days_html(plan: PlanResult, t) -> str:
    d = day_table(plan)
    rows = [[h.esc(r["date"]), h.num(r["visits"]), h.num(r["counter_tickets"]),
             h.pct(r["share_within_target"]), h.num(r["mean_wait_min"], 1),
             h.num(r["p90_wait_min"], 1), h.pct(r["abandon_share"])]
            for _, r in d.iterrows()]
    return h.table([t(DAY_LABELS[c]) for c in d.columns], rows)


def _shortfall_html(plan: PlanResult, t, lang: str) -> str:
    sf = shortfall_table(plan)
    rows = [[h.esc(r["date"]), format_clock(r["interval_start_min"]),
             h.esc(post_name(r["lane"], lang)), h.pct(r["mean"]), h.pct(r["upper"]),
             h.pct(r["target"]), h.num(r["required"]), h.num(r["rostered"]),
             h.num(r["short_staff"])] for _, r in sf.iterrows()]
    return h.table([t(SHORTFALL_LABELS[c]) for c in sf.columns], rows)


def _grid_html(grid: pd.DataFrame) -> str:
    rows = [[h.esc(v) for v in r] for r in grid.itertuples(index=False, name=None)]
    return "<div class='wide'>" + h.table(list(map(str, grid.columns)), rows, "t grid") + "</div>"


STYLE = (
    "body{font-family:sans-serif;max-width:1200px;margin:auto;padding:0 1em}"
    "table.t{border-collapse:collapse;font-size:12px}"
    "table.t td,table.t th{padding:2px 6px;border-bottom:1px solid #ddd;text-align:left}"
    "table.grid td{white-space:nowrap}div.wide{overflow-x:auto}"
    "img{max-width:100%}.verdict{font-size:18px;padding:8px 12px;border-radius:4px}"
    ".verdict.ok{background:#e8f5e9}.verdict.miss{background:#fdecea}"
    ".cards{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}"
    ".card{border:1px solid #ddd;border-radius:4px;padding:6px 10px;min-width:150px}"
    ".card .v{font-size:18px;font-weight:bold}.card .k{font-size:12px;color:#444}"
    ".explain{color:#444;font-size:12px}details{margin:6px 0}summary{cursor:pointer}"
)


def report_html(plan: PlanResult, five=None, elapsed_s: float | None = None,
                lang: str = DEFAULT_LANG) -> str:
    """The plan report (see the module docstring for its order)."""
    t = labels(lang)
    s = plan.scenario
    first, last = plan.dates[0], plan.dates[-1]
    problem = plan.problem
    cov = check_roster(plan.roster.roster, problem).coverage
    hold = plan.targets_hold
    verdict = verdict_text(plan, lang)
    with chart_fonts(lang):
        heat = h.png_data_uri(kpi_heatmap(plan, lang=lang))
        coverage = h.png_data_uri(coverage_figure(cov, problem, lang))
        gantt = h.png_data_uri(gantt_figure(plan.roster.roster, problem, first, lang))
    title = t("plan_title", hall=s.hall.name or s.hall.id, month=f"{first:%Y-%m}")
    scope = t("plan_scope", days=len(plan.dates), first=first, last=last,
              employees=len(problem.employees))
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(scope)}</p>",
        f"<p class='verdict {'ok' if hold else 'miss'}' id='verdict'><b>"
        f"{html.escape(t('verdict'))}</b> {html.escape(verdict)}</p>",
        h.frame_table(lane_table(plan, lang)),
    ]
    advice = advice_lines(plan, lang)
    if advice:
        parts += [f"<h2>{html.escape(t('sec_advice'))}</h2>",
                  "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in advice) + "</ul>"]
    parts += [
        _headline_html(plan, t, lang),
        f"<section id='charts'><h2>{html.escape(t('chart_kpi'))}</h2>",
        f"<img alt='heatmap' src='{heat}'>",
        f"<h2>{html.escape(t('chart_coverage'))}</h2>",
        f"<img alt='coverage' src='{coverage}'>",
        f"<h2>{html.escape(t('chart_gantt'))}</h2>",
        f"<img alt='gantt' src='{gantt}'></section>",
        # can the numbers above be trusted: the model's calibration against the hall's log
        f"<section id='calibration'>{plan_calibration_html(s, lang)}</section>",
        "<section id='tables'>",
    ]
    if len(plan.final_round.misses):
        parts += [f"<h2>{html.escape(t('sec_misses'))}</h2>",
                  h.details(t("show_table"), _shortfall_html(plan, t, lang), open_=True)]
    parts += [
        f"<h2>{html.escape(t('sec_days'))}</h2>",
        h.details(t("show_table"), _days_html(plan, t)),
        f"<h2>{html.escape(t('sec_roster_grid'))}</h2>",
        h.details(t("show_table"), _grid_html(roster_grid(plan.roster.roster, problem, lang))),
        f"<h2>{html.escape(t('sec_hours'))}</h2>",
        h.details(t("show_table"), h.frame_table(hours_table(plan.roster.roster, problem, lang)
                                                 .rename(columns=_HOURS_LABELS(t)), "{:,.1f}")),
        f"<h2>{html.escape(t('sec_cost'))}</h2>",
        h.details(t("show_table"), h.frame_table(staff_cost(plan, lang), "{:,.1f}")),
    ]
    if five is not None:
        parts.append(f"<h2>{html.escape(t('sec_five'))}</h2>")
        for name, table in five.tables().items():
            parts.append(h.details(t(f"five_title_{name}"),
                                   h.frame_table(five_frame(table, lang), "{:,.2f}")))
    parts.append("</section>")
    notes = [note_text(n, lang) for n in plan.notes]
    if five is not None:
        from hallplan.reports.forecast import five_note_lines

        notes += five_note_lines(five.notes, lang)
    elapsed = t("run_time", s=f"{elapsed_s:.0f}") if elapsed_s else ""
    c = plan.config
    info = t("run_info", source=plan.demand.source, method=c.requirement_method, reps=c.reps,
             seed=c.seed, elapsed=elapsed)
    detail = [
        f"<p>{html.escape(info)}</p>",
        f"<h3>{html.escape(t('sec_loop'))}</h3>",
        f"<p>{html.escape(t('loop_verdict_rounds', n=len(plan.rounds)))}</p>",
        h.frame_table(rounds_table(plan, lang)),
    ]
    if notes:
        detail += [f"<h3>{html.escape(t('sec_notes'))}</h3>",
                   "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>"]
    parts += ["<section id='details'>",
              h.details(t("details"), "".join(detail)), "</section>"]
    return h.page(t("plan_title", hall=s.hall.id, month=f"{first:%Y-%m}"), STYLE, parts, lang)


def _HOURS_LABELS(t) -> dict:
    return {"employee": t("employee"), "total_paid_hours": t("total_paid_hours"),
            "allowed_hours": t("allowed_hours")}


def five_frame(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A five-table frame with people's headers (interval columns ``HH:MM`` stay)."""
    return table.rename(columns={c: label(f"fc_{c}", lang) for c in table.columns
                                 if f"fc_{c}" in CATALOGUE})


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
            + (f" --polish {plan.config.roster_polish_units:g}"
               if plan.config.roster_polish_units else "")
            + (f" --history {store_path}" if store_path else "")
        ),
    }


def plan_sheets(plan: PlanResult, five=None, lang: str = DEFAULT_LANG) -> list[Sheet]:
    """The workbook ``plan.xlsx``: the roster as an employee × day grid first (the sheet a
    hall manager posts), then the shifts, days, misses, requirement, hours, cost, the loop's
    rounds and the five tables — labelled headers, HH:MM times, shares as percentages."""
    t = labels(lang)
    roster, problem = plan.roster.roster, plan.problem
    shifts = roster_table(roster)
    shifts["post"] = shifts["post"].map(lambda p: post_name(p, lang))
    req = plan.requirement.table.copy()
    if "post" in req:
        req["post"] = req["post"].map(lambda p: post_name(p, lang))
    sf = shortfall_table(plan)
    sf["lane"] = sf["lane"].map(lambda p: post_name(p, lang))
    hours = hours_table(roster, problem, lang)
    sheets = [
        Sheet(t("sheet_roster_grid"), roster_grid(roster, problem, lang), freeze="B2"),
        Sheet(t("sheet_roster_rows"), shifts, {c: t(c) for c in ROSTER_HEADERS},
              clock=ROSTER_CLOCK_COLUMNS),
        Sheet(t("sheet_days"), day_table(plan), {c: t(k) for c, k in DAY_LABELS.items()},
              percent=("share_within_target", "abandon_share"),
              integer=("visits", "counter_tickets")),
    ]
    if not sf.empty:
        sheets.append(Sheet(t("sheet_misses"), sf,
                            {c: t(k) for c, k in SHORTFALL_LABELS.items()},
                            clock=("interval_start_min",), percent=("mean", "upper", "target"),
                            integer=("required", "rostered", "short_staff")))
    sheets += [
        Sheet(t("sheet_requirement"), req,
              {"date": t("date"), "interval_start_min": t("interval"), "post": t("post"),
               "staff": t("staff"), "method": t("method")},
              clock=("interval_start_min",), integer=("staff",)),
        Sheet(t("sheet_hours"), hours, _HOURS_LABELS(t)),
        Sheet(t("sheet_cost"), staff_cost(plan, lang)),
        Sheet(t("sheet_loop"), rounds_table(plan, lang)),
    ]
    if five is not None:
        for name, table in five.tables().items():
            sheets.append(Sheet(label(f"five_title_{name}", lang)[:31], five_frame(table, lang)))
    return sheets


def write_plan_outputs(
    plan: PlanResult,
    out: Path,
    scenario_path: Path,
    store_path: Path | None = None,
    five=None,
    elapsed_s: float | None = None,
    lang: str = DEFAULT_LANG,
) -> list[Path]:
    """Write the plan's folder: CSV tables (English column names: data for other tools),
    ``roster_grid.csv`` and ``plan.xlsx`` and ``report.html`` in ``lang``, the heatmap PNG
    and ``plan.json``."""
    out = Path(out)
    roster = plan.roster.roster
    tables = {
        "requirement": plan.requirement.table,
        "roster": roster_table(roster),
        "roster_grid": roster_grid(roster, plan.problem, lang),
        "hours_per_week": hours_table(roster, plan.problem),
        "days": day_table(plan),
        "loop_rounds": rounds_table(plan),
        "staff_cost": staff_cost(plan),
    }
    if five is not None:
        tables.update({f"five_{k}": v for k, v in five.tables().items()})
    written = [write_csv(out / f"{name}.csv", t) for name, t in tables.items()]
    written.append(write_csv(out / "kpi_interval.csv", plan.results.interval_kpis))
    written.append(write_workbook(out / "plan.xlsx", plan_sheets(plan, five, lang)))
    written.append(write_text(out / "report.html", report_html(plan, five, elapsed_s, lang)))
    with chart_fonts(lang):
        written.append(save_figure(out / "kpi_heatmap.png", kpi_heatmap(plan, lang=lang)))
    meta = plan_json(plan, scenario_path, store_path, elapsed_s)
    meta["language"] = lang
    written.append(write_text(out / "plan.json", json.dumps(meta, indent=2, default=str) + "\n"))
    return written


__all__ = ["headline", "kpi_heatmap", "plan_json", "plan_sheets", "report_html",
           "write_plan_outputs"]

"""The region report: one self-contained HTML page (charts embedded), ``region.xlsx`` and
``region_halls.csv`` for a regional planner looking at many halls at once.

The region runner plans every hall, then calls :func:`write_region_report` with one row per
hall (failed halls included), the headcount allocation (if a budget was given) and the run's
settings. Every file is written atomically (``hallplan.atomic``): a reader never sees a
half-written report. The numbers are in :mod:`hallplan.reports.region_tables`, the charts in
:mod:`hallplan.reports.region_charts`, the shared HTML pieces in :mod:`hallplan.reports.html`.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from hallplan.atomic import write_csv, write_text
from hallplan.i18n import DEFAULT_LANG, labels
from hallplan.reports import html as h
from hallplan.reports.fonts import chart_fonts
from hallplan.reports.region_charts import (
    CHART_CAP,
    headcount_figure,
    marginal_figure,
    ranking_figure,
)
from hallplan.reports.region_tables import (
    RISK_KINDS,
    allocation_verdicts,
    as_flags,
    at_risk_frames,
    at_risk_table,
    is_planned,
    region_totals,
    settings_table,
)
from hallplan.reports.xlsx import Sheet, write_workbook

# ---------------------------------------------------------------------------------------------
# HTML sections (every label from hallplan.i18n; ``t`` is the report's language)


def _headline_section(halls, allocation, region, totals: pd.DataFrame, t) -> str:
    """The verdict: halls holding their targets (the plan's verdict), failed halls, the
    headcount the plans need against the books (and the allocation), the region's share."""
    v = dict(zip(totals["key"], totals["value"], strict=True))
    lines = [t("region_verdict", hold=f"{v['halls_targets_hold']:,}",
               planned=f"{v['halls_planned']:,}")]
    if v["halls_failed"]:
        lines.append(t("region_failed", n=f"{v['halls_failed']:,}"))
    lines.append(t("region_headcount", needed=h.num(v["headcount_needed"]),
                   current=h.num(v["headcount_current"])))
    if allocation is not None and not h.isnan(v["halls_meet_with_allocation"]):
        lines.append(t("region_alloc_meets", n=f"{int(v['halls_meet_with_allocation']):,}",
                       total=f"{len(allocation):,}"))
    if not h.isnan(v["share_within_target"]):
        lines.append(t("region_share", share=h.pct(v["share_within_target"])))
    ok = v["halls_targets_hold"] == v["halls_planned"] and not v["halls_failed"]
    return (f"<section id='verdict'><p class='verdict {'ok' if ok else 'miss'}'><b>"
            f"{html.escape(t('verdict'))}</b></p><ul class='headline'>"
            + "".join(f"<li>{html.escape(x)}</li>" for x in lines) + "</ul></section>")


def _summary_section(region, totals: pd.DataFrame, t) -> str:
    rows = [(html.escape(str(item)),
             h.NA if h.isnan(val) else (h.pct(val) if key == "share_within_target"
                                        else h.num(val, 1 if "staff_hours" in key else 0)))
            for key, item, val in totals.itertuples(index=False)]
    settings = settings_table(region)
    body = (h.table([t("item"), t("value")], rows)
            + f"<h3>{html.escape(t('sec_settings'))}</h3>"
            + h.table([t("setting"), t("value")],
                      [(html.escape(a), h.esc(b)) for a, b in settings.itertuples(index=False)]))
    return (f"<section id='summary'><h2>{html.escape(t('sec_summary'))}</h2>"
            + h.details(t("show_table"), body) + "</section>")


def _risk_rows(frame: pd.DataFrame, col: str, with_plan: bool):
    for _, r in frame.iterrows():
        row = [h.esc(r["hall"]), h.pct_ci(r[col], r[f"{col}_lo"], r[f"{col}_hi"]),
               h.pct(r["target_share"])]
        if with_plan:
            row += [h.num(r["late_customers"]), h.num(r["under_coverage_staff_hours"], 1)]
        row += [h.num(r["headcount_current"]), h.num(r["headcount_needed"])]
        yield row


def _at_risk_section(halls: pd.DataFrame, t) -> str:
    frames = at_risk_frames(halls)
    parts = [f"<section id='at-risk'><h2>{html.escape(t('sec_at_risk'))}</h2>",
             f"<p class='explain'>{html.escape(t('explain_at_risk'))}</p>"]
    for kind, frame in frames.items():
        _, col = RISK_KINDS[kind]
        parts.append(f"<h3 id='at-risk-{kind}'>{html.escape(t(f'risk_{kind}'))} "
                     f"({len(frame):,})</h3>")
        if frame.empty:
            parts.append(f"<p>{html.escape(t('none'))}</p>")
            continue
        headers = [t("hall"), t("col_share_ci"), t("col_target")]
        if kind == "plan":
            headers += [t("col_late"), t("cost_under")]
        headers += [t("col_current"), t("col_needed")]
        parts.append(h.table(headers, _risk_rows(frame, col, kind == "plan")))
    parts.append("</section>")
    return "".join(parts)


def _chart(halls: pd.DataFrame, column: str, title: str, capped: str, alt: str, figure,
           t, lang: str) -> list[str]:
    ok = halls[is_planned(halls)]
    n = int(pd.to_numeric(ok[column], errors="coerce").notna().sum())
    parts = [f"<h3>{html.escape(title)}</h3>"]
    if not n:
        return [*parts, f"<p>{html.escape(t('no_value'))}</p>"]
    shown = min(n, CHART_CAP)
    if n > shown:
        note = t("chart_cap", what=capped, shown=f"{shown:,}", total=f"{n:,}")
        parts.append(f"<p class='note'>{html.escape(note)}</p>")
    with chart_fonts(lang):
        uri = h.png_data_uri(figure(halls, lang=lang))
    return [*parts, f"<img alt='{alt}' src='{uri}'>"]


def _charts_section(halls: pd.DataFrame, t, lang: str) -> str:
    return "".join([
        f"<section id='charts'><h2>{html.escape(t('sec_charts'))}</h2>",
        *_chart(halls, "share_within_target", t("chart_ranking"), t("cap_worst"), "ranking",
                ranking_figure, t, lang),
        *_chart(halls, "headcount_needed", t("chart_headcount"), t("cap_gap"), "headcount",
                headcount_figure, t, lang),
        *_chart(halls, "marginal_value", t("chart_marginal"), t("cap_marginal"),
                "marginal value", marginal_figure, t, lang),
        "</section>",
    ])


def _allocation_section(halls: pd.DataFrame, allocation: pd.DataFrame, region: dict,
                        t, lang: str) -> str:
    a = allocation_verdicts(halls, allocation)
    current = halls.drop_duplicates("hall").set_index("hall")["headcount_current"]
    a["current"] = pd.to_numeric(a["hall"].map(current), errors="coerce")
    a["headcount"] = pd.to_numeric(a["headcount"], errors="coerce")
    a["share"] = pd.to_numeric(a["share_within_target"], errors="coerce")
    a = a.sort_values(["share", "hall"], na_position="first")
    assigned = float(a["headcount"].sum())
    budget = region.get("headcount_budget")
    meets = as_flags(a["meets_target"])
    change = a["headcount"] - a["current"]
    spent = [t("region_alloc_assigned", n=f"{assigned:,.0f}", halls=f"{len(a):,}")]
    if budget is not None and not h.isnan(budget):
        left = float(budget) - assigned
        spent.append(t("region_alloc_budget", b=f"{float(budget):,.0f}",
                       left=t("region_left", n=f"{left:,.0f}") if left >= 0
                       else t("region_over", n=f"{-left:,.0f}")))
    else:
        spent.append(t("region_no_budget"))
    if a["current"].notna().any():
        cur = float(a["current"].sum())
        spent.append(t("region_change", d=f"{assigned - cur:+,.0f}", cur=f"{cur:,.0f}",
                       gain=f"{int((change > 0).sum()):,}", lose=f"{int((change < 0).sum()):,}"))
    spent.append(t("region_alloc_meets", n=f"{int(meets.eq(True).sum()):,}", total=f"{len(a):,}"))
    need = pd.to_numeric(a["headcount_to_meet_target"], errors="coerce")
    if need.notna().any():
        spent.append(t("region_alloc_need", n=f"{need.sum():,.0f}"))
    rows = [
        [
            h.esc(r["hall"]),
            h.num(r["current"]),
            h.num(r["headcount"]),
            h.NA if h.isnan(r["current"]) or h.isnan(r["headcount"])
            else h.change(r["headcount"] - r["current"]),
            h.num(r["headcount_to_meet_target"]),
            h.yes_no(r["meets_target"], lang),
            h.num(r["late_customers"]),
            h.pct(r["share"]),
            h.num(r["marginal_value_next"], 1),
        ]
        for _, r in a.iterrows()
    ]
    return (
        f"<section id='allocation'><h2>{html.escape(t('sec_allocation'))}</h2>"
        f"<p class='explain'>{html.escape(t('explain_alloc'))}</p>"
        "<ul class='budget'>" + "".join(f"<li>{html.escape(x)}</li>" for x in spent) + "</ul>"
        + h.details(t("show_table"), h.table(
            [t("hall"), t("col_current"), t("col_assigned"), t("col_change"), t("col_needed"),
             t("col_meets_alloc"), t("col_late"), t("col_mean"), t("col_marginal")], rows))
        + "</section>"
    )


def _report_link(hall) -> str:
    href = f"halls/{quote(str(hall), safe='')}/report.html"
    return f"<a href='{html.escape(href, quote=True)}'>{h.esc(hall)}</a>"


def _halls_section(halls: pd.DataFrame, t, lang: str) -> str:
    ok = is_planned(halls)
    headers = [t("hall"), t("col_status"), t("col_scenario"), t("col_current"), t("col_needed"),
               t("col_assigned"), t("col_paid"), t("loop_req"), t("cost_under"),
               t("loop_round"), t("col_holds"), t("col_share_ci"), t("col_target"),
               t("col_abandon_ci"), t("col_wait_ci"), t("col_customers"), t("col_late"),
               t("col_peak_ci"), t("risk_peak"), t("col_holiday_ci"), t("risk_holiday"),
               t("col_marginal"), t("col_run_time")]
    rows = []
    for i, r in halls.sort_values("hall").iterrows():
        rows.append([
            _report_link(r["hall"]) if ok[i] else h.esc(r["hall"]),
            h.esc(r["status"]), h.esc(r["scenario"]),
            h.num(r["headcount_current"]), h.num(r["headcount_needed"]),
            h.num(r["headcount_assigned"]), h.num(r["paid_hours"]),
            h.num(r["requirement_staff_hours"]), h.num(r["under_coverage_staff_hours"], 1),
            h.num(r["rounds"]), h.yes_no(r["targets_hold"], lang),
            h.pct_ci(r["share_within_target"], r["share_within_target_lo"],
                     r["share_within_target_hi"]),
            h.pct(r["target_share"]),
            h.pct_ci(r["abandon_share"], r["abandon_share_lo"], r["abandon_share_hi"]),
            h.ci_text(r["mean_wait_min"], r["mean_wait_min_lo"], r["mean_wait_min_hi"], 1),
            h.num(r["customers"]), h.num(r["late_customers"]),
            h.pct_ci(r["peak_share_within_target"], r["peak_share_within_target_lo"],
                     r["peak_share_within_target_hi"]),
            h.yes_no(r["peak_at_risk"], lang),
            h.pct_ci(r["holiday_share_within_target"], r["holiday_share_within_target_lo"],
                     r["holiday_share_within_target_hi"]),
            h.yes_no(r["holiday_at_risk"], lang),
            h.num(r["marginal_value"], 1), h.duration(r["run_time_s"]),
        ])
    return (f"<section id='halls'><h2>{html.escape(t('sec_every_hall'))}</h2>"
            f"<p class='explain'>{html.escape(t('explain_every'))}</p>"
            + h.details(t("show_table"), "<div class='wide'>" + h.table(headers, rows)
                        + "</div>") + "</section>")


def _failed_section(halls: pd.DataFrame, t) -> str:
    failed = halls[~is_planned(halls)].sort_values("hall")
    parts = [f"<section id='failed'><h2>{html.escape(t('sec_failed'))}</h2>"]
    if failed.empty:
        parts.append(f"<p>{html.escape(t('none'))}</p>")
    else:
        parts.append(f"<p class='explain'>{html.escape(t('explain_failed'))}</p>")
        parts.append(h.table(
            [t("hall"), t("col_scenario"), t("col_error")],
            [(h.esc(r["hall"]), h.esc(r["scenario"]), f"<pre>{h.esc(r['error'])}</pre>")
             for _, r in failed.iterrows()]))
    parts.append("</section>")
    return "".join(parts)


STYLE = (
    "body{font-family:sans-serif;max-width:1200px;margin:auto;padding:0 1em}"
    "table.t{border-collapse:collapse;font-size:12px;margin-bottom:1em}"
    "table.t td,table.t th{padding:2px 6px;border-bottom:1px solid #ddd;text-align:left;"
    "vertical-align:top}"
    "table.t th{background:#f4f4f4}"
    "div.wide{overflow-x:auto}img{max-width:100%}"
    "pre{white-space:pre-wrap;margin:0;font-size:11px}"
    ".verdict{font-size:18px}.explain{color:#444}.note{color:#a04000}nav a{margin-right:1em}"
)


def region_report_html(halls: pd.DataFrame, allocation: pd.DataFrame | None, region: dict,
                       lang: str = DEFAULT_LANG) -> str:
    """The region page: the verdict first, then the charts, the halls at risk and the
    allocation; the long tables (totals, every hall) collapsed; failed halls last."""
    t = labels(lang)
    halls = halls.reset_index(drop=True)
    totals = region_totals(halls, allocation, region)
    title = t("region_title", name=region.get("name") or region.get("id") or "region")
    month = region.get("month")
    if month:
        title += f" — {month}"
    nav = [("verdict", t("verdict").rstrip(":：")), ("charts", t("sec_charts")),
           ("at-risk", t("sec_at_risk"))]
    if allocation is not None:
        nav.append(("allocation", t("sec_allocation")))
    nav += [("summary", t("sec_summary")), ("halls", t("sec_every_hall")),
            ("failed", t("sec_failed"))]
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        "<nav>" + "".join(f"<a href='#{a}'>{html.escape(b)}</a>" for a, b in nav) + "</nav>",
        _headline_section(halls, allocation, region, totals, t),
        _charts_section(halls, t, lang),
        _at_risk_section(halls, t),
    ]
    if allocation is not None:
        parts.append(_allocation_section(halls, allocation, region, t, lang))
    parts += [_summary_section(region, totals, t), _halls_section(halls, t, lang),
              _failed_section(halls, t)]
    return h.page(title, STYLE, parts, lang)


# ---------------------------------------------------------------------------------------------
# files


def _xlsx_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip the control characters openpyxl refuses (e.g. ANSI colours in a traceback)."""
    out = frame.copy()
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].map(
                lambda v: ILLEGAL_CHARACTERS_RE.sub("", v)[:32000] if isinstance(v, str) else v
            )
    return out


HALL_PERCENT = tuple(c for c in (
    "target_share", "share_within_target", "share_within_target_lo", "share_within_target_hi",
    "abandon_share", "abandon_share_lo", "abandon_share_hi", "peak_share_within_target",
    "peak_share_within_target_lo", "peak_share_within_target_hi",
    "holiday_share_within_target", "holiday_share_within_target_lo",
    "holiday_share_within_target_hi"))
HALL_LABELS = {"hall": "hall", "status": "col_status", "error": "col_error",
               "scenario": "col_scenario",
               "headcount_current": "col_current", "headcount_needed": "col_needed",
               "headcount_assigned": "col_assigned", "paid_hours": "col_paid",
               "requirement_staff_hours": "loop_req", "under_coverage_staff_hours": "cost_under",
               "rounds": "loop_round", "targets_hold": "col_holds",
               "share_within_target": "col_mean", "target_share": "col_target",
               "customers": "col_customers", "late_customers": "col_late",
               "marginal_value": "col_marginal", "headcount": "col_assigned",
               "headcount_to_meet_target": "col_needed", "meets_target": "col_meets_alloc",
               "marginal_value_next": "col_marginal"}


def region_sheets(halls: pd.DataFrame, allocation: pd.DataFrame | None, region: dict,
                  lang: str = DEFAULT_LANG) -> list[Sheet]:
    """``region.xlsx``: halls, allocation (with the region's one “meets target”), at risk,
    failed, totals — labelled headers, shares as percentages, frozen header rows."""
    t = labels(lang)
    failed = halls.loc[~is_planned(halls), ["hall", "scenario", "error"]].reset_index(drop=True)
    totals = region_totals(halls, allocation, region)

    def heads(frame: pd.DataFrame) -> dict:
        return {c: t(HALL_LABELS[c]) for c in frame.columns if c in HALL_LABELS}

    sheets = [Sheet(t("sec_every_hall")[:31], halls, heads(halls), percent=HALL_PERCENT,
                    freeze="B2")]
    if allocation is not None:
        a = allocation_verdicts(halls, allocation)
        # the wait curve's own pooled-share answers stay in allocation.csv (data), not in
        # the manager's workbook, which shows one definition of meeting the target
        a = a[[c for c in a.columns if not str(c).startswith("curve_")]]
        sheets.append(Sheet(t("sec_allocation")[:31], a, heads(a),
                            percent=("share_within_target",), freeze="B2"))
    risk = at_risk_table(halls)
    sheets += [
        Sheet(t("sec_at_risk")[:31], risk, heads(risk),
              percent=("share_within_target", "share_within_target_lo",
                       "share_within_target_hi", "target_share")),
        Sheet(t("sec_failed")[:31], failed, heads(failed)),
        Sheet(t("sec_summary")[:31], totals, {"key": "key", "item": t("item"),
                                              "value": t("value")}),
    ]
    return sheets


def write_region_report(
    halls: pd.DataFrame, allocation: pd.DataFrame | None, region: dict, out: Path,
    lang: str = DEFAULT_LANG,
) -> list[Path]:
    """Write ``region_report.html``, ``region.xlsx`` (in ``lang``) and ``region_halls.csv``
    into ``out`` (atomically) and return their paths."""
    out = Path(out)
    halls = halls.reset_index(drop=True)
    written = [write_csv(out / "region_halls.csv", halls)]
    written.append(write_workbook(out / "region.xlsx",
                                  region_sheets(halls, allocation, region, lang)))
    written.append(write_text(out / "region_report.html",
                              region_report_html(halls, allocation, region, lang)))
    return written


__all__ = [
    "CHART_CAP",
    "at_risk_frames",
    "at_risk_table",
    "headcount_figure",
    "marginal_figure",
    "ranking_figure",
    "region_report_html",
    "region_totals",
    "write_region_report",
]

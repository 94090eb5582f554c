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
import math
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from hallplan.atomic import atomic_write, write_csv, write_text
from hallplan.reports import html as h
from hallplan.reports.region_charts import (
    CHART_CAP,
    headcount_figure,
    marginal_figure,
    ranking_figure,
)
from hallplan.reports.region_tables import (
    RISK_KINDS,
    as_flags,
    at_risk_frames,
    at_risk_table,
    is_planned,
    region_totals,
    settings_table,
)

# ---------------------------------------------------------------------------------------------
# HTML sections


def _cap_note(shown: int, total: int, what: str) -> str:
    if total > shown:
        return (
            f"<p class='note'>The chart shows {what} — {shown:,} of {total:,} halls; "
            "every hall is in the tables below.</p>"
        )
    return ""


def _summary_section(halls, allocation, region, totals: pd.DataFrame) -> str:
    t = dict(zip(totals["key"], totals["value"], strict=True))
    n_ok, n_failed = t["halls_planned"], t["halls_failed"]
    share = t["share_within_target"]
    share_txt = h.NA if h.isnan(share) else h.num(share, 2)
    budget = region.get("headcount_budget")
    rows = [
        ("halls planned / failed", f"{n_ok:,} / {n_failed:,} (of {t['halls']:,})"),
        ("planned halls whose targets hold", f"{t['halls_targets_hold']:,} of {n_ok:,}"),
        (
            "headcount on the books",
            h.num(t["headcount_current"])
            + (
                f" (all halls incl. failed: {h.num(t['headcount_current_all'])})"
                if n_failed
                and t["headcount_current_all"] != t["headcount_current"]
                and not h.isnan(t["headcount_current_all"])
                else ""
            ),
        ),
        ("headcount needed for the plans", h.num(t["headcount_needed"])),
        ("headcount assigned by the allocation", h.num(t["headcount_assigned"])),
        ("headcount budget", h.NA if budget is None else h.num(budget)),
        ("rostered paid hours", h.num(t["paid_hours"])),
        ("requirement at the posts (staff-hours)", h.num(t["requirement_staff_hours"])),
        ("under-coverage (staff-hours)", h.num(t["under_coverage_staff_hours"], 1)),
        ("counter customers", h.num(t["customers"])),
        ("customers waiting beyond target", h.num(t["late_customers"])),
        ("region share within target (customer-weighted)", share_txt),
    ]
    settings = settings_table(region)
    return (
        "<section id='summary'><h2>1. Region summary</h2>"
        "<p class='explain'>How many halls were planned, what the region needs in total and "
        "how the run was set up. Totals are over the planned halls (a failed hall has no "
        "plan).</p>"
        + h.table(["", "region total"], [(html.escape(a), b) for a, b in rows])
        + "<h3>Run settings</h3>"
        + h.table(
            ["setting", "value"],
            [(html.escape(a), h.esc(b)) for a, b in settings.itertuples(index=False)],
        )
        + "</section>"
    )


def _risk_rows(frame: pd.DataFrame, col: str, with_plan: bool):
    for _, r in frame.iterrows():
        row = [
            h.esc(r["hall"]),
            h.ci_text(r[col], r[f"{col}_lo"], r[f"{col}_hi"]),
            h.num(r["target_share"], 2),
        ]
        if with_plan:
            row += [h.num(r["late_customers"]), h.num(r["under_coverage_staff_hours"], 1)]
        row += [h.num(r["headcount_current"]), h.num(r["headcount_needed"])]
        yield row


def _at_risk_section(halls: pd.DataFrame) -> str:
    frames = at_risk_frames(halls)
    parts = [
        "<section id='at-risk'><h2>2. Halls at risk</h2>",
        "<p class='explain'>Halls where customers are likely to wait beyond the target, worst "
        "share first. Shares are the mean over replications with the 90% interval in "
        "brackets.</p>",
    ]
    explain = {
        "plan": "The plan's targets do not hold: even with the rostered staff, some intervals "
        "still miss their target.",
        "peak": "The month-start peak (billing days 1–3) misses its target.",
        "holiday": "A holiday stress day misses its target.",
    }
    for kind, frame in frames.items():
        label, col = RISK_KINDS[kind]
        parts.append(
            f"<h3 id='at-risk-{kind}'>At risk: {html.escape(label)} "
            f"({len(frame):,} hall{'s' if len(frame) != 1 else ''})</h3>"
        )
        parts.append(f"<p class='explain'>{html.escape(explain[kind])}</p>")
        if frame.empty:
            parts.append("<p>None.</p>")
            continue
        headers = ["hall", "share within target (90% CI)", "target"]
        if kind == "plan":
            headers += ["late customers", "under-coverage staff-h"]
        headers += ["headcount current", "headcount needed"]
        parts.append(h.table(headers, _risk_rows(frame, col, kind == "plan")))
    parts.append("</section>")
    return "".join(parts)


def _chart(halls: pd.DataFrame, column: str, title: str, explain: str, capped: str,
           alt: str, figure, missing: str) -> list[str]:
    """One ranking chart: heading, explanation, the cap note and the embedded PNG (or a line
    saying no planned hall has the value). ``capped`` is formatted with ``{n}``."""
    ok = halls[is_planned(halls)]
    n = int(pd.to_numeric(ok[column], errors="coerce").notna().sum())
    parts = [f"<h3>{title}</h3>", f"<p class='explain'>{explain}</p>"]
    if not n:
        return [*parts, f"<p>No planned hall has {missing}.</p>"]
    shown = min(n, CHART_CAP)
    return [*parts, _cap_note(shown, n, capped.format(n=shown)),
            f"<img alt='{alt}' src='{h.png_data_uri(figure(halls))}'>"]


def _charts_section(halls: pd.DataFrame) -> str:
    parts = [
        "<section id='charts'><h2>3. Ranking charts</h2>",
        "<p class='explain'>The halls side by side. Failed halls are not shown.</p>",
        *_chart(halls, "share_within_target", "Share of customers within target",
                "Worst hall at the top; the whisker is the 90% interval, the dashed line the "
                "target. Red bars: the plan's targets do not hold.",
                "the worst {n} halls by share", "ranking", ranking_figure,
                "a share within target"),
        *_chart(halls, "headcount_needed", "Headcount: needed vs current vs assigned",
                "People each hall needs for its plan, the staff on its books today and the "
                "staff the allocation gives it. Largest shortfall (needed − current) on top.",
                "the {n} halls with the largest shortfall", "headcount", headcount_figure,
                "a headcount"),
        *_chart(halls, "marginal_value", "Marginal value of one more person",
                "How many customers one more person would save from waiting beyond the target "
                "over the horizon: where an extra person helps most.",
                "the {n} halls where one more person saves most", "marginal value",
                marginal_figure, "a marginal value"),
        "</section>",
    ]
    return "".join(parts)


def _allocation_section(halls: pd.DataFrame, allocation: pd.DataFrame, region: dict) -> str:
    a = allocation.copy()
    current = halls.drop_duplicates("hall").set_index("hall")["headcount_current"]
    a["current"] = pd.to_numeric(a["hall"].map(current), errors="coerce")
    a["headcount"] = pd.to_numeric(a["headcount"], errors="coerce")
    a["share"] = pd.to_numeric(a["share_within_target"], errors="coerce")
    a = a.sort_values(["share", "hall"], na_position="first")
    assigned = float(a["headcount"].sum())
    budget = region.get("headcount_budget")
    meets = as_flags(a["meets_target"])
    change = a["headcount"] - a["current"]
    spent = [f"Assigned {assigned:,.0f} people across {len(a):,} halls"]
    if budget is not None and not h.isnan(budget):
        left = float(budget) - assigned
        spent[0] += f" out of a budget of {float(budget):,.0f}"
        spent.append(
            f"{left:,.0f} left unassigned" if left >= 0 else f"{-left:,.0f} over the budget"
        )
    else:
        spent[0] += " (no budget was set)"
    if a["current"].notna().any():
        cur = float(a["current"].sum())
        spent.append(
            f"{assigned - cur:+,.0f} compared with the {cur:,.0f} on the books "
            f"({int((change > 0).sum()):,} halls gain staff, "
            f"{int((change < 0).sum()):,} lose staff)"
        )
    spent.append(
        f"{int(meets.eq(True).sum()):,} of {len(a):,} halls meet their target with this allocation"
    )
    late = pd.to_numeric(a["late_customers"], errors="coerce")
    if late.notna().any():
        spent.append(f"{late.sum():,.0f} customers expected to wait beyond target")
    rows = [
        [
            h.esc(r["hall"]),
            h.num(r["current"]),
            h.num(r["headcount"]),
            h.NA
            if h.isnan(r["current"]) or h.isnan(r["headcount"])
            else h.change(r["headcount"] - r["current"]),
            h.num(r["late_customers"]),
            h.num(r["share"], 2),
            h.num(r["marginal_value_next"], 1),
            h.yes_no(r["meets_target"]),
            h.num(r.get("headcount_to_meet_target", math.nan)),
        ]
        for _, r in a.iterrows()
    ]
    if "headcount_to_meet_target" in a:
        need = pd.to_numeric(a["headcount_to_meet_target"], errors="coerce")
        spent.append(
            f"meeting every hall's target at the least headcount would take {need.sum():,.0f} "
            "people (last column; “≥” where even the largest headcount studied misses)"
        )
    return (
        "<section id='allocation'><h2>4. Headcount allocation</h2>"
        "<p class='explain'>How the region's people are placed across the halls, worst share "
        "first. “Marginal value of the next person”: customers one more person there would "
        "save from waiting beyond target.</p>"
        "<ul class='budget'>"
        + "".join(f"<li>{html.escape(s)}</li>" for s in spent)
        + "</ul>"
        + h.table(
            [
                "hall",
                "current",
                "assigned",
                "change",
                "late customers",
                "share within target",
                "marginal value of the next person",
                "meets target",
                "least headcount meeting target",
            ],
            rows,
        )
        + "</section>"
    )


def _report_link(hall) -> str:
    href = f"halls/{quote(str(hall), safe='')}/report.html"
    return f"<a href='{html.escape(href, quote=True)}'>{h.esc(hall)}</a>"


def _halls_section(halls: pd.DataFrame) -> str:
    ok = is_planned(halls)
    headers = [
        "hall",
        "status",
        "scenario",
        "headcount current",
        "needed",
        "assigned",
        "paid hours",
        "requirement staff-h",
        "under-coverage staff-h",
        "loop rounds",
        "targets hold",
        "share within target (90% CI)",
        "target",
        "abandoned (90% CI)",
        "mean wait, min (90% CI)",
        "customers",
        "late customers",
        "month-start peak share (90% CI)",
        "peak at risk",
        "holiday share (90% CI)",
        "holiday at risk",
        "marginal value of one more person",
        "run time",
    ]
    rows = []
    for i, r in halls.sort_values("hall").iterrows():
        rows.append(
            [
                _report_link(r["hall"]) if ok[i] else h.esc(r["hall"]),
                h.esc(r["status"]),
                h.esc(r["scenario"]),
                h.num(r["headcount_current"]),
                h.num(r["headcount_needed"]),
                h.num(r["headcount_assigned"]),
                h.num(r["paid_hours"]),
                h.num(r["requirement_staff_hours"]),
                h.num(r["under_coverage_staff_hours"], 1),
                h.num(r["rounds"]),
                h.yes_no(r["targets_hold"]),
                h.ci_text(
                    r["share_within_target"],
                    r["share_within_target_lo"],
                    r["share_within_target_hi"],
                ),
                h.num(r["target_share"], 2),
                h.ci_text(r["abandon_share"], r["abandon_share_lo"], r["abandon_share_hi"]),
                h.ci_text(r["mean_wait_min"], r["mean_wait_min_lo"], r["mean_wait_min_hi"], 1),
                h.num(r["customers"]),
                h.num(r["late_customers"]),
                h.ci_text(
                    r["peak_share_within_target"],
                    r["peak_share_within_target_lo"],
                    r["peak_share_within_target_hi"],
                ),
                h.yes_no(r["peak_at_risk"]),
                h.ci_text(
                    r["holiday_share_within_target"],
                    r["holiday_share_within_target_lo"],
                    r["holiday_share_within_target_hi"],
                ),
                h.yes_no(r["holiday_at_risk"]),
                h.num(r["marginal_value"], 1),
                h.duration(r["run_time_s"]),
            ]
        )
    return (
        "<section id='halls'><h2>5. Every hall</h2>"
        "<p class='explain'>All halls in alphabetical order; the hall's name links to its own "
        "plan report. Shares are 0–1, with the 90% interval over replications.</p>"
        "<div class='wide'>" + h.table(headers, rows) + "</div></section>"
    )


def _failed_section(halls: pd.DataFrame) -> str:
    failed = halls[~is_planned(halls)].sort_values("hall")
    parts = ["<section id='failed'><h2>6. Failed halls</h2>"]
    if failed.empty:
        parts.append("<p>None: every hall was planned.</p>")
    else:
        parts.append(
            "<p class='explain'>These halls have no plan; fix the problem shown and "
            "run the region again.</p>"
        )
        parts.append(
            h.table(
                ["hall", "scenario", "error"],
                [
                    (h.esc(r["hall"]), h.esc(r["scenario"]), f"<pre>{h.esc(r['error'])}</pre>")
                    for _, r in failed.iterrows()
                ],
            )
        )
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
    ".explain{color:#444}.note{color:#a04000}nav a{margin-right:1em}"
)


def region_report_html(halls: pd.DataFrame, allocation: pd.DataFrame | None, region: dict) -> str:
    halls = halls.reset_index(drop=True)
    totals = region_totals(halls, allocation, region)
    title = f"Region plan: {region.get('name') or region.get('id') or 'region'}"
    month = region.get("month")
    if month:
        title += f" — {month}"
    nav = [("summary", "summary"), ("at-risk", "at risk"), ("charts", "charts")]
    if allocation is not None:
        nav.append(("allocation", "allocation"))
    nav += [("halls", "every hall"), ("failed", "failed halls")]
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        "<nav>" + "".join(f"<a href='#{a}'>{html.escape(b)}</a>" for a, b in nav) + "</nav>",
        _summary_section(halls, allocation, region, totals),
        _at_risk_section(halls),
        _charts_section(halls),
    ]
    if allocation is not None:
        parts.append(_allocation_section(halls, allocation, region))
    parts += [_halls_section(halls), _failed_section(halls)]
    return h.page(title, STYLE, parts)


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


def write_region_report(
    halls: pd.DataFrame, allocation: pd.DataFrame | None, region: dict, out: Path
) -> list[Path]:
    """Write ``region_report.html``, ``region.xlsx`` and ``region_halls.csv`` into ``out``
    (atomically) and return their paths."""
    out = Path(out)
    halls = halls.reset_index(drop=True)
    failed = halls.loc[~is_planned(halls), ["hall", "scenario", "error"]].reset_index(drop=True)
    totals = region_totals(halls, allocation, region)
    sheets = {"halls": halls}
    if allocation is not None:
        sheets["allocation"] = allocation
    sheets.update({"at_risk": at_risk_table(halls), "failed": failed, "totals": totals})

    written = [write_csv(out / "region_halls.csv", halls)]

    def excel(p: Path) -> None:
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            for name, t in sheets.items():
                _xlsx_safe(t).to_excel(xw, sheet_name=name, index=False)

    written.append(atomic_write(out / "region.xlsx", excel))
    written.append(
        write_text(out / "region_report.html", region_report_html(halls, allocation, region))
    )
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

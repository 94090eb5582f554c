"""The region report: one self-contained HTML page (charts embedded), ``region.xlsx`` and
``region_halls.csv`` for a regional planner looking at many halls at once.

The region runner plans every hall, then calls :func:`write_region_report` with one row per
hall (failed halls included), the headcount allocation (if a budget was given) and the run's
settings. Every file is written atomically (``hallplan.atomic``): a reader never sees a
half-written report.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from hallplan.atomic import atomic_write, write_csv, write_text

# the single-hall report's figure → "data:image/png;base64,…" helper (private, reused on purpose)
from hallplan.reports.plan import _png

CHART_CAP = 40
"""At most this many halls per chart; the rest are in the tables."""

NA = "–"

# ---------------------------------------------------------------------------------------------
# small formatting helpers


def _isnan(x) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(isinstance(x, float | np.floating) and math.isnan(x))
    except TypeError:
        return False


def _num(x, digits: int = 0) -> str:
    """``12,345`` / ``1,234.5``; ``–`` when not available."""
    if _isnan(x):
        return NA
    try:
        return f"{float(x):,.{digits}f}"
    except (TypeError, ValueError):
        return html.escape(str(x))


def _ci(mean, lo, hi, digits: int = 2) -> str:
    """``0.82 (0.79–0.85)``; the interval is left out when not available."""
    if _isnan(mean):
        return NA
    out = f"{float(mean):,.{digits}f}"
    if not (_isnan(lo) or _isnan(hi)):
        out += f" ({float(lo):,.{digits}f}–{float(hi):,.{digits}f})"
    return out


def _flag(x) -> bool | None:
    """True / False, or None when not available (failed hall, CSV round trip, …)."""
    if _isnan(x):
        return None
    if isinstance(x, str):
        s = x.strip().lower()
        if s in ("true", "yes", "1"):
            return True
        if s in ("false", "no", "0"):
            return False
        return None
    return bool(x)


def _yes_no(x) -> str:
    f = _flag(x)
    return NA if f is None else ("yes" if f else "no")


def _change(x: float) -> str:
    return "0" if round(x) == 0 else f"{x:+,.0f}"


def _duration(seconds) -> str:
    if _isnan(seconds):
        return NA
    s = float(seconds)
    if s < 120:
        return f"{s:,.1f} s"
    if s < 3600:
        return f"{s / 60:,.1f} min"
    return f"{int(s // 3600)} h {int(s % 3600 // 60):02d} min"


def _esc(x) -> str:
    return NA if _isnan(x) else html.escape(str(x))


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]], cls: str = "t") -> str:
    """An HTML table from *already escaped* cell strings (headers are escaped here)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _mpl_label(x, width: int = 28) -> str:
    """A hall id as a matplotlib tick label: ``$`` would start mathtext; long ids shortened."""
    s = str(x)
    if len(s) > width:
        s = s[: width - 1] + "…"
    return s.replace("$", r"\$")


# ---------------------------------------------------------------------------------------------
# the numbers


def _ok(halls: pd.DataFrame) -> pd.Series:
    return halls["status"].astype(str).str.strip().str.lower().eq("ok")


def _flags(series: pd.Series) -> pd.Series:
    return series.map(_flag)


def at_risk_frames(halls: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Planned halls at risk, each frame sorted by worst share first:

    * ``plan`` — the plan's targets do not hold (``targets_hold`` is false);
    * ``peak`` — the month-start peak (billing days 1–3) is at risk;
    * ``holiday`` — the holiday stress day is at risk.
    """
    ok = _ok(halls)
    plan = halls[ok & _flags(halls["targets_hold"]).eq(False)]
    peak = halls[ok & _flags(halls["peak_at_risk"]).eq(True)]
    holiday = halls[ok & _flags(halls["holiday_at_risk"]).eq(True)]
    return {
        "plan": plan.sort_values(["share_within_target", "hall"], na_position="first"),
        "peak": peak.sort_values(["peak_share_within_target", "hall"], na_position="first"),
        "holiday": holiday.sort_values(
            ["holiday_share_within_target", "hall"], na_position="first"
        ),
    }


RISK_KINDS = {
    "plan": ("the plan (whole horizon)", "share_within_target"),
    "peak": ("month-start peak (billing days 1–3)", "peak_share_within_target"),
    "holiday": ("holiday stress day", "holiday_share_within_target"),
}


def at_risk_table(halls: pd.DataFrame) -> pd.DataFrame:
    """Long table for the workbook: one row per (hall, kind of risk)."""
    rows = []
    for kind, frame in at_risk_frames(halls).items():
        label, col = RISK_KINDS[kind]
        for _, r in frame.iterrows():
            rows.append(
                {
                    "hall": r["hall"],
                    "at_risk_on": label,
                    "share_within_target": r[col],
                    "share_within_target_lo": r[f"{col}_lo"],
                    "share_within_target_hi": r[f"{col}_hi"],
                    "target_share": r["target_share"],
                    "late_customers": r["late_customers"] if kind == "plan" else np.nan,
                    "headcount_current": r["headcount_current"],
                    "headcount_needed": r["headcount_needed"],
                }
            )
    cols = [
        "hall",
        "at_risk_on",
        "share_within_target",
        "share_within_target_lo",
        "share_within_target_hi",
        "target_share",
        "late_customers",
        "headcount_current",
        "headcount_needed",
    ]
    return pd.DataFrame(rows, columns=cols)


def _assigned(halls: pd.DataFrame, allocation: pd.DataFrame | None) -> float:
    """Total assigned headcount: the allocation's, else the halls' column; NaN if neither."""
    if allocation is not None and len(allocation):
        return float(pd.to_numeric(allocation["headcount"], errors="coerce").sum())
    col = pd.to_numeric(halls["headcount_assigned"], errors="coerce")
    return float(col.sum()) if col.notna().any() else math.nan


def region_totals(
    halls: pd.DataFrame, allocation: pd.DataFrame | None, region: dict
) -> pd.DataFrame:
    """Region totals over the planned halls (failed halls have no plan), as ``key``, ``item``
    (plain language) and ``value``."""
    ok = _ok(halls)
    p = halls[ok]

    def total(col: str, frame: pd.DataFrame = p) -> float:
        v = pd.to_numeric(frame[col], errors="coerce")
        return float(v.sum()) if v.notna().any() else math.nan

    cust = pd.to_numeric(p["customers"], errors="coerce")
    share = pd.to_numeric(p["share_within_target"], errors="coerce")
    both = cust.notna() & share.notna() & (cust > 0)
    region_share = (
        float((share[both] * cust[both]).sum() / cust[both].sum()) if both.any() else math.nan
    )
    holds = _flags(p["targets_hold"])
    budget = region.get("headcount_budget")
    rows = [
        ("halls", "halls in the region", len(halls)),
        ("halls_planned", "halls planned", int(ok.sum())),
        ("halls_failed", "halls failed", int((~ok).sum())),
        ("halls_targets_hold", "planned halls whose targets hold", int(holds.eq(True).sum())),
        ("headcount_current", "headcount on the books (planned halls)", total("headcount_current")),
        (
            "headcount_current_all",
            "headcount on the books (all halls)",
            total("headcount_current", halls),
        ),
        ("headcount_needed", "headcount needed for the plans", total("headcount_needed")),
        (
            "headcount_assigned",
            "headcount assigned by the allocation",
            _assigned(halls, allocation),
        ),
        ("headcount_budget", "headcount budget", math.nan if budget is None else float(budget)),
        ("paid_hours", "rostered paid hours", total("paid_hours")),
        (
            "requirement_staff_hours",
            "requirement at the posts (staff-hours)",
            total("requirement_staff_hours"),
        ),
        (
            "under_coverage_staff_hours",
            "under-coverage (staff-hours)",
            total("under_coverage_staff_hours"),
        ),
        ("customers", "counter customers", total("customers")),
        ("late_customers", "customers waiting beyond target", total("late_customers")),
        ("share_within_target", "region share within target (customer-weighted)", region_share),
    ]
    # object dtype keeps the counts as integers next to the float totals
    return pd.DataFrame(rows, columns=["key", "item", "value"], dtype=object)


def settings_table(region: dict) -> pd.DataFrame:
    workers = region.get("n_workers")
    executor = str(region.get("executor") or NA)
    if not _isnan(workers):
        executor += f", {int(workers)} worker(s)"
    rows = [
        ("region", f"{region.get('name') or region.get('id') or NA} ({region.get('id', NA)})"),
        ("month", region.get("month", NA)),
        ("days planned", region.get("days", NA)),
        ("replications per hall", region.get("reps", NA)),
        ("seed", region.get("seed", NA)),
        ("executor", executor),
        ("run time", _duration(region.get("elapsed_s"))),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])


# ---------------------------------------------------------------------------------------------
# charts (each capped at CHART_CAP halls; height grows with the number of halls shown)


def _height(n_rows: float) -> float:
    return 1.4 + 0.26 * n_rows


def ranking_figure(halls: pd.DataFrame, cap: int = CHART_CAP):
    """Halls by share within target, worst at the top, 90% CI error bars and the target."""
    d = halls[_ok(halls)].copy()
    d["s"] = pd.to_numeric(d["share_within_target"], errors="coerce")
    d = d[d["s"].notna()].sort_values(["s", "hall"]).head(cap)
    n = len(d)
    fig = Figure(figsize=(9, _height(n)))
    ax = fig.subplots()
    y = np.arange(n)
    s = d["s"].to_numpy(float)
    lo = pd.to_numeric(d["share_within_target_lo"], errors="coerce").fillna(d["s"]).to_numpy()
    hi = pd.to_numeric(d["share_within_target_hi"], errors="coerce").fillna(d["s"]).to_numpy()
    xerr = np.vstack([np.clip(s - lo, 0, None), np.clip(hi - s, 0, None)])
    holds = _flags(d["targets_hold"])
    colours = ["#c0392b" if h is False else "#4C72B0" for h in holds]
    ax.barh(y, s, xerr=xerr, color=colours, capsize=2, error_kw={"elinewidth": 0.8})
    target = pd.to_numeric(d["target_share"], errors="coerce")
    if target.nunique(dropna=True) == 1:
        ax.axvline(
            float(target.dropna().iloc[0]),
            color="k",
            ls="--",
            lw=1,
            label=f"target {float(target.dropna().iloc[0]):.2f}",
        )
    elif target.notna().any():
        ax.scatter(target, y, marker="|", s=160, color="k", zorder=3, label="hall's target")
    lowest = min(float(np.nanmin(lo)), float(target.min()) if target.notna().any() else 1.0)
    left = max(0.0, math.floor(lowest * 10) / 10 - 0.1)
    ax.set_xlim(left, 1.0)
    ax.set_yticks(y, [_mpl_label(h) for h in d["hall"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"share of customers within target (90% CI); axis starts at {left:.1f}")
    ax.set_title("Halls ranked by share within target (red: targets do not hold)", fontsize=10)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.tight_layout()
    return fig


def headcount_figure(halls: pd.DataFrame, cap: int = CHART_CAP):
    """Needed vs current vs assigned headcount per hall, largest gap (needed − current) on top."""
    d = halls[_ok(halls)].copy()
    for c in ("headcount_needed", "headcount_current", "headcount_assigned"):
        d[c] = pd.to_numeric(d[c], errors="coerce")
    d = d[d["headcount_needed"].notna()]
    d["gap"] = d["headcount_needed"] - d["headcount_current"]
    d = d.sort_values(["gap", "hall"], ascending=[False, True]).head(cap)
    series = [
        ("needed", "headcount_needed", "#C44E52"),
        ("current (on the books)", "headcount_current", "#8c8c8c"),
    ]
    if d["headcount_assigned"].notna().any():
        series.append(("assigned", "headcount_assigned", "#55A868"))
    n, k = len(d), len(series)
    fig = Figure(figsize=(9, _height(n * (0.4 + 0.25 * k))))
    ax = fig.subplots()
    y = np.arange(n)
    h = 0.8 / k
    for i, (label, col, colour) in enumerate(series):
        ax.barh(
            y - 0.4 + h * (i + 0.5),
            d[col].fillna(0).to_numpy(float),
            height=h,
            color=colour,
            label=label,
        )
    ax.set_yticks(y, [_mpl_label(x) for x in d["hall"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("people")
    ax.set_title("Headcount per hall: needed vs current vs assigned", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.tight_layout()
    return fig


def marginal_figure(halls: pd.DataFrame, cap: int = CHART_CAP):
    """Customers saved by one more person, highest first."""
    d = halls[_ok(halls)].copy()
    d["m"] = pd.to_numeric(d["marginal_value"], errors="coerce")
    d = d[d["m"].notna()].sort_values(["m", "hall"], ascending=[False, True]).head(cap)
    n = len(d)
    fig = Figure(figsize=(9, _height(n)))
    ax = fig.subplots()
    y = np.arange(n)
    ax.barh(y, d["m"].to_numpy(float), color="#8172B2")
    ax.set_yticks(y, [_mpl_label(x) for x in d["hall"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("customers no longer waiting beyond target, per extra person (horizon)")
    ax.set_title("Marginal value of one more person", fontsize=10)
    fig.tight_layout()
    return fig


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
    share_txt = _num(t["share_within_target"], 2) if not _isnan(t["share_within_target"]) else NA
    budget = region.get("headcount_budget")
    rows = [
        ("halls planned / failed", f"{n_ok:,} / {n_failed:,} (of {t['halls']:,})"),
        ("planned halls whose targets hold", f"{t['halls_targets_hold']:,} of {n_ok:,}"),
        (
            "headcount on the books",
            _num(t["headcount_current"])
            + (
                f" (all halls incl. failed: {_num(t['headcount_current_all'])})"
                if n_failed
                and t["headcount_current_all"] != t["headcount_current"]
                and not _isnan(t["headcount_current_all"])
                else ""
            ),
        ),
        ("headcount needed for the plans", _num(t["headcount_needed"])),
        ("headcount assigned by the allocation", _num(t["headcount_assigned"])),
        ("headcount budget", NA if budget is None else _num(budget)),
        ("rostered paid hours", _num(t["paid_hours"])),
        ("requirement at the posts (staff-hours)", _num(t["requirement_staff_hours"])),
        ("under-coverage (staff-hours)", _num(t["under_coverage_staff_hours"], 1)),
        ("counter customers", _num(t["customers"])),
        ("customers waiting beyond target", _num(t["late_customers"])),
        ("region share within target (customer-weighted)", share_txt),
    ]
    settings = settings_table(region)
    return (
        "<section id='summary'><h2>1. Region summary</h2>"
        "<p class='explain'>How many halls were planned, what the region needs in total and "
        "how the run was set up. Totals are over the planned halls (a failed hall has no "
        "plan).</p>"
        + _table(["", "region total"], [(html.escape(a), b) for a, b in rows])
        + "<h3>Run settings</h3>"
        + _table(
            ["setting", "value"],
            [(html.escape(a), _esc(b)) for a, b in settings.itertuples(index=False)],
        )
        + "</section>"
    )


def _risk_rows(frame: pd.DataFrame, col: str, with_plan: bool):
    for _, r in frame.iterrows():
        row = [
            _esc(r["hall"]),
            _ci(r[col], r[f"{col}_lo"], r[f"{col}_hi"]),
            _num(r["target_share"], 2),
        ]
        if with_plan:
            row += [_num(r["late_customers"]), _num(r["under_coverage_staff_hours"], 1)]
        row += [_num(r["headcount_current"]), _num(r["headcount_needed"])]
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
        parts.append(_table(headers, _risk_rows(frame, col, kind == "plan")))
    parts.append("</section>")
    return "".join(parts)


def _chart(halls: pd.DataFrame, column: str, title: str, explain: str, capped: str,
           alt: str, figure, missing: str) -> list[str]:
    """One ranking chart: heading, explanation, the cap note and the embedded PNG (or a line
    saying no planned hall has the value). ``capped`` is formatted with ``{n}``."""
    ok = halls[_ok(halls)]
    n = int(pd.to_numeric(ok[column], errors="coerce").notna().sum())
    parts = [f"<h3>{title}</h3>", f"<p class='explain'>{explain}</p>"]
    if not n:
        return [*parts, f"<p>No planned hall has {missing}.</p>"]
    shown = min(n, CHART_CAP)
    return [*parts, _cap_note(shown, n, capped.format(n=shown)),
            f"<img alt='{alt}' src='{_png(figure(halls))}'>"]


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
    meets = _flags(a["meets_target"])
    change = a["headcount"] - a["current"]
    spent = [f"Assigned {assigned:,.0f} people across {len(a):,} halls"]
    if budget is not None and not _isnan(budget):
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
            _esc(r["hall"]),
            _num(r["current"]),
            _num(r["headcount"]),
            NA
            if _isnan(r["current"]) or _isnan(r["headcount"])
            else _change(r["headcount"] - r["current"]),
            _num(r["late_customers"]),
            _num(r["share"], 2),
            _num(r["marginal_value_next"], 1),
            _yes_no(r["meets_target"]),
            _num(r.get("headcount_to_meet_target", math.nan)),
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
        + _table(
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
    return f"<a href='{html.escape(href, quote=True)}'>{_esc(hall)}</a>"


def _halls_section(halls: pd.DataFrame) -> str:
    ok = _ok(halls)
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
                _report_link(r["hall"]) if ok[i] else _esc(r["hall"]),
                _esc(r["status"]),
                _esc(r["scenario"]),
                _num(r["headcount_current"]),
                _num(r["headcount_needed"]),
                _num(r["headcount_assigned"]),
                _num(r["paid_hours"]),
                _num(r["requirement_staff_hours"]),
                _num(r["under_coverage_staff_hours"], 1),
                _num(r["rounds"]),
                _yes_no(r["targets_hold"]),
                _ci(
                    r["share_within_target"],
                    r["share_within_target_lo"],
                    r["share_within_target_hi"],
                ),
                _num(r["target_share"], 2),
                _ci(r["abandon_share"], r["abandon_share_lo"], r["abandon_share_hi"]),
                _ci(r["mean_wait_min"], r["mean_wait_min_lo"], r["mean_wait_min_hi"], 1),
                _num(r["customers"]),
                _num(r["late_customers"]),
                _ci(
                    r["peak_share_within_target"],
                    r["peak_share_within_target_lo"],
                    r["peak_share_within_target_hi"],
                ),
                _yes_no(r["peak_at_risk"]),
                _ci(
                    r["holiday_share_within_target"],
                    r["holiday_share_within_target_lo"],
                    r["holiday_share_within_target_hi"],
                ),
                _yes_no(r["holiday_at_risk"]),
                _num(r["marginal_value"], 1),
                _duration(r["run_time_s"]),
            ]
        )
    return (
        "<section id='halls'><h2>5. Every hall</h2>"
        "<p class='explain'>All halls in alphabetical order; the hall's name links to its own "
        "plan report. Shares are 0–1, with the 90% interval over replications.</p>"
        "<div class='wide'>" + _table(headers, rows) + "</div></section>"
    )


def _failed_section(halls: pd.DataFrame) -> str:
    failed = halls[~_ok(halls)].sort_values("hall")
    parts = ["<section id='failed'><h2>6. Failed halls</h2>"]
    if failed.empty:
        parts.append("<p>None: every hall was planned.</p>")
    else:
        parts.append(
            "<p class='explain'>These halls have no plan; fix the problem shown and "
            "run the region again.</p>"
        )
        parts.append(
            _table(
                ["hall", "scenario", "error"],
                [
                    (_esc(r["hall"]), _esc(r["scenario"]), f"<pre>{_esc(r['error'])}</pre>")
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
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>"
    )


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
    failed = halls.loc[~_ok(halls), ["hall", "scenario", "error"]].reset_index(drop=True)
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

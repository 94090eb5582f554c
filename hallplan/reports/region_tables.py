"""The region report's numbers: halls at risk, region totals, the run's settings."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hallplan.reports import html as h


def is_planned(halls: pd.DataFrame) -> pd.Series:
    return halls["status"].astype(str).str.strip().str.lower().eq("ok")


def as_flags(series: pd.Series) -> pd.Series:
    """A flag column as pandas' nullable boolean (True / False / <NA> for failed halls)."""
    return series.astype("boolean")


def at_risk_frames(halls: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Planned halls at risk, each frame sorted by worst share first:

    * ``plan`` — the plan's targets do not hold (``targets_hold`` is false);
    * ``peak`` — the month-start peak (billing days 1–3) is at risk;
    * ``holiday`` — the holiday stress day is at risk.
    """
    ok = is_planned(halls)
    plan = halls[ok & as_flags(halls["targets_hold"]).eq(False)]
    peak = halls[ok & as_flags(halls["peak_at_risk"]).eq(True)]
    holiday = halls[ok & as_flags(halls["holiday_at_risk"]).eq(True)]
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


def allocation_verdicts(halls: pd.DataFrame, allocation: pd.DataFrame) -> pd.DataFrame:
    """The allocation with the region's one definition of “meets target”: a hall meets it
    with the allocation when it is assigned at least the headcount its own plan needs
    (``headcount_needed``, which agrees with the plan's verdict by construction — see
    :func:`hallplan.region.tasks.headcount_needed`); ``headcount_to_meet_target`` is that
    same number. NA where the hall has no plan."""
    a = allocation.copy()
    need = halls.drop_duplicates("hall").set_index("hall")["headcount_needed"]
    needed = pd.to_numeric(a["hall"].map(need), errors="coerce")
    assigned = pd.to_numeric(a["headcount"], errors="coerce")
    a["headcount_to_meet_target"] = needed.astype("Int64") if needed.notna().all() else needed
    meets = (assigned >= needed).astype("boolean")
    meets[needed.isna() | assigned.isna()] = pd.NA
    a["meets_target"] = meets
    a.attrs.update(allocation.attrs)
    return a


def assigned_headcount(halls: pd.DataFrame, allocation: pd.DataFrame | None) -> float:
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
    ok = is_planned(halls)
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
    holds = as_flags(p["targets_hold"])
    budget = region.get("headcount_budget")
    meets_alloc = (int(as_flags(allocation_verdicts(halls, allocation)["meets_target"])
                       .eq(True).sum()) if allocation is not None and len(allocation)
                   else math.nan)
    rows = [
        ("halls", "halls in the region", len(halls)),
        ("halls_planned", "halls planned", int(ok.sum())),
        ("halls_failed", "halls failed", int((~ok).sum())),
        ("halls_targets_hold", "planned halls whose targets hold", int(holds.eq(True).sum())),
        ("halls_meet_with_allocation", "planned halls meeting their target with the allocation",
         meets_alloc),
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
            assigned_headcount(halls, allocation),
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
    executor = str(region.get("executor") or h.NA)
    if not h.isnan(workers):
        executor += f", {int(workers)} worker(s)"
    rows = [
        ("region", f"{region.get('name') or region.get('id') or h.NA} ({region.get('id', h.NA)})"),
        ("month", region.get("month", h.NA)),
        ("days planned", region.get("days", h.NA)),
        ("replications per hall", region.get("reps", h.NA)),
        ("seed", region.get("seed", h.NA)),
        ("executor", executor),
        ("run time", h.duration(region.get("elapsed_s"))),
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])




__all__ = [
    "RISK_KINDS", "allocation_verdicts", "as_flags", "assigned_headcount", "at_risk_frames",
    "at_risk_table",
    "is_planned", "region_totals", "settings_table",
]

"""The region report's charts (each capped at ``CHART_CAP`` halls; height grows with the
number of halls shown), built with matplotlib's object-oriented Figure API."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from hallplan.i18n import DEFAULT_LANG, labels
from hallplan.reports.region_tables import as_flags, is_planned

CHART_CAP = 40
"""At most this many halls per chart; the rest are in the tables."""
MISS_COLOUR = "#c0392b"
"""Bar colour of a hall whose plan's targets do not hold."""
HOLD_COLOUR = "#4C72B0"


def _mpl_label(x, width: int = 28) -> str:
    """A hall id as a matplotlib tick label: ``$`` would start mathtext; long ids shortened."""
    s = str(x)
    if len(s) > width:
        s = s[: width - 1] + "…"
    return s.replace("$", r"\$")




def _height(n_rows: float) -> float:
    return 1.4 + 0.26 * n_rows


def ranking_figure(halls: pd.DataFrame, cap: int = CHART_CAP, lang: str = DEFAULT_LANG):
    """Halls by share within target, worst at the top, 90% CI error bars and the target."""
    t = labels(lang)
    d = halls[is_planned(halls)].copy()
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
    # pandas' nullable booleans iterate as numpy bools: compare by value, not identity
    misses = as_flags(d["targets_hold"]).eq(False).fillna(False).to_numpy(bool)
    colours = [MISS_COLOUR if m else HOLD_COLOUR for m in misses]
    ax.barh(y, s, xerr=xerr, color=colours, capsize=2, error_kw={"elinewidth": 0.8})
    target = pd.to_numeric(d["target_share"], errors="coerce")
    if target.nunique(dropna=True) == 1:
        ax.axvline(
            float(target.dropna().iloc[0]),
            color="k",
            ls="--",
            lw=1,
            label=t("target_line", v=f"{float(target.dropna().iloc[0]):.0%}"),
        )
    elif target.notna().any():
        ax.scatter(target, y, marker="|", s=160, color="k", zorder=3, label=t("hall_target"))
    lowest = min(float(np.nanmin(lo)), float(target.min()) if target.notna().any() else 1.0)
    left = max(0.0, math.floor(lowest * 10) / 10 - 0.1)
    ax.set_xlim(left, 1.0)
    ax.set_yticks(y, [_mpl_label(h) for h in d["hall"]], fontsize=8)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(t("chart_ranking_x"))
    ax.set_title(t("chart_ranking_title"), fontsize=10)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.tight_layout()
    return fig


def headcount_figure(halls: pd.DataFrame, cap: int = CHART_CAP, lang: str = DEFAULT_LANG):
    """Needed vs current vs assigned headcount per hall, largest gap (needed − current) on top."""
    t = labels(lang)
    d = halls[is_planned(halls)].copy()
    for c in ("headcount_needed", "headcount_current", "headcount_assigned"):
        d[c] = pd.to_numeric(d[c], errors="coerce")
    d = d[d["headcount_needed"].notna()]
    d["gap"] = d["headcount_needed"] - d["headcount_current"]
    d = d.sort_values(["gap", "hall"], ascending=[False, True]).head(cap)
    series = [
        (t("col_needed"), "headcount_needed", "#C44E52"),
        (t("col_current"), "headcount_current", "#8c8c8c"),
    ]
    if d["headcount_assigned"].notna().any():
        series.append((t("col_assigned"), "headcount_assigned", "#55A868"))
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
    ax.set_xlabel(t("people"))
    ax.set_title(t("chart_headcount"), fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.tight_layout()
    return fig


def marginal_figure(halls: pd.DataFrame, cap: int = CHART_CAP, lang: str = DEFAULT_LANG):
    """Customers saved by one more person, highest first."""
    t = labels(lang)
    d = halls[is_planned(halls)].copy()
    d["m"] = pd.to_numeric(d["marginal_value"], errors="coerce")
    d = d[d["m"].notna()].sort_values(["m", "hall"], ascending=[False, True]).head(cap)
    n = len(d)
    fig = Figure(figsize=(9, _height(n)))
    ax = fig.subplots()
    y = np.arange(n)
    ax.barh(y, d["m"].to_numpy(float), color="#8172B2")
    ax.set_yticks(y, [_mpl_label(x) for x in d["hall"]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(t("chart_marginal_x"))
    ax.set_title(t("chart_marginal"), fontsize=10)
    fig.tight_layout()
    return fig




__all__ = ["CHART_CAP", "headcount_figure", "marginal_figure", "ranking_figure"]

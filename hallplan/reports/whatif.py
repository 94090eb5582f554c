"""Files written by ``hallplan whatif``: ``whatif.csv``, ``whatif.md`` and ``whatif.png`` (the
comparison itself is :func:`hallplan.whatif.compare`)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from hallplan.atomic import save_figure, write_csv, write_text
from hallplan.i18n import CATALOGUE, DEFAULT_LANG, label, labels
from hallplan.reports.fonts import chart_fonts


def metric_name(metric: str, lang: str = DEFAULT_LANG) -> str:
    """A comparison metric's name in ``lang`` (names the catalogue lacks stay as they are)."""
    key = f"wi_{metric}"
    return label(key, lang) if key in CATALOGUE else metric


def whatif_markdown(table: pd.DataFrame, reps: int, seed: int,
                    lang: str = DEFAULT_LANG) -> str:
    t = labels(lang)
    names = list(dict.fromkeys(table["scenario"]))
    metrics = list(dict.fromkeys(table["metric"]))
    lines = [
        f"# {t('wi_title')}",
        "",
        t("wi_intro", reps=reps, seed=seed),
        "",
        f"| {t('wi_metric')} | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    dates = table.drop_duplicates("scenario").set_index("scenario")["date"]
    lines.append(f"| {t('date')} | " + " | ".join(str(dates[n]) for n in names) + " |")
    for m in metrics:
        cells = []
        for n in names:
            r = table[(table["scenario"] == n) & (table["metric"] == m)].iloc[0]
            cell = f"{r['mean']:.1f} ± {r['ci_half_width']:.1f}"
            if n != names[0]:
                sig = (
                    " ✱"
                    if not math.isnan(r["diff_ci_half_width"])
                    and abs(r["diff_vs_base"]) > r["diff_ci_half_width"]
                    else ""
                )
                cell += f"<br>Δ {r['diff_vs_base']:+.1f} ± {r['diff_ci_half_width']:.1f}{sig}"
            cells.append(cell)
        lines.append(f"| {metric_name(m, lang)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def whatif_figure(table: pd.DataFrame, lang: str = DEFAULT_LANG):
    """Base and variants side by side for the four headline metrics (build it inside
    :func:`chart_fonts` for Chinese)."""
    show = ["called within target (%)", "mean wait (min)", "abandoned (%)", "staff-hours"]
    names = list(dict.fromkeys(table["scenario"]))
    fig = Figure(figsize=(4 * len(show), 4.5))
    axes = fig.subplots(1, len(show))
    for ax, metric in zip(axes, show, strict=True):
        d = table[table["metric"] == metric].set_index("scenario").reindex(names)
        colors = ["grey", *["tab:blue"] * (len(names) - 1)]
        ax.bar(range(len(names)), d["mean"], yerr=d["ci_half_width"], color=colors, capsize=3)
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=8)
        ax.set_title(metric_name(metric, lang), fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(label("wi_suptitle", lang))
    fig.tight_layout()
    return fig


def write_whatif_outputs(table: pd.DataFrame, out: Path, reps: int, seed: int,
                         lang: str = DEFAULT_LANG) -> list[Path]:
    out = Path(out)
    written = [
        write_csv(out / "whatif.csv", table),
        write_text(out / "whatif.md", whatif_markdown(table, reps, seed, lang)),
    ]
    with chart_fonts(lang):
        written.append(save_figure(out / "whatif.png", whatif_figure(table, lang)))
    return written


__all__ = ["metric_name", "whatif_figure", "whatif_markdown", "write_whatif_outputs"]

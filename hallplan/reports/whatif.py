"""Files written by ``hallplan whatif``: ``whatif.csv``, ``whatif.md`` and ``whatif.png`` (the
comparison itself is :func:`hallplan.whatif.compare`)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from hallplan.atomic import save_figure, write_csv, write_text


def whatif_markdown(table: pd.DataFrame, reps: int, seed: int) -> str:
    names = list(dict.fromkeys(table["scenario"]))
    metrics = list(dict.fromkeys(table["metric"]))
    lines = [
        "# What-if comparison",
        "",
        f"{reps} replications each, seed {seed}. Cells: mean ± 95% CI; below it the difference "
        "to the base ± 95% CI (paired over common random numbers where the date is the same, "
        "Welch otherwise; ✱ where the interval excludes zero).",
        "",
        "| metric | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    dates = table.drop_duplicates("scenario").set_index("scenario")["date"]
    lines.append("| date | " + " | ".join(str(dates[n]) for n in names) + " |")
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
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def whatif_figure(table: pd.DataFrame):
    show = ["called within target (%)", "mean wait (min)", "abandoned (%)", "staff-hours"]
    names = list(dict.fromkeys(table["scenario"]))
    fig = Figure(figsize=(4 * len(show), 4.5))
    axes = fig.subplots(1, len(show))
    for ax, metric in zip(axes, show, strict=True):
        d = table[table["metric"] == metric].set_index("scenario").reindex(names)
        colors = ["grey", *["tab:blue"] * (len(names) - 1)]
        ax.bar(range(len(names)), d["mean"], yerr=d["ci_half_width"], color=colors, capsize=3)
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=8)
        ax.set_title(metric, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle("What-if: base (grey) vs variants, mean ± 95% CI")
    fig.tight_layout()
    return fig


def write_whatif_outputs(table: pd.DataFrame, out: Path, reps: int, seed: int) -> list[Path]:
    out = Path(out)
    written = [
        write_csv(out / "whatif.csv", table),
        write_text(out / "whatif.md", whatif_markdown(table, reps, seed)),
    ]
    fig = whatif_figure(table)
    written.append(save_figure(out / "whatif.png", fig))
    return written


__all__ = ["whatif_figure", "whatif_markdown", "write_whatif_outputs"]

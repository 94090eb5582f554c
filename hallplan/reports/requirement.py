"""Requirement outputs: ``requirement.csv`` and a day × interval heatmap per post.

Files are written atomically (:mod:`hallplan.atomic`); the CSV has exactly the
:data:`hallplan.optimize.staffing_requirement.REQUIREMENT_COLUMNS` (the roster optimiser
reads it back with :meth:`Requirement.read_csv`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from hallplan.atomic import save_figure, write_csv
from hallplan.i18n import DEFAULT_LANG, label, post_name
from hallplan.optimize.staffing_requirement import REQUIREMENT_COLUMNS, Requirement
from hallplan.reports.fonts import chart_fonts
from hallplan.sim.scenario import format_clock


def requirement_heatmap(req: Requirement, title: str = "", lang: str = DEFAULT_LANG):
    """A figure with one panel per post: rows = dates, columns = intervals, colour = staff."""
    t = req.table
    posts = req.posts
    dates = req.dates
    starts = sorted(set(t["interval_start_min"]))
    width = max(6.0, 0.28 * len(starts) + 2)
    height = 0.8 + (0.16 * len(dates) + 0.9) * len(posts)
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(len(posts), 1, squeeze=False)
    d_index = {d: i for i, d in enumerate(dates)}
    s_index = {s: j for j, s in enumerate(starts)}
    step = max(1, len(starts) // 12)
    for ax, post in zip(axes[:, 0], posts, strict=True):
        grid = np.full((len(dates), len(starts)), np.nan)
        sub = t[t["post"] == post]
        rows = sub["date"].map(d_index).to_numpy()
        cols = sub["interval_start_min"].map(s_index).to_numpy()
        grid[rows, cols] = sub["staff"].to_numpy()
        top = float(np.nanmax(grid)) if np.isfinite(grid).any() else 1.0
        im = ax.imshow(grid, aspect="auto", cmap="YlOrRd", interpolation="nearest",
                       vmin=0, vmax=max(1.0, top))
        ax.set_title(post_name(post, lang), fontsize=9, loc="left")
        ax.set_xticks(range(0, len(starts), step))
        ax.set_xticklabels([format_clock(starts[j]) for j in range(0, len(starts), step)],
                           fontsize=7)
        dstep = max(1, len(dates) // 10)
        ax.set_yticks(range(0, len(dates), dstep))
        ax.set_yticklabels([str(dates[i]) for i in range(0, len(dates), dstep)], fontsize=7)
        fig.colorbar(im, ax=ax, label=label("staff", lang), pad=0.01)
    fig.suptitle(title or label("req_title", lang, n=req.interval_min), fontsize=10)
    return fig


def write_requirement_outputs(req: Requirement, out_dir: Path, title: str = "",
                              lang: str = DEFAULT_LANG) -> list[Path]:
    """Write ``requirement.csv`` (the roster's input: English columns) and
    ``requirement_heatmap.png`` (labelled in ``lang``) into ``out_dir``."""
    out = Path(out_dir)
    paths = [write_csv(out / "requirement.csv", req.table.loc[:, list(REQUIREMENT_COLUMNS)])]
    with chart_fonts(lang):
        paths.append(save_figure(out / "requirement_heatmap.png",
                                 requirement_heatmap(req, title, lang)))
    return paths

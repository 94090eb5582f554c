"""Write the monthly forecast and the five tables: CSV, one XLSX workbook, PNG charts.

Every file is written atomically (``hallplan.atomic``). Wire-up for the CLI::

    demand, summary = forecast_month(store, hall, scenario, year, month)
    write_forecast_outputs(out_dir, demand, summary)
    tables = five_tables(store, hall, scenario, year, month)
    write_five_tables(out_dir, tables)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from hallplan.atomic import save_figure, write_csv, write_text
from hallplan.forecast.five_tables import FiveTables, ForecastSummary
from hallplan.i18n import CATALOGUE, DEFAULT_LANG, label, labels, note_text
from hallplan.reports.fonts import chart_fonts
from hallplan.reports.xlsx import Sheet, write_workbook
from hallplan.sim.demand import Demand

SHEET_NAMES = {
    "table1": "1_staff_on_duty",
    "table2": "2_forecast_capacity",
    "table3": "3_last_actual",
    "table4": "4_last_actual_vs_fc",
    "table5": "5_last_per_staff",
}


def _date_axis(ax, dates, t) -> None:
    ax.set_xticks(range(len(dates)))
    ax.set_xticklabels([pd.Timestamp(d).strftime("%d") for d in dates], fontsize=7)
    ax.set_xlabel(t("day_of_month"))
    ax.grid(alpha=0.3)


def _daily_figure(table: pd.DataFrame) -> tuple[Figure, object, np.ndarray]:
    """A chart of one of the daily tables: the figure, its axes and one x position a day."""
    fig = Figure(figsize=(10, 4))
    return fig, fig.subplots(), np.arange(len(table))


def _forecast_band(ax, x: np.ndarray, table: pd.DataFrame, label: str, t) -> None:
    """The forecast's bounds as a band and its point forecast as a line."""
    ax.fill_between(x, table["forecast_lo"], table["forecast_hi"], alpha=0.2,
                    label=t("forecast_bounds"))
    ax.plot(x, table["forecast_visits"], marker="o", ms=3, label=label)


def _finish(ax, table: pd.DataFrame, ylabel: str, title: str, t) -> None:
    _date_axis(ax, table["date"], t)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)


def _figures(ft: FiveTables, lang: str = DEFAULT_LANG) -> dict[str, Figure]:
    """One chart per table (build and save inside :func:`chart_fonts` for Chinese)."""
    t = labels(lang)
    month = f"{ft.year}-{ft.month:02d}"
    figs = {}
    t1 = ft.table1
    cols = [c for c in t1.columns if c not in ("date", "day_type", "daily_average")]
    fig = Figure(figsize=(10, 5))
    ax = fig.subplots()
    im = ax.imshow(t1[cols].to_numpy(float).T, aspect="auto", cmap="viridis", origin="lower")
    ax.set_yticks(range(0, len(cols), 2))
    ax.set_yticklabels(cols[::2], fontsize=7)
    _date_axis(ax, t1["date"], t)
    ax.grid(False)
    fig.colorbar(im, ax=ax, label=t("counters_on_duty"))
    ax.set_title(t("five_table1", month=month, v=f"{t1['daily_average'].mean():.1f}"))
    figs["table1"] = fig

    t2 = ft.table2
    fig, ax, x = _daily_figure(t2)
    _forecast_band(ax, x, t2, t("forecast_visits"), t)
    ax.plot(
        x,
        t2["capacity_visits"],
        drawstyle="steps-mid",
        color="tab:red",
        label=t("capacity_visits"),
    )
    _finish(ax, t2, t("visits_per_day"), t("five_table2", month=month), t)
    figs["table2"] = fig

    t3 = ft.table3
    fig, ax, x = _daily_figure(t3)
    ax.bar(x, t3["actual_visits"], color="tab:blue", alpha=0.6, label=t("actual_visits"))
    ax.bar(x, t3["served_counter"], color="tab:green", alpha=0.6, label=t("served_counter"))
    ax2 = ax.twinx()
    ax2.plot(x, t3["served_per_staff_hour"], color="k", marker=".",
             label=t("served_per_staff_hour"))
    ax2.set_ylabel(t("served_per_counter_staff_hour"))
    _date_axis(ax, t3["date"], t)
    ax.set_ylabel(t("visits_per_day"))
    ax.set_title(t("five_table3"))
    ax.legend(loc="upper left", fontsize=8)
    ax2.legend(loc="upper right", fontsize=8)
    figs["table3"] = fig

    t4 = ft.table4
    fig, ax, x = _daily_figure(t4)
    _forecast_band(ax, x, t4, t("forecast"), t)
    ax.plot(x, t4["actual_visits"], marker="s", ms=3, color="k", label=t("actual"))
    wape = ft.notes.get("last_month_wape", "n/a")
    _finish(ax, t4, t("visits_per_day"), t("five_table4", v=wape), t)
    figs["table4"] = fig

    t5 = ft.table5
    fig, ax, x = _daily_figure(t5)
    ax.plot(x, t5["forecast_served_per_staff_hour"], marker="o", ms=3, label=t("forecast"))
    ax.plot(x, t5["actual_served_per_staff_hour"], marker="s", ms=3, color="k",
            label=t("actual"))
    _finish(ax, t5, t("served_per_counter_staff_hour"), t("five_table5"), t)
    figs["table5"] = fig
    return figs


def five_note_lines(notes: dict, lang: str = DEFAULT_LANG) -> list[str]:
    """The five tables' notes as ``key: value`` lines; in Chinese the key's label and the
    value said with the catalogue where it is a note the catalogue knows."""
    if lang == "en":
        return [f"{k}: {v}" for k, v in notes.items()]
    return [label("fnote_line", lang,
                  name=label(f"fnote_{k}", lang) if f"fnote_{k}" in CATALOGUE else k,
                  value=note_text(v, lang)) for k, v in notes.items()]


def notes_text(ft: FiveTables, lang: str = DEFAULT_LANG) -> str:
    title = "Five tables" if lang == "en" else label("sec_five", lang)
    lines = [f"# {title} — {ft.hall_id} {ft.year}-{ft.month:02d}", ""]
    lines += [f"- {n}" for n in five_note_lines(ft.notes, lang)]
    if lang == "en":
        lines += ["", "Tables:"] + [f"- {k}: {t}" for k, t in FiveTables.TITLES.items()]
    else:
        lines += [""] + [f"- {k}: {label(f'five_title_{k}', lang)}" for k in FiveTables.TITLES]
    return "\n".join(lines) + "\n"


def five_sheets(ft: FiveTables, lang: str = DEFAULT_LANG) -> list[Sheet]:
    """The workbook's sheets: people's headers in ``lang`` (interval columns stay HH:MM),
    shares as percentages, the header row and the date column frozen."""
    sheets = []
    for name, frame in ft.tables().items():
        heads = {c: label(f"fc_{c}", lang) for c in frame.columns if f"fc_{c}" in CATALOGUE}
        pct = [c for c in ("abs_pct_error",) if c in frame.columns]
        sheets.append(Sheet(SHEET_NAMES[name] if lang == "en" else label(f"five_title_{name}",
                            lang)[:31], frame, heads, percent=pct, freeze="B2"))
    return sheets


def write_five_tables(out_dir: str | Path, ft: FiveTables, charts: bool = True,
                      lang: str = DEFAULT_LANG) -> list[Path]:
    """``table1.csv`` … ``table5.csv``, ``five_tables.xlsx`` (five sheets), ``table1.png`` …
    ``table5.png`` and ``five_tables_notes.md`` under ``out_dir``; workbook and charts
    labelled in ``lang``."""
    out = Path(out_dir)
    paths = []
    tables = ft.tables()
    for name, frame in tables.items():
        paths.append(write_csv(out / f"{name}.csv", frame))
    paths.append(write_workbook(out / "five_tables.xlsx", five_sheets(ft, lang)))
    paths.append(write_text(out / "five_tables_notes.md", notes_text(ft, lang)))
    if charts:
        with chart_fonts(lang):
            for name, fig in _figures(ft, lang).items():
                paths.append(save_figure(out / f"{name}.png", fig))
    return paths


def write_forecast_outputs(
    out_dir: str | Path, demand: Demand, summary: ForecastSummary
) -> list[Path]:
    """``forecast_daily.csv`` (date, visits, lo, hi, day_type) and ``forecast_demand.csv``
    (the Demand's long table, which ``hallplan simulate`` can read back)."""
    out = Path(out_dir)
    return [
        write_csv(out / "forecast_daily.csv", summary.daily),
        write_csv(out / "forecast_demand.csv", demand.table),
    ]


__all__ = ["SHEET_NAMES", "five_note_lines", "five_sheets", "notes_text", "write_five_tables",
           "write_forecast_outputs"]

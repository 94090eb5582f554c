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

from hallplan.atomic import atomic_write, save_figure, write_csv, write_text
from hallplan.forecast.five_tables import FiveTables, ForecastSummary
from hallplan.sim.demand import Demand

SHEET_NAMES = {
    "table1": "1_staff_on_duty",
    "table2": "2_forecast_capacity",
    "table3": "3_last_actual",
    "table4": "4_last_actual_vs_fc",
    "table5": "5_last_per_staff",
}


def _date_axis(ax, dates) -> None:
    ax.set_xticks(range(len(dates)))
    ax.set_xticklabels([pd.Timestamp(d).strftime("%d") for d in dates], fontsize=7)
    ax.set_xlabel("day of month")
    ax.grid(alpha=0.3)


def _daily_figure(table: pd.DataFrame) -> tuple[Figure, object, np.ndarray]:
    """A chart of one of the daily tables: the figure, its axes and one x position a day."""
    fig = Figure(figsize=(10, 4))
    return fig, fig.subplots(), np.arange(len(table))


def _forecast_band(ax, x: np.ndarray, table: pd.DataFrame, label: str) -> None:
    """The forecast's bounds as a band and its point forecast as a line."""
    ax.fill_between(x, table["forecast_lo"], table["forecast_hi"], alpha=0.2,
                    label="forecast bounds")
    ax.plot(x, table["forecast_visits"], marker="o", ms=3, label=label)


def _finish(ax, table: pd.DataFrame, ylabel: str, title: str) -> None:
    _date_axis(ax, table["date"])
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)


def _figures(ft: FiveTables) -> dict[str, Figure]:
    figs = {}
    t1 = ft.table1
    cols = [c for c in t1.columns if c not in ("date", "day_type", "daily_average")]
    fig = Figure(figsize=(10, 5))
    ax = fig.subplots()
    im = ax.imshow(t1[cols].to_numpy(float).T, aspect="auto", cmap="viridis", origin="lower")
    ax.set_yticks(range(0, len(cols), 2))
    ax.set_yticklabels(cols[::2], fontsize=7)
    _date_axis(ax, t1["date"])
    ax.grid(False)
    fig.colorbar(im, ax=ax, label="counters on duty")
    ax.set_title(
        f"Table 1 — counters on duty, {ft.year}-{ft.month:02d} "
        f"(monthly mean of daily averages {t1['daily_average'].mean():.1f})"
    )
    figs["table1"] = fig

    t2 = ft.table2
    fig, ax, x = _daily_figure(t2)
    _forecast_band(ax, x, t2, "forecast visits")
    ax.plot(
        x,
        t2["capacity_visits"],
        drawstyle="steps-mid",
        color="tab:red",
        label="capacity (visits the planned staff can absorb)",
    )
    _finish(ax, t2, "visits per day", f"Table 2 — forecast vs capacity, {ft.year}-{ft.month:02d}")
    figs["table2"] = fig

    t3 = ft.table3
    fig, ax, x = _daily_figure(t3)
    ax.bar(x, t3["actual_visits"], color="tab:blue", alpha=0.6, label="actual visits")
    ax.bar(x, t3["served_counter"], color="tab:green", alpha=0.6, label="served at counters")
    ax2 = ax.twinx()
    ax2.plot(x, t3["served_per_staff_hour"], color="k", marker=".", label="served / staff hour")
    ax2.set_ylabel("served per counter-staff hour")
    _date_axis(ax, t3["date"])
    ax.set_ylabel("visits per day")
    ax.set_title("Table 3 — last month: actual visits and served per staff hour")
    ax.legend(loc="upper left", fontsize=8)
    ax2.legend(loc="upper right", fontsize=8)
    figs["table3"] = fig

    t4 = ft.table4
    fig, ax, x = _daily_figure(t4)
    _forecast_band(ax, x, t4, "forecast")
    ax.plot(x, t4["actual_visits"], marker="s", ms=3, color="k", label="actual")
    wape = ft.notes.get("last_month_wape", "n/a")
    _finish(ax, t4, "visits per day", f"Table 4 — last month: actual vs forecast (WAPE {wape})")
    figs["table4"] = fig

    t5 = ft.table5
    fig, ax, x = _daily_figure(t5)
    ax.plot(x, t5["forecast_served_per_staff_hour"], marker="o", ms=3, label="forecast")
    ax.plot(x, t5["actual_served_per_staff_hour"], marker="s", ms=3, color="k", label="actual")
    _finish(ax, t5, "served per counter-staff hour",
            "Table 5 — last month: served per staff hour, actual vs forecast")
    figs["table5"] = fig
    return figs


def notes_text(ft: FiveTables) -> str:
    lines = [f"# Five tables — {ft.hall_id} {ft.year}-{ft.month:02d}", ""]
    lines += [f"- {k}: {v}" for k, v in ft.notes.items()]
    lines += ["", "Tables:"] + [f"- {k}: {t}" for k, t in FiveTables.TITLES.items()]
    return "\n".join(lines) + "\n"


def write_five_tables(out_dir: str | Path, ft: FiveTables, charts: bool = True) -> list[Path]:
    """``table1.csv`` … ``table5.csv``, ``five_tables.xlsx`` (five sheets), ``table1.png`` …
    ``table5.png`` and ``five_tables_notes.md`` under ``out_dir``."""
    out = Path(out_dir)
    paths = []
    tables = ft.tables()
    for name, frame in tables.items():
        paths.append(write_csv(out / f"{name}.csv", frame))

    def excel(p: Path) -> None:
        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            for name, frame in tables.items():
                frame.to_excel(xw, sheet_name=SHEET_NAMES[name], index=False)

    paths.append(atomic_write(out / "five_tables.xlsx", excel))
    paths.append(write_text(out / "five_tables_notes.md", notes_text(ft)))
    if charts:
        for name, fig in _figures(ft).items():
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


__all__ = ["SHEET_NAMES", "notes_text", "write_five_tables", "write_forecast_outputs"]

"""Monthly forecast and the five tables (五表) for a hall (domain.md §5.3, Part A).

Hall reading of the call-centre tables ([interpretation] in domain.md §5.3 and Part A):
"seats" are open counters (the scenario's lanes; greeters are not counted); "volume" is visits
(counter tickets + kiosk transactions); "per-staff volume" is customers served at a counter
per counter-staff hour; "bearable volume" is what the staffed counters can serve.

Capacity of a day (documented assumption)::

    capacity_counter_visits = staffed counter-minutes within opening hours
                              × UTILISATION_CEILING / mean counter service time
    capacity_visits         = capacity_counter_visits / counter share of visits

with ``UTILISATION_CEILING = 0.85`` (the flagship's default staffing meets the wait targets at
≈ 0.86 counter utilisation in simulation; above that queues grow fast), the mean counter
service time and the counter share of visits measured from the 8 weeks of history before the
month (falling back to the scenario's service-mix-weighted counter times and a counter share
of 1 when there is no history). Staffing comes from the month's roster in the store, else the
scenario's ``default_staffing`` (or an explicit ``staffing``).

1. this month's counters on duty per day and interval, with the daily (time-weighted) average;
2. this month's daily forecast visits (with bounds) and the visits the planned staff can absorb;
3. last month's daily actual visits, counter customers served, and served per staff hour;
4. last month's daily actual vs forecast visits (the stored forecast made before that month,
   else one reconstructed now from the history before it, flagged as such);
5. last month's daily served per staff hour: actual vs forecast (forecast visits × the counter
   and served shares known before the month ÷ the month's counter-staff hours).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from hallplan.forecast.backtest import wape
from hallplan.forecast.calendars import ChinaCalendar, get_calendar
from hallplan.forecast.models import DemandForecaster
from hallplan.forecast.store import HistoryStore
from hallplan.sim.dates import month_dates
from hallplan.sim.demand import Demand, demand_from_profile, expected_daily_visits
from hallplan.sim.notes import Note
from hallplan.sim.scenario import Scenario, format_clock
from hallplan.sim.staffing import Staffing

UTILISATION_CEILING = 0.85
SHARE_WINDOW_DAYS = 56

#: the forecast's and the five tables' notes (English; ``hallplan.i18n``: ``note_<key>``)
NOTES = {
    "profile_used": "fewer than 28 days of history: the scenario's demand profile is used",
    "calendar_unknown_year": "chinese_calendar does not know {year} yet: its statutory "
                             "holidays and make-up days are treated as ordinary days (update "
                             "the package)",
    "days_skipped": "{n} days without visits in the history were skipped",
    "stored_forecast": "stored forecast #{id} ({model})",
    "new_forecast": "new forecast ({model}), saved as #{id}",
    "given_forecast": "given forecast ({model})",
    "reconstructed_forecast": "reconstructed now from the history before {date} (no stored "
                              "forecast)",
    "no_last_forecast": "none (no stored forecast, too little history)",
    "basis_scenario": "scenario (no history)",
    "basis_history": "history {first}..{last}",
    "staffing_given": "given staffing",
    "staffing_default": "scenario default_staffing (no roster stored)",
    "staffing_roster": "roster",
    "staffing_partial": "roster for {n} days, default_staffing elsewhere",
    "capacity_basis": "mean counter service {mean} min, counter share {share} ({source})",
}


def _note(key: str, **fields: object) -> Note:
    return Note(NOTES, key, **fields)


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


@dataclass(frozen=True)
class ForecastSummary:
    """What :func:`forecast_month` did: the daily forecast and where it came from."""

    hall_id: str
    year: int
    month: int
    model: str
    daily: pd.DataFrame  # date, visits, lo, hi, day_type
    train_start: dt.date | None
    train_end: dt.date | None
    forecast_id: int | None = None
    coverage: float = 0.8
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return float(self.daily["visits"].sum())


def _history_frames(store: HistoryStore, hall_id: str, before: dt.date, interval_min: int):
    end = before - dt.timedelta(days=1)
    daily = store.daily_counts(hall_id, end=end)
    iv = store.interval_counts(hall_id, interval_min, end=end)
    return daily, iv


def _fit_forecast(store, hall_id, scenario, dates, calendar, estimator, coverage):
    first = dates[0]
    daily, iv = _history_frames(store, hall_id, first, scenario.interval_min)
    if daily.empty or daily["date"].nunique() < 28:
        return None
    fc = DemandForecaster(estimator=estimator, calendar=calendar, coverage=coverage).fit(
        daily, iv, grid=scenario.interval_starts()
    )
    return fc


def forecast_month(
    store_path: str | Path,
    hall_id: str,
    scenario: Scenario,
    year: int,
    month: int,
    *,
    estimator=None,
    calendar="china",
    coverage: float = 0.8,
    save: bool = True,
) -> tuple[Demand, ForecastSummary]:
    """Forecast every day of ``year-month`` from the hall's history before the month.

    One daily model per (service type, class) — the calendar Poisson GLM unless
    ``estimator`` is given — split into the scenario's intervals by day-type intraday
    profiles. The forecast is saved in the store (``save``) so next month's tables 4 and 5 can
    compare it with the actuals. With fewer than 28 days of history the scenario's own demand
    profile is used (and said so in ``notes``).

    ``store_path`` must be an existing history store: a missing one is a
    :class:`~hallplan.forecast.store.StoreError` ("no history store at …") and no file is
    made — reading history never creates a store."""
    dates = month_dates(year, month)
    cal = get_calendar(calendar)
    with HistoryStore(store_path, create=False) as store:
        fc = _fit_forecast(store, hall_id, scenario, dates, cal, estimator, coverage)
        if fc is None:
            demand = demand_from_profile(scenario, dates)
            daily = pd.DataFrame(
                {
                    "date": dates,
                    "visits": [demand.day(d).expected_arrivals() for d in dates],
                    "day_type": [expected_daily_visits(scenario, d)[1] for d in dates],
                }
            )
            daily["lo"] = daily["visits"]
            daily["hi"] = daily["visits"]
            daily = daily[["date", "visits", "lo", "hi", "day_type"]]
            fid = None
            if save:
                detail = demand.table.copy()
                detail["visits"] = detail["rate_per_hour"] * scenario.interval_min / 60.0
                prior = dates[0] - dt.timedelta(days=1)
                fid = store.save_forecast(
                    hall_id,
                    year,
                    month,
                    "profile",
                    prior,
                    prior,
                    scenario.interval_min,
                    daily,
                    detail,
                )
            summary = ForecastSummary(
                hall_id,
                year,
                month,
                "profile",
                daily,
                None,
                None,
                fid,
                coverage,
                [_note("profile_used")],
            )
            return demand, summary
        demand = fc.predict_demand(dates, scenario.interval_min)
        totals = fc.predict_totals(dates)
        # keep the daily table consistent with the Demand (visits inside opening hours)
        totals["visits"] = [demand.day(d).expected_arrivals() for d in dates]
        model = type(fc._base()).__name__
        notes = []
        if isinstance(cal, ChinaCalendar) and not ChinaCalendar.covers(year):
            notes.append(_note("calendar_unknown_year", year=year))
        if fc.missing_days_:
            notes.append(_note("days_skipped", n=fc.missing_days_))
        fid = None
        if save:
            detail = demand.table.copy()
            detail["visits"] = detail["rate_per_hour"] * scenario.interval_min / 60.0
            fid = store.save_forecast(
                hall_id,
                year,
                month,
                model,
                fc.train_start_,
                fc.train_end_,
                scenario.interval_min,
                totals,
                detail,
            )
    summary = ForecastSummary(
        hall_id, year, month, model, totals, fc.train_start_, fc.train_end_, fid, coverage, notes
    )
    return demand, summary


# --------------------------------------------------------------------------- capacity


def counter_minutes(scenario: Scenario, staffing: Staffing, date: dt.date) -> float:
    """Staffed counter-minutes (all lanes) within opening hours on ``date``."""
    day = staffing.day(date)
    o, c = scenario.hours.open, scenario.hours.close
    total = 0.0
    for lane in scenario.lanes:
        for seat in day.seats.get(lane, ()):
            for a, b in seat:
                total += max(0.0, min(b, c) - max(a, o))
    return total


def counters_by_interval(scenario: Scenario, staffing: Staffing, date: dt.date) -> np.ndarray:
    grid = scenario.interval_starts()
    day = staffing.day(date)
    return sum(
        (day.counts(lane, grid, scenario.interval_min) for lane in scenario.lanes),
        np.zeros(len(grid)),
    )


def _scenario_service_min(scenario: Scenario) -> float:
    mix = scenario.demand.service_mix
    tot = sum(mix.values())
    return float(sum(scenario.service_types[s].counter_time.mean * w for s, w in mix.items()) / tot)


@dataclass(frozen=True)
class CapacityBasis:
    mean_service_min: float
    counter_share: float  # counter visits / visits
    served_share: float  # served at counter / counter visits
    utilisation_ceiling: float
    source: str


def capacity_basis(
    store: HistoryStore,
    hall_id: str,
    scenario: Scenario,
    before: dt.date,
    utilisation: float = UTILISATION_CEILING,
) -> CapacityBasis:
    start = before - dt.timedelta(days=SHARE_WINDOW_DAYS)
    act = store.daily_actuals(hall_id, start, before - dt.timedelta(days=1))
    if act.empty or act["served_counter"].sum() == 0:
        return CapacityBasis(
            _scenario_service_min(scenario), 1.0, 1.0, utilisation, _note("basis_scenario")
        )
    return CapacityBasis(
        float(act["counter_service_min"].sum() / act["served_counter"].sum()),
        float(act["counter_visits"].sum() / act["visits"].sum()),
        float(act["served_counter"].sum() / max(act["counter_visits"].sum(), 1)),
        utilisation,
        _note("basis_history", first=act["date"].min(), last=act["date"].max()),
    )


def _staffing_for(store, hall_id, scenario, dates, staffing) -> tuple[Staffing, str]:
    if staffing is not None:
        return staffing, _note("staffing_given")
    rostered = store.load_staffing(hall_id, dates[0], dates[-1])
    default = Staffing.from_scenario(scenario).default if scenario.default_staffing else None
    if rostered is None:
        return Staffing(default=default), _note("staffing_default")
    n = len(rostered.by_date)
    src = _note("staffing_roster") if n == len(dates) else _note("staffing_partial", n=n)
    return Staffing(by_date=rostered.by_date, default=default), src


# --------------------------------------------------------------------------- the tables


@dataclass(frozen=True)
class FiveTables:
    hall_id: str
    year: int
    month: int
    table1: pd.DataFrame  # this month: counters on duty per day × interval, daily average
    table2: pd.DataFrame  # this month: forecast vs capacity
    table3: pd.DataFrame  # last month: actual visits and served per staff hour
    table4: pd.DataFrame  # last month: actual vs forecast visits
    table5: pd.DataFrame  # last month: served per staff hour, actual vs forecast
    notes: dict[str, str] = field(default_factory=dict)

    TITLES: ClassVar[dict[str, str]] = {
        "table1": "1 本月每天每时段在岗柜台数及日平均 (counters on duty per interval)",
        "table2": "2 本月每天预测量及可承受量 (forecast visits vs capacity)",
        "table3": "3 上月每天实际量及人均实际量 (actual visits, served per staff hour)",
        "table4": "4 上月每天实际量及预测量 (actual vs forecast visits)",
        "table5": "5 上月人均实际量及人均预测量 (served per staff hour: actual vs forecast)",
    }

    def tables(self) -> dict[str, pd.DataFrame]:
        return {k: getattr(self, k) for k in ("table1", "table2", "table3", "table4", "table5")}


def five_tables(
    store_path: str | Path,
    hall_id: str,
    scenario: Scenario,
    year: int,
    month: int,
    staffing: Staffing | None = None,
    *,
    calendar="china",
    utilisation: float = UTILISATION_CEILING,
    forecast: ForecastSummary | None = None,
    last_month_staffing: Staffing | None = None,
) -> FiveTables:
    """The five tables for ``year-month`` (see the module docstring for every definition).

    ``staffing`` is this month's plan (default: the stored roster, else the scenario's
    default staffing). ``forecast`` reuses a :func:`forecast_month` result; otherwise the
    latest stored forecast of the month is used, or a new one is made and stored. A missing
    ``store_path`` is a :class:`~hallplan.forecast.store.StoreError`; no store is created."""
    dates = month_dates(year, month)
    py, pm = previous_month(year, month)
    last = month_dates(py, pm)
    cal = get_calendar(calendar)
    notes: dict[str, str] = {"utilisation_ceiling": f"{utilisation:.2f}"}

    if forecast is None:
        with HistoryStore(store_path, create=False) as store:
            stored = store.latest_forecast_days(hall_id, year, month)
        if stored is not None:
            fdaily = stored
            notes["forecast"] = _note("stored_forecast", id=stored.attrs["forecast_id"],
                                      model=stored.attrs["model"])
        else:
            _, fs = forecast_month(store_path, hall_id, scenario, year, month, calendar=calendar)
            fdaily = fs.daily
            notes["forecast"] = _note("new_forecast", model=fs.model, id=fs.forecast_id)
    else:
        fdaily = forecast.daily
        notes["forecast"] = _note("given_forecast", model=forecast.model)

    with HistoryStore(store_path, create=False) as store:
        plan, plan_src = _staffing_for(store, hall_id, scenario, dates, staffing)
        prev_plan, prev_src = _staffing_for(store, hall_id, scenario, last, last_month_staffing)
        basis = capacity_basis(store, hall_id, scenario, dates[0], utilisation)
        prev_basis = capacity_basis(store, hall_id, scenario, last[0], utilisation)
        actual = store.daily_actuals(hall_id, last[0], last[-1])
        prev_fc = store.latest_forecast_days(hall_id, py, pm, made_before=last[0])
    notes["staffing_this_month"] = plan_src
    notes["staffing_last_month"] = prev_src
    notes["capacity_basis"] = _note("capacity_basis", mean=f"{basis.mean_service_min:.2f}",
                                    share=f"{basis.counter_share:.3f}", source=basis.source)

    # ---- table 1
    grid = scenario.interval_starts()
    open_, close = scenario.hours.open, scenario.hours.close
    weights = np.clip(
        np.minimum(np.asarray(grid) + scenario.interval_min, close)
        - np.maximum(np.asarray(grid), open_),
        0,
        None,
    )
    rows = []
    for d in dates:
        c = counters_by_interval(scenario, plan, d)
        rows.append([d, cal.day_type(d), *c, float(np.average(c, weights=weights))])
    table1 = pd.DataFrame(
        rows, columns=["date", "day_type", *[format_clock(t) for t in grid], "daily_average"]
    )

    # ---- table 2
    f = fdaily.set_index("date").reindex(dates)
    cmin = np.array([counter_minutes(scenario, plan, d) for d in dates])
    cap_counter = cmin * utilisation / basis.mean_service_min
    table2 = pd.DataFrame(
        {
            "date": dates,
            "day_type": [cal.day_type(d) for d in dates],
            "forecast_visits": f["visits"].to_numpy(float),
            "forecast_lo": f["lo"].to_numpy(float),
            "forecast_hi": f["hi"].to_numpy(float),
            "forecast_counter_visits": f["visits"].to_numpy(float) * basis.counter_share,
            "counter_staff_hours": cmin / 60.0,
            "capacity_counter_visits": cap_counter,
            "capacity_visits": cap_counter / basis.counter_share,
        }
    )
    table2["margin_visits"] = table2["capacity_visits"] - table2["forecast_visits"]
    table2["over_capacity"] = table2["margin_visits"] < 0

    # ---- table 3
    act = actual.set_index("date").reindex(last)
    hours_prev = np.array([counter_minutes(scenario, prev_plan, d) for d in last]) / 60.0
    served = act["served_counter"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_staff = np.where(hours_prev > 0, served / hours_prev, np.nan)
    table3 = pd.DataFrame(
        {
            "date": last,
            "actual_visits": act["visits"].to_numpy(float),
            "counter_visits": act["counter_visits"].to_numpy(float),
            "kiosk_visits": act["kiosk_visits"].to_numpy(float),
            "served_counter": served,
            "abandoned": act["abandoned"].to_numpy(float),
            "counter_staff_hours": hours_prev,
            "served_per_staff_hour": per_staff,
        }
    )

    # ---- table 4
    if prev_fc is None:
        with HistoryStore(store_path, create=False) as store:
            fc = _fit_forecast(store, hall_id, scenario, last, cal, None, 0.8)
        if fc is not None:
            prev_fc = fc.predict_totals(last)
            notes["last_month_forecast"] = _note("reconstructed_forecast", date=last[0])
        else:
            notes["last_month_forecast"] = _note("no_last_forecast")
    else:
        notes["last_month_forecast"] = _note("stored_forecast",
                                             id=prev_fc.attrs["forecast_id"],
                                             model=prev_fc.attrs["model"])
    if prev_fc is not None:
        pf = prev_fc.set_index("date").reindex(last)
        fv, lo, hi = (pf[c].to_numpy(float) for c in ("visits", "lo", "hi"))
    else:
        fv = lo = hi = np.full(len(last), np.nan)
    av = table3["actual_visits"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ape = np.where(av > 0, np.abs(fv - av) / av, np.nan)
    table4 = pd.DataFrame(
        {
            "date": last,
            "actual_visits": av,
            "forecast_visits": fv,
            "forecast_lo": lo,
            "forecast_hi": hi,
            "error": fv - av,
            "abs_pct_error": ape,
            "within_bounds": (av >= lo) & (av <= hi),
        }
    )
    ok = np.isfinite(av) & np.isfinite(fv)
    notes["last_month_wape"] = f"{wape(av[ok], fv[ok]):.3f}" if ok.any() else "n/a"

    # ---- table 5
    fc_served = fv * prev_basis.counter_share * prev_basis.served_share
    with np.errstate(divide="ignore", invalid="ignore"):
        fc_per_staff = np.where(hours_prev > 0, fc_served / hours_prev, np.nan)
    table5 = pd.DataFrame(
        {
            "date": last,
            "counter_staff_hours": hours_prev,
            "actual_served_counter": served,
            "forecast_served_counter": fc_served,
            "actual_served_per_staff_hour": per_staff,
            "forecast_served_per_staff_hour": fc_per_staff,
        }
    )
    table5["error_per_staff_hour"] = (
        table5["forecast_served_per_staff_hour"] - table5["actual_served_per_staff_hour"]
    )
    return FiveTables(hall_id, year, month, table1, table2, table3, table4, table5, notes)


__all__ = [
    "UTILISATION_CEILING",
    "CapacityBasis",
    "FiveTables",
    "ForecastSummary",
    "capacity_basis",
    "counter_minutes",
    "five_tables",
    "forecast_month",
]

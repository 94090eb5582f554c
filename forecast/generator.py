"""Simulated ticket-log history for a reference hall.

Every date gets its own expected volume from the scenario's demand profile (weekday /
Saturday / Sunday / holiday volumes, intraday curves, month-start uplift, service mix) times
the effects below; the simulator then runs that day once
(``hallplan.sim.replicate.run_day_records``,
one replication) and the customer records become ticket-log rows
(:func:`hallplan.forecast.ticket_log.records_to_ticket_log`).

Effects (:class:`HistoryEffects`; all assumptions, documented in ``docs/ticket_log.md``):
Chinese statutory holidays are ``holiday`` days and make-up working days are weekdays
(``chinese_calendar``); the working day before a holiday block, the first one after it, the
eve of the Spring Festival, the 5.17 telecom day and handset launches carry multipliers;
a yearly trend; and day-level multiplicative lognormal noise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hallplan.forecast.calendars import ChinaCalendar
from hallplan.forecast.ticket_log import records_to_ticket_log
from hallplan.sim.demand import Demand, demand_from_profile
from hallplan.sim.kpi import customers_frame
from hallplan.sim.replicate import run_day_records
from hallplan.sim.scenario import Scenario, SpecialDay
from hallplan.sim.staffing import Staffing


@dataclass(frozen=True)
class HistoryEffects:
    """Multipliers on the profile's expected daily volume (assumptions, see module doc)."""

    pre_holiday: float = 1.15
    post_holiday: float = 1.20
    spring_festival_eve: float = 1.35
    makeup_day: float = 0.95
    telecom_day: float = 1.25
    telecom_day_services: dict[str, float] = field(
        default_factory=lambda: {"plan_change": 1.8, "new_account": 1.5}
    )
    launch_day: float = 1.05
    launch_services: dict[str, float] = field(default_factory=lambda: {"handset_sales": 3.0})
    launch_days_after: int = 2  # the launch effect lasts this many more days, halving
    trend_per_year: float = 0.05
    noise_sd: float = 0.08  # sd of log day-level noise
    trend_origin: dt.date = dt.date(2025, 1, 1)


def day_multipliers(
    dates: list[dt.date], effects: HistoryEffects, calendar: ChinaCalendar, seed: int
) -> pd.DataFrame:
    """Per date: day type and the volume / service multipliers the generator applies."""
    feats = calendar.frame(dates).set_index("date")
    launches = sorted(calendar.launch_dates)
    rows = []
    for d in dates:
        f = feats.loc[d]
        mult = 1.0
        svc: dict[str, float] = {}
        label = []
        if f["pre_holiday"]:
            nxt = calendar.holiday_name(d + dt.timedelta(days=1)) or ""
            is_sf = "Spring" in nxt
            mult *= effects.spring_festival_eve if is_sf else effects.pre_holiday
            label.append("spring_festival_eve" if is_sf else "pre_holiday")
        if f["post_holiday"]:
            mult *= effects.post_holiday
            label.append("post_holiday")
        if f["makeup_day"]:
            mult *= effects.makeup_day
            label.append("makeup_day")
        if f["event_telecom_day"]:
            mult *= effects.telecom_day
            svc.update(effects.telecom_day_services)
            label.append("telecom_day")
        for ld in launches:
            lag = (d - ld).days
            if 0 <= lag <= effects.launch_days_after:
                w = 0.5**lag
                mult *= 1 + (effects.launch_day - 1) * w
                for k, v in effects.launch_services.items():
                    svc[k] = svc.get(k, 1.0) * (1 + (v - 1) * w)
                label.append(f"launch+{lag}")
        years = (d - effects.trend_origin).days / 365.25
        trend = (1 + effects.trend_per_year) ** years
        rng = np.random.default_rng([seed, d.toordinal(), 7])
        noise = float(np.exp(rng.normal(0.0, effects.noise_sd) - effects.noise_sd**2 / 2))
        rows.append(
            {
                "date": d,
                "day_type": calendar.day_type(d),
                "event_multiplier": mult,
                "trend": trend,
                "noise": noise,
                "volume_multiplier": mult * trend * noise,
                "service_multipliers": svc,
                "label": "+".join(label),
            }
        )
    return pd.DataFrame(rows)


def history_demand(
    scenario: Scenario,
    dates: list[dt.date],
    effects: HistoryEffects | None = None,
    seed: int = 0,
    calendar: ChinaCalendar | None = None,
) -> tuple[Demand, pd.DataFrame]:
    """The per-date Demand the generator simulates, and the per-date multipliers."""
    effects = effects or HistoryEffects()
    calendar = calendar or ChinaCalendar()
    mult = day_multipliers(dates, effects, calendar, seed)
    specials = [
        SpecialDay(
            date=r.date,
            label=r.label,
            day_type=r.day_type,
            volume_multiplier=max(r.volume_multiplier, 1e-6),
            service_multipliers=r.service_multipliers,
        )
        for r in mult.itertuples()
    ]
    tables = []
    # chunk by month: demand_from_profile scans the special-day list for every date
    for _, grp in mult.groupby([d.strftime("%Y-%m") for d in mult["date"]], sort=True):
        month_dates = list(grp["date"])
        keep = set(month_dates)
        sc = scenario.model_copy(
            update={
                "demand": scenario.demand.model_copy(
                    update={"special_days": [s for s in specials if s.date in keep]}
                )
            }
        )
        tables.append(demand_from_profile(sc, month_dates).table)
    demand = Demand(scenario.interval_min, pd.concat(tables, ignore_index=True), source="generator")
    t = demand.table
    expected = (t["rate_per_hour"] * scenario.interval_min / 60.0).groupby(t["date"]).sum()
    mult["expected_visits"] = expected.reindex(mult["date"]).to_numpy()
    return demand, mult


def _engine_fingerprint() -> str:
    """Hash of the simulator's source, so a cached history is rebuilt when the engine
    changes."""
    import hallplan.sim as sim
    h = hashlib.sha256()
    for f in sorted(Path(sim.__file__).parent.glob("*.py")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    h.update(Path(__file__).read_bytes())
    h.update((Path(__file__).parent / "ticket_log.py").read_bytes())
    return h.hexdigest()


def _cache_key(scenario: Scenario, start, end, effects, seed, hall_id) -> str:
    payload = json.dumps(
        [
            scenario.model_dump(mode="json"),
            str(start),
            str(end),
            asdict(effects),
            seed,
            hall_id,
            _engine_fingerprint(),
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _history_month(task, progress=None) -> pd.DataFrame:
    """The ticket log of one month's dates (a process-pool task of :func:`generate_history`);
    ``progress(days done)`` after each day."""
    scenario, month_dates, effects, seed, hall_id, staffing = task
    demand, _ = history_demand(scenario, month_dates, effects, seed)
    frames = []
    for i, d in enumerate(month_dates, start=1):
        rec = run_day_records(scenario, demand.day(d), staffing.day(d), seed, (d.toordinal(), 0))
        frames.append(records_to_ticket_log(customers_frame(rec.customers), hall_id, d))
        if progress:
            progress(i)
    return pd.concat(frames, ignore_index=True)


def generate_history(
    scenario: Scenario,
    start: dt.date,
    end: dt.date,
    *,
    seed: int = 0,
    effects: HistoryEffects | None = None,
    hall_id: str | None = None,
    staffing: Staffing | None = None,
    cache_dir: str | Path | None = None,
    progress=None,
    workers: int = 1,
) -> pd.DataFrame:
    """Ticket-log rows (``docs/ticket_log.md``) for every date in [start, end].

    One simulated day per date (one replication, random streams keyed by the date, so any
    sub-range reproduces the same days). ``cache_dir`` keeps the result as Parquet keyed by a
    hash of the scenario, range, effects, seed and simulator source.
    ``progress(done, total)`` is optional. ``workers > 1`` simulates the months side by
    side in a process pool (the same rows: each day's streams depend on its date only;
    progress then counts whole months)."""
    effects = effects or HistoryEffects()
    hall_id = hall_id or scenario.hall.id
    cache_file = None
    if cache_dir is not None and staffing is None:
        key = _cache_key(scenario, start, end, effects, seed, hall_id)
        cache_file = Path(cache_dir) / f"history_{hall_id}_{start}_{end}_{key}.parquet"
        if cache_file.exists():
            return pd.read_parquet(cache_file)
    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    staffing = staffing or Staffing.from_scenario(scenario)
    # month by month: Demand.day() filters its whole table, so keep each table small
    months = [[d for d in dates if (d.year, d.month) == ym]
              for ym in sorted({(d.year, d.month) for d in dates})]
    tasks = [(scenario, m, effects, seed, hall_id, staffing) for m in months]
    frames: list[pd.DataFrame] = []
    done = 0
    if workers > 1 and len(tasks) > 1:
        from hallplan.sim.interrupt import pool_map

        results = pool_map(_history_month, tasks, min(workers, len(tasks)))
        for m, frame in zip(months, results, strict=True):
            frames.append(frame)
            done += len(m)
            if progress:
                progress(done, len(dates))
    else:
        for m, task in zip(months, tasks, strict=True):
            def day_done(i: int, before: int = done) -> None:
                progress(before + i, len(dates))

            frames.append(_history_month(task, day_done if progress else None))
            done += len(m)
    log = pd.concat(frames, ignore_index=True)
    if cache_file is not None:
        from hallplan.forecast._io import atomic_write

        atomic_write(cache_file, lambda p: log.to_parquet(p, index=False))
    return log


def generate_history_file(
    scenario: Scenario,
    start: dt.date,
    end: dt.date,
    path: str | Path,
    *,
    seed: int = 0,
    effects: HistoryEffects | None = None,
    cache_dir: str | Path | None = None,
    progress=None,
    workers: int = 1,
) -> Path:
    """Write a simulated ticket log (CSV or Parquet by suffix) ready for
    ``import_ticket_log`` (e.g. ``hallplan history import``); ``progress(done, total)`` counts
    the simulated days."""
    from hallplan.forecast.ticket_log import write_ticket_log

    log = generate_history(scenario, start, end, seed=seed, effects=effects, cache_dir=cache_dir,
                           progress=progress, workers=workers)
    return write_ticket_log(log, path)


__all__ = [
    "HistoryEffects",
    "day_multipliers",
    "generate_history",
    "generate_history_file",
    "history_demand",
]

"""Replications: ``simulate(scenario, demand, staffing, reps, seed)``.

Replication ``r`` of date ``d`` is the pure function ``run_day(scenario, demand.day(d),
staffing.day(d), seed, key=(d.toordinal(), r))``; its random streams are addressed by that
key (:mod:`hallplan.sim.streams`), so results are identical whatever the number of workers or the
executor, and results are ordered by (date, replication), never by completion order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field

import pandas as pd

from hallplan.sim.arrivals import DayCustomers, generate_customers
from hallplan.sim.demand import DayDemand, Demand, demand_from_profile
from hallplan.sim.errors import Problem, ScenarioError
from hallplan.sim.hall import HallModel, ListRecorder
from hallplan.sim.interrupt import pool_map
from hallplan.sim.kpi import (
    customers_frame,
    day_kpis,
    escalations_frame,
    interval_group_kpis,
    interval_lane_kpis,
    post_interval_utilisation,
    staff_frame,
    summarise,
)
from hallplan.sim.scenario import Scenario, format_clock
from hallplan.sim.staffing import DayStaffing, Staffing, serving_staffing

INTERVAL_METRICS = (
    "tickets",
    "served",
    "abandoned",
    "balked",
    "mean_wait_min",
    "p90_wait_min",
    "max_wait_min",
    "share_called_within_target",
    "abandon_share",
    "queue_len_mean",
    "queue_len_max",
    "utilisation",
    "staff_on_duty_mean",
    "cared",
    "escalations",
)


@dataclass(frozen=True)
class DayRun:
    """Records and KPIs of one replication of one day."""

    date: dt.date
    rep: int
    customers: pd.DataFrame
    staff: pd.DataFrame
    escalations: pd.DataFrame
    interval_kpis: pd.DataFrame
    day_kpis: pd.DataFrame


def run_day_records(
    scenario: Scenario, day: DayDemand, staffing: DayStaffing, seed: int, key: tuple[int, ...]
) -> ListRecorder:
    """Simulate one day and return the raw records (no KPIs). ``staffing`` is the rostered
    staff; the counters serve with ``scenario.staff.availability`` of it
    (:func:`~hallplan.sim.staffing.serving_staffing`)."""
    return run_customers_records(scenario, generate_customers(scenario, day, seed, key), staffing)


def run_customers_records(
    scenario: Scenario, customers: DayCustomers, staffing: DayStaffing
) -> ListRecorder:
    """Simulate one day of the given customers (generated, or replayed from a ticket log by
    :func:`~hallplan.sim.arrivals.replay_customers`) with the rostered ``staffing``."""
    serving = serving_staffing(
        staffing, scenario.staff.availability, scenario.interval_min, list(scenario.lanes)
    )
    return HallModel(scenario, customers, serving, ListRecorder()).run()


def run_day(
    scenario: Scenario,
    day: DayDemand,
    staffing: DayStaffing,
    seed: int,
    rep: int,
    keep_customers: bool = True,
) -> DayRun:
    key = (day.date.toordinal(), rep)
    rec = run_day_records(scenario, day, staffing, seed, key)
    cust = customers_frame(rec.customers)
    staff = staff_frame(rec.staff_spans)
    esc = escalations_frame(rec.escalations)
    ik = interval_lane_kpis(cust, staff, esc, scenario)
    dk = day_kpis(cust, staff, scenario)
    if not keep_customers:
        cust = cust.iloc[0:0]
    return DayRun(day.date, rep, cust, staff, esc, ik, dk)


def _run_task(args) -> DayRun:
    return run_day(*args)


def check_staffing(scenario: Scenario, staffing: DayStaffing, date: dt.date) -> None:
    """Staff on duty at a post may never exceed its physical counters/posts."""
    problems = []
    for post, seats in staffing.seats.items():
        if post not in scenario.posts:
            problems.append(
                Problem("<staffing>", post, f"a post of the hall ({scenario.posts})", repr(post))
            )
            continue
        cap = scenario.physical_capacity(post)
        points = sorted({a for seat in seats for a, _ in seat})
        for t in points:
            n = staffing.count_at(post, t)
            if n > cap:
                problems.append(
                    Problem(
                        "<staffing>",
                        f"{date} {format_clock(t)} {post}",
                        f"at most {cap} on duty (physical counters/posts)",
                        str(n),
                    )
                )
                break
    if problems:
        raise ScenarioError(problems)


@dataclass(frozen=True)
class Results:
    """Per-customer records and KPIs of every replication, with summaries across them."""

    scenario: Scenario = field(repr=False)
    seed: int
    reps: int
    dates: tuple[dt.date, ...]
    customers: pd.DataFrame = field(repr=False)
    staff: pd.DataFrame = field(repr=False)
    escalations: pd.DataFrame = field(repr=False)
    interval_kpis: pd.DataFrame = field(repr=False)  # per rep, date, interval, lane
    day_kpis: pd.DataFrame = field(repr=False)  # per rep, date, group_kind, group, metric

    def interval_summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Mean and CI over replications per (date, interval, lane, metric)."""
        long = self.interval_kpis.melt(
            id_vars=["date", "rep", "interval_start_min", "lane"],
            value_vars=list(INTERVAL_METRICS),
            var_name="metric",
        )
        return summarise(
            long, ["date", "interval_start_min", "lane", "metric"], confidence=confidence
        )

    def day_summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Mean and CI over replications per (date, group_kind, group, metric)."""
        return summarise(
            self.day_kpis, ["date", "group_kind", "group", "metric"], confidence=confidence
        )

    def _per_run(self, fn) -> pd.DataFrame:
        if self.customers.empty:
            raise ValueError("per-customer records were not kept (keep_customers=False)")
        frames = []
        for (date, rep), c in self.customers.groupby(["date", "rep"], sort=True):
            s = self.staff[(self.staff["date"] == date) & (self.staff["rep"] == rep)]
            frames.append(fn(c, s).assign(date=date, rep=rep))
        return pd.concat(frames, ignore_index=True)

    def interval_kpis_by(self, by: str) -> pd.DataFrame:
        """Interval waiting KPIs per ``customer_class`` or ``service_type`` and replication."""
        return self._per_run(lambda c, _s: interval_group_kpis(c, self.scenario, by))

    def post_utilisation_by_interval(self) -> pd.DataFrame:
        """Utilisation per (interval, post) incl. greeters and kiosks, per replication."""
        return self._per_run(lambda c, s: post_interval_utilisation(c, s, self.scenario))

    def hall_metric(self, metric: str, date: dt.date | None = None) -> pd.Series:
        """One hall-level day metric per replication (for quick checks and tests)."""
        d = self.day_kpis
        m = (d["group_kind"] == "hall") & (d["metric"] == metric)
        if date is not None:
            m &= d["date"] == date
        return d[m].set_index(["date", "rep"])["value"]


def simulate(
    scenario: Scenario,
    demand: Demand | None = None,
    staffing: Staffing | None = None,
    reps: int = 10,
    seed: int = 0,
    *,
    dates: Iterable[dt.date] | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    keep_customers: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Results:
    """Simulate ``reps`` replications of each date.

    ``demand`` defaults to the scenario's own demand profile for ``dates``; ``staffing`` to
    the scenario's ``default_staffing``. ``workers > 1`` uses a local process pool (or pass
    any ``concurrent.futures`` executor). ``progress(done, total)`` is called as
    replications finish (the engine itself never prints).
    """
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    if demand is None:
        if dates is None:
            raise ValueError("give dates (to use the scenario's demand profile) or a Demand")
        demand = demand_from_profile(scenario, list(dates))
    date_list = sorted(dates) if dates is not None else demand.dates
    tasks = []
    for d in date_list:
        scen_d = scenario.for_date(d)  # a special day's own opening hours
        day_staff = (
            staffing.day(d) if staffing is not None else Staffing.from_scenario(scen_d).day(d)
        )
        check_staffing(scen_d, day_staff, d)
        day = demand.day(d)
        tasks.extend((scen_d, day, day_staff, seed, r, keep_customers) for r in range(reps))

    runs: list[DayRun] = []
    total = len(tasks)
    if executor is None and workers > 1:
        # the workers ignore Ctrl-C; on an interrupt the pool is stopped at once instead of
        # finishing every queued replication first (hallplan.sim.interrupt)
        for run in pool_map(_run_task, tasks, workers, chunksize=max(1, total // (4 * workers))):
            runs.append(run)
            if progress:
                progress(len(runs), total)
    elif executor is not None:
        for run in executor.map(_run_task, tasks):
            runs.append(run)
            if progress:
                progress(len(runs), total)
    else:
        for t in tasks:
            runs.append(_run_task(t))
            if progress:
                progress(len(runs), total)

    def stack(attr: str) -> pd.DataFrame:
        frames = [getattr(r, attr).assign(date=r.date, rep=r.rep) for r in runs]
        frames = [f for f in frames if len(f)] or [getattr(runs[0], attr).assign(date=None, rep=0)]
        return pd.concat(frames, ignore_index=True)

    return Results(
        scenario=scenario,
        seed=seed,
        reps=reps,
        dates=tuple(date_list),
        customers=stack("customers"),
        staff=stack("staff"),
        escalations=stack("escalations"),
        interval_kpis=stack("interval_kpis"),
        day_kpis=stack("day_kpis"),
    )

"""Customers of one simulated day: arrival times and every random draw they will need.

Arrivals per (service type, customer class) are a non-homogeneous Poisson process with a
piecewise-constant rate. Generation is exact: in each interval the count is Poisson(λ·len)
and, given the count, the times are i.i.d. uniform on the interval (the order-statistics
property of the Poisson process; e.g. Ross, *Simulation*, §5.5).

All per-customer randomness is drawn here, up front, from named streams
(:mod:`hallplan.sim.streams`)
and turned into durations by inverse transform, so the engine itself draws nothing and a
what-if that adds a counter sees exactly the same customers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hallplan.sim.care import fifteen_minute_care
from hallplan.sim.demand import DayDemand
from hallplan.sim.scenario import Scenario
from hallplan.sim.streams import named_stream


@dataclass(frozen=True, slots=True)
class DayCustomers:
    """Columns, one entry per customer, sorted by arrival time."""

    arrival_min: np.ndarray
    service_type: np.ndarray  # index into type_names
    customer_class: np.ndarray  # index into class_names
    counter_time_min: np.ndarray
    kiosk_time_min: np.ndarray  # nan where the type cannot use a kiosk
    redirect_time_min: np.ndarray
    triage_time_min: np.ndarray
    patience_min: np.ndarray  # effective (after 15-minute care); inf = never gives up
    u_accept: np.ndarray  # accepts the greeter's kiosk suggestion
    u_self: np.ndarray  # goes to a kiosk on their own
    u_misroute: np.ndarray
    u_kiosk_fail: np.ndarray
    u_balk: np.ndarray
    type_names: tuple[str, ...]
    class_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.arrival_min)


def nhpp_piecewise(
    rng: np.random.Generator,
    starts_min: np.ndarray,
    ends_min: np.ndarray,
    rates_per_min: np.ndarray,
) -> np.ndarray:
    """Exact arrival times of a Poisson process with rate ``rates_per_min[i]`` on
    ``[starts_min[i], ends_min[i])``, sorted."""
    lengths = ends_min - starts_min
    counts = rng.poisson(np.maximum(rates_per_min, 0.0) * lengths)
    total = int(counts.sum())
    if total == 0:
        return np.empty(0)
    times = np.repeat(starts_min, counts) + rng.random(total) * np.repeat(lengths, counts)
    return np.sort(times)


def generate_customers(
    scenario: Scenario, day: DayDemand, seed: int, key: tuple[int, ...]
) -> DayCustomers:
    """Draw one day's customers for replication ``key`` of a run seeded ``seed``.

    Tickets stop at closing (minus any cut-off): arrival intervals are clipped there.
    """
    type_names = tuple(scenario.service_types)
    class_names = tuple(scenario.customer_classes)
    cutoff = scenario.hours.close - scenario.closing.ticket_cutoff_min_before_close
    starts = np.asarray(day.interval_starts_min, dtype=float)
    ends = np.minimum(starts + day.interval_min, cutoff)
    starts_c = np.maximum(starts, scenario.hours.open)
    valid = ends > starts_c

    parts: dict[str, list[np.ndarray]] = {k: [] for k in _COLUMNS}
    for (stype, cls), rates in sorted(day.rates_per_min.items()):
        if stype not in scenario.service_types or cls not in scenario.customer_classes:
            raise KeyError(f"demand names unknown service type/class {stype!r}/{cls!r}")
        r = np.where(valid, rates, 0.0)
        t = nhpp_piecewise(named_stream(seed, key, f"arrivals/{stype}/{cls}"), starts_c, ends, r)
        _draw_customers(parts, scenario, stype, cls, t, seed, key)
    return _day_customers(parts, type_names, class_names)


def replay_customers(
    scenario: Scenario,
    arrival_min: np.ndarray,
    service_type: np.ndarray,
    customer_class: np.ndarray,
    seed: int,
    key: tuple[int, ...],
) -> DayCustomers:
    """One day's customers at their *observed* ticket times (trace-driven replay of a ticket
    log), with every other draw — service, patience, misrouting, kiosk failure — random from
    the same named streams as :func:`generate_customers`.

    The replayed customers are counter tickets that were taken: none balks and none goes to
    a self-service terminal (``u_balk``, ``u_accept`` and ``u_self`` are set to 1, which no
    share exceeds). Replaying the arrivals themselves, rather than re-drawing Poisson
    arrivals around each interval's count, keeps the day's own bunching and removes the
    second helping of arrival noise that lengthens simulated queues.
    """
    t_all = np.asarray(arrival_min, dtype=float)
    st_all = np.asarray(service_type).astype(str)
    cl_all = np.asarray(customer_class).astype(str)
    if not (len(t_all) == len(st_all) == len(cl_all)):
        raise ValueError("arrival_min, service_type and customer_class differ in length")
    type_names = tuple(scenario.service_types)
    class_names = tuple(scenario.customer_classes)
    parts: dict[str, list[np.ndarray]] = {k: [] for k in _COLUMNS}
    for stype, cls in sorted(set(zip(st_all, cl_all, strict=True))):
        if stype not in scenario.service_types or cls not in scenario.customer_classes:
            raise KeyError(f"trace names unknown service type/class {stype!r}/{cls!r}")
        t = np.sort(t_all[(st_all == stype) & (cl_all == cls)])
        _draw_customers(parts, scenario, stype, cls, t, seed, key)
    for col in ("u_accept", "u_self", "u_balk"):
        parts[col] = [np.ones_like(u) for u in parts[col]]
    return _day_customers(parts, type_names, class_names)


def _draw_customers(
    parts: dict[str, list[np.ndarray]],
    scenario: Scenario,
    stype: str,
    cls: str,
    t: np.ndarray,
    seed: int,
    key: tuple[int, ...],
) -> None:
    """Every per-customer draw of the customers of one (service type, class) arriving at
    ``t``, appended to ``parts``; each source of randomness has its own named stream."""
    n = len(t)
    if n == 0:
        return
    tag = f"{stype}/{cls}"
    type_names = tuple(scenario.service_types)
    class_names = tuple(scenario.customer_classes)
    st = scenario.service_types[stype]
    cc = scenario.customer_classes[cls]
    svc = named_stream(seed, key, f"service/{tag}").random((n, 3))
    counter_t = st.counter_time.from_uniform(svc[:, 0])
    kiosk_t = st.kiosk_time.from_uniform(svc[:, 1]) if st.kiosk_time else np.full(n, np.nan)
    redirect_t = scenario.triage.redirect_time.from_uniform(svc[:, 2])
    tri = named_stream(seed, key, f"triage/{tag}").random((n, 4))
    triage_t = scenario.triage.handling_time.from_uniform(tri[:, 0])
    if cc.patience is None:
        patience = np.full(n, np.inf)
    else:
        raw = cc.patience_from_uniform(named_stream(seed, key, f"patience/{tag}").random(n))
        patience = np.array([fifteen_minute_care(p, scenario.waiting_care) for p in raw])
    parts["arrival_min"].append(t)
    parts["service_type"].append(np.full(n, type_names.index(stype)))
    parts["customer_class"].append(np.full(n, class_names.index(cls)))
    parts["counter_time_min"].append(counter_t)
    parts["kiosk_time_min"].append(kiosk_t)
    parts["redirect_time_min"].append(redirect_t)
    parts["triage_time_min"].append(triage_t)
    parts["patience_min"].append(patience)
    parts["u_accept"].append(tri[:, 1])
    parts["u_self"].append(tri[:, 2])
    parts["u_misroute"].append(tri[:, 3])
    parts["u_kiosk_fail"].append(named_stream(seed, key, f"kiosk_failure/{tag}").random(n))
    parts["u_balk"].append(named_stream(seed, key, f"balking/{tag}").random(n))


def _day_customers(
    parts: dict[str, list[np.ndarray]], type_names: tuple[str, ...], class_names: tuple[str, ...]
) -> DayCustomers:
    if not parts["arrival_min"]:
        cols = {k: np.empty(0, dtype=int if k in _INT_COLUMNS else float) for k in _COLUMNS}
    else:
        cols = {k: np.concatenate(v) for k, v in parts.items()}
        order = np.argsort(cols["arrival_min"], kind="stable")
        cols = {k: v[order] for k, v in cols.items()}
    return DayCustomers(**cols, type_names=type_names, class_names=class_names)


_COLUMNS = (
    "arrival_min",
    "service_type",
    "customer_class",
    "counter_time_min",
    "kiosk_time_min",
    "redirect_time_min",
    "triage_time_min",
    "patience_min",
    "u_accept",
    "u_self",
    "u_misroute",
    "u_kiosk_fail",
    "u_balk",
)
_INT_COLUMNS = {"service_type", "customer_class"}

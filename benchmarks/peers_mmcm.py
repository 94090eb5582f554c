"""Peer implementations of a plain M/M/c+M queue (Erlang A) for speed benchmarks.

The model: ``servers`` identical servers, Poisson arrivals at ``arrival_rate_per_min``,
exponential service with mean ``mean_service_min``, exponential patience with mean
``mean_patience_min`` (a waiting customer reneges when their patience runs out; a customer
whose service has started never leaves early), one FIFO queue.

Arrivals stop at ``horizon_min``; every run then continues until the system is empty, so
each arrival ends up either served or abandoned. ``mean_wait_min`` is the mean time in
queue over *all* arrivals (for an abandoning customer this is their patience).

Three peers with the same signature, each returning a :class:`PeerResult`:

* :func:`run_ciw` -- the model expressed in Ciw (3.2.x);
* :func:`run_simpy_naive` -- idiomatic SimPy, one process per customer;
* :func:`run_heap_lower_bound` -- a framework-free recursion over a heap of server free
  times; exact for FIFO M/M/c+M and the fastest thing one can reasonably write in Python.

``python benchmarks/peers_mmcm.py`` times all three (best of 3) and prints their
throughput next to the exact Erlang-A values.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass

import ciw
import numpy as np
import simpy

__all__ = [
    "PeerResult",
    "erlang_a_exact",
    "run_ciw",
    "run_heap_lower_bound",
    "run_simpy_naive",
]


@dataclass(frozen=True)
class PeerResult:
    """Outcome of one peer run.

    customers: arrivals within the horizon (all processed to completion).
    served / abandoned: how those customers left (served + abandoned == customers).
    mean_wait_min: mean time in queue over all arrivals, served or abandoned.
    """

    customers: int
    served: int
    abandoned: int
    mean_wait_min: float

    @classmethod
    def of(cls, customers: int, served: int, abandoned: int, wait_sum_min: float) -> PeerResult:
        """From the counts and the total time in queue (the mean is NaN with no arrivals)."""
        mean = wait_sum_min / customers if customers else math.nan
        return cls(customers, served, abandoned, mean)

    @property
    def abandon_share(self) -> float:
        return self.abandoned / self.customers if self.customers else math.nan


def _check_args(
    arrival_rate_per_min: float,
    mean_service_min: float,
    servers: int,
    mean_patience_min: float,
    horizon_min: float,
) -> None:
    if arrival_rate_per_min <= 0 or mean_service_min <= 0 or mean_patience_min <= 0:
        raise ValueError("rates and means must be positive")
    if servers < 1:
        raise ValueError("servers must be >= 1")
    if horizon_min <= 0:
        raise ValueError("horizon_min must be positive")


# --------------------------------------------------------------------------------------
# 1. Ciw
# --------------------------------------------------------------------------------------

# Ciw has no "stop arrivals at time T" option, and its event loop cannot run dry: when
# every node's next event date is +inf, ``Simulation.find_next_active_node`` indexes an
# empty list (IndexError). So the arrival stream below never returns +inf. Instead, the
# first inter-arrival time that would cross the horizon is replaced by a huge *finite*
# gap (_CIW_NEVER), and the run is ``simulate_until_max_time(_CIW_DRAIN_UNTIL)`` with
# _CIW_DRAIN_UNTIL far below that sentinel arrival date: all services and reneges of the
# customers already present are processed, then the next event is the sentinel arrival,
# whose date is >= the max time, so the loop stops without processing it.
_CIW_DRAIN_UNTIL = 1e15
_CIW_NEVER = 1e18


class _ExponentialUntil(ciw.dists.Exponential):
    """Exponential inter-arrival times that stop at ``horizon``.

    Ciw calls ``sample(t=current_time)`` right after each arrival (and once at t=0), and
    adds the sample to that arrival's date, so ``t + x`` is the next arrival date.
    Draws come from Ciw's own stream (``random.expovariate``, seeded by ``ciw.seed``).
    """

    def __init__(self, rate: float, horizon: float) -> None:
        super().__init__(rate)
        self.horizon = horizon

    def sample(self, t=None, ind=None):
        x = super().sample(t=t, ind=ind)
        if t + x >= self.horizon:
            return _CIW_NEVER
        return x


def run_ciw(
    arrival_rate_per_min: float,
    mean_service_min: float,
    servers: int,
    mean_patience_min: float,
    horizon_min: float,
    seed: int,
) -> PeerResult:
    """M/M/c+M in Ciw: one node, FIFO (Ciw's default), exponential reneging to exit."""
    _check_args(arrival_rate_per_min, mean_service_min, servers, mean_patience_min, horizon_min)
    network = ciw.create_network(
        arrival_distributions=[_ExponentialUntil(arrival_rate_per_min, horizon_min)],
        service_distributions=[ciw.dists.Exponential(1.0 / mean_service_min)],
        number_of_servers=[servers],
        reneging_time_distributions=[ciw.dists.Exponential(1.0 / mean_patience_min)],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(_CIW_DRAIN_UNTIL)

    node = sim.transitive_nodes[0]
    if node.number_of_individuals != 0:  # pragma: no cover - would mean the drain failed
        raise RuntimeError(f"ciw run did not drain: {node.number_of_individuals} left")
    customers = sim.nodes[0].number_of_individuals  # arrivals generated (sentinel excluded)
    served = abandoned = 0
    wait_sum = 0.0
    # Default `only=` covers "service", "renege" (plus baulk/rejection/interruption, which
    # cannot occur here); a reneging record's waiting_time is exit_date - arrival_date.
    for rec in sim.get_all_records():
        if rec.record_type == "service":
            served += 1
        elif rec.record_type == "renege":
            abandoned += 1
        else:  # pragma: no cover
            raise RuntimeError(f"unexpected ciw record type {rec.record_type!r}")
        wait_sum += rec.waiting_time
    if served + abandoned != customers:  # pragma: no cover
        raise RuntimeError(f"ciw records ({served}+{abandoned}) != arrivals ({customers})")
    return PeerResult.of(customers, served, abandoned, wait_sum)


# --------------------------------------------------------------------------------------
# 2. Idiomatic SimPy
# --------------------------------------------------------------------------------------


def run_simpy_naive(
    arrival_rate_per_min: float,
    mean_service_min: float,
    servers: int,
    mean_patience_min: float,
    horizon_min: float,
    seed: int,
) -> PeerResult:
    """Textbook SimPy: a Resource, one process per customer, ``req | timeout(patience)``.

    Deliberately naive: every variate is a scalar ``Generator.exponential`` call made
    where the model needs it, as a typical SimPy model would do.
    """
    _check_args(arrival_rate_per_min, mean_service_min, servers, mean_patience_min, horizon_min)
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    mean_iat = 1.0 / arrival_rate_per_min
    stats = {"customers": 0, "served": 0, "abandoned": 0, "wait": 0.0}

    def customer(env: simpy.Environment, patience: float):
        arrived = env.now
        with desk.request() as req:
            result = yield req | env.timeout(patience)
            stats["wait"] += env.now - arrived
            if req in result:
                stats["served"] += 1
                yield env.timeout(rng.exponential(mean_service_min))
            else:
                stats["abandoned"] += 1

    def source(env: simpy.Environment):
        while True:
            yield env.timeout(rng.exponential(mean_iat))
            if env.now >= horizon_min:
                return
            stats["customers"] += 1
            env.process(customer(env, rng.exponential(mean_patience_min)))

    env.process(source(env))
    env.run()  # no `until`: runs until the event queue is empty, i.e. the system drained
    n = stats["customers"]
    return PeerResult.of(n, stats["served"], stats["abandoned"], stats["wait"])


# --------------------------------------------------------------------------------------
# 3. Framework-free lower bound
# --------------------------------------------------------------------------------------


def _poisson_arrival_times(rng: np.random.Generator, rate: float, horizon: float) -> np.ndarray:
    """Arrival epochs of a rate-``rate`` Poisson process on [0, horizon)."""
    mean_n = rate * horizon
    chunk = int(mean_n + 8.0 * math.sqrt(mean_n) + 16)
    times = np.cumsum(rng.exponential(1.0 / rate, chunk))
    while times[-1] < horizon:  # practically never taken
        more = times[-1] + np.cumsum(rng.exponential(1.0 / rate, chunk))
        times = np.concatenate((times, more))
    return times[: np.searchsorted(times, horizon, side="left")]


def run_heap_lower_bound(
    arrival_rate_per_min: float,
    mean_service_min: float,
    servers: int,
    mean_patience_min: float,
    horizon_min: float,
    seed: int,
) -> PeerResult:
    """Exact FIFO M/M/c+M by recursion over a min-heap of server free times.

    Under FIFO a customer's fate is settled when it would reach the head of the queue:
    it could start at ``max(arrival, earliest server free time)``; if that wait exceeds
    its patience it reneges (consuming no server capacity, so later customers are
    unaffected), otherwise it takes that server. Customers that abandon earlier in the
    line never delay later ones, so one pass in arrival order is exact.
    """
    _check_args(arrival_rate_per_min, mean_service_min, servers, mean_patience_min, horizon_min)
    rng = np.random.default_rng(seed)
    arrivals = _poisson_arrival_times(rng, arrival_rate_per_min, horizon_min)
    n = len(arrivals)
    services = rng.exponential(mean_service_min, n)
    patience = rng.exponential(mean_patience_min, n)

    free = [0.0] * servers  # a list of equal values is already a valid heap
    heapreplace = heapq.heapreplace
    abandoned = 0
    wait_sum = 0.0
    for a, s, p in zip(arrivals.tolist(), services.tolist(), patience.tolist(), strict=True):
        f = free[0]
        if f <= a:  # a server is idle on arrival: no wait
            heapreplace(free, a + s)
        else:
            w = f - a
            if w > p:
                abandoned += 1
                wait_sum += p
            else:
                wait_sum += w
                heapreplace(free, f + s)
    return PeerResult.of(n, n - abandoned, abandoned, wait_sum)


# --------------------------------------------------------------------------------------
# Exact Erlang-A reference (steady state), for side-by-side printing
# --------------------------------------------------------------------------------------


def erlang_a_exact(
    arrival_rate_per_min: float,
    mean_service_min: float,
    servers: int,
    mean_patience_min: float,
) -> tuple[float, float]:
    """Steady-state (abandonment share, mean wait over all arrivals) of M/M/c+M, from the
    project's Erlang A (:func:`hallplan.optimize.queueing.erlang_a_metrics`)."""
    from hallplan.optimize.queueing import erlang_a_metrics

    m = erlang_a_metrics(servers, arrival_rate_per_min, mean_service_min, mean_patience_min)
    return m.p_abandon, m.mean_wait_min


# --------------------------------------------------------------------------------------
# Benchmark
# --------------------------------------------------------------------------------------

PEERS = {
    "ciw": run_ciw,
    "simpy_naive": run_simpy_naive,
    "heap_lower_bound": run_heap_lower_bound,
}


def _main() -> None:
    params = {
        "arrival_rate_per_min": 9.0,
        "mean_service_min": 1.0,
        "servers": 10,
        "mean_patience_min": 5.0,
        "horizon_min": 20000.0,
    }
    repeats = 3
    seed = 12345
    exact_ab, exact_w = erlang_a_exact(
        params["arrival_rate_per_min"],
        params["mean_service_min"],
        params["servers"],
        params["mean_patience_min"],
    )
    print(
        "M/M/c+M  c={servers}  lambda={arrival_rate_per_min}/min  E[S]={mean_service_min} min"
        "  E[patience]={mean_patience_min} min  horizon={horizon_min:g} min".format(**params)
    )
    print(f"best of {repeats} wall-clock runs (time.perf_counter)\n")
    header = (
        f"{'peer':<18}{'customers':>10}{'best s':>10}{'cust/s':>12}{'x ciw':>9}"
        f"{'abandon %':>11}{'mean wait':>11}"
    )
    print(header)
    print("-" * len(header))
    rows = []
    for name, fn in PEERS.items():
        best = math.inf
        res = None
        for _ in range(repeats):  # same seed each time: identical, deterministic workload
            t0 = time.perf_counter()
            res = fn(**params, seed=seed)
            best = min(best, time.perf_counter() - t0)
        rows.append((name, res, best))
    ciw_rate = rows[0][1].customers / rows[0][2]
    for name, res, best in rows:
        rate = res.customers / best
        print(
            f"{name:<18}{res.customers:>10d}{best:>10.3f}{rate:>12,.0f}{rate / ciw_rate:>9.1f}"
            f"{100 * res.abandon_share:>10.2f}%{res.mean_wait_min:>11.4f}"
        )
    print(
        f"{'Erlang A (exact)':<18}{'':>10}{'':>10}{'':>12}{'':>9}"
        f"{100 * exact_ab:>10.2f}%{exact_w:>11.4f}"
    )
    print(f"\nall peers seed={seed}; the Erlang-A row is the exact steady state")


if __name__ == "__main__":
    _main()

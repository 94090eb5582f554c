"""Erlang C: the M/M/c delay system (Poisson arrivals, exponential service, c servers,
infinite patience, FCFS).

Why: the reference model for a counter lane whose customers never give up; it is the
θ → 0 limit of Erlang A and the basis of the priority formulas.

Formulas (R. B. Cooper, "Introduction to Queueing Theory", 2nd ed. (1981), §3.4; also
Gross & Harris, "Fundamentals of Queueing Theory", §2.3), with a = λ/μ (Erlangs) and
ρ = a/c < 1:

* C(c, a) = P(wait > 0) = B / (1 − ρ (1 − B)), B = Erlang B(c, a);
* P(W > t) = C · exp(−(cμ − λ) t);
* E[W] = C / (cμ − λ).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hallplan.optimize.queueing._validate import (
    check_nonnegative,
    check_positive,
    check_servers,
    check_time,
)
from hallplan.optimize.queueing.erlang_b import erlang_b


def _check_stable(servers: int, offered_load: float) -> None:
    if offered_load >= servers:
        raise ValueError(
            f"unstable M/M/c: offered_load = {offered_load:g} Erlangs ≥ servers = {servers}; "
            "Erlang C needs offered_load < servers (use Erlang A for overload with abandonment)"
        )


def erlang_c(servers: int, offered_load: float) -> float:
    """P(wait > 0) for M/M/c with ``servers`` = c and ``offered_load`` a = λ·E[S] (Erlangs).

    Computed from Erlang B as C = B / (1 − ρ(1 − B)), stable for any c (no factorials).
    Raises ``ValueError`` if a ≥ c (no steady state).
    """
    c = check_servers(servers)
    a = check_nonnegative(offered_load, "offered_load")
    _check_stable(c, a)
    if a == 0.0:
        return 0.0
    b = erlang_b(c, a)
    rho = a / c
    return min(1.0, b / (1.0 - rho * (1.0 - b)))


@dataclass(frozen=True)
class ErlangCResult:
    """Steady-state M/M/c metrics (time unit: minutes).

    ``p_wait`` = P(an arrival waits > 0) (Erlang C), ``mean_wait_min`` = E[time in queue]
    over all arrivals, ``mean_queue_length`` = E[number waiting] (Little: λ·E[W]),
    ``utilisation`` = mean busy servers / c = a / c.
    """

    servers: int
    arrival_rate_per_min: float
    mean_service_min: float
    p_wait: float
    mean_wait_min: float
    mean_queue_length: float
    utilisation: float

    @property
    def offered_load(self) -> float:
        """a = λ·E[S] in Erlangs."""
        return self.arrival_rate_per_min * self.mean_service_min

    def p_wait_gt(self, t_min: float) -> float:
        """P(W > t) = C·exp(−(cμ − λ)t): share of arrivals waiting longer than ``t_min``."""
        t = check_time(t_min)
        if self.p_wait == 0.0 or math.isinf(t):
            return 0.0
        decay_per_min = self.servers / self.mean_service_min - self.arrival_rate_per_min
        return self.p_wait * math.exp(-decay_per_min * t)

    def service_level(self, t_min: float) -> float:
        """P(W ≤ t) = 1 − P(W > t): share of arrivals called within ``t_min`` minutes."""
        return 1.0 - self.p_wait_gt(t_min)


def erlang_c_metrics(
    servers: int, arrival_rate_per_min: float, mean_service_min: float
) -> ErlangCResult:
    """M/M/c metrics for ``servers`` counters, Poisson arrivals at ``arrival_rate_per_min``
    and exponential service with mean ``mean_service_min``.

    Raises ``ValueError`` when the offered load λ·E[S] ≥ servers (unstable).
    """
    c = check_servers(servers)
    lam = check_nonnegative(arrival_rate_per_min, "arrival_rate_per_min")
    es = check_positive(mean_service_min, "mean_service_min")
    a = lam * es
    p_wait = erlang_c(c, a)
    mean_wait = p_wait * es / (c - a)  # C / (cμ − λ)
    return ErlangCResult(
        servers=c,
        arrival_rate_per_min=lam,
        mean_service_min=es,
        p_wait=p_wait,
        mean_wait_min=mean_wait,
        mean_queue_length=lam * mean_wait,
        utilisation=a / c,
    )

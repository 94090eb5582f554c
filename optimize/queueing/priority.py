"""Non-preemptive priority M/M/c with a common service rate (e.g. VIP before regular).

Why: halls serve priority classes first without interrupting a service in progress; the
per-class mean waits show what the priority rule costs the lower classes.

Cobham's formula (A. Cobham (1954), "Priority assignment in waiting line problems",
Operations Research 2(1), 70–76; see Gross & Harris, "Fundamentals of Queueing Theory",
§3.4, and Kella & Yechiali (1985), "Waiting times in the non-preemptive priority M/M/c
queue", Stochastic Models 1(2), 257–262). Classes k = 0, 1, …, K−1 (0 = highest priority),
Poisson arrivals λ_k, all served exponentially with mean 1/μ by c servers:

    W_k = C(c, a) / (cμ · (1 − σ_{k−1}) · (1 − σ_k)),   σ_k = Σ_{i≤k} λ_i / (cμ), σ_{−1} = 0,

with a = Σ λ_k / μ and C the Erlang C probability. Because service times do not depend on
the class, the work-conservation law makes the λ-weighted mean of W_k equal the FCFS
Erlang C mean wait C/(cμ − λ).
"""

from __future__ import annotations

from collections.abc import Sequence

from hallplan.optimize.queueing._validate import check_nonnegative, check_positive, check_servers
from hallplan.optimize.queueing.erlang_c import erlang_c


def _check_rates(arrival_rates_per_min: Sequence[float]) -> list[float]:
    if isinstance(arrival_rates_per_min, str | bytes) or len(arrival_rates_per_min) == 0:
        raise ValueError("arrival_rates_per_min must be a non-empty sequence of rates ≥ 0")
    return [
        check_nonnegative(r, f"arrival_rates_per_min[{i}]")
        for i, r in enumerate(arrival_rates_per_min)
    ]


def priority_mmc_mean_waits(
    servers: int, arrival_rates_per_min: Sequence[float], mean_service_min: float
) -> tuple[float, ...]:
    """Mean time in queue (minutes) of each class, class 0 first (highest priority).

    ``arrival_rates_per_min[k]`` is class k's Poisson arrival rate; all classes share the
    exponential service time of mean ``mean_service_min``. Raises ``ValueError`` if the
    total offered load is ≥ ``servers``.
    """
    c = check_servers(servers)
    rates = _check_rates(arrival_rates_per_min)
    es = check_positive(mean_service_min, "mean_service_min")
    total = sum(rates)
    p_wait = erlang_c(c, total * es)  # raises if unstable
    cmu = c / es
    waits = []
    sigma_prev = 0.0
    cumulative = 0.0
    for rate in rates:
        cumulative += rate
        sigma = cumulative / cmu
        waits.append(p_wait / (cmu * (1.0 - sigma_prev) * (1.0 - sigma)))
        sigma_prev = sigma
    return tuple(waits)


def priority_mmc_overall_mean_wait(
    servers: int, arrival_rates_per_min: Sequence[float], mean_service_min: float
) -> float:
    """Arrival-weighted mean time in queue over all classes (minutes): Σ λ_k W_k / Σ λ_k.

    By the conservation law this equals the FCFS Erlang C mean wait for the pooled
    arrivals; 0.0 when there are no arrivals.
    """
    waits = priority_mmc_mean_waits(servers, arrival_rates_per_min, mean_service_min)
    rates = [float(r) for r in arrival_rates_per_min]
    total = sum(rates)
    if total == 0.0:
        return 0.0
    return sum(r * w for r, w in zip(rates, waits, strict=True)) / total

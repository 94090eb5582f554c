"""Smallest number of counters that meets a waiting-time target (time unit: minutes).

Why: the rostering step needs, per interval, the minimum staff that keeps the queue within
the hall's service targets; these functions invert the exact queueing formulas.

Each target is monotone in the number of servers c (more counters never make waiting
worse), so the search starts at a lower bound that the target cannot beat — the stability
bound ⌊a⌋ + 1 for Erlang C, the throughput bounds c ≥ a·(1 − max_p_abandon) and
c ≥ a·min_share for Erlang A — then doubles its step until the target is met and bisects
back: O(log c) formula evaluations. A demand of zero needs 0 servers. ``max_servers`` caps
the search; a target not met by then raises ``ValueError``.

Sources: Erlang C — Cooper, "Introduction to Queueing Theory" (1981); Erlang A — Garnett,
Mandelbaum & Reiman (2002), M&SOM 4(3), 208–227; see the modules ``erlang_c``/``erlang_a``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from hallplan.optimize.queueing._validate import (
    check_nonnegative,
    check_positive,
    check_servers,
    check_share,
    check_time,
)
from hallplan.optimize.queueing.erlang_a import erlang_a_metrics
from hallplan.optimize.queueing.erlang_c import erlang_c, erlang_c_metrics

DEFAULT_MAX_SERVERS = 100_000


def _smallest(meets: Callable[[int], bool], lo: int, max_servers: int, what: str) -> int:
    """Smallest c ≥ lo with meets(c), for meets monotone (False … False True … True)."""
    if lo > max_servers:
        raise ValueError(f"{what}: needs more than max_servers = {max_servers} servers")
    if meets(lo):
        return lo
    bad, step = lo, 1
    while True:
        hi = min(bad + step, max_servers)
        if meets(hi):
            break
        if hi == max_servers:
            raise ValueError(f"{what}: not met with max_servers = {max_servers} servers")
        bad, step = hi, 2 * step
    while hi - bad > 1:
        mid = (bad + hi) // 2
        if meets(mid):
            hi = mid
        else:
            bad = mid
    return hi


def _erlang_c_inputs(
    arrival_rate_per_min: float, mean_service_min: float, max_servers: int
) -> tuple[float, float, int]:
    lam = check_nonnegative(arrival_rate_per_min, "arrival_rate_per_min")
    es = check_positive(mean_service_min, "mean_service_min")
    cap = check_servers(max_servers, "max_servers")
    return lam, es, cap


def min_servers_for_p_wait(
    arrival_rate_per_min: float,
    mean_service_min: float,
    max_p_wait: float,
    *,
    max_servers: int = DEFAULT_MAX_SERVERS,
) -> int:
    """Smallest c with Erlang C P(wait > 0) ≤ ``max_p_wait`` (in (0, 1])."""
    lam, es, cap = _erlang_c_inputs(arrival_rate_per_min, mean_service_min, max_servers)
    target = check_share(max_p_wait, "max_p_wait", low_open=True, high_open=False)
    if lam == 0.0:
        return 0
    a = lam * es
    return _smallest(
        lambda c: erlang_c(c, a) <= target, math.floor(a) + 1, cap, f"P(wait) ≤ {target:g}"
    )


def min_servers_for_service_level(
    arrival_rate_per_min: float,
    mean_service_min: float,
    target_wait_min: float,
    min_share: float,
    *,
    max_servers: int = DEFAULT_MAX_SERVERS,
) -> int:
    """Smallest c with Erlang C service level P(W ≤ ``target_wait_min``) ≥ ``min_share``
    (share in [0, 1); e.g. 80 % called within 10 minutes)."""
    lam, es, cap = _erlang_c_inputs(arrival_rate_per_min, mean_service_min, max_servers)
    t = check_time(target_wait_min, "target_wait_min")
    share = check_share(min_share, "min_share", low_open=False, high_open=True)
    if lam == 0.0:
        return 0

    def meets(c: int) -> bool:
        return erlang_c_metrics(c, lam, es).service_level(t) >= share

    return _smallest(meets, math.floor(lam * es) + 1, cap, f"P(W ≤ {t:g} min) ≥ {share:g}")


def min_servers_for_mean_wait(
    arrival_rate_per_min: float,
    mean_service_min: float,
    max_mean_wait_min: float,
    *,
    max_servers: int = DEFAULT_MAX_SERVERS,
) -> int:
    """Smallest c with Erlang C mean time in queue E[W] ≤ ``max_mean_wait_min`` (> 0)."""
    lam, es, cap = _erlang_c_inputs(arrival_rate_per_min, mean_service_min, max_servers)
    target = check_positive(max_mean_wait_min, "max_mean_wait_min", allow_inf=True)
    if lam == 0.0:
        return 0

    def meets(c: int) -> bool:
        return erlang_c_metrics(c, lam, es).mean_wait_min <= target

    return _smallest(meets, math.floor(lam * es) + 1, cap, f"E[W] ≤ {target:g} min")


def min_servers_erlang_a(
    arrival_rate_per_min: float,
    mean_service_min: float,
    mean_patience_min: float,
    target_wait_min: float | None = None,
    min_share_served_within: float | None = None,
    max_p_abandon: float | None = None,
    *,
    max_servers: int = DEFAULT_MAX_SERVERS,
) -> int:
    """Smallest c meeting every given Erlang A target:

    * service level — ``p_served_within(target_wait_min) ≥ min_share_served_within``
      (share of ALL arrivals called within the target; give both or neither);
    * abandonment — ``p_abandon ≤ max_p_abandon``.

    At least one target is required. ``mean_patience_min`` may be ``math.inf`` (Erlang C).
    """
    lam = check_nonnegative(arrival_rate_per_min, "arrival_rate_per_min")
    es = check_positive(mean_service_min, "mean_service_min")
    patience = check_positive(mean_patience_min, "mean_patience_min", allow_inf=True)
    cap = check_servers(max_servers, "max_servers")
    if (target_wait_min is None) != (min_share_served_within is None):
        raise ValueError("target_wait_min and min_share_served_within must be given together")
    if target_wait_min is None and max_p_abandon is None:
        raise ValueError(
            "give at least one target: target_wait_min with min_share_served_within, "
            "or max_p_abandon"
        )
    t = share = p_ab = None
    if target_wait_min is not None:
        t = check_time(target_wait_min, "target_wait_min")
        share = check_share(
            min_share_served_within, "min_share_served_within", low_open=False, high_open=True
        )
    if max_p_abandon is not None:
        p_ab = check_share(max_p_abandon, "max_p_abandon", low_open=False, high_open=False)
    if lam == 0.0:
        return 0
    a = lam * es

    # Throughput bounds: served share 1 − P(Ab) = busy/a ≤ c/a, and P(served within t) ≤ that.
    bound = 0.0
    if p_ab is not None:
        bound = max(bound, a * (1.0 - p_ab))
    if share is not None:
        bound = max(bound, a * share)
    lo = max(1, math.floor(bound))
    if math.isinf(patience):
        lo = max(lo, math.floor(a) + 1)

    def meets(c: int) -> bool:
        m = erlang_a_metrics(c, lam, es, patience)
        if p_ab is not None and m.p_abandon > p_ab:
            return False
        return t is None or m.p_served_within(t) >= share

    parts = []
    if t is not None:
        parts.append(f"P(called within {t:g} min) ≥ {share:g}")
    if p_ab is not None:
        parts.append(f"P(abandon) ≤ {p_ab:g}")
    return _smallest(meets, lo, cap, " and ".join(parts))

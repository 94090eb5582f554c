"""Erlang B: the blocking probability of the M/M/c/c loss system.

Erlang B is the building block of the delay formulas (Erlang C, Erlang A): for those it is
the probability that all ``c`` servers are busy in the truncated chain on {0, …, c}.

Source: A. K. Erlang (1917); the recursion is the standard one, see R. B. Cooper,
"Introduction to Queueing Theory", 2nd ed. (1981), §3.3.
"""

from __future__ import annotations

import math

from hallplan.optimize.queueing._validate import check_nonnegative, check_servers


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability B(c, a) of M/M/c/c with ``c = servers`` and ``a = λ·E[S]``
    (offered load in Erlangs, dimensionless).

    Uses the numerically stable recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)), which
    never overflows (every iterate lies in [0, 1]); cost O(c). For a ≪ c the result may
    underflow to 0.0; use :func:`log_erlang_b` when the logarithm is needed.
    """
    c = check_servers(servers)
    a = check_nonnegative(offered_load, "offered_load")
    b = 1.0
    for k in range(1, c + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


def log_erlang_b(servers: int, offered_load: float) -> float:
    """Natural logarithm of B(c, a), accurate even where B underflows (a ≪ c).

    Runs the same recursion on L(k) = log(1/B(k)) = log(1 + (k/a)·exp(L(k−1))), evaluated
    as a log-add-exp, so no intermediate overflows or underflows. ``offered_load`` must be
    > 0 (log B(c, 0) = −∞ for c ≥ 1).
    """
    c = check_servers(servers)
    a = check_nonnegative(offered_load, "offered_load")
    if a == 0.0:
        return -math.inf
    log_a = math.log(a)
    inv = 0.0  # L(0) = log(1/B(0)) = 0
    for k in range(1, c + 1):
        z = math.log(k) - log_a + inv
        inv = z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z))
    return -inv

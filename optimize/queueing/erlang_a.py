"""Erlang A (Palm's M/M/c+M): the M/M/c queue with exponentially impatient customers.

Why: in a service hall people give up and leave; unlike Erlang C the model stays stable in
overload, and it prices the trade-off between staffing, waiting and abandonment. This is the
model recommended for staffing by Garnett, Mandelbaum & Reiman (2002), "Designing a call
center with impatient customers", Manufacturing & Service Operations Management 4(3),
208–227.

Model (time unit: minutes). Poisson arrivals at rate λ, c servers with exponential service
of mean 1/μ, FCFS, each waiting customer abandons after an exponential patience of mean
1/θ. The number in system is a birth–death chain with birth rate λ and death rate
min(n, c)·μ + max(n − c, 0)·θ, so with a = λ/μ, x = cμ/θ, y = λ/θ:

    π_c+j = π_c · w_j,   w_j = Π_{k=1..j} λ / (cμ + kθ) = Π_{k=1..j} y / (x + k).

Mandelbaum & Zeltyn (2007), "Service engineering in action: the Palm/Erlang-A queue, with
applications to call centers", in *Advances in Services Innovations*, Springer, 17–45, write
all Erlang-A quantities through their function

    A(x, y) = x·e^y·y^(−x)·γ(x, y) = Σ_{j≥0} w_j     (γ = lower incomplete gamma),

giving π_c = B / (1 + (A − 1)·B) with B = Erlang B(c, a), P(wait) = π_c·A and
E[queue] = π_c·Σ_j j·w_j = π_c·(x + (y − x)·A). The offered (virtual) wait V of an
infinitely patient arrival has, for v > 0, density

    f_V(v) = π_c·cμ·exp(−cμ·v + y·(1 − e^(−θv)))

(the exponential-patience case of the M/M/n+G density in Zeltyn & Mandelbaum (2005), "Call
centers with impatient customers: many-server asymptotics of the M/M/n+G queue", Queueing
Systems 51, 361–402). Integrating it with the substitution u = y·e^(−θv) gives the closed
forms used here (ε = e^(−θt)):

    P(V > t)                 = π_c · exp(−cμt + y(1 − ε)) · A(x, yε),
    P(t < V ≤ patience)      = π_c · cμ/(cμ + θ) · exp(−(cμ + θ)t + y(1 − ε)) · A(x + 1, yε).

Equivalently P(V > t) = Σ_j π_c+j · P(Hypo(cμ + jθ, …, cμ + θ, cμ) > t): an arrival with j
customers ahead needs j + 1 departures from the front of the queue. The tests check every
formula against an independent generator-matrix / matrix-exponential computation.

Numerics: everything is done in log space. A(x, y) is summed as the (truncated) series of
log w_j, streamed in chunks and stopped when a geometric bound on the remaining tail is below
e^(−40) ≈ 4e−18 of the sum; when the series would need more than ~260 000 terms (very long
patience with very large loads) the incomplete-gamma closed form is used instead
(``scipy.special.gammainc`` with a Stirling-series prefactor), and if that underflows a longer
series (up to ~16.8 million terms). In that long-patience, near-critical regime E[queue] is
x + (y − x)·A, which loses about log10(x / E[queue]) digits to cancellation. Infinite
patience (``mean_patience_min = math.inf``) is Erlang C exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import gammainc, gammaln

from hallplan.optimize.queueing._validate import (
    check_nonnegative,
    check_positive,
    check_servers,
    check_time,
)
from hallplan.optimize.queueing.erlang_b import log_erlang_b
from hallplan.optimize.queueing.erlang_c import erlang_c_metrics

_TAIL_LOG_MARGIN = 40.0  # stop the series when the tail bound is < e^-40 of the sum
_MAX_SERIES_TERMS = 2**18  # beyond this, try the incomplete-gamma form first
_LAST_RESORT_SERIES_TERMS = 2**24
_FIRST_CHUNK = 1024
_MAX_CHUNK = 2**17


def _logsumexp(a: np.ndarray) -> float:
    """log Σ exp(a) for a finite, non-empty array (shift by the maximum, so no overflow).

    Not ``scipy.special.logsumexp``: since SciPy 1.15 its array-API dispatch costs ~0.15 ms
    a call, and the series makes two calls per chunk — measured on the flagship's month
    requirement: 65,360 calls, 20 of the 27 s the lag requirement took."""
    m = float(a.max())
    return m + math.log(float(np.exp(a - m).sum()))


def _log_a_series(
    x: float, y: float, max_terms: int = _MAX_SERIES_TERMS
) -> tuple[float, float] | None:
    """(log A(x, y), log Σ_j j·w_j) by direct summation, or None if the series is too long.

    Terms w_j = Π_{k≤j} y/(x + k) rise while x + j < y and fall geometrically after; the
    ratio y/(x + j) decreases in j, so once it is r < 1 the remaining tail is at most
    w_J·r/(1 − r) (and Σ j·w_j's tail at most w_J·(J·r/(1 − r) + r/(1 − r)²)).
    """
    if y == 0.0:
        return 0.0, -math.inf
    if y - x > max_terms:
        return None
    log_y = math.log(y)
    log_sum = 0.0  # w_0 = 1
    log_sum_j = -math.inf
    last = 0.0  # log w_{j0 − 1}
    j0 = 1
    chunk = _FIRST_CHUNK
    while j0 <= max_terms:
        js = np.arange(j0, j0 + chunk, dtype=float)
        log_w = last + np.cumsum(log_y - np.log(x + js))
        log_sum = float(np.logaddexp(log_sum, _logsumexp(log_w)))
        log_sum_j = float(np.logaddexp(log_sum_j, _logsumexp(log_w + np.log(js))))
        last = float(log_w[-1])
        j_last = j0 + chunk - 1
        log_r = log_y - math.log(x + j_last + 1)
        if log_r < 0.0:
            log_one_minus_r = math.log(-math.expm1(log_r))
            tail = last + log_r - log_one_minus_r
            tail_j = last + log_r - log_one_minus_r + math.log(j_last + 1.0 / -math.expm1(log_r))
            if tail < log_sum - _TAIL_LOG_MARGIN and tail_j < log_sum_j - _TAIL_LOG_MARGIN:
                return log_sum, log_sum_j
        j0 += chunk
        chunk = min(2 * chunk, _MAX_CHUNK)
    return None


def _stirling_tail(x: float) -> float:
    """log Γ(x + 1) − [(x + ½)·log x − x + ½·log 2π] for x ≥ 100 (error < 1e−17)."""
    x2 = x * x
    return (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / (1260.0 * x2)) / x2) / x


def _log_a_gamma(x: float, y: float) -> tuple[float, float] | None:
    """(log A(x, y), log(x + (y − x)·A)) via A = x·e^y·y^(−x)·γ(x, y) = e^y·y^(−x)·Γ(x+1)·P(x, y).

    P is the regularised lower incomplete gamma function. For x ≥ 100 the prefactor is
    written as ½·log(2πx) + stirling(x) + x·(d − log1p(d)), d = (y − x)/x, which avoids the
    cancellation between terms of size x·log x. Returns None if P underflows or the
    second quantity cancels to nothing (both only far outside the range this is used in).
    """
    p = float(gammainc(x, y))
    if not p > 0.0:
        return None
    if x >= 100.0:
        d = (y - x) / x
        prefactor = 0.5 * math.log(2.0 * math.pi * x) + _stirling_tail(x) + x * (d - math.log1p(d))
    else:
        prefactor = float(gammaln(x + 1.0)) + y - x * math.log(y)
    log_a = prefactor + math.log(p)
    if y > x:
        log_d = float(np.logaddexp(math.log(x), math.log(y - x) + log_a))
    elif y == x:
        log_d = math.log(x)
    else:
        u = math.log(x - y) + log_a - math.log(x)  # log((x − y)·A / x) < 0
        if not u < 0.0:
            return None
        log_d = math.log(x) + math.log(-math.expm1(u))
    return log_a, log_d


def _log_a(x: float, y: float) -> tuple[float, float]:
    """(log A(x, y), log Σ_j j·w_j) for x > 0, y ≥ 0: series first, incomplete gamma if long."""
    out = _log_a_series(x, y)
    if out is None:
        out = _log_a_gamma(x, y)
    if out is None:  # gammainc underflowed: x huge, y a little below x; the series is long
        out = _log_a_series(x, y, _LAST_RESORT_SERIES_TERMS)
    if out is None:  # pragma: no cover - only for patience ≳ 1e12 service times
        raise ValueError(f"Erlang A: cannot evaluate A(x={x:g}, y={y:g}) accurately")
    return out


@dataclass(frozen=True)
class ErlangAResult:
    """Steady-state M/M/c+M (Erlang A) metrics; time unit minutes.

    * ``p_wait`` — P(an arrival finds all c servers busy), i.e. has to queue at all;
    * ``p_abandon`` — P(an arrival abandons) = θ·E[queue]/λ;
    * ``mean_wait_min`` — E[time in queue] over ALL arrivals, served or abandoned
      (= E[queue]/λ by Little; hence mean_wait_min = p_abandon·mean_patience_min);
    * ``mean_queue_length`` — E[number waiting];
    * ``utilisation`` — mean busy servers / c = a·(1 − p_abandon)/c.

    Methods give the waiting-time distribution; see the module docstring for formulas.
    """

    servers: int
    arrival_rate_per_min: float
    mean_service_min: float
    mean_patience_min: float
    p_wait: float
    p_abandon: float
    mean_wait_min: float
    mean_queue_length: float
    utilisation: float
    _log_p_c: float = field(default=-math.inf, repr=False, compare=False)

    @property
    def offered_load(self) -> float:
        """a = λ·E[S] in Erlangs."""
        return self.arrival_rate_per_min * self.mean_service_min

    @property
    def abandon_rate_per_min(self) -> float:
        """θ = 1 / mean_patience_min (0 for infinite patience)."""
        return 0.0 if math.isinf(self.mean_patience_min) else 1.0 / self.mean_patience_min

    def _rates(self) -> tuple[float, float, float]:
        return (
            self.servers / self.mean_service_min,
            self.arrival_rate_per_min,
            self.abandon_rate_per_min,
        )

    def p_virtual_wait_gt(self, t_min: float) -> float:
        """P(V > t): share of arrivals whose offered wait exceeds ``t_min`` minutes, where V is
        the time an arrival would wait if it were infinitely patient.

        = π_c·exp(−cμt + y(1 − e^(−θt)))·A(x, y·e^(−θt)); Erlang C's C·e^(−(cμ−λ)t) if θ = 0.
        """
        t = check_time(t_min)
        if self.p_wait == 0.0 or math.isinf(t):
            return 0.0
        if t == 0.0:
            return self.p_wait
        cmu, lam, theta = self._rates()
        if theta == 0.0:
            return self.p_wait * math.exp(-(cmu - lam) * t)
        y = lam / theta
        log_a_t, _ = _log_a(cmu / theta, y * math.exp(-theta * t))
        log_v = self._log_p_c - cmu * t - y * math.expm1(-theta * t) + log_a_t
        return min(math.exp(log_v), self.p_wait)

    def p_queue_time_gt(self, t_min: float) -> float:
        """P(min(V, patience) > t) = e^(−θt)·P(V > t): share of arrivals still in the queue
        ``t_min`` minutes after arriving (whether they are later served or abandon)."""
        t = check_time(t_min)
        if math.isinf(t):
            return 0.0
        return math.exp(-self.abandon_rate_per_min * t) * self.p_virtual_wait_gt(t)

    def p_served_within(self, t_min: float) -> float:
        """P(V ≤ t and V ≤ patience): share of ALL arrivals called to a counter within
        ``t_min`` minutes (immediate service included, abandoners count as failures).

        Closed form: (1 − p_abandon) − P(t < V ≤ patience), the latter being
        π_c·cμ/(cμ + θ)·exp(−(cμ + θ)t + y(1 − e^(−θt)))·A(x + 1, y·e^(−θt)), the integral of
        f_V(v)·e^(−θv) over (t, ∞).
        """
        t = check_time(t_min)
        if self.p_wait == 0.0:
            return 1.0
        if math.isinf(t):
            return 1.0 - self.p_abandon
        cmu, lam, theta = self._rates()
        if theta == 0.0:
            return 1.0 - self.p_wait * math.exp(-(cmu - lam) * t)
        y = lam / theta
        log_a1_t, _ = _log_a(cmu / theta + 1.0, y * math.exp(-theta * t))
        log_late = (
            self._log_p_c
            + math.log(cmu / (cmu + theta))
            - (cmu + theta) * t
            - y * math.expm1(-theta * t)
            + log_a1_t
        )
        return min(1.0, max(0.0, 1.0 - self.p_abandon - math.exp(log_late)))


def erlang_a_metrics(
    servers: int,
    arrival_rate_per_min: float,
    mean_service_min: float,
    mean_patience_min: float,
) -> ErlangAResult:
    """Exact steady-state Erlang A metrics for ``servers`` counters, Poisson arrivals at
    ``arrival_rate_per_min``, exponential service of mean ``mean_service_min`` and
    exponential patience of mean ``mean_patience_min`` (``math.inf``: nobody abandons,
    which is Erlang C and then requires λ·E[S] < servers).

    Any load is allowed for finite patience (abandonment keeps the queue stable). Stable in
    log space for hundreds of servers and loads well beyond the number of servers.
    """
    c = check_servers(servers)
    lam = check_nonnegative(arrival_rate_per_min, "arrival_rate_per_min")
    es = check_positive(mean_service_min, "mean_service_min")
    patience = check_positive(mean_patience_min, "mean_patience_min", allow_inf=True)
    a = lam * es

    if math.isinf(patience):
        ec = erlang_c_metrics(c, lam, es)
        log_p_c = (
            math.log(ec.p_wait) + math.log1p(-a / c) if ec.p_wait > 0.0 else -math.inf
        )  # π_c = C·(1 − ρ)
        return ErlangAResult(
            servers=c,
            arrival_rate_per_min=lam,
            mean_service_min=es,
            mean_patience_min=patience,
            p_wait=ec.p_wait,
            p_abandon=0.0,
            mean_wait_min=ec.mean_wait_min,
            mean_queue_length=ec.mean_queue_length,
            utilisation=ec.utilisation,
            _log_p_c=log_p_c,
        )
    if lam == 0.0:
        return ErlangAResult(c, lam, es, patience, 0.0, 0.0, 0.0, 0.0, 0.0, -math.inf)

    theta = 1.0 / patience
    x = c / es / theta  # cμ/θ
    y = lam / theta  # λ/θ
    log_a, log_sum_j = _log_a(x, y)
    log_b = log_erlang_b(c, a)
    log_inv_b_minus_1 = math.log(-math.expm1(log_b)) - log_b  # log(1/B − 1)
    log_p_c = -float(np.logaddexp(log_inv_b_minus_1, log_a))  # π_c = 1/(1/B − 1 + A)
    p_wait = min(1.0, math.exp(log_p_c + log_a))
    mean_queue = math.exp(log_p_c + log_sum_j)
    p_abandon = min(1.0, theta * mean_queue / lam)
    return ErlangAResult(
        servers=c,
        arrival_rate_per_min=lam,
        mean_service_min=es,
        mean_patience_min=patience,
        p_wait=p_wait,
        p_abandon=p_abandon,
        mean_wait_min=mean_queue / lam,
        mean_queue_length=mean_queue,
        utilisation=min(1.0, a * (1.0 - p_abandon) / c),
        _log_p_c=log_p_c,
    )

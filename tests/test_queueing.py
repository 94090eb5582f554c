"""Specification of the exact queueing analytics in ``hallplan.optimize.queueing``.

Every formula is checked against an independent oracle written here from first principles:
the stationary distribution of the truncated birth–death chain (solving πQ = 0 with numpy
linear algebra on the generator matrix) and, for waiting-time distributions, the matrix
exponential (scipy's ``expm_multiply``, the action of expm on a vector) of the pure-death
chain a tagged arrival sees in front of it. None of this shares code with the production
path (log-space series / incomplete gamma).
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.linalg import expm_multiply, spsolve

from hallplan.optimize.queueing import (
    ErlangAResult,
    ErlangCResult,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    log_erlang_b,
    min_servers_erlang_a,
    min_servers_for_mean_wait,
    min_servers_for_p_wait,
    min_servers_for_service_level,
    priority_mmc_mean_waits,
    priority_mmc_overall_mean_wait,
)
from hallplan.optimize.queueing.erlang_a import _log_a_gamma, _log_a_series

REL = 1e-8
ABS = 1e-12
INF = math.inf


def close(actual: float, expected: float, rel: float = REL, abs_: float = ABS) -> bool:
    return math.isclose(actual, expected, rel_tol=rel, abs_tol=abs_)


# --------------------------------------------------------------------------------------
# Independent oracle: truncated birth–death chain + matrix exponential
# --------------------------------------------------------------------------------------


class ChainOracle:
    """M/M/c+M (θ = 0 gives M/M/c) solved as a finite CTMC on {0, …, c + K}."""

    def __init__(self, c: int, lam: float, es: float, patience: float):
        self.c, self.lam = c, lam
        self.mu = 1.0 / es
        self.theta = 0.0 if math.isinf(patience) else 1.0 / patience
        k, log_tail = 0, 0.0  # queue capacity K: until the chain's tail is < e^-45
        while log_tail > -45.0 or k < 10:
            k += 1
            log_tail += math.log(lam / (c * self.mu + k * self.theta))
            log_tail = min(log_tail, 0.0)
        self.k = k
        n_states = c + k + 1
        death = np.array(
            [min(n, c) * self.mu + max(n - c, 0) * self.theta for n in range(n_states)]
        )
        q = sparse.diags(
            [np.full(n_states - 1, lam), death[1:]], [1, -1], shape=(n_states, n_states)
        ).tolil()
        q.setdiag(-np.asarray(q.sum(axis=1)).ravel())
        system = q.T.tolil()
        system[-1, :] = 1.0  # replace one balance equation by Σπ = 1
        rhs = np.zeros(n_states)
        rhs[-1] = 1.0
        self.pi = spsolve(system.tocsc(), rhs)
        self.queue = np.maximum(np.arange(n_states) - c, 0)
        self.busy = np.minimum(np.arange(n_states), c)

    @property
    def p_wait(self) -> float:
        return float(self.pi[self.c :].sum())

    @property
    def mean_queue(self) -> float:
        return float(self.pi @ self.queue)

    @property
    def utilisation(self) -> float:
        return float(self.pi @ self.busy) / self.c

    def _ahead_chain(self, own_abandonment: bool) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Sub-generator of 'j customers ahead' (j = 0..K) for a tagged arrival, plus the
        initial law π_{c+j}. From j the front moves at rate cμ + jθ; with
        ``own_abandonment`` the tagged customer also leaves at rate θ."""
        m = self.k + 1
        rates = self.c * self.mu + np.arange(m) * self.theta
        out = rates + (self.theta if own_abandonment else 0.0)
        g = sparse.diags([-out, rates[1:]], [0, -1], shape=(m, m), format="csr")
        return g, self.pi[self.c :]

    @staticmethod
    def _evolve(g: sparse.csr_matrix, p0: np.ndarray, t: float) -> np.ndarray:
        """p0 · expm(g t) for a row vector p0."""
        return expm_multiply((g * t).T.tocsr(), p0)

    def p_virtual_wait_gt(self, t: float) -> float:
        g, p0 = self._ahead_chain(own_abandonment=False)
        return float(self._evolve(g, p0, t).sum())

    def p_queue_time_gt(self, t: float) -> float:
        g, p0 = self._ahead_chain(own_abandonment=True)
        return float(self._evolve(g, p0, t).sum())

    def p_served_within(self, t: float) -> float:
        g, p0 = self._ahead_chain(own_abandonment=True)
        m = len(p0)
        # + absorbing states 'served' (index m) and 'abandoned' (index m + 1)
        full = sparse.lil_matrix((m + 2, m + 2))
        full[:m, :m] = g
        full[0, m] = self.c * self.mu
        full[np.arange(m), m + 1] = self.theta
        start = np.concatenate([p0, [0.0, 0.0]])
        served_from_queue = float(self._evolve(full.tocsr(), start, t)[m])
        return (1.0 - self.p_wait) + served_from_queue


# (servers, arrival rate /min, mean service min, mean patience min)
ERLANG_A_CASES = [
    (1, 0.7, 1.0, 3.0),
    (5, 5.5, 1.0, 2.5),  # overloaded, abandonment keeps it stable
    (10, 8.0, 1.0, 10.0),
    (10, 10.5, 1.0, 5.0),  # the simulator-validation case
    (3, 6.0, 2.0, 0.5),  # heavy overload, short patience
    (20, 3.0, 4.0, 30.0),
    (200, 210.0, 1.0, 2.0),
]
ERLANG_C_CASES = [(1, 0.5, 1.0), (2, 1.5, 1.0), (10, 8.0, 1.0), (7, 1.2, 5.0), (60, 55.0, 1.0)]
TIMES = [0.0, 0.1, 0.5, 1.0, 3.0]


# --------------------------------------------------------------------------------------
# Erlang B and Erlang C
# --------------------------------------------------------------------------------------


def test_erlang_b_textbook_values():
    assert erlang_b(10, 5.0) == pytest.approx(0.018385, abs=5e-7)
    assert erlang_b(1, 3.0) == pytest.approx(3.0 / 4.0, rel=1e-15)
    assert erlang_b(4, 0.0) == 0.0


def test_log_erlang_b_agrees_with_erlang_b_and_survives_underflow():
    assert log_erlang_b(10, 5.0) == pytest.approx(math.log(erlang_b(10, 5.0)), rel=1e-13)
    # B(500, 1) = (1/500!) / Σ_{n≤500} 1/n! underflows; its log does not
    expected = -math.lgamma(501) - math.log(sum(1.0 / math.factorial(n) for n in range(20)))
    assert log_erlang_b(500, 1.0) == pytest.approx(expected, rel=1e-12)


def test_erlang_c_textbook_values():
    assert erlang_c(10, 8.0) == pytest.approx(0.409180, abs=5e-7)
    assert erlang_c(1, 0.6) == pytest.approx(0.6, rel=1e-14)  # M/M/1: C = ρ
    rho = 0.75
    assert erlang_c(2, 1.5) == pytest.approx(2 * rho**2 / (1 + rho), rel=1e-14)
    assert erlang_c(3, 0.0) == 0.0


@pytest.mark.parametrize(("c", "lam", "es"), ERLANG_C_CASES)
def test_erlang_c_matches_birth_death_oracle(c, lam, es):
    oracle = ChainOracle(c, lam, es, INF)
    m = erlang_c_metrics(c, lam, es)
    assert isinstance(m, ErlangCResult)
    assert close(m.p_wait, oracle.p_wait)
    assert close(m.mean_queue_length, oracle.mean_queue)
    assert close(m.mean_wait_min, oracle.mean_queue / lam)  # Little
    assert close(m.utilisation, oracle.utilisation)
    for t in TIMES:
        assert close(m.p_wait_gt(t), oracle.p_virtual_wait_gt(t))
        assert m.service_level(t) == pytest.approx(1.0 - m.p_wait_gt(t), abs=1e-15)


def test_erlang_c_result_is_frozen():
    m = erlang_c_metrics(3, 2.0, 1.0)
    with pytest.raises(AttributeError):
        m.p_wait = 0.0  # type: ignore[misc]


# --------------------------------------------------------------------------------------
# Erlang A against the oracle
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("c", "lam", "es", "patience"), ERLANG_A_CASES)
def test_erlang_a_steady_state_matches_birth_death_oracle(c, lam, es, patience):
    oracle = ChainOracle(c, lam, es, patience)
    m = erlang_a_metrics(c, lam, es, patience)
    assert isinstance(m, ErlangAResult)
    assert close(m.p_wait, oracle.p_wait)
    assert close(m.mean_queue_length, oracle.mean_queue)
    assert close(m.p_abandon, oracle.theta * oracle.mean_queue / lam)  # rate balance
    assert close(m.mean_wait_min, oracle.mean_queue / lam)  # Little, over all arrivals
    assert close(m.utilisation, oracle.utilisation)


@pytest.mark.parametrize(("c", "lam", "es", "patience"), ERLANG_A_CASES)
def test_erlang_a_waiting_time_distribution_matches_matrix_exponential(c, lam, es, patience):
    oracle = ChainOracle(c, lam, es, patience)
    m = erlang_a_metrics(c, lam, es, patience)
    for t in TIMES:
        assert close(m.p_virtual_wait_gt(t), oracle.p_virtual_wait_gt(t)), t
        assert close(m.p_queue_time_gt(t), oracle.p_queue_time_gt(t)), t
        assert close(m.p_served_within(t), oracle.p_served_within(t)), t


def test_erlang_a_distribution_end_points():
    m = erlang_a_metrics(10, 10.5, 1.0, 5.0)
    assert m.p_virtual_wait_gt(0.0) == m.p_wait
    assert m.p_queue_time_gt(0.0) == m.p_wait
    assert m.p_served_within(0.0) == pytest.approx(1.0 - m.p_wait, abs=1e-14)
    assert m.p_served_within(INF) == pytest.approx(1.0 - m.p_abandon, abs=1e-15)
    assert m.p_served_within(1e4) == pytest.approx(1.0 - m.p_abandon, abs=1e-14)
    assert m.p_virtual_wait_gt(INF) == 0.0
    grid = [0.0, 0.2, 0.5, 1.0, 2.0, 5.0, 20.0]
    v = [m.p_virtual_wait_gt(t) for t in grid]
    q = [m.p_queue_time_gt(t) for t in grid]
    s = [m.p_served_within(t) for t in grid]
    assert all(a > b for a, b in itertools.pairwise(v))
    assert all(a > b for a, b in itertools.pairwise(q))
    assert all(a < b for a, b in itertools.pairwise(s))
    assert all(qq <= vv for qq, vv in zip(q, v, strict=True))


def test_incomplete_gamma_branch_agrees_with_series_branch():
    # A(x, y) = x e^y y^-x γ(x, y) = Σ_j Π_{k≤j} y/(x+k): the two evaluations used for short
    # and long series must agree where both work, under- and overloaded alike
    for x, y in [(1000.0, 1200.0), (1000.0, 900.0), (2.5, 300.0), (150.0, 150.0), (0.5, 3.0)]:
        (a_s, d_s), (a_g, d_g) = _log_a_series(x, y), _log_a_gamma(x, y)
        assert a_s == pytest.approx(a_g, rel=1e-12, abs=1e-12)
        assert d_s == pytest.approx(d_g, rel=1e-10, abs=1e-10)


# --------------------------------------------------------------------------------------
# Identities
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("c", "lam", "es"), ERLANG_C_CASES)
def test_erlang_a_with_infinite_patience_is_erlang_c(c, lam, es):
    a_inf = erlang_a_metrics(c, lam, es, INF)
    ec = erlang_c_metrics(c, lam, es)
    assert a_inf.p_wait == pytest.approx(ec.p_wait, rel=1e-14)
    assert a_inf.mean_wait_min == pytest.approx(ec.mean_wait_min, rel=1e-14)
    assert a_inf.p_abandon == 0.0
    for t in TIMES:
        assert a_inf.p_virtual_wait_gt(t) == pytest.approx(ec.p_wait_gt(t), rel=1e-14)
        assert a_inf.p_queue_time_gt(t) == pytest.approx(ec.p_wait_gt(t), rel=1e-14)
        assert a_inf.p_served_within(t) == pytest.approx(ec.service_level(t), rel=1e-14)


@pytest.mark.parametrize(("c", "lam", "es"), ERLANG_C_CASES)
def test_erlang_a_tends_to_erlang_c_as_patience_grows(c, lam, es):
    # continuity at θ → 0 of the finite-θ code path (not the math.inf shortcut)
    long = erlang_a_metrics(c, lam, es, 1e9)
    ec = erlang_c_metrics(c, lam, es)
    assert long.p_wait == pytest.approx(ec.p_wait, rel=1e-5)
    assert long.mean_wait_min == pytest.approx(ec.mean_wait_min, rel=1e-5)
    assert long.p_virtual_wait_gt(1.0) == pytest.approx(ec.p_wait_gt(1.0), rel=1e-5)
    assert long.p_served_within(1.0) == pytest.approx(ec.service_level(1.0), rel=1e-5)


@pytest.mark.parametrize(("c", "lam", "es", "patience"), ERLANG_A_CASES)
def test_erlang_a_mean_wait_is_abandonment_times_mean_patience(c, lam, es, patience):
    m = erlang_a_metrics(c, lam, es, patience)
    # E[Wq] = P(Ab)/θ: each waiting customer abandons at rate θ
    assert m.mean_wait_min == pytest.approx(m.p_abandon * patience, rel=1e-12)
    # served throughput = μ·E[busy]
    assert m.utilisation * c / es == pytest.approx(lam * (1 - m.p_abandon), rel=1e-12)


@pytest.mark.parametrize(
    ("c", "rates", "es"),
    [(3, [0.8, 1.6], 1.0), (10, [2.0, 6.0], 1.0), (5, [0.5, 1.0, 2.0], 1.2), (2, [0.0, 1.5], 1.0)],
)
def test_priority_conserves_the_erlang_c_mean_wait(c, rates, es):
    waits = priority_mmc_mean_waits(c, rates, es)
    assert len(waits) == len(rates)
    fcfs = erlang_c_metrics(c, sum(rates), es).mean_wait_min
    assert priority_mmc_overall_mean_wait(c, rates, es) == pytest.approx(fcfs, rel=1e-13)
    assert all(hi < lo for hi, lo in itertools.pairwise(waits))  # higher class waits less


def test_priority_cobham_values_and_single_class():
    c, es, lam0, lam1 = 3, 1.0, 0.8, 1.6
    cmu = c / es
    cw = erlang_c(c, (lam0 + lam1) * es)
    s0, s1 = lam0 / cmu, (lam0 + lam1) / cmu
    w0, w1 = priority_mmc_mean_waits(c, [lam0, lam1], es)
    assert w0 == pytest.approx(cw / (cmu * (1 - s0)), rel=1e-14)
    assert w1 == pytest.approx(cw / (cmu * (1 - s0) * (1 - s1)), rel=1e-14)
    (only,) = priority_mmc_mean_waits(4, [3.0], 1.0)
    assert only == pytest.approx(erlang_c_metrics(4, 3.0, 1.0).mean_wait_min, rel=1e-14)
    assert priority_mmc_overall_mean_wait(4, [0.0, 0.0], 1.0) == 0.0


# --------------------------------------------------------------------------------------
# Stability at scale
# --------------------------------------------------------------------------------------


@pytest.fixture
def strict_numerics():
    """Any Python warning or numpy overflow / invalid / divide-by-zero fails the test."""
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        yield


def _is_prob(p: float) -> bool:
    return math.isfinite(p) and 0.0 <= p <= 1.0


@pytest.mark.usefixtures("strict_numerics")
def test_large_systems_give_finite_probabilities():
    assert _is_prob(erlang_b(500, 400.0))
    assert _is_prob(erlang_c(500, 400.0))
    assert 0.0 < erlang_c(500, 499.5) < 1.0
    assert math.isfinite(erlang_c_metrics(500, 499.5, 1.0).mean_wait_min)
    for lam, patience in [(400.0, 5.0), (520.0, 5.0), (520.0, 0.2), (499.0, 1e4), (520.0, 1e5)]:
        m = erlang_a_metrics(500, lam, 1.0, patience)
        for p in (m.p_wait, m.p_abandon, m.utilisation):
            assert _is_prob(p)
        assert math.isfinite(m.mean_wait_min)
        assert math.isfinite(m.mean_queue_length)
        for t in (0.0, 0.5, 2.0, 60.0):
            assert _is_prob(m.p_virtual_wait_gt(t))
            assert _is_prob(m.p_queue_time_gt(t))
            assert _is_prob(m.p_served_within(t))


@pytest.mark.usefixtures("strict_numerics")
def test_large_erlang_a_matches_oracle():
    c, lam, es, patience = 500, 400.0, 1.0, 5.0
    oracle = ChainOracle(c, lam, es, patience)
    m = erlang_a_metrics(c, lam, es, patience)
    assert close(m.p_wait, oracle.p_wait)
    assert close(m.p_abandon, oracle.theta * oracle.mean_queue / lam)
    assert close(m.p_virtual_wait_gt(0.05), oracle.p_virtual_wait_gt(0.05))


@pytest.mark.usefixtures("strict_numerics")
def test_overloaded_erlang_a_at_scale_matches_fluid_limit():
    # far in overload almost everyone finds the counters busy and the abandoned share
    # approaches the excess load (a − c)/a
    m = erlang_a_metrics(500, 520.0, 1.0, 5.0)
    assert m.p_wait > 0.95
    assert m.p_abandon == pytest.approx(20.0 / 520.0, rel=0.05)
    assert m.mean_wait_min == pytest.approx(m.p_abandon * 5.0, rel=1e-12)


# --------------------------------------------------------------------------------------
# Staffing
# --------------------------------------------------------------------------------------


def _c_meets(c, lam, es, check):
    return c > lam * es and check(erlang_c_metrics(c, lam, es))


@pytest.mark.parametrize(
    ("lam", "es", "max_p_wait"), [(8.0, 1.0, 0.2), (400.0, 1.0, 0.05), (0.3, 4.0, 0.5)]
)
def test_min_servers_for_p_wait_is_minimal(lam, es, max_p_wait):
    c = min_servers_for_p_wait(lam, es, max_p_wait)
    ok = lambda n: _c_meets(n, lam, es, lambda m: m.p_wait <= max_p_wait)  # noqa: E731
    assert ok(c)
    assert not ok(c - 1)


@pytest.mark.parametrize(
    ("lam", "es", "t", "share"), [(8.0, 1.0, 0.5, 0.8), (400.0, 1.0, 1 / 3, 0.8), (2, 3, 0, 0.5)]
)
def test_min_servers_for_service_level_is_minimal(lam, es, t, share):
    c = min_servers_for_service_level(lam, es, t, share)
    ok = lambda n: _c_meets(n, lam, es, lambda m: m.service_level(t) >= share)  # noqa: E731
    assert ok(c)
    assert not ok(c - 1)


@pytest.mark.parametrize(("lam", "es", "w"), [(8.0, 1.0, 0.1), (400.0, 1.0, 0.01), (1.0, 2.0, 5)])
def test_min_servers_for_mean_wait_is_minimal(lam, es, w):
    c = min_servers_for_mean_wait(lam, es, w)
    ok = lambda n: _c_meets(n, lam, es, lambda m: m.mean_wait_min <= w)  # noqa: E731
    assert ok(c)
    assert not ok(c - 1)


@pytest.mark.parametrize(
    ("lam", "es", "patience", "targets"),
    [
        (10.5, 1.0, 5.0, {"target_wait_min": 1.0, "min_share_served_within": 0.8}),
        (10.5, 1.0, 5.0, {"max_p_abandon": 0.02}),
        (
            400.0,
            1.0,
            5.0,
            {"target_wait_min": 0.5, "min_share_served_within": 0.8, "max_p_abandon": 0.02},
        ),
        (520.0, 1.0, 2.0, {"max_p_abandon": 0.1}),  # the bound c ≥ a(1 − 0.1) is nearly tight
        (6.0, 1.0, INF, {"target_wait_min": 0.2, "min_share_served_within": 0.9}),
    ],
)
def test_min_servers_erlang_a_is_minimal(lam, es, patience, targets):
    def ok(n: int) -> bool:
        if n < 1 or (math.isinf(patience) and n <= lam * es):
            return False
        m = erlang_a_metrics(n, lam, es, patience)
        if "max_p_abandon" in targets and m.p_abandon > targets["max_p_abandon"]:
            return False
        if "target_wait_min" in targets:
            return (
                m.p_served_within(targets["target_wait_min"]) >= targets["min_share_served_within"]
            )
        return True

    c = min_servers_erlang_a(lam, es, patience, **targets)
    assert ok(c)
    assert not ok(c - 1)


def test_staffing_without_demand_needs_nobody():
    assert min_servers_for_p_wait(0.0, 1.0, 0.1) == 0
    assert min_servers_for_service_level(0.0, 1.0, 1.0, 0.8) == 0
    assert min_servers_for_mean_wait(0.0, 1.0, 1.0) == 0
    assert min_servers_erlang_a(0.0, 1.0, 5.0, max_p_abandon=0.01) == 0


def test_staffing_reports_unreachable_targets():
    with pytest.raises(ValueError, match="max_servers"):
        min_servers_for_p_wait(100.0, 1.0, 1e-9, max_servers=120)
    with pytest.raises(ValueError, match="at least one target"):
        min_servers_erlang_a(1.0, 1.0, 5.0)
    with pytest.raises(ValueError, match="given together"):
        min_servers_erlang_a(1.0, 1.0, 5.0, target_wait_min=1.0)


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    c=st.integers(min_value=1, max_value=300),
    utilisation=st.floats(min_value=0.001, max_value=0.999),
    patience=st.lists(
        st.floats(min_value=0.05, max_value=500.0), min_size=2, max_size=2, unique=True
    ),
)
def test_erlang_c_bounds_and_patience_monotonicity(c, utilisation, patience):
    load = utilisation * c
    b, cc = erlang_b(c, load), erlang_c(c, load)
    assert 0.0 <= b <= cc <= 1.0  # a delay system queues at least as often as a loss one blocks
    longer, shorter = max(patience), min(patience)
    pw = [erlang_a_metrics(c, load, 1.0, p).p_wait for p in (INF, longer, shorter)]
    assert pw[0] == pytest.approx(cc, rel=1e-12)
    # shorter patience → shorter queue → fewer arrivals find all counters busy
    assert pw[1] <= pw[0] * (1 + 1e-12)
    assert pw[2] <= pw[1] * (1 + 1e-12)


# --------------------------------------------------------------------------------------
# Clear errors
# --------------------------------------------------------------------------------------


def test_unstable_erlang_c_names_load_and_servers():
    with pytest.raises(ValueError, match=r"offered_load = 12 .*servers = 10"):
        erlang_c(10, 12.0)
    with pytest.raises(ValueError, match=r"offered_load = 10 .*servers = 10"):
        erlang_c_metrics(10, 5.0, 2.0)
    with pytest.raises(ValueError, match=r"offered_load = 4 .*servers = 3"):
        priority_mmc_mean_waits(3, [1.0, 3.0], 1.0)
    with pytest.raises(ValueError, match=r"offered_load = 11 .*servers = 10"):
        erlang_a_metrics(10, 11.0, 1.0, INF)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: erlang_b(0, 1.0), "servers"),
        (lambda: erlang_b(2.5, 1.0), "servers"),
        (lambda: erlang_b(3, -1.0), "offered_load"),
        (lambda: erlang_c(-1, 0.5), "servers"),
        (lambda: erlang_c_metrics(3, -0.1, 1.0), "arrival_rate_per_min"),
        (lambda: erlang_c_metrics(3, 1.0, 0.0), "mean_service_min"),
        (lambda: erlang_c_metrics(3, 1.0, 1.0).p_wait_gt(-1.0), "t_min"),
        (lambda: erlang_a_metrics(0, 1.0, 1.0, 5.0), "servers"),
        (lambda: erlang_a_metrics(3, -2.0, 1.0, 5.0), "arrival_rate_per_min"),
        (lambda: erlang_a_metrics(3, 1.0, -1.0, 5.0), "mean_service_min"),
        (lambda: erlang_a_metrics(3, 1.0, 1.0, -5.0), "mean_patience_min"),
        (lambda: erlang_a_metrics(3, 1.0, 1.0, 0.0), "mean_patience_min"),
        (lambda: erlang_a_metrics(3, 1.0, 1.0, 5.0).p_served_within(-1), "t_min"),
        (lambda: priority_mmc_mean_waits(3, [1.0, -1.0], 1.0), r"arrival_rates_per_min\[1\]"),
        (lambda: priority_mmc_mean_waits(3, [], 1.0), "arrival_rates_per_min"),
        (lambda: min_servers_for_p_wait(-1.0, 1.0, 0.1), "arrival_rate_per_min"),
        (lambda: min_servers_for_p_wait(1.0, 1.0, 0.0), "max_p_wait"),
        (lambda: min_servers_for_service_level(1.0, 1.0, 1.0, 1.0), "min_share"),
        (lambda: min_servers_for_mean_wait(1.0, 1.0, 0.0), "max_mean_wait_min"),
        (lambda: min_servers_erlang_a(1.0, 1.0, 5.0, max_p_abandon=1.5), "max_p_abandon"),
    ],
)
def test_invalid_arguments_raise_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()

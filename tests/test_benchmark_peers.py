"""Statistical agreement of the three M/M/c+M benchmark peers (benchmarks/peers_mmcm.py).

Standard errors come from independent replications, not from the binomial formula: in a
queue consecutive customers' outcomes are positively correlated, and for these parameters
the true run-to-run SD of the abandonment share is about twice the binomial one, so a
binomial "4 SE" would really be about 2 SE. The run-to-run SD of each statistic is
estimated from many replications of the (fast, exact) heap peer; since all peers simulate
the same model over the same horizon, a correct peer has the same per-run SD. Two peers
averaged over n_a and n_b independent runs must then agree within
4 · sd · sqrt(1/n_a + 1/n_b). All seeds are fixed, so the test is deterministic.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "peers_mmcm.py"
_spec = importlib.util.spec_from_file_location("peers_mmcm", _PATH)
assert _spec is not None
assert _spec.loader is not None
peers = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("peers_mmcm", peers)
_spec.loader.exec_module(peers)

# Same queue as the benchmark (load 0.9), shorter horizon: ~27,000 customers per run.
PARAMS = {
    "arrival_rate_per_min": 9.0,
    "mean_service_min": 1.0,
    "servers": 10,
    "mean_patience_min": 5.0,
    "horizon_min": 3000.0,
}
HEAP_REPS = 100  # ~0.01 s each
SLOW_REPS = 2  # ciw ~1 s, simpy ~0.6 s per run
Z = 4.0


def _stats(results) -> tuple[np.ndarray, np.ndarray]:
    share = np.array([r.abandoned / r.customers for r in results])
    wait = np.array([r.mean_wait_min for r in results])
    return share, wait


@pytest.fixture(scope="module")
def runs() -> dict[str, list]:
    return {
        "heap_lower_bound": [
            peers.run_heap_lower_bound(**PARAMS, seed=1000 + i) for i in range(HEAP_REPS)
        ],
        "ciw": [peers.run_ciw(**PARAMS, seed=2000 + i) for i in range(SLOW_REPS)],
        "simpy_naive": [peers.run_simpy_naive(**PARAMS, seed=3000 + i) for i in range(SLOW_REPS)],
    }


@pytest.fixture(scope="module")
def per_run_sd(runs) -> tuple[float, float]:
    share, wait = _stats(runs["heap_lower_bound"])
    return float(share.std(ddof=1)), float(wait.std(ddof=1))


def test_every_arrival_is_accounted_for(runs):
    lam_t = PARAMS["arrival_rate_per_min"] * PARAMS["horizon_min"]
    for name, results in runs.items():
        for r in results:
            assert r.served + r.abandoned == r.customers, name
            assert r.abandoned > 0, name
            assert r.mean_wait_min > 0, name
            # arrivals stop at the horizon: Poisson(lambda*T) count, well within 5 sigma
            assert abs(r.customers - lam_t) < 5 * math.sqrt(lam_t), name


def test_binomial_se_would_be_too_optimistic(runs, per_run_sd):
    """Documents why the replication SD is used (and sanity-checks the SD estimate)."""
    share_sd, _ = per_run_sd
    r = runs["heap_lower_bound"][0]
    p = r.abandoned / r.customers
    binomial_sd = math.sqrt(p * (1 - p) / r.customers)
    assert share_sd > 1.3 * binomial_sd


def test_heap_peer_matches_erlang_a(runs, per_run_sd):
    exact_share, exact_wait = peers.erlang_a_exact(
        PARAMS["arrival_rate_per_min"],
        PARAMS["mean_service_min"],
        PARAMS["servers"],
        PARAMS["mean_patience_min"],
    )
    share, wait = _stats(runs["heap_lower_bound"])
    share_sd, wait_sd = per_run_sd
    se = 1 / math.sqrt(len(share))
    assert abs(share.mean() - exact_share) <= Z * share_sd * se
    assert abs(wait.mean() - exact_wait) <= Z * wait_sd * se


@pytest.mark.parametrize(
    ("a", "b"),
    [("ciw", "heap_lower_bound"), ("simpy_naive", "heap_lower_bound"), ("ciw", "simpy_naive")],
)
def test_peers_agree(runs, per_run_sd, a, b):
    share_sd, wait_sd = per_run_sd
    share_a, wait_a = _stats(runs[a])
    share_b, wait_b = _stats(runs[b])
    k = math.sqrt(1 / len(share_a) + 1 / len(share_b))
    assert abs(share_a.mean() - share_b.mean()) <= Z * share_sd * k, (
        share_a.mean(),
        share_b.mean(),
    )
    assert abs(wait_a.mean() - wait_b.mean()) <= Z * wait_sd * k, (wait_a.mean(), wait_b.mean())


@pytest.mark.parametrize("name", ["ciw", "simpy_naive", "heap_lower_bound"])
def test_seeded_runs_are_reproducible(name):
    fn = peers.PEERS[name]
    small = {**PARAMS, "horizon_min": 50.0}
    first = fn(**small, seed=7)
    assert fn(**small, seed=7) == first
    assert fn(**small, seed=8) != first


def test_no_abandonment_with_overwhelming_patience():
    # Light load and patience ~1e9 min: nobody reneges, every peer serves everyone.
    for fn in peers.PEERS.values():
        r = fn(2.0, 1.0, 5, 1e9, 200.0, seed=11)
        assert r.abandoned == 0
        assert r.served == r.customers

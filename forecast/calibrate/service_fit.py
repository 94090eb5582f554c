"""Service-time fits: lognormal, gamma and exponential by maximum likelihood (scipy.stats,
location fixed at 0), the family chosen by the smallest AIC, with the KS distance of every
candidate (a goodness-of-fit the planner can read: the largest gap between the fitted and the
observed distribution functions)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from hallplan.sim.distributions import Exponential, Gamma, LogNormal

FAMILIES = ("lognormal", "gamma", "exponential")
CRITERION = "AIC (2·parameters − 2·log-likelihood; smallest wins)"
MIN_SERVICE_MIN = 1.0 / 60.0  # a service shorter than one second is a clock artefact


@dataclass(frozen=True)
class Candidate:
    family: str
    params: dict[str, float]  # mean_min, cv
    loglik: float
    aic: float
    ks: float


@dataclass(frozen=True)
class ServiceFit:
    """The chosen fit for one (service type, channel) and every candidate."""

    service_type: str
    channel: str
    n: int
    n_below_floor: int
    mean_min: float
    mean_ci: tuple[float, float]
    cv: float
    chosen: Candidate
    candidates: tuple[Candidate, ...] = field(repr=False)
    sample: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))

    def distribution(self):
        return to_distribution(self.chosen)

    def comment(self) -> str:
        ks = ", ".join(f"{c.family} KS {c.ks:.3f} AIC {c.aic:.0f}" for c in self.candidates)
        return (
            f"fitted: {self.chosen.family} by max. likelihood on {self.n} served "
            f"{self.channel} visits, lowest AIC of ({ks}); observed mean "
            f"{self.mean_min:.2f} min (95% CI {self.mean_ci[0]:.2f}–{self.mean_ci[1]:.2f})"
        )


def to_distribution(c: Candidate):
    if c.family == "exponential":
        return Exponential(mean_min=c.params["mean_min"])
    if c.family == "gamma":
        return Gamma(mean_min=c.params["mean_min"], cv=c.params["cv"])
    return LogNormal(mean_min=c.params["mean_min"], cv=c.params["cv"])


def frozen_scipy(c: Candidate):
    """The scipy.stats frozen distribution of a candidate (for plots and KS)."""
    m, cv = c.params["mean_min"], c.params.get("cv", 1.0)
    if c.family == "exponential":
        return stats.expon(scale=m)
    if c.family == "gamma":
        k = 1.0 / cv**2
        return stats.gamma(k, scale=m / k)
    s2 = math.log1p(cv * cv)
    return stats.lognorm(math.sqrt(s2), scale=math.exp(math.log(m) - s2 / 2))


def fit_family(x: np.ndarray, family: str) -> Candidate:
    if family == "exponential":
        _loc, scale = stats.expon.fit(x, floc=0)
        dist, params, k = stats.expon(scale=scale), {"mean_min": scale, "cv": 1.0}, 1
    elif family == "gamma":
        a, _loc, scale = stats.gamma.fit(x, floc=0)
        dist, k = stats.gamma(a, scale=scale), 2
        params = {"mean_min": a * scale, "cv": 1.0 / math.sqrt(a)}
    elif family == "lognormal":
        s, _loc, scale = stats.lognorm.fit(x, floc=0)
        dist, k = stats.lognorm(s, scale=scale), 2
        params = {"mean_min": scale * math.exp(s * s / 2), "cv": math.sqrt(math.expm1(s * s))}
    else:
        raise ValueError(f"family: expected one of {FAMILIES}; found {family!r}")
    ll = float(np.sum(dist.logpdf(x)))
    ks = float(stats.kstest(x, dist.cdf).statistic)
    return Candidate(family, params, ll, 2 * k - 2 * ll, ks)


def fit_service_times(durations_min: np.ndarray, service_type: str, channel: str) -> ServiceFit:
    x = np.asarray(durations_min, dtype=float)
    x = x[np.isfinite(x)]
    below = int((x < MIN_SERVICE_MIN).sum())
    x = np.maximum(x, MIN_SERVICE_MIN)  # counted and floored, not dropped
    if len(x) < 10:
        raise ValueError(
            f"service times of {service_type}/{channel}: expected at least 10 served visits; "
            f"found {len(x)}"
        )
    cands = tuple(fit_family(x, f) for f in FAMILIES)
    chosen = min(cands, key=lambda c: c.aic)
    m = float(x.mean())
    se = float(x.std(ddof=1) / math.sqrt(len(x)))
    return ServiceFit(
        service_type,
        channel,
        len(x),
        below,
        m,
        (m - 1.96 * se, m + 1.96 * se),
        float(x.std(ddof=1) / m),
        chosen,
        cands,
        x,
    )

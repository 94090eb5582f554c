"""Patience (time a ticket holder waits before giving up) from waits that are censored.

An abandoned customer's wait is an observed patience; a served customer's wait is a lower
bound (they would have waited at least that long): a right-censored observation. The
non-parametric estimate is Kaplan–Meier (``scipy.stats.ecdf`` on ``scipy.stats.CensoredData``).
The parametric model is the one the simulator runs (``CustomerClass.patience_from_uniform``):
a share ``p`` who leave almost at once (uniformly within ``w0``) and, for the others, an
exponential, lognormal or gamma patience; all fitted together by maximum likelihood with the
censoring (``scipy.optimize``), the family chosen by AIC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special, stats

from hallplan.sim.distributions import Exponential, Gamma, LogNormal

FAMILIES = ("exponential", "lognormal", "gamma")
IMMEDIATE_WITHIN_MIN = 0.25  # "almost at once": within 15 seconds of taking the ticket


@dataclass(frozen=True)
class PatienceFit:
    customer_class: str
    n_abandoned: int
    n_censored: int
    immediate_share: float
    immediate_within_min: float
    family: str
    mean_min: float  # of the non-immediate part
    mean_ci: tuple[float, float]
    cv: float
    aic: dict[str, float]
    km_median_min: float
    km_times: np.ndarray = field(repr=False)
    km_surv: np.ndarray = field(repr=False)

    def distribution(self):
        if self.family == "exponential":
            return Exponential(mean_min=self.mean_min)
        if self.family == "gamma":
            return Gamma(mean_min=self.mean_min, cv=self.cv)
        return LogNormal(mean_min=self.mean_min, cv=self.cv)

    def survival(self, t: np.ndarray) -> np.ndarray:
        """Fitted P(patience > t) (mixture)."""
        t = np.asarray(t, dtype=float)
        quick = np.clip(1.0 - t / self.immediate_within_min, 0.0, 1.0)
        return self.immediate_share * quick + (1 - self.immediate_share) * _dist(
            self.family, self.mean_min, self.cv
        ).sf(t)

    def comment(self) -> str:
        aic = ", ".join(f"{k} {v:.0f}" for k, v in self.aic.items())
        return (
            f"fitted: {self.n_abandoned} abandoned waits + {self.n_censored} served waits as "
            f"right-censored; {self.immediate_share:.1%} leave within "
            f"{self.immediate_within_min * 60:.0f} s, the rest {self.family} (max. likelihood "
            f"with censoring, AIC {aic}); mean {self.mean_min:.2f} min (95% CI "
            f"{self.mean_ci[0]:.2f}–{self.mean_ci[1]:.2f}); Kaplan–Meier median "
            f"{self.km_median_min:.2f} min"
        )


def _dist(family: str, mean: float, cv: float):
    if family == "exponential":
        return stats.expon(scale=mean)
    if family == "gamma":
        k = 1.0 / cv**2
        return stats.gamma(k, scale=mean / k)
    s2 = math.log1p(cv * cv)
    return stats.lognorm(math.sqrt(s2), scale=math.exp(math.log(mean) - s2 / 2))


def _negloglik(theta, family, ab, cens, w0):
    p = special.expit(theta[0])
    mean = math.exp(theta[1])
    cv = math.exp(theta[2]) if family != "exponential" else 1.0
    d = _dist(family, mean, cv)
    f_ab = p * (ab < w0) / w0 + (1 - p) * d.pdf(ab)
    s_c = p * np.clip(1 - cens / w0, 0, 1) + (1 - p) * d.sf(cens)
    return -(np.sum(np.log(np.maximum(f_ab, 1e-300))) + np.sum(np.log(np.maximum(s_c, 1e-300))))


def fit_patience(
    abandoned_waits_min: np.ndarray,
    served_waits_min: np.ndarray,
    customer_class: str,
    immediate_within_min: float = IMMEDIATE_WITHIN_MIN,
) -> PatienceFit:
    ab = np.asarray(abandoned_waits_min, dtype=float)
    ab = np.maximum(ab[np.isfinite(ab)], 1e-3)
    cens = np.asarray(served_waits_min, dtype=float)
    cens = np.maximum(cens[np.isfinite(cens)], 0.0)
    if len(ab) < 10:
        raise ValueError(
            f"patience of {customer_class}: expected at least 10 abandoned tickets with a "
            f"leave time; found {len(ab)}"
        )
    data = stats.CensoredData(uncensored=ab, right=np.maximum(cens, 1e-6))
    km = stats.ecdf(data)
    km_t = km.sf.quantiles
    km_s = km.sf.probabilities
    below = km_s <= 0.5
    km_median = float(km_t[np.argmax(below)]) if below.any() else math.inf
    w0 = immediate_within_min
    fits = {}
    for fam in FAMILIES:
        m0 = float(max(ab.mean(), 0.1))
        x0 = [special.logit(0.1), math.log(m0 * 3), 0.0]
        res = optimize.minimize(
            _negloglik,
            x0,
            args=(fam, ab, cens, w0),
            method="Nelder-Mead",
            options={"xatol": 1e-5, "fatol": 1e-4, "maxiter": 4000},
        )
        k = 2 if fam == "exponential" else 3
        fits[fam] = (res, 2 * k + 2 * res.fun)
    fam = min(fits, key=lambda f: fits[f][1])
    res = fits[fam][0]
    # 95% CI of the mean from the profile of the log-likelihood in log(mean)
    base = res.fun

    def prof(logm):
        def nll(rest):
            th = [rest[0], logm, rest[1]]
            return _negloglik(th, fam, ab, cens, w0)

        r = optimize.minimize(nll, [res.x[0], res.x[2]], method="Nelder-Mead")
        return r.fun - base - 1.92

    lo_m, hi_m = res.x[1], res.x[1]
    for step in (0.02, 0.05, 0.1, 0.2, 0.5, 1.0):
        if prof(res.x[1] - step) > 0:
            lo_m = optimize.brentq(prof, res.x[1] - step, res.x[1])
            break
    for step in (0.02, 0.05, 0.1, 0.2, 0.5, 1.0):
        if prof(res.x[1] + step) > 0:
            hi_m = optimize.brentq(prof, res.x[1], res.x[1] + step)
            break
    return PatienceFit(
        customer_class,
        len(ab),
        len(cens),
        float(special.expit(res.x[0])),
        w0,
        fam,
        float(math.exp(res.x[1])),
        (float(math.exp(lo_m)), float(math.exp(hi_m))),
        float(math.exp(res.x[2])) if fam != "exponential" else 1.0,
        {f: float(v[1]) for f, v in fits.items()},
        km_median,
        np.asarray(km_t),
        np.asarray(km_s),
    )

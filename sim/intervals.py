"""Confidence intervals over replications: the one definition every package uses.

* Means (waits, queue lengths, counts): Student-t, ``mean ± t_{1-α/2, n-1} · s / √n``.
* Differences of two means (what-ifs): paired (a mean of differences, for common random
  numbers) or Welch's unpaired interval.
* Shares (called within target, abandonment): a Wilson score interval, so no interval leaves
  [0, 1]. Replications of a hall day are not independent customers, so the binomial variance
  ``p(1-p)/n`` is replaced by the one the replications show, ``s²/R``: the interval is the
  Wilson interval at the *effective* number of customers ``p(1-p)·R/s²`` and the same
  t quantile as for means. Far from 0 and 1 it matches the t interval; near them it bends
  inside [0, 1].

One replication (or none) gives no spread to estimate: the half-width is NaN and so are the
bounds — never zero, which would claim certainty. A caller that must act on a single
replication says so itself (e.g. the planning loop judges the mean).
NaN values (an interval with no customers has no mean wait) are left out of ``n``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.stats import norm
from scipy.stats import t as student_t

__all__ = [
    "Interval",
    "diff_ci",
    "mean_bounds",
    "mean_ci",
    "share_bounds",
    "share_ci",
    "t_half_width",
    "wilson",
]


class Interval(NamedTuple):
    mean: float
    half_width: float  # NaN with fewer than two values
    low: float
    high: float
    n: int


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence: expected a level in (0, 1); found {confidence!r}")


def t_half_width(std, n, confidence: float = 0.95, *, two_sided: bool = True):
    """Student-t half-width ``t · s / √n`` (elementwise); NaN where ``n < 2``.
    ``two_sided=False`` gives the one-sided bound's distance at level ``confidence``."""
    _check_confidence(confidence)
    std = np.asarray(std, dtype=float)
    n = np.asarray(n, dtype=float)
    level = 0.5 + confidence / 2.0 if two_sided else confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        q = student_t.ppf(level, np.maximum(n - 1.0, 1.0))
        hw = np.where(n >= 2, q * std / np.sqrt(np.maximum(n, 1.0)), np.nan)
    return hw if hw.ndim else float(hw)


def mean_bounds(mean, std, n, confidence: float = 0.95):
    """(low, high) of the Student-t interval (elementwise)."""
    hw = t_half_width(std, n, confidence)
    return np.asarray(mean, dtype=float) - hw, np.asarray(mean, dtype=float) + hw


def _wilson(p, z, n_eff):
    """Wilson score bounds for share ``p`` at ``n_eff`` trials and quantile ``z``
    (``n_eff`` may be infinite: no spread, the bounds are ``p``)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        k = np.where(np.isinf(n_eff), 0.0, z * z / n_eff)
        centre = (p + k / 2.0) / (1.0 + k)
        spread = z / (1.0 + k) * np.sqrt(np.where(np.isinf(n_eff), 0.0,
                                                  p * (1 - p) / n_eff + k / (4.0 * n_eff)))
    return np.clip(centre - spread, 0.0, 1.0), np.clip(centre + spread, 0.0, 1.0)


def wilson(successes, trials, confidence: float = 0.95):
    """The classic Wilson score interval of ``successes`` out of ``trials`` independent
    trials (elementwise); NaN where ``trials`` is 0."""
    _check_confidence(confidence)
    s = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if np.any((s < 0) | (s > n)):
        raise ValueError("wilson: expected 0 <= successes <= trials")
    z = norm.ppf(0.5 + confidence / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, s / n, np.nan)
    lo, hi = _wilson(p, z, np.where(n > 0, n, np.nan))
    return (lo, hi) if lo.ndim else (float(lo), float(hi))


def share_bounds(mean, std, n, confidence: float = 0.95):
    """(low, high) of the replication-Wilson interval of a share (elementwise): means of
    ``n`` replication shares with sample std ``std``; NaN where ``n < 2``."""
    _check_confidence(confidence)
    p = np.clip(np.asarray(mean, dtype=float), 0.0, 1.0)
    std = np.asarray(std, dtype=float)
    n = np.asarray(n, dtype=float)
    z = student_t.ppf(0.5 + confidence / 2.0, np.maximum(n - 1.0, 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        se2 = std * std / np.maximum(n, 1.0)
        n_eff = np.where(se2 > 0, p * (1 - p) / se2, np.inf)
    lo, hi = _wilson(p, z, n_eff)
    lo, hi = np.where(n >= 2, lo, np.nan), np.where(n >= 2, hi, np.nan)
    return (lo, hi) if lo.ndim else (float(lo), float(hi))


def _sample(values) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    return x[~np.isnan(x)]


def mean_ci(values, confidence: float = 0.95) -> Interval:
    """Mean of the replications' values with its Student-t interval."""
    x = _sample(values)
    if len(x) == 0:
        return Interval(math.nan, math.nan, math.nan, math.nan, 0)
    m = float(x.mean())
    s = float(x.std(ddof=1)) if len(x) > 1 else math.nan
    hw = t_half_width(s, len(x), confidence)
    return Interval(m, hw, m - hw, m + hw, len(x))


def share_ci(values, confidence: float = 0.95) -> Interval:
    """Mean of the replications' shares with the replication-Wilson interval (inside
    [0, 1]); ``half_width`` is the t half-width, for ``mean ± half_width`` displays."""
    x = _sample(values)
    if np.any((x < 0) | (x > 1)):
        raise ValueError("share_ci: expected shares in [0, 1]")
    if len(x) == 0:
        return Interval(math.nan, math.nan, math.nan, math.nan, 0)
    m = float(x.mean())
    s = float(x.std(ddof=1)) if len(x) > 1 else math.nan
    lo, hi = share_bounds(m, s, len(x), confidence)
    return Interval(m, t_half_width(s, len(x), confidence), lo, hi, len(x))


def diff_ci(base, variant, *, paired: bool, confidence: float = 0.95) -> Interval:
    """``variant − base``: paired replications (common random numbers) → the interval of the
    mean difference; unpaired → Welch's interval (Welch–Satterthwaite degrees of freedom)."""
    if paired:
        return mean_ci(np.asarray(variant, dtype=float) - np.asarray(base, dtype=float),
                       confidence)
    _check_confidence(confidence)
    b, v = _sample(base), _sample(variant)
    d = float(v.mean() - b.mean()) if len(b) and len(v) else math.nan
    if len(b) < 2 or len(v) < 2:
        return Interval(d, math.nan, math.nan, math.nan, min(len(b), len(v)))
    sb, sv = b.var(ddof=1) / len(b), v.var(ddof=1) / len(v)
    se = math.sqrt(sb + sv)
    if se == 0:
        return Interval(d, 0.0, d, d, min(len(b), len(v)))
    df = (sb + sv) ** 2 / (sb**2 / (len(b) - 1) + sv**2 / (len(v) - 1))
    hw = float(student_t.ppf(0.5 + confidence / 2.0, df) * se)
    return Interval(d, hw, d - hw, d + hw, min(len(b), len(v)))

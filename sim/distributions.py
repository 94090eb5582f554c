"""Service-time, patience and handling-time distributions (minutes).

Each distribution is sampled by *inverse transform* from uniforms drawn on a named random
stream. Sampling from a uniform (rather than calling the generator's own method) lets the
same customer keep the same quantile of service time whichever channel it ends up in and
whatever else changes in a what-if — common random numbers by construction.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.special import gammaincinv, ndtri

from hallplan.sim.bounds import Cv, Duration, DurationOrZero


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Exponential(_Frozen):
    """Exponential with the given mean (the M in M/M/c)."""

    kind: Literal["exponential"] = "exponential"
    mean_min: Duration

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        return -self.mean_min * np.log1p(-u)

    @property
    def mean(self) -> float:
        return self.mean_min


class LogNormal(_Frozen):
    """Lognormal given its mean and coefficient of variation.

    sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2. The manuals' handling-time limits
    (5 / 15 / 20 min) are read as roughly the 90th percentile (domain.md, Part A).
    """

    kind: Literal["lognormal"] = "lognormal"
    mean_min: Duration
    cv: Cv = Field(description="coefficient of variation (std / mean)")

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        s2 = math.log1p(self.cv * self.cv)
        mu = math.log(self.mean_min) - s2 / 2.0
        return np.exp(mu + math.sqrt(s2) * ndtri(u))

    @property
    def mean(self) -> float:
        return self.mean_min

    def quantile(self, p: float) -> float:
        s2 = math.log1p(self.cv * self.cv)
        mu = math.log(self.mean_min) - s2 / 2.0
        return math.exp(mu + math.sqrt(s2) * float(ndtri(p)))


class Gamma(_Frozen):
    """Gamma given its mean and coefficient of variation: shape k = 1 / cv², scale = mean / k
    (cv = 1 is the exponential). Fitted service times may select it (forecast.calibrate)."""

    kind: Literal["gamma"] = "gamma"
    mean_min: Duration
    cv: Cv = Field(description="coefficient of variation (std / mean)")

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        k = 1.0 / (self.cv * self.cv)
        return gammaincinv(k, np.asarray(u, dtype=float)) * (self.mean_min / k)

    @property
    def mean(self) -> float:
        return self.mean_min


class Deterministic(_Frozen):
    """A fixed duration (used in exact-trace tests and for fixed handling steps)."""

    kind: Literal["deterministic"] = "deterministic"
    value_min: DurationOrZero

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.value_min, dtype=float)

    @property
    def mean(self) -> float:
        return self.value_min


Distribution = Annotated[
    Exponential | LogNormal | Gamma | Deterministic, Field(discriminator="kind")
]

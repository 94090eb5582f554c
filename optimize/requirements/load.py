"""What each post has to absorb: arrival rates per lane, service times, targets, greeter load.

Why: every staffing method (pointwise stationary, lag-corrected, simulation) starts from the
demand routed to each counter queue and the target that queue must meet; this module is the
one place that reads the hall's routing rules for that purpose.

Routing assumptions (documented, deliberately simple — the simulator has the full detail):

* A counter ticket joins ``scenario.counter_queue(service_type, class)`` (VIP general-lane
  business goes to the VIP room, complaints to the complaint desk).
* Kiosk-eligible business (``"kiosk" in channels`` and the hall has kiosks): a customer the
  greeter triages goes to a kiosk with probability ``triage.kiosk_acceptance``; one who is not
  triaged (every greeter busy, or triage off) with ``triage.self_service_kiosk_share``. A share
  ``kiosks.failure_probability`` of kiosk customers fail and come back to the counter with
  the full counter service time. The triaged share is ``1 − ErlangB(greeters, a_greeter)``
  (the greeter post is a loss system: nobody queues for a greeter), computed with the greeter
  requirement of the same interval. Kiosk queue limits and outages are ignored (the kiosks
  are capacity, not staff, and the flagship's 8 terminals run at ≈ 20 % utilisation).
* Misrouting (untriaged customers at the wrong counter) is ignored.
* The service time of a lane is the arrival-rate-weighted mix of the counter-time
  distributions of the service types routed to it.

Targets per lane (``lane_target``): the class that brings most of the lane's demand decides
the wait target (the VIP room uses the VIP class target; general and complaint lanes the
default target); its patience mean is used for Erlang A (lognormal patience is treated as
exponential with the same mean — the Erlang A approximation of Garnett, Mandelbaum & Reiman
2002); a class without patience means Erlang C.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import lognorm

from hallplan.optimize.queueing import erlang_b
from hallplan.sim.demand import Demand
from hallplan.sim.distributions import Deterministic, Exponential, LogNormal
from hallplan.sim.scenario import Scenario

GREETER_MAX_UTILISATION = 0.8
"""Greeter staffing rule: triage arrivals × mean triage time ≤ 0.8 × greeters on duty."""


@dataclass(frozen=True)
class LaneTarget:
    """What one lane must achieve in every interval.

    ``min_share`` of tickets called within ``wait_target_min`` (``wait_target_min = 0``
    expresses a delay-probability target P(wait > 0) ≤ 1 − min_share); abandonment share at
    most ``max_abandon`` (None: no abandonment target); ``patience_mean_min`` ``inf`` means
    Erlang C (nobody leaves).
    """

    wait_target_min: float
    min_share: float
    max_abandon: float | None = None
    patience_mean_min: float = math.inf


def survival(dist, u: np.ndarray) -> np.ndarray:
    """P(S > u) for a service-time distribution of :mod:`hallplan.sim.distributions`."""
    u = np.asarray(u, dtype=float)
    if isinstance(dist, Exponential):
        return np.exp(-u / dist.mean_min)
    if isinstance(dist, LogNormal):
        s2 = math.log1p(dist.cv * dist.cv)
        mu = math.log(dist.mean_min) - s2 / 2.0
        return lognorm.sf(u, s=math.sqrt(s2), scale=math.exp(mu))
    if isinstance(dist, Deterministic):
        return (u < dist.value_min).astype(float)
    raise TypeError(f"unknown distribution {dist!r}")


def lane_of_class(scenario: Scenario, lane: str) -> str | None:
    """The class that brings most counter demand to ``lane`` under the profile mix."""
    weights: dict[str, float] = {}
    mix_default = scenario.demand.service_mix
    for cls_name, cls in scenario.customer_classes.items():
        mix = scenario.demand.service_mix_by_class.get(cls_name, mix_default)
        for stype, share in mix.items():
            if scenario.counter_queue(stype, cls_name) == lane:
                weights[cls_name] = weights.get(cls_name, 0.0) + cls.share * share
    if not weights:
        return None
    return max(sorted(weights), key=lambda c: weights[c])


def lane_target(scenario: Scenario, lane: str) -> LaneTarget:
    """The target of ``lane`` taken from the scenario (see the module notes)."""
    t = scenario.targets
    cls_name = lane_of_class(scenario, lane)
    ct = t.for_class(cls_name) if cls_name else t.for_class("")
    patience = math.inf
    if cls_name is not None:
        p = scenario.customer_classes[cls_name].patience
        if p is not None:
            patience = float(p.mean)
    return LaneTarget(
        wait_target_min=float(ct.wait_target_min),
        min_share=float(ct.min_share_called_within),
        max_abandon=float(t.max_abandon_share),
        patience_mean_min=patience,
    )


def greeter_staff(arrivals_per_min: float, triage_mean_min: float, capacity: int) -> int:
    """Greeters needed to keep utilisation ≤ ``GREETER_MAX_UTILISATION`` (capped at the
    physical posts; at least one whenever anyone arrives)."""
    if arrivals_per_min <= 0 or capacity <= 0:
        return 0
    need = math.ceil(arrivals_per_min * triage_mean_min / GREETER_MAX_UTILISATION - 1e-9)
    return int(min(capacity, max(1, need)))


def kiosk_shares(scenario: Scenario, triaged_share: float) -> tuple[float, float]:
    """(share of kiosk-eligible customers who end at a counter, of whom returning failures)."""
    if scenario.kiosks.count == 0:
        return 1.0, 0.0
    tr = scenario.triage
    to_kiosk = triaged_share * tr.kiosk_acceptance + (1 - triaged_share) * (
        tr.self_service_kiosk_share
    )
    fail = scenario.kiosks.failure_probability
    return (1.0 - to_kiosk) + to_kiosk * fail, to_kiosk * fail


def lane_loads(scenario: Scenario, demand: Demand) -> pd.DataFrame:
    """Per (date, interval_start_min, post): arrival rate per minute and mean service time.

    Rows for every lane and for ``greeter`` (whose "service" is the triage time, and whose
    ``staff_rule`` column holds the greeter count from :func:`greeter_staff`). Lane rows also
    carry ``type_rates``: a dict service type → counter arrival rate (used by the lag method).
    """
    t = demand.table
    triage_on = scenario.triage.enabled and scenario.greeters.posts > 0
    triage_mean = float(scenario.triage.handling_time.mean)
    rows = []
    for (date, start), grp in t.groupby(["date", "interval_start_min"], sort=True):
        lam_all = float(grp["rate_per_hour"].sum()) / 60.0
        if triage_on:
            g = greeter_staff(lam_all, triage_mean, scenario.greeters.posts)
            a_g = lam_all * triage_mean
            triaged = 1.0 - erlang_b(g, a_g) if g > 0 and a_g > 0 else 0.0
        else:
            g, triaged = 0, 0.0
        counter_share, _ = kiosk_shares(scenario, triaged)
        per_lane: dict[str, dict[str, float]] = {lane: {} for lane in scenario.lanes}
        cols = ["service_type", "customer_class", "rate_per_hour"]
        for stype, cls, rate_h in grp[cols].itertuples(index=False):
            st = scenario.service_types[stype]
            share = counter_share if "kiosk" in st.channels else 1.0
            lane = scenario.counter_queue(stype, cls)
            per_lane[lane][stype] = per_lane[lane].get(stype, 0.0) + rate_h / 60.0 * share
        for lane, rates in per_lane.items():
            lam = sum(rates.values())
            es = (
                sum(r * scenario.service_types[s].counter_time.mean for s, r in rates.items()) / lam
                if lam > 0
                else 0.0
            )
            rows.append((date, float(start), lane, lam, es, rates, -1))
        rows.append((date, float(start), "greeter", lam_all if triage_on else 0.0,
                     triage_mean, {}, g))
    return pd.DataFrame(
        rows,
        columns=["date", "interval_start_min", "post", "rate_per_min", "mean_service_min",
                 "type_rates", "staff_rule"],
    )

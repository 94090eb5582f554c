"""Region headcount allocation: per-hall wait curves and marginal analysis across halls.

Why: a regional planner has many halls and one headcount budget. For every hall a *wait
curve* says how many customers in the planning horizon would not be called within their
lane's wait target for each hall headcount h (people on the hall's books). The budget then
goes, one person at a time, to the hall where that person saves the most late customers
(marginal analysis), which minimises the region's total late customers when every curve has
diminishing returns; when one does not, an exact dynamic programme over halls × budget
takes over. The dual question —
the least headcount per hall that meets each hall's target share — is answered from the same
curves.

Pieces (all time in minutes unless a name says otherwise):

* :func:`late_customers` — expected late customers of one lane in one interval, from the
  stationary Erlang C / Erlang A queue (the same models and targets as
  :mod:`hallplan.optimize.requirements.sipp`);
* :class:`WaitCurve` and :func:`wait_curve` — late customers as a function of headcount,
  from a fluid staff-hour model of the hall (see :func:`wait_curve` for the accounting);
* :func:`calibrate` — rescale a curve through one simulated point (the simulator, not the
  Erlang formulas, is the authority at the planned headcount);
* :func:`allocate_headcount` — marginal analysis on the lower convex envelopes when every
  curve is convex, else an exact dynamic programme over halls × budget;
* :func:`least_headcount_plan` — least headcount per hall meeting its target share.

The Erlang formulas assume exponential service; the hall's service times are lognormal
(cv 0.25–1), so the absolute numbers are approximations — which is what :func:`calibrate`
is for. The *shape* (diminishing returns in staff) is what the allocation relies on.
"""

from __future__ import annotations

import heapq
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from hallplan.optimize.queueing import erlang_a_metrics, erlang_c
from hallplan.optimize.requirements.load import LaneTarget, lane_loads, lane_target
from hallplan.optimize.requirements.shrinkage import Shrinkage
from hallplan.optimize.requirements.sipp import stationary_staff
from hallplan.sim.demand import Demand
from hallplan.sim.scenario import Scenario

NO_GAIN_CUSTOMERS = 1e-9
"""A step saving fewer late customers than this counts as "no gain" (stops the greedy)."""

_NEGLIGIBLE_LATE_SHARE = 1e-12
"""Once a lane's late share falls below this, more servers are taken to save nothing."""

_HULL_EPS = 1e-12
"""Relative tolerance of the convexity test in :func:`lower_convex_envelope`."""

REGION_TOTAL = "region total"
"""Name of the total row of :func:`least_headcount_plan`."""


# --------------------------------------------------------------------------- one lane-interval


def _check_count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral | float):
        raise ValueError(f"{name} must be an integer ≥ 0, got {value!r}")
    if not math.isfinite(value) or value != int(value) or value < 0:
        raise ValueError(f"{name} must be an integer ≥ 0, got {value!r}")
    return int(value)


def _check_number(value: object, name: str, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    v = float(value)
    ok = math.isfinite(v) and (v > 0 if positive else v >= 0)
    if not ok:
        raise ValueError(f"{name} must be a finite number {'> 0' if positive else '≥ 0'}, "
                         f"got {value!r}")
    return v


@lru_cache(maxsize=1 << 16)
def _late_share(
    servers: int, arrival_rate_per_min: float, mean_service_min: float, target_min: float,
    patience_mean_min: float,
) -> float:
    """Share of arrivals not called within ``target_min`` (see :func:`late_customers`)."""
    lam, es, t = arrival_rate_per_min, mean_service_min, target_min
    if lam <= 0.0:
        return 0.0
    if servers <= 0:
        return 1.0
    if math.isinf(patience_mean_min):
        a = lam * es
        if servers <= a:
            return 1.0
        c = erlang_c(servers, a)
        return min(1.0, c * math.exp(-(servers / es - lam) * t))
    m = erlang_a_metrics(servers, lam, es, patience_mean_min)
    return min(1.0, max(0.0, 1.0 - m.p_served_within(t)))


def late_customers(
    arrival_rate_per_min: float,
    mean_service_min: float,
    servers: int,
    target_min: float,
    interval_min: float,
    patience_mean_min: float | None = None,
) -> float:
    """Expected customers arriving in one interval who are *not called within* ``target_min``.

    late = λ·T·P(late), λ = ``arrival_rate_per_min``, T = ``interval_min``, stationary
    queue with c = ``servers`` counters and exponential service of mean 1/μ =
    ``mean_service_min``:

    * Erlang C (``patience_mean_min`` None or ``math.inf``, nobody leaves): P(late) =
      P(W > t) = C(c, a)·exp(−(cμ − λ)t), a = λ/μ (Gross & Harris, *Fundamentals of
      Queueing Theory*, §2.3; Koole, *Call Center Optimization*, ch. 5). When c ≤ a the queue
      has no steady state and grows all interval; every arrival is then counted as late
      (P(late) = 1), which keeps the value bounded by λ·T and monotone in c.
    * Erlang A (exponential patience of mean ``patience_mean_min``, Garnett, Mandelbaum &
      Reiman 2002): P(late) = 1 − P(V ≤ t and V ≤ patience), i.e. a customer is late unless
      called to a counter within the target; customers who give up count as late whenever
      they leave (they were not served within the target). This is the complement of the
      lanes' target KPI "share of all tickets called within the target, abandoners count
      as failures" (:meth:`ErlangAResult.p_served_within`, as in
      :func:`hallplan.optimize.requirements.sipp.stationary_kpis`).

    ``servers = 0`` means every arrival is late. The value lies in [0, λ·T] and is
    non-increasing in ``servers``. Results are cached (the same lane-interval recurs on every
    day of the same day type).
    """
    lam = _check_number(arrival_rate_per_min, "arrival_rate_per_min", positive=False)
    es = _check_number(mean_service_min, "mean_service_min", positive=True)
    c = _check_count(servers, "servers")
    t = _check_number(target_min, "target_min", positive=False)
    interval = _check_number(interval_min, "interval_min", positive=True)
    if patience_mean_min is None:
        patience = math.inf
    else:
        patience = float(patience_mean_min)
        if math.isnan(patience) or patience <= 0:
            raise ValueError(f"patience_mean_min must be > 0 or None, got {patience_mean_min!r}")
    return lam * interval * _late_share(c, lam, es, t, patience)


def _late_curve(
    arrival_rate_per_min: float, mean_service_min: float, target: LaneTarget,
    interval_min: float, max_servers: int,
) -> np.ndarray:
    """late_customers for servers = 0 … max_servers, forced non-increasing (guards rounding)."""
    out = np.zeros(max_servers + 1)
    arrivals = arrival_rate_per_min * interval_min
    for n in range(max_servers + 1):
        share = _late_share(n, arrival_rate_per_min, mean_service_min, target.wait_target_min,
                            target.patience_mean_min)
        out[n] = arrivals * share
        if share < _NEGLIGIBLE_LATE_SHARE:
            break  # the rest stay 0
    return np.minimum.accumulate(out)


# --------------------------------------------------------------------------- convex envelopes


def lower_convex_envelope(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """The lower convex envelope of the points (i, values[i]), i = 0, 1, …, at every i.

    The greatest convex function below the points (Andrew's monotone chain, lower hull,
    collinear points merged); linear between the hull vertices. For a convex sequence it is
    the sequence itself.
    """
    y = np.asarray(values, dtype=float)
    n = len(y)
    if n <= 2:
        return y.copy()
    scale = max(1.0, float(np.max(np.abs(y))))
    hull: list[int] = []
    for i in range(n):
        while len(hull) >= 2:
            o, a = hull[-2], hull[-1]
            cross = (a - o) * (y[i] - y[o]) - (y[a] - y[o]) * (i - o)
            if cross > _HULL_EPS * scale * (i - o):
                break
            hull.pop()
        hull.append(i)
    return np.interp(np.arange(n), hull, y[hull])


def _hull_steps(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Steps along the lower convex hull of (n, values[n]): (units per step, gain per step).

    A step runs from one point *on* the hull to the next (points strictly above the hull are
    jumped over); gains per unit are non-increasing along the hull. Steps that gain nothing
    are dropped.
    """
    y = np.asarray(values, dtype=float)
    if len(y) <= 1:
        return np.zeros(0, dtype=int), np.zeros(0)
    env = lower_convex_envelope(y)
    scale = max(1.0, float(np.max(np.abs(y))))
    on = np.flatnonzero(np.abs(y - env) <= 1e-12 * scale)
    units = np.diff(on)
    step_gain = y[on[:-1]] - y[on[1:]]
    keep = step_gain > NO_GAIN_CUSTOMERS * 1e-3
    return units[keep].astype(int), step_gain[keep]


# --------------------------------------------------------------------------- wait curves


@dataclass(frozen=True, eq=False)
class WaitCurve:
    """Late customers of one hall as a function of its headcount over a planning horizon.

    ``headcount`` — strictly ascending whole headcounts (people on the hall's books);
    ``late_customers`` — expected customers in the horizon not called within their lane's
    wait target at each headcount (non-increasing); ``customers`` — expected counter
    customers in the horizon; ``target_share`` — share of customers to call within target.
    Values between grid points are read by linear interpolation.
    """

    hall: str
    headcount: np.ndarray
    late_customers: np.ndarray
    customers: float
    target_share: float

    def __post_init__(self) -> None:
        h = np.asarray(self.headcount)
        late = np.asarray(self.late_customers, dtype=float)
        if h.ndim != 1 or len(h) == 0 or late.shape != h.shape:
            raise ValueError(
                f"hall {self.hall!r}: headcount and late_customers must be 1-D of equal, "
                f"non-zero length, got {h.shape} and {late.shape}"
            )
        if not np.all(np.isfinite(h.astype(float))) or np.any(h != np.round(h)) or h[0] < 0:
            raise ValueError(f"hall {self.hall!r}: headcounts must be whole numbers ≥ 0")
        h = h.astype(int)
        if np.any(np.diff(h) <= 0):
            raise ValueError(f"hall {self.hall!r}: headcounts must be strictly ascending")
        tol = 1e-9 * max(1.0, float(self.customers))
        if not np.all(np.isfinite(late)) or late.min() < -tol:
            raise ValueError(f"hall {self.hall!r}: late_customers must be finite and ≥ 0")
        if np.any(np.diff(late) > tol):
            raise ValueError(
                f"hall {self.hall!r}: late_customers must not increase with headcount"
            )
        if not (math.isfinite(self.customers) and self.customers >= 0):
            raise ValueError(f"hall {self.hall!r}: customers must be ≥ 0, got {self.customers}")
        if late.max() > self.customers + tol:
            raise ValueError(
                f"hall {self.hall!r}: late_customers (max {late.max():.6g}) above the "
                f"{self.customers:.6g} customers"
            )
        if not 0.0 <= self.target_share <= 1.0:
            raise ValueError(f"hall {self.hall!r}: target_share in [0, 1], got "
                             f"{self.target_share}")
        late = np.clip(late, 0.0, None)
        h.flags.writeable = False
        late.flags.writeable = False
        object.__setattr__(self, "headcount", h)
        object.__setattr__(self, "late_customers", late)
        object.__setattr__(self, "customers", float(self.customers))
        object.__setattr__(self, "target_share", float(self.target_share))

    @property
    def min_headcount(self) -> int:
        return int(self.headcount[0])

    @property
    def max_headcount(self) -> int:
        return int(self.headcount[-1])

    def late_at(self, h: float) -> float:
        """Late customers at headcount ``h`` (interpolated between grid points)."""
        if not self.min_headcount <= h <= self.max_headcount:
            raise ValueError(
                f"hall {self.hall!r}: headcount {h} outside the curve's "
                f"{self.min_headcount}–{self.max_headcount}"
            )
        return float(np.interp(h, self.headcount, self.late_customers))

    def share_within_target(self, h: float) -> float:
        """Share of customers called within target at ``h``: 1 − late(h) / customers."""
        late = self.late_at(h)
        return 1.0 if self.customers <= 0 else 1.0 - late / self.customers

    def marginal_value(self, h: int) -> float:
        """Customers saved by one more person: late(h) − late(h + 1)."""
        return self.late_at(h) - self.late_at(h + 1)

    def least_headcount_meeting_target(self) -> int | None:
        """Smallest headcount on the curve whose share ≥ ``target_share``; None if none."""
        for h in self.headcount:
            if self.share_within_target(int(h)) >= self.target_share - 1e-12:
                return int(h)
        return None

    def dense(self) -> tuple[np.ndarray, np.ndarray]:
        """(every whole headcount from min to max, late customers interpolated at each)."""
        h = np.arange(self.min_headcount, self.max_headcount + 1)
        return h, np.interp(h, self.headcount, self.late_customers)

    def to_frame(self) -> pd.DataFrame:
        """The curve as a table: hall, headcount, late_customers, share_within_target."""
        late = self.late_customers
        share = 1.0 - late / self.customers if self.customers > 0 else np.ones_like(late)
        return pd.DataFrame({"hall": self.hall, "headcount": self.headcount,
                             "late_customers": late, "share_within_target": share})


def default_headcounts(current: int) -> np.ndarray:
    """⌊50 %⌋ … ⌈150 %⌉ of the current headcount, at least 1."""
    lo = max(1, math.floor(0.5 * current))
    hi = max(lo, math.ceil(1.5 * current))
    return np.arange(lo, hi + 1)


def _fixed_post_hours(
    scenario: Scenario, loads: pd.DataFrame, targets: Mapping[str, LaneTarget],
    fixed_posts: Iterable[str], interval_min: float,
) -> tuple[float, float, pd.DataFrame]:
    """(at-post hours of the fixed posts, late customers of fixed lanes, remaining lane rows).

    ``greeter`` staff per interval is the requirement's utilisation rule (``staff_rule`` of
    :func:`lane_loads`); a *lane* named in ``fixed_posts`` is staffed at its SIPP requirement
    capped at its physical counters, and its late customers are a constant of the curve.
    """
    fixed = set(fixed_posts)
    unknown = sorted(fixed - set(scenario.posts))
    if unknown:
        raise ValueError(f"fixed_posts: posts of the hall ({scenario.posts}), found {unknown}")
    hours, late = 0.0, 0.0
    greeter = loads[loads["post"] == "greeter"]
    if "greeter" in fixed:
        hours += float(greeter["staff_rule"].clip(lower=0).sum()) * interval_min / 60.0
    lanes = loads[loads["post"] != "greeter"]
    for lane in sorted(fixed & set(scenario.lanes)):
        tg = targets[lane]
        cap = scenario.lanes[lane].counters
        rows = lanes[lanes["post"] == lane]
        for lam, es in rows[["rate_per_min", "mean_service_min"]].itertuples(index=False):
            if lam <= 0:
                continue
            staff = min(cap, stationary_staff(lam, es, tg))
            hours += staff * interval_min / 60.0
            late += late_customers(lam, es, staff, tg.wait_target_min, interval_min,
                                   tg.patience_mean_min)
    return hours, late, lanes[~lanes["post"].isin(fixed)]


def _greedy_steps(
    scenario: Scenario, lanes: pd.DataFrame, targets: Mapping[str, LaneTarget],
    interval_min: float,
) -> tuple[float, np.ndarray, np.ndarray]:
    """(late with no counter staff, units per step, gain per step) in greedy order.

    One unit = one person at one counter for one interval. Every (date, interval, lane) cell
    has its late curve over 0 … counters servers; its lower convex hull is cut into steps
    (vertex to vertex) and all steps of all cells are sorted by gain per unit, best first —
    the same order a heap holding each cell's next step would pop them (per-cell gains per
    unit decrease along the hull).
    """
    cache: dict[tuple, tuple[float, np.ndarray, np.ndarray]] = {}
    late0 = 0.0
    units_all, gains_all = [], []
    for lane, lam, es in lanes[["post", "rate_per_min", "mean_service_min"]].itertuples(
        index=False
    ):
        if lam <= 0:
            continue
        key = (lane, lam, es)
        if key not in cache:
            curve = _late_curve(lam, es, targets[lane], interval_min,
                                scenario.lanes[lane].counters)
            cache[key] = (float(curve[0]), *_hull_steps(curve))
        first, units, gains = cache[key]
        late0 += first
        units_all.append(units)
        gains_all.append(gains)
    if not units_all:
        return late0, np.zeros(0, dtype=int), np.zeros(0)
    units = np.concatenate(units_all)
    gains = np.concatenate(gains_all)
    order = np.argsort(-gains / units, kind="stable")
    return late0, units[order], gains[order]


def wait_curve(
    scenario: Scenario,
    demand: Demand,
    headcounts: Iterable[int] | None = None,
    fixed_posts: Sequence[str] = ("greeter",),
    *,
    weekly_hours: float | None = None,
    productive_share: float | None = None,
    duty_managers: int | None = None,
    loads: pd.DataFrame | None = None,
) -> WaitCurve:
    """Late customers in ``demand``'s horizon for each hall headcount in ``headcounts``.

    Staff-hour accounting for a headcount h over D = number of dates in ``demand``:

    * paid hours per person = ``weekly_hours`` × D / 7 (default
      ``scenario.labour.max_avg_weekly_hours``, 40 h — the average-week labour rule);
    * at-post hours per person = paid hours × ``productive_share`` (default 1 − total
      shrinkage of :meth:`Shrinkage.for_scenario`: handover ``labour.handover_min`` / 8 h,
      5 % short breaks, 3 % training ≈ 0.89; the unpaid meal break is not in paid hours);
    * ``duty_managers`` people (default: the scenario's employees with ``duty_manager``)
      are not counter staff and are taken off h first;
    * the fixed posts are overhead taken next: greeters at the requirement's rule
      (``staff_rule`` of :func:`lane_loads`), a lane named in ``fixed_posts`` at its SIPP
      requirement (capped at its counters);
    * the remaining counter at-post hours, in units of one counter × one interval, are
      placed greedily on the (date, interval, lane) cell whose late customers fall most per
      unit, never above the lane's physical counters (``scenario.lanes[lane].counters``).

    The greedy works on the lower convex hull of each cell's curve (with patience, a lane in
    overload gains little from its first server and much from the second, so cell curves are
    often not convex near 0) and takes hull steps whole. One pass builds the whole curve:
    late(h) is read off after the longest prefix of steps (best gain per unit first) that
    fits in h's K counter units. Such a prefix leaves every cell on its hull, so it is the
    exact optimum of the fluid problem (staff-hours freely spread over cells) for the U ≤ K
    units it uses, and U > K − max counters (the next step did not fit); hence
    opt(K) ≤ late(h) ≤ opt(K − counters + 1), a few units in the hundreds a person brings over
    a month. Shift shapes, meal breaks and leave are not modelled — the roster realises
    somewhat less; see :func:`calibrate`.

    ``headcounts`` defaults to :func:`default_headcounts` of the scenario's staff list.
    ``customers`` counts the counter customers of all lanes; ``target_share`` is the
    customer-weighted mean of the lanes' ``min_share`` (each lane's wait target and patience
    come from :func:`lane_target`). ``loads`` may pass a precomputed :func:`lane_loads`.
    """
    interval_min = float(demand.interval_min)
    loads = lane_loads(scenario, demand) if loads is None else loads
    days = int(loads["date"].nunique())
    targets = {lane: lane_target(scenario, lane) for lane in scenario.lanes}
    employees = scenario.staff.all_employees()
    hc = (default_headcounts(len(employees)) if headcounts is None
          else np.unique(np.asarray(list(headcounts), dtype=int)))
    if len(hc) == 0 or hc[0] < 0:
        raise ValueError(f"headcounts must be whole numbers ≥ 0, got {list(hc)}")
    n_dm = (sum(e.duty_manager for e in employees) if duty_managers is None
            else _check_count(duty_managers, "duty_managers"))
    week_h = (scenario.labour.max_avg_weekly_hours if weekly_hours is None
              else _check_number(weekly_hours, "weekly_hours", positive=True))
    share = (1.0 - Shrinkage.for_scenario(scenario).total if productive_share is None
             else float(productive_share))
    if not 0.0 < share <= 1.0:
        raise ValueError(f"productive_share must lie in (0, 1], got {productive_share!r}")

    fixed_hours, fixed_late, lanes = _fixed_post_hours(scenario, loads, targets, fixed_posts,
                                                       interval_min)
    late0, units, gains = _greedy_steps(scenario, lanes, targets, interval_min)
    counter_people = np.clip(hc - n_dm, 0, None)
    counter_hours = np.clip(counter_people * week_h * days / 7.0 * share - fixed_hours, 0, None)
    budget_units = np.floor(counter_hours / (interval_min / 60.0) + 1e-9)
    taken = np.searchsorted(np.cumsum(units), budget_units, side="right")
    saved = np.concatenate(([0.0], np.cumsum(gains)))[taken]
    late = np.clip(late0 - saved, 0.0, None) + fixed_late

    counter_rows = loads[loads["post"] != "greeter"]
    lane_customers = (counter_rows.groupby("post")["rate_per_min"].sum() * interval_min)
    customers = float(lane_customers.sum())
    target_share = (
        float(sum(targets[k].min_share * v for k, v in lane_customers.items()) / customers)
        if customers > 0 else float(scenario.targets.min_share_called_within)
    )
    return WaitCurve(
        hall=scenario.hall.id,
        headcount=hc,
        late_customers=np.minimum(np.minimum.accumulate(late), customers),
        customers=customers,
        target_share=target_share,
    )


def calibrate(curve: WaitCurve, observed_late: float, at_headcount: float) -> WaitCurve:
    """The curve scaled by r = observed_late / late(at_headcount), so it passes through
    (``at_headcount``, ``observed_late``).

    The simulator (shift shapes, lognormal service, priorities, balking, escalation) is the
    authority at the planned headcount; the Erlang curve supplies only the *shape* around it.
    Scaling by a ratio keeps the curve non-increasing; values are capped at ``customers``.
    ``observed_late`` must lie in [0, customers]; a curve that is 0 at ``at_headcount`` can
    only be calibrated to 0 (returned unchanged).
    """
    obs = _check_number(observed_late, "observed_late", positive=False)
    if obs > curve.customers + 1e-9:
        raise ValueError(
            f"hall {curve.hall!r}: observed_late {obs:g} above the curve's "
            f"{curve.customers:g} customers"
        )
    ref = curve.late_at(at_headcount)
    if ref <= 0.0:
        if obs == 0.0:
            return curve
        raise ValueError(
            f"hall {curve.hall!r}: the curve has no late customers at headcount "
            f"{at_headcount}, cannot scale it to {obs:g}"
        )
    scaled = np.minimum(curve.late_customers * (obs / ref), curve.customers)
    return WaitCurve(curve.hall, curve.headcount, scaled, curve.customers, curve.target_share)


# --------------------------------------------------------------------------- region allocation


def _bounds(
    curves: Sequence[WaitCurve], minimum: Mapping[str, int] | None,
    maximum: Mapping[str, int] | None,
) -> tuple[list[int], list[int]]:
    lows, highs = [], []
    for c in curves:
        lo = int((minimum or {}).get(c.hall, c.min_headcount))
        hi = int((maximum or {}).get(c.hall, c.max_headcount))
        if not c.min_headcount <= lo <= c.max_headcount:
            raise ValueError(f"hall {c.hall!r}: minimum {lo} outside the curve's "
                             f"{c.min_headcount}–{c.max_headcount}")
        if not c.min_headcount <= hi <= c.max_headcount:
            raise ValueError(f"hall {c.hall!r}: maximum {hi} outside the curve's "
                             f"{c.min_headcount}–{c.max_headcount}")
        if hi < lo:
            raise ValueError(f"hall {c.hall!r}: maximum {hi} below minimum {lo}")
        lows.append(lo)
        highs.append(hi)
    return lows, highs


def _check_curves(curves: Iterable[WaitCurve]) -> list[WaitCurve]:
    out = list(curves)
    if not out:
        raise ValueError("no wait curves given")
    names = [c.hall for c in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"hall names must be unique, found duplicates {dupes}")
    return out


def _row(curve: WaitCurve, h: int) -> dict:
    nxt = curve.marginal_value(h) if h + 1 <= curve.max_headcount else math.nan
    share = curve.share_within_target(h)
    return {
        "hall": curve.hall,
        "headcount": int(h),
        "late_customers": curve.late_at(h),
        "share_within_target": share,
        "marginal_value_next": nxt,
        "meets_target": bool(share >= curve.target_share - 1e-12),
    }


ALLOCATION_METHODS = ("auto", "greedy", "exact")
"""Values of ``method`` in :func:`allocate_headcount`."""


def _is_convex(values: np.ndarray) -> bool:
    """True when every second difference y[i−1] − 2·y[i] + y[i+1] ≥ −tol (diminishing
    returns), tol = ``_HULL_EPS`` × max(1, max |y|); sequences of ≤ 2 points are convex."""
    y = np.asarray(values, dtype=float)
    if len(y) <= 2:
        return True
    scale = max(1.0, float(np.max(np.abs(y))))
    return bool(np.all(np.diff(y, 2) >= -_HULL_EPS * scale))


def _greedy_extra(envelopes: Sequence[np.ndarray], extra: int) -> list[int]:
    """Marginal analysis: extra people per hall above its minimum, one at a time.

    ``envelopes[i][k]`` is hall i's (convex) late customers with k people above its minimum.
    Each person goes to the hall with the largest next gain envelope[k] − envelope[k + 1]
    (ties: the hall first in the input order); stops when ``extra`` is spent, every hall is
    at its end, or the best gain is below ``NO_GAIN_CUSTOMERS``. O(E log N) for E people
    placed over N halls.
    """
    gains = [-np.diff(env) for env in envelopes]
    ks = [0] * len(envelopes)
    heap = [(-float(g[0]), i) for i, g in enumerate(gains) if len(g)]
    heapq.heapify(heap)
    remaining = extra
    while remaining > 0 and heap:
        neg_gain, i = heapq.heappop(heap)
        if -neg_gain < NO_GAIN_CUSTOMERS:
            break
        ks[i] += 1
        remaining -= 1
        if ks[i] < len(gains[i]):
            heapq.heappush(heap, (-float(gains[i][ks[i]]), i))
    return ks


def _exact_extra(values: Sequence[np.ndarray], extra: int) -> list[int]:
    """Exact dynamic programme: extra people k_i per hall (0 ≤ k_i < len(values[i])).

    Minimises Σ_i values[i][k_i] + ``NO_GAIN_CUSTOMERS`` · Σ_i k_i subject to Σ_i k_i ≤
    ``extra`` (``values[i][k]`` = hall i's late customers with k people above its minimum).
    Halls are added one at a time by a min-plus convolution over the number of extra people
    b used *exactly* by the halls so far:

        f_0(0) = 0,   f_i(b) = min_{0 ≤ k ≤ min(b, n_i − 1)} f_{i−1}(b − k) + values[i][k],

    for b = 0 … min(extra, Σ_{j ≤ i} (n_j − 1)) (every such b is reachable, so there are no
    infinite entries); each convolution is vectorised over b, one numpy pass per k. An argmin
    table per hall (smallest k on exact ties) is kept for backtracking. The final b minimises
    f_N(b) + ``NO_GAIN_CUSTOMERS`` · b (smallest b on exact ties), so a person is left
    unassigned unless the people used save at least ``NO_GAIN_CUSTOMERS`` each on average.

    Ties between allocations of equal objective (equal in floating point) go to the smallest
    k of the *last* hall, then of the one before it, and so on (earlier halls in the input
    order get the people) — the same leaning as the greedy's ties.

    Time O(Σ_i n_i · B), memory O(N · B) small integers for the argmin tables, B =
    min(extra, Σ_i (n_i − 1)) + 1: 500 halls × 40 options × B ≈ 6,000 is 1.2·10⁸ elementary
    operations in 20,000 numpy calls, about 0.2 s on a 2-core machine, and 6 MB of int16.
    """
    f = np.zeros(1)
    tables: list[np.ndarray] = []
    for v in values:
        n = len(v)
        size = min(len(f) + n - 1, extra + 1)
        new = np.full(size, np.inf)
        arg = np.zeros(size, dtype=np.int16 if n <= np.iinfo(np.int16).max else np.int32)
        for k in range(min(n, size)):
            m = min(len(f), size - k)
            cand = f[:m] + v[k]
            better = cand < new[k:k + m]
            np.copyto(new[k:k + m], cand, where=better)
            np.copyto(arg[k:k + m], k, where=better)
        f = new
        tables.append(arg)
    b = int(np.argmin(f + NO_GAIN_CUSTOMERS * np.arange(len(f))))
    ks = []
    for arg in reversed(tables):
        k = int(arg[b])
        ks.append(k)
        b -= k
    return ks[::-1]


def allocate_headcount(
    curves: Iterable[WaitCurve],
    budget: int,
    minimum: Mapping[str, int] | None = None,
    maximum: Mapping[str, int] | None = None,
    method: str = "auto",
) -> pd.DataFrame:
    """Split a region headcount ``budget`` across halls to minimise total late customers.

    Every hall i gets a whole headcount h_i in [``minimum``, ``maximum``] (defaults: the
    curve's smallest and largest headcount; curves on a sparse grid are interpolated linearly
    at whole headcounts) with Σ h_i ≤ ``budget``, minimising Σ late_i(h_i). People are left
    unassigned only when no hall gains from them (see below). Methods:

    * ``"greedy"`` — marginal analysis (Fox 1966; Koole, *Call Center Optimization*, §10.3):
      every hall starts at its minimum; each further person goes to the hall whose next person
      saves the most late customers on the *lower convex envelope* of its curve (between
      minimum and maximum), ties to the hall first in the input order, until the budget is
      spent, every hall is at its maximum, or no hall gains ``NO_GAIN_CUSTOMERS`` or more.
      O(E log N), E = people placed. On convex (diminishing-return) curves it is exact; on
      non-convex curves (real hall curves are not always convex: a person may save little
      until the next one joins) it is exact whenever every hall ends on an envelope vertex,
      and may miss the optimum when the budget runs out inside a non-convex stretch.
    * ``"exact"`` — a dynamic programme over halls × people (min-plus convolution of the
      halls' integer curves late_i(minimum_i + k), see :func:`_exact_extra`): the optimum
      over all allocations. O(Σ_i n_i · B) time, n_i = maximum_i − minimum_i + 1 options,
      B = budget − Σ minimum_i; 500 halls × 40 options × B = 6,000 takes about 0.2 s.
    * ``"auto"`` (default) — the greedy when every curve is convex on its [minimum, maximum]
      (second differences ≥ −1e-12 × the curve's scale; the greedy is then exact), else the
      exact programme.

    Unassigned people: the greedy stops when the best next gain is below
    ``NO_GAIN_CUSTOMERS``; the exact programme minimises Σ late + ``NO_GAIN_CUSTOMERS`` ·
    (people assigned), i.e. it uses fewer people when the total late customers differ by
    less than ``NO_GAIN_CUSTOMERS`` per person left out (on convex curves both rules agree;
    the total is then at most ``NO_GAIN_CUSTOMERS`` × budget above the strict minimum).
    Ties between equally good allocations are deterministic: the greedy gives a person to
    the hall first in the input order; the exact programme gives the smallest headcount to
    the last hall, then to the one before it, and so on.

    Returns one row per hall: hall, headcount, late_customers (the curve's own value),
    share_within_target, marginal_value_next (late(h) − late(h + 1) on the curve itself, not
    the envelope — what the next person would save; NaN at the curve's end, even when the
    hall's ``maximum`` is lower), meets_target. ``attrs`` hold the budget, the allocated and
    unallocated headcount, the total late customers, ``method`` ("greedy" or "exact": the
    one used) and ``optimality_gap_bound``: for the greedy Σ late − Σ envelope at the
    allocation — no allocation within the budget saves more than that many further late
    customers (0: provably optimal); 0 for the exact programme.
    """
    if method not in ALLOCATION_METHODS:
        raise ValueError(f"method must be one of {ALLOCATION_METHODS}, got {method!r}")
    cs = _check_curves(curves)
    b = _check_count(budget, "budget")
    lows, highs = _bounds(cs, minimum, maximum)
    if b < sum(lows):
        detail = ", ".join(f"{c.hall}: {lo}" for c, lo in zip(cs, lows, strict=True))
        raise ValueError(
            f"budget {b} is below the sum of minimum headcounts {sum(lows)} ({detail})"
        )
    values = []
    for c, lo, hi in zip(cs, lows, highs, strict=True):
        _, late = c.dense()
        values.append(late[lo - c.min_headcount:hi - c.min_headcount + 1])
    if method == "auto":
        method = "greedy" if all(_is_convex(v) for v in values) else "exact"
    if method == "greedy":
        envelopes = [lower_convex_envelope(v) for v in values]
        ks = _greedy_extra(envelopes, b - sum(lows))
        on_envelope = sum(float(env[k]) for env, k in zip(envelopes, ks, strict=True))
    else:
        ks = _exact_extra(values, b - sum(lows))
        on_envelope = math.inf  # no bound needed: the allocation is optimal
    heads = [lo + k for lo, k in zip(lows, ks, strict=True)]
    table = pd.DataFrame([_row(c, h) for c, h in zip(cs, heads, strict=True)])
    total = float(table["late_customers"].sum())
    gap = max(0.0, total - on_envelope)
    table.attrs.update(budget=b, allocated=int(sum(heads)), unallocated=b - int(sum(heads)),
                       total_late_customers=total, optimality_gap_bound=gap, method=method)
    return table


def least_headcount_plan(curves: Iterable[WaitCurve]) -> pd.DataFrame:
    """Per hall the least headcount meeting its target share, and the region total.

    Columns: hall, headcount, late_customers, share_within_target, target_share,
    meets_target, capped (True when no headcount on the curve meets the target: the curve's
    largest headcount is reported and the hall needs more than the curve covers). The last
    row (hall ``REGION_TOTAL``) sums headcount and late customers; its shares are
    customer-weighted, meets_target says every hall meets its own target.
    """
    cs = _check_curves(curves)
    rows = []
    for c in cs:
        h = c.least_headcount_meeting_target()
        capped = h is None
        h = c.max_headcount if h is None else h
        share = c.share_within_target(h)
        rows.append({
            "hall": c.hall, "headcount": int(h), "late_customers": c.late_at(h),
            "share_within_target": share, "target_share": c.target_share,
            "meets_target": not capped, "capped": capped,
        })
    table = pd.DataFrame(rows)
    customers = sum(c.customers for c in cs)
    late = float(table["late_customers"].sum())
    total = {
        "hall": REGION_TOTAL,
        "headcount": int(table["headcount"].sum()),
        "late_customers": late,
        "share_within_target": 1.0 - late / customers if customers > 0 else 1.0,
        "target_share": (sum(c.target_share * c.customers for c in cs) / customers
                         if customers > 0 else float(np.mean([c.target_share for c in cs]))),
        "meets_target": bool(table["meets_target"].all()),
        "capped": bool(table["capped"].any()),
    }
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


__all__ = [
    "ALLOCATION_METHODS",
    "NO_GAIN_CUSTOMERS",
    "REGION_TOTAL",
    "WaitCurve",
    "allocate_headcount",
    "calibrate",
    "default_headcounts",
    "late_customers",
    "least_headcount_plan",
    "lower_convex_envelope",
    "wait_curve",
]

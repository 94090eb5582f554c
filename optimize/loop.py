"""The verify-and-correct loop: demand → requirement → roster → simulate the roster → correct.

1. *Demand*: the forecast from the history store (``forecast_month``) or the scenario's own
   demand profile.
2. *Requirement*: staff needed at each post per interval (``hallplan.optimize.requirements``;
   lag-corrected Erlang by default — the loop below is the simulation-based correction).
3. *Roster*: CP-SAT, two stages (``hallplan.optimize.roster``), checked by the independent checker.
4. *Verify*: simulate the rostered month (N replications, common random numbers).
5. *Correct*: wherever an interval misses its target **with statistical confidence** — the
   one-sided upper confidence bound of the share called within target is below the target —
   raise that interval's requirement by one at that lane (up to the physical counters) and
   re-roster with the previous roster as a warm start. Stop when every interval holds, or when
   the raises no longer change the roster (headcount exhausted) — then say where, and by how
   many staff.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hallplan.optimize.requirements import requirement_with_diagnostics
from hallplan.optimize.roster import RosterOptimizer, RosterProblem, RosterResult, SolverConfig
from hallplan.optimize.staffing_requirement import Requirement
from hallplan.sim.demand import Demand
from hallplan.sim.intervals import t_half_width
from hallplan.sim.replicate import Results, simulate
from hallplan.sim.scenario import Scenario


@dataclass(frozen=True)
class PlanConfig:
    """Settings of one planning run (all recorded in plan.json)."""

    reps: int = 5
    seed: int = 1
    requirement_method: str = "lag"
    roster_time_limit_s: float = 60.0
    workers: int = 2
    max_rounds: int = 3
    confidence: float = 0.9  # one-sided, for "misses the target with confidence"
    cost_per_paid_hour: float = 45.0  # assumption: CNY per paid staff hour (wage + on-costs)


#: CP-SAT search workers of the roster, fixed (not PlanConfig.workers): interleaved search is
#: deterministic for a given worker count, so a plan does not change with the machine or the
#: number of processes it runs on — only its wall time does.
ROSTER_SEARCH_WORKERS = 2


def roster_solver(config: PlanConfig) -> SolverConfig:
    """The solver settings of a plan: a deterministic budget (work units, see
    ``hallplan.optimize.roster.config``), so the roster is a pure function of (inputs, seed)."""
    return SolverConfig(time_limit_s=config.roster_time_limit_s,
                        workers=ROSTER_SEARCH_WORKERS, seed=config.seed)


@dataclass(frozen=True)
class LoopRound:
    round: int
    requirement_staff_hours: float
    paid_hours: float
    under_coverage_staff_hours: float
    roster_summary: str
    misses: pd.DataFrame  # date, interval_start_min, lane, mean, upper, target, tickets
    raised: int  # requirement cells raised after this round
    capped: int  # misses that could not be raised (physical counters reached)
    #: misses by cause: "roster" (rostered below the requirement), "requirement" (staffed as
    #: required, counters free: the requirement is too low), "layout" (every counter staffed)
    causes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PlanResult:
    scenario: Scenario
    dates: tuple[dt.date, ...]
    demand: Demand
    config: PlanConfig
    initial_requirement: Requirement
    requirement: Requirement
    roster: RosterResult
    results: Results
    rounds: tuple[LoopRound, ...]
    problem: RosterProblem
    notes: list[str] = field(default_factory=list)
    over_layout: pd.DataFrame = field(default_factory=pd.DataFrame)
    solver: dict = field(default_factory=dict)  # SolverConfig.as_record()
    chosen: int = -1  # index into rounds of the roster the plan keeps (the best round)

    @property
    def final_round(self) -> LoopRound:
        """The round whose roster is the plan (the best one, not always the last)."""
        return self.rounds[self.chosen]

    @property
    def targets_hold(self) -> bool:
        return self.final_round.misses.empty

    def shortfall(self) -> pd.DataFrame:
        """Where the last round still misses, and how many staff the roster lacks there
        (required − rostered at the post)."""
        misses = self.final_round.misses
        if misses.empty:
            return misses.assign(required=[], rostered=[], short_staff=[])
        m = misses.rename(columns={"staffed": "rostered"})
        m["short_staff"] = (m["required"] - m["rostered"]).clip(lower=0)
        return m


def lane_share_target(scenario: Scenario, lane: str) -> float:
    """The share-called-within-target a lane is judged by (the VIP room by the VIP class)."""
    for name, cls in scenario.customer_classes.items():
        if cls.lane == lane and name in scenario.targets.by_class:
            return scenario.targets.by_class[name].min_share_called_within
    return scenario.targets.min_share_called_within


def find_misses(results: Results, scenario: Scenario, confidence: float) -> pd.DataFrame:
    """Intervals (during opening hours, with customers) whose share called within target
    misses the lane's target with confidence: mean + t_{conf, n−1}·s/√n < target.
    With one replication nothing can be claimed with confidence, so the mean is used."""
    k = results.interval_kpis
    k = k[(k["tickets"] > 0) & (k["interval_start_min"] < scenario.hours.close)]
    g = k.groupby(["date", "interval_start_min", "lane"])["share_called_within_target"]
    s = g.agg(mean="mean", std="std", n="count").reset_index()
    tickets = k.groupby(["date", "interval_start_min", "lane"])["tickets"].mean().to_numpy()
    hw = t_half_width(s["std"].fillna(0), s["n"], confidence, two_sided=False)
    s["upper"] = s["mean"] + np.nan_to_num(hw, nan=0.0)  # one replication: judge the mean
    s["target"] = [lane_share_target(scenario, lane) for lane in s["lane"]]
    s["tickets"] = tickets
    miss = s[s["upper"] < s["target"]]
    return miss[["date", "interval_start_min", "lane", "mean", "upper", "target", "tickets"]]


def classify_misses(misses: pd.DataFrame, coverage: pd.DataFrame, scenario: Scenario
                    ) -> pd.DataFrame:
    """Sort each miss into its cause, from the roster's coverage of that interval:
    ``roster`` — fewer people rostered than required (a roster gap: staff-limited where the
    checker's ``why_short`` says so); ``layout`` — every counter of the lane staffed and still
    missing (add a counter); ``requirement`` — staffed as required with counters free (the
    requirement is too low: raise it)."""
    cov = coverage.rename(columns={"post": "lane"})[
        ["date", "interval_start_min", "lane", "required", "staffed"]].copy()
    cov["interval_start_min"] = cov["interval_start_min"].astype(float)
    m = misses.copy()
    m["interval_start_min"] = m["interval_start_min"].astype(float)
    m = m.merge(cov, on=["date", "interval_start_min", "lane"], how="left")
    m[["required", "staffed"]] = m[["required", "staffed"]].fillna(0)
    counters = np.array([scenario.physical_capacity(lane) for lane in m["lane"]], dtype=float)
    staffed = m["staffed"].to_numpy(dtype=float)
    required = m["required"].to_numpy(dtype=float)
    m["cause"] = np.where(staffed < required, "roster",
                          np.where(staffed >= counters, "layout", "requirement"))
    return m


def raise_requirement(
    req: Requirement, misses: pd.DataFrame, scenario: Scenario
) -> tuple[Requirement, int, int]:
    """+1 staff at each missed (date, interval, lane), up to the lane's physical counters."""
    t = req.table.copy()
    raised = capped = 0
    key = t.set_index(["date", "interval_start_min", "post"]).index
    pos = {k: i for i, k in enumerate(key)}
    for row in misses.itertuples(index=False):
        i = pos.get((row.date, float(row.interval_start_min), row.lane))
        cap = scenario.physical_capacity(row.lane)
        if i is None:
            t.loc[len(t)] = [row.date, float(row.interval_start_min), row.lane, 1, "loop"]
            raised += 1
        elif t.at[i, "staff"] < cap:
            t.at[i, "staff"] += 1
            t.at[i, "method"] = f"{t.at[i, 'method']}+loop"
            raised += 1
        else:
            capped += 1
    return Requirement(req.interval_min, t, req.notes), raised, capped


def cap_to_layout(req: Requirement, scenario: Scenario) -> tuple[Requirement, pd.DataFrame]:
    """No roster can put more people at a post than it has counters: cap the requirement at
    the physical capacity and return where the need exceeds the layout (a layout finding,
    not a staffing one)."""
    t = req.table.copy()
    cap = t["post"].map(scenario.physical_capacity)
    over = t[t["staff"] > cap].assign(counters=cap[t["staff"] > cap])
    t["staff"] = np.minimum(t["staff"], cap)
    return Requirement(req.interval_min, t, req.notes), over.reset_index(drop=True)


def plan(
    scenario: Scenario,
    demand: Demand,
    dates: list[dt.date],
    config: PlanConfig = PlanConfig(),
    progress: Callable[[str], None] | None = None,
) -> PlanResult:
    """Run the loop (see the module docstring)."""
    say = progress or (lambda _msg: None)
    say(f"requirement ({config.requirement_method})")
    req0, _diag = requirement_with_diagnostics(
        scenario, demand, config.requirement_method, seed=config.seed, workers=config.workers
    )
    req, over_layout = cap_to_layout(req0, scenario)
    rounds: list[LoopRound] = []
    previous = None
    best = None  # (score, round index, requirement, roster, results, problem)
    solver = roster_solver(config)
    notes: list[str] = []
    if len(over_layout):
        worst = over_layout.sort_values("staff", ascending=False).iloc[0]
        notes.append(
            f"{len(over_layout)} requirement cells exceed the hall's counters (worst: "
            f"{worst['post']} {worst['date']} needs {int(worst['staff'])} at "
            f"{int(worst['counters'])} counters) — capped at the layout"
        )
    for rnd in range(1, config.max_rounds + 1):
        say(f"round {rnd}: roster")
        problem = RosterProblem.from_scenario(scenario, req)
        result = RosterOptimizer(problem, solver, warm_start=previous).solve()
        say(f"round {rnd}: simulate the roster ({config.reps} replications × {len(dates)} days)")
        res = simulate(
            scenario,
            demand,
            result.roster.to_staffing(),
            reps=config.reps,
            seed=config.seed,
            dates=dates,
            workers=config.workers,
            keep_customers=False,
        )
        misses = classify_misses(find_misses(res, scenario, config.confidence),
                                 result.check.coverage, scenario)
        last = rnd == config.max_rounds or misses.empty
        # only a requirement that was delivered and still missed is too low; a roster gap is
        # the roster's to close, a layout miss no staff can close
        to_raise = misses[misses["cause"] == "requirement"]
        new_req, raised, capped = ((req, 0, 0) if last
                                   else raise_requirement(req, to_raise, scenario))
        capped += int((misses["cause"] == "layout").sum())
        rounds.append(
            LoopRound(
                round=rnd,
                requirement_staff_hours=req.staff_hours(),
                paid_hours=result.roster.paid_hours(),
                under_coverage_staff_hours=result.check.under_staff_hours,
                roster_summary=result.summary(),
                misses=misses.reset_index(drop=True),
                raised=raised,
                capped=capped,
                causes=misses["cause"].value_counts().to_dict(),
            )
        )
        say(f"round {rnd}: {len(misses)} interval(s) miss the target; raised {raised}")
        score = (len(misses), result.check.under_staff_hours, result.roster.paid_hours())
        if best is None or score < best[0]:
            best = (score, len(rounds) - 1, req, result, res, problem)
        if last:
            break
        if raised == 0:
            c = rounds[-1].causes
            notes.append(
                f"round {rnd}: no requirement left to raise — of {len(misses)} missed "
                f"intervals, {c.get('roster', 0)} are roster gaps (rostered below the "
                f"requirement; see the roster's reasons), {c.get('layout', 0)} have every "
                "counter staffed (layout limit: add a counter)"
            )
            break
        if (
            rounds[-1].under_coverage_staff_hours > 0
            and len(rounds) > 1
            and math.isclose(rounds[-1].paid_hours, rounds[-2].paid_hours, rel_tol=1e-9)
        ):
            notes.append(
                f"round {rnd}: the roster no longer changes although the requirement rose — "
                "the headcount is exhausted"
            )
            break
        req, previous = new_req, result.roster
    _, chosen, req, result, res, problem = best
    if chosen != len(rounds) - 1:
        notes.append(
            f"round {chosen + 1}'s roster is kept: it misses fewer intervals "
            f"({len(rounds[chosen].misses)} vs {len(rounds[-1].misses)} in round {len(rounds)}) "
            "— raising the requirement did not pay off within the solver budget"
        )
    return PlanResult(
        scenario=scenario,
        dates=tuple(dates),
        demand=demand,
        config=config,
        initial_requirement=req0,
        requirement=req,
        roster=result,
        results=res,
        rounds=tuple(rounds),
        problem=problem,
        notes=notes,
        over_layout=over_layout,
        solver=solver.as_record(),
        chosen=chosen,
    )

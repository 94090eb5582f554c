"""The verify-and-correct loop: demand → requirement → roster → simulate the roster → correct.

1. *Demand*: the forecast from the history store (``forecast_month``) or the scenario's own
   demand profile.
2. *Requirement*: staff needed at each post per interval (``hallplan.optimize.requirements``;
   lag-corrected Erlang by default — the loop below is the simulation-based correction).
3. *Full-staffing check*, once: the same customers with every counter staffed all day. What
   misses there is a layout finding (add a counter), never a reason to raise the requirement.
4. *Roster* (``hallplan.optimize.roster``), checked by the independent checker.
5. *Verify*: simulate the rostered month (N replications, common random numbers) and find the
   intervals that miss their target **with confidence** (:func:`optimize.misses.find_misses`:
   a replication t-bound and an exact binomial bound, so a two-ticket lane is not judged on a
   zero-variance t-interval).
6. *Correct*: sort every miss (:func:`optimize.misses.classify_misses`) — *layout* (misses at
   full staffing), *roster* (rostered below the requirement: staff-limited where nobody
   qualified has room), *requirement* (staffed as required, counters free) — and raise only
   the requirement misses by one, and make the next roster deliver the roster misses first
   (they become *priority* cells, where a missing person costs
   ``RosterProblem.priority_factor`` times more, so the re-roster takes the hours from intervals
   whose lane has room); then re-roster. A round worse than the best so far stops the
   loop, and the best round's roster is the plan; the loop also stops when nothing is left to
   raise or prioritise. What still misses is said in numbers: layout findings, and "N more
   X-qualified staff on <weekday>s HH:MM–HH:MM" for staff-limited intervals.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hallplan.optimize.misses import (
    classify_misses,
    find_misses,
    full_staffing,
    lane_month_kpis,
    staff_limited,
    staffing_advice,
)
from hallplan.optimize.requirements import requirement_with_diagnostics
from hallplan.optimize.roster import (
    RosterInfeasibleError,
    RosterNotFoundError,
    RosterOptimizer,
    RosterProblem,
    RosterResult,
    SolverConfig,
)
from hallplan.optimize.staffing_requirement import Requirement, staff_on_the_floor
from hallplan.sim.background import BackgroundSimulation
from hallplan.sim.demand import Demand
from hallplan.sim.notes import Note
from hallplan.sim.replicate import Results, simulate
from hallplan.sim.scenario import Scenario

#: the loop's notes for the planner (English; ``hallplan.i18n`` has each as ``note_<key>``)
NOTES = {
    "over_layout": "{n} requirement cells exceed the hall's counters (worst: {post} {date} "
                   "needs {staff} at {counters} counters) — capped at the layout",
    "layout_misses": "{n} interval(s) miss their target even with every counter staffed all "
                     "day (same customers): layout findings, not staffing ones",
    "availability": "staff availability {a}: the roster puts the serving requirement ÷ "
                    "availability on the floor",
    "no_valid_reroster": "round {round}: the re-roster found no valid roster ({reasons}) — "
                         "round {kept}'s roster is kept",
    "worse_round": "round {round} is worse than round {best} ({open} vs {best_open} intervals "
                   "staff could fix; {lost} cell(s) the previous roster covered were lost) — "
                   "the loop stops and keeps the better roster",
    "nothing_to_raise": "round {round}: no requirement left to raise — {roster} missed "
                        "interval(s) are roster gaps (rostered below the requirement; {limited} "
                        "staff-limited: nobody qualified has room under the labour rules)",
    "headcount_exhausted": "round {round}: the roster no longer changes although the "
                           "requirement rose — the headcount is exhausted",
    "prioritised": "round {round}: {n} roster gap(s) (intervals rostered below the "
                   "requirement that missed their target) are delivered first in round "
                   "{next}: a missing person there costs {factor}× more, so the re-roster "
                   "takes the hours from intervals whose lane has room",
    "best_round_kept": "round {kept}'s roster is kept: it leaves fewer intervals staff could "
                       "fix missing ({best_open} vs {last_open} in round {last})",
}


#: the loop's progress steps (English; ``hallplan.i18n`` has each as ``note_<key>``): the
#: ``progress`` callback gets them as :class:`Note` s, plain English strings that the CLI says
#: in the report language
STEPS = {
    "step_requirement": "requirement ({method})",
    "step_full_check": "full-staffing check: every counter staffed (replications)",
    "step_round_roster": "round {round}/{rounds}: roster",
    "step_round_roster_stage": "round {round}/{rounds}: roster {stage}",
    "step_round_simulate": "round {round}/{rounds}: simulate the roster (replications)",
    "step_round_result": "round {round}: {open} interval(s) staff could fix miss the target "
                         "({layout} more are layout-limited); raised {raised}",
}


def _note(key: str, **fields: object) -> Note:
    return Note(NOTES, key, **fields)


def _step(key: str, **fields: object) -> Note:
    return Note(STEPS, key, **fields)


@dataclass(frozen=True)
class PlanConfig:
    """Settings of one planning run (all recorded in plan.json)."""

    reps: int = 5
    seed: int = 1
    requirement_method: str = "lag"
    roster_time_limit_s: float = 60.0
    #: work units of the first roster's CP-SAT polish of the shift plan (0 = off; slow,
    #: see ``optimize.roster.polish``)
    roster_polish_units: float = 0.0
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
                        workers=ROSTER_SEARCH_WORKERS, seed=config.seed,
                        polish_work_units=config.roster_polish_units)


@dataclass(frozen=True)
class LoopRound:
    round: int
    requirement_staff_hours: float
    paid_hours: float
    under_coverage_staff_hours: float
    roster_summary: str
    #: date, interval_start_min, lane, mean, upper, target, tickets, required, staffed,
    #: cause (roster / requirement / layout), staff_limited
    misses: pd.DataFrame
    raised: int  # requirement cells raised after this round
    capped: int  # misses that could not be raised (layout-limited)
    #: misses by cause: "roster" (rostered below the requirement), "requirement" (staffed as
    #: required, counters free: the requirement is too low), "layout" (misses even with every
    #: counter staffed)
    causes: dict = field(default_factory=dict)
    #: requirement cells the previous round's roster covered and this one does not
    lost_cells: int = 0


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
    #: the intervals that miss even with every counter staffed all day (same customers)
    layout_misses: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: per lane over the month with every counter staffed (what the layout can reach)
    full_staffing_kpis: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def final_round(self) -> LoopRound:
        """The round whose roster is the plan (the best one, not always the last)."""
        return self.rounds[self.chosen]

    @property
    def open_misses(self) -> pd.DataFrame:
        """The kept round's misses that staff could close (roster or requirement causes);
        layout-limited intervals are findings about the hall, not the plan."""
        m = self.final_round.misses
        return m[m["cause"] != "layout"] if "cause" in m else m

    @property
    def targets_hold(self) -> bool:
        """Every interval meets its target wherever the layout allows (no miss with
        confidence but those that remain with every counter staffed), and every lane meets
        its month targets."""
        lanes = self.lane_kpis()
        return self.open_misses.empty and (lanes.empty or bool(lanes["holds"].all()))

    def lane_kpis(self) -> pd.DataFrame:
        """Per lane over the month: share called within target and abandonment (with 95%
        intervals) under the plan's roster, and whether the lane meets its targets."""
        return lane_month_kpis(self.results, self.scenario)

    def advice(self) -> pd.DataFrame:
        """Staff-limited misses summed into "N more X-qualified staff on <weekday>s
        HH:MM–HH:MM" (:func:`hallplan.optimize.misses.staffing_advice`)."""
        return staffing_advice(self.final_round.misses, self.problem.interval_min)

    def verdict(self) -> str:
        """One sentence for the planner: do the targets hold, and if not, what is missing."""
        m = self.final_round.misses
        layout = int((m["cause"] == "layout").sum()) if "cause" in m else 0
        lanes = self.lane_kpis()
        short_lanes = [] if lanes.empty else [
            f"{r.lane} {r.share_within:.1%} within target (target {r.target:.0%}), "
            f"{r.abandon_share:.1%} abandoned" for r in lanes.itertuples() if not r.holds]
        layout_part = (f"; {layout} interval(s) miss even with every counter staffed — "
                       "layout findings (add a counter)" if layout else "")
        if self.open_misses.empty and not short_lanes:  # targets_hold, from these lanes
            return ("targets hold: every lane within target over the month and no interval "
                    "staff could fix left missing" + layout_part)
        parts = []
        if short_lanes:
            parts.append("lanes below target over the month: " + "; ".join(short_lanes))
        open_m = self.open_misses
        if len(open_m):
            lim = int(open_m.get("staff_limited", pd.Series(dtype=bool)).sum())
            parts.append(f"{len(open_m)} interval(s) staff could fix still miss"
                         + (f" ({lim} staff-limited)" if lim else ""))
        adv = self.advice()
        if len(adv):
            parts.append("would hold with " + "; ".join(adv["advice"].head(5)))
        return "targets still missed: " + "; ".join(parts) + layout_part

    def shortfall(self) -> pd.DataFrame:
        """Where the kept round still misses, and how many staff the roster lacks there
        (required − rostered at the post)."""
        misses = self.final_round.misses
        if misses.empty:
            return misses.assign(required=[], rostered=[], short_staff=[])
        m = misses.rename(columns={"staffed": "rostered"})
        m["short_staff"] = (m["required"] - m["rostered"]).clip(lower=0)
        return m


def roster_gap_cells(gaps: pd.DataFrame, problem: RosterProblem
                     ) -> frozenset[tuple[dt.date, str, int]]:
    """The (date, post, interval index) cells of roster-gap misses (``cause == "roster"``),
    for :attr:`RosterProblem.priority`."""
    index = {float(t0): k for k, t0 in enumerate(problem.grid)}
    return frozenset((d, lane, index[float(t)]) for d, t, lane in
                     zip(gaps["date"], gaps["interval_start_min"], gaps["lane"], strict=True)
                     if float(t) in index and lane in problem.posts)


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


def lost_coverage(previous: pd.DataFrame, current: pd.DataFrame) -> int:
    """Requirement cells (date, post, interval) the previous round's roster staffed at its
    requirement and the current one staffs below it: coverage a re-roster lost."""
    keys = ["date", "post", "interval_start_min"]
    prev = previous[previous["staffed"] >= previous["required"]][[*keys, "required"]]
    cur = current[[*keys, "staffed"]]
    both = prev.merge(cur, on=keys, how="left").fillna({"staffed": 0})
    return int((both["staffed"] < both["required"]).sum())


def plan(
    scenario: Scenario,
    demand: Demand,
    dates: list[dt.date],
    config: PlanConfig = PlanConfig(),
    progress: Callable[..., None] | None = None,
) -> PlanResult:
    """Run the loop (see the module docstring). ``progress(message, done=None, total=None)``
    is called at each step, with counts where there are some (roster stages, replications);
    the loop itself never prints.

    The full-staffing simulation is needed only once the first roster has been simulated;
    with more than one worker it starts first, at the lowest CPU priority
    (:class:`hallplan.sim.background.BackgroundSimulation`), and fills the cores the roster
    solve leaves idle. Its results are the same as when run in the foreground."""
    say = progress or (lambda _msg, _done=None, _total=None: None)
    sim_args = dict(reps=config.reps, seed=config.seed, dates=dates, workers=config.workers,
                    keep_customers=False)
    full_step = _step("step_full_check")
    background = (BackgroundSimulation(scenario, demand, full_staffing(scenario), **sim_args)
                  if config.workers > 1 else None)

    def report(done: int, total: int) -> None:
        say(full_step, done, total)

    def full_check() -> Results:
        say(full_step, 0, config.reps * len(dates))
        if background is not None:
            return background.result(progress=report)
        return simulate(scenario, demand, full_staffing(scenario), **sim_args,
                        progress=report)

    try:
        return _plan_rounds(scenario, demand, dates, config, say, sim_args, full_check)
    finally:
        if background is not None:
            background.close()  # stops it if an interrupt or an error came first


def _plan_rounds(scenario: Scenario, demand: Demand, dates: list[dt.date],
                 config: PlanConfig, say: Callable[..., None], sim_args: dict,
                 full_check: Callable[[], Results]) -> PlanResult:
    """The loop's rounds (:func:`plan`); ``full_check()`` gives the full-staffing
    simulation, asked for once the first roster is solved."""
    say(_step("step_requirement", method=config.requirement_method))
    req0, _diag = requirement_with_diagnostics(
        scenario, demand, config.requirement_method, seed=config.seed, workers=config.workers
    )
    req, over_layout = cap_to_layout(req0, scenario)
    layout_misses = full_kpis = None  # the full-staffing check's, after round 1's roster
    rounds: list[LoopRound] = []
    previous = None
    best = None  # (score, round index, requirement, roster, results, problem)
    solver = roster_solver(config)
    notes: list[Note] = []
    if len(over_layout):
        worst = over_layout.sort_values("staff", ascending=False).iloc[0]
        notes.append(_note("over_layout", n=len(over_layout), post=worst["post"],
                           date=worst["date"], staff=int(worst["staff"]),
                           counters=int(worst["counters"])))
    layout_note_at = len(notes)  # the layout note goes here once the full check is in
    prev_cov = None
    previous_plan = None  # the round's shift plan: a re-roster re-plans changed weeks only
    # roster gaps of earlier rounds: the re-roster delivers them first (RosterProblem.priority)
    priority: frozenset[tuple[dt.date, str, int]] = frozenset()
    if scenario.staff.availability < 1.0:
        notes.append(_note("availability", a=f"{scenario.staff.availability:g}"))
    for rnd in range(1, config.max_rounds + 1):
        say(_step("step_round_roster", round=rnd, rounds=config.max_rounds))
        problem = RosterProblem.from_scenario(scenario, staff_on_the_floor(req, scenario),
                                              priority=priority)
        optimizer = RosterOptimizer(
            problem, solver, warm_start=previous, previous_plan=previous_plan,
            progress=lambda stage, done, total, rnd=rnd: say(
                _step("step_round_roster_stage", round=rnd, rounds=config.max_rounds,
                      stage=stage), done, total),
        )
        try:
            result = optimizer.solve()
        except (RosterInfeasibleError, RosterNotFoundError) as exc:
            if best is None:  # no roster at all: the planner must hear why
                raise
            # a re-roster that breaks a hard rule (a duty manager gap) is not a plan: the
            # best round so far stays the plan, and the note says what happened
            reasons = "; ".join(getattr(exc, "messages", None) or [str(exc)])
            notes.append(_note("no_valid_reroster", round=rnd, reasons=reasons,
                               kept=best[1] + 1))
            break
        if layout_misses is None:
            full = full_check()
            layout_misses = find_misses(full, scenario, config.confidence)
            full_kpis = lane_month_kpis(full, scenario)
            if len(layout_misses):
                notes.insert(layout_note_at, _note("layout_misses", n=len(layout_misses)))
        step = _step("step_round_simulate", round=rnd, rounds=config.max_rounds)
        say(step, 0, config.reps * len(dates))
        res = simulate(scenario, demand, result.roster.to_staffing(), **sim_args,
                       progress=lambda done, total, step=step: say(step, done, total))
        misses = classify_misses(find_misses(res, scenario, config.confidence),
                                 result.check.coverage, scenario, layout_misses)
        misses["staff_limited"] = staff_limited(misses, result.check.why_short)
        lost = 0 if prev_cov is None else lost_coverage(prev_cov, result.check.coverage)
        prev_cov = result.check.coverage
        open_misses = misses[misses["cause"] != "layout"]
        # only a requirement that was delivered and still missed is too low; a roster gap is
        # the roster's to close, a layout miss no staff can close
        to_raise = misses[misses["cause"] == "requirement"]
        gaps = roster_gap_cells(misses[misses["cause"] == "roster"], problem) - priority
        last = (rnd == config.max_rounds or open_misses.empty
                or (to_raise.empty and not gaps))
        new_req, raised, capped = ((req, 0, 0) if last or to_raise.empty
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
                lost_cells=lost,
            )
        )
        say(_step("step_round_result", round=rnd, open=len(open_misses),
                  layout=int((misses["cause"] == "layout").sum()), raised=raised))
        score = (len(open_misses), result.check.under_staff_hours, result.roster.paid_hours())
        # worse = more intervals staff could fix missing than the best round. A round that
        # misses as many is not a reason to stop: delivering a priority cell moves hours (more
        # under-coverage where the lanes have room), and its misses may be the kind the next
        # round can raise; the best round by score is still the plan
        worse = best is not None and score[0] > best[0][0]
        if best is None or score < best[0]:
            best = (score, len(rounds) - 1, req, result, res, problem)
        if worse:
            notes.append(_note("worse_round", round=rnd, best=best[1] + 1,
                               open=len(open_misses), best_open=best[0][0], lost=lost))
            break
        if last:
            if not open_misses.empty and to_raise.empty:
                c = rounds[-1].causes
                lim = int(misses["staff_limited"].sum())
                notes.append(_note("nothing_to_raise", round=rnd, roster=c.get("roster", 0),
                                   limited=lim))
            break
        if (
            rounds[-1].under_coverage_staff_hours > 0
            and len(rounds) > 1
            and math.isclose(rounds[-1].paid_hours, rounds[-2].paid_hours, rel_tol=1e-9)
        ):
            notes.append(_note("headcount_exhausted", round=rnd))
            break
        if gaps:
            notes.append(_note("prioritised", round=rnd, n=len(gaps), next=rnd + 1,
                               factor=problem.priority_factor))
            priority = priority | gaps
        req, previous, previous_plan = new_req, result.roster, optimizer.plan
    _, chosen, req, result, res, problem = best
    if chosen != len(rounds) - 1 and not any(n.key == "worse_round" for n in notes):
        notes.append(_note("best_round_kept", kept=chosen + 1, best_open=best[0][0],
                           last_open=len(rounds[-1].misses), last=len(rounds)))
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
        layout_misses=layout_misses,
        full_staffing_kpis=full_kpis,
    )

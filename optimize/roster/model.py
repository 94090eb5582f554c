"""Solver façade: build, solve, extract, check.

Two formulations share the rule helpers of :mod:`optimize.roster.rules`:

* ``"two_stage"`` (default): stage 1 plans integer shift counts per (date, template, post)
  (:mod:`optimize.roster.stage1`, tight LP bound, minimises under-coverage then paid hours);
  stage 2 assigns named staff to exactly those shifts under the labour rules, with a slack
  for shifts nobody can take (reported as under-coverage) and the fairness/on-call terms.
* ``"monolithic"``: one boolean per (employee, date, template, post) with the coverage,
  paid-hours, fairness and on-call terms in one objective (the benchmark baseline).

Every result is checked by :func:`optimize.roster.check.check_roster` (no ortools), whose
recomputed objective is the one reported.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Literal

from ortools.sat.python import cp_model

from hallplan.optimize.roster import registry as reg
from hallplan.optimize.roster.check import check_roster
from hallplan.optimize.roster.config import SolverConfig, WorkLedger, make_solver
from hallplan.optimize.roster.diagnose import RosterInfeasibleError, explain_core, precheck
from hallplan.optimize.roster.naming import (
    NamingSettings,
    better_naming,
    name_exactly,
    name_greedily,
    name_week_by_week,
)
from hallplan.optimize.roster.polish import polish_plan
from hallplan.optimize.roster.pooled import PooledPlan, PooledSettings, solve_pooled_plan
from hallplan.optimize.roster.problem import RosterProblem, day_label, post_label
from hallplan.optimize.roster.reclaim import reclaim_stranded_budget
from hallplan.optimize.roster.repair import pick_on_call, repair_roster
from hallplan.optimize.roster.retime import retime_days
from hallplan.optimize.roster.rules import (
    HARD_RULES_ASSIGNMENT,
    PenaltyTerm,
    add_cover_requirement,
    add_duty_manager_on_site,
    add_fairness,
    add_fill_planned_shifts,
    add_on_call_reserve,
    add_paid_hours_cost,
    objective,
)
from hallplan.optimize.roster.solution import Roster, RosterResult, StageStats
from hallplan.optimize.roster.stage1 import solve_stage1
from hallplan.optimize.roster.templates import clock
from hallplan.optimize.roster.vars import AssignmentVars, Option
from hallplan.sim.notes import Note

Method = Literal["pooled", "two_stage", "monolithic"]

#: the roster's progress stages (English; ``hallplan.i18n`` has each as ``note_<key>``):
#: ``progress`` gets them as :class:`Note` s, plain English strings the CLI can translate
STEPS = {
    "step_stage1_counts": "stage 1: shift counts",
    "step_stage1_days": "stage 1: shift counts (days)",
    "step_stage1_month": "stage 1: shift counts (the month again, across days)",
    "step_stage2_groups": "stage 2: named staff (skill groups)",
    "step_retime_days": "stage 2: shifts re-timed (days)",
    "step_two_stage1": "two-stage 1: shift counts",
    "step_two_stage2": "two-stage 2: named staff",
}


def _step(key: str) -> Note:
    return Note(STEPS, key)
_OK = (cp_model.OPTIMAL, cp_model.FEASIBLE)


class RosterNotFoundError(RuntimeError):
    """CP-SAT found no roster within the time limit (status given), never a sentinel result."""


@dataclass
class AssignmentModel:
    model: cp_model.CpModel
    V: AssignmentVars
    terms: list[PenaltyTerm]
    on_call: dict


def build_assignment_model(P: RosterProblem, options: dict[dt.date, list[Option]],
                           planned: dict | None = None,
                           post_weight: dict[str, float] | None = None) -> AssignmentModel:
    """The assignment model: hard rules, duty manager, then either the coverage + paid-hours
    terms (monolithic) or the planned shifts to fill (stage 2); fairness and on-call last."""
    m = cp_model.CpModel()
    V = AssignmentVars(m, P, options)
    for rule in HARD_RULES_ASSIGNMENT:
        rule(m, P, V)
    terms = add_duty_manager_on_site(m, P, V)
    if planned is None:
        terms += add_cover_requirement(m, P, V)
        terms += add_paid_hours_cost(m, P, V)
    else:
        terms += add_fill_planned_shifts(m, P, V, planned, post_weight)
    terms += add_fairness(m, P, V)
    reserve_terms, on_call = add_on_call_reserve(m, P, V)
    terms += reserve_terms
    m.minimize(objective(terms))
    return AssignmentModel(m, V, terms, on_call)


def _stats(name: str, solver: cp_model.CpSolver, status, model: cp_model.CpModel,
           wall: float) -> StageStats:
    ok = status in _OK
    return StageStats(name, solver.status_name(status),
                      solver.objective_value if ok else float("nan"),
                      solver.best_objective_bound if ok else float("nan"), wall,
                      len(model.proto.variables))


def _roster(P: RosterProblem, am: AssignmentModel, solver: cp_model.CpSolver) -> Roster:
    on_call = tuple(sorted(k for k, v in am.on_call.items() if solver.boolean_value(v)))
    return Roster(tuple(am.V.extract(solver)), P.dates, on_call)


class RosterOptimizer:
    """``RosterOptimizer(problem, config).solve()`` → :class:`RosterResult`.

    ``require_full_cover=True`` makes coverage a hard rule: a requirement that cannot be met
    raises :class:`RosterInfeasibleError` with the reasons. A duty-manager gap always raises.
    ``warm_start`` hints CP-SAT with a previous roster (``AddHint``).
    ``progress(stage, done, total)`` is called at stage boundaries (the engine never prints).
    """

    def __init__(self, problem: RosterProblem, config: SolverConfig | None = None,
                 method: Method = "pooled", require_full_cover: bool = False,
                 warm_start: Roster | None = None, stage1_share: float = 0.3,
                 progress=None, previous_plan: PooledPlan | None = None):
        self.P = problem
        self.config = config or SolverConfig()
        self.method = method
        self.strict = require_full_cover
        self.warm_start = warm_start
        self.stage1_share = stage1_share
        self.pooled_settings = PooledSettings()
        self.naming_settings = NamingSettings()
        #: the shift plan of the loop's previous round: a re-roster plans only the weeks
        #: whose requirement changed (``pooled.replan_changed_weeks``); ``plan`` is this one's
        self.previous_plan = previous_plan
        self.plan: PooledPlan | None = None
        self.progress = progress or (lambda _stage, _done, _total: None)

    # ------------------------------------------------------------------ public
    def solve(self) -> RosterResult:
        messages = precheck(self.P)
        dm_msgs = [m for m in messages if "duty manager" in m]
        if dm_msgs or (self.strict and messages):
            raise RosterInfeasibleError(messages)
        t0 = time.perf_counter()
        self.ledger = WorkLedger(self.config.time_limit_s, self.config.deterministic)
        self.repairs: dict[str, int] = {}
        if self.method == "pooled" and not self.strict:
            roster, stages = self._pooled(t0)
            gaps = len(check_roster(roster, self.P).by_rule(reg.DUTY_MANAGER_ON_SITE.id))
            if gaps:
                # the duty-manager rule may not fail: when the pooled plan leaves a gap the
                # repair cannot close (the managers' individual rules bind), the two-stage
                # method, which plans the managers' shifts first, gets its turn; the roster
                # with fewer gaps (then the better objective) is kept
                self.ledger.budget += self.config.time_limit_s
                alt, alt_stages = self._two_stage(time.perf_counter())
                # the fallback gets the same repair as the pooled roster: no post left short
                # while a qualified person has room (measured on the demo's round 2 without
                # it: 260 such cells, 549 staff-h short)
                alt_rows, alt_repairs = repair_roster(self.P, list(alt.rows))
                repaired = Roster(tuple(alt_rows), self.P.dates, pick_on_call(self.P, alt_rows))
                alt_gaps = len(check_roster(alt, self.P).by_rule(reg.DUTY_MANAGER_ON_SITE.id))
                fixed_gaps = len(check_roster(repaired, self.P).by_rule(
                    reg.DUTY_MANAGER_ON_SITE.id))
                if fixed_gaps <= alt_gaps:  # the repair never trades a manager for a post
                    alt, alt_gaps = repaired, fixed_gaps
                else:
                    alt_repairs = {}
                if alt_gaps < gaps:
                    roster, stages = alt, alt_stages
                    self.repairs = {**alt_repairs, "fell_back_to_two_stage": 1}
        elif self.method in ("two_stage", "pooled"):
            roster, stages = self._two_stage(t0)
        elif self.method == "monolithic":
            roster, stages = self._monolithic()
        else:
            raise ValueError(f"unknown method {self.method!r}")
        wall = time.perf_counter() - t0
        if self.config.deterministic and self.ledger.wall_capped:
            raise RosterNotFoundError(
                f"{self.ledger.wall_capped} solve(s) hit the wall-clock safety cap "
                f"({self.config.wall_cap_factor:g} × the {self.config.time_limit_s:g}-unit budget "
                "+ 30 s): the roster would depend on this machine's speed, so none is returned; "
                "retry on a less loaded machine or with a smaller --time-limit")
        report = check_roster(roster, self.P)
        status = "OPTIMAL" if all(s.status == "OPTIMAL" for s in stages) else "FEASIBLE"
        bound = sum(s.best_bound for s in stages if s.counts_in_bound)
        reproducible = self.config.deterministic and self.ledger.wall_capped == 0
        result = RosterResult(roster, self.method, status, report.objective, bound, wall,
                              stages, report, work_units=self.ledger.spent,
                              reproducible=reproducible, repairs=dict(self.repairs))
        self._raise_on_hard_violations(result)
        return result

    # ------------------------------------------------------------------ formulations
    def _unchanged_weeks(self, g, planned: dict) -> frozenset[int]:
        """The weeks whose plan for group ``g`` is the previous round's, shift for shift."""
        prev = self.previous_plan
        if prev is None:
            return frozenset()
        index = {gg.name: gi for gi, gg in enumerate(prev.groups)}
        if g.name not in index:
            return frozenset()
        gi = index[g.name]
        if prev.groups[gi] != g:  # other members or leave: nothing is the same
            return frozenset()
        before = {(d, ti, p): c for (gg, d, ti, p), c in prev.planned.items()
                  if gg == gi and c > 0}
        out = set()
        for w, wdays in enumerate(self.P.weeks):
            days = set(wdays)
            if ({k: c for k, c in planned.items() if k[0] in days and c > 0}
                    == {k: c for k, c in before.items() if k[0] in days}):
                out.add(w)
        return frozenset(out)

    def _pooled(self, t0: float) -> tuple[Roster, tuple[StageStats, ...]]:
        """Stage 1: integer shift counts per skill group from the month LP
        (:mod:`optimize.roster.pooled`). Stage 2: inside each group (interchangeable people)
        names on the planned shifts under every labour rule (:mod:`optimize.roster.naming`):
        an exact 0/1 programme for the small groups (where skills are scarce), for the large
        ones the same programme week by week or a week-first greedy packing, whichever names
        more; groups side by side. Then the greedy repair
        (:mod:`optimize.roster.repair`) hands shifts nobody in the group could take, and any
        still-short interval, to qualified staff of any group with room under the rules, and
        the on-call reserve is picked from who is off.

        (Measured on the flagship December benchmark: CP-SAT naming per group took 58–108 s
        and left 152.5–168 staff-h short; this naming takes ~25 s and leaves 130.)"""
        P, cfg = self.P, self.config
        days_done, say = itertools.count(1), self.progress
        say(_step("step_stage1_counts"), 0, None)
        plan = solve_pooled_plan(P, cfg, self.pooled_settings, progress=lambda _d: say(
            _step("step_stage1_days"), next(days_done), len(P.dates)),
            previous=self.previous_plan,
            polish=polish_plan if cfg.polish_work_units > 0 else None,
            reclaim=reclaim_stranded_budget,
            on_step=lambda: say(_step("step_stage1_month"), 0, None))
        self.plan = plan
        stages = [StageStats("stage1_pooled_shift_counts", "FEASIBLE", plan.objective,
                             plan.lp_objective, plan.wall_s, plan.n_columns)]
        tasks = []
        for gi, g in enumerate(plan.groups):
            planned = {(d, ti, p): c for (gg, d, ti, p), c in plan.planned.items() if gg == gi}
            if planned:
                tasks.append((g, replace(P, employees=g.members, reserve_dates=frozenset()),
                              planned))
        groups_done = itertools.count(1)
        say(_step("step_stage2_groups"), 0, len(tasks))

        def name(task):
            g, Pg, planned = task
            t1 = time.perf_counter()
            exact = len(g.members) <= self.naming_settings.exact_max_members
            before = self.warm_start.rows if self.warm_start is not None else None
            if exact:
                rows = name_exactly(Pg, planned, self.naming_settings, previous=before)
            elif before is None:
                rows = better_naming(Pg, name_greedily(Pg, planned),
                                     name_week_by_week(Pg, planned, self.naming_settings))
            else:
                # a re-roster: the weeks the loop did not change keep their names and their
                # cover — the greedy gives each shift back to whoever worked it; the
                # programme keeps the unchanged weeks' rows and names the changed weeks
                rows = better_naming(Pg, name_greedily(Pg, planned, previous=before),
                                     name_week_by_week(Pg, planned, self.naming_settings,
                                                       previous=before,
                                                       keep_weeks=self._unchanged_weeks(
                                                           g, planned)))
            unnamed = sum(planned.values()) - len(rows)
            say(_step("step_stage2_groups"), next(groups_done), len(tasks))
            return rows, StageStats(f"stage2_{g.name}", "OPTIMAL" if exact else "FEASIBLE",
                                    float(unnamed), 0.0, time.perf_counter() - t1,
                                    len(g.members) * len(planned), counts_in_bound=False)

        with ThreadPoolExecutor(max_workers=max(cfg.workers, 1)) as pool:
            done = list(pool.map(name, tasks))
        rows = [r for part, _ in done for r in part]
        stages += [st for _, st in done]
        rows, self.repairs = repair_roster(P, rows)
        if self.naming_settings.retime_days:
            days_done = itertools.count(1)
            say(_step("step_retime_days"), 0, len(P.dates))
            rows, _ = retime_days(P, rows, progress=lambda _d: say(
                _step("step_retime_days"), next(days_done), len(P.dates)))
        on_call = pick_on_call(P, rows)
        return Roster(tuple(rows), P.dates, on_call), tuple(stages)

    def _two_stage(self, t0: float) -> tuple[Roster, tuple[StageStats, ...]]:
        P, cfg = self.P, self.config
        ledger = self.ledger
        self.progress(_step("step_two_stage1"), 0, 2)
        r1 = solve_stage1(P, cfg.with_time(cfg.time_limit_s * self.stage1_share),
                          strict=self.strict, warm_start=self.warm_start, ledger=ledger)
        st1 = StageStats("stage1_shift_counts", r1.status, r1.objective, r1.best_bound,
                         time.perf_counter() - t0, r1.n_variables)
        if r1.core is not None:
            raise RosterInfeasibleError(explain_core(P, r1.core) or [
                "the requirement cannot be covered under the labour rules"])
        if r1.status not in ("OPTIMAL", "FEASIBLE"):
            raise RosterNotFoundError(f"stage 1 found no shift plan: {r1.status}")
        planned = dict(r1.planned)
        self.progress(_step("step_two_stage2"), 1, 2)
        stages = [st1]
        rows, on_call = [], []
        dm_ids = {e.id for e in P.duty_managers}
        rest = P
        if dm_ids and len(dm_ids) < len(P.employees):
            # 2a: duty managers first (as planners do): few people, and their on-site rule
            # is the one hard rule with a slack; then 2b: everyone else on what is left.
            left = max(ledger.left(), 0.2 * cfg.time_limit_s)
            p_dm = replace(P, employees=P.duty_managers, reserve_dates=frozenset())
            # a small model (the duty managers only), but the one rule that may not fail:
            # a share of the budget with a floor, so a short time limit cannot starve it
            dm_time = min(max(0.1 * left, 10.0), left)
            am, solver, st = self._assign(p_dm, planned, cfg.with_time(dm_time),
                                          "stage2a_duty_managers",
                                          primary_rules=(reg.DUTY_MANAGER_ON_SITE.id,),
                                          post_weight=scarcity(P, planned))
            stages.append(replace(st, counts_in_bound=False))
            index = {t: k for k, t in enumerate(P.templates)}
            for r in am.V.extract(solver):
                rows.append(r)
                planned[(r.date, index[r.template], r.post)] -= 1
            planned = {k: n for k, n in planned.items() if n > 0}
            rest = replace(P, employees=tuple(e for e in P.employees if e.id not in dm_ids))
        left = max(ledger.left(), 0.2 * cfg.time_limit_s)
        am, solver, st = self._assign(rest, planned, cfg.with_time(left), "stage2_assignment")
        stages.append(st)
        rows += am.V.extract(solver)
        on_call = tuple(sorted(k for k, v in am.on_call.items() if solver.boolean_value(v)))
        return Roster(tuple(rows), P.dates, on_call), tuple(stages)

    def _assign(self, P: RosterProblem, planned: dict, cfg: SolverConfig, name: str,
                primary_rules: tuple[str, ...] = (reg.DUTY_MANAGER_ON_SITE.id, reg.UNSTAFFED_SHIFT),
                post_weight: dict[str, float] | None = None,
                hint: list | None = None):
        """Assign ``P.employees`` to the planned shifts, lexicographically: first the
        ``primary_rules`` terms only (duty-manager gaps, unstaffed shifts: a packing problem
        CP-SAT's LP handles well), then, with that value fixed, the full objective (fairness,
        on-call), hinted with the first solution."""
        options: dict[dt.date, list[Option]] = {}
        for d, ti, p in planned:
            options.setdefault(d, []).append((ti, p))
        am = build_assignment_model(P, options, planned=planned, post_weight=post_weight)
        if self.warm_start is not None and not cfg.deterministic:
            # (measured: with interleaved deterministic search a previous roster's hint —
            # built for other shift counts — traps the assignment in a poor region: 4,460
            # under-covered staff-hours instead of 465 on the flagship month. Stage 1 keeps
            # the warm start; stage 2 is seeded by its own first phase.)
            am.V.hint(self.warm_start)
        elif hint is not None:  # a feasible first assignment (greedy), improved by CP-SAT
            am.V.hint(Roster(tuple(hint), P.dates))
        t1 = time.perf_counter()
        primary = [t for t in am.terms if t.rule in primary_rules]
        fallback = None
        if primary:
            first = am.model.clone()
            first.minimize(objective(primary))
            first_cfg = cfg.with_time(cfg.time_limit_s * 0.8)
            solver = make_solver(first_cfg)
            status = solver.solve(first)
            self.ledger.charge(solver, first_cfg)
            used = solver.response_proto.deterministic_time if cfg.deterministic \
                else solver.response_proto.wall_time
            if status in _OK:
                fallback = (solver, status, first)
                am.model.add(objective(primary) <= round(solver.objective_value))
                am.model.clear_hints()
                values = list(solver.response_proto.solution)
                am.model.proto.solution_hint.vars.extend(range(len(values)))
                am.model.proto.solution_hint.values.extend(values)
            cfg = cfg.with_time(cfg.time_limit_s - used)
        solver = make_solver(cfg)
        status = solver.solve(am.model)
        self.ledger.charge(solver, cfg)
        model = am.model
        if status not in _OK and fallback is not None:  # keep the first phase's assignment
            solver, status, model = fallback
        st = _stats(name, solver, status, model, time.perf_counter() - t1)
        if status not in _OK:
            raise RosterNotFoundError(f"{name} found no assignment: {st.status}")
        return am, solver, st

    def _monolithic(self) -> tuple[Roster, tuple[StageStats, ...]]:
        P = self.P
        options = {d: [(ti, p) for ti in range(len(P.templates)) for p in P.posts
                       if any(P.required[(d, p)])] for d in P.dates}
        t0 = time.perf_counter()
        am = build_assignment_model(P, options)
        if self.warm_start is not None:
            am.V.hint(self.warm_start)
        solver = make_solver(self.config)
        status = solver.solve(am.model)
        self.ledger.charge(solver, self.config)
        st = _stats("monolithic", solver, status, am.model, time.perf_counter() - t0)
        if status not in _OK:
            raise RosterNotFoundError(f"monolithic model found no roster: {st.status}")
        return _roster(P, am, solver), (st,)

    # ------------------------------------------------------------------ verdict
    def _raise_on_hard_violations(self, result: RosterResult) -> None:
        rep = result.check
        bugs = [v for v in rep.violations if v.rule != reg.DUTY_MANAGER_ON_SITE.id]
        if bugs:  # the model and the checker disagree: a bug, never a planner problem
            raise AssertionError("checker rejects the solver's roster:\n"
                                 + "\n".join(map(str, bugs[:20])))
        msgs = [f"{v.when}: no duty manager on site"
                for v in rep.by_rule(reg.DUTY_MANAGER_ON_SITE.id)]
        if self.strict and rep.under_staff_hours > 0:
            msgs += under_coverage_messages(self.P, rep.coverage)
        if msgs:
            raise RosterInfeasibleError(msgs, result)


def scarcity(P: RosterProblem, planned: dict) -> dict[str, float]:
    """Per post: planned paid minutes / the allowance of the non-duty-manager staff who may
    work it, normalised to the largest (1.0 = the scarcest post)."""
    need: dict[str, int] = {}
    for (_d, ti, p), n in planned.items():
        need[p] = need.get(p, 0) + n * P.templates[ti].paid_min
    ratio = {}
    for p, m in need.items():
        cap = sum(P.avg_cap_min(e) for e in P.employees
                  if not e.duty_manager and P.eligible(e, p))
        ratio[p] = m / cap if cap else 10.0
    top = max(ratio.values(), default=1.0) or 1.0
    return {p: r / top for p, r in ratio.items()}


def under_coverage_messages(P: RosterProblem, coverage) -> list[str]:
    """Planner sentences for every uncovered run (date, post, time range, staffed vs need)."""
    out = []
    gaps = coverage[coverage["staffed"] < coverage["required"]]
    for (d, p), g in gaps.groupby(["date", "post"], sort=True):
        g = g.sort_values("interval_start_min")
        run: list = []
        for row in g.itertuples(index=False):
            t0 = int(row.interval_start_min)
            if run and run[-1][1] == t0 and run[-1][2:] == [row.required, row.staffed]:
                run[-1][1] = t0 + P.interval_min
            else:
                run.append([t0, t0 + P.interval_min, row.required, row.staffed])
        for a, b, need, have in run:
            out.append(f"{post_label(p)}, {day_label(d)} {clock(a)}–{clock(b)}: needs {need} "
                       f"at the post, only {have} could be rostered under the labour rules")
    return out


def solve_roster(problem: RosterProblem, config: SolverConfig | None = None,
                 method: Method = "pooled", require_full_cover: bool = False,
                 warm_start: Roster | None = None) -> RosterResult:
    return RosterOptimizer(problem, config, method, require_full_cover, warm_start).solve()

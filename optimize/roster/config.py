"""Solver settings, typed and applied in exactly one place (:func:`make_solver`).

**Reproducibility.** A roster must be a pure function of (problem, seed): a plan that changes
when it is re-run cannot be audited. CP-SAT is deterministic when (a) it stops on its
*deterministic* time (``max_deterministic_time``, a count of work units, not a clock) and
(b) its parallel workers are interleaved in a fixed order (``interleave_search``) or there is
one worker. With ``deterministic=True`` (the default) the budget ``time_limit_s`` is therefore
read as deterministic time — about one second of one core of a current machine per unit — and
every split of the budget between stages is made from the deterministic time the earlier
solves reported (:class:`WorkLedger`), never from the wall clock. A wall-clock cap
(``wall_cap_factor`` × budget + 30 s) stays as a safety net for pathological cases only; a
solve stopped by it is an error (``RosterOptimizer`` raises), never a silent different roster.

``deterministic=False`` gives the classic wall-clock limit with a free-running parallel
portfolio (faster on some instances, not reproducible).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from hallplan.sim.interrupt import stoppable


@dataclass(frozen=True)
class SolverConfig:
    time_limit_s: float = 60.0
    workers: int = 2
    seed: int = 0
    log: bool = False
    deterministic: bool = True
    #: the wall-clock safety net, × budget + 30 s; generous so a loaded machine never hits it
    #: (measured: 3× cut solves on a busy 2-core box); a solve it stops raises instead of
    #: returning a roster that depends on the machine's speed
    wall_cap_factor: float = 20.0
    #: "covering" — for the stage-1 shift-count models, whose LP relaxation is tight: no
    #: probing or symmetry detection (measured: a day to optimality in about a third of the
    #: deterministic time with one worker); "polish" — neighbourhood search only, from a hint
    #: (:mod:`optimize.roster.polish`)
    profile: str = "default"
    #: work units of CP-SAT's neighbourhood search on the month's pooled shift plan after
    #: the day-by-day plan (:mod:`optimize.roster.polish`); 0 = off. Deterministic, and
    #: slow: measured on 2 cores, the flagship month went 100.5 → 97.0 missing staff-h with
    #: 30 units (107 → 256 s) and → 93.5 with 100 units (472 s)
    polish_work_units: float = 0.0

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError(f"time_limit_s must be > 0, got {self.time_limit_s}")
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")
        if self.wall_cap_factor < 1:
            raise ValueError(f"wall_cap_factor must be >= 1, got {self.wall_cap_factor}")
        if self.polish_work_units < 0:
            raise ValueError(f"polish_work_units must be >= 0, got {self.polish_work_units}")
        if self.profile not in ("default", "covering", "polish"):
            raise ValueError(f"profile must be 'default', 'covering' or 'polish', got "
                             f"{self.profile!r}")

    def with_time(self, time_limit_s: float) -> SolverConfig:
        return replace(self, time_limit_s=max(time_limit_s, 0.1))

    def with_workers(self, workers: int) -> SolverConfig:
        return replace(self, workers=max(int(workers), 1))

    def as_record(self) -> dict:
        """What plan.json records so a plan can be reproduced."""
        return {"time_limit": self.time_limit_s,
                "time_limit_unit": "deterministic time" if self.deterministic else "seconds",
                "workers": self.workers, "seed": self.seed,
                "deterministic": self.deterministic,
                "interleave_search": self.deterministic and self.workers > 1,
                "polish_work_units": self.polish_work_units,
                "ortools": _ortools_version()}


def _ortools_version() -> str:
    import ortools

    return ortools.__version__


class StoppableSolver(cp_model.CpSolver):
    """A CP-SAT solver that Ctrl-C stops cleanly (see :mod:`hallplan.sim.interrupt`).

    CP-SAT's own SIGINT handling (``catch_sigint_signal``, on by default) is switched off: it
    ends the search quietly and returns the best roster so far, so an interrupted plan went on
    with a different roster than an uninterrupted one (and with several solves alive at once,
    it aborted the process with ``std::bad_function_call``). Here the solve registers
    ``stop_search`` with the stop registry; after a stop it raises ``Interrupted``."""

    def solve(self, model, solution_callback=None):
        with stoppable(self.stop_search):
            return super().solve(model, solution_callback)


def make_solver(config: SolverConfig) -> cp_model.CpSolver:
    """The only place that writes ``solver.parameters``."""
    solver = StoppableSolver()
    p = solver.parameters
    p.catch_sigint_signal = False
    p.num_workers = int(config.workers)
    p.random_seed = int(config.seed) % (2**31)  # CP-SAT takes a 32-bit signed seed
    p.log_search_progress = bool(config.log)
    if config.deterministic:
        p.max_deterministic_time = float(config.time_limit_s)
        p.max_time_in_seconds = float(config.wall_cap_factor * config.time_limit_s + 30.0)
        if config.workers > 1:
            p.interleave_search = True
    else:
        p.max_time_in_seconds = float(config.time_limit_s)
    if config.profile == "covering":
        p.cp_model_probing_level = 0
        p.symmetry_level = 0
    if config.profile == "polish":
        # improving a hinted plan: every work unit goes to the neighbourhood workers, none
        # to full-problem searches that only raise the bound (measured on the flagship month
        # with interleaved workers: 30 units of the default portfolio left the hint as it was)
        p.use_lns_only = True
    return solver


def hit_wall_cap(solver: cp_model.CpSolver) -> bool:
    """The last solve was stopped by the wall-clock safety cap (not by its work units), so
    its result may depend on the machine's load."""
    return solver.response_proto.wall_time >= 0.98 * solver.parameters.max_time_in_seconds


class WorkLedger:
    """Budget bookkeeping in the solver's deterministic time (thread-safe).

    ``spent`` sums the deterministic time reported by each solve; ``left()`` is what remains
    of ``budget``. Because both come from the solver's work counters, the way a budget is split
    between stages and days does not depend on the machine's load. ``wall_capped`` counts
    solves the wall-clock safety net stopped (their results may not reproduce)."""

    def __init__(self, budget: float, deterministic: bool = True):
        self.budget = float(budget)
        self.deterministic = deterministic
        self.spent = 0.0
        self.wall_capped = 0
        self._lock = threading.Lock()

    def charge(self, solver: cp_model.CpSolver, config: SolverConfig) -> None:
        r = solver.response_proto
        with self._lock:
            if self.deterministic:
                self.spent += float(r.deterministic_time)
                if config.deterministic and hit_wall_cap(solver):
                    self.wall_capped += 1
            else:
                self.spent += float(r.wall_time)

    def left(self) -> float:
        return max(self.budget - self.spent, 0.0)

"""CP-SAT roster optimiser (issue 5): requirement × staff × labour rules → named roster.

Layout (one file per role): ``templates`` (shift shapes), ``problem`` (inert data),
``vars`` (decision-variable container), ``registry`` (every rule once: id, words, weight, model
part, check), ``rules`` (one CP-SAT helper per rule), ``stage1`` (shift
counts), ``model`` (solver façade), ``config`` (``SolverConfig``), ``solution`` (typed
output), ``check`` (independent checker, no ortools), ``diagnose`` (infeasibility in words),
``io`` (entry points).
"""

from importlib import import_module

# ortools-free modules are imported eagerly; the CP-SAT side lazily, so that
# ``import hallplan.optimize.roster.check`` (the independent checker) never loads ortools.
from hallplan.optimize.roster.check import CheckReport, Violation, check_roster
from hallplan.optimize.roster.diagnose import RosterInfeasibleError, precheck
from hallplan.optimize.roster.problem import RosterProblem, Weights
from hallplan.optimize.roster.solution import Roster, RosterResult, RosterRow, StageStats
from hallplan.optimize.roster.templates import ShiftTemplate, build_templates

_LAZY = {
    "SolverConfig": "config", "make_solver": "config",
    "month_dates": "io", "requirement_from_bands": "io", "roster_from_files": "io",
    "RosterNotFoundError": "model", "RosterOptimizer": "model", "solve_roster": "model",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f"hallplan.optimize.roster.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'hallplan.optimize.roster' has no attribute {name!r}")


__all__ = [
    "CheckReport", "Roster", "RosterInfeasibleError", "RosterNotFoundError", "RosterOptimizer",
    "RosterProblem", "RosterResult", "RosterRow", "ShiftTemplate", "SolverConfig", "StageStats",
    "Violation", "Weights", "build_templates", "check_roster", "make_solver", "month_dates",
    "precheck", "requirement_from_bands", "roster_from_files", "solve_roster",
]

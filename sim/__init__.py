"""hallplan.sim — the discrete-event model of a telecom business hall.

Definition (``scenario``, ``demand``, ``staffing``) is kept apart from the engine
(``hall``) and from the results (``records``, ``kpi``); ``replicate.simulate`` ties
them together over replications. This package imports nothing from ``forecast``,
``optimize`` or ``hallplan``.
"""

from hallplan.sim.demand import Demand, demand_from_profile
from hallplan.sim.errors import ScenarioError
from hallplan.sim.loader import load_scenario, scenario_from_dict
from hallplan.sim.replicate import Results, simulate
from hallplan.sim.scenario import Scenario
from hallplan.sim.staffing import Staffing

__all__ = [
    "Demand",
    "Results",
    "Scenario",
    "ScenarioError",
    "Staffing",
    "demand_from_profile",
    "load_scenario",
    "scenario_from_dict",
    "simulate",
]

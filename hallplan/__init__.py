"""hallplan — planning tool for telecom business halls (CLI, pipeline, reports).

Python API (mirrors the CLI)::

    from hallplan import load_scenario, simulate
    s = load_scenario("scenarios/flagship_city_centre.toml")
    results = simulate(s, dates=[s.reference_date], reps=20, seed=1)
    results.day_summary()
"""

from hallplan.sim import Demand, Results, Scenario, ScenarioError, Staffing, load_scenario, simulate

__version__ = "0.1.0"

# the simulator's API, re-exported (hallplan.sim.__all__ less its lower-level helpers)
__all__ = [
    "Demand", "Results", "Scenario", "ScenarioError", "Staffing", "__version__", "load_scenario",
    "simulate",
]

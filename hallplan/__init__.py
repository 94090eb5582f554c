"""hallplan — planning tool for telecom business halls (CLI, pipeline, reports).

Python API (mirrors the CLI)::

    from hallplan import load_scenario, simulate
    s = load_scenario("scenarios/flagship_city_centre.toml")
    results = simulate(s, dates=[s.reference_date], reps=20, seed=1)
    results.day_summary()

The simulator's names are loaded on first use (PEP 562): importing ``hallplan`` itself stays
instant, so the command line can take over Ctrl-C before its slow imports start
(``hallplan.__main__``).
"""

from __future__ import annotations

__version__ = "0.1.0"

# the simulator's API, re-exported (hallplan.sim.__all__ less its lower-level helpers)
__all__ = [
    "Demand", "Results", "Scenario", "ScenarioError", "Staffing", "__version__", "load_scenario",
    "simulate",
]


def __getattr__(name: str):
    if name in __all__:
        import hallplan.sim

        return getattr(hallplan.sim, name)
    raise AttributeError(f"module 'hallplan' has no attribute {name!r}")

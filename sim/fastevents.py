"""The one place the hall engine leans on SimPy internals (SimPy 4.1).

The engine's hot path schedules thousands of events per simulated day. SimPy's
:class:`~simpy.events.Timeout` checks its arguments and carries a ``__dict__``; the engine
instead hands :meth:`simpy.core.Environment.schedule` a :class:`Tick`, the lightest object
``Environment.step`` can process. That relies on what ``step`` reads of an event — its
``callbacks`` list, ``_ok`` and (on failure) ``_value`` — and on the priority constant
``NORMAL``: internals that a SimPy release may change. ``tests/test_golden_day.py`` pins the
SimPy versions this was checked against (:data:`CHECKED_SIMPY`) and runs a Tick through a
real ``Environment``; a new SimPy fails that test until this module is checked again.

Callbacks receive the Tick and read its payload as ``tick._value`` (the attribute name
``Event`` uses, so a Tick and a SimPy event look alike to ``step``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy
from simpy.events import NORMAL

# SimPy major.minor releases whose Environment.step this module was checked against
CHECKED_SIMPY: tuple[str, ...] = ("4.1",)

__all__ = ["CHECKED_SIMPY", "Tick", "new_environment", "scheduler"]


class Tick:
    """A triggered, successful event with one callback (``callback(tick)``) and a payload
    ``_value``; ``__slots__`` instead of a dict, no argument checks."""

    __slots__ = ("_ok", "_value", "callbacks")

    def __init__(self, callback: Callable[[Tick], None], value: Any):
        self.callbacks = [callback]
        self._ok = True
        self._value = value


Schedule = Callable[[Tick, float], None]


def new_environment() -> simpy.Environment:
    return simpy.Environment()


def scheduler(env: simpy.Environment) -> Schedule:
    """``schedule(Tick(callback, value), delay)`` runs ``callback(tick)`` after ``delay``, at
    normal priority (in the order scheduled among events due at the same time)."""
    schedule = env.schedule

    def at(tick: Tick, delay: float) -> None:
        schedule(tick, NORMAL, delay)

    return at

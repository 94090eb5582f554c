"""Stopping long computations when the user interrupts (Ctrl-C): what the engine needs.

The command line (``hallplan.interrupt``) owns the signal handling; the engine packages
(``sim``, ``optimize``) may not import it, so the pieces they need live here:

* a **stop registry**: a solve that runs in native code (CP-SAT, HiGHS) cannot see Python's
  ``KeyboardInterrupt`` until it returns — on a month's roster that is minutes. Each such solve
  runs inside :func:`stoppable`, which registers a way to stop it; :func:`request_stop` (called
  by the SIGINT handling) stops every registered solve and marks the run interrupted;
* the **rule after a stop**: a stopped solve returns its best-so-far, which is *not* the result
  of the run the user asked for (a different roster than an uninterrupted run). So when the
  solve returns, :func:`stoppable` raises :class:`Interrupted` (a ``KeyboardInterrupt``):
  nothing downstream may carry on as if the result were complete;
* :func:`ignore_sigint`, the initializer of the simulator's and the region's worker
  processes: Ctrl-C in a terminal reaches the whole process group, and a worker that dies of it
  prints its own traceback; the parent stops them instead (:func:`abandon_pool`).
"""

from __future__ import annotations

import itertools
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

__all__ = [
    "Interrupted", "abandon_pool", "check", "ignore_sigint", "pool_map", "request_stop",
    "reset", "run_highs", "running", "stop_requested", "stop_running", "stoppable",
]

_lock = threading.Lock()
_stoppers: dict[int, Callable[[], None]] = {}
_keys = itertools.count()
_requested = threading.Event()


class Interrupted(KeyboardInterrupt):
    """The run was interrupted; whatever was being computed is incomplete and discarded."""


def request_stop() -> None:
    """Mark the run interrupted and stop every registered solve (safe from any thread)."""
    _requested.set()
    stop_running()


def stop_running() -> int:
    """Ask every registered solve to stop; returns how many were running."""
    with _lock:
        stoppers = list(_stoppers.values())
    for stop in stoppers:
        with suppress(Exception):
            stop()
    return len(stoppers)


def stop_requested() -> bool:
    return _requested.is_set()


def running() -> int:
    """How many stoppable solves are running now."""
    with _lock:
        return len(_stoppers)


def reset() -> None:
    """Forget an earlier interrupt (a new command starts)."""
    _requested.clear()


def check() -> None:
    """Raise :class:`Interrupted` if a stop was requested (call between units of work)."""
    if _requested.is_set():
        raise Interrupted("interrupted")


@contextmanager
def stoppable(stop: Callable[[], None]) -> Iterator[None]:
    """Run a solve that ``stop()`` can cut short; raise :class:`Interrupted` after it if a
    stop was requested meanwhile (its best-so-far is not the result that was asked for)."""
    check()
    key = next(_keys)
    with _lock:
        _stoppers[key] = stop
    try:
        yield
    finally:
        with _lock:
            _stoppers.pop(key, None)
    check()


def run_highs(h) -> object:
    """``h.run()`` for a ``highspy.Highs``, stoppable: the user-interrupt callback lets
    :func:`request_stop` cancel it (``cancelSolve``); raises :class:`Interrupted` if it did."""
    h.HandleUserInterrupt = True
    with stoppable(h.cancelSolve):
        return h.run()


def ignore_sigint() -> None:
    """Process-pool initializer: the worker ignores Ctrl-C; its parent decides and stops it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def abandon_pool(pool) -> None:
    """Stop a ``concurrent.futures.ProcessPoolExecutor`` now: cancel what has not started and
    terminate the workers (``shutdown(wait=True)`` would first finish every queued task)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(timeout=5)


def pool_map(fn: Callable, tasks, workers: int, chunksize: int = 1) -> Iterator:
    """``fn`` over ``tasks`` in a local process pool of ``workers`` (which ignore Ctrl-C),
    the results in task order. On any exception — an interrupt included, or the caller
    leaving the loop early — the pool is stopped at once (:func:`abandon_pool`) instead of
    finishing every queued task first."""
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, initializer=ignore_sigint)
    try:
        yield from pool.map(fn, tasks, chunksize=chunksize)
    except BaseException:
        abandon_pool(pool)
        raise
    pool.shutdown()

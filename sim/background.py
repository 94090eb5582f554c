"""A simulation run at the lowest CPU priority while the caller does other work.

The planning loop needs the full-staffing simulation (every counter staffed, the same
customers) only after the first roster has been simulated, to tell layout misses from
staffing ones. The roster solve leaves a core idle now and then (measured on the flagship
demo: ~10 s of one core while the 22-strong general group is named), so the loop starts that
simulation first, in worker processes at the lowest priority (``os.nice(19)`` where the
platform has it): they take only CPU the roster leaves free, and the roster is not slowed.

The results are those of :func:`hallplan.sim.replicate.simulate` with the same arguments:
each replication is a pure function of (inputs, seed), whichever process runs it and when.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from hallplan.sim.interrupt import abandon_pool, ignore_sigint
from hallplan.sim.replicate import Results, simulate

#: the worker processes' niceness (19: the lowest priority on Linux and macOS)
BACKGROUND_NICENESS = 19


def _background_worker() -> None:
    """Process-pool initializer: ignore Ctrl-C (the parent stops the pool) and run at the
    lowest CPU priority, where the platform allows it."""
    ignore_sigint()
    if hasattr(os, "nice"):
        # not permitted here: run at normal priority (same results)
        with contextlib.suppress(OSError):
            os.nice(BACKGROUND_NICENESS)


class BackgroundSimulation:
    """``simulate(scenario, demand, staffing, **kwargs)`` started now in ``workers``
    low-priority processes; :meth:`result` waits for it. Always call :meth:`result` or
    :meth:`close` (a ``with`` block closes on leaving)."""

    def __init__(self, scenario, demand, staffing, *, workers: int, **kwargs) -> None:
        self._pool = ProcessPoolExecutor(max_workers=max(workers, 1),
                                         initializer=_background_worker)
        # fork the workers now, from this thread, before the caller starts solver threads
        # (a fork while other threads hold locks may deadlock the child)
        self._pool.submit(os.getpid).result()
        self.done = 0
        self.total = 0
        self._results: Results | None = None
        self._error: BaseException | None = None

        def count(done: int, total: int) -> None:
            self.done, self.total = done, total

        def run() -> None:
            try:
                self._results = simulate(scenario, demand, staffing, executor=self._pool,
                                         progress=count, **kwargs)
            except BaseException as exc:  # handed to the caller by result()
                self._error = exc

        self._thread = threading.Thread(target=run, name="background-simulation",
                                        daemon=True)
        self._thread.start()

    def result(self, progress: Callable[[int, int], None] | None = None,
               poll_s: float = 0.5) -> Results:
        """The results, waiting for them; ``progress(done, total)`` while waiting."""
        while self._thread.is_alive():
            if progress is not None and self.total:
                progress(self.done, self.total)
            self._thread.join(poll_s)
        self._pool.shutdown()
        if self._error is not None:
            raise self._error
        if progress is not None:
            progress(self.total, self.total)
        assert self._results is not None
        return self._results

    def cancel(self) -> None:
        """Stop the workers now (an interrupt, or the caller gave up)."""
        abandon_pool(self._pool)
        self._thread.join(5)

    def close(self) -> None:
        """Release the workers: stop them if the run is still going (an interrupt or an
        error came before :meth:`result`), else just shut the finished pool."""
        if self._thread.is_alive():
            self.cancel()
        else:
            self._pool.shutdown()

    def __enter__(self) -> BackgroundSimulation:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

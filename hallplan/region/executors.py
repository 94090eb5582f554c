"""Where the halls of a region are planned: a local process pool or a Dask cluster.

Both give the runner the same three operations — ``submit(fn, arg)``, ``as_completed`` and
``close`` — so there is one code path for both; results do not depend on the executor
because every task carries its own seed (see ``hallplan.region.tasks``).

* ``LocalPool(workers)``: ``concurrent.futures.ProcessPoolExecutor`` with the ``spawn`` start
  method (OR-Tools and the simulator's own pools do not mix with ``fork``).
* ``DaskExecutor(address)``: a ``dask.distributed.Client`` connected to a running scheduler
  (``tcp://host:8786``), or to an in-process ``LocalCluster`` when given a cluster object.
  The scheduler re-runs a task whose worker died (up to ``distributed.scheduler.allowed-
  failures``); a task that keeps killing workers comes back as an error for that hall only.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from hallplan.sim.interrupt import abandon_pool, ignore_sigint

#: environment variable naming a Dask scheduler when --cluster is not given
CLUSTER_ENV = "HALLPLAN_DASK_SCHEDULER"


class ExecutorError(RuntimeError):
    """The executor itself failed (cannot connect, the pool broke): not one hall's fault."""


class LocalPool:
    kind = "local process pool"

    def __init__(self, workers: int = 2):
        self.workers = max(int(workers), 1)
        self._pool = cf.ProcessPoolExecutor(max_workers=self.workers,
                                            mp_context=multiprocessing.get_context("spawn"),
                                            initializer=ignore_sigint)

    def submit(self, fn: Callable, arg: Any, key: str) -> cf.Future:
        return self._pool.submit(fn, arg)

    def as_completed(self, futures: Iterable) -> Iterator:
        return cf.as_completed(list(futures))

    def close(self, cancel: bool = False) -> None:
        """Wait for the pool; with ``cancel`` (an interrupt) stop it now: queued halls are
        dropped and running ones terminated (their workers ignore Ctrl-C themselves)."""
        if cancel:
            abandon_pool(self._pool)
        else:
            self._pool.shutdown(wait=True)

    @staticmethod
    def broken(exc: BaseException) -> bool:
        """A worker process died (killed, out of memory): the pool cannot continue."""
        from concurrent.futures.process import BrokenProcessPool

        return isinstance(exc, BrokenProcessPool)


class DaskExecutor:
    kind = "dask distributed"

    def __init__(self, address: str | Any):
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ExecutorError("dask.distributed is not installed (pip install "
                                "'dask[distributed]')") from exc
        try:
            self._client = Client(address, timeout="20s", set_as_default=False)
        except OSError as exc:
            raise ExecutorError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        info = self._client.scheduler_info()
        self.address = self._client.scheduler.address
        self.workers = len(info.get("workers", {}))

    def submit(self, fn: Callable, arg: Any, key: str):
        # a fixed key per (hall, inputs): resubmitting the same hall reuses the task
        return self._client.submit(fn, arg, key=key, pure=False, retries=0)

    def as_completed(self, futures: Iterable) -> Iterator:
        from distributed import as_completed

        with self._client.as_current():  # this client, not a process-wide default
            yield from as_completed(list(futures))

    def close(self, cancel: bool = False) -> None:
        self._client.close()

    @staticmethod
    def broken(exc: BaseException) -> bool:
        return False  # the scheduler reschedules; a KilledWorker is that hall's error


def make_executor(cluster: str | Any | None, workers: int):
    """``cluster`` (an address, a LocalCluster, or None → $HALLPLAN_DASK_SCHEDULER) selects
    Dask; otherwise a local process pool of ``workers``."""
    target = cluster if cluster is not None else os.environ.get(CLUSTER_ENV) or None
    if target is None:
        return LocalPool(workers)
    return DaskExecutor(target)

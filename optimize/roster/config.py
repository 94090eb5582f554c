"""Solver settings, typed and applied in exactly one place (:func:`make_solver`)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ortools.sat.python import cp_model


@dataclass(frozen=True)
class SolverConfig:
    time_limit_s: float = 60.0
    workers: int = 2
    seed: int = 0
    log: bool = False

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError(f"time_limit_s must be > 0, got {self.time_limit_s}")
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")

    def with_time(self, time_limit_s: float) -> SolverConfig:
        return replace(self, time_limit_s=max(time_limit_s, 0.1))


def make_solver(config: SolverConfig) -> cp_model.CpSolver:
    """The only place that writes ``solver.parameters``."""
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = float(config.time_limit_s)
    p.num_workers = int(config.workers)
    p.random_seed = int(config.seed)
    p.log_search_progress = bool(config.log)
    return solver

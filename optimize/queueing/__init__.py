"""Exact steady-state queueing analytics for counter lanes (pure numpy/scipy).

Time is in minutes throughout; rates are per minute, offered loads in Erlangs (λ·E[S]).

Modules and public names:

* ``erlang_b`` — :func:`erlang_b` (M/M/c/c blocking probability), :func:`log_erlang_b`.
* ``erlang_c`` — M/M/c: :func:`erlang_c` (P(wait > 0)), :func:`erlang_c_metrics` returning
  :class:`ErlangCResult` (p_wait, mean_wait_min, mean_queue_length, utilisation;
  ``p_wait_gt(t_min)``, ``service_level(t_min)``).
* ``erlang_a`` — M/M/c+M (Palm / Erlang A, exponential patience): :func:`erlang_a_metrics`
  returning :class:`ErlangAResult` (p_wait, p_abandon, mean_wait_min, mean_queue_length,
  utilisation; ``p_virtual_wait_gt``, ``p_queue_time_gt``, ``p_served_within``).
* ``priority`` — non-preemptive priority M/M/c (Cobham): :func:`priority_mmc_mean_waits`,
  :func:`priority_mmc_overall_mean_wait`.
* ``staffing`` — smallest staff meeting a target: :func:`min_servers_for_p_wait`,
  :func:`min_servers_for_service_level`, :func:`min_servers_for_mean_wait`,
  :func:`min_servers_erlang_a`.

Invalid arguments raise ``ValueError`` naming the argument; Erlang C with offered load
≥ servers raises ``ValueError`` naming both.
"""

from hallplan.optimize.queueing.erlang_a import ErlangAResult, erlang_a_metrics
from hallplan.optimize.queueing.erlang_b import erlang_b, log_erlang_b
from hallplan.optimize.queueing.erlang_c import ErlangCResult, erlang_c, erlang_c_metrics
from hallplan.optimize.queueing.priority import (
    priority_mmc_mean_waits,
    priority_mmc_overall_mean_wait,
)
from hallplan.optimize.queueing.staffing import (
    min_servers_erlang_a,
    min_servers_for_mean_wait,
    min_servers_for_p_wait,
    min_servers_for_service_level,
)

__all__ = [
    "ErlangAResult",
    "ErlangCResult",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "log_erlang_b",
    "min_servers_erlang_a",
    "min_servers_for_mean_wait",
    "min_servers_for_p_wait",
    "min_servers_for_service_level",
    "priority_mmc_mean_waits",
    "priority_mmc_overall_mean_wait",
]

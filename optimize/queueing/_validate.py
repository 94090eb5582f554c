"""Argument checks shared by the queueing modules.

Every check raises ``ValueError`` with a message that names the offending argument, so a
caller can tell at once which input was wrong (and the tests can match on the name).
"""

from __future__ import annotations

import math
import numbers


def check_servers(servers: object, name: str = "servers") -> int:
    """An integer number of servers (counters) ≥ 1; integral floats such as 3.0 are accepted."""
    if isinstance(servers, bool) or not isinstance(servers, numbers.Real):
        raise ValueError(f"{name} must be an integer ≥ 1, got {servers!r}")
    if not math.isfinite(servers) or servers != int(servers) or servers < 1:
        raise ValueError(f"{name} must be an integer ≥ 1, got {servers!r}")
    return int(servers)


def check_nonnegative(value: object, name: str) -> float:
    """A finite real number ≥ 0 (rates and offered loads; zero means no demand)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")
    v = float(value)
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")
    return v


def check_positive(value: object, name: str, allow_inf: bool = False) -> float:
    """A real number > 0 (mean durations); ``math.inf`` only where ``allow_inf``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number > 0, got {value!r}")
    v = float(value)
    if math.isnan(v) or v <= 0 or (math.isinf(v) and not allow_inf):
        what = "a number > 0 (math.inf allowed)" if allow_inf else "a finite number > 0"
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return v


def check_time(t_min: object, name: str = "t_min") -> float:
    """A time threshold in minutes ≥ 0 (``math.inf`` allowed)."""
    if isinstance(t_min, bool) or not isinstance(t_min, numbers.Real):
        raise ValueError(f"{name} must be a number ≥ 0 (minutes), got {t_min!r}")
    v = float(t_min)
    if math.isnan(v) or v < 0:
        raise ValueError(f"{name} must be a number ≥ 0 (minutes), got {t_min!r}")
    return v


def check_share(value: object, name: str, *, low_open: bool, high_open: bool) -> float:
    """A probability/share in [0, 1], with either end excluded as asked."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a probability, got {value!r}")
    v = float(value)
    lo_ok = v > 0 if low_open else v >= 0
    hi_ok = v < 1 if high_open else v <= 1
    if math.isnan(v) or not (lo_ok and hi_ok):
        lo = "(0" if low_open else "[0"
        hi = "1)" if high_open else "1]"
        raise ValueError(f"{name} must lie in {lo}, {hi}, got {value!r}")
    return v

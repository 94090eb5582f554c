"""Waiting-time care at 15 minutes ([000]: proactively care for customers who have waited
more than 15 minutes — ask their need, explain the wait, guide them to self-service)."""

from __future__ import annotations

import math

from hallplan.sim.scenario import WaitingCare


def fifteen_minute_care(patience_min: float, care: WaitingCare) -> float:
    """Effective patience once care is given at the threshold.

    A customer whose own patience runs out before the threshold leaves as before; one still
    waiting at the threshold is cared for and the rest of their patience is stretched by
    ``patience_multiplier`` (a what-if lever; the manuals give no magnitude).
    """
    if not care.enabled or not math.isfinite(patience_min) or patience_min <= care.threshold_min:
        return patience_min
    return care.threshold_min + (patience_min - care.threshold_min) * care.patience_multiplier

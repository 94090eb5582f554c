"""Balking: leaving at once on seeing the queue ticket display."""

from __future__ import annotations

from hallplan.sim.scenario import Balking


def balk_probability(waiting_ahead: int, rule: Balking | None) -> float:
    """Linear ramp from 0 at ``queue_start`` waiting to ``max_probability`` at ``queue_full``."""
    if rule is None or waiting_ahead <= rule.queue_start:
        return 0.0
    if waiting_ahead >= rule.queue_full:
        return rule.max_probability
    frac = (waiting_ahead - rule.queue_start) / (rule.queue_full - rule.queue_start)
    return rule.max_probability * frac

"""Escalation ladder: backup counters when the queue stays long.

By analogy with the hotline's emergency plan ([003] §5.4, domain.md Part B): when waiting
customers stay at or above the trigger for a sustained time, the next group of staff signs
in; while the queue stays high, the next step follows after another sustained period; when
waiting falls to the release level, staff sign out step by step in reverse order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hallplan.sim.scenario import EscalationPolicy


@dataclass
class EscalationLadder:
    """State machine of the ladder; ``observe`` is called at every check and returns the
    step change: +1 (sign in the next step), −1 (sign out the last step) or 0."""

    policy: EscalationPolicy
    level: int = 0
    _high_since: float = field(default=math.nan)
    _low_since: float = field(default=math.nan)

    def observe(self, now_min: float, waiting: int) -> int:
        p = self.policy
        if waiting >= p.trigger_waiting:
            self._low_since = math.nan
            if math.isnan(self._high_since):
                self._high_since = now_min
            if self.level < len(p.steps) and now_min - self._high_since >= p.sustain_min - 1e-9:
                self.level += 1
                self._high_since = now_min  # the next step needs its own sustained period
                return +1
            return 0
        self._high_since = math.nan
        if waiting <= p.release_waiting and self.level > 0:
            if math.isnan(self._low_since):
                self._low_since = now_min
                self.level -= 1
                return -1
            if now_min - self._low_since >= p.sustain_min - 1e-9:
                self._low_since = now_min
                self.level -= 1
                return -1
            return 0
        self._low_since = math.nan
        return 0

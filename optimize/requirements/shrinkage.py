"""Shrinkage: from staff *at the post* to staff *paid / rostered*.

Why: the requirement says how many people must be on a counter; a rostered person is not on
a counter all the time — the paid handover before the shift, short breaks, training and
coaching, meetings. The roster optimiser places meal breaks itself (they are unpaid and
explicit in ``LabourRules.meal_break``), so they are *not* shrinkage here.

    paid = at_post / (1 − s),   s = handover + breaks + training + other   (fractions of paid
                                                                            time, s < 1)

Defaults (documented assumptions, domain.md A gives only the handover):

* ``handover`` = ``labour.handover_min`` per shift ÷ a typical paid shift of 8 h
  (15 min / 480 min ≈ 3.1 %);
* ``breaks`` = 5 %: two 10-minute comfort breaks in an 8-hour shift (≈ 4.2 %) rounded up;
* ``training`` = 3 %: about 1.5 h of coaching / product briefings a week in 40 h (the
  morning meeting is within the handover);
* ``other`` = 0.

``paid_staff`` rounds each interval up to whole people (a person cannot be split across an
interval); ``paid_hours`` uses the unrounded ratio (what a roster needs on average).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hallplan.sim.scenario import Scenario

TYPICAL_SHIFT_MIN = 480.0


@dataclass(frozen=True)
class Shrinkage:
    handover: float = 15.0 / TYPICAL_SHIFT_MIN
    breaks: float = 0.05
    training: float = 0.03
    other: float = 0.0

    def __post_init__(self) -> None:
        for name in ("handover", "breaks", "training", "other"):
            v = getattr(self, name)
            if not (0.0 <= v < 1.0) or math.isnan(v):
                raise ValueError(f"shrinkage {name} must be in [0, 1), got {v!r}")
        if self.total >= 1.0:
            raise ValueError(f"total shrinkage must be below 1, got {self.total:.3f}")

    @property
    def total(self) -> float:
        return self.handover + self.breaks + self.training + self.other

    @property
    def factor(self) -> float:
        """Paid staff per person at the post: 1 / (1 − total)."""
        return 1.0 / (1.0 - self.total)

    @staticmethod
    def for_scenario(scenario: Scenario, **overrides: float) -> Shrinkage:
        """Defaults with the handover from ``scenario.labour.handover_min``."""
        base = {"handover": scenario.labour.handover_min / TYPICAL_SHIFT_MIN}
        base.update(overrides)
        return Shrinkage(**base)

    def paid_staff(self, at_post) -> np.ndarray:
        """Whole paid people per interval: ⌈at_post / (1 − s)⌉ (0 stays 0)."""
        a = np.asarray(at_post, dtype=float)
        return np.ceil(a * self.factor - 1e-9).astype(int)

    def paid_hours(self, at_post_hours: float) -> float:
        return float(at_post_hours) * self.factor

    def apply(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` with a ``paid_staff`` column next to ``staff`` (at the post)."""
        out = table.copy()
        out["paid_staff"] = self.paid_staff(out["staff"].to_numpy())
        return out

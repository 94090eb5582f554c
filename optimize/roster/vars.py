"""Decision-variable container for the assignment models (monolithic and stage 2).

``x[(employee, date, template_index, post)]`` is 1 iff the employee works that template at
that post on that date. Only eligible, available combinations get a variable unless
``prefilter=False`` (the micro-tests use that to exercise the eligibility/leave helpers).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from ortools.sat.python import cp_model

from hallplan.optimize.roster.problem import RosterProblem
from hallplan.optimize.roster.solution import Roster, RosterRow

Option = tuple[int, str]  # (template index, post)
Key = tuple[str, dt.date, int, str]


class AssignmentVars:
    def __init__(self, model: cp_model.CpModel, problem: RosterProblem,
                 options: Mapping[dt.date, Sequence[Option]], prefilter: bool = True):
        self.model = model
        self.problem = problem
        self.x: dict[Key, cp_model.IntVar] = {}
        self._by_emp_day: dict[tuple[str, dt.date], list[tuple[Option, cp_model.IntVar]]] = (
            defaultdict(list))
        self._by_day: dict[dt.date, list[tuple[str, Option, cp_model.IntVar]]] = (
            defaultdict(list))
        for e in problem.employees:
            for d in problem.dates:
                if prefilter and not problem.available(e, d):
                    continue
                for ti, p in options.get(d, ()):
                    if prefilter and not problem.eligible(e, p):
                        continue
                    v = model.new_bool_var(f"work({e.id},{d},{ti},{p})")
                    self.x[(e.id, d, ti, p)] = v
                    self._by_emp_day[(e.id, d)].append(((ti, p), v))
                    self._by_day[d].append((e.id, (ti, p), v))

    # ------------------------------------------------------------------ queries
    def on(self, eid: str, d: dt.date) -> list[tuple[Option, cp_model.IntVar]]:
        return self._by_emp_day.get((eid, d), [])

    def day(self, d: dt.date) -> list[tuple[str, Option, cp_model.IntVar]]:
        return self._by_day.get(d, [])

    def works(self, eid: str, d: dt.date) -> cp_model.LinearExprT:
        return sum(v for _, v in self.on(eid, d))

    def paid_min(self, eid: str, days: Iterable[dt.date]) -> cp_model.LinearExprT:
        T = self.problem.templates
        return sum(T[ti].paid_min * v for d in days for (ti, _), v in self.on(eid, d))

    def items(self):
        return self.x.items()

    # ------------------------------------------------------------------ warm start / result
    def hint(self, roster: Roster) -> None:
        """AddHint from a previous roster (rows that match a variable are hinted 1, the rest 0)."""
        index = {t: k for k, t in enumerate(self.problem.templates)}
        chosen = set()
        for r in roster.rows:
            k = index.get(r.template)
            if k is not None:
                chosen.add((r.employee, r.date, k, r.post))
        for key, v in self.x.items():
            self.model.add_hint(v, 1 if key in chosen else 0)

    def extract(self, solver: cp_model.CpSolver) -> list[RosterRow]:
        T = self.problem.templates
        h = self.problem.labour.handover_min
        rows = []
        for (eid, d, ti, p), v in self.x.items():
            if solver.boolean_value(v):
                t = T[ti]
                rows.append(RosterRow(eid, d, t.arrival_min, t.end_min, p, t.break_start_min,
                                      t.break_end_min, h))
        return rows

from __future__ import annotations

import datetime as dt

import pandas as pd

from hallplan.optimize.roster import RosterOptimizer, RosterProblem, registry
from hallplan.reports.roster import write_roster_outputs
from tests.test_roster_helpers import CFG, MON, requirement, tiny_hall


def test_write_roster_outputs(tmp_path):
    sc = tiny_hall()
    req = requirement([(MON + dt.timedelta(days=k), "general", "09:00", "15:00", 1)
                       for k in range(2)])
    res = RosterOptimizer(RosterProblem.from_scenario(sc, req), CFG).solve()
    paths = write_roster_outputs(res.roster, req, sc, tmp_path)
    names = sorted(p.name for p in paths)
    assert names == ["roster.csv", "roster_coverage.png", "roster_gantt_2026-03-09.png",
                     "roster_gantt_2026-03-10.png", "roster_grid.csv",
                     "roster_hours_per_week.csv", "roster_rules.csv"]
    table = pd.read_csv(tmp_path / "roster.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["employee", "date", "start", "end", "post", "break_start",
                                   "break_end"]
    assert set(table["start"]) == {"08:45", "11:45"} and set(table["end"]) == {"12:00", "15:00"}
    # the grid hall managers post: one row per employee, one column per day
    grid = pd.read_csv(tmp_path / "roster_grid.csv", dtype=str, keep_default_na=False)
    assert list(grid.columns) == ["employee", "Mon 09-03", "Tue 10-03"]
    cells = set(grid[["Mon 09-03", "Tue 10-03"]].to_numpy().ravel())
    assert cells <= {"08:45–12:00 general counter", "11:45–15:00 general counter", "off"}
    assert len(cells - {"off"}) == 2
    hours = pd.read_csv(tmp_path / "roster_hours_per_week.csv")
    assert hours["total_paid_hours"].sum() == 4 * 3.25
    rules = pd.read_csv(tmp_path / "roster_rules.csv")
    assert list(rules["rule"]) == [r.id for r in registry.RULES]  # every rule, in words
    hard = rules[rules["kind"] == "hard"]
    assert (hard["violations"] == 0).all() and hard["statement"].str.len().gt(20).all()
    paid = rules.set_index("rule").loc[registry.PAID_HOURS.id, "penalty"]
    assert paid == res.check.terms[registry.PAID_HOURS.id] == 4 * 195
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind

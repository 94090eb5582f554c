"""What a planner sees when an input is wrong, or a rule makes the job impossible: the rule
named, the numbers behind it, and never advice that cannot help."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hallplan.cli import app
from hallplan.optimize.roster import requirement_from_bands, roster_from_files
from hallplan.optimize.roster.diagnose import (
    RosterInfeasibleError,
    headcount_shortfall,
    rule_problems,
)
from hallplan.optimize.roster.io import requirement_warnings
from hallplan.optimize.roster.problem import RosterProblem
from hallplan.optimize.staffing_requirement import Requirement
from hallplan.sim.errors import ScenarioError
from hallplan.sim.loader import deep_merge, load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "scenarios" / "county_hall.toml"
runner = CliRunner()


def _county(**overrides):
    s = load_scenario(COUNTY)
    if not overrides:
        return s
    return scenario_from_dict(deep_merge(s.model_dump(mode="json"), overrides), "county.toml")


def _one_day(s, day=dt.date(2026, 12, 1)) -> Requirement:
    return requirement_from_bands(s, [day])


# ------------------------------------------------------------------ the horizon's hours cap


def test_a_one_day_plan_allows_a_normal_days_shift():
    s = _county()
    P = RosterProblem.from_scenario(s, _one_day(s))
    longest_paid = max(t.paid_min for t in P.templates)
    assert all(P.avg_cap_min(e) >= longest_paid for e in P.employees)
    # a month keeps the 40-hour average pro rata
    month = [dt.date(2026, 12, 1) + dt.timedelta(days=k) for k in range(31)]
    Pm = RosterProblem.from_scenario(s, requirement_from_bands(s, month))
    assert Pm.avg_cap_min(Pm.employees[0]) == int(40 * 60 * 31 / 7)


def test_a_one_day_county_roster_has_its_duty_manager_on_site():
    s = _county()
    result = roster_from_files(s, _one_day(s), time_limit_s=5, workers=1, seed=0)
    assert not result.check.by_rule("duty_manager_on_site")
    managers = {e.id for e in s.staff.all_employees() if e.duty_manager}
    assert {r.employee for r in result.roster.rows} & managers


# ------------------------------------------------------------------ rules, not solver time


def test_shifts_longer_than_the_weekly_limit_are_named_before_any_solver():
    s = _county(labour={"shift_lengths_hours": [8.0], "max_weekly_hours": 4.0,
                        "max_avg_weekly_hours": 4.0})
    t0 = time.perf_counter()
    with pytest.raises(RosterInfeasibleError) as err:
        roster_from_files(s, _one_day(s), time_limit_s=5, workers=1)
    assert time.perf_counter() - t0 < 30  # a hang guard: no solver ran for minutes
    text = "\n".join(err.value.messages)
    assert "labour.max_weekly_hours" in text and "7.75 h paid" in text
    assert "time-limit" not in text


def test_requirement_dates_45_days_apart_name_the_one_roster_rule():
    s = _county()
    req = requirement_from_bands(s, [dt.date(2026, 12, 1), dt.date(2027, 1, 15)])
    msgs = rule_problems(RosterProblem.from_scenario(s, req))
    assert len(msgs) == 1 and "at most 42 consecutive days" in msgs[0] and "46 days" in msgs[0]


def test_one_clerk_for_a_whole_hall_is_told_the_headcount_cannot_cover_it():
    s = _county(staff={"groups": [{"id_prefix": "G", "count": 1,
                                   "skills": ["general", "greeter", "complaint"]}]})
    month = [dt.date(2026, 12, 1) + dt.timedelta(days=k) for k in range(31)]
    P = RosterProblem.from_scenario(s, requirement_from_bands(s, month))
    (msg,) = headcount_shortfall(P)
    assert "the headcount cannot cover the hall" in msg
    need = float(msg.split("needs ")[1].split(" staff-hours")[0].replace(",", ""))
    assert need == pytest.approx(P.required_staff_hours())
    assert "1 employee(s) can give at most" in msg and "more people are needed" in msg


def test_far_more_staff_than_counters_warns_naming_the_post(tmp_path):
    s = _county()
    f = tmp_path / "req.csv"
    f.write_text("date,interval_start_min,post,staff,method\n2026-12-01,540,general,1000,x\n",
                 encoding="utf-8")
    (warning, *_) = requirement_warnings(s, Requirement.read_csv(f))
    assert "General counters (general)" in warning and "1000" in warning and "4 physical" in warning


# ------------------------------------------------------------------ scenario bounds


@pytest.mark.parametrize(("overrides", "path"), [
    ({"kiosks": {"count": True}}, "kiosks.count"),
    ({"demand": {"daily_visits": {"weekday": 1e12}}}, "demand.daily_visits.weekday"),
    ({"escalation": {"check_every_min": 1e-6}}, "escalation.check_every_min"),
    ({"closing": {"ticket_cutoff_min_before_close": 510}},
     "closing.ticket_cutoff_min_before_close"),
    ({"staff": {"groups": [{"id_prefix": "G", "count": 1_000_000}]}}, "staff.groups[0].count"),
    # each number inside its bound, together a day the 4 counters would serve for weeks
    ({"demand": {"daily_visits": {"weekday": 50_000}},
      "service_types": {"bill_payment": {"counter_time": {"kind": "lognormal", "mean_min": 600,
                                                          "cv": 0.5}}}},
     "demand.daily_visits"),
])
def test_numbers_that_would_explode_a_run_are_refused_with_their_key(overrides, path):
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError) as err:
        _county(**overrides)
    assert time.perf_counter() - t0 < 30  # a hang guard (the bug hung for minutes), not a timing
    assert any(p.path == path for p in err.value.problems), err.value.problems


def test_duplicate_ids_in_a_big_hall_are_found_in_linear_time():
    group = {"id_prefix": "G", "count": 1000, "skills": ["general"]}
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError) as err:
        _county(staff={"groups": [group, dict(group, count=999)]})
    assert time.perf_counter() - t0 < 30  # a hang guard (the bug hung for minutes), not a timing
    (p,) = err.value.problems
    assert p.path == "staff" and "and 989 more" in p.found


def test_the_schema_tells_the_planner_the_limits():
    import json

    schema = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text("utf-8"))
    lane = schema["$defs"]["Lane"]["properties"]["counters"]
    visits = schema["$defs"]["DemandProfile"]["properties"]["daily_visits"]
    assert lane["maximum"] == 200 and lane["type"] == "integer"
    assert visits["additionalProperties"]["maximum"] == 50_000


# ------------------------------------------------------------------ the command line


def test_an_internal_error_is_one_line_and_a_log_file(tmp_path, monkeypatch):
    import hallplan.sim.loader as loader

    def broken(*a, **k):
        raise KeyError("boom")

    monkeypatch.setattr(loader, "load_scenario", broken)
    result = runner.invoke(app, ["validate", str(COUNTY)],
                           env={"HALLPLAN_LOG_DIR": str(tmp_path)})
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("hallplan validate: internal error")
    assert "Traceback" not in result.output
    (log,) = tmp_path.glob("hallplan-*.log")
    assert str(log) in lines[0]
    assert "Traceback" in log.read_text(encoding="utf-8") and "boom" in log.read_text("utf-8")


def test_plan_method_lists_the_choices():
    result = runner.invoke(app, ["plan", str(COUNTY), "--month", "2026-12", "--method", "magic"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "'sipp', 'lag'" in result.output


def test_history_generate_refuses_a_suffix_it_cannot_write(tmp_path):
    result = runner.invoke(app, ["history", "generate", str(tmp_path / "g.txt")],
                           env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "g.txt" in result.output and ".csv" in result.output
    assert not (tmp_path / "g.txt").exists()


def test_an_extended_base_with_a_bad_value_is_named(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text(f'extends = "{COUNTY.as_posix()}"\n[kiosks]\ncount = -1\n', encoding="utf-8")
    top = tmp_path / "top.toml"
    top.write_text('extends = "base.toml"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(top)
    (p,) = err.value.problems
    assert p.file == f"{base.resolve()} (under {top})"


def test_a_whatif_variant_problem_names_the_file_that_set_the_key(tmp_path):
    from hallplan.whatif import load_variant

    variant = tmp_path / "variant.toml"
    variant.write_text('[[staff.groups]]\nid_prefix = "G"\ncount = true\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_variant(COUNTY, variant)
    (p,) = err.value.problems
    assert p.file == str(variant) and p.path == "staff.groups[0].count"
    base_bad = tmp_path / "base.toml"
    base_bad.write_text(f'extends = "{COUNTY.as_posix()}"\n[greeters]\nposts = 1e9\n',
                        encoding="utf-8")
    good_variant = tmp_path / "ok.toml"
    good_variant.write_text("[kiosks]\ncount = 1\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_variant(base_bad, good_variant)
    (p,) = err.value.problems
    assert p.file == f"{base_bad} (under {good_variant})" and p.path == "greeters.posts"

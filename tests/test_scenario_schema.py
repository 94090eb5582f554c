"""Scenario files: clear errors (file, key path, expected, found), never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hallplan.sim.errors import ScenarioError
from hallplan.sim.loader import deep_merge, load_scenario, scenario_from_dict
from hallplan.sim.scenario import Scenario
from tests.helpers import small_hall

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_FILES = sorted(p for p in (ROOT / "scenarios").rglob("*.toml") if "regions" not in p.parts)


def _problems(data) -> list:
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data, "hall.toml")
    return err.value.problems


def _base() -> dict:
    return small_hall().model_dump(mode="json")


def test_reference_scenarios_all_load():
    assert len(SCENARIO_FILES) >= 7, SCENARIO_FILES
    for f in SCENARIO_FILES:
        s = load_scenario(f)
        assert s.hall.id


def test_reference_halls_have_the_asked_for_layout():
    s = load_scenario(ROOT / "scenarios" / "flagship_city_centre.toml")
    counters = sum(lane.counters for lane in s.lanes.values())
    assert 18 <= counters <= 22 and s.greeters.posts == 2 and s.kiosks.count == 8
    assert "vip" in s.lanes and s.lanes["vip"].counters >= 1
    required = {
        "bill_payment",
        "new_account",
        "plan_change",
        "sim_replacement",
        "broadband",
        "handset_sales",
        "complaint",
        "enquiry",
    }
    assert required <= set(s.service_types)


def test_misspelt_key_is_named():
    data = _base()
    data["kiosks"]["cuont"] = 3
    (p,) = _problems(data)
    assert p.path == "kiosks.cuont" and "spelling" in p.expected and p.file == "hall.toml"


def test_bad_time_of_day_names_key_and_value():
    data = _base()
    data["hours"]["open"] = "25:00"
    (p,) = _problems(data)
    assert p.path == "hours.open" and "25:00" in p.expected + p.found


def test_negative_counter_count():
    data = _base()
    data["lanes"]["general"]["counters"] = -1
    (p,) = _problems(data)
    assert p.path == "lanes.general.counters" and p.found == "-1"


def test_unknown_lane_in_service_type_is_a_cross_check_problem():
    data = _base()
    data["service_types"]["complaint"]["lane"] = "complaints"
    probs = _problems(data)
    assert any(
        p.path == "service_types.complaint.lane" and "'complaints'" in p.found for p in probs
    )


def test_service_mix_must_sum_to_one():
    data = _base()
    data["demand"]["service_mix"] = {"payment": 0.5, "complaint": 0.2}
    probs = _problems(data)
    assert any(p.path == "demand.service_mix" and "0.7000" in p.found for p in probs)


def test_staffing_above_physical_counters():
    data = _base()
    data["default_staffing"][0]["posts"]["general"] = 5
    probs = _problems(data)
    assert any("default_staffing[0].posts.general" in p.path and p.found == "5" for p in probs)


def test_all_problems_are_reported_together():
    data = _base()
    data["kiosks"]["count"] = "many"
    data["hours"]["close"] = "xx"
    assert len(_problems(data)) == 2


def test_variant_extends_base(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text(
        (ROOT / "scenarios" / "flagship_city_centre.toml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    variant = tmp_path / "v.toml"
    variant.write_text('extends = "base.toml"\n[kiosks]\ncount = 10\n', encoding="utf-8")
    s = load_scenario(variant)
    assert s.kiosks.count == 10
    assert s.kiosks.failure_probability == load_scenario(base).kiosks.failure_probability


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[hall\nid=1", encoding="utf-8")
    with pytest.raises(ScenarioError, match="valid TOML"):
        load_scenario(bad)


def test_json_schema_exports_and_times_are_strings():
    schema = Scenario.model_json_schema()
    text = json.dumps(schema)
    assert "service_types" in schema["properties"]
    assert '"pattern"' in text


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 50),
    st.floats(-1, 100),
    st.text(max_size=6),
    st.lists(st.integers(0, 3), max_size=3),
)
_PATHS = [
    ("kiosks", "count"),
    ("hours", "open"),
    ("lanes", "general", "counters"),
    ("triage", "misroute_probability"),
    ("customer_classes", "vip", "share"),
    ("demand", "intraday", "weekday"),
    ("service_types", "payment", "counter_time"),
    ("interval_min",),
    ("escalation", "steps"),
    ("default_staffing",),
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_PATHS), _VALUES)
def test_any_mutation_gives_a_scenario_or_a_clear_error(path, value):
    data = _base()
    patch = value
    for key in reversed(path):
        patch = {key: patch}
    data = deep_merge(data, patch)
    problems = []
    try:
        scenario_from_dict(data, "fuzz.toml")
    except ScenarioError as exc:  # any other exception fails the test
        problems = exc.problems
        assert problems
    assert all(p.file == "fuzz.toml" and p.expected for p in problems)


def test_committed_json_schema_is_up_to_date():
    """scenarios/scenario.schema.json is what editors load; regenerate it with
    ``hallplan schema --out scenarios/scenario.schema.json`` after changing the schema."""
    committed = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text("utf-8"))
    assert committed == Scenario.model_json_schema()

"""The region table's line per hall is a typed record, not a dict parsed back from CSV."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from hallplan.region.record import FLAG_COLUMNS, RESULT_COLUMNS, HallRow, hall_frame


def _ok_row() -> HallRow:
    return HallRow(hall="h1", status="ok", headcount_current=8, headcount_needed=np.int64(9),
                   rounds=2, targets_hold=np.bool_(True), share_within_target=np.float64(0.9),
                   peak_at_risk=False, holiday_at_risk=True, holiday_date="2026-12-01",
                   roster_reproducible=True, run_time_s=1.5)


def test_values_come_out_as_plain_python_types():
    r = _ok_row()
    assert r.targets_hold is True and type(r.headcount_needed) is int
    assert type(r.share_within_target) is float
    assert math.isnan(r.paid_hours) and r.curve == ""


def test_json_round_trip_keeps_types():
    r = _ok_row()
    back = HallRow.from_mapping(json.loads(json.dumps(r.as_dict())))
    a, b = r.as_dict(), back.as_dict()
    assert a.keys() == b.keys()
    for k, v in a.items():
        assert v == b[k] or (isinstance(v, float) and math.isnan(v) and math.isnan(b[k])), k
    assert back.targets_hold is True and back.headcount_needed == 9
    assert back.peak_at_risk is False and math.isnan(back.paid_hours)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("targets_hold", "True", "expected true/false"),
    ("headcount_needed", 9.5, "expected a whole number"),
    ("paid_hours", "12", "expected a number"),
    ("status", "done", "expected one of"),
])
def test_wrong_types_are_clear_errors(field, value, message):
    with pytest.raises((TypeError, ValueError), match=message):
        _ok_row().replace(**{field: value})


def test_unknown_fields_are_an_error():
    with pytest.raises(ValueError, match="found \\['colour'\\]"):
        HallRow.from_mapping({"hall": "h", "status": "ok", "colour": "red"})


def test_table_is_typed_with_nullable_flags_and_counts():
    failed = HallRow(hall="h2", status="failed", error="boom", headcount_current=7)
    t = hall_frame([_ok_row(), failed])
    assert list(t.columns[:4]) == ["hall", "status", "error", "scenario"]
    assert set(RESULT_COLUMNS) <= set(t.columns)
    for col in FLAG_COLUMNS:
        assert t[col].dtype == pd.BooleanDtype()
    assert t["targets_hold"].tolist()[0] is True and t["targets_hold"].isna().tolist()[1]
    assert t["headcount_needed"].dtype == pd.Int64Dtype()
    assert t["share_within_target"].dtype == float

"""Bad and hostile inputs on every surface (scenario, requirement CSV, region file, CLI flags)
through the real CLI: each ends in a result or a clear error naming the file, key or option —
never a traceback, a hang, a silent accept or an error that says nowhere what is wrong.

A small budget of the generated cases runs here (every structural case, one hostile value per
numeric key, hypothesis on top); ``python tools/fuzz_inputs.py --cases 500`` runs more.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_inputs_cases import (
    BAD_KINDS,
    BAD_NUMBERS,
    NUMERIC_KEYS,
    Case,
    _is_wrong,
    _variant,
    all_cases,
    run_case,
)

CASES = all_cases()
# every case that is not a numeric-key mutation, plus one hostile value per numeric key
# (rotating through the values so each appears)
STRUCTURAL = [c for c in CASES if not any(c.name == f"{t}.{k} = {v}" for t, k in NUMERIC_KEYS
                                          for v in BAD_NUMBERS)]
ROTATED = [Case("scenario", f"{t}.{k} = {BAD_NUMBERS[i % len(BAD_NUMBERS)]}",
                _variant(t, f"{k} = {BAD_NUMBERS[i % len(BAD_NUMBERS)]}"), k)
           for i, (t, k) in enumerate(NUMERIC_KEYS)]
SUITE = STRUCTURAL + ROTATED


@pytest.mark.parametrize("case", SUITE, ids=[f"{c.surface}:{c.name}" for c in SUITE])
def test_bad_input_gets_a_clear_error(case: Case, tmp_path: Path):
    cls, text = run_case(case, tmp_path)
    expected = "result" if case.names is None else "clear_error"
    assert cls == expected, f"{case.surface} / {case.name}: {cls}\n{text}"


def test_the_cases_cover_every_surface_with_controls():
    surfaces = {c.surface for c in CASES}
    assert surfaces == {"scenario", "requirement", "region", "cli"}
    for s in surfaces:
        assert any(c.names is None for c in CASES if c.surface == s), f"no control for {s}"
    assert len(CASES) >= 300


_hostile = st.one_of(
    st.booleans().map(lambda b: str(b).lower()),
    st.floats(allow_nan=True, allow_infinity=True).map(repr).map(
        lambda r: {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(r, r)),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    # text in quotes (printable: a control character is a TOML syntax error, named by file)
    st.text(st.characters(min_codepoint=32, max_codepoint=126, exclude_characters='"\\'),
            max_size=8).map(lambda t: f'"{t}"'),
)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(key=st.sampled_from(NUMERIC_KEYS), value=_hostile)
def test_any_value_for_a_number_is_a_result_or_names_the_key(key, value, tmp_path_factory):
    table, name = key
    case = Case("scenario", f"{table}.{name} = {value}", _variant(table, f"{name} = {value}"),
                name)
    cls, text = run_case(case, tmp_path_factory.mktemp("h"))
    # exit 0 is right exactly when the value lies inside the bounds the committed JSON schema
    # documents; a traceback, a hang or an unnamed error is never right
    if cls == "silent_accept":
        assert not _is_wrong(table, name, value), f"{value!r} accepted outside the schema"
    else:
        assert cls not in BAD_KINDS, f"{value!r}: {cls}\n{text}"

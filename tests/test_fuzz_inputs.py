"""Bad and hostile inputs on every surface (scenario, requirement CSV, region file, CLI flags)
through the real CLI: each ends in a result or a clear error naming the file, key or option —
never a traceback, a hang, a silent accept or an error that says nowhere what is wrong.

A small, deterministic budget of the generated cases runs here: at least one case of every
kind (``KINDS``: each surface's sorts of mistake and its controls), then a seeded draw spread
over the kinds, plus one hostile value per numeric key and hypothesis on top;
``python tools/fuzz_inputs.py --cases 500`` runs more and counts them per kind.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_inputs_cases import (
    BAD_KINDS,
    BAD_NUMBERS,
    KINDS,
    NUMERIC_KEYS,
    Case,
    _is_wrong,
    _variant,
    all_cases,
    kinds,
    numeric_case,
    run_case,
    suite_cases,
)

CASES = all_cases()
#: cases drawn by kind (about 10 s on a loaded 2-core machine; the file stays well under 60 s)
SUITE_BUDGET = 150
SUITE_SEED = 1
DRAWN = suite_cases(CASES, SUITE_BUDGET, SUITE_SEED)
# and one hostile value per numeric key (rotating through the values so each appears)
ROTATED = [numeric_case(t, k, BAD_NUMBERS[i % len(BAD_NUMBERS)])
           for i, (t, k) in enumerate(NUMERIC_KEYS)]
SUITE = DRAWN + [c for c in ROTATED if c.name not in {d.name for d in DRAWN}]


@pytest.mark.parametrize("case", SUITE, ids=[f"{c.surface}:{c.name}" for c in SUITE])
def test_bad_input_gets_a_clear_error(case: Case, tmp_path: Path):
    cls, text = run_case(case, tmp_path)
    expected = "result" if case.names is None else "clear_error"
    assert cls == expected, f"{case.surface} / {case.name}: {cls}\n{text}"


def test_the_suite_runs_every_kind_of_case_and_is_the_same_each_time():
    by_kind = kinds(CASES)  # every case has a known kind (else this raises)
    assert all(by_kind[k] for k in KINDS), [k for k in KINDS if not by_kind[k]]
    assert {c.kind for c in SUITE} == set(KINDS)
    # each surface's kinds, its control among them
    for surface in {c.surface for c in CASES}:
        assert f"{surface}:control" in KINDS
    assert [c.name for c in suite_cases(CASES, SUITE_BUDGET, SUITE_SEED)] == [
        c.name for c in DRAWN]
    # the kinds come first, even in the smallest budget
    assert {c.kind for c in suite_cases(CASES, len(KINDS), 7)} == set(KINDS)
    with pytest.raises(ValueError, match="unknown kind"):
        kinds([Case("cli", "no kind", lambda d: [], "x")])


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

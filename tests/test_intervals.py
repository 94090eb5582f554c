"""The one home of confidence intervals (hallplan.sim.intervals) and the other shared
definitions: month dates, "called within target"."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from hallplan.sim.dates import month_dates
from hallplan.sim.intervals import diff_ci, mean_ci, share_bounds, share_ci, t_half_width, wilson
from hallplan.sim.kpi import called_within


def test_mean_ci_is_the_student_t_interval():
    x = np.array([3.0, 5.0, 4.0, 6.0, 7.0])
    ci = mean_ci(x, 0.95)
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert ci.n == 5
    assert ci.mean == pytest.approx(5.0)
    assert (ci.low, ci.high) == (pytest.approx(lo), pytest.approx(hi))
    assert ci.half_width == pytest.approx(hi - ci.mean)


@pytest.mark.parametrize("values", [[4.2], [4.2, math.nan]])
def test_one_replication_gives_a_nan_half_width_never_zero(values):
    ci = mean_ci(values)
    assert ci.mean == 4.2 and ci.n == 1
    assert math.isnan(ci.half_width) and math.isnan(ci.low) and math.isnan(ci.high)
    s = share_ci([0.9])
    assert s.mean == 0.9 and math.isnan(s.low) and math.isnan(s.half_width)
    assert math.isnan(t_half_width(1.0, 1))


def test_no_values_give_nan_everywhere():
    assert all(math.isnan(v) for v in mean_ci([])[:4])
    assert mean_ci([math.nan]).n == 0


def test_a_share_interval_stays_inside_zero_one():
    """The region report used to show "0.91 (0.79–1.02)": a t interval past 1."""
    shares = [1.0, 1.0, 0.95, 0.69]
    t = mean_ci(shares)
    assert t.high > 1.0  # the old interval leaves [0, 1]
    s = share_ci(shares)
    assert 0.0 <= s.low < s.mean < s.high <= 1.0
    assert s.mean == pytest.approx(t.mean)


def test_share_interval_matches_the_t_interval_away_from_the_bounds():
    rng = np.random.default_rng(1)
    shares = rng.normal(0.5, 0.02, 50).clip(0, 1)
    s, t = share_ci(shares), mean_ci(shares)
    assert s.low == pytest.approx(t.low, abs=2e-3)
    assert s.high == pytest.approx(t.high, abs=2e-3)


def test_share_interval_without_spread_is_the_point():
    assert share_ci([0.8, 0.8, 0.8])[2:4] == (pytest.approx(0.8), pytest.approx(0.8))
    assert share_ci([1.0, 1.0])[2:4] == (1.0, 1.0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=2, max_size=30))
def test_share_bounds_always_in_zero_one_and_around_the_mean(values):
    s = share_ci(values)
    assert 0.0 <= s.low <= s.high <= 1.0
    assert s.low - 1e-9 <= s.mean <= s.high + 1e-9


def test_wilson_known_value():
    lo, hi = wilson(8, 10, 0.95)
    assert (lo, hi) == (pytest.approx(0.4902, abs=1e-4), pytest.approx(0.9433, abs=1e-4))
    lo0, hi0 = wilson(0, 20)
    assert lo0 == 0.0 and 0 < hi0 < 0.2
    with pytest.raises(ValueError, match="successes"):
        wilson(11, 10)


def test_vectorised_share_bounds_match_the_scalar_ones():
    lo, hi = share_bounds(np.array([0.9, 0.5]), np.array([0.1, 0.2]), np.array([5, 1]))
    s = share_bounds(0.9, 0.1, 5)
    assert lo[0] == pytest.approx(s[0]) and hi[0] == pytest.approx(s[1])
    assert math.isnan(lo[1]) and math.isnan(hi[1])


def test_diff_ci_paired_and_welch():
    b = np.array([10.0, 12.0, 11.0, 13.0])
    v = b + np.array([1.0, 1.2, 0.8, 1.0])
    paired = diff_ci(b, v, paired=True)
    assert paired.mean == pytest.approx(1.0)
    welch = diff_ci(b, v, paired=False)
    ref = stats.ttest_ind(v, b, equal_var=False).confidence_interval(0.95)
    assert (welch.low, welch.high) == (pytest.approx(ref.low), pytest.approx(ref.high))
    assert paired.half_width < welch.half_width  # pairing removes the shared noise


def test_bad_confidence_is_a_clear_error():
    with pytest.raises(ValueError, match="confidence: expected a level in"):
        mean_ci([1.0, 2.0], confidence=95)


def test_month_dates():
    feb = month_dates(2028, 2)
    assert len(feb) == 29 and feb[0] == dt.date(2028, 2, 1) and feb[-1] == dt.date(2028, 2, 29)
    assert len(month_dates(2026, 12)) == 31
    with pytest.raises(ValueError, match=r"month: expected 1\.\.12"):
        month_dates(2026, 13)


def test_called_within_target():
    got = called_within(["served", "served", "served", "abandoned"],
                        ["counter", "counter", "kiosk", "counter"],
                        [15.0, 15.1, 0.0, 1.0], [15.0, 15.0, 15.0, 15.0])
    assert got.tolist() == [True, False, False, False]

"""The statistics against scipy and numpy on the same numbers, and at the edges (n=0, n=1, all-pass, all-fail)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats as sp

from harness.scoring.stats import Moments, bootstrap_mean_ci, mean_ci, percentiles, t_interval, wilson_interval


@pytest.mark.parametrize(("passed", "n"), [(0, 1), (1, 1), (0, 10), (10, 10), (7, 10), (1, 3), (523, 1000)])
@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_wilson_matches_scipy(passed: int, n: int, confidence: float) -> None:
    expected = sp.binomtest(passed, n).proportion_ci(confidence_level=confidence, method="wilson")
    lo, hi = wilson_interval(passed, n, confidence)
    assert lo == pytest.approx(expected.low, abs=1e-12)
    assert hi == pytest.approx(expected.high, abs=1e-12)
    assert 0.0 <= lo <= passed / n <= hi <= 1.0


def test_wilson_is_none_without_trials() -> None:
    assert wilson_interval(0, 0) is None


def test_wilson_all_pass_and_all_fail_touch_the_bounds() -> None:
    assert wilson_interval(20, 20).hi == 1.0
    assert wilson_interval(0, 20).lo == 0.0


@pytest.mark.parametrize("bad", [(3, 2), (-1, 2), (1, -1)])
def test_wilson_rejects_impossible_counts(bad: tuple[int, int]) -> None:
    with pytest.raises(ValueError):
        wilson_interval(*bad)


@pytest.mark.parametrize("values", [[1, 2], [4, 5, 5, 3, 4, 2, 5], [0.1, 0.25, 0.3, 0.9], list(range(1, 101))])
def test_t_interval_matches_scipy(values: list[float]) -> None:
    data = np.asarray(values, dtype=float)
    expected = sp.t.interval(0.95, len(data) - 1, loc=data.mean(), scale=sp.sem(data))
    found = mean_ci(values)
    assert found.mean == pytest.approx(data.mean())
    assert found.n == len(values)
    assert found.ci.lo == pytest.approx(expected[0], rel=1e-9)
    assert found.ci.hi == pytest.approx(expected[1], rel=1e-9)


def test_mean_edges_are_none_not_nan() -> None:
    assert tuple(mean_ci([])) == (None, None, 0)
    assert tuple(mean_ci([4.0])) == (4.0, None, 1)
    same = mean_ci([3, 3, 3])
    assert (same.mean, tuple(same.ci)) == (3.0, (3.0, 3.0))
    json.dumps([tuple(mean_ci([])), tuple(mean_ci([4.0]))], allow_nan=False)


def test_streamed_moments_equal_batch_and_stay_stable() -> None:
    values = [1e9 + x for x in (4, 7, 13, 16)]  # naive sum-of-squares loses these digits
    moments = Moments()
    for value in values:
        moments.add(value)
    assert moments.mean == pytest.approx(np.mean(values))
    assert moments.variance == pytest.approx(np.var(values, ddof=1))
    assert t_interval(Moments()) is None


def test_bootstrap_is_seeded_and_close_to_scipy() -> None:
    rng = np.random.default_rng(1)
    values = rng.integers(1, 6, size=200).astype(float)
    first = bootstrap_mean_ci(values, seed=7)
    assert first == bootstrap_mean_ci(values, seed=7)
    expected = sp.bootstrap((values,), np.mean, method="percentile", n_resamples=2000,
                            random_state=np.random.default_rng(7)).confidence_interval
    # Different resampling streams: agree to well within the interval's own noise.
    assert first.lo == pytest.approx(expected.low, abs=0.05)
    assert first.hi == pytest.approx(expected.high, abs=0.05)
    assert first.lo < values.mean() < first.hi


def test_bootstrap_edges() -> None:
    assert bootstrap_mean_ci([]) is None
    assert bootstrap_mean_ci([2.0]) is None
    assert tuple(bootstrap_mean_ci([2.0, 2.0, 2.0])) == (2.0, 2.0)
    assert mean_ci([1, 2, 3, 4], method="bootstrap").ci is not None


def test_unknown_method_and_bad_confidence_are_refused() -> None:
    with pytest.raises(ValueError):
        mean_ci([1, 2], method="jackknife")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        wilson_interval(1, 2, confidence=1.0)


@pytest.mark.parametrize("values", [[0.5], [3.0, 1.0], [0.2, 0.4, 1.1, 0.3, 9.0, 0.25, 0.5], list(np.linspace(0, 7, 1001))])
def test_percentiles_match_scipy(values: list[float]) -> None:
    found = percentiles(values)
    for q in (50, 90, 99):
        assert found[f"p{q}"] == pytest.approx(sp.scoreatpercentile(values, q))


def test_percentiles_of_nothing_is_none() -> None:
    assert percentiles([]) is None
    assert percentiles([1.0, 2.0], qs=(25, 99.9)).keys() == {"p25", "p99.9"}
    assert not math.isnan(percentiles([1.0])["p99"])

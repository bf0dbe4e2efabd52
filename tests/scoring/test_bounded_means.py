"""Intervals that keep a width on constant or tiny samples: the beta quantile, the Jeffreys-type bounded mean."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sp
from scipy.special import betaincinv

from harness.report.tables import fmt_mean
from harness.scoring.distributions import beta_ppf
from harness.scoring.scorecard import build_scorecard
from harness.scoring.stats import Interval, Moments, bounded_mean_interval, hull
from tests.scoring.factory import manifest, record, score


def _moments(values) -> Moments:
    moments = Moments()
    for value in values:
        moments.add(float(value))
    return moments


@pytest.mark.parametrize("a", [0.5, 1.0, 3.5, 50.5, 2555.5, 80000.5])
@pytest.mark.parametrize("b", [0.5, 2.0, 20.5, 20000.5])
@pytest.mark.parametrize("q", [0.005, 0.025, 0.5, 0.975, 0.995])
def test_beta_ppf_matches_scipy(a: float, b: float, q: float) -> None:
    assert beta_ppf(q, a, b) == pytest.approx(betaincinv(a, b, q), rel=1e-8)


@pytest.mark.parametrize("k,n", [(0, 3), (3, 3), (0, 5), (1, 5), (7, 10), (0, 100), (523, 1000)])
def test_values_at_the_ends_give_exactly_the_jeffreys_interval(k: int, n: int) -> None:
    lo, hi = bounded_mean_interval(_moments([1.0] * k + [0.0] * (n - k)), 0.0, 1.0)
    assert lo == pytest.approx(sp.beta.ppf(0.025, k + 0.5, n - k + 0.5), rel=1e-8, abs=1e-12)
    assert hi == pytest.approx(sp.beta.ppf(0.975, k + 0.5, n - k + 0.5), rel=1e-8)
    # The same on a 1-5 scale, scaled: three scores of 1 are Beta(1/2, 7/2) on [1, 5].
    if (k, n) == (0, 3):
        scaled = bounded_mean_interval(_moments([1, 1, 1]), 1.0, 5.0)
        assert scaled.lo == pytest.approx(1 + 4 * lo) and scaled.hi == pytest.approx(1 + 4 * hi)
        assert round(scaled.hi, 2) == 3.14


def test_the_beta_matches_the_mean_and_variance_of_the_dirichlet_posterior() -> None:
    # Bayesian-bootstrap weights over the values plus half a pseudo-value at each end, by simulation.
    values = np.array([4, 5, 5, 3, 4, 2, 5], dtype=float)
    points = np.append((values - 1) / 4, [0.0, 1.0])
    weights = np.random.default_rng(7).dirichlet(np.append(np.ones(values.size), [0.5, 0.5]), 200_000)
    means = 1 + 4 * (weights @ points)
    lo, hi = bounded_mean_interval(_moments(values), 1.0, 5.0)
    simulated = np.percentile(means, [2.5, 97.5])  # the beta of the same moments has nearly the same quantiles
    assert lo == pytest.approx(simulated[0], abs=0.03) and hi == pytest.approx(simulated[1], abs=0.03)


def test_a_constant_sample_keeps_a_width_that_narrows_with_n() -> None:
    widths = []
    for n in (3, 10, 100, 1000):
        lo, hi = bounded_mean_interval(_moments([5.0] * n), 1.0, 5.0)
        assert lo < 5.0 and hi == pytest.approx(5.0, abs=1e-3)
        widths.append(hi - lo)
    assert widths == sorted(widths, reverse=True) and widths[-1] < 0.011
    lo, hi = bounded_mean_interval(_moments([3.0] * 10), 1.0, 5.0)
    assert lo == pytest.approx(6.0 - hi) and 2.5 < lo < 3.0  # symmetric about a mid-scale constant


def test_undefined_below_two_values_and_hull() -> None:
    assert bounded_mean_interval(_moments([]), 1, 5) is None and bounded_mean_interval(_moments([3]), 1, 5) is None
    assert hull(Interval(1, 2), Interval(1.5, 3)) == Interval(1, 3)
    assert hull(None, Interval(1, 2)) == Interval(1, 2) and hull(Interval(1, 2), None) == Interval(1, 2)


@pytest.mark.parametrize("method", ["t", "bootstrap"])
def test_scorecard_mean_of_three_equal_scores_is_not_a_point(method: str) -> None:
    records = [record(f"c{i}", judge={"empathy": score(1)}) for i in range(3)]
    card = build_scorecard(records, manifest(("bot_v1",)), {"empathy": {"scale": "1-5", "pass_threshold": 4}},
                           interval_method=method)
    assert fmt_mean(card.candidates["bot_v1"].criteria["empathy"].score) == "1.00 [1.00, 3.14] (3)"


def test_a_varied_sample_keeps_its_t_interval_where_that_is_wider() -> None:
    records = [record(f"c{i}", judge={"empathy": score(s)}) for i, s in enumerate([1, 3, 5])]
    card = build_scorecard(records, manifest(("bot_v1",)), {"empathy": {"scale": "1-5", "pass_threshold": 4}})
    assert fmt_mean(card.candidates["bot_v1"].criteria["empathy"].score) == "3.00 [1.00, 5.00] (3)"


def test_coverage_on_skewed_small_samples_stays_near_nominal() -> None:
    # Scores mostly 5 (true mean 4.7): the t interval alone collapses whenever every draw is 5.
    rng = np.random.default_rng(11)
    levels, probs = np.array([3.0, 4.0, 5.0]), np.array([0.1, 0.1, 0.8])
    truth = float(levels @ probs)
    for n in (5, 20):
        draws = rng.choice(levels, size=(1500, n), p=probs)
        covered = sum(_covers(row, truth) for row in draws)
        assert covered / len(draws) >= 0.93, (n, covered)


def _covers(values: np.ndarray, truth: float) -> bool:
    from harness.scoring.stats import t_interval

    moments = _moments(values)
    lo, hi = hull(t_interval(moments), bounded_mean_interval(moments, 1.0, 5.0))
    return lo <= truth <= hi

"""Calibration intervals: Wilson for the rates, no interval where the bootstrap never varies."""

from __future__ import annotations

import math

import pytest
from scipy import stats as sp

from harness.calibration import agreement as ag


def _scipy_wilson(k: int, n: int) -> tuple[float, float]:
    found = sp.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return found.low, found.high


def test_false_pass_over_five_failed_replies_is_a_wilson_interval_not_a_point():
    # 5 replies the humans failed, none passed by the judge; 5 passed, all passed by the judge.
    human = [0.0] * 5 + [1.0] * 5
    judge = list(human)
    intervals = ag.rate_intervals(judge, human, cut=1.0)
    assert ag.false_pass_rate([j >= 1 for j in judge], [h >= 1 for h in human]) == 0.0
    assert intervals["false_pass_rate"] == pytest.approx(_scipy_wilson(0, 5))
    assert intervals["false_pass_rate"][1] > 0.4  # 0 of 5 leaves a lot of room
    assert intervals["true_pass_rate"] == pytest.approx(_scipy_wilson(5, 5))
    assert intervals["raw_agreement"] == pytest.approx(_scipy_wilson(10, 10))


def test_rates_on_a_1_to_5_scale_count_at_the_pass_threshold():
    judge = [5.0, 4.0, 2.0, 4.0, 1.0, 3.0]
    human = [5.0, 3.0, 2.0, 4.0, 4.0, 3.0]
    intervals = ag.rate_intervals(judge, human, cut=4.0)
    assert intervals["raw_agreement"] == pytest.approx(_scipy_wilson(4, 6))  # identical verdicts on the scale
    assert intervals["true_pass_rate"] == pytest.approx(_scipy_wilson(2, 3))  # humans passed 5, 4, 4
    assert intervals["false_pass_rate"] == pytest.approx(_scipy_wilson(1, 3))  # humans failed 3, 2, 3


def test_a_rate_with_nothing_to_count_has_no_interval():
    intervals = ag.rate_intervals([1.0, 1.0], [1.0, 1.0], cut=1.0)
    assert all(math.isnan(x) for x in intervals["false_pass_rate"])


def test_a_bootstrap_that_never_varies_has_no_interval():
    assert all(math.isnan(x) for x in ag.percentile_interval([1.0] * 1000))  # kappa 1.00 on every resample
    assert all(math.isnan(x) for x in ag.percentile_interval([1.0, math.nan, 1.0]))
    assert all(math.isnan(x) for x in ag.percentile_interval([]))
    low, high = ag.percentile_interval([0.2, 0.4, math.nan, 0.6, 0.8, 1.0])
    assert (low, high) == pytest.approx((0.22, 0.98))


def test_a_bootstrap_that_varies_only_by_rounding_has_no_interval():
    # Spearman's rho of a perfect ranking: 1.0 on some resamples, 0.9999999999999998 on others.
    replicates = [1.0, 0.9999999999999998] * 500
    assert all(math.isnan(x) for x in ag.percentile_interval(replicates))
    assert ag.percentile_interval([0.99, 1.0] * 500) == pytest.approx((0.99, 1.0))  # a real spread keeps one


def test_the_header_names_wilson_for_the_rates_and_the_bootstrap_for_the_rest():
    from harness.calibration.render import render_markdown
    from harness.calibration.schema import CalibrationReport

    text = render_markdown(CalibrationReport(run="r", labels_file="l", labels_sha256="x" * 64, resamples=1000,
                                             seed=7))
    assert ("Intervals (95%): Wilson over the replies each rate counts for agree, true-pass and false-pass; "
            "percentile bootstrap over labelled replies for the others (1000 resamples, seed 7).") in text

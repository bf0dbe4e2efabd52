"""Reducers and τ-bench's pass^k, against hand-computed values."""

from __future__ import annotations

from math import comb

import pytest

from harness.sampling.reducers import majority_pass, parse_reducer, pass_hat_k, reduce_passes, reduce_scores


@pytest.mark.parametrize("c, n, k, expected", [
    (4, 4, 1, 1.0), (4, 4, 4, 1.0), (3, 4, 1, 0.75), (3, 4, 2, 3 / 6), (3, 4, 3, 1 / 4), (3, 4, 4, 0.0),
    (0, 5, 1, 0.0), (2, 5, 2, 1 / 10), (5, 8, 3, comb(5, 3) / comb(8, 3)),
])
def test_pass_hat_k_is_c_choose_k_over_n_choose_k(c, n, k, expected):
    assert pass_hat_k(c, n, k) == pytest.approx(expected)


def test_pass_hat_k_needs_k_trials():
    assert pass_hat_k(2, 2, 3) is None


def test_tau_bench_pass_k_is_the_mean_over_cases():
    # Two cases: 4/4 and 2/4 successes. pass^2 = mean(C(4,2)/C(4,2), C(2,2)/C(4,2)) = (1 + 1/6) / 2.
    cases = [[True] * 4, [True, True, False, False]]
    values = [reduce_passes(c, "pass^2") for c in cases]
    assert sum(values) / len(values) == pytest.approx((1 + 1 / 6) / 2)


@pytest.mark.parametrize("reducer, scores, expected", [
    ("mean", [1, 2, 3, 5], 2.75), ("median", [1, 2, 3, 5], 2.5), ("majority", [4, 4, 2], 4.0),
    ("majority", [2, 4], 2.0),  # a tie goes to the lower score
    ("pass^2", [2, 4], 3.0),    # pass^k reduces scores by their mean
])
def test_reduce_scores(reducer, scores, expected):
    assert reduce_scores(scores, reducer) == expected


@pytest.mark.parametrize("reducer, passes, expected", [
    ("mean", [True, False, True], 2 / 3), ("median", [True, False, True], 1.0),
    ("majority", [True, False], 0.0), ("majority", [True, True, False], 1.0), ("pass^3", [True, False, True], 0.0),
])
def test_reduce_passes(reducer, passes, expected):
    assert reduce_passes(passes, reducer) == pytest.approx(expected)


def test_majority_pass_tie_fails():
    assert majority_pass([True, False]) is False
    assert majority_pass([]) is None


@pytest.mark.parametrize("bad", ["avg", "pass^0", "pass^", "pass@3"])
def test_unknown_reducers_are_refused(bad):
    with pytest.raises(ValueError, match="unknown reducer"):
        parse_reducer(bad)


def test_folding_samples_averages_the_weighted_score_of_every_sample():
    from harness.records.schema import CriterionResult, Record
    from harness.sampling.epochs import fold_samples

    samples = [Record(case_id="c", candidate="x", sample=i, reply="r",
                      judge={"tone": CriterionResult(score=s, passed=s >= 4, weighted_score=w)})
               for i, (s, w) in enumerate([(4, 3.5), (5, 4.5), (4, 4.0)])]
    folded = fold_samples(samples, "majority")
    assert folded.judge["tone"].score == 4 and folded.judge["tone"].weighted_score == 4.0

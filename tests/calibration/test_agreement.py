"""The agreement statistics against scikit-learn, scipy and the krippendorff package on the same numbers."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score, confusion_matrix

from harness.calibration import agreement as ag

FIVE = [1.0, 2.0, 3.0, 4.0, 5.0]


def _random_pairs(seed: int, n: int, k: int) -> tuple[list[float], list[float]]:
    rng = np.random.default_rng(seed)
    human = rng.integers(1, k + 1, n)
    noise = rng.integers(-1, 2, n) * (rng.random(n) < 0.5)
    judge = np.clip(human + noise, 1, k)
    return judge.astype(float).tolist(), human.astype(float).tolist()


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_kappa_matches_sklearn(seed: int, weights: str | None) -> None:
    judge, human = _random_pairs(seed, 40, 5)
    ours = ag.cohen_kappa(judge, human, FIVE, weights=weights)
    theirs = cohen_kappa_score(human, judge, labels=FIVE, weights=weights)
    assert ours == pytest.approx(theirs, abs=1e-12)


def test_binary_kappa_matches_sklearn() -> None:
    judge = [True, True, False, True, False, False, True, True, False, True]
    human = [True, False, False, True, False, True, True, True, False, False]
    assert ag.cohen_kappa(judge, human, [False, True]) == pytest.approx(cohen_kappa_score(human, judge))


def test_confusion_matches_sklearn_rows_are_humans() -> None:
    judge, human = _random_pairs(3, 30, 5)
    assert ag.confusion(judge, human, FIVE) == confusion_matrix(human, judge, labels=FIVE).tolist()


def test_kappa_undefined_when_everyone_uses_one_category() -> None:
    assert math.isnan(ag.cohen_kappa([1.0] * 5, [1.0] * 5, [0.0, 1.0]))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_alpha_matches_krippendorff_package(seed: int, level: str) -> None:
    judge, human = _random_pairs(seed, 30, 5)
    ours = ag.krippendorff_alpha([judge, human], level, FIVE)
    theirs = krippendorff.alpha(reliability_data=[judge, human], level_of_measurement=level, value_domain=FIVE)
    assert ours == pytest.approx(theirs, abs=1e-9)


@pytest.mark.parametrize("level", ["nominal", "ordinal"])
def test_alpha_with_three_raters_and_missing_values(level: str) -> None:
    rng = np.random.default_rng(11)
    data = rng.integers(1, 6, (3, 25)).astype(float)
    data[rng.random((3, 25)) < 0.25] = np.nan
    ours = ag.krippendorff_alpha(data.tolist(), level, FIVE)
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level, value_domain=FIVE)
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_alpha_sparse_units_match_package() -> None:
    # Units rated once (or never) do not count; the package must agree on which.
    nan = None
    data = [[nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
            [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
            [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4]]
    theirs = krippendorff.alpha(reliability_data=np.array(data, dtype=float), level_of_measurement="nominal")
    assert ag.krippendorff_alpha(data, "nominal") == pytest.approx(theirs, abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_spearman_matches_scipy(seed: int) -> None:
    judge, human = _random_pairs(seed, 25, 5)
    assert ag.spearman(judge, human) == pytest.approx(spearmanr(judge, human).statistic)


def test_rates_and_leniency() -> None:
    judge = [True, True, True, False, True, False]
    human = [True, True, False, False, False, True]
    assert ag.true_pass_rate(judge, human) == pytest.approx(2 / 3)
    assert ag.false_pass_rate(judge, human) == pytest.approx(2 / 3)
    assert ag.leniency([5.0, 4.0, 3.0], [3.0, 4.0, 2.0]) == pytest.approx(1.0)
    assert math.isnan(ag.true_pass_rate([True], [False]))

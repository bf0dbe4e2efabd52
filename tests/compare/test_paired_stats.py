"""The paired statistics against scipy (and brute force) on the same numbers."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from harness.compare.paired import (CaseCluster, cluster_bootstrap_diff, holm, mcnemar_exact,
                                    minimum_detectable_effect, smallest_significant_count, wilcoxon_signed_rank)


@pytest.mark.parametrize("down,up", [(0, 0), (0, 6), (6, 0), (3, 9), (10, 10), (1, 20), (25, 40), (0, 1), (17, 3),
                                     (1696, 1780), (2400, 2000), (3000, 3000)])
def test_exact_mcnemar_is_scipy_binomial_test_on_discordant_pairs(down, up):
    expected = 1.0 if down + up == 0 else stats.binomtest(up, down + up, 0.5).pvalue
    assert mcnemar_exact(down, up) == pytest.approx(expected, rel=1e-12)


def _exact_wilcoxon(deltas):
    """Brute force: every sign assignment of the non-zero differences' (average) ranks is equally likely."""
    nonzero = np.asarray([d for d in deltas if d != 0], dtype=float)
    ranks = stats.rankdata(np.abs(nonzero))
    observed = ranks[nonzero > 0].sum()
    null = np.array([sum(r for r, s in zip(ranks, signs) if s)
                     for signs in itertools.product((0, 1), repeat=len(ranks))])
    return min(1.0, 2 * min(np.mean(null <= observed + 1e-9), np.mean(null >= observed - 1e-9)))


@pytest.mark.parametrize("deltas", [[1.5, -0.5, 2.0, 3.0, 0.25, 4.0, -1.25, 2.5],
                                    [-1.0, -2.5, -3.0, 0.5, -4.0, -0.75, -5.0, -6.0, 1.25, -7.0]])
def test_wilcoxon_matches_scipy_and_brute_force_exact_distribution(deltas):
    assert wilcoxon_signed_rank(deltas) == pytest.approx(stats.wilcoxon(deltas).pvalue, rel=1e-12)
    assert wilcoxon_signed_rank(deltas) == pytest.approx(_exact_wilcoxon(deltas), rel=1e-9)


def test_wilcoxon_with_ties_and_zeros_is_exact_over_the_non_zero_differences():
    deltas = [0, 0, -1, -1, -2, 1, -1, -3, 0, -1, -2, -1, 1, -1, -2, -1]
    assert wilcoxon_signed_rank(deltas) == pytest.approx(_exact_wilcoxon(deltas), rel=1e-9)
    rng = np.random.default_rng(1)
    for _ in range(25):
        deltas = list(rng.integers(-3, 4, rng.integers(3, 17)).astype(float)) + [1.0]
        assert wilcoxon_signed_rank(deltas) == pytest.approx(_exact_wilcoxon(deltas), rel=1e-9), deltas
    assert wilcoxon_signed_rank([0, 0, 0]) == 1.0


def test_a_few_changed_cases_among_many_get_the_exact_p_value():
    # Review finding: five 1-5 cases +1 among 60 read p 0.025 (normal approximation) and "improved". All |d| tie,
    # so the exact signed-rank test is the sign test: 2 * 0.5^5.
    assert wilcoxon_signed_rank([1.0] * 5 + [0.0] * 55) == pytest.approx(0.0625, rel=1e-12)
    assert wilcoxon_signed_rank([2.0, 2.0] + [0.0] * 68) == pytest.approx(0.5, rel=1e-12)  # it read 0.157
    assert wilcoxon_signed_rank([1.0] * 9 + [0.0] * 50) == pytest.approx(stats.binomtest(9, 9).pvalue, rel=1e-12)
    assert wilcoxon_signed_rank([1.0] * 6 + [0.0] * 100) < 0.05 <= wilcoxon_signed_rank([1.0] * 5 + [0.0] * 100)


def test_exact_up_to_200_non_zero_differences_without_scipy_stats():
    rng = np.random.default_rng(4)
    distinct = list(rng.normal(0.3, 1.0, 51))
    assert wilcoxon_signed_rank(distinct) == pytest.approx(stats.wilcoxon(distinct, method="exact").pvalue, rel=1e-9)
    many = list(rng.normal(0.2, 1.0, 200)) + [0.0] * 300
    nonzero = [d for d in many if d]
    assert wilcoxon_signed_rank(many) == pytest.approx(stats.wilcoxon(nonzero, method="exact").pvalue, rel=1e-6)
    code = ("import sys; from harness.compare.paired import wilcoxon_signed_rank; "
            "p = wilcoxon_signed_rank([float(i % 7 - 3) for i in range(150)] + [0.0] * 50); "
            "assert 0 < p <= 1 and 'scipy.stats' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def _normal_cases():
    rng = np.random.default_rng(11)
    yield "400 scores with zeros", list(rng.integers(-4, 5, 400).astype(float))
    yield "5000 pass/fail flips", list(rng.choice([-1.0, 0.0, 0.0, 1.0], 5000, p=[0.05, 0.45, 0.4, 0.1]))
    yield "3000 case rates", list(rng.integers(-3, 4, 3000) / 3)
    yield "all one way (tiny p)", list(rng.integers(1, 5, 400).astype(float))
    yield "large, centred", list(np.round(rng.normal(0.0, 1.0, 20000), 2))


@pytest.mark.parametrize("name,deltas", list(_normal_cases()))
def test_wilcoxon_normal_approximation_matches_scipy(name, deltas):
    # Over 200 non-zero differences the p-value is the normal approximation, computed without scipy, step for step.
    expected = stats.wilcoxon(deltas, zero_method="wilcox").pvalue
    assert expected > 0
    assert wilcoxon_signed_rank(deltas) == pytest.approx(expected, rel=1e-12)


def test_a_large_diff_does_not_import_scipy_stats():
    code = ("import sys; from harness.compare.paired import wilcoxon_signed_rank; "
            "p = wilcoxon_signed_rank([float(i % 7 - 2) for i in range(5000)]); "
            "assert 0 < p < 1 and 'scipy.stats' not in sys.modules, sorted(m for m in sys.modules if 'scipy' in m)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_holm_by_hand_and_monotone():
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.2, None, 0.9]) == [pytest.approx(0.4), None, pytest.approx(0.9)]
    assert holm([]) == []


def test_holm_rejections_match_the_step_down_rule():
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 0.1, size=12)
    adjusted = holm(list(p))
    order = np.argsort(p)
    reject = np.zeros(12, bool)
    for rank, index in enumerate(order):  # Holm: reject while p_(i) <= alpha / (m - i)
        if p[index] > 0.05 / (12 - rank):
            break
        reject[index] = True
    assert list(np.asarray(adjusted) <= 0.05) == list(reject)


def test_bootstrap_without_clusters_agrees_with_scipy_percentile_bootstrap():
    rng = np.random.default_rng(7)
    a = rng.integers(1, 6, 80).astype(float)
    b = np.clip(a + rng.integers(-1, 3, 80), 1, 5)
    clusters = [CaseCluster(str(i), (x,), (y,)) for i, (x, y) in enumerate(zip(a, b))]
    point, ci = cluster_bootstrap_diff(clusters, n_resamples=8000)
    ref = stats.bootstrap((b - a,), np.mean, method="percentile", n_resamples=8000, random_state=1).confidence_interval
    assert point == pytest.approx((b - a).mean())
    assert ci.lo == pytest.approx(ref.low, abs=0.04) and ci.hi == pytest.approx(ref.high, abs=0.04)
    assert cluster_bootstrap_diff(clusters, n_resamples=8000) == (point, ci)  # seeded: same input, same interval


def test_bootstrap_resamples_whole_cases():
    # Five identical samples per case carry no more information than one: the interval must not shrink.
    rng = np.random.default_rng(11)
    deltas = rng.normal(-0.3, 1.0, 30)
    single = [CaseCluster(str(i), (0.0,), (d,)) for i, d in enumerate(deltas)]
    repeated = [CaseCluster(str(i), (0.0,) * 5, (d,) * 5) for i, d in enumerate(deltas)]
    _, ci_single = cluster_bootstrap_diff(single)
    _, ci_repeated = cluster_bootstrap_diff(repeated)
    assert ci_repeated.hi - ci_repeated.lo == pytest.approx(ci_single.hi - ci_single.lo, rel=1e-9)
    assert cluster_bootstrap_diff([]) == (None, None)
    assert cluster_bootstrap_diff(single[:1])[1] is None


def test_minimum_detectable_effect():
    assert smallest_significant_count() == 6
    assert mcnemar_exact(0, 6) < 0.05 <= mcnemar_exact(0, 5)
    # No spread: the exact-test floor, the change with 80% power of reaching 6 cases all one way (6 of 60,
    # 10 pp, the old floor, has about 40%).
    floor = minimum_detectable_effect([0.0] * 60)
    assert stats.binom.sf(5, 60, floor) == pytest.approx(0.8, abs=1e-6)
    assert stats.binom.sf(5, 60, 6 / 60) < 0.8
    deltas = np.random.default_rng(5).normal(0, 1, 100)
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert minimum_detectable_effect(deltas) == pytest.approx(z * deltas.std(ddof=1) / 10)
    assert minimum_detectable_effect(deltas[:25]) > minimum_detectable_effect(deltas)
    assert minimum_detectable_effect([]) is None

"""Paired statistics for comparing two sides case by case.

The unit of every test and interval is the *case*: when a case has several
samples, its samples are averaged on each side (a cluster), so repeated samples
never pass for independent evidence.

- :func:`cluster_bootstrap_diff`: the difference of means ``B - A`` with a
  percentile bootstrap interval that resamples cases with replacement.
- :func:`mcnemar_exact`: the exact (binomial) McNemar test for paired pass/fail.
- :func:`wilcoxon_signed_rank`: Wilcoxon's signed-rank test on case differences.
- :func:`holm`: Holm's step-down adjustment of a family of p-values.
- :func:`minimum_detectable_effect`: the smallest true difference this n would
  detect at 80% power, so "no detectable change" is not read as "the same".

Every function is pure and seeded where random, and answers ``None`` rather
than NaN where a quantity is undefined.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _scipy

from harness.scoring.stats import DEFAULT_SEED, Interval

DEFAULT_RESAMPLES = 4000
ALPHA = 0.05
POWER = 0.80


@dataclass(frozen=True)
class CaseCluster:
    """One case's values on each side (one value per valid sample)."""

    case_id: str
    a: tuple[float, ...]
    b: tuple[float, ...]

    @property
    def delta(self) -> float:
        """The case's paired difference: mean of B's samples minus mean of A's."""
        return float(np.mean(self.b) - np.mean(self.a))


def pooled_means(clusters: Sequence[CaseCluster]) -> tuple[float | None, float | None]:
    """The mean of every A value and of every B value (all samples pooled)."""
    if not clusters:
        return None, None
    a = [v for c in clusters for v in c.a]
    b = [v for c in clusters for v in c.b]
    return float(np.mean(a)), float(np.mean(b))


def cluster_bootstrap_diff(clusters: Sequence[CaseCluster], confidence: float = 0.95,
                           n_resamples: int = DEFAULT_RESAMPLES,
                           seed: int = DEFAULT_SEED) -> tuple[float | None, Interval | None]:
    """``mean(B) - mean(A)`` over all samples, with a percentile interval resampling whole cases.

    Each resample draws ``len(clusters)`` cases with replacement (multinomial
    weights) and recomputes both pooled means, so a case's samples always move
    together. The same input and seed always give the same interval. The
    interval is ``None`` below two cases.
    """
    if not clusters:
        return None, None
    sums = np.array([[sum(c.a), len(c.a), sum(c.b), len(c.b)] for c in clusters], dtype=float)
    point = sums[:, 2].sum() / sums[:, 3].sum() - sums[:, 0].sum() / sums[:, 1].sum()
    if len(clusters) < 2:
        return float(point), None
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(len(clusters), np.full(len(clusters), 1 / len(clusters)), size=n_resamples)
    totals = weights @ sums
    diffs = totals[:, 2] / totals[:, 3] - totals[:, 0] / totals[:, 1]
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(diffs, [tail, 100 - tail])
    return float(point), Interval(float(lo), float(hi))


def mcnemar_exact(pass_to_fail: int, fail_to_pass: int) -> float:
    """The two-sided exact McNemar p-value from the discordant pair counts.

    Under the null hypothesis each discordant pair goes either way with
    probability 1/2, so the test is a binomial test of ``fail_to_pass`` out of
    all discordant pairs (twice the smaller tail, capped at 1). With no
    discordant pair there is no evidence of change: ``1.0``.
    """
    n = pass_to_fail + fail_to_pass
    if n == 0:
        return 1.0
    k = min(pass_to_fail, fail_to_pass)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def wilcoxon_signed_rank(deltas: Sequence[float]) -> float:
    """The two-sided Wilcoxon signed-rank p-value of the case differences ``deltas``.

    Zero differences are dropped (Wilcoxon's original treatment); ties get
    average ranks. scipy chooses the exact null distribution for small samples
    without ties and the normal approximation (with tie correction) otherwise.
    With no non-zero difference there is no evidence of change: ``1.0``.
    """
    values = np.asarray(deltas, dtype=float)
    if not np.any(values != 0):
        return 1.0
    return float(_scipy.wilcoxon(values, zero_method="wilcox", alternative="two-sided").pvalue)


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values, in input order; ``None`` entries are not part of the family.

    Sorted ascending, the i-th smallest of m is multiplied by ``m - i`` and the
    running maximum is kept, so the adjusted values are monotone and at most 1.
    Rejecting where the adjusted value is below alpha controls the
    family-wise error rate at alpha.
    """
    present = [(p, i) for i, p in enumerate(pvalues) if p is not None]
    present.sort()
    m, running = len(present), 0.0
    adjusted: list[float | None] = [None] * len(pvalues)
    for rank, (p, index) in enumerate(present):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[index] = running
    return adjusted


def smallest_significant_count(alpha: float = ALPHA) -> int:
    """The fewest discordant cases, all in one direction, that a two-sided exact test can call significant.

    ``6`` at alpha 0.05 (2 · 0.5^6 = 0.031); below it no result can be significant.
    """
    k = 1
    while 2 * 0.5 ** k >= alpha:
        k += 1
    return k


def minimum_detectable_effect(deltas: Sequence[float], step: float = 1.0, alpha: float = ALPHA,
                              power: float = POWER) -> float | None:
    """The smallest true mean difference detectable at this n with ``power``, two-sided ``alpha``.

    The normal approximation ``(z_{1-alpha/2} + z_power) * sd(deltas) / sqrt(n)``
    from the observed spread of the case differences, floored at what an exact
    test can resolve at all: ``smallest_significant_count() * step / n`` (with
    ``step`` the smallest change one case can make, 1 on pass/fail and 1–5
    scales). The floor keeps a row with no discordant case from claiming it
    would see any change. Before Holm correction, which only raises it.
    ``None`` with no cases.
    """
    values = np.asarray(deltas, dtype=float)
    n = values.size
    if n == 0:
        return None
    z = float(_scipy.norm.ppf(1 - alpha / 2) + _scipy.norm.ppf(power))
    spread = float(values.std(ddof=1)) if n > 1 else 0.0
    return max(z * spread / math.sqrt(n), smallest_significant_count(alpha) * step / n)

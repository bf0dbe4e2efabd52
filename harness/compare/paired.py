"""Paired statistics for comparing two sides case by case.

The unit of every test and interval is the *case*: when a case has several
samples, its samples are averaged on each side (a cluster), so repeated samples
never pass for independent evidence.

- :func:`cluster_bootstrap_diff`: the difference of means ``B - A`` with a
  percentile bootstrap interval that resamples cases with replacement.
- :func:`mcnemar_exact`: the exact (binomial) McNemar test for paired pass/fail, and
  :func:`mcnemar_exact_interval` the interval of the difference that agrees with it.
- :func:`wilcoxon_signed_rank`: Wilcoxon's signed-rank test on case differences (exact over the non-zero
  differences up to 200 of them).
- :func:`holm` and :func:`tarone_holm` (Holm over Tarone's family) live in
  :mod:`harness.compare.family`, and :func:`minimum_detectable_effect` with the
  exact test's power floor in :mod:`harness.compare.power`; both are importable
  from here too.

Every function is pure and seeded where random, and answers ``None`` rather
than NaN where a quantity is undefined.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Re-exported: the diff rows, pairwise stats and tests import these from here.
from harness.compare.family import ALPHA, holm, smallest_attainable_p, tarone_holm, tarone_size  # noqa: F401
from harness.compare.power import (POWER, binomial_upper_tail, detectable_share, exact_floor,  # noqa: F401
                                   minimum_detectable_effect, smallest_significant_count)
from harness.scoring.stats import DEFAULT_SEED, Interval

DEFAULT_RESAMPLES = 4000
DRAWS_PER_CHUNK = 1 << 22  # multinomial draws held at once (32 MiB), however many cases and resamples


@dataclass(frozen=True)
class CaseCluster:
    """One case's values on each side (one value per valid sample)."""

    case_id: str
    a: tuple[float, ...]
    b: tuple[float, ...]

    @property
    def delta(self) -> float:
        """The case's paired difference: mean of B's samples minus mean of A's."""
        return sum(self.b) / len(self.b) - sum(self.a) / len(self.a)


@dataclass(frozen=True)
class Clusters:
    """Paired cases as arrays: per case, the sum and the count of its values on each side.

    Everything a diff row needs (pooled means, the bootstrap, McNemar's pairs,
    the case differences) follows from these four numbers per case.
    """

    case_ids: list[str]
    sum_a: np.ndarray
    n_a: np.ndarray
    sum_b: np.ndarray
    n_b: np.ndarray

    @classmethod
    def of(cls, clusters: Sequence[CaseCluster]) -> Clusters:
        sums = np.array([[sum(c.a), len(c.a), sum(c.b), len(c.b)] for c in clusters], dtype=float).reshape(-1, 4)
        return cls([c.case_id for c in clusters], sums[:, 0], sums[:, 1], sums[:, 2], sums[:, 3])

    def __len__(self) -> int:
        return len(self.case_ids)

    @property
    def delta(self) -> np.ndarray:
        """Each case's paired difference: mean of B's samples minus mean of A's."""
        return self.sum_b / self.n_b - self.sum_a / self.n_a

    def grouped(self, unit_of: dict[str, str]) -> Clusters:
        """These cases merged into larger units (``unit_of[case_id]``, e.g. the thread of a replayed turn).

        A unit's sums and counts are its cases' totals, so resampling units moves
        every case of a unit together, and a unit's difference is the mean of
        all its values on B minus on A. Units keep the order of their first case.
        """
        if not len(self):
            return self
        units = [unit_of.get(case_id, case_id) for case_id in self.case_ids]
        position = {unit: i for i, unit in enumerate(dict.fromkeys(units))}
        index = np.fromiter((position[unit] for unit in units), dtype=np.intp, count=len(units))

        def total(values: np.ndarray) -> np.ndarray:
            return np.bincount(index, weights=values, minlength=len(position))

        return Clusters(list(position), total(self.sum_a), total(self.n_a), total(self.sum_b), total(self.n_b))


def _as_clusters(clusters: Sequence[CaseCluster] | Clusters) -> Clusters:
    return clusters if isinstance(clusters, Clusters) else Clusters.of(clusters)


def pooled_means(clusters: Sequence[CaseCluster] | Clusters) -> tuple[float | None, float | None]:
    """The mean of every A value and of every B value (all samples pooled)."""
    c = _as_clusters(clusters)
    if not len(c):
        return None, None
    return float(c.sum_a.sum() / c.n_a.sum()), float(c.sum_b.sum() / c.n_b.sum())


def cluster_bootstrap_diff(clusters: Sequence[CaseCluster] | Clusters, confidence: float = 0.95,
                           n_resamples: int = DEFAULT_RESAMPLES,
                           seed: int = DEFAULT_SEED) -> tuple[float | None, Interval | None]:
    """``mean(B) - mean(A)`` over all samples, with a percentile interval resampling whole cases.

    Each resample draws ``len(clusters)`` cases with replacement and
    recomputes both pooled means, so a case's samples always move together.
    Cases with the same sums are interchangeable, so a resample draws how many
    cases of each kind it takes (multinomial, weighted by the kind's count):
    the same distribution as drawing cases one by one, at a cost set by the
    number of kinds (at most 4 on a pass/fail row with one sample per case)
    rather than the number of cases. The same input and seed always give the
    same interval. The interval is ``None`` below two cases.
    """
    c = _as_clusters(clusters)
    if not len(c):
        return None, None
    sums = np.column_stack([c.sum_a, c.n_a, c.sum_b, c.n_b])
    point = sums[:, 2].sum() / sums[:, 3].sum() - sums[:, 0].sum() / sums[:, 1].sum()
    if len(c) < 2:
        return float(point), None
    kinds, counts = _kinds(sums)
    totals = _resampled_totals(kinds, counts / len(c), len(c), n_resamples, seed)
    diffs = totals[:, 2] / totals[:, 3] - totals[:, 0] / totals[:, 1]
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(diffs, [tail, 100 - tail])
    return float(point), Interval(float(lo), float(hi))


def _kinds(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``sums`` in lexicographic order and how often each occurs (``np.unique(axis=0)``,
    without its slow sort of whole rows)."""
    ordered = sums[np.lexsort(sums.T[::-1])]
    first = np.flatnonzero(np.concatenate([[True], np.any(ordered[1:] != ordered[:-1], axis=1)]))
    return ordered[first], np.diff(np.append(first, len(ordered)))


def _resampled_totals(kinds: np.ndarray, shares: np.ndarray, n: int, n_resamples: int, seed: int) -> np.ndarray:
    """Per resample, the column sums of ``n`` rows of ``kinds`` drawn with probabilities ``shares``."""
    rng = np.random.default_rng(seed)
    chunk = max(1, DRAWS_PER_CHUNK // len(kinds))
    return np.concatenate([rng.multinomial(n, shares, size=min(chunk, n_resamples - start)) @ kinds
                           for start in range(0, n_resamples, chunk)])


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
    term = total = 1  # C(n, 0); each next term from the last, in exact integers (math.comb per term is O(i))
    for i in range(1, k + 1):
        term = term * (n - i + 1) // i
        total += term
    return min(1.0, 2 * (total / 2 ** n))


QUADRATURE_NODES = 1000  # points of the discordant share's distribution the melded interval averages over


def mcnemar_exact_interval(pass_to_fail: int, fail_to_pass: int, n: int,
                           confidence: float = 0.95) -> Interval | None:
    """The interval of a paired pass-rate difference ``(fail_to_pass - pass_to_fail) / n`` that agrees with
    :func:`mcnemar_exact`: it excludes 0 exactly when the exact McNemar p-value is below ``1 - confidence``.

    Fay & Lumbard's melded interval (Stat Med 2021;40:1147-59; R's ``exact2x2::mcnemarExactDP``). The
    difference is ``θ·(2π - 1)`` with ``θ`` the share of discordant cases and ``π`` the share of those that
    went fail → pass. Each gets its Clopper–Pearson confidence distribution (``θ``: Beta(m, n-m+1) and
    Beta(m+1, n-m) for the m discordant of n; ``π``: Beta(x, m-x+1) and Beta(x+1, m-x) for the x of m that
    rose), and each end of the interval is the ``(1 - confidence) / 2`` quantile of their product, taken at
    the conservative one of the two ``θ`` bounds. At 0 the product's tail does not depend on ``θ``, so it is
    exactly the exact binomial tail of McNemar's test: the interval excludes 0 exactly when the test rejects.
    A percentile bootstrap of 3 cases that all failed read ``-100 pp [-100, -100]`` (every resample is -1)
    beside p 0.25; this reads about ``[-100, +41]``. With no discordant case it is Clopper–Pearson's bound
    on the share that could change unseen (as :func:`harness.compare.intervals.no_change_interval`). ``None``
    without cases.
    """
    m = pass_to_fail + fail_to_pass
    if n <= 0 or m > n:
        return None
    tail = (1.0 - confidence) / 2.0
    from scipy import special  # lazily: about 0.4 s to import, and only a pass/fail diff needs it

    if m == 0:
        bound = float(special.betaincinv(1, n, 1 - tail))
        return Interval(-bound, bound)
    lo = _melded_lower(fail_to_pass, m, n, tail, special)
    hi = -_melded_lower(pass_to_fail, m, n, tail, special)  # the upper end is the lower end with the roles swapped
    return Interval(lo, hi)


def _melded_lower(x: int, m: int, n: int, tail: float, special) -> float:
    """The lower end of :func:`mcnemar_exact_interval` for ``x`` of ``m`` discordant cases rising, of ``n``.

    Solves ``P[θ·(2π - 1) <= Δ] = tail`` for ``Δ`` by bisection, with ``π ~ Beta(x, m-x+1)`` and ``θ`` from
    Beta(m, n-m+1) for ``Δ > 0`` and Beta(m+1, n-m) for ``Δ < 0`` (the bound that makes the tail larger). The
    expectation over ``θ`` is a midpoint rule over its quantiles.
    """
    if x == 0:  # π is 0: the difference is -θ, and its lower end is the upper bound of θ
        return -1.0 if m == n else -float(special.betaincinv(m + 1, n - m, 1 - tail))
    u = (np.arange(QUADRATURE_NODES) + 0.5) / QUADRATURE_NODES
    theta_low = special.betaincinv(m, n - m + 1, u)
    theta_high = np.ones_like(u) if m == n else special.betaincinv(m + 1, n - m, u)

    def below(delta: float) -> float:
        theta = theta_low if delta > 0 else theta_high
        share = np.clip(0.5 + delta / (2 * theta), 0.0, 1.0)
        return float(special.betainc(x, m - x + 1, share).mean())

    if below(0.0) >= tail:  # the test does not reject upwards: the interval reaches 0 or below
        left, right = -1.0, 0.0
    else:
        left, right = 0.0, 1.0
    if below(left) >= tail:
        return left
    for _ in range(32):  # to 2^-32 of the unit: far below the 0.1 pp a diff prints
        middle = (left + right) / 2
        if below(middle) >= tail:
            right = middle
        else:
            left = middle
    return (left + right) / 2


EXACT_WILCOXON_MAX = 200  # non-zero differences up to which the signed-rank p-value is exact


def wilcoxon_signed_rank(deltas: Sequence[float]) -> float:
    """The two-sided Wilcoxon signed-rank p-value of the case differences ``deltas``.

    Zero differences are dropped (Wilcoxon's original treatment, scipy's ``zero_method="wilcox"``) and tied
    ``|d|`` get average ranks. Up to :data:`EXACT_WILCOXON_MAX` non-zero differences the p-value comes from the
    *exact* null distribution of the signed-rank statistic over those differences, with their tied ranks as
    they are (:func:`_wilcoxon_exact`): under the null each non-zero difference is positive or negative with
    probability 1/2, independently. A diff nearly always has many unchanged cases, so it is the number of
    *changed* cases that decides how good a normal approximation would be, and with a handful of them it is
    not: five cases all +1 among 60 read p 0.025 by the approximation, against the exact 0.0625 (the sign
    test's, as it must be when every |d| ties). Above that many non-zero differences the normal approximation
    with tie correction over the non-zero differences is used (no continuity correction), computed by the
    same steps as scipy's (:func:`_wilcoxon_normal`) so a diff need not import ``scipy.stats``.
    With no non-zero difference there is no evidence of change: ``1.0``.
    """
    values = np.asarray(deltas, dtype=float)
    nonzero = values[values != 0]
    if not nonzero.size:
        return 1.0
    if nonzero.size <= EXACT_WILCOXON_MAX:
        return _wilcoxon_exact(nonzero)
    return _wilcoxon_normal(values)


def _wilcoxon_exact(nonzero: np.ndarray) -> float:
    """The exact two-sided signed-rank p-value of non-zero differences, ties among ``|d|`` included.

    Ranks of ``|d|`` are averaged over ties, so twice a rank is an integer and the statistic ``2·T+`` (twice
    the sum of the positive differences' ranks) lives on the integers ``0 .. n(n+1)``. Under the null the
    ``t`` differences of one tie group with doubled rank ``R`` contribute ``R·k`` with ``k ~ Binomial(t, 1/2)``,
    independently of the other groups, so the null distribution is the convolution of one scaled binomial
    per group (exactly what enumerating all ``2^n`` sign assignments gives). The p-value is twice the smaller
    tail at the observed statistic, capped at 1 (the distribution is symmetric about ``n(n+1)/2``).
    """
    # Magnitudes equal to 12 significant digits are ties: a mean over samples computed two ways may differ
    # in its last bit.
    magnitude = np.abs(nonzero)
    magnitude = np.round(magnitude, 12 - int(math.floor(math.log10(float(magnitude.max())))))
    ordered = np.sort(magnitude, kind="stable")
    first = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    sizes = np.diff(np.append(first, ordered.size))
    doubled = 2 * (first + 1) + sizes - 1  # twice the average rank of each tie group (1-based ranks)
    rank_of = dict(zip(ordered[first].tolist(), doubled.tolist()))
    observed = sum(rank_of[m] for m in magnitude[nonzero > 0].tolist())
    total = int(nonzero.size * (nonzero.size + 1))
    dist = np.zeros(total + 1)
    dist[0] = 1.0
    reach = 0  # the largest statistic reachable so far
    for rank, size in zip(doubled.tolist(), sizes.tolist()):
        weights = [math.comb(size, k) / 2.0 ** size for k in range(size + 1)]
        new = np.zeros_like(dist)
        for k, weight in enumerate(weights):
            shift = k * rank
            new[shift:shift + reach + 1] += weight * dist[:reach + 1]
        dist, reach = new, reach + size * rank
    lower = float(dist[:observed + 1].sum())
    upper = float(dist[observed:].sum())
    return min(1.0, 2.0 * min(lower, upper))


def _wilcoxon_normal(values: np.ndarray) -> float:
    """The normal approximation of the signed-rank test, step for step as ``scipy.stats._wilcoxon`` computes it
    (zeros set aside as NaN, average ranks of ``|d|`` from a stable sort, tie correction ``sum(t^3 - t) / 2``,
    no continuity correction), so the p-value is scipy's to the last bits of ``ndtr``."""
    d = np.where(values == 0, np.nan, values)
    count = float(d.size - np.count_nonzero(np.isnan(d)))
    magnitude = np.abs(d)
    order = np.argsort(magnitude, kind="stable")
    ordered = magnitude[order]
    first = np.concatenate([[True], ordered[:-1] != ordered[1:]])  # NaN != NaN: each zero stands alone
    starts = np.arange(ordered.size)[first]
    counts = np.diff(starts, append=ordered.size)
    group_ranks = np.arange(1, ordered.size + 1, dtype=float)[first] + (counts.astype(float) - 1) / 2
    ranks = np.empty(ordered.size, dtype=float)
    ranks[order] = np.repeat(group_ranks, counts)
    ties = np.zeros(ordered.size, dtype=float)
    ties[first] = counts
    r_plus = np.sum((d > 0).astype(float) * ranks)
    mean = count * (count + 1.) * 0.25
    spread = count * (count + 1.) * (2. * count + 1.)
    spread = math.sqrt((spread - np.sum(ties ** 3 - ties) / 2) / 24)
    z = (r_plus - mean) / spread
    return float(2 * _ndtr(-abs(z)))


def _ndtr(x: float) -> float:
    """The standard normal CDF as cephes' ``ndtr`` computes it (scipy.special's), from erf/erfc."""
    y = x * math.sqrt(0.5)
    z = abs(y)
    if z < math.sqrt(0.5):
        return 0.5 + 0.5 * math.erf(y)
    half = 0.5 * math.erfc(z)
    return 1.0 - half if y > 0 else half

"""The statistics a scorecard reports: pass rates, means and latency percentiles.

Every function here is pure and total: it accepts empty and one-element inputs
and says "undefined" with ``None`` rather than NaN, so a scorecard never holds a
value JSON cannot represent.

- :func:`wilson_interval`: Wilson score interval for a pass rate.
- :func:`mean_ci` / :func:`t_interval`: a mean with its Student-t interval,
  from values or from streamed moments (:class:`Moments`).
- :func:`bootstrap_mean_ci`: a percentile bootstrap interval with a fixed seed.
- :func:`bounded_mean_interval`: a Jeffreys-type interval for the mean of
  scores bounded in ``[low, high]``, which keeps a width on constant or tiny
  samples; :func:`hull` widens a t or bootstrap interval to it.
- :func:`percentiles`: p50/p90/p99 (or any) of latencies, linear interpolation.
- :func:`spearman`: Spearman's rank correlation (average ranks for ties).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

from harness.scoring.distributions import beta_ppf, normal_ppf, t_ppf

if TYPE_CHECKING:
    import numpy as np

# numpy is imported only by the bootstrap and scipy not at all: importing scipy.stats alone took
# longer (1.5-2.5 s) than a whole cached rerun may take; see harness/scoring/distributions.py.
DEFAULT_CONFIDENCE = 0.95
DEFAULT_SEED = 20240607
DEFAULT_RESAMPLES = 2000
IntervalMethod = Literal["t", "bootstrap"]


class Interval(NamedTuple):
    """A closed interval ``[lo, hi]``."""

    lo: float
    hi: float


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def wilson_interval(passed: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> Interval | None:
    """The Wilson score interval for ``passed`` successes out of ``n``.

    ``None`` when ``n == 0``. Defined (and inside [0, 1]) for all-pass and
    all-fail, where the naive normal interval collapses to a point.
    """
    _check_confidence(confidence)
    if n < 0 or not 0 <= passed <= n:
        raise ValueError(f"need 0 <= passed <= n, got passed={passed}, n={n}")
    if n == 0:
        return None
    z = normal_ppf(0.5 + confidence / 2)
    p = passed / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At p=0 (p=1) the lower (upper) end is exactly 0 (1); set it so rounding cannot leave it at 1e-17.
    lo = 0.0 if passed == 0 else max(0.0, centre - half)
    hi = 1.0 if passed == n else min(1.0, centre + half)
    return Interval(lo, hi)


@dataclass
class Moments:
    """Running count, mean and sum of squared deviations (Welford), for one-pass means.

    Numerically stable and O(1) in memory, so a scorecard can stream records.
    """

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0

    def add(self, value: float) -> None:
        self.n += 1
        delta = value - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (value - self.mean)

    @property
    def variance(self) -> float | None:
        """The sample variance (n - 1 denominator); ``None`` below two values."""
        return self.m2 / (self.n - 1) if self.n >= 2 else None


def t_interval(moments: Moments, confidence: float = DEFAULT_CONFIDENCE) -> Interval | None:
    """The Student-t interval for the mean described by ``moments``.

    ``None`` below two values (no estimate of spread). When every value is the
    same the interval is the single point ``[mean, mean]``.
    """
    _check_confidence(confidence)
    variance = moments.variance
    if variance is None:
        return None
    half = t_ppf(0.5 + confidence / 2, moments.n - 1) * math.sqrt(max(variance, 0.0) / moments.n)
    return Interval(moments.mean - half, moments.mean + half)


def bootstrap_mean_ci(values: Sequence[float], confidence: float = DEFAULT_CONFIDENCE,
                      n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> Interval | None:
    """A percentile bootstrap interval for the mean of ``values``.

    Resamples the values (one per case) with replacement ``n_resamples`` times
    from a generator seeded with ``seed``, so the same input always gives the
    same interval. ``None`` below two values.
    """
    _check_confidence(confidence)
    import numpy as np

    data = np.asarray(values, dtype=float)
    if data.size < 2:
        return None
    rng = np.random.default_rng(seed)
    means = _resampled_means(data, n_resamples, rng)
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(means, [tail, 100 - tail])
    return Interval(float(lo), float(hi))


def _resampled_means(data: "np.ndarray", n_resamples: int, rng: "np.random.Generator") -> "np.ndarray":
    import numpy as np

    # Chunked so a large input never builds an n_resamples x n index matrix at once.
    chunk = max(1, min(n_resamples, 4_000_000 // data.size))
    parts = []
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        parts.append(data[rng.integers(0, data.size, size=(size, data.size))].mean(axis=1))
    return np.concatenate(parts)


def bounded_mean_interval(moments: Moments, low: float, high: float,
                          confidence: float = DEFAULT_CONFIDENCE) -> Interval | None:
    """A Jeffreys-type interval for the mean of values bounded in ``[low, high]``; ``None`` below two values.

    The values are rescaled to [0, 1] and given Bayesian-bootstrap weights
    (Dirichlet, one per value) with half a pseudo-value at each end of the
    range; the weighted mean's posterior is taken as the beta distribution of
    the same mean and variance, and the interval is its central quantiles,
    scaled back. For values all at the ends (pass/fail) this is exactly the
    Jeffreys interval, ``Beta(k + 1/2, n - k + 1/2)``. The pseudo-values keep
    the variance above zero, so a constant sample (every score 1, or 5) still
    gets an interval that narrows only as n grows.
    """
    _check_confidence(confidence)
    if moments.n < 2 or not high > low:
        return None
    span, n = high - low, moments.n
    centre = (moments.mean - low) / span
    total = n + 1.0  # the n values' weights and the two half pseudo-values
    mean = (n * centre + 0.5) / total
    second = (moments.m2 / (span * span) + n * centre * centre + 0.5) / total
    variance = (second - mean * mean) / (total + 1.0)
    shapes = mean * (1.0 - mean) / variance - 1.0  # a + b of the beta with that mean and variance
    tail = (1.0 - confidence) / 2.0
    a, b = mean * shapes, (1.0 - mean) * shapes
    return Interval(low + span * beta_ppf(tail, a, b), low + span * beta_ppf(1.0 - tail, a, b))


def hull(first: Interval | None, second: Interval | None) -> Interval | None:
    """The smallest interval holding both (either alone when the other is ``None``)."""
    if first is None or second is None:
        return first or second
    return Interval(min(first.lo, second.lo), max(first.hi, second.hi))


class MeanEstimate(NamedTuple):
    """A mean, its interval (``None`` when undefined) and the number of values."""

    mean: float | None
    ci: Interval | None
    n: int


def mean_ci(values: Sequence[float], confidence: float = DEFAULT_CONFIDENCE, method: IntervalMethod = "t",
            seed: int = DEFAULT_SEED, n_resamples: int = DEFAULT_RESAMPLES) -> MeanEstimate:
    """The mean of ``values`` with a ``confidence`` interval by ``method``.

    ``method="t"`` is the Student-t interval; ``"bootstrap"`` the percentile
    bootstrap with a fixed ``seed``. Empty input gives ``(None, None, 0)``; one
    value gives ``(value, None, 1)``.
    """
    moments = Moments()
    for value in values:
        moments.add(float(value))
    if moments.n == 0:
        return MeanEstimate(None, None, 0)
    if method == "bootstrap":
        ci = bootstrap_mean_ci(values, confidence, n_resamples, seed)
    elif method == "t":
        ci = t_interval(moments, confidence)
    else:
        raise ValueError(f"unknown interval method {method!r}")
    return MeanEstimate(moments.mean, ci, moments.n)


def percentiles(values: Sequence[float], qs: Sequence[float] = (50, 90, 99)) -> dict[str, float] | None:
    """The ``qs`` percentiles of ``values`` keyed ``"p50"``, ``"p90"``, ...

    Linear interpolation between order statistics (numpy's default, the same
    as ``scipy.stats.scoreatpercentile``). ``None`` for empty input.
    """
    data = sorted(float(v) for v in values)
    if not data:
        return None
    return {f"p{q:g}": _interpolated(data, q) for q in qs}


def _interpolated(data: list[float], q: float) -> float:
    position = (len(data) - 1) * q / 100
    below = math.floor(position)
    above = min(below + 1, len(data) - 1)
    return data[below] + (data[above] - data[below]) * (position - below)


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the mean of the ranks they span (as ``scipy.stats.rankdata``)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1
        for position in range(start, end + 1):
            ranks[order[position]] = shared
        start = end + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho of paired values: Pearson's r of their average ranks.

    ``None`` when undefined: fewer than two pairs, or either side constant.
    """
    if len(x) != len(y):
        raise ValueError("spearman needs paired values")
    if len(x) < 2:
        return None
    rx, ry = average_ranks(x), average_ranks(y)
    mean = (len(x) + 1) / 2  # the mean of average ranks is always this
    dx, dy = [r - mean for r in rx], [r - mean for r in ry]
    sxx, syy = math.fsum(d * d for d in dx), math.fsum(d * d for d in dy)
    if sxx == 0 or syy == 0:
        return None
    rho = math.fsum(a * b for a, b in zip(dx, dy)) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, rho))

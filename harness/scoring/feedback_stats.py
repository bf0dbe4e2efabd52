"""The statistics behind "does this check agree with what customers felt?" (:mod:`harness.scoring.feedback`).

Each check or criterion splits the graded replies into those that passed and those that failed; the customer's
feedback is compared across the two sides. All three statistics are closed-form, so a scorecard made again
reads the same to the last digit:

- **Difference of means** (a numeric key, a CSAT 1-5): Welch's t interval, which does not assume the two sides
  spread alike (replies that fail a check often draw more mixed scores).
- **Difference of shares** (a categorical key: the share of ``thumbs = up``): Newcombe's hybrid score interval
  (his method 10, built from the two Wilson intervals), which stays inside [-1, 1] and behaves at 0% and 100%
  where the normal one collapses.
- **AUC** (both): the probability that a reply which passed drew better feedback than one which failed, ties
  counting half (Mann-Whitney's U over the product of the sides' sizes; 0.5: the check tells nothing of the
  feedback). Its interval is DeLong's variance from the placement values, which handles the ties a 1-5 scale is
  full of, under a normal approximation, cut to [0, 1]. It is a rank statistic: it does not take CSAT's 1-5 as
  an interval scale, which the mean difference does. At an AUC of 0 or 1 (perfect separation) DeLong's
  variance is 0 and the interval would be the point itself: there the interval is Newcombe's score-type one
  (2006), the AUCs ``θ`` whose Hanley-McNeil variance, taken at ``θ`` rather than at the estimate, keeps the
  estimate within ``z`` standard errors, as Wilson's interval does for a share at 0% or 100%. When every reply
  drew the same feedback there is no interval at all (nothing ranks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from harness.scoring.distributions import normal_ppf, t_ppf
from harness.scoring.stats import Interval, Moments, average_ranks, wilson_interval


def welch_interval(first: Sequence[float], second: Sequence[float], confidence: float) -> Interval | None:
    """The interval of ``mean(first) - mean(second)``; None below two values a side or with no spread at all."""
    a, b = _moments(first), _moments(second)
    if a.variance is None or b.variance is None:
        return None
    va, vb = a.variance / a.n, b.variance / b.n
    se = math.sqrt(va + vb)
    if se == 0:
        return None  # both sides constant: no estimate of spread, no interval to give
    df = (va + vb) ** 2 / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1))
    half = t_ppf(0.5 + confidence / 2, df) * se
    diff = a.mean - b.mean
    return Interval(diff - half, diff + half)


def newcombe_interval(x1: int, n1: int, x2: int, n2: int, confidence: float) -> Interval | None:
    """Newcombe's hybrid score interval of ``x1/n1 - x2/n2``; None when a side is empty."""
    first, second = wilson_interval(x1, n1, confidence), wilson_interval(x2, n2, confidence)
    if first is None or second is None:
        return None
    p1, p2 = x1 / n1, x2 / n2
    diff = p1 - p2
    lo = diff - math.sqrt((p1 - first.lo) ** 2 + (second.hi - p2) ** 2)
    hi = diff + math.sqrt((first.hi - p1) ** 2 + (p2 - second.lo) ** 2)
    return Interval(max(-1.0, lo), min(1.0, hi))


def auc(positive: Sequence[float], negative: Sequence[float], confidence: float) -> tuple[float, Interval | None] | None:
    """P(a ``positive`` value > a ``negative`` one) + half the ties, with DeLong's interval; None when a side is
    empty. O(n log n) through average ranks, so 100,000 replies cost no more than a sort."""
    m, n = len(positive), len(negative)
    if not m or not n:
        return None
    ranks = average_ranks([*positive, *negative])
    own_pos, own_neg = average_ranks(positive), average_ranks(negative)
    # Placement of each value: the share of the other side it beats (ties half).
    v10 = [(ranks[i] - own_pos[i]) / n for i in range(m)]
    v01 = [1.0 - (ranks[m + j] - own_neg[j]) / m for j in range(n)]
    area = math.fsum(v10) / m
    if m < 2 or n < 2:
        return area, None
    variance = _variance(v10) / m + _variance(v01) / n
    z = normal_ppf(0.5 + confidence / 2)
    if variance <= 0:
        # Zero placement variance: perfect separation (AUC 0 or 1), or every value tied (0.5: nothing ranks).
        return area, (score_auc_interval(area, m, n, z) if area in (0.0, 1.0) else None)
    half = z * math.sqrt(variance)
    return area, Interval(max(0.0, area - half), min(1.0, area + half))


def hanley_mcneil_variance(theta: float, m: int, n: int) -> float:
    """The variance of an AUC of ``theta`` over ``m`` positives and ``n`` negatives (Hanley & McNeil, 1982,
    with their exponential-model Q1 = θ/(2-θ), Q2 = 2θ²/(1+θ)), written so that it is 0 only at 0 and 1."""
    spread = 1 + (m - 1) * (1 - theta) / (2 - theta) + (n - 1) * theta / (1 + theta)
    return theta * (1 - theta) * spread / (m * n)


def score_auc_interval(area: float, m: int, n: int, z: float) -> Interval:
    """The AUCs ``θ`` with ``(area - θ)² <= z² · V(θ)`` (V: :func:`hanley_mcneil_variance`): Newcombe's
    score-type interval, defined at an AUC of 0 or 1 where the variance at the estimate is 0."""
    def outside(theta: float) -> bool:
        return (area - theta) ** 2 > z * z * hanley_mcneil_variance(theta, m, n)

    return Interval(_edge(outside, 0.0, area), _edge(outside, 1.0, area))


def _edge(outside: Callable[[float], bool], far: float, near: float) -> float:
    """Where, between ``far`` (outside the interval, or its end) and ``near`` (the estimate, inside), the
    interval ends: bisection to 1e-9, closed-form in effect."""
    if not outside(far):
        return far
    for _ in range(60):
        middle = (far + near) / 2
        far, near = (middle, near) if outside(middle) else (far, middle)
    return near


def _variance(values: Sequence[float]) -> float:
    mean = math.fsum(values) / len(values)
    return math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1)


def _moments(values: Sequence[float]) -> Moments:
    moments = Moments()
    for value in values:
        moments.add(float(value))
    return moments

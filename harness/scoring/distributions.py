"""The quantiles a scorecard needs, in pure Python: the normal, Student's t and the beta distribution.

Importing ``scipy.stats`` takes 1.5–2.5 s on a 2-core machine, more than a whole
cached rerun may take; these few functions take microseconds to import and agree
with scipy to ~1e-12 (``tests/scoring/test_distributions.py``). The t CDF goes
through the regularized incomplete beta function (the Lentz continued fraction
of Numerical Recipes §6.4); the quantile inverts it by bisection, cached. The
beta quantile inverts the same function by Newton steps kept inside a bracket.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

_EPS = 1e-16
_TINY = 1e-300
_MAX_TERMS = 500


def normal_ppf(q: float) -> float:
    """The standard normal quantile at ``q`` (0 < q < 1)."""
    return NormalDist().inv_cdf(q)


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    # Modified Lentz evaluation of the continued fraction for I_x(a, b).
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_TERMS):
        m2 = 2 * m
        for numerator in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                          -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _EPS:
            break
    return h


def regularized_beta(a: float, b: float, x: float, y: float | None = None) -> float:
    """I_x(a, b), the regularized incomplete beta function, for 0 <= x <= 1.

    ``y`` is ``1 - x`` when the caller knows it more precisely than the subtraction would give.
    """
    y = 1.0 - x if y is None else y
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y))
    front = math.exp(log_front)
    # The fraction converges fast only on one side of the mean; use the symmetry on the other.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, y) / b


def t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom, t >= 0."""
    t2 = t * t
    # x and 1 - x both computed directly: near x = 1 the subtraction would lose digits.
    x, y = df / (df + t2), t2 / (df + t2)
    if y < 0.5:
        return 0.5 - 0.5 * regularized_beta(0.5, df / 2.0, y, x)
    return 0.5 * regularized_beta(df / 2.0, 0.5, x, y)


@lru_cache(maxsize=256)
def t_ppf(q: float, df: float) -> float:
    """Student's t quantile at ``q`` (0 < q < 1) with ``df`` > 0 degrees of freedom."""
    if not 0.0 < q < 1.0 or df <= 0:
        raise ValueError(f"need 0 < q < 1 and df > 0, got q={q}, df={df}")
    if q < 0.5:
        return -t_ppf(1.0 - q, df)
    if q == 0.5:
        return 0.0
    if df == 1:
        return math.tan(math.pi * (q - 0.5))  # Cauchy: exact
    tail = 1.0 - q
    lo, hi = 0.0, max(1.0, normal_ppf(q))
    while t_sf(hi, df) > tail:
        lo, hi = hi, hi * 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if t_sf(mid, df) > tail:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def beta_ppf(q: float, a: float, b: float) -> float:
    """The quantile at ``q`` (0 < q < 1) of the beta distribution with shapes ``a``, ``b`` > 0.

    Newton steps on :func:`regularized_beta` from the normal approximation,
    each kept inside the bracket the previous values set (a bisection step
    when Newton would leave it), to ~1e-13.
    """
    if not 0.0 < q < 1.0 or a <= 0 or b <= 0:
        raise ValueError(f"need 0 < q < 1 and a, b > 0, got q={q}, a={a}, b={b}")
    total = a + b
    spread = math.sqrt(a * b / (total * total * (total + 1.0)))
    x = min(max(a / total + normal_ppf(q) * spread, 1e-12), 1.0 - 1e-12)
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(total)
    lo, hi = 0.0, 1.0
    for _ in range(200):
        gap = regularized_beta(a, b, x) - q
        lo, hi = (x, hi) if gap < 0 else (lo, x)
        density = math.exp((a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x) - log_beta)
        step = x - gap / density if density > 0 else math.nan
        following = step if lo < step < hi else 0.5 * (lo + hi)
        if abs(following - x) <= 1e-13 * x or hi - lo <= 1e-15 * hi:
            return following
        x = following
    return x

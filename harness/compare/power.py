"""How large a change a diff could detect: the exact test's power floor and the minimum detectable effect.

- :func:`minimum_detectable_effect`: the smallest true difference this n would
  detect at 80% power, so "no detectable change" is not read as "the same".
- :func:`exact_floor`: the part of it an exact test sets, from the fewest changed cases it can call
  significant (:func:`smallest_significant_count`) and the binomial power of reaching them.

Kept apart from :mod:`harness.compare.paired`, whose tests these figures describe.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from harness.compare.family import ALPHA
from harness.scoring.distributions import normal_ppf

POWER = 0.80


def smallest_significant_count(alpha: float = ALPHA) -> int:
    """The fewest discordant cases, all in one direction, that a two-sided exact test can call significant.

    ``6`` at alpha 0.05 (2 · 0.5^6 = 0.031); below it no result can be significant.
    """
    k = 1
    while 2 * 0.5 ** k >= alpha:
        k += 1
    return k


def binomial_upper_tail(n: int, p: float, k: int) -> float:
    """``P(Binomial(n, p) >= k)``, as one minus the lower tail (``k`` terms: ``k`` is small here, ``n`` may not be)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    lower = sum(math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p
                         + (n - i) * log_q) for i in range(k))
    return max(0.0, 1.0 - lower)


def detectable_share(n: int, k: int, power: float = POWER) -> float | None:
    """The smallest share ``q`` of ``n`` cases that must change (each independently, all the same way) for
    at least ``k`` of them to change with probability ``power``: ``P(Binomial(n, q) >= k) >= power``.
    ``None`` when ``k > n`` (not even every case changing reaches ``k``). By bisection, to 1e-9."""
    if k > n:
        return None
    low, high = 0.0, 1.0
    for _ in range(40):
        middle = (low + high) / 2
        if binomial_upper_tail(n, middle, k) >= power:
            high = middle
        else:
            low = middle
    return high


def exact_floor(n: int, alpha: float = ALPHA, power: float = POWER, samples: int = 1) -> float | None:
    """The smallest true change an exact test at ``alpha`` detects with ``power`` over ``n`` cases, in units of
    one step of the scale (1 on pass/fail, 1 point on 1-5), when every case's ``samples`` samples each move
    one step with the same probability ``d``, all the same way (the most favourable case for a change: no
    noise, no case moving back).

    A case then changes with probability ``q = 1 - (1 - d)^samples``, and the test rejects only when at least
    :func:`smallest_significant_count` cases changed, so ``q`` is :func:`detectable_share` and the change is
    ``d = 1 - (1 - q)^(1/samples)``. With one sample per case ``d = q``: 80% power at 0.05/24 over 70 cases
    takes d = 17.4 pp (the old floor, 10 of 70 cases = 14.3 pp, has 55%). ``None`` when ``n`` is below that count.
    """
    share = detectable_share(n, smallest_significant_count(alpha), power)
    if share is None:
        return None
    return 1.0 - (1.0 - share) ** (1.0 / max(1, samples))


def minimum_detectable_effect(deltas: Sequence[float], step: float = 1.0, alpha: float = ALPHA,
                              power: float = POWER, samples: int = 1) -> float | None:
    """The smallest true mean difference detectable at this n with ``power``, two-sided ``alpha``.

    The normal approximation ``(z_{1-alpha/2} + z_power) * sd(deltas) / sqrt(n)``
    from the observed spread of the case differences, floored at what the exact
    test detects with the same power when nothing else varies:
    ``exact_floor(n, alpha, power, samples) * step`` (``step`` one step of the
    scale, 1 on pass/fail and 1–5; ``samples`` per case). The floor keeps a row
    with no discordant case from claiming it would see any change, and is a true
    80%-power figure (``smallest_significant_count() * step / n``, the fewest
    cases that could be significant, has about 50% power). Before Holm
    correction, which only raises it. ``None`` with no cases, or fewer than the
    exact test needs (no change is detectable).
    """
    values = np.asarray(deltas, dtype=float)
    n = values.size
    if n == 0:
        return None
    floor = exact_floor(n, alpha, power, samples)
    if floor is None:
        return None
    z = normal_ppf(1 - alpha / 2) + normal_ppf(power)
    spread = float(values.std(ddof=1)) if n > 1 else 0.0
    return max(z * spread / math.sqrt(n), floor * step)

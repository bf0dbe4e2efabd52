"""Multiple comparisons over a diff's rows: Holm's step-down and Tarone's family.

- :func:`holm`: Holm's step-down adjustment of a family of p-values.
- :func:`tarone_holm`: the same over Tarone's family (:func:`tarone_size`): hypotheses whose exact test could
  not reach significance (:func:`smallest_attainable_p`) neither count nor are tested.

Kept apart from :mod:`harness.compare.paired`, whose tests give the p-values adjusted here.
"""

from __future__ import annotations

from collections.abc import Sequence

ALPHA = 0.05


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


def smallest_attainable_p(changed: int) -> float:
    """The smallest two-sided p-value an exact sign-type test can give with ``changed`` non-zero differences.

    Exact McNemar, the sign test and the exact signed-rank test all reach their smallest p when every one of
    the ``changed`` differences goes the same way: ``2 · 0.5^changed`` (capped at 1). With none changed it
    is 1: no outcome could be significant. (Above :data:`~harness.compare.paired.EXACT_WILCOXON_MAX` changed
    cases the signed-rank p is approximate, and so small a bound that it never leaves a family.)
    """
    return min(1.0, 2.0 * 0.5 ** changed) if changed < 1075 else 0.0  # 0.5 ** 1075 underflows to 0


def tarone_size(min_pvalues: Sequence[float | None], alpha: float = ALPHA) -> int:
    """Tarone's family size ``K`` (Biometrics 1990;46:515-22): the smallest ``K >= 1`` such that at most ``K``
    hypotheses have a smallest attainable p-value ``<= alpha / K``; 0 with no hypothesis (every entry
    ``None``). A hypothesis above ``alpha / K`` can never be rejected at that level, so it neither counts
    nor is tested."""
    present = [p for p in min_pvalues if p is not None]
    if not present:
        return 0
    return next(k for k in range(1, len(present) + 1) if sum(p <= alpha / k for p in present) <= k)


def tarone_holm(pvalues: Sequence[float | None], min_pvalues: Sequence[float | None],
                alpha: float = ALPHA) -> tuple[list[float | None], int]:
    """Holm's step-down over Tarone's family: adjusted p-values in input order, and the family's size ``K``.

    A discrete test has a smallest attainable p-value, fixed once the number of changed cases is known (a
    row where nothing changed can only give p = 1). Holm over every row lets those rows, which can never be
    significant, raise the bar for the rest: at n = 8 a p of 0.031 became 0.75 over 24 rows. Here ``K`` is
    :func:`tarone_size`, the hypotheses whose smallest attainable p is ``<= alpha / K`` are tested by Holm
    with multipliers ``K, K - 1, …`` (the first step is Tarone's Bonferroni test, the later ones relax as
    Holm's do), and the others get adjusted p 1 (they cannot be rejected). The family-wise error rate stays
    at ``alpha``: the tests' p-values are valid given how many cases changed on each row (under the null
    that swapping a case's sides changes nothing, each changed case goes either way with probability 1/2
    whatever the other rows did), the family is fixed by those counts, and Holm's argument holds for any
    multiplier at least the number tested. Adjusted values are read against ``alpha``, the level ``K`` was
    chosen at. ``None`` stays ``None`` (no test).
    """
    mins = [m if p is not None else None for p, m in zip(pvalues, min_pvalues)]
    family = tarone_size(mins, alpha)
    tested = sorted((p, i) for i, (p, m) in enumerate(zip(pvalues, mins))
                    if p is not None and m is not None and m <= alpha / max(family, 1))
    adjusted: list[float | None] = [None if p is None else 1.0 for p in pvalues]
    running = 0.0
    for rank, (p, index) in enumerate(tested):
        running = max(running, min(1.0, (family - rank) * p))
        adjusted[index] = running
    return adjusted, family

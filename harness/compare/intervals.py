"""The intervals of rows where the bootstrap says nothing, and the note on an interval that disagrees with its test.

A percentile bootstrap reads ``[0, 0]`` when no case changed and ``[d, d]`` when every case moved by ``d``,
claiming certainty at any n: :func:`no_change_interval` and :func:`uniform_change_interval` give exact bounds
instead, and :func:`interval_note` flags a bootstrap interval that disagrees with the row's test. Kept apart
from :mod:`harness.compare.rows` because the pairwise rows (:mod:`harness.pairwise.stats`) use them too.
"""

from __future__ import annotations

import numpy as np

from harness.compare.schema import largest_difference
from harness.scoring.stats import Interval as StatInterval


def no_change_interval(deltas: np.ndarray, scale: str, confidence: float) -> StatInterval | None:
    """The interval of the mean paired difference when no case changed (``None`` when some did).

    Every bootstrap resample is then 0, and ``[0, 0]`` would claim certainty at any n. With none of n
    cases changed, the share of cases that do change is at most ``r = 1 - ((1 - confidence) / 2) ** (1 / n)``
    (Clopper–Pearson's exact upper bound for 0 of n), and each changes by at most the scale's largest
    difference ``R`` (1 on pass/fail, 4 on 1–5), so the mean difference lies in ``[-r·R, +r·R]``:
    ±5.1 pp over 70 cases, ±46 pp over 6. Rows where cases changed get
    :func:`~harness.compare.rows.row_interval`'s interval.
    """
    if scale not in ("pass_fail", "1-5") or deltas.size == 0 or np.any(deltas != 0):
        return None
    share = 1.0 - ((1.0 - confidence) / 2.0) ** (1.0 / deltas.size)
    bound = share * largest_difference(scale)
    return StatInterval(-bound, bound)


def uniform_change_interval(deltas: np.ndarray, scale: str, confidence: float) -> StatInterval | None:
    """The interval of the mean paired difference when every case (or thread) changed by the same non-zero
    amount ``d`` (``None`` otherwise).

    Every bootstrap resample is then ``d``, and ``[d, d]`` (``+1.00 [+1.00, +1.00]``) would claim certainty
    at any n. As in :func:`no_change_interval`, of which this is the general case: with all n cases seen
    moving by ``d``, the share of cases that move otherwise is at most Clopper–Pearson's ``r`` for 0 of n,
    and such a case moves by anything in ``[-R, +R]`` (the scale's largest difference), so the mean lies in
    ``[(1 - r)·d - r·R, (1 - r)·d + r·R]``: 20 cases all +1 on 1-5 read ``+1.00 [+0.16, +1.50]``, 5 cases
    ``[-1.61, +2.57]`` (their exact signed-rank p is 0.062).
    """
    if scale not in ("pass_fail", "1-5") or deltas.size == 0:
        return None
    d = float(deltas[0])
    if d == 0 or np.any(np.abs(deltas - d) > 1e-9):
        return None
    share = 1.0 - ((1.0 - confidence) / 2.0) ** (1.0 / deltas.size)
    reach = share * largest_difference(scale)
    return StatInterval((1.0 - share) * d - reach, (1.0 - share) * d + reach)


UNRELIABLE = "interval unreliable: it excludes 0 but the test does not reject"
TEST_REJECTS = "interval includes 0 but the test rejects"
ZERO_WIDTH = "interval unreliable: every case moved by the same amount, so every bootstrap resample is the same"
INTERVAL_MARKS = {UNRELIABLE: "interval unreliable", TEST_REJECTS: "interval includes 0; the test rejects",
                  ZERO_WIDTH: "interval unreliable"}  # in tables


def interval_note(ci: StatInterval | None, method: str | None, p_value: float | None, alpha: float) -> str | None:
    """Why a bootstrap interval must not be read on its own: it disagrees with the row's test (before Holm).

    :data:`UNRELIABLE` when the interval excludes 0 while the test's p is at least ``alpha``: a percentile
    bootstrap of a mean from a few changed cases is too narrow (five 1-5 cases all +1 of 60 give
    ``[+0.02, +0.15]``, while the exact signed-rank p is 0.0625). :data:`TEST_REJECTS` when the test rejects
    while the interval includes 0 (the signed-rank test weighs ranks, the interval the mean). The test
    decides the verdict. ``None`` when they agree, and always for the exact intervals, which agree by
    construction. The ``uniform_change`` bound is exact but not built from the test, so it is held to the
    same check (with 6 cases all +1 it includes 0 while the exact signed-rank p is 0.031). :data:`ZERO_WIDTH`
    for a zero-width bootstrap interval of a change (a scale with no known range, where
    :func:`uniform_change_interval` has no bound to give).
    """
    if method not in ("bootstrap", "uniform_change") or ci is None or p_value is None:
        return None
    if method == "bootstrap" and ci.hi - ci.lo <= 1e-12:
        return ZERO_WIDTH
    excludes_zero = ci.lo > 0 or ci.hi < 0
    rejects = p_value < alpha
    if excludes_zero and not rejects:
        return UNRELIABLE
    if rejects and not excludes_zero:
        return TEST_REJECTS
    return None

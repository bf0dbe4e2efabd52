"""Reducers: how the samples of one case (or one judge criterion) become one value.

* ``mean``, ``median``: of the samples' scores (or of their passes as 0/1).
* ``majority``: the most common score (ties go to the lower one: a reducer
  should never flatter); for passes, passed when more than half passed.
* ``pass^k`` (τ-bench): for one case with ``c`` successes in ``n`` trials,
  ``C(c, k) / C(n, k)``, the chance that ``k`` trials drawn without
  replacement all succeed; its mean over cases is the benchmark's pass^k.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from math import comb

REDUCERS = ("mean", "median", "majority")
_PASS_K = re.compile(r"^pass\^(\d+)$")


def parse_reducer(name: str) -> tuple[str, int | None]:
    """``"mean"`` → ``("mean", None)``; ``"pass^3"`` → ``("pass^k", 3)``. ValueError for anything else."""
    if name in REDUCERS:
        return name, None
    found = _PASS_K.match(name)
    if found and int(found.group(1)) >= 1:
        return "pass^k", int(found.group(1))
    raise ValueError(f"unknown reducer {name!r} (use mean, median, majority or pass^k such as pass^3)")


def pass_hat_k(successes: int, trials: int, k: int) -> float | None:
    """τ-bench's pass^k of one case: ``C(c, k) / C(n, k)``; None when there are fewer than ``k`` trials."""
    if k < 1 or trials < k:
        return None
    return comb(successes, k) / comb(trials, k)


def reduce_scores(scores: Sequence[float], reducer: str) -> float | None:
    """One score from several samples' scores. ``pass^k`` reduces scores by their mean."""
    if not scores:
        return None
    kind, _ = parse_reducer(reducer)
    if kind == "median":
        return float(statistics.median(scores))
    if kind == "majority":
        counts = Counter(scores)
        top = max(counts.values())
        return float(min(s for s, n in counts.items() if n == top))
    return float(statistics.fmean(scores))


def reduce_passes(passes: Sequence[bool], reducer: str) -> float | None:
    """One case's pass value in [0, 1] from its samples' passes, by ``reducer``."""
    if not passes:
        return None
    kind, k = parse_reducer(reducer)
    successes, trials = sum(map(bool, passes)), len(passes)
    if kind == "pass^k":
        return pass_hat_k(successes, trials, k)
    if kind == "majority":
        return 1.0 if successes * 2 > trials else 0.0
    if kind == "median":
        return float(statistics.median(float(p) for p in passes))
    return successes / trials


def majority_pass(passes: Sequence[bool]) -> bool | None:
    """Passed when more than half of the samples passed (a tie fails); None without samples."""
    if not passes:
        return None
    return sum(map(bool, passes)) * 2 > len(passes)

"""Agreement statistics between a judge (or check) and human labels, in plain numpy.

Every function takes two equal-length sequences of paired ratings, ``judge`` and
``human`` (one entry per labelled reply), and returns a float, or NaN when the
statistic is undefined on these data (for example kappa when both raters used a
single category). The tests hold each one to scikit-learn, scipy and the
``krippendorff`` package on the same numbers; the product does not need them.

Intervals: the rates (raw agreement, true-pass, false-pass) are shares of
counted replies and get Wilson intervals (:func:`rate_intervals`), which keep a
width at 0 of 5 or 5 of 5; every other statistic gets the percentile interval
of its bootstrap replicates (:func:`percentile_interval`), and none when the
replicates never vary (kappa 1.00 on every resample of 10 agreeing labels says
nothing about how sure that is).
"""

from __future__ import annotations

import math
from typing import Literal, Sequence

import numpy as np

Level = Literal["nominal", "ordinal", "interval"]


def confusion(judge: Sequence[float], human: Sequence[float], categories: Sequence[float]) -> list[list[int]]:
    """Counts with rows = the human's category and columns = the judge's, in ``categories`` order."""
    index = {c: i for i, c in enumerate(categories)}
    matrix = np.zeros((len(categories), len(categories)), dtype=int)
    for j, h in zip(judge, human):
        matrix[index[h], index[j]] += 1
    return matrix.tolist()


def cohen_kappa(judge: Sequence[float], human: Sequence[float], categories: Sequence[float],
                weights: Literal["quadratic", "linear"] | None = None) -> float:
    """Cohen's kappa; with ``weights``, the weighted kappa over the ordered ``categories``."""
    observed = np.asarray(confusion(judge, human, categories), dtype=float)
    total = observed.sum()
    if total == 0:
        return math.nan
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / total
    disagreement = _disagreement_weights(len(categories), weights)
    denominator = (disagreement * expected).sum()
    if denominator == 0:
        return math.nan  # chance already explains everything: kappa is undefined
    return float(1.0 - (disagreement * observed).sum() / denominator)


def _disagreement_weights(k: int, weights: str | None) -> np.ndarray:
    i, j = np.indices((k, k))
    if weights == "quadratic":
        return (i - j) ** 2 / max(1, (k - 1) ** 2)
    if weights == "linear":
        return np.abs(i - j) / max(1, k - 1)
    return (i != j).astype(float)


def krippendorff_alpha(ratings: Sequence[Sequence[float | None]], level: Level = "nominal",
                       categories: Sequence[float] | None = None) -> float:
    """Krippendorff's alpha; ``ratings`` is raters × units, None (or NaN) where a rater gave no rating.

    Units with fewer than two ratings do not count. ``categories`` fixes the ordinal
    scale's values (so unused levels still space the others); default: the values seen.
    """
    data = np.array([[math.nan if v is None else float(v) for v in row] for row in ratings], dtype=float)
    values = np.array(sorted(set(categories) if categories is not None else set(data[~np.isnan(data)].tolist())))
    coincidence = _coincidences(data, values)
    marginals = coincidence.sum(axis=1)
    n = marginals.sum()
    if n <= 1 or len(values) < 2:
        return math.nan
    delta = _delta(values, marginals, level)
    observed = (coincidence * delta).sum()
    expected = (np.outer(marginals, marginals) * delta).sum() / (n - 1)
    return math.nan if expected == 0 else float(1.0 - observed / expected)


def _coincidences(data: np.ndarray, values: np.ndarray) -> np.ndarray:
    index = {v: i for i, v in enumerate(values.tolist())}
    matrix = np.zeros((len(values), len(values)))
    for unit in data.T:
        present = [index[v] for v in unit[~np.isnan(unit)].tolist()]
        m = len(present)
        if m < 2:
            continue
        for a in range(m):
            for b in range(m):
                if a != b:
                    matrix[present[a], present[b]] += 1.0 / (m - 1)
    return matrix


def _delta(values: np.ndarray, marginals: np.ndarray, level: Level) -> np.ndarray:
    k = len(values)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "interval":
        return np.subtract.outer(values, values) ** 2
    # Ordinal: the distance between two ranks counts the pairable values between them.
    cumulative = np.cumsum(marginals)
    delta = np.zeros((k, k))
    for a in range(k):
        for b in range(k):
            lo, hi = min(a, b), max(a, b)
            between = cumulative[hi] - (cumulative[lo - 1] if lo > 0 else 0.0)
            delta[a, b] = (between - (marginals[lo] + marginals[hi]) / 2.0) ** 2
    return delta


def spearman(judge: Sequence[float], human: Sequence[float]) -> float:
    """Spearman's rank correlation; NaN when either side is constant."""
    if len(set(judge)) < 2 or len(set(human)) < 2:
        return math.nan
    from scipy.stats import spearmanr  # lazily: importing scipy.stats costs seconds

    return float(spearmanr(judge, human).statistic)


def raw_agreement(judge: Sequence[float], human: Sequence[float]) -> float:
    """Share of items where the two ratings are equal."""
    if not judge:
        return math.nan
    return float(np.mean(np.asarray(judge) == np.asarray(human)))


def true_pass_rate(judge_pass: Sequence[bool], human_pass: Sequence[bool]) -> float:
    """Of the replies the humans passed, the share the judge passed too (sensitivity)."""
    hits = [j for j, h in zip(judge_pass, human_pass) if h]
    return float(np.mean(hits)) if hits else math.nan


def false_pass_rate(judge_pass: Sequence[bool], human_pass: Sequence[bool]) -> float:
    """Of the replies the humans failed, the share the judge passed anyway (leniency on failures)."""
    misses = [j for j, h in zip(judge_pass, human_pass) if not h]
    return float(np.mean(misses)) if misses else math.nan


def leniency(judge: Sequence[float], human: Sequence[float]) -> float:
    """The judge's mean minus the humans' mean, on the criterion's scale (positive: lenient)."""
    if not judge:
        return math.nan
    return float(np.mean(judge) - np.mean(human))


def wilson(hits: Sequence[bool], confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson interval of the share of true ``hits``; ``(nan, nan)`` when there are none to count."""
    from harness.scoring.stats import wilson_interval

    found = wilson_interval(sum(bool(h) for h in hits), len(hits), confidence)
    return (math.nan, math.nan) if found is None else (found.lo, found.hi)


def rate_intervals(judge: Sequence[float], human: Sequence[float], cut: float,
                   confidence: float = 0.95) -> dict[str, tuple[float, float]]:
    """Wilson intervals of the three rates, over the replies each counts: raw agreement over every reply,
    true-pass over those the humans passed, false-pass over those the humans failed (``cut``: the pass
    threshold on the scale)."""
    judge_pass, human_pass = [j >= cut for j in judge], [h >= cut for h in human]
    return {"raw_agreement": wilson([j == h for j, h in zip(judge, human)], confidence),
            "true_pass_rate": wilson([j for j, h in zip(judge_pass, human_pass) if h], confidence),
            "false_pass_rate": wilson([j for j, h in zip(judge_pass, human_pass) if not h], confidence)}


def percentile_interval(replicates: Sequence[float], confidence: float = 0.95) -> tuple[float, float]:
    """The percentile interval of a statistic's bootstrap ``replicates`` (NaN ones left out).

    ``(nan, nan)``, no interval at this n, when no replicate is defined or
    every one is the same value (up to rounding: Spearman's rho of a perfect
    ranking is 0.9999999999999998 on some resamples and 1.0 on others): a
    bootstrap that never varies (kappa 1 on every resample of a few agreeing
    labels) reflects how few labels there are, not certainty.
    """
    values = np.asarray(replicates, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0 or math.isclose(values.min(), values.max(), rel_tol=1e-9, abs_tol=1e-12):
        return math.nan, math.nan
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return float(low), float(high)

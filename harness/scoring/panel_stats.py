"""The agreement statistics of a judge panel on one criterion, with percentile-bootstrap intervals.

Units (verdicts two panellists or more scored) that got the same ratings from
every panellist are interchangeable, so they are counted as one *pattern*: a
panel of three on a 1-5 scale has at most a couple of hundred, however many
verdicts the run has. Every statistic is then a function of how often each
pattern occurs: the data itself are one weight vector (the counts), and a
bootstrap resample of the units is another (a multinomial draw of as many units
over the patterns, which is what resampling units with replacement amounts
to). A thousand resamples are a few small matrix products, cheap at any run size.

Point estimates of Cohen's kappa and raw agreement come from
:mod:`harness.calibration.agreement`; Krippendorff's alpha is computed from
coincidence counts the way :func:`~harness.calibration.agreement.krippendorff_alpha`
does, vectorised over resamples. The tests hold every figure to scikit-learn,
the ``krippendorff`` package and ``agreement`` itself.
"""

from __future__ import annotations

import math
from functools import partial
from itertools import combinations
from typing import Callable

import numpy as np

from harness.calibration import agreement as ag
from harness.scoring import schema as out

RESAMPLES = 1000
_CHUNK = 100
_LEVELS = {"1-5": [1.0, 2.0, 3.0, 4.0, 5.0], "pass_fail": [0.0, 1.0]}
_MISSING = -1.0  # stands for "no verdict" inside patterns (NaN never equals itself)
_FROM_DATA = object()  # the point estimate is the statistic at the data's own pattern counts


def criterion_agreement(acc, scale: str | None, options) -> out.PanelCriterion:
    """Every agreement figure of one criterion, from its accumulated columns (a ``CriterionPanelAcc``)."""
    names = list(acc.scores)
    scores = np.array([acc.scores[n] for n in names], dtype=float).reshape(len(names), acc.n_units)
    passes = np.array([acc.passes[n] for n in names], dtype=float).reshape(len(names), acc.n_units)
    return panel_agreement(names, scores, passes, scale, options.confidence, options.seed, dict(acc.votes))


def panel_agreement(names: list[str], scores: np.ndarray, passes: np.ndarray, scale: str | None,
                    confidence: float = 0.95, seed: int = 20240607,
                    votes: dict[str, int] | None = None) -> out.PanelCriterion:
    """Agreement of a panel on one criterion; ``scores``/``passes`` are panellists × units, NaN where missing."""
    levels = _LEVELS.get(scale or "") or sorted(set(scores[~np.isnan(scores)].tolist()))
    snapped = _snap(scores, levels)
    keep = (~np.isnan(snapped)).sum(axis=0) >= 2
    snapped, passes = snapped[:, keep], passes[:, keep]
    stats = Statistics(snapped, passes, levels)
    estimate = _Estimator(stats.counts, _resamples(stats.counts, seed), confidence)
    level = "nominal" if scale == "pass_fail" else "ordinal"
    found = out.PanelCriterion(
        n_units=int(snapped.shape[1]), alpha_level=level,
        krippendorff_alpha=estimate(partial(stats.alpha, level=level)),
        raw_agreement=estimate(stats.all_agree),
        votes=dict(sorted((votes or {}).items())))
    if scale == "1-5":
        found.krippendorff_alpha_interval = estimate(partial(stats.alpha, level="interval"))
    for i, j in combinations(range(len(names)), 2):
        found.pairs.append(out.PanelPair(
            a=names[i], b=names[j], n=stats.pair_n(i, j),
            cohen_kappa=estimate(partial(stats.kappa, i=i, j=j), stats.kappa_point(i, j)),
            raw_agreement=estimate(partial(stats.pair_agree, i=i, j=j), stats.pair_agree_point(i, j))))
    return found


def _point(value: float) -> float | None:
    return None if math.isnan(value) else value


def _snap(scores: np.ndarray, levels: list[float]) -> np.ndarray:
    """Scores rounded half up to the nearest of ``levels`` (NaN stays NaN)."""
    if not levels:
        return scores
    grid = np.asarray(levels)
    filled = np.where(np.isnan(scores), grid[0], scores)
    nearest = grid[np.abs(np.floor(filled[..., None] + 0.5) - grid).argmin(axis=-1)]
    return np.where(np.isnan(scores), np.nan, nearest)


def _resamples(counts: np.ndarray, seed: int) -> list[np.ndarray]:
    """Bootstrap resamples as pattern-count vectors, in chunks; none with fewer than two units."""
    n = int(counts.sum())
    if n < 2:
        return []
    rng = np.random.default_rng(seed)
    return [rng.multinomial(n, counts / n, size=min(_CHUNK, RESAMPLES - start)).astype(float)
            for start in range(0, RESAMPLES, _CHUNK)]


class _Estimator:
    """A statistic's value on the data (or a given point) and its percentile interval over the resamples."""

    def __init__(self, counts: np.ndarray, resamples: list[np.ndarray], confidence: float) -> None:
        self.counts, self.resamples = counts[None, :], resamples
        self.tail = (1.0 - confidence) / 2.0 * 100.0

    def __call__(self, statistic: Callable[[np.ndarray], np.ndarray], point: object = _FROM_DATA
                 ) -> out.AgreementStat:
        if point is _FROM_DATA:
            point = _point(float(statistic(self.counts)[0])) if self.counts.size else None
        if point is None or not self.resamples:
            return out.AgreementStat(value=point)
        draws = np.concatenate([statistic(w) for w in self.resamples])
        draws = draws[np.isfinite(draws)]
        if draws.size == 0:
            return out.AgreementStat(value=point)
        lo, hi = np.percentile(draws, [self.tail, 100.0 - self.tail])
        return out.AgreementStat(value=point, ci=out.Interval(lo=float(lo), hi=float(hi)))


class Statistics:
    """One criterion's units grouped into distinct rating patterns; every statistic takes pattern weights.

    A weight matrix is resamples × patterns; ``self.counts`` (how often each
    pattern occurs) gives the statistic of the data itself.
    """

    def __init__(self, snapped: np.ndarray, passes: np.ndarray, levels: list[float]) -> None:
        self.snapped, self.passes, self.levels = snapped, passes, np.asarray(levels, dtype=float)
        stacked = np.where(np.isnan(np.vstack([snapped, passes])), _MISSING, np.vstack([snapped, passes]))
        if stacked.shape[1]:
            unique, self.counts = np.unique(stacked.T, axis=0, return_counts=True)
        else:
            unique, self.counts = np.zeros((0, stacked.shape[0])), np.zeros(0, dtype=int)
        self.counts = self.counts.astype(float)
        rows = len(snapped)
        self.scores = np.where(unique[:, :rows] == _MISSING, np.nan, unique[:, :rows]).T  # panellists × patterns
        self.pass_values = np.where(unique[:, rows:] == _MISSING, np.nan, unique[:, rows:]).T
        self._coincidences()
        spread = np.nanmax(self.scores, axis=0) - np.nanmin(self.scores, axis=0) if self.counts.size else np.zeros(0)
        self.agree = (spread == 0).astype(float)

    def _coincidences(self) -> None:
        # Per pattern, how many panellists gave each level; its coincidences follow from these counts.
        k = len(self.levels)
        counts = np.stack([(self.scores == v).sum(axis=0) for v in self.levels], axis=1).astype(float) \
            if k else np.zeros((self.scores.shape[1], 0))
        m = counts.sum(axis=1)
        per_pattern = counts[:, :, None] * counts[:, None, :] - np.einsum("pk,kl->pkl", counts, np.eye(k))
        self.coincidence = (per_pattern / np.maximum(m - 1.0, 1.0)[:, None, None]).reshape(len(counts), k * k)

    # -- Krippendorff's alpha ----------------------------------------------------

    def alpha(self, weights: np.ndarray, level: ag.Level) -> np.ndarray:
        """Krippendorff's alpha of each weight row; NaN where undefined."""
        k = len(self.levels)
        if k < 2:
            return np.full(len(weights), np.nan)
        coincidence = (weights @ self.coincidence).reshape(-1, k, k)
        marginals = coincidence.sum(axis=2)
        n = marginals.sum(axis=1)
        delta = _distances(self.levels, marginals, level)
        observed = (coincidence * delta).sum(axis=(1, 2))
        expected = (marginals[:, :, None] * marginals[:, None, :] * delta).sum(axis=(1, 2)) / np.maximum(n - 1, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where((n > 1) & (expected > 0), 1.0 - observed / expected, np.nan)

    # -- the whole panel's raw agreement -------------------------------------------

    def all_agree(self, weights: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return (weights @ self.agree) / weights.sum(axis=1)

    # -- pairs -------------------------------------------------------------------

    def pair_n(self, i: int, j: int) -> int:
        return int((~np.isnan(self.snapped[i]) & ~np.isnan(self.snapped[j])).sum())

    def kappa_point(self, i: int, j: int) -> float | None:
        both = ~np.isnan(self.passes[i]) & ~np.isnan(self.passes[j])
        if not both.any():
            return None
        return _point(ag.cohen_kappa(self.passes[i][both].tolist(), self.passes[j][both].tolist(), [0.0, 1.0]))

    def kappa(self, weights: np.ndarray, i: int, j: int) -> np.ndarray:
        a, b = self.pass_values[i], self.pass_values[j]
        cells = np.stack([(a == x) & (b == y) for x in (0.0, 1.0) for y in (0.0, 1.0)], axis=1)
        counts = weights @ cells.astype(float)  # resamples × [00, 01, 10, 11]
        with np.errstate(invalid="ignore", divide="ignore"):
            n = counts.sum(axis=1)
            observed = (counts[:, 0] + counts[:, 3]) / n
            pass_a, pass_b = (counts[:, 2] + counts[:, 3]) / n, (counts[:, 1] + counts[:, 3]) / n
            chance = pass_a * pass_b + (1 - pass_a) * (1 - pass_b)
            return np.where(chance < 1.0, (observed - chance) / (1.0 - chance), np.nan)

    def pair_agree_point(self, i: int, j: int) -> float | None:
        both = ~np.isnan(self.snapped[i]) & ~np.isnan(self.snapped[j])
        if not both.any():
            return None
        return _point(ag.raw_agreement(self.snapped[i][both].tolist(), self.snapped[j][both].tolist()))

    def pair_agree(self, weights: np.ndarray, i: int, j: int) -> np.ndarray:
        a, b = self.scores[i], self.scores[j]
        both = ~np.isnan(a) & ~np.isnan(b)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (weights @ (both & (a == b)).astype(float)) / (weights @ both.astype(float))


def _distances(values: np.ndarray, marginals: np.ndarray, level: ag.Level) -> np.ndarray:
    """Krippendorff's squared distances between levels, per resample (resamples × k × k).

    The same metrics as ``agreement._delta``; ordinal distances depend on each resample's marginals.
    """
    k = len(values)
    if level == "nominal":
        return np.broadcast_to(1.0 - np.eye(k), (len(marginals), k, k))
    if level == "interval":
        return np.broadcast_to(np.subtract.outer(values, values) ** 2, (len(marginals), k, k))
    cumulative = np.cumsum(marginals, axis=1)
    i, j = np.indices((k, k))
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    between = cumulative[:, hi] - cumulative[:, lo] + marginals[:, lo]
    return (between - (marginals[:, lo] + marginals[:, hi]) / 2.0) ** 2

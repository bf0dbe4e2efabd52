"""The agreement statistics of a judge panel on one criterion, with bootstrap intervals "where cheap".

Point estimates come from :mod:`harness.calibration.agreement`. Each bootstrap
resample is a vector of unit weights (how often each verdict was drawn), so
every statistic of a resample is a matrix product over per-unit terms:
Krippendorff's coincidences, pass/fail cells per pair, agreement flags.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np

from harness.calibration import agreement as ag
from harness.scoring import schema as out

BOOTSTRAP_MAX_UNITS = 5_000  # about a second per criterion on a busy 2-core machine
RESAMPLES = 1000
_CHUNK = 100
_LEVELS = {"1-5": [1.0, 2.0, 3.0, 4.0, 5.0], "pass_fail": [0.0, 1.0]}


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
    level = "nominal" if scale == "pass_fail" else "ordinal"
    stats = _Statistics(snapped, passes, levels)
    weights = _bootstrap_weights(snapped.shape[1], seed)
    estimate = _Estimator(weights, confidence)
    found = out.PanelCriterion(
        n_units=int(snapped.shape[1]), alpha_level=level,
        krippendorff_alpha=estimate(stats.alpha_point(level), lambda w: stats.alpha(w, level)),
        raw_agreement=estimate(stats.all_agree_point(), stats.all_agree), votes=dict(sorted((votes or {}).items())))
    if scale == "1-5":
        found.krippendorff_alpha_interval = estimate(stats.alpha_point("interval"),
                                                     lambda w: stats.alpha(w, "interval"))
    for i, j in combinations(range(len(names)), 2):
        found.pairs.append(out.PanelPair(
            a=names[i], b=names[j], n=stats.pair_n(i, j),
            cohen_kappa=estimate(stats.kappa_point(i, j), lambda w, i=i, j=j: stats.kappa(w, i, j)),
            raw_agreement=estimate(stats.pair_agree_point(i, j), lambda w, i=i, j=j: stats.pair_agree(w, i, j))))
    return found


def _snap(scores: np.ndarray, levels: list[float]) -> np.ndarray:
    if not levels:
        return scores
    grid = np.asarray(levels)
    filled = np.where(np.isnan(scores), grid[0], scores)
    nearest = grid[np.abs(np.floor(filled[..., None] + 0.5) - grid).argmin(axis=-1)]
    return np.where(np.isnan(scores), np.nan, nearest)


def _bootstrap_weights(n_units: int, seed: int) -> list[np.ndarray]:
    """Resamples of the units, as weight vectors (how often each unit was drawn); none when too big or small."""
    if not 2 <= n_units <= BOOTSTRAP_MAX_UNITS:
        return []
    rng = np.random.default_rng(seed)
    chunks = []
    for start in range(0, RESAMPLES, _CHUNK):
        draws = rng.integers(0, n_units, size=(min(_CHUNK, RESAMPLES - start), n_units))
        chunks.append(np.stack([np.bincount(row, minlength=n_units) for row in draws]).astype(float))
    return chunks


class _Estimator:
    """A point estimate plus the percentile interval of a weighted statistic over the bootstrap resamples."""

    def __init__(self, weights: list[np.ndarray], confidence: float) -> None:
        self.weights, self.tail = weights, (1.0 - confidence) / 2.0 * 100.0

    def __call__(self, point: float, weighted) -> out.AgreementStat:
        value = None if math.isnan(point) else float(point)
        if value is None or not self.weights:
            return out.AgreementStat(value=value)
        draws = np.concatenate([weighted(w) for w in self.weights])
        draws = draws[np.isfinite(draws)]
        if draws.size == 0:
            return out.AgreementStat(value=value)
        lo, hi = np.percentile(draws, [self.tail, 100.0 - self.tail])
        return out.AgreementStat(value=value, ci=out.Interval(lo=float(lo), hi=float(hi)))


class _Statistics:
    """The agreement statistics of one criterion's units, as points and as functions of unit weights."""

    def __init__(self, snapped: np.ndarray, passes: np.ndarray, levels: list[float]) -> None:
        self.snapped, self.passes, self.levels = snapped, passes, levels
        present = ~np.isnan(snapped)
        # Per unit, how many panellists gave each level; a unit's coincidences follow from these counts.
        self.counts = np.stack([(snapped == v).sum(axis=0) for v in levels], axis=1).astype(float) \
            if levels else np.zeros((snapped.shape[1], 0))
        m = present.sum(axis=0).astype(float)
        outer = self.counts[:, :, None] * self.counts[:, None, :]
        diagonal = np.einsum("uk,kl->ukl", self.counts, np.eye(len(levels)))
        self.coincidence = (outer - diagonal) / np.maximum(m - 1.0, 1.0)[:, None, None]
        first = np.where(present, snapped, np.nan)
        spread = np.nanmax(first, axis=0) - np.nanmin(first, axis=0) if snapped.shape[1] else np.zeros(0)
        self.agree = (spread == 0).astype(float)

    # -- Krippendorff's alpha ----------------------------------------------------

    def alpha_point(self, level: ag.Level) -> float:
        ratings = [[None if math.isnan(v) else v for v in row] for row in self.snapped.tolist()]
        return ag.krippendorff_alpha(ratings, level, self.levels) if self.snapped.shape[1] else math.nan

    def alpha(self, weights: np.ndarray, level: ag.Level) -> np.ndarray:
        k = len(self.levels)
        matrices = (weights @ self.coincidence.reshape(len(self.coincidence), k * k)).reshape(-1, k, k)
        return np.array([_alpha_from_coincidences(c, np.asarray(self.levels), level) for c in matrices])

    # -- the whole panel's raw agreement -------------------------------------------

    def all_agree_point(self) -> float:
        return float(self.agree.mean()) if self.agree.size else math.nan

    def all_agree(self, weights: np.ndarray) -> np.ndarray:
        return (weights @ self.agree) / weights.sum(axis=1)

    # -- pairs -------------------------------------------------------------------

    def _pair(self, i: int, j: int, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        both = ~np.isnan(values[i]) & ~np.isnan(values[j])
        return both, np.where(both, values[i], 0.0), np.where(both, values[j], 0.0)

    def pair_n(self, i: int, j: int) -> int:
        return int(self._pair(i, j, self.snapped)[0].sum())

    def kappa_point(self, i: int, j: int) -> float:
        both, a, b = self._pair(i, j, self.passes)
        if not both.any():
            return math.nan
        return ag.cohen_kappa(a[both].tolist(), b[both].tolist(), [0.0, 1.0])

    def kappa(self, weights: np.ndarray, i: int, j: int) -> np.ndarray:
        both, a, b = self._pair(i, j, self.passes)
        cells = np.stack([both & (a == x) & (b == y) for x in (0.0, 1.0) for y in (0.0, 1.0)], axis=1)
        counts = weights @ cells.astype(float)  # resamples × [00, 01, 10, 11]
        with np.errstate(invalid="ignore", divide="ignore"):
            n = counts.sum(axis=1)
            observed = (counts[:, 0] + counts[:, 3]) / n
            pass_a, pass_b = (counts[:, 2] + counts[:, 3]) / n, (counts[:, 1] + counts[:, 3]) / n
            chance = pass_a * pass_b + (1 - pass_a) * (1 - pass_b)
            return np.where(chance < 1.0, (observed - chance) / (1.0 - chance), np.nan)

    def pair_agree_point(self, i: int, j: int) -> float:
        both, a, b = self._pair(i, j, self.snapped)
        return ag.raw_agreement(a[both].tolist(), b[both].tolist()) if both.any() else math.nan

    def pair_agree(self, weights: np.ndarray, i: int, j: int) -> np.ndarray:
        both, a, b = self._pair(i, j, self.snapped)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (weights @ (both & (a == b)).astype(float)) / (weights @ both.astype(float))


def _alpha_from_coincidences(coincidence: np.ndarray, values: np.ndarray, level: ag.Level) -> float:
    """Krippendorff's alpha from a coincidence matrix, as :func:`ag.krippendorff_alpha` computes it."""
    marginals = coincidence.sum(axis=1)
    n = marginals.sum()
    if n <= 1 or len(values) < 2:
        return math.nan
    delta = ag._delta(values, marginals, level)  # the same distance metric as the point estimate
    expected = (np.outer(marginals, marginals) * delta).sum() / (n - 1)
    return math.nan if expected == 0 else float(1.0 - (coincidence * delta).sum() / expected)

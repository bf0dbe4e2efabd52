"""A pair's usage: reply length, responder tokens and latency, cost and errors on each side.

Descriptive only: a prompt that asks for brevity is meant to change these, and
the reader wants them beside the verdicts, but they are not tested (no
interval, no p-value). Both sides are read over the same paired cases, every
sample of each.
"""

from __future__ import annotations

import math

import numpy as np

from harness.compare.columns import CASE_ERROR, JUDGE_ERROR, Side
from harness.compare.schema import PairUsage, UsageSide


def pair_usage(a: Side, b: Side, in_a: np.ndarray, in_b: np.ndarray, criteria: int) -> PairUsage:
    """Usage of both sides over the paired cases (``in_a``/``in_b``: their indices in each side);
    ``criteria`` is how many of the leading measure columns are criteria (their codes count judge errors)."""
    return PairUsage(n_cases=len(in_a), a=side_usage(a, in_a, criteria), b=side_usage(b, in_b, criteria))


def _records(side: Side, cases: np.ndarray) -> np.ndarray:
    """The record indices of ``cases`` (case indices of ``side``), every sample."""
    if not len(cases):
        return np.zeros(0, dtype=np.intp)
    sizes = side.sizes[cases]
    firsts = np.repeat(side.starts[cases], sizes)  # vectorised: a 100,000-case side has no Python loop here
    within = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return (firsts + within).astype(np.intp)


def side_usage(side: Side, cases: np.ndarray, criteria: int) -> UsageSide:
    rows = _records(side, cases)
    if not side.usage or not len(rows):
        return UsageSide(records=len(rows))
    words, tokens = side.usage["words"][rows], side.usage["tokens"][rows]
    latency = side.usage["latency"][rows]
    latency = latency[~np.isnan(latency)]
    codes = side.codes[rows]
    replied = words >= 0
    written = tokens >= 0
    return UsageSide(
        records=len(rows), replies=int(replied.sum()),
        reply_words=_mean(words[replied]), output_tokens=_mean(tokens[written]),
        latency_p50_s=_quantile(latency, 0.5), latency_p90_s=_quantile(latency, 0.9),
        responder_cost_per_case=_per_case(side.usage["cost_responder"][rows], len(cases)),
        judge_cost_per_case=_per_case(side.usage["cost_judge"][rows], len(cases)),
        case_errors=int((codes[:, 0] == CASE_ERROR).sum()) if codes.shape[1] else 0,
        judge_errors=int((codes[:, :criteria] == JUDGE_ERROR).sum()))


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None


def _quantile(values: np.ndarray, q: float) -> float | None:
    return float(np.quantile(values, q)) if len(values) else None


def _per_case(costs: np.ndarray, n_cases: int) -> float | None:
    """The summed cost per case; None ("unknown") when some call of the side had no price."""
    if not n_cases or np.isnan(costs).any():
        return None
    total = float(costs.sum())
    return total / n_cases if math.isfinite(total) else None

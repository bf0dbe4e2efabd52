"""Repeated sampling: several samples (epochs) of one case, and the reducers that turn them into one value.

``reducers`` holds the pure maths (mean, median, majority, τ-bench's pass^k);
``judge_epochs`` asks the judge several times per criterion; ``epochs`` folds a
candidate's samples of one case into one record for the scorecard and measures
how consistent the samples were.
"""

from harness.sampling.reducers import REDUCERS, parse_reducer, pass_hat_k, reduce_passes, reduce_scores

__all__ = ["REDUCERS", "parse_reducer", "pass_hat_k", "reduce_passes", "reduce_scores"]

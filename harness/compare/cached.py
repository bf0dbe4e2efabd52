"""How many of a run's judge verdicts the response cache answered, counted in the diff's one pass over the records.

A re-grading's diff needs it (:mod:`harness.compare.regrade`): a verdict read from the cache repeats an earlier
answer to the very same prompt (same judge, same criterion text, same reply), so where the re-grade changed
nothing the cache makes every row agree by construction. "No case changed" then measures nothing about the
judge; only the verdicts the judge was asked again (``harness run --no-cache``) do.
"""

from __future__ import annotations

from typing import Any


def tally_verdicts(record: Any, criteria: list[str], verdicts: list[int], cached: list[int]) -> None:
    """Count, per criterion of ``criteria`` (the diff's order), the record's verdicts (a score: what a row
    compares) in ``verdicts`` and those answered from the response cache in ``cached``."""
    if record.error is not None:
        return
    judge = record.judge
    for index, name in enumerate(criteria):
        verdict = judge.get(name)
        if verdict is None or not verdict.applicable or verdict.error is not None or verdict.score is None:
            continue
        verdicts[index] += 1
        cached[index] += bool(verdict.cache_hit)


"""Asking the judge several times per criterion (judge ``epochs``) and reducing its answers to one verdict.

Each epoch asks through a thin proxy of the judge's model that adds the epoch
to the cache salt, so every epoch gets its own cached answer (a rerun makes no
new calls, and epochs never collapse into one cached reply).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.checks.base import CheckContext
from harness.judges.judge import Judge
from harness.records.schema import CallStats, CriterionResult
from harness.sampling.reducers import reduce_scores


class EpochModel:
    """The judge's model, with ``epoch:<n>`` added to every cache salt; everything else is forwarded."""

    def __init__(self, model: object, epoch: int) -> None:
        self._model, self._epoch = model, epoch

    async def generate(self, messages, config=None, cache_salt: str = ""):
        return await self._model.generate(messages, config, cache_salt=f"{cache_salt}|epoch:{self._epoch}")

    def __getattr__(self, name: str):
        return getattr(self._model, name)


@dataclass
class EpochJudge:
    """A :class:`Judge` asked ``epochs`` times per criterion; scores reduced by ``reducer``.

    The reduced verdict's ``passed`` applies the criterion's threshold to the
    reduced score; its reason is that of the epoch whose score is closest to it.
    A criterion whose every epoch failed keeps the last error; epochs that
    failed while others answered are left out of the reduction.
    """

    judge: Judge
    epochs: int
    reducer: str = "mean"

    def __post_init__(self) -> None:
        # Epoch 0 asks exactly as a single judge does, so a one-epoch cache is reused.
        self._judges = [self.judge] + [Judge(model=EpochModel(self.judge.model, e), rubric=self.judge.rubric,
                                             max_attempts=self.judge.max_attempts) for e in range(1, self.epochs)]

    @property
    def model(self):
        return self.judge.model

    @property
    def rubric(self):
        return self.judge.rubric

    @property
    def max_attempts(self) -> int:
        return self.judge.max_attempts

    async def grade(self, ctx: CheckContext, stats: CallStats) -> dict[str, CriterionResult]:
        rounds = [await judge.grade(ctx, stats) for judge in self._judges]
        return {criterion.id: self._reduce(criterion, [r[criterion.id] for r in rounds])
                for criterion in self.judge.rubric.criteria}

    def _reduce(self, criterion, results: list[CriterionResult]) -> CriterionResult:
        answered = [r for r in results if r.error is None and r.applicable and r.score is not None]
        if not answered:
            last = results[-1]
            if last.error is None:
                return last
            # The error counts the provider calls of every epoch's asks, not only the last epoch's.
            calls = sum(r.error.attempts or 0 for r in results if r.error is not None)
            return last.model_copy(update={"error": last.error.model_copy(update={"attempts": calls or None})})
        score = reduce_scores([r.score for r in answered], self.reducer)
        closest = min(answered, key=lambda r: abs(r.score - score))
        reason = f"{closest.reason} [judge epochs: {', '.join(_fmt(r.score) for r in answered)} → {_fmt(score)}]"
        return CriterionResult(score=score, passed=criterion.to_pass(score), reason=reason,
                               cache_hit=all(r.cache_hit for r in answered),
                               latency_s=sum(r.latency_s for r in answered))


def _fmt(score: float) -> str:
    return f"{score:g}"

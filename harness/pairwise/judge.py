"""Judging one pair of replies on one criterion, in both orders.

Each order is its own model call (its own cache key: the messages differ, and
the salt names the order too, so even two identical replies get two answers).
An answer that fails validation is dropped from the response cache and asked
again (the same call, which now reaches the provider); after ``max_attempts``
the order is recorded as a judge error, and a provider fault likewise. A
refused answer is never served from the cache to a retry or a rerun; a valid
one is cached as any other. ``error.attempts`` counts the provider calls made
for the order, retries included (null when none was made). An order with an
error never becomes a tie: the pair's outcome is ``error``, and the statistics
leave it out and count it by kind.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import lru_cache

from jsonschema import Draft202012Validator

from harness.datasets.schema import Case
from harness.errors import CaseFault, JudgeOutputError
from harness.judges.judge import load_answer
from harness.judges.rubric import Criterion, Rubric
from harness.models.base import GenerateConfig, Usage
from harness.models.model import provider_calls
from harness.pairwise.prompt import POSITION_OF_ANSWER, answer_schema, build_pairwise_messages
from harness.pairwise.schema import Order, OrderVerdict, PairVerdict, Position, Winner
from harness.records.redaction import clip
from harness.records.schema import ErrorInfo

PAIRWISE_DEFAULTS = GenerateConfig(temperature=0.0, max_tokens=200)


def winner_of(order: Order, picked: Position) -> Winner:
    """The candidate a position stands for: in ``AB`` the first reply is A's, in ``BA`` it is B's."""
    if picked == "tie":
        return "tie"
    first_is_a = order == "AB"
    return "A" if (picked == "first") == first_is_a else "B"


def combine(criterion: str, ab: OrderVerdict, ba: OrderVerdict) -> PairVerdict:
    """Both orders into one verdict: the winner if they agree, a tie if not, an error if either failed."""
    if ab.winner is None or ba.winner is None:
        return PairVerdict(criterion=criterion, ab=ab, ba=ba, consistent=None, outcome="error")
    consistent = ab.winner == ba.winner
    return PairVerdict(criterion=criterion, ab=ab, ba=ba, consistent=consistent,
                       outcome=ab.winner if consistent else "tie")


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(answer_schema())


def parse_pick(text: str) -> tuple[Position, str]:
    """The judge's raw answer as ``(position, reason)``; a :class:`JudgeOutputError` when it is not one."""
    answer = load_answer(text)  # junk JSON (a key twice, a 5000-digit number) is a JudgeOutputError too
    errors = sorted(_validator().iter_errors(answer), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "answer"
        raise JudgeOutputError(f"judge answer invalid at {where}: {clip(errors[0].message, 200)}")
    return POSITION_OF_ANSWER[answer["winner"]], answer["reason"]  # load_answer made the reason writable


@dataclass
class JudgeTally:
    """What the judge's calls cost: calls, cache hits and tokens."""

    calls: int = 0
    cache_hits: int = 0
    usage: Usage = field(default_factory=Usage)

    def add(self, response) -> None:
        self.calls += 1
        self.cache_hits += int(response.cache_hit)
        self.usage = self.usage + response.usage


@dataclass
class PairwiseJudge:
    """Compares two replies with ``model`` (a harness Model) on criteria of ``rubric``."""

    model: object
    rubric: Rubric
    max_attempts: int = 2
    tally: JudgeTally = field(default_factory=JudgeTally)

    async def judge_pair(self, case: Case, reply_a: str, reply_b: str, criterion: Criterion) -> PairVerdict:
        """``criterion`` judged with A's reply first, then with B's first (concurrently where the model allows)."""
        ab, ba = await asyncio.gather(self.judge_order(case, reply_a, reply_b, criterion, "AB"),
                                      self.judge_order(case, reply_b, reply_a, criterion, "BA"))
        return combine(criterion.id, ab, ba)

    async def judge_order(self, case: Case, first: str, second: str, criterion: Criterion,
                          order: Order) -> OrderVerdict:
        """One call (plus re-asks on junk): ``first`` shown as Reply 1, ``second`` as Reply 2."""
        messages = build_pairwise_messages(case, first, second, criterion)
        config = PAIRWISE_DEFAULTS.merged(GenerateConfig(response_schema=answer_schema()))
        last: CaseFault | None = None
        # Every ask is the same call: a refused answer is forgotten, so the next ask reaches the provider and
        # a rerun finds the answer that was accepted. (":0" is the first ask's salt from when each ask had its
        # own key; kept, so caches filled then still answer.)
        salt = f"pairwise:{self.rubric.sha256}:{criterion.id}:{order}:0"
        calls = 0  # provider calls made for this order: every ask's tries (0 for an answer from the cache)
        for _ in range(self.max_attempts):
            try:
                response = await self.model.generate(messages, config, cache_salt=salt)
            except CaseFault as fault:
                return OrderVerdict(order=order, error=_error_info(fault, calls + provider_calls(fault)))
            self.tally.add(response)
            calls += response.attempts
            try:
                picked, reason = parse_pick(response.text)
            except JudgeOutputError as fault:
                _forget(self.model, response)
                last = fault
                continue
            return OrderVerdict(order=order, picked=picked, winner=winner_of(order, picked), reason=reason,
                                cache_hit=response.cache_hit)
        return OrderVerdict(order=order, error=_error_info(last, calls))


def _forget(model: object, response) -> None:
    """Drop a refused answer from ``model``'s cache (models without one, such as test doubles, keep nothing)."""
    forget = getattr(model, "forget", None)
    if forget is not None:
        forget(response)


def _error_info(fault: CaseFault | None, calls: int) -> ErrorInfo:
    """The error of one order; ``attempts`` the provider calls made for it, None when none was made."""
    kind = getattr(fault, "kind", "judge_output")
    return ErrorInfo(kind=kind, message=clip(str(fault), 500), attempts=calls or None)

"""Judging one pair of replies on one criterion, in both orders.

Each order is its own model call (its own cache key: the messages differ, and
the salt names the order too, so even two identical replies would get two answers;
``run_pairwise`` does not ask about identical replies: :func:`identical_tie`).
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
from harness.errors import JudgeOutputError
from harness.judges.asking import ask_until_parsed
from harness.judges.judge import defaults_under, given_fields, load_answer, model_params
from harness.judges.rubric import Criterion, Rubric
from harness.models.base import GenerateConfig, Usage
from harness.pairwise.prompt import POSITION_OF_ANSWER, answer_schema, build_pairwise_messages
from harness.pairwise.schema import Order, OrderVerdict, PairVerdict, Position, Winner
from harness.records.redaction import clip

PAIRWISE_DEFAULTS = GenerateConfig(temperature=0.0, max_tokens=200)


def winner_of(order: Order, picked: Position) -> Winner:
    """The candidate a position stands for: in ``AB`` the first reply is A's, in ``BA`` it is B's."""
    if picked == "tie":
        return "tie"
    first_is_a = order == "AB"
    return "A" if (picked == "first") == first_is_a else "B"


IDENTICAL_REASON = "the two replies are the same text: a tie, the judge was not asked"


def identical_tie(criterion: str) -> PairVerdict:
    """The verdict on two identical replies: a tie, with no call (a judge could only add position noise)."""
    return PairVerdict(criterion=criterion, ab=OrderVerdict(order="AB", reason=IDENTICAL_REASON),
                       ba=OrderVerdict(order="BA", reason=IDENTICAL_REASON), outcome="tie", identical=True)


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


def pairwise_salt(criterion_id: str, order: str) -> str:
    """The cache salt of a pairwise call: the messages (criterion, both replies, their order) are in the key,
    so the salt names only the use, the criterion and the order; another selection of the rubric's criteria
    re-asks nothing it shares."""
    return f"pairwise:{criterion_id}:{order}"


def pairwise_config(params: GenerateConfig | None = None) -> GenerateConfig:
    """What the pairwise judge asks with: :data:`PAIRWISE_DEFAULTS` under its model's ``params`` (the user's
    values win), and the pick's answer schema."""
    return GenerateConfig(**defaults_under(PAIRWISE_DEFAULTS, given_fields(params)), response_schema=answer_schema())


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
        config = pairwise_config(model_params(self.model))
        salt = pairwise_salt(criterion.id, order)
        asked = await ask_until_parsed(self.model, messages, config, salt, self.max_attempts,
                                       lambda response: parse_pick(response.text), self.tally.add)
        if asked.value is None:
            return OrderVerdict(order=order, error=asked.error)
        picked, reason = asked.value
        return OrderVerdict(order=order, picked=picked, winner=winner_of(order, picked), reason=reason,
                            cache_hit=asked.response.cache_hit)  # type: ignore[union-attr]

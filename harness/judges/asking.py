"""Asking a judge model until its answer parses: the loop the rubric judge and the pairwise judge share.

Every ask is the same call. An answer its parser refuses is dropped from the
response cache, so the next ask reaches the provider and a rerun finds only an
answer that was accepted. After ``attempts`` refused answers, or at the first
provider failure, the outcome is an error whose ``attempts`` counts the provider
calls made for it (0 for answers from the cache: then None).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from harness.errors import CaseFault, JudgeOutputError
from harness.models.base import GenerateConfig, Message, ModelResponse
from harness.models.model import provider_calls
from harness.records.redaction import clip
from harness.records.schema import ErrorInfo

T = TypeVar("T")


@dataclass
class Asked(Generic[T]):
    """What an ask ended in: the parsed answer and its response, or the error."""

    value: T | None = None
    response: ModelResponse | None = None
    error: ErrorInfo | None = None


async def ask_until_parsed(model, messages: list[Message], config: GenerateConfig, salt: str, attempts: int,
                           parse: Callable[[ModelResponse], T],
                           on_response: Callable[[ModelResponse], None]) -> Asked[T]:
    """Ask ``model`` up to ``attempts`` times until ``parse`` accepts the answer (it raises JudgeOutputError
    to refuse one); ``on_response`` sees every response, accepted or not."""
    last: CaseFault | None = None
    calls = 0  # provider calls made: every ask's tries (0 for an answer from the cache)
    for _ in range(attempts):
        try:
            response = await model.generate(messages, config, cache_salt=salt)
        except CaseFault as fault:
            return Asked(error=error_info(fault, calls + provider_calls(fault)))
        on_response(response)
        calls += response.attempts
        try:
            return Asked(value=parse(response), response=response)
        except JudgeOutputError as fault:
            forget(model, response)
            last = fault
    return Asked(error=error_info(last, calls))


def forget(model: object, response: ModelResponse) -> None:
    """Drop a refused answer from ``model``'s cache (models without one, such as test doubles, keep nothing)."""
    drop = getattr(model, "forget", None)
    if drop is not None:
        drop(response)


def error_info(fault: CaseFault | None, calls: int) -> ErrorInfo:
    """The error of one ask; ``attempts`` the provider calls made for it, None when none was made."""
    kind = getattr(fault, "kind", "judge_output")
    return ErrorInfo(kind=kind, message=clip(str(fault), 500), attempts=calls or None)

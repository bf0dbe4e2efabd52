"""The tool loop of a model candidate with ``tools``: model → tool calls → the harness's answers → model …

Each round is one :meth:`~harness.models.model.Model.generate` call with the messages so far, so each has its
own cache key (a rerun is served from the cache, round by round) and its own retries. The calls are answered
from the case (:mod:`harness.candidates.tool_answers`), never run. The loop ends at the first answer without
tool calls, whose text is the reply graded; a model still calling tools after ``max_rounds`` rounds ends the
case in a :class:`~harness.errors.ToolRoundsError`. Whatever ends the loop early (that, a provider error in
round 3) carries the calls made so far and the earlier rounds' accounting (``tool_calls``, ``stats_so_far``),
which the record keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from harness.candidates.tool_answers import answer_call
from harness.config.tools_spec import ToolSpec
from harness.datasets.schema import Case
from harness.errors import ToolRoundsError
from harness.models.base import GenerateConfig, Message, ModelResponse
from harness.records.schema import CallStats, ToolUse


# Where a check's or judge's context holds the reply's tool calls (CheckContext.extra).
TOOL_CALLS_KEY = "tool_calls"


@dataclass
class ToolLoopResult:
    text: str
    stats: CallStats
    tool_calls: list[ToolUse] = field(default_factory=list)


def tools_config(tools: list[ToolSpec]) -> GenerateConfig:
    """The call config offering ``tools`` (passed through to the provider as the request's ``tools``)."""
    return GenerateConfig(extra={"tools": [tool.openai_form() for tool in tools]})


def call_stats(response: ModelResponse) -> CallStats:
    """One call's accounting, as a record holds it."""
    return CallStats(usage=response.usage, latency_s=response.latency_s, calls=1,
                     cache_hits=int(response.cache_hit), retries=max(response.attempts - 1, 0),
                     rate_limited=response.rate_limited,
                     deployments={response.deployment: 1} if response.deployment else {})


async def run_tool_loop(model, messages: list[Message], tools: list[ToolSpec], case: Case, *,
                        max_rounds: int, cache_salt: str = "") -> ToolLoopResult:
    """The candidate's final text after answering its tool calls from ``case`` (see the module docstring)."""
    config = tools_config(tools)
    by_name = {tool.name: tool for tool in tools}
    messages = list(messages)
    stats, used = CallStats(), []
    # The class's own generate, not one a --batch gate put on the instance (harness.batch.requests): each round
    # depends on the answer before it, and a batch line's answer is read as text alone, so rounds are asked live.
    own = getattr(type(model), "generate", None)
    generate = partial(own, model) if own is not None else model.generate
    # Rounds of tool calls allowed, then one more model turn for the reply.
    for round_no in range(1, max_rounds + 2):
        try:
            response = await generate(messages, config, cache_salt=cache_salt)
        except Exception as exc:
            _carry(exc, used, stats)
            raise
        stats = stats + call_stats(response)
        if not response.tool_calls:
            return ToolLoopResult(text=response.text.strip(), stats=stats, tool_calls=used)
        if round_no > max_rounds:
            break
        answers = [answer_call(call, by_name, case, round_no) for call in response.tool_calls]
        used += answers
        messages.append(Message(role="assistant", content=response.text, tool_calls=tuple(response.tool_calls)))
        messages += [Message(role="tool", content=answer.result, tool_call_id=answer.id) for answer in answers]
    error = ToolRoundsError(f"{model.name}: still calling tools after {max_rounds} round"
                            f"{'s' if max_rounds != 1 else ''} of tool calls ({len(used)} answered): no reply to "
                            "the customer "
                            "(raise `max_tool_rounds` if the bot needs more lookups)")
    _carry(error, used, stats)
    raise error


def _carry(exc: BaseException, used: list[ToolUse], stats: CallStats) -> None:
    """What the loop did before ``exc`` ended it, for the case's record."""
    try:
        exc.tool_calls = list(used)  # type: ignore[attr-defined]
        exc.stats_so_far = stats  # type: ignore[attr-defined]
    except AttributeError:  # an exception type without a __dict__
        pass


def keep_tool_rounds(record, fault: BaseException) -> None:
    """On the record of a case the loop ended early: the calls made and the finished rounds' accounting
    (added to the failed call's own, which the record already counts)."""
    used = getattr(fault, "tool_calls", None)
    before = getattr(fault, "stats_so_far", None)
    if used:
        record.tool_calls = list(used)
    if before is not None and before.calls:
        record.responder = before + record.responder

"""A recorded thread as the chat messages a model candidate is sent.

Customer turns become ``user`` messages and agent turns ``assistant`` ones, consecutive turns of one role
merged (many chat templates require alternation). The bot's tool use is kept in OpenAI's form, which
litellm passes on to every provider: an agent turn's calls as the assistant message's ``tool_calls``, each
result as a ``tool`` message answering its call. The candidate answers the customer after them; the harness
never runs a tool (a candidate that calls tools live is out of scope: its answer with a tool call instead
of text is a ``tool_call_reply`` error on the case).

What a chat API refuses is mended so the case still runs, each said when the dataset loads
(:func:`harness.datasets.tool_turns.tool_turn_notes`): a call no result answers is left out, a result
that answers no call gets the call it implies (its tool's name, no arguments) just before it, and arguments
that are no JSON object are sent as one (:func:`~harness.datasets.tool_turns.sent_arguments`: litellm parses
them for Anthropic and Gemini). The messages always end on the customer's turn or a tool result: the agent's
text beside calls left out, when nothing but the reply follows it, is left out too, since Anthropic-style APIs
continue a last assistant message (a prefill) instead of answering the customer.
"""

from __future__ import annotations

from typing import Any

from harness.datasets.schema import Case, Turn
from harness.datasets.tool_turns import has_tool_turns, pairing, sent_arguments
from harness.models.base import Message

ROLE_OF = {"customer": "user", "agent": "assistant"}
IMPLIED_TOOL = "tool"  # the name of an implied call whose result names no tool


def thread_messages(case: Case) -> list[Message]:
    """The thread as chat messages (see the module docstring)."""
    if not has_tool_turns(case.turns):
        return _merged([Message(role=ROLE_OF[turn.role], content=turn.content) for turn in case.turns])
    paired = pairing(case.turns)
    unanswered = set(paired.unanswered)
    ids = _call_ids(case.turns)
    messages: list[Message] = []
    for index, turn in enumerate(case.turns):
        if turn.role == "tool":
            match = paired.answers.get(index)
            if match is None:  # no call before it: the call it implies, so the API takes the result
                implied = {"id": f"call_implied_{index}", "name": turn.name or IMPLIED_TOOL, "arguments": "{}"}
                messages.append(Message(role="assistant", content="", tool_calls=(_openai_call(implied),)))
            messages.append(Message(role="tool", content=turn.content,
                                    tool_call_id=ids[match] if match else f"call_implied_{index}"))
            continue
        calls = tuple(_openai_call({"id": ids[(index, j)], "name": call.name, "arguments": call.arguments})
                      for j, call in enumerate(turn.tool_calls) if (index, j) not in unanswered)
        if calls:
            messages.append(Message(role="assistant", content=turn.content, tool_calls=calls))
        elif turn.content.strip():
            messages.append(Message(role=ROLE_OF[turn.role], content=turn.content))
    return _answerable(_merged(messages))


def _answerable(messages: list[Message]) -> list[Message]:
    """Without the assistant text at the end (beside calls left out): the model answers what comes before it.
    A case always has a customer turn, so something is left."""
    end = len(messages)
    while end > 1 and messages[end - 1].role == "assistant":
        end -= 1
    return messages[:end]


def _call_ids(turns: list[Turn]) -> dict[tuple[int, int], str]:
    """Each call's id: its own, or one made for it (OpenAI's older ``function_call`` had none)."""
    return {(index, j): call.id or f"call_{index}_{j}"
            for index, turn in enumerate(turns) for j, call in enumerate(turn.tool_calls)}


def _openai_call(call: dict[str, Any]) -> dict[str, Any]:
    return {"id": call["id"], "type": "function",
            "function": {"name": call["name"], "arguments": sent_arguments(call["arguments"] or "")}}


def _merged(messages: list[Message]) -> list[Message]:
    """Consecutive plain messages of one role as one; an assistant text before its own calls joins them."""
    out: list[Message] = []
    for message in messages:
        previous = out[-1] if out else None
        if previous is not None and previous.role == message.role and previous.is_plain and message.role != "tool":
            content = f"{previous.content}\n\n{message.content}" if message.content else previous.content
            out[-1] = Message(role=message.role, content=content, tool_calls=message.tool_calls)
        else:
            out.append(message)
    return out

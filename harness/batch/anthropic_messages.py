"""Chat messages in Anthropic's Messages form, for a Message Batches request.

A request's messages are in OpenAI's form (:class:`~harness.models.base.Message`): a recorded thread's tool
use is an assistant message with ``tool_calls`` and a ``tool`` message per result
(:mod:`harness.candidates.thread_messages`). Anthropic takes them as content blocks::

    {"role": "assistant", "content": [{"type": "text", ...}, {"type": "tool_use", "id", "name", "input": {...}}]}
    {"role": "user", "content": [{"type": "tool_result", "tool_use_id", "content": "..."}, {"type": "text", ...}]}

and is stricter than OpenAI, so what it would refuse is mended as thread_messages mends a thread for OpenAI:

- every ``tool_use`` must be answered by a ``tool_result`` in the very next message: a call no result answers
  there is left out (its assistant text kept);
- a ``tool_result`` must answer a ``tool_use`` of the message just before it: a result that does not gets the
  call it implies just before it (the recorded call's name and input if its id names one, else ``tool``, ``{}``);
- tool results come first in their user message, consecutive messages of one role are one message, and no
  text block is empty;
- ids and tool names keep to Anthropic's ``[A-Za-z0-9_-]`` (and ids are unique in the request);
- a request with tool blocks must define its tools: :func:`thread_tools` declares the ones the thread used, and
  the request says ``tool_choice: none`` so the model answers in text (the harness runs no tool).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from harness.models.base import Message

IMPLIED_TOOL = "tool"  # the name of an implied call whose result names no known call (thread_messages' too)
RECORDED_TOOL = "A tool the support bot used in this recorded conversation. It cannot be called now."
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_-]")


@dataclass
class _Turn:
    role: str  # "user" or "assistant"
    blocks: list[dict[str, Any]] = field(default_factory=list)


def anthropic_messages(messages: list[Message] | tuple[Message, ...]) -> list[dict[str, Any]]:
    """The non-system ``messages`` as Anthropic's ``messages`` (see the module docstring). A thread without tool
    messages is sent as before: ``{role, content}`` with its text."""
    chat = [m for m in messages if m.role != "system"]
    if all(m.is_plain for m in chat):
        return [{"role": m.role, "content": m.content} for m in chat]
    calls = {call.get("id"): call for m in chat for call in m.tool_calls or () if call.get("id")}
    ids = _Ids()
    turns: list[_Turn] = []
    for index, message in enumerate(chat):
        if message.role == "tool":
            _add_result(turns, message, calls, ids, index)
        elif message.role == "assistant":
            answered = _answered_next(chat, index)
            blocks = _text(message.content) + [_tool_use(call, ids) for call in message.tool_calls or ()
                                               if call.get("id") in answered]
            _append(turns, "assistant", blocks)
        else:
            _append(turns, "user", _text(message.content))
    return [{"role": turn.role, "content": turn.blocks} for turn in turns if turn.blocks]


def thread_tools(params_messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A definition for each tool the messages' ``tool_use`` blocks name, in order (Anthropic refuses tool blocks
    in a request that defines no tools); any input is accepted."""
    names = dict.fromkeys(block["name"] for message in params_messages if isinstance(message["content"], list)
                          for block in message["content"] if block.get("type") == "tool_use")
    return [{"name": name, "description": RECORDED_TOOL, "input_schema": {"type": "object"}} for name in names]


def _answered_next(chat: list[Message], index: int) -> set[str]:
    """The call ids the tool messages right after ``chat[index]`` answer."""
    answered = set()
    for message in chat[index + 1:]:
        if message.role != "tool":
            break
        answered.add(message.tool_call_id)
    return answered


def _add_result(turns: list[_Turn], message: Message, calls: dict[str, dict], ids: "_Ids", index: int) -> None:
    """A tool message as a ``tool_result`` block answering a ``tool_use`` of the assistant message before it, or
    after the call it implies when there is none to answer."""
    before = turns[-2] if len(turns) > 1 and turns[-1].role == "user" and _only_results(turns[-1]) else \
        turns[-1] if turns else None
    open_ids = {block["id"] for block in before.blocks if block.get("type") == "tool_use"} \
        if before is not None and before.role == "assistant" else set()
    answered = _results_after(turns, before)
    use_id = next((i for i in ids.known(message.tool_call_id) if i in open_ids and i not in answered), None)
    if use_id is None:
        recorded = calls.get(message.tool_call_id) or {}
        implied = {"id": f"call_implied_{index}",
                   "function": recorded.get("function") or {"name": IMPLIED_TOOL, "arguments": "{}"}}
        block = _tool_use(implied, ids)
        _append(turns, "assistant", [block])
        use_id = block["id"]
    result: dict[str, Any] = {"type": "tool_result", "tool_use_id": use_id}
    if message.content:
        result["content"] = message.content
    _append(turns, "user", [result])


def _results_after(turns: list[_Turn], before: _Turn | None) -> set[str]:
    if before is None or turns[-1] is before:
        return set()
    return {block["tool_use_id"] for block in turns[-1].blocks if block.get("type") == "tool_result"}


def _only_results(turn: _Turn) -> bool:
    return all(block.get("type") == "tool_result" for block in turn.blocks)


def _append(turns: list[_Turn], role: str, blocks: list[dict[str, Any]]) -> None:
    """``blocks`` as a message of ``role``, joined to the last message when it has that role: Anthropic's roles
    alternate. In a user message tool results come before text, as Anthropic requires."""
    if not blocks:
        return
    if turns and turns[-1].role == role:
        merged = turns[-1].blocks + blocks
        results = [b for b in merged if b.get("type") == "tool_result"]
        turns[-1].blocks = results + [b for b in merged if b.get("type") != "tool_result"]
    else:
        turns.append(_Turn(role, list(blocks)))


def _text(content: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": content}] if content.strip() else []  # Anthropic refuses an empty text block


def _tool_use(call: dict[str, Any], ids: "_Ids") -> dict[str, Any]:
    function = call.get("function") or {}
    name = _NOT_ALLOWED.sub("_", str(function.get("name") or IMPLIED_TOOL))[:64] or IMPLIED_TOOL
    return {"type": "tool_use", "id": ids.new(call.get("id")), "name": name, "input": _input(function.get("arguments"))}


def _input(arguments: Any) -> dict[str, Any]:
    """A call's arguments (JSON text in OpenAI's form) as the object Anthropic's ``input`` must be: text that is
    no JSON object is kept whole under ``unparsed_arguments`` (as thread_messages sends it on the live path, so
    it has mostly been wrapped so already), and the model still reads what the bot asked."""
    try:
        value = json.loads(arguments) if isinstance(arguments, str) and arguments.strip() else {}
    except ValueError:
        return {"unparsed_arguments": arguments}
    return value if isinstance(value, dict) else {"unparsed_arguments": arguments}


class _Ids:
    """Anthropic ``tool_use`` ids for OpenAI call ids: only ``[A-Za-z0-9_-]``, unique in the request (a thread may
    reuse ``call_1`` at each turn); a result answers the first open call its id was given to."""

    def __init__(self) -> None:
        self.given: dict[str, list[str]] = {}
        self.taken: set[str] = set()

    def new(self, call_id: Any) -> str:
        base = _NOT_ALLOWED.sub("_", str(call_id or "call")) or "call"
        out, n = base, 1
        while out in self.taken:
            n += 1
            out = f"{base}_{n}"
        self.taken.add(out)
        self.given.setdefault(str(call_id), []).append(out)
        return out

    def known(self, call_id: str | None) -> list[str]:
        return self.given.get(str(call_id), []) if call_id is not None else []

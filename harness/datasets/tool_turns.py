"""The bot's tool use in a recorded thread: OpenAI-format tool calls and results, read and paired.

A support bot looks up orders, refunds and tickets before it answers. An OpenAI-format export (LangSmith,
a chat log) records that as an assistant message with ``tool_calls`` and a ``tool`` message per result::

    {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
      "function": {"name": "lookup_order", "arguments": "{\\"order_id\\": \\"1234\\"}"}}]}
    {"role": "tool", "tool_call_id": "call_1", "content": "order 1234: shipped 3 Nov, delivered 5 Nov"}

They load as they are (:func:`turn_fields`, :func:`flat_tool_call`) into typed turns
(:class:`~harness.datasets.schema.Turn`): what the tool returned is what a grader needs to judge the reply.
A result that answers no call before it, a call nothing answers (and the agent's text beside it when the
reply comes next), and arguments that are not a JSON object load with a warning naming the file, line and
field (:func:`tool_turn_notes`); :func:`pairing`, :func:`ends_unanswered` and :func:`sent_arguments` are what
replay and the warnings agree on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from harness.errors import DatasetError

RECIPE = "README: Tool calls and results"
SHOWN = 3  # problems named in one warning; the rest are counted


def flat_tool_call(value: Any) -> Any:
    """An OpenAI tool call (``{"id", "type": "function", "function": {"name", "arguments"}}``, or the older
    ``function_call``'s ``{"name", "arguments"}``) as ``{id, name, arguments}``; arguments given as an
    object are written as JSON text, as OpenAI sends them. Anything else is left for validation to name."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    function = out.pop("function", None) if isinstance(out.get("function"), dict) else None
    if function is not None:
        out = {**out, **function}
    if out.get("type") == "function":
        del out["type"]
    if isinstance(out.get("arguments"), (dict, list)):
        out["arguments"] = json.dumps(out["arguments"], ensure_ascii=False)
    elif out.get("arguments", "") is None:
        del out["arguments"]
    if out.get("id", "") is None:
        del out["id"]
    return out


def turn_fields(value: Any) -> Any:
    """A message as OpenAI writes it, in a turn's fields: ``content: null`` beside tool calls (or on a tool
    result) read as empty, the older ``function_call`` as the one call of ``tool_calls``, and nulls where a
    table gives every row every column (a customer row's ``tool_call_id``) as absent."""
    if not isinstance(value, dict) or not (value.keys() & _TOOL_KEYS or value.get("role") in _TOOL_ROLES):
        return value  # a plain message: nothing to read (the common case, kept cheap)
    out = {key: item for key, item in value.items() if not (item is None and key in _NULL_IS_ABSENT)}
    if "function_call" in out and "tool_calls" not in out:
        out["tool_calls"] = [out.pop("function_call")]
    if out.get("content", "") is None and (out.get("tool_calls") or out.get("role") in _TOOL_ROLES):
        out["content"] = ""
    return out


_TOOL_KEYS = frozenset({"tool_calls", "function_call", "tool_call_id", "name"})
_TOOL_ROLES = ("tool", "function")
_NULL_IS_ABSENT = frozenset({"tool_calls", "function_call", "tool_call_id", "name"})


def has_tool_turns(turns: Sequence[Any]) -> bool:
    return any(turn.is_tool_step for turn in turns)


@dataclass(frozen=True)
class Pairing:
    """Which call each tool result answers (``answers``: result's turn index -> ``(turn, call)`` index, or
    None for a result with no call before it) and the calls no result answers (``unanswered``), in order."""

    answers: Mapping[int, tuple[int, int] | None]
    unanswered: tuple[tuple[int, int], ...]


def pairing(turns: Sequence[Any]) -> Pairing:
    """Each tool result paired with the earliest open call it answers: by ``tool_call_id``, or, for a result
    without one (OpenAI's older ``function`` messages), by the tool's ``name`` (any open call when it has none)."""
    open_calls: list[tuple[int, int]] = []
    answers: dict[int, tuple[int, int] | None] = {}
    for index, turn in enumerate(turns):
        open_calls += [(index, j) for j in range(len(turn.tool_calls))]
        if turn.role != "tool":
            continue
        match = next((key for key in open_calls if _answers(turn, turns[key[0]].tool_calls[key[1]])), None)
        if match is not None:
            open_calls.remove(match)
        answers[index] = match
    return Pairing(answers=answers, unanswered=tuple(open_calls))


def _answers(result: Any, call: Any) -> bool:
    if result.tool_call_id is not None:
        return call.id == result.tool_call_id
    return result.name is None or call.name == result.name


UNPARSED = "unparsed_arguments"  # the key recorded arguments that are no JSON object are sent under


def sent_arguments(arguments: str) -> str:
    """A call's arguments as a model candidate is sent them: as recorded when they are a JSON object (``{}``
    when empty), else the recorded text as a JSON string under :data:`UNPARSED`. litellm parses them for
    Anthropic, Gemini and Bedrock, which take only an object: text that is not one would fail the case."""
    if not arguments.strip():
        return "{}"
    return arguments if argument_problem(arguments) is None else json.dumps({UNPARSED: arguments},
                                                                              ensure_ascii=False)


def argument_problem(arguments: str) -> str | None:
    """Why recorded arguments are not a JSON object (``invalid JSON: … at column 2``), or None."""
    if not arguments.strip():
        return None
    try:
        value = json.loads(arguments)
    except json.JSONDecodeError as exc:
        return f"invalid JSON: {exc.msg} at column {exc.colno}"
    return None if isinstance(value, dict) else f"JSON {type(value).__name__}, not an object"


def ends_unanswered(turns: Sequence[Any], index: int, unanswered: Iterable[tuple[int, int]]) -> bool:
    """Whether agent turn ``index`` makes calls none of which is answered and is followed by no customer or tool
    turn (the thread's last turn, or one a reply follows: ``replay: turns``): left without its calls, its text
    would end the messages, which Anthropic-style APIs continue as a prefill instead of answering."""
    turn, open_calls = turns[index], set(unanswered)
    if not turn.tool_calls or any((index, j) not in open_calls for j in range(len(turn.tool_calls))):
        return False
    after = turns[index + 1] if index + 1 < len(turns) else None
    return after is None or (after.role == "agent" and not after.tool_calls)


def tool_problems(turns: Sequence[Any]) -> list[tuple[int, str, str]]:
    """``(turn index, field, problem)`` for each tool result answering no call before it, each call no result
    answers (and the text beside calls none of which is answered, where the reply comes next), and each call's
    arguments that are no JSON object, in turn order: loaded anyway (the result is still context), and replayed
    so a model accepts it (:mod:`harness.candidates.thread_messages`)."""
    if not has_tool_turns(turns):
        return []
    paired = pairing(turns)
    problems = _argument_problems(turns)
    for index, match in paired.answers.items():
        if match is None:
            result = turns[index]
            what = f"call id {result.tool_call_id!r}" if result.tool_call_id else "no call id"
            problems.append((index, "tool_call_id" if result.tool_call_id else "role",
                             f"a tool result ({what}) that answers no tool call before it: its content is kept as "
                             f"context for the reply"))
    for index, j in paired.unanswered:
        call = turns[index].tool_calls[j]
        problems.append((index, f"tool_calls[{j}].id" if call.id else f"tool_calls[{j}]",
                         f"tool call {call.name!r}" + (f" ({call.id!r})" if call.id else "")
                         + " that no tool turn answers: left out of what a model candidate is sent"))
    problems += _trailing_text(turns, paired.unanswered)  # after its call's, at the same turn
    return sorted(problems, key=lambda item: item[0])


def _argument_problems(turns: Sequence[Any]) -> list[tuple[int, str, str]]:
    return [(index, f"tool_calls[{j}].arguments",
             f"tool call {call.name!r} has arguments that are not a JSON object ({problem}): a model candidate "
             f"is sent them as {{\"{UNPARSED}\": <the text>}}, a JSON object every API accepts")
            for index, turn in enumerate(turns) for j, call in enumerate(turn.tool_calls)
            for problem in [argument_problem(call.arguments)] if problem is not None]


def _trailing_text(turns: Sequence[Any], unanswered: tuple[tuple[int, int], ...]) -> list[tuple[int, str, str]]:
    problems = []
    for index, turn in enumerate(turns):
        if not (turn.content.strip() and ends_unanswered(turns, index, unanswered)):
            continue
        text = f"the agent's text {_quoted(turn.content)} beside tool calls that no tool turn answers"
        if index + 1 == len(turns):
            said = f"{text} ends the thread: left out of what a model candidate is sent"
        else:
            said = f"{text} comes just before the agent's next turn: with `replay: turns`, left out of that turn's case"
        problems.append((index, "content", f"{said}, so its messages end on the customer's turn or a tool result, "
                         "for it to answer (Anthropic-style APIs continue a last assistant message as a prefill)"))
    return problems


def _quoted(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[:width - 1] + "…")


def tool_turn_notes(cases: Iterable[Any], source: str, lines: Mapping[str, int],
                    turn_lines: Mapping[str, Sequence[int]]) -> list[DatasetError]:
    """One warning per kind of tool-turn problem in the dataset, at the first one's file, line and field
    (``turn_lines``: a one-row-per-message thread's row per turn, so it names the row and its column; else the
    case's line and ``turns[i].<field>``), with how many more there are."""
    found: dict[str, list[DatasetError]] = {}
    for case in cases:
        for index, field, problem in tool_problems(case.turns):
            rows = turn_lines.get(case.id)
            if rows is not None and index < len(rows):
                where = {"line": rows[index], "field": _column(field, len(case.turns[index].tool_calls))}
            else:
                where = {"line": lines.get(case.id), "field": f"turns[{index}].{field}"}
            # One warning for each kind, however many tools.
            found.setdefault(_kind(field), []).append(DatasetError(f"{case.id}: {problem}", file=source, **where))
    return [_counted(errors) for errors in found.values()]


def _kind(field: str) -> str:
    if field.endswith(".arguments"):
        return "arguments"
    return "call" if field.startswith("tool_calls") else "text" if field == "content" else "result"


def _column(field: str, n_calls: int) -> str:
    """A turn's field as a one-row-per-message file's column holds it: a row's one call is in ``tool_name``,
    ``tool_call_id`` and ``tool_arguments``, several in the JSON list ``tool_calls``. (A one-call list in
    ``tool_calls`` reads as the columns: the loaded turn no longer says which the row used.)"""
    if not field.startswith("tool_calls"):
        return field
    if n_calls > 1:
        return "tool_calls"
    return {"id": "tool_call_id", "arguments": "tool_arguments"}.get(field.rpartition(".")[2], "tool_name")


def _counted(errors: list[DatasetError]) -> DatasetError:
    first = errors[0]
    more = len(errors) - 1
    said = f" (and {more} more: {', '.join(_place(e) for e in errors[1:SHOWN + 1])}" + (
        " ..." if more > SHOWN else "") + ")" if more else ""
    return DatasetError(f"{first.problem}{said} ({RECIPE})", file=first.file, line=first.line, field=first.field)


def _place(error: DatasetError) -> str:
    return f"line {error.line}" if error.line else error.problem.partition(":")[0]

"""Simulated tools: a model candidate's tool call answered from the case, never run.

The answer to a call of tool ``name`` is, first found: the case's ``tool_results[name]`` (text as it is, any
other JSON value as JSON); else what the case's recorded thread says that tool returned (its latest ``tool`` turn
for it), so a candidate replaying a thread is told what the judge also reads there; else the tool's own
``result`` in the eval file; else "no record found". A call a real tool
layer would refuse gets an error text the model reads and may recover from, as it would in production: a
tool the candidate was not offered, arguments that are no JSON object, arguments its ``parameters`` schema
refuses. Each such call is kept with its ``error`` in the record.
"""

from __future__ import annotations

import json
from typing import Any

from harness.config.tools_spec import ToolSpec, result_text
from harness.datasets.schema import Case
from harness.records.schema import ToolUse

# Of a schema's complaint, at most this much reaches the model and the record.
ERROR_CHARS = 300


def answer_call(call: dict[str, Any], tools: dict[str, ToolSpec], case: Case, round_no: int) -> ToolUse:
    """The record of one call (OpenAI's form) and the result the model is given."""
    function = call.get("function") or {}
    name, arguments = str(function.get("name") or ""), str(function.get("arguments") or "")
    problem = _refusal(name, arguments, tools)
    if problem is not None:
        return ToolUse(round=round_no, id=call["id"], name=name, arguments=arguments, result=f"error: {problem}",
                       error=problem)
    return ToolUse(round=round_no, id=call["id"], name=name, arguments=arguments,
                   result=canned_result(name, tools[name], case))


def canned_result(name: str, tool: ToolSpec, case: Case) -> str:
    """What a call of ``name`` returns on ``case`` (the order in the module docstring)."""
    if name in case.tool_results:
        return result_text(case.tool_results[name])
    recorded = thread_results(case).get(name)
    return recorded if recorded is not None else tool.default_result()


def thread_results(case: Case) -> dict[str, str]:
    """Tool name -> the text its latest ``tool`` turn in the case's thread returned. A turn names its tool
    (``name``) or is paired with the call it answers (by ``tool_call_id``); one that is neither is left out."""
    from harness.datasets.tool_turns import pairing

    turns = case.turns
    if not any(turn.role == "tool" for turn in turns):
        return {}
    answers = pairing(turns).answers
    found: dict[str, str] = {}
    for index, turn in enumerate(turns):
        if turn.role != "tool":
            continue
        call = answers.get(index)
        name = turn.name or (turns[call[0]].tool_calls[call[1]].name if call is not None else None)
        if name:
            found[name] = turn.content or ""
    return found


def _refusal(name: str, arguments: str, tools: dict[str, ToolSpec]) -> str | None:
    """Why a real tool layer would refuse the call, or None."""
    tool = tools.get(name)
    if tool is None:
        offered = ", ".join(sorted(tools)) or "none"
        return f"unknown tool {name!r} (the tools are: {offered})"
    try:
        value = json.loads(arguments) if arguments.strip() else {}
    except ValueError as exc:
        return f"arguments of {name} are not JSON: {exc.msg}"
    if not isinstance(value, dict):
        return f"arguments of {name} must be a JSON object, not {type(value).__name__}"
    return _schema_problem(tool, value)


def _schema_problem(tool: ToolSpec, value: dict[str, Any]) -> str | None:
    from jsonschema import Draft202012Validator

    error = next(iter(sorted(Draft202012Validator(tool.parameters).iter_errors(value), key=lambda e: list(e.path))),
                 None)
    if error is None:
        return None
    where = ".".join(str(p) for p in error.path)
    message = f"arguments of {tool.name} do not fit its schema{f' at {where}' if where else ''}: {error.message}"
    return message if len(message) <= ERROR_CHARS else message[:ERROR_CHARS] + "…"

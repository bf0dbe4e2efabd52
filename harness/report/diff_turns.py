"""The complaint thread of a case in a diff (``CaseView.turns`` in diff.json, the "Complaint" of diff.html's
opened case), the bot's tool use told apart from what either side wrote, as report.html tells it.

A view turn is ``{role, content}`` as before for what the customer and the agent wrote. The bot's tool use
(:mod:`harness.datasets.tool_turns`) is kept with its tool's name, each value still text:

- each call an agent turn made: ``{"role": "tool_call", "name": "lookup_order", "content": <its arguments>}``
  (after the turn's own text, if it said anything beside the call);
- each result: ``{"role": "tool", "name": "lookup_order", "content": <what the tool returned>}`` (``name`` the
  result's own, else that of the call it answers; absent when neither says).

A diff.json written before tool turns were kept holds ``{role: tool, content}`` and, for a call, an agent
turn with no text: shown as a result of an unnamed tool, and not at all.
"""

from __future__ import annotations

from typing import Any

from harness.report.html_evidence import turn_block
from harness.report.html_text import esc_isolated, esc_text
from harness.report.html_threads import call_names

CALL = "tool_call"


def view_turns(case: dict | None) -> list[dict[str, str]]:
    """A case snapshot's turns (cases.jsonl) as the diff shows them (see the module docstring)."""
    turns = (case or {}).get("turns") or []
    if not isinstance(turns, list):
        return []
    names = call_names(turns)
    out: list[dict[str, str]] = []
    for turn in turns:
        if not isinstance(turn, dict):
            continue
        role, content = str(turn.get("role", "?")), str(turn.get("content") or "")
        calls = turn.get("tool_calls") or []
        if role == "tool":
            name = turn.get("name") or names.get(str(turn.get("tool_call_id")))
            out.append({"role": "tool", "content": content, **({"name": str(name)} if name else {})})
        elif calls and isinstance(calls, list):
            if content.strip():
                out.append({"role": role, "content": content})
            out += [{"role": CALL, "name": str(call.get("name") or "?"), "content": str(call.get("arguments") or "")}
                    for call in calls if isinstance(call, dict)]
        else:
            out.append({"role": role, "content": content})
    return out


def turns_html(turns: list[dict[str, Any]]) -> str:
    """The thread for diff.html, escaped: a call as a line (``agent called lookup_order: {...}``), a result folded
    and named by its tool (``tool lookup_order returned``), every other turn as report.html shows a turn."""
    out = []
    for turn in turns:
        role, content = turn.get("role"), turn.get("content")
        if role == CALL:
            out.append(turn_block(f"agent called {esc_text(turn.get('name') or '?')}", content or "{}"))
        elif role == "tool":
            out.append(_result_html(turn.get("name"), content))
        elif role == "agent" and not (content or "").strip():
            continue  # a call turn of a diff.json written before calls were kept: nothing of it is left
        else:
            out.append(turn_block(esc_text(role), content))
    return "".join(out)


def _result_html(name: object, content: object) -> str:
    summary = f"tool {esc_text(name)} returned" if name else "tool result"
    text = content if isinstance(content, str) else "" if content is None else str(content)
    return (f'<details class="turn tool-result"><summary><b>{summary}</b></summary>'
            f'{esc_isolated(text) or "<i>(empty)</i>"}</details>')

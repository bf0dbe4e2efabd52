"""report.html's parts for threads (turn-level replay) and an opened record's conversation.

The "By thread" table (each thread counted once: :mod:`harness.report.threads_table`, as in scorecard.md); and
in an opened record, the candidate's system prompt (folded), then the history it was given, titled for a turn
case with its thread and "turn k of n" and with links to the same candidate's records of the thread's other
turns (a link opens its record in the page, keeping the filters: html_script.SCRIPT).
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.report.html_evidence import turn_block
from harness.report.html_parts import esc, table
from harness.report.html_text import esc_isolated, esc_text
from harness.report.threads_table import thread_lead, thread_rows, weight_note
from harness.scoring.schema import Scorecard

NO_CASE = '<p class="muted">The case is not in the run\'s case snapshot.</p>'


def render_threads_html(card: Scorecard) -> str:
    """``By thread``: the lead, the weight note when one thread dominates, the table; "" without turn replay."""
    if all(c.threads is None for c in card.candidates.values()):
        return ""
    # One figure a line ("every turn 20% (10)", "final 80% (10)", "per thread 64%"): a cell of three fits a phone.
    cells = [[esc(row.label), *(esc(cell).replace(" · ", "<br>") for cell in row.cells)] for row in thread_rows(card)]
    note = weight_note(card)
    return (f'<h2>By thread</h2><p class="muted">{esc(thread_lead(card))}</p>'
            + (f'<p class="notice">{esc(note)}</p>' if note else "")
            + f'<div class="scroll">{table(["measure", *card.candidates], cells)}</div>')


def system_prompt_html(prompt: str | None) -> str:
    """The system prompt a model candidate's template rendered for the case, in a closed ``<details>``; "" for
    none (a recorded reply). Escaped as every text, a bidi or control character shown as its code point."""
    if not prompt:
        return ""
    lines = prompt.count("\n") + 1
    return (f'<details class="sysprompt"><summary>System prompt ({lines} line{"" if lines == 1 else "s"})'
            f'</summary><div class="prompt">{esc_text(prompt)}</div></details>')


def _turn_of(case: dict | None) -> tuple[str, int, int] | None:
    """``(thread id, turn index, agent turns in the thread)`` of a replayed turn case; None for any other case."""
    meta = case.get("metadata") if isinstance(case, dict) else None
    if not isinstance(meta, dict) or meta.get("thread_id") is None:
        return None
    index, total = meta.get("turn_index"), meta.get("n_agent_turns")
    if not isinstance(index, int) or not isinstance(total, int):
        return None
    return str(meta["thread_id"]), index, total


class ThreadIndex:
    """The turn cases of each thread in the case snapshot, by turn, for an opened record's links to its siblings."""

    def __init__(self, cases: Mapping[str, dict]) -> None:
        self.turns: dict[str, list[tuple[int, str]]] = {}
        for case_id, case in cases.items():
            turn = _turn_of(case)
            if turn is not None:
                self.turns.setdefault(turn[0], []).append((turn[1], case_id))
        for turns in self.turns.values():
            turns.sort()

    def heading(self, case: dict | None, key: tuple[str, str, int], anchor) -> str:
        """``Thread a1 · turn 2 of 3`` and links to the same candidate's (and sample's) other turns of the thread;
        ``Complaint`` for a case that is not a turn. ``anchor`` makes a record's id from its key."""
        turn = _turn_of(case)
        if turn is None:
            return "<h3>Complaint</h3>"
        thread, index, total = turn
        _, candidate, sample = key
        links = []
        for k, case_id in self.turns.get(thread, []):
            if k == index:
                links.append(f'<b aria-current="true">{k}</b>')
            else:
                href = anchor((case_id, candidate, sample))
                links.append(f'<a class="turn-link" href="#rec={href}" title="turn {k} of {total}">{k}</a>')
        nav = (f'<nav class="turns" aria-label="turns of this thread">Turns of this thread for {esc_text(candidate)}: '
               f'{" ".join(links)}</nav>') if len(links) > 1 else ""
        return f"<h3>Thread {esc_text(thread)} · turn {index} of {total}</h3>{nav}"


def history_html(case: dict | None, labels: Mapping[str, str]) -> str:
    """The case's turns from the snapshot, a recorded agent turn named with its author (``agent (bot-v1)``): a
    bot-v2 record's history holds what bot-v1 said, and should not read as bot-v2's own."""
    if not case:
        return NO_CASE
    out = []
    names = call_names(case.get("turns") or [])
    for turn in case.get("turns") or []:
        if isinstance(turn, dict) and (turn.get("role") == "tool" or turn.get("tool_calls")):
            out.append(tool_step_html(turn, names))
        elif isinstance(turn, dict):
            role = turn.get("role", "?")
            role = labels[role] if role.__class__ is str else esc_text(role)
            author = turn.get("author")
            if author and turn.get("role") == "agent":
                role = f"{role} ({esc_text(author)})"
            out.append(turn_block(role, turn.get("content", "")))
    return "".join(out)


def call_names(turns: object) -> dict[str, str]:
    """Each recorded tool call's tool, by the call's id (from a case snapshot's turns): a result that names only
    the call it answers is shown with its tool's name."""
    calls = (call for turn in turns if isinstance(turn, dict) for call in turn.get("tool_calls") or []) \
        if isinstance(turns, list) else ()
    return {str(call["id"]): str(call.get("name")) for call in calls
            if isinstance(call, dict) and call.get("id") and call.get("name")}


def tool_step_html(turn: dict, names: dict[str, str]) -> str:
    """The bot's tool use, told apart from what either side wrote: each call and each result a closed
    ``<details>`` whose summary names the tool (``tool lookup_order returned``), the arguments or result inside.
    What the agent said beside its calls, if anything, is a turn of its own above them."""
    parts = []
    content = turn.get("content")
    if turn.get("role") == "tool":
        name = turn.get("name") or names.get(str(turn.get("tool_call_id")))
        summary = f"tool {esc_text(name)} returned" if name else "tool result"
        parts.append(_tool_details(summary, content, turn.get("tool_call_id")))
        return "".join(parts)
    if isinstance(content, str) and content.strip():
        parts.append(turn_block("agent", content))
    for call in turn.get("tool_calls") or []:
        if isinstance(call, dict):
            parts.append(_tool_details(f"agent called tool {esc_text(call.get('name', '?'))}",
                                       call.get("arguments") or "", call.get("id")))
    return "".join(parts)


def _tool_details(summary_html: str, body: object, call_id: object) -> str:
    text = body if isinstance(body, str) else "" if body is None else str(body)
    said = f' <span class="muted">({esc_text(call_id)})</span>' if call_id else ""
    return (f'<details class="sysprompt tool"><summary>{summary_html}{said}</summary>'
            f'<div class="prompt">{esc_isolated(text) or "<i>(empty)</i>"}</div></details>')


def lookups_html(tool_calls: list) -> str:
    """A model candidate's own tool calls (:class:`~harness.records.schema.ToolUse`, answered from the case) and
    their results, shown as a thread's recorded tool use is, under a heading; "" for none."""
    if not tool_calls:
        return ""
    errors = sum(call.error is not None for call in tool_calls)
    note = f' <span class="fail">({errors} answered with an error)</span>' if errors else ""
    parts = []
    for call in tool_calls:
        parts.append(_tool_details(f"round {call.round}: bot called tool {esc_text(call.name)}", call.arguments or "{}",
                                   call.id))
        parts.append(_tool_details(f"tool {esc_text(call.name)} returned", call.result, call.id))
    return f"<h3>Tool calls <span class=\"muted\">(simulated from the case)</span>{note}</h3>{''.join(parts)}"

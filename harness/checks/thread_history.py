"""What the checks of a thread turn read of the history: the agent's earlier turns.

Under ``replay: turns`` each turn case holds the recorded history up to the reply
(:mod:`harness.datasets.turns`); most checks read only the reply and the customer's text.
``no_repetition`` and ``no_reasking`` also read the agent turns before the reply, and apply only
when there is one. A single-turn case has none, which :func:`earlier_agent_turns` says from a
per-case cache: those checks cost such a case one dictionary look-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.checks import case_facts
from harness.datasets.schema import Case
from harness.datasets.turns import agent_positions

# A word as the repetition check compares it: letters or digits, with inner apostrophes ("hasn't").
WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


@dataclass(frozen=True)
class EarlierTurn:
    """One earlier agent reply of the thread: its position ``index`` (the ``t<k>`` of replay) and its text
    (consecutive agent messages joined, as replay counts them one reply)."""

    index: int
    text: str


def words(text: str) -> list[str]:
    """The normalised words of ``text``: lower-cased, curly apostrophes made straight."""
    return [m.group().lower().replace("\u2019", "'") for m in WORD.finditer(text)]


@case_facts.per_case
def earlier_agent_turns(case: Case) -> tuple[EarlierTurn, ...]:
    """The agent replies before the one being graded, in order; none for a single-turn case.

    Agent turns before the first customer turn (a greeting) answer nothing and are left out,
    as replay leaves them out; blank ones too.
    """
    if not any(turn.role == "agent" for turn in case.turns):
        return ()  # a single-turn case: the common one
    found = []
    for position in agent_positions(case):
        text = "\n".join(t.content for t in case.turns[position.start:position.stop]).strip()
        if text:
            found.append(EarlierTurn(position.index, text))
    return tuple(found)


# Where a reply's sentences and lines end: greetings and sign-offs are whole sentences or lines.
_UNIT_BREAK = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\s*\n\s*")


def units(text: str) -> list[tuple[int, int]]:
    """The sentences and lines of ``text`` holding a word, as (start, end) character ranges."""
    found, start = [], 0
    for m in _UNIT_BREAK.finditer(text):
        if WORD.search(text, start, m.start()):
            found.append((start, m.start()))
        start = m.end()
    if WORD.search(text, start):
        found.append((start, len(text)))
    return found

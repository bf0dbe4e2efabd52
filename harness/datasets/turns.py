"""Turn-level replay: one case per agent turn of a thread, given the recorded history up to it.

A thread such as ``customer, agent, customer, agent, customer`` has three agent
*positions*: the two recorded agent turns, and the final reply after the last
customer turn. :func:`expand_cases` turns it into the cases ``<id>@t1``,
``<id>@t2`` and ``<id>@t3``; case ``@tk`` holds the turns before position *k*
(so it ends with a customer turn) and the recorded replies *at* position *k*:

* ``thread`` (a reserved version name): the agent turn the thread recorded
  there; at the final position, ``recorded_replies["thread"]``, or else the
  final reply of the version that wrote the thread's last agent turn.
* the turn's ``author``: the same text, under that version's name.
* every version in the turn's ``replies``: what it replied at that point.
* at the final position, the thread's own ``recorded_replies``.

A recorded candidate with no reply at a position gets ``missing_recorded_reply``
on that case, like any case without its reply. Consecutive agent turns are one
position (one reply sent in several messages). Agent turns before the first
customer turn (a greeting) answer nothing and are not positions.

The history is the recorded one: later customer turns were written in answer
to the recorded agent, not to the candidate (:data:`REPLAY_CAVEAT`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from harness.datasets.schema import REPLY_METADATA, THREAD_VERSION, Case, Expectations, Turn
from harness.errors import DatasetError

ID_SEPARATOR = "@t"

REPLAY_CAVEAT = ("Turn-level replay: each agent turn of a thread is evaluated given the recorded history up to "
                 "it. Later customer turns were written in answer to the recorded agent, not to the candidate, "
                 "so a candidate's earlier deviation is not reflected in the later history. The turns of one "
                 "thread are not independent: intervals that count turn cases are narrower than the evidence.")


@dataclass(frozen=True)
class AgentPosition:
    """One place in a thread where an agent replies: ``turns[start:stop]`` are the recorded agent turns there
    (``start == stop == len(turns)`` at the final position)."""

    index: int
    start: int
    stop: int

    def is_final(self, case: Case) -> bool:
        return self.start == len(case.turns)


def agent_positions(case: Case) -> list[AgentPosition]:
    """Every agent position of ``case`` in order, the final reply last; indices count from 1."""
    spans: list[tuple[int, int]] = []
    seen_customer = False
    for i, turn in enumerate(case.turns):
        if turn.role == "customer":
            seen_customer = True
        elif turn.is_tool_step:  # the work before a reply: in its history, and the end of the reply before it
            continue
        elif seen_customer and spans and spans[-1][1] == i:
            spans[-1] = (spans[-1][0], i + 1)  # consecutive agent turns: one reply in several messages
        elif seen_customer:
            spans.append((i, i + 1))
    spans.append((len(case.turns), len(case.turns)))
    return [AgentPosition(index=k, start=start, stop=stop) for k, (start, stop) in enumerate(spans, start=1)]


def expand_thread(case: Case) -> list[Case]:
    """One case per agent position of ``case`` (see the module docstring)."""
    positions = agent_positions(case)
    return [_case_at(case, position, len(positions)) for position in positions]


def expand_cases(cases: list[Case], source: str, lines: Mapping[str, int] | None = None) -> list[Case]:
    """Every case expanded per agent turn; a generated id that is already a case id is a DatasetError, at the
    line of the case holding it when ``lines`` (case id -> file line, :attr:`LoadedDataset.lines`) are given."""
    expanded = [turn_case for case in cases for turn_case in expand_thread(case)]
    thread_ids = {case.id for case in cases}
    clash = next((c for c in expanded if c.id in thread_ids), None)
    if clash is not None:
        raise DatasetError(f"turn-level replay names a case {clash.id!r}, but the dataset already has that id; "
                           f"rename it (ids ending in {ID_SEPARATOR}<n> are taken by replay)",
                           file=source, line=(lines or {}).get(clash.id), field="id")
    return expanded


def thread_of(case_id: str) -> str:
    """The thread a replayed case id ``<thread>@t<k>`` belongs to (the id itself when it is not one)."""
    thread, sep, index = case_id.rpartition(ID_SEPARATOR)
    return thread if sep and thread and index.isdigit() else case_id


def turn_index_of(case: Case) -> int | None:
    """The 1-based agent turn a replayed case stands for (``metadata.turn_index``); None for a whole thread."""
    value = case.metadata.get("turn_index")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _case_at(case: Case, position: AgentPosition, n_positions: int) -> Case:
    metadata = {**_reply_metadata(case, position), "thread_id": case.id, "turn_index": position.index,
                "n_agent_turns": n_positions}
    history = [_history_turn(turn) for turn in case.turns[:position.start]]
    return Case(id=f"{case.id}{ID_SEPARATOR}{position.index}", turns=history,
                recorded_replies=_replies_at(case, position), persona=case.persona, category=case.category,
                channel=case.channel, context=case.context, expectations=_expectations_at(case, position),
                metadata=metadata,
                # The case's own checks are about the reply to its last message: the final position's only.
                checks=case.checks if position.is_final(case) else [],
                criteria=case.criteria if position.is_final(case) else [])


def _history_turn(turn: Turn) -> Turn:
    # What other versions said, and what was expected, belong to their own position, not to the history.
    return Turn.model_validate(turn.model_dump(include={"role", "content", "author", "metadata", "tool_calls", "name",
                                                        "tool_call_id"}))


def _reply_metadata(case: Case, position: AgentPosition) -> dict:
    """The case's metadata, with ``recorded_reply`` (the per-message fields of the recorded reply graded) that of
    the agent turns at ``position``: the case's own one is the final reply's (:mod:`harness.datasets.long_rows`)."""
    if position.is_final(case):
        return case.metadata
    own = [turn.metadata for turn in case.turns[position.start:position.stop]]
    rest = {key: value for key, value in case.metadata.items() if key != REPLY_METADATA}
    return {**rest, REPLY_METADATA: own} if any(own) else rest


def _replies_at(case: Case, position: AgentPosition) -> dict[str, str]:
    if position.is_final(case):
        return _final_replies(case)
    recorded = case.turns[position.start:position.stop]
    text = "\n\n".join(t.content for t in recorded)
    replies: dict[str, str] = {}
    for version in dict.fromkeys(v for t in recorded for v in t.replies):
        replies[version] = "\n\n".join(t.replies[version] for t in recorded if version in t.replies)
    authors = {t.author for t in recorded if t.author}
    if len(authors) == 1:  # several authors at one position: the text is nobody's whole reply
        replies.setdefault(authors.pop(), text)
    return {**replies, THREAD_VERSION: text}


def _final_replies(case: Case) -> dict[str, str]:
    replies = dict(case.recorded_replies)
    last_author = next((t.author for t in reversed(case.turns) if t.role == "agent"), None)
    if THREAD_VERSION not in replies and last_author in replies:
        replies[THREAD_VERSION] = replies[last_author]
    return replies


def _expectations_at(case: Case, position: AgentPosition) -> Expectations:
    """The case's expectations, with the fields an agent turn at this position sets replacing them."""
    update: dict = {}
    for turn in case.turns[position.start:position.stop]:
        if turn.expectations is not None:
            update.update({name: getattr(turn.expectations, name) for name in turn.expectations.model_fields_set})
    return case.expectations.model_copy(update=update) if update else case.expectations


SHOWN_THREADS = 3  # threads named in the inherited-expectation warning; the rest are counted


def inherited_expectation_warning(cases: list[Case], source: str, lines: Mapping[str, int] | None = None) -> list[str]:
    """One line (``file:line: expectations: ...``) when threads set a case-level expectation that turn-level
    replay gives every agent turn of the thread not setting its own: ``escalation_expected: true`` written for the
    last reply also grades the first. Said once per dataset, at the first such thread; [] when there is none."""
    found = [(case, names) for case in cases if (names := _inherited_names(case))]
    if not found:
        return []
    case, names = found[0]
    line = (lines or {}).get(case.id)
    named = "; ".join(f"{c.id}: {', '.join(n)}" for c, n in found[:SHOWN_THREADS]) + (
        f" and {len(found) - SHOWN_THREADS} more" if len(found) > SHOWN_THREADS else "")
    n = len(found)
    return [f"{source}{f':{line}' if line else ''}: expectations: {n} thread{' sets' if n == 1 else 's set'} a "
            f"case-level expectation that grades every agent turn of the thread under `replay: turns`, not only the "
            f"final reply ({named}); where it is about one reply, give the other agent turns their own in the turn "
            f"(`\"expectations\": {{\"{names[0]}\": false}}` on each agent turn before it, in the `turns` form: a "
            f"one-row-per-message file holds expectations per thread only)"]


# Expectations that ask a reply to do something (true): usually said of one reply, the one the thread ends on.
# False, and `refund_allowed` (a policy fact), hold for every turn alike, so inheriting them is no surprise.
_ASKS_FOR_ACTION = ("boundary_required", "escalation_expected", "question_expected")


def _inherited_names(case: Case) -> list[str]:
    """The case-level expectations asking for an action that an earlier agent turn of ``case`` inherits besides
    its final reply: each grades more than one turn case."""
    set_here = [name for name in _ASKS_FOR_ACTION if getattr(case.expectations, name) is True]
    positions = agent_positions(case)[:-1]  # the final reply always takes the case's own
    return sorted(name for name in set_here
                  if any(not _turns_set(case, position, name) for position in positions))


def _turns_set(case: Case, position: AgentPosition, name: str) -> bool:
    return any(turn.expectations is not None and name in turn.expectations.model_fields_set
               for turn in case.turns[position.start:position.stop])

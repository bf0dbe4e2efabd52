"""``no_repetition``: the reply does not repeat an earlier agent turn of the thread.

A bot that answers a follow-up with what it already said ("I'm sorry your order hasn't arrived.
Could you confirm the address?", twice) has not listened; customers read it as a brush-off, and
DOMAIN.md counts "as I already said" as negative language. DeepEval grades this with an LLM
(knowledge retention, conversation relevancy); this check finds the near-verbatim case cheaply.

The reply and each earlier agent reply are compared as normalised word sequences (lower case,
punctuation dropped): a reply word is *repeated* when it lies in a run of :data:`SHINGLE` words
that the earlier reply also holds in that order. The reply fails when, against one earlier reply,
at least :data:`MIN_REPEATED` words and at least :data:`MAX_SHARE` of its words are repeated: it
says mostly what it said before. A stock courtesy line ("Thanks for your patience.", "Is there
anything else I can help with?") is too short to fail alone, and a repeated sentence among new
content is reported as evidence but passes.

Greeting and closing boilerplate does not count: the sentences or lines that open both the reply
and the earlier reply alike ("Hi Jo,") and those that end both alike ("Is there anything else I can
help you with today?", a signature and footer) are left out of the comparison and of the reply's
length, when the reply keeps words of its own and the earlier reply a body of :data:`MIN_REPEATED`
words besides. Otherwise the shared part is the message, not its frame (the whole turn again, or its
body under a new greeting), and the replies are compared whole: repeating the body still fails.
"""

from __future__ import annotations

import re

from harness.checks import case_facts
from harness.checks.base import CheckContext, CheckResult, register
from harness.checks.results import result, span
from harness.checks.thread_history import WORD, earlier_agent_turns, units, words
from harness.datasets.schema import Case

SHINGLE = 5  # words in a row: fewer match common phrases ("let me know if you") by chance
MIN_REPEATED = 8  # repeated words needed to fail: more than a stock courtesy line holds
MAX_SHARE = 0.5  # of the reply's words repeated from one earlier reply: "mostly the same reply"


@case_facts.per_case
def _earlier_units(case: Case) -> tuple[tuple[int, tuple[tuple[str, ...], ...]], ...]:
    """Each earlier agent reply's index and its sentences/lines as normalised word tuples."""
    return tuple((turn.index, tuple(tuple(words(turn.text[a:b])) for a, b in units(turn.text)))
                 for turn in earlier_agent_turns(case))


def _shared_edges(mine: list[tuple[str, ...]], theirs: tuple[tuple[str, ...], ...]) -> tuple[int, int]:
    """How many leading and trailing units ``mine`` shares with ``theirs`` as boilerplate: (0, 0)
    unless the reply keeps a unit besides and the earlier turn a body of :data:`MIN_REPEATED` words
    (else the shared part is the message, not its frame: a repeated body under a new greeting)."""
    lead = 0
    while lead < min(len(mine), len(theirs)) and mine[lead] == theirs[lead]:
        lead += 1
    trail = 0
    while trail < min(len(mine), len(theirs)) - lead and mine[-1 - trail] == theirs[-1 - trail]:
        trail += 1
    if lead + trail >= len(mine) or sum(map(len, theirs[lead:len(theirs) - trail])) < MIN_REPEATED:
        return 0, 0
    return lead, trail


def _shingles(seq: list[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(seq[i:i + SHINGLE]) for i in range(len(seq) - SHINGLE + 1))


def _covered(seq: list[str], shingles: frozenset[tuple[str, ...]]) -> list[bool]:
    """Which words of ``seq`` lie in a run of :data:`SHINGLE` words that ``shingles`` holds."""
    covered = [False] * len(seq)
    for i in range(len(seq) - SHINGLE + 1):
        if tuple(seq[i:i + SHINGLE]) in shingles:
            covered[i:i + SHINGLE] = [True] * SHINGLE
    return covered


def _runs(covered: list[bool]) -> list[tuple[int, int]]:
    """The maximal runs of covered words, as (first, last) word indices."""
    runs: list[tuple[int, int]] = []
    for i, flag in enumerate(covered):
        if flag and runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        elif flag:
            runs.append((i, i))
    return runs


class NoRepetition:
    """Fails when the reply mostly repeats one earlier agent reply of the thread, word for word.

    ``passed``: None when the history holds no earlier agent reply; else False when at least
    :data:`MIN_REPEATED` words and :data:`MAX_SHARE` of the reply repeat one earlier reply (runs of
    :data:`SHINGLE` words or more). Evidence: the repeated spans (also when it passes). ``data``:
    ``earlier_turn`` (the ``t<k>`` index of the earlier reply most repeated, or None),
    ``repeated_share`` (the share of the reply's words repeated from it).
    """

    name = "no_repetition"
    version = "2"
    description = "Does not repeat an earlier agent turn of the thread (near word for word); n/a without one."

    def run(self, ctx: CheckContext) -> CheckResult:
        earlier = _earlier_units(ctx.case)
        if not earlier:
            return result(None, detail="no earlier agent turn in the thread",
                          data={"earlier_turn": None, "repeated_share": 0.0})
        matches = list(WORD.finditer(ctx.reply))
        seq = [m.group().lower().replace("\u2019", "'") for m in matches]  # words(ctx.reply), keeping the spans
        mine, bounds = _reply_units(ctx.reply, matches)
        best: tuple[bool, int, int | None, list[bool], int] = (False, 0, None, [False] * len(seq), len(seq))
        for index, theirs in earlier:  # the latest earlier reply wins a tie: the one the customer just read
            lead, trail = _shared_edges(mine, theirs)
            # The reply's body, in words: all of it unless it shares a greeting or sign-off with this turn.
            first, last = (bounds[lead][0], bounds[len(mine) - 1 - trail][1]) if mine else (0, 0)
            covered = [False] * first + _covered(seq[first:last], _shingles(
                [w for unit in theirs[lead:len(theirs) - trail] for w in unit])) + [False] * (len(seq) - last)
            repeated = sum(covered)
            failed = repeated >= MIN_REPEATED and repeated / max(last - first, 1) >= MAX_SHARE
            if repeated and (failed, repeated) >= best[:2]:
                best = (failed, repeated, index, covered, last - first)
        failed, repeated, best_turn, covered, length = best
        share = round(repeated / length, 3) if length else 0.0
        evidence = [span(ctx.reply, matches[a].start(), matches[b].end()) for a, b in _runs(covered)]
        if best_turn is None:
            detail = "repeats no earlier agent turn"
        else:
            detail = (f"{'repeats' if failed else 'shares'} {repeated} of its {length} words with agent turn "
                      f"t{best_turn}" + (" (leaving out the greeting or sign-off they share)"
                                         if length < len(seq) else ""))
        return result(not failed, evidence=evidence, detail=detail,
                      data={"earlier_turn": best_turn, "repeated_share": share})


def _reply_units(reply: str, matches: list[re.Match[str]]) -> tuple[list[tuple[str, ...]], list[tuple[int, int]]]:
    """The reply's sentences/lines as normalised word tuples, and each one's [first, last) word indices."""
    mine, bounds, i = [], [], 0
    for _, end in units(reply):
        first = i
        while i < len(matches) and matches[i].start() < end:
            i += 1
        if i > first:
            mine.append(tuple(m.group().lower().replace("\u2019", "'") for m in matches[first:i]))
            bounds.append((first, i))
    return mine, bounds


register(NoRepetition())

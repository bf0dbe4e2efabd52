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
"""

from __future__ import annotations

from harness.checks import case_facts
from harness.checks.base import CheckContext, CheckResult, register
from harness.checks.results import result, span
from harness.checks.thread_history import WORD, earlier_agent_turns, words
from harness.datasets.schema import Case

SHINGLE = 5  # words in a row: fewer match common phrases ("let me know if you") by chance
MIN_REPEATED = 8  # repeated words needed to fail: more than a stock courtesy line holds
MAX_SHARE = 0.5  # of the reply's words repeated from one earlier reply: "mostly the same reply"


@case_facts.per_case
def _earlier_shingles(case: Case) -> tuple[tuple[int, frozenset[tuple[str, ...]]], ...]:
    """Each earlier agent reply's index and its word runs of length :data:`SHINGLE`."""
    found = []
    for turn in earlier_agent_turns(case):
        seq = words(turn.text)
        found.append((turn.index, frozenset(tuple(seq[i:i + SHINGLE]) for i in range(len(seq) - SHINGLE + 1))))
    return tuple(found)


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
    version = "1"
    description = "Does not repeat an earlier agent turn of the thread (near word for word); n/a without one."

    def run(self, ctx: CheckContext) -> CheckResult:
        earlier = _earlier_shingles(ctx.case)
        if not earlier:
            return result(None, detail="no earlier agent turn in the thread",
                          data={"earlier_turn": None, "repeated_share": 0.0})
        matches = list(WORD.finditer(ctx.reply))
        seq = [m.group().lower().replace("\u2019", "'") for m in matches]  # words(ctx.reply), keeping the spans
        best_turn, best = None, [False] * len(seq)
        for index, shingles in earlier:  # the latest earlier reply wins a tie: the one the customer just read
            covered = _covered(seq, shingles)
            if any(covered) and sum(covered) >= sum(best):
                best_turn, best = index, covered
        repeated = sum(best)
        share = round(repeated / len(seq), 3) if seq else 0.0
        evidence = [span(ctx.reply, matches[a].start(), matches[b].end()) for a, b in _runs(best)]
        failed = repeated >= MIN_REPEATED and share >= MAX_SHARE
        if best_turn is None:
            detail = "repeats no earlier agent turn"
        else:
            detail = (f"{'repeats' if failed else 'shares'} {repeated} of its {len(seq)} words with agent turn "
                      f"t{best_turn}")
        return result(not failed, evidence=evidence, detail=detail,
                      data={"earlier_turn": best_turn, "repeated_share": share})


register(NoRepetition())

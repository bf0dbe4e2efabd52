"""Counterfactuals and wishes: clauses that promise or offer nothing.

"If you'd contacted us within 30 days, we'd have refunded you", "if it were within the window I
could refund you", "I wish I could refund you": ``policy_promises`` does not read them as promises
and ``next_step`` not as steps. The markers are found once per reply (memoised on its analysis).
"""

from __future__ import annotations

import re
from bisect import bisect_left

from harness.checks.text import Range, ReplyText, compile_word_starts

_UNREAL = compile_word_starts(
    r"\b(?:would|could)(?: have|'ve)\b(?!\s+to\b)|'d(?: have|'ve)\b(?!\s+to\b)|\bwish (?:i|we|that)\b|\bif only\b"
    r"|\bif (?:it|this|that|i|we) were\b"
    r"|\b(?:if (?:you|we|i|it|they)(?: had|'d)|had (?:you|we|i|it|they))\s+(?:\w+ed|been|known|told|sent|bought|"
    r"come|done|made|taken|brought|gone|got|gotten|spoken|written|rung)\b"
)
_UNREAL_HINT = re.compile("ha[vd]|'ve|wish|if ")


def _unreal_starts(rt: ReplyText) -> list[int]:
    """Where :data:`_UNREAL` matches in the reply: found once per reply (memoised)."""
    starts = rt.memo.get("unreal")
    if starts is None:
        norm = rt.norm
        # Every match holds one of these: most replies need no scan.
        starts = rt.memo["unreal"] = [m.start() for m in _UNREAL.finditer(norm)] if _UNREAL_HINT.search(norm) else []
    return starts  # type: ignore[return-value]


def unreal_in(rt: ReplyText, clause: Range) -> bool:
    """Whether a counterfactual or wish marker starts inside ``clause``."""
    starts = _unreal_starts(rt)
    if not starts:  # most replies
        return False
    i = bisect_left(starts, clause[0])
    return i < len(starts) and starts[i] < clause[1]


def has_unreal(rt: ReplyText) -> bool:
    """Whether the reply holds a counterfactual or wish marker anywhere."""
    return bool(_unreal_starts(rt))


def unreal_clause(rt: ReplyText, start: int, end: int) -> bool:
    """Whether the clause around ``norm[start:end]`` is a counterfactual or a wish
    ("if you'd contacted us within 30 days", "we'd have refunded you", "I wish I could ...")."""
    if not _unreal_starts(rt):
        return False
    return unreal_in(rt, rt.clause_at(start, end))

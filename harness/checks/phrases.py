"""Fast matching of many phrase patterns against a short text.

A check's phrases are alternative regex patterns. Python's ``re`` scans a
300-character reply with a large alternation in tens of microseconds, because
it tries every alternative at every position, and the check set must read
thousands of replies a second. So :class:`Phrases` works out, once at import,
a literal *anchor* every match of each alternative must contain ("calm down",
"must", one of "have"/"need"), tests the anchors with plain substring search,
and runs only the alternatives whose anchor occurs. Most alternatives are
skipped for most replies.

Phrases start at a word start. A leading ``\\b`` is dropped from each
alternative (it keeps ``re`` from jumping to a possible first character, a
several-fold slowdown) and the left word boundary is checked on each match.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]  # parse-tree opcodes
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Iterator

Anchors = frozenset[str]

_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_LEADING_BOUNDARY = re.compile(r"^(?:\\b)+")
_MAX_ANCHORS = 64


def _better(a: Anchors | None, b: Anchors | None) -> Anchors | None:
    """The more selective anchor set: longer shortest string, then fewer strings."""
    if a is None or b is None:
        return a if b is None else b
    key_a = (min(map(len, a)), -len(a))
    key_b = (min(map(len, b)), -len(b))
    return a if key_a >= key_b else b


def _branch_anchors(branches: list[object]) -> Anchors | None:
    found: set[str] = set()
    for branch in branches:
        anchors = _sequence_anchors(branch)
        if anchors is None:
            return None  # a branch with no literal text: nothing is required
        found |= anchors
    return frozenset(found) if len(found) <= _MAX_ANCHORS else None


def _item_anchors(op: object, av: object) -> Anchors | None:
    if op is sre.SUBPATTERN:
        return _sequence_anchors(av[-1])  # type: ignore[index]
    if op is sre.BRANCH:
        return _branch_anchors(av[1])  # type: ignore[index]
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:  # type: ignore[index]
        return _sequence_anchors(av[2])  # type: ignore[index]
    return None


def _sequence_anchors(items: object) -> Anchors | None:
    """Strings one of which every match of the parsed ``items`` contains (None: no such set)."""
    best: Anchors | None = None
    run = ""
    for op, av in items:  # type: ignore[attr-defined]
        if op is sre.LITERAL:
            run += chr(av)
            continue
        if run:
            best, run = _better(best, frozenset([run])), ""
        if op not in _ZERO_WIDTH:
            best = _better(best, _item_anchors(op, av))
    if run:
        best = _better(best, frozenset([run]))
    return best


def anchors_of(pattern: str) -> Anchors | None:
    """Literal strings, one of which every match of ``pattern`` contains."""
    return _sequence_anchors(sre_parse.parse(pattern))


class Phrases:
    """Alternative patterns, each run only when its anchor occurs; see the module docstring."""

    __slots__ = ("regex", "alternatives")

    def __init__(self, *patterns: str) -> None:
        self.regex = re.compile("|".join(f"(?:{p})" for p in patterns))
        self.alternatives = [(re.compile(_LEADING_BOUNDARY.sub("", p)), anchors_of(p)) for p in patterns]

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Non-overlapping ``(start, end)`` of matches in ``text``, left to right.

        Where alternatives overlap, the one starting first wins, then the one
        listed first, as with a single alternation regex.
        """
        found = []
        for order, (regex, anchors) in enumerate(self.alternatives):
            if anchors is not None and not any(a in text for a in anchors):
                continue
            for m in regex.finditer(text):
                start, end = m.span()
                if end > start and not (start and text[start].isalnum() and text[start - 1].isalnum()):
                    found.append((start, order, end))
        found.sort()
        last_end = 0
        for start, _, end in found:
            if start >= last_end:
                last_end = end
                yield start, end


def phrases(*patterns: str) -> Phrases:
    """The :class:`Phrases` of ``patterns``."""
    return Phrases(*patterns)

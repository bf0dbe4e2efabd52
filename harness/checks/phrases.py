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
from functools import lru_cache

Anchors = frozenset[str]

_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_LEADING_BOUNDARY = re.compile(r"^(?:\\b)+")
_MAX_ANCHORS = 64
_SPACE = re.compile(r"\s+")


# Words in nearly every reply: an anchor that is only these selects nothing.
_WEAK_WORDS = frozenset("""
a an the to of in on at by for with from and or but not no is are was were be been am i we you u ur your our us me
my it its this that can could will would should have has had do does did get got ll ve re s m d t n't 'll 've 're
's 'm 'd there here what which when how if so as up out all any just also now then than very really please pls
""".split())


def _strength(anchor: str) -> int:
    """How selective ``anchor`` is: the length of its longest piece that is not a weak word."""
    return max((len(piece) for piece in _SPACE.split(anchor.strip()) if piece not in _WEAK_WORDS), default=0)


def _better(a: Anchors | None, b: Anchors | None) -> Anchors | None:
    """The more selective anchor set: stronger weakest string, then fewer strings."""
    if a is None or b is None:
        return a if b is None else b
    key_a = (min(map(_strength, a)), -len(a))
    key_b = (min(map(_strength, b)), -len(b))
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


def top_level_branches(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|`` (not inside groups or character classes)."""
    branches, depth, start, i = [], 0, 0, 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]":
                i += 1  # "[]...]": a leading "]" is literal
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return branches


def anchors_of(pattern: str) -> Anchors | None:
    """Literal strings, one of which every match of ``pattern`` contains."""
    return _sequence_anchors(sre_parse.parse(pattern))


# Words (with their apostrophes) and runs of other non-space characters.
_TOKEN = re.compile(r"[a-z0-9']+|[^a-z0-9'\s]+")
# Where sentences break (as in :mod:`harness.checks.text`): phrases are looked for
# one sentence at a time.
# Spelled ``(?<=[.!?…])["')\]]*\s+|\n+``; consuming the stop instead of looking
# behind for it lets ``re`` jump to candidate characters (see :func:`breaks`).
_BREAK = re.compile(r"([.!?\u2026])[\"')\]]*\s+|\n+")


@lru_cache(maxsize=4096)
def breaks(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence break in ``text``: whitespace after a stop, or newlines.

    A break after a stop starts just after the stop. Shared by the sentence
    split of :mod:`harness.checks.text` and the phrase index. Do not mutate.
    """
    return [(m.start() + 1, m.end()) if m.start(1) >= 0 else m.span() for m in _BREAK.finditer(text)]


_LONG_TOKEN = 24


def _key(anchor: str) -> str | None:
    """The most selective space-free piece of ``anchor``: every text holding the anchor has a token holding it."""
    pieces = _SPACE.split(anchor.strip())
    return max(pieces, key=lambda piece: (piece not in _WEAK_WORDS, len(piece))) or None


class _KeyIndex:
    """Which alternatives of which :class:`Phrases` may match where in a text.

    Each alternative is keyed by a space-free piece of each of its anchors
    (:func:`_key`); it may match in a sentence only if one of its keys occurs
    inside one of the sentence's tokens. Which alternatives a token holds the
    key of is memoised per distinct token, so a reply costs one tokenisation
    and a dict hit per token once the common words are known.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, set[int]] = {}
        self._always: set[int] = set()
        self._by_token: dict[str, frozenset[int]] = {}
        self._count = 0

    def add(self, anchors: Anchors | None) -> int:
        """Register an alternative's anchors; returns its id."""
        alt_id = self._count
        self._count += 1
        keys = None if anchors is None else {_key(a) for a in anchors}
        if keys is None or None in keys:
            self._always.add(alt_id)
        else:
            for key in keys:
                self._by_key.setdefault(key, set()).add(alt_id)  # type: ignore[arg-type]
        self._by_token.clear()
        self.windows.cache_clear()
        return alt_id

    def _of_token(self, token: str) -> frozenset[int]:
        by_key = self._by_key
        ids: set[int] = set()
        if len(token) <= _LONG_TOKEN:
            n = len(token)
            for i in range(n):
                for j in range(i + 1, n + 1):
                    found = by_key.get(token[i:j])
                    if found:
                        ids |= found
        else:
            for key, found in by_key.items():
                if key in token:
                    ids |= found
        result = frozenset(ids)
        if len(self._by_token) < 100_000:
            self._by_token[token] = result
        return result

    def _ids_of(self, tokens: set[str]) -> set[int]:
        memo = self._by_token
        try:
            return set(self._always).union(*[memo[token] for token in tokens])
        except KeyError:  # a token not seen before: work out and memoise its ids
            return set(self._always).union(*[memo[t] if t in memo else self._of_token(t) for t in tokens])

    @lru_cache(maxsize=4096)  # noqa: B019  (one module-level instance; the cache is per text)
    def windows(self, text: str) -> tuple[tuple[int, int, frozenset[int]], ...]:
        """The sentences of ``text`` as windows, each with the alternatives that may match in it.

        A window runs from the start of the break before its sentence to the end
        of the break after it, so a pattern may still see the newline or full
        stop that opens its sentence. Windows without candidates are left out.
        One pass over the text serves every :class:`Phrases` searched in it.
        """
        found = []
        start = 0
        findall = _TOKEN.findall
        for break_start, break_end in (*breaks(text), (len(text), len(text))):
            ids = self._ids_of(set(findall(text, start, break_start)))
            if ids:
                found.append((start, break_end, frozenset(ids)))
            start = break_start
        return tuple(found)


_INDEX = _KeyIndex()


class Phrases:
    """Alternative patterns, each run only where its anchor occurs; see the module docstring."""

    __slots__ = ("regex", "alternatives", "_ids", "_by_id")

    def __init__(self, *patterns: str) -> None:
        self.regex = re.compile("|".join(f"(?:{p})" for p in patterns))
        # Each top-level branch is its own alternative, without its leading "\\b":
        # a branch opening with "\\b" makes ``re`` try every position of the text.
        branches = [b for p in patterns for b in top_level_branches(p)]
        self.alternatives = [(re.compile(_LEADING_BOUNDARY.sub("", b)), _INDEX.add(anchors_of(b))) for b in branches]
        self._by_id = {alt_id: (order, regex) for order, (regex, alt_id) in enumerate(self.alternatives)}
        self._ids = frozenset(self._by_id)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Non-overlapping ``(start, end)`` of matches in ``text``, left to right.

        Where alternatives overlap, the one starting first wins, then the one
        listed first, as with a single alternation regex. A match does not run
        across a sentence break.
        """
        own, by_id = self._ids, self._by_id
        found = set()
        for window_start, window_end, ids in _INDEX.windows(text):
            for alt_id in own & ids:
                order, regex = by_id[alt_id]
                for m in regex.finditer(text, window_start, window_end):
                    start, end = m.span()
                    if end > start and not (start and text[start].isalnum() and text[start - 1].isalnum()):
                        found.add((start, order, end))
        if not found:
            return []
        result = []
        last_end = 0
        for start, _, end in sorted(found):
            if start >= last_end:
                last_end = end
                result.append((start, end))
        return result


def phrases(*patterns: str) -> Phrases:
    """The :class:`Phrases` of ``patterns``."""
    return Phrases(*patterns)

"""Which phrase alternatives may match in which sentences of a text.

The phrase matcher (:mod:`harness.checks.phrases`) looks for phrases one
sentence at a time and runs an alternative only in sentences holding one of its
keys (:mod:`harness.checks.anchors`). :class:`KeyIndex` works out, for a text,
its sentences as *windows* and each window's candidate alternatives, as bit
masks, in one pass over the text shared by every phrase set.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Words (with their apostrophes) and runs of other non-space characters.
_TOKEN = re.compile(r"[a-z0-9']+|[^a-z0-9'\s]+")
# Where sentences break (as in :mod:`harness.checks.text`): phrases are looked for
# one sentence at a time.
# Spelled ``(?<=[.!?…])["')\]]*\s+|\n+``. Opening with the one character every
# break starts with (the stop, consumed, or the first newline) lets ``re`` jump
# from candidate to candidate instead of trying every position (see :func:`breaks`).
_BREAK = re.compile(r"[.!?\u2026\n](?:(?<=[.!?\u2026])[\"')\]]*\s+|(?<=\n)\n*)")


@lru_cache(maxsize=64)
def breaks(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence break in ``text``: whitespace after a stop, or newlines.

    A break after a stop starts just after the stop. Shared by the sentence
    split of :mod:`harness.checks.text` and the phrase index. Do not mutate.
    """
    return [m.span() if text[m.start()] == "\n" else (m.start() + 1, m.end()) for m in _BREAK.finditer(text)]


_MEMO_LIMIT = 100_000
# Per-reply caches are small on purpose: a reply's checks run one after another, and freeing
# long-cold entries of large caches cost ~10% of the check set's time (cache misses).
_WINDOWS_KEPT = 64
_DIGIT = re.compile(r"\d")
_HAS_DIGIT = 1
Windows = tuple[int, tuple[tuple[int, int, int], ...]]


class KeyIndex:
    """Which alternatives of which :class:`Phrases` may match where in a text.

    Each alternative is keyed by a space-free piece of each of its anchors
    (:func:`harness.checks.anchors.key`); it may match in a sentence only if one of its keys occurs
    inside one of the sentence's tokens. Which alternatives a token holds the
    key of is memoised per distinct token (and per whitespace-free chunk of
    tokens), so a reply costs one split and a dict hit per chunk once the
    common words are known. Sets of alternatives are bit masks: bit ``i`` is
    alternative ``i``, and bit 0 says the chunk or sentence holds a digit.

    An alternative's bit is followed by the bits of the other key sets it needs
    (:meth:`add_requirement`) and a *guard* bit no key sets (:meth:`close`): its
    *field*. A sentence holds every key set of an alternative when the field's
    bits below the guard are all set, which :meth:`eligible` tests for every
    alternative at once: adding 1 at the bottom of each field carries into the
    guard exactly there (a field's bits are never all set by a carry from
    below, since the guard below stays clear). So the matcher's loop visits
    only the alternatives it searches, not every candidate it turns away.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, int] = {}
        self._prefixes: set[str] = set()  # every prefix of every key
        self._always = 0
        self._needs_digit = 0
        self._by_token: dict[str, int] = {}
        self._by_chunk: dict[str, int] = {}
        self._windows: dict[str, Windows] = {}
        self._count = 1  # bit 0 is _HAS_DIGIT
        self.field_mask = 0  # every field's bits below its guard
        self.field_low = 0  # the lowest bit of every field (the alternatives' own bits)
        self.guards = 0  # every field's guard

    def add(self, keys: frozenset[str] | None, needs_digit: bool = False) -> int:
        """Register an alternative by its keys (None: a candidate everywhere) and whether
        every match holds a digit; returns its id."""
        alt_id = self._count
        self._count += 1
        bit = 1 << alt_id
        if keys is None:
            self._always |= bit
        else:
            for key in keys:
                self._by_key[key] = self._by_key.get(key, 0) | bit
                self._prefixes.update(key[:i] for i in range(1, len(key) + 1))
        if needs_digit:
            self._needs_digit |= bit
        self._by_token.clear()
        self._by_chunk.clear()
        self._windows.clear()
        return alt_id

    def close(self, alt_id: int) -> int:
        """End alternative ``alt_id``'s field (its bit and the requirement bits added since) with a
        guard bit that no key sets; returns the guard's bit position."""
        guard = self._count
        self._count += 1
        self.field_mask |= (1 << guard) - (1 << alt_id)
        self.field_low |= 1 << alt_id
        self.guards |= 1 << guard
        return guard

    def eligible(self, ids: int) -> int:
        """The guards of the alternatives of whose every key set ``ids`` (a window's) holds a key,
        as bits: one carry per field (see the class docstring)."""
        return ((ids & self.field_mask) + self.field_low) & self.guards

    def add_requirement(self, words: frozenset[str]) -> int:
        """A bit set in every window whose tokens hold one of ``words``."""
        bit = 1 << self._count
        self._count += 1
        for word in words:
            self._by_key[word] = self._by_key.get(word, 0) | bit
            self._prefixes.update(word[:i] for i in range(1, len(word) + 1))
        self._by_token.clear()
        self._by_chunk.clear()
        self._windows.clear()
        return bit

    def _of_token(self, token: str) -> int:
        """The ids keyed by any substring of ``token``: each start extended while it is a key's prefix."""
        by_key, prefixes = self._by_key, self._prefixes
        ids = 0
        n = len(token)
        for i in range(n):
            for j in range(i + 1, n + 1):
                piece = token[i:j]
                if piece not in prefixes:
                    break
                ids |= by_key.get(piece, 0)
        if len(self._by_token) < _MEMO_LIMIT:
            self._by_token[token] = ids
        return ids

    def _of_chunk(self, chunk: str) -> int:
        """The ids keyed in the tokens of a whitespace-free ``chunk`` ("order," is "order" and ",")."""
        memo = self._by_token
        ids = _HAS_DIGIT if _DIGIT.search(chunk) else 0
        for token in _TOKEN.findall(chunk):
            found = memo.get(token)
            ids |= self._of_token(token) if found is None else found
        if len(self._by_chunk) < _MEMO_LIMIT:
            self._by_chunk[chunk] = ids
        return ids

    def cached_windows(self, text: str) -> Windows | None:
        """:meth:`windows` of ``text`` if already worked out, else None."""
        return self._windows.get(text)

    def windows(self, text: str) -> Windows:
        """The sentences of ``text`` as windows, each with the alternatives that may match in it.

        A window runs from the start of the break before its sentence to the end
        of the break after it, so a pattern may still see the newline or full
        stop that opens its sentence. An alternative is a candidate when one of
        its keys occurs in a token of the window before its closing break and,
        if every match of it holds a digit, when the window holds one. Windows
        without candidates are left out. Returned as ``(every, windows)``, where
        ``every`` is the union of the windows' candidates (a phrase set with none
        there skips the text). One pass over the text serves every
        :class:`Phrases` searched in it; the result is kept for the last few
        thousand texts.
        """
        cached = self._windows.get(text)
        if cached is not None:
            return cached
        found = []
        start = 0
        memo, always, no_digit = self._by_chunk, self._always, ~self._needs_digit
        every = 0
        n = len(text)
        for break_start, break_end in (*breaks(text), (n, n)):
            # Tokens never span whitespace (and breaks hold no digits), so a sentence's
            # tokens and digits are those of its whitespace-separated chunks.
            ids = always
            for chunk in text[start:break_start].split():
                chunk_ids = memo.get(chunk)
                ids |= self._of_chunk(chunk) if chunk_ids is None else chunk_ids
            if not ids & _HAS_DIGIT:
                ids &= no_digit
            if ids >> 1:
                found.append((start, break_end, ids))
                every |= ids
            start = break_start
        # Last, the candidates of all windows together: a phrase set with none skips the text.
        result = (every, tuple(found))
        if len(self._windows) >= _WINDOWS_KEPT:
            self._windows.clear()
        self._windows[text] = result
        return result

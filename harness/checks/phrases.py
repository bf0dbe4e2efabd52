"""Fast matching of many phrase patterns against a short text.

A check's phrases are alternative regex patterns. Python's ``re`` scans a
300-character reply with a large alternation in tens of microseconds, because
it tries every alternative at every position, and the check set must read
thousands of replies a second. So :class:`Phrases` works out, once at import,
a literal *anchor* every match of each alternative must contain ("calm down",
"must", one of "have"/"need") (:mod:`harness.checks.anchors`), finds which
sentences of a text hold them (:mod:`harness.checks.phrase_index`), and runs
an alternative only there. Most alternatives are skipped for most replies.

Phrase sets that read the same texts form a *group* (the checks' sets read a
reply's ``norm``; the injection check's reads ``lower``). The first time a
text is searched for one set of a group, every set of the group is searched in
one pass over the text's sentences, and later calls are served from that.

Phrases start at a word start. A leading ``\\b`` is dropped from each
alternative (it keeps ``re`` from jumping to a possible first character, a
several-fold slowdown) and the left word boundary is checked on each match.
Each alternative is compiled the first time it runs.
"""

from __future__ import annotations

import re
import threading
from typing import Sequence

from harness.checks.anchors import branch_keys
from harness.checks.phrase_index import KeyIndex
from harness.checks.regex_forms import fast_form, top_level_branches

Span = tuple[int, int]
_INDEX = KeyIndex()
_SPANS_KEPT = 64
_FEW_KEYS = 4  # per reply: small (see phrase_index._WINDOWS_KEPT)
_NONE: tuple[Span, ...] = ()

# Per alternative id (its bit in the index): its fast form, its regex once compiled,
# its phrase set's slot in the group and its order there. Other bits have no entry (None / 0).
_SOURCE: list[str | None] = [None]
_REGEX: list[re.Pattern[str] | None] = [None]
_SLOT: list[int] = [0]
_ORDER: list[int] = [0]
# Per guard bit of the index (KeyIndex.close): the alternative whose field it closes.
_ALT_AT: list[int] = [0]
# Per alternative: the driving keys, one of which every match holds (None: not known, or too many).
_KEYS: list[tuple[str, ...] | None] = [None]


def _grow(alt_id: int) -> None:
    """Make the per-alternative tables long enough for ``alt_id``."""
    missing = alt_id + 1 - len(_SOURCE)
    if missing > 0:
        _SOURCE.extend([None] * missing)
        _REGEX.extend([None] * missing)
        _SLOT.extend([0] * missing)
        _ORDER.extend([0] * missing)
        _ALT_AT.extend([0] * missing)
        _KEYS.extend([None] * missing)


def _compile(alt_id: int) -> re.Pattern[str]:
    """Alternative ``alt_id``'s regex, compiled now: most never run in a given process."""
    regex = _REGEX[alt_id] = re.compile(_SOURCE[alt_id])  # type: ignore[arg-type]
    return regex


class _Group:
    """Phrase sets searched in the same texts: one pass over a text serves them all.

    ``mask`` holds every member's alternatives and ``guards`` their guard bits
    (:meth:`KeyIndex.close`); ``drivers`` every key that
    drives one (None when an alternative runs everywhere), so that a text no
    phrase set has read yet can be skipped when it holds none of them.
    """

    __slots__ = ("members", "mask", "guards", "drivers", "_keys", "_spans", "_empty")

    def __init__(self) -> None:
        self.members: list[Phrases] = []
        self.mask = 0
        self.guards = 0
        self.drivers: set[str] | None = set()
        self._keys: tuple[str, ...] | None = None
        self._spans: dict[str, list[Sequence[Span]]] = {}
        self._empty: list[Sequence[Span]] = []

    def reserve(self, phrases: Phrases) -> int:
        """A slot for ``phrases``, whose alternatives are indexed later (:meth:`add`)."""
        self.members.append(phrases)
        self._spans.clear()
        self._empty = [_NONE] * len(self.members)
        return len(self.members) - 1

    def add(self, mask: int, guards: int, drivers: list[frozenset[str] | None]) -> None:
        """Add a member's alternatives ``mask``, their ``guards`` and their driving keys."""
        self.mask |= mask
        self.guards |= guards
        if None in drivers or self.drivers is None:
            self.drivers = None
        else:
            self.drivers.update(*drivers)  # type: ignore[arg-type]
        self._keys = None
        self._spans.clear()

    def _holds_a_key(self, text: str) -> bool:
        """Whether ``text`` holds any driving key: a substring test per key (shortest, most
        common, first), several times cheaper than searching for an alternation of them."""
        keys = self._keys
        if keys is None:
            keys = self._keys = tuple(sorted(self.drivers or (), key=lambda k: (len(k), k)))
        for key in keys:
            if key in text:
                return True
        return False

    def spans(self, text: str) -> list[Sequence[Span]]:
        """Every member's spans in ``text``, by slot (kept for the last few texts)."""
        found = self._spans.get(text)
        if found is None:
            if _PENDING:
                _index_pending()
            found = self._scan(text)
            if len(self._spans) >= _SPANS_KEPT:
                self._spans.clear()
            self._spans[text] = found
        return found

    def _scan(self, text: str) -> list[Sequence[Span]]:
        windows = _INDEX.cached_windows(text)
        if windows is None:
            # A text no phrase set has read yet (the lower-cased reply, a complaint): for a
            # set read alone, one scan for its keys may spare splitting it into windows.
            if len(self.members) == 1 and self.drivers is not None and not self._holds_a_key(text):
                return self._empty
            windows = _INDEX.windows(text)
        every, windows = windows
        mask = self.mask
        if not every & mask:
            return self._empty  # no alternative is a candidate anywhere
        found: dict[int, set[tuple[int, int, int]]] = {}
        alt_at, regexes = _ALT_AT, _REGEX
        field_mask, field_low, guards = _INDEX.field_mask, _INDEX.field_low, self.guards
        for window_start, window_end, ids in windows:
            # The guards of the members' alternatives whose every key set the sentence holds
            # (KeyIndex.eligible, inlined): the others cannot match there.
            candidates = ((ids & field_mask) + field_low) & guards
            while candidates:
                low = candidates & -candidates
                candidates ^= low
                alt = alt_at[low.bit_length() - 1]
                regex = regexes[alt] or _compile(alt)
                # Most runs find nothing: one search says so without building an iterator.
                first = regex.search(text, window_start, window_end)
                if first is None:
                    continue
                slot, order = _SLOT[alt], _ORDER[alt]
                matches = found.get(slot)
                if matches is None:
                    matches = found[slot] = set()
                _add_matches(regex, text, first, window_end, order, matches, _KEYS[alt])
        result = list(self._empty)
        for slot, matches in found.items():
            if matches:
                result[slot] = _leftmost(matches)
        return result


def _add_matches(regex: re.Pattern[str], text: str, first: re.Match[str], window_end: int, order: int,
                 matches: set[tuple[int, int, int]], keys: tuple[str, ...] | None) -> None:
    """Add ``(start, order, end)`` of each match ``regex.finditer(text, first.start(), window_end)``
    yields that is not empty and starts at a word start.

    After a non-empty match, ``finditer`` goes on exactly as a search from the match's
    end does (look-behinds and ``\\b`` still see the text before it), so matches are
    found by searching on from ``first`` (no re-match of it, no iterator); an empty
    match hands over to ``finditer``, which must then step past it. Every match holds
    one of the alternative's ``keys``: where none occurs after a match, no match does,
    and that search is skipped (most matches are the last in their sentence).
    """
    m: re.Match[str] | None = first
    while m is not None:
        start, end = m.span()
        if end == start:
            for m in regex.finditer(text, start, window_end):
                start, end = m.span()
                if end > start and not (start and text[start].isalnum() and text[start - 1].isalnum()):
                    matches.add((start, order, end))
            return
        if not (start and text[start].isalnum() and text[start - 1].isalnum()):
            matches.add((start, order, end))
        if keys is not None:
            for key in keys:
                if text.find(key, end, window_end) >= 0:
                    break
            else:
                return
        m = regex.search(text, end, window_end)


def _leftmost(found: set[tuple[int, int, int]]) -> list[Span]:
    """Non-overlapping ``(start, end)`` from ``(start, order, end)``: the earliest start wins,
    then the alternative listed first, as with a single alternation regex."""
    if len(found) == 1:
        for start, _, end in found:
            return [(start, end)]
    result = []
    last_end = 0
    for start, _, end in sorted(found):
        if start >= last_end:
            last_end = end
            result.append((start, end))
    return result


_GROUPS: dict[str, _Group] = {}


class Phrases:
    """Alternative patterns, each run only where its anchor occurs; see the module docstring."""

    __slots__ = ("patterns", "branches", "_group", "_slot", "_regex")

    def __init__(self, *patterns: str, group: str = "reply") -> None:
        self.patterns = patterns
        # Each top-level branch is its own alternative, in a fast but equivalent form
        # (:func:`fast_form`): a branch opening with "\\b" makes ``re`` try every position.
        self.branches = [b for p in patterns for b in top_level_branches(p)]
        self._group = _GROUPS.setdefault(group, _Group())
        self._slot = self._group.reserve(self)
        self._regex: re.Pattern[str] | None = None
        # Indexed when a text is first searched: working out the keys (parsing every
        # alternative) was most of the cost of importing the checks, and many imports
        # (``harness plan``, ``harness diff``, ...) never search a reply.
        _PENDING.append(self)

    def _index(self) -> None:
        """Work out each alternative's keys and add it to the index (see the module docstring)."""
        keys = [branch_keys(b) for b in self.branches]
        mask = guards = 0
        for order, (branch, k) in enumerate(zip(self.branches, keys)):
            alt_id = _INDEX.add(k.driver, k.needs_digit)
            # Bits of the other key sets the alternative's sentence must hold, then its guard.
            for words in k.others:
                _INDEX.add_requirement(words)
            guard = _INDEX.close(alt_id)
            _grow(guard)
            _SOURCE[alt_id] = fast_form(branch, k.has_groups)
            _ORDER[alt_id] = order
            _SLOT[alt_id] = self._slot
            _ALT_AT[guard] = alt_id
            mask |= 1 << alt_id
            guards |= 1 << guard
            # Only a few: testing many keys costs more than the search it would spare.
            few = k.driver is not None and len(k.driver) <= _FEW_KEYS
            _KEYS[alt_id] = tuple(sorted(k.driver, key=lambda key: (len(key), key))) if few else None  # type: ignore[arg-type]
        self._group.add(mask, guards, [k.driver for k in keys])

    @property
    def regex(self) -> re.Pattern[str]:
        """All the patterns as one alternation, as written (compiled on first use)."""
        if self._regex is None:
            self._regex = re.compile("|".join(f"(?:{p})" for p in self.patterns))
        return self._regex

    def cached_spans(self, text: str) -> Sequence[Span]:
        """:meth:`spans`, possibly shared with later calls: do not mutate."""
        return self._group.spans(text)[self._slot]

    def spans(self, text: str) -> list[Span]:
        """Non-overlapping ``(start, end)`` of matches in ``text``, left to right.

        Where alternatives overlap, the one starting first wins, then the one
        listed first, as with a single alternation regex. A match does not run
        across a sentence break.
        """
        return list(self._group.spans(text)[self._slot])


_PENDING: list[Phrases] = []
"""Phrase sets made but not yet indexed, in the order they were made."""


_INDEXING = threading.Lock()


def _index_pending() -> None:
    """Index every phrase set not yet indexed (all groups share the index: all at once).

    A set leaves the pending list only once indexed, under a lock: a thread that
    finds the list empty finds the index complete.
    """
    with _INDEXING:
        while _PENDING:
            _PENDING[0]._index()
            _PENDING.pop(0)


def phrases(*patterns: str, group: str = "reply") -> Phrases:
    """The :class:`Phrases` of ``patterns``, searched with the other sets of ``group`` (see the module docstring)."""
    return Phrases(*patterns, group=group)

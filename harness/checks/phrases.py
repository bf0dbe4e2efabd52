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


def _sequence_groups(items: object) -> list[Anchors]:
    """Every set of literal strings of which each match of the parsed ``items`` holds one."""
    groups: list[Anchors] = []
    run = ""
    for op, av in items:  # type: ignore[attr-defined]
        if op is sre.LITERAL:
            run += chr(av)
            continue
        if run:
            groups.append(frozenset([run]))
            run = ""
        if op is sre.SUBPATTERN:
            groups += _sequence_groups(av[-1])  # type: ignore[index]
        elif op is sre.BRANCH:
            anchors = _branch_anchors(av[1])  # type: ignore[index]
            if anchors:
                groups.append(anchors)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:  # type: ignore[index]
            groups += _sequence_groups(av[2])  # type: ignore[index]
    if run:
        groups.append(frozenset([run]))
    return groups


_WORD_PIECE = re.compile(r"[a-z0-9']+")


def required_words(pattern: str) -> list[frozenset[str]]:
    """For each literal every match of ``pattern`` needs (or set of literals it needs one of),
    the word pieces (runs of ``[a-z0-9']``) that stand for them: a match holds one piece of each set.

    Sets whose literals include one with no such piece are left out. A word piece
    of a match lies in one token of the match's sentence (tokens are runs of those
    characters, and a sentence's closing break holds none), so these extra keys
    narrow the candidates exactly as the main key does.
    """
    found = []
    for group in _sequence_groups(sre_parse.parse(pattern)):
        pieces = [_WORD_PIECE.findall(literal) for literal in group]
        if all(pieces):
            found.append(frozenset(max(p, key=lambda piece: (piece not in _WEAK_WORDS, len(piece))) for p in pieces))
    return found


def _is_digit_item(op: object, av: object) -> bool:
    if op is sre.LITERAL:
        return chr(av).isdecimal()  # type: ignore[arg-type]
    if op is sre.IN:
        return all(item == (sre.CATEGORY, sre.CATEGORY_DIGIT)
                   or (item[0] is sre.LITERAL and chr(item[1]).isdecimal())
                   or (item[0] is sre.RANGE and "0" <= chr(item[1][0]) and chr(item[1][1]) <= "9")
                   for item in av)  # type: ignore[attr-defined]
    return False


def _sequence_needs_digit(items: object) -> bool:
    for op, av in items:  # type: ignore[attr-defined]
        if _is_digit_item(op, av):
            return True
        if op is sre.SUBPATTERN and _sequence_needs_digit(av[-1]):  # type: ignore[index]
            return True
        if op is sre.BRANCH and all(_sequence_needs_digit(b) for b in av[1]):  # type: ignore[index]
            return True
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1 and _sequence_needs_digit(av[2]):  # type: ignore[index]
            return True
    return False


def needs_digit(pattern: str) -> bool:
    """True when every match of ``pattern`` holds a decimal digit (``\\d``) among the characters it consumes."""
    return _sequence_needs_digit(sre_parse.parse(pattern))


# "\\b" opening a branch, before a literal character: ``x(?<=\\bx)`` matches exactly
# what ``\\bx`` does, but a branch that opens with a literal lets ``re`` reject it
# with one comparison, and a pattern whose branches all do lets it skip to candidates.
_BRANCH_BOUNDARY = re.compile(r"(\(\?:|(?<!\\)\|)\\b([a-z0-9'])(?![?*+{])")


def fast_form(pattern: str) -> str:
    """``pattern`` without its leading ``\\b``s, with branch-opening ``\\b`` + letter turned
    into letter + look-behind, and an optional group it opens with spelled out
    (:func:`_spell_out_optional`). Matches the same text at the same places; the
    phrase matcher checks the word start itself (see the module docstring)."""
    stripped = _spell_out_optional(_LEADING_BOUNDARY.sub("", pattern))
    return _BRANCH_BOUNDARY.sub(r"\1\2(?<=\\b\2)", stripped)


def _spell_out_optional(pattern: str) -> str:
    """``(?:a|b)?rest`` as ``a rest|b rest|rest``: the same matches, tried in the same order
    (a greedy optional group is tried before skipping it), but each branch now opens
    with a literal ``re`` can test at once, instead of entering a repeat at every position."""
    if not pattern.startswith("(?:") or re.compile(pattern).groups:
        return pattern
    end = _group_end(pattern, 0)
    if pattern[end + 1:end + 2] != "?" or pattern[end + 2:end + 3] in ("?", "+"):
        return pattern
    rest = pattern[end + 2:]
    if len(top_level_branches(rest)) > 1:
        return pattern
    return "|".join([*(branch + rest for branch in top_level_branches(pattern[3:end])), rest])


def _group_end(pattern: str, open_at: int) -> int:
    """The index of the ``)`` closing the group opened at ``pattern[open_at]``."""
    depth, i, in_class = 0, open_at, False
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
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"unbalanced group in {pattern!r}")


_OPENING_LITERAL = re.compile(r"[a-z0-9'](?![?*+{])")


def _word_start_branches(branch: str) -> list[str]:
    """``branch`` as branches that open with a literal character, when it opens with ``\\b``
    before a literal or before a group of branches that all open with one; else itself."""
    if branch.startswith("\\b") and _OPENING_LITERAL.match(branch, 2):
        return [branch[2] + f"(?<=\\b{branch[2]})" + branch[3:]]
    if branch.startswith("\\b(?:"):
        end = _group_end(branch, 2)
        rest = branch[end + 1:]
        inner = top_level_branches(branch[5:end])
        if not rest[:1] in ("?", "*", "+", "{") and all(_OPENING_LITERAL.match(b) for b in inner):
            return [b[0] + f"(?<=\\b{b[0]})" + b[1:] + rest for b in inner]
    return [branch]


WORD_START_FORMS: dict[str, str] = {}
"""Every pattern compiled by :func:`compile_word_starts`, by its written form (the tests compare them)."""


def compile_word_starts(pattern: str, flags: int = 0, *, record: bool = True) -> re.Pattern[str]:
    """``pattern`` compiled in a form that matches exactly the same, but faster.

    A top-level branch opening with ``\\b`` before a letter, or before a group of
    branches that all open with a letter, is rewritten letter + look-behind,
    distributing the group (``\\b(?:no|not)\\b`` becomes ``n(?<=\\bn)o\\b|n(?<=\\bn)ot\\b``);
    so is ``\\b`` + letter opening a branch inside a group.
    When every branch then opens with a literal, ``re`` skips from one candidate
    character to the next instead of trying each position. Patterns with
    capturing groups are compiled as written (distributing would renumber them).
    ``record=False`` keeps per-case patterns out of :data:`WORD_START_FORMS`.
    """
    if re.compile(pattern, flags).groups:
        return re.compile(pattern, flags)
    fast = "|".join(b for branch in top_level_branches(pattern) for b in _word_start_branches(branch))
    fast = _BRANCH_BOUNDARY.sub(r"\1\2(?<=\\b\2)", fast)  # and inside groups, as in fast_form
    if record:
        WORD_START_FORMS[pattern] = fast
    return re.compile(fast, flags)


# Words (with their apostrophes) and runs of other non-space characters.
_TOKEN = re.compile(r"[a-z0-9']+|[^a-z0-9'\s]+")
# Where sentences break (as in :mod:`harness.checks.text`): phrases are looked for
# one sentence at a time.
# Spelled ``(?<=[.!?…])["')\]]*\s+|\n+``. Opening with the one character every
# break starts with (the stop, consumed, or the first newline) lets ``re`` jump
# from candidate to candidate instead of trying every position (see :func:`breaks`).
_BREAK = re.compile(r"[.!?\u2026\n](?:(?<=[.!?\u2026])[\"')\]]*\s+|(?<=\n)\n*)")


@lru_cache(maxsize=4096)
def breaks(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence break in ``text``: whitespace after a stop, or newlines.

    A break after a stop starts just after the stop. Shared by the sentence
    split of :mod:`harness.checks.text` and the phrase index. Do not mutate.
    """
    return [m.span() if text[m.start()] == "\n" else (m.start() + 1, m.end()) for m in _BREAK.finditer(text)]


_MEMO_LIMIT = 100_000
_WINDOWS_KEPT = 4096
_DIGIT = re.compile(r"\d")
_HAS_DIGIT = 1
Windows = tuple[int, tuple[tuple[int, int, int], ...]]


def _key(anchor: str) -> str | None:
    """The most selective space-free piece of ``anchor``: every text holding the anchor has a token holding it."""
    pieces = _SPACE.split(anchor.strip())
    return max(pieces, key=lambda piece: (piece not in _WEAK_WORDS, len(piece))) or None


class _KeyIndex:
    """Which alternatives of which :class:`Phrases` may match where in a text.

    Each alternative is keyed by a space-free piece of each of its anchors
    (:func:`_key`); it may match in a sentence only if one of its keys occurs
    inside one of the sentence's tokens. Which alternatives a token holds the
    key of is memoised per distinct token (and per whitespace-free chunk of
    tokens), so a reply costs one split and a dict hit per chunk once the
    common words are known. Sets of alternatives are bit masks: bit ``i`` is
    alternative ``i``, and bit 0 says the chunk or sentence holds a digit.
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


_INDEX = _KeyIndex()


def main_keys(pattern: str) -> frozenset[str] | None:
    """The keys of ``pattern``'s anchors (:func:`_key`); None when it has none, or one is empty."""
    anchors = anchors_of(pattern)
    keys = None if anchors is None else {_key(a) for a in anchors}
    return None if keys is None or None in keys else frozenset(keys)  # type: ignore[arg-type]


def _selectivity(keys: frozenset[str]) -> tuple[int, int]:
    return min(0 if key in _WEAK_WORDS else len(key) for key in keys), -len(keys)


def _key_sets(pattern: str) -> tuple[frozenset[str] | None, list[frozenset[str]]]:
    """The key set that selects ``pattern``'s candidate sentences, and the others they must also hold.

    An alternative may match in a sentence whose tokens hold one of its main keys
    (:func:`main_keys`) and a word piece of every literal it needs
    (:func:`required_words`); the most selective of these sets drives the index.
    """
    main = main_keys(pattern)
    sets = ([main] if main is not None else []) + required_words(pattern)
    if not sets:
        return None, []
    driver = max(sets, key=_selectivity)
    sets.remove(driver)
    return driver, sets


class Phrases:
    """Alternative patterns, each run only where its anchor occurs; see the module docstring."""

    __slots__ = ("regex", "branches", "alternatives", "_base", "_mask", "_regexes", "_requires", "_any_key")

    def __init__(self, *patterns: str) -> None:
        self.regex = re.compile("|".join(f"(?:{p})" for p in patterns))
        # Each top-level branch is its own alternative, in a fast but equivalent form
        # (:func:`fast_form`): a branch opening with "\\b" makes ``re`` try every position.
        self.branches = branches = [b for p in patterns for b in top_level_branches(p)]
        key_sets = [_key_sets(b) for b in branches]
        self.alternatives = [(re.compile(fast_form(b)), _INDEX.add(driver, needs_digit(b)))
                             for b, (driver, _) in zip(branches, key_sets)]
        # The ids of one Phrases are consecutive: bit ``order`` of ``ids >> _base`` is alternative ``order``.
        self._base = self.alternatives[0][1]
        self._mask = (1 << len(self.alternatives)) - 1
        self._regexes = [regex for regex, _ in self.alternatives]
        # Bits of the other key sets each alternative's sentence must hold (allocated after the alternatives).
        self._requires = [sum(_INDEX.add_requirement(words) for words in others) for _, others in key_sets]
        # Finds any driving key in a text: without one, no alternative is a candidate anywhere in it.
        drivers = [driver for driver, _ in key_sets]
        self._any_key = (None if None in drivers
                         else re.compile("|".join(re.escape(k) for k in sorted(set().union(*drivers)))))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Non-overlapping ``(start, end)`` of matches in ``text``, left to right.

        Where alternatives overlap, the one starting first wins, then the one
        listed first, as with a single alternation regex. A match does not run
        across a sentence break.
        """
        base, mask, regexes, requires = self._base, self._mask, self._regexes, self._requires
        windows = _INDEX.cached_windows(text)
        if windows is None:
            # A text no other phrase set has read yet (the lower-cased reply, a complaint):
            # one scan for the keys may spare splitting it into windows.
            if self._any_key is not None and self._any_key.search(text) is None:
                return []
            windows = _INDEX.windows(text)
        every, windows = windows
        if not (every >> base) & mask:
            return []  # no alternative is a candidate anywhere
        found = set()
        for window_start, window_end, ids in windows:
            candidates = (ids >> base) & mask
            while candidates:
                low = candidates & -candidates
                candidates ^= low
                order = low.bit_length() - 1
                needed = requires[order]
                if ids & needed != needed:
                    continue  # a literal every match needs is missing from the sentence
                regex = regexes[order]
                # Most runs find nothing: one search says so without building an iterator.
                first = regex.search(text, window_start, window_end)
                if first is None:
                    continue
                for m in regex.finditer(text, first.start(), window_end):
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

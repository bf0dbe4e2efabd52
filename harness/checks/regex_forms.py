"""Equivalent, faster spellings of regex patterns, and patterns compiled on first use.

Python's ``re`` tries a pattern that opens with ``\\b`` at every position of a
text; one that opens with a literal character it tests with one comparison
and, when every branch does, skips from one candidate character to the next.
:func:`fast_form` and :func:`compile_word_starts` rewrite patterns into such
forms without changing what they match (the tests compare them on fuzzed text).

Compiling the check set's ~300 patterns cost a sizeable share of importing the
checks, at every ``harness run`` start, and a run uses only the patterns whose
words occur in its replies; :class:`LazyPattern` compiles a pattern the first
time one of its methods is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_LEADING_BOUNDARY = re.compile(r"^(?:\\b)+")
# "\\b" opening a branch, before a literal character: ``x(?<=\\bx)`` matches exactly
# what ``\\bx`` does, but a branch that opens with a literal lets ``re`` reject it
# with one comparison, and a pattern whose branches all do lets it skip to candidates.
_BRANCH_BOUNDARY = re.compile(r"(\(\?:|(?<!\\)\|)\\b([a-z0-9'])(?![?*+{])")
_OPENING_LITERAL = re.compile(r"[a-z0-9'](?![?*+{])")


class LazyPattern:
    """A compiled regex made the first time it is used; then as fast as the compiled one.

    Its methods (``search``, ``finditer``, ...) are the compiled pattern's own bound
    methods, stored on first use; any other attribute (``pattern``, ``groups``) is
    read from the compiled pattern.
    """

    __slots__ = ("source", "flags", "search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split",
                 "_compiled")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.source = source
        self.flags = flags

    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern (compiling it now if not yet done)."""
        try:
            return self._compiled
        except AttributeError:
            pass
        compiled = self._compiled = re.compile(self.source, self.flags)
        self.search, self.match, self.fullmatch = compiled.search, compiled.match, compiled.fullmatch
        self.finditer, self.findall = compiled.finditer, compiled.findall
        self.sub, self.subn, self.split = compiled.sub, compiled.subn, compiled.split
        return compiled

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not set yet: a method before the first compile, or the
        # compiled pattern's own attributes.
        if name == "_compiled" or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f"LazyPattern({self.source!r}, {self.flags})"


def _structural(pattern: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """``(index, char)`` of each character of ``pattern`` from ``start`` that is syntax: not escaped
    and not inside a character class (whose own ``[``/``]`` are skipped too; a ``]`` right after
    ``[`` or ``[^`` is literal)."""
    i, n = start, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i += 1
            if pattern[i:i + 1] == "^":
                i += 1
            if pattern[i:i + 1] == "]":
                i += 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
            i += 1
            continue
        yield i, ch
        i += 1


def has_capturing_groups(pattern: str) -> bool:
    """True when ``pattern`` holds a capturing group: an unescaped ``(`` outside a character
    class, not opening ``(?`` (except named ``(?P<``). Tested against ``re.compile(...).groups``."""
    return any(ch == "(" and (pattern[i + 1:i + 2] != "?" or pattern[i + 2:i + 4] == "P<")
               for i, ch in _structural(pattern))


def top_level_branches(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|`` (not inside groups or character classes)."""
    branches, depth, start = [], 0, 0
    for i, ch in _structural(pattern):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
    branches.append(pattern[start:])
    return branches


def _group_end(pattern: str, open_at: int) -> int:
    """The index of the ``)`` closing the group opened at ``pattern[open_at]``."""
    depth = 0
    for i, ch in _structural(pattern, open_at):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced group in {pattern!r}")


def fast_form(pattern: str, has_groups: bool | None = None) -> str:
    """``pattern`` without its leading ``\\b``s, with branch-opening ``\\b`` + letter turned
    into letter + look-behind, and an optional group it opens with spelled out
    (:func:`_spell_out_optional`). Matches the same text at the same places; the
    phrase matcher checks the word start itself (see :mod:`harness.checks.phrases`).
    ``has_groups``: whether ``pattern`` has capturing groups, if the caller knows."""
    stripped = _spell_out_optional(_LEADING_BOUNDARY.sub("", pattern), has_groups)
    return _lift_leading_assertions(_unroll_leading_repeat(_BRANCH_BOUNDARY.sub(r"\1\2(?<=\\b\2)", stripped)))


# A one-character item (escape class, character class or plain character) repeated greedily
# at least once at the very start: ``\d{1,2}``, ``\d+``, ``[\w.+-]+``.
_LEADING_REPEAT = re.compile(r"(\\[dwsDWS]|\[(?:\\.|[^\]\\\[])+\]|[a-z0-9])(?:\{(\d+)(,?)(\d*)\}|(\+))(?![?+])")


def _unroll_leading_repeat(pattern: str) -> str:
    """``X{m,n}rest`` as ``XX{m-1,n-1}rest`` and ``X+rest`` as ``XX*rest`` when ``pattern`` (one
    branch) opens so, with ``m >= 1``: the same matches, the counts tried in the same order
    (most first), but the pattern now opens with ``X`` itself, and ``re`` skips to where ``X``
    matches instead of entering a repeat at every position."""
    m = _LEADING_REPEAT.match(pattern)
    if m is None or len(top_level_branches(pattern)) > 1:
        return pattern
    item, low, comma, high, plus = m.groups()
    rest = pattern[m.end():]
    if plus:
        return f"{item}{item}*{rest}"
    if int(low) < 1:
        return pattern
    if not comma:  # X{m}: exactly m
        count = f"{{{int(low) - 1}}}"
    elif not high:  # X{m,}: m or more
        count = f"{{{int(low) - 1},}}"
    else:
        count = f"{{{int(low) - 1},{int(high) - 1}}}"
    return f"{item}{item}{count}{rest}"


_PLAIN_WORD = re.compile(r"[a-z0-9' ]+")


def _lift_leading_assertions(pattern: str) -> str:
    """``(?:^|(?<=X)|...)(?:word|...)rest`` as ``(?:w(?:(?<=^w)|(?<=Xw)|...)ord|...)rest``.

    The written form opens with a group of zero-width conditions on the position
    (``^``, look-behinds), which ``re`` must try at every position; the lifted form
    opens each word with its first letter and checks the same conditions just
    after it (one character further back), so ``re`` skips to candidate letters.
    The conditions hold or fail alike for every word, so the first word that
    matches where one holds is the same match.
    """
    if not pattern.startswith("(?:"):
        return pattern
    end = _group_end(pattern, 0)
    conditions = top_level_branches(pattern[3:end])
    if not all(c == "^" or (c.startswith("(?<=") and _group_end(c, 0) == len(c) - 1) for c in conditions):
        return pattern
    if not pattern.startswith("(?:", end + 1):
        return pattern
    words_end = _group_end(pattern, end + 1)
    words = top_level_branches(pattern[end + 4:words_end])
    rest = pattern[words_end + 1:]
    if rest[:1] in ("?", "*", "+", "{") or not all(_PLAIN_WORD.fullmatch(w) for w in words):
        return pattern
    lifted = []
    for word in words:
        behind = "|".join(f"(?<=^{word[0]})" if c == "^" else f"{c[:-1]}{word[0]})" for c in conditions)
        lifted.append(f"{word[0]}(?:{behind}){word[1:]}")
    return "(?:" + "|".join(lifted) + ")" + rest


def _spell_out_optional(pattern: str, has_groups: bool | None = None) -> str:
    """``(?:a|b)?rest`` as ``a rest|b rest|rest``: the same matches, tried in the same order
    (a greedy optional group is tried before skipping it), but each branch now opens
    with a literal ``re`` can test at once, instead of entering a repeat at every position."""
    if not pattern.startswith("(?:"):
        return pattern
    if has_groups if has_groups is not None else has_capturing_groups(pattern):
        return pattern
    end = _group_end(pattern, 0)
    if pattern[end + 1:end + 2] != "?" or pattern[end + 2:end + 3] in ("?", "+"):
        return pattern
    rest = pattern[end + 2:]
    if len(top_level_branches(rest)) > 1:
        return pattern
    return "|".join([*(branch + rest for branch in top_level_branches(pattern[3:end])), rest])


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
"""Every pattern rewritten by :func:`compile_word_starts`, by its written form (the tests compare them)."""


def word_start_form(pattern: str) -> str:
    """The form :func:`compile_word_starts` compiles a ``pattern`` without capturing groups in."""
    fast = "|".join(b for branch in top_level_branches(pattern) for b in _word_start_branches(branch))
    return _BRANCH_BOUNDARY.sub(r"\1\2(?<=\\b\2)", fast)  # and inside groups, as in fast_form


def compile_word_starts(pattern: str, flags: int = 0, *, record: bool = True) -> LazyPattern:
    """``pattern`` in a form that matches exactly the same, but faster, compiled on first use.

    A top-level branch opening with ``\\b`` before a letter, or before a group of
    branches that all open with a letter, is rewritten letter + look-behind,
    distributing the group (``\\b(?:no|not)\\b`` becomes ``n(?<=\\bn)o\\b|n(?<=\\bn)ot\\b``);
    so is ``\\b`` + letter opening a branch inside a group.
    When every branch then opens with a literal, ``re`` skips from one candidate
    character to the next instead of trying each position. Patterns with
    capturing groups are compiled as written (distributing would renumber them).
    ``record=False`` keeps per-case patterns out of :data:`WORD_START_FORMS`.
    """
    if has_capturing_groups(pattern):
        return LazyPattern(pattern, flags)
    fast = word_start_form(pattern)
    if record:
        WORD_START_FORMS[pattern] = fast
    return LazyPattern(fast, flags)

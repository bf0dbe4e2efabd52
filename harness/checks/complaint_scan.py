"""Faster spellings of the acknowledgement check's complaint patterns: the same matches, found with less scanning.

Every case's complaint is read once, and a run has thousands of distinct cases, so what reading one costs is
paid per reply. ``re`` tries a pattern that opens with ``\\b`` at every position of a text; one whose branches
all open with a literal character it skips from one candidate character to the next. And a text that holds
none of the literals every match of a pattern holds has no match at all. The finders here use both;
tests/checks/test_complaint_specifics.py holds each to the pattern it replaces.
"""

from __future__ import annotations

import re

from harness.checks.regex_forms import LazyPattern

_MONTHS = "jan feb mar apr may jun jul aug sep sept oct nov dec".split()
_DAYS = "mon tues wednes thurs fri satur sun".split()
_FULL_MONTHS = r"(?:january|february|march|april|june|july|august|september|october|november|december)"
_DIGITS = "0123456789"


def _at_word_start(word: str, rest: str) -> str:
    """``\\b{word}{rest}`` opening on the literal first character: ``w(?<=\\bw)ord...``."""
    return f"{word[0]}(?<=\\b{word[0]}){word[1:]}{rest}"


# acknowledgement._DATE's six branches, in its order, each split into one branch per opening character
# (``\d{1,2}`` is ``D\d?`` for each ASCII digit D: the same counts, tried in the same order).
_DATE_SLASHED = [_at_word_start(d, r"\d?/\d{1,2}(?:/\d{2,4})?") for d in _DIGITS]
_DATE_MONTH_DAY = [_at_word_start(m, r"[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?") for m in _MONTHS]
_DATE_DAY_MONTH = [_at_word_start(d, r"\d?(?:st|nd|rd|th)?\s+(?:of\s+)?" + _FULL_MONTHS) for d in _DIGITS]
_DATE_WEEKDAY = [_at_word_start(d, "day") for d in _DAYS] + [_at_word_start("yesterday", "")]
_DATE_LAST_WEEK = [_at_word_start("last week", "")]
# Every match of the month branches holds one of these (the full names hold their abbreviation).
_MONTH_HINT = re.compile("jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec")
# A decimal digit other than 0-9 (``\d`` matches those too; the spelled-out digits do not).
_OTHER_DIGIT = re.compile(r"[^\x00-\x7f](?<=\d)")


def _grouped(branches: list[str]) -> str:
    """``branches`` (each ``c(?<=\\bc)rest``) with those opening on the same character merged into
    ``c(?<=\\bc)(?:rest|rest...)`` in their order: the same matches, one test per opening character."""
    by_char: dict[str, list[str]] = {}
    for branch in branches:
        by_char.setdefault(branch[0], []).append(branch[len("c(?<=\\bc)"):])
    return "|".join(f"{c}(?<=\\b{c})(?:{'|'.join(rests)})" for c, rests in by_char.items())


# The whole pattern, compiled on first use (one pattern: compiling one per set of literals present cost
# more, over a run's first few thousand cases, than it spared).
_DATE_FAST = LazyPattern("(?:" + _grouped(_DATE_SLASHED + _DATE_MONTH_DAY + _DATE_DAY_MONTH + _DATE_WEEKDAY
                                           + _DATE_LAST_WEEK) + r")\b")


def date_matches(lowered: str) -> list[re.Match[str]] | None:
    """``_DATE_LOWER.finditer(lowered)`` (the date pattern, case-sensitive, on a lower-cased text), or None
    when ``lowered`` holds a decimal digit other than 0-9, which only the written pattern reads. Every
    match holds "/", a month's abbreviation, "day" or "last week": a text with none has no date."""
    if not lowered.isascii() and _OTHER_DIGIT.search(lowered):
        return None
    if "/" in lowered or "day" in lowered or "last week" in lowered or _MONTH_HINT.search(lowered):
        return list(_DATE_FAST.finditer(lowered))
    return []


# acknowledgement._UNIT (``\b(minute|hour|day|week|month|year)s?\b``) with each word opening on its letter.
UNIT = re.compile(r"(m(?<=\bm)inute|h(?<=\bh)our|d(?<=\bd)ay|w(?<=\bw)eek|m(?<=\bm)onth|y(?<=\by)ear)s?\b")


def id_stretches(text: str, id_run: re.Pattern[str], is_id_char: frozenset[str]) -> list[tuple[int, int]]:
    """The stretches of ID characters around the digits of ``text``, left to right: from each digit not in
    a stretch already found, back over ``is_id_char`` (not into that stretch) and on over ``id_run`` (the
    same characters, as ``[...]*``). Each digit is found by a search from the last stretch's end, in C,
    rather than by visiting every digit; the stretches are the same."""
    stretches: list[tuple[int, int]] = []
    done = 0
    digit = _DIGIT.search(text)
    while digit is not None:
        start = digit.start()
        while start > done and text[start - 1] in is_id_char:
            start -= 1
        done = id_run.match(text, digit.end()).end()  # type: ignore[union-attr]  # ``[...]*`` always matches
        stretches.append((start, done))
        digit = _DIGIT.search(text, done)
    return stretches


_DIGIT = re.compile(r"\d")


_CAMEL = re.compile(r"[A-Z](?<=[a-z][A-Z])")  # a lower-case letter, then a capital: opens on the rarer capital


def name_matches(text: str, others: re.Pattern[str], camel: re.Pattern[str]) -> list[re.Match[str]]:
    """``finditer`` of the alternation of ``others`` (branches opening on A-Z) and ``camel`` (a branch that
    opens on an a-z letter at a word start and runs on over a-z to a capital: acknowledgement's names).

    The camel branch opens on a lower-case letter, so a scan that tries it visits most of the text. But it
    matches only at the start of a run of a-z that a capital ends ("iPhone": the "i"): those few places are
    found from the capitals, and it is tried only there. At any place only it or only the others can match
    (a-z or A-Z), so taking, from each match's end, whichever match comes first gives the alternation's own.
    """
    starts = camel_starts(text)
    if not starts:
        return list(others.finditer(text))
    found: list[re.Match[str]] = []
    pos = 0
    while True:
        other = others.search(text, pos)
        at_camel = None
        for start in starts:
            if other is not None and start > other.start():
                break
            if start >= pos:
                at_camel = camel.match(text, start)
                if at_camel is not None:
                    break
        m = at_camel or other
        if m is None:
            return found
        found.append(m)
        pos = m.end()


def camel_starts(text: str) -> list[int]:
    """Where a run of a-z ending right before a capital starts, left to right."""
    starts = []
    for capital in _CAMEL.finditer(text):
        start = capital.start() - 1
        while start and "a" <= text[start - 1] <= "z":
            start -= 1
        starts.append(start)
    return starts

"""Reading a reply once, for every check: normalised text, sentences, quotes, negation.

:func:`analyze` turns a reply into a :class:`ReplyText`. Its ``lower`` and
``norm`` strings have exactly the length of the original reply, so any offset
found in them indexes the original too: ``reply[start:end]`` is the evidence.

* ``lower``: lower-cased, curly quotes and apostrophes made straight.
* ``norm``: ``lower`` with @handles, URLs and signatures ("^JD") blanked out,
  so that a handle like ``@YouMustSee`` or a URL path never matches a phrase.
  Both are made by :mod:`harness.checks.normalize`.

A phrase found inside a quotation (the agent repeating the customer's words)
or after a negation in the same clause ("I would never say you are wrong")
does not count as the agent saying it; :meth:`ReplyText.find` filters both.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import Sequence

from harness.checks.normalize import Range, masked_forms, match_ranges
from harness.checks.phrase_index import breaks
from harness.checks.phrases import Phrases, phrases  # noqa: F401  (the checks import phrases from here)
from harness.checks.regex_forms import LazyPattern, compile_word_starts  # noqa: F401  (compile_word_starts too)

_DOUBLE_QUOTE = re.compile(r'"[^"\n]{1,400}"')
# A single-quoted passage opens after a non-word character and closes before
# one, so apostrophes inside words ("don't", "customers'") never open a quote.
_SINGLE_QUOTE = re.compile(r"'(?<![\w']')(?=\w)(?:[^'\n]|'(?=\w)){1,300}'(?!\w)")

_CLAUSE_BREAK = compile_word_starts(r"[,;:(\u2013\u2014]|\s-\s|\b(?:but|however|although|though|yet|whereas|unless)\b")
# The same without the branches that cannot match in a text lacking a "-" or every break word:
# no match interacts with another (each branch opens on a character no other opens on), so
# dropping a branch that matches nowhere changes no match, and the punctuation alone is
# found by a scan that skips from one punctuation mark to the next.
_BREAK_WORDS = ("but", "however", "though", "yet", "whereas", "unless")  # "though" is in "although"
_CLAUSE_BREAKS = {
    (True, True): _CLAUSE_BREAK,
    (True, False): compile_word_starts(r"[,;:(\u2013\u2014]|\b(?:but|however|although|though|yet|whereas|unless)\b"),
    (False, True): compile_word_starts(r"[,;:(\u2013\u2014]|\s-\s"),
    (False, False): compile_word_starts(r"[,;:(\u2013\u2014]"),
}
# A negation or a refusal to assert, governing what follows it in the clause. "Unable" is one
# ("we are unable to refund you" offers no refund); "not able to" is read by "not".
_NEGATION_WORDS = ("not", "never", "no", "nobody", "none", "nothing", "neither", "nor", "without", "hardly", "wouldn't",
                   "won't", "don't", "didn't", "doesn't", "isn't", "aren't", "wasn't", "can't", "cannot", "couldn't",
                   "shouldn't", "dont", "cant", "wont", "didnt", "isnt", "unable")
_NEGATION = compile_word_starts(r"\b(?:" + "|".join(_NEGATION_WORDS) + r")\b|n't\b")
_NEGATION_WINDOW = 48


@lru_cache(maxsize=1024)  # keyed by the negation words a reply holds: few distinct sets
def _negation_of(words: tuple[str, ...], contraction: bool) -> LazyPattern:
    """:data:`_NEGATION` with only the branches of ``words`` (and ``n't`` if ``contraction``), in its order."""
    branches = ([r"\b(?:" + "|".join(words) + r")\b"] if words else []) + ([r"n't\b"] if contraction else [])
    return compile_word_starts("|".join(branches) or r"(?!)", record=False)


def negation_for(norm: str) -> LazyPattern:
    """:data:`_NEGATION` less the branches whose word ``norm`` does not hold: a branch that matches
    nowhere changes no match, and a pattern opening on fewer letters is a faster scan."""
    return _negation_of(tuple(word for word in _NEGATION_WORDS if word in norm), "n't" in norm)


# Every match of _NEGATION holds one of these: a sentence part without any has no negation ("nab" is
# of "unable"). Factored on "n": one test per character that opens no branch.
_NEGATION_HINT = re.compile(r"n(?:o|t|'t|ab|ever|either)|without|hardly")
_WORD_CHAR = re.compile(r"\w").match  # a character ``\b`` counts as part of a word
_CLAUSE_END = re.compile(r"[,;:!?\n]|\.(?!\d)")


class ReplyText:
    """One reply, read once. Build it with :func:`analyze`, which caches."""

    __slots__ = ("original", "lower", "norm", "urls", "quotes", "memo", "_sentences", "_starts", "_clause_ends",
                 "_clause_starts", "_negations", "_clause_break", "_negation")

    def __init__(self, original: str) -> None:
        self.original = original
        self.lower, self.urls, self.norm = masked_forms(original)
        norm = self.norm
        self.quotes = ((match_ranges(_DOUBLE_QUOTE, norm) if '"' in norm else [])
                       + (match_ranges(_SINGLE_QUOTE, norm) if "'" in norm else []))
        self._sentences: list[Range] | None = None
        self._starts: list[int] = []
        self._clause_ends: dict[Range, list[int]] = {}
        self._clause_starts: dict[Range, list[int]] = {}
        self._negations: tuple[list[int], list[int]] | None = None
        self._clause_break: LazyPattern | None = None
        self._negation: LazyPattern | None = None
        # Results several checks need (e.g. promises), computed once per reply and case.
        self.memo: dict[object, object] = {}

    @property
    def sentences(self) -> list[Range]:
        """Non-blank sentences of ``norm`` as ranges, in order."""
        if self._sentences is None:
            self._sentences = _split(self.norm, breaks(self.norm))
            self._starts = [start for start, _ in self._sentences]
        return self._sentences

    def sentence_at(self, pos: int) -> Range:
        """The sentence containing ``pos`` (the whole text if none does)."""
        sentences = self.sentences  # sorted and disjoint: the last one starting at or before pos
        i = bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < sentences[i][1]:
            return sentences[i]
        return 0, len(self.norm)

    def clause_start(self, pos: int) -> int:
        """Where the clause containing ``pos`` starts (after a comma, "but", ...).

        That is the end of the last clause break found scanning the sentence up to
        ``pos``. The breaks of each sentence are found once: scanning up to ``pos``
        finds those of the whole sentence that end by ``pos`` (no break holds
        another's start, none is a prefix of another, and the sentence is
        followed by no word character), except that a break word ending at ``pos``
        inside a longer word ("but" of "butter") counts only when the scan stops
        there; such a ``pos`` is scanned as written.
        """
        sentence = self.sentence_at(pos)
        norm = self.norm
        if 0 < pos < len(norm) and norm[pos - 1].isalpha() and _WORD_CHAR(norm[pos]):
            start = sentence[0]
            for m in self.clause_break().finditer(norm, sentence[0], pos):
                start = m.end()
            return start
        ends = self._clause_ends.get(sentence)
        if ends is None:
            ends = self._breaks_of(sentence)
        i = bisect_right(ends, pos)
        return ends[i - 1] if i else sentence[0]

    def clause_at(self, start: int, end: int) -> Range:
        """The clause around ``norm[start:end]``: between commas, "but", sentence ends.

        The clause ends where the first clause break at or after ``end`` in the
        sentence starts: the first of the sentence's breaks (:meth:`clause_start`)
        starting there, unless one of them runs across ``end`` (a search from
        ``end`` could then find a break inside it) or ``end`` lies past the
        sentence; those are searched as written.
        """
        sentence = self.sentence_at(start)
        sent_end = sentence[1]
        if end <= sent_end:
            ends = self._clause_ends.get(sentence)
            if ends is None:
                ends = self._breaks_of(sentence)
            starts = self._clause_starts[sentence]
            i = bisect_left(starts, end)
            if not i or ends[i - 1] <= end:
                return _trim(self.norm, (self.clause_start(start), starts[i] if i < len(starts) else sent_end))
        m = self.clause_break().search(self.norm, end, max(end, sent_end))
        return _trim(self.norm, (self.clause_start(start), m.start() if m else max(end, sent_end)))

    def clause_break(self) -> LazyPattern:
        """:data:`_CLAUSE_BREAK`, less the branches that match nowhere in ``norm`` (same matches)."""
        if self._clause_break is None:
            norm = self.norm
            words = any(word in norm for word in _BREAK_WORDS)
            self._clause_break = _CLAUSE_BREAKS[words, "-" in norm]
        return self._clause_break

    def negation(self) -> LazyPattern:
        """:data:`_NEGATION` less the branches that match nowhere in ``norm`` (:func:`negation_for`)."""
        if self._negation is None:
            self._negation = negation_for(self.norm)
        return self._negation

    def _breaks_of(self, sentence: Range) -> list[int]:
        """The ends of the clause breaks in ``sentence`` (their starts go to ``_clause_starts``)."""
        spans = [m.span() for m in self.clause_break().finditer(self.norm, *sentence)]
        self._clause_starts[sentence] = [s for s, _ in spans]
        ends = self._clause_ends[sentence] = [e for _, e in spans]
        return ends

    def is_quoted(self, pos: int) -> bool:
        """True when ``pos`` lies inside a quotation."""
        for start, end in self.quotes:
            if start < pos < end:
                return True
        return False

    def is_negated(self, pos: int) -> bool:
        """True when a negation precedes ``pos`` in the same clause, nearby.

        A negation inside a quotation that ``pos`` is not in governs nothing
        outside it: in 'being told "that's not true" is awful' the "not" does
        not negate "is awful".
        """
        norm = self.norm
        if self.quotes or (0 < pos < len(norm) and norm[pos - 1].isalpha() and _WORD_CHAR(norm[pos])):
            # What is searched below starts at or after pos - _NEGATION_WINDOW: if nothing
            # negation-like lies between there and pos, no negation does.
            if _NEGATION_HINT.search(norm, max(0, pos - _NEGATION_WINDOW), pos) is None:
                return False
            start = max(self.clause_start(pos), pos - _NEGATION_WINDOW)
            for m in self.negation().finditer(norm, start, pos):
                if not self.quotes or self._same_quoting(m.start(), pos):
                    return True
            return False
        # Without quotations only whether a negation lies in the window matters: one that
        # ends by pos, found among every place a negation matches in the whole text (the
        # scan up to pos sees the same ones, pos being followed by no word character
        # unless it ends no word).
        starts, ends = self._negations or self._find_negations()
        lo = max(pos - _NEGATION_WINDOW, 0)
        i = bisect_left(starts, lo)
        if i == len(starts) or starts[i] >= pos:
            return False
        start = max(self.clause_start(pos), lo)
        for i in range(bisect_left(starts, start, i), len(starts)):
            if starts[i] >= pos:
                return False
            if ends[i] <= pos:
                return True
        return False

    def _find_negations(self) -> tuple[list[int], list[int]]:
        """Every position where :data:`_NEGATION` matches in ``norm``, and each match's end.

        A left-to-right scan finds all but one kind: "n't" inside a negation word the
        scan took whole ("don't"), which ends where that word does. (At most one
        alternative matches at any position: each is a whole word, or "n't".)
        """
        norm = self.norm
        found = [m.span() for m in self.negation().finditer(norm)]
        if "n't" in norm:
            taken = {start for start, _ in found}
            at = norm.find("n't")
            while at >= 0:
                end = at + 3
                if at not in taken and not (end < len(norm) and _WORD_CHAR(norm[end])):
                    found.append((at, end))
                at = norm.find("n't", at + 1)
            found.sort()
        self._negations = ([start for start, _ in found], [end for _, end in found])
        return self._negations

    def _same_quoting(self, a: int, b: int) -> bool:
        return all((s < a < e) == (s < b < e) for s, e in self.quotes)

    def find(self, pattern: Phrases | re.Pattern[str] | LazyPattern, *, quoted: bool = False, negated: bool = False) -> list[Range]:
        """Ranges of ``norm`` matching ``pattern`` that the agent actually asserts.

        Matches starting inside a word are dropped; so are matches inside
        quotations unless ``quoted``, and matches after a negation in their
        clause unless ``negated``.
        """
        norm = self.norm
        if isinstance(pattern, Phrases):
            spans: Sequence[Range] = pattern.cached_spans(norm)  # shared, not copied
            checked = True  # none empty, each at a word start (Phrases.spans)
        elif hasattr(pattern, "finditer"):  # a compiled pattern (or a LazyPattern)
            spans, checked = [m.span() for m in pattern.finditer(norm)], False
        else:  # any matcher with a spans method
            spans, checked = pattern.spans(norm), False
        if not spans:
            return []
        quoted = quoted or not self.quotes
        if checked and quoted and negated:
            return list(spans)
        found = []
        for start, end in spans:
            if not checked and (start == end or (start and norm[start].isalnum() and norm[start - 1].isalnum())):
                continue  # empty, or starts inside a word
            if not quoted and self.is_quoted(start):
                continue
            if not negated and self.is_negated(start):
                continue
            found.append((start, end))
        return found

    def text(self, span: Range) -> str:
        """The original text of ``span``."""
        return self.original[span[0]:span[1]]


def _split(text: str, bounds: list[Range]) -> list[Range]:
    ranges, start = [], 0
    for break_start, break_end in bounds:
        ranges.append((start, break_start))
        start = break_end
    ranges.append((start, len(text)))
    found = []
    for start, end in ranges:
        piece = text[start:end]
        kept = piece.strip()  # strip() drops exactly what _trim's isspace() loops do
        if kept:
            start += len(piece) - len(piece.lstrip())
            found.append((start, start + len(kept)))
    return found


def _trim(text: str, span: Range) -> Range:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# Small on purpose: the checks of one reply run one after another (harness.runner.evaluate), and
# evicting long-cold entries of a large cache cost ~10% of the check set's time (cache misses).
@lru_cache(maxsize=64)
def analyze(reply: str) -> ReplyText:
    """The :class:`ReplyText` of ``reply``; checks of one reply share one analysis."""
    return ReplyText(reply or "")


def widen(rt: ReplyText, span: Range, limit: int = 160) -> Range:
    """``span`` extended to the end of its clause (at most ``limit`` characters)."""
    _, sent_end = rt.sentence_at(span[0])
    end = min(sent_end, span[0] + limit)
    m = _CLAUSE_END.search(rt.norm, span[1], end)
    return span[0], (m.start() if m else end)

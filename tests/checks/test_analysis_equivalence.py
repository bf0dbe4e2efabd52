"""The reply analysis's shortcuts change nothing.

:class:`ReplyText` skips scans whose tell-tale characters are absent, finds URLs,
handles and single quotes with patterns that open on a literal character, looks
sentences up by bisection and skips the negation scan when nothing
negation-like precedes a phrase. Here each result is compared with the plain
computation it replaced, on the golden corpus and on fuzzed text full of the
characters those patterns care about.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from pathlib import Path

import pytest

from harness.checks import case_facts, normalize, text
from harness.checks.phrase_index import breaks

GOLDEN = Path(__file__).resolve().parent / "data" / "golden_results.json.gz"

_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|ly|co|org|net|io|me|uk)/\S*")
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_SIGNATURE = re.compile(r"\^\s?[A-Za-z]{1,4}\b|(?:^|\s)[-\u2013\u2014~]\s?[A-Z][A-Za-z]{0,14}\s*$", re.M)
_DOUBLE_QUOTE = re.compile(r'"[^"\n]{1,400}"')
_SINGLE_QUOTE = re.compile(r"(?<![\w'])'(?=\w)(?:[^'\n]|'(?=\w)){1,300}'(?!\w)")
_PIECES = ["http://a.co/x", "https://", "www.", "x.com/", ".com/", "ex.com", "@", "@jo", "a@b", "@@x", "^JD", "^ J",
           "- Sam", "-JD", "\u2014 Al", "~K", "'", "'tis", "don't", "'quote'", '"', "\u201c", "\u2019", "`", "\n",
           " ", " ", "no", "not", "can't", "never", "but", ",", ".", "?", "I", "\u0130", "we", "you", "sorry", "_",
           "hardly", "without", "neither", "nobody", "isnt", "nor", "although", "though", "yet", " - ", "unless", "butter",
           "9", "a", "B"]


def reference(reply: str) -> tuple[str, str, list, list, list]:
    """``lower``, ``norm``, ``urls``, ``quotes``, sentences as the analysis computed them before."""
    lower = normalize._lower_same_length(reply).translate(normalize._STRAIGHTEN)
    urls = [m.span() for m in _URL.finditer(lower)] if ("/" in lower or "www." in lower) else []
    masked = urls + ([m.span() for m in _HANDLE.finditer(lower)] if "@" in lower else [])
    if re.search(r"[\^\-\u2013\u2014~]", reply):
        masked += [m.span() for m in _SIGNATURE.finditer(reply)]
    norm = normalize._blank(lower, masked)
    quotes = (([m.span() for m in _DOUBLE_QUOTE.finditer(norm)] if '"' in norm else [])
              + ([m.span() for m in _SINGLE_QUOTE.finditer(norm)] if "'" in norm else []))
    return lower, norm, urls, quotes, text._split(norm, breaks(norm))


def reference_clause_start(rt: text.ReplyText, pos: int) -> int:
    start, _ = reference_sentence_at(rt, pos)
    for m in text._CLAUSE_BREAK.finditer(rt.norm, start, pos):
        start = m.end()
    return start


def reference_clause_at(rt: text.ReplyText, start: int, end: int) -> tuple[int, int]:
    _, sent_end = reference_sentence_at(rt, start)
    m = text._CLAUSE_BREAK.search(rt.norm, end, max(end, sent_end))
    return text._trim(rt.norm, (reference_clause_start(rt, start), m.start() if m else max(end, sent_end)))


def reference_negated(rt: text.ReplyText, pos: int) -> bool:
    start = max(reference_clause_start(rt, pos), pos - text._NEGATION_WINDOW)
    return any(not rt.quotes or rt._same_quoting(m.start(), pos) for m in text._NEGATION.finditer(rt.norm, start, pos))


def reference_sentence_at(rt: text.ReplyText, pos: int) -> tuple[int, int]:
    return next(((s, e) for s, e in rt.sentences if s <= pos < e), (0, len(rt.norm)))


def corpus() -> list[str]:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as src:
        replies = [row["reply"] for row in json.load(src)["rows"]]
    rng = random.Random(11)
    fuzz = ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    return replies + fuzz


@pytest.fixture(scope="module")
def replies() -> list[str]:
    return corpus()


def test_analysis_equals_the_plain_computation(replies):
    for reply in replies:
        rt = text.ReplyText(reply)
        assert (rt.lower, rt.norm, rt.urls, rt.quotes, rt.sentences) == reference(reply), reply
        assert normalize.lowered(reply) == rt.lower


def test_sentence_lookup_and_negation_equal_the_plain_computation(replies):
    for reply in replies:
        rt = text.ReplyText(reply)
        for pos in range(0, len(rt.norm) + 1, 1 if len(rt.norm) < 120 else 3):
            assert rt.sentence_at(pos) == reference_sentence_at(rt, pos), (reply, pos)
            assert rt.is_negated(pos) == reference_negated(rt, pos), (reply, pos)
            assert rt.clause_start(pos) == reference_clause_start(rt, pos), (reply, pos)


# Clause breaks and negations (and the clauses they bound) next to, inside and around words, dashes and quotation marks.
_CLAUSE_PIECES = ["but", "butter", "but_", "yet", "yeti", "however", "though", "although", "whereas", "unless", " - ",
                  "-", " ", " ", "  ", ",", ";", ":", "(", "\u2013", "\u2014", "don't", "dont", "n't", "n't_", "nt",
                  "not", "nothing", "no", "nor", "none", "won't", "can't", "cannot", "isn't", "without", "hardly", "_",
                  "a", "x", "9", ".", "!", "?", "\n", "'", '"', "we", "you", "refund", "\u0130"]


@pytest.mark.parametrize("quotes", [False, True])
def test_clause_starts_and_negation_equal_the_plain_scan_on_fuzzed_text(quotes):
    # Without quotation marks the negation test takes its shortcut; with them, the scan as written.
    rng = random.Random(5 + quotes)
    pieces = _CLAUSE_PIECES if quotes else [p for p in _CLAUSE_PIECES if p not in ("'", '"')]
    positions = quoted = 0
    for _ in range(2500):
        reply = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        rt = text.ReplyText(reply)
        assert quotes or not rt.quotes, reply
        quoted += bool(rt.quotes)
        for pos in range(len(rt.norm) + 1):
            assert rt.clause_start(pos) == reference_clause_start(rt, pos), (reply, pos)
            assert rt.is_negated(pos) == reference_negated(rt, pos), (reply, pos)
            for end in range(pos, min(pos + 6, len(rt.norm) + 1)):
                assert rt.clause_at(pos, end) == reference_clause_at(rt, pos, end), (reply, pos, end)
            positions += 1
    assert positions > 60_000 and (quoted > 80 or not quotes)


_MONEY_PIECES = ["$", "£", "€", "¥", "usd", "eur", "gbp", "inr", " ", "1", "20", "3,000", ".5", ".50", "dollars", "bucks",
                 "euro", "pounds", "a", "x", ",", ".", "\n", "usd ", "\u0661", "_", "9", "cad", "aud", "rupee", "rupees",
                 "dollar", "buck", "pound", "euros"]


def test_money_matches_equal_a_full_scan(replies):
    rng = random.Random(3)
    fuzz = ["".join(rng.choice(_MONEY_PIECES) for _ in range(rng.randint(0, 12))) for _ in range(20000)]
    for t in fuzz + [text.analyze(r).norm for r in replies]:
        expected = [(m.span(), m.group("a"), m.group("b")) for m in case_facts.MONEY.finditer(t)]
        assert [(m.span(), m.group("a"), m.group("b")) for m in case_facts.find_money(t)] == expected, t


def test_negation_without_absent_words_matches_like_the_full_pattern():
    """negation_for drops the branches whose word a text lacks: the same matches as _NEGATION."""
    words = list(text._NEGATION_WORDS) + ["n't", "know", "now", "x", " ", ",", "'", "a", "nothingness", "_", "\n", "N"]
    rng = random.Random(11)
    for _ in range(5000):
        t = "".join(rng.choice(words) + rng.choice(["", " ", "  "]) for _ in range(rng.randint(0, 10)))
        start, end = sorted((rng.randint(0, len(t)), rng.randint(0, len(t))))
        assert ([m.span() for m in text.negation_for(t).finditer(t, start, end)]
                == [m.span() for m in text._NEGATION.finditer(t, start, end)]), (t, start, end)

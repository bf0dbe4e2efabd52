"""The complaint's specifics (acknowledgement) found by the fast finders equal what the plain patterns find.

Every case's complaint is read once, so the finders replace each pattern's
``finditer`` with a faster search of the same matches; these tests hold each to
its pattern on the shipped complaints and on fuzzed text full of the edge
characters (digits of other scripts, the letters that case-fold to ASCII, '#',
'-', currency signs, capitals and camel case).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from harness.checks import acknowledgement as ack
from harness.checks import case_facts, complaint_scan, reasking

ROOT = Path(__file__).resolve().parents[2]
# The topic pattern the word set replaced, over every form of each topic word (fix_checks5: "outages",
# "delayed"; the forms themselves are tested in test_acknowledgement.py).
TOPICS = re.compile(r"\b(?:" + "|".join(sorted(ack._TOPIC_FORMS, key=len, reverse=True)) + r")\b")
PIECES = ["order", "#A5512", "INV-2231", "ab-12", "\u0663", "\u0130", "\u0131", "\u017f", "\u212a", "K", "iPhone",
          "iPhone 12", "Galaxy Buds", "Model X5", "$129.99", "\u00a320", "20 EUR", "12/03", "12/03/2024",
          "Jan 5th", "march 3", "3rd of June", "Tuesday", "yesterday", "last week", "charged", "charges",
          "fees", "fee", "refund", "wifi", "outages", "delayed", "charger", "ordinary",
          "my", "The", "I", "and", ",", ".", "/", "@", "-", "#", " ", " ", "  ",
          "\n", "2023", "1999", "abc123", "x", "Y", "99881", "1.5", "5/", "\U0001f621", "caf\u00e9", "\u00c9cole"]


def complaints() -> list[str]:
    texts = []
    for name in ("complaints.jsonl", "threads.jsonl"):
        for line in (ROOT / "datasets" / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts.append(" ".join(t["content"] for t in row["turns"] if t["role"] == "customer"))
    return texts


def fuzzed(count: int = 3000, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) + rng.choice(["", " ", ""]) for _ in range(rng.randint(1, 25)))
            for _ in range(count)]


def spans(matches) -> list[tuple]:
    return [(m.span(), m.groups()) for m in matches]


@pytest.mark.parametrize("texts", [complaints(), fuzzed()], ids=["shipped", "fuzzed"])
def test_fast_finders_find_what_the_patterns_find(texts):
    for text in texts:
        lowered = text.lower()
        assert spans(ack._id_matches(text)) == spans(ack._ID.finditer(text)), text
        assert spans(ack._name_matches(text)) == spans(ack._NAME.finditer(text)), text
        assert ack._dates(text, lowered) == {m.group().lower() for m in ack._DATE.finditer(text)}, text
        assert ack._topics(lowered) == {m.group() for m in TOPICS.finditer(lowered)}, text
        assert ([m.span() for m in case_facts.find_money(lowered)]
                == [m.span() for m in case_facts.MONEY.finditer(lowered)]), text


def test_the_fuzz_reaches_the_edge_cases():
    texts = fuzzed()
    assert sum(bool(list(ack._ID.finditer(t))) for t in texts) > 300
    assert sum(bool(complaint_scan._CAMEL.search(t)) for t in texts) > 300
    assert sum(any(c in t for c in ack._FOLDS_APART) for t in texts) > 300
    assert sum(bool(list(ack._DATE.finditer(t))) for t in texts) > 300


def test_specifics_of_a_complaint():
    found = ack.customer_specifics.__wrapped__(
        "My order #A55123 for the Galaxy Buds was charged $129.99 on Jan 5th and my iPhone 12 case never came")
    assert found["id"] == {"a55123"}
    assert found["amount"] == {"129.99"}
    assert found["date"] == {"jan 5th"}
    assert {"galaxy buds", "galaxy", "buds", "iphone 12"} <= found["name"]
    assert found["topic"] == {"order", "charged"}


# Pieces for the date, duration and id finders' fast paths: no letter that folds apart, so _dates takes
# complaint_scan.date_matches, and each literal a branch of _DATE or _UNIT is chosen by ("/", a month's
# abbreviation, "day", "last week"), in and out of words, next to digits of 0-9 and of another script.
FAST_PIECES = ["12/03", "1/2/2024", "3/", "/", "jan", "Jan 5th", "january", "sept. 3", "septic", "may 12", "dismay 3",
               "march 3", "3rd of june", "21 december", "4 of may", "mon", "monday", "Tuesday", "thursdays", "today",
               "yesterday", "last week", "last weekend", "ballast week", "day", "days", "3 days", "two weeks",
               "an hour", "48 hours", "minutes", "month", "6 months", "years", "yearly", "weekday", "hourglass",
               "in 3 weeks", "order", "#A5512", "INV-2231", "ab-12", "a1-", "-9", "#", "-", "99881", "1.5", "2023",
               "\u0663", "\u0663/4", "5\u0663", "x", "Y", ".", ",", "!", " ", " ", "  ", "\n", "\t", "caf\u00e9",
               "\U0001f621", "1", "07", "123"]


def fast_fuzzed(count: int = 4000, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(FAST_PIECES) + rng.choice(["", " ", " ", ""]) for _ in range(rng.randint(1, 30)))
            for _ in range(count)]


@pytest.mark.parametrize("texts", [complaints(), fuzzed(), fast_fuzzed()], ids=["shipped", "fuzzed", "fast"])
def test_respelled_patterns_match_as_written(texts):
    for text in texts:
        lowered = text.lower()
        dates = complaint_scan.date_matches(lowered)
        if dates is not None:
            assert [m.span() for m in dates] == [m.span() for m in ack._DATE_LOWER.finditer(lowered)], text
        assert ack._dates(text, lowered) == {m.group().lower() for m in ack._DATE.finditer(text)}, text
        assert spans(complaint_scan.UNIT.finditer(lowered)) == spans(ack._UNIT.finditer(lowered)), text
        assert spans(ack._id_matches(text)) == spans(ack._ID.finditer(text)), text
        assert ack._topics(lowered) == {m.group() for m in TOPICS.finditer(lowered)}, text


def test_the_fast_fuzz_reaches_every_date_branch_and_the_fallback():
    texts = [t.lower() for t in fast_fuzzed()]
    assert sum(complaint_scan.date_matches(t) is None for t in texts) > 300  # another script's digit
    fast = [t for t in texts if complaint_scan.date_matches(t) is not None]
    for branch in (r"\b\d{1,2}/", r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d",
                   r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[a-z]", r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b",
                   r"\byesterday\b", r"\blast week\b"):
        assert sum(any(m.group().startswith(tuple("0123456789")) == branch.startswith(r"\b\d")
                       and re.match(branch, m.group()) for m in complaint_scan.date_matches(t)) for t in fast) > 50, branch
    assert sum(bool(list(ack._UNIT.finditer(t))) for t in fast) > 1000


def _digit_walk(text: str) -> list[tuple[int, int]]:
    """The stretches _id_matches searched before complaint_scan.id_stretches: every digit visited in turn."""
    stretches, done, n = [], 0, len(text)
    for digit in re.finditer(r"\d", text):
        if digit.start() < done:
            continue
        start, end = digit.start(), digit.end()
        while start > done and text[start - 1] in ack._ID_CHARS:
            start -= 1
        while end < n and text[end] in ack._ID_CHARS:
            end += 1
        stretches.append((start, end))
        done = end
    return stretches


@pytest.mark.parametrize("texts", [complaints(), fuzzed(), fast_fuzzed()], ids=["shipped", "fuzzed", "fast"])
def test_id_stretches_are_the_digit_walks(texts):
    assert {chr(c) for c in range(0x10000) if ack._ID_RUN.fullmatch(chr(c))} == set(ack._ID_CHARS)
    for text in [*texts, "ref #A55-12 and INV-2231, then 7\u0663x and 5"]:
        assert complaint_scan.id_stretches(text, ack._ID_RUN, ack._ID_CHARS) == _digit_walk(text), text


CAMEL_PIECES = ["iPhone", "iPhone 12", "eBay", "myOrder", "aBc", "xY", "a", "b", "Galaxy", "Buds", "Model X5", "X",
                "Z9", "_", "9", "é", "\u00e9A", "ab", "K", " ", " ", ",", ", ", ".", "\n", "-", "12", "mIxEd"]


def test_name_matches_with_camel_case_are_the_alternations():
    rng = random.Random(3)
    texts = ["".join(rng.choice(CAMEL_PIECES) + rng.choice(["", " "]) for _ in range(rng.randint(1, 30)))
             for _ in range(4000)]
    assert sum(bool(complaint_scan.camel_starts(t)) for t in texts) > 2000
    assert sum(any(m.group()[0].islower() for m in ack._NAME.finditer(t)) for t in texts) > 1000
    for text in texts:
        assert spans(ack._name_matches(text)) == spans(ack._NAME.finditer(text)), text


def _durations_as_written(lowered: str) -> frozenset[str]:
    """acknowledgement._durations before its unit scan was respelled and its number words were indexed."""
    found = set()
    for m in ack._UNIT.finditer(lowered):
        number = ack._number_before(lowered, m.start())
        if number is None or ack._NOT_LIVED.match(lowered, m.end()) or ack._FUTURE_BEFORE.search(lowered, 0, number[1]):
            continue
        value, unit = number[0], m.group(1)
        if not 1 < value < 100:
            continue
        for written in (str(value), *(word for word, n in ack._NUMBER_WORDS.items() if n == value)):
            found.update((f"{written} {unit}s", f"{written}-{unit}"))
    return frozenset(found)


DURATION_PIECES = ["3", "12", "99", "100", "1", "two", "twenty", "twenty-one", "forty five", "a", "an", "in", "for",
                   "days", "day", "-day", "weeks", "hours", "minute", "months", "year", "free", "next", "of credit",
                   "wait", "outage", " ", " ", "-", "\n", "\u0663", "last week", "daylight"]


def test_durations_are_found_as_before():
    rng = random.Random(8)
    texts = ["".join(rng.choice(DURATION_PIECES) + rng.choice([" ", " ", "", "-"]) for _ in range(rng.randint(1, 25)))
             for _ in range(4000)] + [t.lower() for t in complaints()]
    assert sum(bool(_durations_as_written(t)) for t in texts) > 1000
    for text in texts:
        assert ack._durations(text) == _durations_as_written(text), text


CONTACT_PIECES = ["jo@ex.com", "a.b+c@mail.co.uk", "@", "@home", "x@y", "+44", "(0)", "07700 900123", "+1 (555) 010-9999",
                  "123-456-7890", "1", "12", "9", "-", ".", "(", ")", "+", " ", " ", "12 High St", "221b Baker Street",
                  "SW1A 1AA", "m1 1ae", "ec1a 1bb", "Road", "lane", "\u0663", "_", "a", "Flat 3,", "x1", "b2 3cd"]


@pytest.mark.parametrize("texts", [complaints(), "contacts"], ids=["shipped", "fuzzed"])
def test_contact_finders_find_what_the_patterns_find(texts):
    if texts == "contacts":
        rng = random.Random(4)
        texts = ["".join(rng.choice(CONTACT_PIECES) + rng.choice(["", " ", " "]) for _ in range(rng.randint(1, 20)))
                 for _ in range(4000)]
        assert sum(bool(list(reasking._PHONE.finditer(t))) for t in texts) > 500
        assert sum(bool(list(reasking._ADDRESS.finditer(t))) for t in texts) > 500
        assert sum(bool(list(reasking._EMAIL.finditer(t))) for t in texts) > 500
    for text in texts:
        assert spans(reasking._emails(text)) == spans(reasking._EMAIL.finditer(text)), text
        assert spans(reasking._phones(text)) == spans(reasking._PHONE.finditer(text)), text
        assert spans(reasking._addresses(text)) == spans(reasking._ADDRESS.finditer(text)), text

"""The shared reading of a reply: offsets survive normalisation; quotes, negation, masking."""

import re

import pytest

from harness.datasets.personas import normalize_persona
from harness.checks.text import analyze

WRONG = re.compile(r"you're wrong")


@pytest.mark.parametrize("reply", [
    "I’m “sorry” — İstanbul ß ﬁ 😡 ＡＢＣ？",
    "ALL CAPS REPLY!!! @Handle https://t.co/x ^JD",
    "",
])
def test_norm_keeps_length(reply):
    rt = analyze(reply)
    assert len(rt.lower) == len(rt.norm) == len(reply)


def test_curly_quotes_and_case_are_normalised():
    assert analyze("You’RE “Wrong”").lower == "you're \"wrong\""


def test_handles_urls_and_signatures_are_blanked():
    rt = analyze("@YoureWrong see https://ex.com/youre-wrong thanks ^JD")
    assert "yourewrong" not in rt.norm and "ex.com" not in rt.norm and "jd" not in rt.norm
    assert [rt.text(r) for r in rt.urls] == ["https://ex.com/youre-wrong"]


@pytest.mark.parametrize("reply,found", [
    ("Honestly you're wrong.", True),
    ("I would never say you're wrong.", False),
    ("I'm not saying you're wrong.", False),
    ("No, you're wrong.", True),  # the "no" belongs to another clause
    ('You said "you\'re wrong" to me.', False),
    ("You said 'you're wrong' to me.", False),
    # "Unable to" negates (fix_leftovers); "not able to" through its "not".
    ("We are unable to say you're wrong.", False),
    ("I'm not able to say you're wrong.", False),
    ("You were unable to log in, and you're wrong about the fee.", True),  # another clause
])
def test_find_skips_quotes_and_negation(reply, found):
    assert bool(analyze(reply).find(WRONG)) is found


@pytest.mark.parametrize("reply", ["We are unable to refund you.", "Unable to refund: sorry.",
                                   'He said "we are unable to help" but we can refund you.'])
def test_unable_negates_what_follows_in_its_clause(reply):
    """Scanned with and without quotations (two code paths of ``is_negated``)."""
    rt = analyze(reply)
    at = rt.norm.index("refund")
    assert rt.is_negated(at) is ("but" not in reply)


def test_sentences_and_clauses():
    rt = analyze("Hi there. It costs $12.50, but it ships today!\nThanks")
    assert [rt.norm[s:e] for s, e in rt.sentences] == ["hi there.", "it costs $12.50, but it ships today!", "thanks"]
    start = rt.norm.index("ships")
    assert rt.norm[slice(*rt.clause_at(start, start + 5))] == "it ships today!"


@pytest.mark.parametrize("raw,persona", [
    ("genuine grievance", "genuine_grievance"),
    ("Unreasonable Demand", "unreasonable_demand"),
    ("passive-aggressive", "passive_aggressive"),
    ("indecisive / confused", "indecisive"),
    ("Confused", "indecisive"),
    ("ANGRY", "angry"),
    ("abusive", "abusive"),
    (None, None),
    ("", None),
])
def test_normalize_persona(raw, persona):
    assert normalize_persona(raw) == persona

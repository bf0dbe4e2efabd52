"""asks_question: genuine questions and requests for information, not filler."""

import pytest

QUESTIONS = [
    ("Which order number is it?", True),
    ("Could you DM us your order number.", True),
    ("Please send us a photo of the damage.", True),
    ("Would you prefer a refund or a replacement?", True),
    ("Let us know which size you need.", True),
    ("When did you place the order??", True),
    ("¿Puedes enviarnos el número? Could you confirm your email?", True),
    # Txt-speak requests and requests put as a condition.
    ("Pls send us ur booking ref.", True),
    ("plz DM us the email on the account", True),
    ("If you reply with your postcode, I'll book the visit.", True),
    ("We can sort it quickly if u send us a photo of the label.", True),
    # Closing formulas are not questions.
    ("Let us know what you think!", False),
    ("Let me know how it goes.", False),
    ("Let us know if you have any other questions!", False),
    ("Isn't that great?", False),
    ("How are you today?", False),
    ("Is there anything else I can help with?", False),
    ('You asked "why is this so slow?" and fair enough.', False),
    ("Your refund is on its way.", False),
    ("", False),
]


@pytest.mark.parametrize("reply,detected", QUESTIONS)
def test_detected(run, reply, detected):
    result = run("asks_question", reply, expectations={"question_expected": True})
    assert result.data == {"detected": detected, "expected": True}
    assert result.passed is detected


@pytest.mark.parametrize("kwargs,expected", [
    ({"persona": "indecisive / confused"}, True),
    ({"persona": "Confused"}, True),
    ({"persona": "angry"}, False),
    ({"persona": "indecisive", "expectations": {"question_expected": False}}, False),
    ({}, False),
])
def test_expected_decides_applicability(run, kwargs, expected):
    result = run("asks_question", "Which order is it?", **kwargs)
    assert result.data == {"detected": True, "expected": expected}
    assert result.passed is (True if expected else None)


def test_evidence_is_the_question(run):
    reply = "Thanks! Which order is it? ^JD"
    result = run("asks_question", reply, persona="indecisive")
    assert [ev.text for ev in result.evidence] == ["Which order is it?"]


def test_filler_split_says_what_the_whole_alternation_said():
    """_is_filler (anchored part matched at the start, the rest searched in word-start form)
    agrees with one search of the original alternation, on fuzzed sentences."""
    import random
    import re

    from harness.checks.questions import _is_filler

    whole = re.compile("|".join(f"(?:{p})" for p in [
        r"^(?:hi|hey|hello)?[\s,!]*how (?:are|r) (?:you|u|things)\b(?! (?:getting on with|finding) )",
        r"^how(?:'s| is) (?:it going|your day|everything)\b",
        r"^(?:isn't|aren't|wasn't|ain't|doesn't|don't) (?:that|it|this|they|you)\b",
        r"\b(?:right|ok|okay|eh|huh|yeah)\s*\?",
        r"\bwho (?:doesn't|wouldn't|does not)\b|^what more could\b|^can you believe\b|^why not\b",
        r"\banything else (?:i|we) can (?:help|do|assist)\b|\bcan (?:i|we) help with anything else\b",
        r"^(?:is there|was there) anything else\b",
        r"\bwhat (?:a|an) \w+",
        r"^wouldn't it be\b|^don't you think\b|^who knew\b",
    ]))
    words = ["hi", "hey", "how", "are", "r", "you", "u", "things", "how's", "is", "it going", "isn't", "don't", "that",
             "right", "ok", "okay", "yeah", "?", "who", "doesn't", "what more could", "can you believe", "why not",
             "anything else", "i", "we", "can", "help", "is there", "what", "a", "an", "x", "wouldn't it be", "who knew",
             ",", "!", "getting on with", "finding", "_ok", "okayish"]
    rng = random.Random(4)
    for _ in range(20000):
        text = "".join(rng.choice(words) + rng.choice([" ", "", "  "]) for _ in range(rng.randint(0, 7)))
        assert _is_filler(text) == bool(whole.search(text)), text

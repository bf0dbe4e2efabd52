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

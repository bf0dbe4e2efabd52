"""positive_language: commanding, deflecting and blaming phrases fail; neutral requests
and sympathetic uses of the same words pass."""

import pytest

NEGATIVE = [
    ("You have to talk to sales.", ["You have to"]),
    ("You need to restart the router first.", ["You need to"]),
    ("You'll need to contact the courier.", ["You'll need to"]),
    ("You must send the receipt.", ["You must"]),
    ("You should have read the terms.", ["You should have"]),
    ("You should've checked the size chart.", ["You should've"]),
    ("Please calm down.", ["calm down"]),
    ("That's not my department.", ["not my department"]),
    ("Sorry, not my job.", ["not my job"]),
    ("There's nothing we can do.", ["nothing we can do"]),
    ("As I already said, the item is final sale.", ["As I already said"]),
    ("Like I said, it ships Monday.", ["Like I said"]),
    ("That's your own fault for ordering late.", ["your own fault"]),
    ("U NEED TO READ THE POLICY", ["U NEED TO"]),
    ("Calm down, you have to wait.", ["Calm down", "you have to"]),
    ("As I’ve already explained, you’ll have to pay the fee.", ["As I’ve already explained", "you’ll have to"]),
    ("For the third time, the offer has ended.", ["For the third time"]),
    ("I'm telling you this for the last time.", ["for the last time"]),
]

POSITIVE = [
    "A missed delivery for the second time in a week is maddening.",
    "Your parcel was returned to us for the third time this month, so I've called the courier.",
    "Please DM us your order number.",
    "Our sales team may be able to help with that.",
    "I'm sorry you have to wait for the replacement.",
    "Here is everything you need to know about returns.",
    "You must have been so frustrated.",
    "You must be really fed up with this.",
    'You said "this is not my job" to our agent, and that was wrong of us.',
    "You don't have to do anything, we'll handle it.",
    "I would never tell a customer to calm down.",
    "It is not true that there's nothing we can do.",
    "If you need to reach us, we're here 24/7.",
    "You won't need to return the broken one.",
    "",
    "@YouNeedToKnow thanks! https://ex.com/you-have-to-see ^JD",
    "No problem at all! We'll ship a new one today.",
]


@pytest.mark.parametrize("reply,phrases", NEGATIVE)
def test_negative_language_found(run, reply, phrases):
    result = run("positive_language", reply)
    assert result.passed is False
    assert [ev.text for ev in result.evidence] == phrases
    assert result.data["found"] == phrases


@pytest.mark.parametrize("reply", POSITIVE)
def test_positive_language_passes(run, reply):
    result = run("positive_language", reply)
    assert result.passed is True, result.evidence
    assert result.data == {"found": []}

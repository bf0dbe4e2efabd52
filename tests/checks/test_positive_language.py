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
    # An adverb between "you" and "need/have to" still commands.
    ("You just need to restart the router.", ["You just need to"]),
    ("You simply have to reset it.", ["You simply have to"]),
    ("You'll really need to update the app first.", ["You'll really need to"]),
    ("You are required to contact the network team.", ["You are required to"]),
    ("You're expected to return the modem within 14 days.", ["You're expected to"]),
    ("It's your responsibility to keep the router plugged in.", ["your responsibility"]),
    ("Keeping the password safe is up to you to manage.", ["up to you to"]),
    ("As I mentioned before, outages are handled by the network team.", ["As I mentioned before"]),
    ("Like we explained earlier, the fee is fixed.", ["Like we explained earlier"]),
    ("That's a question for the network team, not us.", ["question for the network team, not us"]),
    ("That's one for billing, not me.", ["one for billing, not me"]),
    ("This isn't something my team handles.", ["isn't something my team handles"]),
    ("Refunds are not something we deal with.", ["not something we deal with"]),
    ("You should have read the email we sent.", ["You should have"]),
    # Review (fix_moves2): "you must have <done>" blames the customer (DOMAIN.md: "you must").
    ("You must have plugged the cable into the wrong port.", ["You must"]),
    ("You must've entered the wrong password.", ["You must"]),
    ("You must have been mistaken about the date.", ["You must"]),
    ("You must have a receipt to return it.", ["You must"]),
]

POSITIVE = [
    "A missed delivery for the second time in a week is maddening.",
    "Your parcel was returned to us for the third time this month, so I've called the courier.",
    "Please DM us your order number.",
    "Our sales team may be able to help with that.",
    "I'm sorry you have to wait for the replacement.",
    "Here is everything you need to know about returns.",
    "You must have been so frustrated.",
    "You must've been really upset.",
    "You must have been waiting ages for this.",
    "You must have had a rough week.",
    "You must have felt let down.",
    "I'm sorry, you must have been worried sick.",
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
    "You don't have to do anything: we'll handle it.",
    "You won't need to do anything else.",
    "If you just need to reset it, the button is on the back.",
    "You're not required to do anything.",
    "No ID is required to collect it.",
    "It's not your responsibility to fix our network, that's on us.",
    "It's up to you to decide which option suits you best.",
    "As I mentioned, I've booked the engineer for Monday.",
    "That's a question for the billing team, so I've passed it on.",
    "It's not something we can do today, but tomorrow works.",
    # "You should have" telling what to expect, not blaming.
    "You should have your refund by Friday.",
    "You should have received an email with the label.",
    "You should have been told about the fee, and that's on us.",
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

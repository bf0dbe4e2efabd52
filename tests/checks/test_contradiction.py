"""no_contradiction: disputing the customer's account or feelings fails; quoting, negating
and politely stating policy do not."""

import pytest

CONTRADICTING = [
    ("That's not true, the parcel left our depot on time.", "That's not true"),
    ("That is simply not true.", "That is simply not true"),
    ("Actually you cancelled the order yourself.", "Actually you"),
    ("Our records show you did receive a refund.", "Our records show you"),
    ("You must have entered the wrong address.", "You must have entered"),
    ("That never happened on our end.", "That never happened"),
    ("I think you're confusing us with another store.", "confusing"),
    ("You're mistaken, we never charge twice.", "You're mistaken"),
    ("YOU ARE WRONG about the fee.", "YOU ARE WRONG"),
    ("Honestly, you're overreacting a bit.", "you're overreacting"),
    ("There's no reason to be upset about a late parcel.", "no reason to be upset"),
    ("I don't think that's what happened.", "don't think that's what happened"),
    ("According to our records, you signed for it.", "According to our records, you"),
    ("You were not charged twice.", "You were not charged"),
    ("That’s not true 🙄 ^JD", "That’s not true"),
    ("It's not a big deal, it's only a day late.", "not a big deal"),
    # Records or staff overruling the customer, whoever the subject is.
    ("The system shows a single withdrawal on that date.", "The system shows"),
    ("Our driver says the parcel was handed to a neighbour.", "Our driver says"),
    ("Our technician confirmed the boiler was working when he left.", "Our technician confirmed"),
    # The account declared correct or closed.
    ("Having checked again, your invoice is accurate.", "your invoice is accurate"),
    ("The charges were correct, as per your contract.", "The charges were correct"),
    ("The job has been marked as completed by our fitter.", "has been marked as completed"),
]

NOT_CONTRADICTING = [
    "Our refund policy covers purchases within 30 days.",
    "I would never say you are wrong about this.",
    "I'm not saying you're wrong, I just want to check the tracking.",
    'You said "that never happened" and I believe you.',
    "You told us “that's not true” about the charge; let me look again.",
    "You must have been so frustrated waiting all week.",
    "You must've been waiting ages, I'm sorry.",
    "Actually, you can return it at any of our stores.",
    "I understand the parcel hasn't arrived, and I'm sorry.",
    "Unfortunately we can't refund after 30 days, but we can offer store credit.",
    "You're right, that's not acceptable.",
    "Nobody is saying you're lying.",
    "Please DM us your order number and we'll check.",
    "No, you're not wrong to expect better.",
    "",
    # Records cited while accepting the customer's account.
    "Our tracking shows it delivered at 2pm, which doesn't match what you saw, so I've opened a claim.",
    "The courier says it was left in a safe place, but we believe you and are sending another.",
    "Our records show a refund request from May, and I've started an investigation into why it stalled.",
    # Correct things that are not the customer's account.
    "Your address is now correct on the account.",
    "@ThatsNotTrue thanks, we're on it https://ex.com/that-is-not-true",
]


@pytest.mark.parametrize("reply,phrase", CONTRADICTING)
def test_contradiction_found(run, reply, phrase):
    result = run("no_contradiction", reply)
    assert result.passed is False
    assert any(phrase in ev.text or ev.text in phrase for ev in result.evidence), result.evidence
    assert result.data["found"] == [ev.text for ev in result.evidence]


@pytest.mark.parametrize("reply", NOT_CONTRADICTING)
def test_no_contradiction(run, reply):
    result = run("no_contradiction", reply)
    assert result.passed is True, result.evidence
    assert result.data == {"found": []}

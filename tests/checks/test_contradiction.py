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

# Review item #2 (/tmp/review_domain): polite denials the check passed, each with paraphrases.
POLITE_DENIALS = [
    ("With respect, I believe you may be looking at a pending authorisation rather than a second charge.",
     "you may be looking at"),
    ("You might be thinking of a different provider.", "You might be thinking of"),
    ("You may have misread the date on the statement.", "You may have misread"),
    ("It looks like you've misunderstood the renewal terms.", "you've misunderstood"),
    ("I'm afraid there's only one charge on our side.", "there's only one charge"),
    ("There was just one payment taken on 3 June.", "There was just one payment"),
    ("Only one transaction went through on our end.", "Only one transaction went through"),
    ("I see why you'd think that, but the charge was only taken once.", "was only taken once"),
    ("We only charged you once.", "We only charged you once"),
    ("I understand why you might think that, but the bill hasn't changed.", "why you might think that, but"),
    ("We did not cut off your internet. The outage was caused by your router.", "We did not cut"),
    ("To be clear, nobody cut your internet; it was planned maintenance you were told about.", "nobody cut"),
    ("We never lost your parcel; it was left in your safe place.", "We never lost"),
    ("Our engineers didn't disconnect your line.", "Our engineers didn't disconnect"),
    ("No one cancelled your order, it is still on its way.", "No one cancelled"),
    ("We haven't charged you twice.", "We haven't charged you twice"),
    ("That's not what our logs say.", "That's not what our logs say"),
    ("That isn't what the system shows.", "That isn't what the system shows"),
    ("That doesn't match our records, I'm afraid.", "That doesn't match our records"),
    ("Hmm, I'm not sure that's quite right: the second line is only a pre-authorisation.",
     "I'm not sure that's quite right"),
    ("I'm not convinced that's accurate, the courier has a photo of the parcel.", "I'm not convinced that's accurate"),
    ("I find that hard to believe.", "find that hard to believe"),
    ("It's hard to believe you never got any of our emails.", "hard to believe you never"),
    ("Our records show one payment, so I don't think you're right.", "Our records show"),
    ("Actually, you are not entitled to that.", "Actually, you"),
    ("You're clearly confused, we never charge twice.", "You're clearly confused"),
    ("@jdoe u r wrong, it was delivered", "u r wrong"),
]

# Review item #2: agreement and empathy the check flagged, each with paraphrases.
AGREEING = [
    "Our records show two payments for INV-778, so you're right, and I've refunded one.",
    "Our logs show the outage reached your street on Monday, so you're absolutely right.",
    "Our system confirms you were charged twice, as you said, and the duplicate is on its way back.",
    "Our records show the second payment went through, which is our mistake.",
    # A policy fact from the records, not a dispute of the customer's account.
    "Our records show the blender was bought 95 days ago, so it's outside our 30-day refund window.",
    "Our system shows the order was placed 40 days ago, which is beyond the 30-day return window, but a repair is free.",
    "Actually, you're right: we did charge you twice, and I've refunded $59.99.",
    "Actually you're quite right, and I've fixed it.",
    "Actually, you've got a point, and I've passed it to the team.",
    "I can tell you're confused by the new bill, and that's on us for not explaining it.",
    "Understandably, you're confused by the two invoices; let me explain them.",
    "No wonder you're confused, the letter was unclear.",
    "You may have noticed a second pending line on your statement; that's the duplicate, and it's now refunded.",
    "You might have seen our email about the billing error on 3 June. I'm sorry, that duplicate is on us.",
    "You might have heard about the outage on the news; it's fixed now.",
    "It's hard to believe we put you through this twice. I've refunded the $59.99.",
    "It's hard to believe it took us three weeks to reply, and I'm sorry.",
    "No big deal at all to fix this: I've refunded the duplicate $59.99.",
    "It's no big deal for us to swap it for you.",
    # Owning a failure, the agent's own acts, promises and the state of things: nothing denied.
    "We didn't send the replacement on time, and I'm sorry.",
    "I'm sorry we cut off your internet by mistake; it's back on now.",
    "To make sure we don't charge you twice, I've paused the payment.",
    "You'll only be charged once from now on.",
    "There's only one charge left on your statement after the refund.",
    "We haven't cancelled anything yet, so tell me what you'd like us to do.",
    "I'm not sure that's the right plan for you, so let me compare the two.",
    # "your wrong item" is not "you're wrong".
    "We have collected your wrong item and a new one is on the way.",
]


@pytest.mark.parametrize("reply,phrase", POLITE_DENIALS)
def test_polite_denial_found(run, reply, phrase):
    result = run("no_contradiction", reply)
    assert result.passed is False
    assert any(phrase in ev.text or ev.text in phrase for ev in result.evidence), result.evidence


@pytest.mark.parametrize("reply", AGREEING)
def test_agreeing_and_empathic_pass(run, reply):
    result = run("no_contradiction", reply)
    assert result.passed is True, result.evidence


@pytest.mark.parametrize("reply,passed", [
    ("I would never say you're wrong about this.", True),
    ('You wrote "that\'s not true" about our last reply, and you were right.', True),
    ("YOU MUST HAVE CLICKED PAY TWICE.", False),
    ("You must have been so worried seeing that second charge.", True),
])
def test_reviewed_cases_unchanged(run, reply, passed):
    """What the review found right stays right."""
    assert run("no_contradiction", reply).passed is passed


# Stock apology and reassurance lines that agree with the customer (review_checks).
@pytest.mark.parametrize("reply", [
    "I'll make sure it never happens again.",
    "I'm so sorry the engineer visit never happened.",
    "You must have spent hours on the phone with us.",
    "You must have had enough of us by now, and I don't blame you.",
    "You were wrongly charged twice, and I've refunded the second payment.",
    "I doubt you'll have any more trouble after this fix.",
    "If you do get charged again, tell me and I'll reverse it straight away.",
    "Actually, you won't need to do anything: I've already reversed the charge.",
    "I don't think you were at fault here at all.",
])
def test_agreeing_lines_are_not_contradiction(run, reply):
    result = run("no_contradiction", reply)
    assert result.passed is True, result.detail


# Polite disputes the patterns missed, and denials after an apology in a new clause.
@pytest.mark.parametrize("reply", [
    "I think you may be mistaken about the price; it was never advertised at $59.",
    "With respect, I don't think you were on hold for that long.",
    "Hmm, I'd say you're remembering that wrong; the tracking said Wednesday.",
    "I'm sorry, but that never happened.",
    "You were wrong about the date.",
    "You must have entered the wrong address.",
])
def test_polite_disputes_are_contradiction(run, reply):
    assert run("no_contradiction", reply).passed is False


# Review (fix_contra_empathy): the customer's account declared correct disputes an overcharge
# ("the balance on your account is correct"); a balance we corrected concedes it.
@pytest.mark.parametrize("reply,phrase", [
    ("Your balance is correct now.", "Your balance is correct"),
    ("The balance on your account is correct.", "The balance on your account is correct"),
    ("Your balance is now correct.", "Your balance is now correct"),
    ("Having checked, the balance on your account is accurate.", "the balance on your account is accurate"),
    ("Your current balance is correct.", "Your current balance is correct"),
    ("Your account balance is correct.", "Your account balance is correct"),
    ("The balance shown is correct.", "The balance shown is correct"),
    ("The £45 charge on your card is correct.", "The £45 charge on your card is correct"),
    ("The price you were charged is correct.", "The price you were charged is correct"),
    ("Everything on your account is correct.", "Everything on your account is correct"),
    ("Your balance is showing correctly.", "Your balance is showing correctly"),
    ("I'm afraid the total on your invoice is right.", "the total on your invoice is right"),
    ("Sorry, but your bill is correct.", "your bill is correct"),
    ("We reviewed your account. Your balance is correct.", "Your balance is correct"),
    ("Your bill was correct; we haven't refunded anything.", "Your bill was correct"),
    ("I can confirm your balance is correct.", "your balance is correct"),
])
def test_account_declared_correct_is_contradiction(run, reply, phrase):
    result = run("no_contradiction", reply)
    assert result.passed is False
    assert any(phrase in ev.text or ev.text in phrase for ev in result.evidence), result.evidence


@pytest.mark.parametrize("reply", [
    "Your balance is now corrected.",
    "We've corrected your balance.",
    "The balance on your account has now been corrected.",
    "Your balance will be corrected within 3 days.",
    "Your balance is correct now that we've refunded the overcharge.",
    "I've refunded the overcharge, so your balance is correct now.",
    "I've refunded the duplicate £59.99. Your balance is correct now.",
    "We've fixed it: the balance on your account is correct now.",
    "Your refund has been processed and your balance is correct.",
    "Your new balance is correct after the refund of £20.",
    "You're right that your bill was wrong; your balance is correct now.",
    "Once the refund lands, your balance will be correct.",
    "Let me make sure your balance is correct.",
    "Please check that the balance on your account is correct.",
    "Is your balance correct now?",
    "The balance on your account is not correct, you're right.",
    "Your card details are correct on file.",
])
def test_account_corrected_or_asked_about_is_not_contradiction(run, reply):
    result = run("no_contradiction", reply)
    assert result.passed is True, result.evidence

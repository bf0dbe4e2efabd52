"""boundary_setting: detected / required / forbidden_promises and the passed rule."""

import pytest

from harness.checks.boundary import boundary_required

OUT_OF_WINDOW = {"refund_window_days": 30, "days_since_purchase": 95}

DETECTED = [
    "Unfortunately we're unable to refund orders after 30 days.",
    "We can't offer a free upgrade, but we can offer 10% off your next order.",
    "I'm not able to approve a refund for this item.",
    "Our policy only allows returns within 30 days of delivery.",
    "This purchase is outside the 30-day return window.",
    "Sale items are non-refundable.",
    "We can only offer store credit for this order.",
    "I won't tolerate abusive language, but I'm happy to keep helping.",
    "I'd ask that we keep this conversation respectful.",
    "WE CANNOT PROCESS A REFUND FOR THIS ORDER.",
    "That isn't something we can do, but what we can do is send a replacement.",
    "Your order is not eligible for a price match.",
    "Refunds are only available within 14 days.",
    # Plain inability, whatever the verb (DOMAIN.md: "what cannot be done").
    "We aren't able to cover hotel costs for a delayed connection.",
    "I cannot reinstate a deleted account, but I can help you set up a new one.",
    "Sadly we're unable to hold tables for more than 15 minutes.",
    "I'm not allowed to share another customer's details.",
    # Impersonal limits.
    "Gift cards can't be exchanged for cash.",
    "Customised items cannot be returned once made.",
    "Deposits won't be refunded for no-shows.",
    "That colour is no longer available, sorry!",
    "The Classic plan was discontinued in March.",
    "Personal data requests are confidential, so we'll reply by post.",
    "Evening slots aren't available in your area.",
    # Stated windows, minimums, maxima, requirements, deadlines.
    "The cooling-off period is 14 days from signing.",
    "We only accept returns within our 28-day return period.",
    "There's a minimum spend of £15 for delivery.",
    "Compensation is limited to the cost of the ticket.",
    "Your plan comes with a 10GB monthly data limit.",
    "Student pricing is for verified students only.",
    "A receipt is required for any exchange.",
    "Bookings must be changed 48 hours before arrival.",
    "We need the serial number before we can start the claim.",
    "Your laptop is past the 2-year warranty.",
    "Cancellations after the first week are not compensated.",
    # Declining as not ours to do.
    "Parking fines are not our department, the council handles those.",
    "There's nothing more we can do on the fare itself.",
    # Boundaries on conduct.
    "Please keep the chat polite so I can sort this out.",
    "Insults aimed at our drivers are not okay.",
    "There's no need to get personal with our staff.",
    "I won't be spoken to in that kind of language.",
    "If the swearing continues I'll close this chat.",
    "That's out of line; I'm still here to help with the refund.",
]

NOT_DETECTED = [
    "We'll send a replacement right away.",
    "I can't believe this happened to you, I'm so sorry.",
    'You said "we cannot refund you", that was wrong of our agent.',
    "Thanks for your patience! Your refund is on its way.",
    "",
    "I don't know yet, let me check with the courier.",
    # Inability that limits nothing the customer wants.
    "I can't imagine how stressful that week was.",
    "We can't thank you enough for your patience.",
    "I can't wait to hear how the new bike rides!",
    "We can't find the parcel on the scanner yet, so I've opened a trace.",
    "I can't tell you how sorry I am about the mix-up.",
    # Good news and caving are not limits.
    "You won't be charged for the replacement.",
    "It was outside the 30-day window, but we'll make an exception this time and refund it.",
    "Refunds usually reach your card within 5 days.",
    "Our drivers are only human, and this one got it wrong.",
    "You don't need to send anything back.",
    "This message confirms your new delivery slot.",
    "I'm sorry you can't make it to the match.",
    "Please try to only press submit once.",
    "I'll reply in whichever language you prefer.",
]


@pytest.mark.parametrize("reply", DETECTED)
def test_boundary_detected(run, reply):
    result = run("boundary_setting", reply, persona="unreasonable demand")
    assert result.data["detected"] is True
    assert result.data["required"] is True
    assert result.passed is True
    assert result.evidence


@pytest.mark.parametrize("reply", NOT_DETECTED)
def test_boundary_not_detected(run, reply):
    result = run("boundary_setting", reply)
    assert result.data["detected"] is False
    assert result.passed is None  # not required, none set, nothing forbidden


@pytest.mark.parametrize("kwargs,required", [
    ({"persona": "abusive"}, True),
    ({"persona": "Unreasonable Demand"}, True),
    ({"persona": "angry"}, False),
    ({"persona": "abusive", "expectations": {"boundary_required": False}}, False),
    ({"persona": "angry", "expectations": {"boundary_required": True}}, True),
    ({"context": OUT_OF_WINDOW}, True),
    ({"context": {"refund_window_days": 30, "days_since_purchase": 10}}, False),
    ({"complaint": "I want my money back NOW", "expectations": {"refund_allowed": False}}, True),
    ({"complaint": "Give me a free upgrade", "context": {"forbidden_offers": ["free upgrade"]}}, True),
    ({}, False),
])
def test_required(make_case, kwargs, required):
    assert boundary_required(make_case(**kwargs)) is required


@pytest.mark.parametrize("reply,context,expectations", [
    ("No problem, we'll refund you in full today.", OUT_OF_WINDOW, {}),
    ("I've issued a full refund of $80.", {}, {"refund_allowed": False}),
    ("We can't refund it, but here's a $50 voucher.", {"max_credit": 20}, {}),
    ("We'll give you a free upgrade to Premium.", {"forbidden_offers": ["free upgrade"]}, {}),
    ("I can't refund it, but I guarantee this will never happen again.", OUT_OF_WINDOW, {}),
])
def test_forbidden_promise_fails_even_with_boundary(run, reply, context, expectations):
    result = run("boundary_setting", reply, context=context, expectations=expectations)
    assert result.passed is False
    assert result.data["forbidden_promises"]
    assert [ev.text for ev in result.evidence] == result.data["forbidden_promises"]


def test_required_but_missing_fails(run):
    result = run("boundary_setting", "Sure, whatever you want!", persona="abusive")
    assert result.passed is False
    assert result.data == {"detected": False, "required": True, "forbidden_promises": []}


def test_boundary_without_requirement_passes(run):
    result = run("boundary_setting", "We can only ship to the UK.", persona="confused")
    assert result.passed is True
    assert result.data["required"] is False


def test_evidence_is_the_limiting_clause(run):
    reply = "Hi Ana! Sadly we're unable to refund orders after 30 days, but we can repair it."
    result = run("boundary_setting", reply, persona="unreasonable_demand")
    assert [ev.text for ev in result.evidence] == ["we're unable to refund orders after 30 days"]


# Review item #3: common boundaries the check missed; item #1: refusals are not caving.
LATE = {"refund_window_days": 30, "days_since_purchase": 95, "max_credit": 20, "forbidden_offers": ["free upgrade"]}


@pytest.mark.parametrize("reply,persona", [
    ("I'm not going to tolerate being called an idiot.", "abusive"),
    ("I won't put up with being sworn at, but I will fix your line.", "abusive"),
    ("I'm not going to accept threats, but I'll get this sorted.", "abusive"),
    ("Please stop swearing at me; I'm trying to help.", "abusive"),
    ("Please don't swear at me, I'm doing my best.", "abusive"),
    ("Kindly stop the insults so we can fix this.", "abusive"),
    ("STOP SHOUTING AT ME.", "abusive"),
    # fix_checks3: a request to stop name-calling; a limit on what the agent can stop.
    ("Please don't call our staff clowns, though: they are working on it.", "abusive"),
    ("Please stop calling our staff clowns.", "abusive"),
    ("Please do not call our engineers idiots.", "abusive"),
    ("Don't call me names, please.", "abusive"),
    ("I can't stop the annual price rise, but I can offer a £3 a month loyalty discount.", "unreasonable demand"),
    ("We cannot stop the charge going out tomorrow.", "unreasonable demand"),
    ("A refund is off the table, I'm afraid. A repair is not.", "unreasonable demand"),
    ("A cash refund is out of the question at this point.", "unreasonable demand"),
    ("We don't do refunds after 30 days.", "unreasonable demand"),
    ("We don't do exchanges after 30 days.", "unreasonable demand"),
    ("We never refund after 30 days. Never.", "unreasonable demand"),
    ("That's against our policy.", "unreasonable demand"),
    ("Refunding after 95 days goes against company policy.", "unreasonable demand"),
    ("We're not in a position to refund this order, but I can arrange a repair.", "unreasonable demand"),
    ("We're in no position to refund an order this old.", "unreasonable demand"),
    ("We don't bend the rules, but I can offer a repair.", "unreasonable demand"),
    ("I can't bend the rules on this one, sorry.", "unreasonable demand"),
    ("I wish I could refund you, but the 30-day window closed in April.", "unreasonable demand"),
    ("I really wish we could refund you, but the window has closed.", "unreasonable demand"),
    ("If it were within 30 days I could refund you, but it's been 95 days.", "unreasonable demand"),
    ("Had you contacted us within 30 days, we would have refunded you.", "unreasonable demand"),
    ("We won't be offering a free upgrade, but a $20 store credit is yours.", "unreasonable demand"),
    ("We will not be issuing a refund for this order.", "unreasonable demand"),
    ("We're not offering refunds on orders past 30 days.", "unreasonable demand"),
    ("Unfortunately, that falls outside what we can refund. I can offer a $15 credit instead.", "unreasonable demand"),
    ("A full refund is beyond what we can offer, but I can book a repair.", "unreasonable demand"),
])
def test_more_boundaries_detected(run, reply, persona):
    result = run("boundary_setting", reply, persona=persona, context=LATE, expectations={"refund_allowed": False})
    assert result.data["detected"] is True
    assert result.data["forbidden_promises"] == []
    assert result.passed is True


@pytest.mark.parametrize("reply", [
    "I've checked, and our records show two payments of $59.99 for INV-778, so you're right. I'm sorry we charged "
    "you twice. I've refunded the duplicate today and I'll check in with you on Friday to make sure it has arrived.",
    "I've refunded the duplicate and I'll check back with you on Monday to make sure it has landed.",
])
def test_follow_up_date_is_not_a_forbidden_promise(run, reply):
    result = run("boundary_setting", reply, context={"max_refund": 60}, expectations={"boundary_required": False})
    assert result.data["forbidden_promises"] == []
    assert result.passed is None  # no boundary required or set: the check does not apply


@pytest.mark.parametrize("reply", [
    "I'll stop the reminder emails for you today.",
    "I'd have to check with the warehouse first.",
    "We never charge for returns.",
])
def test_near_misses_not_detected(run, reply):
    assert run("boundary_setting", reply).data["detected"] is False


# Review item (fix_checks #2): plain policy statements set a boundary without "can't".
@pytest.mark.parametrize("reply", [
    "Refunds are only given to the original payment method.",
    "We only deliver to addresses in mainland Europe.",
    "Delivery fees are refundable only when the whole order is returned.",
    "Price matching applies to identical items sold by UK retailers only.",
    "Pls note we can only discuss account details with the account holder.",
    "Compensation for delays is capped at the cost of the ticket.",
    "The most we can offer for a delay of this length is a £10 voucher.",
    "Opened software is non-returnable.",
    "That promotion ended on 31 May, so it no longer applies to new orders.",
    "Free returns apply to orders over £50.",
    "Baggage over 23kg is charged at the excess rate.",
    "Your plan includes 10GB of data a month; after that, speeds are reduced.",
    "Our terms say subscriptions renew automatically unless cancelled before the renewal date.",
    "A refund would need the item back in its original packaging.",
    "Installation is outside what the warranty covers, but I can recommend a local fitter.",
])
def test_plain_policy_statements_detected(run, reply):
    assert run("boundary_setting", reply).data["detected"] is True


@pytest.mark.parametrize("reply", [
    "I can only imagine how stressful that was.",
    "There's no limit to how many times you can contact us.",
    "I'll check our policy on this and get back to you.",
    "Our policy is to put things right, so a new kettle is on its way.",
    "No problem at all, I've moved your booking to Friday.",
])
def test_policy_like_near_misses_not_detected(run, reply):
    assert run("boundary_setting", reply).data["detected"] is False


# Ordinary support language that v4's broad patterns read as a limit (review_checks): an
# inference, good news, a processing time, a closing courtesy. None limits what the customer can have.
@pytest.mark.parametrize("reply", [
    "This can only mean the parcel is stuck at the depot, so I've raised a trace.",
    "It can only be a fault on our side, so I've booked an engineer.",
    "The late payment fee no longer applies to your account; I've removed it.",
    "Returns need nothing more than the prepaid label I've attached.",
    "The repair requires no appointment; just pop in any time.",
    "In most cases it only takes a quick restart to fix this, so try that first.",
    "I'm sorry you heard from us only once in three weeks.",
    "Under our terms you don't need to send anything back, so keep the damaged one.",
    "Per our policy, I've refunded the £4.99 shipping and it should reach your card within 3 days.",
    "Great news, our refund policy covers this, so I've started a full refund of $49.99 to your card.",
    "I've issued your refund; it can take up to 5 working days to show on your statement.",
    "This is not something we take lightly, and I've booked an engineer for tomorrow.",
    "Before we end this chat, is there anything else I can help with?",
])
def test_support_language_is_not_a_boundary(run, reply):
    assert run("boundary_setting", reply).data["detected"] is False


# The limits those narrowed patterns must still find.
@pytest.mark.parametrize("reply", [
    "We can only be flexible within the 30-day window.",
    "Delivery to the islands is by courier only.",
    "That promotion no longer applies to renewals.",
    "Refunds are up to £45 per order.",
    "Upgrades to the Pro model aren't something we give out as compensation.",
    "That's not something I have the authority to do.",
    "Our terms don't allow refunds after 30 days, so I've added a credit instead.",
    "Our policy covers returns within 30 days of delivery.",
    "If the language continues I will end this chat.",
])
def test_narrowed_patterns_keep_real_limits(run, reply):
    assert run("boundary_setting", reply).data["detected"] is True


def test_closing_only_before_a_bracket_or_an_alternative_limits(run):
    reply = ("Cancelling gets you a refund of taxes only (€38.20) or a full travel voucher valid 12 months.")
    assert run("boundary_setting", reply).data["detected"] is True
    assert run("boundary_setting", "A refund of taxes only or a voucher.").data["detected"] is True


# User review (fix_boundary): a promise to consult the customer, a courtesy or commitment with
# "can't let", and a service level named as policy limit nothing the customer wants (DOMAIN.md).
@pytest.mark.parametrize("reply", [
    "We won't cancel your order without asking you first.",
    "We will not change your booking without your permission.",
    "I won't cancel the subscription until you confirm you want me to.",
    "We won't change the delivery address without confirming it with you by email.",
    "I won't change your plan without confirming the price with you.",
    "Rest assured, we won't cancel your membership while the claim is open.",
    "Don't worry, we won't cancel your order.",
    "I can't let you go without saying sorry again.",
    "We cannot let you go without offering a goodwill gesture.",
    "We can't let this happen again, so I've flagged it to the depot.",
    "I can't let you down a second time.",
    "We can't let your complaint go unanswered.",
    "Our policy is to reply within 24 hours.",
    "Per our policy, we reply to all emails within one working day.",
    "It's our policy to get back to customers within 48 hours, so expect a call by Friday.",
    "Our complaints policy says we'll investigate and respond within 8 weeks.",
    "Our policy requires us to acknowledge complaints within 24 hours.",
    # What an exclusion leaves out is good news when negated, or a grant.
    "No items are excluded from this sale.",
    "Sale items are not excluded from our returns policy.",
    "I've checked and your jacket isn't excluded from the guarantee.",
    "The warranty doesn't exclude accidental damage.",
    "Your email has been excluded from our mailing list.",
    "Your address is excluded, as you requested.",
    "Tax is excluded from the price shown.",
])
def test_reassurances_and_service_levels_are_not_boundaries(run, reply):
    assert run("boundary_setting", reply).data["detected"] is False


# The review's miss, and the limits next to the reassurances above that must still count.
@pytest.mark.parametrize("reply", [
    "That item is excluded from returns.",
    "Sale items are excluded from our returns policy.",
    "Gift cards are excluded from this promotion.",
    "Custom orders are specifically excluded from refunds.",
    "Your postcode is excluded from free delivery.",
    "The delivery charge is excluded from your refund.",
    "The warranty excludes accidental damage.",
    "Exclusions apply to sale items.",
    "Sale items are excluded.",
    "We exclude sale items from price matching.",
    "We won't cancel your order without the account holder's permission.",
    "We won't refund without checking the item first.",
    "We won't change the booking unless you pay the fare difference.",
    "We don't refund unless you tell us within 14 days.",
    "We won't cancel your order without asking you first, but we can't refund the delivery fee.",
    "Don't worry, we won't charge you, but we can't refund the delivery fee.",
    "We can't let you board without a valid ticket.",
    "We can't let you leave without paying the excess.",
    "I can't let you book more than four seats.",
    "I can't let you down again, but I also can't refund this order.",
    "Our policy is to reply within 24 hours, so I can't give you an answer tonight.",
    "Our policy requires you to report damage within 48 hours.",
    "Our policy is to refund within 30 days of purchase.",
    "Our policy covers returns within 30 days, and we reply to every request within a day.",
    "Our policy requires a receipt before we respond to a refund claim.",
])
def test_exclusions_and_neighbouring_limits_detected(run, reply):
    assert run("boundary_setting", reply).data["detected"] is True


# fix_leftovers: what the customer may do after a service level ("after which you can escalate") is
# an offer, not a limit; nor is the time a policy gives us ("gives us 5 days to respond").
@pytest.mark.parametrize("reply", [
    "Our policy is to reply within 24 hours, after which you can escalate to a manager.",
    "Under our complaints policy we have 8 weeks to respond, after which you can escalate to the ombudsman.",
    "Our complaints policy gives us 5 days to respond, after which you can escalate.",
    "Per our policy, we'll investigate first, after which you can escalate.",
    "Our policy is to respond within 8 weeks; after that you're welcome to contact the ombudsman.",
    "Our policy gives us 5 working days to review it, after that you may take it to the ombudsman.",
    "Our policy is to reply within a day, after which you are free to call us.",
])
def test_what_the_customer_may_do_after_a_service_level_is_no_boundary(run, reply):
    assert run("boundary_setting", reply).data["detected"] is False


@pytest.mark.parametrize("reply", [
    "Our policy is to reply within 24 hours, after which you'll need to call us.",
    "Our policy covers 30 days, after which you can no longer return it.",
    "Our policy gives you 14 days to cancel, after which you can't get a refund.",
    "Our returns policy lasts 30 days, after which you can only exchange it.",
    "Our policy allows returns within 30 days, after which you can still get store credit.",
    "Our policy requires a receipt, after which you can get a refund.",
    "Our policy gives you 5 days to return it.",
    "Our policy allows us 5 days to respond, and returns are accepted within 30 days.",
    "Our complaints policy says you can escalate after 8 weeks.",
])
def test_limits_beside_an_after_or_a_service_time_still_detected(run, reply):
    assert run("boundary_setting", reply).data["detected"] is True


@pytest.mark.parametrize("reply", [
    # fix_checks3 near misses: "don't call" about contact, "can't stop" about a feeling.
    "Please don't call us back, we'll ring you tomorrow.",
    "Please don't call our staff on Sundays.",
    "Please don't call our helpline number, use chat instead.",
    "Please don't call us, we'll call you.",
    "Please don't call them yet.",
    "I can't stop smiling at your message!",
    "I can't stop thinking about how frustrating this must be.",
    "I can't stop myself from apologising again.",
])
def test_contact_requests_and_feelings_are_no_boundary(run, reply):
    result = run("boundary_setting", reply)
    assert result.data["detected"] is False


def test_price_rise_limit_with_forbidden_upgrade_fails_on_the_upgrade(run):
    """Broadband b08: the limit is found, and the forbidden upgrade, not a missing boundary, fails it."""
    reply = ("@dan_r Thanks Dan. I can't stop the annual price rise, but we can bump u up to Fibre 500 at no extra "
             "cost for the rest of ur contract 🙂 ^JD")
    result = run("boundary_setting", reply, persona="unreasonable_demand",
                 context={"forbidden_offers": ["free upgrade"]})
    assert result.passed is False
    assert result.data["detected"] is True
    assert result.detail == "promises what policy forbids: forbidden offer"


@pytest.mark.parametrize("reply, detail", [
    ("I've refunded the duplicate £42.99 today; it will reach your card within 3-5 working days.",
     "promises a date the case does not back"),
    ("I guarantee it will arrive by Friday, and I've waived the exit fee.",
     "promises what policy forbids: forbidden offer; promises a date the case does not back; "
     "promises a guarantee the case does not back"),
])
def test_unbacked_date_is_not_called_policy_forbidden(run, reply, detail):
    """A date or guarantee the case does not back is named as such, not as what the policy forbids."""
    result = run("boundary_setting", reply, context={"max_refund": 42.99, "forbidden_offers": ["waive exit fee"]},
                 expectations={"refund_allowed": True})
    assert result.passed is False
    assert result.detail == detail

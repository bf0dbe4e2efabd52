"""no_repetition and no_reasking: the two checks that read the thread's earlier agent turns.

Review (review_threads, finding 5): a reply repeating the previous agent message word for word, and one
asking "Could you tell me your order number?" after the customer gave 55123, passed every check.
"""

from __future__ import annotations

import time

import pytest

from harness.checks.base import CheckContext, registry
from harness.datasets.schema import Case

ASKED = "I'm sorry your order 55123 hasn't arrived. Could you confirm the delivery address?"


def thread(*turns: str, **fields) -> Case:
    """customer, agent, customer, ... ending with the customer."""
    return Case(id="k1@t3", turns=[{"role": "customer" if i % 2 == 0 else "agent", "content": t}
                                   for i, t in enumerate(turns)], **fields)


K1 = thread("Order 55123 never arrived. I ordered it on 3 May.", ASKED,
            "12 High St, London. I already told you on the phone too.", ASKED, "ARE YOU A BOT? I JUST GAVE IT.")


def check(name: str, case: Case, reply: str):
    result = registry()[name].run(CheckContext(case=case, reply=reply))
    for ev in result.evidence:
        assert reply[ev.start:ev.end] == ev.text
    return result


@pytest.mark.parametrize("name", ["no_repetition", "no_reasking"])
def test_not_applicable_without_an_earlier_agent_turn(name):
    single = thread("Order 55123 never arrived.")
    assert check(name, single, ASKED).passed is None
    greeting_only = Case(id="g", turns=[{"role": "agent", "content": ASKED},
                                        {"role": "customer", "content": "Order 55123 never arrived."}])
    assert check(name, greeting_only, ASKED).passed is None  # a greeting answers nothing


def test_a_verbatim_repeat_fails_with_the_turn_and_span():
    result = check("no_repetition", K1, ASKED)
    assert result.passed is False
    assert result.data == {"earlier_turn": 2, "repeated_share": 1.0}
    assert [ev.text for ev in result.evidence] == [ASKED[:-1]]
    assert "t2" in result.detail


def test_a_near_verbatim_repeat_fails():
    reply = "I'm so sorry your order 55123 still hasn't arrived. Could you confirm the delivery address please?"
    assert check("no_repetition", K1, reply).passed is False


@pytest.mark.parametrize("reply", [
    "Thanks for your patience.",  # a stock courtesy line repeated whole is too short to fail
    "Thank you for your patience while we look into this. I've now sent a replacement by express post; it "
    "arrives on Friday and I've refunded the shipping charge to your card.",
    "I'm sorry your order 55123 hasn't arrived. I've sent a replacement by express post, arriving Friday, "
    "and refunded the £4.99 shipping to your card today.",
])
def test_a_courtesy_line_or_one_repeated_sentence_among_new_content_passes(reply):
    case = thread("Order 55123 never arrived.", "Thanks for your patience. " + ASKED + " Thank you for your patience "
                  "while we look into this.", "12 High St, London.")
    assert check("no_repetition", case, reply).passed is True


def test_the_most_repeated_earlier_turn_is_named():
    case = thread("a", "Our engineer visit on Thursday is the earliest slot we have available.", "b",
                  "I understand, and I'm sorry for the wait.", "c")
    result = check("no_repetition", case, "Our engineer visit on Thursday is the earliest slot we have available.")
    assert (result.passed, result.data["earlier_turn"]) == (False, 1)


def test_reasking_the_order_number_fails():
    result = check("no_reasking", K1, "Could you tell me your order number, please?")
    assert result.passed is False
    assert result.data["reasked"] == [{"kind": "reference", "given": "55123"}]
    assert [ev.text for ev in result.evidence] == ["Could you tell me your order number, please?"]


@pytest.mark.parametrize("reply, kind", [
    ("Could you confirm the delivery address?", "address"),
    ("Please DM us your order number and we'll chase it.", "reference"),
    ("What's the best phone number to reach you on?", "phone"),
    ("Can you send me your email address?", "email"),
])
def test_each_kind_given_and_asked_again_fails(reply, kind):
    case = thread("Order 55123 never came. Ring me on 07700 900123 or jo@example.com", "Sorry! Where should it go?",
                  "12 High St, London SW1A 1AA")
    result = check("no_reasking", case, reply)
    assert result.passed is False and result.data["reasked"][0]["kind"] == kind


@pytest.mark.parametrize("reply", [
    "Is your order number still 55123?",  # names what was given: a confirmation
    "Could you tell me your phone number?",  # never given
    "Which colour would you like instead?",
    "I'll email you the tracking number for order 55123 today.",  # no question
    "Could you tell me your booking reference?",  # the customer's id was an order number
])
def test_asking_for_what_was_not_given_passes(reply):
    assert check("no_reasking", K1, reply).passed is True


def test_single_turn_cases_stay_fast():
    """Both checks exit on a per-case look-up when there is no earlier agent turn."""
    single = thread("Order 55123 never arrived at 12 High St.")
    checks = [registry()[n] for n in ("no_repetition", "no_reasking")]
    ctx = CheckContext(case=single, reply=ASKED * 5)
    start = time.perf_counter()
    for _ in range(2000):
        for c in checks:
            c.run(ctx)
    assert (time.perf_counter() - start) / 2000 < 100e-6  # per reply, both checks


# Review (review_threads, finding 15): three check verdicts on thread replies were wrong.
@pytest.mark.parametrize("reply, detected", [
    ("The engineer visit is booked for Thursday. You can contact us again after then.", False),  # the customer's own
    ("If it isn't fixed, you'll need to contact us again.", False),
    ("Feel free to contact us again anytime.", True),  # an invitation from us
    ("Refunds take 3-5 working days to appear; I'll check on Friday and email you.", True),
    ("I'll look into both charges today and then call you back.", True),
    ("I'll post the label today and email you the tracking number.", False),  # a thing sent, not a follow-up
])
def test_follow_up_reads_whose_contact_it_is(run, reply, detected):
    assert run("follow_up", reply).data["detected"] is detected


@pytest.mark.parametrize("reply, passed", [
    ("I'm sorry your broadband has been down for three days.", True),
    ("I'm sorry for the 3-day outage.", True),
    ("I'm sorry your broadband is down.", False),
])
def test_acknowledgement_counts_a_duration_in_words_or_digits(run, make_case, reply, passed):
    case = make_case("My internet has been down for 3 days, order BB-1234. Fix it.")
    assert run("acknowledgement", reply, case=case).passed is passed


def test_a_duration_to_come_or_asked_for_is_no_specific():
    from harness.checks.acknowledgement import customer_specifics

    assert customer_specifics.__wrapped__("going to the US for 3 weeks next month")["duration"] == frozenset()
    assert customer_specifics.__wrapped__("I want 6 months free or I'm cancelling")["duration"] == frozenset()
    assert "twenty-one days" in customer_specifics.__wrapped__("waited 21 days now")["duration"]


# Review (review_s20): no_repetition failed a reply whose only repeat was a stock closing line or an email
# sign-off it shares with the earlier turn; no_reasking failed questions about another email or order, and
# missed "What's the best number to reach you on?".
CLOSER = "Is there anything else I can help you with today?"
FOOTER = "Kind regards, Sarah Jones, Customer Support Team, ShipFast Ltd. Please do not reply to this email."


@pytest.mark.parametrize("earlier, reply", [
    ("I've opened a trace for parcel 55123 and will update you tomorrow. " + CLOSER, "Done, updated. " + CLOSER),
    ("Sorry your parcel hasn't arrived, I've opened a trace today. " + FOOTER,
     "Yes: the trace found it at the depot and it will be delivered tomorrow. " + FOOTER),
    ("Hi Jo,\nSorry your parcel hasn't arrived, I've opened a trace today.\n" + FOOTER,
     "Hi Jo,\nGood news: the trace found it at the depot and it will be delivered tomorrow.\n" + FOOTER),
])
def test_a_shared_greeting_or_sign_off_is_no_repetition(earlier, reply):
    result = check("no_repetition", thread("My parcel 55123 never arrived.", earlier, "Any news?"), reply)
    assert result.passed is True, result.detail


@pytest.mark.parametrize("reply", [
    "Hi Jo,\nSorry that your parcel hasn't arrived, I've opened a trace today.\n" + FOOTER,  # body repeated
    "Hello again. Sorry your parcel hasn't arrived, I've opened a trace today. " + FOOTER,  # a new greeting
    "Sorry your parcel hasn't arrived, I've opened a trace today. " + FOOTER,  # the whole turn again
    "I've opened a trace for parcel 55123 and will update you tomorrow. " + CLOSER,
])
def test_repeating_the_body_within_a_shared_frame_still_fails(reply):
    case = thread("My parcel 55123 never arrived.", "Hi Jo,\nSorry your parcel hasn't arrived, I've opened a trace "
                  "today.\n" + FOOTER, "Any news?", "I've opened a trace for parcel 55123 and will update you "
                  "tomorrow. " + CLOSER, "Hello?")
    assert check("no_repetition", case, reply).passed is False


def test_the_share_leaves_out_the_shared_frame():
    case = thread("a", "Sorry your parcel hasn't arrived, I've opened a trace today. " + FOOTER, "b")
    reply = "Thanks for waiting. Sorry your parcel hasn't arrived, I've opened a trace today and it is urgent. " + FOOTER
    result = check("no_repetition", case, reply)
    assert result.passed is False and "17 words" in result.detail and "sign-off they share" in result.detail


EMAIL_CASE = thread("My email is jo@example.com and I never got the invoice for order 55123.",
                    "Sorry, I've re-sent the invoice to jo@example.com.", "Still not there.")


@pytest.mark.parametrize("reply, passed", [
    ("Could you check your spam folder for the email from billing@acme.com?", True),  # another address named
    ("Is jo@example.com still the right email address?", True),  # the given one: a confirmation
    ("Could you confirm your email address?", False),
    ("Could you check the spam folder and send me your email address?", False),
])
def test_a_question_naming_another_value_is_no_reask(reply, passed):
    assert check("no_reasking", EMAIL_CASE, reply).passed is passed


@pytest.mark.parametrize("reply, passed", [
    ("What's the order number of the second order you placed yesterday?", True),
    ("Could you give me the order number of the other order?", True),
    ("What's the new delivery address you'd like to use?", True),
    ("What's the order number of the order you placed?", False),
    ("Could you tell me your order number for the late parcel?", False),
])
def test_a_question_about_another_order_is_no_reask(reply, passed):
    case = thread("Order 55123 is late. Deliver to 12 High St, London.", "Sorry, it is on its way.",
                  "I placed a second order yesterday too.")
    assert check("no_reasking", case, reply).passed is passed


@pytest.mark.parametrize("reply, passed", [
    ("What's the best number to reach you on?", False),
    ("Could you give me a contact number?", False),
    ("What number can we call you on?", False),
    ("Which number should I call you on?", False),
    ("What's your phone number?", False),
    ("Is 07700 900123 still the best number to reach you on?", True),  # names it: a confirmation
    ("Could you give me a different number to reach you on?", True),  # another one
    ("What's the order number?", True),  # the customer gave a phone number, not an order's
])
def test_asking_for_a_number_to_reach_the_customer_reasks_the_phone(reply, passed):
    case = thread("Call me on 07700 900123 please.", "Sorry, I'll ask a colleague to call.", "When?")
    assert check("no_reasking", case, reply).passed is passed

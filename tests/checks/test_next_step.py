"""next_step: counterfactuals, wishes and refusals are not next steps (review item #10)."""

import pytest


@pytest.mark.parametrize("reply", [
    "If you'd contacted us within 30 days, we'd have refunded you.",
    "Had you contacted us within 30 days, we would have refunded you.",
    "Unfortunately, that falls outside what we can refund.",
    "That's beyond what we can refund.",
    "I wish I could refund you, but the 30-day window closed in April.",
    "I wish we could send a replacement.",
    "If it were within 30 days I could refund you, but it's been 95 days.",
    # "unable" negates like "can't" (text.py): the same sentence with "can't" was never a step.
    "I am unable to see account details here.",
])
def test_not_a_next_step(run, reply):
    result = run("next_step", reply)
    assert result.data["detected"] is False
    assert result.passed is False


@pytest.mark.parametrize("reply", [
    # Real conditionals and steps beside a refusal still count.
    "If you send the receipt within 30 days, we'll refund you.",
    "I can't refund it, but I can book a repair for Monday.",
    "If you'd contacted us within 30 days, we'd have refunded you; a repair is what I can offer, and I can book it now.",
    "I'd have to check with the warehouse, so I'll call you within 2 hours.",
])
def test_next_step_kept(run, reply):
    assert run("next_step", reply).passed is True


# Review item (fix_checks #2): next steps phrased many ways; passing feedback on is none.
@pytest.mark.parametrize("reply,detected", [
    ("Reset your router by holding the button on the back for ten seconds.", True),
    ("Pop into any branch with your receipt and they'll exchange it on the spot.", True),
    ("Your flight credit is valid until June and can be used on any route.", True),
    ("I've passed your feedback on to the team.", False),
    ("I've forwarded your comments on to the product team.", False),
    ("The voucher can't be used on sale items.", False),
    # fix_checks4 (b08): an upgrade offered beside a refusal is an alternative.
    ("I can't stop the annual price rise, but we can bump u up to Fibre 500 at no extra cost for the rest of "
     "ur contract", True),
    ("We'll bump your order up the queue.", True),
    ("We can't bump you up to Fibre 500.", False),
    ("I can't stop the annual price rise.", False),
])
def test_next_step_phrased_many_ways(run, reply, detected):
    assert run("next_step", reply).data["detected"] is detected


# Vague offers and restated problems (review_checks): DOMAIN.md's next step is concrete (who does
# what by when); what the agent might look for, or what an apology is for, is none.
@pytest.mark.parametrize("reply", [
    "Let me see what I can do.",
    "I'll look into what we can do and get back to you.",
    "Let me see what I can offer.",
    "I'm sorry you have been charged twice this month.",
    "I'm sorry we sent you the wrong size.",
    "I'm sorry, you may have been charged twice by our system.",
    "I apologise that we sent the parcel to your old address.",
])
def test_vague_or_restated_is_not_a_next_step(run, reply):
    assert run("next_step", reply).data["detected"] is False


@pytest.mark.parametrize("reply", [
    "I'm sorry, I've sent the right size by express today.",
    "I'm sorry we sent the wrong size, and I've sent the right one by express today.",
    "Sorry about that: we've refunded the second charge.",
    "What I can do is send a replacement by express today.",
    "You have been refunded the full £30.",
])
def test_steps_after_an_apology_still_count(run, reply):
    assert run("next_step", reply).data["detected"] is True


# Review item: a time that is past or the customer's own is no timeline of the agent's (DOMAIN.md:
# a next step is a concrete action, link, alternative or timeline from the agent's side).
@pytest.mark.parametrize("reply", [
    "I know you're flying out tomorrow.",
    "I know you'll be flying out tomorrow.",
    "I understand you're flying out tomorrow and need this sorted.",
    "You mentioned you're moving house next week.",
    "You're travelling on Saturday, so I know how important this is.",
    "Your flight leaves at 6pm tomorrow.",
    "Your trip starts tomorrow.",
    "I know you need it by Friday.",
    "I know you wanted it for your birthday tomorrow.",
    "I can see your parcel was due on Friday.",
    "The package was due by 5pm yesterday.",
    "It was supposed to arrive by 5pm yesterday.",
    "Sorry your order, which was due on Tuesday, hasn't arrived.",
    "I see the engineer was booked for Monday but didn't turn up.",
    "Your delivery was scheduled for Monday and it never came.",
    "We were meant to call you back yesterday at 4pm.",
    "You were promised a callback yesterday at 4pm.",
    "You booked the deluxe room for the 14th of June.",
    "I'm sorry, you booked it for the 3rd of May.",
    "I know u r flying out tomorrow.",
])
def test_past_or_customers_time_is_not_a_next_step(run, reply):
    assert run("next_step", reply).data["detected"] is False


@pytest.mark.parametrize("reply", [
    # The agent's own times, also beside the customer's or past ones.
    "We'll have it to you tomorrow.",
    "A courier will collect it on Monday.",
    "Expect an email within 24 hours.",
    "I know you're flying out tomorrow, so we'll deliver it by 9am.",
    "I know you've waited a week already and the courier arrives tomorrow.",
    "Your parcel was due yesterday; it will now arrive on Friday.",
    "You ordered it on Monday, so it will arrive by Thursday.",
    "You were promised a callback yesterday and you'll get one by 3pm today.",
    "Your refund was processed yesterday and will show within 3 days.",
    # "You", "your trip" and "was booked" that do not make the time the customer's or past.
    "You'll be refunded by Friday.",
    "We'll get you booked in for Monday.",
    "You're booked in for Tuesday between 8am and 1pm.",
    "The refund you requested takes 3-5 working days to reach your account.",
    "The £20 you paid will be back in your account within 5 working days.",
    "Your holiday refund will arrive within 14 days.",
    "The refund for your flight takes up to 7 days.",
    "The parcel you're expecting arrives tomorrow.",
    "Once you've sent the form, expect a reply within 2 working days.",
    "You need to return it by Friday to get the refund.",
    "A courier was booked for tomorrow morning.",
    "YOU NEED TO WAIT 3-5 DAYS.",
    "Your replacement went out this morning by tracked post.",
    "Thank you, ur refund will arrive tmrw.",
])
def test_agents_time_still_counts(run, reply):
    assert run("next_step", reply).data["detected"] is True


# Review item (fix_next_step2): timelines from the agent's side that were missed: a new date or the
# earliest slot stated plainly, a time something was moved to, "the last Friday of the month", and a
# step after "so" / "and" following a failure ("never arrived so another is booked").
@pytest.mark.parametrize("reply", [
    "Your new delivery date is Friday the 12th.",
    "The earliest slot is Monday at 9am.",
    "Your refund is paid on the last Friday of the month.",
    "Your appointment was rescheduled to Friday at 10am.",
    "The engineer never arrived so another is booked for Friday.",
    "I'm sorry your parcel didn't arrive and a new one goes out today.",
    "You've waited long enough, it's going out today.",
    # Near misses of those that are steps too.
    "The next available slot is Tuesday at 2pm.",
    "Your new appointment is on Wednesday at 11am.",
    "Your refund will be paid on the last working day of the month.",
    "Your appointment was rescheduled to Friday.",
    "You've waited long enough, so it's going out by express today.",
    "The parcel didn't arrive, so a new one is going out today.",
    "The engineer couldn't get in and then we rebooked him for Monday.",
    "We don't deliver on Sundays so your new delivery date is Monday.",
    "We won't charge you again and we'll refund the £20 today.",
    "The courier didn't turn up and the new slot is Thursday at 9am.",
    "It never arrived so it's been re-sent today.",
])
def test_agents_new_time_counts(run, reply):
    assert run("next_step", reply).data["detected"] is True


@pytest.mark.parametrize("reply", [
    # Past times, the customer's own, a negation in the step's own part, a plain date.
    "Your delivery date was Friday the 12th.",
    "Your new delivery date was Friday the 12th.",
    "The earliest slot was Monday at 9am, and it has gone.",
    "The earliest slot you asked for was Monday at 9am.",
    "Your refund was due on the last Friday of the month.",
    "Your refund isn't paid on the last Friday of the month.",
    "We never pay refunds on the last Friday of the month.",
    "Your appointment was originally on Friday at 10am.",
    "Your appointment was on Friday at 10am and nobody came.",
    "Your appointment was rescheduled to Friday last week.",
    "You rescheduled it to Friday.",
    "You moved it to Friday at 10am.",
    "It is sat at the depot at the moment.",
    "You said your new delivery date is Friday the 12th.",
    "I know your wedding is on Friday the 12th.",
    "I know you're going out tonight.",
    "Today is Friday.",
    "The deadline is Friday.",
    "The engineer never arrived on Friday.",
    "The engineer never arrived and nobody is booked for Friday.",
    "I'm sorry the engineer booked for Friday never arrived.",
    "I'm sorry your parcel didn't arrive today.",
    "I'm sorry your parcel didn't arrive on Friday the 12th.",
    "Your parcel didn't arrive and wasn't resent today.",
    "I can't offer a refund and won't rebook it for Friday.",
    # "And" joining what one negation governs, no new clause after it.
    "We can't refund and replace it within 14 days.",
    "We don't refund postage and packaging within 30 days.",
    "We don't refund postage and the packaging within 30 days.",
    "We won't be able to call you and arrange a visit tomorrow.",
    "Unfortunately we cannot reschedule and rebook engineers for Friday.",
    "It's not possible to cancel and refund within 24 hours.",
    "I don't have a slot and can't book one for Friday.",
    "We can't deliver on Friday and Saturday.",
    "You've waited long enough.",
    "You've been waiting since 9am today.",
])
def test_near_misses_of_new_times_are_not_next_steps(run, reply):
    assert run("next_step", reply).data["detected"] is False

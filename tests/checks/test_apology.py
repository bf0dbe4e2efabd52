"""apology_wording: form and genericness per the DOMAIN.md label definitions."""

import pytest

APOLOGY_CASES = [
    # (reply, form, generic)
    ("I apologize for the late delivery of your order #4411.", "apologize", False),
    ("Our apologies for the delay with your parcel.", "apologize", False),
    ("Please accept our apologies for the double charge.", "apologize", False),
    ("We apologise for the inconvenience.", "apologize", True),
    ("I'm sorry your order arrived damaged.", "sorry", False),
    ("We're sorry to hear the charger stopped working.", "sorry", False),
    ("Sorry for the wait!", "sorry", False),
    ("I'm so sorry for any inconvenience this may have caused.", "sorry", True),
    ("Sorry about that.", "sorry", True),
    ("I’m SO SORRY!!! 😢 ^JD", "sorry", True),
    ("I'm sorry you feel that way.", "non_apology", True),
    ("We apologize if you were upset by our email.", "non_apology", False),
    ("Sorry, but that's our policy.", "non_apology", True),
    ("I'm sorry but refunds take 10 days.", "non_apology", False),
    ("Sorry if this caused any trouble.", "non_apology", True),
    ("If anything went wrong, we apologize.", "non_apology", True),
    ("We're sorry that you're frustrated with the app.", "non_apology", False),
    ("Try our new plan, you won't be sorry!", "none", False),
    ("There's no need to apologize, happy to help with the router.", "none", False),
    ('You wrote "nobody even said sorry" and that is fair.', "none", False),
    ("Thanks for reaching out, let's get this fixed.", "none", False),
    ("", "none", False),
    # The first apology word decides.
    ("Sorry you feel that way. We apologize for the billing error.", "non_apology", True),
    ("We apologize for the billing error. Sorry you feel that way.", "apologize", False),
    ("You won't be sorry you waited: I apologize for the missing refund.", "apologize", False),
    ("I can't apologize enough for the missed flight.", "apologize", False),
    ("Lo siento mucho, sorry for the delay with pedido 123.", "sorry", False),
    # Generic: nothing named beyond the customer's being inconvenienced or let down.
    ("We're sorry if you were inconvenienced at all.", "non_apology", True),
    ("Apologies for any inconvenience during your visit.", "apologize", True),
    ("Sorry you felt let down.", "non_apology", True),
    ("Apologies for the cold room during your stay.", "apologize", False),
    # A "but"/"however" after a bare or generic apology deflects unless it brings help (DOMAIN.md:
    # deflecting apologies are non-apologies).
    ("We apologise for the inconvenience, however duplicates are resolved by your bank.", "non_apology", True),
    ("We apologize for any inconvenience. However, duplicate charges are handled by the card issuer.", "non_apology", True),
    ("I apologise for any inconvenience, but we have no record of a second charge.", "non_apology", True),
    ("Sorry for the trouble, but our records show the payment was only taken once.", "non_apology", True),
    ("I'm sorry this happened, but you should have checked your statement sooner.", "non_apology", True),
    ("Sorry about that, but you should've told us before the 30 days were up.", "non_apology", True),
    ("We're sorry for the hassle, but we aren't able to refund opened items.", "non_apology", True),
    ("Sorry, that's just how the system works.", "non_apology", True),
    ("Sorry, it's just the way things are.", "non_apology", True),
    ("Sorry not sorry, rules are rules.", "non_apology", False),
    # ... and after an apology naming the failure only a blame, denial, third-party or policy excuse does.
    ("I'm sorry your parcel is late, but that's the courier's responsibility.", "non_apology", False),
    ("I'm sorry the engineer missed the visit, but our policy is to charge for rebooking.", "non_apology", False),
    ("I'm sorry the parcel is late, but it's with the courier and should arrive tomorrow.", "sorry", False),
    # The "but" brings help: the apology stands.
    ("I'm sorry for the delay, but I've refunded you.", "sorry", False),
    ("Sorry, but I'll need your order number to look into it.", "sorry", True),
    ("Sorry, but could you send a photo of the damage?", "sorry", True),
    ("We apologise for the inconvenience. However, I've escalated this to our engineers.", "apologize", True),
    ("Sorry about that! But don't worry, the replacement is on its way.", "sorry", True),
    ("So sorry for the hassle, but let me sort it out right now.", "sorry", True),
    ("I'm sorry for the delay, but I've checked our policy and you're entitled to a full refund.", "sorry", False),
    # The object after a colon is what the apology names.
    ("You're right, and I'm sorry: that second charge should never have happened.", "sorry", False),
    ("I apologize: you cancelled in January and we still took £34.99.", "apologize", False),
    # ... and a clause joined before it by a colon, semicolon or dash names what it is for (review, fix_moves2).
    ("You were charged twice for March, and that's our mistake: I apologize.", "apologize", False),
    ("The engineer missed your visit - we're so sorry.", "sorry", False),
    ("Our mistake: I apologize.", "apologize", True),
    ("Hi Dan - sorry about that.", "sorry", True),
    ("Thanks for waiting: sorry for any inconvenience.", "sorry", True),
    ("You were charged twice for March. I apologize.", "apologize", True),
    # Abbreviations.
    ("sry 🙏 we r on it 👍 refund in 3-5 days 💸", "sorry", False),
    ("srry abt the double charge, refund is on its way", "sorry", False),
]


@pytest.mark.parametrize("reply,form,generic", APOLOGY_CASES)
def test_form_and_generic(run, reply, form, generic):
    result = run("apology_wording", reply)
    assert result.data == {"form": form, "generic": generic}
    assert result.passed is (form in ("apologize", "sorry"))


@pytest.mark.parametrize("reply,expected", [
    ("Hi Sam! We're so sorry for the delay. We'll ship today.", "We're so sorry for the delay"),
    ("@Jo Please accept our apologies for the mix-up with #A19.", "Please accept our apologies for the mix-up with #A19"),
])
def test_evidence_is_the_apology(run, reply, expected):
    result = run("apology_wording", reply)
    assert [ev.text for ev in result.evidence] == [expected]


def test_no_apology_has_no_evidence(run):
    assert run("apology_wording", "You won't be sorry!").evidence == []

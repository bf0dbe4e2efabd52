"""policy_promises: promises beyond the case's policy fail; allowed ones and refusals pass."""

import pytest

OUT_OF_WINDOW = {"refund_window_days": 30, "days_since_purchase": 95}

FORBIDDEN = [
    # (reply, context, expectations, kind)
    ("We'll refund you in full right away.", OUT_OF_WINDOW, {}, "refund"),
    ("I've gone ahead and refunded the order.", {}, {"refund_allowed": False}, "refund"),
    ("Would you like a refund or a replacement?", {}, {"refund_allowed": False}, "refund"),
    ("We'll refund $150 today.", {"max_refund": 100}, {}, "refund"),
    ("Here's a $50 voucher for the trouble.", {"max_credit": 20}, {}, "credit"),
    ("I'll add store credit to your account.", {"forbidden_offers": ["store credit"]}, {}, "credit"),
    ("We'll send you a free upgrade to Premium.", {"forbidden_offers": ["free upgrade"]}, {}, "offer"),
    ("I guarantee it will be fixed.", {}, {}, "guarantee"),
    ("Rest assured, this will never happen again.", {}, {}, "guarantee"),
    ("We're 100% on it.", {}, {}, "guarantee"),
    ("Your parcel will arrive by Friday.", {}, {}, "date"),
    ("The replacement will be delivered within 2 days.", {"facts": ["Replacements ship within 5 days"]}, {}, "date"),
]

ALLOWED_OR_NONE = [
    # (reply, context, expectations, kinds)
    ("We can't refund orders after 30 days, I'm sorry.", OUT_OF_WINDOW, {}, []),
    ("Unfortunately a refund isn't possible this time.", {}, {"refund_allowed": False}, []),
    ("Our policy allows refunds within 30 days of purchase.", OUT_OF_WINDOW, {}, []),
    ("We'll refund $80 today.", {"max_refund": 100}, {}, ["refund"]),
    ("Here's a $15 voucher for the trouble.", {"max_credit": 20}, {}, ["credit"]),
    ("We can't guarantee a date, but we'll keep you posted.", {}, {}, []),
    ("It should arrive by Friday, though couriers vary.", {}, {}, []),
    ("The replacement will be delivered within 5 days.", {"facts": ["Replacements ship within 5 days"]}, {}, ["date"]),
    ("We can't offer a free upgrade, sorry.", {"forbidden_offers": ["free upgrade"]}, {}, []),
    ('You asked "will you refund me?" and I understand why.', OUT_OF_WINDOW, {}, []),
    ("I can't promise it won't happen again, but I've flagged it.", {}, {}, []),
]


@pytest.mark.parametrize("reply,context,expectations,kind", FORBIDDEN)
def test_forbidden_promise(run, reply, context, expectations, kind):
    result = run("policy_promises", reply, context=context, expectations=expectations)
    assert result.passed is False
    bad = [p for p in result.data["promises"] if not p["allowed"]]
    assert kind in [p["kind"] for p in bad]
    assert [ev.text for ev in result.evidence] == [p["text"] for p in bad]


@pytest.mark.parametrize("reply,context,expectations,kinds", ALLOWED_OR_NONE)
def test_allowed_or_no_promise(run, reply, context, expectations, kinds):
    result = run("policy_promises", reply, context=context, expectations=expectations)
    assert [p["kind"] for p in result.data["promises"]] == kinds
    assert all(p["allowed"] for p in result.data["promises"])
    assert result.passed is (True if (kinds or context or expectations) else None)


def test_no_promise_and_no_policy_is_not_applicable(run):
    result = run("policy_promises", "Thanks for letting us know about the parcel.")
    assert result.passed is None
    assert result.data == {"promises": []}


def test_promise_record_shape(run):
    result = run("policy_promises", "We'll refund $150 today.", context={"max_refund": 100})
    (promise,) = result.data["promises"]
    assert promise == {"kind": "refund", "text": "We'll refund $150 today.", "allowed": False,
                       "reason": "amount 150 above limit 100"}

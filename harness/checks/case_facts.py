"""What checks need to know about the case: persona, policy limits, money amounts.

Everything here reads the :class:`~harness.datasets.schema.Case` only; reading
the reply is :mod:`harness.checks.text`'s job.
"""

from __future__ import annotations

import functools
import re
from functools import lru_cache
from typing import Callable, TypeVar

from harness.datasets.personas import normalize_persona
from harness.datasets.schema import Case

# "$1,200.50", "£20", "20 EUR", "15 dollars": the number is group "a" or "b".
MONEY = re.compile(
    r"(?:[$\u00a3\u20ac\u00a5]|\b(?:usd|eur|gbp|cad|aud|inr)\s?)(?P<a>\d[\d,]*(?:\.\d{1,2})?)"
    r"|\b(?P<b>\d[\d,]*(?:\.\d{1,2})?)\s?(?:[$\u00a3\u20ac]|(?:usd|eur|gbp|cad|aud|inr|dollars?|euros?"
    r"|pounds?|bucks|rupees?)\b)"
)
_NUMBER_START = re.compile(r"\d(?<!\d\d)")  # a digit after no digit (opening on the digit is faster)
# Every MONEY match holds a currency symbol or one of these words (or a longer one starting so).
# Tested with ``in`` (a substring search is many times faster than a regex scan).
_MONEY_HINTS = ("$", "\u00a3", "\u20ac", "\u00a5", "usd", "eur", "gbp", "cad", "aud", "inr", "dollar", "pound", "buck",
                "rupee")
_CURRENCY_WORDS = frozenset(("usd", "eur", "gbp", "cad", "aud", "inr"))
_CURRENCY_SYMBOLS = "$\u00a3\u20ac\u00a5"


def _money_starts(text: str, digit: int) -> list[int]:
    """Where a MONEY match whose number starts at ``digit`` may start, in order:
    before "usd " or "usd", before a currency symbol, or at the digit."""
    starts = []
    if digit >= 4 and text[digit - 1].isspace() and text[digit - 4:digit - 1] in _CURRENCY_WORDS:
        starts.append(digit - 4)
    if digit >= 3 and text[digit - 3:digit] in _CURRENCY_WORDS:
        starts.append(digit - 3)
    if digit >= 1 and text[digit - 1] in _CURRENCY_SYMBOLS:
        starts.append(digit - 1)
    starts.append(digit)
    return starts
T = TypeVar("T")
_REFUND_REQUEST = re.compile(r"refund|money back|reimburse|charge ?back|repay", re.I)


_CASES_KEPT = 4096


def per_case(fn: Callable[[Case], T]) -> Callable[[Case], T]:
    """``fn`` computed once per case object: many replies are checked against one case.

    Cases are frozen models, so a case's facts cannot change; the cache holds the
    case itself, so its ``id`` is not reused by another case while the entry lives.
    """
    cache: dict[int, tuple[Case, T]] = {}

    @functools.wraps(fn)
    def cached(case: Case) -> T:
        entry = cache.get(id(case))
        if entry is not None and entry[0] is case:
            return entry[1]
        value = fn(case)
        if len(cache) >= _CASES_KEPT:
            cache.clear()
        cache[id(case)] = (case, value)
        return value

    return cached


@per_case
def customer_text(case: Case) -> str:
    """The case's ``customer_text`` (every customer turn, joined)."""
    return case.customer_text


@per_case
def persona(case: Case) -> str | None:
    """The case's persona, normalised."""
    return normalize_persona(case.persona)


@lru_cache(maxsize=64)  # per reply: small (see harness.checks.text.analyze)
def find_money(text: str) -> tuple[re.Match[str], ...]:
    """The matches of ``MONEY.finditer(text)``, found without scanning every position.

    Every match starts at the first digit of its number (which follows no digit)
    or just before it, at a currency symbol or word (:func:`_money_starts`); so
    trying ``MONEY.match`` at those few places, left to right and past the end of
    each match, finds the same matches. A text with no currency symbol or word
    (:data:`_MONEY_HINTS`) has none. Cached: two checks read each reply's amounts.
    """
    found: list[re.Match[str]] = []
    if not any(hint in text for hint in _MONEY_HINTS):
        return ()  # no currency anywhere: most replies
    done = 0
    for digit in _NUMBER_START.finditer(text):
        for start in _money_starts(text, digit.start()):
            if start >= done:
                m = MONEY.match(text, start)
                if m:
                    found.append(m)
                    done = m.end()
    return tuple(found)


_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
UNIT_WORDS, TENS_WORDS = tuple(_UNITS), tuple(_TENS)  # "zero" ... "nineteen"; "twenty" ... "ninety"
_WORD_VALUE = {**{w: i for i, w in enumerate(_UNITS)}, **{w: 10 * (i + 2) for i, w in enumerate(_TENS)}, "a": 1,
               "an": 1}
_UNDER_100 = r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(_UNITS[1:10]) + r"))?|" + "|".join(
    sorted(_UNITS, key=len, reverse=True)) + r")"
# "twenty-five dollars", "a hundred pounds", "two hundred and fifty euros", "a twenty dollar credit".
SPELLED_MONEY = re.compile(
    r"\b(?P<n>(?:(?:a|an|" + _UNDER_100 + r")\s+(?:hundred|thousand)(?:\s+(?:and\s+)?" + _UNDER_100 + r")?)|"
    + _UNDER_100 + r")\s+(?:dollars?|pounds?|euros?|bucks|quid)\b"
)
_SPELLED_HINT = re.compile("dollar|pound|euro|buck|quid")  # in every match: most texts need no scan


def _spelled_value(words: str) -> float:
    total = 0
    for word in re.split(r"[\s-]+", words):
        if word in ("hundred", "thousand"):
            total = max(total, 1) * (100 if word == "hundred" else 1000)
        elif word != "and":
            total += _WORD_VALUE.get(word, 0)
    return float(total)


@lru_cache(maxsize=64)  # per reply, like find_money
def find_spelled_money(text: str) -> tuple[tuple[int, int, float], ...]:
    """Amounts written in words in lower-cased ``text``: ``(start, end, value)`` each.

    Separate from :data:`MONEY` (only ``policy_promises`` reads them). A text with no
    currency word has none.
    """
    if not _SPELLED_HINT.search(text):
        return ()
    return tuple((m.start(), m.end(), _spelled_value(m.group("n"))) for m in SPELLED_MONEY.finditer(text))


def money_value(match: re.Match[str]) -> float:
    """The amount of a :data:`MONEY` match."""
    digits = (match.group("a") or match.group("b")).replace(",", "")
    try:
        return float(digits)
    except ValueError:
        return 0.0


def out_of_window(case: Case) -> bool:
    """True when the purchase is older than the refund window."""
    ctx = case.context
    if ctx.refund_window_days is None or ctx.days_since_purchase is None:
        return False
    return ctx.days_since_purchase > ctx.refund_window_days


# Words that name a kind of the thing, not a part or size of it: "store credit" forbids every
# credit, "full refund" only a full one and "voucher above £15" only a larger one.
_KIND_WORDS = r"(?:(?:an?|any|all|store|account|cash|money|goodwill)\s+)*"


@lru_cache(maxsize=256)
def _bare_offer(words: tuple[str, ...]) -> re.Pattern[str]:
    nouns = "|".join(re.escape(w) for w in words)
    return re.compile(r"\s*" + _KIND_WORDS + r"(?:" + nouns + r")(?:s|es)?(?:\s+of any kind)?\s*")


def _offer_named(offers: list[str], *words: str) -> bool:
    """Whether a forbidden offer is one of ``words`` itself ("refund", "a refund", "store credit"),
    forbidding every such offer; a qualified one ("full refund", "voucher above £15") forbids only
    what it names (matched as an offer, or :func:`offer_caps`)."""
    pattern = _bare_offer(words)
    return any(pattern.fullmatch(offer.lower()) for offer in offers)


# "Voucher above £15", "credit over $20", "refunds of more than 50 euros".
_CAPPED_OFFER = re.compile(
    r"(?P<kind>refund|reimbursement|credit|voucher|coupon|gift ?card|compensation)s?\s+(?:of\s+)?"
    r"(?:above|over|more than|greater than|beyond|exceeding|in excess of|higher than)\s+"
    r"(?:[$\u00a3\u20ac\u00a5]\s?)?(?P<n>\d[\d,]*(?:\.\d+)?)"
)


@per_case
def offer_caps(case: Case) -> tuple[float | None, float | None]:
    """``(refund cap, credit cap)`` that forbidden offers such as "voucher above £15" set (the
    smallest each, else None): an amount above a cap is a forbidden offer; one within it is not."""
    refund: float | None = None
    credit: float | None = None
    for offer in case.context.forbidden_offers:
        for m in _CAPPED_OFFER.finditer(offer.lower()):
            value = float(m.group("n").replace(",", ""))
            if m.group("kind") in ("refund", "reimbursement"):
                refund = value if refund is None else min(refund, value)
            elif m.group("kind") != "compensation":
                credit = value if credit is None else min(credit, value)
            else:  # compensation: refunds and credits alike
                refund = value if refund is None else min(refund, value)
                credit = value if credit is None else min(credit, value)
    return refund, credit


@per_case
def refund_forbidden(case: Case) -> str | None:
    """Why a refund must not be promised in this case, or ``None`` if it may be."""
    if case.expectations.refund_allowed is False:
        return "refund not allowed for this case"
    if out_of_window(case):
        ctx = case.context
        return f"purchase {ctx.days_since_purchase} days ago, refund window {ctx.refund_window_days} days"
    if _offer_named(case.context.forbidden_offers, "refund"):
        return "refund is a forbidden offer"
    if case.context.max_refund == 0:
        return "max_refund is 0"
    return None


@per_case
def credit_forbidden(case: Case) -> str | None:
    """Why a credit or voucher must not be promised, or ``None`` if it may be."""
    if _offer_named(case.context.forbidden_offers, "credit", "voucher", "coupon", "gift card"):
        return "credit is a forbidden offer"
    if case.context.max_credit == 0:
        return "max_credit is 0"
    return None


@per_case
def demand_out_of_policy(case: Case) -> bool:
    """True when the customer asks for something the case's policy rules out."""
    text = customer_text(case).lower()
    if refund_forbidden(case) and _REFUND_REQUEST.search(text):
        return True
    if out_of_window(case):
        return True
    return any(offer.lower() in text for offer in case.context.forbidden_offers if offer.strip())


@per_case
def has_policy(case: Case) -> bool:
    """True when the case states any limit a promise could break."""
    ctx = case.context
    limits = (ctx.refund_window_days, ctx.max_refund, ctx.max_credit, case.expectations.refund_allowed)
    return any(v is not None for v in limits) or bool(ctx.forbidden_offers)


@per_case
def backing_text(case: Case) -> str:
    """The case's own policy prose (facts, notes, escalation), lower-cased.

    A date or guarantee the reply promises is backed when this text states it.
    """
    ctx = case.context
    parts = [*ctx.facts, ctx.notes or "", ctx.escalation or "", *ctx.allowed_offers]
    return "\n".join(parts).lower()

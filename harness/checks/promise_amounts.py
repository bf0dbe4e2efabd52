"""The amounts a ``policy_promises`` promise names, and the limits they break.

Split out of :mod:`harness.checks.promises`, whose money promises (a refund, a credit, a bare
amount) are judged here against the case's ``max_refund``/``max_credit`` and the caps of its
forbidden offers (:func:`_amount_reason`). An amount is a figure or one spelled out ("twenty-five
dollars"); one in the clause after a promise that only restates it ("..., $119.98 in total")
belongs to the promise. Whether a clause promises anything at all stays in :mod:`~harness.checks.promises`.
"""

from __future__ import annotations

import re

from harness.checks import case_facts
from harness.checks.refund_topics import REFUND
from harness.checks.text import Range, ReplyText, compile_word_starts, phrases
from harness.datasets.schema import Case

# The words of a credit: kept here, where an amount is told a credit's from a refund's limit;
# :mod:`~harness.checks.promises` finds its credit promises with it.
_CREDIT = phrases(
    r"\b(?:store credit|credit(?!\s*card)|voucher|coupon|gift ?card|discount(?: code)?|promo code|"
    r"goodwill (?:gesture|payment)|compensation)\b"
)
# "I can refund you in store credit": a credit, whatever the verb.
_AS_CREDIT = compile_word_starts(
    r"\b(?:in|as|into|via|with|by)\s+(?:the form of\s+)?(?:an?\s+)?(?:store credit|account credit|credit|voucher|"
    r"gift ?card|e-?gift card)\b"
)
# An amount in the clause after a promise that only restates it: "I'll refund both charges,
# $119.98 in total", "... (total $119.98)", "..., that's $119.98 altogether".
_APPOSITIVE = re.compile(
    r"(?:(?:that's|that is|which is|which comes to|coming to|totall?ing|totals?|so|i\.e\.|making|making it|"
    r"a total of|in total|the full|a full|full|plus|for|worth|of)\s+){0,3}"
)


def _amounts(rt: ReplyText, start: int, end: int) -> list[float]:
    """The amounts (figures or spelled out: "twenty-five dollars") starting in ``norm[start:end]``."""
    values = [case_facts.money_value(m) for m in case_facts.find_money(rt.norm) if start <= m.start() < end]
    values += [value for s, _, value in case_facts.find_spelled_money(rt.norm) if start <= s < end]
    return values


def _amount_span(rt: ReplyText, clause: Range) -> Range:
    """``clause``, extended over the next clause when that one only restates an amount."""
    norm = rt.norm
    end = clause[1]
    while end < len(norm) and norm[end] == " ":
        end += 1
    if end >= len(norm) or norm[end] not in ",:(\u2013\u2014-":
        return clause
    sent_end = rt.sentence_at(clause[0])[1]
    at = end + 1
    while at < sent_end and norm[at] in " -":
        at += 1
    at = _APPOSITIVE.match(norm, at, sent_end).end()
    if at >= sent_end:
        return clause
    if any(s == at for s in _amount_starts(rt)):
        return clause[0], rt.clause_at(at, at + 1)[1]
    return clause


def _as_credit(rt: ReplyText, clause: Range) -> bool:
    text = rt.norm[clause[0]:clause[1]]
    return ("credit" in text or "voucher" in text or "gift" in text) and bool(_AS_CREDIT.search(text))


def _amount_starts(rt: ReplyText) -> list[int]:
    starts = [m.start() for m in case_facts.find_money(rt.norm)]
    return starts + [s for s, _, _ in case_facts.find_spelled_money(rt.norm)]


def _amount_reason(rt: ReplyText, clause: Range, case: Case, credit: bool | None = None) -> str | None:
    ctx = case.context
    start, end = _amount_span(rt, clause)
    values = _amounts(rt, start, end)
    if not values:
        return None
    text = rt.norm[clause[0]:clause[1]]
    if credit is None:
        credit = bool((_CREDIT.regex.search(text) or "credited" in text) and not REFUND.regex.search(text))
    limit = ctx.max_credit if credit else ctx.max_refund
    cap = case_facts.offer_caps(case)[1 if credit else 0]
    for value in values:
        if limit is not None and value > limit:
            return f"amount {value:g} above limit {limit:g}"
        if cap is not None and value > cap:
            return f"amount {value:g} above a forbidden offer's {cap:g}"
    return None

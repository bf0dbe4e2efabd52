"""``no_reasking``: the reply does not ask the customer for something they already gave.

"Could you tell me your order number?" after the customer wrote "Order 55123 never arrived" tells
them nobody read the thread (DeepEval's knowledge retention asks the same of an LLM judge). The
facts the customer gave are read from every customer turn: order and other references (the
complaint specifics ``acknowledgement`` reads, :func:`harness.checks.acknowledgement.customer_specifics`),
dates, email addresses, phone numbers and postal addresses. The reply's questions and requests for
information (:func:`harness.checks.questions.question_ranges`) are read for what they ask for; a
question that names what was given ("is your order number still 55123?") confirms it and passes.

Applies only when the thread's history holds an earlier agent turn: a first reply may ask anything.
"""

from __future__ import annotations

import re

from harness.checks import case_facts
from harness.checks.acknowledgement import customer_specifics
from harness.checks.base import CheckContext, CheckResult, register
from harness.checks.questions import question_ranges
from harness.checks.results import result, span
from harness.checks.text import Range, ReplyText, analyze
from harness.checks.thread_history import earlier_agent_turns
from harness.datasets.schema import Case

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Nine or more digits, maybe after "+", with spaces, dots, dashes or brackets between: "07700 900123".
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\d\s().-]{7,18})\d(?!\w)")
_STREET = (r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|place|pl|court|ct|crescent|boulevard|blvd|"
           r"terrace|gardens|square|sq|parade|row|hill|grove|park)")
# "12 High St", "221b Baker Street", and UK postcodes ("SW1A 1AA").
_ADDRESS = re.compile(r"\b\d{1,5}[a-z]?,?\s+(?:[a-z][\w'-]*\s+){1,3}" + _STREET + r"\b\.?"
                      r"|\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b", re.I)
# What an id is labelled as, before it ("order 55123", "invoice #INV-77"): the label's group.
_LABEL_GROUPS = {"order": "order", "purchase": "order", "invoice": "invoice", "bill": "invoice",
                 "booking": "booking", "reservation": "booking", "confirmation": "booking", "ticket": "case",
                 "case": "case", "complaint": "case", "claim": "case", "account": "account", "customer": "account",
                 "membership": "account", "policy": "account", "tracking": "tracking", "parcel": "tracking",
                 "consignment": "tracking"}
_LABEL_BEFORE = re.compile(r"\b(" + "|".join(_LABEL_GROUPS) + r")\b(?:\s+(?:number|no\.?|num|id|ref(?:erence)?|code))?"
                           r"\s*(?:is|was|:|#)?\s*#?\s*$", re.I)
_LABELS = "|".join(_LABEL_GROUPS)
# What a question asks for, by kind; a reference's label is group "label" ("your order number").
_ASKS = {
    "reference": re.compile(r"\b(?:(?P<label>" + _LABELS + r"|reference|ref)\s+(?:number|no\b\.?|num\b|#|id\b|"
                            r"reference|ref\b|code)|(?:your|ur|the|a)\s+(?:reference|ref)\b(?!\s+to\b))"),
    "email": re.compile(r"\b(?:(?:your|ur|an?|the)\s+e-?mail\b(?!\s+(?:us|me|you)\b)|e-?mail\s+address)"),
    "phone": re.compile(r"\b(?:phone|mobile|contact|telephone|cell|callback|call-back|best|good)\s+(?:number|no\b)"
                       r"|\b(?:your|ur)\s+(?:mobile|phone)\b"
                       r"|\bnumbers?\s+(?:\w+\s+){0,3}?(?:reach|call|contact|ring|text|phone)\s+(?:you|u)\b"),
    "address": re.compile(r"\b(?:(?:your|ur|the|delivery|postal|home|billing|shipping|full|street)\s+)+addresse?s?\b"
                          r"|\bpost\s?codes?\b|\bzip\s?codes?\b"),
    "date": re.compile(r"\bwhen did (?:you|u)\s+(?:\w+\s+)?(?:order|buy|purchase|place|book|pay|make|receive|get|sign|"
                       r"notice)|\b(?:what|which) (?:date|day) did\b|\b(?:date|day) of (?:the |your |ur )?(?:order|"
                       r"purchase|booking|payment|delivery)"),
}
# A question about another thing of the kind ("the second order you placed", "a new address") asks for
# something not given yet: the nouns that say which kind it is about.
_OTHER = re.compile(r"\b(?:another|second|2nd|third|other|new|different|additional|separate|alternative)\s+"
                    r"(?:\w+\s+)?(?P<noun>" + _LABELS + r"|e-?mail|phone|mobile|number|address)\b")
_OTHER_KINDS = {"e-mail": "email", "email": "email", "phone": "phone", "mobile": "phone", "address": "address"}
# A value of the kind written in the question: naming the one given confirms it, naming another asks about that.
_NAMED = {"email": _EMAIL, "phone": _PHONE}
_KIND_NAMES = {"reference": "a reference", "email": "an email address", "phone": "a phone number",
               "address": "an address", "date": "a date"}


@case_facts.per_case
def given_facts(case: Case) -> dict[str, tuple[tuple[str, str | None], ...]]:
    """What the customer gave, by kind: ``(value as written, label group or None)`` each."""
    text = case_facts.customer_text(case)
    lowered = text.lower()
    emails = tuple(m.group() for m in _emails(text))
    phones = tuple(m.group().strip() for m in _phones(text) if sum(c.isdigit() for c in m.group()) >= 9)
    specifics = customer_specifics(text)
    ids = []
    for value in sorted(specifics["id"]):
        if any(value in other.lower() for other in emails + phones):
            continue  # part of an email or a phone number, not a reference
        at = lowered.find(value)
        label = _LABEL_BEFORE.search(lowered, max(0, at - 30), at) if at >= 0 else None
        written = text[at:at + len(value)] if at >= 0 and len(lowered) == len(text) else value
        ids.append((written, _LABEL_GROUPS[label.group(1)] if label else None))
    return {
        "reference": tuple(ids),
        "email": tuple((e, None) for e in emails),
        "phone": tuple((p, None) for p in phones),
        "address": tuple((m.group().strip(" ,."), None) for m in _addresses(text)),
        "date": tuple((d, None) for d in sorted(specifics["date"])),
    }


# Each complaint is read once per case, and a run's cases are all different: these find the patterns' matches
# without scanning where none can start (tests/checks/test_complaint_specifics.py holds them to the patterns).
_PHONE_CORE = re.compile(r"\d[\d\s().-]{7,18}\d")  # in every _PHONE match, from its first digit: "+(" at most before
_DIGIT = re.compile(r"\d")


def _emails(text: str) -> list[re.Match[str]]:
    """``_EMAIL.finditer(text)``: every match holds "@" (and the pattern, opening on a repeat, is tried everywhere)."""
    return list(_EMAIL.finditer(text)) if "@" in text else []


def _phones(text: str) -> list[re.Match[str]]:
    """``_PHONE.finditer(text)``, from two characters before the first place a match's digits can start."""
    core = _PHONE_CORE.search(text)
    return [] if core is None else list(_PHONE.finditer(text, max(0, core.start() - 2)))


def _addresses(text: str) -> list[re.Match[str]]:
    """``_ADDRESS.finditer(text)``, from two characters before the first digit: a street address opens on a
    digit, a postcode one or two letters before one."""
    digit = _DIGIT.search(text)
    return [] if digit is None else list(_ADDRESS.finditer(text, max(0, digit.start() - 2)))


def _asked_sentences(rt: ReplyText) -> list[Range]:
    """The sentences holding a question or a request for information, in order."""
    return sorted({rt.sentence_at(start) for start, _ in question_ranges(rt)})


def _reasked(sentence: str, given: dict[str, tuple[tuple[str, str | None], ...]]) -> tuple[str, str] | None:
    """``(kind, value given)`` when ``sentence`` asks again for a kind of fact the customer gave, else None."""
    for kind, pattern in _ASKS.items():
        if not given[kind]:
            continue
        match = pattern.search(sentence)
        if match is None:
            continue
        if any(value.lower() in sentence for value, _ in given[kind]):
            return None  # names what was given: a confirmation, not a new ask
        if kind in _NAMED and _NAMED[kind].search(sentence):
            continue  # names another address or number: "the email from billing@acme.com"
        if any(_other_kind(m.group("noun")) in (kind, "number" if kind in ("reference", "phone") else None)
               for m in _OTHER.finditer(sentence)):
            continue  # about another one: "the order number of the second order"
        asked = _LABEL_GROUPS.get(match.group("label") or "") if kind == "reference" else None
        for value, label in given[kind]:
            if asked is None or label is None or asked == label:
                return kind, value
    return None


def _other_kind(noun: str) -> str:
    """The kind of fact an ``_OTHER`` noun is about; "number" for a bare number (a reference or a phone)."""
    return _OTHER_KINDS.get(noun, "number" if noun == "number" else "reference")


class NoReasking:
    """Fails when a question or request of the reply asks for a kind of fact (a reference, email
    address, phone number, address, date) the customer already gave in the thread.

    ``passed``: None when the history holds no earlier agent turn; else False when some question
    re-asks. Evidence: each such question. ``data.reasked``: ``kind`` and ``given`` (what the customer
    wrote) per question.
    """

    name = "no_reasking"
    version = "2"
    description = "Does not ask the customer again for what they already gave in the thread; n/a without an earlier agent turn."

    def run(self, ctx: CheckContext) -> CheckResult:
        if not earlier_agent_turns(ctx.case):
            return result(None, detail="no earlier agent turn in the thread", data={"reasked": []})
        given = given_facts(ctx.case)
        if not any(given.values()):
            return result(True, detail="the customer gave no reference, contact or date", data={"reasked": []})
        rt = analyze(ctx.reply)
        evidence, reasked = [], []
        for start, end in _asked_sentences(rt):
            found = _reasked(rt.norm[start:end], given)
            if found is not None:
                evidence.append(span(ctx.reply, start, end))
                reasked.append({"kind": found[0], "given": found[1]})
        if not reasked:
            return result(True, detail="asks for nothing the customer already gave", data={"reasked": []})
        detail = "; ".join(f"asks again for {_KIND_NAMES[r['kind']]} the customer gave ({r['given']})" for r in reasked)
        return result(False, evidence=evidence, detail=detail, data={"reasked": reasked})


register(NoReasking())

"""``acknowledgement``: the reply reflects the customer's specific problem back.

Specifics are taken from the customer's turns: order or ticket ids (tokens
with digits), money amounts, dates, product or brand names (capitalised or
camel-case words mid-sentence, "iPhone 12"), and the thing complained about
(package, refund, subscription, …). The reply acknowledges the case when it
mentions at least one of them outside @handles and URLs.
"""

from __future__ import annotations

import re
from functools import lru_cache

from harness.checks import case_facts
from harness.checks.base import CheckContext, CheckResult, register
from harness.checks.results import result, span
from harness.checks.text import Range, ReplyText, analyze
from harness.datasets.schema import Case

# Tokens of four or more characters with a digit: "#A55123", "99881", "INV-2231" (not "$129.99").
_ID = re.compile(r"(?<![\w/@.$\u00a3\u20ac,])#?((?=[a-z0-9-]*\d)[a-z0-9][a-z0-9-]{3,})\b(?![.,/]\d)", re.I)
_DATE = re.compile(
    r"\b(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}"
    r"(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:january|february|march|april|june|july|august|"
    r"september|october|november|december)|(?:mon|tues|wednes|thurs|fri|satur|sun)day|yesterday|last week)\b",
    re.I,
)
# Capitalised mid-sentence words ("my Galaxy Buds"), camel case ("iPhone"), model numbers.
_NAME = re.compile(
    r"(?<=[\w,] )[A-Z][a-z]+[A-Z0-9]?\w*(?:\s[A-Z][a-z0-9]\w*)*|\b[a-z]+[A-Z]\w+(?:\s\d+\w*)?"
    r"|\b[A-Z][a-z]*\s?\d+[A-Za-z]*\b"
)
_NOT_NAMES = frozenset("""
i im i'm hi hello hey thanks thank please dear customer service support team sir madam ok okay yes no
mr mrs ms dr the and but this that you your we our they my
""".split())
_TOPICS = re.compile(
    r"\b(?:package|parcel|delivery|shipment|refund|charge[ds]?|bill|billing|invoice|subscription|account|"
    r"booking|reservation|flight|ticket|item|product|payment|card|replacement|return|warranty|exchange|"
    r"phone|laptop|tablet|headphones|tv|router|internet|wifi|connection|app|login|password|seat|baggage|"
    r"luggage|bag|room|hotel|meal|food|car|rental|insurance|claim|loan|fee|fees|plan|contract|device|"
    r"battery|screen|shoes|dress|jacket|order)\b"
)


def _names(text: str) -> set[str]:
    names = set()
    for m in _NAME.finditer(text):
        # Keep the whole name ("galaxy buds") and its words ("buds" alone counts too).
        for word in (m.group(), *m.group().split()):
            if word.lower() not in _NOT_NAMES and len(word) >= 3:
                names.add(word.lower())
    return names


@lru_cache(maxsize=512)
def customer_specifics(customer_text: str) -> dict[str, frozenset[str]]:
    """Specifics of the complaint by kind: id, amount, date, name, topic (lower-cased)."""
    lowered = customer_text.lower()
    amounts = {f"{case_facts.money_value(m):g}" for m in case_facts.MONEY.finditer(lowered)}
    ids = {m.group(1).lower() for m in _ID.finditer(customer_text)}
    return {
        "id": frozenset(i for i in ids if not (len(i) == 4 and i[:2] in ("19", "20"))),
        "amount": frozenset(amounts),
        "date": frozenset(m.group().lower() for m in _DATE.finditer(customer_text)),
        "name": frozenset(_names(customer_text)),
        "topic": frozenset(m.group() for m in _TOPICS.finditer(lowered)),
    }


@case_facts.per_case
def _case_specifics(case: Case) -> dict[str, frozenset[str]]:
    return customer_specifics(case_facts.customer_text(case))


class _Words:
    """Non-overlapping mentions of any of ``words`` in a text, longest word first at each position.

    The same matches as the alternation regex ``(?:longest|...|shortest)(?![\\w])``, found with
    ``str.find``: every case has its own words, and compiling that regex cost ~0.8 ms per case.
    """

    __slots__ = ("words",)

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words

    def spans(self, text: str) -> list[tuple[int, int]]:
        found = []
        for word in self.words:
            start = text.find(word)
            while start >= 0:
                end = start + len(word)
                if end == len(text) or not _is_word_char(text[end]):
                    found.append((start, -len(word)))
                start = text.find(word, start + 1)
        spans, last_end = [], 0
        for start, negative_length in sorted(found):
            if start >= last_end:
                last_end = start - negative_length
                spans.append((start, last_end))
        return spans


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


@case_facts.per_case
def _case_words(case: Case) -> _Words | None:
    """The complaint's specifics other than amounts, as one matcher (None: there are none)."""
    specifics = _case_specifics(case)
    words = frozenset().union(*(specifics[k] for k in ("id", "date", "name", "topic")))
    return _Words(words) if words else None


def _mentions(rt: ReplyText, specifics: dict[str, frozenset[str]], words: _Words | None) -> list[Range]:
    found = rt.find(words, quoted=True, negated=True) if words is not None else []
    for m in case_facts.find_money(rt.norm):
        if f"{case_facts.money_value(m):g}" in specifics["amount"]:
            found.append(m.span())
    return sorted(found)


class Acknowledgement:
    """Passes when the reply mentions specifics from the customer's turns.

    ``data``: ``specifics`` (the specifics the reply mentions, as written).
    ``passed``: True when at least one is mentioned, False when none is,
    None when the complaint holds no specifics to reflect. Evidence: each
    mention.
    """

    name = "acknowledgement"
    version = "1"
    description = "Reflects the case's specifics (order id, product, amount, date, problem) back to the customer."

    def run(self, ctx: CheckContext) -> CheckResult:
        specifics = _case_specifics(ctx.case)
        rt = analyze(ctx.reply)
        ranges = _mentions(rt, specifics, _case_words(ctx.case))
        evidence = [span(ctx.reply, s, e) for s, e in ranges]
        mentioned = list(dict.fromkeys(ev.text for ev in evidence))
        if not any(specifics.values()):
            return result(None, detail="the complaint has no specifics", data={"specifics": []})
        detail = f"mentions {', '.join(mentioned)}" if mentioned else "mentions none of the complaint's specifics"
        return result(bool(mentioned), evidence=evidence, detail=detail, data={"specifics": mentioned})


register(Acknowledgement())

"""``acknowledgement``: the reply reflects the customer's specific problem back.

Specifics are taken from the customer's turns: order or ticket ids (tokens
with digits), money amounts, dates, product or brand names (capitalised or
camel-case words mid-sentence, "iPhone 12"), and the thing complained about
(package, refund, subscription, landline, price, outage, delay, …), each in any of its
inflections on either side ("outages" for "outage", "charged" for "charges"; not "charger"), and
a repeat the customer counts ("the fourth time I've called"). The reply acknowledges the case when it
mentions at least one of them outside @handles, URLs and unfilled template
placeholders ("Hi {{name}}, your order [order number] ..."): a word in a slot the
bot never filled reflects nothing the customer said.
"""

from __future__ import annotations

import re
from functools import lru_cache

from harness.checks import case_facts, complaint_scan
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
# The things complained about, matched as whole words of the lower-cased complaint in any of their
# inflections (:data:`_TOPIC_FORMS`): "outages" for "outage", "charged" for "charge".
_TOPIC_BASES = """
package parcel delivery shipment refund charge bill billing invoice subscription account
booking reservation flight ticket item product payment card replacement return warranty exchange
phone laptop tablet headphones tv router internet wifi connection app login password seat baggage
luggage bag room hotel meal food car rental insurance claim loan fee plan contract device
battery screen shoes dress jacket order
broadband fibre fiber landline modem tariff price speed outage crackling buffering delay
""".split()
# Also said as a verb, so its past counts: "you charged me twice", "my parcel was delayed". Not "order":
# in "I ordered a cake" the specific is the thing ordered, and a reply about the cake reflects it.
_TOPIC_VERBS = frozenset("charge refund bill invoice return exchange claim delay".split())
# Nouns without a plural worth searching for ("internets"): fewer words for every reply to look up.
_NO_PLURAL = frozenset("billing booking crackling buffering internet wifi broadband luggage baggage food insurance "
                       "headphones shoes".split())


def _inflections(base: str) -> tuple[str, ...]:
    """``base`` and the inflections a reply may name it by: a plural ("outages", "deliveries") and,
    for a verb, a past ("charged", "delayed"). Regular forms only: enough for these words."""
    forms = [base]
    consonant_y = base.endswith("y") and base[-2:-1] not in tuple("aeiou")
    if base not in _NO_PLURAL:
        forms.append(base[:-1] + "ies" if consonant_y else base + "es" if base.endswith(("s", "x", "ch", "sh"))
                     else base + "s")
    if base in _TOPIC_VERBS:
        forms.append(base[:-1] + "ied" if consonant_y else base + "d" if base.endswith("e") else base + "ed")
    return tuple(forms)


# Every form of a topic word, to its base. A topic word of the complaint is searched in the reply in every
# form of its base, found once per case: an inflection on either side meets the other, and only these whole
# words match ("charger" is no "charge", "ordinary" no "order").
_TOPIC_FORMS = {form: base for base in _TOPIC_BASES for form in _inflections(base)}
_FORMS_OF = {base: _inflections(base) for base in _TOPIC_BASES}
_TOPIC_WORDS = frozenset(_TOPIC_FORMS)
# A repeat the customer counts ("the FOURTH time I've called"): a fact of the case as a date is.
_COUNT = re.compile(r"\b(?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th)) time\b")
_ORDINALS = dict(zip("second third fourth fifth sixth seventh eighth ninth tenth".split(),
                     "2nd 3rd 4th 5th 6th 7th 8th 9th 10th".split()))


# The same matches as the patterns above, found faster (every case's complaint is read once, and
# a run has thousands of distinct cases); tests/checks/test_complaint_specifics.py holds each to
# its pattern. Under re.I, ``re`` cannot skip ahead to a possible first letter: _DATE is matched
# case-sensitively on the lower-cased text instead, which finds the same text wherever lower-casing
# keeps every character's place and meaning (all but the four characters of _FOLDS_APART).
_DATE_LOWER = re.compile(_DATE.pattern)  # as _DATE, less re.I
_FOLDS_APART = "\u0130\u0131\u017f\u212a"  # İ (lower-cases to two characters), ı, ſ, K (Kelvin)
_WORD = re.compile(r"\w+")
# _NAME with each branch opening on the letter it needs (a look-behind keeps the original's test of
# what precedes it), so ``re`` jumps between capitals; the camel-case branch only where it can match
# (:func:`_name_matches`).
_NAME_CAPITALS = r"[A-Z](?<=[\w,] [A-Z])[a-z]+[A-Z0-9]?\w*(?:\s[A-Z][a-z0-9]\w*)*"
_NAME_CAMEL = r"[a-z](?<=\b[a-z])[a-z]*[A-Z]\w+(?:\s\d+\w*)?"
_NAME_MODEL = r"[A-Z](?<=\b[A-Z])[a-z]*\s?\d+[A-Za-z]*\b"
_NAME_NO_CAMEL = re.compile("|".join((_NAME_CAPITALS, _NAME_MODEL)))
_NAME_CAMEL_ONLY = re.compile(_NAME_CAMEL)
# What _ID's ``[#a-z0-9-]`` matches under re.I: ASCII, and four letters that case-fold to ASCII ones.
_ID_CHARS = frozenset("#-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\u0130\u0131\u017f\u212a")
_ID_RUN = re.compile(r"[#\-0-9a-zA-Z\u0130\u0131\u017f\u212a]*")  # a run of _ID_CHARS


def _name_matches(text: str) -> list[re.Match[str]]:
    """``_NAME.finditer(text)``, its camel-case branch tried only where it can match (:func:`complaint_scan.name_matches`)."""
    return complaint_scan.name_matches(text, _NAME_NO_CAMEL, _NAME_CAMEL_ONLY)


def _dates(text: str, lowered: str) -> frozenset[str]:
    """``{m.group().lower() for m in _DATE.finditer(text)}``."""
    if any(char in text for char in _FOLDS_APART):
        return frozenset(m.group().lower() for m in _DATE.finditer(text))
    matches = complaint_scan.date_matches(lowered)
    if matches is None:  # a digit other than 0-9, which only the written pattern reads
        matches = list(_DATE_LOWER.finditer(lowered))
    return frozenset(m.group() for m in matches)


def _topics(lowered: str) -> frozenset[str]:
    """The topic words in ``lowered`` as written: every match of ``\\b(?:word|...)\\b`` is a whole ``\\w+`` run."""
    return _TOPIC_WORDS.intersection(_WORD.findall(lowered))


def _counts(lowered: str) -> frozenset[str]:
    """The repeats counted in ``lowered`` ("fourth time"), each also as the reply may write it ("4th time")."""
    if " time" not in lowered:
        return frozenset()
    found = set()
    for m in _COUNT.finditer(lowered):
        ordinal = m.group().split()[0]
        found.add(m.group())
        found.update(f"{other} time" for word, digits in _ORDINALS.items() if ordinal in (word, digits)
                     for other in (word, digits))
    return frozenset(found)


# How long the problem has lasted ("down for 3 days", "two weeks without heating"): a specific the reply
# may reflect in digits or in words ("three days" for "3 days"), so each is kept in both forms.
_NUMBER_WORDS = {**{w: i for i, w in enumerate(case_facts.UNIT_WORDS)},
                 **{f"{t}{sep}{u}": 10 * (i + 2) + j for i, t in enumerate(case_facts.TENS_WORDS)
                    for j, u in enumerate(case_facts.UNIT_WORDS[:10]) for sep in ("-", " ") if j},
                 **{t: 10 * (i + 2) for i, t in enumerate(case_facts.TENS_WORDS)}}
# Each value's words, in _NUMBER_WORDS's order (looked up, not searched for among its ~200 entries).
_WORDS_FOR: dict[int, tuple[str, ...]] = {value: tuple(w for w, n in _NUMBER_WORDS.items() if n == value)
                                          for value in range(100)}
# A unit of time, found first (a literal scan); the number before it is read then (:func:`_durations`).
_UNIT = re.compile(r"\b(minute|hour|day|week|month|year)s?\b")
_NUMBER_BEFORE = re.compile(r"(?<!\w)(?:([a-z]+)[- ])?(?<!\w)([a-z]+|\d{1,3})[\s-]+\Z")
# Not a time to come ("in 3 weeks", "3 weeks next month") nor a thing asked for ("6 months free"): how long
# something lasts is a specific of the problem only when the customer lived through it.
_FUTURE_BEFORE = re.compile(r"\bin\s+\Z")
_NOT_LIVED = re.compile(r"\s+(?:free|next|later|ahead|from now|in advance|of free|of credit|credit|time)\b")


def _number_before(lowered: str, at: int) -> tuple[int, int] | None:
    """The value and start of the number written right before ``at`` ("3 ", "three ", "twenty-one "), if any."""
    m = _NUMBER_BEFORE.search(lowered, max(0, at - 24), at)
    if m is None:
        return None
    if m.group(1) and f"{m.group(1)} {m.group(2)}" in _NUMBER_WORDS:
        return _NUMBER_WORDS[f"{m.group(1)} {m.group(2)}"], m.start(1)
    last = m.group(2)
    value = int(last) if last.isdigit() else _NUMBER_WORDS.get(last)
    return None if value is None else (value, m.start(2))


def _durations(lowered: str) -> frozenset[str]:
    """The durations in ``lowered`` ("3 days"), each in digits and in words ("three days")."""
    found = set()
    for m in complaint_scan.UNIT.finditer(lowered):  # _UNIT's matches
        number = _number_before(lowered, m.start())
        if number is None or _NOT_LIVED.match(lowered, m.end()) or _FUTURE_BEFORE.search(lowered, 0, number[1]):
            continue
        value, unit = number[0], m.group(1)
        if not 1 < value < 100:
            continue  # "1 day", "a day": too common to reflect anything; three digits are rarely a duration
        # "3 days", "three days", and as an adjective: "a 3-day wait", "a three-day outage".
        for written in (str(value), *_WORDS_FOR[value]):
            found.update((f"{written} {unit}s", f"{written}-{unit}"))
    return frozenset(found)


def _id_matches(text: str) -> list[re.Match[str]]:
    """``_ID.finditer(text)``, searched only around digits.

    Every match's id is a run of ``_ID_CHARS`` (maybe after a "#", also one of
    them) from which a digit is reached through such characters; so each
    match lies in the stretch of ``_ID_CHARS`` around some digit. Searching
    those stretches left to right (each with the two characters after it, which
    the final look-ahead reads; the look-behind reads what precedes the stretch)
    finds the same matches in the same order.
    """
    found: list[re.Match[str]] = []
    n = len(text)
    for start, end in complaint_scan.id_stretches(text, _ID_RUN, _ID_CHARS):
        found.extend(_ID.finditer(text, start, min(n, end + 2)))
    return found


def _names(text: str) -> set[str]:
    names = set()
    for m in _name_matches(text):
        # Keep the whole name ("galaxy buds") and its words ("buds" alone counts too).
        for word in (m.group(), *m.group().split()):
            if word.lower() not in _NOT_NAMES and len(word) >= 3:
                names.add(word.lower())
    return names


@lru_cache(maxsize=512)
def customer_specifics(customer_text: str) -> dict[str, frozenset[str]]:
    """Specifics of the complaint by kind: id, amount, date, name, topic (lower-cased)."""
    lowered = customer_text.lower()
    amounts = {f"{case_facts.money_value(m):g}" for m in case_facts.find_money(lowered)}
    ids = {m.group(1).lower() for m in _id_matches(customer_text)}
    return {
        "id": frozenset(i for i in ids if not (len(i) == 4 and i[:2] in ("19", "20"))),
        "amount": frozenset(amounts),
        "date": _dates(customer_text, lowered),
        "name": frozenset(_names(customer_text)),
        "topic": _topics(lowered),
        "count": _counts(lowered),
        "duration": _durations(lowered),
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
    words = frozenset().union(*(specifics[k] for k in ("id", "date", "name", "count", "duration")),
                              *(_FORMS_OF[_TOPIC_FORMS[word]] for word in specifics["topic"]))
    return _Words(words) if words else None


# Unfilled template placeholders, in forms that prose does not take: "{{name}}", "{order_id}", "%NAME%",
# "<customer name>", "<ORDER>", and square brackets holding a slot's name ("[order number]", "[Customer
# Name]", "[ORDER_ID]", "[insert date]"). Other brackets are prose and still count: "[sic]", "[the order]",
# a tag ("[UPDATE]"), a link's text ("[your order](https://...)"), anything holding a digit ("[#A55123]").
_SLOT_NOUN = (r"(?:name|number|no|num|id|date|time|amount|address|e-?mail|phone|link|url|code|reference|ref|details|"
              r"here)")
# HTML tags that look like slots ("<code>", "<BR>").
_HTML_TAG = r"(?i:code|time|address|br|hr|em|li|ul|ol|div|span|strong|table|tr|td|th|img|h[1-6])"
_SLOT_WORDS = r"[A-Za-z][A-Za-z-]*(?:[ _][A-Za-z][A-Za-z-]*){0,4}"
_BRACES = r"\{\{[^{}\n]{1,60}\}\}|\{[A-Za-z_][\w .-]{0,40}\}"
_PERCENT = r"%[A-Za-z_][A-Za-z0-9_]*%"
_ANGLE = (r"<(?!" + _HTML_TAG + r">)(?:" + _SLOT_WORDS + r"[ _]" + _SLOT_WORDS + r"|[A-Z][A-Z_]+|"
          r"(?i:(?:\w+[ _]){0,3}" + _SLOT_NOUN + r"))>")
# Not a link's text "[...](": that was filled in.
_SQUARE = (r"\[(?:[A-Za-z-]*_" + _SLOT_WORDS + r"|(?i:(?:insert|enter|add)\b[^\[\]\d\n]{0,40}"
           r"|(?:[A-Za-z-]+ ){0,3}" + _SLOT_NOUN + r"))\](?!\()")
_PLACEHOLDER = re.compile("|".join((_BRACES, _PERCENT, _ANGLE, _SQUARE)))


def _placeholders(reply: str) -> list[Range]:
    """The unfilled placeholders of ``reply`` (:data:`_PLACEHOLDER`), as ranges."""
    # Every placeholder opens on one of these: four substring tests (~0.1 µs) spare most replies the scan
    # (a set's isdisjoint over the reply's characters took ~4 µs).
    if "{" not in reply and "%" not in reply and "<" not in reply and "[" not in reply:
        return []
    return [m.span() for m in _PLACEHOLDER.finditer(reply)]


def _mentions(rt: ReplyText, specifics: dict[str, frozenset[str]], words: _Words | None) -> list[Range]:
    found = rt.find(words, quoted=True, negated=True) if words is not None else []
    for m in case_facts.find_money(rt.norm):
        if f"{case_facts.money_value(m):g}" in specifics["amount"]:
            found.append(m.span())
    return sorted(found)


def _outside(reply: str, ranges: list[Range], slots: list[Range]) -> tuple[list[Range], list[Range]]:
    """``ranges`` less the mentions a template slot holds or frames, and the slots concerned.

    A mention inside a slot ("[order number]") reflects nothing; nor does a problem word right
    beside one ("your order [order number]", "your {{product}} order"): it is the template's label
    for the specific the bot never filled in. A name, id or date beside a slot was filled in, and counts.
    """
    kept, unfilled = [], []
    for s, e in ranges:
        slot = next(((a, b) for a, b in slots if (a <= s and e <= b) or _labels(reply, (s, e), (a, b))), None)
        if slot is None:
            kept.append((s, e))
        elif slot not in unfilled:
            unfilled.append(slot)
    return kept, unfilled


def _labels(reply: str, mention: Range, slot: Range) -> bool:
    """Whether ``mention`` is a problem word ("order") right before or after ``slot``."""
    if reply[mention[0]:mention[1]].lower() not in _TOPIC_FORMS:
        return False
    gap = reply[mention[1]:slot[0]] if mention[1] <= slot[0] else reply[slot[1]:mention[0]]
    return len(gap) <= 16 and _GAP.fullmatch(gap) is not None


# What may stand between a label and its slot: "order [..]", "order #{{..}}", "order number: <..>".
_GAP = re.compile(r"[\s#:(]*(?:(?:number|no\.?|id|ref|reference)[\s#:(]*)?", re.I)


class Acknowledgement:
    """Passes when the reply mentions specifics from the customer's turns, outside unfilled
    template placeholders ("{{name}}", "[order number]", "<customer name>", "%NAME%"; the
    detail names those that held a mention).

    ``data``: ``specifics`` (the specifics the reply mentions, as written).
    ``passed``: True when at least one is mentioned, False when none is,
    None when the complaint holds no specifics to reflect. Evidence: each
    mention.
    """

    name = "acknowledgement"
    version = "5"  # 5: how long the problem lasted, in digits or words ("3 days" / "three days")
    description = "Reflects the case's specifics (order id, product, amount, date, problem) back to the customer."

    def run(self, ctx: CheckContext) -> CheckResult:
        specifics = _case_specifics(ctx.case)
        rt = analyze(ctx.reply)
        ranges = _mentions(rt, specifics, _case_words(ctx.case))
        ranges, slots = _outside(ctx.reply, ranges, _placeholders(ctx.reply)) if ranges else (ranges, [])
        evidence = [span(ctx.reply, s, e) for s, e in ranges]
        mentioned = list(dict.fromkeys(ev.text for ev in evidence))
        if not any(specifics.values()):
            return result(None, detail="the complaint has no specifics", data={"specifics": []})
        detail = f"mentions {', '.join(mentioned)}" if mentioned else "mentions none of the complaint's specifics"
        if slots:
            unfilled = ", ".join(dict.fromkeys(ctx.reply[a:b] for a, b in slots))
            detail += f" (not counted: mentions in or labelling unfilled template placeholders {unfilled})"
        return result(bool(mentioned), evidence=evidence, detail=detail, data={"specifics": mentioned})


register(Acknowledgement())

"""``asks_question``: does the reply ask the customer for information or clarification?

Counted: sentences ending in "?" that seek an answer ("Which order is it?",
"Would you prefer a refund or a replacement?") and requests for information
phrased without one ("Could you DM us your order number.", "Please send us a
photo of the damage"). Not counted: rhetorical or filler questions ("Isn't
that great?", "How are you today?", "Is there anything else I can help
with?") and questions inside a quotation of the customer.
"""

from __future__ import annotations

import re

from harness.checks import case_facts
from harness.checks.base import CheckContext, CheckResult, register
from harness.checks.results import result, span
from harness.checks.text import Range, ReplyText, analyze, compile_word_starts, phrases

_QUESTION_END = re.compile(r"\?[?!\s\"')\]]*$")
# Rhetorical or filler questions. Those anchored at the start are tried there once; the others
# are one pattern in the word-start form (:func:`compile_word_starts`), so that ``re`` skips
# to candidate letters: together they say what one search of the whole alternation did.
_FILLER_AT_START = re.compile("|".join(f"(?:{p})" for p in [
    r"^(?:hi|hey|hello)?[\s,!]*how (?:are|r) (?:you|u|things)\b(?! (?:getting on with|finding) )",
    r"^how(?:'s| is) (?:it going|your day|everything)\b",
    r"^(?:isn't|aren't|wasn't|ain't|doesn't|don't) (?:that|it|this|they|you)\b",
    r"^what more could\b|^can you believe\b|^why not\b",
    r"^(?:is there|was there) anything else\b",
    r"^wouldn't it be\b|^don't you think\b|^who knew\b",
]))
_FILLER_ANYWHERE = compile_word_starts("|".join([
    r"\b(?:right|ok|okay|eh|huh|yeah)\s*\?",
    r"\bwho (?:doesn't|wouldn't|does not)\b",
    r"\banything else (?:i|we) can (?:help|do|assist)\b|\bcan (?:i|we) help with anything else\b",
    r"\bwhat (?:a|an) \w+",
]))


def _is_filler(text: str) -> bool:
    """Whether ``text`` holds a rhetorical or filler question (see the patterns above)."""
    return _FILLER_AT_START.match(text) is not None or _FILLER_ANYWHERE.search(text) is not None


# Requests for information that need no "?": "could you DM us your order number".
_REQUEST = phrases(*[
    r"\b(?:could|can|would|will) (?:you|u) (?:please |kindly |just )?(?:dm|message|send|share|provide|confirm|"
    r"tell|let (?:us|me) know|give|check|email|reply|describe|clarify|explain|upload|attach|forward|"
    r"follow|pop|drop)\b",
    r"\bwould (?:you|u) (?:mind|be able to|prefer|like)\b",
    r"\b(?:please|pls|plz|kindly) (?:dm|message|send|share|provide|confirm|tell (?:us|me)|let (?:us|me) know|reply with|"
    r"give (?:us|me)|describe|clarify|upload|attach|forward|drop (?:us|me)|include)\b",
    # A request put as a condition: "if you reply with the invoice number, ...".
    r"\bif (?:you|u) (?:could |can )?(?:reply|respond|get back to (?:us|me)|write back|send|dm|message|share|provide|"
    r"tell (?:us|me)|confirm)\s+(?:us\s+|me\s+)?(?:with\s+)?(?:your|ur|the|a|an|some|which|what)\b",
    r"\b(?:dm|send|share|provide|email|message|drop) (?:us|me) (?:your|ur|the|a|with|some|more|an|any|which|what)\b",
    # Not the closing formulas "let us know what you decide / think" (tests/data/README.md).
    r"\blet (?:us|me) know (?:your|ur|the|which|what(?! (?:you|u) (?:decide|think|prefer to do))|whether|"
    r"if (?:you'd|you would)|when|where|how(?! (?:it goes|you get on)))\b",
    r"\b(?:i|we)(?:'d| would| will|'ll)? need (?:your|the|a few|some|more|to know)\b",
    r"\b(?:i|we)(?:'d| would) (?:like|love) to (?:know|ask|confirm|understand|get)\b",
    r"\bcan (?:i|we) (?:ask|get|have) (?:for )?(?:your|the|a|some)\b",
])


def _question_sentences(rt: ReplyText) -> list[Range]:
    found: list[Range] = []
    if "?" not in rt.norm:
        return found  # every question ends with one
    for start, end in rt.sentences:
        text = rt.norm[start:end]
        if "?" not in text or not _QUESTION_END.search(text) or rt.is_quoted(end - 1):
            continue
        if _is_filler(text.strip(" \t-*\u2022")):
            continue
        found.append((start, end))
    return found


def question_ranges(rt: ReplyText) -> list[Range]:
    """Genuine questions and requests for information the reply puts to the customer."""
    asked = _question_sentences(rt)
    requests = [r for r in rt.find(_REQUEST) if not any(s <= r[0] < e for s, e in asked)]
    return sorted(asked + requests)


def question_expected(ctx: CheckContext) -> bool:
    """The case's ``question_expected``; if unset, True for the indecisive persona."""
    expected = ctx.case.expectations.question_expected
    if expected is not None:
        return expected
    return case_facts.persona(ctx.case) == "indecisive"


class AsksQuestion:
    """Detects a question or request for information put to the customer.

    ``data``: ``detected``, ``expected``. ``passed`` = detected when a question
    is expected (see :func:`question_expected`), else None; ``detected`` is
    always reported. Evidence: each question sentence or request.
    """

    name = "asks_question"
    version = "2"
    description = "Asks the customer for missing information or clarification."

    def run(self, ctx: CheckContext) -> CheckResult:
        ranges = question_ranges(analyze(ctx.reply))
        expected = question_expected(ctx)
        detail = f"{len(ranges)} question(s)" if ranges else "no question"
        return result(
            bool(ranges) if expected else None,
            evidence=[span(ctx.reply, s, e) for s, e in ranges],
            detail=detail,
            data={"detected": bool(ranges), "expected": expected},
        )


register(AsksQuestion())

"""Checks for the good moves of a support reply, found by phrase:

* ``empathy_statement``: acknowledges the customer's feelings or situation.
* ``follow_up``: offers to follow up or invites feedback.
* ``escalation_offered``: offers a human, supervisor or specialist hand-over.

Each reports ``data["detected"]`` and the spans that decided it; phrases inside
quotations or after a negation in their clause ("we won't escalate") are not
counted.
"""

from __future__ import annotations

import re

from harness.checks.base import CheckContext, CheckResult, register
from harness.checks.results import result, span
from harness.checks.text import Range, ReplyText, analyze, phrases

_FEELING = (
    r"(?:frustrat\w*|upsett\w*|upset|annoy\w*|disappoint\w*|stress\w*|worr\w*|inconvenien\w*|difficult|hard|"
    r"unacceptable|awful|terrible|horrible|miserable|dreadful|maddening|infuriating|exhausting|confusing|concern\w*|"
    r"angry|anger|let down|unhappy|scary|frightening|distressing|overwhelming|disheartening|"
    r"a (?:real |huge |total )?(?:pain|hassle|headache|nightmare|worry|waste|shock|ordeal)|a lot to (?:deal with|juggle|handle))"
)
# Words that judge an experience as bad ("... is miserable", "can get confusing"):
# said of anything the customer went through, they acknowledge the situation.
_EXPERIENCE = (
    r"(?:frustrating|infuriating|maddening|annoying|upsetting|disappointing|stressful|worrying|confusing|exhausting|"
    r"awful|horrible|terrible|miserable|dreadful|unpleasant|distressing|scary|frightening|overwhelming|disheartening|"
    r"embarrassing|humiliating|heartbreaking|(?:such |really |very )?(?:a )?long (?:wait|day|journey)|"
    r"(?:such |really |very |pretty )?(?:bad|rotten|rough) luck|no fun|"
    r"a (?:real |huge |total )?(?:pain|hassle|headache|nightmare|worry|ordeal|shock)|a lot to (?:deal with|juggle|handle|take in))"
)
_INTENSIFIERS = r"(?:(?:so|really|very|incredibly|truly|extremely|understandably|genuinely|definitely|totally|such|quite|pretty)\s+)*"
# A state the customer is in: "you're upset"; not "you're confusing us with ...".
_YOU_FEEL = (
    r"(?:frustrated|upset|annoyed|disappointed|worried|stressed|angry|unhappy|fed up|let down|tired|exhausted|"
    r"anxious|concerned|confused|furious|overwhelmed|not happy|feeling \w+)"
)
_EMPATHY = phrases(*[
    r"\b(?:i|we)\s+(?:completely |totally |fully |really |truly |definitely |can |do |absolutely )*understand\b",
    r"\b(?:i|we)\s+(?:can (?:only )?|do )?(?:imagine|appreciate how|see (?:why|how))\b",
    r"\b(?:i|we)\s+(?:can\s+)?(?:see|tell|hear|sense)\s+(?:how|why|that (?:you|u)\b|(?:you|u)(?:'re|'ve| are| have)\b)",
    r"\b(?:i|we)\s+know how\b",
    r"\b(?:that|this|it)(?:'s|\s+is|\s+must|\s+must've|\s+must have|\s+would|\s+sounds(?:\s+like)?|\s+has been|\s+was)\s+"
    r"(?:been\s+|be\s+)?" + _INTENSIFIERS + r"(?:a\s+|an\s+)?" + _INTENSIFIERS + _FEELING,
    r"(?:\bis|\bare|\bwas|\bwere|'s|'s been|\bhas been|\bhave been|\bcan be|\bcan get|\bmust be|\bmust have been|"
    r"\bmust've been|\bwould be|\bsounds?"
    r"|sounds? like|gets|get)\s+" + _INTENSIFIERS + _EXPERIENCE,
    r"\b(?:how|so|understandably|completely|totally)\s+" + _FEELING,
    r"\bunderstandabl[ey]\b|\bi hear you\b|\bmakes (?:total |complete )?sense\b",
    r"\b(?:i|we)\s+(?:totally |completely |really |fully |definitely |absolutely |do )?get (?:it|why|that|how)\b",
    r"\b(?:you|u)(?:'re|\s+are|\s+r|\s+were|\s+have been|\s+must be|\s+must've been|\s+must have been)\s+"
    r"(?:understandably |rightly |right to be |so |really |very |clearly |obviously )*" + _YOU_FEEL,
    r"\b(?:your|ur|the) (?:frustration|disappointment|concern|anger|worry|feelings?|confusion)\b",
    r"\b(?:you|u)(?:'ve got|\s+have|\s+had|\s+has)? (?:every right|every reason)\b|\b(?:you|u) deserve(?:d)? better\b",
    r"\bnot the experience\b|\bnot what (?:you|u) (?:expected|deserve|paid for|were hoping)\b",
    r"\b(?:i|we)(?:'d| would) (?:be|feel) (?:\w+ )?(?:frustrated|upset|annoyed|angry|disappointed) too\b",
    r"\b(?:i|we)(?:'d| would) (?:feel|be|do) (?:exactly )?the same\b|\b(?:i|we) (?:really |truly |do )?feel for (?:you|u)\b",
    # What the failure did to the customer's time: "it's eaten into your afternoon".
    r"\b(?:eaten into|ruined|spoil(?:ed|t)|wrecked|derailed|disrupted|taken over|cut short)\s+(?:your|ur)\s+"
    r"(?:\w+\s+)?(?:day|morning|afternoon|evening|night|weekend|week|holiday|trip|plans|time|break|celebration)\b",
    r"\bthat(?:'s| is) (?:not okay|not ok|not acceptable|not right|not good enough)\b",
])

_FOLLOW_UP = phrases(*[
    r"\bfollow(?:\s|-)?up\b|\bfollowing up\b|\bcheck (?:back|in) (?:with (?:you|u)|on)\b",
    r"\bget back to (?:you|u)\b|\bkeep (?:you|u) (?:updated|posted|informed|in the loop)\b",
    r"\bupdate (?:you|u)\b|\b(?:reach|contact|message|dm) (?:us|me) (?:again|anytime|any time)\b",
    r"\blet (?:us|me) know (?:if|how|whether|what you think)\b",
    r"\bfeel free to (?:reach out|contact|reply|message|get in touch|dm)\b|\bdon't hesitate\b",
    r"\b(?:your )?feedback\b|\bhear (?:back )?(?:from (?:you|u)|how it goes)\b",
    r"\b(?:we're|we are|i'm|i am) (?:here|around|available) (?:if|whenever|for)\b",
    r"\bmake sure (?:it|this|everything) (?:arrives|is (?:resolved|sorted|fixed))\b",
])

_ESCALATION = phrases(*[
    r"\b(?:supervisor|manager|team lead|team leader|specialist|senior (?:agent|advisor|member|colleague)|"
    r"human agent|real person|live agent|live chat|a human|a person|a colleague|our \w+ team|complaints team)\b",
    r"\bescalat\w*\b|\btransfer (?:you|u|this|your)\b|\bconnect (?:you|u) (?:with|to)\b",
    r"\bhand (?:you|u|this|it) (?:over|off)\b|\bpass (?:this|you|u|it|your \w+) (?:on|over|along)\b",
    r"\bput (?:you|u) through\b|\brefer (?:this|you|u|your \w+) to\b",
])


def _detect(rt: ReplyText, pattern: re.Pattern[str]) -> list[Range]:
    return rt.find(pattern)


def verdict(reply: str, ranges: list[Range], passed: bool | None, what: str) -> CheckResult:
    evidence = [span(reply, s, e) for s, e in ranges]
    detail = f"{what} found" if ranges else f"no {what} found"
    return result(passed, evidence=evidence, detail=detail, data={"detected": bool(ranges)})


class EmpathyStatement:
    """Passes when the reply explicitly acknowledges the customer's feelings or
    situation ("I understand how frustrating …", "that must be stressful").
    ``data``: ``detected``; ``passed`` = detected. Evidence: each phrase."""

    name = "empathy_statement"
    version = "2"
    description = "Explicitly acknowledges the customer's feelings or situation."

    def run(self, ctx: CheckContext) -> CheckResult:
        ranges = _detect(analyze(ctx.reply), _EMPATHY)
        return verdict(ctx.reply, ranges, bool(ranges), "empathy statement")


class FollowUp:
    """Passes when the reply offers to follow up or invites feedback
    ("we'll keep you updated", "let us know if …").
    ``data``: ``detected``; ``passed`` = detected. Evidence: each phrase."""

    name = "follow_up"
    version = "1"
    description = "Offers to follow up or invites feedback."

    def run(self, ctx: CheckContext) -> CheckResult:
        ranges = _detect(analyze(ctx.reply), _FOLLOW_UP)
        return verdict(ctx.reply, ranges, bool(ranges), "follow-up offer")


class EscalationOffered:
    """Detects an offered hand-over to a human, supervisor or specialist.

    ``data``: ``detected``, ``expected`` (the case's ``escalation_expected``).
    ``passed`` = detected when the case expects escalation, else None (whether
    to escalate is then the judge's call). Evidence: each phrase.
    """

    name = "escalation_offered"
    version = "1"
    description = "Offers a hand-over to a human, supervisor or specialist when the case expects one."

    def run(self, ctx: CheckContext) -> CheckResult:
        ranges = _detect(analyze(ctx.reply), _ESCALATION)
        expected = ctx.case.expectations.escalation_expected
        outcome = verdict(ctx.reply, ranges, bool(ranges) if expected else None, "escalation offer")
        outcome.data["expected"] = expected
        return outcome


for _check in (EmpathyStatement(), FollowUp(), EscalationOffered()):
    register(_check)

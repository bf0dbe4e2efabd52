"""``boundary_setting``: did the reply set a boundary, was one required, did it cave?

Per DOMAIN.md a reply *sets a boundary* when it declines or limits something
the customer wants, or states a clear limit, policy, or what cannot be done
("we're unable to refund after 30 days", "we can only offer store credit",
"I won't accept abusive language").
"""

from __future__ import annotations

import re

from harness.checks import case_facts
from harness.checks.base import CheckContext, CheckResult, register, span
from harness.checks.promises import find_promises
from harness.checks.text import Range, ReplyText, analyze, phrases, widen
from harness.datasets.schema import Case

_WE = r"\b(?:we|i)(?:'re|'m|\s+am|\s+are)?\s+"
_CANNOT = (
    r"(?:can't|cannot|can not|won't be able to|will not be able to|wouldn't be able to|(?:are |am )?unable to|"
    r"(?:are |am )?not able to|aren't able to|don't|do not|won't|will not|couldn't|could not|no longer|"
    r"(?:are |am )?not (?:allowed|permitted|authori[sz]ed) to|can only|only)\s+"
)
_ACTION = (
    r"(?:\w+\s+)?(?:offer|provide|give|issue|process|refund|approve|accept|extend|make (?:an )?exceptions?|honou?r|"
    r"exchange|replace|upgrade|tolerate|continue|do (?:that|this)|allow|grant|waive|override|reverse|cancel|"
    r"change|guarantee|promise|match|ship|send|respond|help with|authori[sz]e|compensate|reimburse|go beyond)\b"
)
_PATTERNS = [
    _WE + _CANNOT + _ACTION,
    r"\b(?:not|isn't|aren't|no longer|is not|are not)\s+(?:eligible|covered|refundable|returnable|possible|"
    r"permitted|allowed|an option|something (?:we|i) can)\b",
    r"\bineligible\b|\bnon-?refundable\b",
    r"\b(?:outside|beyond|past|exceeds?|exceeded)\s+(?:the|our|your)?\s*(?:\d+[- ]day\s+)?"
    r"(?:refund|return|returns|warranty|guarantee)?\s*(?:window|period|policy|limit|timeframe|time frame)\b",
    r"\b(?:can|could) only (?:be|offer|provide|refund|issue|accept|go)\b",
    r"\bonly (?:available|possible|valid|offered|issued|accepted|refundable) (?:within|for|up to|on)\b",
    r"\b(?:maximum|max\.?|limit of|up to (?:a maximum|[$\u00a3\u20ac]?\d))\b",
    # Boundaries on conduct.
    r"\b(?:won't|will not|cannot|can't|do not|don't)\s+(?:tolerate|accept|engage with)\b",
    r"\b(?:abusive|offensive|insulting|disrespectful|threatening)\s+(?:language|messages?|comments?|behaviou?r|"
    r"remarks|tone)\b",
    r"\bkeep (?:this|our|the|things)\s+(?:conversation\s+|chat\s+|discussion\s+)?(?:respectful|civil|polite)\b",
    r"\bhappy to (?:help|continue|assist),? (?:but|as long as|once|provided)\b",
    r"\bwhat (?:we|i) can (?:do|offer) (?:is|instead)\b",
]
_BOUNDARY = phrases(*_PATTERNS)
# "Our policy" counts when the same sentence says what the policy limits.
_POLICY = phrases(r"(?:policy|policies|terms and conditions|terms of service)\b")
_LIMIT_WORDS = re.compile(
    r"\b(?:only|within|up to|limit\w*|allows?|covers?|after|maximum|not|cannot|doesn't|don't|days?|no)\b|n't\b"
)


def _policy_statements(rt: ReplyText) -> list[Range]:
    found = []
    for start, end in rt.find(_POLICY, negated=True):
        sent_start, sent_end = rt.sentence_at(start)
        if _LIMIT_WORDS.search(rt.norm, sent_start, sent_end):
            found.append((sent_start, sent_end))
    return found


def boundary_ranges(rt: ReplyText) -> list[Range]:
    """Where the reply declines, limits, or states a limit or policy (clause-wide ranges)."""
    found = [widen(rt, r) for r in rt.find(_BOUNDARY, negated=True)] + _policy_statements(rt)
    found.sort()
    merged: list[Range] = []
    for start, end in found:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def boundary_required(case: Case) -> bool:
    """The case's ``boundary_required``, else True for abusive or unreasonable
    demands and for demands the context shows are out of policy."""
    if case.expectations.boundary_required is not None:
        return case.expectations.boundary_required
    if case_facts.persona(case) in ("abusive", "unreasonable_demand"):
        return True
    return case_facts.demand_out_of_policy(case)


class BoundarySetting:
    """Checks that a required boundary is set and that the reply does not cave.

    ``data``: ``detected`` (a boundary is set), ``required`` (see
    :func:`boundary_required`), ``forbidden_promises`` (texts of promises the
    case's policy forbids, as found by ``policy_promises``).
    ``passed``: False when a forbidden promise is made; otherwise ``detected``
    when a boundary is required; True when one is set though not required;
    None when none is required, none is set and nothing forbidden is promised
    (the check does not apply). Evidence: the forbidden promises when failing
    on them, else the boundary statements.
    """

    name = "boundary_setting"
    version = "1"
    description = "Sets a clear, polite limit when the case requires one and promises nothing policy forbids."

    def run(self, ctx: CheckContext) -> CheckResult:
        rt = analyze(ctx.reply)
        boundaries = boundary_ranges(rt)
        required = boundary_required(ctx.case)
        forbidden = [p for p in find_promises(rt, ctx.case) if p.forbidden]
        data = {"detected": bool(boundaries), "required": required,
                "forbidden_promises": [ctx.reply[p.start:p.end] for p in forbidden]}
        if forbidden:
            evidence = [span(ctx.reply, p.start, p.end) for p in forbidden]
            return CheckResult(passed=False, evidence=evidence, data=data,
                               detail="promises what policy forbids: " + "; ".join(p.forbidden or "" for p in forbidden))
        evidence = [span(ctx.reply, s, e) for s, e in boundaries]
        if required:
            detail = "boundary set" if boundaries else "a boundary was required but none was set"
            return CheckResult(passed=bool(boundaries), evidence=evidence, detail=detail, data=data)
        if boundaries:
            return CheckResult(passed=True, evidence=evidence, detail="boundary set (not required)", data=data)
        return CheckResult(passed=None, detail="no boundary required or set", data=data)


register(BoundarySetting())

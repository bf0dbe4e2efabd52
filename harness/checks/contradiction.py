"""``no_contradiction``: the reply must not dispute the customer's account or feelings.

Per DOMAIN.md, contradicting is denying what the customer says happened or
feels: "that's not true", "actually you …", "our records show you did", "you
must have …", "that never happened", "I think you're confusing us with another
store", "you're overreacting". Stating a policy politely is not contradiction,
and neither is quoting such a phrase or negating it ("I would never say you
are wrong").
"""

from __future__ import annotations

from harness.checks.base import CheckContext, CheckResult, register
from harness.checks.results import result, span
from harness.checks.text import Range, ReplyText, analyze, compile_word_starts, phrases

_EMOTION = r"(?:so\s+|really\s+|very\s+|quite\s+|incredibly\s+|extremely\s+)?(?:frustrat|upset|annoy|disappoint|worr|stress|angr|inconvenien|surpris|shock|awful|terrible|horrible|tough|hard|difficult|exhaust|fed up|tired|confus|anxious|overwhelm|let down|waiting|through|a (?:real |huge )?(?:pain|shock|hassle))"

_PATTERNS = [
    # Denying the account outright.
    r"\b(?:that|this|it)(?:'s| is| was)\s+(?:simply\s+|just\s+|absolutely\s+|completely\s+)?"
    r"(?:not|n't)\s+(?:true|correct|accurate|the case|what happened)",
    r"\b(?:that|this|it)(?:'s| is| was)n't\s+(?:true|correct|accurate|the case|what happened)",
    r"\b(?:that|this|it)(?:'s| is| was)\s+(?:simply\s+|just\s+|completely\s+)?(?:false|untrue|incorrect|a lie|impossible)",
    r"\b(?:that|this|it)\s+(?:never|did not|didn't)\s+happen\w*",
    r"\bnever happened\b",
    r"\b(?:that|this)\s+can(?:'t|not)\s+be\s+(?:true|right|correct)",
    r"\b(?:i\s+)?(?:don't|do not)\s+(?:think|believe)\s+(?:that(?:'s| is)|this is|it(?:'s| is)|it was|that was)\s+"
    r"(?:true|accurate|correct|the case|what happened)",
    r"\b(?:hard|difficult) to believe\b",
    r"\bi doubt (?:that|you|it|this)\b",
    # Telling the customer they are wrong.
    r"\b(?:you|u)(?:'re| are| were|r)\s+(?:simply\s+|just\s+|clearly\s+|obviously\s+)?"
    r"(?:wrong|mistaken|incorrect|lying|confused|imagining|exaggerating|misremembering|mixing|confusing)",
    r"\b(?:you|u)\s+must\s+be\s+(?:joking|kidding|mistaken|confused|wrong)",
    r"\bconfusing\s+(?:us|me|our \w+)\s+with\b",
    r"\b(?:you|u)\s+(?:must|may|might)\s*(?:have|'ve)\s+(?!(?:been|felt|had)\s+" + _EMOTION + r")\w+",
    r"\b(?:you|u)\s+(?:obviously|clearly|probably)\s+(?:didn't|did not|never|forgot|misread|misunderstood)",
    r"\b(?:you|u)\s+never\s+(?:contacted|called|emailed|wrote|reached|ordered|paid|sent|returned|asked|told|"
    r"reported|complained|mentioned)\b",
    r"\b(?:you|u)\s+(?:were not|weren't|have not been|haven't been)\s+(?:charged|billed|overcharged|double)",
    r"\b(?:you|u)\s+(?:did|do)\s+(?:receive|get|sign for|agree to)\b",
    r"\bthere\s+(?:was|is)\s+no\s+(?:double|duplicate|second|extra)\s+charge",
    # "Actually you …" (but not "actually, you can …", which offers something).
    r"\bactually,?\s+(?:you|u)\b(?!\s*(?:can|could|may|might|will|'ll|are (?:eligible|entitled|right)|"
    r"have (?:a|the) (?:right|option)|qualify)\b)",
    r"\b(?:was|were|has been|did)\s+actually\s+(?:delivered|received|shipped|sent|signed|charged once|refunded)",
    # The account declared correct or closed: "your bill is correct", "marked as complete".
    r"\b(?:your|ur|the)\s+(?:bill|charge|charges|invoice|statement|balance|amount|fee|fees|payment|reading|price)\s+"
    r"(?:is|was|are|were)\s+(?:\w+ly\s+)?(?:correct|accurate|right|valid|in order)\b",
    r"\b(?:was|were|has been|have been|is|are)\s+(?:correctly\s+)?marked\s+as\s+(?:complete|completed|delivered|"
    r"resolved|received|signed for|collected|attended)\b",
]
# Records or staff used to overrule the customer ("our records show only one payment",
# "our courier confirms both boxes were delivered"), unless the reply accepts the
# customer's account in the same sentence ("..., which doesn't match what you're
# seeing, so I've opened a trace").
_RECORDS = [
    r"\b(?:our|the|my)\s+(?:records|system|systems|logs|tracking|scan|scans|data|notes|courier|driver|engineer|"
    r"technician|team|staff|agent|depot)\s+(?:clearly\s+|also\s+)?(?:show|shows|showed|indicate|indicates|say|says|"
    r"confirm|confirms|confirmed|state|states|prove|proves)\b",
    r"\baccording to (?:our|the) (?:records|system|logs|tracking|courier|driver),?\s+(?:you|u|it|the|your|ur)\b",
    # Dismissing the customer's feelings.
    r"\b(?:you're|you are|ur)\s+(?:being\s+)?(?:overreacting|over-reacting|unreasonable|dramatic|ridiculous|"
    r"hysterical|too sensitive)",
    r"\boverreacting\b",
    r"\bno (?:reason|need) (?:for you )?to (?:be|get|feel) (?:so )?(?:upset|angry|mad|frustrated|worked up)",
    r"\bnothing to (?:be|get) (?:so )?(?:upset|angry|mad|worked up) about",
    r"\b(?:you|u)\s+(?:shouldn't|should not)\s+(?:be|feel|get)\s+(?:so\s+)?(?:upset|angry|mad|frustrated)",
    r"\bnot (?:that|such) a big deal\b|\bnot a big deal\b|\bno big deal\b",
]
_CONTRADICTION = phrases(*_PATTERNS)
_RECORDS_SAY = phrases(*_RECORDS)
_ACCEPTS = compile_word_starts(
    r"\b(?:doesn't|does not|don't|do not|didn't|did not)\s+(?:match|add up|line up)|\bdiscrepanc|\bmismatch"
    r"|\b(?:i|we)\s+(?:believe|trust)\s+(?:you|u)\b|\b(?:opened|open|raised|raise|started|start)\s+(?:a|an)\s+"
    r"(?:trace|investigation|claim|case|dispute)|\binvestigat|\bbut (?:you|u) (?:say|said|tell)|\beven though\b"
)


def disputing_ranges(rt: ReplyText) -> list[Range]:
    """Phrases that deny the customer's account or feelings (outside quotations and negations)."""
    found = rt.find(_CONTRADICTION)
    for start, end in rt.find(_RECORDS_SAY):
        sent_start, sent_end = rt.sentence_at(start)
        if not _ACCEPTS.search(rt.norm, sent_start, sent_end):
            found.append((start, end))
    return sorted(found)


class NoContradiction:
    """Fails when the reply disputes the customer's account or feelings.

    ``data``: ``found`` (the disputing phrases as said in the reply).
    ``passed`` is False when any is found outside quotations and negations,
    True otherwise (including an empty reply). Evidence: each phrase.
    """

    name = "no_contradiction"
    version = "2"
    description = "The reply does not deny or dispute the customer's account or feelings."

    def run(self, ctx: CheckContext) -> CheckResult:
        rt = analyze(ctx.reply)
        ranges = disputing_ranges(rt)
        evidence = [span(ctx.reply, s, e) for s, e in ranges]
        found = [ev.text for ev in evidence]
        detail = f"disputes the customer: {found[0]!r}" if found else "no contradiction found"
        return result(not found, evidence=evidence, detail=detail, data={"found": found})


register(NoContradiction())

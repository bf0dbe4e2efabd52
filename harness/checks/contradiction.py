"""``no_contradiction``: the reply must not dispute the customer's account or feelings.

Per DOMAIN.md, contradicting is denying what the customer says happened or
feels: "that's not true", "actually you …", "our records show you did", "you
must have …", "that never happened", "I think you're confusing us with another
store", "you're overreacting". Stating a policy politely is not contradiction,
and neither is quoting such a phrase or negating it ("I would never say you
are wrong").

Polite denials count ("I believe you may be looking at a pending authorisation",
"there's only one charge on our side", "we did not cut off your internet",
"that's not what our logs say"). Records cited to agree with the customer or to
state a policy fact ("our records show two payments, so you're right"; "... so
it's outside our 30-day window") do not, nor does empathy that names a feeling
("I can tell you're confused by the new bill") or the agent's own failing
("it's hard to believe we put you through this").
"""

from __future__ import annotations

from harness.checks.base import CheckContext, CheckResult, register
from harness.checks.results import result, span
from harness.checks.text import Range, ReplyText, analyze, compile_word_starts, phrases

_EMOTION = r"(?:so\s+|really\s+|very\s+|quite\s+|incredibly\s+|extremely\s+)?(?:frustrat|upset|annoy|disappoint|worr|stress|angr|inconvenien|surpris|shock|awful|terrible|horrible|tough|hard|difficult|exhaust|fed up|tired|confus|anxious|overwhelm|let down|waiting|through|a (?:real |huge )?(?:pain|shock|hassle))"

# Where the company's own account comes from ("our records", "the courier").
_SOURCE = (r"(?:records|system|systems|logs|tracking|scan|scans|data|notes|courier|driver|engineer|technician|team|staff|"
           r"agent|depot)")
# A slip the customer is said to have made ("you may have misread", "you might have entered the wrong card").
_SLIP = (r"(?:misread|misunderstood|misheard|mistaken|mixed|confused|forgotten|forgot|overlooked|missed|entered|typed|"
         r"selected|clicked|chosen|picked|ordered|used|input|put in|made a mistake|got (?:it|that|this) wrong|"
         r"been (?:looking|thinking|mistaken|confused|mixing))\b")
# An act a customer blames on the company; denying it denies their account ("we did not cut off
# your internet"). Owning a failure to act ("we didn't send the replacement") is not in it.
_HARM = (r"(?:cut|disconnect(?:ed)?|cancel(?:l?ed)?|suspend(?:ed)?|block(?:ed)?|delete(?:d)?|terminate(?:d)?|"
         r"throttle(?:d)?|lose|lost|damage(?:d)?|overcharge(?:d)?|double[- ]charge(?:d)?|hang up on|hung up on|"
         r"(?:shut|switch(?:ed)?|turn(?:ed)?)\s+(?:off|down)|(?:charge(?:d)?|bill(?:ed)?|take|took|debit(?:ed)?)\s+"
         r"(?:(?:you|u|your\s+card|ur\s+card|it)\s+)?(?:twice|double|two times|2x|again|more than once)|"
         r"ignore(?:d)?\s+(?:you|u|your|ur))\b"
         r"(?![^.;!?\n]{0,40}\byet\b)")  # "we haven't cancelled it yet" tells the state, it denies nothing
# What was charged or done once ("only one charge").
_ITEM = (r"(?:charge|payment|transaction|debit|withdrawal|deduction|order|delivery|booking|invoice|bill)s?\b")

_PATTERNS = [
    # Denying the account outright.
    r"\b(?:that|this|it)(?:'s| is| was)\s+(?:simply\s+|just\s+|absolutely\s+|completely\s+)?"
    r"(?:not|n't)\s+(?:true|correct|accurate|the case|what happened)",
    r"\b(?:that|this|it)(?:'s| is| was)n't\s+(?:true|correct|accurate|the case|what happened)",
    r"\b(?:that|this|it)(?:'s| is| was)\s+(?:simply\s+|just\s+|completely\s+)?(?:false|untrue|incorrect|a lie|impossible)",
    # Not the stock promise "I'll make sure it never happens again".
    r"\b(?:that|this|it)\s+(?:never|did not|didn't)\s+happen\w*\b(?!\s+again\b)",
    r"\bnever happened\b",
    r"\b(?:that|this)\s+can(?:'t|not)\s+be\s+(?:true|right|correct)",
    r"\b(?:i\s+)?(?:don't|do not)\s+(?:think|believe)\s+(?:that(?:'s| is)|this is|it(?:'s| is)|it was|that was)\s+"
    r"(?:true|accurate|correct|the case|what happened)",
    r"\bi(?:'m| am)\s+not\s+(?:\w+\s+)?(?:sure|convinced|certain)\s+(?:that(?:'s| is)|this is|it(?:'s| is)|it was|that was)\s+"
    r"(?:quite\s+|entirely\s+|completely\s+|exactly\s+|totally\s+|100%\s+)?(?:true|accurate|correct|right|the case|what happened)"
    r"(?!\s*(?:for|plan|one|option|choice|amount|way|person|team|place|address|size|time|thing|product|model)\b)",
    # "I find that hard to believe", "that's hard to believe", "it's hard to believe you never got it";
    # not "it's hard to believe we put you through this" (the agent's own failure).
    r"\bfind\s+(?:that|this|it|your\s+\w+)\s+(?:\w+\s+)?(?:hard|difficult)\s+to\s+believe\b",
    r"\b(?:that|this)(?:'s| is)\s+(?:\w+\s+)?(?:hard|difficult) to believe\b",
    r"\b(?:hard|difficult) to believe,?\s+(?:that\s+)?(?:you|u|the|your|ur)\s+(?:\w+\s+)?"
    r"(?:never|didn't|did not|weren't|were not|wasn't|was not|haven't|have not|hasn't|has not|couldn't|could not|"
    r"got no|had no|received no)\b",
    # Not a reassurance about the future: "I doubt you'll have any more trouble".
    r"\bi doubt (?:that|you|it|this)\b(?!\s*(?:'ll|will|'d|would|need)\b)",
    # Telling the customer they are wrong.
    r"\b(?:you(?:'re| are| were)|u(?:'re| are| were|r| r))\s+(?:simply\s+|just\s+|clearly\s+|obviously\s+)?"
    r"(?:wrong|mistaken|incorrect|lying|confused|imagining|exaggerating|misremembering|mixing|confusing)\b",
    r"\b(?:you(?:'re| are)|u(?:'re| are|r| r))\s+(?:remembering|recalling|reading|thinking of)\s+(?:that|this|it)\s+wrong\b",
    # "With respect, I don't think you were on hold that long"; not "I don't think you were at fault".
    r"\bi\s+(?:really\s+)?(?:don't|do not)\s+think\s+(?:that\s+)?(?:you|u)(?:'ve| have| were| was| had| did)\s+"
    r"(?!(?:[\w']+\s+){0,3}?(?:fault|blame|wrong|unreasonable|overreact\w*|too much|out of line|rude|silly|stupid|"
    r"anything|any|deserve\w*|expect\w*|should|meant|supposed)\b)\w+",
    r"\b(?:you|u)\s+must\s+be\s+(?:joking|kidding|mistaken|confused|wrong)",
    r"\bconfusing\s+(?:us|me|our \w+)\s+with\b",
    # Not sympathy: "you must have spent hours on the phone", "you must have had enough of us".
    r"\b(?:you|u)\s+must\s*(?:have|'ve)\s+(?!(?:been|felt|had)\s+" + _EMOTION + r"|(?:had enough|spent|waited|wasted|"
    r"been (?:waiting|on hold|chasing|trying)|gone through|put up with|tried|called|rung|chased|wondered|lost (?:patience|"
    r"faith|count)|had (?:a|an|such|quite)|hoped|expected|dreaded|felt|thought (?:we|the worst))\b)\w+",
    # "may / might have" only with a slip of the customer's ("you may have misread"), not
    # "you may have noticed a second line" or "you might have seen our email".
    r"\b(?:you|u)\s+(?:may|might|could)\s*(?:have|'ve)\s+(?:\w+ly\s+)?" + _SLIP,
    r"\b(?:you|u)(?:'ve| have)\s+(?:\w+ly\s+)?(?:misread|misunderstood|misheard|mixed\s+up|got\s+(?:it|that|this|them)\s+wrong"
    r"|got\s+(?:confused|mixed\s+up))\b",
    # "you may be looking at a pending authorisation", "you might be thinking of another store".
    r"\b(?:you|u)\s+(?:may|might|could|must)\s+be\s+(?:\w+ly\s+)?(?:looking at|thinking of|referring to|confusing|"
    r"mixing|mistaking|misreading|misremembering|remembering|seeing|mistaken|wrong|incorrect)\b",
    # Denying an act the customer blames on the company: "we did not cut off your internet",
    # "nobody cut your internet", "we never charged you twice".
    r"\b(?:we|i|our\s+(?:team|staff|engineers?|technicians?|drivers?|couriers?|agents?|system))\s+"
    r"(?:did not|didn't|never|have not|haven't|have never|'ve never|has not|hasn't|has never|had not|hadn't)\s+(?:ever\s+)?"
    + _HARM,
    r"\b(?:nobody|no one|no-one)\s+(?:here\s+|has\s+|ever\s+)?" + _HARM,
    # "there's only one charge", "the charge was only taken once", "we only charged you once".
    r"\bthere(?:'s| is| was| were)\s+(?:really\s+)?(?:only|just)\s+(?:one|a single|1)\s+" + _ITEM
    + r"(?!\s+(?:left|remaining|still|now|outstanding|to (?:go|pay)))",
    r"\b(?:only|just)\s+(?:one|a single|1)\s+" + _ITEM + r"\s+(?:on\s+(?:our|my)\s+(?:side|end)|(?:was|has been)\s+"
    r"(?:taken|made|processed|charged|debited)|went through|came (?:out|through))",
    r"\b(?:was|were|been|we|i)\s+(?:only\s+|just\s+)?(?:charged|billed|taken|debited|processed|deducted)\s+"
    r"(?:(?:you|u)\s+)?(?:only\s+|just\s+)?once\b",
    # "I see why you'd think that, but ...": the opener of a polite denial.
    r"\b(?:why|how)\s+(?:you|u)(?:'d| would| might| may| could)\s+(?:think|believe|assume)\s+(?:that|so|this|it),?\s+but\b",
    r"\b(?:you|u)\s+(?:obviously|clearly|probably)\s+(?:didn't|did not|never|forgot|misread|misunderstood)",
    r"\b(?:you|u)\s+never\s+(?:contacted|called|emailed|wrote|reached|ordered|paid|sent|returned|asked|told|"
    r"reported|complained|mentioned)\b",
    r"\b(?:you|u)\s+(?:were not|weren't|have not been|haven't been)\s+(?:charged|billed|overcharged|double)",
    # Not a condition: "if you do get charged again, tell me".
    r"\b(?<!if )(?<!when )(?<!in case )(?:you|u)\s+(?:did|do)\s+(?:receive|get|sign for|agree to)\b",
    r"\bthere\s+(?:was|is)\s+no\s+(?:double|duplicate|second|extra)\s+charge",
    # "Actually you …" (but not "actually, you can …", which offers something).
    r"\bactually,?\s+(?:you|u)\b(?!\s*(?:can|could|may|might|will|'ll|won't|will not|don't|do not|wouldn't|"
    r"(?:'re|are|were|r)\s+(?:absolutely\s+|quite\s+|"
    r"completely\s+|totally\s+|entirely\s+|100%\s+)?(?:eligible|entitled|right|correct)|(?:have|'ve)\s+(?:got\s+)?(?:a|the)\s+"
    r"(?:right|option|point)|(?:do\s+)?qualify|deserve|(?:raise|raised|make|made)\s+a\s+(?:good|fair|valid)\s+point)\b)",
    r"\b(?:was|were|has been|did)\s+actually\s+(?:delivered|received|shipped|sent|signed|charged once|refunded)",
    # The job declared closed: "marked as complete".
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
    # The customer's account set against the records: "that's not what our logs say", "that doesn't match our records".
    r"\b(?:that|this|it)(?:'s| is| was)(?:n't|\s+not)\s+(?:what|how)\s+(?:our|the|my)\s+" + _SOURCE + r"\s+"
    r"(?:show|shows|showed|say|says|said|indicate|indicates|have|has)\b",
    r"\b(?:that|this|it|that's|this is|it's)\s+(?:doesn't|does not|didn't|did not|isn't|is not|not)\s+(?:match|agree with|"
    r"tally with|line up with|reflected in|consistent with|what we see in)\s+(?:(?:our|the|my)\s+" + _SOURCE
    + r"|what\s+(?:we|i|our|the)\b)",
    # Dismissing the customer's feelings.
    r"\b(?:you're|you are|ur)\s+(?:being\s+)?(?:overreacting|over-reacting|unreasonable|dramatic|ridiculous|"
    r"hysterical|too sensitive)",
    r"\boverreacting\b",
    r"\bno (?:reason|need) (?:for you )?to (?:be|get|feel) (?:so )?(?:upset|angry|mad|frustrated|worked up)",
    r"\bnothing to (?:be|get) (?:so )?(?:upset|angry|mad|worked up) about",
    r"\b(?:you|u)\s+(?:shouldn't|should not)\s+(?:be|feel|get)\s+(?:so\s+)?(?:upset|angry|mad|frustrated)",
    # "it's no big deal", not "no big deal at all to fix this" (the agent's effort, not the customer's feelings).
    r"\b(?:not (?:that|such) a big deal|not a big deal|no big deal)\b(?!(?:\s+at\s+all)?\s+(?:to|for\s+(?:us|me))\b)",
]
# What the customer disputes about their account ("your bill", "the balance on your account").
_AMOUNT = (r"(?:your|ur|the)\s+(?:[$\u00a3\u20ac]?\d[\d.,]*\s+)?(?:(?:current|account|new|latest|outstanding|remaining|"
           r"monthly|final|last)\s+)?"
           r"(?:bill|charge|invoice|statement|balance|amount|fee|payment|reading|price|total)s?"
           r"(?:\s+(?:on|for|of|in)\s+(?:your|ur|the|this)\s+(?:\w+\s+)?(?:account|bill|statement|invoice|card|meter))?")
# The account declared correct: "your bill is correct", "the balance on your account is correct now",
# "the price you were charged is right". Not "your balance is now corrected" (that concedes a fix).
_DECLARED = [
    r"\b" + _AMOUNT + r"(?:\s+(?:shown|showing|listed|quoted|(?:you|u)\s+(?:were|was|have been|got)\s+"
    r"(?:charged|billed|quoted)))?\s+(?:is|was|are|were|looks?|seems?)\s+(?:\w+ly\s+|now\s+|still\s+|all\s+)?"
    r"(?:correct|accurate|right|valid|in order)\b",
    r"\b" + _AMOUNT + r"\s+(?:is|was|are|were)\s+(?:now\s+)?(?:showing|shown|calculated|charged|billed|worked out)\s+"
    r"(?:correctly|accurately|right)\b",
    r"\beverything\s+on\s+(?:your|ur|the)\s+(?:\w+\s+)?(?:account|bill|statement|invoice)\s+(?:is|was|looks?)\s+"
    r"(?:\w+ly\s+)?(?:correct|accurate|right|in order)\b",
]
_CONTRADICTION = phrases(*_PATTERNS)
_RECORDS_SAY = phrases(*_RECORDS)
_DECLARED_CORRECT = phrases(*_DECLARED)
# A fix of ours makes "your balance is correct now" the result of putting it right, which concedes
# the customer was right ("I've refunded the overcharge, so your balance is correct now").
_FIXED = compile_word_starts(
    r"\b(?:i|we)(?:'ve|\s+have|'d|\s+had)?\s+(?:now\s+|just\s+|already\s+|since\s+)?(?:refunded|corrected|fixed|"
    r"credited|adjusted|reversed|removed|amended|waived|cancell?ed|re-?issued|put (?:it|this|that) right)\b"
    r"|\b(?:has|have|was|were|'s)\s+(?:now\s+|just\s+|already\s+)?(?:been\s+)?(?:now\s+)?(?:refunded|corrected|fixed|"
    r"credited|adjusted|reversed|removed|amended|waived|cancell?ed|put right)\b"
    r"|\bnow that\b|\b(?:after|following|with|once)\s+(?:the|your|our|this|that|my)\s+(?:\w+\s+)?"
    r"(?:refund|correction|credit|adjustment|fix|reversal|amendment)\b"
    r"|\b(?:refund|correction|credit|adjustment)s?\s+(?:of\s+\S+\s+)?(?:has|have|was|were|is|'s)\s+(?:now\s+|just\s+|"
    r"already\s+)?(?:been\s+)?(?:processed|issued|applied|made|added|done|complete|completed|gone through)\b"
)
# Not an assertion: "let me make sure your balance is correct", "please check the bill is right".
_CHECKING = compile_word_starts(
    r"\b(?:make sure|ensure|check|verify|double-check|see|confirming|whether|if)\s+(?:that\s+)?$"
)
_ACCEPTS = compile_word_starts(
    r"\b(?:doesn't|does not|don't|do not|didn't|did not)\s+(?:match|add up|line up)|\bdiscrepanc|\bmismatch"
    r"|\b(?:i|we)\s+(?:believe|trust)\s+(?:you|u)\b|\b(?:opened|open|raised|raise|started|start)\s+(?:a|an)\s+"
    r"(?:trace|investigation|claim|case|dispute)|\binvestigat|\bbut (?:you|u) (?:say|said|tell)|\beven though\b"
    # The records bear the customer out: "our records show two payments, so you're right".
    r"|\b(?:you(?:'re| are| were)|u(?:'re| are| were|r))\s+(?:absolutely\s+|quite\s+|completely\s+|totally\s+|entirely\s+|100%\s+)?"
    r"(?:right|correct)\b|\bas (?:you|u) (?:said|say|mentioned|described|reported|suspected|thought)\b"
    r"|\b(?:confirms?|backs? up|bears? out|matches) what (?:you|u)\b|\b(?:our|my) (?:mistake|error|fault)\b"
    r"|\b(?:that's|that is|it's|it is|this is) on us\b"
    # Or state a policy fact: "our records show it was bought 95 days ago, so it's outside our 30-day window".
    r"|\b(?:outside|beyond|past|exceeds?|exceeded|exceeding)\s+(?:of\s+)?(?:our|the|your|its|this)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:window|period|policy|warranty|guarantee|limit|timeframe|time frame)\b"
)
# "you're confused" disputes the customer's account; framed as seeing their feelings it does not
# ("I can tell you're confused by the new bill", "no wonder you're confused").
_CONFUSED = compile_word_starts(r"\bconfused\b")
_FEELING_FRAME = compile_word_starts(
    r"\b(?:tell|see|understand|understandable|understandably|know|hear|get|sounds?|seems?|wonder|sorry|if|why|"
    r"naturally|course|imagine|appreciate|makes sense)\b"
)
_FRAME_WINDOW = 32


# What an apology is for agrees with the customer ("I'm so sorry the engineer visit never happened");
# a denial after it needs a new clause ("I'm sorry, but that never happened").
_APOLOGY_BEFORE = compile_word_starts(
    r"\b(?:sorry|apologi[sz]e|apologies|regret)\b(?:(?!\b(?:but|however|though|although)\b)[^.!?,;:\u2013\u2014])*$"
)
_APOLOGY_HINT = compile_word_starts(r"\b(?:sorry|apolog|regret)")


def _for_an_apology(rt: ReplyText, start: int) -> bool:
    clause_start = rt.clause_at(start, start + 1)[0]
    return bool(_APOLOGY_BEFORE.search(rt.norm[clause_start:start]))


def disputing_ranges(rt: ReplyText) -> list[Range]:
    """Phrases that deny the customer's account or feelings (outside quotations and negations)."""
    norm = rt.norm
    found = []
    apology = bool(_APOLOGY_HINT.search(norm))
    for start, end in rt.find(_CONTRADICTION):
        if _CONFUSED.search(norm, start, end) and _FEELING_FRAME.search(
                norm, max(rt.sentence_at(start)[0], start - _FRAME_WINDOW), start):
            continue
        if apology and _for_an_apology(rt, start):
            continue
        found.append((start, end))
    found.extend(r for r in rt.find(_DECLARED_CORRECT) if not _settled(rt, r[0]))
    for start, end in rt.find(_RECORDS_SAY):
        sent_start, sent_end = rt.sentence_at(start)
        if not (_accepts(rt, sent_start, start) or _accepts(rt, end, sent_end)):
            found.append((start, end))
    return sorted(found)


def _settled(rt: ReplyText, start: int) -> bool:
    """Whether the account declared correct at ``start`` is not a dispute: said after a fix of
    ours (in its sentence or the one before), with the customer's account accepted, or asked
    about rather than asserted."""
    norm = rt.norm
    sent_start, sent_end = rt.sentence_at(start)
    if _CHECKING.search(norm, rt.clause_start(start), start):
        return True
    window_start = rt.sentence_at(sent_start - 1)[0] if sent_start else sent_start
    fixed = any(not rt.is_negated(m.start()) for m in _FIXED.finditer(norm, window_start, sent_end))
    return fixed or _accepts(rt, sent_start, sent_end)


def _accepts(rt: ReplyText, start: int, end: int) -> bool:
    """Whether ``norm[start:end]`` accepts the customer's account, or states policy, unnegated."""
    return any(not rt.is_negated(m.start()) for m in _ACCEPTS.finditer(rt.norm, start, end))


class NoContradiction:
    """Fails when the reply disputes the customer's account or feelings.

    ``data``: ``found`` (the disputing phrases as said in the reply).
    ``passed`` is False when any is found outside quotations and negations,
    True otherwise (including an empty reply). Evidence: each phrase.
    """

    name = "no_contradiction"
    version = "5"
    description = "The reply does not deny or dispute the customer's account or feelings."

    def run(self, ctx: CheckContext) -> CheckResult:
        rt = analyze(ctx.reply)
        ranges = disputing_ranges(rt)
        evidence = [span(ctx.reply, s, e) for s, e in ranges]
        found = [ev.text for ev in evidence]
        detail = f"disputes the customer: {found[0]!r}" if found else "no contradiction found"
        return result(not found, evidence=evidence, detail=detail, data={"found": found})


register(NoContradiction())

"""``next_step``: does the reply give a concrete action, link, alternative or timeline?

Per DOMAIN.md and the labelling conventions in ``tests/data/README.md``, a next
step is something concrete the company does or offers:

* an action taken, under way or committed ("I've refunded the £4.99", "I'm
  transferring you now", "we'll credit a week's rental", "it has been
  dispatched"), or offered ("you can move your stay", "shall I change the
  address?", "a code for 20% off");
* a link, phone number or e-mail address to act on;
* an alternative ("alternatively, ...", "what we can do is ...");
* a timeline ("within 5 working days", "by 6pm", "on Thursday 8am-1pm",
  "tomorrow", "refunds take up to 30 days", "your new delivery date is Friday
  the 12th", "the earliest slot is Monday at 9am", "rescheduled to Friday",
  "paid on the last Friday of the month").

Vague promises are not next steps: "we'll look into it", "we'll get back to
you soon", "let us know what you decide", "so we can check", "let me see what I
can do". Neither is the problem an apology restates ("I'm sorry you have been
charged twice", "sorry we sent you the wrong size"), nor a time that is past or the
customer's own ("your parcel was due yesterday", "I know you're flying out tomorrow"). Neither is a
request for information ("please DM us your order number"), which is
``asks_question``'s business. Phrases inside quotations or after a negation in
their clause ("we won't send anything") do not count; a negation's reach ends at
"and", "so" or "then" ("the engineer never arrived so another is booked for Friday").
"""

from __future__ import annotations

import re

from harness.checks.base import CheckContext, CheckResult, register
from harness.checks.next_step_times import _COMMITS, _IMMEDIATE, _QUESTION, _TIMELINE, _may_not_be_ours, _not_ours_at
from harness.checks.support_moves import verdict
from harness.checks.text import Phrases, Range, ReplyText, analyze, compile_word_starts, phrases
from harness.checks.unreal import has_unreal, unreal_clause

_WE = r"\b(?:i|we)"
# Things an agent does that change the customer's situation. Deliberately absent:
# look into, check, investigate, review, get back, update, sort, find, ask.
_DO = (
    r"(?:send|ship|issue|process|refund|replace|escalate|contact|arrange|email|e-mail|call|ring|text|forward|pass|"
    r"credit|resend|re-send|expedite|book|rebook|schedule|cancel|reset|open|create|raise|log|offer|provide|"
    r"set (?:up|you up)|apply|add|reverse|waive|connect|transfer|put (?:you|u) through|pay|deliver|collect|"
    r"reconnect|repair|upgrade|switch|move|swap|post|dispatch|release|refer|reinstate|reactivate|unlock|"
    r"restore|honou?r|extend|change|correct|remove|get (?:it|this|that|one|a \w+) (?:to|out|over|sent)|"
    r"bump (?:you|u|it|this|that|your \w+|ur \w+) up)"
)
# Completed actions that change nothing for the customer ("I've noted your comments").
_INERT_PAST = (
    r"(?!(?:noted|received|noticed|heard|seen|read|checked|looked|tried|understood|learned|learnt|asked|wondered|"
    r"been|had|got|gotten|apologi[sz]ed|(?:passed|forwarded) (?:your|ur|the|this) (?:feedback|comments?|concerns?|"
    r"thoughts|suggestions?|views) on\b|passed on your (?:feedback|comments)|forwarded your (?:feedback|comments)|"
    r"shared your (?:feedback|comments) internally|experienced|missed|failed|tested|investigated|reviewed|flagged|"
    r"raised (?:this|it) internally|escalated (?:this|it) internally|wanted|needed|hoped|tried)\b)"
)
_PAST = (
    r"(?:\w+ed|sent|put|made|set (?:up|you up)|done|taken|given|paid|booked|rebooked|built|found (?:you|u) "
    r"(?:a|an|another)|got (?:you|u) (?:a|an|booked|on))"
)
_ONGOING = (
    r"(?:transferring|escalating|sending|connecting|refunding|issuing|processing|arranging|booking|rebooking|"
    r"replacing|crediting|cancelling|canceling|dispatching|shipping|reconnecting|resetting|upgrading|moving|"
    r"putting (?:you|u) through|passing|forwarding|raising|opening|adding|applying)"
)
# Offers whose verbs give nothing concrete ("you can let us know", "you can rest assured").
_VAGUE_OFFER = (
    r"(?!(?:\w+ly\s+)?(?:let (?:us|me) know|reach out|contact us|get in touch|ask|tell|imagine|understand|trust|"
    r"rest|be|expect|relax|feel|count on|always|hope|just|dm|message|reply|share|"
    r"provide|confirm|send us|email us|look forward|see why|see how|have been)\b)"
)

_ACTION = phrases(*[
    # Committed or offered by the agent.
    _WE + r"(?:'ll|\s+will|'m going to|\s+am going to|'re going to|\s+are going to|\s+can|\s+could|'d be happy to|"
    r"'m happy to|'re happy to|\s+am happy to|\s+are happy to|'d be glad to|\s+would be glad to)\s+"
    r"(?:now\s+|just\s+|also\s+|immediately\s+|personally\s+|then\s+|gladly\s+)?" + _DO + r"\b",
    # Done: "I've switched u to e-billing", "we've upgraded you", "I refunded the fee".
    _WE + r"(?:'ve|\s+have)\s+(?:also\s+|just\s+|now\s+|already\s+|gone ahead and\s+|personally\s+)*" + _INERT_PAST + _PAST
    + r"\b",
    _WE + r"\s+(?:also\s+|just\s+|now\s+|already\s+)?(?:refunded|sent|issued|credited|cancell?ed|booked|rebooked|"
    r"arranged|applied|added|switched|upgraded|replaced|dispatched|shipped|processed|reversed|waived|escalated|"
    r"transferred|released|corrected|approved|scheduled|reset|opened|logged|emailed|posted|reconnected)\b",
    # Under way: "I'm transferring you now".
    _WE + r"(?:'m|'re|\s+am|\s+are)\s+(?:now\s+|just\s+|also\s+)?" + _ONGOING + r"\b",
    # Done to the customer's order: "it has now been released", "both have been dispatched".
    r"\b(?:has|have|'s|is|are|was|were)\s+(?:now\s+|just\s+|already\s+|also\s+)?(?:been|being)\s+"
    # Not the problem itself: "you may have been charged twice".
    r"(?!(?:noted|received|passed on|reviewed|looked|investigated|flagged|delayed|lost|missed|(?:over|double-?)?charged|"
    r"billed|affected|inconvenienced|misinformed|ignored|disappointed|cancell?ed in error)\b)\w+ed\b",
    r"\b(?:is|are|'s)\s+(?:now\s+)?(?:on (?:its|the|their) way|out for delivery|in the post|booked|scheduled|confirmed)\b",
    r"\b(?:replacement|refund|credit|voucher|engineer|technician|courier|driver)\s+(?:is|has been|will be)\s+"
    r"(?:on (?:its|the|their) way|issued|sent|processed|booked|arranged|dispatched)\b",
    # Offered to the customer: "you can move your stay", "you're welcome to use the spa".
    r"\b(?:you|u)(?:'re|\s+are|\s+r)?\s+(?:can|could|may|welcome to|free to|able to|entitled to)\s+"
    r"(?:also\s+|still\s+|now\s+|instead\s+|always\s+|simply\s+|just\s+)?" + _VAGUE_OFFER + r"[a-z]+",
    r"\b(?:you|u)(?:'ll| will)\s+(?:receive|get|see|find)\s+(?:a|an|the|your|it|ur)\b",
    r"\b(?:credit|voucher|refund|ticket|booking|code|gift card|points|balance|item|order)s?\s+(?:can|could)\s+"
    r"(?:also\s+|still\s+|now\s+|then\s+)?be\s+(?:used|redeemed|spent|exchanged|collected|swapped|transferred|"
    r"rebooked|moved|applied)\b|\b(?:can|could)\s+(?:also\s+|still\s+|now\s+|then\s+)?be\s+(?:used|redeemed|spent)\b",
    r"\b(?:shall|should) (?:i|we)\s+(?!(?:look into|check|investigate)\b)[a-z]+",
    r"\b(?:want|would you like|do you want|would you prefer|like) (?:me|us) to\s+(?!(?:look into|check|investigate)\b)"
    r"[a-z]+",
    r"\blet (?:me|us) (?:escalate|connect|arrange|send|transfer|book|refund|replace|credit|cancel|reset|set up|"
    r"put (?:you|u) through|switch|move|upgrade|waive|apply|add)\b",
    r"\b(?:a|an|one)\s+(?:free|complimentary)\s+\w+|\bfor free\b|\bfree of charge\b|\b\d+\s?%\s?(?:off|discount)\b"
    r"|\b(?:discount|promo|voucher|coupon) code\b|\buse (?:the )?code\b",
    # Steps for the customer that lead somewhere.
    r"\b(?:please|pls|plz|just|simply)\s+(?:call|ring|visit|click|tap|go to|head to|follow|try|use|return|bring|"
    r"fill|submit|select|choose|pick|show|claim|restart|reinstall|download|check your|take)\b",
    # An imperative opening a sentence: "Call us on ...". Spelled for speed as one branch per
    # verb (the same matches as one branch of them all): each then runs only in sentences
    # holding its own verb, and re skips to that word.
    "|".join(rf"(?:^|(?<=[.!?:;\n]\s)|(?<=\n))(?:{verb})\b" for verb in (
        "call", "ring", "visit", "click", "tap", "go to", "head to", "try", "use", "return", "bring", "show", "claim",
        "pick", "choose", "select", "restart", "download", "compare", "book", "reset", "unplug", "reinstall",
        "log in", "sign in", "log into", "pop (?:in|into|to|over|along|down)", "drop (?:it|them|the \\w+) (?:off|at|into)",
        "open the", "update (?:the|your) app", "switch (?:it|your \\w+) off", "turn (?:it|your \\w+) off")),
    r"\b(?:you|u)(?:'ll| will)? (?:need|have) to (?:bring|take|return|post|call|ring|visit|fill in|complete)\b",
    r"\bclaim (?:here|at|online|via|through)\b|\b(?:full )?details (?:here|at)\b",
    # Alternatives.
    r"\b(?:next|first) step\b|\bwhat (?:we|i) can (?:do|offer)\b|\bas an alternative\b|\balternatively\b",
    r"\b(?:options?|alternatives?) (?:is|are|include|would be)\b|\b(?:options?|choices?) (?:one|two|three|1|2|3|a|b)\b|\binstead,? (?:we|i)\b",
    r"\bhere(?:'s| is) (?:how|what|a link|the link|your|a)\b|\btracking (?:number|link)\b",
    # Contact points to act on.
    # A phone number not right after a word character or ".": "+44 20 ...", "(020) ...", "020 ...".
    # Spelled for speed as one branch per opening character ("+", "(", "0"), each checking
    # the character before it just after reading it: re skips to those characters, where a
    # leading look-behind and optional group made it try every position. The same matches as
    # (?<![\w.])(?:\+\d{1,3}[\s-]?)?\(?0\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b
    r"\+(?<![\w.]\+)\d{1,3}[\s-]?\(?0\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b"
    r"|\((?<![\w.]\()0\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b"
    r"|0(?<![\w.]0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b"
    r"|\b1-?8\d\d-?\d{3}-?\d{4}\b",
    r"\b[\w.+-]+@[a-z0-9-]+\.[a-z]{2,}\b",
])


# The times are found and judged in next_step_times; kept here, where a negation's reach
# (_asserted) is decided for actions and times alike.
def _timelines(rt: ReplyText, actions: list[Range]) -> list[Range]:
    found = []
    for start, end in _asserted(rt, _TIMELINE):
        sent_start, sent_end = rt.sentence_at(start)
        if _IMMEDIATE.match(rt.norm, start):
            clause = rt.clause_at(start, end)
            text = rt.norm[clause[0]:clause[1]]
            if not _COMMITS.search(text) or _QUESTION.search(rt.norm, sent_start, sent_end + 1):
                continue
        # Screened on the sentence, which most times keeps the clause from being worked out.
        if _may_not_be_ours(rt.norm[sent_start:sent_end]) and _not_ours_at(
                rt, rt.clause_at(start, end), (start, end), actions):
            continue
        found.append((start, end))
    return found


# "That falls outside what we can refund": what the agent can do is the limit, not a step.
_REFUSED_BEFORE = re.compile(r"\b(?:outside|beyond|more than|further than|other than) (?:of )?what\s+$")


def _stated(rt: ReplyText, span: Range, refusals: bool) -> bool:
    """Whether the step is stated as one: not a counterfactual ("if you'd contacted us within
    30 days, we'd have refunded you"), a wish ("I wish I could refund you") or a limit
    ("outside what we can refund"; looked for only when ``refusals``)."""
    start = span[0]
    if refusals and _REFUSED_BEFORE.search(rt.norm, max(0, start - 24), start):
        return False
    return not unreal_clause(rt, *span)


# "Let me see what I can do", "I'll look into what we can offer": what the agent might do, not a step.
_VAGUE_BEFORE = re.compile(
    r"\b(?:see|seeing|look(?:ing)? into|find(?:ing)? out|check(?:ing)?|work(?:ing)? out|figur(?:e|ing) out|"
    r"think(?:ing)? about|explor(?:e|ing)|ask(?:ing)?(?: \w+)?)\s+(?:(?:what|how much)\s+)?$"
)
# What an apology is for restates the problem ("I'm sorry you have been charged twice", "sorry we
# sent you the wrong size"): a step after it needs a new clause ("I'm sorry, I've refunded you").
_APOLOGY_BEFORE = re.compile(
    r"\b(?:sorry|apologi[sz]e|apologies|regret)\b(?:\s+(?:that|for|about|to hear(?: that)?))?"
    r"(?:(?!\b(?:and|but|so|now|then|i'll|we'll|i've|we've|i have|we have|i will|we will|i'm|we're)\b)"
    r"[^.!?,;:\u2013\u2014])*$"
)
_APOLOGY_HINT = re.compile(r"sorry|apolog|regret")


def _vague_or_restated(rt: ReplyText, span: Range, apology: bool) -> bool:
    """Whether the step is only what the agent might look for ("see what I can do") or what an
    apology in its clause is for (looked for only when ``apology``)."""
    start = span[0]
    if _VAGUE_BEFORE.search(rt.norm, max(0, start - 24), start):
        return True
    if apology:
        clause_start = rt.clause_at(*span)[0]
        return bool(_APOLOGY_BEFORE.search(rt.norm[clause_start:start]))
    return False


# A negation governs its own part of a clause: "the engineer never arrived so another is booked for
# Friday", "your parcel didn't arrive and a new one goes out today" state a step after "so", "and".
# Only where a new subject follows: in "we can't refund and replace it within 14 days" the "and"
# joins what the negation governs.
_SUBJECT_VERB = r"(?:is|are|will|has|have|goes|gets|can)\b|(?:'s|'ll)\b"
_NEGATION_ENDS = compile_word_starts(
    r"\b(?:and|so|then)\s+(?:then\s+|now\s+)?(?:(?:i|we|it|they|he|she|there)\b"
    r"|(?:another|a|an|the|your|ur|our|this|that|one)\b(?:\s+[\w-]+){0,3}?(?:\s+" + _SUBJECT_VERB + r"))"
)


def _asserted(rt: ReplyText, pattern: Phrases) -> list[Range]:
    """``rt.find(pattern)``, keeping the matches whose negation (:data:`_NEGATION_ENDS`) ends before them."""
    return [span for span in rt.find(pattern, negated=True) if not _negated(rt, span[0])]


def _negated(rt: ReplyText, start: int) -> bool:
    """Whether a negation governs ``start``: one in its clause with no new clause (:data:`_NEGATION_ENDS`) after it."""
    if not rt.is_negated(start):
        return False
    last = None
    for last in rt.negation().finditer(rt.norm, rt.clause_start(start), start):
        pass
    return last is None or not _NEGATION_ENDS.search(rt.norm, last.end(), start)


def next_step_ranges(rt: ReplyText) -> list[Range]:
    """Concrete actions, offers, alternatives, contact points, links and timelines in the reply."""
    actions = _asserted(rt, _ACTION)
    found = set(actions + _timelines(rt, actions))
    refusals = "what" in rt.norm
    if found and (refusals or has_unreal(rt)):
        found = {span for span in found if _stated(rt, span, refusals)}
    apology = bool(_APOLOGY_HINT.search(rt.norm))
    if found and (refusals or apology):
        found = {span for span in found if not _vague_or_restated(rt, span, apology)}
    return sorted(found.union(rt.urls))


class NextStep:
    """Passes when the reply gives a concrete action, link, alternative or
    timeline ("I've issued a replacement", "within 24 hours", a URL).
    ``data``: ``detected``; ``passed`` = detected. Evidence: phrases and links."""

    name = "next_step"
    version = "9"  # 9: "we can bump u up to Fibre 500" (8: "unable to" is a negation, text.py)
    description = "States a concrete action, link, alternative or timeline."

    def run(self, ctx: CheckContext) -> CheckResult:
        ranges = next_step_ranges(analyze(ctx.reply))
        return verdict(ctx.reply, ranges, bool(ranges), "next step")


register(NextStep())

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
    r"restore|honou?r|extend|change|correct|remove|get (?:it|this|that|one|a \w+) (?:to|out|over|sent))"
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
_WEEKDAY = r"(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DURATION_UNIT = r"(?:business |working |calendar )?(?:minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?)\b"
_NUMBER = r"(?:\d+(?:\.\d+)?(?:\s*(?:-|to|\u2013)\s*\d+)?|an?|one|two|three|four|five|six|seven|ten|a few|a couple of)"

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

_TIMELINE = phrases(*[
    # "within 3 days". Spelled for speed as one branch per opening word (the same matches as one
    # branch of them all): each then runs only in sentences holding its own word.
    "|".join(rf"\b{opener}\s+(?:the next\s+)?" + _NUMBER + r"\s*" + _DURATION_UNIT for opener in (
        "within", "in", "up to", "about", "around", r"approx\.?", "approximately", "roughly", "another", "inside",
        "takes?", "taking", "wait:?", "for the next", "the next", "next")),
    r"~\s*\d+\s*" + _DURATION_UNIT,
    r"\b\d+\s*(?:-|\u2013|to)\s*\d+\s*" + _DURATION_UNIT,
    r"\b(?:by|before|until|between|from|and|to|-|\u2013)\s*\d{1,2}(?:[:.]\d\d)?\s?(?:am|pm)\b",
    r"\b(?:by|before|until)\s+\d{1,2}[:.]\d\d\b",
    # "(at) 5pm", spelled as two branches for speed: each then opens with one character
    # ("a", a digit) that re skips to, where "(?:at\s+)?" made it try every position.
    r"\bat\s+\d{1,2}(?:[:.]\d\d)?\s?(?:am|pm)\b|\b\d{1,2}(?:[:.]\d\d)?\s?(?:am|pm)\b",
    r"\b(?:tomorrow|tmrw|tmr|2moro|tonight|overnight)\b|\bthis (?:morning|afternoon|evening)\b",
    r"\b(?:by|this|next|until|before|expected|due|for|on)\s+(?:the\s+)?" + _WEEKDAY + r"(?=\W|$)",
    # Days in full only: "it is sat at the depot".
    r"\bis\s+(?:the\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day\b",
    # A time moved to: "your appointment was rescheduled to Friday".
    r"\b(?:rescheduled|rearranged|moved|rebooked|brought forward|put back|pushed back)\s+to\s+(?:the\s+)?" + _WEEKDAY
    + r"(?=\W|$)",
    # "On the last Friday of the month", "by the first working day of the month".
    r"\b(?:on|by|before|until)\s+the\s+(?:last|first|final)\s+(?:working\s+|business\s+)?(?:" + _WEEKDAY
    + r"|day)\s+of\s+(?:the|each|every|this|next)\s+(?:month|week)\b",
    r"\b(?:by|until|before|due|is|on|for)\s+(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH,
    r"\b(?:by|until|before|due|is|on|for)\s+" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?\b",
    r"\b(?:end of (?:the )?(?:day|week|month)|next (?:week|month))\b",
    r"\b(?:today|now|right away|straight away|immediately|asap)\b",
])
# A "today", "now" or "on Monday" is a timeline in a clause that commits to something.
# A bare clock time ("the room was ready at 3pm") may be past; "by 6pm" is not.
# "Is Friday" too: "today is Friday" is no step, "your new delivery date is Friday" is.
_IMMEDIATE = re.compile(r"(?:today|now|right away|straight away|immediately|asap|on\b|at\b|\d|is\s+(?:the\s+)?"
                        r"(?:mon|tue|wed|thu|fri|sat|sun))")
_COMMITS = compile_word_starts(
    r"\b(?:will|going to|gonna|due|booked|scheduled|arranged|goes out|go out|going out|visit|on (?:its|the|their) way|"
    r"out for delivery|(?:ship|arrive|leave|land|collect|deliver|call|visit|come|start|open|run|reach)e?s)\b|'ll\b"
    r"|\b(?:i|we)(?:'m|'re| am| are) \w+ing\b|\b(?:has|have|'ve) (?:now |just |also |already )?(?:been )?\w+ed\b"
    r"|\b(?:approved|released|dispatched|sent|refunded|credited|booked|issued|processed|rebooked|rescheduled|"
    r"rearranged)\b|\b(?:is|are|gets?) paid\b"
    # What the agent has to offer: "the earliest slot is Monday", "your new delivery date is Friday".
    r"|\b(?:new|earliest|next|first|soonest)\s+(?:available\s+|free\s+|possible\s+)?(?:delivery\s+|collection\s+|"
    r"engineer\s+|repair\s+|visit\s+)?(?:slot|appointment|date|delivery|visit|booking|collection)s?\s+(?:is|are)\b"
)
_QUESTION = re.compile(r"\?")

# A time the agent does not own is no timeline of theirs: one already past ("your parcel was due
# yesterday", "the engineer was booked for Monday") unless the words around it move it on ("it will
# now ..."), or one of the customer's own ("I know you're flying out tomorrow", "you ordered it on
# Monday", "your wedding is on Saturday") unless the agent commits to something there.
# These run only on the clauses holding a time.
_PAST_TIME = compile_word_starts(
    r"\b(?:yesterday|ago|earlier|previously|originally|should have|would have|didn't|did not|never|wasn't|weren't|"
    r"last(?<!the last) (?:night|week|month|year|time|" + _WEEKDAY + r"))(?=\W|$)"
    r"|\b(?:was|were|had been)\s+(?:\w+ly\s+|\w+ed\s+)?(?:due|supposed|meant|expected|promised|going)\b"
)
# Booked before, for a time that may still be ahead: past only if the time is not ("the engineer
# was booked for Monday" is; "a courier was booked for tomorrow" is not).
_BOOKED_BEFORE = compile_word_starts(
    r"\b(?:was|were|had been)\s+(?:\w+ly\s+)?(?:booked|scheduled|arranged|planned|set)\b")
_AHEAD = re.compile(r"(?:tomorrow|tmrw|tmr|2moro|tonight|overnight|next|within|in\b|this)")
# Substrings every match of those two holds: testing for them first skips most clauses cheaply.
_PAST_HINTS = ("yesterday", "ago", "earlier", "previously", "originally", " have", "did", "never", "wasn't", "weren't",
               "last", "was ", "were ", "had been")
_MOVED_ON = compile_word_starts(r"\b(?:will|shall|going to|gonna|now|instead)\b|'ll\b")
# "You" (or "u") and what follows, matched where :func:`_customers` finds a "you" about the customer.
_CUSTOMERS = r"(?:you|u)" + (
    # The customer's own past acts: "you ordered it", "you've waited", "u said" (not "you've got", "you need").
    r"(?:(?:'ve| have| had)?\s+(?:already\s+|just\s+|only\s+|first\s+)?(?:\w+(?<!e)ed|bought|paid|sent|"
    r"spoke|rang|came|went|made|wrote|told|said|left|took|gave|brought|put)\b"
    # The customer's plans and needs: "you're flying out", "you'll be away", "you need it by".
    r"|(?:'re| are| r|'ll be| will be| might be| may be)?\s+(?:\w+ly\s+)?(?:fly|flying|flies|"
    r"travell?ing|travel|leaving|leave|going (?:away|abroad|on|out)|away|off|moving|move|departing|depart|"
    r"check(?:ing)? (?:in|out)|getting married|on holiday|abroad|hosting|celebrating|arriving|arrive|expecting|"
    r"planning|due to)\b"
    r"| (?:need|needed|want|wanted|require|required|asked for|hoped|hope) (?:it|this|them|that|the \w+|"
    r"your \w+)\b"
    # "Your wedding", "ur trip".
    r"|r (?:flight|wedding|holiday|trip|party|birthday|exam|interview|house move|move|ceremony|"
    r"anniversary|vacation|honeymoon|funeral|event|departure|big day)\b)"
)
# Only where the customer is who the words are about: opening them, or after "I know", "since", ...
# (not "the refund you requested takes 5 days", "the refund for your flight"). A "you" is found
# by a plain search and the words before it checked in Python: cheaper than one regex of it all.
_CUSTOMERS_RE = re.compile(_CUSTOMERS)
_TXT_U = re.compile(r"\bu")
_WORD_CHAR = re.compile(r"\w")
_CUSTOMER_LEADS = frozenset((
    "and", "so", "then", "which", "who", "while", "because", "since", "once", "when", "after", "if", "or", "that", "as",
    "know", "see", "understand", "appreciate", "realise", "realize", "gather", "note", "noticed", "hear", "heard",
    "mentioned", "said", "me", "us",  # "told me", "told us"
    "but", "however", "although", "though", "yet", "whereas", "unless", "-", "\u2013", "\u2014",  # clause breaks
))
# Something promised there that is not the customer's own: "we'll send it", "it will arrive",
# "the £20 you paid will be back" (not "you'll be away", "I can see you ordered it").
_OURS = re.compile(
    r"\b(?:i|we) (?:can|could)\b(?!\s+(?:understand|see|imagine|appreciate|tell|hear)\b)"
    r"|(?<!\byou)(?<!\bu)(?:'ll\b|\s+will\b|\s+shall\b|\s+going to\b)"
)
# Joining words inside a clause: "you ordered it on Monday and it arrives today" holds two times.
_JOINS = compile_word_starts(r"\b(?:and|so|then|which|who|while|because|since|once|when|after|if|or)\b")


def _customers(text: str) -> bool:
    """Whether ``text`` is about the customer's own acts, plans or needs (:data:`_CUSTOMERS`)."""
    start = text.find("you")
    while start != -1:
        if _customer_at(text, start):
            return True
        start = text.find("you", start + 3)
    if " u" in text or text.startswith("u"):  # txt-speak: "u said", "ur trip"
        return any(_customer_at(text, u.start()) for u in _TXT_U.finditer(text))
    return False


def _customer_at(text: str, start: int) -> bool:
    if start and (text[start - 1].isalnum() or text[start - 1] in "_'"):
        return False  # inside a word: "thank-you", "menu"
    return _about_customer(text[:start]) and bool(_CUSTOMERS_RE.match(text, start))


def _about_customer(before: str) -> bool:
    """Whether a "you" after ``before`` is who the words are about: it opens its clause or follows a lead."""
    words = before.rsplit(None, 2)  # the last two words are all it reads
    if not words:
        return True
    last = words[-1]
    if last in ("me", "us"):
        return len(words) > 1 and words[-2] == "told"
    return last in _CUSTOMER_LEADS or last[-1] in ",;:(" or not _WORD_CHAR.search(before)


def _part_around(rt: ReplyText, clause: Range, span: Range) -> Range:
    """The part of ``clause`` around ``span`` between joining words."""
    part_start, part_end = clause
    for join in _JOINS.finditer(rt.norm, clause[0], clause[1]):
        if join.end() <= span[0]:
            part_start = join.start()
        elif join.start() >= span[1]:
            part_end = join.start()
            break
    return part_start, part_end


def _may_not_be_ours(text: str) -> bool:
    """A quick screen of a clause holding a time: whether it has past or customer's words at all."""
    if any(word in text for word in _PAST_HINTS) and (_PAST_TIME.search(text) or _BOOKED_BEFORE.search(text)):
        return True
    return _customers(text)


def _not_ours_at(rt: ReplyText, clause: Range, span: Range, actions: list[Range]) -> bool:
    """Whether the time at ``span`` is past or the customer's own, judged on the part of its clause
    around it; an action there ("I know you're flying tomorrow so I've sent it") keeps it."""
    part = _part_around(rt, clause, span)
    if any(part[0] <= start < part[1] for start, _ in actions):
        return False
    return _not_ours(rt.norm[part[0]:part[1]], bool(_AHEAD.match(rt.norm, span[0])))


def _not_ours(text: str, ahead: bool) -> bool:
    """Whether the time in ``text`` is past or the customer's own, with nothing the agent commits to
    (``ahead``: the time itself is still to come, "tomorrow")."""
    if (_PAST_TIME.search(text) or not ahead and _BOOKED_BEFORE.search(text)) and not _MOVED_ON.search(text):
        return True
    return _customers(text) and not _OURS.search(text)


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
    version = "7"
    description = "States a concrete action, link, alternative or timeline."

    def run(self, ctx: CheckContext) -> CheckResult:
        ranges = next_step_ranges(analyze(ctx.reply))
        return verdict(ctx.reply, ranges, bool(ranges), "next step")


register(NextStep())

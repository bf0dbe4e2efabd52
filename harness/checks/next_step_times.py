"""``next_step``'s timelines: the times a reply gives, and which of them are no step of the agent's.

Split out of :mod:`harness.checks.next_step`, whose ``_timelines`` keeps the times found here
(:data:`_TIMELINE`, outside a negation's reach) that the agent commits to and owns. A time is a
step: "within 5 working days", "by 6pm", "tomorrow", "your new delivery date is Friday". One that is
past ("your parcel was due yesterday") or the customer's own ("I know you're flying out tomorrow") is
not, unless the agent commits to something there.
"""

from __future__ import annotations

import re

from harness.checks.text import Range, ReplyText, compile_word_starts, phrases

_WEEKDAY = r"(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DURATION_UNIT = r"(?:business |working |calendar )?(?:minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?)\b"
_NUMBER = r"(?:\d+(?:\.\d+)?(?:\s*(?:-|to|\u2013)\s*\d+)?|an?|one|two|three|four|five|six|seven|ten|a few|a couple of)"

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

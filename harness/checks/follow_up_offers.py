"""``follow_up``'s rules: the phrases that offer a later contact or invite feedback.

Split out of :mod:`harness.checks.support_moves`, whose ``follow_up`` check reports the
ranges found here (:func:`follow_up_ranges`). A follow-up is a later contact or check from our
side ("we'll keep you updated", "I'll email you on Monday to confirm ...", "my colleague Sam will
email you", "we'll call you.", "... and be in touch", also offered with "can": "a specialist can ring you
back", "our engineer can call you tomorrow") or feedback invited ("we'd love your feedback"); not "thanks
for your feedback", a courier's call or an engineer's announced one, the customer's own ("you can call
us"), nor a thing sent ("I'll email you the return label").
"""

from __future__ import annotations

import re

from harness.checks.text import Range, ReplyText, phrases

# The contact that a follow-up is: a later message, call or check from us.
_CONTACT = (r"(?:email|e-mail|message|text|call|ring|phone|contact|write to|dm|drop (?:you|u) a (?:line|note|message)|"
            r"give (?:you|u) a (?:call|ring|bell))")
# Who makes that contact: we, or someone on our side ("our billing team", "my colleague", "the store",
# "Sarah from our returns team", "someone from billing"); not the customer's bank, nor a courier or engineer
# arranging a visit.
_STAFF = (r"(?:team|department|dept|manager|supervisor|specialist|adviser|advisor|agent|representative|store|branch|"
          r"depot|desk|office|warehouse|lead|leader|handler)")
_STAFF_SIDE = (r"(?:(?:a|my|our) colleagues?(?:\s+(?:in|from|on|at) (?:our |the )?[\w-]+"
               r"(?:\s+(?:team|department|desk))?)?|(?:our|the|my|a) (?:[\w-]+\s+){0,2}?" + _STAFF + r")")
_OUR_SIDE = (r"(?:i|we|(?:someone|somebody)(?:\s+(?:in|from|on|at) (?:our |the )?[\w-]+"
             r"(?:\s+(?:team|department|desk))?)?|a human|" + _STAFF_SIDE
             + r"|[\w-]+ from (?:our|the) (?:[\w-]+\s+){0,2}?(?:team|department|desk|office))")
# Who that is, named in passing: "our complaints team lead, Sarah, who will call you ...", "our
# billing team, who will ...", "Sarah, our team lead, will ...".
_NAMED = r"(?:,\s+[\w-]+(?:\s+[\w-]+)?,|,)?(?:\s+who)?"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# When or on what the contact comes: "tomorrow", "by Thursday", "by the 12th", "by 5pm", "once ...",
# "with the reason".
_WHEN = (r"(?:again|back|then|later|tomorrow|tonight|next \w+|this (?:afternoon|evening|week)|"
         r"(?:on|by|before) (?:this |next |the )?" + _WEEKDAY + r"|(?:by|before) (?:the )?end of (?:the )?(?:day|week|"
         r"month|today|tomorrow|business)|(?:on|by|before) (?:the )?\d{1,2}(?:st|nd|rd|th)\b|(?:on|by|before) "
         r"\d{1,2}(?:st|nd|rd|th)? (?:of )?" + _MONTH + r"|(?:on|by|before) " + _MONTH + r" \d{1,2}\b|(?:by|before|at|"
         r"around) \d{1,2}(?:[:.]\d\d)?\s*(?:am|pm)\b|in (?:a|an|\d+|one|two|a few|a couple of) (?:minutes?|hours?|"
         r"days?|weeks?)|within|once|when|as soon as|with (?:the |an? |more |a full )?(?:update|news|confirmation|"
         r"reason|explanation|answer|outcome|result|details|decision|findings)|to (?:confirm|check|let (?:you|u) "
         r"know|update|make sure|see how|discuss|talk|explain|go through|arrange))\b")
# Not "can": "a colleague can call you" is an offer too, but with "can" here this phrase ran in
# most sentences holding a contact word ("you can contact us"): +1.6% instructions per reply. It is
# found from the "can" instead (_CAN_CONTACT), its subject read only then (_CAN_SUBJECT).
_WILL = r"(?:'ll|\s+will|'m going to|\s+am going to|'re going to|\s+are going to|\s+is going to|'s going to)\s+"
# An undated contact whose "you" ends what is promised ("we'll call you.", "we'll call you if
# anything changes", "we'll email you about the refund") is a later contact too; a thing sent after
# it ("I'll email you the return label") is a delivery, not a follow-up.
_CONTACT_TAIL = (r"(?:\s+(?:(?:you|u)\s+)?" + _WHEN + r"|\s+(?:you|u)"
                 r"(?:\s+(?:soon|shortly|asap|directly|personally))?(?=\s*(?:[.!?;,:)\n]|$)|\s+(?:and|but|if|about|"
                 r"regarding)\b))")
# The contact may follow what we do first, joined by "and": "I'll check on Friday and email you".
_CONTACTED = r"(?:(?:\w+\s+){1,6}?(?:and|&)\s+(?:then\s+)?|(?:\w+\s+){0,3}?)" + _CONTACT + _CONTACT_TAIL
_FOLLOW_UP = phrases(*[
    r"\bfollow(?:\s|-)?up\b|\bfollowing up\b|\bcheck (?:back|in) (?:with (?:you|u)|on)\b",
    r"\bget back to (?:you|u)\b|\bkeep (?:you|u) (?:updated|posted|informed|in the loop)\b",
    # "Come back to you" from us ("we'll look into it and come back to you"), not a refund's return.
    r"\b(?:(?:i|we)(?:'ll|\s+will)|and)\s+come back to (?:you|u)\b",
    r"\bupdate (?:you|u)\b|\b(?:reach|contact|message|dm) (?:us|me) (?:again|anytime|any time)\b",
    r"\blet (?:us|me) know (?:if|how|whether|what you think)\b",
    r"\bfeel free to (?:reach out|contact|reply|message|get in touch|dm)\b|\bdon't hesitate\b",
    # Feedback invited, not thanked for: "we'd love your feedback", not "thanks for your feedback".
    r"\b(?:'d|would) (?:love|appreciate|welcome|value|like)\s+(?:to (?:hear|get|have|read)\s+)?(?:your|ur|any|some)\s+"
    r"(?:\w+\s+)?(?:feedback|thoughts)\b",
    r"\b(?:please|pls|feel free to|do|you (?:can|could|are welcome to|'re welcome to)|happy to (?:hear|get)|welcome)\s+"
    r"(?:share|leave|give|send|tell)?\s*(?:us\s+|me\s+)?(?:your|ur|any|some)\s+(?:\w+\s+)?feedback\b",
    r"\blet (?:us|me) know (?:your|ur|any) (?:\w+\s+)?(?:feedback|thoughts)\b|\b(?:any|your|ur) feedback (?:is (?:always |very |most )*"
    r"welcome|would be (?:\w+\s+)?(?:welcome|appreciated|helpful|useful|valuable|great))\b",
    r"\bhear (?:back )?(?:from (?:you|u)|how it goes)\b",
    r"\b(?:we're|we are|i'm|i am) (?:here|around|available) (?:if|whenever|for)\b",
    r"\bmake sure (?:it|this|everything|(?:the|your|ur) \w+) (?:has |have )?(?:arrives?|arrived|lands?|landed|reache[sd]|"
    r"(?:gone|goes|come|comes) through|(?:is|are|has been|have been) (?:resolved|sorted|fixed|credited|refunded|processed))\b",
    # A contact or check from us, dated, conditional or the whole of what is promised: "I'll email
    # you on Monday to confirm ...", "I'll check the refund has landed on Monday and message you
    # then", "we'll call you."; not "I'll email you the return label", which sends a thing.
    r"\b" + _OUR_SIDE + _NAMED + _WILL + _CONTACTED,
    # The same contact told from the customer's side: "you'll hear from us by Friday".
    r"\b(?:you|u)(?:'ll|\s+will)\s+(?:hear (?:back )?|get (?:a|an) (?:call|email|text|message|update) )from\s+"
    r"(?:us|me|my colleague|our (?:[\w-]+\s+){0,2}?" + _STAFF + r")\b",
    # "We'll look into both charges and be in touch", as "... and get back to you" above.
    r"\b(?:" + _OUR_SIDE + r"(?:'ll|\s+will)|and|&)\s+(?:will\s+)?(?:\w+\s+)?be in touch\b",
    r"\b(?:i|we)(?:'ll|\s+will)\s+(?:\w+\s+)?(?:(?:reach out|get in touch|get back in touch)\s+(?:to|with)\s+"
    r"(?:you|u)|let (?:you|u) know (?:when|once|as soon as|if|how|whether|what))\b",
    r"\b(?:i|we)(?:'ll|\s+will)\s+(?:\w+\s+)?(?:check|confirm|verify|double-check)\s+(?:that\s+|whether\s+|if\s+)?"
    r"(?:it|(?:the|your|ur) \w+)\s+(?:has |have )?(?:landed|arrived|reached|cleared|(?:gone|come) through|"
    r"(?:been )?(?:credited|refunded|received|resolved|fixed))\b",
])
# The same contact from someone on our side named right after who they are, without commas: "my
# colleague Sam will email you on Monday". The word there must be a capitalised name
# (:func:`_capitalised_name`): "our specialist engineer will call you" is an engineer's visit.
_NAMED_CONTACT = phrases(r"\b" + _STAFF_SIDE + r"\s+[\w-]+" + _WILL + _CONTACTED)
_NAME_BEFORE_WILL = re.compile(r"([\w-]+)(?:'ll|'m going|'s going|\s+(?:will|am|is)\b)")

# The same contact offered with "can" ("a specialist can ring you back", "someone from billing can email
# you", "our engineer can call you tomorrow"): found from its "can", a literal ``re`` skips to, with no
# negation or filler between it and the contact (not "we can no longer call you"). Its subject, read
# only then, must be our side (_CAN_SUBJECT): not "you can call back tomorrow", "your bank can call you".
_CAN_CONTACT = phrases(r"\bcan\s+(?:(?:also|personally|then|happily|certainly|definitely)\s+)?"
                       + _CONTACT + _CONTACT_TAIL)
# Who may be offered as calling: our side, a colleague named after their role ("my colleague Sam":
# group 1, taken only as a capitalised name) and, offered so, our engineer: a call the customer may take
# up, not "the engineer will call you before he arrives", a visit's arrangement.
_CAN_SUBJECT = re.compile(
    r"\b(?:" + _OUR_SIDE + r"|(?:one of )?(?:our|my)\s+(?:[\w-]+\s+){0,2}?(?:engineer|technician)s?|"
    + _STAFF_SIDE + r"\s+([\w-]+))" + _NAMED + r"\s+\Z")


# "Contact us again" told to the customer as what they can or must do ("you can contact us again after
# then"): the customer's own action, like "you can call us", not an invitation from us.
_OPEN_DOOR = re.compile(r"(?:reach|contact|message|dm) (?:us|me) ")
_CUSTOMER_MAY = re.compile(r"\b(?:you|u)(?:'ll|'d)?\s+(?:(?:can|could|may|might|will|would|should|must|need to|have to|"
                           r"are able to|'re able to)\s+)+(?:(?:always|also|just|then|simply)\s+)?\Z")


def follow_up_ranges(rt: ReplyText) -> list[Range]:
    """The follow-up offers: :data:`_FOLLOW_UP` (less the customer's own contact, :func:`_customer_contacts`),
    and :data:`_NAMED_CONTACT` where the name is one."""
    found = [r for r in rt.find(_FOLLOW_UP) if not _customer_contacts(rt, r[0])]
    named = rt.find(_NAMED_CONTACT)
    if named:
        found = sorted(set(found).union(span for span in named if _capitalised_name(rt, span)))
    offered = [(who, end) for who, end in ((_offered_by(rt, start), end) for start, end in rt.find(_CAN_CONTACT))
               if who is not None]
    if offered:
        found = sorted(set(found).union(offered))
    return found


def _customer_contacts(rt: ReplyText, start: int) -> bool:
    """Whether the phrase at ``start`` is "contact us again" told as what the customer can or must do
    (:data:`_CUSTOMER_MAY`)."""
    norm = rt.norm
    return (_OPEN_DOOR.match(norm, start) is not None
            and _CUSTOMER_MAY.search(norm, max(rt.clause_start(start), start - 40), start) is not None)


def _offered_by(rt: ReplyText, can: int) -> int | None:
    """Where the words before the "can" at ``can`` start to name someone on our side (:data:`_CAN_SUBJECT`),
    in its sentence; None when they do not."""
    match = _CAN_SUBJECT.search(rt.norm, max(rt.sentence_at(can)[0], can - 80), can)
    if match is None:
        return None
    name = rt.original[match.start(1):match.end(1)] if match.group(1) else ""
    return match.start() if not name or (name[:1].isupper() and not name.isupper()) else None


def _capitalised_name(rt: ReplyText, span: Range) -> bool:
    """Whether the word before the "will" of ``span`` is written as a name ("Sam", not "engineer",
    nor "ENGINEER" in a reply in capitals)."""
    match = _NAME_BEFORE_WILL.search(rt.norm, span[0], span[1])
    name = rt.original[match.start(1):match.end(1)] if match else ""
    return name[:1].isupper() and not name.isupper()

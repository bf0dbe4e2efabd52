"""``positive_language``: no commanding, deflecting or blaming phrasing towards the customer.

DOMAIN.md's negative language: "you have to", "you need to", "you must",
"you should have", "calm down", "not my department", "there's nothing we can
do", "as I already said". Neutral requests ("please DM us your order number")
are fine, and so are empathetic uses of the same words ("I'm sorry you have
to wait", "everything you need to know", "you must have been so frustrated").
"""

from __future__ import annotations

import re

from harness.checks.base import CheckContext, CheckResult, register
from harness.checks.results import result, span
from harness.checks.text import Range, ReplyText, analyze, compile_word_starts, phrases

_YOU = r"\b(?:you|u|ya)\s*"
# Between "you" and "need to"/"have to": "you just need to", "you'll simply have to".
_ADVERB = r"(?:(?:just|simply|only|really|still|also|first|then|now|definitely|absolutely|actually|obviously|clearly)\s+)?"

# How a customer must feel, said in sympathy: "you must be so upset", "you must have been fed up".
_MUST_FEEL = (r"(?:so\s+|really\s+|very\s+|absolutely\s+|completely\s+|utterly\s+)?(?:frustrat|upset|annoy|disappoint|"
              r"tired|fed up|worried|exhausted|furious|angry|stressed|livid|gutted|devastated|joking|kidding)")

_COMMANDING = [
    _YOU + r"(?:'ll|will|would|'d)?\s*" + _ADVERB + r"(?:have|need|needs)\s+to\b",
    _YOU + r"(?:'re|are|will be|'ll be)\s+" + _ADVERB + r"(?:required|obliged|obligated|expected)\s+to\b",
    _YOU + r"(?:'ve|have)?\s*(?:got to|gotta)\b",
    # "You must" commands, and "you must have plugged it into the wrong port" blames; "you must be
    # so upset", "you must have been so frustrated" or "you must have had a rough week" sympathise.
    _YOU + r"must\b(?!\s*(?:be\s+|(?:have|'ve)\s+been\s+)" + _MUST_FEEL + r"|\s*(?:have|'ve)\s+(?:felt|had (?:a|an|such|"
    r"enough|quite)|gone through|been through|been (?:kept |left )?waiting|been without|been on hold|been worried)\b)",
    r"\bcalm down\b|\bsettle down\b|\bchill out\b|\brelax[,!.]",
    r"\bstop (?:shouting|yelling|complaining|whining|being)\b",
]
_EXPECTED = (r"(?!\s+(?:it|them|this|that|these|those|the|a|an|your|ur|one|some|all|everything|both|two|three|"
             r"received|got|gotten|heard|seen|been (?:sent|given|told|informed|notified|emailed|refunded|credited|"
             r"contacted|offered))\b)")
_BLAMING = [
    # "You should have read the terms" blames; "you should have it by Friday" or "you should
    # have received our email" tells what to expect.
    _YOU + r"(?:(?:should|shoulda)\s*(?:have|'ve|of)|should've)\b" + _EXPECTED,
    _YOU + r"(?:shouldn't|should not)\s*(?:have|'ve|of)\b",
    _YOU + r"(?:were|was) supposed to\b",
    _YOU + r"(?:failed to|forgot to|neglected to)\b",
    _YOU + r"(?:didn't|did not|never) (?:read|follow|check|bother)\b",
    r"\b(?:your|ur) (?:own )?fault\b|\bit's on you\b|\buser error\b",
    r"\b(?:your|ur) (?:own )?responsibility\b|\bup to (?:you|u) to\b(?! (?:decide|choose|pick|say|let))|\bthe onus is on (?:you|u)\b",
    r"\bif (?:you|u) (?:had|'d) (?:read|followed|checked|paid attention)\b",
]
_DEFLECTING = [
    r"\bnot (?:my|our) (?:department|job|problem|responsibility|area|concern|fault|issue|call)\b",
    r"\bnothing (?:more |else )?(?:that )?(?:we|i) (?:can|could) do\b",
    r"\b(?:can't|cannot|can not) help (?:you|u)\b(?! (?:with that here|further here))",
    r"\bout of (?:my|our) hands\b|\bnothing to do with (?:us|me)\b",
    r"\btake it up with\b|\b(?:i|we) (?:just|only) work here\b|\bi don't make the rules\b",
    # "That's a question for the network team, not us"; "this isn't something my team handles".
    r"\b(?:question|one|matter|job|issue|problem|thing|call) for (?:(?:the|your|another|a different|some) )?[\w -]{1,30}?,?"
    r" not (?:us|me|ours|mine|my team|our team)\b",
    r"\b(?:isn't|is not|not) (?:something|anything|a thing) (?:that )?(?:i|we|my team|our team|my department"
    r"|our department|this team|this department)\s*(?:can |do |really )?(?:handle|handles|deal with|deals with|cover|covers|"
    r"look after|looks after|take care of|takes care of|work on|works on|help with)\b",
]
_REPEATING = [
    r"\bas (?:i|we)(?:'ve| have)? (?:already|previously) (?:said|mentioned|stated|explained|told (?:you|u))\b",
    r"\bas (?:i|we) (?:said|told (?:you|u))\b",
    r"\blike (?:i|we) (?:said|told (?:you|u))\b",
    r"\b(?:i|we)(?:'ve| have)? already (?:told|explained|said)\b",
    r"\bas (?:previously|already) (?:stated|mentioned|explained)\b",
    r"\b(?:as|like) (?:i|we)(?:'ve| have)? (?:said|mentioned|stated|explained|pointed out|told (?:you|u)) (?:before|earlier|"
    r"previously|already|above|twice|several times|many times|multiple times|in my (?:last|previous|earlier) "
    r"(?:message|reply|email|response))\b",
    # Said of the agent's own repeating ("For the third time, ..."), not of the customer's
    # ordeal ("a soaked parcel for the third time is maddening"): the clause ends there.
    r"\bfor the (?:last|second|third|fourth|fifth|final|hundredth|umpteenth|\w+th) time(?=\s*(?:[,.!:;\n]|$))",
]
_NEGATIVE = phrases(*_COMMANDING, *_BLAMING, *_DEFLECTING, *_REPEATING)
# Matches at the start of a blaming or deflecting phrase (apology_wording reads these after "sorry, but").
BLAME_OR_DEFLECTION = re.compile("|".join(f"(?:{p})" for p in _BLAMING + _DEFLECTING))
_STARTS_WITH_YOU = re.compile(r"(?:you|u|ya)\b")
# Words just before "you have to …" that turn it into sympathy or a relative
# clause: "sorry that you have to wait", "everything you need to know".
_SOFTENED_BEFORE = compile_word_starts(
    r"\b(?:when|if|that|whenever|sorry|hate|unfair|shame|what|everything|anything|all|things|whatever|before|"
    r"until|once|why|how|where|whether|don't want|no longer|hope)\s*$"
)


def _softened(rt: ReplyText, start: int) -> bool:
    if not _STARTS_WITH_YOU.match(rt.norm, start):
        return False
    return _SOFTENED_BEFORE.search(rt.norm[max(0, start - 30):start]) is not None


def negative_phrases(rt: ReplyText) -> list[Range]:
    """Ranges of commanding, blaming, deflecting or repeating phrases the agent asserts."""
    return [r for r in rt.find(_NEGATIVE) if not _softened(rt, r[0])]


class PositiveLanguage:
    """Fails on commanding, blaming or deflecting phrases towards the customer.

    ``data``: ``found`` (offending phrases). ``passed`` is False when any is
    found outside quotations, negations and sympathetic uses; True otherwise,
    including an empty reply. Evidence: each offending phrase.
    """

    name = "positive_language"
    version = "4"
    description = "No commanding, deflecting or blaming language ('you have to', 'calm down', 'not my job')."

    def run(self, ctx: CheckContext) -> CheckResult:
        rt = analyze(ctx.reply)
        evidence = [span(ctx.reply, s, e) for s, e in negative_phrases(rt)]
        found = [ev.text for ev in evidence]
        detail = f"negative phrasing: {', '.join(map(repr, found))}" if found else "no negative phrasing"
        return result(not found, evidence=evidence, detail=detail, data={"found": found})


register(PositiveLanguage())

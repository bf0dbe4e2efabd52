"""``apology_wording``: does the reply apologise, in which form, and for what.

Forms follow the label definitions in DOMAIN.md:

* ``apologize``: an owning apology built on apologize/apologise/apology/apologies.
* ``sorry``: "I'm sorry", "we're sorry to hear", "sorry for the wait".
* ``non_apology``: sorry for the customer's feelings ("sorry you feel that
  way"), conditional ("we apologize if you were upset") or deflecting ("sorry,
  but that's our policy").
* ``none``: no apology; a "sorry" that is no apology ("you won't be sorry") and
  one inside a quotation of the customer do not count.

The first apology word that is used as an apology decides the form ("sry" and
"srry" count as "sorry").

A "but"/"however" after the apology (in its sentence, or opening the next one)
deflects according to what it introduces. Blame on the customer ("you should
have checked"), a denial ("we have no record of it"), a third party ("resolved
by your bank"), "nothing we can do" or "not my department" deflect any apology.
After a bare or generic apology ("Sorry, but", "We apologise for the
inconvenience, however") anything but help deflects: "sorry, but refunds take
10 days" does, "sorry for the delay, but I've refunded you" and "sorry, but
could you send your order number?" do not. After an apology naming the failure
("sorry the parcel is late, but …") only those markers, a policy or "how the
system works" excuse deflect: the rest is a limit stated after an owning apology.
"""

from __future__ import annotations

import re

from harness.checks.base import CheckContext, CheckResult, register
from harness.checks.positive_language import BLAME_OR_DEFLECTION, negative_phrases
from harness.checks.results import result, span
from harness.checks.text import Range, ReplyText, analyze, compile_word_starts, phrases, widen

# "sry"/"srry": abbreviations are common in real (social media) replies.
_APOLOGY_WORD = phrases(r"sorry\b", r"s(?:rr?y)\b", r"apolog(?:y|ies|ise|ize|ised|ized|ising|izing)\b")

# Said just before the word, these make it something other than our apology:
# "you won't be sorry", "no need to apologize", "you deserve an apology".
_NOT_OURS_BEFORE = compile_word_starts(
    r"(?:\bwon't|\bwill not|\bwont|\bnever|\bnot|n't|\bno need to|\bnothing to|\bneedn't)\s+(?:ever\s+)?"
    r"(?:be\s+|feel\s+|have to\s+|need to\s+)?$"
    r"|\b(?:deserve|want|wanted|expect|demand|demanded|asked for|owed)\s+(?:an\s+|a\s+|my\s+|our\s+)?"
    r"(?:full\s+|proper\s+|real\s+|sincere\s+)?$"
    r"|\b(?:you|u)\s+(?:should|must|need to|have to)\s+$"
)
_NOT_OURS_AFTER = re.compile(r"^\s*(?:accepted|state|excuse|sight|lot)\b")
# "I can't apologize enough" is an apology despite the negation.
_EMPHATIC = re.compile(r"^\s*enough\b")

_HOW_IT_WORKS = (r"(?:how|the way)\s+(?:it|things|this|that|everything|we do things|(?:the|our)\s+(?:\w+\s+){0,2}?\w+)\s+"
                 r"(?:works|work|is|are|goes|go|operates|runs)\b")
# An excuse opening what follows the apology word: "Sorry, that's just how the system works",
# "sorry not sorry", "sorry, rules are rules".
_DEFLECTS = re.compile(
    r"^\s*[,.!]?\s*(?:that's|that is|it's|it is|this is)\s+(?:just\s+|simply\s+)?"
    r"(?:(?:our|the|company|store)\s+polic(?:y|ies)|" + _HOW_IT_WORKS + ")"
    r"|^\s*[,.!]?\s*there(?:'s| is)\s+nothing\s+(?:more\s+|else\s+)?(?:we|i)\s+can\s+do"
    r"|^\s*[,.!]?\s*(?:not sorry|rules are rules)\b"
)
# "but"/"however" turning the apology, in its sentence: what it introduces decides (_deflects_after).
_TURN = re.compile(r"(?<![\w'])(?:but|however)\b")
_TURN_OPENS = re.compile(r"(?:but|however)\b")
# Deflections after any apology: a denial of the customer's account, a third party's job, an excuse.
_EXCUSE = compile_word_starts(
    r"\b(?:we|i)\s*(?:have|'ve|had|'d|can|could)\s*(?:no|not|n't)\s*(?:got\s+)?(?:any\s+)?"
    r"(?:record|records|trace|sign|evidence|find|see|locate)\b"
    r"|\bno (?:record|trace|sign|evidence) of\b|\b(?:our|the) (?:records|system|logs) (?:show|shows|say|says|indicate)"
    r"|\bthere (?:is|was|'s|were) (?:no|only one) (?:second|duplicate|double|other|extra|record)\b"
    r"|\b(?:only|just) (?:charged|billed|taken|debited) (?:you )?once\b|\byou must have\b"
    r"|\b(?:handled|resolved|dealt with|decided|controlled|processed|set|managed|sorted out|settled)\s+by\s+(?:your|the)\s+"
    r"(?:\w+\s+)?(?:bank|card issuer|issuer|courier|carrier|provider|manufacturer|retailer|seller|airline|network"
    r"|insurer|landlord|post office|delivery company|third party|council)\b"
    r"|\b(?:your|the) (?:\w+ )?(?:bank|card issuer|issuer|courier|carrier|provider|manufacturer|retailer|seller|airline"
    r"|insurer)(?:'s| is) (?:responsibility|problem|fault|job|call|issue|decision)\b"
    r"|\bup to (?:your|the) (?:\w+ )?(?:bank|card issuer|issuer|courier|carrier|provider|manufacturer|retailer)\b"
    r"|\brules are rules\b|\b(?:that's|that is|it's|it is|this is) (?:just |simply )?" + _HOW_IT_WORKS
)
# A policy or system excuse (after an apology naming the failure too).
_POLICY_EXCUSE = compile_word_starts(
    r"\b(?:our|the|company|store)\s+polic(?:y|ies)\b|\bagainst (?:our )?polic(?:y|ies)\b"
    r"|\b(?:the|our) system (?:won't|will not|doesn't|does not|can't|cannot|isn't|is not|only|automatically|is set)\b"
)
# What a "but" opens that is help, not an excuse: our action ("but I've refunded you", "but I'll
# need your order number"), a request ("but could you ..."), good news.
_HELP = re.compile(
    r"\s*,?\s*(?:"
    r"(?:i|we)\b(?!['\w ]{0,24}?(?:n't|\b(?:not|no|never|unable|afraid|only|cannot|can't|cant|wont|dont"
    r"|follow|stick to|abide by|bound by)\b))"
    r"|let me\b|let's\b|here's\b|here is\b|the good news\b|good news\b|(?:don't|do not) worry\b|no worries\b"
    r"|not to worry\b|rest assured\b|thankfully\b|fortunately\b|luckily\b|happily\b"
    r"|(?:please|pls|plz|could|can|would|will|may) (?:you|u)\b|(?:please|pls|plz) (?!note|understand|be aware)\w+"
    r"|(?:your|ur|the) (?:\w+ )?(?:refund|replacement|credit|money|payment|order|parcel|package|item)"
    r" (?:has|have|is|'s|will)\b(?!\s*(?:not|n't|never)\b)"
    r")"
)
_CONDITIONAL = re.compile(
    r"^\s*(?:to\s+(?:hear|see|learn)\s+)?(?:that\s+)?(?:if|in case|should)\b"
    r"|^\s*for\s+(?:any\s+\w+\s+)?(?:that\s+)?(?:you\s+)?(?:may|might)\s+have\s+(?:felt|perceived)"
)
_FEELINGS = re.compile(
    r"^\s*(?:for\s+|about\s+|to\s+(?:hear|see|learn)\s+)?(?:that\s+|how\s+|the way\s+)?(?:you|u)\s*"
    r"(?:'re|are|were|have been|'ve been|got|get|became|seem|may be|might be|'d be|would be)?\s*"
    r"(?:feel|feeling|felt|think|thought|believe|believed|see|saw|perceive|perceived|took|take|found|find"
    r"|upset|frustrated|unhappy|disappointed|angry|annoyed|offended|mad|bothered|confused|displeased"
    r"|dissatisfied|unsatisfied|hurt)\b"
    r"|^\s*for\s+(?:your|how you)\s+feel"
)
_CONDITIONAL_BEFORE = compile_word_starts(r"\b(?:if|in case)\b[^,.!?]{0,80},\s*[\w' ]{0,25}$")

_OBJECT_LEAD = re.compile(
    r"^[\s,!.\-]*(?:(?:so much|again|sincerely|deeply|truly|profusely|very|really|that|once again)\s+)*"
    r"(?:(?:for|about|over|regarding|to hear|to see|to learn|to know|that)\b)?"
)
_WORD = re.compile(r"[a-z0-9']+")
# Words that name no particular failure: "for any inconvenience this may have caused".
_GENERIC_WORDS = frozenset("""
the any all this that these those it a an your our my of for about to hear see learn know inconvenience
inconveniences trouble troubles issue issues problem problems frustration frustrations experience
experiences confusion hassle hassles caused cause causing may might have has had been you we i everything
situation matter matters mixup mix up way experienced incurred disappointment upset such whatever again
so much very truly sincerely deeply really here there with and or from by on in was were is are be going
through go gone went unpleasant bad poor negative kind thing things stress ordeal bother difficulty
difficulties mistake mistakes error errors oversight mess happened happening what it's that's this's
any all is am us me anything you've you're we've we're i'm caused this made make if feel felt feeling
feelings think way upset frustrated unhappy disappointed angry annoyed but however policy that's policies
inconvenienced inconveniencing during stay visit let down at
""".split())


def _is_apology_use(rt: ReplyText, start: int, end: int) -> bool:
    sent_start, _ = rt.sentence_at(start)
    before = rt.norm[max(sent_start, start - 40):start]
    after = rt.norm[end:end + 40]
    if _EMPHATIC.search(after):
        return True
    return not (_NOT_OURS_BEFORE.search(before) or _NOT_OURS_AFTER.search(after))


def _first_apology(rt: ReplyText) -> Range | None:
    for word in rt.find(_APOLOGY_WORD, negated=True):
        if _is_apology_use(rt, *word):
            return word
    return None


def _turn_after(rt: ReplyText, end: int) -> Range | None:
    """Where a "but"/"however" after the apology word starts, and where what it opens ends.

    The first one later in the apology's sentence, or one opening the next sentence
    ("We apologise for the inconvenience. However, ...").
    """
    norm = rt.norm
    sentence = rt.sentence_at(end - 1)
    m = _TURN.search(norm, end, sentence[1])
    if m:
        return m.start(), sentence[1]
    sentences = rt.sentences
    for i, found in enumerate(sentences):
        if found == sentence:
            if i + 1 < len(sentences) and _TURN_OPENS.match(norm, sentences[i + 1][0]):
                return sentences[i + 1]
            break
    return None


def _names_nothing(text: str) -> bool:
    return all(w in _GENERIC_WORDS for w in _WORD.findall(text[_OBJECT_LEAD.match(text).end():]))


def _deflects_after(rt: ReplyText, end: int) -> bool:
    """Whether a "but"/"however" after the apology word ending at ``end`` deflects it (module docstring)."""
    turn = _turn_after(rt, end)
    if turn is None:
        return False
    norm = rt.norm
    turn_start, rest_end = turn
    opened = _TURN_OPENS.match(norm, turn_start)
    rest_start = opened.end() if opened else turn_start
    if _EXCUSE.search(norm, rest_start, rest_end):
        return True
    for start, _ in negative_phrases(rt):
        if rest_start <= start < rest_end and BLAME_OR_DEFLECTION.match(norm, start):
            return True
    if _HELP.match(norm, rest_start, rest_end):
        return False
    return _names_nothing(norm[end:turn_start]) or _POLICY_EXCUSE.search(norm, rest_start, rest_end) is not None


def _classify(rt: ReplyText, word: Range) -> str:
    start, end = word
    sent_start, _ = rt.sentence_at(start)
    after = rt.norm[end:end + 90]
    before = rt.norm[max(sent_start, start - 110):start]
    if _DEFLECTS.search(after) or _CONDITIONAL.search(after) or _FEELINGS.search(after):
        return "non_apology"
    if _CONDITIONAL_BEFORE.search(before):
        return "non_apology"
    if ("but" in rt.norm or "however" in rt.norm) and _deflects_after(rt, end):
        return "non_apology"
    return "sorry" if rt.norm[start] == "s" else "apologize"


def _is_generic(rt: ReplyText, word: Range) -> bool:
    _, clause_end = widen(rt, word, limit=120)
    if _names_nothing(rt.norm[word[1]:clause_end]) and rt.norm.startswith(":", clause_end):
        # "I'm sorry: that second charge should never have happened" names it after the colon.
        _, clause_end = widen(rt, (clause_end + 1, clause_end + 1), limit=120)
    if not _names_nothing(rt.norm[word[1]:clause_end]):
        return False
    return not _names_before(rt, word)


# The apology joined by a colon, semicolon or dash to what it answers, with its lead-in ("that's our
# mistake: I apologize", "charged twice - we're so sorry").
_JOINED_BEFORE = re.compile(r"(?:[:;\u2013\u2014]|\s-)\s*(?:[\w']+\s+){0,3}$")


def _names_before(rt: ReplyText, word: Range) -> bool:
    """Whether a clause joined to the apology just before it names the failure ("You were charged
    twice for March, and that's our mistake: I apologize"): the apology is for what it follows."""
    sent_start, _ = rt.sentence_at(word[0])
    joined = _JOINED_BEFORE.search(rt.norm, sent_start, word[0])
    if joined is None:
        return False
    words = [w.strip("'") for w in _WORD.findall(rt.norm, sent_start, joined.start())]
    # A clause says what went wrong; two words greet ("Hi Dan - sorry") or own nothing ("Our mistake:").
    return len(words) > 2 and any(w and w not in _GENERIC_WORDS and w not in _COURTESY for w in words)


# What opens a reply without naming a failure: "Thanks for waiting: sorry ...".
_COURTESY = frozenset("hi hello hey dear thanks thank cheers waiting wait patience message reaching out contacting".split())


def _evidence_range(rt: ReplyText, word: Range) -> Range:
    # Include the lead-in ("We're so sorry", "Please accept our apologies") when short.
    sent_start, _ = rt.sentence_at(word[0])
    start = sent_start if word[0] - sent_start <= 40 else word[0]
    return start, widen(rt, word)[1]


class ApologyWording:
    """Reports the apology ``form`` and whether it is ``generic``.

    ``data``: ``form`` (none | apologize | sorry | non_apology) and ``generic``
    (the apology names nothing specific; false when form is none).
    ``passed`` is True for apologize and sorry, False otherwise.
    Evidence: the apology, from its lead-in to the end of its clause.
    """

    name = "apology_wording"
    version = "4"
    description = "Apology present and owning (apologize/sorry), not a non-apology; flags generic apologies."

    def run(self, ctx: CheckContext) -> CheckResult:
        rt = analyze(ctx.reply)
        word = _first_apology(rt)
        if word is None:
            return result(False, detail="no apology", data={"form": "none", "generic": False})
        form = _classify(rt, word)
        generic = _is_generic(rt, word)
        start, end = _evidence_range(rt, word)
        return result(
            form in ("apologize", "sorry"),
            evidence=[span(ctx.reply, start, end)],
            detail=f"{form}{' (generic)' if generic else ''}",
            data={"form": form, "generic": generic},
        )


register(ApologyWording())

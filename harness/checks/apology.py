"""``apology_wording``: does the reply apologise, in which form, and for what.

Forms follow the label definitions in DOMAIN.md:

* ``apologize``: an owning apology built on apologize/apologise/apology/apologies.
* ``sorry``: "I'm sorry", "we're sorry to hear", "sorry for the wait".
* ``non_apology``: sorry for the customer's feelings ("sorry you feel that
  way"), conditional ("we apologize if you were upset") or deflecting ("sorry,
  but that's our policy").
* ``none``: no apology; a "sorry" that is no apology ("you won't be sorry") and
  one inside a quotation of the customer do not count.

The first apology word that is used as an apology decides the form.
"""

from __future__ import annotations

import re

from harness.checks.base import CheckContext, CheckResult, register
from harness.checks.results import result, span
from harness.checks.text import Range, ReplyText, analyze, compile_word_starts, phrases, widen

_APOLOGY_WORD = phrases(r"sorry\b", r"apolog(?:y|ies|ise|ize|ised|ized|ising|izing)\b")

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

_DEFLECTS = re.compile(
    r"^\s*(?:,|\.\.\.|\u2026|-|\u2014)?\s*(?:but|however)\b"
    r"|^\s*[,.!]?\s*(?:but\s+)?(?:that's|that is|it's|it is|this is)\s+(?:just\s+|simply\s+)?"
    r"(?:our|the|company|store)\s+policy"
    r"|^\s*[,.!]?\s*(?:but\s+)?there(?:'s| is)\s+nothing\s+(?:more\s+|else\s+)?(?:we|i)\s+can\s+do"
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


def _classify(rt: ReplyText, word: Range) -> str:
    start, end = word
    sent_start, _ = rt.sentence_at(start)
    after = rt.norm[end:end + 90]
    before = rt.norm[max(sent_start, start - 110):start]
    if _DEFLECTS.search(after) or _CONDITIONAL.search(after) or _FEELINGS.search(after):
        return "non_apology"
    if _CONDITIONAL_BEFORE.search(before):
        return "non_apology"
    return "sorry" if rt.norm.startswith("sorry", start) else "apologize"


def _is_generic(rt: ReplyText, word: Range) -> bool:
    _, clause_end = widen(rt, word, limit=120)
    obj = rt.norm[word[1]:clause_end]
    obj = obj[_OBJECT_LEAD.match(obj).end():]
    return all(w in _GENERIC_WORDS for w in _WORD.findall(obj))


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
    version = "2"
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

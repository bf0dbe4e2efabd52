"""Where a refund word in a reply names a team, a request or the subject of news or of a
hand-over ("our refunds team", "an answer on the refund by Friday", "I'll escalate your refund
request") rather than offering a refund.

``policy_promises`` reads no refund offer (and no refund delivery date) there.
"""

from __future__ import annotations

from harness.checks.text import Range, ReplyText, compile_word_starts, phrases

REFUND = phrases(r"\b(?:refund(?:ed|ing|s)?|reimburs\w*|money back|repay\w*)\b")


# A refund named as a team, a request or a subject, not offered: "our refunds team", "your refund
# request", "the refund status" (a request "approved" or "processed" in its clause is granted).
# Read with string operations (the word after the mention, the words before it): most replies
# that name a refund name it several times.
_TEAM_NOUNS = frozenset("team teams department dept desk specialist specialists unit queue colleague colleagues "
                        "line".split())
_REQUEST_NOUNS = frozenset("request requests claim claims application case ticket query enquiry inquiry form status "
                           "decision eligibility process policy question".split())
_GRANTED = compile_word_starts(r"\b(?:approv\w*|accept\w*|grant\w*|process\w*|honou?r\w*|authori[sz]\w*|paid|issu\w*)\b")
# "An answer on the refund", "we'll get back to you about the refund", "look into your refund",
# "pass you to refunds": a subject of news or of a hand-over. After "to", "with" or "for" only a
# determiner makes one: "ask the team to refund you" offers a refund.
_SUBJECT_WORDS = frozenset("about regarding concerning re re: on whether if into at".split())
_DETERMINER_WORDS = frozenset("the your ur a any this that my our their its".split())
_TO_WORDS = frozenset(("to", "with", "for"))
_REFUND_ADJECTIVES = frozenset(("full", "partial", "possible", "potential"))
_NEWS = compile_word_starts(
    r"\b(?:answer\w*|updat\w*|news|decision|decide|outcome|repl\w*|respon\w*|word|let (?:you|u) know|"
    r"get(?:ting)? back|hear\w*|follow\w*|look\w* (?:at|into)|review\w*|investigat\w*|check\w*|chas\w*|"
    r"ask\w*|enquir\w*|inquir\w*|quer\w*|question\w*|discuss\w*|talk\w*|speak\w*|status|progress|in touch|"
    r"pass\w*|transfer\w*|escalat\w*|forward\w*|hand\w*|refer\w*|connect\w*|put (?:you|u) through|"
    r"team|department|colleague|specialist|supervisor|manager)\b"
)


def refund_topics(rt: ReplyText) -> frozenset[int]:
    """Where a refund word (:data:`REFUND`) names a team, a request or the subject of news or
    of a hand-over rather than offering a refund (memoised per reply)."""
    topics = rt.memo.get("refund_topics")
    if topics is None:
        norm = rt.norm
        found = set()
        if "refund" in norm or "reimburs" in norm:
            for start, end in rt.find(REFUND, quoted=True, negated=True):
                if _refund_topic(rt, start, end):
                    found.add(start)
        topics = rt.memo["refund_topics"] = frozenset(found)
    return topics  # type: ignore[return-value]


def _refund_topic(rt: ReplyText, start: int, end: int) -> bool:
    norm = rt.norm
    clause = rt.clause_at(start, end)
    after = norm[end:end + 16].split(None, 1)
    noun = after[0].rstrip(".,;:!?)") if after and norm[end:end + 1].isspace() else ""
    if noun in _TEAM_NOUNS:
        return True
    if noun in _REQUEST_NOUNS:
        # A request or claim granted in its clause is a refund: "your refund request is approved".
        return not _GRANTED.search(norm, clause[0], clause[1])
    return _named_as_subject(norm, start, clause) and bool(_NEWS.search(norm, clause[0], clause[1]))


def _named_as_subject(norm: str, start: int, clause: Range) -> bool:
    """Whether the words before ``norm[start:]`` in its clause make it a subject ("an answer on
    the refund", "put you through to refunds") rather than an offer ("ask them to refund you")."""
    words = norm[max(clause[0], start - 40):start].split()[-3:]
    if words and words[-1] in _REFUND_ADJECTIVES:
        words.pop()
    if not words:
        return False
    if words[-1] in _SUBJECT_WORDS:
        return True
    if words[-1] in _TO_WORDS:  # "to refunds" names the team; "to refund" is the verb
        return norm.startswith("refunds", start)
    if words[-1] in _DETERMINER_WORDS and len(words) > 1:
        return words[-2] in _SUBJECT_WORDS or words[-2] in _TO_WORDS
    return False

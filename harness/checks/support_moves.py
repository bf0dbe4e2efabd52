"""Checks for the good moves of a support reply, found by phrase:

* ``empathy_statement``: acknowledges the customer's feelings or situation.
* ``follow_up``: offers to follow up or invites feedback.
* ``escalation_offered``: offers a human, supervisor or specialist hand-over.

Each reports ``data["detected"]`` and the spans that decided it; phrases inside
quotations or after a negation in their clause ("we won't escalate") are not
counted, nor is a hand-over denied right after it is named ("a supervisor will
not be available"). A bare "I understand." is not empathy (it acknowledges
nothing), and "thanks for your feedback" does not invite feedback. ``follow_up``'s phrases are
in :mod:`harness.checks.follow_up_offers`.
"""

from __future__ import annotations

import re

from harness.checks.base import CheckContext, CheckResult, register
from harness.checks.follow_up_offers import follow_up_ranges
from harness.checks.results import result, span
from harness.checks.text import Range, ReplyText, analyze, phrases

_FEELING = (
    r"(?:frustrat\w*|upsett\w*|upset|annoy\w*|disappoint\w*|stress\w*|worr\w*|inconvenien\w*|difficult|hard|"
    r"unacceptable|awful|terrible|horrible|miserable|dreadful|maddening|infuriating|exhausting|confusing|concern\w*|"
    r"angry|anger|let down|unhappy|scary|frightening|distressing|overwhelming|disheartening|"
    r"a (?:real |huge |total )?(?:pain|hassle|headache|nightmare|worry|waste|shock|ordeal)|a lot to (?:deal with|juggle|handle))"
)
# Words that judge an experience as bad ("... is miserable", "can get confusing"):
# said of anything the customer went through, they acknowledge the situation.
_EXPERIENCE = (
    r"(?:frustrating|infuriating|maddening|annoying|upsetting|disappointing|stressful|worrying|confusing|exhausting|"
    r"awful|horrible|terrible|miserable|dreadful|unpleasant|distressing|scary|frightening|overwhelming|disheartening|"
    r"embarrassing|humiliating|heartbreaking|(?:such |really |very )?(?:a )?long (?:wait|day|journey)|"
    r"(?:such |really |very |pretty )?(?:bad|rotten|rough) luck|no fun|no joke|the (?:absolute )?worst(?=\s*(?:[,.!;\u2013\u2014-]|$))|"
    r"a (?:real |huge |total )?(?:pain|hassle|headache|nightmare|worry|ordeal|shock)|a lot to (?:deal with|juggle|handle|take in))"
)
_INTENSIFIERS = r"(?:(?:so|really|very|incredibly|truly|extremely|understandably|genuinely|definitely|totally|such|quite|pretty)\s+)*"
# Adverbs that make an "I understand" / "I get it" emphatic: "I completely understand."
_UNDERSTAND_ADVERBS = r"(?:(?:completely|totally|fully|really|truly|definitely|absolutely|perfectly|genuinely)\s+)"
# A state the customer is in: "you're upset"; not "you're confusing us with ...".
_YOU_FEEL = (
    r"(?:frustrated|upset|annoyed|disappointed|worried|stressed|angry|unhappy|fed up|let down|tired|exhausted|"
    r"anxious|concerned|confused|furious|overwhelmed|not happy|feeling \w+)"
)
# What a customer asks for, restated ("I understand you'd like a refund"): no feeling or situation.
_REQUEST_VERB = (r"(?:'d|\s+would|'re|\s+are|\s+r)?\s+(?:like|want|wish|prefer|need|require|asking|requesting|"
                 r"looking (?:to|for)|hoping to|wanting|wish to)\b")
_RESTATED_REQUEST = r"(?!" + _REQUEST_VERB + r")"
# A hardship the customer went through, restated ("I understand you waited three hours", "... you've
# called us five times"): DOMAIN.md's empathy acknowledges the customer's *situation*, and what they
# had to endure is that situation, where a neutral fact ("you ordered on Monday") is not.
_HARDSHIP = (r"(?:waited|queued|chased|struggled|suffered|been\s+(?:waiting|without|on hold|chasing|kept|left|passed|"
             r"bounced|let down|stuck|stranded|ignored|fobbed off|messed around)|(?:kept|left)\s+(?:waiting|on hold|"
             r"without|in the dark|stranded|hanging|out of pocket)|passed\s+(?:around|from|between)|bounced\s+(?:around|"
             r"between)|ignored|fobbed off|messed around|(?:called|rang|phoned|emailed|contacted|messaged|chased|tried|"
             r"written)\s+(?:(?:us|in|back|again)\s+)*(?:\w+\s+)?(?:times|repeatedly|twice|again and again|over and over|"
             r"every day|daily))\b")
# Participles that say how the customer felt ("you were shocked"), not what was done.
_FELT = (r"(?:frustrated|annoyed|disappointed|worried|stressed|tired|exhausted|concerned|confused|overwhelmed|fed up|"
         r"shocked|gutted|puzzled|irritated|embarrassed|inconvenienced|devastated|surprised|alarmed|frightened|scared|"
         r"baffled|bewildered|troubled|distressed|unsettled|shaken|heartbroken|insulted|offended|misled|mistreated|"
         r"stuck|stranded|treated|exasperated|infuriated|disgusted|horrified|dissatisfied|disheartened|depressed|"
         r"terrified|aggrieved|agitated|unimpressed|pissed off|ticked off|peeved)\b")
# An account fact ("you're on the premium plan", "you've been a customer since 2015", "you're eligible").
_ACCOUNT_STATE = (r"(?:on\s+(?!hold\b|edge\b|the\s+(?:phone|line)\b|(?:your|ur)\s+own\b)|with\s+us\b|"
                  r"a\s+(?!bit\b|little\b|lot\b|real\b)|an\s|the\s|one\s+of\b|registered|subscribed|signed\s+up|"
                  r"enrolled|booked|scheduled|listed|covered|insured|billed|charged|moved|switched|transferred|upgraded|"
                  r"downgraded|connected|eligible|entitled|due\b|based\b|located|living\b|using\b|paying\b|"
                  r"in\s+(?:credit|arrears|contract)\b|out\s+of\s+contract|calling\s+(?:from|about)|asking\s+about)")
_FACT_ADVERBS = r"(?:(?:just|already|recently|also|now|only|currently|still)\s+)?"
# A fact restated about the customer ("I understand you upgraded", "I can see that you're on the premium
# plan", "... you were charged £40 on 3 May"): a past-tense verb or an account state right after
# "you" states what happened or what is, not how it felt.
_FACT_BODY = (r"(?:(?:'re|\s+are|\s+r|\s+were|'ve\s+been|\s+have\s+been|'d\s+been|\s+had\s+been)\s+" + _FACT_ADVERBS
              + _ACCOUNT_STATE + r"|(?:'ve|\s+have|'d|\s+had|\s+were|\s+was)?(?:\s+been)?\s+" + _FACT_ADVERBS
              + r"(?!" + _HARDSHIP + r"|" + _FELT + r")(?:\w+ed|paid|bought|sent|made|got|rang|spoke|took|gave|said|told|"
              r"left|put|set)\b)")
_RESTATED_FACT = r"(?!" + _FACT_BODY + r")"
# Feelings and situations that "I understand the/your ..." acknowledges (not "your account number").
_SITUATION_NOUN = (r"(?:frustrations?|confusion|worry|worries|concerns?|anger|disappointment|upset|stress|urgency|"
                   r"inconvenience|situation|problem|trouble|hassle|wait|delay|impact|position|feelings?|annoyance|"
                   r"anxiety|predicament|point|reaction|disappointment)")
# Our own feelings are not the customer's: "it's frustrating for us too".
_NOT_FOR_US = r"\b(?!\s+for\s+(?:us|me|our \w+|the team|everyone here)\b)"
# A contraction "'s" = "is" (not a possessive, "the bill's confusing layout"): after a pronoun, or
# before the end of the clause ("the wait's awful, ...").
_IS_CONTRACTED = (r"\b(?:it|that|this|what|which|who|there|everything|nothing|something|all)'s")
_CLAUSE_END = r"(?=\s*(?:[,.!?;:\u2013\u2014-]|$)|\s+(?:and|but|so|when|that|to|for|because|with|too)\b)"
_TASK = r"\s+to\s+(?!(?:be|have|go|lose|wait|deal|cope|keep|chase|repeat|explain|live|get through)\b)"
_EMPATHY = phrases(*[
    # "I understand" (the evidence) with an object: how/why/what, the customer ("you're upset", "your frustration",
    # "wanting ..."), or a that-clause about the customer, us or this ("that three hours on hold is
    # a waste of your day"); not a bare "I understand." nor a general truth handed to the customer
    # ("we understand that outages happen and customers must accept them").
    r"\b(?:i|we)\s+(?:" + _UNDERSTAND_ADVERBS + r"|can |do )*understand(?=\s+(?:how|why|what|where|(?:not )?wanting|"
    r"(?:that\s+)?(?:you|u)\b" + _RESTATED_REQUEST + _RESTATED_FACT + r"|(?:that\s+)?(?:your|ur)\s+(?:\w+\s+){0,2}?"
    + _SITUATION_NOUN + r"\b|the (?:\w+\s+){0,2}" + _SITUATION_NOUN + r"\b|"
    r"the (?:\w+\s+){1,2}(?:was|is|were|has|had|meant|matters?)\b(?=[^.!?;:\n]{0,60}\b(?:you|u|your|ur)\b)|"
    r"(?:that|this|it)(?:'s|\s+is|\s+has|\s+must|\s+was|\s+would)\b|"
    r"that\s+(?!(?:you|u)\b(?:" + _REQUEST_VERB + r"|" + _FACT_BODY + r"))(?=[^.!?;:\n]{0,80}\b(?:you|u|your|ur|yours)\b)))",
    # Emphatic understanding ("I completely understand.", "I totally get it, life gets busy"); a bare
    # "I understand." or "I get it." acknowledges nothing in particular.
    r"\b(?:i|we)\s+(?:do\s+)?" + _UNDERSTAND_ADVERBS + r"(?:understand|get it)\b",
    r"\b(?:i|we)\s+(?:can (?:only )?|do )?(?:imagine\b(?=\s+(?:how|what|why|you|u|(?:that\s+)?(?:this|it|that)(?:'s|\s+is|\s+was|\s+has|\s+must|\s+would)\b)|\s*(?:[,.!;\u2013\u2014-]|$))"
    r"|appreciate how|see (?:why|how))\b",
    # "I can't imagine how frustrating that is": the negation is the empathy.
    r"\b(?:i|we)\s+(?:can't|cannot|can not|couldn't)\s+(?:even\s+|begin to\s+)?imagine\s+(?:how|what)\b",
    # The customer's burden named: "I'm sorry you're dealing with this", "nobody should have to deal with ...".
    r"\b(?:you|u)(?:'re|\s+are|\s+r|'ve been|\s+have been)\s+(?:\w+\s+)?(?:dealing with|going through|putting up with|"
    r"coping with|struggling with|juggling)\b(?!\s+(?:us|me|the right|(?:our|the) (?:\w+\s+)?(?:team|department|desk))\b)",
    r"\b(?:you|u)(?:'ve|\s+have|'d|\s+had)\s+(?:\w+\s+)?had to\s+(?:deal with|go through|put up with|chase|wait|"
    r"cope with|struggle|fight|repeat|explain)\b",
    r"\b(?:(?:nobody|no one|no-one|no customer)\s+(?:should|deserves? to)\s+(?:ever\s+)?have to\s+(?:wait|"
    r"struggle)|(?:(?:nobody|no one|no-one|no customer)\s+(?:should|deserves? to)|(?:you|u)\s+(?:shouldn't|should not|"
    r"don't deserve to|do not deserve to))\s+(?:ever\s+)?(?:have|'ve)(?:\s+had)?\s+to\s+(?:deal with|go through|put up with|chase|cope with|"
    r"fight for|repeat yourself|explain (?:this|it) again|wait (?:on|for) (?:us|our)|wait (?:this|so) long))\b",
    r"\bwhat (?:a|an)\s+(?:\w+\s+)?(?:pain|hassle|nightmare|ordeal|shock|headache|mess)\b|\bwhat (?:a|an)\s+"
    r"(?:\w+\s+)?(?:rotten|rough|awful|horrible|terrible|miserable|dreadful|stressful|frustrating|hard|tough|"
    r"difficult|long|exhausting|upsetting|disappointing|unpleasant|horrid|worrying|bad)\s+(?:\w+\s+)?(?:week|day|"
    r"morning|afternoon|evening|night|weekend|month|year|time|experience|journey|trip|wait|start|situation|"
    r"few days|ordeal|couple of days|way to (?:start|end|spend|begin)|end to|welcome)\b",
    r"\b(?:that|this|it)(?:'s|\s+is|\s+was|\s+has been|\s+must have been|\s+must be|\s+sounds like)\s+(?:such\s+)?(?:a|an)\s+"
    r"(?:really\s+|very\s+|truly\s+|pretty\s+|genuinely\s+)?(?:rotten|rough|awful|horrible|terrible|miserable|dreadful|"
    r"stressful|frustrating|tough|difficult|exhausting|upsetting|disappointing|unpleasant|horrid|worrying|bad)\s+"
    r"(?:\w+\s+)?(?:week|day|morning|afternoon|evening|night|weekend|month|time|experience|journey|trip|wait|start|"
    r"situation|few days|ordeal|way to (?:start|end|spend|begin)|end to)\b",
    r"\b(?:i|we)\s+(?:can\s+)?(?:see|tell|hear|sense)\s+(?:how|why|(?:that )?(?:you|u)" + _RESTATED_FACT + r"(?:'re|\s+are|\s+were|'ve been|\s+have been|\s+feel|"
    r"\s+must|'ve had|\s+have had)\b)",
    r"\b(?:i|we)\s+know how\b(?!\s+to\b)(?=\s+(?:\w+\s+){0,2}?" + _FEELING + r"|\s+" + _EXPERIENCE
    + r"|[^.!?;\n]{0,80}\b(?:you|u|your|ur|yours)\b)",
    r"\b(?:that|this|it)(?:'s|\s+is|\s+must|\s+must've|\s+must have|\s+would|\s+sounds(?:\s+like)?|\s+has been|\s+was)\s+"
    r"(?:been\s+|be\s+)?" + _INTENSIFIERS + r"(?:a\s+|an\s+)?" + _INTENSIFIERS + _FEELING
    + r"(?!\s+to\s+(?:say|tell|know|predict|estimate|give|confirm|judge|answer|guarantee|pin down|be sure)\b)"
    # A task that is hard ("it's difficult to reach the depot"), not a hard time ("... to be without heating").
    r"(?<!difficult(?=" + _TASK + r"))(?<!hard(?=" + _TASK + r"))" + _NOT_FOR_US,
    r"(?:\bis|\bare|\bwas|\bwere|" + _IS_CONTRACTED + r"|'s been|\bhas been|\bhave been|\bcan be|\bcan get|\bmust be|\bmust have been|"
    r"\bmust've been|\bwould be|\bsounds?"
    r"|sounds? like|gets|get)\s+" + _INTENSIFIERS + _EXPERIENCE + _NOT_FOR_US,
    r"'s\s+" + _INTENSIFIERS + _EXPERIENCE + _CLAUSE_END + _NOT_FOR_US,
    r"\b(?:how|so|understandably|completely|totally)\s+(?!inconvenience\b|concern\b)"
    r"(?<!worked so )(?<!pushed so )(?<!tried so )(?<!working so )(?<!trying so )(?<!tries so )(?<!works so )" + _FEELING,
    r"\bunderstandabl[ey]\b|\bi hear you\b|\bmakes (?:total |complete )?sense\b(?!\s+to\s+(?!(?:be|feel)\b))",
    r"\b(?:i|we)\s+(?:" + _UNDERSTAND_ADVERBS + r"|do )*get (?:why|how|what|(?:that|it)(?:'s|\s+is|\s+must)\b|"
    r"that\s+(?=[^.!?;:\n]{0,80}\b(?:you|u|your|ur|yours|our)\b))",
    r"(?<!\bif )(?<!\bin case )(?<!\bwhether )(?<!\bunless )\b(?:you|u)(?:'re|\s+are|\s+r|\s+were|\s+have been|\s+must be|\s+must've been|\s+must have been)\s+"
    r"(?:understandably |rightly |right to be |so |really |very |clearly |obviously )*" + _YOU_FEEL,
    r"\b(?:your|ur|the) (?:frustration|disappointment|anger|worry|feelings?|confusion)\b",
    r"(?<!regarding )(?<!about )(?<!\bre )(?<!\bto )(?<!address )(?<!addressing )(?<!answer )(?<!as for )\b(?:your|ur) concerns?\b",
    r"\b(?:you|u)(?:'ve got|\s+have|\s+had|\s+has)? (?:every right|every reason)\b|\b(?:you|u) deserve(?:d)? better\b",
    r"\bnot the experience\b|\bnot the (?:kind|sort|level|standard|quality) of (?:service|experience|treatment|care)\b|\bnot what (?:you|u) (?:expected|deserve|paid for|were hoping)\b",
    r"\b(?:i|we)(?:'d| would) (?:be|feel) (?:\w+ )?(?:frustrated|upset|annoyed|angry|disappointed) too\b",
    r"\b(?:i|we)(?:'d| would) (?:feel|be|do) (?:exactly )?the same\b|\b(?:i|we) (?:really |truly |do )?feel for (?:you|u)\b",
    # What the failure did to the customer's time: "it's eaten into your afternoon".
    r"\b(?:eaten into|ruined|spoil(?:ed|t)|wrecked|derailed|disrupted|taken over|cut short)\s+(?:your|ur)\s+"
    r"(?:\w+\s+)?(?:day|morning|afternoon|evening|night|weekend|week|holiday|trip|plans|time|break|celebration)\b",
    r"\bthat(?:'s| is) (?:not okay|not ok|not acceptable|not right|not good enough)\b",
    # Patience acknowledged (not thanked for): "you've been more than patient with us".
    r"\b(?:you|u)(?:'ve been|\s+have been|'re being|\s+are being|\s+were|\s+r)\s+(?:so |very |incredibly |really |"
    r"extremely |more than |remarkably |hugely )*(?:patient|understanding|gracious)\b",
    r"\b(?:test|try|tested|tried|testing|trying|stretch|stretched)\s+(?:anyone's|anybody's|everyone's|your|ur|"
    r"the) patience\b|\b(?:frustrate|upset|annoy|anger|infuriate|worry|exhaust|disappoint|drive)\s+(?:anyone|anybody|everyone)\b",
    r"\b(?:nasty|horrible|unwelcome|unpleasant|awful|rude|upsetting|worrying|stressful|horrid)\s+"
    r"(?:surprise|shock|discovery|experience|start)\b",
    # What the failure did to the customer: "this has caused you a lot of stress".
    r"\bcaus(?:ed|ing|e)\s+(?:you|u)\s+(?:\w+\s+){0,3}?(?:stress|worry|upset|frustration|anxiety|distress|grief|"
    r"heartache|embarrassment|hassle)\b",
    r"\b(?:i|we) (?:know|realise|realize|recogni[sz]e) (?:that )?(?:this|it)(?:'s|\s+has|\s+is|\s+was|\s+must)\s+(?:(?:have\s+)?been\b|be\b|"
    r"not (?:what|the|how|ideal|great|good)\b|" + _INTENSIFIERS + r"(?:a\s+|an\s+)?" + _INTENSIFIERS + r"(?:" + _FEELING + r"|" + _EXPERIENCE + r"))"
    r"|\bdragg(?:ed|ing) on\b",
    r"\b(?:isn't|wasn't|is not|was not|not)\s+(?:quite\s+|exactly\s+)?the (?:answer|news|outcome|result|response)\s+"
    r"(?:that\s+)?(?:you|u)(?:'d|\s+had|\s+were|\s+was)?\s+(?:been\s+)?(?:(?:hoping|looking) for|wanted|needed|expected|were after)\b",
    r"\b(?:you|u)(?:'ve|\s+have|\s+had|'d)?\s+(?:been\s+)?wait(?:ed|ing)\s+(?:far |much |way |more than )?(?:too long|long enough|ages)\b",
    r"\b(?:nobody|no one|no-one)\s+(?:likes|enjoys|wants)\s+(?:\w+ing|having to|to have to|being)\b",
    r"\bthe last thing (?:you|u)(?:'d)?\s+(?:needed|need|wanted|want)\b",
    r"\b(?:i|we)(?:'d| would)(?: have)?\s+(?:be |been )?(?:climbing the walls|tearing (?:my|our) hair out|going spare|losing (?:my|our) mind)\b",
])
# Verdicts on an experience ("... is awful", "... is maddening"): a negation governs them only
# right before them ("I don't think it's awful"), not inside their subject ("being without
# heating is awful", "a courier who never showed is maddening").
_EVALUATION = phrases(
    r"(?:\bis|\bare|\bwas|\bwere|" + _IS_CONTRACTED + r"|'s been|\bhas been|\bhave been|\bcan be|\bcan get|\bmust be|\bmust have been|"
    r"\bmust've been|\bwould be)\s+" + _INTENSIFIERS + _EXPERIENCE + _NOT_FOR_US,
    r"'s\s+" + _INTENSIFIERS + _EXPERIENCE + _CLAUSE_END + _NOT_FOR_US,
    r"\bmak(?:es|ing|e)\s+(?:it|this|that|things|the \w+)\s+(?:even\s+|all the\s+)?(?:more\s+)?" + _INTENSIFIERS
    + _EXPERIENCE,
)
_NEGATED_EVALUATION = re.compile(
    r"\b(?:not|never|nobody|no one|don't|do not|didn't|doesn't|wouldn't|won't|isn't|wasn't|hardly)\s+"
    r"(?:(?:think|say|said|find|call|feel|believe|claim|suggest)\s+(?:[\w']+\s*){0,3}|(?:(?:that|it|this)\s*)?)$"
)
# A wait judged too long ("six weeks of waiting after a flood is far too long", "a month is far too
# long to wait", "that's far too long to be without a phone", "your refund has taken far too long"):
# it says the customer's situation is unfair, so it acknowledges it. "Too long" alone does not: a
# cable, a password or a contract can be too long, so the subject or what follows must be a wait.
_TOO_LONG = r"(?:(?:far|way|much|simply|just|really|clearly|definitely|far,\s+far)\s+)?too long\b"
_IS_NOW = r"(?:is|was|are|were|'s|'s been|has been|have been|had been|would be|feels like|seems)"
_SPAN_OF_TIME = (r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+|several|a few|"
                 r"a couple of|over an?|more than an?|almost an?|nearly an?)\s+(?:whole\s+|full\s+|long\s+)?"
                 r"(?:minutes?|hours?|days?|weeks?|months?|years?|fortnights?)\b")
_WAITING = (r"(?:waiting|wait|waits|delays?|queuing|queueing|chasing|being (?:without|on hold|kept waiting|"
            r"left waiting|passed around))\b(?!\s+(?:list|lists|room|area|lounge)\b)")
_TO_BE_WITHOUT = r"(?:wait|be without|go without|be (?:kept|left) waiting|be on hold|chase|sort (?:this|it) out)\b"
_TOO_LONG_WAIT = phrases(*[
    # The wait is the subject: "six weeks of waiting ... is far too long", "the delay was too long".
    r"\b(?:" + _SPAN_OF_TIME + r"\s+(?:of\s+)?)?" + _WAITING + r"(?:\s+[\w'\u2019]+){0,6}?\s+" + _IS_NOW + r"\s+"
    + _TOO_LONG,
    # A stretch of time without something: "three weeks without heating is far too long", "five days
    # without internet when you work from home is far too long" (what it cost said on the way).
    r"\b" + _SPAN_OF_TIME + r"\s+(?:without|with no|on hold|in the queue|of no|chasing)\b(?:\s+[\w'\u2019]+){0,8}?"
    r"\s+" + _IS_NOW + r"\s+" + _TOO_LONG,
    # Too long to wait: "a month is far too long to wait", "that's far too long to be without a phone".
    r"\b(?:" + _SPAN_OF_TIME + r"|that|this|it)(?:\s+[\w'\u2019]+){0,4}?\s*\b" + _IS_NOW + r"\s+" + _TOO_LONG
    + r"\s+(?:to\s+" + _TO_BE_WITHOUT + r"|for (?:you|u|anyone|anybody)\b(?!\s+to\s+(?!" + _TO_BE_WITHOUT + r")))",
    # What has dragged on: "your refund has taken far too long", "this has gone on too long".
    r"\b(?:this|it|that|things|(?:your|ur|the) (?:refund|order|claim|complaint|case|repair|delivery|parcel|package|"
    r"replacement|ticket|issue|problem|fix|wait|delay|compensation|booking))(?:'s|\s+has|\s+have|\s+had)\s+"
    r"(?:taken|gone on|been going on|dragged on|been dragging on)\s+" + _TOO_LONG,
])
# "If a month is too long to wait, ...": an offer on a condition, not an acknowledgement.
_CONDITION = re.compile(r"\b(?:if|whether|unless|in case)\b")

_ESCALATION = phrases(*[
    r"\b(?:supervisor|manager|team lead|team leader|specialist|senior (?:agent|advisor|member|colleague)|"
    r"human agent|real person|live agent|live chat|a human|a person|a colleague|our \w+ team|complaints team)\b",
    r"\bescalat\w*\b|\btransfer (?:you|u|this|your)\b|\bconnect (?:you|u) (?:with|to)\b",
    r"\bhand (?:you|u|this|it) (?:over|off)\b|\bpass (?:this|you|u|it|your \w+) (?:on|over|along)\b",
    r"\bput (?:you|u) through\b|\brefer (?:this|you|u|your \w+) to\b|\bput (?:you|u) in touch with\b",
    # Someone with more authority: "get someone senior on the line", "speak to someone in charge".
    r"\b(?:get|find|bring in|ask|involve|loop in|have|arrange for|contact|put (?:you|u) through to|speak (?:to|with)|"
    r"talk (?:to|with))\s+(?:(?:you|u)\s+)?(?:someone|somebody|a colleague|a member of (?:staff|the team))\s+"
    r"(?:more\s+|very\s+)?(?:senior|in charge|higher up|with more (?:authority|experience)|who (?:can|could) "
    r"(?:authori[sz]e|approve|overrule|override|sign (?:this|that|it) off))\b",
    r"\b(?:someone|somebody)\s+(?:more\s+)?(?:senior|in charge)\s+(?:will|can|could|is going to|to)\s+"
    r"(?:call|ring|phone|contact|speak|talk|look|review|take|get)\b",
    r"\b(?:speak|talk|chat)\s+(?:directly\s+)?(?:to|with) (?:someone|somebody)\b(?!\s+(?:at|from) (?:your|ur)\b)",
])
# A hand-over named and then denied: "a supervisor will not be available", "escalation isn't possible".
_DENIED_AFTER = re.compile(r"\s+(?:(?:is|are|was|were|will|would|can|could|does|do|did|has|have)\s+)?(?:\w+\s+)?"
                           r"(?:not|never|no longer|unavailable|won't|can't|cannot|isn't|aren't|wasn't|weren't|"
                           r"doesn't|don't|didn't|couldn't|wouldn't)\b")


def _detect(rt: ReplyText, pattern: re.Pattern[str]) -> list[Range]:
    return rt.find(pattern)


def empathy_ranges(rt: ReplyText) -> list[Range]:
    """The empathy statements: :data:`_EMPATHY` as asserted, and verdicts on an experience
    (:data:`_EVALUATION`) not negated right before them."""
    found = rt.find(_EMPATHY)
    waits = _too_long_waits(rt)
    if waits:
        found = sorted(set(found).union(waits))
    evaluations = rt.find(_EVALUATION, negated=True)
    if not evaluations:
        return found
    norm = rt.norm
    extra = [(s, e) for s, e in evaluations
             if not _NEGATED_EVALUATION.search(norm, max(rt.clause_start(s), s - 40), s)]
    return sorted(set(found).union(extra))


def _too_long_waits(rt: ReplyText) -> list[Range]:
    """The waits judged too long (:data:`_TOO_LONG_WAIT`), less those under a condition in their clause."""
    return [(s, e) for s, e in rt.find(_TOO_LONG_WAIT) if not _CONDITION.search(rt.norm, rt.clause_start(s), s)]


def verdict(reply: str, ranges: list[Range], passed: bool | None, what: str) -> CheckResult:
    evidence = [span(reply, s, e) for s, e in ranges]
    detail = f"{what} found" if ranges else f"no {what} found"
    return result(passed, evidence=evidence, detail=detail, data={"detected": bool(ranges)})


class EmpathyStatement:
    """Passes when the reply explicitly acknowledges the customer's feelings or
    situation ("I understand how frustrating …", "that must be stressful", "I can't
    imagine how …", "nobody should have to deal with …", a wait judged too long: "a
    month is far too long to wait"); "I understand" needs an object about the
    customer or an emphasis ("I completely understand").
    ``data``: ``detected``; ``passed`` = detected. Evidence: each phrase."""

    name = "empathy_statement"
    version = "8"
    description = "Explicitly acknowledges the customer's feelings or situation."

    def run(self, ctx: CheckContext) -> CheckResult:
        ranges = empathy_ranges(analyze(ctx.reply))
        return verdict(ctx.reply, ranges, bool(ranges), "empathy statement")


class FollowUp:
    """Passes when the reply offers to follow up or invites feedback
    ("we'll keep you updated", "let us know if …", "I'll email you on Monday to
    confirm …", "our billing team will call you by Thursday with the reason",
    "my colleague Sam will email you", "we'll call you", "… and be in touch",
    "we'd love your feedback"; not "thanks for your feedback", nor a courier's call,
    nor a thing sent: "I'll email you the return label").
    ``data``: ``detected``; ``passed`` = detected. Evidence: each phrase."""

    name = "follow_up"
    # 7: "you can contact us again" is the customer's own; "I'll check on Friday and email you" counts.
    # 6: a contact offered with "can" ("a specialist can ring you back"), "someone from billing"
    version = "7"
    description = "Offers to follow up or invites feedback."

    def run(self, ctx: CheckContext) -> CheckResult:
        ranges = follow_up_ranges(analyze(ctx.reply))
        return verdict(ctx.reply, ranges, bool(ranges), "follow-up offer")


class EscalationOffered:
    """Detects an offered hand-over to a human, supervisor or specialist.

    ``data``: ``detected``, ``expected`` (the case's ``escalation_expected``).
    ``passed`` = detected when the case expects escalation, else None (whether
    to escalate is then the judge's call). Evidence: each phrase.
    """

    name = "escalation_offered"
    version = "2"
    description = "Offers a hand-over to a human, supervisor or specialist when the case expects one."

    def run(self, ctx: CheckContext) -> CheckResult:
        rt = analyze(ctx.reply)
        ranges = [r for r in _detect(rt, _ESCALATION) if not _DENIED_AFTER.match(rt.norm, r[1])]
        expected = ctx.case.expectations.escalation_expected
        outcome = verdict(ctx.reply, ranges, bool(ranges) if expected else None, "escalation offer")
        outcome.data["expected"] = expected
        return outcome


for _check in (EmpathyStatement(), FollowUp(), EscalationOffered()):
    register(_check)

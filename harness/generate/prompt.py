"""The messages one generation sends: who the customer is, what company, which policy, a seed for its style.

The wording is ours (from /work/shared/DOMAIN.md's personas), and every part of it that changes the answer is
in the messages, so the response cache key covers it: a rerun with the same options asks nothing again.
"""

from __future__ import annotations

import json
from typing import Any

from harness.generate.spec import MAX_COMPLAINT_CHARS, Ask
from harness.models.base import Message

PERSONA_BRIEFS = {
    "angry": "furious and loud: capitals, exclamation marks, maybe swearing; threatens to leave, post a review "
             "or charge back",
    "genuine_grievance": "the company really failed them (a late parcel, a double charge, a broken promise); "
                         "upset but mostly factual, wants it put right",
    "unreasonable_demand": "wants more than the policy allows (a refund long after the window, a free upgrade, "
                           "compensation out of proportion) and feels entitled to it",
    "passive_aggressive": "sarcastic and needling ('thanks for nothing', 'great service as always'); the real "
                          "complaint is under the tone",
    "indecisive": "confused or unsure what they want; lacks information, asks several things at once, cannot "
                  "choose between options",
    "abusive": "insults aimed at the support agent personally, on top of a real problem",
}

# One per generation, chosen from the seed: the same persona and seed would otherwise ask the same thing
# (a greedy model then writes the same complaint, which the near-duplicate gate drops).
ANGLES = (
    "It is their first message about the problem.",
    "They have already contacted support twice without result.",
    "The message is short and blunt.",
    "The message is a long, detailed account with dates and reference numbers.",
    "They mention a deadline that makes it urgent.",
    "Someone in their family or their business is affected too.",
    "They ask for one specific remedy.",
    "They say they will cancel or go to a competitor.",
    "They were promised something by an earlier agent that did not happen.",
    "They are writing late at night after a long day.",
)

SYSTEM = (
    "You write test data for evaluating customer-support chatbots: realistic messages from difficult "
    "customers. Write as the customer, in their own voice, one message to the company's support. Invent "
    "concrete details (order numbers, dates, amounts, product names) that fit the company. Do not write the "
    "company's reply. Answer with one JSON object and nothing else, whose one key \"complaint\" holds the "
    "message the customer writes."
)

_CHANNEL_STYLE = {
    "twitter": "a public tweet to the company's handle: short, with @handle, abbreviations, maybe emoji",
    "email": "an email with a greeting and a sign-off",
    "chat": "a live-chat message: informal, one or two short paragraphs",
    "web_form": "a complaint form: a long narrative in full sentences",
    "app_review": "an app store review",
}


def build_messages(ask: Ask) -> list[Message]:
    """The system message and the request for ``ask``."""
    return [Message(role="system", content=SYSTEM), Message(role="user", content=request_text(ask))]


def request_text(ask: Ask) -> str:
    """The user message: the parts of the request, one line or block each."""
    seed = ask.seed_case
    channel = seed.channel if seed is not None else None
    lines = [f"Company: {_company(ask)}."]
    persona = ask.persona
    if persona:
        lines.append(f"Customer persona: {persona.replace('_', ' ')} ({PERSONA_BRIEFS.get(persona, persona)}).")
    else:
        lines.append("Customer persona: a difficult customer.")
    if channel:
        lines.append(f"Channel: {_CHANNEL_STYLE.get(channel, channel)}.")
    policy = _policy_lines(ask)
    if policy:
        lines.append("What the company's policy says (the customer may not know it):\n" + "\n".join(policy))
    lines.append(f"Situation: {ask.angle}")
    if seed is not None:
        lines.append("Here is a real message from such a customer, for its tone and style only. Write a "
                     "DIFFERENT complaint: another problem, other details, other words; copy no sentence.\n"
                     f"<example>\n{seed.text}\n</example>")
    lines.append(f"Keep it under {MAX_COMPLAINT_CHARS // 6} words. Answer with the JSON object only.")
    return "\n".join(lines)


def retry_messages(messages: list[Message], answer: str, problem: str) -> list[Message]:
    """The same request, the refused answer, and what was wrong with it: the one retry a generation gets."""
    return [*messages, Message(role="assistant", content=answer[:MAX_COMPLAINT_CHARS + 200] or "(empty)"),
            Message(role="user", content=f"That answer cannot be used: {problem}. Answer again with only the "
                                         'JSON object {"complaint": "..."}, the message as one string.')]


def _company(ask: Ask) -> str:
    category = (ask.category or "consumer services").replace("_", " ")
    return f"a {category} company" + (f"; the customer's product or service: {ask.product}" if ask.product else "")


def _policy_lines(ask: Ask) -> list[str]:
    """The seed's policy (not its facts about that one customer) and the grid's policy text."""
    context: dict[str, Any] = ask.seed_case.context if ask.seed_case is not None else {}
    lines = [f"- {key.replace('_', ' ')}: {_value(value)}" for key, value in context.items()
             if key in POLICY_KEYS and value not in (None, [], "")]
    if ask.policy:
        lines.append(f"- {ask.policy}")
    return lines


# The policy a generated case keeps from its seed: the company's rules, not that customer's facts (an order
# number, days since purchase), which the new complaint would contradict.
POLICY_KEYS = ("refund_window_days", "max_refund", "max_credit", "currency", "allowed_offers", "forbidden_offers",
               "escalation", "notes")


def _value(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else json.dumps(value) if not isinstance(
        value, str) else value
